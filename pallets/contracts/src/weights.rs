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
//! 2026-12-04 04:08, release, the 2-core reference machine, load 0.6-1.0. Each iteration
//! starts a fresh block and dispatches one call as the executive does; "own time" subtracts
//! the block start alone (3.9 µs). Reads are in the own time (warm RocksDB block cache and node
//! cache); the weight adds every access at [`ROCKS_DB_WEIGHT`] on top of the compute part.
//!
//! | call, worst case | own time | compute part charged | margin |
//! |---|---:|---:|---:|
//! | `upload_code`, 259,327 B of straight-line code | 7.74 ms (29.8 ns/B) | 100 µs + 0.75 µs/B = 194.6 ms | 25× |
//! | `upload_code`, 4,096 empty functions (16,441 B: the most translation per byte) | 3.80 ms (231 ns/B) | 12.4 ms | 3.3× |
//! | `upload_code`, 259,346 B refused for a float at the end (every pass, then the classification) | 0.82 ms | 194.6 ms | 237× |
//! | `instantiate`, 16 initial pages (1 MiB zeroed, which no fuel pays for) | 45.5 µs | 140 µs | 3.1× |
//! | `instantiate`, 64 KiB input, 64 B salt | 29.9 µs | 140 µs + 65.6 µs | 6.9× |
//! | `call`, 16 initial pages | 40.8 µs | 100 µs | 2.5× |
//! | `call`, 64 KiB input | 23.3 µs | 100 µs + 65.5 µs | 7.1× |
//! | `remove_code` | 19.2 µs | 70 µs | 3.6× |
//!
//! And the load fee (`Schedule::load_fuel`, per byte and per function), by cold calls (a new
//! module cache for each) to contracts whose `call` runs every function they define, so every
//! one is translated; "charged" is the fuel burned at 2 ns plus the call's compute part:
//!
//! | cold call, worst case | own time | charged | margin |
//! |---|---:|---:|---:|
//! | 4,094 empty functions (28,599 B) | 2.06 ms | 5.36 ms | 2.6× |
//! | 4,094 functions returning their argument (49,075 B) | 2.41 ms | 6.19 ms | 2.6× |
//! | 32 functions of 1,000 additions (224,453 B) | 3.22 ms | 9.37 ms | 2.9× |
//!
//! Without the per-function part (20 fuel a byte only) the second case paid 2.10 ms for 2.39 ms
//! of work.
//!
//! The per-byte price of `upload_code` is set by the many-functions module, not by the
//! largest: a function costs about 0.9 µs to translate however small it is.
//!
//! ## Host functions (`HostFnCosts::DEFAULT`)
//!
//! `cargo bench -p ghost-contract-fixtures --bench host_fns` (2026-12-04 04:03, release, the
//! 2-core reference machine, load 0.9-1.1; `instantiate`, `set_code_hash` and `terminate` at
//! 04:31, load 0.3-0.6). Each case loops `K` times over one worst-case call
//! in a dry run on the RocksDB chain above, every call on state committed in earlier blocks that
//! no earlier call touched (distinct keys, accounts, callees and names); time and fuel per call
//! are `(x(K) − x(0)) / K`, loop overhead included. Priced time = fuel × 2 ns. Writes stay in
//! the dry run's overlay: their share of the block's commit is the `ROCKS_DB_WEIGHT` write
//! (100 µs) inside the prices, against the 44.6-75.3 µs per key `state_access` measured.
//!
//! | host function, worst case | time per call | fuel per call | priced time | margin |
//! |---|---:|---:|---:|---:|
//! | `storage_set`, new 128 B key, 16 KiB value (deposit grows), contract of 65,536 entries | 4.6 µs | 316 585 | 633 µs | 138× |
//! | `storage_get`, committed 16 KiB value, same contract size | 4.6 µs | 29 138 | 58 µs | 12.7× |
//! | `storage_remove`, committed 16 KiB value (deposit refunded) | 6.5 µs | 300 199 | 600 µs | 92× |
//! | `emit_event`, 4 topics, 4 KiB data | 0.6 µs | 104 289 | 209 µs | 325× |
//! | `transfer`, 1 unit to a distinct existing account | 2.5 µs | 125 120 | 250 µs | 102× |
//! | `call` moving value to a distinct callee that returns (`Called` event) | 7.4 µs | 277 589 | 555 µs | 75× |
//! | `instantiate` of a stored code with a new salt (record deposit paid by the signer) | 9.6 µs | 465 114 | 930 µs | 97× |
//! | `set_code_hash`, alternating between two stored codes | 1.0 µs | 287 605 | 575 µs | 593× |
//! | `terminate` (once: it ends the frame), balance and deposits returned | 11.5 µs | 600 132 | 1.2 ms | 104× |
//! | `blake3`, 16 KiB | 2.4 µs | 16 480 | 33 µs | 13.5× |
//! | `debug_message`, 16 KiB collected in a dry run | 4.3 µs | 16 447 | 33 µs | 7.6× |
//! | `ed25519_verify`, valid signature, 1 KiB | 38.9 µs | 76 190 | 152 µs | 3.9× |
//! | `name_set_records`, 64 TXT records replacing 64 committed ones | 98 µs | 3 721 742 | 7.4 ms | 76× |
//! | `name_set_records`, 128 records in 64 KiB (refused by the name service) | 122 µs | 5 377 417 | 10.8 ms | 88× |
//! | `name_resolve`, committed name with 64 records | 21.3 µs | 34 277 | 69 µs | 3.2× |
//!
//! The tight ones are `name_resolve` (3.2×) and `ed25519_verify` (3.9×); a price counts each
//! state access as a cold RocksDB read or write (`ROCKS_DB_WEIGHT`), which is where the large
//! margins of the state-touching functions come from: in this bench their reads are recent,
//! so RocksDB's block cache and the node cache serve them. `debug_message` is priced as a copy
//! (`base + bytes`, at most the 16 KiB buffer counted); its worst case is a dry run, which
//! copies, checks UTF-8 and appends (a transaction only checks the range). The loading of a
//! frame's code is priced per byte and per function ([`crate::Schedule::load_fuel`]): see
//! `call_cold` in the table above.
//!
//! ## The deletion queue
//!
//! `cargo bench -p ghost-contract-fixtures --bench deletion` (2026-12-04 04:10, release, the
//! RocksDB chain above, load about 1): `on_initialize` deleting [`DELETION_KEYS_PER_BLOCK`]
//! (256) entries of a terminated contract took 527 µs against 0.2 µs with nothing queued:
//! 2.1 µs per key (3.0 µs on the in-memory trie before). The weight it reports,
//! [`crate::lifecycle::deletion_weight`], is `ROCKS_DB_WEIGHT` per read and per deleted key,
//! 126 µs per key (32.3 ms for 256): a 61× margin, kept because the deletions' share of the
//! block's trie commit (44.6-75.3 µs a key in `state_access`) is not in the measurement.
//! `deletion_per_item` (62 500 fuel = 125 µs per entry, charged by `terminate`) prices the same
//! work.
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
