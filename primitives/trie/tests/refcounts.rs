//! Reference counts from `apply_changes_counted`: after any sequence of updates, the summed
//! counts equal the positions of each node in a trie built from scratch, so a store that
//! deletes nodes whose count reaches zero keeps exactly the current state readable.

mod common;

use std::collections::BTreeMap;

use common::{Model, key};
use ghost_trie::{MemoryNodeStore, StateView, TrieHash, apply_changes_counted, build_counted};
use proptest::prelude::*;

/// Values drawn from a few fixed ones, long ones included, so that keys often share a value
/// node (one stored entry at several trie positions).
fn shared_value() -> impl Strategy<Value = Vec<u8>> {
    prop::sample::select(vec![vec![], vec![1], vec![7; 40], vec![8; 40], vec![9; 64]])
}

fn shared_changes() -> impl Strategy<Value = Vec<(Vec<u8>, Option<Vec<u8>>)>> {
    prop::collection::vec((key(), prop::option::of(shared_value())), 0..24)
}

/// Adds `refs` to `counts`, dropping entries that reach zero; panics on a negative count.
fn add_refs(counts: &mut BTreeMap<TrieHash, i64>, refs: &[(TrieHash, i32)]) {
    for (hash, delta) in refs {
        let count = counts.entry(*hash).or_default();
        *count += i64::from(*delta);
        assert!(*count >= 0, "count of a node went negative");
        if *count == 0 {
            counts.remove(hash);
        }
    }
}

fn counts_of_fresh(model: &Model) -> BTreeMap<TrieHash, i64> {
    let mut counts = BTreeMap::new();
    add_refs(&mut counts, &build_counted(model.clone()).refs);
    counts
}

#[test]
fn two_keys_with_one_long_value_count_it_twice() {
    let model: Model = [(vec![1], vec![7; 40]), (vec![2], vec![7; 40])].into();
    let value = *blake3::hash(&[7; 40]).as_bytes();
    let built = build_counted(model.clone());
    assert!(built.refs.contains(&(value, 2)));
    assert_eq!(built.nodes.iter().filter(|(h, _)| *h == value).count(), 1);
    // Changing one key takes one position away; the value stays for the other.
    let mut store = MemoryNodeStore::new();
    store.insert_nodes(built.nodes);
    let update = apply_changes_counted(&store, built.root, vec![(vec![1], Some(vec![0]))]).unwrap();
    assert!(update.refs.contains(&(value, -1)));
    assert!(update.refs.contains(&(built.root, -1)));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn counts_after_updates_equal_a_fresh_build(
        initial in prop::collection::btree_map(key(), shared_value(), 0..24),
        rounds in prop::collection::vec(shared_changes(), 1..5),
    ) {
        let built = build_counted(initial.clone());
        let mut store = MemoryNodeStore::new();
        store.insert_nodes(built.nodes);
        let mut counts = BTreeMap::new();
        add_refs(&mut counts, &built.refs);
        let (mut root, mut model) = (built.root, initial);
        for changes in rounds {
            for (key, change) in &changes {
                match change {
                    Some(value) => model.insert(key.clone(), value.clone()),
                    None => model.remove(key),
                };
            }
            let update = apply_changes_counted(&store, root, changes).expect("applies");
            store.insert_nodes(update.nodes);
            add_refs(&mut counts, &update.refs);
            prop_assert_eq!(&counts, &counts_of_fresh(&model));
            // Garbage-collect: whatever has no count left is not needed by the new root.
            let garbage: Vec<TrieHash> = store
                .hashes()
                .into_iter()
                .filter(|hash| !counts.contains_key(hash))
                .collect();
            for hash in garbage {
                store.remove_node(&hash);
            }
            root = update.root;
            let read: Model = StateView::new(&store, root)
                .iter_prefix(&[], None, usize::MAX)
                .expect("the current state survives collection")
                .into_iter()
                .collect();
            prop_assert_eq!(&read, &model);
        }
    }
}
