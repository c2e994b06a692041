//! # GhostChain runtime
//!
//! The pallets wired into one state machine: [`RuntimeCall`] and [`RuntimeEvent`] compose the
//! pallets' calls and events, [`executive`] applies blocks, [`genesis`] builds the first state
//! from a JSON [`chain_spec`], and [`api`] is the read-only runtime API the node's RPC and
//! GhostBridge use.
//!
//! ```text
//!  extrinsic ──► validate_transaction (pool) ──► BlockBuilder::push ──► BlockBuilder::build
//!                                                 (author)               │ state root (trie)
//!  imported block ─────────────────────────────► execute_block ◄────────┘ (importers re-run and compare)
//! ```
//!
//! The runtime is native Rust (no WASM runtime blob): upgrades are node upgrades, and
//! [`SPEC_VERSION`] is signed into every extrinsic so none replays across them.

pub mod api;
pub mod builder;
pub mod chain_spec;
pub mod ens;
pub mod executive;
pub mod genesis;
pub mod names;
pub mod state;
#[cfg(feature = "test-utils")]
pub mod test_utils;

use ghost_primitives::{AccountId, Balance, RuntimeVersion, SignedExtrinsic};
use ghost_support::prelude::*;
use ghost_support::weights::Weight;
use parity_scale_codec::{Decode, Encode};

pub use pallet_balances as balances;
pub use pallet_contracts as contracts;
pub use pallet_domains as domains;
pub use pallet_ens_bridge as ens_bridge;
pub use pallet_sudo as sudo;
pub use pallet_system as system;
pub use pallet_validators as validators;

/// The runtime's name (`spec_name`).
pub const SPEC_NAME: &str = "ghostchain";
/// Bumped on every change of runtime logic; signed into every extrinsic.
///
/// 6: a block's events leave the state (only `System.EventsDigest` stays); the fee moves into
/// `System.ExtrinsicSuccess`/`ExtrinsicFailed` (no `Balances.FeePaid`/`FeeRefunded`).
/// 7: a contract frame's load fee also charges per function the code defines
/// (`Schedule::load_fuel_per_function`), and the contracts pallet's call weights come from
/// `benches/dispatch.rs`.
/// 8: every block starts at `System::BASE_BLOCK_WEIGHT` (3 ms, its commit's fsync), so
/// extrinsics share 1.997 s of weight, not 2 s.
pub const SPEC_VERSION: u32 = 8;

/// The runtime's version.
pub fn version() -> RuntimeVersion {
    RuntimeVersion {
        spec_name: SPEC_NAME.into(),
        spec_version: SPEC_VERSION,
        impl_version: 1,
        transaction_version: 1,
    }
}

/// One GHOST in its smallest unit (12 decimals).
pub const GHOST: Balance = 1_000_000_000_000;

/// The treasury: receives transaction fees (and, later, name fees). No one holds its key.
pub const TREASURY: AccountId = AccountId(*b"ghost/treasury\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0");

/// The largest encoded extrinsic accepted (also bounded by the block length).
pub const MAX_EXTRINSIC_SIZE: usize = 4 * 1024 * 1024;

/// The runtime: the type every pallet's `Config` is implemented for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Runtime;

impl system::Config for Runtime {
    type RuntimeEvent = RuntimeEvent;
    type WeightInfo = system::weights::GhostWeight;
    const BLOCK_HASH_COUNT: u64 = 2_400;
    /// Two seconds of compute per block.
    const MAX_BLOCK_WEIGHT: Weight = Weight::from_ref_time(2 * 1_000_000_000_000);
    /// 3 ms: a block's commit is one fsynced RocksDB batch, about 2 ms whatever it writes.
    /// `cargo bench -p ghost-storage --bench state_access`, row "write, 1 key a block":
    /// 1.91 ms without the node cache, 2.22 ms with it (docs/PERFORMANCE.md, 2026-12-04);
    /// 3 ms is 1.35× the larger (`ROCKS_DB_WEIGHT` has 1.25× over its read, 1.3-2.2× over
    /// its write).
    const BASE_BLOCK_WEIGHT: Weight = Weight::from_micros(3_000);
    const MAX_BLOCK_LENGTH: u32 = 5 * 1024 * 1024;
}

impl balances::Config for Runtime {
    type BalancesWeightInfo = balances::weights::GhostWeight;
    /// 0.001 GHOST.
    const EXISTENTIAL_DEPOSIT: Balance = GHOST / 1_000;
    const FEE_DESTINATION: AccountId = TREASURY;
}

impl domains::Config for Runtime {
    type Currency = Balances;
    type DomainsWeightInfo = domains::weights::GhostWeight;
    const TREASURY: AccountId = TREASURY;
    /// State is priced alike for names and contracts: 0.00001 GHOST per byte (a subname: ~0.004
    /// GHOST of bytes) ...
    const DEPOSIT_PER_BYTE: Balance = GHOST / 100_000;
    /// ... and 0.001 GHOST per entry (a subname makes 4, a commitment 2).
    const DEPOSIT_PER_ITEM: Balance = GHOST / 1_000;
}

impl contracts::Config for Runtime {
    type Currency = Balances;
    type Names = names::DomainNames;
    type ContractsWeightInfo = contracts::weights::GhostWeight;
    const SCHEDULE: contracts::Schedule = contracts::Schedule::DEFAULT;
    /// 0.00001 GHOST per byte of code (a 100 KiB contract: ~1 GHOST, returned on removal).
    const CODE_DEPOSIT_PER_BYTE: Balance = GHOST / 100_000;
    /// 0.00001 GHOST per byte of contract storage.
    const STORAGE_DEPOSIT_PER_BYTE: Balance = GHOST / 100_000;
    /// 0.001 GHOST per storage entry.
    const STORAGE_DEPOSIT_PER_ITEM: Balance = GHOST / 1_000;
}

impl validators::Config for Runtime {
    type ValidatorsWeightInfo = validators::weights::GhostWeight;
    const MAX_VALIDATORS: u32 = 64;
    /// An hour of the local spec's 500 ms slots.
    const MAX_EQUIVOCATION_AGE_SLOTS: u64 = 7_200;
}

impl sudo::Config for Runtime {
    type RuntimeCall = RuntimeCall;
    fn is_sudo(call: &RuntimeCall) -> bool {
        matches!(call, RuntimeCall::Sudo(_))
    }
}

/// How many blocks an ENS link request stays pending: 2 hours at the built-in chains' 500 ms
/// slots, and under the domains pallet's one-day commitment limit (see [`ens`]) for any slot up
/// to 6 s (a chain with longer slots must lower it).
pub const ENS_REQUEST_LIFETIME: ghost_primitives::BlockNumber = 14_400;

impl ens_bridge::Config for Runtime {
    type Currency = Balances;
    type Names = ens::EnsGhostNames;
    type EnsBridgeWeightInfo = ens_bridge::weights::GhostWeight;
    /// 1 GHOST while a request is pending.
    const REQUEST_DEPOSIT: Balance = GHOST;
    const REQUEST_LIFETIME: ghost_primitives::BlockNumber = ENS_REQUEST_LIFETIME;
    /// One year.
    const LINK_REGISTRATION_MS: u64 = domains::YEAR_MS;
    const MAX_ATTESTATIONS_PER_BLOCK: u32 = 256;
    const MAX_ORACLES: u32 = 16;
}

/// The system pallet of this runtime.
pub type System = system::Pallet<Runtime>;
/// The balances pallet of this runtime.
pub type Balances = balances::Pallet<Runtime>;
/// The domains pallet of this runtime.
pub type Domains = domains::Pallet<Runtime>;
/// The contracts pallet of this runtime.
pub type Contracts = contracts::Pallet<Runtime>;
/// The validators pallet of this runtime.
pub type Validators = validators::Pallet<Runtime>;
/// The sudo pallet of this runtime.
pub type Sudo = sudo::Pallet<Runtime>;
/// The ENS bridge of this runtime.
pub type EnsBridge = ens_bridge::Pallet<Runtime>;

/// A call to any pallet. The variant index is the pallet index (never reused).
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, serde::Serialize)]
pub enum RuntimeCall {
    /// The system pallet.
    #[codec(index = 0)]
    System(system::Call),
    /// The balances pallet.
    #[codec(index = 1)]
    Balances(balances::Call),
    /// The domains pallet.
    #[codec(index = 2)]
    Domains(domains::Call),
    /// The contracts pallet.
    #[codec(index = 3)]
    Contracts(contracts::Call),
    /// The validators pallet.
    #[codec(index = 4)]
    Validators(validators::Call),
    /// The sudo pallet.
    #[codec(index = 5)]
    Sudo(sudo::Call),
    /// The ENS bridge.
    #[codec(index = 6)]
    EnsBridge(ens_bridge::Call),
}

/// An event of any pallet.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, serde::Serialize)]
pub enum RuntimeEvent {
    /// The system pallet.
    #[codec(index = 0)]
    System(system::Event),
    /// The balances pallet.
    #[codec(index = 1)]
    Balances(balances::Event),
    /// The domains pallet.
    #[codec(index = 2)]
    Domains(domains::Event),
    /// The contracts pallet.
    #[codec(index = 3)]
    Contracts(contracts::Event),
    /// The validators pallet.
    #[codec(index = 4)]
    Validators(validators::Event),
    /// The sudo pallet.
    #[codec(index = 5)]
    Sudo(sudo::Event),
    /// The ENS bridge.
    #[codec(index = 6)]
    EnsBridge(ens_bridge::Event),
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

impl From<contracts::Event> for RuntimeEvent {
    fn from(e: contracts::Event) -> Self {
        RuntimeEvent::Contracts(e)
    }
}

impl From<validators::Event> for RuntimeEvent {
    fn from(e: validators::Event) -> Self {
        RuntimeEvent::Validators(e)
    }
}

impl From<validators::Call> for RuntimeCall {
    fn from(call: validators::Call) -> Self {
        RuntimeCall::Validators(call)
    }
}

impl From<sudo::Event> for RuntimeEvent {
    fn from(e: sudo::Event) -> Self {
        RuntimeEvent::Sudo(e)
    }
}

impl From<sudo::Call> for RuntimeCall {
    fn from(call: sudo::Call) -> Self {
        RuntimeCall::Sudo(call)
    }
}

impl From<ens_bridge::Event> for RuntimeEvent {
    fn from(e: ens_bridge::Event) -> Self {
        RuntimeEvent::EnsBridge(e)
    }
}

impl From<ens_bridge::Call> for RuntimeCall {
    fn from(call: ens_bridge::Call) -> Self {
        RuntimeCall::EnsBridge(call)
    }
}

impl From<system::Call> for RuntimeCall {
    fn from(call: system::Call) -> Self {
        RuntimeCall::System(call)
    }
}

impl From<balances::Call> for RuntimeCall {
    fn from(call: balances::Call) -> Self {
        RuntimeCall::Balances(call)
    }
}

impl From<domains::Call> for RuntimeCall {
    fn from(call: domains::Call) -> Self {
        RuntimeCall::Domains(call)
    }
}

impl From<contracts::Call> for RuntimeCall {
    fn from(call: contracts::Call) -> Self {
        RuntimeCall::Contracts(call)
    }
}

impl RuntimeCall {
    /// Weight and fee class, known before dispatch.
    pub fn dispatch_info(&self) -> DispatchInfo {
        match self {
            RuntimeCall::System(call) => System::dispatch_info(call),
            RuntimeCall::Balances(call) => Balances::dispatch_info(call),
            RuntimeCall::Domains(call) => Domains::dispatch_info(call),
            RuntimeCall::Contracts(call) => Contracts::dispatch_info(call),
            RuntimeCall::Validators(call) => Validators::dispatch_info(call),
            RuntimeCall::Sudo(call) => Sudo::dispatch_info(call),
            RuntimeCall::EnsBridge(call) => EnsBridge::dispatch_info(call),
        }
    }

    /// Dispatches the call from `origin`.
    pub fn dispatch(self, origin: Origin) -> DispatchResult {
        match self {
            RuntimeCall::System(call) => System::dispatch(call, origin),
            RuntimeCall::Balances(call) => Balances::dispatch(call, origin),
            RuntimeCall::Domains(call) => Domains::dispatch(call, origin),
            RuntimeCall::Contracts(call) => Contracts::dispatch(call, origin),
            RuntimeCall::Validators(call) => Validators::dispatch(call, origin),
            RuntimeCall::Sudo(call) => Sudo::dispatch(call, origin),
            RuntimeCall::EnsBridge(call) => EnsBridge::dispatch(call, origin),
        }
    }

    /// `Pallet.Call`, for logs and RPC.
    pub fn name(&self) -> String {
        match self {
            RuntimeCall::System(call) => format!("System.{}", call.name()),
            RuntimeCall::Balances(call) => format!("Balances.{}", call.name()),
            RuntimeCall::Domains(call) => format!("Domains.{}", call.name()),
            RuntimeCall::Contracts(call) => format!("Contracts.{}", call.name()),
            RuntimeCall::Validators(call) => format!("Validators.{}", call.name()),
            RuntimeCall::Sudo(call) => format!("Sudo.{}", call.name()),
            RuntimeCall::EnsBridge(call) => format!("EnsBridge.{}", call.name()),
        }
    }
}

impl ghost_support::Dispatchable for RuntimeCall {
    fn dispatch_info(&self) -> DispatchInfo {
        RuntimeCall::dispatch_info(self)
    }

    fn dispatch(self, origin: Origin) -> DispatchResult {
        RuntimeCall::dispatch(self, origin)
    }
}

/// A signed transaction of this runtime.
pub type UncheckedExtrinsic = SignedExtrinsic<RuntimeCall>;
/// A block of this runtime.
pub type Block = ghost_primitives::Block<UncheckedExtrinsic>;
/// An event with its phase.
pub type EventRecord = system::EventRecord<RuntimeEvent>;

/// Signs `call` by `pair` for this runtime: immortal if `birth` is `None`, else mortal for
/// `period` blocks after `birth = (number, hash)`.
pub fn sign_extrinsic(
    call: RuntimeCall,
    pair: &ghost_primitives::Pair,
    nonce: ghost_primitives::Nonce,
    tip: Balance,
    genesis_hash: ghost_primitives::Hash,
    mortality: Option<(ghost_primitives::BlockNumber, ghost_primitives::Hash, u32)>,
) -> UncheckedExtrinsic {
    use ghost_primitives::{Era, ExtrinsicExtra, SigningContext};
    let (era, birth_hash) = match mortality {
        None => (Era::Immortal, genesis_hash),
        Some((birth, hash, period)) => (Era::Mortal { birth, period }, hash),
    };
    let ctx = SigningContext {
        genesis_hash,
        spec_version: SPEC_VERSION,
        birth_hash,
    };
    SignedExtrinsic::new_signed(call, pair, ExtrinsicExtra { era, nonce, tip }, ctx)
}

/// Runs every pallet's `integrity_test`.
pub fn integrity_test() {
    System::integrity_test();
    Balances::integrity_test();
    Domains::integrity_test();
    Contracts::integrity_test();
    Validators::integrity_test();
    Sudo::integrity_test();
    EnsBridge::integrity_test();
}

/// The JSON metadata of the runtime (`state_getMetadata`).
pub fn metadata() -> serde_json::Value {
    serde_json::json!({
        "version": version(),
        "pallets": [
            System::metadata(0),
            Balances::metadata(1),
            Domains::metadata(2),
            Contracts::metadata(3),
            Validators::metadata(4),
            Sudo::metadata(5),
            EnsBridge::metadata(6),
        ],
        "extrinsic": {
            "format": "SCALE SignedExtrinsic { signer: [u8;32], signature: [u8;64], extra: { era, compact nonce, compact tip }, call: RuntimeCall }",
            "signedPayload": "blake3(SCALE(call, extra, genesis_hash, spec_version, birth_hash))",
            "maxSize": MAX_EXTRINSIC_SIZE,
        },
        "address": "bech32m, prefix `ghost`, 32-byte ed25519 public key",
        "hash": "blake3-256",
    })
}
