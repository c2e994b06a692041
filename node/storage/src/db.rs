//! Opening the database and reading from it.
//!
//! Reads take no lock but the node cache's: each is a single RocksDB lookup (or a cache hit),
//! and a block's batch becomes visible to readers all at once. A pass over a large part of the
//! state that will not come again soon (GhostBridge's index load) reads through
//! [`Database::bulk_state`] instead, which fills neither RocksDB's block cache nor the node
//! cache. Writers (see
//! [`crate::commit`]) serialize on one mutex so that their checks and their batch see the same
//! best and finalized blocks.

use std::path::Path;
use std::sync::Arc;

use crate::changes::{DomainChangeLog, LogCache};
use crate::error::StorageError;
use crate::kv::{KeyValueStore, MemoryStore, Op, ReadMode, RocksStore, Transaction};
use crate::node_cache::NodeCache;
use crate::pruning::StatePruning;
use crate::schema::{SCHEMA_VERSION, col, key};
use ghost_primitives::{BlockNumber, Hash, Header};
use ghost_trie::{NodeStore, TrieHash};
use parity_scale_codec::{Decode, DecodeAll, Encode};
use parking_lot::Mutex;

/// Log target of this crate.
pub(crate) const LOG_TARGET: &str = "storage";

/// Tunables for [`Database::open_with`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DatabaseConfig {
    /// Bytes of RocksDB block cache shared by all column families (default 64 MiB).
    pub cache_size: usize,
    /// Whether every write is fsynced before it returns (default `true`).
    ///
    /// Atomicity does not depend on it: a killed process never leaves half a block either way.
    /// With `false`, a power loss may drop the last few committed blocks (but never part of
    /// one), and a finalized block could be forgotten.
    pub sync_writes: bool,
    /// How much state to keep (default [`StatePruning::Archive`]).
    pub state_pruning: StatePruning,
    /// Bytes of decoded trie nodes kept in memory in front of RocksDB (default 64 MiB; see
    /// [`crate::node_cache`]).
    pub node_cache_size: usize,
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        Self {
            cache_size: 64 * 1024 * 1024,
            sync_writes: true,
            state_pruning: StatePruning::Archive,
            node_cache_size: DEFAULT_NODE_CACHE,
        }
    }
}

/// The default [`DatabaseConfig::node_cache_size`].
pub const DEFAULT_NODE_CACHE: usize = 64 * 1024 * 1024;

/// The node's block and state store. See the [crate docs](crate) for the layout.
///
/// `Send + Sync`: share it as `Arc<Database>`. Reads run concurrently; commits are serialized.
pub struct Database {
    pub(crate) kv: Box<dyn KeyValueStore>,
    /// Held by every writer from its first check to its batch write.
    pub(crate) write_lock: Mutex<()>,
    /// Decoded name change logs, shared by every reader.
    pub(crate) change_logs: Mutex<LogCache>,
    /// How much state is kept (checked against `meta` at open).
    pub(crate) pruning: StatePruning,
    /// Trie nodes read recently.
    pub(crate) node_cache: Mutex<NodeCache>,
}

/// How many decoded name change logs [`Database::domain_changes`] keeps in memory.
pub const CHANGE_LOG_CACHE: usize = 4096;

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Database")
            .field("location", &self.kv.location())
            .finish_non_exhaustive()
    }
}

impl Database {
    /// Opens (creating if needed) the database at `path` with [`DatabaseConfig::default`].
    ///
    /// # Errors
    /// [`StorageError::SchemaMismatch`] when the database was written by another schema version,
    /// [`StorageError::Rocks`] when RocksDB cannot open it (for example because another process
    /// holds it).
    pub fn open(path: &Path) -> Result<Database, StorageError> {
        Self::open_with(path, &DatabaseConfig::default())
    }

    /// Opens (creating if needed) the database at `path` with `config`.
    ///
    /// Creates missing column families, uses LZ4 for every column, and writes the schema
    /// version into a new database or checks it in an existing one.
    pub fn open_with(path: &Path, config: &DatabaseConfig) -> Result<Database, StorageError> {
        let store = RocksStore::open(path, config.cache_size, config.sync_writes)?;
        let database = Self::from_parts(
            Box::new(store),
            config.state_pruning,
            config.node_cache_size,
        )?;
        tracing::debug!(target: LOG_TARGET, path = %path.display(), "database opened");
        Ok(database)
    }

    /// A database in memory (for tests and the consensus simulator): the same commit logic and
    /// atomicity, no disk, gone when dropped.
    pub fn in_memory() -> Database {
        Self::in_memory_with(StatePruning::Archive)
    }

    /// As [`Database::in_memory`], keeping state as `pruning` says.
    pub fn in_memory_with(pruning: StatePruning) -> Database {
        // A fresh store has no schema version or mode to disagree with and cannot fail to write.
        Self::from_store_with(Box::new(MemoryStore::new()), pruning)
            .unwrap_or_else(|e| unreachable!("an empty in-memory store refused its schema: {e}"))
    }

    /// An archive database over `store`; writes the schema version into an empty store or
    /// checks it.
    pub fn from_store(store: Box<dyn KeyValueStore>) -> Result<Database, StorageError> {
        Self::from_store_with(store, StatePruning::Archive)
    }

    /// A database over `store` keeping state as `pruning` says: checks (or writes) the schema
    /// version and the pruning mode.
    ///
    /// # Errors
    /// [`StorageError::SchemaMismatch`], or [`StorageError::PruningModeMismatch`] when a pruned
    /// database is opened as an archive.
    pub fn from_store_with(
        store: Box<dyn KeyValueStore>,
        pruning: StatePruning,
    ) -> Result<Database, StorageError> {
        Self::from_parts(store, pruning, DEFAULT_NODE_CACHE)
    }

    /// [`Database::from_store_with`] with a node cache of `node_cache_size` bytes.
    fn from_parts(
        store: Box<dyn KeyValueStore>,
        pruning: StatePruning,
        node_cache_size: usize,
    ) -> Result<Database, StorageError> {
        let database = Database {
            kv: store,
            write_lock: Mutex::new(()),
            change_logs: Mutex::new(LogCache::new(CHANGE_LOG_CACHE)),
            pruning,
            node_cache: Mutex::new(NodeCache::new(node_cache_size)),
        };
        database.check_schema()?;
        database.check_pruning(pruning)?;
        Ok(database)
    }

    /// Writes the schema version into a new database, or checks the stored one. A v3 database
    /// (an archive without the pruning columns), a v4 one (without the events column or a
    /// warp base) and a v5 one (without a warp gap) are upgraded in place: the missing columns
    /// start empty, and a warp-synced v5 database's gap is its whole span below the base.
    fn check_schema(&self) -> Result<(), StorageError> {
        match self.get_decoded::<u32>(col::META, key::SCHEMA, "schema version")? {
            Some(found) if found == SCHEMA_VERSION => Ok(()),
            Some(found @ (3..=5)) => {
                tracing::info!(
                    target: LOG_TARGET,
                    from = found,
                    to = SCHEMA_VERSION,
                    "database schema upgraded in place; blocks stored before have no events entry",
                );
                let mut batch = Transaction::default();
                batch.put(col::META, key::SCHEMA, SCHEMA_VERSION.encode());
                // A v5 warp-synced database has all of its gap still to download.
                if let Some(base) =
                    self.get_decoded::<(Hash, BlockNumber)>(col::META, key::WARP_BASE, "warp base")?
                    && self.get_raw(col::META, key::WARP_GAP)?.is_none()
                {
                    batch.put(col::META, key::WARP_GAP, base.encode());
                }
                self.write(batch)
            }
            Some(found) => Err(StorageError::SchemaMismatch {
                found,
                expected: SCHEMA_VERSION,
            }),
            None if self.get_raw(col::META, key::GENESIS)?.is_some() => Err(StorageError::Corrupt(
                "a genesis block is stored but no schema version".into(),
            )),
            None => {
                let mut batch = Transaction::default();
                batch.put(col::META, key::SCHEMA, SCHEMA_VERSION.encode());
                self.write(batch)
            }
        }
    }

    /// The header of block `hash`, if stored (on any fork).
    pub fn header(&self, hash: &Hash) -> Result<Option<Header>, StorageError> {
        self.get_decoded(col::HEADERS, hash.as_bytes(), "header")
    }

    /// The opaque body of block `hash`, if stored. The genesis block has no body.
    pub fn body(&self, hash: &Hash) -> Result<Option<Vec<u8>>, StorageError> {
        self.get_raw(col::BODIES, hash.as_bytes())
    }

    /// The opaque finality proof stored for block `hash`, if any.
    pub fn justification(&self, hash: &Hash) -> Result<Option<Vec<u8>>, StorageError> {
        self.get_raw(col::JUSTIFICATIONS, hash.as_bytes())
    }

    /// The hash of the best chain's block at height `number`, if the best chain is that long.
    pub fn hash_by_number(&self, number: BlockNumber) -> Result<Option<Hash>, StorageError> {
        self.get_decoded(col::INDICES, &key::canonical(number), "canonical hash")
    }

    /// The number of block `hash`, if stored (on any fork).
    pub fn number_of(&self, hash: &Hash) -> Result<Option<BlockNumber>, StorageError> {
        self.get_decoded(col::INDICES, &key::number(hash), "block number")
    }

    /// The best block: the head of the canonical chain.
    ///
    /// # Errors
    /// [`StorageError::Uninitialized`] before [`commit_genesis`](Self::commit_genesis).
    pub fn best(&self) -> Result<(Hash, BlockNumber), StorageError> {
        self.get_decoded(col::META, key::BEST, "meta best")?
            .ok_or(StorageError::Uninitialized)
    }

    /// The last finalized block; always on the best chain.
    ///
    /// # Errors
    /// [`StorageError::Uninitialized`] before [`commit_genesis`](Self::commit_genesis).
    pub fn finalized(&self) -> Result<(Hash, BlockNumber), StorageError> {
        self.get_decoded(col::META, key::FINALIZED, "meta finalized")?
            .ok_or(StorageError::Uninitialized)
    }

    /// The genesis hash, or `None` for a database that has none yet.
    pub fn genesis_hash(&self) -> Result<Option<Hash>, StorageError> {
        self.get_decoded(col::META, key::GENESIS, "meta genesis")
    }

    /// Where transaction `tx` sits on the best chain: the block hash and its index in the
    /// block. Transactions of blocks off the best chain are not indexed.
    pub fn tx_location(&self, tx: &Hash) -> Result<Option<(Hash, u32)>, StorageError> {
        self.get_decoded(col::INDICES, &key::tx(tx), "tx location")
    }

    /// The node cache's counters and size (for the node's metrics).
    pub fn node_cache_stats(&self) -> crate::node_cache::NodeCacheStats {
        self.node_cache.lock().stats()
    }

    /// Bytes RocksDB's block cache holds now (`None` for an in-memory database).
    pub fn block_cache_usage(&self) -> Option<usize> {
        self.kv.block_cache_usage()
    }

    /// The trie nodes for one pass over a large part of the state that will not be read again
    /// soon, such as loading GhostBridge's index from every name and record: a
    /// [`NodeStore`] that uses the nodes the node cache already holds but adds none, and reads
    /// the `state` column without filling RocksDB's block cache ([`ReadMode::Bulk`]).
    ///
    /// Both caches are bounded (64 MiB each by default), so a pass through the ordinary
    /// [`NodeStore`] would fill both to their bounds with nodes read once, and evict the upper
    /// trie levels that block import and point reads come back to.
    pub fn bulk_state(&self) -> BulkStateReader<'_> {
        BulkStateReader { db: self }
    }

    /// The trie node (or long value) whose hash is `hash`, if stored.
    ///
    /// The fallible form of [`NodeStore::get_node`].
    pub fn state_node(&self, hash: &TrieHash) -> Result<Option<Vec<u8>>, StorageError> {
        self.get_raw(col::STATE, hash)
    }

    /// The heads of every stored fork (blocks without children), highest first, then lowest
    /// hash: the best block is the first leaf that contains the finalized block.
    pub fn leaves(&self) -> Result<Vec<(BlockNumber, Hash)>, StorageError> {
        Ok(self
            .get_decoded(col::META, key::LEAVES, "leaves")?
            .unwrap_or_default())
    }

    /// The name change log stored with block `hash`, if any: every block imported by the node
    /// has one (the genesis block none). A pruned fork's logs stay (see [`crate::changes`]).
    ///
    /// Decoded logs are shared: the newest [`CHANGE_LOG_CACHE`] written or read are kept in
    /// memory, so any number of feeds replaying or following the same blocks decode each once.
    pub fn domain_changes(
        &self,
        hash: &Hash,
    ) -> Result<Option<Arc<DomainChangeLog>>, StorageError> {
        if let Some(log) = self.change_logs.lock().get(hash) {
            return Ok(Some(log));
        }
        let Some(log) = self.get_decoded::<DomainChangeLog>(
            col::DOMAIN_CHANGES,
            hash.as_bytes(),
            "domain change log",
        )?
        else {
            return Ok(None);
        };
        let log = Arc::new(log);
        self.change_logs.lock().insert(*hash, log.clone());
        Ok(Some(log))
    }

    /// The events stored with block `hash` (the runtime's SCALE `Vec<EventRecord>`, opaque
    /// here), if any: every block imported since schema v5 has them (the genesis block none).
    /// Kept whatever the state pruning; gone only with a block of a fork that lost finality.
    pub fn block_events(&self, hash: &Hash) -> Result<Option<Vec<u8>>, StorageError> {
        self.get_raw(col::EVENTS, hash.as_bytes())
    }

    /// The auxiliary value under `key`: node-side state that is not part of the chain (the
    /// GRANDPA voter's rounds), kept in the `meta` column under an `aux:` prefix.
    pub fn aux(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StorageError> {
        self.get_raw(col::META, &key::aux(key))
    }

    /// Sets the auxiliary value under `key` (durably, when the store syncs its writes).
    pub fn put_aux(&self, key: &[u8], value: &[u8]) -> Result<(), StorageError> {
        let mut batch = Transaction::default();
        batch.put(col::META, key::aux(key), value);
        self.write(batch)
    }

    /// The transaction hashes of block `hash`, in block order, if the block is stored.
    pub fn block_tx_hashes(&self, hash: &Hash) -> Result<Option<Vec<Hash>>, StorageError> {
        self.get_decoded(col::INDICES, &key::block_txs(hash), "block tx list")
    }

    /// The raw value under `key` in column `column`.
    pub(crate) fn get_raw(
        &self,
        column: &'static str,
        key: &[u8],
    ) -> Result<Option<Vec<u8>>, StorageError> {
        self.kv.get(column, key)
    }

    /// The value under `key` in column `column`, decoded as `T` (all bytes must be used).
    pub(crate) fn get_decoded<T: Decode>(
        &self,
        column: &'static str,
        key: &[u8],
        what: &'static str,
    ) -> Result<Option<T>, StorageError> {
        self.kv
            .get(column, key)?
            .map(|bytes| decode_stored(&bytes, what))
            .transpose()
    }

    /// Writes `batch` atomically (fsynced when the store is configured so), then evicts the
    /// state nodes it deleted from the node cache.
    pub(crate) fn write(&self, batch: Transaction) -> Result<(), StorageError> {
        let deleted: Vec<TrieHash> = batch
            .ops
            .iter()
            .filter_map(|op| match op {
                Op::Delete { column, key } if *column == col::STATE => {
                    key.as_slice().try_into().ok()
                }
                _ => None,
            })
            .collect();
        self.kv.write(batch)?;
        if !deleted.is_empty() {
            let mut cache = self.node_cache.lock();
            for hash in &deleted {
                cache.remove(hash);
            }
        }
        Ok(())
    }
}

impl Database {
    /// The trie node `hash` from the `state` column, read as `mode` says; a RocksDB error is
    /// logged and reported as a missing node (what [`NodeStore::get_node`] can say).
    fn read_node(&self, hash: &TrieHash, mode: ReadMode) -> Option<Vec<u8>> {
        match self.kv.get_with(col::STATE, hash, mode) {
            Ok(node) => node,
            Err(error) => {
                tracing::error!(
                    target: LOG_TARGET,
                    node = %Hash(*hash),
                    %error,
                    "reading a state node failed",
                );
                None
            }
        }
    }
}

/// A stored value decoded as `T`; `what` names it in the error.
pub(crate) fn decode_stored<T: Decode>(
    bytes: &[u8],
    what: &'static str,
) -> Result<T, StorageError> {
    T::decode_all(&mut &bytes[..]).map_err(|source| StorageError::Codec { what, source })
}

impl NodeStore for Database {
    /// Reads the node cache, then the `state` column (remembering what it read); a RocksDB
    /// error is logged and reported as a missing node.
    fn get_node(&self, hash: &TrieHash) -> Option<Vec<u8>> {
        if let Some(node) = self.node_cache.lock().get(hash) {
            return Some(node);
        }
        let node = self.read_node(hash, ReadMode::Cached)?;
        self.node_cache.lock().insert(*hash, &node);
        Some(node)
    }
}

/// The state's trie nodes for one bulk pass ([`Database::bulk_state`]): the node cache is read
/// but neither filled nor reordered, and RocksDB reads do not fill the block cache.
#[derive(Clone, Copy, Debug)]
pub struct BulkStateReader<'a> {
    db: &'a Database,
}

impl NodeStore for BulkStateReader<'_> {
    /// A node the node cache holds, else the `state` column read in [`ReadMode::Bulk`]; a
    /// RocksDB error is logged and reported as a missing node.
    fn get_node(&self, hash: &TrieHash) -> Option<Vec<u8>> {
        if let Some(node) = self.db.node_cache.lock().peek(hash) {
            return Some(node);
        }
        self.db.read_node(hash, ReadMode::Bulk)
    }
}
