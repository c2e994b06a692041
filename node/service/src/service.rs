//! Wiring: builds the node's components in order and runs them on the tokio runtime.
//!
//! storage → client (genesis) → tx pool → author → RPC → metrics → GhostBridge → informant. Every task is
//! owned by the returned [`NodeHandle`]; [`NodeHandle::stop`] stops the RPC server and aborts
//! the tasks, and dropping the handle closes the database.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use ghost_storage::Database;
use ghost_txpool::PoolLimits;
use jsonrpsee::server::ServerHandle;
use tokio::task::JoinHandle;

use crate::authorship::Author;
use crate::client::{Client, ClientError};
use crate::config::NodeConfig;
use crate::metrics::Metrics;
use crate::pool_api::{FullChainApi, TransactionPool};
use crate::rpc::{self, RpcContext};

/// Why the node could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The database could not be opened.
    #[error("database at {path}: {source}")]
    Database {
        /// Its path.
        path: PathBuf,
        /// Why.
        source: ghost_storage::StorageError,
    },
    /// The chain could not be loaded.
    #[error(transparent)]
    Client(#[from] ClientError),
    /// A server could not bind or a directory could not be made.
    #[error("{what}: {source}")]
    Io {
        /// What failed.
        what: String,
        /// Why.
        source: std::io::Error,
    },
}

/// The p2p network of a running node and the consensus worker on it.
#[derive(Clone)]
pub struct NetworkHandle {
    /// The libp2p service (peers, reputation, traffic).
    pub service: Arc<ghost_network::NetworkService>,
    /// The consensus worker (Aura, block exchange, GRANDPA).
    pub worker: Arc<
        crate::consensus::ConsensusWorker<
            ghost_network::NetworkService,
            crate::consensus::TokioTimers,
        >,
    >,
    /// The addresses the node listens on, with its peer id (`…/p2p/<peer id>`).
    pub listen_addresses: Vec<ghost_network::Address>,
}

/// A running node.
pub struct NodeHandle {
    /// The chain.
    pub client: Arc<Client>,
    /// The transaction pool.
    pub pool: Arc<TransactionPool>,
    /// The block author, if this node validates.
    pub author: Option<Arc<Author>>,
    /// Where JSON-RPC listens.
    pub rpc_addr: SocketAddr,
    /// Where Prometheus metrics are served.
    pub prometheus_addr: Option<SocketAddr>,
    /// The metrics.
    pub metrics: Arc<Metrics>,
    /// GhostBridge, if on.
    pub bridge: Option<ghost_bridge::BridgeHandle>,
    /// The p2p network, if on.
    pub network: Option<NetworkHandle>,
    shutdown: tokio::sync::watch::Sender<bool>,
    rpc: ServerHandle,
    tasks: Vec<JoinHandle<()>>,
    _temp_dir: Option<tempfile::TempDir>,
}

impl NodeHandle {
    /// Stops the servers and tasks.
    pub async fn stop(self) {
        let database = Arc::downgrade(self.client.db());
        // Open RPC subscriptions end first: they hold the chain.
        let _ = self.shutdown.send(true);
        if let Some(bridge) = self.bridge {
            bridge.stop().await;
        }
        let _ = self.rpc.stop();
        self.rpc.clone().stopped().await;
        for task in self.tasks {
            task.abort();
            // Wait until the task has dropped what it held (the database among it).
            let _ = task.await;
        }
        drop((
            self.client,
            self.pool,
            self.author,
            self.metrics,
            self.network,
        ));
        // A block being authored on a blocking thread still holds the chain until it returns:
        // wait for the database to close, so the same base path can be opened again at once.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        while database.strong_count() > 0 && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        if database.strong_count() > 0 {
            tracing::warn!(target: "service", "database still in use 30 s after shutdown");
        }
    }
}

fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> ServiceError {
    let what = what.into();
    move |source| ServiceError::Io { what, source }
}

/// Where the database of `spec`'s chain lives under `base_path`.
pub fn chain_db_path(
    base_path: &std::path::Path,
    spec: &ghost_runtime::chain_spec::ChainSpec,
) -> PathBuf {
    base_path.join("chains").join(&spec.id).join("db")
}

/// Opens (or creates, writing the genesis) the chain of `spec` under `base_path`, with the
/// node-local compiled-contract cache: what a node runs on, and what `import-blocks` imports
/// into.
pub fn open_chain(
    base_path: &std::path::Path,
    spec: &ghost_runtime::chain_spec::ChainSpec,
    state_pruning: ghost_storage::StatePruning,
    metrics: Arc<Metrics>,
) -> Result<Client, ServiceError> {
    let db_config = ghost_storage::DatabaseConfig {
        state_pruning,
        ..ghost_storage::DatabaseConfig::default()
    };
    open_chain_with(base_path, spec, &db_config, metrics)
}

/// [`open_chain`] with every database setting given (the node's `--trie-cache-size`).
pub fn open_chain_with(
    base_path: &std::path::Path,
    spec: &ghost_runtime::chain_spec::ChainSpec,
    db_config: &ghost_storage::DatabaseConfig,
    metrics: Arc<Metrics>,
) -> Result<Client, ServiceError> {
    let db_path = chain_db_path(base_path, spec);
    std::fs::create_dir_all(&db_path).map_err(io(format!("creating {}", db_path.display())))?;
    let db = Database::open_with(&db_path, db_config).map_err(|source| ServiceError::Database {
        path: db_path.clone(),
        source,
    })?;
    // Compiled contract modules, by code hash: a node-local cache, never part of consensus.
    ghost_runtime::contracts::cache::set_module_cache(Some(Arc::new(
        ghost_runtime::contracts::cache::LruModuleCache::new(64 << 20, 1024),
    )));
    Ok(Client::new(Arc::new(db), spec.clone(), metrics)?)
}

/// Starts a node.
pub async fn start(config: NodeConfig) -> Result<NodeHandle, ServiceError> {
    let (temp_dir, base_path) = match &config.base_path {
        Some(path) => (None, path.clone()),
        None => {
            let dir = tempfile::Builder::new()
                .prefix("ghostchain-")
                .tempdir()
                .map_err(io("temporary base path"))?;
            let path = dir.path().to_path_buf();
            (Some(dir), path)
        }
    };
    let db_path = chain_db_path(&base_path, &config.chain_spec);
    // ENSIP-15's tables (~0.7 s to load) are loaded once, off the first block with an ENS call.
    tokio::task::spawn_blocking(ghost_primitives::normalize::warm_up);
    let metrics = Arc::new(Metrics::new());
    let db_config = ghost_storage::DatabaseConfig {
        state_pruning: config.state_pruning,
        node_cache_size: config.trie_cache_size,
        ..ghost_storage::DatabaseConfig::default()
    };
    let client = Arc::new(open_chain_with(
        &base_path,
        &config.chain_spec,
        &db_config,
        metrics.clone(),
    )?);
    let (best_hash, best) = client.best()?;
    tracing::info!(
        target: "service",
        "🏷  {} on chain {} (genesis {}), best #{} ({}), database {}",
        config.name,
        client.spec().name,
        client.genesis_hash(),
        best.number,
        best_hash,
        db_path.display()
    );

    let pool = Arc::new(TransactionPool::new(
        Arc::new(FullChainApi::new(client.clone())),
        PoolLimits::default(),
    ));
    let mut tasks = Vec::new();

    // A sole authority is its own GRANDPA supermajority: its author seals and finalizes each
    // block at once (as on --dev), and the worker only serves and follows the chain.
    let sole_authority = config
        .validator_key
        .as_ref()
        .is_some_and(|key| client.spec().genesis_authorities() == [key.public()]);
    // Woken by RPC and GhostBridge submissions: the local author seals on it (dev sealing),
    // or else the consensus worker gossips the new transactions at once.
    let submitted = Arc::new(tokio::sync::Notify::new());
    let network = match &config.network {
        Some(settings) => {
            let network = start_network(
                settings,
                &base_path,
                client.clone(),
                pool.clone(),
                config.validator_key.clone().filter(|_| !sole_authority),
                submitted.clone(),
                &mut tasks,
            )
            .await?;
            tasks.push(tokio::spawn(network_gauges(
                network.clone(),
                metrics.register_network(),
            )));
            Some(network)
        }
        None => None,
    };
    // With a network and several authorities, the consensus worker authors and votes.
    let author = config
        .validator_key
        .clone()
        .filter(|_| network.is_none() || sole_authority)
        .map(|key| {
            Arc::new(Author::new(
                client.clone(),
                pool.clone(),
                key,
                config.instant_finality,
            ))
        });
    let author_wake = match &author {
        Some(author) => {
            tasks.push(tokio::spawn(author.clone().run(config.sealing)));
            author.wake.clone()
        }
        None => submitted,
    };

    let (shutdown, shutdown_signal) = tokio::sync::watch::channel(false);
    let ctx = RpcContext {
        client: client.clone(),
        pool: pool.clone(),
        author_wake: author_wake.clone(),
        metrics: metrics.clone(),
        shutdown: shutdown_signal,
        network: network.clone(),
        starting_block: best.number,
    };
    let (rpc_addr, rpc) = rpc::start(ctx, &config.rpc)
        .await
        .map_err(io(format!("JSON-RPC on {}", config.rpc.addr)))?;
    tracing::info!(target: "service", "JSON-RPC (HTTP + WebSocket) on {rpc_addr}");

    let prometheus_addr = match config.prometheus_addr {
        Some(addr) => {
            let (bound, task) = crate::metrics::serve(metrics.clone(), addr)
                .await
                .map_err(io(format!("Prometheus on {addr}")))?;
            tracing::info!(target: "service", "Prometheus metrics on http://{bound}/metrics");
            tasks.push(task);
            Some(bound)
        }
        None => None,
    };

    let bridge = match &config.bridge {
        Some(bridge_config) => {
            let source = Arc::new(crate::bridge::InProcessSource::new(
                client.clone(),
                pool.clone(),
                author_wake.clone(),
                bridge_config.relayer.clone(),
            ));
            let mut settings = bridge_config.bridge.clone();
            settings.registry = Some(metrics.registry());
            let handle =
                ghost_bridge::start(source, settings)
                    .await
                    .map_err(|e| ServiceError::Io {
                        what: "GhostBridge".into(),
                        source: std::io::Error::other(e),
                    })?;
            Some(handle)
        }
        None => None,
    };

    tasks.push(tokio::spawn(pool_gauges(pool.clone(), metrics.clone())));
    if !config.informant_interval.is_zero() {
        tasks.push(tokio::spawn(crate::informant::run(
            client.clone(),
            pool.clone(),
            network.as_ref().map(|n| n.service.clone()),
            config.informant_interval,
        )));
    }

    Ok(NodeHandle {
        client,
        pool,
        author,
        rpc_addr,
        prometheus_addr,
        metrics,
        bridge,
        network,
        shutdown,
        rpc,
        tasks,
        _temp_dir: temp_dir,
    })
}

/// The node key in `<base path>/network/secret_ed25519` (hex), made on first start.
fn node_key(base_path: &std::path::Path) -> Result<[u8; 32], ServiceError> {
    let dir = base_path.join("network");
    let path = dir.join("secret_ed25519");
    match std::fs::read_to_string(&path) {
        Ok(text) => ghost_network::parse_node_key(&text).map_err(|e| ServiceError::Io {
            what: format!("node key {}", path.display()),
            source: std::io::Error::other(e),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let (_, secret) = ghost_primitives::Pair::generate().map_err(|e| ServiceError::Io {
                what: "generating a node key".into(),
                source: std::io::Error::other(e),
            })?;
            std::fs::create_dir_all(&dir).map_err(io(format!("creating {}", dir.display())))?;
            std::fs::write(&path, hex::encode(secret))
                .map_err(io(format!("writing {}", path.display())))?;
            Ok(secret)
        }
        Err(e) => Err(ServiceError::Io {
            what: format!("reading {}", path.display()),
            source: e,
        }),
    }
}

/// Starts libp2p and the consensus worker on it.
async fn start_network(
    settings: &crate::config::NetworkSettings,
    base_path: &std::path::Path,
    client: Arc<Client>,
    pool: Arc<TransactionPool>,
    key: Option<ghost_primitives::Pair>,
    submitted: Arc<tokio::sync::Notify>,
    tasks: &mut Vec<JoinHandle<()>>,
) -> Result<NetworkHandle, ServiceError> {
    let node_key = match settings.node_key {
        Some(key) => key,
        None => node_key(base_path)?,
    };
    let started = ghost_network::start(ghost_network::NetworkConfig {
        genesis_hash: client.genesis_hash(),
        node_key,
        listen: settings.listen.clone(),
        bootnodes: settings.bootnodes.clone(),
        public_addresses: settings.public_addresses.clone(),
        reserved_nodes: settings.reserved_nodes.clone(),
        reserved_only: settings.reserved_only,
    })
    .await
    .map_err(|e| ServiceError::Io {
        what: "p2p network".into(),
        source: std::io::Error::other(e),
    })?;
    let peer_id = started.service.local_peer_id();
    let listen_addresses: Vec<ghost_network::Address> = started
        .listen_addresses
        .iter()
        .map(|a| a.clone().with(ghost_network::PeerIdProtocol(peer_id)))
        .collect();
    for address in &listen_addresses {
        tracing::info!(target: "service", "p2p on {address}");
    }
    let worker = crate::consensus::ConsensusWorker::new(
        client,
        pool,
        key,
        started.service.clone(),
        Arc::new(crate::consensus::TokioTimers),
    );
    if settings.sync == crate::config::SyncMode::Warp {
        worker.start_warp();
    }
    tasks.push(tokio::spawn(started.task));
    tasks.push(tokio::spawn(worker.clone().run_slots()));
    tasks.push(tokio::spawn(worker.clone().run_network(started.events)));
    tasks.push(tokio::spawn(worker.grandpa().clone().run()));
    tasks.push(tokio::spawn(propagate_on_submit(worker.clone(), submitted)));
    Ok(NetworkHandle {
        service: started.service,
        worker,
        listen_addresses,
    })
}

/// Gossips transactions as soon as a local submission wakes `submitted` (as Substrate
/// propagates on pool import), instead of at the next slot only: a transaction submitted to a
/// node whose slot is not next reaches the next author before it seals. Bursts coalesce: at
/// most one round per [`PROPAGATE_COALESCE`].
async fn propagate_on_submit<N: ghost_consensus::network::Network>(
    worker: Arc<crate::consensus::ConsensusWorker<N, crate::consensus::TokioTimers>>,
    submitted: Arc<tokio::sync::Notify>,
) {
    loop {
        submitted.notified().await;
        worker.propagate_transactions();
        tokio::time::sleep(PROPAGATE_COALESCE).await;
    }
}

/// The shortest time between two propagation rounds woken by submissions.
const PROPAGATE_COALESCE: Duration = Duration::from_millis(10);

/// Keeps the p2p and GRANDPA gauges current.
async fn network_gauges(network: NetworkHandle, gauges: crate::metrics::NetworkGauges) {
    let mut ticker = tokio::time::interval(Duration::from_secs(1));
    let gauge = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
    loop {
        ticker.tick().await;
        let (bytes_in, bytes_out) = network.service.traffic();
        let (set_id, round) = network.worker.grandpa().round();
        gauges.peers.set(gauge(network.service.peer_count() as u64));
        gauges
            .banned
            .set(gauge(network.service.banned().len() as u64));
        gauges.bytes_in.set(gauge(bytes_in));
        gauges.bytes_out.set(gauge(bytes_out));
        gauges.grandpa_round.set(gauge(round));
        gauges.grandpa_set_id.set(gauge(set_id));
        gauges.syncing.set(i64::from(network.worker.is_syncing()));
        let worker = &network.worker;
        gauges
            .sync_target
            .set(gauge(worker.highest_peer_block().unwrap_or(0)));
        gauges
            .ranges_in_flight
            .set(gauge(worker.ranges_in_flight() as u64));
        let imported = worker.imported_from_network();
        let counted = gauges.blocks_from_network.get();
        gauges
            .blocks_from_network
            .inc_by(imported.saturating_sub(counted));
    }
}

/// Keeps the pool gauges current.
async fn pool_gauges(pool: Arc<TransactionPool>, metrics: Arc<Metrics>) {
    let mut ticker = tokio::time::interval(Duration::from_millis(500));
    loop {
        ticker.tick().await;
        let status = pool.status();
        metrics
            .pool_ready
            .set(i64::try_from(status.ready).unwrap_or(i64::MAX));
        metrics
            .pool_future
            .set(i64::try_from(status.future).unwrap_or(i64::MAX));
    }
}
