//! GhostBridge inside the node: a [`ChainSource`] over the client and the pool, and the start-up
//! of the bridge's DNS and gRPC servers.

use std::sync::Arc;
use std::time::Duration;

use ghost_bridge::source::MAX_VOTER_SET_PAGES;
use ghost_bridge::source::SubmitOutcome;
use ghost_bridge::{BlockRef, BridgeError, ChainSource, FinalityBundle, Inclusion};
use ghost_primitives::{DomainName, Hash, Header, Pair};
use ghost_rpc::{DomainChangesJson, NameListJson, ResolutionJson, ResolutionProofJson};
use ghost_runtime::domains::{Call as DomainsCall, SignedRecordUpdate};
use ghost_runtime::{RuntimeCall, api, sign_extrinsic};
use ghost_txpool::TxStatus;
use tokio::sync::{Notify, mpsc};

use crate::client::{Client, ClientError};
use crate::domain_feed::FeedError;
use crate::pool_api::{TransactionPool, next_nonce};
use crate::rpc::{prove_finality, prove_voter_sets, proven_resolution, resolution_json};

impl From<ClientError> for BridgeError {
    fn from(e: ClientError) -> Self {
        BridgeError::Unavailable(e.to_string())
    }
}

/// A refused resume point is the caller's (`Rejected`), anything else the node's.
fn feed_error(e: FeedError) -> BridgeError {
    if e.is_invalid_request() {
        BridgeError::Rejected(e.to_string())
    } else {
        BridgeError::Unavailable(e.to_string())
    }
}

/// The chain as the in-process bridge sees it.
pub struct InProcessSource {
    client: Arc<Client>,
    pool: Arc<TransactionPool>,
    author_wake: Arc<Notify>,
    relayer: Option<Pair>,
    /// Serializes nonce assignment of the relayer's transactions.
    submit_lock: tokio::sync::Mutex<()>,
}

impl InProcessSource {
    /// A source over `client` and `pool`; signed updates are paid by `relayer` (none: updates
    /// are refused).
    pub fn new(
        client: Arc<Client>,
        pool: Arc<TransactionPool>,
        author_wake: Arc<Notify>,
        relayer: Option<Pair>,
    ) -> Self {
        InProcessSource {
            client,
            pool,
            author_wake,
            relayer,
            submit_lock: tokio::sync::Mutex::new(()),
        }
    }

    /// The header at `at` (default best) for a state read; a pruned state is the caller's
    /// error (`Rejected`, naming the oldest block kept).
    fn header_at(&self, at: Option<Hash>) -> Result<Header, BridgeError> {
        match at {
            None => Ok(self.client.best()?.1),
            Some(hash) => {
                let header = self
                    .client
                    .header(&hash)?
                    .ok_or_else(|| BridgeError::NotFound(format!("block {hash}")))?;
                match self.client.check_state(&header) {
                    Err(ClientError::Storage(e)) if e.is_state_pruned() => {
                        Err(BridgeError::Rejected(e.to_string()))
                    }
                    other => other.map(|()| header).map_err(BridgeError::from),
                }
            }
        }
    }
}

#[async_trait::async_trait]
impl ChainSource for InProcessSource {
    async fn head(&self, finalized: bool) -> Result<BlockRef, BridgeError> {
        let (hash, header) = if finalized {
            self.client.finalized()?
        } else {
            self.client.best()?
        };
        Ok(BlockRef {
            height: header.number,
            hash,
        })
    }

    async fn block_at(&self, height: u64) -> Result<Option<BlockRef>, BridgeError> {
        Ok(self
            .client
            .hash_by_number(height)?
            .map(|hash| BlockRef { height, hash }))
    }

    async fn resolve(
        &self,
        name: &DomainName,
        at: Option<Hash>,
    ) -> Result<Option<ResolutionJson>, BridgeError> {
        let header = self.header_at(at)?;
        let resolution = api::resolve(self.client.store(), &header, name, None)
            .map_err(|e| BridgeError::Unavailable(e.to_string()))?;
        Ok(resolution.map(resolution_json))
    }

    async fn resolve_with_proof(
        &self,
        name: &DomainName,
        at: Option<Hash>,
    ) -> Result<ResolutionProofJson, BridgeError> {
        let header = self.header_at(at)?;
        proven_resolution(&self.client, &header, name)
            .map_err(|e| BridgeError::Unavailable(e.to_string()))
    }

    async fn finality(&self, at: Hash) -> Result<Option<FinalityBundle>, BridgeError> {
        let client = self.client.clone();
        let unavailable = |e: jsonrpsee::types::ErrorObjectOwned| {
            BridgeError::Unavailable(e.message().to_string())
        };
        // Reads a run of headers and justifications: off the async workers.
        tokio::task::spawn_blocking(move || {
            let header = client
                .header(&at)?
                .ok_or_else(|| BridgeError::NotFound(format!("block {at}")))?;
            let (_, finalized) = client.finalized()?;
            if header.number > finalized.number || client.hash_by_number(header.number)? != Some(at)
            {
                return Ok(None);
            }
            let Some(finality) = prove_finality(&client, header.number).map_err(unavailable)?
            else {
                return Ok(None);
            };
            let mut voter_sets = prove_voter_sets(&client, 0, Some(at)).map_err(unavailable)?;
            for _ in 1..MAX_VOTER_SET_PAGES {
                let Some(next) = voter_sets.next else { break };
                let page = prove_voter_sets(&client, next, Some(at)).map_err(unavailable)?;
                voter_sets.changes.extend(page.changes);
                voter_sets.next = page.next;
            }
            Ok(Some(FinalityBundle {
                header,
                finality,
                voter_sets,
            }))
        })
        .await
        .map_err(|e| BridgeError::Unavailable(e.to_string()))?
    }

    async fn names(
        &self,
        at: Hash,
        cursor: Option<Hash>,
        limit: u32,
    ) -> Result<NameListJson, BridgeError> {
        let header = self.header_at(Some(at))?;
        let limit = limit.clamp(1, 1_000) as usize;
        let page = api::all_names(self.client.store(), &header, cursor, limit)
            .map_err(|e| BridgeError::Unavailable(e.to_string()))?;
        Ok(NameListJson {
            names: page.names,
            next: page.next,
        })
    }

    async fn resolutions(
        &self,
        at: Hash,
        cursor: Option<Hash>,
        limit: u32,
    ) -> Result<ghost_bridge::source::ResolutionPage, BridgeError> {
        let header = self.header_at(Some(at))?;
        let client = self.client.clone();
        // One ordered pass over the name and record maps per page, off the async workers. The
        // load reads every name once: through the bulk reader, so it fills neither RocksDB's
        // block cache nor the node cache (both would grow to their 64 MiB bounds).
        tokio::task::spawn_blocking(move || {
            let page = client.read_state_bulk(&header, |store| {
                api::resolve_page(store, &header, cursor, limit as usize, None)
            })?;
            Ok(ghost_bridge::source::ResolutionPage {
                resolutions: page
                    .resolutions
                    .into_iter()
                    .map(|r| (r.name.clone(), resolution_json(r)))
                    .collect(),
                next: page.next,
            })
        })
        .await
        .map_err(|e| BridgeError::Unavailable(format!("index page task: {e}")))?
    }

    async fn follow(
        &self,
        from: u64,
        after: Option<Hash>,
        finalized: bool,
    ) -> Result<mpsc::Receiver<Result<Arc<DomainChangesJson>, BridgeError>>, BridgeError> {
        crate::domain_feed::check_start(&self.client, Some(from), after, finalized)
            .map_err(feed_error)?;
        // One channel from the feed to the pump (the feed wraps each block itself), as deep
        // as the two it replaces.
        let (tx, rx) = mpsc::channel(128);
        let client = self.client.clone();
        // The feed holds the chain: it must end as soon as the follower goes away (GhostBridge
        // stopping), not at the next block, or an idle node's shutdown waits on it.
        let follower = tx.clone();
        tokio::spawn(async move {
            tokio::select! {
                result = crate::domain_feed::follow_into(client, Some(from), after, finalized, true, tx, Ok) => {
                    if let Err(e) = result {
                        tracing::warn!(target: "bridge", error = %e, "change feed stopped");
                        let _ = follower.send(Err(feed_error(e))).await;
                    }
                }
                () = follower.closed() => {}
            }
        });
        Ok(rx)
    }

    async fn submit_signed_update(
        &self,
        update: SignedRecordUpdate,
    ) -> Result<(Hash, Inclusion), BridgeError> {
        let call = RuntimeCall::Domains(DomainsCall::SetRecordsSigned { update });
        let (tx_hash, mut statuses) = {
            let _guard = self.submit_lock.lock().await;
            let relayer = self.relayer.as_ref().ok_or_else(|| {
                BridgeError::Rejected(
                    "this node relays no signed updates: start it with --bridge-relayer-key".into(),
                )
            })?;
            let who = relayer.public();
            let nonce = next_nonce(&self.client, &self.pool, &who)?;
            let xt = sign_extrinsic(call, relayer, nonce, 0, self.client.genesis_hash(), None);
            let (best, _) = self.client.best()?;
            self.pool
                .submit_and_watch(best, xt)
                .map_err(|e| BridgeError::Rejected(e.to_string()))?
        };
        self.author_wake.notify_one();
        let client = self.client.clone();
        let inclusion = async move {
            let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
            loop {
                let status = tokio::time::timeout_at(deadline, statuses.recv())
                    .await
                    .map_err(|_| {
                        BridgeError::Unavailable(format!("{tx_hash} not included within 60 s"))
                    })?;
                match status {
                    Some(TxStatus::InBlock(_)) | Some(TxStatus::Finalized(_)) => {
                        let outcome = client.extrinsic_outcome(&tx_hash)?;
                        return Ok(SubmitOutcome {
                            tx_hash,
                            block_height: outcome.as_ref().map(|o| o.block_number),
                            fee: outcome.as_ref().map(|o| o.fee),
                            dispatch_error: outcome.and_then(|o| o.error),
                        });
                    }
                    Some(TxStatus::Ready) | Some(TxStatus::Future) => {}
                    Some(other) => {
                        return Err(BridgeError::Rejected(format!("{tx_hash}: {other:?}")));
                    }
                    None => {
                        return Err(BridgeError::Unavailable(
                            "transaction watcher closed".into(),
                        ));
                    }
                }
            }
        };
        Ok((tx_hash, Box::pin(inclusion)))
    }
}
