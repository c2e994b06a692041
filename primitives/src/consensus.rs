//! Messages from the runtime to consensus carried in header digests.
//!
//! The validators pallet deposits a [`GrandpaLog::ScheduledChange`] (engine id
//! [`GRANDPA_ENGINE_ID`](crate::GRANDPA_ENGINE_ID)) in the block that starts a session with a
//! new validator set, as Substrate's `pallet-grandpa` does: GRANDPA switches to the new voters
//! once that block plus `delay` is finalized. Aura reads its authorities from the parent block's
//! state instead, so a new set authors from the block after the change.

use parity_scale_codec::{Decode, Encode};

use crate::{
    AURA_ENGINE_ID, AccountId, BlockNumber, DigestItem, GRANDPA_ENGINE_ID, Hash, Header, Signature,
};

/// Domain separation for GRANDPA vote signatures: never a valid extrinsic or seal payload.
pub const GRANDPA_VOTE_CONTEXT: &[u8] = b"ghostchain/grandpa/vote/v1";

/// The kind of a GRANDPA vote (the variant index of `finality_grandpa::Message`).
#[derive(
    Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "camelCase")]
pub enum VoteKind {
    /// A prevote.
    #[codec(index = 0)]
    Prevote,
    /// A precommit.
    #[codec(index = 1)]
    Precommit,
}

/// What a voter signs for a vote of `kind` for block (`target_hash`, `target_number`) in `round`
/// of voter set `set_id` on the chain `genesis_hash`: the same bytes as the node's
/// `ghost_consensus::grandpa::localized_payload` of the `finality_grandpa::Message`.
pub fn grandpa_vote_payload(
    genesis_hash: &Hash,
    round: u64,
    set_id: u64,
    kind: VoteKind,
    target_hash: &Hash,
    target_number: BlockNumber,
) -> Vec<u8> {
    (
        GRANDPA_VOTE_CONTEXT,
        genesis_hash,
        round,
        set_id,
        kind,
        target_hash,
        target_number,
    )
        .encode()
}

/// One signed vote of an equivocation.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignedVote {
    /// The block voted for.
    pub target_hash: Hash,
    /// Its number.
    pub target_number: BlockNumber,
    /// The voter's signature over [`grandpa_vote_payload`].
    pub signature: Signature,
}

/// Proof that a GRANDPA voter signed two different votes of one kind in one round: what a
/// validator reports to the runtime (`Validators::report_equivocation`).
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GrandpaEquivocation {
    /// The voter set.
    pub set_id: u64,
    /// The round.
    pub round: u64,
    /// The voter that signed both.
    pub offender: AccountId,
    /// Prevotes or precommits.
    pub kind: VoteKind,
    /// One vote.
    pub first: SignedVote,
    /// The other, for another block.
    pub second: SignedVote,
}

impl GrandpaEquivocation {
    /// Whether the two votes differ and both are the offender's valid signatures for this
    /// round and set on the chain `genesis_hash`.
    pub fn check(&self, genesis_hash: &Hash) -> bool {
        let signed = |vote: &SignedVote| {
            vote.signature.verify(
                &grandpa_vote_payload(
                    genesis_hash,
                    self.round,
                    self.set_id,
                    self.kind,
                    &vote.target_hash,
                    vote.target_number,
                ),
                &self.offender,
            )
        };
        (self.first.target_hash, self.first.target_number)
            != (self.second.target_hash, self.second.target_number)
            && signed(&self.first)
            && signed(&self.second)
    }
}

/// Proof that an Aura authority sealed two different headers for one slot (a block
/// equivocation): what a validator reports to the runtime
/// (`Validators::report_block_equivocation`), as Substrate's `sp_consensus_slots`
/// `EquivocationProof` carries the two headers.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuraEquivocation {
    /// The authority that sealed both.
    pub offender: AccountId,
    /// The slot both headers claim.
    pub slot: u64,
    /// One header.
    pub first: Header,
    /// Another header of the same slot.
    pub second: Header,
}

impl AuraEquivocation {
    /// Whether both headers claim [`Self::slot`], are different headers, and each carries the
    /// offender's Aura seal over its pre-hash. (Whether the offender owns the slot is the
    /// runtime's check: it knows the authority set.)
    pub fn check(&self) -> bool {
        let sealed = |header: &Header| {
            header.slot() == Some(self.slot)
                && header
                    .seal(AURA_ENGINE_ID)
                    .and_then(|seal| <[u8; 64]>::try_from(seal).ok())
                    .is_some_and(|seal| {
                        Signature(seal).verify(header.pre_hash().as_bytes(), &self.offender)
                    })
        };
        self.first.hash() != self.second.hash() && sealed(&self.first) && sealed(&self.second)
    }
}

/// The digest a block authored in Aura `slot` starts with: the slot as a pre-runtime item.
pub fn aura_pre_digest(slot: u64) -> crate::Digest {
    crate::Digest {
        logs: vec![DigestItem::PreRuntime(AURA_ENGINE_ID, slot.encode())],
    }
}

/// Seals `header` as its Aura author does last: appends `key`'s signature over the header's
/// pre-hash (everything but the seal) as the Aura seal item.
pub fn aura_seal(header: &mut Header, key: &crate::Pair) {
    let seal = key.sign(header.pre_hash().as_bytes());
    header
        .digest
        .logs
        .push(DigestItem::Seal(AURA_ENGINE_ID, seal.0.to_vec()));
}

/// A GRANDPA voter with its voting weight.
pub type GrandpaVoter = (AccountId, u64);

/// A change of the GRANDPA voter set, enacted `delay` blocks after the block carrying it is
/// finalized.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScheduledChange {
    /// The voters of the next set.
    pub next_authorities: Vec<GrandpaVoter>,
    /// Blocks to wait (after finality of the signalling block) before the change applies.
    pub delay: BlockNumber,
}

/// GRANDPA's digest messages (the same variant index as Substrate's `ConsensusLog`).
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode)]
pub enum GrandpaLog {
    /// The voter set changes.
    #[codec(index = 1)]
    ScheduledChange(ScheduledChange),
}

impl GrandpaLog {
    /// This message as a header digest item.
    pub fn to_digest_item(&self) -> DigestItem {
        DigestItem::Consensus(GRANDPA_ENGINE_ID, self.encode())
    }

    /// The GRANDPA message in `item`, if it is one (and decodes).
    pub fn from_digest_item(item: &DigestItem) -> Option<GrandpaLog> {
        match item {
            DigestItem::Consensus(id, data) if *id == GRANDPA_ENGINE_ID => {
                parity_scale_codec::DecodeAll::decode_all(&mut &data[..]).ok()
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scheduled_change_round_trips_through_a_digest_item() {
        let log = GrandpaLog::ScheduledChange(ScheduledChange {
            next_authorities: vec![(AccountId([1; 32]), 1), (AccountId([2; 32]), 1)],
            delay: 0,
        });
        let item = log.to_digest_item();
        assert!(
            matches!(&item, DigestItem::Consensus(id, data) if *id == GRANDPA_ENGINE_ID && data[0] == 1)
        );
        assert_eq!(GrandpaLog::from_digest_item(&item), Some(log));
    }

    fn sealed(key: &crate::Pair, slot: u64, state_root: u8) -> Header {
        let mut header = Header {
            parent_hash: Hash::ZERO,
            number: 1,
            state_root: Hash([state_root; 32]),
            extrinsics_root: Hash::ZERO,
            timestamp_ms: slot * 500,
            digest: aura_pre_digest(slot),
        };
        aura_seal(&mut header, key);
        header
    }

    fn aura_proof(key: &crate::Pair, first: Header, second: Header) -> AuraEquivocation {
        AuraEquivocation {
            offender: key.public(),
            slot: 7,
            first,
            second,
        }
    }

    #[test]
    fn two_sealed_headers_of_one_slot_prove_a_block_equivocation() {
        let alice = crate::Pair::dev("Alice");
        assert!(aura_proof(&alice, sealed(&alice, 7, 1), sealed(&alice, 7, 2)).check());
    }

    #[test]
    fn same_header_other_slot_or_other_sealer_is_no_block_equivocation() {
        let alice = crate::Pair::dev("Alice");
        let bob = crate::Pair::dev("Bob");
        // The same header twice.
        assert!(!aura_proof(&alice, sealed(&alice, 7, 1), sealed(&alice, 7, 1)).check());
        // Another slot than the proof claims.
        assert!(!aura_proof(&alice, sealed(&alice, 7, 1), sealed(&alice, 8, 2)).check());
        // One header sealed by someone else.
        assert!(!aura_proof(&alice, sealed(&alice, 7, 1), sealed(&bob, 7, 2)).check());
        // An unsealed header.
        let mut unsealed = sealed(&alice, 7, 2);
        unsealed.digest.logs.pop();
        assert!(!aura_proof(&alice, sealed(&alice, 7, 1), unsealed).check());
    }

    #[test]
    fn other_engines_and_garbage_are_not_grandpa_logs() {
        assert_eq!(
            GrandpaLog::from_digest_item(&DigestItem::Consensus(*b"aura", vec![1, 0, 0])),
            None
        );
        assert_eq!(
            GrandpaLog::from_digest_item(&DigestItem::Consensus(GRANDPA_ENGINE_ID, vec![9, 9])),
            None
        );
    }
}
