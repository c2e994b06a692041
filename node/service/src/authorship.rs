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

use ghost_consensus::aura::{self, Slot};
use ghost_primitives::{Hash, InvalidTransaction, Pair, TransactionValidityError};
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

    /// The account of the key this author seals with.
    pub fn public(&self) -> ghost_primitives::AccountId {
        self.key.public()
    }

    /// Builds, seals and imports one block at the current time (dev sealing: the dev chain's
    /// 1 ms slots give every block its own slot; a block sealed within its parent's slot waits
    /// for the next one, so timestamps never run ahead of the clock); returns it, or `None` if there was nothing
    /// to do and `allow_empty` is false.
    pub fn author_block(
        &self,
        allow_empty: bool,
    ) -> Result<Option<Arc<ImportedBlock>>, ClientError> {
        let (_, parent) = self.client.best()?;
        let params = self.client.aura_params();
        let mut timestamp = now_ms().max(parent.timestamp_ms.saturating_add(1));
        // Never the parent's slot: move to the next slot's start if the clock has not.
        if let Some(parent_slot) = parent.slot()
            && params.slot_at(timestamp) <= parent_slot
        {
            timestamp = params.slot_start(parent_slot.saturating_add(1));
        }
        // Blocks sealed faster than one per slot would run the timestamps ahead of the clock
        // until peers (and this node's own import) refuse them as future slots: wait for the
        // slot to start instead (at most one 1 ms dev slot per block).
        let ahead = timestamp.saturating_sub(now_ms());
        if ahead > 0 {
            std::thread::sleep(std::time::Duration::from_millis(ahead));
        }
        self.author_at(&parent, timestamp, allow_empty)
    }

    /// Authors in Aura `slot` if this node's key owns it under the best block's validator set:
    /// builds on the best block, with a timestamp at the slot's start (or just after the
    /// parent's). Returns `None` when the slot is not ours or the parent is already in it.
    pub fn author_in_slot(&self, slot: Slot) -> Result<Option<Arc<ImportedBlock>>, ClientError> {
        let (_, parent) = self.client.best()?;
        if parent.slot().is_some_and(|parent_slot| parent_slot >= slot) {
            return Ok(None);
        }
        let (authorities, _) = self.client.authorities_at(&parent)?;
        if !aura::claims_slot(slot, &authorities, &self.key.public()) {
            return Ok(None);
        }
        let params = self.client.aura_params();
        let timestamp = params
            .slot_start(slot)
            .max(parent.timestamp_ms.saturating_add(1));
        if params.slot_at(timestamp) != slot {
            return Ok(None);
        }
        self.author_at(&parent, timestamp, true)
    }

    /// Builds on `parent` at `timestamp` from the pool, seals and imports.
    fn author_at(
        &self,
        parent: &ghost_primitives::Header,
        timestamp: u64,
        allow_empty: bool,
    ) -> Result<Option<Arc<ImportedBlock>>, ClientError> {
        let ready = self.pool.ready();
        if ready.is_empty() && !allow_empty {
            return Ok(None);
        }
        let parent = parent.clone();
        let slot = self.client.aura_params().slot_at(timestamp);
        let digest = ghost_primitives::consensus::aura_pre_digest(slot);
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
        ghost_primitives::consensus::aura_seal(&mut built.block.header, &self.key);
        let imported = match self.sole_voter_justification(&parent, &built.block.header)? {
            Some(justification) if self.instant_finality => {
                self.client.import_own_final(built, justification)?
            }
            _ => self.client.import_own(built, false)?,
        };
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

    /// When this node's key is the whole voter set of `parent`'s state, its own precommit for
    /// `header` is a GRANDPA supermajority: the justification finalizing it (the round is the
    /// block number). `None` when other voters exist: finality then needs their votes.
    fn sole_voter_justification(
        &self,
        parent: &ghost_primitives::Header,
        header: &ghost_primitives::Header,
    ) -> Result<Option<Vec<u8>>, ClientError> {
        let (voters, set_id) = self.client.authorities_at(parent)?;
        if voters != [self.key.public()] {
            return Ok(None);
        }
        // The round is the block number: each block is its own round.
        let justification = ghost_consensus::grandpa::GrandpaJustification::signed_by(
            &[&self.key],
            &self.client.genesis_hash(),
            header.number,
            set_id,
            header,
        );
        Ok(Some(justification.encode()))
    }

    fn after_import(&self, imported: &ImportedBlock, invalid: &[Hash]) {
        self.pool.remove_invalid(invalid);
        // Included transactions leave the pool before their watchers hear of the block, so
        // whoever reacts to `inBlock` finds them in the chain and not in the pool.
        if let Err(e) = crate::pool_api::maintain_pool(&self.client, &self.pool, imported) {
            tracing::error!(target: LOG_TARGET, error = %e, "pool maintenance failed");
        }
        if matches!(self.client.db().finalized(), Ok((hash, _)) if hash == imported.hash) {
            self.pool
                .notify_finalized(imported.hash, &imported.tx_hashes);
        }
    }

    /// Aura: wakes at the start of every slot and authors in the slots this key owns.
    async fn run_slots(self: Arc<Self>) {
        let params = self.client.aura_params();
        loop {
            let now = now_ms();
            let next_slot = params.slot_at(now).saturating_add(1);
            let wait = params.slot_start(next_slot).saturating_sub(now);
            tokio::time::sleep(std::time::Duration::from_millis(wait)).await;
            let author = self.clone();
            let outcome =
                tokio::task::spawn_blocking(move || author.author_in_slot(next_slot)).await;
            match outcome {
                Ok(Ok(_)) => {}
                Ok(Err(e)) => {
                    tracing::error!(target: LOG_TARGET, slot = next_slot, error = %e, "block authoring failed");
                }
                Err(e) => {
                    tracing::error!(target: LOG_TARGET, error = %e, "authoring task panicked");
                }
            }
        }
    }

    /// Runs the sealing loop until the task is dropped.
    pub async fn run(self: Arc<Self>, sealing: Sealing) {
        let mut interval = match sealing {
            Sealing::Interval(period) => Some(tokio::time::interval(period)),
            Sealing::Instant => None,
            Sealing::Aura => return self.run_slots().await,
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
                    Ok(Ok(Some(_))) if interval.is_none() && self.pool.status().ready > 0 => {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::Metrics;
    use ghost_runtime::chain_spec::ChainSpec;
    use ghost_storage::Database;

    /// Empty dev blocks seal far faster than one per 1 ms slot; a block's timestamp must still
    /// never be ahead of the clock it was sealed by (peers refuse future slots), and every
    /// block takes a slot of its own.
    #[test]
    fn blocks_sealed_faster_than_slots_never_run_ahead_of_the_clock() {
        let client = Arc::new(
            Client::new(
                Arc::new(Database::in_memory()),
                ChainSpec::dev(),
                Arc::new(Metrics::new()),
            )
            .expect("client"),
        );
        let pool = Arc::new(TransactionPool::new(
            Arc::new(crate::pool_api::FullChainApi::new(client.clone())),
            ghost_txpool::PoolLimits::default(),
        ));
        let author = Author::new(
            client.clone(),
            pool,
            Pair::from_suri("//Alice").expect("dev key"),
            true,
        );
        let mut last_slot = None;
        for _ in 0..200 {
            let block = author
                .author_block(true)
                .expect("authoring")
                .expect("an empty block is allowed");
            let sealed_by = now_ms();
            let header = &block.header;
            assert!(
                header.timestamp_ms <= sealed_by,
                "block #{} is stamped {} ms, after the clock's {sealed_by} ms",
                header.number,
                header.timestamp_ms
            );
            let slot = header.slot().expect("an Aura slot");
            assert!(
                last_slot.is_none_or(|last| slot > last),
                "slot {slot} reused"
            );
            last_slot = Some(slot);
        }
    }
}
