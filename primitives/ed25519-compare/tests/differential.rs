//! The chain's rule against ed25519-zebra 5 (ZIP-215): where they agree, and the one place they
//! differ by design (small-order and non-canonical points, which the chain refuses).

use curve25519_dalek::constants::EIGHT_TORSION;
use curve25519_dalek::edwards::CompressedEdwardsY;
use ghost_ed25519_compare::{honest_signatures, zebra_verify, zebra_verify_batch};
use ghost_primitives::ed25519::{verify, verify_batch};

/// The ZIP-215 vectors committed beside the chain's rule: `(A, R‖s)`.
fn zip215_vectors() -> Vec<([u8; 32], [u8; 64])> {
    include_str!("../../tests/data/zip215-small-order.txt")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (
                hex::decode(f[0]).unwrap().try_into().unwrap(),
                hex::decode(f[1]).unwrap().try_into().unwrap(),
            )
        })
        .collect()
}

#[test]
fn zebra_accepts_every_zip215_vector_alone_and_in_a_batch_and_the_chain_refuses_them() {
    let vectors = zip215_vectors();
    assert_eq!(vectors.len(), 196);
    for (i, (a, s)) in vectors.iter().enumerate() {
        assert!(zebra_verify(a, b"Zcash", s), "zebra single, vector {i}");
        assert!(!verify(a, b"Zcash", s), "ours, vector {i}");
        assert!(
            !verify_batch(&[(b"Zcash".as_slice(), *s, *a)]),
            "ours batch, vector {i}"
        );
    }
    // All 196 in one zebra batch: its batch agrees with its single checks.
    let mut batch = ed25519_zebra::batch::Verifier::new();
    for (a, s) in &vectors {
        batch.queue((
            ed25519_zebra::VerificationKeyBytes::from(*a),
            ed25519_zebra::Signature::from_bytes(s),
            b"Zcash".as_slice(),
        ));
    }
    assert!(
        batch
            .verify(ghost_ed25519_compare::Blake3Rng::new("test", b"zip215"))
            .is_ok()
    );
}

#[test]
fn honest_signatures_verify_under_both_rules_and_a_flipped_bit_fails_both() {
    let mut items = honest_signatures(64);
    for (m, s, a) in &items {
        assert!(verify(a, m, s));
        assert!(zebra_verify(a, m, s));
    }
    assert!(zebra_verify_batch(&items));
    items[17].1[3] ^= 1;
    let (m, s, a) = items[17];
    assert!(!verify(&a, &m, &s));
    assert!(!zebra_verify(&a, &m, &s));
    assert!(!zebra_verify_batch(&items));
}

#[test]
fn a_torsion_component_in_r_gets_one_verdict_from_both_rules() {
    // R' = R + T (T of order 8, R' not of small order): both rules are cofactored and decode R'
    // alike, so they agree (both refuse here, because R' changes the hash k).
    for (i, (m, s, a)) in honest_signatures(8).into_iter().enumerate() {
        let r = CompressedEdwardsY(s[..32].try_into().unwrap())
            .decompress()
            .unwrap();
        let mut tweaked = s;
        tweaked[..32].copy_from_slice((r + EIGHT_TORSION[i]).compress().as_bytes());
        assert_eq!(
            verify(&a, &m, &tweaked),
            zebra_verify(&a, &m, &tweaked),
            "torsion {i}"
        );
    }
}
