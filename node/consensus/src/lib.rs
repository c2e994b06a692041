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
//! - [`network`]: the seam's transport traits ([`network::Network`], [`network::Timers`]) and
//!   [`protocol`], the messages nodes exchange over it.
//! - [`sim`]: a seeded, single-threaded simulation of time and of the network, on which whole
//!   validator sets run reproducibly in one process.

pub mod aura;
pub mod clock;
pub mod grandpa;
pub mod import_queue;
pub mod network;
pub mod protocol;
pub mod sim;

pub use aura::{AuraError, AuraParams, Slot};
pub use clock::{Clock, SystemClock};
