//! The link message an ENS owner signs, EIP-191 hashing, and secp256k1 signer recovery.
//!
//! # The link message
//! [`link_message`] is the exact text, five lines joined by `\n`, no trailing newline:
//! ```text
//! GhostChain ENS link
//! ENS name: vitalik.eth
//! Ghost name: vitalik.ghost
//! Ghost account: ghost1…
//! Genesis hash: 0x…
//! ```
//! The ENS name is in ENSIP-15 normal form, the ghost name canonical, the account bech32m, the
//! genesis hash `0x`-lowercase hex. Binding the genesis hash keeps a signature for one chain
//! from being used on another; binding the account and ghost name keeps anyone else from using
//! it (the request must also be sent by that account).
//!
//! # EIP-191 (`personal_sign`)
//! Wallets sign `keccak256("\x19Ethereum Signed Message:\n" ++ decimal byte length ++
//! message)`, which [`personal_message_hash`] computes. [`recover_signer`] returns the address
//! whose key made a 65-byte `r ++ s ++ v` signature of such a hash. High-`s` signatures are
//! refused (EIP-2: each signature has one accepted form), as are `v` values other than
//! 27/28/0/1.

use ghost_primitives::{AccountId, DomainName, EnsName, EthAddress, Hash, keccak256};
use k256::ecdsa::{RecoveryId, Signature, SigningKey, VerifyingKey};

use crate::types::EthSignature;

/// The first line of the link message.
pub const LINK_MESSAGE_TITLE: &str = "GhostChain ENS link";

/// The text the ENS owner signs to link `ens_name` to `ghost_name` for `account` on the chain
/// with `genesis_hash` (see the module doc).
pub fn link_message(
    ens_name: &EnsName,
    ghost_name: &DomainName,
    account: &AccountId,
    genesis_hash: &Hash,
) -> String {
    format!(
        "{LINK_MESSAGE_TITLE}\nENS name: {ens_name}\nGhost name: {ghost_name}\nGhost account: {account}\nGenesis hash: {genesis_hash}"
    )
}

/// The EIP-191 `personal_sign` hash of `message`.
pub fn personal_message_hash(message: &[u8]) -> [u8; 32] {
    let mut data = format!("\x19Ethereum Signed Message:\n{}", message.len()).into_bytes();
    data.extend_from_slice(message);
    keccak256(&data)
}

/// Why no signer could be recovered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RecoverError {
    /// `v` is not 27, 28, 0 or 1.
    #[error("signature recovery byte must be 27, 28, 0 or 1")]
    BadRecoveryByte,
    /// `r` or `s` is zero or not below the curve order.
    #[error("signature is not a valid secp256k1 signature")]
    Malformed,
    /// `s` is in the upper half of the curve order (a malleated signature).
    #[error("signature has a high s value (EIP-2)")]
    HighS,
    /// No public key fits the signature and hash.
    #[error("no key recovers from this signature")]
    NoKey,
}

/// The address whose key signed `prehash` (a 32-byte digest) with `signature`.
pub fn recover_signer(
    prehash: &[u8; 32],
    signature: &EthSignature,
) -> Result<EthAddress, RecoverError> {
    let v = signature.0[64];
    let recovery = match v {
        27 | 28 => v - 27,
        0 | 1 => v,
        _ => return Err(RecoverError::BadRecoveryByte),
    };
    let recovery = RecoveryId::from_byte(recovery).ok_or(RecoverError::BadRecoveryByte)?;
    let sig = Signature::from_slice(&signature.0[..64]).map_err(|_| RecoverError::Malformed)?;
    if sig.normalize_s().is_some() {
        return Err(RecoverError::HighS);
    }
    let key = VerifyingKey::recover_from_prehash(prehash, &sig, recovery)
        .map_err(|_| RecoverError::NoKey)?;
    Ok(address_of(&key))
}

/// The Ethereum address of a secp256k1 public key.
pub fn address_of(key: &VerifyingKey) -> EthAddress {
    let point = key.to_encoded_point(false);
    let mut xy = [0u8; 64];
    // An uncompressed SEC1 point is 0x04 ++ x ++ y: 65 bytes.
    xy.copy_from_slice(&point.as_bytes()[1..]);
    EthAddress::from_public_key(&xy)
}

/// Why a secret key was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not a valid secp256k1 secret key (zero or not below the curve order)")]
pub struct BadSecretKey;

/// An Ethereum key, to sign link messages (the CLI's `--eth-key`, tests).
pub struct EthKey(SigningKey);

impl EthKey {
    /// The key with this 32-byte secret.
    pub fn from_secret(secret: &[u8; 32]) -> Result<EthKey, BadSecretKey> {
        SigningKey::from_bytes(secret.into())
            .map(EthKey)
            .map_err(|_| BadSecretKey)
    }

    /// Its address.
    pub fn address(&self) -> EthAddress {
        address_of(self.0.verifying_key())
    }

    /// `personal_sign` of `message`: a deterministic (RFC 6979), low-`s` signature with `v` of
    /// 27 or 28, as wallets return it.
    pub fn sign_personal(&self, message: &[u8]) -> EthSignature {
        let hash = personal_message_hash(message);
        // Signing a 32-byte prehash with a valid key cannot fail (k256 only refuses prehashes
        // shorter than half the field size).
        let (sig, recovery) = self
            .0
            .sign_prehash_recoverable(&hash)
            .expect("a 32-byte prehash is always signable");
        let mut out = [0u8; 65];
        out[..64].copy_from_slice(&sig.to_bytes());
        out[64] = 27 + recovery.to_byte();
        EthSignature(out)
    }
}
