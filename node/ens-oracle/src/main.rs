//! `ens-oracle`: watches ENS on Ethereum and submits attestations to GhostChain's ENS bridge.
//!
//! ```text
//! ens-oracle --eth-rpc http[s]://HOST[:PORT][/PATH] --node ws://127.0.0.1:9944 --key //Dave \
//!            --ens-registry 0x… [--eth-ca-cert PEM] [--confirmations N] [--base-path DIR] [--poll-ms MS]
//!            [--coin-type N …] [--prometheus-port P | --no-prometheus]
//! ```

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use ens_oracle::metrics::{self, Metrics};
use ens_oracle::{Config, Oracle};
use ghost_client::Signer;

/// The ENS oracle daemon.
#[derive(Debug, Parser)]
#[command(
    name = "ens-oracle",
    version,
    about = "Watches ENS on Ethereum and submits attestations to GhostChain's ENS bridge"
)]
struct Cli {
    /// Ethereum JSON-RPC endpoint: http:// or https:// (certificates checked against Mozilla's
    /// roots and --eth-ca-cert).
    #[arg(
        long,
        env = "ENS_ORACLE_ETH_RPC",
        default_value = "http://127.0.0.1:8545"
    )]
    eth_rpc: String,
    /// More CA certificates (PEM) to trust for an https:// Ethereum node (its own CA, or its
    /// self-signed certificate).
    #[arg(long, value_name = "PEM")]
    eth_ca_cert: Option<PathBuf>,
    /// GhostChain node (ws://).
    #[arg(long, env = "ENS_ORACLE_NODE", default_value = "ws://127.0.0.1:9944")]
    node: String,
    /// The oracle's secret URI (`//Dave` or a `0x` seed).
    #[arg(long, env = "ENS_ORACLE_KEY", value_name = "SURI")]
    key: String,
    /// The ENS registry (default: mainnet's).
    #[arg(
        long,
        value_name = "0x…",
        default_value = "0x00000000000C2E074eC69A0dFb2997BA6C7d2e1e"
    )]
    ens_registry: String,
    /// Confirmations a block needs before it is attested (1: the head).
    #[arg(long, default_value_t = 12, value_parser = clap::value_parser!(u64).range(1..))]
    confirmations: u64,
    /// Where the last processed blocks are kept (resumed from on restart).
    #[arg(long, value_name = "DIR", default_value = "ens-oracle-data")]
    base_path: PathBuf,
    /// How often to poll both nodes, in ms.
    #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u64).range(10..))]
    poll_ms: u64,
    /// Coin types read besides ETH (60), e.g. 0 (BTC) or 2147483658 (OP); repeatable.
    #[arg(long = "coin-type", value_name = "N", default_values_t = [0u32])]
    coin_types: Vec<u32>,
    /// Seconds each request to either node may take.
    #[arg(long, default_value_t = 30)]
    timeout: u64,
    /// Prometheus port (127.0.0.1; 0: any free port, printed at start).
    #[arg(long, default_value_t = 9616)]
    prometheus_port: u16,
    /// Serve no metrics.
    #[arg(long)]
    no_prometheus: bool,
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let registry = cli
        .ens_registry
        .parse()
        .map_err(|e| anyhow::anyhow!("--ens-registry `{}`: {e}", cli.ens_registry))?;
    let signer = Signer::from_suri(&cli.key).map_err(|e| anyhow::anyhow!("--key: {e}"))?;
    let config = Config {
        eth_rpc: cli.eth_rpc,
        eth_ca_file: cli.eth_ca_cert,
        node: cli.node,
        registry,
        confirmations: cli.confirmations,
        base_path: cli.base_path,
        poll: Duration::from_millis(cli.poll_ms),
        coin_types: cli.coin_types,
        timeout: Duration::from_secs(cli.timeout.max(1)),
    };
    let metrics = Metrics::new();
    // Checked (URL, base path, state file) before any port is bound.
    let oracle = Oracle::new(config.clone(), signer.clone(), metrics.clone())?;
    let _server = if cli.no_prometheus {
        None
    } else {
        let addr = SocketAddr::from(([127, 0, 0, 1], cli.prometheus_port));
        let (bound, task) = metrics::serve(metrics, addr)
            .await
            .map_err(|e| anyhow::anyhow!("prometheus on {addr}: {e}"))?;
        tracing::info!("prometheus: http://{bound}/metrics");
        println!("prometheus: http://{bound}/metrics");
        Some(task)
    };
    tracing::info!(
        "ens-oracle {} watching {} (registry {}, {} confirmations) for {}, resuming after {:?}",
        signer.account(),
        config.eth_rpc,
        config.registry,
        config.confirmations,
        config.node,
        oracle.last_processed().map(|b| b.number)
    );
    tokio::select! {
        () = oracle.run() => Ok(()),
        signal = tokio::signal::ctrl_c() => {
            signal?;
            tracing::info!("stopping");
            Ok(())
        }
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    match run(Cli::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
