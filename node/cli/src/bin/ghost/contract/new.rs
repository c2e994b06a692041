//! `ghost contract new NAME`: a contract crate that builds to `wasm32v1-none` as it is, with the
//! SDK's entry points, a method, an event, an error and off-chain unit tests, so a new contract
//! starts from something that compiles, passes `cargo test` and uploads.
//!
//! The crate is its own workspace (so it builds outside this repository's), depends on the SDK
//! by path (`--sdk`, default: the `contracts/sdk` of the source tree this `ghost` was built
//! from), and carries the linker flags WASM-lite needs (`.cargo/config.toml`: a 64 KiB stack and
//! a 1 MiB memory maximum) and the release profile the examples use (small code, overflow
//! checks on), and pins the toolchain with the `wasm32v1-none` target (`rust-toolchain.toml`).

use std::path::{Path, PathBuf};

use anyhow::Context;

use super::*;

/// `ghost contract new …`.
#[derive(Debug, Clone, Args)]
pub struct NewArgs {
    /// The crate's name: lowercase letters, digits and `-`, starting with a letter.
    pub name: String,
    /// Where to create it (default: `./NAME`); must not exist yet.
    #[arg(long, value_name = "DIR")]
    pub path: Option<PathBuf>,
    /// The SDK crate to depend on (default: this source tree's `contracts/sdk`).
    #[arg(long, value_name = "DIR")]
    pub sdk: Option<PathBuf>,
}

/// What `new` created.
#[derive(Debug, Clone, Serialize)]
pub struct Created {
    /// The crate's name.
    pub name: String,
    /// Its directory.
    pub path: String,
    /// The SDK it depends on.
    pub sdk: String,
    /// How to build it.
    pub build: String,
    /// Where the build leaves the contract (under `$CARGO_TARGET_DIR` if that is set, else the
    /// crate's `target/`).
    pub wasm: String,
}

impl Render for Created {}

/// The SDK next to this binary's sources.
fn default_sdk() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../contracts/sdk")
}

/// Checks a crate name as cargo and the template need it.
fn check_name(name: &str) -> anyhow::Result<()> {
    let valid = name.len() <= 64
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !name.ends_with('-');
    anyhow::ensure!(
        valid,
        "`{name}` is not a crate name for a contract: use lowercase letters, digits and `-`, \
         starting with a letter (e.g. `my-counter`)"
    );
    Ok(())
}

/// Writes the crate.
pub fn new_contract(args: NewArgs, out: &Output) -> anyhow::Result<()> {
    check_name(&args.name)?;
    let dir = args.path.unwrap_or_else(|| PathBuf::from(&args.name));
    anyhow::ensure!(
        !dir.exists(),
        "{} exists already: pick another --path",
        dir.display()
    );
    let sdk = args.sdk.unwrap_or_else(default_sdk);
    let sdk = sdk.canonicalize().map_err(|e| {
        anyhow::anyhow!(
            "the SDK at {} cannot be used ({e}): pass --sdk with the path of contracts/sdk",
            sdk.display()
        )
    })?;
    anyhow::ensure!(
        sdk.join("Cargo.toml").is_file(),
        "{} has no Cargo.toml: pass --sdk with the path of contracts/sdk",
        sdk.display()
    );
    let sdk_text = sdk
        .to_str()
        .ok_or_else(|| anyhow::anyhow!("the SDK path {} is not UTF-8", sdk.display()))?;
    let files = [
        ("Cargo.toml", cargo_toml(&args.name, sdk_text)),
        (".cargo/config.toml", CARGO_CONFIG.to_owned()),
        (".gitignore", "/target\n".to_owned()),
        ("rust-toolchain.toml", RUST_TOOLCHAIN.to_owned()),
        ("src/lib.rs", LIB_RS.to_owned()),
    ];
    for (file, text) in &files {
        let path = dir.join(file);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))?;
        }
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
    }
    let lib = args.name.replace('-', "_");
    out.emit(&Created {
        name: args.name.clone(),
        path: dir.display().to_string(),
        sdk: sdk_text.to_owned(),
        build: format!(
            "cd {} && cargo test && cargo build --release --target wasm32v1-none",
            dir.display()
        ),
        // Where cargo will put it: under CARGO_TARGET_DIR when the shell sets one.
        wasm: std::env::var_os("CARGO_TARGET_DIR")
            .map_or_else(|| dir.join("target"), PathBuf::from)
            .join(format!("wasm32v1-none/release/{lib}.wasm"))
            .display()
            .to_string(),
    })
}

fn cargo_toml(name: &str, sdk: &str) -> String {
    // The SDK path as a TOML basic string.
    let sdk = sdk.replace('\\', "\\\\").replace('"', "\\\"");
    format!(
        r#"[package]
name = "{name}"
version = "0.1.0"
edition = "2024"
publish = false

[lib]
crate-type = ["cdylib"]

[dependencies]
ghost-contract-sdk = {{ path = "{sdk}" }}
parity-scale-codec = {{ version = "3.7.5", default-features = false, features = ["derive"] }}

# Its own workspace, so it builds wherever it is.
[workspace]

[profile.release]
opt-level = "z"
lto = true
panic = "abort"
codegen-units = 1
strip = true
# Arithmetic bugs trap (and so revert the call) instead of wrapping silently.
overflow-checks = true
"#
    )
}

/// The toolchain this repository pins, with the WASM target (rustup installs it on first use).
const RUST_TOOLCHAIN: &str = r#"[toolchain]
channel = "1.95.0"
targets = ["wasm32v1-none"]
profile = "minimal"
"#;

const CARGO_CONFIG: &str = r#"# WASM-lite allows at most 16 pages (1 MiB) of memory: a 64 KiB shadow stack and a declared
# 1 MiB maximum, as the SDK's examples are linked.
[target.wasm32v1-none]
rustflags = [
    "-C", "link-arg=-zstack-size=65536",
    "-C", "link-arg=--max-memory=1048576",
]
"#;

const LIB_RS: &str = r#"//! A GhostChain contract: a counter to start from.
//!
//! Build: `cargo build --release --target wasm32v1-none`; test: `cargo test` (on the host, with
//! the SDK's off-chain test environment). Upload and call it with `ghost contract upload`,
//! `ghost contract instantiate` and `ghost contract call --abi`.

#![no_std]

use ghost_contract_sdk::prelude::*;
use ghost_contract_sdk::{env, event};

/// The count.
const COUNT: Lazy<u64> = Lazy::new(b"count");

/// Why a call failed (the revert output).
#[derive(Encode, Decode, Debug, PartialEq, Eq)]
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
    event::emit(&[topic("Incremented"), env::caller().0], &Incremented { by, count });
    Ok(count)
}

fn get() -> Result<u64, CounterError> {
    Ok(COUNT.get_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ghost_contract_sdk::test::{self, Outcome};

    #[test]
    fn counts_and_refuses_to_overflow() {
        test::reset();
        assert_eq!(test::deploy(__ghost_contract_deploy, &1u64), Outcome::ok(&()));
        assert_eq!(test::call(__ghost_contract_call, "increment", &2u64), Outcome::ok(&3u64));
        assert_eq!(test::events().len(), 1);
        assert_eq!(
            test::call(__ghost_contract_call, "increment", &u64::MAX),
            Outcome::err(&CounterError::Overflow)
        );
        assert_eq!(test::call(__ghost_contract_call, "get", &()), Outcome::ok(&3u64));
    }
}
"#;
