//! # ghost-client
//!
//! A typed Rust client of a GhostChain node — what subxt is to Substrate. It is what the `ghost`
//! CLI, the node's and bridge's tests and GhostBridge's remote source are built on, and what a
//! registrar service, a wallet or a monitoring job should use instead of copying code out of them.
//!
//! ```text
//!  Client::connect(url) ── typed RPC: every namespace via ghost_rpc's *ApiClient traits (rpc::*)
//!     │                 ── subscriptions as Streams: new_heads, finalized_heads, domain_changes
//!     ├─ tx().balances().transfer(..)  ─┐  builders over the runtime's own RuntimeCall
//!     ├─ tx().domains().register(..)   ─┼─► Tx ─sign(Signer: nonce, era, tip)─► submit / submit_and_watch
//!     ├─ tx().contracts().call(..)     ─┤  (and system, validators, ens_bridge, sudo)
//!     └─ tx().call(any RuntimeCall)    ─┘                                          │
//!                                       TxProgress (Stream of TxStatus) ─► in_block() / finalized()
//!                                       → TxInBlock { events } or Error::Dispatch(pallet, error, docs)
//!  client.ens_link(..) / ens_pending() / ens_all_links() ── typed ENS bridge reads (ens)
//!  client.validator_set(at) / block_author(header) ── the authority set and Aura's author (validators)
//!  verify::verify_resolution ── ghost_light (read proofs against a header's state root)
//! ```
//!
//! - **Connection** ([`Client`]): one WebSocket, re-opened on demand when the node went away,
//!   with a timeout for connecting, each request and each watched extrinsic. Every error names
//!   the URL tried and the RPC method ([`Error`]).
//! - **Signing** ([`Signer`], [`Tx`]): a secret URI (`//Alice`) or a `0x` seed; the client
//!   keeps each account's next nonce locally and reconciles it with `system_accountNextIndex`,
//!   so many transactions of one account can be in flight at once. Mortality and tip per
//!   transaction. The client refuses to sign for a runtime it was not built for (the signature
//!   covers `spec_version`).
//! - **Outcome** ([`TxProgress`]): `in_block()` / `finalized()` resolve with the extrinsic's
//!   own events decoded as [`ghost_runtime::RuntimeEvent`]; a failed call is
//!   [`Error::Dispatch`] with the pallet, the error's name and its doc text from the node's
//!   metadata.
//! - **Verification** ([`verify`], [`light`]): a resolution proven against a header's state
//!   root.
//!
//! Examples (`examples/` in this crate, each run against a dev node by `tests/examples.rs`):
//! `transfer`, `register_name`, `follow_domain_changes`, `call_contract`.

#![warn(missing_docs)]

mod client;
pub mod ens;
mod error;
mod events;
pub mod keystore;
mod signer;
pub mod subscribe;
pub mod tx;
pub mod validators;
pub mod verify;

pub use client::{Client, ClientBuilder, DEFAULT_SUBSCRIPTION_BUFFER, DEFAULT_TIMEOUT};
pub use error::{DispatchFailure, Error, Result, describe};
pub use events::Events;
pub use keystore::Keystore;
pub use signer::Signer;
pub use tx::{Tx, TxInBlock, TxProgress, TxStatus};

/// Light-client verification (read proofs), re-exported from `ghost-light`.
pub use ghost_light as light;
/// The runtime this client builds calls for and decodes events of.
pub use ghost_runtime as runtime;

/// The node's JSON-RPC API: typed methods of every namespace, callable on a [`Client`]
/// (`client.header(None)`, `client.resolve(name, None)`, ...; the inherent `fetch_*` methods
/// wrap the common ones with this crate's [`Error`]) once the traits are in scope.
pub mod rpc {
    pub use ghost_rpc::*;
}
