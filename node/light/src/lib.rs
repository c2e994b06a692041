//! Light-client verification for GhostChain: check what a node claims against a header's state
//! root, without trusting the node and without tokio or any I/O.
//!
//! - [`read`]: one key of a read proof (`state_getReadProof`, `domain_resolveWithProof`)
//!   against a state root — the value, or its proven absence.
//! - [`domain`]: a name's resolution recomputed from proven values only, the way the domains
//!   pallet computes it (`Pallet::resolve`), so a client can compare it with the node's answer.
//!
//! The header (and so the state root) must come from a source the caller trusts: a finalized
//! header it follows itself, or, once the network lands, a GRANDPA finality proof.
//!
//! Feature `fixtures`: [`fixtures`], a small proven state for tests.
//!
//! Invariants: every function here is pure; untrusted bytes (proof nodes, values) are decoded
//! with `decode_all` and never panic.

#![warn(missing_docs)]

pub mod domain;
#[cfg(any(test, feature = "fixtures"))]
pub mod fixtures;
pub mod read;

pub use domain::{NameStatus, ProofKeys, ProvenResolution, prove_resolution};
pub use read::{ProofError, verify_read};
