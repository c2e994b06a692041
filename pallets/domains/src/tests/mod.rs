//! Tests of the domains pallet, one file per area.
//!
//! Each test drives the mock runtime ([`crate::mock`]) like a script: set up names, dispatch a
//! call, assert storage and the events. Every refused call goes through
//! [`assert_noop`](crate::mock::assert_noop), which also proves the state is byte-for-byte
//! unchanged.
//!
//! - `registration`: commit-reveal, fees, the refusals of `register`.
//! - `expiry`: status boundaries, the bounded sweep, grace, renewals.
//! - `delegation`: transfer, approve, operators, primary names, update keys.
//! - `records`: record changes, atomicity and every record limit.
//! - `subnames`: creation, locking, inherited expiry, death with the root's registration.
//! - `signed_updates`: off-chain signed record updates and batches.
//! - `names_and_reads`: name validation, TLDs, the read API and the event mapping.
//! - `properties`: proptests of the owner index and commitments.
//! - `deposits`: subname and commitment deposits, the commitment sweep, TTL cap, bounded pages.

mod delegation;
mod deposits;
mod expiry;
mod names_and_reads;
mod properties;
mod records;
mod registration;
mod signed_updates;
mod subnames;

use ghost_primitives::{DnsRecord, RecordData, RecordLabel, records::DEFAULT_TTL};
use ghost_support::prelude::*;
use ghost_support::traits::Currency;

use crate as pallet;
use crate::mock::*;
use crate::{DomainInfo, Event, NameRecords, NameStatus};

/// Grace period of [`test_params`].
const GRACE: Moment = 30 * crate::DAY_MS;

/// A DNS record from its text form with the default TTL: `rec("www", "A=10.0.0.1")`.
fn rec(label: &str, assignment: &str) -> DnsRecord {
    rec_ttl(label, assignment, DEFAULT_TTL)
}

/// A DNS record from its text form with a TTL.
fn rec_ttl(label: &str, assignment: &str, ttl: u32) -> DnsRecord {
    DnsRecord {
        label: RecordLabel::parse(label).expect("valid test label"),
        ttl,
        data: RecordData::parse_assignment(assignment).expect("valid test record"),
    }
}

/// The stored records of `n` (empty if none).
fn records_of(n: &str) -> NameRecords {
    pallet::Records::get(&name(n).namehash()).unwrap_or_default()
}

/// The stored info of `n`.
fn info_of(n: &str) -> Option<DomainInfo> {
    pallet::Domains::get(&name(n).namehash())
}

/// The status `resolve` reports for `n`.
fn status_of(n: &str) -> NameStatus {
    Domains::resolve(&name(n)).expect("name exists").status
}

/// The effective expiry of `n`.
fn expiry_of(n: &str) -> Moment {
    Domains::resolve(&name(n)).expect("name exists").expires_at
}

/// Whether `Owned` lists `n` under account `who`.
fn owns(who: u8, n: &str) -> bool {
    pallet::Owned::contains_key(&acc(who), &name(n).namehash())
}

/// The last domains event of the block.
fn last_event() -> Option<Event> {
    domain_events().pop()
}

/// Free balance of `who`.
fn free(who: &AccountId) -> Balance {
    Balances::free_balance(who)
}

/// The queued expiry actions, in time order: `(moment, namehash, action)`.
fn expiry_queue() -> Vec<(Moment, Hash, crate::ExpiryAction)> {
    let prefix = <pallet::ExpiryQueue as StorageDoubleMap>::prefix();
    keys_under(&prefix)
        .into_iter()
        .map(|key| {
            let moment = Moment::from_be_bytes(key[..8].try_into().expect("8-byte moment"));
            let hash = Hash(key[8..40].try_into().expect("32-byte namehash"));
            let action =
                pallet::ExpiryQueue::get(&moment.to_be_bytes(), &hash).expect("queued action");
            (moment, hash, action)
        })
        .collect()
}
