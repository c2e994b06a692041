//! The consensus worker: Aura authorship in this validator's slots, block exchange with peers,
//! and the GRANDPA voter, all through the network seam ([`ghost_consensus::network`]).
//!
//! The same worker runs in the node (over libp2p, on tokio timers) and in the deterministic
//! simulator (`tests/simulation.rs`), so what the simulation proves is what the node does:
//!
//! - Slots: at the start of every Aura slot the worker asks the [`Author`] to build on the best
//!   block if the slot is this key's, and announces the block (its header) to every peer.
//! - Blocks: an announced block this node lacks is requested from the announcer; a response's
//!   blocks go oldest first through the [`ImportQueue`], which holds blocks whose parent is
//!   missing and asks for that parent. Imported blocks feed pool maintenance; justifications
//!   that come with them finalize.
//! - Catching up: a node more than a range behind asks several peers at once for consecutive
//!   height ranges ([`crate::range_sync`]) and imports them as they link up.
//! - Finality: [`GrandpaWorker`] over [`ChainBackend`], the client seen as GRANDPA needs it.
//! - Equivocations: a GRANDPA voter's double votes (seen by the voter) and an Aura author's two
//!   headers in one slot (seen by the client at import) are reported to the runtime once each,
//!   in a transaction signed by this validator's key.
//! - Peers: a `Status` on connect (and every few slots) says which chain and how far; a peer on
//!   another chain, sending garbage or invalid blocks loses standing.
//! - Warp sync ([`crate::warp_sync`], after [`ConsensusWorker::start_warp`]): until the warp
//!   point and its state are stored, the worker asks for the warp proof and state instead of
//!   blocks; then it follows the tip as above. Every node serves warp proofs and state.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use futures::{Stream, StreamExt};
use ghost_consensus::grandpa::environment::{
    EquivocationProof, FinalityBackend, GrandpaConfig, GrandpaWorker, Handled,
};
use ghost_consensus::import_queue::{self, BlockImport, ImportQueue, Imported};
use ghost_consensus::network::{Network, NetworkEvent, Reputation, Timers, Topic};
use ghost_consensus::protocol::{BlockData, MAX_BLOCKS_PER_RESPONSE, WireMessage};
use ghost_primitives::{AccountId, AuraEquivocation, BlockNumber, Hash, Header, Pair};
use ghost_runtime::{Block, UncheckedExtrinsic};
use parity_scale_codec::{DecodeAll, Encode};

use crate::authorship::Author;
use crate::client::{BlockOrigin, Client, ClientError};
use crate::gap_sync::{GAP_BAD_BLOCKS, GapSync};
use crate::pool_api::TransactionPool;
use crate::range_sync::RangeSync;
use crate::warp_sync::{WARP_BAD_PROOF, WARP_BAD_STATE, WarpSync, Warped};

const LOG_TARGET: &str = "sync";

/// The key under which the GRANDPA voter's rounds are persisted (`Database::aux`).
pub const VOTER_STATE_KEY: &[u8] = b"grandpa_voter";
/// The most blocks with unknown parents held for import.
pub const MAX_HELD_BLOCKS: usize = 1_024;
/// A block asked for is not asked for again from anyone for this long (ms).
const REQUEST_BACKOFF_MS: u64 = 1_000;
/// Slots between two `Status` messages to every peer.
const STATUS_EVERY_SLOTS: u64 = 4;
/// A node more than this many blocks behind a peer reports itself syncing.
const SYNCING_LAG: u64 = 4;

/// The client and pool as GRANDPA needs them.
pub struct ChainBackend {
    client: Arc<Client>,
    pool: Arc<TransactionPool>,
    /// Signs equivocation reports (a validator's key).
    key: Option<Pair>,
    equivocations: Mutex<Vec<EquivocationProof>>,
    block_equivocations: Mutex<Vec<AuraEquivocation>>,
}

impl ChainBackend {
    /// The backend of `client`, notifying `pool`'s watchers of finality; with `key`, it
    /// reports equivocations to the runtime in transactions signed by it.
    pub fn new(
        client: Arc<Client>,
        pool: Arc<TransactionPool>,
        key: Option<Pair>,
    ) -> Arc<ChainBackend> {
        Arc::new(ChainBackend {
            client,
            pool,
            key,
            equivocations: Mutex::new(Vec::new()),
            block_equivocations: Mutex::new(Vec::new()),
        })
    }

    /// Submits `proof` to the pool as `Validators::report_equivocation`, signed by this node's
    /// key (it pays the fee).
    fn submit_report(&self, proof: &EquivocationProof) -> Result<Hash, String> {
        self.submit_call(ghost_runtime::validators::Call::ReportEquivocation {
            proof: proof.to_runtime(),
        })
    }

    /// Submits `call` to the pool, signed by this node's key (it pays the fee).
    fn submit_call(&self, call: ghost_runtime::validators::Call) -> Result<Hash, String> {
        let key = self.key.as_ref().ok_or("no key to sign the report")?;
        let nonce = crate::pool_api::next_nonce(&self.client, &self.pool, &key.public())
            .map_err(|e| e.to_string())?;
        let call = ghost_runtime::RuntimeCall::Validators(call);
        let xt =
            ghost_runtime::sign_extrinsic(call, key, nonce, 0, self.client.genesis_hash(), None);
        let (best, _) = self.client.best().map_err(|e| e.to_string())?;
        self.pool.submit(best, xt).map_err(|e| e.to_string())
    }

    /// Reports a block equivocation the client found at import to the runtime
    /// (`Validators::report_block_equivocation`), once per offender and slot.
    pub fn report_block_equivocation(&self, proof: AuraEquivocation) {
        let mut seen = self
            .block_equivocations
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if seen
            .iter()
            .any(|p| (p.offender, p.slot) == (proof.offender, proof.slot))
        {
            return;
        }
        let call = ghost_runtime::validators::Call::ReportBlockEquivocation {
            proof: proof.clone(),
        };
        match self.submit_call(call) {
            Ok(hash) => {
                tracing::info!(target: LOG_TARGET, offender = %proof.offender, slot = proof.slot, %hash, "reported block equivocation");
            }
            Err(e) => {
                tracing::warn!(target: LOG_TARGET, offender = %proof.offender, slot = proof.slot, error = %e, "cannot report block equivocation");
            }
        }
        seen.push(proof);
        // Bounded: a report a slot old is the one that matters; keep the recent ones.
        if seen.len() > MAX_HELD_BLOCKS {
            seen.remove(0);
        }
    }

    /// Block equivocations this node found at import, in order.
    pub fn block_equivocations(&self) -> Vec<AuraEquivocation> {
        self.block_equivocations
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Equivocations seen by this node's voter, in order.
    pub fn equivocations(&self) -> Vec<EquivocationProof> {
        self.equivocations
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

/// After finality moved from `before` (exclusive) to the current finalized block: pool watchers
/// hear `finalized` for the transactions of every newly final block.
fn notify_finality(client: &Client, pool: &TransactionPool, before: BlockNumber) {
    let Ok((_, finalized)) = client.finalized() else {
        return;
    };
    for number in before + 1..=finalized.number {
        if let Ok(Some(hash)) = client.hash_by_number(number)
            && let Ok(Some(txs)) = client.db().block_tx_hashes(&hash)
        {
            pool.notify_finalized(hash, &txs);
        }
    }
}

impl FinalityBackend for ChainBackend {
    fn genesis_hash(&self) -> Hash {
        self.client.genesis_hash()
    }

    fn header(&self, hash: &Hash) -> Option<Header> {
        self.client.header(hash).ok().flatten()
    }

    fn finalized(&self) -> (Hash, BlockNumber) {
        self.client
            .finalized()
            .map(|(hash, header)| (hash, header.number))
            .unwrap_or((self.client.genesis_hash(), 0))
    }

    fn best_containing(&self, base: &Hash) -> Option<(Hash, BlockNumber)> {
        let base_number = self.header(base)?.number;
        let (number, leaf) = self
            .client
            .db()
            .best_leaf_containing(*base, base_number)
            .ok()??;
        Some((leaf, number))
    }

    fn authority_set(&self, hash: &Hash) -> Option<(Vec<AccountId>, u64)> {
        let header = self.header(hash)?;
        self.client.authorities_at(&header).ok()
    }

    fn finalize(&self, hash: Hash, justification: Vec<u8>) -> Result<(), String> {
        let before = self.finalized().1;
        let outcome = self
            .client
            .import_justification(hash, justification)
            .map_err(|e| e.to_string())?;
        after_finality(&self.client, &self.pool, before, outcome);
        Ok(())
    }

    fn load_voter_state(&self) -> Option<Vec<u8>> {
        self.client.db().aux(VOTER_STATE_KEY).ok().flatten()
    }

    fn store_voter_state(&self, bytes: &[u8]) {
        if let Err(e) = self.client.db().put_aux(VOTER_STATE_KEY, bytes) {
            tracing::error!(target: "grandpa", error = %e, "cannot persist the voter state");
        }
    }

    fn report_equivocation(&self, proof: EquivocationProof) {
        let mut seen = self.equivocations.lock().unwrap_or_else(|e| e.into_inner());
        // The voter tells of one equivocation once per round it hears it in: report it once
        // (and check its signatures only the first time).
        let key = |p: &EquivocationProof| {
            let r = p.to_runtime();
            (r.offender, r.set_id, r.round, r.kind)
        };
        if seen.iter().any(|p| key(p) == key(&proof)) {
            return;
        }
        if !proof.check(&self.client.genesis_hash()) {
            return;
        }
        match self.submit_report(&proof) {
            Ok(hash) => {
                tracing::info!(target: "grandpa", offender = %proof.offender(), %hash, "reported equivocation");
            }
            Err(e) => {
                tracing::warn!(target: "grandpa", offender = %proof.offender(), error = %e, "cannot report equivocation");
            }
        }
        seen.push(proof);
    }
}

/// Pool upkeep after finality moved (a reorg onto the finalized fork, finalized watchers).
fn after_finality(
    client: &Client,
    pool: &TransactionPool,
    before: BlockNumber,
    outcome: crate::client::Finalized,
) {
    if let Ok((best, _)) = client.best() {
        for xt in outcome.retracted {
            // Refusals (already in the new chain, stale) are expected for most.
            let _ = pool.submit(best, xt);
        }
    }
    if let Some(route) = outcome.commit.best_route
        && let Ok((best, header)) = client.best()
    {
        let imported = crate::client::ImportedBlock {
            header,
            hash: best,
            is_new_best: true,
            tx_hashes: Vec::new(),
            events: Vec::new(),
            route: Some(route),
            equivocation: None,
        };
        if let Err(e) = crate::pool_api::maintain_pool(client, pool, &imported) {
            tracing::warn!(target: LOG_TARGET, error = %e, "pool maintenance after a reorg failed");
        }
    }
    notify_finality(client, pool, before);
}

/// Network blocks into the client, with pool maintenance after each.
struct Importer<'a> {
    client: &'a Client,
    pool: &'a TransactionPool,
    backend: &'a ChainBackend,
}

impl BlockImport<UncheckedExtrinsic> for Importer<'_> {
    type Error = ClientError;

    fn has_block(&self, hash: &Hash) -> bool {
        BlockImport::has_block(self.client, hash)
    }

    fn import_block(
        &self,
        block: Block,
        _origin: import_queue::BlockOrigin,
    ) -> Result<(), ClientError> {
        let imported = self
            .client
            .import_block(block, BlockOrigin::External, false)?;
        crate::pool_api::maintain_pool(self.client, self.pool, &imported)?;
        if let Some(proof) = &imported.equivocation {
            self.backend.report_block_equivocation(proof.clone());
        }
        Ok(())
    }
}

/// One node's consensus (see the [module docs](self)).
pub struct ConsensusWorker<N: Network, T: Timers> {
    client: Arc<Client>,
    pool: Arc<TransactionPool>,
    author: Option<Arc<Author>>,
    network: Arc<N>,
    timers: Arc<T>,
    grandpa: Arc<GrandpaWorker<ChainBackend, N, T>>,
    backend: Arc<ChainBackend>,
    queue: Mutex<ImportQueue<UncheckedExtrinsic>>,
    requested: Mutex<BTreeMap<Hash, u64>>,
    next_request: AtomicU64,
    imported: AtomicU64,
    /// The highest best block a peer reported in its `Status`.
    peer_best: AtomicU64,
    /// Range requests of the catch-up from several peers.
    range_sync: Mutex<RangeSync<N::Peer>>,
    /// Transactions already gossiped (pruned to what the pool still holds).
    propagated: Mutex<std::collections::BTreeSet<Hash>>,
    /// A warp sync in progress (`--sync warp` on an empty database).
    warp: Mutex<Option<WarpSync<N::Peer>>>,
    /// After a warp: the download of the blocks below its base.
    gap: Mutex<GapSync<N::Peer>>,
}

/// The seam's timers on tokio, for the node (the simulator brings its own).
#[derive(Clone, Copy, Debug, Default)]
pub struct TokioTimers;

impl ghost_consensus::Clock for TokioTimers {
    fn now_ms(&self) -> u64 {
        ghost_consensus::SystemClock.now_ms()
    }
}

impl Timers for TokioTimers {
    fn delay(&self, ms: u64) -> ghost_consensus::network::Delay {
        Box::pin(tokio::time::sleep(std::time::Duration::from_millis(ms)))
    }
}

impl<N: Network, T: Timers + Send + Sync + 'static> ConsensusWorker<N, T> {
    /// The worker of a node with `client` and `pool`; a validator when `key` is given (it
    /// authors in its Aura slots and votes), a follower otherwise.
    pub fn new(
        client: Arc<Client>,
        pool: Arc<TransactionPool>,
        key: Option<Pair>,
        network: Arc<N>,
        timers: Arc<T>,
    ) -> Arc<Self> {
        let backend = ChainBackend::new(client.clone(), pool.clone(), key.clone());
        let config = GrandpaConfig::for_slot_duration(client.spec().consensus.slot_duration_ms);
        let grandpa = GrandpaWorker::new(
            backend.clone(),
            network.clone(),
            timers.clone(),
            key.clone(),
            config,
        );
        let author = key.map(|key| Arc::new(Author::new(client.clone(), pool.clone(), key, false)));
        Arc::new(ConsensusWorker {
            client,
            pool,
            author,
            network,
            timers,
            grandpa,
            backend,
            queue: Mutex::new(ImportQueue::new(MAX_HELD_BLOCKS)),
            requested: Mutex::new(BTreeMap::new()),
            next_request: AtomicU64::new(0),
            imported: AtomicU64::new(0),
            peer_best: AtomicU64::new(0),
            range_sync: Mutex::new(RangeSync::default()),
            propagated: Mutex::new(std::collections::BTreeSet::new()),
            warp: Mutex::new(None),
            gap: Mutex::new(GapSync::default()),
        })
    }

    /// Warp-syncs instead of downloading every block ([`crate::warp_sync`]), if the database
    /// holds only genesis; otherwise logs why not and syncs in full. Call before the worker
    /// runs. Returns whether the warp started.
    pub fn start_warp(&self) -> bool {
        match self.client.best() {
            Ok((_, best)) if best.number == 0 => {}
            Ok((_, best)) => {
                tracing::info!(target: LOG_TARGET, best = best.number, "⏩ warp sync skipped: the database holds blocks already; syncing in full");
                return false;
            }
            Err(e) => {
                tracing::warn!(target: LOG_TARGET, error = %e, "⏩ warp sync skipped");
                return false;
            }
        }
        let genesis_hash = self.client.genesis_hash();
        let genesis = match self.client.header(&genesis_hash) {
            Ok(Some(genesis)) => genesis,
            _ => return false,
        };
        let proof = ghost_trie::ReadProof {
            nodes: self.client.genesis_voters_proof().to_vec(),
        };
        match ghost_light::finality::genesis_set(&genesis_hash, &genesis, &proof) {
            Ok(set) => {
                tracing::info!(target: LOG_TARGET, voters = set.voters.len(), "⏩ warp sync: waiting for a peer with a finalized block");
                *self.warp_state() = Some(WarpSync::new(genesis_hash, set));
                true
            }
            Err(e) => {
                tracing::warn!(target: LOG_TARGET, error = %e, "⏩ warp sync skipped: no genesis voter set");
                false
            }
        }
    }

    /// Whether a warp sync is still running.
    pub fn is_warping(&self) -> bool {
        self.warp_state().as_ref().is_some_and(WarpSync::is_active)
    }

    fn warp_state(&self) -> MutexGuard<'_, Option<WarpSync<N::Peer>>> {
        self.warp.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Sends the warp requests wanted now; `false` when no warp runs (normal sync goes on).
    fn schedule_warp(&self) -> bool {
        let now = self.timers.now_ms();
        let requests = {
            let mut warp = self.warp_state();
            match warp.as_mut() {
                Some(warp) if warp.is_active() => warp.plan(now),
                _ => return false,
            }
        };
        for (peer, message) in requests {
            self.network.send(&peer, message.to_bytes());
        }
        true
    }

    fn gap_sync(&self) -> MutexGuard<'_, GapSync<N::Peer>> {
        self.gap.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Sends the gap sync's next request, if the database has a gap below a warp base.
    fn schedule_gap(&self) {
        if self.is_warping() {
            return;
        }
        let wanted = match self.client.db().warp_gap() {
            Ok(wanted) => wanted,
            Err(e) => {
                tracing::warn!(target: LOG_TARGET, error = %e, "cannot read the warp gap");
                return;
            }
        };
        let now = self.timers.now_ms();
        let request = self.gap_sync().plan(wanted, now, || {
            self.next_request.fetch_add(1, Ordering::Relaxed)
        });
        if let Some((peer, message)) = request {
            self.network.send(&peer, message.to_bytes());
        }
    }

    /// Checks and stores an answer to the gap sync's request.
    fn import_gap_blocks(&self, from: &N::Peer, blocks: Vec<BlockData>) {
        let db = self.client.db();
        let Ok(Some(wanted)) = db.warp_gap() else {
            return;
        };
        let sets = match self.client.warp_voter_sets() {
            Ok(sets) => sets,
            Err(e) => {
                tracing::warn!(target: LOG_TARGET, error = %e, "gap sync: voter sets unreadable; justifications below the base are not kept");
                Vec::new()
            }
        };
        let genesis_hash = self.client.genesis_hash();
        match crate::gap_sync::check_blocks(&genesis_hash, wanted, blocks, &sets) {
            Ok(blocks) => match db.commit_gap_blocks(&blocks) {
                Ok(Some((_, below))) => {
                    if below / 1_024 != wanted.1 / 1_024 {
                        tracing::info!(target: LOG_TARGET, below, "⏬ gap sync: blocks below the warp base downloaded down to #{}", below + 1);
                    }
                }
                Ok(None) => {
                    tracing::info!(target: LOG_TARGET, "⏬ gap sync done: every block down to genesis is stored");
                }
                Err(e) => {
                    tracing::warn!(target: LOG_TARGET, error = %e, "gap sync: blocks not stored");
                }
            },
            Err(e) => {
                tracing::info!(target: LOG_TARGET, peer = ?from, error = %e, "⏬ gap sync: refused blocks");
                self.network.report(from, GAP_BAD_BLOCKS);
                self.gap_sync().refuse(from, self.timers.now_ms());
            }
        }
    }

    /// Stores the warp point and its state, then hands over to the normal sync (and the gap
    /// sync below the base).
    fn complete_warp(&self, warped: Warped) {
        let header = warped.target.header.clone();
        let entries = warped.state.nodes.len();
        match self.client.import_warp_base(
            warped.target.header,
            warped.target.justification,
            warped.state,
            &warped.sets,
        ) {
            Ok(hash) => {
                tracing::info!(target: LOG_TARGET, number = header.number, %hash, set_changes = warped.set_changes, retargets = warped.retargets, entries, "⏩ warp sync done: finalized base stored; following the tip, and downloading the blocks below it");
            }
            Err(e) => {
                tracing::error!(target: LOG_TARGET, number = header.number, error = %e, "⏩ warp sync could not store its base; syncing in full");
            }
        }
        if let Some(warp) = self.warp_state().as_mut() {
            warp.finish();
        }
        self.grandpa.on_block_imported();
        self.schedule_ranges();
        self.schedule_gap();
        let status = self.status().to_bytes();
        for peer in self.network.peers() {
            self.network.send(&peer, status.clone());
        }
    }

    /// The chain.
    pub fn client(&self) -> &Arc<Client> {
        &self.client
    }

    /// The pool.
    pub fn pool(&self) -> &Arc<TransactionPool> {
        &self.pool
    }

    /// The GRANDPA service.
    pub fn grandpa(&self) -> &Arc<GrandpaWorker<ChainBackend, N, T>> {
        &self.grandpa
    }

    /// GRANDPA's view of the chain (equivocations seen).
    pub fn backend(&self) -> &Arc<ChainBackend> {
        &self.backend
    }

    /// Whether a peer is more than a few blocks ahead of this node.
    pub fn is_syncing(&self) -> bool {
        let ours = self.client.best().map(|(_, h)| h.number).unwrap_or(0);
        self.peer_best.load(Ordering::Relaxed) > ours + SYNCING_LAG
    }

    /// Gossips the pool's ready transactions not gossiped before (as Substrate propagates its
    /// pool periodically); forgets those that left the pool.
    pub fn propagate_transactions(&self) {
        let ready = self.pool.ready();
        let fresh: Vec<UncheckedExtrinsic> = {
            let mut propagated = self.propagated.lock().unwrap_or_else(|e| e.into_inner());
            let in_pool: std::collections::BTreeSet<Hash> =
                ready.iter().map(|tx| tx.hash).collect();
            propagated.retain(|hash| in_pool.contains(hash));
            ready
                .iter()
                .filter(|tx| propagated.insert(tx.hash))
                .map(|tx| tx.data.clone())
                .collect()
        };
        self.broadcast_transactions(&fresh);
    }

    /// How many blocks from peers this worker imported.
    pub fn imported_from_network(&self) -> u64 {
        self.imported.load(Ordering::Relaxed)
    }

    fn queue(&self) -> MutexGuard<'_, ImportQueue<UncheckedExtrinsic>> {
        self.queue.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn range_sync(&self) -> MutexGuard<'_, RangeSync<N::Peer>> {
        self.range_sync.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Blocks each peer delivered while this node caught up by ranges.
    pub fn range_blocks_by_peer(&self) -> Vec<(N::Peer, u64)> {
        self.range_sync().delivered_by_peer()
    }

    /// The highest best block a connected peer reported, if any did.
    pub fn highest_peer_block(&self) -> Option<BlockNumber> {
        self.range_sync().highest()
    }

    /// Range requests sent and not imported yet.
    pub fn ranges_in_flight(&self) -> usize {
        self.range_sync().in_flight()
    }

    fn best_number(&self) -> BlockNumber {
        self.client.best().map(|(_, h)| h.number).unwrap_or(0)
    }

    /// Sends the range requests the catch-up wants now (none unless far behind).
    fn schedule_ranges(&self) {
        let ours = self.best_number();
        let now = self.timers.now_ms();
        let requests = self.range_sync().plan(ours, now, || {
            self.next_request.fetch_add(1, Ordering::Relaxed)
        });
        for request in requests {
            tracing::debug!(target: LOG_TARGET, peer = ?request.peer, from = request.from, len = request.len, "range request");
            self.network.send(
                &request.peer,
                WireMessage::BlockRangeRequest {
                    id: request.id,
                    from: request.from,
                    max: request.len,
                }
                .to_bytes(),
            );
        }
    }

    /// Authors in this key's Aura slots (if a validator) and tells peers where this node is
    /// every few slots; runs until dropped.
    pub async fn run_slots(self: Arc<Self>) {
        let params = self.client.aura_params();
        let mut in_set = None;
        loop {
            let now = self.timers.now_ms();
            let slot = params.slot_at(now).saturating_add(1);
            self.timers
                .delay(params.slot_start(slot).saturating_sub(now))
                .await;
            // A warping validator has no chain to build on until its base is stored.
            if let Some(author) = self.author.as_ref().filter(|_| !self.is_warping()) {
                self.note_membership(author, &mut in_set);
                match author.author_in_slot(slot) {
                    Ok(Some(imported)) => {
                        self.network.gossip(
                            Topic::Blocks,
                            WireMessage::BlockAnnounce(imported.header.clone()).to_bytes(),
                        );
                    }
                    Ok(None) => {}
                    Err(e) => {
                        tracing::error!(target: LOG_TARGET, slot, error = %e, "block authoring failed");
                    }
                }
            }
            self.propagate_transactions();
            // Re-asks warp, range or gap requests that timed out.
            if !self.schedule_warp() {
                self.schedule_ranges();
                self.schedule_gap();
            }
            if slot.is_multiple_of(STATUS_EVERY_SLOTS) {
                let status = self.status().to_bytes();
                for peer in self.network.peers() {
                    self.network.send(&peer, status.clone());
                }
            }
        }
    }

    /// Logs when this validator's key enters or leaves the set in force at the best block (the
    /// set that authors its child and, once final, votes): a key added by governance starts
    /// authoring and voting by itself, a removed one stops.
    fn note_membership(&self, author: &Author, was: &mut Option<bool>) {
        let Ok((_, best)) = self.client.best() else {
            return;
        };
        let Ok((set, set_id)) = self.client.authorities_at(&best) else {
            return;
        };
        let key = author.public();
        let now = set.contains(&key);
        if *was == Some(now) {
            return;
        }
        match (now, was.is_some()) {
            (true, _) => {
                tracing::info!(target: LOG_TARGET, %key, set_id, number = best.number, "🔑 in the validator set: authoring in this key's slots")
            }
            (false, true) => {
                tracing::info!(target: LOG_TARGET, %key, set_id, number = best.number, "🔑 left the validator set: following the chain")
            }
            (false, false) => {
                tracing::info!(target: LOG_TARGET, %key, set_id, number = best.number, "🔑 not in the validator set: following the chain until it is")
            }
        }
        *was = Some(now);
    }

    /// Handles what the network delivers until the stream ends.
    pub async fn run_network(
        self: Arc<Self>,
        mut events: impl Stream<Item = NetworkEvent<N::Peer>> + Unpin,
    ) {
        while let Some(event) = events.next().await {
            self.handle_event(event);
        }
    }

    /// Gossips transactions this node accepted into its pool.
    pub fn broadcast_transactions(&self, txs: &[UncheckedExtrinsic]) {
        if txs.is_empty() {
            return;
        }
        for chunk in txs.chunks(ghost_consensus::protocol::MAX_TRANSACTIONS_PER_MESSAGE) {
            let message = WireMessage::Transactions(chunk.iter().map(|xt| xt.encode()).collect());
            self.network.gossip(Topic::Transactions, message.to_bytes());
        }
    }

    fn status(&self) -> WireMessage {
        let best = self
            .client
            .best()
            .map(|(hash, header)| (hash, header.number))
            .unwrap_or((self.client.genesis_hash(), 0));
        WireMessage::Status {
            genesis_hash: self.client.genesis_hash(),
            spec_version: ghost_runtime::SPEC_VERSION,
            best,
            finalized: self.backend.finalized(),
        }
    }

    /// Handles one network event.
    pub fn handle_event(&self, event: NetworkEvent<N::Peer>) {
        match event {
            NetworkEvent::Connected(peer) => {
                self.network.send(&peer, self.status().to_bytes());
            }
            NetworkEvent::Disconnected(peer) => {
                self.range_sync().remove_peer(&peer);
                self.gap_sync().remove_peer(&peer);
                if let Some(warp) = self.warp_state().as_mut() {
                    warp.remove_peer(&peer);
                }
            }
            NetworkEvent::Message { from, bytes, .. } => match WireMessage::from_bytes(&bytes) {
                Ok(message) => self.handle_message(&from, message),
                Err(e) => {
                    tracing::debug!(target: LOG_TARGET, peer = ?from, error = %e, "malformed message");
                    self.network.report(&from, Reputation::MALFORMED);
                }
            },
        }
    }

    fn handle_message(&self, from: &N::Peer, message: WireMessage) {
        match message {
            WireMessage::Status {
                genesis_hash,
                spec_version,
                best,
                finalized,
            } => {
                if genesis_hash != self.client.genesis_hash()
                    || spec_version != ghost_runtime::SPEC_VERSION
                {
                    tracing::info!(target: LOG_TARGET, peer = ?from, %genesis_hash, spec_version, "peer is on another chain or runtime");
                    self.network.report(from, Reputation::WRONG_CHAIN);
                    return;
                }
                let ours = self.best_number();
                self.peer_best.fetch_max(best.1, Ordering::Relaxed);
                self.gap_sync().note_peer(from);
                self.schedule_gap();
                if let Some(warp) = self.warp_state().as_mut() {
                    warp.note_peer(from, finalized.1);
                }
                if self.schedule_warp() {
                    self.range_sync().note_best(from, best.1);
                    return;
                }
                let far_behind = {
                    let mut sync = self.range_sync();
                    sync.note_best(from, best.1);
                    sync.is_far_behind(ours)
                };
                if far_behind {
                    self.schedule_ranges();
                } else if best.1 > ours {
                    self.request(from, best.0, MAX_BLOCKS_PER_RESPONSE);
                }
            }
            WireMessage::BlockAnnounce(header) => {
                self.range_sync().note_best(from, header.number);
                if self.is_warping() {
                    return;
                }
                let hash = header.hash();
                if self.has_block(&hash) {
                    return;
                }
                let finalized = self.backend.finalized().1;
                if header.number <= finalized {
                    return;
                }
                let max = if self.has_block(&header.parent_hash) {
                    1
                } else {
                    (header.number - finalized).min(u64::from(MAX_BLOCKS_PER_RESPONSE)) as u32
                };
                self.request(from, hash, max);
            }
            WireMessage::BlockRequest {
                id,
                from: start,
                max,
            } => {
                let blocks = self.blocks_back_from(start, max.min(MAX_BLOCKS_PER_RESPONSE));
                self.network
                    .send(from, WireMessage::BlockResponse { id, blocks }.to_bytes());
            }
            WireMessage::BlockRangeRequest {
                id,
                from: start,
                max,
            } => {
                let blocks = self.blocks_up_from(start, max.min(MAX_BLOCKS_PER_RESPONSE));
                self.network
                    .send(from, WireMessage::BlockResponse { id, blocks }.to_bytes());
            }
            WireMessage::BlockResponse { id, blocks } => {
                if self.is_warping() {
                    return;
                }
                let now = self.timers.now_ms();
                if self
                    .gap_sync()
                    .take_answer(from, id, blocks.is_empty(), now)
                {
                    self.import_gap_blocks(from, blocks);
                    self.schedule_gap();
                    return;
                }
                let ranged = self.range_sync().delivered(from, id, blocks.len(), now);
                self.import_response(from, blocks, ranged);
                if ranged {
                    self.schedule_ranges();
                }
            }
            WireMessage::Transactions(txs) => {
                let (best, _) = match self.client.best() {
                    Ok(best) => best,
                    Err(_) => return,
                };
                for bytes in txs {
                    match UncheckedExtrinsic::decode_all(&mut &bytes[..]) {
                        // A stale or duplicate transaction is normal gossip, not misbehaviour.
                        Ok(xt) => {
                            let _ = self.pool.submit(best, xt);
                        }
                        Err(_) => {
                            self.network.report(from, Reputation::MALFORMED);
                            return;
                        }
                    }
                }
            }
            grandpa @ (WireMessage::Vote { .. }
            | WireMessage::Commit { .. }
            | WireMessage::CatchUpRequest { .. }
            | WireMessage::CatchUp { .. }) => {
                if self.is_warping() {
                    return;
                }
                if let Handled::NeedBlock(hash) = self.grandpa.handle_message(from, grandpa) {
                    self.request(from, hash, MAX_BLOCKS_PER_RESPONSE);
                }
            }
            WireMessage::WarpProofRequest { id, from_set_id } => {
                let (changes, target) = crate::warp_sync::warp_proof(&self.client, from_set_id)
                    .unwrap_or_else(|e| {
                        // A warped node cannot prove the sets below its base until its gap
                        // sync has their blocks: an empty answer, asked again later.
                        if matches!(self.client.db().warp_gap(), Ok(Some(_))) {
                            tracing::debug!(target: LOG_TARGET, error = %e, "no warp proof to serve before the gap below the warp base is filled");
                        } else {
                            tracing::warn!(target: LOG_TARGET, error = %e, "cannot serve a warp proof");
                        }
                        (Vec::new(), None)
                    });
                self.network.send(
                    from,
                    WireMessage::WarpProofResponse {
                        id,
                        changes,
                        target,
                    }
                    .to_bytes(),
                );
            }
            WireMessage::StateRequest { id, hashes } => {
                let hashes: Vec<[u8; 32]> = hashes.iter().map(|h| h.0).collect();
                let entries = ghost_trie::sync::serve(
                    self.client.store(),
                    &hashes,
                    ghost_consensus::protocol::MAX_STATE_RESPONSE_BYTES,
                );
                self.network
                    .send(from, WireMessage::StateResponse { id, entries }.to_bytes());
            }
            WireMessage::WarpProofResponse {
                id,
                changes,
                target,
            } => {
                let outcome = match self.warp_state().as_mut() {
                    Some(warp) => warp.on_proof(from, id, changes, target),
                    None => return,
                };
                match outcome {
                    Ok(Some(warped)) => {
                        self.complete_warp(warped);
                        return;
                    }
                    Ok(None) => {
                        if let Some(target) =
                            self.warp_state().as_ref().and_then(|w| w.target().cloned())
                        {
                            tracing::info!(target: LOG_TARGET, number = target.header.number, hash = %target.header.hash(), "⏩ warp proof verified from genesis; downloading the state");
                        }
                    }
                    Err(e) => {
                        tracing::info!(target: LOG_TARGET, peer = ?from, error = %e, "⏩ refused a warp proof");
                        self.network.report(from, WARP_BAD_PROOF);
                    }
                }
                self.schedule_warp();
            }
            WireMessage::StateResponse { id, entries } => {
                let outcome = match self.warp_state().as_mut() {
                    Some(warp) => warp.on_state(from, id, entries),
                    None => return,
                };
                match outcome {
                    Ok(Some(warped)) => {
                        self.complete_warp(warped);
                        return;
                    }
                    Ok(None) => {}
                    Err(e) => {
                        tracing::info!(target: LOG_TARGET, peer = ?from, error = %e, "⏩ refused state entries");
                        self.network.report(from, WARP_BAD_STATE);
                    }
                }
                self.schedule_warp();
            }
        }
    }

    fn has_block(&self, hash: &Hash) -> bool {
        BlockImport::has_block(&*self.client, hash)
    }

    /// Asks `peer` for block `hash` and up to `max - 1` ancestors, unless asked recently.
    fn request(&self, peer: &N::Peer, hash: Hash, max: u32) {
        let now = self.timers.now_ms();
        {
            let mut requested = self.requested.lock().unwrap_or_else(|e| e.into_inner());
            if requested
                .get(&hash)
                .is_some_and(|at| now < at + REQUEST_BACKOFF_MS)
            {
                return;
            }
            requested.retain(|_, at| now < *at + REQUEST_BACKOFF_MS);
            requested.insert(hash, now);
        }
        let id = self.next_request.fetch_add(1, Ordering::Relaxed);
        self.network.send(
            peer,
            WireMessage::BlockRequest {
                id,
                from: hash,
                max: max.max(1),
            }
            .to_bytes(),
        );
    }

    /// Block `hash` as served, if this node has its header and body (a warped node has
    /// only the header of its base until the gap sync fetched the body).
    fn block_data(&self, hash: &Hash) -> Option<BlockData> {
        let db = self.client.db();
        let header = db.header(hash).ok().flatten()?;
        let body = match db.body(hash).ok().flatten() {
            Some(body) => body,
            None if header.number == 0 => Vec::<UncheckedExtrinsic>::new().encode(),
            None => return None,
        };
        Some(BlockData {
            header,
            body,
            justification: db.justification(hash).ok().flatten(),
        })
    }

    /// Block `start` and its ancestors, newest first, down to (not including) genesis.
    fn blocks_back_from(&self, start: Hash, max: u32) -> Vec<BlockData> {
        let mut blocks = Vec::new();
        let mut current = start;
        while blocks.len() < max as usize {
            let Some(block) = self.block_data(&current) else {
                break;
            };
            if block.header.number == 0 {
                break;
            }
            current = block.header.parent_hash;
            blocks.push(block);
        }
        blocks
    }

    /// Canonical blocks from height `start` up, oldest first.
    fn blocks_up_from(&self, start: BlockNumber, max: u32) -> Vec<BlockData> {
        (start.max(1)..start.max(1).saturating_add(u64::from(max)))
            .map_while(|number| {
                let hash = self.client.hash_by_number(number).ok().flatten()?;
                self.block_data(&hash)
            })
            .collect()
    }

    /// Imports the justification of the imported block `hash` unless it has one; `finalized`
    /// is the finalized height before, and after (watchers hear of each block once).
    fn import_justification(
        &self,
        hash: Hash,
        justification: Vec<u8>,
        finalized: &mut BlockNumber,
    ) {
        let known = self
            .client
            .db()
            .justification(&hash)
            .ok()
            .flatten()
            .is_some();
        if known {
            return;
        }
        // A justification this node cannot check yet (a later voter set) is not misbehaviour:
        // it is checked again when the block is served once more.
        if let Ok(outcome) = self.client.import_justification(hash, justification) {
            after_finality(&self.client, &self.pool, *finalized, outcome);
            *finalized = self.backend.finalized().1;
        }
    }

    /// Imports a response's blocks. For the answer to a range request (`ranged`), a block whose
    /// parent is missing waits for the range below it, already asked for, instead of asking
    /// this peer for its ancestors, unless it sits right above this node's best (then the best
    /// is on another fork and the ancestors are needed).
    fn import_response(&self, from: &N::Peer, mut blocks: Vec<BlockData>, ranged: bool) {
        if blocks.len() > MAX_BLOCKS_PER_RESPONSE as usize {
            self.network.report(from, Reputation::MALFORMED);
            return;
        }
        // Oldest first, so parents go in before their children.
        blocks.sort_by_key(|b| b.header.number);
        let importer = Importer {
            client: &self.client,
            pool: &self.pool,
            backend: &self.backend,
        };
        let mut finalized = self.backend.finalized().1;
        let ours = self.best_number();
        for data in blocks {
            let hash = data.header.hash();
            let number = data.header.number;
            let Ok(extrinsics) = Vec::<UncheckedExtrinsic>::decode_all(&mut &data.body[..]) else {
                self.network.report(from, Reputation::MALFORMED);
                return;
            };
            let block = Block {
                header: data.header,
                extrinsics,
            };
            // A block held for its parent keeps its justification in the queue, and gets it
            // back when it is imported, so finality follows a catch-up block by block.
            let outcome = self.queue().import_with(
                &importer,
                block,
                import_queue::BlockOrigin::Network,
                data.justification.clone(),
            );
            let mut held_justifications = Vec::new();
            match outcome {
                Imported::Imported {
                    children,
                    justifications,
                } => {
                    self.imported
                        .fetch_add(1 + children.len() as u64, Ordering::Relaxed);
                    held_justifications = justifications;
                }
                Imported::AlreadyKnown => {}
                Imported::Held { missing } => {
                    if !ranged || number <= ours.saturating_add(1) {
                        self.request(from, missing, MAX_BLOCKS_PER_RESPONSE);
                    }
                }
                Imported::Refused(reason) => {
                    tracing::debug!(target: LOG_TARGET, peer = ?from, %hash, reason, "refused block");
                    self.network.report(from, Reputation::BAD_BLOCK);
                    return;
                }
            }
            if let Some(justification) = data.justification
                && self.has_block(&hash)
            {
                self.import_justification(hash, justification, &mut finalized);
            }
            for (child, justification) in held_justifications {
                self.import_justification(child, justification, &mut finalized);
            }
        }
        let finalized = self.backend.finalized().1;
        self.queue().prune(finalized);
        self.grandpa.on_block_imported();
    }
}
