//! The debug buffer of one top-level call: what the `debug_message` host function appends, as
//! pallet-contracts' `seal_debug_message`. Only dry runs ([`crate::Pallet::dry_run_call`],
//! [`crate::Pallet::dry_run_instantiate`]) collect one; in a transaction the host function
//! charges its fuel, checks its pointer and drops the message.
//!
//! Every frame of a call, nested ones included, appends to the same buffer, bounded by
//! [`crate::Limits::max_debug_buffer_len`] bytes in total. Messages are UTF-8 (invalid bytes
//! become U+FFFD); a message that does not fit is cut at a character boundary and the caller
//! gets [`ReturnCode::DebugBufferFull`]. Messages survive the revert of the frame that wrote
//! them: they are how a reverted or trapped call says why.

use std::cell::RefCell;
use std::rc::Rc;

use crate::ReturnCode;

/// A bounded UTF-8 buffer of debug messages.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DebugBuffer {
    text: String,
    limit: usize,
}

/// The buffer shared by every frame of one call.
pub(crate) type SharedDebug = Rc<RefCell<DebugBuffer>>;

impl DebugBuffer {
    /// An empty buffer holding at most `limit` bytes.
    pub fn new(limit: usize) -> Self {
        DebugBuffer {
            text: String::new(),
            limit,
        }
    }

    /// Bytes that still fit.
    pub fn room(&self) -> usize {
        self.limit.saturating_sub(self.text.len())
    }

    /// Appends `message` (invalid UTF-8 replaced). [`ReturnCode::Success`] if all of it fit,
    /// else as much as fits, cut at a character boundary, and [`ReturnCode::DebugBufferFull`].
    pub fn append(&mut self, message: &[u8]) -> ReturnCode {
        let text = String::from_utf8_lossy(message);
        let room = self.room();
        if text.len() <= room {
            self.text.push_str(&text);
            return ReturnCode::Success;
        }
        let mut cut = room;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        self.text.push_str(&text[..cut]);
        ReturnCode::DebugBufferFull
    }

    /// The collected text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The collected text, consuming the buffer.
    pub fn into_string(self) -> String {
        self.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appends_until_the_limit_then_cuts_at_a_char_boundary() {
        let mut buffer = DebugBuffer::new(9);
        assert_eq!(buffer.append(b"abc"), ReturnCode::Success);
        assert_eq!(buffer.append(b"de"), ReturnCode::Success);
        // 4 bytes left: "f" and one "é" (2 bytes) fit, half of the second "é" would not.
        assert_eq!(buffer.append("féé".as_bytes()), ReturnCode::DebugBufferFull);
        assert_eq!(buffer.as_str(), "abcdefé");
        // One byte left and the next character needs two: nothing of it is kept.
        assert_eq!(buffer.append("é".as_bytes()), ReturnCode::DebugBufferFull);
        assert_eq!(buffer.as_str(), "abcdefé");
        assert_eq!(buffer.room(), 1);
    }

    #[test]
    fn invalid_utf8_is_replaced_not_refused() {
        let mut buffer = DebugBuffer::new(64);
        assert_eq!(buffer.append(&[b'a', 0xff, b'b']), ReturnCode::Success);
        assert_eq!(buffer.into_string(), "a\u{fffd}b");
    }
}
