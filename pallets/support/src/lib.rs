//! The pallet framework of GhostChain: what FRAME's `frame-support` is to Substrate, in plain Rust.
//!
//! A pallet is a module of runtime logic with a `Config` trait, typed storage items, a `Call` enum
//! of dispatchable functions, an `Event` enum, an `Error` enum, weights, optional hooks and a
//! genesis config. This crate provides the pieces they are built from:
//!
//! - [`storage`]: typed [`StorageValue`](storage::StorageValue),
//!   [`StorageMap`](storage::StorageMap) and [`StorageDoubleMap`](storage::StorageDoubleMap)
//!   over the state, keyed `prefix(pallet, item) ++ hashed key`, with ordered iteration.
//! - [`ext`]: the execution environment ([`Ext`](ext::Ext)) every storage access goes through:
//!   a read-only [`StateBackend`](ext::StateBackend) under a stack of transactional overlays, so a
//!   dispatch that fails leaves no writes ([`transactional`]).
//! - [`dispatch`]: origins, [`DispatchError`](dispatch::DispatchError) with the pallet and error
//!   name, [`Weight`](weights::Weight)s and [`DispatchInfo`](dispatch::DispatchInfo).
//! - [`deposit`]: storage deposits the transaction's signer pays, within its
//!   `storage_deposit_limit`, shared by the contracts pallet and every pallet that stores state
//!   for an account.
//! - [`metadata`]: the JSON description of pallets served by `state_getMetadata`.
//! - declarative macros ([`storage_value!`], [`storage_map!`], [`storage_double_map!`],
//!   [`pallet_error!`], [`ensure!`]) that keep pallet source readable.
//!
//! The runtime is deterministic: storage iterates in key order, there is no clock, randomness or
//! I/O here, and arithmetic on balances is checked by the pallets.

pub mod deposit;
pub mod dispatch;
pub mod ext;
pub mod hooks;
pub mod metadata;
pub mod storage;
pub mod testing;
pub mod traits;
pub mod weights;

pub use dispatch::{
    DispatchError, DispatchInfo, DispatchResult, Dispatchable, ModuleError, Origin, Pays,
};
pub use ext::{Ext, StateBackend, transactional, with_externalities};
pub use hooks::Hooks;
pub use weights::Weight;

/// Re-exported so macros can name them.
pub use ghost_primitives;
pub use parity_scale_codec;

/// Everything a pallet usually imports.
pub mod prelude {
    pub use crate::dispatch::{
        DispatchError, DispatchInfo, DispatchResult, ModuleError, Origin, Pays, ensure_root,
        ensure_signed,
    };
    pub use crate::hooks::Hooks;
    pub use crate::storage::{
        Blake3_128Concat, Identity, StorageDoubleMap, StorageMap, StorageValue,
    };
    pub use crate::weights::Weight;
    pub use crate::{
        ensure, pallet_enum, pallet_error, storage_double_map, storage_map, storage_value,
    };
    pub use ghost_primitives::{AccountId, Balance, BlockNumber, Hash, Moment, Nonce};
    pub use parity_scale_codec::{Decode, Encode, MaxEncodedLen};
}

/// Returns `Err($err.into())` from the enclosing function unless `$cond` holds.
#[macro_export]
macro_rules! ensure {
    ($cond:expr, $err:expr $(,)?) => {
        if !$cond {
            return Err($err.into());
        }
    };
}
