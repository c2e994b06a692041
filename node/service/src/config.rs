//! What a node is told to do: chain, paths, ports, sealing.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use ghost_primitives::Pair;
use ghost_runtime::chain_spec::ChainSpec;

/// When the dev author seals blocks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sealing {
    /// A block as soon as transactions are ready (`--dev` default).
    Instant,
    /// A block every interval, empty or not (`--sealing interval:<ms>`).
    Interval(Duration),
    /// Aura: a block in each slot this node's key owns (`--sealing aura`; the default off
    /// `--dev`).
    Aura,
}

impl std::str::FromStr for Sealing {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "instant" => return Ok(Sealing::Instant),
            "aura" => return Ok(Sealing::Aura),
            _ => {}
        }
        let ms = s.strip_prefix("interval:").ok_or_else(|| {
            format!("sealing must be `instant`, `aura` or `interval:<ms>`, not `{s}`")
        })?;
        let ms: u64 = ms
            .parse()
            .map_err(|_| format!("`{ms}` is not a number of milliseconds"))?;
        if ms == 0 {
            return Err("the sealing interval must be positive".into());
        }
        Ok(Sealing::Interval(Duration::from_millis(ms)))
    }
}

/// Which RPC methods are served.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RpcMethods {
    /// Everything but the unsafe methods (default).
    Safe,
    /// Also `author_removeExtrinsic` and other operator methods.
    Unsafe,
}

impl std::str::FromStr for RpcMethods {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "safe" | "auto" => Ok(RpcMethods::Safe),
            "unsafe" => Ok(RpcMethods::Unsafe),
            other => Err(format!(
                "rpc methods must be `safe` or `unsafe`, not `{other}`"
            )),
        }
    }
}

/// JSON-RPC server limits.
#[derive(Clone, Debug)]
pub struct RpcConfig {
    /// Where to listen (127.0.0.1:9944 by default).
    pub addr: SocketAddr,
    /// Which methods.
    pub methods: RpcMethods,
    /// Largest request body (bytes).
    pub max_request_size: u32,
    /// Largest response body (bytes).
    pub max_response_size: u32,
    /// Concurrent connections.
    pub max_connections: u32,
    /// Subscriptions per connection.
    pub max_subscriptions_per_connection: u32,
}

impl Default for RpcConfig {
    fn default() -> Self {
        RpcConfig {
            addr: SocketAddr::from(([127, 0, 0, 1], 9944)),
            methods: RpcMethods::Safe,
            max_request_size: 15 * 1024 * 1024,
            max_response_size: 15 * 1024 * 1024,
            max_connections: 100,
            max_subscriptions_per_connection: 1024,
        }
    }
}

/// GhostBridge inside the node.
#[derive(Clone)]
pub struct BridgeNodeConfig {
    /// What to serve (gRPC, DNS, best or finalized state).
    pub bridge: ghost_bridge::BridgeConfig,
    /// The account that pays for signed record updates relayed from gRPC; `None` (the default
    /// off dev chains) answers updates with `FAILED_PRECONDITION`.
    pub relayer: Option<Pair>,
}

impl std::fmt::Debug for BridgeNodeConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BridgeNodeConfig")
            .field("grpc_addr", &self.bridge.grpc_addr)
            .field("dns_addr", &self.bridge.dns_addr)
            .field("finalized", &self.bridge.finalized)
            .field("relayer", &self.relayer.as_ref().map(Pair::public))
            .finish()
    }
}

impl Default for BridgeNodeConfig {
    /// gRPC on 127.0.0.1:50051, DNS on 127.0.0.1:5335, best state, relayer `//Ferdie`.
    fn default() -> Self {
        BridgeNodeConfig {
            bridge: ghost_bridge::BridgeConfig::default(),
            relayer: Some(Pair::dev("Ferdie")),
        }
    }
}

/// Everything a node needs to start.
#[derive(Clone, Debug)]
pub struct NodeConfig {
    /// The chain.
    pub chain_spec: ChainSpec,
    /// Where the database lives; `None` means a temporary directory removed on exit.
    pub base_path: Option<PathBuf>,
    /// The node's name (`system_name` reports the implementation; this is for logs).
    pub name: String,
    /// The authoring key, if this node validates.
    pub validator_key: Option<Pair>,
    /// Block sealing for dev chains.
    pub sealing: Sealing,
    /// Finalize every block at once (dev chains, until GRANDPA lands).
    pub instant_finality: bool,
    /// JSON-RPC.
    pub rpc: RpcConfig,
    /// Prometheus endpoint, if any (127.0.0.1:9615 by default).
    pub prometheus_addr: Option<SocketAddr>,
    /// How often the informant logs (0 = never).
    pub informant_interval: Duration,
    /// GhostBridge (gRPC + DNS), on unless `None` (`--no-bridge`).
    pub bridge: Option<BridgeNodeConfig>,
    /// The p2p network; `None` for a node on its own (`--dev`). With it, the node authors in its
    /// Aura slots and finalizes with GRANDPA through the consensus worker.
    pub network: Option<NetworkSettings>,
    /// How much state the database keeps (`--state-pruning`; archive for `--dev`).
    pub state_pruning: ghost_storage::StatePruning,
    /// Bytes of trie nodes kept in memory in front of RocksDB (`--trie-cache-size`, in MiB).
    pub trie_cache_size: usize,
}

/// How a node with an empty database catches up (`--sync`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SyncMode {
    /// Every block from genesis, executed (the default).
    #[default]
    Full,
    /// A recent finalized block proven from genesis by the voter-set changes, and its state;
    /// blocks below it are not downloaded ([`crate::warp_sync`]). A database that holds blocks
    /// already syncs in full.
    Warp,
}

impl std::str::FromStr for SyncMode {
    type Err = String;

    /// `full` or `warp`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "full" => Ok(SyncMode::Full),
            "warp" => Ok(SyncMode::Warp),
            other => Err(format!("sync mode must be `full` or `warp`, not `{other}`")),
        }
    }
}

/// The p2p network of a node (libp2p; see `ghost_network`).
#[derive(Clone, Debug)]
pub struct NetworkSettings {
    /// Where to listen (`/ip4/127.0.0.1/tcp/30333`).
    pub listen: Vec<ghost_network::Address>,
    /// Peers to dial at start (`/ip4/…/tcp/…/p2p/<peer id>`).
    pub bootnodes: Vec<ghost_network::Address>,
    /// The node key; `None`: the one in `<base path>/network/secret_ed25519`, made on first
    /// start.
    pub node_key: Option<[u8; 32]>,
    /// Addresses to announce besides the listen addresses.
    pub public_addresses: Vec<ghost_network::Address>,
    /// Peers always dialed and, with `reserved_only`, the only ones allowed.
    pub reserved_nodes: Vec<ghost_network::Address>,
    /// Refuse every peer not in `reserved_nodes`.
    pub reserved_only: bool,
    /// How a new node catches up with its peers (`--sync`).
    pub sync: SyncMode,
}

impl Default for NetworkSettings {
    /// Listen on 127.0.0.1:30333, no bootnodes, the key in the base path.
    fn default() -> Self {
        NetworkSettings {
            listen: vec!["/ip4/127.0.0.1/tcp/30333".parse().expect("valid multiaddr")],
            bootnodes: Vec::new(),
            node_key: None,
            public_addresses: Vec::new(),
            reserved_nodes: Vec::new(),
            reserved_only: false,
            sync: SyncMode::Full,
        }
    }
}

impl NodeConfig {
    /// A `--dev` configuration: Alice validates, instant sealing and finality, temporary state.
    pub fn dev() -> NodeConfig {
        NodeConfig {
            chain_spec: ChainSpec::dev(),
            base_path: None,
            name: "ghost-dev".into(),
            validator_key: Some(Pair::dev("Alice")),
            sealing: Sealing::Instant,
            instant_finality: true,
            rpc: RpcConfig::default(),
            prometheus_addr: Some(SocketAddr::from(([127, 0, 0, 1], 9615))),
            informant_interval: Duration::from_secs(5),
            bridge: Some(BridgeNodeConfig::default()),
            network: None,
            state_pruning: ghost_storage::StatePruning::Archive,
            trie_cache_size: ghost_storage::DEFAULT_NODE_CACHE,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealing_parses_instant_and_interval() {
        assert_eq!("instant".parse::<Sealing>(), Ok(Sealing::Instant));
        assert_eq!(
            "interval:250".parse::<Sealing>(),
            Ok(Sealing::Interval(Duration::from_millis(250)))
        );
        assert!("interval:0".parse::<Sealing>().is_err());
        assert!("interval:x".parse::<Sealing>().is_err());
        assert!("sometimes".parse::<Sealing>().is_err());
    }

    #[test]
    fn sync_mode_parses_full_and_warp() {
        assert_eq!("full".parse::<SyncMode>(), Ok(SyncMode::Full));
        assert_eq!("warp".parse::<SyncMode>(), Ok(SyncMode::Warp));
        assert!("fast".parse::<SyncMode>().is_err());
    }

    #[test]
    fn rpc_methods_parse() {
        assert_eq!("unsafe".parse::<RpcMethods>(), Ok(RpcMethods::Unsafe));
        assert!("open".parse::<RpcMethods>().is_err());
    }
}
