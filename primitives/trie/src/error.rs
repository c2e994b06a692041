//! Errors of trie reads, writes and proof verification.

use crate::{NodeCodecError, TrieHash};

/// Formats a hash as lowercase hex for error messages.
fn hex(hash: &TrieHash) -> String {
    hash.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Why a read or write of the trie in a [`NodeStore`](crate::NodeStore) failed.
///
/// A key that is simply absent is not an error (reads return `Ok(None)`); every variant means
/// the store is incomplete or corrupt for the requested root.
#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TrieError {
    /// A node (or a long value) on the path is not in the store: the root is unknown or the
    /// database is incomplete.
    #[error("trie node {} is missing from the store", hex(.0))]
    MissingNode(TrieHash),
    /// A node in the store failed to decode.
    #[error("trie node {hash} is invalid: {1}", hash = hex(.0))]
    InvalidNode(TrieHash, NodeCodecError),
    /// A node places a value at a key that is not a whole number of bytes (a corrupt trie).
    #[error("trie holds a value at a key that is not byte-aligned")]
    ValueAtIncompleteKey,
}

impl TrieError {
    /// Converts a `trie-db` error, naming the node at fault.
    pub(crate) fn from_backend(error: trie_db::TrieError<TrieHash, NodeCodecError>) -> Self {
        match error {
            trie_db::TrieError::InvalidStateRoot(hash)
            | trie_db::TrieError::IncompleteDatabase(hash) => Self::MissingNode(hash),
            trie_db::TrieError::DecoderError(hash, error) => Self::InvalidNode(hash, error),
            trie_db::TrieError::InvalidHash(hash, bytes) => {
                Self::InvalidNode(hash, NodeCodecError::InvalidHashLength(bytes.len()))
            }
            trie_db::TrieError::ValueAtIncompleteKey(..) => Self::ValueAtIncompleteKey,
        }
    }

    /// Whether the error means a node is missing (as opposed to corrupt).
    pub fn is_missing_node(&self) -> bool {
        matches!(self, Self::MissingNode(_))
    }
}

/// Why a [`ReadProof`](crate::ReadProof) did not prove a value or an absence.
#[derive(thiserror::Error, Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProofError {
    /// The proof lacks a node (or a long value) on the key's path, or does not contain the root.
    #[error("the proof lacks a node on the key's path")]
    Incomplete,
    /// A node in the proof failed to decode or describes an impossible trie.
    #[error("the proof holds an invalid trie node")]
    InvalidNode,
}

impl ProofError {
    /// Converts a `trie-db` error met while reading the proof's nodes.
    pub(crate) fn from_backend(error: trie_db::TrieError<TrieHash, NodeCodecError>) -> Self {
        match error {
            trie_db::TrieError::InvalidStateRoot(_) | trie_db::TrieError::IncompleteDatabase(_) => {
                Self::Incomplete
            }
            trie_db::TrieError::DecoderError(..)
            | trie_db::TrieError::InvalidHash(..)
            | trie_db::TrieError::ValueAtIncompleteKey(..) => Self::InvalidNode,
        }
    }
}
