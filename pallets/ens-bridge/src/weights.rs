//! Weights of the ENS bridge's calls.
//!
//! Estimates for the reference machine, not yet benchmarked (only the ENSIP-15 check was timed):
//! a secp256k1 recovery (~60 µs with k256), the ENSIP-15 check of the ENS name, plus state accesses at [`ROCKS_DB_WEIGHT`]. An
//! attestation is charged for the worst case it can reach (it may complete a link, which
//! registers the ghost name and writes its records) and for every record and byte it carries.

use ghost_support::weights::{ROCKS_DB_WEIGHT, Weight};

/// Weight functions of the ENS bridge.
pub trait WeightInfo {
    /// `register_ens_domain` (one signature recovery).
    fn register_ens_domain() -> Weight;
    /// `submit_attestation` carrying `r` records of `b` encoded bytes, with `o` oracles whose
    /// votes may be counted.
    fn submit_attestation(r: u32, b: u32, o: u32) -> Weight;
    /// `unlink`, `cancel_request`.
    fn unlink() -> Weight;
    /// `set_oracles` with `o` oracles, `set_params`.
    fn set_oracles(o: u32) -> Weight;
    /// Checking an ENS name of `n` bytes against ENSIP-15, charged on top of every call that
    /// carries one (up to ~1.3 ms for a 250-byte name in a dev build: the check grows faster
    /// than linearly, so the per-byte rate is the one measured at the longest names).
    fn ens_name(n: u32) -> Weight;
}

/// Weights for the reference machine.
pub struct GhostWeight;

impl WeightInfo for GhostWeight {
    fn register_ens_domain() -> Weight {
        Weight::from_micros(150).saturating_add(ROCKS_DB_WEIGHT.reads_writes(6, 3))
    }
    fn submit_attestation(r: u32, b: u32, o: u32) -> Weight {
        // Base: checks, the vote, the count; a link adds a registration (domains' register and
        // set_records weights) and the link, reverse and deposit writes.
        Weight::from_micros(200)
            .saturating_add(Weight::from_micros(10).saturating_mul(u64::from(r)))
            .saturating_add(Weight::from_ref_time(20_000).saturating_mul(u64::from(b)))
            .saturating_add(ROCKS_DB_WEIGHT.reads(u64::from(o)))
            .saturating_add(ROCKS_DB_WEIGHT.reads_writes(16, 16))
    }
    fn unlink() -> Weight {
        Weight::from_micros(30).saturating_add(ROCKS_DB_WEIGHT.reads_writes(4, 4))
    }
    fn set_oracles(o: u32) -> Weight {
        Weight::from_micros(10)
            .saturating_add(Weight::from_micros(1).saturating_mul(u64::from(o)))
            .saturating_add(ROCKS_DB_WEIGHT.writes(2))
    }
    fn ens_name(n: u32) -> Weight {
        Weight::from_micros(6).saturating_mul(u64::from(n))
    }
}

/// Unit weights for tests.
impl WeightInfo for () {
    fn register_ens_domain() -> Weight {
        Weight(1)
    }
    fn submit_attestation(_r: u32, _b: u32, _o: u32) -> Weight {
        Weight(1)
    }
    fn unlink() -> Weight {
        Weight(1)
    }
    fn set_oracles(_o: u32) -> Weight {
        Weight(1)
    }
    fn ens_name(_n: u32) -> Weight {
        Weight::ZERO
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attestation_weight_grows_with_what_it_carries() {
        let empty = GhostWeight::submit_attestation(0, 0, 3);
        assert!(GhostWeight::submit_attestation(10, 0, 3) > empty);
        assert!(GhostWeight::submit_attestation(0, 4_096, 3) > empty);
        assert!(GhostWeight::submit_attestation(0, 0, 10) > empty);
        assert!(GhostWeight::ens_name(255) > GhostWeight::ens_name(8));
        // A full 255-byte name costs at least the 1.3 ms measured for 250 bytes.
        assert!(GhostWeight::ens_name(255) >= Weight::from_micros(1_300));
    }
}
