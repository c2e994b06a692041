//! `ghost bench` against a real dev node: every registration, transfer and contract call
//! accounted for, and the effect of each checked.

use ghost_e2e::{Node, free_port, free_udp_tcp_port, ghost_json};

#[test]
fn bench_register_loses_nothing_and_every_name_resolves() {
    let dir = tempfile::tempdir().unwrap();
    let dns_port = free_udp_tcp_port().to_string();
    let grpc_port = free_port().to_string();
    let node = Node::start(
        dir.path(),
        &["--dns-port", &dns_port, "--grpc-port", &grpc_port],
    );
    let dns = format!("127.0.0.1:{dns_port}");
    let args = [
        "bench",
        "register",
        "--count",
        "300",
        "--accounts",
        "3",
        "--concurrency",
        "50",
        "--records",
        "2",
        "--prefix",
        "benchtest",
        "--dns",
        &dns,
    ];
    let report = ghost_json(&node, &args);
    for (key, expected) in [
        ("count", 300),
        ("accepted", 300),
        ("in_block", 300),
        ("finalized", 300),
        ("lost", 0),
        ("succeeded", 300),
        ("failed", 0),
        ("resolved", 300),
        ("resolved_dns", 300),
    ] {
        assert_eq!(report[key], expected, "{key} in {report}");
    }
    assert!(report["throughput"].as_f64().unwrap() > 0.0, "{report}");
    let p = &report["latency_finalized_ms"];
    assert!(
        p["p50"].as_f64().unwrap() <= p["p99"].as_f64().unwrap(),
        "{report}"
    );

    // The same names again: the pool takes them (they are valid extrinsics) but every call
    // fails with the name taken, and the report says so instead of counting them resolved.
    let again = ghost_json(&node, &args);
    assert_eq!(again["finalized"], 300, "{again}");
    assert_eq!(again["resolved"], 0, "{again}");
    assert_eq!(again["failed"], 300, "{again}");
    assert_eq!(again["succeeded"], 0, "{again}");
    assert!(
        again["first_failure"]
            .as_str()
            .is_some_and(|e| e.contains("Domains")),
        "{again}"
    );
    assert_eq!(again["lost"], 0, "{again}");

    let refused = node.ghost(&["bench", "register", "--count", "0"]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--count must be positive"));
}

#[test]
fn bench_transfer_and_contract_call_account_for_every_operation() {
    let dir = tempfile::tempdir().unwrap();
    let node = Node::start(&dir.path().join("node"), &[]);

    let transfers = ghost_json(
        &node,
        &[
            "bench",
            "transfer",
            "--count",
            "200",
            "--accounts",
            "4",
            "--concurrency",
            "40",
            "--amount",
            "2GHOST",
        ],
    );
    for (key, expected) in [
        ("count", 200),
        ("in_block", 200),
        ("finalized", 200),
        ("lost", 0),
        ("succeeded", 200),
        ("failed", 0),
    ] {
        assert_eq!(transfers[key], expected, "{key} in {transfers}");
    }
    assert_eq!(transfers["received"], 400_000_000_000_000u64, "{transfers}");
    assert_eq!(transfers["balance_checked"], true, "{transfers}");

    // Paced at 100 a second, 50 transfers cannot finish in less than the 0.49 s it takes to
    // submit the last one: the throughput stays at or below the rate, and none is lost.
    let paced = ghost_json(
        &node,
        &[
            "bench",
            "transfer",
            "--count",
            "50",
            "--accounts",
            "2",
            "--rate",
            "100",
        ],
    );
    assert_eq!(paced["finalized"], 50, "{paced}");
    assert_eq!(paced["lost"], 0, "{paced}");
    let throughput = paced["throughput"].as_f64().expect("throughput");
    assert!(throughput <= 100.0 * 50.0 / 49.0, "paced at 100/s: {paced}");
    let refused = node.ghost(&["bench", "transfer", "--rate", "0"]);
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("--rate must be a positive"), "{stderr}");

    // A counter contract: `increment(u64)` 100 times from 4 accounts, then `get` says 100.
    let code = dir.path().join("counter.wasm");
    std::fs::write(&code, ghost_contract_fixtures::COUNTER).unwrap();
    let uploaded = ghost_json(
        &node,
        &[
            "contract",
            "upload",
            code.to_str().unwrap(),
            "--from",
            "//Alice",
        ],
    );
    let code_hash = uploaded["code_hash"].as_str().unwrap().to_string();
    let instantiated = ghost_json(
        &node,
        &[
            "contract",
            "instantiate",
            &code_hash,
            "--from",
            "//Alice",
            "--value",
            "1GHOST",
            "--args",
            r#"["u64:0"]"#,
        ],
    );
    let counter = instantiated["address"].as_str().unwrap().to_string();
    let calls = ghost_json(
        &node,
        &[
            "bench",
            "contract-call",
            &counter,
            "--count",
            "100",
            "--accounts",
            "4",
            "--concurrency",
            "20",
            "--method",
            "increment",
            "--args",
            r#"["u64:1"]"#,
        ],
    );
    for (key, expected) in [
        ("count", 100),
        ("finalized", 100),
        ("lost", 0),
        ("succeeded", 100),
        ("failed", 0),
    ] {
        assert_eq!(calls[key], expected, "{key} in {calls}");
    }
    let answer = ghost_json(&node, &["contract", "query", &counter, "--method", "get"]);
    assert_eq!(answer["output"], "0x6400000000000000", "{answer}");

    // A method the contract does not have: every call is included and fails, and the report
    // says so instead of counting them as done.
    let bad = ghost_json(
        &node,
        &[
            "bench",
            "contract-call",
            &counter,
            "--count",
            "10",
            "--accounts",
            "2",
            "--method",
            "no_such_method",
        ],
    );
    assert_eq!(bad["finalized"], 10, "{bad}");
    assert_eq!(bad["succeeded"], 0, "{bad}");
    assert_eq!(bad["failed"], 10, "{bad}");
}
