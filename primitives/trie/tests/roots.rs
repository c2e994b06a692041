//! State roots: determinism, `apply_changes` against a model, and the archive property.

mod common;

use common::{Model, changes, hex, state, stored};
use ghost_trie::{
    EMPTY_ROOT, MemoryNodeStore, StateView, TrieError, apply_changes, build, root_of,
};
use proptest::prelude::*;

/// Applies `changes` to `model` the way `apply_changes` documents: in order, last change wins.
fn apply_to_model(model: &mut Model, changes: &[(Vec<u8>, Option<Vec<u8>>)]) {
    for (key, change) in changes {
        match change {
            Some(value) => model.insert(key.clone(), value.clone()),
            None => model.remove(key),
        };
    }
}

/// Everything readable at `root`, in key order.
fn read_all(store: &MemoryNodeStore, root: [u8; 32]) -> Model {
    StateView::new(store, root)
        .iter_prefix(&[], None, usize::MAX)
        .expect("readable")
        .into_iter()
        .collect()
}

#[test]
fn empty_trie_has_empty_root() {
    assert_eq!(root_of(Vec::new()), EMPTY_ROOT);
    assert_eq!(build(Vec::new()), (EMPTY_ROOT, Vec::new()));
    let store = MemoryNodeStore::new();
    assert_eq!(
        apply_changes(&store, EMPTY_ROOT, Vec::new()),
        Ok((EMPTY_ROOT, Vec::new()))
    );
    let view = StateView::new(&store, EMPTY_ROOT);
    assert_eq!(view.get(b"anything"), Ok(None));
    assert_eq!(view.next_key(&[]), Ok(None));
    assert_eq!(view.iter_prefix(&[], None, 10), Ok(Vec::new()));
}

#[test]
fn root_fixture_is_stable() {
    // A committed fixture: changing it is a deliberate state format change, never a test fix.
    let pairs = vec![
        (b":code".to_vec(), vec![0xc0; 100]),
        (b"balances:alice".to_vec(), 1_000u128.to_le_bytes().to_vec()),
        (b"balances:bob".to_vec(), 42u128.to_le_bytes().to_vec()),
        (b"domains:ghost".to_vec(), Vec::new()),
    ];
    assert_eq!(hex(&root_of(pairs)), ROOT_FIXTURE);
}

const ROOT_FIXTURE: &str = "7b14d8e684557491755a0a29c3828282cda5eaeedb3e7748424446bd1cda766c";

#[test]
fn empty_value_is_not_absence() {
    let (store, root) = stored(&Model::from([(b"k".to_vec(), Vec::new())]));
    assert_ne!(root, EMPTY_ROOT);
    assert_eq!(StateView::new(&store, root).get(b"k"), Ok(Some(Vec::new())));
    assert_eq!(StateView::new(&store, root).get(b"j"), Ok(None));
}

#[test]
fn repeated_keys_keep_the_last_change() {
    let store = MemoryNodeStore::new();
    let changes = vec![
        (b"a".to_vec(), Some(b"1".to_vec())),
        (b"b".to_vec(), Some(b"x".to_vec())),
        (b"a".to_vec(), Some(b"2".to_vec())),
        (b"b".to_vec(), None),
    ];
    let (root, _) = apply_changes(&store, EMPTY_ROOT, changes).expect("applies");
    assert_eq!(root, root_of(vec![(b"a".to_vec(), b"2".to_vec())]));
    assert_eq!(
        root_of(vec![
            (b"a".to_vec(), b"1".to_vec()),
            (b"a".to_vec(), b"2".to_vec())
        ]),
        root
    );
}

#[test]
fn missing_nodes_are_reported() {
    let model: Model = (0u8..50).map(|i| (vec![i, i], vec![i; 40])).collect();
    let (mut store, root) = stored(&model);
    let unknown = [7u8; 32];
    assert_eq!(
        StateView::new(&store, unknown).get(&[1, 1]),
        Err(TrieError::MissingNode(unknown))
    );
    assert_eq!(
        apply_changes(&store, unknown, vec![(vec![1], None)]),
        Err(TrieError::MissingNode(unknown))
    );
    // Drop the long value of one key: only reads of that key fail, and they name the value.
    let value_hash = *blake3::hash(&[3u8; 40]).as_bytes();
    store
        .remove_node(&value_hash)
        .expect("long values are stored by hash");
    let view = StateView::new(&store, root);
    assert_eq!(view.get(&[3, 3]), Err(TrieError::MissingNode(value_hash)));
    assert_eq!(view.get(&[4, 4]), Ok(Some(vec![4; 40])));
    store.remove_node(&root);
    assert!(
        StateView::new(&store, root)
            .get(&[4, 4])
            .expect_err("root removed")
            .is_missing_node()
    );
}

#[test]
fn removing_an_absent_prefix_key_keeps_longer_keys() {
    // paritytech/trie#217: trie-db 0.32 removes a longer key's value here.
    let cases: [(&[&[u8]], &[u8]); 3] = [
        (&[&[0], &[0, 0]], &[]),
        (
            &[
                &[0x01, 0x23],
                &[0x01, 0x23, 0x45],
                &[0x01, 0x23, 0x67],
                &[0x02],
            ],
            &[0x01],
        ),
        (
            &[&[0xff, 0xff], &[0xfe, 0xff, 0xe9], &[0xff, 0xff, 0xff]],
            &[0xff],
        ),
    ];
    for (keys, absent) in cases {
        let model: Model = keys
            .iter()
            .map(|key| (key.to_vec(), key.to_vec()))
            .collect();
        let (store, root) = stored(&model);
        let (new_root, nodes) =
            apply_changes(&store, root, vec![(absent.to_vec(), None)]).expect("applies");
        assert_eq!(
            new_root, root,
            "removing absent {absent:?} changed the trie"
        );
        assert!(nodes.is_empty());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn insertion_order_does_not_change_the_root(
        pairs in state().prop_map(|m| m.into_iter().collect::<Vec<_>>()).prop_shuffle(),
    ) {
        let expected = root_of(pairs.iter().cloned().collect::<Model>());
        prop_assert_eq!(root_of(pairs.clone()), expected);
        prop_assert_eq!(build(pairs.clone()).0, expected);
        // One change per `apply_changes`, so `trie-db` really sees the shuffled order.
        let mut store = MemoryNodeStore::new();
        let mut root = EMPTY_ROOT;
        for (key, value) in pairs {
            let (next, nodes) = apply_changes(&store, root, vec![(key, Some(value))]).expect("applies");
            store.insert_nodes(nodes);
            root = next;
        }
        prop_assert_eq!(root, expected);
    }

    #[test]
    fn apply_changes_matches_the_model(initial in state(), changes in changes()) {
        let (mut store, root) = stored(&initial);
        let mut model = initial.clone();
        apply_to_model(&mut model, &changes);
        let (new_root, nodes) = apply_changes(&store, root, changes).expect("applies");
        prop_assert_eq!(new_root, root_of(model.clone()));
        store.insert_nodes(nodes);
        prop_assert_eq!(read_all(&store, new_root), model);
        // Archive: the old root still reads the old state.
        prop_assert_eq!(read_all(&store, root), initial);
    }

    #[test]
    fn applying_to_the_empty_trie_equals_build(changes in changes()) {
        // From scratch, `apply_changes` creates exactly the nodes of `build`.
        let mut model = Model::new();
        apply_to_model(&mut model, &changes);
        let store = MemoryNodeStore::new();
        prop_assert_eq!(apply_changes(&store, EMPTY_ROOT, changes).expect("applies"), build(model));
    }

    #[test]
    fn deleting_everything_gives_the_empty_root(initial in state()) {
        let (store, root) = stored(&initial);
        let deletes = initial.keys().map(|key| (key.clone(), None));
        let (new_root, nodes) = apply_changes(&store, root, deletes).expect("applies");
        prop_assert_eq!(new_root, EMPTY_ROOT);
        prop_assert!(nodes.is_empty());
    }
}
