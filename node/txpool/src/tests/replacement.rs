//! A transaction providing a taken tag replaces the holder only with a higher priority.

use super::*;
use crate::PoolError;

#[test]
fn higher_priority_replaces_and_the_old_one_is_usurped() {
    let (_, pool) = pool();
    let old = submit(&pool, &xt(1, 0, 10));
    let mut watcher = pool.watch(&old);
    let new_tx = xt(1, 0, 11);
    let new = submit(&pool, &new_tx);

    assert!(!pool.contains(&old));
    assert_eq!(
        pool.ready().iter().map(|t| t.hash).collect::<Vec<_>>(),
        vec![new]
    );
    assert_eq!(
        statuses(&mut watcher),
        vec![TxStatus::Ready, TxStatus::Usurped(new)]
    );
    assert!(ended(&mut watcher));
}

#[test]
fn equal_or_lower_priority_is_refused() {
    let (_, pool) = pool();
    let old = submit(&pool, &xt(1, 0, 10));
    assert_eq!(
        pool.submit(BEST, xt(1, 0, 10).with_salt(1)),
        Err(PoolError::TooLowPriority { old: 10, new: 10 })
    );
    assert_eq!(
        pool.submit(BEST, xt(1, 0, 9)),
        Err(PoolError::TooLowPriority { old: 10, new: 9 })
    );
    assert!(pool.contains(&old));
    assert_eq!(pool.status().ready, 1);
}

#[test]
fn dependants_stay_ready_when_the_replacement_provides_the_same_tags() {
    let (_, pool) = pool();
    submit(&pool, &xt(1, 0, 10));
    let second = submit(&pool, &xt(1, 1, 10));
    submit(&pool, &xt(1, 2, 10));
    let mut watcher = pool.watch(&second);
    assert_eq!(statuses(&mut watcher), vec![TxStatus::Ready]);

    let replacement = submit(&pool, &xt(1, 0, 20));
    assert_eq!(ready(&pool), vec![(1, 0), (1, 1), (1, 2)]);
    assert_eq!(pool.ready()[0].hash, replacement);
    assert_eq!(
        statuses(&mut watcher),
        vec![],
        "no spurious Future/Ready for the dependant"
    );
}

#[test]
fn a_future_transaction_can_be_replaced() {
    let (_, pool) = pool();
    let old = submit(&pool, &xt(1, 1, 5));
    let new = submit(&pool, &xt(1, 1, 6));
    assert!(!pool.contains(&old));
    assert_eq!(
        pool.future().iter().map(|t| t.hash).collect::<Vec<_>>(),
        vec![new]
    );
}
