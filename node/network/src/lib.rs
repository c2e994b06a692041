//! # GhostChain network
//!
//! The libp2p implementation of the consensus network seam ([`ghost_consensus::network`]):
//! what the simulator does in tests, this crate does between processes.
//!
//! - Transport: TCP with noise and yamux (QUIC is left out: it brings aws-lc and rustls, about a
//!   minute of build on two cores, for nothing a loopback or LAN testnet needs).
//! - Gossip: gossipsub, one topic per [`Topic`] named by the genesis hash
//!   ([`Topic::name`]), so two chains never mix; signed messages, `max_transmit_size` raised to
//!   the wire protocol's [`MAX_MESSAGE_SIZE`] (gossipsub's 64 KiB default is below a block).
//! - Direct messages (block requests and responses, catch-up): request-response on a
//!   length-prefixed codec with the same size limit, protocol name scoped by genesis hash.
//! - Discovery: kademlia in server mode (it stays in client mode on loopback otherwise),
//!   identify (a peer's listen addresses go into kademlia), ping.
//! - Reputation: [`Network::report`] lowers a peer's score; below [`BAN_THRESHOLD`] the peer is
//!   disconnected and banned for [`BAN_DURATION`], and refused if it reconnects meanwhile.
//! - Rate limit: a peer may send [`MAX_MESSAGES_PER_SECOND`] messages (gossip it authored plus
//!   direct ones) per second; each one beyond is dropped unread and costs it
//!   [`Reputation::FLOOD`], so a flood ends in a ban within a second or two.
//!
//! [`start`] builds the swarm and returns the [`NetworkService`] (the seam's sending side), the
//! receiver of [`NetworkEvent`]s for the consensus worker, and the task that drives the swarm.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::io;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use futures::channel::mpsc;
use futures::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, StreamExt};
use ghost_consensus::network::{Network, NetworkEvent, Reputation, Topic};
use ghost_consensus::protocol::MAX_MESSAGE_SIZE;
use ghost_primitives::Hash;
use libp2p::swarm::{NetworkBehaviour, SwarmEvent};
use libp2p::{
    Multiaddr, PeerId, StreamProtocol, Swarm, gossipsub, identify, identity, kad, noise, ping,
    request_response, tcp, yamux,
};

pub use libp2p::multiaddr::Protocol::P2p as PeerIdProtocol;
pub use libp2p::{Multiaddr as Address, PeerId as NetworkPeerId};

const LOG_TARGET: &str = "network";

/// Score below which a peer is disconnected and banned.
pub const BAN_THRESHOLD: i64 = -1_000;
/// How long a banned peer stays banned.
pub const BAN_DURATION: Duration = Duration::from_secs(60);
/// Messages a peer may send per second before the rest count as a flood. An honest peer sends
/// a few per slot (votes, announcements, transaction batches, sync requests one at a time).
pub const MAX_MESSAGES_PER_SECOND: u32 = 500;

/// Why the network could not start.
#[derive(Debug, thiserror::Error)]
pub enum NetworkError {
    /// The node key is not 32 bytes of hex.
    #[error("invalid node key: {0}")]
    NodeKey(String),
    /// libp2p refused the configuration.
    #[error("libp2p: {0}")]
    Libp2p(String),
    /// A listen address could not be bound.
    #[error("cannot listen on {address}: {reason}")]
    Listen {
        /// The address.
        address: Multiaddr,
        /// Why.
        reason: String,
    },
}

/// How the network starts.
#[derive(Clone, Debug)]
pub struct NetworkConfig {
    /// The chain (topics and protocol names are scoped by it).
    pub genesis_hash: Hash,
    /// The node's ed25519 secret (its peer id follows from it).
    pub node_key: [u8; 32],
    /// Where to listen (`/ip4/127.0.0.1/tcp/30333`).
    pub listen: Vec<Multiaddr>,
    /// Peers to dial at start, with their peer id (`/ip4/…/tcp/…/p2p/<peer id>`).
    pub bootnodes: Vec<Multiaddr>,
    /// Addresses to tell peers about besides the listen addresses (a node behind NAT).
    pub public_addresses: Vec<Multiaddr>,
    /// Only these peers may connect (with `reserved_only`), and they are dialed at start.
    pub reserved_nodes: Vec<Multiaddr>,
    /// Refuse every peer not in `reserved_nodes`.
    pub reserved_only: bool,
}

/// The peer id of the node with ed25519 secret `secret`.
pub fn peer_id_of(secret: [u8; 32]) -> Result<PeerId, NetworkError> {
    Ok(keypair(secret)?.public().to_peer_id())
}

fn keypair(secret: [u8; 32]) -> Result<identity::Keypair, NetworkError> {
    let mut bytes = secret;
    let secret = identity::ed25519::SecretKey::try_from_bytes(&mut bytes)
        .map_err(|e| NetworkError::NodeKey(e.to_string()))?;
    Ok(identity::Keypair::from(identity::ed25519::Keypair::from(
        secret,
    )))
}

/// Parses a node key given as 64 hex digits (optionally `0x`-prefixed).
pub fn parse_node_key(hex_key: &str) -> Result<[u8; 32], NetworkError> {
    let digits = hex_key.trim().trim_start_matches("0x");
    let bytes = hex::decode(digits).map_err(|e| NetworkError::NodeKey(e.to_string()))?;
    bytes
        .try_into()
        .map_err(|_| NetworkError::NodeKey("expected 32 bytes".into()))
}

/// The length-prefixed codec of direct messages: a request is one message, the response an
/// empty acknowledgement. Frames over [`MAX_MESSAGE_SIZE`] are refused unread.
#[derive(Clone, Default)]
pub struct DirectCodec;

async fn read_frame<T: AsyncRead + Unpin + Send>(io: &mut T) -> io::Result<Vec<u8>> {
    let mut len = [0u8; 4];
    io.read_exact(&mut len).await?;
    let len = u32::from_be_bytes(len) as usize;
    if len > MAX_MESSAGE_SIZE {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("frame of {len} bytes over the limit"),
        ));
    }
    let mut buf = vec![0u8; len];
    io.read_exact(&mut buf).await?;
    Ok(buf)
}

async fn write_frame<T: AsyncWrite + Unpin + Send>(io: &mut T, data: &[u8]) -> io::Result<()> {
    let len = u32::try_from(data.len())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "frame too large"))?;
    io.write_all(&len.to_be_bytes()).await?;
    io.write_all(data).await?;
    io.close().await
}

impl request_response::Codec for DirectCodec {
    type Protocol = StreamProtocol;
    type Request = Vec<u8>;
    type Response = ();

    async fn read_request<T>(&mut self, _: &StreamProtocol, io: &mut T) -> io::Result<Vec<u8>>
    where
        T: AsyncRead + Unpin + Send,
    {
        read_frame(io).await
    }

    async fn read_response<T>(&mut self, _: &StreamProtocol, io: &mut T) -> io::Result<()>
    where
        T: AsyncRead + Unpin + Send,
    {
        let mut ack = [0u8; 1];
        io.read_exact(&mut ack).await
    }

    async fn write_request<T>(
        &mut self,
        _: &StreamProtocol,
        io: &mut T,
        request: Vec<u8>,
    ) -> io::Result<()>
    where
        T: AsyncWrite + Unpin + Send,
    {
        write_frame(io, &request).await
    }

    async fn write_response<T>(&mut self, _: &StreamProtocol, io: &mut T, _: ()) -> io::Result<()>
    where
        T: AsyncWrite + Unpin + Send,
    {
        io.write_all(&[1]).await?;
        io.close().await
    }
}

/// The libp2p behaviours of a node.
#[derive(NetworkBehaviour)]
struct Behaviour {
    gossipsub: gossipsub::Behaviour,
    direct: request_response::Behaviour<DirectCodec>,
    kad: kad::Behaviour<kad::store::MemoryStore>,
    identify: identify::Behaviour,
    ping: ping::Behaviour,
}

enum Command {
    Gossip(Topic, Vec<u8>),
    Send(PeerId, Vec<u8>),
    Report(PeerId, Reputation),
}

/// What the network knows about its peers, shared with [`NetworkService`].
#[derive(Default)]
struct Peers {
    connected: BTreeSet<PeerId>,
    scores: BTreeMap<PeerId, i64>,
    banned: BTreeMap<PeerId, Instant>,
    /// Messages per peer per second.
    rates: RateLimiter,
    /// Bytes in and out, for the metrics.
    bytes_in: u64,
    bytes_out: u64,
}

/// Per-peer message counts in one-second windows ([`MAX_MESSAGES_PER_SECOND`]).
#[derive(Default)]
struct RateLimiter {
    /// Per peer: the start of its current window and the messages in it.
    windows: BTreeMap<PeerId, (Instant, u32)>,
}

impl RateLimiter {
    /// Peers tracked before windows that ended are dropped (gossip authors need not be peers).
    const MAX_TRACKED: usize = 1_024;

    /// Counts a message from `peer` at `now`; `false` once its window holds more than
    /// [`MAX_MESSAGES_PER_SECOND`].
    fn allow(&mut self, peer: PeerId, now: Instant) -> bool {
        let second = Duration::from_secs(1);
        if self.windows.len() >= Self::MAX_TRACKED {
            self.windows
                .retain(|_, (start, _)| now.saturating_duration_since(*start) < second);
        }
        let (start, count) = self.windows.entry(peer).or_insert((now, 0));
        if now.saturating_duration_since(*start) >= second {
            *start = now;
            *count = 0;
        }
        *count = count.saturating_add(1);
        *count <= MAX_MESSAGES_PER_SECOND
    }

    /// Drops `peer`'s window (it was banned).
    fn forget(&mut self, peer: &PeerId) {
        self.windows.remove(peer);
    }
}

/// The seam's sending side over libp2p.
pub struct NetworkService {
    local_peer_id: PeerId,
    commands: mpsc::UnboundedSender<Command>,
    peers: Arc<Mutex<Peers>>,
}

impl NetworkService {
    /// This node's peer id.
    pub fn local_peer_id(&self) -> PeerId {
        self.local_peer_id
    }

    fn peers_state(&self) -> MutexGuard<'_, Peers> {
        self.peers.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// How many peers are connected.
    pub fn peer_count(&self) -> usize {
        self.peers_state().connected.len()
    }

    /// Peers banned now.
    pub fn banned(&self) -> Vec<PeerId> {
        let now = Instant::now();
        self.peers_state()
            .banned
            .iter()
            .filter(|(_, until)| **until > now)
            .map(|(peer, _)| *peer)
            .collect()
    }

    /// Bytes received and sent by gossip and direct messages.
    pub fn traffic(&self) -> (u64, u64) {
        let peers = self.peers_state();
        (peers.bytes_in, peers.bytes_out)
    }
}

impl Network for NetworkService {
    type Peer = PeerId;

    fn gossip(&self, topic: Topic, bytes: Vec<u8>) {
        let _ = self.commands.unbounded_send(Command::Gossip(topic, bytes));
    }

    fn send(&self, peer: &PeerId, bytes: Vec<u8>) {
        let _ = self.commands.unbounded_send(Command::Send(*peer, bytes));
    }

    fn report(&self, peer: &PeerId, change: Reputation) {
        let _ = self.commands.unbounded_send(Command::Report(*peer, change));
    }

    fn peers(&self) -> Vec<PeerId> {
        self.peers_state().connected.iter().copied().collect()
    }
}

/// A started network: the service, the events for the consensus worker, and the task that
/// drives the swarm (spawn it; dropping it stops the network).
pub struct StartedNetwork {
    /// The seam's sending side.
    pub service: Arc<NetworkService>,
    /// What arrives from peers.
    pub events: mpsc::UnboundedReceiver<NetworkEvent<PeerId>>,
    /// The swarm's event loop.
    pub task: std::pin::Pin<Box<dyn Future<Output = ()> + Send>>,
    /// The addresses it listens on, once bound (`/ip4/…/tcp/…`).
    pub listen_addresses: Vec<Multiaddr>,
}

/// The peer id at the end of `address` (`…/p2p/<peer id>`), if any.
pub fn peer_of_address(address: &Multiaddr) -> Option<PeerId> {
    address.iter().find_map(|p| match p {
        libp2p::multiaddr::Protocol::P2p(peer) => Some(peer),
        _ => None,
    })
}

/// Builds the swarm, binds the listen addresses and dials the bootnodes.
pub async fn start(config: NetworkConfig) -> Result<StartedNetwork, NetworkError> {
    let key = keypair(config.node_key)?;
    let local_peer_id = key.public().to_peer_id();
    let genesis = config.genesis_hash;
    let gossip_config = gossipsub::ConfigBuilder::default()
        .max_transmit_size(MAX_MESSAGE_SIZE)
        .validation_mode(gossipsub::ValidationMode::Strict)
        .heartbeat_interval(Duration::from_millis(500))
        .build()
        .map_err(|e| NetworkError::Libp2p(e.to_string()))?;
    let direct_protocol = StreamProtocol::try_from_owned(format!("/ghostchain/{genesis}/direct/1"))
        .map_err(|e| NetworkError::Libp2p(e.to_string()))?;
    let kad_protocol = StreamProtocol::try_from_owned(format!("/ghostchain/{genesis}/kad/1"))
        .map_err(|e| NetworkError::Libp2p(e.to_string()))?;
    let mut swarm: Swarm<Behaviour> = libp2p::SwarmBuilder::with_existing_identity(key)
        .with_tokio()
        .with_tcp(
            tcp::Config::default().nodelay(true),
            noise::Config::new,
            yamux::Config::default,
        )
        .map_err(|e| NetworkError::Libp2p(e.to_string()))?
        .with_behaviour(|key| {
            let gossipsub = gossipsub::Behaviour::new(
                gossipsub::MessageAuthenticity::Signed(key.clone()),
                gossip_config,
            )?;
            let direct = request_response::Behaviour::with_codec(
                DirectCodec,
                [(direct_protocol, request_response::ProtocolSupport::Full)],
                request_response::Config::default()
                    .with_request_timeout(Duration::from_secs(10))
                    .with_max_concurrent_streams(256),
            );
            let peer_id = key.public().to_peer_id();
            let mut kad = kad::Behaviour::with_config(
                peer_id,
                kad::store::MemoryStore::new(peer_id),
                kad::Config::new(kad_protocol),
            );
            kad.set_mode(Some(kad::Mode::Server));
            let identify = identify::Behaviour::new(identify::Config::new(
                "/ghostchain/1".into(),
                key.public(),
            ));
            Ok(Behaviour {
                gossipsub,
                direct,
                kad,
                identify,
                ping: ping::Behaviour::default(),
            })
        })
        .map_err(|e| NetworkError::Libp2p(e.to_string()))?
        .with_swarm_config(|c| c.with_idle_connection_timeout(Duration::from_secs(120)))
        .build();

    let mut topics = BTreeMap::new();
    for topic in Topic::ALL {
        let ident = gossipsub::IdentTopic::new(topic.name(&genesis));
        swarm
            .behaviour_mut()
            .gossipsub
            .subscribe(&ident)
            .map_err(|e| NetworkError::Libp2p(e.to_string()))?;
        topics.insert(ident.hash(), topic);
    }
    for address in &config.listen {
        swarm
            .listen_on(address.clone())
            .map_err(|e| NetworkError::Listen {
                address: address.clone(),
                reason: e.to_string(),
            })?;
    }
    for address in &config.public_addresses {
        swarm.add_external_address(address.clone());
    }
    // Wait for the listeners to bind, so the caller can print where it listens.
    let mut listen_addresses = Vec::new();
    while listen_addresses.len() < config.listen.len() {
        match swarm.select_next_some().await {
            SwarmEvent::NewListenAddr { address, .. } => listen_addresses.push(address),
            SwarmEvent::ListenerError { error, .. } => {
                return Err(NetworkError::Listen {
                    address: config.listen[listen_addresses.len()].clone(),
                    reason: error.to_string(),
                });
            }
            _ => {}
        }
    }
    let reserved: BTreeSet<PeerId> = config
        .reserved_nodes
        .iter()
        .filter_map(peer_of_address)
        .collect();
    for address in config.bootnodes.iter().chain(&config.reserved_nodes) {
        if let Some(peer) = peer_of_address(address) {
            if peer == local_peer_id {
                continue;
            }
            swarm
                .behaviour_mut()
                .kad
                .add_address(&peer, address.clone());
        }
        if let Err(e) = swarm.dial(address.clone()) {
            tracing::warn!(target: LOG_TARGET, %address, error = %e, "cannot dial");
        }
    }
    let (commands_tx, commands_rx) = mpsc::unbounded();
    let (events_tx, events_rx) = mpsc::unbounded();
    let peers = Arc::new(Mutex::new(Peers::default()));
    let service = Arc::new(NetworkService {
        local_peer_id,
        commands: commands_tx,
        peers: peers.clone(),
    });
    tracing::info!(target: LOG_TARGET, %local_peer_id, addresses = ?listen_addresses, "🏷  local node identity");
    let task = Box::pin(run(
        swarm,
        Driver {
            topics,
            genesis,
            events: events_tx,
            peers,
            reserved,
            reserved_only: config.reserved_only,
        },
        commands_rx,
    ));
    Ok(StartedNetwork {
        service,
        events: events_rx,
        task,
        listen_addresses,
    })
}

struct Driver {
    topics: BTreeMap<gossipsub::TopicHash, Topic>,
    genesis: Hash,
    events: mpsc::UnboundedSender<NetworkEvent<PeerId>>,
    peers: Arc<Mutex<Peers>>,
    reserved: BTreeSet<PeerId>,
    reserved_only: bool,
}

impl Driver {
    fn peers(&self) -> MutexGuard<'_, Peers> {
        self.peers.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn is_banned(&self, peer: &PeerId) -> bool {
        self.peers()
            .banned
            .get(peer)
            .is_some_and(|until| *until > Instant::now())
    }

    /// Counts one message from `peer`; `false` if it is over the rate limit.
    fn within_rate(&self, peer: PeerId) -> bool {
        self.peers().rates.allow(peer, Instant::now())
    }
}

async fn run(
    mut swarm: Swarm<Behaviour>,
    driver: Driver,
    mut commands: mpsc::UnboundedReceiver<Command>,
) {
    let mut bootstrap = tokio::time::interval(Duration::from_secs(30));
    loop {
        tokio::select! {
            command = commands.next() => {
                let Some(command) = command else { return };
                handle_command(&mut swarm, &driver, command);
            }
            event = swarm.select_next_some() => handle_swarm_event(&mut swarm, &driver, event),
            _ = bootstrap.tick() => {
                // Nothing to bootstrap from is fine (a lone node).
                let _ = swarm.behaviour_mut().kad.bootstrap();
            }
        }
    }
}

fn handle_command(swarm: &mut Swarm<Behaviour>, driver: &Driver, command: Command) {
    match command {
        Command::Gossip(topic, bytes) => {
            let len = bytes.len() as u64;
            let ident = gossipsub::IdentTopic::new(topic.name(&driver.genesis));
            match swarm.behaviour_mut().gossipsub.publish(ident, bytes) {
                Ok(_) => driver.peers().bytes_out += len,
                // No peer yet, or the same bytes again within the duplicate window.
                Err(e) => {
                    tracing::trace!(target: LOG_TARGET, ?topic, error = %e, "gossip not sent")
                }
            }
        }
        Command::Send(peer, bytes) => {
            driver.peers().bytes_out += bytes.len() as u64;
            swarm.behaviour_mut().direct.send_request(&peer, bytes);
        }
        Command::Report(peer, change) => report(swarm, driver, peer, change),
    }
}

/// Changes `peer`'s score; below [`BAN_THRESHOLD`] it is banned and disconnected.
fn report(swarm: &mut Swarm<Behaviour>, driver: &Driver, peer: PeerId, change: Reputation) {
    let banned = {
        let mut peers = driver.peers();
        let score = peers.scores.entry(peer).or_insert(0);
        *score = score.saturating_add(i64::from(change.value));
        let banned = *score < BAN_THRESHOLD;
        if banned {
            peers.scores.remove(&peer);
            peers.rates.forget(&peer);
            peers.banned.insert(peer, Instant::now() + BAN_DURATION);
        }
        banned
    };
    if change.value < 0 {
        tracing::debug!(target: LOG_TARGET, %peer, reason = change.reason, "peer misbehaved");
    }
    if banned {
        tracing::info!(target: LOG_TARGET, %peer, reason = change.reason, "banning peer for {} s", BAN_DURATION.as_secs());
        let _ = swarm.disconnect_peer_id(peer);
    }
}

fn handle_swarm_event(
    swarm: &mut Swarm<Behaviour>,
    driver: &Driver,
    event: SwarmEvent<BehaviourEvent>,
) {
    match event {
        SwarmEvent::ConnectionEstablished {
            peer_id,
            num_established,
            ..
        } => {
            let refused = driver.is_banned(&peer_id)
                || (driver.reserved_only && !driver.reserved.contains(&peer_id));
            if refused {
                tracing::debug!(target: LOG_TARGET, %peer_id, "refusing banned or non-reserved peer");
                let _ = swarm.disconnect_peer_id(peer_id);
                return;
            }
            if num_established.get() == 1 {
                driver.peers().connected.insert(peer_id);
                let _ = driver
                    .events
                    .unbounded_send(NetworkEvent::Connected(peer_id));
            }
        }
        SwarmEvent::ConnectionClosed {
            peer_id,
            num_established: 0,
            ..
        } if driver.peers().connected.remove(&peer_id) => {
            let _ = driver
                .events
                .unbounded_send(NetworkEvent::Disconnected(peer_id));
        }
        SwarmEvent::Behaviour(BehaviourEvent::Gossipsub(gossipsub::Event::Message {
            propagation_source,
            message,
            ..
        })) => {
            let Some(topic) = driver.topics.get(&message.topic).copied() else {
                return;
            };
            if driver.is_banned(&propagation_source) {
                return;
            }
            // Counted against its author (gossip is signed), not the honest peer relaying it.
            let author = message.source.unwrap_or(propagation_source);
            if !driver.within_rate(author) {
                report(swarm, driver, author, Reputation::FLOOD);
                return;
            }
            // Ask the origin for what an announcement names if it is a peer; else the relay.
            let from = message
                .source
                .filter(|source| driver.peers().connected.contains(source))
                .unwrap_or(propagation_source);
            driver.peers().bytes_in += message.data.len() as u64;
            let _ = driver.events.unbounded_send(NetworkEvent::Message {
                from,
                topic: Some(topic),
                bytes: message.data,
            });
        }
        SwarmEvent::Behaviour(BehaviourEvent::Direct(request_response::Event::Message {
            peer,
            message:
                request_response::Message::Request {
                    request, channel, ..
                },
            ..
        })) => {
            let _ = swarm.behaviour_mut().direct.send_response(channel, ());
            if driver.is_banned(&peer) {
                return;
            }
            if !driver.within_rate(peer) {
                report(swarm, driver, peer, Reputation::FLOOD);
                return;
            }
            driver.peers().bytes_in += request.len() as u64;
            let _ = driver.events.unbounded_send(NetworkEvent::Message {
                from: peer,
                topic: None,
                bytes: request,
            });
        }
        SwarmEvent::Behaviour(BehaviourEvent::Direct(
            request_response::Event::InboundFailure { peer, error, .. },
        )) => {
            // An oversized or broken frame.
            tracing::debug!(target: LOG_TARGET, %peer, %error, "inbound direct message failed");
        }
        SwarmEvent::Behaviour(BehaviourEvent::Identify(identify::Event::Received {
            peer_id,
            info,
            ..
        })) => {
            for address in info.listen_addrs {
                swarm.behaviour_mut().kad.add_address(&peer_id, address);
            }
        }
        SwarmEvent::IncomingConnectionError { error, .. } => {
            tracing::trace!(target: LOG_TARGET, %error, "incoming connection failed");
        }
        SwarmEvent::OutgoingConnectionError { peer_id, error, .. } => {
            tracing::debug!(target: LOG_TARGET, ?peer_id, %error, "dial failed");
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(secret: u8, bootnodes: Vec<Multiaddr>) -> NetworkConfig {
        NetworkConfig {
            genesis_hash: Hash([1; 32]),
            node_key: [secret; 32],
            listen: vec!["/ip4/127.0.0.1/tcp/0".parse().unwrap()],
            bootnodes,
            public_addresses: vec![],
            reserved_nodes: vec![],
            reserved_only: false,
        }
    }

    async fn next_message(
        events: &mut mpsc::UnboundedReceiver<NetworkEvent<PeerId>>,
    ) -> (PeerId, Option<Topic>, Vec<u8>) {
        loop {
            match tokio::time::timeout(Duration::from_secs(20), events.next()).await {
                Ok(Some(NetworkEvent::Message { from, topic, bytes })) => {
                    return (from, topic, bytes);
                }
                Ok(Some(_)) => continue,
                Ok(None) => panic!("network stopped"),
                Err(_) => panic!("no message within 20 s"),
            }
        }
    }

    #[test]
    fn a_peer_over_the_rate_limit_is_refused_until_its_window_ends() {
        let mut limiter = RateLimiter::default();
        let (flooder, honest) = (peer_id_of([1; 32]).unwrap(), peer_id_of([2; 32]).unwrap());
        let start = Instant::now();
        for _ in 0..MAX_MESSAGES_PER_SECOND {
            assert!(limiter.allow(flooder, start));
        }
        assert!(!limiter.allow(flooder, start + Duration::from_millis(999)));
        // Another peer has a window of its own.
        assert!(limiter.allow(honest, start + Duration::from_millis(999)));
        // A new second, a new allowance.
        assert!(limiter.allow(flooder, start + Duration::from_secs(1)));
        limiter.forget(&flooder);
        assert!(!limiter.windows.contains_key(&flooder));
    }

    #[test]
    fn the_limiter_forgets_ended_windows_when_it_tracks_many_peers() {
        let mut limiter = RateLimiter::default();
        let start = Instant::now();
        for i in 0..RateLimiter::MAX_TRACKED as u32 {
            let mut secret = [0u8; 32];
            secret[..4].copy_from_slice(&i.to_be_bytes());
            secret[31] = 1;
            assert!(limiter.allow(peer_id_of(secret).unwrap(), start));
        }
        assert_eq!(limiter.windows.len(), RateLimiter::MAX_TRACKED);
        let late = start + Duration::from_secs(2);
        assert!(limiter.allow(peer_id_of([9; 32]).unwrap(), late));
        assert_eq!(limiter.windows.len(), 1);
    }

    #[test]
    fn node_keys_parse_and_give_stable_peer_ids() {
        let key = parse_node_key(&"11".repeat(32)).unwrap();
        assert_eq!(key, [0x11; 32]);
        assert_eq!(peer_id_of(key).unwrap(), peer_id_of([0x11; 32]).unwrap());
        assert_ne!(peer_id_of(key).unwrap(), peer_id_of([0x12; 32]).unwrap());
        assert!(parse_node_key("abcd").is_err());
        assert!(parse_node_key("zz").is_err());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn two_nodes_gossip_and_send_directly() {
        let a = start(config(1, vec![])).await.unwrap();
        let a_addr = a.listen_addresses[0]
            .clone()
            .with(libp2p::multiaddr::Protocol::P2p(a.service.local_peer_id()));
        let b = start(config(2, vec![a_addr])).await.unwrap();
        let (a_service, mut a_events) = (a.service.clone(), a.events);
        let (b_service, mut b_events) = (b.service.clone(), b.events);
        tokio::spawn(a.task);
        tokio::spawn(b.task);
        // Direct messages need only the connection.
        loop {
            match tokio::time::timeout(Duration::from_secs(20), a_events.next()).await {
                Ok(Some(NetworkEvent::Connected(peer))) => {
                    assert_eq!(peer, b_service.local_peer_id());
                    break;
                }
                Ok(Some(_)) => {}
                _ => panic!("b did not connect to a"),
            }
        }
        a_service.send(&b_service.local_peer_id(), vec![7; 100_000]);
        let (from, topic, bytes) = next_message(&mut b_events).await;
        assert_eq!(
            (from, topic, bytes.len()),
            (a_service.local_peer_id(), None, 100_000)
        );
        // Gossip needs the mesh: retry until b's subscription is known to a.
        let deadline = Instant::now() + Duration::from_secs(20);
        let big = vec![9u8; 200_000];
        loop {
            a_service.gossip(Topic::Blocks, big.clone());
            match tokio::time::timeout(Duration::from_millis(500), b_events.next()).await {
                Ok(Some(NetworkEvent::Message { topic, bytes, .. })) => {
                    assert_eq!(topic, Some(Topic::Blocks));
                    assert_eq!(bytes.len(), big.len(), "over gossipsub's 64 KiB default");
                    break;
                }
                _ if Instant::now() < deadline => continue,
                _ => panic!("gossip never arrived"),
            }
        }
        // Misbehaviour bans: a's reports push b below the threshold and disconnect it.
        for _ in 0..20 {
            a_service.report(&b_service.local_peer_id(), Reputation::BAD_BLOCK);
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while a_service.peer_count() > 0 && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(a_service.peer_count(), 0, "banned peer still connected");
        assert_eq!(a_service.banned(), vec![b_service.local_peer_id()]);
    }
}
