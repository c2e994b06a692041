//! Contract events: up to four 32-byte topics (for filtering) and SCALE data (at most 4 KiB),
//! deposited as the pallet's `ContractEmitted { contract, topics, data }`.
//!
//! The examples use `topic("EventName")` (blake3 of the name, computed at compile time) as the
//! first topic and the accounts involved as the next ones, and encode the event struct as data.

use parity_scale_codec::Encode;

use crate::env::len32;
use crate::sys;
use crate::types::Hash;

/// Most topics of one event.
pub const MAX_TOPICS: usize = 4;

/// Emits an event with raw `data`.
///
/// Traps if there are more than [`MAX_TOPICS`] topics or `data` is longer than 4 KiB (the host
/// refuses them).
pub fn emit_raw(topics: &[Hash], data: &[u8]) {
    // `[[u8; 32]]` is contiguous: `topics.len() * 32` bytes from its pointer.
    let topics_len = (topics.len() * 32) as u32;
    // SAFETY: both slices are live for the lengths given.
    unsafe {
        sys::emit_event(
            topics.as_ptr().cast::<u8>(),
            topics_len,
            data.as_ptr(),
            len32(data),
        )
    }
}

/// Emits an event whose data is `SCALE(event)`.
pub fn emit<E: Encode + ?Sized>(topics: &[Hash], event: &E) {
    emit_raw(topics, &event.encode())
}
