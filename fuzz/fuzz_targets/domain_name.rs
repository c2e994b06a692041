//! Names from RPC, gRPC and DNS: parsing and SCALE decoding never panic, accept only canonical
//! names, and agree with each other.
#![no_main]

use ghost_primitives::DomainName;
use libfuzzer_sys::fuzz_target;
use parity_scale_codec::{Decode, Encode};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(name) = DomainName::parse(text)
    {
        assert_eq!(name.as_str(), text);
        assert_eq!(DomainName::decode(&mut &name.encode()[..]).expect("round trip"), name);
        let _ = name.namehash();
        let _ = name.parent();
    }
    if let Ok(name) = DomainName::decode(&mut &data[..]) {
        assert!(DomainName::parse(name.as_str()).is_ok());
    }
});
