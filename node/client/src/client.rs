//! [`Client`]: the connection to a node, its typed calls, and the per-account nonce book.
//!
//! The client implements jsonrpsee's `ClientT` and `SubscriptionClientT` over its current
//! connection, so every typed method of `ghost_rpc` (`ChainApiClient::header`,
//! `DomainApiClient::resolve`, ...) works on it directly; a lost connection is re-opened on the
//! next call, and a read is retried once on the new connection. The methods defined here add
//! what callers need most with this crate's [`Error`] (URL and method named).

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use ghost_primitives::{AccountId, Hash, Header, RuntimeVersion};
use ghost_rpc::{
    AccountApiClient, AccountInfoJson, ChainApiClient, SignedBlock, StateApiClient, SystemApiClient,
};
use jsonrpsee::core::client::{
    BatchResponse, ClientT, Error as RpcError, Subscription, SubscriptionClientT,
};
use jsonrpsee::core::params::BatchRequestBuilder;
use jsonrpsee::core::traits::ToRpcParams;
use jsonrpsee_ws_client::{WsClient, WsClientBuilder};
use serde::de::DeserializeOwned;
use tokio::sync::{Mutex, OnceCell};

use crate::error::{Error, Result};
use crate::tx::TxBuilder;

/// How long to wait by default: connecting, each request, and a watched extrinsic.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// Notifications buffered per subscription by default (jsonrpsee's default).
pub const DEFAULT_SUBSCRIPTION_BUFFER: usize = 1024;

/// Options of a [`Client`].
#[derive(Debug, Clone)]
pub struct ClientBuilder {
    url: String,
    timeout: Duration,
    subscription_buffer: usize,
}

impl ClientBuilder {
    /// Limit for connecting, for each request and for waiting on a watched extrinsic.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Notifications buffered per subscription until its consumer reads them (at least 1;
    /// default [`DEFAULT_SUBSCRIPTION_BUFFER`]). A plain subscription whose consumer falls
    /// further behind is closed; a name-change stream subscribes again where it was.
    pub fn subscription_buffer(mut self, notifications: usize) -> Self {
        self.subscription_buffer = notifications.max(1);
        self
    }

    /// Opens the connection (and fails at once, naming the URL, if it cannot).
    pub async fn connect(self) -> Result<Client> {
        let url = self.url;
        if url.starts_with("wss://") {
            return Err(Error::BadUrl {
                url,
                reason: "this client has no TLS; use ws://",
            });
        }
        if !url.starts_with("ws://") {
            return Err(Error::BadUrl {
                url,
                reason: "the RPC URL must start with ws://",
            });
        }
        let client = Client {
            inner: Arc::new(Inner {
                url,
                timeout: self.timeout,
                subscription_buffer: self.subscription_buffer,
                connection: Mutex::new(None),
                nonces: Mutex::new(HashMap::new()),
                genesis: OnceCell::new(),
                runtime_checked: OnceCell::new(),
                metadata: OnceCell::new(),
            }),
        };
        client.connection().await?;
        Ok(client)
    }
}

/// A node reached over WebSocket JSON-RPC. Cheap to clone (the clones share the connection
/// and the nonce book).
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    url: String,
    timeout: Duration,
    subscription_buffer: usize,
    connection: Mutex<Option<Arc<WsClient>>>,
    /// Each account's next nonce as this client has handed them out.
    nonces: Mutex<HashMap<AccountId, u64>>,
    genesis: OnceCell<Hash>,
    runtime_checked: OnceCell<()>,
    metadata: OnceCell<serde_json::Value>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("url", &self.inner.url)
            .finish()
    }
}

/// Maps jsonrpsee results to [`Error::Rpc`] naming the client's URL and the method.
pub(crate) trait RpcResultExt<T> {
    /// `Err(e)` becomes `Error::Rpc { url, method, source: e }`.
    fn during(self, client: &Client, method: &'static str) -> Result<T>;
}

impl<T> RpcResultExt<T> for std::result::Result<T, RpcError> {
    fn during(self, client: &Client, method: &'static str) -> Result<T> {
        self.map_err(|source| Error::Rpc {
            url: client.url().to_owned(),
            method,
            source,
        })
    }
}

impl Client {
    /// Options for a connection to `url` (`ws://127.0.0.1:9944`).
    pub fn builder(url: impl Into<String>) -> ClientBuilder {
        ClientBuilder {
            url: url.into(),
            timeout: DEFAULT_TIMEOUT,
            subscription_buffer: DEFAULT_SUBSCRIPTION_BUFFER,
        }
    }

    /// Connects to `url` with the default timeout.
    pub async fn connect(url: impl Into<String>) -> Result<Client> {
        Client::builder(url).connect().await
    }

    /// The node's URL.
    pub fn url(&self) -> &str {
        &self.inner.url
    }

    /// The timeout for connecting, each request and each watched extrinsic.
    pub fn timeout(&self) -> Duration {
        self.inner.timeout
    }

    /// The current connection, re-opened if the node went away.
    async fn connection(&self) -> Result<Arc<WsClient>> {
        let mut slot = self.inner.connection.lock().await;
        if let Some(ws) = slot.as_ref()
            && ws.is_connected()
        {
            return Ok(ws.clone());
        }
        let ws = WsClientBuilder::default()
            .connection_timeout(self.inner.timeout)
            .request_timeout(self.inner.timeout)
            .max_concurrent_requests(1024)
            .max_buffer_capacity_per_subscription(self.inner.subscription_buffer)
            .build(&self.inner.url)
            .await
            .map_err(|e| Error::Connect {
                url: self.inner.url.clone(),
                reason: crate::error::describe(&e),
            })?;
        let ws = Arc::new(ws);
        *slot = Some(ws.clone());
        Ok(ws)
    }

    /// The connection as a jsonrpsee transport error (for the `ClientT` impl).
    async fn transport(&self) -> std::result::Result<Arc<WsClient>, RpcError> {
        self.connection()
            .await
            .map_err(|e| RpcError::Transport(Box::new(e)))
    }

    /// Runs `call` on the connection; if the connection was lost, once more on a new one
    /// (unless `method` submits: a resubmission is the caller's decision).
    async fn with_retry<T, F, Fut>(&self, method: &str, call: F) -> std::result::Result<T, RpcError>
    where
        F: Fn(Arc<WsClient>) -> Fut,
        Fut: Future<Output = std::result::Result<T, RpcError>>,
    {
        let ws = self.transport().await?;
        match call(ws).await {
            Err(RpcError::RestartNeeded(_)) if !method.starts_with("author_submit") => {}
            other => return other,
        }
        call(self.transport().await?).await
    }

    /// Transaction builders: `client.tx().balances().transfer(to, amount)`.
    pub fn tx(&self) -> TxBuilder<'_> {
        TxBuilder::new(self)
    }

    // ---- typed calls with this crate's errors ----

    /// The genesis hash (cached: it never changes).
    pub async fn genesis_hash(&self) -> Result<Hash> {
        self.inner
            .genesis
            .get_or_try_init(|| async {
                ChainApiClient::block_hash(self, Some(0))
                    .await
                    .during(self, "chain_getBlockHash")?
                    .ok_or_else(|| self.bad_answer("chain_getBlockHash", "the node has no block 0"))
            })
            .await
            .copied()
    }

    /// The node's runtime version.
    pub async fn fetch_runtime_version(&self) -> Result<RuntimeVersion> {
        StateApiClient::runtime_version(self, None)
            .await
            .during(self, "state_getRuntimeVersion")
    }

    /// Checks (once per client) that the node runs the runtime this client signs for.
    pub async fn check_runtime(&self) -> Result<()> {
        self.inner
            .runtime_checked
            .get_or_try_init(|| async {
                let version = self.fetch_runtime_version().await?;
                check_runtime(&version)
            })
            .await
            .copied()
    }

    /// A header by hash, or the best one.
    pub async fn fetch_header(&self, hash: Option<Hash>) -> Result<Header> {
        ChainApiClient::header(self, hash)
            .await
            .during(self, "chain_getHeader")?
            .ok_or_else(|| match hash {
                Some(hash) => self.bad_answer(
                    "chain_getHeader",
                    format!("the node does not know block {hash}"),
                ),
                None => self.bad_answer("chain_getHeader", "the node has no best header"),
            })
    }

    /// A block by hash, or the best one.
    pub async fn fetch_block(&self, hash: Option<Hash>) -> Result<SignedBlock> {
        ChainApiClient::block(self, hash)
            .await
            .during(self, "chain_getBlock")?
            .ok_or_else(|| {
                self.bad_answer(
                    "chain_getBlock",
                    format!("the node does not know block {hash:?}"),
                )
            })
    }

    /// A proof that finalized block `number` is final (`grandpa_proveFinality`): the
    /// justification of it or of its nearest justified descendant, with the headers between.
    /// `None` if the block is not final or no justification covers it yet.
    pub async fn prove_finality(&self, number: u64) -> Result<Option<ghost_rpc::FinalityProof>> {
        ghost_rpc::GrandpaApiClient::prove_finality(self, number)
            .await
            .during(self, "grandpa_proveFinality")
    }

    /// The GRANDPA voter set that finalizes the children of block `hash` (default: the
    /// finalized block), `grandpa_voterSet`.
    pub async fn fetch_voter_set(&self, hash: Option<Hash>) -> Result<ghost_rpc::VoterSetInfo> {
        ghost_rpc::GrandpaApiClient::voter_set(self, hash)
            .await
            .during(self, "grandpa_voterSet")
    }

    /// The last finalized block's header.
    pub async fn fetch_finalized_header(&self) -> Result<Header> {
        let hash = ChainApiClient::finalized_head(self)
            .await
            .during(self, "chain_getFinalizedHead")?;
        self.fetch_header(Some(hash)).await
    }

    /// Free and reserved balance and state nonce of `account` at the best block.
    pub async fn fetch_account(&self, account: &AccountId) -> Result<AccountInfoJson> {
        AccountApiClient::info(self, account.to_string(), None)
            .await
            .during(self, "account_info")
    }

    /// The next nonce of `account` as the node sees it (counting its pool).
    pub async fn fetch_next_index(&self, account: &AccountId) -> Result<u64> {
        SystemApiClient::account_next_index(self, account.to_string())
            .await
            .during(self, "system_accountNextIndex")
    }

    /// Peers, and whether the node is catching up (`system_health`).
    pub async fn fetch_health(&self) -> Result<ghost_rpc::Health> {
        SystemApiClient::health(self)
            .await
            .during(self, "system_health")
    }

    /// Where the node's sync started, is and is heading (`system_syncState`).
    pub async fn fetch_sync_state(&self) -> Result<ghost_rpc::SyncState> {
        SystemApiClient::sync_state(self)
            .await
            .during(self, "system_syncState")
    }

    /// The raw value at `key` in the state of `at` (default: best).
    pub async fn fetch_storage(&self, key: &[u8], at: Option<Hash>) -> Result<Option<Vec<u8>>> {
        Ok(
            StateApiClient::storage(self, ghost_primitives::Bytes(key.to_vec()), at)
                .await
                .during(self, "state_getStorage")?
                .map(|bytes| bytes.0),
        )
    }

    /// The node's metadata (cached per client).
    pub async fn fetch_metadata(&self) -> Result<&serde_json::Value> {
        self.inner
            .metadata
            .get_or_try_init(|| async {
                StateApiClient::metadata(self, None)
                    .await
                    .during(self, "state_getMetadata")
            })
            .await
    }

    /// The doc text of `pallet`'s error `error`, from the node's metadata.
    pub async fn error_docs(&self, pallet: &str, error: &str) -> Result<Option<String>> {
        let metadata = self.fetch_metadata().await?;
        Ok(metadata["pallets"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|p| p["name"] == pallet)
            .flat_map(|p| p["errors"].as_array().into_iter().flatten())
            .find(|e| e["name"] == error)
            .and_then(|e| e["docs"].as_str().map(str::to_owned)))
    }

    // ---- nonces ----

    /// Hands out `account`'s next nonce: the larger of the node's (`system_accountNextIndex`,
    /// which counts the pool) and this client's own count, so transactions submitted
    /// concurrently from one account each get their own.
    pub async fn reserve_nonce(&self, account: &AccountId) -> Result<u64> {
        let mut nonces = self.inner.nonces.lock().await;
        let remote = self.fetch_next_index(account).await?;
        let nonce = nonces
            .get(account)
            .map_or(remote, |local| remote.max(*local));
        nonces.insert(*account, nonce.saturating_add(1));
        Ok(nonce)
    }

    /// Forgets `account`'s local count after a transaction with `nonce` was refused by the pool
    /// or reported invalid, dropped or usurped (the library does this itself for the
    /// transactions it submits), so the next one takes the node's count again instead of
    /// leaving a gap that would keep later transactions waiting as `future`.
    pub async fn release_nonce(&self, account: &AccountId, nonce: u64) {
        let mut nonces = self.inner.nonces.lock().await;
        if nonces.get(account).is_some_and(|next| *next > nonce) {
            nonces.remove(account);
        }
    }

    pub(crate) fn bad_answer(&self, method: &'static str, reason: impl Into<String>) -> Error {
        Error::BadAnswer {
            url: self.url().to_owned(),
            method,
            reason: reason.into(),
        }
    }
}

/// Refuses a runtime this client was not built for: the signature covers `spec_version`, and
/// the call encoding may differ.
pub fn check_runtime(version: &RuntimeVersion) -> Result<()> {
    if version.spec_name != ghost_runtime::SPEC_NAME
        || version.spec_version != ghost_runtime::SPEC_VERSION
    {
        return Err(Error::RuntimeMismatch {
            spec_name: version.spec_name.clone(),
            spec_version: version.spec_version,
        });
    }
    Ok(())
}

// The trait demands `Send` futures; the explicit `impl Future + Send` form keeps that checked here.
#[allow(clippy::manual_async_fn)]
impl ClientT for Client {
    fn notification<Params>(
        &self,
        method: &str,
        params: Params,
    ) -> impl Future<Output = std::result::Result<(), RpcError>> + Send
    where
        Params: ToRpcParams + Send,
    {
        async move { self.transport().await?.notification(method, params).await }
    }

    fn request<R, Params>(
        &self,
        method: &str,
        params: Params,
    ) -> impl Future<Output = std::result::Result<R, RpcError>> + Send
    where
        R: DeserializeOwned,
        Params: ToRpcParams + Send,
    {
        async move {
            let params = params.to_rpc_params()?;
            self.with_retry(method, |ws| {
                let params = params.clone();
                async move { ws.request(method, RawParams(params)).await }
            })
            .await
        }
    }

    fn batch_request<'a, R>(
        &self,
        batch: BatchRequestBuilder<'a>,
    ) -> impl Future<Output = std::result::Result<BatchResponse<'a, R>, RpcError>> + Send
    where
        R: DeserializeOwned + std::fmt::Debug + 'a,
    {
        async move { self.transport().await?.batch_request(batch).await }
    }
}

#[allow(clippy::manual_async_fn)]
impl SubscriptionClientT for Client {
    fn subscribe<'a, Notif, Params>(
        &self,
        subscribe_method: &'a str,
        params: Params,
        unsubscribe_method: &'a str,
    ) -> impl Future<Output = std::result::Result<Subscription<Notif>, RpcError>> + Send
    where
        Params: ToRpcParams + Send,
        Notif: DeserializeOwned,
    {
        async move {
            let params = params.to_rpc_params()?;
            self.with_retry(subscribe_method, |ws| {
                let params = params.clone();
                async move {
                    ws.subscribe(subscribe_method, RawParams(params), unsubscribe_method)
                        .await
                }
            })
            .await
        }
    }

    fn subscribe_to_method<Notif>(
        &self,
        method: &str,
    ) -> impl Future<Output = std::result::Result<Subscription<Notif>, RpcError>> + Send
    where
        Notif: DeserializeOwned,
    {
        async move { self.transport().await?.subscribe_to_method(method).await }
    }
}

/// Parameters already serialized (so a retry can send them again).
struct RawParams(Option<Box<serde_json::value::RawValue>>);

impl ToRpcParams for RawParams {
    fn to_rpc_params(
        self,
    ) -> std::result::Result<Option<Box<serde_json::value::RawValue>>, serde_json::Error> {
        Ok(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn non_ws_urls_are_refused_before_connecting() {
        for url in [
            "http://127.0.0.1:9944",
            "wss://example.org",
            "127.0.0.1:9944",
        ] {
            let message = Client::connect(url).await.unwrap_err().to_string();
            assert!(
                message.starts_with(&format!("connecting to {url} failed: ")),
                "{message}"
            );
        }
    }

    #[tokio::test]
    async fn unreachable_node_names_the_url() {
        // Port 1 on loopback: nothing listens there, so the connection is refused at once.
        let error = Client::builder("ws://127.0.0.1:1")
            .timeout(Duration::from_secs(5))
            .connect()
            .await
            .unwrap_err();
        assert!(matches!(error, Error::Connect { .. }), "{error:?}");
        assert!(error.is_unavailable());
        let message = error.to_string();
        assert!(
            message.starts_with("connecting to ws://127.0.0.1:1 failed: "),
            "{message}"
        );
    }

    #[test]
    fn only_our_runtime_is_signed_for() {
        assert!(check_runtime(&ghost_runtime::version()).is_ok());
        let newer = RuntimeVersion {
            spec_version: ghost_runtime::SPEC_VERSION + 1,
            ..ghost_runtime::version()
        };
        let message = check_runtime(&newer).unwrap_err().to_string();
        assert!(message.contains("refusing to sign"), "{message}");
        let other = RuntimeVersion {
            spec_name: "other".into(),
            ..ghost_runtime::version()
        };
        assert!(matches!(
            check_runtime(&other),
            Err(Error::RuntimeMismatch { .. })
        ));
    }
}
