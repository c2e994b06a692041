//! Block headers and their digest.

use parity_scale_codec::{Decode, Encode};

use crate::bytes::{decode_hex, encode_hex};
use crate::hash::Hash;
use crate::{BlockNumber, Moment};

/// Four bytes naming the consensus engine a digest item belongs to.
pub type ConsensusEngineId = [u8; 4];

/// Aura: block authorship by slot (`PreRuntime` carries the slot, `Seal` the author's signature).
pub const AURA_ENGINE_ID: ConsensusEngineId = *b"aura";
/// GRANDPA: finality (authority-set changes and justifications).
pub const GRANDPA_ENGINE_ID: ConsensusEngineId = *b"FRNK";

/// One item of a header's digest.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode)]
pub enum DigestItem {
    /// Written by the author before execution, e.g. the Aura slot number (SCALE `u64`).
    #[codec(index = 6)]
    PreRuntime(ConsensusEngineId, Vec<u8>),
    /// A message from the runtime to consensus, e.g. an authority-set change.
    #[codec(index = 4)]
    Consensus(ConsensusEngineId, Vec<u8>),
    /// The author's seal: a signature over [`Header::pre_hash`]. Always the last item.
    #[codec(index = 5)]
    Seal(ConsensusEngineId, Vec<u8>),
    /// Anything else.
    #[codec(index = 0)]
    Other(Vec<u8>),
}

/// The digest: items for consensus that are not part of the state.
#[derive(
    Clone, PartialEq, Eq, Debug, Default, Encode, Decode, serde::Serialize, serde::Deserialize,
)]
pub struct Digest {
    /// The items, each serialized on RPC as the `0x`-hex of its SCALE encoding.
    pub logs: Vec<DigestItem>,
}

impl serde::Serialize for DigestItem {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&encode_hex(&self.encode()))
    }
}

impl<'de> serde::Deserialize<'de> for DigestItem {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use parity_scale_codec::DecodeAll;
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        let bytes = decode_hex(&s).map_err(serde::de::Error::custom)?;
        DigestItem::decode_all(&mut &bytes[..]).map_err(serde::de::Error::custom)
    }
}

/// A block header.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Header {
    /// Hash of the parent header ([`Hash::ZERO`] for genesis).
    pub parent_hash: Hash,
    /// Height of this block.
    #[codec(compact)]
    pub number: BlockNumber,
    /// Merkle root of the state after this block.
    pub state_root: Hash,
    /// Merkle root of this block's extrinsics (see [`crate::merkle::ordered_root`]).
    pub extrinsics_root: Hash,
    /// The block's time in ms since the Unix epoch, set by the author and checked against its slot.
    pub timestamp_ms: Moment,
    /// Consensus items: slot, seal, later finality.
    pub digest: Digest,
}

impl Header {
    /// The block hash: blake3 of the SCALE-encoded header, seal included.
    pub fn hash(&self) -> Hash {
        Hash::of_encoded(self)
    }

    /// The hash the author signs: the header without its seal items.
    pub fn pre_hash(&self) -> Hash {
        let mut unsealed = self.clone();
        unsealed
            .digest
            .logs
            .retain(|item| !matches!(item, DigestItem::Seal(..)));
        unsealed.hash()
    }

    /// The Aura slot from the `PreRuntime` item, if any.
    pub fn slot(&self) -> Option<u64> {
        self.digest.logs.iter().find_map(|item| match item {
            DigestItem::PreRuntime(id, data) if *id == AURA_ENGINE_ID => {
                u64::decode(&mut &data[..]).ok()
            }
            _ => None,
        })
    }

    /// The seal of `engine`, if any.
    pub fn seal(&self, engine: ConsensusEngineId) -> Option<&[u8]> {
        self.digest.logs.iter().find_map(|item| match item {
            DigestItem::Seal(id, data) if *id == engine => Some(data.as_slice()),
            _ => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn arb_item() -> impl Strategy<Value = DigestItem> {
        let bytes = proptest::collection::vec(any::<u8>(), 0..40);
        prop_oneof![
            (any::<[u8; 4]>(), bytes.clone()).prop_map(|(e, d)| DigestItem::PreRuntime(e, d)),
            (any::<[u8; 4]>(), bytes.clone()).prop_map(|(e, d)| DigestItem::Consensus(e, d)),
            (any::<[u8; 4]>(), bytes.clone()).prop_map(|(e, d)| DigestItem::Seal(e, d)),
            bytes.prop_map(DigestItem::Other),
        ]
    }

    pub(crate) fn arb_header() -> impl Strategy<Value = Header> {
        (
            any::<[u8; 32]>(),
            any::<u64>(),
            any::<[u8; 32]>(),
            any::<[u8; 32]>(),
            any::<u64>(),
            proptest::collection::vec(arb_item(), 0..4),
        )
            .prop_map(|(p, n, s, e, t, logs)| Header {
                parent_hash: Hash(p),
                number: n,
                state_root: Hash(s),
                extrinsics_root: Hash(e),
                timestamp_ms: t,
                digest: Digest { logs },
            })
    }

    #[test]
    fn pre_hash_ignores_only_the_seal() {
        let mut header = Header {
            parent_hash: Hash::ZERO,
            number: 1,
            state_root: Hash([1; 32]),
            extrinsics_root: Hash([2; 32]),
            timestamp_ms: 1_000,
            digest: Digest {
                logs: vec![DigestItem::PreRuntime(AURA_ENGINE_ID, 7u64.encode())],
            },
        };
        let pre = header.pre_hash();
        assert_eq!(pre, header.hash());
        header
            .digest
            .logs
            .push(DigestItem::Seal(AURA_ENGINE_ID, vec![9; 64]));
        assert_eq!(header.pre_hash(), pre);
        assert_ne!(header.hash(), pre);
        assert_eq!(header.slot(), Some(7));
        assert_eq!(header.seal(AURA_ENGINE_ID), Some(&[9u8; 64][..]));
    }

    proptest! {
        #[test]
        fn header_round_trips(header in arb_header()) {
            prop_assert_eq!(Header::decode(&mut &header.encode()[..]).unwrap(), header.clone());
            let json = serde_json::to_string(&header).unwrap();
            prop_assert_eq!(serde_json::from_str::<Header>(&json).unwrap(), header);
        }

        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let _ = Header::decode(&mut &bytes[..]);
        }
    }
}
