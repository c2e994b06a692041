//! `system_*`.

use ghost_primitives::AccountId;
use ghost_rpc::{Health, SyncState, SystemApiServer};
use jsonrpsee::core::async_trait;

use super::RpcContext;
use super::errors::{RpcError, RpcResult};

/// `system_*` handlers.
pub struct SystemRpc(pub RpcContext);

/// Parses a `ghost1…` address (or `0x` public key) from a parameter.
pub fn parse_account(s: &str) -> Result<AccountId, RpcError> {
    s.parse()
        .map_err(|e| RpcError::InvalidParams(format!("`{s}` is not an account: {e}")))
}

#[async_trait]
impl SystemApiServer for SystemRpc {
    async fn health(&self) -> RpcResult<Health> {
        let dev = self.0.client.spec().genesis_authorities().len() == 1;
        let (peers, is_syncing) = match &self.0.network {
            Some(network) => (
                u32::try_from(network.service.peer_count()).unwrap_or(u32::MAX),
                network.worker.is_syncing(),
            ),
            None => (0, false),
        };
        Ok(Health {
            peers,
            is_syncing,
            should_have_peers: !dev,
        })
    }

    async fn sync_state(&self) -> RpcResult<SyncState> {
        let current_block = self.0.client.best().map_err(RpcError::from)?.1.number;
        Ok(SyncState {
            starting_block: self.0.starting_block,
            current_block,
            highest_block: self
                .0
                .network
                .as_ref()
                .and_then(|network| network.worker.highest_peer_block()),
        })
    }

    async fn name(&self) -> RpcResult<String> {
        Ok("GhostChain Node".into())
    }

    async fn version(&self) -> RpcResult<String> {
        Ok(env!("CARGO_PKG_VERSION").into())
    }

    async fn chain(&self) -> RpcResult<String> {
        Ok(self.0.client.spec().name.clone())
    }

    async fn properties(&self) -> RpcResult<serde_json::Value> {
        serde_json::to_value(&self.0.client.spec().properties)
            .map_err(|e| RpcError::Internal(e.to_string()).into())
    }

    async fn account_next_index(&self, account: String) -> RpcResult<u64> {
        let who = parse_account(&account)?;
        Ok(
            crate::pool_api::next_nonce(&self.0.client, &self.0.pool, &who)
                .map_err(RpcError::from)?,
        )
    }
}
