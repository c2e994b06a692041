//! Raw storage access by key, with SCALE values.

use parity_scale_codec::{Decode, DecodeAll, Encode};

use crate::ext::with_ext;

/// The decoded value at `key` (absent if it does not decode).
pub fn get<V: Decode>(key: &[u8]) -> Option<V> {
    with_ext(|ext| ext.get(key)).and_then(|bytes| V::decode_all(&mut &bytes[..]).ok())
}

/// The raw value at `key`.
pub fn get_raw(key: &[u8]) -> Option<Vec<u8>> {
    with_ext(|ext| ext.get(key))
}

/// Writes the encoding of `value` at `key`.
pub fn put<V: Encode + ?Sized>(key: Vec<u8>, value: &V) {
    let bytes = value.encode();
    with_ext(|ext| ext.set(key, bytes))
}

/// Writes raw bytes at `key`.
pub fn put_raw(key: Vec<u8>, value: Vec<u8>) {
    with_ext(|ext| ext.set(key, value))
}

/// Deletes `key`.
pub fn kill(key: Vec<u8>) {
    with_ext(|ext| ext.remove(key))
}

/// Whether `key` has a value.
pub fn exists(key: &[u8]) -> bool {
    with_ext(|ext| ext.get(key)).is_some()
}

/// Deletes every key starting with `prefix`; returns how many.
pub fn clear_prefix(prefix: &[u8]) -> u32 {
    let mut removed = 0u32;
    let mut cursor = prefix.to_vec();
    loop {
        let next = with_ext(|ext| ext.next_key(&cursor));
        match next {
            Some(key) if key.starts_with(prefix) => {
                with_ext(|ext| ext.remove(key.clone()));
                cursor = key;
                removed = removed.saturating_add(1);
            }
            _ => return removed,
        }
    }
}

/// Deletes at most `limit` keys starting with `prefix`, in key order; returns how many it
/// deleted and whether none is left. Reads one key more than it deletes (`limit + 1` reads at
/// most), to know whether the prefix is empty afterwards.
pub fn clear_prefix_limited(prefix: &[u8], limit: u32) -> (u32, bool) {
    let mut removed = 0u32;
    let mut cursor = prefix.to_vec();
    loop {
        let next = with_ext(|ext| ext.next_key(&cursor));
        match next {
            Some(key) if key.starts_with(prefix) => {
                if removed >= limit {
                    return (removed, false);
                }
                with_ext(|ext| ext.remove(key.clone()));
                cursor = key;
                removed = removed.saturating_add(1);
            }
            _ => return (removed, true),
        }
    }
}

/// Whether any key starts with `prefix` (one read).
pub fn prefix_exists(prefix: &[u8]) -> bool {
    with_ext(|ext| ext.next_key(prefix)).is_some_and(|key| key.starts_with(prefix))
}
