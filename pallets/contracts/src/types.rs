//! Types of the contracts pallet: stored code and contract records, the [`Schedule`] (limits and
//! fuel prices), return codes and flags of host functions, the ABI helpers and the
//! [`NameProvider`] the runtime plugs the domains pallet into.

use ghost_primitives::{AccountId, Balance, DnsRecord, DomainName, Hash};
use parity_scale_codec::{Decode, Encode};

/// What the chain keeps about one uploaded code blob (the bytes are in `PristineCode`).
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CodeInfo {
    /// Who uploaded it and holds its deposit.
    pub owner: AccountId,
    /// The deposit reserved from the owner (`code_len × CODE_DEPOSIT_PER_BYTE`).
    pub deposit: Balance,
    /// How many contracts were instantiated from it (code in use cannot be removed).
    pub refcount: u64,
    /// The code's length in bytes (prices loading it on every execution).
    pub code_len: u32,
}

/// What the chain keeps about one contract instance.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContractInfo {
    /// The code it runs.
    pub code_hash: Hash,
    /// Who instantiated it.
    pub deployer: AccountId,
    /// Bytes of its storage (keys plus values).
    pub storage_bytes: u64,
    /// Number of its storage entries.
    pub storage_items: u32,
    /// The storage deposit currently reserved on the contract's own account, paid by the
    /// signers of the transactions that grew its storage.
    pub storage_deposit: Balance,
    /// The deposit for this record itself, paid by the deployer and reserved on the contract's
    /// own account ([`ContractInfo::record_deposit`]).
    pub base_deposit: Balance,
    /// Whether it accepts being called again while it is already on the call stack (set by the
    /// contract itself with the `allow_reentry` host function).
    pub reentrant: bool,
}

impl ContractInfo {
    /// Bytes the record takes in state, priced like contract storage: the 32-byte address
    /// key and the encoded record (`code_hash`, `deployer`, sizes, deposits, flag).
    pub const RECORD_BYTES: u64 = 32 + 32 + 32 + 8 + 4 + 16 + 16 + 1;

    /// The deposit a contract record takes: one storage item of [`Self::RECORD_BYTES`].
    pub fn record_deposit(per_byte: Balance, per_item: Balance) -> Balance {
        per_byte
            .saturating_mul(Balance::from(Self::RECORD_BYTES))
            .saturating_add(per_item)
    }
}

/// The two ends of the deletion queue ([`crate::DeletionQueue`]): entries `delete..insert` are
/// queued, the oldest at `delete`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Encode, Decode, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeletionQueueCounter {
    /// The index the next terminated contract is queued at.
    pub insert: u64,
    /// The index of the oldest queued contract.
    pub delete: u64,
}

impl DeletionQueueCounter {
    /// How many contracts are queued.
    pub const fn len(&self) -> u64 {
        self.insert.saturating_sub(self.delete)
    }

    /// Whether none is queued.
    pub const fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// What a run did to the storage deposits of its signer: net of charges and refunds (as
/// pallet-contracts' `StorageDeposit`).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub enum StorageDeposit {
    /// The signer paid this much more than it got back.
    Charge(Balance),
    /// The signer got this much more back than it paid.
    Refund(Balance),
}

impl Default for StorageDeposit {
    fn default() -> Self {
        StorageDeposit::Charge(0)
    }
}

impl StorageDeposit {
    /// The net charge (0 for a refund).
    pub fn charge_or_zero(self) -> Balance {
        match self {
            StorageDeposit::Charge(amount) => amount,
            StorageDeposit::Refund(_) => 0,
        }
    }
}

/// Limits of WASM-lite code and execution. Part of consensus: changing one is a runtime upgrade.
#[derive(Clone, Copy, PartialEq, Eq, Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Limits {
    /// Largest code blob accepted by `upload_code` (bytes).
    pub max_code_len: u32,
    /// Most linear-memory pages (64 KiB each), initial or after `memory.grow`.
    pub max_memory_pages: u32,
    /// Most functions (imported plus defined).
    pub max_functions: u32,
    /// Most globals.
    pub max_globals: u32,
    /// Most tables.
    pub max_tables: u32,
    /// Most entries of a table.
    pub max_table_entries: u32,
    /// Most type-section entries.
    pub max_types: u32,
    /// Most imports.
    pub max_imports: u32,
    /// Most exports.
    pub max_exports: u32,
    /// Most data segments.
    pub max_data_segments: u32,
    /// Most element segments.
    pub max_element_segments: u32,
    /// Most parameters of a function type.
    pub max_func_params: u32,
    /// Most results of a function type.
    pub max_func_results: u32,
    /// Most locals declared by one function body.
    pub max_locals: u32,
    /// Most nested contract frames (the top-level call is depth 1).
    pub max_call_depth: u32,
    /// Longest storage key a contract may use.
    pub max_storage_key_len: u32,
    /// Longest storage value a contract may write.
    pub max_storage_value_len: u32,
    /// Most topics of one contract event.
    pub max_event_topics: u32,
    /// Longest data of one contract event.
    pub max_event_data_len: u32,
    /// Longest input (call data) or output (return data) of one contract frame.
    pub max_io_len: u32,
    /// Longest salt of `instantiate`.
    pub max_salt_len: u32,
    /// Most fuel one extrinsic may buy.
    pub max_fuel_per_call: u64,
    /// Most DNS records one `name_set_records` may pass (more is `InvalidName`, refused before
    /// the name service sees them).
    pub max_name_records: u32,
    /// Most bytes of debug messages one dry run collects, over all its frames (more is cut and
    /// `debug_message` returns `DebugBufferFull`).
    pub max_debug_buffer_len: u32,
}

impl Limits {
    /// The limits of issue 5: 1 MiB memory, 256 KiB code, depth 8.
    pub const DEFAULT: Limits = Limits {
        max_code_len: 256 * 1024,
        max_memory_pages: 16,
        max_functions: 4_096,
        max_globals: 256,
        max_tables: 1,
        max_table_entries: 4_096,
        max_types: 512,
        max_imports: 64,
        max_exports: 128,
        max_data_segments: 1_024,
        max_element_segments: 256,
        max_func_params: 32,
        max_func_results: 8,
        max_locals: 4_096,
        max_call_depth: 8,
        max_storage_key_len: 128,
        max_storage_value_len: 16 * 1024,
        max_event_topics: 4,
        max_event_data_len: 4 * 1024,
        max_io_len: 64 * 1024,
        max_salt_len: 64,
        max_fuel_per_call: 500_000_000,
        max_name_records: 128,
        max_debug_buffer_len: 16 * 1024,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}

/// The fuel every host function charges before it acts. One fuel is one basic WASM operator
/// (wasmi's default operator costs); the defaults assume [`Schedule::weight_per_fuel`] = 2 ns, so
/// a 25 µs state read is 12 500 fuel and a 100 µs write 50 000 (see `ROCKS_DB_WEIGHT`).
#[derive(Clone, Copy, PartialEq, Eq, Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HostFnCosts {
    /// Every host call, on top of what follows.
    pub base: u64,
    /// Per byte copied between linear memory and the host, or hashed.
    pub per_byte: u64,
    /// One state read (`storage_get`, `balance`, block number and time, reentrancy flag).
    pub storage_read: u64,
    /// One state write (`storage_set`, `storage_remove`, `allow_reentry`).
    pub storage_write: u64,
    /// A balance transfer (two accounts read and written).
    pub transfer: u64,
    /// Depositing a contract event.
    pub deposit_event: u64,
    /// Setting up a nested contract call (the callee's own fuel is charged as it runs).
    pub call: u64,
    /// One ed25519 signature verification.
    pub ed25519_verify: u64,
    /// Resolving a name.
    pub name_read: u64,
    /// Registering a name, setting its records, transferring it or setting a subname's owner.
    pub name_write: u64,
    /// Per DNS record `name_set_records` handles: each record the name had (removed) and each
    /// it passes (validated, sorted and written).
    pub name_record: u64,
    /// Per storage entry of a contract that `terminate`s: the later deletion of the entry by
    /// the deletion queue (one key read, one key removed), paid up front by the terminating
    /// call, since the blocks that do the work charge nobody.
    pub deletion_per_item: u64,
}

impl HostFnCosts {
    /// Prices for the reference machine, checked against the worst case of each host function
    /// by `contracts/fixtures/benches/host_fns.rs` (results in [`crate::weights`]): every price
    /// covers its measured time at 2 ns per fuel; `ed25519_verify` was raised from 25 000 to
    /// 75 000 by it (a 1 KiB verification took 94 µs, the old price paid for 50 µs).
    pub const DEFAULT: HostFnCosts = HostFnCosts {
        base: 50,
        per_byte: 1,
        storage_read: 12_500,
        storage_write: 50_000,
        transfer: 125_000,
        deposit_event: 100_000,
        call: 25_000,
        ed25519_verify: 75_000,
        name_read: 25_000,
        name_write: 500_000,
        name_record: 25_000,
        // One `ROCKS_DB_WEIGHT` read + one write (125 µs) at 2 ns per fuel; a deleted key took
        // 2.1 µs on RocksDB (`benches/deletion.rs`, see `crate::weights`).
        deletion_per_item: 62_500,
    };
}

impl HostFnCosts {
    /// `base + per_byte × bytes`, saturating.
    pub const fn bytes(&self, bytes: u64) -> u64 {
        self.base
            .saturating_add(self.per_byte.saturating_mul(bytes))
    }

    /// `storage_set` or `storage_remove` of `bytes` (key + value): what it does in state, not
    /// one write: reads the contract's record and the old value, writes the value (or removes
    /// it) and the record, and moves the deposit difference (a transfer between the signer and
    /// the contract plus a reserve or unreserve, one more account write).
    pub const fn storage_change(&self, bytes: u64) -> u64 {
        self.storage_read
            .saturating_mul(2)
            .saturating_add(self.storage_write.saturating_mul(3))
            .saturating_add(self.transfer)
            .saturating_add(self.bytes(bytes))
    }

    /// A nested `call` before the callee runs, with `input_len` bytes of input: reading the
    /// callee's record and its code's record, the `Called` event a successful call deposits,
    /// and, when `value` moves, the transfer.
    pub const fn nested_call(&self, input_len: u64, moves_value: bool) -> u64 {
        let transfer = if moves_value { self.transfer } else { 0 };
        self.call
            .saturating_add(self.storage_read.saturating_mul(2))
            .saturating_add(self.deposit_event)
            .saturating_add(transfer)
            .saturating_add(self.bytes(input_len.saturating_add(48)))
    }
}

impl HostFnCosts {
    /// `terminate` of a contract with `items` storage entries: reading its record, its code's
    /// record, its balance and whether it owns a name; removing the record, updating the code's refcount and pushing
    /// onto the deletion queue (entry and counter); refunding its deposits and moving its
    /// balance (two transfers); the `Terminated` event; and the later deletion of every entry
    /// ([`Self::deletion_per_item`]).
    pub const fn terminate(&self, items: u32) -> u64 {
        self.base
            .saturating_add(self.bytes(32))
            .saturating_add(self.storage_read.saturating_mul(4))
            .saturating_add(self.storage_write.saturating_mul(4))
            .saturating_add(self.transfer.saturating_mul(2))
            .saturating_add(self.deposit_event)
            .saturating_add(self.deletion_per_item.saturating_mul(items as u64))
    }

    /// `set_code_hash`: reading the contract's record and the new code's record, writing the
    /// record and both codes' refcounts, and the `ContractCodeUpdated` event.
    pub const fn set_code_hash(&self) -> u64 {
        self.bytes(32)
            .saturating_add(self.storage_read.saturating_mul(3))
            .saturating_add(self.storage_write.saturating_mul(3))
            .saturating_add(self.deposit_event)
    }

    /// A nested `instantiate` before `deploy` runs, with `input_len` bytes of input and
    /// `salt_len` of salt: what a nested call costs ([`Self::nested_call`]) plus reading the
    /// code's record and whether the address is taken (record and leftover storage), writing
    /// the new record and the code's refcount, and charging the record's deposit (a transfer
    /// and a reserve).
    pub const fn nested_instantiate(
        &self,
        input_len: u64,
        salt_len: u64,
        moves_value: bool,
    ) -> u64 {
        self.nested_call(
            input_len.saturating_add(salt_len).saturating_add(32),
            moves_value,
        )
        .saturating_add(self.storage_read.saturating_mul(3))
        .saturating_add(self.storage_write.saturating_mul(3))
        .saturating_add(self.transfer)
    }
}

impl Default for HostFnCosts {
    fn default() -> Self {
        HostFnCosts::DEFAULT
    }
}

/// Everything that prices and bounds contract execution.
#[derive(Clone, Copy, PartialEq, Eq, Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Schedule {
    /// Limits on code and execution.
    pub limits: Limits,
    /// Fuel of host functions.
    pub host_fn_costs: HostFnCosts,
    /// Weight (picoseconds) of one unit of fuel: `weight = fuel × weight_per_fuel`.
    pub weight_per_fuel: u64,
    /// Fuel charged per byte of code each time a contract frame starts (loading and compiling
    /// the module; charged even when the node's module cache makes it cheaper, so that every
    /// node charges the same).
    pub load_fuel_per_byte: u64,
    /// Fuel charged per function the code defines each time a frame starts: a function costs
    /// its translation however small it is, so the per-byte fee alone would undercharge code
    /// of many tiny functions (see `crate::weights`).
    pub load_fuel_per_function: u64,
}

impl Schedule {
    /// The default schedule.
    pub const DEFAULT: Schedule = Schedule {
        limits: Limits::DEFAULT,
        host_fn_costs: HostFnCosts::DEFAULT,
        weight_per_fuel: 2_000,
        load_fuel_per_byte: 20,
        load_fuel_per_function: 500,
    };

    /// The fuel a frame pays to load code of `code_len` bytes defining `functions` functions,
    /// saturating.
    pub const fn load_fuel(&self, code_len: u32, functions: u32) -> u64 {
        (code_len as u64)
            .saturating_mul(self.load_fuel_per_byte)
            .saturating_add((functions as u64).saturating_mul(self.load_fuel_per_function))
    }

    /// The weight of `fuel`, saturating.
    pub const fn fuel_to_weight(&self, fuel: u64) -> u64 {
        fuel.saturating_mul(self.weight_per_fuel)
    }

    /// The fuel that `weight` (picoseconds) buys, rounded down.
    pub const fn weight_to_fuel(&self, weight: u64) -> u64 {
        match self.weight_per_fuel {
            0 => u64::MAX,
            per => weight / per,
        }
    }
}

impl Default for Schedule {
    fn default() -> Self {
        Schedule::DEFAULT
    }
}

/// What a host function returns to the contract (as an `i32`). `0` is success; the others say
/// what went wrong without trapping, so the contract can react. Contract bugs (a pointer outside
/// memory, a key that is too long) trap instead.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u32)]
pub enum ReturnCode {
    /// It worked.
    Success = 0,
    /// The called contract trapped (or ran out of fuel); its writes were reverted.
    CalleeTrapped = 1,
    /// The called contract returned with the revert flag; its writes were reverted, its output
    /// was copied.
    CalleeReverted = 2,
    /// The storage key has no value.
    KeyNotFound = 3,
    /// A balance transfer failed (insufficient balance, existential deposit).
    TransferFailed = 4,
    /// The output buffer is too small; the needed length was written to the length pointer.
    BufferTooSmall = 5,
    /// The callee is not a contract.
    NotAContract = 6,
    /// The callee is already on the call stack and does not allow reentry.
    ReentranceDenied = 7,
    /// The call would exceed the maximum call depth.
    MaxCallDepthReached = 8,
    /// The transaction's signer cannot pay the storage deposit of the write, or its
    /// `storage_deposit_limit` does not allow it.
    StorageDepositNotCovered = 9,
    /// The runtime has no name service wired to contracts.
    NamesUnavailable = 10,
    /// The name is not registered (or has expired).
    NameNotFound = 11,
    /// The contract does not own (or manage) the name.
    NotNameOwner = 12,
    /// The name is not canonical, or the records do not decode or are invalid.
    InvalidName = 13,
    /// The name service refused the operation (taken, too many records, fee not paid, a locked
    /// subname, ...).
    NameOperationFailed = 14,
    /// The ed25519 signature does not verify.
    InvalidSignature = 15,
    /// The debug buffer is full: the message was cut (dry runs only).
    DebugBufferFull = 16,
    /// Debug messages are not collected: this is a transaction, not a dry run. The message was
    /// dropped (its fuel is charged all the same).
    LoggingDisabled = 17,
    /// `terminate` refused: the contract is on the call stack more than once (re-entered), so
    /// an outer frame of it is still running.
    TerminateWhileReentered = 18,
    /// `terminate` refused: the contract is running its `deploy` (a contract cannot end itself
    /// before it exists; revert instead).
    TerminateInDeploy = 19,
    /// No code with this hash is stored (`set_code_hash`, `instantiate`).
    CodeNotFound = 20,
    /// `instantiate`: a contract already exists at the address, or the storage of a contract
    /// terminated there is still queued for deletion (change the salt, or wait).
    DuplicateContract = 21,
    /// `terminate` refused: the deletion queue is full; try again in a later block.
    DeletionQueueFull = 22,
    /// `terminate` refused: the contract still owns names or subnames, which nobody could
    /// manage after it is gone; transfer them (`name_transfer`) first.
    OwnsNames = 23,
}

impl ReturnCode {
    /// The value handed to WASM.
    pub const fn as_i32(self) -> i32 {
        self as u32 as i32
    }
}

/// Flags of `return_data`: bit 0 set means *revert* (the frame's writes are rolled back and the
/// caller sees [`ReturnCode::CalleeReverted`]). Other bits are reserved and must be zero.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Encode, Decode)]
pub struct ReturnFlags(pub u32);

impl ReturnFlags {
    /// The revert bit.
    pub const REVERT: u32 = 1;

    /// Whether the revert bit is set.
    pub const fn is_revert(self) -> bool {
        self.0 & Self::REVERT != 0
    }
}

/// What a contract frame that did not trap returned.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct ExecReturn {
    /// Its flags.
    pub flags: ReturnFlags,
    /// Its output (SCALE by the ABI convention).
    pub data: Vec<u8>,
}

impl ExecReturn {
    /// Whether the frame asked for its writes to be reverted.
    pub fn did_revert(&self) -> bool {
        self.flags.is_revert()
    }
}

/// The ABI selector of `method`: the first 4 bytes of `blake3(method)`. Call data is
/// `selector ++ SCALE(args)`.
pub fn selector(method: &str) -> [u8; 4] {
    let hash = blake3::hash(method.as_bytes());
    let mut out = [0u8; 4];
    out.copy_from_slice(&hash.as_bytes()[..4]);
    out
}

/// The address of the contract `deployer` instantiates from `code_hash` with `salt`:
/// `blake3(deployer ++ code_hash ++ salt)`.
pub fn contract_address(deployer: &AccountId, code_hash: &Hash, salt: &[u8]) -> AccountId {
    let mut hasher = blake3::Hasher::new();
    hasher.update(&deployer.0);
    hasher.update(&code_hash.0);
    hasher.update(salt);
    AccountId(*hasher.finalize().as_bytes())
}

/// A name as contracts see it: its owner and DNS records.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode)]
pub struct NameResolution {
    /// The owner.
    pub owner: AccountId,
    /// The DNS records.
    pub records: Vec<DnsRecord>,
}

/// Why the name service refused a contract's request.
#[derive(Clone, Copy, PartialEq, Eq, Debug, thiserror::Error)]
pub enum NamesError {
    /// No name service is wired to contracts in this runtime.
    #[error("names are not available to contracts in this runtime")]
    NotAvailable,
    /// The name is not registered (or has expired).
    #[error("the name is not registered")]
    NotFound,
    /// The contract does not own (or manage) the name.
    #[error("the contract does not own the name")]
    NotOwner,
    /// The request is invalid (records or a subname label refused by the name service's rules).
    #[error("invalid name request")]
    Invalid,
    /// The name service refused for another reason (taken, fee not paid, a locked subname,
    /// ...).
    #[error("the name service refused the request")]
    Refused,
}

impl NamesError {
    /// The host-function return code.
    pub const fn return_code(self) -> ReturnCode {
        match self {
            NamesError::NotAvailable => ReturnCode::NamesUnavailable,
            NamesError::NotFound => ReturnCode::NameNotFound,
            NamesError::NotOwner => ReturnCode::NotNameOwner,
            NamesError::Invalid => ReturnCode::InvalidName,
            NamesError::Refused => ReturnCode::NameOperationFailed,
        }
    }
}

/// The name service contracts may use, supplied by the runtime (the domains pallet). Every
/// method acts *as* `contract`: it pays fees from the contract's account and may only change
/// names the contract owns or manages.
pub trait NameProvider {
    /// The owner and records of an active `name`, `Ok(None)` if it does not resolve.
    fn resolve(name: &DomainName) -> Result<Option<NameResolution>, NamesError>;
    /// Commits `contract` to a registration (the domains pallet's `commit`, as the contract).
    fn commit(contract: &AccountId, commitment: Hash) -> Result<(), NamesError>;
    /// Registers `name` for `contract` for `duration_ms`, paid by the contract, revealing
    /// `secret` of the commitment it made with [`NameProvider::commit`].
    fn register(
        contract: &AccountId,
        name: &DomainName,
        duration_ms: u64,
        secret: Hash,
    ) -> Result<(), NamesError>;
    /// Extends `name` by `duration_ms`, paid by `contract` (anyone may renew a name).
    fn renew(contract: &AccountId, name: &DomainName, duration_ms: u64) -> Result<(), NamesError>;
    /// Lets `account` (or, with `None`, nobody) manage `name`, which `contract` must own.
    fn approve(
        contract: &AccountId,
        name: &DomainName,
        account: Option<AccountId>,
    ) -> Result<(), NamesError>;
    /// Replaces the DNS records of `name`, which `contract` must manage.
    fn set_records(
        contract: &AccountId,
        name: &DomainName,
        records: Vec<DnsRecord>,
    ) -> Result<(), NamesError>;
    /// Gives `name`, which `contract` must own, to `to`.
    fn transfer(contract: &AccountId, name: &DomainName, to: &AccountId) -> Result<(), NamesError>;
    /// Whether `account` owns any name or subname (registered, in grace, or expired and not
    /// swept yet): a contract that does may not terminate.
    fn owns_names(account: &AccountId) -> bool;
    /// Creates the subname `label.parent` owned by `owner`, or gives an existing one to `owner`;
    /// `contract` must manage `parent`. With `lock` the parent gives up control of the subname
    /// for good; without it the parent's manager may reassign it later. `label` is one valid
    /// label (the host checks it before calling).
    fn set_subname_owner(
        contract: &AccountId,
        parent: &DomainName,
        label: &str,
        owner: &AccountId,
        lock: bool,
    ) -> Result<(), NamesError>;
}

/// No name service: every request fails with [`NamesError::NotAvailable`].
impl NameProvider for () {
    fn owns_names(_: &AccountId) -> bool {
        false
    }
    fn resolve(_name: &DomainName) -> Result<Option<NameResolution>, NamesError> {
        Err(NamesError::NotAvailable)
    }
    fn commit(_: &AccountId, _: Hash) -> Result<(), NamesError> {
        Err(NamesError::NotAvailable)
    }
    fn register(_: &AccountId, _: &DomainName, _: u64, _: Hash) -> Result<(), NamesError> {
        Err(NamesError::NotAvailable)
    }
    fn renew(_: &AccountId, _: &DomainName, _: u64) -> Result<(), NamesError> {
        Err(NamesError::NotAvailable)
    }
    fn approve(_: &AccountId, _: &DomainName, _: Option<AccountId>) -> Result<(), NamesError> {
        Err(NamesError::NotAvailable)
    }
    fn set_records(_: &AccountId, _: &DomainName, _: Vec<DnsRecord>) -> Result<(), NamesError> {
        Err(NamesError::NotAvailable)
    }
    fn transfer(_: &AccountId, _: &DomainName, _: &AccountId) -> Result<(), NamesError> {
        Err(NamesError::NotAvailable)
    }
    fn set_subname_owner(
        _: &AccountId,
        _: &DomainName,
        _: &str,
        _: &AccountId,
        _: bool,
    ) -> Result<(), NamesError> {
        Err(NamesError::NotAvailable)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selector_is_blake3_prefix() {
        let s = selector("increment");
        assert_eq!(&s[..], &blake3::hash(b"increment").as_bytes()[..4]);
        assert_ne!(selector("get"), selector("increment"));
    }

    #[test]
    fn contract_address_depends_on_every_part() {
        let d = AccountId([1; 32]);
        let h = Hash([2; 32]);
        let a = contract_address(&d, &h, b"salt");
        assert_eq!(a, contract_address(&d, &h, b"salt"));
        assert_ne!(a, contract_address(&AccountId([3; 32]), &h, b"salt"));
        assert_ne!(a, contract_address(&d, &Hash([4; 32]), b"salt"));
        assert_ne!(a, contract_address(&d, &h, b"salt2"));
        let mut concat = Vec::new();
        concat.extend_from_slice(&d.0);
        concat.extend_from_slice(&h.0);
        concat.extend_from_slice(b"salt");
        assert_eq!(a.0, *blake3::hash(&concat).as_bytes());
    }

    #[test]
    fn fuel_and_weight_convert_both_ways() {
        let s = Schedule::DEFAULT;
        assert_eq!(s.fuel_to_weight(1_000), 2_000_000);
        assert_eq!(s.weight_to_fuel(2_000_000), 1_000);
        assert_eq!(s.fuel_to_weight(u64::MAX), u64::MAX);
    }
}
