//! The chain's hash: blake3-256.

use core::fmt;
use core::str::FromStr;

use parity_scale_codec::{Decode, Encode, MaxEncodedLen};

use crate::bytes::{HexError, decode_hex};

/// A 32-byte blake3 hash (of a header, an extrinsic, a state root, a name).
#[derive(
    Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Encode, Decode, MaxEncodedLen,
)]
pub struct Hash(pub [u8; 32]);

/// blake3-256 of `data`.
pub fn blake3_256(data: &[u8]) -> Hash {
    Hash(*blake3::hash(data).as_bytes())
}

impl Hash {
    /// The all-zero hash (parent of genesis).
    pub const ZERO: Hash = Hash([0u8; 32]);

    /// blake3-256 of the SCALE encoding of `value`.
    pub fn of_encoded<T: Encode>(value: &T) -> Hash {
        value.using_encoded(blake3_256)
    }

    /// The raw bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl AsRef<[u8]> for Hash {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl From<[u8; 32]> for Hash {
    fn from(bytes: [u8; 32]) -> Self {
        Hash(bytes)
    }
}

impl fmt::Display for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "0x{}", hex::encode(self.0))
    }
}

impl fmt::Debug for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl FromStr for Hash {
    type Err = HexError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bytes = decode_hex(s)?;
        let array: [u8; 32] = bytes.try_into().map_err(|v: Vec<u8>| HexError::Length {
            expected: 32,
            found: v.len(),
        })?;
        Ok(Hash(array))
    }
}

impl serde::Serialize for Hash {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Hash {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn blake3_of_empty_matches_reference_vector() {
        assert_eq!(
            blake3_256(b"").to_string(),
            "0xaf1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262"
        );
    }

    #[test]
    fn parse_rejects_wrong_length_and_missing_prefix() {
        assert!("0x1234".parse::<Hash>().is_err());
        assert!("zz".parse::<Hash>().is_err());
    }

    proptest! {
        #[test]
        fn scale_and_json_round_trip(bytes in any::<[u8; 32]>()) {
            let h = Hash(bytes);
            prop_assert_eq!(Hash::decode(&mut &h.encode()[..]).unwrap(), h);
            let json = serde_json::to_string(&h).unwrap();
            prop_assert_eq!(serde_json::from_str::<Hash>(&json).unwrap(), h);
        }
    }
}
