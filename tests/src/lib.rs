//! End-to-end test support: start real `ghostchain` processes on loopback ports, talk to them
//! with real clients (JSON-RPC over WebSocket, the `ghost` CLI), kill and restart them.
//!
//! The binaries come from the same target directory as the test executable
//! (`target/debug/ghostchain`, `target/debug/ghost`); `scripts/test.sh` builds them first.

pub mod testnet;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Path of a binary built next to the running test executable.
pub fn binary(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    // target/debug/deps/<test> → target/debug/<name>
    let dir = exe.parent().and_then(Path::parent).expect("target dir");
    let path = dir.join(name);
    assert!(
        path.exists(),
        "{} not built: run `cargo build --workspace --bins` first",
        path.display()
    );
    path
}

/// A free loopback TCP port (bound and released; good enough for tests on one machine).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// Unless the test passes its own bridge flags, the node runs without GhostBridge so parallel
/// tests do not compete for its ports.
fn bridge_args(extra: &[&str]) -> Vec<String> {
    if extra
        .iter()
        .any(|a| a.starts_with("--grpc-port") || a.starts_with("--dns-port") || *a == "--no-bridge")
    {
        Vec::new()
    } else {
        vec!["--no-bridge".into()]
    }
}

/// A free p2p port unless the test passes its own.
fn port_args(extra: &[&str]) -> Vec<String> {
    if extra
        .iter()
        .any(|a| a.starts_with("--port") || a.starts_with("--listen-addr"))
    {
        Vec::new()
    } else {
        vec!["--port".into(), free_port().to_string()]
    }
}

/// A running `ghostchain` process, killed when dropped.
pub struct Node {
    child: Option<Child>,
    /// Its JSON-RPC port.
    pub rpc_port: u16,
    /// Its base path.
    pub base_path: PathBuf,
    log: PathBuf,
    quiet: bool,
}

impl Node {
    /// Starts `ghostchain --dev --base-path <base_path>` with `extra` flags and waits until its
    /// JSON-RPC answers.
    pub fn start(base_path: &Path, extra: &[&str]) -> Node {
        Self::start_with(base_path, &["--dev"], extra)
    }

    /// Starts `ghostchain <chain_args> --base-path <base_path>` with `extra` flags (e.g.
    /// `["--chain", "solo", "--validator", "--key", "//Alice"]`) and waits until its JSON-RPC
    /// answers.
    pub fn start_with(base_path: &Path, chain_args: &[&str], extra: &[&str]) -> Node {
        // A port free a moment ago can be taken before the node binds it (every test here
        // starts processes and opens connections): a node that could not bind is started again
        // on another port.
        for attempt in 1..=3 {
            let mut node = Self::spawn(base_path, chain_args, extra);
            match node.wait_ready(Duration::from_secs(30)) {
                Ok(()) => return node,
                Err(exited)
                    if attempt < 3 && node.log_text().contains("Address already in use") =>
                {
                    eprintln!("node on port {} exited ({exited}); retrying", node.rpc_port);
                }
                Err(why) => panic!("node not ready: {why}; log:\n{}", node.log_text()),
            }
        }
        unreachable!("the last attempt panics or returns")
    }

    fn spawn(base_path: &Path, chain_args: &[&str], extra: &[&str]) -> Node {
        let rpc_port = free_port();
        let log = base_path.join(format!("node-{rpc_port}.log"));
        std::fs::create_dir_all(base_path).expect("base path");
        let log_file = std::fs::File::create(&log).expect("log file");
        let child = Command::new(binary("ghostchain"))
            .args(chain_args)
            .args(["--no-prometheus", "--rpc-port", &rpc_port.to_string()])
            // Non-dev chains listen for peers: on a port of their own (`--dev` ignores it).
            .args(port_args(extra))
            .args(bridge_args(extra))
            .arg("--base-path")
            .arg(base_path)
            .args(extra)
            .stdout(Stdio::null())
            .stderr(log_file)
            .spawn()
            .expect("spawn ghostchain");
        Node {
            child: Some(child),
            rpc_port,
            base_path: base_path.to_path_buf(),
            log,
            quiet: extra.iter().any(|a| *a == "-l" || a.starts_with("--log")),
        }
    }

    /// Waits until this process answers JSON-RPC on its port (a TCP connect alone could reach
    /// another process, or the socket itself, on a port this node failed to bind), or exits.
    fn wait_ready(&mut self, timeout: Duration) -> Result<(), String> {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Some(child) = self.child.as_mut()
                && let Ok(Some(status)) = child.try_wait()
            {
                self.child = None;
                return Err(format!("the process exited with {status}"));
            }
            // The bound line in its own log tells this node from another one on the port (a test
            // that quiets the log relies on the RPC answer alone).
            let bound = self.quiet || self.log_text().contains("JSON-RPC (HTTP + WebSocket) on");
            if bound && self.answers_rpc() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Err(format!(
            "no JSON-RPC answer on port {} within {timeout:?}",
            self.rpc_port
        ))
    }

    /// Whether `system_name` over HTTP on the RPC port answers.
    fn answers_rpc(&self) -> bool {
        use std::io::{Read, Write};
        let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", self.rpc_port)) else {
            return false;
        };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
        let body = r#"{"jsonrpc":"2.0","id":1,"method":"system_name","params":[]}"#;
        let request = format!(
            "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        if stream.write_all(request.as_bytes()).is_err() {
            return false;
        }
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer);
        answer.contains("GhostChain Node")
    }

    /// The node's log so far.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// `ws://127.0.0.1:<port>`.
    pub fn ws_url(&self) -> String {
        format!("ws://127.0.0.1:{}", self.rpc_port)
    }

    /// A [`ghost_client::Client`] of this node (every `ghost_rpc` namespace is typed on it).
    pub async fn client(&self) -> ghost_client::Client {
        ghost_client::Client::connect(self.ws_url())
            .await
            .expect("ws connect")
    }

    /// Sends SIGKILL and waits for the process to be gone.
    pub fn kill9(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Sends SIGTERM (graceful shutdown) and waits up to 20 s.
    pub fn terminate(&mut self) -> Option<std::process::ExitStatus> {
        let mut child = self.child.take()?;
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(child.id().to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = child.kill();
        child.wait().ok()
    }

    /// Runs the `ghost` client against this node.
    pub fn ghost(&self, args: &[&str]) -> Output {
        Command::new(binary("ghost"))
            .arg("--rpc")
            .arg(self.ws_url())
            .args(args)
            .output()
            .expect("run ghost")
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.kill9();
    }
}

/// Runs `ghost` and parses its `--json` output, failing with its stderr.
pub fn ghost_json(node: &Node, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let out = node.ghost(&all);
    assert!(
        out.status.success(),
        "ghost {args:?} failed: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "ghost {args:?} printed no JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

/// A free loopback port usable for both UDP and TCP.
pub fn free_udp_tcp_port() -> u16 {
    loop {
        let udp = std::net::UdpSocket::bind("127.0.0.1:0").expect("udp bind");
        let port = udp.local_addr().expect("udp addr").port();
        if TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}

/// Runs `dig @127.0.0.1 -p PORT args...` and returns its stdout.
pub fn dig(port: u16, args: &[&str]) -> String {
    let out = Command::new("dig")
        .arg("@127.0.0.1")
        .arg("-p")
        .arg(port.to_string())
        .args(["+time=2", "+tries=2"])
        .args(args)
        .output()
        .expect("run dig (apt package dnsutils)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A running process killed when dropped.
pub struct Process(pub Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
