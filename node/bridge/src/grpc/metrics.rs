//! Prometheus metrics of the gRPC service (prometheus-client), registered under
//! `ghostbridge_grpc_` when [`GrpcConfig::registry`](super::GrpcConfig::registry) is set.
//!
//! - `ghostbridge_grpc_update_requests_total{result}`: updates handled (single and batched), by
//!   result: `accepted`, `dispatch_failed` (included, but the runtime refused it),
//!   `rejected` (the pool refused it), `invalid_argument`, `permission_denied`, `not_found`,
//!   `unavailable`.
//! - `ghostbridge_grpc_active_streams`: open `SubscribeDomainChanges` streams.
//! - `ghostbridge_grpc_slow_consumers_total`: subscriptions ended with `RESOURCE_EXHAUSTED`.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

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
