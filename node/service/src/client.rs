//! The client: the chain as stored, and the only place blocks are imported.
//!
//! Import checks a block's seal (the Aura author of its slot signed its pre-hash), its slot
//! against its timestamp, re-executes it on its parent's state (the runtime compares both
//! roots), and commits header, body, state nodes, indices and the block's name change log in
//! one RocksDB batch. Blocks the node authored itself skip re-execution: the builder already
//! computed their state. After a commit, subscribers hear of the new best and finalized heads.
//!
//! Block equivocations: every header whose seal checks out is compared with the headers of the
//! same slot seen before (kept in aux storage under [`SLOT_HEADERS_KEY`], bounded, as Substrate's
//! `sc_consensus_slots::check_equivocation` keeps them). A second, different header of one
//! author in one slot is logged, counted (`ghostchain_aura_equivocations`) and handed back in
//! [`ImportedBlock::equivocation`] for the consensus worker to report to the runtime; the block
//! is still imported (finality picks one of the two).

use std::sync::Arc;
use std::time::Instant;

use ghost_consensus::aura::{self, AuraError, AuraParams, Slot};
use ghost_consensus::grandpa::{GrandpaJustification, JustificationError};
use ghost_consensus::protocol::JustifiedHeader;
use ghost_consensus::{Clock, SystemClock};
use ghost_primitives::{AccountId, AuraEquivocation, BlockNumber, Hash, Header};
use ghost_runtime::builder::{BuiltBlock, execute_block};
use ghost_runtime::chain_spec::ChainSpec;
use ghost_runtime::executive::BlockError;
use ghost_runtime::{Block, EventRecord, UncheckedExtrinsic, api};
use ghost_storage::{BlockCommit, Database, StorageError, TreeRoute};
use ghost_trie::NodeStore;
use parity_scale_codec::{Decode, DecodeAll, Encode};
use parking_lot::Mutex;
use tokio::sync::broadcast;

use crate::metrics::Metrics;

const LOG_TARGET: &str = "client";

/// The aux key of the recent `(slot, author, header)` triples that block equivocations are
/// detected against.
pub const SLOT_HEADERS_KEY: &[u8] = b"aura_slot_headers";
/// The most headers kept there: a block of a slot at or below the finalized block's slot can
/// never be imported, so those are dropped; this bounds the rest while finality stalls.
pub const MAX_SLOT_HEADERS: usize = 1_024;
/// The auxiliary key of the voter sets a warp sync followed ([`Client::warp_voter_sets`]).
pub const WARP_VOTER_SETS: &[u8] = b"warp_voter_sets";

/// The voter-set changes [`Client::voter_set_changes`] found.
#[derive(Debug)]
pub struct VoterSetChanges {
    /// The change to set `from_set_id + 1 + i` at index `i`.
    pub changes: Vec<JustifiedHeader>,
    /// The voter set id at the block asked about.
    pub set_id: u64,
    /// The last set id covered; below `set_id` when `max` cut the list short.
    pub last: u64,
}

/// What finalizing by justification did.
#[derive(Debug)]
pub struct Finalized {
    /// The storage commit (best-chain route if finality moved the best chain, pruned forks).
    pub commit: ghost_storage::CommitOutcome,
    /// The transactions of the best-chain blocks the move retracted (and pruned), for the
    /// pool to take back.
    pub retracted: Vec<UncheckedExtrinsic>,
}

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
    #[error(
        "database holds chain {stored}, but the chain spec gives genesis {expected}: use the \
         base path of that chain, or start over with `ghostchain purge-chain --chain <spec> \
         --base-path <dir>`"
    )]
    GenesisMismatch {
        /// Genesis hash in the database.
        stored: Hash,
        /// Genesis hash of the spec.
        expected: Hash,
    },
    /// The header fails the Aura checks (seal, author, slot).
    #[error("bad seal: {0}")]
    BadSeal(#[from] AuraError),
    /// A stored body does not decode.
    #[error("corrupt block body of {0}")]
    CorruptBody(Hash),
    /// A justification that does not prove finality.
    #[error("justification: {0}")]
    Justification(#[from] JustificationError),
    /// A justification by a voter set whose enacting block is not final yet.
    #[error(
        "block #{number} is voted on by set {set_id}, but the finalized block's set is {finalized_set_id}: finalize the set change first"
    )]
    SetChangeNotFinal {
        /// The block.
        number: BlockNumber,
        /// The set that would finalize it.
        set_id: u64,
        /// The set of the finalized block.
        finalized_set_id: u64,
    },
    /// The block is on a fork that does not contain the finalized block.
    #[error("block #{number} is not a descendant of the finalized block #{finalized}")]
    BelowFinalized {
        /// The block's number.
        number: BlockNumber,
        /// The finalized block's number.
        finalized: BlockNumber,
    },
    /// The block's parent is unknown.
    #[error("unknown parent {0}")]
    UnknownParent(Hash),
    /// The state for a block is missing.
    #[error("state unavailable: {0}")]
    State(#[from] api::ApiError),
    /// The events stored for a block do not decode (a corrupt database).
    #[error("corrupt events of block {block}: {error}")]
    CorruptEvents {
        /// The block.
        block: Hash,
        /// Why they do not decode.
        error: api::EventsError,
    },
    /// A block's events are not stored and cannot be re-derived: a block imported before the
    /// node stored events per block (schema v5) whose state is pruned.
    #[error("the events of block #{number} ({block}) are not stored and its state is pruned")]
    EventsUnavailable {
        /// The block.
        block: Hash,
        /// Its number.
        number: BlockNumber,
    },
    /// The genesis voter set could not be proven from the genesis state (a spec without
    /// validators state).
    #[error("proving the genesis voter set: {0}")]
    GenesisProof(String),
    /// A warp sync's downloaded state does not have the warp block's state root.
    #[error("warp sync state has root {found}, but the block's state root is {expected}")]
    WarpStateMismatch {
        /// The header's state root.
        expected: Hash,
        /// The root of the state downloaded.
        found: Hash,
    },
}

impl ClientError {
    /// A short label for metrics.
    pub fn reason(&self) -> &'static str {
        match self {
            ClientError::Storage(_) => "storage",
            ClientError::Execution(BlockError::StateRootMismatch { .. }) => "state_root",
            ClientError::Execution(BlockError::DigestMismatch) => "digest",
            ClientError::Execution(BlockError::InvalidExtrinsic { .. }) => "invalid_extrinsic",
            ClientError::Execution(_) => "execution",
            ClientError::Genesis(_) | ClientError::GenesisProof(_) => "genesis",
            ClientError::GenesisMismatch { .. } => "genesis_mismatch",
            ClientError::BadSeal(AuraError::FutureSlot { .. }) => "future_slot",
            ClientError::BadSeal(AuraError::SlotNotIncreasing { .. }) => "slot_not_increasing",
            ClientError::BadSeal(AuraError::WrongAuthor { .. }) => "wrong_author",
            ClientError::BadSeal(_) => "bad_seal",
            ClientError::Justification(_) => "bad_justification",
            ClientError::SetChangeNotFinal { .. } => "set_change_not_final",
            ClientError::BelowFinalized { .. } => "below_finalized",
            ClientError::CorruptBody(_) => "corrupt_body",
            ClientError::UnknownParent(_) => "unknown_parent",
            ClientError::State(_) => "state",
            ClientError::CorruptEvents { .. } => "corrupt_events",
            ClientError::EventsUnavailable { .. } => "events_unavailable",
            ClientError::WarpStateMismatch { .. } => "warp_state",
        }
    }
}

/// Where a block comes from.
pub enum BlockOrigin {
    /// Built and sealed by this node: its state and events are already computed.
    Own {
        /// New trie nodes.
        state_nodes: Vec<([u8; 32], Vec<u8>)>,
        /// Their reference-count changes (for a pruning database).
        state_refs: Vec<ghost_trie::RefChange>,
        /// The block's events.
        events: Vec<EventRecord>,
        /// The same events as the runtime encodes them (what the `events` column stores).
        encoded_events: Vec<u8>,
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
    /// How the best chain moved (blocks retracted and enacted), when it became best.
    pub route: Option<TreeRoute>,
    /// The proof that the block's author sealed another header in the same slot, if this node
    /// has seen one.
    pub equivocation: Option<AuraEquivocation>,
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
    /// The fee its signer paid, tip included and net of refunds (the `fee` of its
    /// `ExtrinsicSuccess`/`ExtrinsicFailed`, see [`api::net_fee`]).
    pub fee: ghost_primitives::Balance,
}

/// The proof [`Client::genesis_voters_proof`] serves, from the genesis block's own nodes.
fn genesis_voters_proof(
    genesis: &ghost_runtime::genesis::GenesisBlock,
) -> Result<Vec<Vec<u8>>, ClientError> {
    let mut store = ghost_trie::MemoryNodeStore::new();
    store.insert_nodes(genesis.state_nodes.iter().cloned());
    let proof = ghost_trie::generate_read_proof(
        &store,
        genesis.header.state_root.0,
        &ghost_light::finality::voter_set_keys(),
    )
    .map_err(|e| ClientError::GenesisProof(e.to_string()))?;
    Ok(proof.nodes)
}

/// The chain: storage plus import and notifications.
pub struct Client {
    db: Arc<Database>,
    spec: ChainSpec,
    genesis_hash: Hash,
    genesis_voters_proof: Vec<Vec<u8>>,
    import_lock: Mutex<()>,
    imported: broadcast::Sender<Arc<ImportedBlock>>,
    finalized: broadcast::Sender<Header>,
    metrics: Arc<Metrics>,
    clock: Arc<dyn Clock>,
    /// The change feeds' notifications of the blocks sent last, shared by every follower.
    feed_blocks: ghost_bridge::recent::RecentBlocks<ghost_rpc::DomainChangesJson>,
}

impl Client {
    /// Opens the chain in `db`, writing the spec's genesis if the database is new; checks
    /// slots against the system clock.
    pub fn new(
        db: Arc<Database>,
        spec: ChainSpec,
        metrics: Arc<Metrics>,
    ) -> Result<Client, ClientError> {
        Self::with_clock(db, spec, metrics, Arc::new(SystemClock))
    }

    /// As [`Client::new`], with the clock slots are checked against.
    pub fn with_clock(
        db: Arc<Database>,
        spec: ChainSpec,
        metrics: Arc<Metrics>,
        clock: Arc<dyn Clock>,
    ) -> Result<Client, ClientError> {
        let genesis = spec.build_genesis()?;
        let expected = genesis.header.hash();
        let genesis_voters_proof = genesis_voters_proof(&genesis)?;
        match db.genesis_hash()? {
            Some(stored) if stored != expected => {
                return Err(ClientError::GenesisMismatch { stored, expected });
            }
            Some(_) => {}
            None => {
                db.commit_genesis(
                    genesis.header.clone(),
                    genesis.state_nodes,
                    genesis.state_refs,
                )?;
            }
        }
        let (imported, _) = broadcast::channel(1024);
        let (finalized, _) = broadcast::channel(1024);
        let client = Client {
            db,
            spec,
            genesis_hash: expected,
            genesis_voters_proof,
            import_lock: Mutex::new(()),
            imported,
            finalized,
            metrics,
            clock,
            feed_blocks: ghost_bridge::recent::RecentBlocks::new(crate::domain_feed::SHARED_BLOCKS),
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

    /// A read proof of the genesis voter set ([`ghost_light::finality::voter_set_keys`])
    /// against the genesis state root, built from the chain spec when the chain opened, so a
    /// node whose genesis state is pruned still serves it.
    pub fn genesis_voters_proof(&self) -> &[Vec<u8>] {
        &self.genesis_voters_proof
    }

    /// The database.
    pub fn db(&self) -> &Arc<Database> {
        &self.db
    }

    /// The change feeds' shared notifications of recent blocks.
    pub(crate) fn feed_blocks(
        &self,
    ) -> &ghost_bridge::recent::RecentBlocks<ghost_rpc::DomainChangesJson> {
        &self.feed_blocks
    }

    /// The trie node store.
    pub fn store(&self) -> &dyn NodeStore {
        self.db.as_ref()
    }

    /// Checks that the state of block `header` is still stored (see
    /// [`Database::check_state`]): reads at a block below the pruning window get
    /// [`StorageError::StatePruned`] instead of a missing trie node.
    pub fn check_state(&self, header: &Header) -> Result<(), ClientError> {
        Ok(self.db.check_state(&header.hash(), header.number)?)
    }

    /// Runs `read` on the trie store for the state of `header`. A read that fails because
    /// finality pruned that state while it ran (after [`Client::check_state`] let it start)
    /// reports [`StorageError::StatePruned`], not the missing trie node.
    pub fn read_state<T>(
        &self,
        header: &Header,
        read: impl FnOnce(&dyn NodeStore) -> Result<T, api::ApiError>,
    ) -> Result<T, ClientError> {
        self.read_state_from(self.store(), header, read)
    }

    /// As [`Client::read_state`], for one pass over a large part of the state that will not be
    /// read again soon (GhostBridge's index load, `domain_resolutions` pages): `read` gets
    /// [`Database::bulk_state`], so the pass fills neither RocksDB's block cache nor the node
    /// cache and leaves both to block import and point reads.
    pub fn read_state_bulk<T>(
        &self,
        header: &Header,
        read: impl FnOnce(&dyn NodeStore) -> Result<T, api::ApiError>,
    ) -> Result<T, ClientError> {
        self.read_state_from(&self.db.bulk_state(), header, read)
    }

    /// Runs `read` on `store`, reporting a state pruned meanwhile as such.
    fn read_state_from<T>(
        &self,
        store: &dyn NodeStore,
        header: &Header,
        read: impl FnOnce(&dyn NodeStore) -> Result<T, api::ApiError>,
    ) -> Result<T, ClientError> {
        read(store).or_else(|error| {
            self.check_state(header)?;
            Err(error.into())
        })
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

    /// The events of a block, decoded.
    pub fn events(&self, header: &Header) -> Result<Vec<EventRecord>, ClientError> {
        let hash = header.hash();
        let encoded = self.encoded_events(header)?;
        api::decode_events(&encoded)
            .map_err(|error| ClientError::CorruptEvents { block: hash, error })
    }

    /// The events of a block as the runtime encodes them (SCALE `Vec<EventRecord>`, which the
    /// block's `System.EventsDigest` commits to), from the `events` column; whatever the state
    /// pruning keeps. A block imported before the node stored events (schema v5) has them
    /// re-derived from its state while that state is kept ([`api::legacy_events`]); the
    /// genesis block has none.
    pub fn encoded_events(&self, header: &Header) -> Result<Vec<u8>, ClientError> {
        let hash = header.hash();
        if let Some(encoded) = self.db.block_events(&hash)? {
            return Ok(encoded);
        }
        if header.number == 0 {
            return Ok(Vec::<EventRecord>::new().encode());
        }
        match self.check_state(header) {
            Ok(()) => Ok(api::legacy_events(self.store(), header)?),
            Err(ClientError::Storage(e)) if e.is_state_pruned() => {
                Err(ClientError::EventsUnavailable {
                    block: hash,
                    number: header.number,
                })
            }
            Err(e) => Err(e),
        }
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
        let events: Vec<RuntimeEvent> = self
            .events(&header)?
            .into_iter()
            .filter(|record| record.phase == Phase::ApplyExtrinsic(index))
            .map(|record| record.event)
            .collect();
        let error = events.iter().find_map(|event| match event {
            RuntimeEvent::System(SystemEvent::ExtrinsicFailed { dispatch_error, .. }) => {
                Some(dispatch_error.to_string())
            }
            _ => None,
        });
        let fee = api::net_fee(&events);
        Ok(Some(ExtrinsicOutcome {
            block_hash,
            block_number: header.number,
            index,
            finalized: header.number <= finalized,
            error,
            fee,
        }))
    }

    /// The voter-set changes after set `from_set_id`, at most `max`, as of finalized block
    /// `at`: each enacting block's header with the GRANDPA justification stored for it (what
    /// proves the change final to a node that trusts only the genesis). Served to light clients
    /// (`grandpa_proveVoterSets`) and to warping peers alike.
    pub fn voter_set_changes(
        &self,
        at: &Header,
        from_set_id: u64,
        max: u64,
    ) -> Result<VoterSetChanges, ClientError> {
        let (_, set_id) = self.authorities_at(at)?;
        let last = set_id.min(from_set_id.saturating_add(max));
        let mut changes = Vec::new();
        for id in from_set_id.saturating_add(1)..=last {
            let number = self
                .read_state(at, |store| api::set_change_block(store, at, id))?
                .ok_or_else(|| {
                    StorageError::Corrupt(format!("set {id} has no enacting block in state"))
                })?;
            let missing = |what: &str| {
                StorageError::Corrupt(format!("no {what} stored for set change #{number}"))
            };
            let hash = self
                .db
                .hash_by_number(number)?
                .ok_or_else(|| missing("canonical block"))?;
            let header = self.db.header(&hash)?.ok_or_else(|| missing("header"))?;
            let justification = self
                .db
                .justification(&hash)?
                .ok_or_else(|| missing("justification"))?;
            changes.push(JustifiedHeader {
                header,
                justification,
            });
        }
        Ok(VoterSetChanges {
            changes,
            set_id,
            last,
        })
    }

    /// Subscribes to imported blocks.
    pub fn subscribe_imported(&self) -> broadcast::Receiver<Arc<ImportedBlock>> {
        self.imported.subscribe()
    }

    /// Subscribes to finalized headers.
    pub fn subscribe_finalized(&self) -> broadcast::Receiver<Header> {
        self.finalized.subscribe()
    }

    /// The Aura rules of this chain.
    pub fn aura_params(&self) -> AuraParams {
        AuraParams::new(self.spec.consensus.slot_duration_ms)
    }

    /// The validator set in the state of block `header` (the authorities of its children) and
    /// the GRANDPA set id.
    pub fn authorities_at(&self, header: &Header) -> Result<(Vec<AccountId>, u64), ClientError> {
        Ok(api::authorities(self.store(), header)?)
    }

    /// Checks the Aura rules for `header` on `parent` (see [`ghost_consensus::aura`]): the
    /// seal of the slot's author from the parent's state, a slot above the parent's and not
    /// ahead of this node's clock beyond the allowed drift, a timestamp inside the slot.
    pub fn verify_seal(&self, header: &Header, parent: &Header) -> Result<(), ClientError> {
        self.verify_seal_author(header, parent).map(|_| ())
    }

    /// As [`Client::verify_seal`]; returns the slot and its author.
    fn verify_seal_author(
        &self,
        header: &Header,
        parent: &Header,
    ) -> Result<(Slot, AccountId), ClientError> {
        let (authorities, _) = self.authorities_at(parent)?;
        let slot = aura::verify_header(
            header,
            parent,
            &authorities,
            &self.aura_params(),
            self.clock.now_ms(),
        )?;
        let author = *aura::slot_author(slot, &authorities).ok_or(AuraError::NoAuthorities)?;
        Ok((slot, author))
    }

    /// Records `header` (of `slot`, sealed by `author`) among the recent slot headers and
    /// returns the proof if `author` sealed another header in that slot before. Headers of
    /// slots at or below the finalized block's are dropped (no block of theirs can be imported
    /// any more), and at most [`MAX_SLOT_HEADERS`] are kept. Called under the import lock.
    fn check_equivocation(
        &self,
        header: &Header,
        slot: Slot,
        author: AccountId,
    ) -> Result<Option<AuraEquivocation>, ClientError> {
        type SlotHeaders = Vec<(Slot, AccountId, Header)>;
        let mut seen: SlotHeaders = self
            .db
            .aux(SLOT_HEADERS_KEY)?
            .and_then(|bytes| SlotHeaders::decode(&mut &bytes[..]).ok())
            .unwrap_or_default();
        let hash = header.hash();
        if let Some((_, _, first)) = seen
            .iter()
            .find(|(s, a, h)| *s == slot && *a == author && h.hash() != hash)
        {
            return Ok(Some(AuraEquivocation {
                offender: author,
                slot,
                first: first.clone(),
                second: header.clone(),
            }));
        }
        if seen.iter().any(|(s, _, h)| *s == slot && h.hash() == hash) {
            return Ok(None);
        }
        let (_, finalized) = self.finalized()?;
        let finalized_slot = finalized.slot().unwrap_or(0);
        seen.retain(|(s, _, _)| *s > finalized_slot);
        seen.push((slot, author, header.clone()));
        if seen.len() > MAX_SLOT_HEADERS {
            seen.sort_by_key(|(s, _, _)| *s);
            let excess = seen.len() - MAX_SLOT_HEADERS;
            seen.drain(..excess);
        }
        self.db.put_aux(SLOT_HEADERS_KEY, &seen.encode())?;
        Ok(None)
    }

    /// Fork choice: the longest chain that contains the finalized block; among equally long
    /// chains, the lowest head hash. `header` (hash `hash`) must descend from the finalized
    /// block.
    fn is_better_than_best(&self, header: &Header, hash: Hash) -> Result<bool, ClientError> {
        let (best_hash, best_number) = self.db.best()?;
        Ok(header.number > best_number || (header.number == best_number && hash < best_hash))
    }

    /// Refuses a block that does not descend from the finalized block (it can never become
    /// best, so it is not worth executing).
    fn check_descends_from_finalized(&self, header: &Header) -> Result<(), ClientError> {
        let (finalized, finalized_number) = self.db.finalized()?;
        // `ancestor_at` answers `None` for a parent below the finalized height.
        let descends = header.number > 0
            && self
                .db
                .ancestor_at(header.parent_hash, header.number - 1, finalized_number)?
                == Some(finalized);
        if !descends {
            return Err(ClientError::BelowFinalized {
                number: header.number,
                finalized: finalized_number,
            });
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
        let finality = finalize.then_some(None);
        self.import_inner(block, origin, finality)
    }

    /// Imports `block`; with `finality`, finalizes it in the same batch, storing the given
    /// justification. A refusal is counted in the metrics by its reason.
    fn import_inner(
        &self,
        block: Block,
        origin: BlockOrigin,
        finality: Option<Option<Vec<u8>>>,
    ) -> Result<Arc<ImportedBlock>, ClientError> {
        let result = self.import_checked(block, origin, finality);
        if let Err(e) = &result {
            self.count_refusal("block", e);
        }
        result
    }

    fn count_refusal(&self, kind: &'static str, error: &ClientError) {
        self.metrics
            .import_refused
            .get_or_create(&crate::metrics::RefusalLabel {
                kind,
                reason: error.reason(),
            })
            .inc();
    }

    fn import_checked(
        &self,
        block: Block,
        origin: BlockOrigin,
        finality: Option<Option<Vec<u8>>>,
    ) -> Result<Arc<ImportedBlock>, ClientError> {
        let finalize = finality.is_some();
        let started = Instant::now();
        let _guard = self.import_lock.lock();
        let hash = block.header.hash();
        let parent = self
            .db
            .header(&block.header.parent_hash)?
            .ok_or(ClientError::UnknownParent(block.header.parent_hash))?;
        self.check_descends_from_finalized(&block.header)?;
        let (slot, author) = self.verify_seal_author(&block.header, &parent)?;
        let equivocation = self.check_equivocation(&block.header, slot, author)?;
        if let Some(proof) = &equivocation {
            tracing::warn!(
                target: LOG_TARGET,
                %author,
                slot,
                first = %proof.first.hash(),
                second = %hash,
                "block equivocation: the slot's author sealed two different headers"
            );
            self.metrics.aura_equivocations.inc();
        }
        let (state_nodes, state_refs, events, encoded_events) = match origin {
            BlockOrigin::Own {
                state_nodes,
                state_refs,
                events,
                encoded_events,
            } => (state_nodes, state_refs, events, encoded_events),
            BlockOrigin::External => {
                self.db.check_state(&parent.hash(), parent.number)?;
                let executed = execute_block(self.store(), &parent, &block)?;
                (
                    executed.state_nodes,
                    executed.state_refs,
                    executed.events,
                    executed.encoded_events,
                )
            }
        };
        // The block's name change log goes into its own batch (see `domain_feed`).
        let domain_changes = crate::domain_feed::change_log(
            self.store(),
            &parent,
            &block.header,
            &state_nodes,
            &events,
        )?;
        let is_new_best = self.is_better_than_best(&block.header, hash)?;
        let tx_hashes: Vec<Hash> = block.extrinsics.iter().map(|xt| xt.hash()).collect();
        let outcome = self.db.commit_block(BlockCommit {
            header: block.header.clone(),
            body: block.extrinsics.encode(),
            state_nodes,
            state_refs,
            tx_hashes: tx_hashes.clone(),
            new_best: is_new_best,
            finalized: finalize.then_some(hash),
            justification: finality.flatten(),
            domain_changes: Some(domain_changes),
            events: Some(encoded_events),
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
            route: outcome.best_route,
            equivocation,
        });
        tracing::debug!(target: LOG_TARGET, number = block.header.number, %hash, "imported");
        // Nobody listening is fine.
        let _ = self.imported.send(imported.clone());
        if finalize {
            let _ = self.finalized.send(block.header);
        }
        Ok(imported)
    }

    /// Finalizes block `hash` with a GRANDPA `justification` (SCALE
    /// [`GrandpaJustification`]) after verifying it against the voter set that finalizes the
    /// block: the set in its parent's state, which must be the set of the last finalized block
    /// (a later set votes only once the block that enacts it is final). The block may be off
    /// the best chain: the best chain moves onto it. The justification is stored with the block.
    pub fn import_justification(
        &self,
        hash: Hash,
        justification: Vec<u8>,
    ) -> Result<Finalized, ClientError> {
        let result = self.import_justification_checked(hash, justification);
        if let Err(e) = &result {
            self.count_refusal("justification", e);
        }
        result
    }

    fn import_justification_checked(
        &self,
        hash: Hash,
        justification: Vec<u8>,
    ) -> Result<Finalized, ClientError> {
        let _guard = self.import_lock.lock();
        let header = self
            .db
            .header(&hash)?
            .ok_or(StorageError::UnknownBlock { hash })?;
        let parent = self
            .db
            .header(&header.parent_hash)?
            .ok_or(ClientError::UnknownParent(header.parent_hash))?;
        let (voters, set_id) = self.authorities_at(&parent)?;
        let (_, finalized) = self.finalized()?;
        let (_, finalized_set_id) = self.authorities_at(&finalized)?;
        if set_id != finalized_set_id {
            return Err(ClientError::SetChangeNotFinal {
                number: header.number,
                set_id,
                finalized_set_id,
            });
        }
        GrandpaJustification::decode_and_verify(
            &justification,
            hash,
            header.number,
            &self.genesis_hash,
            set_id,
            &voters,
        )?;
        // Finalizing a block off the best chain retracts the best chain's blocks above the fork
        // and prunes them in the same batch: keep their transactions for the pool first.
        let retracted = self.best_blocks_not_under(&header)?;
        let outcome = self.db.set_finalized(hash, Some(justification))?;
        self.update_height_metrics()?;
        tracing::debug!(target: LOG_TARGET, number = header.number, %hash, "finalized by justification");
        let _ = self.finalized.send(header);
        let retracted = if outcome.best_route.is_some() {
            retracted
        } else {
            Vec::new()
        };
        Ok(Finalized {
            commit: outcome,
            retracted,
        })
    }

    /// The extrinsics of the best chain's blocks that are not ancestors of `header` (those a
    /// finality reorg onto `header` retracts), oldest first.
    fn best_blocks_not_under(
        &self,
        header: &Header,
    ) -> Result<Vec<UncheckedExtrinsic>, ClientError> {
        let hash = header.hash();
        if self.db.hash_by_number(header.number)? == Some(hash) {
            return Ok(Vec::new());
        }
        let (_, finalized) = self.db.finalized()?;
        let (mut current, best) = self.db.best()?;
        let mut number = best;
        let mut blocks = Vec::new();
        while number > finalized {
            if number <= header.number
                && self.db.ancestor_at(hash, header.number, number)? == Some(current)
            {
                break;
            }
            let Some(block) = self.block(&current)? else {
                break;
            };
            current = block.header.parent_hash;
            number -= 1;
            blocks.push(block.extrinsics);
        }
        Ok(blocks.into_iter().rev().flatten().collect())
    }

    /// Imports a block this node built and sealed.
    pub fn import_own(
        &self,
        built: BuiltBlock,
        finalize: bool,
    ) -> Result<Arc<ImportedBlock>, ClientError> {
        let origin = BlockOrigin::Own {
            state_nodes: built.state_nodes,
            state_refs: built.state_refs,
            events: built.events,
            encoded_events: built.encoded_events,
        };
        self.import_block(built.block, origin, finalize)
    }

    /// Imports a block this node built and sealed, finalized at once with `justification` (the
    /// sole voter's own GRANDPA commit), in the block's own batch.
    pub fn import_own_final(
        &self,
        built: BuiltBlock,
        justification: Vec<u8>,
    ) -> Result<Arc<ImportedBlock>, ClientError> {
        let origin = BlockOrigin::Own {
            state_nodes: built.state_nodes,
            state_refs: built.state_refs,
            events: built.events,
            encoded_events: built.encoded_events,
        };
        self.import_inner(built.block, origin, Some(Some(justification)))
    }

    /// Takes a warp sync's result as the chain's finalized base (see
    /// [`ghost_storage::Database::commit_warp_base`]): `header`, proven final by
    /// `justification` (the caller verified both from genesis, [`crate::warp_sync`]), and its
    /// whole `state`, which must hash to the header's state root, with the `voter_sets` the
    /// warp followed from genesis (kept for [`Client::warp_voter_sets`]). Finalized-head
    /// subscribers hear of it.
    ///
    /// # Errors
    /// [`ClientError::WarpStateMismatch`] for a state of another root; storage refusals (a
    /// database that holds blocks already: [`StorageError::NotFresh`]).
    pub fn import_warp_base(
        &self,
        header: Header,
        justification: Vec<u8>,
        state: ghost_trie::StateUpdate,
        voter_sets: &[ghost_light::finality::VoterSet],
    ) -> Result<Hash, ClientError> {
        let _guard = self.import_lock.lock();
        if Hash(state.root) != header.state_root {
            return Err(ClientError::WarpStateMismatch {
                expected: header.state_root,
                found: Hash(state.root),
            });
        }
        let hash = self.db.commit_warp_base(
            header.clone(),
            justification,
            state.nodes,
            state.refs,
            &[(WARP_VOTER_SETS, voter_sets.encode())],
        )?;
        self.update_height_metrics()?;
        let _ = self.finalized.send(header);
        Ok(hash)
    }

    /// The voter sets a warp sync followed from genesis to its base, the genesis set first
    /// (empty for a database synced in full): what checks the justifications of the blocks
    /// below the base ([`crate::gap_sync`]).
    ///
    /// # Errors
    /// Storage errors; [`ClientError::Storage`] `Corrupt` for a record that does not decode.
    pub fn warp_voter_sets(&self) -> Result<Vec<ghost_light::finality::VoterSet>, ClientError> {
        match self.db.aux(WARP_VOTER_SETS)? {
            None => Ok(Vec::new()),
            Some(bytes) => Vec::decode_all(&mut &bytes[..]).map_err(|e| {
                ClientError::Storage(StorageError::Corrupt(format!("warp voter sets: {e}")))
            }),
        }
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
        self.metrics.observe_trie_cache(self.db.node_cache_stats());
        Ok(())
    }
}

impl ghost_consensus::import_queue::BlockImport<UncheckedExtrinsic> for Client {
    type Error = ClientError;

    fn has_block(&self, hash: &Hash) -> bool {
        matches!(self.db.number_of(hash), Ok(Some(_)))
    }

    /// Imports through the full checks (seal, finality ancestry, re-execution); a block this
    /// node authored arrives here only through the network, so it is re-executed too.
    fn import_block(
        &self,
        block: Block,
        _origin: ghost_consensus::import_queue::BlockOrigin,
    ) -> Result<(), ClientError> {
        Client::import_block(self, block, BlockOrigin::External, false).map(|_| ())
    }
}
