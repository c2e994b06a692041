//! Fixtures for benches in this and other crates (feature `test-utils`).
//!
//! [`TransferBlock`] is the block-import benchmark's block: N funded senders in a dev genesis,
//! each paying the next one GHOST, so every transfer reads and writes its own sender's balance
//! and nonce. `runtime/benches/block_import.rs` runs it on the in-memory store and
//! `node/storage/benches/import.rs` on RocksDB.

use ghost_primitives::{AccountId, Digest, Header, Pair, Signature, SigningContext, blake3_256};
use ghost_trie::{MemoryNodeStore, NodeStore};

use crate::builder::{BlockBuilder, BuiltBlock};
use crate::chain_spec::ChainSpec;
use crate::genesis::GenesisBlock;
use crate::{
    Block, GHOST, RuntimeCall, SPEC_VERSION, UncheckedExtrinsic, balances, sign_extrinsic,
};

/// `n` deterministic key pairs (seeded by their index) and the dev genesis with each of them
/// funded with 1,000 GHOST.
///
/// # Panics
/// If the genesis does not build: a bug in the runtime, not input.
pub fn funded_dev_genesis(n: usize) -> (Vec<Pair>, GenesisBlock) {
    let pairs: Vec<Pair> = (0..n as u64)
        .map(|i| Pair::from_seed(&blake3_256(&i.to_le_bytes()).0))
        .collect();
    let mut spec = ChainSpec::dev();
    for pair in &pairs {
        spec.genesis
            .balances
            .balances
            .push((pair.public(), 1_000 * GHOST));
    }
    (pairs, spec.genesis.build().expect("genesis builds"))
}

/// The block's timestamp: one slot after the dev genesis.
pub const TIMESTAMP_MS: u64 = 1_000;

/// A genesis with N funded senders, their signed transfers, and the block that holds them.
pub struct TransferBlock {
    /// The genesis (header, state nodes and their reference counts).
    pub genesis: GenesisBlock,
    /// The genesis state in memory.
    pub store: MemoryNodeStore,
    /// The N signed transfers, in block order.
    pub extrinsics: Vec<UncheckedExtrinsic>,
    /// The block built from them on the genesis.
    pub block: Block,
    /// The signed message of each extrinsic.
    pub messages: Vec<[u8; 32]>,
}

impl TransferBlock {
    /// The fixture for `n` transfers (`n ≥ 1`).
    ///
    /// # Panics
    /// If the dev genesis or the block does not build: a bug in the runtime, not input.
    pub fn new(n: usize) -> TransferBlock {
        let (pairs, genesis) = funded_dev_genesis(n);
        let mut store = MemoryNodeStore::default();
        store.insert_nodes(genesis.state_nodes.iter().cloned());
        let genesis_hash = genesis.header.hash();

        // Sender i pays sender i + 1: every account is written, none is created.
        let extrinsics: Vec<UncheckedExtrinsic> = pairs
            .iter()
            .enumerate()
            .map(|(i, pair)| {
                let dest = pairs[(i + 1) % n].public();
                let call = RuntimeCall::Balances(balances::Call::Transfer { dest, value: GHOST });
                sign_extrinsic(call, pair, 0, 0, genesis_hash, None)
            })
            .collect();
        let ctx = SigningContext {
            genesis_hash,
            spec_version: SPEC_VERSION,
            birth_hash: genesis_hash,
        };
        let messages = extrinsics
            .iter()
            .map(|xt| xt.signing_message(&ctx))
            .collect();
        let block = build(&store, &genesis.header, extrinsics.clone()).block;
        TransferBlock {
            genesis,
            store,
            extrinsics,
            block,
            messages,
        }
    }

    /// ed25519-dalek's batch verification of the transfers' signatures, keys decompressed from
    /// bytes inside the call as our own check does: the anchor the import benches compare with.
    pub fn dalek_verify_batch(&self) -> bool {
        let keys: Vec<ed25519_dalek::VerifyingKey> = self
            .extrinsics
            .iter()
            .map(|xt| ed25519_dalek::VerifyingKey::from_bytes(&xt.signer.0).expect("valid key"))
            .collect();
        let signatures: Vec<ed25519_dalek::Signature> = self
            .extrinsics
            .iter()
            .map(|xt| ed25519_dalek::Signature::from_bytes(&xt.signature.0))
            .collect();
        let messages: Vec<&[u8]> = self.messages.iter().map(|m| &m[..]).collect();
        ed25519_dalek::verify_batch(&messages, &signatures, &keys).is_ok()
    }

    /// `(message, signature, signer)` of each transfer, as batch verification takes them.
    pub fn signatures(&self) -> Vec<(&[u8], Signature, AccountId)> {
        self.messages
            .iter()
            .zip(&self.extrinsics)
            .map(|(m, xt)| (&m[..], xt.signature, xt.signer))
            .collect()
    }
}

/// Builds the block of `extrinsics` on `parent` (every one must apply and succeed).
///
/// # Panics
/// If one does not: the fixture's transfers always do.
pub fn build(
    store: &dyn NodeStore,
    parent: &Header,
    extrinsics: Vec<UncheckedExtrinsic>,
) -> BuiltBlock {
    let mut builder =
        BlockBuilder::new(store, parent, TIMESTAMP_MS, Digest::default()).expect("block starts");
    for xt in extrinsics {
        builder
            .push(xt)
            .expect("transfer valid")
            .expect("transfer succeeds");
    }
    builder.build().expect("block builds")
}
