//! Read proofs: round trips, incompleteness, wrong roots and hostile bytes.

mod common;

use common::{Model, key, state, stored, value};
use ghost_trie::{
    EMPTY_ROOT, MemoryNodeStore, ProofError, ReadProof, TrieError, TrieHash, apply_changes,
    generate_read_proof, verify_read_proof,
};
use parity_scale_codec::{Decode, Encode};
use proptest::prelude::*;

/// A state with shared prefixes and a long value, and a store holding it.
fn sample() -> (Model, MemoryNodeStore, TrieHash) {
    let model: Model = (0u8..20)
        .map(|i| {
            (
                vec![i % 4, i],
                if i % 3 == 0 { vec![i; 50] } else { vec![i] },
            )
        })
        .collect();
    let (store, root) = stored(&model);
    (model, store, root)
}

#[test]
fn proves_present_and_absent_keys() {
    let (model, store, root) = sample();
    for key in model
        .keys()
        .cloned()
        .chain([vec![], vec![0], vec![1, 2], vec![9, 9, 9]])
    {
        let proof = generate_read_proof(&store, root, std::slice::from_ref(&key)).expect("proof");
        assert!(!proof.nodes.is_empty());
        assert_eq!(
            verify_read_proof(&root, &proof, &key),
            Ok(model.get(&key).cloned()),
            "{key:?}"
        );
    }
}

#[test]
fn one_proof_covers_many_keys_and_is_deterministic() {
    let (model, store, root) = sample();
    let keys: Vec<Vec<u8>> = model.keys().take(5).cloned().chain([vec![7, 7]]).collect();
    let proof = generate_read_proof(&store, root, &keys).expect("proof");
    for key in &keys {
        assert_eq!(
            verify_read_proof(&root, &proof, key),
            Ok(model.get(key).cloned())
        );
    }
    let reversed: Vec<_> = keys.iter().rev().cloned().collect();
    assert_eq!(
        generate_read_proof(&store, root, &reversed),
        Ok(proof.clone())
    );
    assert_eq!(ReadProof::decode(&mut &proof.encode()[..]), Ok(proof));
}

#[test]
fn empty_trie_proves_absence_without_nodes() {
    let proof = generate_read_proof(&MemoryNodeStore::new(), EMPTY_ROOT, &[b"k".to_vec()]).unwrap();
    assert_eq!(proof, ReadProof::default());
    assert_eq!(verify_read_proof(&EMPTY_ROOT, &proof, b"k"), Ok(None));
}

#[test]
fn proof_of_unknown_root_fails() {
    let unknown = [1u8; 32];
    assert_eq!(
        generate_read_proof(&MemoryNodeStore::new(), unknown, &[b"k".to_vec()]),
        Err(TrieError::MissingNode(unknown))
    );
    assert_eq!(
        verify_read_proof(&unknown, &ReadProof::default(), b"k"),
        Err(ProofError::Incomplete)
    );
}

#[test]
fn long_value_is_needed() {
    let (model, store, root) = sample();
    let key = vec![0, 0];
    let long = model[&key].clone();
    assert_eq!(long.len(), 50);
    let mut proof = generate_read_proof(&store, root, std::slice::from_ref(&key)).unwrap();
    proof.nodes.retain(|node| *node != long);
    assert_eq!(
        verify_read_proof(&root, &proof, &key),
        Err(ProofError::Incomplete)
    );
}

proptest! {
    #[test]
    fn proofs_round_trip(model in state(), query in key()) {
        let (store, root) = stored(&model);
        let proof = generate_read_proof(&store, root, std::slice::from_ref(&query)).unwrap();
        prop_assert_eq!(verify_read_proof(&root, &proof, &query), Ok(model.get(&query).cloned()));
    }

    #[test]
    fn every_node_of_a_proof_is_needed(model in state(), query in key()) {
        let (store, root) = stored(&model);
        let proof = generate_read_proof(&store, root, std::slice::from_ref(&query)).unwrap();
        for index in 0..proof.nodes.len() {
            let mut partial = proof.clone();
            partial.nodes.remove(index);
            prop_assert_eq!(verify_read_proof(&root, &partial, &query), Err(ProofError::Incomplete));
            // A tampered node hashes differently, so it is as good as missing.
            let mut tampered = proof.clone();
            tampered.nodes[index].push(0);
            prop_assert_eq!(verify_read_proof(&root, &tampered, &query), Err(ProofError::Incomplete));
        }
    }

    #[test]
    fn another_root_never_yields_the_proven_value(
        model in state(),
        query in key(),
        other_value in value(),
        other_root in any::<[u8; 32]>(),
    ) {
        let (store, root) = stored(&model);
        let proof = generate_read_proof(&store, root, std::slice::from_ref(&query)).unwrap();
        let proven = model.get(&query).cloned();
        // The root of the same state with `query` changed, and an arbitrary hash.
        let (changed_root, _) =
            apply_changes(&store, root, vec![(query.clone(), Some(other_value.clone()))]).unwrap();
        for wrong in [changed_root, other_root] {
            if wrong == root {
                continue;
            }
            let result = verify_read_proof(&wrong, &proof, &query);
            prop_assert!(result.is_err() || result != Ok(proven.clone()), "{result:?}");
        }
    }

    #[test]
    fn random_proofs_never_panic(
        encoded in prop::collection::vec(any::<u8>(), 0..300),
        nodes in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..80), 0..6),
        query in key(),
    ) {
        if let Ok(proof) = ReadProof::decode(&mut &encoded[..]) {
            let _ = verify_read_proof(&blake3::hash(&encoded).into(), &proof, &query);
        }
        // Root the random nodes at one of them so that their decoding is exercised.
        let proof = ReadProof { nodes };
        for node in &proof.nodes {
            let _ = verify_read_proof(blake3::hash(node).as_bytes(), &proof, &query);
        }
    }
}
