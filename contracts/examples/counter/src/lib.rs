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
