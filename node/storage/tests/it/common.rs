//! Test fixtures: deterministic blocks whose body, state nodes and transactions follow from the
//! header, so a checker can tell what a stored block must contain.

use ghost_primitives::{Digest, Hash, Header, blake3_256};
use ghost_storage::{BlockCommit, Database};
use tempfile::TempDir;

/// A database in a temporary directory (removed on drop).
pub struct TestDb {
    pub db: Database,
    pub dir: TempDir,
}

impl TestDb {
    /// A fresh database with a genesis block committed.
    pub fn with_genesis() -> (TestDb, Header) {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = Database::open(dir.path()).expect("open");
        let genesis = genesis_header();
        db.commit_genesis(genesis.clone(), nodes_for(&genesis), refs_for(&genesis))
            .expect("genesis");
        (TestDb { db, dir }, genesis)
    }

    /// Drops the database and opens it again from the same directory.
    pub fn reopen(self) -> TestDb {
        let TestDb { db, dir } = self;
        drop(db);
        let db = Database::open(dir.path()).expect("reopen");
        TestDb { db, dir }
    }
}

/// The genesis header of every test chain.
pub fn genesis_header() -> Header {
    genesis_header_with_root(Hash([1; 32]))
}

/// A genesis header whose state is the trie at `state_root`.
pub fn genesis_header_with_root(state_root: Hash) -> Header {
    Header {
        parent_hash: Hash::ZERO,
        number: 0,
        state_root,
        extrinsics_root: Hash::ZERO,
        timestamp_ms: 0,
        digest: Digest::default(),
    }
}

/// A child of `parent`; `salt` (stored as the timestamp) must be unique per test chain, since
/// the block's contents are derived from it.
pub fn child(parent: &Header, salt: u64) -> Header {
    let mut header = Header {
        parent_hash: parent.hash(),
        number: parent.number + 1,
        state_root: Hash::ZERO,
        extrinsics_root: blake3_256(&body_for_salt(parent.number + 1, salt)),
        timestamp_ms: salt,
        digest: Digest::default(),
    };
    header.state_root = Hash(nodes_for(&header)[0].0);
    header
}

fn body_for_salt(number: u64, salt: u64) -> Vec<u8> {
    format!("body of block {number} salt {salt}").into_bytes()
}

/// The body of `header`'s block.
pub fn body_for(header: &Header) -> Vec<u8> {
    body_for_salt(header.number, header.timestamp_ms)
}

/// The state nodes `header`'s block created.
pub fn nodes_for(header: &Header) -> Vec<([u8; 32], Vec<u8>)> {
    (0..3)
        .map(|i| {
            let node = format!(
                "node {i} of salt {} number {}",
                header.timestamp_ms, header.number
            )
            .into_bytes();
            (blake3_256(&node).0, node)
        })
        .collect()
}

/// The reference counts of [`nodes_for`]: each node at one position.
pub fn refs_for(header: &Header) -> Vec<([u8; 32], i32)> {
    nodes_for(header)
        .into_iter()
        .map(|(hash, _)| (hash, 1))
        .collect()
}

/// The transaction hashes of `header`'s block.
pub fn txs_for(header: &Header) -> Vec<Hash> {
    if header.number == 0 {
        return Vec::new();
    }
    (0..2)
        .map(|i| blake3_256(format!("tx {i} of salt {}", header.timestamp_ms).as_bytes()))
        .collect()
}

/// The full commit of `header`'s block.
pub fn commit_of(header: &Header, new_best: bool) -> BlockCommit {
    BlockCommit {
        header: header.clone(),
        body: body_for(header),
        state_nodes: nodes_for(header),
        state_refs: refs_for(header),
        tx_hashes: txs_for(header),
        new_best,
        finalized: None,
        justification: None,
        domain_changes: None,
        events: Some(events_for(header)),
    }
}

/// The (opaque) events stored with `header`'s block.
pub fn events_for(header: &Header) -> Vec<u8> {
    format!("events of salt {}", header.timestamp_ms).into_bytes()
}

/// Commits a chain of `len` blocks on `parent`, each becoming best when `new_best`; salts start
/// at `salt`. Returns the headers in order.
pub fn build_chain(
    db: &Database,
    parent: &Header,
    len: usize,
    salt: u64,
    new_best: bool,
) -> Vec<Header> {
    let mut headers: Vec<Header> = Vec::with_capacity(len);
    for i in 0..len {
        let parent = headers.last().unwrap_or(parent);
        let header = child(parent, salt + i as u64);
        db.commit_block(commit_of(&header, new_best))
            .expect("commit");
        headers.push(header);
    }
    headers
}

/// Asserts that nothing of `header`'s block is stored.
pub fn assert_absent(db: &Database, header: &Header) {
    let hash = header.hash();
    assert_eq!(db.header(&hash).unwrap(), None, "header stored");
    assert_eq!(db.body(&hash).unwrap(), None, "body stored");
    assert_eq!(db.number_of(&hash).unwrap(), None, "number stored");
    assert_eq!(db.block_tx_hashes(&hash).unwrap(), None, "tx list stored");
    for (node_hash, _) in nodes_for(header) {
        assert_eq!(
            db.state_node(&node_hash).unwrap(),
            None,
            "state node stored"
        );
    }
    for tx in txs_for(header) {
        assert_eq!(db.tx_location(&tx).unwrap(), None, "tx indexed");
    }
}
