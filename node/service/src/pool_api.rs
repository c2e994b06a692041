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

/// The next nonce of `who`: its state nonce at the best block, past its transactions waiting in
/// the pool.
///
/// The pool is read first and the best block after it. Import moves the best block before it
/// takes the block's transactions out of the pool, so every transaction missing from the pool
/// snapshot was already included in a block at or below the best block read after it: the
/// answer never falls behind a nonce the chain has used, even while a block is being imported
/// (reading the state first could see the old nonce and then a pool that had just dropped the
/// included transaction, and hand out a stale nonce).
pub fn next_nonce(
    client: &Client,
    pool: &TransactionPool,
    who: &ghost_primitives::AccountId,
) -> Result<u64, crate::client::ClientError> {
    let pending: std::collections::BTreeSet<u64> = pool
        .pending_where(|tx| tx.data.signer == *who)
        .iter()
        .map(|tx| tx.data.extra.nonce)
        .collect();
    let (_, header) = client.best()?;
    let info = api::account_info(client.store(), &header, who)?;
    let mut next = info.nonce;
    while pending.contains(&next) {
        next += 1;
    }
    Ok(next)
}

/// Keeps the pool in step with a newly imported block: on a reorg the transactions of the
/// retracted blocks go back into the pool (those the new chain already includes, or that are no
/// longer valid, are refused by validation and dropped), then every transaction the enacted
/// blocks include leaves it and the rest are revalidated at the new best block. Watchers hear
/// `inBlock` for the transactions of the imported block.
pub fn maintain_pool(
    client: &Client,
    pool: &TransactionPool,
    imported: &crate::client::ImportedBlock,
) -> Result<(), crate::client::ClientError> {
    let mut included = imported.tx_hashes.clone();
    if let Some(route) = &imported.route {
        for (_, hash) in &route.retracted {
            let Some(block) = client.block(hash)? else {
                continue;
            };
            for xt in block.extrinsics {
                // Refusals (stale nonce, already in the new chain) are the expected outcome for
                // most of them.
                let _ = pool.submit(imported.hash, xt);
            }
        }
        for (_, hash) in &route.enacted {
            if *hash != imported.hash
                && let Some(txs) = client.db().block_tx_hashes(hash)?
            {
                included.extend(txs);
            }
        }
    }
    if imported.is_new_best {
        pool.maintain(imported.hash, imported.header.number, &included);
    }
    pool.notify_in_block(imported.hash, &imported.tx_hashes);
    Ok(())
}
