//! TLS certificate pinning (DANE): the contract owns a name and keeps its TLSA records at one
//! service label (`_443._tcp`) equal to the pins an authorised key last signed, so a
//! certificate rotation is one signed message that anyone can relay, and nobody else can
//! change the pins.
//!
//! ## Model
//! - Settings (fixed at deploy except the key, which the admin replaces): the name, the
//!   service label, the ed25519 key whose signatures count, and the TTL of the records.
//! - An *update* `(nonce, pins)` is signed over `b"ghost-tls-pin/update/v1" ++ contract address
//!   ++ SCALE(nonce, pins)`: the address keeps an update for one contract from being replayed
//!   on another, the nonce (strictly increasing) from being replayed on this one.
//! - `update` rewrites the name's records: every record that is not a TLSA record at the
//!   service label is kept, and one TLSA record per pin is written (at most [`MAX_PINS`]).
//!   An empty pin list removes the pins.
//! - The name's owner transfers it to the contract after deploying it; `release_name` (admin)
//!   hands it back.
//!
//! ## Methods
//! | method | arguments | returns | notes |
//! |---|---|---|---|
//! | `deploy` | `settings: Settings` | | the caller becomes the admin |
//! | `update` | `nonce: u64, pins: Vec<Pin>, signature: [u8; 64]` | `()` | anyone relays; signed by the key |
//! | `pins` | | `Vec<Pin>` | the last accepted pins |
//! | `nonce` | | `u64` | the last accepted nonce (0: none yet) |
//! | `set_key` | `key: AccountId` | `()` | admin |
//! | `release_name` | `to: AccountId` | `()` | admin; transfers the name away |
//!
//! ## Storage
//! `settings: Settings`, `admin: AccountId`, `nonce: u64`, `pins: Vec<Pin>`, all `Lazy`.
//!
//! ## Events
//! `PinsUpdated { nonce, pins }`, topics `[topic("PinsUpdated")]`.
//!
//! ## Errors
//! [`PinError`]; every failed call reverts and changes nothing.

#![no_std]

use ghost_contract_sdk::names::{self, DnsRecord, RecordData};
use ghost_contract_sdk::prelude::*;
use ghost_contract_sdk::{crypto, env, event};

/// Most pins (TLSA records) one update may set.
pub const MAX_PINS: usize = 8;
/// What every signed update starts with.
pub const UPDATE_CONTEXT: &[u8] = b"ghost-tls-pin/update/v1";

const SETTINGS: Lazy<Settings> = Lazy::new(b"settings");
const ADMIN: Lazy<AccountId> = Lazy::new(b"admin");
const NONCE: Lazy<u64> = Lazy::new(b"nonce");
const PINS: Lazy<Vec<Pin>> = Lazy::new(b"pins");

const PINS_UPDATED: Hash = topic("PinsUpdated");

/// The contract's settings.
#[derive(Encode, Decode, Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    /// The name whose TLSA records the contract manages (`shop.ghost`).
    pub name: String,
    /// The service label of the records (`_443._tcp`).
    pub label: String,
    /// The ed25519 public key whose updates count.
    pub key: AccountId,
    /// TTL of the records (seconds).
    pub ttl: u32,
}

/// One TLSA association (RFC 6698).
#[derive(Encode, Decode, Clone, Debug, PartialEq, Eq)]
pub struct Pin {
    /// Certificate usage (3: the end-entity certificate itself, DANE-EE).
    pub usage: u8,
    /// Selector (1: the subject public key).
    pub selector: u8,
    /// Matching type (1: SHA-256).
    pub matching_type: u8,
    /// The association data (the digest).
    pub data: Vec<u8>,
}

/// Why a call failed (the revert output).
#[derive(Encode, Decode, Debug, PartialEq, Eq)]
pub enum PinError {
    /// Only the admin may do this.
    NotAdmin,
    /// The signature is not the key's over this contract, nonce and pins.
    BadSignature,
    /// The nonce is not above the last accepted one.
    StaleNonce,
    /// More than [`MAX_PINS`] pins.
    TooManyPins,
    /// A host function refused (the contract does not own the name, a record is invalid, ...).
    Host(Error),
}

impl From<Error> for PinError {
    fn from(e: Error) -> Self {
        PinError::Host(e)
    }
}

/// The pins were replaced.
#[derive(Encode, Decode)]
pub struct PinsUpdated {
    /// The update's nonce.
    pub nonce: u64,
    /// The new pins.
    pub pins: Vec<Pin>,
}

contract! {
    deploy => deploy(settings: Settings),
    "update" => update(nonce: u64, pins: Vec<Pin>, signature: [u8; 64]) -> (),
    "pins" => pins() -> Vec<Pin>,
    "nonce" => nonce() -> u64,
    "set_key" => set_key(key: AccountId) -> (),
    "release_name" => release_name(to: AccountId) -> (),
    errors: PinError { NotAdmin, BadSignature, StaleNonce, TooManyPins, Host(Error) },
    events: {
        PinsUpdated { nonce: u64, pins: Vec<Pin> }
    },
}

fn deploy(settings: Settings) -> Result<(), PinError> {
    ADMIN.set(&env::caller())?;
    SETTINGS.set(&settings)?;
    Ok(())
}

fn update(nonce: u64, pins: Vec<Pin>, signature: [u8; 64]) -> Result<(), PinError> {
    let settings = load_settings();
    if pins.len() > MAX_PINS {
        return Err(PinError::TooManyPins);
    }
    if nonce <= NONCE.get_or_default() {
        return Err(PinError::StaleNonce);
    }
    let mut message = Vec::from(UPDATE_CONTEXT);
    message.extend_from_slice(&env::address().0);
    (nonce, &pins).encode_to(&mut message);
    if !crypto::ed25519_verify(&signature, &settings.key.0, &message) {
        return Err(PinError::BadSignature);
    }

    let current = names::resolve(&settings.name)?;
    let mut records: Vec<DnsRecord> = current
        .records
        .into_iter()
        .filter(|r| !(r.label == settings.label && matches!(r.data, RecordData::TLSA { .. })))
        .collect();
    records.extend(pins.iter().map(|p| DnsRecord {
        label: settings.label.clone(),
        ttl: settings.ttl,
        data: RecordData::TLSA {
            usage: p.usage,
            selector: p.selector,
            matching_type: p.matching_type,
            data: p.data.clone(),
        },
    }));
    names::set_records(&settings.name, &records)?;
    NONCE.set(&nonce)?;
    PINS.set(&pins)?;
    event::emit(&[PINS_UPDATED], &PinsUpdated { nonce, pins });
    Ok(())
}

fn pins() -> Result<Vec<Pin>, PinError> {
    Ok(PINS.get_or_default())
}

fn nonce() -> Result<u64, PinError> {
    Ok(NONCE.get_or_default())
}

fn set_key(key: AccountId) -> Result<(), PinError> {
    ensure_admin()?;
    let settings = Settings {
        key,
        ..load_settings()
    };
    SETTINGS.set(&settings)?;
    Ok(())
}

fn release_name(to: AccountId) -> Result<(), PinError> {
    ensure_admin()?;
    names::transfer(&load_settings().name, &to)?;
    Ok(())
}

fn ensure_admin() -> Result<(), PinError> {
    if ADMIN.get() != Some(env::caller()) {
        return Err(PinError::NotAdmin);
    }
    Ok(())
}

/// The settings, written at deploy (so always present).
fn load_settings() -> Settings {
    SETTINGS.get().unwrap_or_else(|| env::trap())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::{Signer, SigningKey};
    use ghost_contract_sdk::names::{DnsRecord, RecordData};
    use ghost_contract_sdk::test::{self, ALICE, BOB, CONTRACT, Outcome};

    fn key(seed: u8) -> SigningKey {
        SigningKey::from_bytes(&[seed; 32])
    }

    fn pin(byte: u8) -> Pin {
        Pin {
            usage: 3,
            selector: 1,
            matching_type: 1,
            data: vec![byte; 32],
        }
    }

    fn signed(signer: &SigningKey, contract: AccountId, nonce: u64, pins: &[Pin]) -> [u8; 64] {
        let mut message = Vec::from(UPDATE_CONTEXT);
        message.extend_from_slice(&contract.0);
        (nonce, pins).encode_to(&mut message);
        signer.sign(&message).to_bytes()
    }

    /// `site.ghost` (held by the contract, with an A record) pinned at `_443._tcp` by key 7.
    fn pinned() {
        test::reset();
        let a = DnsRecord::apex(300, RecordData::A([192, 0, 2, 1]));
        test::set_name("site.ghost", CONTRACT, vec![a]);
        let settings = Settings {
            name: String::from("site.ghost"),
            label: String::from("_443._tcp"),
            key: AccountId(key(7).verifying_key().to_bytes()),
            ttl: 300,
        };
        assert_eq!(
            test::deploy(__ghost_contract_deploy, &settings),
            Outcome::ok(&())
        );
    }

    fn update(nonce: u64, pins: &[Pin], signature: [u8; 64]) -> Outcome {
        test::call(
            __ghost_contract_call,
            "update",
            &(nonce, pins.to_vec(), signature),
        )
    }

    fn tlsa_count() -> usize {
        test::name("site.ghost")
            .unwrap()
            .records
            .iter()
            .filter(|r| matches!(r.data, RecordData::TLSA { .. }) && r.label == "_443._tcp")
            .count()
    }

    #[test]
    fn a_signed_update_relayed_by_anyone_writes_the_pins_once() {
        pinned();
        let pins = [pin(1), pin(2)];
        test::set_caller(BOB);
        assert_eq!(
            update(1, &pins, signed(&key(7), CONTRACT, 1, &pins)),
            Outcome::ok(&())
        );
        assert_eq!(tlsa_count(), 2);
        assert_eq!(
            test::name("site.ghost").unwrap().records.len(),
            3,
            "the A record stays"
        );
        assert_eq!(
            test::call(__ghost_contract_call, "pins", &()),
            Outcome::ok(&pins.to_vec())
        );
        // The same update again, or an older one: refused.
        assert_eq!(
            update(1, &pins, signed(&key(7), CONTRACT, 1, &pins)),
            Outcome::err(&PinError::StaleNonce)
        );
    }

    #[test]
    fn wrong_keys_other_contracts_and_tampered_pins_are_refused() {
        pinned();
        let pins = [pin(1)];
        assert_eq!(
            update(1, &pins, signed(&key(8), CONTRACT, 1, &pins)),
            Outcome::err(&PinError::BadSignature)
        );
        let other = AccountId([0xDD; 32]);
        assert_eq!(
            update(1, &pins, signed(&key(7), other, 1, &pins)),
            Outcome::err(&PinError::BadSignature)
        );
        assert_eq!(
            update(1, &[pin(9)], signed(&key(7), CONTRACT, 1, &pins)),
            Outcome::err(&PinError::BadSignature)
        );
        assert_eq!(tlsa_count(), 0);
        // Only the admin (the deployer) rotates the key.
        test::set_caller(BOB);
        assert_eq!(
            test::call(__ghost_contract_call, "set_key", &AccountId([5; 32])),
            Outcome::err(&PinError::NotAdmin)
        );
        test::set_caller(ALICE);
        assert_eq!(
            test::call(
                __ghost_contract_call,
                "set_key",
                &AccountId(key(8).verifying_key().to_bytes())
            ),
            Outcome::ok(&())
        );
        assert_eq!(
            update(1, &pins, signed(&key(8), CONTRACT, 1, &pins)),
            Outcome::ok(&())
        );
    }
}
