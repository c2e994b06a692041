//! Domains over JSON-RPC on an in-process dev node: register, resolve (with proof), transfer,
//! renew, expiry, and the change feed.

mod common;

use common::*;
use std::time::Duration;

use ghost_primitives::{AccountId, DnsRecord, DomainName, Hash, Pair, RecordData};
use ghost_rpc::{DomainApiClient, DomainChangesJson};
use ghost_runtime::domains::{Call as DomainsCall, DAY_MS};
use ghost_service::{NodeConfig, NodeHandle, Sealing};
use jsonrpsee::core::client::Subscription;

/// A dev node whose names expire after `grace_ms` of grace, sealing every 100 ms.
async fn node(grace_ms: u64) -> NodeHandle {
    let mut config = NodeConfig {
        sealing: Sealing::Interval(Duration::from_millis(100)),
        ..test_config(None)
    };
    config.chain_spec.genesis.domains.params.grace_period_ms = grace_ms;
    ghost_service::start(config).await.unwrap()
}

fn name(s: &str) -> DomainName {
    DomainName::parse(s).unwrap()
}

fn register(n: &str, owner: AccountId, duration_ms: u64, records: Vec<DnsRecord>) -> DomainsCall {
    DomainsCall::Register {
        name: name(n),
        owner,
        duration_ms,
        secret: Hash::ZERO,
        records,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn register_resolve_transfer_renew_and_prove() {
    let node = node(10_000).await;
    let client = connect(&node).await;
    let mut alice = Signer::new(&client, "Alice").await;
    let bob = Pair::dev("Bob").public();
    let a_record = DnsRecord::apex(RecordData::A([10, 0, 0, 1]));
    alice
        .submit_ok(
            &client,
            register(
                "alice.ghost",
                alice.account(),
                365 * DAY_MS,
                vec![a_record.clone()],
            ),
        )
        .await;

    let resolved = DomainApiClient::resolve(&client, "Alice.GHOST".into(), None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(resolved.owner, alice.account());
    assert_eq!(resolved.status, "active");
    assert_eq!(resolved.records, vec![a_record.clone()]);

    // The proof verifies against the header's state root.
    let proven = DomainApiClient::resolve_with_proof(&client, "alice.ghost".into(), None)
        .await
        .unwrap();
    let proof = ghost_trie::ReadProof {
        nodes: proven.proof.iter().map(|b| b.0.clone()).collect(),
    };
    let entry =
        ghost_trie::verify_read_proof(&proven.state_root.0, &proof, &proven.keys[0]).unwrap();
    assert!(entry.is_some(), "the name's entry is proven present");
    let other_root = [7u8; 32];
    assert!(ghost_trie::verify_read_proof(&other_root, &proof, &proven.keys[0]).is_err());

    // Unicode input is normalized.
    let price = DomainApiClient::price(&client, "Bücher.ghost".into(), 365 * DAY_MS)
        .await
        .unwrap();
    assert!(price > 0);
    assert!(
        DomainApiClient::available(&client, "Bücher.ghost".into())
            .await
            .unwrap()
            .available
    );
    let taken = DomainApiClient::available(&client, "alice.ghost".into())
        .await
        .unwrap();
    assert!(!taken.available);

    alice
        .submit_ok(
            &client,
            DomainsCall::Transfer {
                name: name("alice.ghost"),
                new_owner: bob,
            },
        )
        .await;
    let resolved = DomainApiClient::resolve(&client, "alice.ghost".into(), None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(resolved.owner, bob);
    let bobs = DomainApiClient::list_by_owner(&client, bob.to_string(), None, None)
        .await
        .unwrap();
    assert_eq!(bobs.names, vec![name("alice.ghost")]);

    let before = resolved.expires_at;
    alice
        .submit_ok(
            &client,
            DomainsCall::Renew {
                name: name("alice.ghost"),
                duration_ms: 30 * DAY_MS,
            },
        )
        .await;
    let renewed = DomainApiClient::resolve(&client, "alice.ghost".into(), None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(renewed.expires_at, before + 30 * DAY_MS);

    // A bad name is a clear parameter error.
    let err = DomainApiClient::resolve(&client, "bad_name.ghost".into(), None)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("bad_name"), "{err}");
    node.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_short_lived_name_expires_stops_resolving_and_is_released() {
    let node = node(1_000).await;
    let client = connect(&node).await;
    let mut alice = Signer::new(&client, "Alice").await;
    let record = DnsRecord::apex(RecordData::A([10, 0, 0, 9]));
    alice
        .submit_ok(
            &client,
            register("short.ghost", alice.account(), 1_500, vec![record]),
        )
        .await;
    let resolved = DomainApiClient::resolve(&client, "short.ghost".into(), None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(resolved.status, "active");

    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let r = DomainApiClient::resolve(&client, "short.ghost".into(), None)
            .await
            .unwrap();
        match r {
            Some(r) if r.status == "active" => {}
            Some(r) => {
                assert!(r.records.is_empty(), "an expired name has no records");
            }
            None => break,
        }
        assert!(tokio::time::Instant::now() < deadline, "never released");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Released: anyone may take it.
    let mut bob = Signer::new(&client, "Bob").await;
    bob.submit_ok(
        &client,
        register("short.ghost", bob.account(), 60_000, vec![]),
    )
    .await;
    let r = DomainApiClient::resolve(&client, "short.ghost".into(), None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(r.owner, bob.account());
    assert!(r.records.is_empty(), "old records are gone");
    node.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn change_feed_replay_from_zero_equals_the_live_stream() {
    let node = node(1_000).await;
    let client = connect(&node).await;
    let mut live: Subscription<DomainChangesJson> =
        DomainApiClient::subscribe_changes(&client, None, None, None)
            .await
            .unwrap();
    let mut alice = Signer::new(&client, "Alice").await;
    let bob = Pair::dev("Bob").public();
    alice
        .submit_ok(
            &client,
            register("feed.ghost", alice.account(), 2_000, vec![]),
        )
        .await;
    alice
        .submit_ok(
            &client,
            DomainsCall::SetRecord {
                name: name("feed.ghost"),
                record: DnsRecord::apex(RecordData::A([1, 2, 3, 4])),
            },
        )
        .await;
    alice
        .submit_ok(
            &client,
            DomainsCall::Transfer {
                name: name("feed.ghost"),
                new_owner: bob,
            },
        )
        .await;

    // Collect live notifications until the name has expired.
    let mut live_seen = Vec::new();
    while !live_seen
        .iter()
        .any(|b: &DomainChangesJson| b.changes.iter().any(|c| c.change_type == "expired"))
    {
        let block = tokio::time::timeout(Duration::from_secs(20), live.next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        live_seen.push(block);
    }
    let kinds: Vec<String> = live_seen
        .iter()
        .flat_map(|b| b.changes.iter().map(|c| c.change_type.clone()))
        .collect();
    let position = |k: &str| {
        kinds
            .iter()
            .position(|x| x == k)
            .unwrap_or_else(|| panic!("no {k} in {kinds:?}"))
    };
    assert!(position("created") < position("updated"));
    assert!(position("updated") < position("transferred"));
    assert!(position("transferred") < position("expired"));
    let heights: Vec<u64> = live_seen.iter().map(|b| b.block_height).collect();
    assert!(
        heights.windows(2).all(|w| w[0] < w[1]),
        "strictly increasing heights: {heights:?}"
    );

    // Replay from 0 gives exactly the same blocks, then continues live.
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

    // A filter keeps only what it asks for.
    let filter = ghost_rpc::ChangeFilter {
        change_types: vec!["transferred".into()],
        ..Default::default()
    };
    let mut filtered: Subscription<DomainChangesJson> =
        DomainApiClient::subscribe_changes(&client, Some(0), Some(filter), None)
            .await
            .unwrap();
    let got = tokio::time::timeout(Duration::from_secs(20), filtered.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert!(got.changes.iter().all(|c| c.change_type == "transferred"));
    assert_eq!(got.changes[0].new_owner, Some(bob));
    node.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn change_feed_resumes_after_a_block_by_its_hash_and_refuses_a_hash_it_does_not_know() {
    let node = node(10_000).await;
    let client = connect(&node).await;
    let mut alice = Signer::new(&client, "Alice").await;
    let created = alice
        .submit_ok(
            &client,
            register("resume.ghost", alice.account(), 10 * DAY_MS, vec![]),
        )
        .await;
    let updated = alice
        .submit_ok(
            &client,
            DomainsCall::SetRecord {
                name: name("resume.ghost"),
                record: DnsRecord::apex(RecordData::A([10, 1, 1, 1])),
            },
        )
        .await;
    // After the registration's block, by its hash: the next block with changes is the update,
    // which carries its index and the name's state after it.
    let filter = ghost_rpc::ChangeFilter {
        domains: vec!["resume.ghost".into()],
        ..Default::default()
    };
    let mut resumed: Subscription<DomainChangesJson> = DomainApiClient::subscribe_changes(
        &client,
        Some(created.block_number + 1),
        Some(filter),
        Some(created.block_hash),
    )
    .await
    .unwrap();
    let block = tokio::time::timeout(Duration::from_secs(20), resumed.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(block.block_hash, updated.block_hash);
    assert!(!block.reverted);
    let change = &block.changes[0];
    assert_eq!(change.change_type, "updated");
    assert_eq!(change.index, 0);
    let state = change.state.as_ref().expect("the state after the block");
    assert_eq!(state.owner, alice.account());
    assert_eq!(
        state.records,
        vec![DnsRecord::apex(RecordData::A([10, 1, 1, 1]))]
    );

    // A hash the node does not know, or one at the wrong height, is refused at once.
    for (height, hash) in [
        (created.block_number + 1, Hash([0xee; 32])),
        (created.block_number + 2, created.block_hash),
    ] {
        let refused = DomainApiClient::subscribe_changes(&client, Some(height), None, Some(hash))
            .await
            .map(|_: Subscription<DomainChangesJson>| ())
            .unwrap_err();
        assert_eq!(
            rpc_code(refused),
            ghost_rpc::error_codes::INVALID_PARAMS,
            "{height} {hash}"
        );
    }
    node.stop().await;
}

/// GhostBridge's index load reads every name a page at a time in one ordered pass
/// (`api::resolve_page`): it must give exactly what listing the names and resolving each one
/// gives, across pages, for names with and without records, a subname and a name in grace.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resolution_page_is_what_listing_and_resolving_each_name_gives() {
    let node = node(60_000).await;
    let client = connect(&node).await;
    let mut alice = Signer::new(&client, "Alice").await;
    for i in 0..7u8 {
        let records = if i % 2 == 0 {
            vec![DnsRecord::apex(RecordData::A([10, 0, 0, i]))]
        } else {
            vec![]
        };
        alice
            .submit_ok(
                &client,
                register(
                    &format!("page-{i}.ghost"),
                    alice.account(),
                    365 * DAY_MS,
                    records,
                ),
            )
            .await;
    }
    alice
        .submit_ok(
            &client,
            DomainsCall::SetSubnameOwner {
                parent: name("page-0.ghost"),
                label: "www".into(),
                owner: Pair::dev("Bob").public(),
                lock: false,
            },
        )
        .await;
    // Expires soon, then sits in its grace period (no records served).
    alice
        .submit_ok(
            &client,
            register(
                "graced.ghost",
                alice.account(),
                1_500,
                vec![DnsRecord::apex(RecordData::A([10, 9, 9, 9]))],
            ),
        )
        .await;
    tokio::time::sleep(Duration::from_millis(2_500)).await;

    let chain = node.client.clone();
    let (_, header) = chain.best().unwrap();
    let store = chain.store();
    let mut listed = Vec::new();
    let mut cursor = None;
    loop {
        let page = ghost_runtime::api::all_names(store, &header, cursor, 3).unwrap();
        for n in &page.names {
            if let Some(r) = ghost_runtime::api::resolve(store, &header, n, None).unwrap() {
                listed.push(r);
            }
        }
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    let mut paged = Vec::new();
    let mut cursor = None;
    loop {
        let page = ghost_runtime::api::resolve_page(store, &header, cursor, 3, None).unwrap();
        paged.extend(page.resolutions);
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(
        listed.len(),
        9,
        "seven names, a subname and a name in grace"
    );
    assert_eq!(paged, listed);
    // The same pages over JSON-RPC (`domain_resolutions`, what the GhostBridge sidecar loads).
    let at = header.hash();
    let mut over_rpc = Vec::new();
    let mut cursor = None;
    loop {
        let page = DomainApiClient::resolutions(&client, Some(at), cursor, Some(3))
            .await
            .unwrap();
        over_rpc.extend(page.resolutions);
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    let expected: Vec<_> = listed
        .iter()
        .cloned()
        .map(ghost_service::rpc::resolution_json)
        .collect();
    assert_eq!(over_rpc, expected);
    let graced = paged
        .iter()
        .find(|r| r.name == name("graced.ghost"))
        .unwrap();
    assert!(graced.records.is_empty());
    let sub = paged
        .iter()
        .find(|r| r.name == name("www.page-0.ghost"))
        .unwrap();
    assert_eq!(sub.parent, Some(name("page-0.ghost")));
    assert_eq!(
        paged.iter().filter(|r| !r.records.is_empty()).count(),
        4,
        "page-0, -2, -4 and -6 have records"
    );
    node.stop().await;
}
