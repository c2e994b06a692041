//! What the in-process node tests share: a loopback node config, a [`ghost_client::Client`],
//! and a signer with explicit consecutive nonces whose extrinsics are submitted and followed to
//! a block by the client library.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use ghost_client::Client;
use ghost_primitives::{AccountId, Hash, Pair};
use ghost_runtime::{RuntimeCall, UncheckedExtrinsic, sign_extrinsic};
use ghost_service::{NodeConfig, NodeHandle, RpcConfig};

/// A `--dev` config with RPC on a free loopback port, and no metrics, informant or bridge (so
/// tests running in parallel never compete for ports).
pub fn test_config(base_path: Option<PathBuf>) -> NodeConfig {
    NodeConfig {
        base_path,
        rpc: RpcConfig {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            ..RpcConfig::default()
        },
        prometheus_addr: None,
        informant_interval: Duration::ZERO,
        bridge: None,
        ..NodeConfig::dev()
    }
}

/// A WebSocket JSON-RPC client of `node`.
pub async fn connect(node: &NodeHandle) -> Client {
    Client::connect(format!("ws://{}", node.rpc_addr))
        .await
        .expect("ws connect")
}

/// The JSON-RPC error code of a call error.
pub fn rpc_code(err: jsonrpsee::core::ClientError) -> i32 {
    match err {
        jsonrpsee::core::ClientError::Call(e) => e.code(),
        other => panic!("expected a call error, got {other}"),
    }
}

/// Where an extrinsic landed and how its call went.
pub struct Included {
    /// The block.
    pub block_hash: Hash,
    /// Its number.
    pub block_number: u64,
    /// Whether the call succeeded.
    pub success: bool,
    /// The dispatch error, if not.
    pub error: Option<String>,
}

/// A dev account that signs with consecutive nonces.
pub struct Signer {
    pair: Pair,
    nonce: u64,
    genesis: Hash,
}

impl Signer {
    /// The dev account `//name`, starting at nonce 0.
    pub async fn new(client: &Client, name: &str) -> Signer {
        Signer {
            pair: Pair::dev(name),
            nonce: 0,
            genesis: client.genesis_hash().await.unwrap(),
        }
    }

    /// Its account.
    pub fn account(&self) -> AccountId {
        self.pair.public()
    }

    /// Signs `call` with the next nonce.
    pub fn sign(&mut self, call: impl Into<RuntimeCall>) -> UncheckedExtrinsic {
        let xt = sign_extrinsic(call.into(), &self.pair, self.nonce, 0, self.genesis, None);
        self.nonce += 1;
        xt
    }

    /// Submits a signed extrinsic and waits (20 s at most) until it is in a block.
    pub async fn submit_signed(&self, client: &Client, xt: &UncheckedExtrinsic) -> Included {
        let progress = ghost_client::tx::submit_and_watch_signed(client, xt)
            .await
            .unwrap();
        let outcome = tokio::time::timeout(Duration::from_secs(20), progress.in_block())
            .await
            .expect("in a block within 20 s");
        match outcome {
            Ok(done) => Included {
                block_hash: done.block_hash,
                block_number: done.block_number,
                success: true,
                error: None,
            },
            Err(ghost_client::Error::Dispatch(failure)) => Included {
                block_hash: failure.block_hash,
                block_number: failure.block_number,
                success: false,
                error: Some(failure.error.to_string()),
            },
            Err(other) => panic!("not included: {other}"),
        }
    }

    /// Submits a call, waits until it is in a block and requires it to succeed.
    pub async fn submit_ok(&mut self, client: &Client, call: impl Into<RuntimeCall>) -> Included {
        let xt = self.sign(call);
        let included = self.submit_signed(client, &xt).await;
        assert!(included.success, "call failed: {:?}", included.error);
        included
    }
}
