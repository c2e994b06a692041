//! Light-client verification for GhostChain: check what a node claims against a header's state
//! root, without trusting the node and without tokio or any I/O.
//!
//! - [`read`]: one key of a read proof (`state_getReadProof`, `domain_resolveWithProof`)
//!   against a state root — the value, or its proven absence.
//! - [`domain`]: a name's resolution recomputed from proven values only, the way the domains
//!   pallet computes it (`Pallet::resolve`), so a client can compare it with the node's answer.
//! - [`finality`]: the header those proofs are checked against, proven final by GRANDPA: the
//!   voter set followed from a pinned genesis hash through every set change, and the block's
//!   justification by that set.
//!
//! The genesis hash is the one thing the caller must trust (from a chain spec it holds, or
//! given by hand); everything else is checked against it.
//!
//! Feature `fixtures`: [`fixtures`], a small proven state for tests.
//!
//! Invariants: every function here is pure; untrusted bytes (proof nodes, values) are decoded
//! with `decode_all` and never panic.

#![warn(missing_docs)]

pub mod domain;
pub mod finality;
#[cfg(any(test, feature = "fixtures"))]
pub mod fixtures;
pub mod read;

pub use domain::{NameStatus, ProofKeys, ProvenResolution, prove_resolution};
pub use finality::{FinalityError, SetChangeProof, VoterSet, verify_finalized};
pub use read::{ProofError, verify_read};
