//! Subnames: creation, reassignment, locking, inherited expiry, and their death with the
//! registration of their root.

use super::*;
use crate::{Call, Error, RecordChange, YEAR_MS};

fn subname_call(parent: &str, label: &str, owner: u8, lock: bool) -> Call {
    Call::SetSubnameOwner {
        parent: name(parent),
        label: label.into(),
        owner: acc(owner),
        lock,
    }
}

fn set_subname(who: u8, parent: &str, label: &str, owner: u8, lock: bool) -> DispatchResult {
    signed(who, subname_call(parent, label, owner, lock))
}

/// Registers `alice.ghost` for account 1 and gives `www.alice.ghost` to account 3.
fn alice_with_www() {
    assert_eq!(register(1, "alice.ghost"), Ok(()));
    assert_eq!(set_subname(1, "alice.ghost", "www", 3, false), Ok(()));
}

#[test]
fn the_parent_owner_creates_a_subname() {
    new_test_ext().execute_with(|| {
        assert_eq!(register(1, "alice.ghost"), Ok(()));

        assert_eq!(set_subname(1, "alice.ghost", "www", 3, false), Ok(()));

        assert_eq!(
            last_event(),
            Some(Event::SubnameCreated {
                name: name("www.alice.ghost"),
                parent: name("alice.ghost"),
                owner: acc(3)
            })
        );
        let parent = name("alice.ghost").namehash();
        let info = info_of("www.alice.ghost").unwrap();
        assert_eq!(
            (info.owner, info.parent, info.parent_controlled),
            (acc(3), Some(parent), true)
        );
        assert!(owns(3, "www.alice.ghost"));
        assert!(pallet::Subnames::contains_key(
            &parent,
            &name("www.alice.ghost").namehash()
        ));
        let resolution = Domains::resolve(&name("www.alice.ghost")).unwrap();
        assert_eq!(resolution.parent, Some(name("alice.ghost")));
        assert_eq!(resolution.status, NameStatus::Active);
    });
}

#[test]
fn the_parent_owner_reassigns_an_unlocked_subname() {
    new_test_ext().execute_with(|| {
        alice_with_www();

        assert_eq!(set_subname(1, "alice.ghost", "www", 4, false), Ok(()));

        assert_eq!(info_of("www.alice.ghost").unwrap().owner, acc(4));
        assert!(!owns(3, "www.alice.ghost") && owns(4, "www.alice.ghost"));
        assert_eq!(
            last_event(),
            Some(Event::Transferred {
                name: name("www.alice.ghost"),
                from: acc(3),
                to: acc(4)
            })
        );
    });
}

#[test]
fn a_subname_created_locked_cannot_be_taken_back() {
    new_test_ext().execute_with(|| {
        assert_eq!(register(1, "alice.ghost"), Ok(()));
        assert_eq!(set_subname(1, "alice.ghost", "www", 3, true), Ok(()));

        assert_noop(
            Origin::signed(acc(1)),
            subname_call("alice.ghost", "www", 4, false),
            Error::SubnameLocked,
        );
    });
}

#[test]
fn locking_an_existing_subname_ends_the_parents_control() {
    new_test_ext().execute_with(|| {
        alice_with_www();

        assert_eq!(set_subname(1, "alice.ghost", "www", 3, true), Ok(()));

        assert!(!info_of("www.alice.ghost").unwrap().parent_controlled);
        assert_noop(
            Origin::signed(acc(1)),
            subname_call("alice.ghost", "www", 1, false),
            Error::SubnameLocked,
        );
    });
}

#[test]
fn only_a_manager_of_the_parent_sets_its_subnames() {
    new_test_ext().execute_with(|| {
        alice_with_www();

        // Neither a stranger nor the owner of a sibling subname.
        assert_noop(
            Origin::signed(acc(2)),
            subname_call("alice.ghost", "mail", 2, false),
            Error::NotOwner,
        );
        assert_noop(
            Origin::signed(acc(3)),
            subname_call("alice.ghost", "mail", 3, false),
            Error::NotOwner,
        );
        // An operator of the parent's owner may.
        assert_eq!(
            signed(
                1,
                Call::SetOperator {
                    operator: acc(2),
                    approved: true
                }
            ),
            Ok(())
        );
        assert_eq!(set_subname(2, "alice.ghost", "mail", 2, false), Ok(()));
    });
}

#[test]
fn an_invalid_subname_label_is_refused() {
    new_test_ext().execute_with(|| {
        assert_eq!(register(1, "alice.ghost"), Ok(()));
        let too_long = "a".repeat(64);

        for label in ["", "Www", "a.b", "-www", "www-", "w_w", too_long.as_str()] {
            assert_noop(
                Origin::signed(acc(1)),
                subname_call("alice.ghost", label, 3, false),
                Error::InvalidRecord,
            );
        }
    });
}

#[test]
fn subnames_of_an_unregistered_parent_are_refused() {
    new_test_ext().execute_with(|| {
        assert_noop(
            Origin::signed(acc(1)),
            subname_call("nobody.ghost", "www", 1, false),
            Error::NotRegistered,
        );
    });
}

#[test]
fn the_subname_owner_manages_its_records_and_the_parent_owner_does_not() {
    new_test_ext().execute_with(|| {
        alice_with_www();
        let record = |a: &str| Call::SetRecord {
            name: name("www.alice.ghost"),
            record: rec("@", a),
        };

        assert_eq!(signed(3, record("A=10.0.0.3")), Ok(()));

        assert_eq!(
            records_of("www.alice.ghost").dns,
            vec![rec("@", "A=10.0.0.3")]
        );
        assert_noop(
            Origin::signed(acc(1)),
            record("A=10.0.0.1"),
            Error::NotOwner,
        );
    });
}

#[test]
fn subnames_inherit_the_expiry_of_their_root() {
    new_test_ext().execute_with(|| {
        alice_with_www();
        assert_eq!(set_subname(3, "www.alice.ghost", "api", 4, false), Ok(()));
        let expires_at = expiry_of("alice.ghost");
        assert_eq!(expiry_of("www.alice.ghost"), expires_at);
        assert_eq!(expiry_of("api.www.alice.ghost"), expires_at);

        assert_eq!(
            signed(
                2,
                Call::Renew {
                    name: name("alice.ghost"),
                    duration_ms: YEAR_MS
                }
            ),
            Ok(())
        );
        assert_eq!(expiry_of("api.www.alice.ghost"), expires_at + YEAR_MS);

        next_block_at(expires_at + YEAR_MS);
        assert_eq!(status_of("www.alice.ghost"), NameStatus::Grace);
        assert_eq!(status_of("api.www.alice.ghost"), NameStatus::Grace);
        assert_noop(
            Origin::signed(acc(3)),
            Call::SetRecords {
                name: name("www.alice.ghost"),
                changes: vec![],
            },
            Error::NameExpired,
        );
    });
}

#[test]
fn subnames_of_an_earlier_registration_die_when_the_root_is_registered_anew() {
    new_test_ext_with(no_commitment_params()).execute_with(|| {
        alice_with_www();
        let record = RecordChange::Upsert(rec("@", "A=10.0.0.3"));
        assert_eq!(
            signed(
                3,
                Call::SetRecords {
                    name: name("www.alice.ghost"),
                    changes: vec![record]
                }
            ),
            Ok(())
        );
        // Past grace, before any sweep: account 2 takes the name.
        next_block_at(expiry_of("alice.ghost") + GRACE);

        assert_eq!(register_now(2, "alice.ghost"), Ok(()));

        // Dead at once ...
        assert_eq!(Domains::resolve(&name("www.alice.ghost")), None);
        assert_eq!(Domains::list_by_owner(&acc(3), None, 10).names, vec![]);
        assert_noop(
            Origin::signed(acc(3)),
            Call::Transfer {
                name: name("www.alice.ghost"),
                new_owner: acc(4),
            },
            Error::NotRegistered,
        );
        // ... and removed, with its records, by the next sweep.
        assert_eq!(
            next_block_at(System::now() + 1),
            vec![Event::SubnameRemoved {
                name: name("www.alice.ghost")
            }]
        );
        assert_eq!(info_of("www.alice.ghost"), None);
        assert_eq!(
            pallet::Records::get(&name("www.alice.ghost").namehash()),
            None
        );
        assert!(!owns(3, "www.alice.ghost"));
        assert_eq!(
            pallet::Subnames::iter_prefix(&name("alice.ghost").namehash()).count(),
            0
        );
    });
}

#[test]
fn the_sweep_removes_the_subnames_of_a_released_root_level_by_level() {
    new_test_ext().execute_with(|| {
        alice_with_www();
        assert_eq!(set_subname(3, "www.alice.ghost", "api", 4, false), Ok(()));
        assert_eq!(set_subname(1, "alice.ghost", "mail", 5, false), Ok(()));
        let expires_at = expiry_of("alice.ghost");
        sweep_at(expires_at);

        let mut events = sweep_at(expires_at + GRACE);
        for at in 1..=3 {
            events.extend(next_block_at(expires_at + GRACE + 1 + at));
        }

        assert_eq!(
            events[0],
            Event::Released {
                name: name("alice.ghost")
            }
        );
        let mut removed: Vec<String> = events[1..]
            .iter()
            .map(|event| match event {
                Event::SubnameRemoved { name } => name.to_string(),
                other => panic!("unexpected {other:?}"),
            })
            .collect();
        removed.sort();
        assert_eq!(
            removed,
            ["api.www.alice.ghost", "mail.alice.ghost", "www.alice.ghost"]
        );
        for (who, n) in [
            (3, "www.alice.ghost"),
            (4, "api.www.alice.ghost"),
            (5, "mail.alice.ghost"),
        ] {
            assert_eq!(info_of(n), None);
            assert!(!owns(who, n));
        }
        assert_eq!(expiry_queue(), vec![]);
    });
}

#[test]
fn the_new_owner_recreates_a_subname_of_the_earlier_registration() {
    new_test_ext_with(no_commitment_params()).execute_with(|| {
        alice_with_www();
        next_block_at(expiry_of("alice.ghost") + GRACE);
        assert_eq!(register_now(2, "alice.ghost"), Ok(()));

        assert_eq!(set_subname(2, "alice.ghost", "www", 4, false), Ok(()));

        assert_eq!(
            Domains::resolve(&name("www.alice.ghost")).unwrap().owner,
            acc(4)
        );
        assert!(!owns(3, "www.alice.ghost") && owns(4, "www.alice.ghost"));
        assert_eq!(
            info_of("www.alice.ghost").unwrap().registration,
            info_of("alice.ghost").unwrap().registration
        );
    });
}

#[test]
fn a_subname_recreated_before_the_purge_survives_it() {
    new_test_ext_with(no_commitment_params()).execute_with(|| {
        alice_with_www();
        next_block_at(expiry_of("alice.ghost") + GRACE);
        assert_eq!(register_now(2, "alice.ghost"), Ok(()));
        assert_eq!(set_subname(2, "alice.ghost", "www", 4, false), Ok(()));

        // The purge of the earlier registration's subnames runs at the end of this block.
        let swept = next_block_at(System::now() + 1);

        assert_eq!(swept, vec![]);
        assert_eq!(
            Domains::resolve(&name("www.alice.ghost")).map(|r| r.owner),
            Some(acc(4))
        );
    });
}

/// Four roots registered together, each with one subname, released in the same block: each
/// release costs one unit of the sweep's budget and each subname visited one more.
fn four_parents_released_together(budget: u32) -> (Vec<Event>, Vec<Event>) {
    let params = crate::DomainParams {
        max_expiries_per_block: budget,
        ..no_commitment_params()
    };
    let mut swept = (vec![], vec![]);
    new_test_ext_with(params).execute_with(|| {
        for (who, root) in [
            (1, "alpha.ghost"),
            (2, "bravo.ghost"),
            (3, "charlie.ghost"),
            (4, "delta.ghost"),
        ] {
            assert_eq!(register_now(who, root), Ok(()));
            assert_eq!(set_subname(who, root, "www", 5, true), Ok(()));
        }
        let expires_at = expiry_of("alpha.ghost");
        sweep_at(expires_at);

        swept.0 = sweep_at(expires_at + GRACE);
        swept.1 = next_block_at(System::now() + 1);
    });
    swept
}

fn removed_subnames(events: &[Event]) -> usize {
    events
        .iter()
        .filter(|e| matches!(e, Event::SubnameRemoved { .. }))
        .count()
}

fn released(events: &[Event]) -> usize {
    events
        .iter()
        .filter(|e| matches!(e, Event::Released { .. }))
        .count()
}

#[test]
fn a_purge_of_one_subname_costs_one_unit_of_the_sweep_budget() {
    // 4 releases + 4 subnames = 8 units: a budget of 8 does it all in one block.
    let (first, second) = four_parents_released_together(8);
    assert_eq!(
        (released(&first), removed_subnames(&first)),
        (4, 4),
        "{first:?}"
    );
    assert_eq!(second, vec![]);
}

#[test]
fn what_exceeds_the_sweep_budget_waits_for_the_next_block() {
    // One unit short: the last subname waits one block, nothing is lost.
    let (first, second) = four_parents_released_together(7);
    assert_eq!(
        (released(&first), removed_subnames(&first)),
        (4, 3),
        "{first:?}"
    );
    assert_eq!(
        (released(&second), removed_subnames(&second)),
        (0, 1),
        "{second:?}"
    );
}

/// `www.alice.ghost` is locked away to account 3: alice's owner may not answer for it, nor for
/// anything under it, by putting records at `www` (directly, nor by a signed update).
#[test]
fn the_parent_cannot_put_records_at_a_label_that_is_a_subname() {
    new_test_ext().execute_with(|| {
        assert_eq!(register(1, "alice.ghost"), Ok(()));
        assert_eq!(set_subname(1, "alice.ghost", "www", 3, true), Ok(()));
        let set = |label: &str| Call::SetRecords {
            name: name("alice.ghost"),
            changes: vec![RecordChange::Upsert(rec(label, "CNAME=evil.example"))],
        };

        assert_noop(Origin::signed(acc(1)), set("www"), Error::LabelIsSubname);
        assert_noop(
            Origin::signed(acc(1)),
            set("api.www"),
            Error::LabelIsSubname,
        );
        let replace = Call::SetRecords {
            name: name("alice.ghost"),
            changes: vec![RecordChange::ReplaceSet {
                label: RecordLabel::parse("WWW").unwrap(),
                rtype: ghost_primitives::RecordType::A,
                ttl: 60,
                values: vec![RecordData::A([6, 6, 6, 6])],
            }],
        };
        assert_noop(Origin::signed(acc(1)), replace, Error::LabelIsSubname);
        // Other labels, and the subname's own records, are fine.
        assert_eq!(signed(1, set("mail")), Ok(()));
        let own = Call::SetRecords {
            name: name("www.alice.ghost"),
            changes: vec![RecordChange::Upsert(rec("@", "A=10.0.0.3"))],
        };
        assert_eq!(signed(3, own), Ok(()));
    });
}

#[test]
fn a_subname_cannot_be_created_over_the_parents_records_at_its_label() {
    new_test_ext().execute_with(|| {
        assert_eq!(register(1, "alice.ghost"), Ok(()));
        let set = Call::SetRecords {
            name: name("alice.ghost"),
            changes: vec![
                RecordChange::Upsert(rec("api.www", "A=10.0.0.1")),
                RecordChange::Upsert(rec("@", "A=10.0.0.2")),
            ],
        };
        assert_eq!(signed(1, set), Ok(()));

        assert_noop(
            Origin::signed(acc(1)),
            subname_call("alice.ghost", "www", 3, true),
            Error::LabelHasRecords,
        );

        let clear = Call::SetRecords {
            name: name("alice.ghost"),
            changes: vec![RecordChange::Remove(rec("api.www", "A=10.0.0.1"))],
        };
        assert_eq!(signed(1, clear), Ok(()));
        assert_eq!(set_subname(1, "alice.ghost", "www", 3, true), Ok(()));
    });
}
