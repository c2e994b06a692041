//! Status streams.

use super::*;

#[test]
fn a_submitted_transaction_goes_ready_in_block_finalized() {
    let (api, pool) = pool();
    let tx = xt(1, 0, 10);
    let (hash, mut watcher) = pool.submit_and_watch(BEST, tx.clone()).expect("accepted");
    assert_eq!(statuses(&mut watcher), vec![TxStatus::Ready]);

    let block = Hash([1; 32]);
    api.include(std::slice::from_ref(&tx));
    pool.maintain(block, 1, &[hash]);
    pool.notify_in_block(block, &[hash]);
    assert_eq!(statuses(&mut watcher), vec![TxStatus::InBlock(block)]);

    pool.notify_finalized(block, &[hash]);
    assert_eq!(statuses(&mut watcher), vec![TxStatus::Finalized(block)]);
    assert!(ended(&mut watcher));
    assert_eq!(pool.watched(), 0);
}

#[test]
fn a_future_transaction_reports_ready_once_its_requirement_arrives() {
    let (_, pool) = pool();
    let (_, mut watcher) = pool.submit_and_watch(BEST, xt(1, 1, 10)).expect("accepted");
    assert_eq!(statuses(&mut watcher), vec![TxStatus::Future]);
    submit(&pool, &xt(1, 0, 10));
    assert_eq!(statuses(&mut watcher), vec![TxStatus::Ready]);
}

#[test]
fn watching_a_held_transaction_starts_with_its_queue() {
    let (_, pool) = pool();
    let ready_tx = submit(&pool, &xt(1, 0, 10));
    let future_tx = submit(&pool, &xt(2, 5, 10));
    assert_eq!(statuses(&mut pool.watch(&ready_tx)), vec![TxStatus::Ready]);
    assert_eq!(
        statuses(&mut pool.watch(&future_tx)),
        vec![TxStatus::Future]
    );
    assert_eq!(statuses(&mut pool.watch(&Hash([3; 32]))), vec![]);
}

#[test]
fn several_watchers_of_one_transaction_all_hear() {
    let (_, pool) = pool();
    let old = submit(&pool, &xt(1, 0, 10));
    let mut a = pool.watch(&old);
    let mut b = pool.watch(&old);
    let new = submit(&pool, &xt(1, 0, 20));
    assert_eq!(
        statuses(&mut a),
        vec![TxStatus::Ready, TxStatus::Usurped(new)]
    );
    assert_eq!(
        statuses(&mut b),
        vec![TxStatus::Ready, TxStatus::Usurped(new)]
    );
}

#[test]
fn dropped_receivers_are_forgotten() {
    let (_, pool) = pool();
    let hash = submit(&pool, &xt(1, 0, 10));
    drop(pool.watch(&hash));
    assert_eq!(pool.watched(), 1);
    pool.maintain(Hash([1; 32]), 1, &[]);
    assert_eq!(pool.watched(), 0);
}

#[test]
fn statuses_serialize_like_substrate() {
    let block = Hash([0xab; 32]);
    assert_eq!(
        serde_json::to_string(&TxStatus::Ready).unwrap(),
        r#""ready""#
    );
    assert_eq!(
        serde_json::to_value(TxStatus::InBlock(block)).unwrap(),
        serde_json::json!({ "inBlock": block.to_string() })
    );
    assert_eq!(
        serde_json::from_str::<TxStatus>(r#""dropped""#).unwrap(),
        TxStatus::Dropped
    );
}
