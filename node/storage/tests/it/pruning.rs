//! State pruning on real tries: the kept window reads back, older state is gone with a typed
//! error, discarded forks lose their nodes while shared nodes stay, counts survive a restart,
//! and the state column holds exactly the nodes of the states still kept.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use ghost_primitives::{Digest, Hash, Header};
use ghost_storage::{BlockCommit, Database, DatabaseConfig, GapBlock, StatePruning, StorageError};
use ghost_trie::{StateView, TrieHash, apply_changes_counted, build_counted};

use crate::common::genesis_header_with_root;

type Model = BTreeMap<Vec<u8>, Vec<u8>>;
type Changes = Vec<(Vec<u8>, Option<Vec<u8>>)>;

/// A long value (stored as its own node) that several keys share.
const SHARED: [u8; 48] = [0x5a; 48];

fn open(dir: &Path, pruning: StatePruning) -> Result<Database, StorageError> {
    Database::open_with(
        dir,
        &DatabaseConfig {
            state_pruning: pruning,
            ..DatabaseConfig::default()
        },
    )
}

fn window(n: u32) -> StatePruning {
    StatePruning::window_of(n).expect("positive")
}

/// A block on the test chain: its header and the state it commits to.
#[derive(Clone)]
struct Block {
    header: Header,
    state: Model,
}

impl Block {
    fn hash(&self) -> Hash {
        self.header.hash()
    }
}

fn genesis_state() -> Model {
    let mut state = Model::new();
    for i in 0u8..16 {
        state.insert(vec![b'k', i], vec![i; 8]);
    }
    // Two keys with one long value: one node at two positions.
    state.insert(b"shared-a".to_vec(), SHARED.to_vec());
    state.insert(b"shared-b".to_vec(), SHARED.to_vec());
    state
}

fn commit_genesis(db: &Database) -> Block {
    let state = genesis_state();
    let built = build_counted(state.clone());
    let header = genesis_header_with_root(Hash(built.root));
    db.commit_genesis(header.clone(), built.nodes, built.refs)
        .expect("genesis");
    Block { header, state }
}

/// The changes of block `salt`: a counter every block moves, and one fresh key.
fn changes_for(salt: u64) -> Changes {
    vec![
        (b"counter".to_vec(), Some(salt.to_le_bytes().to_vec())),
        (
            format!("key-{salt}").into_bytes(),
            Some(vec![salt as u8; 40]),
        ),
    ]
}

/// Executes `changes` on `parent` against the database and commits the result.
fn commit(
    db: &Database,
    parent: &Block,
    salt: u64,
    changes: Changes,
    new_best: bool,
    finalize: bool,
) -> Block {
    let update = apply_changes_counted(db, parent.header.state_root.0, changes.clone())
        .expect("parent state readable");
    let header = Header {
        parent_hash: parent.hash(),
        number: parent.header.number + 1,
        state_root: Hash(update.root),
        extrinsics_root: Hash::ZERO,
        timestamp_ms: salt,
        digest: Digest::default(),
    };
    db.commit_block(BlockCommit {
        header: header.clone(),
        body: Vec::new(),
        state_nodes: update.nodes,
        state_refs: update.refs,
        tx_hashes: Vec::new(),
        new_best,
        finalized: finalize.then(|| header.hash()),
        justification: None,
        domain_changes: None,
        events: Some(events_of(salt)),
    })
    .expect("commit");
    let mut state = parent.state.clone();
    for (key, change) in changes {
        match change {
            Some(value) => state.insert(key, value),
            None => state.remove(&key),
        };
    }
    Block { header, state }
}

/// The (opaque) events committed with block `salt`.
fn events_of(salt: u64) -> Vec<u8> {
    format!("events of block {salt}").into_bytes()
}

/// A chain of `len` finalized blocks on `parent`, salts from `salt`.
fn finalized_chain(db: &Database, parent: &Block, len: u64, salt: u64) -> Vec<Block> {
    let mut blocks: Vec<Block> = Vec::new();
    for i in 0..len {
        let parent = blocks.last().unwrap_or(parent).clone();
        blocks.push(commit(
            db,
            &parent,
            salt + i,
            changes_for(salt + i),
            true,
            true,
        ));
    }
    blocks
}

fn read_all(db: &Database, block: &Block) -> Result<Model, ghost_trie::TrieError> {
    Ok(StateView::new(db, block.header.state_root.0)
        .iter_prefix(&[], None, usize::MAX)?
        .into_iter()
        .collect())
}

/// Every node of the tries of `blocks`: what a pruned state column must hold exactly.
fn nodes_of(blocks: &[&Block]) -> BTreeSet<TrieHash> {
    blocks
        .iter()
        .flat_map(|block| build_counted(block.state.clone()).nodes)
        .map(|(hash, _)| hash)
        .collect()
}

fn assert_readable(db: &Database, block: &Block) {
    db.check_state(&block.hash(), block.header.number)
        .expect("state kept");
    assert_eq!(
        read_all(db, block).expect("kept state reads"),
        block.state,
        "state of block #{}",
        block.header.number
    );
}

fn assert_pruned(db: &Database, block: &Block) {
    match db.check_state(&block.hash(), block.header.number) {
        Err(StorageError::StatePruned { number, .. }) => assert_eq!(number, block.header.number),
        other => panic!(
            "expected StatePruned for #{}, got {other:?}",
            block.header.number
        ),
    }
    assert!(
        read_all(db, block).is_err(),
        "the trie of pruned block #{} still reads",
        block.header.number
    );
    // The block itself stays.
    assert!(db.header(&block.hash()).unwrap().is_some());
}

#[test]
fn the_window_keeps_the_last_n_finalized_states_and_exactly_their_nodes() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path(), window(4)).unwrap();
    let genesis = commit_genesis(&db);
    let chain = finalized_chain(&db, &genesis, 20, 1);
    // Finalized #20: #17..=#20 kept, #16 (the fifth back) and below pruned.
    for block in &chain[16..] {
        assert_readable(&db, block);
    }
    for block in chain[..16].iter().chain([&genesis]) {
        assert_pruned(&db, block);
    }
    assert_eq!(db.oldest_state().unwrap(), Some(17));
    let kept: Vec<&Block> = chain[16..].iter().collect();
    assert_eq!(db.state_node_count().unwrap(), nodes_of(&kept).len() as u64);
    // The long value both genesis keys share survived every block's rewrite of the trie.
    let last = chain.last().unwrap();
    let view = StateView::new(&db, last.header.state_root.0);
    assert_eq!(view.get(b"shared-b").unwrap(), Some(SHARED.to_vec()));

    // The same chain in an archive holds every state.
    let archive_dir = tempfile::tempdir().unwrap();
    let archive = open(archive_dir.path(), StatePruning::Archive).unwrap();
    let archive_genesis = commit_genesis(&archive);
    let archive_chain = finalized_chain(&archive, &archive_genesis, 20, 1);
    assert_readable(&archive, &archive_genesis);
    assert_readable(&archive, &archive_chain[0]);
    assert_eq!(archive.oldest_state().unwrap(), None);
    assert!(archive.state_node_count().unwrap() > db.state_node_count().unwrap());
}

#[test]
fn pruning_state_keeps_every_blocks_events() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path(), window(2)).unwrap();
    let genesis = commit_genesis(&db);
    let chain = finalized_chain(&db, &genesis, 12, 1);
    assert_pruned(&db, &chain[0]);
    for (i, block) in chain.iter().enumerate() {
        assert_eq!(
            db.block_events(&block.hash()).unwrap(),
            Some(events_of(1 + i as u64)),
            "events of #{} outlive its state",
            block.header.number
        );
    }
    // And a reopen.
    drop(db);
    let db = open(dir.path(), window(2)).unwrap();
    assert_eq!(
        db.block_events(&chain[0].hash()).unwrap(),
        Some(events_of(1))
    );
    assert_eq!(db.block_events(&genesis.hash()).unwrap(), None);
}

#[test]
fn removing_one_of_two_positions_keeps_a_shared_node() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path(), window(1)).unwrap();
    let genesis = commit_genesis(&db);
    // Drop one of the two keys holding the shared value, then move the window past it.
    let dropped = commit(
        &db,
        &genesis,
        1,
        vec![(b"shared-a".to_vec(), None)],
        true,
        true,
    );
    let chain = finalized_chain(&db, &dropped, 3, 2);
    let last = chain.last().unwrap();
    assert_readable(&db, last);
    assert_pruned(&db, &dropped);
    let shared = ghost_primitives::blake3_256(&SHARED).0;
    assert!(db.state_node(&shared).unwrap().is_some());
    assert_eq!(
        db.state_node_count().unwrap(),
        nodes_of(&[last]).len() as u64
    );

    // Dropping the other key too makes the value garbage.
    let gone = commit(
        &db,
        last,
        10,
        vec![(b"shared-b".to_vec(), None)],
        true,
        true,
    );
    assert_readable(&db, &gone);
    assert_eq!(db.state_node(&shared).unwrap(), None);
    assert_eq!(
        db.state_node_count().unwrap(),
        nodes_of(&[&gone]).len() as u64
    );
}

#[test]
fn finality_deletes_a_losing_forks_nodes_but_not_those_it_shares() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path(), window(2)).unwrap();
    let genesis = commit_genesis(&db);
    let shared_change = (b"fork-shared".to_vec(), Some(vec![0xee; 64]));
    // Chain a: a1 writes the shared change; a2, a3 keep it.
    let a1 = commit(&db, &genesis, 1, vec![shared_change.clone()], true, false);
    let a2 = commit(&db, &a1, 2, changes_for(2), true, false);
    let a3 = commit(&db, &a2, 3, changes_for(3), true, false);
    // Fork b off genesis: the same change (the same nodes, inserted a second time), plus its own.
    let b1 = commit(
        &db,
        &genesis,
        11,
        vec![shared_change, (b"only-b".to_vec(), Some(vec![0xbb; 50]))],
        false,
        false,
    );
    let b2 = commit(&db, &b1, 12, changes_for(12), false, false);
    for block in [&genesis, &a1, &a2, &a3, &b1, &b2] {
        assert_readable(&db, block);
    }
    let b_only: Vec<TrieHash> = nodes_of(&[&b1, &b2])
        .difference(&nodes_of(&[&genesis, &a1, &a2, &a3]))
        .copied()
        .collect();
    assert!(!b_only.is_empty());

    let outcome = db.set_finalized(a3.hash(), None).unwrap();
    assert_eq!(outcome.pruned.len(), 2, "the fork's two blocks are deleted");
    assert!(outcome.state_nodes_deleted > 0);
    for hash in &b_only {
        assert_eq!(
            db.state_node(hash).unwrap(),
            None,
            "a node only fork b had stayed"
        );
    }
    assert!(read_all(&db, &b1).is_err());
    // Window 2 at #3: #2 and #3 kept, #1 and genesis pruned.
    assert_readable(&db, &a2);
    assert_readable(&db, &a3);
    assert_pruned(&db, &a1);
    assert_pruned(&db, &genesis);
    let value = ghost_primitives::blake3_256(&[0xee; 64]).0;
    assert!(
        db.state_node(&value).unwrap().is_some(),
        "the shared node went with the fork"
    );
    assert_eq!(
        db.state_node_count().unwrap(),
        nodes_of(&[&a2, &a3]).len() as u64
    );
}

#[test]
fn a_fork_above_the_finalized_block_keeps_its_state() {
    let db = Database::in_memory_with(window(1));
    let genesis = commit_genesis(&db);
    let chain = finalized_chain(&db, &genesis, 3, 1);
    let tip = chain.last().unwrap();
    let a = commit(&db, tip, 10, changes_for(10), true, false);
    let b = commit(&db, tip, 20, changes_for(20), false, false);
    // More finality on the same block changes nothing for either fork.
    db.set_finalized(tip.hash(), Some(b"again".to_vec()))
        .unwrap();
    assert_readable(&db, tip);
    assert_readable(&db, &a);
    assert_readable(&db, &b);
    assert_eq!(
        db.state_node_count().unwrap(),
        nodes_of(&[tip, &a, &b]).len() as u64
    );
}

#[test]
fn counts_and_journals_survive_a_restart_mid_window() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path(), window(3)).unwrap();
    let genesis = commit_genesis(&db);
    let chain = finalized_chain(&db, &genesis, 5, 1);
    // Two blocks above the finalized one, not final yet, when the node stops.
    let u1 = commit(&db, chain.last().unwrap(), 6, changes_for(6), true, false);
    let u2 = commit(&db, &u1, 7, changes_for(7), true, false);
    drop(db);

    let db = open(dir.path(), window(3)).unwrap();
    assert_readable(&db, &u2);
    assert_readable(&db, &chain[2]);
    assert_pruned(&db, &chain[1]);
    db.set_finalized(u2.hash(), None).unwrap();
    let more = finalized_chain(&db, &u2, 6, 8);
    let kept: Vec<&Block> = more[3..].iter().collect();
    for block in &kept {
        assert_readable(&db, block);
    }
    assert_pruned(&db, &more[2]);
    assert_pruned(&db, &u2);
    assert_eq!(db.state_node_count().unwrap(), nodes_of(&kept).len() as u64);
}

#[test]
fn an_archive_reopens_pruned_and_a_pruned_database_refuses_archive() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path(), StatePruning::Archive).unwrap();
    let genesis = commit_genesis(&db);
    let old = finalized_chain(&db, &genesis, 4, 1);
    drop(db);

    let db = open(dir.path(), window(2)).unwrap();
    assert_eq!(db.state_pruning(), window(2));
    let new = finalized_chain(&db, old.last().unwrap(), 6, 10);
    // The state written as an archive stays whole; the newer one is pruned.
    for block in old.iter().chain([&genesis]) {
        assert_eq!(read_all(&db, block).unwrap(), block.state);
    }
    assert_readable(&db, &new[5]);
    assert_readable(&db, &new[4]);
    assert_pruned(&db, &new[3]);
    drop(db);

    match open(dir.path(), StatePruning::Archive) {
        Err(error @ StorageError::PruningModeMismatch { window: 2 }) => {
            assert!(error.to_string().contains("--state-pruning"), "{error}");
        }
        other => panic!("expected PruningModeMismatch, got {other:?}"),
    }
    // Another window is fine.
    let db = open(dir.path(), window(5)).unwrap();
    assert_readable(&db, &new[5]);
}

#[test]
fn state_pruning_parses_archive_and_positive_windows() {
    assert_eq!("archive".parse::<StatePruning>(), Ok(StatePruning::Archive));
    assert_eq!(
        "256".parse::<StatePruning>(),
        Ok(StatePruning::DEFAULT_WINDOW)
    );
    assert!("0".parse::<StatePruning>().is_err());
    assert!("-3".parse::<StatePruning>().is_err());
    assert!("all".parse::<StatePruning>().is_err());
    assert_eq!(window(16).to_string(), "16");
}

/// Directory of the database the pruned crash writer child writes to; set only for the child.
const CRASH_DIR_ENV: &str = "GHOST_STORAGE_PRUNED_CRASH_DIR";
const CRASH_WRITER_TEST: &str = "pruning::pruned_crash_writer";
const CRASH_READY: &str = "pruned crash writer ready";
const CRASH_WINDOW: u32 = 3;

/// The child side of [`sigkill_while_pruning_leaves_exactly_the_kept_nodes`]: commits blocks
/// (with a losing side block now and then) and finalizes two below the head, until killed.
#[test]
fn pruned_crash_writer() {
    let Ok(dir) = std::env::var(CRASH_DIR_ENV) else {
        return;
    };
    let db = open(Path::new(&dir), window(CRASH_WINDOW)).expect("writer open");
    let mut best = match db.genesis_hash().unwrap() {
        None => commit_genesis(&db),
        Some(_) => {
            let (hash, _) = db.best().unwrap();
            let header = db.header(&hash).unwrap().unwrap();
            let state = read_all(
                &db,
                &Block {
                    header: header.clone(),
                    state: Model::new(),
                },
            )
            .expect("best state");
            Block { header, state }
        }
    };
    println!("{CRASH_READY}");
    let mut salt = best.header.timestamp_ms + 1;
    loop {
        salt += 1;
        if salt % 4 == 0 {
            commit(
                &db,
                &best,
                salt + 1_000_000,
                changes_for(salt),
                false,
                false,
            );
        }
        let next = commit(&db, &best, salt, changes_for(salt), true, false);
        if next.header.number >= 2 {
            let target = db.hash_by_number(next.header.number - 2).unwrap().unwrap();
            db.set_finalized(target, None).unwrap();
        }
        best = next;
    }
}

/// Every node of the state at `root`, found by proving every key.
fn nodes_at(db: &Database, root: TrieHash) -> BTreeSet<TrieHash> {
    let keys: Vec<Vec<u8>> = StateView::new(db, root)
        .iter_prefix(&[], None, usize::MAX)
        .expect("kept state reads")
        .into_iter()
        .map(|(key, _)| key)
        .collect();
    ghost_trie::generate_read_proof(db, root, &keys)
        .expect("kept state proves")
        .nodes
        .iter()
        .map(|node| ghost_primitives::blake3_256(node).0)
        .collect()
}

/// Reopens the database after a kill and checks that the state column holds exactly the nodes
/// of the kept states: the canonical window and every stored block above the finalized one.
fn check_pruned_database(dir: &Path) -> u64 {
    let db = open(dir, window(CRASH_WINDOW)).expect("reopens after SIGKILL");
    if db.genesis_hash().unwrap().is_none() {
        return 0;
    }
    let (_, best) = db.best().unwrap();
    let (finalized_hash, finalized) = db.finalized().unwrap();
    let oldest = db.oldest_state().unwrap().unwrap();
    assert!(oldest + u64::from(CRASH_WINDOW) > finalized);
    let mut kept = BTreeSet::new();
    for number in oldest..=finalized {
        let hash = db.hash_by_number(number).unwrap().unwrap();
        kept.extend(nodes_at(
            &db,
            db.header(&hash).unwrap().unwrap().state_root.0,
        ));
    }
    for (number, leaf) in db.leaves().unwrap() {
        let (mut hash, mut number) = (leaf, number);
        while number > finalized {
            let header = db
                .header(&hash)
                .unwrap()
                .expect("a leaf's ancestors are stored");
            kept.extend(nodes_at(&db, header.state_root.0));
            hash = header.parent_hash;
            number -= 1;
        }
        assert_eq!(
            hash, finalized_hash,
            "a leaf that does not descend from finality"
        );
    }
    assert_eq!(db.state_node_count().unwrap(), kept.len() as u64);
    best
}

#[test]
fn sigkill_while_pruning_leaves_exactly_the_kept_nodes() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let dir = tempfile::tempdir().unwrap();
    let exe = std::env::current_exe().unwrap();
    let mut last_best = 0;
    for round in 0..6u64 {
        let mut writer = Command::new(&exe)
            .args([
                "--exact",
                CRASH_WRITER_TEST,
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CRASH_DIR_ENV, dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let ready = BufReader::new(writer.stdout.take().unwrap())
            .lines()
            .map_while(Result::ok)
            .any(|line| line.ends_with(CRASH_READY));
        assert!(ready, "writer never became ready");
        // Different moments in each round (no clock-based randomness needed).
        std::thread::sleep(std::time::Duration::from_millis(40 + 37 * round));
        assert!(
            writer.try_wait().unwrap().is_none(),
            "writer exited by itself"
        );
        writer.kill().unwrap(); // SIGKILL
        writer.wait().unwrap();
        let best = check_pruned_database(dir.path());
        eprintln!("round {round}: best block {best}");
        assert!(
            best >= last_best,
            "best went back from {last_best} to {best}"
        );
        last_best = best;
    }
    assert!(
        last_best > u64::from(CRASH_WINDOW) + 2,
        "the writer pruned nothing"
    );
}

/// Six finalized blocks of another (archive) database: what a warp sync takes its base from.
fn source_chain() -> Vec<Block> {
    let dir = tempfile::tempdir().expect("tempdir");
    let source = open(dir.path(), StatePruning::Archive).expect("open");
    let genesis = commit_genesis(&source);
    finalized_chain(&source, &genesis, 6, 100)
}

/// A database that warps onto block #6 of another: the base reads back, heights below it give
/// a typed error, blocks above it import and prune as usual, and only the (never counted down)
/// genesis state stays besides the window.
#[test]
fn a_warp_base_takes_the_place_of_the_blocks_below_it() {
    let chain = source_chain();
    let base = chain.last().expect("six blocks").clone();

    let dir = tempfile::tempdir().expect("tempdir");
    let db = open(dir.path(), window(2)).expect("open");
    let genesis = commit_genesis(&db);
    let built = build_counted(base.state.clone());
    assert_eq!(Hash(built.root), base.header.state_root);
    let hash = db
        .commit_warp_base(
            base.header.clone(),
            vec![7, 7],
            built.nodes,
            built.refs,
            &[],
        )
        .expect("warp base");
    assert_eq!(hash, base.hash());
    assert_eq!(db.best().unwrap(), (hash, 6));
    assert_eq!(db.finalized().unwrap(), (hash, 6));
    assert_eq!(db.warp_base().unwrap(), Some((hash, 6)));
    assert_eq!(db.justification(&hash).unwrap(), Some(vec![7, 7]));
    assert_eq!(db.hash_by_number(6).unwrap(), Some(hash));
    assert_eq!(db.hash_by_number(3).unwrap(), None);
    assert!(matches!(
        db.check_not_below_warp_base(3),
        Err(StorageError::BelowWarpBase { number: 3, base: 6 })
    ));
    db.check_not_below_warp_base(0).expect("genesis is stored");
    db.check_not_below_warp_base(6).expect("the base is stored");
    assert_readable(&db, &base);

    // A second warp, or one onto a database with blocks, is refused.
    assert!(matches!(
        db.commit_warp_base(base.header.clone(), vec![], vec![], vec![], &[]),
        Err(StorageError::NotFresh { best: 6 })
    ));

    let above = finalized_chain(&db, &base, 4, 200);
    let kept: Vec<&Block> = above.iter().rev().take(2).collect();
    for block in &kept {
        assert_readable(&db, block);
    }
    assert_pruned(&db, &base);
    let mut expected = nodes_of(&kept);
    expected.extend(nodes_of(&[&genesis]));
    assert_eq!(
        db.state_node_count().unwrap(),
        expected.len() as u64,
        "the state column holds the window's and genesis' nodes"
    );

    // The base survives a restart.
    drop(db);
    let db = open(dir.path(), window(2)).expect("reopen");
    assert_eq!(db.warp_base().unwrap(), Some((hash, 6)));
}

/// The gap sync fills in the blocks below a warp base, newest first, with bodies, indices
/// and justifications; a block that is not the one wanted is refused with nothing written; the
/// state below the base stays unavailable with its own error; the gap survives a restart.
#[test]
fn gap_blocks_fill_the_chain_below_a_warp_base_down_to_genesis() {
    let chain = source_chain();
    let base = chain.last().expect("six blocks").clone();

    let dir = tempfile::tempdir().expect("tempdir");
    let db = open(dir.path(), StatePruning::Archive).expect("open");
    commit_genesis(&db);
    let built = build_counted(base.state.clone());
    let hash = db
        .commit_warp_base(
            base.header.clone(),
            vec![7, 7],
            built.nodes,
            built.refs,
            &[],
        )
        .expect("warp base");
    // The base's header is stored, its body is the gap's first block.
    assert_eq!(db.warp_gap().unwrap(), Some((hash, 6)));
    assert_eq!(db.body(&hash).unwrap(), None);

    let gap_block = |block: &Block, tx: u8| GapBlock {
        header: block.header.clone(),
        body: vec![tx; 3],
        tx_hashes: vec![Hash([tx; 32])],
        justification: tx.is_multiple_of(2).then(|| vec![tx]),
    };
    // Not the wanted block: refused, nothing written.
    assert!(matches!(
        db.commit_gap_blocks(&[gap_block(&chain[4], 5)]),
        Err(StorageError::GapMismatch { number: 6, .. })
    ));
    // Blocks 6 (its body), 5 and 4 link down from the base.
    let next = db
        .commit_gap_blocks(&[
            gap_block(&chain[5], 6),
            gap_block(&chain[4], 5),
            gap_block(&chain[3], 4),
        ])
        .expect("linked blocks");
    assert_eq!(next, Some((chain[2].hash(), 3)));
    assert_eq!(db.body(&hash).unwrap(), Some(vec![6; 3]));
    assert_eq!(db.hash_by_number(4).unwrap(), Some(chain[3].hash()));
    assert_eq!(db.hash_by_number(3).unwrap(), None);
    assert_eq!(
        db.tx_location(&Hash([5; 32])).unwrap(),
        Some((chain[4].hash(), 0))
    );
    assert_eq!(db.justification(&chain[3].hash()).unwrap(), Some(vec![4]));
    // The base keeps the justification the warp proved it with.
    assert_eq!(db.justification(&hash).unwrap(), Some(vec![7, 7]));
    db.check_not_below_warp_base(4).expect("block 4 is stored");
    assert!(matches!(
        db.check_not_below_warp_base(3),
        Err(StorageError::BelowWarpBase { number: 3, base: 6 })
    ));
    // Blocks are there, their state is not.
    assert!(matches!(
        db.check_state(&chain[3].hash(), 4),
        Err(StorageError::StateBelowWarpBase { number: 4, base: 6 })
    ));
    db.check_state(&hash, 6)
        .expect("the base's state is stored");

    drop(db);
    let db = open(dir.path(), StatePruning::Archive).expect("reopen");
    assert_eq!(db.warp_gap().unwrap(), Some((chain[2].hash(), 3)));
    let next = db
        .commit_gap_blocks(&[
            gap_block(&chain[2], 3),
            gap_block(&chain[1], 2),
            gap_block(&chain[0], 1),
        ])
        .expect("down to genesis");
    assert_eq!(next, None);
    assert_eq!(db.warp_gap().unwrap(), None);
    for (number, block) in chain.iter().enumerate() {
        assert_eq!(
            db.hash_by_number(number as u64 + 1).unwrap(),
            Some(block.hash())
        );
    }
    db.check_not_below_warp_base(1)
        .expect("every block is stored");
    // A complete gap takes nothing more.
    assert_eq!(
        db.commit_gap_blocks(&[gap_block(&chain[0], 1)]).unwrap(),
        None
    );
}

#[test]
fn nodes_read_into_the_node_cache_are_gone_once_pruned() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path(), window(2)).unwrap();
    let genesis = commit_genesis(&db);
    let first = finalized_chain(&db, &genesis, 3, 1);
    // Every node of the kept #2 and #3 passes through the node cache; three more blocks
    // prune them.
    for block in &first[1..] {
        assert_readable(&db, block);
    }
    let more = finalized_chain(&db, first.last().unwrap(), 3, 100);
    for block in &first[1..] {
        assert_pruned(&db, block);
    }
    assert_readable(&db, more.last().unwrap());
}
