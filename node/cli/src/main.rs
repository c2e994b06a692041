//! `ghostchain`: the GhostChain node.
//!
//! `ghostchain --dev` runs one validator (Alice) with instant sealing and finality on a
//! temporary database; `--base-path DIR` keeps the chain and resumes it on restart.
//! `ghostchain build-spec --chain dev` prints a chain spec to edit and pass back with `--chain`;
//! `--raw` prints its genesis as raw storage pairs instead.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use ghost_bridge::BridgeConfig;
use ghost_primitives::Pair;
use ghost_runtime::chain_spec::ChainSpec;
use ghost_service::config::BridgeNodeConfig;
use ghost_service::{NetworkSettings, NodeConfig, RpcConfig, RpcMethods, Sealing};

mod dns_flags;

/// The GhostChain node.
#[derive(Parser, Debug)]
#[command(
    name = "ghostchain",
    version,
    about = "GhostChain node: a Substrate-style chain with a DNS namespace"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    run: RunArgs,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Prints a chain spec as JSON (human-editable unless `--raw`).
    BuildSpec {
        /// `dev`, `solo`, `local` or a path to a JSON spec (human or raw).
        #[arg(long, default_value = "dev")]
        chain: String,
        /// Print the genesis as the raw storage key/value pairs (hex) the genesis state root is
        /// computed from, to compare byte for byte; `--chain FILE` loads it back.
        #[arg(long)]
        raw: bool,
    },
    /// Deletes a chain's database under a base path (asks first unless `-y`).
    PurgeChain {
        /// `dev`, `solo`, `local` or a path to a JSON spec: whose database to delete.
        #[arg(long, default_value = "dev")]
        chain: String,
        /// The base path the node was started with.
        #[arg(long, short = 'd')]
        base_path: PathBuf,
        /// Do not ask.
        #[arg(short = 'y')]
        yes: bool,
    },
    /// Prints what a chain's database holds, per column (keys and bytes before compression),
    /// as JSON. The node must be stopped.
    DbStats {
        /// `dev`, `solo`, `local` or a path to a JSON spec: whose database to read.
        #[arg(long, default_value = "dev")]
        chain: String,
        /// The base path the node was started with.
        #[arg(long, short = 'd')]
        base_path: PathBuf,
        /// The `--state-pruning` the node runs with (a pruned database refuses `archive`).
        #[arg(long, value_name = "N|archive", default_value = "archive")]
        state_pruning: ghost_service::StatePruning,
    },
    /// Writes the canonical chain's blocks and their GRANDPA justifications to a file (or `-`
    /// for stdout), to import elsewhere with `import-blocks`. The node must be stopped.
    ExportBlocks {
        /// `dev`, `solo`, `local` or a path to a JSON spec: whose blocks to write.
        #[arg(long, default_value = "dev")]
        chain: String,
        /// The base path the node was started with.
        #[arg(long, short = 'd')]
        base_path: PathBuf,
        /// The first block (1 at the least: every chain has its genesis).
        #[arg(long, default_value_t = 1)]
        from: u64,
        /// The last block (default: the best block).
        #[arg(long)]
        to: Option<u64>,
        /// The `--state-pruning` the node runs with (default: the one the database records).
        #[arg(long, value_name = "N|archive")]
        state_pruning: Option<ghost_service::StatePruning>,
        /// The file to write; `-` for stdout.
        file: PathBuf,
    },
    /// Imports a file of blocks (`export-blocks`) into a base path, checking each as a block
    /// from a peer (seal, re-execution, justifications), and prints what it did as JSON.
    ImportBlocks {
        /// `dev`, `solo`, `local` or a path to a JSON spec: the chain the blocks are of.
        #[arg(long, default_value = "dev")]
        chain: String,
        /// The base path to import into (made if new).
        #[arg(long, short = 'd')]
        base_path: PathBuf,
        /// State to keep, as `ghostchain --state-pruning`.
        #[arg(long, value_name = "N|archive", default_value = "256")]
        state_pruning: ghost_service::StatePruning,
        /// The file to read; `-` for stdin.
        file: PathBuf,
    },
    /// Grows a chain to many registered names for state-growth measurements: real
    /// registrations, signed by funded accounts, authored into blocks by the chain's sole
    /// validator as a `--dev` node would (no RPC, no network), and prints per-block timings as
    /// the state grows, as JSON. The node must be stopped; start it on the base path afterwards.
    SeedState {
        /// `dev`, `solo` or a path to a JSON spec whose only validator is `--key`.
        #[arg(long, default_value = "dev")]
        chain: String,
        /// The base path to grow (made if new).
        #[arg(long, short = 'd')]
        base_path: PathBuf,
        /// State to keep, as `ghostchain --state-pruning` (`--dev` runs archive).
        #[arg(long, value_name = "N|archive", default_value = "archive")]
        state_pruning: ghost_service::StatePruning,
        /// Names to register.
        #[arg(long, default_value_t = 10_000)]
        names: u64,
        /// `A` records per name.
        #[arg(long, default_value_t = 3)]
        records: u32,
        /// Registrations offered to each block (a block takes what fits its weight).
        #[arg(long, default_value_t = 2_000)]
        per_block: usize,
        /// The names are `PREFIX<i>.ghost`.
        #[arg(long, default_value = "seed")]
        prefix: String,
        /// Days each name is registered for.
        #[arg(long, default_value_t = 365)]
        days: u64,
        /// The validator key that seals (`//Alice` on the dev chain).
        #[arg(long, default_value = "//Alice")]
        key: String,
        /// A funded account to sign registrations (repeatable; default: the six dev accounts).
        #[arg(long = "signer", value_name = "SURI")]
        signers: Vec<String>,
    },
    /// Key utilities.
    Key {
        #[command(subcommand)]
        command: KeyCommand,
    },
}

#[derive(Subcommand, Debug)]
enum KeyCommand {
    /// Generates a random key and prints its seed, address and public key.
    Generate,
    /// Prints the address and public key of a secret URI (`//Alice`, `0x<seed>`).
    Inspect {
        /// The secret URI.
        suri: String,
    },
    /// Stores a validator key in the keystore of a chain under a base path
    /// (`<base-path>/chains/<chain-id>/keystore`), for `--validator` without `--key`.
    Insert {
        /// The node's base path.
        #[arg(long, short = 'd')]
        base_path: PathBuf,
        /// The chain spec (`local`, `solo` or a JSON file).
        #[arg(long, default_value = "local")]
        chain: String,
        /// The key's secret URI (`//Name` or `0x` + 64 hex digits).
        #[arg(long)]
        suri: String,
    },
    /// Generates a p2p node key: prints its secret (for `--node-key`) and its peer id.
    GenerateNodeKey,
    /// Prints the peer id of a p2p node key (64 hex digits).
    InspectNodeKey {
        /// The node key.
        key: String,
    },
}

#[derive(clap::Args, Debug)]
struct RunArgs {
    /// Development chain: Alice validates alone, instant sealing and finality, temporary state
    /// unless `--base-path` is given.
    #[arg(long)]
    dev: bool,
    /// Chain spec: `dev`, `solo` (Alice alone in Aura slots), `local` or a JSON file.
    #[arg(long)]
    chain: Option<String>,
    /// Where the node keeps its database.
    #[arg(long, short = 'd')]
    base_path: Option<PathBuf>,
    /// Author blocks (needs `--key`, implied by `--dev`).
    #[arg(long)]
    validator: bool,
    /// The validator's secret URI.
    #[arg(long)]
    key: Option<String>,
    /// The node's name in logs.
    #[arg(long, default_value = "ghost-node")]
    name: String,
    /// Sealing: `instant` or `interval:<ms>` (dev chains; default `instant`), or `aura` (a
    /// block in each of this key's slots; the default on every other chain).
    #[arg(long)]
    sealing: Option<Sealing>,
    /// JSON-RPC port (HTTP and WebSocket).
    #[arg(long, default_value_t = 9944)]
    rpc_port: u16,
    /// Listen for JSON-RPC on all interfaces instead of 127.0.0.1 (only safe methods unless
    /// `--rpc-methods unsafe`).
    #[arg(long)]
    rpc_external: bool,
    /// `safe` or `unsafe`.
    #[arg(long, default_value = "safe")]
    rpc_methods: RpcMethods,
    /// Maximum concurrent JSON-RPC connections.
    #[arg(long, default_value_t = 100)]
    rpc_max_connections: u32,
    /// Prometheus port (127.0.0.1).
    #[arg(long, default_value_t = 9615)]
    prometheus_port: u16,
    /// Do not serve Prometheus metrics.
    #[arg(long)]
    no_prometheus: bool,
    /// p2p port (TCP on 127.0.0.1 unless `--listen-addr` is given). Not used by `--dev`.
    #[arg(long, default_value_t = 30333)]
    port: u16,
    /// p2p listen address (repeatable), e.g. `/ip4/0.0.0.0/tcp/30333`; overrides `--port`.
    #[arg(long)]
    listen_addr: Vec<ghost_network::Address>,
    /// Peers to connect to at start (repeatable): `/ip4/…/tcp/…/p2p/<peer id>`.
    #[arg(long, num_args = 1..)]
    bootnodes: Vec<ghost_network::Address>,
    /// The p2p identity as 32 bytes of hex (default: `<base path>/network/secret_ed25519`,
    /// made on first start; see `ghostchain key generate-node-key`).
    #[arg(long)]
    node_key: Option<String>,
    /// An address peers can reach this node at (repeatable; a node behind NAT).
    #[arg(long)]
    public_addr: Vec<ghost_network::Address>,
    /// Peers always connected to (repeatable); with `--reserved-only` the only ones allowed.
    #[arg(long)]
    reserved_nodes: Vec<ghost_network::Address>,
    /// Accept only `--reserved-nodes` as peers.
    #[arg(long)]
    reserved_only: bool,
    /// How a new node catches up: `full` (every block from genesis) or `warp` (a recent
    /// finalized block proven from genesis, and its state; blocks below it are not stored).
    /// Warp applies only to an empty base path.
    #[arg(long, default_value = "full", value_name = "full|warp")]
    sync: ghost_service::SyncMode,
    /// Do not run GhostBridge (gRPC + DNS).
    #[arg(long)]
    no_bridge: bool,
    /// GhostBridge gRPC port (127.0.0.1, or all interfaces with `--rpc-external`).
    #[arg(long, default_value_t = 50051)]
    grpc_port: u16,
    /// GhostBridge authoritative DNS port, UDP and TCP (127.0.0.1).
    #[arg(long, default_value_t = 5335)]
    dns_port: u16,
    /// State to keep: `archive` (every block's state; the `--dev` default), or N to keep the
    /// state of non-finalized blocks and of the last N finalized ones (default 256 outside
    /// `--dev`). A pruned database cannot be reopened as an archive.
    #[arg(long, value_name = "N|archive")]
    state_pruning: Option<ghost_service::StatePruning>,
    /// MiB of state trie nodes kept in memory in front of the database (0 turns it off).
    #[arg(long, value_name = "MiB", default_value_t = 64)]
    trie_cache_size: usize,
    /// Which state DNS answers from: `best` or `finalized`.
    #[arg(long, default_value = "best", value_parser = ["best", "finalized"])]
    dns_state: String,
    #[command(flatten)]
    dns: dns_flags::DnsFlags,
    /// The account that pays for signed record updates relayed by GhostBridge (default: //Ferdie
    /// on dev chains; none elsewhere, so updates are refused until one is given).
    #[arg(long)]
    bridge_relayer_key: Option<String>,
    /// Log filter, e.g. `info,client=debug`.
    #[arg(long, short = 'l', default_value = "info")]
    log: String,
}

fn init_logging(filter: &str) -> anyhow::Result<()> {
    // hickory logs every DNS request at info; keep the node's log about the node.
    let filter = format!("hickory_server=warn,{filter}");
    let filter = tracing_subscriber::EnvFilter::try_new(filter).context("invalid --log filter")?;
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_writer(std::io::stderr)
        .init();
    Ok(())
}

fn node_config(args: RunArgs) -> anyhow::Result<NodeConfig> {
    let chain = args.chain.clone().unwrap_or_else(|| "dev".into());
    let spec = ChainSpec::load(&chain).with_context(|| format!("loading chain spec `{chain}`"))?;
    let validator_key = match (&args.key, args.dev) {
        (Some(suri), _) => Some(Pair::from_suri(suri).context("--key")?),
        (None, true) => Some(Pair::dev("Alice")),
        // A real validator's key lives in the keystore of its base path (`key insert`).
        (None, false) if args.validator => {
            let Some(base_path) = &args.base_path else {
                bail!(
                    "--validator needs --key <SURI>, or --base-path with a key in its keystore \
                     (`ghostchain key insert`)"
                );
            };
            let keystore = ghost_client::Keystore::of_chain(base_path, &spec.id);
            let signer = keystore.only_signer().context("--validator")?;
            tracing::info!(
                "🔑 validator key {} from {}",
                signer.account(),
                keystore.dir().display()
            );
            Some(signer.pair().clone())
        }
        (None, false) => None,
    };
    let spec_is_dev = spec.chain_type == ghost_runtime::chain_spec::ChainType::Development;
    // A key outside the genesis set is a validator-to-be (as with Substrate's keystore): the
    // node follows the chain, and authors and votes while the on-chain set includes the key.
    // A development chain has no peers to follow, so there it must be the genesis authority.
    if let Some(key) = &validator_key
        && !spec.genesis_authorities().contains(&key.public())
    {
        if spec_is_dev {
            bail!(
                "{} is not an authority of development chain `{}`",
                key.public(),
                spec.id
            );
        }
        tracing::info!(
            "🔑 {} is not in the genesis validator set of `{}`: following the chain until the \
             on-chain set includes it",
            key.public(),
            spec.id
        );
    }
    // Every chain but a development one talks to peers.
    let network = if spec_is_dev {
        None
    } else {
        let listen = if args.listen_addr.is_empty() {
            vec![
                format!("/ip4/127.0.0.1/tcp/{}", args.port)
                    .parse()
                    .context("--port")?,
            ]
        } else {
            args.listen_addr.clone()
        };
        let node_key = args
            .node_key
            .as_deref()
            .map(ghost_network::parse_node_key)
            .transpose()
            .context("--node-key")?;
        Some(NetworkSettings {
            listen,
            bootnodes: args.bootnodes.clone(),
            node_key,
            public_addresses: args.public_addr.clone(),
            reserved_nodes: args.reserved_nodes.clone(),
            reserved_only: args.reserved_only,
            sync: args.sync,
        })
    };
    let rpc_ip: IpAddr = if args.rpc_external {
        Ipv4Addr::UNSPECIFIED.into()
    } else {
        Ipv4Addr::LOCALHOST.into()
    };
    let bridge = if args.no_bridge {
        None
    } else {
        // Only a dev chain has a default relayer (a well-known dev key); elsewhere an operator
        // chooses who pays, or updates are refused.
        let relayer = match &args.bridge_relayer_key {
            Some(suri) => Some(Pair::from_suri(suri).context("--bridge-relayer-key")?),
            None if spec_is_dev => Some(Pair::dev("Ferdie")),
            None => None,
        };
        Some(BridgeNodeConfig {
            bridge: BridgeConfig {
                grpc_addr: Some(SocketAddr::new(rpc_ip, args.grpc_port)),
                dns_addr: Some(SocketAddr::from(([127, 0, 0, 1], args.dns_port))),
                finalized: args.dns_state == "finalized",
                dns_limits: args.dns.limits(),
                dns_soa: args.dns.soa()?,
                registry: None,
            },
            relayer,
        })
    };
    Ok(NodeConfig {
        chain_spec: spec,
        base_path: args.base_path,
        name: args.name,
        validator_key,
        sealing: args.sealing.unwrap_or(if spec_is_dev {
            Sealing::Instant
        } else {
            Sealing::Aura
        }),
        // A single authority is its own GRANDPA majority: each block is final once sealed.
        instant_finality: true,
        rpc: RpcConfig {
            addr: SocketAddr::new(rpc_ip, args.rpc_port),
            methods: args.rpc_methods,
            max_connections: args.rpc_max_connections,
            ..RpcConfig::default()
        },
        prometheus_addr: (!args.no_prometheus)
            .then(|| SocketAddr::from(([127, 0, 0, 1], args.prometheus_port))),
        informant_interval: Duration::from_secs(5),
        bridge,
        network,
        state_pruning: args.state_pruning.unwrap_or(if args.dev {
            ghost_service::StatePruning::Archive
        } else {
            ghost_service::StatePruning::DEFAULT_WINDOW
        }),
        trie_cache_size: args.trie_cache_size.saturating_mul(1 << 20),
    })
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(term) => term,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}

fn print_key(pair: &Pair, seed: Option<[u8; 32]>) {
    if let Some(seed) = seed {
        println!("Secret seed: 0x{}", hex::encode(seed));
    }
    println!("Address:     {}", pair.public());
    println!("Public key:  {}", pair.public().to_hex());
}

/// `ghostchain db-stats`: the chain's heights, the pruning window and every column's size.
fn db_stats(
    chain: &str,
    base_path: &std::path::Path,
    state_pruning: ghost_service::StatePruning,
) -> anyhow::Result<()> {
    use ghost_storage::{Database, DatabaseConfig, schema::col};
    let spec = ChainSpec::load(chain)?;
    let path = base_path.join("chains").join(&spec.id).join("db");
    if !path.exists() {
        bail!("{} does not exist", path.display());
    }
    let config = DatabaseConfig {
        state_pruning,
        ..DatabaseConfig::default()
    };
    let db = Database::open_with(&path, &config)
        .with_context(|| format!("opening {}", path.display()))?;
    let mut columns = serde_json::Map::new();
    for column in col::ALL {
        let stats = db.column_stats(column)?;
        columns.insert(
            column.into(),
            serde_json::json!({ "keys": stats.keys, "bytes": stats.bytes }),
        );
    }
    let report = serde_json::json!({
        "state_pruning": db.state_pruning().to_string(),
        "best": db.best()?.1,
        "finalized": db.finalized()?.1,
        "oldest_state": db.oldest_state()?,
        "columns": columns,
    });
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(())
}

/// `ghostchain export-blocks`.
fn export_blocks(
    chain: &str,
    base_path: &std::path::Path,
    range: (u64, Option<u64>),
    state_pruning: Option<ghost_service::StatePruning>,
    file: &std::path::Path,
) -> anyhow::Result<()> {
    use ghost_service::service::{ServiceError, open_chain};
    let spec = ChainSpec::load(chain)?;
    let db = ghost_service::service::chain_db_path(base_path, &spec);
    if !db.exists() {
        bail!("{} does not exist", db.display());
    }
    let open = |pruning| {
        open_chain(
            base_path,
            &spec,
            pruning,
            std::sync::Arc::new(ghost_service::metrics::Metrics::new()),
        )
    };
    // Without a mode given, the database's own: reading blocks never changes it.
    let client = match (state_pruning, open(state_pruning.unwrap_or_default())) {
        (
            None,
            Err(ServiceError::Database {
                source: ghost_storage::StorageError::PruningModeMismatch { window },
                ..
            }),
        ) => open(
            std::num::NonZeroU32::new(window)
                .map_or_else(Default::default, ghost_service::StatePruning::Window),
        )?,
        (_, opened) => opened?,
    };
    let mut out: Box<dyn std::io::Write> = if file == std::path::Path::new("-") {
        Box::new(std::io::BufWriter::new(std::io::stdout().lock()))
    } else {
        Box::new(std::io::BufWriter::new(
            std::fs::File::create(file).with_context(|| format!("creating {}", file.display()))?,
        ))
    };
    let report = ghost_service::blocks_io::export_blocks(&client, range.0, range.1, &mut out)?;
    eprintln!("{}", serde_json::to_string(&report)?);
    Ok(())
}

/// `ghostchain import-blocks`.
fn import_blocks(
    chain: &str,
    base_path: &std::path::Path,
    state_pruning: ghost_service::StatePruning,
    file: &std::path::Path,
) -> anyhow::Result<()> {
    let spec = ChainSpec::load(chain)?;
    let client = ghost_service::service::open_chain(
        base_path,
        &spec,
        state_pruning,
        std::sync::Arc::new(ghost_service::metrics::Metrics::new()),
    )?;
    let mut input: Box<dyn std::io::Read> = if file == std::path::Path::new("-") {
        Box::new(std::io::BufReader::new(std::io::stdin().lock()))
    } else {
        Box::new(std::io::BufReader::new(
            std::fs::File::open(file).with_context(|| format!("opening {}", file.display()))?,
        ))
    };
    let report = ghost_service::blocks_io::import_blocks(&client, &mut input, |so_far| {
        eprintln!(
            "imported {} blocks ({} extrinsics) in {:.1} s",
            so_far.blocks, so_far.extrinsics, so_far.seconds
        );
    })?;
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(())
}

/// `ghostchain seed-state`.
fn seed_state(
    chain: &str,
    base_path: &std::path::Path,
    state_pruning: ghost_service::StatePruning,
    key: &str,
    signers: &[String],
    config: &ghost_service::seed::SeedConfig,
) -> anyhow::Result<()> {
    let spec = ChainSpec::load(chain)?;
    let author = Pair::from_suri(key).with_context(|| format!("--key {key}"))?;
    let signers: Vec<Pair> = if signers.is_empty() {
        ghost_primitives::crypto::DEV_ACCOUNTS
            .iter()
            .map(|name| Pair::from_suri(&format!("//{name}")))
            .collect::<Result<_, _>>()?
    } else {
        signers
            .iter()
            .map(|suri| Pair::from_suri(suri).with_context(|| format!("--signer {suri}")))
            .collect::<Result<_, _>>()?
    };
    let client = std::sync::Arc::new(ghost_service::service::open_chain(
        base_path,
        &spec,
        state_pruning,
        std::sync::Arc::new(ghost_service::metrics::Metrics::new()),
    )?);
    let mut last_print = std::time::Instant::now();
    let report = ghost_service::seed::seed_names(client, author, &signers, config, |sample| {
        if last_print.elapsed() >= std::time::Duration::from_secs(1) {
            last_print = std::time::Instant::now();
            eprintln!(
                "{} names, block #{} ({} registrations, {:.1} ms, {:.1} µs each)",
                sample.names,
                sample.block,
                sample.extrinsics,
                sample.block_ms,
                sample.per_registration_us
            );
        }
    })?;
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::BuildSpec { chain, raw }) => {
            let spec = ChainSpec::load(&chain)?;
            if raw {
                println!("{}", spec.to_raw_json()?);
            } else {
                println!("{}", spec.to_json());
            }
            Ok(())
        }
        Some(Command::PurgeChain {
            chain,
            base_path,
            yes,
        }) => {
            let spec = ChainSpec::load(&chain)?;
            let db = base_path.join("chains").join(&spec.id).join("db");
            if !db.exists() {
                println!("{} does not exist: nothing to purge", db.display());
                return Ok(());
            }
            if !yes {
                use std::io::Write;
                print!(
                    "Delete the database of chain `{}` at {}? [y/N] ",
                    spec.id,
                    db.display()
                );
                std::io::stdout().flush()?;
                let mut answer = String::new();
                std::io::stdin().read_line(&mut answer)?;
                if !matches!(answer.trim(), "y" | "Y" | "yes") {
                    println!("Aborted");
                    return Ok(());
                }
            }
            std::fs::remove_dir_all(&db).with_context(|| format!("removing {}", db.display()))?;
            println!("{} removed", db.display());
            Ok(())
        }
        Some(Command::DbStats {
            chain,
            base_path,
            state_pruning,
        }) => db_stats(&chain, &base_path, state_pruning),
        Some(Command::ExportBlocks {
            chain,
            base_path,
            from,
            to,
            state_pruning,
            file,
        }) => export_blocks(&chain, &base_path, (from, to), state_pruning, &file),
        Some(Command::ImportBlocks {
            chain,
            base_path,
            state_pruning,
            file,
        }) => import_blocks(&chain, &base_path, state_pruning, &file),
        Some(Command::SeedState {
            chain,
            base_path,
            state_pruning,
            names,
            records,
            per_block,
            prefix,
            days,
            key,
            signers,
        }) => {
            let config = ghost_service::seed::SeedConfig {
                names,
                records,
                per_block,
                prefix,
                duration_ms: days.saturating_mul(24 * 60 * 60 * 1000),
            };
            seed_state(&chain, &base_path, state_pruning, &key, &signers, &config)
        }
        Some(Command::Key {
            command: KeyCommand::Generate,
        }) => {
            let (pair, seed) = Pair::generate()?;
            print_key(&pair, Some(seed));
            Ok(())
        }
        Some(Command::Key {
            command:
                KeyCommand::Insert {
                    base_path,
                    chain,
                    suri,
                },
        }) => {
            let spec = ChainSpec::load(&chain)?;
            let keystore = ghost_client::Keystore::of_chain(&base_path, &spec.id);
            let account = keystore.insert(&suri)?;
            println!("Address:  {account}");
            println!("Keystore: {}", keystore.dir().display());
            Ok(())
        }
        Some(Command::Key {
            command: KeyCommand::GenerateNodeKey,
        }) => {
            let (_, secret) = Pair::generate()?;
            println!("Node key: {}", hex::encode(secret));
            println!("Peer id:  {}", ghost_network::peer_id_of(secret)?);
            Ok(())
        }
        Some(Command::Key {
            command: KeyCommand::InspectNodeKey { key },
        }) => {
            let secret = ghost_network::parse_node_key(&key)?;
            println!("{}", ghost_network::peer_id_of(secret)?);
            Ok(())
        }
        Some(Command::Key {
            command: KeyCommand::Inspect { suri },
        }) => {
            print_key(&Pair::from_suri(&suri)?, None);
            Ok(())
        }
        None => {
            init_logging(&cli.run.log)?;
            let config = node_config(cli.run)?;
            let node = ghost_service::start(config).await?;
            shutdown_signal().await;
            tracing::info!("shutting down");
            node.stop().await;
            Ok(())
        }
    }
}
