//! # GhostChain node services
//!
//! The parts of a `ghostchain` node and their wiring:
//!
//! ```text
//!  JSON-RPC (rpc) ──submit──► tx pool (pool_api) ──ready──► author (authorship)
//!        ▲                                                     │ build, seal
//!        │ subscriptions                                       ▼
//!  client notifications ◄──────── import + commit (client) ◄───┘
//!        │                         (RocksDB: ghost-storage)
//!        └──► pool maintenance, metrics, informant
//! ```
//!
//! - [`client`]: the stored chain; block import (seal, re-execution, one-batch commit) and
//!   notifications of new and finalized heads.
//! - [`pool_api`]: the pool's validation through the runtime at the best block.
//! - [`authorship`]: the dev author (instant or interval sealing, Aura seal, instant finality).
//! - [`rpc`]: the JSON-RPC server (Substrate method names, plus `account_` and `domain_`).
//! - [`domain_feed`]: name changes per block height, replayed from history then live.
//! - [`metrics`], [`informant`]: Prometheus and the periodic log line.
//! - [`blocks_io`]: `export-blocks` / `import-blocks` files of blocks.
//! - [`service`]: builds and starts all of it from a [`config::NodeConfig`].
//!
//! - [`consensus`]: with a network, the consensus worker: Aura authorship in this validator's
//!   slots, block exchange with peers through the import queue, the GRANDPA voter; it runs on the
//!   network seam, over libp2p (`ghost_network`) here and on the simulator in the tests.
//! - [`range_sync`]: which height ranges a node far behind asks of which peers, several at once.
//! - [`warp_sync`]: `--sync warp`, a new node taking a finalized block proven from genesis and
//!   its state downloaded by hash, instead of every block.

pub mod authorship;
pub mod blocks_io;
pub mod bridge;
pub mod client;
pub mod config;
pub mod consensus;
pub mod domain_feed;
pub mod gap_sync;
pub mod informant;
pub mod metrics;
pub mod pool_api;
pub mod range_sync;
pub mod rpc;
pub mod seed;
pub mod service;
pub mod warp_sync;

pub use config::{NetworkSettings, NodeConfig, RpcConfig, RpcMethods, Sealing, SyncMode};
pub use ghost_storage::StatePruning;
pub use service::{NodeHandle, ServiceError, start};
