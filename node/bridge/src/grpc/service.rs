//! The `GhostDNSService` implementation: each method checks its request, asks the
//! [`ChainSource`], and returns a [`GrpcError`] that becomes a `Status` at the edge.

use std::sync::Arc;

use ghost_runtime::domains::SignedRecordUpdate;
use tokio::sync::watch;
use tonic::{Request, Response, Status};

use super::convert;
use super::errors::GrpcError;
use super::metrics::GrpcMetrics;
use super::proto::ghost_dns_service_server::GhostDnsService;
use super::proto::{
    BatchDomainUpdate, BatchUpdateResponse, ContractDomainUpdate, DomainSubscription,
    ResolveRequest, ResolveResponse, StateProof, UpdateResponse,
};
use super::subscription::{self, EventStream, StreamLimits};
use crate::index::now_ms;
use crate::source::{BlockRef, ChainSource};

/// The service's limits (from [`GrpcConfig`](super::GrpcConfig)).
#[derive(Clone, Copy, Debug)]
pub(crate) struct ServiceLimits {
    /// Largest accepted distance between an update's timestamp and the bridge's clock (ms).
    pub update_window_ms: u64,
    /// Most updates in one batch.
    pub max_batch: usize,
    /// Subscription buffering.
    pub stream: StreamLimits,
}

/// `ghostdns.v1.GhostDNSService` over a [`ChainSource`].
pub struct GhostDns {
    source: Arc<dyn ChainSource>,
    limits: ServiceLimits,
    metrics: GrpcMetrics,
    shutdown: watch::Receiver<bool>,
}

impl GhostDns {
    pub(crate) fn new(
        source: Arc<dyn ChainSource>,
        limits: ServiceLimits,
        metrics: GrpcMetrics,
        shutdown: watch::Receiver<bool>,
    ) -> Self {
        GhostDns {
            source,
            limits,
            metrics,
            shutdown,
        }
    }

    async fn resolve(&self, request: ResolveRequest) -> Result<ResolveResponse, GrpcError> {
        let name = convert::domain_from_proto(&request.domain)?;
        let types = convert::record_types_from_proto(&request.record_types)?;
        let block = match request.at_height {
            Some(height) => self
                .source
                .block_at(height)
                .await?
                .ok_or(GrpcError::UnknownHeight(height))?,
            None => self.source.head(false).await?,
        };
        if !request.with_proof {
            let resolution = self
                .source
                .resolve(&name, Some(block.hash))
                .await?
                .ok_or_else(|| GrpcError::UnknownDomain(name.clone()))?;
            return Ok(convert::resolve_response(&resolution, block, &types));
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
        response.proof = Some(StateProof {
            block_hash: proven.at.0.to_vec(),
            state_root: proven.state_root.0.to_vec(),
            keys: proven.keys.iter().map(|k| k.0.clone()).collect(),
            nodes: proven.proof.iter().map(|n| n.0.clone()).collect(),
        });
        Ok(response)
    }

    /// Checks an update before anything is submitted: form, signature, freshness, and that the
    /// name exists. A signer other than the owner is let through (it may be the name's update
    /// key, which `resolve` does not show); the runtime checks it.
    async fn check_update(
        &self,
        message: &ContractDomainUpdate,
    ) -> Result<SignedRecordUpdate, GrpcError> {
        let update = convert::update_from_proto(message)?;
        if !update.signature_is_valid() {
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
        if resolution.owner != update.owner_address {
            tracing::debug!(
                target: "bridge::grpc",
                name = %update.domain,
                signer = %update.owner_address,
                "update not signed by the owner; relaying it for the runtime to check the update key"
            );
        }
        Ok(update)
    }

    /// Checks and submits one update. `Ok` with `accepted: false` when the update was included
    /// but the runtime refused it; `Err` for everything refused before that.
    async fn update(&self, message: &ContractDomainUpdate) -> Result<UpdateResponse, GrpcError> {
        let update = self.check_update(message).await?;
        let outcome = self
            .source
            .submit_signed_update(update, message.wait)
            .await?;
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
        Ok(Response::new(self.counted_update(request.get_ref()).await?))
    }

    async fn batch_update_domains(
        &self,
        request: Request<BatchDomainUpdate>,
    ) -> Result<Response<BatchUpdateResponse>, Status> {
        let updates = request.into_inner().updates;
        if updates.len() > self.limits.max_batch {
            return Err(GrpcError::OversizedBatch {
                len: updates.len(),
                max: self.limits.max_batch,
            }
            .into());
        }
        // In request order, one at a time: updates of one name must reach the chain in order.
        let mut results = Vec::with_capacity(updates.len());
        for message in &updates {
            results.push(self.counted_update(message).await.unwrap_or_else(|error| {
                UpdateResponse {
                    accepted: false,
                    error: error.to_string(),
                    ..UpdateResponse::default()
                }
            }));
        }
        Ok(Response::new(BatchUpdateResponse { results }))
    }

    type SubscribeDomainChangesStream = EventStream;

    async fn subscribe_domain_changes(
        &self,
        request: Request<DomainSubscription>,
    ) -> Result<Response<Self::SubscribeDomainChangesStream>, Status> {
        let subscription = request.into_inner();
        let filter = convert::change_filter(&subscription).map_err(GrpcError::from)?;
        let stream = subscription::subscribe(
            self.source.as_ref(),
            subscription.from_block_height,
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
