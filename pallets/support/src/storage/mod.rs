//! Typed storage items over the state.
//!
//! Every item lives under a 32-byte prefix: `blake3(pallet)[..16] ++ blake3(item)[..16]`, so a
//! pallet's items are easy to find, iterate and prove. Map keys follow the prefix, hashed by the
//! item's [`StorageHasher`]:
//! - [`Blake3_128Concat`]: `blake3(encoded key)[..16] ++ encoded key`. Spreads keys evenly over
//!   the trie (no attacker can make a deep branch) and still lets iteration recover the key.
//! - [`Identity`]: the encoded key itself. Only for keys that are already hashes (a namehash),
//!   or where ordered iteration by key matters (block-local indices).
//!
//! Values are SCALE-encoded. A value that fails to decode is treated as absent; that only happens
//! after an incompatible layout change, which needs a migration.

use std::marker::PhantomData;

use parity_scale_codec::{Decode, DecodeAll, Encode, FullCodec};

use crate::ext::with_ext;

pub mod unhashed;

/// How a map hashes its keys.
pub trait StorageHasher {
    /// Name shown in metadata.
    const NAME: &'static str;
    /// The hashed form of an encoded key.
    fn hash(encoded: &[u8]) -> Vec<u8>;
    /// The encoded key inside a hashed key, or `None` if it cannot be recovered.
    fn reverse(hashed: &[u8]) -> &[u8];
}

/// `blake3(key)[..16] ++ key`.
#[allow(non_camel_case_types)]
pub struct Blake3_128Concat;

impl StorageHasher for Blake3_128Concat {
    const NAME: &'static str = "Blake3_128Concat";
    fn hash(encoded: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(16 + encoded.len());
        out.extend_from_slice(&blake3::hash(encoded).as_bytes()[..16]);
        out.extend_from_slice(encoded);
        out
    }
    fn reverse(hashed: &[u8]) -> &[u8] {
        hashed.get(16..).unwrap_or(&[])
    }
}

/// The key as is.
pub struct Identity;

impl StorageHasher for Identity {
    const NAME: &'static str = "Identity";
    fn hash(encoded: &[u8]) -> Vec<u8> {
        encoded.to_vec()
    }
    fn reverse(hashed: &[u8]) -> &[u8] {
        hashed
    }
}

/// The 32-byte prefix of `pallet`'s `item`. The declaring macros compute it once per item (it
/// is on the path of every storage access).
pub fn storage_prefix(pallet: &str, item: &str) -> [u8; 32] {
    let mut out = [0u8; 32];
    out[..16].copy_from_slice(&blake3::hash(pallet.as_bytes()).as_bytes()[..16]);
    out[16..].copy_from_slice(&blake3::hash(item.as_bytes()).as_bytes()[..16]);
    out
}

fn decode_value<V: Decode>(bytes: Vec<u8>) -> Option<V> {
    V::decode_all(&mut &bytes[..]).ok()
}

/// Metadata of one storage item.
#[derive(Clone, Debug, serde::Serialize)]
pub struct StorageMeta {
    /// Item name.
    pub name: &'static str,
    /// `value`, `map` or `doubleMap`.
    pub kind: &'static str,
    /// Key types and hashers, outermost first.
    pub keys: Vec<(&'static str, &'static str)>,
    /// The value's Rust type.
    pub value: &'static str,
    /// The `0x`-hex 32-byte prefix.
    pub prefix: String,
    /// Doc lines.
    pub docs: &'static str,
}

/// A single value.
pub trait StorageValue {
    /// The value type.
    type Value: FullCodec;
    /// The pallet's name.
    const PALLET: &'static str;
    /// The item's name.
    const ITEM: &'static str;

    /// The item's storage key.
    fn hashed_key() -> Vec<u8> {
        storage_prefix(Self::PALLET, Self::ITEM).to_vec()
    }
    /// The value, if set.
    fn get() -> Option<Self::Value> {
        unhashed::get(&Self::hashed_key())
    }
    /// The value, or its default.
    fn get_or_default() -> Self::Value
    where
        Self::Value: Default,
    {
        Self::get().unwrap_or_default()
    }
    /// Sets the value.
    fn put(value: &Self::Value) {
        unhashed::put(Self::hashed_key(), value)
    }
    /// Removes the value.
    fn kill() {
        unhashed::kill(Self::hashed_key())
    }
    /// Whether it is set.
    fn exists() -> bool {
        unhashed::exists(&Self::hashed_key())
    }
    /// Changes the value (default if unset) in place.
    fn mutate<R>(f: impl FnOnce(&mut Self::Value) -> R) -> R
    where
        Self::Value: Default,
    {
        let mut value = Self::get_or_default();
        let r = f(&mut value);
        Self::put(&value);
        r
    }
}

/// A map from `Key` to `Value`.
pub trait StorageMap {
    /// The key type.
    type Key: FullCodec;
    /// The value type.
    type Value: FullCodec;
    /// How keys are hashed.
    type Hasher: StorageHasher;
    /// The pallet's name.
    const PALLET: &'static str;
    /// The item's name.
    const ITEM: &'static str;

    /// The prefix of every key of this map.
    fn prefix() -> [u8; 32] {
        storage_prefix(Self::PALLET, Self::ITEM)
    }
    /// The storage key of `key`.
    fn hashed_key(key: &Self::Key) -> Vec<u8> {
        let mut out = Self::prefix().to_vec();
        out.extend(key.using_encoded(Self::Hasher::hash));
        out
    }
    /// The value at `key`.
    fn get(key: &Self::Key) -> Option<Self::Value> {
        unhashed::get(&Self::hashed_key(key))
    }
    /// The value at `key`, or the default.
    fn get_or_default(key: &Self::Key) -> Self::Value
    where
        Self::Value: Default,
    {
        Self::get(key).unwrap_or_default()
    }
    /// Whether `key` is present.
    fn contains_key(key: &Self::Key) -> bool {
        unhashed::exists(&Self::hashed_key(key))
    }
    /// Sets `key` to `value`.
    fn insert(key: &Self::Key, value: &Self::Value) {
        unhashed::put(Self::hashed_key(key), value)
    }
    /// Removes `key`.
    fn remove(key: &Self::Key) {
        unhashed::kill(Self::hashed_key(key))
    }
    /// Removes `key` and returns its value.
    fn take(key: &Self::Key) -> Option<Self::Value> {
        let hashed = Self::hashed_key(key);
        let value = unhashed::get(&hashed);
        unhashed::kill(hashed);
        value
    }
    /// Changes the value at `key` (default if absent) in place.
    fn mutate<R>(key: &Self::Key, f: impl FnOnce(&mut Self::Value) -> R) -> R
    where
        Self::Value: Default,
    {
        let mut value = Self::get_or_default(key);
        let r = f(&mut value);
        Self::insert(key, &value);
        r
    }
    /// Changes the value at `key`; `None` afterwards removes it. Nothing is written on `Err`.
    fn try_mutate_exists<R, E>(
        key: &Self::Key,
        f: impl FnOnce(&mut Option<Self::Value>) -> Result<R, E>,
    ) -> Result<R, E> {
        let hashed = Self::hashed_key(key);
        let mut value = unhashed::get(&hashed);
        let r = f(&mut value)?;
        match value {
            Some(v) => unhashed::put(hashed, &v),
            None => unhashed::kill(hashed),
        }
        Ok(r)
    }
    /// All entries in key-hash order (lazy: one state read per step).
    fn iter() -> PrefixIter<(Self::Key, Self::Value)> {
        let prefix = Self::prefix().to_vec();
        PrefixIter::new(prefix, |suffix, value| {
            let key = Self::Key::decode_all(&mut Self::Hasher::reverse(suffix)).ok()?;
            Some((key, decode_value(value)?))
        })
    }
}

/// A map from `(Key1, Key2)` to `Value`, iterable by `Key1`.
pub trait StorageDoubleMap {
    /// The first key type.
    type Key1: FullCodec;
    /// The second key type.
    type Key2: FullCodec;
    /// The value type.
    type Value: FullCodec;
    /// How the first key is hashed.
    type Hasher1: StorageHasher;
    /// How the second key is hashed.
    type Hasher2: StorageHasher;
    /// The pallet's name.
    const PALLET: &'static str;
    /// The item's name.
    const ITEM: &'static str;

    /// The prefix of every key of this map.
    fn prefix() -> [u8; 32] {
        storage_prefix(Self::PALLET, Self::ITEM)
    }
    /// The prefix of every key under `k1`.
    fn prefix_of(k1: &Self::Key1) -> Vec<u8> {
        let mut out = Self::prefix().to_vec();
        out.extend(k1.using_encoded(Self::Hasher1::hash));
        out
    }
    /// The storage key of `(k1, k2)`.
    fn hashed_key(k1: &Self::Key1, k2: &Self::Key2) -> Vec<u8> {
        let mut out = Self::prefix_of(k1);
        out.extend(k2.using_encoded(Self::Hasher2::hash));
        out
    }
    /// The value at `(k1, k2)`.
    fn get(k1: &Self::Key1, k2: &Self::Key2) -> Option<Self::Value> {
        unhashed::get(&Self::hashed_key(k1, k2))
    }
    /// Whether `(k1, k2)` is present.
    fn contains_key(k1: &Self::Key1, k2: &Self::Key2) -> bool {
        unhashed::exists(&Self::hashed_key(k1, k2))
    }
    /// Sets `(k1, k2)` to `value`.
    fn insert(k1: &Self::Key1, k2: &Self::Key2, value: &Self::Value) {
        unhashed::put(Self::hashed_key(k1, k2), value)
    }
    /// Removes `(k1, k2)`.
    fn remove(k1: &Self::Key1, k2: &Self::Key2) {
        unhashed::kill(Self::hashed_key(k1, k2))
    }
    /// Entries under `k1` in key-hash order.
    fn iter_prefix(k1: &Self::Key1) -> PrefixIter<(Self::Key2, Self::Value)> {
        PrefixIter::new(Self::prefix_of(k1), |suffix, value| {
            let key = Self::Key2::decode_all(&mut Self::Hasher2::reverse(suffix)).ok()?;
            Some((key, decode_value(value)?))
        })
    }
    /// Removes every entry under `k1`; returns how many.
    fn remove_prefix(k1: &Self::Key1) -> u32 {
        unhashed::clear_prefix(&Self::prefix_of(k1))
    }
    /// Removes at most `limit` entries under `k1`; returns how many, and whether none is left
    /// ([`unhashed::clear_prefix_limited`]).
    fn remove_prefix_limited(k1: &Self::Key1, limit: u32) -> (u32, bool) {
        unhashed::clear_prefix_limited(&Self::prefix_of(k1), limit)
    }
    /// Whether any entry exists under `k1` (one read).
    fn contains_prefix(k1: &Self::Key1) -> bool {
        unhashed::prefix_exists(&Self::prefix_of(k1))
    }
}

/// Lazily walks the keys under a prefix in order, decoding each entry.
pub struct PrefixIter<T> {
    prefix: Vec<u8>,
    cursor: Vec<u8>,
    decode: fn(&[u8], Vec<u8>) -> Option<T>,
    done: bool,
    _marker: PhantomData<T>,
}

impl<T> PrefixIter<T> {
    fn new(prefix: Vec<u8>, decode: fn(&[u8], Vec<u8>) -> Option<T>) -> Self {
        PrefixIter {
            cursor: prefix.clone(),
            prefix,
            decode,
            done: false,
            _marker: PhantomData,
        }
    }

    /// Continues after the raw storage key `key` (for paginated queries).
    pub fn starting_after(mut self, key: Vec<u8>) -> Self {
        if key.starts_with(&self.prefix) {
            self.cursor = key;
        }
        self
    }

    /// The raw storage key of the last entry returned (a pagination cursor).
    pub fn last_raw_key(&self) -> &[u8] {
        &self.cursor
    }
}

impl<T> Iterator for PrefixIter<T> {
    type Item = T;
    fn next(&mut self) -> Option<T> {
        while !self.done {
            let next = with_ext(|ext| ext.next_key(&self.cursor));
            let Some(key) = next.filter(|k| k.starts_with(&self.prefix)) else {
                self.done = true;
                return None;
            };
            let value = with_ext(|ext| ext.get(&key));
            self.cursor = key;
            if let Some(item) =
                value.and_then(|v| (self.decode)(&self.cursor[self.prefix.len()..], v))
            {
                return Some(item);
            }
        }
        None
    }
}

/// Declares a [`StorageValue`] item:
/// ```ignore
/// storage_value!("System",
///     /// The current block number.
///     pub Number: BlockNumber
/// );
/// ```
#[macro_export]
macro_rules! storage_value {
    ($pallet:expr, $(#[doc = $doc:literal])* $vis:vis $name:ident: $value:ty $(,)?) => {
        $(#[doc = $doc])*
        $vis struct $name;
        impl $crate::storage::StorageValue for $name {
            type Value = $value;
            const PALLET: &'static str = $pallet;
            const ITEM: &'static str = stringify!($name);
            fn hashed_key() -> Vec<u8> {
                static PREFIX: std::sync::OnceLock<[u8; 32]> = std::sync::OnceLock::new();
                PREFIX
                    .get_or_init(|| $crate::storage::storage_prefix($pallet, stringify!($name)))
                    .to_vec()
            }
        }
        impl $name {
            /// This item's metadata.
            #[allow(dead_code)]
            pub fn meta() -> $crate::storage::StorageMeta {
                $crate::storage::StorageMeta {
                    name: stringify!($name),
                    kind: "value",
                    keys: vec![],
                    value: stringify!($value),
                    prefix: $crate::ghost_primitives::bytes::encode_hex(&$crate::storage::storage_prefix($pallet, stringify!($name))),
                    docs: concat!($($doc),*).trim_ascii(),
                }
            }
        }
    };
}

/// Declares a [`StorageMap`]:
/// `storage_map!("System", /// doc \n pub Account: map Blake3_128Concat AccountId => AccountInfo);`
#[macro_export]
macro_rules! storage_map {
    ($pallet:expr, $(#[doc = $doc:literal])* $vis:vis $name:ident: map $hasher:ident $key:ty => $value:ty $(,)?) => {
        $(#[doc = $doc])*
        $vis struct $name;
        impl $crate::storage::StorageMap for $name {
            type Key = $key;
            type Value = $value;
            type Hasher = $crate::storage::$hasher;
            const PALLET: &'static str = $pallet;
            const ITEM: &'static str = stringify!($name);
            fn prefix() -> [u8; 32] {
                static PREFIX: std::sync::OnceLock<[u8; 32]> = std::sync::OnceLock::new();
                *PREFIX.get_or_init(|| $crate::storage::storage_prefix($pallet, stringify!($name)))
            }
        }
        impl $name {
            /// This item's metadata.
            #[allow(dead_code)]
            pub fn meta() -> $crate::storage::StorageMeta {
                $crate::storage::StorageMeta {
                    name: stringify!($name),
                    kind: "map",
                    keys: vec![(stringify!($key), stringify!($hasher))],
                    value: stringify!($value),
                    prefix: $crate::ghost_primitives::bytes::encode_hex(&$crate::storage::storage_prefix($pallet, stringify!($name))),
                    docs: concat!($($doc),*).trim_ascii(),
                }
            }
        }
    };
}

/// Declares a [`StorageDoubleMap`]:
/// `storage_double_map!("Domains", /// doc \n pub Owned: double_map Blake3_128Concat AccountId, Identity Hash => ());`
#[macro_export]
macro_rules! storage_double_map {
    ($pallet:expr, $(#[doc = $doc:literal])* $vis:vis $name:ident: double_map $h1:ident $k1:ty, $h2:ident $k2:ty => $value:ty $(,)?) => {
        $(#[doc = $doc])*
        $vis struct $name;
        impl $crate::storage::StorageDoubleMap for $name {
            type Key1 = $k1;
            type Key2 = $k2;
            type Value = $value;
            type Hasher1 = $crate::storage::$h1;
            type Hasher2 = $crate::storage::$h2;
            const PALLET: &'static str = $pallet;
            const ITEM: &'static str = stringify!($name);
            fn prefix() -> [u8; 32] {
                static PREFIX: std::sync::OnceLock<[u8; 32]> = std::sync::OnceLock::new();
                *PREFIX.get_or_init(|| $crate::storage::storage_prefix($pallet, stringify!($name)))
            }
        }
        impl $name {
            /// This item's metadata.
            #[allow(dead_code)]
            pub fn meta() -> $crate::storage::StorageMeta {
                $crate::storage::StorageMeta {
                    name: stringify!($name),
                    kind: "doubleMap",
                    keys: vec![(stringify!($k1), stringify!($h1)), (stringify!($k2), stringify!($h2))],
                    value: stringify!($value),
                    prefix: $crate::ghost_primitives::bytes::encode_hex(&$crate::storage::storage_prefix($pallet, stringify!($name))),
                    docs: concat!($($doc),*).trim_ascii(),
                }
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::TestExternalities;

    storage_value!("Test",
        /// A counter.
        pub Counter: u32
    );
    storage_map!("Test",
        /// Balances by id.
        pub Balances: map Blake3_128Concat u32 => u64
    );
    storage_double_map!("Test",
        /// Allowances.
        pub Allowance: double_map Blake3_128Concat u32, Identity u32 => u64
    );

    #[test]
    fn values_and_maps_read_what_was_written() {
        TestExternalities::default().execute_with(|| {
            assert_eq!(Counter::get(), None);
            Counter::mutate(|c| *c += 2);
            assert_eq!(Counter::get(), Some(2));
            Balances::insert(&1, &10);
            Balances::insert(&2, &20);
            assert_eq!(Balances::get(&1), Some(10));
            assert_eq!(Balances::take(&1), Some(10));
            assert!(!Balances::contains_key(&1));
            let all: Vec<_> = Balances::iter().collect();
            assert_eq!(all, vec![(2, 20)]);
            assert_eq!(Counter::meta().docs, "A counter.");
        });
    }

    #[test]
    fn double_map_iterates_and_clears_one_prefix() {
        TestExternalities::default().execute_with(|| {
            for k2 in [3u32, 1, 2] {
                Allowance::insert(&7, &k2, &u64::from(k2));
            }
            Allowance::insert(&8, &1, &100);
            let under_7: Vec<_> = Allowance::iter_prefix(&7).collect();
            assert_eq!(under_7.len(), 3);
            assert_eq!(Allowance::remove_prefix(&7), 3);
            assert_eq!(Allowance::iter_prefix(&7).count(), 0);
            assert_eq!(Allowance::get(&8, &1), Some(100));
        });
    }

    #[test]
    fn double_map_clears_a_prefix_in_bounded_steps() {
        TestExternalities::default().execute_with(|| {
            for k2 in 0u32..5 {
                Allowance::insert(&7, &k2, &u64::from(k2));
            }
            Allowance::insert(&8, &1, &100);
            assert!(Allowance::contains_prefix(&7));
            assert_eq!(Allowance::remove_prefix_limited(&7, 2), (2, false));
            assert_eq!(Allowance::iter_prefix(&7).count(), 3);
            // Exactly the rest: deleted, and known to be done.
            assert_eq!(Allowance::remove_prefix_limited(&7, 3), (3, true));
            assert!(!Allowance::contains_prefix(&7));
            assert_eq!(Allowance::remove_prefix_limited(&7, 3), (0, true));
            assert_eq!(Allowance::remove_prefix_limited(&8, 0), (0, false));
            assert_eq!(Allowance::get(&8, &1), Some(100));
        });
    }

    #[test]
    fn try_mutate_exists_writes_nothing_on_error() {
        TestExternalities::default().execute_with(|| {
            Balances::insert(&1, &5);
            let r: Result<(), &str> = Balances::try_mutate_exists(&1, |v| {
                *v = None;
                Err("no")
            });
            assert!(r.is_err());
            assert_eq!(Balances::get(&1), Some(5));
        });
    }

    #[test]
    fn prefixes_separate_pallets_and_items() {
        assert_ne!(storage_prefix("A", "B"), storage_prefix("B", "A"));
        assert_eq!(
            storage_prefix("System", "Number")[..16],
            storage_prefix("System", "Account")[..16]
        );
    }
}
