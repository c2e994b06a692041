//! The node's compiled-module cache: compiled `wasmi::Module`s by code hash, bounded in entries
//! and (estimated) memory, least recently used out first.
//!
//! The cache is a node-side optimisation and never part of consensus: a hit or a miss gives the
//! same module (compilation is deterministic; a cached module may have more of its functions
//! translated already, which wasmi is configured to charge no fuel for, see [`crate::wasm`]),
//! the same fuel (loading is charged per byte and per function of the code either way,
//! [`crate::Schedule::load_fuel`]) and the same
//! result. The pallet only looks for a
//! handle:
//!
//! - the node installs one process-wide handle at startup with [`set_module_cache`]
//!   (`set_module_cache(Some(Arc::new(LruModuleCache::new(64 << 20, 1024))))`);
//! - [`with_module_cache`] installs one for the current thread while a closure runs (tests, or a
//!   node that wants separate caches for block import and RPC dry runs); it takes precedence;
//! - with neither, every frame compiles its module.
//!
//! Code hashes identify code immutably, so entries never go stale; `remove_code` does not need
//! to evict (a removed hash simply stops being asked for and ages out).

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use ghost_primitives::Hash;
use parking_lot::{Mutex, RwLock};
use wasmi::Module;

/// A compiled module and what its load fee needs to know of the code without reading it.
#[derive(Clone, Debug)]
pub struct CachedModule {
    /// The module.
    pub module: Module,
    /// Functions the code defines ([`crate::wasm::defined_functions`]).
    pub functions: u32,
}

/// A store of compiled modules the executor consults before compiling.
pub trait ModuleCache: Send + Sync {
    /// The module compiled from `code_hash`, if cached (marks it recently used).
    fn get(&self, code_hash: &Hash) -> Option<CachedModule>;
    /// Caches `module`, compiled from `code_len` bytes of code.
    fn insert(&self, code_hash: Hash, module: CachedModule, code_len: usize);
    /// Drops every module.
    fn clear(&self);
}

static GLOBAL: RwLock<Option<Arc<dyn ModuleCache>>> = RwLock::new(None);

thread_local! {
    static SCOPED: RefCell<Option<Arc<dyn ModuleCache>>> = const { RefCell::new(None) };
}

/// Installs (or with `None` removes) the process-wide cache.
pub fn set_module_cache(cache: Option<Arc<dyn ModuleCache>>) {
    *GLOBAL.write() = cache;
}

/// Runs `f` with `cache` as this thread's cache (ahead of the process-wide one).
pub fn with_module_cache<R>(cache: Arc<dyn ModuleCache>, f: impl FnOnce() -> R) -> R {
    struct Restore(Option<Arc<dyn ModuleCache>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let previous = self.0.take();
            SCOPED.with(|s| *s.borrow_mut() = previous);
        }
    }
    let previous = SCOPED.with(|s| s.borrow_mut().replace(cache));
    let _restore = Restore(previous);
    f()
}

/// Drops every module of the process-wide cache and of this thread's (when the engine they were
/// compiled for is replaced, see [`crate::wasm::ENGINE_MAX_FUNCTIONS`]).
pub fn clear_global() {
    if let Some(cache) = GLOBAL.read().clone() {
        cache.clear();
    }
    if let Some(cache) = SCOPED.with(|s| s.borrow().clone()) {
        cache.clear();
    }
}

/// The cache in force on this thread, if any.
pub fn current() -> Option<Arc<dyn ModuleCache>> {
    SCOPED
        .with(|s| s.borrow().clone())
        .or_else(|| GLOBAL.read().clone())
}

/// How many bytes of memory a compiled module is assumed to take per byte of code. wasmi does
/// not report a module's size; its register-based IR is typically 2-4× the WASM bytes, plus
/// metadata, so the estimate errs high.
pub const MODULE_BYTES_PER_CODE_BYTE: usize = 6;

/// Counters of an [`LruModuleCache`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Lookups that found a module.
    pub hits: u64,
    /// Lookups that did not.
    pub misses: u64,
    /// Modules evicted to stay within bounds.
    pub evictions: u64,
    /// Modules cached now.
    pub entries: usize,
    /// Their estimated memory, in bytes.
    pub bytes: usize,
}

struct Entry {
    module: CachedModule,
    bytes: usize,
    last_used: u64,
}

#[derive(Default)]
struct Lru {
    entries: HashMap<Hash, Entry>,
    /// `last_used` tick → hash, oldest first.
    order: BTreeMap<u64, Hash>,
    tick: u64,
    bytes: usize,
}

impl Lru {
    fn touch(&mut self, hash: &Hash) -> Option<CachedModule> {
        self.tick = self.tick.wrapping_add(1);
        let tick = self.tick;
        let entry = self.entries.get_mut(hash)?;
        self.order.remove(&entry.last_used);
        entry.last_used = tick;
        self.order.insert(tick, *hash);
        Some(entry.module.clone())
    }

    fn remove(&mut self, hash: &Hash) {
        if let Some(entry) = self.entries.remove(hash) {
            self.order.remove(&entry.last_used);
            self.bytes = self.bytes.saturating_sub(entry.bytes);
        }
    }

    fn pop_oldest(&mut self) -> bool {
        let Some((_, hash)) = self.order.pop_first() else {
            return false;
        };
        if let Some(entry) = self.entries.remove(&hash) {
            self.bytes = self.bytes.saturating_sub(entry.bytes);
        }
        true
    }
}

/// A bounded least-recently-used [`ModuleCache`].
pub struct LruModuleCache {
    max_bytes: usize,
    max_entries: usize,
    inner: Mutex<Lru>,
    hits: AtomicU64,
    misses: AtomicU64,
    evictions: AtomicU64,
}

impl LruModuleCache {
    /// A cache holding at most `max_entries` modules of at most `max_bytes` estimated memory
    /// ([`MODULE_BYTES_PER_CODE_BYTE`] per byte of code). A module larger than `max_bytes` on
    /// its own is not cached.
    pub fn new(max_bytes: usize, max_entries: usize) -> LruModuleCache {
        LruModuleCache {
            max_bytes,
            max_entries,
            inner: Mutex::new(Lru::default()),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            evictions: AtomicU64::new(0),
        }
    }

    /// Counters and occupancy.
    pub fn stats(&self) -> CacheStats {
        let inner = self.inner.lock();
        CacheStats {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            evictions: self.evictions.load(Ordering::Relaxed),
            entries: inner.entries.len(),
            bytes: inner.bytes,
        }
    }

    /// Whether `code_hash` is cached (without marking it used).
    pub fn contains(&self, code_hash: &Hash) -> bool {
        self.inner.lock().entries.contains_key(code_hash)
    }

    /// Drops every module.
    pub fn clear(&self) {
        *self.inner.lock() = Lru::default();
    }
}

impl ModuleCache for LruModuleCache {
    fn clear(&self) {
        LruModuleCache::clear(self);
    }

    fn get(&self, code_hash: &Hash) -> Option<CachedModule> {
        let found = self.inner.lock().touch(code_hash);
        let counter = if found.is_some() {
            &self.hits
        } else {
            &self.misses
        };
        counter.fetch_add(1, Ordering::Relaxed);
        found
    }

    fn insert(&self, code_hash: Hash, module: CachedModule, code_len: usize) {
        let bytes = code_len.saturating_mul(MODULE_BYTES_PER_CODE_BYTE);
        if bytes > self.max_bytes || self.max_entries == 0 {
            return;
        }
        let mut inner = self.inner.lock();
        inner.remove(&code_hash);
        while inner.entries.len() >= self.max_entries
            || inner.bytes.saturating_add(bytes) > self.max_bytes
        {
            if !inner.pop_oldest() {
                break;
            }
            self.evictions.fetch_add(1, Ordering::Relaxed);
        }
        inner.tick = inner.tick.wrapping_add(1);
        let tick = inner.tick;
        inner.order.insert(tick, code_hash);
        inner.bytes = inner.bytes.saturating_add(bytes);
        inner.entries.insert(
            code_hash,
            Entry {
                module,
                bytes,
                last_used: tick,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn module() -> CachedModule {
        let code = wat::parse_str(
            r#"(module (memory (export "memory") 1) (func (export "deploy")) (func (export "call")))"#,
        )
        .unwrap();
        let functions = crate::wasm::defined_functions(&code);
        CachedModule {
            module: crate::wasm::compile_stored(&code, functions).unwrap(),
            functions,
        }
    }

    fn h(n: u8) -> Hash {
        Hash([n; 32])
    }

    #[test]
    fn lru_evicts_least_recently_used_by_count() {
        let cache = LruModuleCache::new(usize::MAX, 2);
        let m = module();
        cache.insert(h(1), m.clone(), 10);
        cache.insert(h(2), m.clone(), 10);
        assert!(cache.get(&h(1)).is_some()); // 2 is now the oldest
        cache.insert(h(3), m, 10);
        assert!(cache.contains(&h(1)));
        assert!(!cache.contains(&h(2)));
        assert!(cache.contains(&h(3)));
        let stats = cache.stats();
        assert_eq!((stats.hits, stats.evictions, stats.entries), (1, 1, 2));
    }

    #[test]
    fn lru_stays_within_its_memory_cap() {
        let cap = 100 * MODULE_BYTES_PER_CODE_BYTE;
        let cache = LruModuleCache::new(cap, 100);
        let m = module();
        cache.insert(h(1), m.clone(), 60);
        cache.insert(h(2), m.clone(), 60);
        assert!(!cache.contains(&h(1)));
        assert!(cache.stats().bytes <= cap);
        cache.insert(h(3), m, 101);
        assert!(
            !cache.contains(&h(3)),
            "a module above the cap is not cached"
        );
        assert!(cache.get(&h(9)).is_none());
        assert_eq!(cache.stats().misses, 1);
    }

    #[test]
    fn scoped_cache_wins_and_is_restored() {
        let outer: Arc<dyn ModuleCache> = Arc::new(LruModuleCache::new(1 << 20, 4));
        let inner: Arc<dyn ModuleCache> = Arc::new(LruModuleCache::new(1 << 20, 4));
        with_module_cache(outer.clone(), || {
            with_module_cache(inner.clone(), || {
                assert!(Arc::ptr_eq(&current().unwrap(), &inner));
            });
            assert!(Arc::ptr_eq(&current().unwrap(), &outer));
        });
    }
}
