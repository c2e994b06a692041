//! `maintain` after an imported block: included removed, the rest revalidated.

use std::thread;

use ghost_primitives::{InvalidTransaction, TransactionValidityError};

use super::*;
use crate::{DropReason, MaintainReport, PoolStatus};

fn block(n: u8) -> Hash {
    Hash([n; 32])
}

/// Executes `xts` on the mock chain as block `number` and maintains the pool.
fn import_block(
    api: &TestApi,
    pool: &Pool<TestApi>,
    number: u64,
    xts: &[TestExtrinsic],
) -> MaintainReport {
    api.include(xts);
    let hashes: Vec<Hash> = xts.iter().map(TestExtrinsic::hash).collect();
    let report = pool.maintain(block(number as u8), number, &hashes);
    pool.check_invariants();
    report
}

#[test]
fn included_transactions_leave_and_their_dependants_stay_ready() {
    let (api, pool) = pool();
    let first = xt(1, 0, 10);
    submit(&pool, &first);
    submit(&pool, &xt(1, 1, 10));
    submit(&pool, &xt(1, 2, 10));

    let report = import_block(&api, &pool, 1, std::slice::from_ref(&first));
    assert_eq!(report.included, vec![first.hash()]);
    assert_eq!(report.dropped, vec![]);
    assert_eq!(ready(&pool), vec![(1, 1), (1, 2)]);
    assert!(
        pool.get(&xt(1, 1, 10).hash())
            .is_some_and(|tx| tx.requires.is_empty())
    );
}

#[test]
fn included_hashes_unknown_to_the_pool_are_ignored() {
    let (api, pool) = pool();
    submit(&pool, &xt(1, 0, 10));
    let report = import_block(&api, &pool, 1, &[xt(2, 0, 1)]);
    assert_eq!(report.included, vec![]);
    assert_eq!(ready(&pool), vec![(1, 0)]);
}

#[test]
fn a_stale_transaction_is_dropped_after_its_nonce_was_used_elsewhere() {
    let (api, pool) = pool();
    let ours = submit(&pool, &xt(1, 0, 10));
    submit(&pool, &xt(1, 1, 10));
    let mut watcher = pool.watch(&ours);

    // Another node's block included a different transaction with nonce 0.
    let report = import_block(&api, &pool, 1, &[xt(1, 0, 99)]);
    assert_eq!(report.included, vec![]);
    assert_eq!(
        report.dropped,
        vec![(
            ours,
            DropReason::Invalid(TransactionValidityError::Invalid(
                InvalidTransaction::Stale {
                    expected: 1,
                    got: 0
                }
            ))
        )]
    );
    assert_eq!(
        ready(&pool),
        vec![(1, 1)],
        "nonce 1 is now satisfied by the state"
    );
    assert_eq!(
        statuses(&mut watcher),
        vec![TxStatus::Ready, TxStatus::Invalid]
    );
    assert!(ended(&mut watcher));
}

#[test]
fn futures_become_ready_when_the_state_provides_their_requirement() {
    let (api, pool) = pool();
    let one = submit(&pool, &xt(1, 1, 10));
    let two = submit(&pool, &xt(1, 2, 10));
    assert_eq!(pool.status().future, 2);

    let report = import_block(&api, &pool, 1, &[xt(1, 0, 10).with_salt(7)]);
    let mut expected = vec![one, two];
    expected.sort();
    assert_eq!(report.promoted, expected);
    assert_eq!(ready(&pool), vec![(1, 1), (1, 2)]);
    assert_eq!(future(&pool), vec![]);
}

#[test]
fn including_a_pool_transaction_promotes_futures_waiting_on_it() {
    let (api, pool) = pool();
    let zero = xt(1, 0, 10);
    submit(&pool, &zero);
    submit(&pool, &xt(1, 2, 10));
    assert_eq!(future(&pool), vec![(1, 2)]);

    // Nonce 1 was included by another author; nonce 0 is ours.
    let report = import_block(&api, &pool, 1, &[zero.clone(), xt(1, 1, 3)]);
    assert_eq!(report.included, vec![zero.hash()]);
    assert_eq!(report.promoted, vec![xt(1, 2, 10).hash()]);
    assert_eq!(ready(&pool), vec![(1, 2)]);
}

#[test]
fn outdated_transactions_are_dropped_at_their_last_block() {
    let (api, pool) = pool();
    let short = submit(&pool, &xt(1, 0, 10).with_valid_until(5));
    let long = submit(&pool, &xt(2, 0, 10).with_valid_until(10));
    let mut watcher = pool.watch(&short);

    let report = import_block(&api, &pool, 4, &[]);
    assert_eq!(report.dropped, vec![]);

    // Block 5 is imported: the next block is 6, past `short`'s last block.
    let report = import_block(&api, &pool, 5, &[]);
    assert_eq!(report.dropped, vec![(short, DropReason::Outdated)]);
    assert!(pool.contains(&long));
    assert_eq!(
        statuses(&mut watcher),
        vec![TxStatus::Ready, TxStatus::Invalid]
    );
}

#[test]
fn every_remaining_transaction_is_revalidated() {
    let (api, pool) = pool();
    for sender in 0..5 {
        submit(&pool, &xt(sender, 0, 1));
    }
    let before = api.validations();
    import_block(&api, &pool, 1, &[xt(0, 0, 1)]);
    assert_eq!(api.validations() - before, 4);
}

#[test]
fn remove_invalid_moves_dependants_back_to_future() {
    let (_, pool) = pool();
    let zero = submit(&pool, &xt(1, 0, 10));
    let one = submit(&pool, &xt(1, 1, 10));
    submit(&pool, &xt(2, 0, 10));
    let mut w_zero = pool.watch(&zero);
    let mut w_one = pool.watch(&one);

    let removed = pool.remove_invalid(&[zero, Hash([9; 32])]);
    pool.check_invariants();
    assert_eq!(
        removed.iter().map(|tx| tx.hash).collect::<Vec<_>>(),
        vec![zero]
    );
    assert_eq!(ready(&pool), vec![(2, 0)]);
    assert_eq!(future(&pool), vec![(1, 1)]);
    assert_eq!(
        statuses(&mut w_zero),
        vec![TxStatus::Ready, TxStatus::Invalid]
    );
    assert_eq!(
        statuses(&mut w_one),
        vec![TxStatus::Ready, TxStatus::Future]
    );
}

#[test]
fn concurrent_submissions_and_maintenance_keep_the_pool_consistent() {
    let (api, pool) = pool();
    let pool = Arc::new(pool);
    let submitters: Vec<_> = (0..4u64)
        .map(|sender| {
            let pool = pool.clone();
            thread::spawn(move || {
                for nonce in (0..50).rev() {
                    // Stale or usurped submissions are fine; panics are not.
                    let _ = pool.submit(BEST, xt(sender, nonce, nonce % 7));
                }
            })
        })
        .collect();
    let maintainer = {
        let (api, pool) = (api.clone(), pool.clone());
        thread::spawn(move || {
            for number in 1..20u64 {
                let body: Vec<TestExtrinsic> = pool
                    .ready()
                    .iter()
                    .take(10)
                    .map(|tx| tx.data.clone())
                    .collect();
                api.include(&body);
                let hashes: Vec<Hash> = body.iter().map(TestExtrinsic::hash).collect();
                pool.maintain(block(number as u8), number, &hashes);
            }
        })
    };
    for handle in submitters.into_iter().chain([maintainer]) {
        handle.join().expect("no panic");
    }
    pool.maintain(block(99), 99, &[]);
    pool.check_invariants();
    let status = pool.status();
    assert_eq!(
        status.ready + status.future,
        pool.ready().len() + pool.future().len()
    );
    // After a final maintenance every ready transaction is applicable in order.
    let mut nonces: std::collections::HashMap<Sender, u64> =
        (0..4).map(|s| (s, api.nonce(s))).collect();
    for tx in pool.ready() {
        let next = nonces.get_mut(&tx.data.sender).expect("known sender");
        assert_eq!(tx.data.nonce, *next);
        *next += 1;
    }
    assert_ne!(status, PoolStatus::default());
}
