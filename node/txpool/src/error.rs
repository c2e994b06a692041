//! Why the pool refused a transaction.

use ghost_primitives::{Hash, InvalidTransaction, TransactionValidityError, UnknownTransaction};

/// Why [`Pool::submit`](crate::Pool::submit) refused a transaction.
#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq)]
pub enum PoolError {
    /// The runtime says it can never be valid.
    #[error("invalid transaction: {0}")]
    Invalid(InvalidTransaction),
    /// The runtime says it is not valid now (and gave no tags to wait for).
    #[error("unknown transaction validity: {0}")]
    Unknown(UnknownTransaction),
    /// A transaction with this hash is already in the pool.
    #[error("transaction {0} is already in the pool")]
    AlreadyImported(Hash),
    /// A pool transaction provides one of the same tags with at least this priority; replacing
    /// it needs a strictly higher priority.
    #[error("priority {new} does not beat {old} of the transaction it would replace")]
    TooLowPriority {
        /// The highest priority among the transactions it would replace.
        old: u64,
        /// The refused transaction's priority.
        new: u64,
    },
    /// The pool is at its limits and every transaction that could be evicted has at least this
    /// one's priority.
    #[error("the pool is full and the transaction's priority is too low to evict another")]
    PoolFull,
    /// The transaction is larger than one transaction may be.
    #[error("transaction is {len} bytes, the pool takes at most {max}")]
    TooLarge {
        /// Its encoded length.
        len: usize,
        /// [`PoolLimits::max_tx_bytes`](crate::PoolLimits::max_tx_bytes).
        max: usize,
    },
}

impl PoolError {
    /// Whether the runtime rejected the transaction (as opposed to the pool's own rules).
    pub fn is_runtime_rejection(&self) -> bool {
        matches!(self, PoolError::Invalid(_) | PoolError::Unknown(_))
    }
}

impl From<TransactionValidityError> for PoolError {
    fn from(e: TransactionValidityError) -> Self {
        match e {
            TransactionValidityError::Invalid(e) => PoolError::Invalid(e),
            TransactionValidityError::Unknown(e) => PoolError::Unknown(e),
        }
    }
}
