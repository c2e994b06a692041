//! First-come-first-served subnames of a name the contract holds.
//!
//! ## Model
//! The owner of a name (`club.ghost`) deploys the registrar with it and transfers the name to
//! the contract (`Domains.transfer`). From then on anyone may `claim` a free label (`bob`),
//! which makes them the owner of `bob.club.ghost` in the registrar, and publish its DNS records
//! with `set_records`. Claims can be transferred and released. The registrar has no admin: once
//! it holds the parent nobody can take it back, so claims cannot be revoked (anyone can still
//! renew the parent with `Domains.renew`).
//!
//! ## What is possible today, and what is not
//! The host functions let a contract set the records of a name it owns, not create
//! subnames (`Domains.set_subname_owner` has no host function). So a claim lives in the
//! registrar's storage, and a claimant's records are published as records of the *parent* at
//! the claimed label: `set_records("bob", [A 10.0.0.7 at "@", CNAME at "www"])` writes
//! `A` at `bob` and `CNAME` at `www.bob` under `club.ghost`, which DNS serves as
//! `bob.club.ghost` and `www.bob.club.ghost`. The parent's own records (other labels) are kept.
//! Consequences: claimants do not appear as owners in the domains pallet, all subnames share
//! the parent's record limits (`max_dns_records`, `max_record_bytes`), and wallets see no
//! subname entries. With a `name_set_subname_owner` host function, `claim` would also create
//! the subname on chain, owned by the claimant and locked from the parent.
//!
//! ## Methods
//! | method | arguments | returns | notes |
//! |---|---|---|---|
//! | `deploy` | `parent: String` | | the name the registrar will hold |
//! | `claim` | `label: String` | `String`, the full subname | the label must be free; the contract must hold the parent |
//! | `owner_of` | `label: String` | `Option<AccountId>` | |
//! | `transfer` | `label: String, to: AccountId` | `()` | the claimant |
//! | `release` | `label: String` | `()` | the claimant; removes its records |
//! | `set_records` | `label: String, records: Vec<DnsRecord>` | `()` | the claimant; labels relative to the subname (`@`, `www`) |
//! | `parent` | | `String` | |
//!
//! ## Storage
//! `parent: String` (`Lazy`), `claims: label → AccountId` (`Mapping`).
//!
//! ## Events
//! `Claimed { label, owner }`, `Transferred { label, from, to }`, `Released { label, owner }`,
//! `RecordsSet { label, count }`; topics `[topic(event), blake3(label)]` and the accounts.

#![no_std]

use ghost_contract_sdk::names::{self, DnsRecord};
use ghost_contract_sdk::prelude::*;
use ghost_contract_sdk::{crypto, env, event};

/// The longest label (DNS).
pub const MAX_LABEL_LEN: usize = 63;

const PARENT: Lazy<String> = Lazy::new(b"parent");
const CLAIMS: Mapping<String, AccountId> = Mapping::new(b"claims");

const CLAIMED: Hash = topic("Claimed");
const TRANSFERRED: Hash = topic("Transferred");
const RELEASED: Hash = topic("Released");
const RECORDS_SET: Hash = topic("RecordsSet");

/// Why a call failed (the revert output).
#[derive(Encode, Decode, Debug, PartialEq, Eq)]
pub enum RegistrarError {
    /// The label is not 1-63 characters of `a-z`, `0-9` and inner `-`.
    InvalidLabel,
    /// Someone claimed the label already.
    Taken,
    /// Nobody claimed the label.
    NotClaimed,
    /// Only the claimant may do this.
    NotClaimant,
    /// The contract does not hold the parent name (yet).
    ParentNotHeld,
    /// A host function refused (invalid records, too many records, ...).
    Host(Error),
}

impl From<Error> for RegistrarError {
    fn from(e: Error) -> Self {
        RegistrarError::Host(e)
    }
}

/// A label was claimed.
#[derive(Encode, Decode)]
pub struct Claimed {
    /// The label.
    pub label: String,
    /// Its claimant.
    pub owner: AccountId,
}

/// A claim changed hands.
#[derive(Encode, Decode)]
pub struct Transferred {
    /// The label.
    pub label: String,
    /// The old claimant.
    pub from: AccountId,
    /// The new claimant.
    pub to: AccountId,
}

/// A claim was given up.
#[derive(Encode, Decode)]
pub struct Released {
    /// The label.
    pub label: String,
    /// The last claimant.
    pub owner: AccountId,
}

/// A subname's records were replaced.
#[derive(Encode, Decode)]
pub struct RecordsSet {
    /// The label.
    pub label: String,
    /// How many records it has now.
    pub count: u32,
}

contract! {
    deploy => deploy,
    "claim" => claim,
    "owner_of" => owner_of,
    "transfer" => transfer,
    "release" => release,
    "set_records" => set_records,
    "parent" => parent,
}

fn deploy(parent: String) -> Result<(), RegistrarError> {
    PARENT.set(&parent)?;
    Ok(())
}

fn claim(label: String) -> Result<String, RegistrarError> {
    check_label(&label)?;
    if CLAIMS.contains(&label) {
        return Err(RegistrarError::Taken);
    }
    let parent = load_parent();
    let held = names::resolve(&parent).is_ok_and(|r| r.owner == env::address());
    if !held {
        return Err(RegistrarError::ParentNotHeld);
    }
    let owner = env::caller();
    CLAIMS.insert(&label, &owner)?;
    event::emit(
        &[CLAIMED, crypto::blake3(label.as_bytes()), owner.0],
        &Claimed {
            label: label.clone(),
            owner,
        },
    );
    Ok(full_name(&label, &parent))
}

fn owner_of(label: String) -> Result<Option<AccountId>, RegistrarError> {
    Ok(CLAIMS.get(&label))
}

fn transfer(label: String, to: AccountId) -> Result<(), RegistrarError> {
    let from = ensure_claimant(&label)?;
    CLAIMS.insert(&label, &to)?;
    event::emit(
        &[TRANSFERRED, crypto::blake3(label.as_bytes()), from.0, to.0],
        &Transferred { label, from, to },
    );
    Ok(())
}

fn release(label: String) -> Result<(), RegistrarError> {
    let owner = ensure_claimant(&label)?;
    replace_records(&label, Vec::new())?;
    CLAIMS.remove(&label);
    event::emit(
        &[RELEASED, crypto::blake3(label.as_bytes()), owner.0],
        &Released { label, owner },
    );
    Ok(())
}

fn set_records(label: String, records: Vec<DnsRecord>) -> Result<(), RegistrarError> {
    ensure_claimant(&label)?;
    let count = records.len() as u32;
    replace_records(&label, records)?;
    event::emit(
        &[RECORDS_SET, crypto::blake3(label.as_bytes())],
        &RecordsSet { label, count },
    );
    Ok(())
}

fn parent() -> Result<String, RegistrarError> {
    Ok(load_parent())
}

/// Replaces the records of subname `label` (labels relative to it) among the parent's.
fn replace_records(label: &str, records: Vec<DnsRecord>) -> Result<(), Error> {
    let parent = load_parent();
    let current = names::resolve(&parent)?;
    let mut all: Vec<DnsRecord> = current
        .records
        .into_iter()
        .filter(|r| !belongs_to(&r.label, label))
        .collect();
    all.extend(records.into_iter().map(|r| DnsRecord {
        label: under(&r.label, label),
        ..r
    }));
    names::set_records(&parent, &all)
}

/// Whether a record label of the parent is `label` or below it.
fn belongs_to(record_label: &str, label: &str) -> bool {
    record_label == label
        || record_label
            .strip_suffix(label)
            .is_some_and(|head| head.ends_with('.'))
}

/// A record label relative to subname `label` as a label of the parent: `@` is `label`,
/// `www` is `www.label`.
fn under(relative: &str, label: &str) -> String {
    if relative == "@" || relative.is_empty() {
        String::from(label)
    } else {
        let mut out = String::from(relative);
        out.push('.');
        out.push_str(label);
        out
    }
}

fn full_name(label: &str, parent: &str) -> String {
    let mut out = String::from(label);
    out.push('.');
    out.push_str(parent);
    out
}

fn check_label(label: &str) -> Result<(), RegistrarError> {
    let bytes = label.as_bytes();
    let valid = !bytes.is_empty()
        && bytes.len() <= MAX_LABEL_LEN
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
        && bytes.first() != Some(&b'-')
        && bytes.last() != Some(&b'-');
    if valid {
        Ok(())
    } else {
        Err(RegistrarError::InvalidLabel)
    }
}

fn ensure_claimant(label: &str) -> Result<AccountId, RegistrarError> {
    let owner = CLAIMS.get(label).ok_or(RegistrarError::NotClaimed)?;
    if owner != env::caller() {
        return Err(RegistrarError::NotClaimant);
    }
    Ok(owner)
}

/// The parent, written at deploy (so always present).
fn load_parent() -> String {
    PARENT.get().unwrap_or_else(|| env::trap())
}
