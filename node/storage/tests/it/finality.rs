//! Finality: forward only, on the best chain, with justifications.

use ghost_primitives::Hash;
use ghost_storage::{BlockCommit, StorageError};

use crate::common::*;

#[test]
fn set_finalized_moves_finality_and_stores_the_justification() {
    let (t, genesis) = TestDb::with_genesis();
    let chain = build_chain(&t.db, &genesis, 3, 1, true);
    t.db.set_finalized(chain[1].hash(), Some(b"grandpa".to_vec()))
        .unwrap();
    assert_eq!(t.db.finalized().unwrap(), (chain[1].hash(), 2));
    assert_eq!(
        t.db.justification(&chain[1].hash()).unwrap(),
        Some(b"grandpa".to_vec())
    );
    assert_eq!(t.db.justification(&chain[0].hash()).unwrap(), None);

    // Finalizing the finalized block again is allowed and may add a justification.
    t.db.set_finalized(chain[1].hash(), None).unwrap();
    t.db.set_finalized(chain[1].hash(), Some(b"better".to_vec()))
        .unwrap();
    assert_eq!(t.db.finalized().unwrap(), (chain[1].hash(), 2));
    assert_eq!(
        t.db.justification(&chain[1].hash()).unwrap(),
        Some(b"better".to_vec())
    );
}

#[test]
fn commit_can_finalize_the_new_block_with_its_justification() {
    let (t, genesis) = TestDb::with_genesis();
    let header = child(&genesis, 1);
    let commit = BlockCommit {
        finalized: Some(header.hash()),
        justification: Some(b"instant".to_vec()),
        ..commit_of(&header, true)
    };
    t.db.commit_block(commit).unwrap();
    assert_eq!(t.db.finalized().unwrap(), (header.hash(), 1));
    assert_eq!(
        t.db.justification(&header.hash()).unwrap(),
        Some(b"instant".to_vec())
    );
}

#[test]
fn reorg_commit_can_finalize_a_block_of_the_new_chain() {
    let (t, genesis) = TestDb::with_genesis();
    let a = build_chain(&t.db, &genesis, 2, 10, true);
    let b = build_chain(&t.db, &genesis, 2, 20, false);
    let b3 = child(&b[1], 22);
    let commit = BlockCommit {
        finalized: Some(b[0].hash()),
        ..commit_of(&b3, true)
    };
    t.db.commit_block(commit).unwrap();
    assert_eq!(t.db.best().unwrap(), (b3.hash(), 3));
    assert_eq!(t.db.finalized().unwrap(), (b[0].hash(), 1));
    assert_ne!(t.db.hash_by_number(1).unwrap(), Some(a[0].hash()));
}

#[test]
fn finality_regression_is_refused() {
    let (t, genesis) = TestDb::with_genesis();
    let chain = build_chain(&t.db, &genesis, 3, 1, true);
    t.db.set_finalized(chain[2].hash(), None).unwrap();

    match t.db.set_finalized(chain[1].hash(), Some(b"late".to_vec())) {
        Err(StorageError::FinalityRegression { current, requested }) => {
            assert_eq!((current, requested), (3, 2));
        }
        other => panic!("expected FinalityRegression, got {other:?}"),
    }
    assert_eq!(t.db.justification(&chain[1].hash()).unwrap(), None);

    let next = child(&chain[2], 9);
    let commit = BlockCommit {
        finalized: Some(chain[0].hash()),
        ..commit_of(&next, true)
    };
    assert!(matches!(
        t.db.commit_block(commit),
        Err(StorageError::FinalityRegression {
            current: 3,
            requested: 1
        })
    ));
    assert_absent(&t.db, &next);
    assert_eq!(t.db.finalized().unwrap(), (chain[2].hash(), 3));
    assert_eq!(t.db.best().unwrap(), (chain[2].hash(), 3));
}

#[test]
fn a_commit_may_not_finalize_a_block_off_the_resulting_best_chain() {
    let (t, genesis) = TestDb::with_genesis();
    let a = build_chain(&t.db, &genesis, 3, 10, true);
    let b = build_chain(&t.db, &genesis, 2, 20, false);

    // A non-best block cannot finalize itself...
    let b3 = child(&b[1], 22);
    let commit = BlockCommit {
        finalized: Some(b3.hash()),
        ..commit_of(&b3, false)
    };
    assert!(matches!(
        t.db.commit_block(commit),
        Err(StorageError::NotOnBestChain { .. })
    ));
    assert_absent(&t.db, &b3);

    // ...nor may a reorg commit finalize a block of the chain it retracts.
    let commit = BlockCommit {
        finalized: Some(a[0].hash()),
        ..commit_of(&b3, true)
    };
    assert!(matches!(
        t.db.commit_block(commit),
        Err(StorageError::NotOnBestChain { .. })
    ));
    assert_absent(&t.db, &b3);
    assert_eq!(t.db.best().unwrap(), (a[2].hash(), 3));
    assert_eq!(t.db.hash_by_number(1).unwrap(), Some(a[0].hash()));
}

#[test]
fn finalizing_an_unknown_block_is_refused() {
    let (t, genesis) = TestDb::with_genesis();
    let header = child(&genesis, 1);
    let ghost = Hash([0xab; 32]);
    let commit = BlockCommit {
        finalized: Some(ghost),
        ..commit_of(&header, true)
    };
    assert!(matches!(
        t.db.commit_block(commit),
        Err(StorageError::UnknownBlock { hash }) if hash == ghost
    ));
    assert_absent(&t.db, &header);
    assert!(matches!(
        t.db.set_finalized(ghost, None),
        Err(StorageError::UnknownBlock { .. })
    ));
}

#[test]
fn justification_without_finality_is_refused() {
    let (t, genesis) = TestDb::with_genesis();
    let header = child(&genesis, 1);
    let commit = BlockCommit {
        justification: Some(vec![1]),
        ..commit_of(&header, true)
    };
    assert!(matches!(
        t.db.commit_block(commit),
        Err(StorageError::JustificationWithoutFinality)
    ));
    assert_absent(&t.db, &header);
}
