//! The ENS bridge end to end against a real Ethereum node: anvil (`--block-time 1`) with ENS's
//! own `ENSRegistry` and `PublicResolver` deployed from their published npm artifacts, a real
//! `ghostchain --dev`, three real `ens-oracle` processes (//Dave, //Eve, //Ferdie; threshold
//! two) and the real `ghost ens` CLI.
//!
//! - `ghost ens link alice.eth alice.ghost --eth-key …` → linked; the ENS `addr` and `url`
//!   text appear on alice.ghost through `domain_resolve` and over DNS (`dig` at the node's
//!   GhostBridge: TXT at `_web3.alice.ghost`); a text and an addr change on Ethereum follow,
//!   both ways (the time each took is printed: the figures in docs/PERFORMANCE.md).
//! - A request signed by the wrong key (not the ENS owner), and one whose signature is a
//!   replay over another message, are refused by the oracles: nothing is linked or registered.
//!   A signature with a broken recovery byte is refused by the CLI.
//! - A single rogue oracle (Dave's key, its process stopped) attesting a false owner changes
//!   nothing; Eve and Ferdie alone keep syncing; Dave restarted resumes from its base path
//!   and, with Eve stopped, Dave and Ferdie sync the next change.
//! - anvil stopped and restarted (state kept with `--state`) is survived: the oracles back off,
//!   reconnect and sync the next change.
//! - An ENS transfer suspends the link: alice.ghost's records are cleared (and gone from DNS).
//! - Reorgs (`anvil_reorg`, oracles at 3 confirmations): one inside the confirmation depth
//!   never reaches the chain; one as deep as it is undone (its own test).
//!
//! Needs npm (the packages are installed by `scripts/ens-npm.sh` into its cache on first use);
//! without it the test fails saying so.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use alloy_primitives::{B256, keccak256};
use alloy_sol_types::SolCall;
use ens_oracle::abi::{EnsRegistry, EnsResolver};
use ens_oracle::devnet::Devnet;
use ens_oracle::eth::EthClient;
use ghost_e2e::{Node, binary, dig, free_port, free_udp_tcp_port, ghost_json};
use ghost_primitives::{EnsName, ens_namehash};
use ghost_rpc::{ChainApiClient, DomainApiClient};

/// anvil's first accounts' keys (mnemonic `test test … junk`); checked against `eth_accounts`.
const KEYS: [&str; 4] = [
    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
    "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
    "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
    "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
];

/// How long any one propagation may take before the test fails.
const PATIENCE: Duration = Duration::from_secs(25);

/// A child process killed when dropped.
struct Proc {
    child: Option<Child>,
    log: PathBuf,
}

impl Proc {
    fn spawn(command: &mut Command, log: PathBuf) -> Proc {
        let file = std::fs::File::create(&log).expect("log file");
        let child = command
            .stdout(Stdio::null())
            .stderr(file)
            .spawn()
            .unwrap_or_else(|e| panic!("spawn {command:?}: {e}"));
        Proc {
            child: Some(child),
            log,
        }
    }

    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// SIGTERM, then waits up to 10 s (SIGKILL after).
    fn terminate(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill")
                .arg("-TERM")
                .arg(child.id().to_string())
                .status();
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The npm cache with anvil and the ENS packages, installed if missing.
fn npm_cache() -> PathBuf {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/ens-npm.sh");
    let out = Command::new("bash")
        .arg(&script)
        .output()
        .expect("run scripts/ens-npm.sh");
    assert!(
        out.status.success(),
        "scripts/ens-npm.sh failed (the ENS end-to-end test needs npm and the npm registry): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
}

/// Starts anvil on `port` with `--block-time 1`, its state kept in `dir/anvil-state.json`
/// (loaded at start, written at a graceful exit).
fn spawn_anvil(cache: &Path, dir: &Path, port: u16) -> Proc {
    let anvil = cache.join("node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil");
    Proc::spawn(
        Command::new(anvil)
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .args(["--block-time", "1", "--accounts", "4", "--state"])
            .arg(dir.join("anvil-state.json")),
        dir.join(format!("anvil-{port}.log")),
    )
}

/// Starts anvil and deploys ENS (registry, public resolver, `eth` for account 0).
async fn start_ethereum(cache: &Path, dir: &Path) -> (Proc, Devnet) {
    let port = free_port();
    let proc = spawn_anvil(cache, dir, port);
    let client =
        EthClient::new(&format!("http://127.0.0.1:{port}"), Duration::from_secs(10)).unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while client.block_number().await.is_err() {
        assert!(
            Instant::now() < deadline,
            "anvil did not start: {}",
            proc.log_text()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let eth = Devnet::deploy(client, &cache.join("node_modules"))
        .await
        .expect("deploy ENS");
    for (key, account) in KEYS.iter().zip(&eth.accounts) {
        let secret: [u8; 32] = hex::decode(&key[2..]).unwrap().try_into().unwrap();
        let derived = ghost_client::runtime::ens_bridge::eth::EthKey::from_secret(&secret)
            .unwrap()
            .address();
        assert_eq!(derived.0, account.0.0, "anvil's account keys changed");
    }
    (proc, eth)
}

fn start_oracle(key: &str, eth: &Devnet, node: &Node, dir: &Path) -> Proc {
    start_oracle_with(key, eth, node, dir, 1)
}

/// An oracle that processes only blocks `confirmations` deep.
fn start_oracle_with(key: &str, eth: &Devnet, node: &Node, dir: &Path, confirmations: u64) -> Proc {
    let base = dir.join(key.trim_start_matches("//"));
    std::fs::create_dir_all(&base).unwrap();
    Proc::spawn(
        Command::new(binary("ens-oracle"))
            .args([
                "--eth-rpc",
                eth.client.url(),
                "--node",
                &node.ws_url(),
                "--key",
                key,
            ])
            .args(["--ens-registry", &eth.registry.to_string()])
            .args([
                "--confirmations",
                &confirmations.to_string(),
                "--poll-ms",
                "200",
                "--no-prometheus",
            ])
            .arg("--base-path")
            .arg(&base)
            .env("RUST_LOG", "info"),
        dir.join(format!("oracle-{}.log", key.trim_start_matches("//"))),
    )
}

/// Waits until `check` holds, failing with `what` after [`PATIENCE`]; returns how long it took.
async fn eventually<F, Fut>(what: &str, mut check: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    while !check().await {
        assert!(start.elapsed() < PATIENCE, "timed out waiting for: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    start.elapsed()
}

async fn web3(client: &ghost_client::Client, name: &str) -> Option<ghost_primitives::Web3Records> {
    DomainApiClient::resolve(client, name.into(), None)
        .await
        .unwrap()
        .map(|r| r.web3)
}

fn text_of(records: &Option<ghost_primitives::Web3Records>, key: &str) -> Option<String> {
    records.as_ref()?.texts.get(key).cloned()
}

/// The TXT strings GhostBridge's DNS server (on `port`) answers for `_web3.<name>`, where it
/// serves the name's web3 records (`"url=https://…"`, `"addr.60=0x…"`), asked with `dig`.
fn dns_web3(port: u16, name: &str) -> Vec<String> {
    dig(port, &[&format!("_web3.{name}"), "TXT", "+short"])
        .lines()
        .map(|l| l.trim().trim_matches('"').to_string())
        .collect()
}

/// `addr.60=0x…` for an Ethereum address, as DNS serves it.
fn dns_addr(address: &alloy_primitives::Address) -> String {
    format!("addr.60=0x{}", hex::encode(address.as_slice()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ens_names_link_sync_and_suspend_through_three_oracles() {
    let cache = npm_cache();
    let dir = tempfile::tempdir().unwrap();
    let (mut anvil, eth) = start_ethereum(&cache, dir.path()).await;
    // alice.eth and bob.eth: owned by accounts 1 and 2, their ETH address set to the owner.
    eth.create_name("alice", 1).await.unwrap();
    eth.create_name("bob", 2).await.unwrap();
    eth.set_text(1, "alice.eth", "url", "https://alice.example")
        .await
        .unwrap();

    // The dev node with GhostBridge: its DNS server answers for the mirrored records too.
    let dns = free_udp_tcp_port();
    let node = Node::start(
        &dir.path().join("node"),
        &[
            "--dns-port",
            &dns.to_string(),
            "--grpc-port",
            &free_port().to_string(),
        ],
    );
    let client = node.client().await;
    let mut oracles: Vec<Proc> = ["//Dave", "//Eve", "//Ferdie"]
        .iter()
        .map(|k| start_oracle(k, &eth, &node, dir.path()))
        .collect();

    // ---- a link is made ----
    let linked = ghost_json(
        &node,
        &[
            "ens",
            "link",
            "Alice.eth",
            "alice.ghost",
            "--from",
            "//Alice",
            "--eth-key",
            KEYS[1],
        ],
    );
    assert_eq!(linked["ens_name"], "alice.eth");
    assert_eq!(
        linked["eth_address"].as_str().unwrap().to_lowercase(),
        eth.accounts[1].to_string().to_lowercase()
    );
    let alice = EnsName::parse("alice.eth").unwrap();
    eventually("alice.eth linked", || async {
        client
            .ens_link(&alice)
            .await
            .unwrap()
            .is_some_and(|l| l.status == "active")
    })
    .await;
    let records = web3(&client, "alice.ghost").await;
    assert_eq!(
        text_of(&records, "url").as_deref(),
        Some("https://alice.example")
    );
    assert_eq!(
        records.as_ref().unwrap().addresses.get(&60).unwrap().0,
        eth.accounts[1].to_vec()
    );
    eventually("the mirrored records over DNS", || async {
        let txt = dns_web3(dns, "alice.ghost");
        txt.contains(&"url=https://alice.example".to_string())
            && txt.contains(&dns_addr(&eth.accounts[1]))
    })
    .await;
    let status = ghost_json(&node, &["ens", "status", "alice.eth"]);
    assert_eq!(status["state"], "linked");
    let reverse = ghost_json(&node, &["ens", "reverse", "alice.ghost"]);
    assert_eq!(reverse["ens_name"], "alice.eth");

    // ---- text and addr changes on Ethereum follow ----
    let samples: usize = std::env::var("ENS_E2E_SAMPLES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3);
    // Each change: from its submission to anvil, and from the moment its receipt is seen
    // (polled every 10 ms: when the block was mined), until domain_resolve shows it.
    let mut from_submit = Vec::new();
    let mut from_mined = Vec::new();
    let mut dns_from_mined = Vec::new();
    for i in 0..=samples {
        let (call, expect_url) = if i < samples {
            let url = format!("https://alice.example/{i}");
            let call = EnsResolver::setTextCall {
                node: B256::from(ens_namehash("alice.eth")),
                key: "url".into(),
                value: url.clone(),
            }
            .abi_encode();
            (call, Some(url))
        } else {
            let call = EnsResolver::setAddr_0Call {
                node: B256::from(ens_namehash("alice.eth")),
                a: eth.accounts[3],
            }
            .abi_encode();
            (call, None)
        };
        let submitted = Instant::now();
        let tx = eth
            .client
            .send_transaction(eth.accounts[1], Some(eth.resolver), &call)
            .await
            .unwrap();
        while eth.client.receipt(tx).await.unwrap().is_none() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let mined = Instant::now();
        eventually("change mirrored", || async {
            let records = web3(&client, "alice.ghost").await;
            match &expect_url {
                Some(url) => text_of(&records, "url").as_deref() == Some(url.as_str()),
                None => {
                    records.and_then(|r| r.addresses.get(&60).map(|a| a.0.clone()))
                        == Some(eth.accounts[3].to_vec())
                }
            }
        })
        .await;
        from_submit.push(submitted.elapsed());
        from_mined.push(mined.elapsed());
        let expect_txt = match &expect_url {
            Some(url) => format!("url={url}"),
            None => dns_addr(&eth.accounts[3]),
        };
        eventually("change answered over DNS", || async {
            dns_web3(dns, "alice.ghost").contains(&expect_txt)
        })
        .await;
        dns_from_mined.push(mined.elapsed());
    }
    for (what, mut latencies) in [
        ("submitted -> domain_resolve", from_submit),
        ("mined -> domain_resolve", from_mined),
        ("mined -> DNS TXT answer", dns_from_mined),
    ] {
        latencies.sort();
        let ms: Vec<u128> = latencies.iter().map(Duration::as_millis).collect();
        println!(
            "ENS change {what} (anvil --block-time 1, 1 confirmation): n={} p50={} ms p99={} ms max={} ms",
            ms.len(),
            ms[ms.len() / 2],
            ms[(ms.len() * 99 / 100).min(ms.len() - 1)],
            ms[ms.len() - 1]
        );
    }

    // ---- DNS-profile records (EIP-1185) set on ENS answer over DNS ----
    // `alice.eth. 600 IN A 192.0.2.1` and `www.alice.eth. 60 IN TXT "hello"`, in the wire
    // form the resolver's setDNSRecords takes.
    use ens_oracle::dns_wire::{encode_rr, wire_name};
    use ghost_primitives::{RecordData, RecordLabel};
    let apex = wire_name(&RecordLabel::apex(), "alice.eth").unwrap();
    let www = wire_name(&RecordLabel::parse("www").unwrap(), "alice.eth").unwrap();
    let zone = [
        encode_rr(&apex, 600, &RecordData::A([192, 0, 2, 1])).unwrap(),
        encode_rr(&www, 60, &RecordData::TXT(vec![b"hello".to_vec()])).unwrap(),
    ]
    .concat();
    eth.set_dns_records(1, "alice.eth", &zone).await.unwrap();
    eventually("ENS DNS records answered over DNS", || async {
        dig(dns, &["alice.ghost", "A", "+short"]).trim() == "192.0.2.1"
            && dig(dns, &["www.alice.ghost", "TXT", "+short"]).trim() == "\"hello\""
    })
    .await;
    assert!(
        client.ens_link(&alice).await.unwrap().unwrap().mirrors_dns,
        "the link says its DNS records follow ENS"
    );

    // ---- wrong owner, replayed signature, broken signature: nothing linked ----
    // Alice's ENS key does not own bob.eth.
    ghost_json(
        &node,
        &[
            "ens",
            "link",
            "bob.eth",
            "bob-by-alice.ghost",
            "--from",
            "//Alice",
            "--eth-key",
            KEYS[1],
        ],
    );
    // Bob's own signature, but over the message for another ghost name: it recovers to some
    // other address, which does not own bob.eth either.
    let message = ghost_json(
        &node,
        &[
            "ens",
            "message",
            "bob.eth",
            "other.ghost",
            "--from",
            "//Bob",
        ],
    );
    let key2: [u8; 32] = hex::decode(&KEYS[2][2..]).unwrap().try_into().unwrap();
    let signature = ghost_client::runtime::ens_bridge::eth::EthKey::from_secret(&key2)
        .unwrap()
        .sign_personal(message["message"].as_str().unwrap().as_bytes());
    let replay = format!("{signature:?}");
    let out = node.ghost(&[
        "--json",
        "ens",
        "link",
        "carol.eth",
        "bob.ghost",
        "--from",
        "//Bob",
        "--eth-signature",
        &replay,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut broken = signature;
    broken.0[64] = 9;
    let out = node.ghost(&[
        "ens",
        "link",
        "bob.eth",
        "bob.ghost",
        "--from",
        "//Bob",
        "--eth-signature",
        &format!("{broken:?}"),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not sign the link message"));
    let bob = EnsName::parse("bob.eth").unwrap();
    let carol = EnsName::parse("carol.eth").unwrap();
    eventually("both requests refused", || async {
        client.ens_pending().await.unwrap().is_empty()
    })
    .await;
    assert_eq!(client.ens_link(&bob).await.unwrap(), None);
    assert_eq!(client.ens_link(&carol).await.unwrap(), None);
    for name in ["bob-by-alice.ghost", "bob.ghost"] {
        let resolved = DomainApiClient::resolve(&client, name.into(), None)
            .await
            .unwrap();
        assert!(resolved.is_none(), "{name} was registered: {resolved:?}");
    }

    // ---- one rogue oracle changes nothing; two keep syncing ----
    oracles[0].kill();
    let head = eth.client.block_number().await.unwrap();
    let block = eth.client.block(head).await.unwrap().unwrap();
    let rogue = ghost_client::Signer::dev("Dave");
    let before = web3(&client, "alice.ghost").await;
    client
        .tx()
        .ens_bridge()
        .submit_attestation(
            alice.clone(),
            head,
            ghost_primitives::Hash(block.hash.0),
            ghost_primitives::EthAddress([0x66; 20]),
            Default::default(),
        )
        .submit_and_watch(&rogue)
        .await
        .unwrap()
        .in_block()
        .await
        .unwrap();
    let link = client.ens_link(&alice).await.unwrap().unwrap();
    assert_eq!(link.status, "active");
    assert_eq!(
        web3(&client, "alice.ghost").await,
        before,
        "one rogue vote changed records"
    );
    eth.set_text(1, "alice.eth", "url", "https://two-of-three.example")
        .await
        .unwrap();
    eventually("Eve and Ferdie sync without Dave", || async {
        text_of(&web3(&client, "alice.ghost").await, "url").as_deref()
            == Some("https://two-of-three.example")
    })
    .await;

    // ---- Dave restarted resumes from its base path; with Eve down, Dave + Ferdie sync ----
    let state = dir.path().join("Dave/ens-oracle-state.json");
    assert!(state.exists(), "Dave persisted nothing");
    oracles[0] = start_oracle("//Dave", &eth, &node, dir.path());
    oracles[1].kill();
    eth.set_text(1, "alice.eth", "url", "https://after-restart.example")
        .await
        .unwrap();
    eventually("Dave and Ferdie sync after Dave's restart", || async {
        text_of(&web3(&client, "alice.ghost").await, "url").as_deref()
            == Some("https://after-restart.example")
    })
    .await;
    assert!(
        oracles[0].log_text().contains("resuming after Some("),
        "Dave did not resume: {}",
        oracles[0].log_text()
    );
    oracles[1] = start_oracle("//Eve", &eth, &node, dir.path());

    // ---- anvil stopped and restarted (its state kept) is survived ----
    anvil.terminate();
    assert!(
        dir.path().join("anvil-state.json").exists(),
        "anvil dumped no state"
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    let port: u16 = eth
        .client
        .url()
        .rsplit(':')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    anvil = spawn_anvil(&cache, dir.path(), port);
    let deadline = Instant::now() + Duration::from_secs(20);
    while eth.client.block_number().await.is_err() {
        assert!(
            Instant::now() < deadline,
            "anvil did not restart: {}",
            anvil.log_text()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    eth.set_text(1, "alice.eth", "url", "https://after-anvil-restart.example")
        .await
        .unwrap();
    eventually("the oracles sync after anvil's restart", || async {
        text_of(&web3(&client, "alice.ghost").await, "url").as_deref()
            == Some("https://after-anvil-restart.example")
    })
    .await;

    // ---- an ENS transfer suspends the link ----
    eth.set_owner(1, "alice.eth", eth.accounts[2])
        .await
        .unwrap();
    eventually("transfer suspends the link", || async {
        client
            .ens_link(&alice)
            .await
            .unwrap()
            .is_some_and(|l| l.status == "suspended")
    })
    .await;
    let records = web3(&client, "alice.ghost").await.unwrap_or_default();
    assert!(
        records.addresses.is_empty() && records.texts.is_empty(),
        "{records:?}"
    );
    eventually("the suspended link's records gone from DNS", || async {
        dig(dns, &["_web3.alice.ghost", "TXT"]).contains("status: NXDOMAIN")
    })
    .await;
    let status = ghost_json(&node, &["ens", "status", "alice.eth"]);
    assert_eq!(status["state"], "suspended");
    assert_eq!(
        status["link"]["suspendedBy"]
            .as_str()
            .unwrap()
            .to_lowercase(),
        eth.accounts[2].to_string().to_lowercase()
    );
}

/// CPU seconds (user + system) a process has used, from `/proc/PID/stat`.
fn cpu_seconds(proc: &Proc) -> f64 {
    let Some(child) = proc.child.as_ref() else {
        return 0.0;
    };
    let stat = std::fs::read_to_string(format!("/proc/{}/stat", child.id())).unwrap_or_default();
    // Fields after the `(comm)`: state is field 3; utime and stime are fields 14 and 15.
    let after = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest)
        .unwrap_or_default();
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks: f64 = [11, 12]
        .iter()
        .filter_map(|i| fields.get(*i).and_then(|f| f.parse::<f64>().ok()))
        .sum();
    ticks / 100.0
}

/// 100+ ENS names linked and kept in sync by the three oracles (`ENS_E2E_NAMES`, default 100):
/// every name is linked, then every name's `url` changes on Ethereum in a few blocks, and every
/// ghost name follows. Prints the times, the oracles' CPU and the chain weight and fees of the
/// attestations (`cargo test -p ghost-e2e --test ens_bridge a_hundred -- --nocapture`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_names_link_and_stay_in_sync() {
    let count: usize = std::env::var("ENS_E2E_NAMES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100);
    let cache = npm_cache();
    let dir = tempfile::tempdir().unwrap();
    let (_anvil, eth) = start_ethereum(&cache, dir.path()).await;
    let labels: Vec<String> = (0..count).map(|i| format!("name{i}")).collect();
    // Account 1 owns every name; the transactions go out together and land in a few blocks.
    let mut last = None;
    for label in &labels {
        let call = EnsRegistry::setSubnodeRecordCall {
            node: B256::from(ens_namehash("eth")),
            label: keccak256(label),
            owner: eth.accounts[1],
            resolver: eth.resolver,
            ttl: 0,
        };
        last = Some(
            eth.client
                .send_transaction(eth.accounts[0], Some(eth.registry), &call.abi_encode())
                .await
                .unwrap(),
        );
    }
    wait_receipt(&eth, last.unwrap()).await;

    let node = Node::start(&dir.path().join("node"), &[]);
    let client = node.client().await;
    let oracles: Vec<Proc> = ["//Dave", "//Eve", "//Ferdie"]
        .iter()
        .map(|k| start_oracle(k, &eth, &node, dir.path()))
        .collect();
    let secret: [u8; 32] = hex::decode(&KEYS[1][2..]).unwrap().try_into().unwrap();
    let key = ghost_client::runtime::ens_bridge::eth::EthKey::from_secret(&secret).unwrap();
    let alice = ghost_client::Signer::dev("Alice");
    let cpu_before: f64 = oracles.iter().map(cpu_seconds).sum();

    let start = Instant::now();
    let requests = labels.iter().map(|label| {
        let (client, alice, key) = (&client, &alice, &key);
        async move {
            let ens_name = EnsName::parse(&format!("{label}.eth")).unwrap();
            let ghost_name =
                ghost_primitives::DomainName::parse(&format!("{label}.ghost")).unwrap();
            let message = client
                .ens_link_message(&ens_name, &ghost_name, &alice.account())
                .await
                .unwrap();
            client
                .tx()
                .ens_bridge()
                .register_ens_domain(
                    ens_name,
                    ghost_name,
                    key.address(),
                    key.sign_personal(message.as_bytes()),
                )
                .submit_and_watch(alice)
                .await
                .unwrap()
                .in_block()
                .await
                .unwrap();
        }
    });
    futures::future::join_all(requests).await;
    let linked = eventually_long("every name linked", || async {
        client
            .ens_all_links()
            .await
            .unwrap()
            .iter()
            .filter(|l| l.status == "active")
            .count()
            == count
    })
    .await;
    let link_time = start.elapsed();

    let mut last = None;
    for label in &labels {
        let call = EnsResolver::setTextCall {
            node: B256::from(ens_namehash(&format!("{label}.eth"))),
            key: "url".into(),
            value: format!("https://{label}.example"),
        };
        last = Some(
            eth.client
                .send_transaction(eth.accounts[1], Some(eth.resolver), &call.abi_encode())
                .await
                .unwrap(),
        );
    }
    wait_receipt(&eth, last.unwrap()).await;
    let synced = eventually_long("every name synced", || async {
        let mut all = true;
        for label in &labels {
            let url = format!("https://{label}.example");
            if text_of(&web3(&client, &format!("{label}.ghost")).await, "url").as_deref()
                != Some(url.as_str())
            {
                all = false;
                break;
            }
        }
        all
    })
    .await;
    let cpu: f64 = oracles.iter().map(cpu_seconds).sum::<f64>() - cpu_before;
    let best = client.fetch_header(None).await.unwrap().number;
    let (attestations, weight, fees) = attestation_weight(&client, best).await;
    assert!(
        attestations >= 2 * 2 * count as u64,
        "two oracles' attestations per link and per sync at least: {attestations}"
    );
    println!(
        "{count} names: requests sent and all linked in {:.1} s (last link seen {:.1} s after polling began); \
         {count} url changes (last receipt) -> all mirrored in {:.1} s; three oracles' CPU {cpu:.1} s in total; \
         ghost chain at block {best}; {attestations} attestations applied, weight {:.1} ms in total \
         ({:.0} µs each), fees {:.4} GHOST",
        link_time.as_secs_f64(),
        linked.as_secs_f64(),
        synced.as_secs_f64(),
        weight as f64 / 1e9,
        weight as f64 / 1e6 / attestations.max(1) as f64,
        fees as f64 / ghost_client::runtime::GHOST as f64,
    );
}

/// The attestations applied in blocks 1..=`best` (extrinsics with an `AttestationRecorded` or
/// `AttestationIgnored` event): how many, the weight they were charged (ps) and their fees.
async fn attestation_weight(client: &ghost_client::Client, best: u64) -> (u64, u64, u128) {
    use ghost_client::runtime::{RuntimeEvent, ens_bridge, system};
    let (mut count, mut weight, mut fees) = (0u64, 0u64, 0u128);
    for number in 1..=best {
        let hash = ChainApiClient::block_hash(client, Some(number))
            .await
            .unwrap()
            .expect("a canonical block");
        let events = ghost_client::Events::at(client, hash).await.unwrap();
        let mut phases: Vec<_> = events.records.iter().map(|r| r.phase).collect();
        phases.dedup();
        for phase in phases {
            let of_phase = || events.records.iter().filter(move |r| r.phase == phase);
            let attestation = of_phase().any(|r| {
                matches!(
                    r.event,
                    RuntimeEvent::EnsBridge(
                        ens_bridge::Event::AttestationRecorded { .. }
                            | ens_bridge::Event::AttestationIgnored { .. }
                    )
                )
            });
            if !attestation {
                continue;
            }
            for record in of_phase() {
                if let RuntimeEvent::System(system::Event::ExtrinsicSuccess {
                    dispatch_info,
                    fee,
                }) = &record.event
                {
                    count += 1;
                    weight += dispatch_info.weight.0;
                    fees += fee;
                }
            }
        }
    }
    (count, weight, fees)
}

async fn wait_receipt(eth: &Devnet, tx: B256) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while eth.client.receipt(tx).await.unwrap().is_none() {
        assert!(Instant::now() < deadline, "no receipt for {tx}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// [`eventually`] with two minutes of patience (load runs).
async fn eventually_long<F, Fut>(what: &str, mut check: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    while !check().await {
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "timed out waiting for: {what}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    start.elapsed()
}

/// The oracles' confirmation depth in the reorg test.
const CONFIRMATIONS: u64 = 3;

/// One anvil JSON-RPC call (`evm_*`, `anvil_*`); an error fails the test.
async fn anvil_rpc(eth: &Devnet, method: &str, params: serde_json::Value) -> serde_json::Value {
    eth.client
        .request(method, params)
        .await
        .unwrap_or_else(|e| panic!("{method}: {e}"))
}

/// `setText(alice.eth, "url", url)` as a JSON transaction from account 1 (for `anvil_reorg`).
fn set_url_tx(eth: &Devnet, url: &str) -> serde_json::Value {
    let call = EnsResolver::setTextCall {
        node: B256::from(ens_namehash("alice.eth")),
        key: "url".into(),
        value: url.into(),
    }
    .abi_encode();
    serde_json::json!({
        "from": eth.accounts[1].to_string(),
        "to": eth.resolver.to_string(),
        "data": format!("0x{}", hex::encode(call)),
        // anvil estimates gas at its head, before the reorg, where the storage may differ.
        "gas": "0x100000",
    })
}

/// Asserts that the block at `height` holds one transaction and that it succeeded (the one
/// `anvil_reorg` placed there).
async fn assert_replacement_mined(eth: &Devnet, height: u64) {
    let block = anvil_rpc(
        eth,
        "eth_getBlockByNumber",
        serde_json::json!([format!("0x{height:x}"), false]),
    )
    .await;
    let txs = block["transactions"].as_array().expect("transactions");
    assert_eq!(txs.len(), 1, "block {height}: {block}");
    let tx: B256 = txs[0].as_str().unwrap().parse().unwrap();
    let (ok, _, at) = eth.client.receipt(tx).await.unwrap().expect("receipt");
    assert!(ok && at == height, "the replacement at {height} failed");
}

/// Sends `setText(alice.eth, "url", url)` with mining paused and mines it into a block of its
/// own: `(tx, block)`.
async fn mine_url_change(eth: &Devnet, url: &str) -> (B256, u64) {
    let call = EnsResolver::setTextCall {
        node: B256::from(ens_namehash("alice.eth")),
        key: "url".into(),
        value: url.into(),
    }
    .abi_encode();
    let tx = eth
        .client
        .send_transaction(eth.accounts[1], Some(eth.resolver), &call)
        .await
        .unwrap();
    anvil_rpc(eth, "evm_mine", serde_json::json!([])).await;
    let (ok, _, block) = eth.client.receipt(tx).await.unwrap().expect("mined");
    assert!(ok, "setText reverted");
    (tx, block)
}

fn count_in_logs(oracles: &[Proc], needle: &str) -> usize {
    oracles
        .iter()
        .map(|o| o.log_text().matches(needle).count())
        .sum()
}

/// Ethereum reorgs against anvil (`anvil_reorg`), with the three oracles at 3 confirmations:
///
/// - A `url` change mined and reorged away 2 blocks deep (inside the confirmation depth), its
///   block replaced by one holding another change: the ghost name goes from the old value
///   straight to the replacement; the orphaned value is never seen through `domain_resolve`
///   (polled every 20 ms throughout) and no oracle saw a reorg.
/// - A change mined 3 blocks deep (so the oracles attest it and the chain applies it), then
///   reorged away 3 deep with a replacement at the same height: the oracles rewind, their
///   correction for the replacement block is ignored as stale (that height is applied), and
///   at the next block they attest it again, so the ghost name ends with the replacement.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ens_reorgs_inside_the_confirmations_never_reach_the_chain_and_deeper_ones_are_undone() {
    let cache = npm_cache();
    let dir = tempfile::tempdir().unwrap();
    let (_anvil, eth) = start_ethereum(&cache, dir.path()).await;
    eth.create_name("alice", 1).await.unwrap();
    eth.set_text(1, "alice.eth", "url", "https://before.example")
        .await
        .unwrap();
    let node = Node::start(&dir.path().join("node"), &[]);
    let client = node.client().await;
    let oracles: Vec<Proc> = ["//Dave", "//Eve", "//Ferdie"]
        .iter()
        .map(|k| start_oracle_with(k, &eth, &node, dir.path(), CONFIRMATIONS))
        .collect();
    ghost_json(
        &node,
        &[
            "ens",
            "link",
            "alice.eth",
            "alice.ghost",
            "--from",
            "//Alice",
            "--eth-key",
            KEYS[1],
        ],
    );
    eventually("alice.eth linked with its url", || async {
        text_of(&web3(&client, "alice.ghost").await, "url").as_deref()
            == Some("https://before.example")
    })
    .await;

    // Every url value alice.ghost shows from here on, in order (repeats folded).
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let watcher = tokio::spawn({
        let (client, seen) = (client.clone(), seen.clone());
        async move {
            loop {
                let url = text_of(&web3(&client, "alice.ghost").await, "url").unwrap_or_default();
                {
                    let mut seen = seen.lock().unwrap();
                    if seen.last() != Some(&url) {
                        seen.push(url);
                    }
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    });

    // ---- a reorg inside the confirmation depth: the orphan never reaches the chain ----
    anvil_rpc(&eth, "evm_setIntervalMining", serde_json::json!([0])).await;
    let (orphan, block) = mine_url_change(&eth, "https://orphaned.example").await;
    anvil_rpc(&eth, "evm_mine", serde_json::json!([])).await;
    let head = eth.client.block_number().await.unwrap();
    assert_eq!(head, block + 1, "mining did not pause");
    anvil_rpc(
        &eth,
        "anvil_reorg",
        serde_json::json!([2, [[set_url_tx(&eth, "https://replacement.example"), 0]]]),
    )
    .await;
    assert_eq!(eth.client.block_number().await.unwrap(), head);
    assert_eq!(
        eth.client.receipt(orphan).await.unwrap(),
        None,
        "the orphaned change is still on Ethereum"
    );
    assert_replacement_mined(&eth, block).await;
    anvil_rpc(&eth, "evm_setIntervalMining", serde_json::json!([1])).await;
    eventually("the replacement mirrored", || async {
        text_of(&web3(&client, "alice.ghost").await, "url").as_deref()
            == Some("https://replacement.example")
    })
    .await;
    // The confirmation depth twice over past the fork: a late orphan would have shown by now.
    eventually("more blocks on Ethereum", || async {
        eth.client.block_number().await.unwrap() > head + 2 * CONFIRMATIONS
    })
    .await;
    assert_eq!(
        *seen.lock().unwrap(),
        ["https://before.example", "https://replacement.example"],
        "alice.ghost's url values"
    );
    assert_eq!(
        count_in_logs(&oracles, "reorg: rewound"),
        0,
        "an oracle saw the shallow reorg"
    );

    // ---- a reorg as deep as the confirmations: what was applied is undone ----
    anvil_rpc(&eth, "evm_setIntervalMining", serde_json::json!([0])).await;
    let (orphan, block) = mine_url_change(&eth, "https://attested-then-orphaned.example").await;
    for _ in 1..CONFIRMATIONS {
        anvil_rpc(&eth, "evm_mine", serde_json::json!([])).await;
    }
    eventually("the change 3 blocks deep mirrored", || async {
        text_of(&web3(&client, "alice.ghost").await, "url").as_deref()
            == Some("https://attested-then-orphaned.example")
    })
    .await;
    let link = client
        .ens_link(&EnsName::parse("alice.eth").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        link.eth_block_number, block,
        "applied at the change's block"
    );
    let stale_before = count_in_logs(&oracles, "ignored (Stale)");
    anvil_rpc(
        &eth,
        "anvil_reorg",
        serde_json::json!([
            CONFIRMATIONS,
            [[set_url_tx(&eth, "https://deep-replacement.example"), 0]]
        ]),
    )
    .await;
    assert_eq!(eth.client.receipt(orphan).await.unwrap(), None);
    assert_replacement_mined(&eth, block).await;
    // With mining still paused, the replacement block has the height the chain applied: the
    // oracles rewind, and their correction for it is ignored as stale.
    eventually(
        "the oracles rewind and their correction is stale",
        || async {
            count_in_logs(&oracles, "reorg: rewound") >= 2
                && count_in_logs(&oracles, "ignored (Stale)") >= stale_before + 2
        },
    )
    .await;
    assert_eq!(
        text_of(&web3(&client, "alice.ghost").await, "url").as_deref(),
        Some("https://attested-then-orphaned.example")
    );
    // The next block lets them attest it at a newer height, which the chain takes.
    anvil_rpc(&eth, "evm_setIntervalMining", serde_json::json!([1])).await;
    eventually("the deep replacement mirrored", || async {
        text_of(&web3(&client, "alice.ghost").await, "url").as_deref()
            == Some("https://deep-replacement.example")
    })
    .await;
    let head = eth.client.block_number().await.unwrap();
    eventually("more blocks on Ethereum", || async {
        eth.client.block_number().await.unwrap() > head + 2 * CONFIRMATIONS
    })
    .await;
    watcher.abort();
    assert_eq!(
        *seen.lock().unwrap(),
        [
            "https://before.example",
            "https://replacement.example",
            "https://attested-then-orphaned.example",
            "https://deep-replacement.example"
        ],
        "alice.ghost's url values"
    );
}
