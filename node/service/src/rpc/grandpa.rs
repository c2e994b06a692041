//! `grandpa_*`: finality proofs and voter sets.

use ghost_primitives::{Bytes, Hash};
use ghost_rpc::{FinalityProof, GrandpaApiServer, SetChangeJson, VoterSetInfo, VoterSetProof};
use jsonrpsee::core::async_trait;

use super::RpcContext;
use super::errors::{RpcError, RpcResult};
use crate::client::Client;

/// How far past the asked block a proof search looks for a stored justification.
const MAX_PROOF_SPAN: u64 = 4_096;
/// The most set changes one `grandpa_proveVoterSets` answer carries.
const MAX_SET_CHANGES: u64 = 256;

/// `grandpa_*` handlers.
pub struct GrandpaRpc(pub RpcContext);

#[async_trait]
impl GrandpaApiServer for GrandpaRpc {
    async fn prove_finality(&self, number: u64) -> RpcResult<Option<FinalityProof>> {
        let ctx = self.0.clone();
        // Reads a run of headers and justifications: off the async workers.
        tokio::task::spawn_blocking(move || prove_finality(&ctx.client, number))
            .await
            .map_err(|e| RpcError::Internal(e.to_string()))?
    }

    async fn prove_voter_sets(
        &self,
        from_set_id: u64,
        at: Option<Hash>,
    ) -> RpcResult<VoterSetProof> {
        let ctx = self.0.clone();
        tokio::task::spawn_blocking(move || prove_voter_sets(&ctx.client, from_set_id, at))
            .await
            .map_err(|e| RpcError::Internal(e.to_string()))?
    }

    async fn voter_set(&self, hash: Option<Hash>) -> RpcResult<VoterSetInfo> {
        let client = &self.0.client;
        let header = match hash {
            Some(hash) => client
                .header(&hash)
                .map_err(RpcError::from)?
                .ok_or(RpcError::UnknownBlock(hash))?,
            None => client.finalized().map_err(RpcError::from)?.1,
        };
        let (voters, set_id) = client.authorities_at(&header).map_err(RpcError::from)?;
        Ok(VoterSetInfo {
            set_id,
            voters: voters.iter().map(ToString::to_string).collect(),
        })
    }
}

/// `grandpa_proveVoterSets`: the genesis voter set's proof and the set changes after set
/// `from_set_id` up to block `at` (default: the finalized block), at most [`MAX_SET_CHANGES`].
pub(crate) fn prove_voter_sets(
    client: &Client,
    from_set_id: u64,
    at: Option<Hash>,
) -> RpcResult<VoterSetProof> {
    let db = client.db();
    let internal = |e: &dyn std::fmt::Display| RpcError::Internal(e.to_string());
    let (_, finalized) = db.finalized().map_err(|e| internal(&e))?;
    let header = match at {
        Some(hash) => client
            .header(&hash)
            .map_err(RpcError::from)?
            .ok_or(RpcError::UnknownBlock(hash))?,
        None => client.finalized().map_err(RpcError::from)?.1,
    };
    // Only final set changes are provable: the one at `at` must be on the finalized chain.
    if header.number > finalized
        || db.hash_by_number(header.number).map_err(|e| internal(&e))? != Some(header.hash())
    {
        return Err(RpcError::InvalidParams(format!(
            "block #{} {} is not finalized",
            header.number,
            header.hash()
        ))
        .into());
    }
    let proven = client
        .voter_set_changes(&header, from_set_id, MAX_SET_CHANGES)
        .map_err(RpcError::from)?;
    let changes = (from_set_id.saturating_add(1)..)
        .zip(proven.changes)
        .map(|(set_id, change)| SetChangeJson {
            set_id,
            header: change.header,
            justification: Bytes(change.justification),
        })
        .collect();
    let genesis_hash = client.genesis_hash();
    let genesis = client
        .header(&genesis_hash)
        .map_err(RpcError::from)?
        .ok_or(RpcError::UnknownBlock(genesis_hash))?;
    Ok(VoterSetProof {
        genesis,
        genesis_proof: client
            .genesis_voters_proof()
            .iter()
            .cloned()
            .map(Bytes)
            .collect(),
        changes,
        set_id: proven.set_id,
        at: header.hash(),
        next: (proven.last < proven.set_id).then_some(proven.last),
    })
}

/// `grandpa_proveFinality`: the justification of finalized block `number` or of its nearest
/// justified descendant, with the headers between.
pub(crate) fn prove_finality(client: &Client, number: u64) -> RpcResult<Option<FinalityProof>> {
    let db = client.db();
    let (_, finalized) = db
        .finalized()
        .map_err(|e| RpcError::Internal(e.to_string()))?;
    if number > finalized {
        return Ok(None);
    }
    let mut unknown_headers = Vec::new();
    let last = finalized.min(number.saturating_add(MAX_PROOF_SPAN));
    for n in number..=last {
        let Some(hash) = db
            .hash_by_number(n)
            .map_err(|e| RpcError::Internal(e.to_string()))?
        else {
            return Ok(None);
        };
        if n > number {
            let header = client
                .header(&hash)
                .map_err(RpcError::from)?
                .ok_or(RpcError::UnknownBlock(hash))?;
            unknown_headers.push(header);
        }
        if let Some(justification) = db
            .justification(&hash)
            .map_err(|e| RpcError::Internal(e.to_string()))?
        {
            return Ok(Some(FinalityProof {
                block: hash,
                number: n,
                justification: Bytes(justification),
                unknown_headers,
            }));
        }
    }
    Ok(None)
}
