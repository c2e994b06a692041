//! # GhostChain consensus
//!
//! The rules that decide which blocks a node accepts and when it may author one, kept free of
//! I/O so that the node and a deterministic simulator run the same code:
//!
//! - [`aura`]: slots (`timestamp ÷ slot duration`), the round-robin author of a slot, and the
//!   checks every imported header passes (seal by the slot's author from the parent's state,
//!   slot strictly above the parent's, not ahead of the local clock by more than the allowed
//!   drift, timestamp inside its slot).
//! - [`clock`]: the time source of the network seam. Consensus code never reads the system
//!   clock itself; the node passes [`clock::SystemClock`], a simulator its own clock.
//!
//! - [`import_queue`]: every block, own or a peer's, passes the same queue into the chain's
//!   [`import_queue::BlockImport`]; blocks with unknown parents are held (bounded) until their
//!   parent arrives.
//!
//! - [`grandpa`]: vote signing payloads (chain, round, set id) and justifications, verified
//!   against the voter set with `finality-grandpa`'s commit validation.
//!
//! Still to come on this seam (see `docs/ARCHITECTURE.md`): the GRANDPA voter environment, the
//! message transport and the simulated network.

pub mod aura;
pub mod clock;
pub mod grandpa;
pub mod import_queue;

pub use aura::{AuraError, AuraParams, Slot};
pub use clock::{Clock, SystemClock};
