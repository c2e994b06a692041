//! The node's block and state store: headers, bodies, trie nodes, indices and finality on
//! RocksDB, one atomic batch per block.
//!
//! # Overview
//!
//! Block import hands [`Database::commit_block`] a [`BlockCommit`]: the header, the opaque body
//! (this crate never decodes it, so it does not depend on the runtime), the trie nodes the block
//! created, its transaction hashes, and whether it becomes best and what it finalizes. Readers
//! (RPC, GhostBridge, the tx pool, the trie through [`ghost_trie::NodeStore`]) use the getters on
//! [`Database`], which is `Send + Sync` and meant to be shared as `Arc<Database>`.
//!
//! ```text
//! import ──BlockCommit──▶ commit_block ──one WriteBatch──▶ RocksDB
//!                                                           ▲
//! rpc / bridge / txpool / trie ──header, body, hash_by_number, get_node…─┘
//! ```
//!
//! # Column families
//!
//! | column           | key                           | value                                  |
//! |------------------|-------------------------------|----------------------------------------|
//! | `headers`        | block hash                    | SCALE `Header`                         |
//! | `bodies`         | block hash                    | opaque body bytes                      |
//! | `state`          | trie node hash                | node bytes (deleted only when pruning) |
//! | `state_refs`     | trie node hash                | SCALE `u64` count (pruning only)       |
//! | `state_journal`  | block hash                    | the block's count changes (pruning)    |
//! | `indices`        | `c` ++ number (big-endian u64)| canonical block hash                   |
//! |                  | `t` ++ transaction hash       | SCALE `(block hash, u32 index)`        |
//! |                  | `n` ++ block hash             | SCALE `u64` block number               |
//! |                  | `x` ++ block hash             | SCALE `Vec<Hash>`: the block's tx hashes|
//! | `meta`           | `genesis`                     | SCALE `Hash`                           |
//! |                  | `best`, `finalized`           | SCALE `(Hash, u64)`                    |
//! |                  | `schema_version`              | SCALE `u32` ([`SCHEMA_VERSION`])       |
//! |                  | `leaves`                      | SCALE `Vec<(u64, Hash)>`: fork heads   |
//! |                  | `warp_base`                   | SCALE `(Hash, u64)`: warp sync's start |
//! |                  | `warp_gap`                    | SCALE `(Hash, u64)`: gap sync's next   |
//! | `justifications` | block hash                    | opaque finality proof                  |
//! | `domain_changes` | block hash                    | SCALE [`DomainChangeLog`] of the block |
//! | `events`         | block hash                    | the block's events (opaque runtime SCALE)|
//!
//! Every column is LZ4-compressed and shares one LRU block cache ([`DatabaseConfig`]). In front
//! of the `state` column, trie reads go through a bounded LRU of nodes ([`node_cache`]): every
//! read walks from the root, so the shared upper levels are served from memory (at 1 M entries
//! it cut a read from 28 to 20 µs, `cargo bench -p ghost-storage --bench state_access`).
//! A pass that reads a large part of the state once (GhostBridge's index load) goes through
//! [`Database::bulk_state`] instead, which fills neither cache, so the pass leaves both to the
//! reads that come back.
//! Opening a database written with another schema version fails with
//! [`StorageError::SchemaMismatch`].
//!
//! # Invariants
//!
//! - **One batch per block.** Everything a commit writes (header, body, state nodes, indices,
//!   events, canonical rewrite, best/finalized, justification) goes into a single RocksDB
//!   `WriteBatch`.
//!   A process killed at any moment leaves either the whole block or none of it; there is no
//!   repair step on open. Writers hold one mutex from their checks to their write, so checks and
//!   batch see the same best and finalized blocks.
//! - **Checked before written.** A refused commit ([`StorageError::UnknownParent`], the finality
//!   errors) returns before its batch is written.
//! - **State pruning.** The `state` column is content-addressed. As an archive
//!   ([`StatePruning::Archive`]) it is insert-only and the state of every stored block stays
//!   readable; with a window it keeps the state of non-finalized blocks and of the last `n`
//!   finalized ones, deleting nodes whose reference count reaches zero in the batch of the
//!   finality step that orphans them ([`pruning`]). A read below the window is refused with
//!   [`StorageError::StatePruned`] ([`Database::check_state`]). A block's events are not state
//!   (the state keeps only their digest): they sit in the `events` column and are never pruned
//!   with state.
//!
//! # Forks and finality
//!
//! Headers, bodies and state of every fork are stored side by side, keyed by hash. The *best
//! chain* is the one recorded in the canonical index (`c` ++ number), from genesis to the best
//! block in `meta`. A commit with `new_best` walks back from the new head until it meets the
//! canonical index (the fork point); in the same batch it deletes the canonical entries of the
//! old chain above the fork point, writes those of the new chain, and moves the transaction index
//! from the retracted blocks to the enacted ones. The transaction index therefore answers for
//! the best chain only; each block's own transaction list (`x` ++ hash) is kept for every fork.
//!
//! The finalized block is always on the best chain and only moves forward. A commit may
//! finalize only a block of the best chain as it stands after the commit; switching to a best
//! chain that forks off below the finalized block is refused. [`Database::set_finalized`] may
//! finalize any descendant of the finalized block, also off the best chain: the best chain then
//! moves, in the same batch, to the best leaf containing it. Every finality step deletes the
//! headers, bodies and indices of forks that no longer contain the finalized block (their state
//! nodes go too when pruning, while their name change logs stay, for followers that saw them). `meta` keeps the set of *leaves* (fork heads) for
//! fork choice ([`Database::leaves`]). Justifications are stored by block hash for GRANDPA to
//! serve, and each block's name change log ([`changes`]) in the `domain_changes` column: the
//! one source of name changes for every stream, replay and index of the node.
//!
//! # Backends
//!
//! [`Database`] runs over a [`kv::KeyValueStore`]: [`kv::RocksStore`] on disk, or
//! [`kv::MemoryStore`] ([`Database::in_memory`]) for tests and the consensus simulator, with the
//! same one-transaction-per-block atomicity.

#![warn(missing_docs)]

pub mod changes;
pub mod commit;
pub mod db;
pub mod error;
pub mod kv;
pub mod node_cache;
pub mod pruning;
pub mod schema;

pub use changes::{
    ChangeKind, DomainChangeLog, LoggedChange, LoggedStatus, NameState, TouchedName,
};
pub use commit::{BlockCommit, CommitOutcome, GapBlock, TreeRoute};
pub use db::{BulkStateReader, CHANGE_LOG_CACHE, DEFAULT_NODE_CACHE, Database, DatabaseConfig};
pub use error::StorageError;
pub use kv::ReadMode;
pub use pruning::StatePruning;
pub use schema::SCHEMA_VERSION;
