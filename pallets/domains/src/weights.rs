//! Weights of the domains pallet's calls.
//!
//! Execution times from `cargo bench -p ghost-runtime --bench domains` (see
//! `docs/PERFORMANCE.md`), rounded up, plus state accesses at [`ROCKS_DB_WEIGHT`].

use ghost_support::weights::{ROCKS_DB_WEIGHT, Weight};

/// Weight functions of the domains pallet.
pub trait WeightInfo {
    /// `commit`.
    fn commit() -> Weight;
    /// `register` with `r` records.
    fn register(r: u32) -> Weight;
    /// `renew`.
    fn renew() -> Weight;
    /// `transfer`.
    fn transfer() -> Weight;
    /// `set_records` with `c` changes (at most `DomainParams::max_changes_per_call`).
    fn set_records(c: u32) -> Weight;
    /// `set_subname_owner`.
    fn set_subname_owner() -> Weight;
    /// `approve`, `set_operator`, `set_primary_name`, `set_update_key`, `set_tld`.
    fn set_flag() -> Weight;
    /// One signed update with `r` records (includes an ed25519 verification).
    fn set_records_signed(r: u32) -> Weight;
    /// One expiry-queue entry in `on_finalize` (an expiry, a purge, or a stale commitment
    /// dropped and its deposit returned).
    fn expire_one() -> Weight;
}

/// Weights for the reference machine.
pub struct GhostWeight;

impl WeightInfo for GhostWeight {
    /// Reads the commitment, the params and the signer's account; writes the commitment, the
    /// account (the deposit's reserve) and the sweep's queue entry, and in the worst case drops
    /// a stale commitment first (its queue entry, its depositor's account). The bench's
    /// `domains/commit` measured 215 µs per extrinsic through the executive (signature and fee
    /// included; 2-core machine shared with three builds, 2026-12-02).
    fn commit() -> Weight {
        Weight::from_micros(40).saturating_add(ROCKS_DB_WEIGHT.reads_writes(3, 5))
    }
    /// Includes the on-chain IDNA check of an `xn--` name (punycode and ENSIP-15): the bench's
    /// `domains/register_idn_3_records` took 59 µs more per extrinsic than
    /// `domains/register_3_records` (394 vs 335 µs, same loaded machine), charged as 60 µs on
    /// top of the former 60 µs; and the commitment's removal (its queue entry, the deposit's
    /// return).
    fn register(r: u32) -> Weight {
        Weight::from_micros(120)
            .saturating_add(Weight::from_micros(5).saturating_mul(u64::from(r)))
            .saturating_add(ROCKS_DB_WEIGHT.reads_writes(7, 10))
    }
    fn renew() -> Weight {
        Weight::from_micros(30).saturating_add(ROCKS_DB_WEIGHT.reads_writes(4, 6))
    }
    fn transfer() -> Weight {
        Weight::from_micros(20).saturating_add(ROCKS_DB_WEIGHT.reads_writes(3, 3))
    }
    /// Applying the changes is O(c log c) (`records::apply_changes`). Its worst case, measured
    /// by `cargo bench -p pallet-domains --bench set_records` at the bound (192 changes against
    /// 64 held records, production parameters), is 79 µs (upper bound 87 µs, 0.45 µs a change;
    /// shared 2-core machine under load, 2026-12-01): charged at 1 µs a change, twice that, on
    /// top of the call's fixed 25 µs and its state accesses. A subname's records deposit adds
    /// (worst case, a takeover) the `RecordDeposits` entry read and written and two accounts,
    /// the new payer's read and written and the old payer's written.
    fn set_records(c: u32) -> Weight {
        Weight::from_micros(25)
            .saturating_add(Weight::from_micros(1).saturating_mul(u64::from(c)))
            .saturating_add(ROCKS_DB_WEIGHT.reads_writes(7, 5))
            // The subname check: one read per added label at most.
            .saturating_add(ROCKS_DB_WEIGHT.reads(u64::from(c)))
    }
    /// With the deposit: the signer's account read and written, the `Deposits` entry written,
    /// and (worst case) a stale entry of an earlier registration removed with its deposit.
    fn set_subname_owner() -> Weight {
        Weight::from_micros(40).saturating_add(ROCKS_DB_WEIGHT.reads_writes(7, 7))
    }
    fn set_flag() -> Weight {
        Weight::from_micros(15).saturating_add(ROCKS_DB_WEIGHT.reads_writes(3, 2))
    }
    /// State accesses as `set_records`, the records deposit's takeover included.
    fn set_records_signed(r: u32) -> Weight {
        Weight::from_micros(90)
            .saturating_add(Weight::from_micros(5).saturating_mul(u64::from(r)))
            .saturating_add(ROCKS_DB_WEIGHT.reads_writes(7, 5))
            .saturating_add(ROCKS_DB_WEIGHT.reads(u64::from(r)))
    }
    /// A subname's removal returns two deposits (its entry's and its records'): one more entry
    /// read and removed and one more payer's account written than an expiry.
    fn expire_one() -> Weight {
        Weight::from_micros(20).saturating_add(ROCKS_DB_WEIGHT.reads_writes(5, 7))
    }
}

/// Unit weights for tests.
impl WeightInfo for () {
    fn commit() -> Weight {
        Weight(1)
    }
    fn register(_r: u32) -> Weight {
        Weight(1)
    }
    fn renew() -> Weight {
        Weight(1)
    }
    fn transfer() -> Weight {
        Weight(1)
    }
    fn set_records(_c: u32) -> Weight {
        Weight(1)
    }
    fn set_subname_owner() -> Weight {
        Weight(1)
    }
    fn set_flag() -> Weight {
        Weight(1)
    }
    fn set_records_signed(_r: u32) -> Weight {
        Weight(1)
    }
    fn expire_one() -> Weight {
        Weight(1)
    }
}
