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
//! Then the block becomes the database's finalized base ([`crate::client::Client::import_warp_base`])
//! and the consensus worker follows the tip with the normal sync. Blocks below the base are
//! not downloaded (no background gap fill yet): reads at those heights get
//! `BelowWarpBase`, and a name change replay from height 0 cannot be served by a warped node.
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
    /// A page of the proof without a change and without a target.
    #[error("warp proof page makes no progress")]
    NoProgress,
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
}

/// One request in flight.
#[derive(Clone, Debug)]
struct Asked<P> {
    peer: P,
    asked_at: u64,
    /// The hashes of a state request (empty for a proof request).
    hashes: Vec<Hash>,
}

enum Phase<P> {
    /// Following the voter set; one proof request at a time.
    Proof {
        set: VoterSet,
        changes: usize,
        asked: Option<(u64, Asked<P>)>,
    },
    /// Downloading the target's state.
    State {
        target: JustifiedHeader,
        changes: usize,
        state: Box<StateSync>,
        asked: BTreeMap<u64, Asked<P>>,
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
    next_id: u64,
}

impl<P: Clone + Ord> WarpSync<P> {
    /// A warp sync of the chain `genesis_hash` starting from its genesis voter set.
    pub fn new(genesis_hash: Hash, genesis_set: VoterSet) -> WarpSync<P> {
        WarpSync {
            genesis_hash,
            phase: Phase::Proof {
                set: genesis_set,
                changes: 0,
                asked: None,
            },
            peers: BTreeMap::new(),
            refused: BTreeSet::new(),
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

    /// Forgets a peer that went away; its requests are asked again of others.
    pub fn remove_peer(&mut self, peer: &P) {
        self.peers.remove(peer);
        match &mut self.phase {
            Phase::Proof { asked, .. } => {
                if asked.as_ref().is_some_and(|(_, a)| a.peer == *peer) {
                    *asked = None;
                }
            }
            Phase::State { state, asked, .. } => {
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
    /// can serve the target. Requests that timed out are asked again.
    pub fn plan(&mut self, now: u64) -> Vec<(P, WireMessage)> {
        let mut out = Vec::new();
        let candidates: Vec<(P, BlockNumber)> = self
            .peers
            .iter()
            .filter(|(peer, _)| !self.refused.contains(*peer))
            .map(|(p, n)| (p.clone(), *n))
            .collect();
        let mut ids = self.next_id;
        let mut id = || {
            ids = ids.wrapping_add(1);
            ids
        };
        match &mut self.phase {
            Phase::Proof { set, asked, .. } => {
                if asked
                    .as_ref()
                    .is_some_and(|(_, a)| now >= a.asked_at + WARP_REQUEST_TIMEOUT_MS)
                {
                    *asked = None;
                }
                if asked.is_none() {
                    // The peer with the highest finalized block above the current set's.
                    let best = candidates
                        .iter()
                        .filter(|(_, n)| *n > set.enacted_at)
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
                    .filter(|(_, n)| *n >= target.header.number)
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

    /// Takes a page of the warp proof from `peer` for request `id`. An answer to no request
    /// of this peer's is ignored (`Ok`).
    ///
    /// # Errors
    /// [`WarpError`] when the page does not verify; the peer is not asked again.
    pub fn on_proof(
        &mut self,
        peer: &P,
        id: u64,
        changes: Vec<JustifiedHeader>,
        target: Option<JustifiedHeader>,
    ) -> Result<(), WarpError> {
        let Phase::Proof {
            set,
            changes: followed,
            asked,
        } = &mut self.phase
        else {
            return Ok(());
        };
        if asked
            .as_ref()
            .is_none_or(|(asked_id, a)| *asked_id != id || a.peer != *peer)
        {
            return Ok(());
        }
        *asked = None;
        let result = (|| -> Result<(VoterSet, usize), WarpError> {
            let mut next = set.clone();
            let page = changes.len();
            for change in changes {
                next = next.apply_change(
                    &self.genesis_hash,
                    &SetChangeProof {
                        header: change.header,
                        justification: change.justification,
                    },
                )?;
            }
            if let Some(target) = &target {
                next.verify_finality(
                    &self.genesis_hash,
                    &target.header,
                    &[],
                    &target.justification,
                )?;
            } else if page == 0 {
                return Err(WarpError::NoProgress);
            }
            Ok((next, page))
        })();
        match result {
            Ok((next, page)) => {
                let total = *followed + page;
                match target {
                    Some(target) => {
                        let state = Box::new(StateSync::new(target.header.state_root.0));
                        self.phase = Phase::State {
                            target,
                            changes: total,
                            state,
                            asked: BTreeMap::new(),
                        };
                    }
                    None => {
                        *set = next;
                        *followed = total;
                    }
                }
                Ok(())
            }
            Err(e) => {
                self.refused.insert(peer.clone());
                Err(e)
            }
        }
    }

    /// Takes `peer`'s answer to state request `id`; returns the warp point and its state when
    /// this answer completed the download. An answer to no request of this peer's is ignored.
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
        let Phase::State { state, asked, .. } = &mut self.phase else {
            return Ok(None);
        };
        if asked.get(&id).is_none_or(|a| a.peer != *peer) {
            return Ok(None);
        }
        let Some(request) = asked.remove(&id) else {
            return Ok(None);
        };
        if let Err(e) = state.import(&hashes_of(&request.hashes), entries) {
            self.refused.insert(peer.clone());
            return Err(e.into());
        }
        if !state.is_complete() {
            return Ok(None);
        }
        let Phase::State {
            target,
            changes,
            state,
            ..
        } = std::mem::replace(&mut self.phase, Phase::Done)
        else {
            return Ok(None);
        };
        Ok(Some(Warped {
            target,
            state: state.finish()?,
            set_changes: changes,
        }))
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
        // An empty page makes no progress: refused too.
        assert_eq!(
            warp.on_proof(&1, id, vec![], None),
            Err(WarpError::NoProgress)
        );
        // An answer nobody asked for is ignored.
        assert_eq!(
            warp.on_proof(&3, 99, vec![], Some(f.target.clone())),
            Ok(())
        );
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
}
