//! Weights of the balances pallet's calls.
//!
//! Execution time measured with `cargo bench -p ghost-runtime` (see `docs/PERFORMANCE.md`), plus
//! the state accesses at [`ROCKS_DB_WEIGHT`].

use ghost_support::weights::{ROCKS_DB_WEIGHT, Weight};

/// Weight functions of the balances pallet.
pub trait WeightInfo {
    /// `transfer`: two account reads and writes.
    fn transfer() -> Weight;
    /// `transfer_keep_alive`: as `transfer`.
    fn transfer_keep_alive() -> Weight;
    /// `force_set_balance`: one account and the issuance.
    fn force_set_balance() -> Weight;
}

/// Weights for the reference machine.
pub struct GhostWeight;

impl WeightInfo for GhostWeight {
    fn transfer() -> Weight {
        Weight::from_micros(20).saturating_add(ROCKS_DB_WEIGHT.reads_writes(2, 2))
    }
    fn transfer_keep_alive() -> Weight {
        Weight::from_micros(20).saturating_add(ROCKS_DB_WEIGHT.reads_writes(2, 2))
    }
    fn force_set_balance() -> Weight {
        Weight::from_micros(10).saturating_add(ROCKS_DB_WEIGHT.reads_writes(2, 2))
    }
}

/// Unit weights for tests.
impl WeightInfo for () {
    fn transfer() -> Weight {
        Weight(1)
    }
    fn transfer_keep_alive() -> Weight {
        Weight(1)
    }
    fn force_set_balance() -> Weight {
        Weight(1)
    }
}
