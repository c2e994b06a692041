//! GhostBridge behind a real recursive resolver, as an operator deploys it (docs/DNS.md): a
//! `ghostchain --dev` node, and `unbound` (Debian package `unbound`) with stub zones for `ghost.`
//! and `bc.` pointing at the node's DNS port. `dig` asks unbound, never the node.
//!
//! The delegation check needs a name server on port 53 (resolvers follow referrals to port 53
//! only): the test answers for the delegated zone on 127.0.0.2:53, which needs root or
//! CAP_NET_BIND_SERVICE; without it, that one check says so on stderr and is skipped.

use std::net::UdpSocket;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ghost_e2e::{Node, Process, dig, free_port, free_udp_tcp_port, ghost_json};

/// The address the delegated zone's name server answers with.
const DELEGATED_A: [u8; 4] = [192, 0, 2, 99];
const BIG_TXT: usize = 12;

fn unbound_binary() -> String {
    for candidate in ["/usr/sbin/unbound", "/usr/local/sbin/unbound"] {
        if Path::new(candidate).exists() {
            return candidate.into();
        }
    }
    // On PATH, or the error below names the package.
    "unbound".into()
}

/// Starts unbound on `port` with stub zones for `ghost.` and `bc.` at `dns_port`.
fn start_unbound(dir: &Path, port: u16, dns_port: u16) -> Process {
    let config = format!(
        r#"server:
    interface: 127.0.0.1
    port: {port}
    do-daemonize: no
    username: ""
    chroot: ""
    directory: "{dir}"
    pidfile: ""
    use-syslog: no
    logfile: ""
    verbosity: 1
    num-threads: 1
    access-control: 127.0.0.0/8 allow
    do-not-query-localhost: no
    domain-insecure: "ghost"
    domain-insecure: "bc"
stub-zone:
    name: "ghost"
    stub-addr: 127.0.0.1@{dns_port}
stub-zone:
    name: "bc"
    stub-addr: 127.0.0.1@{dns_port}
"#,
        dir = dir.display()
    );
    let path = dir.join("unbound.conf");
    std::fs::write(&path, config).unwrap();
    let child = Command::new(unbound_binary())
        .arg("-d")
        .arg("-c")
        .arg(&path)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("run unbound (apt package unbound; scripts/setup.sh installs it)");
    let process = Process(child);
    let deadline = Instant::now() + Duration::from_secs(10);
    while !dig(port, &["bc", "SOA"]).contains("status: NOERROR") {
        assert!(Instant::now() < deadline, "unbound did not start on {port}");
        std::thread::sleep(Duration::from_millis(100));
    }
    process
}

/// dig's flags (`qr rd ra ...`) and answer count.
fn flags_and_answers(output: &str) -> (Vec<String>, usize) {
    let line = output
        .lines()
        .find_map(|l| l.strip_prefix(";; flags: "))
        .unwrap_or_else(|| panic!("no flags line: {output}"));
    let (flags, counts) = line.split_once(';').unwrap_or((line, ""));
    let answers = counts
        .split(',')
        .find_map(|c| c.trim().strip_prefix("ANSWER: "))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0);
    (
        flags.split_whitespace().map(str::to_string).collect(),
        answers,
    )
}

/// A minimal authoritative server for the delegated zone on 127.0.0.2:53: every A query gets
/// `DELEGATED_A`, other types an empty NOERROR. Records the names it was asked.
struct DelegatedServer {
    asked: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl DelegatedServer {
    fn start() -> std::io::Result<DelegatedServer> {
        let socket = UdpSocket::bind("127.0.0.2:53")?;
        socket.set_read_timeout(Some(Duration::from_millis(100)))?;
        let asked = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (asked, stop) = (asked.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                while !stop.load(Ordering::Relaxed) {
                    let Ok((len, from)) = socket.recv_from(&mut buf) else {
                        continue;
                    };
                    if let Some((name, reply)) = answer(&buf[..len]) {
                        asked.lock().unwrap().push(name);
                        let _ = socket.send_to(&reply, from);
                    }
                }
            })
        };
        Ok(DelegatedServer {
            asked,
            stop,
            thread: Some(thread),
        })
    }

    fn asked(&self) -> Vec<String> {
        self.asked.lock().unwrap().clone()
    }
}

impl Drop for DelegatedServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The reply to one query (RFC 1035 wire format), and the name asked (lowercase).
fn answer(query: &[u8]) -> Option<(String, Vec<u8>)> {
    if query.len() < 12 || query[4..6] != [0, 1] {
        return None;
    }
    let mut at = 12;
    let mut labels = Vec::new();
    loop {
        let len = usize::from(*query.get(at)?);
        at += 1;
        if len == 0 {
            break;
        }
        labels.push(String::from_utf8_lossy(query.get(at..at + len)?).to_ascii_lowercase());
        at += len;
    }
    let qtype = u16::from_be_bytes([*query.get(at)?, *query.get(at + 1)?]);
    let question = query.get(12..at + 4)?;
    let is_a = qtype == 1;
    let mut reply = Vec::new();
    reply.extend_from_slice(&query[0..2]);
    // QR, AA, RD copied; NOERROR.
    reply.push(0x84 | (query[2] & 0x01));
    reply.push(0x00);
    reply.extend_from_slice(&[0, 1, 0, u8::from(is_a), 0, 0, 0, 0]);
    reply.extend_from_slice(question);
    if is_a {
        reply.extend_from_slice(&[0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4]);
        reply.extend_from_slice(&DELEGATED_A);
    }
    Some((labels.join("."), reply))
}

#[test]
fn unbound_with_stub_zones_resolves_answers_nxdomain_nodata_referrals_and_large_answers() {
    let dir = tempfile::tempdir().unwrap();
    let dns_port = free_udp_tcp_port();
    let node = Node::start(
        dir.path(),
        &[
            "--dns-port",
            &dns_port.to_string(),
            "--grpc-port",
            &free_port().to_string(),
        ],
    );
    let from = ["--from", "//Alice"];
    ghost_json(
        &node,
        &[
            &["domain", "register", "alice.ghost"][..],
            &from,
            &["--record", "A=10.0.0.1", "--record", "TXT=hello"],
        ]
        .concat(),
    );
    let big: Vec<String> = (0..BIG_TXT)
        .map(|i| format!("TXT=r{i:02}-{}", "x".repeat(200)))
        .collect();
    let mut register_big = vec!["domain", "register", "big.ghost", "--from", "//Alice"];
    for record in &big {
        register_big.extend(["--record", record.as_str()]);
    }
    ghost_json(&node, &register_big);
    ghost_json(
        &node,
        &[
            &["domain", "register", "hosted.ghost"][..],
            &from,
            &["--record", "NS=ns1.hosted.ghost"],
        ]
        .concat(),
    );
    ghost_json(
        &node,
        &[
            &["domain", "set-record", "hosted.ghost", "A", "127.0.0.2"][..],
            &["--label", "ns1"],
            &from,
        ]
        .concat(),
    );
    // The bridge itself: the big answer does not fit in UDP, the delegation is a referral.
    let deadline = Instant::now() + Duration::from_secs(10);
    while !dig(dns_port, &["www.hosted.ghost", "A"]).contains("127.0.0.2") {
        assert!(
            Instant::now() < deadline,
            "the bridge never served the glue"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let direct = dig(dns_port, &["+ignore", "big.ghost", "TXT"]);
    assert!(
        flags_and_answers(&direct).0.contains(&"tc".to_string()),
        "{direct}"
    );

    let delegated = DelegatedServer::start();
    let port = free_udp_tcp_port();
    let _unbound = start_unbound(dir.path(), port, dns_port);

    // An answer: recursive (ra), not authoritative (aa is the bridge's, not unbound's).
    let a = dig(port, &["alice.ghost", "A"]);
    let (flags, answers) = flags_and_answers(&a);
    assert!(a.contains("status: NOERROR") && answers == 1, "{a}");
    assert!(
        flags.contains(&"ra".to_string()) && !flags.contains(&"aa".to_string()),
        "{a}"
    );
    assert_eq!(
        dig(port, &["alice.ghost", "A", "+short"]).trim(),
        "10.0.0.1"
    );
    assert_eq!(
        dig(port, &["ALICE.ghost", "TXT", "+short"]).trim(),
        "\"hello\""
    );

    // NXDOMAIN in both zones, and NODATA.
    for name in ["nobody.ghost", "nobody.bc", "x.y.nobody.ghost"] {
        let nx = dig(port, &[name, "A"]);
        assert!(nx.contains("status: NXDOMAIN"), "{name}: {nx}");
    }
    let nodata = dig(port, &["alice.ghost", "MX"]);
    assert!(nodata.contains("status: NOERROR"), "{nodata}");
    assert_eq!(flags_and_answers(&nodata).1, 0, "{nodata}");

    // The large answer: unbound got TC over UDP from the bridge and fetched it over TCP.
    let whole = dig(port, &["+tcp", "big.ghost", "TXT"]);
    assert!(whole.contains("status: NOERROR"), "{whole}");
    assert_eq!(flags_and_answers(&whole).1, BIG_TXT, "{whole}");
    for i in 0..BIG_TXT {
        assert!(whole.contains(&format!("\"r{i:02}-")), "r{i:02}: {whole}");
    }

    // A delegated name: unbound follows the referral and its glue to the owner's server.
    match delegated {
        Ok(server) => {
            let answer = dig(port, &["www.hosted.ghost", "A", "+short"]);
            assert_eq!(answer.trim(), "192.0.2.99", "{answer}");
            assert!(
                server.asked().iter().any(|n| n == "www.hosted.ghost"),
                "{:?}",
                server.asked()
            );
        }
        Err(error) => eprintln!(
            "skipping the referral check through unbound: cannot bind 127.0.0.2:53 ({error}); \
             the bridge's referral itself was checked above"
        ),
    }
}
