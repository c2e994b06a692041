//! Records from extrinsics, signed updates and the CLI: SCALE decoding and text parsing never
//! panic, and what decodes is valid.
#![no_main]

use ghost_primitives::{DnsRecord, RecordData};
use libfuzzer_sys::fuzz_target;
use parity_scale_codec::{Decode, Encode};

fuzz_target!(|data: &[u8]| {
    if let Ok(record) = DnsRecord::decode(&mut &data[..]) {
        assert!(record.data.validate().is_ok());
        assert_eq!(DnsRecord::decode(&mut &record.encode()[..]).expect("round trip"), record);
        let _ = record.data.to_string();
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = RecordData::parse_assignment(text);
    }
});
