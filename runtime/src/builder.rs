//! Building a block (the author) and executing one (every importer).

use ghost_primitives::block::extrinsics_root;
use ghost_primitives::{
    Digest, DigestItem, Hash, Header, SigningContext, TransactionValidityError,
};
use ghost_support::prelude::*;
use ghost_support::{Ext, with_externalities};
use ghost_trie::{NodeStore, RefChange, TrieHash};

use crate::executive::{BlockError, Executive, SignatureCheck};
use std::cell::RefCell;
use std::ops::Range;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use ghost_trie::DecodedNodeCache;

use crate::state::{TrieBackend, commit_changes_cached};
use crate::{Block, EventRecord, System, UncheckedExtrinsic};

/// A block built by [`BlockBuilder::build`]: unsealed, with what storage must persist.
pub struct BuiltBlock {
    /// The block; the author adds the seal to its digest.
    pub block: Block,
    /// New trie nodes of the block's state.
    pub state_nodes: Vec<(TrieHash, Vec<u8>)>,
    /// Reference-count changes of the trie nodes the block touched (see
    /// [`ghost_trie::StateUpdate::refs`]), for a pruning store.
    pub state_refs: Vec<RefChange>,
    /// The block's events.
    pub events: Vec<EventRecord>,
    /// The same events as SCALE `Vec<EventRecord>`, the bytes `System.EventsDigest` commits
    /// to: what the node stores for the block.
    pub encoded_events: Vec<u8>,
}

/// A block imported by [`execute_block`].
pub struct ExecutedBlock {
    /// New trie nodes of the block's state.
    pub state_nodes: Vec<(TrieHash, Vec<u8>)>,
    /// Reference-count changes of the trie nodes the block touched (see
    /// [`ghost_trie::StateUpdate::refs`]), for a pruning store.
    pub state_refs: Vec<RefChange>,
    /// The block's events.
    pub events: Vec<EventRecord>,
    /// The same events as SCALE `Vec<EventRecord>` (see [`BuiltBlock::encoded_events`]).
    pub encoded_events: Vec<u8>,
}

/// Builds a block on top of a parent: push extrinsics, then build.
pub struct BlockBuilder<'a> {
    store: &'a dyn NodeStore,
    parent_state_root: Hash,
    ext: Ext<'a>,
    /// The trie nodes the block's reads decoded, for its commit.
    nodes: Rc<RefCell<DecodedNodeCache>>,
    header: Header,
    extrinsics: Vec<UncheckedExtrinsic>,
}

impl<'a> BlockBuilder<'a> {
    /// Starts block `parent.number + 1` at `timestamp_ms` with `digest` (slot etc.).
    pub fn new(
        store: &'a dyn NodeStore,
        parent: &Header,
        timestamp_ms: u64,
        digest: Digest,
    ) -> Result<Self, BlockError> {
        let header = Header {
            parent_hash: parent.hash(),
            number: parent.number.saturating_add(1),
            state_root: Hash::ZERO,
            extrinsics_root: Hash::ZERO,
            timestamp_ms,
            digest,
        };
        let nodes = Rc::<RefCell<DecodedNodeCache>>::default();
        let mut ext = Ext::new(TrieBackend::with_nodes(
            store,
            parent.state_root,
            nodes.clone(),
        ));
        with_externalities(&mut ext, || Executive::initialize_block(&header))?;
        check_backend(&ext)?;
        Ok(BlockBuilder {
            store,
            parent_state_root: parent.state_root,
            ext,
            nodes,
            header,
            extrinsics: Vec::new(),
        })
    }

    /// Applies `xt`; on `Err` the block is unchanged and `xt` must not be retried in it.
    pub fn push(
        &mut self,
        xt: UncheckedExtrinsic,
    ) -> Result<DispatchResult, TransactionValidityError> {
        let len = xt.encoded_size() as u32;
        let applied = with_externalities(&mut self.ext, || {
            Executive::apply_extrinsic(xt.clone(), len, SignatureCheck::Verify)
        })?;
        self.extrinsics.push(xt);
        Ok(applied)
    }

    /// How many extrinsics are in.
    pub fn len(&self) -> usize {
        self.extrinsics.len()
    }

    /// Whether none are in.
    pub fn is_empty(&self) -> bool {
        self.extrinsics.is_empty()
    }

    /// Finalizes the block and computes its roots.
    pub fn build(mut self) -> Result<BuiltBlock, BlockError> {
        let (events, encoded_events, logs) = with_externalities(&mut self.ext, || {
            Executive::finalize_block();
            (
                System::events(),
                System::encoded_events(),
                System::digest_logs(),
            )
        });
        check_backend(&self.ext)?;
        let (state_root, state_nodes, state_refs) = commit_changes_cached(
            self.store,
            self.parent_state_root,
            self.ext.into_changes(),
            &self.nodes.borrow(),
        )
        .map_err(|e| BlockError::Backend(e.to_string()))?;
        let mut header = self.header;
        header.state_root = state_root;
        header.extrinsics_root = extrinsics_root(&self.extrinsics);
        header.digest.logs.extend(logs);
        Ok(BuiltBlock {
            block: Block {
                header,
                extrinsics: self.extrinsics,
            },
            state_nodes,
            state_refs,
            events,
            encoded_events,
        })
    }
}

fn check_backend(ext: &Ext<'_>) -> Result<(), BlockError> {
    match ext.backend_error() {
        Some(e) => Err(BlockError::Backend(e.to_string())),
        None => Ok(()),
    }
}

/// Re-executes `block` on `parent` and checks both roots: the import path.
///
/// Signatures are verified in ed25519 batches while the block executes (blocks of at least
/// [`PARALLEL_VERIFY_MIN`] extrinsics): a second thread starts on them at once, and this one,
/// once it has executed the block and computed its state root, verifies what is left
/// ([`SharedBatch`]), so the verification's tail is split over both. Smaller blocks verify the
/// batch first, on this thread. The execution result is used only once every signature has
/// passed. If a batch fails, that execution is dropped and the block is executed again with each
/// extrinsic verifying its own signature, so the error names the culprit; the block is refused
/// either way.
pub fn execute_block(
    store: &dyn NodeStore,
    parent: &Header,
    block: &Block,
) -> Result<ExecutedBlock, BlockError> {
    let header = &block.header;
    let parent_hash = parent.hash();
    if header.parent_hash != parent_hash {
        return Err(BlockError::ParentMismatch {
            expected: header.parent_hash,
            actual: parent_hash,
        });
    }
    let computed = extrinsics_root(&block.extrinsics);
    if computed != header.extrinsics_root {
        return Err(BlockError::ExtrinsicsRootMismatch {
            expected: header.extrinsics_root,
            computed,
        });
    }
    let nodes = Rc::<RefCell<DecodedNodeCache>>::default();
    if let Some(executed) = execute_batched(store, parent, block, &nodes) {
        return executed;
    }
    let mut ext = Ext::new(TrieBackend::with_nodes(
        store,
        parent.state_root,
        nodes.clone(),
    ));
    let executed = with_externalities(&mut ext, || -> Result<_, BlockError> {
        Executive::initialize_block(header)?;
        apply_all(block, SignatureCheck::Verify)
    })?;
    finish(store, parent, header, ext, &nodes, executed)
}

/// Checks the runtime digest items of an executed block, computes its state root and checks it
/// against the header's.
fn finish(
    store: &dyn NodeStore,
    parent: &Header,
    header: &Header,
    ext: Ext<'_>,
    nodes: &RefCell<DecodedNodeCache>,
    (events, encoded_events, logs): Executed,
) -> Result<ExecutedBlock, BlockError> {
    let carried: Vec<&DigestItem> = header
        .digest
        .logs
        .iter()
        .filter(|item| is_runtime_log(item))
        .collect();
    if carried.len() != logs.len() || carried.iter().zip(&logs).any(|(a, b)| *a != b) {
        return Err(BlockError::DigestMismatch);
    }
    check_backend(&ext)?;
    let changes = ext.into_changes();
    let (state_root, state_nodes, state_refs) =
        commit_changes_cached(store, parent.state_root, changes, &nodes.borrow())
            .map_err(|e| BlockError::Backend(e.to_string()))?;
    if state_root != header.state_root {
        return Err(BlockError::StateRootMismatch {
            expected: header.state_root,
            computed: state_root,
        });
    }
    Ok(ExecutedBlock {
        state_nodes,
        state_refs,
        events,
        encoded_events,
    })
}

/// Blocks with at least this many extrinsics verify their signatures on a second thread, in
/// parallel with execution; below it, starting a thread costs more than it saves.
pub const PARALLEL_VERIFY_MIN: usize = 16;

/// A block's events (decoded and as SCALE) and runtime digest items after execution.
type Executed = (Vec<EventRecord>, Vec<u8>, Vec<DigestItem>);

/// Executes the block with its extrinsics taken as already verified, and computes its state
/// root, while their signatures are checked (on another thread too, for large blocks). `None`
/// when a signature batch failed: the execution is void and the caller re-executes with
/// per-extrinsic checks.
fn execute_batched(
    store: &dyn NodeStore,
    parent: &Header,
    block: &Block,
    nodes: &Rc<RefCell<DecodedNodeCache>>,
) -> Option<Result<ExecutedBlock, BlockError>> {
    let mut ext = Ext::new(TrieBackend::with_nodes(
        store,
        parent.state_root,
        nodes.clone(),
    ));
    // The contexts read the state (block hashes), so they are taken here; the verifiers get
    // plain data and compute the messages and the batch equations.
    let contexts = match with_externalities(&mut ext, || {
        Executive::initialize_block(&block.header).map(|()| signing_contexts(&block.extrinsics))
    }) {
        Err(e) => return Some(Err(e)),
        Ok(contexts) => contexts?,
    };
    let batch = SharedBatch::new(&block.extrinsics, &contexts);
    if block.extrinsics.len() < PARALLEL_VERIFY_MIN {
        if !batch.verify_all() {
            return None;
        }
        let executed = with_externalities(&mut ext, || {
            apply_all(block, SignatureCheck::AlreadyVerified)
        });
        return Some(executed.and_then(|e| finish(store, parent, &block.header, ext, nodes, e)));
    }
    std::thread::scope(|scope| {
        // No thread to be had: this one verifies everything after executing, which is
        // correct, only slower.
        let worker = std::thread::Builder::new()
            .name("import-verify".into())
            .spawn_scoped(scope, || batch.verify_all());
        let executed = with_externalities(&mut ext, || {
            apply_all(block, SignatureCheck::AlreadyVerified)
        });
        let result = executed.and_then(|e| finish(store, parent, &block.header, ext, nodes, e));
        let mine = batch.verify_all();
        // A panicking worker (it has no reason to) counts as a failed batch: the
        // per-extrinsic checks then decide.
        let theirs = worker.map_or(true, |handle| handle.join().unwrap_or(false));
        (mine && theirs && batch.is_complete()).then_some(result)
    })
}

/// Applies every extrinsic of `block` and finalizes it (inside the initialized block).
fn apply_all(block: &Block, signature: SignatureCheck) -> Result<Executed, BlockError> {
    for (index, xt) in block.extrinsics.iter().enumerate() {
        let len = xt.encoded_size() as u32;
        // The call's own outcome is recorded in the block's events.
        let _outcome = Executive::apply_extrinsic(xt.clone(), len, signature)
            .map_err(|error| BlockError::InvalidExtrinsic { index, error })?;
    }
    Executive::finalize_block();
    Ok((
        System::events(),
        System::encoded_events(),
        System::digest_logs(),
    ))
}

/// Whether a digest item is one the runtime writes (not the author's pre-runtime slot or seal).
pub fn is_runtime_log(item: &DigestItem) -> bool {
    matches!(item, DigestItem::Consensus(..) | DigestItem::Other(..))
}

/// The signing context of each extrinsic (inside the initialized block), or `None` if one has
/// none (its era names an unknown block): the per-extrinsic checks then report it.
fn signing_contexts(extrinsics: &[UncheckedExtrinsic]) -> Option<Vec<SigningContext>> {
    extrinsics
        .iter()
        .map(|xt| Executive::signing_context(xt).ok())
        .collect()
}

/// Verifies every signature of the block in one batch. Touches no state, so it may run on any
/// thread.
fn batch_verify(extrinsics: &[UncheckedExtrinsic], contexts: &[SigningContext]) -> bool {
    let messages: Vec<[u8; 32]> = extrinsics
        .iter()
        .zip(contexts)
        .map(|(xt, ctx)| xt.signing_message(ctx))
        .collect();
    let items: Vec<(
        &[u8],
        ghost_primitives::Signature,
        ghost_primitives::AccountId,
    )> = extrinsics
        .iter()
        .zip(&messages)
        .map(|(xt, m)| (m.as_slice(), xt.signature, xt.signer))
        .collect();
    ghost_primitives::crypto::verify_batch(&items)
}

/// The smallest batch a verifier claims from a [`SharedBatch`] (smaller batches cost more per
/// signature).
const MIN_CLAIM: usize = 64;

/// A block's signatures, verified in batches by whichever thread is free. Each claim takes half
/// of what is left (at least [`MIN_CLAIM`]), so the thread that starts first takes large, cheap
/// batches and the tail is shared. Splitting does not change the verdict: the chain's batch
/// check accepts exactly the signatures its single check accepts (`ghost_primitives::ed25519`).
struct SharedBatch<'b> {
    extrinsics: &'b [UncheckedExtrinsic],
    contexts: &'b [SigningContext],
    /// The first extrinsic no verifier has claimed yet.
    next: AtomicUsize,
    /// Whether a claimed batch failed (the others stop claiming).
    failed: AtomicBool,
}

impl<'b> SharedBatch<'b> {
    fn new(extrinsics: &'b [UncheckedExtrinsic], contexts: &'b [SigningContext]) -> Self {
        SharedBatch {
            extrinsics,
            contexts,
            next: AtomicUsize::new(0),
            failed: AtomicBool::new(false),
        }
    }

    /// The next batch to verify, or `None` when all are claimed or one failed.
    fn claim(&self) -> Option<Range<usize>> {
        let total = self.extrinsics.len();
        let mut start = self.next.load(Ordering::Relaxed);
        loop {
            if start >= total || self.failed.load(Ordering::Relaxed) {
                return None;
            }
            let left = total - start;
            let size = (left / 2).max(MIN_CLAIM).min(left);
            match self.next.compare_exchange_weak(
                start,
                start + size,
                Ordering::Relaxed,
                Ordering::Relaxed,
            ) {
                Ok(_) => return Some(start..start + size),
                Err(now) => start = now,
            }
        }
    }

    /// Verifies batches until none is left. `false` if one failed, here or on another thread;
    /// `true` only says the batches this call verified passed.
    fn verify_all(&self) -> bool {
        while let Some(range) = self.claim() {
            if !batch_verify(&self.extrinsics[range.clone()], &self.contexts[range]) {
                self.failed.store(true, Ordering::Relaxed);
                return false;
            }
        }
        !self.failed.load(Ordering::Relaxed)
    }

    /// Whether every signature has been claimed and no batch failed (read it once every
    /// verifier has returned).
    fn is_complete(&self) -> bool {
        self.next.load(Ordering::Relaxed) >= self.extrinsics.len()
            && !self.failed.load(Ordering::Relaxed)
    }
}
