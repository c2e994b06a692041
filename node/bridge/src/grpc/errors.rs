//! Why a gRPC call fails, and the one place where failures become a `tonic::Status`.
//!
//! Every handler returns [`GrpcError`]; `From<GrpcError> for Status` maps it once, at the edge.
//! [`BridgeError`] (from the chain source) converts into `GrpcError` and, through it, into a
//! `Status`, so no handler picks a status code itself.
//!
//! | error | code |
//! | --- | --- |
//! | [`GrpcError::Invalid`] (bad name, record, address, signature length), [`GrpcError::Stale`], [`GrpcError::OversizedBatch`] | `INVALID_ARGUMENT` |
//! | [`GrpcError::BadSignature`], [`GrpcError::NotAuthorized`] | `PERMISSION_DENIED` |
//! | [`GrpcError::StaleSequence`] | `FAILED_PRECONDITION` |
//! | [`GrpcError::UnknownDomain`], [`GrpcError::UnknownHeight`], [`BridgeError::NotFound`] | `NOT_FOUND` |
//! | [`BridgeError::Rejected`] (the pool or chain refused) | `FAILED_PRECONDITION` |
//! | [`GrpcError::SlowConsumer`], [`GrpcError::TooManyStreams`], [`GrpcError::RateLimited`] | `RESOURCE_EXHAUSTED` |
//! | [`GrpcError::FeedInterrupted`], [`GrpcError::ShuttingDown`], [`BridgeError::Unavailable`] | `UNAVAILABLE` |
//!
//! Stream-ending errors carry the height to resume from, in the message and in the
//! `ghost-resume-height` trailer ([`RESUME_HEIGHT_METADATA`]), and the hash of the last block
//! sent in the `ghost-resume-hash` trailer ([`RESUME_HASH_METADATA`]).

use ghost_primitives::{AccountId, DomainName, Hash};
use tonic::metadata::{MetadataMap, MetadataValue};
use tonic::{Code, Status};

use super::convert::ConvertError;
use crate::source::BridgeError;

/// The trailer that carries the height a subscription should resume from.
pub const RESUME_HEIGHT_METADATA: &str = "ghost-resume-height";

/// The trailer that carries the hash of the last block a subscription was sent (`0x`-hex), the
/// `from_block_hash` to resume with.
pub const RESUME_HASH_METADATA: &str = "ghost-resume-hash";

/// Why a GhostDNSService call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum GrpcError {
    /// The request is malformed (name, record, address, signature length, filter).
    #[error(transparent)]
    Invalid(#[from] ConvertError),
    /// The signature is not the signer's signature of the canonical update payload.
    #[error("signature is not {signer}'s signature of the canonical update payload")]
    BadSignature {
        /// The claimed signer (`owner_address`).
        signer: AccountId,
    },
    /// The signer is neither the name's owner nor its update key at the best block.
    #[error("{signer} is neither the owner nor the update key of `{name}`")]
    NotAuthorized {
        /// The name.
        name: DomainName,
        /// The signer (`owner_address`).
        signer: AccountId,
    },
    /// The update was signed against a sequence number the name's records have moved past.
    #[error("stale sequence: signed against {sent}, the records of `{name}` are at {current}")]
    StaleSequence {
        /// The name.
        name: DomainName,
        /// The update's sequence.
        sent: u64,
        /// The name's sequence at the best block.
        current: u64,
    },
    /// The update's timestamp is too far from the bridge's clock.
    #[error(
        "stale update: timestamp {timestamp} is {skew_ms} ms away from the bridge's clock {now} \
         (window ±{window_ms} ms)"
    )]
    Stale {
        /// The update's timestamp (ms).
        timestamp: u64,
        /// The bridge's clock (ms).
        now: u64,
        /// How far apart they are (ms).
        skew_ms: u64,
        /// The accepted distance (ms).
        window_ms: u64,
    },
    /// The name is not registered.
    #[error("`{0}` is not registered")]
    UnknownDomain(DomainName),
    /// No canonical block at the requested height.
    #[error("no block at height {0}")]
    UnknownHeight(u64),
    /// A batch with more updates than allowed.
    #[error("oversized batch: {len} updates, at most {max}")]
    OversizedBatch {
        /// Updates sent.
        len: usize,
        /// Updates allowed.
        max: usize,
    },
    /// Too many updates of one name, or from one client, in a short time.
    #[error("rate limited: too many updates {of}; retry in {retry_ms} ms")]
    RateLimited {
        /// `of name alice.ghost` or `from client 127.0.0.1`.
        of: String,
        /// When the next one would be taken.
        retry_ms: u64,
    },
    /// A subscriber did not read while its buffer was full.
    #[error("slow consumer; resume from height {resume_from}")]
    SlowConsumer {
        /// Every matching change below this height was delivered, none from it on.
        resume_from: u64,
        /// The last block delivered (at `resume_from - 1`), for `from_block_hash`.
        resume_after: Option<Hash>,
    },
    /// As many subscriptions are open as the server allows.
    #[error("too many open subscriptions (at most {max}); retry later")]
    TooManyStreams {
        /// The limit.
        max: usize,
    },
    /// The chain's change feed ended or failed.
    #[error("change feed interrupted ({cause}); resume from height {resume_from}")]
    FeedInterrupted {
        /// Every matching change below this height was delivered, none from it on.
        resume_from: u64,
        /// The last block delivered (at `resume_from - 1`), for `from_block_hash`.
        resume_after: Option<Hash>,
        /// What happened.
        cause: String,
    },
    /// The server is stopping.
    #[error("GhostBridge is shutting down; resume from height {resume_from}")]
    ShuttingDown {
        /// Every matching change below this height was delivered, none from it on.
        resume_from: u64,
        /// The last block delivered (at `resume_from - 1`), for `from_block_hash`.
        resume_after: Option<Hash>,
    },
    /// The chain source failed or refused.
    #[error(transparent)]
    Chain(#[from] BridgeError),
}

impl GrpcError {
    /// The gRPC status code of this error.
    pub fn code(&self) -> Code {
        match self {
            GrpcError::Invalid(_) | GrpcError::Stale { .. } | GrpcError::OversizedBatch { .. } => {
                Code::InvalidArgument
            }
            GrpcError::BadSignature { .. } | GrpcError::NotAuthorized { .. } => {
                Code::PermissionDenied
            }
            GrpcError::StaleSequence { .. } => Code::FailedPrecondition,
            GrpcError::UnknownDomain(_) | GrpcError::UnknownHeight(_) => Code::NotFound,
            GrpcError::SlowConsumer { .. }
            | GrpcError::TooManyStreams { .. }
            | GrpcError::RateLimited { .. } => Code::ResourceExhausted,
            GrpcError::FeedInterrupted { .. } | GrpcError::ShuttingDown { .. } => Code::Unavailable,
            GrpcError::Chain(BridgeError::Rejected(_)) => Code::FailedPrecondition,
            GrpcError::Chain(BridgeError::NotFound(_)) => Code::NotFound,
            GrpcError::Chain(BridgeError::Unavailable(_)) => Code::Unavailable,
        }
    }

    /// The height a subscriber should resume from, for errors that end a subscription.
    pub fn resume_from(&self) -> Option<u64> {
        match self {
            GrpcError::SlowConsumer { resume_from, .. }
            | GrpcError::FeedInterrupted { resume_from, .. }
            | GrpcError::ShuttingDown { resume_from, .. } => Some(*resume_from),
            _ => None,
        }
    }

    /// The last block a subscriber was sent (at [`resume_from`](Self::resume_from) − 1), to
    /// resume with as `from_block_hash`.
    pub fn resume_after(&self) -> Option<Hash> {
        match self {
            GrpcError::SlowConsumer { resume_after, .. }
            | GrpcError::FeedInterrupted { resume_after, .. }
            | GrpcError::ShuttingDown { resume_after, .. } => *resume_after,
            _ => None,
        }
    }

    /// Whether the chain (pool or runtime) refused a submitted update.
    pub fn is_rejected(&self) -> bool {
        matches!(self, GrpcError::Chain(BridgeError::Rejected(_)))
    }

    /// A short, stable label for metrics (`invalid_argument`, `permission_denied`, ...).
    pub fn metric_label(&self) -> &'static str {
        match self.code() {
            Code::InvalidArgument => "invalid_argument",
            Code::PermissionDenied => "permission_denied",
            Code::NotFound => "not_found",
            Code::FailedPrecondition => "rejected",
            Code::ResourceExhausted => "resource_exhausted",
            _ => "unavailable",
        }
    }
}

impl From<GrpcError> for Status {
    fn from(error: GrpcError) -> Status {
        let mut metadata = MetadataMap::new();
        if let Some(height) = error.resume_from() {
            metadata.insert(RESUME_HEIGHT_METADATA, MetadataValue::from(height));
        }
        if let Some(hash) = error.resume_after()
            && let Ok(value) = MetadataValue::try_from(hash.to_string())
        {
            metadata.insert(RESUME_HASH_METADATA, value);
        }
        Status::with_metadata(error.code(), error.to_string(), metadata)
    }
}

impl From<BridgeError> for Status {
    fn from(error: BridgeError) -> Status {
        GrpcError::Chain(error).into()
    }
}
