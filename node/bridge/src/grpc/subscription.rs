//! `SubscribeDomainChanges`: the chain's per-block change feed, filtered, through a bounded
//! buffer to one client.
//!
//! ```text
//!   ChainSource::follow(from) ──► pump task ──(≤ buffer events)──► response stream ──► client
//!        one item per block         filter,                          releases one permit
//!                                   whole blocks only                per event handed on
//! ```
//!
//! # Invariants
//! - A block's matching events enter the buffer together or not at all (the pump takes the
//!   permits for all of them first; a block with more events than the buffer waits until the
//!   buffer is empty and then holds all of it). So when a stream ends, every matching event of
//!   every block below the reported resume height has been delivered and none at or above it.
//! - When the buffer stays full for longer than the grace period (the client is not reading),
//!   the stream ends after the buffered events with `RESOURCE_EXHAUSTED`
//!   `"slow consumer; resume from height N"` (and the `ghost-resume-height: N` trailer). The
//!   client resubscribes with `from_block_height = N`.
//! - After a disconnect the client resubscribes from the last height it saw and skips the events
//!   of that height it already has: a block's events always come in the same order, each with
//!   its `index` within the block.
//! - On the best-chain stream a block that leaves the chain comes back as `reverted` events
//!   (the names' states at the fork point), highest block first, before the new chain's blocks.
//!   A client that resubscribes with `from_block_hash` (the last block it saw, at
//!   `from_block_height - 1`) is rewound the same way if that block has left the chain. The
//!   `ghost-resume-hash` trailer names that block; after a reverted block the resume point is
//!   the reverted block's height and its parent.

use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use futures::Stream;
use ghost_primitives::Hash;
use ghost_rpc::{ChangeFilter, DomainChangesJson};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc, watch};
use tonic::Status;

use super::convert;
use super::errors::GrpcError;
use super::metrics::GrpcMetrics;
use super::proto::DomainChangeEvent;
use crate::recent::RecentBlocks;
use crate::source::{BridgeError, ChainSource};

/// The response stream of a subscription.
pub type EventStream = Pin<Box<dyn Stream<Item = Result<DomainChangeEvent, Status>> + Send>>;

/// How a subscription buffers.
#[derive(Clone, Copy, Debug)]
pub(crate) struct StreamLimits {
    /// Events buffered between the feed and the client.
    pub buffer: usize,
    /// How long the pump waits for room before it calls the client slow.
    pub grace: Duration,
    /// Most streams open at once.
    pub max_streams: usize,
}

/// The matching events of one block, with their share of the buffer.
struct Batch {
    events: VecDeque<DomainChangeEvent>,
    permit: OwnedSemaphorePermit,
}

/// How many blocks' events [`EventMemo`] keeps.
const MEMO_BLOCKS: usize = 16;

/// The events of the blocks converted last, shared by every subscription of one service, so
/// K subscribers at the same block convert it once, not K times (the conversion encodes
/// addresses and formats records). Only blocks that move forward are kept, by hash: such a
/// block's changes never differ between followers. A revert is converted by each pump, since
/// its states depend on the fork point that follower walked back to.
pub(crate) struct EventMemo {
    blocks: RecentBlocks<[DomainChangeEvent]>,
}

impl Default for EventMemo {
    fn default() -> Self {
        EventMemo {
            blocks: RecentBlocks::new(MEMO_BLOCKS),
        }
    }
}

impl EventMemo {
    /// Every change of `block` as an event, in order (converted once per block hash).
    fn events(&self, block: &DomainChangesJson) -> Arc<[DomainChangeEvent]> {
        let convert_all = || -> Arc<[DomainChangeEvent]> {
            block
                .changes
                .iter()
                .map(|change| convert::change_event(block, change))
                .collect()
        };
        if block.reverted {
            return convert_all();
        }
        self.blocks
            .get_or_insert_with(block.block_hash, convert_all)
    }
}

/// Holds one of the open-stream slots, and decrements the active-streams gauge when the response
/// stream is dropped.
struct ActiveStream(GrpcMetrics, Option<OwnedSemaphorePermit>);

impl Drop for ActiveStream {
    fn drop(&mut self) {
        // The slot first: once the gauge says the stream is gone, its slot is free.
        drop(self.1.take());
        self.0.active_streams.dec();
    }
}

/// Everything the pump needs.
struct Pump {
    feed: mpsc::Receiver<Result<Arc<DomainChangesJson>, BridgeError>>,
    memo: Arc<EventMemo>,
    filter: ChangeFilter,
    limits: StreamLimits,
    permits: Arc<Semaphore>,
    out: mpsc::UnboundedSender<Result<Batch, GrpcError>>,
    shutdown: watch::Receiver<bool>,
    metrics: GrpcMetrics,
}

/// Starts a subscription: follows the chain from `from` (`None`: the block after the head),
/// after block `after` (the last block the client saw), and returns the client's stream. Takes
/// one of the `slots` of open streams (none free: [`GrpcError::TooManyStreams`]).
#[allow(clippy::too_many_arguments)]
pub(crate) async fn subscribe(
    source: &dyn ChainSource,
    slots: &Arc<Semaphore>,
    memo: &Arc<EventMemo>,
    from: Option<u64>,
    after: Option<Hash>,
    finalized: bool,
    filter: ChangeFilter,
    limits: StreamLimits,
    shutdown: watch::Receiver<bool>,
    metrics: GrpcMetrics,
) -> Result<EventStream, GrpcError> {
    let slot = slots
        .clone()
        .try_acquire_owned()
        .map_err(|_| GrpcError::TooManyStreams {
            max: limits.max_streams,
        })?;
    let (from, after) = match (from, after) {
        (Some(height), after) => (height, after),
        (None, Some(after)) => {
            return Err(GrpcError::Chain(BridgeError::Rejected(format!(
                "from_block_hash {after} needs from_block_height (the height after it)"
            ))));
        }
        (None, None) => {
            let head = source.head(finalized).await?;
            (head.height.saturating_add(1), Some(head.hash))
        }
    };
    let feed = source.follow(from, after, finalized).await?;
    let limits = StreamLimits {
        buffer: limits.buffer.max(1),
        ..limits
    };
    let permits = Arc::new(Semaphore::new(limits.buffer));
    let (out, batches) = mpsc::unbounded_channel();
    let pump = Pump {
        feed,
        memo: memo.clone(),
        filter,
        limits,
        permits,
        out,
        shutdown,
        metrics: metrics.clone(),
    };
    tokio::spawn(pump.run(from, after));
    metrics.active_streams.inc();
    Ok(Box::pin(events(batches, ActiveStream(metrics, Some(slot)))))
}

/// Flattens the pump's batches into events, releasing a permit per event handed on, and ends
/// with the pump's final error.
fn events(
    batches: mpsc::UnboundedReceiver<Result<Batch, GrpcError>>,
    guard: ActiveStream,
) -> impl Stream<Item = Result<DomainChangeEvent, Status>> + Send {
    futures::stream::unfold(
        (batches, None::<Batch>, guard),
        |(mut batches, mut current, guard)| async move {
            loop {
                if let Some(batch) = current.as_mut()
                    && let Some(event) = batch.events.pop_front()
                {
                    drop(batch.permit.split(1));
                    return Some((Ok(event), (batches, current, guard)));
                }
                current = match batches.recv().await? {
                    Ok(batch) => Some(batch),
                    Err(error) => return Some((Err(error.into()), (batches, None, guard))),
                };
            }
        },
    )
}

impl Pump {
    /// Forwards blocks until the client goes, the feed ends, the client is too slow or the
    /// server stops; then sends the reason (unless the client went).
    async fn run(mut self, from: u64, after: Option<Hash>) {
        let (mut next, mut last) = (from, after);
        let end = loop {
            let block = tokio::select! {
                _ = self.out.closed() => return,
                _ = self.shutdown.wait_for(|stop| *stop) => break GrpcError::ShuttingDown { resume_from: next, resume_after: last },
                block = self.feed.recv() => block,
            };
            let block = match block {
                Some(Ok(block)) => block,
                Some(Err(error)) => {
                    break GrpcError::FeedInterrupted {
                        resume_from: next,
                        resume_after: last,
                        cause: error.to_string(),
                    };
                }
                None => {
                    break GrpcError::FeedInterrupted {
                        resume_from: next,
                        resume_after: last,
                        cause: "the chain's change feed ended".into(),
                    };
                }
            };
            let converted = self.memo.events(&block);
            let events: VecDeque<DomainChangeEvent> = block
                .changes
                .iter()
                .zip(converted.iter())
                .filter(|(change, _)| self.filter.matches(change))
                .map(|(_, event)| event.clone())
                .collect();
            if !events.is_empty() {
                match self.room_for(events.len(), next, last).await {
                    Ok(Some(permit)) => {
                        if self.out.send(Ok(Batch { events, permit })).is_err() {
                            return;
                        }
                    }
                    Ok(None) => return,
                    Err(error) => break error,
                }
            }
            // After a revert the client is at the reverted block's parent.
            (next, last) = if block.reverted {
                (block.block_height, block.parent_hash)
            } else {
                (block.block_height.saturating_add(1), Some(block.block_hash))
            };
        };
        if matches!(end, GrpcError::SlowConsumer { .. }) {
            self.metrics.slow_consumers.inc();
        }
        tracing::debug!(target: "bridge::grpc", reason = %end, "subscription ended");
        let _ = self.out.send(Err(end));
    }

    /// Waits (at most the grace period) until the buffer has room for `count` events of the
    /// next block; the client has everything before `height` (ending with block `last`).
    /// `Ok(None)`: the client went away.
    async fn room_for(
        &mut self,
        count: usize,
        height: u64,
        last: Option<Hash>,
    ) -> Result<Option<OwnedSemaphorePermit>, GrpcError> {
        // A block larger than the buffer waits for the whole (empty) buffer.
        let wanted = u32::try_from(count.min(self.limits.buffer)).unwrap_or(u32::MAX);
        if let Ok(permit) = self.permits.clone().try_acquire_many_owned(wanted) {
            return Ok(Some(permit));
        }
        let acquire = self.permits.clone().acquire_many_owned(wanted);
        tokio::select! {
            _ = self.out.closed() => Ok(None),
            _ = self.shutdown.wait_for(|stop| *stop) => Err(GrpcError::ShuttingDown { resume_from: height, resume_after: last }),
            acquired = tokio::time::timeout(self.limits.grace, acquire) => match acquired {
                Ok(Ok(permit)) => Ok(Some(permit)),
                // The semaphore is never closed; treat it like a stalled client anyway.
                Ok(Err(_)) | Err(_) => Err(GrpcError::SlowConsumer { resume_from: height, resume_after: last }),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use ghost_primitives::DomainName;
    use ghost_rpc::DomainChangeJson;

    use super::*;

    fn block(hash: u8, change_type: &str, reverted: bool) -> DomainChangesJson {
        DomainChangesJson {
            block_height: 5,
            block_hash: Hash([hash; 32]),
            changes: vec![DomainChangeJson {
                domain: DomainName::parse("alice.ghost").unwrap(),
                change_type: change_type.into(),
                new_owner: None,
                new_records: None,
                extrinsic_index: None,
                index: 0,
                state: None,
            }],
            reverted,
            parent_hash: Some(Hash([0; 32])),
        }
    }

    #[test]
    fn memo_shares_a_forward_block_and_never_serves_it_for_its_revert() {
        let memo = EventMemo::default();
        let forward = memo.events(&block(1, "updated", false));
        assert!(Arc::ptr_eq(
            &forward,
            &memo.events(&block(1, "updated", false))
        ));
        let revert = memo.events(&block(1, "reverted", true));
        assert_eq!(revert[0].change_type, "reverted");
        assert_eq!(
            memo.events(&block(2, "created", false))[0].change_type,
            "created"
        );
    }

    #[test]
    fn memo_keeps_the_newest_blocks_only() {
        let memo = EventMemo::default();
        let first = memo.events(&block(0, "updated", false));
        for hash in 1..=MEMO_BLOCKS as u8 {
            memo.events(&block(hash, "updated", false));
        }
        assert_eq!(memo.blocks.len(), MEMO_BLOCKS);
        assert!(!Arc::ptr_eq(
            &first,
            &memo.events(&block(0, "updated", false))
        ));
    }
}
