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
        drop((self.client, self.pool, self.author, self.metrics));
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
    let db_path = base_path
        .join("chains")
        .join(&config.chain_spec.id)
        .join("db");
    std::fs::create_dir_all(&db_path).map_err(io(format!("creating {}", db_path.display())))?;
    let db = Database::open(&db_path).map_err(|source| ServiceError::Database {
        path: db_path.clone(),
        source,
    })?;
    let metrics = Arc::new(Metrics::new());
    // ENSIP-15's tables (~0.7 s to load) are loaded once, off the first block with an ENS call.
    tokio::task::spawn_blocking(ghost_primitives::normalize::warm_up);
    // Compiled contract modules, by code hash: a node-local cache, never part of consensus.
    ghost_runtime::contracts::cache::set_module_cache(Some(Arc::new(
        ghost_runtime::contracts::cache::LruModuleCache::new(64 << 20, 1024),
    )));
    let client = Arc::new(Client::new(
        Arc::new(db),
        config.chain_spec.clone(),
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

    let author = config.validator_key.clone().map(|key| {
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
        None => Arc::new(tokio::sync::Notify::new()),
    };

    let (shutdown, shutdown_signal) = tokio::sync::watch::channel(false);
    let ctx = RpcContext {
        client: client.clone(),
        pool: pool.clone(),
        author_wake: author_wake.clone(),
        metrics: metrics.clone(),
        shutdown: shutdown_signal,
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
        shutdown,
        rpc,
        tasks,
        _temp_dir: temp_dir,
    })
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
