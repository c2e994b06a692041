//! The chain side of the host functions: [`Env`] implements [`Host`] for a runtime's `Config`
//! over the pallet's storage, the currency, the system pallet and the name provider. Storage
//! deposits go through the call's [`DepositMeter`](crate::deposit::DepositMeter): the
//! transaction's signer pays them. Every name function that writes runs in its own storage
//! transaction, with the call's meter installed, so a refusal leaves nothing of what the name
//! service did behind, whatever it wrote before refusing, and the deposits it takes (subnames,
//! commitments) are paid by the transaction's signer within its `storage_deposit_limit`.

use std::marker::PhantomData;

use ghost_primitives::{AccountId, Balance, DnsRecord, DomainName, Hash};
use ghost_support::deposit::with_meter;
use ghost_support::traits::Currency;
use ghost_support::transactional;
use pallet_system as system;

use crate::debug::SharedDebug;
use crate::deposit::SharedMeter;
use crate::wasm::runtime::{CallOutcome, CallRequest, Host, InstantiateRequest};
use crate::{
    Config, ContractInfo, ContractInfoOf, ContractStorage, Event, NameProvider, NameResolution,
    NamesError, Pallet, PristineCode, ReturnCode,
};
use ghost_support::storage::{StorageDoubleMap, StorageMap, unhashed};

/// The host of runtime `T`: storage is the thread's externalities; the meter is the top-level
/// call's, shared by its frames.
pub(crate) struct Env<T> {
    meter: SharedMeter,
    /// The call's debug buffer; `None` in a transaction.
    debug: Option<SharedDebug>,
    _runtime: PhantomData<fn() -> T>,
}

impl<T> Env<T> {
    pub(crate) fn new(meter: SharedMeter, debug: Option<SharedDebug>) -> Self {
        Env {
            meter,
            debug,
            _runtime: PhantomData,
        }
    }
}

impl<T: Config> Env<T> {
    /// Runs a name function in its own storage transaction with the call's meter installed, so
    /// the deposits the name service takes are the signer's, under its limit; a refusal rolls
    /// back the writes and the meter's counters.
    fn names<R>(&self, f: impl FnOnce() -> Result<R, NamesError>) -> Result<R, NamesError> {
        let snapshot = self.meter.borrow().snapshot();
        let result = with_meter(self.meter.clone(), || transactional(f));
        if result.is_err() {
            self.meter.borrow_mut().restore(snapshot);
        }
        result
    }
}

/// The deposit `bytes` and `items` of storage require.
fn storage_deposit<T: Config>(bytes: u64, items: u32) -> Balance {
    T::STORAGE_DEPOSIT_PER_BYTE
        .saturating_mul(Balance::from(bytes))
        .saturating_add(T::STORAGE_DEPOSIT_PER_ITEM.saturating_mul(Balance::from(items)))
}

impl<T: Config> Host for Env<T> {
    fn code(&self, code_hash: &Hash) -> Option<Vec<u8>> {
        PristineCode::get(code_hash)
    }

    fn storage_get(&self, contract: &AccountId, key: &[u8]) -> Option<Vec<u8>> {
        ContractStorage::get(contract, &key.to_vec())
    }

    fn storage_set(
        &self,
        contract: &AccountId,
        key: &[u8],
        value: Option<&[u8]>,
    ) -> Result<bool, ReturnCode> {
        // Each storage key is built (and the entry's key hashed) once, for both its read and
        // its write; the values are what `ContractInfoOf` and `ContractStorage` read and write.
        let info_key = ContractInfoOf::hashed_key(contract);
        let mut info: ContractInfo = unhashed::get(&info_key).ok_or(ReturnCode::NotAContract)?;
        let entry_key = ContractStorage::hashed_key(contract, &key.to_vec());
        let old = unhashed::get::<Vec<u8>>(&entry_key);
        let size = |v: &[u8]| (key.len() as u64).saturating_add(v.len() as u64);
        let old_bytes = old.as_deref().map_or(0, size);
        let new_bytes = value.map_or(0, size);
        info.storage_bytes = info
            .storage_bytes
            .saturating_sub(old_bytes)
            .saturating_add(new_bytes);
        match (old.is_some(), value.is_some()) {
            (false, true) => info.storage_items = info.storage_items.saturating_add(1),
            (true, false) => info.storage_items = info.storage_items.saturating_sub(1),
            _ => {}
        }
        let required = storage_deposit::<T>(info.storage_bytes, info.storage_items);
        let held = info.storage_deposit;
        if required > held {
            self.meter
                .borrow_mut()
                .charge::<T::Currency>(contract, required - held)
                .map_err(|_| ReturnCode::StorageDepositNotCovered)?;
        } else if required < held {
            self.meter
                .borrow_mut()
                .refund::<T::Currency>(contract, held - required);
        }
        info.storage_deposit = required;

        // `[u8]` encodes as `Vec<u8>` does: no copy of the value is needed to write it.
        match value {
            Some(v) => unhashed::put(entry_key, v),
            None => unhashed::kill(entry_key),
        }
        unhashed::put(info_key, &info);
        Ok(old.is_some())
    }

    fn balance(&self, who: &AccountId) -> Balance {
        T::Currency::free_balance(who)
    }

    fn transfer(&self, from: &AccountId, to: &AccountId, value: Balance) -> Result<(), ReturnCode> {
        T::Currency::transfer(from, to, value).map_err(|_| ReturnCode::TransferFailed)
    }

    fn block_number(&self) -> u64 {
        system::Pallet::<T>::block_number()
    }

    fn block_timestamp(&self) -> u64 {
        system::Pallet::<T>::now()
    }

    fn deposit_event(&self, contract: &AccountId, topics: Vec<Hash>, data: Vec<u8>) {
        Pallet::<T>::deposit_event(Event::ContractEmitted {
            contract: *contract,
            topics,
            data,
        });
    }

    fn call(&self, request: CallRequest) -> Result<CallOutcome, ReturnCode> {
        Pallet::<T>::nested_call(request, &self.meter, self.debug.as_ref())
    }

    fn instantiate(
        &self,
        request: InstantiateRequest,
    ) -> Result<(AccountId, CallOutcome), ReturnCode> {
        Pallet::<T>::nested_instantiate(request, &self.meter, self.debug.as_ref())
    }

    fn storage_items(&self, contract: &AccountId) -> u32 {
        ContractInfoOf::get(contract).map_or(0, |info| info.storage_items)
    }

    fn terminate(&self, contract: &AccountId, beneficiary: &AccountId) -> Result<(), ReturnCode> {
        Pallet::<T>::terminate(contract, beneficiary, &self.meter)
    }

    fn set_code_hash(&self, contract: &AccountId, code_hash: &Hash) -> Result<(), ReturnCode> {
        Pallet::<T>::set_code_hash(contract, code_hash)
    }

    fn debug_enabled(&self) -> bool {
        self.debug.is_some()
    }

    fn debug_message(&self, message: &[u8]) -> ReturnCode {
        match &self.debug {
            Some(buffer) => buffer.borrow_mut().append(message),
            None => ReturnCode::LoggingDisabled,
        }
    }

    fn set_reentrant(&self, contract: &AccountId, allow: bool) {
        let _: Result<(), ()> = ContractInfoOf::try_mutate_exists(contract, |info| {
            if let Some(info) = info {
                info.reentrant = allow;
            }
            Ok(())
        });
    }

    fn name_resolve(&self, name: &DomainName) -> Result<Option<NameResolution>, NamesError> {
        T::Names::resolve(name)
    }

    fn name_commit(&self, contract: &AccountId, commitment: Hash) -> Result<(), NamesError> {
        self.names(|| T::Names::commit(contract, commitment))
    }

    fn name_register(
        &self,
        contract: &AccountId,
        name: &DomainName,
        duration_ms: u64,
        secret: Hash,
    ) -> Result<(), NamesError> {
        self.names(|| T::Names::register(contract, name, duration_ms, secret))
    }

    fn name_renew(
        &self,
        contract: &AccountId,
        name: &DomainName,
        duration_ms: u64,
    ) -> Result<(), NamesError> {
        self.names(|| T::Names::renew(contract, name, duration_ms))
    }

    fn name_approve(
        &self,
        contract: &AccountId,
        name: &DomainName,
        account: Option<AccountId>,
    ) -> Result<(), NamesError> {
        self.names(|| T::Names::approve(contract, name, account))
    }

    fn name_set_records(
        &self,
        contract: &AccountId,
        name: &DomainName,
        records: Vec<DnsRecord>,
    ) -> Result<(), NamesError> {
        self.names(|| T::Names::set_records(contract, name, records))
    }

    fn name_transfer(
        &self,
        contract: &AccountId,
        name: &DomainName,
        to: &AccountId,
    ) -> Result<(), NamesError> {
        self.names(|| T::Names::transfer(contract, name, to))
    }

    fn name_set_subname_owner(
        &self,
        contract: &AccountId,
        parent: &DomainName,
        label: &str,
        owner: &AccountId,
        lock: bool,
    ) -> Result<(), NamesError> {
        self.names(|| T::Names::set_subname_owner(contract, parent, label, owner, lock))
    }
}
