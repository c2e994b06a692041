//! The human-readable account address: bech32m with the prefix `ghost`.
//!
//! An address is `bech32m("ghost", public_key)`, e.g. `ghost1…` (64 characters). bech32m's
//! BCH checksum detects any error in up to 4 characters and most others, the alphabet avoids
//! look-alike characters, and the whole string is lowercase so it survives DNS and URLs. Only
//! bech32m (not the older bech32) checksums are accepted, and only with the `ghost` prefix.
//! A `0x`-hex public key is also accepted by [`AccountId`]'s `FromStr`, for scripts.

use bech32::primitives::decode::CheckedHrpstring;
use bech32::{Bech32m, Hrp};

use crate::crypto::AccountId;

/// The address prefix.
pub const ADDRESS_HRP: &str = "ghost";

/// Why an address was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    /// Not valid bech32m (bad character, mixed case or wrong checksum).
    #[error("invalid address checksum or characters: {0}")]
    Invalid(String),
    /// A valid bech32m string with another prefix.
    #[error("address prefix must be `ghost`, found `{0}`")]
    WrongPrefix(String),
    /// The payload is not a 32-byte key.
    #[error("address must encode 32 bytes, found {0}")]
    WrongLength(usize),
    /// A `0x` key that is not 32 bytes of hex.
    #[error("hex public key must be 0x followed by 64 hex digits")]
    InvalidHexKey,
}

/// Encodes an account as its address.
pub fn encode(account: &AccountId) -> String {
    let hrp = Hrp::parse_unchecked(ADDRESS_HRP);
    // Encoding 32 bytes under a 5-character prefix is always within bech32's length limit.
    bech32::encode::<Bech32m>(hrp, &account.0).unwrap_or_default()
}

/// Decodes an address.
pub fn decode(address: &str) -> Result<AccountId, AddressError> {
    let checked = CheckedHrpstring::new::<Bech32m>(address)
        .map_err(|e| AddressError::Invalid(e.to_string()))?;
    let hrp = checked.hrp();
    if hrp.as_str() != ADDRESS_HRP {
        return Err(AddressError::WrongPrefix(hrp.to_string()));
    }
    let bytes: Vec<u8> = checked.byte_iter().collect();
    let key: [u8; 32] = bytes
        .try_into()
        .map_err(|v: Vec<u8>| AddressError::WrongLength(v.len()))?;
    Ok(AccountId(key))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::Pair;
    use proptest::prelude::*;

    #[test]
    fn alice_has_a_ghost_address() {
        let address = encode(&Pair::dev("Alice").public());
        assert!(address.starts_with("ghost1"));
        assert_eq!(address.len(), 64);
        assert_eq!(decode(&address).unwrap(), Pair::dev("Alice").public());
    }

    #[test]
    fn a_changed_character_fails_the_checksum() {
        let address = encode(&Pair::dev("Bob").public());
        let mut chars: Vec<char> = address.chars().collect();
        let i = 20;
        chars[i] = if chars[i] == 'q' { 'p' } else { 'q' };
        let broken: String = chars.into_iter().collect();
        assert!(matches!(decode(&broken), Err(AddressError::Invalid(_))));
    }

    #[test]
    fn other_prefixes_and_lengths_are_refused() {
        let other = bech32::encode::<Bech32m>(Hrp::parse("bc").unwrap(), &[1u8; 32]).unwrap();
        assert_eq!(decode(&other), Err(AddressError::WrongPrefix("bc".into())));
        let short = bech32::encode::<Bech32m>(Hrp::parse("ghost").unwrap(), &[1u8; 20]).unwrap();
        assert_eq!(decode(&short), Err(AddressError::WrongLength(20)));
        let old =
            bech32::encode::<bech32::Bech32>(Hrp::parse("ghost").unwrap(), &[1u8; 32]).unwrap();
        assert!(matches!(decode(&old), Err(AddressError::Invalid(_))));
    }

    proptest! {
        #[test]
        fn round_trip(key in any::<[u8; 32]>()) {
            prop_assert_eq!(decode(&encode(&AccountId(key))).unwrap(), AccountId(key));
        }

        #[test]
        fn random_text_never_panics(s in ".{0,100}") {
            let _ = decode(&s);
        }
    }
}
