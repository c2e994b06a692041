//! `ghost_*`: chain data without a Substrate method (a block's events).

use ghost_primitives::{Bytes, Hash};
use ghost_rpc::GhostApiServer;
use jsonrpsee::core::async_trait;

use super::RpcContext;
use super::errors::RpcResult;

/// `ghost_*` handlers.
pub struct GhostRpc(pub RpcContext);

#[async_trait]
impl GhostApiServer for GhostRpc {
    async fn block_events(&self, hash: Option<Hash>) -> RpcResult<Option<Bytes>> {
        let events = self
            .0
            .blocking(move |ctx| {
                let header = match hash {
                    None => ctx.client.best()?.1,
                    Some(hash) => match ctx.client.header(&hash)? {
                        Some(header) => header,
                        None => return Ok(None),
                    },
                };
                Ok(Some(Bytes(ctx.client.encoded_events(&header)?)))
            })
            .await?;
        Ok(events)
    }
}
