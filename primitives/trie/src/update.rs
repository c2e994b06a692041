//! Writing tries: [`apply_changes`] to an existing root, [`build`] and [`root_of`] from scratch.

use std::collections::BTreeMap;

use trie_db::{TrieCache, TrieConfiguration, TrieDBMut, TrieDBMutBuilder, TrieMut};

use crate::cache::CommitView;
use crate::{
    DecodedNodeCache, Layout, NodeCodec, NodeCodecError, NodeEntry, NodeStore, RefChange,
    TrieError, TrieHash,
    store::{OverlayDb, drain_counted, memory_trie_db},
};

/// The result of one state update: the new root, the nodes to persist, and how the number of
/// trie positions holding each node changed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StateUpdate {
    /// The new state root.
    pub root: TrieHash,
    /// The nodes (and long values) the update created, sorted by hash.
    pub nodes: Vec<NodeEntry>,
    /// For every node the update touched, positions gained (positive) or lost (negative);
    /// sorted by hash, no zero entries, never the empty node. A store that counts references
    /// adds these; one that archives ignores them.
    pub refs: Vec<RefChange>,
}

/// Applies changes (`Some` = set, `None` = delete) to the trie at `root`; returns the new root
/// and the nodes created, to persist.
///
/// Changes are applied in key order, so the result does not depend on the iterator's order;
/// when a key repeats, its last change wins. The store is only read: nodes are immutable and
/// content-addressed, so the old ones stay valid for the old root and nothing is deleted. The
/// new nodes are sorted by hash; none is returned for an unchanged trie.
///
/// # Errors
///
/// [`TrieError::MissingNode`] when a node on a changed key's path is not in `store` (the root
/// itself is only looked up if a change touches it), [`TrieError::InvalidNode`] when one is
/// corrupt.
pub fn apply_changes<I: IntoIterator<Item = (Vec<u8>, Option<Vec<u8>>)>>(
    store: &dyn NodeStore,
    root: TrieHash,
    changes: I,
) -> Result<(TrieHash, Vec<NodeEntry>), TrieError> {
    apply_changes_counted(store, root, changes).map(|update| (update.root, update.nodes))
}

/// As [`apply_changes`], and also reports the reference-count change of every node touched
/// ([`StateUpdate::refs`]): what a pruning store needs to know which old nodes the new root no
/// longer holds.
///
/// # Errors
///
/// As [`apply_changes`].
pub fn apply_changes_counted<I: IntoIterator<Item = (Vec<u8>, Option<Vec<u8>>)>>(
    store: &dyn NodeStore,
    root: TrieHash,
    changes: I,
) -> Result<StateUpdate, TrieError> {
    apply_changes_cached(store, root, changes, None)
}

/// As [`apply_changes_counted`], taking the nodes on the changed paths from `cache` where it
/// has them (the block's reads decoded them already) instead of fetching and decoding them
/// again. The result is the same with or without a cache; the cache is not changed.
///
/// # Errors
///
/// As [`apply_changes`].
pub fn apply_changes_cached<I: IntoIterator<Item = (Vec<u8>, Option<Vec<u8>>)>>(
    store: &dyn NodeStore,
    root: TrieHash,
    changes: I,
    cache: Option<&DecodedNodeCache>,
) -> Result<StateUpdate, TrieError> {
    let mut changes: Vec<_> = changes.into_iter().collect();
    // Stable, so repeated keys keep their order and the last change wins.
    changes.sort_by(|a, b| a.0.cmp(&b.0));

    let mut db = OverlayDb::new(store);
    let mut new_root = root;
    let mut view = cache.map(CommitView);
    {
        let mut trie = TrieDBMutBuilder::<Layout>::from_existing(&mut db, &mut new_root)
            .with_optional_cache(view.as_mut().map(|v| v as &mut dyn TrieCache<NodeCodec>))
            .disable_commit_on_drop()
            .build();
        for (key, change) in &changes {
            match change {
                Some(value) => trie.insert(key, value).map(drop),
                None => remove_present(&mut trie, key),
            }
            .map_err(|error| TrieError::from_backend(*error))?;
        }
        trie.commit();
    }
    let (nodes, refs) = db.into_changes();
    Ok(StateUpdate {
        root: new_root,
        nodes,
        refs,
    })
}

/// Removes `key` if it is present.
///
/// Works around paritytech/trie#217 (trie-db 0.32): removing an absent key that is a strict
/// prefix of present keys deletes a longer key's value (and panics in debug builds), because
/// `remove` treats "key exhausted at a branch" as a match without comparing the branch's own
/// partial key. For a present key that case only happens when that partial is empty, where the
/// match is right, so skipping absent keys avoids the bug. Lookups compare the partial key
/// properly.
fn remove_present(
    trie: &mut TrieDBMut<'_, Layout>,
    key: &[u8],
) -> trie_db::Result<(), TrieHash, NodeCodecError> {
    if trie.contains(key)? {
        trie.remove(key)?;
    }
    Ok(())
}

/// Root of a trie holding exactly these pairs, and its nodes (sorted by hash; the empty trie
/// has none). When a key repeats, its last value wins.
pub fn build<I: IntoIterator<Item = (Vec<u8>, Vec<u8>)>>(pairs: I) -> (TrieHash, Vec<NodeEntry>) {
    let update = build_counted(pairs);
    (update.root, update.nodes)
}

/// As [`build`], with the number of positions of each node ([`StateUpdate::refs`], all
/// positive): the reference counts of a fresh trie.
pub fn build_counted<I: IntoIterator<Item = (Vec<u8>, Vec<u8>)>>(pairs: I) -> StateUpdate {
    let pairs: BTreeMap<_, _> = pairs.into_iter().collect();
    let mut db = memory_trie_db();
    let root = Layout::trie_build(&mut db, pairs);
    let (nodes, refs) = drain_counted(&mut db);
    StateUpdate { root, nodes, refs }
}

/// Root of a trie holding exactly these pairs (genesis, tests). When a key repeats, its last
/// value wins. Same root as [`build`], without keeping the nodes.
pub fn root_of<I: IntoIterator<Item = (Vec<u8>, Vec<u8>)>>(pairs: I) -> TrieHash {
    let pairs: BTreeMap<_, _> = pairs.into_iter().collect();
    Layout::trie_root(pairs)
}
