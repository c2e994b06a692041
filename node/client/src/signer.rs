//! [`Signer`]: the key that signs and pays for transactions.

use ghost_primitives::{AccountId, Pair};

use crate::error::{Error, Result};

/// An ed25519 signing key.
#[derive(Clone)]
pub struct Signer {
    pair: Pair,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the secret.
        f.debug_struct("Signer")
            .field("account", &self.account().to_string())
            .finish()
    }
}

impl Signer {
    /// From a secret URI: `//Alice`-style dev keys or a `0x` + 64 hex digit seed. The error
    /// never repeats the secret.
    pub fn from_suri(suri: &str) -> Result<Signer> {
        Pair::from_suri(suri)
            .map(Signer::from_pair)
            .map_err(|e| Error::BadSecret(e.to_string()))
    }

    /// The dev account `//name` (`Alice`, `Bob`, ...).
    pub fn dev(name: &str) -> Signer {
        Signer::from_pair(Pair::dev(name))
    }

    /// From a key pair.
    pub fn from_pair(pair: Pair) -> Signer {
        Signer { pair }
    }

    /// The key pair.
    pub fn pair(&self) -> &Pair {
        &self.pair
    }

    /// The account (public key) that signs and pays.
    pub fn account(&self) -> AccountId {
        self.pair.public()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suri_and_seed_give_the_same_account() {
        let alice = Signer::from_suri("//Alice").unwrap();
        assert_eq!(alice.account(), Pair::dev("Alice").public());
        let (pair, seed) = Pair::generate().unwrap();
        let seeded = Signer::from_suri(&ghost_primitives::bytes::encode_hex(&seed)).unwrap();
        assert_eq!(seeded.account(), pair.public());
    }

    #[test]
    fn bad_secret_is_an_error_without_the_secret() {
        let secret = "0x1234deadbeef";
        let message = Signer::from_suri(secret).unwrap_err().to_string();
        assert!(message.starts_with("invalid secret URI: "), "{message}");
        assert!(!message.contains(secret));
        assert!(!format!("{:?}", Signer::dev("Alice")).contains("secret"));
    }
}
