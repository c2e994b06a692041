//! A tiny runtime with only the system pallet.

use ghost_support::prelude::*;
use ghost_support::testing::TestExternalities;

use crate as system;

/// The mock runtime.
pub struct Test;

/// Events of the mock runtime.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode)]
pub enum RuntimeEvent {
    /// A system event.
    System(system::Event),
}

impl From<system::Event> for RuntimeEvent {
    fn from(e: system::Event) -> Self {
        RuntimeEvent::System(e)
    }
}

impl system::Config for Test {
    type RuntimeEvent = RuntimeEvent;
    type WeightInfo = ();
    const BLOCK_HASH_COUNT: u64 = 4;
    const MAX_BLOCK_WEIGHT: Weight = Weight::from_ref_time(1_000);
    const BASE_BLOCK_WEIGHT: Weight = Weight::from_ref_time(100);
    const MAX_BLOCK_LENGTH: u32 = 100;
}

/// The system pallet of the mock runtime.
pub type System = system::Pallet<Test>;

/// A fresh state at genesis (timestamp 1000).
pub fn new_test_ext() -> TestExternalities {
    let mut ext = TestExternalities::default();
    ext.execute_with(|| {
        system::GenesisConfig {
            timestamp_ms: 1_000,
            chain_id: "test".into(),
        }
        .build()
    });
    ext
}

/// Starts block `n` at `1000 + n` ms with a parent hash of `[n - 1; 32]`.
pub fn run_to_block(n: BlockNumber) {
    System::initialize(n, Hash([(n - 1) as u8; 32]), 1_000 + n).expect("sequential block");
}
