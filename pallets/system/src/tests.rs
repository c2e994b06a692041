//! Tests of the system pallet.

use ghost_support::prelude::*;

use crate::mock::*;
use ghost_support::storage::StorageValue;
use ghost_support::transactional;
use parity_scale_codec::DecodeAll;

use crate::migration::{EventCount, Events};
use crate::{Error, Event, EventRecord, EventsCommitment, EventsDigest, Phase};

fn alice() -> AccountId {
    AccountId([1; 32])
}

#[test]
fn initialize_records_context_and_parent_hash() {
    new_test_ext().execute_with(|| {
        run_to_block(1);
        assert_eq!(System::block_number(), 1);
        assert_eq!(System::now(), 1_001);
        assert_eq!(System::block_hash(0), Some(Hash([0; 32])));
    });
}

#[test]
fn block_numbers_must_be_sequential() {
    new_test_ext().execute_with(|| {
        assert_eq!(
            System::initialize(2, Hash::ZERO, 5_000),
            Err(Error::NonSequentialBlockNumber.into())
        );
    });
}

#[test]
fn timestamp_must_increase() {
    new_test_ext().execute_with(|| {
        assert_eq!(
            System::initialize(1, Hash::ZERO, 1_000),
            Err(Error::TimestampNotIncreasing.into())
        );
        assert!(System::initialize(1, Hash::ZERO, 1_001).is_ok());
    });
}

#[test]
fn old_block_hashes_are_pruned_but_genesis_is_kept() {
    new_test_ext().execute_with(|| {
        for n in 1..=7 {
            run_to_block(n);
        }
        assert_eq!(
            System::block_hash(0),
            Some(Hash([0; 32])),
            "signatures cover the genesis hash"
        );
        assert_eq!(System::block_hash(1), None);
        assert_eq!(System::block_hash(2), None);
        assert!(System::block_hash(3).is_some());
        assert!(System::block_hash(6).is_some());
    });
}

#[test]
fn events_carry_their_phase_and_are_cleared_next_block() {
    new_test_ext().execute_with(|| {
        run_to_block(1);
        System::note_extrinsic_start(0);
        System::remark(Origin::signed(alice()), b"hi".to_vec()).unwrap();
        System::note_applied_extrinsic(&Ok(()), DispatchInfo::paying(Weight(1)), 7);
        let events = System::events();
        assert_eq!(events.len(), 2);
        assert_eq!(events[0].phase, Phase::ApplyExtrinsic(0));
        assert!(matches!(
            events[1],
            EventRecord {
                phase: Phase::ApplyExtrinsic(0),
                event: RuntimeEvent::System(Event::ExtrinsicSuccess { .. })
            }
        ));
        System::note_finished_extrinsics();
        System::deposit_event(Event::Remarked {
            sender: alice(),
            hash: Hash::ZERO,
        });
        assert_eq!(System::events()[2].phase, Phase::Finalization);
        System::finalize();
        run_to_block(2);
        assert!(System::events().is_empty());
    });
}

#[test]
fn failed_extrinsics_record_the_error() {
    new_test_ext().execute_with(|| {
        run_to_block(1);
        System::note_extrinsic_start(0);
        let err: DispatchError = Error::RemarkTooLong.into();
        System::note_applied_extrinsic(&Err(err.clone()), DispatchInfo::paying(Weight(1)), 9);
        match &System::events()[0].event {
            RuntimeEvent::System(Event::ExtrinsicFailed {
                dispatch_error,
                fee,
                ..
            }) => {
                assert_eq!(*fee, 9, "a failed call still reports the fee it paid");
                assert_eq!(dispatch_error, &err);
                assert_eq!(dispatch_error.to_string(), "System.RemarkTooLong");
            }
            other => panic!("unexpected event {other:?}"),
        }
    });
}

#[test]
fn remark_needs_a_signed_origin_and_a_bounded_length() {
    new_test_ext().execute_with(|| {
        run_to_block(1);
        assert_eq!(
            System::remark(Origin::Root, vec![]),
            Err(DispatchError::BadOrigin)
        );
        assert_eq!(
            System::remark(Origin::signed(alice()), vec![0; crate::MAX_REMARK_LEN + 1]),
            Err(Error::RemarkTooLong.into())
        );
    });
}

#[test]
fn block_limits_refuse_overweight_and_overlong() {
    new_test_ext().execute_with(|| {
        run_to_block(1);
        // The mock's block: 1,000 weight of which 100 is the base, 100 bytes.
        assert!(System::try_consume(Weight(600), 60).is_ok());
        assert_eq!(
            System::try_consume(Weight(600), 1),
            Err(ghost_primitives::InvalidTransaction::ExhaustsResources)
        );
        assert_eq!(
            System::try_consume(Weight(1), 50),
            Err(ghost_primitives::InvalidTransaction::ExhaustsResources)
        );
        assert!(System::try_consume(Weight(300), 40).is_ok());
        assert_eq!(
            System::try_consume(Weight(1), 0),
            Err(ghost_primitives::InvalidTransaction::ExhaustsResources)
        );
    });
}

#[test]
fn a_block_weight_starts_at_the_base_weight() {
    new_test_ext().execute_with(|| {
        run_to_block(1);
        assert_eq!(crate::BlockWeight::get(), Some(Weight(100)));
        assert!(System::try_consume(Weight(50), 0).is_ok());
        assert_eq!(crate::BlockWeight::get(), Some(Weight(150)));
        // The next block starts again from the base, not from zero or from this block's total.
        run_to_block(2);
        assert_eq!(crate::BlockWeight::get(), Some(Weight(100)));
    });
}

#[test]
fn an_extrinsic_that_fits_the_block_only_without_its_base_weight_is_refused() {
    new_test_ext().execute_with(|| {
        run_to_block(1);
        assert_eq!(System::max_extrinsic_weight(), Weight(900));
        assert_eq!(
            System::try_consume(Weight(1_000), 0),
            Err(ghost_primitives::InvalidTransaction::ExhaustsResources)
        );
        assert_eq!(
            System::try_consume(Weight(901), 0),
            Err(ghost_primitives::InvalidTransaction::ExhaustsResources)
        );
        assert!(System::try_consume(Weight(900), 0).is_ok());
    });
}

#[test]
fn nonces_increment_per_account() {
    new_test_ext().execute_with(|| {
        assert_eq!(System::account_nonce(&alice()), 0);
        System::inc_account_nonce(&alice());
        System::inc_account_nonce(&alice());
        assert_eq!(System::account_nonce(&alice()), 2);
        assert_eq!(System::account_nonce(&AccountId([2; 32])), 0);
    });
}

#[test]
fn metadata_lists_calls_events_errors_and_storage() {
    let meta = System::metadata(0);
    assert_eq!(meta.calls[0].name, "Remark");
    assert!(meta.events.iter().any(|e| e.name == "ExtrinsicFailed"));
    assert!(
        meta.errors
            .iter()
            .any(|e| e.name == "TimestampNotIncreasing")
    );
    assert!(meta.storage.iter().any(|s| s.name == "AccountNonce"));
}

/// One block with a remark extrinsic and a finalization event, ended by `finalize`.
fn block_with_events() {
    run_to_block(1);
    System::note_extrinsic_start(0);
    System::remark(Origin::signed(alice()), b"hi".to_vec()).unwrap();
    System::note_applied_extrinsic(&Ok(()), DispatchInfo::paying(Weight(1)), 7);
    System::note_finished_extrinsics();
    System::deposit_event(Event::Remarked {
        sender: alice(),
        hash: Hash::ZERO,
    });
    System::finalize();
}

#[test]
fn events_stay_out_of_the_committed_state_but_their_digest_is_in() {
    let mut ext = new_test_ext();
    let before: Vec<Vec<u8>> = ext.state.keys().cloned().collect();
    let encoded = ext.execute_with(|| {
        block_with_events();
        assert_eq!(System::event_count(), 3);
        System::encoded_events()
    });
    let digest_key = EventsDigest::hashed_key();
    let written: Vec<&Vec<u8>> = ext.state.keys().filter(|k| !before.contains(*k)).collect();
    // Number, ParentHash, Now, BlockHash(0), ExtrinsicCount, the digest: no key per event.
    assert!(written.contains(&&digest_key));
    assert!(
        !written
            .iter()
            .any(|k| k.starts_with(&Events::hashed_key(&0)[..32])),
        "no event record reached the state"
    );
    assert!(!ext.state.contains_key(&EventCount::hashed_key()));
    let stored = EventsCommitment::decode_all(&mut &ext.state[&digest_key][..]).unwrap();
    assert_eq!(stored, EventsCommitment::of(&encoded, 3));
    assert_eq!(stored.hash, ghost_primitives::blake3_256(&encoded));
}

#[test]
fn encoded_events_are_the_scale_vec_of_typed_records() {
    new_test_ext().execute_with(|| {
        block_with_events();
        let typed = System::events();
        let encoded = System::encoded_events();
        assert_eq!(encoded, typed.encode());
        let decoded = Vec::<EventRecord<RuntimeEvent>>::decode_all(&mut &encoded[..]).unwrap();
        assert_eq!(decoded, typed);
        assert_eq!(
            decoded[1].event,
            RuntimeEvent::System(Event::ExtrinsicSuccess {
                dispatch_info: DispatchInfo::paying(Weight(1)),
                fee: 7,
            })
        );
    });
}

#[test]
fn the_digest_changes_with_any_event_and_commits_to_an_empty_block_too() {
    let digest_of = |remark: &[u8]| {
        new_test_ext().execute_with(|| {
            run_to_block(1);
            System::note_extrinsic_start(0);
            System::remark(Origin::signed(alice()), remark.to_vec()).unwrap();
            System::finalize();
            System::events_digest().unwrap()
        })
    };
    assert_ne!(digest_of(b"a"), digest_of(b"b"));
    let empty = new_test_ext().execute_with(|| {
        run_to_block(1);
        System::finalize();
        System::events_digest().unwrap()
    });
    assert_eq!(empty, EventsCommitment::of(&[0], 0));
}

#[test]
fn events_of_a_rolled_back_transaction_are_dropped() {
    new_test_ext().execute_with(|| {
        run_to_block(1);
        System::note_extrinsic_start(0);
        let failed: Result<(), DispatchError> = transactional(|| {
            System::remark(Origin::signed(alice()), b"undone".to_vec())?;
            Err(Error::RemarkTooLong.into())
        });
        assert!(failed.is_err());
        assert!(System::events().is_empty());
        let kept: Result<(), DispatchError> =
            transactional(|| System::remark(Origin::signed(alice()), b"kept".to_vec()));
        assert!(kept.is_ok());
        assert_eq!(System::event_count(), 1);
    });
}

#[test]
fn events_an_older_runtime_left_in_state_are_read_then_cleared() {
    let mut ext = new_test_ext();
    let record = EventRecord {
        phase: Phase::ApplyExtrinsic(0),
        event: RuntimeEvent::System(Event::Remarked {
            sender: alice(),
            hash: Hash::ZERO,
        })
        .encode(),
    };
    ext.execute_with(|| {
        EventCount::put(&2);
        Events::insert(&0, &record);
        Events::insert(&1, &record);
        assert_eq!(crate::migration::legacy_events(), vec![record.clone(); 2]);
    });
    ext.execute_with(|| run_to_block(1));
    assert!(!ext.state.contains_key(&EventCount::hashed_key()));
    assert!(!ext.state.contains_key(&Events::hashed_key(&0)));
    assert!(!ext.state.contains_key(&Events::hashed_key(&1)));
    ext.execute_with(|| assert!(crate::migration::legacy_events().is_empty()));
}
