//! The informant: a log line every few seconds with best, finalized, pool and peers.

use std::sync::Arc;
use std::time::Duration;

use crate::client::Client;
use crate::pool_api::TransactionPool;

/// Logs the node's state every `interval` until the task is dropped; with a network, its peer
/// count and, while a peer is ahead, sync progress with a rate.
pub async fn run(
    client: Arc<Client>,
    pool: Arc<TransactionPool>,
    network: Option<Arc<ghost_network::NetworkService>>,
    interval: Duration,
) {
    let mut last_best: Option<u64> = None;
    let mut ticker = tokio::time::interval(interval);
    ticker.tick().await;
    loop {
        ticker.tick().await;
        let (Ok((best_hash, best)), Ok((_, finalized))) = (client.best(), client.finalized())
        else {
            tracing::warn!(target: "informant", "cannot read best/finalized block");
            continue;
        };
        let status = pool.status();
        let peers = network.as_ref().map_or(0, |n| n.peer_count());
        let rate = last_best.map_or(0.0, |before| {
            best.number.saturating_sub(before) as f64 / interval.as_secs_f64()
        });
        last_best = Some(best.number);
        tracing::info!(
            target: "informant",
            "💤 {} ({peers} peers), best: #{} ({}), finalized #{}, pool: {} ready, {} future",
            if rate > 4.0 { format!("Syncing {rate:.1} blocks/s") } else { "Idle".into() },
            best.number,
            best_hash,
            finalized.number,
            status.ready,
            status.future
        );
    }
}
