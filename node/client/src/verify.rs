//! Verified reads: a node's answer checked against a header's state root with
//! [`ghost_light`], so a client need not trust the node it asks.
//!
//! [`Client::resolve_final`] trusts only a genesis hash: it follows the GRANDPA voter set from
//! genesis (`grandpa_proveVoterSets`), proves the node's finalized block final
//! (`grandpa_proveFinality`) and checks the resolution's read proof against that block.

use ghost_light::{ProvenResolution, SetChangeProof, VoterSet, prove_resolution};
use ghost_primitives::{BlockNumber, DomainName, Hash, Header};
use ghost_rpc::{DomainApiClient, ResolutionJson, ResolutionProofJson, VoterSetProof};
use ghost_trie::ReadProof;

use crate::client::{Client, RpcResultExt};
use crate::error::{Error, Result};

/// The RPC shape of a proven resolution.
pub fn to_json(proven: ProvenResolution) -> ResolutionJson {
    ResolutionJson {
        name: proven.name,
        namehash: proven.namehash,
        owner: proven.owner,
        records: proven.records,
        web3: proven.web3,
        expires_at: proven.expires_at,
        created_at: proven.created_at,
        status: proven.status.as_str().to_owned(),
        parent: proven.parent,
        update_key: proven.update_key,
        update_sequence: proven.update_sequence,
    }
}

/// Checks `domain_resolveWithProof`'s answer for `name` against `state_root` (the state root of
/// the header of block `answer.at`, from a source the caller trusts): every key the node lists
/// must verify, and the resolution recomputed from the proven values must equal the node's.
pub fn verify_resolution(
    name: &DomainName,
    answer: &ResolutionProofJson,
    state_root: Hash,
) -> Result<()> {
    if answer.state_root != state_root {
        return Err(ghost_light::ProofError::WrongRoot {
            claimed: answer.state_root,
            header: state_root,
        }
        .into());
    }
    let proof = ReadProof {
        nodes: answer.proof.iter().map(|node| node.0.clone()).collect(),
    };
    let listed: Vec<Vec<u8>> = answer.keys.iter().map(|key| key.0.clone()).collect();
    let expected = prove_resolution(name, &state_root, &proof, &listed)?.map(to_json);
    let mut claimed = answer.resolution.clone();
    // The parent's own entry is not among the proven keys (unless it is the root); its name is
    // bound to the proven entry through the namehash instead.
    if let (Some(claimed), Some(expected)) = (&mut claimed, &expected)
        && claimed.parent.as_ref().map(DomainName::namehash)
            == expected.parent.as_ref().map(DomainName::namehash)
    {
        claimed.parent = expected.parent.clone();
    }
    if claimed != expected {
        return Err(Error::ProofMismatch {
            name: name.to_string(),
            claimed: serde_json::to_string(&answer.resolution).unwrap_or_default(),
            proven: serde_json::to_string(&expected).unwrap_or_default(),
        });
    }
    Ok(())
}

/// The most `grandpa_proveVoterSets` pages gathered for one proof (256 changes each).
pub const MAX_VOTER_SET_PAGES: usize = 64;

/// A resolution proven against a block that is proven final.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FinalResolution {
    /// The node's answer, every part of it verified (`resolution: None` is proven absence).
    pub answer: ResolutionProofJson,
    /// The finalized block it was proven at.
    pub number: BlockNumber,
    /// The voter set that finalized it.
    pub voters: VoterSet,
    /// How many voter-set changes were followed from genesis.
    pub set_changes: usize,
}

impl Client {
    /// The voter-set proof up to the finalized block `at` with the changes of every page of
    /// `grandpa_proveVoterSets` gathered, at most [`MAX_VOTER_SET_PAGES`] pages: `next` is
    /// still set when the chain has more changes than that. Nothing is verified here.
    pub async fn fetch_voter_set_proof(&self, at: Hash) -> Result<VoterSetProof> {
        let mut proof = ghost_rpc::GrandpaApiClient::prove_voter_sets(self, 0, Some(at))
            .await
            .during(self, "grandpa_proveVoterSets")?;
        for _ in 1..MAX_VOTER_SET_PAGES {
            let Some(next) = proof.next else { break };
            let page = ghost_rpc::GrandpaApiClient::prove_voter_sets(self, next, Some(at))
                .await
                .during(self, "grandpa_proveVoterSets")?;
            if page.changes.is_empty() {
                break;
            }
            proof.changes.extend(page.changes);
            proof.next = page.next;
        }
        Ok(proof)
    }

    /// Follows the GRANDPA voter set from `genesis` (a genesis hash the caller trusts) to the
    /// finalized block `at`, with every change's justification checked
    /// ([`Client::fetch_voter_set_proof`]), and returns the set that finalizes `at`'s children
    /// together with the number of changes followed.
    pub async fn follow_voter_sets(
        &self,
        genesis: &Hash,
        at: &Header,
    ) -> Result<(VoterSet, usize)> {
        let proof = self.fetch_voter_set_proof(at.hash()).await?;
        if let Some(next) = proof.next {
            return Err(self.bad_answer(
                "grandpa_proveVoterSets",
                format!(
                    "more than {MAX_VOTER_SET_PAGES} pages of voter-set changes (stopped at set {next})"
                ),
            ));
        }
        let genesis_proof = ReadProof {
            nodes: proof.genesis_proof.iter().map(|n| n.0.clone()).collect(),
        };
        let mut set = ghost_light::finality::genesis_set(genesis, &proof.genesis, &genesis_proof)?;
        for change in &proof.changes {
            if change.header.number > at.number {
                return Err(self.bad_answer(
                    "grandpa_proveVoterSets",
                    format!(
                        "a set change at #{} lies past the asked block #{}",
                        change.header.number, at.number
                    ),
                ));
            }
            set = set.apply_change(
                genesis,
                &SetChangeProof {
                    header: change.header.clone(),
                    justification: change.justification.0.clone(),
                },
            )?;
        }
        Ok((set, proof.changes.len()))
    }

    /// Proves `header` final under the voter sets followed from `genesis`.
    pub async fn prove_final(&self, genesis: &Hash, header: &Header) -> Result<(VoterSet, usize)> {
        let (set, changes) = self.follow_voter_sets(genesis, header).await?;
        if set.enacted_by(header) {
            // The genesis, or the block that enacted the set: proven by the change itself.
            return Ok((set, changes));
        }
        let proof = self.prove_finality(header.number).await?.ok_or_else(|| {
            self.bad_answer(
                "grandpa_proveFinality",
                format!("no finality proof for block #{}", header.number),
            )
        })?;
        set.verify_finality(
            genesis,
            header,
            &proof.unknown_headers,
            &proof.justification.0,
        )?;
        Ok((set, changes))
    }

    /// Resolves `name` at the node's finalized block and verifies all of it against `genesis`
    /// alone: the block is proven final by GRANDPA ([`Client::prove_final`]) and the answer
    /// against its state root ([`verify_resolution`]).
    pub async fn resolve_final(
        &self,
        genesis: &Hash,
        name: &DomainName,
    ) -> Result<FinalResolution> {
        let header = self.fetch_finalized_header().await?;
        let (voters, set_changes) = self.prove_final(genesis, &header).await?;
        let answer =
            DomainApiClient::resolve_with_proof(self, name.to_string(), Some(header.hash()))
                .await
                .during(self, "domain_resolveWithProof")?;
        if answer.at != header.hash() {
            return Err(self.bad_answer(
                "domain_resolveWithProof",
                format!("proved block {} instead of {}", answer.at, header.hash()),
            ));
        }
        verify_resolution(name, &answer, header.state_root)?;
        Ok(FinalResolution {
            answer,
            number: header.number,
            voters,
            set_changes,
        })
    }

    /// Resolves `name` with a proof and verifies it against the header of the proven block
    /// (fetched from this node: pin a trusted header with [`verify_resolution`] instead where
    /// the node is not trusted for headers). Returns the answer; `resolution: None` is proven
    /// absence.
    pub async fn resolve_verified(&self, name: &DomainName) -> Result<ResolutionProofJson> {
        let answer = DomainApiClient::resolve_with_proof(self, name.to_string(), None)
            .await
            .during(self, "domain_resolveWithProof")?;
        let header = self.fetch_header(Some(answer.at)).await?;
        verify_resolution(name, &answer, header.state_root)?;
        Ok(answer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ghost_light::ProofKeys;
    use ghost_light::fixtures::ProvenState;
    use ghost_primitives::{Bytes, Pair};
    use ghost_runtime::domains::DomainInfo;
    use parity_scale_codec::{DecodeAll, Encode};

    fn name(s: &str) -> DomainName {
        DomainName::parse(s).unwrap()
    }

    /// `ghost-light`'s fixture state at `now` as an honest node's `domain_resolveWithProof`
    /// answer for `target`.
    fn proven_state(
        target: &str,
        now: u64,
        tamper: impl FnOnce(&mut Vec<(Vec<u8>, Vec<u8>)>),
    ) -> (DomainName, ResolutionProofJson) {
        let ProvenState {
            name,
            state_root,
            proof,
            keys,
        } = ghost_light::fixtures::proven_state(target, now, tamper);
        let resolution = prove_resolution(&name, &state_root, &proof, &keys)
            .unwrap()
            .map(to_json);
        let answer = ResolutionProofJson {
            resolution,
            at: Hash([7; 32]),
            state_root,
            keys: keys.into_iter().map(Bytes).collect(),
            proof: proof.nodes.into_iter().map(Bytes).collect(),
        };
        (name, answer)
    }

    #[test]
    fn honest_answers_verify() {
        // Active, in grace, a subname, and an unknown name proven absent.
        for (n, now) in [
            ("alice.ghost", 5_000),
            ("alice.ghost", 12_000),
            ("www.alice.ghost", 5_000),
            ("bob.ghost", 5_000),
        ] {
            let (n, answer) = proven_state(n, now, |_| {});
            verify_resolution(&n, &answer, answer.state_root)
                .unwrap_or_else(|e| panic!("{n} at {now}: {e}"));
        }
    }

    #[test]
    fn lies_do_not_verify() {
        let (n, answer) = proven_state("alice.ghost", 5_000, |_| {});
        // Some other block's state root.
        assert!(matches!(
            verify_resolution(&n, &answer, Hash([1; 32])),
            Err(Error::Proof(ghost_light::ProofError::WrongRoot { .. }))
        ));
        // The node lies about the owner, the records or the status, or claims absence.
        let lies: [fn(&mut ResolutionProofJson); 4] = [
            |a| a.resolution.as_mut().unwrap().owner = Pair::dev("Bob").public(),
            |a| a.resolution.as_mut().unwrap().records.clear(),
            |a| a.resolution.as_mut().unwrap().status = "grace".into(),
            |a| a.resolution = None,
        ];
        for lie in lies {
            let mut told = answer.clone();
            lie(&mut told);
            let error = verify_resolution(&n, &told, told.state_root).unwrap_err();
            assert!(matches!(error, Error::ProofMismatch { .. }), "{error}");
        }
        // A proof missing a node on a path does not verify.
        let mut short = answer.clone();
        short.proof.pop();
        assert!(matches!(
            verify_resolution(&n, &short, short.state_root),
            Err(Error::Proof(_))
        ));
    }

    #[test]
    fn subname_of_an_earlier_registration_is_proven_gone() {
        // The root was registered again: the subname of the first registration is gone, but a
        // node still claims it.
        let (sub, mut answer) = proven_state("www.alice.ghost", 5_000, |pairs| {
            let key = ProofKeys::of(&name("alice.ghost")).entry;
            let entry = pairs.iter_mut().find(|(k, _)| *k == key).unwrap();
            let mut info = DomainInfo::decode_all(&mut &entry.1[..]).unwrap();
            info.registration = 2;
            entry.1 = info.encode();
        });
        assert_eq!(
            answer.resolution, None,
            "the proof says the subname is gone"
        );
        verify_resolution(&sub, &answer, answer.state_root).unwrap();
        let stale = proven_state("www.alice.ghost", 5_000, |_| {}).1.resolution;
        assert!(stale.is_some());
        answer.resolution = stale;
        assert!(matches!(
            verify_resolution(&sub, &answer, answer.state_root),
            Err(Error::ProofMismatch { .. })
        ));
    }
}
