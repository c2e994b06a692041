//! The chain's basic types as contracts see them: 32-byte accounts, `u128` balances and
//! 32-byte hashes, all SCALE-encoded exactly as the runtime encodes them.

use parity_scale_codec::{Decode, Encode};

/// An account: a 32-byte ed25519 public key, or a contract's address.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Default, Encode, Decode)]
pub struct AccountId(pub [u8; 32]);

impl AccountId {
    /// The account's bytes.
    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl From<[u8; 32]> for AccountId {
    fn from(bytes: [u8; 32]) -> Self {
        AccountId(bytes)
    }
}

/// An amount of GHOST in its smallest unit (12 decimals), as the runtime counts it.
pub type Balance = u128;

/// A 32-byte hash (blake3) or event topic.
pub type Hash = [u8; 32];

/// A block number.
pub type BlockNumber = u64;

/// Milliseconds since the Unix epoch, from the block header.
pub type Moment = u64;
