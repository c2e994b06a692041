//! The oracle's loop: follow confirmed Ethereum blocks, re-read the watched names that changed,
//! and attest what differs from the chain.
//!
//! ```text
//! every --poll:  ghost: ens_pending + ens_links (active) ──► watched names (node → kind)
//!                eth:   head ─► target = head - confirmations + 1
//!                       last processed still canonical? else rewind (reorg.rs), re-read all
//!                       logs (last+1 ..= end) of the registry and of resolvers ─► changed nodes
//!                       eth_call batch at end's hash: owner, resolver, records (records.rs)
//!                ghost: submit_attestation(name, end, hash, owner, records) where the chain's
//!                       view (link owner + records hash) differs, or a request is pending
//!                persist end in --base-path; metrics
//! ```
//!
//! A name is re-read when it is first seen by this process (so a restart, or a change while
//! the oracle was down, is never missed), when a log names it, and after a reorg. Any failed
//! step (either node down, a malformed answer) is retried from the same persisted block after
//! a backoff of 1 s doubling to 30 s.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use alloy_primitives::{Address, B256};
use ghost_client::runtime::ens_bridge::EnsRecords;
use ghost_client::runtime::ens_bridge::{BridgeParams, Params};
use ghost_client::runtime::{RuntimeEvent, ens_bridge::Event as BridgeEvent};
use ghost_client::{Client, Signer};
use ghost_primitives::{EnsName, EthAddress, Hash};
use ghost_support::storage::StorageValue;
use parity_scale_codec::DecodeAll;

use crate::abi::{decode_log, registry_topics, resolver_topics};
use crate::eth::{BlockRef, EthClient, EthError};
use crate::metrics::Metrics;
use crate::records::{ReadPlan, decode_registry, map_records, read_calls, registry_calls};
use crate::reorg::{Processed, Progress, Retries, StateError};

/// Most blocks of logs asked for in one step.
pub const MAX_RANGE: u64 = 500;
/// Most `eth_call`s in one batch.
pub const MAX_BATCH: usize = 500;
/// Longest backoff after failed steps.
pub const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// How the oracle runs.
#[derive(Debug, Clone)]
pub struct Config {
    /// The Ethereum JSON-RPC URL (`http://…` or `https://…`).
    pub eth_rpc: String,
    /// More CA certificates (PEM) to trust for an `https://` Ethereum node.
    pub eth_ca_file: Option<PathBuf>,
    /// The GhostChain node (`ws://…`).
    pub node: String,
    /// The ENS registry's address.
    pub registry: Address,
    /// Blocks a block must be deep to be processed (1: the head itself).
    pub confirmations: u64,
    /// Where the processed blocks are kept.
    pub base_path: PathBuf,
    /// How often to look for new blocks and names.
    pub poll: Duration,
    /// Coin types read besides ETH (`addr(node, coinType)`).
    pub coin_types: Vec<u32>,
    /// Limit of each Ethereum or ghost request.
    pub timeout: Duration,
}

/// Why a step failed.
#[derive(Debug, thiserror::Error)]
pub enum OracleError {
    /// The Ethereum side.
    #[error(transparent)]
    Eth(#[from] EthError),
    /// The GhostChain side.
    #[error("GhostChain: {0}")]
    Ghost(#[from] ghost_client::Error),
    /// The state file.
    #[error(transparent)]
    State(#[from] StateError),
    /// The chain's bridge parameters do not decode.
    #[error("GhostChain: the ENS bridge parameters do not decode: {0}")]
    Params(String),
    /// A block the node reported is gone.
    #[error("Ethereum node: block {0} is missing")]
    MissingBlock(u64),
}

/// How the chain sees a watched name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Watched {
    /// A live request by `eth_address`.
    Pending {
        /// The address that signed the request.
        eth_address: EthAddress,
    },
    /// An active link with the owner and records hash last applied.
    Linked {
        /// The linked owner.
        owner: EthAddress,
        /// The records hash last applied.
        records_hash: Hash,
        /// The Ethereum block last applied.
        block: u64,
    },
}

/// A watched name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatchedName {
    /// The ENS name.
    pub ens_name: EnsName,
    /// The chain's view.
    pub watched: Watched,
}

/// What an oracle read at a block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observation {
    /// The registry owner.
    pub owner: EthAddress,
    /// The mapped records.
    pub records: EnsRecords,
}

impl Observation {
    /// The records hash the chain compares: blake3 of their SCALE encoding.
    pub fn records_hash(&self) -> Hash {
        Hash::of_encoded(&self.records)
    }
}

/// Whether an observation must be attested: it differs from the link the chain holds (owner or
/// records), or the name is pending; and this oracle did not already send exactly it (`sent`)
/// for a block the chain has not passed.
pub fn needs_attestation(
    watched: &Watched,
    observation: &Observation,
    sent: Option<&(EthAddress, Hash)>,
) -> bool {
    let seen = (observation.owner, observation.records_hash());
    if let Watched::Linked {
        owner,
        records_hash,
        ..
    } = watched
        && (*owner, *records_hash) == seen
    {
        return false;
    }
    sent != Some(&seen)
}

/// The backoff after `failures` failed steps in a row: 1 s doubling to [`MAX_BACKOFF`].
pub fn backoff(failures: u32) -> Duration {
    let secs = 1u64 << failures.saturating_sub(1).min(5);
    Duration::from_secs(secs).min(MAX_BACKOFF)
}

/// The block to process up to: `head` minus `confirmations - 1`, and at most [`MAX_RANGE`]
/// past the last processed one. `None`: nothing new.
pub fn next_end(last: Option<u64>, head: u64, confirmations: u64) -> Option<u64> {
    let target = head.checked_sub(confirmations.saturating_sub(1))?;
    match last {
        None => Some(target),
        Some(last) if last >= target => None,
        Some(last) => Some(target.min(last.saturating_add(MAX_RANGE))),
    }
}

/// What the chain made of one submitted attestation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Submitted {
    /// Included as this oracle's vote.
    Vote,
    /// Included but ignored (`AttestationIgnored`: stale, equivocating or conflicting).
    Ignored,
    /// Included and failed (a dispatch error).
    Refused,
}

/// The oracle.
pub struct Oracle {
    config: Config,
    signer: Signer,
    eth: EthClient,
    ghost: Option<Client>,
    progress: Progress,
    /// Nodes seen in the previous step (names new since then are read at once).
    known: BTreeSet<[u8; 32]>,
    /// What this oracle last had included per node (reset by a reorg).
    sent: HashMap<[u8; 32], (EthAddress, Hash)>,
    /// Names whose attestation the chain ignored, read again at the next newer block.
    retries: Retries,
    metrics: Arc<Metrics>,
}

impl Oracle {
    /// An oracle signing with `signer`; loads the processed blocks from the base path.
    pub fn new(
        config: Config,
        signer: Signer,
        metrics: Arc<Metrics>,
    ) -> Result<Oracle, OracleError> {
        std::fs::create_dir_all(&config.base_path).map_err(|source| StateError::Io {
            path: config.base_path.clone(),
            source,
        })?;
        let progress = Progress::load(&config.base_path)?;
        let mut eth = EthClient::new(&config.eth_rpc, config.timeout)?;
        if let Some(path) = &config.eth_ca_file {
            eth = eth.with_ca_file(path)?;
        }
        Ok(Oracle {
            config,
            signer,
            eth,
            ghost: None,
            progress,
            known: BTreeSet::new(),
            sent: HashMap::new(),
            retries: Retries::default(),
            metrics,
        })
    }

    /// The last processed block.
    pub fn last_processed(&self) -> Option<Processed> {
        self.progress.last()
    }

    /// Runs steps forever, backing off after failures.
    pub async fn run(mut self) {
        let mut failures = 0u32;
        loop {
            match self.step().await {
                Ok(()) => {
                    failures = 0;
                    tokio::time::sleep(self.config.poll).await;
                }
                Err(e) => {
                    failures = failures.saturating_add(1);
                    self.metrics.errors.inc();
                    let wait = backoff(failures);
                    tracing::warn!("step failed ({failures} in a row), retrying in {wait:?}: {e}");
                    if matches!(e, OracleError::Ghost(_)) {
                        self.ghost = None;
                    }
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }

    async fn ghost(&mut self) -> Result<Client, OracleError> {
        if let Some(client) = &self.ghost {
            return Ok(client.clone());
        }
        let client = Client::builder(&self.config.node)
            .timeout(self.config.timeout)
            .connect()
            .await?;
        client.check_runtime().await?;
        self.ghost = Some(client.clone());
        Ok(client)
    }

    /// The chain's bridge parameters (text keys and limits).
    async fn params(client: &Client) -> Result<BridgeParams, OracleError> {
        match client.fetch_storage(&Params::hashed_key(), None).await? {
            None => Ok(BridgeParams::default()),
            Some(bytes) => BridgeParams::decode_all(&mut &bytes[..])
                .map_err(|e| OracleError::Params(e.to_string())),
        }
    }

    /// Pending requests and active links, by node.
    async fn watched(client: &Client) -> Result<BTreeMap<[u8; 32], WatchedName>, OracleError> {
        let mut watched = BTreeMap::new();
        for link in client.ens_all_links().await? {
            if link.status != "active" {
                continue;
            }
            watched.insert(
                link.ens_node.0,
                WatchedName {
                    ens_name: link.ens_name,
                    watched: Watched::Linked {
                        owner: link.eth_owner,
                        records_hash: link.records_hash,
                        block: link.eth_block_number,
                    },
                },
            );
        }
        for request in client.ens_pending().await? {
            watched.insert(
                request.ens_node.0,
                WatchedName {
                    ens_name: request.ens_name,
                    watched: Watched::Pending {
                        eth_address: request.eth_address,
                    },
                },
            );
        }
        Ok(watched)
    }

    /// Rewinds past blocks that are no longer canonical; returns whether it did.
    async fn check_reorg(&mut self) -> Result<bool, OracleError> {
        let mut canonical = HashMap::new();
        for (height, stored) in self.progress.heights().into_iter().zip(
            self.progress
                .recent
                .iter()
                .rev()
                .map(|b| b.hash)
                .collect::<Vec<_>>(),
        ) {
            let hash = self.eth.block(height).await?.map(|b| Hash(b.hash.0));
            canonical.insert(height, hash);
            if hash == Some(stored) {
                break;
            }
        }
        Ok(self
            .progress
            .rewind(|height| canonical.get(&height).copied().flatten()))
    }

    /// Nodes named by the followed logs in `from..=to` that are watched.
    async fn changed_nodes(
        &self,
        from: u64,
        to: u64,
        watched: &BTreeMap<[u8; 32], WatchedName>,
    ) -> Result<BTreeSet<[u8; 32]>, OracleError> {
        let mut changed = BTreeSet::new();
        if watched.is_empty() {
            return Ok(changed);
        }
        let registry = self.config.registry;
        let logs = self
            .eth
            .logs(from, to, Some(registry), &[registry_topics()])
            .await?;
        let nodes: Vec<B256> = watched.keys().map(|n| B256::from(*n)).collect();
        let mut resolver_logs = Vec::new();
        for chunk in nodes.chunks(MAX_BATCH) {
            resolver_logs.extend(
                self.eth
                    .logs(from, to, None, &[resolver_topics(), chunk.to_vec()])
                    .await?,
            );
        }
        for log in logs.iter().chain(&resolver_logs) {
            if let Some(change) = decode_log(&log.topics, &log.data, log.address == registry)
                && watched.contains_key(&change.node)
            {
                changed.insert(change.node);
            }
        }
        Ok(changed)
    }

    /// Reads the owner and records of `names` (nodes and names) at `block`.
    async fn observe(
        &self,
        block: &BlockRef,
        names: &[([u8; 32], &EnsName)],
        plan: &ReadPlan,
        params: &BridgeParams,
    ) -> Result<Vec<Observation>, OracleError> {
        let mut registry_answers = Vec::new();
        for chunk in names.chunks(MAX_BATCH / 2) {
            let calls: Vec<_> = chunk
                .iter()
                .flat_map(|(n, _)| registry_calls(self.config.registry, B256::from(*n)))
                .collect();
            registry_answers.extend(self.eth.calls_at(block.hash, &calls).await?);
        }
        let owners: Vec<(EthAddress, Address)> =
            registry_answers.chunks(2).map(decode_registry).collect();
        // Every name's resolver calls, sent in batches of at most MAX_BATCH.
        let calls: Vec<Vec<(Address, Vec<u8>)>> = names
            .iter()
            .zip(&owners)
            .map(|((node, name), (_, resolver))| match *resolver {
                Address::ZERO => Vec::new(),
                resolver => read_calls(resolver, B256::from(*node), name.as_str(), plan),
            })
            .collect();
        let flat: Vec<(Address, Vec<u8>)> = calls.iter().flatten().cloned().collect();
        let mut answers = Vec::with_capacity(flat.len());
        for chunk in flat.chunks(MAX_BATCH) {
            answers.extend(self.eth.calls_at(block.hash, chunk).await?);
        }
        let mut answers = answers.into_iter();
        Ok(owners
            .into_iter()
            .zip(&calls)
            .zip(names)
            .map(|(((owner, resolver), calls), (_, name))| {
                let mine: Vec<_> = answers.by_ref().take(calls.len()).collect();
                let records = if resolver == Address::ZERO {
                    EnsRecords::default()
                } else {
                    map_records(plan, name.as_str(), &mine, params)
                };
                Observation { owner, records }
            })
            .collect())
    }

    /// Submits one attestation and reports what the chain made of it.
    async fn attest(
        &self,
        client: &Client,
        ens_name: &EnsName,
        block: &BlockRef,
        observation: &Observation,
    ) -> Result<Submitted, OracleError> {
        let progress = client
            .tx()
            .ens_bridge()
            .submit_attestation(
                ens_name.clone(),
                block.number,
                Hash(block.hash.0),
                observation.owner,
                observation.records.clone(),
            )
            .submit_and_watch(&self.signer)
            .await?;
        match progress.in_block().await {
            Ok(included) => {
                let me = self.signer.account();
                let ignored = included.find(|e| match e {
                    RuntimeEvent::EnsBridge(BridgeEvent::AttestationIgnored {
                        oracle,
                        reason,
                        ..
                    }) if *oracle == me => Some(*reason),
                    _ => None,
                });
                match ignored {
                    None => Ok(Submitted::Vote),
                    Some(reason) => {
                        tracing::info!(
                            "{ens_name} at block {}: ignored ({reason:?})",
                            block.number
                        );
                        Ok(Submitted::Ignored)
                    }
                }
            }
            Err(e) if e.dispatch().is_some() => {
                tracing::info!("{ens_name} at block {}: refused: {e}", block.number);
                Ok(Submitted::Refused)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// One step: see the module doc.
    pub async fn step(&mut self) -> Result<(), OracleError> {
        let client = self.ghost().await?;
        let params = Self::params(&client).await?;
        let plan = ReadPlan::new(&params, &self.config.coin_types);
        let watched = Self::watched(&client).await?;
        self.metrics.watched_names.set(watched.len() as i64);

        let head = self.eth.block_number().await?;
        self.metrics.eth_head.set(head as i64);
        if self.progress.last().is_some() && self.check_reorg().await? {
            tracing::warn!("reorg: rewound to {:?}", self.progress.last());
            self.metrics.reorgs.inc();
            self.known.clear();
            self.sent.clear();
        }
        let last = self.progress.last().map(|b| b.number);
        let mut dirty: BTreeSet<[u8; 32]> = watched
            .keys()
            .filter(|n| !self.known.contains(*n))
            .copied()
            .collect();
        let block = match next_end(last, head, self.config.confirmations) {
            Some(end) => {
                if let Some(last) = last {
                    dirty.extend(self.changed_nodes(last + 1, end, &watched).await?);
                }
                dirty.extend(
                    self.retries
                        .due(end)
                        .into_iter()
                        .filter(|n| watched.contains_key(n)),
                );
                self.eth
                    .block(end)
                    .await?
                    .ok_or(OracleError::MissingBlock(end))?
            }
            None => match self.progress.last() {
                // No new confirmed block: names new since the last step are read at the last one.
                Some(last) if !dirty.is_empty() => self
                    .eth
                    .block(last.number)
                    .await?
                    .filter(|b| Hash(b.hash.0) == last.hash)
                    .ok_or(OracleError::MissingBlock(last.number))?,
                _ => {
                    self.update_lag(head, None);
                    return Ok(());
                }
            },
        };

        let names: Vec<([u8; 32], &EnsName)> = dirty
            .into_iter()
            .filter_map(|node| watched.get(&node).map(|w| (node, &w.ens_name)))
            .collect();
        let observations = self.observe(&block, &names, &plan, &params).await?;
        let mut submissions = Vec::new();
        for ((node, ens_name), observation) in names.iter().zip(observations) {
            let Some(name) = watched.get(node) else {
                continue;
            };
            if needs_attestation(&name.watched, &observation, self.sent.get(node)) {
                submissions.push((*node, (*ens_name).clone(), observation));
            }
        }
        let results =
            futures::future::join_all(submissions.iter().map(|(_, ens_name, observation)| {
                self.attest(&client, ens_name, &block, observation)
            }))
            .await;
        for ((node, ens_name, observation), result) in submissions.into_iter().zip(results) {
            match result? {
                Submitted::Vote => {
                    self.metrics.attestations_sent.inc();
                    tracing::info!(
                        "attested {ens_name} at block {}: owner {}, {} records",
                        block.number,
                        observation.owner,
                        observation.records.count()
                    );
                    self.sent
                        .insert(node, (observation.owner, observation.records_hash()));
                }
                Submitted::Ignored => {
                    // Typically after a reorg: the replacement block has the height of the one
                    // the chain already applied, so it is not newer; a newer block will be.
                    self.metrics.attestations_refused.inc();
                    self.retries.mark(node, block.number);
                }
                Submitted::Refused => {
                    self.metrics.attestations_refused.inc();
                }
            }
        }
        self.known = watched.keys().copied().collect();
        self.sent.retain(|node, _| watched.contains_key(node));
        self.progress.push(Processed {
            number: block.number,
            hash: Hash(block.hash.0),
        });
        self.progress.save(&self.config.base_path)?;
        self.update_lag(head, Some(&block));
        Ok(())
    }

    fn update_lag(&self, head: u64, block: Option<&BlockRef>) {
        let Some(last) = self.progress.last() else {
            return;
        };
        self.metrics.processed_block.set(last.number as i64);
        self.metrics
            .lag_blocks
            .set(head.saturating_sub(last.number) as i64);
        if let Some(block) = block {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or_default();
            self.metrics
                .lag_seconds
                .set(now.saturating_sub(block.timestamp) as i64);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obs(owner: u8, url: &str) -> Observation {
        let mut records = EnsRecords::default();
        records.web3.texts.insert("url".into(), url.into());
        Observation {
            owner: EthAddress([owner; 20]),
            records,
        }
    }

    #[test]
    fn an_unchanged_link_is_not_attested_and_a_change_is_once() {
        let seen = obs(1, "a");
        let linked = Watched::Linked {
            owner: seen.owner,
            records_hash: seen.records_hash(),
            block: 10,
        };
        assert!(!needs_attestation(&linked, &seen, None));
        let changed = obs(1, "b");
        assert!(needs_attestation(&linked, &changed, None));
        let sent = (changed.owner, changed.records_hash());
        assert!(
            !needs_attestation(&linked, &changed, Some(&sent)),
            "already voted"
        );
        let transferred = obs(2, "a");
        assert!(needs_attestation(&linked, &transferred, Some(&sent)));
    }

    #[test]
    fn a_pending_request_is_attested_once_whoever_owns_the_name() {
        let pending = Watched::Pending {
            eth_address: EthAddress([1; 20]),
        };
        for observation in [obs(1, "a"), obs(9, "a")] {
            assert!(needs_attestation(&pending, &observation, None));
            let sent = (observation.owner, observation.records_hash());
            assert!(!needs_attestation(&pending, &observation, Some(&sent)));
        }
    }

    #[test]
    fn confirmations_decide_the_end_block() {
        assert_eq!(next_end(None, 100, 1), Some(100));
        assert_eq!(next_end(None, 100, 12), Some(89));
        assert_eq!(next_end(None, 5, 12), None, "not enough blocks yet");
        assert_eq!(next_end(Some(89), 100, 12), None);
        assert_eq!(next_end(Some(80), 100, 12), Some(89));
        assert_eq!(
            next_end(Some(0), 10_000, 1),
            Some(MAX_RANGE),
            "at most MAX_RANGE a step"
        );
        assert_eq!(next_end(None, 100, 0), Some(100), "0 behaves as 1");
    }

    #[test]
    fn backoff_doubles_to_thirty_seconds() {
        let secs: Vec<u64> = (1..=8).map(|f| backoff(f).as_secs()).collect();
        assert_eq!(secs, [1, 2, 4, 8, 16, 30, 30, 30]);
        assert_eq!(backoff(0).as_secs(), 1);
    }
}
