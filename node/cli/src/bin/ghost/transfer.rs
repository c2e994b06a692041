//! `ghost transfer`: build, sign, submit and follow a `Balances.Transfer` — and the signing and
//! submission every transaction command shares ([`TxArgs`], [`submit_call`]).
//!
//! 1. Parse everything locally (secret URI, address, amounts, mortality) before connecting.
//! 2. Ask the node for the genesis hash, the runtime version (refusing to sign for any
//!    `spec_version` but [`ghost_runtime::SPEC_VERSION`], since the signature covers it), the
//!    sender's next nonce (`system_accountNextIndex`, counting the pool) and, for `--mortal`,
//!    the best header as the era's birth block.
//! 3. Sign with [`ghost_runtime::sign_extrinsic`].
//! 4. `--wait none`: `author_submitExtrinsic`, print the hash. Otherwise
//!    `author_submitAndWatchExtrinsic` and follow the notifications until `inBlock` (or
//!    `finalized`), then read the block number and the dispatch outcome
//!    (`author_extrinsicStatus`). `invalid`, `dropped`, `usurped` and `finalityTimeout` end the
//!    command with an error; so does an included extrinsic whose call failed (after printing the
//!    report), so scripts can rely on the exit code.
//!
//! Waiting is bounded by `--timeout`, counted from the start of the command ([`Deadline`]).

use std::fmt;

use clap::{Args, ValueEnum};
use ghost_primitives::{AccountId, Balance, Bytes, Hash, Pair, RuntimeVersion};
use ghost_rpc::{
    AuthorApiClient, ChainApiClient, ExtrinsicStatusJson, StateApiClient, SystemApiClient,
};
use ghost_runtime::{RuntimeCall, UncheckedExtrinsic};
use jsonrpsee::core::client::Subscription;
use parity_scale_codec::Encode;
use serde::Serialize;
use serde_json::Value;
use tokio::time::{Duration, Instant};

use crate::amount::parse_amount;
use crate::keys::pair_from_suri;
use crate::output::{Lines, Output, Render};
use crate::query::{genesis_hash, parse_address};
use crate::rpc::{Client, Endpoint, RpcContext};

/// How long to wait after submitting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Wait {
    /// Return the hash as soon as the pool accepted the extrinsic.
    None,
    /// Wait until it is in a block of the best chain.
    #[value(name = "inblock")]
    InBlock,
    /// Wait until that block is finalized.
    Finalized,
}

impl fmt::Display for Wait {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Wait::None => "submitted",
            Wait::InBlock => "in a block",
            Wait::Finalized => "finalized",
        })
    }
}

/// The signer and submission options every transaction command takes.
#[derive(Debug, Clone, Args)]
pub struct TxArgs {
    /// Secret URI of the signer, who pays (`//Alice` or `0x` + 64 hex digits).
    #[arg(long, value_name = "SURI")]
    pub from: String,
    /// Tip on top of the fee, same format as `--amount`; raises the priority in the pool.
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

/// Validated [`TxArgs`]: who signs, and how the extrinsic is sent.
#[derive(Debug, Clone)]
pub struct Signer {
    /// The signing key.
    pub pair: Pair,
    /// Tip, smallest units.
    pub tip: Balance,
    /// When to return.
    pub wait: Wait,
    /// Mortality period in blocks (`None`: immortal).
    pub mortal: Option<u32>,
}

impl TxArgs {
    /// Checks the options without contacting a node.
    pub fn validate(&self) -> anyhow::Result<Signer> {
        let pair = pair_from_suri(&self.from).map_err(|e| e.context("--from"))?;
        let tip =
            parse_amount(&self.tip).map_err(|e| anyhow::anyhow!("--tip `{}`: {e}", self.tip))?;
        if self.mortal == Some(0) {
            anyhow::bail!("--mortal: the period must be at least 1 block");
        }
        Ok(Signer {
            pair,
            tip,
            wait: self.wait,
            mortal: self.mortal,
        })
    }
}

/// `ghost transfer …`.
#[derive(Debug, Clone, Args)]
pub struct TransferArgs {
    /// Signer and submission.
    #[command(flatten)]
    pub tx: TxArgs,
    /// The recipient's address (`ghost1…`).
    #[arg(long, value_name = "ADDRESS")]
    pub to: String,
    /// Amount: smallest units (`1000`) or GHOST with up to 12 decimals (`1.5GHOST`).
    #[arg(long, value_name = "AMOUNT", allow_hyphen_values = true)]
    pub amount: String,
}

/// The validated arguments.
#[derive(Debug, Clone)]
struct Transfer {
    signer: Signer,
    to: AccountId,
    value: Balance,
}

impl TransferArgs {
    fn validate(&self) -> anyhow::Result<Transfer> {
        let signer = self.tx.validate()?;
        let to = parse_address(&self.to).map_err(|e| e.context("--to"))?;
        let value = parse_amount(&self.amount)
            .map_err(|e| anyhow::anyhow!("--amount `{}`: {e}", self.amount))?;
        Ok(Transfer { signer, to, value })
    }

    fn call(transfer: &Transfer) -> RuntimeCall {
        RuntimeCall::Balances(ghost_runtime::balances::Call::Transfer {
            dest: transfer.to,
            value: transfer.value,
        })
    }
}

/// When waiting on the node ends: a moment and the limit it was computed from (for messages).
#[derive(Debug, Clone, Copy)]
pub struct Deadline {
    /// The moment.
    pub at: Instant,
    /// How long the command was given.
    pub limit: Duration,
}

impl Deadline {
    /// `limit` from now.
    pub fn after(limit: Duration) -> Self {
        Deadline {
            at: Instant::now() + limit,
            limit,
        }
    }

    /// The same deadline, `extra` later.
    pub fn extended(self, extra: Duration) -> Self {
        Deadline {
            at: self.at + extra,
            limit: self.limit + extra,
        }
    }
}

/// `--wait none`: what the pool said.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SubmittedReport {
    /// The extrinsic hash.
    pub extrinsic_hash: Hash,
}

impl Render for SubmittedReport {
    fn lines(&self) -> Lines {
        Lines::new().with("extrinsic_hash", self.extrinsic_hash)
    }
}

/// `--wait inblock|finalized`: where the extrinsic landed and how its call went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IncludedReport {
    /// The extrinsic hash.
    pub extrinsic_hash: Hash,
    /// The block that includes it.
    pub block_hash: Hash,
    /// That block's height.
    pub block_number: u64,
    /// Whether the call succeeded.
    pub success: bool,
    /// The dispatch error if it did not.
    pub error: Option<String>,
}

impl Render for IncludedReport {
    fn lines(&self) -> Lines {
        Lines::new()
            .with("extrinsic_hash", self.extrinsic_hash)
            .with("block_hash", self.block_hash)
            .with("block_number", self.block_number)
            .with("success", self.success)
            .with_opt("error", self.error.as_ref())
    }
}

impl IncludedReport {
    /// `Ok` if the call succeeded; otherwise the error a command ends with.
    pub fn ensure_success(&self) -> anyhow::Result<()> {
        let (hash, number) = (self.extrinsic_hash, self.block_number);
        match &self.error {
            _ if self.success => Ok(()),
            Some(error) => {
                anyhow::bail!("extrinsic {hash} was included in block {number} but failed: {error}")
            }
            None => anyhow::bail!("extrinsic {hash} was included in block {number} but failed"),
        }
    }
}

/// How far a submitted extrinsic got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Submitted {
    /// `--wait none`: the pool accepted it.
    Pool(SubmittedReport),
    /// It is in a block (or a finalized one, with `--wait finalized`); its call may have failed.
    Included(IncludedReport),
}

impl Submitted {
    /// The extrinsic hash.
    pub fn extrinsic_hash(&self) -> Hash {
        match self {
            Submitted::Pool(report) => report.extrinsic_hash,
            Submitted::Included(report) => report.extrinsic_hash,
        }
    }

    /// Prints the report; an included extrinsic whose call failed then becomes the error.
    pub fn emit(&self, out: &Output) -> anyhow::Result<()> {
        match self {
            Submitted::Pool(report) => out.emit(report),
            Submitted::Included(report) => {
                out.emit(report)?;
                report.ensure_success()
            }
        }
    }
}

/// Runs `transfer`.
pub async fn run(endpoint: &Endpoint, args: TransferArgs, out: &Output) -> anyhow::Result<()> {
    let transfer = args.validate()?;
    let deadline = Deadline::after(endpoint.timeout);
    let client = endpoint.connect().await?;
    let call = TransferArgs::call(&transfer);
    submit_call(&client, &transfer.signer, call, deadline)
        .await?
        .emit(out)
}

/// Signs `call` as `signer`, submits it and follows it as far as `signer.wait`: the shared
/// "sign, submit, wait, read the outcome" of every transaction command.
///
/// Errors: RPC failures, a refused or dropped extrinsic, and the deadline passing. A call that was
/// included but failed is *not* an error here: it is an [`IncludedReport`] with `success: false`
/// (see [`Submitted::emit`] and [`IncludedReport::ensure_success`]).
pub async fn submit_call(
    client: &Client,
    signer: &Signer,
    call: RuntimeCall,
    deadline: Deadline,
) -> anyhow::Result<Submitted> {
    let xt = sign(client, signer, call).await?;
    let bytes = Bytes(xt.encode());

    if signer.wait == Wait::None {
        let extrinsic_hash = client
            .submit_extrinsic(bytes)
            .await
            .rpc_context("submitting the extrinsic (author_submitExtrinsic)")?;
        return Ok(Submitted::Pool(SubmittedReport { extrinsic_hash }));
    }

    let extrinsic_hash = xt.hash();
    let mut subscription = client
        .submit_and_watch_extrinsic(bytes)
        .await
        .rpc_context("submitting the extrinsic (author_submitAndWatchExtrinsic)")?;
    let block_hash = tokio::time::timeout_at(deadline.at, follow(&mut subscription, signer.wait))
        .await
        .map_err(|_| {
            anyhow::anyhow!(
                "extrinsic {extrinsic_hash} was submitted but not {} within {} s",
                signer.wait,
                deadline.limit.as_secs()
            )
        })?
        .map_err(|e| e.context(format!("extrinsic {extrinsic_hash}")))?;
    drop(subscription);

    let block_number = client
        .header(Some(block_hash))
        .await
        .rpc_context(format_args!(
            "fetching block {block_hash} (chain_getHeader)"
        ))?
        .ok_or_else(|| anyhow::anyhow!("the node does not know block {block_hash}"))?
        .number;
    let (success, error) = outcome(client, extrinsic_hash, deadline.at).await?;
    Ok(Submitted::Included(IncludedReport {
        extrinsic_hash,
        block_hash,
        block_number,
        success,
        error,
    }))
}

/// Fetches what the signature depends on and signs `call`.
async fn sign(
    client: &Client,
    signer: &Signer,
    call: RuntimeCall,
) -> anyhow::Result<UncheckedExtrinsic> {
    let genesis = genesis_hash(client).await?;
    let version = client
        .runtime_version(None)
        .await
        .rpc_context("fetching the runtime version (state_getRuntimeVersion)")?;
    check_runtime(&version)?;
    let account = signer.pair.public();
    let nonce = client
        .account_next_index(account.to_string())
        .await
        .rpc_context(format_args!(
            "fetching the nonce of {account} (system_accountNextIndex)"
        ))?;
    let mortality = match signer.mortal {
        None => None,
        Some(period) => {
            let best = client
                .header(None)
                .await
                .rpc_context("fetching the best header (chain_getHeader)")?
                .ok_or_else(|| anyhow::anyhow!("the node has no best header"))?;
            Some((best.number, best.hash(), period))
        }
    };
    Ok(ghost_runtime::sign_extrinsic(
        call,
        &signer.pair,
        nonce,
        signer.tip,
        genesis,
        mortality,
    ))
}

/// Refuses to sign for a runtime this client was not built for: the signature covers
/// `spec_version`, and the call encoding may differ.
fn check_runtime(version: &RuntimeVersion) -> anyhow::Result<()> {
    if version.spec_name != ghost_runtime::SPEC_NAME {
        anyhow::bail!(
            "the node runs runtime `{}`, this client signs for `{}`",
            version.spec_name,
            ghost_runtime::SPEC_NAME
        );
    }
    if version.spec_version != ghost_runtime::SPEC_VERSION {
        anyhow::bail!(
            "the node runs spec_version {}, this client signs for spec_version {}; refusing to \
             sign (use a ghost client built for the node's runtime)",
            version.spec_version,
            ghost_runtime::SPEC_VERSION
        );
    }
    Ok(())
}

/// One notification of `author_submitAndWatchExtrinsic`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum WatchEvent {
    /// Still on its way (`ready`, `future`, `broadcast`, `retracted`, …).
    Progress,
    /// In a block of the best chain.
    InBlock(Hash),
    /// In a finalized block.
    Finalized(Hash),
    /// It will not be included: why.
    Failed(String),
}

/// Reads a notification in Substrate's shapes (`"ready"`, `{"inBlock": hash}`, …).
fn parse_status(status: &Value) -> anyhow::Result<WatchEvent> {
    let hash = |value: &Value| -> anyhow::Result<Hash> {
        serde_json::from_value(value.clone())
            .map_err(|e| anyhow::anyhow!("bad block hash in status {status}: {e}"))
    };
    match status {
        Value::String(s) => Ok(match s.as_str() {
            "invalid" => WatchEvent::Failed("the node found it invalid".into()),
            "dropped" => WatchEvent::Failed("the pool dropped it".into()),
            _ => WatchEvent::Progress,
        }),
        Value::Object(map) if map.len() == 1 => {
            let Some((key, value)) = map.iter().next() else {
                anyhow::bail!("empty status notification");
            };
            let detail = match value {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            Ok(match key.as_str() {
                "inBlock" => WatchEvent::InBlock(hash(value)?),
                "finalized" => WatchEvent::Finalized(hash(value)?),
                "invalid" => WatchEvent::Failed(format!("the node found it invalid: {detail}")),
                "dropped" => WatchEvent::Failed(format!("the pool dropped it: {detail}")),
                "usurped" => WatchEvent::Failed(format!("usurped by extrinsic {detail}")),
                "finalityTimeout" => {
                    WatchEvent::Failed(format!("block {detail} was not finalized in time"))
                }
                _ => WatchEvent::Progress,
            })
        }
        other => anyhow::bail!("unexpected status notification {other}"),
    }
}

/// Follows the watch subscription until the extrinsic reaches `wait`; returns the block hash.
async fn follow(subscription: &mut Subscription<Value>, wait: Wait) -> anyhow::Result<Hash> {
    loop {
        let status = match subscription.next().await {
            None => anyhow::bail!("the node ended the subscription before it was {wait}"),
            Some(Err(e)) => anyhow::bail!("unreadable status notification: {e}"),
            Some(Ok(status)) => status,
        };
        match parse_status(&status)? {
            WatchEvent::InBlock(block) if wait == Wait::InBlock => return Ok(block),
            WatchEvent::Finalized(block) => return Ok(block),
            WatchEvent::Failed(reason) => anyhow::bail!(reason),
            WatchEvent::InBlock(_) | WatchEvent::Progress => {}
        }
    }
}

/// The dispatch outcome from `author_extrinsicStatus`, retried briefly in case the status index
/// lags the notification.
async fn outcome(
    client: &Client,
    hash: Hash,
    deadline: Instant,
) -> anyhow::Result<(bool, Option<String>)> {
    const RETRY: Duration = Duration::from_millis(100);
    loop {
        let status = client
            .extrinsic_status(hash)
            .await
            .rpc_context("fetching the outcome (author_extrinsicStatus)")?;
        match status {
            ExtrinsicStatusJson::InBlock { success, error, .. } => return Ok((success, error)),
            other if Instant::now() + RETRY > deadline => anyhow::bail!(
                "extrinsic {hash} was reported in a block, but author_extrinsicStatus says \
                 {other:?}"
            ),
            _ => tokio::time::sleep(RETRY).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn tx_args(from: &str) -> TxArgs {
        TxArgs {
            from: from.into(),
            tip: "0".into(),
            wait: Wait::InBlock,
            mortal: None,
        }
    }

    fn args(to: &str, amount: &str) -> TransferArgs {
        TransferArgs {
            tx: tx_args("//Alice"),
            to: to.into(),
            amount: amount.into(),
        }
    }

    #[test]
    fn arguments_are_checked_before_any_node_is_needed() {
        let bob = Pair::dev("Bob").public().to_string();
        let ok = args(&bob, "1.5GHOST").validate().unwrap();
        assert_eq!(ok.value, 1_500_000_000_000);
        assert_eq!(ok.to, Pair::dev("Bob").public());

        let message = format!("{:#}", args("ghost1xyz", "1").validate().unwrap_err());
        let address_error = "ghost1xyz".parse::<AccountId>().unwrap_err().to_string();
        assert!(
            message.starts_with("--to: ") && message.ends_with(&address_error),
            "{message}"
        );

        let message = format!("{:#}", args(&bob, "-1").validate().unwrap_err());
        assert_eq!(message, "--amount `-1`: amount must not be negative");

        let bad_from = TransferArgs {
            tx: tx_args("Alice"),
            ..args(&bob, "1")
        };
        let message = format!("{:#}", bad_from.validate().unwrap_err());
        assert!(
            message.starts_with("--from: invalid secret URI"),
            "{message}"
        );

        let zero_period = TransferArgs {
            tx: TxArgs {
                mortal: Some(0),
                ..tx_args("//Alice")
            },
            ..args(&bob, "1")
        };
        assert!(zero_period.validate().is_err());
    }

    #[tokio::test]
    async fn bad_input_fails_without_connecting() {
        // Nothing listens on port 1; the address error must come first.
        let endpoint = Endpoint {
            url: "ws://127.0.0.1:1".into(),
            timeout: Duration::from_secs(1),
        };
        let error = run(&endpoint, args("nope", "1"), &Output::buffer(false))
            .await
            .unwrap_err();
        assert!(
            format!("{error:#}").contains("invalid address `nope`"),
            "{error:#}"
        );
    }

    #[test]
    fn only_our_spec_version_is_signed_for() {
        assert!(check_runtime(&ghost_runtime::version()).is_ok());
        let newer = RuntimeVersion {
            spec_version: ghost_runtime::SPEC_VERSION + 1,
            ..ghost_runtime::version()
        };
        let message = check_runtime(&newer).unwrap_err().to_string();
        assert!(message.contains("refusing to sign"), "{message}");
        let other = RuntimeVersion {
            spec_name: "other".into(),
            ..ghost_runtime::version()
        };
        assert!(check_runtime(&other).is_err());
    }

    #[test]
    fn watch_notifications() {
        let h = Hash([5; 32]);
        assert_eq!(parse_status(&json!("ready")).unwrap(), WatchEvent::Progress);
        assert_eq!(
            parse_status(&json!("future")).unwrap(),
            WatchEvent::Progress
        );
        assert_eq!(
            parse_status(&json!({"broadcast": ["peer"]})).unwrap(),
            WatchEvent::Progress
        );
        assert_eq!(
            parse_status(&json!({"retracted": h})).unwrap(),
            WatchEvent::Progress
        );
        assert_eq!(
            parse_status(&json!({"inBlock": h})).unwrap(),
            WatchEvent::InBlock(h)
        );
        assert_eq!(
            parse_status(&json!({"finalized": h})).unwrap(),
            WatchEvent::Finalized(h)
        );
        for failed in [
            json!("invalid"),
            json!("dropped"),
            json!({"invalid": "bad signature"}),
            json!({"usurped": h}),
            json!({"finalityTimeout": h}),
        ] {
            assert!(
                matches!(parse_status(&failed).unwrap(), WatchEvent::Failed(_)),
                "{failed}"
            );
        }
        assert!(parse_status(&json!({"inBlock": "0x12"})).is_err());
        assert!(parse_status(&json!(42)).is_err());
    }

    #[test]
    fn included_report_json_has_null_error() {
        let report = IncludedReport {
            extrinsic_hash: Hash([1; 32]),
            block_hash: Hash([2; 32]),
            block_number: 7,
            success: true,
            error: None,
        };
        let json: Value =
            serde_json::from_str(&Output::buffer(true).render(&report).unwrap()).unwrap();
        assert_eq!(
            json,
            json!({
                "extrinsic_hash": Hash([1; 32]),
                "block_hash": Hash([2; 32]),
                "block_number": 7,
                "success": true,
                "error": null,
            })
        );
        let text = Output::buffer(false).render(&report).unwrap();
        assert_eq!(text.lines().count(), 4);
    }
}
