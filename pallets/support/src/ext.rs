//! The execution environment: state reads and writes of the runtime go through an [`Ext`].
//!
//! An [`Ext`] reads a [`StateBackend`] (the trie at the parent block's state root, or a map in
//! tests) and buffers every write in an overlay. [`transactional`] opens a transaction: it
//! commits when its closure returns `Ok` and rolls back on `Err`, so a failed dispatch leaves no
//! writes. The overlay is one map holding the latest value of every written key (a read is one
//! hash lookup, whatever the depth), an ordered set of the same keys (for [`Ext::next_key`]),
//! and a journal of what each write replaced, which a rollback replays backwards. At the end of
//! a block the executive takes the changes ([`Ext::into_changes`]) and applies them to the trie.
//!
//! Beside the overlay an [`Ext`] keeps the block's *event records*: opaque byte strings the
//! system pallet deposits, which never become state (the node stores them per block, the state
//! keeps only their digest). They follow the overlay's transactions: a rolled-back transaction
//! drops the records deposited inside it, so a failed dispatch leaves no events either.
//!
//! Pallet code never holds an `Ext`: [`with_externalities`] installs one for the current thread
//! while a closure runs, and the typed storage items in [`crate::storage`] reach it from there,
//! as Substrate's `sp-io` does. Using storage outside `with_externalities` is a programming
//! error and panics with a message saying so.

use std::cell::Cell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Bound;

/// A read-only view of the state the block builds on.
pub trait StateBackend {
    /// The value at `key`.
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, BackendError>;
    /// The first key strictly greater than `key`.
    fn next_key(&self, key: &[u8]) -> Result<Option<Vec<u8>>, BackendError>;
}

/// The backend could not be read (a missing trie node: the database is incomplete or corrupt).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("state backend: {0}")]
pub struct BackendError(pub String);

/// A backend with nothing in it.
pub struct EmptyBackend;

impl StateBackend for EmptyBackend {
    fn get(&self, _key: &[u8]) -> Result<Option<Vec<u8>>, BackendError> {
        Ok(None)
    }
    fn next_key(&self, _key: &[u8]) -> Result<Option<Vec<u8>>, BackendError> {
        Ok(None)
    }
}

impl<B: StateBackend + ?Sized> StateBackend for &B {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, BackendError> {
        (**self).get(key)
    }
    fn next_key(&self, key: &[u8]) -> Result<Option<Vec<u8>>, BackendError> {
        (**self).next_key(key)
    }
}

impl StateBackend for BTreeMap<Vec<u8>, Vec<u8>> {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, BackendError> {
        Ok(BTreeMap::get(self, key).cloned())
    }
    fn next_key(&self, key: &[u8]) -> Result<Option<Vec<u8>>, BackendError> {
        Ok(self
            .range::<[u8], _>((Bound::Excluded(key), Bound::Unbounded))
            .next()
            .map(|(k, _)| k.clone()))
    }
}

/// Changes to the state: `Some` sets, `None` deletes. Ordered by key.
pub type StateChanges = BTreeMap<Vec<u8>, Option<Vec<u8>>>;

/// A map keyed by storage keys, hashed with a seeded fast hasher (foldhash): storage keys are
/// partly chosen by users, so the seed keeps their bucket layout unpredictable.
pub type KeyMap<V> = HashMap<Vec<u8>, V, foldhash::fast::RandomState>;

/// What a write replaced: the key's overlay entry before it (`None`: the overlay did not hold
/// the key).
type Undo = (Vec<u8>, Option<Option<Vec<u8>>>);

/// The execution environment: a backend plus an overlay of the block's writes.
pub struct Ext<'a> {
    backend: Box<dyn StateBackend + 'a>,
    /// The latest write of every key written (`None`: deleted), open transactions included.
    values: KeyMap<Option<Vec<u8>>>,
    /// The keys of `values`, in order (for [`Ext::next_key`]).
    keys: BTreeSet<Vec<u8>>,
    /// Writes made inside open transactions and what they replaced, oldest first.
    journal: Vec<Undo>,
    /// For each open transaction, the journal's length when it opened.
    marks: Vec<usize>,
    /// The first backend failure, if any: the block must be abandoned.
    backend_error: Option<BackendError>,
    /// The block's event records, in deposit order (never part of the state).
    events: Vec<Vec<u8>>,
    /// For each open transaction, how many records there were when it opened.
    event_marks: Vec<usize>,
}

impl<'a> Ext<'a> {
    /// An environment over `backend` with no changes.
    pub fn new<B: StateBackend + 'a>(backend: B) -> Ext<'a> {
        Ext {
            backend: Box::new(backend),
            values: KeyMap::default(),
            keys: BTreeSet::new(),
            journal: Vec::new(),
            marks: Vec::new(),
            backend_error: None,
            events: Vec::new(),
            event_marks: Vec::new(),
        }
    }

    /// Appends an event record (outside the state; see the module docs).
    pub fn deposit_event_record(&mut self, record: Vec<u8>) {
        self.events.push(record);
    }

    /// The event records deposited so far, open transactions included.
    pub fn event_records(&self) -> &[Vec<u8>] {
        &self.events
    }

    /// Forgets every event record (a new block starts).
    pub fn clear_event_records(&mut self) {
        self.events.clear();
        // Records of an open transaction are gone too: rolling it back must not truncate below.
        for mark in &mut self.event_marks {
            *mark = 0;
        }
    }

    /// The value at `key`, overlay first.
    pub fn get(&mut self, key: &[u8]) -> Option<Vec<u8>> {
        match self.values.get(key) {
            Some(value) => value.clone(),
            None => match self.backend.get(key) {
                Ok(value) => value,
                Err(e) => {
                    self.backend_error.get_or_insert(e);
                    None
                }
            },
        }
    }

    /// The overlay's word on `key`: `Some(Some(v))` set, `Some(None)` deleted, `None` untouched.
    fn overlay_get(&self, key: &[u8]) -> Option<&Option<Vec<u8>>> {
        self.values.get(key)
    }

    /// Sets `key` to `value`.
    pub fn set(&mut self, key: Vec<u8>, value: Vec<u8>) {
        self.write(key, Some(value));
    }

    /// Deletes `key`.
    pub fn remove(&mut self, key: Vec<u8>) {
        self.write(key, None);
    }

    fn write(&mut self, key: Vec<u8>, value: Option<Vec<u8>>) {
        if let Some(slot) = self.values.get_mut(&key) {
            let previous = std::mem::replace(slot, value);
            if !self.marks.is_empty() {
                self.journal.push((key, Some(previous)));
            }
            return;
        }
        self.keys.insert(key.clone());
        if !self.marks.is_empty() {
            self.journal.push((key.clone(), None));
        }
        self.values.insert(key, value);
    }

    /// The first existing key strictly greater than `key`, merging overlay and backend.
    pub fn next_key(&mut self, key: &[u8]) -> Option<Vec<u8>> {
        let overlay_next = self.overlay_next_existing(key);
        let mut cursor = key.to_vec();
        let backend_next = loop {
            match self.backend.next_key(&cursor) {
                Ok(Some(k)) => {
                    if matches!(self.overlay_get(&k), Some(None)) {
                        cursor = k;
                        continue;
                    }
                    break Some(k);
                }
                Ok(None) => break None,
                Err(e) => {
                    self.backend_error.get_or_insert(e);
                    break None;
                }
            }
        };
        match (overlay_next, backend_next) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// The first key above `key` that the overlay sets (not deletes).
    fn overlay_next_existing(&self, key: &[u8]) -> Option<Vec<u8>> {
        self.keys
            .range::<[u8], _>((Bound::Excluded(key), Bound::Unbounded))
            .find(|k| matches!(self.values.get(*k), Some(Some(_))))
            .cloned()
    }

    /// Opens a transaction.
    pub fn start_transaction(&mut self) {
        self.marks.push(self.journal.len());
        self.event_marks.push(self.events.len());
    }

    /// Commits the innermost transaction into the one around it (or into the block).
    pub fn commit_transaction(&mut self) {
        if self.marks.pop().is_some() {
            // Its undo entries now belong to the enclosing transaction; outside every
            // transaction nothing can be rolled back, so they go.
            if self.marks.is_empty() {
                self.journal.clear();
            }
            self.event_marks.pop();
        }
    }

    /// Drops the innermost transaction's writes and events.
    pub fn rollback_transaction(&mut self) {
        let Some(mark) = self.marks.pop() else {
            return;
        };
        for (key, previous) in self.journal.drain(mark..).rev() {
            match previous {
                Some(value) => {
                    self.values.insert(key, value);
                }
                None => {
                    self.values.remove(&key);
                    self.keys.remove(&key);
                }
            }
        }
        if let Some(mark) = self.event_marks.pop() {
            self.events.truncate(mark);
        }
    }

    /// How many transactions are open.
    pub fn transaction_depth(&self) -> usize {
        self.marks.len()
    }

    /// The first backend failure, if any.
    pub fn backend_error(&self) -> Option<&BackendError> {
        self.backend_error.as_ref()
    }

    /// All changes, with open transactions committed.
    pub fn into_changes(mut self) -> StateChanges {
        // `keys` is already in order: building from it spares sorting the map's entries.
        let values = &mut self.values;
        self.keys
            .into_iter()
            .filter_map(|key| values.remove(&key).map(|value| (key, value)))
            .collect()
    }

    /// The changes so far, with open transactions included.
    pub fn changes(&self) -> StateChanges {
        self.values
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }
}

thread_local! {
    static CURRENT: Cell<Option<*mut Ext<'static>>> = const { Cell::new(None) };
}

/// Restores the previously installed environment when dropped (also on unwinding).
struct Restore(Option<*mut Ext<'static>>);

impl Drop for Restore {
    fn drop(&mut self) {
        CURRENT.with(|c| c.set(self.0));
    }
}

/// Runs `f` with `ext` as this thread's environment; storage items inside `f` use it.
pub fn with_externalities<R>(ext: &mut Ext<'_>, f: impl FnOnce() -> R) -> R {
    // SAFETY: the pointer is only dereferenced by `with_ext` while `f` runs, which is within the
    // lifetime of `ext`; the previous pointer is restored (also on panic) before we return.
    // The second cast only widens the lifetime (clippy sees the types as equal).
    #[allow(clippy::unnecessary_cast)]
    let ptr = ext as *mut Ext<'_> as *mut Ext<'static>;
    let previous = CURRENT.with(|c| c.replace(Some(ptr)));
    let _restore = Restore(previous);
    f()
}

/// Runs `f` on the current environment.
///
/// # Panics
/// Outside [`with_externalities`]: that is a bug in the caller, not bad input.
pub fn with_ext<R>(f: impl FnOnce(&mut Ext<'_>) -> R) -> R {
    let ptr = CURRENT
        .with(|c| c.get())
        .expect("runtime storage used outside `with_externalities`: no state to act on");
    // SAFETY: installed by `with_externalities`, which outlives this call; `f` cannot re-enter
    // `with_ext` because storage primitives are leaves (they call no pallet code).
    let ext = unsafe { &mut *ptr };
    f(ext)
}

/// Whether an environment is installed on this thread.
pub fn has_externalities() -> bool {
    CURRENT.with(|c| c.get().is_some())
}

/// Runs `f` in a storage transaction: its writes are kept if it returns `Ok`, dropped on `Err`.
pub fn transactional<R, E>(f: impl FnOnce() -> Result<R, E>) -> Result<R, E> {
    with_ext(|ext| ext.start_transaction());
    let result = f();
    with_ext(|ext| match result {
        Ok(_) => ext.commit_transaction(),
        Err(_) => ext.rollback_transaction(),
    });
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn backend() -> BTreeMap<Vec<u8>, Vec<u8>> {
        [
            (b"a".to_vec(), b"1".to_vec()),
            (b"c".to_vec(), b"3".to_vec()),
            (b"e".to_vec(), b"5".to_vec()),
        ]
        .into_iter()
        .collect()
    }

    #[test]
    fn overlay_shadows_backend_and_rollback_discards() {
        let backend = backend();
        let mut ext = Ext::new(&backend);
        ext.set(b"a".to_vec(), b"x".to_vec());
        ext.start_transaction();
        ext.remove(b"c".to_vec());
        ext.set(b"b".to_vec(), b"2".to_vec());
        assert_eq!(ext.get(b"c"), None);
        assert_eq!(ext.next_key(b"a"), Some(b"b".to_vec()));
        assert_eq!(ext.next_key(b"b"), Some(b"e".to_vec()));
        ext.rollback_transaction();
        assert_eq!(ext.get(b"c"), Some(b"3".to_vec()));
        assert_eq!(ext.get(b"a"), Some(b"x".to_vec()));
        assert_eq!(ext.next_key(b"a"), Some(b"c".to_vec()));
        let changes = ext.into_changes();
        assert_eq!(changes.len(), 1);
    }

    #[test]
    fn nested_commits_merge_downwards() {
        let backend = backend();
        let mut ext = Ext::new(&backend);
        ext.start_transaction();
        ext.start_transaction();
        ext.set(b"z".to_vec(), b"9".to_vec());
        ext.commit_transaction();
        ext.remove(b"e".to_vec());
        ext.commit_transaction();
        assert_eq!(ext.transaction_depth(), 0);
        assert_eq!(ext.next_key(b"c"), Some(b"z".to_vec()));
        let changes = ext.into_changes();
        assert_eq!(changes.get(&b"e"[..]), Some(&None));
        assert_eq!(changes.get(&b"z"[..]), Some(&Some(b"9".to_vec())));
    }

    #[test]
    fn rollback_restores_every_earlier_value_of_a_key_rewritten_at_several_depths() {
        let backend = backend();
        let mut ext = Ext::new(&backend);
        ext.set(b"a".to_vec(), b"x".to_vec());
        ext.start_transaction();
        ext.set(b"a".to_vec(), b"y".to_vec());
        ext.set(b"b".to_vec(), b"new".to_vec());
        ext.start_transaction();
        ext.remove(b"a".to_vec());
        ext.set(b"b".to_vec(), b"newer".to_vec());
        ext.commit_transaction();
        assert_eq!(ext.get(b"a"), None);
        assert_eq!(ext.next_key(b"a"), Some(b"b".to_vec()));
        ext.rollback_transaction();
        assert_eq!(ext.get(b"a"), Some(b"x".to_vec()));
        assert_eq!(ext.get(b"b"), None);
        assert_eq!(ext.next_key(b"a"), Some(b"c".to_vec()));
        let changes = ext.into_changes();
        assert_eq!(changes.len(), 1);
        assert_eq!(changes.get(&b"a"[..]), Some(&Some(b"x".to_vec())));
    }

    #[test]
    fn event_records_follow_transactions_and_stay_out_of_changes() {
        let backend = BTreeMap::new();
        let mut ext = Ext::new(&backend);
        ext.deposit_event_record(b"first".to_vec());
        ext.start_transaction();
        ext.deposit_event_record(b"kept".to_vec());
        ext.commit_transaction();
        ext.start_transaction();
        ext.deposit_event_record(b"dropped".to_vec());
        ext.start_transaction();
        ext.deposit_event_record(b"dropped too".to_vec());
        ext.commit_transaction();
        ext.rollback_transaction();
        assert_eq!(
            ext.event_records(),
            &[b"first".to_vec(), b"kept".to_vec()][..]
        );
        ext.clear_event_records();
        assert!(ext.event_records().is_empty());
        assert!(ext.into_changes().is_empty());
    }

    #[test]
    fn transactional_keeps_ok_and_drops_err() {
        let backend = BTreeMap::new();
        let mut ext = Ext::new(&backend);
        with_externalities(&mut ext, || {
            let ok: Result<(), ()> = transactional(|| {
                with_ext(|e| e.set(b"k1".to_vec(), b"v".to_vec()));
                Ok(())
            });
            assert!(ok.is_ok());
            let err: Result<(), ()> = transactional(|| {
                with_ext(|e| e.set(b"k2".to_vec(), b"v".to_vec()));
                Err(())
            });
            assert!(err.is_err());
        });
        let changes = ext.into_changes();
        assert!(changes.contains_key(&b"k1"[..]));
        assert!(!changes.contains_key(&b"k2"[..]));
        assert!(!has_externalities());
    }
}
