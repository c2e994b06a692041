//! The DNS server against real clients: `dig` (package `dnsutils`) and raw hickory messages
//! over UDP and TCP on 127.0.0.1, answering from a name index filled directly.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, UdpSocket};
use std::process::Command;
use std::time::Duration;

use ghost_bridge::dns::{
    DnsConfig, DnsServerHandle, GhostHandler, GhostZone, RateLimitConfig, SoaConfig, serve,
};
use ghost_bridge::{BlockRef, NameIndex};
use ghost_primitives::{DnsRecord, DomainName, Hash, Pair, RecordData, RecordLabel, Web3Records};
use ghost_rpc::ResolutionJson;
use hickory_proto::op::{Edns, Message, MessageType, OpCode, Query, ResponseCode};
use hickory_proto::rr::{DNSClass, Name, RData, Record, RecordType};
use hickory_proto::serialize::binary::BinEncoder;
use hickory_server::net::NetError;
use hickory_server::net::runtime::TokioTime;
use hickory_server::net::xfer::Protocol;
use hickory_server::server::{Request, RequestHandler, ResponseHandler, ResponseInfo};
use hickory_server::zone_handler::MessageResponse;
use prometheus_client::registry::Registry;

const HEAD: u64 = 42;
const BIG_TXT_COUNT: usize = 30;
const TLSA_HEX: &str = "8cb0fc6c527506a053f4f14c8464bebbd6dede2738d11468dd953d7d6a3021f1";

fn record(label: &str, ttl: u32, assignment: &str) -> DnsRecord {
    DnsRecord {
        label: RecordLabel::parse(label).unwrap(),
        ttl,
        data: RecordData::parse_assignment(assignment).unwrap(),
    }
}

fn register(index: &NameIndex, name: &str, expires_at: u64, records: Vec<DnsRecord>) {
    let domain = DomainName::parse(name).unwrap();
    let resolution = ResolutionJson {
        namehash: domain.namehash(),
        name: domain.clone(),
        owner: Pair::dev("Alice").public(),
        records,
        web3: Web3Records::default(),
        expires_at,
        created_at: 0,
        status: "active".into(),
        parent: None,
        update_key: None,
        update_sequence: 0,
    };
    index.apply(&domain, Some(&resolution));
}

/// alice.ghost with every record type, a name with many TXT records, an A-only name, an expired
/// name, and a CNAME in `.bc` pointing into `.ghost`.
fn fixture() -> NameIndex {
    let index = NameIndex::new();
    register(
        &index,
        "alice.ghost",
        u64::MAX,
        vec![
            record("@", 300, "A=10.0.0.1"),
            record("@", 300, "AAAA=2001:db8::1"),
            record("@", 120, "TXT=hello world"),
            record("@", 300, "MX=10 mail.alice.ghost"),
            record("@", 300, "CAA=0 issue letsencrypt.org"),
            record("_sip._tcp", 300, "SRV=1 2 5060 sip.alice.ghost"),
            record("www", 60, "CNAME=alice.ghost"),
            record("_443._tcp", 300, &format!("TLSA=3 1 1 {TLSA_HEX}")),
        ],
    );
    let big = (0..BIG_TXT_COUNT)
        .map(|i| record("@", 300, &format!("TXT=record {i:02} {}", "x".repeat(50))))
        .collect();
    register(&index, "big.ghost", u64::MAX, big);
    register(
        &index,
        "plain.ghost",
        u64::MAX,
        vec![record("@", 300, "A=10.0.0.2")],
    );
    register(
        &index,
        "expired.ghost",
        1,
        vec![record("@", 300, "A=10.0.0.3")],
    );
    register(
        &index,
        "link.bc",
        u64::MAX,
        vec![record("@", 300, "CNAME=www.alice.ghost")],
    );
    index.set_head(BlockRef {
        height: HEAD,
        hash: Hash::ZERO,
    });
    index
}

async fn start(index: NameIndex) -> DnsServerHandle {
    serve(index, DnsConfig::new("127.0.0.1:0".parse().unwrap()))
        .await
        .unwrap()
}

// ---- dig ----------------------------------------------------------------------------------

/// What dig printed, by section.
#[derive(Debug, Default)]
struct Dig {
    status: String,
    flags: Vec<String>,
    answer_count: usize,
    question: Vec<String>,
    answer: Vec<Vec<String>>,
    authority: Vec<Vec<String>>,
    raw: String,
}

impl Dig {
    fn has_flag(&self, flag: &str) -> bool {
        self.flags.iter().any(|f| f == flag)
    }

    /// The rdata of each answer record of `rtype`, as dig prints it.
    fn rdata(&self, rtype: &str) -> Vec<String> {
        self.answer
            .iter()
            .filter(|r| r.get(3).is_some_and(|t| t == rtype))
            .map(|r| r[4..].join(" "))
            .collect()
    }
}

fn dig(addr: SocketAddr, args: &[&str]) -> Dig {
    let output = Command::new("dig")
        .arg(format!("@{}", addr.ip()))
        .args([
            "-p",
            &addr.port().to_string(),
            "+time=3",
            "+tries=1",
            "+nocmd",
            "+nostats",
        ])
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run `dig` ({e}); install the `dnsutils` package"));
    let raw = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "dig {args:?} failed: {raw}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    parse_dig(raw)
}

fn parse_dig(raw: String) -> Dig {
    let mut dig = Dig::default();
    let mut section = "";
    for line in raw.lines() {
        if let Some(rest) = line.split_once("status: ").map(|(_, r)| r) {
            dig.status = rest.split(',').next().unwrap_or_default().to_string();
        } else if let Some(rest) = line.strip_prefix(";; flags: ") {
            let (flags, counts) = rest.split_once(';').unwrap_or((rest, ""));
            dig.flags = flags.split_whitespace().map(str::to_string).collect();
            dig.answer_count = counts
                .split(',')
                .find_map(|c| c.trim().strip_prefix("ANSWER: "))
                .and_then(|n| n.trim().parse().ok())
                .unwrap_or(0);
        } else if let Some(name) = line
            .strip_prefix(";; ")
            .and_then(|l| l.strip_suffix(" SECTION:"))
        {
            section = match name {
                "QUESTION" => "question",
                "ANSWER" => "answer",
                "AUTHORITY" => "authority",
                _ => "",
            };
        } else if line.trim().is_empty() {
            section = "";
        } else {
            let fields = || {
                line.split_whitespace()
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            };
            match section {
                "question" => dig.question.push(line.trim_start_matches(';').to_string()),
                "answer" => dig.answer.push(fields()),
                "authority" => dig.authority.push(fields()),
                _ => {}
            }
        }
    }
    dig.raw = raw;
    dig
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dig_answers_every_record_type_authoritatively_without_recursion() {
    let server = start(fixture()).await;
    let addr = server.local_addr();
    for (name, rtype, expected) in [
        ("alice.ghost", "A", "10.0.0.1"),
        ("alice.ghost", "AAAA", "2001:db8::1"),
        ("alice.ghost", "TXT", "\"hello world\""),
        ("alice.ghost", "MX", "10 mail.alice.ghost."),
        ("alice.ghost", "CAA", "0 issue \"letsencrypt.org\""),
        ("_sip._tcp.alice.ghost", "SRV", "1 2 5060 sip.alice.ghost."),
        ("www.alice.ghost", "CNAME", "alice.ghost."),
        (
            "_443._tcp.alice.ghost",
            "TLSA",
            &format!("3 1 1 {}", TLSA_HEX.to_uppercase()),
        ),
    ] {
        let answer = dig(addr, &[name, rtype]);
        assert_eq!(answer.status, "NOERROR", "{name} {rtype}: {}", answer.raw);
        assert!(answer.has_flag("aa"), "{name} {rtype}: {}", answer.raw);
        assert!(!answer.has_flag("ra"), "{name} {rtype}: {}", answer.raw);
        // dig splits long hex; compare without spaces in the rdata's tail.
        let got: Vec<String> = answer
            .rdata(rtype)
            .iter()
            .map(|r| r.to_uppercase().replace(' ', ""))
            .collect();
        assert_eq!(
            got,
            [expected.to_uppercase().replace(' ', "")],
            "{name} {rtype}: {}",
            answer.raw
        );
    }
    let txt = dig(addr, &["alice.ghost", "TXT"]);
    assert_eq!(
        txt.answer[0][1], "120",
        "TTL comes from the record: {}",
        txt.raw
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dig_follows_a_cname_inside_the_zones_and_matches_names_case_insensitively() {
    let server = start(fixture()).await;
    let addr = server.local_addr();
    let www = dig(addr, &["www.alice.ghost", "A"]);
    assert_eq!(www.status, "NOERROR");
    assert_eq!(www.rdata("CNAME"), ["alice.ghost."], "{}", www.raw);
    assert_eq!(www.rdata("A"), ["10.0.0.1"], "{}", www.raw);

    // Two hops, across the two zones.
    let link = dig(addr, &["link.bc", "A"]);
    assert_eq!(
        link.rdata("CNAME"),
        ["www.alice.ghost.", "alice.ghost."],
        "{}",
        link.raw
    );
    assert_eq!(link.rdata("A"), ["10.0.0.1"], "{}", link.raw);

    let mixed = dig(addr, &["WwW.AlIcE.gHoSt", "A"]);
    assert_eq!(mixed.status, "NOERROR");
    assert_eq!(
        mixed.question,
        ["WwW.AlIcE.gHoSt.\t\tIN\tA"],
        "the question is echoed as asked: {}",
        mixed.raw
    );
    assert_eq!(mixed.rdata("A"), ["10.0.0.1"], "{}", mixed.raw);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dig_gets_nxdomain_with_the_soa_for_unregistered_and_expired_names() {
    let server = start(fixture()).await;
    let addr = server.local_addr();
    for name in [
        "bob.ghost",
        "expired.ghost",
        "deep.nobody.bc",
        "nope.alice.ghost",
    ] {
        let answer = dig(addr, &[name, "A"]);
        assert_eq!(answer.status, "NXDOMAIN", "{name}: {}", answer.raw);
        assert!(answer.has_flag("aa"), "{name}: {}", answer.raw);
        assert!(answer.answer.is_empty(), "{name}: {}", answer.raw);
        let soa = &answer.authority[0];
        assert_eq!(soa[3], "SOA", "{name}: {}", answer.raw);
        assert_eq!(
            soa[0],
            if name.ends_with(".bc") {
                "bc."
            } else {
                "ghost."
            }
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dig_gets_nodata_with_the_soa_when_the_name_lacks_the_type() {
    let server = start(fixture()).await;
    let addr = server.local_addr();
    for (name, rtype) in [
        ("alice.ghost", "NS"),
        ("plain.ghost", "MX"),
        ("_tcp.alice.ghost", "A"),
        ("ghost", "A"),
    ] {
        let answer = dig(addr, &[name, rtype]);
        assert_eq!(answer.status, "NOERROR", "{name} {rtype}: {}", answer.raw);
        assert!(answer.has_flag("aa"));
        assert!(answer.answer.is_empty(), "{name} {rtype}: {}", answer.raw);
        assert_eq!(answer.authority.len(), 1, "{name} {rtype}: {}", answer.raw);
        assert_eq!(answer.authority[0][3], "SOA");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dig_is_refused_outside_our_zones_even_asking_for_recursion() {
    let server = start(fixture()).await;
    let addr = server.local_addr();
    for name in ["example.com", "ghost.com", "."] {
        let answer = dig(addr, &["+rec", name, "A"]);
        assert_eq!(answer.status, "REFUSED", "{name}: {}", answer.raw);
        assert!(!answer.has_flag("aa"), "{name}: {}", answer.raw);
        assert!(!answer.has_flag("ra"), "{name}: {}", answer.raw);
        assert!(answer.answer.is_empty());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn soa_serial_is_the_head_height_and_moves_with_it() {
    let index = fixture();
    let server = start(index.clone()).await;
    let addr = server.local_addr();
    let soa = dig(addr, &["ghost", "SOA"]);
    assert_eq!(soa.status, "NOERROR");
    assert!(soa.has_flag("aa"));
    // ghost. 60 IN SOA ns.ghost. hostmaster.ghost. SERIAL REFRESH RETRY EXPIRE MINIMUM
    let fields = &soa.answer[0];
    assert_eq!(
        &fields[3..6],
        ["SOA", "ns.ghost.", "hostmaster.ghost."],
        "{}",
        soa.raw
    );
    assert_eq!(fields[6], HEAD.to_string());
    assert_eq!(fields[10], "60", "minimum");

    index.set_head(BlockRef {
        height: HEAD + 1,
        hash: Hash::ZERO,
    });
    let moved = dig(addr, &["ghost", "SOA", "+short"]);
    assert_eq!(
        moved.raw.split_whitespace().nth(2),
        Some((HEAD + 1).to_string().as_str()),
        "{}",
        moved.raw
    );

    let ns = dig(addr, &["ghost", "NS"]);
    assert_eq!(ns.rdata("NS"), ["ns.ghost."], "{}", ns.raw);
    let bc = dig(addr, &["bc", "SOA"]);
    assert_eq!(bc.answer[0][0], "bc.");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tcp_answers_like_udp() {
    let server = start(fixture()).await;
    let addr = server.local_addr();
    let a = dig(addr, &["+tcp", "alice.ghost", "A"]);
    assert_eq!(
        (a.status.as_str(), a.rdata("A")),
        ("NOERROR", vec!["10.0.0.1".to_string()]),
        "{}",
        a.raw
    );
    assert!(a.has_flag("aa"));
    let nx = dig(addr, &["+tcp", "bob.ghost", "A"]);
    assert_eq!(nx.status, "NXDOMAIN");
    let refused = dig(addr, &["+tcp", "example.com", "A"]);
    assert_eq!(refused.status, "REFUSED");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_answers_truncate_over_udp_and_come_whole_over_tcp() {
    let server = start(fixture()).await;
    let addr = server.local_addr();
    for args in [
        &["+bufsize=512", "+ignore"][..],
        &["+noedns", "+ignore"],
        &["+ignore"],
    ] {
        let udp = dig(addr, &[args, &["big.ghost", "TXT"]].concat());
        assert!(udp.has_flag("tc"), "{args:?}: {}", udp.raw);
        assert!(udp.answer_count < BIG_TXT_COUNT, "{args:?}: {}", udp.raw);
    }
    let tcp = dig(addr, &["+tcp", "big.ghost", "TXT"]);
    assert!(!tcp.has_flag("tc"), "{}", tcp.raw);
    assert_eq!(tcp.answer_count, BIG_TXT_COUNT, "{}", tcp.raw);
    assert_eq!(tcp.rdata("TXT").len(), BIG_TXT_COUNT);
    // Without +ignore dig retries over TCP by itself.
    let retried = dig(addr, &["+bufsize=512", "big.ghost", "TXT"]);
    assert_eq!(retried.answer_count, BIG_TXT_COUNT, "{}", retried.raw);
    // A client asking for a large buffer gets it (up to the server's 1232-byte cap).
    let small = dig(addr, &["+bufsize=4096", "alice.ghost", "A"]);
    assert!(small.raw.contains("udp: 1232"), "{}", small.raw);
    assert!(server.metrics().truncated() >= 4);
}

// ---- malformed input ------------------------------------------------------------------------

/// A small deterministic generator (xorshift64*), so failures replay.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next() as u8).collect()
    }
}

fn query_bytes(name: &str, qtype: RecordType) -> Vec<u8> {
    let mut message = Message::query();
    message.add_query(Query::query(Name::from_ascii(name).unwrap(), qtype));
    message.to_vec().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_over_udp_and_tcp_never_stops_the_server() {
    let server = start(fixture()).await;
    let addr = server.local_addr();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);

    let udp = UdpSocket::bind("127.0.0.1:0").unwrap();
    for len in [0, 1, 5, 11, 12, 13, 40, 100, 511, 512, 600, 1500, 4000] {
        for _ in 0..4 {
            udp.send_to(&rng.bytes(len), addr).unwrap();
        }
    }
    // A valid query with bytes flipped, and hickory's historical crasher (issue #2210).
    let valid = query_bytes("alice.ghost.", RecordType::A);
    for _ in 0..200 {
        let mut mutated = valid.clone();
        for _ in 0..3 {
            let at = rng.next() as usize % mutated.len();
            mutated[at] = rng.next() as u8;
        }
        udp.send_to(&mutated, addr).unwrap();
    }
    let mut crasher = vec![
        0x08, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc0, 0x00,
    ];
    crasher.resize(48, 0);
    udp.send_to(&crasher, addr).unwrap();

    // TCP: a garbage frame, an empty frame, a frame longer than what follows, a connection
    // that sends half a length prefix, and one that sends nothing.
    let mut frames: Vec<Vec<u8>> = Vec::new();
    let garbage = rng.bytes(64);
    frames.push([&(garbage.len() as u16).to_be_bytes()[..], &garbage].concat());
    frames.push(vec![0, 0]);
    frames.push([&[0xff, 0xff][..], &rng.bytes(10)].concat());
    frames.push(vec![0x01]);
    frames.push(Vec::new());
    let mut idle = Vec::new();
    for frame in frames {
        let mut stream = TcpStream::connect(addr).unwrap();
        stream.write_all(&frame).unwrap();
        idle.push(stream);
    }
    // Garbage followed by a valid query on the same connection: hickory may answer FORMERR or
    // close, but must not take the server down.
    {
        let mut stream = TcpStream::connect(addr).unwrap();
        let garbage = rng.bytes(30);
        stream
            .write_all(&[&(garbage.len() as u16).to_be_bytes()[..], &garbage].concat())
            .unwrap();
        let _ = stream.write_all(&[&(valid.len() as u16).to_be_bytes()[..], &valid].concat());
    }

    for args in [&["alice.ghost", "A"][..], &["+tcp", "alice.ghost", "A"]] {
        let answer = dig(addr, args);
        assert_eq!(answer.rdata("A"), ["10.0.0.1"], "{args:?}: {}", answer.raw);
    }
    drop(idle);
    let again = exchange_udp(addr, &query("alice.ghost.", RecordType::A));
    assert_eq!(again.metadata.response_code, ResponseCode::NoError);
}

// ---- raw hickory messages -----------------------------------------------------------------

fn query(name: &str, qtype: RecordType) -> Message {
    let mut message = Message::query();
    message.metadata.recursion_desired = true;
    message.add_query(Query::query(Name::from_ascii(name).unwrap(), qtype));
    message
}

fn exchange_udp(addr: SocketAddr, message: &Message) -> Message {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(3)))
        .unwrap();
    socket.send_to(&message.to_vec().unwrap(), addr).unwrap();
    let mut buf = vec![0; 65_535];
    let (len, _) = socket.recv_from(&mut buf).unwrap();
    let response = Message::from_vec(&buf[..len]).unwrap();
    assert_eq!(response.metadata.id, message.metadata.id);
    assert_eq!(response.metadata.message_type, MessageType::Response);
    response
}

fn exchange_tcp(addr: SocketAddr, message: &Message) -> Message {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(3)))
        .unwrap();
    let bytes = message.to_vec().unwrap();
    stream
        .write_all(&[&(bytes.len() as u16).to_be_bytes()[..], &bytes].concat())
        .unwrap();
    let mut len = [0; 2];
    stream.read_exact(&mut len).unwrap();
    let mut buf = vec![0; usize::from(u16::from_be_bytes(len))];
    stream.read_exact(&mut buf).unwrap();
    Message::from_vec(&buf).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn raw_messages_get_exact_response_codes_and_flags() {
    let server = start(fixture()).await;
    let addr = server.local_addr();

    let a = exchange_udp(addr, &query("alice.ghost.", RecordType::A));
    assert_eq!(a.metadata.response_code, ResponseCode::NoError);
    assert!(
        a.metadata.authoritative && !a.metadata.recursion_available && a.metadata.recursion_desired
    );
    assert!(!a.metadata.truncation);
    assert_eq!(a.answers.len(), 1);
    assert!(
        matches!(a.answers[0].data, RData::A(ip) if ip.0 == std::net::Ipv4Addr::new(10, 0, 0, 1))
    );
    assert!(
        a.edns.is_none(),
        "no OPT in the response to a query without one"
    );

    let nx = exchange_udp(addr, &query("bob.ghost.", RecordType::A));
    assert_eq!(nx.metadata.response_code, ResponseCode::NXDomain);
    assert!(nx.metadata.authoritative && !nx.metadata.recursion_available);
    assert!(
        matches!(&nx.authorities[..], [Record { data: RData::SOA(soa), .. }] if soa.serial == HEAD as u32)
    );

    let refused = exchange_udp(addr, &query("example.com.", RecordType::A));
    assert_eq!(refused.metadata.response_code, ResponseCode::Refused);
    assert!(!refused.metadata.authoritative && !refused.metadata.recursion_available);

    let mut notify = query("alice.ghost.", RecordType::SOA);
    notify.metadata.op_code = OpCode::Notify;
    assert_eq!(
        exchange_udp(addr, &notify).metadata.response_code,
        ResponseCode::NotImp
    );

    let mut chaos = query("version.bind.", RecordType::TXT);
    chaos.queries[0].set_query_class(DNSClass::CH);
    assert_eq!(
        exchange_udp(addr, &chaos).metadata.response_code,
        ResponseCode::NotImp
    );

    let mut two = query("alice.ghost.", RecordType::A);
    two.add_query(Query::query(
        Name::from_ascii("plain.ghost.").unwrap(),
        RecordType::A,
    ));
    assert_eq!(
        exchange_udp(addr, &two).metadata.response_code,
        ResponseCode::FormErr
    );

    let none = Message::query();
    assert_eq!(
        exchange_udp(addr, &none).metadata.response_code,
        ResponseCode::FormErr
    );

    let mut future_edns = query("alice.ghost.", RecordType::A);
    let mut edns = Edns::new();
    edns.set_version(1);
    future_edns.set_edns(edns);
    let badvers = exchange_udp(addr, &future_edns);
    // BADVERS and BADSIG share code 16; hickory decodes it as BADSIG.
    assert_eq!(
        u16::from(badvers.metadata.response_code),
        u16::from(ResponseCode::BADVERS)
    );
    assert_eq!(badvers.edns.as_ref().map(Edns::version), Some(0));

    let mut sized = query("alice.ghost.", RecordType::A);
    let mut edns = Edns::new();
    edns.set_max_payload(4096);
    sized.set_edns(edns);
    assert_eq!(
        exchange_udp(addr, &sized).edns.map(|e| e.max_payload()),
        Some(1232)
    );

    let axfr = exchange_tcp(addr, &query("ghost.", RecordType::AXFR));
    assert_eq!(axfr.metadata.response_code, ResponseCode::Refused);

    let big = exchange_udp(addr, &query("big.ghost.", RecordType::TXT));
    assert!(big.metadata.truncation && big.answers.len() < BIG_TXT_COUNT);
    let whole = exchange_tcp(addr, &query("big.ghost.", RecordType::TXT));
    assert!(!whole.metadata.truncation);
    assert_eq!(whole.answers.len(), BIG_TXT_COUNT);

    // RFC 8482: one synthesized HINFO, not the five records at the name, over UDP and TCP.
    for any in [
        exchange_udp(addr, &query("alice.ghost.", RecordType::ANY)),
        exchange_tcp(addr, &query("alice.ghost.", RecordType::ANY)),
    ] {
        assert_eq!(any.metadata.response_code, ResponseCode::NoError);
        assert!(any.metadata.authoritative && !any.metadata.truncation);
        match &any.answers[..] {
            [
                Record {
                    data: RData::HINFO(hinfo),
                    ..
                },
            ] => {
                assert_eq!((&*hinfo.cpu, &*hinfo.os), (&b"RFC8482"[..], &b""[..]));
            }
            other => panic!("ANY must get the RFC 8482 answer: {other:?}"),
        }
    }
    // big.ghost holds 30 TXT records (~2 KB): ANY stays small and never truncates.
    let big_any = exchange_udp(addr, &query("big.ghost.", RecordType::ANY));
    assert!(!big_any.metadata.truncation && big_any.answers.len() == 1);
    let apex_any = exchange_udp(addr, &query("ghost.", RecordType::ANY));
    let types: Vec<RecordType> = apex_any.answers.iter().map(Record::record_type).collect();
    assert_eq!(types, [RecordType::SOA]);
    assert_eq!(
        exchange_udp(addr, &query("bob.ghost.", RecordType::ANY))
            .metadata
            .response_code,
        ResponseCode::NXDomain
    );
}

// ---- delegation -----------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dig_gets_a_referral_with_glue_for_a_delegated_name_and_the_apex_names_its_servers() {
    let index = fixture();
    register(
        &index,
        "hosted.ghost",
        u64::MAX,
        vec![
            record("@", 300, "NS=ns1.hosted.ghost"),
            record("@", 300, "NS=ns.example.net"),
            record("ns1", 300, "A=192.0.2.53"),
        ],
    );
    let mut config = DnsConfig::new("127.0.0.1:0".parse().unwrap());
    config.soa = SoaConfig {
        nameservers: vec!["ns1.ghost".into(), "ns2.ghost".into()],
        nameserver_addrs: vec![
            ("ns1.ghost".into(), "192.0.2.10".parse().unwrap()),
            ("ns2.ghost".into(), "192.0.2.11".parse().unwrap()),
        ],
        ..SoaConfig::default()
    };
    let server = serve(index, config).await.unwrap();
    let addr = server.local_addr();

    for qname in ["hosted.ghost", "www.hosted.ghost"] {
        let referral = dig(addr, &["+norecurse", qname, "A"]);
        assert_eq!(referral.status, "NOERROR", "{}", referral.raw);
        assert!(
            !referral.has_flag("aa"),
            "a referral is not authoritative: {}",
            referral.raw
        );
        assert_eq!(referral.answer_count, 0, "{}", referral.raw);
        let ns: Vec<String> = referral
            .authority
            .iter()
            .filter(|r| r[3] == "NS")
            .map(|r| format!("{} {}", r[0], r[4]))
            .collect();
        assert_eq!(
            ns,
            [
                "hosted.ghost. ns.example.net.",
                "hosted.ghost. ns1.hosted.ghost."
            ],
            "{}",
            referral.raw
        );
        assert!(
            referral
                .raw
                .lines()
                .any(|l| l.split_whitespace().collect::<Vec<_>>()
                    == ["ns1.hosted.ghost.", "300", "IN", "A", "192.0.2.53"]),
            "glue for the in-zone server: {}",
            referral.raw
        );
    }
    // Names that are not delegated keep their authoritative answers.
    let own = dig(addr, &["alice.ghost", "A"]);
    assert!(
        own.has_flag("aa") && own.rdata("A") == ["10.0.0.1"],
        "{}",
        own.raw
    );

    let apex = dig(addr, &["ghost", "NS"]);
    assert!(apex.has_flag("aa"), "{}", apex.raw);
    assert_eq!(
        apex.rdata("NS"),
        ["ns1.ghost.", "ns2.ghost."],
        "{}",
        apex.raw
    );
    for glue in [
        "ns1.ghost. 3600 IN A 192.0.2.10",
        "ns2.ghost. 3600 IN A 192.0.2.11",
    ] {
        let fields: Vec<&str> = glue.split(' ').collect();
        assert!(
            apex.raw
                .lines()
                .any(|l| l.split_whitespace().collect::<Vec<_>>() == fields),
            "glue {glue}: {}",
            apex.raw
        );
    }
    let server_a = dig(addr, &["ns2.ghost", "A"]);
    assert!(
        server_a.has_flag("aa") && server_a.rdata("A") == ["192.0.2.11"],
        "{}",
        server_a.raw
    );
    let soa = dig(addr, &["bc", "SOA"]);
    assert!(
        soa.rdata("SOA")[0].starts_with("ns1.ghost. hostmaster.ghost."),
        "{}",
        soa.raw
    );
}

// ---- abuse limits ---------------------------------------------------------------------------

/// A server rate-limiting loopback clients to one identical response a second, with a long
/// window so the debt of a burst outlasts any second boundary the test crosses.
async fn start_limited(slip: u32) -> DnsServerHandle {
    let mut config = DnsConfig::new("127.0.0.1:0".parse().unwrap());
    config.limits.rate_limit = RateLimitConfig {
        responses_per_second: 1,
        window: 60,
        slip,
        limit_loopback: true,
        ..RateLimitConfig::default()
    };
    serve(fixture(), config).await.unwrap()
}

/// Sends `message` over UDP and waits up to 300 ms for the answer.
fn try_udp(addr: SocketAddr, message: &Message) -> Option<Message> {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket
        .set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    socket.send_to(&message.to_vec().unwrap(), addr).unwrap();
    let mut buf = vec![0; 65_535];
    let (len, _) = socket.recv_from(&mut buf).ok()?;
    Some(Message::from_vec(&buf[..len]).unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limited_responses_slip_to_truncated_and_dig_gets_the_answer_over_tcp() {
    let server = start_limited(1).await;
    let addr = server.local_addr();
    let answers: Vec<Message> = (0..20)
        .map(|_| exchange_udp(addr, &query("alice.ghost.", RecordType::A)))
        .collect();
    assert_eq!(answers[0].answers.len(), 1);
    assert!(!answers[0].metadata.truncation);
    let truncated: Vec<&Message> = answers.iter().filter(|m| m.metadata.truncation).collect();
    // Slip 1: every limited response is an empty TC answer echoing the question.
    assert!(truncated.len() >= 18, "{} of 20 truncated", truncated.len());
    for slip in &truncated {
        assert!(slip.answers.is_empty() && slip.authorities.is_empty());
        assert_eq!(slip.queries.len(), 1);
    }
    assert_eq!(
        server.metrics().rate_limited_count("slipped"),
        truncated.len() as u64
    );
    // Another response (another type) has its own credit.
    assert_eq!(
        exchange_udp(addr, &query("alice.ghost.", RecordType::TXT))
            .answers
            .len(),
        1
    );
    // A real client whose UDP answer is limited retries over TCP, which is never limited.
    let limited = dig(addr, &["alice.ghost", "A"]);
    assert_eq!(limited.rdata("A"), ["10.0.0.1"], "{}", limited.raw);
    assert!(
        limited.raw.contains("Truncated, retrying in TCP mode"),
        "{}",
        limited.raw
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_slip_zero_limited_responses_are_dropped() {
    let server = start_limited(0).await;
    let addr = server.local_addr();
    let first = try_udp(addr, &query("bob.ghost.", RecordType::A)).expect("the first is sent");
    assert_eq!(first.metadata.response_code, ResponseCode::NXDomain);
    // NXDOMAIN is limited per zone: another missing name shares the bucket.
    let sent = (0..3)
        .filter_map(|i| try_udp(addr, &query(&format!("nobody{i}.ghost."), RecordType::A)))
        .count();
    let dropped = server.metrics().rate_limited_count("dropped");
    assert_eq!(sent as u64 + dropped, 3);
    assert!(dropped >= 2, "{dropped} of 3 dropped");
    assert_eq!(server.metrics().rate_limited_count("slipped"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn loopback_clients_are_not_rate_limited_by_default() {
    let config = DnsConfig::new("127.0.0.1:0".parse().unwrap());
    assert!(config.limits.rate_limit.responses_per_second > 0);
    let server = serve(fixture(), config).await.unwrap();
    let addr = server.local_addr();
    for _ in 0..100 {
        let answer = exchange_udp(addr, &query("alice.ghost.", RecordType::A));
        assert_eq!(answer.answers.len(), 1);
        assert!(!answer.metadata.truncation);
    }
    assert_eq!(server.metrics().rate_limited_count("dropped"), 0);
    assert_eq!(server.metrics().rate_limited_count("slipped"), 0);
}

/// Whether the server closed `stream` (EOF or reset) within 3 s.
fn closed_by_server(stream: &mut TcpStream) -> bool {
    stream
        .set_read_timeout(Some(Duration::from_secs(3)))
        .unwrap();
    let mut byte = [0; 1];
    match stream.read(&mut byte) {
        Ok(0) => true,
        Ok(_) => false,
        Err(error) => !matches!(
            error.kind(),
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
        ),
    }
}

/// Sends one query on an open TCP connection and reads its answer.
fn ask_on(stream: &mut TcpStream, message: &Message) -> Message {
    let bytes = message.to_vec().unwrap();
    stream
        .write_all(&[&(bytes.len() as u16).to_be_bytes()[..], &bytes].concat())
        .unwrap();
    let mut len = [0; 2];
    stream.read_exact(&mut len).unwrap();
    let mut buf = vec![0; usize::from(u16::from_be_bytes(len))];
    stream.read_exact(&mut buf).unwrap();
    Message::from_vec(&buf).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tcp_connections_past_the_cap_are_closed_until_one_ends() {
    let mut config = DnsConfig::new("127.0.0.1:0".parse().unwrap());
    config.limits.max_tcp_connections = 2;
    config.limits.tcp_idle_timeout = Duration::from_secs(30);
    let server = serve(fixture(), config).await.unwrap();
    let addr = server.local_addr();
    let mut held: Vec<TcpStream> = (0..2).map(|_| TcpStream::connect(addr).unwrap()).collect();
    for stream in &mut held {
        stream
            .set_read_timeout(Some(Duration::from_secs(3)))
            .unwrap();
        assert_eq!(
            ask_on(stream, &query("alice.ghost.", RecordType::A))
                .answers
                .len(),
            1
        );
    }
    let mut third = TcpStream::connect(addr).unwrap();
    assert!(closed_by_server(&mut third), "a third connection is closed");
    assert_eq!(server.metrics().tcp_refused(), 1);
    // UDP is unaffected.
    assert_eq!(
        exchange_udp(addr, &query("alice.ghost.", RecordType::A))
            .answers
            .len(),
        1
    );
    // Once a held connection ends, its slot is free again.
    drop(held.pop());
    let mut answered = None;
    for _ in 0..100 {
        let mut stream = TcpStream::connect(addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(3)))
            .unwrap();
        let bytes = query("plain.ghost.", RecordType::A).to_vec().unwrap();
        let _ = stream.write_all(&[&(bytes.len() as u16).to_be_bytes()[..], &bytes].concat());
        let mut len = [0; 2];
        if stream.read_exact(&mut len).is_ok() {
            let mut buf = vec![0; usize::from(u16::from_be_bytes(len))];
            stream.read_exact(&mut buf).unwrap();
            answered = Some(Message::from_vec(&buf).unwrap());
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let answered = answered.expect("a slot frees when a connection ends");
    assert_eq!(answered.answers.len(), 1);
    // The connection still held keeps working.
    assert_eq!(
        ask_on(&mut held[0], &query("alice.ghost.", RecordType::TXT))
            .answers
            .len(),
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_tcp_connections_are_closed() {
    let mut config = DnsConfig::new("127.0.0.1:0".parse().unwrap());
    config.limits.tcp_idle_timeout = Duration::from_millis(200);
    let server = serve(fixture(), config).await.unwrap();
    let mut silent = TcpStream::connect(server.local_addr()).unwrap();
    assert!(
        closed_by_server(&mut silent),
        "a silent connection is closed"
    );
    let mut used = TcpStream::connect(server.local_addr()).unwrap();
    used.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
    assert_eq!(
        ask_on(&mut used, &query("alice.ghost.", RecordType::A))
            .answers
            .len(),
        1
    );
    assert!(
        closed_by_server(&mut used),
        "idle after a query, it is closed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_queries_by_type_and_rcode() {
    let mut registry = Registry::with_prefix("ghostchain");
    let config = DnsConfig::new("127.0.0.1:0".parse().unwrap()).with_registry(&mut registry);
    let server = serve(fixture(), config).await.unwrap();
    let addr = server.local_addr();
    exchange_udp(addr, &query("alice.ghost.", RecordType::A));
    exchange_udp(addr, &query("alice.ghost.", RecordType::A));
    exchange_udp(addr, &query("bob.ghost.", RecordType::MX));
    exchange_tcp(addr, &query("example.com.", RecordType::A));

    let metrics = server.metrics();
    assert_eq!(
        metrics.queries(RecordType::A, ResponseCode::NoError, "udp"),
        2
    );
    assert_eq!(
        metrics.queries(RecordType::MX, ResponseCode::NXDomain, "udp"),
        1
    );
    assert_eq!(
        metrics.queries(RecordType::A, ResponseCode::Refused, "tcp"),
        1
    );

    let mut text = String::new();
    prometheus_client::encoding::text::encode(&mut text, &registry).unwrap();
    assert!(
        text.contains(
            r#"ghostchain_dns_queries_total{qtype="A",rcode="NOERROR",transport="udp"} 2"#
        ),
        "{text}"
    );
    assert!(
        text.contains("ghostchain_dns_query_duration_seconds_count 4"),
        "{text}"
    );
    assert!(
        text.contains("ghostchain_dns_truncated_responses_total 0"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stopping_the_server_frees_the_port() {
    let server = start(fixture()).await;
    let addr = server.local_addr();
    assert_eq!(
        exchange_tcp(addr, &query("alice.ghost.", RecordType::A))
            .answers
            .len(),
        1
    );
    server.stop().await;
    // Another test's `dig` being spawned (fork, then exec) can hold a copy of the closed
    // sockets for a moment, so binding the same address again may need a retry.
    let mut again = None;
    for _ in 0..100 {
        match serve(fixture(), DnsConfig::new(addr)).await {
            Ok(server) => {
                again = Some(server);
                break;
            }
            Err(error) if error.kind() == std::io::ErrorKind::AddrInUse => {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            Err(error) => panic!("{error}"),
        }
    }
    let again = again.expect("the address is free again after stop");
    assert_eq!(again.local_addr(), addr);
    assert_eq!(
        exchange_udp(addr, &query("alice.ghost.", RecordType::A))
            .answers
            .len(),
        1
    );
    assert_eq!(
        exchange_tcp(addr, &query("alice.ghost.", RecordType::A))
            .answers
            .len(),
        1
    );
    drop(again);
}

#[tokio::test]
async fn invalid_configurations_are_refused() {
    let mut config = DnsConfig::new("127.0.0.1:0".parse().unwrap());
    config.zones = vec!["not a zone".into()];
    let error = serve(NameIndex::new(), config).await.unwrap_err();
    assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput);
}

// ---- the handler in process, on arbitrary bytes ---------------------------------------------

/// A response sink that encodes like hickory does over UDP (512 bytes, no EDNS).
#[derive(Clone)]
struct Capture;

#[async_trait::async_trait]
impl ResponseHandler for Capture {
    async fn send_response<'a>(
        &mut self,
        response: MessageResponse<
            '_,
            'a,
            impl Iterator<Item = &'a Record> + Send + 'a,
            impl Iterator<Item = &'a Record> + Send + 'a,
            impl Iterator<Item = &'a Record> + Send + 'a,
            impl Iterator<Item = &'a Record> + Send + 'a,
        >,
    ) -> Result<ResponseInfo, NetError> {
        let mut bytes = Vec::new();
        let mut encoder = BinEncoder::new(&mut bytes);
        encoder.set_max_size(512);
        Ok(response.destructive_emit(&mut encoder)?)
    }
}

fn handler() -> GhostHandler {
    let zone = GhostZone::new(
        fixture(),
        &["ghost".into(), "bc".into()],
        SoaConfig::default(),
    )
    .unwrap();
    GhostHandler::new(zone, Default::default(), 1232)
}

/// What the handler must answer for a well-formed query with these fields (checked in this
/// order, as `GhostHandler::check` does).
fn expected_rcode(
    op_code: OpCode,
    edns_version: Option<u8>,
    class: DNSClass,
    qtype: RecordType,
    name: &str,
) -> ResponseCode {
    let in_zone =
        name.ends_with(".ghost.") || name.ends_with(".bc.") || name == "ghost." || name == "bc.";
    if op_code != OpCode::Query {
        ResponseCode::NotImp
    } else if edns_version.is_some_and(|v| v > 0) {
        ResponseCode::BADVERS
    } else if class != DNSClass::IN {
        ResponseCode::NotImp
    } else if matches!(qtype, RecordType::AXFR | RecordType::IXFR) || !in_zone {
        ResponseCode::Refused
    } else if [
        "alice.ghost.",
        "www.alice.ghost.",
        "plain.ghost.",
        "big.ghost.",
        "link.bc.",
        "ghost.",
        "bc.",
        "_tcp.alice.ghost.",
        "_sip._tcp.alice.ghost.",
        "_443._tcp.alice.ghost.",
    ]
    .contains(&name)
    {
        ResponseCode::NoError
    } else {
        ResponseCode::NXDomain
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]

    #[test]
    fn the_handler_never_panics_on_arbitrary_messages(
        bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..600),
        flips in proptest::collection::vec((proptest::prelude::any::<usize>(), proptest::prelude::any::<u8>()), 0..6),
        tcp in proptest::prelude::any::<bool>(),
    ) {
        let handler = handler();
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let protocol = if tcp { Protocol::Tcp } else { Protocol::Udp };
        let src: SocketAddr = "127.0.0.1:5353".parse().unwrap();
        let mut mutated = query_bytes("www.alice.ghost.", RecordType::A);
        for (at, byte) in flips {
            let len = mutated.len();
            mutated[at % len] = byte;
        }
        for raw in [bytes, mutated] {
            if let Ok(request) = Request::from_bytes(raw, src, protocol) {
                let info = runtime.block_on(handler.handle_request::<_, TokioTime>(&request, Capture));
                proptest::prop_assert!(!info.recursion_available);
            }
        }
    }

    /// Well-formed queries with random fields (name, type, class, opcode, flags, EDNS) get
    /// exactly the response code the policy prescribes, the query's id, AA only on answers
    /// from our zones, and never RA.
    #[test]
    fn valid_queries_with_random_fields_get_the_prescribed_answer(
        labels in proptest::collection::vec(
            proptest::prop_oneof![
                proptest::strategy::Just("alice".to_string()),
                proptest::strategy::Just("www".to_string()),
                proptest::strategy::Just("_tcp".to_string()),
                proptest::strategy::Just("plain".to_string()),
                "[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?",
            ],
            0..4,
        ),
        tld in proptest::prop_oneof![
            proptest::strategy::Just("ghost"),
            proptest::strategy::Just("bc"),
            proptest::strategy::Just("com"),
            proptest::strategy::Just("ghost.com"),
        ],
        upper in proptest::prelude::any::<bool>(),
        qtype in proptest::prop_oneof![
            proptest::sample::select(vec![
                RecordType::A, RecordType::AAAA, RecordType::CNAME, RecordType::TXT,
                RecordType::MX, RecordType::NS, RecordType::SRV, RecordType::CAA,
                RecordType::TLSA, RecordType::SOA, RecordType::ANY, RecordType::AXFR,
                RecordType::IXFR, RecordType::HTTPS, RecordType::DS, RecordType::PTR,
            ]),
            proptest::strategy::Strategy::prop_map(65_280u16..65_534, RecordType::from),
        ],
        class in proptest::sample::select(vec![DNSClass::IN, DNSClass::CH, DNSClass::HS]),
        op_code in proptest::sample::select(vec![OpCode::Query, OpCode::Query, OpCode::Query, OpCode::Notify, OpCode::Update, OpCode::Status]),
        id in proptest::prelude::any::<u16>(),
        rd in proptest::prelude::any::<bool>(),
        edns in proptest::option::of((0u8..3, 0u16..=u16::MAX)),
        tcp in proptest::prelude::any::<bool>(),
    ) {
        let mut name = labels.join(".");
        if !name.is_empty() {
            name.push('.');
        }
        name.push_str(tld);
        name.push('.');
        let asked = if upper { name.to_ascii_uppercase() } else { name.clone() };
        let mut message = Message::query();
        message.metadata.id = id;
        message.metadata.op_code = op_code;
        message.metadata.recursion_desired = rd;
        let mut question = Query::query(Name::from_ascii(&asked).unwrap(), qtype);
        question.set_query_class(class);
        message.add_query(question);
        if let Some((version, payload)) = edns {
            let mut opt = Edns::new();
            opt.set_version(version);
            opt.set_max_payload(payload);
            message.set_edns(opt);
        }
        let protocol = if tcp { Protocol::Tcp } else { Protocol::Udp };
        let request = Request::from_bytes(message.to_vec().unwrap(), "127.0.0.1:5353".parse().unwrap(), protocol)
            .expect("a query hickory built parses");
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let info = runtime.block_on(handler().handle_request::<_, TokioTime>(&request, Capture));
        let expected = expected_rcode(op_code, edns.map(|(v, _)| v), class, qtype, &name);
        proptest::prop_assert_eq!(u16::from(info.response_code), u16::from(expected), "{} {:?} {:?} {:?}", asked, qtype, class, op_code);
        proptest::prop_assert_eq!(info.id, id);
        proptest::prop_assert!(!info.recursion_available);
        proptest::prop_assert_eq!(info.recursion_desired, rd);
        proptest::prop_assert_eq!(
            info.authoritative,
            matches!(expected, ResponseCode::NoError | ResponseCode::NXDomain)
        );
    }
}

// ---- the UDP fast path against the slow path ------------------------------------------------

mod udp_fast_path {
    use super::*;
    use ghost_bridge::dns::{DnsMetrics, UdpResponder};
    use proptest::prelude::*;

    const CLIENT: &str = "192.0.2.1:5353";

    fn responder() -> UdpResponder {
        UdpResponder::new(handler())
    }

    fn plain_query(name: &str, qtype: RecordType, edns: Option<(u16, bool)>) -> Vec<u8> {
        let mut message = query(name, qtype);
        message.metadata.id = 0x5a5a;
        message.metadata.checking_disabled = true;
        if let Some((payload, dnssec_ok)) = edns {
            let mut opt = Edns::new();
            opt.set_max_payload(payload);
            opt.set_dnssec_ok(dnssec_ok);
            message.set_edns(opt);
        }
        message.to_vec().unwrap()
    }

    /// The response of each path to `packet`, fast path first.
    fn both(packet: &[u8]) -> (Option<Vec<u8>>, Option<Vec<u8>>) {
        let src = CLIENT.parse().unwrap();
        let (mut fast, mut slow) = (Vec::new(), Vec::new());
        let fast = responder().respond(packet, src, &mut fast).then_some(fast);
        let slow = responder()
            .respond_slow(packet, src, &mut slow)
            .then_some(slow);
        (fast, slow)
    }

    /// Names as text, case kept (hickory compares names case-insensitively).
    fn owners(records: &[Record]) -> Vec<String> {
        records.iter().map(|r| r.name.to_string()).collect()
    }

    /// The two responses say the same thing: header, question as asked, every section, OPT.
    fn assert_same(fast: &[u8], slow: &[u8]) {
        let (f, s) = (
            Message::from_vec(fast).unwrap(),
            Message::from_vec(slow).unwrap(),
        );
        assert_eq!(f.metadata, s.metadata);
        assert_eq!(f.queries, s.queries);
        assert_eq!(
            f.queries
                .iter()
                .map(|q| q.name().to_string())
                .collect::<Vec<_>>(),
            s.queries
                .iter()
                .map(|q| q.name().to_string())
                .collect::<Vec<_>>()
        );
        assert_eq!(f.answers, s.answers);
        assert_eq!(owners(&f.answers), owners(&s.answers));
        assert_eq!(f.authorities, s.authorities);
        assert_eq!(f.additionals, s.additionals);
        assert_eq!(
            f.edns.as_ref().map(|e| (
                e.max_payload(),
                e.version(),
                e.flags().dnssec_ok,
                e.rcode_high()
            )),
            s.edns.as_ref().map(|e| (
                e.max_payload(),
                e.version(),
                e.flags().dnssec_ok,
                e.rcode_high()
            ))
        );
        assert!(
            fast.len() <= slow.len(),
            "the fast path compresses at least as much"
        );
    }

    #[test]
    fn fast_answers_match_the_slow_path_and_point_the_owner_at_the_question() {
        let cases = [
            ("alice.ghost.", RecordType::A, ResponseCode::NoError),
            ("alice.ghost.", RecordType::AAAA, ResponseCode::NoError),
            ("alice.ghost.", RecordType::TXT, ResponseCode::NoError),
            ("alice.ghost.", RecordType::MX, ResponseCode::NoError),
            ("alice.ghost.", RecordType::CAA, ResponseCode::NoError),
            (
                "_sip._tcp.alice.ghost.",
                RecordType::SRV,
                ResponseCode::NoError,
            ),
            (
                "_443._tcp.alice.ghost.",
                RecordType::TLSA,
                ResponseCode::NoError,
            ),
            ("AlIcE.GhOsT.", RecordType::A, ResponseCode::NoError),
        ];
        for (name, qtype, rcode) in cases {
            for edns in [
                None,
                Some((1232, false)),
                Some((4096, true)),
                Some((100, false)),
            ] {
                let packet = plain_query(name, qtype, edns);
                let (Some(fast), Some(slow)) = both(&packet) else {
                    panic!("{name} {qtype}: no response");
                };
                assert_same(&fast, &slow);
                let response = Message::from_vec(&fast).unwrap();
                assert_eq!(response.metadata.response_code, rcode);
                assert!(response.metadata.authoritative);
                // The answer owner is a pointer to the question name, right after the question.
                let question_end = 12 + name.len() + 1 + 4;
                assert_eq!(
                    &fast[question_end..question_end + 2],
                    &[0xc0, 0x0c],
                    "{name} {qtype}"
                );
                assert!(
                    fast.len() < slow.len(),
                    "{name} {qtype}: the fast path compressed"
                );
            }
        }
    }

    #[test]
    fn negative_cname_apex_and_outside_answers_match_the_slow_path() {
        let cases = [
            ("nope.ghost.", RecordType::A, ResponseCode::NXDomain),
            ("expired.ghost.", RecordType::A, ResponseCode::NXDomain),
            ("NoPe.Bc.", RecordType::TXT, ResponseCode::NXDomain),
            ("plain.ghost.", RecordType::AAAA, ResponseCode::NoError),
            ("_tcp.alice.ghost.", RecordType::A, ResponseCode::NoError),
            ("www.alice.ghost.", RecordType::A, ResponseCode::NoError),
            ("link.bc.", RecordType::AAAA, ResponseCode::NoError),
            ("ghost.", RecordType::SOA, ResponseCode::NoError),
            ("GHOST.", RecordType::NS, ResponseCode::NoError),
            ("alice.ghost.", RecordType::ANY, ResponseCode::NoError),
            ("example.com.", RecordType::A, ResponseCode::Refused),
            ("ghost.com.", RecordType::A, ResponseCode::Refused),
            ("alice.ghost.", RecordType::AXFR, ResponseCode::Refused),
        ];
        for (name, qtype, rcode) in cases {
            for edns in [None, Some((1232, false))] {
                let packet = plain_query(name, qtype, edns);
                let (Some(fast), Some(slow)) = both(&packet) else {
                    panic!("{name} {qtype}: no response");
                };
                assert_same(&fast, &slow);
                assert_eq!(
                    Message::from_vec(&fast).unwrap().metadata.response_code,
                    rcode,
                    "{name} {qtype}"
                );
            }
        }
    }

    #[test]
    fn answers_too_big_for_the_client_are_truncated_by_the_slow_path() {
        for edns in [None, Some((1232, false)), Some((4096, false))] {
            let packet = plain_query("big.ghost.", RecordType::TXT, edns);
            let (Some(fast), Some(slow)) = both(&packet) else {
                panic!("no response");
            };
            assert_eq!(fast, slow, "the slow path answered");
            let response = Message::from_vec(&fast).unwrap();
            assert!(response.metadata.truncation);
            assert!(fast.len() <= usize::from(edns.map_or(512, |(p, _)| p.min(1232))));
        }
    }

    /// What BIND, unbound and `dig` send: EDNS with a client cookie. The fast path takes it
    /// (it compresses, so its response is shorter) and says what the slow path says; neither
    /// echoes the cookie (the server does not do cookies).
    #[test]
    fn a_query_with_a_client_cookie_takes_the_fast_path_with_the_same_answer() {
        let mut packet = plain_query("alice.ghost.", RecordType::A, Some((1232, false)));
        let rdlen_at = packet.len() - 2;
        packet[rdlen_at..].copy_from_slice(&12u16.to_be_bytes());
        packet.extend_from_slice(&[0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8]);
        let request = Message::from_vec(&packet).unwrap();
        assert!(request.edns.is_some(), "hickory reads the query's OPT");
        let (Some(fast), Some(slow)) = both(&packet) else {
            panic!("no response");
        };
        assert_same(&fast, &slow);
        assert!(fast.len() < slow.len(), "the fast path answered");
        let response = Message::from_vec(&fast).unwrap();
        assert_eq!(response.metadata.response_code, ResponseCode::NoError);
        assert!(!response.answers.is_empty());
        let edns = response.edns.expect("EDNS in the answer");
        assert!(edns.options().as_ref().is_empty(), "no cookie echoed");
    }

    #[test]
    fn unusual_messages_take_the_slow_path() {
        let mut two = query("alice.ghost.", RecordType::A);
        two.add_query(Query::query(
            Name::from_ascii("plain.ghost.").unwrap(),
            RecordType::A,
        ));
        let mut notify = query("alice.ghost.", RecordType::A);
        notify.metadata.op_code = OpCode::Notify;
        let mut chaos = query("alice.ghost.", RecordType::A);
        chaos.queries[0].set_query_class(DNSClass::CH);
        let mut edns1 = query("alice.ghost.", RecordType::A);
        let mut opt = Edns::new();
        opt.set_version(1);
        edns1.set_edns(opt);
        for (message, rcode) in [
            (two, ResponseCode::FormErr),
            (notify, ResponseCode::NotImp),
            (chaos, ResponseCode::NotImp),
            (edns1, ResponseCode::BADVERS),
        ] {
            let packet = message.to_vec().unwrap();
            let (Some(fast), Some(slow)) = both(&packet) else {
                panic!("{rcode}: no response");
            };
            assert_eq!(fast, slow);
            let response = Message::from_vec(&fast).unwrap();
            // Compared as numbers: 16 reads back as BADSIG or BADVERS.
            assert_eq!(u16::from(response.metadata.response_code), u16::from(rcode));
        }
        // A response is never answered, a runt header neither.
        let mut response = plain_query("alice.ghost.", RecordType::A, None);
        response[2] |= 0x80;
        assert_eq!(both(&response), (None, None));
        assert_eq!(both(&[0x12, 0x34, 0x01]), (None, None));
    }

    #[test]
    fn the_fast_path_counts_metrics_and_rate_limits_like_the_slow_path() {
        let limited = |metrics: &DnsMetrics| {
            let zone = GhostZone::new(
                fixture(),
                &["ghost".into(), "bc".into()],
                SoaConfig::default(),
            )
            .unwrap();
            let limit = RateLimitConfig {
                responses_per_second: 2,
                slip: 2,
                limit_loopback: true,
                ..RateLimitConfig::default()
            };
            UdpResponder::new(GhostHandler::new(zone, metrics.clone(), 1232).with_rate_limit(limit))
        };
        let src: SocketAddr = CLIENT.parse().unwrap();
        let packet = plain_query("alice.ghost.", RecordType::A, None);
        let run = |slow: bool| {
            let metrics = DnsMetrics::new();
            let mut responder = limited(&metrics);
            let mut out = Vec::new();
            let outcomes: Vec<Option<bool>> = (0..8)
                .map(|_| {
                    let sent = if slow {
                        responder.respond_slow(&packet, src, &mut out)
                    } else {
                        responder.respond(&packet, src, &mut out)
                    };
                    sent.then(|| Message::from_vec(&out).unwrap().metadata.truncation)
                })
                .collect();
            (outcomes, metrics)
        };
        let (fast, fast_metrics) = run(false);
        let (slow, slow_metrics) = run(true);
        assert_eq!(fast, slow);
        assert_eq!(&fast[..2], &[Some(false), Some(false)]);
        assert!(fast.contains(&None) && fast.contains(&Some(true)));
        for action in ["dropped", "slipped"] {
            assert_eq!(
                fast_metrics.rate_limited_count(action),
                slow_metrics.rate_limited_count(action)
            );
        }
        assert_eq!(
            fast_metrics.queries(RecordType::A, ResponseCode::NoError, "udp"),
            slow_metrics.queries(RecordType::A, ResponseCode::NoError, "udp")
        );
        assert_eq!(fast_metrics.truncated(), slow_metrics.truncated());
        assert!(fast_metrics.queries(RecordType::A, ResponseCode::NoError, "udp") >= 2);
    }

    /// Many clients with many queries in flight at once against the real server (batches of
    /// datagrams per system call, several workers): every query gets its own answer, and a
    /// plain query's answer owner is a pointer to the question.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn bursts_from_many_clients_over_real_udp_all_get_their_answer() {
        let mut config = DnsConfig::new("127.0.0.1:0".parse().unwrap());
        config.udp_workers = 3;
        let server = serve(fixture(), config).await.unwrap();
        let addr = server.local_addr();
        // Few enough that every burst fits a socket's default receive buffer, even if all four
        // clients land on one worker.
        const PER_CLIENT: u16 = 32;
        let clients: Vec<_> = (0..4)
            .map(|c| {
                std::thread::spawn(move || {
                    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
                    socket
                        .set_read_timeout(Some(Duration::from_secs(3)))
                        .unwrap();
                    let names = [
                        "alice.ghost.",
                        "PLAIN.ghost.",
                        "nope.ghost.",
                        "www.alice.ghost.",
                    ];
                    let mut expected = std::collections::HashMap::new();
                    for i in 0..PER_CLIENT {
                        let id = c * 1000 + i;
                        let name = names[usize::from(i) % names.len()];
                        let mut message = query(name, RecordType::A);
                        message.metadata.id = id;
                        socket.send_to(&message.to_vec().unwrap(), addr).unwrap();
                        expected.insert(id, name);
                    }
                    let mut buf = [0u8; 1232];
                    while !expected.is_empty() {
                        let (len, _) = socket.recv_from(&mut buf).expect("every query is answered");
                        let response = Message::from_vec(&buf[..len]).unwrap();
                        let name = expected
                            .remove(&response.metadata.id)
                            .expect("an id we sent");
                        assert_eq!(response.queries[0].name().to_string(), name);
                        let rcode = if name == "nope.ghost." {
                            ResponseCode::NXDomain
                        } else {
                            ResponseCode::NoError
                        };
                        assert_eq!(response.metadata.response_code, rcode);
                        if name == "alice.ghost." {
                            let end = 12 + name.len() + 1 + 4;
                            assert_eq!(&buf[end..end + 2], &[0xc0, 0x0c]);
                        }
                    }
                })
            })
            .collect();
        for client in clients {
            client.join().unwrap();
        }
        assert_eq!(
            server
                .metrics()
                .queries(RecordType::A, ResponseCode::NoError, "udp"),
            u64::from(4 * PER_CLIENT * 3 / 4)
        );
        server.stop().await;
    }

    /// The payload size a client may be sent: its OPT size within 512..=1232, else 512.
    fn client_limit(packet: &[u8]) -> usize {
        Message::from_vec(packet)
            .ok()
            .and_then(|m| m.edns.map(|e| e.max_payload().clamp(512, 1232)))
            .map_or(512, usize::from)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// Whatever arrives, the UDP entry point does not panic, and any response parses and
        /// fits the client's payload size.
        #[test]
        fn arbitrary_datagrams_never_panic_and_responses_fit(
            bytes in proptest::collection::vec(any::<u8>(), 0..700),
            flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..6),
            edns in proptest::option::of((any::<u16>(), any::<bool>())),
        ) {
            let mut responder = responder();
            let src = CLIENT.parse().unwrap();
            let mut mutated = plain_query("www.alice.ghost.", RecordType::A, edns);
            for (at, byte) in flips {
                let len = mutated.len();
                mutated[at % len] = byte;
            }
            let mut out = Vec::new();
            for packet in [bytes, mutated] {
                if responder.respond(&packet, src, &mut out) {
                    prop_assert!(out.len() <= client_limit(&packet), "{} > {}", out.len(), client_limit(&packet));
                    prop_assert!(Message::from_vec(&out).is_ok());
                }
            }
        }

        /// Random plain queries (names in and out of our zones, any case, many types, with and
        /// without EDNS) get the same answer from both paths.
        #[test]
        fn random_plain_queries_get_the_same_answer_from_both_paths(
            labels in proptest::collection::vec(
                prop_oneof![
                    Just("alice".to_string()), Just("www".to_string()), Just("_tcp".to_string()),
                    Just("_sip".to_string()), Just("big".to_string()), Just("plain".to_string()),
                    Just("link".to_string()), "[a-z0-9]{1,8}",
                ],
                0..4,
            ),
            tld in prop_oneof![Just("ghost"), Just("bc"), Just("com")],
            upper in proptest::collection::vec(any::<bool>(), 40),
            qtype in proptest::sample::select(vec![
                RecordType::A, RecordType::AAAA, RecordType::CNAME, RecordType::TXT,
                RecordType::MX, RecordType::NS, RecordType::SRV, RecordType::CAA,
                RecordType::TLSA, RecordType::SOA, RecordType::ANY, RecordType::DS,
                RecordType::PTR, RecordType::HTTPS, RecordType::from(65_300),
            ]),
            edns in proptest::option::of((any::<u16>(), any::<bool>())),
        ) {
            let mut name: String = labels.iter().map(|l| format!("{l}.")).collect();
            name.push_str(tld);
            name.push('.');
            let asked: String = name
                .chars()
                .zip(upper.iter().cycle())
                .map(|(c, &up)| if up { c.to_ascii_uppercase() } else { c })
                .collect();
            let packet = plain_query(&asked, qtype, edns);
            let (fast, slow) = both(&packet);
            let (Some(fast), Some(slow)) = (fast, slow) else {
                return Err(TestCaseError::fail(format!("{asked} {qtype}: no response")));
            };
            assert_same(&fast, &slow);
        }
    }

    /// Answers of every outcome the fast path caches and of the two it does not (CNAMEs), each
    /// asked again of the same responder and of a fresh one: with another ID, RD and CD the
    /// cached answer is the very bytes a fresh responder sends; with the question in other
    /// letters it says the same (hickory compresses names case-sensitively, so a fresh answer
    /// may spell out a name the cached one points at) and echoes the question as asked.
    #[test]
    fn cached_answers_are_the_bytes_a_fresh_responder_sends() {
        let cacheable = [
            ("alice.ghost.", RecordType::A),
            ("AlIcE.GhOsT.", RecordType::MX),
            ("alice.ghost.", RecordType::TXT),
            ("_sip._tcp.alice.ghost.", RecordType::SRV),
            ("nope.ghost.", RecordType::A),
            ("expired.ghost.", RecordType::A),
            ("plain.ghost.", RecordType::AAAA),
            ("_tcp.alice.ghost.", RecordType::A),
            ("ghost.", RecordType::SOA),
        ];
        let not_cached = [
            ("www.alice.ghost.", RecordType::A),
            ("link.bc.", RecordType::AAAA),
        ];
        let src = CLIENT.parse().unwrap();
        let mut cached = responder();
        let ask_twice = |cached: &mut UdpResponder, name: &str, qtype, edns| {
            let mut packet = plain_query(name, qtype, edns);
            let mut first = Vec::new();
            assert!(cached.respond(&packet, src, &mut first));
            // Another ID, RD set, CD cleared.
            packet[0..2].copy_from_slice(&0x1234u16.to_be_bytes());
            packet[2] |= 0x01;
            packet[3] &= !0x10;
            let (mut again, mut fresh) = (Vec::new(), Vec::new());
            assert!(cached.respond(&packet, src, &mut again));
            assert!(responder().respond(&packet, src, &mut fresh));
            assert_eq!(again, fresh, "{name} {qtype} {edns:?}");
            let response = Message::from_vec(&again).unwrap();
            assert_eq!(response.metadata.id, 0x1234);
            assert!(response.metadata.recursion_desired);
            assert!(!response.metadata.checking_disabled);
            // The name in other letters.
            for byte in packet[12..].iter_mut().take(name.len()) {
                if byte.is_ascii_lowercase() {
                    *byte = byte.to_ascii_uppercase();
                } else if byte.is_ascii_uppercase() {
                    *byte = byte.to_ascii_lowercase();
                }
            }
            let (mut again, mut fresh) = (Vec::new(), Vec::new());
            assert!(cached.respond(&packet, src, &mut again));
            assert!(responder().respond(&packet, src, &mut fresh));
            let (again, fresh) = (
                Message::from_vec(&again).unwrap(),
                Message::from_vec(&fresh).unwrap(),
            );
            assert_eq!(again.metadata, fresh.metadata);
            assert_eq!(
                again.queries[0].name().to_string(),
                fresh.queries[0].name().to_string(),
                "the question as asked"
            );
            assert_eq!(again.answers, fresh.answers, "{name} {qtype} {edns:?}");
            assert_eq!(again.authorities, fresh.authorities);
            assert_eq!(again.additionals, fresh.additionals);
        };
        let edns_cases = [None, Some((1232, false)), Some((4096, true))];
        for (name, qtype) in cacheable {
            for edns in edns_cases {
                ask_twice(&mut cached, name, qtype, edns);
            }
        }
        let held = cached.cached_answers();
        // The server answers at most 1232 bytes, so the 1232 and 4096 OPTs share an entry.
        assert_eq!(held, cacheable.len() * 2);
        for (name, qtype) in not_cached {
            for edns in edns_cases {
                ask_twice(&mut cached, name, qtype, edns);
            }
        }
        assert_eq!(
            cached.cached_answers(),
            held,
            "CNAME answers are not cached"
        );
    }

    /// A change to the index (a name's records, a block removing it) is answered by the next
    /// query, cache or not; a name whose TTLs its expiry already cuts is never cached.
    #[test]
    fn the_cache_never_answers_what_the_index_no_longer_says() {
        let index = fixture();
        let zone = GhostZone::new(index.clone(), &["ghost".into()], SoaConfig::default()).unwrap();
        let mut responder = UdpResponder::new(GhostHandler::new(zone, Default::default(), 1232));
        let src: SocketAddr = CLIENT.parse().unwrap();
        let mut ask = |name: &str| {
            let mut out = Vec::new();
            assert!(responder.respond(&plain_query(name, RecordType::A, None), src, &mut out));
            let response = Message::from_vec(&out).unwrap();
            let addresses: Vec<String> = response
                .answers
                .iter()
                .map(|r| r.data.to_string())
                .collect();
            (
                response.metadata.response_code,
                addresses,
                responder.cached_answers(),
            )
        };
        assert_eq!(
            ask("plain.ghost."),
            (ResponseCode::NoError, vec!["10.0.0.2".to_string()], 1)
        );
        assert_eq!(
            ask("plain.ghost.").2,
            1,
            "the second answer came from the cache"
        );
        register(
            &index,
            "plain.ghost",
            u64::MAX,
            vec![record("@", 300, "A=10.0.0.9")],
        );
        assert_eq!(
            ask("plain.ghost."),
            (ResponseCode::NoError, vec!["10.0.0.9".to_string()], 1)
        );
        let plain = DomainName::parse("plain.ghost").unwrap();
        index.apply_block(
            &[(plain, None)],
            BlockRef {
                height: HEAD + 1,
                hash: Hash::ZERO,
            },
        );
        assert_eq!(ask("plain.ghost.").0, ResponseCode::NXDomain);
        // Expiring in 10 s with a 300 s TTL: its TTL is already cut, so it is not cached.
        let now = ghost_bridge::index::now_ms();
        register(
            &index,
            "soon.ghost",
            now + 10_000,
            vec![record("@", 300, "A=10.0.0.5")],
        );
        let (rcode, addresses, held) = ask("soon.ghost.");
        assert_eq!(
            (rcode, addresses),
            (ResponseCode::NoError, vec!["10.0.0.5".to_string()])
        );
        assert_eq!(held, 0, "a name whose TTL its expiry cuts is not cached");
        // Expiring in an hour: cached.
        register(
            &index,
            "later.ghost",
            now + 3_600_000,
            vec![record("@", 300, "A=10.0.0.6")],
        );
        assert_eq!(ask("later.ghost.").2, 1);
    }
}
