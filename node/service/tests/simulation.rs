//! Whole validator sets on the deterministic simulated network (`ghost_consensus::sim`): the
//! node's own consensus worker (Aura authorship, block exchange, the GRANDPA voter) on
//! in-memory databases, with seeded latency, jitter, loss, duplication, partitions that heal,
//! crashes and restarts from the database, and an equivocating validator (it double-votes in
//! GRANDPA and seals two different blocks in one of its Aura slots).
//!
//! Every run is a function of its seed. `SIM_SEEDS=N` runs N seeds (default 150); a failing
//! seed prints itself, and `SIM_SEED=S` replays just that one.
//!
//! What every seed checks:
//! - safety: no two nodes ever finalize different blocks at one height;
//! - liveness: with more than two thirds of the voters up and connected, finality advances
//!   within a bound after a partition heals; with half of them down it stalls, and resumes
//!   when one returns;
//! - the pool: every transfer submitted to a validator ends in a finalized block exactly once;
//! - the equivocator's double votes are reported, and the runtime records them in finalized
//!   state; its double block does not break safety or liveness (that it is reported and
//!   recorded is `a_block_equivocator_is_reported_and_the_chain_carries_on`, on a clean
//!   network, where both blocks surely reach one importer).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use ghost_consensus::grandpa::{self, Message, SignedMessage};
use ghost_consensus::network::{Network, Reputation, Topic};
use ghost_consensus::protocol::WireMessage;
use ghost_consensus::sim::{LinkConfig, SimNetwork, SimTimers, Simulation};
use ghost_primitives::{BlockNumber, Hash, Pair};
use ghost_runtime::chain_spec::ChainSpec;
use ghost_runtime::{RuntimeCall, balances};
use ghost_service::client::Client;
use ghost_service::consensus::ConsensusWorker;
use ghost_service::metrics::Metrics;
use ghost_service::pool_api::{FullChainApi, TransactionPool};
use ghost_storage::Database;
use ghost_txpool::PoolLimits;

const NAMES: [&str; 7] = ["Alice", "Bob", "Charlie", "Dave", "Eve", "Ferdie", "Grace"];
/// Accounts that send the test's transfers.
const SENDERS: [&str; 2] = ["Sender1", "Sender2"];
/// Slot duration of the simulated chain (the local spec's).
const SLOT_MS: u64 = 500;
/// How often the finalized chains are read (and so the resolution of the finality figures).
const RECORD_EVERY_MS: u64 = 100;
/// Seeds run when `SIM_SEEDS` is not set: about 80 s of one core (docs/PERFORMANCE.md), so
/// that the suite stays under two minutes in `./scripts/test.sh`.
const DEFAULT_SEEDS: u64 = 150;
/// Genesis time of the simulated world.
const START_MS: u64 = 1_700_000_000_000;

/// A network whose node double-votes: every prevote it sends is followed by a second, signed
/// prevote for another block it knows. With `seal_twice`, the first time it announces a block
/// at height 3 or more, it also seals a second, different block in the same slot and sends that
/// to every peer too.
struct Equivocating {
    inner: Arc<SimNetwork>,
    key: Pair,
    genesis: Hash,
    client: std::sync::OnceLock<Arc<Client>>,
    seal_twice: bool,
    double_sealed: std::sync::atomic::AtomicBool,
}

impl Equivocating {
    /// Seals a sibling of the announced `header` in its slot (empty, one ms later, so another
    /// hash), imports it and announces it; returns whether it did.
    fn double_seal(&self, header: &ghost_primitives::Header) -> bool {
        use ghost_primitives::{AURA_ENGINE_ID, Digest, DigestItem};
        use parity_scale_codec::Encode;

        let (Some(client), Some(slot)) = (self.client.get(), header.slot()) else {
            return false;
        };
        let timestamp = header.timestamp_ms + 1;
        if header.number < 3 || client.aura_params().slot_at(timestamp) != slot {
            return false;
        }
        let Ok(Some(parent)) = client.header(&header.parent_hash) else {
            return false;
        };
        let digest = Digest {
            logs: vec![DigestItem::PreRuntime(AURA_ENGINE_ID, slot.encode())],
        };
        let built =
            ghost_runtime::builder::BlockBuilder::new(client.store(), &parent, timestamp, digest)
                .and_then(|builder| builder.build());
        let Ok(mut built) = built else {
            return false;
        };
        let seal = self.key.sign(built.block.header.pre_hash().as_bytes());
        built
            .block
            .header
            .digest
            .logs
            .push(DigestItem::Seal(AURA_ENGINE_ID, seal.0.to_vec()));
        let body = built.block.extrinsics.encode();
        let Ok(imported) = client.import_own(built, false) else {
            return false;
        };
        // Pushed whole, not only announced: a lost request or response must not hide it, and
        // it must arrive before its height is final.
        self.inner.gossip(
            Topic::Blocks,
            WireMessage::BlockResponse {
                id: 0,
                blocks: vec![ghost_consensus::protocol::BlockData {
                    header: imported.header.clone(),
                    body,
                    justification: None,
                }],
            }
            .to_bytes(),
        );
        self.inner.gossip(
            Topic::Blocks,
            WireMessage::BlockAnnounce(imported.header.clone()).to_bytes(),
        );
        true
    }
}

impl Network for Equivocating {
    type Peer = usize;

    fn gossip(&self, topic: Topic, bytes: Vec<u8>) {
        self.inner.gossip(topic, bytes.clone());
        let message = WireMessage::from_bytes(&bytes);
        if let Ok(WireMessage::BlockAnnounce(header)) = &message {
            // The worker announces only blocks it sealed itself.
            if self.seal_twice
                && !self
                    .double_sealed
                    .load(std::sync::atomic::Ordering::Relaxed)
                && self.double_seal(header)
            {
                self.double_sealed
                    .store(true, std::sync::atomic::Ordering::Relaxed);
            }
            return;
        }
        let Ok(WireMessage::Vote {
            round,
            set_id,
            message:
                SignedMessage {
                    message: Message::Prevote(prevote),
                    id,
                    ..
                },
        }) = message
        else {
            return;
        };
        let Some(client) = self.client.get() else {
            return;
        };
        if id != self.key.public() || prevote.target_number == 0 {
            return;
        }
        // The target's parent: another block, known to everyone who knows the target.
        let Ok(Some(target)) = client.header(&prevote.target_hash) else {
            return;
        };
        let other = grandpa::Prevote::new(target.parent_hash, target.number - 1);
        let message = Message::Prevote(other);
        let signature = grandpa::sign_message(&self.key, &self.genesis, round, set_id, &message);
        self.inner.gossip(
            Topic::Grandpa,
            WireMessage::Vote {
                round,
                set_id,
                message: SignedMessage {
                    message,
                    signature,
                    id,
                },
            }
            .to_bytes(),
        );
    }

    fn send(&self, peer: &usize, bytes: Vec<u8>) {
        self.inner.send(peer, bytes)
    }

    fn report(&self, peer: &usize, change: Reputation) {
        self.inner.report(peer, change)
    }

    fn peers(&self) -> Vec<usize> {
        self.inner.peers()
    }
}

enum Worker {
    Honest(Arc<ConsensusWorker<SimNetwork, SimTimers>>),
    Equivocator(Arc<ConsensusWorker<Equivocating, SimTimers>>),
}

impl Worker {
    fn client(&self) -> &Arc<Client> {
        match self {
            Worker::Honest(w) => w.client(),
            Worker::Equivocator(w) => w.client(),
        }
    }

    fn pool(&self) -> &Arc<TransactionPool> {
        match self {
            Worker::Honest(w) => w.pool(),
            Worker::Equivocator(w) => w.pool(),
        }
    }

    fn broadcast(&self, xt: &ghost_runtime::UncheckedExtrinsic) {
        match self {
            Worker::Honest(w) => w.broadcast_transactions(std::slice::from_ref(xt)),
            Worker::Equivocator(w) => w.broadcast_transactions(std::slice::from_ref(xt)),
        }
    }

    fn imported(&self) -> u64 {
        match self {
            Worker::Honest(w) => w.imported_from_network(),
            Worker::Equivocator(w) => w.imported_from_network(),
        }
    }

    fn equivocators_seen(&self) -> BTreeSet<ghost_primitives::AccountId> {
        let proofs = match self {
            Worker::Honest(w) => w.backend().equivocations(),
            Worker::Equivocator(w) => w.backend().equivocations(),
        };
        proofs.iter().map(|p| p.offender()).collect()
    }

    fn block_equivocators_seen(&self) -> BTreeSet<ghost_primitives::AccountId> {
        let proofs = match self {
            Worker::Honest(w) => w.backend().block_equivocations(),
            Worker::Equivocator(w) => w.backend().block_equivocations(),
        };
        proofs.iter().map(|p| p.offender).collect()
    }
}

/// One simulated run.
struct World {
    sim: Simulation,
    spec: ChainSpec,
    keys: Vec<Pair>,
    dbs: Vec<Arc<Database>>,
    nodes: Vec<Option<Worker>>,
    equivocator: Option<usize>,
    /// Whether the equivocator also seals two blocks in one slot.
    seal_twice: bool,
    /// Every block each node ever reported final, by height.
    finalized_seen: Vec<BTreeMap<BlockNumber, Hash>>,
    /// Virtual ms from each block's timestamp until node 0 saw it final.
    lags: Vec<u64>,
    /// Blocks imported from peers by workers that have stopped.
    imported_by_stopped: u64,
}

impl World {
    fn new(seed: u64, validators: usize, link: LinkConfig, equivocator: Option<usize>) -> World {
        Self::with_double_seal(seed, validators, link, equivocator, false)
    }

    /// As [`World::new`]; with `seal_twice` the equivocator also seals two blocks in a slot.
    fn with_double_seal(
        seed: u64,
        validators: usize,
        link: LinkConfig,
        equivocator: Option<usize>,
        seal_twice: bool,
    ) -> World {
        let mut spec = ChainSpec::local();
        spec.consensus.slot_duration_ms = SLOT_MS;
        spec.genesis.validators.validators = NAMES[..validators]
            .iter()
            .map(|n| Pair::dev(n).public())
            .collect();
        // Every validator can pay for its equivocation reports; the transfers of the test come
        // from accounts that are no validator's (a validator's own reports use its nonces).
        for name in NAMES.iter().chain(&SENDERS) {
            let who = Pair::dev(name).public();
            if !spec
                .genesis
                .balances
                .balances
                .iter()
                .any(|(a, _)| *a == who)
            {
                spec.genesis
                    .balances
                    .balances
                    .push((who, ghost_runtime::chain_spec::DEV_ENDOWMENT));
            }
        }
        let keys = NAMES[..validators].iter().map(|n| Pair::dev(n)).collect();
        let mut world = World {
            // One spare node slot, down unless a test starts a rogue peer in it.
            sim: Simulation::new(seed, validators + 1, START_MS, link),
            spec,
            keys,
            dbs: (0..validators)
                .map(|_| Arc::new(Database::in_memory()))
                .collect(),
            nodes: (0..validators).map(|_| None).collect(),
            equivocator,
            seal_twice,
            finalized_seen: vec![BTreeMap::new(); validators],
            lags: Vec::new(),
            imported_by_stopped: 0,
        };
        for i in 0..validators {
            world.start(i);
        }
        world
    }

    /// A client of the world's chain over `db` on the simulated clock, and its pool.
    fn chain(&self, db: Arc<Database>) -> (Arc<Client>, Arc<TransactionPool>) {
        let client = Arc::new(
            Client::with_clock(
                db,
                self.spec.clone(),
                Arc::new(Metrics::new()),
                self.sim.timers(),
            )
            .expect("client opens its database"),
        );
        let pool = Arc::new(TransactionPool::new(
            Arc::new(FullChainApi::new(client.clone())),
            PoolLimits::default(),
        ));
        (client, pool)
    }

    fn start(&mut self, i: usize) {
        let timers = self.sim.timers();
        let (client, pool) = self.chain(self.dbs[i].clone());
        let (network, events) = self.sim.start_node(i);
        let key = self.keys[i].clone();
        let worker = if self.equivocator == Some(i) {
            let network = Arc::new(Equivocating {
                inner: network,
                key: key.clone(),
                genesis: client.genesis_hash(),
                client: std::sync::OnceLock::new(),
                seal_twice: self.seal_twice,
                double_sealed: std::sync::atomic::AtomicBool::new(false),
            });
            let _ = network.client.set(client.clone());
            let worker = ConsensusWorker::new(client, pool, Some(key), network, timers);
            self.sim.spawn(Some(i), worker.clone().run_slots());
            self.sim.spawn(Some(i), worker.clone().run_network(events));
            self.sim.spawn(Some(i), worker.grandpa().clone().run());
            Worker::Equivocator(worker)
        } else {
            let worker = ConsensusWorker::new(client, pool, Some(key), network, timers);
            self.sim.spawn(Some(i), worker.clone().run_slots());
            self.sim.spawn(Some(i), worker.clone().run_network(events));
            self.sim.spawn(Some(i), worker.grandpa().clone().run());
            Worker::Honest(worker)
        };
        self.nodes[i] = Some(worker);
    }

    fn stop(&mut self, i: usize) {
        self.sim.stop_node(i);
        if let Some(node) = self.nodes[i].take() {
            self.imported_by_stopped += node.imported();
        }
    }

    /// Blocks imported from peers by every worker so far.
    fn imported(&self) -> u64 {
        self.imported_by_stopped
            + self
                .nodes
                .iter()
                .flatten()
                .map(Worker::imported)
                .sum::<u64>()
    }

    fn finalized(&self, i: usize) -> (Hash, BlockNumber) {
        self.dbs[i].finalized().expect("finalized")
    }

    /// Runs `ms` of virtual time, recording every node's finalized chain every 100 ms and
    /// checking safety as it goes.
    fn run(&mut self, ms: u64, seed: u64) {
        let until = self.sim.now_ms() + ms;
        while self.sim.now_ms() < until {
            self.sim
                .run_for(RECORD_EVERY_MS.min(until - self.sim.now_ms()));
            self.record(seed);
        }
    }

    fn record(&mut self, seed: u64) {
        for i in 0..self.dbs.len() {
            let (_, number) = self.dbs[i].finalized().expect("finalized");
            let start = self.finalized_seen[i]
                .keys()
                .next_back()
                .map_or(1, |n| n + 1);
            for height in start..=number {
                let hash = self.dbs[i]
                    .hash_by_number(height)
                    .expect("index")
                    .expect("finalized block is canonical");
                self.finalized_seen[i].insert(height, hash);
                if i == 0 {
                    let header = self.dbs[i].header(&hash).expect("read").expect("header");
                    self.lags
                        .push(self.sim.now_ms().saturating_sub(header.timestamp_ms));
                }
            }
        }
        // Safety: one finalized block per height across all nodes, ever.
        let mut by_height: BTreeMap<BlockNumber, (usize, Hash)> = BTreeMap::new();
        for (i, seen) in self.finalized_seen.iter().enumerate() {
            for (height, hash) in seen {
                match by_height.get(height) {
                    Some((j, other)) if other != hash => panic!(
                        "seed {seed}: nodes {j} and {i} finalized different blocks at #{height}: {other} vs {hash}"
                    ),
                    Some(_) => {}
                    None => {
                        by_height.insert(*height, (i, *hash));
                    }
                }
            }
        }
    }

    /// Each node's voter round and finalized and best heights, for failure messages.
    fn describe(&self) -> String {
        (0..self.dbs.len())
            .map(|i| {
                let round = match self.nodes[i].as_ref() {
                    Some(Worker::Honest(w)) => Some(w.grandpa().round()),
                    Some(Worker::Equivocator(w)) => Some(w.grandpa().round()),
                    None => None,
                };
                format!(
                    "node {i}: (set, round) {round:?}, finalized #{}, best #{}",
                    self.finalized(i).1,
                    self.dbs[i].best().expect("best").1
                )
            })
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn max_finalized(&self, nodes: &[usize]) -> BlockNumber {
        nodes
            .iter()
            .map(|&i| self.dbs[i].finalized().expect("finalized").1)
            .max()
            .unwrap_or(0)
    }

    fn min_finalized(&self, nodes: &[usize]) -> BlockNumber {
        nodes
            .iter()
            .map(|&i| self.dbs[i].finalized().expect("finalized").1)
            .min()
            .unwrap_or(0)
    }

    /// Submits a transfer signed by `from` (at its next nonce) to node `to`'s pool and gossips
    /// it.
    fn submit(&self, to: usize, from: &Pair, amount: u128) -> Hash {
        let node = self.nodes[to].as_ref().expect("node is up");
        let client = node.client();
        let nonce = ghost_service::pool_api::next_nonce(client, node.pool(), &from.public())
            .expect("nonce");
        let xt = ghost_runtime::sign_extrinsic(
            RuntimeCall::Balances(balances::Call::Transfer {
                dest: Pair::dev("Bob").public(),
                value: amount,
            }),
            from,
            nonce,
            0,
            client.genesis_hash(),
            None,
        );
        let (best, _) = client.best().expect("best");
        let hash = node
            .pool()
            .submit(best, xt.clone())
            .expect("pool takes the transfer");
        node.broadcast(&xt);
        hash
    }
}

/// The link qualities a seed picks from.
fn link_for(seed: u64) -> LinkConfig {
    let mut rng = ghost_consensus::sim::Rng::new(seed ^ 0x5eed);
    LinkConfig {
        latency_ms: 5 + rng.below(40),
        jitter_ms: rng.below(80),
        loss_per_mille: rng.below(60) as u32,
        duplicate_per_mille: rng.below(40) as u32,
    }
}

/// What one seed produced, for determinism checks and the figures.
#[derive(Debug, PartialEq, Eq)]
struct Outcome {
    finalized: Vec<(Hash, BlockNumber)>,
    /// Virtual ms from a block's slot start to its finality on node 0, per finalized block.
    finality_lag_ms: Vec<u64>,
    /// Blocks the validators imported from each other.
    imported: u64,
}

/// One seed: 4-7 validators; transfers; a partition that heals; a crash and a restart from
/// the database; on odd seeds an equivocator (double votes and, once, a double seal).
fn run_seed(seed: u64) -> Outcome {
    let validators = 4 + (seed % 4) as usize;
    let equivocator = (seed % 2 == 1).then_some(validators - 1);
    // The equivocator also seals two blocks in one of its slots: safety and liveness must hold
    // on a lossy network with both kinds of equivocation.
    let mut world = World::with_double_seal(seed, validators, link_for(seed), equivocator, true);
    let all: Vec<usize> = (0..validators).collect();
    // Warm up: the chain grows and finalizes on a connected network.
    world.run(6_000, seed);
    let warm = world.min_finalized(&all);
    assert!(
        warm >= 2,
        "seed {seed}: finality did not start ({warm} after 6 s)"
    );

    // Transfers from Ferdie to node 0 (nonces in order) and from Dave to the last node.
    let mut submitted = Vec::new();
    for amount in 0..3 {
        submitted.push(world.submit(0, &Pair::dev(SENDERS[0]), 1_000 + amount));
    }
    submitted.push(world.submit(validators - 1, &Pair::dev(SENDERS[1]), 7));

    // A minority partition (fewer than a third of the voters): the rest keep finalizing.
    let minority = (validators - 1) / 3;
    let cut: Vec<usize> = (0..minority.max(1)).collect();
    let majority: Vec<usize> = (cut.len()..validators).collect();
    world.sim.partition(&cut);
    let before = world.min_finalized(&majority);
    world.run(5_000, seed);
    // Live only if the connected side has more than two thirds *honest* voters (the
    // equivocator is one of the faults GRANDPA tolerates, not a vote it can count on).
    let honest_connected = majority.iter().filter(|&&i| Some(i) != equivocator).count();
    if honest_connected * 3 > validators * 2 {
        assert!(
            world.min_finalized(&majority) > before,
            "seed {seed}: the connected supermajority stopped finalizing: {}",
            world.describe()
        );
    }
    world.sim.heal();
    let healed = world.min_finalized(&majority);
    world.run(8_000, seed);
    assert!(
        world.min_finalized(&all) > healed,
        "seed {seed}: finality did not reach every node within 8 s of the partition healing: {}",
        world.describe()
    );

    // Crash one honest node and restart it from its database.
    world.stop(1);
    world.run(2_000, seed);
    world.start(1);
    world.run(6_000, seed);
    let after_restart = world.min_finalized(&all);

    tracing::info!(now = world.sim.now_ms(), "half down");
    // Half of the voters down: finality stalls; one back: it resumes.
    let down: Vec<usize> = (0..validators.div_ceil(2)).collect();
    for &i in &down {
        world.stop(i);
    }
    let up: Vec<usize> = (down.len()..validators).collect();
    // Votes cast before they went down may still finish a round or two: let those land.
    world.run(6_000, seed);
    let stalled = world.max_finalized(&up);
    world.run(6_000, seed);
    assert!(
        world.max_finalized(&up) <= stalled,
        "seed {seed}: finality advanced with half of the voters down"
    );
    for &i in &down {
        world.start(i);
    }
    tracing::info!(now = world.sim.now_ms(), "back up");
    world.run(10_000, seed);
    let resumed = world.min_finalized(&all);
    assert!(
        resumed > stalled && resumed >= after_restart,
        "seed {seed}: finality did not resume after the voters returned ({stalled} -> {resumed}): {}",
        world.describe()
    );

    // Every transfer is in exactly one finalized block, on every node.
    for i in 0..validators {
        let db = &world.dbs[i];
        let (_, finalized) = db.finalized().expect("finalized");
        let mut seen = BTreeMap::new();
        for height in 1..=finalized {
            let hash = db
                .hash_by_number(height)
                .expect("index")
                .expect("canonical");
            for tx in db.block_tx_hashes(&hash).expect("txs").unwrap_or_default() {
                *seen.entry(tx).or_insert(0) += 1;
            }
        }
        for tx in &submitted {
            if seen.get(tx) != Some(&1) {
                let location = db.tx_location(tx).expect("index");
                let in_pool: Vec<bool> = world
                    .nodes
                    .iter()
                    .map(|n| n.as_ref().is_some_and(|n| n.pool().contains(tx)))
                    .collect();
                eprintln!(
                    "seed {seed}: tx #{} {tx} on node {i}",
                    submitted.iter().position(|t| t == tx).unwrap_or(99)
                );
                eprintln!(
                    ": location {location:?}, in pools {in_pool:?}, best {:?}",
                    db.best()
                );
            }
            assert_eq!(
                seen.get(tx),
                Some(&1),
                "seed {seed}: transfer {tx} is not final exactly once on node {i}"
            );
        }
    }

    // The equivocator is caught by the honest voters.
    if let Some(bad) = equivocator {
        let offender = Pair::dev(NAMES[bad]).public();
        let caught = (0..validators)
            .filter(|&i| i != bad)
            .filter_map(|i| world.nodes[i].as_ref())
            .any(|node| node.equivocators_seen().contains(&offender));
        assert!(
            caught,
            "seed {seed}: nobody reported the equivocating voter"
        );
        // …and the runtime recorded it on the finalized chain.
        let client = world.nodes[0].as_ref().expect("node 0 is up").client();
        let (_, finalized) = client.finalized().expect("finalized");
        let record =
            ghost_runtime::api::offences(client.store(), &finalized, &offender).expect("state");
        assert!(
            record.count >= 1,
            "seed {seed}: the equivocation is not recorded in finalized state"
        );
    }

    let finalized: Vec<(Hash, BlockNumber)> = (0..validators).map(|i| world.finalized(i)).collect();
    Outcome {
        finalized,
        finality_lag_ms: world.lags.clone(),
        imported: world.imported(),
    }
}

/// Logs to the test output when `RUST_LOG` is set (e.g. `RUST_LOG=grandpa=debug`).
fn init_logs() {
    if std::env::var_os("RUST_LOG").is_some() {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .with_test_writer()
            .try_init();
    }
}

fn seeds() -> Vec<u64> {
    init_logs();
    if let Ok(seed) = std::env::var("SIM_SEED") {
        return vec![seed.parse().expect("SIM_SEED is a number")];
    }
    let count = std::env::var("SIM_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(DEFAULT_SEEDS);
    (0..count).collect()
}

/// The p-th percentile of `values` (sorted in place).
fn percentile(values: &mut [u64], p: usize) -> u64 {
    values.sort_unstable();
    if values.is_empty() {
        return 0;
    }
    values[(values.len() - 1) * p / 100]
}

#[test]
fn validator_sets_stay_safe_and_live_across_seeds() {
    let started = std::time::Instant::now();
    let mut lags = Vec::new();
    let mut imported = 0;
    let seeds = seeds();
    for &seed in &seeds {
        match std::panic::catch_unwind(|| run_seed(seed)) {
            Ok(outcome) => {
                lags.extend(outcome.finality_lag_ms);
                imported += outcome.imported;
            }
            Err(e) => {
                eprintln!("simulation failed: replay with SIM_SEED={seed}");
                std::panic::resume_unwind(e);
            }
        }
    }
    // The figures of docs/PERFORMANCE.md (virtual time for finality, wall time for import).
    let wall = started.elapsed().as_secs_f64();
    eprintln!(
        "simulated {} seeds in {wall:.1} s: block timestamp -> final on node 0 p50 {} ms, p99 {} ms \
         (virtual, {} blocks, {RECORD_EVERY_MS} ms resolution); {imported} blocks imported from peers, \
         {:.0} blocks/s wall",
        seeds.len(),
        percentile(&mut lags, 50),
        percentile(&mut lags, 99),
        lags.len(),
        imported as f64 / wall
    );
}

/// A peer speaking our protocol badly: garbage, oversized frames, votes from a non-voter, a
/// forged commit, a block sealed by the wrong key, a flood of blocks with unknown parents. The
/// honest validators lower its standing and keep finalizing; nothing panics.
#[test]
fn a_misbehaving_peer_is_reported_and_the_chain_carries_on() {
    use ghost_consensus::protocol::{BlockData, MAX_MESSAGE_SIZE};
    use ghost_primitives::{AURA_ENGINE_ID, Digest, DigestItem, Header};
    use parity_scale_codec::Encode;

    init_logs();
    let validators = 4;
    let mut world = World::new(11, validators, LinkConfig::default(), None);
    world.run(4_000, 11);
    let before = world.min_finalized(&[0, 1, 2, 3]);
    let (rogue, _inbox) = world.sim.start_node(validators);
    let rogue_key = Pair::dev("Mallory");
    let genesis = world.nodes[0].as_ref().unwrap().client().genesis_hash();
    let (best_hash, best) = world.nodes[0].as_ref().unwrap().client().best().unwrap();

    // Bytes that are no message, and a frame over the size limit.
    rogue.gossip(Topic::Blocks, vec![0xff; 64]);
    rogue.gossip(Topic::Transactions, vec![0u8; MAX_MESSAGE_SIZE + 1]);
    // A prevote by a key outside the voter set.
    let message = Message::Prevote(grandpa::Prevote::new(best_hash, best.number));
    let signature = grandpa::sign_message(&rogue_key, &genesis, 1, 0, &message);
    rogue.gossip(
        Topic::Grandpa,
        WireMessage::Vote {
            round: 1,
            set_id: 0,
            message: SignedMessage {
                message: message.clone(),
                signature,
                id: rogue_key.public(),
            },
        }
        .to_bytes(),
    );
    // A commit that claims Alice's precommit, signed by the rogue.
    let precommit = grandpa::Precommit::new(best_hash, best.number);
    let forged = grandpa::sign_message(
        &rogue_key,
        &genesis,
        1,
        0,
        &Message::Precommit(precommit.clone()),
    );
    rogue.gossip(
        Topic::Grandpa,
        WireMessage::Commit {
            round: 1,
            set_id: 0,
            commit: grandpa::CompactCommit {
                target_hash: best_hash,
                target_number: best.number,
                precommits: vec![precommit],
                auth_data: vec![(forged, Pair::dev("Alice").public())],
            },
        }
        .to_bytes(),
    );
    // A block on a block every node has finalized, sealed by a key that owns no slot.
    let params = world.nodes[0].as_ref().unwrap().client().aura_params();
    let slot = params.slot_at(world.sim.now_ms()) + 1;
    let common = world.min_finalized(&[0, 1, 2, 3]);
    let parent_hash = world.dbs[0].hash_by_number(common).unwrap().unwrap();
    let parent = world.dbs[0].header(&parent_hash).unwrap().unwrap();
    let mut header = Header {
        parent_hash,
        number: parent.number + 1,
        state_root: parent.state_root,
        extrinsics_root: Default::default(),
        timestamp_ms: params.slot_start(slot),
        digest: Digest {
            logs: vec![DigestItem::PreRuntime(AURA_ENGINE_ID, slot.encode())],
        },
    };
    let seal = rogue_key.sign(header.pre_hash().as_bytes());
    header
        .digest
        .logs
        .push(DigestItem::Seal(AURA_ENGINE_ID, seal.0.to_vec()));
    let bad_block = BlockData {
        header,
        body: Vec::<ghost_runtime::UncheckedExtrinsic>::new().encode(),
        justification: None,
    };
    rogue.gossip(
        Topic::Blocks,
        WireMessage::BlockResponse {
            id: 0,
            blocks: vec![bad_block],
        }
        .to_bytes(),
    );
    // A flood of blocks whose parents nobody has: held (bounded), never imported.
    for batch in 0..20u8 {
        let blocks = (0..100u8)
            .map(|i| BlockData {
                header: Header {
                    parent_hash: Hash([batch ^ i; 32]),
                    number: 1_000 + u64::from(i),
                    state_root: Default::default(),
                    extrinsics_root: Default::default(),
                    timestamp_ms: 0,
                    digest: Default::default(),
                },
                body: Vec::<ghost_runtime::UncheckedExtrinsic>::new().encode(),
                justification: None,
            })
            .collect();
        rogue.gossip(
            Topic::Blocks,
            WireMessage::BlockResponse { id: 1, blocks }.to_bytes(),
        );
    }
    world.run(6_000, 11);

    for honest in 0..validators {
        let reports: Vec<&str> = world
            .sim
            .reports(honest, validators)
            .iter()
            .map(|r| r.reason)
            .collect();
        for expected in [
            Reputation::MALFORMED.reason,
            Reputation::BAD_VOTE.reason,
            Reputation::BAD_BLOCK.reason,
        ] {
            assert!(
                reports.contains(&expected),
                "node {honest} did not report `{expected}`: {reports:?}"
            );
        }
    }
    assert!(
        world.min_finalized(&[0, 1, 2, 3]) > before,
        "finality stopped under the rogue's messages"
    );
}

#[test]
fn a_seed_replays_to_the_same_finalized_chain() {
    let first = run_seed(3);
    let second = run_seed(3);
    assert_eq!(first, second);
}

/// A validator that seals two different blocks in one of its slots (and double-votes): an honest
/// importer catches it, the runtime records the proof in finalized state, and the honest chain
/// carries on (both blocks are imported; finality picks one).
#[test]
fn a_block_equivocator_is_reported_and_the_chain_carries_on() {
    init_logs();
    let validators = 4;
    let bad = validators - 1;
    let mut world = World::with_double_seal(5, validators, LinkConfig::default(), Some(bad), true);
    world.run(6_000, 5);
    let before = world.min_finalized(&[0, 1, 2]);
    world.run(6_000, 5);
    let offender = Pair::dev(NAMES[bad]).public();
    let caught = (0..bad)
        .filter_map(|i| world.nodes[i].as_ref())
        .any(|node| node.block_equivocators_seen().contains(&offender));
    assert!(
        caught,
        "no honest validator reported the block equivocation"
    );
    let client = world.nodes[0].as_ref().expect("node 0 is up").client();
    let (_, finalized) = client.finalized().expect("finalized");
    let record =
        ghost_runtime::api::offences(client.store(), &finalized, &offender).expect("state");
    assert_eq!(
        record.blocks, 1,
        "the block equivocation is not recorded once in finalized state"
    );
    assert!(
        world.min_finalized(&[0, 1, 2]) > before,
        "finality stopped after the block equivocation: {}",
        world.describe()
    );
}

/// A full node that joins late catches up by asking several peers at once for height ranges
/// (not one peer, backwards from the tip), and ends on the validators' finalized chain.
#[test]
fn a_late_full_node_catches_up_by_ranges_from_several_peers() {
    init_logs();
    let validators = 4;
    let mut world = World::new(9, validators, LinkConfig::default(), None);
    // About 400 blocks: more than three ranges.
    world.run(200_000, 9);
    let target = world.min_finalized(&[0, 1, 2, 3]);
    assert!(target > 3 * 128, "the validators finalized only #{target}");

    let spare = validators;
    let db = Arc::new(Database::in_memory());
    let (client, pool) = world.chain(db.clone());
    let (network, events) = world.sim.start_node(spare);
    let follower = ConsensusWorker::new(client, pool, None, network, world.sim.timers());
    world.sim.spawn(Some(spare), follower.clone().run_slots());
    world
        .sim
        .spawn(Some(spare), follower.clone().run_network(events));
    world
        .sim
        .spawn(Some(spare), follower.grandpa().clone().run());

    let deadline = world.sim.now_ms() + 60_000;
    while db.finalized().expect("finalized").1 < target && world.sim.now_ms() < deadline {
        world.run(500, 9);
    }
    let (hash, number) = db.finalized().expect("finalized");
    assert!(
        number >= target,
        "the late node reached only #{number} of #{target}: {}",
        world.describe()
    );
    assert_eq!(
        Some(hash),
        world.dbs[0].hash_by_number(number).expect("index"),
        "the late node finalized another chain"
    );
    let by_peer = follower.range_blocks_by_peer();
    let serving = by_peer.iter().filter(|(_, blocks)| *blocks > 0).count();
    let total: u64 = by_peer.iter().map(|(_, blocks)| blocks).sum();
    assert!(
        serving >= 2,
        "ranges came from {serving} peer(s): {by_peer:?}"
    );
    assert!(total >= target - 128, "only {total} blocks came by ranges");
    // Every justification its peers served came with its block, also for blocks that arrived
    // ahead of their parent and waited in the import queue: the late node can serve them on.
    let justified = |db: &Database, n: u64| {
        db.hash_by_number(n)
            .expect("index")
            .and_then(|h| db.justification(&h).expect("read"))
            .is_some()
    };
    let everywhere: Vec<u64> = (1..=target)
        .filter(|n| world.dbs[..validators].iter().all(|v| justified(v, *n)))
        .collect();
    let missing: Vec<u64> = everywhere
        .iter()
        .copied()
        .filter(|n| !justified(&db, *n))
        .collect();
    assert!(
        everywhere.len() > 128,
        "{} justified blocks",
        everywhere.len()
    );
    assert_eq!(
        missing,
        Vec::<u64>::new(),
        "justifications the late node dropped"
    );
}

/// A new node with `--sync warp` takes a recent finalized block, proven from genesis through a
/// voter-set change, and that block's state instead of the blocks below it, then follows the
/// validators' finalized chain with their state roots, while the gap sync brings the blocks
/// below its base (not their state), after which it serves warp proofs itself.
#[test]
fn a_warped_node_reaches_the_validators_finalized_chain_with_their_state() {
    init_logs();
    let validators = 4;
    let seed = 12;
    let mut world = World::new(seed, validators, LinkConfig::default(), None);
    world.run(5_000, seed);
    // A voter-set change for the warp proof to follow: the sudo key (Alice) removes the fourth
    // validator at the next session boundary.
    {
        let node = world.nodes[0].as_ref().expect("node 0 is up");
        let client = node.client();
        let alice = Pair::dev("Alice");
        let nonce = ghost_service::pool_api::next_nonce(client, node.pool(), &alice.public())
            .expect("nonce");
        let remove = RuntimeCall::Validators(ghost_runtime::validators::Call::RemoveValidator {
            who: Pair::dev(NAMES[validators - 1]).public(),
        });
        let xt = ghost_runtime::sign_extrinsic(
            RuntimeCall::Sudo(ghost_runtime::sudo::Call::Sudo {
                call: parity_scale_codec::Encode::encode(&remove),
            }),
            &alice,
            nonce,
            0,
            client.genesis_hash(),
            None,
        );
        let (best, _) = client.best().expect("best");
        node.pool().submit(best, xt.clone()).expect("pool takes it");
        node.broadcast(&xt);
    }
    for i in 0..5u128 {
        world.submit(1, &Pair::dev(SENDERS[0]), 1_000 + i);
    }
    world.run(60_000, seed);
    let (finalized_hash, target) = world.finalized(0);
    let header = world.dbs[0]
        .header(&finalized_hash)
        .expect("read")
        .expect("header");
    let (_, set_id) = world.nodes[0]
        .as_ref()
        .expect("up")
        .client()
        .authorities_at(&header)
        .expect("set");
    assert!(set_id >= 1, "no voter-set change by #{target}");

    let spare = validators;
    let db = Arc::new(Database::in_memory());
    let (client, pool) = world.chain(db.clone());
    let (network, events) = world.sim.start_node(spare);
    let follower = ConsensusWorker::new(client.clone(), pool, None, network, world.sim.timers());
    assert!(follower.start_warp(), "a new database warps");
    world.sim.spawn(Some(spare), follower.clone().run_slots());
    world
        .sim
        .spawn(Some(spare), follower.clone().run_network(events));
    world
        .sim
        .spawn(Some(spare), follower.grandpa().clone().run());

    let deadline = world.sim.now_ms() + 60_000;
    while db.finalized().expect("finalized").1 < target + 10 && world.sim.now_ms() < deadline {
        world.run(500, seed);
    }
    let (base_hash, base) = db
        .warp_base()
        .expect("read")
        .unwrap_or_else(|| panic!("the node did not warp: {}", world.describe()));
    assert!(base >= target, "warped onto #{base}, below #{target}");
    assert_eq!(
        world.dbs[0].hash_by_number(base).expect("index"),
        Some(base_hash),
        "the warp base is the validators' block"
    );
    let (hash, number) = db.finalized().expect("finalized");
    assert!(
        number >= target + 10,
        "the warped node reached only #{number}: {}",
        world.describe()
    );
    assert_eq!(
        Some(hash),
        world.dbs[0].hash_by_number(number).expect("index"),
        "the warped node finalized another chain"
    );
    assert_eq!(
        db.header(&hash).expect("read").map(|h| h.state_root),
        world.dbs[0]
            .header(&hash)
            .expect("read")
            .map(|h| h.state_root),
        "same state root at the finalized block"
    );
    // Meanwhile the gap sync brings the blocks below the base, newest first, down to genesis:
    // the validators' blocks with their bodies, and the justification of the voter-set change.
    let deadline = world.sim.now_ms() + 60_000;
    while db.warp_gap().expect("gap").is_some() && world.sim.now_ms() < deadline {
        world.run(500, seed);
    }
    assert_eq!(
        db.warp_gap().expect("gap"),
        None,
        "the gap below #{base} is not filled: {}",
        world.describe()
    );
    for number in 1..=base {
        let hash = db.hash_by_number(number).expect("index");
        assert_eq!(
            hash,
            world.dbs[0].hash_by_number(number).expect("index"),
            "block #{number}"
        );
        let hash = hash.expect("stored");
        assert_eq!(
            db.body(&hash).expect("read"),
            world.dbs[0].body(&hash).expect("read"),
            "the body of #{number}"
        );
        db.check_not_below_warp_base(number).expect("stored");
    }
    // Their state was never downloaded, and says so.
    let below = db
        .header(&db.hash_by_number(base / 2).expect("index").expect("stored"))
        .expect("read")
        .expect("header");
    assert!(matches!(
        client.check_state(&below),
        Err(ghost_service::client::ClientError::Storage(
            ghost_storage::StorageError::StateBelowWarpBase { .. }
        ))
    ));
    // And the warped node now serves warp proofs like the validators: the same set changes.
    let (changes, proof_target) =
        ghost_service::warp_sync::warp_proof(&client, 0).expect("a warped node serves proofs");
    let (validator_changes, _) =
        ghost_service::warp_sync::warp_proof(world.nodes[0].as_ref().expect("up").client(), 0)
            .expect("proof");
    assert!(!changes.is_empty(), "the voter-set change is in the proof");
    assert_eq!(changes, validator_changes);
    assert!(proof_target.is_some());
    // Only blocks above the base were imported (a sibling or two of a slot may come too).
    let best = db.best().expect("best").1;
    let imported = follower.imported_from_network();
    assert!(
        imported <= best - base + 4 && imported < base,
        "imported {imported} blocks for {} above the base #{base}",
        best - base
    );
    // The warped state reads like the validators': the sender's balance after its transfers.
    let sender = Pair::dev(SENDERS[0]).public();
    let read = |client: &Client| {
        let header = client.header(&hash).expect("read").expect("header");
        client
            .read_state(&header, |store| {
                ghost_runtime::api::account_info(store, &header, &sender)
            })
            .expect("state")
    };
    assert_eq!(
        read(&client),
        read(world.nodes[0].as_ref().expect("up").client())
    );
}
