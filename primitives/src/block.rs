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
    }
}
