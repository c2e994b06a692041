//! Hashing and signatures done by the host (natively, for fuel per byte rather than per WASM
//! instruction): blake3 and strict ed25519 verification.
//!
//! For constant strings (selectors, topics) prefer [`crate::selector`] and [`crate::topic`],
//! computed at compile time.

use crate::env::len32;
use crate::sys;

/// The 32-byte blake3 hash of `data`.
pub fn blake3(data: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    // SAFETY: `data` is live; the host writes 32 bytes.
    unsafe { sys::blake3(data.as_ptr(), len32(data), out.as_mut_ptr()) };
    out
}

/// Whether `signature` is `public_key`'s ed25519 signature of `message` (strict verification:
/// no small-order keys, canonical signatures only). Costs 25 000 fuel plus a fuel per byte.
pub fn ed25519_verify(signature: &[u8; 64], public_key: &[u8; 32], message: &[u8]) -> bool {
    // SAFETY: all three are live, of the sizes the host reads.
    let code = unsafe {
        sys::ed25519_verify(
            signature.as_ptr(),
            public_key.as_ptr(),
            message.as_ptr(),
            len32(message),
        )
    };
    code == 0
}
