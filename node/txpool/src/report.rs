//! What the pool reports about itself: its size and the outcome of maintenance.

use ghost_primitives::{Hash, TransactionValidityError};

use crate::watcher::TxStatus;

/// How full the pool is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PoolStatus {
    /// Ready transactions.
    pub ready: usize,
    /// Future transactions.
    pub future: usize,
    /// Encoded bytes over all transactions.
    pub bytes: usize,
}

/// Why a transaction left the pool other than by inclusion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DropReason {
    /// The runtime rejected it when revalidated at the new best block (stale nonce, no longer
    /// payable, bad era, ...).
    Invalid(TransactionValidityError),
    /// Its `valid_until` is before the next block.
    Outdated,
    /// Another transaction providing the same tag with higher priority took its place.
    Usurped(Hash),
    /// Evicted to keep the pool within its limits.
    Evicted,
}

impl DropReason {
    /// The status watchers of the dropped transaction see.
    pub fn status(&self) -> TxStatus {
        match self {
            DropReason::Invalid(_) | DropReason::Outdated => TxStatus::Invalid,
            DropReason::Usurped(by) => TxStatus::Usurped(*by),
            DropReason::Evicted => TxStatus::Dropped,
        }
    }
}

/// What [`Pool::maintain`](crate::Pool::maintain) did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MaintainReport {
    /// The included hashes that were in the pool and have been removed.
    pub included: Vec<Hash>,
    /// Transactions removed by revalidation, mortality, replacement or limits, and why.
    pub dropped: Vec<(Hash, DropReason)>,
    /// Future transactions that became ready.
    pub promoted: Vec<Hash>,
}
