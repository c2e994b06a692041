//! Warp sync (`--sync warp`): a new node takes a recent finalized block, proven final from the
//! chain spec's genesis alone, and that block's state, instead of every block since genesis.
//!
//! Like Substrate's warp sync, in two phases over the wire protocol
//! ([`WireMessage::WarpProofRequest`], [`WireMessage::StateRequest`]):
//!
//! 1. **Proof.** The node asks the peer with the highest finalized block for the voter-set
//!    changes since its set (at first the genesis set, read from its own genesis state) and a
//!    justified finalized block. It follows the changes with `ghost-light`'s
//!    [`VoterSet::apply_change`] and checks the target with [`VoterSet::verify_finality`]; more
//!    than [`MAX_WARP_CHANGES_PER_RESPONSE`] changes come in pages. A proof that fails is
//!    refused, its peer reported ([`WARP_BAD_PROOF`]) and not asked again.
//! 2. **State.** It downloads the target's state by hash ([`ghost_trie::sync::StateSync`]),
//!    starting from the header's `state_root`, in batches of
//!    [`MAX_STATE_ENTRIES_PER_REQUEST`] from every peer whose finalized block is at least the
//!    target, [`MAX_STATE_REQUESTS_PER_PEER`] at a time each. An entry that does not hash to
//!    what was asked (or a node that does not decode) refuses the whole answer, reports the
//!    peer ([`WARP_BAD_STATE`]) and asks another; an unanswered request is asked again after
//!    [`WARP_REQUEST_TIMEOUT_MS`].
//!
//!    Peers that prune keep only recent states: one that answers a state request with no
//!    entry at all does not keep the target's (it pruned it, or warped past it) and is not
//!    asked for it again. When no peer is left that keeps it and one has finalized further,
//!    the download **moves on** (as Substrate's warp sync restarts its state request at a new
//!    target): a proof of a newer target from the set that proved this one, then its state,
//!    taking every entry already downloaded that the new trie names
//!    ([`StateSync::retarget`]) instead of asking for it again.
//!
//! Then the block becomes the database's finalized base ([`crate::client::Client::import_warp_base`])
//! and the consensus worker follows the tip with the normal sync, while the gap sync
//! ([`crate::gap_sync`]) downloads the blocks below the base, newest first, without their
//! state. State reads below the base get `StateBelowWarpBase`, and a name change replay from
//! height 0 cannot be served by a warped node (its `domain_changes` start at the base).
//!
//! [`WarpSync`] is pure bookkeeping over the peer type, like [`crate::range_sync`]; the
//! consensus worker sends what it returns. [`warp_proof`] is the serving side.

use std::collections::{BTreeMap, BTreeSet};

use ghost_consensus::network::Reputation;
use ghost_consensus::protocol::{
    JustifiedHeader, MAX_STATE_ENTRIES_PER_REQUEST, MAX_WARP_CHANGES_PER_RESPONSE, WireMessage,
};
use ghost_light::finality::{SetChangeProof, VoterSet};
use ghost_primitives::{BlockNumber, Hash};
use ghost_trie::StateUpdate;
use ghost_trie::sync::{StateSync, StateSyncError};

use crate::client::{Client, ClientError};

/// State requests one peer serves at once.
pub const MAX_STATE_REQUESTS_PER_PEER: usize = 2;
/// A warp request unanswered this long (ms) is asked again (of another peer if there is one).
pub const WARP_REQUEST_TIMEOUT_MS: u64 = 5_000;
/// How far below its finalized block a node looks for a stored justification to serve.
const MAX_TARGET_SEARCH: u64 = 4_096;

/// A warp proof that does not verify.
pub const WARP_BAD_PROOF: Reputation = Reputation {
    value: -500,
    reason: "invalid warp proof",
};
/// A state entry that does not hash to what was asked, or does not decode.
pub const WARP_BAD_STATE: Reputation = Reputation {
    value: -500,
    reason: "invalid state entry",
};

/// Why a peer's warp answer was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WarpError {
    /// A voter-set change or the target does not verify.
    #[error("warp proof: {0}")]
    Proof(#[from] ghost_light::FinalityError),
    /// A state answer refused.
    #[error("state download: {0}")]
    State(#[from] StateSyncError),
}

/// The warp point, proven final, and its whole state: ready to commit.
#[derive(Clone, Debug)]
pub struct Warped {
    /// The finalized block and its justification.
    pub target: JustifiedHeader,
    /// Its state, with reference counts.
    pub state: StateUpdate,
    /// Voter-set changes followed from genesis.
    pub set_changes: usize,
    /// Every voter set followed, the genesis set first: what checks the justifications of the
    /// blocks below the target that the gap sync downloads ([`crate::gap_sync`]).
    pub sets: Vec<VoterSet>,
    /// Times the download moved on to a newer target because peers no longer kept the
    /// state of the one before.
    pub retargets: usize,
}

/// One request in flight.
#[derive(Clone, Debug)]
struct Asked<P> {
    peer: P,
    asked_at: u64,
    /// The hashes of a state request (empty for a proof request).
    hashes: Vec<Hash>,
}

/// A target given up because no peer keeps its state any more: a new target must be above
/// it, and its download so far is reused.
struct Previous {
    number: BlockNumber,
    state: Box<StateSync>,
}

enum Phase<P> {
    /// Following the voter set; one proof request at a time.
    Proof {
        set: VoterSet,
        asked: Option<(u64, Asked<P>)>,
        previous: Option<Previous>,
    },
    /// Downloading the target's state.
    State {
        target: JustifiedHeader,
        /// The set that proved the target final (where a retarget's proof starts).
        set: VoterSet,
        state: Box<StateSync>,
        asked: BTreeMap<u64, Asked<P>>,
        /// Peers that answered without the target's state (pruned, or warped past it).
        lacking: BTreeSet<P>,
    },
    /// Finished (or given up for full sync).
    Done,
}

/// A warp sync in progress (see the [module docs](self)).
pub struct WarpSync<P> {
    genesis_hash: Hash,
    phase: Phase<P>,
    /// Finalized heights peers reported in their `Status`.
    peers: BTreeMap<P, BlockNumber>,
    /// Peers whose answer was refused: not asked again.
    refused: BTreeSet<P>,
    /// Peers whose proof, asked for a newer target, named one no newer: their finalized
    /// height then. Asked again once they report a higher one.
    stale: BTreeMap<P, BlockNumber>,
    /// Every voter set followed so far, the genesis set first.
    sets: Vec<VoterSet>,
    retargets: usize,
    next_id: u64,
}

impl<P: Clone + Ord> WarpSync<P> {
    /// A warp sync of the chain `genesis_hash` starting from its genesis voter set.
    pub fn new(genesis_hash: Hash, genesis_set: VoterSet) -> WarpSync<P> {
        WarpSync {
            genesis_hash,
            sets: vec![genesis_set.clone()],
            phase: Phase::Proof {
                set: genesis_set,
                asked: None,
                previous: None,
            },
            peers: BTreeMap::new(),
            refused: BTreeSet::new(),
            stale: BTreeMap::new(),
            retargets: 0,
            next_id: 0,
        }
    }

    /// Whether the warp is still running (the worker holds back the normal sync until not).
    pub fn is_active(&self) -> bool {
        !matches!(self.phase, Phase::Done)
    }

    /// The warp target, once the proof verified.
    pub fn target(&self) -> Option<&JustifiedHeader> {
        match &self.phase {
            Phase::State { target, .. } => Some(target),
            _ => None,
        }
    }

    /// State entries downloaded so far and known still to fetch.
    pub fn state_progress(&self) -> Option<(usize, usize)> {
        match &self.phase {
            Phase::State { state, .. } => Some((state.received(), state.pending())),
            _ => None,
        }
    }

    /// Notes the finalized height a peer reported.
    pub fn note_peer(&mut self, peer: &P, finalized: BlockNumber) {
        self.peers.insert(peer.clone(), finalized);
    }

    /// Times the download moved on to a newer target so far.
    pub fn retargets(&self) -> usize {
        self.retargets
    }

    /// Forgets a peer that went away; its requests are asked again of others.
    pub fn remove_peer(&mut self, peer: &P) {
        self.peers.remove(peer);
        self.stale.remove(peer);
        match &mut self.phase {
            Phase::Proof { asked, .. } => {
                if asked.as_ref().is_some_and(|(_, a)| a.peer == *peer) {
                    *asked = None;
                }
            }
            Phase::State {
                state,
                asked,
                lacking,
                ..
            } => {
                lacking.remove(peer);
                asked.retain(|_, a| {
                    if a.peer == *peer {
                        state.retry(&hashes_of(&a.hashes));
                        false
                    } else {
                        true
                    }
                });
            }
            Phase::Done => {}
        }
    }

    /// The requests to send now: the next proof page, or state batches to every peer that
    /// can serve the target. Requests that timed out are asked again. When every peer that
    /// could serve the target answered without its state and one has finalized further, the
    /// download moves on: a proof of a newer target from the set that proved this one, then
    /// that target's state, reusing what was downloaded.
    pub fn plan(&mut self, now: u64) -> Vec<(P, WireMessage)> {
        let candidates: Vec<(P, BlockNumber)> = self
            .peers
            .iter()
            .filter(|(peer, _)| !self.refused.contains(*peer))
            .filter(|(peer, n)| self.stale.get(*peer).is_none_or(|stale| *n > stale))
            .map(|(p, n)| (p.clone(), *n))
            .collect();
        self.retarget_if_lost(&candidates);
        let mut out = Vec::new();
        let mut ids = self.next_id;
        let mut id = || {
            ids = ids.wrapping_add(1);
            ids
        };
        match &mut self.phase {
            Phase::Proof {
                set,
                asked,
                previous,
                ..
            } => {
                if asked
                    .as_ref()
                    .is_some_and(|(_, a)| now >= a.asked_at + WARP_REQUEST_TIMEOUT_MS)
                {
                    *asked = None;
                }
                if asked.is_none() {
                    // The peer with the highest finalized block above the current set's (and
                    // above a target given up).
                    let floor = previous
                        .as_ref()
                        .map_or(set.enacted_at, |p| p.number.max(set.enacted_at));
                    let best = candidates
                        .iter()
                        .filter(|(_, n)| *n > floor)
                        .max_by_key(|(_, n)| *n);
                    if let Some((peer, _)) = best {
                        let request_id = id();
                        *asked = Some((
                            request_id,
                            Asked {
                                peer: peer.clone(),
                                asked_at: now,
                                hashes: Vec::new(),
                            },
                        ));
                        out.push((
                            peer.clone(),
                            WireMessage::WarpProofRequest {
                                id: request_id,
                                from_set_id: set.set_id,
                            },
                        ));
                    }
                }
            }
            Phase::State {
                target,
                state,
                asked,
                lacking,
                ..
            } => {
                asked.retain(|_, a| {
                    if now >= a.asked_at + WARP_REQUEST_TIMEOUT_MS {
                        state.retry(&hashes_of(&a.hashes));
                        false
                    } else {
                        true
                    }
                });
                let mut load: BTreeMap<P, usize> = BTreeMap::new();
                for a in asked.values() {
                    *load.entry(a.peer.clone()).or_default() += 1;
                }
                let mut serving: Vec<P> = candidates
                    .iter()
                    .filter(|(p, n)| *n >= target.header.number && !lacking.contains(p))
                    .map(|(p, _)| p.clone())
                    .collect();
                // Least loaded first, and what is wanted spread over every free request slot
                // (so a small state, or the first levels of a big one, still goes in parallel).
                serving.sort_by_key(|p| load.get(p).copied().unwrap_or(0));
                let free: usize = serving
                    .iter()
                    .map(|p| {
                        MAX_STATE_REQUESTS_PER_PEER
                            .saturating_sub(load.get(p).copied().unwrap_or(0))
                    })
                    .sum();
                let share = state
                    .wanted()
                    .div_ceil(free.max(1))
                    .clamp(1, MAX_STATE_ENTRIES_PER_REQUEST);
                for peer in serving {
                    while load.get(&peer).copied().unwrap_or(0) < MAX_STATE_REQUESTS_PER_PEER {
                        let batch = state.next_batch(share);
                        if batch.is_empty() {
                            break;
                        }
                        let hashes: Vec<Hash> = batch.into_iter().map(Hash).collect();
                        let request_id = id();
                        asked.insert(
                            request_id,
                            Asked {
                                peer: peer.clone(),
                                asked_at: now,
                                hashes: hashes.clone(),
                            },
                        );
                        *load.entry(peer.clone()).or_default() += 1;
                        out.push((
                            peer.clone(),
                            WireMessage::StateRequest {
                                id: request_id,
                                hashes,
                            },
                        ));
                    }
                }
            }
            Phase::Done => {}
        }
        self.next_id = ids;
        out
    }

    /// Gives up the target when no peer can serve its state any more (each that could
    /// answered without it) and a peer has finalized further: back to the proof phase, from
    /// the set that proved the target, keeping the download so far.
    fn retarget_if_lost(&mut self, candidates: &[(P, BlockNumber)]) {
        let Phase::State {
            target, lacking, ..
        } = &self.phase
        else {
            return;
        };
        let number = target.header.number;
        let servable = candidates
            .iter()
            .any(|(p, n)| *n >= number && !lacking.contains(p));
        let newer = candidates.iter().any(|(_, n)| *n > number);
        if servable || !newer || lacking.is_empty() {
            return;
        }
        let Phase::State { set, state, .. } = std::mem::replace(&mut self.phase, Phase::Done)
        else {
            return;
        };
        self.retargets += 1;
        self.phase = Phase::Proof {
            set,
            asked: None,
            previous: Some(Previous { number, state }),
        };
    }

    /// Takes a page of the warp proof from `peer` for request `id`. An answer to no request
    /// of this peer's is ignored (`Ok(None)`). Returns the warp point when the target's state
    /// is complete at once (a new target whose state the download had already, after a
    /// retarget).
    ///
    /// # Errors
    /// [`WarpError`] when the page does not verify; the peer is not asked again.
    pub fn on_proof(
        &mut self,
        peer: &P,
        id: u64,
        changes: Vec<JustifiedHeader>,
        target: Option<JustifiedHeader>,
    ) -> Result<Option<Warped>, WarpError> {
        let Phase::Proof {
            set,
            asked,
            previous,
        } = &mut self.phase
        else {
            return Ok(None);
        };
        if asked
            .as_ref()
            .is_none_or(|(asked_id, a)| *asked_id != id || a.peer != *peer)
        {
            return Ok(None);
        }
        *asked = None;
        let mut applied = Vec::new();
        let page = changes.len();
        let result = (|| -> Result<VoterSet, WarpError> {
            let mut next = set.clone();
            for change in changes {
                next = next.apply_change(
                    &self.genesis_hash,
                    &SetChangeProof {
                        header: change.header,
                        justification: change.justification,
                    },
                )?;
                applied.push(next.clone());
            }
            if let Some(target) = &target {
                next.verify_finality(
                    &self.genesis_hash,
                    &target.header,
                    &[],
                    &target.justification,
                )?;
            }
            Ok(next)
        })();
        let next = match result {
            Ok(ok) => ok,
            Err(e) => {
                self.refused.insert(peer.clone());
                return Err(e);
            }
        };
        self.sets.extend(applied);
        if page == 0 && target.is_none() {
            // Nothing to offer (a warped peer whose gap below its base is not filled yet
            // cannot prove the sets before it): asked again once it reports a higher block.
            let finalized = self.peers.get(peer).copied().unwrap_or(0);
            self.stale.insert(peer.clone(), finalized);
            return Ok(None);
        }
        let target = match target {
            // Not above the target given up: the peer has not finalized further (or keeps
            // no newer justification); asked again once it reports a higher block.
            Some(target)
                if previous
                    .as_ref()
                    .is_some_and(|p| target.header.number <= p.number) =>
            {
                let finalized = self.peers.get(peer).copied().unwrap_or(0);
                self.stale.insert(peer.clone(), finalized);
                None
            }
            other => other,
        };
        let Some(target) = target else {
            *set = next;
            return Ok(None);
        };
        let root = target.header.state_root.0;
        let state = match previous.take() {
            Some(previous) => Box::new(previous.state.retarget(root)),
            None => Box::new(StateSync::new(root)),
        };
        self.phase = Phase::State {
            target,
            set: next,
            state,
            asked: BTreeMap::new(),
            lacking: BTreeSet::new(),
        };
        self.complete_if_done()
    }

    /// The warp point once the target's state is complete.
    fn complete_if_done(&mut self) -> Result<Option<Warped>, WarpError> {
        if !matches!(&self.phase, Phase::State { state, .. } if state.is_complete()) {
            return Ok(None);
        }
        let Phase::State { target, state, .. } = std::mem::replace(&mut self.phase, Phase::Done)
        else {
            return Ok(None);
        };
        let sets = std::mem::take(&mut self.sets);
        Ok(Some(Warped {
            target,
            state: state.finish()?,
            set_changes: sets.len().saturating_sub(1),
            sets,
            retargets: self.retargets,
        }))
    }

    /// Takes `peer`'s answer to state request `id`; returns the warp point and its state when
    /// this answer completed the download. An answer to no request of this peer's is ignored.
    /// An answer without a single entry says the peer does not keep the target's state (it
    /// pruned it, or warped past it): it is not asked for this target again, and once no
    /// peer is left to ask, [`WarpSync::plan`] moves on to a newer target.
    ///
    /// # Errors
    /// [`WarpError::State`] when an entry does not verify: nothing of the answer is kept, its
    /// hashes are asked again of another peer, and this one is not asked again.
    pub fn on_state(
        &mut self,
        peer: &P,
        id: u64,
        entries: Vec<Vec<u8>>,
    ) -> Result<Option<Warped>, WarpError> {
        let Phase::State {
            state,
            asked,
            lacking,
            ..
        } = &mut self.phase
        else {
            return Ok(None);
        };
        if asked.get(&id).is_none_or(|a| a.peer != *peer) {
            return Ok(None);
        }
        let Some(request) = asked.remove(&id) else {
            return Ok(None);
        };
        if entries.is_empty() && !request.hashes.is_empty() {
            lacking.insert(peer.clone());
        }
        if let Err(e) = state.import(&hashes_of(&request.hashes), entries) {
            self.refused.insert(peer.clone());
            return Err(e.into());
        }
        self.complete_if_done()
    }

    /// Ends the warp (after its result was committed, or when the node cannot warp).
    pub fn finish(&mut self) {
        self.phase = Phase::Done;
    }
}

fn hashes_of(hashes: &[Hash]) -> Vec<[u8; 32]> {
    hashes.iter().map(|h| h.0).collect()
}

/// The serving side of [`WireMessage::WarpProofRequest`]: the blocks enacting the voter sets
/// after `from_set_id` (at most [`MAX_WARP_CHANGES_PER_RESPONSE`]) with their justifications,
/// and, when that reaches the current set, the newest finalized block with a stored
/// justification at or above the last change.
///
/// # Errors
/// [`ClientError`] when the node's own chain cannot be read (a missing justification of a set
/// change is a `Corrupt` storage error).
pub fn warp_proof(
    client: &Client,
    from_set_id: u64,
) -> Result<(Vec<JustifiedHeader>, Option<JustifiedHeader>), ClientError> {
    let db = client.db();
    let (_, finalized) = client.finalized()?;
    let proven = client.voter_set_changes(
        &finalized,
        from_set_id,
        MAX_WARP_CHANGES_PER_RESPONSE as u64,
    )?;
    let (set_id, last) = (proven.set_id, proven.last);
    if from_set_id > set_id {
        return Ok((Vec::new(), None));
    }
    let justified = |number: BlockNumber| -> Result<Option<JustifiedHeader>, ClientError> {
        let Some(hash) = db.hash_by_number(number)? else {
            return Ok(None);
        };
        let (Some(header), Some(justification)) = (db.header(&hash)?, db.justification(&hash)?)
        else {
            return Ok(None);
        };
        Ok(Some(JustifiedHeader {
            header,
            justification,
        }))
    };
    let changes = proven.changes;
    let mut last_change_at = changes.last().map_or(0, |change| change.header.number);
    if last < set_id {
        return Ok((changes, None));
    }
    if set_id > 0 && last_change_at == 0 {
        // The current set's change was in an earlier page: its height bounds the search.
        last_change_at = client
            .read_state(&finalized, |store| {
                ghost_runtime::api::set_change_block(store, &finalized, set_id)
            })?
            .unwrap_or(0);
    }
    let lowest = last_change_at
        .max(finalized.number.saturating_sub(MAX_TARGET_SEARCH))
        .max(1);
    let mut number = finalized.number;
    while number >= lowest {
        if let Some(target) = justified(number)? {
            return Ok((changes, Some(target)));
        }
        number -= 1;
    }
    Ok((changes, None))
}

#[cfg(test)]
mod tests {
    use ghost_consensus::grandpa::GrandpaJustification;
    use ghost_primitives::{Digest, GrandpaLog, Header, Pair, ScheduledChange};
    use ghost_trie::{MemoryNodeStore, build_counted};
    use parity_scale_codec::Encode;

    use super::*;

    const GENESIS: Hash = Hash([7; 32]);

    fn voters(names: &[&str]) -> Vec<Pair> {
        names.iter().map(|n| Pair::dev(n)).collect()
    }

    fn genesis_set(voters: &[Pair]) -> VoterSet {
        VoterSet {
            set_id: 0,
            voters: voters.iter().map(Pair::public).collect(),
            enacted_at: 0,
            enacted_hash: GENESIS,
        }
    }

    fn justified(voters: &[Pair], set_id: u64, header: Header) -> JustifiedHeader {
        let refs: Vec<&Pair> = voters.iter().collect();
        let justification =
            GrandpaJustification::signed_by(&refs, &GENESIS, 1, set_id, &header).encode();
        JustifiedHeader {
            header,
            justification,
        }
    }

    fn header(number: BlockNumber, state_root: [u8; 32], next: Option<&[Pair]>) -> Header {
        let mut digest = Digest::default();
        if let Some(next) = next {
            digest.logs.push(
                GrandpaLog::ScheduledChange(ScheduledChange {
                    next_authorities: next.iter().map(|p| (p.public(), 1)).collect(),
                    delay: 0,
                })
                .to_digest_item(),
            );
        }
        Header {
            parent_hash: Hash([number as u8; 32]),
            number,
            state_root: Hash(state_root),
            extrinsics_root: Hash::ZERO,
            timestamp_ms: number * 500,
            digest,
        }
    }

    /// A chain whose set changes at #10 (Alice, Bob, Charlie → Dave, Eve, Ferdie), finalized
    /// at #25 with a state of `n` keys.
    struct Fixture {
        change: JustifiedHeader,
        target: JustifiedHeader,
        store: MemoryNodeStore,
        built: StateUpdate,
        old: Vec<Pair>,
    }

    fn fixture() -> Fixture {
        let old = voters(&["Alice", "Bob", "Charlie"]);
        let new = voters(&["Dave", "Eve", "Ferdie"]);
        let built = build_counted((0u32..3_000).map(|i| {
            (
                format!("name-{i}").into_bytes(),
                vec![(i % 251) as u8; 1 + (i % 60) as usize],
            )
        }));
        let mut store = MemoryNodeStore::new();
        store.insert_nodes(built.nodes.clone());
        Fixture {
            change: justified(&old, 0, header(10, [1; 32], Some(&new))),
            target: justified(&new, 1, header(25, built.root, None)),
            store,
            built,
            old,
        }
    }

    fn sends_to(plan: &[(u8, WireMessage)], peer: u8) -> Vec<WireMessage> {
        plan.iter()
            .filter(|(p, _)| *p == peer)
            .map(|(_, m)| m.clone())
            .collect()
    }

    /// Answers every state request in `plan` from `store`, as peer `peer`.
    fn answer(
        warp: &mut WarpSync<u8>,
        plan: Vec<(u8, WireMessage)>,
        store: &MemoryNodeStore,
    ) -> Option<Warped> {
        for (peer, message) in plan {
            if let WireMessage::StateRequest { id, hashes } = message {
                let entries = ghost_trie::sync::serve(store, &hashes_of(&hashes), usize::MAX);
                if let Some(warped) = warp.on_state(&peer, id, entries).expect("honest") {
                    return Some(warped);
                }
            }
        }
        None
    }

    #[test]
    fn a_warp_follows_the_set_change_and_downloads_the_targets_state_from_two_peers() {
        let f = fixture();
        let mut warp = WarpSync::new(GENESIS, genesis_set(&f.old));
        warp.note_peer(&1, 25);
        warp.note_peer(&2, 30);
        // The peer with the highest finalized block is asked for the proof.
        let plan = warp.plan(0);
        let [(2, WireMessage::WarpProofRequest { id, from_set_id: 0 })] = plan[..] else {
            panic!("expected one proof request to peer 2: {plan:?}");
        };
        warp.on_proof(&2, id, vec![f.change.clone()], Some(f.target.clone()))
            .expect("valid proof");
        assert_eq!(warp.target(), Some(&f.target));
        let mut served_by = BTreeSet::new();
        let mut now = 1;
        let warped = loop {
            let plan = warp.plan(now);
            assert!(!plan.is_empty(), "the download stalled");
            for (peer, _) in &plan {
                served_by.insert(*peer);
            }
            if let Some(warped) = answer(&mut warp, plan, &f.store) {
                break warped;
            }
            now += 1;
        };
        assert_eq!(warped.state, f.built);
        assert_eq!(warped.target, f.target);
        assert_eq!(warped.set_changes, 1);
        assert_eq!(served_by, BTreeSet::from([1, 2]), "both peers served state");
        assert!(!warp.is_active());
    }

    #[test]
    fn a_proof_that_skips_the_set_change_is_refused_and_another_peer_asked() {
        let f = fixture();
        let mut warp = WarpSync::new(GENESIS, genesis_set(&f.old));
        warp.note_peer(&1, 25);
        warp.note_peer(&2, 30);
        let plan = warp.plan(0);
        let WireMessage::WarpProofRequest { id, .. } = sends_to(&plan, 2)[0] else {
            panic!("expected a proof request: {plan:?}");
        };
        // The target is signed by the new set, which the genesis set never handed over to.
        assert!(matches!(
            warp.on_proof(&2, id, vec![], Some(f.target.clone())),
            Err(WarpError::Proof(_))
        ));
        assert_eq!(warp.target(), None);
        let plan = warp.plan(1);
        let [(1, WireMessage::WarpProofRequest { id, .. })] = plan[..] else {
            panic!("expected the other peer to be asked: {plan:?}");
        };
        // An empty page makes no progress: that peer is asked again only once it reports a
        // higher finalized block (it may be a warped node still filling its gap).
        assert!(matches!(warp.on_proof(&1, id, vec![], None), Ok(None)));
        assert!(warp.plan(2).is_empty());
        warp.note_peer(&1, 31);
        assert!(matches!(
            warp.plan(3)[..],
            [(1, WireMessage::WarpProofRequest { .. })]
        ));
        // An answer nobody asked for is ignored.
        assert!(matches!(
            warp.on_proof(&3, 99, vec![], Some(f.target.clone())),
            Ok(None)
        ));
        assert_eq!(warp.target(), None);
    }

    #[test]
    fn a_forged_state_entry_is_refused_and_asked_of_an_honest_peer() {
        let f = fixture();
        let mut warp = WarpSync::new(GENESIS, genesis_set(&f.old));
        warp.note_peer(&1, 25);
        let plan = warp.plan(0);
        let WireMessage::WarpProofRequest { id, .. } = plan[0].1 else {
            panic!("expected a proof request");
        };
        warp.on_proof(&1, id, vec![f.change.clone()], Some(f.target.clone()))
            .expect("valid proof");
        let plan = warp.plan(1);
        let WireMessage::StateRequest { id, hashes } = &plan[0].1 else {
            panic!("expected a state request: {plan:?}");
        };
        let mut entries = ghost_trie::sync::serve(&f.store, &hashes_of(hashes), usize::MAX);
        entries[0][0] ^= 1;
        assert!(matches!(
            warp.on_state(&1, *id, entries),
            Err(WarpError::State(StateSyncError::WrongHash { .. }))
        ));
        // The liar is not asked again; an honest peer that joins gets the same hashes.
        assert!(warp.plan(2).is_empty());
        warp.note_peer(&2, 25);
        let plan = warp.plan(3);
        assert!(matches!(
            &plan[0],
            (2, WireMessage::StateRequest { hashes: again, .. }) if again == hashes
        ));
        let mut now = 4;
        let mut plan = plan;
        let warped = loop {
            if let Some(warped) = answer(&mut warp, plan, &f.store) {
                break warped;
            }
            plan = warp.plan(now);
            now += 1;
        };
        assert_eq!(warped.state, f.built);
    }

    #[test]
    fn an_unanswered_state_request_is_asked_again_after_the_timeout() {
        let f = fixture();
        let mut warp = WarpSync::new(GENESIS, genesis_set(&f.old));
        warp.note_peer(&1, 25);
        let WireMessage::WarpProofRequest { id, .. } = warp.plan(0)[0].1 else {
            panic!("expected a proof request");
        };
        warp.on_proof(&1, id, vec![f.change.clone()], Some(f.target.clone()))
            .expect("valid proof");
        let first = warp.plan(10);
        assert_eq!(first.len(), 1, "only the root is known");
        assert!(warp.plan(11).is_empty(), "in flight");
        let again = warp.plan(10 + WARP_REQUEST_TIMEOUT_MS);
        let (
            WireMessage::StateRequest { hashes: a, .. },
            WireMessage::StateRequest { hashes: b, .. },
        ) = (&first[0].1, &again[0].1)
        else {
            panic!("expected state requests");
        };
        assert_eq!(a, b);
    }

    /// The state of `pairs` with a few values changed: a newer block's.
    fn newer_state(f: &Fixture) -> (StateUpdate, MemoryNodeStore) {
        let built = build_counted((0u32..3_000).map(|i| {
            let value = if i % 101 == 0 {
                format!("changed-{i}").into_bytes()
            } else {
                vec![(i % 251) as u8; 1 + (i % 60) as usize]
            };
            (format!("name-{i}").into_bytes(), value)
        }));
        assert_ne!(built.root, f.built.root);
        let mut store = MemoryNodeStore::new();
        store.insert_nodes(built.nodes.clone());
        (built, store)
    }

    /// The peer prunes the target's state half-way through the download (answers without
    /// entries): once it has finalized further, the warp asks for a newer target from the set
    /// that proved the first, and downloads that state reusing what it has.
    #[test]
    fn a_target_whose_state_peers_pruned_is_given_up_for_a_newer_one() {
        let f = fixture();
        let new_set = voters(&["Dave", "Eve", "Ferdie"]);
        let (newer, newer_store) = newer_state(&f);
        let newer_target = justified(&new_set, 1, header(40, newer.root, None));
        let mut warp = WarpSync::new(GENESIS, genesis_set(&f.old));
        warp.note_peer(&1, 25);
        let WireMessage::WarpProofRequest { id, .. } = warp.plan(0)[0].1 else {
            panic!("expected a proof request");
        };
        warp.on_proof(&1, id, vec![f.change.clone()], Some(f.target.clone()))
            .expect("valid proof");
        // Half of the old state arrives.
        let mut now = 1;
        while warp
            .state_progress()
            .is_some_and(|(received, _)| received < f.built.nodes.len() / 2)
        {
            for (peer, message) in warp.plan(now) {
                if let WireMessage::StateRequest { id, hashes } = message {
                    let entries =
                        ghost_trie::sync::serve(&f.store, &hashes_of(&hashes), usize::MAX);
                    assert!(warp.on_state(&peer, id, entries).expect("honest").is_none());
                }
            }
            now += 1;
        }
        // Then the peer has pruned it: answers without entries.
        for (peer, message) in warp.plan(now) {
            if let WireMessage::StateRequest { id, .. } = message {
                assert!(
                    warp.on_state(&peer, id, Vec::new())
                        .expect("honest")
                        .is_none()
                );
            }
        }
        // Nobody keeps it and nobody is further: nothing to do but wait.
        assert!(warp.plan(now + 1).is_empty());
        assert_eq!(warp.target().map(|t| t.header.number), Some(25));
        // The peer finalizes further: a proof from set 1 (the set that proved #25).
        warp.note_peer(&1, 40);
        let plan = warp.plan(now + 2);
        let [(1, WireMessage::WarpProofRequest { id, from_set_id: 1 })] = plan[..] else {
            panic!("expected a proof request from set 1: {plan:?}");
        };
        assert_eq!(warp.retargets(), 1);
        // The same target again is no progress: the peer is asked again only once it reports
        // a higher block.
        assert!(matches!(
            warp.on_proof(&1, id, vec![], Some(f.target.clone())),
            Ok(None)
        ));
        assert!(warp.plan(now + 3).is_empty());
        warp.note_peer(&1, 41);
        let plan = warp.plan(now + 4);
        let [(1, WireMessage::WarpProofRequest { id, from_set_id: 1 })] = plan[..] else {
            panic!("expected a proof request: {plan:?}");
        };
        assert!(matches!(
            warp.on_proof(&1, id, vec![], Some(newer_target.clone())),
            Ok(None)
        ));
        assert_eq!(warp.target().map(|t| t.header.number), Some(40));
        let mut plan = warp.plan(now + 5);
        let mut asked = 0;
        let warped = loop {
            asked += plan
                .iter()
                .map(|(_, m)| match m {
                    WireMessage::StateRequest { hashes, .. } => hashes.len(),
                    _ => 0,
                })
                .sum::<usize>();
            if let Some(warped) = answer(&mut warp, plan, &newer_store) {
                break warped;
            }
            now += 1;
            plan = warp.plan(now + 5);
        };
        assert_eq!(
            warped.state, newer,
            "exactly the newer state, nothing of the old"
        );
        assert_eq!(warped.target, newer_target);
        assert_eq!(warped.retargets, 1);
        assert_eq!(warped.sets.len(), 2, "the genesis set and set 1");
        assert!(
            asked < newer.nodes.len(),
            "asked for {asked} of {} entries: what was downloaded before is reused",
            newer.nodes.len()
        );
    }

    /// A target whose state needs no download (the empty trie) completes with the proof.
    #[test]
    fn a_target_with_nothing_to_download_completes_with_its_proof() {
        let f = fixture();
        let new_set = voters(&["Dave", "Eve", "Ferdie"]);
        let empty = justified(&new_set, 1, header(30, ghost_trie::EMPTY_ROOT, None));
        let mut warp = WarpSync::new(GENESIS, genesis_set(&f.old));
        warp.note_peer(&1, 30);
        let WireMessage::WarpProofRequest { id, .. } = warp.plan(0)[0].1 else {
            panic!("expected a proof request");
        };
        let warped = warp
            .on_proof(&1, id, vec![f.change.clone()], Some(empty.clone()))
            .expect("valid proof")
            .expect("complete at once");
        assert_eq!(warped.target, empty);
        assert!(warped.state.nodes.is_empty());
        assert!(!warp.is_active());
    }
}
