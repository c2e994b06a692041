//! A bounded cache of state trie nodes in front of the `state` column.
//!
//! Nodes are content-addressed (the key is the hash of the bytes), so a cached node is never
//! stale: whatever root reaches a hash reads the same bytes. Every state read walks the trie
//! from the root, and the upper levels are shared by every key, so keeping them in memory saves
//! most of a read's RocksDB lookups (each of which takes a block-cache lookup and a copy, or a
//! file read and a decompression). Nodes the pruner deletes are evicted when their deletion is
//! written; a reader racing the deletion may put one back, which costs memory but never a wrong
//! answer (reads of pruned state are refused before the trie is touched, see
//! `Database::check_state`).

use ghost_trie::TrieHash;
use hashlink::LruCache;

/// Nodes larger than this are not cached (long values, such as contract code): they are read
/// rarely, and one would push out thousands of the small nodes every read walks.
pub const MAX_CACHED_NODE: usize = 4 * 1024;

/// Least-recently-used trie nodes, at most `max_bytes` of them (node bytes plus the hash).
pub struct NodeCache {
    nodes: LruCache<TrieHash, Vec<u8>>,
    bytes: usize,
    max_bytes: usize,
    hits: u64,
    misses: u64,
}

/// What a [`NodeCache`] holds and how often it answered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NodeCacheStats {
    /// Lookups it answered.
    pub hits: u64,
    /// Lookups it did not (read from the database instead).
    pub misses: u64,
    /// Bytes held.
    pub bytes: usize,
    /// Nodes held.
    pub nodes: usize,
}

impl NodeCache {
    /// An empty cache of at most `max_bytes`; 0 caches nothing.
    pub fn new(max_bytes: usize) -> NodeCache {
        NodeCache {
            nodes: LruCache::new_unbounded(),
            bytes: 0,
            max_bytes,
            hits: 0,
            misses: 0,
        }
    }

    fn cost(node: &[u8]) -> usize {
        node.len() + std::mem::size_of::<TrieHash>()
    }

    /// The node with `hash`, marked as just used.
    pub fn get(&mut self, hash: &TrieHash) -> Option<Vec<u8>> {
        let found = self.nodes.get(hash).cloned();
        match found {
            Some(_) => self.hits = self.hits.saturating_add(1),
            None => self.misses = self.misses.saturating_add(1),
        }
        found
    }

    /// The node with `hash`, without marking it used or counting the lookup: for a bulk pass
    /// (see [`crate::db::BulkStateReader`]), which should neither reorder the cache nor skew
    /// its hit rate.
    pub fn peek(&self, hash: &TrieHash) -> Option<Vec<u8>> {
        self.nodes.peek(hash).cloned()
    }

    /// Its counters and size.
    pub fn stats(&self) -> NodeCacheStats {
        NodeCacheStats {
            hits: self.hits,
            misses: self.misses,
            bytes: self.bytes,
            nodes: self.nodes.len(),
        }
    }

    /// Remembers `node` under `hash`, evicting the least recently used nodes to stay in bounds.
    pub fn insert(&mut self, hash: TrieHash, node: &[u8]) {
        if node.len() > MAX_CACHED_NODE || Self::cost(node) > self.max_bytes {
            return;
        }
        if let Some(old) = self.nodes.insert(hash, node.to_vec()) {
            self.bytes -= Self::cost(&old);
        }
        self.bytes += Self::cost(node);
        while self.bytes > self.max_bytes {
            match self.nodes.remove_lru() {
                Some((_, evicted)) => self.bytes -= Self::cost(&evicted),
                None => break,
            }
        }
    }

    /// Forgets the node with `hash` (it was deleted).
    pub fn remove(&mut self, hash: &TrieHash) {
        if let Some(old) = self.nodes.remove(hash) {
            self.bytes -= Self::cost(&old);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(n: u8) -> TrieHash {
        [n; 32]
    }

    #[test]
    fn holds_what_it_was_given_until_removed() {
        let mut cache = NodeCache::new(1 << 20);
        cache.insert(h(1), b"node one");
        assert_eq!(cache.get(&h(1)).as_deref(), Some(&b"node one"[..]));
        assert_eq!(cache.get(&h(2)), None);
        let stats = cache.stats();
        assert_eq!((stats.hits, stats.misses, stats.nodes), (1, 1, 1));
        cache.remove(&h(1));
        assert_eq!(cache.get(&h(1)), None);
        assert_eq!(cache.stats().bytes, 0);
    }

    #[test]
    fn stays_within_its_bound_evicting_the_least_recently_used() {
        let node = [7u8; 100];
        let each = node.len() + 32;
        let mut cache = NodeCache::new(3 * each);
        cache.insert(h(1), &node);
        cache.insert(h(2), &node);
        cache.insert(h(3), &node);
        // 1 is used, so 2 is the oldest when 4 arrives.
        assert!(cache.get(&h(1)).is_some());
        cache.insert(h(4), &node);
        assert_eq!(cache.stats().nodes, 3);
        assert!(cache.stats().bytes <= 3 * each);
        assert!(cache.get(&h(2)).is_none(), "least recently used evicted");
        assert!(cache.get(&h(1)).is_some() && cache.get(&h(4)).is_some());
    }

    #[test]
    fn peeking_neither_counts_nor_saves_a_node_from_eviction() {
        let node = [7u8; 100];
        let mut cache = NodeCache::new(2 * (node.len() + 32));
        cache.insert(h(1), &node);
        cache.insert(h(2), &node);
        assert_eq!(cache.peek(&h(1)).as_deref(), Some(&node[..]));
        assert_eq!(cache.peek(&h(3)), None);
        assert_eq!((cache.stats().hits, cache.stats().misses), (0, 0));
        // 1 is still the least recently used: 3 evicts it.
        cache.insert(h(3), &node);
        assert_eq!(cache.peek(&h(1)), None);
        assert!(cache.peek(&h(2)).is_some());
    }

    #[test]
    fn large_nodes_and_a_zero_bound_cache_nothing() {
        let mut cache = NodeCache::new(1 << 20);
        cache.insert(h(1), &vec![0u8; MAX_CACHED_NODE + 1]);
        assert_eq!(cache.stats().nodes, 0);
        let mut none = NodeCache::new(0);
        none.insert(h(1), b"x");
        assert_eq!(none.stats().nodes, 0);
    }

    #[test]
    fn reinserting_a_node_does_not_count_it_twice() {
        let mut cache = NodeCache::new(1 << 20);
        cache.insert(h(1), b"abc");
        cache.insert(h(1), b"abc");
        assert_eq!(cache.stats().bytes, 3 + 32);
    }
}
