//! Weights of the validators pallet's calls and hook.
//!
//! The calls read and write one bounded list (at most [`crate::Config::MAX_VALIDATORS`] keys);
//! their execution time is far below the state access cost, so they are priced as the state
//! accesses at [`ROCKS_DB_WEIGHT`] plus a flat 10 µs for the list scan.

use ghost_support::weights::{ROCKS_DB_WEIGHT, Weight};

/// One ed25519 signature verification on the reference machine, in µs: the block-import bench
/// in `docs/PERFORMANCE.md` measures 26.9k single verifications/s (37 µs); priced at 60 µs for
/// slower machines.
pub const ED25519_VERIFY_MICROS: u64 = 60;

/// Weight functions of the validators pallet.
pub trait WeightInfo {
    /// `add_validator`: reads the current and queued sets, writes the queued set.
    fn add_validator() -> Weight;
    /// `remove_validator`: as `add_validator`.
    fn remove_validator() -> Weight;
    /// `on_initialize` at a session boundary with a queued set: reads the queue, writes the
    /// set, the set id, its `SetChanges` entry, the session index and the digest log.
    fn new_session() -> Weight;
    /// `on_initialize` in any other block: reads the session length.
    fn no_session() -> Weight;
    /// `report_equivocation`: two ed25519 verifications; reads the set id, the set, the
    /// genesis hash and the offender's record, writes the record and the event.
    fn report_equivocation() -> Weight;
    /// `report_block_equivocation`: two header hashes and two ed25519 verifications; reads
    /// the set, the slot duration, the block's timestamp and the offender's record, writes the
    /// record and the event.
    fn report_block_equivocation() -> Weight;
}

/// Weights for the reference machine.
pub struct GhostWeight;

impl WeightInfo for GhostWeight {
    fn add_validator() -> Weight {
        Weight::from_micros(10).saturating_add(ROCKS_DB_WEIGHT.reads_writes(2, 1))
    }
    fn remove_validator() -> Weight {
        Weight::from_micros(10).saturating_add(ROCKS_DB_WEIGHT.reads_writes(2, 1))
    }
    fn new_session() -> Weight {
        Weight::from_micros(10).saturating_add(ROCKS_DB_WEIGHT.reads_writes(3, 6))
    }
    fn no_session() -> Weight {
        ROCKS_DB_WEIGHT.reads_writes(1, 0)
    }
    fn report_equivocation() -> Weight {
        Weight::from_micros(10 + 2 * ED25519_VERIFY_MICROS)
            .saturating_add(ROCKS_DB_WEIGHT.reads_writes(4, 2))
    }
    fn report_block_equivocation() -> Weight {
        // A header hash is a few µs of blake3 over at most a few hundred bytes (the digest is
        // bounded by the extrinsic's length fee); priced with the flat 10 µs per header.
        Weight::from_micros(10 + 2 * 10 + 2 * ED25519_VERIFY_MICROS)
            .saturating_add(ROCKS_DB_WEIGHT.reads_writes(4, 2))
    }
}

/// Unit weights for tests.
impl WeightInfo for () {
    fn add_validator() -> Weight {
        Weight(1)
    }
    fn remove_validator() -> Weight {
        Weight(1)
    }
    fn new_session() -> Weight {
        Weight(1)
    }
    fn no_session() -> Weight {
        Weight(1)
    }
    fn report_equivocation() -> Weight {
        Weight(1)
    }
    fn report_block_equivocation() -> Weight {
        Weight(1)
    }
}
