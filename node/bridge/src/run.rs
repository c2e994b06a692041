//! Starting GhostBridge: load the name index, keep it in sync, serve DNS and gRPC. The node
//! does this in process; the `ghostbridge` sidecar does it over JSON-RPC.

use std::net::SocketAddr;
use std::sync::Arc;

use prometheus_client::registry::Registry;
use tokio::task::JoinHandle;

use crate::dns::{DnsConfig, DnsLimits, DnsServerHandle, SoaConfig};
use crate::grpc::{GrpcConfig, GrpcServerHandle};
use crate::index::{self, NameIndex};
use crate::source::ChainSource;

/// What to serve.
#[derive(Clone)]
pub struct BridgeConfig {
    /// gRPC address (`None`: no gRPC).
    pub grpc_addr: Option<SocketAddr>,
    /// DNS address, UDP and TCP (`None`: no DNS).
    pub dns_addr: Option<SocketAddr>,
    /// Answer from finalized state instead of the best block.
    pub finalized: bool,
    /// DNS abuse limits (response-rate limiting, TCP caps).
    pub dns_limits: DnsLimits,
    /// The zones' SOA and apex NS data (name servers and their glue).
    pub dns_soa: SoaConfig,
    /// Where the bridge's metrics go.
    pub registry: Option<Arc<parking_lot::Mutex<Registry>>>,
}

impl Default for BridgeConfig {
    fn default() -> Self {
        BridgeConfig {
            grpc_addr: Some(SocketAddr::from(([127, 0, 0, 1], 50051))),
            dns_addr: Some(SocketAddr::from(([127, 0, 0, 1], 5335))),
            finalized: false,
            dns_limits: DnsLimits::default(),
            dns_soa: SoaConfig::default(),
            registry: None,
        }
    }
}

/// Why the bridge could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The chain could not be read.
    #[error("loading the name index: {0}")]
    Chain(#[from] crate::source::BridgeError),
    /// A server could not bind.
    #[error("{what} on {addr}: {source}")]
    Bind {
        /// Which server.
        what: &'static str,
        /// Where.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
}

/// A running bridge.
pub struct BridgeHandle {
    /// The name index.
    pub index: NameIndex,
    dns: Option<DnsServerHandle>,
    grpc: Option<GrpcServerHandle>,
    sync: JoinHandle<()>,
}

impl BridgeHandle {
    /// Where DNS listens.
    pub fn dns_addr(&self) -> Option<SocketAddr> {
        self.dns.as_ref().map(DnsServerHandle::local_addr)
    }

    /// Where gRPC listens.
    pub fn grpc_addr(&self) -> Option<SocketAddr> {
        self.grpc.as_ref().map(GrpcServerHandle::local_addr)
    }

    /// Stops the servers and the sync.
    pub async fn stop(self) {
        if let Some(grpc) = self.grpc {
            grpc.stop().await;
        }
        if let Some(dns) = self.dns {
            dns.stop().await;
        }
        self.sync.abort();
        let _ = self.sync.await;
    }
}

/// Loads the index, starts keeping it in sync, and starts the servers.
pub async fn start(
    source: Arc<dyn ChainSource>,
    config: BridgeConfig,
) -> Result<BridgeHandle, StartError> {
    let names = NameIndex::new();
    index::load(source.as_ref(), &names, config.finalized).await?;
    let sync = tokio::spawn(index::keep_in_sync(
        source.clone(),
        names.clone(),
        config.finalized,
    ));
    let dns = match config.dns_addr {
        Some(addr) => {
            let mut dns_config = DnsConfig::new(addr);
            dns_config.limits = config.dns_limits.clone();
            dns_config.soa = config.dns_soa.clone();
            if let Some(registry) = &config.registry {
                dns_config = dns_config.with_registry(&mut registry.lock());
            }
            let handle = crate::dns::serve(names.clone(), dns_config)
                .await
                .map_err(|source| StartError::Bind {
                    what: "DNS",
                    addr,
                    source,
                })?;
            tracing::info!(target: "bridge", "authoritative DNS for .ghost/.bc on {} (UDP + TCP)", handle.local_addr());
            Some(handle)
        }
        None => None,
    };
    let grpc = match config.grpc_addr {
        Some(addr) => {
            let grpc_config = GrpcConfig {
                addr,
                registry: config.registry.clone(),
                ..GrpcConfig::default()
            };
            let handle = crate::grpc::serve(source, names.clone(), grpc_config)
                .await
                .map_err(|source| StartError::Bind {
                    what: "gRPC",
                    addr,
                    source,
                })?;
            tracing::info!(target: "bridge", "gRPC GhostDNSService on {}", handle.local_addr());
            Some(handle)
        }
        None => None,
    };
    Ok(BridgeHandle {
        index: names,
        dns,
        grpc,
        sync,
    })
}
