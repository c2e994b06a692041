//! What the in-process node tests share: a loopback node config, a WebSocket client, and a
//! signer that submits calls and waits until they are in a block.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use ghost_primitives::{AccountId, Bytes, Hash, Pair};
use ghost_rpc::{AuthorApiClient, ChainApiClient, ExtrinsicStatusJson};
use ghost_runtime::{RuntimeCall, UncheckedExtrinsic, sign_extrinsic};
use ghost_service::{NodeConfig, NodeHandle, RpcConfig};
use jsonrpsee::core::client::Subscription;
use jsonrpsee_ws_client::{WsClient, WsClientBuilder};
use parity_scale_codec::Encode;

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
pub async fn connect(node: &NodeHandle) -> WsClient {
    WsClientBuilder::default()
        .build(format!("ws://{}", node.rpc_addr))
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
    pub async fn new(client: &WsClient, name: &str) -> Signer {
        let genesis = ChainApiClient::block_hash(client, Some(0))
            .await
            .unwrap()
            .unwrap();
        Signer {
            pair: Pair::dev(name),
            nonce: 0,
            genesis,
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

    /// Submits a signed extrinsic and waits until it is in a block.
    pub async fn submit_signed(&self, client: &WsClient, xt: &UncheckedExtrinsic) -> Included {
        let mut sub: Subscription<serde_json::Value> =
            AuthorApiClient::submit_and_watch_extrinsic(client, Bytes(xt.encode()))
                .await
                .unwrap();
        loop {
            let status = tokio::time::timeout(Duration::from_secs(20), sub.next())
                .await
                .expect("in a block within 20 s")
                .unwrap()
                .unwrap();
            if status.get("inBlock").is_some() {
                break;
            }
            assert!(
                status.as_str() == Some("ready") || status.as_str() == Some("future"),
                "{status}"
            );
        }
        match AuthorApiClient::extrinsic_status(client, xt.hash())
            .await
            .unwrap()
        {
            ExtrinsicStatusJson::InBlock {
                block_hash,
                block_number,
                success,
                error,
                ..
            } => Included {
                block_hash,
                block_number,
                success,
                error,
            },
            other => panic!("unexpected {other:?}"),
        }
    }

    /// Submits a call, waits until it is in a block and requires it to succeed.
    pub async fn submit_ok(&mut self, client: &WsClient, call: impl Into<RuntimeCall>) -> Included {
        let xt = self.sign(call);
        let included = self.submit_signed(client, &xt).await;
        assert!(included.success, "call failed: {:?}", included.error);
        included
    }
}
