//! GRANDPA finality: vote messages, their signing payload, and justifications.
//!
//! Voters are the validator set in state (the validators pallet; one ed25519 key per validator,
//! weight 1 each). The set id counts set changes from 0 at genesis. Every vote is signed over
//! [`localized_payload`]: the genesis hash, the round, the set id and the SCALE message, so a
//! vote is valid on one chain, in one round, for one voter set only.
//!
//! [`environment`] runs `finality_grandpa::Voter` against a node's chain through the network
//! seam: it signs and gossips this node's votes, checks everyone else's, persists round state
//! ([`voter_state`]) so that a restart never double-votes, reports equivocations, answers
//! catch-up requests and turns commits into stored justifications.

pub mod environment;
pub mod justification;
pub mod voter_state;

use ghost_primitives::{AccountId, BlockNumber, Hash, Signature};
use parity_scale_codec::Encode;

pub use justification::{GrandpaJustification, JustificationError};

/// A GRANDPA message about blocks of this chain.
pub type Message = finality_grandpa::Message<Hash, BlockNumber>;
/// A precommit for a block.
pub type Precommit = finality_grandpa::Precommit<Hash, BlockNumber>;
/// A prevote for a block.
pub type Prevote = finality_grandpa::Prevote<Hash, BlockNumber>;
/// A precommit with its voter and signature.
pub type SignedPrecommit =
    finality_grandpa::SignedPrecommit<Hash, BlockNumber, Signature, AccountId>;
/// A commit: precommits that together finalize a target.
pub type Commit = finality_grandpa::Commit<Hash, BlockNumber, Signature, AccountId>;
/// A commit as gossiped: precommits and their signatures in two lists.
pub type CompactCommit = finality_grandpa::CompactCommit<Hash, BlockNumber, Signature, AccountId>;
/// A vote with its voter and signature.
pub type SignedMessage = finality_grandpa::SignedMessage<Hash, BlockNumber, Signature, AccountId>;
/// The votes that complete a round, for a voter that fell behind.
pub type CatchUp = finality_grandpa::CatchUp<Hash, BlockNumber, Signature, AccountId>;
/// A prevote with its voter and signature.
pub type SignedPrevote = finality_grandpa::SignedPrevote<Hash, BlockNumber, Signature, AccountId>;
/// Two different votes by one voter in one round: proof of misbehaviour.
pub type Equivocation<V> = finality_grandpa::Equivocation<AccountId, V, Signature>;

/// Domain separation for vote signatures: never a valid extrinsic or seal payload.
const VOTE_CONTEXT: &[u8] = ghost_primitives::consensus::GRANDPA_VOTE_CONTEXT;

/// What a voter signs for `message` in `round` of voter set `set_id` on the chain with
/// `genesis_hash`.
pub fn localized_payload(
    genesis_hash: &Hash,
    round: u64,
    set_id: u64,
    message: &Message,
) -> Vec<u8> {
    (VOTE_CONTEXT, genesis_hash, round, set_id, message).encode()
}

/// Signs `message` with `pair` for `round` and `set_id`.
pub fn sign_message(
    pair: &ghost_primitives::Pair,
    genesis_hash: &Hash,
    round: u64,
    set_id: u64,
    message: &Message,
) -> Signature {
    pair.sign(&localized_payload(genesis_hash, round, set_id, message))
}

/// Whether `signature` is `voter`'s over `message` in `round` and `set_id`.
pub fn check_message_signature(
    voter: &AccountId,
    signature: &Signature,
    genesis_hash: &Hash,
    round: u64,
    set_id: u64,
    message: &Message,
) -> bool {
    signature.verify(
        &localized_payload(genesis_hash, round, set_id, message),
        voter,
    )
}

/// A voter set with weight 1 per validator, as finality-grandpa takes it; `None` if empty.
pub fn voter_set(
    validators: &[AccountId],
) -> Option<finality_grandpa::voter_set::VoterSet<AccountId>> {
    finality_grandpa::voter_set::VoterSet::new(validators.iter().map(|v| (*v, 1u64)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ghost_primitives::consensus::{VoteKind, grandpa_vote_payload};

    /// The runtime checks equivocation proofs with its own encoding of the payload: it must be
    /// the same bytes the voter signs.
    #[test]
    fn the_runtime_payload_is_the_signed_payload() {
        let genesis = Hash([7; 32]);
        let target = Hash([9; 32]);
        assert_eq!(
            localized_payload(&genesis, 3, 1, &Message::Prevote(Prevote::new(target, 12))),
            grandpa_vote_payload(&genesis, 3, 1, VoteKind::Prevote, &target, 12)
        );
        assert_eq!(
            localized_payload(
                &genesis,
                3,
                1,
                &Message::Precommit(Precommit::new(target, 12))
            ),
            grandpa_vote_payload(&genesis, 3, 1, VoteKind::Precommit, &target, 12)
        );
    }
}
