//! `account_*`.

use ghost_primitives::Hash;
use ghost_rpc::{AccountApiServer, AccountInfoJson};
use jsonrpsee::core::async_trait;

use super::RpcContext;
use super::errors::{RpcError, RpcResult};
use super::system::parse_account;

/// `account_*` handlers.
pub struct AccountRpc(pub RpcContext);

#[async_trait]
impl AccountApiServer for AccountRpc {
    async fn info(&self, account: String, at: Option<Hash>) -> RpcResult<AccountInfoJson> {
        let who = parse_account(&account)?;
        let header = self.0.header_at(at)?;
        let info = ghost_runtime::api::account_info(self.0.client.store(), &header, &who)
            .map_err(RpcError::from)?;
        Ok(AccountInfoJson {
            free: info.free,
            reserved: info.reserved,
            nonce: info.nonce,
        })
    }
}
