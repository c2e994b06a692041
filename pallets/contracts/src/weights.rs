//! Weights of the contracts pallet's calls.
//!
//! A call that runs a contract declares `base + fuel_limit × weight_per_fuel` (from the
//! [`Schedule`](crate::Schedule)): the whole fuel it buys is charged up front, as the executive
//! charges fees on declared weight. The base parts are estimates in the style of the other
//! pallets (execution time plus state accesses at [`ROCKS_DB_WEIGHT`]); they have not been
//! benchmarked yet (see `docs/WASM-LITE.md`).

use ghost_support::weights::{ROCKS_DB_WEIGHT, Weight};

/// Weight functions of the contracts pallet.
pub trait WeightInfo {
    /// `upload_code` of `len` bytes: up to a dozen validation passes (feature classification on
    /// failure) and one compilation, all linear in the length.
    fn upload_code(len: u32) -> Weight;
    /// `instantiate` without its fuel, with `input_len` bytes of data and `salt_len` of salt.
    fn instantiate(input_len: u32, salt_len: u32) -> Weight;
    /// `call` without its fuel, with `input_len` bytes of data.
    fn call(input_len: u32) -> Weight;
    /// `remove_code`.
    fn remove_code() -> Weight;
}

/// Weights for the reference machine.
pub struct GhostWeight;

impl WeightInfo for GhostWeight {
    fn upload_code(len: u32) -> Weight {
        // ~1 µs per 16 bytes for each of up to 12 validation passes plus compilation.
        Weight::from_micros(50)
            .saturating_add(
                Weight::from_ref_time(1_000_000 * 12 / 16).saturating_mul(u64::from(len)),
            )
            .saturating_add(ROCKS_DB_WEIGHT.reads_writes(2, 4))
    }
    fn instantiate(input_len: u32, salt_len: u32) -> Weight {
        Weight::from_micros(60)
            .saturating_add(
                Weight::from_ref_time(1_000)
                    .saturating_mul(u64::from(input_len) + u64::from(salt_len)),
            )
            .saturating_add(ROCKS_DB_WEIGHT.reads_writes(5, 6))
    }
    fn call(input_len: u32) -> Weight {
        Weight::from_micros(40)
            .saturating_add(Weight::from_ref_time(1_000).saturating_mul(u64::from(input_len)))
            .saturating_add(ROCKS_DB_WEIGHT.reads_writes(4, 3))
    }
    fn remove_code() -> Weight {
        Weight::from_micros(20).saturating_add(ROCKS_DB_WEIGHT.reads_writes(2, 3))
    }
}

/// Unit weights for tests.
impl WeightInfo for () {
    fn upload_code(_len: u32) -> Weight {
        Weight(1)
    }
    fn instantiate(_input_len: u32, _salt_len: u32) -> Weight {
        Weight(1)
    }
    fn call(_input_len: u32) -> Weight {
        Weight(1)
    }
    fn remove_code() -> Weight {
        Weight(1)
    }
}
