//! A validated transaction as the pool stores it, and the limits on how many the pool holds.
//!
//! A [`PoolTransaction`] is immutable once built: revalidation builds a new one (keeping
//! `inserted_at`, so ties keep their original order) and swaps the `Arc`.

use ghost_primitives::{BlockNumber, Hash, TransactionTag, ValidTransaction};

/// A transaction in the pool: the extrinsic plus what the runtime said about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PoolTransaction<X> {
    /// The extrinsic itself.
    pub data: X,
    /// Its hash (from [`ChainApi::hash_and_length`](crate::ChainApi::hash_and_length)).
    pub hash: Hash,
    /// Its encoded length in bytes.
    pub len: usize,
    /// Higher goes first among transactions whose requirements are met.
    pub priority: u64,
    /// Tags that must be provided (by the state or by ready transactions) before it is ready.
    pub requires: Vec<TransactionTag>,
    /// Tags it provides; at most one pool transaction provides a given tag.
    pub provides: Vec<TransactionTag>,
    /// The last block number it may be included in.
    pub valid_until: BlockNumber,
    /// The pool's insertion counter when it was first submitted; breaks priority ties (lower
    /// goes first, and is evicted last).
    pub inserted_at: u64,
}

impl<X> PoolTransaction<X> {
    /// Builds a pool transaction from an extrinsic and the runtime's verdict on it.
    pub fn new(data: X, hash: Hash, len: usize, valid: ValidTransaction, inserted_at: u64) -> Self {
        Self {
            data,
            hash,
            len,
            priority: valid.priority,
            requires: valid.requires,
            provides: valid.provides,
            valid_until: valid.valid_until,
            inserted_at,
        }
    }

    /// Whether `valid` says the same as this transaction's current validity.
    pub(crate) fn same_validity(&self, valid: &ValidTransaction) -> bool {
        self.priority == valid.priority
            && self.requires == valid.requires
            && self.provides == valid.provides
            && self.valid_until == valid.valid_until
    }

    /// The same transaction with a new verdict, keeping its place in insertion order.
    pub(crate) fn revalidated(&self, valid: ValidTransaction) -> Self
    where
        X: Clone,
    {
        Self::new(
            self.data.clone(),
            self.hash,
            self.len,
            valid,
            self.inserted_at,
        )
    }
}

/// How much the pool holds. Exceeding a count or the byte total evicts the lowest-priority
/// future transactions first, then the lowest-priority ready transactions nothing depends on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PoolLimits {
    /// Most ready transactions.
    pub max_ready: usize,
    /// Most future transactions (waiting for a requirement).
    pub max_future: usize,
    /// Most bytes over all transactions (ready and future).
    pub max_total_bytes: usize,
    /// Largest single transaction; larger ones are refused with
    /// [`PoolError::TooLarge`](crate::PoolError::TooLarge) before validation.
    pub max_tx_bytes: usize,
}

impl Default for PoolLimits {
    /// 8192 ready, 1024 future, 20 MiB in total, 5 MiB per transaction.
    fn default() -> Self {
        Self {
            max_ready: 8192,
            max_future: 1024,
            max_total_bytes: 20 * 1024 * 1024,
            max_tx_bytes: 5 * 1024 * 1024,
        }
    }
}
