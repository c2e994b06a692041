//! The chain's one ed25519 verification rule, shared by single and batch verification.
//!
//! Block authors and the transaction pool verify signatures one at a time; importers verify a
//! block's signatures in one batch. Both must accept exactly the same signatures, or a malicious
//! author could include a transaction that honest authors refuse. Standard (cofactorless)
//! single verification and randomized batch verification disagree on signatures whose points
//! carry small-order (torsion) components, so GhostChain uses the **cofactored** equation on
//! both paths, as ZIP-215 does, with strict decoding:
//!
//! - `A` (the key) and `R` must be canonical encodings of curve points, not of small order;
//! - `s` must be canonical (`s < ℓ`);
//! - valid iff `[8]([s]B − R − [k]A) = 0` with `k = SHA-512(R ‖ A ‖ M) mod ℓ`.
//!
//! The batch check is `[8](−(Σ zᵢsᵢ)B + Σ zᵢRᵢ + Σ (zᵢkᵢ)Aᵢ) = 0` with 128-bit coefficients
//! `zᵢ` derived from the whole batch (blake3): with the cofactor cleared, whether it holds does
//! not depend on the `zᵢ` (except with negligible probability), so a batch passes iff every
//! signature passes on its own. Honest signatures (ed25519-dalek's signer, or any RFC 8032
//! signer) verify under both rules.

use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::{IsIdentity, VartimeMultiscalarMul};
use sha2::{Digest, Sha512};

/// A signature's parts, decoded and checked.
struct Parsed {
    a: EdwardsPoint,
    r: EdwardsPoint,
    s: Scalar,
    k: Scalar,
}

/// Whether the y-coordinate of an encoded point is canonical (`y < p = 2²⁵⁵ − 19`).
///
/// The only other non-canonical encodings have `x = 0` with the sign bit set; those points
/// (`y = ±1`) are of small order and refused anyway, so this check plus the small-order check
/// equals "re-encoding gives the same bytes", without the field inversion that costs.
fn y_is_canonical(bytes: &[u8; 32]) -> bool {
    let mut y = *bytes;
    y[31] &= 0x7f;
    // y >= p iff y is one of p..2^255-1: 0xed..=0xff, then 30 bytes of 0xff, then 0x7f.
    !(y[0] >= 0xed && y[1..31].iter().all(|b| *b == 0xff) && y[31] == 0x7f)
}

/// A canonical, non-small-order point.
fn decode_point(bytes: &[u8; 32]) -> Option<EdwardsPoint> {
    if !y_is_canonical(bytes) {
        return None;
    }
    let point = CompressedEdwardsY(*bytes).decompress()?;
    if point.is_small_order() {
        return None;
    }
    Some(point)
}

fn parse(public: &[u8; 32], message: &[u8], signature: &[u8; 64]) -> Option<Parsed> {
    let a = decode_point(public)?;
    let r_bytes: [u8; 32] = signature[..32].try_into().ok()?;
    let s_bytes: [u8; 32] = signature[32..].try_into().ok()?;
    let r = decode_point(&r_bytes)?;
    let s = Option::<Scalar>::from(Scalar::from_canonical_bytes(s_bytes))?;
    let mut hasher = Sha512::new();
    hasher.update(r_bytes);
    hasher.update(public);
    hasher.update(message);
    let digest: [u8; 64] = hasher.finalize().into();
    let k = Scalar::from_bytes_mod_order_wide(&digest);
    Some(Parsed { a, r, s, k })
}

/// Verifies one signature under the chain's rule.
pub fn verify(public: &[u8; 32], message: &[u8], signature: &[u8; 64]) -> bool {
    let Some(p) = parse(public, message, signature) else {
        return false;
    };
    // [s]B − [k]A − R, cofactor cleared.
    let sb_minus_ka = EdwardsPoint::vartime_double_scalar_mul_basepoint(&-p.k, &p.a, &p.s);
    (sb_minus_ka - p.r).mul_by_cofactor().is_identity()
}

/// Verifies many signatures at once under the same rule as [`verify`].
pub fn verify_batch(items: &[(&[u8], [u8; 64], [u8; 32])]) -> bool {
    if items.is_empty() {
        return true;
    }
    let mut parsed = Vec::with_capacity(items.len());
    let mut transcript = blake3::Hasher::new_derive_key("ghostchain ed25519 batch v1");
    for (message, signature, public) in items {
        let Some(p) = parse(public, message, signature) else {
            return false;
        };
        transcript.update(public);
        transcript.update(signature);
        transcript.update(&(message.len() as u64).to_le_bytes());
        transcript.update(message);
        parsed.push(p);
    }
    let mut coefficients = transcript.finalize_xof();
    let zs: Vec<Scalar> = parsed
        .iter()
        .map(|_| {
            let mut z = [0u8; 32];
            coefficients.fill(&mut z[..16]);
            Scalar::from_bytes_mod_order(z)
        })
        .collect();
    let b_coefficient: Scalar = parsed.iter().zip(&zs).map(|(p, z)| z * p.s).sum();
    let scalars = std::iter::once(-b_coefficient)
        .chain(zs.iter().copied())
        .chain(parsed.iter().zip(&zs).map(|(p, z)| z * p.k));
    let points = std::iter::once(curve25519_dalek::constants::ED25519_BASEPOINT_POINT)
        .chain(parsed.iter().map(|p| p.r))
        .chain(parsed.iter().map(|p| p.a));
    EdwardsPoint::vartime_multiscalar_mul(scalars, points)
        .mul_by_cofactor()
        .is_identity()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::Pair;
    use curve25519_dalek::constants::EIGHT_TORSION;
    use proptest::prelude::*;

    fn signed(seed: u8, message: &[u8]) -> ([u8; 32], [u8; 64]) {
        let pair = Pair::from_seed(&[seed; 32]);
        (pair.public().0, pair.sign(message).0)
    }

    #[test]
    fn honest_signatures_verify_alone_and_in_batches() {
        let messages: Vec<Vec<u8>> = (0..20u8).map(|i| vec![i; i as usize]).collect();
        let items: Vec<(&[u8], [u8; 64], [u8; 32])> = messages
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let (public, signature) = signed(i as u8 + 1, m);
                assert!(verify(&public, m, &signature));
                (m.as_slice(), signature, public)
            })
            .collect();
        assert!(verify_batch(&items));
        let mut bad = items.clone();
        bad[7].1[40] ^= 1;
        assert!(!verify_batch(&bad));
        assert!(!verify(&bad[7].2, bad[7].0, &bad[7].1));
    }

    #[test]
    fn small_order_keys_and_nonces_are_refused_on_both_paths() {
        let (public, mut signature) = signed(9, b"m");
        let mut identity = [0u8; 32];
        identity[0] = 1;
        assert!(!verify(&identity, b"m", &signature));
        signature[..32].copy_from_slice(&identity);
        assert!(!verify(&public, b"m", &signature));
        assert!(!verify_batch(&[(b"m".as_slice(), signature, public)]));
    }

    #[test]
    fn a_torsion_component_in_r_gets_the_same_verdict_alone_and_in_any_batch() {
        // R' = R + T for a point T of order 8: cofactored verification accepts it on both paths
        // (the cofactor clears T), so single and batch agree whatever the coefficients.
        let pair = Pair::from_seed(&[3; 32]);
        let message = b"torsion";
        let signature = pair.sign(message).0;
        let r = CompressedEdwardsY(signature[..32].try_into().unwrap())
            .decompress()
            .unwrap();
        let mut tweaked = signature;
        tweaked[..32].copy_from_slice((r + EIGHT_TORSION[1]).compress().as_bytes());
        let single = verify(&pair.public().0, message, &tweaked);
        for extra in 0..8u8 {
            let (p2, s2) = signed(extra + 10, &[extra]);
            let other = [extra];
            let batch = verify_batch(&[
                (message.as_slice(), tweaked, pair.public().0),
                (other.as_slice(), s2, p2),
            ]);
            assert_eq!(batch, single, "batch with companion {extra}");
        }
    }

    #[test]
    fn non_canonical_y_is_refused() {
        // y = p + 2 encodes the same point as y = 2 if that is on the curve; either way the
        // encoding is refused before decompression.
        let mut bytes = [0xffu8; 32];
        bytes[0] = 0xef;
        bytes[31] = 0x7f;
        assert!(!y_is_canonical(&bytes));
        bytes[0] = 0xec;
        assert!(y_is_canonical(&bytes));
        let (public, signature) = signed(4, b"m");
        assert!(y_is_canonical(&public));
        assert!(y_is_canonical(&signature[..32].try_into().unwrap()));
    }

    proptest! {
        #[test]
        fn canonical_check_agrees_with_reencoding(bytes in any::<[u8; 32]>()) {
            if let Some(point) = CompressedEdwardsY(bytes).decompress()
                && !point.is_small_order()
            {
                prop_assert_eq!(y_is_canonical(&bytes), point.compress().to_bytes() == bytes);
            }
        }

        #[test]
        fn random_inputs_never_panic_and_batch_agrees_with_single(
            public in any::<[u8; 32]>(), r in any::<[u8; 32]>(), s in any::<[u8; 32]>(), m in proptest::collection::vec(any::<u8>(), 0..40)
        ) {
            let mut signature = [0u8; 64];
            signature[..32].copy_from_slice(&r);
            signature[32..].copy_from_slice(&s);
            let single = verify(&public, &m, &signature);
            prop_assert_eq!(verify_batch(&[(m.as_slice(), signature, public)]), single);
        }
    }
}
