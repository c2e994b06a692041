//! # GhostBridge
//!
//! Turns GhostChain state into answers for real DNS and gRPC clients, and into a gap-free
//! stream of `DomainChangeEvent`s, one batch per block height.
//!
//! ```text
//!   hickory UDP/TCP ──► dns (GhostZone: .ghost, .bc) ─┐
//!                                                     ├──► NameIndex (in memory, per block)
//!   tonic gRPC ───────► grpc (GhostDNSService) ───────┤         ▲ follow(changes per height)
//!                        │ UpdateContractDomain       │         │
//!                        └──────── submit ────────────┴──► ChainSource ──► node (in process)
//!                                                                      └─► node over JSON-RPC
//! ```
//!
//! - [`source`]: [`ChainSource`](source::ChainSource), what the bridge needs from a chain;
//!   implemented in process by the node (`ghost-service`) and over JSON-RPC by
//!   [`remote::RemoteSource`] for the standalone `ghostbridge` sidecar.
//! - [`index`]: the in-memory [`NameIndex`](index::NameIndex) every DNS answer comes from,
//!   kept current block by block from the chain's name changes (never a state scan per query).
//! - [`dns`]: the authoritative DNS server (hickory-server) for the chain's TLDs.
//! - [`grpc`]: the `ghostdns.v1.GhostDNSService` gRPC service, with reflection and health.
//! - [`run`]: [`start`] loads the index, keeps it in sync and starts both servers.
//!
//! DNS code never builds extrinsics; gRPC writes go through the node's transaction pool, and
//! the runtime re-checks everything (the bridge is not trusted).

pub mod dns;
pub mod grpc;
pub mod index;
pub mod recent;
pub mod remote;
pub mod run;
pub mod source;

pub use index::NameIndex;
pub use run::{BridgeConfig, BridgeHandle, start};
pub use source::{BlockRef, BridgeError, ChainSource, FinalityBundle, Inclusion};
