//! Block throughput: building and importing a block of N signed transfers from N distinct
//! senders, and the ed25519 checks behind them, one by one and in a batch.
//!
//! Run with `cargo bench -p ghost-runtime --bench block_import`. Each benchmark reports
//! elements (transfers or signatures) per second. The fixture ([`TransferBlock`]) funds N fresh
//! accounts in a custom dev genesis, so every transfer reads and writes its own sender's balance
//! and nonce. The store is in memory; `node/storage/benches/import.rs` runs the same block on
//! RocksDB.
//!
//! Like for like: every verifier here, ours and ed25519-dalek's, gets each public key as 32
//! bytes and decompresses it inside the timed loop, as block import does.

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use ghost_primitives::crypto::verify_batch;
use ghost_runtime::builder::execute_block;
use ghost_runtime::test_utils::{TransferBlock, build};

/// Block sizes measured.
const SIZES: [usize; 2] = [100, 1_000];

fn block_import(c: &mut Criterion) {
    let mut group = c.benchmark_group("block_import");
    group.sample_size(10);
    for n in SIZES {
        let fixture = TransferBlock::new(n);
        group.throughput(Throughput::Elements(n as u64));

        group.bench_with_input(BenchmarkId::new("build", n), &fixture, |b, f| {
            b.iter_batched(
                || f.extrinsics.clone(),
                |extrinsics| build(&f.store, &f.genesis.header, extrinsics),
                BatchSize::LargeInput,
            )
        });
        group.bench_with_input(BenchmarkId::new("import", n), &fixture, |b, f| {
            b.iter(|| execute_block(&f.store, &f.genesis.header, &f.block).expect("block imports"))
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
        // The reference: ed25519-dalek's own strict single and batch verification, same inputs,
        // keys decompressed per signature.
        group.bench_with_input(
            BenchmarkId::new("dalek_verify_strict", n),
            &fixture,
            |b, f| {
                b.iter(|| {
                    for (message, xt) in f.messages.iter().zip(&f.extrinsics) {
                        let key = ed25519_dalek::VerifyingKey::from_bytes(&xt.signer.0)
                            .expect("valid key");
                        let signature = ed25519_dalek::Signature::from_bytes(&xt.signature.0);
                        assert!(key.verify_strict(message, &signature).is_ok());
                    }
                })
            },
        );
        group.bench_with_input(
            BenchmarkId::new("dalek_verify_batch", n),
            &fixture,
            |b, f| b.iter(|| assert!(f.dalek_verify_batch())),
        );
    }
    group.finish();
}

criterion_group!(benches, block_import);
criterion_main!(benches);
