//! Test support: run pallet code against an in-memory state.

use std::collections::BTreeMap;

use crate::ext::{Ext, with_externalities};

/// An in-memory state that pallet tests run against (the `new_test_ext()` of mock runtimes).
#[derive(Default, Clone, Debug)]
pub struct TestExternalities {
    /// The committed state.
    pub state: BTreeMap<Vec<u8>, Vec<u8>>,
}

impl TestExternalities {
    /// Runs `f` with storage available; its writes are committed to `self.state` afterwards.
    pub fn execute_with<R>(&mut self, f: impl FnOnce() -> R) -> R {
        let snapshot = std::mem::take(&mut self.state);
        let mut ext = Ext::new(&snapshot);
        let result = with_externalities(&mut ext, f);
        let changes = ext.into_changes();
        let mut state = snapshot;
        for (key, value) in changes {
            match value {
                Some(v) => {
                    state.insert(key, v);
                }
                None => {
                    state.remove(&key);
                }
            }
        }
        self.state = state;
        result
    }
}
