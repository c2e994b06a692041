//! The library's errors: each says what failed, where (the URL, the RPC method, the extrinsic)
//! and, where the chain knows it, why (a dispatch error with its doc text).

use ghost_primitives::Hash;
use ghost_support::dispatch::DispatchError;
use jsonrpsee::core::client::Error as RpcError;

/// A `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why a call failed inside an included extrinsic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DispatchFailure {
    /// The extrinsic.
    pub extrinsic_hash: Hash,
    /// The block that includes it.
    pub block_hash: Hash,
    /// That block's height.
    pub block_number: u64,
    /// The error the call returned.
    pub error: DispatchError,
    /// The error's doc text from the node's metadata (a module error only).
    pub docs: Option<String>,
    /// The extrinsic's events (its fee, `ExtrinsicFailed`): a failed call still pays.
    pub events: Vec<ghost_runtime::RuntimeEvent>,
}

impl DispatchFailure {
    /// The pallet that refused the call (`Balances`), for a module error.
    pub fn pallet(&self) -> Option<&str> {
        match &self.error {
            DispatchError::Module(m) => Some(&m.pallet),
            _ => None,
        }
    }

    /// The error's name (`InsufficientBalance`), for a module error.
    pub fn error_name(&self) -> Option<&str> {
        match &self.error {
            DispatchError::Module(m) => Some(&m.error),
            _ => None,
        }
    }
}

impl std::fmt::Display for DispatchFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "extrinsic {} was included in block {} but failed: {}",
            self.extrinsic_hash, self.block_number, self.error
        )?;
        match &self.docs {
            Some(docs) if !docs.is_empty() => write!(f, " ({docs})"),
            _ => Ok(()),
        }
    }
}

impl std::error::Error for DispatchFailure {}

/// What went wrong.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The URL is not one this client can use.
    #[error("connecting to {url} failed: {reason}")]
    BadUrl {
        /// The URL tried.
        url: String,
        /// Why it cannot be used.
        reason: &'static str,
    },
    /// No connection could be opened.
    #[error("connecting to {url} failed: {reason}")]
    Connect {
        /// The URL tried.
        url: String,
        /// What the transport said.
        reason: String,
    },
    /// An RPC call failed: the node refused it (`code`), or the connection or time ran out.
    #[error("{method} at {url}: {}", describe(.source))]
    Rpc {
        /// The node's URL.
        url: String,
        /// The method called.
        method: &'static str,
        /// The client error.
        #[source]
        source: RpcError,
    },
    /// The node answered something this client cannot use.
    #[error("{method} at {url}: {reason}")]
    BadAnswer {
        /// The node's URL.
        url: String,
        /// The method called.
        method: &'static str,
        /// What was wrong.
        reason: String,
    },
    /// A keystore could not give the key asked for.
    #[error("keystore {dir}: {reason}")]
    Keystore {
        /// The keystore's directory.
        dir: String,
        /// What was wrong.
        reason: String,
    },
    /// The secret URI or seed is not valid (the secret itself is never repeated).
    #[error("invalid secret URI: {0}")]
    BadSecret(String),
    /// The node runs a runtime this client does not sign for.
    #[error(
        "the node runs {spec_name} spec_version {spec_version}, this client signs for {} \
         spec_version {}; refusing to sign (use a client built for the node's runtime)",
        ghost_runtime::SPEC_NAME,
        ghost_runtime::SPEC_VERSION
    )]
    RuntimeMismatch {
        /// The node's `spec_name`.
        spec_name: String,
        /// The node's `spec_version`.
        spec_version: u32,
    },
    /// The extrinsic will not be included (invalid, dropped, usurped, not finalized in time).
    #[error("extrinsic {extrinsic_hash}: {reason}")]
    NotIncluded {
        /// The extrinsic.
        extrinsic_hash: Hash,
        /// Why (as the node said).
        reason: String,
    },
    /// Waiting for the extrinsic took longer than the client's timeout.
    #[error("extrinsic {extrinsic_hash} was submitted but not {stage} within {secs} s")]
    WaitTimeout {
        /// The extrinsic.
        extrinsic_hash: Hash,
        /// `in a block` or `finalized`.
        stage: &'static str,
        /// The timeout.
        secs: u64,
    },
    /// The extrinsic was included but its call failed.
    #[error(transparent)]
    Dispatch(Box<DispatchFailure>),
    /// A proof does not verify.
    #[error(transparent)]
    Proof(#[from] ghost_light::ProofError),
    /// The block a proof is checked against is not proven final.
    #[error(transparent)]
    Finality(#[from] ghost_light::FinalityError),
    /// The events a node served for a block do not decode, or do not match the block's
    /// `System.EventsDigest`.
    #[error("the events of block {block_hash}: {source}")]
    EventsMismatch {
        /// The block.
        block_hash: Hash,
        /// What was wrong.
        #[source]
        source: ghost_runtime::api::EventsError,
    },
    /// A proof verifies but the node's answer does not match it.
    #[error(
        "the node's resolution of {name} does not match its proof: the node says {claimed}, the proven state says {proven}"
    )]
    ProofMismatch {
        /// The name.
        name: String,
        /// The node's answer (JSON).
        claimed: String,
        /// What the proof says (JSON).
        proven: String,
    },
}

impl Error {
    /// The node's JSON-RPC error code, if the node refused a call.
    pub fn rpc_code(&self) -> Option<i32> {
        match self {
            Error::Rpc {
                source: RpcError::Call(object),
                ..
            } => Some(object.code()),
            _ => None,
        }
    }

    /// The dispatch failure, if an included call failed.
    pub fn dispatch(&self) -> Option<&DispatchFailure> {
        match self {
            Error::Dispatch(failure) => Some(failure),
            _ => None,
        }
    }

    /// Whether the connection (not the node's judgement) failed: worth retrying later.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, Error::Connect { .. })
            || matches!(
                self,
                Error::Rpc { source, .. } if !matches!(source, RpcError::Call(_))
            )
    }
}

/// A one-line description of a jsonrpsee client error: the node's code and message for call
/// errors.
pub fn describe(error: &RpcError) -> String {
    match error {
        RpcError::Call(object) => match object.data() {
            Some(data) => format!(
                "node error {}: {} ({})",
                object.code(),
                object.message(),
                data.get()
            ),
            None => format!("node error {}: {}", object.code(), object.message()),
        },
        RpcError::RequestTimeout => "the node did not answer in time".to_owned(),
        RpcError::RestartNeeded(cause) => format!("connection to the node lost: {cause}"),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonrpsee::types::ErrorObject;

    #[test]
    fn rpc_errors_name_the_method_url_and_node_code() {
        let error = Error::Rpc {
            url: "ws://127.0.0.1:9944".into(),
            method: "author_submitExtrinsic",
            source: RpcError::Call(ErrorObject::owned(
                1010,
                "Invalid Transaction: stale nonce",
                None::<()>,
            )),
        };
        assert_eq!(
            error.to_string(),
            "author_submitExtrinsic at ws://127.0.0.1:9944: node error 1010: Invalid Transaction: stale nonce"
        );
        assert_eq!(error.rpc_code(), Some(1010));
        assert!(!error.is_unavailable());
    }
}
