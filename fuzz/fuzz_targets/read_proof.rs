//! Read proofs from untrusted servers: verification never panics on any proof, root or key.
#![no_main]

use ghost_trie::{ReadProof, verify_read_proof};
use libfuzzer_sys::fuzz_target;
use parity_scale_codec::Decode;

fuzz_target!(|data: &[u8]| {
    if data.len() < 33 {
        return;
    }
    let root: [u8; 32] = data[..32].try_into().expect("32 bytes");
    let key_len = usize::from(data[32]) % 64;
    let rest = &data[33..];
    let (key, proof_bytes) = rest.split_at(key_len.min(rest.len()));
    if let Ok(proof) = ReadProof::decode(&mut &proof_bytes[..]) {
        let _ = verify_read_proof(&root, &proof, key);
    }
});
