//! Blake3 Merkle-Patricia state trie: state roots, read proofs and their verifier.
//!
//! # Overview
//!
//! GhostChain commits to its whole key-value state with one 32-byte root: the blake3 hash of the
//! root node of a radix-16 Merkle-Patricia trie. This crate supplies the pieces `trie-db` leaves
//! open (the hasher, the node codec and the layout) and a small API over them:
//!
//! - [`StateView`] reads one state root: [`get`](StateView::get),
//!   [`next_key`](StateView::next_key) and [`iter_prefix`](StateView::iter_prefix);
//! - [`apply_changes`] turns a root plus a change set into a new root and the nodes it created;
//! - [`root_of`] and [`build`] compute the trie of a full key-value map (genesis, tests);
//! - [`generate_read_proof`] and [`verify_read_proof`] let a light client check values against a
//!   root it trusts;
//! - [`sync::StateSync`] downloads a whole state from untrusted peers by hash, checking every
//!   entry, from a root it trusts (warp sync).
//!
//! # Layout
//!
//! [`Layout`] has no extension nodes (as Substrate's `LayoutV1`): a branch carries its own
//! partial key. Keys are split into nibbles, high nibble first. Empty values are allowed and are
//! distinct from absent keys. Values of up to [`MAX_INLINE_VALUE_LEN`] (32) bytes are stored
//! inside their node; longer values are stored as a separate entry keyed by their blake3 hash,
//! and the node holds that hash. A proof that only passes a long value (for example, the proof
//! that a neighbouring key is absent) then carries 32 bytes instead of the whole value.
//!
//! # Node format
//!
//! Every node starts with one header byte:
//!
//! ```text
//!  bit   7 6 | 5      | 4 3 2 1 0
//!        kind| hashed | nibble count (0..=30 direct; 31 = 31 + SCALE Compact<u64> that follows)
//!
//!  kind 00: only the byte 0x00, the empty node (root of the empty trie)
//!  kind 01: leaf
//!  kind 10: branch without value (the hashed bit must be 0)
//!  kind 11: branch with value
//!  hashed:  the value is a 32-byte blake3 hash of the value, not the value itself
//! ```
//!
//! Then, in order:
//!
//! ```text
//!  leaf   := header  partial  value
//!  branch := header  partial  bitmap  [value]  child*
//!
//!  partial := ceil(n / 2) bytes of the n-nibble partial key, right aligned: when n is odd the
//!             high nibble of the first byte is padding and must be zero
//!  bitmap  := u16 little endian; bit i is set when child i (nibble value i) is present; never 0
//!  value   := inline: one length byte (0..=32) then the bytes | hashed: the 32-byte hash
//!  child   := one length byte L, then L bytes: L = 32 is the blake3 hash of the child node,
//!             L in 1..=31 is the child node itself (nodes shorter than a hash are inlined)
//! ```
//!
//! Decoding is strict: an unknown header, non-zero padding, an empty bitmap, an over-long inline
//! value or child, and trailing bytes are all rejected, so each node has exactly one encoding.
//!
//! # Storage model
//!
//! The [`NodeStore`] maps a node's blake3 hash to its bytes (long values are stored the same way,
//! keyed by their hash). Entries are content-addressed, so they are immutable, and this crate
//! never deletes one: [`apply_changes`] only returns the nodes it created. A node reachable from
//! an old root stays readable as long as the store keeps it, which is what makes forks (two
//! children of one block each applying changes to the same parent root) and reads of old state
//! (RPC queries at a past block, proofs for a finalized block) work.
//!
//! A store that prunes old roots uses [`apply_changes_counted`] and [`build_counted`]: besides
//! the new nodes they report, per node, how many trie positions gained or lost it
//! ([`RefChange`]). One node can sit at several positions (two keys with the same long value
//! share its entry), so a node is garbage only when its count over every state still wanted
//! reaches zero; the node's store (`ghost-storage`) keeps those counts.
//!
//! The empty node is never stored: every reader treats [`EMPTY_ROOT`] as present.
//!
//! # Invariants
//!
//! - The same set of key-value pairs gives the same root, whatever the order of insertion.
//! - A change set is applied in key order; when a key repeats, its last change wins.
//! - Reading a key absent from the trie returns `Ok(None)`; an error means the store is missing
//!   a node or holds a corrupt one.

#![warn(missing_docs)]

mod cache;
mod error;
mod hasher;
mod node_codec;
mod node_header;
mod proof;
mod state;
mod store;
pub mod sync;
mod update;

pub use cache::{DecodedNodeCache, NodeHashBuildHasher, NodeHashHasher};
pub use error::{ProofError, TrieError};
pub use hasher::Blake3Hasher;
pub use node_codec::{NodeCodec, NodeCodecError};
pub use proof::{ReadProof, generate_read_proof, verify_read_proof};
pub use state::StateView;
pub use store::{MemoryNodeStore, NodeStore};
pub use update::{
    StateUpdate, apply_changes, apply_changes_cached, apply_changes_counted, build, build_counted,
    root_of,
};

/// A blake3-256 hash: the root of a trie, or the key of a node in the [`NodeStore`].
pub type TrieHash = [u8; 32];

/// A stored trie node (or long value): its blake3 hash and its bytes.
pub type NodeEntry = (TrieHash, Vec<u8>);

/// A node's hash and the change in the number of trie positions that hold it (see
/// [`StateUpdate::refs`]).
pub type RefChange = (TrieHash, i32);

/// A key and its value.
pub type KeyValue = (Vec<u8>, Vec<u8>);

/// Encoding of the empty node, the single node of the empty trie.
pub const EMPTY_NODE: &[u8] = &[0x00];

/// Root of the empty trie: the blake3 hash of [`EMPTY_NODE`].
pub const EMPTY_ROOT: TrieHash = [
    0x2d, 0x3a, 0xde, 0xdf, 0xf1, 0x1b, 0x61, 0xf1, 0x4c, 0x88, 0x6e, 0x35, 0xaf, 0xa0, 0x36, 0x73,
    0x6d, 0xcd, 0x87, 0xa7, 0x4d, 0x27, 0xb5, 0xc1, 0x51, 0x02, 0x25, 0xd0, 0xf5, 0x92, 0xe2, 0x13,
];

/// Longest value stored inside its node; longer values are stored by hash.
pub const MAX_INLINE_VALUE_LEN: usize = 32;

/// The `trie-db` layout of the GhostChain state trie: no extension nodes, blake3, empty values
/// allowed, values longer than [`MAX_INLINE_VALUE_LEN`] stored by hash.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Layout;

impl trie_db::TrieLayout for Layout {
    const USE_EXTENSION: bool = false;
    const ALLOW_EMPTY: bool = true;
    // `trie-db` stores a value by hash when `value.len() >= MAX_INLINE_VALUE`.
    const MAX_INLINE_VALUE: Option<u32> = Some(MAX_INLINE_VALUE_LEN as u32 + 1);

    type Hash = Blake3Hasher;
    type Codec = NodeCodec;
}

impl trie_db::TrieConfiguration for Layout {}
