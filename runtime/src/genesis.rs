//! The genesis state and block, built from the chain spec's `genesis` section.

use ghost_primitives::merkle::ordered_root;
use ghost_primitives::{Digest, Hash, Header};
use ghost_support::ext::EmptyBackend;
use ghost_support::{Ext, with_externalities};
use ghost_trie::TrieHash;

use crate::{Runtime, balances, domains, ens_bridge, sudo, system, validators};

/// The genesis configuration of every pallet.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RuntimeGenesisConfig {
    /// System pallet.
    #[serde(default)]
    pub system: system::GenesisConfig,
    /// Balances pallet.
    #[serde(default)]
    pub balances: balances::GenesisConfig,
    /// Domains pallet.
    #[serde(default)]
    pub domains: domains::GenesisConfig,
    /// Validators pallet: the first authority set and the session length.
    pub validators: validators::GenesisConfig,
    /// Sudo pallet: the key that may dispatch as root, if any.
    #[serde(default)]
    pub sudo: sudo::GenesisConfig,
    /// ENS bridge: oracles, threshold, parameters (no oracles: the bridge is off).
    #[serde(default)]
    pub ens_bridge: ens_bridge::GenesisConfig,
}

/// The genesis block and its state.
pub struct GenesisBlock {
    /// Block 0's header (its hash is the chain's genesis hash).
    pub header: Header,
    /// Every trie node of the genesis state.
    pub state_nodes: Vec<(TrieHash, Vec<u8>)>,
    /// How many trie positions hold each node (the reference counts a pruning store starts
    /// from; see [`ghost_trie::build_counted`]).
    pub state_refs: Vec<ghost_trie::RefChange>,
}

/// Why a genesis config is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GenesisError {
    /// The balances section is invalid.
    #[error("balances genesis: {0}")]
    Balances(#[from] balances::GenesisError),
    /// The domains section is invalid.
    #[error("domains genesis: {0}")]
    Domains(#[from] domains::GenesisError),
    /// The validators section is invalid.
    #[error("validators genesis: {0}")]
    Validators(#[from] validators::GenesisError),
    /// The ENS bridge section is invalid.
    #[error("ens bridge genesis: {0}")]
    EnsBridge(#[from] ens_bridge::GenesisError),
}

impl RuntimeGenesisConfig {
    /// Builds the genesis state and header.
    pub fn build(&self) -> Result<GenesisBlock, GenesisError> {
        Ok(GenesisBlock::from_storage(
            self.storage()?,
            self.system.timestamp_ms,
        ))
    }

    /// The genesis state as storage key/value pairs (what `build-spec --raw` prints and the
    /// genesis state root is computed from).
    pub fn storage(&self) -> Result<RawStorage, GenesisError> {
        let mut ext = Ext::new(EmptyBackend);
        with_externalities(&mut ext, || -> Result<(), GenesisError> {
            self.system.build();
            self.balances.build::<Runtime>()?;
            self.domains.build()?;
            self.validators.build::<Runtime>()?;
            self.sudo.build();
            self.ens_bridge.build::<Runtime>()?;
            Ok(())
        })?;
        Ok(ext
            .into_changes()
            .into_iter()
            .filter_map(|(k, v)| v.map(|v| (k, v)))
            .collect())
    }
}

/// Genesis storage: key to value, sorted by key.
pub type RawStorage = std::collections::BTreeMap<Vec<u8>, Vec<u8>>;

impl GenesisBlock {
    /// The genesis block whose state is exactly `storage` and whose header carries
    /// `timestamp_ms`.
    pub fn from_storage(storage: RawStorage, timestamp_ms: u64) -> GenesisBlock {
        let ghost_trie::StateUpdate {
            root,
            nodes: state_nodes,
            refs: state_refs,
        } = ghost_trie::build_counted(storage);
        let header = Header {
            parent_hash: Hash::ZERO,
            number: 0,
            state_root: Hash(root),
            extrinsics_root: ordered_root(std::iter::empty()),
            timestamp_ms,
            digest: Digest::default(),
        };
        GenesisBlock {
            header,
            state_nodes,
            state_refs,
        }
    }
}
