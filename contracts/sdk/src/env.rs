//! The frame's context and its end: call data, return and revert, caller, address, value,
//! balance and transfers, block number and time, fuel, reentrancy.
//!
//! Ending a frame ([`return_value`], [`revert`], [`finish`]) never returns: the host stops the
//! contract inside `return_data`.

use alloc::vec::Vec;

use parity_scale_codec::Encode;

use crate::error::{Error, Result};
use crate::sys;
use crate::types::{AccountId, Balance, BlockNumber, Moment};

/// The revert bit of `return_data`'s flags.
const REVERT: u32 = 1;

/// Initial capacity of buffers for data of unknown length (call data, storage values, name
/// resolutions); longer data costs one more host call.
pub(crate) const FIRST_BUFFER: usize = 256;

/// The length of a slice as the host's `u32` (lossless on `wasm32`, where `usize` is 32 bits).
#[inline]
pub(crate) fn len32(bytes: &[u8]) -> u32 {
    bytes.len() as u32
}

/// Reads variable-length output from a host function that takes an *output buffer*
/// `(out_ptr, out_len_ptr)`: tries a buffer of `capacity` bytes and, on `BufferTooSmall`,
/// once more with the length the host asked for.
pub(crate) fn read_output(
    capacity: usize,
    mut host_fn: impl FnMut(*mut u8, *mut u32) -> i32,
) -> Result<Vec<u8>> {
    let mut buf: Vec<u8> = Vec::with_capacity(capacity);
    let mut len = buf.capacity() as u32;
    let mut code = host_fn(buf.as_mut_ptr(), &mut len);
    if Error::check(code) == Err(Error::BufferTooSmall) {
        // `len` is the length needed.
        drop(buf);
        buf = Vec::with_capacity(len as usize);
        len = buf.capacity() as u32;
        code = host_fn(buf.as_mut_ptr(), &mut len);
    }
    Error::check(code)?;
    let len = (len as usize).min(buf.capacity());
    // SAFETY: on success the host wrote `len` bytes (at most the capacity it was given) to the
    // start of the buffer.
    unsafe { buf.set_len(len) };
    Ok(buf)
}

/// Stops the contract (a trap): the frame's writes are reverted and the caller sees
/// `ContractTrapped`. For states that cannot happen unless the contract or the host is broken.
#[inline]
pub fn trap() -> ! {
    #[cfg(target_arch = "wasm32")]
    {
        core::arch::wasm32::unreachable()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        panic!("ghost contract trapped")
    }
}

/// The call data: for `call`, `selector ++ SCALE(args)`; for `deploy`, the instantiation data.
pub fn input() -> Vec<u8> {
    // SAFETY: the host writes at most the buffer's capacity (read_output's contract).
    read_output(FIRST_BUFFER, |out, out_len| unsafe {
        sys::input(out, out_len)
    })
    .unwrap_or_else(|_| trap())
}

/// Ends the frame with raw `data`; `revert` rolls back all its writes (the caller sees
/// `CalleeReverted`, a top-level call fails with `ContractReverted`) but keeps the output.
pub fn finish(revert: bool, data: &[u8]) -> ! {
    let flags = if revert { REVERT } else { 0 };
    // SAFETY: `data` is a live slice.
    unsafe { sys::return_data(flags, data.as_ptr(), len32(data)) };
    // `return_data` does not return: the host ends the frame.
    trap()
}

/// Ends the frame successfully with `SCALE(value)` as output.
pub fn return_value<T: Encode + ?Sized>(value: &T) -> ! {
    finish(false, &value.encode())
}

/// Reverts the frame with `SCALE(value)` as output.
pub fn revert<T: Encode + ?Sized>(value: &T) -> ! {
    finish(true, &value.encode())
}

/// Who called this frame: an account (top-level call) or a contract (nested call).
pub fn caller() -> AccountId {
    let mut out = [0u8; 32];
    // SAFETY: the host writes 32 bytes.
    unsafe { sys::caller(out.as_mut_ptr()) };
    AccountId(out)
}

/// This contract's address.
pub fn address() -> AccountId {
    let mut out = [0u8; 32];
    // SAFETY: the host writes 32 bytes.
    unsafe { sys::address(out.as_mut_ptr()) };
    AccountId(out)
}

/// The value the caller moved to this contract with this call (already in its balance).
pub fn value_transferred() -> Balance {
    let mut out = [0u8; 16];
    // SAFETY: the host writes 16 bytes.
    unsafe { sys::value_transferred(out.as_mut_ptr()) };
    Balance::from_le_bytes(out)
}

/// This contract's free balance (storage deposits are reserved, so not included).
pub fn balance() -> Balance {
    let mut out = [0u8; 16];
    // SAFETY: the host writes 16 bytes.
    unsafe { sys::balance(out.as_mut_ptr()) };
    Balance::from_le_bytes(out)
}

/// Moves `value` of this contract's free balance to `to`.
///
/// # Errors
/// [`Error::TransferFailed`]: not enough free balance, or the transfer would leave an account
/// below the existential deposit.
pub fn transfer(to: &AccountId, value: Balance) -> Result<()> {
    let value = value.to_le_bytes();
    // SAFETY: both pointers are to live arrays of the sizes the host reads (32, 16).
    Error::check(unsafe { sys::transfer(to.0.as_ptr(), value.as_ptr()) })
}

/// The current block's number.
pub fn block_number() -> BlockNumber {
    // SAFETY: no pointers.
    unsafe { sys::block_number() as u64 }
}

/// The current block's timestamp (ms, from its header).
pub fn block_timestamp() -> Moment {
    // SAFETY: no pointers.
    unsafe { sys::block_timestamp() as u64 }
}

/// Fuel left in this frame.
pub fn fuel_left() -> u64 {
    // SAFETY: no pointers.
    unsafe { sys::fuel_left() as u64 }
}

/// Stores whether this contract accepts being called while it is already on the call stack
/// (off by default; typically set once in `deploy`).
pub fn allow_reentry(allow: bool) {
    // SAFETY: no pointers.
    unsafe { sys::allow_reentry(i32::from(allow)) }
}
