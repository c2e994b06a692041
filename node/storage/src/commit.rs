//! Writing: genesis, block commits (with canonical-chain rewrites on reorgs) and finality.
//!
//! Every writer takes the database's write lock, checks everything it needs against the stored
//! best and finalized blocks, builds one `WriteBatch`, and writes it. A refused write returns
//! before the batch is written, so nothing of it reaches the disk.

use ghost_primitives::{BlockNumber, Hash, Header};
use parity_scale_codec::Encode;

use crate::changes::DomainChangeLog;
use crate::db::{Database, LOG_TARGET};
use crate::error::StorageError;
use crate::kv::Transaction;
use crate::pruning::{PendingJournal, RefDeltas, StatePruning};
use crate::schema::{col, key};
use ghost_trie::RefChange;

/// Adds `block` at height `number` of the canonical chain to `batch`, with the index entry of
/// each of its transactions (`txs`, in block order).
fn put_canonical(
    batch: &mut Transaction,
    number: BlockNumber,
    block: &Hash,
    txs: &[Hash],
) -> Result<(), StorageError> {
    batch.put(col::INDICES, key::canonical(number), block.encode());
    for (index, tx) in txs.iter().enumerate() {
        let index = u32::try_from(index).map_err(|_| {
            StorageError::Corrupt(format!("block {block} has over 2^32 transactions"))
        })?;
        batch.put(col::INDICES, key::tx(tx), (*block, index).encode());
    }
    Ok(())
}

/// A block below the warp base, downloaded by a gap sync (see [`Database::commit_gap_blocks`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GapBlock {
    /// The header.
    pub header: Header,
    /// The body, opaque to this crate, checked by the caller against the header.
    pub body: Vec<u8>,
    /// The hashes of its transactions, in order (for the transaction index).
    pub tx_hashes: Vec<Hash>,
    /// Its GRANDPA justification, checked by the caller, if it is kept.
    pub justification: Option<Vec<u8>>,
}

/// Everything stored for one block, written in one batch by [`Database::commit_block`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockCommit {
    /// The block's header; its parent must be stored already.
    pub header: Header,
    /// The block's body, opaque to this crate (the runtime's SCALE encoding).
    pub body: Vec<u8>,
    /// Trie nodes (and long values) created by the block, keyed by their blake3 hash. The caller
    /// vouches that each key is the hash of its bytes.
    pub state_nodes: Vec<([u8; 32], Vec<u8>)>,
    /// The reference-count changes of the block's state update
    /// ([`ghost_trie::StateUpdate::refs`]); a pruning database counts with them and keeps them
    /// as the block's journal, an archive ignores them.
    pub state_refs: Vec<RefChange>,
    /// Hashes of the block's transactions, in block order.
    pub tx_hashes: Vec<Hash>,
    /// Whether the block becomes the head of the best chain (switching forks if its parent is
    /// not the current best block).
    pub new_best: bool,
    /// A block to finalize in the same batch: the new block or one of its ancestors when
    /// `new_best`, otherwise a block on the current best chain.
    pub finalized: Option<Hash>,
    /// A finality proof for `finalized`, stored under that block's hash. Requires `finalized`.
    pub justification: Option<Vec<u8>>,
    /// The block's name change log (see [`crate::changes`]), stored SCALE-encoded in the
    /// `domain_changes` column under the block's hash in the same batch. Block import always
    /// gives one (empty for a block that changed no name); `None` stores nothing.
    pub domain_changes: Option<DomainChangeLog>,
    /// The block's events as the runtime encodes them (SCALE `Vec<EventRecord>`, opaque to this
    /// crate), stored in the `events` column under the block's hash in the same batch. Block
    /// import always gives them; `None` stores nothing.
    pub events: Option<Vec<u8>>,
}

/// How the canonical chain changed when a block became best.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TreeRoute {
    /// Number of the last block the old and the new best chain share.
    pub fork_point: BlockNumber,
    /// Blocks of the old best chain above the fork point, ascending.
    pub retracted: Vec<(BlockNumber, Hash)>,
    /// Blocks of the new best chain above the fork point, ascending (ends with the new head).
    pub enacted: Vec<(BlockNumber, Hash)>,
}

/// What a write did to the chain.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CommitOutcome {
    /// How the best chain moved, if it did.
    pub best_route: Option<TreeRoute>,
    /// The block finalized by this write, if any.
    pub finalized: Option<(Hash, BlockNumber)>,
    /// Blocks of forks that no longer contain the finalized block, whose headers and bodies
    /// this write deleted (with state pruning their state goes too).
    pub pruned: Vec<Hash>,
    /// How many state nodes this write deleted (state pruning; always 0 for an archive).
    pub state_nodes_deleted: usize,
}

/// A block being committed, whose header is not stored yet.
struct NewBlock<'a> {
    hash: Hash,
    header: &'a Header,
}

/// Leaves in fork-choice order: highest first, then lowest hash.
fn sorted_leaves(mut leaves: Vec<(BlockNumber, Hash)>) -> Vec<(BlockNumber, Hash)> {
    leaves.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    leaves.dedup();
    leaves
}

/// The best chain as it will be after a write: stored canonical entries up to `fork_point`,
/// then `enacted`, ending at `head_number`.
struct ChainView<'a> {
    fork_point: BlockNumber,
    enacted: &'a [(BlockNumber, Hash)],
    head_number: BlockNumber,
}

impl ChainView<'_> {
    /// The view's block at `number`.
    fn hash_at(&self, db: &Database, number: BlockNumber) -> Result<Option<Hash>, StorageError> {
        if number > self.head_number {
            Ok(None)
        } else if number > self.fork_point {
            Ok(self
                .enacted
                .iter()
                .find(|(n, _)| *n == number)
                .map(|(_, hash)| *hash))
        } else {
            db.hash_by_number(number)
        }
    }
}

impl Database {
    /// Stores the genesis block and its state, and makes it best and finalized.
    ///
    /// Idempotent: committing the stored genesis again writes nothing. The genesis block has no
    /// body. `state_refs` are the positions of each node in the genesis trie
    /// ([`ghost_trie::build_counted`]): a pruning database starts its counts from them.
    /// Returns the genesis hash.
    ///
    /// # Errors
    /// [`StorageError::GenesisNotZero`] for a header whose number is not 0,
    /// [`StorageError::GenesisMismatch`] when another genesis is stored.
    pub fn commit_genesis(
        &self,
        header: Header,
        state_nodes: Vec<([u8; 32], Vec<u8>)>,
        state_refs: Vec<RefChange>,
    ) -> Result<Hash, StorageError> {
        let _guard = self.write_lock.lock();
        if header.number != 0 {
            return Err(StorageError::GenesisNotZero {
                number: header.number,
            });
        }
        let hash = header.hash();
        if let Some(stored) = self.genesis_hash()? {
            return if stored == hash {
                Ok(hash)
            } else {
                Err(StorageError::GenesisMismatch {
                    stored,
                    given: hash,
                })
            };
        }

        let mut batch = Transaction::default();
        self.put_block(&mut batch, &hash, &header, None, &[])?;
        let mut refs = RefDeltas::default();
        self.put_state(&mut batch, &mut refs, state_nodes, &state_refs);
        refs.write(self, &mut batch)?;
        let indices = col::INDICES;
        batch.put(indices, key::canonical(0), hash.encode());
        let meta = col::META;
        batch.put(meta, key::GENESIS, hash.encode());
        batch.put(meta, key::BEST, (hash, 0u64).encode());
        batch.put(meta, key::FINALIZED, (hash, 0u64).encode());
        batch.put(meta, key::LEAVES, vec![(0u64, hash)].encode());
        self.write(batch)?;
        tracing::info!(target: LOG_TARGET, %hash, "genesis committed");
        Ok(hash)
    }

    /// Makes a block proven final elsewhere (warp sync) the base of a database that holds only
    /// its genesis: stores the block's header (it has no body here), its `justification`, its
    /// whole state (`state_nodes`, with `state_refs` the positions of each node, as
    /// [`ghost_trie::build_counted`] gives them), and makes it best, finalized, the only leaf
    /// and, with state pruning, the pruning base. Blocks between genesis and it are not stored:
    /// the canonical index starts again at its height, and [`Database::warp_base`] names it.
    /// The auxiliary values `aux` (see [`Database::aux`]) go into the same batch, like every
    /// write. Returns the block's hash.
    ///
    /// The genesis state stays stored (a pruning database never counts it down).
    ///
    /// # Errors
    /// [`StorageError::Uninitialized`] without a genesis, [`StorageError::NotFresh`] when any
    /// block but genesis is stored, [`StorageError::NonSequentialNumber`] for a header at
    /// height 0.
    pub fn commit_warp_base(
        &self,
        header: Header,
        justification: Vec<u8>,
        state_nodes: Vec<([u8; 32], Vec<u8>)>,
        state_refs: Vec<RefChange>,
        aux: &[(&[u8], Vec<u8>)],
    ) -> Result<Hash, StorageError> {
        let _guard = self.write_lock.lock();
        let genesis = self.genesis_hash()?.ok_or(StorageError::Uninitialized)?;
        let best = self.best()?;
        if best.0 != genesis || self.leaves()?.len() != 1 {
            return Err(StorageError::NotFresh { best: best.1 });
        }
        let hash = header.hash();
        let number = header.number;
        if number == 0 {
            return Err(StorageError::NonSequentialNumber {
                expected: 1,
                found: 0,
            });
        }
        let mut batch = Transaction::default();
        self.put_block(&mut batch, &hash, &header, None, &[])?;
        let mut refs = RefDeltas::default();
        self.put_state(&mut batch, &mut refs, state_nodes, &state_refs);
        refs.write(self, &mut batch)?;
        batch.put(col::INDICES, key::canonical(number), hash.encode());
        batch.put(col::JUSTIFICATIONS, hash.as_bytes(), justification);
        let meta = col::META;
        batch.put(meta, key::BEST, (hash, number).encode());
        batch.put(meta, key::FINALIZED, (hash, number).encode());
        batch.put(meta, key::LEAVES, vec![(number, hash)].encode());
        batch.put(meta, key::WARP_BASE, (hash, number).encode());
        // The base's own body is not here either: the gap sync starts with it.
        batch.put(meta, key::WARP_GAP, (hash, number).encode());
        for (name, value) in aux {
            batch.put(meta, key::aux(name), value.clone());
        }
        if self.pruning != StatePruning::Archive {
            batch.put(meta, key::PRUNE_BASE, number.encode());
        }
        self.write(batch)?;
        tracing::info!(target: LOG_TARGET, %hash, number, "warp sync base committed");
        Ok(hash)
    }

    /// The block a warp sync started this database from, if it was warp-synced: no block
    /// between genesis and it is stored.
    pub fn warp_base(&self) -> Result<Option<(Hash, BlockNumber)>, StorageError> {
        self.get_decoded(col::META, key::WARP_BASE, "warp base")
    }

    /// The next block the gap sync wants, going down from the warp base: its hash and number
    /// (its header is stored already when it is the base itself). `None` when the database was
    /// not warp-synced or every block down to genesis is stored.
    pub fn warp_gap(&self) -> Result<Option<(Hash, BlockNumber)>, StorageError> {
        self.get_decoded(col::META, key::WARP_GAP, "warp gap")
    }

    /// Stores blocks below the warp base that a gap sync downloaded, in one batch: `blocks`
    /// newest first, the first being [`Database::warp_gap`]'s block and each the parent of the
    /// one before, so that every one is authenticated by the hash chain from the (finalized)
    /// base. They join the canonical chain with their bodies, transaction indices and the
    /// justifications given where none is stored (the caller checks those, and each body
    /// against its header's `extrinsics_root`). No state is stored for them. Returns the gap's
    /// next block, `None` once the chain is complete down to genesis.
    ///
    /// # Errors
    /// [`StorageError::GapMismatch`] when a block is not the one wanted next (nothing written);
    /// [`StorageError::Corrupt`] when block 1's parent is not the genesis.
    pub fn commit_gap_blocks(
        &self,
        blocks: &[GapBlock],
    ) -> Result<Option<(Hash, BlockNumber)>, StorageError> {
        let _guard = self.write_lock.lock();
        let Some(mut wanted) = self.warp_gap()? else {
            return Ok(None);
        };
        let mut batch = Transaction::default();
        for block in blocks {
            let hash = block.header.hash();
            if (hash, block.header.number) != wanted || wanted.1 == 0 {
                return Err(StorageError::GapMismatch {
                    expected: wanted.0,
                    number: wanted.1,
                    found: hash,
                });
            }
            self.put_block(
                &mut batch,
                &hash,
                &block.header,
                Some(&block.body),
                &block.tx_hashes,
            )?;
            put_canonical(&mut batch, wanted.1, &hash, &block.tx_hashes)?;
            // A justification stored already (the base's, which the warp proved) is kept.
            if let Some(justification) = &block.justification
                && self.justification(&hash)?.is_none()
            {
                batch.put(col::JUSTIFICATIONS, hash.as_bytes(), justification.clone());
            }
            wanted = (block.header.parent_hash, wanted.1 - 1);
        }
        let next = if wanted.1 == 0 {
            let genesis = self.genesis_hash()?.ok_or(StorageError::Uninitialized)?;
            if wanted.0 != genesis {
                return Err(StorageError::Corrupt(format!(
                    "block #1 below the warp base names parent {} instead of the genesis {genesis}",
                    wanted.0
                )));
            }
            batch.delete(col::META, key::WARP_GAP);
            None
        } else {
            batch.put(col::META, key::WARP_GAP, wanted.encode());
            Some(wanted)
        };
        self.write(batch)?;
        match next {
            Some((_, number)) => {
                tracing::debug!(target: LOG_TARGET, below = number, "gap blocks committed")
            }
            None => {
                tracing::info!(target: LOG_TARGET, "gap sync complete: every block down to genesis is stored")
            }
        }
        Ok(next)
    }

    /// Checks that block `number` is stored: not in the part of the warp gap still to
    /// download (see [`Database::warp_gap`]); genesis and the base are always stored.
    ///
    /// # Errors
    /// [`StorageError::BelowWarpBase`].
    pub fn check_not_below_warp_base(&self, number: BlockNumber) -> Result<(), StorageError> {
        match (self.warp_base()?, self.warp_gap()?) {
            (Some((_, base)), Some((_, next))) if number > 0 && number < base && number <= next => {
                Err(StorageError::BelowWarpBase { number, base })
            }
            _ => Ok(()),
        }
    }

    /// Stores one block atomically: header, body, state nodes, indices, and (as asked) the new
    /// best block with its canonical-chain rewrite, the new finalized block and its justification.
    ///
    /// Committing a stored block again rewrites the same data; with `new_best` it moves the best
    /// block back to it.
    ///
    /// # Errors
    /// Nothing is written when the commit is refused:
    /// - [`StorageError::Uninitialized`]: no genesis yet.
    /// - [`StorageError::UnknownParent`]: the parent is not stored.
    /// - [`StorageError::NonSequentialNumber`]: the number is not the parent's plus one.
    /// - [`StorageError::RevertsFinalized`]: `new_best` would switch to a chain without the
    ///   finalized block.
    /// - [`StorageError::UnknownBlock`], [`StorageError::NotOnBestChain`],
    ///   [`StorageError::FinalityRegression`]: `finalized` names an unknown block, a block off
    ///   the resulting best chain, or a block below the finalized one.
    /// - [`StorageError::JustificationWithoutFinality`]: a justification without `finalized`.
    ///
    /// A commit that finalizes a block also deletes the headers and bodies of forks that no
    /// longer contain the finalized block (see [`CommitOutcome::pruned`]).
    pub fn commit_block(&self, commit: BlockCommit) -> Result<CommitOutcome, StorageError> {
        let _guard = self.write_lock.lock();
        let BlockCommit {
            header,
            body,
            state_nodes,
            state_refs,
            tx_hashes,
            new_best,
            finalized,
            justification,
            domain_changes,
            events,
        } = commit;
        let hash = header.hash();
        let number = header.number;
        if justification.is_some() && finalized.is_none() {
            return Err(StorageError::JustificationWithoutFinality);
        }
        let best = self.best()?;
        let current_finalized = self.finalized()?;
        let parent_number =
            self.number_of(&header.parent_hash)?
                .ok_or(StorageError::UnknownParent {
                    parent: header.parent_hash,
                })?;
        if parent_number.checked_add(1) != Some(number) {
            return Err(StorageError::NonSequentialNumber {
                expected: parent_number.saturating_add(1),
                found: number,
            });
        }

        let route = if new_best {
            let route = self.route_to(&header, hash, best)?;
            if route.fork_point < current_finalized.1 {
                return Err(StorageError::RevertsFinalized {
                    finalized: current_finalized.1,
                    fork_point: route.fork_point,
                });
            }
            Some(route)
        } else {
            None
        };
        let view = match &route {
            Some(route) => ChainView {
                fork_point: route.fork_point,
                enacted: &route.enacted,
                head_number: number,
            },
            None => ChainView {
                fork_point: best.1,
                enacted: &[],
                head_number: best.1,
            },
        };
        let finality = match finalized {
            Some(target) => {
                let target_number = if target == hash {
                    number
                } else {
                    self.known_number(target)?
                };
                self.check_finality(target, target_number, current_finalized, &view)?;
                Some((target, target_number))
            }
            None => None,
        };

        // A block stored already has its nodes counted (and its journal written) once.
        let already_stored = self.number_of(&hash)?.is_some();
        let mut batch = Transaction::default();
        self.put_block(&mut batch, &hash, &header, Some(&body), &tx_hashes)?;
        let mut refs = RefDeltas::default();
        let pending = if already_stored {
            None
        } else {
            self.put_state(&mut batch, &mut refs, state_nodes, &state_refs);
            if self.pruning != StatePruning::Archive {
                batch.put(col::STATE_JOURNAL, hash.as_bytes(), state_refs.encode());
            }
            Some(PendingJournal {
                hash,
                refs: &state_refs,
            })
        };
        if let Some(events) = events {
            batch.put(col::EVENTS, hash.as_bytes(), events);
        }
        let new_log = domain_changes.map(|changes| {
            batch.put(col::DOMAIN_CHANGES, hash.as_bytes(), changes.encode());
            std::sync::Arc::new(changes)
        });
        if let Some(route) = &route {
            self.put_route(&mut batch, route, &hash, &tx_hashes)?;
            batch.put(col::META, key::BEST, (hash, number).encode());
        }
        let mut leaves = self.leaves()?;
        leaves.retain(|(_, leaf)| *leaf != header.parent_hash && *leaf != hash);
        leaves.push((number, hash));
        let mut pruned = Vec::new();
        if let Some(block) = finality {
            self.put_finality(&mut batch, block, justification.as_deref())?;
            let new = NewBlock {
                hash,
                header: &header,
            };
            pruned = self.put_prune(&mut batch, &mut leaves, block, &view, Some(&new))?;
            self.put_state_prune(
                &mut batch,
                &mut refs,
                &pruned,
                block.1,
                &|n| view.hash_at(self, n),
                pending.as_ref(),
            )?;
        }
        let state_nodes_deleted = refs.write(self, &mut batch)?;
        batch.put(col::META, key::LEAVES, sorted_leaves(leaves).encode());
        self.write(batch)?;
        // Live followers read the new block's log next: have it decoded already.
        if let Some(log) = new_log {
            self.change_logs.lock().insert(hash, log);
        }

        match &route {
            Some(route) if route.retracted.is_empty() => {
                tracing::debug!(target: LOG_TARGET, %hash, number, "new best block committed");
            }
            Some(route) => tracing::info!(
                target: LOG_TARGET,
                %hash,
                number,
                fork_point = route.fork_point,
                retracted = route.retracted.len(),
                enacted = route.enacted.len(),
                "reorg: best chain switched",
            ),
            None => tracing::debug!(target: LOG_TARGET, %hash, number, "block committed"),
        }
        if let Some((target, target_number)) = finality {
            tracing::debug!(target: LOG_TARGET, hash = %target, number = target_number, "finalized");
        }
        Ok(CommitOutcome {
            best_route: route,
            finalized: finality,
            pruned,
            state_nodes_deleted,
        })
    }

    /// Finalizes block `hash` (and so its ancestors) in its own batch, storing `justification`
    /// under it when given. Finalizing the finalized block again only stores the justification.
    ///
    /// `hash` may be off the best chain: it must descend from the finalized block, and then the
    /// best chain moves, in the same batch, to the best leaf that contains it (the highest;
    /// among equals the lowest hash). Forks that do not contain it lose their headers and
    /// bodies.
    ///
    /// # Errors
    /// [`StorageError::UnknownBlock`], [`StorageError::FinalityRegression`] or
    /// [`StorageError::NotDescendantOfFinalized`]; nothing is written then.
    pub fn set_finalized(
        &self,
        hash: Hash,
        justification: Option<Vec<u8>>,
    ) -> Result<CommitOutcome, StorageError> {
        let _guard = self.write_lock.lock();
        let best = self.best()?;
        let current = self.finalized()?;
        let number = self.known_number(hash)?;
        if number < current.1 {
            return Err(StorageError::FinalityRegression {
                current: current.1,
                requested: number,
            });
        }
        if self.ancestor_at(hash, number, current.1)? != Some(current.0) {
            return Err(StorageError::NotDescendantOfFinalized {
                hash,
                finalized: current.0,
            });
        }
        if current.0 == hash && justification.is_none() {
            return Ok(CommitOutcome::default());
        }
        let mut leaves = self.leaves()?;
        let on_best = self.hash_by_number(number)? == Some(hash) && number <= best.1;
        let route = if on_best {
            None
        } else {
            let (_, head) = self
                .best_leaf_among(&leaves, hash, number)?
                .ok_or_else(|| {
                    StorageError::Corrupt(format!("no leaf descends from block {hash}"))
                })?;
            let head_header = self
                .header(&head)?
                .ok_or_else(|| StorageError::Corrupt(format!("leaf {head} has no header")))?;
            Some(self.route_to(&head_header, head, best)?)
        };
        let view = match &route {
            Some(route) => ChainView {
                fork_point: route.fork_point,
                enacted: &route.enacted,
                head_number: route.enacted.last().map_or(best.1, |(n, _)| *n),
            },
            None => ChainView {
                fork_point: best.1,
                enacted: &[],
                head_number: best.1,
            },
        };
        let mut batch = Transaction::default();
        if let Some(route) = &route
            && let Some((head_number, head)) = route.enacted.last()
        {
            let head_txs = self.stored_tx_hashes(head)?;
            self.put_route(&mut batch, route, head, &head_txs)?;
            batch.put(col::META, key::BEST, (*head, *head_number).encode());
        }
        self.put_finality(&mut batch, (hash, number), justification.as_deref())?;
        let pruned = self.put_prune(&mut batch, &mut leaves, (hash, number), &view, None)?;
        let mut refs = RefDeltas::default();
        self.put_state_prune(
            &mut batch,
            &mut refs,
            &pruned,
            number,
            &|n| view.hash_at(self, n),
            None,
        )?;
        let state_nodes_deleted = refs.write(self, &mut batch)?;
        batch.put(col::META, key::LEAVES, sorted_leaves(leaves).encode());
        self.write(batch)?;
        match &route {
            Some(route) => tracing::info!(
                target: LOG_TARGET,
                %hash,
                number,
                retracted = route.retracted.len(),
                pruned = pruned.len(),
                "finalized a block off the best chain: best chain switched",
            ),
            None => {
                tracing::debug!(target: LOG_TARGET, %hash, number, pruned = pruned.len(), "finalized")
            }
        }
        Ok(CommitOutcome {
            best_route: route,
            finalized: Some((hash, number)),
            pruned,
            state_nodes_deleted,
        })
    }

    /// The head of the best fork containing block `hash` (at height `number`): of the stored
    /// leaves that are it or descend from it, the highest, then the lowest hash (fork choice).
    /// `None` if no leaf does.
    pub fn best_leaf_containing(
        &self,
        hash: Hash,
        number: BlockNumber,
    ) -> Result<Option<(BlockNumber, Hash)>, StorageError> {
        self.best_leaf_among(&self.leaves()?, hash, number)
    }

    fn best_leaf_among(
        &self,
        leaves: &[(BlockNumber, Hash)],
        hash: Hash,
        number: BlockNumber,
    ) -> Result<Option<(BlockNumber, Hash)>, StorageError> {
        let mut candidates = Vec::new();
        for (leaf_number, leaf) in leaves {
            if *leaf_number >= number
                && self.ancestor_at(*leaf, *leaf_number, number)? == Some(hash)
            {
                candidates.push((*leaf_number, *leaf));
            }
        }
        Ok(sorted_leaves(candidates).into_iter().next())
    }

    /// The ancestor at height `target` of block `hash` (at height `number`), walking parent
    /// links; `None` if `target` is above `number` or a header is missing.
    pub fn ancestor_at(
        &self,
        hash: Hash,
        number: BlockNumber,
        target: BlockNumber,
    ) -> Result<Option<Hash>, StorageError> {
        if target > number {
            return Ok(None);
        }
        let (mut current, mut current_number) = (hash, number);
        while current_number > target {
            // On the canonical chain the index answers at once.
            if self.hash_by_number(current_number)? == Some(current) {
                return self.hash_by_number(target);
            }
            let Some(header) = self.header(&current)? else {
                return Ok(None);
            };
            current = header.parent_hash;
            current_number -= 1;
        }
        Ok(Some(current))
    }

    /// Deletes the blocks of forks that do not contain `finalized` (given the best chain as it
    /// will be, `view`) and drops their leaves; returns the deleted blocks.
    fn put_prune(
        &self,
        batch: &mut Transaction,
        leaves: &mut Vec<(BlockNumber, Hash)>,
        finalized: (Hash, BlockNumber),
        view: &ChainView<'_>,
        new_block: Option<&NewBlock<'_>>,
    ) -> Result<Vec<Hash>, StorageError> {
        let (final_hash, final_number) = finalized;
        let header_of = |hash: &Hash| -> Result<Header, StorageError> {
            if let Some(new) = new_block
                && new.hash == *hash
            {
                return Ok(new.header.clone());
            }
            self.header(hash)?
                .ok_or_else(|| StorageError::Corrupt(format!("header of {hash} is missing")))
        };
        let mut pruned = Vec::new();
        let mut kept = Vec::with_capacity(leaves.len());
        for (leaf_number, leaf) in leaves.drain(..) {
            if view.hash_at(self, leaf_number)? == Some(leaf) {
                kept.push((leaf_number, leaf));
                continue;
            }
            // Walk down to the finalized height: a leaf above it whose ancestor there is the
            // finalized block stays.
            let mut path = Vec::new();
            let (mut current, mut number) = (leaf, leaf_number);
            let mut descends = false;
            loop {
                if number < final_number {
                    break;
                }
                if number == final_number {
                    descends = current == final_hash;
                    break;
                }
                if view.hash_at(self, number)? == Some(current) {
                    // It branches off the best chain above the finalized height, and the best
                    // chain contains the finalized block: a live fork.
                    descends = true;
                    break;
                }
                path.push(current);
                current = header_of(&current)?.parent_hash;
                number -= 1;
            }
            if descends {
                kept.push((leaf_number, leaf));
                continue;
            }
            // Dead: delete it and its ancestors until the best chain (as it will be).
            while number > 0 && view.hash_at(self, number)? != Some(current) {
                path.push(current);
                current = header_of(&current)?.parent_hash;
                number -= 1;
            }
            for block in path {
                if !pruned.contains(&block) {
                    self.put_delete_block(batch, &block);
                    pruned.push(block);
                }
            }
        }
        *leaves = kept;
        Ok(pruned)
    }

    /// Adds the deletion of a block's own records to `batch` (not its state nodes, not its name
    /// change log).
    fn put_delete_block(&self, batch: &mut Transaction, hash: &Hash) {
        batch.delete(col::HEADERS, hash.as_bytes());
        batch.delete(col::BODIES, hash.as_bytes());
        batch.delete(col::EVENTS, hash.as_bytes());
        batch.delete(col::JUSTIFICATIONS, hash.as_bytes());
        // The block's name change log stays: a follower that saw the block is rewound from it.
        batch.delete(col::INDICES, key::number(hash));
        batch.delete(col::INDICES, key::block_txs(hash));
    }

    /// The number of a block that must be stored.
    fn known_number(&self, hash: Hash) -> Result<BlockNumber, StorageError> {
        self.number_of(&hash)?
            .ok_or(StorageError::UnknownBlock { hash })
    }

    /// Checks that `target` may become the finalized block given the best chain `view`.
    fn check_finality(
        &self,
        target: Hash,
        number: BlockNumber,
        current: (Hash, BlockNumber),
        view: &ChainView<'_>,
    ) -> Result<(), StorageError> {
        if number < current.1 {
            return Err(StorageError::FinalityRegression {
                current: current.1,
                requested: number,
            });
        }
        if view.hash_at(self, number)? != Some(target) {
            return Err(StorageError::NotOnBestChain {
                hash: target,
                number,
            });
        }
        Ok(())
    }

    /// Walks back from the new head until it meets the stored canonical chain.
    ///
    /// `head` may not be stored yet; its ancestors must be.
    fn route_to(
        &self,
        head: &Header,
        head_hash: Hash,
        old_best: (Hash, BlockNumber),
    ) -> Result<TreeRoute, StorageError> {
        let mut enacted = Vec::new();
        let (mut hash, mut number, mut parent) = (head_hash, head.number, head.parent_hash);
        loop {
            if number <= old_best.1 && self.hash_by_number(number)? == Some(hash) {
                break;
            }
            enacted.push((number, hash));
            if number == 0 {
                return Err(StorageError::Corrupt(format!(
                    "block {hash} at height 0 is not the canonical genesis"
                )));
            }
            let parent_header = self.header(&parent)?.ok_or_else(|| {
                StorageError::Corrupt(format!("header of {parent}, parent of {hash}, is missing"))
            })?;
            if parent_header.number.checked_add(1) != Some(number) {
                return Err(StorageError::Corrupt(format!(
                    "block {hash} (number {number}) has parent {parent} with number {}",
                    parent_header.number
                )));
            }
            hash = parent;
            number = parent_header.number;
            parent = parent_header.parent_hash;
        }
        enacted.reverse();
        let fork_point = number;
        let retracted = (fork_point.saturating_add(1)..=old_best.1)
            .map(|n| {
                self.hash_by_number(n)?
                    .map(|hash| (n, hash))
                    .ok_or_else(|| StorageError::Corrupt(format!("no canonical block at {n}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(TreeRoute {
            fork_point,
            retracted,
            enacted,
        })
    }

    /// Adds a block's own records (not its canonical or transaction entries) to `batch`.
    fn put_block(
        &self,
        batch: &mut Transaction,
        hash: &Hash,
        header: &Header,
        body: Option<&[u8]>,
        tx_hashes: &[Hash],
    ) -> Result<(), StorageError> {
        batch.put(col::HEADERS, hash.as_bytes(), header.encode());
        if let Some(body) = body {
            batch.put(col::BODIES, hash.as_bytes(), body);
        }
        let indices = col::INDICES;
        batch.put(indices, key::number(hash), header.number.encode());
        batch.put(indices, key::block_txs(hash), tx_hashes.encode());
        Ok(())
    }

    /// Adds a new block's state nodes: straight into `batch` for an archive, into the counts
    /// `refs` (written at the end of the batch) when pruning.
    fn put_state(
        &self,
        batch: &mut Transaction,
        refs: &mut RefDeltas,
        state_nodes: Vec<([u8; 32], Vec<u8>)>,
        state_refs: &[RefChange],
    ) {
        if self.pruning == StatePruning::Archive {
            for (node_hash, node) in state_nodes {
                batch.put(col::STATE, node_hash, node);
            }
        } else {
            refs.insert(state_nodes, state_refs);
        }
    }

    /// Adds the canonical-index and transaction-index rewrite of `route` to `batch`.
    ///
    /// Deletions come first: within a batch the later write to a key wins, so a transaction
    /// both retracted and enacted ends up pointing at its enacted block.
    fn put_route(
        &self,
        batch: &mut Transaction,
        route: &TreeRoute,
        head_hash: &Hash,
        head_txs: &[Hash],
    ) -> Result<(), StorageError> {
        let indices = col::INDICES;
        for (number, block) in &route.retracted {
            batch.delete(indices, key::canonical(*number));
            for tx in self.stored_tx_hashes(block)? {
                batch.delete(indices, key::tx(&tx));
            }
        }
        for (number, block) in &route.enacted {
            let stored;
            let txs = if block == head_hash {
                head_txs
            } else {
                stored = self.stored_tx_hashes(block)?;
                &stored[..]
            };
            put_canonical(batch, *number, block, txs)?;
        }
        Ok(())
    }

    /// The transaction list of a stored block.
    fn stored_tx_hashes(&self, block: &Hash) -> Result<Vec<Hash>, StorageError> {
        self.block_tx_hashes(block)?.ok_or_else(|| {
            StorageError::Corrupt(format!("transaction list of block {block} is missing"))
        })
    }

    /// Adds the finalized-block record and its justification to `batch`.
    fn put_finality(
        &self,
        batch: &mut Transaction,
        block: (Hash, BlockNumber),
        justification: Option<&[u8]>,
    ) -> Result<(), StorageError> {
        batch.put(col::META, key::FINALIZED, block.encode());
        if let Some(justification) = justification {
            batch.put(col::JUSTIFICATIONS, block.0.as_bytes(), justification);
        }
        Ok(())
    }
}
