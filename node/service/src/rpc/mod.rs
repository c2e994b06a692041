//! The JSON-RPC server: the `ghost-rpc` traits implemented over the client and the pool.
//!
//! HTTP and WebSocket share one port. Limits (request size, connections, subscriptions per
//! connection) come from [`RpcConfig`]; unsafe methods are removed unless `--rpc-methods unsafe`.
//! Every call is counted per method in the `ghostchain_rpc_calls` metric.

mod account;
mod author;
mod chain;
mod contracts;
mod domain;
mod ens;
mod errors;
mod ghost;
mod grandpa;
mod state;
mod system;

use std::net::SocketAddr;
use std::sync::Arc;

use ghost_primitives::{Hash, Header};
use ghost_rpc::{
    AccountApiServer, AuthorApiServer, ChainApiServer, ContractsApiServer, DomainApiServer,
    EnsApiServer, GhostApiServer, GrandpaApiServer, PaymentApiServer, StateApiServer,
    SystemApiServer, UNSAFE_METHODS,
};
use jsonrpsee::RpcModule;
use jsonrpsee::core::middleware::{Batch, Notification, Request, RpcServiceBuilder, RpcServiceT};
use jsonrpsee::server::{Server, ServerConfig, ServerHandle};
use tokio::sync::Notify;

use crate::client::Client;
use crate::config::{RpcConfig, RpcMethods};
use crate::metrics::{MethodLabel, Metrics};
use crate::pool_api::TransactionPool;

pub use contracts::MAX_DRY_RUN_FUEL;
pub use domain::{now_ms, proven_resolution, resolution_json};
pub use ens::{link_json, request_json};
pub use errors::RpcError;
pub(crate) use grandpa::{prove_finality, prove_voter_sets};

/// What every RPC handler can reach.
#[derive(Clone)]
pub struct RpcContext {
    /// The chain.
    pub client: Arc<Client>,
    /// The transaction pool.
    pub pool: Arc<TransactionPool>,
    /// Wakes the author when a transaction arrives.
    pub author_wake: Arc<Notify>,
    /// Metrics.
    pub metrics: Arc<Metrics>,
    /// Turns `true` when the node shuts down: open subscriptions end then.
    pub shutdown: tokio::sync::watch::Receiver<bool>,
    /// The p2p network and the consensus worker, if the node has them.
    pub network: Option<crate::service::NetworkHandle>,
    /// The best block number when the node started (`system_syncState`).
    pub starting_block: u64,
}

impl RpcContext {
    /// Runs a subscription's `work` until it ends or the node shuts down (`None`). Without this,
    /// a subscriber still connected at shutdown would keep the chain, and its database, open.
    pub async fn until_shutdown<T>(&self, work: impl Future<Output = T>) -> Option<T> {
        let mut shutdown = self.shutdown.clone();
        tokio::select! {
            out = work => Some(out),
            _ = shutdown.wait_for(|stop| *stop) => None,
        }
    }

    /// Runs `work` (trie reads, runtime calls, signature checks) on tokio's blocking pool, so
    /// the async workers that serve every connection never stall behind one request.
    pub async fn blocking<T, F>(&self, work: F) -> Result<T, RpcError>
    where
        T: Send + 'static,
        F: FnOnce(&RpcContext) -> Result<T, RpcError> + Send + 'static,
    {
        let ctx = self.clone();
        tokio::task::spawn_blocking(move || work(&ctx))
            .await
            .map_err(|e| RpcError::Internal(format!("request handler failed: {e}")))?
    }

    /// The header at `at`, or the best header, for a read of the block's state: a block
    /// whose state was pruned is refused with [`RpcError::StatePruned`].
    pub fn header_at(&self, at: Option<Hash>) -> Result<Header, RpcError> {
        match at {
            None => Ok(self.client.best()?.1),
            Some(hash) => {
                let header = self
                    .client
                    .header(&hash)?
                    .ok_or(RpcError::UnknownBlock(hash))?;
                self.client.check_state(&header)?;
                Ok(header)
            }
        }
    }
}

/// All methods, unsafe ones removed unless allowed.
pub fn build_module(
    ctx: RpcContext,
    methods: RpcMethods,
) -> Result<RpcModule<()>, jsonrpsee::core::RegisterMethodError> {
    let mut module = RpcModule::new(());
    module.merge(SystemApiServer::into_rpc(system::SystemRpc(ctx.clone())))?;
    module.merge(ChainApiServer::into_rpc(chain::ChainRpc(ctx.clone())))?;
    module.merge(StateApiServer::into_rpc(state::StateRpc(ctx.clone())))?;
    module.merge(AuthorApiServer::into_rpc(author::AuthorRpc(ctx.clone())))?;
    module.merge(PaymentApiServer::into_rpc(state::PaymentRpc(ctx.clone())))?;
    module.merge(DomainApiServer::into_rpc(domain::DomainRpc(ctx.clone())))?;
    module.merge(ContractsApiServer::into_rpc(contracts::ContractsRpc(
        ctx.clone(),
    )))?;
    module.merge(EnsApiServer::into_rpc(ens::EnsRpc(ctx.clone())))?;
    module.merge(GrandpaApiServer::into_rpc(grandpa::GrandpaRpc(ctx.clone())))?;
    module.merge(GhostApiServer::into_rpc(ghost::GhostRpc(ctx.clone())))?;
    module.merge(AccountApiServer::into_rpc(account::AccountRpc(ctx)))?;
    if methods == RpcMethods::Safe {
        for name in UNSAFE_METHODS {
            module.remove_method(name);
        }
    }
    let names: Vec<&'static str> = module.method_names().collect();
    let mut listing = RpcModule::new(());
    listing.register_method(
        "rpc_methods",
        move |_, _, _| serde_json::json!({ "methods": names }),
    )?;
    module.merge(listing)?;
    Ok(module)
}

/// Counts calls per method.
#[derive(Clone)]
struct CountCalls<S> {
    service: S,
    metrics: Arc<Metrics>,
}

impl<S> RpcServiceT for CountCalls<S>
where
    S: RpcServiceT + Clone + Send + Sync + 'static,
{
    type MethodResponse = S::MethodResponse;
    type NotificationResponse = S::NotificationResponse;
    type BatchResponse = S::BatchResponse;

    fn call<'a>(
        &self,
        request: Request<'a>,
    ) -> impl Future<Output = Self::MethodResponse> + Send + 'a {
        self.metrics
            .rpc_calls
            .get_or_create(&MethodLabel {
                method: request.method_name().to_string(),
            })
            .inc();
        self.service.call(request)
    }

    fn batch<'a>(&self, batch: Batch<'a>) -> impl Future<Output = Self::BatchResponse> + Send + 'a {
        self.service.batch(batch)
    }

    fn notification<'a>(
        &self,
        n: Notification<'a>,
    ) -> impl Future<Output = Self::NotificationResponse> + Send + 'a {
        self.service.notification(n)
    }
}

/// Starts the server; returns its address and handle (stop it with `handle.stop()`).
pub async fn start(
    ctx: RpcContext,
    config: &RpcConfig,
) -> std::io::Result<(SocketAddr, ServerHandle)> {
    let metrics = ctx.metrics.clone();
    let module = build_module(ctx, config.methods).map_err(std::io::Error::other)?;
    let server_config = ServerConfig::builder()
        .max_request_body_size(config.max_request_size)
        .max_response_body_size(config.max_response_size)
        .max_connections(config.max_connections)
        .max_subscriptions_per_connection(config.max_subscriptions_per_connection)
        .build();
    let middleware = RpcServiceBuilder::new().layer_fn(move |service| CountCalls {
        service,
        metrics: metrics.clone(),
    });
    let server = Server::builder()
        .set_config(server_config)
        .set_rpc_middleware(middleware)
        .build(config.addr)
        .await?;
    let addr = server.local_addr()?;
    Ok((addr, server.start(module)))
}
