//! A mock [`ChainApi`] for tests: accounts with nonces, and extrinsics that carry their own
//! priority, length and mortality.
//!
//! Tags follow the runtime's convention: a transaction provides `sender ++ nonce` and, when its
//! nonce is ahead of the account's, requires `sender ++ (nonce - 1)`.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};

use ghost_primitives::{
    BlockNumber, Hash, InvalidTransaction, TransactionTag, TransactionValidityError,
    UnknownTransaction, ValidTransaction, blake3_256,
};
use parking_lot::Mutex;

use crate::ChainApi;

/// An account in [`TestApi`].
pub type Sender = u64;

/// A mock extrinsic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TestExtrinsic {
    /// Who signed it.
    pub sender: Sender,
    /// Its nonce.
    pub nonce: u64,
    /// The priority the mock runtime gives it (think: tip).
    pub priority: u64,
    /// Its encoded length.
    pub len: usize,
    /// The last block it may be included in.
    pub valid_until: BlockNumber,
    /// Distinguishes otherwise equal extrinsics (a different hash).
    pub salt: u64,
}

impl TestExtrinsic {
    /// `sender`'s transaction with `nonce` and `priority`: 100 bytes, immortal.
    pub fn new(sender: Sender, nonce: u64, priority: u64) -> Self {
        Self {
            sender,
            nonce,
            priority,
            len: 100,
            valid_until: BlockNumber::MAX,
            salt: 0,
        }
    }

    /// The same with another length.
    pub fn with_len(mut self, len: usize) -> Self {
        self.len = len;
        self
    }

    /// The same with another last block.
    pub fn with_valid_until(mut self, valid_until: BlockNumber) -> Self {
        self.valid_until = valid_until;
        self
    }

    /// The same with another salt (so another hash).
    pub fn with_salt(mut self, salt: u64) -> Self {
        self.salt = salt;
        self
    }

    /// Its hash: blake3 over all fields.
    pub fn hash(&self) -> Hash {
        let mut bytes = Vec::with_capacity(48);
        for field in [
            self.sender,
            self.nonce,
            self.priority,
            self.len as u64,
            self.valid_until,
            self.salt,
        ] {
            bytes.extend_from_slice(&field.to_le_bytes());
        }
        blake3_256(&bytes)
    }
}

/// The tag `sender ++ nonce`.
pub fn nonce_tag(sender: Sender, nonce: u64) -> TransactionTag {
    let mut tag = sender.to_le_bytes().to_vec();
    tag.extend_from_slice(&nonce.to_le_bytes());
    tag
}

/// A mock chain: account nonces (0 unless set), extrinsics marked invalid, and a count of
/// validations.
#[derive(Default)]
pub struct TestApi {
    nonces: Mutex<HashMap<Sender, u64>>,
    invalid: Mutex<HashSet<Hash>>,
    future_is_error: Mutex<bool>,
    validations: AtomicUsize,
}

impl TestApi {
    /// All accounts at nonce 0.
    pub fn new() -> Self {
        Self::default()
    }

    /// `sender`'s next nonce.
    pub fn nonce(&self, sender: Sender) -> u64 {
        self.nonces.lock().get(&sender).copied().unwrap_or(0)
    }

    /// Sets `sender`'s next nonce.
    pub fn set_nonce(&self, sender: Sender, nonce: u64) {
        self.nonces.lock().insert(sender, nonce);
    }

    /// Executes a block including `xts`: each sender's nonce moves past the extrinsic's.
    pub fn include(&self, xts: &[TestExtrinsic]) {
        let mut nonces = self.nonces.lock();
        for xt in xts {
            let next = nonces.entry(xt.sender).or_default();
            *next = (*next).max(xt.nonce + 1);
        }
    }

    /// Makes the runtime reject `hash` with `BadProof` from now on.
    pub fn mark_invalid(&self, hash: Hash) {
        self.invalid.lock().insert(hash);
    }

    /// Makes the runtime answer future nonces with `UnknownTransaction::Future` instead of a
    /// `requires` tag.
    pub fn set_future_is_error(&self, on: bool) {
        *self.future_is_error.lock() = on;
    }

    /// How many times `validate` was called.
    pub fn validations(&self) -> usize {
        self.validations.load(Ordering::Relaxed)
    }
}

impl ChainApi for TestApi {
    type Extrinsic = TestExtrinsic;

    fn validate(
        &self,
        _at: Hash,
        xt: &TestExtrinsic,
    ) -> Result<ValidTransaction, TransactionValidityError> {
        self.validations.fetch_add(1, Ordering::Relaxed);
        if self.invalid.lock().contains(&xt.hash()) {
            return Err(InvalidTransaction::BadProof.into());
        }
        let expected = self.nonce(xt.sender);
        if xt.nonce < expected {
            return Err(InvalidTransaction::Stale {
                expected,
                got: xt.nonce,
            }
            .into());
        }
        if xt.nonce > expected && *self.future_is_error.lock() {
            return Err(TransactionValidityError::Unknown(
                UnknownTransaction::Future {
                    expected,
                    got: xt.nonce,
                },
            ));
        }
        let requires = if xt.nonce > expected {
            vec![nonce_tag(xt.sender, xt.nonce - 1)]
        } else {
            Vec::new()
        };
        Ok(ValidTransaction {
            priority: xt.priority,
            requires,
            provides: vec![nonce_tag(xt.sender, xt.nonce)],
            valid_until: xt.valid_until,
        })
    }

    fn hash_and_length(&self, xt: &TestExtrinsic) -> (Hash, usize) {
        (xt.hash(), xt.len)
    }
}
