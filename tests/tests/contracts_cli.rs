//! Contracts end to end: a real `ghostchain --dev` driven by the real `ghost contract …`
//! commands. The example contracts (`counter`, `dns-balancer`) come from
//! `ghost_contract_fixtures` as compiled `.wasm` files; the DoS fixtures (floats, an endless
//! loop) are WAT compiled here.
//!
//! - `counter`: upload, instantiate, `call --method increment`, `query --method get` → 1.
//! - `dns-balancer`: upload, instantiate, `register` (the contract registers its name with its
//!   own balance; the dev chain needs no commitment, so the secret is zero), `set_reporters`
//!   (Bob's key, typed `--args`), `add_backend`, then a health report signed by
//!   Bob and sent as raw `--data` by a relayer; `ghost domain resolve` shows the A record.
//! - The README's contract quickstart, its own lines extracted from `README.md` and run with
//!   bash against a fresh node; then the same counter called with arguments it cannot decode,
//!   whose revert the CLI explains.
//! - A float module's upload is refused (`FloatsNotAllowed`, exit 1); an endless loop's call
//!   fails with `OutOfFuel` (exit 1, fee paid, nothing written), and the next transfer is
//!   included in a later block.

use std::path::{Path, PathBuf};
use std::process::Output;

use ghost_e2e::{Node, ghost_json};
use ghost_primitives::bytes::{decode_hex, encode_hex};
use ghost_primitives::{AccountId, Bytes, DnsRecord, Pair, RecordData, blake3_256};
use ghost_rpc::{ChainApiClient, ContractsApiClient};
use parity_scale_codec::{DecodeAll, Encode};

/// The name the balancer manages.
const NAME: &str = "balancer.ghost";
/// TTL of the balancer's A records.
const TTL: u32 = 60;
/// The backend Bob reports healthy.
const BACKEND: [u8; 4] = [10, 0, 0, 1];
/// What every report signature covers first (`contracts/examples/dns-balancer`).
const REPORT_CONTEXT: &[u8] = b"ghost-dns-balancer/report/v1";
/// Thirty days, in ms: how long the balancer registers its name for.
const MONTH_MS: u64 = 30 * 24 * 60 * 60 * 1000;

/// `f32` arithmetic: refused at upload.
const FLOAT_WAT: &str = r#"(module
  (memory (export "memory") 1)
  (func (export "deploy"))
  (func (export "call") (drop (f32.add (f32.const 1.5) (f32.const 2.5)))))"#;

/// Writes a key, then loops forever: every call runs out of fuel and writes nothing.
const LOOP_WAT: &str = r#"(module
  (import "ghost" "storage_set" (func $set (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "key")
  (func (export "deploy"))
  (func (export "call")
    (drop (call $set (i32.const 0) (i32.const 3) (i32.const 0) (i32.const 3)))
    (loop $forever (br $forever))))"#;

/// Fuel for the endless loop's call: a few ms of interpretation.
const LOOP_FUEL: &str = "2000000";

/// `blake3(method)[0..4]`, as `pallet_contracts::selector` and the SDK compute it.
fn selector(method: &str) -> [u8; 4] {
    let hash = blake3_256(method.as_bytes());
    [hash.0[0], hash.0[1], hash.0[2], hash.0[3]]
}

/// Writes `code` to `dir/name` and returns the path as a string for the CLI.
fn write_code(dir: &Path, name: &str, code: &[u8]) -> String {
    let path: PathBuf = dir.join(name);
    std::fs::write(&path, code).expect("write the contract file");
    path.to_str().expect("UTF-8 temp path").to_string()
}

/// Runs `ghost --json args…` expecting it to fail; returns its output.
fn ghost_fails(node: &Node, args: &[&str]) -> Output {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let out = node.ghost(&all);
    assert!(
        !out.status.success(),
        "ghost {args:?} should have failed: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(out.status.code(), Some(1), "ghost {args:?}");
    out
}

/// `ghost contract upload FILE --from //Alice`; returns the code hash.
fn upload(node: &Node, file: &str) -> String {
    let uploaded = ghost_json(node, &["contract", "upload", file, "--from", "//Alice"]);
    assert!(uploaded["block_number"].as_u64().is_some(), "{uploaded}");
    assert!(uploaded["deposit"].as_u64().unwrap() > 0, "{uploaded}");
    uploaded["code_hash"].as_str().unwrap().to_string()
}

/// `ghost contract instantiate HASH --from //Alice --value VALUE` plus `extra`; returns the
/// contract's address.
fn instantiate(node: &Node, code_hash: &str, value: &str, extra: &[&str]) -> String {
    let mut args = vec![
        "contract",
        "instantiate",
        code_hash,
        "--from",
        "//Alice",
        "--value",
        value,
    ];
    args.extend_from_slice(extra);
    let instantiated = ghost_json(node, &args);
    assert_eq!(instantiated["code_hash"], code_hash, "{instantiated}");
    instantiated["address"].as_str().unwrap().to_string()
}

/// `ghost contract query …` that must succeed (`result: ok`); returns the decoded output bytes
/// and the fuel burned.
fn query_ok(node: &Node, address: &str, input: &[&str]) -> (Vec<u8>, u64) {
    let mut args = vec!["contract", "query", address, "--from", "//Alice"];
    args.extend_from_slice(input);
    let answer = ghost_json(node, &args);
    assert_eq!(answer["result"], "ok", "{answer}");
    assert_eq!(answer["reverted"], false, "{answer}");
    let output = decode_hex(answer["output"].as_str().unwrap()).unwrap();
    (output, answer["fuelConsumed"].as_u64().unwrap())
}

/// The records of `name` per `ghost domain resolve NAME --json`, and its owner.
fn resolve(node: &Node, name: &str) -> (String, Vec<DnsRecord>) {
    let resolution = ghost_json(node, &["domain", "resolve", name]);
    let records = serde_json::from_value(resolution["records"].clone())
        .unwrap_or_else(|e| panic!("records of {resolution}: {e}"));
    (resolution["owner"].as_str().unwrap().to_string(), records)
}

/// The apex A records among `records`, with their TTLs.
fn apex_a(records: &[DnsRecord]) -> Vec<([u8; 4], u32)> {
    records
        .iter()
        .filter_map(|r| match r.data {
            RecordData::A(ip) if r.label.is_apex() => Some((ip, r.ttl)),
            _ => None,
        })
        .collect()
}

#[test]
fn counter_and_dns_balancer_through_the_ghost_cli() {
    let dir = tempfile::tempdir().unwrap();
    let node = Node::start(&dir.path().join("node"), &[]);

    // ---- counter ----
    let file = write_code(dir.path(), "counter.wasm", ghost_contract_fixtures::COUNTER);
    let code_hash = upload(&node, &file);
    assert_eq!(
        code_hash,
        blake3_256(ghost_contract_fixtures::COUNTER).to_string()
    );
    // `deploy(u64)` stores the count: the 1 GHOST pays its storage deposit.
    let counter = instantiate(&node, &code_hash, "1GHOST", &["--args", r#"["u64:0"]"#]);
    let called = ghost_json(
        &node,
        &[
            "contract",
            "call",
            &counter,
            "--from",
            "//Alice",
            "--method",
            "increment",
            "--args",
            r#"["u64:1"]"#,
        ],
    );
    assert_eq!(called["method"], "increment", "{called}");
    assert!(called["block_number"].as_u64().is_some(), "{called}");
    let (output, _) = query_ok(&node, &counter, &["--method", "get"]);
    assert_eq!(u64::decode_all(&mut &output[..]).unwrap(), 1);

    // ---- dns-balancer ----
    let file = write_code(
        dir.path(),
        "dns_balancer.wasm",
        ghost_contract_fixtures::DNS_BALANCER,
    );
    let code_hash = upload(&node, &file);
    let dave = Pair::dev("Dave").public();
    let bob = Pair::dev("Bob");
    // `Settings { name, reporters, ttl, max_report_age_ms }`, Dave reporting for now.
    let settings = (NAME.to_string(), vec![dave], TTL, 600_000u64).encode();
    // 20 GHOST: the name's price and the storage deposits, paid by the contract.
    let balancer_address = instantiate(
        &node,
        &code_hash,
        "20GHOST",
        &["--data", &encode_hex(&settings)],
    );
    let balancer: AccountId = balancer_address.parse().unwrap();

    // The admin (Alice) has the contract register the name for itself.
    ghost_json(
        &node,
        &[
            "contract",
            "call",
            &balancer_address,
            "--from",
            "//Alice",
            "--method",
            "register",
            "--args",
            &format!(r#"["u64:{MONTH_MS}", "hash:0x{}"]"#, "00".repeat(32)),
        ],
    );
    let (owner, records) = resolve(&node, NAME);
    assert_eq!(owner, balancer_address);
    assert!(apex_a(&records).is_empty(), "{records:?}");

    // Bob becomes the only reporter: `Vec<AccountId>` as a compact length then the key.
    ghost_json(
        &node,
        &[
            "contract",
            "call",
            &balancer_address,
            "--from",
            "//Alice",
            "--method",
            "set_reporters",
            "--args",
            &format!(r#"["raw:0x04", "account:{}"]"#, bob.public()),
        ],
    );
    // The admin names the backend reporters may report on (`[u8; 4]` is raw bytes).
    ghost_json(
        &node,
        &[
            "contract",
            "call",
            &balancer_address,
            "--from",
            "//Alice",
            "--method",
            "add_backend",
            "--args",
            &format!(r#"["raw:{}"]"#, encode_hex(&BACKEND)),
        ],
    );
    let (output, _) = query_ok(&node, &balancer_address, &["--method", "settings"]);
    type Settings = (String, Vec<AccountId>, u32, u64);
    let (name, reporters, ttl, _) = Settings::decode_all(&mut &output[..]).unwrap();
    assert_eq!(
        (name.as_str(), reporters, ttl),
        (NAME, vec![bob.public()], TTL)
    );

    // Bob signs `BACKEND is healthy` at the best block's time; Charlie relays it as raw data:
    // `selector("report") ++ SCALE(Vec<SignedReport { report: (ip, healthy, timestamp),
    // reporter, signature }>)`.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let now = rt.block_on(async {
        let client = node.client().await;
        ChainApiClient::header(&client, None)
            .await
            .unwrap()
            .unwrap()
            .timestamp_ms
    });
    let report = (BACKEND, true, now);
    let message = [REPORT_CONTEXT, &balancer.0, &report.encode()].concat();
    let signature: [u8; 64] = bob.sign(&message).0;
    let mut data = selector("report").to_vec();
    assert_eq!(data, [0x31, 0xf2, 0x7c, 0xf7], "the README's selector");
    vec![(report, bob.public(), signature)].encode_to(&mut data);
    let data = encode_hex(&data);

    // The dry run answers the healthy set; the transaction then buys twice what it burned.
    let (output, fuel) = query_ok(&node, &balancer_address, &["--data", &data]);
    assert_eq!(
        Vec::<[u8; 4]>::decode_all(&mut &output[..]).unwrap(),
        vec![BACKEND]
    );
    let fuel = (2 * fuel).to_string();
    let relayed = ghost_json(
        &node,
        &[
            "contract",
            "call",
            &balancer_address,
            "--from",
            "//Charlie",
            "--data",
            &data,
            "--fuel",
            &fuel,
        ],
    );
    assert!(relayed["method"].is_null(), "{relayed}");
    assert_eq!(relayed["data"], data.as_str(), "{relayed}");

    let (owner, records) = resolve(&node, NAME);
    assert_eq!(owner, balancer_address);
    assert_eq!(apex_a(&records), vec![(BACKEND, TTL)], "{records:?}");
    // The same through JSON-RPC `domain_resolve`.
    let resolved: serde_json::Value = rt.block_on(async {
        use jsonrpsee::core::client::ClientT;
        node.client()
            .await
            .request("domain_resolve", jsonrpsee::rpc_params![NAME])
            .await
            .unwrap()
    });
    let records: Vec<DnsRecord> = serde_json::from_value(resolved["records"].clone()).unwrap();
    assert_eq!(apex_a(&records), vec![(BACKEND, TTL)], "{resolved}");
}

/// The repository's `README.md`.
const README: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md"));

/// The command that builds the example contracts, as the README gives it: the test depends on
/// that crate, so its build already ran.
const BUILD_CONTRACTS: &str = "cargo build -p ghost-contract-fixtures";

/// The lines of every ```` ```sh ```` block of `markdown`, one `Vec` per block.
fn sh_blocks(markdown: &str) -> Vec<Vec<&str>> {
    let mut blocks = Vec::new();
    let mut current: Option<Vec<&str>> = None;
    for line in markdown.lines() {
        match (&mut current, line.trim_end()) {
            (None, "```sh") => current = Some(Vec::new()),
            (Some(_), "```") => blocks.extend(current.take()),
            (Some(block), line) => block.push(line),
            (None, _) => {}
        }
    }
    blocks
}

/// The README's contract quickstart as a bash script: the `source` and `ghost=` lines of the
/// client quickstart, then the contract block without its build line (checked to be
/// [`BUILD_CONTRACTS`]).
fn readme_contract_script() -> String {
    let blocks = sh_blocks(README);
    let setup = blocks
        .iter()
        .find(|b| b.iter().any(|l| l.starts_with("ghost=")))
        .expect("the README's client quickstart sets $ghost");
    let contract = blocks
        .iter()
        .find(|b| b.iter().any(|l| l.contains("contract upload")))
        .expect("the README has a contract quickstart");
    let mut script = Vec::new();
    script.extend(setup.iter().filter(|l| l.starts_with("source ")));
    script.extend(setup.iter().filter(|l| l.starts_with("ghost=")));
    let mut built = false;
    for line in contract {
        if line.starts_with("cargo ") {
            let command = line.split('#').next().unwrap().trim();
            assert_eq!(
                command, BUILD_CONTRACTS,
                "the README builds the contracts so"
            );
            built = true;
        } else {
            script.push(line);
        }
    }
    assert!(
        built,
        "the README's contract block builds the contracts first"
    );
    script.iter().map(|l| format!("{l}\n")).collect()
}

#[test]
fn the_readme_contract_quickstart_runs_as_written() {
    let dir = tempfile::tempdir().unwrap();
    let node = Node::start(&dir.path().join("node"), &[]);

    // A target dir laid out as the build leaves it: `debug/ghost` and the example's `.wasm`
    // under the name the contracts build writes.
    let target = dir.path().join("target");
    let wasm = target.join("wasm-contracts/wasm32v1-none/release");
    std::fs::create_dir_all(&wasm).unwrap();
    std::fs::create_dir_all(target.join("debug")).unwrap();
    std::os::unix::fs::symlink(ghost_e2e::binary("ghost"), target.join("debug/ghost")).unwrap();
    // The build leaves the ABI in the `.wasm` (a `ghost-abi` custom section) and next to it.
    let abi = ghost_contract_fixtures::COUNTER_ABI.as_bytes();
    let mut payload = vec![b"ghost-abi".len() as u8];
    payload.extend_from_slice(b"ghost-abi");
    payload.extend_from_slice(abi);
    let mut built = ghost_contract_fixtures::COUNTER.to_vec();
    built.push(0);
    let mut size = payload.len();
    loop {
        let byte = (size & 0x7f) as u8;
        size >>= 7;
        built.push(if size == 0 { byte } else { byte | 0x80 });
        if size == 0 {
            break;
        }
    }
    built.extend(payload);
    std::fs::write(wasm.join("ghost_example_counter.wasm"), &built).unwrap();
    std::fs::write(wasm.join("ghost_example_counter.abi.json"), abi).unwrap();

    let script = format!(
        "set -euo pipefail\n{}echo \"COUNTER=$COUNTER\"\necho \"CODE=$CODE\"\n",
        readme_contract_script()
    );
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(&script)
        .current_dir(repo)
        .env("CARGO_TARGET_DIR", &target)
        .env("GHOST_RPC", node.ws_url())
        .output()
        .expect("run bash");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the README's lines failed:\n{script}\nstdout:\n{stdout}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The README's comment on `query --method get` is what it prints.
    assert!(stdout.contains("output: 0x0100000000000000\n"), "{stdout}");
    assert!(stdout.contains("value: 1\n"), "{stdout}");
    // And `contract events` lists the one `Incremented` event, decoded.
    assert!(stdout.contains("events: 1\n"), "{stdout}");
    assert!(
        stdout.contains(r#"{"Incremented":{"by":1,"count":1}}"#),
        "{stdout}"
    );
    let counter = stdout
        .lines()
        .find_map(|l| l.strip_prefix("COUNTER="))
        .expect("the script printed the address")
        .to_string();
    let (output, _) = query_ok(&node, &counter, &["--method", "get"]);
    assert_eq!(u64::decode_all(&mut &output[..]).unwrap(), 1);
    // `upload` stored the code without its ABI section.
    let code = stdout
        .lines()
        .find_map(|l| l.strip_prefix("CODE="))
        .unwrap();
    assert_eq!(
        code,
        blake3_256(ghost_contract_fixtures::COUNTER).to_string()
    );

    // `increment` without its argument: the revert says what to fix, in a dry run and in a
    // transaction (which is included, pays its fee and changes nothing).
    let out = node.ghost(&[
        "--json",
        "contract",
        "query",
        &counter,
        "--method",
        "increment",
    ]);
    assert!(out.status.success(), "a revert is the contract's answer");
    let answer: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(answer["result"], "revert", "{answer}");
    let reason = answer["revertReason"].as_str().unwrap_or_default();
    assert!(
        reason.contains("check the count and types of --args"),
        "{answer}"
    );
    let out = ghost_fails(
        &node,
        &[
            "contract",
            "call",
            &counter,
            "--method",
            "increment",
            "--from",
            "//Alice",
        ],
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let error = report["error"].as_str().unwrap_or_default();
    assert!(
        error.starts_with("Contracts.ContractReverted")
            && error.contains("): the contract refused the call data"),
        "{report}"
    );
    assert!(error.contains("--args"), "{report}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("check the count and types of --args"),
        "{stderr}"
    );
    let (output, _) = query_ok(&node, &counter, &["--method", "get"]);
    assert_eq!(u64::decode_all(&mut &output[..]).unwrap(), 1);
}

#[test]
fn float_code_is_refused_and_an_endless_loop_runs_out_of_fuel() {
    let dir = tempfile::tempdir().unwrap();
    let node = Node::start(&dir.path().join("node"), &[]);

    // A float module: included, refused by the pallet, exit 1 with the error named.
    let float = write_code(
        dir.path(),
        "float.wasm",
        &wat::parse_str(FLOAT_WAT).unwrap(),
    );
    let out = ghost_fails(&node, &["contract", "upload", &float, "--from", "//Alice"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["success"], false, "{report}");
    let error = report["error"].as_str().unwrap_or_default();
    assert!(error.starts_with("Contracts.FloatsNotAllowed"), "{report}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("FloatsNotAllowed"), "{stderr}");
    let code_hash = blake3_256(&wat::parse_str(FLOAT_WAT).unwrap()).to_string();
    let out = ghost_fails(
        &node,
        &["contract", "instantiate", &code_hash, "--from", "//Alice"],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("upload it first"),
        "nothing stored: {stderr}"
    );

    // An endless loop: deployed fine, every call runs out of fuel.
    let looping = write_code(dir.path(), "loop.wasm", &wat::parse_str(LOOP_WAT).unwrap());
    let code_hash = upload(&node, &looping);
    let address = instantiate(&node, &code_hash, "1GHOST", &[]);

    // The dry run is bounded too, and says why.
    let out = ghost_fails(
        &node,
        &[
            "contract", "query", &address, "--data", "0x", "--fuel", LOOP_FUEL,
        ],
    );
    let answer: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(answer["result"], "error", "{answer}");
    let error = answer["error"].as_str().unwrap_or_default();
    assert!(error.starts_with("Contracts.OutOfFuel"), "{answer}");
    assert_eq!(answer["fuelConsumed"].as_u64(), Some(2_000_000), "{answer}");

    let alice = ghost_json(&node, &["key", "inspect", "//Alice"]);
    let alice = alice["address"].as_str().unwrap().to_string();
    let nonce_before = ghost_json(&node, &["balance", &alice])["nonce"]
        .as_u64()
        .unwrap();
    let out = ghost_fails(
        &node,
        &[
            "contract", "call", &address, "--from", "//Alice", "--data", "0x", "--fuel", LOOP_FUEL,
        ],
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["success"], false, "{report}");
    let error = report["error"].as_str().unwrap_or_default();
    assert!(error.starts_with("Contracts.OutOfFuel"), "{report}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("OutOfFuel"), "{stderr}");
    let loop_block = report["block_number"].as_u64().expect("included");
    // Included and paid for (the nonce moved), but the key it wrote was reverted.
    assert_eq!(
        ghost_json(&node, &["balance", &alice])["nonce"].as_u64(),
        Some(nonce_before + 1)
    );
    let rt = tokio::runtime::Runtime::new().unwrap();
    let stored = rt.block_on(async {
        let client = node.client().await;
        ContractsApiClient::contract_storage(&client, address.clone(), Bytes(b"key".to_vec()), None)
            .await
            .unwrap()
    });
    assert_eq!(stored, None);

    // Block production goes on: a transfer lands in a later block.
    let bob = Pair::dev("Bob").public().to_string();
    let receipt = ghost_json(
        &node,
        &[
            "transfer", "--from", "//Alice", "--to", &bob, "--amount", "1000",
        ],
    );
    assert_eq!(receipt["success"], true, "{receipt}");
    assert!(
        receipt["block_number"].as_u64().unwrap() > loop_block,
        "{receipt} after block {loop_block}"
    );
}

/// `ghost contract new` as a new contract author uses it: the crate it writes passes its own
/// unit tests, builds to `wasm32v1-none`, uploads, instantiates and answers calls through its
/// ABI on a dev node; names that are not crate names and existing directories are refused.
#[test]
fn ghost_contract_new_scaffolds_a_crate_that_tests_builds_and_runs() {
    let dir = tempfile::tempdir().unwrap();
    let node = Node::start(&dir.path().join("node"), &[]);
    let krate = dir.path().join("my-counter");
    let created = ghost_json(
        &node,
        &[
            "contract",
            "new",
            "my-counter",
            "--path",
            krate.to_str().unwrap(),
        ],
    );
    assert_eq!(created["name"], "my-counter", "{created}");

    // One target dir per machine for these builds (CI re-runs reuse it).
    let exe = std::env::current_exe().unwrap();
    let target = exe.ancestors().nth(3).unwrap().join("contract-new-test");
    let cargo = |args: &[&str]| {
        let out = std::process::Command::new("cargo")
            .args(args)
            .current_dir(&krate)
            .env("CARGO_TARGET_DIR", &target)
            .env_remove("RUSTFLAGS")
            .output()
            .expect("run cargo");
        assert!(
            out.status.success(),
            "cargo {args:?} in the new crate failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    cargo(&["test"]);
    cargo(&["build", "--release", "--target", "wasm32v1-none"]);
    let wasm = target.join("wasm32v1-none/release/my_counter.wasm");
    let wasm = wasm.to_str().unwrap();

    let uploaded = ghost_json(&node, &["contract", "upload", wasm, "--from", "//Alice"]);
    let code_hash = uploaded["code_hash"].as_str().unwrap().to_string();
    let instantiated = ghost_json(
        &node,
        &[
            "contract",
            "instantiate",
            &code_hash,
            "--from",
            "//Alice",
            "--abi",
            wasm,
            "--args",
            "[41]",
        ],
    );
    let address = instantiated["address"].as_str().unwrap().to_string();
    ghost_json(
        &node,
        &[
            "contract",
            "call",
            &address,
            "--from",
            "//Alice",
            "--abi",
            wasm,
            "--method",
            "increment",
            "--args",
            "[1]",
        ],
    );
    let answer = ghost_json(
        &node,
        &[
            "contract", "query", &address, "--abi", wasm, "--method", "get",
        ],
    );
    assert_eq!(answer["value"], 42, "{answer}");

    let bad = node.ghost(&["contract", "new", "My_Counter"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("not a crate name"));
    let exists = node.ghost(&[
        "contract",
        "new",
        "again",
        "--path",
        krate.to_str().unwrap(),
    ]);
    assert!(!exists.status.success());
    assert!(String::from_utf8_lossy(&exists.stderr).contains("exists already"));
}
