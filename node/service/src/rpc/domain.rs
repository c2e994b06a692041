//! `domain_*`.

use ghost_primitives::{Bytes, DomainName, Hash};
use ghost_rpc::{
    AvailabilityJson, ChangeFilter, DomainApiServer, DomainChangesJson, NameListJson,
    ResolutionJson, ResolutionListJson, ResolutionProofJson, normalize_name,
};
use ghost_runtime::api;
use ghost_runtime::domains::{NameStatus, Resolution};
use jsonrpsee::PendingSubscriptionSink;
use jsonrpsee::core::{SubscriptionResult, async_trait};

use super::RpcContext;
use super::errors::{RpcError, RpcResult};
use super::system::parse_account;
use crate::domain_feed::{self, FeedError};

/// `domain_*` handlers.
pub struct DomainRpc(pub RpcContext);

/// Most names per `listByOwner` page.
const MAX_PAGE: u32 = ghost_runtime::domains::read::MAX_PAGE;

fn parse_name(input: &str) -> Result<DomainName, RpcError> {
    normalize_name(input).map_err(RpcError::InvalidParams)
}

fn status_text(status: NameStatus) -> String {
    match status {
        NameStatus::Active => "active",
        NameStatus::Grace => "grace",
        NameStatus::Available => "available",
    }
    .into()
}

/// The wall clock in ms: queries see expiry on time between blocks.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// The JSON form of a resolution.
pub fn resolution_json(r: Resolution) -> ResolutionJson {
    ResolutionJson {
        name: r.name,
        namehash: r.namehash,
        owner: r.owner,
        records: r.records,
        web3: r.web3,
        expires_at: r.expires_at,
        created_at: r.created_at,
        status: status_text(r.status),
        parent: r.parent,
        update_key: r.update_key,
        update_sequence: r.update_sequence,
    }
}

/// A name's resolution at `header` with a read proof of its storage against the state root.
/// The status is the block's (the proof is about that state).
pub fn proven_resolution(
    client: &crate::client::Client,
    header: &ghost_primitives::Header,
    name: &DomainName,
) -> Result<ResolutionProofJson, RpcError> {
    let resolution = client.read_state(header, |store| api::resolve(store, header, name, None))?;
    let keys = api::domain_proof_keys(name);
    let proof = client.read_state(header, |store| api::read_proof(store, header, &keys))?;
    Ok(ResolutionProofJson {
        resolution: resolution.map(resolution_json),
        at: header.hash(),
        state_root: header.state_root,
        keys: keys.into_iter().map(Bytes).collect(),
        proof: proof.nodes.into_iter().map(Bytes).collect(),
    })
}

impl From<FeedError> for RpcError {
    fn from(e: FeedError) -> Self {
        if e.is_invalid_request() {
            RpcError::InvalidParams(e.to_string())
        } else {
            RpcError::Internal(e.to_string())
        }
    }
}

#[async_trait]
impl DomainApiServer for DomainRpc {
    async fn resolve(&self, name: String, at: Option<Hash>) -> RpcResult<Option<ResolutionJson>> {
        let name = parse_name(&name)?;
        let header = self.0.header_at(at)?;
        let now = at.is_none().then(now_ms);
        let resolution = self
            .0
            .client
            .read_state(&header, |store| api::resolve(store, &header, &name, now))
            .map_err(RpcError::from)?;
        Ok(resolution.map(resolution_json))
    }

    async fn resolve_with_proof(
        &self,
        name: String,
        at: Option<Hash>,
    ) -> RpcResult<ResolutionProofJson> {
        let name = parse_name(&name)?;
        let header = self.0.header_at(at)?;
        Ok(proven_resolution(&self.0.client, &header, &name)?)
    }

    async fn list_by_owner(
        &self,
        owner: String,
        cursor: Option<Hash>,
        limit: Option<u32>,
    ) -> RpcResult<NameListJson> {
        let owner = parse_account(&owner)?;
        let limit = limit.unwrap_or(100).min(MAX_PAGE) as usize;
        let header = self.0.header_at(None)?;
        let page = api::list_by_owner(self.0.client.store(), &header, &owner, cursor, limit)
            .map_err(RpcError::from)?;
        Ok(NameListJson {
            names: page.names,
            next: page.next,
        })
    }

    async fn names(
        &self,
        at: Option<Hash>,
        cursor: Option<Hash>,
        limit: Option<u32>,
    ) -> RpcResult<NameListJson> {
        let limit = limit.unwrap_or(100).min(MAX_PAGE) as usize;
        let header = self.0.header_at(at)?;
        let page = self
            .0
            .client
            .read_state(&header, |store| {
                api::all_names(store, &header, cursor, limit)
            })
            .map_err(RpcError::from)?;
        Ok(NameListJson {
            names: page.names,
            next: page.next,
        })
    }

    async fn resolutions(
        &self,
        at: Option<Hash>,
        cursor: Option<Hash>,
        limit: Option<u32>,
    ) -> RpcResult<ResolutionListJson> {
        let limit = limit.unwrap_or(100).min(MAX_PAGE) as usize;
        let header = self.0.header_at(at)?;
        let now = at.is_none().then(now_ms);
        let client = self.0.client.clone();
        // Up to a thousand resolutions: off the async workers. A sidecar loading its index
        // reads every name this way once: through the bulk reader, which fills neither
        // RocksDB's block cache nor the node cache.
        let page = tokio::task::spawn_blocking(move || {
            client.read_state_bulk(&header, |store| {
                api::resolve_page(store, &header, cursor, limit, now)
            })
        })
        .await
        .map_err(|e| RpcError::Internal(format!("resolutions task: {e}")))?
        .map_err(RpcError::from)?;
        Ok(ResolutionListJson {
            resolutions: page.resolutions.into_iter().map(resolution_json).collect(),
            next: page.next,
        })
    }

    async fn changes_at(&self, height: u64) -> RpcResult<Option<DomainChangesJson>> {
        Ok(domain_feed::changes_at(&self.0.client, height).map_err(RpcError::from)?)
    }

    async fn available(&self, name: String) -> RpcResult<AvailabilityJson> {
        let name = parse_name(&name)?;
        let header = self.0.header_at(None)?;
        let a = api::availability(self.0.client.store(), &header, &name, Some(now_ms()))
            .map_err(RpcError::from)?;
        Ok(AvailabilityJson {
            available: a.available,
            status: status_text(a.status),
            reason: a.reason,
        })
    }

    async fn price(&self, name: String, duration_ms: u64) -> RpcResult<u128> {
        let name = parse_name(&name)?;
        let header = self.0.header_at(None)?;
        let price = api::domain_price(self.0.client.store(), &header, &name, duration_ms)
            .map_err(RpcError::from)?;
        Ok(price.ok_or_else(|| RpcError::InvalidParams("price overflows".into()))?)
    }

    async fn primary_name(&self, address: String) -> RpcResult<Option<DomainName>> {
        let who = parse_account(&address)?;
        let header = self.0.header_at(None)?;
        Ok(
            api::primary_name(self.0.client.store(), &header, &who, Some(now_ms()))
                .map_err(RpcError::from)?,
        )
    }

    async fn params(&self) -> RpcResult<serde_json::Value> {
        let header = self.0.header_at(None)?;
        let params = api::domain_params(self.0.client.store(), &header).map_err(RpcError::from)?;
        serde_json::to_value(params).map_err(|e| RpcError::Internal(e.to_string()).into())
    }

    async fn subscribe_changes(
        &self,
        pending: PendingSubscriptionSink,
        from_height: Option<u64>,
        filter: Option<ChangeFilter>,
        from_block_hash: Option<Hash>,
    ) -> SubscriptionResult {
        let filter = filter.unwrap_or_default();
        // A resume point that names no block (or the wrong height) is refused, not accepted.
        if let Err(e) =
            domain_feed::check_start(&self.0.client, from_height, from_block_hash, false)
        {
            pending
                .reject(jsonrpsee::types::ErrorObjectOwned::from(RpcError::from(e)))
                .await;
            return Ok(());
        }
        let sink = pending.accept().await?;
        let (tx, mut rx) = tokio::sync::mpsc::channel(64);
        let feed = tokio::spawn(domain_feed::follow(
            self.0.client.clone(),
            from_height,
            from_block_hash,
            false,
            filter.include_empty,
            tx,
        ));
        // Ok(true): the feed closed the channel (it stopped); Ok(false): the subscriber left.
        let forward = async {
            while let Some(json) = rx.recv().await {
                // The notification is shared with other followers: copied only to filter it.
                let filtered;
                let json = if json.changes.iter().all(|c| filter.matches(c)) {
                    &*json
                } else {
                    let mut own = DomainChangesJson::clone(&json);
                    own.changes.retain(|c| filter.matches(c));
                    filtered = own;
                    &filtered
                };
                if json.changes.is_empty() && !filter.include_empty {
                    continue;
                }
                let message = serde_json::value::to_raw_value(json)?;
                if sink.send(message).await.is_err() {
                    return Ok(false);
                }
            }
            Ok::<bool, jsonrpsee::core::SubscriptionError>(true)
        };
        match self.0.until_shutdown(forward).await {
            // Tell the subscriber why the feed stopped, rather than ending the subscription
            // as if there were nothing more.
            Some(Ok(true)) => match feed.await {
                Ok(Err(e)) => {
                    tracing::warn!("domain_subscribeChanges: the change feed stopped: {e}");
                    Err(format!("the change feed stopped: {e}").into())
                }
                _ => Ok(()),
            },
            Some(Ok(false)) | None => {
                feed.abort();
                Ok(())
            }
            Some(Err(e)) => {
                feed.abort();
                Err(e)
            }
        }
    }
}
