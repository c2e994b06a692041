//! The dispatchable functions and the checks they share.

use ghost_primitives::{Balance, DnsRecord, DomainName, Hash, Moment, RecordLabel};
use ghost_support::prelude::*;
use ghost_support::traits::Currency;
use ghost_support::transactional;
use parity_scale_codec::Encode;

use crate::types::*;
use crate::{
    Commitments, Config, Deposits, Domains, Error, Event, Operators, Owned, Pallet, PrimaryNames,
    RecordDeposits, Records, RegistrationCounter, Reserved, SequenceEpoch, Subnames, Tlds, pricing,
};

/// `Deposit::max_encoded_len()` (account 32, balance 16).
pub(crate) const DEPOSIT_BYTES: u64 = 48;
/// `Commitment::max_encoded_len()` (moment 8, account 32, balance 16).
pub(crate) const COMMITMENT_RECORD_BYTES: u64 = 56;

/// Bytes a subname stores besides its encoded [`DomainInfo`]: the keys of its `Domains` (32),
/// `Owned` (48 + 32), `Subnames` (64) and `Deposits` (32) entries and the encoded [`Deposit`].
pub(crate) const SUBNAME_OVERHEAD_BYTES: u64 = 32 + 80 + 64 + 32 + DEPOSIT_BYTES;
/// Storage entries a subname creates: `Domains`, `Owned`, `Subnames`, `Deposits`.
pub(crate) const SUBNAME_ITEMS: u32 = 4;
/// Bytes a commitment stores: its `Commitments` key (32) and value, and its expiry-queue
/// entry (40-byte key, the encoded action).
pub(crate) const COMMITMENT_BYTES: u64 = 32 + COMMITMENT_RECORD_BYTES + 40 + 33;
/// Bytes a subname's records store besides their encoding: the keys of its `Records` (32) and
/// `RecordDeposits` (32) entries and the encoded [`Deposit`].
pub(crate) const RECORDS_OVERHEAD_BYTES: u64 = 32 + 32 + DEPOSIT_BYTES;
/// Storage entries a subname's records create: `Records` and `RecordDeposits`.
pub(crate) const RECORDS_ITEMS: u32 = 2;
/// Storage entries a commitment creates: `Commitments` and its expiry-queue entry.
pub(crate) const COMMITMENT_ITEMS: u32 = 2;

fn deposit_error(error: ghost_support::deposit::DepositError) -> Error {
    match error {
        ghost_support::deposit::DepositError::LimitExhausted => Error::DepositLimitExhausted,
        ghost_support::deposit::DepositError::CannotPay => Error::DepositNotCovered,
    }
}

/// A name's stored info with its effective expiry (a subname's is its root's).
pub(crate) struct Located {
    pub hash: Hash,
    pub info: DomainInfo,
    pub expires_at: Moment,
}

impl<T: Config> Pallet<T> {
    pub(crate) fn now() -> Moment {
        pallet_system::Pallet::<T>::now()
    }

    /// The status of a name expiring at `expires_at`, now.
    pub(crate) fn status_at(expires_at: Moment, now: Moment) -> NameStatus {
        if now < expires_at {
            NameStatus::Active
        } else if now < expires_at.saturating_add(Self::params().grace_period_ms) {
            NameStatus::Grace
        } else {
            NameStatus::Available
        }
    }

    /// The name's info and effective expiry, if it exists and (for a subname) its root's
    /// registration is still the one it was created under.
    pub(crate) fn locate(name: &DomainName) -> Option<Located> {
        let hash = name.namehash();
        Self::located(hash, Domains::get(&hash)?)
    }

    /// [`Pallet::locate`] for an entry read already: `info`, stored under `hash`.
    pub(crate) fn located(hash: Hash, info: DomainInfo) -> Option<Located> {
        let expires_at = match info.parent {
            None => info.expires_at,
            Some(_) => {
                let root = root_of(&info.name)?;
                let root_info = Domains::get(&root.namehash())?;
                if root_info.registration != info.registration || root_info.parent.is_some() {
                    return None;
                }
                root_info.expires_at
            }
        };
        Some(Located {
            hash,
            info,
            expires_at,
        })
    }

    /// The name, which must be registered and active.
    pub(crate) fn locate_active(name: &DomainName) -> Result<Located, DispatchError> {
        let located = Self::locate(name).ok_or(Error::NotRegistered)?;
        match Self::status_at(located.expires_at, Self::now()) {
            NameStatus::Active => Ok(located),
            NameStatus::Grace => Err(Error::NameExpired.into()),
            NameStatus::Available => Err(Error::NotRegistered.into()),
        }
    }

    /// Whether `who` may manage a name of `info`.
    pub(crate) fn is_manager(who: &AccountId, info: &DomainInfo) -> bool {
        info.owner == *who
            || info.approved.as_ref() == Some(who)
            || Operators::contains_key(&info.owner, who)
    }

    fn ensure_manager(who: &AccountId, info: &DomainInfo) -> DispatchResult {
        ensure!(Self::is_manager(who, info), Error::NotOwner);
        Ok(())
    }

    /// Refuses `records` of `name` at a label that is, or lies under, one of its live subnames:
    /// a label that is a subname belongs to the subname's owner alone. One read when the name
    /// has no subnames; otherwise one more per distinct first label.
    pub(crate) fn ensure_labels_free<'a>(
        name: &DomainName,
        hash: &Hash,
        labels: impl IntoIterator<Item = &'a RecordLabel>,
    ) -> DispatchResult {
        if Subnames::iter_prefix(hash).next().is_none() {
            return Ok(());
        }
        let mut seen = std::collections::BTreeSet::new();
        for label in labels {
            if label.is_apex() {
                continue;
            }
            let Some(top) = label.as_str().rsplit('.').next() else {
                continue;
            };
            if !seen.insert(top) {
                continue;
            }
            // Labels that are not host names (`_tcp`, `*`) can never be subnames.
            let Ok(child) = name.child(top) else {
                continue;
            };
            if Subnames::contains_key(hash, &child.namehash()) && Self::locate(&child).is_some() {
                return Err(Error::LabelIsSubname.into());
            }
        }
        Ok(())
    }

    /// Whether the second-level label of `name` is reserved.
    pub fn is_reserved(name: &DomainName) -> bool {
        name.labels()
            .next()
            .is_some_and(|label| Reserved::contains_key(&label.as_bytes().to_vec()))
    }

    /// The hash of block 0, which signed updates are bound to.
    pub fn genesis_hash() -> Hash {
        pallet_system::Pallet::<T>::block_hash(0).unwrap_or(Hash::ZERO)
    }

    /// The first record sequence number of a new name or subname: the next epoch × 2³², so no
    /// two names (nor two registrations of one name) ever share a sequence number.
    pub(crate) fn first_sequence() -> u64 {
        let epoch = SequenceEpoch::get_or_default().saturating_add(1);
        SequenceEpoch::put(&epoch);
        epoch.saturating_mul(1 << 32)
    }

    /// The commitment of a registration: `blake3(SCALE(name, owner, secret, duration_ms,
    /// blake3(SCALE(records))))`. It binds everything `register` sets, so a watcher of the pool
    /// who copies the secret cannot reveal first with its own duration or records.
    pub fn commitment_of(
        name: &DomainName,
        owner: &AccountId,
        secret: &Hash,
        duration_ms: u64,
        records: &[DnsRecord],
    ) -> Hash {
        let records_hash = ghost_primitives::blake3_256(&records.encode());
        ghost_primitives::blake3_256(&(name, owner, secret, duration_ms, records_hash).encode())
    }

    /// The deposit `bytes` and `items` of state take.
    pub fn deposit_for(bytes: u64, items: u32) -> Balance {
        T::DEPOSIT_PER_BYTE
            .saturating_mul(Balance::from(bytes))
            .saturating_add(T::DEPOSIT_PER_ITEM.saturating_mul(Balance::from(items)))
    }

    /// The deposit of one commitment.
    pub fn commitment_deposit() -> Balance {
        Self::deposit_for(COMMITMENT_BYTES, COMMITMENT_ITEMS)
    }

    /// The deposit of a subname whose entry is `info`.
    pub fn subname_deposit(info: &DomainInfo) -> Balance {
        let bytes = (info.encoded_size() as u64).saturating_add(SUBNAME_OVERHEAD_BYTES);
        Self::deposit_for(bytes, SUBNAME_ITEMS)
    }

    /// The deposit a subname's `records` hold (nothing for no records). A second-level name's
    /// records take none: its registration fee pays for them, and they are bounded per name.
    pub fn records_deposit(records: &NameRecords) -> Balance {
        if records.is_empty() {
            return 0;
        }
        let bytes = (records.encoded_size() as u64).saturating_add(RECORDS_OVERHEAD_BYTES);
        Self::deposit_for(bytes, RECORDS_ITEMS)
    }

    /// Brings the deposit the records of the subname at `hash` hold in line with `records`,
    /// which `signer` is setting. The signer's payer ([`ghost_support::deposit::payer_for`])
    /// tops it up or gets the difference back; a different payer takes the whole deposit over
    /// and the previous one gets its own back, so each deposit has one payer. Refused (nothing
    /// moved) when the payer cannot cover it.
    pub(crate) fn settle_records_deposit(
        signer: &AccountId,
        hash: &Hash,
        info: &DomainInfo,
        records: &NameRecords,
    ) -> DispatchResult {
        if info.parent.is_none() {
            return Ok(());
        }
        let amount = Self::records_deposit(records);
        let held = RecordDeposits::get(hash);
        let payer = ghost_support::deposit::payer_for(signer);
        match held {
            Some(held) if held.payer == payer => {
                if amount > held.amount {
                    ghost_support::deposit::reserve_deposit::<T::Currency>(
                        signer,
                        amount - held.amount,
                    )
                    .map_err(deposit_error)?;
                } else {
                    ghost_support::deposit::release_deposit::<T::Currency>(
                        &held.payer,
                        held.amount - amount,
                    );
                }
            }
            held => {
                ghost_support::deposit::reserve_deposit::<T::Currency>(signer, amount)
                    .map_err(deposit_error)?;
                if let Some(held) = held {
                    ghost_support::deposit::release_deposit::<T::Currency>(
                        &held.payer,
                        held.amount,
                    );
                }
            }
        }
        if amount == 0 {
            RecordDeposits::remove(hash);
        } else {
            RecordDeposits::insert(hash, &Deposit { payer, amount });
        }
        Ok(())
    }

    /// When the sweep drops a commitment made at `made`: the first moment it is too old.
    fn commitment_due(made: Moment, params: &DomainParams) -> Moment {
        made.saturating_add(params.max_commitment_age_ms)
            .saturating_add(1)
    }

    /// Removes a commitment and its sweep entry and returns its deposit to its depositor.
    pub(crate) fn drop_commitment(commitment: &Hash, record: &Commitment, params: &DomainParams) {
        Commitments::remove(commitment);
        Self::unschedule(
            Self::commitment_due(record.made, params),
            &commitment_queue_key(commitment),
        );
        ghost_support::deposit::release_deposit::<T::Currency>(&record.depositor, record.deposit);
    }

    pub(crate) fn commit(origin: Origin, commitment: Hash) -> DispatchResult {
        let who = ensure_signed(origin)?;
        let now = Self::now();
        let params = Self::params();
        let stale = Commitments::get(&commitment);
        if let Some(stale) = &stale {
            ensure!(
                now.saturating_sub(stale.made) > params.max_commitment_age_ms,
                Error::CommitmentExists
            );
        }
        // The deposit is the first write: refused, it leaves nothing behind.
        let deposit = Self::commitment_deposit();
        let depositor = ghost_support::deposit::reserve_deposit::<T::Currency>(&who, deposit)
            .map_err(deposit_error)?;
        if let Some(stale) = stale {
            // Too old to reveal and not swept yet: its depositor gets its deposit back now.
            Self::drop_commitment(&commitment, &stale, &params);
        }
        let record = Commitment {
            made: now,
            depositor,
            deposit,
        };
        Commitments::insert(&commitment, &record);
        Self::schedule(
            Self::commitment_due(now, &params),
            &commitment_queue_key(&commitment),
            ExpiryAction::DropCommitment { commitment },
        );
        Self::deposit_event(Event::Committed { who, commitment });
        Ok(())
    }

    /// Checks the registration's commitment and returns it (to remove, deposit returned, once
    /// the registration is paid); `None` when none is needed and none was made.
    fn check_commitment(
        name: &DomainName,
        owner: &AccountId,
        secret: &Hash,
        duration_ms: u64,
        records: &[DnsRecord],
        params: &DomainParams,
    ) -> Result<Option<(Hash, Commitment)>, DispatchError> {
        let commitment = Self::commitment_of(name, owner, secret, duration_ms, records);
        let made = Commitments::get(&commitment);
        if params.min_commitment_age_ms == 0 {
            return Ok(made.map(|record| (commitment, record)));
        }
        let record = made.ok_or(Error::CommitmentNotFound)?;
        let age = Self::now().saturating_sub(record.made);
        ensure!(age >= params.min_commitment_age_ms, Error::CommitmentTooNew);
        ensure!(age <= params.max_commitment_age_ms, Error::CommitmentTooOld);
        Ok(Some((commitment, record)))
    }

    fn check_duration(duration_ms: u64, params: &DomainParams) -> DispatchResult {
        ensure!(
            duration_ms >= params.min_registration_ms,
            Error::DurationTooShort
        );
        ensure!(
            duration_ms <= params.max_registration_ms,
            Error::DurationTooLong
        );
        Ok(())
    }

    pub(crate) fn register(
        origin: Origin,
        name: DomainName,
        owner: AccountId,
        duration_ms: u64,
        secret: Hash,
        records: Vec<DnsRecord>,
    ) -> DispatchResult {
        let payer = ensure_signed(origin)?;
        let params = Self::params();
        ensure!(
            Tlds::contains_key(&name.tld().as_bytes().to_vec()),
            Error::UnknownTld
        );
        ensure!(name.depth() == 2, Error::NotSecondLevel);
        ensure!(!Self::is_reserved(&name), Error::NameReserved);
        Self::check_duration(duration_ms, &params)?;
        let now = Self::now();
        let hash = name.namehash();
        let existing = Domains::get(&hash);
        if let Some(existing) = &existing {
            ensure!(
                Self::status_at(existing.expires_at, now) == NameStatus::Available,
                Error::NameTaken
            );
        }
        let new_records = NameRecords {
            dns: Vec::new(),
            web3: Default::default(),
        };
        let new_records = Self::apply_changes(
            &name,
            new_records,
            records.iter().cloned().map(RecordChange::Upsert).collect(),
            &params,
        )?;
        let commitment =
            Self::check_commitment(&name, &owner, &secret, duration_ms, &records, &params)?;
        let cost = pricing::price(&name, duration_ms, &params).ok_or(Error::Overflow)?;
        let expires_at = now.checked_add(duration_ms).ok_or(Error::Overflow)?;

        // The transfer checks the balance before it writes anything: the first write.
        T::Currency::transfer(&payer, &T::TREASURY, cost)?;
        if let Some((commitment, record)) = commitment {
            Self::drop_commitment(&commitment, &record, &params);
        }
        if let Some(existing) = existing {
            // Grace is over but the sweep has not reached it yet: release it now.
            Self::release(&hash, &existing);
        }
        let registration = RegistrationCounter::get_or_default().saturating_add(1);
        RegistrationCounter::put(&registration);
        let info = DomainInfo {
            name: name.clone(),
            owner,
            parent: None,
            expires_at,
            created_at: now,
            registration,
            parent_controlled: false,
            approved: None,
            update_key: None,
            last_signed_update: 0,
            update_sequence: Self::first_sequence(),
        };
        Domains::insert(&hash, &info);
        Owned::insert(&owner, &hash, &());
        Self::schedule(expires_at, &hash, ExpiryAction::Expire);
        Self::deposit_event(Event::Registered {
            name: name.clone(),
            owner,
            expires_at,
            cost,
        });
        if !new_records.is_empty() {
            Self::store_records(&payer, &name, &hash, &info, new_records)?;
        }
        Ok(())
    }

    pub(crate) fn renew(origin: Origin, name: DomainName, duration_ms: u64) -> DispatchResult {
        let payer = ensure_signed(origin)?;
        let params = Self::params();
        ensure!(name.depth() == 2, Error::NotSecondLevel);
        ensure!(
            duration_ms >= params.min_registration_ms,
            Error::DurationTooShort
        );
        let hash = name.namehash();
        let mut info = Domains::get(&hash).ok_or(Error::NotRegistered)?;
        let now = Self::now();
        let status = Self::status_at(info.expires_at, now);
        ensure!(status != NameStatus::Available, Error::NotRegistered);
        let expires_at = info
            .expires_at
            .checked_add(duration_ms)
            .ok_or(Error::Overflow)?;
        ensure!(
            expires_at.saturating_sub(now) <= params.max_registration_ms,
            Error::DurationTooLong
        );
        let cost = pricing::price(&name, duration_ms, &params).ok_or(Error::Overflow)?;

        T::Currency::transfer(&payer, &T::TREASURY, cost)?;
        Self::unschedule(info.expires_at, &hash);
        Self::unschedule(
            info.expires_at.saturating_add(params.grace_period_ms),
            &hash,
        );
        info.expires_at = expires_at;
        Domains::insert(&hash, &info);
        Self::schedule(expires_at, &hash, ExpiryAction::Expire);
        Self::deposit_event(Event::Renewed {
            name,
            expires_at,
            cost,
        });
        Ok(())
    }

    /// Moves a name (or subname) to `to`, keeping the owner index in step.
    pub(crate) fn do_transfer(located: Located, to: AccountId) {
        let Located { hash, mut info, .. } = located;
        let from = info.owner;
        Owned::remove(&from, &hash);
        Owned::insert(&to, &hash, &());
        info.owner = to;
        // Delegations of the old owner end with the transfer.
        info.approved = None;
        info.update_key = None;
        Domains::insert(&hash, &info);
        Self::deposit_event(Event::Transferred {
            name: info.name,
            from,
            to,
        });
    }

    pub(crate) fn transfer(
        origin: Origin,
        name: DomainName,
        new_owner: AccountId,
    ) -> DispatchResult {
        let who = ensure_signed(origin)?;
        let located = Self::locate_active(&name)?;
        Self::ensure_manager(&who, &located.info)?;
        Self::do_transfer(located, new_owner);
        Ok(())
    }

    pub(crate) fn set_records(
        origin: Origin,
        name: DomainName,
        changes: Vec<RecordChange>,
    ) -> DispatchResult {
        let who = ensure_signed(origin)?;
        let located = Self::locate_active(&name)?;
        Self::ensure_manager(&who, &located.info)?;
        let added = changes.iter().filter_map(|change| match change {
            RecordChange::Upsert(record) => Some(&record.label),
            RecordChange::ReplaceSet { label, values, .. } if !values.is_empty() => Some(label),
            _ => None,
        });
        Self::ensure_labels_free(&name, &located.hash, added)?;
        let current = Records::get(&located.hash).unwrap_or_default();
        let updated = Self::apply_changes(&name, current, changes, &Self::params())?;
        Self::store_records(&who, &name, &located.hash, &located.info, updated)
    }

    pub(crate) fn clear_records(origin: Origin, name: DomainName) -> DispatchResult {
        let who = ensure_signed(origin)?;
        let located = Self::locate_active(&name)?;
        Self::ensure_manager(&who, &located.info)?;
        Self::store_records(
            &who,
            &name,
            &located.hash,
            &located.info,
            NameRecords::default(),
        )
    }

    pub(crate) fn set_subname_owner(
        origin: Origin,
        parent: DomainName,
        label: String,
        owner: AccountId,
        lock: bool,
    ) -> DispatchResult {
        let who = ensure_signed(origin)?;
        let parent_located = Self::locate_active(&parent)?;
        Self::ensure_manager(&who, &parent_located.info)?;
        let name = parent.child(&label).map_err(|_| Error::InvalidRecord)?;
        let hash = name.namehash();
        match Self::locate(&name) {
            Some(existing) => {
                ensure!(existing.info.parent_controlled, Error::SubnameLocked);
                let mut info = existing.info.clone();
                info.parent_controlled = !lock;
                Domains::insert(&hash, &info);
                if existing.info.owner != owner {
                    Self::do_transfer(Located { info, ..existing }, owner);
                }
            }
            None => {
                // The parent's records at this label (or under it) would answer for a name that
                // is now someone else's: they must go first.
                let held = Records::get(&parent_located.hash).unwrap_or_default();
                ensure!(
                    !held.dns.iter().any(|r| {
                        !r.label.is_apex()
                            && r.label.as_str().rsplit('.').next() == Some(label.as_str())
                    }),
                    Error::LabelHasRecords
                );
                let mut info = DomainInfo {
                    name: name.clone(),
                    owner,
                    parent: Some(parent_located.hash),
                    expires_at: 0,
                    created_at: Self::now(),
                    registration: parent_located.info.registration,
                    parent_controlled: !lock,
                    approved: None,
                    update_key: None,
                    last_signed_update: 0,
                    // Set below (it writes); its encoding has a fixed size, so the deposit
                    // does not depend on it.
                    update_sequence: 0,
                };
                // The deposit is the first write: refused, it leaves nothing behind.
                let amount = Self::subname_deposit(&info);
                let payer = ghost_support::deposit::reserve_deposit::<T::Currency>(&who, amount)
                    .map_err(deposit_error)?;
                if let Some(stale) = Domains::get(&hash) {
                    // Left over from an earlier registration of the root.
                    Self::remove_entry(&hash, &stale);
                }
                info.update_sequence = Self::first_sequence();
                Deposits::insert(&hash, &Deposit { payer, amount });
                Domains::insert(&hash, &info);
                Owned::insert(&owner, &hash, &());
                Subnames::insert(&parent_located.hash, &hash, &());
                Self::deposit_event(Event::SubnameCreated {
                    name,
                    parent,
                    owner,
                });
            }
        }
        Ok(())
    }

    pub(crate) fn approve(
        origin: Origin,
        name: DomainName,
        account: Option<AccountId>,
    ) -> DispatchResult {
        let who = ensure_signed(origin)?;
        let mut located = Self::locate_active(&name)?;
        let info = &mut located.info;
        ensure!(
            info.owner == who || Operators::contains_key(&info.owner, &who),
            Error::NotOwner
        );
        info.approved = account;
        Domains::insert(&located.hash, info);
        Self::deposit_event(Event::Approved {
            name,
            approved: account,
        });
        Ok(())
    }

    pub(crate) fn set_operator(
        origin: Origin,
        operator: AccountId,
        approved: bool,
    ) -> DispatchResult {
        let owner = ensure_signed(origin)?;
        if approved {
            Operators::insert(&owner, &operator, &());
        } else {
            Operators::remove(&owner, &operator);
        }
        Self::deposit_event(Event::OperatorSet {
            owner,
            operator,
            approved,
        });
        Ok(())
    }

    pub(crate) fn set_primary_name(origin: Origin, name: Option<DomainName>) -> DispatchResult {
        let who = ensure_signed(origin)?;
        match &name {
            Some(name) => {
                let located = Self::locate_active(name)?;
                ensure!(located.info.owner == who, Error::NotResolvingToCaller);
                PrimaryNames::insert(&who, name);
            }
            None => PrimaryNames::remove(&who),
        }
        Self::deposit_event(Event::PrimaryNameSet { who, name });
        Ok(())
    }

    pub(crate) fn set_update_key(
        origin: Origin,
        name: DomainName,
        key: Option<AccountId>,
    ) -> DispatchResult {
        let who = ensure_signed(origin)?;
        let mut located = Self::locate_active(&name)?;
        Self::ensure_manager(&who, &located.info)?;
        located.info.update_key = key;
        Domains::insert(&located.hash, &located.info);
        Self::deposit_event(Event::UpdateKeySet { name, key });
        Ok(())
    }

    /// Checks and applies one signed update.
    pub(crate) fn apply_signed_update(update: SignedRecordUpdate) -> DispatchResult {
        let params = Self::params();
        ensure!(update.contract_id.len() <= 64, Error::ContractIdTooLong);
        let mut located = Self::locate_active(&update.domain)?;
        let signer = update.owner_address;
        ensure!(
            signer == located.info.owner || located.info.update_key == Some(signer),
            Error::WrongSigner
        );
        ensure!(
            update.signature_is_valid(&Self::genesis_hash()),
            Error::BadSignature
        );
        ensure!(
            update.sequence == located.info.update_sequence,
            Error::WrongSequence
        );
        ensure!(
            update.timestamp > located.info.last_signed_update,
            Error::StaleUpdate
        );
        let now = Self::now();
        ensure!(
            now.abs_diff(update.timestamp) <= params.signed_update_window_ms,
            Error::UpdateOutsideWindow
        );
        Self::ensure_labels_free(
            &update.domain,
            &located.hash,
            update.records.iter().map(|r| &r.label),
        )?;
        let current = Records::get(&located.hash).unwrap_or_default();
        let replaced = NameRecords {
            dns: Vec::new(),
            web3: current.web3,
        };
        let updated = Self::apply_changes(
            &update.domain,
            replaced,
            update
                .records
                .into_iter()
                .map(RecordChange::Upsert)
                .collect(),
            &params,
        )?;
        located.info.last_signed_update = update.timestamp;
        Domains::insert(&located.hash, &located.info);
        // The update's signer pays its records' deposit, not the relayer: the signer decided
        // what the name stores.
        Self::store_records(
            &signer,
            &update.domain,
            &located.hash,
            &located.info,
            updated,
        )?;
        Self::deposit_event(Event::SignedUpdateApplied {
            name: update.domain,
            signer,
            timestamp: update.timestamp,
        });
        Ok(())
    }

    pub(crate) fn batch_set_records_signed(
        origin: Origin,
        updates: Vec<SignedRecordUpdate>,
    ) -> DispatchResult {
        ensure_signed(origin)?;
        ensure!(
            updates.len() as u64 <= u64::from(Self::params().max_batch_updates),
            Error::BatchTooLarge
        );
        for (index, update) in updates.into_iter().enumerate() {
            let name = update.domain.clone();
            if let Err(error) = transactional(|| Self::apply_signed_update(update)) {
                Self::deposit_event(Event::SignedUpdateFailed {
                    index: index as u32,
                    name,
                    error,
                });
            }
        }
        Ok(())
    }

    pub(crate) fn set_tld(origin: Origin, tld: Vec<u8>, enabled: bool) -> DispatchResult {
        ensure_root(origin)?;
        let text = core::str::from_utf8(&tld).map_err(|_| Error::BadTld)?;
        ghost_primitives::names::check_label(text).map_err(|_| Error::BadTld)?;
        ensure!(Tlds::contains_key(&tld) != enabled, Error::BadTld);
        if enabled {
            Tlds::insert(&tld, &());
        } else {
            Tlds::remove(&tld);
        }
        Self::deposit_event(Event::TldChanged { tld, enabled });
        Ok(())
    }

    /// Removes a name's entry, records and index entries (not its subnames), and returns a
    /// subname's deposits (its entry's and its records') to whoever paid them.
    pub(crate) fn remove_entry(hash: &Hash, info: &DomainInfo) {
        if let Some(deposit) = Deposits::get(hash) {
            Deposits::remove(hash);
            ghost_support::deposit::release_deposit::<T::Currency>(&deposit.payer, deposit.amount);
        }
        if let Some(deposit) = RecordDeposits::get(hash) {
            RecordDeposits::remove(hash);
            ghost_support::deposit::release_deposit::<T::Currency>(&deposit.payer, deposit.amount);
        }
        Domains::remove(hash);
        Records::remove(hash);
        Owned::remove(&info.owner, hash);
        if let Some(parent) = info.parent {
            Subnames::remove(&parent, hash);
        }
        if PrimaryNames::get(&info.owner).as_ref() == Some(&info.name) {
            PrimaryNames::remove(&info.owner);
        }
    }
}

/// The registered second-level name a (sub)name lives under.
pub(crate) fn root_of(name: &DomainName) -> Option<DomainName> {
    let labels: Vec<&str> = name.labels().collect();
    let n = labels.len();
    if n < 2 {
        return None;
    }
    DomainName::parse(&format!("{}.{}", labels[n - 2], labels[n - 1])).ok()
}
