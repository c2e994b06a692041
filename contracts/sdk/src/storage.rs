//! Contract storage: raw bytes by key, and the typed helpers [`Lazy`] (one value) and
//! [`Mapping`] (values by key), both SCALE-encoded.
//!
//! ## Key layout
//! A contract's storage is its own (the pallet prefixes every key with the contract's address),
//! so keys only need to be unique within the contract. The typed helpers namespace them by a
//! name chosen by the contract:
//!
//! - `Lazy::new(b"count")` stores at `SCALE(b"count")` (compact length ++ bytes);
//! - `Mapping::new(b"balances")` stores `k` at `SCALE(b"balances") ++ SCALE(k)`.
//!
//! `SCALE(bytes)` is prefix-free, so two different names never share a key. A `Lazy` and a
//! `Mapping` must not use the same name. Keys are at most 128 bytes (the host traps on longer
//! ones) and values at most 16 KiB.
//!
//! ## Invariants
//! Values are written by the contract itself, so a value that does not decode as the type the
//! contract reads it as is a bug in the contract: the typed helpers trap on it.
//!
//! Every write that grows storage costs the transaction's signer a storage deposit (held on the
//! contract's account); a write the signer cannot pay, or its `storage_deposit_limit` does not
//! allow, fails with [`Error::StorageDepositNotCovered`] and writes nothing. Removing a value pays
//! its deposit back to the signer of the transaction that removes it.

use alloc::vec::Vec;
use core::marker::PhantomData;

use parity_scale_codec::{Decode, DecodeAll, Encode, EncodeLike};

use crate::env::{FIRST_BUFFER, len32, read_output, trap};
use crate::error::{Error, Result};
use crate::sys;

/// The raw value at `key`, `None` if unset.
pub fn get_raw(key: &[u8]) -> Option<Vec<u8>> {
    let result = read_output(FIRST_BUFFER, |out, out_len| {
        // SAFETY: `key` is live; the host writes at most the buffer's capacity.
        unsafe { sys::storage_get(key.as_ptr(), len32(key), out, out_len) }
    });
    match result {
        Ok(value) => Some(value),
        Err(Error::KeyNotFound) => None,
        Err(_) => trap(),
    }
}

/// Writes `value` at `key`.
///
/// # Errors
/// [`Error::StorageDepositNotCovered`]: the signer cannot pay (or its limit does not allow) the
/// deposit of the write.
pub fn set_raw(key: &[u8], value: &[u8]) -> Result<()> {
    // SAFETY: both slices are live.
    Error::check(unsafe {
        sys::storage_set(key.as_ptr(), len32(key), value.as_ptr(), len32(value))
    })
}

/// Removes the value at `key`; returns whether there was one.
pub fn remove_raw(key: &[u8]) -> bool {
    // SAFETY: `key` is live.
    match Error::check(unsafe { sys::storage_remove(key.as_ptr(), len32(key)) }) {
        Ok(()) => true,
        Err(Error::KeyNotFound) => false,
        Err(_) => trap(),
    }
}

/// The value at `key` decoded as `T`, `None` if unset.
///
/// Traps if the stored bytes are not a `T` (see the module's invariants).
pub fn get<T: Decode>(key: &[u8]) -> Option<T> {
    let raw = get_raw(key)?;
    Some(T::decode_all(&mut &raw[..]).unwrap_or_else(|_| trap()))
}

/// Writes `SCALE(value)` at `key`.
///
/// # Errors
/// [`Error::StorageDepositNotCovered`], as [`set_raw`].
pub fn set<T: Encode + ?Sized>(key: &[u8], value: &T) -> Result<()> {
    set_raw(key, &value.encode())
}

/// One SCALE value stored under a name.
///
/// ```ignore
/// const TOTAL_SUPPLY: Lazy<u128> = Lazy::new(b"total_supply");
/// TOTAL_SUPPLY.set(&1_000)?;
/// assert_eq!(TOTAL_SUPPLY.get_or_default(), 1_000);
/// ```
pub struct Lazy<T> {
    name: &'static [u8],
    _value: PhantomData<fn() -> T>,
}

impl<T: Encode + Decode> Lazy<T> {
    /// The value stored under `name`.
    pub const fn new(name: &'static [u8]) -> Self {
        Lazy {
            name,
            _value: PhantomData,
        }
    }

    /// The storage key: `SCALE(name)`.
    pub fn key(&self) -> Vec<u8> {
        self.name.encode()
    }

    /// The value, `None` if unset.
    pub fn get(&self) -> Option<T> {
        get(&self.key())
    }

    /// Writes the value.
    ///
    /// # Errors
    /// [`Error::StorageDepositNotCovered`].
    pub fn set(&self, value: &T) -> Result<()> {
        set(&self.key(), value)
    }

    /// Removes the value; returns whether there was one.
    pub fn clear(&self) -> bool {
        remove_raw(&self.key())
    }
}

impl<T: Encode + Decode + Default> Lazy<T> {
    /// The value, or `T::default()` if unset.
    pub fn get_or_default(&self) -> T {
        self.get().unwrap_or_default()
    }
}

/// SCALE values by SCALE key, stored under a name.
///
/// Keys are taken as anything that encodes like `K` (`&K`, or `&str` for `String` keys).
///
/// ```ignore
/// const BALANCES: Mapping<AccountId, u128> = Mapping::new(b"balances");
/// BALANCES.insert(&alice, &10)?;
/// assert_eq!(BALANCES.get(&alice), Some(10));
/// ```
pub struct Mapping<K, V> {
    prefix: &'static [u8],
    _types: PhantomData<fn(K) -> V>,
}

impl<K: Encode, V: Encode + Decode> Mapping<K, V> {
    /// The mapping stored under `prefix`.
    pub const fn new(prefix: &'static [u8]) -> Self {
        Mapping {
            prefix,
            _types: PhantomData,
        }
    }

    /// The storage key of `key`: `SCALE(prefix) ++ SCALE(key)`.
    pub fn key(&self, key: impl EncodeLike<K>) -> Vec<u8> {
        let mut out = self.prefix.encode();
        key.encode_to(&mut out);
        out
    }

    /// The value at `key`, `None` if unset.
    pub fn get(&self, key: impl EncodeLike<K>) -> Option<V> {
        get(&self.key(key))
    }

    /// Whether `key` has a value (reads it: there is no cheaper host function).
    pub fn contains(&self, key: impl EncodeLike<K>) -> bool {
        get_raw(&self.key(key)).is_some()
    }

    /// Writes `value` at `key`.
    ///
    /// # Errors
    /// [`Error::StorageDepositNotCovered`].
    pub fn insert(&self, key: impl EncodeLike<K>, value: &V) -> Result<()> {
        set(&self.key(key), value)
    }

    /// Removes the value at `key`; returns whether there was one.
    pub fn remove(&self, key: impl EncodeLike<K>) -> bool {
        remove_raw(&self.key(key))
    }
}

impl<K: Encode, V: Encode + Decode + Default> Mapping<K, V> {
    /// The value at `key`, or `V::default()` if unset.
    pub fn get_or_default(&self, key: impl EncodeLike<K>) -> V {
        self.get(key).unwrap_or_default()
    }
}
