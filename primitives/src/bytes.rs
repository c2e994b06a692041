//! Byte strings as `0x`-hex on JSON-RPC.

use core::fmt;

use parity_scale_codec::{Decode, Encode};

/// Why a hex string was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HexError {
    /// The string does not start with `0x`.
    #[error("hex string must start with 0x")]
    MissingPrefix,
    /// A character is not a hex digit or the length is odd.
    #[error("invalid hex: {0}")]
    Invalid(String),
    /// The decoded value has the wrong length.
    #[error("expected {expected} bytes, found {found}")]
    Length {
        /// Bytes expected.
        expected: usize,
        /// Bytes found.
        found: usize,
    },
}

/// Decodes a `0x`-prefixed hex string.
pub fn decode_hex(s: &str) -> Result<Vec<u8>, HexError> {
    let digits = s.strip_prefix("0x").ok_or(HexError::MissingPrefix)?;
    hex::decode(digits).map_err(|e| HexError::Invalid(e.to_string()))
}

/// Encodes bytes as a `0x`-prefixed lowercase hex string.
pub fn encode_hex(bytes: &[u8]) -> String {
    format!("0x{}", hex::encode(bytes))
}

/// An owned byte string that serializes as `0x`-hex and SCALE-encodes as `Vec<u8>`.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Encode, Decode)]
pub struct Bytes(pub Vec<u8>);

impl fmt::Debug for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&encode_hex(&self.0))
    }
}

impl From<Vec<u8>> for Bytes {
    fn from(v: Vec<u8>) -> Self {
        Bytes(v)
    }
}

impl core::ops::Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.0
    }
}

impl serde::Serialize for Bytes {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&encode_hex(&self.0))
    }
}

impl<'de> serde::Deserialize<'de> for Bytes {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        decode_hex(&s).map(Bytes).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn refuses_missing_prefix_and_odd_length() {
        assert_eq!(decode_hex("abcd"), Err(HexError::MissingPrefix));
        assert!(matches!(decode_hex("0xabc"), Err(HexError::Invalid(_))));
        assert!(serde_json::from_str::<Bytes>("\"0xzz\"").is_err());
    }

    proptest! {
        #[test]
        fn json_and_scale_round_trip(v in proptest::collection::vec(any::<u8>(), 0..200)) {
            let b = Bytes(v);
            let json = serde_json::to_string(&b).unwrap();
            prop_assert_eq!(serde_json::from_str::<Bytes>(&json).unwrap(), b.clone());
            prop_assert_eq!(Bytes::decode(&mut &b.encode()[..]).unwrap(), b);
        }

        #[test]
        fn random_strings_never_panic(s in ".{0,80}") {
            let _ = decode_hex(&s);
        }
    }
}
