//! GRANDPA finality: vote messages, their signing payload, and justifications.
//!
//! Voters are the validator set in state (the validators pallet; one ed25519 key per validator,
//! weight 1 each). The set id counts set changes from 0 at genesis. Every vote is signed over
//! [`localized_payload`]: the genesis hash, the round, the set id and the SCALE message, so a
//! vote is valid on one chain, in one round, for one voter set only.
//!
//! Still to come (see `docs/ARCHITECTURE.md`): the voter's `Environment`, round state persisted
//! across restarts, equivocation reports and catch-up.

pub mod justification;

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

/// Domain separation for vote signatures: never a valid extrinsic or seal payload.
const VOTE_CONTEXT: &[u8] = b"ghostchain/grandpa/vote/v1";

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
