//! The runtime's view of the trie: a [`StateBackend`] over a [`StateView`], and the step that
//! turns a block's changes into a new state root.

use std::cell::RefCell;
use std::rc::Rc;

use ghost_primitives::Hash;
use ghost_support::ext::{BackendError, KeyMap, StateBackend, StateChanges};
use ghost_trie::{DecodedNodeCache, NodeEntry, NodeStore, RefChange, StateView, TrieError};

/// The state at one root, read through the trie.
///
/// Reads are cached: the state at a root never changes, and a block reads the same keys (the
/// genesis hash, the fee schedule, the treasury, ...) once per extrinsic, so each key walks the
/// trie at most once per block. The trie nodes those walks decode are kept too (a
/// [`DecodedNodeCache`]), so the levels every key shares are decoded once, and the block's
/// commit ([`commit_changes_cached`]) takes the touched paths from there.
pub struct TrieBackend<'a> {
    view: StateView<'a>,
    cache: RefCell<KeyMap<Option<Vec<u8>>>>,
    nodes: Rc<RefCell<DecodedNodeCache>>,
}

impl<'a> TrieBackend<'a> {
    /// The state at `root` in `store`.
    pub fn new(store: &'a dyn NodeStore, root: Hash) -> Self {
        Self::with_nodes(store, root, Rc::default())
    }

    /// The state at `root` in `store`, decoding trie nodes into `nodes` (shared with the
    /// caller, which hands it to [`commit_changes_cached`] after the block).
    pub fn with_nodes(
        store: &'a dyn NodeStore,
        root: Hash,
        nodes: Rc<RefCell<DecodedNodeCache>>,
    ) -> Self {
        TrieBackend {
            view: StateView::new(store, root.0),
            cache: RefCell::default(),
            nodes,
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
            .get_cached(key, &mut self.nodes.borrow_mut())
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

/// As [`commit_changes`], taking the trie nodes the block's reads decoded from `nodes` instead
/// of fetching and decoding them again (same result).
pub fn commit_changes_cached(
    store: &dyn NodeStore,
    root: Hash,
    changes: StateChanges,
    nodes: &DecodedNodeCache,
) -> Result<(Hash, Vec<NodeEntry>, Vec<RefChange>), TrieError> {
    let update = ghost_trie::apply_changes_cached(store, root.0, changes, Some(nodes))?;
    Ok((Hash(update.root), update.nodes, update.refs))
}
