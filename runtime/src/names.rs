//! The name service the runtime gives contracts: the domains pallet, acting as the contract.
//!
//! A contract can resolve any active name, and register, re-record and transfer names as their
//! owner, exactly as an account would through signed calls (same fees, same checks): that is
//! what makes "programmable DNS" real: a contract decides what its names answer.

use ghost_primitives::{AccountId, DnsRecord, DomainName, Hash};
use ghost_support::dispatch::{DispatchError, Origin};

use crate::Domains;
use crate::contracts::{NameProvider, NameResolution, NamesError};
use crate::domains::{Call, NameStatus, RecordChange};

/// Domains as contracts see them.
pub struct DomainNames;

fn names_error(error: DispatchError) -> NamesError {
    match &error {
        DispatchError::Module(e) if e.pallet == "Domains" => match e.error.as_ref() {
            "NotOwner" | "NotResolvingToCaller" => NamesError::NotOwner,
            "NotRegistered" | "NameExpired" => NamesError::NotFound,
            "TooManyRecords" | "TooManyWeb3Entries" | "RecordsTooLarge" | "CnameConflict"
            | "RecordNotFound" | "RecordTypeMismatch" | "InvalidRecord" | "RecordNameTooLong"
            | "UnknownTld" | "NotSecondLevel" | "DurationTooShort" | "DurationTooLong" => {
                NamesError::Invalid
            }
            _ => NamesError::Refused,
        },
        _ => NamesError::Refused,
    }
}

impl NameProvider for DomainNames {
    fn resolve(name: &DomainName) -> Result<Option<NameResolution>, NamesError> {
        Ok(Domains::resolve(name)
            .filter(|r| r.status == NameStatus::Active)
            .map(|r| NameResolution { owner: r.owner, records: r.records }))
    }

    fn register(contract: &AccountId, name: &DomainName, duration_ms: u64) -> Result<(), NamesError> {
        let call = Call::Register {
            name: name.clone(),
            owner: *contract,
            duration_ms,
            secret: Hash::ZERO,
            records: Vec::new(),
        };
        Domains::dispatch(call, Origin::Signed(*contract)).map_err(names_error)
    }

    fn set_records(contract: &AccountId, name: &DomainName, records: Vec<DnsRecord>) -> Result<(), NamesError> {
        let current = Domains::resolve(name).ok_or(NamesError::NotFound)?;
        let changes = current
            .records
            .into_iter()
            .map(RecordChange::Remove)
            .chain(records.into_iter().map(RecordChange::Upsert))
            .collect();
        let call = Call::SetRecords { name: name.clone(), changes };
        Domains::dispatch(call, Origin::Signed(*contract)).map_err(names_error)
    }

    fn transfer(contract: &AccountId, name: &DomainName, to: &AccountId) -> Result<(), NamesError> {
        let call = Call::Transfer { name: name.clone(), new_owner: *to };
        Domains::dispatch(call, Origin::Signed(*contract)).map_err(names_error)
    }
}
