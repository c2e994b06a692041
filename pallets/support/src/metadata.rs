//! The JSON description of the runtime served by `state_getMetadata`: pallets with their calls,
//! events, errors, storage items and constants, so clients can build calls and read state.

use serde::Serialize;

use crate::storage::StorageMeta;

/// One argument of a call.
#[derive(Clone, Debug, Serialize)]
pub struct ArgMeta {
    /// Argument name.
    pub name: &'static str,
    /// Its Rust type.
    #[serde(rename = "type")]
    pub ty: &'static str,
}

/// A call (or an event, which has the same shape).
#[derive(Clone, Debug, Serialize)]
pub struct CallMeta {
    /// Name.
    pub name: &'static str,
    /// The SCALE variant index (never reused).
    pub index: u8,
    /// Fields in encoding order.
    pub args: Vec<ArgMeta>,
    /// Doc lines.
    pub docs: &'static str,
}

/// An error variant.
#[derive(Clone, Debug, Serialize)]
pub struct ErrorMeta {
    /// Name.
    pub name: &'static str,
    /// Doc line.
    pub docs: &'static str,
}

/// A constant.
#[derive(Clone, Debug, Serialize)]
pub struct ConstantMeta {
    /// Name.
    pub name: &'static str,
    /// Value as JSON.
    pub value: serde_json::Value,
    /// Doc line.
    pub docs: &'static str,
}

/// Everything about one pallet.
#[derive(Clone, Debug, Serialize)]
pub struct PalletMetadata {
    /// Pallet name.
    pub name: &'static str,
    /// Its index in `RuntimeCall` / `RuntimeEvent`.
    pub index: u8,
    /// Calls.
    pub calls: Vec<CallMeta>,
    /// Events.
    pub events: Vec<CallMeta>,
    /// Errors.
    pub errors: Vec<ErrorMeta>,
    /// Storage items.
    pub storage: Vec<StorageMeta>,
    /// Constants.
    pub constants: Vec<ConstantMeta>,
}

/// The errors of a [`crate::dispatch::PalletError`] as metadata.
pub fn errors_of<E: crate::dispatch::PalletError>() -> Vec<ErrorMeta> {
    E::variants()
        .iter()
        .map(|(name, docs)| ErrorMeta { name, docs })
        .collect()
}

/// Declares a pallet's `Call` or `Event` enum with explicit SCALE indices, and a
/// `metadata()` function describing its variants.
///
/// ```ignore
/// pallet_enum! {
///     /// Calls of the balances pallet.
///     #[derive(serde::Serialize)]
///     pub enum Call {
///         /// Moves `amount` from the signer to `dest`.
///         #[index = 0]
///         Transfer { dest: AccountId, amount: Balance },
///     }
/// }
/// ```
#[macro_export]
macro_rules! pallet_enum {
    (
        $(#[$attr:meta])*
        $vis:vis enum $name:ident {
            $(
                $(#[doc = $doc:literal])+
                #[index = $index:literal]
                $variant:ident { $( $field:ident : $ty:ty ),* $(,)? }
            ),* $(,)?
        }
    ) => {
        $(#[$attr])*
        #[derive(Clone, PartialEq, Eq, Debug, $crate::parity_scale_codec::Encode, $crate::parity_scale_codec::Decode)]
        $vis enum $name {
            $(
                $(#[doc = $doc])+
                #[codec(index = $index)]
                $variant { $( #[allow(missing_docs)] $field: $ty ),* }
            ),*
        }

        impl $name {
            /// The variants: names, indices, fields and docs.
            pub fn metadata() -> Vec<$crate::metadata::CallMeta> {
                vec![$(
                    $crate::metadata::CallMeta {
                        name: stringify!($variant),
                        index: $index,
                        args: vec![$( $crate::metadata::ArgMeta { name: stringify!($field), ty: stringify!($ty) } ),*],
                        docs: concat!($($doc),+).trim_ascii(),
                    }
                ),*]
            }

            /// The variant's name.
            pub fn name(&self) -> &'static str {
                match self { $( Self::$variant { .. } => stringify!($variant) ),* }
            }
        }
    };
}
