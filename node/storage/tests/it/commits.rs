//! Opening, genesis, block round trips, restarts and refused commits.

use ghost_primitives::blake3_256;
use ghost_storage::{Database, SCHEMA_VERSION, StorageError};
use ghost_trie::NodeStore;
use parity_scale_codec::Encode;

use crate::common::*;

#[test]
fn database_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Database>();
}

#[test]
fn fresh_database_is_uninitialized() {
    let dir = tempfile::tempdir().unwrap();
    let db = Database::open(dir.path()).unwrap();
    assert_eq!(db.genesis_hash().unwrap(), None);
    assert!(matches!(db.best(), Err(StorageError::Uninitialized)));
    assert!(matches!(db.finalized(), Err(StorageError::Uninitialized)));
    let orphan = child(&genesis_header(), 1);
    assert!(matches!(
        db.commit_block(commit_of(&orphan, true)),
        Err(StorageError::Uninitialized)
    ));
}

#[test]
fn genesis_sets_best_finalized_and_canonical_zero() {
    let (t, genesis) = TestDb::with_genesis();
    let hash = genesis.hash();
    assert_eq!(t.db.genesis_hash().unwrap(), Some(hash));
    assert_eq!(t.db.best().unwrap(), (hash, 0));
    assert_eq!(t.db.finalized().unwrap(), (hash, 0));
    assert_eq!(t.db.hash_by_number(0).unwrap(), Some(hash));
    assert_eq!(t.db.number_of(&hash).unwrap(), Some(0));
    assert_eq!(t.db.header(&hash).unwrap(), Some(genesis.clone()));
    assert_eq!(t.db.body(&hash).unwrap(), None);
    for (node_hash, node) in nodes_for(&genesis) {
        assert_eq!(t.db.state_node(&node_hash).unwrap(), Some(node));
    }
}

#[test]
fn genesis_commit_is_idempotent_and_refuses_another_genesis() {
    let (t, genesis) = TestDb::with_genesis();
    assert_eq!(
        t.db.commit_genesis(genesis.clone(), vec![], vec![])
            .unwrap(),
        genesis.hash()
    );
    let mut other = genesis.clone();
    other.timestamp_ms = 99;
    match t.db.commit_genesis(other.clone(), vec![], vec![]) {
        Err(StorageError::GenesisMismatch { stored, given }) => {
            assert_eq!(stored, genesis.hash());
            assert_eq!(given, other.hash());
        }
        other => panic!("expected GenesisMismatch, got {other:?}"),
    }
    assert_eq!(t.db.genesis_hash().unwrap(), Some(genesis.hash()));
}

#[test]
fn genesis_with_nonzero_number_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = Database::open(dir.path()).unwrap();
    let mut header = genesis_header();
    header.number = 1;
    assert!(matches!(
        db.commit_genesis(header, vec![], vec![]),
        Err(StorageError::GenesisNotZero { number: 1 })
    ));
    assert_eq!(db.genesis_hash().unwrap(), None);
}

#[test]
fn committed_block_reads_back() {
    let (t, genesis) = TestDb::with_genesis();
    let header = child(&genesis, 10);
    let hash = header.hash();
    t.db.commit_block(commit_of(&header, true)).unwrap();

    assert_eq!(t.db.header(&hash).unwrap(), Some(header.clone()));
    assert_eq!(t.db.body(&hash).unwrap(), Some(body_for(&header)));
    assert_eq!(t.db.number_of(&hash).unwrap(), Some(1));
    assert_eq!(t.db.hash_by_number(1).unwrap(), Some(hash));
    assert_eq!(t.db.hash_by_number(2).unwrap(), None);
    assert_eq!(t.db.best().unwrap(), (hash, 1));
    assert_eq!(t.db.finalized().unwrap(), (genesis.hash(), 0));
    assert_eq!(t.db.block_tx_hashes(&hash).unwrap(), Some(txs_for(&header)));
    for (index, tx) in txs_for(&header).iter().enumerate() {
        assert_eq!(t.db.tx_location(tx).unwrap(), Some((hash, index as u32)));
    }
    for (node_hash, node) in nodes_for(&header) {
        assert_eq!(t.db.state_node(&node_hash).unwrap(), Some(node.clone()));
        assert_eq!(NodeStore::get_node(&t.db, &node_hash), Some(node));
    }
    assert_eq!(NodeStore::get_node(&t.db, &[0xee; 32]), None);
    assert_eq!(
        t.db.tx_location(&blake3_256(b"never included")).unwrap(),
        None
    );
}

#[test]
fn non_best_block_is_stored_but_not_canonical_or_tx_indexed() {
    let (t, genesis) = TestDb::with_genesis();
    let header = child(&genesis, 10);
    t.db.commit_block(commit_of(&header, false)).unwrap();
    assert_eq!(t.db.header(&header.hash()).unwrap(), Some(header.clone()));
    assert_eq!(t.db.body(&header.hash()).unwrap(), Some(body_for(&header)));
    assert_eq!(t.db.hash_by_number(1).unwrap(), None);
    assert_eq!(t.db.best().unwrap(), (genesis.hash(), 0));
    for tx in txs_for(&header) {
        assert_eq!(t.db.tx_location(&tx).unwrap(), None);
    }
}

#[test]
fn restart_resumes_genesis_best_and_finalized() {
    let (t, genesis) = TestDb::with_genesis();
    let chain = build_chain(&t.db, &genesis, 4, 100, true);
    t.db.set_finalized(chain[1].hash(), Some(b"proof".to_vec()))
        .unwrap();

    let t = t.reopen();
    assert_eq!(t.db.genesis_hash().unwrap(), Some(genesis.hash()));
    assert_eq!(t.db.best().unwrap(), (chain[3].hash(), 4));
    assert_eq!(t.db.finalized().unwrap(), (chain[1].hash(), 2));
    assert_eq!(
        t.db.justification(&chain[1].hash()).unwrap(),
        Some(b"proof".to_vec())
    );
    for header in &chain {
        assert_eq!(
            t.db.hash_by_number(header.number).unwrap(),
            Some(header.hash())
        );
        assert_eq!(t.db.header(&header.hash()).unwrap().as_ref(), Some(header));
    }
    // The reopened database keeps accepting blocks on the resumed best block.
    let next = child(&chain[3], 200);
    t.db.commit_block(commit_of(&next, true)).unwrap();
    assert_eq!(t.db.best().unwrap(), (next.hash(), 5));
}

#[test]
fn unknown_parent_is_refused_with_nothing_written() {
    let (t, genesis) = TestDb::with_genesis();
    let mut phantom_parent = genesis.clone();
    phantom_parent.timestamp_ms = 12345;
    let orphan = child(&phantom_parent, 7);
    let mut commit = commit_of(&orphan, true);
    commit.finalized = Some(orphan.hash());
    commit.justification = Some(b"j".to_vec());

    match t.db.commit_block(commit) {
        Err(error @ StorageError::UnknownParent { parent }) => {
            assert_eq!(parent, phantom_parent.hash());
            assert!(error.is_unknown_parent());
        }
        other => panic!("expected UnknownParent, got {other:?}"),
    }
    assert_absent(&t.db, &orphan);
    assert_eq!(t.db.justification(&orphan.hash()).unwrap(), None);
    assert_eq!(t.db.best().unwrap(), (genesis.hash(), 0));
    assert_eq!(t.db.finalized().unwrap(), (genesis.hash(), 0));
    assert_eq!(t.db.hash_by_number(1).unwrap(), None);
}

#[test]
fn non_sequential_number_is_refused() {
    let (t, genesis) = TestDb::with_genesis();
    let mut header = child(&genesis, 5);
    header.number = 3;
    assert!(matches!(
        t.db.commit_block(commit_of(&header, true)),
        Err(StorageError::NonSequentialNumber {
            expected: 1,
            found: 3
        })
    ));
    assert_absent(&t.db, &header);
}

#[test]
fn recommitting_an_ancestor_as_best_rewinds_the_canonical_chain() {
    let (t, genesis) = TestDb::with_genesis();
    let chain = build_chain(&t.db, &genesis, 3, 1, true);
    t.db.commit_block(commit_of(&chain[0], true)).unwrap();
    assert_eq!(t.db.best().unwrap(), (chain[0].hash(), 1));
    assert_eq!(t.db.hash_by_number(1).unwrap(), Some(chain[0].hash()));
    assert_eq!(t.db.hash_by_number(2).unwrap(), None);
    assert_eq!(t.db.hash_by_number(3).unwrap(), None);
    assert_eq!(t.db.tx_location(&txs_for(&chain[2])[0]).unwrap(), None);
    assert_eq!(
        t.db.tx_location(&txs_for(&chain[0])[1]).unwrap(),
        Some((chain[0].hash(), 1))
    );
    // The rewound blocks stay stored and can become best again.
    t.db.commit_block(commit_of(&chain[2], true)).unwrap();
    assert_eq!(t.db.hash_by_number(2).unwrap(), Some(chain[1].hash()));
    assert_eq!(
        t.db.tx_location(&txs_for(&chain[2])[0]).unwrap(),
        Some((chain[2].hash(), 0))
    );
}

#[test]
fn schema_mismatch_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    drop(Database::open(dir.path()).unwrap());
    {
        let mut opts = rocksdb::Options::default();
        opts.create_if_missing(false);
        let cfs = rocksdb::DB::list_cf(&opts, dir.path()).unwrap();
        let raw = rocksdb::DB::open_cf(&opts, dir.path(), &cfs).unwrap();
        let meta = raw.cf_handle("meta").unwrap();
        raw.put_cf(meta, b"schema_version", 99u32.encode()).unwrap();
    }
    match Database::open(dir.path()) {
        Err(StorageError::SchemaMismatch { found, expected }) => {
            assert_eq!(found, 99);
            assert_eq!(expected, SCHEMA_VERSION);
        }
        other => panic!("expected SchemaMismatch, got {other:?}"),
    }
}

#[test]
fn a_v4_database_without_the_events_column_is_upgraded_in_place() {
    let (t, genesis) = TestDb::with_genesis();
    let chain = build_chain(&t.db, &genesis, 3, 10, true);
    let TestDb { db, dir } = t;
    drop(db);
    {
        // What schema v4 wrote: no `events` column family, version 4 in `meta`.
        let opts = rocksdb::Options::default();
        let cfs = rocksdb::DB::list_cf(&opts, dir.path()).unwrap();
        let mut raw = rocksdb::DB::open_cf(&opts, dir.path(), &cfs).unwrap();
        raw.drop_cf("events").unwrap();
        let meta = raw.cf_handle("meta").unwrap();
        raw.put_cf(meta, b"schema_version", 4u32.encode()).unwrap();
    }
    let t = TestDb {
        db: Database::open(dir.path()).unwrap(),
        dir,
    };
    // The chain is intact; blocks stored before the upgrade have no events entry.
    assert_eq!(t.db.best().unwrap(), (chain[2].hash(), 3));
    assert_eq!(t.db.block_events(&chain[0].hash()).unwrap(), None);
    let next = child(&chain[2], 40);
    t.db.commit_block(commit_of(&next, true)).unwrap();
    assert_eq!(
        t.db.block_events(&next.hash()).unwrap(),
        Some(events_for(&next))
    );
    // The upgrade was written: the database now opens as the current version.
    let t = t.reopen();
    assert_eq!(
        t.db.block_events(&next.hash()).unwrap(),
        Some(events_for(&next))
    );
}

#[test]
fn undecodable_meta_is_a_codec_error() {
    let (t, _) = TestDb::with_genesis();
    let TestDb { db, dir } = t;
    drop(db);
    {
        let opts = rocksdb::Options::default();
        let cfs = rocksdb::DB::list_cf(&opts, dir.path()).unwrap();
        let raw = rocksdb::DB::open_cf(&opts, dir.path(), &cfs).unwrap();
        let meta = raw.cf_handle("meta").unwrap();
        raw.put_cf(meta, b"best", [1u8, 2, 3]).unwrap();
    }
    let db = Database::open(dir.path()).unwrap();
    let error = db.best().unwrap_err();
    assert!(error.is_corruption(), "{error:?}");
    assert!(matches!(
        error,
        StorageError::Codec {
            what: "meta best",
            ..
        }
    ));
}

#[test]
fn second_open_of_the_same_directory_fails_while_the_first_is_open() {
    let (t, _) = TestDb::with_genesis();
    assert!(matches!(
        Database::open(t.dir.path()),
        Err(StorageError::Rocks(_))
    ));
}

#[test]
fn concurrent_readers_and_writer_share_an_arc() {
    let (t, genesis) = TestDb::with_genesis();
    let db = std::sync::Arc::new(t.db);
    let writer = {
        let db = db.clone();
        std::thread::spawn(move || build_chain(&db, &genesis, 50, 1, true))
    };
    let readers: Vec<_> = (0..4)
        .map(|_| {
            let db = db.clone();
            std::thread::spawn(move || {
                for _ in 0..200 {
                    let (hash, number) = db.best().unwrap();
                    assert_eq!(db.number_of(&hash).unwrap(), Some(number));
                    assert!(db.header(&hash).unwrap().is_some());
                }
            })
        })
        .collect();
    let chain = writer.join().unwrap();
    for reader in readers {
        reader.join().unwrap();
    }
    assert_eq!(db.best().unwrap(), (chain[49].hash(), 50));
}
