//! Read-only queries for the runtime API (`domain_*` RPC) and the mapping of events to
//! GhostBridge's change types.

use ghost_primitives::{AccountId, Balance, DomainName, Hash};
use ghost_support::prelude::*;

use crate::calls::root_of;
use crate::types::*;
use crate::{Config, Domains, Event, Owned, Pallet, PrimaryNames, Records, Tlds, pricing};

/// Why a name cannot be registered, for `domain_available`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Availability {
    /// Whether `register` would accept it now (ignoring the commitment and balance).
    pub available: bool,
    /// Its status.
    pub status: NameStatus,
    /// Why not, if not.
    pub reason: Option<String>,
}

impl<T: Config> Pallet<T> {
    /// Resolves a name at the current block time; `None` if it does not exist.
    pub fn resolve(name: &DomainName) -> Option<Resolution> {
        let located = Self::locate(name)?;
        let status = Self::status_at(located.expires_at, Self::now());
        let records = if status == NameStatus::Active {
            Records::get(&located.hash).unwrap_or_default()
        } else {
            NameRecords::default()
        };
        let parent = located
            .info
            .parent
            .and_then(|p| Domains::get(&p))
            .map(|p| p.name);
        Some(Resolution {
            name: located.info.name,
            namehash: located.hash,
            owner: located.info.owner,
            records: records.dns,
            web3: records.web3,
            expires_at: located.expires_at,
            created_at: located.info.created_at,
            status,
            parent,
            update_key: located.info.update_key,
            update_sequence: located.info.update_sequence,
        })
    }

    /// Whether `name` can be registered now.
    pub fn availability(name: &DomainName) -> Availability {
        let refuse = |status, reason: &str| Availability {
            available: false,
            status,
            reason: Some(reason.into()),
        };
        if !Tlds::contains_key(&name.tld().as_bytes().to_vec()) {
            return refuse(NameStatus::Available, "unknown TLD");
        }
        if name.depth() != 2 {
            return refuse(
                NameStatus::Available,
                "only second-level names are registered; create subnames instead",
            );
        }
        if Self::is_reserved(name) {
            return refuse(NameStatus::Available, "reserved");
        }
        match Domains::get(&name.namehash())
            .map(|info| Self::status_at(info.expires_at, Self::now()))
        {
            Some(NameStatus::Active) => refuse(NameStatus::Active, "registered"),
            Some(NameStatus::Grace) => refuse(NameStatus::Grace, "expired, in its grace period"),
            _ => Availability {
                available: true,
                status: NameStatus::Available,
                reason: None,
            },
        }
    }

    /// The fee to register or renew `name` for `duration_ms`.
    pub fn price_of(name: &DomainName, duration_ms: u64) -> Option<Balance> {
        pricing::price(name, duration_ms, &Self::params())
    }

    /// Names owned by `owner` (namehash order), starting after `cursor`, at most `limit`.
    pub fn list_by_owner(owner: &AccountId, cursor: Option<Hash>, limit: usize) -> Vec<DomainName> {
        let mut iter = Owned::iter_prefix(owner);
        if let Some(cursor) = cursor {
            iter = iter.starting_after(<Owned as StorageDoubleMap>::hashed_key(owner, &cursor));
        }
        iter.filter_map(|(hash, ())| Domains::get(&hash))
            .filter(|info| {
                Self::locate(&info.name).is_some_and(|l| {
                    Self::status_at(l.expires_at, Self::now()) != NameStatus::Available
                })
            })
            .map(|info| info.name)
            .take(limit)
            .collect()
    }

    /// Every stored name (namehash order), starting after `cursor`, at most `limit`.
    pub fn all_names(cursor: Option<Hash>, limit: usize) -> Vec<DomainName> {
        let mut iter = Domains::iter();
        if let Some(cursor) = cursor {
            iter = iter.starting_after(<Domains as StorageMap>::hashed_key(&cursor));
        }
        iter.map(|(_, info)| info.name).take(limit).collect()
    }

    /// An account's primary name, if it still resolves and belongs to the account.
    pub fn primary_name(who: &AccountId) -> Option<DomainName> {
        let name = PrimaryNames::get(who)?;
        let resolution = Self::resolve(&name)?;
        (resolution.status == NameStatus::Active && resolution.owner == *who).then_some(name)
    }

    /// The root (registered) name of `name`.
    pub fn root(name: &DomainName) -> Option<DomainName> {
        root_of(name)
    }
}

impl Event {
    /// The name this event is about and the kind of change, for GhostBridge's
    /// `DomainChangeEvent`; `None` for events that change no name's resolution.
    pub fn change(&self) -> Option<(&DomainName, ChangeType)> {
        match self {
            Event::Registered { name, .. } | Event::SubnameCreated { name, .. } => {
                Some((name, ChangeType::Created))
            }
            Event::Renewed { name, .. } | Event::RecordsChanged { name, .. } => {
                Some((name, ChangeType::Updated))
            }
            Event::Transferred { name, .. } => Some((name, ChangeType::Transferred)),
            Event::Expired { name } | Event::Released { name } | Event::SubnameRemoved { name } => {
                Some((name, ChangeType::Expired))
            }
            _ => None,
        }
    }
}
