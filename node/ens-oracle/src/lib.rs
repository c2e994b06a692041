//! # ens-oracle
//!
//! The ENS oracle daemon: it watches ENS on an Ethereum node and submits the attestations the
//! ENS bridge pallet counts (`EnsBridge.submit_attestation`), signed by its oracle key. A
//! threshold of oracles must agree before the chain links a name or syncs its records; see
//! `docs/ENS.md` for the trust model and the record mapping.
//!
//! ```text
//! Ethereum (http[s]://, JSON-RPC) ─eth.rs─► logs (abi.rs) ─► changed names
//!                                         eth_call at block hash ─► records.rs ─► Observation
//!                                           (DNS-profile RRsets: dns_wire.rs)
//! GhostChain (ws://, ghost-client) ◄── submit_attestation ── oracle.rs ──► reorg.rs (processed
//!   ens_pending / ens_links ──────────────────────────────────►           blocks, --base-path)
//!                                                               metrics.rs (Prometheus)
//! ```
//!
//! [`devnet`] (and the `ens-devnet` binary) deploys ENS's own contracts on anvil for the
//! end-to-end test and demos.
//!
//! Its own crate so that the node's tests never build its Ethereum dependencies
//! (`alloy-sol-types` and `alloy-primitives`; HTTP is hyper, already in the node's graph; TLS
//! is rustls with `ring` and `webpki-roots`).

#![warn(missing_docs)]

pub mod abi;
pub mod devnet;
pub mod dns_wire;
pub mod eth;
pub mod metrics;
pub mod oracle;
pub mod records;
pub mod reorg;

pub use eth::EthClient;
pub use oracle::{Config, Oracle, OracleError};
