//! The library against an in-process dev node: events decoded, dispatch failures typed with
//! their metadata docs, many transactions of one account in flight, subscriptions, proofs.

mod common;

use std::time::Duration;

use futures::StreamExt;
use futures::future::join_all;
use ghost_client::runtime::{GHOST, RuntimeEvent, balances, domains, sudo, system};
use ghost_client::{Client, Error, Signer};
use ghost_primitives::{DomainName, Hash};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transfer_events_are_decoded_per_extrinsic() {
    let node = common::dev_node(None).await;
    let client = Client::connect(common::url(&node)).await.unwrap();
    let (alice, bob) = (Signer::dev("Alice"), Signer::dev("Bob").account());
    let done = client
        .tx()
        .balances()
        .transfer(bob, 2 * GHOST)
        .tip(7)
        .mortal(64)
        .submit_and_watch(&alice)
        .await
        .unwrap()
        .in_block()
        .await
        .unwrap();
    let transfer = done.find(|e| match e {
        RuntimeEvent::Balances(balances::Event::Transfer { from, to, amount }) => {
            Some((*from, *to, *amount))
        }
        _ => None,
    });
    assert_eq!(transfer, Some((alice.account(), bob, 2 * GHOST)));
    let fee = done.find(|e| match e {
        RuntimeEvent::System(system::Event::ExtrinsicSuccess { fee, .. }) => Some(*fee),
        _ => None,
    });
    let fee = fee.expect("the outcome event carries the fee");
    assert!(fee > 7, "the fee includes the tip of 7: {fee}");
    assert_eq!(ghost_client::runtime::api::net_fee(&done.events), fee);
    assert!(matches!(
        done.events.last(),
        Some(RuntimeEvent::System(system::Event::ExtrinsicSuccess { .. }))
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dispatch_failure_names_pallet_error_and_docs() {
    let node = common::dev_node(None).await;
    let client = Client::connect(common::url(&node)).await.unwrap();
    let (alice, bob) = (Signer::dev("Alice"), Signer::dev("Bob"));
    let name = DomainName::parse("taken.ghost").unwrap();
    let register = |who: &Signer| {
        client.tx().domains().register(
            name.clone(),
            who.account(),
            domains::YEAR_MS,
            Hash::ZERO,
            vec![],
        )
    };
    register(&alice)
        .submit_and_watch(&alice)
        .await
        .unwrap()
        .in_block()
        .await
        .unwrap();

    let error = register(&bob)
        .submit_and_watch(&bob)
        .await
        .unwrap()
        .in_block()
        .await
        .unwrap_err();
    let failure = error
        .dispatch()
        .unwrap_or_else(|| panic!("not a dispatch error: {error}"));
    assert_eq!(failure.pallet(), Some("Domains"));
    assert_eq!(failure.error_name(), Some("NameTaken"));
    assert_eq!(
        failure.docs.as_deref(),
        Some("The name is registered (or in its grace period).")
    );
    let message = error.to_string();
    assert!(
        message.contains("Domains.NameTaken (The name is registered"),
        "{message}"
    );

    // The fee was paid all the same, and the failure says how much: its events carry the fee
    // (what a relayer that submitted it reports as spent).
    assert!(
        failure.events.iter().any(|event| matches!(
            event,
            ghost_runtime::RuntimeEvent::System(
                ghost_runtime::system::Event::ExtrinsicFailed { .. }
            )
        )),
        "{:?}",
        failure.events
    );
    assert!(
        ghost_runtime::api::net_fee(&failure.events) > 0,
        "{:?}",
        failure.events
    );
    // Bob's nonce moved on, and the next transaction works.
    client
        .tx()
        .system()
        .remark(b"after".to_vec())
        .submit_and_watch(&bob)
        .await
        .unwrap()
        .in_block()
        .await
        .unwrap();
    assert_eq!(client.fetch_account(&bob.account()).await.unwrap().nonce, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_transactions_of_one_account_in_flight() {
    let node = common::dev_node(Some(Duration::from_millis(200))).await;
    let client = Client::connect(common::url(&node)).await.unwrap();
    let (alice, bob) = (Signer::dev("Alice"), Signer::dev("Bob").account());
    let before = client.fetch_account(&bob).await.unwrap().free;

    // All signed and submitted before the first block: each needs its own nonce.
    let submitted = join_all((0..20).map(|_| {
        client
            .tx()
            .balances()
            .transfer(bob, GHOST)
            .submit_and_watch(&alice)
    }))
    .await;
    let progress: Vec<_> = submitted.into_iter().map(|p| p.unwrap()).collect();
    let included = join_all(progress.into_iter().map(|p| p.in_block())).await;
    let mut blocks = Vec::new();
    for done in included {
        blocks.push(done.unwrap().block_number);
    }
    assert_eq!(
        client.fetch_account(&bob).await.unwrap().free,
        before + 20 * GHOST
    );
    assert_eq!(
        client.fetch_account(&alice.account()).await.unwrap().nonce,
        20
    );
    assert!(blocks.iter().all(|n| *n >= 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_submission_releases_its_nonce() {
    let node = common::dev_node(None).await;
    let client = Client::connect(common::url(&node)).await.unwrap();
    // A fresh account cannot pay the fee: the pool refuses the extrinsic.
    let (pair, _) = ghost_primitives::Pair::generate().unwrap();
    let poor = Signer::from_pair(pair);
    let error = client
        .tx()
        .system()
        .remark(vec![])
        .submit_and_watch(&poor)
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::Rpc {
                method: "author_submitAndWatchExtrinsic",
                ..
            }
        ),
        "{error}"
    );
    assert_eq!(
        error.rpc_code(),
        Some(ghost_client::rpc::error_codes::INVALID_TRANSACTION),
        "{error}"
    );
    assert!(error.to_string().contains(&common::url(&node)), "{error}");

    // Funded, the same account's next transaction uses nonce 0 again (not 1).
    client
        .tx()
        .balances()
        .transfer(poor.account(), GHOST)
        .submit_and_watch(&Signer::dev("Alice"))
        .await
        .unwrap()
        .in_block()
        .await
        .unwrap();
    let xt = client
        .tx()
        .system()
        .remark(vec![])
        .sign(&poor)
        .await
        .unwrap();
    assert_eq!(xt.extra.nonce, 0);
}

/// The next item of a subscription (10 s at most).
async fn first<T>(stream: &mut ghost_client::subscribe::Notifications<T>) -> T {
    tokio::time::timeout(Duration::from_secs(10), stream.next())
        .await
        .expect("a notification within 10 s")
        .expect("the subscription is open")
        .expect("a well-formed notification")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn heads_and_domain_changes_stream() {
    let node = common::dev_node(None).await;
    let client = Client::connect(common::url(&node)).await.unwrap();
    let alice = Signer::dev("Alice");
    let mut heads = client.new_heads().await.unwrap();
    let mut finalized = client.finalized_heads().await.unwrap();
    let mut changes = client
        .domain_changes(None, Default::default())
        .await
        .unwrap();

    let name = DomainName::parse("streamed.ghost").unwrap();
    let done = client
        .tx()
        .domains()
        .register(
            name.clone(),
            alice.account(),
            domains::YEAR_MS,
            Hash::ZERO,
            vec![],
        )
        .submit_and_watch(&alice)
        .await
        .unwrap()
        .finalized()
        .await
        .unwrap();
    assert!(done.finalized);

    let head = first(&mut heads).await;
    assert!(head.number >= 1);
    let fin = first(&mut finalized).await;
    assert!(fin.number >= 1);
    let block = first(&mut changes).await;
    assert_eq!(block.block_height, done.block_number);
    assert_eq!(block.changes[0].domain, name);

    // The resolution verifies against the block's state root.
    let verified = client.resolve_verified(&name).await.unwrap();
    assert_eq!(verified.resolution.unwrap().owner, alice.account());
    let absent = client
        .resolve_verified(&DomainName::parse("nobody.ghost").unwrap())
        .await
        .unwrap();
    assert!(absent.resolution.is_none());
}

/// `resolve_final` trusts only the genesis hash: the node's finalized block is proven final by
/// the genesis voter set, the answer against that block; another genesis is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resolution_is_proven_final_from_the_genesis_hash_alone() {
    let node = common::dev_node(None).await;
    let client = Client::connect(common::url(&node)).await.unwrap();
    let alice = Signer::dev("Alice");
    let name = DomainName::parse("final.ghost").unwrap();
    let done = client
        .tx()
        .domains()
        .register(
            name.clone(),
            alice.account(),
            domains::YEAR_MS,
            Hash::ZERO,
            vec![],
        )
        .submit_and_watch(&alice)
        .await
        .unwrap()
        .finalized()
        .await
        .unwrap();
    // The genesis a user would pin: computed from the dev spec, not asked of the node.
    let genesis = ghost_client::runtime::chain_spec::ChainSpec::dev()
        .build_genesis()
        .unwrap()
        .header
        .hash();
    assert_eq!(genesis, client.genesis_hash().await.unwrap());

    let proven = client.resolve_final(&genesis, &name).await.unwrap();
    assert!(proven.number >= done.block_number, "{}", proven.number);
    assert_eq!(proven.answer.resolution.unwrap().owner, alice.account());
    assert_eq!(proven.voters.set_id, 0);
    assert_eq!(proven.voters.voters, vec![alice.account()]);
    assert_eq!(proven.set_changes, 0);

    let absent = client
        .resolve_final(&genesis, &DomainName::parse("nobody.ghost").unwrap())
        .await
        .unwrap();
    assert!(absent.answer.resolution.is_none());

    let error = client
        .resolve_final(&Hash([1; 32]), &name)
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            ghost_client::Error::Finality(ghost_client::light::FinalityError::WrongGenesis { .. })
        ),
        "{error}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_node_is_an_error_naming_its_url() {
    let node = common::dev_node(None).await;
    let url = common::url(&node);
    let client = Client::builder(&url)
        .timeout(Duration::from_secs(5))
        .connect()
        .await
        .unwrap();
    client.genesis_hash().await.unwrap();
    node.stop().await;
    let error = client.fetch_header(None).await.unwrap_err();
    assert!(error.is_unavailable(), "{error:?}");
    assert!(error.to_string().contains(&url), "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sudo_wraps_a_root_call_and_reports_its_result() {
    let node = common::dev_node(None).await;
    let client = Client::connect(common::url(&node)).await.unwrap();
    let (alice, dave) = (Signer::dev("Alice"), Signer::dev("Dave").account());
    let set = balances::Call::ForceSetBalance {
        who: dave,
        free: 5 * GHOST,
    };
    let done = client
        .tx()
        .sudo()
        .sudo_call(set.clone())
        .submit_and_watch(&alice)
        .await
        .unwrap()
        .in_block()
        .await
        .unwrap();
    let result = done.find(|e| match e {
        RuntimeEvent::Sudo(sudo::Event::Sudid { result }) => Some(result.clone()),
        _ => None,
    });
    assert_eq!(result, Some(Ok(())));
    assert_eq!(client.fetch_account(&dave).await.unwrap().free, 5 * GHOST);

    // Not the sudo key: refused by the pallet, named with its docs.
    let error = client
        .tx()
        .sudo()
        .sudo_call(set)
        .submit_and_watch(&Signer::dev("Bob"))
        .await
        .unwrap()
        .in_block()
        .await
        .unwrap_err();
    let failure = error.dispatch().expect("a dispatch error");
    assert_eq!(
        (failure.pallet(), failure.error_name()),
        (Some("Sudo"), Some("RequireSudo"))
    );
    assert!(failure.docs.as_deref().is_some_and(|d| !d.is_empty()));
}

/// Two headers of one slot sealed by Alice (the dev node's only author), told apart by their
/// state roots.
fn double_seal(slot: u64) -> ghost_primitives::consensus::AuraEquivocation {
    use ghost_primitives::consensus::{aura_pre_digest, aura_seal};
    use ghost_primitives::{Header, Pair};
    let alice = Pair::dev("Alice");
    let sealed = |root: u8| {
        let mut header = Header {
            parent_hash: Hash([9; 32]),
            number: 1,
            state_root: Hash([root; 32]),
            extrinsics_root: Hash::ZERO,
            timestamp_ms: 0,
            digest: aura_pre_digest(slot),
        };
        aura_seal(&mut header, &alice);
        header
    };
    ghost_primitives::consensus::AuraEquivocation {
        offender: alice.public(),
        slot,
        first: sealed(1),
        second: sealed(2),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_block_equivocation_is_reported_once_through_the_typed_call() {
    use ghost_client::runtime::validators;
    let node = common::dev_node(None).await;
    let client = Client::connect(common::url(&node)).await.unwrap();
    let bob = Signer::dev("Bob");
    // A block, so that the chain has a current slot to report against.
    client
        .tx()
        .system()
        .remark(b"slot".to_vec())
        .submit_and_watch(&bob)
        .await
        .unwrap()
        .in_block()
        .await
        .unwrap();
    let slot = client
        .fetch_header(None)
        .await
        .unwrap()
        .slot()
        .expect("an Aura slot");

    let report = || {
        client
            .tx()
            .validators()
            .report_block_equivocation(double_seal(slot))
    };
    let done = report()
        .submit_and_watch(&bob)
        .await
        .unwrap()
        .in_block()
        .await
        .unwrap();
    let reported = done.find(|event| match event {
        RuntimeEvent::Validators(validators::Event::BlockEquivocationReported {
            offender,
            slot,
        }) => Some((*offender, *slot)),
        _ => None,
    });
    assert_eq!(reported, Some((Signer::dev("Alice").account(), slot)));

    // The same slot again changes nothing: the runtime says why.
    let error = report()
        .submit_and_watch(&bob)
        .await
        .unwrap()
        .in_block()
        .await
        .unwrap_err();
    let failure = error.dispatch().expect("a dispatch error");
    assert_eq!(
        (failure.pallet(), failure.error_name()),
        (Some("Validators"), Some("DuplicateEquivocation"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn finality_proofs_and_the_voter_set_are_typed_calls() {
    let node = common::dev_node(None).await;
    let client = Client::connect(common::url(&node)).await.unwrap();
    let alice = Signer::dev("Alice");
    let done = client
        .tx()
        .system()
        .remark(b"final".to_vec())
        .submit_and_watch(&alice)
        .await
        .unwrap()
        .finalized()
        .await
        .unwrap();
    let set = client.fetch_voter_set(None).await.unwrap();
    assert_eq!(set.set_id, 0);
    assert_eq!(set.voters, vec![alice.account().to_string()]);

    let proof = client
        .prove_finality(done.block_number)
        .await
        .unwrap()
        .expect("a finalized block has a finality proof");
    assert!(proof.number >= done.block_number, "{proof:?}");
    assert!(!proof.justification.0.is_empty());
    // Headers link the asked block to the justified one.
    assert_eq!(
        proof.unknown_headers.len() as u64,
        proof.number - done.block_number
    );
    // A block that is not final has none.
    assert_eq!(client.prove_finality(1_000_000).await.unwrap(), None);
}

/// A stand-in node that answers `ghost_blockEvents` with `served` and `state_getStorage` (of
/// any key) with `digest`: what a node lying about a block's events looks like to the client.
async fn events_node(
    served: Vec<u8>,
    digest: Option<Vec<u8>>,
) -> (String, jsonrpsee::server::ServerHandle) {
    use ghost_primitives::Bytes;
    let mut module = jsonrpsee::RpcModule::new(());
    module
        .register_method("ghost_blockEvents", move |_, _, _| {
            serde_json::to_value(Some(Bytes(served.clone()))).unwrap()
        })
        .unwrap();
    module
        .register_method("state_getStorage", move |_, _, _| {
            serde_json::to_value(digest.clone().map(Bytes)).unwrap()
        })
        .unwrap();
    let server = jsonrpsee::server::Server::builder()
        .build("127.0.0.1:0")
        .await
        .unwrap();
    let url = format!("ws://{}", server.local_addr().unwrap());
    (url, server.start(module))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_that_do_not_match_the_blocks_digest_are_refused() {
    use ghost_client::runtime::system::{EventsCommitment, Phase};
    use ghost_client::runtime::{EventRecord, api::EventsError};
    use parity_scale_codec::Encode;

    let (alice, bob) = (Signer::dev("Alice").account(), Signer::dev("Bob").account());
    let transfer = |amount| {
        vec![EventRecord {
            phase: Phase::ApplyExtrinsic(0),
            event: RuntimeEvent::Balances(balances::Event::Transfer {
                from: alice,
                to: bob,
                amount,
            }),
        }]
    };
    let honest = transfer(5).encode();
    let digest = EventsCommitment::of(&honest, 1).encode();
    let block = Hash([3; 32]);

    // The node's records match the block's digest: accepted, and said to be checked.
    let (url, server) = events_node(honest.clone(), Some(digest.clone())).await;
    let events = ghost_client::Events::at(&Client::connect(url).await.unwrap(), block)
        .await
        .unwrap();
    assert_eq!(events.records, transfer(5));
    assert!(events.checked_against.is_some());
    server.stop().unwrap();

    // Another amount under the same digest: refused, naming the block.
    let (url, server) = events_node(transfer(5_000).encode(), Some(digest)).await;
    let error = ghost_client::Events::at(&Client::connect(url).await.unwrap(), block)
        .await
        .unwrap_err();
    match error {
        Error::EventsMismatch {
            block_hash,
            source: EventsError::DigestMismatch { count: 1, .. },
        } => assert_eq!(block_hash, block),
        other => panic!("expected a digest mismatch, got {other}"),
    }
    server.stop().unwrap();

    // Without a digest (its state pruned, or an old block) the records are taken unchecked.
    let (url, server) = events_node(honest, None).await;
    let events = ghost_client::Events::at(&Client::connect(url).await.unwrap(), block)
        .await
        .unwrap();
    assert_eq!(events.checked_against, None);
    server.stop().unwrap();
}

/// A consumer slower than a long replay overflows the client's subscription buffer (8 here);
/// the name-change stream subscribes again after the last block it delivered, so it still sees
/// every block from 1 to 200 exactly once, in order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_consumer_of_a_long_replay_still_sees_every_block_once() {
    let node = common::dev_node(Some(Duration::from_millis(5))).await;
    let watcher = Client::connect(common::url(&node)).await.unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while watcher.fetch_header(None).await.unwrap().number < 200 {
        assert!(
            std::time::Instant::now() < deadline,
            "200 blocks within 60 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let client = Client::builder(common::url(&node))
        .subscription_buffer(8)
        .connect()
        .await
        .unwrap();
    let filter = ghost_client::rpc::ChangeFilter {
        include_empty: true,
        ..Default::default()
    };
    let mut changes = client.domain_changes(Some(1), filter).await.unwrap();
    // The node pushes the replay while nobody reads: far more than 8 notifications.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut heights = Vec::new();
    while heights.last() != Some(&200) {
        let block = first(&mut changes).await;
        assert!(!block.reverted, "a dev chain does not reorg");
        heights.push(block.block_height);
        // A slow consumer.
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    assert_eq!(heights, (1..=200).collect::<Vec<u64>>());
}
