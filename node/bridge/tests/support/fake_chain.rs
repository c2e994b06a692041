//! An in-memory [`ChainSource`] for the gRPC tests: a list of blocks of name changes, a map of
//! resolutions and a log of submitted updates. `follow` replays from a height and then delivers
//! the blocks pushed later with [`FakeChain::push_block`].

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use ghost_bridge::source::SubmitOutcome;
use ghost_bridge::{BlockRef, BridgeError, ChainSource, FinalityBundle, Inclusion};
use ghost_primitives::{
    AccountId, Bytes, DnsRecord, DomainName, Hash, Pair, RecordData, RecordLabel, Web3Records,
    blake3_256,
};
use ghost_rpc::{
    DomainChangeJson, DomainChangesJson, FinalityProof, NameListJson, ResolutionJson,
    ResolutionProofJson, SetChangeJson, VoterSetProof,
};
use ghost_runtime::domains::SignedRecordUpdate;
use parity_scale_codec::Encode;
use parking_lot::Mutex;
use tokio::sync::mpsc;

/// The hash of the fake block at `height`.
pub fn block_hash(height: u64) -> Hash {
    blake3_256(&height.to_le_bytes())
}

/// The fake state root every proof claims.
pub const STATE_ROOT: Hash = Hash([7; 32]);

/// The fake header of the block at `height` (it does not hash to [`block_hash`]).
pub fn fake_header(height: u64) -> ghost_primitives::Header {
    ghost_primitives::Header {
        parent_hash: Hash::ZERO,
        number: height,
        state_root: STATE_ROOT,
        extrinsics_root: Hash::ZERO,
        timestamp_ms: height * 1_000,
        digest: Default::default(),
    }
}

/// The finality bundle the fake chain gives every block below its head (the head is not final).
pub fn fake_finality(height: u64) -> FinalityBundle {
    FinalityBundle {
        header: fake_header(height),
        finality: FinalityProof {
            block: block_hash(height + 1),
            number: height + 1,
            justification: Bytes(b"justification".to_vec()),
            unknown_headers: vec![fake_header(height + 1)],
        },
        voter_sets: VoterSetProof {
            genesis: fake_header(0),
            genesis_proof: vec![Bytes(b"genesis-node".to_vec())],
            changes: vec![SetChangeJson {
                set_id: 1,
                header: fake_header(3),
                justification: Bytes(b"set-1".to_vec()),
            }],
            set_id: 1,
            at: block_hash(height),
            next: None,
        },
    }
}

/// A record from its text form (`A=10.0.0.1`).
pub fn record(label: &str, ttl: u32, assignment: &str) -> DnsRecord {
    DnsRecord {
        label: RecordLabel::parse(label).unwrap(),
        ttl,
        data: RecordData::parse_assignment(assignment).unwrap(),
    }
}

/// A resolution of an active name.
pub fn resolution(name: &str, owner: AccountId, records: Vec<DnsRecord>) -> ResolutionJson {
    let name = DomainName::parse(name).unwrap();
    ResolutionJson {
        namehash: name.namehash(),
        name,
        owner,
        records,
        web3: Web3Records::default(),
        expires_at: u64::MAX / 2,
        created_at: 1_000,
        status: "active".into(),
        parent: None,
        update_key: None,
        update_sequence: 0,
    }
}

/// A change of `domain`.
pub fn change(
    domain: &str,
    change_type: &str,
    new_owner: Option<AccountId>,
    new_records: Option<Vec<DnsRecord>>,
) -> DomainChangeJson {
    DomainChangeJson {
        domain: DomainName::parse(domain).unwrap(),
        change_type: change_type.into(),
        new_owner,
        new_records,
        extrinsic_index: Some(1),
        index: 0,
        state: None,
    }
}

/// Block `height` of the standard mixed chain: some blocks empty, some with one change, some
/// with several, across `.ghost` and `.bc`, of every change type.
pub fn mixed_changes(height: u64) -> Vec<DomainChangeJson> {
    let alice = Pair::dev("Alice").public();
    let bob = Pair::dev("Bob").public();
    let mut changes = Vec::new();
    if height == 0 || height.is_multiple_of(7) {
        return changes;
    }
    if height.is_multiple_of(3) {
        changes.push(change(
            &format!("n{height}.ghost"),
            "created",
            Some(alice),
            Some(vec![]),
        ));
    }
    if height % 2 == 1 {
        let records = vec![record("@", 300, &format!("A=10.0.0.{height}"))];
        changes.push(change("alice.ghost", "updated", None, Some(records)));
    }
    if height.is_multiple_of(5) {
        changes.push(change("bob.bc", "transferred", Some(bob), None));
    }
    if height % 4 == 2 {
        changes.push(change("shop.alice.ghost", "created", Some(alice), None));
    }
    if height.is_multiple_of(11) {
        changes.push(change(
            &format!("n{}.ghost", height - 9),
            "expired",
            None,
            None,
        ));
    }
    changes
}

#[derive(Default)]
struct State {
    blocks: Vec<DomainChangesJson>,
    resolutions: HashMap<DomainName, ResolutionJson>,
    /// Each submitted update, with whether the service then waited for its inclusion.
    submitted: Vec<(SignedRecordUpdate, Arc<std::sync::atomic::AtomicBool>)>,
    outcomes: VecDeque<Result<SubmitOutcome, BridgeError>>,
    live: Vec<mpsc::UnboundedSender<DomainChangesJson>>,
    /// `submit` and `include` in the order the service submitted and awaited updates.
    log: Vec<&'static str>,
}

/// The fake chain.
#[derive(Default)]
pub struct FakeChain {
    state: Arc<Mutex<State>>,
}

impl FakeChain {
    /// The shared state, for a future that outlives the call that made it.
    fn clone_handle(&self) -> Arc<Mutex<State>> {
        self.state.clone()
    }

    /// A chain of `blocks` blocks (heights `0..blocks`) with `changes(height)` each, and
    /// `alice.ghost` (Alice's) and `bob.bc` (Bob's) registered.
    pub fn new(blocks: u64, changes: impl Fn(u64) -> Vec<DomainChangeJson>) -> Arc<FakeChain> {
        let chain = FakeChain::default();
        for height in 0..blocks {
            chain.push_block(changes(height));
        }
        chain.set_resolution(resolution(
            "alice.ghost",
            Pair::dev("Alice").public(),
            vec![
                record("@", 300, "A=10.0.0.1"),
                record("@", 300, "AAAA=2001:db8::1"),
                record("@", 600, "MX=10 mail.alice.ghost"),
                record("www", 60, "TXT=hello world"),
                record("_sip._tcp", 60, "SRV=1 5 5060 sip.alice.ghost"),
            ],
        ));
        chain.set_resolution(resolution(
            "bob.bc",
            Pair::dev("Bob").public(),
            vec![record("@", 300, "A=10.0.0.2")],
        ));
        Arc::new(chain)
    }

    /// The standard 50-block chain of mixed changes.
    pub fn mixed() -> Arc<FakeChain> {
        FakeChain::new(50, mixed_changes)
    }

    /// What `resolve` answers for `name` (which must be set).
    pub fn resolution_of(&self, name: &str) -> ResolutionJson {
        let name = DomainName::parse(name).unwrap();
        self.state.lock().resolutions[&name].clone()
    }

    /// Sets what `resolve` answers for a name.
    pub fn set_resolution(&self, resolution: ResolutionJson) {
        self.state
            .lock()
            .resolutions
            .insert(resolution.name.clone(), resolution);
    }

    /// Appends a block with `changes` (indexed in order) and delivers it to live followers;
    /// returns its height.
    pub fn push_block(&self, mut changes: Vec<DomainChangeJson>) -> u64 {
        let mut state = self.state.lock();
        let height = state.blocks.len() as u64;
        for (index, change) in changes.iter_mut().enumerate() {
            change.index = index as u32;
        }
        let block = DomainChangesJson {
            block_height: height,
            block_hash: block_hash(height),
            changes,
            reverted: false,
            parent_hash: height.checked_sub(1).map(block_hash),
        };
        state.blocks.push(block.clone());
        state
            .live
            .retain(|follower| follower.send(block.clone()).is_ok());
        height
    }

    /// Retracts the head block: live followers get its `changes` as a revert notification
    /// (`reverted`, parent = the block below), and the chain ends one block lower.
    pub fn retract_head(&self, mut changes: Vec<DomainChangeJson>) {
        let mut state = self.state.lock();
        let Some(head) = state.blocks.pop() else {
            return;
        };
        for (index, change) in changes.iter_mut().enumerate() {
            change.index = index as u32;
        }
        let revert = DomainChangesJson {
            changes,
            reverted: true,
            ..head
        };
        state
            .live
            .retain(|follower| follower.send(revert.clone()).is_ok());
    }

    /// Every block so far.
    pub fn blocks(&self) -> Vec<DomainChangesJson> {
        self.state.lock().blocks.clone()
    }

    /// The updates submitted so far, with whether the service waited for their inclusion.
    pub fn submitted(&self) -> Vec<(SignedRecordUpdate, bool)> {
        self.state
            .lock()
            .submitted
            .iter()
            .map(|(update, waited)| {
                (
                    update.clone(),
                    waited.load(std::sync::atomic::Ordering::SeqCst),
                )
            })
            .collect()
    }

    /// `submit` / `include` in the order the service submitted updates and awaited them.
    pub fn log(&self) -> Vec<&'static str> {
        self.state.lock().log.clone()
    }

    /// Makes the next submission end with `outcome` instead of a plain success.
    pub fn next_outcome(&self, outcome: Result<SubmitOutcome, BridgeError>) {
        self.state.lock().outcomes.push_back(outcome);
    }

    /// The last block.
    pub fn head_ref(&self) -> BlockRef {
        let height = self.state.lock().blocks.len().saturating_sub(1) as u64;
        BlockRef {
            height,
            hash: block_hash(height),
        }
    }
}

#[async_trait::async_trait]
impl ChainSource for FakeChain {
    async fn head(&self, _finalized: bool) -> Result<BlockRef, BridgeError> {
        Ok(self.head_ref())
    }

    async fn block_at(&self, height: u64) -> Result<Option<BlockRef>, BridgeError> {
        let known = height < self.state.lock().blocks.len() as u64;
        Ok(known.then(|| BlockRef {
            height,
            hash: block_hash(height),
        }))
    }

    async fn resolve(
        &self,
        name: &DomainName,
        _at: Option<Hash>,
    ) -> Result<Option<ResolutionJson>, BridgeError> {
        Ok(self.state.lock().resolutions.get(name).cloned())
    }

    async fn resolve_with_proof(
        &self,
        name: &DomainName,
        at: Option<Hash>,
    ) -> Result<ResolutionProofJson, BridgeError> {
        let at = at.unwrap_or(self.head_ref().hash);
        let resolution = self.state.lock().resolutions.get(name).cloned();
        Ok(ResolutionProofJson {
            resolution,
            at,
            state_root: STATE_ROOT,
            keys: vec![Bytes(name.namehash().0.to_vec())],
            proof: vec![Bytes(b"node-1".to_vec()), Bytes(b"node-2".to_vec())],
        })
    }

    async fn finality(&self, at: Hash) -> Result<Option<FinalityBundle>, BridgeError> {
        let head = self.head_ref().height;
        Ok((0..head)
            .find(|height| block_hash(*height) == at)
            .map(fake_finality))
    }

    async fn names(
        &self,
        _at: Hash,
        _cursor: Option<Hash>,
        _limit: u32,
    ) -> Result<NameListJson, BridgeError> {
        let mut names: Vec<DomainName> = self.state.lock().resolutions.keys().cloned().collect();
        names.sort();
        Ok(NameListJson { names, next: None })
    }

    async fn follow(
        &self,
        from: u64,
        after: Option<Hash>,
        _finalized: bool,
    ) -> Result<mpsc::Receiver<Result<std::sync::Arc<DomainChangesJson>, BridgeError>>, BridgeError>
    {
        // This chain never forks: a resume point must be its block at `from - 1`.
        if let Some(after) = after
            && from.checked_sub(1).map(block_hash) != Some(after)
        {
            return Err(BridgeError::Rejected(format!("unknown block {after}")));
        }
        let (live_tx, mut live_rx) = mpsc::unbounded_channel();
        let replay: Vec<DomainChangesJson> = {
            let mut state = self.state.lock();
            state.live.push(live_tx);
            state.blocks.iter().skip(from as usize).cloned().collect()
        };
        let (tx, rx) = mpsc::channel(16);
        tokio::spawn(async move {
            for block in replay {
                if tx.send(Ok(Arc::new(block))).await.is_err() {
                    return;
                }
            }
            while let Some(block) = live_rx.recv().await {
                if block.block_height >= from && tx.send(Ok(Arc::new(block))).await.is_err() {
                    return;
                }
            }
        });
        Ok(rx)
    }

    async fn submit_signed_update(
        &self,
        update: SignedRecordUpdate,
    ) -> Result<(Hash, Inclusion), BridgeError> {
        let head = self.head_ref().height;
        let mut state = self.state.lock();
        let tx_hash = blake3_256(&update.encode());
        let waited = Arc::new(std::sync::atomic::AtomicBool::new(false));
        state.submitted.push((update, waited.clone()));
        state.log.push("submit");
        let outcome = state.outcomes.pop_front().unwrap_or(Ok(SubmitOutcome {
            tx_hash,
            block_height: Some(head + 1),
            dispatch_error: None,
            // 0.01 GHOST for each included update.
            fee: Some(10_000_000_000),
        }));
        // A refusal at submission is an error here; a dispatch outcome comes with inclusion.
        let outcome = match outcome {
            Err(e) => return Err(e),
            Ok(outcome) => outcome,
        };
        let chain = self.clone_handle();
        Ok((
            outcome.tx_hash,
            Box::pin(async move {
                waited.store(true, std::sync::atomic::Ordering::SeqCst);
                chain.lock().log.push("include");
                Ok(outcome)
            }),
        ))
    }
}
