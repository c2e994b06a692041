//! An upgradeable contract: a count whose admin can replace the code behind its address
//! (`upgrade`, through `set_code_hash`) and end it (`destroy`, through `terminate`).
//!
//! ## The upgrade pattern
//! The address, balance and storage stay; only the code changes, from the next call on. So
//! the new code must read the storage the old one wrote: this contract keeps its count as
//! `u64` under `SCALE(b"count")`, the key and type of the `counter` example, which makes the
//! counter's code a compatible upgrade (its `get` reads the same count, and `increment` goes
//! on from it). The admin is stored under its own key, which the counter never touches. An
//! upgrade to code that drops `upgrade` gives the ability up for good: that is the author's
//! choice, and why `upgrade` is admin-gated.
//!
//! ## Methods
//! | method | arguments | returns | notes |
//! |---|---|---|---|
//! | `deploy` | `initial: u64` | | the caller becomes the admin |
//! | `get` | | `u64` | |
//! | `set` | `count: u64` | | admin only |
//! | `admin` | | `AccountId` | |
//! | `version` | | `u32` | [`VERSION`] of this code |
//! | `upgrade` | `code_hash: Hash` | | admin only; emits `Upgraded` |
//! | `destroy` | `beneficiary: AccountId` | | admin only; the balance goes to `beneficiary`, the deposits to the signer |
//!
//! ## Storage
//! `count: u64` at `SCALE(b"count")`, `admin: AccountId` at `SCALE(b"admin")`.
//!
//! ## Events
//! `Upgraded { code_hash: Hash }`, topics `[topic("Upgraded")]`.
//!
//! ## Errors
//! [`UpgradeError`]: `NotAdmin`, `Host(Error)` (`CodeNotFound` for an unknown code hash,
//! `TransferFailed`, `TerminateWhileReentered`, `DeletionQueueFull`, a deposit not covered).

#![no_std]

use ghost_contract_sdk::prelude::*;
use ghost_contract_sdk::{env, event, lifecycle};

/// The count (the `counter` example's key and type).
const COUNT: Lazy<u64> = Lazy::new(b"count");

/// Who may `set`, `upgrade` and `destroy`.
const ADMIN: Lazy<AccountId> = Lazy::new(b"admin");

/// This code's version (`version`).
pub const VERSION: u32 = 1;

/// Topic of [`Upgraded`].
const UPGRADED: Hash = topic("Upgraded");

/// Why a call failed (the revert output).
#[derive(Encode, Decode, Debug, PartialEq, Eq)]
pub enum UpgradeError {
    /// Only the admin may do this.
    NotAdmin,
    /// A host function refused.
    Host(Error),
}

impl From<Error> for UpgradeError {
    fn from(e: Error) -> Self {
        UpgradeError::Host(e)
    }
}

/// Emitted by `upgrade`.
#[derive(Encode, Decode)]
pub struct Upgraded {
    /// The code the contract runs from its next call on.
    pub code_hash: Hash,
}

contract! {
    deploy => deploy(initial: u64),
    "get" => get() -> u64,
    "set" => set(count: u64) -> (),
    "admin" => admin() -> AccountId,
    "version" => version() -> u32,
    "upgrade" => upgrade(code_hash: Hash) -> (),
    "destroy" => destroy(beneficiary: AccountId) -> (),
    errors: UpgradeError { NotAdmin, Host(Error) },
    events: { Upgraded { code_hash: Hash } },
}

fn deploy(initial: u64) -> Result<(), UpgradeError> {
    ADMIN.set(&env::caller())?;
    COUNT.set(&initial)?;
    Ok(())
}

fn ensure_admin() -> Result<(), UpgradeError> {
    match ADMIN.get() {
        Some(admin) if admin == env::caller() => Ok(()),
        _ => Err(UpgradeError::NotAdmin),
    }
}

fn get() -> Result<u64, UpgradeError> {
    Ok(COUNT.get_or_default())
}

fn set(count: u64) -> Result<(), UpgradeError> {
    ensure_admin()?;
    COUNT.set(&count)?;
    Ok(())
}

fn admin() -> Result<AccountId, UpgradeError> {
    ADMIN.get().ok_or(UpgradeError::NotAdmin)
}

fn version() -> Result<u32, UpgradeError> {
    Ok(VERSION)
}

fn upgrade(code_hash: Hash) -> Result<(), UpgradeError> {
    ensure_admin()?;
    lifecycle::set_code_hash(&code_hash)?;
    event::emit(&[UPGRADED], &Upgraded { code_hash });
    Ok(())
}

fn destroy(beneficiary: AccountId) -> Result<(), UpgradeError> {
    ensure_admin()?;
    // Returns only if refused; on success the frame ends inside `terminate`.
    Err(lifecycle::terminate(&beneficiary).into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ghost_contract_sdk::test::{self, ALICE, BOB, CONTRACT, Code, Outcome};

    const NEXT: Hash = [7; 32];

    fn next_get(_input: &[u8], _value: Balance) -> Outcome {
        Outcome::ok(&0u64)
    }

    fn deployed() {
        test::reset();
        assert_eq!(
            test::deploy(__ghost_contract_deploy, &5u64),
            Outcome::ok(&())
        );
        test::register_code(
            NEXT,
            Code {
                deploy: next_get,
                call: next_get,
            },
        );
    }

    #[test]
    fn the_deployer_is_the_admin_and_only_it_may_set() {
        deployed();
        assert_eq!(
            test::call(__ghost_contract_call, "admin", &()),
            Outcome::ok(&ALICE)
        );
        test::set_caller(BOB);
        assert_eq!(
            test::call(__ghost_contract_call, "set", &9u64),
            Outcome::err(&UpgradeError::NotAdmin)
        );
        test::set_caller(ALICE);
        assert_eq!(
            test::call(__ghost_contract_call, "set", &9u64),
            Outcome::ok(&())
        );
        assert_eq!(
            test::call(__ghost_contract_call, "get", &()),
            Outcome::ok(&9u64)
        );
    }

    #[test]
    fn the_admin_upgrades_to_uploaded_code_and_others_cannot() {
        deployed();
        test::set_caller(BOB);
        assert_eq!(
            test::call(__ghost_contract_call, "upgrade", &NEXT),
            Outcome::err(&UpgradeError::NotAdmin)
        );
        assert_eq!(test::code_hash_of(&CONTRACT), None);
        test::set_caller(ALICE);
        assert_eq!(
            test::call(__ghost_contract_call, "upgrade", &NEXT),
            Outcome::ok(&())
        );
        assert_eq!(test::code_hash_of(&CONTRACT), Some(NEXT));
        let events = test::events();
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].topics, vec![UPGRADED]);
        assert_eq!(events[0].data, Upgraded { code_hash: NEXT }.encode());
    }

    #[test]
    fn an_upgrade_to_unknown_code_is_refused() {
        deployed();
        assert_eq!(
            test::call(__ghost_contract_call, "upgrade", &[9u8; 32]),
            Outcome::err(&UpgradeError::Host(Error::CodeNotFound))
        );
        assert_eq!(test::code_hash_of(&CONTRACT), None);
        assert!(test::events().is_empty());
    }

    #[test]
    fn the_admin_destroys_it_and_the_balance_goes_to_the_beneficiary() {
        deployed();
        test::set_balance(&CONTRACT, 1_000);
        test::set_caller(BOB);
        assert_eq!(
            test::call(__ghost_contract_call, "destroy", &BOB),
            Outcome::err(&UpgradeError::NotAdmin)
        );
        test::set_caller(ALICE);
        assert_eq!(
            test::call(__ghost_contract_call, "destroy", &BOB),
            Outcome::Returned(vec![])
        );
        assert_eq!(test::terminated(), vec![(CONTRACT, BOB)]);
        assert_eq!(test::balance_of(&BOB), 1_000);
        assert_eq!(test::balance_of(&CONTRACT), 0);
        assert_eq!(test::storage(&COUNT.key()), None);
    }

    #[test]
    fn destroying_to_itself_is_refused() {
        deployed();
        assert_eq!(
            test::call(__ghost_contract_call, "destroy", &CONTRACT),
            Outcome::err(&UpgradeError::Host(Error::TransferFailed))
        );
        assert!(test::terminated().is_empty());
        assert_eq!(test::storage(&COUNT.key()), Some(5u64.encode()));
    }
}
