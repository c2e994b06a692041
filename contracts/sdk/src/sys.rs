//! The raw imports of the `ghost` host module, one per host function of `docs/WASM-LITE.md`,
//! with the exact WASM signatures the pallet checks at upload (`i32` pointers and lengths).
//!
//! Everything here is `unsafe`: pointers must point into linear memory for the lengths given
//! (the host traps otherwise). Use the safe wrappers in [`crate::env`], [`crate::storage`],
//! [`crate::crypto`], [`crate::event`], [`crate::call`], [`crate::lifecycle`], [`crate::names`] and
//! [`crate::debug`].
//!
//! On the host (not `wasm32`) the same names are the in-memory implementations of the off-chain
//! test environment ([`crate::test::host`]), so a contract's unit tests run with `cargo test`.

#[cfg(not(target_arch = "wasm32"))]
pub use crate::test::host::*;

#[cfg(target_arch = "wasm32")]
#[link(wasm_import_module = "ghost")]
unsafe extern "C" {
    /// Copies the call data to an output buffer.
    pub fn input(out_ptr: *mut u8, out_len_ptr: *mut u32) -> i32;
    /// Ends the frame with `data`; `flags` bit 0 = revert.
    pub fn return_data(flags: u32, data_ptr: *const u8, data_len: u32);
    /// Reads a storage value into an output buffer; `KeyNotFound` if unset.
    pub fn storage_get(
        key_ptr: *const u8,
        key_len: u32,
        out_ptr: *mut u8,
        out_len_ptr: *mut u32,
    ) -> i32;
    /// Writes a storage value, adjusting the storage deposit.
    pub fn storage_set(key_ptr: *const u8, key_len: u32, val_ptr: *const u8, val_len: u32) -> i32;
    /// Removes a storage value; `KeyNotFound` if unset.
    pub fn storage_remove(key_ptr: *const u8, key_len: u32) -> i32;
    /// Writes the caller's 32-byte account.
    pub fn caller(out_ptr: *mut u8);
    /// Writes this contract's 32-byte address.
    pub fn address(out_ptr: *mut u8);
    /// Writes the `u128` moved to this contract by this call.
    pub fn value_transferred(out_ptr: *mut u8);
    /// Writes this contract's free balance (`u128`).
    pub fn balance(out_ptr: *mut u8);
    /// Transfers the `u128` at `value_ptr` from this contract to the account at `dest_ptr`.
    pub fn transfer(dest_ptr: *const u8, value_ptr: *const u8) -> i32;
    /// The block number.
    pub fn block_number() -> i64;
    /// The block's timestamp (ms).
    pub fn block_timestamp() -> i64;
    /// Emits an event with `topics_len / 32` topics.
    pub fn emit_event(topics_ptr: *const u8, topics_len: u32, data_ptr: *const u8, data_len: u32);
    /// Calls another contract.
    pub fn call(
        dest_ptr: *const u8,
        value_ptr: *const u8,
        fuel: i64,
        in_ptr: *const u8,
        in_len: u32,
        out_ptr: *mut u8,
        out_len_ptr: *mut u32,
    ) -> i32;
    /// Stores whether this contract accepts reentrant calls.
    pub fn allow_reentry(allow: i32);
    /// Writes the 32-byte blake3 hash of the input.
    pub fn blake3(in_ptr: *const u8, in_len: u32, out_ptr: *mut u8);
    /// Verifies a 64-byte ed25519 signature by a 32-byte key; `InvalidSignature` if it fails.
    pub fn ed25519_verify(
        sig_ptr: *const u8,
        pubkey_ptr: *const u8,
        msg_ptr: *const u8,
        msg_len: u32,
    ) -> i32;
    /// Fuel left in this frame.
    pub fn fuel_left() -> i64;
    /// Appends UTF-8 to the call's debug buffer (dry runs only); `DebugBufferFull` if cut,
    /// `LoggingDisabled` in a transaction.
    pub fn debug_message(ptr: *const u8, len: u32) -> i32;
    /// Writes `SCALE(NameResolution)` of a name to an output buffer; `NameNotFound`.
    pub fn name_resolve(
        name_ptr: *const u8,
        name_len: u32,
        out_ptr: *mut u8,
        out_len_ptr: *mut u32,
    ) -> i32;
    /// Commits to a registration by this contract: the 32-byte commitment at `commitment_ptr`.
    pub fn name_commit(commitment_ptr: *const u8) -> i32;
    /// Registers a name for this contract, paid by it, revealing the 32-byte secret at
    /// `secret_ptr` of an earlier commitment.
    pub fn name_register(
        name_ptr: *const u8,
        name_len: u32,
        duration_ms: i64,
        secret_ptr: *const u8,
    ) -> i32;
    /// Extends a name by `duration_ms`, paid by this contract.
    pub fn name_renew(name_ptr: *const u8, name_len: u32, duration_ms: i64) -> i32;
    /// Lets the account at `account_ptr` manage a name this contract owns (`approve` non-zero),
    /// or nobody (`approve` zero).
    pub fn name_approve(
        name_ptr: *const u8,
        name_len: u32,
        account_ptr: *const u8,
        approve: i32,
    ) -> i32;
    /// Replaces a name's DNS records with `SCALE(Vec<DnsRecord>)`.
    pub fn name_set_records(
        name_ptr: *const u8,
        name_len: u32,
        records_ptr: *const u8,
        records_len: u32,
    ) -> i32;
    /// Transfers a name this contract owns to the account at `to_ptr`.
    pub fn name_transfer(name_ptr: *const u8, name_len: u32, to_ptr: *const u8) -> i32;
    /// Creates or reassigns the subname `label.parent` (the parent managed by this contract),
    /// owned by the account at `owner_ptr`; `lock` non-zero gives up the parent's control of it.
    pub fn name_set_subname_owner(
        parent_ptr: *const u8,
        parent_len: u32,
        label_ptr: *const u8,
        label_len: u32,
        owner_ptr: *const u8,
        lock: i32,
    ) -> i32;
    /// Instantiates the code at `code_hash_ptr` at `blake3(this ++ code_hash ++ salt)`, moving
    /// the `u128` at `value_ptr` and running its `deploy` with the input; writes the 32-byte
    /// address on success and `deploy`'s output (truncated) to the output buffer.
    pub fn instantiate(
        code_hash_ptr: *const u8,
        value_ptr: *const u8,
        fuel: i64,
        in_ptr: *const u8,
        in_len: u32,
        salt_ptr: *const u8,
        salt_len: u32,
        address_out_ptr: *mut u8,
        out_ptr: *mut u8,
        out_len_ptr: *mut u32,
    ) -> i32;
    /// Removes this contract, moving its balance to the account at `beneficiary_ptr`; ends the
    /// frame on success, returns the code otherwise.
    pub fn terminate(beneficiary_ptr: *const u8) -> i32;
    /// Makes this contract run the 32-byte code hash at `code_hash_ptr` from its next call on.
    pub fn set_code_hash(code_hash_ptr: *const u8) -> i32;
}
