//! Deposits (issue #11 item 4): subnames and commitments reserve a deposit from the signer,
//! sized from what they store, and return it when they go; unrevealed commitments are swept;
//! TTLs are capped; listings scan a bounded page.

use ghost_support::deposit::{DepositMeter, with_meter};

use super::*;
use crate::{Call, Error, RecordChange, YEAR_MS};

fn reserved(who: u8) -> Balance {
    Balances::reserved_balance(&acc(who))
}

fn set_subname(who: u8, parent: &str, label: &str, owner: u8) -> DispatchResult {
    signed(
        who,
        Call::SetSubnameOwner {
            parent: name(parent),
            label: label.into(),
            owner: acc(owner),
            lock: false,
        },
    )
}

fn subname_call(parent: &str, label: &str, owner: u8) -> Call {
    Call::SetSubnameOwner {
        parent: name(parent),
        label: label.into(),
        owner: acc(owner),
        lock: false,
    }
}

#[test]
fn a_subname_reserves_a_deposit_sized_from_its_bytes_from_the_signer() {
    new_test_ext().execute_with(|| {
        assert_eq!(register(1, "alice.ghost"), Ok(()));
        assert_eq!(reserved(1), 0);

        assert_eq!(set_subname(1, "alice.ghost", "www", 3), Ok(()));

        let info = info_of("www.alice.ghost").expect("created");
        let bytes = info.encoded_size() as u128 + 256;
        let expected = DEPOSIT_PER_BYTE * bytes + DEPOSIT_PER_ITEM * 4;
        assert_eq!(Domains::subname_deposit(&info), expected);
        // The signer (the parent's owner) pays, not the subname's new owner.
        assert_eq!(reserved(1), expected);
        assert_eq!(reserved(3), 0);
        assert_eq!(
            pallet::Deposits::get(&name("www.alice.ghost").namehash()),
            Some(crate::Deposit {
                payer: acc(1),
                amount: expected
            })
        );
        // A longer name stores more bytes and costs more.
        assert_eq!(
            set_subname(1, "alice.ghost", "a-much-longer-label", 3),
            Ok(())
        );
        assert!(reserved(1) > 2 * expected);
    });
}

#[test]
fn a_subname_whose_signer_cannot_pay_the_deposit_is_refused_unchanged() {
    new_test_ext().execute_with(|| {
        assert_eq!(register(4, "dave.ghost"), Ok(()));
        let keep = 1;
        let spare = free(&acc(4)) - keep;
        assert_eq!(Balances::transfer(&acc(4), &acc(5), spare), Ok(()));

        assert_noop(
            Origin::signed(acc(4)),
            subname_call("dave.ghost", "www", 3),
            Error::DepositNotCovered,
        );
    });
}

#[test]
fn the_subnames_deposit_comes_back_when_its_root_is_released() {
    new_test_ext().execute_with(|| {
        assert_eq!(register(1, "alice.ghost"), Ok(()));
        assert_eq!(set_subname(1, "alice.ghost", "www", 3), Ok(()));
        assert_eq!(set_subname(1, "alice.ghost", "api", 3), Ok(()));
        let before = free(&acc(1));
        let held = reserved(1);
        assert!(held > 0);

        let expires_at = expiry_of("alice.ghost");
        let mut events = sweep_at(expires_at + GRACE);
        events.extend(next_block_at(expires_at + GRACE + 2));

        assert_eq!(
            events
                .iter()
                .filter(|e| matches!(e, Event::SubnameRemoved { .. }))
                .count(),
            2
        );
        assert_eq!(reserved(1), 0);
        assert_eq!(free(&acc(1)), before + held);
        assert_eq!(pallet::Deposits::iter().count(), 0);
    });
}

#[test]
fn a_commitment_reserves_a_deposit_that_the_reveal_returns() {
    new_test_ext().execute_with(|| {
        let secret = Hash([7; 32]);
        let commitment =
            Domains::commitment_of(&name("alice.ghost"), &acc(1), &secret, YEAR_MS, &[]);
        assert_eq!(signed(1, Call::Commit { commitment }), Ok(()));
        let deposit = Domains::commitment_deposit();
        assert_eq!(
            deposit,
            DEPOSIT_PER_BYTE * (32 + 56 + 40 + 33) + DEPOSIT_PER_ITEM * 2
        );
        assert_eq!(reserved(1), deposit);
        assert_eq!(
            pallet::Commitments::get(&commitment),
            Some(crate::Commitment {
                made: START,
                depositor: acc(1),
                deposit
            })
        );

        next_block_at(START + 10_000);
        let register = Call::Register {
            name: name("alice.ghost"),
            owner: acc(1),
            duration_ms: YEAR_MS,
            secret,
            records: vec![],
        };
        assert_eq!(signed(1, register), Ok(()));

        assert_eq!(reserved(1), 0);
        assert_eq!(pallet::Commitments::get(&commitment), None);
        // Its sweep entry went with it: only the name's expiry is queued.
        assert_eq!(expiry_queue().len(), 1);
    });
}

#[test]
fn an_unrevealed_commitment_is_swept_at_the_maximum_age_and_its_deposit_returned() {
    new_test_ext().execute_with(|| {
        let commitment = Hash([9; 32]);
        let before = free(&acc(2));
        assert_eq!(signed(2, Call::Commit { commitment }), Ok(()));
        let deposit = Domains::commitment_deposit();
        assert_eq!(free(&acc(2)), before - deposit);
        let max_age = test_params().max_commitment_age_ms;

        // At the maximum age it can still be revealed: it stays.
        assert!(
            !sweep_at(START + max_age)
                .iter()
                .any(|e| matches!(e, Event::CommitmentDropped { .. }))
        );
        assert!(pallet::Commitments::contains_key(&commitment));

        // One ms later it is too old: swept, deposit back.
        let swept = sweep_at(START + max_age + 1);
        assert_eq!(
            swept,
            vec![Event::CommitmentDropped {
                commitment,
                depositor: acc(2),
                deposit
            }]
        );
        assert_eq!(pallet::Commitments::get(&commitment), None);
        assert_eq!(free(&acc(2)), before);
        assert_eq!(reserved(2), 0);
        assert!(expiry_queue().is_empty());
    });
}

#[test]
fn recommitting_a_stale_commitment_returns_the_old_deposit() {
    new_test_ext().execute_with(|| {
        let commitment = Hash([9; 32]);
        assert_eq!(signed(2, Call::Commit { commitment }), Ok(()));
        let max_age = test_params().max_commitment_age_ms;
        // Stale, but the sweep has not run yet: account 3 commits the same hash.
        next_block_at(START + max_age + 1);
        assert_eq!(signed(3, Call::Commit { commitment }), Ok(()));

        assert_eq!(reserved(2), 0);
        assert_eq!(reserved(3), Domains::commitment_deposit());
        // One sweep entry: the new commitment's.
        assert_eq!(expiry_queue().len(), 1);
    });
}

/// The committer chooses the commitment hash: one equal to a namehash, due exactly when that
/// name expires, must not replace the name's expiry entry in the queue.
#[test]
fn a_commitment_cannot_displace_a_names_expiry_entry() {
    new_test_ext().execute_with(|| {
        assert_eq!(register(1, "alice.ghost"), Ok(()));
        let expires_at = expiry_of("alice.ghost");
        let max_age = test_params().max_commitment_age_ms;
        next_block_at(expires_at - max_age - 1);
        let hostile = name("alice.ghost").namehash();
        assert_eq!(
            signed(
                2,
                Call::Commit {
                    commitment: hostile
                }
            ),
            Ok(())
        );

        let events = sweep_at(expires_at);

        assert!(events.contains(&Event::Expired {
            name: name("alice.ghost")
        }));
        assert!(events.contains(&Event::CommitmentDropped {
            commitment: hostile,
            depositor: acc(2),
            deposit: Domains::commitment_deposit()
        }));
    });
}

/// A contract acts for the transaction's signer: with the signer's meter installed (as the
/// contracts pallet does around its name host functions), the signer pays the deposit, not the
/// contract, and never past its `storage_deposit_limit`.
#[test]
fn under_a_contract_call_the_transactions_signer_pays_within_its_limit() {
    new_test_ext().execute_with(|| {
        // Account 1 stands in for a contract owning alice.ghost; account 2 signed the call.
        assert_eq!(register(1, "alice.ghost"), Ok(()));
        let sub = |label: &str| subname_call("alice.ghost", label, 3);

        let meter = DepositMeter::shared(acc(2), None);
        let result = with_meter(meter.clone(), || {
            Domains::dispatch(sub("www"), Origin::signed(acc(1)))
        });
        assert_eq!(result, Ok(()));
        let deposit = reserved(2);
        assert!(deposit > 0);
        assert_eq!(reserved(1), 0, "the contract pays nothing");
        assert_eq!(meter.borrow().charged(), deposit);
        assert_eq!(
            pallet::Deposits::get(&name("www.alice.ghost").namehash()).map(|d| d.payer),
            Some(acc(2))
        );

        // A limit below the deposit: refused, nothing written, nothing reserved.
        let tight = DepositMeter::shared(acc(2), Some(deposit / 2));
        let before = storage_snapshot();
        let refused = with_meter(tight.clone(), || {
            Domains::dispatch(sub("api"), Origin::signed(acc(1)))
        });
        assert_eq!(refused, Err(Error::DepositLimitExhausted.into()));
        assert!(tight.borrow().limit_hit());
        assert!(storage_snapshot() == before);
        // Without a meter the signed account itself pays.
        assert_eq!(set_subname(1, "alice.ghost", "api", 3), Ok(()));
        assert!(reserved(1) > 0);
    });
}

#[test]
fn record_ttls_are_capped_at_one_day() {
    new_test_ext().execute_with(|| {
        assert_eq!(register(1, "alice.ghost"), Ok(()));
        let set = |ttl: u32| Call::SetRecords {
            name: name("alice.ghost"),
            changes: vec![RecordChange::Upsert(rec_ttl("@", "A=10.0.0.1", ttl))],
        };
        assert_noop(
            Origin::signed(acc(1)),
            set(crate::MAX_RECORD_TTL + 1),
            Error::TtlTooLong,
        );
        assert_noop(
            Origin::signed(acc(1)),
            Call::SetRecords {
                name: name("alice.ghost"),
                changes: vec![RecordChange::ReplaceSet {
                    label: RecordLabel::parse("www").expect("label"),
                    rtype: ghost_primitives::RecordType::A,
                    ttl: u32::MAX,
                    values: vec![RecordData::parse_assignment("A=10.0.0.2").expect("A")],
                }],
            },
            Error::TtlTooLong,
        );
        assert_eq!(signed(1, set(crate::MAX_RECORD_TTL)), Ok(()));
        assert_eq!(records_of("alice.ghost").dns[0].ttl, 86_400);
    });
}

/// `list_by_owner` scans at most `limit` entries per page, live or not: an owner whose entries
/// are all dead (a released root's subnames, not yet swept) costs `limit` reads a page, and the
/// cursor still walks them all.
#[test]
fn list_by_owner_scans_a_bounded_page_even_when_nothing_is_live() {
    new_test_ext().execute_with(|| {
        assert_eq!(register(1, "alice.ghost"), Ok(()));
        for label in ["a", "b", "c", "d", "e"] {
            assert_eq!(set_subname(1, "alice.ghost", label, 3), Ok(()));
        }
        let page = Domains::list_by_owner(&acc(3), None, 2);
        assert_eq!(page.names.len(), 2);
        assert!(page.next.is_some());

        // Past grace, before the sweep: every entry of account 3 is dead.
        next_block_at(expiry_of("alice.ghost") + GRACE);
        let mut pages = 0;
        let mut cursor = None;
        loop {
            let page = Domains::list_by_owner(&acc(3), cursor, 2);
            assert!(page.names.is_empty());
            pages += 1;
            match page.next {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        // 5 entries, 2 per page: three pages, the last one short.
        assert_eq!(pages, 3);
        // A huge limit is capped.
        assert!(
            Domains::list_by_owner(&acc(3), None, usize::MAX)
                .names
                .is_empty()
        );
    });
}

/// The byte counts deposits are sized from are the encodings' sizes: a change of `Deposit` or
/// `Commitment` that grows them fails here instead of under-charging.
#[test]
fn deposit_sizes_follow_the_encodings() {
    use parity_scale_codec::MaxEncodedLen;
    assert_eq!(
        crate::Deposit::max_encoded_len() as u64,
        crate::calls::DEPOSIT_BYTES
    );
    assert_eq!(
        crate::Commitment::max_encoded_len() as u64,
        crate::calls::COMMITMENT_RECORD_BYTES
    );
    let action = crate::ExpiryAction::DropCommitment {
        commitment: Hash([0; 32]),
    };
    assert_eq!(action.encoded_size(), 33);
}

/// Sets `n`'s records to A records `10.0.0.1..=count` at the apex, signed by `who`.
fn set_a_records(who: u8, n: &str, count: u8) -> DispatchResult {
    signed(who, a_records_call(n, count))
}

fn a_records_call(n: &str, count: u8) -> Call {
    Call::SetRecords {
        name: name(n),
        changes: vec![RecordChange::ReplaceSet {
            label: RecordLabel::parse("@").expect("apex"),
            rtype: ghost_primitives::RecordType::A,
            ttl: 300,
            values: (1..=count)
                .map(|i| RecordData::parse_assignment(&format!("A=10.0.0.{i}")).expect("A"))
                .collect(),
        }],
    }
}

fn records_deposit_of(n: &str) -> Option<crate::Deposit> {
    pallet::RecordDeposits::get(&name(n).namehash())
}

/// A subname is free to create records under once it exists, so its records take a deposit of
/// their own, sized from their encoding: it grows and shrinks with them and is gone with them.
#[test]
fn a_subnames_records_hold_a_deposit_that_grows_and_shrinks_with_them() {
    new_test_ext().execute_with(|| {
        assert_eq!(register(1, "alice.ghost"), Ok(()));
        assert_eq!(set_subname(1, "alice.ghost", "www", 3), Ok(()));
        assert_eq!(reserved(3), 0);

        assert_eq!(set_a_records(3, "www.alice.ghost", 1), Ok(()));
        let one = Domains::records_deposit(&records_of("www.alice.ghost"));
        let bytes = records_of("www.alice.ghost").encoded_size() as u128 + 112;
        assert_eq!(one, DEPOSIT_PER_BYTE * bytes + DEPOSIT_PER_ITEM * 2);
        assert_eq!(reserved(3), one);
        assert_eq!(
            records_deposit_of("www.alice.ghost"),
            Some(crate::Deposit {
                payer: acc(3),
                amount: one
            })
        );

        // Eight records store more: the deposit grows by the difference.
        let free_before = free(&acc(3));
        assert_eq!(set_a_records(3, "www.alice.ghost", 8), Ok(()));
        let eight = Domains::records_deposit(&records_of("www.alice.ghost"));
        assert!(eight > one);
        assert_eq!(reserved(3), eight);
        assert_eq!(free(&acc(3)), free_before - (eight - one));

        // Back to two: the difference comes back.
        assert_eq!(set_a_records(3, "www.alice.ghost", 2), Ok(()));
        let two = Domains::records_deposit(&records_of("www.alice.ghost"));
        assert!(one < two && two < eight);
        assert_eq!(reserved(3), two);

        // Cleared: all of it, and the entry is gone.
        assert_eq!(
            signed(
                3,
                Call::ClearRecords {
                    name: name("www.alice.ghost")
                }
            ),
            Ok(())
        );
        assert_eq!(reserved(3), 0);
        // Everything back, the first record's deposit (held when `free_before` was read) too.
        assert_eq!(free(&acc(3)), free_before + one);
        assert_eq!(records_deposit_of("www.alice.ghost"), None);
    });
}

#[test]
fn a_second_level_names_records_take_no_deposit() {
    new_test_ext().execute_with(|| {
        assert_eq!(register(1, "alice.ghost"), Ok(()));
        assert_eq!(set_a_records(1, "alice.ghost", 8), Ok(()));
        assert_eq!(records_of("alice.ghost").dns.len(), 8);
        assert_eq!(reserved(1), 0);
        assert_eq!(pallet::RecordDeposits::iter().count(), 0);
    });
}

#[test]
fn a_subnames_records_whose_signer_cannot_pay_the_deposit_are_refused_unchanged() {
    new_test_ext().execute_with(|| {
        assert_eq!(register(1, "alice.ghost"), Ok(()));
        assert_eq!(set_subname(1, "alice.ghost", "www", 3), Ok(()));
        assert_eq!(set_a_records(3, "www.alice.ghost", 1), Ok(()));
        let spare = free(&acc(3)) - 1;
        assert_eq!(Balances::transfer(&acc(3), &acc(5), spare), Ok(()));

        // Growing needs more than the signer has: nothing changes, the old records stay.
        assert_noop(
            Origin::signed(acc(3)),
            a_records_call("www.alice.ghost", 8),
            Error::DepositNotCovered,
        );
        assert_eq!(records_of("www.alice.ghost").dns.len(), 1);
    });
}

/// Each deposit has one payer: a manager who sets records paid for by someone else takes the
/// whole deposit over, and the first payer gets all of its own back.
#[test]
fn a_new_signer_takes_the_records_deposit_over_and_the_first_payer_is_repaid() {
    new_test_ext().execute_with(|| {
        assert_eq!(register(1, "alice.ghost"), Ok(()));
        assert_eq!(set_subname(1, "alice.ghost", "www", 3), Ok(()));
        assert_eq!(set_a_records(3, "www.alice.ghost", 4), Ok(()));
        let held = reserved(3);
        assert!(held > 0);
        let free_3 = free(&acc(3));
        assert_eq!(
            signed(
                3,
                Call::Approve {
                    name: name("www.alice.ghost"),
                    account: Some(acc(2)),
                }
            ),
            Ok(())
        );

        assert_eq!(set_a_records(2, "www.alice.ghost", 5), Ok(()));

        let five = Domains::records_deposit(&records_of("www.alice.ghost"));
        assert_eq!(reserved(2), five);
        assert_eq!(reserved(3), 0);
        assert_eq!(free(&acc(3)), free_3 + held);
        assert_eq!(
            records_deposit_of("www.alice.ghost").map(|d| d.payer),
            Some(acc(2))
        );
    });
}

#[test]
fn the_records_deposit_comes_back_when_the_subname_goes() {
    new_test_ext().execute_with(|| {
        assert_eq!(register(1, "alice.ghost"), Ok(()));
        assert_eq!(set_subname(1, "alice.ghost", "www", 3), Ok(()));
        assert_eq!(set_a_records(3, "www.alice.ghost", 4), Ok(()));
        let free_3 = free(&acc(3));
        let held = reserved(3);
        assert!(held > 0);

        let expires_at = expiry_of("alice.ghost");
        sweep_at(expires_at + GRACE);
        next_block_at(expires_at + GRACE + 2);

        assert_eq!(info_of("www.alice.ghost"), None);
        assert_eq!(reserved(3), 0);
        assert_eq!(free(&acc(3)), free_3 + held);
        assert_eq!(pallet::RecordDeposits::iter().count(), 0);
    });
}

/// Under a contract call the transaction's signer pays the records deposit within its limit,
/// as it pays the subname's own (the contract pays nothing).
#[test]
fn under_a_contract_call_the_signer_pays_the_records_deposit_within_its_limit() {
    new_test_ext().execute_with(|| {
        // Account 1 stands in for a contract owning www.alice.ghost; account 2 signed the call.
        assert_eq!(register(1, "alice.ghost"), Ok(()));
        assert_eq!(set_subname(1, "alice.ghost", "www", 1), Ok(()));
        let subname_deposit = reserved(1);

        let tight = DepositMeter::shared(acc(2), Some(1));
        let before = storage_snapshot();
        let refused = with_meter(tight, || {
            Domains::dispatch(a_records_call("www.alice.ghost", 2), Origin::signed(acc(1)))
        });
        assert_eq!(refused, Err(Error::DepositLimitExhausted.into()));
        assert!(storage_snapshot() == before);

        let meter = DepositMeter::shared(acc(2), None);
        let result = with_meter(meter.clone(), || {
            Domains::dispatch(a_records_call("www.alice.ghost", 2), Origin::signed(acc(1)))
        });
        assert_eq!(result, Ok(()));
        let deposit = Domains::records_deposit(&records_of("www.alice.ghost"));
        assert_eq!(reserved(2), deposit);
        assert_eq!(meter.borrow().charged(), deposit);
        assert_eq!(
            reserved(1),
            subname_deposit,
            "the contract pays nothing more"
        );
    });
}

/// A relayed signed update is paid for by the key that signed it, not by the relayer: the
/// signer decided what the name stores.
#[test]
fn a_signed_update_of_a_subname_charges_its_signer_not_the_relayer() {
    use ghost_primitives::{Bytes, Pair, Signature};
    new_test_ext().execute_with(|| {
        let owner = Pair::dev("Alice");
        assert_eq!(register(1, "alice.ghost"), Ok(()));
        assert_eq!(
            signed(
                1,
                Call::SetSubnameOwner {
                    parent: name("alice.ghost"),
                    label: "www".into(),
                    owner: owner.public(),
                    lock: false,
                }
            ),
            Ok(())
        );
        assert_eq!(
            Balances::transfer(&acc(1), &owner.public(), free(&acc(1)) / 10),
            Ok(())
        );
        let info = info_of("www.alice.ghost").expect("created");
        let mut update = crate::SignedRecordUpdate {
            domain: name("www.alice.ghost"),
            contract_id: Bytes(b"contract-1".to_vec()),
            records: vec![rec("@", "A=10.0.0.1"), rec("@", "A=10.0.0.2")],
            owner_address: owner.public(),
            timestamp: Domains::now() + 1,
            sequence: info.update_sequence,
            signature: Signature::default(),
        };
        update.signature = owner.sign(&update.signing_payload(&Domains::genesis_hash()));
        let relayer_reserved = reserved(4);

        assert_eq!(signed(4, Call::SetRecordsSigned { update }), Ok(()));

        let deposit = Domains::records_deposit(&records_of("www.alice.ghost"));
        assert!(deposit > 0);
        assert_eq!(Balances::reserved_balance(&owner.public()), deposit);
        assert_eq!(reserved(4), relayer_reserved);
    });
}
