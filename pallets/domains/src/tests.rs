//! Tests of the domains pallet (more in `tests/`).

use crate::mock::*;
use crate::{Call, Error, Event, NameStatus};
use ghost_primitives::{DnsRecord, Hash, RecordData};
use ghost_support::prelude::*;

#[test]
fn register_with_commitment_then_resolve() {
    new_test_ext().execute_with(|| {
        assert_eq!(register(1, "alice.ghost"), Ok(()));
        let resolution = Domains::resolve(&name("alice.ghost")).unwrap();
        assert_eq!(resolution.owner, acc(1));
        assert_eq!(resolution.status, NameStatus::Active);
        assert!(domain_events().iter().any(|e| matches!(e, Event::Registered { .. })));
    });
}

#[test]
fn register_without_commitment_is_refused_when_required() {
    new_test_ext().execute_with(|| {
        let call = Call::Register {
            name: name("alice.ghost"),
            owner: acc(1),
            duration_ms: crate::YEAR_MS,
            secret: Hash::ZERO,
            records: vec![DnsRecord::apex(RecordData::A([10, 0, 0, 1]))],
        };
        assert_eq!(Domains::dispatch(call, Origin::signed(acc(1))), Err(Error::CommitmentNotFound.into()));
    });
}
