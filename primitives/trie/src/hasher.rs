//! The blake3-256 [`hash_db::Hasher`] of the state trie.

use crate::TrieHash;

/// blake3 with a 32-byte output, as a [`hash_db::Hasher`]: hashes trie nodes and long values.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Blake3Hasher;

impl hash_db::Hasher for Blake3Hasher {
    type Out = TrieHash;
    /// For the in-memory maps keyed by node hash (`memory-db`): the keys are blake3 outputs, so
    /// folding them is enough, and SipHash cost a measurable share of a block's commit.
    type StdHasher = crate::NodeHashHasher;
    const LENGTH: usize = 32;

    fn hash(data: &[u8]) -> TrieHash {
        *blake3::hash(data).as_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hash_db::Hasher;

    #[test]
    fn matches_blake3() {
        assert_eq!(
            Blake3Hasher::hash(b"ghost"),
            *blake3::hash(b"ghost").as_bytes()
        );
    }
}
