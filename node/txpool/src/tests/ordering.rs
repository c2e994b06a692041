//! Ready/future split and the order of `ready()`.

use ghost_primitives::{InvalidTransaction, UnknownTransaction};

use super::*;
use crate::{PoolError, PoolStatus};

#[test]
fn nonces_submitted_in_reverse_come_out_in_nonce_order() {
    let (_, pool) = pool();
    submit(&pool, &xt(1, 2, 10));
    submit(&pool, &xt(1, 1, 10));
    assert_eq!(ready(&pool), vec![]);
    assert_eq!(future(&pool), vec![(1, 2), (1, 1)]);

    submit(&pool, &xt(1, 0, 10));
    assert_eq!(ready(&pool), vec![(1, 0), (1, 1), (1, 2)]);
    assert_eq!(future(&pool), vec![]);
}

#[test]
fn later_nonces_stay_future_while_the_first_is_missing() {
    let (_, pool) = pool();
    submit(&pool, &xt(1, 1, 10));
    submit(&pool, &xt(1, 2, 10));
    assert_eq!(ready(&pool), vec![]);
    assert_eq!(
        pool.status(),
        PoolStatus {
            ready: 0,
            future: 2,
            bytes: 200
        }
    );
}

#[test]
fn a_gap_keeps_everything_after_it_future() {
    let (_, pool) = pool();
    submit(&pool, &xt(1, 0, 10));
    submit(&pool, &xt(1, 2, 10));
    submit(&pool, &xt(1, 3, 10));
    assert_eq!(ready(&pool), vec![(1, 0)]);
    assert_eq!(future(&pool), vec![(1, 2), (1, 3)]);

    submit(&pool, &xt(1, 1, 10));
    assert_eq!(ready(&pool), vec![(1, 0), (1, 1), (1, 2), (1, 3)]);
}

#[test]
fn higher_priority_goes_first_across_accounts() {
    let (_, pool) = pool();
    submit(&pool, &xt(1, 0, 10));
    submit(&pool, &xt(2, 0, 50));
    submit(&pool, &xt(3, 0, 30));
    assert_eq!(ready(&pool), vec![(2, 0), (3, 0), (1, 0)]);
}

#[test]
fn requirements_come_before_priority() {
    let (_, pool) = pool();
    submit(&pool, &xt(1, 0, 1));
    submit(&pool, &xt(1, 1, 100));
    submit(&pool, &xt(2, 0, 50));
    // (1, 1) has the highest priority but needs (1, 0), which ranks below (2, 0).
    assert_eq!(ready(&pool), vec![(2, 0), (1, 0), (1, 1)]);
}

#[test]
fn equal_priorities_keep_submission_order() {
    let (_, pool) = pool();
    for sender in [5, 3, 9, 1] {
        submit(&pool, &xt(sender, 0, 7));
    }
    assert_eq!(ready(&pool), vec![(5, 0), (3, 0), (9, 0), (1, 0)]);
}

#[test]
fn the_account_nonce_in_state_decides_readiness() {
    let (api, pool) = pool();
    api.set_nonce(1, 5);
    submit(&pool, &xt(1, 5, 1));
    submit(&pool, &xt(1, 7, 1));
    assert_eq!(ready(&pool), vec![(1, 5)]);
    assert_eq!(future(&pool), vec![(1, 7)]);
    assert_eq!(
        pool.submit(BEST, xt(1, 4, 1)),
        Err(PoolError::Invalid(InvalidTransaction::Stale {
            expected: 5,
            got: 4
        }))
    );
}

#[test]
fn runtime_rejections_are_returned_and_nothing_is_stored() {
    let (api, pool) = pool();
    let bad = xt(1, 0, 1);
    api.mark_invalid(bad.hash());
    assert_eq!(
        pool.submit(BEST, bad),
        Err(PoolError::Invalid(InvalidTransaction::BadProof))
    );

    api.set_future_is_error(true);
    assert_eq!(
        pool.submit(BEST, xt(2, 3, 1)),
        Err(PoolError::Unknown(UnknownTransaction::Future {
            expected: 0,
            got: 3
        }))
    );
    assert_eq!(pool.status(), PoolStatus::default());
}

#[test]
fn the_same_transaction_twice_is_already_imported() {
    let (api, pool) = pool();
    let tx = xt(1, 0, 1);
    let hash = submit(&pool, &tx);
    let validations = api.validations();
    assert_eq!(pool.submit(BEST, tx), Err(PoolError::AlreadyImported(hash)));
    assert_eq!(
        api.validations(),
        validations,
        "checked before asking the runtime"
    );
}

#[test]
fn get_and_contains_see_the_stored_transaction() {
    let (_, pool) = pool();
    let tx = xt(1, 0, 42);
    let hash = submit(&pool, &tx);
    assert!(pool.contains(&hash));
    let stored = pool.get(&hash).expect("stored");
    assert_eq!(stored.data, tx);
    assert_eq!(stored.priority, 42);
    assert_eq!(stored.len, 100);
    assert!(stored.requires.is_empty());
    assert_eq!(stored.provides, vec![crate::test_utils::nonce_tag(1, 0)]);
    assert!(!pool.contains(&xt(1, 1, 42).hash()));
}

#[test]
fn pool_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Pool<TestApi>>();
}
