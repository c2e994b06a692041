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
