//! The key-value layer under [`Database`](crate::Database): RocksDB on disk, or a map in memory.
//!
//! Everything the database writes goes through one [`Transaction`] per block, applied atomically
//! by [`KeyValueStore::write`]; reads are single lookups. The in-memory store keeps the same
//! semantics (a transaction becomes visible all at once), so tests and the consensus simulator
//! run the real commit logic without a disk.

use std::collections::HashMap;
use std::path::Path;

use parking_lot::RwLock;
use rocksdb::{
    BlockBasedOptions, Cache, ColumnFamilyDescriptor, DB, DBCompressionType, Options, ReadOptions,
    WriteBatch, WriteOptions,
};

use crate::error::StorageError;
use crate::schema::col;

/// One write of a [`Transaction`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    /// Sets `key` in `column` to `value`.
    Put {
        /// Column family name (one of [`col::ALL`]).
        column: &'static str,
        /// The key.
        key: Vec<u8>,
        /// The value.
        value: Vec<u8>,
    },
    /// Removes `key` from `column`.
    Delete {
        /// Column family name.
        column: &'static str,
        /// The key.
        key: Vec<u8>,
    },
}

/// Writes applied together or not at all; within one transaction a later write to a key wins.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Transaction {
    /// The writes, in order.
    pub ops: Vec<Op>,
}

impl Transaction {
    /// Sets `key` in `column`.
    pub fn put(
        &mut self,
        column: &'static str,
        key: impl Into<Vec<u8>>,
        value: impl Into<Vec<u8>>,
    ) {
        self.ops.push(Op::Put {
            column,
            key: key.into(),
            value: value.into(),
        });
    }

    /// Removes `key` from `column`.
    pub fn delete(&mut self, column: &'static str, key: impl Into<Vec<u8>>) {
        self.ops.push(Op::Delete {
            column,
            key: key.into(),
        });
    }
}

/// How a read treats the store's caches.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ReadMode {
    /// A read that is likely to come again (block import, RPC, DNS proofs): the blocks it reads
    /// stay in the block cache.
    #[default]
    Cached,
    /// One pass over data that will not be read again soon (loading GhostBridge's index): the
    /// blocks are read and decompressed but not added to the block cache, so the pass neither
    /// grows it to its bound nor evicts what the other reads keep there (RocksDB's
    /// `fill_cache(false)` for bulk scans).
    Bulk,
}

/// A store of columns of keys and values with atomic multi-key writes.
pub trait KeyValueStore: Send + Sync {
    /// The value under `key` in `column`.
    fn get(&self, column: &'static str, key: &[u8]) -> Result<Option<Vec<u8>>, StorageError>;
    /// The value under `key` in `column`, read as `mode` says. A store without a cache reads as
    /// [`KeyValueStore::get`].
    fn get_with(
        &self,
        column: &'static str,
        key: &[u8],
        mode: ReadMode,
    ) -> Result<Option<Vec<u8>>, StorageError> {
        let _ = mode;
        self.get(column, key)
    }
    /// The values under `keys` in `column`, in the same order: one batched lookup where the
    /// store has one (RocksDB's `MultiGet` shares the memtable and table-file probes of keys a
    /// block touches together), else one [`KeyValueStore::get`] each.
    fn multi_get(
        &self,
        column: &'static str,
        keys: &[&[u8]],
    ) -> Result<Vec<Option<Vec<u8>>>, StorageError> {
        keys.iter().map(|key| self.get(column, key)).collect()
    }
    /// Bytes the block cache holds now, for a store that has one (`None` for the in-memory
    /// store).
    fn block_cache_usage(&self) -> Option<usize> {
        None
    }
    /// Applies `transaction` atomically.
    fn write(&self, transaction: Transaction) -> Result<(), StorageError>;
    /// Where the store lives, for logs (`memory` for the in-memory store).
    fn location(&self) -> String;
    /// The number of keys in `column` and their bytes, by walking it (for tests and reports).
    fn column_stats(&self, column: &'static str) -> Result<ColumnStats, StorageError>;
}

/// What [`KeyValueStore::column_stats`] counts: keys, and the bytes of keys plus values as
/// stored before compression.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ColumnStats {
    /// Number of keys.
    pub keys: u64,
    /// Total bytes of keys and values (uncompressed).
    pub bytes: u64,
}

/// RocksDB with one column family per [`col::ALL`] entry, LZ4 and a shared LRU block cache.
pub struct RocksStore {
    db: DB,
    sync_writes: bool,
    /// The block cache every column shares (kept so it outlives the options that point at it).
    cache: Cache,
    /// Options of [`ReadMode::Bulk`] reads: they do not fill the block cache.
    bulk_read: ReadOptions,
}

impl RocksStore {
    /// Opens (creating if needed) the RocksDB database at `path`.
    pub fn open(path: &Path, cache_size: usize, sync_writes: bool) -> Result<Self, StorageError> {
        let cache = Cache::new_lru_cache(cache_size);
        let mut table = BlockBasedOptions::default();
        table.set_block_cache(&cache);
        table.set_bloom_filter(10.0, false);

        let mut cf_opts = Options::default();
        cf_opts.set_compression_type(DBCompressionType::Lz4);
        cf_opts.set_block_based_table_factory(&table);

        let mut db_opts = cf_opts.clone();
        db_opts.create_if_missing(true);
        db_opts.create_missing_column_families(true);
        db_opts.set_keep_log_file_num(4);

        let descriptors = col::ALL
            .iter()
            .map(|name| ColumnFamilyDescriptor::new(*name, cf_opts.clone()));
        let db = DB::open_cf_descriptors(&db_opts, path, descriptors)?;
        let mut bulk_read = ReadOptions::default();
        bulk_read.fill_cache(false);
        Ok(RocksStore {
            db,
            sync_writes,
            cache,
            bulk_read,
        })
    }

    fn cf(&self, name: &'static str) -> Result<&rocksdb::ColumnFamily, StorageError> {
        self.db
            .cf_handle(name)
            .ok_or_else(|| StorageError::Corrupt(format!("column family {name} is missing")))
    }
}

impl KeyValueStore for RocksStore {
    fn get(&self, column: &'static str, key: &[u8]) -> Result<Option<Vec<u8>>, StorageError> {
        Ok(self
            .db
            .get_pinned_cf(self.cf(column)?, key)?
            .map(|slice| slice.to_vec()))
    }

    fn get_with(
        &self,
        column: &'static str,
        key: &[u8],
        mode: ReadMode,
    ) -> Result<Option<Vec<u8>>, StorageError> {
        match mode {
            ReadMode::Cached => self.get(column, key),
            ReadMode::Bulk => Ok(self
                .db
                .get_pinned_cf_opt(self.cf(column)?, key, &self.bulk_read)?
                .map(|slice| slice.to_vec())),
        }
    }

    fn multi_get(
        &self,
        column: &'static str,
        keys: &[&[u8]],
    ) -> Result<Vec<Option<Vec<u8>>>, StorageError> {
        let cf = self.cf(column)?;
        self.db
            .batched_multi_get_cf(cf, keys.iter().copied(), false)
            .into_iter()
            .map(|value| Ok(value?.map(|slice| slice.to_vec())))
            .collect()
    }

    fn block_cache_usage(&self) -> Option<usize> {
        Some(self.cache.get_usage())
    }

    fn write(&self, transaction: Transaction) -> Result<(), StorageError> {
        let mut batch = WriteBatch::default();
        for op in transaction.ops {
            match op {
                Op::Put { column, key, value } => batch.put_cf(self.cf(column)?, key, value),
                Op::Delete { column, key } => batch.delete_cf(self.cf(column)?, key),
            }
        }
        let mut opts = WriteOptions::default();
        opts.set_sync(self.sync_writes);
        self.db.write_opt(batch, &opts)?;
        Ok(())
    }

    fn location(&self) -> String {
        self.db.path().display().to_string()
    }

    fn column_stats(&self, column: &'static str) -> Result<ColumnStats, StorageError> {
        let mut stats = ColumnStats::default();
        for item in self
            .db
            .iterator_cf(self.cf(column)?, rocksdb::IteratorMode::Start)
        {
            let (key, value) = item?;
            stats.keys += 1;
            stats.bytes += (key.len() + value.len()) as u64;
        }
        Ok(stats)
    }
}

/// Columns of hash maps behind one lock: a transaction is applied under the write lock, so a
/// reader sees all of it or none.
#[derive(Default)]
pub struct MemoryStore {
    columns: RwLock<HashMap<&'static str, Column>>,
}

/// One column of a [`MemoryStore`].
type Column = HashMap<Vec<u8>, Vec<u8>>;

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }
}

impl KeyValueStore for MemoryStore {
    fn get(&self, column: &'static str, key: &[u8]) -> Result<Option<Vec<u8>>, StorageError> {
        Ok(self
            .columns
            .read()
            .get(column)
            .and_then(|c| c.get(key))
            .cloned())
    }

    fn write(&self, transaction: Transaction) -> Result<(), StorageError> {
        let mut columns = self.columns.write();
        for op in transaction.ops {
            match op {
                Op::Put { column, key, value } => {
                    columns.entry(column).or_default().insert(key, value);
                }
                Op::Delete { column, key } => {
                    if let Some(c) = columns.get_mut(column) {
                        c.remove(&key);
                    }
                }
            }
        }
        Ok(())
    }

    fn location(&self) -> String {
        "memory".into()
    }

    fn column_stats(&self, column: &'static str) -> Result<ColumnStats, StorageError> {
        let columns = self.columns.read();
        let mut stats = ColumnStats::default();
        for (key, value) in columns.get(column).into_iter().flatten() {
            stats.keys += 1;
            stats.bytes += (key.len() + value.len()) as u64;
        }
        Ok(stats)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exercise(store: &dyn KeyValueStore) {
        let mut tx = Transaction::default();
        tx.put(col::META, b"a".to_vec(), b"1".to_vec());
        tx.put(col::META, b"a".to_vec(), b"2".to_vec());
        tx.put(col::HEADERS, b"a".to_vec(), b"h".to_vec());
        tx.put(col::META, b"b".to_vec(), b"3".to_vec());
        tx.delete(col::META, b"b".to_vec());
        store.write(tx).unwrap();
        assert_eq!(store.get(col::META, b"a").unwrap(), Some(b"2".to_vec()));
        assert_eq!(store.get(col::HEADERS, b"a").unwrap(), Some(b"h".to_vec()));
        assert_eq!(store.get(col::META, b"b").unwrap(), None);
        assert_eq!(store.get(col::BODIES, b"a").unwrap(), None);
    }

    #[test]
    fn memory_and_rocks_agree_on_last_write_wins_and_columns() {
        exercise(&MemoryStore::new());
        let dir = tempfile::tempdir().unwrap();
        exercise(&RocksStore::open(dir.path(), 1 << 20, false).unwrap());
    }
}
