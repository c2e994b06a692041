//! The `GhostDNSService` implementation: each method checks its request, asks the
//! [`ChainSource`], and returns a [`GrpcError`] that becomes a `Status` at the edge.

use std::net::IpAddr;
use std::sync::Arc;

use ghost_primitives::{DomainName, Hash};
use ghost_runtime::domains::SignedRecordUpdate;
use parity_scale_codec::Encode;
use tokio::sync::{OnceCell, Semaphore, watch};
use tonic::{Request, Response, Status};

use super::convert;
use super::errors::GrpcError;
use super::metrics::GrpcMetrics;
use super::proto::ghost_dns_service_server::GhostDnsService;
use super::proto::{
    BatchDomainUpdate, BatchUpdateResponse, ContractDomainUpdate, DomainSubscription,
    ResolveRequest, ResolveResponse, StateProof, UpdateResponse,
};
use super::rate::{Rate, RateLimiter};
use super::subscription::{self, EventStream, StreamLimits};
use crate::index::{NameIndex, now_ms};
use crate::source::{BlockRef, BridgeError, ChainSource, Inclusion};

/// The service's limits (from [`GrpcConfig`](super::GrpcConfig)).
#[derive(Clone, Copy, Debug)]
pub(crate) struct ServiceLimits {
    /// Largest accepted distance between an update's timestamp and the bridge's clock (ms).
    pub update_window_ms: u64,
    /// Most updates in one batch.
    pub max_batch: usize,
    /// How long a waited-for update's answer waits for the name index to reach its block.
    pub index_catch_up: std::time::Duration,
    /// Signed updates relayed per name.
    pub updates_per_name: Rate,
    /// Updates accepted per client.
    pub updates_per_client: Rate,
    /// Subscription buffering.
    pub stream: StreamLimits,
}

/// The refusal of an update past a rate limit (`of`: what was limited), with the wait.
fn rate_limited(of: String, wait: std::time::Duration) -> GrpcError {
    GrpcError::RateLimited {
        of,
        retry_ms: wait.as_millis().try_into().unwrap_or(u64::MAX),
    }
}

/// An update in the pool, with the future of its inclusion if the client waits for it.
struct Submitted {
    tx_hash: Hash,
    inclusion: Option<Inclusion>,
}

/// `ghostdns.v1.GhostDNSService` over a [`ChainSource`].
pub struct GhostDns {
    source: Arc<dyn ChainSource>,
    /// The name index DNS answers from; `ResolveDomain` at the served head answers from it too.
    index: NameIndex,
    /// One permit per open `SubscribeDomainChanges` stream.
    stream_slots: Arc<Semaphore>,
    /// Each block's events, converted once for all its subscriptions.
    event_memo: Arc<subscription::EventMemo>,
    limits: ServiceLimits,
    metrics: GrpcMetrics,
    shutdown: watch::Receiver<bool>,
    /// The chain's genesis hash, read once.
    genesis: OnceCell<Hash>,
    /// Updates per name.
    name_limiter: RateLimiter<DomainName>,
    /// Updates per client IP.
    client_limiter: RateLimiter<IpAddr>,
}

impl GhostDns {
    pub(crate) fn new(
        source: Arc<dyn ChainSource>,
        index: NameIndex,
        limits: ServiceLimits,
        metrics: GrpcMetrics,
        shutdown: watch::Receiver<bool>,
    ) -> Self {
        GhostDns {
            source,
            index,
            stream_slots: Arc::new(Semaphore::new(limits.stream.max_streams)),
            event_memo: Arc::default(),
            name_limiter: RateLimiter::new(limits.updates_per_name),
            client_limiter: RateLimiter::new(limits.updates_per_client),
            limits,
            metrics,
            shutdown,
            genesis: OnceCell::new(),
        }
    }

    /// Takes one of `client`'s update tokens (a client without an address, e.g. over a Unix
    /// socket, is not limited here).
    fn limit_client(&self, client: Option<IpAddr>) -> Result<(), GrpcError> {
        let Some(ip) = client else {
            return Ok(());
        };
        self.client_limiter
            .check(&ip)
            .map_err(|wait| rate_limited(format!("from client {ip}"), wait))
    }

    /// The chain's genesis hash (block 0), which signed updates are bound to.
    async fn genesis_hash(&self) -> Result<Hash, GrpcError> {
        self.genesis
            .get_or_try_init(|| async {
                let genesis = self.source.block_at(0).await?;
                genesis.map(|block| block.hash).ok_or_else(|| {
                    GrpcError::from(BridgeError::NotFound("the genesis block".into()))
                })
            })
            .await
            .copied()
    }

    async fn resolve(&self, request: ResolveRequest) -> Result<ResolveResponse, GrpcError> {
        let name = convert::domain_from_proto(&request.domain)?;
        let types = convert::record_types_from_proto(&request.record_types)?;
        let served = || {
            self.index.resolve(&name).ok_or_else(|| {
                GrpcError::from(BridgeError::Unavailable(
                    "the name index is not loaded yet".into(),
                ))
            })
        };
        let block = match request.at_height {
            Some(height) => self
                .source
                .block_at(height)
                .await?
                .ok_or(GrpcError::UnknownHeight(height))?,
            None if !request.with_proof => {
                // The served head: the index's answer, the same DNS gives.
                let (resolution, head) = served()?;
                let resolution =
                    resolution.ok_or_else(|| GrpcError::UnknownDomain(name.clone()))?;
                let mut response = convert::resolve_response(&resolution, head, &types);
                response.genesis_hash = self.genesis_hash().await?.0.to_vec();
                return Ok(response);
            }
            None => served()?.1,
        };
        if !request.with_proof {
            let resolution = self
                .source
                .resolve(&name, Some(block.hash))
                .await?
                .ok_or_else(|| GrpcError::UnknownDomain(name.clone()))?;
            let mut response = convert::resolve_response(&resolution, block, &types);
            response.genesis_hash = self.genesis_hash().await?.0.to_vec();
            return Ok(response);
        }
        let proven = self
            .source
            .resolve_with_proof(&name, Some(block.hash))
            .await?;
        let resolution = proven
            .resolution
            .as_ref()
            .ok_or_else(|| GrpcError::UnknownDomain(name.clone()))?;
        let block = BlockRef {
            height: block.height,
            hash: proven.at,
        };
        let mut response = convert::resolve_response(resolution, block, &types);
        response.genesis_hash = self.genesis_hash().await?.0.to_vec();
        let finality = self.source.finality(proven.at).await?;
        response.proof = Some(StateProof {
            block_hash: proven.at.0.to_vec(),
            state_root: proven.state_root.0.to_vec(),
            keys: proven.keys.iter().map(|k| k.0.clone()).collect(),
            nodes: proven.proof.iter().map(|n| n.0.clone()).collect(),
            header: finality
                .as_ref()
                .map(|bundle| bundle.header.encode())
                .unwrap_or_default(),
            finality: finality.map(convert::finality_to_proto),
        });
        Ok(response)
    }

    /// Checks an update before anything is submitted, so the relayer pays only for updates the
    /// runtime would accept at the best block: form, signature over this chain's genesis hash,
    /// freshness, that the name exists, that the signer is its owner or update key, and that the
    /// update was not signed against a sequence number the records have moved past. A sequence
    /// ahead of the name's is let through: it may follow an update still in the pool.
    async fn check_update(
        &self,
        message: &ContractDomainUpdate,
    ) -> Result<SignedRecordUpdate, GrpcError> {
        let update = convert::update_from_proto(message)?;
        if !update.signature_is_valid(&self.genesis_hash().await?) {
            return Err(GrpcError::BadSignature {
                signer: update.owner_address,
            });
        }
        let now = now_ms();
        let skew_ms = now.abs_diff(update.timestamp);
        if skew_ms > self.limits.update_window_ms {
            return Err(GrpcError::Stale {
                timestamp: update.timestamp,
                now,
                skew_ms,
                window_ms: self.limits.update_window_ms,
            });
        }
        let resolution = self
            .source
            .resolve(&update.domain, None)
            .await?
            .ok_or_else(|| GrpcError::UnknownDomain(update.domain.clone()))?;
        let signer = update.owner_address;
        if resolution.owner != signer && resolution.update_key != Some(signer) {
            return Err(GrpcError::NotAuthorized {
                name: update.domain,
                signer,
            });
        }
        if update.sequence < resolution.update_sequence {
            return Err(GrpcError::StaleSequence {
                name: update.domain,
                sent: update.sequence,
                current: resolution.update_sequence,
            });
        }
        Ok(update)
    }

    /// Checks and submits one update. `Ok` with `accepted: false` when the update was included
    /// but the runtime refused it; `Err` for everything refused before that.
    async fn update(&self, message: &ContractDomainUpdate) -> Result<UpdateResponse, GrpcError> {
        let submitted = self.submit(message).await?;
        self.finish(submitted).await
    }

    /// Checks and submits one update; with `wait`, keeps the future of its inclusion.
    async fn submit(&self, message: &ContractDomainUpdate) -> Result<Submitted, GrpcError> {
        let update = self.check_update(message).await?;
        self.name_limiter
            .check(&update.domain)
            .map_err(|wait| rate_limited(format!("of name {}", update.domain), wait))?;
        let (tx_hash, inclusion) = self.source.submit_signed_update(update).await?;
        if message.wait {
            return Ok(Submitted {
                tx_hash,
                inclusion: Some(inclusion),
            });
        }
        // Nobody waits for it, but the relayer pays for it: follow it to count the spend.
        let metrics = self.metrics.clone();
        tokio::spawn(async move {
            if let Ok(outcome) = inclusion.await
                && outcome.block_height.is_some()
            {
                metrics.count_relayed(outcome.fee);
            }
        });
        Ok(Submitted {
            tx_hash,
            inclusion: None,
        })
    }

    /// The response for a submitted update, after its inclusion if it is waited for, and then
    /// (at most the configured catch-up time) until the name index has the block, so a
    /// `ResolveDomain` right after the answer sees the update.
    async fn finish(&self, submitted: Submitted) -> Result<UpdateResponse, GrpcError> {
        let Some(inclusion) = submitted.inclusion else {
            return Ok(UpdateResponse {
                accepted: true,
                tx_hash: submitted.tx_hash.to_string(),
                block_height: 0,
                error: String::new(),
            });
        };
        let outcome = inclusion.await?;
        if outcome.block_height.is_some() {
            self.metrics.count_relayed(outcome.fee);
        }
        if let Some(height) = outcome.block_height {
            // On a finalized bridge the index waits for finality: do not hold the answer long.
            let catch_up = self.limits.index_catch_up;
            let _ = tokio::time::timeout(catch_up, self.index.wait_for_height(height)).await;
        }
        Ok(UpdateResponse {
            accepted: outcome.dispatch_error.is_none(),
            tx_hash: outcome.tx_hash.to_string(),
            block_height: outcome.block_height.unwrap_or(0),
            error: outcome.dispatch_error.unwrap_or_default(),
        })
    }

    /// [`Self::update`], counted in the metrics.
    async fn counted_update(
        &self,
        message: &ContractDomainUpdate,
    ) -> Result<UpdateResponse, GrpcError> {
        let result = self.update(message).await;
        self.metrics.count_update(match &result {
            Ok(response) if response.accepted => "accepted",
            Ok(_) => "dispatch_failed",
            Err(error) => error.metric_label(),
        });
        result
    }
}

#[tonic::async_trait]
impl GhostDnsService for GhostDns {
    async fn resolve_domain(
        &self,
        request: Request<ResolveRequest>,
    ) -> Result<Response<ResolveResponse>, Status> {
        Ok(Response::new(self.resolve(request.into_inner()).await?))
    }

    async fn update_contract_domain(
        &self,
        request: Request<ContractDomainUpdate>,
    ) -> Result<Response<UpdateResponse>, Status> {
        let client = request.remote_addr().map(|addr| addr.ip());
        if let Err(error) = self.limit_client(client) {
            self.metrics.count_update(error.metric_label());
            return Err(error.into());
        }
        Ok(Response::new(self.counted_update(request.get_ref()).await?))
    }

    async fn batch_update_domains(
        &self,
        request: Request<BatchDomainUpdate>,
    ) -> Result<Response<BatchUpdateResponse>, Status> {
        let client = request.remote_addr().map(|addr| addr.ip());
        let updates = request.into_inner().updates;
        if updates.len() > self.limits.max_batch {
            return Err(GrpcError::OversizedBatch {
                len: updates.len(),
                max: self.limits.max_batch,
            }
            .into());
        }
        // Submit every update in request order (updates of one name must reach the chain in
        // order), then wait for all of them at once, and report each.
        let mut submitted = Vec::with_capacity(updates.len());
        for message in &updates {
            let result = match self.limit_client(client) {
                Ok(()) => self.submit(message).await,
                Err(error) => Err(error),
            };
            submitted.push(result);
        }
        let finished = futures::future::join_all(submitted.into_iter().map(|s| async move {
            match s {
                Ok(s) => self.finish(s).await,
                Err(e) => Err(e),
            }
        }))
        .await;
        let results = finished
            .into_iter()
            .map(|result| {
                self.metrics.count_update(match &result {
                    Ok(response) if response.accepted => "accepted",
                    Ok(_) => "dispatch_failed",
                    Err(error) => error.metric_label(),
                });
                result.unwrap_or_else(|error| UpdateResponse {
                    accepted: false,
                    error: error.to_string(),
                    ..UpdateResponse::default()
                })
            })
            .collect();
        Ok(Response::new(BatchUpdateResponse { results }))
    }

    type SubscribeDomainChangesStream = EventStream;

    async fn subscribe_domain_changes(
        &self,
        request: Request<DomainSubscription>,
    ) -> Result<Response<Self::SubscribeDomainChangesStream>, Status> {
        let subscription = request.into_inner();
        let filter = convert::change_filter(&subscription).map_err(GrpcError::from)?;
        let after = convert::resume_hash(&subscription).map_err(GrpcError::from)?;
        let stream = subscription::subscribe(
            self.source.as_ref(),
            &self.stream_slots,
            &self.event_memo,
            subscription.from_block_height,
            after,
            subscription.finalized_only,
            filter,
            self.limits.stream,
            self.shutdown.clone(),
            self.metrics.clone(),
        )
        .await?;
        Ok(Response::new(stream))
    }
}
