//! The events of a block, read from its state (`System.EventCount` and `System.Events`) and
//! decoded as the runtime's own [`RuntimeEvent`].

use ghost_primitives::Hash;
use ghost_runtime::system::{EventCount, EventRecord, Events as EventsItem, Phase};
use ghost_runtime::{EventRecord as RuntimeEventRecord, RuntimeEvent};
use ghost_support::storage::{StorageMap, StorageValue};
use parity_scale_codec::DecodeAll;

use crate::client::Client;
use crate::error::Result;

/// The events of one block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Events {
    /// The block.
    pub block_hash: Hash,
    /// Its events in order, each with its phase.
    pub records: Vec<RuntimeEventRecord>,
}

impl Events {
    /// Reads the events of `block_hash` from its state.
    pub async fn at(client: &Client, block_hash: Hash) -> Result<Events> {
        let count = match client
            .fetch_storage(&EventCount::hashed_key(), Some(block_hash))
            .await?
        {
            None => 0,
            Some(bytes) => u32::decode_all(&mut &bytes[..]).map_err(|e| {
                client.bad_answer(
                    "state_getStorage",
                    format!("System.EventCount does not decode: {e}"),
                )
            })?,
        };
        let mut records = Vec::with_capacity(count as usize);
        for index in 0..count {
            let Some(bytes) = client
                .fetch_storage(&EventsItem::hashed_key(&index), Some(block_hash))
                .await?
            else {
                continue;
            };
            let record = EventRecord::<Vec<u8>>::decode_all(&mut &bytes[..]).and_then(|raw| {
                RuntimeEvent::decode_all(&mut &raw.event[..]).map(|event| EventRecord {
                    phase: raw.phase,
                    event,
                })
            });
            records.push(record.map_err(|e| {
                client.bad_answer(
                    "state_getStorage",
                    format!("event {index} of block {block_hash} does not decode: {e}"),
                )
            })?);
        }
        Ok(Events {
            block_hash,
            records,
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
