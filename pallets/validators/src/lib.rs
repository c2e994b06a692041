//! # Validators pallet
//!
//! The authority set of the chain, kept in state so that the genesis hash commits to it and it
//! can change: the same ed25519 keys author blocks (Aura, round-robin by slot) and vote on
//! finality (GRANDPA). One key per validator serves as its account, Aura key and GRANDPA key
//! (documented simplification: no session keys yet).
//!
//! ## Sessions
//! Time is cut into sessions of [`SessionLength`] blocks. Root (a sudo key in the chain spec)
//! queues changes with [`Call::AddValidator`] / [`Call::RemoveValidator`]; they take effect at
//! the start of the next session: in the first block of that session, `on_initialize` makes the
//! queued set current, bumps the GRANDPA [`SetId`] (recording the block in [`SetChanges`]), and deposits a
//! [`GrandpaLog::ScheduledChange`](ghost_primitives::GrandpaLog) digest item with delay 0, as
//! Substrate's `pallet-grandpa` signals `ScheduledChange`.
//!
//! Aura checks the author of block `n` against the set in the state of block `n - 1`, so the new
//! set authors from the block after the session's first block on.
//!
//! ## Equivocations
//! Any signed account may report a GRANDPA equivocation of a current validator with
//! [`Call::ReportEquivocation`]: two different votes of one kind, in one round of the current
//! set, both validly signed. The runtime checks the proof and records it per offender
//! ([`Offences`]: how many, and the last round reported, so a round is never counted twice).
//! Likewise a block equivocation with [`Call::ReportBlockEquivocation`]: two different headers
//! claiming one Aura slot, both sealed by that slot's author under the current set (the proof
//! Substrate's `sp_consensus_slots::EquivocationProof` carries). The slot must not be in the
//! future nor more than [`Config::MAX_EQUIVOCATION_AGE_SLOTS`] behind the current block's slot
//! (its timestamp ÷ [`SlotDuration`]), and is recorded once per offender: a report must be for a
//! later slot than the last one recorded.
//!
//! There is no stake to slash yet: the record and the `EquivocationReported` event are what
//! governance (root) acts on, e.g. with [`Call::RemoveValidator`].
//!
//! ## Bounds
//! The set holds at most [`Config::MAX_VALIDATORS`] keys and never becomes empty. [`Offences`]
//! holds one entry per validator that ever equivocated (only current validators can be
//! reported).

#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
pub mod weights;

use std::marker::PhantomData;

use ghost_primitives::{AuraEquivocation, GrandpaEquivocation, GrandpaLog, ScheduledChange};
use ghost_support::metadata::{ConstantMeta, PalletMetadata, errors_of};
use ghost_support::prelude::*;
use pallet_system as system;

pub use weights::WeightInfo;

/// The pallet's name in storage prefixes and errors.
pub const PALLET: &str = "Validators";

/// Configuration of the validators pallet.
pub trait Config: system::Config<RuntimeEvent: From<Event>> {
    /// Weights of this pallet's calls.
    type ValidatorsWeightInfo: WeightInfo;
    /// The largest validator set.
    const MAX_VALIDATORS: u32;
    /// How many slots behind the current one a block equivocation may still be reported.
    const MAX_EQUIVOCATION_AGE_SLOTS: u64;
}

/// The pallet.
pub struct Pallet<T>(PhantomData<T>);

// ---- storage ----

storage_value!(PALLET,
    /// The current validators, in authoring order (slot `s` belongs to `validators[s % len]`).
    pub Validators: Vec<AccountId>
);
storage_value!(PALLET,
    /// The set queued for the next session boundary, if root changed it this session.
    pub Queued: Vec<AccountId>
);
storage_value!(PALLET,
    /// The GRANDPA voter set id: 0 at genesis, +1 at each set change.
    pub SetId: u64
);
storage_value!(PALLET,
    /// Blocks per session.
    pub SessionLength: BlockNumber
);
storage_value!(PALLET,
    /// The Aura slot duration in ms (the chain spec's), to tell a block's slot from its time.
    pub SlotDuration: u64
);
storage_value!(PALLET,
    /// The current session index (`block number / session length`, counted at boundaries).
    pub CurrentSession: u64
);

/// The equivocations recorded against one validator.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Encode, Decode, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OffenceRecord {
    /// How many GRANDPA rounds it equivocated in.
    pub count: u32,
    /// The last reported `(set id, round)`; reports must be later.
    pub last: (u64, u64),
    /// How many Aura slots it sealed two blocks in.
    pub blocks: u32,
    /// The last slot reported for a block equivocation; reports must be later.
    pub last_slot: u64,
}

storage_map!(PALLET,
    /// The block that enacted each voter set after the first: set id → number of the block
    /// whose header carries its `ScheduledChange`. A node finds there the blocks whose
    /// justifications a light client needs to follow the set from genesis (one entry per set
    /// change, as Substrate's `pallet-grandpa` keeps `SetIdSession`).
    pub SetChanges: map Identity u64 => BlockNumber
);
storage_map!(PALLET,
    /// Equivocations proven against each validator.
    pub Offences: map Blake3_128Concat AccountId => OffenceRecord
);

// ---- events ----

ghost_support::pallet_enum! {
    /// Events of the validators pallet.
    #[derive(serde::Serialize)]
    #[serde(rename_all = "camelCase")]
    pub enum Event {
        /// Root queued `who` to join the set at the next session boundary.
        #[index = 0]
        ValidatorAdded { who: AccountId },
        /// Root queued `who` to leave the set at the next session boundary.
        #[index = 1]
        ValidatorRemoved { who: AccountId },
        /// A session began; with `set_id` changed when the queued set took effect.
        #[index = 2]
        NewSession { index: u64, set_id: u64, validators: Vec<AccountId> },
        /// `offender` signed two different votes in `round` of voter set `set_id`.
        #[index = 3]
        EquivocationReported { offender: AccountId, set_id: u64, round: u64 },
        /// `offender` sealed two different blocks in Aura slot `slot`.
        #[index = 4]
        BlockEquivocationReported { offender: AccountId, slot: u64 },
    }
}

// ---- errors ----

pallet_error! {
    /// Errors of the validators pallet.
    pub enum Error for "Validators" {
        /// The account is already in the (queued) set.
        AlreadyValidator,
        /// The account is not in the (queued) set.
        NotValidator,
        /// The set would exceed `MAX_VALIDATORS`.
        TooManyValidators,
        /// The set would become empty.
        WouldEmptySet,
        /// The equivocation proof's votes are not two different, validly signed votes.
        InvalidEquivocationProof,
        /// The proof is for another voter set than the current one, or (a block equivocation)
        /// for a slot in the future or too far in the past.
        StaleEquivocation,
        /// This round or slot (or a later one) of the offender was reported already.
        DuplicateEquivocation,
    }
}

// ---- calls ----

ghost_support::pallet_enum! {
    /// Calls of the validators pallet.
    #[derive(serde::Serialize)]
    #[serde(rename_all = "camelCase")]
    pub enum Call {
        /// Queues `who` to join the validator set at the next session boundary. Origin: root.
        /// Errors: `AlreadyValidator`, `TooManyValidators`.
        #[index = 0]
        AddValidator { who: AccountId },
        /// Queues `who` to leave the validator set at the next session boundary. Origin: root.
        /// Errors: `NotValidator`, `WouldEmptySet`.
        #[index = 1]
        RemoveValidator { who: AccountId },
        /// Records a GRANDPA equivocation of a current validator. Origin: signed (anyone).
        /// Errors: `StaleEquivocation`, `NotValidator`, `InvalidEquivocationProof`,
        /// `DuplicateEquivocation`.
        #[index = 2]
        ReportEquivocation { proof: GrandpaEquivocation },
        /// Records an Aura block equivocation of the slot's author: two different headers of
        /// one slot, both sealed by it. Origin: signed (anyone). Errors: `NotValidator`,
        /// `InvalidEquivocationProof`, `StaleEquivocation`, `DuplicateEquivocation`. Cost:
        /// two header hashes and two ed25519 verifications.
        #[index = 3]
        ReportBlockEquivocation { proof: AuraEquivocation },
    }
}

impl<T: Config> Pallet<T> {
    /// The weight and fee class of `call`.
    pub fn dispatch_info(call: &Call) -> DispatchInfo {
        let weight = match call {
            Call::AddValidator { .. } => T::ValidatorsWeightInfo::add_validator(),
            Call::RemoveValidator { .. } => T::ValidatorsWeightInfo::remove_validator(),
            Call::ReportEquivocation { .. } => T::ValidatorsWeightInfo::report_equivocation(),
            Call::ReportBlockEquivocation { .. } => {
                T::ValidatorsWeightInfo::report_block_equivocation()
            }
        };
        DispatchInfo::paying(weight)
    }

    /// Dispatches `call` from `origin`.
    pub fn dispatch(call: Call, origin: Origin) -> DispatchResult {
        if let Call::ReportEquivocation { proof } = call {
            ensure_signed(origin)?;
            return Self::report_equivocation(proof);
        }
        if let Call::ReportBlockEquivocation { proof } = call {
            ensure_signed(origin)?;
            return Self::report_block_equivocation(proof);
        }
        ensure_root(origin)?;
        let mut next = Self::next_set();
        match call {
            Call::AddValidator { who } => {
                ensure!(!next.contains(&who), Error::AlreadyValidator);
                ensure!(
                    next.len() < T::MAX_VALIDATORS as usize,
                    Error::TooManyValidators
                );
                next.push(who);
                Queued::put(&next);
                Self::deposit_event(Event::ValidatorAdded { who });
            }
            Call::RemoveValidator { who } => {
                let position = next
                    .iter()
                    .position(|v| *v == who)
                    .ok_or(Error::NotValidator)?;
                ensure!(next.len() > 1, Error::WouldEmptySet);
                next.remove(position);
                Queued::put(&next);
                Self::deposit_event(Event::ValidatorRemoved { who });
            }
            Call::ReportEquivocation { .. } | Call::ReportBlockEquivocation { .. } => {
                unreachable!("handled above")
            }
        }
        Ok(())
    }

    fn report_equivocation(proof: GrandpaEquivocation) -> DispatchResult {
        ensure!(proof.set_id == Self::set_id(), Error::StaleEquivocation);
        ensure!(
            Self::validators().contains(&proof.offender),
            Error::NotValidator
        );
        let genesis = system::Pallet::<T>::block_hash(0).unwrap_or_default();
        ensure!(proof.check(&genesis), Error::InvalidEquivocationProof);
        let mut record = Offences::get(&proof.offender).unwrap_or_default();
        ensure!(
            record.count == 0 || (proof.set_id, proof.round) > record.last,
            Error::DuplicateEquivocation
        );
        record.count = record.count.saturating_add(1);
        record.last = (proof.set_id, proof.round);
        Offences::insert(&proof.offender, &record);
        Self::deposit_event(Event::EquivocationReported {
            offender: proof.offender,
            set_id: proof.set_id,
            round: proof.round,
        });
        Ok(())
    }

    fn report_block_equivocation(proof: AuraEquivocation) -> DispatchResult {
        ensure!(
            Self::validators().contains(&proof.offender),
            Error::NotValidator
        );
        ensure!(
            Self::slot_author(proof.slot) == Some(proof.offender),
            Error::InvalidEquivocationProof
        );
        let current = Self::current_slot();
        ensure!(
            proof.slot <= current && current - proof.slot <= T::MAX_EQUIVOCATION_AGE_SLOTS,
            Error::StaleEquivocation
        );
        let mut record = Offences::get(&proof.offender).unwrap_or_default();
        ensure!(
            record.blocks == 0 || proof.slot > record.last_slot,
            Error::DuplicateEquivocation
        );
        ensure!(proof.check(), Error::InvalidEquivocationProof);
        record.blocks = record.blocks.saturating_add(1);
        record.last_slot = proof.slot;
        Offences::insert(&proof.offender, &record);
        Self::deposit_event(Event::BlockEquivocationReported {
            offender: proof.offender,
            slot: proof.slot,
        });
        Ok(())
    }

    /// The Aura slot of the current block: its timestamp ÷ [`SlotDuration`].
    pub fn current_slot() -> u64 {
        system::Pallet::<T>::now() / SlotDuration::get().unwrap_or(1).max(1)
    }

    /// The equivocations proven against `who`.
    pub fn offences(who: &AccountId) -> OffenceRecord {
        Offences::get(who).unwrap_or_default()
    }

    /// The current validators (Aura authorities and GRANDPA voters).
    pub fn validators() -> Vec<AccountId> {
        Validators::get_or_default()
    }

    /// The set that will be current after the next session boundary.
    pub fn next_set() -> Vec<AccountId> {
        Queued::get().unwrap_or_else(Self::validators)
    }

    /// The GRANDPA set id.
    pub fn set_id() -> u64 {
        SetId::get_or_default()
    }

    /// The number of the block that enacted voter set `set_id` (`None` for the genesis set and
    /// for sets not enacted yet).
    pub fn set_change_block(set_id: u64) -> Option<BlockNumber> {
        SetChanges::get(&set_id)
    }

    /// Blocks per session.
    pub fn session_length() -> BlockNumber {
        SessionLength::get().unwrap_or(1).max(1)
    }

    /// The Aura author of `slot` under the current set.
    pub fn slot_author(slot: u64) -> Option<AccountId> {
        let set = Self::validators();
        let len = u64::try_from(set.len()).ok().filter(|len| *len > 0)?;
        set.get(usize::try_from(slot % len).ok()?).copied()
    }

    /// Starts a new session at a boundary: a queued set becomes current and is signalled to
    /// GRANDPA. Returns the weight used.
    fn on_session_boundary(number: BlockNumber) -> Weight {
        let index = number / Self::session_length();
        CurrentSession::put(&index);
        let Some(queued) = Queued::get() else {
            return T::ValidatorsWeightInfo::no_session();
        };
        Queued::kill();
        let set_id = Self::set_id().saturating_add(1);
        Validators::put(&queued);
        SetId::put(&set_id);
        SetChanges::insert(&set_id, &number);
        system::Pallet::<T>::deposit_log(
            GrandpaLog::ScheduledChange(ScheduledChange {
                next_authorities: queued.iter().map(|v| (*v, 1)).collect(),
                delay: 0,
            })
            .to_digest_item(),
        );
        Self::deposit_event(Event::NewSession {
            index,
            set_id,
            validators: queued,
        });
        T::ValidatorsWeightInfo::new_session()
    }

    fn deposit_event(event: Event) {
        system::Pallet::<T>::deposit_event(event);
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
                Validators::meta(),
                Queued::meta(),
                SetId::meta(),
                SetChanges::meta(),
                SessionLength::meta(),
                SlotDuration::meta(),
                CurrentSession::meta(),
                Offences::meta(),
            ],
            constants: vec![
                ConstantMeta {
                    name: "MaxValidators",
                    value: T::MAX_VALIDATORS.into(),
                    docs: "The largest validator set.",
                },
                ConstantMeta {
                    name: "MaxEquivocationAgeSlots",
                    value: T::MAX_EQUIVOCATION_AGE_SLOTS.into(),
                    docs: "How many slots behind the current one a block equivocation may still be reported.",
                },
            ],
        }
    }
}

impl<T: Config> Hooks for Pallet<T> {
    fn on_initialize(n: BlockNumber) -> Weight {
        if n.is_multiple_of(Self::session_length()) {
            Self::on_session_boundary(n)
        } else {
            T::ValidatorsWeightInfo::no_session()
        }
    }

    fn integrity_test() {
        assert!(T::MAX_VALIDATORS > 0, "MAX_VALIDATORS must be positive");
    }
}

// ---- genesis ----

/// Genesis config: the first validator set and the session length.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GenesisConfig {
    /// The validators of the first session, in authoring order.
    pub validators: Vec<AccountId>,
    /// Blocks per session (set changes take effect at multiples of it).
    pub session_length: BlockNumber,
    /// The Aura slot duration in ms: not part of the JSON section, the chain spec copies its
    /// `consensus.slotDurationMs` here before building genesis.
    #[serde(skip)]
    pub slot_duration_ms: u64,
}

/// Why a genesis config cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GenesisError {
    /// No validators.
    #[error("the validator set is empty")]
    NoValidators,
    /// A validator appears twice.
    #[error("validator {0} appears twice")]
    DuplicateValidator(AccountId),
    /// More than `MAX_VALIDATORS`.
    #[error("{count} validators exceed the maximum of {max}")]
    TooManyValidators {
        /// How many were given.
        count: usize,
        /// The limit.
        max: u32,
    },
    /// A zero session length.
    #[error("the session length must be at least one block")]
    ZeroSessionLength,
    /// A zero slot duration.
    #[error("the slot duration must be at least one ms")]
    ZeroSlotDuration,
}

impl GenesisConfig {
    /// Writes the genesis state.
    pub fn build<T: Config>(&self) -> Result<(), GenesisError> {
        if self.validators.is_empty() {
            return Err(GenesisError::NoValidators);
        }
        if self.validators.len() > T::MAX_VALIDATORS as usize {
            return Err(GenesisError::TooManyValidators {
                count: self.validators.len(),
                max: T::MAX_VALIDATORS,
            });
        }
        for (i, v) in self.validators.iter().enumerate() {
            if self.validators[..i].contains(v) {
                return Err(GenesisError::DuplicateValidator(*v));
            }
        }
        if self.session_length == 0 {
            return Err(GenesisError::ZeroSessionLength);
        }
        if self.slot_duration_ms == 0 {
            return Err(GenesisError::ZeroSlotDuration);
        }
        Validators::put(&self.validators);
        SetId::put(&0);
        SessionLength::put(&self.session_length);
        SlotDuration::put(&self.slot_duration_ms);
        CurrentSession::put(&0);
        Ok(())
    }
}
