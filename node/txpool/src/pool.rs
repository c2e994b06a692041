//! [`Pool`]: validation through the [`ChainApi`], replacement, limits, maintenance after each
//! imported block and watcher notifications.
//!
//! Locking: the graph sits behind one `RwLock`. The runtime is never called with it held:
//! `submit` validates first and `maintain` revalidates a snapshot, then each takes the write lock
//! to apply the verdicts to whatever is still there. Watcher notifications are sent while the
//! write lock is held, so each stream sees statuses in the order they happened.

use std::collections::HashMap;
use std::sync::Arc;

use ghost_primitives::{BlockNumber, Hash};
use parking_lot::{Mutex, RwLock};

use crate::ChainApi;
use crate::error::PoolError;
use crate::graph::{Graph, Journal, Queue};
use crate::report::{DropReason, MaintainReport, PoolStatus};
use crate::transaction::{PoolLimits, PoolTransaction};
use crate::watcher::{TxStatus, WatcherReceiver, Watchers};

const LOG_TARGET: &str = "txpool";

struct Inner<X> {
    graph: Graph<X>,
    /// The next `inserted_at`.
    next_insertion: u64,
}

/// The transaction pool: ready and future transactions validated by `A`.
///
/// `Send + Sync`; every method takes `&self`, so share it as `Arc<Pool<A>>`.
pub struct Pool<A: ChainApi> {
    api: Arc<A>,
    limits: PoolLimits,
    inner: RwLock<Inner<A::Extrinsic>>,
    watchers: Watchers,
    /// Serialises [`Pool::maintain`] calls.
    maintenance: Mutex<()>,
}

impl<A: ChainApi> Pool<A> {
    /// An empty pool validating with `api` and holding at most `limits`.
    pub fn new(api: Arc<A>, limits: PoolLimits) -> Self {
        Self {
            api,
            limits,
            inner: RwLock::new(Inner {
                graph: Graph::default(),
                next_insertion: 0,
            }),
            watchers: Watchers::default(),
            maintenance: Mutex::new(()),
        }
    }

    /// The chain API the pool validates with.
    pub fn api(&self) -> &Arc<A> {
        &self.api
    }

    /// The pool's limits.
    pub fn limits(&self) -> &PoolLimits {
        &self.limits
    }

    /// Validates `xt` at block `at` (the best block) and adds it to the pool.
    ///
    /// It goes to the ready queue if every tag it requires is provided by the state or by a
    /// ready transaction, else to the future queue. If pool transactions already provide one of
    /// its tags, it replaces them only with a strictly higher priority (they are usurped). If the
    /// pool then exceeds its limits, the cheapest transactions are evicted (see [`PoolLimits`]).
    ///
    /// # Errors
    /// [`PoolError::TooLarge`] (checked before validation), [`PoolError::AlreadyImported`],
    /// [`PoolError::Invalid`] / [`PoolError::Unknown`] from the runtime,
    /// [`PoolError::TooLowPriority`], and [`PoolError::PoolFull`] when it would itself be the
    /// first to be evicted. On error the pool is unchanged.
    pub fn submit(&self, at: Hash, xt: A::Extrinsic) -> Result<Hash, PoolError> {
        self.import(at, xt, false).map(|(hash, _)| hash)
    }

    /// Like [`Pool::submit`], and subscribes to the transaction's status before anyone else can
    /// change it: the stream starts with `Ready` or `Future`.
    pub fn submit_and_watch(
        &self,
        at: Hash,
        xt: A::Extrinsic,
    ) -> Result<(Hash, WatcherReceiver), PoolError> {
        let (hash, receiver) = self.import(at, xt, true)?;
        // `import` subscribes whenever asked to; the fallback only keeps this panic-free.
        let receiver = receiver.unwrap_or_else(|| self.watch(&hash));
        Ok((hash, receiver))
    }

    fn import(
        &self,
        at: Hash,
        xt: A::Extrinsic,
        watch: bool,
    ) -> Result<(Hash, Option<WatcherReceiver>), PoolError> {
        let (hash, len) = self.api.hash_and_length(&xt);
        if len > self.limits.max_tx_bytes {
            return Err(PoolError::TooLarge {
                len,
                max: self.limits.max_tx_bytes,
            });
        }
        if self.contains(&hash) {
            return Err(PoolError::AlreadyImported(hash));
        }
        let valid = self.api.validate(at, &xt).map_err(|e| {
            tracing::debug!(target: LOG_TARGET, %hash, error = %e, "rejected by the runtime");
            PoolError::from(e)
        })?;

        let mut inner = self.inner.write();
        if inner.graph.contains(&hash) {
            return Err(PoolError::AlreadyImported(hash));
        }
        let tx = PoolTransaction::new(xt, hash, len, valid, inner.next_insertion);
        let replaced = inner.graph.providers_of(&tx.provides);
        if let Some(old) = replaced.iter().map(|r| r.priority).max()
            && old >= tx.priority
        {
            return Err(PoolError::TooLowPriority {
                old,
                new: tx.priority,
            });
        }
        inner.next_insertion += 1;

        let mut journal = Journal::default();
        let mut removed = Vec::new();
        for old in &replaced {
            inner.graph.remove(&old.hash, &mut journal);
            removed.push((old.hash, TxStatus::Usurped(hash)));
        }
        inner.graph.insert(Arc::new(tx), &mut journal);

        let victims = inner.graph.plan_eviction(&self.limits);
        if victims.contains(&hash) {
            // Undo: the pool goes back to how it was, so there is nothing to tell watchers.
            inner.graph.remove(&hash, &mut journal);
            for old in replaced {
                inner.graph.insert(old, &mut journal);
            }
            self.dispatch(&inner.graph, &journal, Vec::new());
            tracing::debug!(target: LOG_TARGET, %hash, "pool full");
            return Err(PoolError::PoolFull);
        }
        for victim in victims {
            inner.graph.remove(&victim, &mut journal);
            removed.push((victim, TxStatus::Dropped));
            tracing::debug!(target: LOG_TARGET, %victim, "evicted");
        }

        let receiver = watch.then(|| self.watchers.subscribe(hash, None));
        self.dispatch(&inner.graph, &journal, removed);
        tracing::trace!(
            target: LOG_TARGET,
            %hash,
            queue = ?inner.graph.queue(&hash),
            "imported",
        );
        Ok((hash, receiver))
    }

    /// Ready transactions in the order a block author should include them: each after the
    /// transactions providing its requirements, and among those available the highest priority
    /// first (ties: the earlier submitted first).
    pub fn ready(&self) -> Vec<Arc<PoolTransaction<A::Extrinsic>>> {
        self.inner.read().graph.ready_order()
    }

    /// Future transactions (waiting for a requirement), in submission order.
    pub fn future(&self) -> Vec<Arc<PoolTransaction<A::Extrinsic>>> {
        self.inner.read().graph.futures()
    }

    /// Every transaction the pool holds (ready and future) that `select` accepts, read under
    /// one lock, so a transaction moving from future to ready is seen exactly once.
    pub fn pending_where(
        &self,
        mut select: impl FnMut(&PoolTransaction<A::Extrinsic>) -> bool,
    ) -> Vec<Arc<PoolTransaction<A::Extrinsic>>> {
        let inner = self.inner.read();
        let mut selected: Vec<_> = inner.graph.ready_order();
        selected.extend(inner.graph.futures());
        selected.retain(|tx| select(tx));
        selected
    }

    /// How many transactions and bytes the pool holds.
    pub fn status(&self) -> PoolStatus {
        status_of(&self.inner.read().graph)
    }

    /// Whether the pool holds the transaction.
    pub fn contains(&self, hash: &Hash) -> bool {
        self.inner.read().graph.contains(hash)
    }

    /// The transaction, if the pool holds it.
    pub fn get(&self, hash: &Hash) -> Option<Arc<PoolTransaction<A::Extrinsic>>> {
        self.inner.read().graph.get(hash)
    }

    /// Removes transactions found invalid (for example when a block author failed to apply
    /// them) and returns those that were in the pool. Their watchers see `Invalid`; ready
    /// transactions that depended on them move back to future.
    pub fn remove_invalid(&self, hashes: &[Hash]) -> Vec<Arc<PoolTransaction<A::Extrinsic>>> {
        let mut inner = self.inner.write();
        let mut journal = Journal::default();
        let mut removed_status = Vec::new();
        let mut removed = Vec::new();
        for hash in hashes {
            if let Some(tx) = inner.graph.remove(hash, &mut journal) {
                removed_status.push((*hash, TxStatus::Invalid));
                removed.push(tx);
            }
        }
        for victim in inner.graph.plan_eviction(&self.limits) {
            inner.graph.remove(&victim, &mut journal);
            removed_status.push((victim, TxStatus::Dropped));
        }
        self.dispatch(&inner.graph, &journal, removed_status);
        removed
    }

    /// Updates the pool after block `number` (hash `at`, the new best block) was imported.
    ///
    /// 1. Removes the `included` transactions; the tags they provided count as provided by the
    ///    state, so transactions waiting on them become ready.
    /// 2. Revalidates every remaining transaction at `at` (without holding the pool lock): those
    ///    whose `valid_until` is before the next block, or that the runtime rejects, are dropped;
    ///    the others take the runtime's new priority and tags, so futures whose requirements the
    ///    state now provides become ready. Transactions submitted meanwhile are kept as they are.
    /// 3. Enforces the limits again.
    ///
    /// Included transactions get no status from the pool: the node reports them with
    /// [`Pool::notify_in_block`]. Calls are serialised.
    pub fn maintain(&self, at: Hash, number: BlockNumber, included: &[Hash]) -> MaintainReport {
        let _serial = self.maintenance.lock();
        let mut report = MaintainReport::default();
        let mut promoted = Vec::new();

        let snapshot = {
            let mut inner = self.inner.write();
            let mut journal = Journal::default();
            inner.graph.begin_block(&mut journal);
            let included_txs: Vec<_> = included.iter().filter_map(|h| inner.graph.get(h)).collect();
            let tags = included_txs
                .iter()
                .flat_map(|tx| tx.provides.iter().cloned())
                .collect();
            inner.graph.add_pruned(tags, &mut journal);
            for tx in &included_txs {
                inner.graph.remove(&tx.hash, &mut journal);
                report.included.push(tx.hash);
            }
            promoted.extend(self.dispatch(&inner.graph, &journal, Vec::new()));
            inner.graph.all()
        };

        let verdicts: Vec<_> = snapshot
            .into_iter()
            .map(|tx| {
                // `valid_until` is the last block it may be in, and the next block is `number + 1`.
                let verdict = if tx.valid_until <= number {
                    Err(DropReason::Outdated)
                } else {
                    self.api.validate(at, &tx.data).map_err(DropReason::Invalid)
                };
                (tx, verdict)
            })
            .collect();

        let mut inner = self.inner.write();
        let mut journal = Journal::default();
        let mut removed = Vec::new();
        let mut changed = Vec::new();
        for (tx, verdict) in verdicts {
            // Skip what was removed or replaced while we validated.
            if !inner
                .graph
                .get(&tx.hash)
                .is_some_and(|current| Arc::ptr_eq(&current, &tx))
            {
                continue;
            }
            match verdict {
                Err(reason) => {
                    inner.graph.remove(&tx.hash, &mut journal);
                    removed.push((tx.hash, reason));
                }
                Ok(valid) if !tx.same_validity(&valid) => {
                    inner.graph.remove(&tx.hash, &mut journal);
                    changed.push(Arc::new(tx.revalidated(valid)));
                }
                Ok(_) => {}
            }
        }
        // Put back what changed, oldest first; a tag clash is settled by priority.
        changed.sort_by_key(|tx| tx.inserted_at);
        for tx in changed {
            let rivals = inner.graph.providers_of(&tx.provides);
            if let Some(winner) = rivals
                .iter()
                .filter(|r| r.priority >= tx.priority)
                .max_by_key(|r| r.priority)
            {
                removed.push((tx.hash, DropReason::Usurped(winner.hash)));
                continue;
            }
            for rival in rivals {
                inner.graph.remove(&rival.hash, &mut journal);
                removed.push((rival.hash, DropReason::Usurped(tx.hash)));
            }
            inner.graph.insert(tx, &mut journal);
        }
        for victim in inner.graph.plan_eviction(&self.limits) {
            inner.graph.remove(&victim, &mut journal);
            removed.push((victim, DropReason::Evicted));
        }

        let statuses = removed
            .iter()
            .map(|(hash, reason)| (*hash, reason.status()))
            .collect();
        promoted.extend(self.dispatch(&inner.graph, &journal, statuses));
        promoted.retain(|h| inner.graph.queue(h) == Some(Queue::Ready));
        promoted.sort();
        promoted.dedup();
        let status = status_of(&inner.graph);
        drop(inner);
        self.watchers.prune_closed();

        report.promoted = promoted;
        report.dropped = removed;
        tracing::debug!(
            target: LOG_TARGET,
            number,
            %at,
            included = report.included.len(),
            dropped = report.dropped.len(),
            promoted = report.promoted.len(),
            ready = status.ready,
            future = status.future,
            "maintained",
        );
        report
    }

    /// Subscribes to a transaction's status. If the pool holds it, the stream starts with
    /// `Ready` or `Future`; a transaction not (or no longer) in the pool may still get
    /// `InBlock` / `Finalized` from the node.
    pub fn watch(&self, hash: &Hash) -> WatcherReceiver {
        // Hold the read lock so no status change slips between reading and subscribing.
        let inner = self.inner.read();
        let current = inner.graph.queue(hash).map(queue_status);
        self.watchers.subscribe(*hash, current)
    }

    /// Tells watchers of `txs` that block `block` includes them.
    pub fn notify_in_block(&self, block: Hash, txs: &[Hash]) {
        for hash in txs {
            self.watchers.send(hash, TxStatus::InBlock(block));
        }
    }

    /// Tells watchers of `txs` that block `block`, which includes them, is finalized; their
    /// streams end.
    pub fn notify_finalized(&self, block: Hash, txs: &[Hash]) {
        for hash in txs {
            self.watchers.send(hash, TxStatus::Finalized(block));
        }
    }

    /// Number of transactions somebody is watching.
    pub fn watched(&self) -> usize {
        self.watchers.len()
    }

    /// Sends watchers the net effect of an operation: `Ready`/`Future` for transactions that
    /// changed queue (or arrived), the given status for those removed. Returns the transactions
    /// that went from future to ready.
    fn dispatch(
        &self,
        graph: &Graph<A::Extrinsic>,
        journal: &Journal,
        removed: Vec<(Hash, TxStatus)>,
    ) -> Vec<Hash> {
        let mut removed: HashMap<Hash, TxStatus> = removed.into_iter().collect();
        let mut promoted = Vec::new();
        for (hash, before, after) in journal.transitions(graph) {
            match after {
                None => {
                    if let Some(status) = removed.remove(&hash) {
                        self.watchers.send(&hash, status);
                    }
                }
                Some(queue) if before != Some(queue) => {
                    if before == Some(Queue::Future) {
                        promoted.push(hash);
                    }
                    self.watchers.send(&hash, queue_status(queue));
                }
                Some(_) => {}
            }
        }
        // Every removal goes through `Graph::remove`, which journals it, so `removed` has
        // nothing left to send.
        debug_assert!(
            removed.is_empty(),
            "removal statuses for transactions still held"
        );
        promoted
    }

    #[cfg(test)]
    pub(crate) fn check_invariants(&self) {
        self.inner.read().graph.check_invariants();
    }
}

fn status_of<X>(graph: &Graph<X>) -> PoolStatus {
    PoolStatus {
        ready: graph.ready_count(),
        future: graph.future_count(),
        bytes: graph.bytes(),
    }
}

fn queue_status(queue: Queue) -> TxStatus {
    match queue {
        Queue::Ready => TxStatus::Ready,
        Queue::Future => TxStatus::Future,
    }
}
