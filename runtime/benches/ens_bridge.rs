//! Execution time of the ENS bridge's calls, the source of `pallets/ens-bridge/src/weights.rs`:
//! each applied through the executive (signature, nonce, fee, dispatch) in a block of [`N`]
//! such extrinsics, next to a block of `N` empty `System.remark`s whose time (the executive's
//! own per-extrinsic work) is what the call's weight does not have to cover.
//!
//! - `register_ens_domain`: a link request (a secp256k1 recovery, the commitment of the later
//!   registration, the deposit's reserve);
//! - `attestation/vote`: an oracle's first vote, carrying the most records (24);
//! - `attestation/link_*`: the vote that reaches the threshold and makes the link (registers the
//!   ghost name at the normal price and writes the records), the worst case of an attestation:
//!   with no records, with 24 small records, with 24 web3 records of the most bytes (15 texts
//!   of 512 bytes) and with 24 DNS-profile records (23 TXT records of 510 bytes).
//!
//! The ENSIP-15 check of the ENS name is charged apart (`ens_name(n)`), so the names here are
//! short. Run with `cargo bench -p ghost-runtime --bench ens_bridge`; it prints each scenario's
//! encoded record bytes, which the per-byte rate is fitted against.

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use ghost_primitives::{
    Bytes, Digest, DnsRecord, DomainName, EnsName, Hash, Header, Pair, RecordData, RecordLabel,
    Web3Records, blake3_256,
};
use ghost_runtime::builder::{BlockBuilder, BuiltBlock};
use ghost_runtime::ens_bridge::{self, EnsRecords, eth::EthKey};
use ghost_runtime::{RuntimeCall, UncheckedExtrinsic, api, sign_extrinsic, system};
use ghost_trie::MemoryNodeStore;

/// The records an attestation of the name owned by a key carries.
type RecordsOf<'a> = &'a dyn Fn(&EthKey) -> EnsRecords;

/// Extrinsics per measured block.
const N: usize = 64;
/// Two of the dev chain's three oracles (threshold two).
const ORACLES: [&str; 2] = ["Dave", "Eve"];

fn ens_name(i: usize) -> EnsName {
    EnsName::parse(&format!("bench{i}.eth")).expect("valid ENS name")
}

fn ghost_name(i: usize) -> DomainName {
    DomainName::parse(&format!("bench-link-{i}.ghost")).expect("valid name")
}

fn eth_key(i: usize) -> EthKey {
    let secret = blake3_256(&(i as u64 ^ 0xe7e7).to_le_bytes()).0;
    EthKey::from_secret(&secret).expect("a valid secp256k1 key")
}

/// 24 records, as many as an attestation may carry: the ETH address, eight ENSIP-11 EVM
/// addresses and all 15 mirrored text keys, each text `text_len` bytes.
fn web3_records(owner: &EthKey, text_len: usize) -> EnsRecords {
    let mut web3 = Web3Records::default();
    web3.addresses.insert(60, Bytes(owner.address().0.to_vec()));
    for chain in 1..=8u32 {
        web3.addresses
            .insert(0x8000_0000 | chain, Bytes(vec![chain as u8; 20]));
    }
    for key in ens_bridge::BridgeParams::default().text_keys {
        web3.texts.insert(key, "x".repeat(text_len));
    }
    web3.into()
}

/// The ETH address and 23 TXT records of two 255-byte strings each, at `@` and `www`.
fn dns_records(owner: &EthKey) -> EnsRecords {
    let mut web3 = Web3Records::default();
    web3.addresses.insert(60, Bytes(owner.address().0.to_vec()));
    let mut dns: Vec<DnsRecord> = (0..23u8)
        .map(|i| DnsRecord {
            label: if i % 2 == 0 {
                RecordLabel::apex()
            } else {
                RecordLabel::parse("www").expect("valid label")
            },
            ttl: 300,
            data: RecordData::TXT(vec![vec![b'a' + i; 255], vec![b'z' - i; 255]]),
        })
        .collect();
    dns.sort();
    EnsRecords { web3, dns }
}

/// The dev chain after block 1 (N link requests) and, optionally, block 2 (the first oracle's
/// votes carrying `records`).
#[derive(Clone)]
struct Chain {
    store: MemoryNodeStore,
    head: Header,
    genesis_hash: Hash,
}

impl Chain {
    fn build(&mut self, xts: Vec<UncheckedExtrinsic>) -> BuiltBlock {
        let built = build(&self.store, &self.head, xts);
        self.store.insert_nodes(built.state_nodes.clone());
        self.head = built.block.header.clone();
        built
    }
}

fn build(store: &MemoryNodeStore, parent: &Header, xts: Vec<UncheckedExtrinsic>) -> BuiltBlock {
    let mut builder = BlockBuilder::new(
        store,
        parent,
        parent.timestamp_ms + 1_000,
        Digest::default(),
    )
    .expect("block starts");
    for xt in xts {
        builder.push(xt).expect("valid").expect("call succeeds");
    }
    builder.build().expect("block builds")
}

struct Fixture {
    genesis: Chain,
    pairs: Vec<Pair>,
}

impl Fixture {
    fn new() -> Fixture {
        let (pairs, genesis) = ghost_runtime::test_utils::funded_dev_genesis(N);
        let mut store = MemoryNodeStore::default();
        store.insert_nodes(genesis.state_nodes);
        Fixture {
            genesis: Chain {
                store,
                genesis_hash: genesis.header.hash(),
                head: genesis.header,
            },
            pairs,
        }
    }

    fn remarks(&self) -> Vec<UncheckedExtrinsic> {
        self.pairs
            .iter()
            .map(|pair| {
                let call = RuntimeCall::System(system::Call::Remark { remark: Vec::new() });
                sign_extrinsic(call, pair, 0, 0, self.genesis.genesis_hash, None)
            })
            .collect()
    }

    fn requests(&self) -> Vec<UncheckedExtrinsic> {
        let genesis_hash = self.genesis.genesis_hash;
        self.pairs
            .iter()
            .enumerate()
            .map(|(i, pair)| {
                let key = eth_key(i);
                let message = api::ens_link_message(
                    &ens_name(i),
                    &ghost_name(i),
                    &pair.public(),
                    &genesis_hash,
                );
                let call = RuntimeCall::EnsBridge(ens_bridge::Call::RegisterEnsDomain {
                    ens_name: ens_name(i),
                    ghost_name: ghost_name(i),
                    eth_address: key.address(),
                    eth_signature: key.sign_personal(message.as_bytes()),
                });
                sign_extrinsic(call, pair, 0, 0, genesis_hash, None)
            })
            .collect()
    }

    /// Oracle `oracle`'s attestations (nonces from `nonce`) of every name with `records`.
    fn attestations(
        &self,
        oracle: &str,
        nonce: u64,
        records: RecordsOf,
    ) -> Vec<UncheckedExtrinsic> {
        let pair = Pair::dev(oracle);
        (0..N)
            .map(|i| {
                let key = eth_key(i);
                let call = RuntimeCall::EnsBridge(ens_bridge::Call::SubmitAttestation {
                    ens_name: ens_name(i),
                    eth_block_number: 100,
                    eth_block_hash: Hash([7; 32]),
                    owner: key.address(),
                    records: records(&key),
                });
                sign_extrinsic(
                    call,
                    &pair,
                    nonce + i as u64,
                    0,
                    self.genesis.genesis_hash,
                    None,
                )
            })
            .collect()
    }

    /// The chain with the requests made and the first oracle's votes for `records` in.
    fn voted(&self, records: RecordsOf) -> Chain {
        let mut chain = self.genesis.clone();
        chain.build(self.requests());
        chain.build(self.attestations(ORACLES[0], 0, records));
        chain
    }
}

fn ens_bridge_bench(c: &mut Criterion) {
    let fixture = Fixture::new();
    let mut group = c.benchmark_group("ens_bridge");
    group.sample_size(10);
    group.throughput(Throughput::Elements(N as u64));

    let remarks = fixture.remarks();
    group.bench_function("remark_baseline", |b| {
        b.iter_batched(
            || remarks.clone(),
            |xts| build(&fixture.genesis.store, &fixture.genesis.head, xts),
            BatchSize::LargeInput,
        )
    });

    let requests = fixture.requests();
    group.bench_function("register_ens_domain", |b| {
        b.iter_batched(
            || requests.clone(),
            |xts| build(&fixture.genesis.store, &fixture.genesis.head, xts),
            BatchSize::LargeInput,
        )
    });

    let mut requested = fixture.genesis.clone();
    requested.build(fixture.requests());
    let full = |key: &EthKey| web3_records(key, 512);
    let votes = fixture.attestations(ORACLES[0], 0, &full);
    group.bench_function("attestation/vote_24_records", |b| {
        b.iter_batched(
            || votes.clone(),
            |xts| build(&requested.store, &requested.head, xts),
            BatchSize::LargeInput,
        )
    });

    let empty = |_: &EthKey| EnsRecords::default();
    let small = |key: &EthKey| web3_records(key, 1);
    let scenarios: [(&str, RecordsOf); 4] = [
        ("link_no_records", &empty),
        ("link_24_small_records", &small),
        ("link_24_web3_records_max_bytes", &full),
        ("link_24_dns_records", &dns_records),
    ];
    for (scenario, records) in scenarios {
        let sample = records(&eth_key(0));
        println!(
            "ens_bridge/attestation/{scenario}: {} records, {} encoded bytes each",
            sample.count(),
            sample.size()
        );
        let voted = fixture.voted(records);
        let deciding = fixture.attestations(ORACLES[1], 0, records);
        // Each of them links: the ghost name is registered with the records.
        let built = build(&voted.store, &voted.head, deciding.clone());
        let linked = built
            .events
            .iter()
            .filter(|r| {
                matches!(
                    r.event,
                    ghost_runtime::RuntimeEvent::EnsBridge(ens_bridge::Event::Linked { .. })
                )
            })
            .count();
        assert_eq!(linked, N, "{scenario}: every attestation makes its link");
        group.bench_function(format!("attestation/{scenario}"), |b| {
            b.iter_batched(
                || deciding.clone(),
                |xts| build(&voted.store, &voted.head, xts),
                BatchSize::LargeInput,
            )
        });
    }
    group.finish();
}

criterion_group!(benches, ens_bridge_bench);
criterion_main!(benches);
