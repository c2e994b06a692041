//! Chain specs: which chain a node runs, as JSON (`ghostchain build-spec`).
//!
//! A spec names the chain, gives the slot duration, and holds the runtime's genesis config,
//! whose `validators` section is the first authority set (in genesis *state*, so the genesis
//! hash commits to it) and whose `sudo` key may change it. `dev` is one validator (Alice) with
//! instant sealing; `solo` is Alice alone authoring in Aura slots; `local` is Alice, Bob and
//! Charlie. All fund the six dev accounts and make Alice the sudo key, and make Dave, Eve and
//! Ferdie ENS oracles with threshold two, so a node plus three `ens-oracle` processes is a
//! complete bridge. Any other spec is loaded from a JSON file.
//!
//! A *raw* spec (`build-spec --raw`) replaces the `genesis` config by the genesis state itself,
//! `"genesis": {"raw": {"top": {"0x<key>": "0x<value>"}}}`: the exact storage the genesis state
//! root is computed from, so two operators can compare what they start from byte for byte.

use std::collections::BTreeMap;

use ghost_primitives::bytes::{decode_hex, encode_hex};
use ghost_primitives::crypto::{DEV_ACCOUNTS, Pair};
use ghost_primitives::{AccountId, Balance};
use ghost_support::storage::StorageValue;
use serde::{Deserialize, Serialize};

use crate::balances::FeeSchedule;
use crate::domains::DomainParams;
use crate::genesis::{GenesisBlock, GenesisError, RawStorage, RuntimeGenesisConfig};
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
    /// The runtime's genesis config. For a spec loaded from a raw file only the parts read
    /// back from its state are filled in (`system.chainId`, `system.timestampMs`, the
    /// validators section); its genesis is [`ChainSpec::raw_storage`].
    pub genesis: RuntimeGenesisConfig,
    /// The genesis storage of a spec loaded from a raw file: when set, the genesis block is
    /// built from exactly these pairs and `genesis` is not consulted.
    #[serde(skip)]
    pub raw_storage: Option<RawStorage>,
}

/// A raw spec on disk: the spec's header fields, and its genesis as storage.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawChainSpec {
    name: String,
    id: String,
    chain_type: ChainType,
    #[serde(default)]
    properties: Properties,
    consensus: ConsensusSpec,
    genesis: RawGenesisSection,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGenesisSection {
    raw: RawTop,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTop {
    /// `0x`-hex key to `0x`-hex value.
    top: BTreeMap<String, String>,
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
    /// A key or value of a raw spec's `genesis.raw.top` is not `0x`-hex.
    #[error("raw chain spec: {what} {text:?} is not 0x-hex: {error}")]
    RawHex {
        /// `key` or `value of key 0x…`.
        what: String,
        /// The offending text (cut to 80 characters).
        text: String,
        /// Why it was refused.
        error: ghost_primitives::bytes::HexError,
    },
    /// A raw spec's genesis state lacks or garbles what the node needs from it.
    #[error("raw chain spec: {0}")]
    RawState(String),
    /// The genesis config is refused (a raw spec cannot be written from it).
    #[error("genesis config: {0}")]
    Genesis(#[from] GenesisError),
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
            raw_storage: None,
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
            raw_storage: None,
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
            raw_storage: None,
        }
    }

    /// The genesis validator set (the authority set of block 1; later sets live in state).
    pub fn genesis_authorities(&self) -> &[AccountId] {
        &self.genesis.validators.validators
    }

    /// `dev`, `solo`, `local`, or a path to a JSON spec (human or raw).
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

    /// The genesis block and state of this spec: its raw storage if it was loaded from a raw
    /// spec, else its `genesis` section, with the validators pallet told the slot duration of
    /// the `consensus` section (which wins if they differ).
    pub fn build_genesis(&self) -> Result<GenesisBlock, GenesisError> {
        if let Some(storage) = &self.raw_storage {
            return Ok(GenesisBlock::from_storage(
                storage.clone(),
                self.genesis.system.timestamp_ms,
            ));
        }
        let mut genesis = self.genesis.clone();
        genesis.validators.slot_duration_ms = self.consensus.slot_duration_ms;
        genesis.build()
    }

    /// Parses and checks a JSON spec, human or raw (a raw one has `genesis.raw`).
    pub fn from_json(bytes: &[u8]) -> Result<ChainSpec, ChainSpecError> {
        let value: serde_json::Value = serde_json::from_slice(bytes)?;
        if value.pointer("/genesis/raw").is_some() {
            return ChainSpec::from_raw(serde_json::from_value(value)?);
        }
        let mut spec: ChainSpec = serde_json::from_value(value)?;
        spec.genesis.validators.slot_duration_ms = spec.consensus.slot_duration_ms;
        if spec.genesis_authorities().is_empty() || spec.consensus.slot_duration_ms == 0 {
            return Err(ChainSpecError::NoAuthorities);
        }
        Ok(spec)
    }

    fn from_raw(raw: RawChainSpec) -> Result<ChainSpec, ChainSpecError> {
        let cut = |s: &str| s.chars().take(80).collect::<String>();
        let mut storage = RawStorage::new();
        for (key, value) in &raw.genesis.raw.top {
            let k = decode_hex(key).map_err(|error| ChainSpecError::RawHex {
                what: "key".into(),
                text: cut(key),
                error,
            })?;
            let v = decode_hex(value).map_err(|error| ChainSpecError::RawHex {
                what: format!("value of key {}", cut(key)),
                text: cut(value),
                error,
            })?;
            if storage.insert(k, v).is_some() {
                return Err(ChainSpecError::RawState(format!(
                    "key {} appears twice",
                    cut(key)
                )));
            }
        }
        let genesis = read_back(&storage)?;
        if genesis.validators.validators.is_empty() || raw.consensus.slot_duration_ms == 0 {
            return Err(ChainSpecError::NoAuthorities);
        }
        if genesis.validators.slot_duration_ms != raw.consensus.slot_duration_ms {
            return Err(ChainSpecError::RawState(format!(
                "the genesis state's slot duration ({} ms) is not the consensus section's ({} ms)",
                genesis.validators.slot_duration_ms, raw.consensus.slot_duration_ms
            )));
        }
        Ok(ChainSpec {
            name: raw.name,
            id: raw.id,
            chain_type: raw.chain_type,
            properties: raw.properties,
            consensus: raw.consensus,
            genesis,
            raw_storage: Some(storage),
        })
    }

    /// The spec as pretty JSON: raw if it was loaded from a raw spec, else human-editable.
    pub fn to_json(&self) -> String {
        match &self.raw_storage {
            Some(storage) => self.raw_json_of(storage),
            // A ChainSpec holds only strings, numbers and lists: serialization cannot fail.
            None => serde_json::to_string_pretty(self).unwrap_or_default(),
        }
    }

    /// The spec as pretty raw JSON: its genesis as the storage pairs the genesis state root is
    /// computed from (`build-spec --raw`).
    pub fn to_raw_json(&self) -> Result<String, ChainSpecError> {
        let storage = match &self.raw_storage {
            Some(storage) => storage.clone(),
            None => {
                let mut genesis = self.genesis.clone();
                genesis.validators.slot_duration_ms = self.consensus.slot_duration_ms;
                genesis.storage()?
            }
        };
        Ok(self.raw_json_of(&storage))
    }

    fn raw_json_of(&self, storage: &RawStorage) -> String {
        let raw = RawChainSpec {
            name: self.name.clone(),
            id: self.id.clone(),
            chain_type: self.chain_type,
            properties: self.properties.clone(),
            consensus: self.consensus.clone(),
            genesis: RawGenesisSection {
                raw: RawTop {
                    top: storage
                        .iter()
                        .map(|(k, v)| (encode_hex(k), encode_hex(v)))
                        .collect(),
                },
            },
        };
        // Strings and numbers only: serialization cannot fail.
        serde_json::to_string_pretty(&raw).unwrap_or_default()
    }
}

/// What the node reads from a raw spec's genesis state besides building it: the chain id and
/// timestamp (the header's), and the validators section (authorities, session length, slot).
fn read_back(storage: &RawStorage) -> Result<RuntimeGenesisConfig, ChainSpecError> {
    let block = GenesisBlock::from_storage(storage.clone(), 0);
    let mut store = ghost_trie::MemoryNodeStore::default();
    store.insert_nodes(block.state_nodes);
    let read = crate::api::with_state(&store, block.header.state_root, || {
        (
            system::ChainId::get(),
            system::Now::get(),
            validators::Validators::get(),
            validators::SessionLength::get(),
            validators::SlotDuration::get(),
        )
    })
    .map_err(|e| ChainSpecError::RawState(e.to_string()))?;
    let (chain_id, now, authorities, session_length, slot_duration_ms) = read;
    let missing = |what: &str| ChainSpecError::RawState(format!("the genesis state has no {what}"));
    let chain_id = String::from_utf8(chain_id.ok_or_else(|| missing("system chain id"))?)
        .map_err(|_| ChainSpecError::RawState("the system chain id is not UTF-8".into()))?;
    Ok(RuntimeGenesisConfig {
        system: system::GenesisConfig {
            timestamp_ms: now.ok_or_else(|| missing("system timestamp"))?,
            chain_id,
        },
        validators: validators::GenesisConfig {
            validators: authorities.ok_or_else(|| missing("validator set"))?,
            session_length: session_length.ok_or_else(|| missing("session length"))?,
            slot_duration_ms: slot_duration_ms.ok_or_else(|| missing("slot duration"))?,
        },
        ..RuntimeGenesisConfig::default()
    })
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

    #[test]
    fn a_raw_spec_loads_back_to_the_same_genesis_hash_for_dev_and_local() {
        for spec in [ChainSpec::dev(), ChainSpec::local()] {
            let human = spec.build_genesis().unwrap().header.hash();
            let raw_json = spec.to_raw_json().unwrap();
            let value: serde_json::Value = serde_json::from_str(&raw_json).unwrap();
            assert!(value["genesis"]["raw"]["top"].as_object().unwrap().len() > 10);
            let loaded = ChainSpec::from_json(raw_json.as_bytes()).unwrap();
            assert!(loaded.raw_storage.is_some());
            assert_eq!(
                loaded.build_genesis().unwrap().header.hash(),
                human,
                "{}",
                spec.id
            );
            assert_eq!(loaded.genesis_authorities(), spec.genesis_authorities());
            assert_eq!(loaded.id, spec.id);
            // Printing a loaded raw spec gives the same raw spec back.
            assert_eq!(loaded.to_json(), raw_json);
            assert_eq!(loaded.to_raw_json().unwrap(), raw_json);
        }
    }

    #[test]
    fn an_edited_raw_spec_gives_another_genesis_hash() {
        let spec = ChainSpec::dev();
        let human = spec.build_genesis().unwrap().header.hash();
        let mut value: serde_json::Value =
            serde_json::from_str(&spec.to_raw_json().unwrap()).unwrap();
        let top = value["genesis"]["raw"]["top"].as_object_mut().unwrap();
        top.insert("0x00".into(), "0x01".into());
        let edited = ChainSpec::from_json(value.to_string().as_bytes()).unwrap();
        assert_ne!(edited.build_genesis().unwrap().header.hash(), human);
    }

    #[test]
    fn bad_hex_in_a_raw_spec_is_a_clear_error() {
        let raw = ChainSpec::dev().to_raw_json().unwrap();
        for (key, val) in [
            ("0x0", "0x00"),
            ("0xzz", "0x00"),
            ("00", "0x00"),
            ("0x00", "0x123"),
        ] {
            let mut value: serde_json::Value = serde_json::from_str(&raw).unwrap();
            let top = value["genesis"]["raw"]["top"].as_object_mut().unwrap();
            top.insert(key.into(), val.into());
            let err = ChainSpec::from_json(value.to_string().as_bytes()).unwrap_err();
            assert!(matches!(err, ChainSpecError::RawHex { .. }), "{key}: {err}");
            assert!(err.to_string().contains("not 0x-hex"), "{err}");
        }
        // A state without a validator set is refused, not run.
        let empty = serde_json::json!({
            "name": "x", "id": "x", "chainType": "Local",
            "consensus": {"slotDurationMs": 500},
            "genesis": {"raw": {"top": {}}}
        });
        assert!(matches!(
            ChainSpec::from_json(empty.to_string().as_bytes()),
            Err(ChainSpecError::RawState(_))
        ));
    }
}
