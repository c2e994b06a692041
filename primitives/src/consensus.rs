//! Messages from the runtime to consensus carried in header digests.
//!
//! The validators pallet deposits a [`GrandpaLog::ScheduledChange`] (engine id
//! [`GRANDPA_ENGINE_ID`](crate::GRANDPA_ENGINE_ID)) in the block that starts a session with a
//! new validator set, as Substrate's `pallet-grandpa` does: GRANDPA switches to the new voters
//! once that block plus `delay` is finalized. Aura reads its authorities from the parent block's
//! state instead, so a new set authors from the block after the change.

use parity_scale_codec::{Decode, Encode};

use crate::{AccountId, BlockNumber, DigestItem, GRANDPA_ENGINE_ID};

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
