//! Prometheus metrics of the gRPC service (prometheus-client), registered under
//! `ghostbridge_grpc_` when [`GrpcConfig::registry`](super::GrpcConfig::registry) is set.
//!
//! - `ghostbridge_grpc_update_requests_total{result}`: updates handled (single and batched), by
//!   result: `accepted`, `dispatch_failed` (included, but the runtime refused it),
//!   `rejected` (the pool refused it), `invalid_argument`, `permission_denied`, `not_found`,
//!   `unavailable`.
//! - `ghostbridge_grpc_relayer_fees_ghost_total`: what the relayer paid for the updates it
//!   relayed and saw included, in GHOST (net of refunds); `ghostbridge_grpc_relayed_updates_total`
//!   how many of them were included (paid for even when the runtime refused them), and
//!   `ghostbridge_grpc_relayed_updates_unpriced_total` those whose fee the source could not tell
//!   (a remote node's failed update).
//! - `ghostbridge_grpc_active_streams`: open `SubscribeDomainChanges` streams.
//! - `ghostbridge_grpc_slow_consumers_total`: subscriptions ended with `RESOURCE_EXHAUSTED`.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;
use std::sync::atomic::AtomicU64;

/// The `result` label of update counts.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct UpdateResultLabel {
    /// See the module doc.
    pub result: &'static str,
}

/// The service's metrics; clones share the same values.
#[derive(Clone, Debug, Default)]
pub struct GrpcMetrics {
    /// Updates handled, by result.
    pub update_requests: Family<UpdateResultLabel, Counter>,
    /// GHOST the relayer paid for included updates.
    pub relayer_fees: Counter<f64, AtomicU64>,
    /// Included relayed updates.
    pub relayed: Counter,
    /// Included relayed updates whose fee is unknown.
    pub relayed_unpriced: Counter,
    /// Open subscription streams.
    pub active_streams: Gauge,
    /// Subscriptions ended because the client did not read.
    pub slow_consumers: Counter,
}

impl GrpcMetrics {
    /// Registers every metric in `registry` under the `ghostbridge_grpc` prefix.
    pub fn register(&self, registry: &mut Registry) {
        let registry = registry.sub_registry_with_prefix("ghostbridge_grpc");
        registry.register(
            "update_requests",
            "Signed record updates handled, by result",
            self.update_requests.clone(),
        );
        registry.register(
            "relayer_fees_ghost",
            "GHOST the relayer paid for relayed updates that were included",
            self.relayer_fees.clone(),
        );
        registry.register(
            "relayed_updates",
            "Relayed updates that were included (each paid for)",
            self.relayed.clone(),
        );
        registry.register(
            "relayed_updates_unpriced",
            "Included relayed updates whose fee the source could not tell",
            self.relayed_unpriced.clone(),
        );
        registry.register(
            "active_streams",
            "Open SubscribeDomainChanges streams",
            self.active_streams.clone(),
        );
        registry.register(
            "slow_consumers",
            "Subscriptions ended because the client did not read",
            self.slow_consumers.clone(),
        );
    }

    /// Records that a relayed update was included, and its fee if known (smallest units).
    pub fn count_relayed(&self, fee: Option<ghost_primitives::Balance>) {
        self.relayed.inc();
        match fee {
            Some(units) => {
                // GHOST has 12 decimals; f64 keeps the sum to well under a micro-GHOST.
                self.relayer_fees.inc_by(units as f64 / 1e12);
            }
            None => {
                self.relayed_unpriced.inc();
            }
        }
    }

    /// Counts one update with `result`.
    pub fn count_update(&self, result: &'static str) {
        self.update_requests
            .get_or_create(&UpdateResultLabel { result })
            .inc();
    }

    /// How many updates ended with `result` so far.
    pub fn updates(&self, result: &'static str) -> u64 {
        self.update_requests
            .get_or_create(&UpdateResultLabel { result })
            .get()
    }
}
