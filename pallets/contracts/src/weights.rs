//! Weights of the contracts pallet's calls, and the measurements behind the host-function
//! prices.
//!
//! A call that runs a contract declares `base + fuel_limit × weight_per_fuel` (from the
//! [`Schedule`](crate::Schedule)) and the executive charges the fee of that up front; after the
//! dispatch the pallet reports `base + fuel burned × weight_per_fuel`
//! ([`crate::take_actual_weight`]) and the executive refunds the rest. The base parts below
//! come from `benches/dispatch.rs`; the state accesses are added at [`ROCKS_DB_WEIGHT`], whose
//! read and write costs `cargo bench -p ghost-storage --bench state_access` measures.
//!
//! All benches here run on a node's RocksDB database (`Chain::rocksdb_dev` in
//! `contracts/fixtures/tests/it/common.rs`: the dev chain with 100,000 more endowed accounts,
//! reopened so reads come from RocksDB's files and block cache), every measured call on state
//! the calls before it did not touch, so no read is served by the runtime's per-block cache.
//!
//! ## Calls (`cargo bench -p ghost-contract-fixtures --bench dispatch`)
//!
//! 2026-12-04, release, the 2-core reference machine, two runs (load 1.0-1.6: another
//! engineer's benches shared it, so the times are upper bounds). Each iteration starts a fresh block and
//! dispatches one call as the executive does; "own time" subtracts the block start alone
//! (15.7 µs). Reads are in the own time (warm RocksDB block cache); the weight adds every
//! access at [`ROCKS_DB_WEIGHT`] on top of the compute part.
//!
//! | call, worst case | own time | compute part charged | margin |
//! |---|---:|---:|---:|
//! | `upload_code`, 259,327 B of straight-line code | 5.69 ms (21.9 ns/B) | 100 µs + 0.75 µs/B = 194.6 ms | 34× |
//! | `upload_code`, 4,096 empty functions (16,441 B: the most translation per byte) | 3.67 ms (223 ns/B) | 12.4 ms | 3.4× |
//! | `upload_code`, 259,346 B refused for a float at the end (every pass, then the classification) | 0.83 ms | 194.6 ms | 234× |
//! | `instantiate`, 16 initial pages (1 MiB zeroed, which no fuel pays for) | 68.0 µs | 140 µs | 2.1× |
//! | `instantiate`, 64 KiB input, 64 B salt | 47.6 µs | 140 µs + 65.6 µs | 4.3× |
//! | `call`, 16 initial pages | 45.4 µs | 100 µs | 2.2× |
//! | `call`, 64 KiB input | 37.3 µs | 100 µs + 65.5 µs | 4.4× |
//! | `remove_code` | 35.0 µs | 70 µs | 2.0× |
//!
//! The per-byte price of `upload_code` is set by the many-functions module, not by the
//! largest: a function costs about 0.9 µs to translate however small it is.
//!
//! ## Host functions (`HostFnCosts::DEFAULT`)
//!
//! `cargo bench -p ghost-contract-fixtures --bench host_fns` (2026-12-02, release, the 2-core
//! reference machine while other builds ran on it: the times are upper bounds). Each case loops
//! `K` times over one worst-case call in a dry run on the dev chain's trie state (in memory: the
//! closest the fixtures' dependency graph gets to a node's RocksDB, whose access costs the
//! `storage_read`/`storage_write` prices add at `ROCKS_DB_WEIGHT`); time and fuel per call are
//! `(x(K) − x(0)) / K`, loop overhead included. Priced time = fuel × 2 ns.
//!
//! | host function, worst case | time per call | fuel per call | priced time | margin |
//! |---|---:|---:|---:|---:|
//! | `storage_set`, new 128 B key, 16 KiB value (deposit grows) | 19.5 µs | 316 585 | 633 µs | 32× |
//! | `storage_get`, 16 KiB value | 21.8 µs | 29 135 | 58 µs | 2.7× |
//! | `storage_remove`, 16 KiB value (pair with `storage_set`, minus it) | 23.8 µs | 300 181 | 600 µs | 25× |
//! | `emit_event`, 4 topics, 4 KiB data | 3.5 µs | 104 289 | 209 µs | 59× |
//! | `transfer`, 1 unit to an existing account | 5.1 µs | 125 116 | 250 µs | 49× |
//! | `call` moving value to a callee that returns (`Called` event) | 17.0 µs | 276 395 | 553 µs | 32× |
//! | `blake3`, 16 KiB | 6.9 µs | 16 480 | 33 µs | 4.8× |
//! | `debug_message`, 16 KiB collected in a dry run (`… --bench host_fns -- debug_message`) | 7.0 µs | 16 447 | 33 µs | 4.7× |
//! | `ed25519_verify`, valid signature, 1 KiB (at the old price 25 000) | 93.7 µs | 26 190 | 52 µs | **0.56×** |
//! | `name_set_records`, 64 TXT records replacing 64 | 303 µs | 3 721 725 | 7.4 ms | 25× |
//! | `name_resolve`, 64 records | 38.6 µs | 34 263 | 69 µs | 1.8× |
//!
//! `debug_message` is priced as a copy (`base + bytes`, at most the 16 KiB buffer counted);
//! its worst case is a dry run, which copies, checks UTF-8 and appends (a transaction only
//! checks the range). `ed25519_verify` was the one underpriced function: its price is now
//! 75 000 (150 µs, 1.6×). The state-touching functions keep large margins on in-memory state because their prices
//! include RocksDB access; `storage_get` and `name_resolve` are the tight ones.
//!
//! ## The deletion queue
//!
//! `cargo bench -p ghost-contract-fixtures --bench deletion` (2026-12-02, release, the same
//! shared 2-core machine): `on_initialize` deleting [`DELETION_KEYS_PER_BLOCK`] (256) entries
//! of a terminated contract on the dev chain's in-memory trie state took 767 µs (upper bound of
//! the interval 890 µs) against 0.3 µs with nothing queued: 3.0 µs per key (3.5 at the upper
//! bound). The weight it reports, [`crate::lifecycle::deletion_weight`], is `ROCKS_DB_WEIGHT`
//! per read and per deleted key, 126 µs per key (32.3 ms for 256): a 36× margin over the upper
//! bound, kept because a node reads from RocksDB and the block's state root update is not in
//! the measurement. `deletion_per_item` (62 500 fuel = 125 µs per entry, charged by
//! `terminate`) prices the same work.
//!
//! [`DELETION_KEYS_PER_BLOCK`]: crate::DELETION_KEYS_PER_BLOCK

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

/// Weights for the reference machine, from the table above.
pub struct GhostWeight;

impl WeightInfo for GhostWeight {
    fn upload_code(len: u32) -> Weight {
        // 0.75 µs a byte: 3.4× the 223 ns/B of a module of empty functions (see the table).
        Weight::from_micros(100)
            .saturating_add(Weight::from_ref_time(750_000).saturating_mul(u64::from(len)))
            .saturating_add(ROCKS_DB_WEIGHT.reads_writes(2, 4))
    }
    fn instantiate(input_len: u32, salt_len: u32) -> Weight {
        Weight::from_micros(140)
            .saturating_add(
                Weight::from_ref_time(1_000)
                    .saturating_mul(u64::from(input_len) + u64::from(salt_len)),
            )
            .saturating_add(ROCKS_DB_WEIGHT.reads_writes(5, 6))
    }
    fn call(input_len: u32) -> Weight {
        Weight::from_micros(100)
            .saturating_add(Weight::from_ref_time(1_000).saturating_mul(u64::from(input_len)))
            .saturating_add(ROCKS_DB_WEIGHT.reads_writes(4, 3))
    }
    fn remove_code() -> Weight {
        Weight::from_micros(70).saturating_add(ROCKS_DB_WEIGHT.reads_writes(2, 3))
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
