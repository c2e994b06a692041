//! An in-process `--dev` node for the library's tests: RPC on a free loopback port, no
//! metrics, informant or bridge (so tests in parallel never compete for ports).

#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::Duration;

use ghost_service::{NodeConfig, NodeHandle, RpcConfig, Sealing};

/// Starts a dev node; `interval` seals a block every interval instead of instantly.
pub async fn dev_node(interval: Option<Duration>) -> NodeHandle {
    let config = NodeConfig {
        rpc: RpcConfig {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            ..RpcConfig::default()
        },
        prometheus_addr: None,
        informant_interval: Duration::ZERO,
        bridge: None,
        sealing: interval.map_or(Sealing::Instant, Sealing::Interval),
        ..NodeConfig::dev()
    };
    ghost_service::start(config).await.expect("dev node starts")
}

/// `ws://` URL of `node`.
pub fn url(node: &NodeHandle) -> String {
    format!("ws://{}", node.rpc_addr)
}
