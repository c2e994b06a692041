//! # Sudo pallet
//!
//! One account, the *sudo key* from the chain spec, may dispatch any call with the root origin,
//! as Substrate's `pallet-sudo`: this is how a local or test chain adds and removes validators
//! or changes the oracle set. A chain without a key has no root access from extrinsics at all.
//!
//! The wrapped call travels SCALE-encoded ([`Call::Sudo`]`{ call }`) and is decoded when it is
//! weighed and when it runs; the sudo call's weight is its own plus the wrapped call's, so the
//! key pays for what it dispatches. A sudo call wrapping another sudo call is refused
//! ([`Error::NestedSudo`]) and weighed without recursion, so no depth of nesting can exhaust the
//! stack.

#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

use std::marker::PhantomData;

use ghost_support::metadata::{PalletMetadata, errors_of};
use ghost_support::prelude::*;
use ghost_support::weights::ROCKS_DB_WEIGHT;
use ghost_support::{Dispatchable, Pays};
use pallet_system as system;
use parity_scale_codec::DecodeAll;

/// The pallet's name in storage prefixes and errors.
pub const PALLET: &str = "Sudo";

/// Configuration of the sudo pallet.
pub trait Config: system::Config<RuntimeEvent: From<Event>> {
    /// The runtime's call type.
    type RuntimeCall: Decode + Dispatchable;
    /// Whether `call` is itself a sudo call (refused inside one).
    fn is_sudo(call: &Self::RuntimeCall) -> bool;
}

/// The pallet.
pub struct Pallet<T>(PhantomData<T>);

// ---- storage ----

storage_value!(PALLET,
    /// The sudo key, if the chain has one.
    pub Key: AccountId
);

// ---- events ----

ghost_support::pallet_enum! {
    /// Events of the sudo pallet.
    #[derive(serde::Serialize)]
    #[serde(rename_all = "camelCase")]
    pub enum Event {
        /// The sudo key dispatched a call as root; `result` is its outcome.
        #[index = 0]
        Sudid { result: DispatchResult },
        /// The sudo key changed.
        #[index = 1]
        KeyChanged { old: AccountId, new: AccountId },
    }
}

// ---- errors ----

pallet_error! {
    /// Errors of the sudo pallet.
    pub enum Error for "Sudo" {
        /// The signer is not the sudo key (or the chain has none).
        RequireSudo,
        /// The wrapped call does not decode as a runtime call.
        UndecodableCall,
        /// A sudo call may not wrap another sudo call.
        NestedSudo,
    }
}

// ---- calls ----

ghost_support::pallet_enum! {
    /// Calls of the sudo pallet.
    #[derive(serde::Serialize)]
    #[serde(rename_all = "camelCase")]
    pub enum Call {
        /// Dispatches the SCALE-encoded runtime call `call` with the root origin. Origin: the
        /// sudo key. Errors: `RequireSudo`, `UndecodableCall`, `NestedSudo`; the wrapped call's
        /// own error is reported in `Sudid`, and the sudo call itself succeeds.
        #[index = 0]
        Sudo { call: Vec<u8> },
        /// Hands the sudo key to `new`. Origin: the sudo key. Errors: `RequireSudo`.
        #[index = 1]
        SetKey { new: AccountId },
    }
}

/// The sudo call's own cost: reading the key, decoding the call and writing the event.
fn base_weight() -> Weight {
    Weight::from_micros(5).saturating_add(ROCKS_DB_WEIGHT.reads_writes(1, 1))
}

impl<T: Config> Pallet<T> {
    /// The weight and fee class of `call`: the wrapped call's weight is added to the sudo
    /// call's own.
    pub fn dispatch_info(call: &Call) -> DispatchInfo {
        let weight = match call {
            Call::Sudo { call } => match Self::decode_inner(call) {
                Ok(inner) => base_weight().saturating_add(inner.dispatch_info().weight),
                Err(_) => base_weight(),
            },
            Call::SetKey { .. } => base_weight(),
        };
        DispatchInfo {
            weight,
            pays_fee: Pays::Yes,
        }
    }

    /// Dispatches `call` from `origin`.
    pub fn dispatch(call: Call, origin: Origin) -> DispatchResult {
        let who = ensure_signed(origin)?;
        let key = Key::get().ok_or(Error::RequireSudo)?;
        ensure!(who == key, Error::RequireSudo);
        match call {
            Call::Sudo { call } => {
                let inner = Self::decode_inner(&call)?;
                let result = ghost_support::transactional(|| inner.dispatch(Origin::Root));
                Self::deposit_event(Event::Sudid { result });
                Ok(())
            }
            Call::SetKey { new } => {
                Key::put(&new);
                Self::deposit_event(Event::KeyChanged { old: key, new });
                Ok(())
            }
        }
    }

    /// Decodes a wrapped call, refusing a nested sudo call.
    fn decode_inner(bytes: &[u8]) -> Result<T::RuntimeCall, Error> {
        let call =
            T::RuntimeCall::decode_all(&mut &bytes[..]).map_err(|_| Error::UndecodableCall)?;
        if T::is_sudo(&call) {
            return Err(Error::NestedSudo);
        }
        Ok(call)
    }

    /// The sudo key, if any.
    pub fn key() -> Option<AccountId> {
        Key::get()
    }

    fn deposit_event(event: Event) {
        system::Pallet::<T>::deposit_event(event);
    }

    /// The pallet's metadata.
    pub fn metadata(index: u8) -> PalletMetadata {
        PalletMetadata {
            name: PALLET,
            index,
            calls: Call::metadata(),
            events: Event::metadata(),
            errors: errors_of::<Error>(),
            storage: vec![Key::meta()],
            constants: vec![],
        }
    }
}

impl<T: Config> Hooks for Pallet<T> {}

// ---- genesis ----

/// Genesis config: the sudo key, if any.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GenesisConfig {
    /// The account that may dispatch calls as root; `None` for a chain without sudo.
    #[serde(default)]
    pub key: Option<AccountId>,
}

impl GenesisConfig {
    /// Writes the genesis state.
    pub fn build(&self) {
        if let Some(key) = &self.key {
            Key::put(key);
        }
    }
}
