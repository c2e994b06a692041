//! The expiry queue and its bounded sweep.
//!
//! `ExpiryQueue` is keyed by the moment as 8 big-endian bytes (so key order is time order) and
//! the namehash. `on_finalize` takes entries from the front while they are due, at most
//! `max_expiries_per_block`; each entry is checked against the name's current expiry (a renewal
//! unschedules the old entries, but the check keeps a stale one harmless). Unrevealed
//! commitments are queued too, at the first moment they are too old to reveal, under
//! [`commitment_queue_key`]: the sweep removes them and returns their deposits, from the same
//! budget.
//!
//! Why a sweep and not a call that lets anyone remove a stale commitment for part of its
//! deposit: the committer did nothing wrong by not revealing (prices or plans change), so it
//! gets its whole deposit back without having to race a bot; the state goes without anyone
//! paying a transaction for it; and the queue and its per-block budget already exist, so the
//! cost is one queue entry per commitment, which the commitment's deposit covers.

use ghost_primitives::{DomainName, Hash, Moment};
use ghost_support::prelude::*;

use crate::types::*;
use crate::{Commitments, Config, Domains, Event, ExpiryQueue, Pallet, Subnames};

fn moment_key(moment: Moment) -> [u8; 8] {
    moment.to_be_bytes()
}

impl<T: Config> Pallet<T> {
    /// Queues `action` for `hash` at `moment`.
    pub(crate) fn schedule(moment: Moment, hash: &Hash, action: ExpiryAction) {
        ExpiryQueue::insert(&moment_key(moment), hash, &action);
    }

    /// Removes whatever is queued for `hash` at `moment`.
    pub(crate) fn unschedule(moment: Moment, hash: &Hash) {
        ExpiryQueue::remove(&moment_key(moment), hash);
    }

    /// Handles due queue entries, at most `max_expiries_per_block`.
    pub(crate) fn sweep_expiries(now: Moment) {
        let params = Self::params();
        let mut budget = params.max_expiries_per_block.max(1);
        while budget > 0 {
            let Some((moment, hash, action)) = Self::first_due(now) else {
                return;
            };
            ExpiryQueue::remove(&moment_key(moment), &hash);
            match action {
                ExpiryAction::Expire => {
                    budget -= 1;
                    Self::expire(moment, &hash, &params);
                }
                ExpiryAction::Purge => {
                    budget -= 1;
                    if let Some(info) = Domains::get(&hash)
                        && info.parent.is_none()
                        && info.expires_at.saturating_add(params.grace_period_ms) == moment
                    {
                        Self::release(&hash, &info);
                    }
                }
                ExpiryAction::DropCommitment { commitment } => {
                    budget -= 1;
                    if let Some(record) = Commitments::get(&commitment)
                        && now.saturating_sub(record.made) > params.max_commitment_age_ms
                    {
                        Self::drop_commitment(&commitment, &record, &params);
                        Self::deposit_event(Event::CommitmentDropped {
                            commitment,
                            depositor: record.depositor,
                            deposit: record.deposit,
                        });
                    }
                }
                // Charged per child visited (at least one), so the queue always moves on.
                ExpiryAction::PurgeSubnames {
                    registration,
                    after,
                } => {
                    budget = Self::purge_subnames(moment, &hash, registration, after, budget);
                }
            }
        }
    }

    /// The first queue entry, if due.
    fn first_due(now: Moment) -> Option<(Moment, Hash, ExpiryAction)> {
        let prefix = <ExpiryQueue as StorageDoubleMap>::prefix().to_vec();
        let key = ghost_support::ext::with_ext(|ext| ext.next_key(&prefix))?;
        let rest = key.strip_prefix(prefix.as_slice())?;
        let moment = Moment::from_be_bytes(rest.get(..8)?.try_into().ok()?);
        if moment > now {
            return None;
        }
        let hash = Hash(rest.get(8..40)?.try_into().ok()?);
        let action = ExpiryQueue::get(&moment_key(moment), &hash)?;
        Some((moment, hash, action))
    }

    fn expire(moment: Moment, hash: &Hash, params: &DomainParams) {
        let Some(info) = Domains::get(hash) else {
            return;
        };
        if info.parent.is_some() || info.expires_at != moment {
            return;
        }
        Self::deposit_event(Event::Expired {
            name: info.name.clone(),
        });
        if params.grace_period_ms == 0 {
            Self::release(hash, &info);
        } else {
            Self::schedule(
                moment.saturating_add(params.grace_period_ms),
                hash,
                ExpiryAction::Purge,
            );
        }
    }

    /// Removes a registered name and its records, and queues its subnames for removal.
    pub(crate) fn release(hash: &Hash, info: &DomainInfo) {
        let params = Self::params();
        Self::unschedule(info.expires_at, hash);
        Self::unschedule(info.expires_at.saturating_add(params.grace_period_ms), hash);
        Self::remove_entry(hash, info);
        Self::deposit_event(Event::Released {
            name: info.name.clone(),
        });
        if Subnames::iter_prefix(hash).next().is_some() {
            let action = ExpiryAction::PurgeSubnames {
                registration: info.registration,
                after: None,
            };
            Self::schedule(Self::now(), hash, action);
        }
    }

    /// Visits up to `budget` (at least one) children of `parent` after the cursor, removing those
    /// of the released `registration`; requeues itself with the cursor while children remain.
    /// Returns the budget left: `budget` minus the children visited (at least one), so a parent
    /// with one subname costs one unit, not the rest of the block's sweep.
    fn purge_subnames(
        moment: Moment,
        parent: &Hash,
        registration: u64,
        after: Option<Hash>,
        budget: u32,
    ) -> u32 {
        let visits = budget.max(1);
        let mut iter = Subnames::iter_prefix(parent);
        if let Some(after) = after {
            iter = iter.starting_after(<Subnames as StorageDoubleMap>::hashed_key(parent, &after));
        }
        let children: Vec<Hash> = iter.take(visits as usize + 1).map(|(h, _)| h).collect();
        let more = children.len() > visits as usize;
        let visited = children.len().min(visits as usize) as u32;
        let mut last = None;
        for child in children.into_iter().take(visits as usize) {
            last = Some(child);
            match Domains::get(&child) {
                Some(info) if info.registration == registration => {
                    let name: DomainName = info.name.clone();
                    Self::remove_entry(&child, &info);
                    Self::deposit_event(Event::SubnameRemoved { name });
                    if Subnames::iter_prefix(&child).next().is_some() {
                        let action = ExpiryAction::PurgeSubnames {
                            registration,
                            after: None,
                        };
                        Self::schedule(moment, &child, action);
                    }
                }
                // A subname of a newer registration: it stays.
                Some(_) => {}
                None => Subnames::remove(parent, &child),
            }
        }
        if more {
            Self::schedule(
                moment,
                parent,
                ExpiryAction::PurgeSubnames {
                    registration,
                    after: last,
                },
            );
        }
        // Charged for the children visited, and at least one for the entry itself.
        budget.saturating_sub(visited.max(1))
    }
}
