//! `ens_*`: reads of the ENS bridge (links, reverse names, pending requests, oracles).

use ghost_primitives::{EnsName, Hash};
use ghost_rpc::{
    EnsApiServer, EnsLinkJson, EnsLinkListJson, EnsOraclesJson, EnsRequestJson, normalize_ens_name,
    normalize_name,
};
use ghost_runtime::api;
use ghost_runtime::ens_bridge::{Link, LinkStatus, PendingRequest};
use jsonrpsee::core::async_trait;

use super::RpcContext;
use super::errors::{RpcError, RpcResult};

/// `ens_*` handlers.
pub struct EnsRpc(pub RpcContext);

/// Links per `ens_links` page unless asked otherwise.
const DEFAULT_PAGE: u32 = 100;

/// The JSON form of a link.
pub fn link_json(link: Link) -> EnsLinkJson {
    let (status, suspended_by) = match link.status {
        LinkStatus::Active => ("active", None),
        LinkStatus::Suspended { new_owner } => ("suspended", Some(new_owner)),
    };
    EnsLinkJson {
        ens_node: Hash(link.ens_name.namehash()),
        ens_name: link.ens_name,
        ghost_name: link.ghost_name,
        ghost_account: link.ghost_account,
        eth_owner: link.eth_owner,
        eth_block_number: link.eth_block_number,
        eth_block_hash: link.eth_block_hash,
        records_hash: link.records_hash,
        status: status.into(),
        suspended_by,
        linked_at: link.linked_at,
        mirrors_dns: link.mirrors_dns,
    }
}

/// The JSON form of a pending request.
pub fn request_json(request: PendingRequest) -> EnsRequestJson {
    EnsRequestJson {
        ens_node: Hash(request.ens_name.namehash()),
        ens_name: request.ens_name,
        ghost_name: request.ghost_name,
        ghost_account: request.ghost_account,
        eth_address: request.eth_address,
        deposit: request.deposit,
        expires_at: request.expires_at,
    }
}

fn parse_ens(input: &str) -> Result<EnsName, RpcError> {
    normalize_ens_name(input).map_err(RpcError::InvalidParams)
}

fn page_limit(limit: Option<u32>, default: u32) -> usize {
    limit.unwrap_or(default).min(api::MAX_ENS_PENDING as u32) as usize
}

#[async_trait]
impl EnsApiServer for EnsRpc {
    async fn link(&self, ens_name: String, at: Option<Hash>) -> RpcResult<Option<EnsLinkJson>> {
        let ens_name = parse_ens(&ens_name)?;
        let header = self.0.header_at(at)?;
        let link =
            api::ens_link(self.0.client.store(), &header, &ens_name).map_err(RpcError::from)?;
        Ok(link.map(link_json))
    }

    async fn reverse(&self, ghost_name: String, at: Option<Hash>) -> RpcResult<Option<EnsName>> {
        let name = normalize_name(&ghost_name).map_err(RpcError::InvalidParams)?;
        let header = self.0.header_at(at)?;
        Ok(api::ens_reverse(self.0.client.store(), &header, &name).map_err(RpcError::from)?)
    }

    async fn pending(&self, limit: Option<u32>) -> RpcResult<Vec<EnsRequestJson>> {
        let limit = page_limit(limit, api::MAX_ENS_PENDING as u32);
        let header = self.0.header_at(None)?;
        let pending =
            api::ens_pending(self.0.client.store(), &header, limit).map_err(RpcError::from)?;
        Ok(pending.into_iter().map(request_json).collect())
    }

    async fn oracles(&self) -> RpcResult<EnsOraclesJson> {
        let header = self.0.header_at(None)?;
        let (oracles, threshold) =
            api::ens_oracles(self.0.client.store(), &header).map_err(RpcError::from)?;
        Ok(EnsOraclesJson { oracles, threshold })
    }

    async fn links(&self, cursor: Option<Hash>, limit: Option<u32>) -> RpcResult<EnsLinkListJson> {
        let limit = page_limit(limit, DEFAULT_PAGE);
        let header = self.0.header_at(None)?;
        let links = api::ens_links(self.0.client.store(), &header, cursor.map(|h| h.0), limit)
            .map_err(RpcError::from)?;
        let next = (limit > 0 && links.len() == limit)
            .then(|| links.last().map(|l| Hash(l.ens_name.namehash())))
            .flatten();
        Ok(EnsLinkListJson {
            links: links.into_iter().map(link_json).collect(),
            next,
        })
    }
}
