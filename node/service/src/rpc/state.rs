//! `state_*` and `payment_*`.

use ghost_primitives::{Bytes, Hash, RuntimeVersion};
use ghost_rpc::{FeeInfoJson, PaymentApiServer, ReadProofJson, StateApiServer};
use ghost_runtime::api;
use jsonrpsee::core::async_trait;

use super::RpcContext;
use super::errors::{RpcError, RpcResult};

/// `state_*` handlers.
pub struct StateRpc(pub RpcContext);

/// `payment_*` handlers.
pub struct PaymentRpc(pub RpcContext);

/// The most keys one read proof may cover.
const MAX_PROOF_KEYS: usize = 1_000;

#[async_trait]
impl StateApiServer for StateRpc {
    async fn storage(&self, key: Bytes, at: Option<Hash>) -> RpcResult<Option<Bytes>> {
        let header = self.0.header_at(at)?;
        let value = api::storage(self.0.client.store(), &header, &key).map_err(RpcError::from)?;
        Ok(value.map(Bytes))
    }

    async fn read_proof(&self, keys: Vec<Bytes>, at: Option<Hash>) -> RpcResult<ReadProofJson> {
        if keys.len() > MAX_PROOF_KEYS {
            return Err(RpcError::InvalidParams(format!(
                "at most {MAX_PROOF_KEYS} keys per proof"
            ))
            .into());
        }
        let header = self.0.header_at(at)?;
        let keys: Vec<Vec<u8>> = keys.into_iter().map(|k| k.0).collect();
        let proof =
            api::read_proof(self.0.client.store(), &header, &keys).map_err(RpcError::from)?;
        Ok(ReadProofJson {
            at: header.hash(),
            proof: proof.nodes.into_iter().map(Bytes).collect(),
        })
    }

    async fn runtime_version(&self, at: Option<Hash>) -> RpcResult<RuntimeVersion> {
        self.0.header_at(at)?;
        Ok(ghost_runtime::version())
    }

    async fn metadata(&self, at: Option<Hash>) -> RpcResult<serde_json::Value> {
        self.0.header_at(at)?;
        Ok(ghost_runtime::metadata())
    }
}

#[async_trait]
impl PaymentApiServer for PaymentRpc {
    async fn query_info(&self, extrinsic: Bytes, at: Option<Hash>) -> RpcResult<FeeInfoJson> {
        let xt =
            api::decode_extrinsic(&extrinsic).map_err(|e| RpcError::BadFormat(e.to_string()))?;
        let header = self.0.header_at(at)?;
        let info = api::query_info(self.0.client.store(), &header, &xt).map_err(RpcError::from)?;
        Ok(FeeInfoJson {
            weight: info.weight,
            class: info.class.into(),
            partial_fee: info.partial_fee,
        })
    }
}
