//! # System pallet
//!
//! The pallet every runtime has first: it knows which block is being executed and keeps the
//! per-block and per-account bookkeeping the other pallets and the executive rely on.
//!
//! ## Overview
//! - **Block context**: the current block number, the parent hash, the block's timestamp (taken
//!   from the header and checked to move forward) and the hashes of recent blocks (for mortal
//!   extrinsics, which sign the hash of their birth block).
//! - **Accounts**: the nonce of every account (the balances pallet keeps balances).
//! - **Events**: every event of the block with its [`Phase`] (the extrinsic that caused it),
//!   including [`Event::ExtrinsicSuccess`] / [`Event::ExtrinsicFailed`] for each extrinsic.
//!   Events are cleared at the start of the next block; the node indexes them per block.
//! - **Limits**: the weight and length consumed by the block so far, against
//!   [`Config::MAX_BLOCK_WEIGHT`] and [`Config::MAX_BLOCK_LENGTH`].
//!
//! ## Terms
//! - *Phase*: when an event happened: during initialization, while applying extrinsic `i`, or
//!   during finalization.

#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
pub mod weights;

use std::marker::PhantomData;

use ghost_primitives::DigestItem;
use ghost_support::metadata::{ConstantMeta, PalletMetadata, errors_of};
use ghost_support::prelude::*;
use ghost_support::storage::unhashed;

pub use weights::WeightInfo;

/// The pallet's name in storage prefixes and errors.
pub const PALLET: &str = "System";

/// Configuration of the system pallet.
pub trait Config: 'static {
    /// The runtime's aggregated event type.
    type RuntimeEvent: From<Event> + Encode + Decode + Clone + core::fmt::Debug;
    /// Weights of this pallet's calls.
    type WeightInfo: WeightInfo;
    /// How many recent block hashes are kept (the longest mortality period).
    const BLOCK_HASH_COUNT: u64;
    /// The most weight one block may use.
    const MAX_BLOCK_WEIGHT: Weight;
    /// The most bytes of extrinsics one block may hold.
    const MAX_BLOCK_LENGTH: u32;
}

/// The pallet.
pub struct Pallet<T>(PhantomData<T>);

// ---- storage ----

storage_value!(PALLET,
    /// The chain's id from its spec: makes the genesis state, hence the genesis hash, unique.
    pub ChainId: Vec<u8>
);
storage_value!(PALLET,
    /// The number of the block being executed (of the last block, between blocks).
    pub Number: BlockNumber
);
storage_value!(PALLET,
    /// The hash of the parent of the block being executed.
    pub ParentHash: Hash
);
storage_value!(PALLET,
    /// The timestamp (ms) of the block being executed, from its header.
    pub Now: Moment
);
storage_map!(PALLET,
    /// Hashes of the last `BLOCK_HASH_COUNT` blocks, by number.
    pub BlockHash: map Blake3_128Concat BlockNumber => Hash
);
storage_map!(PALLET,
    /// The next nonce of each account that has sent a transaction.
    pub AccountNonce: map Blake3_128Concat AccountId => Nonce
);
storage_value!(PALLET,
    /// Index of the extrinsic being applied (absent outside extrinsic application).
    pub ExtrinsicIndex: u32
);
storage_value!(PALLET,
    /// How many extrinsics this block has applied.
    pub ExtrinsicCount: u32
);
storage_value!(PALLET,
    /// Weight used by the block so far.
    pub BlockWeight: Weight
);
storage_value!(PALLET,
    /// Bytes of extrinsics in the block so far.
    pub BlockLength: u32
);
storage_value!(PALLET,
    /// How many events the block has deposited.
    pub EventCount: u32
);
storage_map!(PALLET,
    /// The block's events by index, each with its phase (SCALE `EventRecord`).
    pub Events: map Identity u32 => EventRecord<Vec<u8>>
);
storage_value!(PALLET,
    /// Digest items the runtime produced in this block (e.g. an authority-set change), which the
    /// author appends to the header and every importer checks.
    pub DigestLogs: Vec<DigestItem>
);

/// When an event happened within the block.
#[derive(
    Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "camelCase")]
pub enum Phase {
    /// In `on_initialize` hooks.
    Initialization,
    /// While applying the extrinsic with this index.
    ApplyExtrinsic(u32),
    /// In `on_finalize` hooks.
    Finalization,
}

/// An event with its phase. Stored with `E = Vec<u8>` (the SCALE runtime event), read back
/// typed with [`Pallet::events`].
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, serde::Serialize)]
pub struct EventRecord<E> {
    /// When it happened.
    pub phase: Phase,
    /// The event.
    pub event: E,
}

// ---- events ----

ghost_support::pallet_enum! {
    /// Events of the system pallet.
    #[derive(serde::Serialize)]
    #[serde(rename_all = "camelCase")]
    pub enum Event {
        /// An extrinsic was applied and its call succeeded.
        #[index = 0]
        ExtrinsicSuccess { dispatch_info: DispatchInfo },
        /// An extrinsic was applied, paid its fee, and its call failed; its writes were reverted.
        #[index = 1]
        ExtrinsicFailed { dispatch_error: DispatchError, dispatch_info: DispatchInfo },
        /// A remark was made (the blake3 hash of its bytes).
        #[index = 2]
        Remarked { sender: AccountId, hash: Hash },
    }
}

// ---- errors ----

pallet_error! {
    /// Errors of the system pallet.
    pub enum Error for "System" {
        /// The block's timestamp is not later than its parent's.
        TimestampNotIncreasing,
        /// The block's number does not follow its parent's.
        NonSequentialBlockNumber,
        /// The remark is longer than the limit.
        RemarkTooLong,
    }
}

// ---- calls ----

ghost_support::pallet_enum! {
    /// Calls of the system pallet.
    #[derive(serde::Serialize)]
    #[serde(rename_all = "camelCase")]
    pub enum Call {
        /// Records a remark on chain (only its hash goes into the event). Origin: signed.
        /// Errors: `RemarkTooLong` above 16 KiB. Cost: linear in the remark's length.
        #[index = 0]
        Remark { remark: Vec<u8> },
    }
}

/// The longest remark accepted.
pub const MAX_REMARK_LEN: usize = 16 * 1024;

impl<T: Config> Pallet<T> {
    /// The weight and fee class of `call`, known before it runs.
    pub fn dispatch_info(call: &Call) -> DispatchInfo {
        match call {
            Call::Remark { remark } => {
                DispatchInfo::paying(T::WeightInfo::remark(remark.len() as u32))
            }
        }
    }

    /// Dispatches `call` from `origin`.
    pub fn dispatch(call: Call, origin: Origin) -> DispatchResult {
        match call {
            Call::Remark { remark } => Self::remark(origin, remark),
        }
    }

    /// See [`Call::Remark`].
    pub fn remark(origin: Origin, remark: Vec<u8>) -> DispatchResult {
        let sender = ensure_signed(origin)?;
        ensure!(remark.len() <= MAX_REMARK_LEN, Error::RemarkTooLong);
        Self::deposit_event(Event::Remarked {
            sender,
            hash: ghost_primitives::blake3_256(&remark),
        });
        Ok(())
    }

    // ---- block lifecycle (called by the executive) ----

    /// Starts block `number` on top of `parent_hash`, at `timestamp_ms`.
    ///
    /// Checks that the number follows the previous block's and that the timestamp moves forward;
    /// clears the previous block's events and counters; records the parent's hash.
    pub fn initialize(
        number: BlockNumber,
        parent_hash: Hash,
        timestamp_ms: Moment,
    ) -> Result<(), DispatchError> {
        let previous = Number::get().unwrap_or(0);
        ensure!(
            number == previous.saturating_add(1),
            Error::NonSequentialBlockNumber
        );
        if let Some(previous_time) = Now::get() {
            ensure!(timestamp_ms > previous_time, Error::TimestampNotIncreasing);
        }
        Number::put(&number);
        ParentHash::put(&parent_hash);
        Now::put(&timestamp_ms);
        BlockHash::insert(&previous, &parent_hash);
        // Block 0's hash is the genesis hash every signature covers: it is never pruned.
        if let Some(expired) = previous.checked_sub(T::BLOCK_HASH_COUNT)
            && expired != 0
        {
            BlockHash::remove(&expired);
        }
        Self::reset_events();
        DigestLogs::kill();
        ExtrinsicCount::kill();
        BlockWeight::kill();
        BlockLength::kill();
        Ok(())
    }

    fn reset_events() {
        let count = EventCount::get().unwrap_or(0);
        for index in 0..count {
            Events::remove(&index);
        }
        EventCount::kill();
    }

    /// Adds a runtime-produced item to the block's header digest.
    pub fn deposit_log(item: DigestItem) {
        DigestLogs::mutate(|logs| logs.push(item));
    }

    /// The digest items the runtime produced in the current block, in order.
    pub fn digest_logs() -> Vec<DigestItem> {
        DigestLogs::get_or_default()
    }

    /// Marks the start of extrinsic `index`.
    pub fn note_extrinsic_start(index: u32) {
        ExtrinsicIndex::put(&index);
    }

    /// Records the outcome of the extrinsic being applied and moves to the next index.
    pub fn note_applied_extrinsic(result: &DispatchResult, info: DispatchInfo) {
        let event = match result {
            Ok(()) => Event::ExtrinsicSuccess {
                dispatch_info: info,
            },
            Err(e) => Event::ExtrinsicFailed {
                dispatch_error: e.clone(),
                dispatch_info: info,
            },
        };
        Self::deposit_event(event);
        let next = ExtrinsicIndex::get().unwrap_or(0).saturating_add(1);
        ExtrinsicCount::put(&next);
        ExtrinsicIndex::kill();
    }

    /// Marks the start of finalization (events from here on have [`Phase::Finalization`]).
    pub fn note_finished_extrinsics() {
        ExtrinsicIndex::kill();
        unhashed::put(finalization_flag_key(), &true);
    }

    /// Ends the block: clears transient flags.
    pub fn finalize() {
        unhashed::kill(finalization_flag_key());
    }

    /// Adds `weight` and `length` to the block's totals if they fit its limits.
    pub fn try_consume(weight: Weight, length: u32) -> Result<(), InvalidTransaction> {
        let new_weight = BlockWeight::get_or_default().saturating_add(weight);
        let new_length = BlockLength::get_or_default().saturating_add(length);
        if new_weight > T::MAX_BLOCK_WEIGHT || new_length > T::MAX_BLOCK_LENGTH {
            return Err(InvalidTransaction::ExhaustsResources);
        }
        BlockWeight::put(&new_weight);
        BlockLength::put(&new_length);
        Ok(())
    }

    /// Adds weight used outside extrinsics (hooks) to the block's total.
    pub fn register_extra_weight(weight: Weight) {
        BlockWeight::mutate(|w| *w = w.saturating_add(weight));
    }

    // ---- events ----

    /// Deposits an event of any pallet, tagged with the current phase.
    pub fn deposit_event(event: impl Into<T::RuntimeEvent>) {
        let event: T::RuntimeEvent = event.into();
        let index = EventCount::get().unwrap_or(0);
        let record = EventRecord {
            phase: Self::phase(),
            event: event.encode(),
        };
        Events::insert(&index, &record);
        EventCount::put(&index.saturating_add(1));
    }

    /// The current phase.
    pub fn phase() -> Phase {
        match ExtrinsicIndex::get() {
            Some(i) => Phase::ApplyExtrinsic(i),
            None if unhashed::exists(&finalization_flag_key()) => Phase::Finalization,
            None => Phase::Initialization,
        }
    }

    /// The block's events so far, decoded (records that fail to decode are skipped).
    pub fn events() -> Vec<EventRecord<T::RuntimeEvent>> {
        let count = EventCount::get().unwrap_or(0);
        (0..count)
            .filter_map(|i| Events::get(&i))
            .filter_map(|r| {
                let event = T::RuntimeEvent::decode(&mut &r.event[..]).ok()?;
                Some(EventRecord {
                    phase: r.phase,
                    event,
                })
            })
            .collect()
    }

    // ---- accessors ----

    /// The current block number.
    pub fn block_number() -> BlockNumber {
        Number::get().unwrap_or(0)
    }

    /// The current block's timestamp (ms).
    pub fn now() -> Moment {
        Now::get().unwrap_or(0)
    }

    /// The hash of block `number`, if recent enough to be kept.
    pub fn block_hash(number: BlockNumber) -> Option<Hash> {
        BlockHash::get(&number)
    }

    /// The next nonce of `who`.
    pub fn account_nonce(who: &AccountId) -> Nonce {
        AccountNonce::get(who).unwrap_or(0)
    }

    /// Increments the nonce of `who`.
    pub fn inc_account_nonce(who: &AccountId) {
        AccountNonce::mutate(who, |n| *n = n.saturating_add(1));
    }

    /// The pallet's metadata.
    pub fn metadata(index: u8) -> PalletMetadata {
        PalletMetadata {
            name: PALLET,
            index,
            calls: Call::metadata(),
            events: Event::metadata(),
            errors: errors_of::<Error>(),
            storage: vec![
                ChainId::meta(),
                Number::meta(),
                ParentHash::meta(),
                Now::meta(),
                BlockHash::meta(),
                AccountNonce::meta(),
                ExtrinsicIndex::meta(),
                ExtrinsicCount::meta(),
                BlockWeight::meta(),
                BlockLength::meta(),
                EventCount::meta(),
                Events::meta(),
                DigestLogs::meta(),
            ],
            constants: vec![
                ConstantMeta {
                    name: "BlockHashCount",
                    value: T::BLOCK_HASH_COUNT.into(),
                    docs: "How many recent block hashes are kept.",
                },
                ConstantMeta {
                    name: "MaxBlockWeight",
                    value: T::MAX_BLOCK_WEIGHT.ref_time().into(),
                    docs: "The most weight one block may use (ps).",
                },
                ConstantMeta {
                    name: "MaxBlockLength",
                    value: T::MAX_BLOCK_LENGTH.into(),
                    docs: "The most bytes of extrinsics one block may hold.",
                },
            ],
        }
    }
}

impl<T: Config> Hooks for Pallet<T> {
    fn integrity_test() {
        assert!(T::BLOCK_HASH_COUNT > 0, "BLOCK_HASH_COUNT must be positive");
        assert!(
            T::MAX_BLOCK_WEIGHT > Weight::ZERO,
            "MAX_BLOCK_WEIGHT must be positive"
        );
        assert!(T::MAX_BLOCK_LENGTH > 0, "MAX_BLOCK_LENGTH must be positive");
    }
}

fn finalization_flag_key() -> Vec<u8> {
    ghost_support::storage::storage_prefix(PALLET, "InFinalization").to_vec()
}

/// The genesis state of the system pallet: block 0 at `timestamp_ms`.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GenesisConfig {
    /// The genesis timestamp (ms); blocks must come later.
    #[serde(default)]
    pub timestamp_ms: Moment,
    /// The chain's id (stored, so different chains get different genesis hashes).
    #[serde(default)]
    pub chain_id: String,
}

impl GenesisConfig {
    /// Writes the genesis state.
    pub fn build(&self) {
        Number::put(&0);
        Now::put(&self.timestamp_ms);
        ChainId::put(&self.chain_id.as_bytes().to_vec());
    }
}

use ghost_primitives::InvalidTransaction;
