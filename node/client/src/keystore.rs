//! [`Keystore`]: secret keys kept in files, as a Substrate node keeps them: one file per key in
//! `<base-path>/chains/<chain-id>/keystore/`, named by the key type and the public key in hex
//! (`67687374` = `ghst`, then 64 hex digits), holding the secret URI as a JSON string, readable
//! by the owner only (mode 0600 in a 0700 directory).
//!
//! `ghostchain key insert` writes one; `ghostchain --validator` without `--key` signs blocks and
//! votes with the key found there, and `ghost … --from keystore:DIR[#ADDRESS]` signs
//! transactions with it.

use std::io::Write;
use std::path::{Path, PathBuf};

use ghost_primitives::{AccountId, Pair};

use crate::error::{Error, Result};
use crate::signer::Signer;

/// The key type of GhostChain's one key per validator (Aura, GRANDPA and transactions).
pub const KEY_TYPE: [u8; 4] = *b"ghst";

/// A directory of secret keys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Keystore {
    dir: PathBuf,
}

impl Keystore {
    /// The keystore at `dir` (nothing is read or created until it is used).
    pub fn open(dir: impl Into<PathBuf>) -> Keystore {
        Keystore { dir: dir.into() }
    }

    /// The keystore of chain `chain_id` under a node's base path.
    pub fn of_chain(base_path: &Path, chain_id: &str) -> Keystore {
        Keystore::open(base_path.join("chains").join(chain_id).join("keystore"))
    }

    /// Its directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn error(&self, reason: impl Into<String>) -> Error {
        Error::Keystore {
            dir: self.dir.display().to_string(),
            reason: reason.into(),
        }
    }

    fn file_of(&self, account: &AccountId) -> PathBuf {
        self.dir.join(format!(
            "{}{}",
            hex::encode(KEY_TYPE),
            hex::encode(account.0)
        ))
    }

    /// Stores the key of `suri` (a `//Name` dev key or a `0x` seed) and returns its account.
    /// Storing a key that is already there changes nothing.
    pub fn insert(&self, suri: &str) -> Result<AccountId> {
        let pair = Pair::from_suri(suri).map_err(|e| Error::BadSecret(e.to_string()))?;
        let account = pair.public();
        create_private_dir(&self.dir).map_err(|e| self.error(format!("creating it: {e}")))?;
        let path = self.file_of(&account);
        let json = serde_json::to_string(suri).map_err(|e| self.error(e.to_string()))?;
        write_private(&path, json.as_bytes())
            .map_err(|e| self.error(format!("writing {}: {e}", path.display())))?;
        Ok(account)
    }

    /// The accounts of the keys it holds, sorted (none if the directory does not exist).
    pub fn accounts(&self) -> Result<Vec<AccountId>> {
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(self.error(e.to_string())),
        };
        let prefix = hex::encode(KEY_TYPE);
        let mut accounts = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| self.error(e.to_string()))?;
            let name = entry.file_name();
            let Some(public) = name.to_str().and_then(|n| n.strip_prefix(&prefix)) else {
                continue;
            };
            let mut bytes = [0u8; 32];
            if hex::decode_to_slice(public, &mut bytes).is_ok() {
                accounts.push(AccountId(bytes));
            }
        }
        accounts.sort();
        Ok(accounts)
    }

    /// The signer of `account`'s key; an error if it is not here, or its file does not hold
    /// the key its name says.
    pub fn signer(&self, account: &AccountId) -> Result<Signer> {
        let path = self.file_of(account);
        let text = std::fs::read_to_string(&path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => self.error(format!("no key for {account}")),
            _ => self.error(format!("reading {}: {e}", path.display())),
        })?;
        let suri: String = serde_json::from_str(&text)
            .map_err(|_| self.error(format!("{} is not a JSON string", path.display())))?;
        let pair = Pair::from_suri(&suri)
            .map_err(|_| self.error(format!("{} holds no valid secret URI", path.display())))?;
        if pair.public() != *account {
            return Err(self.error(format!(
                "{} holds the key of {}, not of {account}",
                path.display(),
                pair.public()
            )));
        }
        Ok(Signer::from_pair(pair))
    }

    /// The signer of its only key; an error if it holds none or several.
    pub fn only_signer(&self) -> Result<Signer> {
        match self.accounts()?.as_slice() {
            [account] => self.signer(account),
            [] => Err(self.error("it holds no key (add one with `ghostchain key insert`)")),
            several => Err(self.error(format!(
                "it holds {} keys: name one ({})",
                several.len(),
                several
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
        }
    }
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut file = std::fs::File::create(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inserted_keys_sign_and_are_listed() {
        let dir = tempfile::tempdir().unwrap();
        let store = Keystore::of_chain(dir.path(), "local");
        assert!(store.accounts().unwrap().is_empty());
        assert!(
            store
                .only_signer()
                .unwrap_err()
                .to_string()
                .contains("holds no key")
        );
        let alice = store.insert("//Alice").unwrap();
        assert_eq!(alice, Pair::dev("Alice").public());
        assert_eq!(
            store.insert("//Alice").unwrap(),
            alice,
            "inserting twice is a no-op"
        );
        assert_eq!(store.accounts().unwrap(), vec![alice]);
        assert_eq!(store.only_signer().unwrap().account(), alice);
        let bob = store.insert("//Bob").unwrap();
        assert!(
            store
                .only_signer()
                .unwrap_err()
                .to_string()
                .contains("holds 2 keys")
        );
        assert_eq!(store.signer(&bob).unwrap().account(), bob);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(store.file_of(&bob))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
            let mode = std::fs::metadata(store.dir()).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o700);
        }
    }

    #[test]
    fn bad_secrets_and_tampered_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let store = Keystore::open(dir.path().join("ks"));
        assert!(matches!(
            store.insert("not a uri"),
            Err(Error::BadSecret(_))
        ));
        let alice = store.insert("//Alice").unwrap();
        // A file whose name says Alice but holds Bob's key.
        std::fs::write(store.file_of(&alice), "\"//Bob\"").unwrap();
        let err = store.signer(&alice).unwrap_err().to_string();
        assert!(err.contains("holds the key of"), "{err}");
        std::fs::write(store.file_of(&alice), "//Alice").unwrap();
        assert!(
            store
                .signer(&alice)
                .unwrap_err()
                .to_string()
                .contains("not a JSON string")
        );
        let nobody = Pair::dev("Nobody").public();
        assert!(
            store
                .signer(&nobody)
                .unwrap_err()
                .to_string()
                .contains("no key for")
        );
        // Files that are not keys are ignored.
        std::fs::write(store.dir().join("README"), "x").unwrap();
        assert_eq!(store.accounts().unwrap(), vec![alice]);
    }
}
