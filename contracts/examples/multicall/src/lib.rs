//! Multicall: batches calls to other contracts in one transaction, each allowed to fail on its
//! own, and reports the block context, like Ethereum's Multicall3. It is also the example of
//! nested calls (`call`), reentrancy (`allow_reentry`) and the context host functions.
//!
//! ## Methods
//! | method | arguments | returns | notes |
//! |---|---|---|---|
//! | `deploy` | `reentrant: bool` | | whether the contract may be called while on the stack |
//! | `aggregate` | `calls: Vec<Call>` | `Vec<Result<Vec<u8>, CallError>>` | payable; each call's value comes from the contract's balance |
//! | `context` | | `Context` | payable, to show the value received |
//!
//! A call that traps, reverts or is refused has its writes rolled back and its error in the
//! result list; the other calls keep their effects. Each call may burn all the fuel left.
//!
//! No handler fails (the error type is the SDK's `Error`, never returned).
//!
//! ## Storage
//! None.

#![no_std]

use ghost_contract_sdk::call::{self, CallError};
use ghost_contract_sdk::env;
use ghost_contract_sdk::prelude::*;

/// One call of a batch.
#[derive(Encode, Decode, Clone, Debug, PartialEq, Eq)]
pub struct Call {
    /// The contract to call.
    pub dest: AccountId,
    /// Value to move to it from this contract's balance.
    pub value: Balance,
    /// Its call data (`selector ++ SCALE(args)`).
    pub input: Vec<u8>,
}

/// The frame's context as the host reports it.
#[derive(Encode, Decode, Clone, Debug, PartialEq, Eq)]
pub struct Context {
    /// Who called.
    pub caller: AccountId,
    /// This contract.
    pub address: AccountId,
    /// Value received with the call.
    pub value: Balance,
    /// This contract's free balance (the value included).
    pub balance: Balance,
    /// The block number.
    pub block_number: u64,
    /// The block time (ms).
    pub timestamp: u64,
    /// Fuel left when it was asked.
    pub fuel_left: u64,
}

contract! {
    deploy => deploy,
    #[payable] "aggregate" => aggregate,
    #[payable] "context" => context,
}

fn deploy(reentrant: bool) -> Result<(), Error> {
    if reentrant {
        env::allow_reentry(true);
    }
    Ok(())
}

fn aggregate(calls: Vec<Call>) -> Result<Vec<Result<Vec<u8>, CallError>>, Error> {
    Ok(calls
        .iter()
        .map(|c| call::call_raw(&c.dest, c.value, 0, &c.input))
        .collect())
}

fn context() -> Result<Context, Error> {
    Ok(Context {
        caller: env::caller(),
        address: env::address(),
        value: env::value_transferred(),
        balance: env::balance(),
        block_number: env::block_number(),
        timestamp: env::block_timestamp(),
        fuel_left: env::fuel_left(),
    })
}
