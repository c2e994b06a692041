//! A `scripts/testnet.sh` testnet driven from a test: its own directory and port range, the
//! `ghost` CLI against any node, kill / freeze / restart, stopped when dropped.
//!
//! Several testnets run at once (one per `#[test]`): each takes a distinct `index` (0..4),
//! which with the process id picks a port range of its own.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::binary;

/// Port ranges per testnet: 10 ports per node, up to 5 nodes.
const PORTS_PER_NET: u16 = 50;

/// A testnet in its own directory and port range, stopped when dropped.
pub struct Testnet {
    dir: tempfile::TempDir,
    base: u16,
    /// The endpoints `start` (and `add-…`, `restart`) printed, by node index.
    pub nodes: Vec<Value>,
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("scripts")
        .join("testnet.sh")
}

impl Testnet {
    /// Runs `scripts/testnet.sh ARGS` on this testnet (with `env` added).
    pub fn command_with(&self, args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
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
            .envs(env.iter().copied())
            .output()
            .expect("run scripts/testnet.sh")
    }

    /// Runs `scripts/testnet.sh ARGS` on this testnet.
    pub fn command(&self, args: &[&str]) -> std::process::Output {
        self.command_with(args, &[])
    }

    /// `testnet.sh start N` in port range `index` (0..5), with `env` (e.g.
    /// `GHOST_TESTNET_SESSION`); fails the test if it does not come up.
    pub fn start(index: u16, n: usize, env: &[(&str, &str)]) -> Testnet {
        assert!(index < 5, "port range index {index} out of 0..5");
        // 46 process slots of 5 ranges end below Linux's ephemeral ports (32768).
        let base =
            21_000 + (std::process::id() % 46) as u16 * 5 * PORTS_PER_NET + index * PORTS_PER_NET;
        let mut net = Testnet {
            dir: tempfile::tempdir().expect("temp dir"),
            base,
            nodes: Vec::new(),
        };
        let out = net.command_with(&["start", &n.to_string()], env);
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

    /// `testnet.sh add-full-node`, `add-warp-node` or `add-validator`: starts the next node
    /// and records it.
    pub fn add(&mut self, what: &str) -> usize {
        let out = self.command(&[what]);
        assert!(
            out.status.success(),
            "{what}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let node: Value = serde_json::from_slice(&out.stdout).expect("endpoint json");
        self.nodes.push(node);
        self.nodes.len() - 1
    }

    /// The last lines of every node's log.
    pub fn logs(&self) -> String {
        let mut all = String::new();
        for i in 0..8 {
            if let Ok(log) = std::fs::read_to_string(self.log_path(i)) {
                let tail: Vec<&str> = log.lines().rev().take(15).collect();
                all += &format!(
                    "--- node{i}\n{}\n",
                    tail.into_iter().rev().collect::<Vec<_>>().join("\n")
                );
            }
        }
        all
    }

    /// Where node `i` logs.
    pub fn log_path(&self, i: usize) -> PathBuf {
        self.dir.path().join(format!("node{i}.log"))
    }

    /// Node `i`'s WebSocket JSON-RPC URL.
    pub fn rpc(&self, i: usize) -> String {
        self.nodes[i]["rpc"].as_str().expect("rpc").to_string()
    }

    /// Node `i`'s p2p multiaddr (with its peer id).
    pub fn p2p(&self, i: usize) -> String {
        self.nodes[i]["p2p"].as_str().expect("p2p").to_string()
    }

    /// Node `i`'s Prometheus URL.
    pub fn metrics_url(&self, i: usize) -> String {
        self.nodes[i]["metrics"]
            .as_str()
            .expect("metrics")
            .to_string()
    }

    /// Node `i`'s DNS port.
    pub fn dns_port(&self, i: usize) -> u16 {
        let dns = self.nodes[i]["dns"].as_str().expect("dns");
        dns.rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .expect("dns port")
    }

    /// Node `i`'s process id.
    pub fn pid(&self, i: usize) -> u32 {
        self.nodes[i]["pid"].as_u64().expect("pid") as u32
    }

    /// Whether node `i`'s process is alive.
    pub fn alive(&self, i: usize) -> bool {
        Command::new("kill")
            .args(["-0", &self.pid(i).to_string()])
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }

    /// Runs `ghost --rpc <node i> ARGS`.
    pub fn ghost(&self, i: usize, args: &[&str]) -> std::process::Output {
        Command::new(binary("ghost"))
            .args(["--rpc", &self.rpc(i)])
            .args(args)
            .output()
            .expect("run ghost")
    }

    /// Runs `ghost --json --rpc <node i> ARGS`, fails the test unless it succeeds, and parses
    /// its output.
    pub fn ghost_json(&self, i: usize, args: &[&str]) -> Value {
        let out = Command::new(binary("ghost"))
            .args(["--json", "--rpc", &self.rpc(i)])
            .args(args)
            .output()
            .expect("run ghost");
        assert!(
            out.status.success(),
            "ghost {args:?} on node {i}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("ghost --json output")
    }

    /// Node `i`'s (best, finalized number, finalized hash), if it answers.
    pub fn heights(&self, i: usize) -> Option<(u64, u64, String)> {
        let out = self.ghost(i, &["--json", "chain", "info"]);
        let info: Value = serde_json::from_slice(&out.stdout).ok()?;
        Some((
            info["best_number"].as_u64()?,
            info["finalized_number"].as_u64()?,
            info["finalized_hash"].as_str()?.to_string(),
        ))
    }

    /// Node `i`'s finalized height (0 if it does not answer).
    pub fn finalized(&self, i: usize) -> u64 {
        self.heights(i).map_or(0, |(_, f, _)| f)
    }

    /// Waits until `check` holds, or fails with `what` and the nodes' logs.
    pub fn wait(&self, what: &str, timeout: Duration, mut check: impl FnMut(&Testnet) -> bool) {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if check(self) {
                return;
            }
            std::thread::sleep(Duration::from_millis(300));
        }
        panic!("{what} within {timeout:?}\n{}", self.logs());
    }

    /// Sends `signal` (`TERM`, `KILL`, `STOP`, `CONT`) to node `i`; for `TERM` and `KILL`,
    /// waits (up to 10 s) until it is gone.
    pub fn signal(&self, i: usize, signal: &str) {
        let _ = Command::new("kill")
            .args([&format!("-{signal}"), &self.pid(i).to_string()])
            .status();
        if signal == "TERM" || signal == "KILL" {
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline && self.alive(i) {
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    }

    /// Stops node `i` (SIGTERM) and waits until it is gone.
    pub fn kill(&self, i: usize) {
        self.signal(i, "TERM");
    }

    /// `testnet.sh restart I`: starts node `i` again on its base path.
    pub fn restart(&mut self, i: usize) {
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
