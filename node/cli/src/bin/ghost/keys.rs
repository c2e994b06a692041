//! `ghost key …`: ed25519 key pairs, offline.
//!
//! `generate` draws a seed from the operating system and prints it as a `0x…` secret URI with its
//! address; `inspect` shows the address and public key of a secret URI (`//Alice` dev keys or a
//! `0x` seed, see [`ghost_primitives::crypto`]). Error messages never repeat the secret.

use clap::Subcommand;
use ghost_primitives::bytes::encode_hex;
use ghost_primitives::{AccountId, Pair};
use serde::Serialize;

use crate::output::{Output, Render};

/// `ghost key …`.
#[derive(Debug, Clone, Subcommand)]
pub enum KeyCommand {
    /// Generate a fresh key pair and print its secret seed, address and public key.
    Generate,
    /// Show the address and public key of a secret URI (`//Alice` or `0x` + 64 hex digits).
    Inspect {
        /// The secret URI.
        suri: String,
    },
}

/// A key as printed: the secret only when it was just generated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyReport {
    /// The seed as a `0x` secret URI (only for `generate`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_seed: Option<String>,
    /// The `ghost1…` address.
    pub address: String,
    /// The public key as `0x`-hex.
    pub public_key: String,
}

impl KeyReport {
    fn of(account: AccountId, secret_seed: Option<String>) -> Self {
        KeyReport {
            secret_seed,
            address: account.to_string(),
            public_key: account.to_hex(),
        }
    }
}

impl Render for KeyReport {}

/// Runs a `key` subcommand.
pub fn run(command: KeyCommand, out: &Output) -> anyhow::Result<()> {
    let report = match command {
        KeyCommand::Generate => generate()?,
        KeyCommand::Inspect { suri } => inspect(&suri)?,
    };
    out.emit(&report)
}

/// A fresh key pair.
pub fn generate() -> anyhow::Result<KeyReport> {
    let (pair, seed) = Pair::generate().map_err(|e| anyhow::anyhow!("generating a key: {e}"))?;
    Ok(KeyReport::of(pair.public(), Some(encode_hex(&seed))))
}

/// The key of `suri`.
pub fn inspect(suri: &str) -> anyhow::Result<KeyReport> {
    Ok(KeyReport::of(pair_from_suri(suri)?.public(), None))
}

/// The pair of a secret URI (`//Alice`, `0x<seed>`), or of a key in a keystore
/// (`keystore:DIR` for its only key, `keystore:DIR#ghost1…` for one of several: the directory
/// `ghostchain key insert` writes, `<base-path>/chains/<chain-id>/keystore`), with an error that
/// does not echo the secret.
pub fn pair_from_suri(suri: &str) -> anyhow::Result<Pair> {
    if let Some(location) = suri.strip_prefix("keystore:") {
        let (dir, account) = match location.rsplit_once('#') {
            Some((dir, address)) => (dir, Some(crate::query::parse_address(address)?)),
            None => (location, None),
        };
        let keystore = ghost_client::Keystore::open(dir);
        let signer = match account {
            Some(account) => keystore.signer(&account)?,
            None => keystore.only_signer()?,
        };
        return Ok(signer.pair().clone());
    }
    Pair::from_suri(suri).map_err(|e| anyhow::anyhow!("invalid secret URI: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_come_from_a_keystore_by_directory_and_address() {
        let dir = tempfile::tempdir().unwrap();
        let keystore = ghost_client::Keystore::open(dir.path());
        let alice = keystore.insert("//Alice").unwrap();
        let only = format!("keystore:{}", dir.path().display());
        assert_eq!(pair_from_suri(&only).unwrap().public(), alice);
        let bob = keystore.insert("//Bob").unwrap();
        assert!(
            pair_from_suri(&only)
                .unwrap_err()
                .to_string()
                .contains("holds 2 keys")
        );
        let named = format!("keystore:{}#{bob}", dir.path().display());
        assert_eq!(pair_from_suri(&named).unwrap().public(), bob);
        let missing = format!(
            "keystore:{}#{}",
            dir.path().display(),
            Pair::dev("Eve").public()
        );
        assert!(
            pair_from_suri(&missing)
                .unwrap_err()
                .to_string()
                .contains("no key for")
        );
    }

    #[test]
    fn inspect_alice_prints_her_ghost_address() {
        let alice = Pair::dev("Alice").public();
        let out = Output::buffer(false);
        run(
            KeyCommand::Inspect {
                suri: "//Alice".into(),
            },
            &out,
        )
        .unwrap();
        let text = out.captured();
        let address = text
            .lines()
            .find_map(|line| line.strip_prefix("address: "))
            .expect("an address line");
        assert!(address.starts_with("ghost1"));
        assert_eq!(address, alice.to_string());
        assert!(text.contains(&format!("public_key: {}\n", alice.to_hex())));
        assert_eq!(text.lines().count(), 2);
    }

    #[test]
    fn inspect_alice_as_json() {
        let out = Output::buffer(true);
        run(
            KeyCommand::Inspect {
                suri: "//Alice".into(),
            },
            &out,
        )
        .unwrap();
        let json: serde_json::Value = serde_json::from_str(&out.captured()).unwrap();
        let alice = Pair::dev("Alice").public();
        assert_eq!(
            json,
            serde_json::json!({ "address": alice.to_string(), "public_key": alice.to_hex() })
        );
    }

    #[test]
    fn generated_seed_inspects_to_the_same_key() {
        let generated = generate().unwrap();
        let seed = generated.secret_seed.clone().unwrap();
        assert!(seed.starts_with("0x") && seed.len() == 66);
        let inspected = inspect(&seed).unwrap();
        assert_eq!(inspected.address, generated.address);
        assert_eq!(inspected.public_key, generated.public_key);
    }

    #[test]
    fn bad_suri_is_an_error_without_the_secret() {
        let secret = "0x1234deadbeef";
        let message = inspect(secret).unwrap_err().to_string();
        assert!(message.starts_with("invalid secret URI: "), "{message}");
        assert!(!message.contains(secret));
        assert!(inspect("Alice").is_err());
    }
}
