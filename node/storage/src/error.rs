//! The errors of the store: RocksDB failures, undecodable records, and refused commits.
//!
//! A refused commit (unknown parent, finality rules) is reported before anything is written, so
//! the database is exactly as it was.

use ghost_primitives::{BlockNumber, Hash};

/// Everything [`Database`](crate::Database) can fail with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StorageError {
    /// RocksDB itself failed (I/O, corruption it detected, lock held by another process).
    #[error("rocksdb: {0}")]
    Rocks(#[from] rocksdb::Error),

    /// A stored value did not decode as the SCALE type its column holds.
    #[error("cannot decode {what} read from the database: {source}")]
    Codec {
        /// Which record failed, e.g. `"header"` or `"meta best"`.
        what: &'static str,
        /// The decoder's error.
        #[source]
        source: parity_scale_codec::Error,
    },

    /// The database was written by another schema version of this crate.
    #[error("database schema version {found} is not the supported version {expected}")]
    SchemaMismatch {
        /// The version stored in the database.
        found: u32,
        /// The version this build reads and writes.
        expected: u32,
    },

    /// The database holds no genesis block yet; call
    /// [`commit_genesis`](crate::Database::commit_genesis) first.
    #[error("the database holds no genesis block")]
    Uninitialized,

    /// [`commit_genesis`](crate::Database::commit_genesis) was given a header whose number is not 0.
    #[error("a genesis header must have number 0, found {number}")]
    GenesisNotZero {
        /// The number found in the header.
        number: BlockNumber,
    },

    /// A different genesis block is already stored.
    #[error("the database already holds genesis {stored}, refusing genesis {given}")]
    GenesisMismatch {
        /// The stored genesis hash.
        stored: Hash,
        /// The hash of the genesis header that was given.
        given: Hash,
    },

    /// A block's parent is not in the database.
    #[error("unknown parent {parent}")]
    UnknownParent {
        /// The missing parent hash.
        parent: Hash,
    },

    /// A block's number is not its parent's number plus one.
    #[error("block number {found} does not follow its parent's number (expected {expected})")]
    NonSequentialNumber {
        /// The parent's number plus one.
        expected: BlockNumber,
        /// The number in the header.
        found: BlockNumber,
    },

    /// A block named for finalization is not in the database.
    #[error("unknown block {hash}")]
    UnknownBlock {
        /// The hash that was asked for.
        hash: Hash,
    },

    /// The block to finalize is not on (an ancestor of, or equal to) the best chain as it
    /// stands after the commit.
    #[error("block {hash} (number {number}) is not on the best chain")]
    NotOnBestChain {
        /// The block that was to be finalized.
        hash: Hash,
        /// Its number.
        number: BlockNumber,
    },

    /// Finality may only move forward.
    #[error("finality cannot move back from block {current} to block {requested}")]
    FinalityRegression {
        /// The number of the block finalized now.
        current: BlockNumber,
        /// The number of the block that was to be finalized.
        requested: BlockNumber,
    },

    /// A new best block whose chain does not contain the finalized block: the switch would
    /// revert finalized blocks.
    #[error(
        "the new best chain forks off at block {fork_point}, below the finalized block {finalized}"
    )]
    RevertsFinalized {
        /// The number of the finalized block.
        finalized: BlockNumber,
        /// The number of the last block the old and new best chains share.
        fork_point: BlockNumber,
    },

    /// The block to finalize does not descend from the finalized block.
    #[error("block {hash} does not descend from the finalized block {finalized}")]
    NotDescendantOfFinalized {
        /// The block.
        hash: Hash,
        /// The finalized block.
        finalized: Hash,
    },

    /// A justification was given without a block to finalize.
    #[error("a justification needs a block to finalize")]
    JustificationWithoutFinality,

    /// The state of a block was deleted by state pruning.
    #[error(
        "state of block #{number} ({hash}) is pruned: this node keeps state from block #{oldest} \
         on (--state-pruning); query a newer block or an archive node"
    )]
    StatePruned {
        /// The block asked for.
        hash: Hash,
        /// Its number.
        number: BlockNumber,
        /// The oldest canonical block whose state is kept.
        oldest: BlockNumber,
    },

    /// A pruned database was opened as an archive.
    #[error(
        "the database was created with --state-pruning {window} and has deleted old state, so \
         it cannot be opened with --state-pruning archive: keep a pruning window, or sync an \
         archive node into a new base path"
    )]
    PruningModeMismatch {
        /// The window recorded in the database.
        window: u32,
    },

    /// A warp base was offered to a database that holds more than its genesis block.
    #[error(
        "warp sync needs a new database, but this one holds blocks up to #{best}: start with \
         an empty base path (ghostchain purge-chain) or sync in full"
    )]
    NotFresh {
        /// The stored best block's number.
        best: BlockNumber,
    },

    /// A block below the warp base was asked for that the gap sync has not downloaded yet.
    #[error(
        "block #{number} lies below this node's warp sync base #{base} and is not downloaded \
         yet (the gap sync fetches the blocks below the base in the background, newest first); \
         retry later or ask a node synced in full"
    )]
    BelowWarpBase {
        /// The height asked for.
        number: BlockNumber,
        /// The warp base's height.
        base: BlockNumber,
    },

    /// A gap sync offered a block that is not the one the gap wants next.
    #[error("gap sync: block {found} is not block #{number} ({expected}), the one wanted next")]
    GapMismatch {
        /// The hash wanted.
        expected: Hash,
        /// Its number.
        number: BlockNumber,
        /// The hash offered.
        found: Hash,
    },

    /// The state of a block below the warp base was asked for: a warp-synced node never has
    /// it (the gap sync downloads blocks, not their state).
    #[error(
        "state of block #{number} is not stored: this node was warp-synced from block #{base} \
         and keeps no state (and no name changes) before it; query block #{base} or later, or \
         an archive node synced in full"
    )]
    StateBelowWarpBase {
        /// The height asked for.
        number: BlockNumber,
        /// The warp base's height.
        base: BlockNumber,
    },

    /// The database breaks one of its own invariants (a canonical block without its header, a
    /// missing column family, a key of the wrong length).
    #[error("database corrupt: {0}")]
    Corrupt(String),
}

impl StorageError {
    /// Whether the commit was refused because its parent is unknown (a caller may fetch the
    /// parent and retry).
    pub fn is_unknown_parent(&self) -> bool {
        matches!(self, StorageError::UnknownParent { .. })
    }

    /// Whether a block, or a state, below a warp sync base was asked for that this node does
    /// not have.
    pub fn is_below_warp_base(&self) -> bool {
        matches!(
            self,
            StorageError::BelowWarpBase { .. } | StorageError::StateBelowWarpBase { .. }
        )
    }

    /// Whether the error is a read of state that pruning deleted.
    pub fn is_state_pruned(&self) -> bool {
        matches!(self, StorageError::StatePruned { .. })
    }

    /// Whether the error means the data on disk cannot be trusted.
    pub fn is_corruption(&self) -> bool {
        matches!(self, StorageError::Corrupt(_) | StorageError::Codec { .. })
    }
}
