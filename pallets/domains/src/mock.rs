//! A mock runtime with system, balances and domains, and helpers to drive it.

use std::collections::{BTreeMap, BTreeSet};

use ghost_primitives::{DomainName, Hash, Moment};
use ghost_support::prelude::*;
use ghost_support::testing::TestExternalities;
use pallet_balances as balances;
use pallet_system as system;

use crate as domains;
use crate::types::{DAY_MS, DomainParams, YEAR_MS};

/// The mock runtime.
pub struct Test;

/// Events of the mock runtime.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode)]
pub enum RuntimeEvent {
    /// System.
    System(system::Event),
    /// Balances.
    Balances(balances::Event),
    /// Domains.
    Domains(domains::Event),
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
impl From<domains::Event> for RuntimeEvent {
    fn from(e: domains::Event) -> Self {
        RuntimeEvent::Domains(e)
    }
}

impl system::Config for Test {
    type RuntimeEvent = RuntimeEvent;
    type WeightInfo = ();
    const BLOCK_HASH_COUNT: u64 = 10;
    const MAX_BLOCK_WEIGHT: Weight = Weight::from_ref_time(u64::MAX / 2);
    const BASE_BLOCK_WEIGHT: Weight = Weight::ZERO;
    const MAX_BLOCK_LENGTH: u32 = u32::MAX;
}

/// Where fees go.
pub const TREASURY: AccountId = AccountId([0xee; 32]);

impl balances::Config for Test {
    type BalancesWeightInfo = ();
    const EXISTENTIAL_DEPOSIT: Balance = 1;
    const FEE_DESTINATION: AccountId = TREASURY;
}

impl domains::Config for Test {
    type Currency = balances::Pallet<Test>;
    type DomainsWeightInfo = ();
    const TREASURY: AccountId = TREASURY;
    const DEPOSIT_PER_BYTE: Balance = DEPOSIT_PER_BYTE;
    const DEPOSIT_PER_ITEM: Balance = DEPOSIT_PER_ITEM;
}

/// Deposit per stored byte in the mock (0.001 GHOST).
pub const DEPOSIT_PER_BYTE: Balance = GHOST / 1_000;
/// Deposit per storage entry in the mock (0.01 GHOST).
pub const DEPOSIT_PER_ITEM: Balance = GHOST / 100;

/// System.
pub type System = system::Pallet<Test>;
/// Balances.
pub type Balances = balances::Pallet<Test>;
/// Domains.
pub type Domains = domains::Pallet<Test>;

/// One GHOST.
pub const GHOST: Balance = 1_000_000_000_000;
/// Genesis time.
pub const START: Moment = 1_000_000;
/// The hash of block 0 (the parent of block 1).
pub const GENESIS_HASH: Hash = Hash([0x60; 32]);

/// Account `n`.
pub fn acc(n: u8) -> AccountId {
    AccountId([n; 32])
}

/// A name.
pub fn name(s: &str) -> DomainName {
    DomainName::parse(s).expect("valid test name")
}

/// Test parameters: commitments 10 s to 1 h, 28 days minimum, 30 days grace.
pub fn test_params() -> DomainParams {
    DomainParams {
        min_commitment_age_ms: 10_000,
        max_commitment_age_ms: 3_600_000,
        grace_period_ms: 30 * DAY_MS,
        max_dns_records: 8,
        max_web3_entries: 4,
        max_record_bytes: 2_048,
        max_expiries_per_block: 3,
        max_batch_updates: 4,
        ..DomainParams::default()
    }
}

/// Accounts 1-5 with 1000 GHOST each, TLDs `ghost` and `bc`, [`test_params`], block 1 at START.
pub fn new_test_ext() -> TestExternalities {
    new_test_ext_with(test_params())
}

/// Like [`new_test_ext`] with other parameters.
pub fn new_test_ext_with(params: DomainParams) -> TestExternalities {
    let mut ext = TestExternalities::default();
    ext.execute_with(|| {
        system::GenesisConfig {
            timestamp_ms: START - 1,
            chain_id: "test".into(),
        }
        .build();
        balances::GenesisConfig {
            balances: (1..=5)
                .map(|n| (acc(n), 1_000 * GHOST))
                .chain([(TREASURY, 1)])
                .collect(),
            fees: Default::default(),
        }
        .build::<Test>()
        .expect("balances genesis");
        domains::GenesisConfig {
            tlds: vec!["ghost".into(), "bc".into()],
            params,
            reserved: vec!["registry".into()],
        }
        .build()
        .expect("domains genesis");
        System::initialize(1, GENESIS_HASH, START).expect("block 1");
    });
    ext
}

/// Ends the current block (running `on_finalize`, the expiry sweep) and starts the next one at
/// `at` ms. Returns the domains events the sweep deposited (starting the next block clears them).
pub fn next_block_at(at: Moment) -> Vec<domains::Event> {
    let before = domain_events().len();
    <Domains as Hooks>::on_finalize(System::block_number());
    let swept = domain_events().split_off(before);
    let n = System::block_number() + 1;
    System::initialize(n, Hash([n as u8; 32]), at).expect("next block");
    swept
}

/// Runs a block at `at` (starting one unless the current block is at `at`) to its end and
/// returns the events of its expiry sweep; the chain is then in a new block at `at + 1`.
pub fn sweep_at(at: Moment) -> Vec<domains::Event> {
    if System::now() != at {
        next_block_at(at);
    }
    next_block_at(at + 1)
}

/// Commits, waits past the minimum age, and registers `n` for `who` for a year.
pub fn register(who: u8, n: &str) -> DispatchResult {
    register_for(who, n, acc(who))
}

/// Account `payer` commits, waits past the minimum age, and registers `n` for `owner` for a year.
pub fn register_for(payer: u8, n: &str, owner: AccountId) -> DispatchResult {
    let secret = Hash([payer; 32]);
    let commitment = Domains::commitment_of(&name(n), &owner, &secret, YEAR_MS, &[]);
    signed(payer, domains::Call::Commit { commitment })?;
    next_block_at(System::now() + 10_000);
    signed(
        payer,
        domains::Call::Register {
            name: name(n),
            owner,
            duration_ms: YEAR_MS,
            secret,
            records: vec![],
        },
    )
}

/// Registers `n` for account `who` for a year in the current block, without a commitment (only
/// accepted with `min_commitment_age_ms = 0`).
pub fn register_now(who: u8, n: &str) -> DispatchResult {
    signed(
        who,
        domains::Call::Register {
            name: name(n),
            owner: acc(who),
            duration_ms: YEAR_MS,
            secret: Hash::ZERO,
            records: vec![],
        },
    )
}

/// [`test_params`] without commitments (`min_commitment_age_ms = 0`).
pub fn no_commitment_params() -> DomainParams {
    DomainParams {
        min_commitment_age_ms: 0,
        ..test_params()
    }
}

/// Dispatches `call` signed by account `who`.
pub fn signed(who: u8, call: domains::Call) -> DispatchResult {
    Domains::dispatch(call, Origin::signed(acc(who)))
}

/// The whole state as the current block sees it (committed state plus this block's writes).
pub fn storage_snapshot() -> BTreeMap<Vec<u8>, Vec<u8>> {
    ghost_support::ext::with_ext(|ext| {
        let mut state = BTreeMap::new();
        let mut cursor = Vec::new();
        while let Some(key) = ext.next_key(&cursor) {
            if let Some(value) = ext.get(&key) {
                state.insert(key.clone(), value);
            }
            cursor = key;
        }
        state
    })
}

/// The raw keys under a storage prefix, each without the prefix, in key order.
pub fn keys_under(prefix: &[u8]) -> Vec<Vec<u8>> {
    storage_snapshot()
        .into_keys()
        .filter_map(|key| key.strip_prefix(prefix).map(<[u8]>::to_vec))
        .collect()
}

/// Dispatches `call` from `origin`, asserts it fails with `error`, and asserts that it changed
/// nothing at all: not a storage item, not an event. The call runs without the executive's
/// transactional layer, so a pallet that writes before it validates fails here.
#[track_caller]
pub fn assert_noop(origin: Origin, call: domains::Call, error: impl Into<DispatchError>) {
    let before = storage_snapshot();
    assert_eq!(Domains::dispatch(call, origin), Err(error.into()));
    let after = storage_snapshot();
    if before != after {
        let changed: BTreeSet<&Vec<u8>> = before
            .iter()
            .chain(after.iter())
            .filter(|(k, _)| before.get(*k) != after.get(*k))
            .map(|(k, _)| k)
            .collect();
        panic!(
            "the failed call changed the state of {}",
            describe_keys(changed)
        );
    }
}

/// Like [`assert_noop`], but dispatches as the runtime's executive does, inside a transactional
/// layer that drops the call's writes when it fails: the chain-level guarantee, for refusals that
/// [`assert_noop`] shows write before they validate.
#[track_caller]
pub fn assert_rolled_back(origin: Origin, call: domains::Call, error: impl Into<DispatchError>) {
    let before = storage_snapshot();
    assert_eq!(
        ghost_support::transactional(|| Domains::dispatch(call, origin)),
        Err(error.into())
    );
    assert!(
        storage_snapshot() == before,
        "the failed call changed the state despite the rollback"
    );
}

/// Names the storage items `keys` belong to (for failure messages).
fn describe_keys<'a>(keys: impl IntoIterator<Item = &'a Vec<u8>>) -> String {
    let items: Vec<(String, String)> = [
        System::metadata(0),
        Balances::metadata(1),
        Domains::metadata(2),
    ]
    .iter()
    .flat_map(|pallet| {
        pallet.storage.iter().map(|meta| {
            (
                meta.prefix.trim_start_matches("0x").to_string(),
                format!("{}::{}", pallet.name, meta.name),
            )
        })
    })
    .collect();
    let names: BTreeSet<String> = keys
        .into_iter()
        .map(|key| {
            let prefix: String = key.iter().take(32).map(|b| format!("{b:02x}")).collect();
            items
                .iter()
                .find(|(p, _)| *p == prefix)
                .map(|(_, item)| item.clone())
                .unwrap_or_else(|| format!("key 0x{prefix}…"))
        })
        .collect();
    names.into_iter().collect::<Vec<_>>().join(", ")
}

/// The domains events of the current block.
pub fn domain_events() -> Vec<domains::Event> {
    System::events()
        .into_iter()
        .filter_map(|r| match r.event {
            RuntimeEvent::Domains(e) => Some(e),
            _ => None,
        })
        .collect()
}
