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
//!   including [`Event::ExtrinsicSuccess`] / [`Event::ExtrinsicFailed`] for each extrinsic,
//!   which also carry the fee the signer paid (net of any refund).
//! - **Limits**: the weight and length consumed by the block so far, against
//!   [`Config::MAX_BLOCK_WEIGHT`] and [`Config::MAX_BLOCK_LENGTH`]. A block's weight starts at
//!   [`Config::BASE_BLOCK_WEIGHT`] (what every block costs whatever it holds: its commit's
//!   fsync), as Substrate's `BlockWeights::base_block` does, so extrinsics share the rest.
//!
//! ## Events stay out of the state
//! A block's events are not state: nothing in the runtime reads an earlier block's events, yet
//! storing each as its own trie key made them about 60 % of a transfer block's trie writes. So
//! [`Pallet::deposit_event`] appends the SCALE record to an in-memory buffer of the block's
//! externalities ([`ghost_support::Ext::deposit_event_record`]) instead of to storage. The
//! buffer follows the storage transactions (a failed dispatch drops its events with its
//! writes), is cleared by [`Pallet::initialize`], and is never part of the changes the block
//! commits, so no executor has to filter anything out. We chose the buffer over a transient
//! storage prefix stripped before commit because it cannot leak into the trie by a forgotten
//! filter (genesis, dry runs, test externalities all commit changes) and costs no overlay
//! insert per event. Execution is deterministic either way: the buffer is a function of the
//! block alone.
//!
//! One commitment per block stays in state: [`EventsDigest`] holds the blake3 hash of the
//! SCALE `Vec<EventRecord>` ([`Pallet::encoded_events`]) and the number of records, written by
//! [`Pallet::finalize`]. The node stores the encoded records per block; anyone holding them
//! checks them with one read proof of that single key against the block's state root.
//! Blocks of `spec_version` ≤ 5 kept `System.EventCount` / `System.Events` in state instead;
//! [`migration`] reads those (for old blocks) and clears the last block's on the first new one.
//!
//! ## Terms
//! - *Phase*: when an event happened: during initialization, while applying extrinsic `i`, or
//!   during finalization.

pub mod migration;
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
use parity_scale_codec::{Compact, DecodeAll};

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
    /// The weight every block uses before its first hook or extrinsic (Substrate's
    /// `BlockWeights::base_block`): counted into [`BlockWeight`] by [`Pallet::initialize`].
    /// Less than [`Self::MAX_BLOCK_WEIGHT`] (checked by `integrity_test`).
    const BASE_BLOCK_WEIGHT: Weight;
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
    /// Weight used by the block so far, [`Config::BASE_BLOCK_WEIGHT`] included.
    pub BlockWeight: Weight
);
storage_value!(PALLET,
    /// Bytes of extrinsics in the block so far.
    pub BlockLength: u32
);
storage_value!(PALLET,
    /// The commitment to the last block's events: the blake3 hash of their SCALE
    /// `Vec<EventRecord>` and their count (the records themselves are not state).
    pub EventsDigest: EventsCommitment
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

/// An event with its phase. SCALE: the phase, then the runtime event's own encoding; a block's
/// events are a SCALE `Vec<EventRecord>` ([`Pallet::encoded_events`]).
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, serde::Serialize)]
pub struct EventRecord<E> {
    /// When it happened.
    pub phase: Phase,
    /// The event.
    pub event: E,
}

/// What the state keeps of a block's events ([`EventsDigest`]).
#[derive(
    Clone, Copy, PartialEq, Eq, Debug, Default, Encode, Decode, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "camelCase")]
pub struct EventsCommitment {
    /// blake3 of the SCALE `Vec<EventRecord>` of the block's events.
    pub hash: Hash,
    /// How many records there are.
    pub count: u32,
}

impl EventsCommitment {
    /// The commitment to `encoded`, the SCALE `Vec<EventRecord>` of `count` records.
    pub fn of(encoded: &[u8], count: u32) -> EventsCommitment {
        EventsCommitment {
            hash: ghost_primitives::blake3_256(encoded),
            count,
        }
    }
}

// ---- events ----

ghost_support::pallet_enum! {
    /// Events of the system pallet.
    #[derive(serde::Serialize)]
    #[serde(rename_all = "camelCase")]
    pub enum Event {
        /// An extrinsic was applied and its call succeeded; its signer paid `fee` (tip
        /// included, net of any refund of unused weight).
        #[index = 0]
        ExtrinsicSuccess { dispatch_info: DispatchInfo, fee: Balance },
        /// An extrinsic was applied, paid its `fee` (tip included, net of any refund), and its
        /// call failed; its writes were reverted.
        #[index = 1]
        ExtrinsicFailed { dispatch_error: DispatchError, dispatch_info: DispatchInfo, fee: Balance },
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
    /// clears the previous block's events and counters (and, once, the events an older
    /// runtime left in state: [`migration`]); records the parent's hash; starts the block's
    /// weight at [`Config::BASE_BLOCK_WEIGHT`].
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
        ghost_support::ext::with_ext(|ext| ext.clear_event_records());
        migration::clear_legacy_events();
        DigestLogs::kill();
        ExtrinsicCount::kill();
        BlockWeight::put(&T::BASE_BLOCK_WEIGHT);
        BlockLength::kill();
        Ok(())
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

    /// Records the outcome of the extrinsic being applied, with the `fee` its signer paid (net
    /// of refunds), and moves to the next index.
    pub fn note_applied_extrinsic(result: &DispatchResult, info: DispatchInfo, fee: Balance) {
        let event = match result {
            Ok(()) => Event::ExtrinsicSuccess {
                dispatch_info: info,
                fee,
            },
            Err(e) => Event::ExtrinsicFailed {
                dispatch_error: e.clone(),
                dispatch_info: info,
                fee,
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

    /// Ends the block: clears transient flags and commits to the block's events in
    /// [`EventsDigest`] (call it after the last event).
    pub fn finalize() {
        unhashed::kill(finalization_flag_key());
        let (encoded, count) = Self::encoded_events_counted();
        EventsDigest::put(&EventsCommitment::of(&encoded, count));
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

    /// The most weight one extrinsic may declare: what a block has left after its base weight
    /// (a heavier one could never be included).
    pub fn max_extrinsic_weight() -> Weight {
        T::MAX_BLOCK_WEIGHT.saturating_sub(T::BASE_BLOCK_WEIGHT)
    }

    /// Adds weight used outside extrinsics (hooks) to the block's total.
    pub fn register_extra_weight(weight: Weight) {
        BlockWeight::mutate(|w| *w = w.saturating_add(weight));
    }

    // ---- events ----

    /// Deposits an event of any pallet, tagged with the current phase, into the block's event
    /// buffer (not into state: see the crate docs).
    pub fn deposit_event(event: impl Into<T::RuntimeEvent>) {
        let event: T::RuntimeEvent = event.into();
        let mut record = Self::phase().encode();
        event.encode_to(&mut record);
        ghost_support::ext::with_ext(|ext| ext.deposit_event_record(record));
    }

    /// The current phase.
    pub fn phase() -> Phase {
        match ExtrinsicIndex::get() {
            Some(i) => Phase::ApplyExtrinsic(i),
            None if unhashed::exists(&finalization_flag_key()) => Phase::Finalization,
            None => Phase::Initialization,
        }
    }

    /// The block's events so far, decoded (records that fail to decode are skipped; the
    /// runtime encoded them itself, so none does).
    pub fn events() -> Vec<EventRecord<T::RuntimeEvent>> {
        ghost_support::ext::with_ext(|ext| {
            ext.event_records()
                .iter()
                .filter_map(|r| EventRecord::<T::RuntimeEvent>::decode_all(&mut &r[..]).ok())
                .collect()
        })
    }

    /// How many events the block has deposited so far.
    pub fn event_count() -> u32 {
        ghost_support::ext::with_ext(|ext| ext.event_records().len() as u32)
    }

    /// The events deposited after the first `from` of the block, decoded (a dry run's own).
    pub fn events_since(from: u32) -> Vec<EventRecord<T::RuntimeEvent>> {
        ghost_support::ext::with_ext(|ext| {
            ext.event_records()
                .iter()
                .skip(from as usize)
                .filter_map(|r| EventRecord::<T::RuntimeEvent>::decode_all(&mut &r[..]).ok())
                .collect()
        })
    }

    /// The block's events so far as SCALE `Vec<EventRecord>`: what the node stores and serves
    /// per block and [`EventsDigest`] commits to.
    pub fn encoded_events() -> Vec<u8> {
        Self::encoded_events_counted().0
    }

    fn encoded_events_counted() -> (Vec<u8>, u32) {
        ghost_support::ext::with_ext(|ext| {
            let records = ext.event_records();
            let count = records.len() as u32;
            let body: usize = records.iter().map(Vec::len).sum();
            let mut encoded = Vec::with_capacity(body.saturating_add(5));
            Compact(count).encode_to(&mut encoded);
            for record in records {
                encoded.extend_from_slice(record);
            }
            (encoded, count)
        })
    }

    /// The commitment to the events of the block whose post-state this is.
    pub fn events_digest() -> Option<EventsCommitment> {
        EventsDigest::get()
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
                EventsDigest::meta(),
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
                    name: "BaseBlockWeight",
                    value: T::BASE_BLOCK_WEIGHT.ref_time().into(),
                    docs: "The weight every block uses before any extrinsic (ps).",
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
        assert!(
            T::BASE_BLOCK_WEIGHT < T::MAX_BLOCK_WEIGHT,
            "BASE_BLOCK_WEIGHT must leave room for extrinsics"
        );
        assert!(T::MAX_BLOCK_LENGTH > 0, "MAX_BLOCK_LENGTH must be positive");
    }
}

/// The key of the flag `note_finished_extrinsics` sets; hashed once (every event outside an
/// extrinsic reads it, through [`Pallet::phase`]).
fn finalization_flag_key() -> Vec<u8> {
    static KEY: std::sync::OnceLock<[u8; 32]> = std::sync::OnceLock::new();
    KEY.get_or_init(|| ghost_support::storage::storage_prefix(PALLET, "InFinalization"))
        .to_vec()
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
