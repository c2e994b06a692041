//! Chain specs: which chain a node runs, as JSON (`ghostchain build-spec`).
//!
//! A spec names the chain, gives the slot duration, and holds the runtime's genesis config,
//! whose `validators` section is the first authority set (in genesis *state*, so the genesis
//! hash commits to it) and whose `sudo` key may change it. `dev` is one validator (Alice) with
//! instant sealing; `solo` is Alice alone authoring in Aura slots; `local` is Alice, Bob and
//! Charlie. All fund the six dev accounts and make Alice the sudo key, and make Dave, Eve and
//! Ferdie ENS oracles with threshold two, so a node plus three `ens-oracle` processes is a
//! complete bridge. Any other spec is loaded from a JSON file.

use ghost_primitives::crypto::{DEV_ACCOUNTS, Pair};
use ghost_primitives::{AccountId, Balance};
use serde::{Deserialize, Serialize};

use crate::balances::FeeSchedule;
use crate::domains::DomainParams;
use crate::genesis::{GenesisBlock, GenesisError, RuntimeGenesisConfig};
use crate::{GHOST, TREASURY, balances, domains, ens_bridge, sudo, system, validators};

/// What kind of chain this is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChainType {
    /// One node, instant sealing, throwaway state.
    Development,
    /// Several validators on one machine.
    Local,
    /// A real network.
    Live,
}

/// Token and display properties (`system_properties`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Properties {
    /// Token symbol.
    pub token_symbol: String,
    /// Token decimals.
    pub token_decimals: u8,
    /// Address prefix.
    pub address_prefix: String,
}

impl Default for Properties {
    fn default() -> Self {
        Properties {
            token_symbol: "GHOST".into(),
            token_decimals: 12,
            address_prefix: "ghost".into(),
        }
    }
}

/// Consensus parameters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConsensusSpec {
    /// Length of a slot in ms.
    pub slot_duration_ms: u64,
}

/// A chain spec.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ChainSpec {
    /// Human-readable name (`system_chain`).
    pub name: String,
    /// Short id (`dev`, `local`).
    pub id: String,
    /// Kind of chain.
    pub chain_type: ChainType,
    /// Token properties.
    #[serde(default)]
    pub properties: Properties,
    /// Consensus parameters.
    pub consensus: ConsensusSpec,
    /// The runtime's genesis config.
    pub genesis: RuntimeGenesisConfig,
}

/// Why a chain spec could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ChainSpecError {
    /// Not valid JSON or not a chain spec.
    #[error("invalid chain spec: {0}")]
    Json(#[from] serde_json::Error),
    /// The file could not be read.
    #[error("cannot read chain spec {path}: {source}")]
    Io {
        /// The path.
        path: String,
        /// The error.
        source: std::io::Error,
    },
    /// No validators or a zero slot duration.
    #[error("chain spec needs at least one validator and a positive slot duration")]
    NoAuthorities,
}

/// Each dev account's endowment: one million GHOST.
pub const DEV_ENDOWMENT: Balance = 1_000_000 * GHOST;

/// Domain parameters of the dev and local chains: no commitment needed, registrations from one
/// second, ten seconds of grace, so tests see expiry and release in seconds. Prices as in
/// production.
pub fn dev_domain_params() -> DomainParams {
    DomainParams {
        min_commitment_age_ms: 0,
        max_commitment_age_ms: 24 * 60 * 60 * 1000,
        min_registration_ms: 1_000,
        grace_period_ms: 10_000,
        ..DomainParams::default()
    }
}

/// Blocks per session on the built-in chains: validator-set changes take effect at multiples.
pub const DEV_SESSION_LENGTH: u64 = 20;

/// The ENS oracles of the built-in chains: Dave, Eve and Ferdie, two of whom must agree.
/// (Not Alice or Bob, so that an oracle process and a user of those keys never race for nonces.)
pub const DEV_ENS_ORACLES: [&str; 3] = ["Dave", "Eve", "Ferdie"];

fn dev_ens_bridge() -> ens_bridge::GenesisConfig {
    ens_bridge::GenesisConfig {
        oracles: DEV_ENS_ORACLES
            .iter()
            .map(|name| Pair::dev(name).public())
            .collect(),
        threshold: 2,
        params: ens_bridge::BridgeParams::default(),
    }
}

/// Second-level labels the dev and local chains reserve besides `ns` and `hostmaster` (which
/// every chain reserves): the RFC 2142 role mailboxes' names, so that `abuse.ghost` and friends
/// stay with the chain's operators.
pub fn dev_reserved_names() -> Vec<String> {
    ["abuse", "postmaster", "webmaster", "admin", "root"]
        .map(String::from)
        .to_vec()
}

fn dev_genesis(chain_id: &str, validators: &[&str], slot_duration_ms: u64) -> RuntimeGenesisConfig {
    let mut balances: Vec<(AccountId, Balance)> = DEV_ACCOUNTS
        .iter()
        .map(|name| (Pair::dev(name).public(), DEV_ENDOWMENT))
        .collect();
    balances.push((TREASURY, GHOST));
    RuntimeGenesisConfig {
        system: system::GenesisConfig {
            timestamp_ms: 0,
            chain_id: chain_id.into(),
        },
        balances: balances::GenesisConfig {
            balances,
            fees: FeeSchedule::default(),
        },
        domains: domains::GenesisConfig {
            tlds: vec!["ghost".into(), "bc".into()],
            params: dev_domain_params(),
            reserved: dev_reserved_names(),
        },
        validators: validators::GenesisConfig {
            validators: validators.iter().map(|n| Pair::dev(n).public()).collect(),
            session_length: DEV_SESSION_LENGTH,
            slot_duration_ms,
        },
        sudo: sudo::GenesisConfig {
            key: Some(Pair::dev("Alice").public()),
        },
        ens_bridge: dev_ens_bridge(),
    }
}

impl ChainSpec {
    /// The development chain: Alice validates alone.
    pub fn dev() -> ChainSpec {
        ChainSpec {
            name: "Development".into(),
            id: "dev".into(),
            chain_type: ChainType::Development,
            properties: Properties::default(),
            // 1 ms slots: instant sealing gives every block its own slot (slots must increase).
            consensus: ConsensusSpec {
                slot_duration_ms: 1,
            },
            genesis: dev_genesis("dev", &["Alice"], 1),
        }
    }

    /// One authority (Alice) authoring in her Aura slots and finalizing alone, as a
    /// multi-validator chain does, without the dev chain's instant sealing.
    pub fn solo() -> ChainSpec {
        ChainSpec {
            name: "Solo".into(),
            id: "solo".into(),
            chain_type: ChainType::Local,
            properties: Properties::default(),
            consensus: ConsensusSpec {
                slot_duration_ms: 500,
            },
            genesis: dev_genesis("solo", &["Alice"], 500),
        }
    }

    /// A local testnet: Alice, Bob and Charlie validate.
    pub fn local() -> ChainSpec {
        ChainSpec {
            name: "Local Testnet".into(),
            id: "local".into(),
            chain_type: ChainType::Local,
            properties: Properties::default(),
            consensus: ConsensusSpec {
                slot_duration_ms: 500,
            },
            genesis: dev_genesis("local", &["Alice", "Bob", "Charlie"], 500),
        }
    }

    /// The genesis validator set (the authority set of block 1; later sets live in state).
    pub fn genesis_authorities(&self) -> &[AccountId] {
        &self.genesis.validators.validators
    }

    /// `dev`, `solo`, `local`, or a path to a JSON spec.
    pub fn load(name_or_path: &str) -> Result<ChainSpec, ChainSpecError> {
        let spec = match name_or_path {
            "dev" => ChainSpec::dev(),
            "solo" => ChainSpec::solo(),
            "local" => ChainSpec::local(),
            path => {
                let bytes = std::fs::read(path).map_err(|source| ChainSpecError::Io {
                    path: path.into(),
                    source,
                })?;
                ChainSpec::from_json(&bytes)?
            }
        };
        Ok(spec)
    }

    /// The genesis block and state of this spec: its `genesis` section, with the validators
    /// pallet told the slot duration of the `consensus` section (which wins if they differ).
    pub fn build_genesis(&self) -> Result<GenesisBlock, GenesisError> {
        let mut genesis = self.genesis.clone();
        genesis.validators.slot_duration_ms = self.consensus.slot_duration_ms;
        genesis.build()
    }

    /// Parses and checks a JSON spec.
    pub fn from_json(bytes: &[u8]) -> Result<ChainSpec, ChainSpecError> {
        let mut spec: ChainSpec = serde_json::from_slice(bytes)?;
        spec.genesis.validators.slot_duration_ms = spec.consensus.slot_duration_ms;
        if spec.genesis_authorities().is_empty() || spec.consensus.slot_duration_ms == 0 {
            return Err(ChainSpecError::NoAuthorities);
        }
        Ok(spec)
    }

    /// The spec as pretty JSON.
    pub fn to_json(&self) -> String {
        // A ChainSpec holds only strings, numbers and lists: serialization cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dev_spec_round_trips_through_json_and_gives_one_genesis() {
        let spec = ChainSpec::dev();
        let json = spec.to_json();
        let parsed = ChainSpec::from_json(json.as_bytes()).unwrap();
        let a = spec.genesis.build().unwrap();
        let b = parsed.genesis.build().unwrap();
        assert_eq!(a.header.hash(), b.header.hash());
        let local = ChainSpec::local().genesis.build().unwrap();
        assert_ne!(
            a.header.hash(),
            local.header.hash(),
            "chain ids separate the genesis hashes"
        );
    }

    #[test]
    fn the_dev_chain_reserves_the_soa_names_and_its_list() {
        let genesis = ChainSpec::dev().genesis.build().unwrap();
        let mut store = ghost_trie::MemoryNodeStore::default();
        store.insert_nodes(genesis.state_nodes);
        let availability = |name: &str| {
            let name = ghost_primitives::DomainName::parse(name).unwrap();
            crate::api::availability(&store, &genesis.header, &name, None).unwrap()
        };
        for reserved in ["ns.ghost", "hostmaster.bc", "abuse.ghost", "postmaster.bc"] {
            let answer = availability(reserved);
            assert!(!answer.available, "{reserved}");
            assert_eq!(answer.reason.as_deref(), Some("reserved"), "{reserved}");
        }
        assert!(availability("alice.ghost").available);
    }

    #[test]
    fn unknown_fields_and_empty_authorities_are_refused() {
        let mut value: serde_json::Value =
            serde_json::from_str(&ChainSpec::dev().to_json()).unwrap();
        value["bogus"] = serde_json::json!(1);
        assert!(ChainSpec::from_json(value.to_string().as_bytes()).is_err());
        let mut spec = ChainSpec::dev();
        spec.genesis.validators.validators.clear();
        assert!(matches!(
            ChainSpec::from_json(spec.to_json().as_bytes()),
            Err(ChainSpecError::NoAuthorities)
        ));
    }
}
