//! The runtime's version, signed into every extrinsic so none replays across upgrades.

use parity_scale_codec::{Decode, Encode};

/// Which runtime a node runs.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RuntimeVersion {
    /// The runtime's name (`ghostchain`).
    pub spec_name: String,
    /// Bumped on every change of runtime logic; part of every signed payload.
    pub spec_version: u32,
    /// Bumped on changes that do not alter logic.
    pub impl_version: u32,
    /// Bumped when the encoding of calls or signed extras changes.
    pub transaction_version: u32,
}
