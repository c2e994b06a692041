//! The client: the chain as stored, and the only place blocks are imported.
//!
//! Import checks a block's seal (the Aura author of its slot signed its pre-hash), its slot
//! against its timestamp, re-executes it on its parent's state (the runtime compares both
//! roots), and commits header, body, state nodes and indices in one RocksDB batch. Blocks the
//! node authored itself skip re-execution: the builder already computed their state. After a
//! commit, subscribers hear of the new best and finalized heads.

use std::sync::Arc;
use std::time::Instant;

use ghost_primitives::{AURA_ENGINE_ID, BlockNumber, Hash, Header, Signature};
use ghost_runtime::builder::{BuiltBlock, execute_block};
use ghost_runtime::chain_spec::ChainSpec;
use ghost_runtime::executive::BlockError;
use ghost_runtime::{Block, EventRecord, UncheckedExtrinsic, api};
use ghost_storage::{BlockCommit, Database, StorageError};
use ghost_trie::NodeStore;
use parity_scale_codec::{DecodeAll, Encode};
use parking_lot::Mutex;
use tokio::sync::broadcast;

use crate::metrics::Metrics;

const LOG_TARGET: &str = "client";

/// Why the client failed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The database failed or refused the write.
    #[error("storage: {0}")]
    Storage(#[from] StorageError),
    /// The block does not execute to its header.
    #[error("block execution: {0}")]
    Execution(#[from] BlockError),
    /// The genesis config is invalid.
    #[error("genesis: {0}")]
    Genesis(#[from] ghost_runtime::genesis::GenesisError),
    /// The database holds another chain.
    #[error("database holds chain {stored}, but the chain spec gives genesis {expected}")]
    GenesisMismatch {
        /// Genesis hash in the database.
        stored: Hash,
        /// Genesis hash of the spec.
        expected: Hash,
    },
    /// The seal is missing or wrong.
    #[error("bad seal: {0}")]
    BadSeal(&'static str),
    /// A stored body does not decode.
    #[error("corrupt block body of {0}")]
    CorruptBody(Hash),
    /// The block's parent is unknown.
    #[error("unknown parent {0}")]
    UnknownParent(Hash),
    /// The state for a block is missing.
    #[error("state unavailable: {0}")]
    State(#[from] api::ApiError),
}

/// Where a block comes from.
pub enum BlockOrigin {
    /// Built and sealed by this node: its state and events are already computed.
    Own {
        /// New trie nodes.
        state_nodes: Vec<([u8; 32], Vec<u8>)>,
        /// The block's events.
        events: Vec<EventRecord>,
    },
    /// From the network or a file: execute and check.
    External,
}

/// What importing a block changed.
#[derive(Clone, Debug)]
pub struct ImportedBlock {
    /// The block's header.
    pub header: Header,
    /// Its hash.
    pub hash: Hash,
    /// Whether it is the new best block.
    pub is_new_best: bool,
    /// Hashes of its extrinsics, in order.
    pub tx_hashes: Vec<Hash>,
    /// Its events.
    pub events: Vec<EventRecord>,
}

/// Where an extrinsic ended up and how its call went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExtrinsicOutcome {
    /// The block (on the best chain) that includes it.
    pub block_hash: Hash,
    /// That block's number.
    pub block_number: BlockNumber,
    /// Position in the block.
    pub index: u32,
    /// Whether the block is finalized.
    pub finalized: bool,
    /// The dispatch error if its call failed (`ExtrinsicFailed`).
    pub error: Option<String>,
}

/// The chain: storage plus import and notifications.
pub struct Client {
    db: Arc<Database>,
    spec: ChainSpec,
    genesis_hash: Hash,
    import_lock: Mutex<()>,
    imported: broadcast::Sender<Arc<ImportedBlock>>,
    finalized: broadcast::Sender<Header>,
    metrics: Arc<Metrics>,
}

impl Client {
    /// Opens the chain in `db`, writing the spec's genesis if the database is new.
    pub fn new(
        db: Arc<Database>,
        spec: ChainSpec,
        metrics: Arc<Metrics>,
    ) -> Result<Client, ClientError> {
        let genesis = spec.genesis.build()?;
        let expected = genesis.header.hash();
        match db.genesis_hash()? {
            Some(stored) if stored != expected => {
                return Err(ClientError::GenesisMismatch { stored, expected });
            }
            Some(_) => {}
            None => {
                db.commit_genesis(genesis.header.clone(), genesis.state_nodes)?;
            }
        }
        let (imported, _) = broadcast::channel(1024);
        let (finalized, _) = broadcast::channel(1024);
        let client = Client {
            db,
            spec,
            genesis_hash: expected,
            import_lock: Mutex::new(()),
            imported,
            finalized,
            metrics,
        };
        client.update_height_metrics()?;
        Ok(client)
    }

    /// The chain spec.
    pub fn spec(&self) -> &ChainSpec {
        &self.spec
    }

    /// The genesis hash.
    pub fn genesis_hash(&self) -> Hash {
        self.genesis_hash
    }

    /// The database.
    pub fn db(&self) -> &Arc<Database> {
        &self.db
    }

    /// The trie node store.
    pub fn store(&self) -> &dyn NodeStore {
        self.db.as_ref()
    }

    /// A header by hash.
    pub fn header(&self, hash: &Hash) -> Result<Option<Header>, ClientError> {
        Ok(self.db.header(hash)?)
    }

    /// The best block's hash and header.
    pub fn best(&self) -> Result<(Hash, Header), ClientError> {
        let (hash, _) = self.db.best()?;
        let header = self
            .db
            .header(&hash)?
            .ok_or(StorageError::Corrupt(format!("best header {hash} missing")))?;
        Ok((hash, header))
    }

    /// The finalized block's hash and header.
    pub fn finalized(&self) -> Result<(Hash, Header), ClientError> {
        let (hash, _) = self.db.finalized()?;
        let header = self.db.header(&hash)?.ok_or(StorageError::Corrupt(format!(
            "finalized header {hash} missing"
        )))?;
        Ok((hash, header))
    }

    /// The canonical hash at `number`.
    pub fn hash_by_number(&self, number: BlockNumber) -> Result<Option<Hash>, ClientError> {
        Ok(self.db.hash_by_number(number)?)
    }

    /// A whole block by hash.
    pub fn block(&self, hash: &Hash) -> Result<Option<Block>, ClientError> {
        let Some(header) = self.db.header(hash)? else {
            return Ok(None);
        };
        let extrinsics = match self.db.body(hash)? {
            Some(body) => Vec::<UncheckedExtrinsic>::decode_all(&mut &body[..])
                .map_err(|_| ClientError::CorruptBody(*hash))?,
            None => Vec::new(),
        };
        Ok(Some(Block { header, extrinsics }))
    }

    /// The events of a block.
    pub fn events(&self, header: &Header) -> Result<Vec<EventRecord>, ClientError> {
        Ok(api::events(self.store(), header)?)
    }

    /// Where extrinsic `tx` is on the best chain, and its outcome.
    pub fn extrinsic_outcome(&self, tx: &Hash) -> Result<Option<ExtrinsicOutcome>, ClientError> {
        use ghost_runtime::RuntimeEvent;
        use ghost_runtime::system::{Event as SystemEvent, Phase};
        let Some((block_hash, index)) = self.db.tx_location(tx)? else {
            return Ok(None);
        };
        let header = self
            .db
            .header(&block_hash)?
            .ok_or(StorageError::Corrupt(format!(
                "indexed block {block_hash} missing"
            )))?;
        let (_, finalized) = self.db.finalized()?;
        let error =
            self.events(&header)?
                .into_iter()
                .find_map(|record| match record {
                    EventRecord {
                        phase: Phase::ApplyExtrinsic(i),
                        event:
                            RuntimeEvent::System(SystemEvent::ExtrinsicFailed {
                                dispatch_error, ..
                            }),
                    } if i == index => Some(dispatch_error.to_string()),
                    _ => None,
                });
        Ok(Some(ExtrinsicOutcome {
            block_hash,
            block_number: header.number,
            index,
            finalized: header.number <= finalized,
            error,
        }))
    }

    /// Subscribes to imported blocks.
    pub fn subscribe_imported(&self) -> broadcast::Receiver<Arc<ImportedBlock>> {
        self.imported.subscribe()
    }

    /// Subscribes to finalized headers.
    pub fn subscribe_finalized(&self) -> broadcast::Receiver<Header> {
        self.finalized.subscribe()
    }

    /// Checks the Aura seal of `header`: the authority of its slot signed its pre-hash.
    pub fn verify_seal(&self, header: &Header, parent: &Header) -> Result<(), ClientError> {
        let consensus = &self.spec.consensus;
        let slot = header
            .slot()
            .ok_or(ClientError::BadSeal("no slot in the digest"))?;
        if header.timestamp_ms / consensus.slot_duration_ms != slot {
            return Err(ClientError::BadSeal(
                "timestamp is outside the block's slot",
            ));
        }
        if let Some(parent_slot) = parent.slot()
            && slot < parent_slot
        {
            return Err(ClientError::BadSeal("slot goes backwards"));
        }
        let authorities = &consensus.authorities;
        let index = usize::try_from(slot % authorities.len() as u64).unwrap_or(0);
        let author = authorities
            .get(index)
            .ok_or(ClientError::BadSeal("no authorities"))?;
        let seal = header
            .seal(AURA_ENGINE_ID)
            .ok_or(ClientError::BadSeal("no seal"))?;
        let signature: [u8; 64] = seal
            .try_into()
            .map_err(|_| ClientError::BadSeal("seal is not 64 bytes"))?;
        if !Signature(signature).verify(header.pre_hash().as_bytes(), author) {
            return Err(ClientError::BadSeal(
                "seal is not the slot author's signature",
            ));
        }
        Ok(())
    }

    /// Imports `block`; finalizes it at once when `finalize`.
    pub fn import_block(
        &self,
        block: Block,
        origin: BlockOrigin,
        finalize: bool,
    ) -> Result<Arc<ImportedBlock>, ClientError> {
        let started = Instant::now();
        let _guard = self.import_lock.lock();
        let hash = block.header.hash();
        let parent = self
            .db
            .header(&block.header.parent_hash)?
            .ok_or(ClientError::UnknownParent(block.header.parent_hash))?;
        self.verify_seal(&block.header, &parent)?;
        let (state_nodes, events) = match origin {
            BlockOrigin::Own {
                state_nodes,
                events,
            } => (state_nodes, events),
            BlockOrigin::External => {
                let executed = execute_block(self.store(), &parent, &block)?;
                (executed.state_nodes, executed.events)
            }
        };
        let (_, best_number) = self.db.best()?;
        let is_new_best = block.header.number > best_number;
        let tx_hashes: Vec<Hash> = block.extrinsics.iter().map(|xt| xt.hash()).collect();
        self.db.commit_block(BlockCommit {
            header: block.header.clone(),
            body: block.extrinsics.encode(),
            state_nodes,
            tx_hashes: tx_hashes.clone(),
            new_best: is_new_best,
            finalized: finalize.then_some(hash),
            justification: None,
        })?;
        self.metrics
            .block_import_seconds
            .observe(started.elapsed().as_secs_f64());
        self.update_height_metrics()?;
        let imported = Arc::new(ImportedBlock {
            header: block.header.clone(),
            hash,
            is_new_best,
            tx_hashes,
            events,
        });
        tracing::debug!(target: LOG_TARGET, number = block.header.number, %hash, "imported");
        // Nobody listening is fine.
        let _ = self.imported.send(imported.clone());
        if finalize {
            let _ = self.finalized.send(block.header);
        }
        Ok(imported)
    }

    /// Imports a block this node built and sealed.
    pub fn import_own(
        &self,
        built: BuiltBlock,
        finalize: bool,
    ) -> Result<Arc<ImportedBlock>, ClientError> {
        let origin = BlockOrigin::Own {
            state_nodes: built.state_nodes,
            events: built.events,
        };
        self.import_block(built.block, origin, finalize)
    }

    fn update_height_metrics(&self) -> Result<(), ClientError> {
        let (_, best) = self.db.best()?;
        let (_, finalized) = self.db.finalized()?;
        self.metrics
            .best_height
            .set(i64::try_from(best).unwrap_or(i64::MAX));
        self.metrics
            .finalized_height
            .set(i64::try_from(finalized).unwrap_or(i64::MAX));
        Ok(())
    }
}
