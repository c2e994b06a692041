//! The runtime's view of the trie: a [`StateBackend`] over a [`StateView`], and the step that
//! turns a block's changes into a new state root.

use ghost_primitives::Hash;
use ghost_support::ext::{BackendError, StateBackend, StateChanges};
use ghost_trie::{NodeEntry, NodeStore, StateView, TrieError};

/// The state at one root, read through the trie.
pub struct TrieBackend<'a> {
    view: StateView<'a>,
}

impl<'a> TrieBackend<'a> {
    /// The state at `root` in `store`.
    pub fn new(store: &'a dyn NodeStore, root: Hash) -> Self {
        TrieBackend {
            view: StateView::new(store, root.0),
        }
    }
}

impl StateBackend for TrieBackend<'_> {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, BackendError> {
        self.view.get(key).map_err(|e| BackendError(e.to_string()))
    }
    fn next_key(&self, key: &[u8]) -> Result<Option<Vec<u8>>, BackendError> {
        self.view
            .next_key(key)
            .map_err(|e| BackendError(e.to_string()))
    }
}

/// The new root and the trie nodes to persist after applying `changes` on top of `root`.
pub fn commit_changes(
    store: &dyn NodeStore,
    root: Hash,
    changes: StateChanges,
) -> Result<(Hash, Vec<NodeEntry>), TrieError> {
    let (new_root, nodes) = ghost_trie::apply_changes(store, root.0, changes)?;
    Ok((Hash(new_root), nodes))
}
