//! The name service the runtime gives the ENS bridge: the domains pallet.
//!
//! A link registers its ghost name exactly as the ghost account would with signed calls: a
//! commitment when the request is accepted (so commit-reveal holds on chains that require it:
//! the link must come between `min_commitment_age_ms` and `max_commitment_age_ms` after the
//! request, which [`ENS_REQUEST_LIFETIME`](crate::ENS_REQUEST_LIFETIME) keeps under a day),
//! then `register` at the normal price, paid by the ghost account. Records are written with
//! `set_records` / `clear_records` dispatched as the ghost name's current owner, so domains'
//! limits and checks apply to mirrored records as to any other.

use ghost_primitives::{AccountId, DomainName, Hash, Web3Records};
use ghost_support::dispatch::{DispatchResult, Origin};

use crate::Domains;
use crate::domains::{Call, Error, NameStatus, RecordChange};
use crate::ens_bridge::{DnsSet, GhostNames};

/// Ghost names as the ENS bridge sees them.
pub struct EnsGhostNames;

impl GhostNames for EnsGhostNames {
    fn owner(name: &DomainName) -> Option<AccountId> {
        Domains::resolve(name)
            .filter(|r| r.status == NameStatus::Active)
            .map(|r| r.owner)
    }

    fn prepare_registration(who: &AccountId, name: &DomainName, secret: &Hash) -> DispatchResult {
        // The commitment binds what `register` will set: the link's duration, no records.
        let duration_ms = <crate::Runtime as crate::ens_bridge::Config>::LINK_REGISTRATION_MS;
        let commitment = Domains::commitment_of(name, who, secret, duration_ms, &[]);
        match Domains::dispatch(Call::Commit { commitment }, Origin::Signed(*who)) {
            // The same commitment from an earlier request of this account for this name.
            Err(e) if e == Error::CommitmentExists.into() => Ok(()),
            other => other,
        }
    }

    fn register(
        who: &AccountId,
        name: &DomainName,
        duration_ms: u64,
        secret: &Hash,
    ) -> DispatchResult {
        let call = Call::Register {
            name: name.clone(),
            owner: *who,
            duration_ms,
            secret: *secret,
            records: Vec::new(),
        };
        Domains::dispatch(call, Origin::Signed(*who))
    }

    fn set_web3_records(name: &DomainName, records: &Web3Records) -> DispatchResult {
        let current = Domains::resolve(name).ok_or(Error::NotRegistered)?;
        let call = Call::SetRecords {
            name: name.clone(),
            changes: RecordChange::web3_diff(&current.web3, records),
        };
        Domains::dispatch(call, Origin::Signed(current.owner))
    }

    fn replace_dns_sets(name: &DomainName, sets: &[DnsSet]) -> DispatchResult {
        let owner = Self::owner(name).ok_or(Error::NotRegistered)?;
        let call = Call::SetRecords {
            name: name.clone(),
            changes: dns_set_changes(sets),
        };
        Domains::dispatch(call, Origin::Signed(owner))
    }

    fn clear_records(name: &DomainName) -> DispatchResult {
        let owner = Self::owner(name).ok_or(Error::NotRegistered)?;
        Domains::dispatch(
            Call::ClearRecords { name: name.clone() },
            Origin::Signed(owner),
        )
    }
}

/// The domains `ReplaceSet` changes that write `sets`.
pub fn dns_set_changes(sets: &[DnsSet]) -> Vec<RecordChange> {
    sets.iter()
        .map(|set| RecordChange::ReplaceSet {
            label: set.label.clone(),
            rtype: set.rtype,
            ttl: set.ttl,
            values: set.values.clone(),
        })
        .collect()
}
