//! Aura: round-robin authorship by slot, and the checks on an imported header.
//!
//! A slot is `timestamp_ms ÷ slot_duration_ms`. The author of slot `s` is
//! `authorities[s % authorities.len()]`, where `authorities` is the validator set in the state
//! of the block's *parent* (a set change takes effect from the block after the one that enacts
//! it). A header names its slot in a pre-runtime digest item and ends with the author's seal:
//! an ed25519 signature over [`Header::pre_hash`].
//!
//! [`verify_header`] refuses, with a typed [`AuraError`]:
//! - a header without a slot, or whose timestamp is outside that slot;
//! - a slot that is not strictly above the parent's (one author could otherwise mint unlimited
//!   blocks in its slot and win the longest chain);
//! - a slot more than [`AuraParams::max_drift_ms`] ahead of the local clock (timestamps drive
//!   name expiry: an author must not be able to push them forward);
//! - a missing or malformed seal, or a seal that is not the slot author's signature.

use ghost_primitives::{AURA_ENGINE_ID, AccountId, Header, Signature};

/// A slot number.
pub type Slot = u64;

/// The slot rules of a chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AuraParams {
    /// Length of a slot in ms (from the chain spec; at least 1).
    pub slot_duration_ms: u64,
    /// How far ahead of the local clock a block's slot may start, in ms: room for clock skew
    /// between validators. [`DEFAULT_MAX_DRIFT_MS`] unless the node is told otherwise.
    pub max_drift_ms: u64,
}

/// The default allowed clock drift: 1.5 s, a few slots at the local spec's 500 ms (Substrate
/// allows a slot in the future too, and waits for it).
pub const DEFAULT_MAX_DRIFT_MS: u64 = 1_500;

impl AuraParams {
    /// Rules with the default drift.
    pub fn new(slot_duration_ms: u64) -> Self {
        AuraParams {
            slot_duration_ms: slot_duration_ms.max(1),
            max_drift_ms: DEFAULT_MAX_DRIFT_MS,
        }
    }

    /// The slot at `timestamp_ms`.
    pub fn slot_at(&self, timestamp_ms: u64) -> Slot {
        timestamp_ms / self.slot_duration_ms.max(1)
    }

    /// The first ms of `slot`.
    pub fn slot_start(&self, slot: Slot) -> u64 {
        slot.saturating_mul(self.slot_duration_ms.max(1))
    }
}

/// Why a header fails the Aura checks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuraError {
    /// The digest has no Aura slot.
    #[error("no Aura slot in the digest")]
    NoSlot,
    /// The timestamp is not inside the header's slot.
    #[error("timestamp {timestamp_ms} ms is outside slot {slot}")]
    TimestampOutsideSlot {
        /// The header's slot.
        slot: Slot,
        /// The header's timestamp.
        timestamp_ms: u64,
    },
    /// The slot is not above the parent's.
    #[error("slot {slot} is not above the parent's slot {parent_slot}")]
    SlotNotIncreasing {
        /// The header's slot.
        slot: Slot,
        /// The parent's slot.
        parent_slot: Slot,
    },
    /// The slot starts too far ahead of the local clock.
    #[error(
        "slot {slot} starts {ahead_ms} ms ahead of the local clock (allowed: {max_drift_ms} ms)"
    )]
    FutureSlot {
        /// The header's slot.
        slot: Slot,
        /// How far ahead its start is.
        ahead_ms: u64,
        /// The allowed drift.
        max_drift_ms: u64,
    },
    /// The parent's state has no validators.
    #[error("no authorities in the parent's state")]
    NoAuthorities,
    /// No seal, or a seal that is not 64 bytes.
    #[error("missing or malformed seal")]
    BadSeal,
    /// The seal is not the slot author's signature.
    #[error("seal is not the signature of slot {slot}'s author {expected}")]
    WrongAuthor {
        /// The header's slot.
        slot: Slot,
        /// Who had to sign.
        expected: AccountId,
    },
}

/// The author of `slot` among `authorities`.
pub fn slot_author(slot: Slot, authorities: &[AccountId]) -> Option<&AccountId> {
    let len = u64::try_from(authorities.len())
        .ok()
        .filter(|len| *len > 0)?;
    authorities.get(usize::try_from(slot % len).ok()?)
}

/// Whether `key` may author in `slot`.
pub fn claims_slot(slot: Slot, authorities: &[AccountId], key: &AccountId) -> bool {
    slot_author(slot, authorities) == Some(key)
}

/// Checks `header` against its `parent`, the parent state's `authorities` and the local clock
/// `now_ms`; returns its slot.
pub fn verify_header(
    header: &Header,
    parent: &Header,
    authorities: &[AccountId],
    params: &AuraParams,
    now_ms: u64,
) -> Result<Slot, AuraError> {
    let slot = header.slot().ok_or(AuraError::NoSlot)?;
    if params.slot_at(header.timestamp_ms) != slot {
        return Err(AuraError::TimestampOutsideSlot {
            slot,
            timestamp_ms: header.timestamp_ms,
        });
    }
    // Genesis has no slot: any slot is above it.
    if let Some(parent_slot) = parent.slot()
        && slot <= parent_slot
    {
        return Err(AuraError::SlotNotIncreasing { slot, parent_slot });
    }
    let start = params.slot_start(slot);
    if start > now_ms.saturating_add(params.max_drift_ms) {
        return Err(AuraError::FutureSlot {
            slot,
            ahead_ms: start - now_ms,
            max_drift_ms: params.max_drift_ms,
        });
    }
    let author = slot_author(slot, authorities).ok_or(AuraError::NoAuthorities)?;
    let seal = header.seal(AURA_ENGINE_ID).ok_or(AuraError::BadSeal)?;
    let signature: [u8; 64] = seal.try_into().map_err(|_| AuraError::BadSeal)?;
    if !Signature(signature).verify(header.pre_hash().as_bytes(), author) {
        return Err(AuraError::WrongAuthor {
            slot,
            expected: *author,
        });
    }
    Ok(slot)
}

#[cfg(test)]
mod tests {
    use ghost_primitives::{Digest, DigestItem, Hash, Pair};

    use super::*;

    const DURATION: u64 = 500;

    fn params() -> AuraParams {
        AuraParams::new(DURATION)
    }

    fn keys() -> Vec<Pair> {
        ["Alice", "Bob", "Charlie"]
            .iter()
            .map(|n| Pair::dev(n))
            .collect()
    }

    fn authorities() -> Vec<AccountId> {
        keys().iter().map(Pair::public).collect()
    }

    fn unsealed(slot: Slot, timestamp_ms: u64, parent: &Header) -> Header {
        Header {
            parent_hash: parent.hash(),
            number: parent.number + 1,
            state_root: Hash::ZERO,
            extrinsics_root: Hash::ZERO,
            timestamp_ms,
            digest: ghost_primitives::consensus::aura_pre_digest(slot),
        }
    }

    fn sealed_by(key: &Pair, mut header: Header) -> Header {
        ghost_primitives::consensus::aura_seal(&mut header, key);
        header
    }

    fn genesis() -> Header {
        Header {
            parent_hash: Hash::ZERO,
            number: 0,
            state_root: Hash::ZERO,
            extrinsics_root: Hash::ZERO,
            timestamp_ms: 0,
            digest: Digest::default(),
        }
    }

    /// A header of `slot` sealed by its rightful author, on `parent`.
    fn good(slot: Slot, parent: &Header) -> Header {
        let key = &keys()[(slot % 3) as usize];
        sealed_by(key, unsealed(slot, slot * DURATION + 7, parent))
    }

    const NOW: u64 = 1_000_000;

    #[test]
    fn the_slot_author_s_header_passes() {
        let parent = good(10, &genesis());
        let child = good(11, &parent);
        assert_eq!(
            verify_header(&child, &parent, &authorities(), &params(), NOW),
            Ok(11)
        );
        assert_eq!(
            verify_header(&parent, &genesis(), &authorities(), &params(), NOW),
            Ok(10)
        );
    }

    #[test]
    fn another_authority_s_seal_is_refused() {
        let parent = good(10, &genesis());
        // Slot 11 belongs to keys()[2]; keys()[0] signs.
        let header = sealed_by(&keys()[0], unsealed(11, 11 * DURATION, &parent));
        assert_eq!(
            verify_header(&header, &parent, &authorities(), &params(), NOW),
            Err(AuraError::WrongAuthor {
                slot: 11,
                expected: authorities()[2]
            })
        );
    }

    #[test]
    fn an_outsider_is_refused_even_in_a_slot_it_would_own_in_another_set() {
        let parent = good(10, &genesis());
        let outsider = Pair::dev("Mallory");
        let header = sealed_by(&outsider, unsealed(11, 11 * DURATION, &parent));
        assert!(matches!(
            verify_header(&header, &parent, &authorities(), &params(), NOW),
            Err(AuraError::WrongAuthor { .. })
        ));
    }

    #[test]
    fn same_or_lower_slot_than_the_parent_is_refused() {
        let parent = good(10, &genesis());
        for slot in [10, 9] {
            let header = good(slot, &parent);
            assert_eq!(
                verify_header(&header, &parent, &authorities(), &params(), NOW),
                Err(AuraError::SlotNotIncreasing {
                    slot,
                    parent_slot: 10
                })
            );
        }
    }

    #[test]
    fn a_slot_beyond_the_drift_is_refused_and_within_it_accepted() {
        let now = 100 * DURATION;
        let within = 100 + DEFAULT_MAX_DRIFT_MS / DURATION;
        let header = good(within, &genesis());
        assert_eq!(
            verify_header(&header, &genesis(), &authorities(), &params(), now),
            Ok(within)
        );
        let beyond = within + 1;
        let header = good(beyond, &genesis());
        assert_eq!(
            verify_header(&header, &genesis(), &authorities(), &params(), now),
            Err(AuraError::FutureSlot {
                slot: beyond,
                ahead_ms: (beyond - 100) * DURATION,
                max_drift_ms: DEFAULT_MAX_DRIFT_MS
            })
        );
    }

    #[test]
    fn a_timestamp_outside_the_slot_is_refused() {
        let header = sealed_by(&keys()[1], unsealed(10, 11 * DURATION, &genesis()));
        assert_eq!(
            verify_header(&header, &genesis(), &authorities(), &params(), NOW),
            Err(AuraError::TimestampOutsideSlot {
                slot: 10,
                timestamp_ms: 11 * DURATION
            })
        );
    }

    #[test]
    fn missing_slot_seal_or_authorities_are_refused() {
        let mut no_slot = good(10, &genesis());
        no_slot.digest.logs.remove(0);
        assert_eq!(
            verify_header(&no_slot, &genesis(), &authorities(), &params(), NOW),
            Err(AuraError::NoSlot)
        );
        let unsealed_header = unsealed(10, 10 * DURATION, &genesis());
        assert_eq!(
            verify_header(&unsealed_header, &genesis(), &authorities(), &params(), NOW),
            Err(AuraError::BadSeal)
        );
        let mut short = unsealed(10, 10 * DURATION, &genesis());
        short
            .digest
            .logs
            .push(DigestItem::Seal(AURA_ENGINE_ID, vec![1; 63]));
        assert_eq!(
            verify_header(&short, &genesis(), &authorities(), &params(), NOW),
            Err(AuraError::BadSeal)
        );
        assert_eq!(
            verify_header(&good(10, &genesis()), &genesis(), &[], &params(), NOW),
            Err(AuraError::NoAuthorities)
        );
    }

    #[test]
    fn a_seal_does_not_transfer_to_another_header() {
        let parent = good(10, &genesis());
        let mut header = good(13, &parent);
        header.state_root = Hash([1; 32]);
        assert!(matches!(
            verify_header(&header, &parent, &authorities(), &params(), NOW),
            Err(AuraError::WrongAuthor { .. })
        ));
    }

    #[test]
    fn claims_follow_round_robin() {
        let set = authorities();
        assert!(claims_slot(0, &set, &set[0]));
        assert!(claims_slot(4, &set, &set[1]));
        assert!(!claims_slot(4, &set, &set[0]));
        assert!(!claims_slot(4, &[], &set[0]));
    }

    proptest::proptest! {
        #[test]
        fn exactly_one_authority_claims_each_slot(slot in proptest::prelude::any::<u64>()) {
            let set = authorities();
            let claims = set.iter().filter(|k| claims_slot(slot, &set, k)).count();
            proptest::prop_assert_eq!(claims, 1);
        }
    }
}
