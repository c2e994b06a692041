//! Contract code from anyone: WASM-lite validation never panics and refuses what it cannot bound.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = pallet_contracts::wasm::validate::validate(data, &pallet_contracts::Schedule::DEFAULT.limits);
});
