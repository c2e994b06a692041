//! What one state read and one state write cost on the node's RocksDB store: the measurement
//! behind `ROCKS_DB_WEIGHT` (as Substrate's `benchmark storage` is behind its `RocksDbWeight`).
//!
//! `cargo bench -p ghost-storage --bench state_access`
//!
//! The state holds `GHOST_STATE_ENTRIES` entries (default 1,000,000: 32-byte hashed keys, as
//! every storage map's keys are, and 80-byte values, an account's size), committed to RocksDB
//! and read back after reopening the database with the node's configuration (64 MiB block
//! cache, fsynced writes). Every iteration touches keys the iterations before it did not, so
//! nothing comes from the runtime's per-block read cache.
//!
//! - `read/existing`: one value read through the trie (a fresh [`StateView`] each time, as
//!   each block's backend is): the walk from the root reads a node per level from RocksDB.
//! - `read/missing`: the same for a key that is not there (the walk ends at a branch).
//! - `write/<K>`: `K` existing keys set to new values, the new root computed
//!   ([`ghost_trie::apply_changes_counted`], which reads every changed path) and the new nodes
//!   committed in one fsynced WriteBatch as a block ([`Database::commit_block`]): a block's
//!   state commit. The cost of one write is the time divided by `K`.

use std::sync::atomic::{AtomicU32, Ordering};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use ghost_primitives::{Digest, Hash, Header};
use ghost_storage::{BlockCommit, Database, DatabaseConfig};
use ghost_trie::StateView;

/// Entries in the state unless `GHOST_STATE_ENTRIES` says otherwise.
const DEFAULT_ENTRIES: u32 = 1_000_000;

/// Writes per measured commit.
const WRITES: [u32; 3] = [1, 100, 1_000];

/// The `i`th key: 32 bytes of blake3, spread over the trie like a hashed map key.
fn key(i: u32) -> Vec<u8> {
    blake3::hash(&i.to_le_bytes()).as_bytes().to_vec()
}

/// An 80-byte value that differs with `version`.
fn value(i: u32, version: u32) -> Vec<u8> {
    let mut v = vec![0u8; 80];
    v[..4].copy_from_slice(&i.to_le_bytes());
    v[4..8].copy_from_slice(&version.to_le_bytes());
    v
}

/// A database in `dir` whose genesis state holds `entries` entries, reopened.
fn populated(dir: &std::path::Path, entries: u32) -> (Database, Header) {
    let config = DatabaseConfig::default();
    let update = ghost_trie::build_counted((0..entries).map(|i| (key(i), value(i, 0))));
    let genesis = Header {
        parent_hash: Hash::ZERO,
        number: 0,
        state_root: Hash(update.root),
        extrinsics_root: Hash::ZERO,
        timestamp_ms: 0,
        digest: Digest::default(),
    };
    {
        let db = Database::open_with(dir, &config).expect("database opens");
        db.commit_genesis(genesis.clone(), update.nodes, update.refs)
            .expect("genesis commits");
    }
    let db = Database::open_with(dir, &config).expect("database reopens");
    (db, genesis)
}

fn state_access(c: &mut Criterion) {
    let entries = std::env::var("GHOST_STATE_ENTRIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_ENTRIES);
    let dir = tempfile::tempdir().expect("temporary directory");
    let started = std::time::Instant::now();
    let (db, genesis) = populated(dir.path(), entries);
    println!(
        "state of {entries} entries built and committed in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let root = genesis.state_root.0;
    // Keys are visited in a stride that is prime to `entries`, so consecutive iterations
    // touch unrelated parts of the trie.
    let stride = 7_919 % entries.max(1);
    let next = AtomicU32::new(0);
    let next_key = || {
        let n = next.fetch_add(1, Ordering::Relaxed);
        (n.wrapping_mul(stride.max(1))) % entries.max(1)
    };

    let mut group = c.benchmark_group("state_access");
    group.bench_function("read/existing", |b| {
        b.iter(|| {
            let i = next_key();
            let found = StateView::new(&db, root).get(&key(i)).expect("readable");
            assert!(found.is_some());
        })
    });
    group.bench_function("read/missing", |b| {
        b.iter(|| {
            let i = entries + next_key();
            let found = StateView::new(&db, root).get(&key(i)).expect("readable");
            assert!(found.is_none());
        })
    });

    let version = AtomicU32::new(1);
    group.sample_size(10);
    for k in WRITES {
        group.throughput(Throughput::Elements(u64::from(k)));
        group.bench_with_input(BenchmarkId::new("write", k), &k, |b, &k| {
            b.iter(|| {
                let v = version.fetch_add(1, Ordering::Relaxed);
                let changes = (0..k).map(|_| {
                    let i = next_key();
                    (key(i), Some(value(i, v)))
                });
                let update = ghost_trie::apply_changes_counted(&db, root, changes)
                    .expect("the change applies");
                // A sibling of every other measured block: each commit writes its own nodes.
                let header = Header {
                    parent_hash: genesis.hash(),
                    number: 1,
                    state_root: Hash(update.root),
                    extrinsics_root: Hash::ZERO,
                    timestamp_ms: u64::from(v),
                    digest: Digest::default(),
                };
                db.commit_block(BlockCommit {
                    header,
                    body: Vec::new(),
                    state_nodes: update.nodes,
                    state_refs: update.refs,
                    tx_hashes: Vec::new(),
                    new_best: false,
                    finalized: None,
                    justification: None,
                    domain_changes: None,
                    events: None,
                })
                .expect("the block commits");
            })
        });
    }
    group.finish();
}

criterion_group!(benches, state_access);
criterion_main!(benches);
