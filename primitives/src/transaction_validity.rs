//! What the runtime says about a transaction before it enters a block: valid (with priority and
//! nonce tags for the pool's ordering) or why not.

use parity_scale_codec::{Decode, Encode};

use crate::BlockNumber;

/// A tag the pool orders by: a transaction `provides` `(signer, nonce)` and `requires`
/// `(signer, nonce - 1)`; it is ready once every required tag is provided.
pub type TransactionTag = Vec<u8>;

/// A valid transaction, as the pool should treat it.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, serde::Serialize, serde::Deserialize)]
pub struct ValidTransaction {
    /// Higher goes first (derived from the tip and the fee per weight).
    pub priority: u64,
    /// Tags that must be provided first (by the state or other pool transactions).
    pub requires: Vec<TransactionTag>,
    /// Tags this transaction provides.
    pub provides: Vec<TransactionTag>,
    /// The last block number it may be included in (mortality).
    pub valid_until: BlockNumber,
}

/// Why a transaction can never be valid as it is.
#[derive(
    Clone,
    PartialEq,
    Eq,
    Debug,
    Encode,
    Decode,
    serde::Serialize,
    serde::Deserialize,
    thiserror::Error,
)]
#[serde(rename_all = "camelCase")]
pub enum InvalidTransaction {
    /// The bytes do not decode as an extrinsic.
    #[error("extrinsic does not decode")]
    BadEncoding,
    /// The signature does not match (wrong key, wrong genesis hash, wrong spec version, tampered).
    #[error("bad signature (or signed for another chain, runtime version or fork)")]
    BadProof,
    /// The nonce was already used.
    #[error("stale nonce: account nonce is {expected}, extrinsic has {got}")]
    Stale {
        /// The account's next nonce.
        expected: u64,
        /// The extrinsic's nonce.
        got: u64,
    },
    /// The signer cannot pay the fee.
    #[error("cannot pay the fee of {fee}: free balance is {free}")]
    Payment {
        /// The fee.
        fee: u128,
        /// The signer's free balance.
        free: u128,
    },
    /// Its era has passed or not begun, or its birth block is unknown.
    #[error("outdated or not yet valid (mortality era)")]
    Outdated,
    /// Larger or heavier than a whole block may be.
    #[error("exhausts block resources (too large or too heavy)")]
    ExhaustsResources,
    /// The call cannot be dispatched by a signed origin.
    #[error("call not allowed in a transaction")]
    Call,
}

/// Why a transaction is not valid now but may be later.
#[derive(
    Clone,
    PartialEq,
    Eq,
    Debug,
    Encode,
    Decode,
    serde::Serialize,
    serde::Deserialize,
    thiserror::Error,
)]
#[serde(rename_all = "camelCase")]
pub enum UnknownTransaction {
    /// Its nonce is ahead of the account's (only the pool may keep it, in the future queue).
    #[error("future nonce: account nonce is {expected}, extrinsic has {got}")]
    Future {
        /// The account's next nonce.
        expected: u64,
        /// The extrinsic's nonce.
        got: u64,
    },
}

/// Why a transaction was refused.
#[derive(
    Clone,
    PartialEq,
    Eq,
    Debug,
    Encode,
    Decode,
    serde::Serialize,
    serde::Deserialize,
    thiserror::Error,
)]
#[serde(rename_all = "camelCase")]
pub enum TransactionValidityError {
    /// Never valid.
    #[error("invalid transaction: {0}")]
    Invalid(InvalidTransaction),
    /// Not valid yet.
    #[error("{0}")]
    Unknown(UnknownTransaction),
}

impl From<InvalidTransaction> for TransactionValidityError {
    fn from(e: InvalidTransaction) -> Self {
        TransactionValidityError::Invalid(e)
    }
}

/// The pool's verdict source.
pub type TransactionValidity = Result<ValidTransaction, TransactionValidityError>;
