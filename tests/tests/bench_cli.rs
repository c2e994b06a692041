//! `ghost bench register` against a real dev node: every registration accounted for.

use ghost_e2e::{Node, ghost_json};

#[test]
fn bench_register_loses_nothing_and_every_name_resolves() {
    let dir = tempfile::tempdir().unwrap();
    let node = Node::start(dir.path(), &[]);
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
    ];
    let report = ghost_json(&node, &args);
    for (key, expected) in [
        ("count", 300),
        ("accepted", 300),
        ("in_block", 300),
        ("finalized", 300),
        ("lost", 0),
        ("failed", 0),
        ("resolved", 300),
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
    assert_eq!(again["lost"], 0, "{again}");

    let refused = node.ghost(&["bench", "register", "--count", "0"]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--count must be positive"));
}
