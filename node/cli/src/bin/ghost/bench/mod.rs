//! `ghost bench`: the load driver. It measures what a user would: how many operations a node
//! (or several) takes per second, how long each takes to reach a block and finality, and whether
//! any accepted operation is lost.
//!
//! `ghost bench register --count N --accounts M --concurrency C [--records K] [--rpc URL ...]`:
//! 1. funds M bench accounts (`//bench/0` … `//bench/M-1`) from `--funder`, and waits until the
//!    transfers are in a block;
//! 2. pre-signs N registrations of `<prefix><i>.ghost` for one year with K `A` records, account
//!    `i % M` with consecutive nonces, so signing never sits on the measured path;
//! 3. submits them with `author_submitAndWatchExtrinsic` over one WebSocket per `--rpc` URL
//!    (round robin), at most C in flight, and follows each to `inBlock` and `finalized`;
//! 4. prints throughput, latency percentiles (submit → in block, submit → finalized), how many
//!    the pool refused and how many it accepted but never included (*lost*), and then checks that
//!    every registered name resolves over RPC.
//!
//! It sends exactly N registrations (plus M funding transfers and N resolves) and stops. The
//! chain must accept registrations without a prior commitment (the dev and local chains do);
//! a name already registered by an earlier run counts as refused, so each run picks a fresh
//! `--prefix` by default.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use clap::{Args, Subcommand};
use futures::StreamExt;
use ghost_client::{Client, Signer, TxStatus};
use ghost_primitives::{DnsRecord, DomainName, Hash, RecordData, RecordLabel};
use ghost_rpc::DomainApiClient;
use ghost_runtime::{GHOST, RuntimeCall, UncheckedExtrinsic, domains};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

use crate::output::{Output, Render};
use crate::rpc::Endpoint;

/// One year in ms (the registrations' duration).
const YEAR_MS: u64 = 365 * 24 * 60 * 60 * 1000;

/// `ghost bench …`.
#[derive(Debug, Clone, Subcommand)]
pub enum BenchCommand {
    /// Registers N names as fast as the node takes them, and reports throughput, latency and
    /// losses.
    Register(RegisterArgs),
}

/// `ghost bench register`.
#[derive(Debug, Clone, Args)]
pub struct RegisterArgs {
    /// Registrations to send.
    #[arg(long, default_value_t = 1_000)]
    pub count: u32,
    /// Bench accounts that sign them (funded by `--funder`).
    #[arg(long, default_value_t = 10)]
    pub accounts: u32,
    /// Registrations in flight at once.
    #[arg(long, default_value_t = 64)]
    pub concurrency: usize,
    /// `A` records per registration.
    #[arg(long, default_value_t = 1)]
    pub records: u32,
    /// Nodes to submit to, round robin (repeatable); default the global `--rpc`.
    #[arg(long = "node", value_name = "URL")]
    pub nodes: Vec<String>,
    /// Who funds the bench accounts.
    #[arg(long, default_value = "//Alice", value_name = "SURI")]
    pub funder: String,
    /// Name prefix (default: `b` + the current Unix time, unique per run).
    #[arg(long)]
    pub prefix: Option<String>,
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

/// What `ghost bench register` measured.
#[derive(Debug, Clone, Serialize)]
pub struct RegisterReport {
    /// Registrations sent.
    pub count: u32,
    /// Accepted by the pool.
    pub accepted: u32,
    /// Refused by the pool or the node at submission (with the first reason).
    pub refused: u32,
    /// The first refusal's reason.
    pub first_refusal: Option<String>,
    /// Reached a block.
    pub in_block: u32,
    /// Reached a finalized block.
    pub finalized: u32,
    /// Accepted but never included (dropped, invalid, usurped or timed out).
    pub lost: u32,
    /// Finalized but not resolving afterwards: their call failed (e.g. the name was taken).
    pub failed: u32,
    /// Finalized registrations per second, from the first submission to the last finality.
    pub throughput: f64,
    /// Seconds from the first submission to the last finality.
    pub elapsed_secs: f64,
    /// Submit → in block (ms).
    pub latency_in_block_ms: Percentiles,
    /// Submit → finalized (ms).
    pub latency_finalized_ms: Percentiles,
    /// Names that resolve over RPC afterwards, registered by this run.
    pub resolved: u32,
}

impl Render for RegisterReport {}

/// How one registration went.
#[derive(Debug, Default)]
struct Outcome {
    refused: Option<String>,
    in_block: Option<Duration>,
    finalized: Option<Duration>,
}

/// Runs `ghost bench …`.
pub async fn run(endpoint: &Endpoint, command: BenchCommand, out: &Output) -> anyhow::Result<()> {
    match command {
        BenchCommand::Register(args) => {
            let report = register(endpoint, args, !out.is_json()).await?;
            out.emit(&report)
        }
    }
}

async fn register(
    endpoint: &Endpoint,
    args: RegisterArgs,
    progress: bool,
) -> anyhow::Result<RegisterReport> {
    anyhow::ensure!(args.count > 0, "--count must be positive");
    anyhow::ensure!(args.accounts > 0, "--accounts must be positive");
    anyhow::ensure!(args.concurrency > 0, "--concurrency must be positive");
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
    let first = &clients[0];
    let genesis = first.genesis_hash().await?;
    let prefix = args.prefix.clone().unwrap_or_else(|| {
        let secs = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        format!("b{secs}x")
    });
    let names = (0..args.count)
        .map(|i| DomainName::parse(&format!("{prefix}{i}.ghost")))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| anyhow::anyhow!("--prefix `{prefix}` does not make valid names: {e}"))?;

    // 1. Fund the bench accounts: enough for their share of names at up to 640 GHOST a year
    //    (the shortest labels' price) would be wasteful; bench names are long (5 GHOST a year),
    //    so 10 GHOST per name covers price and fees.
    let signers: Vec<Signer> = (0..args.accounts)
        .map(|i| Signer::from_suri(&format!("//bench/{i}")))
        .collect::<Result<_, _>>()?;
    let funder = Signer::from_suri(&args.funder)?;
    let per_account = u128::from(args.count.div_ceil(args.accounts)) * 10 * GHOST + GHOST;
    let mut funding = Vec::new();
    for signer in &signers {
        funding.push(
            first
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

    // 2. Pre-sign.
    let mut nonces = Vec::with_capacity(signers.len());
    for signer in &signers {
        nonces.push(first.fetch_next_index(&signer.account()).await?);
    }
    let records: Vec<DnsRecord> = (0..args.records)
        .map(|i| DnsRecord {
            label: RecordLabel::apex(),
            ttl: ghost_primitives::records::DEFAULT_TTL,
            data: RecordData::A([10, (i >> 16) as u8, (i >> 8) as u8, i as u8]),
        })
        .collect();
    let extrinsics: Vec<UncheckedExtrinsic> = names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let account = i % signers.len();
            let nonce = nonces[account] + (i / signers.len()) as u64;
            let signer = &signers[account];
            let call = RuntimeCall::Domains(domains::Call::Register {
                name: name.clone(),
                owner: signer.account(),
                duration_ms: YEAR_MS,
                secret: Hash::ZERO,
                records: records.clone(),
            });
            ghost_runtime::sign_extrinsic(call, signer.pair(), nonce, 0, genesis, None)
        })
        .collect();

    // 3. Submit and follow, at most `concurrency` in flight.
    let bar = if progress {
        let bar = ProgressBar::new(u64::from(args.count));
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
    let wait = endpoint.timeout;
    // Names registered by this run were created after the current best block.
    let run_start_ms = first.fetch_header(None).await?.timestamp_ms;
    let clients = Arc::new(clients);
    let started = Instant::now();
    let outcomes: Vec<Outcome> = futures::stream::iter(extrinsics.into_iter().enumerate())
        .map(|(i, xt)| {
            let clients = clients.clone();
            let bar = bar.clone();
            async move {
                let client = &clients[i % clients.len()];
                let outcome = follow(client, &xt, wait).await;
                bar.inc(1);
                outcome
            }
        })
        .buffer_unordered(args.concurrency)
        .collect()
        .await;
    bar.finish_and_clear();
    let last = outcomes
        .iter()
        .filter_map(|o| o.finalized)
        .max()
        .unwrap_or_else(|| started.elapsed());

    // 4. Every name that was included must resolve.
    let resolved = futures::stream::iter(names.iter())
        .map(|name| {
            let client = &clients[0];
            async move {
                matches!(
                    DomainApiClient::resolve(client, name.to_string(), None).await,
                    Ok(Some(resolution))
                        if resolution.status == "active" && resolution.created_at > run_start_ms
                )
            }
        })
        .buffer_unordered(args.concurrency)
        .filter(|ok| futures::future::ready(*ok))
        .count()
        .await;

    let count = |pick: fn(&Outcome) -> bool| outcomes.iter().filter(|o| pick(o)).count() as u32;
    let refused = count(|o| o.refused.is_some());
    let accepted = args.count - refused;
    let in_block = count(|o| o.in_block.is_some());
    let finalized = count(|o| o.finalized.is_some());
    let ms = |d: Duration| d.as_secs_f64() * 1_000.0;
    let elapsed_secs = last.as_secs_f64();
    Ok(RegisterReport {
        count: args.count,
        accepted,
        refused,
        first_refusal: outcomes.iter().find_map(|o| o.refused.clone()),
        in_block,
        finalized,
        lost: accepted - in_block,
        failed: finalized.saturating_sub(u32::try_from(resolved).unwrap_or(u32::MAX)),
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
        resolved: u32::try_from(resolved).unwrap_or(u32::MAX),
    })
}

/// Submits `xt` and follows it to finality (or failure), within `wait`.
async fn follow(client: &Client, xt: &UncheckedExtrinsic, wait: Duration) -> Outcome {
    let submitted = Instant::now();
    let mut outcome = Outcome::default();
    let mut progress = match ghost_client::tx::submit_and_watch_signed(client, xt).await {
        Ok(progress) => progress,
        Err(e) => {
            outcome.refused = Some(e.to_string());
            return outcome;
        }
    };
    let watched = tokio::time::timeout(wait, async {
        while let Some(status) = progress.next().await {
            match status {
                Ok(TxStatus::InBlock(_)) => {
                    outcome.in_block.get_or_insert(submitted.elapsed());
                }
                Ok(TxStatus::Finalized(_)) => {
                    outcome.in_block.get_or_insert(submitted.elapsed());
                    outcome.finalized = Some(submitted.elapsed());
                    return;
                }
                Ok(status) if status.failure().is_some() => return,
                Ok(_) => {}
                Err(_) => return,
            }
        }
    })
    .await;
    let _timed_out = watched.is_err();
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
