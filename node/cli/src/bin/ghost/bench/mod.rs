//! `ghost bench`: the load driver. It measures what a user would: how many operations a node
//! (or several) takes per second, how long each takes to reach a block and finality, and whether
//! any accepted operation is lost.
//!
//! ```text
//! ghost bench register      --count N --accounts M --concurrency C [--records K] [--node URL ...]
//! ghost bench transfer      --count N --accounts M --concurrency C [--amount X] [--to ADDRESS]
//! ghost bench contract-call <ADDRESS> --count N ... ([--abi FILE] --method NAME [--args JSON] | --data 0x..)
//! ```
//!
//! Every kind runs the same four steps:
//! 1. funds M bench accounts (`//bench/0` … `//bench/M-1`) from `--funder` with what their
//!    share of the operations costs (price, value and twice the quoted fee), and waits until the
//!    transfers are in a block;
//! 2. pre-signs the N operations, account `i % M` with consecutive nonces, so signing never sits
//!    on the measured path;
//! 3. submits them with `author_submitAndWatchExtrinsic` over one WebSocket per `--node` URL
//!    (round robin), at most C in flight (and, with `--rate R`, at most R a second, paced from
//!    the start), and follows each to `inBlock` and `finalized`;
//! 4. prints throughput, latency percentiles (submit → in block, submit → finalized), how many
//!    the pool refused, how many it accepted but never included (*lost*), how many were included
//!    but failed (from `author_extrinsicStatus` of each), and a check of the effect: every name
//!    resolves (`register`), the recipient's balance grew by exactly the succeeded transfers
//!    (`transfer`), every call succeeded (`contract-call`).
//!
//! It sends exactly N operations (plus M funding transfers and N status reads) and stops.
//! `--json` prints the report as one document: `count`, `accepted`, `refused`, `in_block`,
//! `finalized`, `lost`, `succeeded`, `failed`, `throughput` (finalized per second), the
//! percentiles, and the kind's own check.

mod contract_call;
mod register;
mod transfer;

use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::{Args, Subcommand};
use futures::StreamExt;
use ghost_client::{Client, Signer, TxStatus};
use ghost_primitives::{Balance, Hash};
use ghost_rpc::{AuthorApiClient, ExtrinsicStatusJson};
use ghost_runtime::{GHOST, RuntimeCall, UncheckedExtrinsic};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

use crate::output::Output;
use crate::rpc::Endpoint;

pub use contract_call::ContractCallArgs;
pub use register::RegisterArgs;
pub use transfer::TransferArgs;

/// `ghost bench …`.
#[derive(Debug, Clone, Subcommand)]
pub enum BenchCommand {
    /// Registers N names as fast as the node takes them, and reports throughput, latency and
    /// losses; then checks that every name resolves.
    Register(RegisterArgs),
    /// Sends N balance transfers to one recipient, and reports throughput, latency and losses;
    /// then checks the recipient's balance.
    Transfer(TransferArgs),
    /// Calls a deployed contract N times, and reports throughput, latency, losses and failed
    /// calls.
    ContractCall(ContractCallArgs),
}

/// What every load kind takes: how much, from how many accounts, how fast, to which nodes.
#[derive(Debug, Clone, Args)]
pub struct LoadArgs {
    /// Operations to send.
    #[arg(long, default_value_t = 1_000)]
    pub count: u32,
    /// Bench accounts that sign them (funded by `--funder`).
    #[arg(long, default_value_t = 10)]
    pub accounts: u32,
    /// Operations in flight at once.
    #[arg(long, default_value_t = 64)]
    pub concurrency: usize,
    /// Operations submitted per second at most (paced from the start; default as fast as
    /// `--concurrency` allows), to offer a chain a steady load rather than a burst.
    #[arg(long, value_name = "OPS_PER_SEC")]
    pub rate: Option<f64>,
    /// Nodes to submit to, round robin (repeatable); default the global `--rpc`.
    #[arg(long = "node", value_name = "URL")]
    pub nodes: Vec<String>,
    /// Who funds the bench accounts.
    #[arg(long, default_value = "//Alice", value_name = "SURI")]
    pub funder: String,
}

/// Latency percentiles in ms.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq)]
pub struct Percentiles {
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Slowest.
    pub max: f64,
}

impl Percentiles {
    /// Percentiles of `samples` (ms); zeros when empty.
    pub fn of(mut samples: Vec<f64>) -> Percentiles {
        if samples.is_empty() {
            return Percentiles::default();
        }
        samples.sort_by(f64::total_cmp);
        let at = |q: f64| {
            let rank = ((samples.len() as f64) * q).ceil() as usize;
            samples[rank.clamp(1, samples.len()) - 1]
        };
        Percentiles {
            p50: at(0.50),
            p95: at(0.95),
            p99: at(0.99),
            max: samples[samples.len() - 1],
        }
    }
}

/// What a load run measured, whatever the operation.
#[derive(Debug, Clone, Serialize)]
pub struct LoadReport {
    /// Operations sent.
    pub count: u32,
    /// Accepted by the pool.
    pub accepted: u32,
    /// Refused by the pool or the node at submission.
    pub refused: u32,
    /// The first refusal's reason.
    pub first_refusal: Option<String>,
    /// Reached a block.
    pub in_block: u32,
    /// Reached a finalized block.
    pub finalized: u32,
    /// Accepted but never included (dropped, invalid, usurped or timed out).
    pub lost: u32,
    /// Included, and the chain records the call as succeeded.
    pub succeeded: u32,
    /// Included, but the call failed (`ExtrinsicFailed`; for `register` also names that do not
    /// resolve afterwards).
    pub failed: u32,
    /// The first failure's dispatch error.
    pub first_failure: Option<String>,
    /// Finalized operations per second, from the first submission to the last finality.
    pub throughput: f64,
    /// Seconds from the first submission to the last finality.
    pub elapsed_secs: f64,
    /// Submit → in block (ms).
    pub latency_in_block_ms: Percentiles,
    /// Submit → finalized (ms).
    pub latency_finalized_ms: Percentiles,
}

/// How one operation went.
#[derive(Debug, Default)]
struct Outcome {
    hash: Hash,
    refused: Option<String>,
    in_block: Option<Duration>,
    finalized: Option<Duration>,
    /// When it was seen finalized (for the run's wall time).
    finalized_at: Option<Instant>,
}

/// Runs `ghost bench …`.
pub async fn run(endpoint: &Endpoint, command: BenchCommand, out: &Output) -> anyhow::Result<()> {
    let progress = !out.is_json();
    match command {
        BenchCommand::Register(args) => out.emit(&register::run(endpoint, args, progress).await?),
        BenchCommand::Transfer(args) => out.emit(&transfer::run(endpoint, args, progress).await?),
        BenchCommand::ContractCall(args) => {
            out.emit(&contract_call::run(endpoint, args, progress).await?)
        }
    }
}

/// The nodes of a run, connected, and its bench accounts.
struct Load {
    clients: Arc<Vec<Client>>,
    signers: Vec<Signer>,
    genesis: Hash,
    args: LoadArgs,
    timeout: Duration,
}

impl Load {
    /// Checks the arguments and connects to every node.
    async fn connect(endpoint: &Endpoint, args: LoadArgs) -> anyhow::Result<Load> {
        anyhow::ensure!(args.count > 0, "--count must be positive");
        anyhow::ensure!(args.accounts > 0, "--accounts must be positive");
        anyhow::ensure!(args.concurrency > 0, "--concurrency must be positive");
        if let Some(rate) = args.rate {
            anyhow::ensure!(
                rate.is_finite() && rate > 0.0,
                "--rate must be a positive number of operations per second"
            );
        }
        let urls = if args.nodes.is_empty() {
            vec![endpoint.url.clone()]
        } else {
            args.nodes.clone()
        };
        let mut clients = Vec::with_capacity(urls.len());
        for url in &urls {
            clients.push(
                Client::builder(url)
                    .timeout(endpoint.timeout)
                    .connect()
                    .await?,
            );
        }
        let genesis = clients[0].genesis_hash().await?;
        let signers = (0..args.accounts)
            .map(|i| Signer::from_suri(&format!("//bench/{i}")))
            .collect::<Result<_, _>>()?;
        Ok(Load {
            clients: Arc::new(clients),
            signers,
            genesis,
            args,
            timeout: endpoint.timeout,
        })
    }

    /// The first node (funding, checks).
    fn first(&self) -> &Client {
        &self.clients[0]
    }

    /// The fee the node quotes for `call` signed by the first bench account.
    async fn quoted_fee(&self, call: RuntimeCall) -> anyhow::Result<Balance> {
        let info = self.first().tx().call(call).fee(&self.signers[0]).await?;
        Ok(info.partial_fee)
    }

    /// Gives each bench account `per_operation` for each operation it signs (plus 1 GHOST to
    /// stay alive), and waits until the transfers are in a block.
    async fn fund(&self, per_operation: Balance) -> anyhow::Result<()> {
        let funder = Signer::from_suri(&self.args.funder)?;
        let share = u128::from(self.args.count.div_ceil(self.args.accounts));
        let per_account = share
            .checked_mul(per_operation)
            .and_then(|total| total.checked_add(GHOST))
            .ok_or_else(|| anyhow::anyhow!("the bench accounts' funding overflows"))?;
        let mut funding = Vec::new();
        for signer in &self.signers {
            funding.push(
                self.first()
                    .tx()
                    .balances()
                    .transfer(signer.account(), per_account)
                    .submit_and_watch(&funder)
                    .await?,
            );
        }
        for tx in funding {
            tx.in_block().await?;
        }
        Ok(())
    }

    /// Signs operation `i`'s call (`make(i, signer)`) for every `i < count`, each account with
    /// consecutive nonces from its next index.
    async fn presign(
        &self,
        mut make: impl FnMut(usize, &Signer) -> RuntimeCall,
    ) -> anyhow::Result<Vec<UncheckedExtrinsic>> {
        let mut nonces = Vec::with_capacity(self.signers.len());
        for signer in &self.signers {
            nonces.push(self.first().fetch_next_index(&signer.account()).await?);
        }
        Ok((0..self.args.count as usize)
            .map(|i| {
                let account = i % self.signers.len();
                let nonce = nonces[account] + (i / self.signers.len()) as u64;
                let signer = &self.signers[account];
                let call = make(i, signer);
                ghost_runtime::sign_extrinsic(call, signer.pair(), nonce, 0, self.genesis, None)
            })
            .collect())
    }

    /// Submits and follows every extrinsic, at most `concurrency` in flight, then reads the
    /// outcome of each included one; the report and the hashes of the succeeded ones.
    async fn drive(
        &self,
        extrinsics: Vec<UncheckedExtrinsic>,
        progress: bool,
    ) -> anyhow::Result<(LoadReport, Vec<Hash>)> {
        let bar = if progress {
            let bar = ProgressBar::new(extrinsics.len() as u64);
            bar.set_style(
                ProgressStyle::with_template(
                    "{elapsed_precise} [{bar:40}] {pos}/{len} finalized  {per_sec}  eta {eta}",
                )
                .map_err(|e| anyhow::anyhow!("progress bar template: {e}"))?,
            );
            bar
        } else {
            ProgressBar::hidden()
        };
        let wait = self.timeout;
        let rate = self.args.rate;
        let started = Instant::now();
        let outcomes: Vec<Outcome> = futures::stream::iter(extrinsics.into_iter().enumerate())
            .map(|(i, xt)| {
                let clients = self.clients.clone();
                let bar = bar.clone();
                async move {
                    // Paced: operation i is not submitted before i / rate seconds.
                    if let Some(rate) = rate {
                        let due = started + Duration::from_secs_f64(i as f64 / rate);
                        tokio::time::sleep_until(due.into()).await;
                    }
                    let client = &clients[i % clients.len()];
                    let outcome = follow(client, &xt, wait).await;
                    bar.inc(1);
                    outcome
                }
            })
            .buffer_unordered(self.args.concurrency)
            .collect()
            .await;
        bar.finish_and_clear();
        // The run's wall time: from the first submission to the last finality seen.
        let last = outcomes
            .iter()
            .filter_map(|o| o.finalized_at)
            .max()
            .map_or_else(|| started.elapsed(), |at| at - started);

        // What the chain recorded for each included operation.
        let first = self.first();
        let statuses: Vec<(Hash, Result<ExtrinsicStatusJson, String>)> =
            futures::stream::iter(outcomes.iter().filter(|o| o.in_block.is_some()))
                .map(|o| async move {
                    let status = AuthorApiClient::extrinsic_status(first, o.hash)
                        .await
                        .map_err(|e| e.to_string());
                    (o.hash, status)
                })
                .buffer_unordered(self.args.concurrency)
                .collect()
                .await;
        let mut succeeded = Vec::new();
        let mut first_failure = None;
        for (hash, status) in statuses {
            match status {
                Ok(ExtrinsicStatusJson::InBlock { success: true, .. }) => succeeded.push(hash),
                Ok(ExtrinsicStatusJson::InBlock { error, .. }) => {
                    first_failure.get_or_insert(error.unwrap_or_else(|| "failed".into()));
                }
                Ok(other) => {
                    first_failure.get_or_insert(format!("no longer in a block: {other:?}"));
                }
                Err(e) => anyhow::bail!("author_extrinsicStatus of {hash}: {e}"),
            }
        }

        let count = |pick: fn(&Outcome) -> bool| outcomes.iter().filter(|o| pick(o)).count() as u32;
        let refused = count(|o| o.refused.is_some());
        let accepted = outcomes.len() as u32 - refused;
        let in_block = count(|o| o.in_block.is_some());
        let finalized = count(|o| o.finalized.is_some());
        let ms = |d: Duration| d.as_secs_f64() * 1_000.0;
        let elapsed_secs = last.as_secs_f64();
        let report = LoadReport {
            count: outcomes.len() as u32,
            accepted,
            refused,
            first_refusal: outcomes.iter().find_map(|o| o.refused.clone()),
            in_block,
            finalized,
            lost: accepted - in_block,
            succeeded: succeeded.len() as u32,
            failed: in_block - succeeded.len() as u32,
            first_failure,
            throughput: if elapsed_secs > 0.0 {
                f64::from(finalized) / elapsed_secs
            } else {
                0.0
            },
            elapsed_secs,
            latency_in_block_ms: Percentiles::of(
                outcomes.iter().filter_map(|o| o.in_block).map(ms).collect(),
            ),
            latency_finalized_ms: Percentiles::of(
                outcomes
                    .iter()
                    .filter_map(|o| o.finalized)
                    .map(ms)
                    .collect(),
            ),
        };
        Ok((report, succeeded))
    }
}

/// Submits `xt` and follows it to finality (or failure), within `wait`.
async fn follow(client: &Client, xt: &UncheckedExtrinsic, wait: Duration) -> Outcome {
    let submitted = Instant::now();
    let mut outcome = Outcome {
        hash: xt.hash(),
        ..Outcome::default()
    };
    let mut progress = match ghost_client::tx::submit_and_watch_signed(client, xt).await {
        Ok(progress) => progress,
        Err(e) => {
            outcome.refused = Some(e.to_string());
            return outcome;
        }
    };
    // A timeout leaves the outcome as far as it got (counted lost if never in a block).
    let _ = tokio::time::timeout(wait, async {
        while let Some(status) = progress.next().await {
            match status {
                Ok(TxStatus::InBlock(_)) => {
                    outcome.in_block.get_or_insert(submitted.elapsed());
                }
                Ok(TxStatus::Finalized(_)) => {
                    outcome.in_block.get_or_insert(submitted.elapsed());
                    outcome.finalized = Some(submitted.elapsed());
                    outcome.finalized_at = Some(Instant::now());
                    return;
                }
                Ok(status) if status.failure().is_some() => return,
                Ok(_) => {}
                Err(_) => return,
            }
        }
    })
    .await;
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_nearest_rank() {
        let p = Percentiles::of((1..=100).map(f64::from).collect());
        assert_eq!((p.p50, p.p95, p.p99, p.max), (50.0, 95.0, 99.0, 100.0));
        let one = Percentiles::of(vec![7.0]);
        assert_eq!((one.p50, one.p99, one.max), (7.0, 7.0, 7.0));
        assert_eq!(Percentiles::of(vec![]), Percentiles::default());
    }
}
