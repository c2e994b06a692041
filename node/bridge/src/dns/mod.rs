//! The authoritative DNS server for the chain's TLDs (`.ghost`, `.bc`): UDP on our own
//! transport, TCP on hickory-server's stream codec.
//!
//! Three layers, each knowing only the one below (hickory-dns's own split):
//!
//! ```text
//!   udp::UdpWorkers ── N blocking threads (DnsConfig::udp_workers, default one per core), each
//!        │             with its own SO_REUSEPORT socket on the address: recvmmsg up to 32
//!        │             datagrams, answer each inline, sendmmsg the responses (mmsg::Batch)
//!        │    datagram::UdpResponder ── fast path: wire::PlainQuery (one question, at most an
//!        │        │      OPT with cookies) → GhostZone::answer → encoded into the buffer,
//!        │        │      compressed (answer owner = 0xC00C), RRL and metrics as the handler;
//!        │        │      anything else, or an answer over the payload size → the handler
//!   tcp::serve_tcp ── TCP listener on the same address: at most `max_tcp_connections` at once
//!        │            (more are closed at once), each closed after `tcp_idle_timeout` idle
//!        ▼
//!   handler::GhostHandler ── RequestHandler: hickory's parser (FORMERR for unparsable
//!        │                   messages), opcode / question / class / EDNS checks, the one
//!        │                   QueryError → ResponseCode mapping, AA on, RA off, metrics,
//!        │                   response-rate limiting of UDP answers (rrl::RateLimiter),
//!        │                   encoding within the UDP payload size (TC bit)
//!        ▼
//!   zone::GhostZone ── apex SOA (serial = head height) and NS, CNAME chasing, NODATA and
//!        │             NXDOMAIN with the SOA in authority
//!        ▼
//!   NameIndex::lookup ── in memory, read only; no chain access per query
//! ```
//!
//! Both UDP paths send the same answer (sections, flags, response code; the fast path only
//! compresses more) and the slow path's behaviour is hickory's as before; the fast path exists
//! because the kernel side of hickory's UDP server (a task and a channel hop per request, one
//! system call per packet) cost about 8 of its 12 µs of CPU per answer (issue #15,
//! `docs/PERFORMANCE.md`).
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
//! is stopped or dropped. The TCP listener is bound without `SO_REUSEPORT`, so a second server
//! on a port already served fails to start (`AddrInUse`) even though its UDP sockets could
//! share the port.

mod convert;
mod datagram;
mod handler;
mod metrics;
mod mmsg;
mod rrl;
mod tcp;
mod udp;
pub mod wire;
mod zone;

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use prometheus_client::registry::Registry;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use convert::ConvertError;
pub use datagram::UdpResponder;
pub use handler::{GhostHandler, MIN_UDP_PAYLOAD, QueryError};
pub use metrics::{DnsMetrics, LimitLabels, QueryLabels};
pub use rrl::{RateLimitConfig, RateLimiter, ResponseKey, Verdict};
pub use zone::{ANY_TTL, Answer, GhostZone, MAX_CNAME_HOPS, Outcome, SoaConfig, ZoneConfigError};

use crate::index::NameIndex;

/// The default listen address (UDP and TCP).
pub const DEFAULT_ADDR: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(Ipv4Addr::LOCALHOST), 5335);

/// How many ephemeral ports [`serve`] tries when asked for port 0 and UDP finds the TCP port
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
    /// UDP worker threads, each with its own socket (0: one per available core, the default).
    pub udp_workers: usize,
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
            udp_workers: 0,
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

    /// How many UDP workers to run: [`DnsConfig::udp_workers`], or one per available core.
    pub fn udp_worker_count(&self) -> usize {
        match self.udp_workers {
            0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
            n => n,
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
    /// Stops the server (also when dropped).
    stop: oneshot::Sender<()>,
    /// The TCP loop, then the UDP workers' stop, then the listener's close.
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
/// On stop, the UDP sockets are closed before the TCP listener: while the listener holds the
/// port no other server can be given it, so none can join the `SO_REUSEPORT` group of sockets
/// that are about to close (and lose queries to them).
///
/// # Errors
///
/// The sockets could not be bound, a worker thread not started, or the configuration is
/// invalid ([`io::ErrorKind::InvalidInput`], wrapping a [`ZoneConfigError`]).
pub async fn serve(index: NameIndex, config: DnsConfig) -> io::Result<DnsServerHandle> {
    let zone = GhostZone::new(index, &config.zones, config.soa.clone())
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
    let handler = GhostHandler::new(zone, config.metrics.clone(), config.max_udp_payload)
        .with_rate_limit(config.limits.rate_limit.clone());
    let workers = config.udp_worker_count();
    let (udp, listener) = bind(config.addr, workers).await?;
    let local_addr = listener.local_addr()?;
    let udp = udp::UdpWorkers::spawn(udp, &handler)?;
    let (stop, stopped) = oneshot::channel::<()>();
    let limits = config.limits.clone();
    let metrics = config.metrics.clone();
    let task = tokio::spawn(async move {
        // Ends when stopped or when the handle is dropped.
        tcp::serve_tcp(&listener, handler, limits, metrics, stopped).await;
        if let Err(error) = tokio::task::spawn_blocking(move || udp.stop()).await {
            tracing::warn!(target: "bridge::dns", %error, "stopping the DNS UDP workers failed");
        }
        drop(listener);
        tracing::info!(target: "bridge::dns", addr = %local_addr, "DNS server stopped");
    });
    tracing::info!(target: "bridge::dns", addr = %local_addr, zones = ?config.zones, udp_workers = workers, "DNS server listening");
    Ok(DnsServerHandle {
        local_addr,
        metrics: config.metrics,
        stop,
        task,
    })
}

/// `workers` UDP sockets and a TCP listener on the same address. TCP is bound first: its
/// listener is exclusive, so for port 0 the port it picks is no other server's, and the UDP
/// sockets (which share a port with any `SO_REUSEPORT` socket of the same user) then take the
/// same number, retrying with a new port if UDP finds it taken.
async fn bind(
    addr: SocketAddr,
    workers: usize,
) -> io::Result<(Vec<std::net::UdpSocket>, TcpListener)> {
    if addr.port() != 0 {
        let tcp = TcpListener::bind(addr).await?;
        return Ok((udp::bind(addr, workers)?, tcp));
    }
    let mut last_error = None;
    for _ in 0..BIND_ATTEMPTS {
        let tcp = TcpListener::bind(addr).await?;
        match udp::bind(tcp.local_addr()?, workers) {
            Ok(udp) => return Ok((udp, tcp)),
            Err(error) if error.kind() == io::ErrorKind::AddrInUse => last_error = Some(error),
            Err(error) => return Err(error),
        }
    }
    Err(last_error.unwrap_or_else(|| io::Error::from(io::ErrorKind::AddrInUse)))
}
