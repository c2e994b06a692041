//! `StateView` reads checked against a `BTreeMap` model.

mod common;

use std::ops::Bound;

use common::{Model, key, state, stored};
use ghost_trie::StateView;
use proptest::prelude::*;

/// The model's answer to `iter_prefix`.
fn model_iter_prefix(
    model: &Model,
    prefix: &[u8],
    start: Option<&[u8]>,
    limit: usize,
) -> Vec<(Vec<u8>, Vec<u8>)> {
    model
        .iter()
        .filter(|(k, _)| k.starts_with(prefix) && start.is_none_or(|start| k.as_slice() >= start))
        .take(limit)
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// A small fixed state with nested keys.
fn sample() -> Model {
    [&b"a"[..], b"ab", b"abc", b"abd", b"b", b"ba", b"\xff"]
        .into_iter()
        .map(|k| (k.to_vec(), [k, b"!"].concat()))
        .collect()
}

#[test]
fn get_reads_present_and_absent_keys() {
    let model = sample();
    let (store, root) = stored(&model);
    let view = StateView::new(&store, root);
    assert_eq!(view.root(), root);
    for (key, value) in &model {
        assert_eq!(view.get(key), Ok(Some(value.clone())));
    }
    for absent in [&b""[..], b"aa", b"abcd", b"c", b"\xfe", b"\xff\x00"] {
        assert_eq!(view.get(absent), Ok(None), "{absent:?}");
    }
}

#[test]
fn next_key_is_strictly_greater() {
    let (store, root) = stored(&sample());
    let view = StateView::new(&store, root);
    assert_eq!(view.next_key(b""), Ok(Some(b"a".to_vec())));
    assert_eq!(view.next_key(b"a"), Ok(Some(b"ab".to_vec())));
    assert_eq!(view.next_key(b"abc"), Ok(Some(b"abd".to_vec())));
    assert_eq!(view.next_key(b"abz"), Ok(Some(b"b".to_vec())));
    assert_eq!(view.next_key(b"\xff"), Ok(None));
}

#[test]
fn iter_prefix_respects_start_and_limit() {
    let (store, root) = stored(&sample());
    let view = StateView::new(&store, root);
    let keys =
        |pairs: Vec<(Vec<u8>, Vec<u8>)>| pairs.into_iter().map(|(k, _)| k).collect::<Vec<_>>();
    assert_eq!(
        keys(view.iter_prefix(b"ab", None, 10).unwrap()),
        [&b"ab"[..], b"abc", b"abd"]
    );
    assert_eq!(
        keys(view.iter_prefix(b"ab", Some(b"abc"), 10).unwrap()),
        [&b"abc"[..], b"abd"]
    );
    assert_eq!(
        keys(view.iter_prefix(b"ab", Some(b"a"), 2).unwrap()),
        [&b"ab"[..], b"abc"]
    );
    assert_eq!(
        keys(view.iter_prefix(b"ab", Some(b"ac"), 10).unwrap()),
        Vec::<Vec<u8>>::new()
    );
    assert_eq!(view.iter_prefix(b"", None, 0), Ok(Vec::new()));
    assert_eq!(view.iter_prefix(b"", None, 100).unwrap().len(), 7);
}

proptest! {
    #[test]
    fn reads_match_the_model(
        model in state(),
        query in key(),
        prefix in prop::collection::vec(prop::sample::select(vec![0x00u8, 0x01, 0x10, 0xab, 0xff]), 0..3),
        start in prop::option::of(key()),
        limit in 0usize..50,
    ) {
        let (store, root) = stored(&model);
        let view = StateView::new(&store, root);
        prop_assert_eq!(view.get(&query).unwrap(), model.get(&query).cloned());
        let next = model.range::<Vec<u8>, _>((Bound::Excluded(&query), Bound::Unbounded)).next();
        prop_assert_eq!(view.next_key(&query).unwrap(), next.map(|(k, _)| k.clone()));
        prop_assert_eq!(
            view.iter_prefix(&prefix, start.as_deref(), limit).unwrap(),
            model_iter_prefix(&model, &prefix, start.as_deref(), limit)
        );
    }

    #[test]
    fn next_key_walks_every_key_in_order(model in state()) {
        let (store, root) = stored(&model);
        let view = StateView::new(&store, root);
        let mut walked = Vec::new();
        // The empty key sorts first; `next_key` is strictly greater, so check it separately.
        let mut cursor = match view.get(&[]).unwrap() {
            Some(_) => Some(Vec::new()),
            None => view.next_key(&[]).unwrap(),
        };
        while let Some(key) = cursor {
            cursor = view.next_key(&key).unwrap();
            walked.push(key);
        }
        prop_assert_eq!(walked, model.keys().cloned().collect::<Vec<_>>());
    }
}
