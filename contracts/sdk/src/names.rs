//! Names (`.ghost`, `.bc`) through the runtime's name service: resolve any active name,
//! register, re-record and transfer names the contract owns, and create or reassign subnames of
//! them, as an account would with signed calls (same fees, paid from the contract's free
//! balance, same checks).
//!
//! Names are canonical ASCII (`alice.ghost`: lowercase, no trailing dot); anything else is
//! [`Error::InvalidName`]. The record types mirror `ghost_primitives::{DnsRecord, RecordData}`
//! field for field and variant for variant, so their SCALE encodings are the runtime's; the
//! runtime validates records when it decodes them.

use alloc::string::String;
use alloc::vec::Vec;

use parity_scale_codec::{Decode, DecodeAll, Encode};

use crate::env::{len32, read_output, trap};
use crate::error::{Error, Result};
use crate::sys;
use crate::types::{AccountId, Hash};

/// Initial capacity of the buffer for a resolution (a name with a few records fits).
const RESOLUTION_BUFFER: usize = 512;

/// The default TTL of records (seconds), as the runtime's.
pub const DEFAULT_TTL: u32 = 300;

/// A name as contracts see it: its owner and DNS records.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode)]
pub struct NameResolution {
    /// The owner (an account or a contract).
    pub owner: AccountId,
    /// The DNS records.
    pub records: Vec<DnsRecord>,
}

/// One DNS record of a name.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Debug, Encode, Decode)]
pub struct DnsRecord {
    /// Where under the name: `@` (the name itself), `www`, `_sip._tcp`, ... (lowercase).
    pub label: String,
    /// Time to live (seconds).
    pub ttl: u32,
    /// The value.
    pub data: RecordData,
}

impl DnsRecord {
    /// A record at the apex (`@`).
    pub fn apex(ttl: u32, data: RecordData) -> DnsRecord {
        DnsRecord {
            label: String::from("@"),
            ttl,
            data,
        }
    }

    /// Whether the record is at the apex.
    pub fn is_apex(&self) -> bool {
        self.label == "@"
    }
}

/// A record's typed value (hostnames are canonical: lowercase, no trailing dot).
#[allow(clippy::upper_case_acronyms)]
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Debug, Encode, Decode)]
pub enum RecordData {
    /// IPv4 address.
    A([u8; 4]),
    /// IPv6 address.
    AAAA([u8; 16]),
    /// Alias target.
    CNAME(String),
    /// Character-strings, each at most 255 bytes.
    TXT(Vec<Vec<u8>>),
    /// Mail exchange.
    MX {
        /// Lower is preferred.
        preference: u16,
        /// The mail host.
        exchange: String,
    },
    /// Name server.
    NS(String),
    /// Service locator.
    SRV {
        /// Lower is preferred.
        priority: u16,
        /// Share among equal priorities.
        weight: u16,
        /// Port.
        port: u16,
        /// Target host.
        target: String,
    },
    /// Certification authority authorization.
    CAA {
        /// Flags (128 = critical).
        flags: u8,
        /// `issue`, `issuewild` or `iodef`.
        tag: String,
        /// The value.
        value: Vec<u8>,
    },
    /// TLS certificate association.
    TLSA {
        /// Certificate usage.
        usage: u8,
        /// Selector.
        selector: u8,
        /// Matching type.
        matching_type: u8,
        /// Association data.
        data: Vec<u8>,
    },
}

/// The owner and records of an active `name`.
///
/// # Errors
/// [`Error::NameNotFound`] (not registered, expired), [`Error::InvalidName`],
/// [`Error::NamesUnavailable`].
pub fn resolve(name: &str) -> Result<NameResolution> {
    let raw = read_output(RESOLUTION_BUFFER, |out, out_len| {
        // SAFETY: `name` is live; the host writes at most the buffer's capacity.
        unsafe { sys::name_resolve(name.as_ptr(), len32(name.as_bytes()), out, out_len) }
    })?;
    // The host encodes what it resolved; bytes that do not decode mean the SDK and the runtime
    // disagree on the record types, which a contract cannot recover from.
    Ok(NameResolution::decode_all(&mut &raw[..]).unwrap_or_else(|_| trap()))
}

/// The commitment of registering `name` for `owner` for `duration_ms` with `secret` and no
/// records, as the domains pallet computes it:
/// `blake3(SCALE(name, owner, secret, duration_ms, blake3(SCALE(Vec::<DnsRecord>::new()))))`.
/// Compute it off-chain, with `owner` the contract's address, and give the contract only the
/// hash: the contract's storage and call data are public, the secret must stay unknown until
/// the reveal.
pub fn commitment(name: &str, owner: &AccountId, secret: &Hash, duration_ms: u64) -> Hash {
    let records_hash = crate::crypto::blake3(&Vec::<DnsRecord>::new().encode());
    crate::crypto::blake3(&(name, owner, secret, duration_ms, records_hash).encode())
}

/// Commits this contract to a registration (the first half of commit-reveal): `commitment` is
/// [`commitment`] of the name, this contract, a secret and the duration. [`register`] reveals
/// it once the chain's minimum commitment age has passed and before its maximum.
///
/// # Errors
/// [`Error::NameOperationFailed`] (an unexpired commitment with this hash exists),
/// [`Error::NamesUnavailable`].
pub fn commit(commitment: &Hash) -> Result<()> {
    // SAFETY: `commitment` is live, 32 bytes.
    Error::check(unsafe { sys::name_commit(commitment.as_ptr()) })
}

/// Registers `name` (a second-level name) for this contract for `duration_ms`, paying the fee
/// from the contract's free balance, and revealing the `secret` of the commitment made with
/// [`commit`] (chains with a minimum commitment age of 0, such as `--dev`, need none).
///
/// # Errors
/// [`Error::NameOperationFailed`] (taken, unknown TLD, fee not covered, no matching commitment,
/// commitment too new or too old, ...), [`Error::InvalidName`], [`Error::NamesUnavailable`].
pub fn register(name: &str, duration_ms: u64, secret: &Hash) -> Result<()> {
    // SAFETY: `name` and `secret` are live.
    Error::check(unsafe {
        sys::name_register(
            name.as_ptr(),
            len32(name.as_bytes()),
            duration_ms as i64,
            secret.as_ptr(),
        )
    })
}

/// Extends `name` (registered or in grace) by `duration_ms`, paying the fee from this
/// contract's free balance. Anyone may renew any name.
///
/// # Errors
/// [`Error::NameNotFound`] (not registered), [`Error::InvalidName`] (not canonical, not a
/// second-level name, a duration out of bounds), [`Error::NameOperationFailed`] (fee not
/// covered, ...), [`Error::NamesUnavailable`].
pub fn renew(name: &str, duration_ms: u64) -> Result<()> {
    // SAFETY: `name` is live.
    Error::check(unsafe {
        sys::name_renew(name.as_ptr(), len32(name.as_bytes()), duration_ms as i64)
    })
}

/// Lets `manager` manage `name` (set its records, give out its subnames), or nobody with
/// `None`; this contract must own `name`. A registrar contract can so hand day-to-day control
/// of a name to an operator key while it keeps ownership.
///
/// # Errors
/// [`Error::NotNameOwner`], [`Error::NameNotFound`], [`Error::InvalidName`],
/// [`Error::NamesUnavailable`].
pub fn approve(name: &str, manager: Option<&AccountId>) -> Result<()> {
    let account = manager.map_or([0u8; 32], |m| m.0);
    // SAFETY: `name` and `account` are live.
    Error::check(unsafe {
        sys::name_approve(
            name.as_ptr(),
            len32(name.as_bytes()),
            account.as_ptr(),
            i32::from(manager.is_some()),
        )
    })
}

/// Replaces all DNS records of `name`, which this contract must manage.
///
/// # Errors
/// [`Error::NotNameOwner`], [`Error::NameNotFound`], [`Error::InvalidName`] (also for records
/// the runtime refuses to decode), [`Error::NameOperationFailed`] (too many records, ...).
pub fn set_records(name: &str, records: &[DnsRecord]) -> Result<()> {
    let encoded = records.encode();
    // SAFETY: both slices are live.
    Error::check(unsafe {
        sys::name_set_records(
            name.as_ptr(),
            len32(name.as_bytes()),
            encoded.as_ptr(),
            len32(&encoded),
        )
    })
}

/// Gives `name`, which this contract owns (or manages), to `to`.
///
/// # Errors
/// [`Error::NotNameOwner`], [`Error::NameNotFound`], [`Error::InvalidName`].
pub fn transfer(name: &str, to: &AccountId) -> Result<()> {
    // SAFETY: `name` and `to` are live.
    Error::check(unsafe {
        sys::name_transfer(name.as_ptr(), len32(name.as_bytes()), to.0.as_ptr())
    })
}

/// Makes `owner` the owner of the subname `label.parent`, creating it if needed; this contract
/// must manage `parent` (an active name or subname). Without `lock` the contract keeps control:
/// it may reassign the subname later (and its owner may still transfer it or set its records
/// like any name it owns). With `lock` the parent gives up control for good: later calls for
/// that subname fail with [`Error::NameOperationFailed`].
///
/// The subname lives as long as the registration of its root (`club.ghost` for
/// `bob.club.ghost`) and dies with it.
///
/// # Errors
/// [`Error::InvalidName`] (`parent` not canonical; `label` not one valid label, or the whole
/// name too long), [`Error::NameNotFound`] (`parent` not active), [`Error::NotNameOwner`] (this
/// contract does not manage `parent`), [`Error::NameOperationFailed`] (the subname is locked, or
/// another refusal), [`Error::NamesUnavailable`].
pub fn set_subname_owner(parent: &str, label: &str, owner: &AccountId, lock: bool) -> Result<()> {
    // SAFETY: `parent`, `label` and `owner` are live.
    Error::check(unsafe {
        sys::name_set_subname_owner(
            parent.as_ptr(),
            len32(parent.as_bytes()),
            label.as_ptr(),
            len32(label.as_bytes()),
            owner.0.as_ptr(),
            i32::from(lock),
        )
    })
}
