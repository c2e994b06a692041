//! Types every GhostChain layer shares: hashes, keys and addresses, headers, blocks and signed
//! extrinsics.
//!
//! Everything that goes on chain is SCALE-encoded (`parity-scale-codec`); everything that goes over
//! JSON-RPC is serde with byte strings as `0x`-hex. This crate has no I/O and no dependency on
//! pallets, the runtime or the node, so it can be used by light clients and tools.
//!
//! - [`Hash`]: blake3-256, the hash of headers, extrinsics and state.
//! - [`AccountId`], [`Signature`], [`Pair`]: ed25519 keys; accounts print as bech32m addresses
//!   (`ghost1…`, see [`address`]).
//! - [`Header`], [`Block`], [`Digest`]: the chain's blocks; the digest carries the slot, the seal
//!   and, later, finality items.
//! - [`DomainName`], [`namehash`], [`DnsRecord`], [`Web3Records`]: names and records as the
//!   chain stores them.
//! - [`EnsName`], [`ens_namehash`], [`EthAddress`], [`normalize`]: ENS names in ENSIP-15 normal
//!   form, their keccak-256 namehash and Ethereum addresses, for the ENS bridge.
//! - [`SignedExtrinsic`]: a call signed over the call, nonce, mortality era, tip, genesis hash and
//!   runtime `spec_version`.

pub mod address;
pub mod block;
pub mod bytes;
pub mod consensus;
pub mod crypto;
pub mod ed25519;
pub mod ens;
pub mod extrinsic;
pub mod hash;
pub mod header;
pub mod merkle;
pub mod names;
pub mod normalize;
pub mod records;
pub mod transaction_validity;
pub mod version;

pub use address::AddressError;
pub use block::Block;
pub use bytes::Bytes;
pub use consensus::{
    AuraEquivocation, GrandpaEquivocation, GrandpaLog, GrandpaVoter, ScheduledChange, SignedVote,
    VoteKind,
};
pub use crypto::{AccountId, KeyError, Pair, Signature};
pub use ens::{EnsName, EnsNameError, EthAddress, ens_namehash, keccak256};
pub use extrinsic::{Era, ExtrinsicExtra, SignedExtrinsic, SignedPayload, SigningContext};
pub use hash::{Hash, blake3_256};
pub use header::{
    AURA_ENGINE_ID, ConsensusEngineId, Digest, DigestItem, GRANDPA_ENGINE_ID, Header,
};
pub use names::{DomainName, NameError, namehash};
pub use records::{
    DnsRecord, Hostname, RecordData, RecordError, RecordLabel, RecordType, Web3Records,
};
pub use transaction_validity::{
    InvalidTransaction, TransactionTag, TransactionValidity, TransactionValidityError,
    UnknownTransaction, ValidTransaction,
};
pub use version::RuntimeVersion;

/// Height of a block; genesis is 0.
pub type BlockNumber = u64;
/// Amount of the native token, in its smallest unit.
pub type Balance = u128;
/// Per-account transaction counter.
pub type Nonce = u64;
/// Milliseconds since the Unix epoch, as written in a block header.
pub type Moment = u64;
