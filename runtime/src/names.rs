//! The name service the runtime gives contracts: the domains pallet, acting as the contract.
//!
//! A contract can resolve any active name, and register, re-record and transfer names and create
//! or reassign subnames of them as their owner, exactly as an account would through signed calls
//! (same fees, same checks): that is what makes "programmable DNS" real: a contract decides what
//! its names answer, and who gets names below them.

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
            // "SubnameLocked", "NameTaken", balance errors, ...
            _ => NamesError::Refused,
        },
        _ => NamesError::Refused,
    }
}

impl NameProvider for DomainNames {
    fn owns_names(account: &AccountId) -> bool {
        use ghost_support::storage::StorageDoubleMap as _;
        crate::domains::Owned::iter_prefix(account).next().is_some()
    }

    fn resolve(name: &DomainName) -> Result<Option<NameResolution>, NamesError> {
        Ok(Domains::resolve(name)
            .filter(|r| r.status == NameStatus::Active)
            .map(|r| NameResolution {
                owner: r.owner,
                records: r.records,
            }))
    }

    fn commit(contract: &AccountId, commitment: Hash) -> Result<(), NamesError> {
        let call = Call::Commit { commitment };
        Domains::dispatch(call, Origin::Signed(*contract)).map_err(names_error)
    }

    fn register(
        contract: &AccountId,
        name: &DomainName,
        duration_ms: u64,
        secret: Hash,
    ) -> Result<(), NamesError> {
        let call = Call::Register {
            name: name.clone(),
            owner: *contract,
            duration_ms,
            secret,
            records: Vec::new(),
        };
        Domains::dispatch(call, Origin::Signed(*contract)).map_err(names_error)
    }

    fn renew(contract: &AccountId, name: &DomainName, duration_ms: u64) -> Result<(), NamesError> {
        let call = Call::Renew {
            name: name.clone(),
            duration_ms,
        };
        Domains::dispatch(call, Origin::Signed(*contract)).map_err(names_error)
    }

    fn approve(
        contract: &AccountId,
        name: &DomainName,
        account: Option<AccountId>,
    ) -> Result<(), NamesError> {
        let call = Call::Approve {
            name: name.clone(),
            account,
        };
        Domains::dispatch(call, Origin::Signed(*contract)).map_err(names_error)
    }

    fn set_records(
        contract: &AccountId,
        name: &DomainName,
        records: Vec<DnsRecord>,
    ) -> Result<(), NamesError> {
        let current = Domains::resolve(name).ok_or(NamesError::NotFound)?;
        let changes = current
            .records
            .into_iter()
            .map(RecordChange::Remove)
            .chain(records.into_iter().map(RecordChange::Upsert))
            .collect();
        let call = Call::SetRecords {
            name: name.clone(),
            changes,
        };
        Domains::dispatch(call, Origin::Signed(*contract)).map_err(names_error)
    }

    fn transfer(contract: &AccountId, name: &DomainName, to: &AccountId) -> Result<(), NamesError> {
        let call = Call::Transfer {
            name: name.clone(),
            new_owner: *to,
        };
        Domains::dispatch(call, Origin::Signed(*contract)).map_err(names_error)
    }

    fn set_subname_owner(
        contract: &AccountId,
        parent: &DomainName,
        label: &str,
        owner: &AccountId,
        lock: bool,
    ) -> Result<(), NamesError> {
        let call = Call::SetSubnameOwner {
            parent: parent.clone(),
            label: label.into(),
            owner: *owner,
            lock,
        };
        Domains::dispatch(call, Origin::Signed(*contract)).map_err(names_error)
    }
}

#[cfg(test)]
mod tests {
    use ghost_primitives::Pair;
    use ghost_trie::MemoryNodeStore;

    use super::*;
    use crate::chain_spec::ChainSpec;

    fn dev(name: &str) -> AccountId {
        Pair::dev(name).public()
    }

    fn name(s: &str) -> DomainName {
        DomainName::parse(s).expect("canonical")
    }

    /// Runs `f` on the dev genesis state, with `club.ghost` registered to Alice (standing in for
    /// a contract: the adapter dispatches as whatever account it is given).
    fn with_club(f: impl FnOnce()) {
        let genesis = ChainSpec::dev()
            .genesis
            .build()
            .expect("dev genesis builds");
        let mut store = MemoryNodeStore::default();
        store.insert_nodes(genesis.state_nodes);
        crate::api::with_state(&store, genesis.header.state_root, || {
            let month = 30 * 24 * 3_600_000;
            DomainNames::register(&dev("Alice"), &name("club.ghost"), month, Hash::ZERO)
                .expect("registers");
            f()
        })
        .expect("genesis state readable");
    }

    fn owner(s: &str) -> Option<AccountId> {
        DomainNames::resolve(&name(s))
            .expect("names available")
            .map(|r| r.owner)
    }

    #[test]
    fn renew_extends_and_approve_lets_another_account_manage() {
        with_club(|| {
            let club = name("club.ghost");
            let expiry = || Domains::resolve(&club).expect("registered").expires_at;
            let before = expiry();
            // Anyone may renew (Bob pays); only the owner approves.
            assert_eq!(DomainNames::renew(&dev("Bob"), &club, 3_600_000), Ok(()));
            assert_eq!(expiry(), before + 3_600_000);
            assert_eq!(
                DomainNames::renew(&dev("Bob"), &name("nobody.ghost"), 3_600_000),
                Err(NamesError::NotFound)
            );
            assert_eq!(
                DomainNames::approve(&dev("Bob"), &club, Some(dev("Bob"))),
                Err(NamesError::NotOwner)
            );
            assert_eq!(
                DomainNames::approve(&dev("Alice"), &club, Some(dev("Charlie"))),
                Ok(())
            );
            // Charlie now manages club.ghost: he may give out its subnames.
            assert_eq!(
                DomainNames::set_subname_owner(&dev("Charlie"), &club, "c", &dev("Dave"), false),
                Ok(())
            );
            assert_eq!(owner("c.club.ghost"), Some(dev("Dave")));
            assert_eq!(DomainNames::approve(&dev("Alice"), &club, None), Ok(()));
            assert_eq!(
                DomainNames::set_subname_owner(&dev("Charlie"), &club, "d", &dev("Dave"), false),
                Err(NamesError::NotOwner)
            );
        });
    }

    #[test]
    fn register_reveals_a_commitment_under_a_real_commitment_age() {
        with_club(|| {
            use ghost_support::storage::StorageValue;
            let params = crate::domains::Params::get().unwrap_or_default();
            crate::domains::Params::put(&crate::domains::DomainParams {
                min_commitment_age_ms: 10_000,
                ..params
            });
            let contract = dev("Dave");
            let shop = name("shop.ghost");
            let (secret, month) = (Hash([9; 32]), 30 * 24 * 3_600_000);
            // The zero secret of the old host function matches no commitment.
            assert_eq!(
                DomainNames::register(&contract, &shop, month, Hash::ZERO),
                Err(NamesError::Refused)
            );
            let commitment = Domains::commitment_of(&shop, &contract, &secret, month, &[]);
            assert_eq!(DomainNames::commit(&contract, commitment), Ok(()));
            assert_eq!(
                DomainNames::register(&contract, &shop, month, secret),
                Err(NamesError::Refused),
                "CommitmentTooNew"
            );
            let now = crate::system::Now::get().unwrap_or(0);
            crate::system::Now::put(&(now + 10_000));
            assert_eq!(
                DomainNames::register(&contract, &shop, month, secret),
                Ok(())
            );
            assert_eq!(owner("shop.ghost"), Some(contract));
        });
    }

    #[test]
    fn set_subname_owner_creates_and_reassigns_an_unlocked_subname() {
        with_club(|| {
            let club = name("club.ghost");
            assert_eq!(
                DomainNames::set_subname_owner(&dev("Alice"), &club, "bob", &dev("Bob"), false),
                Ok(())
            );
            assert_eq!(owner("bob.club.ghost"), Some(dev("Bob")));
            assert_eq!(
                DomainNames::set_subname_owner(&dev("Alice"), &club, "bob", &dev("Dave"), false),
                Ok(())
            );
            assert_eq!(owner("bob.club.ghost"), Some(dev("Dave")));
        });
    }

    #[test]
    fn set_subname_owner_maps_domains_errors() {
        with_club(|| {
            let club = name("club.ghost");
            let alice = dev("Alice");
            assert_eq!(
                DomainNames::set_subname_owner(&alice, &club, "carol", &dev("Charlie"), true),
                Ok(())
            );
            assert_eq!(
                DomainNames::set_subname_owner(&alice, &club, "carol", &dev("Dave"), false),
                Err(NamesError::Refused),
                "SubnameLocked"
            );
            assert_eq!(owner("carol.club.ghost"), Some(dev("Charlie")));
            assert_eq!(
                DomainNames::set_subname_owner(&dev("Eve"), &club, "eve", &dev("Eve"), false),
                Err(NamesError::NotOwner)
            );
            assert_eq!(
                DomainNames::set_subname_owner(&alice, &name("nobody.ghost"), "bob", &alice, false),
                Err(NamesError::NotFound)
            );
            assert_eq!(
                DomainNames::set_subname_owner(&alice, &club, "B_b", &alice, false),
                Err(NamesError::Invalid)
            );
        });
    }
}
