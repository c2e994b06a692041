//! [`DecodedNodeCache`]: the decoded trie nodes one block's execution has read, so the upper
//! levels every key shares are fetched and decoded once, and the commit that follows the reads
//! does not fetch and decode the touched paths a second time.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use trie_db::node::NodeOwned;
use trie_db::{CachedValue, TrieCache, TrieError as DbError};

use crate::{NodeCodec, NodeCodecError, TrieHash};

/// What `trie-db` hands a cache and wants back.
type DbResult<T> = trie_db::Result<T, TrieHash, NodeCodecError>;

/// A `std` hasher for keys that are already blake3 hashes (node hashes): folds the input in
/// 8-byte words, FxHash-style. Not for attacker-chosen keys: a node's hash is not chosen, it is
/// the blake3 of its contents.
#[derive(Clone, Copy, Debug, Default)]
pub struct NodeHashHasher(u64);

impl Hasher for NodeHashHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(K);
        }
        for &byte in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(byte)).wrapping_mul(K);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// Builds [`NodeHashHasher`]s.
pub type NodeHashBuildHasher = BuildHasherDefault<NodeHashHasher>;

/// Decoded trie nodes (and long values) by hash, for the reads and the commit of one block.
///
/// Nodes are content-addressed, so an entry is valid for every root; the cache only grows
/// while it lives, so keep it for one block ([`StateView::get_cached`](crate::StateView) fills
/// it, [`apply_changes_cached`](crate::apply_changes_cached) reads it) and drop it after.
#[derive(Default)]
pub struct DecodedNodeCache {
    nodes: HashMap<TrieHash, NodeOwned<TrieHash>, NodeHashBuildHasher>,
}

impl std::fmt::Debug for DecodedNodeCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DecodedNodeCache")
            .field("nodes", &self.nodes.len())
            .finish()
    }
}

impl DecodedNodeCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many nodes it holds.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }
}

/// Reads fill the cache. Values are not cached by key: the caller caches what it read.
impl TrieCache<NodeCodec> for DecodedNodeCache {
    fn lookup_value_for_key(&mut self, _key: &[u8]) -> Option<&CachedValue<TrieHash>> {
        None
    }

    fn cache_value_for_key(&mut self, _key: &[u8], _value: CachedValue<TrieHash>) {}

    fn get_or_insert_node(
        &mut self,
        hash: TrieHash,
        fetch_node: &mut dyn FnMut() -> DbResult<NodeOwned<TrieHash>>,
    ) -> DbResult<&NodeOwned<TrieHash>> {
        match self.nodes.entry(hash) {
            std::collections::hash_map::Entry::Occupied(entry) => Ok(entry.into_mut()),
            std::collections::hash_map::Entry::Vacant(entry) => Ok(entry.insert(fetch_node()?)),
        }
    }

    fn get_node(&mut self, hash: &TrieHash) -> Option<&NodeOwned<TrieHash>> {
        self.nodes.get(hash)
    }
}

/// The cache as a commit sees it: it serves the nodes the reads decoded and takes nothing new
/// (`trie-db` would otherwise decode every node it just encoded, to cache it).
pub(crate) struct CommitView<'a>(pub(crate) &'a DecodedNodeCache);

impl TrieCache<NodeCodec> for CommitView<'_> {
    fn lookup_value_for_key(&mut self, _key: &[u8]) -> Option<&CachedValue<TrieHash>> {
        None
    }

    fn cache_value_for_key(&mut self, _key: &[u8], _value: CachedValue<TrieHash>) {}

    fn get_or_insert_node(
        &mut self,
        hash: TrieHash,
        _fetch_node: &mut dyn FnMut() -> DbResult<NodeOwned<TrieHash>>,
    ) -> DbResult<&NodeOwned<TrieHash>> {
        // Only `TrieDBMut`'s caching of new nodes and values calls this during a commit, and it
        // skips the node on `Err`; lookups in the commit go through `get_node`.
        Err(Box::new(DbError::IncompleteDatabase(hash)))
    }

    fn get_node(&mut self, hash: &TrieHash) -> Option<&NodeOwned<TrieHash>> {
        self.0.nodes.get(hash)
    }
}
