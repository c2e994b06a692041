//! The Python `grpcio` client (generated from `proto/ghostdns.proto` in `tests/python`) against
//! a real `ghostchain --dev` with its built-in GhostBridge: every GhostDNSService method, plus
//! an UpdateContractDomain whose change arrives on SubscribeDomainChanges at its block height.

use std::process::Command;

use ghost_e2e::{Node, free_port, free_udp_tcp_port, ghost_json};

#[test]
fn python_grpc_client_calls_every_method_against_a_dev_node() {
    let dir = tempfile::tempdir().unwrap();
    let grpc_port = free_port();
    let node = Node::start(
        dir.path(),
        &[
            "--grpc-port",
            &grpc_port.to_string(),
            "--dns-port",
            &free_udp_tcp_port().to_string(),
        ],
    );
    // The Python client signs as //Alice (its default seed): Alice owns the name.
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

    let python_dir = concat!(env!("CARGO_MANIFEST_DIR"), "/python");
    let out = Command::new("python3")
        .args(["-m", "pytest", "-q", "-p", "no:cacheprovider", python_dir])
        .env("GHOSTBRIDGE_GRPC", format!("127.0.0.1:{grpc_port}"))
        .env("GHOST_TEST_DOMAIN", "alice.ghost")
        .env("GHOST_TEST_WAIT", "1")
        .env("GHOST_TEST_FROM", "0")
        .env("GHOST_TEST_EVENTS", "2")
        .output()
        .expect("run python3 -m pytest (pip install -r tests/python/requirements.txt)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "pytest failed:\n{stdout}\n{}\nnode log:\n{}",
        String::from_utf8_lossy(&out.stderr),
        node.log_text()
    );
    assert!(
        !stdout.contains("skipped"),
        "every server test must run: {stdout}"
    );
}
