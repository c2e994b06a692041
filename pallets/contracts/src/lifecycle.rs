//! The lifecycle of a contract beyond `instantiate` and `call`: a contract deploying another
//! (the `instantiate` host function), replacing its own code (`set_code_hash`) and ending
//! itself (`terminate`), and the deletion queue that removes a terminated contract's storage
//! over later blocks.
//!
//! # Termination
//! `terminate` removes the contract's record at once, releases its code's refcount, returns
//! its deposits (record and storage) to the transaction's signer through the call's meter (as
//! pallet-contracts refunds the origin) and moves the rest of its free balance to the
//! beneficiary. Its storage entries cannot all go in the same transaction (a contract may have
//! any number), so its storage prefix is queued ([`crate::DeletionQueue`], at most
//! [`crate::MAX_DELETION_QUEUE_LEN`] contracts) and `on_initialize` deletes at most
//! [`crate::DELETION_KEYS_PER_BLOCK`] entries per block. The terminating
//! call pays the fuel of that later work up front (`deletion_per_item` per entry), so the
//! blocks that do it are paid for, and no block does more than the bound whatever a contract
//! stored.
//!
//! # Re-instantiation
//! An address whose storage is still queued cannot be instantiated again: `instantiate`
//! refuses with `ContractPendingDeletion` (a transaction) or `DuplicateContract` (the host
//! function) until the queue has deleted the last entry, so a new contract never sees the
//! old one's storage and the queue never deletes the new one's.
//!
//! Invariant: an address is queued only while it has storage entries; the drain pops an entry
//! in the same block it deletes the last key.

use ghost_primitives::{AccountId, Hash};
use ghost_support::prelude::*;
use ghost_support::traits::Currency;
use ghost_support::transactional;
use ghost_support::weights::ROCKS_DB_WEIGHT;

use crate::types::NameProvider;
use crate::wasm::runtime::{CallOutcome, InstantiateRequest};
use crate::wasm::{Entry, Frame};
use crate::{
    CodeInfo, CodeInfoOf, Config, ContractInfo, ContractInfoOf, ContractStorage, DeletionQueue,
    DeletionQueueCounterOf, Event, MAX_DELETION_QUEUE_LEN, Pallet, ReturnCode, contract_address,
    debug, deposit,
};

/// The weight of deleting `keys` storage entries of `contracts` queued contracts: reading the
/// counter, each queue entry and each key (plus one read per contract to see it is done),
/// removing each key, each finished queue entry and writing the counter.
pub fn deletion_weight(keys: u32, contracts: u32) -> Weight {
    let (keys, contracts) = (u64::from(keys), u64::from(contracts));
    ROCKS_DB_WEIGHT.reads_writes(
        1u64.saturating_add(keys)
            .saturating_add(contracts.saturating_mul(2)),
        1u64.saturating_add(keys).saturating_add(contracts),
    )
}

/// Deletes at most `max_keys` storage entries of queued contracts, oldest first, popping each
/// contract whose storage is gone; returns the weight used.
pub(crate) fn drain_deletion_queue(max_keys: u32) -> Weight {
    let mut counter = DeletionQueueCounterOf::get_or_default();
    if counter.is_empty() {
        return ROCKS_DB_WEIGHT.reads(1);
    }
    let (mut removed_total, mut contracts) = (0u32, 0u32);
    while counter.delete < counter.insert && removed_total < max_keys {
        contracts = contracts.saturating_add(1);
        let index = counter.delete;
        if let Some(contract) = DeletionQueue::get(&index) {
            let (removed, done) =
                ContractStorage::remove_prefix_limited(&contract, max_keys - removed_total);
            removed_total = removed_total.saturating_add(removed);
            if !done {
                break;
            }
        }
        DeletionQueue::remove(&index);
        counter.delete = counter.delete.saturating_add(1);
    }
    DeletionQueueCounterOf::put(&counter);
    deletion_weight(removed_total, contracts)
}

impl<T: Config> Pallet<T> {
    /// The `terminate` host function for `contract` (the caller checked it is not re-entered
    /// and not in `deploy`): in one storage transaction, queues its storage, refunds its
    /// deposits to the meter's origin, moves its free balance to `beneficiary`, removes its
    /// record and releases its code. `TransferFailed` if the balance cannot move (the
    /// beneficiary is the contract itself, or would stay below the existential deposit),
    /// `DeletionQueueFull`; nothing changes on an error.
    pub(crate) fn terminate(
        contract: &AccountId,
        beneficiary: &AccountId,
        meter: &deposit::SharedMeter,
    ) -> Result<(), ReturnCode> {
        let info = ContractInfoOf::get(contract).ok_or(ReturnCode::NotAContract)?;
        if beneficiary == contract {
            return Err(ReturnCode::TransferFailed);
        }
        if T::Names::owns_names(contract) {
            return Err(ReturnCode::OwnsNames);
        }
        let mut counter = DeletionQueueCounterOf::get_or_default();
        let queue = ContractStorage::contains_prefix(contract);
        if queue && counter.len() >= MAX_DELETION_QUEUE_LEN {
            return Err(ReturnCode::DeletionQueueFull);
        }
        let snapshot = meter.borrow().snapshot();
        let result = transactional(|| {
            if queue {
                DeletionQueue::insert(&counter.insert, contract);
                counter.insert = counter.insert.saturating_add(1);
                DeletionQueueCounterOf::put(&counter);
            }
            let deposits = info.storage_deposit.saturating_add(info.base_deposit);
            meter.borrow_mut().refund::<T::Currency>(contract, deposits);
            let free = T::Currency::free_balance(contract);
            if free > 0 {
                T::Currency::transfer(contract, beneficiary, free)
                    .map_err(|_| ReturnCode::TransferFailed)?;
            }
            ContractInfoOf::remove(contract);
            Self::release_code(&info.code_hash);
            Self::deposit_event(Event::Terminated {
                contract: *contract,
                beneficiary: *beneficiary,
            });
            Ok(())
        });
        if result.is_err() {
            meter.borrow_mut().restore(snapshot);
        }
        result
    }

    /// The `set_code_hash` host function: `contract` runs `code_hash` from its next frame on;
    /// the refcount moves from the old code to the new. `CodeNotFound` if no such code is
    /// stored, with nothing changed.
    pub(crate) fn set_code_hash(contract: &AccountId, code_hash: &Hash) -> Result<(), ReturnCode> {
        let new_code = CodeInfoOf::get(code_hash).ok_or(ReturnCode::CodeNotFound)?;
        let mut info = ContractInfoOf::get(contract).ok_or(ReturnCode::NotAContract)?;
        let old_code_hash = info.code_hash;
        Self::acquire_code(code_hash, &new_code);
        Self::release_code(&old_code_hash);
        info.code_hash = *code_hash;
        ContractInfoOf::insert(contract, &info);
        Self::deposit_event(Event::ContractCodeUpdated {
            contract: *contract,
            new_code_hash: *code_hash,
            old_code_hash,
        });
        Ok(())
    }

    /// Stores the record of a new `contract` of `code_hash` (whose info is `code_info`), with
    /// no storage yet and its record deposit `base_deposit`, and counts it as a user of the
    /// code: what `instantiate` does, from a transaction or from a contract.
    pub(crate) fn store_new_contract(
        contract: &AccountId,
        deployer: AccountId,
        code_hash: Hash,
        code_info: &CodeInfo,
        base_deposit: ghost_primitives::Balance,
    ) {
        ContractInfoOf::insert(
            contract,
            &ContractInfo {
                code_hash,
                deployer,
                storage_bytes: 0,
                storage_items: 0,
                storage_deposit: 0,
                base_deposit,
                reentrant: false,
            },
        );
        Self::acquire_code(&code_hash, code_info);
    }

    /// One contract more uses `code_hash` (whose info is `code_info`).
    fn acquire_code(code_hash: &Hash, code_info: &CodeInfo) {
        CodeInfoOf::insert(
            code_hash,
            &CodeInfo {
                refcount: code_info.refcount.saturating_add(1),
                ..code_info.clone()
            },
        );
    }

    /// One contract fewer uses `code_hash`.
    fn release_code(code_hash: &Hash) {
        let _: Result<(), ()> = CodeInfoOf::try_mutate_exists(code_hash, |code| {
            if let Some(code) = code {
                code.refcount = code.refcount.saturating_sub(1);
            }
            Ok(())
        });
    }

    /// The `instantiate` host function: a contract deploys `request.code_hash` at
    /// `blake3(deployer ++ code_hash ++ salt)` with itself as the deployer, the record's deposit
    /// charged to the transaction's signer through `meter`, in its own storage transaction
    /// (everything is rolled back unless `deploy` returns without reverting).
    pub(crate) fn nested_instantiate(
        request: InstantiateRequest,
        meter: &deposit::SharedMeter,
        debug: Option<&debug::SharedDebug>,
    ) -> Result<(AccountId, CallOutcome), ReturnCode> {
        let limits = T::SCHEDULE.limits;
        if request.stack.len() >= limits.max_call_depth as usize {
            return Err(ReturnCode::MaxCallDepthReached);
        }
        let code_info = CodeInfoOf::get(&request.code_hash).ok_or(ReturnCode::CodeNotFound)?;
        let (deployer, code_hash) = (request.deployer, request.code_hash);
        let contract = contract_address(&deployer, &code_hash, &request.salt);
        if ContractInfoOf::contains_key(&contract) || ContractStorage::contains_prefix(&contract) {
            return Err(ReturnCode::DuplicateContract);
        }
        let frame = Frame {
            entry: Entry::Deploy,
            code_hash,
            code_len: code_info.code_len,
            caller: deployer,
            contract,
            value: request.value,
            input: request.input,
            stack: request.stack,
            fuel_limit: request.fuel,
        };
        let base_deposit =
            ContractInfo::record_deposit(T::STORAGE_DEPOSIT_PER_BYTE, T::STORAGE_DEPOSIT_PER_ITEM);
        let setup = || {
            meter
                .borrow_mut()
                .charge::<T::Currency>(&contract, base_deposit)
                .map_err(|_| ReturnCode::StorageDepositNotCovered)?;
            Self::store_new_contract(&contract, deployer, code_hash, &code_info, base_deposit);
            Ok(())
        };
        let on_kept = || {
            Self::deposit_event(Event::Instantiated {
                deployer,
                contract,
                code_hash,
            })
        };
        Self::run_nested(frame, meter, debug, setup, on_kept).map(|outcome| (contract, outcome))
    }
}
