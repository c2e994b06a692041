//! Size limit per transaction, count and byte limits with eviction.

use super::*;
use crate::{PoolError, PoolStatus};

fn limits(max_ready: usize, max_future: usize, max_total_bytes: usize) -> PoolLimits {
    PoolLimits {
        max_ready,
        max_future,
        max_total_bytes,
        max_tx_bytes: 5_000,
    }
}

#[test]
fn a_transaction_over_the_size_limit_is_refused_before_validation() {
    let (api, pool) = pool_with(limits(10, 10, 100_000));
    assert_eq!(
        pool.submit(BEST, xt(1, 0, 1).with_len(5_001)),
        Err(PoolError::TooLarge {
            len: 5_001,
            max: 5_000
        })
    );
    assert_eq!(api.validations(), 0);
    submit(&pool, &xt(1, 0, 1).with_len(5_000));
}

#[test]
fn the_default_limits_are_the_documented_ones() {
    let limits = PoolLimits::default();
    assert_eq!(
        (
            limits.max_ready,
            limits.max_future,
            limits.max_total_bytes,
            limits.max_tx_bytes
        ),
        (8192, 1024, 20 << 20, 5 << 20)
    );
}

#[test]
fn a_full_future_queue_evicts_its_lowest_priority() {
    let (_, pool) = pool_with(limits(10, 2, 100_000));
    let low = submit(&pool, &xt(1, 1, 5));
    submit(&pool, &xt(2, 1, 7));
    let mut watcher = pool.watch(&low);

    assert_eq!(pool.submit(BEST, xt(3, 1, 3)), Err(PoolError::PoolFull));
    assert_eq!(pool.status().future, 2);

    submit(&pool, &xt(4, 1, 9));
    assert!(!pool.contains(&low));
    assert_eq!(future(&pool), vec![(2, 1), (4, 1)]);
    assert_eq!(
        statuses(&mut watcher),
        vec![TxStatus::Future, TxStatus::Dropped]
    );
}

#[test]
fn a_full_ready_queue_evicts_the_lowest_priority_leaf() {
    let (_, pool) = pool_with(limits(3, 10, 100_000));
    submit(&pool, &xt(1, 0, 1)); // lowest, but (1, 1) depends on it
    submit(&pool, &xt(1, 1, 100));
    let b = submit(&pool, &xt(2, 0, 5));
    submit(&pool, &xt(3, 0, 10));

    assert!(!pool.contains(&b));
    assert_eq!(ready(&pool), vec![(3, 0), (1, 0), (1, 1)]);
}

#[test]
fn a_new_ready_transaction_with_the_lowest_priority_is_refused() {
    let (_, pool) = pool_with(limits(2, 10, 100_000));
    submit(&pool, &xt(1, 0, 5));
    submit(&pool, &xt(2, 0, 6));
    // A tie goes against the newcomer.
    assert_eq!(pool.submit(BEST, xt(3, 0, 5)), Err(PoolError::PoolFull));
    assert_eq!(pool.submit(BEST, xt(3, 0, 4)), Err(PoolError::PoolFull));
    assert_eq!(ready(&pool), vec![(2, 0), (1, 0)]);
}

#[test]
fn the_byte_limit_evicts_futures_before_ready_transactions() {
    let (_, pool) = pool_with(limits(10, 10, 1_000));
    submit(&pool, &xt(1, 0, 1).with_len(400));
    let future_tx = submit(&pool, &xt(2, 1, 100).with_len(400));
    submit(&pool, &xt(3, 0, 50).with_len(400));

    assert!(!pool.contains(&future_tx));
    assert_eq!(ready(&pool), vec![(3, 0), (1, 0)]);
    assert_eq!(
        pool.status(),
        PoolStatus {
            ready: 2,
            future: 0,
            bytes: 800
        }
    );
}

#[test]
fn pool_full_leaves_the_pool_untouched() {
    let (_, pool) = pool_with(limits(10, 10, 1_000));
    submit(&pool, &xt(1, 0, 10).with_len(400));
    submit(&pool, &xt(2, 1, 10).with_len(400));
    let before = pool.status();

    // To fit it the pool would evict the future transaction and then the newcomer itself.
    assert_eq!(
        pool.submit(BEST, xt(3, 0, 1).with_len(1_500)),
        Err(PoolError::PoolFull)
    );
    assert_eq!(pool.status(), before);
    pool.check_invariants();
}

#[test]
fn pool_full_after_a_replacement_restores_the_replaced_transaction() {
    let (_, pool) = pool_with(limits(10, 10, 500));
    let old = submit(&pool, &xt(1, 0, 5).with_len(100));
    submit(&pool, &xt(2, 0, 100).with_len(350));
    let mut watcher = pool.watch(&old);

    assert_eq!(
        pool.submit(BEST, xt(1, 0, 6).with_len(450)),
        Err(PoolError::PoolFull)
    );
    assert!(pool.contains(&old));
    assert_eq!(ready(&pool), vec![(2, 0), (1, 0)]);
    assert_eq!(
        statuses(&mut watcher),
        vec![TxStatus::Ready],
        "no Usurped for an undone swap"
    );
    pool.check_invariants();
}
