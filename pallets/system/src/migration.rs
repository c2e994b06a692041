//! The events layout of `spec_version` ≤ 5: every event of the last block in state, as
//! `System.EventCount` and `System.Events` (by index).
//!
//! Newer blocks keep their events out of the state (see the crate docs). This module keeps the
//! old items for two jobs: [`legacy_events`] reads them from the state of a block imported
//! before the change (the node re-derives such a block's events from its state while that
//! state is kept), and [`clear_legacy_events`] deletes them in the first block executed on
//! such a state, so they do not stay in the trie forever.

use ghost_support::prelude::*;

use crate::{EventRecord, PALLET};

storage_value!(PALLET,
    /// How many events the block deposited (spec_version ≤ 5 only).
    pub EventCount: u32
);
storage_map!(PALLET,
    /// The block's events by index, each with its phase and the SCALE runtime event
    /// (spec_version ≤ 5 only).
    pub Events: map Identity u32 => EventRecord<Vec<u8>>
);

/// The events an older runtime stored in this state, as `(phase, SCALE runtime event)` records
/// in order; empty when there are none. Missing or undecodable entries are skipped.
pub fn legacy_events() -> Vec<EventRecord<Vec<u8>>> {
    let count = EventCount::get().unwrap_or(0);
    (0..count).filter_map(|i| Events::get(&i)).collect()
}

/// Deletes the events an older runtime left in state. One read when there are none (every
/// block after the first); otherwise bounded by the events of one block, which its weight
/// limit bounded.
pub fn clear_legacy_events() {
    let Some(count) = EventCount::get() else {
        return;
    };
    for index in 0..count {
        Events::remove(&index);
    }
    EventCount::kill();
}
