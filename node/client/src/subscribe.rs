//! Subscriptions as [`Stream`]s of typed items: new best heads, finalized heads, and the
//! name changes of every block (`domain_subscribeChanges`, gap-free from a height).
//!
//! A stream ends when the node closes the subscription (or the connection drops); an item
//! that does not decode is an error item.

use futures::stream::BoxStream;
use futures::{Stream, StreamExt};
use ghost_primitives::{Hash, Header};
use ghost_rpc::{ChainApiClient, ChangeFilter, DomainApiClient, DomainChangesJson};
use jsonrpsee::core::client::Subscription;
use serde::de::DeserializeOwned;

use crate::client::{Client, RpcResultExt};
use crate::error::Result;

/// A stream of typed notifications.
pub type Notifications<T> = BoxStream<'static, Result<T>>;

fn typed<T: DeserializeOwned + Send + 'static>(
    client: &Client,
    method: &'static str,
    subscription: Subscription<T>,
) -> Notifications<T> {
    let client = client.clone();
    subscription
        .map(move |item| item.map_err(|e| client.bad_answer(method, e.to_string())))
        .boxed()
}

impl Client {
    /// New best headers as the node imports them.
    pub async fn new_heads(&self) -> Result<Notifications<Header>> {
        let subscription = ChainApiClient::subscribe_new_heads(self)
            .await
            .during(self, "chain_subscribeNewHeads")?;
        Ok(typed(self, "chain_subscribeNewHeads", subscription))
    }

    /// Finalized headers.
    pub async fn finalized_heads(&self) -> Result<Notifications<Header>> {
        let subscription = ChainApiClient::subscribe_finalized_heads(self)
            .await
            .during(self, "chain_subscribeFinalizedHeads")?;
        Ok(typed(self, "chain_subscribeFinalizedHeads", subscription))
    }

    /// Every block's name changes matching `filter` from `from_height` (default: the next
    /// block), then live: no gap, no duplicate.
    pub async fn domain_changes(
        &self,
        from_height: Option<u64>,
        filter: ChangeFilter,
    ) -> Result<Notifications<DomainChangesJson>> {
        self.domain_changes_after(from_height, None, filter).await
    }

    /// As [`domain_changes`](Self::domain_changes), resuming after block `from_block_hash` (the
    /// last block seen, at `from_height - 1`): if it has left the best chain, the stream first
    /// reverts it (`reverted` notifications) down to the fork point.
    pub async fn domain_changes_after(
        &self,
        from_height: Option<u64>,
        from_block_hash: Option<Hash>,
        filter: ChangeFilter,
    ) -> Result<Notifications<DomainChangesJson>> {
        let subscription =
            DomainApiClient::subscribe_changes(self, from_height, Some(filter), from_block_hash)
                .await
                .during(self, "domain_subscribeChanges")?;
        Ok(typed(self, "domain_subscribeChanges", subscription))
    }
}

/// Keeps a stream's type nameable for callers that store it.
pub fn boxed<T>(stream: impl Stream<Item = Result<T>> + Send + 'static) -> Notifications<T> {
    stream.boxed()
}
