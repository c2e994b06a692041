//! Strategies and fixtures shared by the integration tests.
#![allow(dead_code)]

use std::collections::BTreeMap;

use ghost_trie::{MemoryNodeStore, TrieHash, build};
use proptest::prelude::*;

/// A key-value state, the model the trie is checked against.
pub type Model = BTreeMap<Vec<u8>, Vec<u8>>;

/// Short keys over a small alphabet, so that keys share prefixes, extend one another and include
/// the empty key; the bytes differ in both nibbles and in one only.
pub fn key() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop::sample::select(vec![0x00u8, 0x01, 0x10, 0x11, 0xab, 0xff]),
        0..5,
    )
}

/// Values around the inline limit (32 bytes), including empty ones and long ones stored by hash.
pub fn value() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..4),
        prop::collection::vec(any::<u8>(), 30..36),
        prop::collection::vec(any::<u8>(), 60..100),
    ]
}

/// A random state of up to 40 pairs.
pub fn state() -> impl Strategy<Value = Model> {
    prop::collection::btree_map(key(), value(), 0..40)
}

/// A random change set: sets and deletes, keys drawn from the same alphabet as [`state`].
pub fn changes() -> impl Strategy<Value = Vec<(Vec<u8>, Option<Vec<u8>>)>> {
    prop::collection::vec((key(), prop::option::of(value())), 0..40)
}

/// A store holding the trie of `model`, and its root.
pub fn stored(model: &Model) -> (MemoryNodeStore, TrieHash) {
    let (root, nodes) = build(model.clone());
    let mut store = MemoryNodeStore::new();
    store.insert_nodes(nodes);
    (store, root)
}

/// Lowercase hex, for fixtures.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}
