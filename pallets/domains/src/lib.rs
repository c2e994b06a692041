//! # Domains pallet
//!
//! `.ghost` and `.bc` names as ENS-grade assets: registered with commit-reveal, priced per year
//! by label length, renewed by anyone, transferred, delegated, given typed DNS and web3 records,
//! subnames, reverse (primary) names, and records updated by off-chain signatures that any relayer
//! can submit. Contracts can own names like any account.
//!
//! ## Overview
//! - A name (`alice.ghost`) is keyed by its [`namehash`](ghost_primitives::namehash). Its
//!   [`DomainInfo`] holds owner, expiry and delegation; its [`NameRecords`] hold DNS records
//!   (A, AAAA, CNAME, TXT, MX, NS, SRV, CAA, TLSA at owner-chosen labels, with TTLs) and web3
//!   records (addresses per coin type, texts, content hash), bounded per name by the chain spec.
//! - **Registration** (`commit` then `register`) front-running-proofs a registration: the
//!   commitment `blake3(SCALE(name, owner, secret, duration_ms, blake3(SCALE(records))))` binds
//!   everything the reveal sets and must be between `min_commitment_age_ms` and
//!   `max_commitment_age_ms` old. With `min_commitment_age_ms = 0` (dev chains) `register` works
//!   without one. A commitment holds a deposit (see *Deposits*) until it is revealed or, unrevealed
//!   past the maximum age, swept from the expiry queue. The fee (`yearly_price(label length) × duration / year`) goes to the treasury.
//!   Reserved labels ([`ALWAYS_RESERVED`] and the chain spec's list) cannot be registered.
//! - **Expiry**: a name resolves until `expires_at` (header time). Then it is in *grace* for
//!   `grace_period_ms`: it does not resolve, and only a renewal (by anyone) can save it. After
//!   grace anyone may register it and its records are gone. An expiry queue ordered by time is
//!   swept in `on_finalize`, at most `max_expiries_per_block` entries per block, emitting
//!   `Expired` and `Released`; what is left waits for the next block. Reads never depend on the
//!   sweep: status is computed from the stored expiry and the block time.
//! - **Subnames** (`set_subname_owner`) inherit the expiry of their registered root name and die
//!   with its registration. The parent's owner controls them unless it locked them away. A label
//!   that is a subname belongs to the subname's owner: the parent holds no records there.
//! - **Deposits**: a subname and a commitment are state an account creates for free otherwise, so
//!   each reserves `DEPOSIT_PER_BYTE × bytes + DEPOSIT_PER_ITEM × entries` of what it stores
//!   from the transaction's signer ([`ghost_support::deposit`], the helper the contracts pallet
//!   uses: when a contract acts, its caller pays within its `storage_deposit_limit`). The payer
//!   is recorded and gets it back when the subname is removed or the commitment is revealed or
//!   swept.
//! - **Records** change by `set_records` (at most `max_changes_per_call` changes, applied in
//!   O(n log n), see [`records::apply_changes`]). TTLs are at most [`MAX_RECORD_TTL`].
//! - **Delegation**: `approve` (one name) and `set_operator` (all names of an owner), as ERC-721.
//! - **Signed updates** (`set_records_signed`, `batch_set_records_signed`): the owner or the
//!   name's update key signs `SIGNED_UPDATE_TAG ++ SCALE(genesis_hash, domain, contract_id,
//!   records, owner, timestamp, sequence)` off chain; any account relays it and pays. The genesis
//!   hash ties it to one chain; `sequence` must equal the name's `update_sequence`, which every
//!   record change (signed or direct) moves on, so an update applies at most once and never over
//!   newer records. Timestamps must also increase per name and lie within
//!   `signed_update_window_ms` of the block time.
//!
//! ## Terms
//! - *Manager* of a name: its owner, the account approved for it, or an operator of its owner.
//! - *Root* of a subname: the registered second-level name it lives under.

mod calls;
mod expiry;
#[cfg(test)]
mod mock;
pub mod pricing;
pub mod read;
pub mod records;
#[cfg(test)]
mod tests;
pub mod types;
pub mod weights;

use std::marker::PhantomData;

use ghost_primitives::{DnsRecord, DomainName};
use ghost_support::metadata::{PalletMetadata, errors_of};
use ghost_support::prelude::*;
use ghost_support::traits::Currency;
use pallet_system as system;

pub use types::*;
pub use weights::WeightInfo;

/// The pallet's name in storage prefixes and errors.
pub const PALLET: &str = "Domains";

/// Labels no one can register under any TLD, whatever the chain spec says: the names the zone's
/// SOA record uses for its name server (`ns.ghost`) and responsible mailbox (`hostmaster.ghost`).
pub const ALWAYS_RESERVED: &[&str] = &["ns", "hostmaster"];

/// Configuration of the domains pallet.
pub trait Config: system::Config<RuntimeEvent: From<Event>> {
    /// Pays registration and renewal fees.
    type Currency: Currency;
    /// Weights of this pallet's calls.
    type DomainsWeightInfo: WeightInfo;
    /// Where name fees go.
    const TREASURY: AccountId;
    /// Deposit per byte a subname or commitment stores (entry and index keys), reserved from
    /// the transaction's signer until it goes. The runtime prices state alike for names and
    /// contract storage.
    const DEPOSIT_PER_BYTE: Balance;
    /// Deposit per storage entry a subname or commitment creates.
    const DEPOSIT_PER_ITEM: Balance;
}

/// The pallet.
pub struct Pallet<T>(PhantomData<T>);

// ---- storage ----

storage_map!(PALLET,
    /// TLDs names may be registered under (`ghost`, `bc`), governed by root.
    pub Tlds: map Blake3_128Concat Vec<u8> => ()
);
storage_value!(PALLET,
    /// The chain-spec parameters.
    pub Params: DomainParams
);
storage_map!(PALLET,
    /// Second-level labels that cannot be registered under any TLD: [`ALWAYS_RESERVED`] and the
    /// chain spec's `reserved` list.
    pub Reserved: map Blake3_128Concat Vec<u8> => ()
);
storage_map!(PALLET,
    /// Every registered name and live subname, by namehash.
    pub Domains: map Identity Hash => DomainInfo
);
storage_map!(PALLET,
    /// The records of a name, by namehash.
    pub Records: map Identity Hash => NameRecords
);
storage_double_map!(PALLET,
    /// Names by owner (an index kept equal to `Domains`' owners).
    pub Owned: double_map Blake3_128Concat AccountId, Identity Hash => ()
);
storage_double_map!(PALLET,
    /// `(owner, operator)`: the operator may manage all the owner's names.
    pub Operators: double_map Blake3_128Concat AccountId, Blake3_128Concat AccountId => ()
);
storage_map!(PALLET,
    /// Reverse resolution: an account's primary name.
    pub PrimaryNames: map Blake3_128Concat AccountId => DomainName
);
storage_map!(PALLET,
    /// Registration commitments: when each was made and who holds its deposit.
    pub Commitments: map Identity Hash => Commitment
);
storage_map!(PALLET,
    /// The deposit of each live subname, by namehash, returned to its payer when it goes.
    pub Deposits: map Identity Hash => Deposit
);
storage_map!(PALLET,
    /// The deposit each subname's records hold, by namehash: sized from their encoding, it
    /// grows and shrinks with them and goes back to its payer when they or the subname go.
    pub RecordDeposits: map Identity Hash => Deposit
);
storage_double_map!(PALLET,
    /// The expiry queue: `(moment as big-endian bytes, namehash) → action`, in time order.
    pub ExpiryQueue: double_map Identity [u8; 8], Identity Hash => ExpiryAction
);
storage_double_map!(PALLET,
    /// Subnames by parent namehash.
    pub Subnames: double_map Identity Hash, Identity Hash => ()
);
storage_value!(PALLET,
    /// The last registration id handed out.
    pub RegistrationCounter: u64
);
storage_value!(PALLET,
    /// The last sequence epoch handed out: a new name's records start at sequence
    /// `epoch × 2³²` (see [`DomainInfo::update_sequence`]).
    pub SequenceEpoch: u64
);

// ---- events ----

ghost_support::pallet_enum! {
    /// Events of the domains pallet.
    #[derive(serde::Serialize)]
    #[serde(rename_all = "camelCase")]
    pub enum Event {
        /// A registration commitment was made.
        #[index = 0]
        Committed { who: AccountId, commitment: Hash },
        /// A name was registered.
        #[index = 1]
        Registered { name: DomainName, owner: AccountId, expires_at: Moment, cost: Balance },
        /// A name's registration was extended.
        #[index = 2]
        Renewed { name: DomainName, expires_at: Moment, cost: Balance },
        /// A name (or subname) changed owner.
        #[index = 3]
        Transferred { name: DomainName, from: AccountId, to: AccountId },
        /// A name's records changed; these are all its DNS records now.
        #[index = 4]
        RecordsChanged { name: DomainName, records: Vec<DnsRecord>, web3_entries: u32 },
        /// A subname was created.
        #[index = 5]
        SubnameCreated { name: DomainName, parent: DomainName, owner: AccountId },
        /// A name expired and stopped resolving (grace begins).
        #[index = 6]
        Expired { name: DomainName },
        /// A name's grace period ended; it and its records are gone.
        #[index = 7]
        Released { name: DomainName },
        /// An account was approved (or unapproved) to manage a name.
        #[index = 8]
        Approved { name: DomainName, approved: Option<AccountId> },
        /// An operator was set for an owner.
        #[index = 9]
        OperatorSet { owner: AccountId, operator: AccountId, approved: bool },
        /// An account's primary name was set or cleared.
        #[index = 10]
        PrimaryNameSet { who: AccountId, name: Option<DomainName> },
        /// A name's update key was set or cleared.
        #[index = 11]
        UpdateKeySet { name: DomainName, key: Option<AccountId> },
        /// A signed update was applied.
        #[index = 12]
        SignedUpdateApplied { name: DomainName, signer: AccountId, timestamp: Moment },
        /// An update of a batch was refused (the others were applied).
        #[index = 13]
        SignedUpdateFailed { index: u32, name: DomainName, error: DispatchError },
        /// A TLD was added or removed.
        #[index = 14]
        TldChanged { tld: Vec<u8>, enabled: bool },
        /// A subname was removed (its root was released or its parent reclaimed it).
        #[index = 15]
        SubnameRemoved { name: DomainName },
        /// A commitment passed the maximum commitment age unrevealed and was removed; its
        /// deposit went back to its depositor.
        #[index = 16]
        CommitmentDropped { commitment: Hash, depositor: AccountId, deposit: Balance },
    }
}

// ---- errors ----

pallet_error! {
    /// Errors of the domains pallet.
    pub enum Error for "Domains" {
        /// The name's TLD is not one the chain serves.
        UnknownTld,
        /// Only second-level names (`alice.ghost`) can be registered; use subnames below them.
        NotSecondLevel,
        /// The name is registered (or in its grace period).
        NameTaken,
        /// The name is not registered.
        NotRegistered,
        /// The name has expired.
        NameExpired,
        /// The caller is not the name's owner, approved account or operator.
        NotOwner,
        /// No commitment matches this registration.
        CommitmentNotFound,
        /// The commitment is younger than the minimum commitment age.
        CommitmentTooNew,
        /// The commitment is older than the maximum commitment age.
        CommitmentTooOld,
        /// An unexpired commitment with this hash exists.
        CommitmentExists,
        /// The duration is shorter than the minimum registration.
        DurationTooShort,
        /// The name would be registered further ahead than the maximum.
        DurationTooLong,
        /// More DNS records than the chain spec allows.
        TooManyRecords,
        /// More web3 entries than the chain spec allows.
        TooManyWeb3Entries,
        /// The records are larger than the chain spec allows.
        RecordsTooLarge,
        /// A CNAME cannot coexist with other records at the same label.
        CnameConflict,
        /// The record to remove does not exist.
        RecordNotFound,
        /// A record set's values are not all of its type.
        RecordTypeMismatch,
        /// A record value is invalid (a TXT string over 255 bytes, a bad CAA tag, ...).
        InvalidRecord,
        /// A record's absolute name would exceed 253 bytes.
        RecordNameTooLong,
        /// The parent gave up control of this subname.
        SubnameLocked,
        /// The name is not the caller's (primary names must resolve to the caller).
        NotResolvingToCaller,
        /// The signed update's signature is invalid.
        BadSignature,
        /// The signer is neither the owner nor the name's update key.
        WrongSigner,
        /// The update's timestamp is not later than the last applied one.
        StaleUpdate,
        /// The update's timestamp is outside the freshness window of the block time.
        UpdateOutsideWindow,
        /// Too many updates in one batch.
        BatchTooLarge,
        /// The contract id is longer than 64 bytes.
        ContractIdTooLong,
        /// The TLD is invalid or already in that state.
        BadTld,
        /// Arithmetic overflow in a price or time.
        Overflow,
        /// The signed update was made against another sequence number than the name's records
        /// are at (they changed since, or it was already applied).
        WrongSequence,
        /// The label is reserved (`ns`, `hostmaster`, or the chain spec's list).
        NameReserved,
        /// More record changes in one call than `DomainParams::max_changes_per_call`.
        TooManyChanges,
        /// The record's label is (or lies under) a subname: its records belong to the
        /// subname's owner alone.
        LabelIsSubname,
        /// The parent has records at this label; remove them before making it a subname.
        LabelHasRecords,
        /// The signer's free balance does not cover the deposit (subname or commitment).
        DepositNotCovered,
        /// The deposit would take the transaction past its `storage_deposit_limit`.
        DepositLimitExhausted,
        /// A record's TTL exceeds [`MAX_RECORD_TTL`] (one day).
        TtlTooLong,
    }
}

// ---- calls ----

ghost_support::pallet_enum! {
    /// Calls of the domains pallet.
    #[derive(serde::Serialize)]
    #[serde(rename_all = "camelCase")]
    pub enum Call {
        /// Commits to a registration: `commitment = blake3(SCALE(name, owner, secret,
        /// duration_ms, blake3(SCALE(records))))` ([`Pallet::commitment_of`]).
        /// Origin: signed. Errors: `CommitmentExists`.
        #[index = 0]
        Commit { commitment: Hash },
        /// Registers `name` for `owner` for `duration_ms`, revealing `secret`, with initial
        /// `records`. Origin: signed (pays). Errors: `UnknownTld`, `NotSecondLevel`,
        /// `NameReserved`, `NameTaken`,
        /// commitment errors, `DurationTooShort`/`DurationTooLong`, record errors, balance
        /// errors. The seed's `register_domain`.
        #[index = 1]
        Register { name: DomainName, owner: AccountId, duration_ms: u64, secret: Hash, records: Vec<DnsRecord> },
        /// Extends a registered (or in-grace) name by `duration_ms`. Origin: signed, anyone
        /// (pays). Errors: `NotRegistered`, `NotSecondLevel`, duration errors.
        #[index = 2]
        Renew { name: DomainName, duration_ms: u64 },
        /// Gives a name to `new_owner`. Origin: a manager. The seed's `transfer_domain`.
        #[index = 3]
        Transfer { name: DomainName, new_owner: AccountId },
        /// Applies record changes in order, atomically: at most
        /// `DomainParams::max_changes_per_call` of them, in O(n log n). Origin: a manager.
        /// Errors: `TooManyChanges`, record errors.
        #[index = 4]
        SetRecords { name: DomainName, changes: Vec<RecordChange> },
        /// Adds a record or updates its TTL. Origin: a manager. The seed's `set_dns_record`.
        #[index = 5]
        SetRecord { name: DomainName, record: DnsRecord },
        /// Removes every record of a name. Origin: a manager.
        #[index = 6]
        ClearRecords { name: DomainName },
        /// Creates or reassigns the subname `label.parent`; `lock` gives up the parent's control
        /// of it for good. Origin: a manager of `parent`. Errors: `SubnameLocked`,
        /// `LabelHasRecords` (the parent holds records at `label`).
        #[index = 7]
        SetSubnameOwner { parent: DomainName, label: String, owner: AccountId, lock: bool },
        /// Approves `account` (or nobody) to manage `name`. Origin: the owner or an operator.
        #[index = 8]
        Approve { name: DomainName, account: Option<AccountId> },
        /// Lets `operator` manage all the caller's names, or stops it. Origin: signed.
        #[index = 9]
        SetOperator { operator: AccountId, approved: bool },
        /// Sets (or clears) the caller's primary name; it must be active and owned by the
        /// caller. Origin: signed.
        #[index = 10]
        SetPrimaryName { name: Option<DomainName> },
        /// Sets (or clears) the ed25519 key that may sign updates of `name`. Origin: a manager.
        #[index = 11]
        SetUpdateKey { name: DomainName, key: Option<AccountId> },
        /// Applies an update signed off chain by the owner or update key. Origin: signed, any
        /// relayer (pays). Errors: `BadSignature`, `WrongSigner`, `WrongSequence`,
        /// `StaleUpdate`, `UpdateOutsideWindow`, record errors.
        #[index = 12]
        SetRecordsSigned { update: SignedRecordUpdate },
        /// Applies several signed updates, each on its own: refused ones emit
        /// `SignedUpdateFailed`. Origin: signed. Errors: `BatchTooLarge`.
        #[index = 13]
        BatchSetRecordsSigned { updates: Vec<SignedRecordUpdate> },
        /// Enables or disables a TLD. Origin: root.
        #[index = 14]
        SetTld { tld: Vec<u8>, enabled: bool },
    }
}

impl<T: Config> Pallet<T> {
    /// The weight and fee class of `call`.
    pub fn dispatch_info(call: &Call) -> DispatchInfo {
        use weights::WeightInfo as W;
        let weight = match call {
            Call::Commit { .. } => T::DomainsWeightInfo::commit(),
            Call::Register { records, .. } => T::DomainsWeightInfo::register(records.len() as u32),
            Call::Renew { .. } => T::DomainsWeightInfo::renew(),
            Call::Transfer { .. } => T::DomainsWeightInfo::transfer(),
            Call::SetRecords { changes, .. } => {
                T::DomainsWeightInfo::set_records(changes.len() as u32)
            }
            Call::SetRecord { .. } => T::DomainsWeightInfo::set_records(1),
            Call::ClearRecords { .. } => T::DomainsWeightInfo::set_records(1),
            Call::SetSubnameOwner { .. } => T::DomainsWeightInfo::set_subname_owner(),
            Call::Approve { .. }
            | Call::SetOperator { .. }
            | Call::SetPrimaryName { .. }
            | Call::SetUpdateKey { .. } => T::DomainsWeightInfo::set_flag(),
            Call::SetRecordsSigned { update } => {
                T::DomainsWeightInfo::set_records_signed(update.records.len() as u32)
            }
            Call::BatchSetRecordsSigned { updates } => {
                let records: u32 = updates.iter().map(|u| u.records.len() as u32).sum();
                T::DomainsWeightInfo::set_records_signed(records)
                    .saturating_mul(updates.len().max(1) as u64)
            }
            Call::SetTld { .. } => T::DomainsWeightInfo::set_flag(),
        };
        DispatchInfo::paying(weight)
    }

    /// Dispatches `call` from `origin`.
    pub fn dispatch(call: Call, origin: Origin) -> DispatchResult {
        match call {
            Call::Commit { commitment } => Self::commit(origin, commitment),
            Call::Register {
                name,
                owner,
                duration_ms,
                secret,
                records,
            } => Self::register(origin, name, owner, duration_ms, secret, records),
            Call::Renew { name, duration_ms } => Self::renew(origin, name, duration_ms),
            Call::Transfer { name, new_owner } => Self::transfer(origin, name, new_owner),
            Call::SetRecords { name, changes } => Self::set_records(origin, name, changes),
            Call::SetRecord { name, record } => {
                Self::set_records(origin, name, vec![RecordChange::Upsert(record)])
            }
            Call::ClearRecords { name } => Self::clear_records(origin, name),
            Call::SetSubnameOwner {
                parent,
                label,
                owner,
                lock,
            } => Self::set_subname_owner(origin, parent, label, owner, lock),
            Call::Approve { name, account } => Self::approve(origin, name, account),
            Call::SetOperator { operator, approved } => {
                Self::set_operator(origin, operator, approved)
            }
            Call::SetPrimaryName { name } => Self::set_primary_name(origin, name),
            Call::SetUpdateKey { name, key } => Self::set_update_key(origin, name, key),
            Call::SetRecordsSigned { update } => {
                ensure_signed(origin)?;
                Self::apply_signed_update(update)
            }
            Call::BatchSetRecordsSigned { updates } => {
                Self::batch_set_records_signed(origin, updates)
            }
            Call::SetTld { tld, enabled } => Self::set_tld(origin, tld, enabled),
        }
    }

    fn deposit_event(event: Event) {
        system::Pallet::<T>::deposit_event(event);
    }

    /// The parameters in force.
    pub fn params() -> DomainParams {
        Params::get().unwrap_or_default()
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
                Tlds::meta(),
                Params::meta(),
                Reserved::meta(),
                Domains::meta(),
                Records::meta(),
                Owned::meta(),
                Operators::meta(),
                PrimaryNames::meta(),
                Commitments::meta(),
                Deposits::meta(),
                RecordDeposits::meta(),
                ExpiryQueue::meta(),
                Subnames::meta(),
                RegistrationCounter::meta(),
                SequenceEpoch::meta(),
            ],
            constants: vec![
                ghost_support::metadata::ConstantMeta {
                    name: "Treasury",
                    value: serde_json::Value::String(T::TREASURY.to_string()),
                    docs: "Where name fees go.",
                },
                ghost_support::metadata::ConstantMeta {
                    name: "DepositPerByte",
                    value: serde_json::Value::String(T::DEPOSIT_PER_BYTE.to_string()),
                    docs: "Deposit per byte a subname or commitment stores.",
                },
                ghost_support::metadata::ConstantMeta {
                    name: "DepositPerItem",
                    value: serde_json::Value::String(T::DEPOSIT_PER_ITEM.to_string()),
                    docs: "Deposit per storage entry a subname or commitment creates.",
                },
                ghost_support::metadata::ConstantMeta {
                    name: "MaxRecordTtl",
                    value: serde_json::Value::from(MAX_RECORD_TTL),
                    docs: "Longest record TTL (seconds).",
                },
            ],
        }
    }
}

impl<T: Config> Hooks for Pallet<T> {
    fn on_initialize(_n: BlockNumber) -> Weight {
        // Reserve the sweep's worst case up front.
        T::DomainsWeightInfo::expire_one()
            .saturating_mul(u64::from(Self::params().max_expiries_per_block))
    }

    fn on_finalize(_n: BlockNumber) {
        Self::sweep_expiries(system::Pallet::<T>::now());
    }

    fn integrity_test() {
        let p = DomainParams::default();
        assert!(p.min_registration_ms <= p.max_registration_ms);
        assert!(!p.yearly_price.is_empty());
    }
}

/// The genesis state: TLDs, parameters.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GenesisConfig {
    /// TLDs served (`["ghost", "bc"]`).
    pub tlds: Vec<String>,
    /// Parameters.
    #[serde(default)]
    pub params: DomainParams,
    /// Second-level labels nobody may register (besides [`ALWAYS_RESERVED`]).
    #[serde(default)]
    pub reserved: Vec<String>,
}

impl Default for GenesisConfig {
    fn default() -> Self {
        GenesisConfig {
            tlds: vec!["ghost".into(), "bc".into()],
            params: DomainParams::default(),
            reserved: Vec::new(),
        }
    }
}

/// Why a domains genesis config is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GenesisError {
    /// A TLD is not a valid label.
    #[error("invalid TLD `{0}`")]
    BadTld(String),
    /// A reserved name is not a valid label.
    #[error("invalid reserved label `{0}`")]
    BadReserved(String),
    /// The price table is empty or not ascending.
    #[error("yearly_price must be non-empty and ascending by label length, ending at 255")]
    BadPriceTable,
    /// Minimum above maximum.
    #[error(
        "min_registration_ms exceeds max_registration_ms, or min_commitment_age_ms exceeds max_commitment_age_ms"
    )]
    BadBounds,
}

impl GenesisConfig {
    /// Writes the genesis state.
    pub fn build(&self) -> Result<(), GenesisError> {
        for tld in &self.tlds {
            ghost_primitives::names::check_label(tld)
                .map_err(|_| GenesisError::BadTld(tld.clone()))?;
            Tlds::insert(&tld.as_bytes().to_vec(), &());
        }
        for label in ALWAYS_RESERVED
            .iter()
            .copied()
            .chain(self.reserved.iter().map(String::as_str))
        {
            ghost_primitives::names::check_label(label)
                .map_err(|_| GenesisError::BadReserved(label.to_string()))?;
            Reserved::insert(&label.as_bytes().to_vec(), &());
        }
        let p = &self.params;
        let ascending = p.yearly_price.windows(2).all(|w| w[0].0 < w[1].0);
        if p.yearly_price.last().map(|row| row.0) != Some(u8::MAX) || !ascending {
            return Err(GenesisError::BadPriceTable);
        }
        if p.min_registration_ms > p.max_registration_ms
            || p.min_commitment_age_ms > p.max_commitment_age_ms
        {
            return Err(GenesisError::BadBounds);
        }
        Params::put(p);
        Ok(())
    }
}
