//! A contract's lifecycle beyond `deploy` and `call`: deploying other contracts
//! ([`instantiate`]), replacing this contract's code ([`set_code_hash`]) and ending it
//! ([`terminate`]).
//!
//! ## Upgrades
//! [`set_code_hash`] swaps the code under this contract's address, balance and storage; the
//! new code runs from the next call on (the running frame finishes with the old one). Gate it
//! on an admin, and keep the storage layout compatible: the new code reads what the old one
//! wrote, key for key. See the `upgradeable` example.

use alloc::vec::Vec;

use parity_scale_codec::{Decode, DecodeAll, Encode};

use crate::call::{CallError, MAX_OUTPUT};
use crate::env::len32;
use crate::error::Error;
use crate::sys;
use crate::types::{AccountId, Balance, Hash};

/// Deploys `code_hash` at `blake3(this contract ++ code_hash ++ salt)` (this contract is the
/// deployer), moving `value` to it and running its `deploy` with raw `input` and at most `fuel`
/// fuel (`0`: all that is left). The transaction's signer pays the new contract's deposits.
/// Returns the address and `deploy`'s output.
///
/// # Errors
/// [`CallError::Reverted`] or [`CallError::Trapped`] if `deploy` failed (nothing of it is
/// kept); [`CallError::Refused`] with [`Error::CodeNotFound`], [`Error::DuplicateContract`],
/// [`Error::MaxCallDepthReached`], [`Error::TransferFailed`] or
/// [`Error::StorageDepositNotCovered`] if it did not run.
pub fn instantiate_raw(
    code_hash: &Hash,
    value: Balance,
    fuel: u64,
    input: &[u8],
    salt: &[u8],
) -> Result<(AccountId, Vec<u8>), CallError> {
    let value = value.to_le_bytes();
    let mut address = [0u8; 32];
    // As `call_raw`: the output's length is unknown, so the buffer is the largest possible.
    let mut out: Vec<u8> = Vec::with_capacity(MAX_OUTPUT);
    let mut out_len = out.capacity() as u32;
    // SAFETY: every pointer is live for the length given; the host writes at most `out_len`
    // bytes of output and 32 of address.
    let code = unsafe {
        sys::instantiate(
            code_hash.as_ptr(),
            value.as_ptr(),
            fuel as i64,
            input.as_ptr(),
            len32(input),
            salt.as_ptr(),
            len32(salt),
            address.as_mut_ptr(),
            out.as_mut_ptr(),
            &mut out_len,
        )
    };
    let len = (out_len as usize).min(out.capacity());
    // SAFETY: the host wrote `min(out_len, capacity)` bytes of output.
    unsafe { out.set_len(len) };
    out.shrink_to_fit();
    match Error::check(code) {
        Ok(()) => Ok((AccountId(address), out)),
        Err(Error::CalleeReverted) => Err(CallError::Reverted(out)),
        Err(Error::CalleeTrapped) => Err(CallError::Trapped),
        Err(other) => Err(CallError::Refused(other)),
    }
}

/// [`instantiate_raw`] with `SCALE(args)` as `deploy`'s input; returns the address.
///
/// # Errors
/// As [`instantiate_raw`].
pub fn instantiate<A: Encode>(
    code_hash: &Hash,
    value: Balance,
    fuel: u64,
    args: &A,
    salt: &[u8],
) -> Result<AccountId, CallError> {
    instantiate_raw(code_hash, value, fuel, &args.encode(), salt).map(|(address, _)| address)
}

/// [`instantiate_raw`], decoding `deploy`'s output as `R`.
///
/// # Errors
/// As [`instantiate_raw`], and [`CallError::UndecodableOutput`].
pub fn instantiate_with_output<A: Encode, R: Decode>(
    code_hash: &Hash,
    value: Balance,
    fuel: u64,
    args: &A,
    salt: &[u8],
) -> Result<(AccountId, R), CallError> {
    let (address, output) = instantiate_raw(code_hash, value, fuel, &args.encode(), salt)?;
    let output = R::decode_all(&mut &output[..]).map_err(|_| CallError::UndecodableOutput)?;
    Ok((address, output))
}

/// Makes this contract run `code_hash` from its next call on; the running frame goes on with
/// the current code.
///
/// # Errors
/// [`Error::CodeNotFound`]: no such code is uploaded (nothing changed).
pub fn set_code_hash(code_hash: &Hash) -> Result<(), Error> {
    // SAFETY: a live 32-byte array.
    Error::check(unsafe { sys::set_code_hash(code_hash.as_ptr()) })
}

/// Ends this contract: its free balance goes to `beneficiary`, its deposits to the
/// transaction's signer, its record at once and its storage over the next blocks. On success
/// the frame ends here (as [`crate::env::finish`] with no output) and this never returns; it
/// returns only the reason it was refused, with nothing changed:
/// [`Error::TerminateWhileReentered`], [`Error::TerminateInDeploy`],
/// [`Error::TransferFailed`] (the beneficiary is this contract, or would stay below the
/// existential deposit), [`Error::DeletionQueueFull`] or [`Error::OwnsNames`] (it still owns
/// names or subnames: transfer them first, or nobody could manage them).
pub fn terminate(beneficiary: &AccountId) -> Error {
    // SAFETY: a live 32-byte array.
    let code = unsafe { sys::terminate(beneficiary.0.as_ptr()) };
    match Error::check(code) {
        Err(error) => error,
        // The host ends the frame on success; returning 0 would be a broken host.
        Ok(()) => crate::env::trap(),
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::test::{self, CONTRACT, Code, Outcome};

    const CODE: Hash = [5; 32];

    fn deploy_ok(input: &[u8], _value: Balance) -> Outcome {
        if input == b"revert" {
            return Outcome::Reverted(b"no".to_vec());
        }
        Outcome::Returned(b"deployed".to_vec())
    }

    fn call_ok(_input: &[u8], value: Balance) -> Outcome {
        Outcome::ok(&value)
    }

    fn with_code() {
        test::reset();
        test::register_code(
            CODE,
            Code {
                deploy: deploy_ok,
                call: call_ok,
            },
        );
    }

    #[test]
    fn instantiate_deploys_at_the_chains_address_and_the_contract_answers_calls() {
        with_code();
        test::set_balance(&CONTRACT, 100);
        let (address, output) = instantiate_raw(&CODE, 40, 0, b"", b"salt").expect("deploys");
        assert_eq!(address, test::contract_address(&CONTRACT, &CODE, b"salt"));
        assert_eq!(output, b"deployed");
        assert_eq!(test::code_hash_of(&address), Some(CODE));
        assert_eq!(
            (test::balance_of(&CONTRACT), test::balance_of(&address)),
            (60, 40)
        );
        let answer: u128 = crate::call::call(&address, 0, 0, [0; 4], &()).expect("calls");
        assert_eq!(answer, 0);
        assert_eq!(
            instantiate_raw(&CODE, 0, 0, b"", b"salt"),
            Err(CallError::Refused(Error::DuplicateContract))
        );
    }

    #[test]
    fn instantiate_of_unknown_code_or_a_reverting_deploy_leaves_nothing() {
        with_code();
        assert_eq!(
            instantiate(&[9; 32], 0, 0, &(), b""),
            Err(CallError::Refused(Error::CodeNotFound))
        );
        assert_eq!(
            instantiate_raw(&CODE, 0, 0, b"revert", b""),
            Err(CallError::Reverted(b"no".to_vec()))
        );
        let address = test::contract_address(&CONTRACT, &CODE, b"");
        assert_eq!(test::code_hash_of(&address), None);
        // The address is still free.
        assert!(instantiate_raw(&CODE, 0, 0, b"", b"").is_ok());
    }

    #[test]
    fn set_code_hash_needs_registered_code() {
        with_code();
        assert_eq!(set_code_hash(&[9; 32]), Err(Error::CodeNotFound));
        assert_eq!(test::code_hash_of(&CONTRACT), None);
        assert_eq!(set_code_hash(&CODE), Ok(()));
        assert_eq!(test::code_hash_of(&CONTRACT), Some(CODE));
    }
}
