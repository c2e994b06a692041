//! Block throughput: building and importing a block of N signed transfers from N distinct
//! senders, and the ed25519 checks behind them, one by one and in a batch.
//!
//! Run with `cargo bench -p ghost-runtime --bench block_import`. Each benchmark reports
//! elements (transfers or signatures) per second. The fixture funds N fresh accounts in a
//! custom dev genesis, so every transfer reads and writes its own sender's balance and nonce.

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use ghost_primitives::crypto::verify_batch;
use ghost_primitives::{AccountId, Digest, Header, Pair, Signature, SigningContext, blake3_256};
use ghost_runtime::builder::{BlockBuilder, execute_block};
use ghost_runtime::chain_spec::ChainSpec;
use ghost_runtime::{
    Block, GHOST, RuntimeCall, SPEC_VERSION, UncheckedExtrinsic, balances, sign_extrinsic,
};
use ghost_trie::MemoryNodeStore;

/// Block sizes measured.
const SIZES: [usize; 2] = [100, 1_000];

/// The block's timestamp: one slot after the dev genesis.
const TIMESTAMP_MS: u64 = 1_000;

/// A genesis with N funded senders, their signed transfers, and the block that holds them.
struct Fixture {
    store: MemoryNodeStore,
    genesis: Header,
    extrinsics: Vec<UncheckedExtrinsic>,
    block: Block,
    /// The signed message of each extrinsic.
    messages: Vec<[u8; 32]>,
}

impl Fixture {
    fn new(n: usize) -> Fixture {
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
        let genesis = spec.genesis.build().expect("genesis builds");
        let mut store = MemoryNodeStore::default();
        store.insert_nodes(genesis.state_nodes);
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
        Fixture {
            store,
            genesis: genesis.header,
            extrinsics,
            block,
            messages,
        }
    }

    fn signatures(&self) -> Vec<(&[u8], Signature, AccountId)> {
        self.messages
            .iter()
            .zip(&self.extrinsics)
            .map(|(m, xt)| (&m[..], xt.signature, xt.signer))
            .collect()
    }
}

fn build(
    store: &MemoryNodeStore,
    parent: &Header,
    extrinsics: Vec<UncheckedExtrinsic>,
) -> ghost_runtime::builder::BuiltBlock {
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

fn block_import(c: &mut Criterion) {
    let mut group = c.benchmark_group("block_import");
    group.sample_size(10);
    for n in SIZES {
        let fixture = Fixture::new(n);
        group.throughput(Throughput::Elements(n as u64));

        group.bench_with_input(BenchmarkId::new("build", n), &fixture, |b, f| {
            b.iter_batched(
                || f.extrinsics.clone(),
                |extrinsics| build(&f.store, &f.genesis, extrinsics),
                BatchSize::LargeInput,
            )
        });
        group.bench_with_input(BenchmarkId::new("import", n), &fixture, |b, f| {
            b.iter(|| execute_block(&f.store, &f.genesis, &f.block).expect("block imports"))
        });
        group.bench_with_input(BenchmarkId::new("verify_single", n), &fixture, |b, f| {
            b.iter(|| {
                for (message, xt) in f.messages.iter().zip(&f.extrinsics) {
                    assert!(xt.signature.verify(message, &xt.signer));
                }
            })
        });
        group.bench_with_input(BenchmarkId::new("verify_batch", n), &fixture, |b, f| {
            let items = f.signatures();
            b.iter(|| assert!(verify_batch(&items)))
        });
        // The reference: ed25519-dalek's own strict single and batch verification, same inputs.
        let dalek: Vec<(ed25519_dalek::VerifyingKey, ed25519_dalek::Signature)> = fixture
            .extrinsics
            .iter()
            .map(|xt| {
                let key = ed25519_dalek::VerifyingKey::from_bytes(&xt.signer.0).expect("valid key");
                (key, ed25519_dalek::Signature::from_bytes(&xt.signature.0))
            })
            .collect();
        group.bench_with_input(
            BenchmarkId::new("dalek_verify_strict", n),
            &fixture,
            |b, f| {
                b.iter(|| {
                    for (message, (key, signature)) in f.messages.iter().zip(&dalek) {
                        assert!(key.verify_strict(message, signature).is_ok());
                    }
                })
            },
        );
        group.bench_with_input(
            BenchmarkId::new("dalek_verify_batch", n),
            &fixture,
            |b, f| {
                let messages: Vec<&[u8]> = f.messages.iter().map(|m| &m[..]).collect();
                let keys: Vec<_> = dalek.iter().map(|(k, _)| *k).collect();
                let signatures: Vec<_> = dalek.iter().map(|(_, s)| *s).collect();
                b.iter(|| {
                    assert!(ed25519_dalek::verify_batch(&messages, &signatures, &keys).is_ok())
                })
            },
        );
    }
    group.finish();
}

criterion_group!(benches, block_import);
criterion_main!(benches);
