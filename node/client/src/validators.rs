//! Typed reads of the validators pallet: the authority set in force at a block, the set queued
//! for the next session boundary, and which validator authored a block.
//!
//! ```text
//! client.validator_set(at)      → ValidatorSet      Validators.{Validators, Queued, SetId, …}
//! client.block_author(&header)  → Option<AccountId> the Aura rule: set at the parent, slot % len
//! ```

use ghost_primitives::{AccountId, Hash, Header};
use ghost_runtime::validators::{CurrentSession, Queued, SessionLength, SetId, Validators};
use ghost_support::storage::StorageValue;
use parity_scale_codec::{Decode, DecodeAll};
use serde::Serialize;

use crate::client::Client;
use crate::error::Result;

/// The validator set as the state of one block holds it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ValidatorSet {
    /// The block whose state this is.
    pub at: Hash,
    /// The current validators in authoring order (slot `s` is `validators[s % len]`'s).
    pub validators: Vec<AccountId>,
    /// The set that takes over at the next session boundary (the current one if nothing is
    /// queued).
    pub next: Vec<AccountId>,
    /// The GRANDPA voter set id (+1 at each change).
    pub set_id: u64,
    /// Blocks per session: a queued set takes effect at the next multiple of it.
    pub session_length: u64,
    /// The current session index.
    pub session: u64,
}

impl Client {
    /// Reads one storage value of the pallet at `at`, decoded as `T` (`None` if absent).
    async fn validators_item<T: Decode>(
        &self,
        key: Vec<u8>,
        item: &str,
        at: Hash,
    ) -> Result<Option<T>> {
        match self.fetch_storage(&key, Some(at)).await? {
            None => Ok(None),
            Some(bytes) => T::decode_all(&mut &bytes[..]).map(Some).map_err(|e| {
                self.bad_answer(
                    "state_getStorage",
                    format!("Validators.{item} at {at} does not decode: {e}"),
                )
            }),
        }
    }

    /// The validator set in the state of `at` (default: the best block).
    pub async fn validator_set(&self, at: Option<Hash>) -> Result<ValidatorSet> {
        let at = match at {
            Some(hash) => hash,
            None => self.fetch_header(None).await?.hash(),
        };
        let validators: Vec<AccountId> = self
            .validators_item(Validators::hashed_key(), "Validators", at)
            .await?
            .unwrap_or_default();
        let next = self
            .validators_item(Queued::hashed_key(), "Queued", at)
            .await?
            .unwrap_or_else(|| validators.clone());
        Ok(ValidatorSet {
            at,
            set_id: self
                .validators_item(SetId::hashed_key(), "SetId", at)
                .await?
                .unwrap_or(0),
            session_length: self
                .validators_item(SessionLength::hashed_key(), "SessionLength", at)
                .await?
                .unwrap_or(1u64)
                .max(1),
            session: self
                .validators_item(CurrentSession::hashed_key(), "CurrentSession", at)
                .await?
                .unwrap_or(0),
            validators,
            next,
        })
    }

    /// The validator that authored `header`: Aura gives slot `s` to `validators[s % len]` of
    /// the set in the parent's state. `None` for genesis or a header without a slot.
    pub async fn block_author(&self, header: &Header) -> Result<Option<AccountId>> {
        let Some(slot) = header.slot().filter(|_| header.number > 0) else {
            return Ok(None);
        };
        let set = self.validator_set(Some(header.parent_hash)).await?;
        let len = set.validators.len() as u64;
        if len == 0 {
            return Ok(None);
        }
        Ok(set.validators.get((slot % len) as usize).copied())
    }
}
