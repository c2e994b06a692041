//! Weights of the ENS bridge's calls.
//!
//! Execution times from `cargo bench -p ghost-runtime --bench ens_bridge` (blocks of 64 calls
//! through the executive on the dev runtime, in-memory state; see `docs/PERFORMANCE.md`), net of
//! the same block of empty remarks (47.7 µs an extrinsic: signature, nonce, fee), rounded up,
//! plus state accesses at [`ROCKS_DB_WEIGHT`]. An attestation is charged for the worst case it
//! can reach (it may complete a link, which registers the ghost name and writes its records)
//! and for every record and byte it carries. The ENSIP-15 check of the ENS name is charged
//! apart ([`WeightInfo::ens_name`]). Measured on the 2-core reference machine, load 1.0-1.6,
//! 2026-12-04.

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
    /// `ens_bridge/register_ens_domain`: 225 µs an extrinsic, 177 µs net (the secp256k1
    /// recovery, the commitment of the later registration, the deposit's reserve).
    fn register_ens_domain() -> Weight {
        Weight::from_micros(180).saturating_add(ROCKS_DB_WEIGHT.reads_writes(6, 3))
    }
    /// Net times of the attestation that makes a link (the worst case: the vote, the count, a
    /// domains registration at the normal price, the records written, the link, reverse and
    /// deposit writes): `link_no_records` 85 µs; `link_24_small_records` (387 bytes) 96 µs,
    /// 0.46 µs a record; `link_24_web3_records_max_bytes` (8,067 bytes) 113 µs and
    /// `link_24_dns_records` (12,057 bytes of TXT records) 156 µs, 5.1 ns a byte at the
    /// DNS-records worst case. Charged 100 µs, 1 µs a record and 6 ns a byte; a vote alone
    /// (`vote_24_records`, 25 µs net) is charged as much.
    fn submit_attestation(r: u32, b: u32, o: u32) -> Weight {
        Weight::from_micros(100)
            .saturating_add(Weight::from_micros(1).saturating_mul(u64::from(r)))
            .saturating_add(Weight::from_ref_time(6_000).saturating_mul(u64::from(b)))
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

    /// The benches' worst cases (net execution, in ps) stay under what is charged for them,
    /// state accesses aside.
    #[test]
    fn charged_weights_cover_the_benched_worst_cases() {
        let db = ROCKS_DB_WEIGHT
            .reads(3)
            .saturating_add(ROCKS_DB_WEIGHT.reads_writes(16, 16));
        for (records, bytes, measured_us) in [
            (0, 4, 85),
            (24, 387, 96),
            (24, 8_067, 113),
            (24, 12_057, 156),
        ] {
            let charged = GhostWeight::submit_attestation(records, bytes, 3).0 - db.0;
            assert!(
                charged >= Weight::from_micros(measured_us).0,
                "{records} records, {bytes} bytes: {charged} ps < {measured_us} µs"
            );
        }
        let db = ROCKS_DB_WEIGHT.reads_writes(6, 3);
        assert!(GhostWeight::register_ens_domain().0 - db.0 >= Weight::from_micros(177).0);
    }

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
