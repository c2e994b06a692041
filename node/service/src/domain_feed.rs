//! The feed of name changes per block height: replay from any height out of the archive state,
//! then live, with no gap and no duplicate.
//!
//! Each block's domain events are read back from the state at that block (events live in state
//! until the next block, and the state store is an archive), so the history needs no index of
//! its own and replay is the same code as live delivery. The feed walks canonical heights and
//! waits for import (or finality) notifications between them; a slow consumer delays the feed
//! (the channel is bounded) and loses nothing.

use std::sync::Arc;

use ghost_primitives::Hash;
use ghost_runtime::api::{self, DomainChange};
use tokio::sync::mpsc;

use crate::client::{Client, ClientError};

/// The name changes of one block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockChanges {
    /// Height.
    pub height: u64,
    /// Hash.
    pub hash: Hash,
    /// Changes in event order.
    pub changes: Vec<DomainChange>,
}

/// The changes of the canonical block at `height`, if there is one.
pub fn changes_at(client: &Client, height: u64) -> Result<Option<BlockChanges>, ClientError> {
    let Some(hash) = client.hash_by_number(height)? else {
        return Ok(None);
    };
    let Some(header) = client.header(&hash)? else {
        return Ok(None);
    };
    let events = client.events(&header)?;
    Ok(Some(BlockChanges {
        height,
        hash,
        changes: api::domain_changes(&events),
    }))
}

/// Sends the changes of every block from `from` (default: the next block) to `tx`, first from
/// history and then as blocks are imported (or finalized, with `finalized_only`). Blocks without
/// changes are sent too when `include_empty`, so consumers can track the height. Returns when
/// the receiver is dropped or the node shuts down.
pub async fn follow(
    client: Arc<Client>,
    from: Option<u64>,
    finalized_only: bool,
    include_empty: bool,
    tx: mpsc::Sender<BlockChanges>,
) -> Result<(), ClientError> {
    let mut imported = client.subscribe_imported();
    let mut finalized = client.subscribe_finalized();
    let head = |client: &Client| -> Result<u64, ClientError> {
        Ok(if finalized_only {
            client.finalized()?.1.number
        } else {
            client.best()?.1.number
        })
    };
    let mut next = match from {
        Some(height) => height,
        None => head(&client)?.saturating_add(1),
    };
    loop {
        while next <= head(&client)? {
            let Some(block) = changes_at(&client, next)? else {
                break;
            };
            next += 1;
            if (include_empty || !block.changes.is_empty()) && tx.send(block).await.is_err() {
                return Ok(());
            }
        }
        // Wait for the chain to move; a lagged receiver just means "look again".
        let moved = if finalized_only {
            tokio::select! {
                r = finalized.recv() => !matches!(r, Err(tokio::sync::broadcast::error::RecvError::Closed)),
                _ = tx.closed() => return Ok(()),
            }
        } else {
            tokio::select! {
                r = imported.recv() => !matches!(r, Err(tokio::sync::broadcast::error::RecvError::Closed)),
                _ = tx.closed() => return Ok(()),
            }
        };
        if !moved {
            return Ok(());
        }
    }
}
