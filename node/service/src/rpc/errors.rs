//! Errors of RPC handlers and their JSON-RPC codes: one mapping for every method.

use ghost_primitives::{Hash, TransactionValidityError};
use ghost_rpc::error_codes;
use ghost_txpool::PoolError;
use jsonrpsee::types::ErrorObjectOwned;

use crate::client::ClientError;

/// Why an RPC call failed.
#[derive(Debug, thiserror::Error)]
pub enum RpcError {
    /// A parameter is malformed.
    #[error("invalid parameter: {0}")]
    InvalidParams(String),
    /// The extrinsic does not decode.
    #[error("extrinsic has a bad format: {0}")]
    BadFormat(String),
    /// The runtime or the pool refused the extrinsic.
    #[error("{0}")]
    Pool(#[from] PoolError),
    /// The runtime refused the extrinsic.
    #[error("{0}")]
    Validity(#[from] TransactionValidityError),
    /// No such block.
    #[error("unknown block {0}")]
    UnknownBlock(Hash),
    /// The block's state was pruned (the message names the oldest block still kept).
    #[error("{0}")]
    StatePruned(String),
    /// The node failed internally.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<ClientError> for RpcError {
    fn from(e: ClientError) -> Self {
        match e {
            // Both name data this node does not keep (the message says which and what to do).
            ClientError::Storage(e) if e.is_state_pruned() || e.is_below_warp_base() => {
                RpcError::StatePruned(e.to_string())
            }
            e @ ClientError::EventsUnavailable { .. } => RpcError::StatePruned(e.to_string()),
            e => RpcError::Internal(e.to_string()),
        }
    }
}

impl From<ghost_runtime::api::ApiError> for RpcError {
    fn from(e: ghost_runtime::api::ApiError) -> Self {
        RpcError::Internal(e.to_string())
    }
}

impl From<RpcError> for ErrorObjectOwned {
    fn from(e: RpcError) -> Self {
        let code = match &e {
            RpcError::InvalidParams(_) => error_codes::INVALID_PARAMS,
            RpcError::BadFormat(_) => error_codes::BAD_FORMAT,
            RpcError::Validity(TransactionValidityError::Invalid(_)) => {
                error_codes::INVALID_TRANSACTION
            }
            RpcError::Validity(TransactionValidityError::Unknown(_)) => {
                error_codes::UNKNOWN_TRANSACTION
            }
            RpcError::Pool(PoolError::Invalid(_)) => error_codes::INVALID_TRANSACTION,
            RpcError::Pool(PoolError::Unknown(_)) => error_codes::UNKNOWN_TRANSACTION,
            RpcError::Pool(_) => error_codes::POOL,
            RpcError::UnknownBlock(_) => error_codes::UNKNOWN_BLOCK,
            RpcError::StatePruned(_) => error_codes::STATE_PRUNED,
            RpcError::Internal(_) => error_codes::INTERNAL,
        };
        ErrorObjectOwned::owned(code, e.to_string(), None::<()>)
    }
}

/// The result type of handlers.
pub type RpcResult<T> = Result<T, ErrorObjectOwned>;
