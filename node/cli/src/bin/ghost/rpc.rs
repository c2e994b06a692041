//! The connection to a node: a jsonrpsee WebSocket client (no TLS), and readable RPC errors.
//!
//! Commands validate their input first and connect only then, so bad input never waits on a
//! node. Every call's error goes through [`RpcContext::rpc_context`], which names what was being
//! done and shows the node's error code and message instead of jsonrpsee's debug form.

use std::fmt::Display;
use std::time::Duration;

use jsonrpsee::core::client::Error as ClientError;
use jsonrpsee_ws_client::{WsClient, WsClientBuilder};

/// A connected node.
pub type Client = WsClient;

/// Where the node is and how long to wait for it.
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// `ws://host:port`.
    pub url: String,
    /// Limit for connecting, for each request, and for waiting on a watched extrinsic.
    pub timeout: Duration,
}

impl Endpoint {
    /// Opens a WebSocket connection to the node.
    pub async fn connect(&self) -> anyhow::Result<Client> {
        let url = &self.url;
        if url.starts_with("wss://") {
            anyhow::bail!("connecting to {url} failed: this client has no TLS; use ws://");
        }
        if !url.starts_with("ws://") {
            anyhow::bail!("connecting to {url} failed: the RPC URL must start with ws://");
        }
        WsClientBuilder::default()
            .connection_timeout(self.timeout)
            .request_timeout(self.timeout)
            .build(url)
            .await
            .map_err(|e| anyhow::anyhow!("connecting to {url} failed: {}", describe(&e)))
    }
}

/// A one-line description of a client error: the node's code and message for call errors.
pub fn describe(error: &ClientError) -> String {
    match error {
        ClientError::Call(object) => match object.data() {
            Some(data) => {
                format!(
                    "node error {}: {} ({})",
                    object.code(),
                    object.message(),
                    data.get()
                )
            }
            None => format!("node error {}: {}", object.code(), object.message()),
        },
        ClientError::RequestTimeout => "the node did not answer in time".to_owned(),
        ClientError::RestartNeeded(cause) => format!("connection to the node lost: {cause}"),
        other => other.to_string(),
    }
}

/// Turns RPC results into `anyhow` errors that say what was being done.
pub trait RpcContext<T> {
    /// `Err(e)` becomes `"{what}: {describe(e)}"`.
    fn rpc_context(self, what: impl Display) -> anyhow::Result<T>;
}

impl<T> RpcContext<T> for Result<T, ClientError> {
    fn rpc_context(self, what: impl Display) -> anyhow::Result<T> {
        self.map_err(|e| anyhow::anyhow!("{what}: {}", describe(&e)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonrpsee::types::ErrorObject;

    #[test]
    fn call_errors_show_code_and_message() {
        let error = ClientError::Call(ErrorObject::owned(
            1010,
            "Invalid Transaction: stale nonce",
            None::<()>,
        ));
        assert_eq!(
            describe(&error),
            "node error 1010: Invalid Transaction: stale nonce"
        );
        let result: Result<(), _> = Err(error);
        let message = result
            .rpc_context("submitting the extrinsic")
            .unwrap_err()
            .to_string();
        assert_eq!(
            message,
            "submitting the extrinsic: node error 1010: Invalid Transaction: stale nonce"
        );
    }

    #[tokio::test]
    async fn non_ws_urls_are_refused_before_connecting() {
        for url in [
            "http://127.0.0.1:9944",
            "wss://example.org",
            "127.0.0.1:9944",
        ] {
            let endpoint = Endpoint {
                url: url.into(),
                timeout: Duration::from_secs(1),
            };
            let message = endpoint.connect().await.unwrap_err().to_string();
            assert!(
                message.starts_with(&format!("connecting to {url} failed: ")),
                "{message}"
            );
        }
    }

    #[tokio::test]
    async fn unreachable_node_names_the_url() {
        // Port 1 on loopback: nothing listens there, so the connection is refused at once.
        let endpoint = Endpoint {
            url: "ws://127.0.0.1:1".into(),
            timeout: Duration::from_secs(5),
        };
        let message = endpoint.connect().await.unwrap_err().to_string();
        assert!(
            message.starts_with("connecting to ws://127.0.0.1:1 failed: "),
            "{message}"
        );
    }
}
