//! Prometheus metrics of the DNS server.
//!
//! Registered under a `dns` sub-registry (so `ghostchain_dns_queries_total` in the node's
//! registry). Every label has a bounded set of values: query types are hickory's named types
//! (unknown codes collapse to `Unknown`), response codes are the few this server sends, and the
//! transport is `udp` or `tcp`. Both UDP paths (the fast path and [`super::GhostHandler`]) count
//! alike; messages dropped or answered before the handler runs (shorter than a header, a
//! response, or not parsable: FORMERR) are not counted.

use std::time::Duration;

use hickory_proto::op::ResponseCode;
use hickory_proto::rr::RecordType;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// Labels of the query counter.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct QueryLabels {
    /// Query type (`A`, `TXT`, ...; `NONE` when the message had no single question).
    pub qtype: &'static str,
    /// Response code sent, as dig prints it (`NOERROR`, `NXDOMAIN`, `REFUSED`, ...).
    pub rcode: &'static str,
    /// `udp` or `tcp`.
    pub transport: &'static str,
}

/// Labels of the rate-limit counter.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct LimitLabels {
    /// `dropped` or `slipped` (sent empty with TC).
    pub action: &'static str,
}

/// The DNS server's metrics. Clones share the same series.
#[derive(Clone, Debug)]
pub struct DnsMetrics {
    queries: Family<QueryLabels, Counter>,
    latency: Histogram,
    truncated: Counter,
    rate_limited: Family<LimitLabels, Counter>,
    tcp_refused: Counter,
}

impl Default for DnsMetrics {
    fn default() -> Self {
        Self::new()
    }
}

impl DnsMetrics {
    /// Fresh metrics, not yet in any registry.
    pub fn new() -> DnsMetrics {
        DnsMetrics {
            queries: Family::default(),
            // 10 µs .. ~0.33 s.
            latency: Histogram::new(exponential_buckets(0.000_01, 2.0, 16)),
            truncated: Counter::default(),
            rate_limited: Family::default(),
            tcp_refused: Counter::default(),
        }
    }

    /// Registers the metrics under `dns_` in `registry`.
    pub fn register(&self, registry: &mut Registry) {
        let dns = registry.sub_registry_with_prefix("dns");
        dns.register(
            "queries",
            "DNS queries answered, by query type, response code and transport",
            self.queries.clone(),
        );
        dns.register(
            "query_duration_seconds",
            "Time from a parsed query to its response being handed to the socket",
            self.latency.clone(),
        );
        dns.register(
            "truncated_responses",
            "UDP responses sent with the TC bit set",
            self.truncated.clone(),
        );
        dns.register(
            "rate_limited_responses",
            "UDP responses held back by response-rate limiting, by action (dropped, slipped)",
            self.rate_limited.clone(),
        );
        dns.register(
            "tcp_refused_connections",
            "TCP connections closed at once because the connection cap was reached",
            self.tcp_refused.clone(),
        );
    }

    /// How many queries got `rcode` for `qtype` over `transport` (for tests and debugging).
    pub fn queries(&self, qtype: RecordType, rcode: ResponseCode, transport: &'static str) -> u64 {
        self.queries
            .get_or_create(&QueryLabels {
                qtype: qtype.into(),
                rcode: rcode_label(rcode),
                transport,
            })
            .get()
    }

    /// How many responses were truncated.
    pub fn truncated(&self) -> u64 {
        self.truncated.get()
    }

    /// How many responses rate limiting `dropped` or `slipped`.
    pub fn rate_limited_count(&self, action: &'static str) -> u64 {
        self.rate_limited
            .get_or_create(&LimitLabels { action })
            .get()
    }

    /// How many TCP connections were refused at the cap.
    pub fn tcp_refused(&self) -> u64 {
        self.tcp_refused.get()
    }

    /// Counts one response held back by rate limiting.
    pub(crate) fn rate_limited(&self, action: &'static str) {
        self.rate_limited
            .get_or_create(&LimitLabels { action })
            .inc();
    }

    /// Counts one TCP connection refused at the cap.
    pub(crate) fn refuse_tcp(&self) {
        self.tcp_refused.inc();
    }

    /// Counts one answered query.
    pub(crate) fn observe(
        &self,
        qtype: Option<RecordType>,
        rcode: ResponseCode,
        transport: &'static str,
        truncated: bool,
        elapsed: Duration,
    ) {
        let qtype = qtype.map_or("NONE", Into::into);
        self.queries
            .get_or_create(&QueryLabels {
                qtype,
                rcode: rcode_label(rcode),
                transport,
            })
            .inc();
        self.latency.observe(elapsed.as_secs_f64());
        if truncated {
            self.truncated.inc();
        }
    }
}

/// The mnemonic of a response code (`OTHER` for codes this server never sends).
fn rcode_label(rcode: ResponseCode) -> &'static str {
    match rcode {
        ResponseCode::NoError => "NOERROR",
        ResponseCode::FormErr => "FORMERR",
        ResponseCode::ServFail => "SERVFAIL",
        ResponseCode::NXDomain => "NXDOMAIN",
        ResponseCode::NotImp => "NOTIMP",
        ResponseCode::Refused => "REFUSED",
        ResponseCode::BADVERS => "BADVERS",
        _ => "OTHER",
    }
}
