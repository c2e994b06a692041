//! Transfers, approvals, operators, primary names and update keys.

use super::*;
use crate::{Call, Error};

fn transfer(who: u8, n: &str, to: u8) -> DispatchResult {
    signed(
        who,
        Call::Transfer {
            name: name(n),
            new_owner: acc(to),
        },
    )
}

fn approve(who: u8, n: &str, account: Option<u8>) -> DispatchResult {
    signed(
        who,
        Call::Approve {
            name: name(n),
            account: account.map(acc),
        },
    )
}

fn set_operator(owner: u8, operator: u8, approved: bool) -> DispatchResult {
    signed(
        owner,
        Call::SetOperator {
            operator: acc(operator),
            approved,
        },
    )
}

fn set_primary(who: u8, n: Option<&str>) -> DispatchResult {
    signed(who, Call::SetPrimaryName { name: n.map(name) })
}

#[test]
fn the_owner_transfers_a_name() {
    new_test_ext().execute_with(|| {
        assert_eq!(register(1, "alice.ghost"), Ok(()));

        assert_eq!(transfer(1, "alice.ghost", 2), Ok(()));

        assert_eq!(info_of("alice.ghost").unwrap().owner, acc(2));
        assert!(!owns(1, "alice.ghost") && owns(2, "alice.ghost"));
        assert_eq!(
            Domains::resolve(&name("alice.ghost")).unwrap().owner,
            acc(2)
        );
        assert_eq!(
            last_event(),
            Some(Event::Transferred {
                name: name("alice.ghost"),
                from: acc(1),
                to: acc(2)
            })
        );
    });
}

#[test]
fn an_approved_account_transfers_and_the_approval_ends_with_it() {
    new_test_ext().execute_with(|| {
        assert_eq!(register(1, "alice.ghost"), Ok(()));
        assert_eq!(approve(1, "alice.ghost", Some(2)), Ok(()));
        assert_eq!(
            last_event(),
            Some(Event::Approved {
                name: name("alice.ghost"),
                approved: Some(acc(2))
            })
        );

        assert_eq!(transfer(2, "alice.ghost", 3), Ok(()));

        let info = info_of("alice.ghost").unwrap();
        assert_eq!((info.owner, info.approved), (acc(3), None));
        assert_noop(
            Origin::signed(acc(2)),
            Call::Transfer {
                name: name("alice.ghost"),
                new_owner: acc(2),
            },
            Error::NotOwner,
        );
    });
}

#[test]
fn an_operator_manages_every_name_of_its_owner() {
    new_test_ext().execute_with(|| {
        assert_eq!(register(1, "alice.ghost"), Ok(()));
        assert_eq!(register(1, "bobby.ghost"), Ok(()));

        assert_eq!(set_operator(1, 2, true), Ok(()));

        assert_eq!(
            last_event(),
            Some(Event::OperatorSet {
                owner: acc(1),
                operator: acc(2),
                approved: true
            })
        );
        assert!(pallet::Operators::contains_key(&acc(1), &acc(2)));
        assert_eq!(transfer(2, "bobby.ghost", 3), Ok(()));
        let record = rec("@", "A=10.0.0.1");
        assert_eq!(
            signed(
                2,
                Call::SetRecord {
                    name: name("alice.ghost"),
                    record
                }
            ),
            Ok(())
        );
        assert_eq!(approve(2, "alice.ghost", Some(4)), Ok(()));
        assert_eq!(info_of("bobby.ghost").unwrap().owner, acc(3));
    });
}

#[test]
fn a_revoked_operator_manages_nothing() {
    new_test_ext().execute_with(|| {
        assert_eq!(register(1, "alice.ghost"), Ok(()));
        assert_eq!(set_operator(1, 2, true), Ok(()));

        assert_eq!(set_operator(1, 2, false), Ok(()));

        assert!(!pallet::Operators::contains_key(&acc(1), &acc(2)));
        assert_noop(
            Origin::signed(acc(2)),
            Call::Transfer {
                name: name("alice.ghost"),
                new_owner: acc(2),
            },
            Error::NotOwner,
        );
    });
}

#[test]
fn a_stranger_cannot_transfer_a_name() {
    new_test_ext().execute_with(|| {
        assert_eq!(register(1, "alice.ghost"), Ok(()));

        assert_noop(
            Origin::signed(acc(2)),
            Call::Transfer {
                name: name("alice.ghost"),
                new_owner: acc(2),
            },
            Error::NotOwner,
        );
    });
}

#[test]
fn an_unregistered_name_cannot_be_transferred() {
    new_test_ext().execute_with(|| {
        assert_noop(
            Origin::signed(acc(1)),
            Call::Transfer {
                name: name("alice.ghost"),
                new_owner: acc(2),
            },
            Error::NotRegistered,
        );
    });
}

#[test]
fn only_the_owner_or_an_operator_approves() {
    new_test_ext().execute_with(|| {
        assert_eq!(register(1, "alice.ghost"), Ok(()));
        assert_eq!(approve(1, "alice.ghost", Some(2)), Ok(()));
        let approve_call = |account: u8| Call::Approve {
            name: name("alice.ghost"),
            account: Some(acc(account)),
        };

        // The approved account cannot pass its approval on, nor can a stranger approve.
        assert_noop(Origin::signed(acc(2)), approve_call(3), Error::NotOwner);
        assert_noop(Origin::signed(acc(3)), approve_call(3), Error::NotOwner);
    });
}

#[test]
fn approving_nobody_revokes_the_approval() {
    new_test_ext().execute_with(|| {
        assert_eq!(register(1, "alice.ghost"), Ok(()));
        assert_eq!(approve(1, "alice.ghost", Some(2)), Ok(()));

        assert_eq!(approve(1, "alice.ghost", None), Ok(()));

        assert_eq!(info_of("alice.ghost").unwrap().approved, None);
        assert_eq!(
            last_event(),
            Some(Event::Approved {
                name: name("alice.ghost"),
                approved: None
            })
        );
        assert_noop(
            Origin::signed(acc(2)),
            Call::Transfer {
                name: name("alice.ghost"),
                new_owner: acc(2),
            },
            Error::NotOwner,
        );
    });
}

#[test]
fn the_owner_sets_an_active_name_as_primary() {
    new_test_ext().execute_with(|| {
        assert_eq!(register(1, "alice.ghost"), Ok(()));

        assert_eq!(set_primary(1, Some("alice.ghost")), Ok(()));

        assert_eq!(
            pallet::PrimaryNames::get(&acc(1)),
            Some(name("alice.ghost"))
        );
        assert_eq!(Domains::primary_name(&acc(1)), Some(name("alice.ghost")));
        assert_eq!(
            last_event(),
            Some(Event::PrimaryNameSet {
                who: acc(1),
                name: Some(name("alice.ghost"))
            })
        );
    });
}

#[test]
fn a_primary_name_must_be_owned_by_the_caller() {
    new_test_ext().execute_with(|| {
        assert_eq!(register(1, "alice.ghost"), Ok(()));
        // Even a manager of the name may not make it its primary name.
        assert_eq!(approve(1, "alice.ghost", Some(2)), Ok(()));

        assert_noop(
            Origin::signed(acc(2)),
            Call::SetPrimaryName {
                name: Some(name("alice.ghost")),
            },
            Error::NotResolvingToCaller,
        );
    });
}

#[test]
fn a_primary_name_must_be_registered_and_active() {
    new_test_ext().execute_with(|| {
        assert_eq!(register(1, "alice.ghost"), Ok(()));
        let call = |n: &str| Call::SetPrimaryName {
            name: Some(name(n)),
        };
        assert_noop(
            Origin::signed(acc(1)),
            call("nobody.ghost"),
            Error::NotRegistered,
        );

        next_block_at(expiry_of("alice.ghost"));
        assert_noop(
            Origin::signed(acc(1)),
            call("alice.ghost"),
            Error::NameExpired,
        );
    });
}

#[test]
fn the_primary_name_is_none_after_a_transfer() {
    new_test_ext().execute_with(|| {
        assert_eq!(register(1, "alice.ghost"), Ok(()));
        assert_eq!(set_primary(1, Some("alice.ghost")), Ok(()));

        assert_eq!(transfer(1, "alice.ghost", 2), Ok(()));

        assert_eq!(Domains::primary_name(&acc(1)), None);
        assert_eq!(
            Domains::primary_name(&acc(2)),
            None,
            "the new owner has not chosen it"
        );
    });
}

#[test]
fn the_primary_name_is_none_once_the_name_expires() {
    new_test_ext().execute_with(|| {
        assert_eq!(register(1, "alice.ghost"), Ok(()));
        assert_eq!(set_primary(1, Some("alice.ghost")), Ok(()));

        next_block_at(expiry_of("alice.ghost"));

        assert_eq!(Domains::primary_name(&acc(1)), None);
    });
}

#[test]
fn clearing_the_primary_name() {
    new_test_ext().execute_with(|| {
        assert_eq!(register(1, "alice.ghost"), Ok(()));
        assert_eq!(set_primary(1, Some("alice.ghost")), Ok(()));

        assert_eq!(set_primary(1, None), Ok(()));

        assert_eq!(pallet::PrimaryNames::get(&acc(1)), None);
        assert_eq!(
            last_event(),
            Some(Event::PrimaryNameSet {
                who: acc(1),
                name: None
            })
        );
    });
}

#[test]
fn a_manager_sets_and_clears_the_update_key() {
    new_test_ext().execute_with(|| {
        assert_eq!(register(1, "alice.ghost"), Ok(()));
        let set_key = |key: Option<u8>| Call::SetUpdateKey {
            name: name("alice.ghost"),
            key: key.map(acc),
        };

        assert_eq!(signed(1, set_key(Some(5))), Ok(()));
        assert_eq!(info_of("alice.ghost").unwrap().update_key, Some(acc(5)));
        assert_eq!(
            last_event(),
            Some(Event::UpdateKeySet {
                name: name("alice.ghost"),
                key: Some(acc(5))
            })
        );

        assert_eq!(signed(1, set_key(None)), Ok(()));
        assert_eq!(info_of("alice.ghost").unwrap().update_key, None);
    });
}

#[test]
fn a_stranger_cannot_set_the_update_key() {
    new_test_ext().execute_with(|| {
        assert_eq!(register(1, "alice.ghost"), Ok(()));

        assert_noop(
            Origin::signed(acc(2)),
            Call::SetUpdateKey {
                name: name("alice.ghost"),
                key: Some(acc(2)),
            },
            Error::NotOwner,
        );
    });
}
