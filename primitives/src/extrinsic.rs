//! Signed extrinsics: a call plus who signed it, their nonce, mortality and tip.
//!
//! The signature covers [`SignedPayload`]: the call, the [`ExtrinsicExtra`], the genesis hash,
//! the runtime `spec_version` and the hash of the era's birth block (the genesis hash for an
//! immortal extrinsic). What is signed is the blake3 hash of the payload's SCALE encoding, so a
//! signature is always over 32 bytes whatever the call's size.

use parity_scale_codec::{Decode, Encode};

use crate::crypto::{AccountId, Pair, Signature};
use crate::hash::Hash;
use crate::{Balance, BlockNumber, Nonce};

/// How long an extrinsic stays valid.
#[derive(
    Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "camelCase")]
pub enum Era {
    /// Valid forever (until its nonce is used).
    Immortal,
    /// Valid in blocks `birth + 1 ..= birth + period`; signs the hash of block `birth`, so it
    /// is only valid on the fork that contains that block.
    Mortal {
        /// The block the extrinsic was built on.
        birth: BlockNumber,
        /// How many blocks after `birth` it may be included in.
        period: u32,
    },
}

impl Era {
    /// The block whose hash the payload signs (`None` for immortal: the genesis hash is used).
    pub fn birth(&self) -> Option<BlockNumber> {
        match self {
            Era::Immortal => None,
            Era::Mortal { birth, .. } => Some(*birth),
        }
    }

    /// Whether an extrinsic of this era may be included in block `number`.
    pub fn is_alive_at(&self, number: BlockNumber) -> bool {
        match self {
            Era::Immortal => true,
            Era::Mortal { birth, period } => {
                number > *birth && number <= birth.saturating_add(u64::from(*period))
            }
        }
    }

    /// The last block it may be included in.
    pub fn death(&self) -> BlockNumber {
        match self {
            Era::Immortal => BlockNumber::MAX,
            Era::Mortal { birth, period } => birth.saturating_add(u64::from(*period)),
        }
    }
}

/// The signed extras of an extrinsic.
#[derive(
    Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, serde::Serialize, serde::Deserialize,
)]
pub struct ExtrinsicExtra {
    /// Mortality.
    pub era: Era,
    /// The signer's nonce: must equal the account's next index to be included.
    #[codec(compact)]
    pub nonce: Nonce,
    /// Paid on top of the fee; raises the priority in the pool.
    #[codec(compact)]
    pub tip: Balance,
}

/// What a signer signs (hashed with blake3 first).
#[derive(Encode)]
pub struct SignedPayload<'a, Call: Encode> {
    /// The call.
    pub call: &'a Call,
    /// Nonce, era, tip.
    pub extra: &'a ExtrinsicExtra,
    /// The chain's genesis hash: no replay on another chain.
    pub genesis_hash: Hash,
    /// The runtime's spec version: no replay across runtime upgrades.
    pub spec_version: u32,
    /// The hash of the era's birth block (the genesis hash if immortal): no replay on other forks.
    pub birth_hash: Hash,
}

impl<Call: Encode> SignedPayload<'_, Call> {
    /// The 32 bytes that are signed.
    pub fn signing_message(&self) -> [u8; 32] {
        *blake3::hash(&self.encode()).as_bytes()
    }
}

/// A transaction: a call, its signer, a signature and the signed extras.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode)]
pub struct SignedExtrinsic<Call> {
    /// Who signed and pays.
    pub signer: AccountId,
    /// ed25519 signature over the [`SignedPayload`].
    pub signature: Signature,
    /// Nonce, era, tip.
    pub extra: ExtrinsicExtra,
    /// What to dispatch.
    pub call: Call,
}

/// The chain context a signature is bound to.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct SigningContext {
    /// The chain's genesis hash.
    pub genesis_hash: Hash,
    /// The runtime's spec version.
    pub spec_version: u32,
    /// Hash of the era's birth block, or the genesis hash for an immortal extrinsic.
    pub birth_hash: Hash,
}

impl<Call: Encode> SignedExtrinsic<Call> {
    /// Builds and signs an extrinsic.
    pub fn new_signed(call: Call, pair: &Pair, extra: ExtrinsicExtra, ctx: SigningContext) -> Self {
        let message = Self::message(&call, &extra, &ctx);
        SignedExtrinsic {
            signer: pair.public(),
            signature: pair.sign(&message),
            extra,
            call,
        }
    }

    /// The message this extrinsic's signature must cover in `ctx`.
    pub fn signing_message(&self, ctx: &SigningContext) -> [u8; 32] {
        Self::message(&self.call, &self.extra, ctx)
    }

    fn message(call: &Call, extra: &ExtrinsicExtra, ctx: &SigningContext) -> [u8; 32] {
        SignedPayload {
            call,
            extra,
            genesis_hash: ctx.genesis_hash,
            spec_version: ctx.spec_version,
            birth_hash: ctx.birth_hash,
        }
        .signing_message()
    }

    /// Checks the signature in `ctx`.
    pub fn verify(&self, ctx: &SigningContext) -> bool {
        self.signature
            .verify(&self.signing_message(ctx), &self.signer)
    }

    /// The extrinsic hash: blake3 of its SCALE encoding (what `author_submitExtrinsic` returns).
    pub fn hash(&self) -> Hash {
        Hash::of_encoded(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ctx() -> SigningContext {
        SigningContext {
            genesis_hash: Hash([1; 32]),
            spec_version: 1,
            birth_hash: Hash([1; 32]),
        }
    }

    fn extra(nonce: Nonce) -> ExtrinsicExtra {
        ExtrinsicExtra {
            era: Era::Immortal,
            nonce,
            tip: 0,
        }
    }

    #[test]
    fn signature_binds_genesis_spec_version_and_birth() {
        let xt = SignedExtrinsic::new_signed(vec![1u8, 2, 3], &Pair::dev("Alice"), extra(0), ctx());
        assert!(xt.verify(&ctx()));
        assert!(!xt.verify(&SigningContext {
            genesis_hash: Hash([2; 32]),
            ..ctx()
        }));
        assert!(!xt.verify(&SigningContext {
            spec_version: 2,
            ..ctx()
        }));
        assert!(!xt.verify(&SigningContext {
            birth_hash: Hash([3; 32]),
            ..ctx()
        }));
        let mut tampered = xt.clone();
        tampered.extra.tip = 5;
        assert!(!tampered.verify(&ctx()));
    }

    #[test]
    fn mortal_era_window() {
        let era = Era::Mortal {
            birth: 10,
            period: 64,
        };
        assert!(!era.is_alive_at(10));
        assert!(era.is_alive_at(11));
        assert!(era.is_alive_at(74));
        assert!(!era.is_alive_at(75));
        assert_eq!(era.death(), 74);
        assert!(Era::Immortal.is_alive_at(u64::MAX));
    }

    proptest! {
        #[test]
        fn extrinsic_round_trips(call in proptest::collection::vec(any::<u8>(), 0..64), nonce in any::<u64>(), tip in any::<u128>(), birth in any::<u64>(), period in any::<u32>(), mortal in any::<bool>()) {
            let era = if mortal { Era::Mortal { birth, period } } else { Era::Immortal };
            let xt = SignedExtrinsic::new_signed(call, &Pair::dev("Bob"), ExtrinsicExtra { era, nonce, tip }, ctx());
            let decoded = SignedExtrinsic::<Vec<u8>>::decode(&mut &xt.encode()[..]).unwrap();
            prop_assert!(decoded.verify(&ctx()));
            prop_assert_eq!(decoded, xt);
        }

        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let _ = SignedExtrinsic::<Vec<u8>>::decode(&mut &bytes[..]);
        }
    }
}
