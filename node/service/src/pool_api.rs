//! The transaction pool's view of the chain: validation by the runtime at the best block.

use std::sync::Arc;

use ghost_primitives::{Hash, InvalidTransaction, TransactionValidityError, ValidTransaction};
use ghost_runtime::{UncheckedExtrinsic, api};
use ghost_txpool::ChainApi;
use parity_scale_codec::Encode;

use crate::client::Client;

/// Validates pool transactions with the runtime against the client's state.
pub struct FullChainApi {
    client: Arc<Client>,
}

impl FullChainApi {
    /// Validation against `client`.
    pub fn new(client: Arc<Client>) -> Self {
        FullChainApi { client }
    }
}

impl ChainApi for FullChainApi {
    type Extrinsic = UncheckedExtrinsic;

    fn validate(
        &self,
        at: Hash,
        xt: &UncheckedExtrinsic,
    ) -> Result<ValidTransaction, TransactionValidityError> {
        let header = match self.client.header(&at) {
            Ok(Some(header)) => header,
            // An unknown or unreadable block cannot vouch for anything.
            _ => return Err(InvalidTransaction::Outdated.into()),
        };
        api::validate_transaction(self.client.store(), &header, xt)
    }

    fn hash_and_length(&self, xt: &UncheckedExtrinsic) -> (Hash, usize) {
        (xt.hash(), xt.encoded_size())
    }
}

/// The node's pool type.
pub type TransactionPool = ghost_txpool::Pool<FullChainApi>;
