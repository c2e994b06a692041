//! A counter: the smallest useful GhostChain contract.
//!
//! ## Methods
//! | method | arguments | returns | notes |
//! |---|---|---|---|
//! | `deploy` | `initial: u64` | | stores the count |
//! | `increment` | `by: u64` | `u64`, the new count | emits `Incremented` |
//! | `get` | | `u64` | |
//!
//! ## Storage
//! `count: u64` at `SCALE(b"count")`.
//!
//! ## Events
//! `Incremented { by: u64, count: u64 }`, topics `[topic("Incremented"), caller]`.
//!
//! ## Errors
//! [`CounterError`]: `Overflow` (the count would exceed `u64::MAX`), `Host` (a storage write the
//! contract cannot pay a deposit for).

#![no_std]

use ghost_contract_sdk::prelude::*;
use ghost_contract_sdk::{env, event};

/// The count.
const COUNT: Lazy<u64> = Lazy::new(b"count");

/// Topic of [`Incremented`].
const INCREMENTED: Hash = topic("Incremented");

/// Why a call failed (the revert output).
#[derive(Encode, Decode)]
pub enum CounterError {
    /// The count would overflow.
    Overflow,
    /// A host function refused (e.g. the storage deposit is not covered).
    Host(Error),
}

impl From<Error> for CounterError {
    fn from(e: Error) -> Self {
        CounterError::Host(e)
    }
}

/// Emitted by `increment`.
#[derive(Encode, Decode)]
pub struct Incremented {
    /// The increment.
    pub by: u64,
    /// The new count.
    pub count: u64,
}

contract! {
    deploy => deploy(initial: u64),
    "increment" => increment(by: u64) -> u64,
    "get" => get() -> u64,
    errors: CounterError { Overflow, Host(Error) },
    events: { Incremented { by: u64, count: u64 } },
}

fn deploy(initial: u64) -> Result<(), CounterError> {
    COUNT.set(&initial)?;
    Ok(())
}

fn increment(by: u64) -> Result<u64, CounterError> {
    let count = COUNT
        .get_or_default()
        .checked_add(by)
        .ok_or(CounterError::Overflow)?;
    COUNT.set(&count)?;
    event::emit(&[INCREMENTED, env::caller().0], &Incremented { by, count });
    Ok(count)
}

fn get() -> Result<u64, CounterError> {
    Ok(COUNT.get_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ghost_contract_sdk::test::{self, ALICE, BOB, CONTRACT, Outcome};

    #[test]
    fn deploys_increments_and_emits() {
        test::reset();
        assert_eq!(
            test::deploy(__ghost_contract_deploy, &5u64),
            Outcome::ok(&())
        );
        test::set_caller(BOB);
        assert_eq!(
            test::call(__ghost_contract_call, "increment", &2u64),
            Outcome::ok(&7u64)
        );
        assert_eq!(
            test::call(__ghost_contract_call, "get", &()),
            Outcome::ok(&7u64)
        );
        let events = test::events();
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].contract, CONTRACT);
        assert_eq!(events[0].topics, vec![INCREMENTED, BOB.0]);
        assert_eq!(events[0].data, Incremented { by: 2, count: 7 }.encode());
    }

    #[test]
    fn overflow_reverts_and_keeps_the_count() {
        test::reset();
        test::deploy(__ghost_contract_deploy, &(u64::MAX - 1));
        assert_eq!(
            test::call(__ghost_contract_call, "increment", &2u64),
            Outcome::err(&CounterError::Overflow)
        );
        assert_eq!(test::storage(&COUNT.key()), Some((u64::MAX - 1).encode()));
        assert!(
            test::events().is_empty(),
            "a reverted frame's events are dropped"
        );
    }

    #[test]
    fn bad_call_data_and_value_are_refused() {
        test::reset();
        test::deploy(__ghost_contract_deploy, &0u64);
        // An unknown method, and arguments that do not decode: revert with an empty output.
        assert_eq!(
            test::call(__ghost_contract_call, "decrement", &1u64),
            Outcome::Reverted(vec![])
        );
        assert_eq!(
            test::call(__ghost_contract_call, "increment", &1u8),
            Outcome::Reverted(vec![])
        );
        // Value to a method that is not payable reverts, and the value goes back.
        test::set_balance(&ALICE, 100);
        assert_eq!(
            test::call_with_value(__ghost_contract_call, "increment", &1u64, 10),
            Outcome::Reverted(vec![])
        );
        assert_eq!(test::balance_of(&ALICE), 100);
        assert_eq!(test::balance_of(&CONTRACT), 0);
    }

    #[test]
    fn handlers_can_be_called_directly() {
        test::reset();
        deploy(40).ok().unwrap();
        assert!(matches!(increment(2), Ok(42)));
        assert!(matches!(get(), Ok(42)));
    }
}
