//! ABI selectors and event topics computed at compile time: BLAKE3 of a short string as a
//! `const fn`, so contracts carry no hashing code and pay no fuel for dispatch.
//!
//! The ABI (`docs/WASM-LITE.md`) names a method by `selector = blake3(name)[0..4]`; the SDK
//! also names events by `topic = blake3(name)` (32 bytes). [`blake3_const`] is plain BLAKE3
//! restricted to one chunk (inputs of at most 1 024 bytes), enough for any method or event
//! name; a longer input panics, which is a compile error where it is evaluated in a `const`.
//!
//! This file uses `core` only and is self-contained: the fixtures tests include it by path and
//! check it against the `blake3` crate and `pallet_contracts::selector`.

/// BLAKE3's initialisation vector (SHA-256's).
const IV: [u32; 8] = [
    0x6A09_E667,
    0xBB67_AE85,
    0x3C6E_F372,
    0xA54F_F53A,
    0x510E_527F,
    0x9B05_688C,
    0x1F83_D9AB,
    0x5BE0_CD19,
];

/// The message word permutation applied between rounds.
const MSG_PERMUTATION: [usize; 16] = [2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8];

const CHUNK_START: u32 = 1;
const CHUNK_END: u32 = 2;
const ROOT: u32 = 8;

/// Bytes of one BLAKE3 block and of one chunk.
const BLOCK_LEN: usize = 64;
/// Longest input [`blake3_const`] hashes (one chunk).
pub const MAX_CONST_HASH_INPUT: usize = 1024;

const fn g(s: &mut [u32; 16], a: usize, b: usize, c: usize, d: usize, x: u32, y: u32) {
    s[a] = s[a].wrapping_add(s[b]).wrapping_add(x);
    s[d] = (s[d] ^ s[a]).rotate_right(16);
    s[c] = s[c].wrapping_add(s[d]);
    s[b] = (s[b] ^ s[c]).rotate_right(12);
    s[a] = s[a].wrapping_add(s[b]).wrapping_add(y);
    s[d] = (s[d] ^ s[a]).rotate_right(8);
    s[c] = s[c].wrapping_add(s[d]);
    s[b] = (s[b] ^ s[c]).rotate_right(7);
}

const fn round(s: &mut [u32; 16], m: &[u32; 16]) {
    g(s, 0, 4, 8, 12, m[0], m[1]);
    g(s, 1, 5, 9, 13, m[2], m[3]);
    g(s, 2, 6, 10, 14, m[4], m[5]);
    g(s, 3, 7, 11, 15, m[6], m[7]);
    g(s, 0, 5, 10, 15, m[8], m[9]);
    g(s, 1, 6, 11, 12, m[10], m[11]);
    g(s, 2, 7, 8, 13, m[12], m[13]);
    g(s, 3, 4, 9, 14, m[14], m[15]);
}

/// The compression function; returns the new chaining value (the first 8 output words, which
/// is also the hash when `flags` has `ROOT`).
const fn compress(cv: &[u32; 8], block: &[u32; 16], block_len: u32, flags: u32) -> [u32; 8] {
    // The chunk counter is always 0: only the first chunk is ever hashed.
    let mut s = [
        cv[0], cv[1], cv[2], cv[3], cv[4], cv[5], cv[6], cv[7], IV[0], IV[1], IV[2], IV[3], 0, 0,
        block_len, flags,
    ];
    let mut m = *block;
    let mut r = 0;
    while r < 7 {
        round(&mut s, &m);
        if r < 6 {
            let mut permuted = [0u32; 16];
            let mut i = 0;
            while i < 16 {
                permuted[i] = m[MSG_PERMUTATION[i]];
                i += 1;
            }
            m = permuted;
        }
        r += 1;
    }
    let mut out = [0u32; 8];
    let mut i = 0;
    while i < 8 {
        out[i] = s[i] ^ s[i + 8];
        i += 1;
    }
    out
}

/// BLAKE3 of `input` (at most [`MAX_CONST_HASH_INPUT`] bytes), usable in `const` items.
///
/// # Panics
/// If `input` is longer than one chunk (1 024 bytes).
pub const fn blake3_const(input: &[u8]) -> [u8; 32] {
    assert!(
        input.len() <= MAX_CONST_HASH_INPUT,
        "blake3_const hashes at most 1024 bytes"
    );
    let blocks = if input.is_empty() {
        1
    } else {
        input.len().div_ceil(BLOCK_LEN)
    };
    let mut cv = IV;
    let mut b = 0;
    while b < blocks {
        let start = b * BLOCK_LEN;
        let end = if start + BLOCK_LEN < input.len() {
            start + BLOCK_LEN
        } else {
            input.len()
        };
        let mut words = [0u32; 16];
        let mut i = start;
        while i < end {
            let offset = i - start;
            words[offset / 4] |= (input[i] as u32) << (8 * (offset % 4));
            i += 1;
        }
        let mut flags = 0;
        if b == 0 {
            flags |= CHUNK_START;
        }
        if b + 1 == blocks {
            flags |= CHUNK_END | ROOT;
        }
        cv = compress(&cv, &words, (end - start) as u32, flags);
        b += 1;
    }
    let mut out = [0u8; 32];
    let mut w = 0;
    while w < 8 {
        let bytes = cv[w].to_le_bytes();
        out[4 * w] = bytes[0];
        out[4 * w + 1] = bytes[1];
        out[4 * w + 2] = bytes[2];
        out[4 * w + 3] = bytes[3];
        w += 1;
    }
    out
}

/// The ABI selector of `method`: the first 4 bytes of `blake3(method)`.
///
/// ```
/// # use ghost_contract_sdk::selector;
/// const GET: [u8; 4] = selector("get");
/// ```
pub const fn selector(method: &str) -> [u8; 4] {
    let hash = blake3_const(method.as_bytes());
    [hash[0], hash[1], hash[2], hash[3]]
}

/// The event topic of `name`: `blake3(name)`, the convention the example contracts use for
/// their first topic.
pub const fn topic(name: &str) -> [u8; 32] {
    blake3_const(name.as_bytes())
}
