//! Calling other contracts: raw call data in, raw output back, or typed with a selector and
//! SCALE arguments.
//!
//! A nested call runs in its own storage transaction: if the callee traps or reverts, its
//! writes (and the value sent) are rolled back and the caller carries on with a [`CallError`].
//! The callee's fuel comes out of this frame's (`fuel = 0`: everything left).

use alloc::vec::Vec;

use parity_scale_codec::{Decode, DecodeAll, Encode};

use crate::env::len32;
use crate::error::Error;
use crate::sys;
use crate::types::{AccountId, Balance};

/// The largest output a callee can return (`max_io_len`, 64 KiB).
pub const MAX_OUTPUT: usize = 64 * 1024;

/// Why a nested call did not succeed.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode)]
pub enum CallError {
    /// The callee reverted; its output (SCALE, by the ABI convention) is kept.
    Reverted(Vec<u8>),
    /// The callee trapped or ran out of fuel.
    Trapped,
    /// The call did not run: [`Error::NotAContract`], [`Error::ReentranceDenied`],
    /// [`Error::MaxCallDepthReached`] or [`Error::TransferFailed`].
    Refused(Error),
    /// The callee succeeded but its output does not decode as the expected type.
    UndecodableOutput,
}

/// Calls `dest` with raw `input`, moving `value` to it, with at most `fuel` fuel (`0`: all that
/// is left); returns its output.
pub fn call_raw(
    dest: &AccountId,
    value: Balance,
    fuel: u64,
    input: &[u8],
) -> Result<Vec<u8>, CallError> {
    let value = value.to_le_bytes();
    // The output length is unknown and the call cannot be repeated, so the buffer is the
    // largest possible; the bump allocator gives the unused part back when it shrinks.
    let mut out: Vec<u8> = Vec::with_capacity(MAX_OUTPUT);
    let mut out_len = out.capacity() as u32;
    // SAFETY: every pointer is live for the length given; the host writes at most `out_len`.
    let code = unsafe {
        sys::call(
            dest.0.as_ptr(),
            value.as_ptr(),
            fuel as i64,
            input.as_ptr(),
            len32(input),
            out.as_mut_ptr(),
            &mut out_len,
        )
    };
    let len = (out_len as usize).min(out.capacity());
    // SAFETY: the host wrote `min(out_len, capacity)` bytes of output.
    unsafe { out.set_len(len) };
    out.shrink_to_fit();
    match Error::check(code) {
        Ok(()) => Ok(out),
        Err(Error::CalleeReverted) => Err(CallError::Reverted(out)),
        Err(Error::CalleeTrapped) => Err(CallError::Trapped),
        Err(other) => Err(CallError::Refused(other)),
    }
}

/// Calls method `selector` of `dest` with `SCALE(args)` and decodes its output as `R`.
pub fn call<A: Encode, R: Decode>(
    dest: &AccountId,
    value: Balance,
    fuel: u64,
    selector: [u8; 4],
    args: &A,
) -> Result<R, CallError> {
    let mut input = Vec::from(selector);
    args.encode_to(&mut input);
    let output = call_raw(dest, value, fuel, &input)?;
    R::decode_all(&mut &output[..]).map_err(|_| CallError::UndecodableOutput)
}
