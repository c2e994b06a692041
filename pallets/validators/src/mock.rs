//! A tiny runtime with the system and validators pallets.

use ghost_support::prelude::*;
use ghost_support::testing::TestExternalities;
use pallet_system as system;

use crate as validators;

/// The mock runtime.
pub struct Test;

/// Events of the mock runtime.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode)]
pub enum RuntimeEvent {
    /// A system event.
    System(system::Event),
    /// A validators event.
    Validators(validators::Event),
}

impl From<system::Event> for RuntimeEvent {
    fn from(e: system::Event) -> Self {
        RuntimeEvent::System(e)
    }
}

impl From<validators::Event> for RuntimeEvent {
    fn from(e: validators::Event) -> Self {
        RuntimeEvent::Validators(e)
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

impl validators::Config for Test {
    type ValidatorsWeightInfo = ();
    const MAX_VALIDATORS: u32 = 4;
    const MAX_EQUIVOCATION_AGE_SLOTS: u64 = MAX_AGE_SLOTS;
}

/// Slot duration of the mock chain: block `n` (at `n * 1000` ms) is in slot `2n`.
pub const SLOT_MS: u64 = 500;
/// How far back a block equivocation may be reported in the mock.
pub const MAX_AGE_SLOTS: u64 = 10;

/// The system pallet.
pub type System = system::Pallet<Test>;
/// The validators pallet.
pub type Validators = validators::Pallet<Test>;

/// Account `n`.
pub fn acc(n: u8) -> AccountId {
    AccountId([n; 32])
}

/// Session length of the mock chain.
pub const SESSION: BlockNumber = 5;

/// Validators 1, 2, 3; sessions of [`SESSION`] blocks; block 1 initialized.
pub fn new_test_ext() -> TestExternalities {
    let mut ext = TestExternalities::default();
    ext.execute_with(|| {
        system::GenesisConfig {
            timestamp_ms: 0,
            chain_id: "test".into(),
        }
        .build();
        validators::GenesisConfig {
            validators: vec![acc(1), acc(2), acc(3)],
            session_length: SESSION,
            slot_duration_ms: SLOT_MS,
        }
        .build::<Test>()
        .expect("valid genesis");
        run_to_block(1);
    });
    ext
}

/// Initializes blocks up to `n` as the executive would (system first, then the hook).
pub fn run_to_block(n: BlockNumber) {
    while System::block_number() < n {
        let next = System::block_number() + 1;
        System::initialize(next, Hash::ZERO, next * 1_000).expect("next block");
        <Validators as Hooks>::on_initialize(next);
    }
}

/// The validators events deposited in the current block.
pub fn validator_events() -> Vec<validators::Event> {
    System::events()
        .into_iter()
        .filter_map(|r| match r.event {
            RuntimeEvent::Validators(e) => Some(e),
            _ => None,
        })
        .collect()
}
