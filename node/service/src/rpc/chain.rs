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

/// Sends every header from `rx` to the subscriber until either side goes away. A subscriber
/// that falls behind the broadcast buffer is told so by the subscription closing.
async fn forward_headers(
    pending: PendingSubscriptionSink,
    mut rx: tokio::sync::broadcast::Receiver<Header>,
) -> SubscriptionResult {
    let sink = pending.accept().await?;
    loop {
        let header = match rx.recv().await {
            Ok(header) => header,
            Err(RecvError::Lagged(_)) | Err(RecvError::Closed) => return Ok(()),
        };
        let message = serde_json::value::to_raw_value(&header)?;
        if sink.send(message).await.is_err() {
            return Ok(());
        }
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
            Some(n) => Ok(self.0.client.hash_by_number(n).map_err(RpcError::from)?),
        }
    }

    async fn finalized_head(&self) -> RpcResult<Hash> {
        Ok(self.0.client.finalized().map_err(RpcError::from)?.0)
    }

    async fn subscribe_new_heads(&self, pending: PendingSubscriptionSink) -> SubscriptionResult {
        let (tx, rx) = tokio::sync::broadcast::channel(256);
        let mut imported = self.0.client.subscribe_imported();
        // Translate imported blocks into best headers for this subscriber.
        let relay = tokio::spawn(async move {
            while let Ok(block) = imported.recv().await {
                if block.is_new_best && tx.send(block.header.clone()).is_err() {
                    break;
                }
            }
        });
        let result = self
            .0
            .until_shutdown(forward_headers(pending, rx))
            .await
            .unwrap_or(Ok(()));
        relay.abort();
        result
    }

    async fn subscribe_finalized_heads(
        &self,
        pending: PendingSubscriptionSink,
    ) -> SubscriptionResult {
        let rx = self.0.client.subscribe_finalized();
        self.0
            .until_shutdown(forward_headers(pending, rx))
            .await
            .unwrap_or(Ok(()))
    }
}
