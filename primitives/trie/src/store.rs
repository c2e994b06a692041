//! Node storage: the [`NodeStore`] trait, an in-memory store, and the `hash-db` adapters that let
//! `trie-db` read a store (and write to an overlay above it).

use std::collections::HashMap;

use hash_db::{AsHashDB, HashDB, HashDBRef, Prefix};
use memory_db::{HashKey, MemoryDB};

use crate::{
    Blake3Hasher, EMPTY_NODE, EMPTY_ROOT, NodeEntry, NodeHashBuildHasher, RefChange, TrieHash,
};

/// Persistent trie nodes keyed by their blake3 hash (the node's RocksDB column, or memory in
/// tests).
///
/// Long values (over [`MAX_INLINE_VALUE_LEN`](crate::MAX_INLINE_VALUE_LEN) bytes) live here too,
/// keyed by their hash. Entries are content-addressed and immutable. This crate never removes
/// one; a store that prunes old roots does so from the [`RefChange`]s of each update (see
/// [`apply_changes_counted`](crate::apply_changes_counted)).
pub trait NodeStore: Send + Sync {
    /// Returns the bytes whose blake3 hash is `hash`, or `None` when the store lacks them.
    ///
    /// The empty node is never asked for; readers treat [`EMPTY_ROOT`] as always present.
    fn get_node(&self, hash: &TrieHash) -> Option<Vec<u8>>;
}

/// A [`NodeStore`] in a `HashMap`, for tests, genesis and tools.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MemoryNodeStore {
    nodes: HashMap<TrieHash, Vec<u8>, NodeHashBuildHasher>,
}

impl MemoryNodeStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds nodes, as returned by [`apply_changes`](crate::apply_changes) or
    /// [`build`](crate::build). The caller vouches that each hash is the blake3 of its bytes.
    pub fn insert_nodes<I: IntoIterator<Item = NodeEntry>>(&mut self, nodes: I) {
        self.nodes.extend(nodes);
    }

    /// Removes a node and returns it (tests use this to simulate an incomplete database).
    pub fn remove_node(&mut self, hash: &TrieHash) -> Option<Vec<u8>> {
        self.nodes.remove(hash)
    }

    /// The hashes of every stored node, in no particular order.
    pub fn hashes(&self) -> Vec<TrieHash> {
        self.nodes.keys().copied().collect()
    }

    /// Number of stored nodes.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether the store holds no node.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }
}

impl NodeStore for MemoryNodeStore {
    fn get_node(&self, hash: &TrieHash) -> Option<Vec<u8>> {
        self.nodes.get(hash).cloned()
    }
}

/// The in-memory `hash-db` used for overlays, proofs and builds.
pub(crate) type MemoryTrieDb = MemoryDB<Blake3Hasher, HashKey<Blake3Hasher>, Vec<u8>>;

/// A fresh [`MemoryTrieDb`] that knows the empty node.
pub(crate) fn memory_trie_db() -> MemoryTrieDb {
    MemoryTrieDb::new(EMPTY_NODE)
}

/// Drains `db`: the entries `trie-db` added (positive reference count) and the reference-count
/// change of every node it touched ([`RefChange`]), both sorted by hash.
///
/// `trie-db` inserts a node once per trie position that holds it and removes it once per
/// position it leaves, so the count of an entry is exact even when one node (say a long value
/// two keys share) sits at several positions. The empty node never appears.
pub(crate) fn drain_counted(db: &mut MemoryTrieDb) -> (Vec<NodeEntry>, Vec<RefChange>) {
    let mut nodes = Vec::new();
    let mut refs = Vec::new();
    for (hash, (bytes, count)) in db.drain() {
        if count == 0 || hash == EMPTY_ROOT {
            continue;
        }
        refs.push((hash, count));
        if count > 0 {
            nodes.push((hash, bytes));
        }
    }
    nodes.sort_unstable_by_key(|(hash, _)| *hash);
    refs.sort_unstable_by_key(|(hash, _)| *hash);
    (nodes, refs)
}

/// Reads a [`NodeStore`] through `hash-db`'s read interface, supplying the empty node.
pub(crate) struct StoreDb<'a> {
    store: &'a dyn NodeStore,
}

impl<'a> StoreDb<'a> {
    /// Wraps `store`.
    pub(crate) fn new(store: &'a dyn NodeStore) -> Self {
        Self { store }
    }

    /// Looks `hash` up; the prefix is unused because the store is keyed by hash alone.
    fn lookup(&self, hash: &TrieHash) -> Option<Vec<u8>> {
        if *hash == EMPTY_ROOT {
            return Some(EMPTY_NODE.to_vec());
        }
        self.store.get_node(hash)
    }
}

impl HashDBRef<Blake3Hasher, Vec<u8>> for StoreDb<'_> {
    fn get(&self, key: &TrieHash, _prefix: Prefix) -> Option<Vec<u8>> {
        self.lookup(key)
    }

    fn contains(&self, key: &TrieHash, _prefix: Prefix) -> bool {
        self.lookup(key).is_some()
    }
}

/// A writable `hash-db` for [`trie_db::TrieDBMut`]: writes land in an in-memory overlay, reads
/// try the overlay and then the store. The store itself is never written.
pub(crate) struct OverlayDb<'a> {
    base: StoreDb<'a>,
    overlay: MemoryTrieDb,
}

impl<'a> OverlayDb<'a> {
    /// An empty overlay above `store`.
    pub(crate) fn new(store: &'a dyn NodeStore) -> Self {
        Self {
            base: StoreDb::new(store),
            overlay: memory_trie_db(),
        }
    }

    /// The nodes written to the overlay and not removed again, and the reference-count change
    /// of every node touched (negative for stored nodes the update removed from the trie); both
    /// sorted by hash. The store itself is not touched: deleting is the caller's decision.
    pub(crate) fn into_changes(mut self) -> (Vec<NodeEntry>, Vec<RefChange>) {
        drain_counted(&mut self.overlay)
    }
}

impl HashDB<Blake3Hasher, Vec<u8>> for OverlayDb<'_> {
    fn get(&self, key: &TrieHash, prefix: Prefix) -> Option<Vec<u8>> {
        HashDB::get(&self.overlay, key, prefix).or_else(|| self.base.lookup(key))
    }

    fn contains(&self, key: &TrieHash, prefix: Prefix) -> bool {
        HashDB::contains(&self.overlay, key, prefix) || self.base.lookup(key).is_some()
    }

    fn insert(&mut self, prefix: Prefix, value: &[u8]) -> TrieHash {
        self.overlay.insert(prefix, value)
    }

    fn emplace(&mut self, key: TrieHash, prefix: Prefix, value: Vec<u8>) {
        self.overlay.emplace(key, prefix, value)
    }

    fn remove(&mut self, key: &TrieHash, prefix: Prefix) {
        HashDB::remove(&mut self.overlay, key, prefix)
    }
}

impl AsHashDB<Blake3Hasher, Vec<u8>> for OverlayDb<'_> {
    fn as_hash_db(&self) -> &dyn HashDB<Blake3Hasher, Vec<u8>> {
        self
    }

    fn as_hash_db_mut<'b>(&'b mut self) -> &'b mut (dyn HashDB<Blake3Hasher, Vec<u8>> + 'b) {
        self
    }
}
