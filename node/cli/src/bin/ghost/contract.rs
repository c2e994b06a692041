//! `ghost contract …`: upload, instantiate, call and query WASM-lite contracts.
//!
//! ```text
//! ghost contract upload <FILE.wasm> --from SURI
//! ghost contract instantiate <CODE_HASH> --from SURI [--data 0x.. | --args JSON] [--value N]
//!                                        [--fuel N] [--salt 0x..] [--dry-run [--at HASH]]
//! ghost contract call <ADDRESS> --from SURI (--method NAME [--args JSON] | --data 0x..)
//!                               [--value N] [--fuel N]
//! ghost contract query <ADDRESS> [--from SURI | --origin ADDRESS]
//!                                (--method NAME [--args JSON] | --data 0x..) [--value N]
//!                                [--fuel N] [--at HASH]
//! ```
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
//! `--fuel` defaults to [`DEFAULT_FUEL`]. The whole fuel limit is paid for, used or not (the
//! chain does not refund unused fuel yet): run `query` (or `instantiate --dry-run`) first and
//! use a tight limit.
//!
//! # `--args`: typed arguments
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

use crate::amount::{format_ghost, parse_amount};
use crate::domain::{TxInfo, TxReport, settle};
use crate::keys::pair_from_suri;
use crate::output::{Lines, Output, Render};
use crate::query::{parse_address, parse_hash};
use crate::rpc::{Client, Endpoint, RpcContext};
use crate::transfer::{Deadline, Signer, TxArgs, submit_call};

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
    /// Salt: instantiating the same code again needs a different one (`0x…`, default empty).
    #[arg(long, value_name = "0x..")]
    pub salt: Option<String>,
    /// Value and fuel.
    #[command(flatten)]
    pub run: RunArgs,
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
    /// Fuel limit (paid in full; see `query` for what a call burns).
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

// ---------------------------------------------------------------------------------------------
// arguments

/// The call data of a `--method`/`--args`/`--data` triple.
pub fn call_data(input: &CallInput) -> anyhow::Result<Vec<u8>> {
    match (&input.method, &input.data) {
        (Some(method), None) => {
            let mut data = selector(method).to_vec();
            if let Some(args) = &input.args {
                data.extend(encode_args(args).map_err(|e| e.context("--args"))?);
            }
            Ok(data)
        }
        (None, Some(data)) => parse_bytes(data, "--data"),
        (Some(_), Some(_)) => anyhow::bail!("give either --method or --data, not both"),
        (None, None) => anyhow::bail!("give --method NAME or --data 0x.."),
    }
}

/// `0x` hex bytes of an option.
fn parse_bytes(input: &str, flag: &str) -> anyhow::Result<Vec<u8>> {
    decode_hex(input).map_err(|e| anyhow::anyhow!("{flag} `{input}`: {e}"))
}

/// A JSON array of `"TYPE:VALUE"` strings, SCALE-encoded in order.
pub fn encode_args(json: &str) -> anyhow::Result<Vec<u8>> {
    let items: Vec<serde_json::Value> = serde_json::from_str(json)
        .map_err(|e| anyhow::anyhow!("expected a JSON array of \"TYPE:VALUE\" strings: {e}"))?;
    let mut out = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let Some(text) = item.as_str() else {
            anyhow::bail!("argument {index}: expected a \"TYPE:VALUE\" string, found {item}");
        };
        let encoded = encode_arg(text).map_err(|e| e.context(format!("argument {index}")))?;
        out.extend(encoded);
    }
    Ok(out)
}

/// One `TYPE:VALUE`, SCALE-encoded.
pub fn encode_arg(item: &str) -> anyhow::Result<Vec<u8>> {
    let Some((ty, value)) = item.split_once(':') else {
        anyhow::bail!("`{item}`: expected TYPE:VALUE, such as u32:5");
    };
    let bad = |e: &dyn std::fmt::Display| anyhow::anyhow!("`{item}`: {e}");
    let int = |value: &str| -> anyhow::Result<()> {
        let digits = value.strip_prefix('-').unwrap_or(value);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            anyhow::bail!("`{item}`: expected a decimal integer");
        }
        Ok(())
    };
    // A decimal `value` as `$t`, range-checked.
    macro_rules! number {
        ($t:ty) => {{
            int(value)?;
            value.parse::<$t>().map_err(|_| {
                anyhow::anyhow!(
                    "`{item}`: out of range for {} ({}..={})",
                    stringify!($t),
                    <$t>::MIN,
                    <$t>::MAX
                )
            })?
        }};
    }
    Ok(match ty {
        "u8" => number!(u8).encode(),
        "u16" => number!(u16).encode(),
        "u32" => number!(u32).encode(),
        "u64" => number!(u64).encode(),
        "u128" => number!(u128).encode(),
        "i8" => number!(i8).encode(),
        "i16" => number!(i16).encode(),
        "i32" => number!(i32).encode(),
        "i64" => number!(i64).encode(),
        "i128" => number!(i128).encode(),
        "compact" => Compact(number!(u128)).encode(),
        "bool" => match value {
            "true" => true.encode(),
            "false" => false.encode(),
            _ => anyhow::bail!("`{item}`: expected true or false"),
        },
        "balance" => parse_amount(value).map_err(|e| bad(&e))?.encode(),
        "account" | "address" => value.parse::<AccountId>().map_err(|e| bad(&e))?.encode(),
        "hash" => value.parse::<Hash>().map_err(|e| bad(&e))?.encode(),
        "bytes" => decode_hex(value).map_err(|e| bad(&e))?.encode(),
        "raw" => decode_hex(value).map_err(|e| bad(&e))?,
        "string" | "str" => value.encode(),
        other => anyhow::bail!(
            "`{item}`: unknown type `{other}` (u8…u128, i8…i128, bool, compact, balance, account, \
             hash, bytes, string, raw)"
        ),
    })
}

impl RunArgs {
    /// The value in smallest units.
    fn value(&self) -> anyhow::Result<Balance> {
        parse_amount(&self.value).map_err(|e| anyhow::anyhow!("--value `{}`: {e}", self.value))
    }
}

/// Validated `instantiate` arguments.
#[derive(Debug, Clone)]
struct Instantiate {
    signer: Signer,
    code_hash: Hash,
    data: Vec<u8>,
    salt: Vec<u8>,
    value: Balance,
    fuel: u64,
    /// `--dry-run`: `Some(at)` (`at`: `--at`, `None` for the best block).
    dry_run: Option<Option<Hash>>,
}

impl InstantiateArgs {
    fn validate(&self) -> anyhow::Result<Instantiate> {
        let signer = self.tx.validate()?;
        let code_hash = parse_hash(&self.code_hash, "code hash")?;
        let data = match (&self.data, &self.args) {
            (Some(data), _) => parse_bytes(data, "--data")?,
            (None, Some(args)) => encode_args(args).map_err(|e| e.context("--args"))?,
            (None, None) => Vec::new(),
        };
        let salt = match &self.salt {
            Some(salt) => parse_bytes(salt, "--salt")?,
            None => Vec::new(),
        };
        let at = parse_at(self.at.as_deref())?;
        Ok(Instantiate {
            signer,
            code_hash,
            data,
            salt,
            value: self.run.value()?,
            fuel: self.run.fuel,
            dry_run: self.dry_run.then_some(at),
        })
    }
}

/// The block hash of `--at`.
fn parse_at(at: Option<&str>) -> anyhow::Result<Option<Hash>> {
    at.map(|at| parse_hash(at, "block hash").map_err(|e| e.context("--at")))
        .transpose()
}

/// Validated `call` and `query` arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Run {
    dest: AccountId,
    data: Vec<u8>,
    value: Balance,
    fuel: u64,
}

fn validate_run(address: &str, input: &CallInput, run: &RunArgs) -> anyhow::Result<Run> {
    Ok(Run {
        dest: parse_address(address)?,
        data: call_data(input)?,
        value: run.value()?,
        fuel: run.fuel,
    })
}

impl QueryArgs {
    /// The origin of the dry run.
    fn origin(&self) -> anyhow::Result<AccountId> {
        match (&self.from, &self.origin) {
            (Some(suri), _) => Ok(pair_from_suri(suri)
                .map_err(|e| e.context("--from"))?
                .public()),
            (None, Some(origin)) => parse_address(origin).map_err(|e| e.context("--origin")),
            (None, None) => Ok(AccountId([0; 32])),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// reports

/// Units and GHOST.
fn balance_text(units: Balance) -> String {
    format!("{units} ({})", format_ghost(units))
}

/// `upload`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Uploaded {
    /// `blake3(code)`.
    pub code_hash: Hash,
    /// The code's length in bytes.
    pub code_len: usize,
    /// The deposit reserved from the signer; `null` with `--wait none`.
    pub deposit: Option<Balance>,
}

impl Render for Uploaded {
    fn lines(&self) -> Lines {
        Lines::new()
            .with("code_hash", self.code_hash)
            .with("code_len", self.code_len)
            .with_opt("deposit", self.deposit.map(balance_text))
    }
}

/// `instantiate`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Instantiated {
    /// The new contract.
    pub address: AccountId,
    /// Its code.
    pub code_hash: Hash,
    /// The signer.
    pub deployer: AccountId,
    /// Value moved to it, smallest units.
    pub value: Balance,
}

impl Render for Instantiated {
    fn lines(&self) -> Lines {
        Lines::new()
            .with("address", self.address)
            .with("code_hash", self.code_hash)
            .with("deployer", self.deployer)
            .with("value", balance_text(self.value))
    }
}

/// `call`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Called {
    /// The contract.
    pub contract: AccountId,
    /// The method, if given by name.
    pub method: Option<String>,
    /// The call data sent.
    pub data: Bytes,
    /// Value moved, smallest units.
    pub value: Balance,
    /// The fuel limit paid for.
    pub fuel_limit: u64,
}

impl Render for Called {
    fn lines(&self) -> Lines {
        Lines::new()
            .with("contract", self.contract)
            .with_opt("method", self.method.as_ref())
            .with("data", encode_hex(&self.data))
            .with("value", balance_text(self.value))
            .with("fuel_limit", self.fuel_limit)
    }
}

/// `query`: the node's `contracts_call` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Queried(pub ContractCallJson);

/// One event as a line: `Pallet.Name {fields}`.
fn event_line(event: &EventJson) -> String {
    format!("{}.{} {}", event.pallet, event.name, event.fields)
}

/// The lines of a dry run's outcome: result, output, revert flag, error, fuel and events.
fn outcome_lines(
    result: &str,
    output: &[u8],
    reverted: bool,
    error: Option<&String>,
    fuel_consumed: u64,
    events: &[EventJson],
) -> Lines {
    let mut lines = Lines::new()
        .with("result", result)
        .with("output", encode_hex(output))
        .with("reverted", reverted)
        .with_opt("error", error)
        .with("fuel_consumed", fuel_consumed);
    for (index, event) in events.iter().enumerate() {
        lines = lines.with(format!("event[{index}]"), event_line(event));
    }
    lines
}

impl Render for Queried {
    fn lines(&self) -> Lines {
        let r = &self.0;
        outcome_lines(
            &r.result,
            &r.output,
            r.reverted,
            r.error.as_ref(),
            r.fuel_consumed,
            &r.events,
        )
    }
}

/// `instantiate --dry-run`: the node's `contracts_instantiate` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct InstantiateQueried(pub ContractInstantiateJson);

impl Render for InstantiateQueried {
    fn lines(&self) -> Lines {
        let r = &self.0;
        Lines::new()
            .with("address", r.address)
            .append(outcome_lines(
                &r.result,
                &r.output,
                r.reverted,
                r.error.as_ref(),
                r.fuel_consumed,
                &r.events,
            ))
    }
}

// ---------------------------------------------------------------------------------------------
// running

/// Runs a `contract` subcommand.
pub async fn run(
    endpoint: &Endpoint,
    command: ContractCommand,
    out: &Output,
) -> anyhow::Result<()> {
    match command {
        ContractCommand::Upload(args) => upload(endpoint, args, out).await,
        ContractCommand::Instantiate(args) => instantiate(endpoint, args, out).await,
        ContractCommand::Call(args) => call(endpoint, args, out).await,
        ContractCommand::Query(args) => query(endpoint, args, out).await,
    }
}

/// Reads a contract binary, refusing what is plainly not one.
fn read_code(path: &PathBuf) -> anyhow::Result<Vec<u8>> {
    let code =
        std::fs::read(path).map_err(|e| anyhow::anyhow!("reading {}: {e}", path.display()))?;
    if !code.starts_with(WASM_MAGIC) {
        anyhow::bail!(
            "{} is not a WebAssembly binary (compile WAT text with `wat2wasm` first)",
            path.display()
        );
    }
    Ok(code)
}

/// Runs `upload`.
async fn upload(endpoint: &Endpoint, args: UploadArgs, out: &Output) -> anyhow::Result<()> {
    let signer = args.tx.validate()?;
    let code = read_code(&args.file)?;
    let code_hash = blake3_256(&code);
    let code_len = code.len();

    let deadline = Deadline::after(endpoint.timeout);
    let client = endpoint.connect().await?;
    if let Some(info) = code_info(&client, code_hash, None).await? {
        anyhow::bail!(
            "code {code_hash} is already stored (uploaded by {}); instantiate it",
            info.owner
        );
    }
    let call = RuntimeCall::Contracts(ContractsCall::UploadCode { code });
    let tx = settle(submit_call(&client, &signer, call, deadline).await?, out)?;
    let deposit = match tx.block_hash {
        None => None,
        Some(block) => {
            let info = code_info(&client, code_hash, Some(block))
                .await?
                .ok_or_else(|| {
                    anyhow::anyhow!(
                        "the upload succeeded but block {block} has no code {code_hash}"
                    )
                })?;
            Some(info.deposit)
        }
    };
    out.emit(&TxReport {
        details: Uploaded {
            code_hash,
            code_len,
            deposit,
        },
        tx,
    })
}

/// `contracts_codeInfo`.
async fn code_info(
    client: &Client,
    code_hash: Hash,
    at: Option<Hash>,
) -> anyhow::Result<Option<ghost_rpc::CodeInfoJson>> {
    client
        .code_info(code_hash, at)
        .await
        .rpc_context(format_args!(
            "reading code {code_hash} (contracts_codeInfo)"
        ))
}

/// `contracts_info`.
async fn contract_info(
    client: &Client,
    address: AccountId,
    at: Option<Hash>,
) -> anyhow::Result<Option<ghost_rpc::ContractInfoJson>> {
    client
        .contract_info(address.to_string(), at)
        .await
        .rpc_context(format_args!("reading contract {address} (contracts_info)"))
}

/// Runs `instantiate`.
async fn instantiate(
    endpoint: &Endpoint,
    args: InstantiateArgs,
    out: &Output,
) -> anyhow::Result<()> {
    let i = args.validate()?;
    if let Some(at) = i.dry_run {
        return instantiate_dry_run(endpoint, i, at, out).await;
    }
    let deployer = i.signer.pair.public();
    let address = contract_address(&deployer, &i.code_hash, &i.salt);

    let deadline = Deadline::after(endpoint.timeout);
    let client = endpoint.connect().await?;
    if code_info(&client, i.code_hash, None).await?.is_none() {
        anyhow::bail!("no code {} is stored; upload it first", i.code_hash);
    }
    if contract_info(&client, address, None).await?.is_some() {
        anyhow::bail!(
            "a contract already exists at {address} (this code, deployer and salt); use another \
             --salt"
        );
    }
    let call = RuntimeCall::Contracts(ContractsCall::Instantiate {
        code_hash: i.code_hash,
        value: i.value,
        fuel_limit: i.fuel,
        data: i.data,
        salt: i.salt,
    });
    let tx = settle(submit_call(&client, &i.signer, call, deadline).await?, out)?;
    if let Some(block) = tx.block_hash {
        let info = contract_info(&client, address, Some(block))
            .await?
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "the instantiation succeeded but block {block} has no contract at {address}"
                )
            })?;
        if info.code_hash != i.code_hash || info.deployer != deployer {
            anyhow::bail!(
                "the contract at {address} runs code {} deployed by {}, not {} by {deployer}",
                info.code_hash,
                info.deployer,
                i.code_hash
            );
        }
    }
    out.emit(&TxReport {
        details: Instantiated {
            address,
            code_hash: i.code_hash,
            deployer,
            value: i.value,
        },
        tx,
    })
}

/// Runs `instantiate --dry-run`.
async fn instantiate_dry_run(
    endpoint: &Endpoint,
    i: Instantiate,
    at: Option<Hash>,
    out: &Output,
) -> anyhow::Result<()> {
    let deployer = i.signer.pair.public();
    let client = endpoint.connect().await?;
    let answer = client
        .dry_run_instantiate(
            deployer.to_string(),
            i.code_hash,
            i.value,
            i.fuel,
            Bytes(i.data),
            Bytes(i.salt.clone()),
            at,
        )
        .await
        .rpc_context(format_args!(
            "dry-running an instantiation of {} (contracts_instantiate)",
            i.code_hash
        ))?;
    let expected = contract_address(&deployer, &i.code_hash, &i.salt);
    if answer.address != expected {
        anyhow::bail!(
            "the node reports address {} for this instantiation, not {expected}",
            answer.address
        );
    }
    let failed = (answer.result == "error").then(|| answer.error.clone());
    out.emit(&InstantiateQueried(answer))?;
    match failed {
        None => Ok(()),
        Some(error) => anyhow::bail!(
            "the instantiation of {} would fail: {}",
            i.code_hash,
            error.as_deref().unwrap_or("unknown error")
        ),
    }
}

/// Runs `call`.
async fn call(endpoint: &Endpoint, args: CallArgs, out: &Output) -> anyhow::Result<()> {
    let signer = args.tx.validate()?;
    let run = validate_run(&args.address, &args.input, &args.run)?;
    let deadline = Deadline::after(endpoint.timeout);
    let client = endpoint.connect().await?;
    let call = RuntimeCall::Contracts(ContractsCall::Call {
        dest: run.dest,
        value: run.value,
        fuel_limit: run.fuel,
        data: run.data.clone(),
    });
    let tx: TxInfo = settle(submit_call(&client, &signer, call, deadline).await?, out)?;
    out.emit(&TxReport {
        details: Called {
            contract: run.dest,
            method: args.input.method,
            data: Bytes(run.data),
            value: run.value,
            fuel_limit: run.fuel,
        },
        tx,
    })
}

/// Runs `query`.
async fn query(endpoint: &Endpoint, args: QueryArgs, out: &Output) -> anyhow::Result<()> {
    let run = validate_run(&args.address, &args.input, &args.run)?;
    let origin = args.origin()?;
    let at = parse_at(args.at.as_deref())?;
    let client = endpoint.connect().await?;
    let answer = client
        .dry_run_call(
            origin.to_string(),
            run.dest.to_string(),
            run.value,
            run.fuel,
            Bytes(run.data),
            at,
        )
        .await
        .rpc_context(format_args!(
            "dry-running a call of {} (contracts_call)",
            run.dest
        ))?;
    let failed = (answer.result == "error").then(|| answer.error.clone());
    out.emit(&Queried(answer))?;
    match failed {
        None => Ok(()),
        Some(error) => anyhow::bail!(
            "the call of {} would fail: {}",
            run.dest,
            error.as_deref().unwrap_or("unknown error")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Cli, Command};
    use clap::Parser;
    use ghost_primitives::Pair;
    use tokio::time::Duration;

    fn contract(args: &[&str]) -> ContractCommand {
        let cli = Cli::try_parse_from(["ghost", "contract"].iter().chain(args)).unwrap();
        match cli.command {
            Command::Contract(command) => command,
            other => panic!("not a contract command: {other:?}"),
        }
    }

    fn parse_fails(args: &[&str]) -> bool {
        Cli::try_parse_from(["ghost", "contract"].iter().chain(args)).is_err()
    }

    fn method(name: &str, args: Option<&str>) -> CallInput {
        CallInput {
            method: Some(name.into()),
            args: args.map(Into::into),
            data: None,
        }
    }

    #[test]
    fn typed_arguments_are_scale_encoded_in_order() {
        let alice = Pair::dev("Alice").public();
        let json = format!(
            r#"["u32:5", "account:{alice}", "bytes:0x0102", "string:hello", "u128:1000", "bool:true"]"#
        );
        let expected = (
            5u32,
            alice,
            vec![1u8, 2],
            "hello".to_string(),
            1000u128,
            true,
        )
            .encode();
        assert_eq!(encode_args(&json).unwrap(), expected);
        assert_eq!(encode_args("[]").unwrap(), Vec::<u8>::new());
    }

    #[test]
    fn every_type_encodes_as_scale() {
        let cases: Vec<(&str, Vec<u8>)> = vec![
            ("u8:255", 255u8.encode()),
            ("u16:65535", u16::MAX.encode()),
            ("u64:18446744073709551615", u64::MAX.encode()),
            ("i8:-128", i8::MIN.encode()),
            ("i16:-2", (-2i16).encode()),
            ("i32:-5", (-5i32).encode()),
            ("i64:7", 7i64.encode()),
            ("i128:-1", (-1i128).encode()),
            ("bool:false", false.encode()),
            ("compact:300", Compact(300u128).encode()),
            ("balance:1.5GHOST", 1_500_000_000_000u128.encode()),
            ("balance:7", 7u128.encode()),
            ("raw:0xdeadbeef", vec![0xde, 0xad, 0xbe, 0xef]),
            ("bytes:0x", Vec::<u8>::new().encode()),
            ("str:a:b", "a:b".encode()),
            ("string:", "".encode()),
        ];
        for (item, expected) in cases {
            assert_eq!(encode_arg(item).unwrap(), expected, "{item}");
        }
        let hash = Hash([7; 32]);
        assert_eq!(encode_arg(&format!("hash:{hash}")).unwrap(), vec![7; 32]);
        let key = Pair::dev("Bob").public();
        assert_eq!(
            encode_arg(&format!("address:{}", key.to_hex())).unwrap(),
            key.0.to_vec()
        );
    }

    #[test]
    fn bad_arguments_are_refused_with_their_position() {
        for (json, expected) in [
            ("{}", "expected a JSON array"),
            (
                "[5]",
                "argument 0: expected a \"TYPE:VALUE\" string, found 5",
            ),
            (
                r#"["u32:1", "u32"]"#,
                "argument 1: `u32`: expected TYPE:VALUE",
            ),
            (
                r#"["u8:256"]"#,
                "argument 0: `u8:256`: out of range for u8 (0..=255)",
            ),
            (r#"["u32:-1"]"#, "out of range for u32"),
            (r#"["u32:+1"]"#, "expected a decimal integer"),
            (r#"["u32: 1"]"#, "expected a decimal integer"),
            (r#"["u32:"]"#, "expected a decimal integer"),
            (r#"["bool:yes"]"#, "expected true or false"),
            (r#"["f32:1.0"]"#, "unknown type `f32`"),
            (r#"["bytes:0102"]"#, "argument 0: `bytes:0102`"),
            (r#"["bytes:0x123"]"#, "argument 0: `bytes:0x123`"),
            (r#"["hash:0x12"]"#, "argument 0: `hash:0x12`"),
            (
                r#"["account:ghost1nope"]"#,
                "argument 0: `account:ghost1nope`",
            ),
            (r#"["balance:-1"]"#, "must not be negative"),
        ] {
            let message = format!("{:#}", encode_args(json).unwrap_err());
            assert!(message.contains(expected), "{json}: {message}");
        }
    }

    #[test]
    fn call_data_is_the_selector_then_the_arguments() {
        let data = call_data(&method("increment", Some(r#"["u64:3"]"#))).unwrap();
        assert_eq!(&data[..4], &selector("increment"));
        assert_eq!(&data[..4], &blake3_256(b"increment").0[..4]);
        assert_eq!(&data[4..], &3u64.encode()[..]);
        assert_eq!(
            call_data(&method("get", None)).unwrap(),
            selector("get").to_vec()
        );
        let raw = CallInput {
            data: Some("0x0a0b".into()),
            ..CallInput::default()
        };
        assert_eq!(call_data(&raw).unwrap(), vec![10, 11]);
        let message = format!("{:#}", call_data(&method("m", Some("[1]"))).unwrap_err());
        assert!(message.starts_with("--args: argument 0"), "{message}");
        let bad_hex = CallInput {
            data: Some("0xz".into()),
            ..CallInput::default()
        };
        assert!(format!("{:#}", call_data(&bad_hex).unwrap_err()).starts_with("--data `0xz`"));
    }

    #[test]
    fn commands_parse() {
        let ContractCommand::Upload(upload) = contract(&["upload", "c.wasm", "--from", "//Alice"])
        else {
            panic!("not upload")
        };
        assert_eq!(upload.file, PathBuf::from("c.wasm"));
        assert_eq!(upload.tx.from, "//Alice");

        let hash = Hash([1; 32]).to_string();
        let ContractCommand::Instantiate(i) = contract(&[
            "instantiate",
            &hash,
            "--from",
            "//Alice",
            "--args",
            r#"["u64:5"]"#,
            "--value",
            "1GHOST",
            "--fuel",
            "500",
            "--salt",
            "0x01",
        ]) else {
            panic!("not instantiate")
        };
        let valid = i.validate().unwrap();
        assert_eq!(valid.code_hash, Hash([1; 32]));
        assert_eq!(valid.data, 5u64.encode());
        assert_eq!((valid.value, valid.fuel), (1_000_000_000_000, 500));
        assert_eq!(valid.salt, vec![1]);

        let ContractCommand::Instantiate(i) =
            contract(&["instantiate", &hash, "--from", "//Alice"])
        else {
            panic!("not instantiate")
        };
        let valid = i.validate().unwrap();
        assert!(valid.data.is_empty() && valid.salt.is_empty());
        assert_eq!((valid.value, valid.fuel), (0, DEFAULT_FUEL));
        assert_eq!(valid.dry_run, None, "a transaction unless --dry-run");

        let block = Hash([3; 32]).to_string();
        let ContractCommand::Instantiate(i) = contract(&[
            "instantiate",
            &hash,
            "--from",
            "//Alice",
            "--data",
            "0x0500000000000000",
            "--dry-run",
        ]) else {
            panic!("not instantiate")
        };
        let valid = i.validate().unwrap();
        assert_eq!(valid.dry_run, Some(None), "the best block");
        assert_eq!(valid.data, 5u64.encode());
        let ContractCommand::Instantiate(i) = contract(&[
            "instantiate",
            &hash,
            "--from",
            "//Alice",
            "--dry-run",
            "--at",
            &block,
        ]) else {
            panic!("not instantiate")
        };
        assert_eq!(i.validate().unwrap().dry_run, Some(Some(Hash([3; 32]))));

        let bob = Pair::dev("Bob").public().to_string();
        let ContractCommand::Call(c) = contract(&[
            "call",
            &bob,
            "--from",
            "//Alice",
            "--method",
            "increment",
            "--args",
            r#"["u64:1"]"#,
            "--wait",
            "none",
        ]) else {
            panic!("not call")
        };
        let run = validate_run(&c.address, &c.input, &c.run).unwrap();
        assert_eq!(run.dest, Pair::dev("Bob").public());
        assert_eq!(
            run.data,
            call_data(&method("increment", Some(r#"["u64:1"]"#))).unwrap()
        );

        let ContractCommand::Query(q) = contract(&["query", &bob, "--data", "0x00", "--json"])
        else {
            panic!("not query")
        };
        assert_eq!(q.origin().unwrap(), AccountId([0; 32]));
        let ContractCommand::Query(q) =
            contract(&["query", &bob, "--method", "get", "--from", "//Alice"])
        else {
            panic!("not query")
        };
        assert_eq!(q.origin().unwrap(), Pair::dev("Alice").public());

        // Exactly one of --method and --data; --args only with --method; call needs --from.
        assert!(parse_fails(&["call", &bob, "--from", "//Alice"]));
        assert!(parse_fails(&[
            "call", &bob, "--from", "//A", "--method", "m", "--data", "0x"
        ]));
        assert!(parse_fails(&[
            "call", &bob, "--from", "//A", "--data", "0x", "--args", "[]"
        ]));
        assert!(parse_fails(&[
            "call", &bob, "--from", "//A", "--args", "[]"
        ]));
        assert!(parse_fails(&["call", &bob, "--method", "m"]));
        assert!(parse_fails(&[
            "query", &bob, "--method", "m", "--from", "//A", "--origin", &bob
        ]));
        assert!(parse_fails(&[
            "instantiate",
            &hash,
            "--from",
            "//A",
            "--data",
            "0x",
            "--args",
            "[]"
        ]));
        assert!(parse_fails(&["upload", "--from", "//A"]));
        // --at only with --dry-run; a dry run still names its deployer.
        assert!(parse_fails(&[
            "instantiate",
            &hash,
            "--from",
            "//A",
            "--at",
            &block
        ]));
        assert!(parse_fails(&["instantiate", &hash, "--dry-run"]));
    }

    #[test]
    fn the_address_is_the_pallets() {
        let deployer = Pair::dev("Alice").public();
        let code_hash = Hash([2; 32]);
        let expected = blake3_256(&[&deployer.0[..], &code_hash.0[..], b"salt"].concat());
        assert_eq!(
            contract_address(&deployer, &code_hash, b"salt").0,
            expected.0
        );
    }

    #[test]
    fn query_report_lines_and_json() {
        let answer = ContractCallJson {
            result: "revert".into(),
            output: Bytes(vec![1, 2]),
            reverted: true,
            error: Some("Contracts.ContractReverted".into()),
            fuel_consumed: 42,
            events: vec![EventJson {
                pallet: "Contracts".into(),
                name: "Called".into(),
                fields: serde_json::json!({"x": 1}),
            }],
        };
        let text = Output::buffer(false)
            .render(&Queried(answer.clone()))
            .unwrap();
        assert_eq!(
            text,
            "result: revert\noutput: 0x0102\nreverted: true\nerror: Contracts.ContractReverted\n\
             fuel_consumed: 42\nevent[0]: Contracts.Called {\"x\":1}\n"
        );
        let json: serde_json::Value =
            serde_json::from_str(&Output::buffer(true).render(&Queried(answer)).unwrap()).unwrap();
        assert_eq!(json["fuelConsumed"], 42);
        assert_eq!(json["output"], "0x0102");
    }

    #[test]
    fn instantiate_dry_run_report_lines_and_json() {
        let address = contract_address(&Pair::dev("Alice").public(), &Hash([1; 32]), b"");
        let answer = ContractInstantiateJson {
            address,
            result: "ok".into(),
            output: Bytes(vec![]),
            reverted: false,
            error: None,
            fuel_consumed: 9,
            events: vec![EventJson {
                pallet: "Contracts".into(),
                name: "Instantiated".into(),
                fields: serde_json::json!({"contract": address}),
            }],
        };
        let text = Output::buffer(false)
            .render(&InstantiateQueried(answer.clone()))
            .unwrap();
        assert_eq!(
            text,
            format!(
                "address: {address}\nresult: ok\noutput: 0x\nreverted: false\nfuel_consumed: 9\n\
                 event[0]: Contracts.Instantiated {{\"contract\":\"{address}\"}}\n"
            )
        );
        let json: serde_json::Value = serde_json::from_str(
            &Output::buffer(true)
                .render(&InstantiateQueried(answer))
                .unwrap(),
        )
        .unwrap();
        assert_eq!(json["address"], address.to_string());
        assert_eq!(json["fuelConsumed"], 9);
        assert_eq!(json["error"], serde_json::Value::Null);
        assert_eq!(json["events"][0]["name"], "Instantiated");
    }

    #[tokio::test]
    async fn bad_input_fails_without_connecting() {
        // Nothing listens on port 1: each error must come from the arguments.
        let endpoint = Endpoint {
            url: "ws://127.0.0.1:1".into(),
            timeout: Duration::from_secs(1),
        };
        let dir = tempfile_dir();
        let wat_file = dir.join("counter.wat");
        std::fs::write(&wat_file, "(module)").unwrap();
        let wat_path = wat_file.to_string_lossy().to_string();
        let bob = Pair::dev("Bob").public().to_string();
        let hash = Hash([1; 32]).to_string();
        for (args, expected) in [
            (
                vec!["upload", "/nonexistent/x.wasm", "--from", "//Alice"],
                "reading /nonexistent",
            ),
            (
                vec!["upload", wat_path.as_str(), "--from", "//Alice"],
                "is not a WebAssembly binary",
            ),
            (
                vec!["instantiate", "0x12", "--from", "//Alice"],
                "invalid code hash `0x12`",
            ),
            (
                vec!["instantiate", &hash, "--from", "//Alice", "--salt", "01"],
                "--salt `01`",
            ),
            (
                vec!["instantiate", &hash, "--from", "Alice"],
                "--from: invalid secret URI",
            ),
            (
                vec![
                    "instantiate",
                    &hash,
                    "--from",
                    "//Alice",
                    "--dry-run",
                    "--at",
                    "0x1",
                ],
                "--at: invalid block hash",
            ),
            (
                vec![
                    "instantiate",
                    &hash,
                    "--from",
                    "//Alice",
                    "--dry-run",
                    "--salt",
                    "0xz",
                ],
                "--salt `0xz`",
            ),
            (
                vec!["call", "nope", "--from", "//Alice", "--method", "m"],
                "invalid address `nope`",
            ),
            (
                vec![
                    "call", &bob, "--from", "//Alice", "--method", "m", "--args", "[\"x\"]",
                ],
                "--args",
            ),
            (
                vec![
                    "call", &bob, "--from", "//Alice", "--data", "0x", "--value", "-1",
                ],
                "--value `-1`",
            ),
            (
                vec!["query", &bob, "--data", "0x", "--origin", "nope"],
                "--origin: invalid address",
            ),
            (
                vec!["query", &bob, "--data", "0x", "--at", "0x1"],
                "--at: invalid block hash",
            ),
        ] {
            let error = run(&endpoint, contract(&args), &Output::buffer(false))
                .await
                .unwrap_err();
            let message = format!("{error:#}");
            assert!(message.contains(expected), "{args:?}: {message}");
        }
        std::fs::remove_dir_all(dir).unwrap();
    }

    /// A fresh directory under the system's temporary directory.
    fn tempfile_dir() -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "ghost-contract-test-{}-{}",
            std::process::id(),
            blake3_256(format!("{:?}", std::time::SystemTime::now()).as_bytes())
        ));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }
}
