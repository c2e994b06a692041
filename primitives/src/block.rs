//! Blocks: a header and its extrinsics.

use parity_scale_codec::{Decode, Encode};

use crate::hash::Hash;
use crate::header::Header;
use crate::merkle::ordered_root;

/// A block, generic over its extrinsic type (the runtime fixes it).
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode)]
pub struct Block<Xt> {
    /// The header.
    pub header: Header,
    /// The extrinsics, in execution order.
    pub extrinsics: Vec<Xt>,
}

impl<Xt: Encode> Block<Xt> {
    /// The block hash (the header's).
    pub fn hash(&self) -> Hash {
        self.header.hash()
    }

    /// The extrinsics root these extrinsics must have.
    pub fn compute_extrinsics_root(&self) -> Hash {
        extrinsics_root(&self.extrinsics)
    }
}

/// The extrinsics root of `extrinsics` (see [`crate::merkle`]).
pub fn extrinsics_root<Xt: Encode>(extrinsics: &[Xt]) -> Hash {
    let encoded: Vec<Vec<u8>> = extrinsics.iter().map(Encode::encode).collect();
    ordered_root(encoded.iter().map(Vec::as_slice))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::header::Digest;
    use parity_scale_codec::DecodeAll;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn block_round_trips(xts in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..20), 0..10), n in any::<u64>()) {
            let header = Header {
                parent_hash: Hash::ZERO,
                number: n,
                state_root: Hash::ZERO,
                extrinsics_root: extrinsics_root(&xts),
                timestamp_ms: 0,
                digest: Digest::default(),
            };
            let block = Block { header, extrinsics: xts };
            let decoded = Block::<Vec<u8>>::decode(&mut &block.encode()[..]).unwrap();
            prop_assert_eq!(decoded.compute_extrinsics_root(), block.header.extrinsics_root);
            prop_assert_eq!(decoded, block);
        }

        /// Bytes from a peer: an error or a block, never a panic; and what decodes re-encodes
        /// to the same bytes.
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            if let Ok(block) = Block::<Vec<u8>>::decode_all(&mut &bytes[..]) {
                prop_assert_eq!(block.encode(), bytes);
            }
        }
    }

    /// A body that claims a billion extrinsics in a few bytes is refused without allocating
    /// for them (the codec grows its vector as items arrive).
    #[test]
    fn a_huge_length_prefix_is_refused() {
        let header = Header {
            parent_hash: Hash::ZERO,
            number: 1,
            state_root: Hash::ZERO,
            extrinsics_root: Hash::ZERO,
            timestamp_ms: 0,
            digest: Digest::default(),
        };
        let mut bytes = header.encode();
        parity_scale_codec::Compact(1_000_000_000u32).encode_to(&mut bytes);
        bytes.extend_from_slice(&[0u8; 16]);
        assert!(Block::<Vec<u8>>::decode_all(&mut &bytes[..]).is_err());
    }
}
