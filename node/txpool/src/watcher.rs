//! Per-transaction status streams for `author_submitAndWatchExtrinsic`.
//!
//! The pool reports what it decides (ready, future, usurped, dropped, invalid); the node reports
//! what happens on chain (in a block, finalized) through
//! [`Pool::notify_in_block`](crate::Pool::notify_in_block) and
//! [`Pool::notify_finalized`](crate::Pool::notify_finalized). A stream ends (its sender is
//! dropped) after a final status.

use std::collections::HashMap;

use ghost_primitives::Hash;
use parking_lot::Mutex;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

/// A transaction's status, as sent to watchers.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum TxStatus {
    /// Waiting in the pool for a requirement (an earlier nonce).
    Future,
    /// In the pool with all requirements met; a block author may include it.
    Ready,
    /// Included in this block (not final: a reorg may retract it).
    InBlock(Hash),
    /// The block including it was finalized. Final.
    Finalized(Hash),
    /// Replaced in the pool by this transaction (same tags, higher priority). Final.
    Usurped(Hash),
    /// Evicted to keep the pool within its limits. Final.
    Dropped,
    /// The runtime no longer considers it valid (or its mortality ended). Final.
    Invalid,
}

impl TxStatus {
    /// Whether no status can follow this one.
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            TxStatus::Finalized(_) | TxStatus::Usurped(_) | TxStatus::Dropped | TxStatus::Invalid
        )
    }
}

/// The receiving end of a transaction's status stream.
pub type WatcherReceiver = UnboundedReceiver<TxStatus>;

/// Senders of every watched transaction's stream.
#[derive(Default)]
pub(crate) struct Watchers {
    senders: Mutex<HashMap<Hash, Vec<UnboundedSender<TxStatus>>>>,
}

impl Watchers {
    /// A new stream for `hash`, starting with `current` if given.
    pub(crate) fn subscribe(&self, hash: Hash, current: Option<TxStatus>) -> WatcherReceiver {
        let (tx, rx) = unbounded_channel();
        if let Some(status) = current {
            // The receiver is alive: it is returned below.
            let _ = tx.send(status);
        }
        self.senders.lock().entry(hash).or_default().push(tx);
        rx
    }

    /// Sends `status` to `hash`'s watchers; forgets them after a final status or once their
    /// receivers are gone.
    pub(crate) fn send(&self, hash: &Hash, status: TxStatus) {
        let mut senders = self.senders.lock();
        let Some(list) = senders.get_mut(hash) else {
            return;
        };
        list.retain(|s| s.send(status.clone()).is_ok());
        if list.is_empty() || status.is_final() {
            senders.remove(hash);
        }
    }

    /// Forgets streams whose receivers were dropped.
    pub(crate) fn prune_closed(&self) {
        self.senders.lock().retain(|_, list| {
            list.retain(|s| !s.is_closed());
            !list.is_empty()
        });
    }

    /// Number of transactions with at least one live stream.
    pub(crate) fn len(&self) -> usize {
        self.senders.lock().len()
    }
}
