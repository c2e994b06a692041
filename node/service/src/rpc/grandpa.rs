//! `grandpa_*`: finality proofs and voter sets.

use ghost_primitives::{Bytes, Hash};
use ghost_rpc::{FinalityProof, GrandpaApiServer, VoterSetInfo};
use jsonrpsee::core::async_trait;

use super::RpcContext;
use super::errors::{RpcError, RpcResult};

/// How far past the asked block a proof search looks for a stored justification.
const MAX_PROOF_SPAN: u64 = 4_096;

/// `grandpa_*` handlers.
pub struct GrandpaRpc(pub RpcContext);

#[async_trait]
impl GrandpaApiServer for GrandpaRpc {
    async fn prove_finality(&self, number: u64) -> RpcResult<Option<FinalityProof>> {
        let ctx = self.0.clone();
        // Reads a run of headers and justifications: off the async workers.
        tokio::task::spawn_blocking(move || prove(&ctx, number))
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

fn prove(ctx: &RpcContext, number: u64) -> RpcResult<Option<FinalityProof>> {
    let db = ctx.client.db();
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
            let header = ctx
                .client
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
