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
        Ok(self
            .0
            .blocking(move |ctx| {
                let header = ctx.header_at(at)?;
                let value = ctx
                    .client
                    .read_state(&header, |store| api::storage(store, &header, &key))?;
                Ok(value.map(Bytes))
            })
            .await?)
    }

    async fn read_proof(&self, keys: Vec<Bytes>, at: Option<Hash>) -> RpcResult<ReadProofJson> {
        if keys.len() > MAX_PROOF_KEYS {
            return Err(RpcError::InvalidParams(format!(
                "at most {MAX_PROOF_KEYS} keys per proof"
            ))
            .into());
        }
        let keys: Vec<Vec<u8>> = keys.into_iter().map(|k| k.0).collect();
        Ok(self
            .0
            .blocking(move |ctx| {
                let header = ctx.header_at(at)?;
                let proof = ctx
                    .client
                    .read_state(&header, |store| api::read_proof(store, &header, &keys))?;
                Ok(ReadProofJson {
                    at: header.hash(),
                    proof: proof.nodes.into_iter().map(Bytes).collect(),
                })
            })
            .await?)
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
        let info = self
            .0
            .blocking(move |ctx| {
                let header = ctx.header_at(at)?;
                Ok(api::query_info(ctx.client.store(), &header, &xt)?)
            })
            .await?;
        Ok(FeeInfoJson {
            weight: info.weight,
            class: info.class.into(),
            partial_fee: info.partial_fee,
        })
    }
}
