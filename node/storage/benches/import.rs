//! Block import on RocksDB: the runtime's block-import benchmark block (N signed transfers from
//! N distinct funded senders, [`TransferBlock`]) executed on the node's RocksDB store, next to
//! the same block on the in-memory store and to ed25519 batch verification, in one run.
//!
//! `cargo bench -p ghost-storage --bench import`
//!
//! - `memory_import`: `execute_block` on the in-memory trie store (as
//!   `runtime/benches/block_import.rs`).
//! - `rocksdb_execute`: `execute_block` reading the state from RocksDB (the database is reopened
//!   after the genesis commit, so reads go through RocksDB's files and block cache).
//! - `rocksdb_import`: execute, then commit the block in one WriteBatch
//!   ([`Database::commit_block`], fsynced as the node's default is): what a node does per block
//!   apart from the seal check and the name change log.
//! - `verify_batch`: the chain's batch check of the block's signatures on one core;
//!   `dalek_verify_batch`: ed25519-dalek's. Both decompress every public key from its 32 bytes
//!   inside the timed loop, as import does.
//!
//! Import verifies the batch on a second thread while it executes (see
//! `ghost_runtime::builder::execute_block`), so its wall-clock time can undercut
//! `verify_batch`'s.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use ghost_primitives::crypto::verify_batch;
use ghost_runtime::builder::execute_block;
use ghost_runtime::test_utils::TransferBlock;
use ghost_storage::{BlockCommit, Database, DatabaseConfig};
use parity_scale_codec::Encode;

/// Block sizes measured.
const SIZES: [usize; 2] = [100, 1_000];

/// A RocksDB database in `dir` holding `f`'s genesis, reopened so the state is read back from
/// its files.
fn rocksdb_with_genesis(dir: &std::path::Path, f: &TransferBlock) -> Database {
    let config = DatabaseConfig::default();
    {
        let db = Database::open_with(dir, &config).expect("database opens");
        db.commit_genesis(
            f.genesis.header.clone(),
            f.genesis.state_nodes.clone(),
            f.genesis.state_refs.clone(),
        )
        .expect("genesis commits");
    }
    Database::open_with(dir, &config).expect("database reopens")
}

/// Executes `f.block` on `db` and commits it (again: a stored block is rewritten as is).
fn import(db: &Database, f: &TransferBlock) {
    let executed = execute_block(db, &f.genesis.header, &f.block).expect("block imports");
    db.commit_block(BlockCommit {
        header: f.block.header.clone(),
        body: f.block.extrinsics.encode(),
        state_nodes: executed.state_nodes,
        state_refs: executed.state_refs,
        tx_hashes: f.block.extrinsics.iter().map(|xt| xt.hash()).collect(),
        new_best: true,
        finalized: None,
        justification: None,
        domain_changes: None,
        events: Some(executed.encoded_events),
    })
    .expect("block commits");
}

fn block_import(c: &mut Criterion) {
    let mut group = c.benchmark_group("import");
    group.sample_size(10);
    for n in SIZES {
        let fixture = TransferBlock::new(n);
        let dir = tempfile::tempdir().expect("temporary directory");
        let db = rocksdb_with_genesis(dir.path(), &fixture);
        group.throughput(Throughput::Elements(n as u64));

        group.bench_with_input(BenchmarkId::new("memory_import", n), &fixture, |b, f| {
            b.iter(|| execute_block(&f.store, &f.genesis.header, &f.block).expect("imports"))
        });
        group.bench_with_input(BenchmarkId::new("rocksdb_execute", n), &fixture, |b, f| {
            b.iter(|| execute_block(&db, &f.genesis.header, &f.block).expect("imports"))
        });
        group.bench_with_input(BenchmarkId::new("rocksdb_import", n), &fixture, |b, f| {
            b.iter(|| import(&db, f))
        });
        group.bench_with_input(BenchmarkId::new("verify_batch", n), &fixture, |b, f| {
            let items = f.signatures();
            b.iter(|| assert!(verify_batch(&items)))
        });
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
