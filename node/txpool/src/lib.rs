//! Transaction pool: runtime-validated ready and future queues ordered by tags and priority.
//!
//! # Overview
//!
//! Every extrinsic enters through [`Pool::submit`], which asks the runtime (through the
//! [`ChainApi`] trait the node implements) whether it is valid at the best block. A valid
//! transaction comes back with a priority and two tag lists: the tags it `provides` (its signer
//! and nonce) and the tags it `requires` (the signer's previous nonce, or nothing when its nonce
//! is the account's next one). The pool keeps two queues:
//!
//! - **ready**: every required tag is provided by the state or by a ready transaction;
//! - **future**: waiting for a tag; promoted when a transaction providing it becomes ready or a
//!   block providing it is imported.
//!
//! [`Pool::ready`] lists ready transactions in the order a block author includes them: a
//! transaction after those providing its requirements, otherwise the highest priority first.
//!
//! ```text
//!   author_submitExtrinsic (rpc)    gossip (network)
//!              \                     /
//!               v                   v
//!             Pool::submit --ChainApi::validate(best)--> Invalid/Unknown: refused
//!                    |        same tag, higher priority?  --> old one Usurped
//!                    v
//!      future (requires unmet) --promote--> ready (requires met)
//!                                              |
//!                                              v  Pool::ready(): requires first, then priority
//!                              block author (apply each) --failed--> Pool::remove_invalid
//!                                              |
//!                                              v
//!                 block import --> Pool::maintain(best, number, included)
//!                                  drop included, revalidate the rest: drop stale/outdated,
//!                                  promote futures the state now satisfies, enforce limits
//!                                              |
//!                                              v
//!     node: Pool::notify_in_block / notify_finalized --> watchers (author_submitAndWatch...)
//! ```
//!
//! # Rules
//!
//! - **Replacement:** at most one pool transaction provides a tag. A new transaction providing a
//!   taken tag replaces its holder only with a strictly higher priority (the holder is
//!   `Usurped`); otherwise [`PoolError::TooLowPriority`]. Dependants of the replaced transaction
//!   stay ready when the new one provides the same tags.
//! - **Limits** ([`PoolLimits`]): a transaction over `max_tx_bytes` is refused before validation.
//!   Past `max_future`, `max_ready` or `max_total_bytes` the pool evicts the lowest-priority
//!   (then newest) future transactions first, then the lowest-priority ready transactions no ready
//!   transaction depends on. If the new transaction would be evicted itself, it is refused with
//!   [`PoolError::PoolFull`] and nothing else changes.
//! - **Maintenance:** after each imported block, [`Pool::maintain`] removes the included
//!   transactions and revalidates everything else against the new best block.
//! - **Watchers:** [`Pool::watch`] / [`Pool::submit_and_watch`] return a stream of [`TxStatus`].
//!
//! # Feature flags
//!
//! - `test-utils`: exports `test_utils`, a mock [`ChainApi`] with account nonces for other
//!   crates' tests.

#![warn(missing_docs)]

mod error;
mod graph;
mod pool;
mod report;
mod transaction;
mod watcher;

#[cfg(any(test, feature = "test-utils"))]
pub mod test_utils;

#[cfg(test)]
mod tests;

use ghost_primitives::{Hash, TransactionValidityError, ValidTransaction};

pub use error::PoolError;
pub use pool::Pool;
pub use report::{DropReason, MaintainReport, PoolStatus};
pub use transaction::{PoolLimits, PoolTransaction};
pub use watcher::{TxStatus, WatcherReceiver};

/// What the pool needs from the chain: validation against a block's state, and hashing. The node
/// implements it with the runtime; tests use `test_utils::TestApi` (feature `test-utils`).
pub trait ChainApi: Send + Sync + 'static {
    /// The extrinsic type the pool holds.
    type Extrinsic: Clone + Send + Sync + 'static;

    /// Validates `xt` against the state at block `at` (the best block).
    ///
    /// A transaction whose nonce is ahead of its account's comes back `Ok` with a `requires` tag
    /// the state does not provide yet; the pool keeps it in the future queue.
    fn validate(
        &self,
        at: Hash,
        xt: &Self::Extrinsic,
    ) -> Result<ValidTransaction, TransactionValidityError>;

    /// The extrinsic's hash and encoded length.
    fn hash_and_length(&self, xt: &Self::Extrinsic) -> (Hash, usize);
}
