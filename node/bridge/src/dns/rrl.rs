//! Response-rate limiting (RRL) for UDP answers, as BIND and Knot do it.
//!
//! A UDP query's source address can be forged, so an open authoritative server can be used to
//! reflect traffic at a victim. RRL counts identical responses sent to one client *prefix*
//! (`/24` for IPv4, `/56` for IPv6 by default) and, past `responses_per_second`, stops sending
//! them: every `slip`-th limited response goes out as an empty truncated (TC) answer, which
//! sends a real client to TCP (a forged source cannot follow), and the rest are dropped.
//!
//! "Identical" is by [`ResponseKey`]: the same name and type for answers and NODATA, the zone
//! for NXDOMAIN (so random subdomains share one bucket, as BIND's `nxdomains-per-second`) and
//! the delegation for referrals (BIND's `referrals-per-second`), the
//! response code for errors. Each key has a credit of `responses_per_second`, refilled each
//! second and allowed to fall `window` seconds into debt (BIND's algorithm): a flood keeps a key
//! limited until it has been quiet for a while.
//!
//! The table is bounded: keys live in two generations of at most `table_size / 2` entries each;
//! when the newer generation is full the older one is dropped whole (approximate LRU, O(1) per
//! response). Time is passed in by the caller (milliseconds), so tests drive it.
//!
//! TCP responses are never limited (TCP proves the source address). Loopback clients are
//! exempt unless [`RateLimitConfig::limit_loopback`] is set, so local tests and benchmarks
//! are not throttled.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hash, RandomState};
use std::net::IpAddr;

use hickory_proto::op::ResponseCode;
use hickory_proto::rr::{Name, RecordType};
use parking_lot::Mutex;

/// How responses are rate-limited.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RateLimitConfig {
    /// Identical responses per second allowed to one client prefix (0: no limit). Default 20.
    pub responses_per_second: u32,
    /// How many seconds of debt a key may run up (BIND's `window`). Default 15.
    pub window: u32,
    /// Every `slip`-th limited response is sent truncated, the others are dropped (0: drop
    /// all, 1: truncate all). Default 2.
    pub slip: u32,
    /// Prefix length grouping IPv4 clients. Default 24.
    pub ipv4_prefix: u8,
    /// Prefix length grouping IPv6 clients. Default 56.
    pub ipv6_prefix: u8,
    /// Most keys tracked at once. Default 100 000.
    pub table_size: usize,
    /// Also limit loopback clients (off by default).
    pub limit_loopback: bool,
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        RateLimitConfig {
            responses_per_second: 20,
            window: 15,
            slip: 2,
            ipv4_prefix: 24,
            ipv6_prefix: 56,
            table_size: 100_000,
            limit_loopback: false,
        }
    }
}

impl RateLimitConfig {
    /// No rate limiting.
    pub fn off() -> RateLimitConfig {
        RateLimitConfig {
            responses_per_second: 0,
            ..RateLimitConfig::default()
        }
    }
}

/// Which responses count as the same for rate limiting.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ResponseKey {
    /// An answer, referral or NODATA for a name and type (name lowercased).
    Answer(Name, RecordType),
    /// NXDOMAIN inside a zone (the zone apex).
    NxDomain(Name),
    /// A referral to a delegated name (the cut), whatever was asked below it.
    Referral(Name),
    /// An error response (REFUSED, FORMERR, NOTIMP, ...).
    Error(ResponseCode),
}

/// What to do with one response.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Send it.
    Send,
    /// Send an empty truncated response instead (TC set), so a real client retries over TCP.
    Slip,
    /// Send nothing.
    Drop,
}

/// One key's account.
#[derive(Clone, Copy, Debug)]
struct Bucket {
    /// Responses still allowed (negative: debt).
    credit: i64,
    /// The second of the last refill.
    second: u64,
    /// Limited responses so far (for the slip).
    limited: u64,
}

/// Two generations of buckets, together at most `table_size`.
#[derive(Debug, Default)]
struct Table {
    current: HashMap<u64, Bucket>,
    previous: HashMap<u64, Bucket>,
}

/// A response-rate limiter; clones are not shared (wrap it in an `Arc`).
#[derive(Debug)]
pub struct RateLimiter {
    config: RateLimitConfig,
    hasher: RandomState,
    table: Mutex<Table>,
}

impl RateLimiter {
    /// A limiter with `config`.
    pub fn new(config: RateLimitConfig) -> RateLimiter {
        RateLimiter {
            config,
            hasher: RandomState::new(),
            table: Mutex::new(Table::default()),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &RateLimitConfig {
        &self.config
    }

    /// Whether responses to `client` are limited at all.
    pub fn applies_to(&self, client: IpAddr) -> bool {
        self.config.responses_per_second > 0
            && (self.config.limit_loopback || !client.is_loopback())
    }

    /// Accounts one UDP response `key` to `client` at `now_ms` (ms, any fixed origin) and says
    /// whether to send it.
    pub fn check(&self, client: IpAddr, key: &ResponseKey, now_ms: u64) -> Verdict {
        if !self.applies_to(client) {
            return Verdict::Send;
        }
        let rate = i64::from(self.config.responses_per_second);
        let floor = -rate.saturating_mul(i64::from(self.config.window.max(1)));
        let second = now_ms / 1000;
        let hash = self.hasher.hash_one((self.prefix(client), key));
        let half = (self.config.table_size / 2).max(1);
        let mut table = self.table.lock();
        let found = match table.current.get(&hash) {
            Some(bucket) => Some(*bucket),
            None => table.previous.remove(&hash),
        };
        let mut bucket = found.unwrap_or(Bucket {
            credit: rate,
            second,
            limited: 0,
        });
        let elapsed = second.saturating_sub(bucket.second);
        if elapsed > 0 {
            let refill = rate.saturating_mul(i64::try_from(elapsed).unwrap_or(i64::MAX));
            bucket.credit = bucket.credit.saturating_add(refill).min(rate);
            bucket.second = second;
        }
        bucket.credit = (bucket.credit - 1).max(floor);
        let verdict = if bucket.credit >= 0 {
            bucket.limited = 0;
            Verdict::Send
        } else {
            bucket.limited = bucket.limited.saturating_add(1);
            match self.config.slip {
                0 => Verdict::Drop,
                slip if bucket.limited.is_multiple_of(u64::from(slip)) => Verdict::Slip,
                _ => Verdict::Drop,
            }
        };
        if !table.current.contains_key(&hash) && table.current.len() >= half {
            table.previous = std::mem::take(&mut table.current);
        }
        table.current.insert(hash, bucket);
        verdict
    }

    /// How many keys are tracked (for tests).
    pub fn tracked(&self) -> usize {
        let table = self.table.lock();
        table.current.len() + table.previous.len()
    }

    /// `client` with the host bits past the configured prefix cleared.
    fn prefix(&self, client: IpAddr) -> IpAddr {
        match client {
            IpAddr::V4(ip) => {
                let bits = u32::from(self.config.ipv4_prefix.min(32));
                let mask = u32::MAX.checked_shl(32 - bits).unwrap_or(0);
                IpAddr::V4((u32::from(ip) & mask).into())
            }
            IpAddr::V6(ip) => {
                let bits = u32::from(self.config.ipv6_prefix.min(128));
                let mask = u128::MAX.checked_shl(128 - bits).unwrap_or(0);
                IpAddr::V6((u128::from(ip) & mask).into())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter(rate: u32, slip: u32) -> RateLimiter {
        RateLimiter::new(RateLimitConfig {
            responses_per_second: rate,
            slip,
            window: 2,
            ..RateLimitConfig::default()
        })
    }

    fn answer(name: &str) -> ResponseKey {
        ResponseKey::Answer(Name::from_ascii(name).unwrap(), RecordType::A)
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn verdicts(
        limiter: &RateLimiter,
        client: &str,
        key: &ResponseKey,
        n: usize,
        now: u64,
    ) -> Vec<Verdict> {
        (0..n)
            .map(|_| limiter.check(ip(client), key, now))
            .collect()
    }

    #[test]
    fn past_the_rate_every_slipth_response_is_truncated_and_the_rest_dropped() {
        let limiter = limiter(3, 2);
        let key = answer("alice.ghost.");
        use Verdict::*;
        assert_eq!(
            verdicts(&limiter, "192.0.2.1", &key, 7, 1_000),
            [Send, Send, Send, Drop, Slip, Drop, Slip]
        );
    }

    #[test]
    fn one_prefix_shares_a_bucket_and_other_prefixes_and_keys_do_not() {
        let limiter = limiter(2, 0);
        let key = answer("alice.ghost.");
        use Verdict::*;
        assert_eq!(verdicts(&limiter, "192.0.2.1", &key, 2, 0), [Send, Send]);
        // Same /24: limited.
        assert_eq!(verdicts(&limiter, "192.0.2.200", &key, 1, 0), [Drop]);
        // Another /24, another key: fresh credit.
        assert_eq!(verdicts(&limiter, "192.0.3.1", &key, 1, 0), [Send]);
        assert_eq!(
            verdicts(&limiter, "192.0.2.1", &answer("bob.ghost."), 1, 0),
            [Send]
        );
        // IPv6 groups by /56.
        let v6 = answer("alice.ghost.");
        assert_eq!(
            verdicts(&limiter, "2001:db8:0:1::1", &v6, 2, 0),
            [Send, Send]
        );
        assert_eq!(verdicts(&limiter, "2001:db8:0:ff::2", &v6, 1, 0), [Drop]);
        assert_eq!(verdicts(&limiter, "2001:db8:0:100::2", &v6, 1, 0), [Send]);
    }

    #[test]
    fn credit_refills_per_second_but_debt_outlasts_a_flood() {
        let limiter = limiter(2, 0);
        let key = ResponseKey::NxDomain(Name::from_ascii("ghost.").unwrap());
        // A flood at second 0 runs into the floor of 2 s of debt (-4).
        verdicts(&limiter, "198.51.100.7", &key, 50, 0);
        // One second later the credit is -4 + 2 = -2: still limited.
        assert_eq!(
            verdicts(&limiter, "198.51.100.7", &key, 1, 1_500),
            [Verdict::Drop]
        );
        // Quiet for long enough, it is full again (capped at the rate).
        assert_eq!(
            verdicts(&limiter, "198.51.100.7", &key, 3, 10_000),
            [Verdict::Send, Verdict::Send, Verdict::Drop]
        );
    }

    #[test]
    fn loopback_is_exempt_by_default_and_off_limits_nothing() {
        let limiter = limiter(1, 0);
        let key = ResponseKey::Error(ResponseCode::Refused);
        assert!(
            verdicts(&limiter, "127.0.0.1", &key, 10, 0)
                .iter()
                .all(|v| *v == Verdict::Send)
        );
        assert!(
            verdicts(&limiter, "::1", &key, 10, 0)
                .iter()
                .all(|v| *v == Verdict::Send)
        );
        let strict = RateLimiter::new(RateLimitConfig {
            responses_per_second: 1,
            slip: 0,
            limit_loopback: true,
            ..RateLimitConfig::default()
        });
        assert_eq!(
            verdicts(&strict, "127.0.0.1", &key, 2, 0),
            [Verdict::Send, Verdict::Drop]
        );
        let off = RateLimiter::new(RateLimitConfig::off());
        assert!(
            verdicts(&off, "192.0.2.1", &key, 100, 0)
                .iter()
                .all(|v| *v == Verdict::Send)
        );
        assert_eq!(off.tracked(), 0);
    }

    #[test]
    fn the_table_never_holds_more_than_its_size() {
        let limiter = RateLimiter::new(RateLimitConfig {
            table_size: 100,
            ..RateLimitConfig::default()
        });
        for i in 0..10_000u32 {
            let client = IpAddr::V4((i << 8).into());
            limiter.check(client, &answer("alice.ghost."), 0);
            assert!(limiter.tracked() <= 100);
        }
        assert!(limiter.tracked() >= 50);
    }
}
