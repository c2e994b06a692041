//! GhostChain's side: `register` of a name with A, AAAA and TXT records (the records ENS's
//! `setDNSRecords` scenario stores) applied through the runtime's block builder, timed, and
//! the state it writes counted.

use crate::{median_cpu_time, micros};
use ghost_primitives::{
    Digest, DnsRecord, DomainName, Hash, Header, Pair, RecordData, SigningContext,
};
use ghost_runtime::builder::{BlockBuilder, BuiltBlock};
use ghost_runtime::domains::{Call as DomainsCall, YEAR_MS};
use ghost_runtime::{GHOST, RuntimeCall, SPEC_VERSION, UncheckedExtrinsic, api, sign_extrinsic};
use ghost_trie::{MemoryNodeStore, StateView};
use parity_scale_codec::Encode;
use serde::Serialize;
use std::collections::BTreeMap;

/// Why our side could not be measured.
#[derive(Debug, thiserror::Error)]
pub enum GhostError {
    /// The block builder or the runtime API refused something: a bug in this measurement.
    #[error("runtime: {0}")]
    Runtime(String),
    /// The state could not be read.
    #[error("state: {0}")]
    State(#[from] ghost_trie::TrieError),
}

/// What one registration costs GhostChain's runtime.
#[derive(Debug, Clone, Serialize)]
pub struct GhostReport {
    /// Registrations per measured block.
    pub registrations_per_block: usize,
    /// The extrinsic's SCALE size in bytes.
    pub extrinsic_bytes: usize,
    /// Its declared weight, ps.
    pub weight_ps: u64,
    /// The transaction fee the dev chain charges for it (without rent), in GHOST.
    pub fee_ghost: f64,
    /// Median CPU time to build a block of `registrations_per_block` registrations, µs.
    pub block_us: f64,
    /// Median CPU time to build an empty block on the same parent, µs.
    pub empty_block_us: f64,
    /// CPU time per registration: (block − empty block) / registrations, µs. Everything the
    /// runtime does for it: signature check, nonce, fee, the call, events, and its share of
    /// the block's state root and trie nodes.
    pub us_per_registration: f64,
    /// Median CPU time of one extrinsic's signature check (payload hash + ed25519 verify), µs.
    pub signature_check_us: f64,
    /// `us_per_registration` without the signature check, µs: the part comparable to the
    /// EVM's execution, which does not recover signatures.
    pub us_without_signature: f64,
    /// State keys a registration writes (new or changed), not counting the keys an empty
    /// block writes too.
    pub state_keys_written: f64,
    /// Their bytes: key plus value.
    pub state_bytes_written: f64,
    /// Bytes of new trie nodes per registration (above an empty block's).
    pub trie_node_bytes_written: f64,
    /// Bytes of the block's encoded events per registration (above an empty block's).
    pub event_bytes: f64,
}

fn records() -> Vec<DnsRecord> {
    vec![
        DnsRecord::apex(RecordData::A([192, 0, 2, 1])),
        DnsRecord::apex(RecordData::AAAA([
            0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
        ])),
        DnsRecord::apex(RecordData::TXT(vec![b"v=ghost1".to_vec()])),
    ]
}

/// A runtime refusal (block builder, runtime API, name rules) as [`GhostError::Runtime`].
fn runtime(e: impl std::fmt::Debug) -> GhostError {
    GhostError::Runtime(format!("{e:?}"))
}

fn build(
    store: &MemoryNodeStore,
    parent: &Header,
    xts: Vec<UncheckedExtrinsic>,
) -> Result<BuiltBlock, GhostError> {
    let mut builder = BlockBuilder::new(
        store,
        parent,
        ghost_runtime::test_utils::TIMESTAMP_MS,
        Digest::default(),
    )
    .map_err(runtime)?;
    for xt in xts {
        builder.push(xt).map_err(runtime)?.map_err(runtime)?;
    }
    builder.build().map_err(runtime)
}

/// Every key/value pair of the state at `root`.
fn pairs(store: &MemoryNodeStore, root: Hash) -> Result<BTreeMap<Vec<u8>, Vec<u8>>, GhostError> {
    Ok(StateView::new(store, root.0)
        .iter_prefix(&[], None, usize::MAX)?
        .into_iter()
        .collect())
}

/// Keys whose value `after` changed or added relative to `before`, with the new value's size
/// (0 for a removed key).
fn written(
    before: &BTreeMap<Vec<u8>, Vec<u8>>,
    after: &BTreeMap<Vec<u8>, Vec<u8>>,
) -> BTreeMap<Vec<u8>, usize> {
    let mut out: BTreeMap<Vec<u8>, usize> = after
        .iter()
        .filter(|(k, v)| before.get(*k) != Some(*v))
        .map(|(k, v)| (k.clone(), v.len()))
        .collect();
    out.extend(
        before
            .keys()
            .filter(|k| !after.contains_key(*k))
            .map(|k| (k.clone(), 0)),
    );
    out
}

fn node_bytes(block: &BuiltBlock) -> usize {
    block.state_nodes.iter().map(|(_, node)| node.len()).sum()
}

/// Measures `n` registrations (labels of 7 characters and more, as ENS's `alice03`) in one
/// block, built `iterations` times (CPU time, median).
pub fn measure(n: usize, iterations: usize) -> Result<GhostReport, GhostError> {
    let (pairs_, genesis) = ghost_runtime::test_utils::funded_dev_genesis(n);
    let mut store = MemoryNodeStore::default();
    store.insert_nodes(genesis.state_nodes);
    let parent = genesis.header;
    let genesis_hash = parent.hash();
    let sign = |i: usize, pair: &Pair| {
        let name = DomainName::parse(&format!("alice{i:03}.ghost")).map_err(runtime)?;
        let call = RuntimeCall::Domains(DomainsCall::Register {
            name,
            owner: pair.public(),
            duration_ms: YEAR_MS,
            secret: Hash::ZERO,
            records: records(),
        });
        Ok::<_, GhostError>(sign_extrinsic(call, pair, 0, 0, genesis_hash, None))
    };
    let xts = pairs_
        .iter()
        .enumerate()
        .map(|(i, pair)| sign(i, pair))
        .collect::<Result<Vec<_>, _>>()?;

    let info = api::query_info(&store, &parent, &xts[0]).map_err(runtime)?;
    let ctx = SigningContext {
        genesis_hash,
        spec_version: SPEC_VERSION,
        birth_hash: genesis_hash,
    };
    if !xts.iter().all(|xt| xt.verify(&ctx)) {
        return Err(GhostError::Runtime("a signature does not verify".into()));
    }

    let full = build(&store, &parent, xts.clone())?;
    let empty = build(&store, &parent, Vec::new())?;
    let block = median_cpu_time(iterations, 1, |_| build(&store, &parent, xts.clone()));
    let empty_block = median_cpu_time(iterations, 20, |_| build(&store, &parent, Vec::new()));
    let signature = median_cpu_time(21, n, |i| xts[i % n].verify(&ctx));

    let before = pairs(&store, parent.state_root)?;
    let mut with_full = store.clone();
    with_full.insert_nodes(full.state_nodes.clone());
    let mut with_empty = store.clone();
    with_empty.insert_nodes(empty.state_nodes.clone());
    let by_block = written(&before, &pairs(&with_empty, empty.block.header.state_root)?);
    let by_registrations: Vec<(Vec<u8>, usize)> =
        written(&before, &pairs(&with_full, full.block.header.state_root)?)
            .into_iter()
            .filter(|(k, _)| !by_block.contains_key(k))
            .collect();

    let per = |x: f64| x / n as f64;
    let us_per_registration = per(micros(block) - micros(empty_block));
    let signature_check_us = micros(signature);
    Ok(GhostReport {
        registrations_per_block: n,
        extrinsic_bytes: xts[0].encoded_size(),
        weight_ps: info.weight,
        fee_ghost: info.partial_fee as f64 / GHOST as f64,
        block_us: micros(block),
        empty_block_us: micros(empty_block),
        us_per_registration,
        signature_check_us,
        us_without_signature: us_per_registration - signature_check_us,
        state_keys_written: per(by_registrations.len() as f64),
        state_bytes_written: per(by_registrations
            .iter()
            .map(|(k, v)| k.len() + v)
            .sum::<usize>() as f64),
        trie_node_bytes_written: per(node_bytes(&full) as f64 - node_bytes(&empty) as f64),
        event_bytes: per(full.encoded_events.len() as f64 - empty.encoded_events.len() as f64),
    })
}
