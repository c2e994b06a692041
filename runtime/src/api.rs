//! The read-only runtime API: what RPC and GhostBridge ask of the state at some block.
//!
//! Every function reads the state at a given root through the trie and never writes. Functions
//! that must see the chain "as in the next block" (transaction validation) initialize a
//! throwaway block on top of the given header and drop its changes.

use ghost_primitives::{
    AccountId, Balance, Header, InvalidTransaction, Nonce, TransactionValidity,
    TransactionValidityError,
};
use ghost_support::{Ext, with_externalities};
use ghost_trie::{NodeStore, ReadProof};
use parity_scale_codec::{DecodeAll, Encode};

use crate::executive::Executive;
use crate::state::TrieBackend;
use crate::{Balances, EventRecord, MAX_EXTRINSIC_SIZE, System, UncheckedExtrinsic};

/// Why a runtime API call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// The state at that root is incomplete (missing trie nodes).
    #[error("state unavailable: {0}")]
    State(String),
}

/// The balances and nonce of an account (`account_info`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AccountInfo {
    /// Spendable balance.
    pub free: Balance,
    /// Reserved balance.
    pub reserved: Balance,
    /// Next nonce.
    pub nonce: Nonce,
}

/// What an extrinsic would cost (`payment_queryInfo`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RuntimeDispatchInfo {
    /// Declared weight (ps).
    pub weight: u64,
    /// `normal` (the only class so far).
    pub class: &'static str,
    /// The fee without the tip.
    pub partial_fee: Balance,
}

/// Runs `f` against the state at `root`.
pub fn with_state<R>(
    store: &dyn NodeStore,
    root: ghost_primitives::Hash,
    f: impl FnOnce() -> R,
) -> Result<R, ApiError> {
    let mut ext = Ext::new(TrieBackend::new(store, root));
    let result = with_externalities(&mut ext, f);
    match ext.backend_error() {
        Some(e) => Err(ApiError::State(e.to_string())),
        None => Ok(result),
    }
}

/// Decodes an extrinsic from untrusted bytes: size-limited, and every byte must be used.
pub fn decode_extrinsic(bytes: &[u8]) -> Result<UncheckedExtrinsic, InvalidTransaction> {
    if bytes.len() > MAX_EXTRINSIC_SIZE {
        return Err(InvalidTransaction::ExhaustsResources);
    }
    UncheckedExtrinsic::decode_all(&mut &bytes[..]).map_err(|_| InvalidTransaction::BadEncoding)
}

/// Balances and nonce of `who` at `header`.
pub fn account_info(
    store: &dyn NodeStore,
    header: &Header,
    who: &AccountId,
) -> Result<AccountInfo, ApiError> {
    with_state(store, header.state_root, || {
        let data = Balances::account(who);
        AccountInfo {
            free: data.free,
            reserved: data.reserved,
            nonce: System::account_nonce(who),
        }
    })
}

/// The pool's verdict on `xt` on top of `best`.
pub fn validate_transaction(
    store: &dyn NodeStore,
    best: &Header,
    xt: &UncheckedExtrinsic,
) -> TransactionValidity {
    let len = xt.encoded_size() as u32;
    let next = Header {
        parent_hash: best.hash(),
        number: best.number.saturating_add(1),
        state_root: Default::default(),
        extrinsics_root: Default::default(),
        timestamp_ms: best.timestamp_ms.saturating_add(1),
        digest: Default::default(),
    };
    let verdict = with_state(store, best.state_root, || -> TransactionValidity {
        Executive::initialize_block(&next).map_err(|_| InvalidTransaction::Outdated)?;
        Executive::validate_transaction(xt, len)
    });
    match verdict {
        Ok(v) => v,
        // The best state must be readable; if it is not, no transaction can be judged valid.
        Err(_) => Err(TransactionValidityError::Invalid(
            InvalidTransaction::Outdated,
        )),
    }
}

/// The fee of `xt` without its tip.
pub fn query_info(
    store: &dyn NodeStore,
    header: &Header,
    xt: &UncheckedExtrinsic,
) -> Result<RuntimeDispatchInfo, ApiError> {
    let len = xt.encoded_size() as u32;
    let info = xt.call.dispatch_info();
    with_state(store, header.state_root, || {
        let fee = Balances::compute_fee(len, &info, 0);
        RuntimeDispatchInfo {
            weight: info.weight.ref_time(),
            class: "normal",
            partial_fee: fee.total(),
        }
    })
}

/// The events of the block whose post-state is `header.state_root`.
pub fn events(store: &dyn NodeStore, header: &Header) -> Result<Vec<EventRecord>, ApiError> {
    with_state(store, header.state_root, System::events)
}

/// The raw value at `key`.
pub fn storage(
    store: &dyn NodeStore,
    header: &Header,
    key: &[u8],
) -> Result<Option<Vec<u8>>, ApiError> {
    ghost_trie::StateView::new(store, header.state_root.0)
        .get(key)
        .map_err(|e| ApiError::State(e.to_string()))
}

/// A proof of the values at `keys`, verifiable with [`ghost_trie::verify_read_proof`] against
/// `header.state_root`.
pub fn read_proof(
    store: &dyn NodeStore,
    header: &Header,
    keys: &[Vec<u8>],
) -> Result<ReadProof, ApiError> {
    ghost_trie::generate_read_proof(store, header.state_root.0, keys)
        .map_err(|e| ApiError::State(e.to_string()))
}

/// The SCALE bytes of an extrinsic (for clients).
pub fn encode_extrinsic(xt: &UncheckedExtrinsic) -> Vec<u8> {
    xt.encode()
}
