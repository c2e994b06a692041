//! The informant: a log line every few seconds with best, finalized, pool and peers.

use std::sync::Arc;
use std::time::Duration;

use crate::client::Client;
use crate::pool_api::TransactionPool;

/// Logs the node's state every `interval` until the task is dropped.
pub async fn run(client: Arc<Client>, pool: Arc<TransactionPool>, interval: Duration) {
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
        tracing::info!(
            target: "informant",
            "💤 Idle (0 peers), best: #{} ({}), finalized #{}, pool: {} ready, {} future",
            best.number,
            best_hash,
            finalized.number,
            status.ready,
            status.future
        );
    }
}
