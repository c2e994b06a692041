//! A deterministic simulation of time and of the network, for running whole validator sets in
//! one process: a run is a function of its seed.
//!
//! - [`Simulation`] is a single-threaded executor with a virtual clock. Futures are polled in
//!   the order they were woken; when none is ready, time jumps to the next scheduled event (a
//!   timer, a message delivery). Nothing reads the system clock or spawns a thread.
//! - [`SimTimers`] is the seam's [`Timers`] on that clock; [`SimNetwork`] the seam's
//!   [`Network`] for one node: every message is delivered after a seeded latency plus jitter,
//!   or lost, or duplicated, or held back by a partition, as the [`LinkConfig`] says. A node
//!   that is [`down`](Simulation::stop_node) receives nothing, and its tasks are dropped.
//!
//! Randomness is a SplitMix64 stream from the seed, drawn only from inside the executor, so
//! the same seed gives the same schedule, the same messages and the same chain.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

use futures::channel::mpsc;
use futures::task::ArcWake;

use crate::network::{Delay, Network, NetworkEvent, Reputation, Timers, Topic};

/// A seeded pseudo-random stream (SplitMix64): small, fast, and the same on every machine.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// The stream of `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..bound` (0 if `bound` is 0).
    pub fn below(&mut self, bound: u64) -> u64 {
        if bound == 0 {
            0
        } else {
            self.next_u64() % bound
        }
    }

    /// `true` with probability `per_mille / 1000`.
    pub fn chance(&mut self, per_mille: u32) -> bool {
        self.below(1000) < u64::from(per_mille)
    }
}

/// How messages travel between two nodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LinkConfig {
    /// The least delivery time (ms).
    pub latency_ms: u64,
    /// Up to this much more, uniformly (ms); unequal delays reorder messages.
    pub jitter_ms: u64,
    /// Chance, in thousandths, that a message is lost.
    pub loss_per_mille: u32,
    /// Chance, in thousandths, that a message arrives twice.
    pub duplicate_per_mille: u32,
}

impl Default for LinkConfig {
    fn default() -> Self {
        LinkConfig {
            latency_ms: 20,
            jitter_ms: 30,
            loss_per_mille: 0,
            duplicate_per_mille: 0,
        }
    }
}

type Task = Pin<Box<dyn Future<Output = ()>>>;
type Event = Box<dyn FnOnce(&mut Scheduler) + Send>;

/// Scheduled events and the random stream: what tasks reach through [`SimTimers`] and
/// [`SimNetwork`].
pub struct Scheduler {
    now_ms: u64,
    sequence: u64,
    events: BinaryHeap<Reverse<(u64, u64)>>,
    payloads: BTreeMap<u64, Event>,
    /// The simulation's randomness.
    pub rng: Rng,
    nodes: Vec<NodeSlot>,
    link: LinkConfig,
    /// Node pairs that cannot reach each other (a partition), as `(lower, higher)` index.
    cut: BTreeSet<(usize, usize)>,
    /// Reputation changes reported, per `(reporter, peer)`.
    reports: BTreeMap<(usize, usize), Vec<Reputation>>,
    delivered: u64,
    dropped: u64,
}

struct NodeSlot {
    inbox: Option<mpsc::UnboundedSender<NetworkEvent<usize>>>,
}

impl Scheduler {
    /// Virtual time now (ms).
    pub fn now_ms(&self) -> u64 {
        self.now_ms
    }

    /// Runs `event` at `at_ms` (or now, if that is past).
    pub fn schedule(&mut self, at_ms: u64, event: impl FnOnce(&mut Scheduler) + Send + 'static) {
        let at = at_ms.max(self.now_ms);
        let sequence = self.sequence;
        self.sequence += 1;
        self.events.push(Reverse((at, sequence)));
        self.payloads.insert(sequence, Box::new(event));
    }

    fn reachable(&self, from: usize, to: usize) -> bool {
        from != to
            && self.nodes.get(to).is_some_and(|n| n.inbox.is_some())
            && self.nodes.get(from).is_some_and(|n| n.inbox.is_some())
            && !self.cut.contains(&(from.min(to), from.max(to)))
    }

    /// Sends `bytes` from `from` to `to` over a link: maybe lost, delayed, duplicated.
    fn transmit(&mut self, from: usize, to: usize, topic: Option<Topic>, bytes: Vec<u8>) {
        if !self.reachable(from, to) {
            self.dropped += 1;
            return;
        }
        if self.rng.chance(self.link.loss_per_mille) {
            self.dropped += 1;
            return;
        }
        let copies = if self.rng.chance(self.link.duplicate_per_mille) {
            2
        } else {
            1
        };
        for _ in 0..copies {
            let delay = self.link.latency_ms + self.rng.below(self.link.jitter_ms + 1);
            let bytes = bytes.clone();
            self.schedule(self.now_ms + delay, move |s| {
                // A partition or a crash while in flight loses the message.
                if !s.reachable(from, to) {
                    s.dropped += 1;
                    return;
                }
                if let Some(inbox) = &s.nodes[to].inbox {
                    s.delivered += 1;
                    let _ = inbox.unbounded_send(NetworkEvent::Message { from, topic, bytes });
                }
            });
        }
    }

    fn peers_of(&self, node: usize) -> Vec<usize> {
        (0..self.nodes.len())
            .filter(|&other| self.reachable(node, other))
            .collect()
    }
}

struct Shared {
    scheduler: Mutex<Scheduler>,
    ready: Mutex<VecDeque<u64>>,
}

impl Shared {
    fn scheduler(&self) -> MutexGuard<'_, Scheduler> {
        self.scheduler.lock().unwrap_or_else(|e| e.into_inner())
    }
}

struct TaskWaker {
    id: u64,
    shared: Arc<Shared>,
}

impl ArcWake for TaskWaker {
    fn wake_by_ref(arc_self: &Arc<Self>) {
        let mut ready = arc_self
            .shared
            .ready
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if !ready.contains(&arc_self.id) {
            ready.push_back(arc_self.id);
        }
    }
}

/// The simulated world: executor, clock and network (see the [module docs](self)).
pub struct Simulation {
    shared: Arc<Shared>,
    tasks: BTreeMap<u64, (Option<usize>, Task)>,
    next_task: u64,
}

impl Simulation {
    /// A world of `nodes` nodes (all down until [`Simulation::start_node`]), starting at
    /// `start_ms`, with links as `link` says and randomness from `seed`.
    pub fn new(seed: u64, nodes: usize, start_ms: u64, link: LinkConfig) -> Simulation {
        let scheduler = Scheduler {
            now_ms: start_ms,
            sequence: 0,
            events: BinaryHeap::new(),
            payloads: BTreeMap::new(),
            rng: Rng::new(seed),
            nodes: (0..nodes).map(|_| NodeSlot { inbox: None }).collect(),
            link,
            cut: BTreeSet::new(),
            reports: BTreeMap::new(),
            delivered: 0,
            dropped: 0,
        };
        Simulation {
            shared: Arc::new(Shared {
                scheduler: Mutex::new(scheduler),
                ready: Mutex::new(VecDeque::new()),
            }),
            tasks: BTreeMap::new(),
            next_task: 0,
        }
    }

    /// Virtual time now (ms).
    pub fn now_ms(&self) -> u64 {
        self.shared.scheduler().now_ms
    }

    /// Runs `f` with the scheduler (to draw randomness, schedule an event).
    pub fn with_scheduler<R>(&self, f: impl FnOnce(&mut Scheduler) -> R) -> R {
        f(&mut self.shared.scheduler())
    }

    /// The timers of this world.
    pub fn timers(&self) -> Arc<SimTimers> {
        Arc::new(SimTimers {
            shared: self.shared.clone(),
        })
    }

    /// Brings node `node` up: returns its network handle and the receiver of what arrives for
    /// it. Connected peers hear `Connected`.
    pub fn start_node(
        &mut self,
        node: usize,
    ) -> (
        Arc<SimNetwork>,
        mpsc::UnboundedReceiver<NetworkEvent<usize>>,
    ) {
        let (tx, rx) = mpsc::unbounded();
        let mut s = self.shared.scheduler();
        s.nodes[node].inbox = Some(tx);
        for peer in s.peers_of(node) {
            if let Some(inbox) = &s.nodes[peer].inbox {
                let _ = inbox.unbounded_send(NetworkEvent::Connected(node));
            }
            if let Some(inbox) = &s.nodes[node].inbox {
                let _ = inbox.unbounded_send(NetworkEvent::Connected(peer));
            }
        }
        drop(s);
        (
            Arc::new(SimNetwork {
                node,
                shared: self.shared.clone(),
            }),
            rx,
        )
    }

    /// Takes node `node` down (a crash): its tasks are dropped, messages to it are lost, its
    /// peers hear `Disconnected`.
    pub fn stop_node(&mut self, node: usize) {
        self.tasks.retain(|_, (owner, _)| *owner != Some(node));
        let mut s = self.shared.scheduler();
        let peers = s.peers_of(node);
        s.nodes[node].inbox = None;
        for peer in peers {
            if let Some(inbox) = &s.nodes[peer].inbox {
                let _ = inbox.unbounded_send(NetworkEvent::Disconnected(node));
            }
        }
    }

    /// Cuts the links between `side` and every other node (both directions).
    pub fn partition(&mut self, side: &[usize]) {
        let mut s = self.shared.scheduler();
        let n = s.nodes.len();
        for &a in side {
            for b in 0..n {
                if !side.contains(&b) {
                    s.cut.insert((a.min(b), a.max(b)));
                }
            }
        }
    }

    /// Restores every link.
    pub fn heal(&mut self) {
        let mut s = self.shared.scheduler();
        s.cut.clear();
    }

    /// What node `reporter` reported about `peer`.
    pub fn reports(&self, reporter: usize, peer: usize) -> Vec<Reputation> {
        self.shared
            .scheduler()
            .reports
            .get(&(reporter, peer))
            .cloned()
            .unwrap_or_default()
    }

    /// Messages delivered and dropped so far.
    pub fn message_counts(&self) -> (u64, u64) {
        let s = self.shared.scheduler();
        (s.delivered, s.dropped)
    }

    /// Runs `task` on behalf of `node` (dropped when the node stops), or of the world
    /// (`None`). Its logs carry the node's index (span `node{id=…}`).
    pub fn spawn(&mut self, node: Option<usize>, task: impl Future<Output = ()> + 'static) {
        use tracing::Instrument;
        let id = self.next_task;
        self.next_task += 1;
        let task = task.instrument(tracing::debug_span!("node", id = node));
        self.tasks.insert(id, (node, Box::pin(task)));
        self.shared
            .ready
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push_back(id);
    }

    fn poll_ready(&mut self) -> bool {
        let mut polled = false;
        loop {
            let next = self
                .shared
                .ready
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .pop_front();
            let Some(id) = next else {
                return polled;
            };
            let Some((_, task)) = self.tasks.get_mut(&id) else {
                continue;
            };
            polled = true;
            let waker = futures::task::waker(Arc::new(TaskWaker {
                id,
                shared: self.shared.clone(),
            }));
            let mut cx = Context::from_waker(&waker);
            if task.as_mut().poll(&mut cx).is_ready() {
                self.tasks.remove(&id);
            }
        }
    }

    /// Runs every task and event up to virtual time `until_ms`, then stops there.
    pub fn run_until(&mut self, until_ms: u64) {
        loop {
            self.poll_ready();
            let event = {
                let mut s = self.shared.scheduler();
                match s.events.peek() {
                    Some(Reverse((at, _))) if *at <= until_ms => {
                        let Reverse((at, sequence)) = s.events.pop().expect("peeked");
                        s.now_ms = s.now_ms.max(at);
                        s.payloads.remove(&sequence)
                    }
                    _ => {
                        s.now_ms = s.now_ms.max(until_ms);
                        None
                    }
                }
            };
            match event {
                Some(event) => {
                    let mut s = self.shared.scheduler();
                    event(&mut s);
                }
                None => {
                    // Nothing scheduled before `until_ms`: done once nothing is ready either.
                    if self
                        .shared
                        .ready
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .is_empty()
                    {
                        return;
                    }
                }
            }
        }
    }

    /// Runs for `ms` more milliseconds of virtual time.
    pub fn run_for(&mut self, ms: u64) {
        let until = self.now_ms() + ms;
        self.run_until(until);
    }
}

/// The seam's timers on the simulation's clock.
pub struct SimTimers {
    shared: Arc<Shared>,
}

impl crate::Clock for SimTimers {
    fn now_ms(&self) -> u64 {
        self.shared.scheduler().now_ms
    }
}

struct TimerState {
    fired: bool,
    waker: Option<Waker>,
}

struct SimDelay {
    state: Arc<Mutex<TimerState>>,
}

impl Future for SimDelay {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if state.fired {
            Poll::Ready(())
        } else {
            state.waker = Some(cx.waker().clone());
            Poll::Pending
        }
    }
}

impl Timers for SimTimers {
    fn delay(&self, ms: u64) -> Delay {
        let state = Arc::new(Mutex::new(TimerState {
            fired: false,
            waker: None,
        }));
        let timer = state.clone();
        let mut s = self.shared.scheduler();
        let at = s.now_ms.saturating_add(ms);
        s.schedule(at, move |_| {
            let mut state = timer.lock().unwrap_or_else(|e| e.into_inner());
            state.fired = true;
            if let Some(waker) = state.waker.take() {
                waker.wake();
            }
        });
        Box::pin(SimDelay { state })
    }
}

/// The seam's network for one simulated node (peers are node indices).
pub struct SimNetwork {
    node: usize,
    shared: Arc<Shared>,
}

impl SimNetwork {
    /// This node's index.
    pub fn node(&self) -> usize {
        self.node
    }
}

impl Network for SimNetwork {
    type Peer = usize;

    fn gossip(&self, topic: Topic, bytes: Vec<u8>) {
        let mut s = self.shared.scheduler();
        for peer in 0..s.nodes.len() {
            if peer != self.node {
                s.transmit(self.node, peer, Some(topic), bytes.clone());
            }
        }
    }

    fn send(&self, peer: &usize, bytes: Vec<u8>) {
        self.shared
            .scheduler()
            .transmit(self.node, *peer, None, bytes);
    }

    fn report(&self, peer: &usize, change: Reputation) {
        self.shared
            .scheduler()
            .reports
            .entry((self.node, *peer))
            .or_default()
            .push(change);
    }

    fn peers(&self) -> Vec<usize> {
        self.shared.scheduler().peers_of(self.node)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Clock;
    use futures::StreamExt;

    #[test]
    fn timers_fire_in_virtual_time_order() {
        let mut sim = Simulation::new(1, 0, 1_000, LinkConfig::default());
        let timers = sim.timers();
        let log = Arc::new(Mutex::new(Vec::new()));
        for (name, ms) in [("late", 300u64), ("early", 100), ("mid", 200)] {
            let timers = timers.clone();
            let log = log.clone();
            sim.spawn(None, async move {
                timers.delay(ms).await;
                log.lock().unwrap().push((name, timers.now_ms()));
            });
        }
        sim.run_for(250);
        assert_eq!(*log.lock().unwrap(), vec![("early", 1_100), ("mid", 1_200)]);
        assert_eq!(sim.now_ms(), 1_250);
        sim.run_for(1_000);
        assert_eq!(log.lock().unwrap().len(), 3);
    }

    /// Deliveries as (virtual time, receiving node, bytes).
    type Deliveries = Vec<(u64, usize, Vec<u8>)>;

    fn run_echo(seed: u64, link: LinkConfig) -> (Deliveries, (u64, u64)) {
        let mut sim = Simulation::new(seed, 3, 0, link);
        let timers = sim.timers();
        let (net0, _rx0) = sim.start_node(0);
        let (_net1, mut rx1) = sim.start_node(1);
        let (_net2, mut rx2) = sim.start_node(2);
        let log = Arc::new(Mutex::new(Vec::new()));
        for (me, mut rx) in [
            (1usize, std::mem::replace(&mut rx1, mpsc::unbounded().1)),
            (2, std::mem::replace(&mut rx2, mpsc::unbounded().1)),
        ] {
            let log = log.clone();
            let timers = timers.clone();
            sim.spawn(Some(me), async move {
                while let Some(event) = rx.next().await {
                    if let NetworkEvent::Message { bytes, .. } = event {
                        log.lock().unwrap().push((timers.now_ms(), me, bytes));
                    }
                }
            });
        }
        for i in 0..50u8 {
            net0.gossip(Topic::Blocks, vec![i]);
        }
        sim.run_for(10_000);
        let counts = sim.message_counts();
        let log = log.lock().unwrap().clone();
        (log, counts)
    }

    #[test]
    fn a_seed_replays_exactly_and_links_lose_and_duplicate() {
        let link = LinkConfig {
            latency_ms: 10,
            jitter_ms: 50,
            loss_per_mille: 200,
            duplicate_per_mille: 200,
        };
        let (a, counts) = run_echo(7, link);
        let (b, _) = run_echo(7, link);
        let (c, _) = run_echo(8, link);
        assert_eq!(a, b, "same seed, same deliveries");
        assert_ne!(a, c, "another seed, another schedule");
        let (delivered, dropped) = counts;
        assert!(dropped > 0 && delivered > 0);
        // Jitter reorders: node 1 does not see 0..50 in order.
        let order: Vec<u8> = a
            .iter()
            .filter(|(_, n, _)| *n == 1)
            .map(|(_, _, b)| b[0])
            .collect();
        let mut sorted = order.clone();
        sorted.sort();
        assert_ne!(order, sorted);
        // Duplicates: some message arrives twice at one node.
        let mut seen = BTreeSet::new();
        assert!(a.iter().any(|(_, n, b)| !seen.insert((*n, b.clone()))));
    }

    #[test]
    fn partitions_and_crashes_stop_messages() {
        let mut sim = Simulation::new(3, 3, 0, LinkConfig::default());
        let (net0, _rx0) = sim.start_node(0);
        let (_net1, mut rx1) = sim.start_node(1);
        let (_net2, mut rx2) = sim.start_node(2);
        assert_eq!(net0.peers(), vec![1, 2]);
        sim.partition(&[0]);
        assert!(net0.peers().is_empty());
        net0.send(&1, vec![1]);
        sim.run_for(1_000);
        sim.heal();
        sim.stop_node(2);
        assert_eq!(net0.peers(), vec![1]);
        net0.gossip(Topic::Grandpa, vec![2]);
        sim.run_for(1_000);
        let mut got1 = Vec::new();
        while let Ok(event) = rx1.try_recv() {
            if let NetworkEvent::Message { bytes, topic, .. } = event {
                got1.push((topic, bytes));
            }
        }
        assert_eq!(got1, vec![(Some(Topic::Grandpa), vec![2])]);
        let mut got2 = Vec::new();
        while let Ok(event) = rx2.try_recv() {
            if let NetworkEvent::Message { bytes, .. } = event {
                got2.push(bytes);
            }
        }
        assert!(got2.is_empty());
    }
}
