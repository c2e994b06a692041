//! A tiny runtime with the system and sudo pallets and a root-only test call.

use ghost_support::prelude::*;
use ghost_support::storage::unhashed;
use ghost_support::testing::TestExternalities;
use ghost_support::{DispatchInfo, Dispatchable};
use pallet_system as system;

use crate as sudo;

/// The mock runtime.
pub struct Test;

/// Events of the mock runtime.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode)]
pub enum RuntimeEvent {
    /// A system event.
    System(system::Event),
    /// A sudo event.
    Sudo(sudo::Event),
}

impl From<system::Event> for RuntimeEvent {
    fn from(e: system::Event) -> Self {
        RuntimeEvent::System(e)
    }
}

impl From<sudo::Event> for RuntimeEvent {
    fn from(e: sudo::Event) -> Self {
        RuntimeEvent::Sudo(e)
    }
}

/// The key the test call writes.
pub const MARK: &[u8] = b"mark";

/// The mock runtime's calls.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode)]
pub enum TestCall {
    /// The sudo pallet.
    Sudo(sudo::Call),
    /// Root only: writes `value` under [`MARK`], then fails if `fail`.
    Mark { value: u32, fail: bool, weight: u64 },
}

impl Dispatchable for TestCall {
    fn dispatch_info(&self) -> DispatchInfo {
        match self {
            TestCall::Sudo(call) => Sudo::dispatch_info(call),
            TestCall::Mark { weight, .. } => DispatchInfo::paying(Weight(*weight)),
        }
    }

    fn dispatch(self, origin: Origin) -> DispatchResult {
        match self {
            TestCall::Sudo(call) => Sudo::dispatch(call, origin),
            TestCall::Mark { value, fail, .. } => {
                ensure_root(origin)?;
                unhashed::put(MARK.to_vec(), &value);
                if fail {
                    return Err(DispatchError::Other("mark failed".into()));
                }
                Ok(())
            }
        }
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

impl sudo::Config for Test {
    type RuntimeCall = TestCall;
    fn is_sudo(call: &TestCall) -> bool {
        matches!(call, TestCall::Sudo(_))
    }
}

/// The system pallet.
pub type System = system::Pallet<Test>;
/// The sudo pallet.
pub type Sudo = sudo::Pallet<Test>;

/// Account `n`.
pub fn acc(n: u8) -> AccountId {
    AccountId([n; 32])
}

/// Account 1 holds the sudo key; block 1 initialized.
pub fn new_test_ext() -> TestExternalities {
    let mut ext = TestExternalities::default();
    ext.execute_with(|| {
        system::GenesisConfig {
            timestamp_ms: 0,
            chain_id: "test".into(),
        }
        .build();
        sudo::GenesisConfig { key: Some(acc(1)) }.build();
        System::initialize(1, Hash::ZERO, 1).expect("block 1");
    });
    ext
}

/// The sudo events deposited so far.
pub fn sudo_events() -> Vec<sudo::Event> {
    System::events()
        .into_iter()
        .filter_map(|r| match r.event {
            RuntimeEvent::Sudo(e) => Some(e),
            _ => None,
        })
        .collect()
}

/// The value under [`MARK`], if written.
pub fn mark() -> Option<u32> {
    unhashed::get(MARK)
}
