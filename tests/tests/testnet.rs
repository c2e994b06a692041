//! The multi-validator testnet as users start it: `scripts/testnet.sh start 4`, real
//! `ghostchain` processes talking libp2p on loopback, driven with the `ghost` CLI and `dig`.
//!
//! One run covers, in order: four validators author and finalize together; a transfer and a
//! name registration sent to node 0 reach node 3 and node 3's DNS answers the record; one
//! validator killed: finality goes on; a second one killed: finality stalls; both restarted on
//! their base paths: finality resumes and every node reports the same finalized block; a
//! validator frozen for 10 s (SIGSTOP) catches up; a full node started late syncs to it.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use ghost_e2e::{binary, dig};
use serde_json::Value;

/// A testnet in its own directory and port range, stopped when dropped.
struct Testnet {
    dir: tempfile::TempDir,
    base: u16,
    nodes: Vec<Value>,
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("scripts")
        .join("testnet.sh")
}

impl Testnet {
    fn command(&self, args: &[&str]) -> std::process::Output {
        let target = binary("ghostchain")
            .parent()
            .and_then(Path::parent)
            .expect("target dir")
            .to_path_buf();
        Command::new("bash")
            .arg(script())
            .args(args)
            .env("GHOST_TESTNET_DIR", self.dir.path())
            .env("GHOST_TESTNET_PORT", self.base.to_string())
            .env("CARGO_TARGET_DIR", target)
            .output()
            .expect("run scripts/testnet.sh")
    }

    fn start(n: usize) -> Testnet {
        // A port range of its own: 10 ports per node, from a base derived from the process id.
        let base = 21_000 + (std::process::id() % 700) as u16 * 10;
        let mut net = Testnet {
            dir: tempfile::tempdir().expect("temp dir"),
            base,
            nodes: Vec::new(),
        };
        let out = net.command(&["start", &n.to_string()]);
        assert!(
            out.status.success(),
            "testnet start failed: {}\n{}",
            String::from_utf8_lossy(&out.stderr),
            net.logs()
        );
        net.nodes = serde_json::from_slice(&out.stdout).expect("start prints a JSON array");
        assert_eq!(net.nodes.len(), n);
        net
    }

    fn logs(&self) -> String {
        let mut all = String::new();
        for i in 0..8 {
            if let Ok(log) = std::fs::read_to_string(self.dir.path().join(format!("node{i}.log"))) {
                let tail: Vec<&str> = log.lines().rev().take(15).collect();
                all += &format!(
                    "--- node{i}\n{}\n",
                    tail.into_iter().rev().collect::<Vec<_>>().join("\n")
                );
            }
        }
        all
    }

    fn rpc(&self, i: usize) -> String {
        self.nodes[i]["rpc"].as_str().expect("rpc").to_string()
    }

    fn dns_port(&self, i: usize) -> u16 {
        let dns = self.nodes[i]["dns"].as_str().expect("dns");
        dns.rsplit(':').next().unwrap().parse().unwrap()
    }

    fn pid(&self, i: usize) -> u32 {
        self.nodes[i]["pid"].as_u64().expect("pid") as u32
    }

    fn ghost(&self, i: usize, args: &[&str]) -> std::process::Output {
        Command::new(binary("ghost"))
            .args(["--rpc", &self.rpc(i)])
            .args(args)
            .output()
            .expect("run ghost")
    }

    /// Node `i`'s (best, finalized number, finalized hash), if it answers.
    fn heights(&self, i: usize) -> Option<(u64, u64, String)> {
        let out = self.ghost(i, &["--json", "chain", "info"]);
        let info: Value = serde_json::from_slice(&out.stdout).ok()?;
        Some((
            info["best_number"].as_u64()?,
            info["finalized_number"].as_u64()?,
            info["finalized_hash"].as_str()?.to_string(),
        ))
    }

    fn finalized(&self, i: usize) -> u64 {
        self.heights(i).map_or(0, |(_, f, _)| f)
    }

    /// Waits until `check` holds, or fails with `what` and the nodes' logs.
    fn wait(&self, what: &str, timeout: Duration, mut check: impl FnMut(&Testnet) -> bool) {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if check(self) {
                return;
            }
            std::thread::sleep(Duration::from_millis(300));
        }
        panic!("{what} within {timeout:?}\n{}", self.logs());
    }

    fn kill(&self, i: usize) {
        let _ = Command::new("kill").arg(self.pid(i).to_string()).status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline
            && Command::new("kill")
                .args(["-0", &self.pid(i).to_string()])
                .status()
                .is_ok_and(|s| s.success())
        {
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn restart(&mut self, i: usize) {
        let out = self.command(&["restart", &i.to_string()]);
        assert!(
            out.status.success(),
            "restart: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        self.nodes[i] = serde_json::from_slice(&out.stdout).expect("restart prints the endpoint");
    }
}

impl Drop for Testnet {
    fn drop(&mut self) {
        let _ = self.command(&["stop"]);
    }
}

#[test]
fn four_validators_finalize_survive_failures_and_a_late_node_syncs() {
    let mut net = Testnet::start(4);
    let all = [0, 1, 2, 3];

    // 1. Everyone's finality grows together.
    net.wait(
        "every node finalizes past #3",
        Duration::from_secs(60),
        |n| all.iter().all(|&i| n.finalized(i) >= 3),
    );
    let out = net.ghost(0, &["--json", "key", "inspect", "//Bob"]);
    let bob: Value = serde_json::from_slice(&out.stdout).expect("key inspect");
    let bob = bob["address"].as_str().unwrap().to_string();
    let out = net.ghost(
        0,
        &[
            "transfer", "--from", "//Alice", "--to", &bob, "--amount", "1234",
        ],
    );
    assert!(
        out.status.success(),
        "transfer: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = net.ghost(
        0,
        &[
            "domain",
            "register",
            "testnet.ghost",
            "--from",
            "//Alice",
            "--record",
            "A=10.20.30.40",
        ],
    );
    assert!(
        out.status.success(),
        "register: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    net.wait("node 3 resolves the name", Duration::from_secs(30), |n| {
        String::from_utf8_lossy(&n.ghost(3, &["domain", "resolve", "testnet.ghost"]).stdout)
            .contains("status: active")
    });
    net.wait(
        "node 3's DNS answers the record",
        Duration::from_secs(30),
        |n| dig(n.dns_port(3), &["+short", "testnet.ghost", "A"]).trim() == "10.20.30.40",
    );

    // 2. One validator down: three of four still finalize.
    net.kill(3);
    let before = net.finalized(0);
    net.wait(
        "finality goes on with one validator down",
        Duration::from_secs(30),
        |n| n.finalized(0) >= before + 3,
    );

    // 3. Two down: finality stalls (blocks may go on).
    net.kill(2);
    std::thread::sleep(Duration::from_secs(3));
    let stalled = net.finalized(0).max(net.finalized(1));
    std::thread::sleep(Duration::from_secs(4));
    assert!(
        net.finalized(0).max(net.finalized(1)) <= stalled + 1,
        "finality advanced with two of four validators down"
    );
    net.restart(2);
    net.restart(3);
    net.wait(
        "finality resumes after both return",
        Duration::from_secs(60),
        |n| all.iter().all(|&i| n.finalized(i) > stalled + 2),
    );
    // Every node agrees on the block at a finalized height.
    let height = all.iter().map(|&i| net.finalized(i)).min().unwrap();
    let hashes: Vec<String> = all
        .iter()
        .map(|&i| {
            let out = net.ghost(i, &["--json", "block", &height.to_string()]);
            let block: Value = serde_json::from_slice(&out.stdout).expect("block json");
            // The same header is the same block.
            block["block"]["header"].to_string()
        })
        .collect();
    assert!(
        hashes.iter().all(|h| h.len() > 10 && *h == hashes[0]),
        "nodes disagree on finalized #{height}: {hashes:?}"
    );

    // 4. A validator frozen for 10 s (SIGSTOP) catches up and follows once it runs again.
    let frozen = net.pid(1).to_string();
    let _ = Command::new("kill").args(["-STOP", &frozen]).status();
    std::thread::sleep(Duration::from_secs(10));
    let _ = Command::new("kill").args(["-CONT", &frozen]).status();
    let ahead = net.finalized(0);
    net.wait(
        "the frozen validator catches up",
        Duration::from_secs(30),
        |n| n.finalized(1) >= ahead,
    );

    // 6. A full node started now syncs from genesis to the finalized chain.
    let out = net.command(&["add-full-node"]);
    assert!(
        out.status.success(),
        "add-full-node: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let full: Value = serde_json::from_slice(&out.stdout).expect("endpoint json");
    net.nodes.push(full);
    let target = net.finalized(0);
    net.wait(
        "the full node syncs to the finalized chain",
        Duration::from_secs(60),
        |n| n.finalized(4) >= target,
    );
}
