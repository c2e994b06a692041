//! Leaves, finality off the best chain, and pruning of dead forks.

use std::sync::Arc;

use ghost_primitives::{DomainName, Hash, Header, Pair, Web3Records};
use ghost_storage::{
    BlockCommit, ChangeKind, Database, DomainChangeLog, LoggedChange, LoggedStatus, NameState,
    StorageError, TouchedName, TreeRoute,
};

use crate::common::*;

fn leaves(db: &Database) -> Vec<Hash> {
    db.leaves().unwrap().into_iter().map(|(_, h)| h).collect()
}

/// Nothing of the block is stored but its state nodes (forks keep state until state pruning).
fn assert_pruned(db: &Database, header: &Header) {
    let hash = header.hash();
    assert_eq!(db.header(&hash).unwrap(), None, "header kept");
    assert_eq!(db.body(&hash).unwrap(), None, "body kept");
    assert_eq!(db.number_of(&hash).unwrap(), None, "number kept");
    assert_eq!(db.block_tx_hashes(&hash).unwrap(), None, "tx list kept");
}

#[test]
fn leaves_track_the_head_of_every_fork_in_fork_choice_order() {
    let (t, genesis) = TestDb::with_genesis();
    assert_eq!(leaves(&t.db), vec![genesis.hash()]);
    let a = build_chain(&t.db, &genesis, 3, 10, true);
    assert_eq!(leaves(&t.db), vec![a[2].hash()]);
    let b = build_chain(&t.db, &a[0], 2, 20, false);
    let c = build_chain(&t.db, &genesis, 1, 30, false);
    // a and b both end at height 3: the lower hash comes first.
    let mut tips = vec![(3, a[2].hash()), (3, b[1].hash())];
    tips.sort_by_key(|x| x.1);
    let mut expected: Vec<Hash> = tips.into_iter().map(|(_, h)| h).collect();
    expected.push(c[0].hash());
    assert_eq!(leaves(&t.db), expected);
    // Leaves survive a restart.
    let t = t.reopen();
    assert_eq!(leaves(&t.db), expected);
}

#[test]
fn finalizing_a_fork_block_switches_the_best_chain_and_prunes_the_dead_fork() {
    let (t, genesis) = TestDb::with_genesis();
    let a = build_chain(&t.db, &genesis, 3, 10, true);
    let b = build_chain(&t.db, &genesis, 2, 20, false);
    let b_tip = child(&b[1], 22);
    let b_side = child(&b[0], 23);
    t.db.commit_block(commit_of(&b_tip, false)).unwrap();
    t.db.commit_block(commit_of(&b_side, false)).unwrap();

    let outcome = t.db.set_finalized(b[0].hash(), Some(vec![7])).unwrap();
    // The best leaf containing b[0] (b_tip at 3) becomes best.
    assert_eq!(t.db.best().unwrap(), (b_tip.hash(), 3));
    assert_eq!(t.db.finalized().unwrap(), (b[0].hash(), 1));
    assert_eq!(t.db.justification(&b[0].hash()).unwrap(), Some(vec![7]));
    assert_eq!(
        outcome.best_route,
        Some(TreeRoute {
            fork_point: 0,
            retracted: a.iter().map(|h| (h.number, h.hash())).collect(),
            enacted: [&b[0], &b[1], &b_tip]
                .iter()
                .map(|h| (h.number, h.hash()))
                .collect(),
        })
    );
    for (n, h) in [&b[0], &b[1], &b_tip].iter().enumerate() {
        assert_eq!(t.db.hash_by_number(n as u64 + 1).unwrap(), Some(h.hash()));
    }
    // The retracted chain's transactions leave the index, the new chain's enter it.
    for tx in txs_for(&a[0]) {
        assert_eq!(t.db.tx_location(&tx).unwrap(), None);
    }
    for (index, tx) in txs_for(&b_tip).into_iter().enumerate() {
        assert_eq!(
            t.db.tx_location(&tx).unwrap(),
            Some((b_tip.hash(), index as u32))
        );
    }
    // Chain a no longer contains the finalized block: pruned. b_side descends from it: kept.
    let mut pruned = outcome.pruned.clone();
    pruned.sort();
    let mut expected: Vec<Hash> = a.iter().map(Header::hash).collect();
    expected.sort();
    assert_eq!(pruned, expected);
    for header in &a {
        assert_pruned(&t.db, header);
    }
    assert!(t.db.header(&b_side.hash()).unwrap().is_some());
    let mut expected_leaves = vec![b_tip.hash(), b_side.hash()];
    expected_leaves.sort_by_key(|h| if *h == b_tip.hash() { 0 } else { 1 });
    assert_eq!(leaves(&t.db), expected_leaves);
    // The genesis block and its state are untouched.
    assert!(t.db.header(&genesis.hash()).unwrap().is_some());
}

#[test]
fn finality_on_the_best_chain_prunes_forks_below_it() {
    let (t, genesis) = TestDb::with_genesis();
    let a = build_chain(&t.db, &genesis, 3, 10, true);
    let b = build_chain(&t.db, &genesis, 2, 20, false);
    let commit = BlockCommit {
        finalized: Some(a[1].hash()),
        ..commit_of(&child(&a[2], 13), true)
    };
    let outcome = t.db.commit_block(commit).unwrap();
    assert_eq!(outcome.finalized, Some((a[1].hash(), 2)));
    assert_eq!(outcome.best_route.map(|r| r.retracted), Some(vec![]));
    assert_eq!(outcome.pruned.len(), 2);
    for header in &b {
        assert_pruned(&t.db, header);
    }
    assert_eq!(leaves(&t.db).len(), 1);
}

/// A fork that branches off the best chain *above* the finalized block still contains it: GRANDPA
/// may yet finalize it, and votes for it must find it (a simulation seed stalled finality when
/// such a fork was deleted under the voters' feet).
#[test]
fn finality_keeps_forks_that_branch_off_the_best_chain_above_it() {
    let (t, genesis) = TestDb::with_genesis();
    let a = build_chain(&t.db, &genesis, 4, 10, true);
    let side = child(&a[1], 30);
    t.db.commit_block(commit_of(&side, false)).unwrap();
    let side_tip = child(&side, 31);
    t.db.commit_block(commit_of(&side_tip, false)).unwrap();
    let dead = build_chain(&t.db, &genesis, 1, 20, false);

    let outcome = t.db.set_finalized(a[0].hash(), None).unwrap();
    assert_eq!(outcome.pruned, vec![dead[0].hash()]);
    assert_pruned(&t.db, &dead[0]);
    for header in [&side, &side_tip] {
        assert_eq!(t.db.header(&header.hash()).unwrap().as_ref(), Some(header));
    }
    assert!(leaves(&t.db).contains(&side_tip.hash()));
    // And it can still be finalized later, switching the best chain to it.
    t.db.set_finalized(side_tip.hash(), None).unwrap();
    assert_eq!(t.db.best().unwrap(), (side_tip.hash(), 4));
}

#[test]
fn finalizing_a_block_that_does_not_descend_from_the_finalized_one_is_refused() {
    let (t, genesis) = TestDb::with_genesis();
    let a = build_chain(&t.db, &genesis, 2, 10, true);
    let b = build_chain(&t.db, &genesis, 3, 20, false);
    t.db.set_finalized(a[0].hash(), None).unwrap();
    // b[1] was pruned with its fork; b-chain blocks are gone.
    assert!(matches!(
        t.db.set_finalized(b[2].hash(), None),
        Err(StorageError::UnknownBlock { .. })
    ));
    // A fork of a[0] committed later cannot be finalized past a sibling.
    let side = child(&genesis, 40);
    assert!(t.db.commit_block(commit_of(&side, false)).is_ok());
    let side2 = child(&side, 41);
    t.db.commit_block(commit_of(&side2, false)).unwrap();
    assert!(matches!(
        t.db.set_finalized(side2.hash(), None),
        Err(StorageError::NotDescendantOfFinalized { .. })
    ));
    assert_eq!(t.db.finalized().unwrap(), (a[0].hash(), 1));
}

/// A change log naming `label.ghost` as created by the block with `salt`.
fn change_log(label: &str, salt: u64) -> DomainChangeLog {
    let name = DomainName::parse(&format!("{label}.ghost")).unwrap();
    DomainChangeLog {
        number: 1,
        parent: genesis_header().hash(),
        changes: vec![LoggedChange {
            name: name.clone(),
            kind: ChangeKind::Created,
            new_owner: Some(Pair::dev("Alice").public()),
            new_records: None,
            extrinsic_index: Some(0),
        }],
        names: vec![TouchedName {
            name,
            before: None,
            after: Some(NameState {
                owner: Pair::dev("Alice").public(),
                records: vec![],
                web3: Web3Records::default(),
                expires_at: salt,
                created_at: salt,
                status: LoggedStatus::Active,
                parent: None,
                update_key: None,
                update_sequence: 0,
            }),
        }],
    }
}

#[test]
fn domain_changes_are_stored_with_the_block_and_outlive_its_pruning() {
    let (t, genesis) = TestDb::with_genesis();
    let a = child(&genesis, 10);
    let b = child(&genesis, 20);
    for (header, best, label) in [(&a, true, "alice"), (&b, false, "bob")] {
        let commit = BlockCommit {
            domain_changes: Some(change_log(label, header.timestamp_ms)),
            ..commit_of(header, best)
        };
        t.db.commit_block(commit).unwrap();
    }
    assert_eq!(
        t.db.domain_changes(&b.hash()).unwrap(),
        Some(Arc::new(change_log("bob", 20)))
    );
    // Blocks committed without a log (and the genesis block) have none.
    let c = child(&a, 30);
    t.db.commit_block(commit_of(&c, true)).unwrap();
    assert_eq!(t.db.domain_changes(&c.hash()).unwrap(), None);
    assert_eq!(t.db.domain_changes(&genesis.hash()).unwrap(), None);
    t.db.set_finalized(a.hash(), None).unwrap();
    assert_eq!(
        t.db.domain_changes(&a.hash()).unwrap(),
        Some(Arc::new(change_log("alice", 10)))
    );
    // The losing fork's block goes, its log stays (to rewind followers that saw it); logs
    // survive a reopen.
    assert_eq!(t.db.header(&b.hash()).unwrap(), None);
    assert_eq!(
        t.db.domain_changes(&b.hash()).unwrap(),
        Some(Arc::new(change_log("bob", 20)))
    );
    let t = t.reopen();
    assert_eq!(
        t.db.domain_changes(&a.hash()).unwrap(),
        Some(Arc::new(change_log("alice", 10)))
    );
}

#[test]
fn events_are_stored_in_the_blocks_batch_and_go_only_with_a_losing_fork() {
    let (t, genesis) = TestDb::with_genesis();
    let a = child(&genesis, 10);
    let b = child(&genesis, 20);
    t.db.commit_block(commit_of(&a, true)).unwrap();
    t.db.commit_block(commit_of(&b, false)).unwrap();
    assert_eq!(t.db.block_events(&a.hash()).unwrap(), Some(events_for(&a)));
    assert_eq!(t.db.block_events(&b.hash()).unwrap(), Some(events_for(&b)));
    assert_eq!(t.db.block_events(&genesis.hash()).unwrap(), None);
    // A commit without events stores none.
    let c = child(&a, 30);
    t.db.commit_block(BlockCommit {
        events: None,
        ..commit_of(&c, true)
    })
    .unwrap();
    assert_eq!(t.db.block_events(&c.hash()).unwrap(), None);
    // Finalizing `a` discards the fork `b` with its events; `a`'s stay, also after a reopen.
    t.db.set_finalized(a.hash(), None).unwrap();
    assert_eq!(t.db.block_events(&b.hash()).unwrap(), None);
    let t = t.reopen();
    assert_eq!(t.db.block_events(&a.hash()).unwrap(), Some(events_for(&a)));
}

#[test]
fn readers_share_one_decoded_change_log() {
    let (t, genesis) = TestDb::with_genesis();
    let a = child(&genesis, 10);
    let commit = BlockCommit {
        domain_changes: Some(change_log("alice", 10)),
        ..commit_of(&a, true)
    };
    t.db.commit_block(commit).unwrap();
    // The committed log is cached: every reader gets the same decoded copy.
    let first = t.db.domain_changes(&a.hash()).unwrap().unwrap();
    let second = t.db.domain_changes(&a.hash()).unwrap().unwrap();
    assert!(Arc::ptr_eq(&first, &second));
    // A fresh process decodes it once from disk, then shares that copy.
    let t = t.reopen();
    let from_disk = t.db.domain_changes(&a.hash()).unwrap().unwrap();
    assert!(!Arc::ptr_eq(&first, &from_disk));
    assert_eq!(from_disk, first);
    let again = t.db.domain_changes(&a.hash()).unwrap().unwrap();
    assert!(Arc::ptr_eq(&from_disk, &again));
}

#[test]
fn a_change_log_that_does_not_decode_is_reported_as_corruption() {
    let (t, genesis) = TestDb::with_genesis();
    let a = child(&genesis, 10);
    t.db.commit_block(commit_of(&a, true)).unwrap();
    let t = {
        let TestDb { db, dir } = t;
        drop(db);
        let opts = rocksdb::Options::default();
        let cfs = rocksdb::DB::list_cf(&opts, dir.path()).unwrap();
        let raw = rocksdb::DB::open_cf(&opts, dir.path(), &cfs).unwrap();
        let column = raw.cf_handle("domain_changes").unwrap();
        raw.put_cf(column, a.hash().as_bytes(), [0xff, 0xff, 0xff])
            .unwrap();
        drop(raw);
        TestDb {
            db: Database::open(dir.path()).unwrap(),
            dir,
        }
    };
    let error = t.db.domain_changes(&a.hash()).unwrap_err();
    assert!(error.is_corruption(), "{error}");
}

#[test]
fn the_in_memory_database_runs_the_same_commit_logic() {
    let db = Database::in_memory();
    let genesis = genesis_header();
    db.commit_genesis(genesis.clone(), nodes_for(&genesis), refs_for(&genesis))
        .unwrap();
    let a = build_chain(&db, &genesis, 2, 10, true);
    let b = build_chain(&db, &genesis, 3, 20, false);
    assert_eq!(db.best().unwrap(), (a[1].hash(), 2));
    // A longer fork becomes best only when told (fork choice is the caller's).
    let outcome = db.commit_block(commit_of(&child(&b[2], 23), true)).unwrap();
    assert_eq!(outcome.best_route.unwrap().retracted.len(), 2);
    assert_eq!(db.best().unwrap().1, 4);
    assert!(matches!(
        db.commit_block(commit_of(
            &child(
                &Header {
                    number: 9,
                    ..genesis.clone()
                },
                1
            ),
            true
        )),
        Err(StorageError::UnknownParent { .. })
    ));
}
