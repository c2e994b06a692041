//! Host functions: what a contract can ask of the chain, imported from module `ghost`.
//!
//! Every host function first charges fuel ([`HostFnCosts`]: a base price plus per byte and per
//! state access), then checks each pointer and length against the contract's linear memory
//! before touching it. A contract bug (a pointer outside memory, an oversized key or event)
//! traps with a [`HostTrap`]; a condition the contract may want to handle (a missing key, a
//! failed transfer, a callee that reverted) is an `i32` [`ReturnCode`].
//!
//! Pointers and lengths are `i32` on the WASM side and read as unsigned 32-bit offsets.
//! Accounts are 32 bytes, balances 16 bytes little-endian (`u128`), hashes and topics 32
//! bytes. Variable-size outputs use an *output buffer*: `out_ptr` and `out_len_ptr`, where the
//! `u32` at `out_len_ptr` holds the buffer's capacity on entry and the data's length on exit.
//!
//! The chain side lives behind the object-safe [`Host`] trait (implemented by the pallet for its
//! `Config`), so the linker and store data here are not generic and the linker is built once per
//! thread.

use ghost_primitives::{AccountId, Balance, DnsRecord, DomainName, Hash, Signature};
use parity_scale_codec::{Decode, DecodeAll, Encode};
use wasmi::{Caller, Linker, Memory, StoreLimits};
use wasmparser::ValType;

use super::executor::ExecError;
use crate::types::{
    ExecReturn, HostFnCosts, NameResolution, NamesError, ReturnCode, ReturnFlags, Schedule,
};

/// The module every import must come from.
pub const HOST_MODULE: &str = "ghost";

/// The name and signature of one host function.
#[derive(Clone, Copy, Debug)]
pub struct HostFnSig {
    /// Its import name.
    pub name: &'static str,
    /// Parameter types.
    pub params: &'static [ValType],
    /// Result types.
    pub results: &'static [ValType],
}

const I32: ValType = ValType::I32;
const I64: ValType = ValType::I64;

const fn sig(
    name: &'static str,
    params: &'static [ValType],
    results: &'static [ValType],
) -> HostFnSig {
    HostFnSig {
        name,
        params,
        results,
    }
}

/// Every host function with its signature; uploads may import only these.
pub const HOST_FUNCTIONS: &[HostFnSig] = &[
    sig("input", &[I32, I32], &[I32]),
    sig("return_data", &[I32, I32, I32], &[]),
    sig("storage_get", &[I32, I32, I32, I32], &[I32]),
    sig("storage_set", &[I32, I32, I32, I32], &[I32]),
    sig("storage_remove", &[I32, I32], &[I32]),
    sig("caller", &[I32], &[]),
    sig("address", &[I32], &[]),
    sig("value_transferred", &[I32], &[]),
    sig("balance", &[I32], &[]),
    sig("transfer", &[I32, I32], &[I32]),
    sig("block_number", &[], &[I64]),
    sig("block_timestamp", &[], &[I64]),
    sig("emit_event", &[I32, I32, I32, I32], &[]),
    sig("call", &[I32, I32, I64, I32, I32, I32, I32], &[I32]),
    sig("allow_reentry", &[I32], &[]),
    sig("blake3", &[I32, I32, I32], &[]),
    sig("ed25519_verify", &[I32, I32, I32, I32], &[I32]),
    sig("fuel_left", &[], &[I64]),
    sig("debug_message", &[I32, I32], &[I32]),
    sig("name_resolve", &[I32, I32, I32, I32], &[I32]),
    sig("name_commit", &[I32], &[I32]),
    sig("name_register", &[I32, I32, I64, I32], &[I32]),
    sig("name_renew", &[I32, I32, I64], &[I32]),
    sig("name_approve", &[I32, I32, I32, I32], &[I32]),
    sig("name_set_records", &[I32, I32, I32, I32], &[I32]),
    sig("name_transfer", &[I32, I32, I32], &[I32]),
    sig(
        "name_set_subname_owner",
        &[I32, I32, I32, I32, I32, I32],
        &[I32],
    ),
    sig(
        "instantiate",
        &[I32, I32, I64, I32, I32, I32, I32, I32, I32, I32],
        &[I32],
    ),
    sig("terminate", &[I32], &[I32]),
    sig("set_code_hash", &[I32], &[I32]),
];

/// Why a host function stopped the contract. [`HostTrap::Return`] is the normal end of
/// `return_data`; every other variant is a contract bug and reverts the frame.
#[derive(Clone, Copy, PartialEq, Eq, Debug, thiserror::Error)]
pub enum HostTrap {
    /// `return_data` was called: not an error, it ends the frame.
    #[error("contract returned")]
    Return,
    /// The frame's fuel cannot pay for the host function.
    #[error("out of fuel")]
    OutOfFuel,
    /// A pointer and length reach outside linear memory.
    #[error("pointer or length outside linear memory")]
    MemoryOutOfBounds,
    /// The contract has no exported memory (refused at upload; kept for safety).
    #[error("contract has no memory")]
    NoMemory,
    /// A storage key longer than the limit.
    #[error("storage key too long")]
    KeyTooLong,
    /// A storage value longer than the limit.
    #[error("storage value too large")]
    ValueTooLarge,
    /// More event topics than the limit, or a topics length that is not a multiple of 32.
    #[error("too many or misaligned event topics")]
    BadTopics,
    /// Event data longer than the limit.
    #[error("event data too large")]
    EventDataTooLarge,
    /// Call input or return data longer than the limit.
    #[error("input or output too large")]
    IoTooLarge,
    /// `return_data` with reserved flag bits set.
    #[error("invalid return flags")]
    InvalidFlags,
    /// An `instantiate` salt longer than the schedule's `max_salt_len`.
    #[error("salt too long")]
    SaltTooLong,
}

impl wasmi::errors::HostError for HostTrap {}

/// A nested call a contract asks for with the `call` host function.
#[derive(Clone, Debug)]
pub struct CallRequest {
    /// The calling contract.
    pub caller: AccountId,
    /// The callee.
    pub dest: AccountId,
    /// Value moved from caller to callee before the callee runs.
    pub value: Balance,
    /// Fuel the callee may burn.
    pub fuel: u64,
    /// The callee's input.
    pub input: Vec<u8>,
    /// Contracts on the stack, outermost first, the caller last.
    pub stack: Vec<AccountId>,
}

/// A contract a contract instantiates with the `instantiate` host function.
#[derive(Clone, Debug)]
pub struct InstantiateRequest {
    /// The deploying contract (the new contract's deployer and caller of its `deploy`).
    pub deployer: AccountId,
    /// The code to instantiate.
    pub code_hash: Hash,
    /// Value moved from the deployer to the new contract before `deploy` runs.
    pub value: Balance,
    /// Fuel `deploy` may burn.
    pub fuel: u64,
    /// `deploy`'s input.
    pub input: Vec<u8>,
    /// The salt of the address.
    pub salt: Vec<u8>,
    /// Contracts on the stack, outermost first, the deployer last.
    pub stack: Vec<AccountId>,
}

/// How a nested call ended.
#[derive(Clone, Debug)]
pub struct CallOutcome {
    /// The callee's result.
    pub result: Result<ExecReturn, ExecError>,
    /// Fuel it burned (at most the fuel it was given).
    pub fuel_consumed: u64,
}

/// The chain as contracts see it, implemented by the pallet. Storage is the thread's current
/// externalities, so implementors hold no state references.
pub trait Host {
    /// The code blob `code_hash` (for a module-cache miss).
    fn code(&self, code_hash: &Hash) -> Option<Vec<u8>>;
    /// The value at `key` in `contract`'s storage.
    fn storage_get(&self, contract: &AccountId, key: &[u8]) -> Option<Vec<u8>>;
    /// Sets (`Some`) or removes (`None`) `key` in `contract`'s storage, adjusting its storage
    /// deposit. `Ok(true)` if the key had a value before.
    fn storage_set(
        &self,
        contract: &AccountId,
        key: &[u8],
        value: Option<&[u8]>,
    ) -> Result<bool, ReturnCode>;
    /// Free balance of `who`.
    fn balance(&self, who: &AccountId) -> Balance;
    /// Moves `value` of free balance.
    fn transfer(&self, from: &AccountId, to: &AccountId, value: Balance) -> Result<(), ReturnCode>;
    /// The block number.
    fn block_number(&self) -> u64;
    /// The block's timestamp (ms, from its header).
    fn block_timestamp(&self) -> u64;
    /// Deposits `ContractEmitted`.
    fn deposit_event(&self, contract: &AccountId, topics: Vec<Hash>, data: Vec<u8>);
    /// Runs a nested call, in its own storage transaction.
    fn call(&self, request: CallRequest) -> Result<CallOutcome, ReturnCode>;
    /// Instantiates a contract and runs its `deploy`, in its own storage transaction; returns
    /// the new address and how `deploy` ended (the contract exists only if it returned without
    /// reverting).
    fn instantiate(
        &self,
        request: InstantiateRequest,
    ) -> Result<(AccountId, CallOutcome), ReturnCode>;
    /// How many storage entries `contract` has (prices `terminate`).
    fn storage_items(&self, contract: &AccountId) -> u32;
    /// Removes `contract` (see `terminate` in `docs/WASM-LITE.md`): its balance to
    /// `beneficiary`, its deposits to the transaction's signer, its storage to the deletion
    /// queue. Nothing changes on an error.
    fn terminate(&self, contract: &AccountId, beneficiary: &AccountId) -> Result<(), ReturnCode>;
    /// Makes `contract` run `code_hash` from its next call on. Nothing changes on an error.
    fn set_code_hash(&self, contract: &AccountId, code_hash: &Hash) -> Result<(), ReturnCode>;
    /// Sets whether `contract` accepts reentrant calls.
    fn set_reentrant(&self, contract: &AccountId, allow: bool);
    /// Whether this run collects debug messages (a dry run).
    fn debug_enabled(&self) -> bool;
    /// Appends to the run's debug buffer ([`crate::debug::DebugBuffer::append`]);
    /// [`ReturnCode::LoggingDisabled`] when the run collects none.
    fn debug_message(&self, message: &[u8]) -> ReturnCode;
    /// See [`crate::NameProvider::resolve`].
    fn name_resolve(&self, name: &DomainName) -> Result<Option<NameResolution>, NamesError>;
    /// See [`crate::NameProvider::commit`].
    fn name_commit(&self, contract: &AccountId, commitment: Hash) -> Result<(), NamesError>;
    /// See [`crate::NameProvider::register`].
    fn name_register(
        &self,
        contract: &AccountId,
        name: &DomainName,
        duration_ms: u64,
        secret: Hash,
    ) -> Result<(), NamesError>;
    /// See [`crate::NameProvider::renew`].
    fn name_renew(
        &self,
        contract: &AccountId,
        name: &DomainName,
        duration_ms: u64,
    ) -> Result<(), NamesError>;
    /// See [`crate::NameProvider::approve`].
    fn name_approve(
        &self,
        contract: &AccountId,
        name: &DomainName,
        account: Option<AccountId>,
    ) -> Result<(), NamesError>;
    /// See [`crate::NameProvider::set_records`].
    fn name_set_records(
        &self,
        contract: &AccountId,
        name: &DomainName,
        records: Vec<DnsRecord>,
    ) -> Result<(), NamesError>;
    /// See [`crate::NameProvider::transfer`].
    fn name_transfer(
        &self,
        contract: &AccountId,
        name: &DomainName,
        to: &AccountId,
    ) -> Result<(), NamesError>;
    /// See [`crate::NameProvider::set_subname_owner`].
    fn name_set_subname_owner(
        &self,
        contract: &AccountId,
        parent: &DomainName,
        label: &str,
        owner: &AccountId,
        lock: bool,
    ) -> Result<(), NamesError>;
}

/// The data of one contract frame's wasmi store.
pub struct HostState {
    /// The chain.
    pub(crate) host: Box<dyn Host>,
    /// Prices and limits.
    pub(crate) schedule: Schedule,
    /// Who called this frame.
    pub(crate) caller: AccountId,
    /// This contract.
    pub(crate) address: AccountId,
    /// Value moved to this contract by the call.
    pub(crate) value: Balance,
    /// Call data.
    pub(crate) input: Vec<u8>,
    /// Contracts on the stack, outermost first, this one last.
    pub(crate) stack: Vec<AccountId>,
    /// Which export this frame runs.
    pub(crate) entry: super::executor::Entry,
    /// What `return_data` set.
    pub(crate) output: Option<ExecReturn>,
    /// The contract's exported memory (set after instantiation).
    pub(crate) memory: Option<Memory>,
    /// Growth limits of memory and tables.
    pub(crate) limits: StoreLimits,
}

type Ctx<'a> = Caller<'a, HostState>;
type HostResult<T> = Result<T, wasmi::Error>;

fn trap(t: HostTrap) -> wasmi::Error {
    wasmi::Error::host(t)
}

/// Charges the fuel `price` computes from the schedule; traps with [`HostTrap::OutOfFuel`]
/// (leaving zero) if the frame cannot pay.
fn charge(caller: &mut Ctx<'_>, price: impl FnOnce(&HostFnCosts) -> u64) -> HostResult<()> {
    let fuel = price(&caller.data().schedule.host_fn_costs);
    let left = caller.get_fuel()?;
    match left.checked_sub(fuel) {
        Some(rest) => caller.set_fuel(rest),
        None => {
            caller.set_fuel(0)?;
            Err(trap(HostTrap::OutOfFuel))
        }
    }
}

fn memory(caller: &Ctx<'_>) -> HostResult<Memory> {
    caller.data().memory.ok_or_else(|| trap(HostTrap::NoMemory))
}

/// The bounds `[ptr, ptr + len)` inside memory, or a trap.
fn checked_range(caller: &Ctx<'_>, ptr: i32, len: u32) -> HostResult<(Memory, usize, usize)> {
    let memory = memory(caller)?;
    let start = ptr as u32 as usize;
    let end = start
        .checked_add(len as usize)
        .filter(|end| *end <= memory.data_size(caller))
        .ok_or_else(|| trap(HostTrap::MemoryOutOfBounds))?;
    Ok((memory, start, end))
}

fn read(caller: &Ctx<'_>, ptr: i32, len: u32) -> HostResult<Vec<u8>> {
    let (memory, start, end) = checked_range(caller, ptr, len)?;
    let mut buf = vec![0u8; end - start];
    memory
        .read(caller, start, &mut buf)
        .map_err(|_| trap(HostTrap::MemoryOutOfBounds))?;
    Ok(buf)
}

fn read_array<const N: usize>(caller: &Ctx<'_>, ptr: i32) -> HostResult<[u8; N]> {
    let (memory, start, _) = checked_range(caller, ptr, N as u32)?;
    let mut buf = [0u8; N];
    memory
        .read(caller, start, &mut buf)
        .map_err(|_| trap(HostTrap::MemoryOutOfBounds))?;
    Ok(buf)
}

fn write(caller: &mut Ctx<'_>, ptr: i32, data: &[u8]) -> HostResult<()> {
    let (memory, start, _) = checked_range(caller, ptr, data.len() as u32)?;
    memory
        .write(caller, start, data)
        .map_err(|_| trap(HostTrap::MemoryOutOfBounds))
}

fn read_u32(caller: &Ctx<'_>, ptr: i32) -> HostResult<u32> {
    Ok(u32::from_le_bytes(read_array::<4>(caller, ptr)?))
}

fn read_account(caller: &Ctx<'_>, ptr: i32) -> HostResult<AccountId> {
    Ok(AccountId(read_array::<32>(caller, ptr)?))
}

fn read_balance(caller: &Ctx<'_>, ptr: i32) -> HostResult<Balance> {
    Ok(Balance::from_le_bytes(read_array::<16>(caller, ptr)?))
}

/// Writes `data` to an output buffer; [`ReturnCode::BufferTooSmall`] (with the needed length
/// written) if it does not fit.
fn write_output(
    caller: &mut Ctx<'_>,
    out_ptr: i32,
    out_len_ptr: i32,
    data: &[u8],
) -> HostResult<ReturnCode> {
    charge(caller, |k| k.bytes(data.len() as u64))?;
    let capacity = read_u32(caller, out_len_ptr)? as usize;
    let len = u32::try_from(data.len()).map_err(|_| trap(HostTrap::IoTooLarge))?;
    if data.len() > capacity {
        write(caller, out_len_ptr, &len.to_le_bytes())?;
        return Ok(ReturnCode::BufferTooSmall);
    }
    write(caller, out_ptr, data)?;
    write(caller, out_len_ptr, &len.to_le_bytes())?;
    Ok(ReturnCode::Success)
}

/// Writes as much of `data` as fits and the full length: for call output, whose return code
/// already says how the callee ended.
fn write_truncated(
    caller: &mut Ctx<'_>,
    out_ptr: i32,
    out_len_ptr: i32,
    data: &[u8],
) -> HostResult<()> {
    let capacity = read_u32(caller, out_len_ptr)? as usize;
    let shown = &data[..data.len().min(capacity)];
    charge(caller, |k| k.bytes(shown.len() as u64))?;
    write(caller, out_ptr, shown)?;
    let len = u32::try_from(data.len()).map_err(|_| trap(HostTrap::IoTooLarge))?;
    write(caller, out_len_ptr, &len.to_le_bytes())
}

fn read_key(caller: &mut Ctx<'_>, ptr: i32, len: i32) -> HostResult<Vec<u8>> {
    let len = len as u32;
    if len > caller.data().schedule.limits.max_storage_key_len {
        return Err(trap(HostTrap::KeyTooLong));
    }
    read(caller, ptr, len)
}

/// The longest canonical name; longer input is refused before it is copied.
const MAX_NAME_LEN: u32 = ghost_primitives::names::MAX_NAME_LEN as u32;

/// The longest label; longer input is refused before it is copied.
const MAX_LABEL_LEN: u32 = ghost_primitives::names::MAX_LABEL_LEN as u32;

/// Reads a name; `Err(code)` if it is not canonical.
fn read_name(
    caller: &mut Ctx<'_>,
    ptr: i32,
    len: i32,
) -> HostResult<Result<DomainName, ReturnCode>> {
    let len = len as u32;
    if len > MAX_NAME_LEN {
        charge(caller, |k| k.base)?;
        return Ok(Err(ReturnCode::InvalidName));
    }
    charge(caller, |k| k.bytes(u64::from(len)))?;
    let bytes = read(caller, ptr, len)?;
    Ok(parse_name(&bytes))
}

/// A canonical name from raw bytes, or [`ReturnCode::InvalidName`].
fn parse_name(bytes: &[u8]) -> Result<DomainName, ReturnCode> {
    std::str::from_utf8(bytes)
        .ok()
        .and_then(|s| DomainName::parse(s).ok())
        .ok_or(ReturnCode::InvalidName)
}

/// A subname label from raw bytes: UTF-8 and a valid label under `parent` (the whole name at
/// most 253 bytes), or [`ReturnCode::InvalidName`].
fn parse_label(parent: &DomainName, bytes: &[u8]) -> Result<String, ReturnCode> {
    let label = std::str::from_utf8(bytes).map_err(|_| ReturnCode::InvalidName)?;
    parent.child(label).map_err(|_| ReturnCode::InvalidName)?;
    Ok(label.to_owned())
}

fn code(result: Result<(), ReturnCode>) -> i32 {
    match result {
        Ok(()) => ReturnCode::Success.as_i32(),
        Err(code) => code.as_i32(),
    }
}

fn names_code(result: Result<(), NamesError>) -> i32 {
    code(result.map_err(NamesError::return_code))
}

/// Builds the linker with every host function of [`HOST_FUNCTIONS`].
pub(crate) fn linker(engine: &wasmi::Engine) -> Result<Linker<HostState>, wasmi::Error> {
    let mut l = Linker::<HostState>::new(engine);
    let m = HOST_MODULE;

    l.func_wrap(
        m,
        "input",
        |mut c: Ctx<'_>, out: i32, out_len: i32| -> HostResult<i32> {
            let input = std::mem::take(&mut c.data_mut().input);
            let result = write_output(&mut c, out, out_len, &input);
            c.data_mut().input = input;
            Ok(result?.as_i32())
        },
    )?;

    l.func_wrap(
        m,
        "return_data",
        |mut c: Ctx<'_>, flags: i32, ptr: i32, len: i32| -> HostResult<()> {
            let flags = flags as u32;
            if flags & !ReturnFlags::REVERT != 0 {
                return Err(trap(HostTrap::InvalidFlags));
            }
            let len = len as u32;
            if len > c.data().schedule.limits.max_io_len {
                return Err(trap(HostTrap::IoTooLarge));
            }
            charge(&mut c, |k| k.bytes(u64::from(len)))?;
            let data = read(&c, ptr, len)?;
            c.data_mut().output = Some(ExecReturn {
                flags: ReturnFlags(flags),
                data,
            });
            Err(trap(HostTrap::Return))
        },
    )?;

    l.func_wrap(
        m,
        "storage_get",
        |mut c: Ctx<'_>, key_ptr: i32, key_len: i32, out: i32, out_len: i32| -> HostResult<i32> {
            charge(&mut c, |k| {
                k.storage_read
                    .saturating_add(k.bytes(key_len as u32 as u64))
            })?;
            let key = read_key(&mut c, key_ptr, key_len)?;
            let address = c.data().address;
            match c.data().host.storage_get(&address, &key) {
                None => Ok(ReturnCode::KeyNotFound.as_i32()),
                Some(value) => Ok(write_output(&mut c, out, out_len, &value)?.as_i32()),
            }
        },
    )?;

    l.func_wrap(
        m,
        "storage_set",
        |mut c: Ctx<'_>,
         key_ptr: i32,
         key_len: i32,
         val_ptr: i32,
         val_len: i32|
         -> HostResult<i32> {
            let val_len = val_len as u32;
            if val_len > c.data().schedule.limits.max_storage_value_len {
                return Err(trap(HostTrap::ValueTooLarge));
            }
            let bytes = u64::from(key_len as u32).saturating_add(u64::from(val_len));
            charge(&mut c, |k| k.storage_change(bytes))?;
            let key = read_key(&mut c, key_ptr, key_len)?;
            let value = read(&c, val_ptr, val_len)?;
            let address = c.data().address;
            Ok(code(
                c.data()
                    .host
                    .storage_set(&address, &key, Some(&value))
                    .map(|_| ()),
            ))
        },
    )?;

    l.func_wrap(
        m,
        "storage_remove",
        |mut c: Ctx<'_>, key_ptr: i32, key_len: i32| -> HostResult<i32> {
            charge(&mut c, |k| k.storage_change(key_len as u32 as u64))?;
            let key = read_key(&mut c, key_ptr, key_len)?;
            let address = c.data().address;
            match c.data().host.storage_set(&address, &key, None) {
                Ok(true) => Ok(ReturnCode::Success.as_i32()),
                Ok(false) => Ok(ReturnCode::KeyNotFound.as_i32()),
                Err(code) => Ok(code.as_i32()),
            }
        },
    )?;

    l.func_wrap(m, "caller", |mut c: Ctx<'_>, out: i32| -> HostResult<()> {
        charge(&mut c, |k| k.bytes(32))?;
        let who = c.data().caller;
        write(&mut c, out, &who.0)
    })?;

    l.func_wrap(m, "address", |mut c: Ctx<'_>, out: i32| -> HostResult<()> {
        charge(&mut c, |k| k.bytes(32))?;
        let me = c.data().address;
        write(&mut c, out, &me.0)
    })?;

    l.func_wrap(
        m,
        "value_transferred",
        |mut c: Ctx<'_>, out: i32| -> HostResult<()> {
            charge(&mut c, |k| k.bytes(16))?;
            let value = c.data().value;
            write(&mut c, out, &value.to_le_bytes())
        },
    )?;

    l.func_wrap(m, "balance", |mut c: Ctx<'_>, out: i32| -> HostResult<()> {
        charge(&mut c, |k| k.storage_read.saturating_add(k.bytes(16)))?;
        let me = c.data().address;
        let balance = c.data().host.balance(&me);
        write(&mut c, out, &balance.to_le_bytes())
    })?;

    l.func_wrap(
        m,
        "transfer",
        |mut c: Ctx<'_>, dest_ptr: i32, value_ptr: i32| -> HostResult<i32> {
            charge(&mut c, |k| k.transfer.saturating_add(k.bytes(48)))?;
            let dest = read_account(&c, dest_ptr)?;
            let value = read_balance(&c, value_ptr)?;
            let me = c.data().address;
            Ok(code(c.data().host.transfer(&me, &dest, value)))
        },
    )?;

    l.func_wrap(m, "block_number", |mut c: Ctx<'_>| -> HostResult<i64> {
        charge(&mut c, |k| k.storage_read.saturating_add(k.base))?;
        Ok(c.data().host.block_number() as i64)
    })?;

    l.func_wrap(m, "block_timestamp", |mut c: Ctx<'_>| -> HostResult<i64> {
        charge(&mut c, |k| k.storage_read.saturating_add(k.base))?;
        Ok(c.data().host.block_timestamp() as i64)
    })?;

    l.func_wrap(
        m,
        "emit_event",
        |mut c: Ctx<'_>,
         topics_ptr: i32,
         topics_len: i32,
         data_ptr: i32,
         data_len: i32|
         -> HostResult<()> {
            let limits = c.data().schedule.limits;
            let (topics_len, data_len) = (topics_len as u32, data_len as u32);
            if topics_len % 32 != 0 || topics_len / 32 > limits.max_event_topics {
                return Err(trap(HostTrap::BadTopics));
            }
            if data_len > limits.max_event_data_len {
                return Err(trap(HostTrap::EventDataTooLarge));
            }
            let bytes = u64::from(topics_len) + u64::from(data_len);
            charge(&mut c, |k| k.deposit_event.saturating_add(k.bytes(bytes)))?;
            let raw_topics = read(&c, topics_ptr, topics_len)?;
            let data = read(&c, data_ptr, data_len)?;
            let topics = raw_topics
                .chunks_exact(32)
                .map(|t| {
                    let mut h = [0u8; 32];
                    h.copy_from_slice(t);
                    Hash(h)
                })
                .collect();
            let me = c.data().address;
            c.data().host.deposit_event(&me, topics, data);
            Ok(())
        },
    )?;

    l.func_wrap(
        m,
        "call",
        |mut c: Ctx<'_>,
         dest_ptr: i32,
         value_ptr: i32,
         fuel: i64,
         in_ptr: i32,
         in_len: i32,
         out: i32,
         out_len: i32|
         -> HostResult<i32> {
            let in_len = in_len as u32;
            if in_len > c.data().schedule.limits.max_io_len {
                return Err(trap(HostTrap::IoTooLarge));
            }
            charge(&mut c, |k| k.nested_call(u64::from(in_len), false))?;
            let dest = read_account(&c, dest_ptr)?;
            let value = read_balance(&c, value_ptr)?;
            if value > 0 {
                charge(&mut c, |k| k.transfer)?;
            }
            let input = read(&c, in_ptr, in_len)?;
            let available = c.get_fuel()?;
            let fuel = match fuel as u64 {
                0 => available,
                asked => asked.min(available),
            };
            let request = CallRequest {
                caller: c.data().address,
                dest,
                value,
                fuel,
                input,
                stack: c.data().stack.clone(),
            };
            let outcome = match c.data().host.call(request) {
                Ok(outcome) => outcome,
                Err(code) => {
                    write(&mut c, out_len, &0u32.to_le_bytes())?;
                    return Ok(code.as_i32());
                }
            };
            c.set_fuel(available.saturating_sub(outcome.fuel_consumed.min(fuel)))?;
            let (code, output) = match outcome.result {
                Ok(ret) if ret.did_revert() => (ReturnCode::CalleeReverted, ret.data),
                Ok(ret) => (ReturnCode::Success, ret.data),
                Err(_) => (ReturnCode::CalleeTrapped, Vec::new()),
            };
            write_truncated(&mut c, out, out_len, &output)?;
            Ok(code.as_i32())
        },
    )?;

    // Checked and priced like `call`; the address is written only when `deploy` succeeded.
    l.func_wrap(
        m,
        "instantiate",
        |mut c: Ctx<'_>,
         code_hash_ptr: i32,
         value_ptr: i32,
         fuel: i64,
         in_ptr: i32,
         in_len: i32,
         salt_ptr: i32,
         salt_len: i32,
         address_out: i32,
         out: i32,
         out_len: i32|
         -> HostResult<i32> {
            let limits = c.data().schedule.limits;
            let (in_len, salt_len) = (in_len as u32, salt_len as u32);
            if in_len > limits.max_io_len {
                return Err(trap(HostTrap::IoTooLarge));
            }
            if salt_len > limits.max_salt_len {
                return Err(trap(HostTrap::SaltTooLong));
            }
            charge(&mut c, |k| {
                k.nested_instantiate(u64::from(in_len), u64::from(salt_len), false)
            })?;
            let code_hash = Hash(read_array::<32>(&c, code_hash_ptr)?);
            let value = read_balance(&c, value_ptr)?;
            if value > 0 {
                charge(&mut c, |k| k.transfer)?;
            }
            let input = read(&c, in_ptr, in_len)?;
            let salt = read(&c, salt_ptr, salt_len)?;
            // Both output pointers are checked before anything runs.
            checked_range(&c, address_out, 32)?;
            read_u32(&c, out_len)?;
            let available = c.get_fuel()?;
            let fuel = match fuel as u64 {
                0 => available,
                asked => asked.min(available),
            };
            let request = InstantiateRequest {
                deployer: c.data().address,
                code_hash,
                value,
                fuel,
                input,
                salt,
                stack: c.data().stack.clone(),
            };
            let (address, outcome) = match c.data().host.instantiate(request) {
                Ok(done) => done,
                Err(code) => {
                    write(&mut c, out_len, &0u32.to_le_bytes())?;
                    return Ok(code.as_i32());
                }
            };
            c.set_fuel(available.saturating_sub(outcome.fuel_consumed.min(fuel)))?;
            let (code, output) = match outcome.result {
                Ok(ret) if ret.did_revert() => (ReturnCode::CalleeReverted, ret.data),
                Ok(ret) => (ReturnCode::Success, ret.data),
                Err(_) => (ReturnCode::CalleeTrapped, Vec::new()),
            };
            if code == ReturnCode::Success {
                write(&mut c, address_out, &address.0)?;
            }
            write_truncated(&mut c, out, out_len, &output)?;
            Ok(code.as_i32())
        },
    )?;

    // Ends the frame like `return_data` (no output) when it succeeds; a refusal is a return
    // code and the contract goes on.
    l.func_wrap(
        m,
        "terminate",
        |mut c: Ctx<'_>, beneficiary_ptr: i32| -> HostResult<i32> {
            charge(&mut c, |k| k.terminate(0))?;
            let beneficiary = read_account(&c, beneficiary_ptr)?;
            let me = c.data().address;
            if c.data().entry == super::executor::Entry::Deploy {
                return Ok(ReturnCode::TerminateInDeploy.as_i32());
            }
            if c.data().stack.iter().filter(|a| **a == me).count() > 1 {
                return Ok(ReturnCode::TerminateWhileReentered.as_i32());
            }
            // The later deletion of every entry is paid here, before anything changes.
            let items = c.data().host.storage_items(&me);
            charge(&mut c, |k| {
                k.deletion_per_item.saturating_mul(u64::from(items))
            })?;
            if let Err(code) = c.data().host.terminate(&me, &beneficiary) {
                return Ok(code.as_i32());
            }
            c.data_mut().output = Some(ExecReturn::default());
            Err(trap(HostTrap::Return))
        },
    )?;

    l.func_wrap(
        m,
        "set_code_hash",
        |mut c: Ctx<'_>, code_hash_ptr: i32| -> HostResult<i32> {
            charge(&mut c, |k| k.set_code_hash())?;
            let code_hash = Hash(read_array::<32>(&c, code_hash_ptr)?);
            let me = c.data().address;
            Ok(code(c.data().host.set_code_hash(&me, &code_hash)))
        },
    )?;

    l.func_wrap(
        m,
        "allow_reentry",
        |mut c: Ctx<'_>, allow: i32| -> HostResult<()> {
            charge(&mut c, |k| k.storage_write.saturating_add(k.base))?;
            let me = c.data().address;
            c.data().host.set_reentrant(&me, allow != 0);
            Ok(())
        },
    )?;

    l.func_wrap(
        m,
        "blake3",
        |mut c: Ctx<'_>, in_ptr: i32, in_len: i32, out: i32| -> HostResult<()> {
            let in_len = in_len as u32;
            charge(&mut c, |k| k.bytes(u64::from(in_len) + 32))?;
            let data = read(&c, in_ptr, in_len)?;
            write(&mut c, out, blake3::hash(&data).as_bytes())
        },
    )?;

    l.func_wrap(
        m,
        "ed25519_verify",
        |mut c: Ctx<'_>,
         sig_ptr: i32,
         key_ptr: i32,
         msg_ptr: i32,
         msg_len: i32|
         -> HostResult<i32> {
            let msg_len = msg_len as u32;
            if msg_len > c.data().schedule.limits.max_io_len {
                return Err(trap(HostTrap::IoTooLarge));
            }
            charge(&mut c, |k| {
                k.ed25519_verify
                    .saturating_add(k.bytes(u64::from(msg_len) + 96))
            })?;
            let signature = Signature(read_array::<64>(&c, sig_ptr)?);
            let key = read_account(&c, key_ptr)?;
            let message = read(&c, msg_ptr, msg_len)?;
            Ok(if signature.verify(&message, &key) {
                ReturnCode::Success.as_i32()
            } else {
                ReturnCode::InvalidSignature.as_i32()
            })
        },
    )?;

    l.func_wrap(m, "fuel_left", |mut c: Ctx<'_>| -> HostResult<i64> {
        charge(&mut c, |k| k.base)?;
        Ok(i64::try_from(c.get_fuel()?).unwrap_or(i64::MAX))
    })?;

    // Priced as a copy of the bytes it keeps at most (the buffer's limit), the same in a dry run
    // and a transaction; the whole range is checked against memory in both, so a bad pointer
    // traps whether or not the message is collected. Nothing here traps on the message itself.
    l.func_wrap(
        m,
        "debug_message",
        |mut c: Ctx<'_>, ptr: i32, len: i32| -> HostResult<i32> {
            let max = c.data().schedule.limits.max_debug_buffer_len;
            let len = len as u32;
            charge(&mut c, |k| k.bytes(u64::from(len.min(max))))?;
            let (memory, start, end) = checked_range(&c, ptr, len)?;
            if !c.data().host.debug_enabled() {
                return Ok(ReturnCode::LoggingDisabled.as_i32());
            }
            let kept = (end - start).min(max as usize);
            let mut message = vec![0u8; kept];
            memory
                .read(&c, start, &mut message)
                .map_err(|_| trap(HostTrap::MemoryOutOfBounds))?;
            let code = c.data().host.debug_message(&message);
            // A message longer than the limit is cut even if the buffer was empty.
            if kept < end - start {
                return Ok(ReturnCode::DebugBufferFull.as_i32());
            }
            Ok(code.as_i32())
        },
    )?;

    l.func_wrap(
        m,
        "name_resolve",
        |mut c: Ctx<'_>, name_ptr: i32, name_len: i32, out: i32, out_len: i32| -> HostResult<i32> {
            charge(&mut c, |k| k.name_read)?;
            let name = match read_name(&mut c, name_ptr, name_len)? {
                Ok(name) => name,
                Err(code) => return Ok(code.as_i32()),
            };
            match c.data().host.name_resolve(&name) {
                Ok(Some(resolution)) => {
                    let encoded = resolution.encode();
                    Ok(write_output(&mut c, out, out_len, &encoded)?.as_i32())
                }
                Ok(None) => Ok(ReturnCode::NameNotFound.as_i32()),
                Err(e) => Ok(e.return_code().as_i32()),
            }
        },
    )?;

    l.func_wrap(
        m,
        "name_commit",
        |mut c: Ctx<'_>, commitment_ptr: i32| -> HostResult<i32> {
            charge(&mut c, |k| k.name_write.saturating_add(k.bytes(32)))?;
            let commitment = Hash(read_array::<32>(&c, commitment_ptr)?);
            let me = c.data().address;
            Ok(names_code(c.data().host.name_commit(&me, commitment)))
        },
    )?;

    // The secret is read (and its pointer checked) before the name is decoded, so a bad
    // pointer traps whatever the name says.
    l.func_wrap(
        m,
        "name_register",
        |mut c: Ctx<'_>,
         name_ptr: i32,
         name_len: i32,
         duration_ms: i64,
         secret_ptr: i32|
         -> HostResult<i32> {
            charge(&mut c, |k| k.name_write.saturating_add(k.bytes(32)))?;
            let secret = Hash(read_array::<32>(&c, secret_ptr)?);
            let name = match read_name(&mut c, name_ptr, name_len)? {
                Ok(name) => name,
                Err(code) => return Ok(code.as_i32()),
            };
            let me = c.data().address;
            Ok(names_code(c.data().host.name_register(
                &me,
                &name,
                duration_ms as u64,
                secret,
            )))
        },
    )?;

    l.func_wrap(
        m,
        "name_renew",
        |mut c: Ctx<'_>, name_ptr: i32, name_len: i32, duration_ms: i64| -> HostResult<i32> {
            charge(&mut c, |k| k.name_write.saturating_add(k.base))?;
            let name = match read_name(&mut c, name_ptr, name_len)? {
                Ok(name) => name,
                Err(code) => return Ok(code.as_i32()),
            };
            let me = c.data().address;
            Ok(names_code(c.data().host.name_renew(
                &me,
                &name,
                duration_ms as u64,
            )))
        },
    )?;

    // The account is read (and its pointer checked) whether or not it is approved.
    l.func_wrap(
        m,
        "name_approve",
        |mut c: Ctx<'_>,
         name_ptr: i32,
         name_len: i32,
         account_ptr: i32,
         approve: i32|
         -> HostResult<i32> {
            charge(&mut c, |k| k.name_write.saturating_add(k.bytes(32)))?;
            let account = read_account(&c, account_ptr)?;
            let name = match read_name(&mut c, name_ptr, name_len)? {
                Ok(name) => name,
                Err(code) => return Ok(code.as_i32()),
            };
            let me = c.data().address;
            let account = (approve != 0).then_some(account);
            Ok(names_code(c.data().host.name_approve(&me, &name, account)))
        },
    )?;

    l.func_wrap(
        m,
        "name_set_records",
        |mut c: Ctx<'_>,
         name_ptr: i32,
         name_len: i32,
         rec_ptr: i32,
         rec_len: i32|
         -> HostResult<i32> {
            let rec_len = rec_len as u32;
            if rec_len > c.data().schedule.limits.max_io_len {
                return Err(trap(HostTrap::IoTooLarge));
            }
            charge(&mut c, |k| {
                k.name_write.saturating_add(k.bytes(u64::from(rec_len)))
            })?;
            let name = match read_name(&mut c, name_ptr, name_len)? {
                Ok(name) => name,
                Err(code) => return Ok(code.as_i32()),
            };
            let raw = read(&c, rec_ptr, rec_len)?;
            // The count comes first: a list longer than the limit is refused before anything
            // else of it is decoded.
            let max_records = c.data().schedule.limits.max_name_records;
            match parity_scale_codec::Compact::<u32>::decode(&mut &raw[..]) {
                Ok(count) if count.0 <= max_records => {}
                _ => return Ok(ReturnCode::InvalidName.as_i32()),
            }
            let Ok(records) = Vec::<DnsRecord>::decode_all(&mut &raw[..]) else {
                return Ok(ReturnCode::InvalidName.as_i32());
            };
            // Every record passed, and every record the name has now (all replaced).
            let current = match c.data().host.name_resolve(&name) {
                Ok(Some(resolution)) => resolution.records.len() as u64,
                _ => 0,
            };
            let handled = (records.len() as u64).saturating_add(current);
            charge(&mut c, |k| {
                k.storage_read
                    .saturating_add(k.name_record.saturating_mul(handled))
            })?;
            let me = c.data().address;
            Ok(names_code(
                c.data().host.name_set_records(&me, &name, records),
            ))
        },
    )?;

    l.func_wrap(
        m,
        "name_transfer",
        |mut c: Ctx<'_>, name_ptr: i32, name_len: i32, to_ptr: i32| -> HostResult<i32> {
            charge(&mut c, |k| k.name_write.saturating_add(k.bytes(32)))?;
            let name = match read_name(&mut c, name_ptr, name_len)? {
                Ok(name) => name,
                Err(code) => return Ok(code.as_i32()),
            };
            let to = read_account(&c, to_ptr)?;
            let me = c.data().address;
            Ok(names_code(c.data().host.name_transfer(&me, &name, &to)))
        },
    )?;

    // Every pointer is checked before anything is decoded, so a bad pointer traps whatever
    // the name says; the price does not depend on the outcome.
    l.func_wrap(
        m,
        "name_set_subname_owner",
        |mut c: Ctx<'_>,
         parent_ptr: i32,
         parent_len: i32,
         label_ptr: i32,
         label_len: i32,
         owner_ptr: i32,
         lock: i32|
         -> HostResult<i32> {
            let (parent_len, label_len) = (parent_len as u32, label_len as u32);
            if parent_len > MAX_NAME_LEN || label_len > MAX_LABEL_LEN {
                charge(&mut c, |k| k.name_write.saturating_add(k.base))?;
                return Ok(ReturnCode::InvalidName.as_i32());
            }
            let bytes = u64::from(parent_len) + u64::from(label_len) + 32;
            charge(&mut c, |k| k.name_write.saturating_add(k.bytes(bytes)))?;
            let raw_parent = read(&c, parent_ptr, parent_len)?;
            let raw_label = read(&c, label_ptr, label_len)?;
            let owner = read_account(&c, owner_ptr)?;
            let parsed = parse_name(&raw_parent)
                .and_then(|parent| parse_label(&parent, &raw_label).map(|label| (parent, label)));
            let (parent, label) = match parsed {
                Ok(parsed) => parsed,
                Err(code) => return Ok(code.as_i32()),
            };
            let me = c.data().address;
            Ok(names_code(c.data().host.name_set_subname_owner(
                &me,
                &parent,
                &label,
                &owner,
                lock != 0,
            )))
        },
    )?;

    Ok(l)
}
