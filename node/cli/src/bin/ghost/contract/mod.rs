//! `ghost contract …`: upload, instantiate, call and query WASM-lite contracts.
//!
//! ```text
//! ghost contract upload <FILE.wasm> --from SURI
//! ghost contract instantiate <CODE_HASH> --from SURI [--data 0x.. | [--abi FILE] --args JSON] [--value N]
//!                                        [--fuel N] [--salt 0x..] [--storage-deposit-limit N]
//!                                        [--dry-run [--at HASH]]
//! ghost contract call <ADDRESS> --from SURI ([--abi FILE] --method NAME [--args JSON] | --data 0x..)
//!                               [--value N] [--fuel N] [--storage-deposit-limit N]
//! ghost contract query <ADDRESS> [--from SURI | --origin ADDRESS]
//!                                ([--abi FILE] --method NAME [--args JSON] | --data 0x..) [--value N]
//!                                [--fuel N] [--at HASH]
//! ghost contract events <ADDRESS> [--topic HASH] [--from-block N] [--to-block N] [--abi FILE]
//! ghost contract new <NAME> [--path DIR] [--sdk DIR]
//! ```
//!
//! `new` writes a contract crate (a counter with an event, an error and off-chain unit tests)
//! that `cargo test` and `cargo build --release --target wasm32v1-none` build as it is; see
//! [`new_contract`].
//!
//! `events` lists what the contract emitted (`contracts_events`): block, topics and data of each
//! event in `--from-block ..= --to-block` (default: the last 1 000 blocks up to the best one;
//! at most 1 000 blocks), only those with `--topic` among their topics if it is given.
//!
//! `upload`, `instantiate` and `call` are transactions: they take the options of [`TxArgs`] and
//! go through [`submit_call`] like `ghost transfer`. A call that is included but fails
//! (`Contracts.OutOfFuel`, `Contracts.ContractReverted`, …) prints the inclusion report and ends
//! the command with its error (exit 1); the fee stays paid. `query` is a dry run
//! (`contracts_call`), and so is `instantiate --dry-run` (`contracts_instantiate`): nothing is
//! signed, written or paid.
//!
//! - `upload` prints the code hash, `blake3(code)` as the pallet computes it, and confirms it
//!   with `contracts_codeInfo` at the including block (owner and deposit). Code already stored
//!   is refused before anything is submitted.
//! - `instantiate` prints the contract's address, `blake3(deployer ++ code_hash ++ salt)` as
//!   the pallet computes it ([`contract_address`]), and confirms it with `contracts_info` at the
//!   including block. `--data` goes to `deploy` as is; `--args` is SCALE-encoded without a
//!   selector. With `--dry-run` it submits nothing: it prints the address the contract would
//!   get and, as `query` does, the outcome of `deploy` (result, output, revert flag, fuel,
//!   events) on the state of `--at` (default: the best block), and exits 1 only on `error`
//!   (trapped, out of fuel, no such code, contract exists). `--from` is the deployer; `--tip`,
//!   `--wait` and `--mortal` are ignored.
//! - `call` and `query` send `selector(NAME) ++ SCALE(args)` for `--method NAME [--args JSON]`
//!   (the selector is the first 4 bytes of `blake3(NAME)`), or `--data` as is. `query` prints
//!   the output (hex), the result (`ok`, `revert` or `error`), the revert flag, the fuel burned
//!   and the events the call would deposit. It exits 1 only when the contract could not run to
//!   a return (`error`: trapped, out of fuel, no contract): a revert is the contract's answer.
//!   Its origin is `--origin`, the address of `--from`, or the all-zero account.
//!
//! A `call` or `instantiate` that is included but reverts (`Contracts.ContractReverted`) is
//! replayed as a dry run on the parent block, and its error names why ([`revert_reason_with`]: the
//! contract's error variant, or the call data not matching its methods); so does `query`.
//!
//! The signer pays the storage deposits of what a transaction stores (the contract's record at
//! instantiation, the bytes and entries its writes add) and gets back those of storage it frees;
//! `--storage-deposit-limit AMOUNT` caps the net charge (default: no cap but the signer's free
//! balance). A transaction that needs more fails with `Contracts.StorageDepositLimitExhausted`.
//!
//! `--fuel` defaults to [`DEFAULT_FUEL`]. The fee is withdrawn for the whole fuel limit and the
//! unused fuel is refunded after the call (the extrinsic records the weight it used); the limit
//! must still be payable up front, so `query` (or `instantiate --dry-run`) shows what to ask.
//!
//! # `--abi`: arguments and answers from the contract's ABI
//!
//! The SDK's `contract!` writes a JSON ABI (`contracts/README.md`): the build puts it next to
//! the `.wasm` as `<crate>.abi.json`, and in the `.wasm` as the custom section `ghost-abi`.
//! `upload` strips that section before uploading (it is no code, and would cost a deposit) and
//! prints `abi_hash`, `blake3` of the ABI's JSON. With `--abi FILE` (the JSON or the `.wasm`):
//!
//! - `call`/`query --method NAME` must name one of its methods (value only to a payable one);
//!   `--args` is a JSON array (positional) or object (by name) of plain values, each checked
//!   against the argument's type: integers as numbers or decimal strings (`Balance` also as
//!   `1.5GHOST`), `bool`, strings, `ghost1…` addresses, `0x…` hashes and bytes (`Vec<u8>`,
//!   `[u8; N]`), arrays for `Vec`/arrays/tuples, `null` or a value for `Option`, and a `0x…`
//!   SCALE encoding for the contract's own types. Example:
//!   `--abi counter.abi.json --method increment --args '{"by": 1}'` (or `'[1]'`).
//! - `instantiate --abi FILE --args …` does the same for `deploy`.
//! - `query` prints `value`, the output decoded as the method's return type, and reverts are
//!   named by the ABI's error enum (`revert_reason: CounterError::Overflow`), also for a
//!   `call` that reverts.
//! - `events --abi FILE` decodes each event whose first topic is `blake3(NAME)` of an ABI event.
//!
//! # `--args`: typed arguments without an ABI
//!
//! A JSON array of strings `"TYPE:VALUE"`, SCALE-encoded in order and concatenated:
//!
//! | TYPE | VALUE | encoding |
//! |---|---|---|
//! | `u8` `u16` `u32` `u64` `u128` | decimal | little-endian, fixed width |
//! | `i8` `i16` `i32` `i64` `i128` | decimal, may be negative | little-endian, two's complement |
//! | `bool` | `true` or `false` | one byte |
//! | `compact` | decimal up to `u128` | SCALE compact |
//! | `balance` | an amount: `1000` or `1.5GHOST` | `u128` in the smallest unit |
//! | `account` (or `address`) | `ghost1…` or a `0x` public key | 32 bytes |
//! | `hash` | `0x` + 64 hex digits | 32 bytes |
//! | `bytes` | `0x…` | `Vec<u8>`: compact length, then the bytes |
//! | `string` (or `str`) | any text (everything after the first `:`) | `String`: compact length, UTF-8 |
//! | `raw` | `0x…` | the bytes as they are (fixed-size arrays, pre-encoded values) |
//!
//! Example: `--method transfer --args '["account:ghost1…", "u128:1000", "string:thanks"]'`.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use ghost_primitives::bytes::{decode_hex, encode_hex};
use ghost_primitives::{AccountId, Balance, Bytes, Hash, blake3_256};
use ghost_rpc::{ContractCallJson, ContractInstantiateJson, ContractsApiClient, EventJson};
use ghost_runtime::RuntimeCall;
use ghost_runtime::contracts::{Call as ContractsCall, contract_address, selector};
use parity_scale_codec::{Compact, Encode};
use serde::Serialize;

use crate::amount::parse_amount;
use crate::domain::{TxInfo, TxReport, settle};
use crate::keys::pair_from_suri;
use crate::output::{Lines, Output, Render};
use crate::query::{parse_address, parse_hash};
use crate::rpc::{Client, Endpoint, RpcContext};
use crate::transfer::{Deadline, Signer, Submitted, TxArgs, submit_call};

/// Fuel bought when `--fuel` is not given: 20 ms of weight, ample for simple calls.
pub const DEFAULT_FUEL: u64 = 10_000_000;

/// The first bytes of every WebAssembly binary.
const WASM_MAGIC: &[u8; 4] = b"\0asm";

// ---------------------------------------------------------------------------------------------
// command line

/// `ghost contract …`.
#[derive(Debug, Clone, Subcommand)]
pub enum ContractCommand {
    /// Upload WASM-lite code; prints its code hash.
    Upload(UploadArgs),
    /// Create a contract from uploaded code; prints its address (`--dry-run`: and what
    /// `deploy` would do, without a transaction).
    Instantiate(InstantiateArgs),
    /// Call a contract in a transaction.
    Call(CallArgs),
    /// Dry-run a call: output, revert flag, fuel and events, without a transaction.
    Query(QueryArgs),
    /// List the events a contract emitted in a range of blocks.
    Events(EventsArgs),
    /// Create a contract crate to start from (builds to wasm32v1-none, with unit tests).
    New(NewArgs),
}

/// `ghost contract events …`.
#[derive(Debug, Clone, Args)]
pub struct EventsArgs {
    /// The contract's address (`ghost1…`).
    pub address: String,
    /// Only events with this topic (`0x` + 64 hex digits).
    #[arg(long, value_name = "HASH")]
    pub topic: Option<String>,
    /// The contract's ABI: each event whose first topic is `blake3(NAME)` of one of its events
    /// is decoded into its fields.
    #[arg(long, value_name = "FILE")]
    pub abi: Option<PathBuf>,
    /// First block (default: 999 blocks before `--to-block`, or 0).
    #[arg(long, value_name = "N")]
    pub from_block: Option<u64>,
    /// Last block (default: the best block).
    #[arg(long, value_name = "N")]
    pub to_block: Option<u64>,
}

/// `ghost contract upload …`.
#[derive(Debug, Clone, Args)]
pub struct UploadArgs {
    /// The compiled contract (a `.wasm` binary, not WAT text).
    #[arg(value_name = "FILE.wasm")]
    pub file: PathBuf,
    /// Signer (who pays the fee and the code deposit) and submission.
    #[command(flatten)]
    pub tx: TxArgs,
}

/// `ghost contract instantiate …`.
#[derive(Debug, Clone, Args)]
pub struct InstantiateArgs {
    /// The code hash `upload` printed (`0x` + 64 hex digits).
    pub code_hash: String,
    /// Data for `deploy`, as is (`0x…`).
    #[arg(long, value_name = "0x..")]
    pub data: Option<String>,
    /// Typed arguments for `deploy`, SCALE-encoded without a selector (see the module doc).
    #[arg(long, value_name = "JSON", conflicts_with = "data")]
    pub args: Option<String>,
    /// The contract's ABI: `--args` are plain JSON values checked against `deploy`'s
    /// arguments, and a revert is decoded with it (see `call --abi`).
    #[arg(long, value_name = "FILE", conflicts_with = "data")]
    pub abi: Option<PathBuf>,
    /// Salt: instantiating the same code again needs a different one (`0x…`, default empty).
    #[arg(long, value_name = "0x..")]
    pub salt: Option<String>,
    /// Value and fuel.
    #[command(flatten)]
    pub run: RunArgs,
    /// Most the signer pays in storage deposits, net of refunds: smallest units or GHOST
    /// (default: no cap but its free balance).
    #[arg(long, value_name = "AMOUNT", conflicts_with = "dry_run")]
    pub storage_deposit_limit: Option<String>,
    /// Signer (the deployer, who pays) and submission.
    #[command(flatten)]
    pub tx: TxArgs,
    /// Submit nothing: print the address the contract would get and what `deploy` would do
    /// (`contracts_instantiate`); nothing is signed, written or paid.
    #[arg(long)]
    pub dry_run: bool,
    /// With `--dry-run`: run on the state of this block (default: the best block).
    #[arg(long, value_name = "HASH", requires = "dry_run")]
    pub at: Option<String>,
}

/// What a call sends: a method and typed arguments, or raw call data.
#[derive(Debug, Clone, Default, PartialEq, Eq, Args)]
pub struct CallInput {
    /// The method: call data starts with its selector, the first 4 bytes of `blake3(NAME)`.
    #[arg(
        long,
        value_name = "NAME",
        required_unless_present = "data",
        conflicts_with = "data"
    )]
    pub method: Option<String>,
    /// The method's arguments as a JSON array of `"TYPE:VALUE"` strings (see the module doc).
    #[arg(
        long,
        value_name = "JSON",
        requires = "method",
        conflicts_with = "data"
    )]
    pub args: Option<String>,
    /// Raw call data (`0x…`), sent as is.
    #[arg(long, value_name = "0x..")]
    pub data: Option<String>,
    /// The contract's ABI (the `.abi.json` next to its `.wasm`, or the `.wasm` itself): then
    /// `--method` must be one of its methods, `--args` is a JSON array (positional) or object
    /// (by name) of plain values checked against its argument types, and the output, revert and
    /// events are decoded with it.
    #[arg(long, value_name = "FILE", requires = "method")]
    pub abi: Option<PathBuf>,
}

/// Value and fuel of a contract run.
#[derive(Debug, Clone, PartialEq, Eq, Args)]
pub struct RunArgs {
    /// Value moved to the contract: smallest units or GHOST (`1.5GHOST`).
    #[arg(
        long,
        value_name = "AMOUNT",
        default_value = "0",
        allow_hyphen_values = true
    )]
    pub value: String,
    /// Fuel limit (withdrawn up front, unused fuel refunded; see `query` for what a call burns).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_FUEL)]
    pub fuel: u64,
}

/// `ghost contract call …`.
#[derive(Debug, Clone, Args)]
pub struct CallArgs {
    /// The contract's address (`ghost1…`).
    pub address: String,
    /// Method and arguments, or data.
    #[command(flatten)]
    pub input: CallInput,
    /// Value and fuel.
    #[command(flatten)]
    pub run: RunArgs,
    /// Most the signer pays in storage deposits, net of refunds: smallest units or GHOST
    /// (default: no cap but its free balance).
    #[arg(long, value_name = "AMOUNT")]
    pub storage_deposit_limit: Option<String>,
    /// Signer (the caller, who pays) and submission.
    #[command(flatten)]
    pub tx: TxArgs,
}

/// `ghost contract query …`.
#[derive(Debug, Clone, Args)]
pub struct QueryArgs {
    /// The contract's address (`ghost1…`).
    pub address: String,
    /// Method and arguments, or data.
    #[command(flatten)]
    pub input: CallInput,
    /// Value and fuel.
    #[command(flatten)]
    pub run: RunArgs,
    /// Query as the account of this secret URI (nothing is signed).
    #[arg(long, value_name = "SURI", conflicts_with = "origin")]
    pub from: Option<String>,
    /// Query as this address (default: the all-zero account).
    #[arg(long, value_name = "ADDRESS")]
    pub origin: Option<String>,
    /// Run on the state of this block (default: the best block).
    #[arg(long, value_name = "HASH")]
    pub at: Option<String>,
}

mod abi;
mod args;
mod new;
mod reports;
mod run;
#[cfg(test)]
mod tests;

pub use abi::*;
pub use args::*;
pub use new::*;
pub use reports::*;
pub use run::*;
