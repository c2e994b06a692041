//! A tiny runtime with the system and balances pallets.

use ghost_support::prelude::*;
use ghost_support::testing::TestExternalities;
use pallet_system as system;

use crate as balances;
use crate::FeeSchedule;

/// The mock runtime.
pub struct Test;

/// Events of the mock runtime.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode)]
pub enum RuntimeEvent {
    /// A system event.
    System(system::Event),
    /// A balances event.
    Balances(balances::Event),
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

impl system::Config for Test {
    type RuntimeEvent = RuntimeEvent;
    type WeightInfo = ();
    const BLOCK_HASH_COUNT: u64 = 10;
    const MAX_BLOCK_WEIGHT: Weight = Weight::from_ref_time(1_000_000);
    const BASE_BLOCK_WEIGHT: Weight = Weight::ZERO;
    const MAX_BLOCK_LENGTH: u32 = 1_000_000;
}

/// The account fees go to.
pub const TREASURY: AccountId = AccountId([0xee; 32]);

impl balances::Config for Test {
    type BalancesWeightInfo = ();
    const EXISTENTIAL_DEPOSIT: Balance = 10;
    const FEE_DESTINATION: AccountId = TREASURY;
}

/// The system pallet.
pub type System = system::Pallet<Test>;
/// The balances pallet.
pub type Balances = balances::Pallet<Test>;

/// Account `n`.
pub fn acc(n: u8) -> AccountId {
    AccountId([n; 32])
}

/// Accounts 1, 2, 3 with 1000, 2000, 3000; the treasury with 10; fees 5 + 1/µs + 1/byte.
pub fn new_test_ext() -> TestExternalities {
    let mut ext = TestExternalities::default();
    ext.execute_with(|| {
        system::GenesisConfig {
            timestamp_ms: 0,
            chain_id: "test".into(),
        }
        .build();
        balances::GenesisConfig {
            balances: vec![
                (acc(1), 1_000),
                (acc(2), 2_000),
                (acc(3), 3_000),
                (TREASURY, 10),
            ],
            fees: FeeSchedule {
                base_fee: 5,
                weight_fee_per_micro: 1,
                byte_fee: 1,
            },
        }
        .build::<Test>()
        .expect("valid genesis");
        System::initialize(1, Hash::ZERO, 1).expect("block 1");
    });
    ext
}

/// The balances events deposited so far.
pub fn balance_events() -> Vec<balances::Event> {
    System::events()
        .into_iter()
        .filter_map(|r| match r.event {
            RuntimeEvent::Balances(e) => Some(e),
            _ => None,
        })
        .collect()
}
