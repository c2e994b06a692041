//! `ghostbridge`: GhostBridge as a standalone sidecar.
//!
//! Follows a GhostChain node over JSON-RPC (`--node ws://127.0.0.1:9944`) and serves the same
//! gRPC `GhostDNSService` and authoritative DNS as the node's built-in bridge, so DNS capacity
//! can be scaled out apart from validators. Signed record updates received over gRPC are
//! relayed to the node as extrinsics paid by `--relayer-key`.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use ghost_bridge::remote::RemoteSource;
use ghost_bridge::{BridgeConfig, ChainSource};
use ghost_primitives::Pair;

#[path = "../dns_flags.rs"]
mod dns_flags;

/// GhostBridge sidecar.
#[derive(Parser, Debug)]
#[command(
    name = "ghostbridge",
    version,
    about = "GhostBridge: gRPC + authoritative DNS for .ghost/.bc, following a node"
)]
struct Cli {
    /// The node's JSON-RPC WebSocket endpoint.
    #[arg(long, default_value = "ws://127.0.0.1:9944", env = "GHOST_RPC")]
    node: String,
    /// gRPC port (127.0.0.1).
    #[arg(long, default_value_t = 50051)]
    grpc_port: u16,
    /// DNS port, UDP and TCP (127.0.0.1).
    #[arg(long, default_value_t = 5335)]
    dns_port: u16,
    /// Which state to serve: `best` or `finalized`.
    #[arg(long, default_value = "best", value_parser = ["best", "finalized"])]
    dns_state: String,
    /// Do not serve gRPC.
    #[arg(long)]
    no_grpc: bool,
    /// Do not serve DNS.
    #[arg(long)]
    no_dns: bool,
    #[command(flatten)]
    dns: dns_flags::DnsFlags,
    /// The account that pays for relayed signed updates (none: UpdateContractDomain is refused).
    #[arg(long)]
    relayer_key: Option<String>,
    /// Prometheus metrics port (127.0.0.1; `/metrics`).
    #[arg(long, default_value_t = 9616)]
    prometheus_port: u16,
    /// Do not serve Prometheus metrics.
    #[arg(long)]
    no_prometheus: bool,
    /// Log filter.
    #[arg(long, short = 'l', default_value = "info")]
    log: String,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let filter = tracing_subscriber::EnvFilter::try_new(format!("hickory_server=warn,{}", cli.log))
        .context("invalid --log filter")?;
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_writer(std::io::stderr)
        .init();
    let relayer = cli
        .relayer_key
        .as_deref()
        .map(Pair::from_suri)
        .transpose()
        .context("--relayer-key")?;
    let source: Arc<dyn ChainSource> = Arc::new(RemoteSource::new(cli.node.clone(), relayer));
    let registry = Arc::new(parking_lot::Mutex::new(
        prometheus_client::registry::Registry::with_prefix("ghostbridge"),
    ));
    let config = BridgeConfig {
        grpc_addr: (!cli.no_grpc).then(|| SocketAddr::from((Ipv4Addr::LOCALHOST, cli.grpc_port))),
        dns_addr: (!cli.no_dns).then(|| SocketAddr::from((Ipv4Addr::LOCALHOST, cli.dns_port))),
        finalized: cli.dns_state == "finalized",
        dns_limits: cli.dns.limits(),
        dns_soa: cli.dns.soa()?,
        registry: Some(registry.clone()),
    };
    // Wait for the node: a sidecar may start before it.
    let bridge = loop {
        match ghost_bridge::start(source.clone(), config.clone()).await {
            Ok(bridge) => break bridge,
            Err(ghost_bridge::run::StartError::Chain(e)) => {
                tracing::warn!("waiting for the node at {}: {e}", cli.node);
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            Err(e) => return Err(e.into()),
        }
    };
    tracing::info!(
        "following {} with {} names indexed",
        cli.node,
        bridge.index.len()
    );
    let _metrics = if cli.no_prometheus {
        None
    } else {
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, cli.prometheus_port));
        let (bound, task) = ghost_service::metrics::serve_registry(registry, addr)
            .await
            .with_context(|| format!("Prometheus on {addr}"))?;
        tracing::info!("Prometheus metrics on http://{bound}/metrics");
        Some(task)
    };
    tokio::signal::ctrl_c()
        .await
        .context("waiting for Ctrl-C")?;
    bridge.stop().await;
    Ok(())
}
