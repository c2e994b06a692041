//! Justifications: the proof that a block is final, stored with it and served to peers and
//! light clients (`grandpa_proveFinality`).
//!
//! A justification is a GRANDPA commit for the block (precommits by more than two thirds of the
//! voter set, for the block or its descendants) plus the headers needed to show that every
//! precommit's target descends from the block (`votes_ancestries`), as Substrate's
//! `GrandpaJustification`. [`GrandpaJustification::verify`] checks, with typed errors:
//! the commit names the block; every signature is its voter's over the localized payload (chain,
//! round, set id); no voter outside the set and no voter twice; the ancestry headers link every
//! precommit target to the block and none is superfluous (bounded size); and the precommits
//! reach the supermajority (`finality_grandpa::validate_commit`).

use std::collections::{BTreeMap, BTreeSet};

use finality_grandpa::voter_set::VoterSet;
use ghost_primitives::{AccountId, BlockNumber, Hash, Header};
use parity_scale_codec::{Decode, DecodeAll, Encode};

use super::{Commit, Message, check_message_signature};

/// The most ancestry headers a justification may carry.
pub const MAX_VOTES_ANCESTRIES: usize = 1_024;

/// A GRANDPA finality proof for one block.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct GrandpaJustification {
    /// The round in which the block was finalized.
    pub round: u64,
    /// The precommits that finalize it.
    pub commit: Commit,
    /// Headers linking every precommit target to the commit target.
    pub votes_ancestries: Vec<Header>,
}

/// Why a justification does not prove finality.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JustificationError {
    /// The bytes do not decode.
    #[error("justification does not decode")]
    Undecodable,
    /// The commit is for another block.
    #[error(
        "justification is for block #{found_number} {found}, not #{expected_number} {expected}"
    )]
    WrongTarget {
        /// The block it should prove.
        expected: Hash,
        /// Its number.
        expected_number: BlockNumber,
        /// The commit's target.
        found: Hash,
        /// The commit's target number.
        found_number: BlockNumber,
    },
    /// The voter set is empty.
    #[error("empty voter set")]
    NoVoters,
    /// A precommit is from outside the voter set.
    #[error("precommit by {0}, who is not a voter of this set")]
    NotAVoter(AccountId),
    /// A voter precommitted twice.
    #[error("voter {0} precommits twice")]
    DuplicateVoter(AccountId),
    /// A signature is not its voter's.
    #[error("bad precommit signature by {0}")]
    BadSignature(AccountId),
    /// Too many ancestry headers.
    #[error("{0} ancestry headers exceed the limit of {MAX_VOTES_ANCESTRIES}")]
    TooManyAncestries(usize),
    /// A precommit's target does not descend from the commit target through the ancestries.
    #[error("precommit target {0} is not a known descendant of the justified block")]
    UnlinkedPrecommit(Hash),
    /// Ancestry headers that no precommit needs.
    #[error("{0} ancestry headers are not needed by any precommit")]
    SuperfluousAncestries(usize),
    /// The precommits do not reach a supermajority for the target.
    #[error("precommits do not reach two thirds of the voter weight for the block")]
    NoSupermajority,
}

/// The ancestry headers as a chain finality-grandpa can walk.
struct AncestryChain {
    parents: BTreeMap<Hash, (Hash, BlockNumber)>,
}

impl AncestryChain {
    fn new(headers: &[Header]) -> Self {
        AncestryChain {
            parents: headers
                .iter()
                .map(|h| (h.hash(), (h.parent_hash, h.number)))
                .collect(),
        }
    }
}

impl finality_grandpa::Chain<Hash, BlockNumber> for AncestryChain {
    fn ancestry(&self, base: Hash, block: Hash) -> Result<Vec<Hash>, finality_grandpa::Error> {
        let mut route = Vec::new();
        let mut current = block;
        // Every step follows a distinct stored header, so the walk is bounded by their count.
        for _ in 0..=self.parents.len() {
            if current == base {
                // Ancestry excludes the block itself and the base.
                if !route.is_empty() {
                    route.remove(0);
                }
                return Ok(route);
            }
            let Some((parent, _)) = self.parents.get(&current) else {
                return Err(finality_grandpa::Error::NotDescendent);
            };
            route.push(current);
            current = *parent;
        }
        Err(finality_grandpa::Error::NotDescendent)
    }
}

impl GrandpaJustification {
    /// The justification of `target` by precommits of `voters` (all for `target` itself, so no
    /// ancestry is needed) in `round` of set `set_id` on the chain `genesis_hash`: what a sole
    /// voter stores with each block it seals.
    pub fn signed_by(
        voters: &[&ghost_primitives::Pair],
        genesis_hash: &Hash,
        round: u64,
        set_id: u64,
        target: &Header,
    ) -> GrandpaJustification {
        let precommit = super::Precommit::new(target.hash(), target.number);
        let message = Message::Precommit(precommit.clone());
        let precommits = voters
            .iter()
            .map(|pair| super::SignedPrecommit {
                precommit: precommit.clone(),
                signature: super::sign_message(pair, genesis_hash, round, set_id, &message),
                id: pair.public(),
            })
            .collect();
        GrandpaJustification {
            round,
            commit: Commit {
                target_hash: target.hash(),
                target_number: target.number,
                precommits,
            },
            votes_ancestries: vec![],
        }
    }

    /// Decodes and verifies `bytes` as the justification of block `hash` (`number`) for the
    /// voter set `voters` with id `set_id` on the chain `genesis_hash`.
    pub fn decode_and_verify(
        bytes: &[u8],
        hash: Hash,
        number: BlockNumber,
        genesis_hash: &Hash,
        set_id: u64,
        voters: &[AccountId],
    ) -> Result<GrandpaJustification, JustificationError> {
        let justification = GrandpaJustification::decode_all(&mut &bytes[..])
            .map_err(|_| JustificationError::Undecodable)?;
        justification.verify(hash, number, genesis_hash, set_id, voters)?;
        Ok(justification)
    }

    /// Verifies this justification for block `hash` (`number`); see the [module docs](self).
    pub fn verify(
        &self,
        hash: Hash,
        number: BlockNumber,
        genesis_hash: &Hash,
        set_id: u64,
        voters: &[AccountId],
    ) -> Result<(), JustificationError> {
        let commit = &self.commit;
        if commit.target_hash != hash || commit.target_number != number {
            return Err(JustificationError::WrongTarget {
                expected: hash,
                expected_number: number,
                found: commit.target_hash,
                found_number: commit.target_number,
            });
        }
        let set: VoterSet<AccountId> =
            super::voter_set(voters).ok_or(JustificationError::NoVoters)?;
        if self.votes_ancestries.len() > MAX_VOTES_ANCESTRIES {
            return Err(JustificationError::TooManyAncestries(
                self.votes_ancestries.len(),
            ));
        }
        let mut seen = BTreeSet::new();
        for signed in &commit.precommits {
            if !set.contains(&signed.id) {
                return Err(JustificationError::NotAVoter(signed.id));
            }
            if !seen.insert(signed.id) {
                return Err(JustificationError::DuplicateVoter(signed.id));
            }
            let message = Message::Precommit(signed.precommit.clone());
            if !check_message_signature(
                &signed.id,
                &signed.signature,
                genesis_hash,
                self.round,
                set_id,
                &message,
            ) {
                return Err(JustificationError::BadSignature(signed.id));
            }
        }
        // Every precommit target links to the commit target; every header is used.
        let chain = AncestryChain::new(&self.votes_ancestries);
        let mut used = BTreeSet::new();
        for signed in &commit.precommits {
            let target = signed.precommit.target_hash;
            if target == hash {
                continue;
            }
            let mut current = target;
            loop {
                if current == hash {
                    break;
                }
                let Some((parent, _)) = chain.parents.get(&current) else {
                    return Err(JustificationError::UnlinkedPrecommit(target));
                };
                if !used.insert(current) {
                    break;
                }
                current = *parent;
            }
        }
        let unused = self.votes_ancestries.len() - used.len();
        if unused > 0 {
            return Err(JustificationError::SuperfluousAncestries(unused));
        }
        match finality_grandpa::validate_commit(commit, &set, &chain) {
            Ok(result) if result.is_valid() => Ok(()),
            _ => Err(JustificationError::NoSupermajority),
        }
    }
}

#[cfg(test)]
mod tests {
    use ghost_primitives::{Digest, Pair};

    use super::*;
    use crate::grandpa::{Precommit, SignedPrecommit, sign_message};

    const GENESIS: Hash = Hash([7; 32]);
    const SET_ID: u64 = 3;
    const ROUND: u64 = 9;

    fn keys() -> Vec<Pair> {
        ["Alice", "Bob", "Charlie", "Dave"]
            .iter()
            .map(|n| Pair::dev(n))
            .collect()
    }

    fn voters() -> Vec<AccountId> {
        keys().iter().map(Pair::public).collect()
    }

    /// A chain of `len` headers above a root at `start`.
    fn chain(len: usize) -> Vec<Header> {
        let mut out: Vec<Header> = Vec::new();
        for i in 0..len {
            let (parent_hash, number) = match out.last() {
                Some(p) => (p.hash(), p.number + 1),
                None => (Hash([1; 32]), 10),
            };
            out.push(Header {
                parent_hash,
                number,
                state_root: Hash([i as u8; 32]),
                extrinsics_root: Hash::ZERO,
                timestamp_ms: i as u64,
                digest: Digest::default(),
            });
        }
        out
    }

    fn precommit(key: &Pair, target: &Header) -> SignedPrecommit {
        let precommit = Precommit::new(target.hash(), target.number);
        let signature = sign_message(
            key,
            &GENESIS,
            ROUND,
            SET_ID,
            &Message::Precommit(precommit.clone()),
        );
        SignedPrecommit {
            precommit,
            signature,
            id: key.public(),
        }
    }

    fn justification(
        target: &Header,
        votes: Vec<SignedPrecommit>,
        ancestries: Vec<Header>,
    ) -> GrandpaJustification {
        GrandpaJustification {
            round: ROUND,
            commit: Commit {
                target_hash: target.hash(),
                target_number: target.number,
                precommits: votes,
            },
            votes_ancestries: ancestries,
        }
    }

    fn verify(j: &GrandpaJustification, target: &Header) -> Result<(), JustificationError> {
        j.verify(target.hash(), target.number, &GENESIS, SET_ID, &voters())
    }

    #[test]
    fn three_of_four_precommits_on_the_block_finalize_it_and_round_trip() {
        let blocks = chain(1);
        let votes = keys()[..3]
            .iter()
            .map(|k| precommit(k, &blocks[0]))
            .collect();
        let j = justification(&blocks[0], votes, vec![]);
        assert_eq!(verify(&j, &blocks[0]), Ok(()));
        let bytes = j.encode();
        assert_eq!(
            GrandpaJustification::decode_and_verify(
                &bytes,
                blocks[0].hash(),
                blocks[0].number,
                &GENESIS,
                SET_ID,
                &voters()
            ),
            Ok(j)
        );
    }

    #[test]
    fn precommits_on_descendants_count_with_their_ancestry() {
        let blocks = chain(3);
        let votes = vec![
            precommit(&keys()[0], &blocks[0]),
            precommit(&keys()[1], &blocks[2]),
            precommit(&keys()[2], &blocks[1]),
        ];
        let j = justification(
            &blocks[0],
            votes.clone(),
            vec![blocks[1].clone(), blocks[2].clone()],
        );
        assert_eq!(verify(&j, &blocks[0]), Ok(()));
        // Without the ancestry the descendants' votes cannot be linked.
        let j = justification(&blocks[0], votes.clone(), vec![blocks[1].clone()]);
        assert_eq!(
            verify(&j, &blocks[0]),
            Err(JustificationError::UnlinkedPrecommit(blocks[2].hash()))
        );
        // Padding with an unrelated header is refused.
        let j = justification(
            &blocks[0],
            votes,
            vec![blocks[1].clone(), blocks[2].clone(), chain(5)[4].clone()],
        );
        assert_eq!(
            verify(&j, &blocks[0]),
            Err(JustificationError::SuperfluousAncestries(1))
        );
    }

    #[test]
    fn two_of_four_is_not_a_supermajority() {
        let blocks = chain(1);
        let votes = keys()[..2]
            .iter()
            .map(|k| precommit(k, &blocks[0]))
            .collect();
        let j = justification(&blocks[0], votes, vec![]);
        assert_eq!(
            verify(&j, &blocks[0]),
            Err(JustificationError::NoSupermajority)
        );
    }

    #[test]
    fn forged_foreign_duplicate_and_misdirected_votes_are_refused() {
        let blocks = chain(1);
        let good: Vec<SignedPrecommit> = keys()[..3]
            .iter()
            .map(|k| precommit(k, &blocks[0]))
            .collect();

        let mut forged = good.clone();
        forged[1].signature = forged[0].signature;
        assert_eq!(
            verify(&justification(&blocks[0], forged, vec![]), &blocks[0]),
            Err(JustificationError::BadSignature(keys()[1].public()))
        );

        let mallory = Pair::dev("Mallory");
        let mut foreign = good.clone();
        foreign.push(precommit(&mallory, &blocks[0]));
        assert_eq!(
            verify(&justification(&blocks[0], foreign, vec![]), &blocks[0]),
            Err(JustificationError::NotAVoter(mallory.public()))
        );

        let mut duplicate = good[..2].to_vec();
        duplicate.push(good[0].clone());
        assert_eq!(
            verify(&justification(&blocks[0], duplicate, vec![]), &blocks[0]),
            Err(JustificationError::DuplicateVoter(keys()[0].public()))
        );

        // The same votes do not prove another block, another set, or another chain.
        let other = chain(2);
        assert!(matches!(
            verify(&justification(&blocks[0], good.clone(), vec![]), &other[1]),
            Err(JustificationError::WrongTarget { .. })
        ));
        let j = justification(&blocks[0], good, vec![]);
        assert_eq!(
            j.verify(
                blocks[0].hash(),
                blocks[0].number,
                &GENESIS,
                SET_ID + 1,
                &voters()
            ),
            Err(JustificationError::BadSignature(keys()[0].public()))
        );
        assert_eq!(
            j.verify(
                blocks[0].hash(),
                blocks[0].number,
                &Hash([8; 32]),
                SET_ID,
                &voters()
            ),
            Err(JustificationError::BadSignature(keys()[0].public()))
        );
        assert_eq!(
            GrandpaJustification::decode_and_verify(
                &[1, 2, 3],
                blocks[0].hash(),
                10,
                &GENESIS,
                SET_ID,
                &voters()
            ),
            Err(JustificationError::Undecodable)
        );
    }
}
