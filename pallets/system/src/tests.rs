//! Tests of the system pallet.

use ghost_support::prelude::*;

use crate::mock::*;
use crate::{Error, Event, EventRecord, Phase};

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
        System::note_applied_extrinsic(&Ok(()), DispatchInfo::paying(Weight(1)));
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
        System::note_applied_extrinsic(&Err(err.clone()), DispatchInfo::paying(Weight(1)));
        match &System::events()[0].event {
            RuntimeEvent::System(Event::ExtrinsicFailed { dispatch_error, .. }) => {
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
        assert!(System::try_consume(Weight(600), 60).is_ok());
        assert_eq!(
            System::try_consume(Weight(600), 1),
            Err(ghost_primitives::InvalidTransaction::ExhaustsResources)
        );
        assert_eq!(
            System::try_consume(Weight(1), 50),
            Err(ghost_primitives::InvalidTransaction::ExhaustsResources)
        );
        assert!(System::try_consume(Weight(400), 40).is_ok());
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
