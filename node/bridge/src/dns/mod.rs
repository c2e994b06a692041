//! The authoritative DNS server for the chain's TLDs (`.ghost`, `.bc`), on hickory-server.
//!
//! Three layers, each knowing only the one below (hickory-dns's own split):
//!
//! ```text
//!   hickory Server ── UDP socket: parsing, FORMERR for unparsable messages, encoding within
//!        │            the UDP payload size (TC bit)
//!   tcp::serve_tcp ── TCP listener on the same address: at most `max_tcp_connections` at once
//!        │            (more are closed at once), each closed after `tcp_idle_timeout` idle
//!        ▼
//!   handler::GhostHandler ── RequestHandler: opcode / question / class / EDNS checks, the one
//!        │                   QueryError → ResponseCode mapping, AA on, RA off, metrics,
//!        │                   response-rate limiting of UDP answers (rrl::RateLimiter)
//!        ▼
//!   zone::GhostZone ── apex SOA (serial = head height) and NS, CNAME chasing, NODATA and
//!        │             NXDOMAIN with the SOA in authority
//!        ▼
//!   NameIndex::lookup ── in memory, read only; no chain access per query
//! ```
//!
//! [`wire`] holds a checked parser of the plain one-question query shape, the first piece of a
//! UDP fast path (issue #15); the server does not use it yet.
//!
//! [`GhostZone`] is our own type rather than an implementation of hickory's `ZoneHandler` in a
//! `Catalog`: the catalog's authoritative path expects per-zone record sets, while our zones
//! share one index, apply expiry at query time and chase CNAMEs across index lookups; a direct
//! `RequestHandler` also keeps EDNS sizing and metrics in one place.
//!
//! Policy, in short: names outside the configured zones are REFUSED (never recursion); opcodes
//! other than QUERY and classes other than IN are NOTIMP; not exactly one question is FORMERR;
//! EDNS versions above 0 are BADVERS; AXFR/IXFR are REFUSED; ANY gets RFC 8482's minimal answer.
//! Query names match case-insensitively and the question is echoed as asked.
//!
//! [`serve`] binds, spawns and returns a [`DnsServerHandle`]; the server runs until the handle
//! is stopped or dropped.

mod convert;
mod handler;
mod metrics;
mod rrl;
mod tcp;
pub mod wire;
mod zone;

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use hickory_server::Server;
use prometheus_client::registry::Registry;
use tokio::net::{TcpListener, UdpSocket};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use convert::ConvertError;
pub use handler::{GhostHandler, MIN_UDP_PAYLOAD, QueryError};
pub use metrics::{DnsMetrics, LimitLabels, QueryLabels};
pub use rrl::{RateLimitConfig, RateLimiter, ResponseKey, Verdict};
pub use zone::{ANY_TTL, Answer, GhostZone, MAX_CNAME_HOPS, Outcome, SoaConfig, ZoneConfigError};

use crate::index::NameIndex;

/// The default listen address (UDP and TCP).
pub const DEFAULT_ADDR: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(Ipv4Addr::LOCALHOST), 5335);

/// How many ephemeral ports [`serve`] tries when asked for port 0 and TCP finds the UDP port
/// taken.
const BIND_ATTEMPTS: usize = 16;

/// How the DNS server runs.
#[derive(Clone, Debug)]
pub struct DnsConfig {
    /// Where to listen, UDP and TCP on the same port (port 0: an ephemeral port, the same for
    /// both). Default `127.0.0.1:5335`.
    pub addr: SocketAddr,
    /// The zones served (`ghost`, `bc`); names elsewhere are refused.
    pub zones: Vec<String>,
    /// SOA and NS data of the zones.
    pub soa: SoaConfig,
    /// The largest UDP response sent and advertised (bytes); clients asking for more get this
    /// much. Default 1232, the DNS Flag Day 2020 size that avoids IP fragmentation.
    pub max_udp_payload: u16,
    /// Abuse limits: response-rate limiting and TCP caps.
    pub limits: DnsLimits,
    /// The metrics the server updates; register them with [`DnsConfig::with_registry`].
    pub metrics: DnsMetrics,
}

impl Default for DnsConfig {
    fn default() -> Self {
        DnsConfig {
            addr: DEFAULT_ADDR,
            zones: vec!["ghost".into(), "bc".into()],
            soa: SoaConfig::default(),
            max_udp_payload: 1232,
            limits: DnsLimits::default(),
            metrics: DnsMetrics::new(),
        }
    }
}

/// What the server allows one client or all of them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DnsLimits {
    /// Response-rate limiting of UDP responses (on by default, loopback exempt).
    pub rate_limit: RateLimitConfig,
    /// Most TCP connections open at once; one more is closed at once. Default 150 (BIND's
    /// `tcp-clients`).
    pub max_tcp_connections: usize,
    /// How long a TCP connection may sit idle before and between queries. Default 10 s.
    pub tcp_idle_timeout: Duration,
}

impl Default for DnsLimits {
    fn default() -> Self {
        DnsLimits {
            rate_limit: RateLimitConfig::default(),
            max_tcp_connections: 150,
            tcp_idle_timeout: Duration::from_secs(10),
        }
    }
}

impl DnsConfig {
    /// The default configuration listening on `addr`.
    pub fn new(addr: SocketAddr) -> DnsConfig {
        DnsConfig {
            addr,
            ..DnsConfig::default()
        }
    }

    /// Registers this configuration's metrics in `registry` (under `dns_`).
    pub fn with_registry(self, registry: &mut Registry) -> DnsConfig {
        self.metrics.register(registry);
        self
    }
}

/// A running DNS server. Dropping it stops the server (in the background); [`stop`] stops it
/// and waits until its sockets are closed.
///
/// [`stop`]: DnsServerHandle::stop
#[derive(Debug)]
pub struct DnsServerHandle {
    local_addr: SocketAddr,
    metrics: DnsMetrics,
    stop: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl DnsServerHandle {
    /// The bound address (UDP and TCP share it).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The server's metrics.
    pub fn metrics(&self) -> &DnsMetrics {
        &self.metrics
    }

    /// Stops accepting queries and waits until the sockets are closed.
    pub async fn stop(self) {
        let DnsServerHandle { stop, task, .. } = self;
        // An error means the server already ended.
        let _ = stop.send(());
        if let Err(error) = task.await {
            tracing::warn!(target: "bridge::dns", %error, "DNS server task failed");
        }
    }
}

/// Serves `index` over DNS on `config.addr` (UDP and TCP) until the returned handle is stopped
/// or dropped.
///
/// # Errors
///
/// The sockets could not be bound, or the configuration is invalid
/// ([`io::ErrorKind::InvalidInput`], wrapping a [`ZoneConfigError`]).
pub async fn serve(index: NameIndex, config: DnsConfig) -> io::Result<DnsServerHandle> {
    let zone = GhostZone::new(index, &config.zones, config.soa.clone())
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
    let handler = GhostHandler::new(zone, config.metrics.clone(), config.max_udp_payload)
        .with_rate_limit(config.limits.rate_limit.clone());
    let (udp, tcp) = bind(config.addr).await?;
    let local_addr = udp.local_addr()?;
    let mut server = Server::new(handler.clone());
    server.register_socket(udp);
    let (stop, stopped) = oneshot::channel::<()>();
    let (tcp_stop, tcp_stopped) = oneshot::channel::<()>();
    let tcp_task = tokio::spawn(tcp::serve_tcp(
        tcp,
        handler,
        config.limits.clone(),
        config.metrics.clone(),
        tcp_stopped,
    ));
    let task = tokio::spawn(async move {
        tokio::select! {
            // Stopped, or the handle was dropped.
            _ = stopped => {}
            result = server.block_until_done() => {
                if let Err(error) = result {
                    tracing::error!(target: "bridge::dns", %error, "DNS server ended");
                }
                let _ = tcp_stop.send(());
                let _ = tcp_task.await;
                return;
            }
        }
        if let Err(error) = server.shutdown_gracefully().await {
            tracing::warn!(target: "bridge::dns", %error, "DNS server shut down with an error");
        }
        // An error means the TCP loop already ended.
        let _ = tcp_stop.send(());
        if let Err(error) = tcp_task.await {
            tracing::warn!(target: "bridge::dns", %error, "DNS TCP task failed");
        }
        tracing::info!(target: "bridge::dns", addr = %local_addr, "DNS server stopped");
    });
    tracing::info!(target: "bridge::dns", addr = %local_addr, zones = ?config.zones, "DNS server listening");
    Ok(DnsServerHandle {
        local_addr,
        metrics: config.metrics,
        stop,
        task,
    })
}

/// A UDP socket and a TCP listener on the same address. For port 0, UDP picks the port and TCP
/// takes the same number, retrying with a new port if TCP finds it taken.
async fn bind(addr: SocketAddr) -> io::Result<(UdpSocket, TcpListener)> {
    if addr.port() != 0 {
        let udp = UdpSocket::bind(addr).await?;
        return Ok((udp, TcpListener::bind(addr).await?));
    }
    let mut last_error = None;
    for _ in 0..BIND_ATTEMPTS {
        let udp = UdpSocket::bind(addr).await?;
        match TcpListener::bind(udp.local_addr()?).await {
            Ok(tcp) => return Ok((udp, tcp)),
            Err(error) if error.kind() == io::ErrorKind::AddrInUse => last_error = Some(error),
            Err(error) => return Err(error),
        }
    }
    Err(last_error.unwrap_or_else(|| io::Error::from(io::ErrorKind::AddrInUse)))
}
