//! Read proofs: one storage key checked against a state root.

use ghost_primitives::Hash;
use ghost_primitives::bytes::encode_hex;
use ghost_trie::{ReadProof, verify_read_proof};
use parity_scale_codec::DecodeAll;

/// Why a proof was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProofError {
    /// The proof does not prove this key against the state root (a node is missing, or the
    /// nodes belong to another state).
    #[error("proof of key {key} does not verify against state root {root}: {reason}")]
    DoesNotVerify {
        /// The key, `0x`-hex.
        key: String,
        /// The state root.
        root: Hash,
        /// What the trie reported.
        reason: String,
    },
    /// A proven value is not what the runtime stores there.
    #[error("the proven {what} does not decode: {reason}")]
    BadValue {
        /// Which value.
        what: &'static str,
        /// The decoding error.
        reason: String,
    },
    /// The proof's claimed state root is not the header's.
    #[error("the proof claims state root {claimed} but the header has {header}")]
    WrongRoot {
        /// What the answer said.
        claimed: Hash,
        /// What the trusted header says.
        header: Hash,
    },
    /// The proven entry contradicts the name it was asked for.
    #[error("{0}")]
    Inconsistent(String),
}

/// The value at `key` in the state under `root`, as proven by `proof` (`None`: proven absent).
pub fn verify_read(
    root: &Hash,
    proof: &ReadProof,
    key: &[u8],
) -> Result<Option<Vec<u8>>, ProofError> {
    verify_read_proof(&root.0, proof, key).map_err(|e| ProofError::DoesNotVerify {
        key: encode_hex(key),
        root: *root,
        reason: e.to_string(),
    })
}

/// Decodes a proven value of type `T`.
pub fn decode_value<T: DecodeAll>(
    value: Option<Vec<u8>>,
    what: &'static str,
) -> Result<Option<T>, ProofError> {
    value
        .map(|bytes| {
            T::decode_all(&mut &bytes[..]).map_err(|e| ProofError::BadValue {
                what,
                reason: e.to_string(),
            })
        })
        .transpose()
}
