//! Domain management end to end: a real `ghostchain --dev` driven by the real `ghost domain …`
//! commands.
//!
//! - Delegation: an account approved for a name (`approve`) and an operator of its owner
//!   (`operator`) can set records; once the approval is cleared or the operator revoked they
//!   cannot (exit 1, `Domains.NotOwner`).
//! - Reverse names: `primary` sets the owner's primary name, `primary-of` reads it back, and
//!   `primary --clear` removes it; a non-owner cannot take it.
//! - Signed updates: `update-key` (by public key, then by secret URI) lets a key with no funds
//!   sign `signed-update`s that another account relays and pays for; the update replaces the DNS
//!   records (web3 records stay) and `resolve` shows them. Other keys are refused.
//! - Web3 records: `set-addr`, `set-text` and `set-contenthash` show up in `resolve --json`'s
//!   `web3`, their `--clear` removes them, and `clear-records` removes everything.
//! - Verified resolution: `resolve --verify --chain dev` proves the node's finalized block final
//!   from the dev genesis (GRANDPA) and the answer against it; another chain's genesis, a
//!   made-up one, or none at all are refused with the reason.

use std::process::Output;

use ghost_e2e::{Node, ghost_json};
use ghost_primitives::Pair;
use serde_json::{Value, json};

/// The `ghost1…` address of a dev key.
fn address(who: &str) -> String {
    Pair::dev(who).public().to_string()
}

/// Runs `ghost --json args…` expecting exit code 1; returns its output.
fn ghost_fails(node: &Node, args: &[&str]) -> Output {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let out = node.ghost(&all);
    assert_eq!(
        out.status.code(),
        Some(1),
        "ghost {args:?} should have failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Runs `ghost --json args…` expecting the transaction to be included and fail with `error`.
fn fails_with(node: &Node, args: &[&str], error: &str) {
    let out = ghost_fails(node, args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(error), "ghost {args:?}: {stderr}");
}

/// Runs a transaction command and checks it landed in a block; returns its report.
fn tx(node: &Node, args: &[&str]) -> Value {
    let report = ghost_json(node, args);
    assert!(report["block_number"].as_u64().is_some(), "{report}");
    report
}

/// `ghost domain resolve NAME --json`.
fn resolve(node: &Node, name: &str) -> Value {
    ghost_json(node, &["domain", "resolve", name])
}

/// `(label, ttl, type, value)` of each DNS record of a resolution.
fn dns(resolution: &Value) -> Vec<(String, u64, String, String)> {
    resolution["records"]
        .as_array()
        .unwrap_or_else(|| panic!("no records: {resolution}"))
        .iter()
        .map(|r| {
            (
                r["label"].as_str().unwrap().to_string(),
                r["ttl"].as_u64().unwrap(),
                r["type"].as_str().unwrap().to_string(),
                r["value"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn record(label: &str, ttl: u64, rtype: &str, value: &str) -> (String, u64, String, String) {
    (label.into(), ttl, rtype.into(), value.into())
}

#[test]
fn approvals_operators_and_primary_names() {
    let dir = tempfile::tempdir().unwrap();
    let node = Node::start(&dir.path().join("node"), &[]);
    let name = "alice.ghost";
    tx(&node, &["domain", "register", name, "--from", "//Alice"]);

    // Bob, approved for the name, can set a record; once the approval is cleared he cannot.
    let approved = tx(
        &node,
        &[
            "domain",
            "approve",
            name,
            "--account",
            &address("Bob"),
            "--from",
            "//Alice",
        ],
    );
    assert_eq!(approved["name"], name);
    assert_eq!(approved["approved"], address("Bob"));
    tx(
        &node,
        &[
            "domain",
            "set-record",
            name,
            "TXT",
            "set by bob",
            "--from",
            "//Bob",
        ],
    );
    assert_eq!(
        dns(&resolve(&node, name)),
        [record("@", 300, "TXT", "set by bob")]
    );
    let cleared = tx(
        &node,
        &["domain", "approve", name, "--clear", "--from", "//Alice"],
    );
    assert_eq!(cleared["approved"], Value::Null);
    fails_with(
        &node,
        &[
            "domain",
            "set-record",
            name,
            "A",
            "10.0.0.1",
            "--from",
            "//Bob",
        ],
        "Domains.NotOwner",
    );

    // Charlie, an operator of Alice, manages all her names until revoked.
    let operator = tx(
        &node,
        &[
            "domain",
            "operator",
            &address("Charlie"),
            "--approve",
            "--from",
            "//Alice",
        ],
    );
    assert_eq!(
        (
            &operator["owner"],
            &operator["operator"],
            &operator["approved"]
        ),
        (
            &json!(address("Alice")),
            &json!(address("Charlie")),
            &json!(true)
        )
    );
    tx(
        &node,
        &[
            "domain",
            "set-text",
            name,
            "url",
            "https://alice.example",
            "--from",
            "//Charlie",
        ],
    );
    assert_eq!(
        resolve(&node, name)["web3"]["texts"],
        json!({"url": "https://alice.example"})
    );
    let revoked = tx(
        &node,
        &[
            "domain",
            "operator",
            &address("Charlie"),
            "--revoke",
            "--from",
            "//Alice",
        ],
    );
    assert_eq!(revoked["approved"], false);
    fails_with(
        &node,
        &[
            "domain",
            "set-text",
            name,
            "url",
            "nope",
            "--from",
            "//Charlie",
        ],
        "Domains.NotOwner",
    );

    // Primary names: none, set, read back, not Bob's to take, cleared.
    let primary_of = |who: &str| ghost_json(&node, &["domain", "primary-of", &address(who)]);
    assert_eq!(
        primary_of("Alice"),
        json!({"address": address("Alice"), "name": null})
    );
    let set = tx(&node, &["domain", "primary", name, "--from", "//Alice"]);
    assert_eq!(
        (&set["address"], &set["name"]),
        (&json!(address("Alice")), &json!(name))
    );
    assert_eq!(
        primary_of("Alice"),
        json!({"address": address("Alice"), "name": name})
    );
    fails_with(
        &node,
        &["domain", "primary", name, "--from", "//Bob"],
        "Domains.NotResolvingToCaller",
    );
    assert_eq!(primary_of("Bob")["name"], Value::Null);
    let cleared = tx(
        &node,
        &["domain", "primary", "--clear", "--from", "//Alice"],
    );
    assert_eq!(cleared["name"], Value::Null);
    assert_eq!(primary_of("Alice")["name"], Value::Null);

    // Usage errors exit 1 too, before anything is sent.
    ghost_fails(&node, &["domain", "approve", name, "--from", "//Alice"]);
    ghost_fails(
        &node,
        &["domain", "primary", name, "--clear", "--from", "//Alice"],
    );
}

#[test]
fn update_keys_signed_updates_and_web3_records() {
    let dir = tempfile::tempdir().unwrap();
    let node = Node::start(&dir.path().join("node"), &[]);
    let name = "bob.ghost";
    tx(
        &node,
        &[
            "domain",
            "register",
            name,
            "--from",
            "//Bob",
            "--record",
            "A=10.0.0.1",
        ],
    );

    // Web3 records, each visible in `resolve --json`.
    let eth = "0xd8da6bf26964af9d7eed9e03e53415d37aa96045";
    let hash = "0xe30101701220deadbeef";
    let set = tx(
        &node,
        &["domain", "set-addr", name, "60", eth, "--from", "//Bob"],
    );
    assert_eq!(
        (&set["coin_type"], &set["address"]),
        (&json!(60), &json!(eth))
    );
    tx(
        &node,
        &["domain", "set-addr", name, "0", "0x0014", "--from", "//Bob"],
    );
    tx(
        &node,
        &[
            "domain",
            "set-text",
            name,
            "avatar",
            "ipfs://avatar",
            "--from",
            "//Bob",
        ],
    );
    tx(
        &node,
        &["domain", "set-contenthash", name, hash, "--from", "//Bob"],
    );
    assert_eq!(
        resolve(&node, name)["web3"],
        json!({
            "addresses": {"0": "0x0014", "60": eth},
            "texts": {"avatar": "ipfs://avatar"},
            "contenthash": hash,
        })
    );

    // A key with no funds signs; Charlie relays and pays.
    let key = Pair::dev("BobUpdateKey").public();
    let set = tx(
        &node,
        &[
            "domain",
            "update-key",
            name,
            "--key",
            &key.to_hex(),
            "--from",
            "//Bob",
        ],
    );
    assert_eq!(set["update_key"], key.to_string());
    let charlie_before = balance(&node, "Charlie");
    let sent = tx(
        &node,
        &[
            "domain",
            "signed-update",
            name,
            "--signer",
            "//BobUpdateKey",
            "--relayer",
            "//Charlie",
            "--record",
            "A=10.0.0.2",
            "--record",
            "TXT=signed",
            "--ttl",
            "60",
            "--contract-id",
            "agent-1",
        ],
    );
    assert_eq!(sent["signer"], key.to_string());
    assert_eq!(sent["relayer"], address("Charlie"));
    assert_eq!(sent["contract_id"], "agent-1");
    assert!(
        balance(&node, "Charlie") < charlie_before,
        "the relayer pays"
    );
    assert_eq!(
        balance(&node, "BobUpdateKey"),
        0,
        "the key has nothing to pay with"
    );
    let resolution = resolve(&node, name);
    // The DNS records are replaced (10.0.0.1 is gone); the web3 records stay.
    assert_eq!(
        dns(&resolution),
        [
            record("@", 60, "A", "10.0.0.2"),
            record("@", 60, "TXT", "signed")
        ]
    );
    assert_eq!(resolution["web3"]["contenthash"], hash);

    // Only the owner or the update key may sign.
    fails_with(
        &node,
        &[
            "domain",
            "signed-update",
            name,
            "--signer",
            "//Eve",
            "--relayer",
            "//Charlie",
            "--record",
            "A=10.6.6.6",
        ],
        "Domains.WrongSigner",
    );
    // A new key (given by its secret URI) replaces the old one.
    let set = tx(
        &node,
        &[
            "domain",
            "update-key",
            name,
            "--suri",
            "//BobNewKey",
            "--from",
            "//Bob",
        ],
    );
    assert_eq!(set["update_key"], address("BobNewKey"));
    let old_key = [
        "domain",
        "signed-update",
        name,
        "--signer",
        "//BobUpdateKey",
        "--relayer",
        "//Charlie",
        "--record",
        "A=10.6.6.6",
    ];
    fails_with(&node, &old_key, "Domains.WrongSigner");
    tx(
        &node,
        &[
            "domain",
            "signed-update",
            name,
            "--signer",
            "//BobNewKey",
            "--relayer",
            "//Dave",
            "--record",
            "A=10.0.0.3",
        ],
    );
    assert_eq!(
        dns(&resolve(&node, name)),
        [record("@", 300, "A", "10.0.0.3")]
    );
    let cleared = tx(
        &node,
        &["domain", "update-key", name, "--clear", "--from", "//Bob"],
    );
    assert_eq!(cleared["update_key"], Value::Null);
    fails_with(
        &node,
        &[
            "domain",
            "signed-update",
            name,
            "--signer",
            "//BobNewKey",
            "--relayer",
            "//Dave",
        ],
        "Domains.WrongSigner",
    );

    // Clearing web3 records one by one.
    tx(
        &node,
        &[
            "domain", "set-addr", name, "0", "--clear", "--from", "//Bob",
        ],
    );
    tx(
        &node,
        &[
            "domain", "set-text", name, "avatar", "--clear", "--from", "//Bob",
        ],
    );
    tx(
        &node,
        &[
            "domain",
            "set-contenthash",
            name,
            "--clear",
            "--from",
            "//Bob",
        ],
    );
    assert_eq!(
        resolve(&node, name)["web3"],
        json!({"addresses": {"60": eth}, "texts": {}, "contenthash": null})
    );

    // clear-records: nothing left.
    let cleared = tx(&node, &["domain", "clear-records", name, "--from", "//Bob"]);
    assert_eq!(cleared["name"], name);
    let resolution = resolve(&node, name);
    assert_eq!(resolution["records"], json!([]));
    assert_eq!(
        resolution["web3"],
        json!({"addresses": {}, "texts": {}, "contenthash": null})
    );
    fails_with(
        &node,
        &["domain", "clear-records", name, "--from", "//Eve"],
        "Domains.NotOwner",
    );
}

/// The free balance of a dev account (dev endowments fit a `u64`).
#[test]
fn resolve_verify_proves_the_answer_final_from_the_pinned_genesis() {
    let dir = tempfile::tempdir().unwrap();
    let node = Node::start(&dir.path().join("node"), &[]);
    let name = "alice.ghost";
    let registered = tx(
        &node,
        &[
            "domain",
            "register",
            name,
            "--record",
            "A=10.0.0.1",
            "--from",
            "//Alice",
        ],
    );
    let included = registered["block_number"].as_u64().expect("a block");

    // The dev node finalizes each block it seals; poll until the registration is final.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let verified = loop {
        let out = node.ghost(&[
            "--json", "domain", "resolve", name, "--verify", "--chain", "dev",
        ]);
        if out.status.success() {
            let report: Value = serde_json::from_slice(&out.stdout).expect("JSON");
            if report["finalized"].as_u64() >= Some(included) {
                break report;
            }
        }
        assert!(
            std::time::Instant::now() < deadline,
            "never verified: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    };
    let resolution = &verified["resolution"]["resolution"];
    assert_eq!(resolution["owner"], address("Alice"), "{verified}");
    assert_eq!(
        dns(resolution),
        vec![record("@", 300, "A", "10.0.0.1")],
        "{verified}"
    );
    assert_eq!(verified["set_id"], 0);
    assert_eq!(verified["set_changes"], 0);
    let genesis = verified["genesis"].as_str().expect("genesis").to_string();
    // The same genesis given by hand, and the text form's summary line.
    let out = node.ghost(&["domain", "resolve", name, "--verify", "--genesis", &genesis]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(
        text.lines()
            .any(|l| l.starts_with("verified: at finalized #")),
        "{text}"
    );

    // Another chain's genesis, a made-up one, and none: refused, saying why.
    let out = ghost_fails(
        &node,
        &["domain", "resolve", name, "--verify", "--chain", "local"],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("not the pinned genesis"), "{stderr}");
    let zero = format!("0x{}", "00".repeat(32));
    let out = ghost_fails(
        &node,
        &["domain", "resolve", name, "--verify", "--genesis", &zero],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("not the pinned genesis"), "{stderr}");
    let out = ghost_fails(&node, &["domain", "resolve", name, "--verify"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--verify trusts only the chain's genesis"),
        "{stderr}"
    );
}

fn balance(node: &Node, who: &str) -> u64 {
    let report = ghost_json(node, &["balance", &address(who)]);
    report["free"]
        .as_u64()
        .unwrap_or_else(|| panic!("no free balance: {report}"))
}
