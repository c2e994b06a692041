//! Dispatch: who calls ([`Origin`]), what it costs ([`DispatchInfo`]) and how it fails
//! ([`DispatchError`]).

use std::borrow::Cow;

use ghost_primitives::AccountId;
use parity_scale_codec::{Decode, Encode};

use crate::weights::Weight;

/// Who dispatches a call.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Origin {
    /// A signed extrinsic from this account.
    Signed(AccountId),
    /// The chain itself (genesis, governance, sudo-like calls in tests).
    Root,
    /// No origin (unsigned).
    None,
}

impl Origin {
    /// A signed origin.
    pub fn signed(who: AccountId) -> Origin {
        Origin::Signed(who)
    }
}

/// The signer of `origin`, or [`DispatchError::BadOrigin`].
pub fn ensure_signed(origin: Origin) -> Result<AccountId, DispatchError> {
    match origin {
        Origin::Signed(who) => Ok(who),
        _ => Err(DispatchError::BadOrigin),
    }
}

/// Ok if `origin` is root, else [`DispatchError::BadOrigin`].
pub fn ensure_root(origin: Origin) -> Result<(), DispatchError> {
    match origin {
        Origin::Root => Ok(()),
        _ => Err(DispatchError::BadOrigin),
    }
}

/// An error of a named pallet, e.g. `Balances.InsufficientBalance`.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, serde::Serialize, serde::Deserialize)]
pub struct ModuleError {
    /// The pallet's name (`Balances`).
    pub pallet: Cow<'static, str>,
    /// The error variant's name (`InsufficientBalance`).
    pub error: Cow<'static, str>,
}

/// Why a dispatch failed. Encoded into `ExtrinsicFailed` events and shown to RPC callers.
#[derive(
    Clone,
    PartialEq,
    Eq,
    Debug,
    Encode,
    Decode,
    serde::Serialize,
    serde::Deserialize,
    thiserror::Error,
)]
#[serde(rename_all = "camelCase")]
pub enum DispatchError {
    /// The origin may not make this call.
    #[error("bad origin")]
    BadOrigin,
    /// A pallet refused the call.
    #[error("{}.{}", .0.pallet, .0.error)]
    Module(ModuleError),
    /// An arithmetic overflow or underflow was prevented.
    #[error("arithmetic overflow or underflow")]
    Arithmetic,
    /// The call ran out of its weight or another bounded resource.
    #[error("resources exhausted")]
    Exhausted,
    /// Anything else, with a description.
    #[error("{0}")]
    Other(Cow<'static, str>),
}

impl DispatchError {
    /// A module error.
    pub fn module(pallet: &'static str, error: &'static str) -> DispatchError {
        DispatchError::Module(ModuleError {
            pallet: Cow::Borrowed(pallet),
            error: Cow::Borrowed(error),
        })
    }
}

/// The result of a dispatch.
pub type DispatchResult = Result<(), DispatchError>;

/// Whether the caller pays the fee.
#[derive(
    Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, serde::Serialize, serde::Deserialize,
)]
pub enum Pays {
    /// The signer pays the fee.
    Yes,
    /// The call is free.
    No,
}

/// What a call costs, known before it runs.
#[derive(
    Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, serde::Serialize, serde::Deserialize,
)]
pub struct DispatchInfo {
    /// The most weight the call can use.
    pub weight: Weight,
    /// Whether it pays a fee.
    pub pays_fee: Pays,
}

impl DispatchInfo {
    /// A fee-paying call of `weight`.
    pub const fn paying(weight: Weight) -> DispatchInfo {
        DispatchInfo {
            weight,
            pays_fee: Pays::Yes,
        }
    }
}

/// A call that can be weighed and dispatched: what the runtime's `RuntimeCall` is to a pallet
/// that dispatches other calls (sudo).
pub trait Dispatchable: Sized {
    /// What the call costs, known before it runs.
    fn dispatch_info(&self) -> DispatchInfo;
    /// Runs the call from `origin`.
    fn dispatch(self, origin: Origin) -> DispatchResult;
}

/// A pallet's error enum: its name and the variant's name and doc.
pub trait PalletError {
    /// The pallet's name.
    const PALLET: &'static str;
    /// The variant's name.
    fn name(&self) -> &'static str;
    /// The variant's doc line.
    fn doc(&self) -> &'static str;
    /// `(name, doc)` of every variant, for metadata.
    fn variants() -> &'static [(&'static str, &'static str)];
}

/// Declares a pallet's `Error` enum: each variant gets a doc line, a name in
/// [`DispatchError::Module`] and an entry in the metadata.
///
/// ```ignore
/// pallet_error! {
///     /// Errors of the balances pallet.
///     pub enum Error for "Balances" {
///         /// The sender's free balance is lower than the amount.
///         InsufficientBalance,
///     }
/// }
/// ```
#[macro_export]
macro_rules! pallet_error {
    (
        $(#[$attr:meta])*
        $vis:vis enum $name:ident for $pallet:literal {
            $( $(#[doc = $doc:literal])+ $variant:ident ),* $(,)?
        }
    ) => {
        $(#[$attr])*
        #[derive(Clone, Copy, PartialEq, Eq, Debug, $crate::parity_scale_codec::Encode, $crate::parity_scale_codec::Decode)]
        $vis enum $name {
            $( $(#[doc = $doc])+ $variant ),*
        }

        impl $crate::dispatch::PalletError for $name {
            const PALLET: &'static str = $pallet;
            fn name(&self) -> &'static str {
                match self { $( Self::$variant => stringify!($variant) ),* }
            }
            fn doc(&self) -> &'static str {
                match self { $( Self::$variant => concat!($($doc),+).trim_ascii() ),* }
            }
            fn variants() -> &'static [(&'static str, &'static str)] {
                const VARIANTS: &[(&str, &str)] =
                    &[ $( (stringify!($variant), concat!($($doc),+).trim_ascii()) ),* ];
                VARIANTS
            }
        }

        impl From<$name> for $crate::dispatch::DispatchError {
            fn from(e: $name) -> Self {
                $crate::dispatch::DispatchError::module(
                    <$name as $crate::dispatch::PalletError>::PALLET,
                    $crate::dispatch::PalletError::name(&e),
                )
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    pallet_error! {
        /// Test errors.
        pub enum Error for "Test" {
            /// The first thing went wrong.
            First,
            /// The second thing went wrong.
            Second,
        }
    }

    #[test]
    fn pallet_errors_carry_names_and_docs() {
        let err: DispatchError = Error::Second.into();
        assert_eq!(err.to_string(), "Test.Second");
        assert_eq!(Error::First.doc(), "The first thing went wrong.");
        assert_eq!(Error::variants().len(), 2);
        let decoded = DispatchError::decode(&mut &err.encode()[..]).unwrap();
        assert_eq!(decoded, err);
    }

    #[test]
    fn origins_are_checked() {
        let who = AccountId([7; 32]);
        assert_eq!(ensure_signed(Origin::Signed(who)), Ok(who));
        assert_eq!(ensure_signed(Origin::Root), Err(DispatchError::BadOrigin));
        assert_eq!(
            ensure_root(Origin::Signed(who)),
            Err(DispatchError::BadOrigin)
        );
        assert!(ensure_root(Origin::Root).is_ok());
    }
}
