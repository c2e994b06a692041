//! `ghost bench register`: N name registrations with K `A` records each, then a check that every
//! name resolves over RPC and, with `--dns ADDR`, over DNS.

use std::net::SocketAddr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use clap::Args;
use futures::StreamExt;
use ghost_primitives::{Balance, DnsRecord, DomainName, Hash, RecordData, RecordLabel};
use ghost_rpc::DomainApiClient;
use ghost_runtime::{GHOST, RuntimeCall, domains};
use hickory_proto::op::{Message, Query, ResponseCode};
use hickory_proto::rr::{Name, RecordType};
use serde::Serialize;

use super::{Load, LoadArgs, LoadReport};
use crate::output::Render;
use crate::rpc::Endpoint;

/// One year in ms (the registrations' duration).
const YEAR_MS: u64 = 365 * 24 * 60 * 60 * 1000;

/// What a bench account is given per name: the price of a long label for a year (5 GHOST)
/// and its fee, with room to spare.
const PER_NAME: u128 = 10 * GHOST;

/// `ghost bench register`.
#[derive(Debug, Clone, Args)]
pub struct RegisterArgs {
    /// How much, from whom, how fast, where.
    #[command(flatten)]
    pub load: LoadArgs,
    /// `A` records per registration.
    #[arg(long, default_value_t = 1)]
    pub records: u32,
    /// Name prefix (default: `b` + the current Unix time, unique per run).
    #[arg(long)]
    pub prefix: Option<String>,
    /// Also check every name over DNS at this GhostBridge address (UDP), e.g. 127.0.0.1:5353.
    #[arg(long, value_name = "ADDR")]
    pub dns: Option<SocketAddr>,
}

/// What `ghost bench register` measured.
#[derive(Debug, Clone, Serialize)]
pub struct RegisterReport {
    /// Throughput, latency, losses.
    #[serde(flatten)]
    pub load: LoadReport,
    /// The transaction fee the node quotes for one of these registrations (smallest units;
    /// the name's price is on top).
    pub fee: Balance,
    /// Names that resolve over RPC afterwards, registered by this run.
    pub resolved: u32,
    /// Names whose `A` query over `--dns` answered NOERROR with the registered records
    /// (absent without `--dns`).
    pub resolved_dns: Option<u32>,
}

impl Render for RegisterReport {}

/// Runs the registrations and the checks.
pub async fn run(
    endpoint: &Endpoint,
    args: RegisterArgs,
    progress: bool,
) -> anyhow::Result<RegisterReport> {
    let load = Load::connect(endpoint, args.load).await?;
    let prefix = args.prefix.clone().unwrap_or_else(|| {
        let secs = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        format!("b{secs}x")
    });
    let names = (0..load.args.count)
        .map(|i| DomainName::parse(&format!("{prefix}{i}.ghost")))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| anyhow::anyhow!("--prefix `{prefix}` does not make valid names: {e}"))?;

    load.fund(PER_NAME).await?;
    let records: Vec<DnsRecord> = (0..args.records)
        .map(|i| DnsRecord {
            label: RecordLabel::apex(),
            ttl: ghost_primitives::records::DEFAULT_TTL,
            data: RecordData::A([10, (i >> 16) as u8, (i >> 8) as u8, i as u8]),
        })
        .collect();
    let register = |i: usize, owner| {
        RuntimeCall::Domains(domains::Call::Register {
            name: names[i].clone(),
            owner,
            duration_ms: YEAR_MS,
            secret: Hash::ZERO,
            records: records.clone(),
        })
    };
    let fee = load
        .quoted_fee(register(0, load.signers[0].account()))
        .await?;
    let extrinsics = load
        .presign(|i, signer| register(i, signer.account()))
        .await?;
    // Names registered by this run were created after the current best block.
    let run_start_ms = load.first().fetch_header(None).await?.timestamp_ms;
    let (mut report, _) = load.drive(extrinsics, progress).await?;

    let first = load.first();
    let resolved = futures::stream::iter(names.iter())
        .map(|name| async move {
            matches!(
                DomainApiClient::resolve(first, name.to_string(), None).await,
                Ok(Some(resolution))
                    if resolution.status == "active" && resolution.created_at > run_start_ms
            )
        })
        .buffer_unordered(load.args.concurrency)
        .filter(|ok| futures::future::ready(*ok))
        .count()
        .await as u32;
    // A registration that was included but does not resolve failed, whatever the chain says.
    report.failed = report.finalized.saturating_sub(resolved).max(report.failed);

    let resolved_dns = match args.dns {
        None => None,
        Some(server) => {
            let expected = args.records.min(u32::from(u16::MAX)) as usize;
            let answered = futures::stream::iter(names.iter())
                .map(|name| async move {
                    matches!(dns_a(server, name).await, Ok(count) if count == expected)
                })
                .buffer_unordered(load.args.concurrency.min(64))
                .filter(|ok| futures::future::ready(*ok))
                .count()
                .await;
            Some(answered as u32)
        }
    };
    Ok(RegisterReport {
        load: report,
        fee,
        resolved,
        resolved_dns,
    })
}

/// Asks `server` for `name`'s `A` records over UDP (3 tries, 2 s each): how many it answered
/// with, or why it did not.
async fn dns_a(server: SocketAddr, name: &DomainName) -> anyhow::Result<usize> {
    let mut query = Message::query();
    query.add_query(Query::query(
        Name::from_ascii(format!("{name}."))?,
        RecordType::A,
    ));
    let bytes = query.to_vec()?;
    let socket = tokio::net::UdpSocket::bind(("127.0.0.1", 0)).await?;
    let mut buf = vec![0; 4096];
    for _ in 0..3 {
        socket.send_to(&bytes, server).await?;
        let Ok(received) =
            tokio::time::timeout(Duration::from_secs(2), socket.recv_from(&mut buf)).await
        else {
            continue;
        };
        let (len, _) = received?;
        let answer = Message::from_vec(&buf[..len])?;
        if answer.metadata.id != query.metadata.id {
            continue;
        }
        anyhow::ensure!(
            answer.metadata.response_code == ResponseCode::NoError,
            "{name}: {}",
            answer.metadata.response_code
        );
        return Ok(answer
            .answers
            .iter()
            .filter(|r| r.record_type() == RecordType::A)
            .count());
    }
    anyhow::bail!("{name}: no DNS answer from {server}")
}
