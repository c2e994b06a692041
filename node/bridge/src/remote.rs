//! A [`ChainSource`] that follows a node over JSON-RPC (WebSocket): what the standalone
//! `ghostbridge` sidecar runs on, so DNS capacity can scale apart from validators.
//!
//! The connection is re-established on demand after the node goes away; the name index's sync
//! loop restarts from the chain's head and catches up (`domain_subscribeChanges` replays by
//! height, so nothing is missed).

use std::time::Duration;

use ghost_primitives::{Bytes, DomainName, Hash, Pair};
use ghost_rpc::{
    AuthorApiClient, ChainApiClient, ChangeFilter, DomainApiClient, DomainChangesJson,
    ExtrinsicStatusJson, NameListJson, ResolutionJson, ResolutionProofJson, SystemApiClient,
};
use ghost_runtime::domains::{Call as DomainsCall, SignedRecordUpdate};
use ghost_runtime::{RuntimeCall, sign_extrinsic};
use jsonrpsee::core::ClientError;
use jsonrpsee::core::client::Subscription;
use jsonrpsee_ws_client::{WsClient, WsClientBuilder};
use parity_scale_codec::Encode;
use tokio::sync::{Mutex, mpsc};

use crate::source::{BlockRef, BridgeError, ChainSource, SubmitOutcome};

/// A node followed over JSON-RPC.
pub struct RemoteSource {
    url: String,
    client: Mutex<Option<std::sync::Arc<WsClient>>>,
    relayer: Option<Pair>,
    submit_lock: Mutex<()>,
}

fn rpc_error(e: ClientError) -> BridgeError {
    match e {
        ClientError::Call(call) => BridgeError::Rejected(call.message().to_string()),
        other => BridgeError::Unavailable(other.to_string()),
    }
}

impl RemoteSource {
    /// A source following the node at `url` (`ws://127.0.0.1:9944`); signed updates are paid by
    /// `relayer` (none: UpdateContractDomain is refused).
    pub fn new(url: impl Into<String>, relayer: Option<Pair>) -> Self {
        RemoteSource {
            url: url.into(),
            client: Mutex::new(None),
            relayer,
            submit_lock: Mutex::new(()),
        }
    }

    /// The connection, (re)opened if needed.
    async fn client(&self) -> Result<std::sync::Arc<WsClient>, BridgeError> {
        let mut slot = self.client.lock().await;
        if let Some(client) = slot.as_ref()
            && client.is_connected()
        {
            return Ok(client.clone());
        }
        let client = WsClientBuilder::default()
            .connection_timeout(Duration::from_secs(10))
            .build(&self.url)
            .await
            .map_err(|e| BridgeError::Unavailable(format!("connecting to {}: {e}", self.url)))?;
        let client = std::sync::Arc::new(client);
        *slot = Some(client.clone());
        Ok(client)
    }
}

#[async_trait::async_trait]
impl ChainSource for RemoteSource {
    async fn head(&self, finalized: bool) -> Result<BlockRef, BridgeError> {
        let client = self.client().await?;
        let hash = if finalized {
            Some(
                ChainApiClient::finalized_head(&*client)
                    .await
                    .map_err(rpc_error)?,
            )
        } else {
            None
        };
        let header = ChainApiClient::header(&*client, hash)
            .await
            .map_err(rpc_error)?
            .ok_or_else(|| BridgeError::NotFound("head".into()))?;
        Ok(BlockRef {
            height: header.number,
            hash: header.hash(),
        })
    }

    async fn block_at(&self, height: u64) -> Result<Option<BlockRef>, BridgeError> {
        let client = self.client().await?;
        let hash = ChainApiClient::block_hash(&*client, Some(height))
            .await
            .map_err(rpc_error)?;
        Ok(hash.map(|hash| BlockRef { height, hash }))
    }

    async fn resolve(
        &self,
        name: &DomainName,
        at: Option<Hash>,
    ) -> Result<Option<ResolutionJson>, BridgeError> {
        let client = self.client().await?;
        DomainApiClient::resolve(&*client, name.to_string(), at)
            .await
            .map_err(rpc_error)
    }

    async fn resolve_with_proof(
        &self,
        name: &DomainName,
        at: Option<Hash>,
    ) -> Result<ResolutionProofJson, BridgeError> {
        let client = self.client().await?;
        DomainApiClient::resolve_with_proof(&*client, name.to_string(), at)
            .await
            .map_err(rpc_error)
    }

    async fn names(
        &self,
        at: Hash,
        cursor: Option<Hash>,
        limit: u32,
    ) -> Result<NameListJson, BridgeError> {
        let client = self.client().await?;
        DomainApiClient::names(&*client, Some(at), cursor, Some(limit))
            .await
            .map_err(rpc_error)
    }

    async fn follow(
        &self,
        from: u64,
        finalized: bool,
    ) -> Result<mpsc::Receiver<Result<DomainChangesJson, BridgeError>>, BridgeError> {
        let client = self.client().await?;
        let (tx, rx) = mpsc::channel(64);
        if finalized {
            // Walk heights up to each finalized head: nothing is skipped, nothing repeats.
            let mut heads: Subscription<ghost_primitives::Header> =
                ChainApiClient::subscribe_finalized_heads(&*client)
                    .await
                    .map_err(rpc_error)?;
            let start = ChainApiClient::finalized_head(&*client)
                .await
                .map_err(rpc_error)?;
            let start = ChainApiClient::header(&*client, Some(start))
                .await
                .map_err(rpc_error)?
                .map(|h| h.number)
                .unwrap_or(0);
            tokio::spawn(async move {
                let mut next = from;
                let mut head = start;
                loop {
                    while next <= head {
                        let block = DomainApiClient::changes_at(&*client, next).await;
                        let item = match block {
                            Ok(Some(block)) => Ok(block),
                            Ok(None) => break,
                            Err(e) => Err(rpc_error(e)),
                        };
                        let stop = item.is_err();
                        if tx.send(item).await.is_err() || stop {
                            return;
                        }
                        next += 1;
                    }
                    match heads.next().await {
                        Some(Ok(header)) => head = head.max(header.number),
                        _ => {
                            let _ = tx
                                .send(Err(BridgeError::Unavailable(
                                    "finalized heads ended".into(),
                                )))
                                .await;
                            return;
                        }
                    }
                }
            });
            return Ok(rx);
        }
        let filter = ChangeFilter {
            include_empty: true,
            ..ChangeFilter::default()
        };
        let mut subscription: Subscription<DomainChangesJson> =
            DomainApiClient::subscribe_changes(&*client, Some(from), Some(filter))
                .await
                .map_err(rpc_error)?;
        tokio::spawn(async move {
            while let Some(item) = subscription.next().await {
                let item = item.map_err(|e| BridgeError::Unavailable(e.to_string()));
                let stop = item.is_err();
                if tx.send(item).await.is_err() || stop {
                    return;
                }
            }
        });
        Ok(rx)
    }

    async fn submit_signed_update(
        &self,
        update: SignedRecordUpdate,
        wait: bool,
    ) -> Result<SubmitOutcome, BridgeError> {
        let relayer = self.relayer.as_ref().ok_or_else(|| {
            BridgeError::Rejected("this bridge has no relayer key (--relayer-key)".into())
        })?;
        let client = self.client().await?;
        let call = RuntimeCall::Domains(DomainsCall::SetRecordsSigned { update });
        let (tx_hash, mut statuses) = {
            let _guard = self.submit_lock.lock().await;
            let genesis = ChainApiClient::block_hash(&*client, Some(0))
                .await
                .map_err(rpc_error)?
                .ok_or_else(|| BridgeError::NotFound("genesis".into()))?;
            let nonce = SystemApiClient::account_next_index(&*client, relayer.public().to_string())
                .await
                .map_err(rpc_error)?;
            let xt = sign_extrinsic(call, relayer, nonce, 0, genesis, None);
            let hash = xt.hash();
            let statuses: Subscription<serde_json::Value> =
                AuthorApiClient::submit_and_watch_extrinsic(&*client, Bytes(xt.encode()))
                    .await
                    .map_err(rpc_error)?;
            (hash, statuses)
        };
        if !wait {
            return Ok(SubmitOutcome {
                tx_hash,
                block_height: None,
                dispatch_error: None,
            });
        }
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        loop {
            let status = tokio::time::timeout_at(deadline, statuses.next())
                .await
                .map_err(|_| {
                    BridgeError::Unavailable(format!("{tx_hash} not included within 60 s"))
                })?
                .ok_or_else(|| BridgeError::Unavailable("watch closed".into()))?
                .map_err(|e| BridgeError::Unavailable(e.to_string()))?;
            if status.get("inBlock").is_some() || status.get("finalized").is_some() {
                let outcome = AuthorApiClient::extrinsic_status(&*client, tx_hash)
                    .await
                    .map_err(rpc_error)?;
                return Ok(match outcome {
                    ExtrinsicStatusJson::InBlock {
                        block_number,
                        error,
                        ..
                    } => SubmitOutcome {
                        tx_hash,
                        block_height: Some(block_number),
                        dispatch_error: error,
                    },
                    _ => SubmitOutcome {
                        tx_hash,
                        block_height: None,
                        dispatch_error: None,
                    },
                });
            }
            if matches!(status.as_str(), Some("invalid" | "dropped"))
                || status.get("usurped").is_some()
            {
                return Err(BridgeError::Rejected(format!("{tx_hash}: {status}")));
            }
        }
    }
}
