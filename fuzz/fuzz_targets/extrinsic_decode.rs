//! Extrinsics from the network or RPC: decoding never panics, and whatever decodes re-encodes to
//! the same bytes (no two encodings of one extrinsic).
#![no_main]

use libfuzzer_sys::fuzz_target;
use parity_scale_codec::Encode;

fuzz_target!(|data: &[u8]| {
    if let Ok(xt) = ghost_runtime::api::decode_extrinsic(data) {
        assert_eq!(xt.encode(), data);
    }
});
