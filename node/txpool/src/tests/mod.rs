//! Pool tests against [`TestApi`](crate::test_utils::TestApi), one behaviour per test.

mod graph;
mod limits;
mod maintain;
mod ordering;
mod properties;
mod replacement;
mod watcher;

use std::sync::Arc;

use ghost_primitives::Hash;
use tokio::sync::mpsc::error::TryRecvError;

use crate::test_utils::{Sender, TestApi, TestExtrinsic};
use crate::{Pool, PoolLimits, TxStatus, WatcherReceiver};

/// The best block the tests validate at (the mock ignores it).
const BEST: Hash = Hash::ZERO;

fn pool_with(limits: PoolLimits) -> (Arc<TestApi>, Pool<TestApi>) {
    let api = Arc::new(TestApi::new());
    (api.clone(), Pool::new(api, limits))
}

fn pool() -> (Arc<TestApi>, Pool<TestApi>) {
    pool_with(PoolLimits::default())
}

fn xt(sender: Sender, nonce: u64, priority: u64) -> TestExtrinsic {
    TestExtrinsic::new(sender, nonce, priority)
}

fn submit(pool: &Pool<TestApi>, xt: &TestExtrinsic) -> Hash {
    let hash = pool.submit(BEST, xt.clone()).expect("submission accepted");
    pool.check_invariants();
    hash
}

/// `(sender, nonce)` of the ready transactions, in inclusion order.
fn ready(pool: &Pool<TestApi>) -> Vec<(Sender, u64)> {
    pool.ready()
        .iter()
        .map(|tx| (tx.data.sender, tx.data.nonce))
        .collect()
}

/// `(sender, nonce)` of the future transactions, in submission order.
fn future(pool: &Pool<TestApi>) -> Vec<(Sender, u64)> {
    pool.future()
        .iter()
        .map(|tx| (tx.data.sender, tx.data.nonce))
        .collect()
}

/// Every status received so far.
fn statuses(rx: &mut WatcherReceiver) -> Vec<TxStatus> {
    let mut out = Vec::new();
    while let Ok(status) = rx.try_recv() {
        out.push(status);
    }
    out
}

/// Whether the stream has ended (all statuses read and the sender gone).
fn ended(rx: &mut WatcherReceiver) -> bool {
    matches!(rx.try_recv(), Err(TryRecvError::Disconnected))
}
