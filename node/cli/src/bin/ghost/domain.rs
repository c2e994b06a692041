//! `ghost domain …`: register, manage, resolve and watch names.
//!
//! Names go through [`ghost_rpc::normalize_name`] (IDNA/UTS-46 and punycode), so `Bücher.ghost`
//! is sent and stored as `xn--bcher-kva.ghost`. Every command checks its arguments before it
//! connects.
//!
//! Transactions (`register`, `renew` and the single-call ones: `set-record`, `remove-record`,
//! `transfer`, `subname`, `primary`, `approve`, `operator`, `update-key`, `clear-records`,
//! `set-addr`, `set-text`, `set-contenthash`, `signed-update`) take the options of [`TxArgs`] and
//! go through [`submit_call`], like `ghost transfer`: a call that is included but fails
//! (`Domains.NotOwner`, …) prints the inclusion report and ends the command with its error
//! (exit 1). A successful one prints what changed followed by `block_number`, `block_hash` and
//! `extrinsic_hash` ([`TxInfo`]). The single-call ones are checked by [`plan_change`] into a
//! [`Change`], whose [`Change::call`] builds the call and which is the report.
//!
//! `set-addr`, `set-text` and `set-contenthash` write web3 records (`SetRecords` with one
//! `SetAddress`, `SetText` or `SetContenthash`; `--clear` writes `None`). `signed-update` builds a
//! [`SignedRecordUpdate`] whose records replace all the name's DNS records (web3 records stay),
//! stamps it with the local clock (ms; the chain wants it later than the name's last signed update
//! and within its freshness window of the block time), signs the pallet's canonical
//! [`SignedRecordUpdate::signing_payload`] with `--signer` (the owner or the name's update key)
//! and submits `SetRecordsSigned` signed and paid for by `--relayer`.
//!
//! `register` reads `domain_params` first. When the chain asks for a commitment
//! (`minCommitmentAgeMs > 0`) it checks that the name is available, commits to
//! `blake3(SCALE(name, owner, secret))` with a random secret, waits for the commit to be in a
//! block, then waits until the commitment is old enough — by the best header's `timestampMs`, or
//! by the local clock, since an instant-seal node makes no block until it gets a transaction and
//! then stamps it with its author's clock — and only then submits `Register`. The command's
//! `--timeout` is extended by the commitment age. With no commitment needed it registers at once
//! with a zero secret. The cost printed is `domain_price` read before submitting.
//!
//! `resolve --proof` checks the node's answer against the block's state root:
//! [`ghost_client::verify::verify_resolution`] (on `ghost-light`) verifies every proven key,
//! recomputes the resolution from the proven storage values and requires it to equal the node's.

use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::Context;
use clap::{ArgGroup, Args, Subcommand, ValueEnum};
use ghost_primitives::bytes::{decode_hex, encode_hex};
use ghost_primitives::records::DEFAULT_TTL;
use ghost_primitives::{
    AccountId, Balance, Bytes, DnsRecord, DomainName, Hash, Pair, RecordData, RecordLabel,
    RecordType, Signature, blake3_256,
};
use ghost_rpc::{
    ChainApiClient, ChangeFilter, DomainApiClient, DomainChangeJson, DomainChangesJson,
    ResolutionJson, ResolutionProofJson, normalize_name,
};
use ghost_runtime::RuntimeCall;
use ghost_runtime::domains::{
    Call as DomainCall, DAY_MS, RecordChange, SignedRecordUpdate, YEAR_MS,
};
use parity_scale_codec::Encode;
use serde::Serialize;
use tokio::time::{Duration, Instant};

use crate::amount::format_ghost;
use crate::keys::pair_from_suri;
use crate::output::{Lines, Output, Render};
use crate::query::parse_address;
use crate::rpc::{Client, Endpoint, RpcContext};
use crate::transfer::{Deadline, Signer, Submitted, TxArgs, Wait, submit_call};

/// Largest `domain_listByOwner` page the client asks for.
const LIST_PAGE: usize = 100;
/// How often `register` looks at the chain while a commitment matures.
const COMMITMENT_POLL: Duration = Duration::from_millis(500);
/// Longest `--contract-id` of a signed update, in bytes (the pallet's `ContractIdTooLong`).
const MAX_CONTRACT_ID_LEN: usize = 64;
/// What human output prints for an absent value (an address, a name, a cleared record).
const NONE_TEXT: &str = "(none)";

// ---------------------------------------------------------------------------------------------
// command line

/// `ghost domain …`.
#[derive(Debug, Clone, Subcommand)]
pub enum DomainCommand {
    /// Register a name (committing first when the chain requires it).
    Register(RegisterArgs),
    /// Add a DNS record to a name, or update the TTL of an identical one.
    SetRecord(SetRecordArgs),
    /// Remove a DNS record from a name (label, type and value must match).
    RemoveRecord(RemoveRecordArgs),
    /// Owner, status, expiry and records of a name.
    Resolve {
        /// The name.
        name: String,
        /// Also fetch a state proof and verify the answer against the block's state root.
        #[arg(long)]
        proof: bool,
    },
    /// Give a name to another account.
    Transfer {
        /// The name.
        name: String,
        /// The new owner's address (`ghost1…`).
        #[arg(long, value_name = "ADDRESS")]
        to: String,
        /// Signer and submission.
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Extend a name's registration (anyone may pay for it).
    Renew {
        /// The name.
        name: String,
        /// How much longer (default: 1 year).
        #[command(flatten)]
        duration: DurationArgs,
        /// Signer and submission.
        #[command(flatten)]
        tx: TxArgs,
    },
    /// The names an address owns (follows the node's pages).
    List {
        /// The owner's address (`ghost1…`).
        #[arg(long, value_name = "ADDRESS")]
        owner: String,
        /// List at most N names.
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
        limit: Option<u64>,
    },
    /// Whether a name can be registered now.
    Available {
        /// The name.
        name: String,
    },
    /// The fee to register or renew a name.
    Price {
        /// The name.
        name: String,
        /// For how long (default: 1 year).
        #[command(flatten)]
        duration: DurationArgs,
    },
    /// Create or reassign the subname LABEL.PARENT.
    Subname {
        /// The parent name (`alice.ghost`).
        parent: String,
        /// The new label (`www`).
        label: String,
        /// The subname's owner (`ghost1…`).
        #[arg(long, value_name = "ADDRESS")]
        owner: String,
        /// Give up the parent's control of the subname for good.
        #[arg(long)]
        lock: bool,
        /// Signer and submission.
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Make a name the signer's primary (reverse) name (it must be active and the signer's), or
    /// clear it.
    #[command(group(ArgGroup::new("target").required(true).args(["name", "clear"])))]
    Primary {
        /// The name.
        name: Option<String>,
        /// Clear the signer's primary name instead.
        #[arg(long)]
        clear: bool,
        /// Signer and submission.
        #[command(flatten)]
        tx: TxArgs,
    },
    /// The primary (reverse) name of an address, if it still resolves to it.
    PrimaryOf {
        /// The address (`ghost1…`).
        address: String,
    },
    /// Let one account manage a name (records, update key, transfer), or clear the approval.
    #[command(group(ArgGroup::new("target").required(true).args(["account", "clear"])))]
    Approve {
        /// The name.
        name: String,
        /// The approved account (`ghost1…`).
        #[arg(long, value_name = "ADDRESS")]
        account: Option<String>,
        /// Remove the approval.
        #[arg(long)]
        clear: bool,
        /// Signer (the owner or one of its operators) and submission.
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Let an operator manage all the signer's names, or revoke it.
    #[command(group(ArgGroup::new("decision").required(true).args(["approve", "revoke"])))]
    Operator {
        /// The operator's address (`ghost1…`).
        operator: String,
        /// Make it an operator.
        #[arg(long)]
        approve: bool,
        /// Stop it being one.
        #[arg(long)]
        revoke: bool,
        /// Signer (the owner) and submission.
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Set the ed25519 key that may sign off-chain record updates of a name, or clear it.
    #[command(group(ArgGroup::new("source").required(true).args(["key", "suri", "clear"])))]
    UpdateKey {
        /// The name.
        name: String,
        /// The key's public key (`0x` + 64 hex digits; a `ghost1…` address also works).
        #[arg(long, value_name = "PUBLIC_KEY")]
        key: Option<String>,
        /// The key's secret URI; only its public key is used.
        #[arg(long, value_name = "SURI")]
        suri: Option<String>,
        /// Remove the update key.
        #[arg(long)]
        clear: bool,
        /// Signer (a manager of the name) and submission.
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Remove every record of a name: DNS and web3.
    ClearRecords {
        /// The name.
        name: String,
        /// Signer and submission.
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Set or clear the address of a name for a SLIP-44 coin type (60 = Ethereum).
    #[command(group(ArgGroup::new("target").required(true).args(["address", "clear"])))]
    SetAddr {
        /// The name.
        name: String,
        /// The SLIP-44 coin type.
        coin_type: u32,
        /// The address bytes as `0x`-hex.
        #[arg(value_name = "0xHEX")]
        address: Option<String>,
        /// Remove the address for this coin type.
        #[arg(long)]
        clear: bool,
        /// Signer and submission.
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Set or clear a text record of a name (`url`, `avatar`, `com.github`, …).
    #[command(group(ArgGroup::new("target").required(true).args(["value", "clear"])))]
    SetText {
        /// The name.
        name: String,
        /// The key.
        key: String,
        /// The value (quote it if it has spaces).
        #[arg(allow_hyphen_values = true)]
        value: Option<String>,
        /// Remove the text record.
        #[arg(long)]
        clear: bool,
        /// Signer and submission.
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Set or clear a name's content hash (EIP-1577 bytes).
    #[command(group(ArgGroup::new("target").required(true).args(["contenthash", "clear"])))]
    SetContenthash {
        /// The name.
        name: String,
        /// The content hash bytes as `0x`-hex.
        #[arg(value_name = "0xHEX")]
        contenthash: Option<String>,
        /// Remove the content hash.
        #[arg(long)]
        clear: bool,
        /// Signer and submission.
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Replace a name's DNS records with an update signed off chain by its owner or update key,
    /// submitted (and paid for) by a relayer.
    SignedUpdate(SignedUpdateArgs),
    /// Print name changes as blocks make them, until Ctrl-C (or `--count` notifications).
    Watch(WatchArgs),
}

/// A registration or renewal period; one of the flags, 1 year when none is given.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Args)]
#[group(multiple = false)]
pub struct DurationArgs {
    /// Years of 365 days.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub years: Option<u64>,
    /// Days.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub days: Option<u64>,
    /// Seconds (dev chains accept registrations of a few seconds).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub seconds: Option<u64>,
}

impl DurationArgs {
    /// The period in ms.
    pub fn to_ms(self) -> anyhow::Result<u64> {
        let (n, unit_ms, flag) = match (self.years, self.days, self.seconds) {
            (Some(years), _, _) => (years, YEAR_MS, "--years"),
            (None, Some(days), _) => (days, DAY_MS, "--days"),
            (None, None, Some(seconds)) => (seconds, 1_000, "--seconds"),
            (None, None, None) => return Ok(YEAR_MS),
        };
        n.checked_mul(unit_ms)
            .ok_or_else(|| anyhow::anyhow!("{flag} {n}: the duration does not fit in 64-bit ms"))
    }
}

/// Where records go under the name and how long resolvers may cache them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Args)]
pub struct RecordPlacement {
    /// Where under the name: `@` (the name itself, the default), `www`, `_sip._tcp`, …
    #[arg(long, value_name = "LABEL")]
    pub label: Option<String>,
    /// Time to live in seconds (default 300).
    #[arg(long, value_name = "SECONDS")]
    pub ttl: Option<u32>,
}

/// `ghost domain register …`.
#[derive(Debug, Clone, Args)]
pub struct RegisterArgs {
    /// The name (`alice.ghost`; `Bücher.ghost` is normalized to `xn--bcher-kva.ghost`).
    pub name: String,
    /// Who will own it (default: the signer).
    #[arg(long, value_name = "ADDRESS")]
    pub owner: Option<String>,
    /// How long (default: 1 year).
    #[command(flatten)]
    pub duration: DurationArgs,
    /// An initial DNS record (`A=10.0.0.1`, `MX=10 mail.example.com`, `TXT=hello`); repeatable.
    #[arg(long = "record", value_name = "TYPE=VALUE")]
    pub records: Vec<String>,
    /// Label and TTL of the `--record`s.
    #[command(flatten)]
    pub placement: RecordPlacement,
    /// Signer (who pays) and submission.
    #[command(flatten)]
    pub tx: TxArgs,
}

/// `ghost domain set-record …`.
#[derive(Debug, Clone, Args)]
pub struct SetRecordArgs {
    /// The name.
    pub name: String,
    /// Record type: A, AAAA, CNAME, TXT, MX, NS, SRV, CAA, TLSA.
    #[arg(value_name = "TYPE")]
    pub rtype: String,
    /// The value (`10.0.0.1`, `10 mail.example.com`); several words are joined by spaces.
    #[arg(value_name = "VALUE", required = true, num_args = 1..)]
    pub value: Vec<String>,
    /// Label and TTL.
    #[command(flatten)]
    pub placement: RecordPlacement,
    /// Signer and submission.
    #[command(flatten)]
    pub tx: TxArgs,
}

/// `ghost domain remove-record …`.
#[derive(Debug, Clone, Args)]
pub struct RemoveRecordArgs {
    /// The name.
    pub name: String,
    /// Record type.
    #[arg(value_name = "TYPE")]
    pub rtype: String,
    /// The value; several words are joined by spaces.
    #[arg(value_name = "VALUE", required = true, num_args = 1..)]
    pub value: Vec<String>,
    /// Where under the name (default `@`).
    #[arg(long, value_name = "LABEL")]
    pub label: Option<String>,
    /// Signer and submission.
    #[command(flatten)]
    pub tx: TxArgs,
}

/// `ghost domain signed-update …`.
#[derive(Debug, Clone, Args)]
pub struct SignedUpdateArgs {
    /// The name.
    pub name: String,
    /// Secret URI of the key that signs the update: the name's owner or its update key.
    #[arg(long, value_name = "SURI")]
    pub signer: String,
    /// Secret URI of the account that submits the update and pays its fee.
    #[arg(long, value_name = "SURI")]
    pub relayer: String,
    /// A DNS record of the update (`A=10.0.0.1`); repeatable. These replace all the name's DNS
    /// records (none: remove them all); web3 records stay.
    #[arg(long = "record", value_name = "TYPE=VALUE")]
    pub records: Vec<String>,
    /// Label and TTL of the `--record`s.
    #[command(flatten)]
    pub placement: RecordPlacement,
    /// Who produced the update (opaque, at most 64 bytes; empty by default).
    #[arg(long, value_name = "TEXT", default_value = "")]
    pub contract_id: String,
    /// Tip on top of the relayer's fee, as `--tip` of the other transactions.
    #[arg(
        long,
        value_name = "AMOUNT",
        default_value = "0",
        allow_hyphen_values = true
    )]
    pub tip: String,
    /// When to return.
    #[arg(long, value_enum, default_value_t = Wait::InBlock)]
    pub wait: Wait,
    /// Make the extrinsic mortal: valid only in the next BLOCKS blocks after the best block.
    #[arg(long, value_name = "BLOCKS")]
    pub mortal: Option<u32>,
}

impl SignedUpdateArgs {
    /// The relayer as a transaction signer (it signs the extrinsic, not the update).
    fn relayer(&self) -> anyhow::Result<Signer> {
        pair_from_suri(&self.relayer).map_err(|e| e.context("--relayer"))?;
        TxArgs {
            from: self.relayer.clone(),
            tip: self.tip.clone(),
            wait: self.wait,
            mortal: self.mortal,
        }
        .validate()
    }
}

/// A change type `watch --type` filters on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ChangeKind {
    /// Registered, or a subname created.
    Created,
    /// Records or expiry changed.
    Updated,
    /// Owner changed.
    Transferred,
    /// Expired, released or removed.
    Expired,
}

/// `ghost domain watch …`.
#[derive(Debug, Clone, Args)]
pub struct WatchArgs {
    /// Replay changes from this block height on, then follow new blocks (default: from the next
    /// block).
    #[arg(long, value_name = "HEIGHT")]
    pub from_height: Option<u64>,
    /// Only changes of this name; repeatable.
    #[arg(long = "domain", value_name = "NAME")]
    pub domains: Vec<String>,
    /// Only names under this suffix (`ghost`, or `alice.ghost` with its subnames); repeatable.
    #[arg(long = "suffix", value_name = "SUFFIX")]
    pub suffixes: Vec<String>,
    /// Only these change types; repeatable.
    #[arg(long = "type", value_enum, value_name = "TYPE")]
    pub types: Vec<ChangeKind>,
    /// Stop after N notifications (each is one block's matching changes).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub count: Option<u64>,
}

// ---------------------------------------------------------------------------------------------
// pure helpers

/// A name in canonical form, via IDNA/UTS-46.
pub fn parse_name(input: &str) -> anyhow::Result<DomainName> {
    normalize_name(input).map_err(|e| anyhow::anyhow!("invalid name `{input}`: {e}"))
}

/// The subname `label.parent`, with IDNA applied to the label too; the label must be one label.
pub fn subname_of(parent: &DomainName, label: &str) -> anyhow::Result<DomainName> {
    let child = parse_name(&format!("{label}.{parent}"))
        .map_err(|_| anyhow::anyhow!("invalid subname label `{label}`"))?;
    if child.parent().as_ref() != Some(parent) {
        anyhow::bail!("invalid subname label `{label}`: give a single label such as `www`");
    }
    Ok(child)
}

/// A `watch --suffix` in the node's canonical form (`Ghost` → `ghost`, `.Bücher.ghost` →
/// `xn--bcher-kva.ghost`).
pub fn parse_suffix(input: &str) -> anyhow::Result<String> {
    let trimmed = input.trim().trim_start_matches('.');
    let probe = parse_name(&format!("x.{trimmed}"))
        .map_err(|_| anyhow::anyhow!("invalid suffix `{input}`"))?;
    Ok(probe.as_str()["x.".len()..].to_string())
}

/// A record label (`@` when not given).
pub fn parse_label(label: Option<&str>) -> anyhow::Result<RecordLabel> {
    match label {
        None => Ok(RecordLabel::apex()),
        Some(label) => RecordLabel::parse(label).map_err(|e| anyhow::anyhow!("--label: {e}")),
    }
}

/// The records of `register --record TYPE=VALUE …`, all at one label with one TTL.
pub fn build_records(
    assignments: &[String],
    placement: &RecordPlacement,
) -> anyhow::Result<Vec<DnsRecord>> {
    let label = parse_label(placement.label.as_deref())?;
    let ttl = placement.ttl.unwrap_or(DEFAULT_TTL);
    assignments
        .iter()
        .map(|assignment| {
            let data = RecordData::parse_assignment(assignment)
                .map_err(|e| anyhow::anyhow!("--record `{assignment}`: {e}"))?;
            Ok(DnsRecord {
                label: label.clone(),
                ttl,
                data,
            })
        })
        .collect()
}

/// The record of `set-record NAME TYPE VALUE…`.
pub fn build_record(
    rtype: &str,
    value: &[String],
    placement: &RecordPlacement,
) -> anyhow::Result<DnsRecord> {
    let rtype: RecordType = rtype.parse()?;
    let value = value.join(" ");
    Ok(DnsRecord {
        label: parse_label(placement.label.as_deref())?,
        ttl: placement.ttl.unwrap_or(DEFAULT_TTL),
        data: RecordData::parse(rtype, &value)?,
    })
}

/// Bytes of a web3 record (`set-addr`, `set-contenthash`): `0x`-hex, at least one byte (`--clear`
/// removes a record).
pub fn parse_record_bytes(input: &str, what: &str) -> anyhow::Result<Bytes> {
    let bytes = decode_hex(input).map_err(|e| anyhow::anyhow!("invalid {what} `{input}`: {e}"))?;
    if bytes.is_empty() {
        anyhow::bail!("invalid {what} `{input}`: give at least one byte (--clear removes it)");
    }
    Ok(Bytes(bytes))
}

/// The key of `update-key`: `--key`, the public key of `--suri`, or none (`--clear`).
pub fn parse_update_key(
    key: Option<&str>,
    suri: Option<&str>,
) -> anyhow::Result<Option<AccountId>> {
    match (key, suri) {
        (Some(key), _) => key
            .parse()
            .map(Some)
            .map_err(|e| anyhow::anyhow!("--key: invalid public key `{key}`: {e}")),
        (None, Some(suri)) => Ok(Some(
            pair_from_suri(suri)
                .map_err(|e| e.context("--suri"))?
                .public(),
        )),
        (None, None) => Ok(None),
    }
}

/// `name`'s DNS records replaced by `records`, signed by `signer` at `timestamp` (ms) over the
/// pallet's canonical [`SignedRecordUpdate::signing_payload`].
pub fn signed_update(
    name: &DomainName,
    contract_id: &str,
    records: Vec<DnsRecord>,
    signer: &Pair,
    timestamp: u64,
) -> anyhow::Result<SignedRecordUpdate> {
    if contract_id.len() > MAX_CONTRACT_ID_LEN {
        anyhow::bail!(
            "--contract-id: at most {MAX_CONTRACT_ID_LEN} bytes, `{contract_id}` has {}",
            contract_id.len()
        );
    }
    let mut update = SignedRecordUpdate {
        domain: name.clone(),
        contract_id: Bytes(contract_id.as_bytes().to_vec()),
        records,
        owner_address: signer.public(),
        timestamp,
        signature: Signature::default(),
    };
    update.signature = signer.sign(&update.signing_payload());
    Ok(update)
}

/// The commitment `register` reveals: `blake3(SCALE((name, owner, secret)))`, as the pallet's
/// `commitment_of`.
pub fn commitment_of(name: &DomainName, owner: &AccountId, secret: &Hash) -> Hash {
    blake3_256(&(name, owner, secret).encode())
}

/// A fresh random secret for a commitment (32 bytes from the operating system).
fn random_secret() -> anyhow::Result<Hash> {
    // `Pair::generate` draws its 32-byte seed from the OS; the seed is all we use.
    let (_, seed) = Pair::generate().map_err(|e| anyhow::anyhow!("drawing a secret: {e}"))?;
    Ok(Hash(seed))
}

/// The local wall clock in ms since the epoch.
fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

/// How much longer a commitment that may be revealed at `ready_at` must wait, given the best
/// block's time and the local clock; `None` once either has reached it.
pub fn commitment_wait(ready_at: u64, best_block_ms: u64, local_ms: u64) -> Option<Duration> {
    let now = best_block_ms.max(local_ms);
    (now < ready_at).then(|| Duration::from_millis(ready_at - now))
}

/// A time in ms since the epoch as ISO-8601 UTC: `2023-11-14T22:13:20Z`, with `.mmm` when the
/// milliseconds are not zero.
pub fn iso8601(ms: u64) -> String {
    let secs = ms / 1_000;
    let millis = ms % 1_000;
    let days = secs / 86_400;
    let day_secs = secs % 86_400;
    // `days` < 2^64 / 86_400_000 fits an i64 with room to spare.
    let (year, month, day) = civil_from_days(days as i64);
    let (hour, minute, second) = (day_secs / 3_600, day_secs % 3_600 / 60, day_secs % 60);
    let fraction = if millis == 0 {
        String::new()
    } else {
        format!(".{millis:03}")
    };
    format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}{fraction}Z")
}

/// Year, month and day of a day count since 1970-01-01 in the proleptic Gregorian calendar
/// (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11], March first
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// A record as one line: `label TTL TYPE value`.
pub fn record_line(record: &DnsRecord) -> String {
    format!(
        "{} {} {} {}",
        record.label,
        record.ttl,
        record.data.rtype(),
        record.data
    )
}

/// A ms timestamp for people: ISO-8601 and the raw value.
fn time_text(ms: u64) -> String {
    format!("{} ({ms})", iso8601(ms))
}

/// A value for people, or [`NONE_TEXT`].
fn or_none(value: Option<impl std::fmt::Display>) -> String {
    value.map_or_else(|| NONE_TEXT.to_string(), |value| value.to_string())
}

/// Units and GHOST.
fn balance_text(units: Balance) -> String {
    format!("{units} ({})", format_ghost(units))
}

/// A `u64` field of `domain_params`.
fn param_u64(params: &serde_json::Value, key: &str) -> anyhow::Result<u64> {
    params
        .get(key)
        .and_then(serde_json::Value::as_u64)
        .ok_or_else(|| anyhow::anyhow!("domain_params has no numeric `{key}`: {params}"))
}

// ---------------------------------------------------------------------------------------------
// reports

/// Where a domain transaction ended; the last fields of every transaction report (`null` block
/// fields with `--wait none`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TxInfo {
    /// Height of the including block.
    pub block_number: Option<u64>,
    /// The including block.
    pub block_hash: Option<Hash>,
    /// The extrinsic.
    pub extrinsic_hash: Hash,
}

impl TxInfo {
    /// Whether the extrinsic is known to be in a block.
    fn included(&self) -> bool {
        self.block_hash.is_some()
    }
}

impl Render for TxInfo {
    fn lines(&self) -> Lines {
        Lines::new()
            .with_opt("block_number", self.block_number)
            .with_opt("block_hash", self.block_hash)
            .with("extrinsic_hash", self.extrinsic_hash)
    }
}

/// What a domain transaction did, then where it landed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TxReport<T> {
    /// Command-specific fields.
    #[serde(flatten)]
    pub details: T,
    /// Block and extrinsic.
    #[serde(flatten)]
    pub tx: TxInfo,
}

impl<T: Render> Render for TxReport<T> {
    fn lines(&self) -> Lines {
        self.details.lines().append(self.tx.lines())
    }
}

/// Prints the inclusion report and fails if the call failed; otherwise where it landed.
pub fn settle(submitted: Submitted, out: &Output) -> anyhow::Result<TxInfo> {
    match submitted {
        Submitted::Pool(report) => Ok(TxInfo {
            block_number: None,
            block_hash: None,
            extrinsic_hash: report.extrinsic_hash,
        }),
        Submitted::Included(report) if report.success => Ok(TxInfo {
            block_number: Some(report.block_number),
            block_hash: Some(report.block_hash),
            extrinsic_hash: report.extrinsic_hash,
        }),
        failed => {
            failed.emit(out)?;
            anyhow::bail!("extrinsic {} failed", failed.extrinsic_hash())
        }
    }
}

/// `register`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Registered {
    /// The name.
    pub name: DomainName,
    /// Its owner.
    pub owner: AccountId,
    /// Expiry (ms) read after inclusion; `null` with `--wait none`.
    pub expires_at: Option<u64>,
    /// The fee (`domain_price` before submitting), smallest units.
    pub cost: Balance,
}

impl Render for Registered {
    fn lines(&self) -> Lines {
        Lines::new()
            .with("name", &self.name)
            .with("owner", self.owner)
            .with_opt("expires", self.expires_at.map(time_text))
            .with("cost", balance_text(self.cost))
    }
}

/// `renew`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Renewed {
    /// The name.
    pub name: DomainName,
    /// The new expiry (ms); `null` with `--wait none`.
    pub expires_at: Option<u64>,
    /// The fee, smallest units.
    pub cost: Balance,
}

impl Render for Renewed {
    fn lines(&self) -> Lines {
        Lines::new()
            .with("name", &self.name)
            .with_opt("expires", self.expires_at.map(time_text))
            .with("cost", balance_text(self.cost))
    }
}

/// `set-record`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordSet {
    /// The name.
    pub name: DomainName,
    /// The record written.
    pub record: DnsRecord,
}

impl Render for RecordSet {
    fn lines(&self) -> Lines {
        Lines::new()
            .with("name", &self.name)
            .with("record", record_line(&self.record))
    }
}

/// `remove-record`: what was removed (TTLs do not matter for removal).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordRemoved {
    /// The name.
    pub name: DomainName,
    /// Label of the removed record.
    pub label: RecordLabel,
    /// Its type.
    #[serde(rename = "type")]
    pub rtype: RecordType,
    /// Its value.
    pub value: String,
    /// The record the call removes (its TTL does not matter).
    #[serde(skip)]
    pub record: DnsRecord,
}

impl Render for RecordRemoved {
    fn lines(&self) -> Lines {
        Lines::new().with("name", &self.name).with(
            "removed",
            format!("{} {} {}", self.label, self.rtype, self.value),
        )
    }
}

/// `transfer`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Transferred {
    /// The name.
    pub name: DomainName,
    /// The new owner.
    pub owner: AccountId,
}

impl Render for Transferred {
    fn lines(&self) -> Lines {
        Lines::new()
            .with("name", &self.name)
            .with("owner", self.owner)
    }
}

/// `subname`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SubnameSet {
    /// The subname.
    pub name: DomainName,
    /// Its parent.
    pub parent: DomainName,
    /// Its owner.
    pub owner: AccountId,
    /// Whether the parent gave up control.
    pub locked: bool,
}

impl Render for SubnameSet {
    fn lines(&self) -> Lines {
        Lines::new()
            .with("name", &self.name)
            .with("parent", &self.parent)
            .with("owner", self.owner)
            .with("locked", self.locked)
    }
}

/// `primary` (`name: null` with `--clear`), and `primary-of`'s answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PrimarySet {
    /// The signer (the address asked about).
    pub address: AccountId,
    /// Its primary name, if any.
    pub name: Option<DomainName>,
}

impl Render for PrimarySet {
    fn lines(&self) -> Lines {
        Lines::new()
            .with("address", self.address)
            .with("name", or_none(self.name.as_ref()))
    }
}

/// `approve` (`approved: null` with `--clear`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApprovalSet {
    /// The name.
    pub name: DomainName,
    /// The account approved to manage it, if any.
    pub approved: Option<AccountId>,
}

impl Render for ApprovalSet {
    fn lines(&self) -> Lines {
        Lines::new()
            .with("name", &self.name)
            .with("approved", or_none(self.approved.as_ref()))
    }
}

/// `operator`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OperatorSet {
    /// The signer, whose names the operator manages.
    pub owner: AccountId,
    /// The operator.
    pub operator: AccountId,
    /// Whether it is an operator now.
    pub approved: bool,
}

impl Render for OperatorSet {
    fn lines(&self) -> Lines {
        Lines::new()
            .with("owner", self.owner)
            .with("operator", self.operator)
            .with("approved", self.approved)
    }
}

/// `update-key` (`update_key: null` with `--clear`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UpdateKeySet {
    /// The name.
    pub name: DomainName,
    /// The key that may sign its updates besides the owner, if any.
    pub update_key: Option<AccountId>,
}

impl Render for UpdateKeySet {
    fn lines(&self) -> Lines {
        Lines::new().with("name", &self.name).with(
            "update_key",
            or_none(
                self.update_key
                    .map(|key| format!("{key} ({})", key.to_hex())),
            ),
        )
    }
}

/// `clear-records`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordsCleared {
    /// The name, now without records.
    pub name: DomainName,
}

impl Render for RecordsCleared {
    fn lines(&self) -> Lines {
        Lines::new()
            .with("name", &self.name)
            .with("records", "cleared")
    }
}

/// `set-addr` (`address: null` with `--clear`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AddressSet {
    /// The name.
    pub name: DomainName,
    /// The SLIP-44 coin type.
    pub coin_type: u32,
    /// The address bytes, if any.
    pub address: Option<Bytes>,
}

impl Render for AddressSet {
    fn lines(&self) -> Lines {
        Lines::new().with("name", &self.name).with(
            format!("address[{}]", self.coin_type),
            or_none(self.address.as_ref().map(|a| encode_hex(a))),
        )
    }
}

/// `set-text` (`value: null` with `--clear`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TextSet {
    /// The name.
    pub name: DomainName,
    /// The key.
    pub key: String,
    /// The value, if any.
    pub value: Option<String>,
}

impl Render for TextSet {
    fn lines(&self) -> Lines {
        Lines::new()
            .with("name", &self.name)
            .with(format!("text[{}]", self.key), or_none(self.value.as_ref()))
    }
}

/// `set-contenthash` (`contenthash: null` with `--clear`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContenthashSet {
    /// The name.
    pub name: DomainName,
    /// The content hash, if any.
    pub contenthash: Option<Bytes>,
}

impl Render for ContenthashSet {
    fn lines(&self) -> Lines {
        Lines::new().with("name", &self.name).with(
            "contenthash",
            or_none(self.contenthash.as_ref().map(|h| encode_hex(h))),
        )
    }
}

/// `signed-update`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignedUpdateSent {
    /// The name.
    pub name: DomainName,
    /// Who signed the update (the owner or the update key).
    pub signer: AccountId,
    /// Who submitted it and paid.
    pub relayer: AccountId,
    /// The update's timestamp (ms).
    pub timestamp: u64,
    /// The contract id, as given.
    pub contract_id: String,
    /// The name's DNS records after the update.
    pub records: Vec<DnsRecord>,
    /// The signed update the call carries.
    #[serde(skip)]
    pub update: SignedRecordUpdate,
}

impl Render for SignedUpdateSent {
    fn lines(&self) -> Lines {
        let mut lines = Lines::new()
            .with("name", &self.name)
            .with("signer", self.signer)
            .with("relayer", self.relayer)
            .with("timestamp", time_text(self.timestamp))
            .with_opt(
                "contract_id",
                Some(&self.contract_id).filter(|id| !id.is_empty()),
            );
        if self.records.is_empty() {
            lines = lines.with("records", NONE_TEXT);
        }
        for record in &self.records {
            lines = lines.with("record", record_line(record));
        }
        lines
    }
}

/// A validated domain transaction that is a single call: [`Change::call`] is the one place
/// those calls are built, and the variant is the report printed once it is included.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Change {
    /// `transfer`.
    Transferred(Transferred),
    /// `subname`.
    Subname(SubnameSet),
    /// `primary`.
    Primary(PrimarySet),
    /// `set-record`.
    RecordSet(RecordSet),
    /// `remove-record`.
    RecordRemoved(RecordRemoved),
    /// `approve`.
    Approval(ApprovalSet),
    /// `operator`.
    Operator(OperatorSet),
    /// `update-key`.
    UpdateKey(UpdateKeySet),
    /// `clear-records`.
    RecordsCleared(RecordsCleared),
    /// `set-addr`.
    Address(AddressSet),
    /// `set-text`.
    Text(TextSet),
    /// `set-contenthash`.
    Contenthash(ContenthashSet),
    /// `signed-update`.
    SignedUpdate(SignedUpdateSent),
}

impl Change {
    /// The call that makes the change.
    pub fn call(&self) -> DomainCall {
        match self.clone() {
            Change::Transferred(Transferred { name, owner }) => DomainCall::Transfer {
                name,
                new_owner: owner,
            },
            Change::Subname(SubnameSet {
                name,
                parent,
                owner,
                locked,
            }) => DomainCall::SetSubnameOwner {
                parent,
                label: name.first_label().to_string(),
                owner,
                lock: locked,
            },
            Change::Primary(PrimarySet { name, .. }) => DomainCall::SetPrimaryName { name },
            Change::RecordSet(RecordSet { name, record }) => DomainCall::SetRecord { name, record },
            Change::RecordRemoved(RecordRemoved { name, record, .. }) => DomainCall::SetRecords {
                name,
                changes: vec![RecordChange::Remove(record)],
            },
            Change::Approval(ApprovalSet { name, approved }) => DomainCall::Approve {
                name,
                account: approved,
            },
            Change::Operator(OperatorSet {
                operator, approved, ..
            }) => DomainCall::SetOperator { operator, approved },
            Change::UpdateKey(UpdateKeySet { name, update_key }) => DomainCall::SetUpdateKey {
                name,
                key: update_key,
            },
            Change::RecordsCleared(RecordsCleared { name }) => DomainCall::ClearRecords { name },
            Change::Address(AddressSet {
                name,
                coin_type,
                address,
            }) => DomainCall::SetRecords {
                name,
                changes: vec![RecordChange::SetAddress { coin_type, address }],
            },
            Change::Text(TextSet { name, key, value }) => DomainCall::SetRecords {
                name,
                changes: vec![RecordChange::SetText { key, value }],
            },
            Change::Contenthash(ContenthashSet { name, contenthash }) => DomainCall::SetRecords {
                name,
                changes: vec![RecordChange::SetContenthash(contenthash)],
            },
            Change::SignedUpdate(SignedUpdateSent { update, .. }) => {
                DomainCall::SetRecordsSigned { update }
            }
        }
    }
}

impl Render for Change {
    fn lines(&self) -> Lines {
        match self {
            Change::Transferred(report) => report.lines(),
            Change::Subname(report) => report.lines(),
            Change::Primary(report) => report.lines(),
            Change::RecordSet(report) => report.lines(),
            Change::RecordRemoved(report) => report.lines(),
            Change::Approval(report) => report.lines(),
            Change::Operator(report) => report.lines(),
            Change::UpdateKey(report) => report.lines(),
            Change::RecordsCleared(report) => report.lines(),
            Change::Address(report) => report.lines(),
            Change::Text(report) => report.lines(),
            Change::Contenthash(report) => report.lines(),
            Change::SignedUpdate(report) => report.lines(),
        }
    }
}

/// `resolve`: the node's `domain_resolve` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Resolved(pub ResolutionJson);

/// The human lines of a resolution.
fn resolution_lines(r: &ResolutionJson) -> Lines {
    let mut lines = Lines::new()
        .with("name", &r.name)
        .with("owner", r.owner)
        .with("status", &r.status)
        .with("expires", time_text(r.expires_at))
        .with("created", time_text(r.created_at))
        .with_opt("parent", r.parent.as_ref());
    for record in &r.records {
        lines = lines.with("record", record_line(record));
    }
    for (coin, address) in &r.web3.addresses {
        lines = lines.with(format!("address[{coin}]"), encode_hex(address));
    }
    for (key, value) in &r.web3.texts {
        lines = lines.with(format!("text[{key}]"), value);
    }
    lines.with_opt(
        "contenthash",
        r.web3.contenthash.as_ref().map(|hash| encode_hex(hash)),
    )
}

impl Render for Resolved {
    fn lines(&self) -> Lines {
        resolution_lines(&self.0)
    }
}

/// `resolve --proof`: the node's `domain_resolveWithProof` answer, once verified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct VerifiedResolution(pub ResolutionProofJson);

impl Render for VerifiedResolution {
    fn lines(&self) -> Lines {
        let proof = &self.0;
        let lines = match &proof.resolution {
            Some(r) => resolution_lines(r),
            None => Lines::new(),
        };
        lines
            .with("proof", "verified")
            .with("proof_block", proof.at)
            .with("state_root", proof.state_root)
    }
}

/// `list`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NameList {
    /// The owner.
    pub owner: AccountId,
    /// Its names, in the node's (namehash) order.
    pub names: Vec<DomainName>,
}

impl Render for NameList {
    fn lines(&self) -> Lines {
        let mut lines = Lines::new()
            .with("owner", self.owner)
            .with("count", self.names.len());
        for name in &self.names {
            lines = lines.with("name", name);
        }
        lines
    }
}

/// `available`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Availability {
    /// The name.
    pub name: DomainName,
    /// Whether it can be registered now.
    pub available: bool,
    /// `active`, `grace` or `available`.
    pub status: String,
    /// Why not.
    pub reason: Option<String>,
}

impl Render for Availability {
    fn lines(&self) -> Lines {
        Lines::new()
            .with("name", &self.name)
            .with("available", self.available)
            .with("status", &self.status)
            .with_opt("reason", self.reason.as_ref())
    }
}

/// `price`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Price {
    /// The name.
    pub name: DomainName,
    /// The period (ms).
    pub duration_ms: u64,
    /// The fee, smallest units.
    pub price: Balance,
}

impl Render for Price {
    fn lines(&self) -> Lines {
        Lines::new()
            .with("name", &self.name)
            .with("duration_ms", self.duration_ms)
            .with("price", balance_text(self.price))
    }
}

/// One `watch` line per change: `#height name type [owner] [records]`.
pub fn change_lines(block: &DomainChangesJson) -> String {
    block
        .changes
        .iter()
        .map(|change| format!("#{} {}\n", block.block_height, change_text(change)))
        .collect()
}

fn change_text(change: &DomainChangeJson) -> String {
    let mut text = format!("{} {}", change.domain, change.change_type);
    if let Some(owner) = &change.new_owner {
        text.push_str(&format!(" {owner}"));
    }
    if let Some(records) = &change.new_records {
        let records: Vec<String> = records.iter().map(record_line).collect();
        text.push_str(&format!(" [{}]", records.join("; ")));
    }
    text
}

// ---------------------------------------------------------------------------------------------
// running

/// Runs a `domain` subcommand.
pub async fn run(endpoint: &Endpoint, command: DomainCommand, out: &Output) -> anyhow::Result<()> {
    match command {
        DomainCommand::Register(args) => register(endpoint, args, out).await,
        DomainCommand::Resolve { name, proof } => resolve(endpoint, &name, proof, out).await,
        DomainCommand::Renew { name, duration, tx } => {
            let signer = tx.validate()?;
            let name = parse_name(&name)?;
            let duration_ms = duration.to_ms()?;
            let deadline = Deadline::after(endpoint.timeout);
            let client = endpoint.connect().await?;
            let cost = price(&client, &name, duration_ms).await?;
            let call = DomainCall::Renew {
                name: name.clone(),
                duration_ms,
            };
            let tx = settle(
                submit_call(&client, &signer, RuntimeCall::Domains(call), deadline).await?,
                out,
            )?;
            let expires_at = expiry_after(&client, &name, &tx).await?;
            out.emit(&TxReport {
                details: Renewed {
                    name,
                    expires_at,
                    cost,
                },
                tx,
            })
        }
        DomainCommand::List { owner, limit } => list(endpoint, &owner, limit, out).await,
        DomainCommand::Available { name } => {
            let name = parse_name(&name)?;
            let client = endpoint.connect().await?;
            let a = client
                .available(name.to_string())
                .await
                .rpc_context(format_args!("checking {name} (domain_available)"))?;
            out.emit(&Availability {
                name,
                available: a.available,
                status: a.status,
                reason: a.reason,
            })
        }
        DomainCommand::Price { name, duration } => {
            let name = parse_name(&name)?;
            let duration_ms = duration.to_ms()?;
            let client = endpoint.connect().await?;
            let price = price(&client, &name, duration_ms).await?;
            out.emit(&Price {
                name,
                duration_ms,
                price,
            })
        }
        DomainCommand::PrimaryOf { address } => {
            let address = parse_address(&address)?;
            let client = endpoint.connect().await?;
            let name = client
                .primary_name(address.to_string())
                .await
                .rpc_context(format_args!(
                    "reading the primary name of {address} (domain_primaryName)"
                ))?;
            out.emit(&PrimarySet { address, name })
        }
        DomainCommand::Watch(args) => watch(endpoint, args, out).await,
        command @ (DomainCommand::SetRecord(_)
        | DomainCommand::RemoveRecord(_)
        | DomainCommand::Transfer { .. }
        | DomainCommand::Subname { .. }
        | DomainCommand::Primary { .. }
        | DomainCommand::Approve { .. }
        | DomainCommand::Operator { .. }
        | DomainCommand::UpdateKey { .. }
        | DomainCommand::ClearRecords { .. }
        | DomainCommand::SetAddr { .. }
        | DomainCommand::SetText { .. }
        | DomainCommand::SetContenthash { .. }
        | DomainCommand::SignedUpdate(_)) => {
            let (signer, change) = plan_change(command, now_ms())?;
            let (_, tx) = transact(endpoint, &signer, change.call(), out).await?;
            out.emit(&TxReport {
                details: change,
                tx,
            })
        }
    }
}

/// Checks the arguments of a single-call transaction (without a node): who signs the extrinsic,
/// and the change it makes. `now` (ms) is a signed update's timestamp.
pub fn plan_change(command: DomainCommand, now: u64) -> anyhow::Result<(Signer, Change)> {
    Ok(match command {
        DomainCommand::SetRecord(args) => {
            let signer = args.tx.validate()?;
            let name = parse_name(&args.name)?;
            let record = build_record(&args.rtype, &args.value, &args.placement)?;
            (signer, Change::RecordSet(RecordSet { name, record }))
        }
        DomainCommand::RemoveRecord(args) => {
            let signer = args.tx.validate()?;
            let name = parse_name(&args.name)?;
            let placement = RecordPlacement {
                label: args.label.clone(),
                ttl: None,
            };
            let record = build_record(&args.rtype, &args.value, &placement)?;
            let removed = RecordRemoved {
                name,
                label: record.label.clone(),
                rtype: record.data.rtype(),
                value: record.data.to_string(),
                record,
            };
            (signer, Change::RecordRemoved(removed))
        }
        DomainCommand::Transfer { name, to, tx } => {
            let signer = tx.validate()?;
            let name = parse_name(&name)?;
            let owner = parse_address(&to).map_err(|e| e.context("--to"))?;
            (signer, Change::Transferred(Transferred { name, owner }))
        }
        DomainCommand::Subname {
            parent,
            label,
            owner,
            lock,
            tx,
        } => {
            let signer = tx.validate()?;
            let parent = parse_name(&parent)?;
            let name = subname_of(&parent, &label)?;
            let owner = parse_address(&owner).map_err(|e| e.context("--owner"))?;
            let set = SubnameSet {
                name,
                parent,
                owner,
                locked: lock,
            };
            (signer, Change::Subname(set))
        }
        DomainCommand::Primary { name, clear, tx } => {
            let signer = tx.validate()?;
            let name = match (name, clear) {
                (Some(name), false) => Some(parse_name(&name)?),
                (None, true) => None,
                _ => anyhow::bail!("give either a NAME or --clear"),
            };
            let address = signer.pair.public();
            (signer, Change::Primary(PrimarySet { address, name }))
        }
        DomainCommand::Approve {
            name,
            account,
            clear,
            tx,
        } => {
            let signer = tx.validate()?;
            let name = parse_name(&name)?;
            let approved = match (account, clear) {
                (Some(account), false) => {
                    Some(parse_address(&account).map_err(|e| e.context("--account"))?)
                }
                (None, true) => None,
                _ => anyhow::bail!("give either --account or --clear"),
            };
            (signer, Change::Approval(ApprovalSet { name, approved }))
        }
        DomainCommand::Operator {
            operator,
            approve,
            revoke,
            tx,
        } => {
            let signer = tx.validate()?;
            let operator = parse_address(&operator)?;
            if approve == revoke {
                anyhow::bail!("give either --approve or --revoke");
            }
            let set = OperatorSet {
                owner: signer.pair.public(),
                operator,
                approved: approve,
            };
            (signer, Change::Operator(set))
        }
        DomainCommand::UpdateKey {
            name,
            key,
            suri,
            clear,
            tx,
        } => {
            let signer = tx.validate()?;
            let name = parse_name(&name)?;
            if usize::from(key.is_some()) + usize::from(suri.is_some()) + usize::from(clear) != 1 {
                anyhow::bail!("give one of --key, --suri or --clear");
            }
            let update_key = parse_update_key(key.as_deref(), suri.as_deref())?;
            (signer, Change::UpdateKey(UpdateKeySet { name, update_key }))
        }
        DomainCommand::ClearRecords { name, tx } => {
            let signer = tx.validate()?;
            let name = parse_name(&name)?;
            (signer, Change::RecordsCleared(RecordsCleared { name }))
        }
        DomainCommand::SetAddr {
            name,
            coin_type,
            address,
            clear,
            tx,
        } => {
            let signer = tx.validate()?;
            let name = parse_name(&name)?;
            let address = match (address, clear) {
                (Some(address), false) => Some(parse_record_bytes(&address, "address")?),
                (None, true) => None,
                _ => anyhow::bail!("give either an address or --clear"),
            };
            let set = AddressSet {
                name,
                coin_type,
                address,
            };
            (signer, Change::Address(set))
        }
        DomainCommand::SetText {
            name,
            key,
            value,
            clear,
            tx,
        } => {
            let signer = tx.validate()?;
            let name = parse_name(&name)?;
            if key.is_empty() {
                anyhow::bail!("the text key must not be empty");
            }
            if value.is_some() == clear {
                anyhow::bail!("give either a value or --clear");
            }
            (signer, Change::Text(TextSet { name, key, value }))
        }
        DomainCommand::SetContenthash {
            name,
            contenthash,
            clear,
            tx,
        } => {
            let signer = tx.validate()?;
            let name = parse_name(&name)?;
            let contenthash = match (contenthash, clear) {
                (Some(hash), false) => Some(parse_record_bytes(&hash, "content hash")?),
                (None, true) => None,
                _ => anyhow::bail!("give either a content hash or --clear"),
            };
            (
                signer,
                Change::Contenthash(ContenthashSet { name, contenthash }),
            )
        }
        DomainCommand::SignedUpdate(args) => {
            let relayer = args.relayer()?;
            let key = pair_from_suri(&args.signer).map_err(|e| e.context("--signer"))?;
            let name = parse_name(&args.name)?;
            let records = build_records(&args.records, &args.placement)?;
            let update = signed_update(&name, &args.contract_id, records, &key, now)?;
            let sent = SignedUpdateSent {
                name,
                signer: key.public(),
                relayer: relayer.pair.public(),
                timestamp: now,
                contract_id: args.contract_id,
                records: update.records.clone(),
                update,
            };
            (relayer, Change::SignedUpdate(sent))
        }
        DomainCommand::Register(_)
        | DomainCommand::Resolve { .. }
        | DomainCommand::Renew { .. }
        | DomainCommand::List { .. }
        | DomainCommand::Available { .. }
        | DomainCommand::Price { .. }
        | DomainCommand::PrimaryOf { .. }
        | DomainCommand::Watch(_) => {
            anyhow::bail!("not a single-call domain transaction: {command:?}")
        }
    })
}

/// Connects, submits `call` and settles it: the common path of the simple transactions.
async fn transact(
    endpoint: &Endpoint,
    signer: &Signer,
    call: DomainCall,
    out: &Output,
) -> anyhow::Result<(Client, TxInfo)> {
    let deadline = Deadline::after(endpoint.timeout);
    let client = endpoint.connect().await?;
    let submitted = submit_call(&client, signer, RuntimeCall::Domains(call), deadline).await?;
    let tx = settle(submitted, out)?;
    Ok((client, tx))
}

/// `domain_price`.
async fn price(client: &Client, name: &DomainName, duration_ms: u64) -> anyhow::Result<Balance> {
    client
        .price(name.to_string(), duration_ms)
        .await
        .rpc_context(format_args!("pricing {name} (domain_price)"))
}

/// The name's expiry after an included transaction (`None` when it was only submitted).
async fn expiry_after(
    client: &Client,
    name: &DomainName,
    tx: &TxInfo,
) -> anyhow::Result<Option<u64>> {
    if !tx.included() {
        return Ok(None);
    }
    let resolution = client
        .resolve(name.to_string(), tx.block_hash)
        .await
        .rpc_context(format_args!("reading {name} back (domain_resolve)"))?;
    Ok(resolution.map(|r| r.expires_at))
}

/// Runs `register`.
async fn register(endpoint: &Endpoint, args: RegisterArgs, out: &Output) -> anyhow::Result<()> {
    let signer = args.tx.validate()?;
    let name = parse_name(&args.name)?;
    let owner = match &args.owner {
        Some(owner) => parse_address(owner).map_err(|e| e.context("--owner"))?,
        None => signer.pair.public(),
    };
    let duration_ms = args.duration.to_ms()?;
    let records = build_records(&args.records, &args.placement)?;

    let mut deadline = Deadline::after(endpoint.timeout);
    let client = endpoint.connect().await?;
    let params = client
        .params()
        .await
        .rpc_context("reading the domain parameters (domain_params)")?;
    let min_age = param_u64(&params, "minCommitmentAgeMs")?;
    let cost = price(&client, &name, duration_ms).await?;

    let secret = if min_age == 0 {
        Hash::ZERO
    } else {
        // A commitment costs a transaction and a wait: refuse what would fail anyway first.
        check_registrable(&client, &name, duration_ms, &params).await?;
        deadline = deadline.extended(Duration::from_millis(min_age));
        let secret = random_secret()?;
        commit_and_mature(&client, &signer, &name, &owner, &secret, min_age, deadline).await?;
        secret
    };

    let call = DomainCall::Register {
        name: name.clone(),
        owner,
        duration_ms,
        secret,
        records,
    };
    let submitted = submit_call(&client, &signer, RuntimeCall::Domains(call), deadline).await?;
    let tx = settle(submitted, out)?;
    let expires_at = expiry_after(&client, &name, &tx).await?;
    out.emit(&TxReport {
        details: Registered {
            name,
            owner,
            expires_at,
            cost,
        },
        tx,
    })
}

/// Refuses a registration that the chain would refuse (name taken, duration out of bounds).
async fn check_registrable(
    client: &Client,
    name: &DomainName,
    duration_ms: u64,
    params: &serde_json::Value,
) -> anyhow::Result<()> {
    let availability = client
        .available(name.to_string())
        .await
        .rpc_context(format_args!("checking {name} (domain_available)"))?;
    if !availability.available {
        anyhow::bail!(
            "{name} is not available (status {}): {}",
            availability.status,
            availability.reason.as_deref().unwrap_or("refused")
        );
    }
    let (min, max) = (
        param_u64(params, "minRegistrationMs")?,
        param_u64(params, "maxRegistrationMs")?,
    );
    if duration_ms < min || duration_ms > max {
        anyhow::bail!(
            "the chain registers names for {min} to {max} ms; {duration_ms} ms is out of bounds"
        );
    }
    Ok(())
}

/// Commits to the registration, waits until the commit is in a block, then until it is
/// `min_age` ms old by the chain's clock (or the local one, see the module doc).
async fn commit_and_mature(
    client: &Client,
    signer: &Signer,
    name: &DomainName,
    owner: &AccountId,
    secret: &Hash,
    min_age: u64,
    deadline: Deadline,
) -> anyhow::Result<()> {
    let commitment = commitment_of(name, owner, secret);
    let commit_signer = Signer {
        wait: match signer.wait {
            Wait::Finalized => Wait::Finalized,
            Wait::None | Wait::InBlock => Wait::InBlock,
        },
        ..signer.clone()
    };
    let call = RuntimeCall::Domains(DomainCall::Commit { commitment });
    let report = match submit_call(client, &commit_signer, call, deadline)
        .await
        .context("committing to the registration")?
    {
        Submitted::Included(report) => report,
        Submitted::Pool(report) => anyhow::bail!(
            "commitment extrinsic {} was not followed into a block",
            report.extrinsic_hash
        ),
    };
    report
        .ensure_success()
        .context("committing to the registration")?;
    let committed_at = client
        .header(Some(report.block_hash))
        .await
        .rpc_context("fetching the commitment's block (chain_getHeader)")?
        .ok_or_else(|| anyhow::anyhow!("the node does not know block {}", report.block_hash))?
        .timestamp_ms;
    let ready_at = committed_at.saturating_add(min_age);
    eprintln!(
        "committed to {name} in block {}; registering once the commitment is {} ms old",
        report.block_number, min_age
    );
    loop {
        let best = client
            .header(None)
            .await
            .rpc_context("fetching the best header (chain_getHeader)")?
            .ok_or_else(|| anyhow::anyhow!("the node has no best header"))?;
        let Some(remaining) = commitment_wait(ready_at, best.timestamp_ms, now_ms()) else {
            return Ok(());
        };
        if Instant::now() >= deadline.at {
            anyhow::bail!(
                "the commitment to {name} did not become {min_age} ms old within {} s",
                deadline.limit.as_secs()
            );
        }
        tokio::time::sleep(remaining.min(COMMITMENT_POLL)).await;
    }
}

/// Runs `resolve [--proof]`.
async fn resolve(
    endpoint: &Endpoint,
    input: &str,
    proof: bool,
    out: &Output,
) -> anyhow::Result<()> {
    let name = parse_name(input)?;
    let client = endpoint.connect().await?;
    let not_registered = || anyhow::anyhow!("{name} is not registered");
    if !proof {
        let resolution = client
            .resolve(name.to_string(), None)
            .await
            .rpc_context(format_args!("resolving {name} (domain_resolve)"))?
            .ok_or_else(not_registered)?;
        return out.emit(&Resolved(resolution));
    }
    let answer = client
        .resolve_with_proof(name.to_string(), None)
        .await
        .rpc_context(format_args!("resolving {name} (domain_resolveWithProof)"))?;
    let header = client
        .header(Some(answer.at))
        .await
        .rpc_context(format_args!(
            "fetching the proof's block {} (chain_getHeader)",
            answer.at
        ))?
        .ok_or_else(|| anyhow::anyhow!("the node does not know block {}", answer.at))?;
    ghost_client::verify::verify_resolution(&name, &answer, header.state_root)
        .with_context(|| format!("verifying the proof of {name} at block {}", answer.at))?;
    if answer.resolution.is_none() {
        anyhow::bail!(
            "{name} is not registered (proven absent at block {}, state root {})",
            answer.at,
            answer.state_root
        );
    }
    out.emit(&VerifiedResolution(answer))
}

/// Runs `list`.
async fn list(
    endpoint: &Endpoint,
    owner: &str,
    limit: Option<u64>,
    out: &Output,
) -> anyhow::Result<()> {
    let owner = parse_address(owner).map_err(|e| e.context("--owner"))?;
    let limit = limit.map(|l| usize::try_from(l).unwrap_or(usize::MAX));
    let client = endpoint.connect().await?;
    let mut names = Vec::new();
    let mut cursor = None;
    loop {
        let page_size = match limit {
            Some(limit) => (limit - names.len()).min(LIST_PAGE),
            None => LIST_PAGE,
        };
        let page = client
            .list_by_owner(owner.to_string(), cursor, Some(page_size as u32))
            .await
            .rpc_context(format_args!(
                "listing the names of {owner} (domain_listByOwner)"
            ))?;
        let empty = page.names.is_empty();
        names.extend(page.names);
        let more = limit.is_none_or(|limit| names.len() < limit);
        match page.next {
            Some(next) if more && !empty && Some(next) != cursor => cursor = Some(next),
            _ => break,
        }
    }
    out.emit(&NameList { owner, names })
}

/// Runs `watch`.
async fn watch(endpoint: &Endpoint, args: WatchArgs, out: &Output) -> anyhow::Result<()> {
    let filter = ChangeFilter {
        domains: args
            .domains
            .iter()
            .map(|d| parse_name(d).map(|n| n.to_string()))
            .collect::<anyhow::Result<_>>()?,
        suffixes: args
            .suffixes
            .iter()
            .map(|s| parse_suffix(s))
            .collect::<anyhow::Result<_>>()?,
        change_types: args
            .types
            .iter()
            .map(|t| {
                t.to_possible_value()
                    .map(|v| v.get_name().to_string())
                    .unwrap_or_default()
            })
            .collect(),
        include_empty: false,
    };
    let client = endpoint.connect().await?;
    let mut subscription = client
        .subscribe_changes(args.from_height, Some(filter))
        .await
        .rpc_context("subscribing to name changes (domain_subscribeChanges)")?;
    let mut seen = 0u64;
    while args.count.is_none_or(|count| seen < count) {
        let next = tokio::select! {
            next = subscription.next() => next,
            _ = tokio::signal::ctrl_c() => break,
        };
        let block = match next {
            None => anyhow::bail!("the node ended the subscription"),
            Some(Err(e)) => anyhow::bail!("unreadable change notification: {e}"),
            Some(Ok(block)) => block,
        };
        let text = if out.is_json() {
            let mut line = serde_json::to_string(&block).context("serializing a notification")?;
            line.push('\n');
            line
        } else {
            change_lines(&block)
        };
        out.write(&text)?;
        seen += 1;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Cli, Command};
    use clap::Parser;

    fn domain(args: &[&str]) -> DomainCommand {
        let cli = Cli::try_parse_from(["ghost", "domain"].iter().chain(args)).unwrap();
        match cli.command {
            Command::Domain(command) => command,
            other => panic!("not a domain command: {other:?}"),
        }
    }

    fn parse_fails(args: &[&str]) -> bool {
        Cli::try_parse_from(["ghost", "domain"].iter().chain(args)).is_err()
    }

    #[test]
    fn register_arguments() {
        let DomainCommand::Register(args) = domain(&[
            "register",
            "Bücher.ghost",
            "--from",
            "//Alice",
            "--days",
            "30",
            "--record",
            "A=10.0.0.1",
            "--record",
            "MX=10 mail.example.com",
            "--label",
            "www",
            "--ttl",
            "60",
            "--wait",
            "finalized",
        ]) else {
            panic!("not register")
        };
        assert_eq!(args.name, "Bücher.ghost");
        assert_eq!(args.tx.from, "//Alice");
        assert_eq!(args.tx.wait, Wait::Finalized);
        assert_eq!(args.duration.to_ms().unwrap(), 30 * DAY_MS);
        assert_eq!(args.records, ["A=10.0.0.1", "MX=10 mail.example.com"]);
        assert_eq!(args.placement.label.as_deref(), Some("www"));
        assert_eq!(args.placement.ttl, Some(60));
        assert_eq!(args.owner, None);

        // Durations exclude each other and must be positive; --from is required.
        assert!(parse_fails(&[
            "register", "a.ghost", "--from", "//A", "--years", "1", "--days", "2"
        ]));
        assert!(parse_fails(&[
            "register",
            "a.ghost",
            "--from",
            "//A",
            "--seconds",
            "0"
        ]));
        assert!(parse_fails(&["register", "a.ghost"]));
    }

    #[test]
    fn record_commands_take_multi_word_values() {
        let DomainCommand::SetRecord(args) = domain(&[
            "set-record",
            "alice.ghost",
            "MX",
            "10",
            "mail.example.com",
            "--from",
            "//Alice",
            "--ttl",
            "120",
        ]) else {
            panic!("not set-record")
        };
        let record = build_record(&args.rtype, &args.value, &args.placement).unwrap();
        assert_eq!(record_line(&record), "@ 120 MX 10 mail.example.com");

        let DomainCommand::RemoveRecord(args) = domain(&[
            "remove-record",
            "alice.ghost",
            "a",
            "10.0.0.2",
            "--label",
            "WWW",
            "--from",
            "//Alice",
        ]) else {
            panic!("not remove-record")
        };
        assert_eq!(args.label.as_deref(), Some("WWW"));
        assert_eq!(args.value, ["10.0.0.2"]);
        assert!(parse_fails(&[
            "set-record",
            "alice.ghost",
            "A",
            "--from",
            "//Alice"
        ]));
    }

    #[test]
    fn other_commands_parse() {
        assert!(matches!(
            domain(&["resolve", "alice.ghost", "--proof"]),
            DomainCommand::Resolve { proof: true, .. }
        ));
        assert!(matches!(
            domain(&["transfer", "alice.ghost", "--to", "ghost1x", "--from", "//Alice"]),
            DomainCommand::Transfer { ref to, .. } if to == "ghost1x"
        ));
        let DomainCommand::Renew { duration, .. } =
            domain(&["renew", "a.ghost", "--from", "//A", "--seconds", "5"])
        else {
            panic!("not renew")
        };
        assert_eq!(duration.to_ms().unwrap(), 5_000);
        assert!(matches!(
            domain(&["list", "--owner", "ghost1x", "--limit", "3"]),
            DomainCommand::List { limit: Some(3), .. }
        ));
        assert!(parse_fails(&["list", "--owner", "ghost1x", "--limit", "0"]));
        let DomainCommand::Price { duration, .. } = domain(&["price", "a.ghost"]) else {
            panic!("not price")
        };
        assert_eq!(duration.to_ms().unwrap(), YEAR_MS);
        assert!(matches!(
            domain(&[
                "subname",
                "alice.ghost",
                "www",
                "--owner",
                "ghost1x",
                "--from",
                "//A",
                "--lock"
            ]),
            DomainCommand::Subname { lock: true, .. }
        ));
        assert!(matches!(
            domain(&["primary", "alice.ghost", "--from", "//A"]),
            DomainCommand::Primary { .. }
        ));
        let DomainCommand::Watch(args) = domain(&[
            "watch",
            "--from-height",
            "0",
            "--domain",
            "a.ghost",
            "--domain",
            "b.ghost",
            "--suffix",
            "bc",
            "--type",
            "expired",
            "--count",
            "4",
            "--json",
        ]) else {
            panic!("not watch")
        };
        assert_eq!(args.from_height, Some(0));
        assert_eq!(args.domains, ["a.ghost", "b.ghost"]);
        assert_eq!(args.suffixes, ["bc"]);
        assert_eq!(args.types, [ChangeKind::Expired]);
        assert_eq!(args.count, Some(4));
    }

    /// The signer and call `ghost domain ARGS…` submits, planned at `now`.
    fn planned(args: &[&str], now: u64) -> (AccountId, DomainCall, Change) {
        let (signer, change) = plan_change(domain(args), now).unwrap();
        (signer.pair.public(), change.call(), change)
    }

    fn name(text: &str) -> DomainName {
        parse_name(text).unwrap()
    }

    fn dev(who: &str) -> AccountId {
        Pair::dev(who).public()
    }

    #[test]
    fn management_commands_parse() {
        let bob = dev("Bob").to_string();
        // Each needs exactly one of its alternatives.
        for (good, bad) in [
            (
                vec!["approve", "a.ghost", "--account", &bob, "--from", "//A"],
                vec!["approve", "a.ghost", "--from", "//A"],
            ),
            (
                vec!["approve", "a.ghost", "--clear", "--from", "//A"],
                vec![
                    "approve",
                    "a.ghost",
                    "--account",
                    &bob,
                    "--clear",
                    "--from",
                    "//A",
                ],
            ),
            (
                vec!["operator", &bob, "--approve", "--from", "//A"],
                vec!["operator", &bob, "--from", "//A"],
            ),
            (
                vec!["operator", &bob, "--revoke", "--from", "//A"],
                vec!["operator", &bob, "--approve", "--revoke", "--from", "//A"],
            ),
            (
                vec!["primary", "--clear", "--from", "//A"],
                vec!["primary", "a.ghost", "--clear", "--from", "//A"],
            ),
            (
                vec!["primary", "a.ghost", "--from", "//A"],
                vec!["primary", "--from", "//A"],
            ),
            (
                vec!["update-key", "a.ghost", "--suri", "//K", "--from", "//A"],
                vec!["update-key", "a.ghost", "--from", "//A"],
            ),
            (
                vec!["update-key", "a.ghost", "--clear", "--from", "//A"],
                vec![
                    "update-key",
                    "a.ghost",
                    "--key",
                    "0x00",
                    "--suri",
                    "//K",
                    "--from",
                    "//A",
                ],
            ),
            (
                vec!["set-addr", "a.ghost", "60", "0x01", "--from", "//A"],
                vec![
                    "set-addr", "a.ghost", "60", "0x01", "--clear", "--from", "//A",
                ],
            ),
            (
                vec!["set-addr", "a.ghost", "60", "--clear", "--from", "//A"],
                vec!["set-addr", "a.ghost", "-1", "--clear", "--from", "//A"],
            ),
            (
                vec!["set-text", "a.ghost", "url", "--clear", "--from", "//A"],
                vec!["set-text", "a.ghost", "url", "--from", "//A"],
            ),
            (
                vec!["set-contenthash", "a.ghost", "0xe301", "--from", "//A"],
                vec!["set-contenthash", "a.ghost", "--from", "//A"],
            ),
            (
                vec!["clear-records", "a.ghost", "--from", "//A"],
                vec!["clear-records", "a.ghost"],
            ),
            (
                vec![
                    "signed-update",
                    "a.ghost",
                    "--signer",
                    "//K",
                    "--relayer",
                    "//R",
                ],
                vec![
                    "signed-update",
                    "a.ghost",
                    "--signer",
                    "//K",
                    "--from",
                    "//R",
                ],
            ),
            (vec!["primary-of", &bob], vec!["primary-of"]),
        ] {
            assert!(
                Cli::try_parse_from(["ghost", "domain"].iter().chain(&good)).is_ok(),
                "{good:?}"
            );
            assert!(parse_fails(&bad), "{bad:?}");
        }

        let DomainCommand::SignedUpdate(args) = domain(&[
            "signed-update",
            "a.ghost",
            "--signer",
            "//K",
            "--relayer",
            "//R",
            "--record",
            "A=10.0.0.1",
            "--record",
            "TXT=hi there",
            "--label",
            "www",
            "--ttl",
            "60",
            "--contract-id",
            "agent-7",
            "--tip",
            "1",
            "--wait",
            "none",
        ]) else {
            panic!("not signed-update")
        };
        assert_eq!(
            (args.signer.as_str(), args.relayer.as_str()),
            ("//K", "//R")
        );
        assert_eq!(args.records, ["A=10.0.0.1", "TXT=hi there"]);
        assert_eq!(args.placement.ttl, Some(60));
        assert_eq!(args.contract_id, "agent-7");
        assert_eq!((args.tip.as_str(), args.wait), ("1", Wait::None));

        // A text value may start with a hyphen; --clear is still the flag.
        let DomainCommand::SetText { value, clear, .. } =
            domain(&["set-text", "a.ghost", "note", "-5", "--from", "//A"])
        else {
            panic!("not set-text")
        };
        assert_eq!((value.as_deref(), clear), (Some("-5"), false));
        let DomainCommand::SetText { value, clear, .. } =
            domain(&["set-text", "a.ghost", "note", "--clear", "--from", "//A"])
        else {
            panic!("not set-text")
        };
        assert_eq!((value, clear), (None, true));
    }

    #[test]
    fn management_calls() {
        let alice = dev("Alice");
        let bob = dev("Bob").to_string();
        let a = name("alice.ghost");

        assert_eq!(
            planned(
                &[
                    "approve",
                    "Alice.ghost",
                    "--account",
                    &bob,
                    "--from",
                    "//Alice"
                ],
                0
            ),
            (
                alice,
                DomainCall::Approve {
                    name: a.clone(),
                    account: Some(dev("Bob"))
                },
                Change::Approval(ApprovalSet {
                    name: a.clone(),
                    approved: Some(dev("Bob"))
                })
            )
        );
        let (_, call, _) = planned(&["approve", "alice.ghost", "--clear", "--from", "//A"], 0);
        assert_eq!(
            call,
            DomainCall::Approve {
                name: a.clone(),
                account: None
            }
        );

        for (flag, approved) in [("--approve", true), ("--revoke", false)] {
            let (signer, call, change) = planned(&["operator", &bob, flag, "--from", "//Alice"], 0);
            assert_eq!(signer, alice);
            assert_eq!(
                call,
                DomainCall::SetOperator {
                    operator: dev("Bob"),
                    approved
                }
            );
            let Change::Operator(set) = change else {
                panic!("not an operator change")
            };
            assert_eq!((set.owner, set.approved), (alice, approved));
        }

        let (_, call, change) = planned(&["primary", "alice.ghost", "--from", "//Alice"], 0);
        assert_eq!(
            call,
            DomainCall::SetPrimaryName {
                name: Some(a.clone())
            }
        );
        assert_eq!(
            change,
            Change::Primary(PrimarySet {
                address: alice,
                name: Some(a.clone())
            })
        );
        let (_, call, _) = planned(&["primary", "--clear", "--from", "//Alice"], 0);
        assert_eq!(call, DomainCall::SetPrimaryName { name: None });

        let key = dev("Key");
        for source in [
            vec!["--key", &key.to_hex()],
            vec!["--key", &key.to_string()],
            vec!["--suri", "//Key"],
        ] {
            let mut args = vec!["update-key", "alice.ghost", "--from", "//Alice"];
            args.extend(source);
            let (_, call, _) = planned(&args, 0);
            assert_eq!(
                call,
                DomainCall::SetUpdateKey {
                    name: a.clone(),
                    key: Some(key)
                },
                "{args:?}"
            );
        }
        let (_, call, _) = planned(
            &["update-key", "alice.ghost", "--clear", "--from", "//Alice"],
            0,
        );
        assert_eq!(
            call,
            DomainCall::SetUpdateKey {
                name: a.clone(),
                key: None
            }
        );

        let (_, call, _) = planned(&["clear-records", "alice.ghost", "--from", "//A"], 0);
        assert_eq!(call, DomainCall::ClearRecords { name: a.clone() });

        let web3 = |change: RecordChange| DomainCall::SetRecords {
            name: a.clone(),
            changes: vec![change],
        };
        let cases: [(&[&str], RecordChange); 6] = [
            (
                &["set-addr", "alice.ghost", "60", "0xD8dA6B"],
                RecordChange::SetAddress {
                    coin_type: 60,
                    address: Some(Bytes(vec![0xd8, 0xda, 0x6b])),
                },
            ),
            (
                &["set-addr", "alice.ghost", "0", "--clear"],
                RecordChange::SetAddress {
                    coin_type: 0,
                    address: None,
                },
            ),
            (
                &["set-text", "alice.ghost", "url", "https://alice.example"],
                RecordChange::SetText {
                    key: "url".into(),
                    value: Some("https://alice.example".into()),
                },
            ),
            (
                &["set-text", "alice.ghost", "url", "--clear"],
                RecordChange::SetText {
                    key: "url".into(),
                    value: None,
                },
            ),
            (
                &["set-contenthash", "alice.ghost", "0xe30101"],
                RecordChange::SetContenthash(Some(Bytes(vec![0xe3, 1, 1]))),
            ),
            (
                &["set-contenthash", "alice.ghost", "--clear"],
                RecordChange::SetContenthash(None),
            ),
        ];
        for (args, change) in cases {
            let mut args = args.to_vec();
            args.extend(["--from", "//A"]);
            assert_eq!(planned(&args, 0).1, web3(change), "{args:?}");
        }

        // The commands that existed before build the same calls as before.
        let (_, call, _) = planned(
            &["transfer", "alice.ghost", "--to", &bob, "--from", "//A"],
            0,
        );
        assert_eq!(
            call,
            DomainCall::Transfer {
                name: a.clone(),
                new_owner: dev("Bob")
            }
        );
        let (_, call, _) = planned(
            &[
                "subname",
                "alice.ghost",
                "WWW",
                "--owner",
                &bob,
                "--from",
                "//A",
                "--lock",
            ],
            0,
        );
        assert_eq!(
            call,
            DomainCall::SetSubnameOwner {
                parent: a.clone(),
                label: "www".into(),
                owner: dev("Bob"),
                lock: true
            }
        );
        let (_, call, _) = planned(
            &[
                "set-record",
                "alice.ghost",
                "A",
                "10.0.0.1",
                "--from",
                "//A",
            ],
            0,
        );
        let record = build_record("A", &["10.0.0.1".into()], &RecordPlacement::default()).unwrap();
        assert_eq!(
            call,
            DomainCall::SetRecord {
                name: a.clone(),
                record: record.clone()
            }
        );
        let (_, call, _) = planned(
            &[
                "remove-record",
                "alice.ghost",
                "A",
                "10.0.0.1",
                "--from",
                "//A",
            ],
            0,
        );
        assert_eq!(
            call,
            DomainCall::SetRecords {
                name: a,
                changes: vec![RecordChange::Remove(record)]
            }
        );
    }

    #[test]
    fn signed_update_is_signed_by_the_signer_and_paid_by_the_relayer() {
        let now = 1_700_000_000_000;
        let (relayer, call, change) = planned(
            &[
                "signed-update",
                "Alice.ghost",
                "--signer",
                "//Key",
                "--relayer",
                "//Bob",
                "--record",
                "A=10.0.0.9",
                "--ttl",
                "60",
                "--contract-id",
                "agent",
            ],
            now,
        );
        assert_eq!(relayer, dev("Bob"));
        let DomainCall::SetRecordsSigned { update } = call else {
            panic!("not a signed update: {call:?}")
        };
        assert_eq!(update.domain, name("alice.ghost"));
        assert_eq!(update.owner_address, dev("Key"));
        assert_eq!(update.timestamp, now);
        assert_eq!(update.contract_id, Bytes(b"agent".to_vec()));
        assert_eq!(
            update.records.iter().map(record_line).collect::<Vec<_>>(),
            ["@ 60 A 10.0.0.9"]
        );
        // The pallet's own check: the canonical payload, signed by the signer.
        assert!(update.signature_is_valid());
        let mut forged = update.clone();
        forged.timestamp += 1;
        assert!(!forged.signature_is_valid());

        let json: serde_json::Value =
            serde_json::from_str(&Output::buffer(true).render(&change).unwrap()).unwrap();
        assert_eq!(json["signer"], dev("Key").to_string());
        assert_eq!(json["relayer"], dev("Bob").to_string());
        assert_eq!(json["timestamp"], now);
        assert_eq!(json["contract_id"], "agent");
        assert_eq!(json["records"][0]["value"], "10.0.0.9");
        let text = Output::buffer(false).render(&change).unwrap();
        assert!(text.contains("record: @ 60 A 10.0.0.9\n"), "{text}");

        // No records: every DNS record goes.
        let (_, call, change) = planned(
            &[
                "signed-update",
                "alice.ghost",
                "--signer",
                "//Key",
                "--relayer",
                "//Bob",
            ],
            now,
        );
        assert!(
            matches!(call, DomainCall::SetRecordsSigned { ref update } if update.records.is_empty())
        );
        assert!(
            Output::buffer(false)
                .render(&change)
                .unwrap()
                .contains("records: (none)\n")
        );
    }

    #[test]
    fn management_reports() {
        let render = |change: Change| {
            (
                Output::buffer(false).render(&change).unwrap(),
                serde_json::from_str::<serde_json::Value>(
                    &Output::buffer(true).render(&change).unwrap(),
                )
                .unwrap(),
            )
        };
        let a = name("alice.ghost");
        let (text, json) = render(Change::Address(AddressSet {
            name: a.clone(),
            coin_type: 60,
            address: Some(Bytes(vec![0xab, 0xcd])),
        }));
        assert_eq!(text, "name: alice.ghost\naddress[60]: 0xabcd\n");
        assert_eq!(
            json,
            serde_json::json!({"name": "alice.ghost", "coin_type": 60, "address": "0xabcd"})
        );
        let (text, json) = render(Change::Text(TextSet {
            name: a.clone(),
            key: "url".into(),
            value: None,
        }));
        assert_eq!(text, "name: alice.ghost\ntext[url]: (none)\n");
        assert_eq!(
            json,
            serde_json::json!({"name": "alice.ghost", "key": "url", "value": null})
        );
        let (text, json) = render(Change::Primary(PrimarySet {
            address: dev("Alice"),
            name: None,
        }));
        assert_eq!(text, format!("address: {}\nname: (none)\n", dev("Alice")));
        assert_eq!(json["name"], serde_json::Value::Null);
        let (text, _) = render(Change::UpdateKey(UpdateKeySet {
            name: a.clone(),
            update_key: Some(dev("Key")),
        }));
        assert!(text.ends_with(&format!(
            "update_key: {} ({})\n",
            dev("Key"),
            dev("Key").to_hex()
        )));
        let (_, json) = render(Change::RecordRemoved(RecordRemoved {
            name: a.clone(),
            label: RecordLabel::apex(),
            rtype: RecordType::A,
            value: "10.0.0.1".into(),
            record: build_record("A", &["10.0.0.1".into()], &RecordPlacement::default()).unwrap(),
        }));
        assert_eq!(
            json,
            serde_json::json!({"name": "alice.ghost", "label": "@", "type": "A", "value": "10.0.0.1"})
        );

        // After inclusion: the change's fields, then the block's.
        let report = TxReport {
            details: Change::RecordsCleared(RecordsCleared { name: a }),
            tx: TxInfo {
                block_number: Some(3),
                block_hash: Some(Hash([2; 32])),
                extrinsic_hash: Hash([1; 32]),
            },
        };
        let json: serde_json::Value =
            serde_json::from_str(&Output::buffer(true).render(&report).unwrap()).unwrap();
        assert_eq!(json["name"], "alice.ghost");
        assert_eq!(json["block_number"], 3);
        let text = Output::buffer(false).render(&report).unwrap();
        assert!(text.starts_with("name: alice.ghost\nrecords: cleared\nblock_number: 3\n"));
    }

    #[test]
    fn value_parsers() {
        assert_eq!(
            parse_record_bytes("0x0102", "address").unwrap(),
            Bytes(vec![1, 2])
        );
        for bad in ["0102", "0x0", "0xzz", "0x"] {
            let message = parse_record_bytes(bad, "address").unwrap_err().to_string();
            assert!(
                message.starts_with(&format!("invalid address `{bad}`")),
                "{message}"
            );
        }
        assert_eq!(parse_update_key(None, None).unwrap(), None);
        assert!(
            parse_update_key(Some("0x1234"), None)
                .unwrap_err()
                .to_string()
                .starts_with("--key: invalid public key `0x1234`")
        );
        assert!(
            format!("{:#}", parse_update_key(None, Some("Key")).unwrap_err())
                .starts_with("--suri: invalid secret URI")
        );
        let long = "x".repeat(MAX_CONTRACT_ID_LEN + 1);
        let message = signed_update(&name("a.ghost"), &long, vec![], &Pair::dev("K"), 1)
            .unwrap_err()
            .to_string();
        assert!(
            message.starts_with("--contract-id: at most 64 bytes"),
            "{message}"
        );
        let exact = "x".repeat(MAX_CONTRACT_ID_LEN);
        assert!(signed_update(&name("a.ghost"), &exact, vec![], &Pair::dev("K"), 1).is_ok());
    }

    #[test]
    fn durations_in_ms() {
        let d = |years, days, seconds| DurationArgs {
            years,
            days,
            seconds,
        };
        assert_eq!(d(None, None, None).to_ms().unwrap(), YEAR_MS);
        assert_eq!(d(Some(2), None, None).to_ms().unwrap(), 2 * 365 * DAY_MS);
        assert_eq!(d(None, Some(28), None).to_ms().unwrap(), 28 * 86_400_000);
        assert_eq!(d(None, None, Some(3)).to_ms().unwrap(), 3_000);
        let message = d(Some(u64::MAX / 1_000), None, None)
            .to_ms()
            .unwrap_err()
            .to_string();
        assert!(message.starts_with("--years "), "{message}");
        assert!(d(None, None, Some(u64::MAX)).to_ms().is_err());
    }

    #[test]
    fn records_from_assignments() {
        let default = RecordPlacement::default();
        let records =
            build_records(&["A=10.0.0.1".into(), "TXT=v=spf1 -all".into()], &default).unwrap();
        assert_eq!(
            records.iter().map(record_line).collect::<Vec<_>>(),
            ["@ 300 A 10.0.0.1", "@ 300 TXT v=spf1 -all"]
        );
        let placed = RecordPlacement {
            label: Some("_sip._tcp".into()),
            ttl: Some(60),
        };
        let records = build_records(&["SRV=10 5 5060 sip.example.com".into()], &placed).unwrap();
        assert_eq!(records[0].label.as_str(), "_sip._tcp");
        assert_eq!(records[0].ttl, 60);
        assert!(build_records(&[], &placed).unwrap().is_empty());

        let message = build_records(&["A=10.0.0.256".into()], &default)
            .unwrap_err()
            .to_string();
        assert!(
            message.starts_with("--record `A=10.0.0.256`: "),
            "{message}"
        );
        assert!(build_records(&["A".into()], &default).is_err());
        let bad_label = RecordPlacement {
            label: Some("bad label".into()),
            ttl: None,
        };
        let message = build_records(&["A=10.0.0.1".into()], &bad_label)
            .unwrap_err()
            .to_string();
        assert!(message.starts_with("--label: "), "{message}");

        assert!(build_record("BOGUS", &["1".into()], &default).is_err());
        assert!(build_record("AAAA", &["10.0.0.1".into()], &default).is_err());
        let record = build_record("cname", &["Target.Example.com.".into()], &default).unwrap();
        assert_eq!(record_line(&record), "@ 300 CNAME target.example.com");
    }

    #[test]
    fn iso_dates() {
        for (ms, text) in [
            (0, "1970-01-01T00:00:00Z"),
            (1_700_000_000_000, "2023-11-14T22:13:20Z"),
            (1_700_000_000_123, "2023-11-14T22:13:20.123Z"),
            (951_782_400_000, "2000-02-29T00:00:00Z"),
            (1_709_164_800_000, "2024-02-29T00:00:00Z"),
            (1_719_791_999_999, "2024-06-30T23:59:59.999Z"),
            (4_102_444_800_000, "2100-01-01T00:00:00Z"),
            (253_402_300_799_000, "9999-12-31T23:59:59Z"),
        ] {
            assert_eq!(iso8601(ms), text, "{ms}");
        }
        // Far beyond year 9999: still a date, no panic.
        assert!(iso8601(u64::MAX).ends_with(".615Z"));
    }

    #[test]
    fn names_are_normalized() {
        assert_eq!(
            parse_name("Bücher.ghost").unwrap().as_str(),
            "xn--bcher-kva.ghost"
        );
        assert_eq!(parse_name("Alice.Ghost.").unwrap().as_str(), "alice.ghost");
        assert!(
            parse_name("alice")
                .unwrap_err()
                .to_string()
                .starts_with("invalid name `alice`: ")
        );
        let parent = parse_name("alice.ghost").unwrap();
        assert_eq!(
            subname_of(&parent, "WWW").unwrap().as_str(),
            "www.alice.ghost"
        );
        assert_eq!(
            subname_of(&parent, "Bücher").unwrap().as_str(),
            "xn--bcher-kva.alice.ghost"
        );
        assert!(subname_of(&parent, "a.b").is_err());
        assert!(subname_of(&parent, "").is_err());
        assert_eq!(parse_suffix(".Ghost").unwrap(), "ghost");
        assert_eq!(parse_suffix("Bücher.ghost").unwrap(), "xn--bcher-kva.ghost");
        assert!(parse_suffix("bad_suffix").is_err());
    }

    #[test]
    fn commitment_matches_the_pallet() {
        let name = parse_name("alice.ghost").unwrap();
        let owner = Pair::dev("Alice").public();
        let secret = Hash([9; 32]);
        assert_eq!(
            commitment_of(&name, &owner, &secret),
            ghost_runtime::Domains::commitment_of(&name, &owner, &secret)
        );
        assert_ne!(random_secret().unwrap(), random_secret().unwrap());
    }

    #[test]
    fn commitment_waits_for_either_clock() {
        assert_eq!(
            commitment_wait(10_000, 4_000, 7_000),
            Some(Duration::from_millis(3_000))
        );
        assert_eq!(commitment_wait(10_000, 10_000, 0), None);
        assert_eq!(commitment_wait(10_000, 0, 10_001), None);
    }

    #[test]
    fn register_report_json_has_the_documented_keys() {
        let report = TxReport {
            details: Registered {
                name: parse_name("alice.ghost").unwrap(),
                owner: Pair::dev("Alice").public(),
                expires_at: Some(1_700_000_000_000),
                cost: 5_000_000_000_000,
            },
            tx: TxInfo {
                block_number: Some(3),
                block_hash: Some(Hash([2; 32])),
                extrinsic_hash: Hash([1; 32]),
            },
        };
        let json: serde_json::Value =
            serde_json::from_str(&Output::buffer(true).render(&report).unwrap()).unwrap();
        let mut keys: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "block_hash",
                "block_number",
                "cost",
                "expires_at",
                "extrinsic_hash",
                "name",
                "owner"
            ]
        );
        assert_eq!(json["cost"], 5_000_000_000_000u64);
        let text = Output::buffer(false).render(&report).unwrap();
        assert!(
            text.contains("expires: 2023-11-14T22:13:20Z (1700000000000)\n"),
            "{text}"
        );
        assert!(text.contains("cost: 5000000000000 (5.000000000000 GHOST)\n"));
        assert!(text.ends_with(&format!("extrinsic_hash: {}\n", Hash([1; 32]))));
    }

    fn resolution(records: Vec<DnsRecord>) -> ResolutionJson {
        let name = parse_name("alice.ghost").unwrap();
        ResolutionJson {
            namehash: name.namehash(),
            name,
            owner: Pair::dev("Alice").public(),
            records,
            web3: Default::default(),
            expires_at: 1_700_000_000_000,
            created_at: 0,
            status: "active".into(),
            parent: None,
        }
    }

    #[test]
    fn resolution_lines_list_records() {
        let records = build_records(&["A=10.0.0.1".into()], &RecordPlacement::default()).unwrap();
        let r = resolution(records);
        let text = Output::buffer(false).render(&Resolved(r.clone())).unwrap();
        assert_eq!(
            text,
            format!(
                "name: alice.ghost\nowner: {}\nstatus: active\n\
                 expires: 2023-11-14T22:13:20Z (1700000000000)\n\
                 created: 1970-01-01T00:00:00Z (0)\nrecord: @ 300 A 10.0.0.1\n",
                r.owner
            )
        );
        let json: serde_json::Value =
            serde_json::from_str(&Output::buffer(true).render(&Resolved(r.clone())).unwrap())
                .unwrap();
        assert_eq!(json, serde_json::to_value(&r).unwrap());
    }

    #[test]
    fn resolution_lines_list_web3_records() {
        let mut r = resolution(vec![]);
        r.web3.addresses.insert(60, Bytes(vec![0xd8, 0xda]));
        r.web3.addresses.insert(0, Bytes(vec![0x00, 0x14]));
        r.web3
            .texts
            .insert("url".into(), "https://alice.example".into());
        r.web3.texts.insert("avatar".into(), "ipfs://x".into());
        r.web3.contenthash = Some(Bytes(vec![0xe3, 0x01]));
        let text = Output::buffer(false).render(&Resolved(r)).unwrap();
        assert!(
            text.ends_with(
                "address[0]: 0x0014\naddress[60]: 0xd8da\ntext[avatar]: ipfs://x\n\
                 text[url]: https://alice.example\ncontenthash: 0xe301\n"
            ),
            "{text}"
        );
    }

    #[test]
    fn watch_lines() {
        let block = DomainChangesJson {
            block_height: 7,
            block_hash: Hash([1; 32]),
            changes: vec![
                DomainChangeJson {
                    domain: parse_name("alice.ghost").unwrap(),
                    change_type: "created".into(),
                    new_owner: Some(Pair::dev("Alice").public()),
                    new_records: None,
                    extrinsic_index: Some(1),
                },
                DomainChangeJson {
                    domain: parse_name("alice.ghost").unwrap(),
                    change_type: "updated".into(),
                    new_owner: None,
                    new_records: Some(
                        build_records(
                            &["A=10.0.0.1".into(), "A=10.0.0.2".into()],
                            &RecordPlacement::default(),
                        )
                        .unwrap(),
                    ),
                    extrinsic_index: Some(1),
                },
                DomainChangeJson {
                    domain: parse_name("short.ghost").unwrap(),
                    change_type: "expired".into(),
                    new_owner: None,
                    new_records: None,
                    extrinsic_index: None,
                },
            ],
        };
        assert_eq!(
            change_lines(&block),
            format!(
                "#7 alice.ghost created {}\n\
                 #7 alice.ghost updated [@ 300 A 10.0.0.1; @ 300 A 10.0.0.2]\n\
                 #7 short.ghost expired\n",
                Pair::dev("Alice").public()
            )
        );
    }

    #[tokio::test]
    async fn bad_input_fails_without_connecting() {
        // Nothing listens on port 1: each error must come from the arguments.
        let endpoint = Endpoint {
            url: "ws://127.0.0.1:1".into(),
            timeout: Duration::from_secs(1),
        };
        for (args, expected) in [
            (
                vec![
                    "register",
                    "alice.ghost",
                    "--from",
                    "//Alice",
                    "--record",
                    "A=x",
                ],
                "--record `A=x`",
            ),
            (
                vec!["register", "alice", "--from", "//Alice"],
                "invalid name `alice`",
            ),
            (
                vec!["register", "alice.ghost", "--from", "Alice"],
                "--from: invalid secret URI",
            ),
            (
                vec![
                    "transfer",
                    "alice.ghost",
                    "--to",
                    "nope",
                    "--from",
                    "//Alice",
                ],
                "--to: invalid address `nope`",
            ),
            (
                vec![
                    "set-record",
                    "alice.ghost",
                    "A",
                    "1.2.3",
                    "--from",
                    "//Alice",
                ],
                "invalid A value",
            ),
            (vec!["list", "--owner", "nope"], "--owner: invalid address"),
            (vec!["primary-of", "nope"], "invalid address `nope`"),
            (
                vec!["approve", "a.ghost", "--account", "nope", "--from", "//A"],
                "--account: invalid address `nope`",
            ),
            (
                vec!["operator", "nope", "--approve", "--from", "//A"],
                "invalid address `nope`",
            ),
            (
                vec!["update-key", "a.ghost", "--key", "0x12", "--from", "//A"],
                "--key: invalid public key",
            ),
            (
                vec!["update-key", "a.ghost", "--suri", "K", "--from", "//A"],
                "--suri: invalid secret URI",
            ),
            (
                vec!["set-addr", "a.ghost", "60", "abcd", "--from", "//A"],
                "invalid address `abcd`",
            ),
            (
                vec!["set-contenthash", "a.ghost", "0x", "--from", "//A"],
                "invalid content hash `0x`",
            ),
            (
                vec!["set-text", "a.ghost", "", "v", "--from", "//A"],
                "the text key must not be empty",
            ),
            (
                vec!["clear-records", "a", "--from", "//A"],
                "invalid name `a`",
            ),
            (
                vec![
                    "signed-update",
                    "a.ghost",
                    "--signer",
                    "K",
                    "--relayer",
                    "//R",
                ],
                "--signer: invalid secret URI",
            ),
            (
                vec![
                    "signed-update",
                    "a.ghost",
                    "--signer",
                    "//K",
                    "--relayer",
                    "R",
                ],
                "--relayer: invalid secret URI",
            ),
            (
                vec![
                    "signed-update",
                    "a.ghost",
                    "--signer",
                    "//K",
                    "--relayer",
                    "//R",
                    "--record",
                    "A=1",
                ],
                "--record `A=1`",
            ),
            (vec!["watch", "--suffix", "a b"], "invalid suffix"),
        ] {
            let error = run(&endpoint, domain(&args), &Output::buffer(false))
                .await
                .unwrap_err();
            let message = format!("{error:#}");
            assert!(message.starts_with(expected), "{args:?}: {message}");
        }
    }
}
