//! The extrinsics root: a binary blake3 Merkle tree over the encoded extrinsics, in block order.
//!
//! Leaves are `blake3(0x00 ++ encoded_extrinsic)`, inner nodes `blake3(0x01 ++ left ++ right)`
//! (domain separation stops a leaf from posing as a node). A level with an odd count carries its
//! last node up unchanged. The root of no extrinsics is `blake3("")`.

use crate::hash::{Hash, blake3_256};

/// The Merkle root of `leaves`, in order.
pub fn ordered_root<'a, I: IntoIterator<Item = &'a [u8]>>(leaves: I) -> Hash {
    let mut level: Vec<Hash> = leaves
        .into_iter()
        .map(|leaf| {
            let mut hasher = blake3::Hasher::new();
            hasher.update(&[0x00]);
            hasher.update(leaf);
            Hash(*hasher.finalize().as_bytes())
        })
        .collect();
    if level.is_empty() {
        return blake3_256(b"");
    }
    while level.len() > 1 {
        level = level
            .chunks(2)
            .map(|pair| match pair {
                [left, right] => {
                    let mut hasher = blake3::Hasher::new();
                    hasher.update(&[0x01]);
                    hasher.update(&left.0);
                    hasher.update(&right.0);
                    Hash(*hasher.finalize().as_bytes())
                }
                [single] => *single,
                _ => unreachable!("chunks(2) yields one or two items"),
            })
            .collect();
    }
    level[0]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_depends_on_content_and_order() {
        let a: &[u8] = b"a";
        let b: &[u8] = b"b";
        let c: &[u8] = b"c";
        assert_eq!(ordered_root([a, b, c]), ordered_root([a, b, c]));
        assert_ne!(ordered_root([a, b, c]), ordered_root([b, a, c]));
        assert_ne!(ordered_root([a, b]), ordered_root([a, b, c]));
        assert_ne!(ordered_root([a]), ordered_root(std::iter::empty()));
        assert_eq!(ordered_root(std::iter::empty()), blake3_256(b""));
    }
}
