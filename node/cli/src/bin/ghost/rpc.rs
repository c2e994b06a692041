//! The connection to a node (a [`ghost_client::Client`]: WebSocket, no TLS, reconnecting), and
//! readable RPC errors.
//!
//! Commands validate their input first and connect only then, so bad input never waits on a
//! node. Every call's error goes through [`RpcContext::rpc_context`], which names what was being
//! done and shows the node's error code and message instead of jsonrpsee's debug form.

use std::fmt::Display;
use std::time::Duration;

use ghost_client::describe;
use jsonrpsee::core::client::Error as ClientError;

/// A connected node.
pub type Client = ghost_client::Client;

/// Where the node is and how long to wait for it.
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// `ws://host:port`.
    pub url: String,
    /// Limit for connecting, for each request, and for waiting on a watched extrinsic.
    pub timeout: Duration,
}

impl Endpoint {
    /// Opens a WebSocket connection to the node (errors name the URL).
    pub async fn connect(&self) -> anyhow::Result<Client> {
        Ok(Client::builder(&self.url)
            .timeout(self.timeout)
            .connect()
            .await?)
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
}
