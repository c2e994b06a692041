//! Multicall: batches calls to other contracts in one transaction, each allowed to fail on its
//! own, and reports the block context, like Ethereum's Multicall3. It is also the example of
//! nested calls (`call`), reentrancy (`allow_reentry`) and the context host functions.
//!
//! ## Methods
//! | method | arguments | returns | notes |
//! |---|---|---|---|
//! | `deploy` | `reentrant: bool` | | whether the contract may be called while on the stack |
//! | `aggregate` | `calls: Vec<Call>` | `Vec<Result<Vec<u8>, CallError>>` | payable; the calls' values come out of the value sent with it, never the contract's own balance |
//! | `context` | | `Context` | payable, to show the value received |
//!
//! A call that traps, reverts or is refused has its writes rolled back and its error in the
//! result list; the other calls keep their effects. Each call may burn all the fuel left.
//!
//! The values of a batch must add up to at most the value sent with `aggregate`, or it reverts
//! with [`MulticallError::ValueExceedsPayment`] before calling anything: a caller spends only
//! what it sent, never the contract's balance. What the batch does not spend (the rest, and the
//! value of calls that failed) goes back to the caller.
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

/// Why `aggregate` refused a batch (the revert output).
#[derive(Encode, Decode, Clone, Debug, PartialEq, Eq)]
pub enum MulticallError {
    /// The calls' values add up to more than the value sent (or overflow `u128`).
    ValueExceedsPayment {
        /// The value sent with `aggregate`.
        sent: Balance,
        /// What the calls ask for (`u128::MAX` on overflow).
        asked: Balance,
    },
    /// Paying back the unspent value failed (a host error).
    Host(Error),
}

impl From<Error> for MulticallError {
    fn from(e: Error) -> Self {
        MulticallError::Host(e)
    }
}

contract! {
    deploy => deploy(reentrant: bool),
    #[payable] "aggregate" => aggregate(calls: Vec<Call>) -> Vec<Result<Vec<u8>, CallError>>,
    #[payable] "context" => context() -> Context,
    // `ValueExceedsPayment { sent, asked }` encodes as its fields in order.
    errors: MulticallError { ValueExceedsPayment(Balance, Balance), Host(Error) },
}

fn deploy(reentrant: bool) -> Result<(), Error> {
    if reentrant {
        env::allow_reentry(true);
    }
    Ok(())
}

fn aggregate(calls: Vec<Call>) -> Result<Vec<Result<Vec<u8>, CallError>>, MulticallError> {
    let sent = env::value_transferred();
    let asked = calls
        .iter()
        .try_fold(0u128, |sum, c| sum.checked_add(c.value))
        .unwrap_or(u128::MAX);
    if asked > sent {
        return Err(MulticallError::ValueExceedsPayment { sent, asked });
    }
    let mut spent = 0u128;
    let results: Vec<_> = calls
        .iter()
        .map(|c| {
            let result = call::call_raw(&c.dest, c.value, 0, &c.input);
            if result.is_ok() {
                // At most `asked`, which did not overflow.
                spent += c.value;
            }
            result
        })
        .collect();
    let unspent = sent - spent;
    if unspent > 0 {
        env::transfer(&env::caller(), unspent)?;
    }
    Ok(results)
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

#[cfg(test)]
mod tests {
    use super::*;
    use ghost_contract_sdk::test::{self, ALICE, CONTRACT, Outcome};

    const ECHO: AccountId = AccountId([0xE0; 32]);
    const FAILS: AccountId = AccountId([0xFA; 32]);
    const NOBODY: AccountId = AccountId([0x99; 32]);

    /// A callee that returns its call data and keeps the value.
    fn echo(input: &[u8], _value: Balance) -> Outcome {
        Outcome::Returned(input.to_vec())
    }

    /// A callee that always reverts with `[7]`.
    fn fails(_input: &[u8], _value: Balance) -> Outcome {
        Outcome::Reverted(vec![7])
    }

    fn batch(calls: Vec<Call>, value: Balance) -> Outcome {
        test::call_with_value(__ghost_contract_call, "aggregate", &calls, value)
    }

    fn call(dest: AccountId, value: Balance, input: &[u8]) -> Call {
        Call {
            dest,
            value,
            input: input.to_vec(),
        }
    }

    #[test]
    fn each_call_gets_its_own_result_and_unspent_value_returns() {
        test::reset();
        test::register_contract(ECHO, echo);
        test::register_contract(FAILS, fails);
        test::set_balance(&ALICE, 1_000);
        test::deploy(__ghost_contract_deploy, &false);
        let expected: Vec<Result<Vec<u8>, CallError>> = vec![
            Ok(vec![1, 2]),
            Err(CallError::Reverted(vec![7])),
            Err(CallError::Refused(Error::NotAContract)),
        ];
        assert_eq!(
            batch(
                vec![
                    call(ECHO, 10, &[1, 2]),
                    call(FAILS, 20, &[]),
                    call(NOBODY, 30, &[])
                ],
                100
            ),
            Outcome::ok(&expected)
        );
        // Only the successful call's value left: 10 to ECHO, 90 back to ALICE.
        assert_eq!(test::balance_of(&ECHO), 10);
        assert_eq!(test::balance_of(&FAILS), 0);
        assert_eq!(test::balance_of(&ALICE), 990);
        assert_eq!(test::balance_of(&CONTRACT), 0);
    }

    #[test]
    fn asking_more_than_was_sent_reverts_everything() {
        test::reset();
        test::register_contract(ECHO, echo);
        test::set_balance(&ALICE, 1_000);
        test::deploy(__ghost_contract_deploy, &false);
        assert_eq!(
            batch(vec![call(ECHO, 60, &[]), call(ECHO, 50, &[])], 100),
            Outcome::err(&MulticallError::ValueExceedsPayment {
                sent: 100,
                asked: 110
            })
        );
        assert_eq!(test::balance_of(&ALICE), 1_000);
        assert_eq!(
            batch(vec![call(ECHO, u128::MAX, &[]), call(ECHO, 1, &[])], 100),
            Outcome::err(&MulticallError::ValueExceedsPayment {
                sent: 100,
                asked: u128::MAX
            })
        );
    }

    #[test]
    fn context_reports_the_frame() {
        test::reset();
        test::set_balance(&ALICE, 50);
        test::set_block(7, 1_234);
        test::deploy(__ghost_contract_deploy, &false);
        assert_eq!(
            test::call_with_value(__ghost_contract_call, "context", &(), 20),
            Outcome::ok(&Context {
                caller: ALICE,
                address: CONTRACT,
                value: 20,
                balance: 20,
                block_number: 7,
                timestamp: 1_234,
                fuel_left: test::FUEL,
            })
        );
    }
}
