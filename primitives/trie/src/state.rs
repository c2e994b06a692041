//! [`StateView`]: reads of the state at one root.

use std::fmt;

use trie_db::{Trie, TrieDB, TrieDBBuilder};

use crate::{
    DecodedNodeCache, KeyValue, Layout, NodeCodecError, NodeStore, TrieError, TrieHash,
    store::StoreDb,
};

/// Read view of the state at one root.
///
/// Cheap to create and to copy: it holds only the store reference and the root. Any root ever
/// committed to the store can be viewed (see the crate doc on the archive model).
#[derive(Clone, Copy)]
pub struct StateView<'a> {
    store: &'a dyn NodeStore,
    root: TrieHash,
}

impl fmt::Debug for StateView<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StateView")
            .field("root", &self.root)
            .finish_non_exhaustive()
    }
}

impl<'a> StateView<'a> {
    /// A view of the trie at `root` in `store`. A root missing from the store surfaces as
    /// [`TrieError::MissingNode`] on the first read.
    pub fn new(store: &'a dyn NodeStore, root: TrieHash) -> Self {
        Self { store, root }
    }
}

impl StateView<'_> {
    /// The root this view reads.
    pub fn root(&self) -> TrieHash {
        self.root
    }

    /// The value at `key`, or `None` when the key is absent.
    pub fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, TrieError> {
        self.with_trie(|trie| trie.get(key))
    }

    /// As [`get`](Self::get), through `cache`: nodes it holds are neither fetched nor decoded
    /// again, and the nodes this read decodes are added to it.
    pub fn get_cached(
        &self,
        key: &[u8],
        cache: &mut DecodedNodeCache,
    ) -> Result<Option<Vec<u8>>, TrieError> {
        let db = StoreDb::new(self.store);
        let trie = TrieDBBuilder::<Layout>::new(&db, &self.root)
            .with_cache(cache)
            .build();
        trie.get(key)
            .map_err(|error| TrieError::from_backend(*error))
    }

    /// First key strictly greater than `key` (for prefix iteration that merges with an overlay).
    pub fn next_key(&self, key: &[u8]) -> Result<Option<Vec<u8>>, TrieError> {
        self.with_trie(|trie| {
            let mut keys = trie.key_iter()?;
            keys.seek(key)?;
            // `seek` stops at the first key >= `key`, so at most one key is skipped.
            for next in keys {
                let next = next?;
                if next != key {
                    return Ok(Some(next));
                }
            }
            Ok(None)
        })
    }

    /// Up to `limit` pairs whose key starts with `prefix`, in key order, starting at `start`
    /// (inclusive) if given.
    ///
    /// A `start` before `prefix` starts at `prefix`; a `start` after every key with the prefix
    /// gives an empty result.
    pub fn iter_prefix(
        &self,
        prefix: &[u8],
        start: Option<&[u8]>,
        limit: usize,
    ) -> Result<Vec<KeyValue>, TrieError> {
        let seek_to = match start {
            Some(start) if start > prefix => {
                if !start.starts_with(prefix) {
                    // `start` differs from `prefix` at a greater byte: it follows every match.
                    return Ok(Vec::new());
                }
                start
            }
            _ => prefix,
        };
        if limit == 0 {
            return Ok(Vec::new());
        }
        self.with_trie(|trie| {
            let mut pairs = trie.iter()?;
            pairs.seek(seek_to)?;
            let mut found = Vec::new();
            for pair in pairs {
                let (key, value) = pair?;
                if !key.starts_with(prefix) {
                    break;
                }
                found.push((key, value));
                if found.len() >= limit {
                    break;
                }
            }
            Ok(found)
        })
    }

    /// Runs `read` against a `trie-db` reader of this view.
    fn with_trie<R>(
        &self,
        read: impl FnOnce(&TrieDB<'_, '_, Layout>) -> trie_db::Result<R, TrieHash, NodeCodecError>,
    ) -> Result<R, TrieError> {
        let db = StoreDb::new(self.store);
        let trie = TrieDBBuilder::<Layout>::new(&db, &self.root).build();
        read(&trie).map_err(|error| TrieError::from_backend(*error))
    }
}
