//! The GRANDPA voter of a node: `finality_grandpa::Voter` run against the node's chain through
//! the network seam.
//!
//! [`GrandpaWorker`] owns everything that outlives one voter set: the node's key, the routing of
//! incoming votes to the rounds that wait for them, the persisted [`VoterState`]. Its
//! [`GrandpaWorker::run`] future starts a voter for the set of the last finalized block and
//! restarts it whenever finality crosses a set change (a block with a GRANDPA `ScheduledChange`
//! digest: the old set finalizes it, the new set votes on its descendants). Votes are never cast
//! past a set-change block that is not final yet.
//!
//! Incoming messages go through [`GrandpaWorker::handle_message`], which checks them before the
//! voter sees them: the set id, that the voter is in the set, the signature over the localized
//! payload (chain, round, set id). Anything else lowers the sender's standing. A vote for a round
//! two or more ahead of this node's makes it ask that peer for a catch-up (the votes of its last
//! completed round); this node answers such requests from its persisted state.
//!
//! Safety across restarts: every vote is recorded in [`VoterState`] (persisted by the backend)
//! before it is signed and sent; a restarted voter that votes again in such a round sends the
//! recorded vote, never a second one. Liveness across lost messages: this node re-gossips its own votes of the current round
//! every [`GrandpaConfig::rebroadcast_ms`], so a healed partition finishes its round.

use std::collections::{BTreeMap, BTreeSet};
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};

use finality_grandpa::voter::{
    Callback, CommunicationIn, CommunicationOut, Environment as EnvironmentT, RoundData,
};
use finality_grandpa::{BlockNumberOps, HistoricalVotes, Precommit, Prevote, PrimaryPropose};
use futures::channel::mpsc;
use futures::{FutureExt, Sink, Stream};
use ghost_primitives::consensus::GrandpaLog;
use ghost_primitives::{AccountId, BlockNumber, Hash, Header, Pair, Signature};
use parity_scale_codec::{Decode, Encode};

use super::voter_state::VoterState;
use super::{
    CatchUp, Commit, CompactCommit, Equivocation, GrandpaJustification, Message, SignedMessage,
    check_message_signature, sign_message,
};
use crate::network::{Network, Reputation, Timers, Topic};
use crate::protocol::WireMessage;

const LOG_TARGET: &str = "grandpa";
/// How many verified vote signatures a worker remembers (a few rounds of a large set).
pub const VERIFIED_SIGNATURES: usize = 4_096;

/// Vote signatures this node has verified, so that a vote heard again (re-gossip of a round's
/// votes, duplicates, the same precommits in a commit or a catch-up) is not verified again.
/// Keyed by the hash of everything the signature covers plus the signature and the voter; only
/// valid signatures are remembered; the oldest are forgotten first.
#[derive(Default)]
struct VerifiedSignatures {
    known: BTreeSet<Hash>,
    order: std::collections::VecDeque<Hash>,
}

impl VerifiedSignatures {
    fn key(
        id: &AccountId,
        signature: &Signature,
        round: u64,
        set_id: u64,
        message: &Message,
    ) -> Hash {
        ghost_primitives::blake3_256(&(id, signature, round, set_id, message).encode())
    }

    fn insert(&mut self, key: Hash) {
        if self.known.insert(key) {
            self.order.push_back(key);
            if self.order.len() > VERIFIED_SIGNATURES
                && let Some(oldest) = self.order.pop_front()
            {
                self.known.remove(&oldest);
            }
        }
    }
}

/// How many messages are buffered for a round that has not started here yet, per voter.
const BUFFER_PER_VOTER: usize = 3;
/// How many rounds ahead of the current one messages are buffered.
const BUFFER_ROUNDS_AHEAD: u64 = 2;
/// How many votes for blocks this node has not imported yet are held, per voter.
const WAITING_PER_VOTER: usize = 8;

/// What the voter needs from the node's chain.
pub trait FinalityBackend: Send + Sync + 'static {
    /// The chain's genesis hash (part of every signed vote).
    fn genesis_hash(&self) -> Hash;
    /// A stored header.
    fn header(&self, hash: &Hash) -> Option<Header>;
    /// The last finalized block.
    fn finalized(&self) -> (Hash, BlockNumber);
    /// The head of the best chain that contains `base`, by the node's fork choice; `None` if
    /// `base` is unknown.
    fn best_containing(&self, base: &Hash) -> Option<(Hash, BlockNumber)>;
    /// The voter set in the state of block `hash` (it votes on the block's descendants) and its
    /// set id.
    fn authority_set(&self, hash: &Hash) -> Option<(Vec<AccountId>, u64)>;
    /// Verifies and stores `justification` (SCALE [`GrandpaJustification`]) for block `hash`,
    /// finalizing it.
    fn finalize(&self, hash: Hash, justification: Vec<u8>) -> Result<(), String>;
    /// The persisted [`VoterState`] bytes, if any.
    fn load_voter_state(&self) -> Option<Vec<u8>>;
    /// Persists [`VoterState`] bytes (durably: a vote is sent only after this returns).
    fn store_voter_state(&self, bytes: &[u8]);
    /// A voter signed two different votes in one round.
    fn report_equivocation(&self, proof: EquivocationProof);
}

/// Proof that a voter signed two different votes in one round.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub enum EquivocationProof {
    /// Two prevotes.
    Prevote {
        /// The voter set.
        set_id: u64,
        /// The round.
        round: u64,
        /// The two signed votes.
        equivocation: Equivocation<Prevote<Hash, BlockNumber>>,
    },
    /// Two precommits.
    Precommit {
        /// The voter set.
        set_id: u64,
        /// The round.
        round: u64,
        /// The two signed votes.
        equivocation: Equivocation<Precommit<Hash, BlockNumber>>,
    },
}

impl EquivocationProof {
    /// The voter that equivocated.
    pub fn offender(&self) -> AccountId {
        match self {
            EquivocationProof::Prevote { equivocation, .. } => equivocation.identity,
            EquivocationProof::Precommit { equivocation, .. } => equivocation.identity,
        }
    }

    /// The proof in the runtime's form (`Validators::report_equivocation`).
    pub fn to_runtime(&self) -> ghost_primitives::GrandpaEquivocation {
        use ghost_primitives::{GrandpaEquivocation, SignedVote, VoteKind};
        fn votes<V>(
            e: &Equivocation<V>,
            target: fn(&V) -> (Hash, BlockNumber),
        ) -> (SignedVote, SignedVote) {
            let vote = |(v, signature): &(V, Signature)| {
                let (target_hash, target_number) = target(v);
                SignedVote {
                    target_hash,
                    target_number,
                    signature: *signature,
                }
            };
            (vote(&e.first), vote(&e.second))
        }
        let (set_id, round, offender, kind, (first, second)) = match self {
            EquivocationProof::Prevote {
                set_id,
                round,
                equivocation,
            } => (
                *set_id,
                *round,
                equivocation.identity,
                VoteKind::Prevote,
                votes(equivocation, |v| (v.target_hash, v.target_number)),
            ),
            EquivocationProof::Precommit {
                set_id,
                round,
                equivocation,
            } => (
                *set_id,
                *round,
                equivocation.identity,
                VoteKind::Precommit,
                votes(equivocation, |v| (v.target_hash, v.target_number)),
            ),
        };
        GrandpaEquivocation {
            set_id,
            round,
            offender,
            kind,
            first,
            second,
        }
    }

    /// Whether both votes are validly signed by the offender, differ, and are for the same
    /// round and set on the chain `genesis_hash`.
    pub fn check(&self, genesis_hash: &Hash) -> bool {
        // The runtime's check of the same proof: one rule for the node and the chain.
        self.to_runtime().check(genesis_hash)
    }
}

/// Timing of the voter.
#[derive(Clone, Copy, Debug)]
pub struct GrandpaConfig {
    /// The expected time for a message to reach every voter. Prevotes wait 2×, precommits 4×
    /// this after a round starts (as Substrate's `gossip_duration`).
    pub gossip_duration_ms: u64,
    /// How often this node re-gossips its votes of the current round.
    pub rebroadcast_ms: u64,
}

impl GrandpaConfig {
    /// Timing for a chain with `slot_duration_ms` slots: gossip duration of a quarter slot (at
    /// least 25 ms), rebroadcast every two slots (a vote lost on the way is sent again within
    /// about a second at a 500 ms slot).
    pub fn for_slot_duration(slot_duration_ms: u64) -> GrandpaConfig {
        GrandpaConfig {
            gossip_duration_ms: (slot_duration_ms / 4).max(25),
            rebroadcast_ms: slot_duration_ms.saturating_mul(2).max(200),
        }
    }
}

/// Why the voter stopped.
#[derive(Debug, thiserror::Error)]
pub enum GrandpaError {
    /// `finality-grandpa` refused an ancestry query.
    #[error("grandpa: {0}")]
    Grandpa(#[from] finality_grandpa::Error),
    /// The chain does not have a block the voter needs.
    #[error("block {0} is unknown")]
    UnknownBlock(Hash),
    /// A channel to the voter closed.
    #[error("voter channel closed")]
    ChannelClosed,
}

/// What [`GrandpaWorker::handle_message`] made of a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Handled {
    /// Taken (or ignored as harmless: an old round, a duplicate).
    Accepted,
    /// A commit for a block this node lacks: fetch it from the sender.
    NeedBlock(Hash),
    /// Refused; the sender's standing was lowered.
    Refused(&'static str),
}

/// Per-set routing state.
struct Routing {
    set_id: u64,
    voters: Vec<AccountId>,
    /// The newest round the voter started.
    current_round: u64,
    /// Incoming channels of started rounds.
    rounds: BTreeMap<u64, mpsc::UnboundedSender<Result<SignedMessage, GrandpaError>>>,
    /// Messages for rounds not started yet.
    buffered: BTreeMap<u64, Vec<SignedMessage>>,
    /// Hashes of messages already routed, per round (duplicates are dropped).
    seen: BTreeMap<u64, BTreeSet<[u8; 32]>>,
    /// This node's own signed votes, per round, for rebroadcast.
    own: BTreeMap<u64, Vec<SignedMessage>>,
    /// Commits and catch-ups for the running voter.
    global: Option<mpsc::UnboundedSender<GlobalIn>>,
    /// When this node last asked for a catch-up (ms).
    last_catch_up_request: Option<u64>,
    /// Set when finality reaches a block whose state has another voter set.
    set_changed: bool,
    /// Votes for blocks not imported here yet, released by [`GrandpaWorker::on_block_imported`].
    waiting: Vec<(u64, SignedMessage)>,
}

type GlobalIn = Result<CommunicationIn<Hash, BlockNumber, Signature, AccountId>, GrandpaError>;

impl Routing {
    fn new(set_id: u64, voters: Vec<AccountId>) -> Routing {
        Routing {
            set_id,
            voters,
            current_round: 0,
            rounds: BTreeMap::new(),
            buffered: BTreeMap::new(),
            seen: BTreeMap::new(),
            own: BTreeMap::new(),
            global: None,
            last_catch_up_request: None,
            set_changed: false,
            waiting: Vec::new(),
        }
    }

    /// Hands `message` to its round, or buffers it; `false` if it was a duplicate. A message
    /// that can be neither delivered nor buffered is not remembered, so a rebroadcast of it
    /// later still gets through.
    fn route(&mut self, round: u64, message: SignedMessage) -> bool {
        let digest = *blake3::hash(&message.encode()).as_bytes();
        if self
            .seen
            .get(&round)
            .is_some_and(|seen| seen.contains(&digest))
        {
            return false;
        }
        if let Some(sender) = self.rounds.get(&round) {
            if sender.unbounded_send(Ok(message)).is_ok() {
                self.seen.entry(round).or_default().insert(digest);
            } else {
                // The voter dropped the round.
                self.rounds.remove(&round);
            }
            return true;
        }
        if round > self.current_round && round <= self.current_round + BUFFER_ROUNDS_AHEAD {
            let limit = BUFFER_PER_VOTER * self.voters.len().max(1);
            let buffer = self.buffered.entry(round).or_default();
            if buffer.len() < limit {
                buffer.push(message);
                self.seen.entry(round).or_default().insert(digest);
            }
        }
        true
    }

    /// Forgets rounds the voter can no longer use.
    fn prune(&mut self) {
        let keep_from = self.current_round.saturating_sub(2);
        self.seen = self.seen.split_off(&keep_from);
        self.own = self.own.split_off(&keep_from);
        self.buffered = self.buffered.split_off(&self.current_round);
        self.rounds.retain(|_, sender| !sender.is_closed());
    }
}

/// The GRANDPA service of one node (see the [module docs](self)).
pub struct GrandpaWorker<B: FinalityBackend, N: Network, T: Timers> {
    backend: Arc<B>,
    network: Arc<N>,
    timers: Arc<T>,
    key: Option<Pair>,
    config: GrandpaConfig,
    routing: Mutex<Routing>,
    state: Mutex<Option<VoterState>>,
    verified: Mutex<VerifiedSignatures>,
}

impl<B: FinalityBackend, N: Network, T: Timers + Send + Sync + 'static> GrandpaWorker<B, N, T> {
    /// A worker voting with `key` (or observing, with `None`).
    pub fn new(
        backend: Arc<B>,
        network: Arc<N>,
        timers: Arc<T>,
        key: Option<Pair>,
        config: GrandpaConfig,
    ) -> Arc<Self> {
        Arc::new(GrandpaWorker {
            backend,
            network,
            timers,
            key,
            config,
            routing: Mutex::new(Routing::new(u64::MAX, Vec::new())),
            state: Mutex::new(None),
            verified: Mutex::new(VerifiedSignatures::default()),
        })
    }

    /// Whether `signature` is `id`'s over `message` in `round` of `set_id` on this chain;
    /// answered from memory for a signature verified before.
    fn check_vote_signature(
        &self,
        id: &AccountId,
        signature: &Signature,
        round: u64,
        set_id: u64,
        message: &Message,
    ) -> bool {
        let key = VerifiedSignatures::key(id, signature, round, set_id, message);
        let mut verified = self.verified.lock().unwrap_or_else(|e| e.into_inner());
        if verified.known.contains(&key) {
            return true;
        }
        let genesis = self.backend.genesis_hash();
        if !check_message_signature(id, signature, &genesis, round, set_id, message) {
            return false;
        }
        verified.insert(key);
        true
    }

    fn routing(&self) -> MutexGuard<'_, Routing> {
        self.routing.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn state(&self) -> MutexGuard<'_, Option<VoterState>> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The voter set id and the newest round this node is in.
    pub fn round(&self) -> (u64, u64) {
        let routing = self.routing();
        (routing.set_id, routing.current_round)
    }

    /// Changes the persisted state and stores it before returning.
    fn update_state(&self, change: impl FnOnce(&mut VoterState)) {
        let mut state = self.state();
        if let Some(state) = state.as_mut() {
            change(state);
            self.backend.store_voter_state(&state.encode());
        }
    }

    /// Runs voters for successive voter sets, forever (until dropped).
    pub async fn run(self: Arc<Self>) {
        loop {
            let (finalized_hash, finalized_number) = self.backend.finalized();
            let Some((voters, set_id)) = self.backend.authority_set(&finalized_hash) else {
                tracing::error!(target: LOG_TARGET, %finalized_hash, "no voter set at the finalized block");
                self.timers.delay(self.config.rebroadcast_ms).await;
                continue;
            };
            let Some(voter_set) = super::voter_set(&voters) else {
                tracing::error!(target: LOG_TARGET, set_id, "empty voter set");
                self.timers.delay(self.config.rebroadcast_ms).await;
                continue;
            };
            let state = match self
                .backend
                .load_voter_state()
                .and_then(|bytes| VoterState::decode(&bytes))
            {
                Some(state) if state.set_id == set_id => state,
                _ => VoterState::genesis(set_id, (finalized_hash, finalized_number)),
            };
            self.backend.store_voter_state(&state.encode());
            let (global_tx, global_rx) = mpsc::unbounded();
            {
                let mut routing = self.routing();
                if routing.set_id != set_id {
                    *routing = Routing::new(set_id, voters.clone());
                }
                routing.current_round = state.completed.number;
                routing.global = Some(global_tx);
                routing.set_changed = false;
            }
            let completed = state.completed.clone();
            if let Some(key) = &self.key {
                // This node's votes of rounds it has not seen complete, signed again (ed25519
                // signatures are deterministic: the same bytes as before), for rebroadcast.
                let mut routing = self.routing();
                for (round, voted) in &state.voted {
                    for message in [&voted.propose, &voted.prevote, &voted.precommit]
                        .into_iter()
                        .flatten()
                    {
                        let signature = sign_message(
                            key,
                            &self.backend.genesis_hash(),
                            *round,
                            set_id,
                            message,
                        );
                        let signed = SignedMessage {
                            message: message.clone(),
                            signature,
                            id: key.public(),
                        };
                        let own = routing.own.entry(*round).or_default();
                        if !own.contains(&signed) {
                            own.push(signed);
                        }
                    }
                }
            }
            *self.state() = Some(state);
            tracing::info!(
                target: LOG_TARGET,
                set_id,
                voters = voters.len(),
                round = completed.number + 1,
                voting = self.key.as_ref().is_some_and(|k| voters.contains(&k.public())),
                "👴 starting GRANDPA voter"
            );
            let env = Arc::new(VoterEnvironment {
                worker: self.clone(),
                set_id,
                voters: voters.clone(),
            });
            let global_out = GlobalOutgoing {
                worker: self.clone(),
                set_id,
            };
            let voter = finality_grandpa::voter::Voter::new(
                env,
                voter_set,
                (global_rx, global_out),
                completed.number,
                completed.votes,
                completed.base,
                (finalized_hash, finalized_number),
            );
            let watch = self.clone().watch_set(set_id);
            futures::pin_mut!(voter);
            futures::pin_mut!(watch);
            match futures::future::select(voter, watch).await {
                futures::future::Either::Left((Ok(()), _)) => {
                    tracing::warn!(target: LOG_TARGET, set_id, "voter ended");
                }
                futures::future::Either::Left((Err(e), _)) => {
                    tracing::warn!(target: LOG_TARGET, set_id, error = %e, "voter failed; restarting");
                    self.timers.delay(self.config.gossip_duration_ms).await;
                }
                futures::future::Either::Right(((), _)) => {
                    tracing::info!(target: LOG_TARGET, set_id, "voter set changed");
                }
            }
        }
    }

    /// Resolves when finality has moved into another voter set; meanwhile re-gossips this
    /// node's votes of the current round every `rebroadcast_ms`.
    async fn watch_set(self: Arc<Self>, set_id: u64) {
        loop {
            self.timers.delay(self.config.rebroadcast_ms).await;
            let (finalized, _) = self.backend.finalized();
            let moved = self
                .backend
                .authority_set(&finalized)
                .is_some_and(|(_, id)| id != set_id);
            if moved || self.routing().set_changed {
                return;
            }
            // The votes of the last completed round (so voters still in it can finish it, and
            // after a restart this node's own votes of it go out again), then this node's votes
            // of the rounds after it.
            let completed: Vec<(u64, SignedMessage)> = match self.state().as_ref() {
                Some(state) if state.set_id == set_id => state
                    .completed
                    .votes
                    .iter()
                    .map(|m| (state.completed.number, m.clone()))
                    .collect(),
                _ => Vec::new(),
            };
            let own: Vec<(u64, SignedMessage)> = {
                let mut routing = self.routing();
                routing.prune();
                let from = routing.current_round.saturating_sub(1);
                routing
                    .own
                    .range(from..)
                    .flat_map(|(round, messages)| messages.iter().map(|m| (*round, m.clone())))
                    .collect()
            };
            let own = completed.into_iter().chain(own);
            for (round, message) in own {
                self.network.gossip(
                    Topic::Grandpa,
                    WireMessage::Vote {
                        round,
                        set_id,
                        message,
                    }
                    .to_bytes(),
                );
            }
        }
    }

    /// Checks and routes a GRANDPA message from `from` (see the [module docs](self)); other
    /// message kinds are not this worker's and are accepted untouched.
    pub fn handle_message(&self, from: &N::Peer, message: WireMessage) -> Handled {
        let outcome = match message {
            WireMessage::Vote {
                round,
                set_id,
                message,
            } => self.handle_vote(from, round, set_id, message),
            WireMessage::Commit {
                round,
                set_id,
                commit,
            } => self.handle_commit(round, set_id, commit),
            WireMessage::CatchUpRequest { round, set_id } => {
                self.answer_catch_up(from, round, set_id);
                Handled::Accepted
            }
            WireMessage::CatchUp { set_id, catch_up } => self.handle_catch_up(set_id, catch_up),
            _ => Handled::Accepted,
        };
        if let Handled::Refused(reason) = outcome {
            tracing::debug!(target: LOG_TARGET, peer = ?from, reason, "refused GRANDPA message");
            self.network.report(from, Reputation::BAD_VOTE);
        }
        outcome
    }

    fn check_signed(&self, routing: &Routing, round: u64, message: &SignedMessage) -> bool {
        routing.voters.contains(&message.id)
            && self.check_vote_signature(
                &message.id,
                &message.signature,
                round,
                routing.set_id,
                &message.message,
            )
    }

    fn handle_vote(
        &self,
        from: &N::Peer,
        round: u64,
        set_id: u64,
        message: SignedMessage,
    ) -> Handled {
        let mut routing = self.routing();
        if set_id != routing.set_id {
            // Another set: ours is older or newer; neither is misbehaviour.
            return Handled::Accepted;
        }
        if round + 2 < routing.current_round {
            return Handled::Accepted;
        }
        if !self.check_signed(&routing, round, &message) {
            return Handled::Refused("bad vote signature or not a voter");
        }
        let ahead = round >= routing.current_round + 2;
        let target = *message.message.target().0;
        let need = self.backend.header(&target).is_none();
        tracing::trace!(target: LOG_TARGET, round, voter = %message.id, ?target, need, kind = ?std::mem::discriminant(&message.message), current = routing.current_round, "vote");
        if need {
            // GRANDPA ignores votes for unknown blocks: keep it until the block is here.
            if routing.waiting.len() < WAITING_PER_VOTER * routing.voters.len().max(1) {
                routing.waiting.push((round, message));
            }
        } else {
            routing.route(round, message);
        }
        if ahead {
            let now = self.timers.now_ms();
            let due = routing
                .last_catch_up_request
                .is_none_or(|at| now >= at + self.config.rebroadcast_ms);
            if due {
                routing.last_catch_up_request = Some(now);
                let request = WireMessage::CatchUpRequest {
                    round: routing.current_round,
                    set_id,
                };
                drop(routing);
                self.network.send(from, request.to_bytes());
            }
        }
        if need {
            return Handled::NeedBlock(target);
        }
        Handled::Accepted
    }

    /// Hands the held votes whose blocks are now imported to their rounds.
    pub fn on_block_imported(&self) {
        let mut routing = self.routing();
        if routing.waiting.is_empty() {
            return;
        }
        let waiting = std::mem::take(&mut routing.waiting);
        let min_round = routing.current_round.saturating_sub(2);
        for (round, message) in waiting {
            if round < min_round {
                continue;
            }
            if self.backend.header(message.message.target().0).is_some() {
                routing.route(round, message);
            } else {
                routing.waiting.push((round, message));
            }
        }
    }

    fn handle_commit(&self, round: u64, set_id: u64, commit: CompactCommit) -> Handled {
        let routing = self.routing();
        if set_id != routing.set_id {
            return Handled::Accepted;
        }
        if commit.precommits.len() != commit.auth_data.len()
            || commit.precommits.len() > routing.voters.len() * 2
        {
            return Handled::Refused("malformed commit");
        }
        for (precommit, (signature, id)) in commit.precommits.iter().zip(&commit.auth_data) {
            if !routing.voters.contains(id)
                || !self.check_vote_signature(
                    id,
                    signature,
                    round,
                    set_id,
                    &Message::Precommit(precommit.clone()),
                )
            {
                return Handled::Refused("bad commit signature or not a voter");
            }
        }
        let (_, finalized) = self.backend.finalized();
        if commit.target_number <= finalized {
            return Handled::Accepted;
        }
        if self.backend.header(&commit.target_hash).is_none() {
            return Handled::NeedBlock(commit.target_hash);
        }
        if let Some(global) = &routing.global {
            let _ =
                global.unbounded_send(Ok(CommunicationIn::Commit(round, commit, Callback::Blank)));
        }
        Handled::Accepted
    }

    fn answer_catch_up(&self, to: &N::Peer, round: u64, set_id: u64) {
        let catch_up = {
            let state = self.state();
            let Some(state) = state.as_ref() else {
                return;
            };
            if state.set_id != set_id || state.completed.number <= round {
                return;
            }
            let mut prevotes = Vec::new();
            let mut precommits = Vec::new();
            for vote in &state.completed.votes {
                match &vote.message {
                    Message::Prevote(p) => prevotes.push(finality_grandpa::SignedPrevote {
                        prevote: p.clone(),
                        signature: vote.signature,
                        id: vote.id,
                    }),
                    Message::Precommit(p) => precommits.push(finality_grandpa::SignedPrecommit {
                        precommit: p.clone(),
                        signature: vote.signature,
                        id: vote.id,
                    }),
                    Message::PrimaryPropose(_) => {}
                }
            }
            CatchUp {
                round_number: state.completed.number,
                prevotes,
                precommits,
                base_hash: state.completed.base.0,
                base_number: state.completed.base.1,
            }
        };
        self.network
            .send(to, WireMessage::CatchUp { set_id, catch_up }.to_bytes());
    }

    fn handle_catch_up(&self, set_id: u64, catch_up: CatchUp) -> Handled {
        let routing = self.routing();
        if set_id != routing.set_id || catch_up.round_number <= routing.current_round {
            return Handled::Accepted;
        }
        let limit = routing.voters.len() * 2;
        if catch_up.prevotes.len() > limit || catch_up.precommits.len() > limit {
            return Handled::Refused("oversized catch-up");
        }
        let round = catch_up.round_number;
        let signed_ok = catch_up.prevotes.iter().all(|v| {
            routing.voters.contains(&v.id)
                && self.check_vote_signature(
                    &v.id,
                    &v.signature,
                    round,
                    set_id,
                    &Message::Prevote(v.prevote.clone()),
                )
        }) && catch_up.precommits.iter().all(|v| {
            routing.voters.contains(&v.id)
                && self.check_vote_signature(
                    &v.id,
                    &v.signature,
                    round,
                    set_id,
                    &Message::Precommit(v.precommit.clone()),
                )
        });
        if !signed_ok {
            return Handled::Refused("bad catch-up signature or not a voter");
        }
        let known = catch_up
            .prevotes
            .iter()
            .map(|v| v.prevote.target_hash)
            .chain(catch_up.precommits.iter().map(|v| v.precommit.target_hash))
            .chain([catch_up.base_hash])
            .find(|hash| self.backend.header(hash).is_none());
        if let Some(missing) = known {
            return Handled::NeedBlock(missing);
        }
        if let Some(global) = &routing.global {
            let _ = global.unbounded_send(Ok(CommunicationIn::CatchUp(catch_up, Callback::Blank)));
        }
        Handled::Accepted
    }

    /// Signs `message` for `round`, records it before it leaves, and sends it to everyone
    /// (this node's own round included).
    fn send_own(&self, set_id: u64, round: u64, message: Message) {
        let Some(key) = &self.key else {
            return;
        };
        // Record before signing; a vote of this kind recorded earlier (before a restart) is
        // sent again instead of a new one.
        let message = {
            let mut state = self.state();
            let Some(state) = state.as_mut() else {
                return;
            };
            let Some(message) = state.vote(round, message) else {
                tracing::debug!(target: LOG_TARGET, round, "not voting in a completed round");
                return;
            };
            self.backend.store_voter_state(&state.encode());
            message
        };
        let signature = sign_message(key, &self.backend.genesis_hash(), round, set_id, &message);
        let signed = SignedMessage {
            message,
            signature,
            id: key.public(),
        };
        {
            let mut routing = self.routing();
            if routing.set_id != set_id {
                tracing::debug!(target: LOG_TARGET, round, set_id, "not voting for an old set");
                return;
            }
            tracing::trace!(target: LOG_TARGET, round, target = ?signed.message.target(), "own vote");
            routing.own.entry(round).or_default().push(signed.clone());
            routing.route(round, signed.clone());
        }
        self.network.gossip(
            Topic::Grandpa,
            WireMessage::Vote {
                round,
                set_id,
                message: signed,
            }
            .to_bytes(),
        );
    }

    /// The justification of `commit`: the commit and the headers linking its precommits to
    /// its target.
    fn justification(
        &self,
        round: u64,
        commit: Commit,
    ) -> Result<GrandpaJustification, GrandpaError> {
        let mut ancestries: BTreeMap<Hash, Header> = BTreeMap::new();
        let mut voters = BTreeSet::new();
        let mut precommits = Vec::new();
        for signed in commit.precommits {
            // One precommit per voter (an equivocator's second is not needed to prove finality).
            if !voters.insert(signed.id) {
                continue;
            }
            let mut current = signed.precommit.target_hash;
            while current != commit.target_hash {
                let header = self
                    .backend
                    .header(&current)
                    .ok_or(GrandpaError::UnknownBlock(current))?;
                if header.number <= commit.target_number {
                    return Err(GrandpaError::Grandpa(
                        finality_grandpa::Error::NotDescendent,
                    ));
                }
                current = header.parent_hash;
                ancestries.insert(header.hash(), header);
            }
            precommits.push(signed);
        }
        Ok(GrandpaJustification {
            round,
            commit: Commit {
                target_hash: commit.target_hash,
                target_number: commit.target_number,
                precommits,
            },
            votes_ancestries: ancestries.into_values().collect(),
        })
    }
}

/// The `finality_grandpa::Environment` of one voter set.
struct VoterEnvironment<B: FinalityBackend, N: Network, T: Timers> {
    worker: Arc<GrandpaWorker<B, N, T>>,
    set_id: u64,
    voters: Vec<AccountId>,
}

type Timer = Pin<Box<dyn futures::Future<Output = Result<(), GrandpaError>> + Send>>;
type Incoming = Pin<Box<dyn Stream<Item = Result<SignedMessage, GrandpaError>> + Send>>;

impl<B: FinalityBackend, N: Network, T: Timers + Send + Sync + 'static>
    finality_grandpa::Chain<Hash, BlockNumber> for VoterEnvironment<B, N, T>
{
    fn ancestry(&self, base: Hash, block: Hash) -> Result<Vec<Hash>, finality_grandpa::Error> {
        ancestry(&*self.worker.backend, base, block)
    }
}

/// The hashes from `block`'s parent down to (not including) `base`.
fn ancestry<B: FinalityBackend + ?Sized>(
    backend: &B,
    base: Hash,
    block: Hash,
) -> Result<Vec<Hash>, finality_grandpa::Error> {
    if base == block {
        return Err(finality_grandpa::Error::NotDescendent);
    }
    let base_number = backend
        .header(&base)
        .ok_or(finality_grandpa::Error::NotDescendent)?
        .number;
    let mut route = Vec::new();
    let mut current = backend
        .header(&block)
        .ok_or(finality_grandpa::Error::NotDescendent)?;
    loop {
        if current.number <= base_number {
            return Err(finality_grandpa::Error::NotDescendent);
        }
        let parent = current.parent_hash;
        if parent == base {
            return Ok(route);
        }
        route.push(parent);
        current = backend
            .header(&parent)
            .ok_or(finality_grandpa::Error::NotDescendent)?;
    }
}

impl<B: FinalityBackend, N: Network, T: Timers + Send + Sync + 'static>
    EnvironmentT<Hash, BlockNumber> for VoterEnvironment<B, N, T>
{
    type Timer = Timer;
    type BestChain = futures::future::Ready<Result<Option<(Hash, BlockNumber)>, GrandpaError>>;
    type Id = AccountId;
    type Signature = Signature;
    type In = Incoming;
    type Out = Pin<Box<dyn Sink<Message, Error = GrandpaError> + Send>>;
    type Error = GrandpaError;

    fn best_chain_containing(&self, base: Hash) -> Self::BestChain {
        let best = self.best_votable(base);
        tracing::debug!(target: LOG_TARGET, %base, ?best, "best chain containing");
        futures::future::ready(Ok(best))
    }

    fn round_data(&self, round: u64) -> RoundData<AccountId, Timer, Incoming, Self::Out> {
        let worker = &self.worker;
        let gossip = worker.config.gossip_duration_ms;
        let (tx, rx) = mpsc::unbounded();
        tracing::trace!(target: LOG_TARGET, round, "round starts");
        {
            let mut routing = worker.routing();
            if round > routing.current_round {
                routing.current_round = round;
            }
            for message in routing.buffered.remove(&round).unwrap_or_default() {
                let _ = tx.unbounded_send(Ok(message));
            }
            routing.rounds.insert(round, tx);
            routing.prune();
        }
        let voter_id = worker
            .key
            .as_ref()
            .map(|k| k.public())
            .filter(|id| self.voters.contains(id));
        RoundData {
            voter_id,
            prevote_timer: timer(&*worker.timers, 2 * gossip),
            precommit_timer: timer(&*worker.timers, 4 * gossip),
            incoming: Box::pin(rx),
            outgoing: Box::pin(RoundOutgoing {
                worker: worker.clone(),
                set_id: self.set_id,
                round,
            }),
        }
    }

    fn round_commit_timer(&self) -> Timer {
        timer(&*self.worker.timers, self.worker.config.gossip_duration_ms)
    }

    fn proposed(&self, _: u64, _: PrimaryPropose<Hash, BlockNumber>) -> Result<(), GrandpaError> {
        // Recorded when sent (`GrandpaWorker::send_own`).
        Ok(())
    }

    fn prevoted(&self, _: u64, _: Prevote<Hash, BlockNumber>) -> Result<(), GrandpaError> {
        Ok(())
    }

    fn precommitted(&self, _: u64, _: Precommit<Hash, BlockNumber>) -> Result<(), GrandpaError> {
        Ok(())
    }

    fn completed(
        &self,
        round: u64,
        state: finality_grandpa::round::State<Hash, BlockNumber>,
        base: (Hash, BlockNumber),
        votes: &HistoricalVotes<Hash, BlockNumber, Signature, AccountId>,
    ) -> Result<(), GrandpaError> {
        tracing::debug!(target: LOG_TARGET, round, finalized = ?state.finalized, "round completed");
        let votes = votes.seen().to_vec();
        self.worker
            .update_state(|s| s.record_completed(round, base, votes));
        Ok(())
    }

    fn concluded(
        &self,
        _round: u64,
        _state: finality_grandpa::round::State<Hash, BlockNumber>,
        _base: (Hash, BlockNumber),
        _votes: &HistoricalVotes<Hash, BlockNumber, Signature, AccountId>,
    ) -> Result<(), GrandpaError> {
        Ok(())
    }

    fn finalize_block(
        &self,
        hash: Hash,
        number: BlockNumber,
        round: u64,
        commit: Commit,
    ) -> Result<(), GrandpaError> {
        let (_, finalized) = self.worker.backend.finalized();
        if number <= finalized {
            return Ok(());
        }
        let justification = match self.worker.justification(round, commit) {
            Ok(j) => j,
            Err(e) => {
                tracing::warn!(target: LOG_TARGET, number, %hash, error = %e, "cannot build justification");
                return Ok(());
            }
        };
        match self.worker.backend.finalize(hash, justification.encode()) {
            Ok(()) => {
                tracing::debug!(target: LOG_TARGET, number, %hash, round, "finalized");
                let moved = self
                    .worker
                    .backend
                    .authority_set(&hash)
                    .is_some_and(|(_, id)| id != self.set_id);
                if moved {
                    self.worker.routing().set_changed = true;
                }
            }
            Err(e) => {
                tracing::warn!(target: LOG_TARGET, number, %hash, error = %e, "finalizing failed");
            }
        }
        Ok(())
    }

    fn prevote_equivocation(
        &self,
        round: u64,
        equivocation: Equivocation<Prevote<Hash, BlockNumber>>,
    ) {
        tracing::warn!(target: LOG_TARGET, round, offender = %equivocation.identity, "prevote equivocation");
        self.worker
            .backend
            .report_equivocation(EquivocationProof::Prevote {
                set_id: self.set_id,
                round,
                equivocation,
            });
    }

    fn precommit_equivocation(
        &self,
        round: u64,
        equivocation: Equivocation<Precommit<Hash, BlockNumber>>,
    ) {
        tracing::warn!(target: LOG_TARGET, round, offender = %equivocation.identity, "precommit equivocation");
        self.worker
            .backend
            .report_equivocation(EquivocationProof::Precommit {
                set_id: self.set_id,
                round,
                equivocation,
            });
    }
}

impl<B: FinalityBackend, N: Network, T: Timers + Send + Sync + 'static> VoterEnvironment<B, N, T> {
    /// The best block containing `base` this set may vote for: never past a block that enacts
    /// the next voter set (that block is this set's last).
    fn best_votable(&self, base: Hash) -> Option<(Hash, BlockNumber)> {
        let backend = &self.worker.backend;
        let base_number = backend.header(&base)?.number;
        let (best, best_number) = backend.best_containing(&base)?;
        let mut target = (best, best_number);
        let mut current = backend.header(&best)?;
        while current.number > base_number {
            let changes_set = current.digest.logs.iter().any(|item| {
                matches!(
                    GrandpaLog::from_digest_item(item),
                    Some(GrandpaLog::ScheduledChange(_))
                )
            });
            if changes_set {
                target = (current.hash(), current.number);
            }
            current = backend.header(&current.parent_hash)?;
        }
        Some(target)
    }
}

fn timer<T: Timers + ?Sized>(timers: &T, ms: u64) -> Timer {
    Box::pin(timers.delay(ms).map(Ok))
}

/// The outgoing votes of one round.
struct RoundOutgoing<B: FinalityBackend, N: Network, T: Timers> {
    worker: Arc<GrandpaWorker<B, N, T>>,
    set_id: u64,
    round: u64,
}

impl<B: FinalityBackend, N: Network, T: Timers + Send + Sync + 'static> Sink<Message>
    for RoundOutgoing<B, N, T>
{
    type Error = GrandpaError;

    fn poll_ready(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), GrandpaError>> {
        Poll::Ready(Ok(()))
    }

    fn start_send(self: Pin<&mut Self>, message: Message) -> Result<(), GrandpaError> {
        self.worker.send_own(self.set_id, self.round, message);
        Ok(())
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), GrandpaError>> {
        Poll::Ready(Ok(()))
    }

    fn poll_close(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), GrandpaError>> {
        Poll::Ready(Ok(()))
    }
}

// The boxed sinks and streams are `Unpin`; the structs hold only `Arc`s and numbers.
impl<B: FinalityBackend, N: Network, T: Timers> Unpin for RoundOutgoing<B, N, T> {}

/// The voter's commits, gossiped.
struct GlobalOutgoing<B: FinalityBackend, N: Network, T: Timers> {
    worker: Arc<GrandpaWorker<B, N, T>>,
    set_id: u64,
}

impl<B: FinalityBackend, N: Network, T: Timers> Unpin for GlobalOutgoing<B, N, T> {}

impl<B: FinalityBackend, N: Network, T: Timers + Send + Sync + 'static>
    Sink<CommunicationOut<Hash, BlockNumber, Signature, AccountId>> for GlobalOutgoing<B, N, T>
{
    type Error = GrandpaError;

    fn poll_ready(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), GrandpaError>> {
        Poll::Ready(Ok(()))
    }

    fn start_send(
        self: Pin<&mut Self>,
        item: CommunicationOut<Hash, BlockNumber, Signature, AccountId>,
    ) -> Result<(), GrandpaError> {
        let CommunicationOut::Commit(round, commit) = item;
        if self.worker.key.is_none() {
            return Ok(());
        }
        self.worker.network.gossip(
            Topic::Grandpa,
            WireMessage::Commit {
                round,
                set_id: self.set_id,
                commit: commit.into(),
            }
            .to_bytes(),
        );
        Ok(())
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), GrandpaError>> {
        Poll::Ready(Ok(()))
    }

    fn poll_close(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), GrandpaError>> {
        Poll::Ready(Ok(()))
    }
}

// `BlockNumberOps` is implemented for `u64` by finality-grandpa.
const _: fn() = || {
    fn assert_ops<N: BlockNumberOps>() {}
    assert_ops::<BlockNumber>();
};

#[cfg(test)]
mod tests {
    use super::*;

    fn prevote(n: u8) -> Message {
        Message::Prevote(Prevote::new(Hash([n; 32]), u64::from(n)))
    }

    #[test]
    fn a_remembered_signature_covers_only_what_was_signed() {
        let alice = Pair::dev("Alice").public();
        let bob = Pair::dev("Bob").public();
        let sig = Signature([7; 64]);
        let key = VerifiedSignatures::key(&alice, &sig, 3, 0, &prevote(1));
        // Another voter, signature, round, set or message is another entry.
        for other in [
            VerifiedSignatures::key(&bob, &sig, 3, 0, &prevote(1)),
            VerifiedSignatures::key(&alice, &Signature([8; 64]), 3, 0, &prevote(1)),
            VerifiedSignatures::key(&alice, &sig, 4, 0, &prevote(1)),
            VerifiedSignatures::key(&alice, &sig, 3, 1, &prevote(1)),
            VerifiedSignatures::key(&alice, &sig, 3, 0, &prevote(2)),
        ] {
            assert_ne!(key, other);
        }
    }

    #[test]
    fn the_oldest_signatures_are_forgotten_first() {
        let mut verified = VerifiedSignatures::default();
        for i in 0..VERIFIED_SIGNATURES as u64 + 10 {
            verified.insert(ghost_primitives::blake3_256(&i.to_le_bytes()));
        }
        assert_eq!(verified.known.len(), VERIFIED_SIGNATURES);
        assert_eq!(verified.order.len(), VERIFIED_SIGNATURES);
        assert!(
            !verified
                .known
                .contains(&ghost_primitives::blake3_256(&0u64.to_le_bytes()))
        );
        assert!(verified.known.contains(&ghost_primitives::blake3_256(
            &(VERIFIED_SIGNATURES as u64 + 9).to_le_bytes()
        )));
    }
}
