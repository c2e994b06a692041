//! An ERC-20-like fungible token.
//!
//! ## Methods
//! | method | arguments | returns | notes |
//! |---|---|---|---|
//! | `deploy` | `initial_supply: u128` | | mints it to the deployer (`Transfer` from nobody) |
//! | `total_supply` | | `u128` | |
//! | `balance_of` | `owner: AccountId` | `u128` | |
//! | `allowance` | `owner: AccountId, spender: AccountId` | `u128` | |
//! | `transfer` | `to: AccountId, value: u128` | `()` | from the caller; emits `Transfer` |
//! | `approve` | `spender: AccountId, value: u128` | `()` | sets (not adds to) the allowance; emits `Approval` |
//! | `transfer_from` | `from: AccountId, to: AccountId, value: u128` | `()` | spends the caller's allowance from `from`; emits `Transfer` |
//!
//! ## Storage
//! `total_supply: u128` (`Lazy`), `balances: AccountId → u128` and
//! `allowances: (owner, spender) → u128` (`Mapping`s). Zero balances and allowances are removed,
//! which pays their storage deposit back to the signer of the transaction that removes them.
//!
//! ## Events
//! - `Transfer { from: Option<AccountId>, to, value }`, topics
//!   `[topic("Transfer"), from (zeros when minting), to]`.
//! - `Approval { owner, spender, value }`, topics `[topic("Approval"), owner, spender]`.
//!
//! ## Errors
//! [`TokenError`]. Every call either does everything or reverts.
//!
//! The signer of each transaction pays the storage deposit of the entries it creates (the
//! approver for an allowance, the sender for a new recipient's balance), never the contract, so
//! nobody can grow the token's storage at the token's expense.

#![no_std]

use ghost_contract_sdk::prelude::*;
use ghost_contract_sdk::{env, event};

const TOTAL_SUPPLY: Lazy<u128> = Lazy::new(b"total_supply");
const BALANCES: Mapping<AccountId, u128> = Mapping::new(b"balances");
const ALLOWANCES: Mapping<(AccountId, AccountId), u128> = Mapping::new(b"allowances");

const TRANSFER: Hash = topic("Transfer");
const APPROVAL: Hash = topic("Approval");

/// Why a call failed (the revert output).
#[derive(Encode, Decode, Debug, PartialEq, Eq)]
pub enum TokenError {
    /// The sender's balance is below the value.
    InsufficientBalance,
    /// The caller's allowance from the owner is below the value.
    InsufficientAllowance,
    /// The recipient's balance would overflow (only possible with a supply near `u128::MAX`).
    Overflow,
    /// A host function refused (e.g. the storage deposit is not covered).
    Host(Error),
}

impl From<Error> for TokenError {
    fn from(e: Error) -> Self {
        TokenError::Host(e)
    }
}

/// Tokens moved (or minted, `from: None`).
#[derive(Encode, Decode)]
pub struct Transfer {
    /// The sender, `None` when minting.
    pub from: Option<AccountId>,
    /// The recipient.
    pub to: AccountId,
    /// The amount.
    pub value: u128,
}

/// An allowance was set.
#[derive(Encode, Decode)]
pub struct Approval {
    /// Whose tokens.
    pub owner: AccountId,
    /// Who may spend them.
    pub spender: AccountId,
    /// How many.
    pub value: u128,
}

contract! {
    deploy => deploy(initial_supply: u128),
    "total_supply" => total_supply() -> u128,
    "balance_of" => balance_of(owner: AccountId) -> u128,
    "allowance" => allowance(owner: AccountId, spender: AccountId) -> u128,
    "transfer" => transfer(to: AccountId, value: u128) -> (),
    "approve" => approve(spender: AccountId, value: u128) -> (),
    "transfer_from" => transfer_from(from: AccountId, to: AccountId, value: u128) -> (),
    errors: TokenError { InsufficientBalance, InsufficientAllowance, Overflow, Host(Error) },
    events: {
        Approval { owner: AccountId, spender: AccountId, value: u128 }
        Transfer { from: Option<AccountId>, to: AccountId, value: u128 }
    },
}

fn deploy(initial_supply: u128) -> Result<(), TokenError> {
    let owner = env::caller();
    TOTAL_SUPPLY.set(&initial_supply)?;
    set_balance(&owner, initial_supply)?;
    emit_transfer(None, owner, initial_supply);
    Ok(())
}

fn total_supply() -> Result<u128, TokenError> {
    Ok(TOTAL_SUPPLY.get_or_default())
}

fn balance_of(owner: AccountId) -> Result<u128, TokenError> {
    Ok(BALANCES.get_or_default(owner))
}

fn allowance(owner: AccountId, spender: AccountId) -> Result<u128, TokenError> {
    Ok(ALLOWANCES.get_or_default((owner, spender)))
}

fn transfer(to: AccountId, value: u128) -> Result<(), TokenError> {
    move_tokens(env::caller(), to, value)
}

fn approve(spender: AccountId, value: u128) -> Result<(), TokenError> {
    let owner = env::caller();
    set_allowance(&owner, &spender, value)?;
    event::emit(
        &[APPROVAL, owner.0, spender.0],
        &Approval {
            owner,
            spender,
            value,
        },
    );
    Ok(())
}

fn transfer_from(from: AccountId, to: AccountId, value: u128) -> Result<(), TokenError> {
    let spender = env::caller();
    let allowed = ALLOWANCES.get_or_default((from, spender));
    let left = allowed
        .checked_sub(value)
        .ok_or(TokenError::InsufficientAllowance)?;
    move_tokens(from, to, value)?;
    set_allowance(&from, &spender, left)?;
    Ok(())
}

/// Moves `value` from `from` to `to` (checks first, then writes, then emits).
fn move_tokens(from: AccountId, to: AccountId, value: u128) -> Result<(), TokenError> {
    let from_balance = BALANCES.get_or_default(from);
    let from_left = from_balance
        .checked_sub(value)
        .ok_or(TokenError::InsufficientBalance)?;
    if from != to {
        let to_balance = BALANCES
            .get_or_default(to)
            .checked_add(value)
            .ok_or(TokenError::Overflow)?;
        set_balance(&from, from_left)?;
        set_balance(&to, to_balance)?;
    }
    emit_transfer(Some(from), to, value);
    Ok(())
}

/// Stores a balance, removing the entry at zero.
fn set_balance(owner: &AccountId, value: u128) -> Result<(), Error> {
    if value == 0 {
        BALANCES.remove(owner);
        Ok(())
    } else {
        BALANCES.insert(owner, &value)
    }
}

/// Stores an allowance, removing the entry at zero.
fn set_allowance(owner: &AccountId, spender: &AccountId, value: u128) -> Result<(), Error> {
    let key = (*owner, *spender);
    if value == 0 {
        ALLOWANCES.remove(key);
        Ok(())
    } else {
        ALLOWANCES.insert(key, &value)
    }
}

fn emit_transfer(from: Option<AccountId>, to: AccountId, value: u128) {
    let from_topic = from.map_or([0u8; 32], |f| f.0);
    event::emit(&[TRANSFER, from_topic, to.0], &Transfer { from, to, value });
}

#[cfg(test)]
mod tests {
    use super::*;
    use ghost_contract_sdk::test::{self, ALICE, BOB, Outcome};

    const CAROL: AccountId = AccountId([3; 32]);

    fn balance(who: AccountId) -> Outcome {
        test::call(__ghost_contract_call, "balance_of", &who)
    }

    #[test]
    fn transfers_move_tokens_and_emit() {
        test::reset();
        assert_eq!(
            test::deploy(__ghost_contract_deploy, &1_000u128),
            Outcome::ok(&())
        );
        assert_eq!(
            test::call(__ghost_contract_call, "transfer", &(BOB, 300u128)),
            Outcome::ok(&())
        );
        assert_eq!(balance(ALICE), Outcome::ok(&700u128));
        assert_eq!(balance(BOB), Outcome::ok(&300u128));
        assert_eq!(
            test::call(__ghost_contract_call, "total_supply", &()),
            Outcome::ok(&1_000u128)
        );
        let events = test::events();
        assert_eq!(events.len(), 2, "mint and transfer");
        assert_eq!(
            events[1].data,
            Transfer {
                from: Some(ALICE),
                to: BOB,
                value: 300
            }
            .encode()
        );
    }

    #[test]
    fn overdrafts_and_unapproved_spends_revert_without_effect() {
        test::reset();
        test::deploy(__ghost_contract_deploy, &100u128);
        assert_eq!(
            test::call(__ghost_contract_call, "transfer", &(BOB, 101u128)),
            Outcome::err(&TokenError::InsufficientBalance)
        );
        test::set_caller(BOB);
        assert_eq!(
            test::call(__ghost_contract_call, "transfer_from", &(ALICE, BOB, 1u128)),
            Outcome::err(&TokenError::InsufficientAllowance)
        );
        assert_eq!(balance(ALICE), Outcome::ok(&100u128));
        assert_eq!(balance(BOB), Outcome::ok(&0u128));
    }

    #[test]
    fn allowances_are_spent_exactly() {
        test::reset();
        test::deploy(__ghost_contract_deploy, &100u128);
        test::call(__ghost_contract_call, "approve", &(BOB, 40u128));
        test::set_caller(BOB);
        assert_eq!(
            test::call(
                __ghost_contract_call,
                "transfer_from",
                &(ALICE, CAROL, 30u128)
            ),
            Outcome::ok(&())
        );
        assert_eq!(
            test::call(__ghost_contract_call, "allowance", &(ALICE, BOB)),
            Outcome::ok(&10u128)
        );
        assert_eq!(
            test::call(
                __ghost_contract_call,
                "transfer_from",
                &(ALICE, CAROL, 11u128)
            ),
            Outcome::err(&TokenError::InsufficientAllowance)
        );
        assert_eq!(balance(CAROL), Outcome::ok(&30u128));
    }
}
