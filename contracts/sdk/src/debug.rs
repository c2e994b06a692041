//! Debug messages: text a dry run (`contracts_call`, `contracts_instantiate`,
//! `ghost contract query`) shows its caller as `debugMessage`, as ink!'s `debug_println!` over
//! pallet-contracts' `seal_debug_message`.
//!
//! In a transaction the host drops the message (its fuel is still charged: a base price plus
//! one per byte, at most 16 KiB), so messages cost little but not nothing. The SDK writes one
//! itself when a contract panics ([`PANIC_MESSAGE`]) and when [`contract!`](crate::contract)
//! refuses call data ("ghost: unknown selector", ...).

use crate::env::len32;
use crate::sys;

/// Appends `text` to the call's debug buffer. `true` if all of it was kept; `false` when the
/// buffer is full (the text was cut) or the run collects no messages (a transaction).
pub fn message(text: &str) -> bool {
    // SAFETY: `text` is valid for reads of its length.
    unsafe { sys::debug_message(text.as_ptr(), len32(text.as_bytes())) == 0 }
}

/// What the SDK's panic handler writes on `wasm32` before it traps.
///
/// A fixed text, not the location: reading the `PanicInfo` at all keeps every panic site's
/// `core::fmt` arguments (and the integer formatting they point to) alive, which measured
/// 3.4-4.6 KB more per example contract (`counter` 5 543 → 8 921 bytes with the location,
/// 5 883 with this text). Run the contract's unit tests on the host ([`crate::test`]) to see
/// where: the off-chain environment writes this text followed by ` at FILE:LINE:COL: MESSAGE`.
pub const PANIC_MESSAGE: &str = "ghost: contract panicked";

/// Writes [`PANIC_MESSAGE`] to the debug buffer; the panic handler calls it before trapping.
pub fn panic_message() {
    message(PANIC_MESSAGE);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test::{self, DEBUG_BUFFER_LEN, Outcome};
    use crate::{Error, contract};

    contract! {
        deploy => deploy,
        "add" => add(by: u64) -> u64,
        "boom" => boom() -> ()
    }

    fn deploy() -> Result<(), Error> {
        Ok(())
    }

    fn add(by: u64) -> Result<u64, Error> {
        Ok(by + 1)
    }

    fn boom() -> Result<(), Error> {
        panic!("boom went the contract")
    }

    #[test]
    fn messages_are_collected_bounded_and_dropped_when_off() {
        test::reset();
        assert!(message("hello "));
        assert!(message("world"));
        assert_eq!(test::take_debug_messages(), "hello world");

        let big = "x".repeat(DEBUG_BUFFER_LEN - 1);
        assert!(message(&big));
        assert!(!message("yz"), "cut at the limit");
        let kept = test::debug_messages();
        assert_eq!(kept.len(), DEBUG_BUFFER_LEN);
        assert!(kept.ends_with("xy"));

        test::collect_debug_messages(false);
        assert!(!message("dropped"));
        assert_eq!(test::debug_messages(), "");
    }

    #[test]
    fn refused_call_data_names_its_reason() {
        test::reset();
        assert!(GHOST_ABI.contains("\"add\""));
        assert_eq!(
            test::deploy(__ghost_contract_deploy, &()),
            Outcome::Returned(alloc::vec![])
        );
        assert_eq!(
            test::call(__ghost_contract_call, "add", &1u64),
            Outcome::ok(&2u64)
        );
        assert_eq!(test::debug_messages(), "");

        let cases: [(&[u8], &str); 3] = [
            (&test::call_data("nope", &()), "ghost: unknown selector"),
            (&[1, 2], "ghost: call data shorter than a selector"),
            (
                &test::call_data("add", &1u32),
                "ghost: arguments do not decode as the method's parameters",
            ),
        ];
        for (data, reason) in cases {
            let outcome = test::run(__ghost_contract_call, data.to_vec(), 0);
            assert_eq!(outcome, Outcome::Reverted(alloc::vec![]));
            assert_eq!(test::take_debug_messages(), reason);
        }
        test::set_balance(&test::ALICE, 100);
        let paid = test::call_with_value(__ghost_contract_call, "add", &1u64, 5);
        assert_eq!(paid, Outcome::Reverted(alloc::vec![]));
        assert_eq!(
            test::take_debug_messages(),
            "ghost: value sent to a method that is not payable"
        );
    }

    #[test]
    fn a_panic_writes_its_location_and_message() {
        test::reset();
        assert_eq!(
            test::call(__ghost_contract_call, "boom", &()),
            Outcome::Trapped
        );
        let text = test::debug_messages();
        assert!(text.starts_with("ghost: contract panicked at "), "{text}");
        assert!(text.contains("debug.rs:"), "{text}");
        assert!(text.ends_with(": boom went the contract"), "{text}");
    }
}
