//! The runtime's view of the trie: a [`StateBackend`] over a [`StateView`], and the step that
//! turns a block's changes into a new state root.

use std::cell::RefCell;
use std::collections::HashMap;

use ghost_primitives::Hash;
use ghost_support::ext::{BackendError, StateBackend, StateChanges};
use ghost_trie::{NodeEntry, NodeStore, RefChange, StateView, TrieError};

/// The state at one root, read through the trie.
///
/// Reads are cached: the state at a root never changes, and a block reads the same keys (the
/// genesis hash, the fee schedule, the treasury, ...) once per extrinsic, so each key walks the
/// trie at most once per block.
pub struct TrieBackend<'a> {
    view: StateView<'a>,
    cache: RefCell<HashMap<Vec<u8>, Option<Vec<u8>>>>,
}

impl<'a> TrieBackend<'a> {
    /// The state at `root` in `store`.
    pub fn new(store: &'a dyn NodeStore, root: Hash) -> Self {
        TrieBackend {
            view: StateView::new(store, root.0),
            cache: RefCell::new(HashMap::new()),
        }
    }
}

impl StateBackend for TrieBackend<'_> {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, BackendError> {
        if let Some(value) = self.cache.borrow().get(key) {
            return Ok(value.clone());
        }
        let value = self
            .view
            .get(key)
            .map_err(|e| BackendError(e.to_string()))?;
        self.cache.borrow_mut().insert(key.to_vec(), value.clone());
        Ok(value)
    }
    fn next_key(&self, key: &[u8]) -> Result<Option<Vec<u8>>, BackendError> {
        self.view
            .next_key(key)
            .map_err(|e| BackendError(e.to_string()))
    }
}

/// The new root, the trie nodes to persist, and the nodes' reference-count changes (for a
/// pruning store) after applying `changes` on top of `root`.
pub fn commit_changes(
    store: &dyn NodeStore,
    root: Hash,
    changes: StateChanges,
) -> Result<(Hash, Vec<NodeEntry>, Vec<RefChange>), TrieError> {
    let update = ghost_trie::apply_changes_counted(store, root.0, changes)?;
    Ok((Hash(update.root), update.nodes, update.refs))
}
