//! The transactions `scripts/ens-gas.sh --trace FILE` sent to anvil, as JSON.

use serde::Deserialize;
use std::path::Path;

/// Why a trace could not be read.
#[derive(Debug, thiserror::Error)]
pub enum TraceError {
    /// The file could not be read.
    #[error("reading {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// What failed.
        source: std::io::Error,
    },
    /// The file is not a trace.
    #[error("{path} is not an ens-gas trace: {source}")]
    Json {
        /// The file.
        path: String,
        /// What failed.
        source: serde_json::Error,
    },
    /// A field does not hold what it should.
    #[error("transaction {index} ({what}): {field} is not {expected}")]
    Field {
        /// The transaction's index in the trace.
        index: usize,
        /// Its label.
        what: String,
        /// The field.
        field: &'static str,
        /// What it should hold.
        expected: &'static str,
    },
    /// A scenario names a transaction the trace does not have, or none at all.
    #[error("scenario {id}: {reason}")]
    Scenario {
        /// The scenario.
        id: String,
        /// What is wrong.
        reason: String,
    },
}

/// A whole trace: the environment, every transaction in the order sent, and the scenarios.
#[derive(Debug, Clone, Deserialize)]
pub struct Trace {
    /// anvil's version, chain id, hardfork and the package versions.
    pub environment: Environment,
    /// Every transaction, in the order anvil mined them (one block each).
    pub transactions: Vec<Transaction>,
    /// The measured flows, each a list of indices into `transactions`.
    pub scenarios: Vec<Scenario>,
}

/// Where the trace was recorded.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Environment {
    /// `web3_clientVersion`, e.g. `anvil/v1.7.1`.
    pub client_version: String,
    /// The chain id.
    pub chain_id: u64,
    /// The hardfork anvil ran, as `anvil_nodeInfo` names it (e.g. `Osaka`).
    pub hardfork: Option<String>,
    /// Package versions (ENS artifacts, ethers, anvil).
    #[serde(default)]
    pub packages: serde_json::Map<String, serde_json::Value>,
}

/// One transaction as sent and mined.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Transaction {
    /// What it was (`deploy ENSRegistry`, `register`, `setDNSRecords`, ...).
    pub what: String,
    /// The sender, `0x`-hex.
    pub from: String,
    /// The target, or none for a contract creation.
    pub to: Option<String>,
    /// The sender's nonce.
    pub nonce: u64,
    /// The calldata (or init code), `0x`-hex.
    pub data: String,
    /// Wei sent, `0x`-hex.
    pub value: String,
    /// The gas limit, `0x`-hex.
    pub gas_limit: String,
    /// The receipt's gasUsed: what the replay must reproduce.
    pub gas_used: u64,
    /// The created contract's address, for a creation.
    pub contract_address: Option<String>,
    /// The block it was mined in.
    pub block: BlockInfo,
}

/// The block a transaction was mined in.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BlockInfo {
    /// Its number.
    pub number: u64,
    /// Its timestamp (seconds).
    pub timestamp: u64,
    /// Its gas limit, `0x`-hex.
    pub gas_limit: String,
    /// Its beneficiary.
    pub coinbase: String,
    /// Its `prevRandao`, `0x`-hex.
    pub prev_randao: Option<String>,
}

/// A measured flow.
#[derive(Debug, Clone, Deserialize)]
pub struct Scenario {
    /// `A`..`F`, as `docs/ens-gas.md` names them.
    pub id: String,
    /// What it does.
    pub title: String,
    /// Indices into [`Trace::transactions`], in order.
    pub txs: Vec<Option<usize>>,
}

impl Trace {
    /// Reads a trace file.
    pub fn load(path: &Path) -> Result<Trace, TraceError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| TraceError::Io {
            path: shown.clone(),
            source,
        })?;
        serde_json::from_str(&text).map_err(|source| TraceError::Json {
            path: shown,
            source,
        })
    }

    /// The scenario `id`'s transaction indices, checked against the trace.
    pub fn scenario(&self, id: &str) -> Result<(&Scenario, Vec<usize>), TraceError> {
        let scenario =
            self.scenarios
                .iter()
                .find(|s| s.id == id)
                .ok_or_else(|| TraceError::Scenario {
                    id: id.to_string(),
                    reason: "not in the trace".into(),
                })?;
        let txs: Option<Vec<usize>> = scenario.txs.iter().copied().collect();
        let txs = txs
            .filter(|txs| !txs.is_empty() && txs.iter().all(|&i| i < self.transactions.len()))
            .ok_or_else(|| TraceError::Scenario {
                id: id.to_string(),
                reason: format!(
                    "transaction indices {:?} do not match the trace's {} transactions",
                    scenario.txs,
                    self.transactions.len()
                ),
            })?;
        Ok((scenario, txs))
    }
}
