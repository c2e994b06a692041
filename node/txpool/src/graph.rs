//! The pool's transactions as a graph of tags: which are ready, which wait, in what order a block
//! author should take them and which to evict first.
//!
//! Invariants (checked by [`Graph::check_invariants`] in tests):
//! - every tag is provided by at most one pool transaction (`provided`);
//! - a transaction is ready exactly when each of its `requires` tags was recently pruned (provided
//!   by a block the pool saw imported) or is provided by a ready transaction; everything else is
//!   future;
//! - `ready_count` and `bytes` match the transactions held.
//!
//! Readiness is the least fixed point of that rule, so transactions that require each other in a
//! cycle stay future, and the "provided by" relation among ready transactions has no cycle.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet, VecDeque};
use std::sync::Arc;

use ghost_primitives::{Hash, TransactionTag};

use crate::transaction::{PoolLimits, PoolTransaction};

/// How many imported blocks' tags count as provided by the state, for transactions validated
/// against an older best block than the one the pool was last maintained at.
const RECENTLY_PRUNED_BLOCKS: usize = 2;

/// Which queue a transaction is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Queue {
    /// All requirements met; a block author may include it.
    Ready,
    /// Waiting for a requirement.
    Future,
}

/// Where each transaction an operation touched was before it; diffed against the graph after the
/// operation to tell watchers only about net changes.
#[derive(Default)]
pub(crate) struct Journal {
    before: Vec<(Hash, Option<Queue>)>,
    seen: HashSet<Hash>,
}

impl Journal {
    fn touch(&mut self, hash: Hash, before: Option<Queue>) {
        if self.seen.insert(hash) {
            self.before.push((hash, before));
        }
    }

    /// Each touched transaction with its queue before and after, in the order first touched.
    pub(crate) fn transitions<X>(
        &self,
        graph: &Graph<X>,
    ) -> Vec<(Hash, Option<Queue>, Option<Queue>)> {
        self.before
            .iter()
            .map(|(hash, before)| (*hash, *before, graph.queue(hash)))
            .collect()
    }
}

struct Entry<X> {
    tx: Arc<PoolTransaction<X>>,
    queue: Queue,
}

/// Ready and future transactions, linked by tags.
pub(crate) struct Graph<X> {
    txs: HashMap<Hash, Entry<X>>,
    /// Tag -> the pool transaction providing it.
    provided: HashMap<TransactionTag, Hash>,
    /// Tag -> pool transactions requiring it.
    waiting: HashMap<TransactionTag, HashSet<Hash>>,
    /// Tags provided by the last few imported blocks (newest last).
    pruned: VecDeque<HashSet<TransactionTag>>,
    ready_count: usize,
    bytes: usize,
}

impl<X> Default for Graph<X> {
    fn default() -> Self {
        Self {
            txs: HashMap::new(),
            provided: HashMap::new(),
            waiting: HashMap::new(),
            pruned: VecDeque::new(),
            ready_count: 0,
            bytes: 0,
        }
    }
}

impl<X> Graph<X> {
    /// Whether the transaction is held.
    pub(crate) fn contains(&self, hash: &Hash) -> bool {
        self.txs.contains_key(hash)
    }

    /// The transaction, if held.
    pub(crate) fn get(&self, hash: &Hash) -> Option<Arc<PoolTransaction<X>>> {
        self.txs.get(hash).map(|e| e.tx.clone())
    }

    /// The queue the transaction is in, if held.
    pub(crate) fn queue(&self, hash: &Hash) -> Option<Queue> {
        self.txs.get(hash).map(|e| e.queue)
    }

    /// Number of ready transactions.
    pub(crate) fn ready_count(&self) -> usize {
        self.ready_count
    }

    /// Number of future transactions.
    pub(crate) fn future_count(&self) -> usize {
        self.txs.len() - self.ready_count
    }

    /// Bytes over all transactions.
    pub(crate) fn bytes(&self) -> usize {
        self.bytes
    }

    /// Every transaction, in insertion order.
    pub(crate) fn all(&self) -> Vec<Arc<PoolTransaction<X>>> {
        let mut all: Vec<_> = self.txs.values().map(|e| e.tx.clone()).collect();
        all.sort_by_key(|tx| tx.inserted_at);
        all
    }

    /// Future transactions, in insertion order.
    pub(crate) fn futures(&self) -> Vec<Arc<PoolTransaction<X>>> {
        let mut futures: Vec<_> = self
            .txs
            .values()
            .filter(|e| e.queue == Queue::Future)
            .map(|e| e.tx.clone())
            .collect();
        futures.sort_by_key(|tx| tx.inserted_at);
        futures
    }

    /// The transactions that provide any of `tags` (each once).
    pub(crate) fn providers_of(&self, tags: &[TransactionTag]) -> Vec<Arc<PoolTransaction<X>>> {
        let mut hashes: Vec<Hash> = tags
            .iter()
            .filter_map(|t| self.provided.get(t))
            .copied()
            .collect();
        hashes.sort();
        hashes.dedup();
        hashes.iter().filter_map(|h| self.get(h)).collect()
    }

    fn is_pruned(&self, tag: &TransactionTag) -> bool {
        self.pruned.iter().any(|set| set.contains(tag))
    }

    fn tag_available(&self, tag: &TransactionTag) -> bool {
        self.is_pruned(tag)
            || self
                .provided
                .get(tag)
                .and_then(|h| self.txs.get(h))
                .is_some_and(|e| e.queue == Queue::Ready)
    }

    fn requirements_met(&self, tx: &PoolTransaction<X>) -> bool {
        tx.requires.iter().all(|t| self.tag_available(t))
    }

    /// Adds a transaction; it is ready if its requirements are met, and then every future
    /// transaction it unlocks becomes ready too.
    ///
    /// The caller has made sure that no held transaction has its hash or provides one of its
    /// tags (by refusing it or removing them).
    pub(crate) fn insert(&mut self, tx: Arc<PoolTransaction<X>>, journal: &mut Journal) {
        debug_assert!(
            !self.txs.contains_key(&tx.hash),
            "caller checks for duplicates"
        );
        journal.touch(tx.hash, None);
        for tag in &tx.provides {
            let previous = self.provided.insert(tag.clone(), tx.hash);
            debug_assert!(
                previous.is_none_or(|p| p == tx.hash),
                "caller removes conflicting providers"
            );
        }
        for tag in &tx.requires {
            self.waiting.entry(tag.clone()).or_default().insert(tx.hash);
        }
        self.bytes = self.bytes.saturating_add(tx.len);
        let hash = tx.hash;
        let met = self.requirements_met(&tx);
        self.txs.insert(
            hash,
            Entry {
                tx,
                queue: Queue::Future,
            },
        );
        if met {
            self.promote_from(vec![hash], journal);
        }
    }

    /// Makes the given future transactions ready (their requirements are met) and, transitively,
    /// every future transaction waiting only on what they provide.
    fn promote_from(&mut self, mut stack: Vec<Hash>, journal: &mut Journal) {
        while let Some(hash) = stack.pop() {
            let Some(entry) = self.txs.get_mut(&hash) else {
                continue;
            };
            if entry.queue == Queue::Ready {
                continue;
            }
            journal.touch(hash, Some(Queue::Future));
            entry.queue = Queue::Ready;
            self.ready_count += 1;
            let tx = entry.tx.clone();
            stack.extend(self.unlocked_by(&tx.provides));
        }
    }

    /// Future transactions waiting on one of `tags` whose requirements are all met now.
    fn unlocked_by(&self, tags: &[TransactionTag]) -> Vec<Hash> {
        let mut unlocked = Vec::new();
        for tag in tags {
            for hash in self.waiting.get(tag).into_iter().flatten() {
                if let Some(entry) = self.txs.get(hash)
                    && entry.queue == Queue::Future
                    && self.requirements_met(&entry.tx)
                {
                    unlocked.push(*hash);
                }
            }
        }
        unlocked
    }

    /// Removes a transaction. Ready transactions that needed a tag only it provided move back to
    /// future, transitively.
    pub(crate) fn remove(
        &mut self,
        hash: &Hash,
        journal: &mut Journal,
    ) -> Option<Arc<PoolTransaction<X>>> {
        let entry = self.txs.remove(hash)?;
        journal.touch(*hash, Some(entry.queue));
        let tx = entry.tx;
        for tag in &tx.provides {
            if self.provided.get(tag) == Some(hash) {
                self.provided.remove(tag);
            }
        }
        for tag in &tx.requires {
            if let Some(set) = self.waiting.get_mut(tag) {
                set.remove(hash);
                if set.is_empty() {
                    self.waiting.remove(tag);
                }
            }
        }
        self.bytes = self.bytes.saturating_sub(tx.len);
        if entry.queue == Queue::Ready {
            self.ready_count -= 1;
            self.demote_dependants(tx.provides.clone(), journal);
        }
        Some(tx)
    }

    /// Moves ready transactions that require one of `tags` and no longer have it back to future,
    /// transitively.
    fn demote_dependants(&mut self, mut tags: Vec<TransactionTag>, journal: &mut Journal) {
        while let Some(tag) = tags.pop() {
            let dependants: Vec<Hash> = self
                .waiting
                .get(&tag)
                .into_iter()
                .flatten()
                .copied()
                .collect();
            for hash in dependants {
                let Some(entry) = self.txs.get(&hash) else {
                    continue;
                };
                if entry.queue != Queue::Ready || self.requirements_met(&entry.tx) {
                    continue;
                }
                let tx = entry.tx.clone();
                journal.touch(hash, Some(Queue::Ready));
                if let Some(entry) = self.txs.get_mut(&hash) {
                    entry.queue = Queue::Future;
                }
                self.ready_count -= 1;
                tags.extend(tx.provides.iter().cloned());
            }
        }
    }

    /// Starts a new imported block's set of pruned tags, forgetting the oldest block's (ready
    /// transactions that relied on those move back to future; revalidation normally has given
    /// them state-satisfied requirements by then).
    pub(crate) fn begin_block(&mut self, journal: &mut Journal) {
        self.pruned.push_back(HashSet::new());
        let mut forgotten = Vec::new();
        while self.pruned.len() > RECENTLY_PRUNED_BLOCKS {
            forgotten.extend(self.pruned.pop_front().into_iter().flatten());
        }
        forgotten.retain(|t| !self.is_pruned(t));
        self.demote_dependants(forgotten, journal);
    }

    /// Records tags the newest imported block provides (from the pool transactions it included)
    /// and promotes the future transactions that were waiting only on them.
    pub(crate) fn add_pruned(&mut self, tags: Vec<TransactionTag>, journal: &mut Journal) {
        if self.pruned.is_empty() {
            self.pruned.push_back(HashSet::new());
        }
        if let Some(newest) = self.pruned.back_mut() {
            newest.extend(tags.iter().cloned());
        }
        let unlocked = self.unlocked_by(&tags);
        self.promote_from(unlocked, journal);
    }

    /// The distinct ready transactions that provide a non-pruned requirement of `tx`: those a
    /// block must include before it.
    fn ready_providers(&self, tx: &PoolTransaction<X>) -> Vec<Hash> {
        let mut providers: Vec<Hash> = tx
            .requires
            .iter()
            .filter(|t| !self.is_pruned(t))
            .filter_map(|t| self.provided.get(t))
            .filter(|h| **h != tx.hash && self.queue(h) == Some(Queue::Ready))
            .copied()
            .collect();
        providers.sort();
        providers.dedup();
        providers
    }

    /// For every ready transaction: how many ready providers it waits for, and which ready
    /// transactions wait for it.
    fn ready_dependencies(&self) -> (HashMap<Hash, Vec<Hash>>, HashMap<Hash, Vec<Hash>>) {
        let mut providers = HashMap::with_capacity(self.ready_count);
        let mut dependants: HashMap<Hash, Vec<Hash>> = HashMap::with_capacity(self.ready_count);
        for (hash, entry) in &self.txs {
            if entry.queue != Queue::Ready {
                continue;
            }
            let of = self.ready_providers(&entry.tx);
            for p in &of {
                dependants.entry(*p).or_default().push(*hash);
            }
            providers.insert(*hash, of);
        }
        (providers, dependants)
    }

    /// Ready transactions in inclusion order: each after the ready transactions providing its
    /// requirements; among those available, highest priority first, then oldest first.
    pub(crate) fn ready_order(&self) -> Vec<Arc<PoolTransaction<X>>> {
        let (providers, dependants) = self.ready_dependencies();
        let mut waiting_for: HashMap<Hash, usize> =
            providers.iter().map(|(h, p)| (*h, p.len())).collect();
        let mut available = BinaryHeap::new();
        for (hash, count) in &waiting_for {
            if *count == 0
                && let Some(entry) = self.txs.get(hash)
            {
                available.push((entry.tx.priority, Reverse(entry.tx.inserted_at), *hash));
            }
        }
        let mut order = Vec::with_capacity(self.ready_count);
        while let Some((_, _, hash)) = available.pop() {
            let Some(entry) = self.txs.get(&hash) else {
                continue;
            };
            order.push(entry.tx.clone());
            for dependant in dependants.get(&hash).into_iter().flatten() {
                if let Some(count) = waiting_for.get_mut(dependant) {
                    *count -= 1;
                    if *count == 0
                        && let Some(d) = self.txs.get(dependant)
                    {
                        available.push((d.tx.priority, Reverse(d.tx.inserted_at), *dependant));
                    }
                }
            }
        }
        if order.len() != self.ready_count {
            tracing::error!(
                target: "txpool",
                ordered = order.len(),
                ready = self.ready_count,
                "ready transactions form a dependency cycle; leaving the cycle out",
            );
        }
        order
    }

    /// The transactions to evict, in order, to get back within `limits`: the lowest-priority
    /// (then newest) future transactions first, then the lowest-priority (then newest) ready
    /// transactions no ready transaction depends on. Does not change the graph.
    pub(crate) fn plan_eviction(&self, limits: &PoolLimits) -> Vec<Hash> {
        let mut ready_n = self.ready_count;
        let mut future_n = self.future_count();
        let mut bytes = self.bytes;
        if ready_n <= limits.max_ready
            && future_n <= limits.max_future
            && bytes <= limits.max_total_bytes
        {
            return Vec::new();
        }

        // Futures, lowest priority (then newest) first.
        let mut futures: Vec<&PoolTransaction<X>> = self
            .txs
            .values()
            .filter(|e| e.queue == Queue::Future)
            .map(|e| &*e.tx)
            .collect();
        futures.sort_by_key(|tx| (tx.priority, Reverse(tx.inserted_at)));
        let mut futures = futures.into_iter().map(|tx| (tx.hash, tx.len));

        // Ready leaves in a heap whose top is the lowest priority, then the newest; evicting a
        // leaf may make its providers leaves.
        let (providers, dependants) = self.ready_dependencies();
        let mut dependant_count: HashMap<Hash, usize> =
            dependants.iter().map(|(h, d)| (*h, d.len())).collect();
        let leaf_key = |tx: &PoolTransaction<X>| (Reverse(tx.priority), tx.inserted_at, tx.hash);
        let mut leaves: BinaryHeap<_> = self
            .txs
            .values()
            .filter(|e| e.queue == Queue::Ready && !dependant_count.contains_key(&e.tx.hash))
            .map(|e| leaf_key(&e.tx))
            .collect();
        let mut next_leaf = || -> Option<(Hash, usize)> {
            let (_, _, hash) = leaves.pop()?;
            for p in providers.get(&hash).into_iter().flatten() {
                if let Some(count) = dependant_count.get_mut(p) {
                    *count -= 1;
                    if *count == 0
                        && let Some(entry) = self.txs.get(p)
                    {
                        leaves.push(leaf_key(&entry.tx));
                    }
                }
            }
            self.txs.get(&hash).map(|e| (hash, e.tx.len))
        };

        let mut victims = Vec::new();
        while future_n > limits.max_future {
            let Some((hash, len)) = futures.next() else {
                break;
            };
            future_n -= 1;
            bytes = bytes.saturating_sub(len);
            victims.push(hash);
        }
        while ready_n > limits.max_ready {
            let Some((hash, len)) = next_leaf() else {
                break;
            };
            ready_n -= 1;
            bytes = bytes.saturating_sub(len);
            victims.push(hash);
        }
        while bytes > limits.max_total_bytes {
            let Some((hash, len)) = futures.next().or_else(&mut next_leaf) else {
                break;
            };
            bytes = bytes.saturating_sub(len);
            victims.push(hash);
        }
        victims
    }

    /// Panics if an invariant from the module docs does not hold. For tests.
    #[cfg(test)]
    pub(crate) fn check_invariants(&self) {
        let mut ready = 0;
        let mut bytes = 0;
        for (hash, entry) in &self.txs {
            assert_eq!(*hash, entry.tx.hash);
            for tag in &entry.tx.provides {
                assert_eq!(self.provided.get(tag), Some(hash), "provider of a tag");
            }
            for tag in &entry.tx.requires {
                assert!(self.waiting.get(tag).is_some_and(|s| s.contains(hash)));
            }
            if entry.queue == Queue::Ready {
                ready += 1;
                assert!(
                    self.requirements_met(&entry.tx),
                    "ready tx with unmet requirements"
                );
            } else {
                assert!(
                    !self.requirements_met(&entry.tx),
                    "future tx whose requirements are met"
                );
            }
            bytes += entry.tx.len;
        }
        let provided: HashSet<&TransactionTag> = self
            .txs
            .values()
            .flat_map(|e| e.tx.provides.iter())
            .collect();
        assert_eq!(self.provided.len(), provided.len());
        assert_eq!(ready, self.ready_count);
        assert_eq!(bytes, self.bytes);
        assert_eq!(self.ready_order().len(), self.ready_count);
    }
}
