//! Gap sync: after a warp sync ([`crate::warp_sync`]), downloading the blocks below the warp
//! base, so a warped node ends up with the whole chain of headers, bodies and the
//! justifications that matter (the voter-set changes a warp proof is made of), like a node
//! synced in full, only without the state of the blocks below its base.
//!
//! As Substrate's gap sync does, in the background while the node follows the tip: one
//! [`WireMessage::BlockRequest`] at a time for the block the database wants next
//! ([`ghost_storage::Database::warp_gap`]) and up to [`MAX_BLOCKS_PER_RESPONSE`] of its
//! ancestors, newest first. Nothing needs trusting: the base is final, and each block is
//! authenticated by the hash chain down from it ([`check_blocks`]: the first block is the one
//! asked for, each next one its parent, each body matches its header's `extrinsics_root`, each
//! justification verifies under the voter set in force at its height, from the sets the warp
//! followed). An answer that breaks any of these is refused whole and its peer reported
//! ([`GAP_BAD_BLOCKS`]); an empty answer means the peer does not have the block (a warped
//! peer with a gap of its own) and it is not asked again for [`GAP_LACKING_RETRY_MS`]; an
//! unanswered request goes to another peer after [`GAP_REQUEST_TIMEOUT_MS`].
//!
//! [`GapSync`] is pure bookkeeping over the peer type, like [`crate::range_sync`]; the
//! consensus worker sends what it returns and commits what [`check_blocks`] accepts
//! ([`ghost_storage::Database::commit_gap_blocks`]). The gap's progress is in the database, so
//! a restarted node goes on where it stopped.

use std::collections::{BTreeMap, BTreeSet};

use ghost_consensus::network::Reputation;
use ghost_consensus::protocol::{BlockData, MAX_BLOCKS_PER_RESPONSE, WireMessage};
use ghost_light::finality::VoterSet;
use ghost_primitives::{BlockNumber, Hash};
use ghost_runtime::UncheckedExtrinsic;
use ghost_storage::GapBlock;
use parity_scale_codec::DecodeAll;

/// A gap request unanswered this long (ms) is asked of another peer.
pub const GAP_REQUEST_TIMEOUT_MS: u64 = 5_000;
/// A peer that did not have the wanted block (or did not answer) is asked again after this
/// long (ms): it may have filled its own gap since.
pub const GAP_LACKING_RETRY_MS: u64 = 30_000;

/// Blocks below the warp base that do not link, or whose body or justification is wrong.
pub const GAP_BAD_BLOCKS: Reputation = Reputation {
    value: -200,
    reason: "invalid blocks below the warp base",
};

/// Why an answer to a gap request was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum GapError {
    /// The answer does not start with the block asked for.
    #[error("the answer does not start with block #{number} ({expected})")]
    NotWanted {
        /// The height asked for.
        number: BlockNumber,
        /// The hash asked for.
        expected: Hash,
    },
    /// A block is not the parent of the one before it in the answer.
    #[error("block #{number} of the answer is not the parent of the block above it")]
    Unlinked {
        /// The height it should have.
        number: BlockNumber,
    },
    /// A body that does not decode, or does not match its header's extrinsics root.
    #[error("the body of block #{number} does not match its header")]
    WrongBody {
        /// The block's height.
        number: BlockNumber,
    },
    /// A justification that does not verify under the voter set in force at its block.
    #[error("the justification of block #{number} does not verify: {reason}")]
    BadJustification {
        /// The block's height.
        number: BlockNumber,
        /// Why.
        reason: String,
    },
}

/// The request in flight.
#[derive(Clone, Debug)]
struct Asked<P> {
    id: u64,
    peer: P,
    at: u64,
}

/// The gap sync's requests (see the [module docs](self)).
#[derive(Debug)]
pub struct GapSync<P> {
    /// Peers of this chain.
    peers: BTreeSet<P>,
    /// Peers that lacked the wanted block (or timed out), and when.
    lacking: BTreeMap<P, u64>,
    asked: Option<Asked<P>>,
}

impl<P> Default for GapSync<P> {
    fn default() -> Self {
        GapSync {
            peers: BTreeSet::new(),
            lacking: BTreeMap::new(),
            asked: None,
        }
    }
}

impl<P: Clone + Ord> GapSync<P> {
    /// Notes a peer of this chain.
    pub fn note_peer(&mut self, peer: &P) {
        self.peers.insert(peer.clone());
    }

    /// Forgets a peer that went away; its request is asked of another.
    pub fn remove_peer(&mut self, peer: &P) {
        self.peers.remove(peer);
        self.lacking.remove(peer);
        if self.asked.as_ref().is_some_and(|a| a.peer == *peer) {
            self.asked = None;
        }
    }

    /// The request to send now for `wanted` (the database's [`ghost_storage::Database::warp_gap`]),
    /// if any: none while one is in flight (unless it timed out), and none without a peer to
    /// ask. `id` names the request.
    pub fn plan(
        &mut self,
        wanted: Option<(Hash, BlockNumber)>,
        now: u64,
        id: impl FnOnce() -> u64,
    ) -> Option<(P, WireMessage)> {
        let (hash, number) = wanted?;
        if let Some(asked) = &self.asked {
            if now < asked.at.saturating_add(GAP_REQUEST_TIMEOUT_MS) {
                return None;
            }
            self.lacking.insert(asked.peer.clone(), now);
            self.asked = None;
        }
        self.lacking
            .retain(|_, at| now < at.saturating_add(GAP_LACKING_RETRY_MS));
        let peer = self
            .peers
            .iter()
            .find(|p| !self.lacking.contains_key(*p))?
            .clone();
        let id = id();
        self.asked = Some(Asked {
            id,
            peer: peer.clone(),
            at: now,
        });
        let max = u32::try_from(number)
            .unwrap_or(u32::MAX)
            .min(MAX_BLOCKS_PER_RESPONSE);
        Some((
            peer,
            WireMessage::BlockRequest {
                id,
                from: hash,
                max,
            },
        ))
    }

    /// Pauses asking `peer` (its answer was refused).
    pub fn refuse(&mut self, peer: &P, now: u64) {
        self.lacking.insert(peer.clone(), now);
    }

    /// Whether `peer`'s answer `id` is the gap's request (which it then no longer waits for).
    /// An empty answer marks the peer as not having the wanted block.
    pub fn take_answer(&mut self, peer: &P, id: u64, empty: bool, now: u64) -> bool {
        if !self
            .asked
            .as_ref()
            .is_some_and(|a| a.id == id && a.peer == *peer)
        {
            return false;
        }
        self.asked = None;
        if empty {
            self.lacking.insert(peer.clone(), now);
        }
        true
    }
}

/// Checks an answer to a gap request for `wanted` against the hash chain down from it, and
/// turns it into the blocks to store (see the [module docs](self)). `sets` are the voter sets
/// the warp followed (genesis first); a justification is kept only if it verifies under the
/// set in force at its block (the last set enacted below it), and dropped when no set is known.
///
/// # Errors
/// [`GapError`] when any block of the answer is wrong: nothing of it is kept.
pub fn check_blocks(
    genesis_hash: &Hash,
    wanted: (Hash, BlockNumber),
    blocks: Vec<BlockData>,
    sets: &[VoterSet],
) -> Result<Vec<GapBlock>, GapError> {
    let mut expected = wanted;
    let mut out = Vec::with_capacity(blocks.len());
    for block in blocks {
        let number = expected.1;
        if number == 0 {
            // The genesis is stored already; an answer goes no further down.
            break;
        }
        let header = block.header;
        if header.number != number || header.hash() != expected.0 {
            return Err(if out.is_empty() {
                GapError::NotWanted {
                    number,
                    expected: expected.0,
                }
            } else {
                GapError::Unlinked { number }
            });
        }
        let extrinsics = Vec::<UncheckedExtrinsic>::decode_all(&mut &block.body[..])
            .map_err(|_| GapError::WrongBody { number })?;
        if ghost_primitives::block::extrinsics_root(&extrinsics) != header.extrinsics_root {
            return Err(GapError::WrongBody { number });
        }
        let justification = match (block.justification, set_at(sets, number)) {
            (Some(justification), Some(set)) => {
                set.verify_finality(genesis_hash, &header, &[], &justification)
                    .map_err(|e| GapError::BadJustification {
                        number,
                        reason: e.to_string(),
                    })?;
                Some(justification)
            }
            _ => None,
        };
        expected = (header.parent_hash, number - 1);
        out.push(GapBlock {
            header,
            body: block.body,
            tx_hashes: extrinsics.iter().map(UncheckedExtrinsic::hash).collect(),
            justification,
        });
    }
    Ok(out)
}

/// The voter set that finalizes block `number`: the last one enacted below it (a set's
/// enacting block is final under the set before).
fn set_at(sets: &[VoterSet], number: BlockNumber) -> Option<&VoterSet> {
    sets.iter()
        .filter(|set| set.enacted_at < number)
        .max_by_key(|set| set.enacted_at)
}

#[cfg(test)]
mod tests {
    use ghost_consensus::grandpa::GrandpaJustification;
    use ghost_primitives::{Digest, Header, Pair};
    use parity_scale_codec::Encode;

    use super::*;

    const GENESIS: Hash = Hash([7; 32]);

    /// A chain #1..=#len on top of GENESIS with empty bodies, newest first as served.
    fn chain(len: u64) -> Vec<BlockData> {
        let mut parent = GENESIS;
        let mut blocks = Vec::new();
        for number in 1..=len {
            let header = Header {
                parent_hash: parent,
                number,
                state_root: Hash([number as u8; 32]),
                extrinsics_root: ghost_primitives::block::extrinsics_root::<UncheckedExtrinsic>(&[]),
                timestamp_ms: number * 500,
                digest: Digest::default(),
            };
            parent = header.hash();
            blocks.push(BlockData {
                header,
                body: Vec::<UncheckedExtrinsic>::new().encode(),
                justification: None,
            });
        }
        blocks.reverse();
        blocks
    }

    fn set(voters: &[Pair], set_id: u64, enacted_at: BlockNumber) -> VoterSet {
        VoterSet {
            set_id,
            voters: voters.iter().map(Pair::public).collect(),
            enacted_at,
            enacted_hash: Hash([enacted_at as u8; 32]),
        }
    }

    fn wanted(blocks: &[BlockData]) -> (Hash, BlockNumber) {
        (blocks[0].header.hash(), blocks[0].header.number)
    }

    #[test]
    fn a_linked_answer_is_taken_down_to_genesis() {
        let blocks = chain(5);
        let taken = check_blocks(&GENESIS, wanted(&blocks), blocks.clone(), &[]).expect("linked");
        assert_eq!(taken.len(), 5);
        assert_eq!(taken[4].header.number, 1);
        assert_eq!(taken[4].header.parent_hash, GENESIS);
    }

    #[test]
    fn an_answer_that_does_not_link_or_lies_about_a_body_is_refused() {
        let blocks = chain(5);
        let at = wanted(&blocks);
        // Another block first.
        assert!(matches!(
            check_blocks(&GENESIS, at, blocks[1..].to_vec(), &[]),
            Err(GapError::NotWanted { number: 5, .. })
        ));
        // A block skipped.
        let mut skipped = blocks.clone();
        skipped.remove(2);
        assert_eq!(
            check_blocks(&GENESIS, at, skipped, &[]),
            Err(GapError::Unlinked { number: 3 })
        );
        // A body that is not the header's.
        let mut forged = blocks.clone();
        let remark = ghost_runtime::RuntimeCall::System(ghost_runtime::system::Call::Remark {
            remark: vec![1],
        });
        let xt = ghost_runtime::sign_extrinsic(remark, &Pair::dev("Alice"), 0, 0, GENESIS, None);
        forged[1].body = vec![xt].encode();
        assert_eq!(
            check_blocks(&GENESIS, at, forged, &[]),
            Err(GapError::WrongBody { number: 4 })
        );
        // Bytes that are no body.
        let mut garbage = blocks;
        garbage[0].body = vec![0xff; 9];
        assert_eq!(
            check_blocks(&GENESIS, at, garbage, &[]),
            Err(GapError::WrongBody { number: 5 })
        );
    }

    #[test]
    fn justifications_are_checked_under_the_set_in_force_at_their_block() {
        let old: Vec<Pair> = ["Alice", "Bob", "Charlie"]
            .iter()
            .map(|n| Pair::dev(n))
            .collect();
        let new: Vec<Pair> = ["Dave", "Eve", "Ferdie"]
            .iter()
            .map(|n| Pair::dev(n))
            .collect();
        // Set 1 enacted at #3: #3 itself is final under set 0, #4 and #5 under set 1.
        let sets = [set(&old, 0, 0), set(&new, 1, 3)];
        let sign = |voters: &[Pair], set_id: u64, header: &Header| {
            let refs: Vec<&Pair> = voters.iter().collect();
            GrandpaJustification::signed_by(&refs, &GENESIS, 1, set_id, header).encode()
        };
        let mut blocks = chain(5);
        let at = wanted(&blocks);
        blocks[0].justification = Some(sign(&new, 1, &blocks[0].header.clone()));
        blocks[2].justification = Some(sign(&old, 0, &blocks[2].header.clone()));
        let taken = check_blocks(&GENESIS, at, blocks.clone(), &sets).expect("valid");
        assert!(taken[0].justification.is_some());
        assert!(taken[2].justification.is_some());
        assert!(taken[1].justification.is_none());
        // #3 signed by the new set: refused.
        blocks[2].justification = Some(sign(&new, 1, &blocks[2].header.clone()));
        assert!(matches!(
            check_blocks(&GENESIS, at, blocks.clone(), &sets),
            Err(GapError::BadJustification { number: 3, .. })
        ));
        // Without the sets (nothing recorded), justifications are dropped, blocks kept.
        let taken = check_blocks(&GENESIS, at, blocks, &[]).expect("linked");
        assert!(taken.iter().all(|b| b.justification.is_none()));
    }

    #[test]
    fn one_request_at_a_time_and_another_peer_after_a_timeout_or_an_empty_answer() {
        let mut gap = GapSync::default();
        let wanted = Some((Hash([1; 32]), 300));
        assert!(gap.plan(wanted, 0, || 1).is_none(), "no peer yet");
        gap.note_peer(&1u8);
        gap.note_peer(&2u8);
        let Some((1, WireMessage::BlockRequest { id: 1, max, .. })) = gap.plan(wanted, 0, || 1)
        else {
            panic!("expected a request to peer 1");
        };
        assert_eq!(max, MAX_BLOCKS_PER_RESPONSE);
        assert!(gap.plan(wanted, 10, || 2).is_none(), "in flight");
        // Peer 1 does not answer: peer 2 is asked.
        let Some((2, WireMessage::BlockRequest { id: 3, .. })) =
            gap.plan(wanted, GAP_REQUEST_TIMEOUT_MS, || 3)
        else {
            panic!("expected a request to peer 2");
        };
        // An answer to another request is not the gap's.
        assert!(!gap.take_answer(&2, 99, false, 0));
        // Peer 2 has no such block: nobody is left until peer 1's pause ends.
        let now = GAP_REQUEST_TIMEOUT_MS + 1;
        assert!(gap.take_answer(&2, 3, true, now));
        assert!(gap.plan(wanted, now, || 4).is_none());
        let later = GAP_REQUEST_TIMEOUT_MS + GAP_LACKING_RETRY_MS;
        assert!(matches!(
            gap.plan(wanted, later, || 5),
            Some((1, WireMessage::BlockRequest { id: 5, .. }))
        ));
        // Near genesis the request asks for no more blocks than are left.
        let mut gap = GapSync::default();
        gap.note_peer(&1u8);
        assert!(matches!(
            gap.plan(Some((Hash([1; 32]), 3)), 0, || 1),
            Some((1, WireMessage::BlockRequest { max: 3, .. }))
        ));
        // Nothing wanted: nothing asked.
        assert!(GapSync::<u8>::default().plan(None, 0, || 1).is_none());
    }
}
