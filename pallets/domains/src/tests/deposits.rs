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
