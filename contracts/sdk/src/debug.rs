//! Debug messages: text a dry run (`contracts_call`, `contracts_instantiate`,
//! `ghost contract query`) shows its caller as `debugMessage`, as ink!'s `debug_println!` over
//! pallet-contracts' `seal_debug_message`.
//!
//! In a transaction the host drops the message (its fuel is still charged: a base price plus
//! one per byte, at most 16 KiB), so messages cost little but not nothing. The SDK writes one
//! itself when a contract panics ([`panic_message`], "panicked at FILE:LINE:COL" and the
//! message if it is a plain string) and when [`contract!`](crate::contract) refuses call data
//! ("ghost: unknown selector", ...).

use crate::env::len32;
use crate::sys;

/// Appends `text` to the call's debug buffer. `true` if all of it was kept; `false` when the
/// buffer is full (the text was cut) or the run collects no messages (a transaction).
pub fn message(text: &str) -> bool {
    // SAFETY: `text` is valid for reads of its length.
    unsafe { sys::debug_message(text.as_ptr(), len32(text.as_bytes())) == 0 }
}

/// Longest panic message [`panic_message`] writes; longer file names and messages are cut.
pub const MAX_PANIC_MESSAGE: usize = 256;

/// A fixed-size text buffer that cuts what does not fit (no allocation, no `core::fmt`).
struct Text {
    buf: [u8; MAX_PANIC_MESSAGE],
    len: usize,
}

impl Text {
    fn push(&mut self, bytes: &[u8]) {
        let n = bytes.len().min(self.buf.len() - self.len);
        self.buf[self.len..self.len + n].copy_from_slice(&bytes[..n]);
        self.len += n;
    }

    fn push_u32(&mut self, mut n: u32) {
        let mut digits = [0u8; 10];
        let mut i = digits.len();
        loop {
            i -= 1;
            digits[i] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        self.push(&digits[i..]);
    }
}

/// Writes "panicked at FILE:LINE:COL" (and ": MESSAGE" when the panic message is a plain string,
/// as `panic!("...")`, `unwrap()` and `expect("...")` give) to the debug buffer, at most
/// [`MAX_PANIC_MESSAGE`] bytes. The SDK's panic handler calls it on `wasm32` before trapping;
/// it formats without `core::fmt`, so it adds little code.
pub fn panic_message(info: &core::panic::PanicInfo<'_>) {
    let mut text = Text {
        buf: [0; MAX_PANIC_MESSAGE],
        len: 0,
    };
    text.push(b"panicked");
    if let Some(location) = info.location() {
        text.push(b" at ");
        text.push(location.file().as_bytes());
        text.push(b":");
        text.push_u32(location.line());
        text.push(b":");
        text.push_u32(location.column());
    }
    if let Some(message) = info.message().as_str() {
        text.push(b": ");
        text.push(message.as_bytes());
    }
    // A cut may split a character; the host replaces the broken tail.
    // SAFETY: the first `len` bytes of `buf` are initialised.
    unsafe {
        sys::debug_message(text.buf.as_ptr(), text.len as u32);
    }
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
        assert_eq!(test::call(__ghost_contract_call, "add", &1u64), Outcome::ok(&2u64));
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
        assert_eq!(test::call(__ghost_contract_call, "boom", &()), Outcome::Trapped);
        let text = test::debug_messages();
        assert!(text.starts_with("panicked at "), "{text}");
        assert!(text.contains("debug.rs:"), "{text}");
        assert!(text.ends_with(": boom went the contract"), "{text}");
    }

    #[test]
    fn numbers_and_cuts() {
        let mut text = Text {
            buf: [0; MAX_PANIC_MESSAGE],
            len: 0,
        };
        text.push_u32(0);
        text.push(b" ");
        text.push_u32(4_294_967_295);
        assert_eq!(&text.buf[..text.len], b"0 4294967295");
        text.push(&[b'x'; 300]);
        assert_eq!(text.len, MAX_PANIC_MESSAGE);
    }
}
