//! First-come-first-served subnames of a name the contract holds.
//!
//! ## Model
//! The owner of a name (`club.ghost`) deploys the registrar with it and transfers the name to
//! the contract (`Domains.transfer`). From then on anyone may `claim` a free label (`bob`): the
//! registrar creates the real subname `bob.club.ghost` in the domains pallet, owned by the
//! claimant (`name_set_subname_owner`). The claimant is then an owner like any other: it sets
//! the subname's records with ordinary signed `Domains.set_record(s)` calls, approves managers,
//! creates subnames below it, and wallets, RPC and DNS see it as the owner.
//!
//! The chain is the registry: the registrar keeps no label → owner table. A label is *taken*
//! while `label.parent` resolves to an owner other than the registrar; it is *free* when it
//! does not resolve or when the registrar itself owns it (released). So `owner_of` and every
//! check below read the domains pallet (`name_resolve`), and a transfer the claimant makes
//! directly with `Domains.transfer` is seen at once.
//!
//! ## Control
//! Subnames are created **unlocked** (`lock = false`): the registrar, as the parent's owner,
//! keeps the power to reassign them, and uses it only for the current owner's `transfer` and
//! `release`. That is what makes `release` (and re-claiming a released label) possible; the
//! price is that claimants trust this code, which has no admin and no other path to reassign a
//! subname. Once the registrar holds the parent nobody can take it back, so claims cannot be
//! revoked (anyone can still renew the parent with `Domains.renew`). A subname lives as long as
//! the parent's registration: if `club.ghost` expires, every claim dies with it.
//!
//! ## Fee
//! `deploy(parent, fee)`: a claim must send exactly `fee` (0 for free claims), which the
//! registrar forwards to the deployer in the same call.
//!
//! ## Methods
//! | method | arguments | returns | notes |
//! |---|---|---|---|
//! | `deploy` | `parent: String, fee: u128` | | the name the registrar will hold; the claim fee, paid to the deployer |
//! | `claim` | `label: String` | `String`, the full subname | payable, `value = fee`; the label must be free; the contract must hold the parent |
//! | `owner_of` | `label: String` | `Option<AccountId>` | the subname's owner in the domains pallet; `None` if free |
//! | `transfer` | `label: String, to: AccountId` | `()` | the subname's owner; same as `Domains.transfer` |
//! | `release` | `label: String` | `()` | the subname's owner; the registrar takes the subname back and clears its records |
//! | `parent` | | `String` | |
//! | `fee` | | `u128` | |
//! | `claims` | | `u64` | claims made so far (re-claims of released labels count again) |
//!
//! ## Storage
//! `parent: String`, `fee: u128`, `beneficiary: AccountId` (the deployer), `claims: u64`
//! (`Lazy` each).
//!
//! ## Events
//! `Claimed { label, owner }`, `Transferred { label, from, to }`, `Released { label, owner }`;
//! topics `[topic(event), blake3(label)]` and the accounts.

#![no_std]

use ghost_contract_sdk::names;
use ghost_contract_sdk::prelude::*;
use ghost_contract_sdk::{crypto, env, event};

/// The longest label (DNS).
pub const MAX_LABEL_LEN: usize = 63;

const PARENT: Lazy<String> = Lazy::new(b"parent");
const FEE: Lazy<Balance> = Lazy::new(b"fee");
const BENEFICIARY: Lazy<AccountId> = Lazy::new(b"beneficiary");
const CLAIMS: Lazy<u64> = Lazy::new(b"claims");

const CLAIMED: Hash = topic("Claimed");
const TRANSFERRED: Hash = topic("Transferred");
const RELEASED: Hash = topic("Released");

/// Why a call failed (the revert output).
#[derive(Encode, Decode, Debug, PartialEq, Eq)]
pub enum RegistrarError {
    /// The label is not 1-63 characters of `a-z`, `0-9` and inner `-`.
    InvalidLabel,
    /// The subname has an owner already.
    Taken,
    /// The subname is free (never claimed, released, or gone with the parent's registration).
    NotClaimed,
    /// Only the subname's owner may do this.
    NotClaimant,
    /// The contract does not hold the (active) parent name.
    ParentNotHeld,
    /// A host function refused (invalid parent, transfer of the fee failed, ...).
    Host(Error),
    /// The value sent is not the claim fee.
    WrongFee,
}

impl From<Error> for RegistrarError {
    fn from(e: Error) -> Self {
        RegistrarError::Host(e)
    }
}

/// A label was claimed: its subname now belongs to `owner`.
#[derive(Encode, Decode)]
pub struct Claimed {
    /// The label.
    pub label: String,
    /// Its claimant.
    pub owner: AccountId,
}

/// A subname changed hands through the registrar.
#[derive(Encode, Decode)]
pub struct Transferred {
    /// The label.
    pub label: String,
    /// The old owner.
    pub from: AccountId,
    /// The new owner.
    pub to: AccountId,
}

/// A subname was given back to the registrar; the label is free again.
#[derive(Encode, Decode)]
pub struct Released {
    /// The label.
    pub label: String,
    /// The last owner.
    pub owner: AccountId,
}

contract! {
    deploy => deploy(parent: String, fee: Balance),
    #[payable] "claim" => claim(label: String) -> String,
    "owner_of" => owner_of(label: String) -> Option<AccountId>,
    "transfer" => transfer(label: String, to: AccountId) -> (),
    "release" => release(label: String) -> (),
    "parent" => parent() -> String,
    "fee" => fee() -> Balance,
    "claims" => claims() -> u64,
    errors: RegistrarError { InvalidLabel, Taken, NotClaimed, NotClaimant, ParentNotHeld, Host(Error), WrongFee },
    events: {
        Claimed { label: String, owner: AccountId }
        Transferred { label: String, from: AccountId, to: AccountId }
        Released { label: String, owner: AccountId }
    },
}

fn deploy(parent: String, fee: Balance) -> Result<(), RegistrarError> {
    PARENT.set(&parent)?;
    FEE.set(&fee)?;
    BENEFICIARY.set(&env::caller())?;
    CLAIMS.set(&0)?;
    Ok(())
}

fn claim(label: String) -> Result<String, RegistrarError> {
    check_label(&label)?;
    let fee = FEE.get_or_default();
    if env::value_transferred() != fee {
        return Err(RegistrarError::WrongFee);
    }
    let parent = load_parent();
    let name = full_name(&label, &parent);
    let me = env::address();
    match names::resolve(&name) {
        Ok(current) if current.owner != me => return Err(RegistrarError::Taken),
        // Released, or handed back with `Domains.transfer`: the next owner starts clean.
        Ok(current) if !current.records.is_empty() => names::set_records(&name, &[])?,
        Ok(_) | Err(Error::NameNotFound) => {}
        Err(e) => return Err(e.into()),
    }
    let owner = env::caller();
    names::set_subname_owner(&parent, &label, &owner, false).map_err(|e| match e {
        Error::NotNameOwner | Error::NameNotFound => RegistrarError::ParentNotHeld,
        e => RegistrarError::Host(e),
    })?;
    if fee > 0 {
        let beneficiary = BENEFICIARY.get().unwrap_or_else(|| env::trap());
        env::transfer(&beneficiary, fee)?;
    }
    CLAIMS.set(&CLAIMS.get_or_default().saturating_add(1))?;
    event::emit(
        &[CLAIMED, crypto::blake3(label.as_bytes()), owner.0],
        &Claimed { label, owner },
    );
    Ok(name)
}

fn owner_of(label: String) -> Result<Option<AccountId>, RegistrarError> {
    check_label(&label)?;
    Ok(current_owner(&full_name(&label, &load_parent()))?)
}

fn transfer(label: String, to: AccountId) -> Result<(), RegistrarError> {
    let (parent, from) = ensure_owner(&label)?;
    names::set_subname_owner(&parent, &label, &to, false)?;
    event::emit(
        &[TRANSFERRED, crypto::blake3(label.as_bytes()), from.0, to.0],
        &Transferred { label, from, to },
    );
    Ok(())
}

fn release(label: String) -> Result<(), RegistrarError> {
    let (parent, owner) = ensure_owner(&label)?;
    names::set_subname_owner(&parent, &label, &env::address(), false)?;
    // The registrar owns the subname now, so it may clear what the last owner published.
    names::set_records(&full_name(&label, &parent), &[])?;
    event::emit(
        &[RELEASED, crypto::blake3(label.as_bytes()), owner.0],
        &Released { label, owner },
    );
    Ok(())
}

fn parent() -> Result<String, RegistrarError> {
    Ok(load_parent())
}

fn fee() -> Result<Balance, RegistrarError> {
    Ok(FEE.get_or_default())
}

fn claims() -> Result<u64, RegistrarError> {
    Ok(CLAIMS.get_or_default())
}

/// The owner of subname `name` unless it is free (not resolving, or the registrar's own).
fn current_owner(name: &str) -> Result<Option<AccountId>, Error> {
    match names::resolve(name) {
        Ok(current) if current.owner != env::address() => Ok(Some(current.owner)),
        Ok(_) | Err(Error::NameNotFound) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The parent and the caller, if the caller owns subname `label`.
fn ensure_owner(label: &str) -> Result<(String, AccountId), RegistrarError> {
    check_label(label)?;
    let parent = load_parent();
    let owner = current_owner(&full_name(label, &parent))?.ok_or(RegistrarError::NotClaimed)?;
    if owner != env::caller() {
        return Err(RegistrarError::NotClaimant);
    }
    Ok((parent, owner))
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

/// The parent, written at deploy (so always present).
fn load_parent() -> String {
    PARENT.get().unwrap_or_else(|| env::trap())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ghost_contract_sdk::test::{self, ALICE, BOB, CONTRACT, Outcome};

    const PARENT_NAME: &str = "club.ghost";
    const FEE_PAID: Balance = 5;

    /// A registrar for `club.ghost` (held by the contract) deployed by ALICE, who gets the fees.
    fn deployed() {
        test::reset();
        test::set_name(PARENT_NAME, CONTRACT, vec![]);
        assert_eq!(
            test::deploy(
                __ghost_contract_deploy,
                &(String::from(PARENT_NAME), FEE_PAID)
            ),
            Outcome::ok(&())
        );
        test::set_balance(&BOB, 100);
    }

    fn claim(label: &str, value: Balance) -> Outcome {
        test::call_with_value(__ghost_contract_call, "claim", &String::from(label), value)
    }

    #[test]
    fn a_claim_paid_exactly_makes_the_caller_own_the_subname() {
        deployed();
        test::set_caller(BOB);
        assert_eq!(
            claim("bob", FEE_PAID),
            Outcome::ok(&String::from("bob.club.ghost"))
        );
        assert_eq!(test::name("bob.club.ghost").unwrap().owner, BOB);
        assert_eq!(
            test::balance_of(&ALICE),
            FEE_PAID,
            "the fee went to the deployer"
        );
        assert_eq!(test::balance_of(&BOB), 100 - FEE_PAID);
        assert_eq!(
            test::call(__ghost_contract_call, "owner_of", &String::from("bob")),
            Outcome::ok(&Some(BOB))
        );
        assert_eq!(test::events().len(), 1);
    }

    #[test]
    fn wrong_fees_taken_labels_and_bad_labels_are_refused() {
        deployed();
        test::set_caller(BOB);
        assert_eq!(
            claim("bob", FEE_PAID - 1),
            Outcome::err(&RegistrarError::WrongFee)
        );
        assert_eq!(
            test::balance_of(&BOB),
            100,
            "a reverted claim's value goes back"
        );
        assert_eq!(
            claim("-bad", FEE_PAID),
            Outcome::err(&RegistrarError::InvalidLabel)
        );
        assert_eq!(
            claim("Bob", FEE_PAID),
            Outcome::err(&RegistrarError::InvalidLabel)
        );
        claim("bob", FEE_PAID);
        test::set_caller(ALICE);
        test::set_balance(&ALICE, 100);
        assert_eq!(claim("bob", FEE_PAID), Outcome::err(&RegistrarError::Taken));
    }

    #[test]
    fn only_the_claimant_transfers_or_releases_and_release_clears_records() {
        deployed();
        test::set_caller(BOB);
        claim("bob", FEE_PAID);
        test::set_caller(ALICE);
        assert_eq!(
            test::call(
                __ghost_contract_call,
                "transfer",
                &(String::from("bob"), ALICE)
            ),
            Outcome::err(&RegistrarError::NotClaimant)
        );
        test::set_caller(BOB);
        assert_eq!(
            test::call(__ghost_contract_call, "release", &String::from("bob")),
            Outcome::ok(&())
        );
        assert_eq!(test::name("bob.club.ghost").unwrap().owner, CONTRACT);
        assert_eq!(
            test::call(__ghost_contract_call, "owner_of", &String::from("bob")),
            Outcome::ok(&None::<AccountId>)
        );
    }

    #[test]
    fn without_the_parent_claims_fail() {
        deployed();
        test::set_name(PARENT_NAME, ALICE, vec![]);
        test::set_caller(BOB);
        assert_eq!(
            claim("bob", FEE_PAID),
            Outcome::err(&RegistrarError::ParentNotHeld)
        );
    }
}
