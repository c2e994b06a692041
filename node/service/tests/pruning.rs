//! A dev node with `--state-pruning 16`: after a few hundred blocks the state column holds
//! exactly the nodes of the window's states,
//! reads at a pruned block get the typed "state pruned" JSON-RPC error (and a kept block still
//! answers), and the change stream and GhostBridge's name index still replay from height 0,
//! because they read the stored change logs, not old state.

mod common;

use common::*;
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use ghost_bridge::index::NameIndex;
use ghost_primitives::{Bytes, DnsRecord, DomainName, Hash, RecordData, blake3_256};
use ghost_rpc::{
    ChainApiClient, DomainApiClient, DomainChangesJson, GhostApiClient, StateApiClient, error_codes,
};
use ghost_runtime::api::ApiError;
use ghost_runtime::domains::{Call as DomainsCall, DAY_MS};
use ghost_service::bridge::InProcessSource;
use ghost_service::client::ClientError;
use ghost_service::{NodeConfig, NodeHandle, Sealing, StatePruning};
use ghost_storage::StorageError;
use ghost_trie::StateView;
use jsonrpsee::core::client::Subscription;

const WINDOW: u32 = 16;
const BLOCKS: u64 = 300;
const NAMES: [&str; 4] = [
    "prune-a.ghost",
    "prune-b.ghost",
    "prune-c.ghost",
    "prune-d.ghost",
];

async fn node() -> NodeHandle {
    let config = NodeConfig {
        sealing: Sealing::Interval(Duration::from_millis(10)),
        state_pruning: StatePruning::window_of(WINDOW).unwrap(),
        ..test_config(None)
    };
    ghost_service::start(config).await.unwrap()
}

fn name(s: &str) -> DomainName {
    DomainName::parse(s).unwrap()
}

/// Waits (60 s at most) until the node's finalized block reaches `height`.
async fn wait_for_finalized(node: &NodeHandle, height: u64) {
    tokio::time::timeout(Duration::from_secs(60), async {
        while node.client.finalized().unwrap().1.number < height {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("the node keeps finalizing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pruned_node_stays_bounded_refuses_old_state_and_replays_names_from_zero() {
    let node = node().await;
    let client = connect(&node).await;
    let mut live: Subscription<DomainChangesJson> =
        DomainApiClient::subscribe_changes(&client, None, None, None)
            .await
            .unwrap();
    let mut alice = Signer::new(&client, "Alice").await;
    let mut first_block = None;
    for (i, n) in NAMES.iter().enumerate() {
        let record = DnsRecord::apex(RecordData::A([10, 0, 0, i as u8]));
        let included = alice
            .submit_ok(
                &client,
                DomainsCall::Register {
                    name: name(n),
                    owner: alice.account(),
                    duration_ms: 365 * DAY_MS,
                    secret: Hash::ZERO,
                    records: vec![record],
                },
            )
            .await;
        first_block.get_or_insert((included.block_hash, included.block_number));
    }
    let (old_hash, old_number) = first_block.unwrap();
    let mut live_seen: Vec<DomainChangesJson> = Vec::new();
    while live_seen.iter().map(|b| b.changes.len()).sum::<usize>() < NAMES.len() {
        let block = tokio::time::timeout(Duration::from_secs(20), live.next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        live_seen.push(block);
    }

    let db = node.client.db().clone();
    wait_for_finalized(&node, 100).await;
    let at_100 = db.state_node_count().unwrap();
    wait_for_finalized(&node, BLOCKS).await;
    let at_300 = db.state_node_count().unwrap();
    let finalized = node.client.finalized().unwrap().1.number;
    let oldest = db.oldest_state().unwrap().expect("a pruning node");
    assert!(
        oldest + u64::from(WINDOW) > finalized,
        "oldest kept state #{oldest} below the window of #{finalized}"
    );
    eprintln!("state nodes: {at_100} at #100, {at_300} at #{finalized}");

    // A read at the registration block (far below the window) is refused with a typed error.
    assert!(old_number < oldest);
    let key = Bytes(b"any key".to_vec());
    let error = StateApiClient::storage(&client, key.clone(), Some(old_hash))
        .await
        .expect_err("pruned state");
    let message = error.to_string();
    assert_eq!(rpc_code(error), error_codes::STATE_PRUNED, "{message}");
    assert!(message.contains("pruned"), "{message}");
    let error = DomainApiClient::resolve(&client, NAMES[0].into(), Some(old_hash))
        .await
        .expect_err("pruned state");
    assert_eq!(rpc_code(error), error_codes::STATE_PRUNED);
    // The block itself is still served, and so is the state of a recent block.
    let header = ChainApiClient::header(&client, Some(old_hash))
        .await
        .unwrap()
        .expect("pruned blocks keep their header");
    assert_eq!(header.number, old_number);
    let recent = node.client.finalized().unwrap().0;
    let resolved = DomainApiClient::resolve(&client, NAMES[0].into(), Some(recent))
        .await
        .unwrap()
        .expect("registered");
    assert_eq!(resolved.owner, alice.account());

    // The registration block's events outlive its state: served by `ghost_blockEvents`, read
    // by the client library (unchecked: the digest is in the pruned state), and the
    // extrinsic's outcome still names its fee.
    let encoded = GhostApiClient::block_events(&client, Some(old_hash))
        .await
        .unwrap()
        .expect("events of a pruned block");
    let records = ghost_runtime::api::decode_events(&encoded.0).unwrap();
    assert!(records.iter().any(|r| matches!(
        r.event,
        ghost_runtime::RuntimeEvent::Domains(ghost_runtime::domains::Event::Registered { .. })
    )));
    let events = ghost_client::Events::at(&client, old_hash).await.unwrap();
    assert_eq!(events.records, records);
    assert_eq!(events.checked_against, None, "the digest's state is pruned");
    let recent_events = ghost_client::Events::at(&client, recent).await.unwrap();
    assert!(
        recent_events.checked_against.is_some(),
        "a kept state is checked"
    );
    let old_block = node.client.block(&old_hash).unwrap().unwrap();
    let outcome = node
        .client
        .extrinsic_outcome(&old_block.extrinsics[0].hash())
        .unwrap()
        .expect("indexed");
    assert!(outcome.fee > 0);
    assert_eq!(outcome.error, None);

    // A read that started in time but lost its state to pruning while it ran is reported as
    // pruned too; other failures keep their own error.
    let old_header = node.client.header(&old_hash).unwrap().unwrap();
    let failing = |_: &dyn ghost_trie::NodeStore| -> Result<(), ApiError> {
        Err(ApiError::State("missing trie node".into()))
    };
    assert!(matches!(
        node.client.read_state(&old_header, failing),
        Err(ClientError::Storage(StorageError::StatePruned { .. }))
    ));
    let (_, recent_header) = node.client.finalized().unwrap();
    assert!(matches!(
        node.client.read_state(&recent_header, failing),
        Err(ClientError::State(_))
    ));

    // The change stream replays from 0 exactly as it ran live.
    let mut replay: Subscription<DomainChangesJson> =
        DomainApiClient::subscribe_changes(&client, Some(0), None, None)
            .await
            .unwrap();
    for expected in &live_seen {
        let got = tokio::time::timeout(Duration::from_secs(20), replay.next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        assert_eq!(&got, expected);
    }

    // GhostBridge's index built by replaying from height 0 equals one loaded at the head.
    let source = Arc::new(InProcessSource::new(
        node.client.clone(),
        node.pool.clone(),
        Arc::new(tokio::sync::Notify::new()),
        None,
    ));
    let replayed = NameIndex::new();
    let follower = {
        let (source, index) = (source.clone(), replayed.clone());
        tokio::spawn(async move {
            let _ = ghost_bridge::index::follow(source.as_ref(), &index, 0, None, true).await;
        })
    };
    let loaded = NameIndex::new();
    let head = ghost_bridge::index::load(source.as_ref(), &loaded, true)
        .await
        .unwrap();
    tokio::time::timeout(
        Duration::from_secs(30),
        replayed.wait_for_height(head.height),
    )
    .await
    .expect("the replay reaches the head");
    follower.abort();
    for n in NAMES {
        let (replayed, _) = replayed.resolve(&name(n)).expect("replayed");
        let (loaded, _) = loaded.resolve(&name(n)).expect("loaded");
        assert_eq!(replayed, loaded, "{n}");
        assert!(replayed.is_some());
    }
    node.stop().await;

    // Stopped: the state column holds exactly the nodes of the states still kept (the
    // window), not those of the blocks before it.
    let (_, best) = db.best().unwrap();
    let oldest = db.oldest_state().unwrap().unwrap();
    assert_eq!(db.leaves().unwrap().len(), 1, "one chain, no forks");
    let mut kept = BTreeSet::new();
    for number in oldest..=best {
        let hash = db.hash_by_number(number).unwrap().unwrap();
        let root = db.header(&hash).unwrap().unwrap().state_root.0;
        let keys: Vec<Vec<u8>> = StateView::new(db.as_ref(), root)
            .iter_prefix(&[], None, usize::MAX)
            .unwrap()
            .into_iter()
            .map(|(key, _)| key)
            .collect();
        let proof = ghost_trie::generate_read_proof(db.as_ref(), root, &keys).unwrap();
        kept.extend(proof.nodes.iter().map(|node| blake3_256(node).0));
    }
    assert_eq!(db.state_node_count().unwrap(), kept.len() as u64);
}
