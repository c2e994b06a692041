//! ENS names, their keccak-256 namehash, and Ethereum addresses, as the ENS bridge stores them.
//!
//! # ENS name
//! An [`EnsName`] is a non-empty name in ENSIP-15 normal form (see [`crate::normalize`]) of at
//! most [`MAX_ENS_NAME_LEN`] bytes. Decoding one from SCALE or JSON checks the same rules, so a
//! stored ENS name always has exactly one spelling.
//!
//! # Namehash (EIP-137)
//! `namehash("") = [0; 32]`, `namehash(label.rest) = keccak256(namehash(rest) ++
//! keccak256(label))`, over the UTF-8 bytes of the normalised labels: the node ENS's registry
//! and resolvers are keyed by. (Ghost names use the same chain with blake3; see
//! [`crate::names`].)
//!
//! # Keccak
//! `keccak256` is the original Keccak-256 (Ethereum's, not NIST SHA3-256), from the `sha3` crate
//! of the RustCrypto generation `alloy-primitives` 1.7 uses, so the ENS oracle shares one copy.

use core::fmt;
use core::str::FromStr;

use parity_scale_codec::{Decode, Encode, Error as CodecError, Input, MaxEncodedLen};
use sha3::{Digest, Keccak256};

use crate::bytes::{HexError, decode_hex};
use crate::normalize::{NormalizeError, normalize_ens};

/// Longest ENS name the chain stores, in bytes (UTF-8).
pub const MAX_ENS_NAME_LEN: usize = 255;

/// Keccak-256 of `data` (Ethereum's hash).
pub fn keccak256(data: &[u8]) -> [u8; 32] {
    Keccak256::digest(data).into()
}

/// The EIP-137 namehash of `name` (labels as given: pass a normalised name).
pub fn ens_namehash(name: &str) -> [u8; 32] {
    if name.is_empty() {
        return [0u8; 32];
    }
    name.rsplit('.').fold([0u8; 32], |node, label| {
        let mut buf = [0u8; 64];
        buf[..32].copy_from_slice(&node);
        buf[32..].copy_from_slice(&keccak256(label.as_bytes()));
        keccak256(&buf)
    })
}

/// Why a string is not an ENS name the chain accepts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnsNameError {
    /// Empty (the root is not a name).
    #[error("ENS name is empty")]
    Empty,
    /// Longer than [`MAX_ENS_NAME_LEN`] bytes.
    #[error("ENS name is {0} bytes long; the limit is 255")]
    TooLong(usize),
    /// ENSIP-15 refuses it.
    #[error(transparent)]
    Invalid(#[from] NormalizeError),
    /// Valid, but not in normal form: submit `normal` instead.
    #[error("ENS name is not normalised (ENSIP-15): use `{normal}`")]
    NotNormalized {
        /// The normal form.
        normal: String,
    },
}

/// A non-empty ENS name in ENSIP-15 normal form (see the module doc).
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EnsName(String);

impl EnsName {
    /// Checks that `s` is a normalised ENS name (as the chain requires).
    pub fn parse(s: &str) -> Result<EnsName, EnsNameError> {
        if s.is_empty() {
            return Err(EnsNameError::Empty);
        }
        if s.len() > MAX_ENS_NAME_LEN {
            return Err(EnsNameError::TooLong(s.len()));
        }
        let normal = normalize_ens(s)?;
        if normal != s {
            return Err(EnsNameError::NotNormalized { normal });
        }
        Ok(EnsName(normal))
    }

    /// Normalises what a user typed (`Nick.ETH` → `nick.eth`) and checks the result.
    pub fn normalize(input: &str) -> Result<EnsName, EnsNameError> {
        let normal = normalize_ens(input)?;
        EnsName::parse(&normal)
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The EIP-137 namehash: the node ENS keys this name by.
    pub fn namehash(&self) -> [u8; 32] {
        ens_namehash(&self.0)
    }
}

impl fmt::Display for EnsName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for EnsName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

impl FromStr for EnsName {
    type Err = EnsNameError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        EnsName::parse(s)
    }
}

impl Encode for EnsName {
    fn size_hint(&self) -> usize {
        self.0.size_hint()
    }
    fn encode_to<T: parity_scale_codec::Output + ?Sized>(&self, dest: &mut T) {
        self.0.encode_to(dest)
    }
}

impl parity_scale_codec::EncodeLike for EnsName {}

impl Decode for EnsName {
    fn decode<I: Input>(input: &mut I) -> Result<Self, CodecError> {
        let len = parity_scale_codec::Compact::<u32>::decode(input)?.0 as usize;
        if len > MAX_ENS_NAME_LEN {
            return Err("ENS name longer than 255 bytes".into());
        }
        let mut bytes = vec![0u8; len];
        input.read(&mut bytes)?;
        let s = String::from_utf8(bytes).map_err(|_| CodecError::from("ENS name is not UTF-8"))?;
        EnsName::parse(&s).map_err(|_| CodecError::from("ENS name is not normalised"))
    }
}

impl serde::Serialize for EnsName {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for EnsName {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        EnsName::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// A 20-byte Ethereum address. Prints with the EIP-55 mixed-case checksum.
#[derive(
    Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Encode, Decode, MaxEncodedLen,
)]
pub struct EthAddress(pub [u8; 20]);

/// Why a string is not an Ethereum address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EthAddressError {
    /// Not `0x` and 40 hex digits.
    #[error(transparent)]
    Hex(#[from] HexError),
    /// Mixed case that is not the EIP-55 checksum (a typo).
    #[error("address checksum (EIP-55) does not match")]
    BadChecksum,
}

impl EthAddress {
    /// The address of an uncompressed secp256k1 public key given as its 64-byte `x ++ y`:
    /// the last 20 bytes of its keccak-256.
    pub fn from_public_key(xy: &[u8; 64]) -> EthAddress {
        let hash = keccak256(xy);
        let mut out = [0u8; 20];
        out.copy_from_slice(&hash[12..]);
        EthAddress(out)
    }

    /// The EIP-55 checksummed form (`0x5aAeb6…`).
    pub fn to_checksum(&self) -> String {
        let lower = hex::encode(self.0);
        let hash = keccak256(lower.as_bytes());
        let mut out = String::with_capacity(42);
        out.push_str("0x");
        for (i, c) in lower.chars().enumerate() {
            let nibble = (hash[i / 2] >> (if i % 2 == 0 { 4 } else { 0 })) & 0x0f;
            if c.is_ascii_alphabetic() && nibble >= 8 {
                out.push(c.to_ascii_uppercase());
            } else {
                out.push(c);
            }
        }
        out
    }
}

impl fmt::Display for EthAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_checksum())
    }
}

impl fmt::Debug for EthAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl FromStr for EthAddress {
    type Err = EthAddressError;
    /// Accepts all-lowercase, all-uppercase or correctly checksummed hex.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bytes = decode_hex(s)?;
        let raw: [u8; 20] = bytes.try_into().map_err(|b: Vec<u8>| HexError::Length {
            expected: 20,
            found: b.len(),
        })?;
        let address = EthAddress(raw);
        let digits = &s[2..];
        let mixed = digits.chars().any(|c| c.is_ascii_lowercase())
            && digits.chars().any(|c| c.is_ascii_uppercase());
        if mixed && address.to_checksum() != s {
            return Err(EthAddressError::BadChecksum);
        }
        Ok(address)
    }
}

impl serde::Serialize for EthAddress {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_checksum())
    }
}

impl<'de> serde::Deserialize<'de> for EthAddress {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn hex32(s: &str) -> [u8; 32] {
        hex::decode(s).unwrap().try_into().unwrap()
    }

    /// Keccak-256 (not SHA3-256) of the empty string and of "abc", as Ethereum tools print them.
    #[test]
    fn keccak_vectors() {
        assert_eq!(
            keccak256(b""),
            hex32("c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")
        );
        assert_eq!(
            keccak256(b"abc"),
            hex32("4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45")
        );
    }

    /// The vectors of EIP-137 and ENS's `eth-ens-namehash` test suite.
    #[test]
    fn namehash_vectors() {
        assert_eq!(ens_namehash(""), [0u8; 32]);
        assert_eq!(
            ens_namehash("eth"),
            hex32("93cdeb708b7545dc668eb9280176169d1c33cfd8ed6f04690a0bcc88a93fc4ae")
        );
        assert_eq!(
            ens_namehash("foo.eth"),
            hex32("de9b09fd7c5f901e23a3f19fecc54828e9c848539801e86591bd9801b019f84f")
        );
        assert_eq!(
            EnsName::normalize("Foo.ETH").unwrap().namehash(),
            ens_namehash("foo.eth")
        );
    }

    #[test]
    fn names_must_be_normal_non_empty_and_bounded() {
        assert!(EnsName::parse("vitalik.eth").is_ok());
        assert_eq!(EnsName::parse(""), Err(EnsNameError::Empty));
        assert_eq!(
            EnsName::parse("Vitalik.eth"),
            Err(EnsNameError::NotNormalized {
                normal: "vitalik.eth".into()
            })
        );
        assert!(matches!(
            EnsName::parse("a..eth"),
            Err(EnsNameError::Invalid(_))
        ));
        let long = format!("{}.eth", "a".repeat(252));
        assert_eq!(EnsName::parse(&long), Err(EnsNameError::TooLong(256)));
        let bad = "Vitalik.eth".to_string().encode();
        assert!(EnsName::decode(&mut &bad[..]).is_err());
        let good = EnsName::parse("\u{1f4a9}.eth").unwrap();
        assert_eq!(EnsName::decode(&mut &good.encode()[..]).unwrap(), good);
    }

    /// EIP-55's own examples.
    #[test]
    fn eip55_checksums() {
        for s in [
            "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
            "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
            "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
            "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
        ] {
            let address: EthAddress = s.parse().unwrap();
            assert_eq!(address.to_checksum(), s);
            assert_eq!(
                s.to_lowercase().parse::<EthAddress>().unwrap(),
                address,
                "lowercase is accepted"
            );
        }
        assert_eq!(
            "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD".parse::<EthAddress>(),
            Err(EthAddressError::BadChecksum)
        );
        assert!("0x5aaeb6".parse::<EthAddress>().is_err());
    }

    proptest! {
        #[test]
        fn addresses_round_trip_through_text(raw in any::<[u8; 20]>()) {
            let address = EthAddress(raw);
            prop_assert_eq!(address.to_checksum().parse::<EthAddress>(), Ok(address));
            let json = serde_json::to_string(&address).unwrap();
            prop_assert_eq!(serde_json::from_str::<EthAddress>(&json).unwrap(), address);
        }

        /// The namehash of `label.parent` follows from the parent's node and the label alone.
        #[test]
        fn namehash_chains_over_labels(labels in proptest::collection::vec("[a-z0-9]{1,10}", 1..4)) {
            let name = labels.join(".");
            let (first, rest) = name.split_once('.').unwrap_or((name.as_str(), ""));
            let mut buf = ens_namehash(rest).to_vec();
            buf.extend_from_slice(&keccak256(first.as_bytes()));
            prop_assert_eq!(keccak256(&buf), ens_namehash(&name));
        }

        #[test]
        fn arbitrary_bytes_never_panic_when_decoded(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            if let Ok(name) = EnsName::decode(&mut &bytes[..]) {
                prop_assert!(EnsName::parse(name.as_str()).is_ok());
            }
        }
    }
}
