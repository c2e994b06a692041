//! `ghostchain --chain solo --validator --key //Alice`: one authority authoring in its Aura
//! slots (not instant sealing), finalizing what it seals with its own GRANDPA justification.

use std::process::Command;
use std::time::{Duration, Instant};

use ghost_consensus::grandpa::GrandpaJustification;
use ghost_e2e::{Node, binary};
use ghost_rpc::ChainApiClient;

const SOLO_SLOT_MS: u64 = 500;

#[test]
fn solo_authority_authors_one_block_per_slot_and_finalizes_it() {
    let dir = tempfile::tempdir().unwrap();
    let node = Node::start_with(
        dir.path(),
        &["--chain", "solo", "--validator", "--key", "//Alice"],
        &[],
    );
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let client = node.client().await;
        let deadline = Instant::now() + Duration::from_secs(20);
        let head = loop {
            let head = ChainApiClient::header(&client, None)
                .await
                .unwrap()
                .unwrap();
            if head.number >= 4 {
                break head;
            }
            assert!(
                Instant::now() < deadline,
                "no 4 blocks in 20 s:\n{}",
                node.log_text()
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        // Walk back: each block sits at the start of its own slot, slots strictly increase.
        let mut header = head.clone();
        while header.number > 0 {
            let parent = ChainApiClient::header(&client, Some(header.parent_hash))
                .await
                .unwrap()
                .unwrap();
            let slot = header.slot().expect("slot");
            assert_eq!(header.timestamp_ms / SOLO_SLOT_MS, slot);
            assert_eq!(
                header.timestamp_ms % SOLO_SLOT_MS,
                0,
                "authored at its slot's start"
            );
            if let Some(parent_slot) = parent.slot() {
                assert!(slot > parent_slot, "slot {slot} after {parent_slot}");
            }
            header = parent;
        }
        // Empty slots still get blocks: no transactions were sent. The sole voter finalizes.
        let finalized = ChainApiClient::finalized_head(&client).await.unwrap();
        let finalized = ChainApiClient::header(&client, Some(finalized))
            .await
            .unwrap()
            .unwrap();
        assert!(
            finalized.number >= head.number,
            "finalized #{} behind #{}",
            finalized.number,
            head.number
        );
        // Each sealed block carries the sole voter's GRANDPA justification: anyone can check it
        // against the genesis voter set.
        let hash = finalized.hash();
        let block = ChainApiClient::block(&client, Some(hash))
            .await
            .unwrap()
            .unwrap();
        let justifications = block.justifications.expect("a justification");
        assert_eq!(justifications.len(), 1);
        let genesis = ChainApiClient::block_hash(&client, Some(0))
            .await
            .unwrap()
            .unwrap();
        let verify = |voter: &str| {
            GrandpaJustification::decode_and_verify(
                &justifications[0].0,
                hash,
                finalized.number,
                &genesis,
                0,
                &[ghost_primitives::Pair::dev(voter).public()],
            )
        };
        verify("Alice").expect("a valid single-voter justification");
        assert!(verify("Bob").is_err(), "not valid for another voter set");
    });
}

/// A development chain has no peers to follow: a key that is not its authority could never
/// author, so the node refuses it. (On a networked chain such a key waits to join the set; see
/// `tests/testnet.rs`.)
#[test]
fn a_key_that_is_not_the_dev_authority_is_refused_at_start() {
    let out = Command::new(binary("ghostchain"))
        .args(["--dev", "--key", "//Bob", "--no-bridge", "--no-prometheus"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("is not an authority of development chain `dev`"),
        "{stderr}"
    );
}

#[test]
fn purge_chain_deletes_the_database_only_when_confirmed() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let mut node = Node::start_with(
        dir.path(),
        &["--chain", "solo", "--validator", "--key", "//Alice"],
        &[],
    );
    node.terminate();
    let db = dir.path().join("chains").join("solo").join("db");
    assert!(db.exists());
    let purge = |yes: bool, answer: &str| {
        let mut cmd = Command::new(binary("ghostchain"));
        cmd.args(["purge-chain", "--chain", "solo", "--base-path"])
            .arg(dir.path())
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped());
        if yes {
            cmd.arg("-y");
        }
        let mut child = cmd.spawn().unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(answer.as_bytes())
            .unwrap();
        String::from_utf8(child.wait_with_output().unwrap().stdout).unwrap()
    };
    assert!(purge(false, "n\n").contains("Aborted"));
    assert!(db.exists(), "declined: nothing removed");
    assert!(purge(true, "").contains("removed"));
    assert!(!db.exists());
}

/// A validator whose key is in its keystore (`ghostchain key insert`) rather than on the command
/// line: it authors and finalizes with it, and `ghost --from keystore:DIR` signs with it too.
#[test]
fn a_validator_key_from_the_keystore_authors_and_signs() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("node");
    let inserted = Command::new(binary("ghostchain"))
        .args([
            "key",
            "insert",
            "--chain",
            "solo",
            "--suri",
            "//Alice",
            "--base-path",
        ])
        .arg(&base)
        .output()
        .unwrap();
    assert!(inserted.status.success(), "{inserted:?}");
    let keystore = base.join("chains/solo/keystore");
    assert!(String::from_utf8_lossy(&inserted.stdout).contains(&keystore.display().to_string()));
    // Without a base path (or an empty keystore) `--validator` alone is refused at once.
    let refused = Command::new(binary("ghostchain"))
        .args(["--chain", "solo", "--validator", "--base-path"])
        .arg(dir.path().join("empty"))
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("holds no key"),
        "{refused:?}"
    );

    let node = Node::start_with(&base, &["--chain", "solo", "--validator"], &[]);
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let client = node.client().await;
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let finalized = ChainApiClient::finalized_head(&client).await.unwrap();
            let finalized = ChainApiClient::header(&client, Some(finalized))
                .await
                .unwrap()
                .unwrap();
            if finalized.number >= 2 {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "nothing finalized:\n{}",
                node.log_text()
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    });
    let bob = ghost_primitives::Pair::dev("Bob").public().to_string();
    let from = format!("keystore:{}", keystore.display());
    let sent = node.ghost(&[
        "--json", "transfer", "--from", &from, "--to", &bob, "--amount", "7",
    ]);
    assert!(
        sent.status.success(),
        "{}",
        String::from_utf8_lossy(&sent.stderr)
    );
    let receipt: serde_json::Value = serde_json::from_slice(&sent.stdout).unwrap();
    assert_eq!(receipt["success"], true, "{receipt}");
}

/// The lines of `docs/TESTNET.md` that make a spec and its raw form (`build-spec … > spec.json`,
/// `build-spec --chain spec.json --raw > spec-raw.json …`), run as written with `ghostchain` on
/// the `PATH`: a node started from the raw spec is the chain of the edited one (same genesis
/// hash), and `ghost domain resolve --verify` trusts either file alone.
#[test]
fn testnet_md_raw_spec_lines_start_the_same_chain_and_pin_it_for_verification() {
    const TESTNET_MD: &str =
        include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/TESTNET.md"));
    let lines: Vec<&str> = TESTNET_MD
        .lines()
        .map(str::trim)
        .filter(|line| line.starts_with("ghostchain build-spec"))
        .collect();
    assert_eq!(lines.len(), 2, "TESTNET.md's build-spec lines: {lines:?}");
    let dir = tempfile::tempdir().unwrap();
    let bin_dir = binary("ghostchain").parent().unwrap().to_path_buf();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    for line in &lines {
        let out = Command::new("bash")
            .args(["-euo", "pipefail", "-c", line])
            .current_dir(dir.path())
            .env("PATH", &path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{line}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let spec = dir.path().join("spec.json");
    let raw = dir.path().join("spec-raw.json");
    let raw_text = std::fs::read_to_string(&raw).unwrap();
    assert!(raw_text.contains("\"raw\""), "{raw_text}");

    // A full node (no key) of the raw spec, alone: it authors nothing and finalizes nothing,
    // but its genesis is the spec's.
    let node = Node::start_with(
        &dir.path().join("node"),
        &["--chain", raw.to_str().unwrap()],
        &[],
    );
    let info = node.ghost(&["--json", "chain", "info"]);
    assert!(info.status.success(), "{}", node.log_text());
    let info: serde_json::Value = serde_json::from_slice(&info.stdout).unwrap();
    let expected = ghost_client::runtime::chain_spec::ChainSpec::load(spec.to_str().unwrap())
        .unwrap()
        .build_genesis()
        .unwrap()
        .header
        .hash()
        .to_string();
    assert_eq!(info["genesis_hash"], expected.as_str());
    // Either file pins the chain: the finalized block (genesis here) is proven from it.
    for file in [&spec, &raw] {
        let out = node.ghost(&[
            "domain",
            "resolve",
            "nobody.ghost",
            "--verify",
            "--chain",
            file.to_str().unwrap(),
        ]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("proven absent at finalized #0"),
            "--chain {}: {stderr}",
            file.display()
        );
    }
}
