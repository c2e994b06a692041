//! Crash safety: a writer process killed with SIGKILL at random moments leaves whole blocks only.
//!
//! The test re-runs this test binary as a child, filtered with `--exact` to [`crash_writer`],
//! which commits blocks (extensions, fork switches, finality) until it is killed. After each kill
//! the parent reopens the database and checks the best chain block by block.

use std::hash::{BuildHasher, RandomState};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use ghost_primitives::{BlockNumber, Hash};
use ghost_storage::{BlockCommit, Database};

use crate::common::*;

/// Directory of the database the child writes to; set only for the child.
const DIR_ENV: &str = "GHOST_STORAGE_CRASH_DIR";
/// Round number, so that every round's blocks differ.
const ROUND_ENV: &str = "GHOST_STORAGE_CRASH_ROUND";
/// Full name of the writer test, for `--exact`.
const WRITER_TEST: &str = "crash::crash_writer";
/// What the writer prints once it is committing.
const READY: &str = "crash writer ready";
const ROUNDS: u64 = 8;

/// The child side: does nothing unless [`DIR_ENV`] is set, else commits blocks until killed.
#[test]
fn crash_writer() {
    let Ok(dir) = std::env::var(DIR_ENV) else {
        return;
    };
    let round: u64 = std::env::var(ROUND_ENV)
        .expect("round")
        .parse()
        .expect("round number");
    run_writer(Path::new(&dir), round);
}

fn justification_for(hash: &Hash) -> Vec<u8> {
    [b"justification of ".as_slice(), hash.as_bytes()].concat()
}

fn run_writer(dir: &Path, round: u64) {
    let db = Database::open(dir).expect("writer open");
    let genesis = genesis_header();
    db.commit_genesis(genesis.clone(), nodes_for(&genesis), refs_for(&genesis))
        .expect("genesis");
    println!("{READY}");
    let mut salt = (round + 1) * 1_000_000;
    let mut next_salt = || {
        salt += 1;
        salt
    };
    for i in 0u64.. {
        let (best_hash, best_number) = db.best().expect("best");
        let best = db.header(&best_hash).expect("read").expect("best header");
        if i % 5 == 4 && best_number >= 2 {
            // Switch forks: a sibling of the best block, then its child as the new best.
            let parent = db
                .header(&best.parent_hash)
                .expect("read")
                .expect("parent header");
            let side = child(&parent, next_salt());
            db.commit_block(commit_of(&side, false))
                .expect("side block");
            let head = child(&side, next_salt());
            db.commit_block(commit_of(&head, true)).expect("fork head");
        } else {
            let header = child(&best, next_salt());
            let mut commit: BlockCommit = commit_of(&header, true);
            if i % 3 == 0 && best_number >= 2 {
                let target = db
                    .hash_by_number(best_number - 2)
                    .expect("read")
                    .expect("canonical");
                commit.finalized = Some(target);
                commit.justification = Some(justification_for(&target));
            }
            db.commit_block(commit).expect("commit");
        }
    }
}

/// Reopens the database and checks the whole best chain; returns the best number (0 if the
/// child was killed before genesis).
fn check_database(dir: &Path) -> BlockNumber {
    let db = Database::open(dir).expect("database reopens after SIGKILL");
    let Some(genesis) = db.genesis_hash().expect("genesis") else {
        assert!(db.best().is_err());
        return 0;
    };
    let (best_hash, best_number) = db.best().expect("best");
    let (finalized_hash, finalized_number) = db.finalized().expect("finalized");
    assert!(finalized_number <= best_number);
    assert_eq!(
        db.hash_by_number(finalized_number).unwrap(),
        Some(finalized_hash)
    );
    if finalized_number > 0 {
        assert_eq!(
            db.justification(&finalized_hash).unwrap(),
            Some(justification_for(&finalized_hash))
        );
    }
    assert_eq!(
        db.hash_by_number(best_number + 1).unwrap(),
        None,
        "canonical entry above best"
    );

    let (mut hash, mut number) = (best_hash, best_number);
    loop {
        let header = db
            .header(&hash)
            .unwrap()
            .unwrap_or_else(|| panic!("header {number} missing"));
        assert_eq!(header.hash(), hash);
        assert_eq!(header.number, number, "numbers not contiguous");
        assert_eq!(
            db.hash_by_number(number).unwrap(),
            Some(hash),
            "canonical index at {number}"
        );
        assert_eq!(db.number_of(&hash).unwrap(), Some(number));
        for (node_hash, node) in nodes_for(&header) {
            assert_eq!(
                db.state_node(&node_hash).unwrap(),
                Some(node),
                "state of {number}"
            );
        }
        assert_eq!(db.block_tx_hashes(&hash).unwrap(), Some(txs_for(&header)));
        if number == 0 {
            assert_eq!(hash, genesis);
            break;
        }
        assert_eq!(
            db.body(&hash).unwrap(),
            Some(body_for(&header)),
            "body of {number}"
        );
        for (i, tx) in txs_for(&header).iter().enumerate() {
            assert_eq!(
                db.tx_location(tx).unwrap(),
                Some((hash, i as u32)),
                "tx of {number}"
            );
        }
        hash = header.parent_hash;
        number -= 1;
    }
    best_number
}

fn random_below(bound: u64) -> u64 {
    RandomState::new().hash_one(std::time::SystemTime::now()) % bound
}

#[test]
fn sigkill_during_commits_leaves_whole_blocks() {
    let dir = tempfile::tempdir().unwrap();
    let logs = tempfile::tempdir().unwrap();
    let exe = std::env::current_exe().unwrap();
    let mut last_best = 0;
    let mut rounds_with_progress = 0;
    for round in 0..ROUNDS {
        let stderr_path = logs.path().join(format!("writer-{round}.stderr"));
        let mut writer = Command::new(&exe)
            .args(["--exact", WRITER_TEST, "--nocapture", "--test-threads=1"])
            .env(DIR_ENV, dir.path())
            .env(ROUND_ENV, round.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&stderr_path).unwrap())
            .spawn()
            .unwrap();
        let stdout = writer.stdout.take().unwrap();
        let ready = BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .any(|line| line.ends_with(READY));
        let stderr = || std::fs::read_to_string(&stderr_path).unwrap_or_default();
        assert!(ready, "writer never became ready: {}", stderr());

        std::thread::sleep(Duration::from_millis(5 + random_below(250)));
        if let Some(status) = writer.try_wait().unwrap() {
            panic!("writer exited by itself ({status}): {}", stderr());
        }
        writer.kill().unwrap(); // SIGKILL
        writer.wait().unwrap();

        let best = check_database(dir.path());
        eprintln!("round {round}: best block {best}");
        assert!(
            best >= last_best,
            "best went back from {last_best} to {best}"
        );
        if best > last_best {
            rounds_with_progress += 1;
        }
        last_best = best;
    }
    assert!(
        rounds_with_progress >= 2,
        "only {rounds_with_progress} rounds committed anything"
    );
}
