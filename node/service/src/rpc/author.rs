//! `author_*`.

use ghost_primitives::{Bytes, Hash, InvalidTransaction};
use ghost_rpc::{AuthorApiServer, ExtrinsicStatusJson};
use ghost_runtime::{UncheckedExtrinsic, api};
use ghost_txpool::TxStatus;
use jsonrpsee::PendingSubscriptionSink;
use jsonrpsee::core::{SubscriptionResult, async_trait};
use jsonrpsee::types::ErrorObjectOwned;
use parity_scale_codec::Encode;

use super::RpcContext;
use super::errors::{RpcError, RpcResult};

/// `author_*` handlers.
pub struct AuthorRpc(pub RpcContext);

impl AuthorRpc {
    fn decode(&self, bytes: &[u8]) -> Result<UncheckedExtrinsic, RpcError> {
        api::decode_extrinsic(bytes).map_err(|e| match e {
            InvalidTransaction::BadEncoding => RpcError::BadFormat(e.to_string()),
            other => RpcError::Validity(other.into()),
        })
    }

    fn best_hash(&self) -> Result<Hash, RpcError> {
        Ok(self.0.client.best()?.0)
    }

    /// Where a transaction that left the pool ended up. It reads the block's events from the
    /// database: on the blocking pool, so a flood of status queries never stalls the async
    /// workers that run the slot timer, the network and every other connection.
    async fn included_status(&self, hash: Hash) -> Result<ExtrinsicStatusJson, RpcError> {
        self.0
            .blocking(move |ctx| included_status(ctx, &hash))
            .await
    }
}

/// Where transaction `hash` is on the best chain, and how its call went.
fn included_status(ctx: &RpcContext, hash: &Hash) -> Result<ExtrinsicStatusJson, RpcError> {
    Ok(match ctx.client.extrinsic_outcome(hash)? {
        Some(outcome) => ExtrinsicStatusJson::InBlock {
            block_hash: outcome.block_hash,
            block_number: outcome.block_number,
            index: outcome.index,
            finalized: outcome.finalized,
            success: outcome.error.is_none(),
            error: outcome.error,
        },
        None => ExtrinsicStatusJson::Unknown,
    })
}

/// Whether a watched transaction's journey is over.
fn is_final(status: &TxStatus) -> bool {
    matches!(
        status,
        TxStatus::Finalized(_) | TxStatus::Usurped(_) | TxStatus::Dropped | TxStatus::Invalid
    )
}

#[async_trait]
impl AuthorApiServer for AuthorRpc {
    async fn submit_extrinsic(&self, extrinsic: Bytes) -> RpcResult<Hash> {
        let xt = self.decode(&extrinsic)?;
        // Validation runs the runtime and checks the signature: off the async workers.
        let hash = self
            .0
            .blocking(move |ctx| {
                let best = ctx.client.best()?.0;
                Ok(ctx.pool.submit(best, xt)?)
            })
            .await?;
        self.0.author_wake.notify_one();
        Ok(hash)
    }

    async fn submit_and_watch_extrinsic(
        &self,
        pending: PendingSubscriptionSink,
        extrinsic: Bytes,
    ) -> SubscriptionResult {
        let submitted = self.decode(&extrinsic).and_then(|xt| {
            let best = self.best_hash()?;
            self.0
                .pool
                .submit_and_watch(best, xt)
                .map_err(RpcError::from)
        });
        let (_, mut statuses) = match submitted {
            Ok(watch) => watch,
            Err(e) => {
                pending.reject(ErrorObjectOwned::from(e)).await;
                return Ok(());
            }
        };
        let sink = pending.accept().await?;
        self.0.author_wake.notify_one();
        let forward = async {
            while let Some(status) = statuses.recv().await {
                let message = serde_json::value::to_raw_value(&status)?;
                if sink.send(message).await.is_err() || is_final(&status) {
                    break;
                }
            }
            Ok(())
        };
        self.0.until_shutdown(forward).await.unwrap_or(Ok(()))
    }

    async fn pending_extrinsics(&self) -> RpcResult<Vec<Bytes>> {
        let pool = &self.0.pool;
        Ok(pool
            .ready()
            .iter()
            .chain(pool.future().iter())
            .map(|tx| Bytes(tx.data.encode()))
            .collect())
    }

    async fn extrinsic_status(&self, hash: Hash) -> RpcResult<ExtrinsicStatusJson> {
        let included = self.included_status(hash).await?;
        if included != ExtrinsicStatusJson::Unknown {
            return Ok(included);
        }
        if self.0.pool.get(&hash).is_some() {
            let queue = if self.0.pool.ready().iter().any(|tx| tx.hash == hash) {
                "ready"
            } else {
                "future"
            };
            return Ok(ExtrinsicStatusJson::Pending {
                queue: queue.into(),
            });
        }
        Ok(ExtrinsicStatusJson::Unknown)
    }

    async fn remove_extrinsic(&self, hashes: Vec<Hash>) -> RpcResult<Vec<Hash>> {
        Ok(self
            .0
            .pool
            .remove_invalid(&hashes)
            .iter()
            .map(|tx| tx.hash)
            .collect())
    }
}
