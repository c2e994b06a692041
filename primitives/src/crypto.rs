//! ed25519 accounts, signatures and key pairs, including the deterministic dev keys.
//!
//! # Secret URIs
//! [`Pair::from_suri`] accepts two forms:
//! - `0x` followed by 64 hex digits: the raw 32-byte ed25519 seed.
//! - `//Name` (any text starting with `//`, e.g. `//Alice`, `//Bob//stash`): a **dev key** whose
//!   seed is `blake3::derive_key("ghostchain dev key v1", <the whole SURI as UTF-8>)`. These keys
//!   are public knowledge and must never hold real value. `//Alice`, `//Bob`, `//Charlie`,
//!   `//Dave`, `//Eve` and `//Ferdie` are funded by the dev and local chain specs.

use core::fmt;
use core::str::FromStr;

use ed25519_dalek::Signer;
use parity_scale_codec::{Decode, Encode, MaxEncodedLen};

use crate::bytes::{decode_hex, encode_hex};

/// The blake3 key-derivation context of dev keys (see the module doc).
pub const DEV_KEY_CONTEXT: &str = "ghostchain dev key v1";

/// The names of the six well-known dev accounts.
pub const DEV_ACCOUNTS: [&str; 6] = ["Alice", "Bob", "Charlie", "Dave", "Eve", "Ferdie"];

/// An account: the 32-byte ed25519 public key of its owner (or a derived key for contracts).
///
/// Displays and serializes as a `ghost1…` bech32m address (see [`crate::address`]).
#[derive(
    Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Encode, Decode, MaxEncodedLen,
)]
pub struct AccountId(pub [u8; 32]);

impl AccountId {
    /// The raw public key bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The public key as `0x`-hex.
    pub fn to_hex(&self) -> String {
        encode_hex(&self.0)
    }
}

impl From<[u8; 32]> for AccountId {
    fn from(bytes: [u8; 32]) -> Self {
        AccountId(bytes)
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::address::encode(self))
    }
}

impl fmt::Debug for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl FromStr for AccountId {
    type Err = crate::address::AddressError;
    /// Parses a `ghost1…` address, or a `0x`-hex public key.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.starts_with("0x") {
            let bytes = decode_hex(s).map_err(|_| crate::address::AddressError::InvalidHexKey)?;
            let key: [u8; 32] = bytes
                .try_into()
                .map_err(|_| crate::address::AddressError::InvalidHexKey)?;
            return Ok(AccountId(key));
        }
        crate::address::decode(s)
    }
}

impl serde::Serialize for AccountId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for AccountId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A 64-byte ed25519 signature.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Encode, Decode, MaxEncodedLen)]
pub struct Signature(pub [u8; 64]);

impl Default for Signature {
    fn default() -> Self {
        Signature([0u8; 64])
    }
}

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&encode_hex(&self.0))
    }
}

impl serde::Serialize for Signature {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&encode_hex(&self.0))
    }
}

impl<'de> serde::Deserialize<'de> for Signature {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        let bytes = decode_hex(&s).map_err(serde::de::Error::custom)?;
        let array: [u8; 64] = bytes
            .try_into()
            .map_err(|_| serde::de::Error::custom("signature must be 64 bytes"))?;
        Ok(Signature(array))
    }
}

impl Signature {
    /// Verifies this signature of `message` by `signer` under the chain's rule (see
    /// [`crate::ed25519`]: cofactored, strict decoding, no small-order points).
    pub fn verify(&self, message: &[u8], signer: &AccountId) -> bool {
        crate::ed25519::verify(&signer.0, message, &self.0)
    }
}

/// Verifies many `(message, signature, signer)` triples at once; `true` only if every signature
/// is valid. Accepts exactly what [`Signature::verify`] accepts one by one (see
/// [`crate::ed25519`]), so block import may batch what authors checked singly.
pub fn verify_batch(items: &[(&[u8], Signature, AccountId)]) -> bool {
    let raw: Vec<(&[u8], [u8; 64], [u8; 32])> =
        items.iter().map(|(m, s, a)| (*m, s.0, a.0)).collect();
    crate::ed25519::verify_batch(&raw)
}

/// Why a secret URI or seed was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// Neither `//name` nor `0x` + 64 hex digits.
    #[error("secret URI must be //Name or 0x followed by a 32-byte hex seed")]
    InvalidSuri,
    /// The system random source failed.
    #[error("no randomness available: {0}")]
    Randomness(String),
}

/// An ed25519 key pair.
#[derive(Clone)]
pub struct Pair {
    secret: ed25519_dalek::SigningKey,
}

impl fmt::Debug for Pair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Pair({})", self.public())
    }
}

impl Pair {
    /// The pair of a 32-byte seed.
    pub fn from_seed(seed: &[u8; 32]) -> Pair {
        Pair {
            secret: ed25519_dalek::SigningKey::from_bytes(seed),
        }
    }

    /// A fresh pair from the operating system's random source, with its seed.
    pub fn generate() -> Result<(Pair, [u8; 32]), KeyError> {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(|e| KeyError::Randomness(e.to_string()))?;
        Ok((Pair::from_seed(&seed), seed))
    }

    /// The pair of a secret URI (see the module doc).
    pub fn from_suri(suri: &str) -> Result<Pair, KeyError> {
        Ok(Pair::from_seed(&seed_from_suri(suri)?))
    }

    /// The dev pair `//<name>`, e.g. `Pair::dev("Alice")`.
    pub fn dev(name: &str) -> Pair {
        Pair::from_seed(&dev_seed(&format!("//{name}")))
    }

    /// The public key as an account.
    pub fn public(&self) -> AccountId {
        AccountId(self.secret.verifying_key().to_bytes())
    }

    /// The 32-byte seed.
    pub fn seed(&self) -> [u8; 32] {
        self.secret.to_bytes()
    }

    /// Signs `message`.
    pub fn sign(&self, message: &[u8]) -> Signature {
        Signature(self.secret.sign(message).to_bytes())
    }
}

/// The seed of a dev SURI (`//…`): blake3 key derivation over the SURI text.
fn dev_seed(suri: &str) -> [u8; 32] {
    blake3::derive_key(DEV_KEY_CONTEXT, suri.as_bytes())
}

/// The 32-byte seed a secret URI stands for.
pub fn seed_from_suri(suri: &str) -> Result<[u8; 32], KeyError> {
    if suri.len() > 2 && suri.starts_with("//") {
        return Ok(dev_seed(suri));
    }
    if suri.starts_with("0x") {
        let bytes = decode_hex(suri).map_err(|_| KeyError::InvalidSuri)?;
        return bytes.try_into().map_err(|_| KeyError::InvalidSuri);
    }
    Err(KeyError::InvalidSuri)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn dev_keys_are_deterministic_and_distinct() {
        let alice = Pair::from_suri("//Alice").unwrap();
        assert_eq!(alice.public(), Pair::dev("Alice").public());
        assert_eq!(
            alice.seed(),
            blake3::derive_key(DEV_KEY_CONTEXT, b"//Alice")
        );
        let all: std::collections::BTreeSet<_> =
            DEV_ACCOUNTS.iter().map(|n| Pair::dev(n).public()).collect();
        assert_eq!(all.len(), 6);
    }

    #[test]
    fn hex_seed_suri_round_trips() {
        let (pair, seed) = Pair::generate().unwrap();
        let suri = encode_hex(&seed);
        assert_eq!(Pair::from_suri(&suri).unwrap().public(), pair.public());
    }

    #[test]
    fn bad_suris_are_refused() {
        for bad in ["", "//", "Alice", "0x1234", "0xzz", "/Alice"] {
            assert_eq!(
                Pair::from_suri(bad).unwrap_err(),
                KeyError::InvalidSuri,
                "{bad}"
            );
        }
    }

    #[test]
    fn signature_checks_message_and_signer() {
        let alice = Pair::dev("Alice");
        let bob = Pair::dev("Bob");
        let sig = alice.sign(b"hello");
        assert!(sig.verify(b"hello", &alice.public()));
        assert!(!sig.verify(b"hellO", &alice.public()));
        assert!(!sig.verify(b"hello", &bob.public()));
    }

    #[test]
    fn batch_verification_agrees_with_single() {
        let pairs: Vec<Pair> = DEV_ACCOUNTS.iter().map(|n| Pair::dev(n)).collect();
        let msgs: Vec<Vec<u8>> = (0..6u8).map(|i| vec![i; 10]).collect();
        let mut items: Vec<(&[u8], Signature, AccountId)> = pairs
            .iter()
            .zip(&msgs)
            .map(|(p, m)| (m.as_slice(), p.sign(m), p.public()))
            .collect();
        assert!(verify_batch(&items));
        items[3].1 = pairs[3].sign(b"other");
        assert!(!verify_batch(&items));
    }

    proptest! {
        #[test]
        fn account_and_signature_round_trip(key in any::<[u8; 32]>(), a in any::<[u8; 32]>(), b in any::<[u8; 32]>()) {
            let account = AccountId(key);
            prop_assert_eq!(AccountId::decode(&mut &account.encode()[..]).unwrap(), account);
            prop_assert_eq!(account.to_string().parse::<AccountId>().unwrap(), account);
            let json = serde_json::to_string(&account).unwrap();
            prop_assert_eq!(serde_json::from_str::<AccountId>(&json).unwrap(), account);
            let mut sig = [0u8; 64];
            sig[..32].copy_from_slice(&a);
            sig[32..].copy_from_slice(&b);
            let sig = Signature(sig);
            prop_assert_eq!(Signature::decode(&mut &sig.encode()[..]).unwrap(), sig);
            let json = serde_json::to_string(&sig).unwrap();
            prop_assert_eq!(serde_json::from_str::<Signature>(&json).unwrap(), sig);
        }
    }
}
