//! Subscriptions as [`Stream`]s of typed items: new best heads, finalized heads, and the
//! name changes of every block (`domain_subscribeChanges`, gap-free from a height).
//!
//! A stream ends when the node closes the subscription (or the connection drops); an item
//! that does not decode is an error item.
//!
//! The client buffers at most [`ClientBuilder::subscription_buffer`](crate::ClientBuilder)
//! notifications a subscription: jsonrpsee drops one that finds the buffer full, then closes the
//! subscription ("lagged"). A name-change stream survives that: it asks the node for every
//! block (empty ones too, dropped here unless the filter wants them), so a missing height shows,
//! and subscribes again after the last block it delivered. A slow consumer of a long replay
//! still sees every block once.

use futures::stream::BoxStream;
use futures::{Stream, StreamExt};
use ghost_primitives::{Hash, Header};
use ghost_rpc::{ChainApiClient, ChangeFilter, DomainApiClient, DomainChangesJson};
use jsonrpsee::core::client::{Subscription, SubscriptionCloseReason};
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
    ///
    /// If the client's buffer overflows (the consumer is slower than the node), the stream
    /// subscribes again after the last block it delivered; it ends with an error item if
    /// [`MAX_RESUBSCRIPTIONS`] attempts in a row deliver nothing.
    pub async fn domain_changes_after(
        &self,
        from_height: Option<u64>,
        from_block_hash: Option<Hash>,
        filter: ChangeFilter,
    ) -> Result<Notifications<DomainChangesJson>> {
        // Without a height the node starts at its next block: pin that down first, so the
        // first notification's height is known.
        let (next_height, after) = match from_height {
            Some(height) => (height, from_block_hash),
            None => {
                let best = self.fetch_header(None).await?;
                (best.number + 1, Some(best.hash()))
            }
        };
        let deliver_empty = filter.include_empty;
        let filter = ChangeFilter {
            include_empty: true,
            ..filter
        };
        let subscription = self.subscribe_changes(next_height, after, &filter).await?;
        let resume = Resume {
            client: self.clone(),
            filter,
            deliver_empty,
            subscription: Some(subscription),
            next_height,
            after,
            fruitless: 0,
            done: false,
        };
        Ok(futures::stream::unfold(resume, Resume::next).boxed())
    }

    async fn subscribe_changes(
        &self,
        from_height: u64,
        from_block_hash: Option<Hash>,
        filter: &ChangeFilter,
    ) -> Result<Subscription<DomainChangesJson>> {
        let filter = Some(filter.clone());
        DomainApiClient::subscribe_changes(self, Some(from_height), filter, from_block_hash)
            .await
            .during(self, "domain_subscribeChanges")
    }
}

/// Resubscriptions in a row that deliver nothing before a name-change stream gives up.
pub const MAX_RESUBSCRIPTIONS: u32 = 3;

/// A name-change stream's state: the subscription and where to resume it.
struct Resume {
    client: Client,
    /// The caller's filter with `include_empty` set (every block comes, so gaps show).
    filter: ChangeFilter,
    /// Whether the caller wants blocks without (matching) changes.
    deliver_empty: bool,
    subscription: Option<Subscription<DomainChangesJson>>,
    /// The height the next notification is for (after a revert: the reverted block's).
    next_height: u64,
    /// The block the consumer is at (the parent of `next_height`).
    after: Option<Hash>,
    /// Resubscriptions since the last delivered notification.
    fruitless: u32,
    done: bool,
}

impl Resume {
    async fn next(mut self) -> Option<(Result<DomainChangesJson>, Resume)> {
        const METHOD: &str = "domain_subscribeChanges";
        loop {
            if self.done {
                return None;
            }
            let Some(subscription) = self.subscription.as_mut() else {
                match self
                    .client
                    .subscribe_changes(self.next_height, self.after, &self.filter)
                    .await
                {
                    Ok(subscription) => self.subscription = Some(subscription),
                    Err(e) => {
                        self.done = true;
                        return Some((Err(e), self));
                    }
                }
                continue;
            };
            let item = subscription.next().await;
            // Every block comes in order: the next is the block after the one the consumer is
            // at, or a revert of that block. Anything else means notifications were dropped (a
            // full buffer): abandon this subscription and resume after the last delivered.
            let in_order = match &item {
                Some(Ok(next)) if next.reverted => {
                    next.block_height.checked_add(1) == Some(self.next_height)
                }
                Some(Ok(next)) => next.block_height == self.next_height,
                Some(Err(_)) => true,
                None => !matches!(
                    subscription.close_reason(),
                    Some(SubscriptionCloseReason::Lagged)
                ),
            };
            if !in_order {
                self.subscription = None;
                self.fruitless += 1;
                if self.fruitless > MAX_RESUBSCRIPTIONS {
                    self.done = true;
                    let error = self.client.bad_answer(
                        METHOD,
                        format!(
                            "the subscription fell behind {MAX_RESUBSCRIPTIONS} times in a row without delivering a block (resume at height {})",
                            self.next_height
                        ),
                    );
                    return Some((Err(error), self));
                }
                continue;
            }
            match item {
                Some(Ok(item)) => {
                    self.fruitless = 0;
                    if item.reverted {
                        self.next_height = item.block_height;
                        self.after = item.parent_hash;
                    } else {
                        self.next_height = item.block_height + 1;
                        self.after = Some(item.block_hash);
                    }
                    if item.changes.is_empty() && !self.deliver_empty {
                        continue;
                    }
                    return Some((Ok(item), self));
                }
                Some(Err(e)) => {
                    let error = self.client.bad_answer(METHOD, e.to_string());
                    return Some((Err(error), self));
                }
                // Closed for another reason than lagging (connection, node shutdown).
                None => return None,
            }
        }
    }
}

/// Keeps a stream's type nameable for callers that store it.
pub fn boxed<T>(stream: impl Stream<Item = Result<T>> + Send + 'static) -> Notifications<T> {
    stream.boxed()
}
