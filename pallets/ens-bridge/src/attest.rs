//! Attestations: votes, the threshold decision, and what a decision does to requests and links.
//!
//! An oracle's attestation for a tracked ENS node becomes its vote (replacing its older vote).
//! Once `threshold` current oracles have votes agreeing on (owner, records hash), the decision
//! is taken at the highest Ethereum block among them: the agreeing votes and every disagreeing
//! vote at or below that block are discarded (the disagreeing ones with `AttestationIgnored {
//! reason: Conflicting }`), and votes for later blocks stay for the next decision.

use ghost_primitives::{DomainName, EnsName, EthAddress, Hash};
use ghost_support::prelude::*;
use ghost_support::traits::Currency;
use ghost_support::transactional;

use crate::types::*;
use crate::{
    AttestationsInBlock, Config, Error, Event, GhostNames, Links, Pallet, Pending, Reverse, Votes,
    records,
};

/// What the agreeing oracles attested.
struct Decision {
    owner: EthAddress,
    records: EnsRecords,
    records_hash: Hash,
    eth_block_number: u64,
    eth_block_hash: Hash,
}

impl<T: Config> Pallet<T> {
    pub(crate) fn submit_attestation(
        origin: Origin,
        ens_name: EnsName,
        eth_block_number: u64,
        eth_block_hash: Hash,
        owner: EthAddress,
        records: EnsRecords,
    ) -> DispatchResult {
        let oracle = ensure_signed(origin)?;
        let oracles = Self::oracles();
        ensure!(oracles.binary_search(&oracle).is_ok(), Error::NotOracle);
        let now = Self::block_number();
        let (counted_in, count) = AttestationsInBlock::get().unwrap_or_default();
        let count = if counted_in == now { count } else { 0 };
        ensure!(
            count < T::MAX_ATTESTATIONS_PER_BLOCK,
            Error::TooManyAttestations
        );
        let node = ens_name.namehash();
        let pending = Pending::get(&node).filter(|r| now <= r.expires_at);
        let link = Links::get(&node);
        let active = link
            .as_ref()
            .is_some_and(|l| l.status == LinkStatus::Active);
        ensure!(pending.is_some() || active, Error::NotTracked);
        records::check(&records, &Self::params())?;

        AttestationsInBlock::put(&(now, count.saturating_add(1)));
        let ignore = |reason: IgnoredReason| -> DispatchResult {
            Self::deposit_event(Event::AttestationIgnored {
                oracle,
                ens_name: ens_name.clone(),
                eth_block_number,
                reason,
            });
            Ok(())
        };
        if link
            .as_ref()
            .is_some_and(|l| eth_block_number <= l.eth_block_number)
        {
            return ignore(IgnoredReason::Stale);
        }
        let records_hash = Hash::of_encoded(&records);
        let vote = Vote {
            eth_block_number,
            eth_block_hash,
            owner,
            records_hash,
        };
        if let Some(previous) = Votes::get(&node, &oracle) {
            if eth_block_number < previous.eth_block_number {
                return ignore(IgnoredReason::Stale);
            }
            if eth_block_number == previous.eth_block_number {
                return ignore(if previous == vote {
                    IgnoredReason::Stale
                } else {
                    IgnoredReason::Equivocation
                });
            }
        }
        Votes::insert(&node, &oracle, &vote);
        Self::deposit_event(Event::AttestationRecorded {
            oracle,
            ens_name: ens_name.clone(),
            eth_block_number,
            owner,
            records_hash,
        });

        let votes: Vec<(AccountId, Vote)> = Votes::iter_prefix(&node).collect();
        let agrees = |v: &Vote| v.owner == owner && v.records_hash == records_hash;
        let agreeing: Vec<&Vote> = votes
            .iter()
            .filter(|(o, v)| oracles.binary_search(o).is_ok() && agrees(v))
            .map(|(_, v)| v)
            .collect();
        if (agreeing.len() as u64) < u64::from(Self::threshold()) {
            return Ok(());
        }
        let Some(highest) = agreeing.iter().max_by_key(|v| v.eth_block_number) else {
            return Ok(());
        };
        let decision = Decision {
            owner,
            records,
            records_hash,
            eth_block_number: highest.eth_block_number,
            eth_block_hash: highest.eth_block_hash,
        };
        for (voter, v) in &votes {
            let agreeing = agrees(v);
            if agreeing || v.eth_block_number <= decision.eth_block_number {
                Votes::remove(&node, voter);
                if !agreeing {
                    Self::deposit_event(Event::AttestationIgnored {
                        oracle: *voter,
                        ens_name: ens_name.clone(),
                        eth_block_number: v.eth_block_number,
                        reason: IgnoredReason::Conflicting,
                    });
                }
            }
        }
        Self::decide(&node, pending, decision);
        Ok(())
    }

    /// Applies what the threshold agreed on to the request and link of `node`.
    fn decide(node: &EnsNode, pending: Option<PendingRequest>, decision: Decision) {
        if let Some(request) = pending {
            Pending::remove(node);
            T::Currency::unreserve(&request.ghost_account, request.deposit);
            let refusal = if Self::params().name_wrappers.contains(&decision.owner) {
                Some(RefusalReason::NameWrapped)
            } else if decision.owner != request.eth_address {
                Some(RefusalReason::OwnerMismatch {
                    owner: decision.owner,
                })
            } else {
                transactional(|| Self::make_link(node, &request, &decision))
                    .err()
                    .map(|error| RefusalReason::RegistrationFailed { error })
            };
            match refusal {
                None => {
                    Self::deposit_event(Event::Linked {
                        ens_name: request.ens_name,
                        ghost_name: request.ghost_name,
                        ghost_account: request.ghost_account,
                        eth_owner: decision.owner,
                        eth_block_number: decision.eth_block_number,
                    });
                    return;
                }
                Some(reason) => Self::deposit_event(Event::LinkRefused {
                    ens_name: request.ens_name,
                    ghost_name: request.ghost_name,
                    reason,
                }),
            }
        }
        if let Some(link) = Links::get(node).filter(|l| l.status == LinkStatus::Active) {
            Self::update_link(node, link, decision);
        }
    }

    /// Makes the link of a request whose owner was attested; fails (and is rolled back) if the
    /// ghost name cannot be had or its records cannot be written.
    fn make_link(
        node: &EnsNode,
        request: &PendingRequest,
        decision: &Decision,
    ) -> Result<(), DispatchError> {
        let ghost_hash = request.ghost_name.namehash();
        if let Some(old) = Links::get(node) {
            Reverse::remove(&old.ghost_name.namehash());
            if old.ghost_name != request.ghost_name && old.status == LinkStatus::Active {
                // Best effort: the old ghost name may have expired meanwhile.
                let _ = T::Names::clear_records(&old.ghost_name);
            }
        }
        if let Some(linked) = Reverse::get(&ghost_hash) {
            ensure!(linked == request.ens_name, Error::GhostNameLinked);
        }
        match T::Names::owner(&request.ghost_name) {
            Some(owner) if owner == request.ghost_account => {}
            Some(_) => return Err(Error::GhostNameTaken.into()),
            None => T::Names::register(
                &request.ghost_account,
                &request.ghost_name,
                T::LINK_REGISTRATION_MS,
                &Self::registration_secret(node, &request.ghost_account),
            )?,
        }
        let mirrors_dns = !decision.records.dns.is_empty();
        Self::write_records(&request.ghost_name, &decision.records, mirrors_dns)?;
        Links::insert(
            node,
            &Link {
                ens_name: request.ens_name.clone(),
                ghost_name: request.ghost_name.clone(),
                ghost_account: request.ghost_account,
                eth_owner: decision.owner,
                eth_block_number: decision.eth_block_number,
                eth_block_hash: decision.eth_block_hash,
                records_hash: decision.records_hash,
                status: LinkStatus::Active,
                linked_at: Self::block_number(),
                mirrors_dns,
            },
        );
        Reverse::insert(&ghost_hash, &request.ens_name);
        Ok(())
    }

    /// Writes `records` to the ghost `name`: its web3 records, and with `dns` its mirrored DNS
    /// sets.
    fn write_records(name: &DomainName, records: &EnsRecords, dns: bool) -> DispatchResult {
        T::Names::set_web3_records(name, &records.web3)?;
        if dns {
            T::Names::replace_dns_sets(name, &dns_sets(records, &Self::params()))?;
        }
        Ok(())
    }

    /// A newer agreed state of a linked name: same owner syncs the records, another suspends.
    fn update_link(node: &EnsNode, mut link: Link, decision: Decision) {
        link.eth_block_number = decision.eth_block_number;
        link.eth_block_hash = decision.eth_block_hash;
        if decision.owner != link.eth_owner {
            link.status = LinkStatus::Suspended {
                new_owner: decision.owner,
            };
            // Best effort: the ghost name may have expired meanwhile.
            let _ = transactional(|| T::Names::clear_records(&link.ghost_name));
            Self::deposit_event(Event::LinkSuspended {
                ens_name: link.ens_name.clone(),
                ghost_name: link.ghost_name.clone(),
                new_owner: decision.owner,
                eth_block_number: decision.eth_block_number,
            });
        } else if decision.records_hash != link.records_hash {
            // DNS sets are written while ENS has DNS records, and once more when it has none
            // left (to delete the mirrored ones); a name never given any keeps its own.
            let write_dns = link.mirrors_dns || !decision.records.dns.is_empty();
            match transactional(|| {
                Self::write_records(&link.ghost_name, &decision.records, write_dns)
            }) {
                Ok(()) => {
                    link.records_hash = decision.records_hash;
                    link.mirrors_dns = !decision.records.dns.is_empty();
                    Self::deposit_event(Event::RecordsSynced {
                        ens_name: link.ens_name.clone(),
                        ghost_name: link.ghost_name.clone(),
                        eth_block_number: decision.eth_block_number,
                        records_hash: decision.records_hash,
                    });
                }
                Err(error) => Self::deposit_event(Event::RecordsSyncFailed {
                    ens_name: link.ens_name.clone(),
                    ghost_name: link.ghost_name.clone(),
                    error,
                }),
            }
        }
        Links::insert(node, &link);
    }
}
