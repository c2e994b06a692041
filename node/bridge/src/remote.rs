//! A [`ChainSource`] that follows a node over JSON-RPC (WebSocket): what the standalone
//! `ghostbridge` sidecar runs on, so DNS capacity can scale apart from validators.
//!
//! The connection is a [`ghost_client::Client`], opened on first use and re-established by the
//! client after the node goes away; the name index's sync loop restarts from the chain's head
//! and catches up (`domain_subscribeChanges` replays by height, so nothing is missed). Signed
//! updates are relayed with the client's transaction builder (nonces, watch, dispatch errors).

use std::time::Duration;

use ghost_client::{Client, Signer};
use ghost_primitives::{DomainName, Hash, Pair};
use ghost_rpc::{
    ChainApiClient, ChangeFilter, DomainApiClient, DomainChangesJson, NameListJson, ResolutionJson,
    ResolutionProofJson,
};
use ghost_runtime::domains::SignedRecordUpdate;
use jsonrpsee::core::ClientError;
use jsonrpsee::core::client::Subscription;
use tokio::sync::{Mutex, mpsc};

use crate::source::{BlockRef, BridgeError, ChainSource, FinalityBundle, Inclusion, SubmitOutcome};

/// How long the remote source waits: connecting, each request, and a relayed update.
const TIMEOUT: Duration = Duration::from_secs(60);

/// A node followed over JSON-RPC.
pub struct RemoteSource {
    url: String,
    client: Mutex<Option<Client>>,
    relayer: Option<Signer>,
}

fn rpc_error(e: ClientError) -> BridgeError {
    match e {
        ClientError::Call(call) => BridgeError::Rejected(call.message().to_string()),
        other => BridgeError::Unavailable(other.to_string()),
    }
}

fn client_error(e: ghost_client::Error) -> BridgeError {
    match e {
        ghost_client::Error::Rpc {
            source: ClientError::Call(call),
            ..
        } => BridgeError::Rejected(call.message().to_string()),
        e @ ghost_client::Error::NotIncluded { .. } => BridgeError::Rejected(e.to_string()),
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
            relayer: relayer.map(Signer::from_pair),
        }
    }

    /// The client, connected on first use (it reconnects by itself afterwards).
    async fn client(&self) -> Result<Client, BridgeError> {
        let mut slot = self.client.lock().await;
        if let Some(client) = slot.as_ref() {
            return Ok(client.clone());
        }
        let client = Client::builder(&self.url)
            .timeout(TIMEOUT)
            .connect()
            .await
            .map_err(client_error)?;
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
                ChainApiClient::finalized_head(&client)
                    .await
                    .map_err(rpc_error)?,
            )
        } else {
            None
        };
        let header = ChainApiClient::header(&client, hash)
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
        let hash = ChainApiClient::block_hash(&client, Some(height))
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
        DomainApiClient::resolve(&client, name.to_string(), at)
            .await
            .map_err(rpc_error)
    }

    async fn resolve_with_proof(
        &self,
        name: &DomainName,
        at: Option<Hash>,
    ) -> Result<ResolutionProofJson, BridgeError> {
        let client = self.client().await?;
        DomainApiClient::resolve_with_proof(&client, name.to_string(), at)
            .await
            .map_err(rpc_error)
    }

    async fn finality(&self, at: Hash) -> Result<Option<FinalityBundle>, BridgeError> {
        let client = self.client().await?;
        let Some(header) = ChainApiClient::header(&client, Some(at))
            .await
            .map_err(rpc_error)?
        else {
            return Err(BridgeError::NotFound(format!("block {at}")));
        };
        let finalized = client
            .fetch_finalized_header()
            .await
            .map_err(client_error)?;
        let canonical = ChainApiClient::block_hash(&client, Some(header.number))
            .await
            .map_err(rpc_error)?;
        if header.number > finalized.number || canonical != Some(at) {
            return Ok(None);
        }
        let Some(finality) = client
            .prove_finality(header.number)
            .await
            .map_err(client_error)?
        else {
            return Ok(None);
        };
        let voter_sets = client
            .fetch_voter_set_proof(at)
            .await
            .map_err(client_error)?;
        Ok(Some(FinalityBundle {
            header,
            finality,
            voter_sets,
        }))
    }

    async fn names(
        &self,
        at: Hash,
        cursor: Option<Hash>,
        limit: u32,
    ) -> Result<NameListJson, BridgeError> {
        let client = self.client().await?;
        DomainApiClient::names(&client, Some(at), cursor, Some(limit))
            .await
            .map_err(rpc_error)
    }

    async fn resolutions(
        &self,
        at: Hash,
        cursor: Option<Hash>,
        limit: u32,
    ) -> Result<crate::source::ResolutionPage, BridgeError> {
        let client = self.client().await?;
        let page = DomainApiClient::resolutions(&client, Some(at), cursor, Some(limit))
            .await
            .map_err(rpc_error)?;
        Ok(crate::source::ResolutionPage {
            resolutions: page
                .resolutions
                .into_iter()
                .map(|r| (r.name.clone(), r))
                .collect(),
            next: page.next,
        })
    }

    async fn follow(
        &self,
        from: u64,
        after: Option<Hash>,
        finalized: bool,
    ) -> Result<mpsc::Receiver<Result<std::sync::Arc<DomainChangesJson>, BridgeError>>, BridgeError>
    {
        let client = self.client().await?;
        let (tx, rx) = mpsc::channel(64);
        if finalized {
            // Finalized blocks never leave the chain: a resume point must be one of them.
            if let Some(after) = after {
                let finalized = ChainApiClient::finalized_head(&client)
                    .await
                    .map_err(rpc_error)?;
                let finalized_number = ChainApiClient::header(&client, Some(finalized))
                    .await
                    .map_err(rpc_error)?
                    .map_or(0, |h| h.number);
                let below = from.checked_sub(1);
                let canonical = match below {
                    Some(below) if below <= finalized_number => {
                        ChainApiClient::block_hash(&client, Some(below))
                            .await
                            .map_err(rpc_error)?
                    }
                    _ => None,
                };
                if canonical != Some(after) {
                    return Err(BridgeError::Rejected(format!(
                        "block {after} is not the finalized block at height {}",
                        below.map_or_else(|| "-1".to_string(), |b| b.to_string())
                    )));
                }
            }
            // Walk heights up to each finalized head: nothing is skipped, nothing repeats.
            let mut heads: Subscription<ghost_primitives::Header> =
                ChainApiClient::subscribe_finalized_heads(&client)
                    .await
                    .map_err(rpc_error)?;
            let start = ChainApiClient::finalized_head(&client)
                .await
                .map_err(rpc_error)?;
            let start = ChainApiClient::header(&client, Some(start))
                .await
                .map_err(rpc_error)?
                .map(|h| h.number)
                .unwrap_or(0);
            tokio::spawn(async move {
                let mut next = from;
                let mut head = start;
                loop {
                    while next <= head {
                        let block = DomainApiClient::changes_at(&client, next).await;
                        let item = match block {
                            Ok(Some(block)) => Ok(std::sync::Arc::new(block)),
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
            DomainApiClient::subscribe_changes(&client, Some(from), Some(filter), after)
                .await
                .map_err(rpc_error)?;
        tokio::spawn(async move {
            while let Some(item) = subscription.next().await {
                let item = item
                    .map(std::sync::Arc::new)
                    .map_err(|e| BridgeError::Unavailable(e.to_string()));
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
    ) -> Result<(Hash, Inclusion), BridgeError> {
        let relayer = self.relayer.as_ref().ok_or_else(|| {
            BridgeError::Rejected("this bridge has no relayer key (--relayer-key)".into())
        })?;
        let client = self.client().await?;
        let progress = client
            .tx()
            .domains()
            .set_records_signed(update)
            .submit_and_watch(relayer)
            .await
            .map_err(client_error)?;
        let tx_hash = progress.extrinsic_hash();
        let inclusion = async move {
            match progress.in_block().await {
                Ok(done) => Ok(SubmitOutcome {
                    tx_hash,
                    block_height: Some(done.block_number),
                    dispatch_error: None,
                    fee: Some(ghost_runtime::api::net_fee(&done.events)),
                }),
                // A refused update still pays its fee: the failure carries its events.
                Err(ghost_client::Error::Dispatch(failure)) => Ok(SubmitOutcome {
                    tx_hash,
                    block_height: Some(failure.block_number),
                    dispatch_error: Some(failure.error.to_string()),
                    fee: Some(ghost_runtime::api::net_fee(&failure.events)),
                }),
                Err(other) => Err(client_error(other)),
            }
        };
        Ok((tx_hash, Box::pin(inclusion)))
    }
}
