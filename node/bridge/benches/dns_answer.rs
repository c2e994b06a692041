//! A DNS answer from GhostBridge's index, without the network: the CPU one query costs the
//! server beyond its socket, at 1,000 and 100,000 names (each with A, AAAA and TXT records at
//! the apex, as `ghost bench register --records 3` writes them).
//!
//! - `parse/hickory` and `parse/plain_query`: decoding the query with hickory (the slow path's
//!   parser) and with the checked fast parser (`dns::wire::PlainQuery`, the UDP fast path's);
//! - `lookup/N`: `GhostZone::answer` for a random name of N (the index lookup and the records'
//!   conversion to DNS records);
//! - `answer/N`: the whole path: hickory decode, lookup, the response message built and encoded;
//! - `nxdomain/N`: the same for a name that is not registered (the SOA in the authority);
//! - `udp_fast/N` and `udp_slow/N`: one datagram through the UDP transport's entry
//!   (`UdpResponder::respond`: parse, answer, encode into a reused buffer, metrics) on the fast
//!   path, and forced through the `GhostHandler` path it falls back to.
//!
//! Run with `cargo bench -p ghost-bridge --bench dns_answer`.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use ghost_bridge::NameIndex;
use ghost_bridge::dns::wire::PlainQuery;
use ghost_bridge::dns::{DnsMetrics, GhostHandler, GhostZone, SoaConfig, UdpResponder};
use ghost_primitives::{DnsRecord, DomainName, Pair, RecordData, Web3Records};
use ghost_rpc::ResolutionJson;
use hickory_proto::op::{Message, OpCode, Query};
use hickory_proto::rr::{Name, RecordType};

fn records(i: usize) -> Vec<DnsRecord> {
    let b = (i % 250) as u8;
    vec![
        DnsRecord::apex(RecordData::A([10, 0, (i / 250 % 250) as u8, b])),
        DnsRecord::apex(RecordData::AAAA([
            0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, b,
        ])),
        DnsRecord::apex(RecordData::TXT(vec![b"v=ghost1 hello".to_vec()])),
    ]
}

/// A zone over `n` registered names `bench-name-{i}.ghost`.
fn zone(n: usize) -> GhostZone {
    let index = NameIndex::new();
    let owner = Pair::dev("Alice").public();
    for i in 0..n {
        let name = DomainName::parse(&format!("bench-name-{i}.ghost")).expect("valid name");
        index.apply(
            &name,
            Some(&ResolutionJson {
                namehash: name.namehash(),
                name: name.clone(),
                owner,
                records: records(i),
                web3: Web3Records::default(),
                expires_at: u64::MAX / 2,
                created_at: 0,
                status: "active".into(),
                parent: None,
                update_key: None,
                update_sequence: 0,
            }),
        );
    }
    GhostZone::new(index, &["ghost".into(), "bc".into()], SoaConfig::default()).expect("zones")
}

/// The wire form of an A query for `name`.
fn query(name: &str) -> Vec<u8> {
    let mut message = Message::query();
    message.add_query(Query::query(
        Name::from_ascii(name).expect("name"),
        RecordType::A,
    ));
    message.to_vec().expect("encodes")
}

/// What the server does for one query, minus the socket: decode, look up, encode the response.
fn answer(zone: &GhostZone, packet: &[u8], now: u64) -> Vec<u8> {
    let request = Message::from_vec(packet).expect("a query");
    let query = request.queries.first().expect("one question");
    let found = zone
        .answer(query.name(), query.query_type(), now)
        .expect("in zone");
    let mut response = Message::response(request.metadata.id, OpCode::Query);
    response.add_query(query.clone());
    response.add_answers(found.answers);
    response.add_authorities(found.authority);
    response.add_additionals(found.additional);
    response.to_vec().expect("encodes")
}

fn dns_answer(c: &mut Criterion) {
    let now = ghost_bridge::index::now_ms();
    let mut group = c.benchmark_group("dns");
    let packet = query("bench-name-7.ghost.");
    group.bench_function("parse/hickory", |b| {
        b.iter(|| Message::from_vec(std::hint::black_box(&packet)).expect("decodes"))
    });
    group.bench_function("parse/plain_query", |b| {
        b.iter(|| PlainQuery::parse(std::hint::black_box(&packet)).expect("plain"))
    });
    for n in [1_000usize, 100_000] {
        let zone = zone(n);
        let names: Vec<Name> = (0..1_024)
            .map(|i| Name::from_ascii(format!("bench-name-{}.ghost.", (i * 7_919) % n)).unwrap())
            .collect();
        let packets: Vec<Vec<u8>> = names.iter().map(|name| query(&name.to_ascii())).collect();
        let mut i = 0usize;
        group.bench_function(BenchmarkId::new("lookup", n), |b| {
            b.iter(|| {
                i = (i + 1) % names.len();
                zone.answer(&names[i], RecordType::A, now).expect("in zone")
            })
        });
        group.bench_function(BenchmarkId::new("answer", n), |b| {
            b.iter(|| {
                i = (i + 1) % packets.len();
                answer(&zone, &packets[i], now)
            })
        });
        let src = "127.0.0.1:5353".parse().expect("address");
        let mut responder =
            UdpResponder::new(GhostHandler::new(zone.clone(), DnsMetrics::new(), 1232));
        let mut out = Vec::new();
        // The names asked in turn, so after the first round every answer is in the worker's
        // cache: what a worker does for names it has answered since the last block.
        group.bench_function(BenchmarkId::new("udp_fast", n), |b| {
            b.iter(|| {
                i = (i + 1) % packets.len();
                assert!(responder.respond(&packets[i], src, &mut out));
            })
        });
        // A worker with an empty cache (a clone starts empty; made outside the timing): the
        // fast path building, encoding and caching the answer, as after every block.
        group.bench_function(BenchmarkId::new("udp_fast_uncached", n), |b| {
            b.iter_batched(
                || {
                    i = (i + 1) % packets.len();
                    (responder.clone(), i)
                },
                |(mut fresh, at)| {
                    assert!(fresh.respond(&packets[at], src, &mut out));
                    fresh
                },
                criterion::BatchSize::SmallInput,
            )
        });
        group.bench_function(BenchmarkId::new("udp_slow", n), |b| {
            b.iter(|| {
                i = (i + 1) % packets.len();
                assert!(responder.respond_slow(&packets[i], src, &mut out));
            })
        });
        let missing = query("not-registered.ghost.");
        group.bench_function(BenchmarkId::new("nxdomain", n), |b| {
            b.iter(|| answer(&zone, &missing, now))
        });
    }
    group.finish();
}

criterion_group!(benches, dns_answer);
criterion_main!(benches);
