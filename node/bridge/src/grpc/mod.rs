//! The `ghostdns.v1.GhostDNSService` gRPC server, with gRPC reflection and health.
//!
//! [`serve`] binds [`GrpcConfig::addr`] (127.0.0.1:50051 by default) and serves, on one port:
//! - `ghostdns.v1.GhostDNSService` over a [`ChainSource`];
//! - `grpc.reflection.v1.ServerReflection` (and `v1alpha` for older tools) from
//!   [`proto::FILE_DESCRIPTOR_SET`];
//! - `grpc.health.v1.Health`, `SERVING` for `""` and `"ghostdns.v1.GhostDNSService"`.
//!
//! # Methods
//! - **ResolveDomain**: the name is normalized (IDNA accepted; `INVALID_ARGUMENT` with the
//!   reason otherwise) and answered from the name index DNS answers from, at the index's head
//!   (the best block, or the finalized one on a bridge in finalized mode); at `at_height`
//!   (`NOT_FOUND` past the chain) or with `with_proof` it is read from the chain at that height
//!   or at the index's head, with the state read proof. `NOT_FOUND` if it is not registered.
//!   Records are filtered by `record_types` and converted as [`convert`] describes;
//!   `height`/`block_hash` name the block used; `web3` carries the web3 records.
//! - **UpdateContractDomain**: checked before anything is submitted, in this order: the form
//!   (`INVALID_ARGUMENT`), the signature over the canonical payload (`PERMISSION_DENIED`), the
//!   timestamp within ±5 min of the bridge's clock (`INVALID_ARGUMENT`, "stale update"), the
//!   name is registered (`NOT_FOUND`). A signer that is not the owner is *not* refused: it may
//!   be the name's update key, which resolution does not show, and the runtime checks signer,
//!   signature, timestamp order and window again when it applies the update. Then the update is
//!   submitted through the node's pool (`Domains::set_records_signed`, paid by the bridge's
//!   relayer), optionally waiting for inclusion. The answer is `accepted: true` with the
//!   extrinsic hash (`0x` hex) and, when waited for, the block height; an update that was
//!   included but failed in the runtime is `accepted: false` with the runtime's error and an
//!   `OK` status; a pool refusal is `FAILED_PRECONDITION`.
//!   Updates are rate-limited ([`rate`]): per client IP before anything is checked, and per
//!   name once the update is found valid (so only the owner's or update key's updates spend
//!   the name's budget); past either, `RESOURCE_EXHAUSTED` with the wait.
//! - **BatchUpdateDomains**: at most 100 updates (`INVALID_ARGUMENT`, "oversized batch");
//!   each one is checked and submitted on its own, in order, and gets one `UpdateResponse`
//!   (refusals become `accepted: false` with the reason).
//! - **SubscribeDomainChanges**: see [`subscription`]: every matching change in block order,
//!   from `from_block_height` (default: the block after the head), through a bounded buffer;
//!   a client that stops reading gets `RESOURCE_EXHAUSTED` "slow consumer; resume from height
//!   N" and resubscribes from N without a gap or a duplicate.
//!
//! # The canonical update payload
//! The `signature` of a `ContractDomainUpdate` is the ed25519 signature (by the key of
//! `owner_address`) of
//!
//! ```text
//! b"ghostchain/domain-update/v1" ++ SCALE(domain, contract_id, records, owner, timestamp)
//! ```
//!
//! ([`SignedRecordUpdate::signing_payload`](ghost_runtime::domains::SignedRecordUpdate::signing_payload)),
//! where, in SCALE:
//! - `domain`: the normalized name as a string (compact length ++ UTF-8);
//! - `contract_id`: the UTF-8 bytes of the `contract_id` field as `Vec<u8>` (compact length ++
//!   bytes);
//! - `records`: compact count ++ each `DnsRecord` = label string (`@`, `www`, lowercase) ++ `ttl`
//!   u32 LE ++ `RecordData`: a variant index byte, then its fields: `A` = 0 ++ 4 bytes,
//!   `AAAA` = 1 ++ 16 bytes, `CNAME` = 2 ++ host string, `TXT` = 3 ++ compact count ++ each
//!   ≤255-byte chunk of the UTF-8 text as `Vec<u8>`, `MX` = 4 ++ u16 LE ++ host, `NS` = 5 ++
//!   host, `SRV` = 6 ++ priority, weight, port (u16 LE each) ++ host, `CAA` = 7 ++ flags u8 ++
//!   tag string ++ value bytes, `TLSA` = 8 ++ usage, selector, matching type (u8 each) ++ data
//!   bytes; host names lowercase without the trailing dot;
//! - `owner`: the 32 public-key bytes (no length);
//! - `timestamp`: u64 LE, ms since the Unix epoch.
//!
//! The records are the ones the bridge builds from the request ([`convert`]), in request order,
//! so a client signs over the canonical forms (`tests/python/ghost_payload.py` is a reference
//! encoder, checked against this crate by the `payload_fixture_matches_python` test).

pub mod convert;
pub mod errors;
pub mod metrics;
pub mod rate;
mod service;
pub mod subscription;

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use prometheus_client::registry::Registry;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tonic::transport::Server;
use tonic::transport::server::TcpIncoming;

pub use errors::{GrpcError, RESUME_HASH_METADATA, RESUME_HEIGHT_METADATA};
pub use metrics::GrpcMetrics;
pub use service::GhostDns;

use crate::index::NameIndex;
use crate::source::ChainSource;
use proto::ghost_dns_service_server::GhostDnsServiceServer;
use service::ServiceLimits;
use subscription::StreamLimits;

/// Types and service traits generated from `proto/ghostdns.proto` (package `ghostdns.v1`).
#[allow(missing_docs, clippy::all, clippy::pedantic)]
pub mod proto {
    tonic::include_proto!("ghostdns.v1");

    /// The encoded `FileDescriptorSet` of `ghostdns.proto`, for gRPC reflection.
    pub const FILE_DESCRIPTOR_SET: &[u8] =
        tonic::include_file_descriptor_set!("ghostdns_descriptor");
}

/// The full name of the service, as health checks and reflection know it.
pub const SERVICE_NAME: &str = "ghostdns.v1.GhostDNSService";

/// How long [`GrpcServerHandle::stop`] waits for open calls before it cuts them.
const STOP_TIMEOUT: Duration = Duration::from_secs(5);

/// How the gRPC server runs.
#[derive(Clone, Debug)]
pub struct GrpcConfig {
    /// Where to listen (default 127.0.0.1:50051; port 0 picks a free one).
    pub addr: SocketAddr,
    /// Where to register the metrics (see [`metrics`]); `None`: not exported.
    pub registry: Option<Arc<parking_lot::Mutex<Registry>>>,
    /// Largest accepted distance between an update's timestamp and the bridge's clock (ms;
    /// default 5 min, the runtime's window).
    pub update_window_ms: u64,
    /// Most updates in one `BatchUpdateDomains` (default 100, the runtime's limit).
    pub max_batch: usize,
    /// Events buffered per subscription between the chain and the client (default 256).
    pub stream_buffer: usize,
    /// Most `SubscribeDomainChanges` streams open at once (default 1024); one more is refused
    /// with `RESOURCE_EXHAUSTED`.
    pub max_streams: usize,
    /// How long an `UpdateContractDomain` with `wait` holds its answer, after inclusion, until
    /// the name index has the block (default 5 s; a finalized bridge's index waits for
    /// finality), so a `ResolveDomain` right after the answer sees the update.
    pub index_catch_up: Duration,
    /// How long a full subscription buffer may stay full before the client is called slow and
    /// the stream ends with `RESOURCE_EXHAUSTED` (default 5 s).
    pub slow_consumer_grace: Duration,
    /// Signed updates relayed per name (default [`rate::Rate::PER_NAME`]); past it
    /// `RESOURCE_EXHAUSTED`.
    pub updates_per_name: rate::Rate,
    /// Updates accepted per client IP, single or batched (default [`rate::Rate::PER_CLIENT`]);
    /// past it `RESOURCE_EXHAUSTED`.
    pub updates_per_client: rate::Rate,
}

impl Default for GrpcConfig {
    fn default() -> Self {
        GrpcConfig {
            addr: SocketAddr::from(([127, 0, 0, 1], 50051)),
            registry: None,
            update_window_ms: 5 * 60_000,
            max_batch: 100,
            stream_buffer: 256,
            max_streams: 1024,
            index_catch_up: Duration::from_secs(5),
            slow_consumer_grace: Duration::from_secs(5),
            updates_per_name: rate::Rate::PER_NAME,
            updates_per_client: rate::Rate::PER_CLIENT,
        }
    }
}

/// A running server. Stops it when dropped (or awaited in [`stop`](Self::stop)).
pub struct GrpcServerHandle {
    addr: SocketAddr,
    metrics: GrpcMetrics,
    health: tonic_health::server::HealthReporter,
    shutdown: watch::Sender<bool>,
    task: Option<JoinHandle<Result<(), tonic::transport::Error>>>,
}

impl GrpcServerHandle {
    /// The address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The server's metrics.
    pub fn metrics(&self) -> &GrpcMetrics {
        &self.metrics
    }

    /// The health reporter, to mark the service `NOT_SERVING` (e.g. while the node syncs).
    pub fn health(&self) -> &tonic_health::server::HealthReporter {
        &self.health
    }

    /// Stops the server: open subscriptions end with `UNAVAILABLE` (and their resume height),
    /// calls in flight get a few seconds to finish, and the port is released.
    pub async fn stop(mut self) {
        self.health
            .set_service_status(SERVICE_NAME, tonic_health::ServingStatus::NotServing)
            .await;
        let _ = self.shutdown.send(true);
        if let Some(mut task) = self.task.take() {
            match tokio::time::timeout(STOP_TIMEOUT, &mut task).await {
                Ok(Ok(Ok(()))) => {}
                Ok(Ok(Err(error))) => {
                    tracing::warn!(target: "bridge::grpc", %error, "gRPC server failed")
                }
                Ok(Err(error)) => {
                    tracing::warn!(target: "bridge::grpc", %error, "gRPC server task failed")
                }
                Err(_) => task.abort(),
            }
        }
    }
}

impl Drop for GrpcServerHandle {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
    }
}

/// Serves GhostDNSService, reflection and health on `config.addr` until the handle is stopped
/// or dropped.
///
/// # Arguments
/// - `source`: the chain (in process or over JSON-RPC); every answer comes from it.
/// - `index`: the bridge's shared name index, the one read path of DNS and `ResolveDomain`: a
///   resolve at the served head answers from it (with the index's block), so DNS and gRPC never
///   disagree and the bridge's mode (best or finalized) holds for both. Only a resolve at an
///   explicit height, or with a state proof (which the index cannot give), asks the chain, at
///   that height or at the index's head.
/// - `config`: address, limits and metrics registry.
///
/// # Return value
/// The handle of the running server, or the error of binding the address.
pub async fn serve(
    source: Arc<dyn ChainSource>,
    index: NameIndex,
    config: GrpcConfig,
) -> io::Result<GrpcServerHandle> {
    let listener = TcpListener::bind(config.addr).await?;
    let addr = listener.local_addr()?;
    let metrics = GrpcMetrics::default();
    if let Some(registry) = &config.registry {
        metrics.register(&mut registry.lock());
    }
    let (shutdown, shutdown_rx) = watch::channel(false);
    let limits = ServiceLimits {
        update_window_ms: config.update_window_ms,
        max_batch: config.max_batch,
        index_catch_up: config.index_catch_up,
        updates_per_name: config.updates_per_name,
        updates_per_client: config.updates_per_client,
        stream: StreamLimits {
            buffer: config.stream_buffer,
            max_streams: config.max_streams,
            grace: config.slow_consumer_grace,
        },
    };
    let service = GhostDns::new(source, index, limits, metrics.clone(), shutdown_rx.clone());

    let (health, health_service) = tonic_health::server::health_reporter();
    health
        .set_service_status(SERVICE_NAME, tonic_health::ServingStatus::Serving)
        .await;
    let reflection = || {
        tonic_reflection::server::Builder::configure()
            .register_encoded_file_descriptor_set(proto::FILE_DESCRIPTOR_SET)
            .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
    };
    let reflection_v1 = reflection().build_v1().map_err(io::Error::other)?;
    let reflection_v1alpha = reflection().build_v1alpha().map_err(io::Error::other)?;

    let mut stop = shutdown_rx;
    let server = Server::builder()
        .add_service(health_service)
        .add_service(reflection_v1)
        .add_service(reflection_v1alpha)
        .add_service(GhostDnsServiceServer::new(service))
        .serve_with_incoming_shutdown(
            TcpIncoming::from(listener).with_nodelay(Some(true)),
            async move {
                let _ = stop.wait_for(|stop| *stop).await;
            },
        );
    let task = tokio::spawn(server);
    tracing::info!(target: "bridge::grpc", %addr, "GhostDNSService listening");
    Ok(GrpcServerHandle {
        addr,
        metrics,
        health,
        shutdown,
        task: Some(task),
    })
}
