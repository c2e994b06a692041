//! Downloading a whole state from untrusted peers, entry by entry, starting from a state root
//! the caller trusts (a finalized header's `state_root`).
//!
//! Every entry of the [`NodeStore`](crate::NodeStore) (trie nodes and long values) is named by
//! its blake3 hash, so [`StateSync`] asks for hashes and keeps an answer only if it hashes to
//! what was asked: a peer can withhold entries but cannot forge one. A node's children and long
//! values (the hashes it names, inline children included) join the wanted set as it arrives, so
//! the download walks the trie from the root down in batches of any size, from any number of
//! peers, in any order.
//!
//! [`StateSync::finish`] hands back the entries with their reference counts (the number of
//! trie positions of each, as [`build_counted`](crate::build_counted) reports them), ready for
//! a store that prunes.
//!
//! Invariants: memory grows only with entries that hash to a wanted hash (so with the real
//! state's size); untrusted bytes never panic.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use trie_db::NodeCodec as _;
use trie_db::node::{NodeHandlePlan, NodePlan, ValuePlan};

use crate::{EMPTY_ROOT, NodeCodec, NodeCodecError, StateUpdate, TrieHash};

/// Inline children nested deeper than this are refused (a real node's inline child is shorter
/// than a hash, so real nesting is shallow).
const MAX_INLINE_DEPTH: usize = 16;

/// What a hash names in the store.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EntryKind {
    /// A trie node (decoded for the hashes it names).
    Node,
    /// A long value (opaque bytes).
    Value,
}

/// The hashes one stored node names, in encoding order (with repeats).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NodeRefs {
    /// Child nodes stored under their hash.
    pub nodes: Vec<TrieHash>,
    /// Long values stored under their hash.
    pub values: Vec<TrieHash>,
}

/// Why a peer's answer was refused.
#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StateSyncError {
    /// More entries than hashes asked.
    #[error("{sent} entries for {asked} hashes asked")]
    TooManyEntries {
        /// Hashes asked.
        asked: usize,
        /// Entries sent.
        sent: usize,
    },
    /// An entry does not hash to the hash asked in its place.
    #[error("entry {index} does not hash to the requested {expected:02x?}")]
    WrongHash {
        /// Its place in the answer.
        index: usize,
        /// The hash asked.
        expected: TrieHash,
    },
    /// A hash was answered that this download does not wait for.
    #[error("hash {0:02x?} was not asked for")]
    NotAsked(TrieHash),
    /// A node hashes right but is not a valid node (a chain whose state holds it is corrupt).
    #[error("node {hash:02x?} does not decode: {source}")]
    BadNode {
        /// The node's hash.
        hash: TrieHash,
        /// Why.
        #[source]
        source: NodeCodecError,
    },
    /// [`StateSync::finish`] before every entry arrived.
    #[error("the state download is missing {0} entries")]
    Incomplete(usize),
}

/// The hashes `node` names (see [`NodeRefs`]), looking into inline children.
///
/// # Errors
/// [`NodeCodecError`] for bytes that are not a node, or inline nesting deeper than any real
/// trie has.
pub fn node_refs(node: &[u8]) -> Result<NodeRefs, NodeCodecError> {
    let mut refs = NodeRefs::default();
    collect_refs(node, &mut refs, 0)?;
    Ok(refs)
}

fn collect_refs(node: &[u8], refs: &mut NodeRefs, depth: usize) -> Result<(), NodeCodecError> {
    if depth > MAX_INLINE_DEPTH {
        return Err(NodeCodecError::InvalidChildLength(0));
    }
    let hash_at = |range: std::ops::Range<usize>| -> Result<TrieHash, NodeCodecError> {
        let bytes = node.get(range).ok_or(NodeCodecError::UnexpectedEnd)?;
        bytes
            .try_into()
            .map_err(|_| NodeCodecError::InvalidHashLength(bytes.len()))
    };
    let (value, children) = match NodeCodec::decode_plan(node)? {
        NodePlan::Empty => return Ok(()),
        NodePlan::Leaf { value, .. } => (Some(value), Default::default()),
        NodePlan::NibbledBranch {
            value, children, ..
        }
        | NodePlan::Branch {
            value, children, ..
        } => (value, children),
        // The layout has no extension nodes; the strict codec never plans one.
        NodePlan::Extension { .. } => return Err(NodeCodecError::InvalidHeader(0)),
    };
    if let Some(ValuePlan::Node(range)) = value {
        refs.values.push(hash_at(range)?);
    }
    for child in children.into_iter().flatten() {
        match child {
            NodeHandlePlan::Hash(range) => refs.nodes.push(hash_at(range)?),
            NodeHandlePlan::Inline(range) => {
                let inline = node.get(range).ok_or(NodeCodecError::UnexpectedEnd)?;
                collect_refs(inline, refs, depth + 1)?;
            }
        }
    }
    Ok(())
}

/// One state's download (see the [module docs](self)).
#[derive(Clone, Debug)]
pub struct StateSync {
    root: TrieHash,
    /// Known to be needed, not asked for yet.
    wanted: BTreeMap<TrieHash, EntryKind>,
    /// Asked for, not answered yet.
    in_flight: BTreeMap<TrieHash, EntryKind>,
    /// Checked entries.
    received: HashMap<TrieHash, (EntryKind, Vec<u8>)>,
    /// Checked entries of an earlier root's download ([`StateSync::retarget`]), taken instead
    /// of asked for when this root names them.
    cache: HashMap<TrieHash, (EntryKind, Vec<u8>)>,
    /// Entries taken from `cache`.
    reused: usize,
    /// Bytes of the checked entries.
    bytes: u64,
}

impl StateSync {
    /// A download of the state under `root` (complete at once for the empty trie).
    pub fn new(root: TrieHash) -> StateSync {
        let mut wanted = BTreeMap::new();
        if root != EMPTY_ROOT {
            wanted.insert(root, EntryKind::Node);
        }
        StateSync {
            root,
            wanted,
            in_flight: BTreeMap::new(),
            received: HashMap::new(),
            cache: HashMap::new(),
            reused: 0,
            bytes: 0,
        }
    }

    /// A download of the state under `root` instead (a newer finalized block's, when peers no
    /// longer keep this one's state), reusing every entry this download checked already: an
    /// entry the new trie names is taken from them instead of asked for again. What the new
    /// state does not name is dropped at [`StateSync::finish`].
    pub fn retarget(self, root: TrieHash) -> StateSync {
        let mut next = StateSync::new(root);
        next.cache = self.cache;
        next.cache.extend(self.received);
        next.wanted.clear();
        if root != EMPTY_ROOT {
            next.want(root, EntryKind::Node);
        }
        next
    }

    /// Entries taken from an earlier download ([`StateSync::retarget`]) instead of asked for.
    pub fn reused(&self) -> usize {
        self.reused
    }

    /// Notes that `hash` is needed: taken from the cache (with what it names, in turn) when an
    /// earlier download checked it, otherwise wanted, unless it is received or asked already.
    fn want(&mut self, hash: TrieHash, kind: EntryKind) {
        let mut work = vec![(hash, kind)];
        while let Some((hash, kind)) = work.pop() {
            if self.received.contains_key(&hash) || self.in_flight.contains_key(&hash) {
                continue;
            }
            let cached = match self.cache.remove(&hash) {
                Some((_, bytes)) => match kind {
                    EntryKind::Node => node_refs(&bytes).ok().map(|refs| (bytes, refs)),
                    EntryKind::Value => Some((bytes, NodeRefs::default())),
                },
                None => None,
            };
            match cached {
                Some((bytes, refs)) => {
                    self.wanted.remove(&hash);
                    self.reused += 1;
                    self.bytes = self.bytes.saturating_add(bytes.len() as u64);
                    self.received.insert(hash, (kind, bytes));
                    work.extend(refs.nodes.into_iter().map(|h| (h, EntryKind::Node)));
                    work.extend(refs.values.into_iter().map(|h| (h, EntryKind::Value)));
                }
                None => {
                    self.wanted.entry(hash).or_insert(kind);
                }
            }
        }
    }

    /// The root being downloaded.
    pub fn root(&self) -> TrieHash {
        self.root
    }

    /// Up to `max` wanted hashes to ask for next (they count as in flight until answered or
    /// given back with [`StateSync::retry`]).
    pub fn next_batch(&mut self, max: usize) -> Vec<TrieHash> {
        let batch: Vec<TrieHash> = self.wanted.keys().take(max).copied().collect();
        for hash in &batch {
            if let Some(kind) = self.wanted.remove(hash) {
                self.in_flight.insert(*hash, kind);
            }
        }
        batch
    }

    /// Gives back in-flight hashes whose request failed or timed out, to be asked again.
    pub fn retry(&mut self, hashes: &[TrieHash]) {
        for hash in hashes {
            if let Some(kind) = self.in_flight.remove(hash) {
                self.wanted.insert(*hash, kind);
            }
        }
    }

    /// Takes a peer's answer to a request for `asked`: `entries` answer a prefix of it, in
    /// order (a peer may send fewer, for example to stay under a message size limit). Returns
    /// how many entries were kept. The unanswered rest of `asked` is wanted again.
    ///
    /// # Errors
    /// Nothing of the answer is kept, and every hash of `asked` is wanted again, when an entry
    /// does not hash to its hash, a node does not decode, a hash was not in flight, or there
    /// are more entries than hashes.
    pub fn import(
        &mut self,
        asked: &[TrieHash],
        entries: Vec<Vec<u8>>,
    ) -> Result<usize, StateSyncError> {
        let checked = self.check(asked, &entries);
        let checked = match checked {
            Ok(checked) => checked,
            Err(e) => {
                self.retry(asked);
                return Err(e);
            }
        };
        let kept = checked.len();
        for ((hash, kind, refs), bytes) in checked.into_iter().zip(entries) {
            self.in_flight.remove(&hash);
            self.bytes = self.bytes.saturating_add(bytes.len() as u64);
            self.received.insert(hash, (kind, bytes));
            for (child, kind) in refs
                .nodes
                .into_iter()
                .map(|h| (h, EntryKind::Node))
                .chain(refs.values.into_iter().map(|h| (h, EntryKind::Value)))
            {
                self.want(child, kind);
            }
        }
        self.retry(asked.get(kept..).unwrap_or_default());
        Ok(kept)
    }

    /// Checks every entry before any is kept.
    fn check(
        &self,
        asked: &[TrieHash],
        entries: &[Vec<u8>],
    ) -> Result<Vec<(TrieHash, EntryKind, NodeRefs)>, StateSyncError> {
        if entries.len() > asked.len() {
            return Err(StateSyncError::TooManyEntries {
                asked: asked.len(),
                sent: entries.len(),
            });
        }
        let mut checked = Vec::with_capacity(entries.len());
        for (index, (hash, bytes)) in asked.iter().zip(entries).enumerate() {
            let kind = *self
                .in_flight
                .get(hash)
                .ok_or(StateSyncError::NotAsked(*hash))?;
            if *blake3::hash(bytes).as_bytes() != *hash {
                return Err(StateSyncError::WrongHash {
                    index,
                    expected: *hash,
                });
            }
            let refs = match kind {
                EntryKind::Node => node_refs(bytes).map_err(|source| StateSyncError::BadNode {
                    hash: *hash,
                    source,
                })?,
                EntryKind::Value => NodeRefs::default(),
            };
            checked.push((*hash, kind, refs));
        }
        Ok(checked)
    }

    /// Whether every entry arrived.
    pub fn is_complete(&self) -> bool {
        self.wanted.is_empty() && self.in_flight.is_empty()
    }

    /// Entries kept so far.
    pub fn received(&self) -> usize {
        self.received.len()
    }

    /// Bytes of the entries kept so far.
    pub fn received_bytes(&self) -> u64 {
        self.bytes
    }

    /// Entries known to be needed and not asked for yet.
    pub fn wanted(&self) -> usize {
        self.wanted.len()
    }

    /// Entries known to be needed and not yet kept (wanted or in flight).
    pub fn pending(&self) -> usize {
        self.wanted.len() + self.in_flight.len()
    }

    /// The downloaded state: its entries sorted by hash, with the number of trie positions of
    /// each as positive [`RefChange`](crate::RefChange)s (what [`build_counted`](crate::build_counted)
    /// gives for the same state).
    ///
    /// # Errors
    /// [`StateSyncError::Incomplete`] before every entry arrived.
    pub fn finish(self) -> Result<StateUpdate, StateSyncError> {
        if !self.is_complete() {
            return Err(StateSyncError::Incomplete(self.pending()));
        }
        let mut counts: BTreeMap<TrieHash, i64> = BTreeMap::new();
        let mut stack = Vec::new();
        if self.root != EMPTY_ROOT {
            stack.push(self.root);
        }
        // Every entry reachable from the root arrived and decoded; visits follow positions.
        let mut decoded: HashMap<TrieHash, NodeRefs> = HashMap::new();
        while let Some(hash) = stack.pop() {
            *counts.entry(hash).or_default() += 1;
            let Some((EntryKind::Node, bytes)) = self.received.get(&hash) else {
                continue;
            };
            let refs = match decoded.get(&hash) {
                Some(refs) => refs.clone(),
                None => {
                    let refs = node_refs(bytes)
                        .map_err(|source| StateSyncError::BadNode { hash, source })?;
                    decoded.insert(hash, refs.clone());
                    refs
                }
            };
            stack.extend(refs.nodes);
            for value in refs.values {
                *counts.entry(value).or_default() += 1;
            }
        }
        let refs = counts
            .into_iter()
            .map(|(hash, count)| (hash, i32::try_from(count).unwrap_or(i32::MAX)))
            .collect();
        let mut nodes: Vec<_> = self
            .received
            .into_iter()
            .map(|(hash, (_, bytes))| (hash, bytes))
            .collect();
        nodes.sort_by_key(|a| a.0);
        Ok(StateUpdate {
            root: self.root,
            nodes,
            refs,
        })
    }
}

/// A bounded answer to a request for `asked` from `store`: the entries it holds, in order, up
/// to the first it lacks, and no more than `max_bytes` in all (at least one entry, so a single
/// large value still travels).
pub fn serve(store: &dyn crate::NodeStore, asked: &[TrieHash], max_bytes: usize) -> Vec<Vec<u8>> {
    let mut entries = Vec::new();
    let mut total = 0usize;
    for hash in asked {
        let Some(bytes) = store.get_node(hash) else {
            break;
        };
        total = total.saturating_add(bytes.len());
        if !entries.is_empty() && total > max_bytes {
            break;
        }
        entries.push(bytes);
    }
    entries
}

/// The distinct hashes in `hashes`, in order (a request naming one hash twice is answered once).
pub fn dedup(hashes: &[TrieHash]) -> Vec<TrieHash> {
    let mut seen = BTreeSet::new();
    hashes
        .iter()
        .filter(|h| seen.insert(**h))
        .copied()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{MemoryNodeStore, NodeStore, StateView, build_counted};

    fn state(n: u32) -> Vec<(Vec<u8>, Vec<u8>)> {
        (0..n)
            .map(|i| {
                // Short and long values, and some long values shared by several keys.
                let value = if i % 3 == 0 {
                    vec![(i % 7) as u8; 100]
                } else {
                    i.to_le_bytes().to_vec()
                };
                (format!("key-{i}").into_bytes(), value)
            })
            .collect()
    }

    fn store_of(pairs: Vec<(Vec<u8>, Vec<u8>)>) -> (StateUpdate, MemoryNodeStore) {
        let update = build_counted(pairs);
        let mut store = MemoryNodeStore::new();
        store.insert_nodes(update.nodes.clone());
        (update, store)
    }

    /// Downloads `root` from `store` in batches of `batch`.
    fn download(store: &dyn NodeStore, root: TrieHash, batch: usize) -> StateSync {
        let mut sync = StateSync::new(root);
        while !sync.is_complete() {
            let asked = sync.next_batch(batch);
            let entries = serve(store, &asked, usize::MAX);
            assert_eq!(sync.import(&asked, entries), Ok(asked.len()));
        }
        sync
    }

    #[test]
    fn a_downloaded_state_has_the_entries_and_counts_of_the_built_one() {
        let (built, store) = store_of(state(500));
        let sync = download(&store, built.root, 37);
        let update = sync.finish().expect("complete");
        assert_eq!(update, built);
        let mut copy = MemoryNodeStore::new();
        copy.insert_nodes(update.nodes);
        let view = StateView::new(&copy, update.root);
        assert_eq!(
            view.get(b"key-3").expect("read"),
            Some(vec![3u8; 100]),
            "a long value reads back"
        );
    }

    /// Half of one state downloaded, then the download moves to a newer state that changed a
    /// few keys: the new one completes asking only for what the old one did not have, and
    /// finishes with exactly the new state's entries and counts (nothing of the old one left).
    #[test]
    fn a_retargeted_download_reuses_what_it_has_and_ends_with_the_new_state_only() {
        let old_pairs = state(2_000);
        let (old, old_store) = store_of(old_pairs.clone());
        let mut new_pairs = old_pairs;
        for (i, (_, value)) in new_pairs.iter_mut().enumerate().step_by(97) {
            *value = format!("changed-{i}").into_bytes();
        }
        new_pairs.push((b"key-new".to_vec(), vec![9; 80]));
        let (new, new_store) = store_of(new_pairs);
        assert_ne!(old.root, new.root);

        let mut sync = StateSync::new(old.root);
        while sync.received() < old.nodes.len() / 2 {
            let asked = sync.next_batch(50);
            let entries = serve(&old_store, &asked, usize::MAX);
            sync.import(&asked, entries).expect("honest");
        }
        // Requests in flight when it moves are simply not waited for.
        let _lost = sync.next_batch(20);
        let had = sync.received();
        let mut sync = sync.retarget(new.root);
        assert_eq!(sync.root(), new.root);
        let mut asked_again = 0;
        while !sync.is_complete() {
            let asked = sync.next_batch(50);
            asked_again += asked.len();
            let entries = serve(&new_store, &asked, usize::MAX);
            assert_eq!(sync.import(&asked, entries), Ok(asked.len()));
        }
        assert!(
            asked_again < new.nodes.len(),
            "asked {asked_again} of {} entries again after having {had}",
            new.nodes.len()
        );
        assert!(sync.reused() > 0, "the unchanged subtries are taken over");
        assert_eq!(asked_again + sync.reused(), new.nodes.len());
        assert_eq!(sync.finish().expect("complete"), new);
    }

    #[test]
    fn the_empty_state_is_complete_at_once() {
        let sync = StateSync::new(EMPTY_ROOT);
        assert!(sync.is_complete());
        assert_eq!(sync.finish().expect("complete").nodes, vec![]);
    }

    #[test]
    fn a_forged_entry_is_refused_and_asked_again() {
        let (built, store) = store_of(state(50));
        let mut sync = StateSync::new(built.root);
        let asked = sync.next_batch(8);
        let mut entries = serve(&store, &asked, usize::MAX);
        entries[0].push(0);
        assert_eq!(
            sync.import(&asked, entries),
            Err(StateSyncError::WrongHash {
                index: 0,
                expected: built.root
            })
        );
        assert_eq!(sync.received(), 0);
        // The root is wanted again, and an honest answer completes the download.
        assert_eq!(sync.next_batch(8), asked);
        sync.retry(&asked);
        let sync = {
            let mut sync = sync;
            while !sync.is_complete() {
                let asked = sync.next_batch(8);
                let entries = serve(&store, &asked, usize::MAX);
                sync.import(&asked, entries).expect("honest answer");
            }
            sync
        };
        assert_eq!(sync.finish().expect("complete"), built);
    }

    #[test]
    fn an_unasked_or_surplus_entry_is_refused() {
        let (built, store) = store_of(state(50));
        let mut sync = StateSync::new(built.root);
        let asked = sync.next_batch(1);
        let root = store.get_node(&built.root).expect("root");
        assert_eq!(
            sync.import(&asked, vec![root.clone(), root.clone()]),
            Err(StateSyncError::TooManyEntries { asked: 1, sent: 2 })
        );
        // Not in flight any more (given back): an answer for it now is not asked for.
        assert_eq!(
            sync.import(&asked, vec![root]),
            Err(StateSyncError::NotAsked(built.root))
        );
    }

    #[test]
    fn a_hash_correct_non_node_is_refused() {
        let garbage = vec![0xffu8; 40];
        let root = *blake3::hash(&garbage).as_bytes();
        let mut sync = StateSync::new(root);
        let asked = sync.next_batch(1);
        assert!(matches!(
            sync.import(&asked, vec![garbage]),
            Err(StateSyncError::BadNode { .. })
        ));
        assert!(!sync.is_complete());
    }

    #[test]
    fn a_short_answer_keeps_the_prefix_and_wants_the_rest() {
        let (built, store) = store_of(state(200));
        let mut sync = StateSync::new(built.root);
        let asked = sync.next_batch(1);
        sync.import(&asked, serve(&store, &asked, usize::MAX))
            .expect("root");
        let asked = sync.next_batch(10);
        assert!(asked.len() > 2);
        let mut entries = serve(&store, &asked, usize::MAX);
        entries.truncate(2);
        assert_eq!(sync.import(&asked, entries), Ok(2));
        // The rest is asked again.
        let next = sync.next_batch(usize::MAX);
        assert!(asked[2..].iter().all(|hash| next.contains(hash)));
        assert!(matches!(
            sync.clone().finish(),
            Err(StateSyncError::Incomplete(_))
        ));
    }

    #[test]
    fn serving_stops_at_the_byte_budget_and_at_a_missing_entry() {
        let (built, store) = store_of(state(200));
        let mut sync = StateSync::new(built.root);
        let asked = sync.next_batch(1);
        sync.import(&asked, serve(&store, &asked, usize::MAX))
            .expect("root");
        let asked = sync.next_batch(16);
        assert_eq!(serve(&store, &asked, 1).len(), 1);
        let mut with_gap = asked.clone();
        with_gap.insert(1, [9; 32]);
        assert_eq!(serve(&store, &with_gap, usize::MAX).len(), 1);
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_nodes_never_panic(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..256)) {
            let _ = node_refs(&bytes);
        }
    }
}
