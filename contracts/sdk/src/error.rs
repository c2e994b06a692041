//! [`Error`]: the non-zero return codes of host functions, as a type a contract can match on,
//! propagate with `?`, and embed in its own SCALE-encoded errors.

use parity_scale_codec::{Decode, Encode};

/// Why a host function refused a request (`docs/WASM-LITE.md`, "Return codes"). Each variant
/// encodes as its return code, so an error that reaches a client is the pallet's number.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode)]
pub enum Error {
    /// The called contract trapped (or ran out of fuel); its writes were reverted.
    #[codec(index = 1)]
    CalleeTrapped,
    /// The called contract reverted; its writes were reverted.
    #[codec(index = 2)]
    CalleeReverted,
    /// The storage key has no value.
    #[codec(index = 3)]
    KeyNotFound,
    /// A balance transfer failed (insufficient balance, existential deposit).
    #[codec(index = 4)]
    TransferFailed,
    /// An output buffer was too small (the SDK retries with the size the host asks for).
    #[codec(index = 5)]
    BufferTooSmall,
    /// The callee is not a contract.
    #[codec(index = 6)]
    NotAContract,
    /// The callee is already on the call stack and does not allow reentry.
    #[codec(index = 7)]
    ReentranceDenied,
    /// The call would exceed the maximum call depth.
    #[codec(index = 8)]
    MaxCallDepthReached,
    /// The transaction's signer cannot pay the storage deposit of a write, or its
    /// `storage_deposit_limit` does not allow it.
    #[codec(index = 9)]
    StorageDepositNotCovered,
    /// The runtime has no name service wired to contracts.
    #[codec(index = 10)]
    NamesUnavailable,
    /// The name is not registered (or has expired).
    #[codec(index = 11)]
    NameNotFound,
    /// The contract does not own (or manage) the name.
    #[codec(index = 12)]
    NotNameOwner,
    /// The name is not canonical, or the records are invalid.
    #[codec(index = 13)]
    InvalidName,
    /// The name service refused the operation (taken, too many records, fee not paid, ...).
    #[codec(index = 14)]
    NameOperationFailed,
    /// The ed25519 signature does not verify.
    #[codec(index = 15)]
    InvalidSignature,
    /// The debug buffer is full: the message was cut (dry runs only).
    #[codec(index = 16)]
    DebugBufferFull,
    /// Debug messages are not collected (a transaction, not a dry run): the message was dropped.
    #[codec(index = 17)]
    LoggingDisabled,
    /// `terminate` refused: this contract is on the call stack more than once (re-entered).
    #[codec(index = 18)]
    TerminateWhileReentered,
    /// `terminate` refused: this contract is running its `deploy`.
    #[codec(index = 19)]
    TerminateInDeploy,
    /// No code with this hash is stored (`set_code_hash`, `instantiate`).
    #[codec(index = 20)]
    CodeNotFound,
    /// `instantiate`: a contract exists at the address, or a terminated one's storage is still
    /// queued for deletion there.
    #[codec(index = 21)]
    DuplicateContract,
    /// `terminate` refused: the chain's deletion queue is full; try again later.
    #[codec(index = 22)]
    DeletionQueueFull,
    /// `terminate` refused: this contract still owns names or subnames; transfer them first.
    #[codec(index = 23)]
    OwnsNames,
    /// A return code this SDK does not know (a newer runtime).
    #[codec(index = 255)]
    Unknown,
}

impl Error {
    /// `Ok(())` for return code 0, the error otherwise.
    pub const fn check(code: i32) -> Result<(), Error> {
        Err(match code {
            0 => return Ok(()),
            1 => Error::CalleeTrapped,
            2 => Error::CalleeReverted,
            3 => Error::KeyNotFound,
            4 => Error::TransferFailed,
            5 => Error::BufferTooSmall,
            6 => Error::NotAContract,
            7 => Error::ReentranceDenied,
            8 => Error::MaxCallDepthReached,
            9 => Error::StorageDepositNotCovered,
            10 => Error::NamesUnavailable,
            11 => Error::NameNotFound,
            12 => Error::NotNameOwner,
            13 => Error::InvalidName,
            14 => Error::NameOperationFailed,
            15 => Error::InvalidSignature,
            16 => Error::DebugBufferFull,
            17 => Error::LoggingDisabled,
            18 => Error::TerminateWhileReentered,
            19 => Error::TerminateInDeploy,
            20 => Error::CodeNotFound,
            21 => Error::DuplicateContract,
            22 => Error::DeletionQueueFull,
            23 => Error::OwnsNames,
            _ => Error::Unknown,
        })
    }
}

/// The SDK's result type.
pub type Result<T, E = Error> = core::result::Result<T, E>;
