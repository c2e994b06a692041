//! `ghostchain seed-state`: grows a chain to many registered names for the state-growth
//! measurements, without a node, an RPC server or a million round trips.
//!
//! It is the dev author ([`Author`]) run flat out: registrations signed by the chain's funded
//! dev accounts go through the real transaction pool (each one validated by the runtime) into
//! real blocks, sealed, imported and finalized as a `--dev` node does, so the database it leaves
//! is one a node opens and serves (state, change logs for the GhostBridge feeds, events) and
//! nothing about the names is synthetic. While it runs it times each block: how long building
//! plus import and commit take as the state grows (the "import time per block" curve).

use std::sync::Arc;
use std::time::Instant;

use ghost_primitives::{DnsRecord, DomainName, Hash, Pair, RecordData, RecordLabel};
use ghost_runtime::system::Event as SystemEvent;
use ghost_runtime::{RuntimeCall, RuntimeEvent, domains};
use ghost_txpool::{PoolError, PoolLimits};
use serde::Serialize;

use crate::authorship::Author;
use crate::client::{Client, ClientError};
use crate::pool_api::{FullChainApi, TransactionPool, next_nonce};

/// Blocks a sample's per-registration time is averaged over.
pub const SAMPLE_BLOCKS: usize = 20;

/// One year in ms: the registrations' duration.
pub const YEAR_MS: u64 = 365 * 24 * 60 * 60 * 1000;

/// What to seed.
#[derive(Clone, Debug)]
pub struct SeedConfig {
    /// Names to register.
    pub names: u64,
    /// `A` records per name (at the apex).
    pub records: u32,
    /// Registrations handed to the pool before each block (a block takes what fits).
    pub per_block: usize,
    /// The names are `{prefix}{i}.ghost`.
    pub prefix: String,
    /// Registration period of every name.
    pub duration_ms: u64,
}

/// Why seeding stopped.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    /// The chain or its database failed.
    #[error(transparent)]
    Client(#[from] ClientError),
    /// The pool refused a registration (a bad nonce, a full pool, an invalid transaction).
    #[error("the pool refused registration {index} ({name}): {source}")]
    Refused {
        /// Its position in the run.
        index: u64,
        /// The name.
        name: String,
        /// What the pool said.
        source: PoolError,
    },
    /// A registration was included and failed (a taken name, a signer out of funds).
    #[error("registration of {name} in block #{block} failed: {error}")]
    Failed {
        /// The name.
        name: String,
        /// The block that included it.
        block: u64,
        /// The dispatch error.
        error: String,
    },
    /// The prefix does not make valid names.
    #[error("--prefix `{prefix}` does not make valid names: {reason}")]
    BadPrefix {
        /// The prefix.
        prefix: String,
        /// Why.
        reason: String,
    },
    /// The author sealed nothing while registrations were waiting.
    #[error("no block took the {waiting} waiting registrations")]
    Stuck {
        /// Registrations still in the pool.
        waiting: usize,
    },
    /// No signer was given.
    #[error("seeding needs at least one funded signer")]
    NoSigners,
}

/// Block time at one point of the run.
#[derive(Clone, Debug, Serialize)]
pub struct SeedSample {
    /// Names registered by the end of the block.
    pub names: u64,
    /// The block's height.
    pub block: u64,
    /// Registrations in it.
    pub extrinsics: usize,
    /// Building, sealing, importing and committing it, in ms.
    pub block_ms: f64,
    /// The same per registration, in µs, averaged over the last [`SAMPLE_BLOCKS`] blocks.
    pub per_registration_us: f64,
}

/// What a run did.
#[derive(Clone, Debug, Serialize)]
pub struct SeedReport {
    /// Names registered.
    pub names: u64,
    /// Blocks authored.
    pub blocks: u64,
    /// The best (and finalized) block at the end.
    pub best: u64,
    /// Wall time, in seconds.
    pub seconds: f64,
    /// Registrations per second over the run (signing included).
    pub names_per_second: f64,
    /// One block's figures after each power-of-ten count of names and at the end.
    pub samples: Vec<SeedSample>,
}

/// Registers `config.names` names through `author_key`'s blocks, signed round robin by
/// `signers` (each must be funded for its share); `progress` hears each block's sample.
pub fn seed_names(
    client: Arc<Client>,
    author_key: Pair,
    signers: &[Pair],
    config: &SeedConfig,
    mut progress: impl FnMut(&SeedSample),
) -> Result<SeedReport, SeedError> {
    if signers.is_empty() {
        return Err(SeedError::NoSigners);
    }
    let name_of = |i: u64| {
        let text = format!("{}{i}.ghost", config.prefix);
        DomainName::parse(&text).map_err(|e| SeedError::BadPrefix {
            prefix: config.prefix.clone(),
            reason: e.to_string(),
        })
    };
    name_of(0)?;
    let pool = Arc::new(TransactionPool::new(
        Arc::new(FullChainApi::new(client.clone())),
        PoolLimits {
            max_ready: config.per_block.max(1) * 2,
            max_total_bytes: 256 << 20,
            ..PoolLimits::default()
        },
    ));
    let author = Author::new(client.clone(), pool.clone(), author_key, true);
    let records: Vec<DnsRecord> = (0..config.records)
        .map(|i| DnsRecord {
            label: RecordLabel::apex(),
            ttl: ghost_primitives::records::DEFAULT_TTL,
            data: RecordData::A([10, (i >> 16) as u8, (i >> 8) as u8, i as u8]),
        })
        .collect();
    let mut nonces = Vec::with_capacity(signers.len());
    for signer in signers {
        nonces.push(next_nonce(&client, &pool, &signer.public())?);
    }
    let genesis = client.genesis_hash();
    let started = Instant::now();
    let mut report = SeedReport {
        names: 0,
        blocks: 0,
        best: 0,
        seconds: 0.0,
        names_per_second: 0.0,
        samples: Vec::new(),
    };
    let mut next_sample = 1_000u64;
    // (ms, registrations) of the last SAMPLE_BLOCKS blocks.
    let mut recent: std::collections::VecDeque<(f64, usize)> = std::collections::VecDeque::new();
    let mut index = 0u64;
    // The name of each extrinsic in the pool, to name a failed one.
    let mut in_flight: std::collections::HashMap<Hash, DomainName> =
        std::collections::HashMap::new();
    while report.names < config.names {
        let (best, _) = client.best()?;
        while index < config.names && in_flight.len() < config.per_block.max(1) {
            let account = (index % signers.len() as u64) as usize;
            let signer = &signers[account];
            let name = name_of(index)?;
            let call = RuntimeCall::Domains(domains::Call::Register {
                name: name.clone(),
                owner: signer.public(),
                duration_ms: config.duration_ms,
                secret: Hash::ZERO,
                records: records.clone(),
            });
            let xt = ghost_runtime::sign_extrinsic(call, signer, nonces[account], 0, genesis, None);
            let hash = pool.submit(best, xt).map_err(|source| SeedError::Refused {
                index,
                name: name.to_string(),
                source,
            })?;
            nonces[account] += 1;
            in_flight.insert(hash, name);
            index += 1;
        }
        let block_started = Instant::now();
        let Some(imported) = author.author_block(false)? else {
            return Err(SeedError::Stuck {
                waiting: in_flight.len(),
            });
        };
        let block_ms = block_started.elapsed().as_secs_f64() * 1e3;
        if imported.tx_hashes.is_empty() {
            return Err(SeedError::Stuck {
                waiting: in_flight.len(),
            });
        }
        for record in &imported.events {
            if let RuntimeEvent::System(SystemEvent::ExtrinsicFailed { dispatch_error, .. }) =
                &record.event
            {
                let position = match record.phase {
                    ghost_runtime::system::Phase::ApplyExtrinsic(i) => i as usize,
                    _ => continue,
                };
                let name = imported
                    .tx_hashes
                    .get(position)
                    .and_then(|hash| in_flight.get(hash))
                    .map_or_else(|| "an unknown name".into(), DomainName::to_string);
                return Err(SeedError::Failed {
                    name,
                    block: imported.header.number,
                    error: dispatch_error.to_string(),
                });
            }
        }
        for hash in &imported.tx_hashes {
            in_flight.remove(hash);
        }
        let extrinsics = imported.tx_hashes.len();
        report.names += extrinsics as u64;
        report.blocks += 1;
        report.best = imported.header.number;
        if recent.len() == SAMPLE_BLOCKS {
            recent.pop_front();
        }
        recent.push_back((block_ms, extrinsics));
        let (ms, count) = recent
            .iter()
            .fold((0.0, 0usize), |(ms, count), (m, c)| (ms + m, count + c));
        let sample = SeedSample {
            names: report.names,
            block: imported.header.number,
            extrinsics,
            block_ms,
            per_registration_us: ms * 1e3 / count as f64,
        };
        progress(&sample);
        if report.names >= next_sample || report.names >= config.names {
            while next_sample <= report.names {
                next_sample *= 10;
            }
            report.samples.push(sample);
        }
    }
    report.seconds = started.elapsed().as_secs_f64();
    report.names_per_second = report.names as f64 / report.seconds.max(1e-9);
    Ok(report)
}
