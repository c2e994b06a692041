//! The chain's ed25519 rule against ed25519-zebra 5 (ZIP-215) and ed25519-dalek 3, like for
//! like: every verifier gets the public key as 32 bytes and decompresses it inside the timed
//! loop, as block import does.
//!
//! `cargo bench --manifest-path primitives/ed25519-compare/Cargo.toml --bench verify`

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use ghost_ed25519_compare::{
    dalek_verify_batch, dalek_verify_strict, honest_signatures, zebra_verify, zebra_verify_batch,
};
use ghost_primitives::ed25519;

fn single(c: &mut Criterion) {
    let items = honest_signatures(100);
    let mut group = c.benchmark_group("ed25519_single");
    group.throughput(Throughput::Elements(items.len() as u64));
    group.bench_function("ghost", |b| {
        b.iter(|| {
            for (m, s, a) in &items {
                assert!(ed25519::verify(a, m, s));
            }
        })
    });
    group.bench_function("zebra", |b| {
        b.iter(|| {
            for (m, s, a) in &items {
                assert!(zebra_verify(a, m, s));
            }
        })
    });
    group.bench_function("dalek_strict", |b| {
        b.iter(|| {
            for (m, s, a) in &items {
                assert!(dalek_verify_strict(a, m, s));
            }
        })
    });
    group.finish();
}

fn batch(c: &mut Criterion) {
    let mut group = c.benchmark_group("ed25519_batch");
    group.sample_size(20);
    let n = 1_000usize;
    let items = honest_signatures(n);
    let ours: Vec<(&[u8], [u8; 64], [u8; 32])> =
        items.iter().map(|(m, s, a)| (&m[..], *s, *a)).collect();
    group.throughput(Throughput::Elements(n as u64));
    group.bench_with_input(BenchmarkId::new("ghost", n), &ours, |b, ours| {
        b.iter(|| assert!(ed25519::verify_batch(ours)))
    });
    group.bench_with_input(BenchmarkId::new("zebra", n), &items, |b, items| {
        b.iter(|| assert!(zebra_verify_batch(items)))
    });
    group.bench_with_input(BenchmarkId::new("dalek", n), &items, |b, items| {
        b.iter(|| assert!(dalek_verify_batch(items)))
    });
    group.finish();
}

criterion_group!(benches, single, batch);
criterion_main!(benches);
