//! Token buckets that bound how many signed updates GhostBridge relays (and pays for) per name
//! and per client, so one key holder or one client cannot spend the relayer's balance or fill
//! the pool with updates.
//!
//! Each key (a name, a client IP) has a bucket of `burst` tokens that refills at `per_second`;
//! an update takes one token and is refused with `RESOURCE_EXHAUSTED` when there is none, with
//! the wait until the next token. Buckets are kept for at most [`MAX_KEYS`] keys: when that many
//! are tracked, full buckets (keys that have been idle long enough to refill) are forgotten
//! first, and if none is full the update is refused, so a flood of distinct keys cannot grow
//! the table.

use std::collections::HashMap;
use std::hash::Hash;
use std::time::{Duration, Instant};

use parking_lot::Mutex;

/// Most keys one limiter tracks.
pub const MAX_KEYS: usize = 65_536;

/// A bucket's size and refill rate.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rate {
    /// Tokens a new or idle key starts with: the most updates in a burst.
    pub burst: u32,
    /// Tokens added per second.
    pub per_second: f64,
}

impl Rate {
    /// Per name: bursts of 20, then one update every 2 s (30 a minute).
    pub const PER_NAME: Rate = Rate {
        burst: 20,
        per_second: 0.5,
    };
    /// Per client: bursts of 200 (two full batches), then 10 updates a second.
    pub const PER_CLIENT: Rate = Rate {
        burst: 200,
        per_second: 10.0,
    };
}

#[derive(Clone, Copy, Debug)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// Token buckets keyed by `K`.
#[derive(Debug)]
pub struct RateLimiter<K> {
    rate: Rate,
    buckets: Mutex<HashMap<K, Bucket>>,
}

impl<K: Hash + Eq + Clone> RateLimiter<K> {
    /// A limiter with `rate` for every key.
    pub fn new(rate: Rate) -> Self {
        RateLimiter {
            rate,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes a token for `key` now; `Err(wait)` when there is none.
    pub fn check(&self, key: &K) -> Result<(), Duration> {
        self.check_at(key, Instant::now())
    }

    /// Takes a token for `key` at `now`; `Err(wait)` (until the next token) when there is none.
    pub fn check_at(&self, key: &K, now: Instant) -> Result<(), Duration> {
        let burst = f64::from(self.rate.burst);
        let refill = |bucket: &Bucket| {
            let elapsed = now.saturating_duration_since(bucket.at).as_secs_f64();
            (bucket.tokens + elapsed * self.rate.per_second).min(burst)
        };
        let mut buckets = self.buckets.lock();
        if !buckets.contains_key(key) && buckets.len() >= MAX_KEYS {
            buckets.retain(|_, bucket| refill(bucket) < burst);
            if buckets.len() >= MAX_KEYS {
                return Err(self.wait_for(1.0));
            }
        }
        let bucket = buckets.entry(key.clone()).or_insert(Bucket {
            tokens: burst,
            at: now,
        });
        let tokens = refill(bucket);
        if tokens >= 1.0 {
            *bucket = Bucket {
                tokens: tokens - 1.0,
                at: now,
            };
            Ok(())
        } else {
            *bucket = Bucket { tokens, at: now };
            Err(self.wait_for(1.0 - tokens))
        }
    }

    /// How long `tokens` take to refill.
    fn wait_for(&self, tokens: f64) -> Duration {
        if self.rate.per_second > 0.0 {
            Duration::from_secs_f64(tokens / self.rate.per_second)
        } else {
            Duration::MAX
        }
    }

    /// How many keys are tracked.
    pub fn tracked(&self) -> usize {
        self.buckets.lock().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RATE: Rate = Rate {
        burst: 3,
        per_second: 1.0,
    };

    #[test]
    fn a_burst_then_the_refill_rate() {
        let limiter = RateLimiter::new(RATE);
        let t0 = Instant::now();
        for _ in 0..3 {
            assert_eq!(limiter.check_at(&"a", t0), Ok(()));
        }
        let wait = limiter.check_at(&"a", t0).unwrap_err();
        assert_eq!(wait, Duration::from_secs(1));
        // Another key has its own bucket.
        assert_eq!(limiter.check_at(&"b", t0), Ok(()));
        // Half a second later: still none; a second later: one.
        assert!(
            limiter
                .check_at(&"a", t0 + Duration::from_millis(500))
                .is_err()
        );
        assert_eq!(
            limiter.check_at(&"a", t0 + Duration::from_millis(1_000)),
            Ok(())
        );
        assert!(
            limiter
                .check_at(&"a", t0 + Duration::from_millis(1_000))
                .is_err()
        );
        // Idle for long: back to a full burst, not more.
        let later = t0 + Duration::from_secs(60);
        for _ in 0..3 {
            assert_eq!(limiter.check_at(&"a", later), Ok(()));
        }
        assert!(limiter.check_at(&"a", later).is_err());
    }

    #[test]
    fn the_table_of_keys_stays_bounded() {
        let limiter = RateLimiter::new(RATE);
        let t0 = Instant::now();
        for key in 0..MAX_KEYS {
            limiter.check_at(&key, t0).unwrap();
        }
        // Every bucket was just used: a new key is refused rather than tracked.
        assert!(limiter.check_at(&usize::MAX, t0).is_err());
        assert_eq!(limiter.tracked(), MAX_KEYS);
        // Once the old buckets have refilled they are forgotten and new keys get in.
        let later = t0 + Duration::from_secs(10);
        assert_eq!(limiter.check_at(&usize::MAX, later), Ok(()));
        assert_eq!(limiter.tracked(), 1);
    }
}
