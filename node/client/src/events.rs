//! The events of a block: fetched with `ghost_blockEvents` (the runtime's SCALE
//! `Vec<EventRecord>`, kept by the node per block) and checked against the block's
//! `System.EventsDigest` (blake3 of those bytes, and their count) wherever the node still has
//! the block's state; decoded as the runtime's own [`RuntimeEvent`].

use ghost_primitives::Hash;
use ghost_rpc::GhostApiClient;
use ghost_rpc::error_codes::STATE_PRUNED;
use ghost_runtime::api::{EventsError, decode_events, events_digest_key, verify_events};
use ghost_runtime::system::{EventsCommitment, Phase};
use ghost_runtime::{EventRecord as RuntimeEventRecord, RuntimeEvent};
use parity_scale_codec::DecodeAll;

use crate::client::{Client, RpcResultExt};
use crate::error::{Error, Result};

/// The events of one block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Events {
    /// The block.
    pub block_hash: Hash,
    /// Its events in order, each with its phase.
    pub records: Vec<RuntimeEventRecord>,
    /// The commitment in the block's state the records were checked against: `None` when
    /// the node no longer has that state (pruned) or the block has none (the genesis block,
    /// blocks of `spec_version` ≤ 5), so the records are the node's word only.
    pub checked_against: Option<EventsCommitment>,
}

impl Events {
    /// Fetches the events of `block_hash` and checks them against its `System.EventsDigest`.
    ///
    /// # Errors
    /// [`Error::EventsMismatch`] when the records do not hash to the digest or do not decode,
    /// [`Error::BadAnswer`] for an unknown block, [`Error::Rpc`] when a call fails.
    pub async fn at(client: &Client, block_hash: Hash) -> Result<Events> {
        let encoded = GhostApiClient::block_events(client, Some(block_hash))
            .await
            .during(client, "ghost_blockEvents")?
            .ok_or_else(|| {
                client.bad_answer(
                    "ghost_blockEvents",
                    format!("block {block_hash} is unknown"),
                )
            })?
            .0;
        let digest = match client
            .fetch_storage(&events_digest_key(), Some(block_hash))
            .await
        {
            Ok(Some(bytes)) => {
                Some(EventsCommitment::decode_all(&mut &bytes[..]).map_err(|e| {
                    client.bad_answer(
                        "state_getStorage",
                        format!("System.EventsDigest does not decode: {e}"),
                    )
                })?)
            }
            Ok(None) => None,
            Err(e) if e.rpc_code() == Some(STATE_PRUNED) => None,
            Err(e) => return Err(e),
        };
        Self::check(block_hash, &encoded, digest)
    }

    /// Decodes `encoded`, the events of `block_hash`, checking them against `digest` when
    /// there is one.
    ///
    /// # Errors
    /// [`Error::EventsMismatch`] when they do not hash to it or do not decode.
    pub fn check(
        block_hash: Hash,
        encoded: &[u8],
        digest: Option<EventsCommitment>,
    ) -> Result<Events> {
        let records = match &digest {
            Some(digest) => verify_events(encoded, digest),
            None => decode_events(encoded),
        }
        .map_err(|source: EventsError| Error::EventsMismatch { block_hash, source })?;
        Ok(Events {
            block_hash,
            records,
            checked_against: digest,
        })
    }

    /// The events of the extrinsic at `index` in the block.
    pub fn of_extrinsic(&self, index: u32) -> impl Iterator<Item = &RuntimeEvent> {
        self.records
            .iter()
            .filter(move |r| r.phase == Phase::ApplyExtrinsic(index))
            .map(|r| &r.event)
    }
}
