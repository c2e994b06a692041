//! `register_ens_domain`, deposits, `cancel_request` and expiry.

use ghost_support::prelude::*;
use ghost_support::traits::Currency;

use super::*;
use crate::{Call, Error, Event, Pending};

#[test]
fn a_signed_request_reserves_the_deposit_and_waits() {
    new_test_ext().execute_with(|| {
        let key = eth_key(&ALICE_ETH_SECRET);
        assert_eq!(request(1, &key, "alice.eth", "alice.ghost"), Ok(()));
        let pending = Bridge::pending(&ens("alice.eth")).expect("pending");
        assert_eq!(pending.ghost_account, acc(1));
        assert_eq!(pending.eth_address, key.address());
        assert_eq!(pending.expires_at, 1 + LIFETIME);
        assert_eq!(Balances::reserved_balance(&acc(1)), DEPOSIT);
        assert_eq!(
            bridge_events().last(),
            Some(&Event::LinkRequested {
                ens_name: ens("alice.eth"),
                ghost_name: ghost("alice.ghost"),
                ghost_account: acc(1),
                eth_address: key.address(),
                expires_at: 1 + LIFETIME,
            })
        );
        assert_eq!(Bridge::all_pending(10), vec![pending]);
    });
}

#[test]
fn a_forged_or_foreign_signature_is_refused() {
    new_test_ext().execute_with(|| {
        let alice = eth_key(&ALICE_ETH_SECRET);
        let bob = eth_key(&BOB_ETH_SECRET);
        // Bob signs but claims Alice's address.
        let call = Call::RegisterEnsDomain {
            ens_name: ens("alice.eth"),
            ghost_name: ghost("alice.ghost"),
            eth_address: alice.address(),
            eth_signature: sign_link(&bob, "alice.eth", "alice.ghost", 1),
        };
        assert_noop(Origin::signed(acc(1)), call, Error::SignerMismatch);
        // Alice signed for account 1; account 2 sends it.
        let call = Call::RegisterEnsDomain {
            ens_name: ens("alice.eth"),
            ghost_name: ghost("alice.ghost"),
            eth_address: alice.address(),
            eth_signature: sign_link(&alice, "alice.eth", "alice.ghost", 1),
        };
        assert_noop(Origin::signed(acc(2)), call, Error::SignerMismatch);
        // Garbage.
        let call = Call::RegisterEnsDomain {
            ens_name: ens("alice.eth"),
            ghost_name: ghost("alice.ghost"),
            eth_address: alice.address(),
            eth_signature: EthSignature([0xff; 65]),
        };
        assert_noop(Origin::signed(acc(1)), call, Error::BadSignature);
    });
}

#[test]
fn a_second_live_request_for_a_name_is_refused() {
    new_test_ext().execute_with(|| {
        let key = eth_key(&ALICE_ETH_SECRET);
        assert_eq!(request(1, &key, "alice.eth", "alice.ghost"), Ok(()));
        let call = Call::RegisterEnsDomain {
            ens_name: ens("alice.eth"),
            ghost_name: ghost("other.ghost"),
            eth_address: key.address(),
            eth_signature: sign_link(&key, "alice.eth", "other.ghost", 2),
        };
        assert_noop(Origin::signed(acc(2)), call, Error::RequestPending);
    });
}

#[test]
fn a_ghost_name_owned_by_someone_else_is_refused() {
    new_test_ext().execute_with(|| {
        assert_eq!(
            Domains::dispatch(
                pallet_domains::Call::Register {
                    name: ghost("alice.ghost"),
                    owner: acc(2),
                    duration_ms: pallet_domains::YEAR_MS,
                    secret: Hash::ZERO,
                    records: vec![],
                },
                Origin::signed(acc(2)),
            ),
            Ok(())
        );
        let key = eth_key(&ALICE_ETH_SECRET);
        let call = Call::RegisterEnsDomain {
            ens_name: ens("alice.eth"),
            ghost_name: ghost("alice.ghost"),
            eth_address: key.address(),
            eth_signature: sign_link(&key, "alice.eth", "alice.ghost", 1),
        };
        assert_noop(Origin::signed(acc(1)), call, Error::GhostNameTaken);
    });
}

#[test]
fn a_request_without_the_deposit_is_refused() {
    new_test_ext().execute_with(|| {
        let key = eth_key(&ALICE_ETH_SECRET);
        let poor = AccountId([42; 32]);
        let message = Bridge::message_for(&ens("alice.eth"), &ghost("alice.ghost"), &poor).unwrap();
        let call = Call::RegisterEnsDomain {
            ens_name: ens("alice.eth"),
            ghost_name: ghost("alice.ghost"),
            eth_address: key.address(),
            eth_signature: key.sign_personal(message.as_bytes()),
        };
        assert!(Bridge::dispatch(call, Origin::signed(poor)).is_err());
        assert!(Bridge::pending(&ens("alice.eth")).is_none());
    });
}

#[test]
fn the_requester_can_cancel_and_gets_the_deposit_back() {
    new_test_ext().execute_with(|| {
        let key = eth_key(&ALICE_ETH_SECRET);
        let free = Balances::free_balance(&acc(1));
        assert_eq!(request(1, &key, "alice.eth", "alice.ghost"), Ok(()));
        assert_noop(
            Origin::signed(acc(2)),
            Call::CancelRequest {
                ens_name: ens("alice.eth"),
            },
            Error::NotRequester,
        );
        assert_eq!(
            Bridge::dispatch(
                Call::CancelRequest {
                    ens_name: ens("alice.eth")
                },
                Origin::signed(acc(1))
            ),
            Ok(())
        );
        assert_eq!(Balances::free_balance(&acc(1)), free);
        assert_eq!(Balances::reserved_balance(&acc(1)), 0);
        assert!(!Pending::contains_key(&ens("alice.eth").namehash()));
        assert_noop(
            Origin::signed(acc(1)),
            Call::CancelRequest {
                ens_name: ens("alice.eth"),
            },
            Error::NoSuchRequest,
        );
    });
}

#[test]
fn an_expired_request_takes_no_attestations_and_anyone_may_remove_it() {
    new_test_ext().execute_with(|| {
        let key = eth_key(&ALICE_ETH_SECRET);
        assert_eq!(request(1, &key, "alice.eth", "alice.ghost"), Ok(()));
        run_to_block(1 + LIFETIME);
        assert_noop(
            Origin::signed(acc(2)),
            Call::CancelRequest {
                ens_name: ens("alice.eth"),
            },
            Error::NotRequester,
        );
        run_to_block(2 + LIFETIME);
        let [o1, _, _] = oracles();
        assert_noop(
            Origin::signed(o1),
            attestation("alice.eth", 10, key.address(), EnsRecords::default()),
            Error::NotTracked,
        );
        assert_eq!(
            Bridge::dispatch(
                Call::CancelRequest {
                    ens_name: ens("alice.eth")
                },
                Origin::signed(acc(2))
            ),
            Ok(())
        );
        assert_eq!(Balances::reserved_balance(&acc(1)), 0, "deposit returned");
        assert_eq!(
            bridge_events().last(),
            Some(&Event::RequestCancelled {
                ens_name: ens("alice.eth"),
                ghost_account: acc(1),
                expired: true,
            })
        );
    });
}

#[test]
fn a_new_request_replaces_an_expired_one_and_returns_its_deposit() {
    new_test_ext().execute_with(|| {
        let key = eth_key(&ALICE_ETH_SECRET);
        assert_eq!(request(1, &key, "alice.eth", "alice.ghost"), Ok(()));
        run_to_block(2 + LIFETIME);
        assert_eq!(request(2, &key, "alice.eth", "other.ghost"), Ok(()));
        assert_eq!(Balances::reserved_balance(&acc(1)), 0);
        assert_eq!(Balances::reserved_balance(&acc(2)), DEPOSIT);
        assert_eq!(
            Bridge::pending(&ens("alice.eth")).map(|p| p.ghost_account),
            Some(acc(2))
        );
    });
}
