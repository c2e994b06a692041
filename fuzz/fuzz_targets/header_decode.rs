//! Headers from peers: decoding never panics; hashing a decoded header never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use parity_scale_codec::{Decode, Encode};

fuzz_target!(|data: &[u8]| {
    if let Ok(header) = ghost_primitives::Header::decode(&mut &data[..]) {
        let _ = header.hash();
        let _ = header.pre_hash();
        let _ = header.slot();
        let again = ghost_primitives::Header::decode(&mut &header.encode()[..]).expect("re-decodes");
        assert_eq!(again, header);
    }
});
