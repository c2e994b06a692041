//! `chain_*`.

use ghost_primitives::{Bytes, Hash, Header};
use ghost_rpc::{BlockJson, ChainApiServer, SignedBlock};
use jsonrpsee::PendingSubscriptionSink;
use jsonrpsee::core::{SubscriptionResult, async_trait};
use parity_scale_codec::Encode;
use tokio::sync::broadcast::error::RecvError;

use super::RpcContext;
use super::errors::{RpcError, RpcResult};

/// `chain_*` handlers.
pub struct ChainRpc(pub RpcContext);

/// Why a header subscription ends.
#[derive(Debug, PartialEq, Eq)]
enum Feed {
    /// The next header to send.
    Header(Box<Header>),
    /// The node is shutting down.
    Closed,
    /// The subscriber fell `missed` notifications behind the buffer; it had seen up to `last`.
    Lagged {
        /// Notifications dropped.
        missed: u64,
        /// The last height sent, if any.
        last: Option<u64>,
    },
}

/// Waits for the next header `select` picks out of `rx`.
async fn next_header<T: Clone>(
    rx: &mut tokio::sync::broadcast::Receiver<T>,
    select: &impl Fn(T) -> Option<Header>,
    last: Option<u64>,
) -> Feed {
    loop {
        match rx.recv().await {
            Ok(item) => {
                if let Some(header) = select(item) {
                    return Feed::Header(Box::new(header));
                }
            }
            Err(RecvError::Lagged(missed)) => return Feed::Lagged { missed, last },
            Err(RecvError::Closed) => return Feed::Closed,
        }
    }
}

/// Sends every header `select` picks from `rx` to the subscriber until either side goes away.
/// A subscriber that falls behind the buffer is not dropped silently: the subscription ends
/// with an error naming the last height it was sent, so it can resubscribe and fill the gap
/// with `chain_getBlockHash`.
async fn forward_headers<T: Clone>(
    pending: PendingSubscriptionSink,
    mut rx: tokio::sync::broadcast::Receiver<T>,
    select: impl Fn(T) -> Option<Header>,
) -> SubscriptionResult {
    let sink = pending.accept().await?;
    let mut last = None;
    loop {
        let header = match next_header(&mut rx, &select, last).await {
            Feed::Header(header) => header,
            Feed::Closed => return Ok(()),
            Feed::Lagged { missed, last } => {
                let seen = last.map_or("no block".to_string(), |n| format!("block #{n}"));
                return Err(format!(
                    "subscriber lagged: {missed} notifications dropped after {seen}; \
                     resubscribe and fetch the missing blocks with chain_getBlockHash"
                )
                .into());
            }
        };
        let message = serde_json::value::to_raw_value(&header)?;
        if sink.send(message).await.is_err() {
            return Ok(());
        }
        last = Some(header.number);
    }
}

#[async_trait]
impl ChainApiServer for ChainRpc {
    async fn header(&self, hash: Option<Hash>) -> RpcResult<Option<Header>> {
        match hash {
            None => Ok(Some(self.0.header_at(None)?)),
            Some(hash) => Ok(self.0.client.header(&hash).map_err(RpcError::from)?),
        }
    }

    async fn block(&self, hash: Option<Hash>) -> RpcResult<Option<SignedBlock>> {
        let hash = match hash {
            Some(hash) => hash,
            None => self.0.client.best().map_err(RpcError::from)?.0,
        };
        let Some(block) = self.0.client.block(&hash).map_err(RpcError::from)? else {
            return Ok(None);
        };
        let extrinsics = block
            .extrinsics
            .iter()
            .map(|xt| Bytes(xt.encode()))
            .collect();
        let justifications = self
            .0
            .client
            .db()
            .justification(&hash)
            .map_err(|e| RpcError::from(crate::client::ClientError::from(e)))?
            .map(|j| vec![Bytes(j)]);
        Ok(Some(SignedBlock {
            block: BlockJson {
                header: block.header,
                extrinsics,
            },
            justifications,
        }))
    }

    async fn block_hash(&self, number: Option<u64>) -> RpcResult<Option<Hash>> {
        match number {
            None => Ok(Some(self.0.client.best().map_err(RpcError::from)?.0)),
            Some(n) => {
                let hash = self.0.client.hash_by_number(n).map_err(RpcError::from)?;
                if hash.is_none() {
                    // A warped node never had the blocks below its base: say so, not `null`.
                    self.0
                        .client
                        .db()
                        .check_not_below_warp_base(n)
                        .map_err(|e| RpcError::from(crate::client::ClientError::from(e)))?;
                }
                Ok(hash)
            }
        }
    }

    async fn finalized_head(&self) -> RpcResult<Hash> {
        Ok(self.0.client.finalized().map_err(RpcError::from)?.0)
    }

    async fn subscribe_new_heads(&self, pending: PendingSubscriptionSink) -> SubscriptionResult {
        let imported = self.0.client.subscribe_imported();
        let best = |block: std::sync::Arc<crate::client::ImportedBlock>| {
            block.is_new_best.then(|| block.header.clone())
        };
        self.0
            .until_shutdown(forward_headers(pending, imported, best))
            .await
            .unwrap_or(Ok(()))
    }

    async fn subscribe_finalized_heads(
        &self,
        pending: PendingSubscriptionSink,
    ) -> SubscriptionResult {
        let rx = self.0.client.subscribe_finalized();
        self.0
            .until_shutdown(forward_headers(pending, rx, Some))
            .await
            .unwrap_or(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(number: u64) -> Header {
        Header {
            parent_hash: Hash::ZERO,
            number,
            state_root: Hash::ZERO,
            extrinsics_root: Hash::ZERO,
            timestamp_ms: number,
            digest: Default::default(),
        }
    }

    #[tokio::test]
    async fn a_lagging_subscriber_learns_the_last_height_it_saw() {
        let (tx, mut rx) = tokio::sync::broadcast::channel(2);
        let select = |h: Header| h.number.is_multiple_of(2).then_some(h);
        tx.send(header(1)).unwrap();
        tx.send(header(2)).unwrap();
        // Odd headers are skipped, even ones delivered.
        assert_eq!(
            next_header(&mut rx, &select, None).await,
            Feed::Header(Box::new(header(2)))
        );
        for n in 3..=7 {
            tx.send(header(n)).unwrap();
        }
        assert_eq!(
            next_header(&mut rx, &select, Some(2)).await,
            Feed::Lagged {
                missed: 3,
                last: Some(2)
            }
        );
        // After the lag the receiver resumes at the oldest kept item.
        assert_eq!(
            next_header(&mut rx, &select, Some(2)).await,
            Feed::Header(Box::new(header(6)))
        );
        drop(tx);
        assert_eq!(next_header(&mut rx, &select, Some(6)).await, Feed::Closed);
    }
}
