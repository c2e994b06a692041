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

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        dns: DnsFlags,
    }

    fn parse(args: &[&str]) -> DnsFlags {
        Cli::try_parse_from([&["test"][..], args].concat())
            .unwrap()
            .dns
    }

    #[test]
    fn name_servers_and_their_addresses_come_from_the_flags() {
        let soa = parse(&[
            "--dns-ns-name",
            "ns1.ghost",
            "--dns-ns-name",
            "ns2.example.net",
            "--dns-ns-addr",
            "192.0.2.10",
            "--dns-ns-addr",
            "ns1.ghost=2001:db8::10",
        ])
        .soa()
        .unwrap();
        assert_eq!(soa.nameservers, ["ns1.ghost", "ns2.example.net"]);
        assert_eq!(
            soa.nameserver_addrs,
            [
                ("ns1.ghost".to_string(), "192.0.2.10".parse().unwrap()),
                ("ns1.ghost".to_string(), "2001:db8::10".parse().unwrap()),
            ]
        );
        assert_eq!(parse(&[]).soa().unwrap().nameservers, ["ns.ghost"]);
    }

    #[test]
    fn a_bad_address_or_prefix_is_refused() {
        let error = parse(&["--dns-ns-addr", "ns.ghost=not-an-ip"])
            .soa()
            .unwrap_err();
        assert!(error.to_string().contains("not an IP address"), "{error}");
        assert!(Cli::try_parse_from(["test", "--dns-rrl-ipv4-prefix", "33"]).is_err());
    }

    #[test]
    fn the_limits_default_to_loopback_exempt_rate_limiting_and_bounded_tcp() {
        let limits = parse(&[]).limits();
        assert_eq!(limits, DnsLimits::default());
        let off = parse(&[
            "--dns-rrl-responses-per-second",
            "0",
            "--dns-tcp-max-connections",
            "3",
            "--dns-tcp-idle-timeout",
            "2",
            "--dns-rrl-limit-loopback",
        ])
        .limits();
        assert_eq!(off.rate_limit.responses_per_second, 0);
        assert!(off.rate_limit.limit_loopback);
        assert_eq!(off.max_tcp_connections, 3);
        assert_eq!(off.tcp_idle_timeout, Duration::from_secs(2));
    }
}
