//! Tests of the sudo pallet.

use ghost_support::Dispatchable;
use ghost_support::prelude::*;

use crate::mock::*;
use crate::{Call, Error, Event};

fn sudo(inner: &TestCall) -> Call {
    Call::Sudo {
        call: inner.encode(),
    }
}

fn mark_call(value: u32, fail: bool) -> TestCall {
    TestCall::Mark {
        value,
        fail,
        weight: 1_000,
    }
}

#[test]
fn the_key_dispatches_as_root() {
    new_test_ext().execute_with(|| {
        assert_eq!(
            Sudo::dispatch(sudo(&mark_call(7, false)), Origin::Signed(acc(1))),
            Ok(())
        );
        assert_eq!(mark(), Some(7));
        assert_eq!(sudo_events(), vec![Event::Sudid { result: Ok(()) }]);
    });
}

#[test]
fn anyone_else_is_refused_and_nothing_runs() {
    new_test_ext().execute_with(|| {
        assert_eq!(
            Sudo::dispatch(sudo(&mark_call(7, false)), Origin::Signed(acc(2))),
            Err(Error::RequireSudo.into())
        );
        assert_eq!(
            Sudo::dispatch(sudo(&mark_call(7, false)), Origin::Root),
            Err(DispatchError::BadOrigin)
        );
        assert_eq!(mark(), None);
    });
}

#[test]
fn a_chain_without_a_key_has_no_sudo() {
    let mut ext = ghost_support::testing::TestExternalities::default();
    ext.execute_with(|| {
        crate::GenesisConfig { key: None }.build();
        assert_eq!(
            Sudo::dispatch(sudo(&mark_call(1, false)), Origin::Signed(acc(1))),
            Err(Error::RequireSudo.into())
        );
    });
}

#[test]
fn a_failing_inner_call_is_reported_and_rolled_back() {
    new_test_ext().execute_with(|| {
        assert_eq!(
            Sudo::dispatch(sudo(&mark_call(7, true)), Origin::Signed(acc(1))),
            Ok(())
        );
        assert_eq!(mark(), None, "the inner call's write is dropped");
        assert_eq!(
            sudo_events(),
            vec![Event::Sudid {
                result: Err(DispatchError::Other("mark failed".into()))
            }]
        );
    });
}

#[test]
fn garbage_and_nested_sudo_are_refused() {
    new_test_ext().execute_with(|| {
        assert_eq!(
            Sudo::dispatch(
                Call::Sudo {
                    call: vec![0xff, 1, 2]
                },
                Origin::Signed(acc(1))
            ),
            Err(Error::UndecodableCall.into())
        );
        let nested = TestCall::Sudo(sudo(&mark_call(7, false)));
        assert_eq!(
            Sudo::dispatch(sudo(&nested), Origin::Signed(acc(1))),
            Err(Error::NestedSudo.into())
        );
        assert_eq!(mark(), None);
    });
}

#[test]
fn weight_includes_the_wrapped_call_and_does_not_recurse() {
    new_test_ext().execute_with(|| {
        let base = Sudo::dispatch_info(&Call::SetKey { new: acc(1) }).weight;
        let wrapped = Sudo::dispatch_info(&sudo(&mark_call(7, false))).weight;
        assert_eq!(wrapped, base.saturating_add(Weight(1_000)));
        // A deep nest is weighed at the base (it will be refused), without recursing.
        let mut call = mark_call(1, false);
        for _ in 0..10_000 {
            call = TestCall::Sudo(sudo(&call));
        }
        assert_eq!(call.dispatch_info().weight, base);
    });
}

#[test]
fn set_key_hands_over_root_access() {
    new_test_ext().execute_with(|| {
        assert_eq!(
            Sudo::dispatch(Call::SetKey { new: acc(2) }, Origin::Signed(acc(1))),
            Ok(())
        );
        assert_eq!(Sudo::key(), Some(acc(2)));
        assert_eq!(
            Sudo::dispatch(sudo(&mark_call(1, false)), Origin::Signed(acc(1))),
            Err(Error::RequireSudo.into())
        );
        assert_eq!(
            Sudo::dispatch(sudo(&mark_call(2, false)), Origin::Signed(acc(2))),
            Ok(())
        );
        assert_eq!(mark(), Some(2));
    });
}
