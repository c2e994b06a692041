//! Tests of the validators pallet.

use ghost_primitives::{DigestItem, GrandpaLog, ScheduledChange};
use ghost_support::prelude::*;
use ghost_support::testing::TestExternalities;

use crate::mock::*;
use crate::{Call, Error, Event, GenesisConfig, GenesisError, Queued, SetChanges};

fn root(call: Call) -> DispatchResult {
    Validators::dispatch(call, Origin::Root)
}

fn grandpa_logs() -> Vec<GrandpaLog> {
    System::digest_logs()
        .iter()
        .filter_map(GrandpaLog::from_digest_item)
        .collect()
}

#[test]
fn genesis_set_is_in_state() {
    new_test_ext().execute_with(|| {
        assert_eq!(Validators::validators(), vec![acc(1), acc(2), acc(3)]);
        assert_eq!(Validators::set_id(), 0);
        assert_eq!(Validators::session_length(), SESSION);
    });
}

#[test]
fn slot_author_is_round_robin() {
    new_test_ext().execute_with(|| {
        assert_eq!(Validators::slot_author(0), Some(acc(1)));
        assert_eq!(Validators::slot_author(4), Some(acc(2)));
        assert_eq!(Validators::slot_author(u64::MAX), Some(acc(1)));
    });
}

#[test]
fn only_root_changes_the_set() {
    new_test_ext().execute_with(|| {
        for origin in [Origin::Signed(acc(1)), Origin::None] {
            assert_eq!(
                Validators::dispatch(Call::AddValidator { who: acc(9) }, origin),
                Err(DispatchError::BadOrigin)
            );
        }
        assert_eq!(Queued::get(), None);
    });
}

#[test]
fn added_validator_joins_at_the_next_session_boundary_with_a_scheduled_change() {
    new_test_ext().execute_with(|| {
        assert_eq!(root(Call::AddValidator { who: acc(4) }), Ok(()));
        assert_eq!(
            validator_events(),
            vec![Event::ValidatorAdded { who: acc(4) }]
        );
        // Nothing changes within the session.
        run_to_block(SESSION - 1);
        assert_eq!(Validators::validators(), vec![acc(1), acc(2), acc(3)]);
        assert!(grandpa_logs().is_empty());
        // The boundary block enacts it and signals GRANDPA.
        run_to_block(SESSION);
        assert_eq!(
            Validators::validators(),
            vec![acc(1), acc(2), acc(3), acc(4)]
        );
        assert_eq!(Validators::set_id(), 1);
        // A node finds the enacting block of each set there (for light-client proofs).
        assert_eq!(Validators::set_change_block(1), Some(SESSION));
        assert_eq!(Validators::set_change_block(0), None);
        assert_eq!(
            grandpa_logs(),
            vec![GrandpaLog::ScheduledChange(ScheduledChange {
                next_authorities: vec![(acc(1), 1), (acc(2), 1), (acc(3), 1), (acc(4), 1)],
                delay: 0,
            })]
        );
        assert_eq!(
            validator_events(),
            vec![Event::NewSession {
                index: 1,
                set_id: 1,
                validators: vec![acc(1), acc(2), acc(3), acc(4)],
            }]
        );
        // The next block carries no log: the change is signalled once.
        run_to_block(SESSION + 1);
        assert!(grandpa_logs().is_empty());
        assert_eq!(Queued::get(), None);
    });
}

#[test]
fn a_boundary_without_changes_keeps_the_set_id() {
    new_test_ext().execute_with(|| {
        run_to_block(2 * SESSION);
        assert_eq!(Validators::set_id(), 0);
        assert_eq!(SetChanges::iter().count(), 0);
        assert!(System::digest_logs().is_empty());
        assert!(validator_events().is_empty());
    });
}

#[test]
fn removed_validator_leaves_at_the_boundary() {
    new_test_ext().execute_with(|| {
        assert_eq!(root(Call::RemoveValidator { who: acc(2) }), Ok(()));
        assert_eq!(Validators::next_set(), vec![acc(1), acc(3)]);
        assert_eq!(Validators::validators(), vec![acc(1), acc(2), acc(3)]);
        run_to_block(SESSION);
        assert_eq!(Validators::validators(), vec![acc(1), acc(3)]);
        assert_eq!(Validators::slot_author(1), Some(acc(3)));
    });
}

#[test]
fn changes_accumulate_within_a_session() {
    new_test_ext().execute_with(|| {
        assert_eq!(root(Call::AddValidator { who: acc(4) }), Ok(()));
        assert_eq!(root(Call::RemoveValidator { who: acc(1) }), Ok(()));
        run_to_block(SESSION);
        assert_eq!(Validators::validators(), vec![acc(2), acc(3), acc(4)]);
        assert_eq!(Validators::set_id(), 1);
    });
}

#[test]
fn refuses_duplicates_unknowns_overflow_and_an_empty_set() {
    new_test_ext().execute_with(|| {
        assert_eq!(
            root(Call::AddValidator { who: acc(1) }),
            Err(Error::AlreadyValidator.into())
        );
        assert_eq!(
            root(Call::RemoveValidator { who: acc(9) }),
            Err(Error::NotValidator.into())
        );
        assert_eq!(root(Call::AddValidator { who: acc(4) }), Ok(()));
        assert_eq!(
            root(Call::AddValidator { who: acc(5) }),
            Err(Error::TooManyValidators.into())
        );
        for who in [acc(1), acc(2), acc(3)] {
            assert_eq!(root(Call::RemoveValidator { who }), Ok(()));
        }
        assert_eq!(
            root(Call::RemoveValidator { who: acc(4) }),
            Err(Error::WouldEmptySet.into())
        );
        assert_eq!(Validators::next_set(), vec![acc(4)]);
    });
}

#[test]
fn genesis_refuses_bad_sets() {
    let build = |validators: Vec<AccountId>, session_length| {
        let mut ext = TestExternalities::default();
        ext.execute_with(|| {
            GenesisConfig {
                validators,
                session_length,
                slot_duration_ms: SLOT_MS,
            }
            .build::<Test>()
        })
    };
    assert_eq!(build(vec![], 5), Err(GenesisError::NoValidators));
    assert_eq!(
        build(vec![acc(1), acc(1)], 5),
        Err(GenesisError::DuplicateValidator(acc(1)))
    );
    assert_eq!(
        build((1..=5).map(acc).collect(), 5),
        Err(GenesisError::TooManyValidators { count: 5, max: 4 })
    );
    assert_eq!(build(vec![acc(1)], 0), Err(GenesisError::ZeroSessionLength));
    assert_eq!(build(vec![acc(1)], 1), Ok(()));
    let mut ext = TestExternalities::default();
    let zero_slot = ext.execute_with(|| {
        GenesisConfig {
            validators: vec![acc(1)],
            session_length: 1,
            slot_duration_ms: 0,
        }
        .build::<Test>()
    });
    assert_eq!(zero_slot, Err(GenesisError::ZeroSlotDuration));
}

#[test]
fn digest_logs_are_cleared_each_block() {
    new_test_ext().execute_with(|| {
        System::deposit_log(DigestItem::Other(vec![1]));
        assert_eq!(System::digest_logs(), vec![DigestItem::Other(vec![1])]);
        run_to_block(2);
        assert!(System::digest_logs().is_empty());
    });
}

mod equivocation {
    use super::*;
    use ghost_primitives::{
        GrandpaEquivocation, Hash, Pair, SignedVote, VoteKind, consensus::grandpa_vote_payload,
    };

    use crate::{OffenceRecord, Offences};

    /// A chain whose validators are real keys (Alice, Bob, Charlie); the genesis hash the
    /// mock's blocks record is `Hash::ZERO`.
    fn ext_with_keys() -> TestExternalities {
        let mut ext = new_test_ext();
        ext.execute_with(|| {
            crate::Validators::put(
                &["Alice", "Bob", "Charlie"]
                    .map(|n| Pair::dev(n).public())
                    .to_vec(),
            );
        });
        ext
    }

    fn vote(pair: &Pair, round: u64, set_id: u64, kind: VoteKind, target: u8) -> SignedVote {
        let target_hash = Hash([target; 32]);
        let target_number = u64::from(target);
        SignedVote {
            target_hash,
            target_number,
            signature: pair.sign(&grandpa_vote_payload(
                &Hash::ZERO,
                round,
                set_id,
                kind,
                &target_hash,
                target_number,
            )),
        }
    }

    fn proof(pair: &Pair, round: u64, a: u8, b: u8) -> GrandpaEquivocation {
        GrandpaEquivocation {
            set_id: 0,
            round,
            offender: pair.public(),
            kind: VoteKind::Prevote,
            first: vote(pair, round, 0, VoteKind::Prevote, a),
            second: vote(pair, round, 0, VoteKind::Prevote, b),
        }
    }

    fn report(proof: GrandpaEquivocation) -> DispatchResult {
        Validators::dispatch(Call::ReportEquivocation { proof }, Origin::Signed(acc(9)))
    }

    #[test]
    fn a_proven_equivocation_is_recorded_once_per_round() {
        ext_with_keys().execute_with(|| {
            let alice = Pair::dev("Alice");
            assert_eq!(report(proof(&alice, 4, 1, 2)), Ok(()));
            assert_eq!(
                Validators::offences(&alice.public()),
                OffenceRecord {
                    count: 1,
                    last: (0, 4),
                    ..OffenceRecord::default()
                }
            );
            assert!(validator_events().contains(&Event::EquivocationReported {
                offender: alice.public(),
                set_id: 0,
                round: 4
            }));
            // The same round again (even with other votes), or an earlier one: refused.
            assert_eq!(
                report(proof(&alice, 4, 1, 3)),
                Err(Error::DuplicateEquivocation.into())
            );
            assert_eq!(
                report(proof(&alice, 3, 1, 2)),
                Err(Error::DuplicateEquivocation.into())
            );
            assert_eq!(report(proof(&alice, 5, 1, 2)), Ok(()));
            assert_eq!(Validators::offences(&alice.public()).count, 2);
        });
    }

    #[test]
    fn forged_stale_and_foreign_proofs_change_nothing() {
        ext_with_keys().execute_with(|| {
            let alice = Pair::dev("Alice");
            // Two votes for the same block are no equivocation.
            assert_eq!(
                report(proof(&alice, 1, 1, 1)),
                Err(Error::InvalidEquivocationProof.into())
            );
            // Signed by someone else in Alice's name.
            let mut forged = proof(&Pair::dev("Bob"), 1, 1, 2);
            forged.offender = alice.public();
            assert_eq!(report(forged), Err(Error::InvalidEquivocationProof.into()));
            // Votes signed for another round than the proof claims.
            let mut moved = proof(&alice, 1, 1, 2);
            moved.round = 2;
            assert_eq!(report(moved), Err(Error::InvalidEquivocationProof.into()));
            // Another voter set.
            let mut stale = proof(&alice, 1, 1, 2);
            stale.set_id = 7;
            assert_eq!(report(stale), Err(Error::StaleEquivocation.into()));
            // Not a validator.
            assert_eq!(
                report(proof(&Pair::dev("Mallory"), 1, 1, 2)),
                Err(Error::NotValidator.into())
            );
            // Unsigned origins cannot report.
            assert_eq!(
                Validators::dispatch(
                    Call::ReportEquivocation {
                        proof: proof(&alice, 1, 1, 2)
                    },
                    Origin::None
                ),
                Err(DispatchError::BadOrigin)
            );
            assert_eq!(Offences::get(&alice.public()), None);
        });
    }
}

mod block_equivocation {
    use super::*;
    use ghost_primitives::consensus::{aura_pre_digest, aura_seal};
    use ghost_primitives::{AuraEquivocation, Hash, Header, Pair};

    use crate::{OffenceRecord, Offences};

    /// Validators Alice, Bob, Charlie (slot `s` is `[Alice, Bob, Charlie][s % 3]`'s), at block
    /// `n`: its timestamp `n * 1000` ms is slot `2n` of the mock's 500 ms slots.
    fn ext_at_block(n: BlockNumber) -> TestExternalities {
        let mut ext = new_test_ext();
        ext.execute_with(|| {
            crate::Validators::put(
                &["Alice", "Bob", "Charlie"]
                    .map(|n| Pair::dev(n).public())
                    .to_vec(),
            );
            run_to_block(n);
        });
        ext
    }

    /// A header of `slot` (told apart by `state_root`), sealed by `pair`.
    fn sealed(pair: &Pair, slot: u64, state_root: u8) -> Header {
        let mut header = Header {
            parent_hash: Hash([9; 32]),
            number: 4,
            state_root: Hash([state_root; 32]),
            extrinsics_root: Hash::ZERO,
            timestamp_ms: slot * SLOT_MS,
            digest: aura_pre_digest(slot),
        };
        aura_seal(&mut header, pair);
        header
    }

    fn proof(pair: &Pair, slot: u64) -> AuraEquivocation {
        AuraEquivocation {
            offender: pair.public(),
            slot,
            first: sealed(pair, slot, 1),
            second: sealed(pair, slot, 2),
        }
    }

    fn report(proof: AuraEquivocation) -> DispatchResult {
        Validators::dispatch(
            Call::ReportBlockEquivocation { proof },
            Origin::Signed(acc(9)),
        )
    }

    #[test]
    fn a_proven_block_equivocation_is_recorded_once_per_slot() {
        // Block 5: slot 10, Bob's.
        ext_at_block(5).execute_with(|| {
            let bob = Pair::dev("Bob");
            assert_eq!(report(proof(&bob, 10)), Ok(()));
            assert_eq!(
                Validators::offences(&bob.public()),
                OffenceRecord {
                    blocks: 1,
                    last_slot: 10,
                    ..OffenceRecord::default()
                }
            );
            assert!(
                validator_events().contains(&Event::BlockEquivocationReported {
                    offender: bob.public(),
                    slot: 10
                })
            );
            // The same slot again (with other headers), or an earlier slot of Bob's: refused.
            let mut again = proof(&bob, 10);
            again.second = sealed(&bob, 10, 3);
            assert_eq!(report(again), Err(Error::DuplicateEquivocation.into()));
            assert_eq!(
                report(proof(&bob, 7)),
                Err(Error::DuplicateEquivocation.into())
            );
            // A later slot of Bob's counts again.
            run_to_block(7);
            assert_eq!(report(proof(&bob, 13)), Ok(()));
            assert_eq!(Validators::offences(&bob.public()).blocks, 2);
            // GRANDPA offences are counted apart.
            assert_eq!(Validators::offences(&bob.public()).count, 0);
        });
    }

    #[test]
    fn forged_block_equivocations_change_nothing() {
        ext_at_block(5).execute_with(|| {
            let alice = Pair::dev("Alice");
            let bob = Pair::dev("Bob");
            // One header twice is no equivocation.
            let mut same = proof(&bob, 10);
            same.second = same.first.clone();
            assert_eq!(report(same), Err(Error::InvalidEquivocationProof.into()));
            // Headers sealed by Alice, reported as Bob's.
            let mut forged = proof(&alice, 10);
            forged.offender = bob.public();
            assert_eq!(report(forged), Err(Error::InvalidEquivocationProof.into()));
            // Bob's headers of another slot than the proof claims.
            let mut moved = proof(&bob, 7);
            moved.slot = 10;
            assert_eq!(report(moved), Err(Error::InvalidEquivocationProof.into()));
            // A seal stripped from one header.
            let mut unsealed = proof(&bob, 10);
            unsealed.second.digest.logs.pop();
            assert_eq!(
                report(unsealed),
                Err(Error::InvalidEquivocationProof.into())
            );
            // Alice sealing twice in a slot that is Bob's is not the slot author's offence.
            assert_eq!(
                report(proof(&alice, 10)),
                Err(Error::InvalidEquivocationProof.into())
            );
            // Not a validator.
            assert_eq!(
                report(proof(&Pair::dev("Mallory"), 10)),
                Err(Error::NotValidator.into())
            );
            // Unsigned origins cannot report.
            assert_eq!(
                Validators::dispatch(
                    Call::ReportBlockEquivocation {
                        proof: proof(&bob, 10)
                    },
                    Origin::None
                ),
                Err(DispatchError::BadOrigin)
            );
            assert_eq!(Offences::get(&bob.public()), None);
            assert_eq!(Offences::get(&alice.public()), None);
        });
    }

    #[test]
    fn stale_and_future_block_equivocations_are_refused() {
        // Block 10: slot 20; reports reach back MAX_AGE_SLOTS (10) slots.
        ext_at_block(10).execute_with(|| {
            let bob = Pair::dev("Bob");
            assert_eq!(Validators::current_slot(), 20);
            // Slot 7 (Bob's) is 13 slots old; slot 22 (Bob's) has not begun.
            for slot in [7, 22] {
                assert_eq!(
                    report(proof(&bob, slot)),
                    Err(Error::StaleEquivocation.into())
                );
            }
            assert_eq!(Offences::get(&bob.public()), None);
            // Slot 10 is exactly as old as allowed.
            assert_eq!(report(proof(&bob, 10)), Ok(()));
        });
    }
}
