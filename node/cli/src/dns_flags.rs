//! GhostBridge DNS flags (name servers, rate limiting, TCP caps), shared by `ghostchain` and
//! `ghostbridge`.

use std::net::IpAddr;
use std::time::Duration;

use anyhow::Context;
use ghost_bridge::dns::{DnsLimits, RateLimitConfig, SoaConfig};

/// Apex name servers, response-rate limiting and TCP caps of the authoritative DNS server (see
/// docs/DNS.md).
#[derive(clap::Args, Debug, Clone)]
pub struct DnsFlags {
    /// A name server of the zones (apex NS; the first is the SOA MNAME). Repeat for several.
    #[arg(long = "dns-ns-name", default_value = "ns.ghost")]
    pub dns_ns_names: Vec<String>,
    /// A name server's address, served as glue: `NAME=IP`, or `IP` for the first
    /// `--dns-ns-name`. Repeat for several.
    #[arg(long = "dns-ns-addr")]
    pub dns_ns_addrs: Vec<String>,
    /// Identical UDP responses per second to one client prefix before rate limiting (0: off).
    #[arg(long, default_value_t = 20)]
    pub dns_rrl_responses_per_second: u32,
    /// Seconds of debt a rate-limited response may run up (BIND's `window`).
    #[arg(long, default_value_t = 15)]
    pub dns_rrl_window: u32,
    /// Every N-th rate-limited response is sent truncated (TC), the rest dropped (0: drop all).
    #[arg(long, default_value_t = 2)]
    pub dns_rrl_slip: u32,
    /// IPv4 prefix length grouping clients for rate limiting.
    #[arg(long, default_value_t = 24, value_parser = clap::value_parser!(u8).range(0..=32))]
    pub dns_rrl_ipv4_prefix: u8,
    /// IPv6 prefix length grouping clients for rate limiting.
    #[arg(long, default_value_t = 56, value_parser = clap::value_parser!(u8).range(0..=128))]
    pub dns_rrl_ipv6_prefix: u8,
    /// Most (client prefix, response) pairs the rate limiter tracks.
    #[arg(long, default_value_t = 100_000)]
    pub dns_rrl_table_size: usize,
    /// Rate-limit loopback clients too (they are exempt by default).
    #[arg(long)]
    pub dns_rrl_limit_loopback: bool,
    /// Most DNS TCP connections open at once.
    #[arg(long, default_value_t = 150)]
    pub dns_tcp_max_connections: usize,
    /// Seconds a DNS TCP connection may sit idle before it is closed.
    #[arg(long, default_value_t = 10)]
    pub dns_tcp_idle_timeout: u64,
}

impl DnsFlags {
    /// The SOA and NS data these flags describe.
    pub fn soa(&self) -> anyhow::Result<SoaConfig> {
        let first = self
            .dns_ns_names
            .first()
            .context("--dns-ns-name: at least one name server")?;
        let nameserver_addrs = self
            .dns_ns_addrs
            .iter()
            .map(|given| {
                let (name, addr) = match given.split_once('=') {
                    Some((name, addr)) => (name.to_string(), addr),
                    None => (first.clone(), given.as_str()),
                };
                let addr: IpAddr = addr
                    .parse()
                    .with_context(|| format!("--dns-ns-addr `{given}`: not an IP address"))?;
                Ok((name, addr))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok(SoaConfig {
            nameservers: self.dns_ns_names.clone(),
            nameserver_addrs,
            ..SoaConfig::default()
        })
    }

    /// The limits these flags describe.
    pub fn limits(&self) -> DnsLimits {
        DnsLimits {
            rate_limit: RateLimitConfig {
                responses_per_second: self.dns_rrl_responses_per_second,
                window: self.dns_rrl_window,
                slip: self.dns_rrl_slip,
                ipv4_prefix: self.dns_rrl_ipv4_prefix,
                ipv6_prefix: self.dns_rrl_ipv6_prefix,
                table_size: self.dns_rrl_table_size,
                limit_loopback: self.dns_rrl_limit_loopback,
            },
            max_tcp_connections: self.dns_tcp_max_connections,
            tcp_idle_timeout: Duration::from_secs(self.dns_tcp_idle_timeout),
        }
    }
}
