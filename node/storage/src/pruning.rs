//! State pruning: which blocks keep their state, and how trie nodes nobody needs are deleted.
//!
//! # Modes
//!
//! [`StatePruning::Archive`] keeps every trie node ever written, so the state of every stored
//! block stays readable. [`StatePruning::Window`]`(n)` keeps the state of every block that is
//! not finalized yet and of the last `n` finalized blocks (the finalized block and the `n - 1`
//! below it); the state of older blocks is deleted in the same batch as the finality step that
//! moves them out of the window. Headers, bodies, justifications, indices and name change logs
//! (`domain_changes`) are kept in both modes: only the `state` column shrinks.
//!
//! The mode is recorded in `meta`. An archive database may be reopened with a window (state
//! written before the switch is kept for good, see below); a pruned one cannot be reopened as
//! an archive, because the state it deleted is gone ([`StorageError::PruningModeMismatch`]).
//!
//! # Reference counts, not a journal of deaths
//!
//! Nodes are content-addressed, so one stored node can sit at several positions of one trie
//! (two names with the same long record value share the value's entry) and in the tries of
//! several blocks and forks. Substrate's state-db deletes what a block's death row lists, which
//! is only right because its keys carry the node's trie position; ours are the bare hash. So
//! each node has a count (`state_refs` column) that [`ghost_trie::apply_changes_counted`] keeps
//! exact per position, and a node is deleted exactly when its count reaches zero.
//!
//! Each block still has a small journal (`state_journal` column, the block's
//! [`RefChange`]s): the count of a node is the number of its positions in the state of the
//! *base* (the oldest finalized block whose state is kept) plus the positions every later kept
//! block (canonical or fork) inserted. So:
//!
//! - **import** adds the block's insertions (positive changes) and stores its journal;
//! - **a fork that finality discards** subtracts its blocks' insertions (a node that fork shared
//!   with a kept block, same hash inserted twice, keeps the other block's count);
//! - **the base moving up** from a block to its child subtracts the child's removals (negative
//!   changes): the nodes the child's state no longer holds, which no older kept state needs.
//!
//! A node in any kept state therefore always has a positive count, and once the blocks above
//! the base are all final, every node's count is its number of positions in the kept states.
//! The counts, the node deletions, the journals and the new base are written in the batch of
//! the commit or finality step that orphans the nodes, so a crash leaves either the step or
//! nothing of it, and a restart needs no repair.
//!
//! # From archive to pruned
//!
//! Nodes written while the database was an archive have no count. After the switch they are
//! never counted or deleted (a node without a count that is already stored is left alone), so
//! every state from before the switch stays whole; only state written afterwards is pruned. The
//! base starts at the finalized block of the first pruned open.

use std::collections::HashMap;
use std::num::NonZeroU32;

use ghost_primitives::{BlockNumber, Hash};
use ghost_trie::{NodeEntry, RefChange, TrieHash};
use parity_scale_codec::Encode;

use crate::db::{Database, LOG_TARGET, decode_stored};
use crate::error::StorageError;
use crate::kv::{ColumnStats, Transaction};
use crate::schema::{col, key};

/// How much state the database keeps.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum StatePruning {
    /// Every state ever written (the default of [`crate::DatabaseConfig`] and of `--dev`).
    #[default]
    Archive,
    /// The state of every non-finalized block and of the last `n` finalized blocks.
    Window(NonZeroU32),
}

impl StatePruning {
    /// A window of 256 blocks: the node's default outside `--dev` (as Substrate's).
    pub const DEFAULT_WINDOW: StatePruning = match NonZeroU32::new(256) {
        Some(n) => StatePruning::Window(n),
        None => StatePruning::Archive,
    };

    /// The number of finalized states kept, or `None` for an archive.
    pub fn window(self) -> Option<u32> {
        match self {
            StatePruning::Archive => None,
            StatePruning::Window(n) => Some(n.get()),
        }
    }

    /// Keeps the last `n` finalized states; `None` for `n == 0` (the finalized block's state
    /// is always kept).
    pub fn window_of(n: u32) -> Option<StatePruning> {
        NonZeroU32::new(n).map(StatePruning::Window)
    }
}

impl std::fmt::Display for StatePruning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StatePruning::Archive => f.write_str("archive"),
            StatePruning::Window(n) => write!(f, "{n}"),
        }
    }
}

impl std::str::FromStr for StatePruning {
    type Err = String;

    /// `archive`, or a positive number of finalized blocks whose state is kept.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == "archive" {
            return Ok(StatePruning::Archive);
        }
        let n: u32 = s.parse().map_err(|_| {
            format!("state pruning must be `archive` or a number of blocks, not `{s}`")
        })?;
        StatePruning::window_of(n)
            .ok_or_else(|| "the state pruning window must keep at least 1 block".to_string())
    }
}

/// The reference-count changes of one batch, per node, and the bytes of the nodes the batch
/// may have to store.
#[derive(Default)]
pub(crate) struct RefDeltas {
    deltas: HashMap<TrieHash, i64>,
    bytes: HashMap<TrieHash, Vec<u8>>,
}

impl RefDeltas {
    /// Adds a new block's (or genesis') insertions: its nodes and their positive counts.
    pub(crate) fn insert(&mut self, nodes: Vec<NodeEntry>, refs: &[RefChange]) {
        self.bytes.extend(nodes);
        self.add(refs, |delta| (delta > 0).then_some(i64::from(delta)));
    }

    /// Takes back the insertions of a block whose fork was discarded.
    pub(crate) fn discard(&mut self, refs: &[RefChange]) {
        self.add(refs, |delta| (delta > 0).then_some(-i64::from(delta)));
    }

    /// Applies the removals of a block the base moves onto.
    pub(crate) fn remove(&mut self, refs: &[RefChange]) {
        self.add(refs, |delta| (delta < 0).then_some(i64::from(delta)));
    }

    fn add(&mut self, refs: &[RefChange], pick: impl Fn(i32) -> Option<i64>) {
        for (hash, delta) in refs {
            if let Some(delta) = pick(*delta) {
                *self.deltas.entry(*hash).or_default() += delta;
            }
        }
    }

    /// Adds the new counts to `batch`: stores nodes that gain their first count, deletes those
    /// whose count reaches zero. Returns how many nodes it deletes.
    pub(crate) fn write(
        mut self,
        db: &Database,
        batch: &mut Transaction,
    ) -> Result<usize, StorageError> {
        let untracked = db.has_untracked_state()?;
        let mut deleted = 0;
        let deltas: Vec<(TrieHash, i64)> = std::mem::take(&mut self.deltas)
            .into_iter()
            .filter(|(_, delta)| *delta != 0)
            .collect();
        let counts = db.ref_counts(deltas.iter().map(|(hash, _)| hash))?;
        for ((hash, delta), count) in deltas.iter().copied().zip(counts) {
            match count {
                None if delta < 0 => {
                    // A node stored before an archive database was switched to pruning; or a
                    // count that was lost. Either way the node is left as it is.
                    if !untracked {
                        tracing::warn!(target: LOG_TARGET, node = %Hash(hash), delta, "uncounted state node loses references");
                    }
                }
                None => {
                    if untracked && db.state_node(&hash)?.is_some() {
                        continue;
                    }
                    let Some(bytes) = self.bytes.remove(&hash) else {
                        return Err(StorageError::Corrupt(format!(
                            "state node {} gains references but is neither stored nor written",
                            Hash(hash)
                        )));
                    };
                    batch.put(col::STATE, hash, bytes);
                    batch.put(col::STATE_REFS, hash, (delta as u64).encode());
                }
                Some(count) => {
                    let new = i128::from(count) + i128::from(delta);
                    if new > 0 {
                        batch.put(col::STATE_REFS, hash, (new as u64).encode());
                    } else {
                        if new < 0 {
                            tracing::warn!(target: LOG_TARGET, node = %Hash(hash), count, delta, "state node count below zero");
                        }
                        batch.delete(col::STATE, hash);
                        batch.delete(col::STATE_REFS, hash);
                        deleted += 1;
                    }
                }
            }
        }
        Ok(deleted)
    }
}

/// A block being committed whose journal is in the batch, not in the store yet.
pub(crate) struct PendingJournal<'a> {
    pub(crate) hash: Hash,
    pub(crate) refs: &'a [RefChange],
}

impl Database {
    /// How much state this database keeps.
    pub fn state_pruning(&self) -> StatePruning {
        self.pruning
    }

    /// The oldest block number whose state is kept on the canonical chain: `None` for an
    /// archive, otherwise every finalized block below it has lost its state.
    pub fn oldest_state(&self) -> Result<Option<BlockNumber>, StorageError> {
        if self.pruning == StatePruning::Archive {
            return Ok(None);
        }
        Ok(Some(
            self.get_decoded(col::META, key::PRUNE_BASE, "prune base")?
                .unwrap_or(0),
        ))
    }

    /// Checks that the state of block `hash` (number `number`) is still stored.
    ///
    /// # Errors
    /// [`StorageError::StatePruned`] when pruning deleted it,
    /// [`StorageError::StateBelowWarpBase`] when the database was warp-synced from a later block.
    pub fn check_state(&self, hash: &Hash, number: BlockNumber) -> Result<(), StorageError> {
        if let Some((_, base)) = self.warp_base()?
            && number > 0
            && number < base
        {
            return Err(StorageError::StateBelowWarpBase { number, base });
        }
        match self.oldest_state()? {
            Some(oldest) if number < oldest => Err(StorageError::StatePruned {
                hash: *hash,
                number,
                oldest,
            }),
            _ => Ok(()),
        }
    }

    /// The reference counts of state nodes `hashes` (pruned databases only), in order, read in
    /// one batch: a block's commit touches thousands of nodes, most of them new (a miss), and
    /// reading them one by one was a tenth of the block time at 100k names (docs/PERFORMANCE.md,
    /// "Where the block time goes").
    pub(crate) fn ref_counts<'a>(
        &self,
        hashes: impl IntoIterator<Item = &'a TrieHash>,
    ) -> Result<Vec<Option<u64>>, StorageError> {
        let keys: Vec<&[u8]> = hashes.into_iter().map(|hash| &hash[..]).collect();
        self.kv
            .multi_get(col::STATE_REFS, &keys)?
            .into_iter()
            .map(|value| {
                value
                    .map(|bytes| decode_stored(&bytes, "state node count"))
                    .transpose()
            })
            .collect()
    }

    /// Whether nodes without a count (written while the database was an archive) may exist.
    pub(crate) fn has_untracked_state(&self) -> Result<bool, StorageError> {
        Ok(self
            .get_decoded::<bool>(col::META, key::PRUNE_UNTRACKED, "prune untracked")?
            .unwrap_or(false))
    }

    /// Checks the requested mode against the one recorded, and records it.
    pub(crate) fn check_pruning(&self, requested: StatePruning) -> Result<(), StorageError> {
        let stored =
            self.get_decoded::<Option<u32>>(col::META, key::STATE_PRUNING, "pruning mode")?;
        let stored_window = stored.flatten();
        let mut batch = Transaction::default();
        match (stored_window, requested) {
            (Some(window), StatePruning::Archive) => {
                return Err(StorageError::PruningModeMismatch { window });
            }
            (None, StatePruning::Window(_)) => {
                // From archive (or new) to pruned: what is stored now stays for good.
                if let Some((_, finalized)) = self.get_decoded::<(Hash, BlockNumber)>(
                    col::META,
                    key::FINALIZED,
                    "meta finalized",
                )? {
                    batch.put(col::META, key::PRUNE_UNTRACKED, true.encode());
                    batch.put(col::META, key::PRUNE_BASE, finalized.encode());
                    tracing::info!(target: LOG_TARGET, from = finalized, "archive database switched to state pruning: state stored so far is kept");
                } else {
                    batch.put(col::META, key::PRUNE_BASE, 0u64.encode());
                }
            }
            _ => {}
        }
        if stored.is_none() || stored_window != requested.window() {
            batch.put(col::META, key::STATE_PRUNING, requested.window().encode());
        }
        if batch.ops.is_empty() {
            return Ok(());
        }
        self.write(batch)
    }

    /// The journal (reference-count changes) of block `hash`, from `pending` or the store.
    fn journal_of(
        &self,
        hash: &Hash,
        pending: Option<&PendingJournal<'_>>,
    ) -> Result<Option<Vec<RefChange>>, StorageError> {
        if let Some(pending) = pending
            && pending.hash == *hash
        {
            return Ok(Some(pending.refs.to_vec()));
        }
        self.get_decoded(col::STATE_JOURNAL, hash.as_bytes(), "state journal")
    }

    /// Adds to `batch` and `refs` the state pruning of one finality step: the discarded
    /// blocks' insertions are taken back, and the base moves up to the window's lower end,
    /// applying the removals of every block it passes. No-op for an archive.
    ///
    /// `canonical_at` gives the finalized chain's block at a height (as it will be after the
    /// write); `discarded` are the blocks of the forks the step deletes.
    pub(crate) fn put_state_prune(
        &self,
        batch: &mut Transaction,
        refs: &mut RefDeltas,
        discarded: &[Hash],
        finalized_number: BlockNumber,
        canonical_at: &dyn Fn(BlockNumber) -> Result<Option<Hash>, StorageError>,
        pending: Option<&PendingJournal<'_>>,
    ) -> Result<(), StorageError> {
        let Some(window) = self.pruning.window() else {
            return Ok(());
        };
        for block in discarded {
            if let Some(journal) = self.journal_of(block, pending)? {
                refs.discard(&journal);
            }
            batch.delete(col::STATE_JOURNAL, block.as_bytes());
        }
        let base = self.oldest_state()?.unwrap_or(0);
        let target = finalized_number
            .saturating_add(1)
            .saturating_sub(u64::from(window));
        if target <= base {
            return Ok(());
        }
        for number in base.saturating_add(1)..=target {
            let hash = canonical_at(number)?.ok_or_else(|| {
                StorageError::Corrupt(format!("no finalized block at height {number}"))
            })?;
            if let Some(journal) = self.journal_of(&hash, pending)? {
                refs.remove(&journal);
            }
            batch.delete(col::STATE_JOURNAL, hash.as_bytes());
        }
        batch.put(col::META, key::PRUNE_BASE, target.encode());
        Ok(())
    }

    /// The number of keys in the `state` column (trie nodes and long values). Walks the whole
    /// column: for tests, tools and reports, not for the hot path.
    pub fn state_node_count(&self) -> Result<u64, StorageError> {
        Ok(self.kv.column_stats(col::STATE)?.keys)
    }

    /// Keys and bytes of `column` (one of [`col::ALL`]). Walks the whole column: for tools and
    /// reports (`ghostchain db-stats`).
    pub fn column_stats(&self, column: &'static str) -> Result<ColumnStats, StorageError> {
        self.kv.column_stats(column)
    }
}
