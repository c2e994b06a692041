//! GhostBridge end to end: a real `ghostchain --dev` with its built-in bridge and a standalone
//! `ghostbridge` sidecar, queried with `dig` and updated with the `ghost` client.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use ghost_e2e::{Node, Process, binary, dig, free_port, free_udp_tcp_port, ghost_json};

/// Polls `dig ... +short` until it prints `expected` (a block may still be sealing).
/// A dev node with GhostBridge on fresh DNS and gRPC ports: `(node, dns port)`.
fn start_with_bridge(base_path: &std::path::Path) -> (Node, u16) {
    let (dns_port, grpc_port) = (free_udp_tcp_port(), free_port());
    let node = Node::start(
        base_path,
        &[
            "--dns-port",
            &dns_port.to_string(),
            "--grpc-port",
            &grpc_port.to_string(),
        ],
    );
    (node, dns_port)
}

fn wait_for_answer(port: u16, args: &[&str], expected: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let answer = dig(port, args);
        if answer.lines().any(|l| l.trim() == expected) || Instant::now() > deadline {
            return answer;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn soa_serial(port: u16) -> u64 {
    let answer = dig(port, &["ghost.", "SOA", "+short"]);
    answer
        .split_whitespace()
        .nth(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no SOA: {answer}"))
}

#[test]
fn dig_sees_a_registered_name_and_its_changes_within_a_block() {
    let dir = tempfile::tempdir().unwrap();
    let (node, dns_port) = start_with_bridge(dir.path());

    assert!(dig(dns_port, &["alice.ghost", "A"]).contains("NXDOMAIN"));
    let serial_before = soa_serial(dns_port);
    ghost_json(
        &node,
        &[
            "domain",
            "register",
            "alice.ghost",
            "--from",
            "//Alice",
            "--record",
            "A=10.0.0.1",
        ],
    );
    let answer = wait_for_answer(dns_port, &["alice.ghost", "A", "+short"], "10.0.0.1");
    assert!(answer.lines().any(|l| l.trim() == "10.0.0.1"), "{answer}");
    assert!(
        soa_serial(dns_port) > serial_before,
        "SOA serial follows the block height"
    );

    // Authoritative, no recursion, over UDP and TCP.
    let full = dig(dns_port, &["alice.ghost", "A"]);
    let flags: Vec<&str> = full
        .lines()
        .find_map(|l| l.strip_prefix(";; flags: "))
        .and_then(|rest| rest.split(';').next())
        .map(|flags| flags.split_whitespace().collect())
        .unwrap_or_default();
    assert!(flags.contains(&"aa"), "authoritative: {full}");
    assert!(!flags.contains(&"ra"), "not an open resolver: {full}");
    let tcp = dig(dns_port, &["alice.ghost", "A", "+tcp", "+short"]);
    assert_eq!(tcp.trim(), "10.0.0.1");

    // More record types through the client.
    for (rtype, value, expect) in [
        ("AAAA", "2001:db8::1", "2001:db8::1"),
        ("TXT", "hello ghost", "\"hello ghost\""),
        ("MX", "10 mail.alice.ghost", "10 mail.alice.ghost."),
    ] {
        ghost_json(
            &node,
            &[
                "domain",
                "set-record",
                "alice.ghost",
                rtype,
                value,
                "--from",
                "//Alice",
            ],
        );
        let answer = wait_for_answer(dns_port, &["alice.ghost", rtype, "+short"], expect);
        assert!(
            answer.lines().any(|l| l.trim() == expect),
            "{rtype}: {answer}"
        );
    }
    ghost_json(
        &node,
        &[
            "domain",
            "set-record",
            "alice.ghost",
            "SRV",
            "10 5 5060 sip.alice.ghost",
            "--label",
            "_sip._tcp",
            "--from",
            "//Alice",
        ],
    );
    let srv = wait_for_answer(
        dns_port,
        &["_sip._tcp.alice.ghost", "SRV", "+short"],
        "10 5 5060 sip.alice.ghost.",
    );
    assert!(srv.contains("10 5 5060 sip.alice.ghost."), "{srv}");

    // NODATA, NXDOMAIN and REFUSED.
    let nodata = dig(dns_port, &["alice.ghost", "CAA"]);
    assert!(
        nodata.contains("status: NOERROR") && nodata.contains("ANSWER: 0"),
        "{nodata}"
    );
    assert!(dig(dns_port, &["bob.ghost", "A"]).contains("status: NXDOMAIN"));
    assert!(dig(dns_port, &["example.com", "A"]).contains("status: REFUSED"));
}

#[test]
fn a_short_lived_name_stops_resolving_at_expiry() {
    let dir = tempfile::tempdir().unwrap();
    let (node, dns_port) = start_with_bridge(dir.path());
    ghost_json(
        &node,
        &[
            "domain",
            "register",
            "brief.ghost",
            "--seconds",
            "2",
            "--from",
            "//Alice",
            "--record",
            "A=10.9.9.9",
        ],
    );
    let answer = wait_for_answer(dns_port, &["brief.ghost", "A", "+short"], "10.9.9.9");
    assert!(answer.contains("10.9.9.9"), "{answer}");
    std::thread::sleep(Duration::from_millis(2_500));
    // No block needs to be produced: DNS checks the expiry at query time.
    assert!(dig(dns_port, &["brief.ghost", "A"]).contains("status: NXDOMAIN"));
}

#[test]
fn the_standalone_sidecar_gives_the_same_answers() {
    let dir = tempfile::tempdir().unwrap();
    let (node, node_dns) = start_with_bridge(dir.path());
    ghost_json(
        &node,
        &[
            "domain",
            "register",
            "side.ghost",
            "--from",
            "//Alice",
            "--record",
            "A=10.1.2.3",
        ],
    );

    let sidecar_dns = free_udp_tcp_port();
    let sidecar_metrics = free_port();
    let _sidecar = Process(
        Command::new(binary("ghostbridge"))
            .args([
                "--node",
                &node.ws_url(),
                "--dns-port",
                &sidecar_dns.to_string(),
            ])
            .args(["--grpc-port", &free_port().to_string()])
            .args(["--prometheus-port", &sidecar_metrics.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn ghostbridge"),
    );
    let answer = wait_for_answer(sidecar_dns, &["side.ghost", "A", "+short"], "10.1.2.3");
    assert!(answer.contains("10.1.2.3"), "sidecar: {answer}");

    // A change reaches the sidecar too.
    ghost_json(
        &node,
        &[
            "domain",
            "set-record",
            "side.ghost",
            "TXT",
            "via sidecar",
            "--from",
            "//Alice",
        ],
    );
    let node_answer = wait_for_answer(
        node_dns,
        &["side.ghost", "TXT", "+short"],
        "\"via sidecar\"",
    );
    let side_answer = wait_for_answer(
        sidecar_dns,
        &["side.ghost", "TXT", "+short"],
        "\"via sidecar\"",
    );
    assert_eq!(node_answer, side_answer);
    for rtype in ["A", "TXT"] {
        let from_node = dig(node_dns, &["side.ghost", rtype, "+short"]);
        assert!(!from_node.trim().is_empty(), "{rtype}: no answer");
        assert_eq!(
            from_node,
            dig(sidecar_dns, &["side.ghost", rtype, "+short"]),
            "{rtype}"
        );
    }
    // side.ghost has no MX: both say NODATA the same way (NOERROR, the zone's SOA in authority).
    let nodata = |port| {
        let full = dig(port, &["side.ghost", "MX"]);
        assert!(
            full.contains("status: NOERROR") && full.contains("ANSWER: 0,"),
            "{full}"
        );
        let soa: Vec<String> = full
            .lines()
            .filter(|l| l.split_whitespace().nth(3) == Some("SOA"))
            .map(|l| l.split_whitespace().take(5).collect::<Vec<_>>().join(" "))
            .collect();
        assert_eq!(soa.len(), 1, "{full}");
        soa
    };
    assert_eq!(nodata(node_dns), nodata(sidecar_dns));

    // Its own metrics count the queries it answered.
    let metrics = http_get(sidecar_metrics, "/metrics");
    assert!(
        metrics.contains("ghostbridge_dns_queries_total"),
        "{metrics}"
    );

    // A sidecar serving finalized state follows finalized heads by height.
    let finalized_dns = free_udp_tcp_port();
    let _finalized = Process(
        Command::new(binary("ghostbridge"))
            .args([
                "--node",
                &node.ws_url(),
                "--dns-port",
                &finalized_dns.to_string(),
            ])
            .args([
                "--grpc-port",
                &free_port().to_string(),
                "--no-prometheus",
                "--dns-state",
                "finalized",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn ghostbridge"),
    );
    let answer = wait_for_answer(
        finalized_dns,
        &["side.ghost", "TXT", "+short"],
        "\"via sidecar\"",
    );
    assert!(
        answer.contains("via sidecar"),
        "finalized sidecar: {answer}"
    );
    ghost_json(
        &node,
        &[
            "domain",
            "set-record",
            "side.ghost",
            "A",
            "10.1.2.4",
            "--from",
            "//Alice",
        ],
    );
    let answer = wait_for_answer(finalized_dns, &["side.ghost", "A", "+short"], "10.1.2.4");
    assert!(
        answer.contains("10.1.2.4"),
        "finalized sidecar follows new blocks: {answer}"
    );
}

/// A plain HTTP GET on loopback.
fn http_get(port: u16, path: &str) -> String {
    use std::io::{Read, Write};
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            let _ = write!(stream, "GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n");
            let mut body = String::new();
            let _ = stream.read_to_string(&mut body);
            if !body.is_empty() {
                return body;
            }
        }
        assert!(Instant::now() < deadline, "no HTTP answer on {port}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn sigterm_stops_a_node_running_ghostbridge_within_two_seconds_and_the_database_reopens() {
    let dir = tempfile::tempdir().unwrap();
    let (mut node, _) = start_with_bridge(dir.path());
    // A registration so the bridge's change feed and index are busy with something.
    let registered = ghost_json(
        &node,
        &["domain", "register", "shutdown.ghost", "--from", "//Alice"],
    );
    assert_eq!(registered["block_number"], 1, "{registered}");
    let asked = Instant::now();
    let status = node.terminate().expect("exit status");
    let took = asked.elapsed();
    assert!(
        status.success(),
        "exit status {status:?}:\n{}",
        node.log_text()
    );
    assert!(
        took < Duration::from_secs(2),
        "took {took:?} to stop:\n{}",
        node.log_text()
    );
    assert!(
        !node.log_text().contains("database still in use"),
        "{}",
        node.log_text()
    );
    // The same base path opens at once, with the name still there.
    let (node, _) = start_with_bridge(dir.path());
    let resolved = ghost_json(&node, &["domain", "resolve", "shutdown.ghost"]);
    assert_eq!(resolved["status"], "active", "{resolved}");
}

#[test]
fn a_subname_keeps_resolving_after_its_root_is_renewed() {
    let dir = tempfile::tempdir().unwrap();
    let (node, dns_port) = start_with_bridge(dir.path());
    let alice = ghost_json(&node, &["key", "inspect", "//Alice"]);
    let alice = alice["address"].as_str().unwrap().to_string();
    let run = |args: &[&str]| ghost_json(&node, args);
    run(&[
        "domain",
        "register",
        "renewed.ghost",
        "--seconds",
        "2",
        "--from",
        "//Alice",
    ]);
    run(&[
        "domain",
        "subname",
        "renewed.ghost",
        "www",
        "--owner",
        &alice,
        "--from",
        "//Alice",
    ]);
    run(&[
        "domain",
        "set-record",
        "www.renewed.ghost",
        "A",
        "10.7.7.7",
        "--from",
        "//Alice",
    ]);
    let answer = wait_for_answer(dns_port, &["www.renewed.ghost", "A", "+short"], "10.7.7.7");
    assert!(answer.contains("10.7.7.7"), "{answer}");
    // Renew the root (the chain's event names only the root), then outlive the old expiry.
    run(&[
        "domain",
        "renew",
        "renewed.ghost",
        "--days",
        "30",
        "--from",
        "//Alice",
    ]);
    std::thread::sleep(Duration::from_millis(2_500));
    let answer = dig(dns_port, &["www.renewed.ghost", "A", "+short"]);
    assert!(
        answer.contains("10.7.7.7"),
        "subname died at the old expiry: {answer}"
    );
}
