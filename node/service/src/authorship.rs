//! The dev block author: seals blocks from the pool, instantly or on an interval.
//!
//! One validator (the `--dev` chain's Alice) builds a block on the best block from the pool's
//! ready transactions, in the pool's order, until the block is full; transactions the runtime
//! now refuses are removed from the pool. The header carries the Aura slot of its timestamp and
//! the author's seal over the pre-hash, so the same import checks apply as for the multi-validator
//! network (Aura slots + GRANDPA, a separate service). With instant finality each block is
//! finalized as it is imported.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use ghost_primitives::{
    AURA_ENGINE_ID, Digest, DigestItem, Hash, InvalidTransaction, Pair, TransactionValidityError,
};
use ghost_runtime::builder::BlockBuilder;
use parity_scale_codec::Encode;
use tokio::sync::Notify;

use crate::client::{Client, ClientError, ImportedBlock};
use crate::config::Sealing;
use crate::pool_api::TransactionPool;

const LOG_TARGET: &str = "author";

/// Shared state of the author.
pub struct Author {
    client: Arc<Client>,
    pool: Arc<TransactionPool>,
    key: Pair,
    instant_finality: bool,
    /// Woken when a transaction enters the pool (instant sealing).
    pub wake: Arc<Notify>,
}

/// The wall clock in ms (the author's, never the runtime's).
fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

impl Author {
    /// An author sealing with `key`.
    pub fn new(
        client: Arc<Client>,
        pool: Arc<TransactionPool>,
        key: Pair,
        instant_finality: bool,
    ) -> Self {
        Author {
            client,
            pool,
            key,
            instant_finality,
            wake: Arc::new(Notify::new()),
        }
    }

    /// Builds, seals and imports one block; returns it, or `None` if there was nothing to do
    /// and `allow_empty` is false.
    pub fn author_block(
        &self,
        allow_empty: bool,
    ) -> Result<Option<Arc<ImportedBlock>>, ClientError> {
        let ready = self.pool.ready();
        if ready.is_empty() && !allow_empty {
            return Ok(None);
        }
        let (_, parent) = self.client.best()?;
        let slot_duration = self.client.spec().consensus.slot_duration_ms;
        let timestamp = now_ms().max(parent.timestamp_ms.saturating_add(1));
        let slot = timestamp / slot_duration;
        let digest = Digest {
            logs: vec![DigestItem::PreRuntime(AURA_ENGINE_ID, slot.encode())],
        };
        let mut builder = BlockBuilder::new(self.client.store(), &parent, timestamp, digest)?;
        let mut included = Vec::new();
        let mut invalid = Vec::new();
        for tx in ready {
            match builder.push(tx.data.clone()) {
                Ok(_) => included.push(tx.hash),
                Err(TransactionValidityError::Invalid(InvalidTransaction::ExhaustsResources)) => {
                    if builder.is_empty() {
                        invalid.push(tx.hash);
                    }
                    break;
                }
                // A future nonce here means an earlier transaction failed to apply: skip it.
                Err(TransactionValidityError::Unknown(_)) => {}
                Err(e) => {
                    tracing::debug!(target: LOG_TARGET, hash = %tx.hash, error = %e, "dropping invalid transaction");
                    invalid.push(tx.hash);
                }
            }
        }
        if builder.is_empty() && !allow_empty {
            self.pool.remove_invalid(&invalid);
            return Ok(None);
        }
        let mut built = builder.build()?;
        let seal = self.key.sign(built.block.header.pre_hash().as_bytes());
        built
            .block
            .header
            .digest
            .logs
            .push(DigestItem::Seal(AURA_ENGINE_ID, seal.0.to_vec()));
        let imported = self.client.import_own(built, self.instant_finality)?;
        tracing::info!(
            target: LOG_TARGET,
            "✨ Sealed block #{} ({}) with {} extrinsics",
            imported.header.number,
            imported.hash,
            imported.tx_hashes.len()
        );
        self.after_import(&imported, &invalid);
        Ok(Some(imported))
    }

    fn after_import(&self, imported: &ImportedBlock, invalid: &[Hash]) {
        self.pool.remove_invalid(invalid);
        // Included transactions leave the pool before their watchers hear of the block, so
        // whoever reacts to `inBlock` finds them in the chain and not in the pool.
        self.pool
            .maintain(imported.hash, imported.header.number, &imported.tx_hashes);
        self.pool
            .notify_in_block(imported.hash, &imported.tx_hashes);
        if self.instant_finality {
            self.pool
                .notify_finalized(imported.hash, &imported.tx_hashes);
        }
    }

    /// Runs the sealing loop until the task is dropped.
    pub async fn run(self: Arc<Self>, sealing: Sealing) {
        let mut interval = match sealing {
            Sealing::Interval(period) => Some(tokio::time::interval(period)),
            Sealing::Instant => None,
        };
        loop {
            match interval.as_mut() {
                Some(interval) => {
                    interval.tick().await;
                }
                None => self.wake.notified().await,
            }
            // Instant sealing keeps going while transactions are ready (a block may fill up).
            loop {
                let author = self.clone();
                let allow_empty = interval.is_some();
                let outcome =
                    tokio::task::spawn_blocking(move || author.author_block(allow_empty)).await;
                match outcome {
                    Ok(Ok(Some(_))) if interval.is_none() && !self.pool.ready().is_empty() => {
                        continue;
                    }
                    Ok(Ok(_)) => break,
                    Ok(Err(e)) => {
                        tracing::error!(target: LOG_TARGET, error = %e, "block authoring failed");
                        break;
                    }
                    Err(e) => {
                        tracing::error!(target: LOG_TARGET, error = %e, "authoring task panicked");
                        break;
                    }
                }
            }
        }
    }
}
