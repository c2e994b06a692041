//! A mock runtime with system, balances and contracts, and helpers to drive it.

use std::cell::RefCell;
use std::sync::Arc;

use ghost_primitives::{DnsRecord, DomainName};
use ghost_support::prelude::*;
use ghost_support::testing::TestExternalities;
use pallet_balances as balances;
use pallet_system as system;

use crate as contracts;
use crate::cache::{LruModuleCache, with_module_cache};
use crate::{NameProvider, NameResolution, NamesError, Schedule};

/// The mock runtime (names not available: `type Names = ()`).
pub struct Test;

/// The same runtime with a scripted name service ([`MockNames`]).
pub struct TestWithNames;

/// Events of the mock runtimes.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode)]
pub enum RuntimeEvent {
    /// System.
    System(system::Event),
    /// Balances.
    Balances(balances::Event),
    /// Contracts.
    Contracts(contracts::Event),
}

impl From<system::Event> for RuntimeEvent {
    fn from(e: system::Event) -> Self {
        RuntimeEvent::System(e)
    }
}
impl From<balances::Event> for RuntimeEvent {
    fn from(e: balances::Event) -> Self {
        RuntimeEvent::Balances(e)
    }
}
impl From<contracts::Event> for RuntimeEvent {
    fn from(e: contracts::Event) -> Self {
        RuntimeEvent::Contracts(e)
    }
}

/// Where fees go.
pub const TREASURY: AccountId = AccountId([0xee; 32]);
/// Deposit per byte of code.
pub const CODE_DEPOSIT_PER_BYTE: Balance = 2;
/// Deposit per byte of contract storage.
pub const STORAGE_DEPOSIT_PER_BYTE: Balance = 3;
/// Deposit per contract storage entry.
pub const STORAGE_DEPOSIT_PER_ITEM: Balance = 10;

macro_rules! mock_runtime {
    ($runtime:ty, $names:ty) => {
        impl system::Config for $runtime {
            type RuntimeEvent = RuntimeEvent;
            type WeightInfo = ();
            const BLOCK_HASH_COUNT: u64 = 10;
            const MAX_BLOCK_WEIGHT: Weight = Weight::from_ref_time(2 * 1_000_000_000_000);
            const BASE_BLOCK_WEIGHT: Weight = Weight::ZERO;
            const MAX_BLOCK_LENGTH: u32 = u32::MAX;
        }
        impl balances::Config for $runtime {
            type BalancesWeightInfo = ();
            const EXISTENTIAL_DEPOSIT: Balance = 1;
            const FEE_DESTINATION: AccountId = TREASURY;
        }
        impl contracts::Config for $runtime {
            type Currency = balances::Pallet<$runtime>;
            type Names = $names;
            type ContractsWeightInfo = ();
            const SCHEDULE: Schedule = Schedule::DEFAULT;
            const CODE_DEPOSIT_PER_BYTE: Balance = CODE_DEPOSIT_PER_BYTE;
            const STORAGE_DEPOSIT_PER_BYTE: Balance = STORAGE_DEPOSIT_PER_BYTE;
            const STORAGE_DEPOSIT_PER_ITEM: Balance = STORAGE_DEPOSIT_PER_ITEM;
        }
    };
}

mock_runtime!(Test, ());
mock_runtime!(TestWithNames, MockNames);

/// System.
pub type System = system::Pallet<Test>;
/// Balances.
pub type Balances = balances::Pallet<Test>;
/// Contracts.
pub type Contracts = contracts::Pallet<Test>;

/// Starting balance of accounts 1-3.
pub const ENDOWMENT: Balance = 1_000_000_000;
/// Genesis time (ms).
pub const START: Moment = 1_000_000;

/// Account `n`.
pub fn acc(n: u8) -> AccountId {
    AccountId([n; 32])
}

/// Accounts 1-3 with [`ENDOWMENT`], block 1 at [`START`].
pub fn new_test_ext() -> TestExternalities {
    let mut ext = TestExternalities::default();
    ext.execute_with(|| {
        system::GenesisConfig {
            timestamp_ms: START - 1,
            chain_id: "test".into(),
        }
        .build();
        balances::GenesisConfig {
            balances: vec![
                (acc(1), ENDOWMENT),
                (acc(2), ENDOWMENT),
                (acc(3), ENDOWMENT),
                (TREASURY, 1),
            ],
            fees: Default::default(),
        }
        .build::<Test>()
        .expect("balances genesis");
        System::initialize(1, Hash::ZERO, START).expect("block 1");
    });
    ext
}

/// Runs `f` in a fresh mock runtime with a fresh module cache of its own.
pub fn run<R>(f: impl FnOnce() -> R) -> R {
    let cache = Arc::new(LruModuleCache::new(64 << 20, 64));
    with_module_cache(cache, || new_test_ext().execute_with(f))
}

/// WAT to WASM.
pub fn wat(source: &str) -> Vec<u8> {
    wat::parse_str(source).expect("test fixture parses")
}

/// The contracts events of the current block.
pub fn contract_events() -> Vec<contracts::Event> {
    System::events()
        .into_iter()
        .filter_map(|r| match r.event {
            RuntimeEvent::Contracts(e) => Some(e),
            _ => None,
        })
        .collect()
}

/// The balances events of the current block.
pub fn balance_events() -> Vec<balances::Event> {
    System::events()
        .into_iter()
        .filter_map(|r| match r.event {
            RuntimeEvent::Balances(e) => Some(e),
            _ => None,
        })
        .collect()
}

/// What [`MockNames`] records and answers.
#[derive(Default)]
pub struct NamesState {
    /// Names and their resolution.
    pub names: Vec<(DomainName, NameResolution)>,
    /// Subnames whose parent gave up control (`lock`).
    pub locked: Vec<DomainName>,
    /// Commitments made, by whom.
    pub commitments: Vec<(AccountId, Hash)>,
    /// Renewals: name and duration, in order.
    pub renewals: Vec<(DomainName, u64)>,
    /// Approved managers by name.
    pub approved: Vec<(DomainName, AccountId)>,
}

/// The commitment [`MockNames`] expects for a registration with a non-zero secret (simpler than
/// the domains pallet's, which the runtime's tests cover).
pub fn mock_commitment(name: &DomainName, owner: &AccountId, secret: &Hash) -> Hash {
    ghost_primitives::blake3_256(&(name, owner, secret).encode())
}

thread_local! {
    /// The state of [`MockNames`] on this test thread.
    pub static NAMES: RefCell<NamesState> = RefCell::new(NamesState::default());
}

/// A name service that keeps names in [`NAMES`]: registration succeeds for free names (with
/// a non-zero secret, only after the contract committed to [`mock_commitment`]),
/// records, transfers and subnames need ownership (of the name, of the parent), and a locked
/// subname cannot be reassigned.
pub struct MockNames;

impl MockNames {
    fn with<R>(f: impl FnOnce(&mut NamesState) -> R) -> R {
        NAMES.with(|n| f(&mut n.borrow_mut()))
    }

    fn owned_mut<R>(
        contract: &AccountId,
        name: &DomainName,
        f: impl FnOnce(&mut NameResolution) -> R,
    ) -> Result<R, NamesError> {
        Self::with(|s| {
            let (_, entry) = s
                .names
                .iter_mut()
                .find(|(n, _)| n == name)
                .ok_or(NamesError::NotFound)?;
            if entry.owner != *contract {
                return Err(NamesError::NotOwner);
            }
            Ok(f(entry))
        })
    }
}

impl NameProvider for MockNames {
    fn owns_names(account: &AccountId) -> bool {
        Self::with(|s| s.names.iter().any(|(_, r)| r.owner == *account))
    }
    fn resolve(name: &DomainName) -> Result<Option<NameResolution>, NamesError> {
        Ok(Self::with(|s| {
            s.names
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, r)| r.clone())
        }))
    }
    fn commit(contract: &AccountId, commitment: Hash) -> Result<(), NamesError> {
        Self::with(|s| {
            if s.commitments.iter().any(|(_, c)| *c == commitment) {
                return Err(NamesError::Refused);
            }
            s.commitments.push((*contract, commitment));
            Ok(())
        })
    }
    fn register(
        contract: &AccountId,
        name: &DomainName,
        _duration_ms: u64,
        secret: Hash,
    ) -> Result<(), NamesError> {
        Self::with(|s| {
            if s.names.iter().any(|(n, _)| n == name) {
                return Err(NamesError::Refused);
            }
            if secret != Hash::ZERO {
                let expected = (*contract, mock_commitment(name, contract, &secret));
                let Some(at) = s.commitments.iter().position(|c| *c == expected) else {
                    return Err(NamesError::Refused);
                };
                s.commitments.remove(at);
            }
            s.names.push((
                name.clone(),
                NameResolution {
                    owner: *contract,
                    records: vec![],
                },
            ));
            Ok(())
        })
    }
    fn renew(_contract: &AccountId, name: &DomainName, duration_ms: u64) -> Result<(), NamesError> {
        Self::with(|s| {
            if !s.names.iter().any(|(n, _)| n == name) {
                return Err(NamesError::NotFound);
            }
            s.renewals.push((name.clone(), duration_ms));
            Ok(())
        })
    }
    fn approve(
        contract: &AccountId,
        name: &DomainName,
        account: Option<AccountId>,
    ) -> Result<(), NamesError> {
        Self::owned_mut(contract, name, |_| ())?;
        Self::with(|s| {
            s.approved.retain(|(n, _)| n != name);
            if let Some(account) = account {
                s.approved.push((name.clone(), account));
            }
        });
        Ok(())
    }
    fn set_records(
        contract: &AccountId,
        name: &DomainName,
        records: Vec<DnsRecord>,
    ) -> Result<(), NamesError> {
        Self::owned_mut(contract, name, |entry| entry.records = records)
    }
    fn transfer(contract: &AccountId, name: &DomainName, to: &AccountId) -> Result<(), NamesError> {
        Self::owned_mut(contract, name, |entry| entry.owner = *to)
    }
    fn set_subname_owner(
        contract: &AccountId,
        parent: &DomainName,
        label: &str,
        owner: &AccountId,
        lock: bool,
    ) -> Result<(), NamesError> {
        Self::owned_mut(contract, parent, |_| ())?;
        let name = parent.child(label).map_err(|_| NamesError::Invalid)?;
        Self::with(|s| {
            if s.locked.contains(&name) {
                return Err(NamesError::Refused);
            }
            match s.names.iter_mut().find(|(n, _)| *n == name) {
                Some((_, entry)) => entry.owner = *owner,
                None => s.names.push((
                    name.clone(),
                    NameResolution {
                        owner: *owner,
                        records: vec![],
                    },
                )),
            }
            if lock {
                s.locked.push(name);
            }
            Ok(())
        })
    }
}
