//! A mock runtime with system, balances, domains and the ENS bridge, and helpers to drive it.
//!
//! The bridge reaches ghost names through [`DomainsNames`], an adapter over the real domains
//! pallet that dispatches its calls as the runtime's adapter does, so registrations pay the
//! real price and hit the real checks.

use std::collections::BTreeSet;

use ghost_primitives::{DomainName, EnsName, EthAddress, Hash, Moment, Web3Records};
use ghost_support::prelude::*;
use ghost_support::testing::TestExternalities;
use pallet_balances as balances;
use pallet_domains as domains;
use pallet_system as system;

use crate as bridge;
use crate::GhostNames;
use crate::eth::EthKey;
use crate::types::*;

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
    /// ENS bridge.
    EnsBridge(bridge::Event),
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
impl From<bridge::Event> for RuntimeEvent {
    fn from(e: bridge::Event) -> Self {
        RuntimeEvent::EnsBridge(e)
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
    // No name deposits here, so the balances these tests assert are the bridge's own request
    // deposits; the domains pallet's tests cover its deposits, and the runtime's ENS tests run
    // both together.
    const DEPOSIT_PER_BYTE: Balance = 0;
    const DEPOSIT_PER_ITEM: Balance = 0;
}

/// Request deposit of the mock.
pub const DEPOSIT: Balance = 10 * GHOST;
/// Request lifetime of the mock, in blocks.
pub const LIFETIME: BlockNumber = 20;
/// Attestations per block in the mock.
pub const MAX_PER_BLOCK: u32 = 8;

impl bridge::Config for Test {
    type Currency = balances::Pallet<Test>;
    type Names = DomainsNames;
    type EnsBridgeWeightInfo = ();
    const REQUEST_DEPOSIT: Balance = DEPOSIT;
    const REQUEST_LIFETIME: BlockNumber = LIFETIME;
    const LINK_REGISTRATION_MS: u64 = domains::YEAR_MS;
    const MAX_ATTESTATIONS_PER_BLOCK: u32 = MAX_PER_BLOCK;
    const MAX_ORACLES: u32 = 5;
}

/// System.
pub type System = system::Pallet<Test>;
/// Balances.
pub type Balances = balances::Pallet<Test>;
/// Domains.
pub type Domains = domains::Pallet<Test>;
/// The ENS bridge.
pub type Bridge = bridge::Pallet<Test>;

/// Ghost names through the domains pallet, dispatching as the name's owner.
pub struct DomainsNames;

impl GhostNames for DomainsNames {
    fn owner(name: &DomainName) -> Option<AccountId> {
        Domains::resolve(name)
            .filter(|r| r.status == domains::NameStatus::Active)
            .map(|r| r.owner)
    }

    fn prepare_registration(who: &AccountId, name: &DomainName, secret: &Hash) -> DispatchResult {
        // The commitment binds what `register` will set: the link's duration, no records.
        let duration_ms = <Test as bridge::Config>::LINK_REGISTRATION_MS;
        let commitment = Domains::commitment_of(name, who, secret, duration_ms, &[]);
        match Domains::dispatch(domains::Call::Commit { commitment }, Origin::signed(*who)) {
            Err(e) if e == domains::Error::CommitmentExists.into() => Ok(()),
            other => other,
        }
    }

    fn register(
        who: &AccountId,
        name: &DomainName,
        duration_ms: u64,
        secret: &Hash,
    ) -> DispatchResult {
        let call = domains::Call::Register {
            name: name.clone(),
            owner: *who,
            duration_ms,
            secret: *secret,
            records: Vec::new(),
        };
        Domains::dispatch(call, Origin::signed(*who))
    }

    fn set_web3_records(name: &DomainName, records: &Web3Records) -> DispatchResult {
        let current = Domains::resolve(name).ok_or(domains::Error::NotRegistered)?;
        let changes = domains::RecordChange::web3_diff(&current.web3, records);
        let call = domains::Call::SetRecords {
            name: name.clone(),
            changes,
        };
        Domains::dispatch(call, Origin::signed(current.owner))
    }

    fn replace_dns_sets(name: &DomainName, sets: &[bridge::DnsSet]) -> DispatchResult {
        let owner = Self::owner(name).ok_or(domains::Error::NotRegistered)?;
        let changes = sets
            .iter()
            .map(|set| domains::RecordChange::ReplaceSet {
                label: set.label.clone(),
                rtype: set.rtype,
                ttl: set.ttl,
                values: set.values.clone(),
            })
            .collect();
        let call = domains::Call::SetRecords {
            name: name.clone(),
            changes,
        };
        Domains::dispatch(call, Origin::signed(owner))
    }

    fn clear_records(name: &DomainName) -> DispatchResult {
        let owner = Self::owner(name).ok_or(domains::Error::NotRegistered)?;
        let call = domains::Call::ClearRecords { name: name.clone() };
        Domains::dispatch(call, Origin::signed(owner))
    }
}

/// One GHOST.
pub const GHOST: Balance = 1_000_000_000_000;
/// Genesis time.
pub const START: Moment = 1_000_000;
/// The mock chain's genesis hash.
pub const GENESIS: Hash = Hash([0x99; 32]);

/// Account `n`.
pub fn acc(n: u8) -> AccountId {
    AccountId([n; 32])
}

/// The three oracles of the mock (threshold two).
pub fn oracles() -> [AccountId; 3] {
    [acc(10), acc(11), acc(12)]
}

/// A ghost name.
pub fn ghost(s: &str) -> DomainName {
    DomainName::parse(s).expect("valid ghost name")
}

/// An ENS name.
pub fn ens(s: &str) -> EnsName {
    EnsName::parse(s).expect("normalised ENS name")
}

/// web3.js's documented example key (`web3.eth.accounts.sign` docs).
pub const ALICE_ETH_SECRET: [u8; 32] = [
    0x4c, 0x08, 0x83, 0xa6, 0x91, 0x02, 0x93, 0x7d, 0x62, 0x31, 0x47, 0x1b, 0x5d, 0xbb, 0x62, 0x04,
    0xfe, 0x51, 0x29, 0x61, 0x70, 0x82, 0x79, 0x2a, 0xe4, 0x68, 0xd0, 0x1a, 0x3f, 0x36, 0x23, 0x18,
];
/// Hardhat's and anvil's first default key.
pub const BOB_ETH_SECRET: [u8; 32] = [
    0xac, 0x09, 0x74, 0xbe, 0xc3, 0x9a, 0x17, 0xe3, 0x6b, 0xa4, 0xa6, 0xb4, 0xd2, 0x38, 0xff, 0x94,
    0x4b, 0xac, 0xb4, 0x78, 0xcb, 0xed, 0x5e, 0xfc, 0xae, 0x78, 0x4d, 0x7b, 0xf4, 0xf2, 0xff, 0x80,
];

/// An Ethereum key.
pub fn eth_key(secret: &[u8; 32]) -> EthKey {
    EthKey::from_secret(secret).expect("valid secret")
}

/// Accounts 1-5 with 1000 GHOST each, TLDs `ghost` and `bc` without commitments, the three
/// oracles (funded) with threshold two, block 1 at START.
pub fn new_test_ext() -> TestExternalities {
    new_test_ext_with(domains::DomainParams {
        min_commitment_age_ms: 0,
        ..domains::DomainParams::default()
    })
}

/// Like [`new_test_ext`] with other domain parameters.
pub fn new_test_ext_with(params: domains::DomainParams) -> TestExternalities {
    let mut ext = TestExternalities::default();
    ext.execute_with(|| {
        system::GenesisConfig {
            timestamp_ms: START - 1,
            chain_id: "test".into(),
        }
        .build();
        balances::GenesisConfig {
            balances: (1..=5)
                .chain(10..=13)
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
            reserved: Vec::new(),
        }
        .build()
        .expect("domains genesis");
        bridge::GenesisConfig {
            oracles: oracles().to_vec(),
            threshold: 2,
            params: BridgeParams::default(),
        }
        .build::<Test>()
        .expect("bridge genesis");
        System::initialize(1, GENESIS, START).expect("block 1");
    });
    ext
}

/// Starts the next block, `ms` after the current one.
pub fn next_block(ms: Moment) {
    let n = System::block_number() + 1;
    System::initialize(n, Hash([n as u8; 32]), System::now() + ms).expect("next block");
}

/// Starts block `n` (later than the current one), one second per block.
pub fn run_to_block(n: BlockNumber) {
    while System::block_number() < n {
        next_block(1_000);
    }
}

/// The link message of `ens_name` → `ghost_name` for account `who`, signed with `key`.
pub fn sign_link(key: &EthKey, ens_name: &str, ghost_name: &str, who: u8) -> EthSignature {
    let message = Bridge::message_for(&ens(ens_name), &ghost(ghost_name), &acc(who))
        .expect("genesis hash known");
    key.sign_personal(message.as_bytes())
}

/// Account `who` requests a link of `ens_name` → `ghost_name`, signed by `key`.
pub fn request(who: u8, key: &EthKey, ens_name: &str, ghost_name: &str) -> DispatchResult {
    Bridge::dispatch(
        bridge::Call::RegisterEnsDomain {
            ens_name: ens(ens_name),
            ghost_name: ghost(ghost_name),
            eth_address: key.address(),
            eth_signature: sign_link(key, ens_name, ghost_name, who),
        },
        Origin::signed(acc(who)),
    )
}

/// Oracle `oracle` attests `owner` and `records` for `ens_name` at Ethereum block `block`.
pub fn attest(
    oracle: AccountId,
    ens_name: &str,
    block: u64,
    owner: EthAddress,
    records: impl Into<EnsRecords>,
) -> DispatchResult {
    Bridge::dispatch(
        attestation(ens_name, block, owner, records),
        Origin::signed(oracle),
    )
}

/// The attestation call.
pub fn attestation(
    ens_name: &str,
    block: u64,
    owner: EthAddress,
    records: impl Into<EnsRecords>,
) -> bridge::Call {
    bridge::Call::SubmitAttestation {
        ens_name: ens(ens_name),
        eth_block_number: block,
        eth_block_hash: Hash([block as u8; 32]),
        owner,
        records: records.into(),
    }
}

/// The whole state as the current block sees it.
pub fn storage_snapshot() -> std::collections::BTreeMap<Vec<u8>, Vec<u8>> {
    ghost_support::ext::with_ext(|ext| {
        let mut state = std::collections::BTreeMap::new();
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

/// Dispatches `call` from `origin`, asserts it fails with `error`, and that it changed nothing:
/// not a storage item, not an event (it runs without the executive's transactional layer).
#[track_caller]
pub fn assert_noop(origin: Origin, call: bridge::Call, error: impl Into<DispatchError>) {
    let before = storage_snapshot();
    assert_eq!(Bridge::dispatch(call, origin), Err(error.into()));
    let after = storage_snapshot();
    let changed: BTreeSet<&Vec<u8>> = before
        .iter()
        .chain(after.iter())
        .filter(|(k, _)| before.get(*k) != after.get(*k))
        .map(|(k, _)| k)
        .collect();
    assert!(
        changed.is_empty(),
        "the failed call changed {} storage keys",
        changed.len()
    );
}

/// The ENS bridge events of the current block.
pub fn bridge_events() -> Vec<bridge::Event> {
    System::events()
        .into_iter()
        .filter_map(|r| match r.event {
            RuntimeEvent::EnsBridge(e) => Some(e),
            _ => None,
        })
        .collect()
}
