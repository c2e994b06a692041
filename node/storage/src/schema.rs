//! The on-disk layout: column family names, key encodings and the schema version.
//!
//! Keys that are numbers are big-endian so that RocksDB's byte order is numeric order. Values are
//! SCALE. Changing anything here changes the format: bump [`SCHEMA_VERSION`] and write a
//! migration.

use ghost_primitives::{BlockNumber, Hash};

/// The format version written into `meta` at creation and checked at every open.
///
/// v3: every imported block has its SCALE `DomainChangeLog` in `domain_changes` (v2 defined
/// the column but wrote nothing to it).
/// v4: the `state_refs` and `state_journal` columns of state pruning (see `crate::pruning`);
/// a v3 database is an archive and opens as v4 unchanged (the new columns start empty).
/// v5: the `events` column: each imported block's SCALE event records, which no longer sit in
/// the state trie; and a warp-synced database (`meta` [`key::WARP_BASE`]) stores no block
/// between genesis and its base. A v3 or v4 database opens as v5 in place: its older blocks
/// have no events entry (the node re-derives their events from their state while that state is
/// kept) and it has no warp base.
/// v6: a warp-synced database's gap sync stores the blocks below its base (without their
/// state) and records what it wants next in `meta` [`key::WARP_GAP`]. A v5 database opens as
/// v6 in place (a warped one with its whole gap still to fill).
pub const SCHEMA_VERSION: u32 = 6;

/// Column family names, in the order the database is opened with.
pub mod col {
    /// Block hash -> SCALE `Header`.
    pub const HEADERS: &str = "headers";
    /// Block hash -> opaque body bytes.
    pub const BODIES: &str = "bodies";
    /// Trie node hash -> node bytes (content-addressed; pruned nodes are deleted).
    pub const STATE: &str = "state";
    /// Trie node hash -> SCALE `u64` reference count (pruned databases only).
    pub const STATE_REFS: &str = "state_refs";
    /// Block hash -> SCALE `Vec<([u8; 32], i32)>`: the block's reference-count changes, kept
    /// until pruning has used them (pruned databases only).
    pub const STATE_JOURNAL: &str = "state_journal";
    /// Canonical, transaction and number indices (see [`super::key`]).
    pub const INDICES: &str = "indices";
    /// Genesis, best and finalized block and the schema version.
    pub const META: &str = "meta";
    /// Block hash -> opaque finality proof.
    pub const JUSTIFICATIONS: &str = "justifications";

    /// Block hash -> SCALE `DomainChangeLog`: the block's name changes (see `crate::changes`).
    pub const DOMAIN_CHANGES: &str = "domain_changes";

    /// Block hash -> the block's events, opaque to this crate (the runtime's SCALE
    /// `Vec<EventRecord>`, which the block's `System.EventsDigest` commits to). Never pruned
    /// with state; deleted only with the block itself (a fork that lost finality).
    pub const EVENTS: &str = "events";

    /// Every column family of the schema.
    pub const ALL: [&str; 10] = [
        HEADERS,
        BODIES,
        STATE,
        INDICES,
        META,
        JUSTIFICATIONS,
        DOMAIN_CHANGES,
        STATE_REFS,
        STATE_JOURNAL,
        EVENTS,
    ];
}

/// Keys of the `indices` and `meta` columns.
pub mod key {
    use super::{BlockNumber, Hash};

    /// `indices`: canonical number -> block hash (32 bytes).
    const CANONICAL: u8 = b'c';
    /// `indices`: transaction hash -> SCALE `(block hash, u32 index)`.
    const TX: u8 = b't';
    /// `indices`: block hash -> SCALE `u64` number.
    const NUMBER: u8 = b'n';
    /// `indices`: block hash -> SCALE `Vec<Hash>`, the block's transaction hashes in order.
    const BLOCK_TXS: u8 = b'x';

    /// `meta`: SCALE genesis hash.
    pub const GENESIS: &[u8] = b"genesis";
    /// `meta`: SCALE `(Hash, u64)` of the best block.
    pub const BEST: &[u8] = b"best";
    /// `meta`: SCALE `(Hash, u64)` of the last finalized block.
    pub const FINALIZED: &[u8] = b"finalized";
    /// `meta`: SCALE `Vec<(u64, Hash)>`, the heads of all stored forks.
    pub const LEAVES: &[u8] = b"leaves";
    /// `meta`: SCALE `u32` schema version.
    pub const SCHEMA: &[u8] = b"schema_version";
    /// `meta`: SCALE `Option<u32>`, the state pruning window (`None`: archive).
    pub const STATE_PRUNING: &[u8] = b"state_pruning";
    /// `meta`: SCALE `u64`, the oldest canonical block number whose state is kept.
    pub const PRUNE_BASE: &[u8] = b"prune_base";
    /// `meta`: SCALE `bool`, set when an archive database was switched to pruning (its older
    /// nodes have no count and are kept).
    pub const PRUNE_UNTRACKED: &[u8] = b"prune_untracked";
    /// `meta`: SCALE `(Hash, u64)`, the block a warp sync started this database from (blocks
    /// between genesis and it are not stored).
    pub const WARP_BASE: &[u8] = b"warp_base";
    /// `meta`: SCALE `(Hash, u64)`, the next block a warp-synced database's gap sync wants
    /// (going down from the warp base; absent once every block down to genesis is stored).
    pub const WARP_GAP: &[u8] = b"warp_gap";

    /// `meta`: an auxiliary key of the node (see `Database::aux`).
    pub fn aux(name: &[u8]) -> Vec<u8> {
        let mut key = b"aux:".to_vec();
        key.extend_from_slice(name);
        key
    }

    fn prefixed(prefix: u8, body: &[u8]) -> Vec<u8> {
        let mut key = Vec::with_capacity(1 + body.len());
        key.push(prefix);
        key.extend_from_slice(body);
        key
    }

    /// The canonical-index key of height `number`.
    pub fn canonical(number: BlockNumber) -> Vec<u8> {
        prefixed(CANONICAL, &number.to_be_bytes())
    }

    /// The transaction-index key of `tx`.
    pub fn tx(tx: &Hash) -> Vec<u8> {
        prefixed(TX, tx.as_bytes())
    }

    /// The number-index key of `block`.
    pub fn number(block: &Hash) -> Vec<u8> {
        prefixed(NUMBER, block.as_bytes())
    }

    /// The key of `block`'s transaction list.
    pub fn block_txs(block: &Hash) -> Vec<u8> {
        prefixed(BLOCK_TXS, block.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_keys_sort_numerically() {
        assert!(key::canonical(255) < key::canonical(256));
        assert!(key::canonical(1) < key::canonical(u64::MAX));
    }

    #[test]
    fn index_prefixes_do_not_collide() {
        let h = Hash([7; 32]);
        let keys = [key::tx(&h), key::number(&h), key::block_txs(&h)];
        assert_ne!(keys[0], keys[1]);
        assert_ne!(keys[1], keys[2]);
        assert_ne!(keys[0], keys[2]);
        assert_eq!(key::canonical(0).len(), 9);
    }
}
