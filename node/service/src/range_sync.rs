//! Catching up from several peers at once: which block ranges to ask of whom.
//!
//! A node far behind its peers (more than one range, [`RANGE`] blocks) asks for canonical
//! ranges by height (`BlockRangeRequest`), several in flight at once and spread over every peer
//! whose reported best covers the range, least loaded first; at most [`MAX_RANGES_PER_PEER`] per
//! peer and [`MAX_RANGES_IN_FLIGHT`] in all, so what is delivered out of order always fits the
//! import queue's hold. Ranges arrive in any order: the import queue holds a range until the
//! one below it is imported, then imports it. A range stays *covered* from the request until
//! the chain has imported it; an unanswered request is asked again of another peer after
//! [`RANGE_TIMEOUT_MS`], and a delivered range that never became importable (evicted from the
//! hold, or another fork's) is asked again after twice that. Near the tip the worker goes back
//! to following announcements.
//!
//! The plan is pure bookkeeping over the peer type, so it is unit-tested on its own; the
//! consensus worker sends what [`RangeSync::plan`] returns.

use std::collections::BTreeMap;

use ghost_consensus::protocol::MAX_BLOCKS_PER_RESPONSE;
use ghost_primitives::BlockNumber;

/// Blocks per range request.
pub const RANGE: u32 = MAX_BLOCKS_PER_RESPONSE;
/// Range requests in flight (or delivered but not imported yet) at once, across peers: their
/// blocks fit the import queue's hold ([`crate::consensus::MAX_HELD_BLOCKS`]).
pub const MAX_RANGES_IN_FLIGHT: usize =
    crate::consensus::MAX_HELD_BLOCKS / MAX_BLOCKS_PER_RESPONSE as usize;
/// Range requests one peer serves at once.
pub const MAX_RANGES_PER_PEER: usize = 2;
/// A range request unanswered this long (ms) is asked of another peer.
pub const RANGE_TIMEOUT_MS: u64 = 5_000;

/// One range asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Range<P> {
    /// The peer asked.
    peer: P,
    /// First height.
    from: BlockNumber,
    /// Heights covered (the request's length until answered, then what the peer sent).
    len: u64,
    /// When it was asked (ms).
    asked_at: u64,
    /// When the answer came (ms), if it did.
    delivered_at: Option<u64>,
}

impl<P> Range<P> {
    fn end(&self) -> BlockNumber {
        self.from.saturating_add(self.len)
    }

    fn contains(&self, height: BlockNumber) -> bool {
        self.from <= height && height < self.end()
    }
}

/// A request to send: ask `peer` for `len` blocks from height `from`, as request `id`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RangeRequest<P> {
    /// The request id (echoed by the response).
    pub id: u64,
    /// Whom to ask.
    pub peer: P,
    /// First height.
    pub from: BlockNumber,
    /// How many blocks.
    pub len: u32,
}

/// The range-sync bookkeeping of one node.
#[derive(Debug)]
pub struct RangeSync<P> {
    /// Each peer's best block number, as last reported.
    peer_best: BTreeMap<P, BlockNumber>,
    /// Ranges asked for and not imported yet, by request id.
    ranges: BTreeMap<u64, Range<P>>,
    /// Blocks delivered by each peer in answer to range requests.
    delivered: BTreeMap<P, u64>,
}

impl<P: Clone + Ord> Default for RangeSync<P> {
    fn default() -> Self {
        RangeSync {
            peer_best: BTreeMap::new(),
            ranges: BTreeMap::new(),
            delivered: BTreeMap::new(),
        }
    }
}

impl<P: Clone + Ord> RangeSync<P> {
    /// Notes that `peer` has block `best` (never lowers what it reported).
    pub fn note_best(&mut self, peer: &P, best: BlockNumber) {
        let entry = self.peer_best.entry(peer.clone()).or_insert(0);
        *entry = (*entry).max(best);
    }

    /// Forgets `peer` (disconnected): its requests in flight are asked of others.
    pub fn remove_peer(&mut self, peer: &P) {
        self.peer_best.remove(peer);
        self.ranges
            .retain(|_, range| range.peer != *peer || range.delivered_at.is_some());
    }

    /// The highest best a peer reported.
    pub fn target(&self) -> BlockNumber {
        self.peer_best.values().copied().max().unwrap_or(0)
    }

    /// The highest best a connected peer reported, if one did.
    pub fn highest(&self) -> Option<BlockNumber> {
        self.peer_best.values().copied().max()
    }

    /// Ranges asked for and not imported yet.
    pub fn in_flight(&self) -> usize {
        self.ranges.len()
    }

    /// Whether this node, at `ours`, is far enough behind to sync by ranges.
    pub fn is_far_behind(&self, ours: BlockNumber) -> bool {
        self.target() > ours.saturating_add(u64::from(RANGE))
    }

    /// Records the answer to request `id` (`count` blocks): `true` if it was a range request
    /// of this sync, from `peer`.
    pub fn delivered(&mut self, peer: &P, id: u64, count: usize, now: u64) -> bool {
        let Some(range) = self.ranges.get_mut(&id) else {
            return false;
        };
        if range.peer != *peer || range.delivered_at.is_some() {
            return false;
        }
        if count == 0 {
            // The peer has none of it after all: ask someone else.
            self.ranges.remove(&id);
            return true;
        }
        range.len = range.len.min(count as u64);
        range.delivered_at = Some(now);
        *self.delivered.entry(peer.clone()).or_insert(0) += count as u64;
        true
    }

    /// Blocks each peer delivered in answer to range requests.
    pub fn delivered_by_peer(&self) -> Vec<(P, u64)> {
        self.delivered
            .iter()
            .map(|(peer, count)| (peer.clone(), *count))
            .collect()
    }

    /// The requests to send now, with the chain's best at `ours` at time `now`; ids come from
    /// `next_id`. Drops ranges the chain has imported and ranges that timed out first.
    pub fn plan(
        &mut self,
        ours: BlockNumber,
        now: u64,
        mut next_id: impl FnMut() -> u64,
    ) -> Vec<RangeRequest<P>> {
        self.ranges.retain(|_, range| {
            let imported = range.end() <= ours.saturating_add(1);
            let expired = match range.delivered_at {
                None => now >= range.asked_at.saturating_add(RANGE_TIMEOUT_MS),
                Some(at) => now >= at.saturating_add(2 * RANGE_TIMEOUT_MS),
            };
            !imported && !expired
        });
        let target = self.target();
        if !self.is_far_behind(ours) {
            return Vec::new();
        }
        let mut requests = Vec::new();
        let mut start = ours.saturating_add(1);
        while self.ranges.len() < MAX_RANGES_IN_FLIGHT && start <= target {
            if let Some(covering) = self.ranges.values().find(|r| r.contains(start)) {
                start = covering.end();
                continue;
            }
            let Some(peer) = self.least_loaded_peer_with(start) else {
                break;
            };
            // Up to the next covered height, the target, or a whole range.
            let next_covered = self
                .ranges
                .values()
                .filter(|r| r.from > start)
                .map(|r| r.from)
                .min()
                .unwrap_or(BlockNumber::MAX);
            let len = u64::from(RANGE)
                .min(target.saturating_add(1).saturating_sub(start))
                .min(next_covered.saturating_sub(start));
            let id = next_id();
            self.ranges.insert(
                id,
                Range {
                    peer: peer.clone(),
                    from: start,
                    len,
                    asked_at: now,
                    delivered_at: None,
                },
            );
            requests.push(RangeRequest {
                id,
                peer,
                from: start,
                len: len as u32,
            });
            start = start.saturating_add(len);
        }
        requests
    }

    /// The peer with `height` in its chain and the fewest requests in flight (below the per-peer
    /// cap), the first such in peer order on a tie.
    fn least_loaded_peer_with(&self, height: BlockNumber) -> Option<P> {
        self.peer_best
            .iter()
            .filter(|(_, best)| **best >= height)
            .map(|(peer, _)| {
                let load = self
                    .ranges
                    .values()
                    .filter(|r| r.peer == *peer && r.delivered_at.is_none())
                    .count();
                (load, peer)
            })
            .filter(|(load, _)| *load < MAX_RANGES_PER_PEER)
            .min_by_key(|(load, _)| *load)
            .map(|(_, peer)| peer.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Request ids, unique across a test's plans (as the worker's counter is).
    struct Ids(u64);

    impl Ids {
        fn next(&mut self) -> impl FnMut() -> u64 + '_ {
            || {
                self.0 += 1;
                self.0
            }
        }
    }

    #[test]
    fn a_node_far_behind_asks_every_peer_for_consecutive_ranges() {
        let mut sync = RangeSync::default();
        let mut ids = Ids(0);
        for peer in 0..3u8 {
            sync.note_best(&peer, 1_000);
        }
        let requests = sync.plan(0, 0, ids.next());
        // Six ranges (two per peer), consecutive from height 1, spread round the peers.
        assert_eq!(requests.len(), 6);
        for (i, request) in requests.iter().enumerate() {
            assert_eq!(request.from, 1 + i as u64 * u64::from(RANGE));
            assert_eq!(request.len, RANGE);
        }
        let per_peer = |p: u8| requests.iter().filter(|r| r.peer == p).count();
        assert_eq!((per_peer(0), per_peer(1), per_peer(2)), (2, 2, 2));
        // Nothing more until something is answered.
        assert!(sync.plan(0, 10, ids.next()).is_empty());
    }

    #[test]
    fn ranges_never_exceed_what_the_hold_takes_nor_pass_the_target() {
        let mut sync = RangeSync::default();
        let mut ids = Ids(0);
        for peer in 0..10u8 {
            sync.note_best(&peer, 1_000);
        }
        let requests = sync.plan(0, 0, ids.next());
        assert_eq!(requests.len(), MAX_RANGES_IN_FLIGHT);
        let last = requests.last().unwrap();
        assert!(last.from + u64::from(last.len) - 1 <= 1_000);

        let mut near = RangeSync::default();
        near.note_best(&0u8, 300);
        let requests = near.plan(0, 0, ids.next());
        // 1..=128, 129..=256 from the one peer (its cap), then nothing: 257..=300 waits.
        assert_eq!(
            requests.iter().map(|r| (r.from, r.len)).collect::<Vec<_>>(),
            vec![(1, RANGE), (129, RANGE)]
        );
    }

    #[test]
    fn a_delivered_range_stays_covered_until_imported_then_the_next_is_asked() {
        let mut sync = RangeSync::default();
        let mut ids = Ids(0);
        sync.note_best(&0u8, 1_000);
        let first = sync.plan(0, 0, ids.next());
        assert_eq!(first.len(), 2);
        // The second range arrives first: it is held, still covered, and the peer has room.
        assert!(sync.delivered(&0, first[1].id, RANGE as usize, 5));
        let next = sync.plan(0, 6, ids.next());
        assert_eq!(next.len(), 1);
        assert_eq!(next[0].from, 257);
        // The first arrives and both import: the chain is at 256; 385.. is asked next.
        assert!(sync.delivered(&0, first[0].id, RANGE as usize, 7));
        let after = sync.plan(256, 8, ids.next());
        assert_eq!(after.len(), 1);
        assert_eq!(after[0].from, 385);
    }

    #[test]
    fn an_unanswered_range_is_asked_of_another_peer_after_the_timeout() {
        let mut sync = RangeSync::default();
        let mut ids = Ids(0);
        sync.note_best(&0u8, 1_000);
        let first = sync.plan(0, 0, ids.next());
        sync.note_best(&1u8, 1_000);
        // Peer 1 takes the next two ranges; peer 0's stay its own until they time out.
        let second = sync.plan(0, 1, ids.next());
        assert!(second.iter().all(|r| r.peer == 1 && r.from > 256));
        sync.remove_peer(&1);
        let again = sync.plan(0, RANGE_TIMEOUT_MS, ids.next());
        assert_eq!(again[0].from, 1, "{again:?}");
        assert!(again.iter().all(|r| r.peer == 0));
        // A late answer to the expired request is not taken as a range of this sync.
        assert!(!sync.delivered(&0, first[0].id, 128, RANGE_TIMEOUT_MS + 1));
    }

    #[test]
    fn a_short_or_empty_answer_leaves_the_rest_to_ask_again() {
        let mut sync = RangeSync::default();
        let mut ids = Ids(0);
        sync.note_best(&0u8, 1_000);
        let first = sync.plan(0, 0, ids.next());
        // 10 blocks of the first range, none of the second.
        assert!(sync.delivered(&0, first[0].id, 10, 1));
        assert!(sync.delivered(&0, first[1].id, 0, 1));
        let next = sync.plan(0, 2, ids.next());
        assert_eq!(next[0].from, 11);
        assert_eq!(sync.delivered_by_peer(), vec![(0, 10)]);
        // A response from the wrong peer is not this sync's.
        assert!(!sync.delivered(&1, next[0].id, 5, 3));
    }

    #[test]
    fn near_the_tip_no_ranges_are_asked() {
        let mut sync = RangeSync::default();
        let mut ids = Ids(0);
        sync.note_best(&0u8, 100);
        assert!(!sync.is_far_behind(0));
        assert!(sync.plan(0, 0, ids.next()).is_empty());
        sync.note_best(&0u8, 50);
        assert_eq!(sync.target(), 100, "a lower report never lowers the best");
    }
}
