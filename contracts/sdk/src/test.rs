//! The off-chain test environment: a contract's unit tests run with `cargo test` on the host,
//! against an in-memory chain that implements every host function of [`crate::sys`], as ink!'s
//! and CosmWasm's test environments do.
//!
//! Built only for the host (not `wasm32`), where [`crate::sys`] resolves to this module's host
//! functions instead of the `ghost` imports. Each test thread has its own environment, fresh
//! on first use and after [`reset`]; tests running in parallel never see each other's state.
//!
//! ```ignore
//! #[cfg(test)]
//! mod tests {
//!     use super::*;
//!     use ghost_contract_sdk::test::{self, Outcome};
//!
//!     #[test]
//!     fn increments() {
//!         test::reset();
//!         assert_eq!(test::deploy(__ghost_contract_deploy, &5u64), Outcome::Returned(vec![]));
//!         assert_eq!(test::call(__ghost_contract_call, "increment", &2u64), Outcome::ok(&7u64));
//!         assert_eq!(test::events().len(), 1);
//!     }
//! }
//! ```
//!
//! What it models like the chain does: debug messages ([`debug_messages`], collected as in a
//! dry run; a panic writes the wasm32 handler's text plus where it happened), storage (reverted with the frame on revert or trap),
//! caller, address, value (moved from the caller to the contract before the frame runs, and
//! back if it reverts), balances and transfers (refused below zero), block number and time,
//! events, names (resolve, commit, register, renew, approve, records, transfer, subnames with
//! ownership checks), blake3 and ed25519 (strict verification), reentrancy flags, and nested
//! calls to contracts registered with [`register_contract`] (a Rust function standing in for
//! the callee's code), and the lifecycle: `instantiate` of code registered with
//! [`register_code`] at the chain's [`contract_address`], `set_code_hash` ([`code_hash_of`]) and
//! `terminate` ([`terminated`]; balance to the beneficiary, storage gone at once; refused in
//! `deploy` and while re-entered, as on chain).
//!
//! What it does not: fuel (`fuel_left` is always [`FUEL`]), storage deposits, name prices and
//! expiry, the chain's name-syntax rules beyond "ends in `.ghost` or `.bc`", and commitment
//! ages (a registration needs a matching [`commit`](crate::names::commit) only when
//! [`require_commitments`] is on). Those are the runtime's, tested by the pallet and the
//! fixtures' end-to-end runs of the compiled contract.

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::RefCell;
use std::boxed::Box;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Once;

use parity_scale_codec::{DecodeAll, Encode};

use crate::call::MAX_OUTPUT;
use crate::names::{DnsRecord, NameResolution};
use crate::types::{AccountId, Balance, BlockNumber, Hash, Moment};

/// What `fuel_left` answers off-chain.
pub const FUEL: u64 = 1_000_000_000;

/// The default caller: `[1; 32]`.
pub const ALICE: AccountId = AccountId([1; 32]);
/// A second account: `[2; 32]`.
pub const BOB: AccountId = AccountId([2; 32]);
/// The default address of the contract under test: `[0xCC; 32]`.
pub const CONTRACT: AccountId = AccountId([0xCC; 32]);

/// How a frame ended.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Outcome {
    /// `return_data` without the revert flag: the output.
    Returned(Vec<u8>),
    /// `return_data` with the revert flag: the output; the frame's writes are undone.
    Reverted(Vec<u8>),
    /// A trap (a panic, `unreachable`, a failed host call the SDK treats as fatal); the frame's
    /// writes are undone.
    Trapped,
}

impl Outcome {
    /// `Returned(SCALE(value))`: what a handler returning `Ok(value)` ends with.
    pub fn ok<T: Encode + ?Sized>(value: &T) -> Outcome {
        Outcome::Returned(value.encode())
    }

    /// `Reverted(SCALE(error))`: what a handler returning `Err(error)` ends with.
    pub fn err<E: Encode + ?Sized>(error: &E) -> Outcome {
        Outcome::Reverted(error.encode())
    }
}

/// An event a frame emitted.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Event {
    /// The contract that emitted it.
    pub contract: AccountId,
    /// Its topics.
    pub topics: Vec<Hash>,
    /// Its data (SCALE).
    pub data: Vec<u8>,
}

/// A name in the in-memory registry.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Name {
    /// Its owner.
    pub owner: AccountId,
    /// Who else may manage it (`approve`).
    pub manager: Option<AccountId>,
    /// Its records.
    pub records: Vec<DnsRecord>,
    /// Registration and renewals so far (ms), summed.
    pub duration_ms: u64,
}

/// A contract the code under test can call: its address's stand-in code. It gets the call data
/// and the value, runs with this environment (storage of its own address), and ends as an
/// [`Outcome`].
pub type ContractFn = fn(&[u8], Balance) -> Outcome;

/// Uploaded code for `instantiate` and `set_code_hash` off-chain ([`register_code`]): the
/// stand-ins of its `deploy` and `call`.
#[derive(Clone, Copy)]
pub struct Code {
    /// Runs as the new contract's `deploy`.
    pub deploy: ContractFn,
    /// Runs for every later call of a contract with this code.
    pub call: ContractFn,
}

#[derive(Clone, Default)]
struct State {
    storage: BTreeMap<(AccountId, Vec<u8>), Vec<u8>>,
    balances: BTreeMap<AccountId, Balance>,
    events: Vec<Event>,
    names: BTreeMap<String, Name>,
    commitments: Vec<(AccountId, Hash)>,
    reentry: BTreeMap<AccountId, bool>,
    /// The code hash each contract runs (set by `instantiate` and `set_code_hash`).
    code_of: BTreeMap<AccountId, Hash>,
    /// Contracts that terminated, with their beneficiaries, in order.
    terminated: Vec<(AccountId, AccountId)>,
    contracts: BTreeMap<AccountId, ContractFn>,
}

struct Frame {
    caller: AccountId,
    address: AccountId,
    value: Balance,
    input: Vec<u8>,
    deploying: bool,
}

struct Env {
    state: State,
    frames: Vec<Frame>,
    caller: AccountId,
    address: AccountId,
    block_number: BlockNumber,
    timestamp: Moment,
    require_commitments: bool,
    codes: BTreeMap<Hash, Code>,
    /// `debug_message` output; `None` when collection is off (a transaction).
    debug: Option<String>,
}

impl Default for Env {
    fn default() -> Self {
        Env {
            state: State::default(),
            frames: Vec::new(),
            caller: ALICE,
            address: CONTRACT,
            block_number: 1,
            timestamp: 0,
            require_commitments: false,
            codes: BTreeMap::new(),
            debug: Some(String::new()),
        }
    }
}

std::thread_local! {
    static ENV: RefCell<Env> = RefCell::new(Env::default());
}

fn with<R>(f: impl FnOnce(&mut Env) -> R) -> R {
    ENV.with(|env| f(&mut env.borrow_mut()))
}

/// The payload `return_data` unwinds with off-chain, caught by [`run`].
struct FrameEnd {
    revert: bool,
    data: Vec<u8>,
}

/// Keeps the default panic message for real panics (a contract bug shows where it happened)
/// and silences the unwinds that only end a frame.
fn install_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if info.payload().downcast_ref::<FrameEnd>().is_none() {
                debug_panic(info);
                default(info);
            }
        }));
    });
}

/// What the wasm32 panic handler writes ([`crate::debug::PANIC_MESSAGE`]), with the location and
/// message it cannot afford, appended to the debug buffer; skipped if the panic happened while
/// the environment was borrowed.
fn debug_panic(info: &std::panic::PanicHookInfo<'_>) {
    let mut text = String::from(crate::debug::PANIC_MESSAGE);
    if let Some(location) = info.location() {
        text.push_str(&std::format!(
            " at {}:{}:{}",
            location.file(),
            location.line(),
            location.column()
        ));
    }
    if let Some(message) = info.payload().downcast_ref::<&str>() {
        text.push_str(": ");
        text.push_str(message);
    }
    let _ = ENV.try_with(|env| {
        if let Ok(mut env) = env.try_borrow_mut() {
            env.append_debug(text.as_bytes());
        }
    });
}

/// Most bytes of debug messages kept, as the chain's `max_debug_buffer_len`.
pub const DEBUG_BUFFER_LEN: usize = 16 * 1024;

impl Env {
    /// The chain's `debug_message`: appends what fits (cut at a character boundary).
    fn append_debug(&mut self, message: &[u8]) -> i32 {
        const DEBUG_BUFFER_FULL: i32 = 16;
        const LOGGING_DISABLED: i32 = 17;
        let Some(buffer) = self.debug.as_mut() else {
            return LOGGING_DISABLED;
        };
        // As on chain: at most the buffer's size is read, then what fits is kept.
        let kept = &message[..message.len().min(DEBUG_BUFFER_LEN)];
        let text = String::from_utf8_lossy(kept);
        let room = DEBUG_BUFFER_LEN.saturating_sub(buffer.len());
        if text.len() <= room && kept.len() == message.len() {
            buffer.push_str(&text);
            return 0;
        }
        let mut cut = room.min(text.len());
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        buffer.push_str(&text[..cut]);
        DEBUG_BUFFER_FULL
    }
}

// ---- set-up and inspection ------------------------------------------------------------------

/// What the frames wrote with `debug_message` since the last [`reset`] or
/// [`take_debug_messages`] (their panic locations and refused call data among it), as a dry run
/// shows it. Messages survive reverts and traps, as on chain.
pub fn debug_messages() -> String {
    with(|env| env.debug.clone().unwrap_or_default())
}

/// [`debug_messages`], emptying the buffer.
pub fn take_debug_messages() -> String {
    with(|env| env.debug.as_mut().map(core::mem::take).unwrap_or_default())
}

/// Whether `debug_message` collects (`true`, the default: a dry run) or drops the messages with
/// `LoggingDisabled` (`false`: a transaction).
pub fn collect_debug_messages(on: bool) {
    with(|env| env.debug = on.then(String::new));
}

/// A fresh environment: no storage, balances, events or names; caller [`ALICE`], contract
/// [`CONTRACT`], block 1 at time 0.
pub fn reset() {
    with(|env| *env = Env::default());
}

/// Who calls the next frame.
pub fn set_caller(caller: AccountId) {
    with(|env| env.caller = caller);
}

/// The address of the contract under test.
pub fn set_address(address: AccountId) {
    with(|env| env.address = address);
}

/// The block the next frames run in.
pub fn set_block(number: BlockNumber, timestamp_ms: Moment) {
    with(|env| {
        env.block_number = number;
        env.timestamp = timestamp_ms;
    });
}

/// Sets an account's free balance.
pub fn set_balance(account: &AccountId, balance: Balance) {
    with(|env| env.state.balances.insert(*account, balance));
}

/// An account's free balance.
pub fn balance_of(account: &AccountId) -> Balance {
    with(|env| env.state.balances.get(account).copied().unwrap_or(0))
}

/// The raw value at `key` of the contract under test.
pub fn storage(key: &[u8]) -> Option<Vec<u8>> {
    with(|env| {
        let at = (env.address, key.to_vec());
        env.state.storage.get(&at).cloned()
    })
}

/// The events emitted so far (by frames that did not revert), in order.
pub fn events() -> Vec<Event> {
    with(|env| env.state.events.clone())
}

/// Lets `manager` manage `name` (as `Domains.approve` by its owner would), or nobody.
pub fn approve_name(name: &str, manager: Option<AccountId>) {
    with(|env| {
        if let Some(entry) = env.state.names.get_mut(name) {
            entry.manager = manager;
        }
    });
}

/// Puts a name in the registry (as if registered outside the contract).
pub fn set_name(name: &str, owner: AccountId, records: Vec<DnsRecord>) {
    with(|env| {
        env.state.names.insert(
            String::from(name),
            Name {
                owner,
                manager: None,
                records,
                duration_ms: 0,
            },
        )
    });
}

/// A name as the registry holds it.
pub fn name(name: &str) -> Option<Name> {
    with(|env| env.state.names.get(name).cloned())
}

/// Whether `name_register` needs a matching earlier `name_commit` (off by default, as on the
/// dev chain).
pub fn require_commitments(on: bool) {
    with(|env| env.require_commitments = on);
}

/// Uploads `code` as `code_hash`, for `instantiate` and `set_code_hash`.
pub fn register_code(code_hash: Hash, code: Code) {
    with(|env| env.codes.insert(code_hash, code));
}

/// The code hash `address` runs, if it was instantiated or upgraded in this environment.
pub fn code_hash_of(address: &AccountId) -> Option<Hash> {
    with(|env| env.state.code_of.get(address).copied())
}

/// The contracts that terminated so far (by frames that did not revert), with the
/// beneficiary of each.
pub fn terminated() -> Vec<(AccountId, AccountId)> {
    with(|env| env.state.terminated.clone())
}

/// The address `deployer` instantiates `code_hash` at with `salt`, as on chain:
/// `blake3(deployer ++ code_hash ++ salt)`.
pub fn contract_address(deployer: &AccountId, code_hash: &Hash, salt: &[u8]) -> AccountId {
    let mut hasher = ::blake3::Hasher::new();
    hasher.update(&deployer.0);
    hasher.update(code_hash);
    hasher.update(salt);
    AccountId(*hasher.finalize().as_bytes())
}

/// Makes `address` a contract whose code is `code`, for nested calls.
pub fn register_contract(address: AccountId, code: ContractFn) {
    with(|env| env.state.contracts.insert(address, code));
}

// ---- running frames -------------------------------------------------------------------------

/// Runs `entry` (the contract's `__ghost_contract_deploy` or `__ghost_contract_call`) as a
/// top-level frame with `input` as call data, from the caller set with [`set_caller`], moving
/// `value` to the contract first. Storage, balances, names and events are rolled back if it
/// reverts or traps.
pub fn run(entry: fn(), input: Vec<u8>, value: Balance) -> Outcome {
    run_entry(entry, input, value, false)
}

fn run_entry(entry: fn(), input: Vec<u8>, value: Balance, deploying: bool) -> Outcome {
    let (caller, address) = with(|env| (env.caller, env.address));
    // An entry point that returns without `return_data` succeeds with no output, as on chain.
    frame(caller, address, value, input, deploying, || {
        entry();
        Outcome::Returned(Vec::new())
    })
}

/// Runs `deploy` with `SCALE(args)`.
pub fn deploy<A: Encode + ?Sized>(entry: fn(), args: &A) -> Outcome {
    run_entry(entry, args.encode(), 0, true)
}

/// Calls `method` with `SCALE(args)` (a tuple for several arguments, `&()` for none).
pub fn call<A: Encode + ?Sized>(entry: fn(), method: &str, args: &A) -> Outcome {
    run(entry, call_data(method, args), 0)
}

/// Calls `method` with `SCALE(args)`, moving `value` to the contract.
pub fn call_with_value<A: Encode + ?Sized>(
    entry: fn(),
    method: &str,
    args: &A,
    value: Balance,
) -> Outcome {
    run(entry, call_data(method, args), value)
}

/// `selector(method) ++ SCALE(args)`.
pub fn call_data<A: Encode + ?Sized>(method: &str, args: &A) -> Vec<u8> {
    let mut data = Vec::from(crate::selector(method));
    args.encode_to(&mut data);
    data
}

fn frame(
    caller: AccountId,
    address: AccountId,
    value: Balance,
    input: Vec<u8>,
    deploying: bool,
    body: impl FnOnce() -> Outcome,
) -> Outcome {
    install_hook();
    let snapshot = with(|env| env.state.clone());
    if value > 0 && !with(|env| move_balance(&mut env.state, &caller, &address, value)) {
        return Outcome::Trapped;
    }
    with(|env| {
        env.frames.push(Frame {
            caller,
            address,
            value,
            input,
            deploying,
        })
    });
    let outcome = match catch_unwind(AssertUnwindSafe(body)) {
        Ok(outcome) => outcome,
        Err(payload) => match payload.downcast::<FrameEnd>() {
            Ok(end) if end.revert => Outcome::Reverted(end.data),
            Ok(end) => Outcome::Returned(end.data),
            Err(_) => Outcome::Trapped,
        },
    };
    with(|env| {
        env.frames.pop();
        if !matches!(outcome, Outcome::Returned(_)) {
            env.state = snapshot;
        }
    });
    outcome
}

fn move_balance(state: &mut State, from: &AccountId, to: &AccountId, value: Balance) -> bool {
    let from_balance = state.balances.get(from).copied().unwrap_or(0);
    let Some(left) = from_balance.checked_sub(value) else {
        return false;
    };
    let to_balance = state.balances.get(to).copied().unwrap_or(0);
    let Some(credited) = to_balance.checked_add(value) else {
        return false;
    };
    state.balances.insert(*from, left);
    state.balances.insert(*to, credited);
    true
}

/// The running frame's caller, address, value and input (outside [`run`]: the configured
/// caller and address, no value, no input — for handlers called directly).
fn current<R>(f: impl FnOnce(&Frame) -> R) -> R {
    with(|env| match env.frames.last() {
        Some(frame) => f(frame),
        None => f(&Frame {
            caller: env.caller,
            address: env.address,
            value: 0,
            input: Vec::new(),
            deploying: false,
        }),
    })
}

/// The host functions, with the signatures of the `ghost` imports ([`crate::sys`] re-exports
/// them off-chain).
pub mod host {
    use super::*;

    const OK: i32 = 0;
    const CALLEE_TRAPPED: i32 = 1;
    const CALLEE_REVERTED: i32 = 2;
    const KEY_NOT_FOUND: i32 = 3;
    const TRANSFER_FAILED: i32 = 4;
    const BUFFER_TOO_SMALL: i32 = 5;
    const NOT_A_CONTRACT: i32 = 6;
    const REENTRANCE_DENIED: i32 = 7;
    const NAME_NOT_FOUND: i32 = 11;
    const NOT_NAME_OWNER: i32 = 12;
    const INVALID_NAME: i32 = 13;
    const NAME_OPERATION_FAILED: i32 = 14;
    const INVALID_SIGNATURE: i32 = 15;
    const TERMINATE_WHILE_REENTERED: i32 = 18;
    const TERMINATE_IN_DEPLOY: i32 = 19;
    const CODE_NOT_FOUND: i32 = 20;
    const DUPLICATE_CONTRACT: i32 = 21;

    /// # Safety
    /// `ptr` must be valid for reads of `len` bytes.
    unsafe fn bytes<'a>(ptr: *const u8, len: u32) -> &'a [u8] {
        if len == 0 {
            return &[];
        }
        // SAFETY: the caller's contract.
        unsafe { core::slice::from_raw_parts(ptr, len as usize) }
    }

    /// # Safety
    /// `ptr` must be valid for reads of 32 bytes.
    unsafe fn account(ptr: *const u8) -> AccountId {
        // SAFETY: the caller's contract.
        AccountId(unsafe { *(ptr as *const [u8; 32]) })
    }

    /// Writes `data` to an output buffer, or asks for a larger one.
    ///
    /// # Safety
    /// `out` must be valid for writes of `*out_len` bytes, `out_len` for a `u32`.
    unsafe fn write_output(data: &[u8], out: *mut u8, out_len: *mut u32) -> i32 {
        // SAFETY: the caller's contract.
        unsafe {
            if data.len() > *out_len as usize {
                *out_len = data.len() as u32;
                return BUFFER_TOO_SMALL;
            }
            core::ptr::copy_nonoverlapping(data.as_ptr(), out, data.len());
            *out_len = data.len() as u32;
        }
        OK
    }

    /// # Safety
    /// `ptr` must be valid for reads of `len` bytes.
    unsafe fn name_arg(ptr: *const u8, len: u32) -> Option<String> {
        // SAFETY: the caller's contract.
        let name = core::str::from_utf8(unsafe { bytes(ptr, len) }).ok()?;
        let valid = !name.is_empty()
            && (name.ends_with(".ghost") || name.ends_with(".bc"))
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.');
        valid.then(|| String::from(name))
    }

    /// Whether `who` may manage `name`: its owner or its approved manager.
    fn manages(name: &Name, who: &AccountId) -> bool {
        name.owner == *who || name.manager == Some(*who)
    }

    /// `input`.
    ///
    /// # Safety
    /// As the `ghost` import: `out` valid for `*out_len` bytes.
    pub unsafe fn input(out: *mut u8, out_len: *mut u32) -> i32 {
        let data = current(|frame| frame.input.clone());
        // SAFETY: the caller's contract.
        unsafe { write_output(&data, out, out_len) }
    }

    /// `return_data`: ends the frame (off-chain: unwinds to [`run`]).
    ///
    /// # Safety
    /// `data` valid for `len` bytes.
    pub unsafe fn return_data(flags: u32, data: *const u8, len: u32) {
        // SAFETY: the caller's contract.
        let data = unsafe { bytes(data, len) }.to_vec();
        std::panic::panic_any(FrameEnd {
            revert: flags & 1 == 1,
            data,
        })
    }

    /// `storage_get`.
    ///
    /// # Safety
    /// As the `ghost` import.
    pub unsafe fn storage_get(
        key: *const u8,
        key_len: u32,
        out: *mut u8,
        out_len: *mut u32,
    ) -> i32 {
        // SAFETY: the caller's contract.
        let key = unsafe { bytes(key, key_len) }.to_vec();
        let address = current(|frame| frame.address);
        match with(|env| env.state.storage.get(&(address, key)).cloned()) {
            // SAFETY: the caller's contract.
            Some(value) => unsafe { write_output(&value, out, out_len) },
            None => KEY_NOT_FOUND,
        }
    }

    /// `storage_set`.
    ///
    /// # Safety
    /// As the `ghost` import.
    pub unsafe fn storage_set(key: *const u8, key_len: u32, val: *const u8, val_len: u32) -> i32 {
        // SAFETY: the caller's contract.
        let (key, value) = unsafe { (bytes(key, key_len).to_vec(), bytes(val, val_len).to_vec()) };
        let address = current(|frame| frame.address);
        with(|env| env.state.storage.insert((address, key), value));
        OK
    }

    /// `storage_remove`.
    ///
    /// # Safety
    /// As the `ghost` import.
    pub unsafe fn storage_remove(key: *const u8, key_len: u32) -> i32 {
        // SAFETY: the caller's contract.
        let key = unsafe { bytes(key, key_len) }.to_vec();
        let address = current(|frame| frame.address);
        match with(|env| env.state.storage.remove(&(address, key))) {
            Some(_) => OK,
            None => KEY_NOT_FOUND,
        }
    }

    /// `caller`.
    ///
    /// # Safety
    /// `out` valid for 32 bytes.
    pub unsafe fn caller(out: *mut u8) {
        let caller = current(|frame| frame.caller);
        // SAFETY: the caller's contract.
        unsafe { core::ptr::copy_nonoverlapping(caller.0.as_ptr(), out, 32) }
    }

    /// `address`.
    ///
    /// # Safety
    /// `out` valid for 32 bytes.
    pub unsafe fn address(out: *mut u8) {
        let address = current(|frame| frame.address);
        // SAFETY: the caller's contract.
        unsafe { core::ptr::copy_nonoverlapping(address.0.as_ptr(), out, 32) }
    }

    /// `value_transferred`.
    ///
    /// # Safety
    /// `out` valid for 16 bytes.
    pub unsafe fn value_transferred(out: *mut u8) {
        let value = current(|frame| frame.value).to_le_bytes();
        // SAFETY: the caller's contract.
        unsafe { core::ptr::copy_nonoverlapping(value.as_ptr(), out, 16) }
    }

    /// `balance`.
    ///
    /// # Safety
    /// `out` valid for 16 bytes.
    pub unsafe fn balance(out: *mut u8) {
        let address = current(|frame| frame.address);
        let value = balance_of(&address).to_le_bytes();
        // SAFETY: the caller's contract.
        unsafe { core::ptr::copy_nonoverlapping(value.as_ptr(), out, 16) }
    }

    /// `transfer`.
    ///
    /// # Safety
    /// `dest` valid for 32 bytes, `value` for 16.
    pub unsafe fn transfer(dest: *const u8, value: *const u8) -> i32 {
        // SAFETY: the caller's contract.
        let (dest, value) = unsafe {
            (
                account(dest),
                u128::from_le_bytes(*(value as *const [u8; 16])),
            )
        };
        let from = current(|frame| frame.address);
        if with(|env| move_balance(&mut env.state, &from, &dest, value)) {
            OK
        } else {
            TRANSFER_FAILED
        }
    }

    /// `block_number`.
    ///
    /// # Safety
    /// None needed; `unsafe` as the import is.
    pub unsafe fn block_number() -> i64 {
        with(|env| env.block_number as i64)
    }

    /// `block_timestamp`.
    ///
    /// # Safety
    /// None needed; `unsafe` as the import is.
    pub unsafe fn block_timestamp() -> i64 {
        with(|env| env.timestamp as i64)
    }

    /// `emit_event`.
    ///
    /// # Safety
    /// As the `ghost` import.
    pub unsafe fn emit_event(topics: *const u8, topics_len: u32, data: *const u8, data_len: u32) {
        // SAFETY: the caller's contract.
        let (topics, data) = unsafe { (bytes(topics, topics_len), bytes(data, data_len).to_vec()) };
        if topics.len() % 32 != 0 || topics.len() / 32 > crate::event::MAX_TOPICS {
            crate::env::trap();
        }
        let topics = topics
            .chunks_exact(32)
            .map(|t| t.try_into().expect("32-byte chunk"))
            .collect();
        let contract = current(|frame| frame.address);
        with(|env| {
            env.state.events.push(Event {
                contract,
                topics,
                data,
            })
        });
    }

    /// `call`: runs the callee registered with [`register_contract`] as a nested frame.
    ///
    /// # Safety
    /// As the `ghost` import.
    pub unsafe fn call(
        dest: *const u8,
        value: *const u8,
        _fuel: i64,
        input: *const u8,
        input_len: u32,
        out: *mut u8,
        out_len: *mut u32,
    ) -> i32 {
        // SAFETY: the caller's contract.
        let (dest, value, input) = unsafe {
            (
                account(dest),
                u128::from_le_bytes(*(value as *const [u8; 16])),
                bytes(input, input_len).to_vec(),
            )
        };
        let Some(code) = with(|env| env.state.contracts.get(&dest).copied()) else {
            return NOT_A_CONTRACT;
        };
        let (me, on_stack, allows) = with(|env| {
            (
                env.frames.last().map_or(env.address, |f| f.address),
                env.frames.iter().any(|f| f.address == dest),
                env.state.reentry.get(&dest).copied().unwrap_or(false),
            )
        });
        if on_stack && !allows {
            return REENTRANCE_DENIED;
        }
        let outcome = frame(me, dest, value, input.clone(), false, || {
            code(&input, value)
        });
        let (code, data) = match outcome {
            Outcome::Returned(data) => (OK, data),
            Outcome::Reverted(data) => (CALLEE_REVERTED, data),
            Outcome::Trapped => (CALLEE_TRAPPED, Vec::new()),
        };
        let data = &data[..data.len().min(MAX_OUTPUT)];
        // SAFETY: the caller's contract; the SDK always gives a MAX_OUTPUT buffer.
        unsafe {
            let len = data.len().min(*out_len as usize);
            core::ptr::copy_nonoverlapping(data.as_ptr(), out, len);
            *out_len = len as u32;
        }
        code
    }

    /// `instantiate`: runs the registered code's `deploy` ([`register_code`]) at
    /// [`contract_address`]; on success the address becomes a contract with the code's `call`.
    ///
    /// # Safety
    /// As the `ghost` import.
    #[allow(clippy::too_many_arguments)]
    pub unsafe fn instantiate(
        code_hash: *const u8,
        value: *const u8,
        _fuel: i64,
        input: *const u8,
        input_len: u32,
        salt: *const u8,
        salt_len: u32,
        address_out: *mut u8,
        out: *mut u8,
        out_len: *mut u32,
    ) -> i32 {
        // SAFETY: the caller's contract.
        let (code_hash, value, input, salt) = unsafe {
            (
                *(code_hash as *const [u8; 32]),
                u128::from_le_bytes(*(value as *const [u8; 16])),
                bytes(input, input_len).to_vec(),
                bytes(salt, salt_len).to_vec(),
            )
        };
        let Some(code) = with(|env| env.codes.get(&code_hash).copied()) else {
            // SAFETY: the caller's contract.
            unsafe { *out_len = 0 };
            return CODE_NOT_FOUND;
        };
        let me = current(|frame| frame.address);
        let address = contract_address(&me, &code_hash, &salt);
        let taken = with(|env| {
            env.state.contracts.contains_key(&address) || env.state.code_of.contains_key(&address)
        });
        if taken {
            // SAFETY: the caller's contract.
            unsafe { *out_len = 0 };
            return DUPLICATE_CONTRACT;
        }
        let outcome = frame(me, address, value, input.clone(), true, || {
            with(|env| {
                env.state.contracts.insert(address, code.call);
                env.state.code_of.insert(address, code_hash);
            });
            (code.deploy)(&input, value)
        });
        let (result, data) = match outcome {
            Outcome::Returned(data) => (OK, data),
            Outcome::Reverted(data) => (CALLEE_REVERTED, data),
            Outcome::Trapped => (CALLEE_TRAPPED, Vec::new()),
        };
        // SAFETY: the caller's contract: 32 bytes of address, `*out_len` of output.
        unsafe {
            if result == OK {
                core::ptr::copy_nonoverlapping(address.0.as_ptr(), address_out, 32);
            }
            let len = data.len().min(*out_len as usize);
            core::ptr::copy_nonoverlapping(data.as_ptr(), out, len);
            *out_len = len as u32;
        }
        result
    }

    /// `terminate`: refused in `deploy` and while re-entered; else moves the balance, removes
    /// the storage, the code and the contract, and ends the frame.
    ///
    /// # Safety
    /// `beneficiary` valid for 32 bytes.
    pub unsafe fn terminate(beneficiary: *const u8) -> i32 {
        // SAFETY: the caller's contract.
        let beneficiary = unsafe { account(beneficiary) };
        let (me, deploying) = current(|frame| (frame.address, frame.deploying));
        if deploying {
            return TERMINATE_IN_DEPLOY;
        }
        let entered = with(|env| env.frames.iter().filter(|f| f.address == me).count());
        if entered > 1 {
            return TERMINATE_WHILE_REENTERED;
        }
        if beneficiary == me {
            return TRANSFER_FAILED;
        }
        with(|env| {
            let state = &mut env.state;
            let balance = state.balances.remove(&me).unwrap_or(0);
            let credited = state.balances.get(&beneficiary).copied().unwrap_or(0);
            state
                .balances
                .insert(beneficiary, credited.saturating_add(balance));
            state.storage.retain(|(owner, _), _| *owner != me);
            state.contracts.remove(&me);
            state.code_of.remove(&me);
            state.reentry.remove(&me);
            state.terminated.push((me, beneficiary));
        });
        std::panic::panic_any(FrameEnd {
            revert: false,
            data: Vec::new(),
        })
    }

    /// `set_code_hash`: the registered code ([`register_code`]) becomes this contract's.
    ///
    /// # Safety
    /// `code_hash` valid for 32 bytes.
    pub unsafe fn set_code_hash(code_hash: *const u8) -> i32 {
        // SAFETY: the caller's contract.
        let code_hash = unsafe { *(code_hash as *const [u8; 32]) };
        let Some(code) = with(|env| env.codes.get(&code_hash).copied()) else {
            return CODE_NOT_FOUND;
        };
        let me = current(|frame| frame.address);
        with(|env| {
            env.state.code_of.insert(me, code_hash);
            // Only contracts reached by nested calls run registered code; the contract under
            // test keeps running its own entry points (check `code_hash_of`).
            if env.state.contracts.contains_key(&me) {
                env.state.contracts.insert(me, code.call);
            }
        });
        OK
    }

    /// `allow_reentry`.
    ///
    /// # Safety
    /// None needed; `unsafe` as the import is.
    pub unsafe fn allow_reentry(allow: i32) {
        let address = current(|frame| frame.address);
        with(|env| env.state.reentry.insert(address, allow != 0));
    }

    /// `blake3`.
    ///
    /// # Safety
    /// As the `ghost` import.
    pub unsafe fn blake3(input: *const u8, len: u32, out: *mut u8) {
        // SAFETY: the caller's contract.
        let hash = ::blake3::hash(unsafe { bytes(input, len) });
        // SAFETY: the caller's contract.
        unsafe { core::ptr::copy_nonoverlapping(hash.as_bytes().as_ptr(), out, 32) }
    }

    /// `ed25519_verify` (strict: canonical encodings, no small-order keys).
    ///
    /// # Safety
    /// As the `ghost` import.
    pub unsafe fn ed25519_verify(
        sig: *const u8,
        key: *const u8,
        msg: *const u8,
        msg_len: u32,
    ) -> i32 {
        // SAFETY: the caller's contract.
        let (sig, key, msg) = unsafe {
            (
                *(sig as *const [u8; 64]),
                *(key as *const [u8; 32]),
                bytes(msg, msg_len),
            )
        };
        let Ok(key) = ed25519_dalek::VerifyingKey::from_bytes(&key) else {
            return INVALID_SIGNATURE;
        };
        let sig = ed25519_dalek::Signature::from_bytes(&sig);
        if key.verify_strict(msg, &sig).is_ok() {
            OK
        } else {
            INVALID_SIGNATURE
        }
    }

    /// `debug_message`: appends to [`debug_messages`](super::debug_messages), at most
    /// [`DEBUG_BUFFER_LEN`] bytes; `DebugBufferFull` when cut, `LoggingDisabled` when
    /// [`collect_debug_messages`](super::collect_debug_messages) is off.
    ///
    /// # Safety
    /// `ptr` must be valid for reads of `len` bytes.
    pub unsafe fn debug_message(ptr: *const u8, len: u32) -> i32 {
        // SAFETY: the caller's contract.
        let message = unsafe { bytes(ptr, len) };
        with(|env| env.append_debug(message))
    }

    /// `fuel_left`: always [`FUEL`].
    ///
    /// # Safety
    /// None needed; `unsafe` as the import is.
    pub unsafe fn fuel_left() -> i64 {
        FUEL as i64
    }

    /// `name_resolve`.
    ///
    /// # Safety
    /// As the `ghost` import.
    pub unsafe fn name_resolve(name: *const u8, len: u32, out: *mut u8, out_len: *mut u32) -> i32 {
        // SAFETY: the caller's contract.
        let Some(name) = (unsafe { name_arg(name, len) }) else {
            return INVALID_NAME;
        };
        match with(|env| env.state.names.get(&name).cloned()) {
            Some(entry) => {
                let resolution = NameResolution {
                    owner: entry.owner,
                    records: entry.records,
                };
                // SAFETY: the caller's contract.
                unsafe { write_output(&resolution.encode(), out, out_len) }
            }
            None => NAME_NOT_FOUND,
        }
    }

    /// `name_commit`.
    ///
    /// # Safety
    /// `commitment` valid for 32 bytes.
    pub unsafe fn name_commit(commitment: *const u8) -> i32 {
        // SAFETY: the caller's contract.
        let commitment = unsafe { *(commitment as *const [u8; 32]) };
        let address = current(|frame| frame.address);
        with(|env| env.state.commitments.push((address, commitment)));
        OK
    }

    /// `name_register`: for this contract; taken names are refused.
    ///
    /// # Safety
    /// As the `ghost` import.
    pub unsafe fn name_register(
        name: *const u8,
        len: u32,
        duration_ms: i64,
        secret: *const u8,
    ) -> i32 {
        // SAFETY: the caller's contract.
        let (name, secret) = unsafe { (name_arg(name, len), *(secret as *const [u8; 32])) };
        let Some(name) = name else {
            return INVALID_NAME;
        };
        let owner = current(|frame| frame.address);
        let duration_ms = duration_ms as u64;
        let expected = crate::names::commitment(&name, &owner, &secret, duration_ms);
        with(|env| {
            if env.state.names.contains_key(&name) {
                return NAME_OPERATION_FAILED;
            }
            let committed = env
                .state
                .commitments
                .iter()
                .position(|(who, c)| *who == owner && *c == expected);
            match committed {
                Some(at) => {
                    env.state.commitments.remove(at);
                }
                None if env.require_commitments => return NAME_OPERATION_FAILED,
                None => {}
            }
            env.state.names.insert(
                name,
                Name {
                    owner,
                    manager: None,
                    records: Vec::new(),
                    duration_ms,
                },
            );
            OK
        })
    }

    /// Applies `change` to `name` if the running contract manages it.
    fn managed(name: Option<String>, change: impl FnOnce(&mut Name, AccountId) -> i32) -> i32 {
        let Some(name) = name else {
            return INVALID_NAME;
        };
        let me = current(|frame| frame.address);
        with(|env| match env.state.names.get_mut(&name) {
            None => NAME_NOT_FOUND,
            Some(entry) if !manages(entry, &me) => NOT_NAME_OWNER,
            Some(entry) => change(entry, me),
        })
    }

    /// `name_renew`.
    ///
    /// # Safety
    /// As the `ghost` import.
    pub unsafe fn name_renew(name: *const u8, len: u32, duration_ms: i64) -> i32 {
        // SAFETY: the caller's contract.
        let name = unsafe { name_arg(name, len) };
        managed(name, |entry, _| {
            entry.duration_ms = entry.duration_ms.saturating_add(duration_ms as u64);
            OK
        })
    }

    /// `name_approve`: only the owner may.
    ///
    /// # Safety
    /// As the `ghost` import.
    pub unsafe fn name_approve(
        name: *const u8,
        len: u32,
        account_ptr: *const u8,
        approve: i32,
    ) -> i32 {
        // SAFETY: the caller's contract.
        let (name, manager) = unsafe { (name_arg(name, len), account(account_ptr)) };
        managed(name, |entry, me| {
            if entry.owner != me {
                return NOT_NAME_OWNER;
            }
            entry.manager = (approve != 0).then_some(manager);
            OK
        })
    }

    /// `name_set_records`.
    ///
    /// # Safety
    /// As the `ghost` import.
    pub unsafe fn name_set_records(
        name: *const u8,
        len: u32,
        records: *const u8,
        records_len: u32,
    ) -> i32 {
        // SAFETY: the caller's contract.
        let (name, raw) = unsafe { (name_arg(name, len), bytes(records, records_len)) };
        let Ok(records) = Vec::<DnsRecord>::decode_all(&mut &raw[..]) else {
            return INVALID_NAME;
        };
        managed(name, |entry, _| {
            entry.records = records;
            OK
        })
    }

    /// `name_transfer`: the owner or its approved manager may; the approval ends.
    ///
    /// # Safety
    /// As the `ghost` import.
    pub unsafe fn name_transfer(name: *const u8, len: u32, to: *const u8) -> i32 {
        // SAFETY: the caller's contract.
        let (name, to) = unsafe { (name_arg(name, len), account(to)) };
        managed(name, |entry, _| {
            entry.owner = to;
            entry.manager = None;
            OK
        })
    }

    /// `name_set_subname_owner`: creates or reassigns `label.parent`.
    ///
    /// # Safety
    /// As the `ghost` import.
    pub unsafe fn name_set_subname_owner(
        parent: *const u8,
        parent_len: u32,
        label: *const u8,
        label_len: u32,
        owner: *const u8,
        _lock: i32,
    ) -> i32 {
        // SAFETY: the caller's contract.
        let (parent, label, owner) = unsafe {
            (
                name_arg(parent, parent_len),
                bytes(label, label_len),
                account(owner),
            )
        };
        let Some(parent) = parent else {
            return INVALID_NAME;
        };
        let valid_label = !label.is_empty()
            && label
                .iter()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-');
        if !valid_label {
            return INVALID_NAME;
        }
        let Ok(label) = core::str::from_utf8(label) else {
            return INVALID_NAME;
        };
        let full = alloc::format!("{label}.{parent}");
        let result = managed(Some(parent), |_, _| OK);
        if result != OK {
            return result;
        }
        with(|env| {
            let entry = env.state.names.entry(full).or_insert(Name {
                owner,
                manager: None,
                records: Vec::new(),
                duration_ms: 0,
            });
            entry.owner = owner;
        });
        OK
    }
}
