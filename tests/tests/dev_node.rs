//! A real `ghostchain --dev` process driven by the real `ghost` client and a WebSocket client.

use std::time::Duration;

use ghost_e2e::{Node, ghost_json};
use ghost_rpc::ChainApiClient;

#[test]
fn ghost_transfer_is_included_and_balances_show_it() {
    let dir = tempfile::tempdir().unwrap();
    let node = Node::start(dir.path(), &[]);
    let bob = ghost_json(&node, &["key", "inspect", "//Bob"]);
    let bob = bob["address"].as_str().unwrap().to_string();
    assert!(bob.starts_with("ghost1"));
    let before = ghost_json(&node, &["balance", &bob]);

    let receipt = ghost_json(
        &node,
        &[
            "transfer", "--from", "//Alice", "--to", &bob, "--amount", "1000",
        ],
    );
    assert_eq!(receipt["success"], true, "{receipt}");
    assert!(receipt["block_number"].as_u64().unwrap() >= 1);

    let after = ghost_json(&node, &["balance", &bob]);
    assert_eq!(
        after["free"].as_u64().unwrap(),
        before["free"].as_u64().unwrap() + 1000
    );

    // The same through JSON-RPC `account_info`.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let info: serde_json::Value = rt.block_on(async {
        use jsonrpsee::core::client::ClientT;
        let client = node.client().await;
        client
            .request("account_info", jsonrpsee::rpc_params![bob.clone()])
            .await
            .unwrap()
    });
    assert_eq!(info["free"], after["free"]);
}

#[test]
fn a_failed_transfer_reports_its_error_and_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let node = Node::start(dir.path(), &[]);
    let out = node.ghost(&[
        "transfer",
        "--from",
        "//Alice",
        "--to",
        "ghost1invalid",
        "--amount",
        "1",
    ]);
    assert!(!out.status.success());
    assert!(!String::from_utf8_lossy(&out.stderr).is_empty());
}

#[test]
fn kill_9_during_a_stream_of_blocks_reopens_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut last_best = 0;
    for round in 0..4u64 {
        let mut node = Node::start(dir.path(), &["--sealing", "interval:20"]);
        let best = rt.block_on(async {
            let client = node.client().await;
            let head = ChainApiClient::header(&client, None)
                .await
                .unwrap()
                .unwrap();
            head.number
        });
        assert!(
            best >= last_best,
            "round {round}: best went back from {last_best} to {best}"
        );
        // Let it write blocks, then kill it mid-stream at a varying moment.
        std::thread::sleep(Duration::from_millis(300 + 137 * round));
        node.kill9();
        last_best = best;
    }
    let node = Node::start(dir.path(), &[]);
    rt.block_on(async {
        let client = node.client().await;
        let head = ChainApiClient::header(&client, None)
            .await
            .unwrap()
            .unwrap();
        assert!(head.number >= last_best);
        assert!(
            head.number >= 10,
            "the killed nodes sealed only {} blocks",
            head.number
        );
        // Every block from the head back to genesis is there and links up.
        let mut hash = head.hash();
        let mut number = head.number;
        loop {
            let header = ChainApiClient::header(&client, Some(hash))
                .await
                .unwrap()
                .expect("header present");
            assert_eq!(header.number, number);
            assert!(
                ChainApiClient::block(&client, Some(hash))
                    .await
                    .unwrap()
                    .is_some()
            );
            assert_eq!(
                ChainApiClient::block_hash(&client, Some(number))
                    .await
                    .unwrap(),
                Some(hash)
            );
            if number == 0 {
                break;
            }
            hash = header.parent_hash;
            number -= 1;
        }
    });
    assert!(node.log_text().contains("best #"), "{}", node.log_text());
}

#[test]
fn sigterm_shuts_down_gracefully_and_state_survives() {
    let dir = tempfile::tempdir().unwrap();
    let mut node = Node::start(dir.path(), &["--sealing", "interval:50"]);
    std::thread::sleep(Duration::from_millis(400));
    let status = node.terminate().expect("exit status");
    assert!(status.success(), "exit {status:?}: {}", node.log_text());
    let node = Node::start(dir.path(), &[]);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let best = rt.block_on(async {
        let client = node.client().await;
        ChainApiClient::header(&client, None)
            .await
            .unwrap()
            .unwrap()
            .number
    });
    assert!(best >= 1);
}

/// A dev node killed with SIGKILL in the middle of a registration load and restarted on the same
/// base path has every registration a client was told is in a (final) block: nothing reported
/// included is lost, and the chain goes on from where it was.
#[test]
fn kill_9_under_registration_load_loses_no_included_registration() {
    use ghost_primitives::{DnsRecord, DomainName, Hash, RecordData, RecordLabel};
    use ghost_rpc::DomainApiClient;
    use std::sync::{Arc, Mutex};

    const YEAR_MS: u64 = 365 * 24 * 60 * 60 * 1000;
    let dir = tempfile::tempdir().unwrap();
    let mut node = Node::start(dir.path(), &[]);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let included: Arc<Mutex<Vec<(DomainName, u64)>>> = Arc::default();
    let url = node.ws_url();
    let senders: Vec<_> = ["Alice", "Bob", "Charlie", "Dave", "Eve", "Ferdie"]
        .into_iter()
        .map(|who| {
            let included = included.clone();
            let url = url.clone();
            rt.spawn(async move {
                let client = ghost_client::Client::builder(&url)
                    .timeout(Duration::from_secs(5))
                    .connect()
                    .await
                    .unwrap();
                let signer = ghost_client::Signer::from_suri(&format!("//{who}")).unwrap();
                for i in 0.. {
                    let name = DomainName::parse(&format!("crash{i}{}.ghost", who.to_lowercase()))
                        .unwrap();
                    let record = DnsRecord {
                        label: RecordLabel::apex(),
                        ttl: 300,
                        data: RecordData::A([10, 0, (i >> 8) as u8, i as u8]),
                    };
                    let tx = client.tx().domains().register(
                        name.clone(),
                        signer.account(),
                        YEAR_MS,
                        Hash::ZERO,
                        vec![record],
                    );
                    // Any error ends this sender: the node is gone.
                    let Ok(progress) = tx.submit_and_watch(&signer).await else {
                        return;
                    };
                    let Ok(done) = progress.in_block().await else {
                        return;
                    };
                    included.lock().unwrap().push((name, done.block_number));
                }
            })
        })
        .collect();
    // Let the load run, then kill the node under it.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while included.lock().unwrap().len() < 150 && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    node.kill9();
    for sender in senders {
        rt.block_on(sender).unwrap();
    }
    let included = included.lock().unwrap().clone();
    assert!(
        included.len() >= 150,
        "only {} registrations before the kill",
        included.len()
    );

    let node = Node::start(dir.path(), &[]);
    rt.block_on(async {
        let client = node.client().await;
        let head = ChainApiClient::header(&client, None)
            .await
            .unwrap()
            .unwrap();
        let highest = included.iter().map(|(_, n)| *n).max().unwrap();
        assert!(
            head.number >= highest,
            "best #{} below included #{highest}",
            head.number
        );
        let finalized = ChainApiClient::finalized_head(&client).await.unwrap();
        let finalized = ChainApiClient::header(&client, Some(finalized))
            .await
            .unwrap()
            .unwrap();
        assert!(
            finalized.number >= highest,
            "finalized #{} below #{highest}",
            finalized.number
        );
        for (name, block) in &included {
            let resolution = DomainApiClient::resolve(&client, name.to_string(), None)
                .await
                .unwrap();
            assert!(
                matches!(&resolution, Some(r) if r.status == "active"),
                "{name} (in block #{block}) is gone after the restart: {resolution:?}"
            );
        }
        // And the chain takes new registrations after the restart.
        let signer = ghost_client::Signer::from_suri("//Alice").unwrap();
        client
            .tx()
            .domains()
            .register(
                DomainName::parse("after-crash.ghost").unwrap(),
                signer.account(),
                YEAR_MS,
                Hash::ZERO,
                vec![],
            )
            .submit_and_watch(&signer)
            .await
            .unwrap()
            .in_block()
            .await
            .unwrap();
    });
}

/// `--dev --state-pruning 4` prunes: a read at an early block gets the typed "state pruned"
/// JSON-RPC error while a recent one answers, `ghostchain db-stats` reports the window, and
/// reopening the pruned database as an archive (the `--dev` default) is refused with a message
/// naming the flag.
#[test]
fn dev_state_pruning_refuses_old_reads_and_a_reopen_as_archive() {
    use ghost_primitives::Bytes;
    use ghost_rpc::{StateApiClient, error_codes};
    use std::process::{Command, Stdio};

    let dir = tempfile::tempdir().unwrap();
    // A 1 MiB trie cache: nodes are evicted and pruned while the node runs.
    let mut node = Node::start(
        dir.path(),
        &[
            "--sealing",
            "interval:50",
            "--state-pruning",
            "4",
            "--trie-cache-size",
            "1",
        ],
    );
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let client = node.client().await;
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        while ChainApiClient::header(&client, None)
            .await
            .unwrap()
            .unwrap()
            .number
            < 20
        {
            assert!(
                std::time::Instant::now() < deadline,
                "the node stopped sealing"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let key = Bytes(b"any key".to_vec());
        let old = ChainApiClient::block_hash(&client, Some(1))
            .await
            .unwrap()
            .unwrap();
        match StateApiClient::storage(&client, key.clone(), Some(old)).await {
            Err(jsonrpsee::core::ClientError::Call(e)) => {
                assert_eq!(e.code(), error_codes::STATE_PRUNED, "{}", e.message());
                assert!(e.message().contains("pruned"), "{}", e.message());
            }
            other => panic!("expected the state pruned error, got {other:?}"),
        }
        let best = ChainApiClient::header(&client, None)
            .await
            .unwrap()
            .unwrap();
        StateApiClient::storage(&client, key, Some(best.hash()))
            .await
            .expect("a recent block's state is kept");
    });
    let status = node.terminate().expect("exit status");
    assert!(status.success(), "exit {status:?}: {}", node.log_text());

    let stats = Command::new(ghost_e2e::binary("ghostchain"))
        .args([
            "db-stats",
            "--chain",
            "dev",
            "--state-pruning",
            "4",
            "--base-path",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        stats.status.success(),
        "{}",
        String::from_utf8_lossy(&stats.stderr)
    );
    let stats: serde_json::Value = serde_json::from_slice(&stats.stdout).unwrap();
    assert_eq!(stats["state_pruning"], "4");
    let finalized = stats["finalized"].as_u64().unwrap();
    assert_eq!(stats["oldest_state"].as_u64().unwrap(), finalized - 3);
    assert!(stats["columns"]["state_refs"]["keys"].as_u64().unwrap() > 0);

    // As an archive: refused at start, naming the flag.
    let mut archive = Command::new(ghost_e2e::binary("ghostchain"))
        .args(["--dev", "--no-prometheus", "--no-bridge", "--rpc-port"])
        .arg(ghost_e2e::free_port().to_string())
        .arg("--base-path")
        .arg(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = archive.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = archive.kill();
            panic!("a pruned database opened as an archive");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut archive.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(!status.success());
    assert!(stderr.contains("--state-pruning 4"), "{stderr}");
}
