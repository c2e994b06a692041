//! A bulk pass over the state ([`Database::bulk_state`]) reads what the ordinary reader reads,
//! and leaves RocksDB's block cache and the node cache as it found them.

use ghost_primitives::Hash;
use ghost_storage::Database;
use ghost_trie::{KeyValue, StateView, build_counted};

use crate::common::genesis_header_with_root;

/// Entries in the test state: enough nodes to fill many RocksDB blocks.
const KEYS: u32 = 5_000;

/// A database whose genesis state holds [`KEYS`] entries (half of them long values, stored as
/// their own nodes), reopened so that the state sits in table files rather than the memtable,
/// with both caches empty.
fn reopened_with_state() -> (tempfile::TempDir, Database, Hash) {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = (0..KEYS).map(|i| {
        let len = if i % 2 == 0 { 8 } else { 64 };
        let mut value = i.to_le_bytes().to_vec();
        value.resize(len, 0x5a);
        (format!("name/{i:08}").into_bytes(), value)
    });
    let built = build_counted(state);
    let header = genesis_header_with_root(Hash(built.root));
    {
        let db = Database::open(dir.path()).expect("open");
        db.commit_genesis(header, built.nodes, built.refs)
            .expect("genesis");
    }
    let db = Database::open(dir.path()).expect("reopen");
    (dir, db, Hash(built.root))
}

fn every_entry(view: StateView<'_>) -> Vec<KeyValue> {
    view.iter_prefix(b"name/", None, usize::MAX)
        .expect("state readable")
}

#[test]
fn a_bulk_pass_fills_neither_the_block_cache_nor_the_node_cache() {
    let (_dir, db, root) = reopened_with_state();
    let cache_before = db.block_cache_usage().expect("RocksDB has a block cache");
    let nodes_before = db.node_cache_stats();

    let bulk = db.bulk_state();
    let read = every_entry(StateView::new(&bulk, root.0));
    assert_eq!(read.len(), KEYS as usize);
    let bulk_growth = db
        .block_cache_usage()
        .expect("block cache")
        .saturating_sub(cache_before);
    assert_eq!(
        db.node_cache_stats(),
        nodes_before,
        "the bulk pass changed the node cache"
    );

    // The same pass through the ordinary reader fills both: the bound below would catch a
    // bulk pass that did.
    let cached = every_entry(StateView::new(&db, root.0));
    assert_eq!(cached, read, "both readers see the same state");
    let cached_growth = db
        .block_cache_usage()
        .expect("block cache")
        .saturating_sub(cache_before);
    assert!(
        cached_growth > 64 * 1024,
        "the ordinary pass cached only {cached_growth} bytes of blocks"
    );
    assert!(
        bulk_growth * 20 < cached_growth,
        "the bulk pass left {bulk_growth} bytes in the block cache (the ordinary one {cached_growth})"
    );
    let cached_nodes = db.node_cache_stats().nodes - nodes_before.nodes;
    assert!(
        cached_nodes > KEYS as usize / 2,
        "the ordinary pass cached {cached_nodes} nodes"
    );
}

#[test]
fn a_bulk_pass_uses_the_nodes_the_node_cache_holds_without_reordering_them() {
    let (_dir, db, root) = reopened_with_state();
    // Warm the node cache with the upper levels a point read walks.
    let key = b"name/00000042";
    let value = StateView::new(&db, root.0).get(key).expect("read");
    let warm = db.node_cache_stats();
    assert!(warm.nodes > 0);

    let bulk = db.bulk_state();
    assert_eq!(StateView::new(&bulk, root.0).get(key).expect("read"), value);
    assert_eq!(
        db.node_cache_stats(),
        warm,
        "a bulk read counted or added nodes"
    );
}

#[test]
fn an_in_memory_database_reads_in_bulk_too_and_reports_no_block_cache() {
    let db = Database::in_memory();
    let built = build_counted([(b"name/a".to_vec(), vec![1u8; 40])]);
    let header = genesis_header_with_root(Hash(built.root));
    db.commit_genesis(header, built.nodes, built.refs)
        .expect("genesis");
    let bulk = db.bulk_state();
    assert_eq!(
        StateView::new(&bulk, built.root)
            .get(b"name/a")
            .expect("read"),
        Some(vec![1u8; 40])
    );
    assert_eq!(db.block_cache_usage(), None);
}
