//! Execution time of the domains pallet's heaviest calls, to check their declared weights:
//! `register` of a name with 3 records (A, AAAA, TXT), the same for an internationalised
//! (`xn--`) name, whose labels the chain decodes and checks against ENSIP-15, `set_records`
//! with 3 changes, and `commit` (which reserves a deposit and queues the commitment's sweep),
//! each applied through the executive (signature, fee, dispatch) in a block of N such
//! extrinsics.
//!
//! Run with `cargo bench -p ghost-runtime --bench domains`. Before measuring it prints the fee
//! the dev chain charges for one `register` with 3 records (name price + transaction fee),
//! the figure `docs/PERFORMANCE.md` puts next to ENS's gas for the same.

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use ghost_primitives::{Digest, DnsRecord, DomainName, Hash, Header, Pair, RecordData, blake3_256};
use ghost_runtime::builder::{BlockBuilder, BuiltBlock};
use ghost_runtime::domains::{Call as DomainsCall, RecordChange, YEAR_MS};
use ghost_runtime::{GHOST, RuntimeCall, UncheckedExtrinsic, api, sign_extrinsic};
use ghost_trie::MemoryNodeStore;

const N: usize = 200;

fn records(i: u8) -> Vec<DnsRecord> {
    vec![
        DnsRecord::apex(RecordData::A([10, 0, 0, i])),
        DnsRecord::apex(RecordData::AAAA([
            0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, i,
        ])),
        DnsRecord::apex(RecordData::TXT(vec![b"v=ghost1 hello".to_vec()])),
    ]
}

struct Fixture {
    store: MemoryNodeStore,
    genesis: Header,
    genesis_hash: Hash,
    pairs: Vec<Pair>,
}

fn name(i: usize) -> DomainName {
    DomainName::parse(&format!("bench-name-{i}.ghost")).expect("valid name")
}

/// `bücher-namé-{i}.ghost` as the chain stores it (`xn--…`).
fn idn_name(i: usize) -> DomainName {
    ghost_primitives::names::normalize_name(&format!("bücher-namé-{i}.ghost")).expect("valid IDN")
}

impl Fixture {
    fn new() -> Fixture {
        let (pairs, genesis) = ghost_runtime::test_utils::funded_dev_genesis(N);
        let mut store = MemoryNodeStore::default();
        store.insert_nodes(genesis.state_nodes);
        let genesis_hash = genesis.header.hash();
        Fixture {
            store,
            genesis: genesis.header,
            genesis_hash,
            pairs,
        }
    }

    fn registrations(&self) -> Vec<UncheckedExtrinsic> {
        self.registrations_of(name)
    }

    fn registrations_of(&self, name: fn(usize) -> DomainName) -> Vec<UncheckedExtrinsic> {
        self.pairs
            .iter()
            .enumerate()
            .map(|(i, pair)| {
                let call = RuntimeCall::Domains(DomainsCall::Register {
                    name: name(i),
                    owner: pair.public(),
                    duration_ms: YEAR_MS,
                    secret: Hash::ZERO,
                    records: records(i as u8),
                });
                sign_extrinsic(call, pair, 0, 0, self.genesis_hash, None)
            })
            .collect()
    }

    fn commitments(&self) -> Vec<UncheckedExtrinsic> {
        self.pairs
            .iter()
            .enumerate()
            .map(|(i, pair)| {
                let commitment = blake3_256(&(i as u64).to_le_bytes());
                let call = RuntimeCall::Domains(DomainsCall::Commit { commitment });
                sign_extrinsic(call, pair, 0, 0, self.genesis_hash, None)
            })
            .collect()
    }

    fn updates(&self) -> Vec<UncheckedExtrinsic> {
        self.pairs
            .iter()
            .enumerate()
            .map(|(i, pair)| {
                let changes = records(i as u8 ^ 0xff)
                    .into_iter()
                    .map(RecordChange::Upsert)
                    .collect();
                let call = RuntimeCall::Domains(DomainsCall::SetRecords {
                    name: name(i),
                    changes,
                });
                sign_extrinsic(call, pair, 1, 0, self.genesis_hash, None)
            })
            .collect()
    }
}

fn build(
    store: &MemoryNodeStore,
    parent: &Header,
    timestamp: u64,
    xts: Vec<UncheckedExtrinsic>,
) -> BuiltBlock {
    let mut builder =
        BlockBuilder::new(store, parent, timestamp, Digest::default()).expect("block starts");
    for xt in xts {
        builder.push(xt).expect("valid").expect("call succeeds");
    }
    builder.build().expect("block builds")
}

fn domains(c: &mut Criterion) {
    let fixture = Fixture::new();
    let registrations = fixture.registrations();

    // The fee of one register with 3 records, as the dev chain charges it.
    let xt = &registrations[0];
    let info = api::query_info(&fixture.store, &fixture.genesis, xt).expect("fee");
    let price = api::domain_price(&fixture.store, &fixture.genesis, &name(0), YEAR_MS)
        .expect("price")
        .expect("no overflow");
    println!(
        "register(name, 3 records), {} bytes: weight {} ps, transaction fee {} (= {:.6} GHOST), name price for 1 year {} (= {} GHOST)",
        parity_scale_codec::Encode::encoded_size(xt),
        info.weight,
        info.partial_fee,
        info.partial_fee as f64 / GHOST as f64,
        price,
        price / GHOST
    );

    let after_registration = build(
        &fixture.store,
        &fixture.genesis,
        1_000,
        registrations.clone(),
    );
    let mut store_with_names = fixture.store.clone();
    store_with_names.insert_nodes(after_registration.state_nodes.clone());
    let header_with_names = after_registration.block.header.clone();
    let updates = fixture.updates();

    let mut group = c.benchmark_group("domains");
    group.sample_size(10);
    group.throughput(Throughput::Elements(N as u64));
    group.bench_with_input(
        BenchmarkId::new("register_3_records", N),
        &registrations,
        |b, xts| {
            b.iter_batched(
                || xts.clone(),
                |xts| build(&fixture.store, &fixture.genesis, 1_000, xts),
                BatchSize::LargeInput,
            )
        },
    );
    group.bench_with_input(
        BenchmarkId::new("register_idn_3_records", N),
        &fixture.registrations_of(idn_name),
        |b, xts| {
            b.iter_batched(
                || xts.clone(),
                |xts| build(&fixture.store, &fixture.genesis, 1_000, xts),
                BatchSize::LargeInput,
            )
        },
    );
    group.bench_with_input(
        BenchmarkId::new("commit", N),
        &fixture.commitments(),
        |b, xts| {
            b.iter_batched(
                || xts.clone(),
                |xts| build(&fixture.store, &fixture.genesis, 1_000, xts),
                BatchSize::LargeInput,
            )
        },
    );
    group.bench_with_input(
        BenchmarkId::new("set_records_3_changes", N),
        &updates,
        |b, xts| {
            b.iter_batched(
                || xts.clone(),
                |xts| build(&store_with_names, &header_with_names, 2_000, xts),
                BatchSize::LargeInput,
            )
        },
    );
    group.finish();
}

criterion_group!(benches, domains);
criterion_main!(benches);
