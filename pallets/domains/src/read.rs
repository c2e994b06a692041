//! Read-only queries for the runtime API (`domain_*` RPC) and the mapping of events to
//! GhostBridge's change types.

use ghost_primitives::{AccountId, Balance, DomainName, Hash};
use ghost_support::prelude::*;

use crate::calls::root_of;
use crate::types::*;
use crate::{Config, Domains, Event, Owned, Pallet, PrimaryNames, Records, Tlds, pricing};

/// The largest page a listing returns (and scans).
pub const MAX_PAGE: u32 = 1_000;

/// One page of a name listing.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NamePage {
    /// The names found.
    pub names: Vec<DomainName>,
    /// Where the next page starts (the last key scanned), or `None` at the end.
    pub next: Option<Hash>,
}

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
        let hash = name.namehash();
        Self::resolution_of(hash, Domains::get(&hash)?, || Records::get(&hash))
    }

    /// What [`Pallet::resolve`] gives for the entry `info` stored under `hash` in `Domains`,
    /// reading its records with `records` only if it is active (a listing that reads the
    /// `Records` map in the same key order passes them in). `None` for a subname whose root
    /// was registered anew.
    pub fn resolution_of(
        hash: Hash,
        info: DomainInfo,
        records: impl FnOnce() -> Option<NameRecords>,
    ) -> Option<Resolution> {
        let located = Self::located(hash, info)?;
        let status = Self::status_at(located.expires_at, Self::now());
        let records = if status == NameStatus::Active {
            records().unwrap_or_default()
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

    /// Names owned by `owner` that are registered or in grace (namehash order), from the
    /// `Owned` entries after `cursor`. At most `limit` entries (capped at [`MAX_PAGE`]) are
    /// *scanned*, live or not, so a page costs at most `limit` reads whatever the owner holds;
    /// a page may hold fewer names than `limit` (dead ones are skipped) and still have a `next`
    /// cursor. Continue from `next` until it is `None`.
    pub fn list_by_owner(owner: &AccountId, cursor: Option<Hash>, limit: usize) -> NamePage {
        let limit = limit.clamp(1, MAX_PAGE as usize);
        let mut iter = Owned::iter_prefix(owner);
        if let Some(cursor) = cursor {
            iter = iter.starting_after(<Owned as StorageDoubleMap>::hashed_key(owner, &cursor));
        }
        let scanned: Vec<Hash> = iter.take(limit).map(|(hash, ())| hash).collect();
        let next = (scanned.len() == limit)
            .then(|| scanned.last().copied())
            .flatten();
        let now = Self::now();
        let names = scanned
            .iter()
            .filter_map(Domains::get)
            .filter(|info| {
                Self::locate(&info.name)
                    .is_some_and(|l| Self::status_at(l.expires_at, now) != NameStatus::Available)
            })
            .map(|info| info.name)
            .collect();
        NamePage { names, next }
    }

    /// Every stored name (namehash order), after `cursor`, at most `limit` (capped at
    /// [`MAX_PAGE`]); `next` is set when the page is full.
    pub fn all_names(cursor: Option<Hash>, limit: usize) -> NamePage {
        let limit = limit.clamp(1, MAX_PAGE as usize);
        let mut iter = Domains::iter();
        if let Some(cursor) = cursor {
            iter = iter.starting_after(<Domains as StorageMap>::hashed_key(&cursor));
        }
        let page: Vec<(Hash, DomainName)> = iter
            .take(limit)
            .map(|(hash, info)| (hash, info.name))
            .collect();
        let next = (page.len() == limit)
            .then(|| page.last().map(|(h, _)| *h))
            .flatten();
        NamePage {
            names: page.into_iter().map(|(_, name)| name).collect(),
            next,
        }
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
