//! Building a block (the author) and executing one (every importer).

use ghost_primitives::block::extrinsics_root;
use ghost_primitives::{Digest, DigestItem, Hash, Header, TransactionValidityError};
use ghost_support::prelude::*;
use ghost_support::{Ext, with_externalities};
use ghost_trie::{NodeStore, RefChange, TrieHash};

use crate::executive::{BlockError, Executive, SignatureCheck};
use crate::state::{TrieBackend, commit_changes};
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
}

/// Builds a block on top of a parent: push extrinsics, then build.
pub struct BlockBuilder<'a> {
    store: &'a dyn NodeStore,
    parent_state_root: Hash,
    ext: Ext<'a>,
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
        let mut ext = Ext::new(TrieBackend::new(store, parent.state_root));
        with_externalities(&mut ext, || Executive::initialize_block(&header))?;
        check_backend(&ext)?;
        Ok(BlockBuilder {
            store,
            parent_state_root: parent.state_root,
            ext,
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
        let (events, logs) = with_externalities(&mut self.ext, || {
            Executive::finalize_block();
            (System::events(), System::digest_logs())
        });
        check_backend(&self.ext)?;
        let (state_root, state_nodes, state_refs) =
            commit_changes(self.store, self.parent_state_root, self.ext.into_changes())
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
/// Signatures are verified in one ed25519 batch first; if the batch fails, each extrinsic is
/// verified on its own so the error names the culprit.
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
    let mut ext = Ext::new(TrieBackend::new(store, parent.state_root));
    let (events, logs) = with_externalities(&mut ext, || -> Result<_, BlockError> {
        Executive::initialize_block(header)?;
        let signature = if batch_verify(&block.extrinsics) {
            SignatureCheck::AlreadyVerified
        } else {
            SignatureCheck::Verify
        };
        for (index, xt) in block.extrinsics.iter().enumerate() {
            let len = xt.encoded_size() as u32;
            // The call's own outcome is recorded in the block's events.
            let _outcome = Executive::apply_extrinsic(xt.clone(), len, signature)
                .map_err(|error| BlockError::InvalidExtrinsic { index, error })?;
        }
        Executive::finalize_block();
        Ok((System::events(), System::digest_logs()))
    })?;
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
    let (state_root, state_nodes, state_refs) =
        commit_changes(store, parent.state_root, ext.into_changes())
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
    })
}

/// Whether a digest item is one the runtime writes (not the author's pre-runtime slot or seal).
pub fn is_runtime_log(item: &DigestItem) -> bool {
    matches!(item, DigestItem::Consensus(..) | DigestItem::Other(..))
}

/// Verifies every signature of the block in one batch (inside the initialized block).
fn batch_verify(extrinsics: &[UncheckedExtrinsic]) -> bool {
    let mut messages = Vec::with_capacity(extrinsics.len());
    for xt in extrinsics {
        match Executive::signing_context(xt) {
            Ok(ctx) => messages.push(xt.signing_message(&ctx)),
            Err(_) => return false,
        }
    }
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
