//! Tests of the contracts pallet against the mock runtime: every call and error, a counter
//! contract in WAT, host functions, nested calls, and the edge-case fixtures of WASM-lite.
//!
//! This module holds the WAT fixtures and helpers; the tests are grouped by theme:
//! [`code`] (upload and removal, validation), [`calls`] (instantiate and call, the counter),
//! [`bounds`] (execution is bounded), [`host`] (host functions, nested calls, names),
//! [`debug`] (the debug buffer of dry runs), [`lifecycle`] (terminate, set_code_hash,
//! instantiate from a contract) and
//! [`plumbing`] (module cache, metadata, property tests).

mod bounds;
mod calls;
mod code;
mod debug;
mod host;
mod lifecycle;
mod plumbing;

use std::sync::Arc;

use ghost_primitives::{DnsRecord, DomainName, Pair, RecordData};
use ghost_support::prelude::*;
use ghost_support::traits::Currency;
use parity_scale_codec::{Decode, Encode};
use proptest::prelude::*;

use crate::cache::{LruModuleCache, ModuleCache, with_module_cache};
use crate::mock::*;
use crate::{
    Call, CodeError, CodeInfoOf, ContractInfo, ContractInfoOf, Error, Event, ExecError, HostTrap,
    Limits, NameResolution, ReturnCode, StorageDeposit, contract_address, selector,
};

/// Fuel given to calls in tests (well above what the fixtures burn, far below the cap).
const FUEL: u64 = 50_000_000;

// ---- fixtures ----

/// The counter: `deploy(u64 initial)`, `increment(u64 by) -> u64` (stores, emits
/// `ContractEmitted { topics: [COUNTER_TOPIC], data: new }`), `get() -> u64`; anything else
/// reverts.
fn counter_wat() -> String {
    let sel = |m: &str| i32::from_le_bytes(selector(m));
    format!(
        r#"(module
  (import "ghost" "input" (func $input (param i32 i32) (result i32)))
  (import "ghost" "storage_get" (func $get (param i32 i32 i32 i32) (result i32)))
  (import "ghost" "storage_set" (func $set (param i32 i32 i32 i32) (result i32)))
  (import "ghost" "emit_event" (func $emit (param i32 i32 i32 i32)))
  (import "ghost" "return_data" (func $ret (param i32 i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "count")
  (data (i32.const 128) "counter.incremented.............")
  ;; call data into [64, 96); returns its length (or 0 if it does not fit)
  (func $read_input (result i32)
    (i32.store (i32.const 32) (i32.const 32))
    (if (call $input (i32.const 64) (i32.const 32)) (then (return (i32.const 0))))
    (i32.load (i32.const 32)))
  ;; the count into [48, 56), 0 when unset
  (func $load
    (i32.store (i32.const 40) (i32.const 8))
    (if (call $get (i32.const 0) (i32.const 5) (i32.const 48) (i32.const 40))
      (then (i64.store (i32.const 48) (i64.const 0)))))
  (func $store
    (if (call $set (i32.const 0) (i32.const 5) (i32.const 48) (i32.const 8)) (then unreachable)))
  (func $revert (call $ret (i32.const 1) (i32.const 0) (i32.const 0)))
  (func (export "deploy")
    (if (i32.ne (call $read_input) (i32.const 8)) (then unreachable))
    (i64.store (i32.const 48) (i64.load (i32.const 64)))
    (call $store))
  (func (export "call")
    (local $len i32)
    (local.set $len (call $read_input))
    (if (i32.lt_u (local.get $len) (i32.const 4)) (then (call $revert)))
    (call $load)
    (if (i32.eq (i32.load (i32.const 64)) (i32.const {increment}))
      (then
        (if (i32.ne (local.get $len) (i32.const 12)) (then (call $revert)))
        (i64.store (i32.const 48) (i64.add (i64.load (i32.const 48)) (i64.load (i32.const 68))))
        (call $store)
        (call $emit (i32.const 128) (i32.const 32) (i32.const 48) (i32.const 8))
        (call $ret (i32.const 0) (i32.const 48) (i32.const 8))))
    (if (i32.eq (i32.load (i32.const 64)) (i32.const {get}))
      (then (call $ret (i32.const 0) (i32.const 48) (i32.const 8))))
    (call $revert)))"#,
        increment = sel("increment"),
        get = sel("get"),
    )
}

const COUNTER_TOPIC: &[u8; 32] = b"counter.incremented.............";

/// Call data: selector ++ SCALE(args).
fn call_data(method: &str, args: impl Encode) -> Vec<u8> {
    let mut data = selector(method).to_vec();
    args.encode_to(&mut data);
    data
}

/// Stores a key, then loops forever.
const LOOP_WAT: &str = r#"(module
  (import "ghost" "storage_set" (func $set (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "key")
  (func (export "deploy"))
  (func (export "call")
    (drop (call $set (i32.const 0) (i32.const 3) (i32.const 0) (i32.const 3)))
    (loop $forever (br $forever))))"#;

/// Recurses without end.
const RECURSION_WAT: &str = r#"(module
  (memory (export "memory") 1)
  (func $down (call $down))
  (func (export "deploy"))
  (func (export "call") (call $down)))"#;

/// Grows memory a page at a time until `memory.grow` fails, then returns `memory.size` (u32).
const GROW_BOMB_WAT: &str = r#"(module
  (import "ghost" "return_data" (func $ret (param i32 i32 i32)))
  (memory (export "memory") 1)
  (func (export "deploy"))
  (func (export "call")
    (block $done (loop $grow
      (br_if $done (i32.eq (memory.grow (i32.const 1)) (i32.const -1)))
      (br $grow)))
    (if (i32.ne (memory.grow (i32.const 65535)) (i32.const -1)) (then unreachable))
    (i32.store (i32.const 0) (memory.size))
    (call $ret (i32.const 0) (i32.const 0) (i32.const 4))))"#;

/// A contract whose `call` is `body` (with the host functions it needs imported by the caller).
fn with_call_body(imports: &str, body: &str) -> Vec<u8> {
    wat(&format!(
        r#"(module {imports}
  (memory (export "memory") 1)
  (func (export "deploy"))
  (func (export "call") {body}))"#
    ))
}

/// Writes caller, address, value, balance, block number and time, blake3("abc"), the
/// ed25519_verify code of `sig ++ key ++ message` (its input) and fuel left to its output.
const CONTEXT_WAT: &str = r#"(module
  (import "ghost" "caller" (func $caller (param i32)))
  (import "ghost" "address" (func $address (param i32)))
  (import "ghost" "value_transferred" (func $value (param i32)))
  (import "ghost" "balance" (func $balance (param i32)))
  (import "ghost" "block_number" (func $number (result i64)))
  (import "ghost" "block_timestamp" (func $now (result i64)))
  (import "ghost" "blake3" (func $blake3 (param i32 i32 i32)))
  (import "ghost" "ed25519_verify" (func $verify (param i32 i32 i32 i32) (result i32)))
  (import "ghost" "fuel_left" (func $fuel (result i64)))
  (import "ghost" "input" (func $input (param i32 i32) (result i32)))
  (import "ghost" "return_data" (func $ret (param i32 i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 1000) "abc")
  (func (export "deploy"))
  (func (export "call")
    (i32.store (i32.const 1996) (i32.const 1024))
    (drop (call $input (i32.const 2000) (i32.const 1996)))
    (call $caller (i32.const 0))
    (call $address (i32.const 32))
    (call $value (i32.const 64))
    (call $balance (i32.const 80))
    (i64.store (i32.const 96) (call $number))
    (i64.store (i32.const 104) (call $now))
    (call $blake3 (i32.const 1000) (i32.const 3) (i32.const 112))
    (i32.store (i32.const 144)
      (call $verify (i32.const 2000) (i32.const 2064) (i32.const 2096)
        (i32.sub (i32.load (i32.const 1996)) (i32.const 96))))
    (i64.store (i32.const 148) (call $fuel))
    (call $ret (i32.const 0) (i32.const 0) (i32.const 156))))"#;

/// A proxy: input `dest ++ rest` calls `dest` with `rest` and 1 000 000 fuel (or what is left),
/// and returns the return
/// code (u32) ++ the callee's output; input shorter than 32 bytes returns nothing. `deploy`
/// allows reentry if its input is `[1]`.
const PROXY_WAT: &str = r#"(module
  (import "ghost" "input" (func $input (param i32 i32) (result i32)))
  (import "ghost" "call" (func $call (param i32 i32 i64 i32 i32 i32 i32) (result i32)))
  (import "ghost" "return_data" (func $ret (param i32 i32 i32)))
  (import "ghost" "allow_reentry" (func $allow (param i32)))
  (memory (export "memory") 1)
  (func (export "deploy")
    (i32.store (i32.const 100) (i32.const 1))
    (drop (call $input (i32.const 1024) (i32.const 100)))
    (if (i32.and (i32.eq (i32.load (i32.const 100)) (i32.const 1))
                 (i32.eq (i32.load8_u (i32.const 1024)) (i32.const 1)))
      (then (call $allow (i32.const 1)))))
  (func (export "call")
    (local $len i32)
    (i32.store (i32.const 100) (i32.const 4096))
    (drop (call $input (i32.const 1024) (i32.const 100)))
    (local.set $len (i32.load (i32.const 100)))
    (if (i32.lt_u (local.get $len) (i32.const 32)) (then (call $ret (i32.const 0) (i32.const 0) (i32.const 0))))
    (i32.store (i32.const 104) (i32.const 2048))
    (i32.store (i32.const 8192)
      (call $call (i32.const 1024) (i32.const 200) (i64.const 1000000)
        (i32.const 1056) (i32.sub (local.get $len) (i32.const 32))
        (i32.const 8196) (i32.const 104)))
    (call $ret (i32.const 0) (i32.const 8192) (i32.add (i32.const 4) (i32.load (i32.const 104))))))"#;

// ---- helpers ----

fn upload(who: u8, code: Vec<u8>) -> Hash {
    Contracts::bare_upload_code(acc(who), code).expect("upload")
}

fn instantiate(who: u8, code: Vec<u8>, value: Balance, data: Vec<u8>) -> AccountId {
    let code_hash = upload(who, code);
    let r = Contracts::bare_instantiate(acc(who), code_hash, value, FUEL, data, vec![]);
    r.result.expect("instantiate")
}

fn counter(initial: u64) -> AccountId {
    instantiate(1, wat(&counter_wat()), 1_000, initial.encode())
}

fn call(who: u8, dest: AccountId, data: Vec<u8>) -> crate::ContractResult<()> {
    Contracts::bare_call(acc(who), dest, 0, FUEL, data)
}

/// The deposit of one contract record in the mock.
const RECORD_DEPOSIT: Balance =
    STORAGE_DEPOSIT_PER_BYTE * ContractInfo::RECORD_BYTES as Balance + STORAGE_DEPOSIT_PER_ITEM;

/// The deposit the uploader of `code_hash` reserved.
fn upload_deposit(code_hash: &Hash) -> Balance {
    CodeInfoOf::get(code_hash).expect("uploaded").deposit
}

/// The fuel a frame of `code_hash` pays to load it (per byte and per function).
fn load_fee(code_hash: &Hash) -> u64 {
    let code = crate::PristineCode::get(code_hash).expect("stored code");
    crate::Schedule::DEFAULT.load_fuel(code.len() as u32, crate::wasm::defined_functions(&code))
}

fn reserved(who: &AccountId) -> Balance {
    Balances::reserved_balance(who)
}

fn u64_output(output: &[u8]) -> u64 {
    u64::decode(&mut &output[..]).expect("u64 output")
}

fn code_of(source: &str) -> Vec<u8> {
    wat(source)
}

fn upload_error(code: Vec<u8>) -> DispatchError {
    run(|| Contracts::bare_upload_code(acc(1), code).expect_err("refused"))
}
