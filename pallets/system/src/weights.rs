//! Weights of the system pallet's calls.
//!
//! Measured with `cargo bench -p ghost-runtime` (see `docs/PERFORMANCE.md`); the figures include
//! the state accesses of each call at [`ROCKS_DB_WEIGHT`].

use ghost_support::weights::{ROCKS_DB_WEIGHT, Weight};

/// Weight functions of the system pallet.
pub trait WeightInfo {
    /// `remark` of `len` bytes: hashing plus one event write.
    fn remark(len: u32) -> Weight;
}

/// Weights for the reference machine.
pub struct GhostWeight;

impl WeightInfo for GhostWeight {
    fn remark(len: u32) -> Weight {
        Weight::from_micros(5)
            .saturating_add(Weight::from_ref_time(1_000).saturating_mul(u64::from(len)))
            .saturating_add(ROCKS_DB_WEIGHT.writes(2))
    }
}

/// Unit weights for tests.
impl WeightInfo for () {
    fn remark(_len: u32) -> Weight {
        Weight::from_ref_time(1)
    }
}
