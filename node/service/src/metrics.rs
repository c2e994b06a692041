//! Prometheus metrics, served as text on `/metrics` (127.0.0.1:9615 by default).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Label of RPC call counts.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct MethodLabel {
    /// The JSON-RPC method.
    pub method: String,
}

/// Label of refused imports: what was refused and why.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RefusalLabel {
    /// `block` or `justification`.
    pub kind: &'static str,
    /// The error kind, e.g. `bad_seal`, `state_root`, `unknown_parent`.
    pub reason: &'static str,
}

/// The node's metrics.
pub struct Metrics {
    registry: Arc<parking_lot::Mutex<Registry>>,
    /// Best block number.
    pub best_height: Gauge,
    /// Finalized block number.
    pub finalized_height: Gauge,
    /// Ready transactions in the pool.
    pub pool_ready: Gauge,
    /// Future transactions in the pool.
    pub pool_future: Gauge,
    /// Time to import a block (seconds).
    pub block_import_seconds: Histogram,
    /// JSON-RPC calls by method.
    pub rpc_calls: Family<MethodLabel, Counter>,
    /// Blocks and justifications refused at import, by reason.
    pub import_refused: Family<RefusalLabel, Counter>,
    /// Block equivocations seen at import (an author sealing two headers in one slot).
    pub aura_equivocations: Counter,
    /// State trie node reads the node cache answered.
    pub trie_cache_hits: Counter,
    /// State trie node reads it did not (read from RocksDB).
    pub trie_cache_misses: Counter,
    /// Bytes the node cache holds.
    pub trie_cache_bytes: Gauge,
    /// Serializes [`Metrics::observe_trie_cache`]'s read-then-add of the counters.
    trie_cache_observe: parking_lot::Mutex<()>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// Registers every metric under the `ghostchain_` prefix.
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("ghostchain");
        let best_height = Gauge::default();
        let finalized_height = Gauge::default();
        let pool_ready = Gauge::default();
        let pool_future = Gauge::default();
        let block_import_seconds = Histogram::new(exponential_buckets(0.0001, 2.0, 16));
        let rpc_calls = Family::<MethodLabel, Counter>::default();
        let import_refused = Family::<RefusalLabel, Counter>::default();
        let aura_equivocations = Counter::default();
        let trie_cache_hits = Counter::default();
        let trie_cache_misses = Counter::default();
        let trie_cache_bytes = Gauge::default();
        registry.register(
            "trie_cache_hits",
            "State trie node reads the node cache answered",
            trie_cache_hits.clone(),
        );
        registry.register(
            "trie_cache_misses",
            "State trie node reads the node cache did not answer (read from RocksDB)",
            trie_cache_misses.clone(),
        );
        registry.register(
            "trie_cache_bytes",
            "Bytes of trie nodes the node cache holds",
            trie_cache_bytes.clone(),
        );
        registry.register(
            "block_height_best",
            "Best block number",
            best_height.clone(),
        );
        registry.register(
            "block_height_finalized",
            "Finalized block number",
            finalized_height.clone(),
        );
        registry.register(
            "txpool_ready",
            "Ready transactions in the pool",
            pool_ready.clone(),
        );
        registry.register(
            "txpool_future",
            "Future transactions in the pool",
            pool_future.clone(),
        );
        registry.register(
            "block_import_seconds",
            "Time to verify, execute and commit a block",
            block_import_seconds.clone(),
        );
        registry.register("rpc_calls", "JSON-RPC calls by method", rpc_calls.clone());
        registry.register(
            "import_refused",
            "Blocks and justifications refused at import, by reason",
            import_refused.clone(),
        );
        registry.register(
            "aura_equivocations",
            "Block equivocations seen at import (two headers of one author in one slot)",
            aura_equivocations.clone(),
        );
        Metrics {
            registry: Arc::new(parking_lot::Mutex::new(registry)),
            best_height,
            finalized_height,
            pool_ready,
            pool_future,
            block_import_seconds,
            rpc_calls,
            import_refused,
            aura_equivocations,
            trie_cache_hits,
            trie_cache_misses,
            trie_cache_bytes,
            trie_cache_observe: parking_lot::Mutex::new(()),
        }
    }

    /// Brings the node cache's metrics up to `stats` (which count since the database opened:
    /// the counters add the difference).
    pub fn observe_trie_cache(&self, stats: ghost_storage::node_cache::NodeCacheStats) {
        let _serial = self.trie_cache_observe.lock();
        for (counter, total) in [
            (&self.trie_cache_hits, stats.hits),
            (&self.trie_cache_misses, stats.misses),
        ] {
            counter.inc_by(total.saturating_sub(counter.get()));
        }
        self.trie_cache_bytes
            .set(i64::try_from(stats.bytes).unwrap_or(i64::MAX));
    }

    /// Registers the p2p and GRANDPA gauges (a node with a network) and returns them.
    pub fn register_network(&self) -> NetworkGauges {
        let gauges = NetworkGauges::default();
        let mut registry = self.registry.lock();
        registry.register("p2p_peers", "Connected peers", gauges.peers.clone());
        registry.register(
            "p2p_banned_peers",
            "Peers banned for misbehaviour now",
            gauges.banned.clone(),
        );
        registry.register(
            "p2p_bytes_received",
            "Bytes of gossip and direct messages received",
            gauges.bytes_in.clone(),
        );
        registry.register(
            "p2p_bytes_sent",
            "Bytes of gossip and direct messages sent",
            gauges.bytes_out.clone(),
        );
        registry.register(
            "grandpa_round",
            "The GRANDPA round this node is in",
            gauges.grandpa_round.clone(),
        );
        registry.register(
            "grandpa_set_id",
            "The GRANDPA voter set id",
            gauges.grandpa_set_id.clone(),
        );
        registry.register(
            "sync_is_major_syncing",
            "1 while a peer is more than a few blocks ahead",
            gauges.syncing.clone(),
        );
        registry.register(
            "sync_target_height",
            "The highest best block a connected peer reported",
            gauges.sync_target.clone(),
        );
        registry.register(
            "sync_ranges_in_flight",
            "Block-range requests (catch-up from several peers) sent and not imported yet",
            gauges.ranges_in_flight.clone(),
        );
        registry.register(
            "sync_blocks_imported",
            "Blocks received from peers and imported",
            gauges.blocks_from_network.clone(),
        );
        gauges
    }

    /// The OpenMetrics text exposition.
    pub fn encode(&self) -> String {
        encode(&self.registry)
    }

    /// The registry, for other services (GhostBridge) to add their metrics to.
    pub fn registry(&self) -> Arc<parking_lot::Mutex<Registry>> {
        self.registry.clone()
    }
}

/// Gauges of the p2p network and GRANDPA, updated by the service.
#[derive(Clone, Debug, Default)]
pub struct NetworkGauges {
    /// Connected peers.
    pub peers: Gauge,
    /// Banned peers.
    pub banned: Gauge,
    /// Bytes received.
    pub bytes_in: Gauge,
    /// Bytes sent.
    pub bytes_out: Gauge,
    /// The GRANDPA round.
    pub grandpa_round: Gauge,
    /// The GRANDPA set id.
    pub grandpa_set_id: Gauge,
    /// 1 while syncing.
    pub syncing: Gauge,
    /// The highest best block a connected peer reported.
    pub sync_target: Gauge,
    /// Range requests in flight.
    pub ranges_in_flight: Gauge,
    /// Blocks from peers imported.
    pub blocks_from_network: Counter,
}

/// The OpenMetrics text exposition of `registry`.
pub fn encode(registry: &parking_lot::Mutex<Registry>) -> String {
    let mut out = String::new();
    // Writing into a String cannot fail.
    let _ = prometheus_client::encoding::text::encode(&mut out, &registry.lock());
    out
}

/// Serves `metrics` over HTTP/1.1 on `addr` until the task is dropped. Returns the bound address.
pub async fn serve(
    metrics: Arc<Metrics>,
    addr: SocketAddr,
) -> std::io::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    serve_registry(metrics.registry(), addr).await
}

/// Serves any registry (the `ghostbridge` sidecar has its own) on `addr` as [`serve`] does.
pub async fn serve_registry(
    registry: Arc<parking_lot::Mutex<Registry>>,
    addr: SocketAddr,
) -> std::io::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    let listener = TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    let task = tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let registry = registry.clone();
            tokio::spawn(async move {
                let _ =
                    tokio::time::timeout(Duration::from_secs(10), answer(stream, &registry)).await;
            });
        }
    });
    Ok((local, task))
}

/// Reads one request head (at most 8 KiB) and answers `GET /metrics`; anything else gets 404.
async fn answer(
    mut stream: TcpStream,
    registry: &parking_lot::Mutex<Registry>,
) -> std::io::Result<()> {
    let mut head = Vec::with_capacity(512);
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut buf).await?;
        if n == 0 || head.len() + n > 8 * 1024 {
            return Ok(());
        }
        head.extend_from_slice(&buf[..n]);
    }
    let request_line = head.split(|b| *b == b'\n').next().unwrap_or_default();
    let (status, body, content_type) = if request_line.starts_with(b"GET /metrics ") {
        (
            "200 OK",
            encode(registry),
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )
    } else {
        (
            "404 Not Found",
            "not found: try /metrics\n".to_string(),
            "text/plain; charset=utf-8",
        )
    };
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(response.as_bytes()).await?;
    stream.shutdown().await
}

#[cfg(test)]
mod tests {
    use super::*;
    use ghost_storage::node_cache::NodeCacheStats;

    #[test]
    fn the_trie_cache_counters_follow_the_caches_totals() {
        let metrics = Metrics::new();
        let stats = |hits, misses, bytes| NodeCacheStats {
            hits,
            misses,
            bytes,
            nodes: 1,
        };
        metrics.observe_trie_cache(stats(10, 5, 100));
        metrics.observe_trie_cache(stats(12, 5, 90));
        metrics.observe_trie_cache(stats(12, 5, 90));
        let text = metrics.encode();
        assert!(
            text.contains("ghostchain_trie_cache_hits_total 12"),
            "{text}"
        );
        assert!(
            text.contains("ghostchain_trie_cache_misses_total 5"),
            "{text}"
        );
        assert!(text.contains("ghostchain_trie_cache_bytes 90"), "{text}");
    }
}
