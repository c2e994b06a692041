//! Fork switches: the canonical index and the transaction index follow the best chain.

use ghost_primitives::{Hash, Header, blake3_256};
use ghost_storage::{BlockCommit, StorageError};

use crate::common::*;

/// Genesis, a common parent P at 1, fork A (2..=4) as best, fork B (2..=5) stored but not best.
struct Forks {
    t: TestDb,
    parent: Header,
    a: Vec<Header>,
    b: Vec<Header>,
}

fn forks() -> Forks {
    let (t, genesis) = TestDb::with_genesis();
    let parent = build_chain(&t.db, &genesis, 1, 1, true).remove(0);
    let a = build_chain(&t.db, &parent, 3, 100, true);
    let b = build_chain(&t.db, &parent, 3, 200, false);
    let b_head = child(&b[2], 203);
    let mut b = b;
    b.push(b_head);
    Forks { t, parent, a, b }
}

#[test]
fn longer_fork_becoming_best_rewrites_the_canonical_index() {
    let Forks { t, parent, a, b } = forks();
    // Before the switch the canonical chain is P, A.
    assert_eq!(t.db.best().unwrap(), (a[2].hash(), 4));
    for header in &a {
        assert_eq!(
            t.db.hash_by_number(header.number).unwrap(),
            Some(header.hash())
        );
    }

    t.db.commit_block(commit_of(&b[3], true)).unwrap();

    assert_eq!(t.db.best().unwrap(), (b[3].hash(), 5));
    assert_eq!(t.db.hash_by_number(1).unwrap(), Some(parent.hash()));
    for header in &b {
        assert_eq!(
            t.db.hash_by_number(header.number).unwrap(),
            Some(header.hash())
        );
    }
    assert_eq!(t.db.hash_by_number(6).unwrap(), None);
    // Fork A's blocks are still stored (archive) but no longer canonical.
    for header in &a {
        assert_ne!(
            t.db.hash_by_number(header.number).unwrap(),
            Some(header.hash())
        );
        assert_eq!(t.db.header(&header.hash()).unwrap().as_ref(), Some(header));
        assert_eq!(t.db.body(&header.hash()).unwrap(), Some(body_for(header)));
        for (node_hash, node) in nodes_for(header) {
            assert_eq!(t.db.state_node(&node_hash).unwrap(), Some(node));
        }
    }
}

#[test]
fn transaction_index_moves_from_retracted_to_enacted_blocks() {
    let Forks { t, a, b, .. } = forks();
    for header in &a {
        for (i, tx) in txs_for(header).iter().enumerate() {
            assert_eq!(
                t.db.tx_location(tx).unwrap(),
                Some((header.hash(), i as u32))
            );
        }
    }
    for header in &b[..3] {
        for tx in txs_for(header) {
            assert_eq!(
                t.db.tx_location(&tx).unwrap(),
                None,
                "non-best fork indexed"
            );
        }
    }

    t.db.commit_block(commit_of(&b[3], true)).unwrap();

    for header in &a {
        for tx in txs_for(header) {
            assert_eq!(
                t.db.tx_location(&tx).unwrap(),
                None,
                "retracted tx still indexed"
            );
        }
    }
    for header in &b {
        for (i, tx) in txs_for(header).iter().enumerate() {
            assert_eq!(
                t.db.tx_location(tx).unwrap(),
                Some((header.hash(), i as u32))
            );
        }
    }
}

#[test]
fn transaction_in_both_forks_points_at_the_enacted_block() {
    let (t, genesis) = TestDb::with_genesis();
    let shared = blake3_256(b"shared transfer");
    let only_a = blake3_256(b"only in A");
    let commit = |header: &Header, txs: Vec<Hash>, new_best| BlockCommit {
        tx_hashes: txs,
        ..commit_of(header, new_best)
    };
    let a1 = child(&genesis, 1);
    t.db.commit_block(commit(&a1, vec![only_a, shared], true))
        .unwrap();
    assert_eq!(t.db.tx_location(&shared).unwrap(), Some((a1.hash(), 1)));

    let b1 = child(&genesis, 2);
    let b2 = child(&b1, 3);
    t.db.commit_block(commit(&b1, vec![shared], false)).unwrap();
    t.db.commit_block(commit(&b2, vec![], true)).unwrap();

    assert_eq!(t.db.tx_location(&shared).unwrap(), Some((b1.hash(), 0)));
    assert_eq!(t.db.tx_location(&only_a).unwrap(), None);
}

#[test]
fn switching_to_a_shorter_fork_deletes_canonical_entries_above_it() {
    let Forks { t, a, b, .. } = forks();
    t.db.commit_block(commit_of(&b[0], true)).unwrap();
    assert_eq!(t.db.best().unwrap(), (b[0].hash(), 2));
    assert_eq!(t.db.hash_by_number(2).unwrap(), Some(b[0].hash()));
    assert_eq!(t.db.hash_by_number(3).unwrap(), None);
    assert_eq!(t.db.hash_by_number(4).unwrap(), None);
    for tx in txs_for(&a[2]) {
        assert_eq!(t.db.tx_location(&tx).unwrap(), None);
    }
    // And back to A's head: the canonical chain is A again.
    t.db.commit_block(commit_of(&a[2], true)).unwrap();
    for header in &a {
        assert_eq!(
            t.db.hash_by_number(header.number).unwrap(),
            Some(header.hash())
        );
    }
}

#[test]
fn reorg_survives_restart() {
    let Forks { t, parent, b, .. } = forks();
    t.db.commit_block(commit_of(&b[3], true)).unwrap();
    let t = t.reopen();
    assert_eq!(t.db.best().unwrap(), (b[3].hash(), 5));
    assert_eq!(t.db.hash_by_number(1).unwrap(), Some(parent.hash()));
    for header in &b {
        assert_eq!(
            t.db.hash_by_number(header.number).unwrap(),
            Some(header.hash())
        );
    }
}

#[test]
fn reorg_below_the_finalized_block_is_refused_with_nothing_written() {
    let Forks { t, parent, a, b } = forks();
    t.db.set_finalized(a[0].hash(), None).unwrap();
    // Finality pruned fork B (it does not contain a[0]): its next block has no parent.
    assert!(matches!(
        t.db.commit_block(commit_of(&b[3], true)),
        Err(StorageError::UnknownParent { .. })
    ));
    // A fork of P made after finality, longer than A, still may not become best.
    let c = build_chain(&t.db, &parent, 4, 300, false);
    let c_head = child(&c[3], 304);
    match t.db.commit_block(commit_of(&c_head, true)) {
        Err(StorageError::RevertsFinalized {
            finalized,
            fork_point,
        }) => {
            assert_eq!(finalized, 2);
            assert_eq!(fork_point, 1);
        }
        other => panic!("expected RevertsFinalized, got {other:?}"),
    }
    assert_absent(&t.db, &c_head);
    assert_eq!(t.db.best().unwrap(), (a[2].hash(), 4));
    for header in &a {
        assert_eq!(
            t.db.hash_by_number(header.number).unwrap(),
            Some(header.hash())
        );
    }
    // The same fork may still be stored as a non-best block.
    t.db.commit_block(commit_of(&c_head, false)).unwrap();
    assert_eq!(t.db.best().unwrap(), (a[2].hash(), 4));
}
