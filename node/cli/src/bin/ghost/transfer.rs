//! `ghost transfer`: build, sign, submit and follow a `Balances.Transfer` — and the signing and
//! submission every transaction command shares ([`TxArgs`], [`submit_call`]).
//!
//! 1. Parse everything locally (secret URI, address, amounts, mortality) before connecting.
//! 2. Hand the call to [`ghost_client`]: it checks the node's runtime (refusing to sign for any
//!    `spec_version` but [`ghost_runtime::SPEC_VERSION`], since the signature covers it), takes
//!    the sender's next nonce, signs (with `--mortal`, born at the best block) and submits.
//! 3. `--wait none`: print the hash once the pool accepted it. Otherwise follow the extrinsic
//!    until it is in a block (or finalized), with its events and dispatch outcome. `invalid`,
//!    `dropped`, `usurped` and `finalityTimeout` end the command with an error; so does an
//!    included extrinsic whose call failed (after printing the report), so scripts can rely on
//!    the exit code.
//!
//! Waiting is bounded by `--timeout`, counted from the start of the command ([`Deadline`]).

use std::fmt;

use clap::{Args, ValueEnum};
use ghost_primitives::{AccountId, Balance, Hash, Pair};
use ghost_runtime::RuntimeCall;
use serde::Serialize;
use tokio::time::{Duration, Instant};

use crate::amount::parse_amount;
use crate::keys::pair_from_suri;
use crate::output::{Output, Render};
use crate::query::parse_address;
use crate::rpc::{Client, Endpoint};

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

impl Render for SubmittedReport {}

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

impl Render for IncludedReport {}

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
/// "sign, submit, wait, read the outcome" of every transaction command, done by
/// [`ghost_client`] (nonce, era, tip, watch, events and dispatch errors).
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
    let key = ghost_client::Signer::from_pair(signer.pair.clone());
    let tx = client
        .tx()
        .call(call)
        .tip(signer.tip)
        .mortal(signer.mortal.unwrap_or(0));
    if signer.wait == Wait::None {
        let extrinsic_hash = tx.submit(&key).await?;
        return Ok(Submitted::Pool(SubmittedReport { extrinsic_hash }));
    }
    let progress = tx.submit_and_watch(&key).await?;
    let extrinsic_hash = progress.extrinsic_hash();
    let wait = async {
        match signer.wait {
            Wait::Finalized => progress.finalized().await,
            _ => progress.in_block().await,
        }
    };
    let outcome = tokio::time::timeout_at(deadline.at, wait)
        .await
        .map_err(|_| ghost_client::Error::WaitTimeout {
            extrinsic_hash,
            stage: if signer.wait == Wait::Finalized {
                "finalized"
            } else {
                "in a block"
            },
            secs: deadline.limit.as_secs(),
        })?;
    Ok(Submitted::Included(match outcome {
        Ok(done) => IncludedReport {
            extrinsic_hash,
            block_hash: done.block_hash,
            block_number: done.block_number,
            success: true,
            error: None,
        },
        Err(ghost_client::Error::Dispatch(failure)) => IncludedReport {
            extrinsic_hash,
            block_hash: failure.block_hash,
            block_number: failure.block_number,
            success: false,
            error: Some(match &failure.docs {
                Some(docs) if !docs.is_empty() => format!("{} ({docs})", failure.error),
                _ => failure.error.to_string(),
            }),
        },
        Err(other) => return Err(other.into()),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

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
