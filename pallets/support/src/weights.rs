//! Weights: the execution time a call may take, charged before it runs.
//!
//! One unit of weight is one picosecond of reference execution time on the reference machine
//! (as in Substrate's `ref_time`), so `1_000_000_000_000` is one second. Pallet weights come
//! from benchmarks and are documented beside each pallet's `WeightInfo`.

use parity_scale_codec::{Decode, Encode, MaxEncodedLen};

/// Reference execution time in picoseconds.
#[derive(
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Debug,
    Default,
    Encode,
    Decode,
    MaxEncodedLen,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(transparent)]
pub struct Weight(pub u64);

impl Weight {
    /// No weight.
    pub const ZERO: Weight = Weight(0);
    /// One microsecond.
    pub const MICROS: u64 = 1_000_000;
    /// One millisecond.
    pub const MILLIS: u64 = 1_000_000_000;

    /// A weight of `ps` picoseconds.
    pub const fn from_ref_time(ps: u64) -> Weight {
        Weight(ps)
    }

    /// A weight of `us` microseconds.
    pub const fn from_micros(us: u64) -> Weight {
        Weight(us.saturating_mul(Self::MICROS))
    }

    /// The picoseconds.
    pub const fn ref_time(self) -> u64 {
        self.0
    }

    /// Saturating addition.
    pub const fn saturating_add(self, other: Weight) -> Weight {
        Weight(self.0.saturating_add(other.0))
    }

    /// Saturating subtraction.
    pub const fn saturating_sub(self, other: Weight) -> Weight {
        Weight(self.0.saturating_sub(other.0))
    }

    /// Saturating multiplication by a count.
    pub const fn saturating_mul(self, n: u64) -> Weight {
        Weight(self.0.saturating_mul(n))
    }

    /// Checked addition.
    pub fn checked_add(self, other: Weight) -> Option<Weight> {
        self.0.checked_add(other.0).map(Weight)
    }
}

/// The cost of state accesses, charged by weight formulas.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DbWeight {
    /// One storage read.
    pub read: Weight,
    /// One storage write.
    pub write: Weight,
}

impl DbWeight {
    /// `r` reads and `w` writes.
    pub const fn reads_writes(&self, r: u64, w: u64) -> Weight {
        self.read
            .saturating_mul(r)
            .saturating_add(self.write.saturating_mul(w))
    }

    /// `r` reads.
    pub const fn reads(&self, r: u64) -> Weight {
        self.read.saturating_mul(r)
    }

    /// `w` writes.
    pub const fn writes(&self, w: u64) -> Weight {
        self.write.saturating_mul(w)
    }
}

/// State access costs on the RocksDB-backed trie: a read walks the trie from the root, a write
/// includes its share of the block's trie update and commit.
///
/// `cargo bench -p ghost-storage --bench state_access` (2026-12-04, release, the 2-core
/// reference machine, load about 1): on a state of 1,000,000 entries in RocksDB with the node's
/// caches, a read of a key no earlier iteration touched takes 20.0 µs (a missing key 4.5 µs),
/// and a block committing 1,000 changed keys takes 44.6 µs per key (its paths read again,
/// the new nodes hashed and written in one fsynced batch; 75 µs per key at 100 keys, where the
/// block's one fsync weighs more). So 25 µs covers a read 1.25×, 100 µs a write 1.3-2.2×. A
/// block's fsync (about 2 ms) is not a per-write cost. See `docs/PERFORMANCE.md`.
pub const ROCKS_DB_WEIGHT: DbWeight = DbWeight {
    read: Weight::from_micros(25),
    write: Weight::from_micros(100),
};
