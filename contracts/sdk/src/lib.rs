//! The GhostChain contract SDK: safe Rust over the WASM-lite host functions, typed SCALE
//! storage, entry points and a tiny runtime (allocator, panic handler) for `wasm32v1-none`.
//!
//! ## Overview
//! A GhostChain contract is a WASM module that imports host functions from module `ghost` and
//! exports `deploy`, `call` and `memory` (`docs/WASM-LITE.md`). With this crate a contract is a
//! `#![no_std]` `cdylib` that declares its entry points with [`contract!`] and writes plain
//! functions:
//!
//! ```ignore
//! #![no_std]
//! use ghost_contract_sdk::{contract, storage::Lazy};
//!
//! const COUNT: Lazy<u64> = Lazy::new(b"count");
//!
//! contract! {
//!     deploy => deploy,
//!     "get" => get,
//! }
//!
//! fn deploy(initial: u64) -> Result<(), ghost_contract_sdk::Error> {
//!     COUNT.set(&initial)
//! }
//!
//! fn get() -> Result<u64, ghost_contract_sdk::Error> {
//!     Ok(COUNT.get_or_default())
//! }
//! ```
//!
//! | module | what |
//! |---|---|
//! | [`env`] | call data, return/revert, caller, address, value, balance, transfer, block number and time, fuel, reentrancy |
//! | [`storage`] | raw get/set/remove, [`storage::Lazy`], [`storage::Mapping`] |
//! | [`event`] | events with topics |
//! | [`call`] | calling other contracts |
//! | [`lifecycle`] | deploying contracts, upgrading this one's code, terminating it |
//! | [`crypto`] | blake3, ed25519 verification |
//! | [`names`] | resolve, register, set records, transfer names, set subname owners |
//! | [`debug`] | debug messages dry runs show their caller (panic locations, refused call data) |
//! | [`dispatch`] | the [`contract!`] macro's machinery: selectors, argument decoding, results |
//! | [`sys`] | the raw imports |
//!
//! ## ABI
//! Call data is `selector ++ SCALE(args)`, `selector = blake3(method)[0..4]` ([`selector`],
//! computed at compile time by a `const fn`, so contracts carry no blake3 code); return data
//! is SCALE. Handlers return `Result<T, E>`: `Ok` is the output, `Err` reverts with `SCALE(E)`.
//! With signatures, `errors:` and `events:` declared, [`contract!`] also emits the contract's
//! JSON ABI (`GHOST_ABI`, and the `ghost-abi` custom section the fixtures build writes to
//! `<crate>.abi.json`), which `ghost contract … --abi` reads. See [`dispatch`].
//!
//! ## Runtime
//! On `wasm32` the crate installs a bump allocator ([`heap::BumpAllocator`]: frames are
//! short-lived, so memory is never reused except for the last block) and a panic handler that
//! writes a fixed text to the debug buffer ([`debug`]) and traps (a trap reverts
//! everything the frame did). The contracts workspace links with a
//! 64 KiB stack and a 1 MiB memory maximum (`contracts/.cargo/config.toml`), inside WASM-lite's
//! 16 pages.
//!
//! ## Testing off-chain
//! On the host the host functions are an in-memory chain ([`test`]): a contract's unit tests
//! run with `cargo test` (storage, caller, value, balances, events, names, nested calls), and
//! drive its entry points as the chain would (`test::call(__ghost_contract_call, "get", &())`).
//!
//! ## Feature flags
//! None.

#![no_std]
#![warn(missing_docs)]

extern crate alloc;
#[cfg(not(target_arch = "wasm32"))]
extern crate std;

pub mod call;
pub mod crypto;
pub mod debug;
pub mod dispatch;
pub mod env;
pub mod error;
pub mod event;
#[cfg(target_arch = "wasm32")]
pub mod heap;
pub mod lifecycle;
pub mod names;
mod selector;
pub mod storage;
pub mod sys;
#[cfg(not(target_arch = "wasm32"))]
pub mod test;
pub mod types;

pub use error::{Error, Result};
pub use selector::{MAX_CONST_HASH_INPUT, blake3_const, selector, topic};
pub use types::{AccountId, Balance, BlockNumber, Hash, Moment};

/// The SCALE codec the SDK encodes with (for contracts that need its traits or derives).
pub use parity_scale_codec as codec;

/// What most contracts import.
pub mod prelude {
    pub use alloc::string::String;
    pub use alloc::vec;
    pub use alloc::vec::Vec;

    pub use parity_scale_codec::{Decode, Encode};

    pub use crate::storage::{Lazy, Mapping};
    pub use crate::types::{AccountId, Balance, Hash};
    pub use crate::{Error, contract, selector, topic};
}

#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: heap::BumpAllocator = heap::BumpAllocator::new();

/// Panics write [`debug::PANIC_MESSAGE`] to the debug buffer, then trap: the frame's writes are
/// reverted, the caller sees `ContractTrapped`, and a dry run shows the text as `debugMessage`.
/// The `PanicInfo` is not read (see [`debug::PANIC_MESSAGE`] for what that would cost).
#[cfg(target_arch = "wasm32")]
#[panic_handler]
fn panic(_info: &core::panic::PanicInfo<'_>) -> ! {
    debug::panic_message();
    core::arch::wasm32::unreachable()
}
