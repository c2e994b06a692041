//! # Contracts pallet
//!
//! WASM-lite smart contracts: deterministic WebAssembly run by the fuel-metered `wasmi`
//! interpreter, with storage under each contract's own prefix, deposits for code and storage,
//! events, nested calls and (through [`NameProvider`]) names the contract owns.
//!
//! ## Overview
//! - **Code** is uploaded once ([`Call::UploadCode`]), checked against WASM-lite
//!   ([`wasm::validate`]: no floats, SIMD, threads, reference types, multi-memory, memory64 or
//!   start function; at most 16 pages of memory and 256 KiB of code; imports only from module
//!   `ghost`; `deploy`, `call` and `memory` exported), compiled once to prove it compiles, and
//!   stored by its blake3 hash. The uploader reserves `code_len × CODE_DEPOSIT_PER_BYTE` until
//!   it removes the code ([`Call::RemoveCode`]), which only works while no contract uses it.
//! - **Contracts** are instances of code ([`Call::Instantiate`]) at the deterministic address
//!   `blake3(deployer ++ code_hash ++ salt)` ([`contract_address`]). Instantiation moves `value`
//!   to the new account and runs the code's `deploy` export with the given data.
//! - **Calls** ([`Call::Call`]) move `value` and run `call`. A contract reads its input, storage
//!   and context and writes storage, events and return data through host functions
//!   ([`wasm::runtime`]); it may call other contracts up to a depth of
//!   [`Limits::max_call_depth`]. A contract already on the call stack is not re-entered unless
//!   it allowed it (`allow_reentry`).
//! - **Fuel**: each call buys `fuel_limit` fuel, declared as weight
//!   (`fuel × Schedule::weight_per_fuel`) so the executive charges its fee up front. Every WASM
//!   operator and host function burns fuel ([`Schedule`]). After the run the call records the
//!   weight it used, base plus the fuel burned ([`take_actual_weight`]); the executive refunds
//!   the fee of the unused fuel and gives its block weight back. A trap, running out of fuel or the
//!   revert flag of `return_data` fails the call: all its writes (storage, transfers, events,
//!   nested calls) are reverted, the fee stays paid and the block goes on.
//! - **Storage deposits** are paid by the transaction's signer (as in pallet-contracts): the
//!   contract's record at instantiation ([`ContractInfo::record_deposit`]) and every write
//!   (`STORAGE_DEPOSIT_PER_BYTE` per byte of key + value, `STORAGE_DEPOSIT_PER_ITEM` per entry)
//!   move from the signer to the contract's account and are reserved there; storage a call frees
//!   is paid back to its signer. `storage_deposit_limit` bounds what one call may charge, net of
//!   refunds (`deposit.rs`); a write past it (or past the signer's balance) returns
//!   `StorageDepositNotCovered` to the contract, and a call that fails after hitting the limit
//!   fails with [`Error::StorageDepositLimitExhausted`].
//! - **Lifecycle** ([`lifecycle`]): a contract may deploy contracts (the `instantiate` host
//!   function, with itself as the deployer, deposits paid by the transaction's signer), replace
//!   its own code (`set_code_hash`, effective from its next frame; event
//!   [`Event::ContractCodeUpdated`]) and end itself (`terminate`, not while re-entered nor in
//!   `deploy`): its record goes, its code's refcount is released, its balance goes to a
//!   beneficiary and its deposits to the signer ([`Event::Terminated`]). Its storage is
//!   deleted lazily: queued in [`DeletionQueue`] (at most [`MAX_DELETION_QUEUE_LEN`]
//!   contracts) and deleted by `on_initialize`, at most [`DELETION_KEYS_PER_BLOCK`] entries per
//!   block, the work paid up front by the terminating call. An address with queued storage
//!   cannot be instantiated again until it is gone ([`Error::ContractPendingDeletion`]).
//!
//! ## ABI
//! Call data is `selector ++ SCALE(args)`, where the selector is the first 4 bytes of
//! `blake3(method name)` ([`selector`]); return data is SCALE. The pallet passes bytes through
//! and does not interpret them. See `docs/WASM-LITE.md` for the host functions.
//!
//! ## Module cache
//! Nodes keep compiled modules in a bounded LRU ([`cache::LruModuleCache`]) installed with
//! [`cache::set_module_cache`]. It is never part of consensus: fuel and results are the same on
//! a hit or a miss.
//!
//! ## Terms
//! - *Frame*: one contract execution (a top-level call or a nested one), with its own wasmi
//!   store, memory and fuel.
//! - *Revert*: ending a frame with `return_data` and flag bit 0 set: not a trap, but its writes
//!   are dropped.
//! - *Deletion queue*: terminated contracts whose storage is still to be deleted, oldest
//!   first.

pub mod abi_section;
pub mod cache;
pub mod debug;
mod deposit;
mod env;
pub mod lifecycle;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
pub mod types;
pub mod wasm;
pub mod weights;

use std::marker::PhantomData;

use ghost_support::metadata::{ConstantMeta, PalletMetadata, errors_of};
use ghost_support::prelude::*;
use ghost_support::traits::Currency;
use ghost_support::transactional;
use pallet_system as system;

pub use types::*;
pub use wasm::{CodeError, ExecError, HostTrap};
pub use weights::WeightInfo;

use env::Env;
use wasm::{Entry, Frame};

/// The pallet's name in storage prefixes and errors.
pub const PALLET: &str = "Contracts";

/// Most storage entries of terminated contracts the deletion queue deletes in one block
/// (its weight: [`ROCKS_DB_WEIGHT`](ghost_support::weights::ROCKS_DB_WEIGHT) per read and per
/// removed key: 256 keys are priced at about 32 ms; `benches/deletion.rs` measured 0.77 ms on
/// in-memory trie state, see [`weights`]).
pub const DELETION_KEYS_PER_BLOCK: u32 = 256;

/// Most terminated contracts queued for storage deletion at once; `terminate` returns
/// `DeletionQueueFull` past it.
pub const MAX_DELETION_QUEUE_LEN: u64 = 1_024;

/// Configuration of the contracts pallet.
pub trait Config: system::Config<RuntimeEvent: From<Event>> {
    /// Holds code and storage deposits and moves value.
    type Currency: Currency;
    /// The name service contracts may use (`()`: none).
    type Names: NameProvider;
    /// Weights of this pallet's calls.
    type ContractsWeightInfo: WeightInfo;
    /// Limits and fuel prices.
    const SCHEDULE: Schedule;
    /// Deposit per byte of uploaded code, reserved from the uploader.
    const CODE_DEPOSIT_PER_BYTE: Balance;
    /// Deposit per byte of contract storage (key + value) and of contract records, paid by the
    /// signer and reserved on the contract.
    const STORAGE_DEPOSIT_PER_BYTE: Balance;
    /// Deposit per contract storage entry and per contract record, paid by the signer and
    /// reserved on the contract.
    const STORAGE_DEPOSIT_PER_ITEM: Balance;
}

/// The pallet.
pub struct Pallet<T>(PhantomData<T>);

thread_local! {
    /// The weight the last `instantiate` or `call` dispatch used ([`take_actual_weight`]).
    static ACTUAL_WEIGHT: std::cell::Cell<Option<Weight>> = const { std::cell::Cell::new(None) };
}

/// Post-dispatch weight correction, as FRAME's `PostDispatchInfo::actual_weight`: the weight the
/// last [`Call::Instantiate`] or [`Call::Call`] dispatched on this thread used (its base weight
/// plus the fuel it burned, at most what it declared), taken and cleared. The executive calls it
/// before a dispatch (to drop a stale value) and after it, then charges the fee of this weight
/// instead of the declared one. A failed call records its weight too.
pub fn take_actual_weight() -> Option<Weight> {
    ACTUAL_WEIGHT.with(|w| w.take())
}

fn note_actual_weight(weight: Weight) {
    ACTUAL_WEIGHT.with(|w| w.set(Some(weight)));
}

// ---- storage ----

storage_map!(PALLET,
    /// Uploaded code by blake3 hash.
    pub PristineCode: map Identity Hash => Vec<u8>
);
storage_map!(PALLET,
    /// Owner, deposit and use count of every uploaded code.
    pub CodeInfoOf: map Identity Hash => CodeInfo
);
storage_map!(PALLET,
    /// Every contract by address (addresses are blake3 outputs, so not re-hashed).
    pub ContractInfoOf: map Identity AccountId => ContractInfo
);
storage_double_map!(PALLET,
    /// Contract storage: `(contract, key) → value`, each contract under its own prefix.
    pub ContractStorage: double_map Identity AccountId, Blake3_128Concat Vec<u8> => Vec<u8>
);
storage_map!(PALLET,
    /// Terminated contracts whose storage is still to be deleted, by queue index
    /// ([`DeletionQueueCounter`]); drained by [`Hooks::on_initialize`], at most
    /// [`DELETION_KEYS_PER_BLOCK`] storage entries per block.
    pub DeletionQueue: map Identity u64 => AccountId
);
storage_value!(PALLET,
    /// The ends of [`DeletionQueue`]; at most [`MAX_DELETION_QUEUE_LEN`] entries are queued.
    pub DeletionQueueCounterOf: DeletionQueueCounter
);

// ---- events ----

ghost_support::pallet_enum! {
    /// Events of the contracts pallet.
    #[derive(serde::Serialize)]
    #[serde(rename_all = "camelCase")]
    pub enum Event {
        /// Code was uploaded and its deposit reserved.
        #[index = 0]
        CodeStored { code_hash: Hash, owner: AccountId, deposit: Balance },
        /// Code was removed and its deposit returned.
        #[index = 1]
        CodeRemoved { code_hash: Hash, owner: AccountId, refund: Balance },
        /// A contract was instantiated (its `deploy` returned without reverting).
        #[index = 2]
        Instantiated { deployer: AccountId, contract: AccountId, code_hash: Hash },
        /// A contract's `call` returned without reverting (top-level or nested).
        #[index = 3]
        Called { caller: AccountId, contract: AccountId },
        /// A contract emitted an event with up to four 32-byte topics.
        #[index = 4]
        ContractEmitted { contract: AccountId, topics: Vec<Hash>, data: Vec<u8> },
        /// A contract terminated itself: its record is gone, its balance went to
        /// `beneficiary`, its deposits back to the transaction's signer, and its storage is
        /// queued for deletion.
        #[index = 5]
        Terminated { contract: AccountId, beneficiary: AccountId },
        /// A contract replaced its code (`set_code_hash`); its next call runs `new_code_hash`.
        #[index = 6]
        ContractCodeUpdated { contract: AccountId, new_code_hash: Hash, old_code_hash: Hash },
    }
}

// ---- errors ----

pallet_error! {
    /// Errors of the contracts pallet.
    pub enum Error for "Contracts" {
        /// The code is larger than the schedule's `max_code_len` (256 KiB).
        CodeTooLarge,
        /// The code is not valid WebAssembly.
        InvalidCode,
        /// The code uses floating-point types or instructions.
        FloatsNotAllowed,
        /// The code uses SIMD.
        SimdNotAllowed,
        /// The code uses threads (shared memory, atomics).
        ThreadsNotAllowed,
        /// The code uses reference types.
        ReferenceTypesNotAllowed,
        /// The code declares more than one memory.
        MultiMemoryNotAllowed,
        /// The code uses a 64-bit memory.
        Memory64NotAllowed,
        /// The code uses another proposal outside WASM-lite (tail calls, exceptions, ...).
        ProposalNotAllowed,
        /// The code has a start function.
        StartFunctionNotAllowed,
        /// The code defines no memory (or imports one).
        MemoryMissing,
        /// The code's memory may exceed the schedule's page limit (16 pages, 1 MiB).
        TooManyMemoryPages,
        /// The code has more functions than the schedule allows.
        TooManyFunctions,
        /// The code has more globals than the schedule allows.
        TooManyGlobals,
        /// The code's table has more entries (or it has more tables) than allowed.
        TooManyTableEntries,
        /// Another count (types, imports, exports, segments, locals, params) is too high.
        CodeLimitExceeded,
        /// The code imports something other than a `ghost` host function.
        UnknownImport,
        /// The code imports a host function with the wrong signature.
        ImportSignatureMismatch,
        /// The code does not export `deploy`, `call` (both `() -> ()`) and `memory`.
        MissingExport,
        /// wasmi cannot compile the code (or stored code no longer compiles).
        CodeNotCompilable,
        /// This code is already stored.
        CodeExists,
        /// No code with this hash is stored.
        CodeNotFound,
        /// Contracts use this code, so it cannot be removed.
        CodeInUse,
        /// Only the code's uploader may remove it.
        NotCodeOwner,
        /// A contract already exists at this address (change the salt).
        ContractExists,
        /// No contract exists at this address.
        ContractNotFound,
        /// The fuel limit is above the schedule's `max_fuel_per_call`.
        FuelLimitTooHigh,
        /// The call data is longer than the schedule's `max_io_len`.
        InputTooLarge,
        /// The salt is longer than the schedule's `max_salt_len`.
        SaltTooLong,
        /// The contract ran out of fuel; its writes were reverted.
        OutOfFuel,
        /// The contract recursed too deeply; its writes were reverted.
        StackOverflow,
        /// The contract passed a host function a pointer outside its memory.
        MemoryAccessOutOfBounds,
        /// The contract trapped; its writes were reverted.
        ContractTrapped,
        /// The contract returned with the revert flag; its writes were reverted.
        ContractReverted,
        /// The call needed more storage deposit than its `storage_deposit_limit`; its writes
        /// were reverted.
        StorageDepositLimitExhausted,
        /// The signer's free balance cannot pay the deposit of the contract's record.
        StorageDepositNotCovered,
        /// A contract terminated at this address and its storage is still queued for
        /// deletion; the address can be instantiated again once the queue has deleted it.
        ContractPendingDeletion,
    }
}

impl From<&CodeError> for Error {
    fn from(e: &CodeError) -> Self {
        match e {
            CodeError::TooLarge { .. } => Error::CodeTooLarge,
            CodeError::Invalid(_) => Error::InvalidCode,
            CodeError::Floats => Error::FloatsNotAllowed,
            CodeError::Simd => Error::SimdNotAllowed,
            CodeError::Threads => Error::ThreadsNotAllowed,
            CodeError::ReferenceTypes => Error::ReferenceTypesNotAllowed,
            CodeError::MultiMemory => Error::MultiMemoryNotAllowed,
            CodeError::Memory64 => Error::Memory64NotAllowed,
            CodeError::Proposal(_) => Error::ProposalNotAllowed,
            CodeError::StartFunction => Error::StartFunctionNotAllowed,
            CodeError::NoMemory => Error::MemoryMissing,
            CodeError::TooManyMemoryPages { .. } => Error::TooManyMemoryPages,
            CodeError::TooManyFunctions { .. } => Error::TooManyFunctions,
            CodeError::TooManyGlobals { .. } => Error::TooManyGlobals,
            CodeError::TooManyTableEntries { .. } => Error::TooManyTableEntries,
            CodeError::LimitExceeded { .. } => Error::CodeLimitExceeded,
            CodeError::UnknownImport { .. } => Error::UnknownImport,
            CodeError::ImportSignature(_) => Error::ImportSignatureMismatch,
            CodeError::MissingExport(_) => Error::MissingExport,
            CodeError::Compile(_) => Error::CodeNotCompilable,
        }
    }
}

impl From<&ExecError> for Error {
    fn from(e: &ExecError) -> Self {
        match e {
            ExecError::OutOfFuel => Error::OutOfFuel,
            ExecError::StackOverflow => Error::StackOverflow,
            ExecError::Host(HostTrap::MemoryOutOfBounds) => Error::MemoryAccessOutOfBounds,
            ExecError::CodeNotFound => Error::CodeNotFound,
            ExecError::Compile(_) => Error::CodeNotCompilable,
            ExecError::Trap(_) | ExecError::Host(_) | ExecError::Instantiate(_) => {
                Error::ContractTrapped
            }
        }
    }
}

// ---- calls ----

ghost_support::pallet_enum! {
    /// Calls of the contracts pallet.
    #[derive(serde::Serialize)]
    #[serde(rename_all = "camelCase")]
    pub enum Call {
        /// Uploads WASM-lite `code`, reserving `len × CODE_DEPOSIT_PER_BYTE` from the signer.
        /// Origin: signed. Errors: the code errors (`CodeTooLarge`, `FloatsNotAllowed`, ...,
        /// `MissingExport`), `CodeExists`, balance errors. Cost: linear in the code's length.
        #[index = 0]
        UploadCode { code: Vec<u8> },
        /// Instantiates `code_hash` at `blake3(signer ++ code_hash ++ salt)`, moving `value` to
        /// it and running `deploy` with `data` and up to `fuel_limit` fuel. The signer pays the
        /// record's deposit and the storage deposits of the run, at most
        /// `storage_deposit_limit` net (`None`: up to its free balance). Origin: signed.
        /// Errors: `CodeNotFound`, `ContractExists`, `FuelLimitTooHigh`, `InputTooLarge`,
        /// `SaltTooLong`, `StorageDepositNotCovered`, `StorageDepositLimitExhausted`, balance
        /// errors, execution errors (`OutOfFuel`, `ContractTrapped`, `ContractReverted`, ...).
        /// Cost: base + `fuel_limit × weight_per_fuel`.
        #[index = 1]
        Instantiate { code_hash: Hash, value: Balance, fuel_limit: u64, storage_deposit_limit: Option<Balance>, data: Vec<u8>, salt: Vec<u8> },
        /// Calls contract `dest` with `data`, moving `value` to it, with up to `fuel_limit`
        /// fuel. The signer pays the storage deposits of the run, at most
        /// `storage_deposit_limit` net (`None`: up to its free balance), and gets back those of
        /// storage the run frees. Origin: signed. Errors: `ContractNotFound`,
        /// `FuelLimitTooHigh`, `InputTooLarge`, `StorageDepositLimitExhausted`, balance errors,
        /// execution errors. Cost: base + `fuel_limit × weight_per_fuel`.
        #[index = 2]
        Call { dest: AccountId, value: Balance, fuel_limit: u64, storage_deposit_limit: Option<Balance>, data: Vec<u8> },
        /// Removes unused code and returns its deposit. Origin: the uploader. Errors:
        /// `CodeNotFound`, `NotCodeOwner`, `CodeInUse`.
        #[index = 3]
        RemoveCode { code_hash: Hash },
    }
}

/// What running a contract did: the call's result, the frame's output and fuel. Dispatch keeps
/// only `result`; tests and (later) RPC dry runs read the rest.
#[derive(Clone, Debug)]
pub struct ContractResult<R> {
    /// The call's outcome as dispatch reports it.
    pub result: Result<R, DispatchError>,
    /// The top frame's return data (also on revert).
    pub output: Vec<u8>,
    /// Why the top frame failed in the VM, if it did.
    pub exec_error: Option<ExecError>,
    /// Fuel the top frame burned (nested frames included).
    pub fuel_consumed: u64,
    /// What the run charged or refunded the signer in storage deposits (what it had charged
    /// when it failed, for a failed run, whose charges are reverted).
    pub storage_deposit: StorageDeposit,
    /// What the run's frames wrote with `debug_message` (panic and revert reasons), at most
    /// `max_debug_buffer_len` bytes; always empty outside a dry run
    /// ([`Pallet::dry_run_call`], [`Pallet::dry_run_instantiate`]).
    pub debug_message: String,
}

impl<R> ContractResult<R> {
    fn refused(error: impl Into<DispatchError>) -> Self {
        ContractResult {
            result: Err(error.into()),
            output: Vec::new(),
            exec_error: None,
            fuel_consumed: 0,
            storage_deposit: StorageDeposit::default(),
            debug_message: String::new(),
        }
    }
}

impl<T: Config> Pallet<T> {
    /// The weight and fee class of `call`: contract-running calls declare their whole fuel.
    pub fn dispatch_info(call: &Call) -> DispatchInfo {
        let fuel_weight = |fuel: u64| {
            let fuel = fuel.min(T::SCHEDULE.limits.max_fuel_per_call);
            Weight::from_ref_time(T::SCHEDULE.fuel_to_weight(fuel))
        };
        let weight = match call {
            Call::UploadCode { code } => T::ContractsWeightInfo::upload_code(len_u32(code)),
            Call::Instantiate {
                fuel_limit,
                data,
                salt,
                ..
            } => T::ContractsWeightInfo::instantiate(len_u32(data), len_u32(salt))
                .saturating_add(fuel_weight(*fuel_limit)),
            Call::Call {
                fuel_limit, data, ..
            } => {
                T::ContractsWeightInfo::call(len_u32(data)).saturating_add(fuel_weight(*fuel_limit))
            }
            Call::RemoveCode { .. } => T::ContractsWeightInfo::remove_code(),
        };
        DispatchInfo::paying(weight)
    }

    /// Dispatches `call` from `origin`.
    pub fn dispatch(call: Call, origin: Origin) -> DispatchResult {
        match call {
            Call::UploadCode { code } => {
                let who = ensure_signed(origin)?;
                Self::bare_upload_code(who, code).map(|_| ())
            }
            Call::Instantiate {
                code_hash,
                value,
                fuel_limit,
                storage_deposit_limit,
                data,
                salt,
            } => {
                let who = ensure_signed(origin)?;
                let base = T::ContractsWeightInfo::instantiate(len_u32(&data), len_u32(&salt));
                let r = Self::bare_instantiate_limited(
                    who,
                    code_hash,
                    value,
                    fuel_limit,
                    storage_deposit_limit,
                    data,
                    salt,
                );
                Self::note_used(base, r.fuel_consumed);
                r.result.map(|_| ())
            }
            Call::Call {
                dest,
                value,
                fuel_limit,
                storage_deposit_limit,
                data,
            } => {
                let who = ensure_signed(origin)?;
                let base = T::ContractsWeightInfo::call(len_u32(&data));
                let r = Self::bare_call_limited(
                    who,
                    dest,
                    value,
                    fuel_limit,
                    storage_deposit_limit,
                    data,
                );
                Self::note_used(base, r.fuel_consumed);
                r.result
            }
            Call::RemoveCode { code_hash } => {
                let who = ensure_signed(origin)?;
                Self::remove_code(who, code_hash)
            }
        }
    }

    /// Records `base` plus the weight of `fuel` as what a dispatch used.
    fn note_used(base: Weight, fuel: u64) {
        let fuel = fuel.min(T::SCHEDULE.limits.max_fuel_per_call);
        note_actual_weight(
            base.saturating_add(Weight::from_ref_time(T::SCHEDULE.fuel_to_weight(fuel))),
        );
    }

    /// [`Call::UploadCode`] for `owner`; returns the code hash.
    pub fn bare_upload_code(owner: AccountId, code: Vec<u8>) -> Result<Hash, DispatchError> {
        let module = wasm::prepare(&code, &T::SCHEDULE.limits).map_err(|e| Error::from(&e))?;
        let code_hash = ghost_primitives::blake3_256(&code);
        ensure!(!CodeInfoOf::contains_key(&code_hash), Error::CodeExists);
        let deposit = T::CODE_DEPOSIT_PER_BYTE.saturating_mul(code.len() as Balance);
        let code_len = len_u32(&code);

        T::Currency::reserve(&owner, deposit)?;
        PristineCode::insert(&code_hash, &code);
        CodeInfoOf::insert(
            &code_hash,
            &CodeInfo {
                owner,
                deposit,
                refcount: 0,
                code_len,
            },
        );
        if let Some(cache) = cache::current() {
            cache.insert(code_hash, module, code.len());
        }
        Self::deposit_event(Event::CodeStored {
            code_hash,
            owner,
            deposit,
        });
        Ok(code_hash)
    }

    /// [`Call::RemoveCode`] for `who`.
    pub fn remove_code(who: AccountId, code_hash: Hash) -> DispatchResult {
        let info = CodeInfoOf::get(&code_hash).ok_or(Error::CodeNotFound)?;
        ensure!(info.owner == who, Error::NotCodeOwner);
        ensure!(info.refcount == 0, Error::CodeInUse);

        let refund = T::Currency::unreserve(&who, info.deposit);
        PristineCode::remove(&code_hash);
        CodeInfoOf::remove(&code_hash);
        Self::deposit_event(Event::CodeRemoved {
            code_hash,
            owner: who,
            refund,
        });
        Ok(())
    }

    fn check_run(fuel_limit: u64, data: &[u8]) -> DispatchResult {
        let limits = T::SCHEDULE.limits;
        ensure!(
            fuel_limit <= limits.max_fuel_per_call,
            Error::FuelLimitTooHigh
        );
        ensure!(
            data.len() <= limits.max_io_len as usize,
            Error::InputTooLarge
        );
        Ok(())
    }

    /// [`Call::Instantiate`] for `deployer` without a storage deposit limit, with the frame's
    /// output, fuel and deposit.
    pub fn bare_instantiate(
        deployer: AccountId,
        code_hash: Hash,
        value: Balance,
        fuel_limit: u64,
        data: Vec<u8>,
        salt: Vec<u8>,
    ) -> ContractResult<AccountId> {
        Self::bare_instantiate_limited(deployer, code_hash, value, fuel_limit, None, data, salt)
    }

    /// [`Call::Instantiate`] for `deployer`, with the frame's output, fuel and deposit.
    pub fn bare_instantiate_limited(
        deployer: AccountId,
        code_hash: Hash,
        value: Balance,
        fuel_limit: u64,
        storage_deposit_limit: Option<Balance>,
        data: Vec<u8>,
        salt: Vec<u8>,
    ) -> ContractResult<AccountId> {
        Self::instantiate_with(
            deployer,
            code_hash,
            value,
            fuel_limit,
            storage_deposit_limit,
            data,
            salt,
            None,
        )
    }

    /// [`Self::bare_instantiate_limited`] collecting the debug messages of the run
    /// ([`ContractResult::debug_message`]), for RPC dry runs. Never for a transaction: the
    /// `debug_message` host function answers differently when messages are collected.
    pub fn dry_run_instantiate(
        deployer: AccountId,
        code_hash: Hash,
        value: Balance,
        fuel_limit: u64,
        storage_deposit_limit: Option<Balance>,
        data: Vec<u8>,
        salt: Vec<u8>,
    ) -> ContractResult<AccountId> {
        let debug = Self::debug_buffer();
        Self::instantiate_with(
            deployer,
            code_hash,
            value,
            fuel_limit,
            storage_deposit_limit,
            data,
            salt,
            Some(debug),
        )
    }

    /// An empty debug buffer of the schedule's size.
    fn debug_buffer() -> debug::SharedDebug {
        let limit = T::SCHEDULE.limits.max_debug_buffer_len as usize;
        std::rc::Rc::new(std::cell::RefCell::new(debug::DebugBuffer::new(limit)))
    }

    #[allow(clippy::too_many_arguments)]
    fn instantiate_with(
        deployer: AccountId,
        code_hash: Hash,
        value: Balance,
        fuel_limit: u64,
        storage_deposit_limit: Option<Balance>,
        data: Vec<u8>,
        salt: Vec<u8>,
        debug: Option<debug::SharedDebug>,
    ) -> ContractResult<AccountId> {
        if let Err(e) = Self::check_run(fuel_limit, &data) {
            return ContractResult::refused(e);
        }
        if salt.len() > T::SCHEDULE.limits.max_salt_len as usize {
            return ContractResult::refused(Error::SaltTooLong);
        }
        let Some(code_info) = CodeInfoOf::get(&code_hash) else {
            return ContractResult::refused(Error::CodeNotFound);
        };
        let contract = contract_address(&deployer, &code_hash, &salt);
        if ContractInfoOf::contains_key(&contract) {
            return ContractResult::refused(Error::ContractExists);
        }
        if ContractStorage::contains_prefix(&contract) {
            return ContractResult::refused(Error::ContractPendingDeletion);
        }

        let frame = Frame {
            entry: Entry::Deploy,
            code_hash,
            code_len: code_info.code_len,
            caller: deployer,
            contract,
            value,
            input: data,
            stack: Vec::new(),
            fuel_limit,
        };
        let meter = deposit::DepositMeter::shared(deployer, storage_deposit_limit);
        let base_deposit =
            ContractInfo::record_deposit(T::STORAGE_DEPOSIT_PER_BYTE, T::STORAGE_DEPOSIT_PER_ITEM);
        let setup_meter = meter.clone();
        Self::run_top_frame(frame, meter, debug, move |contract| {
            let mut meter = setup_meter.borrow_mut();
            if meter
                .charge::<T::Currency>(&contract, base_deposit)
                .is_err()
            {
                return Err(if meter.limit_hit() {
                    Error::StorageDepositLimitExhausted
                } else {
                    Error::StorageDepositNotCovered
                }
                .into());
            }
            drop(meter);
            Self::store_new_contract(&contract, deployer, code_hash, &code_info, base_deposit);
            Ok(())
        })
        .map_result(|()| {
            Self::deposit_event(Event::Instantiated {
                deployer,
                contract,
                code_hash,
            });
            contract
        })
    }

    /// [`Call::Call`] for `caller` without a storage deposit limit, with the frame's output,
    /// fuel and deposit.
    pub fn bare_call(
        caller: AccountId,
        dest: AccountId,
        value: Balance,
        fuel_limit: u64,
        data: Vec<u8>,
    ) -> ContractResult<()> {
        Self::bare_call_limited(caller, dest, value, fuel_limit, None, data)
    }

    /// [`Call::Call`] for `caller`, with the frame's output, fuel and deposit.
    pub fn bare_call_limited(
        caller: AccountId,
        dest: AccountId,
        value: Balance,
        fuel_limit: u64,
        storage_deposit_limit: Option<Balance>,
        data: Vec<u8>,
    ) -> ContractResult<()> {
        Self::call_with(
            caller,
            dest,
            value,
            fuel_limit,
            storage_deposit_limit,
            data,
            None,
        )
    }

    /// [`Self::bare_call_limited`] collecting the debug messages of the run
    /// ([`ContractResult::debug_message`]), for RPC dry runs. Never for a transaction: the
    /// `debug_message` host function answers differently when messages are collected.
    pub fn dry_run_call(
        caller: AccountId,
        dest: AccountId,
        value: Balance,
        fuel_limit: u64,
        storage_deposit_limit: Option<Balance>,
        data: Vec<u8>,
    ) -> ContractResult<()> {
        let debug = Self::debug_buffer();
        Self::call_with(
            caller,
            dest,
            value,
            fuel_limit,
            storage_deposit_limit,
            data,
            Some(debug),
        )
    }

    fn call_with(
        caller: AccountId,
        dest: AccountId,
        value: Balance,
        fuel_limit: u64,
        storage_deposit_limit: Option<Balance>,
        data: Vec<u8>,
        debug: Option<debug::SharedDebug>,
    ) -> ContractResult<()> {
        if let Err(e) = Self::check_run(fuel_limit, &data) {
            return ContractResult::refused(e);
        }
        let Some(info) = ContractInfoOf::get(&dest) else {
            return ContractResult::refused(Error::ContractNotFound);
        };
        let Some(code_info) = CodeInfoOf::get(&info.code_hash) else {
            return ContractResult::refused(Error::CodeNotFound);
        };
        let frame = Frame {
            entry: Entry::Call,
            code_hash: info.code_hash,
            code_len: code_info.code_len,
            caller,
            contract: dest,
            value,
            input: data,
            stack: Vec::new(),
            fuel_limit,
        };
        let meter = deposit::DepositMeter::shared(caller, storage_deposit_limit);
        Self::run_top_frame(frame, meter, debug, |_| Ok(())).map_result(|()| {
            Self::deposit_event(Event::Called {
                caller,
                contract: dest,
            });
        })
    }

    /// Runs a top-level frame in a storage transaction: `setup` (instantiation records), the
    /// value transfer, then the contract, charging deposits through `meter`. Everything is
    /// reverted unless the frame returns without the revert flag.
    fn run_top_frame(
        frame: Frame,
        meter: deposit::SharedMeter,
        debug: Option<debug::SharedDebug>,
        setup: impl FnOnce(AccountId) -> DispatchResult,
    ) -> TopFrame {
        let mut top = TopFrame {
            result: Ok(()),
            output: Vec::new(),
            exec_error: None,
            fuel_consumed: 0,
            storage_deposit: StorageDeposit::default(),
            debug_message: String::new(),
        };
        let frame_debug = debug.clone();
        let result = transactional(|| -> DispatchResult {
            setup(frame.contract)?;
            if frame.value > 0 {
                T::Currency::transfer(&frame.caller, &frame.contract, frame.value)?;
            }
            let env = Env::<T>::new(meter.clone(), frame_debug);
            let outcome = wasm::execute(Box::new(env), &T::SCHEDULE, frame);
            top.fuel_consumed = outcome.fuel_consumed;
            match outcome.result {
                Err(e) => {
                    let error = Error::from(&e);
                    top.exec_error = Some(e);
                    Err(error.into())
                }
                Ok(ret) => {
                    top.output = ret.data.clone();
                    ensure!(!ret.did_revert(), Error::ContractReverted);
                    Ok(())
                }
            }
        });
        if let Some(debug) = debug {
            top.debug_message = debug.borrow().as_str().to_owned();
        }
        let meter = meter.borrow();
        top.storage_deposit = deposit::net(&meter);
        top.result = match result {
            Err(e) if meter.limit_hit() && e != Error::StorageDepositNotCovered.into() => {
                Err(Error::StorageDepositLimitExhausted.into())
            }
            other => other,
        };
        top
    }

    /// A contract's nested call (the `call` host function), in its own storage transaction.
    pub(crate) fn nested_call(
        request: wasm::runtime::CallRequest,
        meter: &deposit::SharedMeter,
        debug: Option<&debug::SharedDebug>,
    ) -> Result<wasm::runtime::CallOutcome, ReturnCode> {
        let limits = T::SCHEDULE.limits;
        if request.stack.len() >= limits.max_call_depth as usize {
            return Err(ReturnCode::MaxCallDepthReached);
        }
        let info = ContractInfoOf::get(&request.dest).ok_or(ReturnCode::NotAContract)?;
        if request.stack.contains(&request.dest) && !info.reentrant {
            return Err(ReturnCode::ReentranceDenied);
        }
        let code_info = CodeInfoOf::get(&info.code_hash).ok_or(ReturnCode::NotAContract)?;
        let (caller, dest, value) = (request.caller, request.dest, request.value);
        let frame = Frame {
            entry: Entry::Call,
            code_hash: info.code_hash,
            code_len: code_info.code_len,
            caller,
            contract: dest,
            value,
            input: request.input,
            stack: request.stack,
            fuel_limit: request.fuel,
        };
        Self::run_nested(
            frame,
            meter,
            debug,
            || Ok(()),
            || {
                Self::deposit_event(Event::Called {
                    caller,
                    contract: dest,
                })
            },
        )
    }

    /// Runs a nested frame in its own storage transaction: `setup` (records, deposits), the
    /// value transfer, then the frame. Its writes (and the meter's counters) are kept only if it
    /// returned without the revert flag, and then `on_kept` runs (its event). A `setup` error or
    /// a failed transfer is the return code, with nothing kept.
    pub(crate) fn run_nested(
        frame: Frame,
        meter: &deposit::SharedMeter,
        debug: Option<&debug::SharedDebug>,
        setup: impl FnOnce() -> Result<(), ReturnCode>,
        on_kept: impl FnOnce(),
    ) -> Result<wasm::runtime::CallOutcome, ReturnCode> {
        let (caller, dest, value) = (frame.caller, frame.contract, frame.value);
        let mut outcome = Err(ReturnCode::TransferFailed);
        let snapshot = meter.borrow().snapshot();
        let kept: Result<(), ()> = transactional(|| {
            if let Err(code) = setup() {
                outcome = Err(code);
                return Err(());
            }
            if value > 0 && T::Currency::transfer(&caller, &dest, value).is_err() {
                outcome = Err(ReturnCode::TransferFailed);
                return Err(());
            }
            let env = Env::<T>::new(meter.clone(), debug.cloned());
            let exec = wasm::execute(Box::new(env), &T::SCHEDULE, frame);
            let keep = matches!(&exec.result, Ok(ret) if !ret.did_revert());
            outcome = Ok(wasm::runtime::CallOutcome {
                result: exec.result,
                fuel_consumed: exec.fuel_consumed,
            });
            if keep {
                on_kept();
                Ok(())
            } else {
                Err(())
            }
        });
        if kept.is_err() {
            meter.borrow_mut().restore(snapshot);
        }
        outcome
    }

    pub(crate) fn deposit_event(event: Event) {
        system::Pallet::<T>::deposit_event(event);
    }

    // ---- reads ----

    /// The contract at `address`.
    pub fn contract_info(address: &AccountId) -> Option<ContractInfo> {
        ContractInfoOf::get(address)
    }

    /// The code info of `code_hash`.
    pub fn code_info(code_hash: &Hash) -> Option<CodeInfo> {
        CodeInfoOf::get(code_hash)
    }

    /// The value at `key` in `contract`'s storage.
    pub fn get_storage(contract: &AccountId, key: &[u8]) -> Option<Vec<u8>> {
        ContractStorage::get(contract, &key.to_vec())
    }

    /// The pallet's metadata.
    pub fn metadata(index: u8) -> PalletMetadata {
        let schedule = serde_json::to_value(T::SCHEDULE).unwrap_or(serde_json::Value::Null);
        PalletMetadata {
            name: PALLET,
            index,
            calls: Call::metadata(),
            events: Event::metadata(),
            errors: errors_of::<Error>(),
            storage: vec![
                PristineCode::meta(),
                CodeInfoOf::meta(),
                ContractInfoOf::meta(),
                ContractStorage::meta(),
                DeletionQueue::meta(),
                DeletionQueueCounterOf::meta(),
            ],
            constants: vec![
                ConstantMeta {
                    name: "Schedule",
                    value: schedule,
                    docs: "Limits of code and execution, host-function fuel and fuel-to-weight.",
                },
                ConstantMeta {
                    name: "CodeDepositPerByte",
                    value: serde_json::Value::String(T::CODE_DEPOSIT_PER_BYTE.to_string()),
                    docs: "Deposit per byte of uploaded code.",
                },
                ConstantMeta {
                    name: "StorageDepositPerByte",
                    value: serde_json::Value::String(T::STORAGE_DEPOSIT_PER_BYTE.to_string()),
                    docs: "Deposit per byte of contract storage.",
                },
                ConstantMeta {
                    name: "DeletionKeysPerBlock",
                    value: serde_json::Value::from(DELETION_KEYS_PER_BLOCK),
                    docs: "Most storage entries of terminated contracts deleted per block.",
                },
                ConstantMeta {
                    name: "MaxDeletionQueueLen",
                    value: serde_json::Value::from(MAX_DELETION_QUEUE_LEN),
                    docs: "Most terminated contracts queued for storage deletion at once.",
                },
                ConstantMeta {
                    name: "StorageDepositPerItem",
                    value: serde_json::Value::String(T::STORAGE_DEPOSIT_PER_ITEM.to_string()),
                    docs: "Deposit per contract storage entry.",
                },
            ],
        }
    }
}

/// The outcome of a top-level frame before it is typed for the call.
struct TopFrame {
    result: DispatchResult,
    output: Vec<u8>,
    exec_error: Option<ExecError>,
    fuel_consumed: u64,
    storage_deposit: StorageDeposit,
    debug_message: String,
}

impl TopFrame {
    fn map_result<R>(self, on_success: impl FnOnce(()) -> R) -> ContractResult<R> {
        ContractResult {
            result: self.result.map(on_success),
            output: self.output,
            exec_error: self.exec_error,
            fuel_consumed: self.fuel_consumed,
            storage_deposit: self.storage_deposit,
            debug_message: self.debug_message,
        }
    }
}

fn len_u32(bytes: &[u8]) -> u32 {
    u32::try_from(bytes.len()).unwrap_or(u32::MAX)
}

impl<T: Config> Hooks for Pallet<T> {
    /// Drains the deletion queue: at most [`DELETION_KEYS_PER_BLOCK`] storage entries of
    /// terminated contracts are deleted; returns the weight that took.
    fn on_initialize(_n: BlockNumber) -> Weight {
        lifecycle::drain_deletion_queue(DELETION_KEYS_PER_BLOCK)
    }

    fn integrity_test() {
        assert!(
            lifecycle::deletion_weight(DELETION_KEYS_PER_BLOCK, DELETION_KEYS_PER_BLOCK + 1)
                <= system::Pallet::<T>::max_extrinsic_weight(),
            "the deletion queue's work per block must fit in a block"
        );
        let s = T::SCHEDULE;
        assert!(s.weight_per_fuel > 0, "weight_per_fuel must be positive");
        assert!(
            s.limits.max_call_depth >= 1,
            "max_call_depth must be positive"
        );
        assert!(
            s.limits.max_memory_pages >= 1 && s.limits.max_memory_pages <= 65_536,
            "max_memory_pages must be 1..=65536"
        );
        assert!(
            Weight::from_ref_time(s.fuel_to_weight(s.limits.max_fuel_per_call))
                <= system::Pallet::<T>::max_extrinsic_weight(),
            "max_fuel_per_call must fit in a block"
        );
    }
}
