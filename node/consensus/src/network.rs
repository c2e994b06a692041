//! The network seam: how consensus, import and the pool reach other nodes.
//!
//! Everything above the seam (the node's consensus worker, the GRANDPA environment) talks to the
//! outside through three small traits, implemented twice: over libp2p by `node/network`, and by
//! the seeded simulator in [`crate::sim`] for tests.
//!
//! - [`Clock`](crate::Clock) + [`Timers`]: the time and the delays that drive slots and GRANDPA
//!   rounds.
//! - [`Network`]: gossip to every peer on a [`Topic`], send to one peer, lower a peer's standing;
//!   what arrives comes back as [`NetworkEvent`]s on the receiver the implementation hands out.
//! - The wire format: [`crate::protocol::WireMessage`], SCALE-encoded with size limits, the same
//!   bytes on both implementations (requests and their responses are messages with an id).

use std::fmt::Debug;
use std::future::Future;
use std::pin::Pin;

/// A future a timer resolves when its delay is over.
pub type Delay = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// Delays measured on the seam's clock.
pub trait Timers: crate::Clock {
    /// Resolves `ms` milliseconds from now (on this clock).
    fn delay(&self, ms: u64) -> Delay;
}

/// A gossip topic. On libp2p each is scoped by the genesis hash, so two chains never mix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Topic {
    /// New best blocks (headers; bodies are fetched by request).
    Blocks,
    /// Transactions for the pool.
    Transactions,
    /// GRANDPA votes and commits.
    Grandpa,
}

impl Topic {
    /// Every topic.
    pub const ALL: [Topic; 3] = [Topic::Blocks, Topic::Transactions, Topic::Grandpa];

    /// The topic's name on the wire for the chain with `genesis_hash` (hex).
    pub fn name(&self, genesis_hash: &ghost_primitives::Hash) -> String {
        let kind = match self {
            Topic::Blocks => "blocks",
            Topic::Transactions => "transactions",
            Topic::Grandpa => "grandpa",
        };
        format!("/ghostchain/{genesis_hash}/{kind}/1")
    }
}

/// How much a peer's behaviour costs it. Peers whose standing falls below the implementation's
/// threshold are disconnected and banned for a while.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reputation {
    /// The change (negative for misbehaviour).
    pub value: i32,
    /// Why, for the logs.
    pub reason: &'static str,
}

impl Reputation {
    /// Bytes that do not decode, or a message over its size limit.
    pub const MALFORMED: Reputation = Reputation {
        value: -100,
        reason: "malformed message",
    };
    /// A block that fails import (bad seal, wrong author, bad state root, …).
    pub const BAD_BLOCK: Reputation = Reputation {
        value: -200,
        reason: "invalid block",
    };
    /// A vote or commit with a bad signature or from a non-voter.
    pub const BAD_VOTE: Reputation = Reputation {
        value: -100,
        reason: "invalid GRANDPA message",
    };
    /// A peer of another chain or an incompatible runtime.
    pub const WRONG_CHAIN: Reputation = Reputation {
        value: i32::MIN / 2,
        reason: "another chain",
    };
    /// A message beyond the per-peer rate limit (dropped unread).
    pub const FLOOD: Reputation = Reputation {
        value: -20,
        reason: "message flood",
    };
    /// A message that was useful.
    pub const USEFUL: Reputation = Reputation {
        value: 1,
        reason: "useful message",
    };
}

/// What the network delivers to the node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NetworkEvent<P> {
    /// A peer connected (and passed the transport's handshake).
    Connected(P),
    /// A peer went away.
    Disconnected(P),
    /// Bytes from a peer: a gossip message on `topic`, or a direct one (`topic: None`).
    Message {
        /// Who sent it.
        from: P,
        /// The gossip topic, or `None` for a direct message.
        topic: Option<Topic>,
        /// The SCALE [`crate::protocol::WireMessage`].
        bytes: Vec<u8>,
    },
}

/// Sending side of the network, as consensus sees it.
pub trait Network: Send + Sync + 'static {
    /// A peer's identity (a libp2p `PeerId`, a simulator index).
    type Peer: Clone + Ord + Debug + Send + Sync + 'static;

    /// Sends `bytes` to every connected peer subscribed to `topic`.
    fn gossip(&self, topic: Topic, bytes: Vec<u8>);

    /// Sends `bytes` to `peer` alone (requests and their responses).
    fn send(&self, peer: &Self::Peer, bytes: Vec<u8>);

    /// Changes `peer`'s standing.
    fn report(&self, peer: &Self::Peer, change: Reputation);

    /// The connected peers, in a stable order.
    fn peers(&self) -> Vec<Self::Peer>;
}
