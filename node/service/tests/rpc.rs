//! In-process node tests: a `--dev` node on loopback driven over WebSocket JSON-RPC.

mod common;

use common::*;
use std::time::Duration;

use ghost_client::Client;
use ghost_primitives::{AccountId, Bytes, Hash, Pair};
use ghost_rpc::{
    AccountApiClient, AuthorApiClient, ChainApiClient, ExtrinsicStatusJson, GhostApiClient,
    StateApiClient, SystemApiClient, error_codes,
};
use ghost_runtime::{RuntimeCall, balances, sign_extrinsic};
use ghost_service::NodeConfig;
use jsonrpsee::core::client::{ClientT, Subscription};
use jsonrpsee::rpc_params;
use parity_scale_codec::Encode;

fn config(base_path: Option<std::path::PathBuf>) -> NodeConfig {
    test_config(base_path)
}

fn alice() -> Pair {
    Pair::dev("Alice")
}

fn bob() -> AccountId {
    Pair::dev("Bob").public()
}

fn transfer(to: AccountId, value: u128) -> RuntimeCall {
    RuntimeCall::Balances(balances::Call::Transfer { dest: to, value })
}

async fn genesis_hash(client: &Client) -> Hash {
    ChainApiClient::block_hash(client, Some(0))
        .await
        .unwrap()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transfers_are_watched_to_finalized_and_balances_move() {
    let node = ghost_service::start(config(None)).await.unwrap();
    let client = connect(&node).await;
    let genesis = genesis_hash(&client).await;
    let before = AccountApiClient::info(&client, bob().to_string(), None)
        .await
        .unwrap();

    for nonce in 0..3u64 {
        let xt = sign_extrinsic(transfer(bob(), 1_000), &alice(), nonce, 0, genesis, None);
        let mut sub: Subscription<serde_json::Value> =
            AuthorApiClient::submit_and_watch_extrinsic(&client, Bytes(xt.encode()))
                .await
                .unwrap();
        let mut seen = Vec::new();
        while let Some(Ok(status)) = tokio::time::timeout(Duration::from_secs(20), sub.next())
            .await
            .unwrap()
        {
            let done = status.get("finalized").is_some();
            seen.push(status);
            if done {
                break;
            }
        }
        assert_eq!(seen.first(), Some(&serde_json::json!("ready")), "{seen:?}");
        assert!(seen.iter().any(|s| s.get("inBlock").is_some()), "{seen:?}");
        assert!(seen.last().unwrap().get("finalized").is_some(), "{seen:?}");
        match AuthorApiClient::extrinsic_status(&client, xt.hash())
            .await
            .unwrap()
        {
            ExtrinsicStatusJson::InBlock {
                success, finalized, ..
            } => assert!(success && finalized),
            other => panic!("unexpected status {other:?}"),
        }
    }

    let after = AccountApiClient::info(&client, bob().to_string(), None)
        .await
        .unwrap();
    assert_eq!(after.free, before.free + 3_000);
    let alice_info = AccountApiClient::info(&client, alice().public().to_string(), None)
        .await
        .unwrap();
    assert_eq!(alice_info.nonce, 3);
    assert_eq!(
        SystemApiClient::account_next_index(&client, alice().public().to_string())
            .await
            .unwrap(),
        3
    );
    let finalized = ChainApiClient::finalized_head(&client).await.unwrap();
    let best = ChainApiClient::header(&client, None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(finalized, best.hash());
    node.stop().await;
}

/// Submits a transfer from Alice and returns the first header `heads` then delivers.
async fn first_head_after_a_transfer(
    client: &Client,
    genesis: Hash,
    mut heads: Subscription<ghost_primitives::Header>,
) -> ghost_primitives::Header {
    let xt = sign_extrinsic(transfer(bob(), 5_000), &alice(), 0, 0, genesis, None);
    AuthorApiClient::submit_extrinsic(client, Bytes(xt.encode()))
        .await
        .unwrap();
    tokio::time::timeout(Duration::from_secs(20), heads.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_heads_subscription_sees_each_block() {
    let node = ghost_service::start(config(None)).await.unwrap();
    let client = connect(&node).await;
    let genesis = genesis_hash(&client).await;
    let heads = ChainApiClient::subscribe_new_heads(&client).await.unwrap();
    let header = first_head_after_a_transfer(&client, genesis, heads).await;
    assert_eq!(header.number, 1);
    node.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_gets_clear_errors_and_the_node_stays_up() {
    let node = ghost_service::start(config(None)).await.unwrap();
    let client = connect(&node).await;
    let genesis = genesis_hash(&client).await;
    let submit = |bytes: Vec<u8>| {
        let client = &client;
        async move { AuthorApiClient::submit_extrinsic(client, Bytes(bytes)).await }
    };

    // Malformed hex: the params do not parse.
    let raw: Result<Hash, _> = client
        .request("author_submitExtrinsic", rpc_params!["0xzz"])
        .await;
    assert_eq!(rpc_code(raw.unwrap_err()), -32602);
    // Malformed SCALE.
    assert_eq!(
        rpc_code(submit(vec![1, 2, 3]).await.unwrap_err()),
        error_codes::BAD_FORMAT
    );
    // Trailing bytes after a valid extrinsic.
    let mut trailing = sign_extrinsic(transfer(bob(), 1), &alice(), 0, 0, genesis, None).encode();
    trailing.push(0);
    assert_eq!(
        rpc_code(submit(trailing).await.unwrap_err()),
        error_codes::BAD_FORMAT
    );
    // Bad signature (tampered after signing).
    let mut tampered = sign_extrinsic(transfer(bob(), 1), &alice(), 0, 0, genesis, None);
    tampered.call = transfer(bob(), 2);
    let err = submit(tampered.encode()).await.unwrap_err();
    assert_eq!(rpc_code(err), error_codes::INVALID_TRANSACTION);
    // Signed for another chain.
    let other_chain = sign_extrinsic(transfer(bob(), 1), &alice(), 0, 0, Hash([9; 32]), None);
    assert_eq!(
        rpc_code(submit(other_chain.encode()).await.unwrap_err()),
        error_codes::INVALID_TRANSACTION
    );
    // Cannot pay the fee.
    let pauper = Pair::from_seed(&[42; 32]);
    let broke = sign_extrinsic(transfer(bob(), 1), &pauper, 0, 0, genesis, None);
    let err = submit(broke.encode()).await.unwrap_err();
    assert_eq!(
        rpc_code(err.clone_for_test()),
        error_codes::INVALID_TRANSACTION
    );
    assert!(err.to_string().contains("fee"), "{err}");
    // Oversized.
    let huge = vec![0u8; 4 * 1024 * 1024 + 1];
    let err = submit(huge).await.unwrap_err();
    assert!(
        err.to_string().contains("exhausts block resources"),
        "{err}"
    );
    // Unknown method.
    let unknown: Result<serde_json::Value, _> =
        client.request("chain_doesNotExist", rpc_params![]).await;
    assert_eq!(rpc_code(unknown.unwrap_err()), -32601);
    // Bad address.
    let bad = AccountApiClient::info(&client, "ghost1notanaddress".into(), None)
        .await
        .unwrap_err();
    assert_eq!(rpc_code(bad), error_codes::INVALID_PARAMS);
    // Unknown block.
    let missing = StateApiClient::storage(&client, Bytes(vec![1]), Some(Hash([7; 32])))
        .await
        .unwrap_err();
    assert_eq!(rpc_code(missing), error_codes::UNKNOWN_BLOCK);
    // Unsafe method is not served by default.
    let removed: Result<Vec<Hash>, _> = client
        .request("author_removeExtrinsic", rpc_params![Vec::<Hash>::new()])
        .await;
    assert_eq!(rpc_code(removed.unwrap_err()), -32601);

    // Stale and future nonces, after one transfer lands.
    let first = sign_extrinsic(transfer(bob(), 1_000), &alice(), 0, 0, genesis, None);
    submit(first.encode()).await.unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while AccountApiClient::info(&client, alice().public().to_string(), None)
        .await
        .unwrap()
        .nonce
        == 0
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "transfer not included"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let stale = sign_extrinsic(transfer(bob(), 1_001), &alice(), 0, 0, genesis, None);
    let err = submit(stale.encode()).await.unwrap_err();
    assert_eq!(rpc_code(err), error_codes::INVALID_TRANSACTION);
    let future = sign_extrinsic(transfer(bob(), 1), &alice(), 5, 0, genesis, None);
    let hash = submit(future.encode()).await.unwrap();
    assert_eq!(
        AuthorApiClient::extrinsic_status(&client, hash)
            .await
            .unwrap(),
        ExtrinsicStatusJson::Pending {
            queue: "future".into()
        }
    );

    // Still serving.
    assert!(
        !SystemApiClient::health(&client)
            .await
            .unwrap()
            .should_have_peers
    );
    node.stop().await;
}

trait CloneForTest {
    fn clone_for_test(&self) -> jsonrpsee::core::ClientError;
}

impl CloneForTest for jsonrpsee::core::ClientError {
    fn clone_for_test(&self) -> jsonrpsee::core::ClientError {
        match self {
            jsonrpsee::core::ClientError::Call(e) => jsonrpsee::core::ClientError::Call(e.clone()),
            other => jsonrpsee::core::ClientError::Custom(other.to_string()),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restart_on_the_same_base_path_resumes_the_chain() {
    let dir = tempfile::tempdir().unwrap();
    let node = ghost_service::start(config(Some(dir.path().to_path_buf())))
        .await
        .unwrap();
    let client = connect(&node).await;
    let genesis = genesis_hash(&client).await;
    let xt = sign_extrinsic(transfer(bob(), 7_000), &alice(), 0, 0, genesis, None);
    let mut sub: Subscription<serde_json::Value> =
        AuthorApiClient::submit_and_watch_extrinsic(&client, Bytes(xt.encode()))
            .await
            .unwrap();
    while let Some(Ok(status)) = tokio::time::timeout(Duration::from_secs(20), sub.next())
        .await
        .unwrap()
    {
        if status.get("finalized").is_some() {
            break;
        }
    }
    let best = ChainApiClient::header(&client, None)
        .await
        .unwrap()
        .unwrap();
    let bob_before = AccountApiClient::info(&client, bob().to_string(), None)
        .await
        .unwrap();
    drop(client);
    node.stop().await;

    let node = ghost_service::start(config(Some(dir.path().to_path_buf())))
        .await
        .unwrap();
    let client = connect(&node).await;
    assert_eq!(genesis_hash(&client).await, genesis);
    let resumed = ChainApiClient::header(&client, None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(resumed.hash(), best.hash());
    assert_eq!(
        AccountApiClient::info(&client, bob().to_string(), None)
            .await
            .unwrap(),
        bob_before
    );
    // The chain goes on from there.
    let xt = sign_extrinsic(transfer(bob(), 1_000), &alice(), 1, 0, genesis, None);
    AuthorApiClient::submit_extrinsic(&client, Bytes(xt.encode()))
        .await
        .unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let head = ChainApiClient::header(&client, None)
            .await
            .unwrap()
            .unwrap();
        if head.number == best.number + 1 {
            assert_eq!(head.parent_hash, best.hash());
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no block after restart"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    node.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn grandpa_proves_finality_of_a_sealed_block_against_the_voter_set() {
    use ghost_consensus::grandpa::GrandpaJustification;
    use ghost_rpc::GrandpaApiClient;
    let node = ghost_service::start(config(None)).await.unwrap();
    let client = connect(&node).await;
    let genesis = genesis_hash(&client).await;
    let heads = ChainApiClient::subscribe_finalized_heads(&client)
        .await
        .unwrap();
    let header = first_head_after_a_transfer(&client, genesis, heads).await;
    assert_eq!(header.number, 1);

    let set = GrandpaApiClient::voter_set(&client, Some(genesis))
        .await
        .unwrap();
    assert_eq!(set.set_id, 0);
    assert_eq!(set.voters, vec![alice().public().to_string()]);
    let proof = GrandpaApiClient::prove_finality(&client, 1)
        .await
        .unwrap()
        .expect("block 1 is final");
    assert_eq!((proof.block, proof.number), (header.hash(), 1));
    assert!(proof.unknown_headers.is_empty());
    GrandpaJustification::decode_and_verify(
        &proof.justification.0,
        proof.block,
        1,
        &genesis,
        set.set_id,
        &[alice().public()],
    )
    .expect("the proof verifies against the genesis voter set");
    // Not finalized yet: no proof.
    assert_eq!(
        GrandpaApiClient::prove_finality(&client, 99).await.unwrap(),
        None
    );

    // The voter sets from genesis: the genesis set proven against the genesis state root, no
    // change on a dev chain, and block 1 proven final by it, trusting only the genesis hash.
    let sets = GrandpaApiClient::prove_voter_sets(&client, 0, Some(header.hash()))
        .await
        .unwrap();
    assert_eq!((sets.set_id, sets.at, sets.next), (0, header.hash(), None));
    assert!(sets.changes.is_empty());
    let genesis_proof = ghost_trie::ReadProof {
        nodes: sets.genesis_proof.iter().map(|n| n.0.clone()).collect(),
    };
    let set = ghost_light::verify_finalized(
        &genesis,
        &sets.genesis,
        &genesis_proof,
        &[],
        &header,
        &proof.unknown_headers,
        &proof.justification.0,
    )
    .expect("final from the genesis alone");
    assert_eq!(set.voters, vec![alice().public()]);
    // The bridge's gRPC bundle (`ResolveDomain` with a proof) is the same proof.
    let source = ghost_service::bridge::InProcessSource::new(
        node.client.clone(),
        node.pool.clone(),
        std::sync::Arc::new(tokio::sync::Notify::new()),
        None,
    );
    let bundle = ghost_bridge::ChainSource::finality(&source, header.hash())
        .await
        .unwrap()
        .expect("block 1 is final");
    assert_eq!(bundle.header, header);
    assert_eq!(bundle.finality, proof);
    assert_eq!(bundle.voter_sets, sets);
    // A block that is not final is refused.
    let unknown = Hash([9; 32]);
    let code = rpc_code(
        GrandpaApiClient::prove_voter_sets(&client, 0, Some(unknown))
            .await
            .unwrap_err(),
    );
    assert_ne!(code, 0);
    node.stop().await;
}

/// `system_accountNextIndex` while blocks are being imported: a sender that asks for the next
/// nonce before each transaction (as a wallet without local nonce tracking does) never gets one
/// the chain has already used, the answers never go backwards, and every transaction lands.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn next_index_stays_monotonic_while_blocks_import() {
    let node = ghost_service::start(NodeConfig {
        sealing: ghost_service::Sealing::Interval(std::time::Duration::from_millis(5)),
        ..config(None)
    })
    .await
    .unwrap();
    let client = connect(&node).await;
    let genesis = genesis_hash(&client).await;
    let senders = [Pair::dev("Alice"), Pair::dev("Charlie")];
    const PER_SENDER: u64 = 400;

    let mut tasks = Vec::new();
    for pair in senders.clone() {
        let client = connect(&node).await;
        tasks.push(tokio::spawn(async move {
            let who = pair.public().to_string();
            let mut last = None;
            for _ in 0..PER_SENDER {
                let nonce = SystemApiClient::account_next_index(&client, who.clone())
                    .await
                    .unwrap();
                assert!(
                    last.is_none_or(|last| nonce > last),
                    "next index went from {last:?} to {nonce}"
                );
                last = Some(nonce);
                let xt = sign_extrinsic(transfer(bob(), 1), &pair, nonce, 0, genesis, None);
                if let Err(e) = AuthorApiClient::submit_extrinsic(&client, Bytes(xt.encode())).await
                {
                    panic!("nonce {nonce} from system_accountNextIndex was refused: {e}");
                }
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    for pair in senders {
        let who = pair.public().to_string();
        let mut included = 0;
        for _ in 0..200 {
            included = AccountApiClient::info(&client, who.clone(), None)
                .await
                .unwrap()
                .nonce;
            if included == PER_SENDER {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(included, PER_SENDER, "{who}: not every transfer landed");
    }
    node.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_and_sync_state_of_a_dev_node_say_it_has_no_peers_to_follow() {
    let node = ghost_service::start(config(None)).await.unwrap();
    let client = connect(&node).await;
    let health = client.fetch_health().await.unwrap();
    assert_eq!(
        (health.peers, health.is_syncing, health.should_have_peers),
        (0, false, false)
    );
    let xt = sign_extrinsic(
        transfer(bob(), 1_000),
        &alice(),
        0,
        0,
        genesis_hash(&client).await,
        None,
    );
    AuthorApiClient::submit_extrinsic(&client, Bytes(xt.encode()))
        .await
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let state = loop {
        let state = client.fetch_sync_state().await.unwrap();
        if state.current_block >= 1 || std::time::Instant::now() > deadline {
            break state;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(state.starting_block, 0, "a new chain starts at genesis");
    assert!(
        state.current_block >= 1,
        "the transfer's block is the best: {state:?}"
    );
    assert_eq!(state.highest_block, None, "no peer reported a block");
    node.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn block_events_serves_the_records_the_blocks_digest_commits_to() {
    use ghost_runtime::system::EventsCommitment;
    use parity_scale_codec::DecodeAll;

    let node = ghost_service::start(config(None)).await.unwrap();
    let client = connect(&node).await;
    let mut alice_signer = Signer::new(&client, "Alice").await;
    let included = alice_signer
        .submit_ok(&client, transfer(bob(), 1_000))
        .await;
    let hash = included.block_hash;

    let encoded = GhostApiClient::block_events(&client, Some(hash))
        .await
        .unwrap()
        .expect("a stored block");
    let header = node.client.header(&hash).unwrap().unwrap();
    let records = ghost_runtime::api::decode_events(&encoded.0).unwrap();
    assert_eq!(records, node.client.events(&header).unwrap());
    // Transfer + ExtrinsicSuccess (which carries the fee): no separate fee event.
    assert_eq!(records.len(), 2);
    assert!(ghost_runtime::api::net_fee(records.iter().map(|r| &r.event)) > 0);

    // The state holds one commitment to exactly these bytes.
    let digest = StateApiClient::storage(
        &client,
        Bytes(ghost_runtime::api::events_digest_key()),
        Some(hash),
    )
    .await
    .unwrap()
    .expect("a digest in the block's state");
    let digest = EventsCommitment::decode_all(&mut &digest.0[..]).unwrap();
    assert_eq!(digest, EventsCommitment::of(&encoded.0, 2));
    let events = ghost_client::Events::at(&client, hash).await.unwrap();
    assert_eq!(events.records, records);
    assert_eq!(events.checked_against, Some(digest));

    // The best block by default; the genesis block has none; an unknown block is null.
    assert!(
        GhostApiClient::block_events(&client, None)
            .await
            .unwrap()
            .is_some()
    );
    let genesis = genesis_hash(&client).await;
    let none = GhostApiClient::block_events(&client, Some(genesis))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ghost_runtime::api::decode_events(&none.0).unwrap(), vec![]);
    assert_eq!(
        GhostApiClient::block_events(&client, Some(Hash([9; 32])))
            .await
            .unwrap(),
        None
    );
    node.stop().await;
}
