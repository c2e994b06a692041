//! The name change log: written at import, read by every feed of name changes.
//!
//! # Writing
//! [`change_log`] runs inside block import, after execution and before the commit: it takes the
//! block's domain events (in event order, each with its index) and, for every name they touch,
//! its resolution at the parent block and at the block itself (read through the block's new
//! trie nodes, which are not committed yet). The log goes into the block's own batch
//! ([`ghost_storage::BlockCommit::domain_changes`]), so it exists exactly when the block does.
//!
//! # Reading
//! [`follow`] serves `domain_subscribeChanges`, GhostBridge's index and its gRPC stream from the
//! stored logs alone: no block is re-executed and no archived state is read. It keeps the last
//! block it sent (height and hash) and, before sending the next, checks that this block is still
//! on the best chain; if not, it walks back to the fork point and sends each retracted block's
//! log as a *revert* (highest first): change type `reverted`, carrying each name's state at the
//! fork point (the `before` of the lowest retracted block that touched it), then the blocks of
//! the new best chain. A follower that resumes after a block it saw (`from_block_hash`) is
//! rewound the same way. Logs outlive the pruning of their fork, so this works also after
//! finality removed the orphaned blocks themselves. The finalized feed never reverts:
//! finalized blocks never leave the chain, and a resume after a block that is not
//! finalized-canonical is refused.
//!
//! A warp-synced node has no blocks, and so no logs, below its warp base: a feed that reaches
//! such a height fails with [`FeedError::BelowWarpBase`] (GhostBridge's index then reloads
//! its names at the head and follows from there); replay from height 0 needs a node synced in
//! full.
//!
//! Replay and live delivery are the same loop; it waits for import (or finality) notifications
//! between blocks, so a lagging notification channel only means "look again". A slow consumer
//! delays the feed (the channel is bounded) and loses nothing.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use ghost_primitives::{DomainName, Hash, Header};
use ghost_rpc::{DomainChangeJson, DomainChangesJson, ResolutionJson};
use ghost_runtime::EventRecord;
use ghost_runtime::api;
use ghost_runtime::domains::{ChangeType, NameStatus, Resolution};
use ghost_storage::{
    ChangeKind, DomainChangeLog, LoggedChange, LoggedStatus, NameState, TouchedName,
};
use ghost_trie::{NodeStore, TrieHash};
use tokio::sync::{broadcast, mpsc};

use crate::client::{Client, ClientError};

/// Why a feed of name changes cannot start or go on.
#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    /// The chain could not be read.
    #[error(transparent)]
    Client(#[from] ClientError),
    /// `from_block_hash` names no block this node has a change log of.
    #[error("block {0} is not known: resubscribe by height, or reload")]
    UnknownBlock(Hash),
    /// `from_block_hash` is not at `from_height - 1`.
    #[error("block {hash} is at height {number}, not {expected} (from_height - 1)")]
    HeightMismatch {
        /// The block.
        hash: Hash,
        /// Its height.
        number: u64,
        /// `from_height - 1`.
        expected: u64,
    },
    /// A resume after a block at height 0 has nothing before it.
    #[error("from_block_hash needs from_height >= 1 (it names the block at from_height - 1)")]
    NoParentHeight,
    /// The finalized feed was asked to resume after a block that is not finalized there.
    #[error("block {0} is not on the finalized chain: the finalized stream never reverts")]
    NotFinalized(Hash),
    /// A stored block has no change log (a database written before the log existed).
    #[error("block {0} has no name change log")]
    MissingLog(Hash),
    /// The height lies below the warp sync base of this node, which never had those blocks.
    #[error(
        "height {height} lies below this node's warp sync base #{base}: it has no name changes \
         before it; resubscribe from #{base} or later (or ask a node synced in full)"
    )]
    BelowWarpBase {
        /// The height asked for.
        height: u64,
        /// The warp base.
        base: u64,
    },
}

impl FeedError {
    /// Whether the caller's resume point is at fault (as opposed to the node).
    pub fn is_invalid_request(&self) -> bool {
        !matches!(self, FeedError::Client(_) | FeedError::MissingLog(_))
    }
}

/// The node's store plus the trie nodes of a block that is not committed yet.
struct PendingState<'a> {
    committed: &'a dyn NodeStore,
    new_nodes: HashMap<&'a [u8; 32], &'a [u8]>,
}

impl NodeStore for PendingState<'_> {
    fn get_node(&self, hash: &TrieHash) -> Option<Vec<u8>> {
        match self.new_nodes.get(hash) {
            Some(node) => Some(node.to_vec()),
            None => self.committed.get_node(hash),
        }
    }
}

fn change_kind(change: ChangeType) -> ChangeKind {
    match change {
        ChangeType::Created => ChangeKind::Created,
        ChangeType::Updated => ChangeKind::Updated,
        ChangeType::Transferred => ChangeKind::Transferred,
        ChangeType::Expired => ChangeKind::Expired,
    }
}

fn name_state(r: Resolution) -> NameState {
    NameState {
        owner: r.owner,
        records: r.records,
        web3: r.web3,
        expires_at: r.expires_at,
        created_at: r.created_at,
        status: match r.status {
            NameStatus::Active => LoggedStatus::Active,
            NameStatus::Grace => LoggedStatus::Grace,
            NameStatus::Available => LoggedStatus::Available,
        },
        parent: r.parent,
        update_key: r.update_key,
        update_sequence: r.update_sequence,
    }
}

/// The name change log of a block about to be committed: `header` on `parent`, whose execution
/// created `new_nodes` (not stored yet) and deposited `events`.
///
/// Each name is resolved twice, at the parent's and at the block's state, with the status at
/// each block's own time.
pub fn change_log(
    store: &dyn NodeStore,
    parent: &Header,
    header: &Header,
    new_nodes: &[([u8; 32], Vec<u8>)],
    events: &[EventRecord],
) -> Result<DomainChangeLog, ClientError> {
    let changes: Vec<LoggedChange> = api::domain_changes(events)
        .into_iter()
        .map(|c| LoggedChange {
            name: c.domain,
            kind: change_kind(c.change_type),
            new_owner: c.new_owner,
            new_records: c.new_records,
            extrinsic_index: c.extrinsic_index,
        })
        .collect();
    if changes.is_empty() {
        return Ok(DomainChangeLog::empty(header.number, header.parent_hash));
    }
    let pending = PendingState {
        committed: store,
        new_nodes: new_nodes
            .iter()
            .map(|(hash, node)| (hash, node.as_slice()))
            .collect(),
    };
    let mut touched: Vec<&DomainName> = changes.iter().map(|c| &c.name).collect();
    touched.sort();
    touched.dedup();
    let mut names = Vec::with_capacity(touched.len());
    for name in touched {
        names.push(TouchedName {
            name: name.clone(),
            before: api::resolve(store, parent, name, None)?.map(name_state),
            after: api::resolve(&pending, header, name, None)?.map(name_state),
        });
    }
    Ok(DomainChangeLog {
        number: header.number,
        parent: header.parent_hash,
        changes,
        names,
    })
}

fn status_text(status: LoggedStatus) -> &'static str {
    match status {
        LoggedStatus::Active => "active",
        LoggedStatus::Grace => "grace",
        LoggedStatus::Available => "available",
    }
}

/// The JSON resolution of `name` in state `state`.
pub fn state_json(name: &DomainName, state: &NameState) -> ResolutionJson {
    ResolutionJson {
        name: name.clone(),
        namehash: name.namehash(),
        owner: state.owner,
        records: state.records.clone(),
        web3: state.web3.clone(),
        expires_at: state.expires_at,
        created_at: state.created_at,
        status: status_text(state.status).into(),
        parent: state.parent.clone(),
        update_key: state.update_key,
        update_sequence: state.update_sequence,
    }
}

/// The notification of block `hash` at `height` (child of `parent`) from its log.
pub fn block_json(
    height: u64,
    hash: Hash,
    parent: Option<Hash>,
    log: &DomainChangeLog,
) -> DomainChangesJson {
    let changes = log
        .changes
        .iter()
        .enumerate()
        .map(|(index, c)| DomainChangeJson {
            domain: c.name.clone(),
            change_type: c.kind.as_str().into(),
            new_owner: c.new_owner,
            new_records: c.new_records.clone(),
            extrinsic_index: c.extrinsic_index,
            index: u32::try_from(index).unwrap_or(u32::MAX),
            state: log
                .touched(&c.name)
                .and_then(|t| t.after.as_ref())
                .map(|s| state_json(&c.name, s)),
        })
        .collect();
    DomainChangesJson {
        block_height: height,
        block_hash: hash,
        changes,
        reverted: false,
        parent_hash: parent,
    }
}

/// A stored block's log (shared with every other reader, see
/// [`ghost_storage::Database::domain_changes`]); the genesis block has none and changed nothing.
fn stored_log(client: &Client, hash: Hash, height: u64) -> Result<Arc<DomainChangeLog>, FeedError> {
    match client
        .db()
        .domain_changes(&hash)
        .map_err(ClientError::from)?
    {
        Some(log) => Ok(log),
        None if height == 0 => Ok(Arc::new(DomainChangeLog::empty(0, Hash::ZERO))),
        None => Err(FeedError::MissingLog(hash)),
    }
}

/// How many blocks' notifications the followers share (see [`shared_block_json`]).
pub(crate) const SHARED_BLOCKS: usize = 16;

/// The notification of block `hash` at `height` (child of `parent`), built once for every
/// follower: the client keeps the last [`SHARED_BLOCKS`] by hash. A block's notification
/// depends on its log and header only, which never change, so an entry is never stale.
/// Reverts are not shared: their states depend on the fork point each follower walks back to.
fn shared_block_json(
    client: &Client,
    height: u64,
    hash: Hash,
    parent: Option<Hash>,
) -> Result<Arc<DomainChangesJson>, FeedError> {
    client.feed_blocks().get_or_try_insert(hash, || {
        let log = stored_log(client, hash, height)?;
        Ok(Arc::new(block_json(height, hash, parent, &log)))
    })
}

/// The notification of the canonical block at `height`, if there is one.
pub fn changes_at(client: &Client, height: u64) -> Result<Option<DomainChangesJson>, FeedError> {
    let Some(hash) = client.hash_by_number(height)? else {
        return Ok(None);
    };
    let Some(header) = client.header(&hash)? else {
        return Ok(None);
    };
    let log = stored_log(client, hash, height)?;
    let parent = (height > 0).then_some(header.parent_hash);
    Ok(Some(block_json(height, hash, parent, &log)))
}

/// The revert notifications that take a follower at block `hash` (height `number`, no longer
/// canonical) back to the fork point, highest first, and the fork point.
fn reverts_from(
    client: &Client,
    number: u64,
    hash: Hash,
) -> Result<(Vec<DomainChangesJson>, (u64, Hash)), FeedError> {
    // Walk the logs, not the headers: a retracted block may be pruned already, its log stays.
    let mut retracted = Vec::new();
    let (mut height, mut current) = (number, hash);
    while client.hash_by_number(height)? != Some(current) {
        let log = client
            .db()
            .domain_changes(&current)
            .map_err(ClientError::from)?
            .ok_or(FeedError::UnknownBlock(current))?;
        let parent = log.parent;
        retracted.push((height, current, parent, log));
        // Height 0 is always canonical (one genesis), so this does not underflow.
        height = height.saturating_sub(1);
        current = parent;
    }
    // A name's state at the fork point is its state before the lowest retracted block that
    // touched it.
    let mut at_fork: BTreeMap<&DomainName, Option<&NameState>> = BTreeMap::new();
    for (_, _, _, log) in retracted.iter().rev() {
        for touched in &log.names {
            at_fork
                .entry(&touched.name)
                .or_insert(touched.before.as_ref());
        }
    }
    let reverts = retracted
        .iter()
        .map(|(height, hash, parent, log)| {
            let changes = log
                .names
                .iter()
                .enumerate()
                .map(|(index, touched)| {
                    let state = at_fork.get(&touched.name).copied().flatten();
                    DomainChangeJson {
                        domain: touched.name.clone(),
                        change_type: DomainChangeJson::REVERTED.into(),
                        new_owner: state.map(|s| s.owner),
                        new_records: state.map(|s| s.records.clone()),
                        extrinsic_index: None,
                        index: u32::try_from(index).unwrap_or(u32::MAX),
                        state: state.map(|s| state_json(&touched.name, s)),
                    }
                })
                .collect();
            DomainChangesJson {
                block_height: *height,
                block_hash: *hash,
                changes,
                reverted: true,
                parent_hash: Some(*parent),
            }
        })
        .collect();
    Ok((reverts, (height, current)))
}

/// Where a follower starts: the next height, and the block before it that the follower already
/// has (checked against the best chain before anything is sent).
fn start_point(
    client: &Client,
    from: Option<u64>,
    after: Option<Hash>,
    finalized_only: bool,
) -> Result<(u64, Option<Hash>), FeedError> {
    // A block of a pruned fork is known by its log.
    let known_number = |hash: Hash| -> Result<u64, FeedError> {
        let db = client.db();
        if let Some(number) = db.number_of(&hash).map_err(ClientError::from)? {
            return Ok(number);
        }
        db.domain_changes(&hash)
            .map_err(ClientError::from)?
            .map(|log| log.number)
            .ok_or(FeedError::UnknownBlock(hash))
    };
    let start = match (from, after) {
        (None, None) => {
            let (hash, header) = if finalized_only {
                client.finalized()?
            } else {
                client.best()?
            };
            (header.number.saturating_add(1), Some(hash))
        }
        (None, Some(hash)) => (known_number(hash)?.saturating_add(1), Some(hash)),
        (Some(0), Some(_)) => return Err(FeedError::NoParentHeight),
        (Some(height), Some(hash)) => {
            let number = known_number(hash)?;
            if number.checked_add(1) != Some(height) {
                return Err(FeedError::HeightMismatch {
                    hash,
                    number,
                    expected: height - 1,
                });
            }
            (height, Some(hash))
        }
        (Some(height), None) => (height, None),
    };
    if finalized_only && let (next, Some(hash)) = start {
        let finalized = client.finalized()?.1.number;
        let below = next - 1;
        if below > finalized || client.hash_by_number(below)? != Some(hash) {
            return Err(FeedError::NotFinalized(hash));
        }
    }
    Ok(start)
}

/// Checks a follower's resume point without starting a feed (for a subscription to refuse a
/// bad one before it is accepted).
pub fn check_start(
    client: &Client,
    from: Option<u64>,
    after: Option<Hash>,
    finalized_only: bool,
) -> Result<(), FeedError> {
    start_point(client, from, after, finalized_only).map(|_| ())
}

/// Sends every block's notification from `from` (default: the block after the head) to `tx`,
/// first from the stored logs and then as blocks are imported (or finalized, with
/// `finalized_only`). `after` is the block at `from - 1` the follower already has; if it (or a
/// block sent later) leaves the best chain, revert notifications come first (see the module
/// docs). Blocks without changes are sent too when `include_empty`, so consumers can track the
/// height. Returns when the receiver is dropped or the node shuts down.
///
/// A block's notification is shared by every follower that sends it (one `Arc`).
pub async fn follow(
    client: Arc<Client>,
    from: Option<u64>,
    after: Option<Hash>,
    finalized_only: bool,
    include_empty: bool,
    tx: mpsc::Sender<Arc<DomainChangesJson>>,
) -> Result<(), FeedError> {
    follow_into(
        client,
        from,
        after,
        finalized_only,
        include_empty,
        tx,
        |block| block,
    )
    .await
}

/// [`follow`], sending each notification as `wrap` makes it (so a consumer with its own item
/// type needs no task that only re-wraps).
pub async fn follow_into<T: Send>(
    client: Arc<Client>,
    from: Option<u64>,
    after: Option<Hash>,
    finalized_only: bool,
    include_empty: bool,
    tx: mpsc::Sender<T>,
    wrap: impl Fn(Arc<DomainChangesJson>) -> T + Send,
) -> Result<(), FeedError> {
    let mut imported = client.subscribe_imported();
    let mut finalized = client.subscribe_finalized();
    let (mut next, mut last) = start_point(&client, from, after, finalized_only)?;
    let wanted = |block: &DomainChangesJson| include_empty || !block.changes.is_empty();
    loop {
        // The block the follower has left the best chain: take it back to the fork point.
        if let Some(hash) = last
            && let Some(below) = next.checked_sub(1)
            && client.hash_by_number(below)? != Some(hash)
        {
            if finalized_only {
                return Err(FeedError::NotFinalized(hash));
            }
            let (reverts, (fork_number, fork_hash)) = reverts_from(&client, below, hash)?;
            for block in reverts {
                if wanted(&block) && tx.send(wrap(Arc::new(block))).await.is_err() {
                    return Ok(());
                }
            }
            next = fork_number.saturating_add(1);
            last = Some(fork_hash);
            continue;
        }
        let head = if finalized_only {
            client.finalized()?.1.number
        } else {
            client.best()?.1.number
        };
        if next <= head
            && let Some(hash) = client.hash_by_number(next)?
            && let Some(header) = client.header(&hash)?
        {
            // A reorg between the reads: look again (the check above rewinds).
            if last.is_some_and(|last| last != header.parent_hash) {
                continue;
            }
            let parent = (next > 0).then_some(header.parent_hash);
            let block = shared_block_json(&client, next, hash, parent)?;
            next += 1;
            last = Some(hash);
            if wanted(&block) && tx.send(wrap(block)).await.is_err() {
                return Ok(());
            }
            continue;
        }
        // A warped node never gets the blocks below its base.
        if let Some((_, base)) = client.db().warp_base().map_err(ClientError::from)?
            && next > 0
            && next < base
        {
            return Err(FeedError::BelowWarpBase { height: next, base });
        }
        // Wait for the chain to move; a lagged receiver just means "look again".
        let moved = if finalized_only {
            tokio::select! {
                r = finalized.recv() => !matches!(r, Err(broadcast::error::RecvError::Closed)),
                _ = tx.closed() => return Ok(()),
            }
        } else {
            // Finality can move the best chain too (a justification for a block off it).
            tokio::select! {
                r = imported.recv() => !matches!(r, Err(broadcast::error::RecvError::Closed)),
                r = finalized.recv() => !matches!(r, Err(broadcast::error::RecvError::Closed)),
                _ = tx.closed() => return Ok(()),
            }
        };
        if !moved {
            return Ok(());
        }
    }
}
