//! Finality a light client checks itself: the GRANDPA voter set followed from a pinned genesis
//! hash, and a block proven final by that set.
//!
//! Trust comes from the caller, not the node:
//! 1. [`genesis_set`]: the genesis header must hash to the genesis hash the caller pinned (from
//!    a chain spec or `--genesis`), and the genesis voters and set id are read from a proof
//!    against that header's state root (`Validators.Validators`, `Validators.SetId`).
//! 2. [`VoterSet::apply_change`]: each later set is enacted by a block whose header carries a
//!    GRANDPA `ScheduledChange` (delay 0); the *current* set's justification proves that block
//!    final, and the next set is the digest's. Changes are applied in order; one skipped makes
//!    every later justification fail (it is signed for another set id).
//! 3. [`VoterSet::verify_finality`]: the target header, the headers linking it to a justified
//!    descendant (`grandpa_proveFinality`'s `unknownHeaders`) and that descendant's
//!    justification by the current set. None of the linking headers below the justified one may
//!    change the set: its justification would then be another set's.
//!
//! [`verify_finalized`] runs all three. Everything is pure and decodes untrusted bytes without
//! panicking.

use ghost_consensus::grandpa::{GrandpaJustification, JustificationError};
use ghost_primitives::{AccountId, BlockNumber, GrandpaLog, Hash, Header, ScheduledChange};
use ghost_support::storage::StorageValue;
use ghost_trie::ReadProof;

use crate::read::{ProofError, decode_value, verify_read};

/// A GRANDPA voter set as a light client follows it.
#[derive(Clone, Debug, PartialEq, Eq, parity_scale_codec::Encode, parity_scale_codec::Decode)]
pub struct VoterSet {
    /// Its id: 0 at genesis, one more at each change.
    pub set_id: u64,
    /// Its voters (weight 1 each).
    pub voters: Vec<AccountId>,
    /// The number of the block that enacted it (0 for the genesis set).
    pub enacted_at: BlockNumber,
    /// That block's hash (the genesis hash for the genesis set): proven final already, by the
    /// set before this one.
    pub enacted_hash: Hash,
}

/// A block that enacted a new voter set, with the justification by which the previous set
/// finalized it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetChangeProof {
    /// The header carrying the `ScheduledChange`.
    pub header: Header,
    /// SCALE `GrandpaJustification` of that header.
    pub justification: Vec<u8>,
}

/// Why finality could not be verified.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FinalityError {
    /// The node's genesis header is not the pinned chain's.
    #[error("the node's genesis header hashes to {found}, not the pinned genesis {pinned}")]
    WrongGenesis {
        /// The genesis hash the caller trusts.
        pinned: Hash,
        /// What the node's header hashes to.
        found: Hash,
    },
    /// The genesis state's voters could not be proven.
    #[error("the genesis voter set: {0}")]
    GenesisProof(#[source] ProofError),
    /// The genesis state holds no voters, or a set id other than 0.
    #[error("the genesis state holds no valid voter set ({0})")]
    BadGenesisSet(&'static str),
    /// A set change's justification does not verify with the set before it.
    #[error(
        "the set change at block #{number} ({hash}) is not final under voter set {set_id}: {source}"
    )]
    BadSetChange {
        /// The enacting block's number.
        number: BlockNumber,
        /// Its hash.
        hash: Hash,
        /// The set that should have finalized it.
        set_id: u64,
        /// Why its justification failed.
        #[source]
        source: Box<JustificationError>,
    },
    /// A header offered as a set change carries no `ScheduledChange`.
    #[error("block #{number} ({hash}) is offered as a set change but carries none")]
    NotASetChange {
        /// Its number.
        number: BlockNumber,
        /// Its hash.
        hash: Hash,
    },
    /// Set changes out of order (each must come after the last).
    #[error("the set change at block #{number} does not come after the last one at #{after}")]
    OutOfOrder {
        /// The offered change's block.
        number: BlockNumber,
        /// The block of the set it should follow.
        after: BlockNumber,
    },
    /// The target lies before the current set was enacted: an older set finalized it.
    #[error("block #{number} lies before the set change at #{enacted_at} the proof ends with")]
    TargetBeforeSet {
        /// The target's number.
        number: BlockNumber,
        /// Where the current set begins.
        enacted_at: BlockNumber,
    },
    /// The linking headers do not form a chain from the target up.
    #[error(
        "the finality proof's headers do not link block #{number} ({hash}) to the justified block"
    )]
    Unlinked {
        /// The header where the link broke.
        number: BlockNumber,
        /// Its hash.
        hash: Hash,
    },
    /// A linking header below the justified one changes the voter set.
    #[error("block #{number} enacts a voter set change the proof did not include")]
    SkippedSetChange {
        /// The header's number.
        number: BlockNumber,
    },
    /// The justification does not prove the justified block final under the current set.
    #[error(
        "the justification of block #{number} does not verify under voter set {set_id}: {source}"
    )]
    BadJustification {
        /// The justified block.
        number: BlockNumber,
        /// The set it was checked against.
        set_id: u64,
        /// Why it failed.
        #[source]
        source: Box<JustificationError>,
    },
}

/// The storage keys of the voter set: `Validators.Validators` and `Validators.SetId`.
pub fn voter_set_keys() -> Vec<Vec<u8>> {
    vec![
        pallet_validators::Validators::hashed_key(),
        pallet_validators::SetId::hashed_key(),
    ]
}

/// The genesis voter set, from `genesis` (which must hash to `pinned`) and a read proof of
/// [`voter_set_keys`] against its state root.
pub fn genesis_set(
    pinned: &Hash,
    genesis: &Header,
    proof: &ReadProof,
) -> Result<VoterSet, FinalityError> {
    let found = genesis.hash();
    if found != *pinned || genesis.number != 0 {
        return Err(FinalityError::WrongGenesis {
            pinned: *pinned,
            found,
        });
    }
    let validators_key = pallet_validators::Validators::hashed_key();
    let set_id_key = pallet_validators::SetId::hashed_key();
    let read = |key: &[u8]| verify_read(&genesis.state_root, proof, key);
    let voters = decode_value::<Vec<AccountId>>(
        read(&validators_key).map_err(FinalityError::GenesisProof)?,
        "genesis validators",
    )
    .map_err(FinalityError::GenesisProof)?
    .unwrap_or_default();
    if voters.is_empty() {
        return Err(FinalityError::BadGenesisSet("no validators"));
    }
    let set_id = decode_value::<u64>(
        read(&set_id_key).map_err(FinalityError::GenesisProof)?,
        "genesis set id",
    )
    .map_err(FinalityError::GenesisProof)?
    .unwrap_or(0);
    if set_id != 0 {
        return Err(FinalityError::BadGenesisSet("set id is not 0"));
    }
    Ok(VoterSet {
        set_id,
        voters,
        enacted_at: 0,
        enacted_hash: found,
    })
}

/// The voter-set change `header` carries, if any.
pub fn scheduled_change(header: &Header) -> Option<ScheduledChange> {
    header.digest.logs.iter().find_map(|item| {
        GrandpaLog::from_digest_item(item).map(|GrandpaLog::ScheduledChange(change)| change)
    })
}

impl VoterSet {
    /// Whether `header` is the block that enacted this set (the genesis for the genesis set):
    /// final already, proven by the set before, so it needs no justification of its own.
    pub fn enacted_by(&self, header: &Header) -> bool {
        header.number == self.enacted_at && header.hash() == self.enacted_hash
    }

    /// The set `change` enacts, once this set's justification proves its block final on the
    /// chain `genesis_hash`.
    pub fn apply_change(
        &self,
        genesis_hash: &Hash,
        change: &SetChangeProof,
    ) -> Result<VoterSet, FinalityError> {
        let header = &change.header;
        let (number, hash) = (header.number, header.hash());
        if number <= self.enacted_at {
            return Err(FinalityError::OutOfOrder {
                number,
                after: self.enacted_at,
            });
        }
        let scheduled =
            scheduled_change(header).ok_or(FinalityError::NotASetChange { number, hash })?;
        GrandpaJustification::decode_and_verify(
            &change.justification,
            hash,
            number,
            genesis_hash,
            self.set_id,
            &self.voters,
        )
        .map_err(|source| FinalityError::BadSetChange {
            number,
            hash,
            set_id: self.set_id,
            source: Box::new(source),
        })?;
        Ok(VoterSet {
            set_id: self.set_id.saturating_add(1),
            voters: scheduled
                .next_authorities
                .iter()
                .map(|(id, _)| *id)
                .collect(),
            enacted_at: number,
            enacted_hash: hash,
        })
    }

    /// Verifies that `target` is final under this set on the chain `genesis_hash`:
    /// `unknown_headers` link it (ascending, each the child of the one before) to the block
    /// `justification` finalizes, which is `target` itself when they are empty. The block that
    /// enacted this set needs none: the previous set's justification proved it.
    pub fn verify_finality(
        &self,
        genesis_hash: &Hash,
        target: &Header,
        unknown_headers: &[Header],
        justification: &[u8],
    ) -> Result<(), FinalityError> {
        if target.number < self.enacted_at {
            return Err(FinalityError::TargetBeforeSet {
                number: target.number,
                enacted_at: self.enacted_at,
            });
        }
        if self.enacted_by(target) {
            return Ok(());
        }
        let mut justified = target;
        for header in unknown_headers {
            if header.parent_hash != justified.hash()
                || header.number != justified.number.saturating_add(1)
            {
                return Err(FinalityError::Unlinked {
                    number: header.number,
                    hash: header.hash(),
                });
            }
            // A set change below the justified block ends this set there: the block above it
            // would be the next set's to finalize.
            if justified.number > self.enacted_at && scheduled_change(justified).is_some() {
                return Err(FinalityError::SkippedSetChange {
                    number: justified.number,
                });
            }
            justified = header;
        }
        GrandpaJustification::decode_and_verify(
            justification,
            justified.hash(),
            justified.number,
            genesis_hash,
            self.set_id,
            &self.voters,
        )
        .map_err(|source| FinalityError::BadJustification {
            number: justified.number,
            set_id: self.set_id,
            source: Box::new(source),
        })?;
        Ok(())
    }
}

/// Follows the voter set from the pinned genesis through `changes` and verifies that `target`
/// is final (see the [module docs](self)); returns the set that finalized it.
pub fn verify_finalized(
    pinned: &Hash,
    genesis: &Header,
    genesis_proof: &ReadProof,
    changes: &[SetChangeProof],
    target: &Header,
    unknown_headers: &[Header],
    justification: &[u8],
) -> Result<VoterSet, FinalityError> {
    let mut set = genesis_set(pinned, genesis, genesis_proof)?;
    for change in changes {
        set = set.apply_change(pinned, change)?;
    }
    set.verify_finality(pinned, target, unknown_headers, justification)?;
    Ok(set)
}

#[cfg(test)]
mod tests {
    use ghost_primitives::{Digest, Pair};
    use parity_scale_codec::Encode;

    use super::*;

    fn pairs(names: &[&str]) -> Vec<Pair> {
        names.iter().map(|name| Pair::dev(name)).collect()
    }

    /// A genesis header over a state holding `voters` (and `set_id`, if given), with the read
    /// proof of the voter-set keys.
    fn genesis_with(voters: &[Pair], set_id: Option<u64>) -> (Header, ReadProof) {
        let ids: Vec<AccountId> = voters.iter().map(Pair::public).collect();
        let mut state = vec![
            (pallet_validators::Validators::hashed_key(), ids.encode()),
            (b"other".to_vec(), vec![7]),
        ];
        if let Some(set_id) = set_id {
            state.push((pallet_validators::SetId::hashed_key(), set_id.encode()));
        }
        let (root, nodes) = ghost_trie::build(state);
        let mut store = ghost_trie::MemoryNodeStore::new();
        store.insert_nodes(nodes);
        let proof =
            ghost_trie::generate_read_proof(&store, root, &voter_set_keys()).expect("a proof");
        let header = Header {
            parent_hash: Hash::ZERO,
            number: 0,
            state_root: Hash(root),
            extrinsics_root: Hash::ZERO,
            timestamp_ms: 0,
            digest: Digest::default(),
        };
        (header, proof)
    }

    /// The child of `parent`, enacting `next` as the voter set if given.
    fn child(parent: &Header, next: Option<&[Pair]>) -> Header {
        let mut digest = Digest::default();
        if let Some(next) = next {
            digest.logs.push(
                GrandpaLog::ScheduledChange(ScheduledChange {
                    next_authorities: next.iter().map(|p| (p.public(), 1)).collect(),
                    delay: 0,
                })
                .to_digest_item(),
            );
        }
        Header {
            parent_hash: parent.hash(),
            number: parent.number + 1,
            state_root: Hash([parent.number as u8 + 1; 32]),
            extrinsics_root: Hash::ZERO,
            timestamp_ms: (parent.number + 1) * 500,
            digest,
        }
    }

    fn justify(voters: &[Pair], genesis: &Hash, set_id: u64, target: &Header) -> Vec<u8> {
        let refs: Vec<&Pair> = voters.iter().collect();
        GrandpaJustification::signed_by(&refs, genesis, 1, set_id, target).encode()
    }

    /// Genesis (Alice, Bob, Charlie) → #1 enacting (Dave, Eve, Ferdie) → #2 → #3.
    struct Chain {
        old: Vec<Pair>,
        new: Vec<Pair>,
        genesis: Header,
        proof: ReadProof,
        blocks: Vec<Header>,
    }

    impl Chain {
        fn new() -> Chain {
            let old = pairs(&["Alice", "Bob", "Charlie"]);
            let new = pairs(&["Dave", "Eve", "Ferdie"]);
            let (genesis, proof) = genesis_with(&old, Some(0));
            let b1 = child(&genesis, Some(&new));
            let b2 = child(&b1, None);
            let b3 = child(&b2, None);
            Chain {
                old,
                new,
                genesis,
                proof,
                blocks: vec![b1, b2, b3],
            }
        }

        fn hash(&self) -> Hash {
            self.genesis.hash()
        }

        fn change(&self) -> SetChangeProof {
            SetChangeProof {
                header: self.blocks[0].clone(),
                justification: justify(&self.old, &self.hash(), 0, &self.blocks[0]),
            }
        }
    }

    #[test]
    fn a_block_is_followed_from_genesis_through_a_set_change() {
        let chain = Chain::new();
        let (b2, b3) = (&chain.blocks[1], &chain.blocks[2]);
        let justification = justify(&chain.new, &chain.hash(), 1, b3);
        let set = verify_finalized(
            &chain.hash(),
            &chain.genesis,
            &chain.proof,
            &[chain.change()],
            b2,
            std::slice::from_ref(b3),
            &justification,
        )
        .expect("final");
        assert_eq!(set.set_id, 1);
        assert_eq!(
            set.voters,
            chain.new.iter().map(Pair::public).collect::<Vec<_>>()
        );
        assert_eq!(set.enacted_at, 1);
    }

    #[test]
    fn a_block_final_under_the_genesis_set_needs_no_change() {
        let old = pairs(&["Alice", "Bob", "Charlie"]);
        // No set id stored: the genesis set is 0.
        let (genesis, proof) = genesis_with(&old, None);
        let b1 = child(&genesis, None);
        let justification = justify(&old, &genesis.hash(), 0, &b1);
        let set = verify_finalized(
            &genesis.hash(),
            &genesis,
            &proof,
            &[],
            &b1,
            &[],
            &justification,
        )
        .expect("final");
        assert_eq!(set.set_id, 0);
    }

    #[test]
    fn the_enacting_block_is_final_by_the_previous_sets_justification() {
        let chain = Chain::new();
        let set = verify_finalized(
            &chain.hash(),
            &chain.genesis,
            &chain.proof,
            &[chain.change()],
            &chain.blocks[0],
            &[],
            b"not needed",
        )
        .expect("proven by the change");
        assert_eq!(set.set_id, 1);
    }

    #[test]
    fn another_chains_genesis_is_refused() {
        let chain = Chain::new();
        let other = Hash([9; 32]);
        let result = genesis_set(&other, &chain.genesis, &chain.proof);
        assert_eq!(
            result,
            Err(FinalityError::WrongGenesis {
                pinned: other,
                found: chain.hash()
            })
        );
    }

    #[test]
    fn a_voter_set_proof_from_another_state_is_refused() {
        let chain = Chain::new();
        // The node claims Mallory alone is the genesis set, with a proof of its own state.
        let (_, forged) = genesis_with(&pairs(&["Mallory"]), Some(0));
        assert!(matches!(
            genesis_set(&chain.hash(), &chain.genesis, &forged),
            Err(FinalityError::GenesisProof(_))
        ));
        let (empty, proof) = genesis_with(&[], Some(0));
        assert_eq!(
            genesis_set(&empty.hash(), &empty, &proof),
            Err(FinalityError::BadGenesisSet("no validators"))
        );
        let (later, proof) = genesis_with(&chain.old, Some(3));
        assert_eq!(
            genesis_set(&later.hash(), &later, &proof),
            Err(FinalityError::BadGenesisSet("set id is not 0"))
        );
    }

    #[test]
    fn a_set_change_not_finalized_by_the_current_set_is_refused() {
        let chain = Chain::new();
        let genesis_set = genesis_set(&chain.hash(), &chain.genesis, &chain.proof).expect("set");
        // Signed by the new set instead of the old one.
        let forged = SetChangeProof {
            header: chain.blocks[0].clone(),
            justification: justify(&chain.new, &chain.hash(), 0, &chain.blocks[0]),
        };
        assert!(matches!(
            genesis_set.apply_change(&chain.hash(), &forged),
            Err(FinalityError::BadSetChange { number: 1, set_id: 0, source, .. })
                if matches!(*source, JustificationError::NotAVoter(_))
        ));
        // A header that changes nothing is not a set change, however well justified.
        let plain = child(&chain.genesis, None);
        let not_a_change = SetChangeProof {
            justification: justify(&chain.old, &chain.hash(), 0, &plain),
            header: plain.clone(),
        };
        assert_eq!(
            genesis_set.apply_change(&chain.hash(), &not_a_change),
            Err(FinalityError::NotASetChange {
                number: 1,
                hash: plain.hash()
            })
        );
        // Applied twice: the second is out of order.
        let next = genesis_set
            .apply_change(&chain.hash(), &chain.change())
            .expect("the change");
        assert_eq!(
            next.apply_change(&chain.hash(), &chain.change()),
            Err(FinalityError::OutOfOrder {
                number: 1,
                after: 1
            })
        );
    }

    #[test]
    fn skipping_a_set_change_fails_finality() {
        let chain = Chain::new();
        let b3 = &chain.blocks[2];
        let by_new = justify(&chain.new, &chain.hash(), 1, b3);
        // Without the change the client still follows the genesis set: the new set's
        // justification does not verify for it.
        let result = verify_finalized(
            &chain.hash(),
            &chain.genesis,
            &chain.proof,
            &[],
            b3,
            &[],
            &by_new,
        );
        assert!(matches!(
            result,
            Err(FinalityError::BadJustification {
                number: 3,
                set_id: 0,
                ..
            })
        ));
        // Nor may the old set prove a block past its change: the linking headers cross it.
        let by_old = justify(&chain.old, &chain.hash(), 0, b3);
        let result = verify_finalized(
            &chain.hash(),
            &chain.genesis,
            &chain.proof,
            &[],
            &chain.blocks[0],
            &chain.blocks[1..],
            &by_old,
        );
        assert_eq!(result, Err(FinalityError::SkippedSetChange { number: 1 }));
    }

    #[test]
    fn the_old_sets_votes_do_not_finalize_blocks_after_the_change() {
        let chain = Chain::new();
        let b3 = &chain.blocks[2];
        // The old voters sign for set id 1: they are not its voters.
        let result = verify_finalized(
            &chain.hash(),
            &chain.genesis,
            &chain.proof,
            &[chain.change()],
            b3,
            &[],
            &justify(&chain.old, &chain.hash(), 1, b3),
        );
        assert!(matches!(
            result,
            Err(FinalityError::BadJustification { source, .. })
                if matches!(*source, JustificationError::NotAVoter(_))
        ));
        // Too few of the right voters: no supermajority.
        let result = verify_finalized(
            &chain.hash(),
            &chain.genesis,
            &chain.proof,
            &[chain.change()],
            b3,
            &[],
            &justify(&chain.new[..2], &chain.hash(), 1, b3),
        );
        assert!(matches!(
            result,
            Err(FinalityError::BadJustification { source, .. })
                if *source == JustificationError::NoSupermajority
        ));
        // Garbage never panics.
        let result = verify_finalized(
            &chain.hash(),
            &chain.genesis,
            &chain.proof,
            &[chain.change()],
            b3,
            &[],
            &[0xff; 40],
        );
        assert!(matches!(
            result,
            Err(FinalityError::BadJustification { source, .. })
                if *source == JustificationError::Undecodable
        ));
    }

    #[test]
    fn linking_headers_must_form_a_chain_from_the_target() {
        let chain = Chain::new();
        let (b2, b3) = (&chain.blocks[1], &chain.blocks[2]);
        let justification = justify(&chain.new, &chain.hash(), 1, b3);
        let set = genesis_set(&chain.hash(), &chain.genesis, &chain.proof)
            .and_then(|set| set.apply_change(&chain.hash(), &chain.change()))
            .expect("set 1");
        // A sibling of #3 that the justification does not cover, offered as the link.
        let mut stranger = b3.clone();
        stranger.parent_hash = Hash([1; 32]);
        assert_eq!(
            set.verify_finality(
                &chain.hash(),
                b2,
                std::slice::from_ref(&stranger),
                &justification
            ),
            Err(FinalityError::Unlinked {
                number: 3,
                hash: stranger.hash()
            })
        );
        // A target before the set began was another set's to finalize.
        assert_eq!(
            set.verify_finality(&chain.hash(), &chain.genesis, &[], &justification),
            Err(FinalityError::TargetBeforeSet {
                number: 0,
                enacted_at: 1
            })
        );
        assert_eq!(
            set.verify_finality(&chain.hash(), b2, std::slice::from_ref(b3), &justification),
            Ok(())
        );
    }
}
