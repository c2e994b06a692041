//! The chain's ed25519 rule ([`ghost_primitives::ed25519`]) next to ed25519-zebra 5, which
//! implements ZIP-215, and ed25519-dalek 3: shared fixtures for the criterion bench
//! (`benches/verify.rs`) and the differential tests (`tests/`).
//!
//! This crate is its own workspace (see its `Cargo.toml`): run it with
//! `cargo bench --manifest-path primitives/ed25519-compare/Cargo.toml` and
//! `cargo test --manifest-path primitives/ed25519-compare/Cargo.toml`.

use ghost_primitives::{Pair, blake3_256};

/// `n` honest signatures from `n` distinct keys over distinct 32-byte messages (as a block's
/// extrinsics sign their payload hash): `(message, signature, public key)`.
pub fn honest_signatures(n: usize) -> Vec<([u8; 32], [u8; 64], [u8; 32])> {
    (0..n as u64)
        .map(|i| {
            let pair = Pair::from_seed(&blake3_256(&i.to_le_bytes()).0);
            let message = blake3_256(&(i + 1_000_000).to_le_bytes()).0;
            (message, pair.sign(&message).0, pair.public().0)
        })
        .collect()
}

/// A deterministic `rand_core` 0.10 generator over a blake3 output stream, for
/// ed25519-zebra's batch coefficients (as the chain derives its own from the batch).
pub struct Blake3Rng(blake3::OutputReader);

impl Blake3Rng {
    /// The stream of blake3 in key-derivation mode for `context`, keyed by `seed`.
    pub fn new(context: &str, seed: &[u8]) -> Self {
        let mut hasher = blake3::Hasher::new_derive_key(context);
        hasher.update(seed);
        Blake3Rng(hasher.finalize_xof())
    }
}

impl rand_core::TryRng for Blake3Rng {
    type Error = core::convert::Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        let mut bytes = [0u8; 4];
        self.0.fill(&mut bytes);
        Ok(u32::from_le_bytes(bytes))
    }

    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        let mut bytes = [0u8; 8];
        self.0.fill(&mut bytes);
        Ok(u64::from_le_bytes(bytes))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        self.0.fill(dst);
        Ok(())
    }
}

impl rand_core::TryCryptoRng for Blake3Rng {}

/// ed25519-zebra's single verification (ZIP-215), the key decoded from bytes.
pub fn zebra_verify(public: &[u8; 32], message: &[u8], signature: &[u8; 64]) -> bool {
    let signature = ed25519_zebra::Signature::from_bytes(signature);
    ed25519_zebra::VerificationKey::try_from(*public)
        .and_then(|key| key.verify(&signature, message))
        .is_ok()
}

/// ed25519-zebra's batch verification (ZIP-215), keys decoded inside.
pub fn zebra_verify_batch(items: &[([u8; 32], [u8; 64], [u8; 32])]) -> bool {
    let mut batch = ed25519_zebra::batch::Verifier::new();
    for (message, signature, public) in items {
        batch.queue((
            ed25519_zebra::VerificationKeyBytes::from(*public),
            ed25519_zebra::Signature::from_bytes(signature),
            &message[..],
        ));
    }
    batch
        .verify(Blake3Rng::new("ghostchain ed25519-compare", b"zebra batch"))
        .is_ok()
}

/// ed25519-dalek's batch verification, keys decoded inside; `false` if one does not decode.
pub fn dalek_verify_batch(items: &[([u8; 32], [u8; 64], [u8; 32])]) -> bool {
    let mut keys = Vec::with_capacity(items.len());
    for (_, _, public) in items {
        match ed25519_dalek::VerifyingKey::from_bytes(public) {
            Ok(key) => keys.push(key),
            Err(_) => return false,
        }
    }
    let messages: Vec<&[u8]> = items.iter().map(|(m, _, _)| &m[..]).collect();
    let signatures: Vec<ed25519_dalek::Signature> = items
        .iter()
        .map(|(_, s, _)| ed25519_dalek::Signature::from_bytes(s))
        .collect();
    ed25519_dalek::verify_batch(&messages, &signatures, &keys).is_ok()
}

/// ed25519-dalek's `verify_strict`, the key decoded from bytes.
pub fn dalek_verify_strict(public: &[u8; 32], message: &[u8], signature: &[u8; 64]) -> bool {
    ed25519_dalek::VerifyingKey::from_bytes(public)
        .and_then(|key| {
            key.verify_strict(message, &ed25519_dalek::Signature::from_bytes(signature))
        })
        .is_ok()
}
