//! Read proofs: the trie nodes a light client needs to check values against a trusted root.

use hash_db::{EMPTY_PREFIX, HashDB};
use parity_scale_codec::{Decode, Encode};
use trie_db::{Trie, TrieDBBuilder, recorder::Recorder};

use crate::{
    EMPTY_NODE, Layout, NodeStore, ProofError, TrieError, TrieHash,
    store::{StoreDb, memory_trie_db},
};

/// The set of trie nodes a light client needs to read some keys at one root.
///
/// Nodes are deduplicated and sorted by their bytes, so a proof of the same keys at the same
/// root always encodes the same way. The nodes prove presence and absence alike.
#[derive(Encode, Decode, Clone, Debug, Default, PartialEq, Eq)]
pub struct ReadProof {
    /// Encoded trie nodes (and long values), in byte order.
    pub nodes: Vec<Vec<u8>>,
}

/// Collects the nodes on the paths of `keys` at `root`, for [`verify_read_proof`].
///
/// # Errors
///
/// [`TrieError`] when the store lacks or holds a corrupt node on one of the paths.
pub fn generate_read_proof(
    store: &dyn NodeStore,
    root: TrieHash,
    keys: &[Vec<u8>],
) -> Result<ReadProof, TrieError> {
    let db = StoreDb::new(store);
    let mut recorder = Recorder::<Layout>::new();
    {
        let trie = TrieDBBuilder::<Layout>::new(&db, &root)
            .with_recorder(&mut recorder)
            .build();
        for key in keys {
            trie.get(key)
                .map_err(|error| TrieError::from_backend(*error))?;
        }
    }
    let mut nodes: Vec<Vec<u8>> = recorder
        .drain()
        .into_iter()
        .map(|record| record.data)
        // The verifier knows the empty node; it is never sent.
        .filter(|node| node != EMPTY_NODE)
        .collect();
    nodes.sort_unstable();
    nodes.dedup();
    Ok(ReadProof { nodes })
}

/// Verifies `proof` against `root` and returns the value at `key` (`Ok(None)` = proven absent).
///
/// Nodes are identified by hashing them here, so a proof cannot forge content; nodes the key's
/// path does not use are ignored.
///
/// # Errors
///
/// [`ProofError::Incomplete`] when the proof lacks the root or a node on the key's path,
/// [`ProofError::InvalidNode`] when a node on the path does not decode.
pub fn verify_read_proof(
    root: &TrieHash,
    proof: &ReadProof,
    key: &[u8],
) -> Result<Option<Vec<u8>>, ProofError> {
    let mut db = memory_trie_db();
    for node in &proof.nodes {
        db.insert(EMPTY_PREFIX, node);
    }
    let trie = TrieDBBuilder::<Layout>::new(&db, root).build();
    trie.get(key)
        .map_err(|error| ProofError::from_backend(*error))
}
