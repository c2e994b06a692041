//! GhostDNSService end to end: the real server on 127.0.0.1:0 over an in-memory chain, called
//! with the generated tonic client (and the health and reflection clients).

#[path = "support/fake_chain.rs"]
mod fake_chain;

use std::sync::Arc;
use std::time::Duration;

use fake_chain::{FakeChain, STATE_ROOT, block_hash, change, record};
use futures::StreamExt;
use ghost_bridge::grpc::proto::ghost_dns_service_client::GhostDnsServiceClient;
use ghost_bridge::grpc::proto::{
    BatchDomainUpdate, ContractDomainUpdate, DnsRecord as ProtoRecord, DomainChangeEvent,
    DomainSubscription, ResolveRequest,
};
use ghost_bridge::grpc::{
    GrpcConfig, GrpcServerHandle, RESUME_HASH_METADATA, RESUME_HEIGHT_METADATA, SERVICE_NAME,
    convert, serve,
};
use ghost_bridge::source::SubmitOutcome;
use ghost_bridge::{BridgeError, NameIndex};
use ghost_primitives::{DomainName, Pair, Signature};
use ghost_rpc::{ChangeFilter, DomainChangesJson};
use ghost_runtime::domains::SignedRecordUpdate;
use parity_scale_codec::Encode;
use tonic::transport::{Channel, Endpoint};
use tonic::{Code, Status, Streaming};

type Client = GhostDnsServiceClient<Channel>;

/// Everything slower than this is a hang.
const PATIENCE: Duration = Duration::from_secs(20);

/// The fake chain's index never reaches an update's block: answers do not wait for it (see
/// `a_waited_update_is_answered_once_the_index_has_its_block`).
fn test_config() -> GrpcConfig {
    GrpcConfig {
        addr: "127.0.0.1:0".parse().unwrap(),
        index_catch_up: Duration::ZERO,
        ..GrpcConfig::default()
    }
}

/// Serves `chain` with a name index loaded from it, as GhostBridge starts.
async fn start_with(chain: &Arc<FakeChain>, config: GrpcConfig) -> (GrpcServerHandle, Client) {
    let names = NameIndex::new();
    ghost_bridge::index::load(chain.as_ref(), &names, false)
        .await
        .unwrap();
    let handle = serve(chain.clone(), names, config).await.unwrap();
    let client = GhostDnsServiceClient::new(channel(&handle).await);
    (handle, client)
}

async fn start(chain: &Arc<FakeChain>) -> (GrpcServerHandle, Client) {
    start_with(chain, test_config()).await
}

async fn channel(handle: &GrpcServerHandle) -> Channel {
    Endpoint::from_shared(format!("http://{}", handle.local_addr()))
        .unwrap()
        .connect()
        .await
        .unwrap()
}

fn now_ms() -> u64 {
    ghost_bridge::index::now_ms()
}

fn proto_record(rtype: &str, name: &str, value: &str, ttl: u32, priority: u32) -> ProtoRecord {
    ProtoRecord {
        r#type: rtype.into(),
        name: name.into(),
        value: value.into(),
        ttl,
        priority,
    }
}

/// The fake chain's genesis hash.
fn genesis() -> ghost_primitives::Hash {
    block_hash(0)
}

/// An update of `domain` signed by `signer` over the canonical payload for the fake chain, at
/// sequence 0 (the fake names' sequence).
fn signed_update(
    signer: &Pair,
    domain: &str,
    records: Vec<ProtoRecord>,
    timestamp: u64,
) -> ContractDomainUpdate {
    signed_update_for(signer, domain, records, timestamp, 0, genesis())
}

/// An update like [`signed_update`] at `sequence`, signed for the chain with `genesis`.
fn signed_update_for(
    signer: &Pair,
    domain: &str,
    records: Vec<ProtoRecord>,
    timestamp: u64,
    sequence: u64,
    genesis: ghost_primitives::Hash,
) -> ContractDomainUpdate {
    let mut message = ContractDomainUpdate {
        domain: domain.into(),
        contract_id: "contract-1".into(),
        records,
        owner_address: signer.public().to_string(),
        timestamp,
        signature: vec![0; 64],
        wait: false,
        sequence,
    };
    let update = convert::update_from_proto(&message).unwrap();
    message.signature = signer.sign(&update.signing_payload(&genesis)).0.to_vec();
    message
}

/// The fake chain with `alice.ghost`'s records at update `sequence`.
fn chain_with_alice_at_sequence(sequence: u64) -> Arc<FakeChain> {
    let chain = FakeChain::mixed();
    let mut alice = chain.resolution_of("alice.ghost");
    alice.update_sequence = sequence;
    chain.set_resolution(alice);
    chain
}

/// Alice's update of `alice.ghost` to one `A` record, signed against `sequence`.
fn alice_update_at(sequence: u64) -> ContractDomainUpdate {
    signed_update_for(
        &Pair::dev("Alice"),
        "alice.ghost",
        vec![proto_record("A", "@", "10.0.0.9", 300, 0)],
        now_ms(),
        sequence,
        genesis(),
    )
}

fn alice_update() -> ContractDomainUpdate {
    signed_update(
        &Pair::dev("Alice"),
        "alice.ghost",
        vec![
            proto_record("A", "@", "10.0.0.9", 300, 0),
            proto_record("TXT", "www", "hello again", 60, 0),
        ],
        now_ms(),
    )
}

// ---- ResolveDomain ----

#[tokio::test]
async fn resolve_returns_records_owner_and_the_head_block() {
    let chain = FakeChain::mixed();
    let (_server, mut client) = start(&chain).await;
    let response = client
        .resolve_domain(ResolveRequest {
            domain: "Alice.Ghost.".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(response.domain, "alice.ghost");
    assert_eq!(response.owner, Pair::dev("Alice").public().to_string());
    assert!(response.owner.starts_with("ghost1"));
    assert_eq!(response.status, "active");
    assert_eq!(response.created_at, 1_000);
    assert_eq!(response.height, 49);
    assert_eq!(response.block_hash, block_hash(49).0.to_vec());
    assert!(response.proof.is_none());
    assert_eq!(
        response.records,
        vec![
            proto_record("A", "@", "10.0.0.1", 300, 0),
            proto_record("AAAA", "@", "2001:db8::1", 300, 0),
            proto_record("MX", "@", "10 mail.alice.ghost", 600, 10),
            proto_record("TXT", "www", "hello world", 60, 0),
            proto_record("SRV", "_sip._tcp", "1 5 5060 sip.alice.ghost", 60, 1),
        ]
    );
}

/// DNS and gRPC read one index: a resolve at the served head is the index's answer (the one
/// DNS gives), even when the chain has moved on without the index hearing of it; a resolve at a
/// height asks the chain.
#[tokio::test]
async fn resolve_at_the_head_answers_from_the_name_index_dns_uses() {
    let chain = FakeChain::mixed();
    let mut alice = chain.resolution_of("alice.ghost");
    alice
        .web3
        .texts
        .insert("url".into(), "https://alice.example".into());
    alice
        .web3
        .addresses
        .insert(60, ghost_primitives::Bytes(vec![0xab; 20]));
    chain.set_resolution(alice.clone());
    let names = NameIndex::new();
    ghost_bridge::index::load(chain.as_ref(), &names, false)
        .await
        .unwrap();
    let handle = serve(chain.clone(), names.clone(), test_config())
        .await
        .unwrap();
    let mut client = GhostDnsServiceClient::new(channel(&handle).await);
    // The chain changes alice.ghost; the index (and so DNS) has not seen that block yet.
    let mut moved = alice.clone();
    moved.records = vec![fake_chain::record("@", 300, "A=10.9.9.9")];
    chain.set_resolution(moved);
    let at_head = |at_height| ResolveRequest {
        domain: "alice.ghost".into(),
        at_height,
        ..Default::default()
    };
    let response = client
        .resolve_domain(at_head(None))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(response.records.len(), alice.records.len());
    assert_eq!(response.height, names.head().unwrap().height);
    let web3 = response.web3.expect("web3 records");
    assert_eq!(web3.texts["url"], "https://alice.example");
    assert_eq!(web3.addresses[&60], vec![0xab; 20]);
    assert!(web3.contenthash.is_empty());
    let lookup = names.lookup("alice.ghost", Some(ghost_primitives::RecordType::A), 0);
    assert_eq!(
        lookup,
        ghost_bridge::index::Lookup::Found(vec![fake_chain::record("@", 300, "A=10.0.0.1")])
    );
    // At an explicit height the chain answers.
    let response = client
        .resolve_domain(at_head(Some(10)))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        response.records,
        vec![proto_record("A", "@", "10.9.9.9", 300, 0)]
    );
}

#[tokio::test]
async fn resolve_before_the_index_is_loaded_is_unavailable() {
    let chain = FakeChain::mixed();
    let handle = serve(chain.clone(), NameIndex::new(), test_config())
        .await
        .unwrap();
    let mut client = GhostDnsServiceClient::new(channel(&handle).await);
    let status = client
        .resolve_domain(ResolveRequest {
            domain: "alice.ghost".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::Unavailable, "{status:?}");
}

#[tokio::test]
async fn resolve_filters_by_record_type() {
    let chain = FakeChain::mixed();
    let (_server, mut client) = start(&chain).await;
    let response = client
        .resolve_domain(ResolveRequest {
            domain: "alice.ghost".into(),
            record_types: vec!["mx".into(), "SRV".into()],
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    let types: Vec<&str> = response.records.iter().map(|r| r.r#type.as_str()).collect();
    assert_eq!(types, ["MX", "SRV"]);
    let error = client
        .resolve_domain(ResolveRequest {
            domain: "alice.ghost".into(),
            record_types: vec!["BOGUS".into()],
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(error.code(), Code::InvalidArgument, "{error:?}");
}

#[tokio::test]
async fn resolve_at_a_height_uses_that_block_and_past_the_chain_is_not_found() {
    let chain = FakeChain::mixed();
    let (_server, mut client) = start(&chain).await;
    let response = client
        .resolve_domain(ResolveRequest {
            domain: "bob.bc".into(),
            at_height: Some(10),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (response.height, response.block_hash),
        (10, block_hash(10).0.to_vec())
    );
    let error = client
        .resolve_domain(ResolveRequest {
            domain: "bob.bc".into(),
            at_height: Some(50),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(error.code(), Code::NotFound, "{error:?}");
}

#[tokio::test]
async fn resolve_with_proof_carries_the_proof_of_the_block_used() {
    let chain = FakeChain::mixed();
    let (_server, mut client) = start(&chain).await;
    let response = client
        .resolve_domain(ResolveRequest {
            domain: "alice.ghost".into(),
            record_types: vec!["A".into()],
            at_height: Some(20),
            with_proof: true,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        response.records,
        vec![proto_record("A", "@", "10.0.0.1", 300, 0)]
    );
    let proof = response.proof.unwrap();
    assert_eq!(proof.block_hash, block_hash(20).0.to_vec());
    assert_eq!(response.block_hash, proof.block_hash);
    assert_eq!(proof.state_root, STATE_ROOT.0.to_vec());
    let alice = DomainName::parse("alice.ghost").unwrap();
    assert_eq!(proof.keys, vec![alice.namehash().0.to_vec()]);
    assert_eq!(proof.nodes, vec![b"node-1".to_vec(), b"node-2".to_vec()]);
    // Block 20 is final: its header and the whole finality bundle come along, SCALE-encoded.
    let expected = fake_chain::fake_finality(20);
    assert_eq!(proof.header, expected.header.encode());
    let finality = proof.finality.expect("block 20 is final");
    assert_eq!(finality.justification, b"justification".to_vec());
    assert_eq!(
        finality.unknown_headers,
        vec![expected.finality.unknown_headers[0].encode()]
    );
    assert_eq!(
        finality.genesis_header,
        expected.voter_sets.genesis.encode()
    );
    assert_eq!(finality.genesis_proof, vec![b"genesis-node".to_vec()]);
    assert_eq!(finality.set_changes.len(), 1);
    assert_eq!(finality.set_changes[0].set_id, 1);
    assert_eq!(
        finality.set_changes[0].header,
        expected.voter_sets.changes[0].header.encode()
    );
    assert_eq!(finality.set_changes[0].justification, b"set-1".to_vec());

    // The head is not final yet: the state proof comes without finality.
    let head = chain.head_ref().height;
    let response = client
        .resolve_domain(ResolveRequest {
            domain: "alice.ghost".into(),
            record_types: vec![],
            at_height: Some(head),
            with_proof: true,
        })
        .await
        .unwrap()
        .into_inner();
    let proof = response.proof.unwrap();
    assert!(proof.finality.is_none());
    assert!(proof.header.is_empty());
}

#[tokio::test]
async fn resolve_unknown_name_is_not_found_and_bad_name_is_invalid() {
    let chain = FakeChain::mixed();
    let (_server, mut client) = start(&chain).await;
    for with_proof in [false, true] {
        let error = client
            .resolve_domain(ResolveRequest {
                domain: "nobody.ghost".into(),
                with_proof,
                ..Default::default()
            })
            .await
            .unwrap_err();
        assert_eq!(error.code(), Code::NotFound, "{error:?}");
    }
    let error = client
        .resolve_domain(ResolveRequest {
            domain: "no_tld".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(error.code(), Code::InvalidArgument);
    assert!(error.message().contains("no_tld"), "{}", error.message());
}

// ---- UpdateContractDomain ----

#[tokio::test]
async fn update_signed_by_the_owner_is_submitted() {
    let chain = FakeChain::mixed();
    let (server, mut client) = start(&chain).await;
    let mut message = signed_update(
        &Pair::dev("Alice"),
        "alice.ghost",
        vec![
            proto_record("A", "alice.ghost", "10.0.0.9", 300, 0),
            proto_record("MX", "@", "mail.alice.ghost", 600, 20),
            proto_record("TXT", "www.alice.ghost.", "hello again", 60, 0),
        ],
        now_ms(),
    );
    message.wait = true;
    let response = client
        .update_contract_domain(message.clone())
        .await
        .unwrap()
        .into_inner();
    assert!(response.accepted, "{response:?}");
    assert_eq!(response.error, "");
    assert_eq!(response.block_height, 50);
    let submitted = chain.submitted();
    assert_eq!(submitted.len(), 1);
    let (update, wait) = &submitted[0];
    assert!(*wait);
    assert_eq!(
        response.tx_hash,
        ghost_primitives::blake3_256(&parity_scale_codec::Encode::encode(update)).to_string()
    );
    assert!(response.tx_hash.starts_with("0x") && response.tx_hash.len() == 66);
    let expected = SignedRecordUpdate {
        domain: DomainName::parse("alice.ghost").unwrap(),
        contract_id: ghost_primitives::Bytes(b"contract-1".to_vec()),
        records: vec![
            record("@", 300, "A=10.0.0.9"),
            record("@", 600, "MX=20 mail.alice.ghost"),
            record("www", 60, "TXT=hello again"),
        ],
        owner_address: Pair::dev("Alice").public(),
        timestamp: message.timestamp,
        sequence: 0,
        signature: Signature(message.signature.clone().try_into().unwrap()),
    };
    assert_eq!(update, &expected);
    assert!(expected.signature_is_valid(&genesis()));
    assert_eq!(server.metrics().updates("accepted"), 1);
}

#[tokio::test]
async fn update_with_a_bad_signature_is_permission_denied() {
    let chain = FakeChain::mixed();
    let (server, mut client) = start(&chain).await;
    let mut message = alice_update();
    message.signature[0] ^= 1;
    let error = client.update_contract_domain(message).await.unwrap_err();
    assert_eq!(error.code(), Code::PermissionDenied, "{error:?}");
    // Signed by Bob but claiming Alice.
    let mut message = alice_update();
    let update = convert::update_from_proto(&message).unwrap();
    message.signature = Pair::dev("Bob")
        .sign(&update.signing_payload(&genesis()))
        .0
        .to_vec();
    let error = client.update_contract_domain(message).await.unwrap_err();
    assert_eq!(error.code(), Code::PermissionDenied, "{error:?}");
    assert!(chain.submitted().is_empty());
    assert_eq!(server.metrics().updates("permission_denied"), 2);
}

#[tokio::test]
async fn update_signed_for_another_chain_is_permission_denied() {
    let chain = FakeChain::mixed();
    let (_server, mut client) = start(&chain).await;
    // The owner's valid signature, at the right sequence, but over another chain's genesis.
    let replayed = signed_update_for(
        &Pair::dev("Alice"),
        "alice.ghost",
        vec![proto_record("A", "@", "10.0.0.9", 300, 0)],
        now_ms(),
        0,
        block_hash(12_345),
    );
    let error = client.update_contract_domain(replayed).await.unwrap_err();
    assert_eq!(error.code(), Code::PermissionDenied, "{error:?}");
    assert!(chain.submitted().is_empty());
}

#[tokio::test]
async fn update_signed_against_an_older_sequence_fails_the_precondition() {
    let chain = chain_with_alice_at_sequence(5);
    let (_server, mut client) = start(&chain).await;
    let update_at = alice_update_at;

    let error = client
        .update_contract_domain(update_at(4))
        .await
        .unwrap_err();
    assert_eq!(error.code(), Code::FailedPrecondition, "{error:?}");
    assert!(
        error.message().contains("stale sequence"),
        "{}",
        error.message()
    );
    assert!(chain.submitted().is_empty());

    // The current sequence, and one ahead (it may follow an update still in the pool), go on.
    for sequence in [5, 6] {
        let response = client
            .update_contract_domain(update_at(sequence))
            .await
            .unwrap();
        assert!(response.into_inner().accepted);
    }
    let sent: Vec<u64> = chain.submitted().iter().map(|(u, _)| u.sequence).collect();
    assert_eq!(sent, [5, 6]);
}

#[tokio::test]
async fn resolve_tells_a_signer_the_genesis_hash_and_the_sequence() {
    let chain = FakeChain::mixed();
    let mut alice = chain.resolution_of("alice.ghost");
    alice.update_sequence = 1 << 32;
    chain.set_resolution(alice);
    let (_server, mut client) = start(&chain).await;
    for with_proof in [false, true] {
        let response = client
            .resolve_domain(ResolveRequest {
                domain: "alice.ghost".into(),
                with_proof,
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        assert_eq!(response.genesis_hash, genesis().0.to_vec());
        assert_eq!(response.update_sequence, 1 << 32);
    }
}

#[tokio::test]
async fn update_with_a_stale_or_future_timestamp_is_invalid() {
    let chain = FakeChain::mixed();
    let (_server, mut client) = start(&chain).await;
    for timestamp in [now_ms() - 6 * 60_000, now_ms() + 6 * 60_000] {
        let message = signed_update(
            &Pair::dev("Alice"),
            "alice.ghost",
            vec![proto_record("A", "@", "10.0.0.9", 300, 0)],
            timestamp,
        );
        let error = client.update_contract_domain(message).await.unwrap_err();
        assert_eq!(error.code(), Code::InvalidArgument, "{error:?}");
        assert!(error.message().contains("stale"), "{}", error.message());
    }
    assert!(chain.submitted().is_empty());
}

#[tokio::test]
async fn update_of_an_unknown_domain_is_not_found() {
    let chain = FakeChain::mixed();
    let (_server, mut client) = start(&chain).await;
    let message = signed_update(
        &Pair::dev("Alice"),
        "nobody.ghost",
        vec![proto_record("A", "@", "10.0.0.9", 300, 0)],
        now_ms(),
    );
    let error = client.update_contract_domain(message).await.unwrap_err();
    assert_eq!(error.code(), Code::NotFound, "{error:?}");
    assert!(chain.submitted().is_empty());
}

#[tokio::test]
async fn malformed_updates_are_invalid_arguments() {
    let chain = FakeChain::mixed();
    let (_server, mut client) = start(&chain).await;
    let bad_record = {
        let mut m = alice_update();
        m.records[0].value = "10.0.0.256".into();
        m
    };
    let bad_type = {
        let mut m = alice_update();
        m.records[0].r#type = "BOGUS".into();
        m
    };
    let bad_label = {
        let mut m = alice_update();
        m.records[0].name = "bad label".into();
        m
    };
    let bad_owner = {
        let mut m = alice_update();
        m.owner_address = "ghost1nope".into();
        m
    };
    let short_signature = {
        let mut m = alice_update();
        m.signature.truncate(10);
        m
    };
    let bad_domain = {
        let mut m = alice_update();
        m.domain = "bad domain".into();
        m
    };
    for message in [
        bad_record,
        bad_type,
        bad_label,
        bad_owner,
        short_signature,
        bad_domain,
    ] {
        let error = client
            .update_contract_domain(message.clone())
            .await
            .unwrap_err();
        assert_eq!(
            error.code(),
            Code::InvalidArgument,
            "{message:?}: {error:?}"
        );
    }
    assert!(chain.submitted().is_empty());
}

/// The relayer pays for what it submits: an update signed by neither the owner nor the update
/// key at the best block is refused before it is submitted.
#[tokio::test]
async fn update_signed_by_neither_owner_nor_update_key_is_permission_denied() {
    let chain = FakeChain::mixed();
    let (server, mut client) = start(&chain).await;
    let by_bob = || {
        signed_update(
            &Pair::dev("Bob"),
            "alice.ghost",
            vec![proto_record("A", "@", "10.0.0.9", 300, 0)],
            now_ms(),
        )
    };
    let error = client.update_contract_domain(by_bob()).await.unwrap_err();
    assert_eq!(error.code(), Code::PermissionDenied, "{error:?}");
    assert!(
        error
            .message()
            .contains("neither the owner nor the update key"),
        "{}",
        error.message()
    );
    assert!(chain.submitted().is_empty());
    assert_eq!(server.metrics().updates("permission_denied"), 1);

    // Once Bob is alice.ghost's update key, his update is relayed.
    let mut alice = chain.resolution_of("alice.ghost");
    alice.update_key = Some(Pair::dev("Bob").public());
    chain.set_resolution(alice);
    let response = client
        .update_contract_domain(by_bob())
        .await
        .unwrap()
        .into_inner();
    assert!(response.accepted);
    assert_eq!(
        chain.submitted()[0].0.owner_address,
        Pair::dev("Bob").public()
    );
}

#[tokio::test]
async fn runtime_refusal_is_not_accepted_and_pool_refusal_fails_the_precondition() {
    let chain = FakeChain::mixed();
    let (server, mut client) = start(&chain).await;
    chain.next_outcome(Ok(SubmitOutcome {
        tx_hash: block_hash(99),
        block_height: Some(50),
        dispatch_error: Some("Domains::StaleUpdate".into()),
        fee: Some(3_000_000_000_000),
    }));
    // A runtime refusal is known only once the update is in a block: the client waits.
    let mut waited = alice_update();
    waited.wait = true;
    let response = client
        .update_contract_domain(waited)
        .await
        .unwrap()
        .into_inner();
    assert!(!response.accepted);
    assert_eq!(response.error, "Domains::StaleUpdate");
    assert_eq!(response.tx_hash, block_hash(99).to_string());
    assert_eq!(response.block_height, 50);
    // Refused by the runtime, but included: the relayer paid for it.
    assert_eq!(server.metrics().relayed.get(), 1);
    assert_eq!(server.metrics().relayer_fees.get(), 3.0);

    chain.next_outcome(Err(BridgeError::Rejected(
        "invalid transaction: stale nonce".into(),
    )));
    let error = client
        .update_contract_domain(alice_update())
        .await
        .unwrap_err();
    assert_eq!(error.code(), Code::FailedPrecondition, "{error:?}");
    assert!(error.message().contains("stale nonce"));

    chain.next_outcome(Err(BridgeError::Unavailable("node down".into())));
    let error = client
        .update_contract_domain(alice_update())
        .await
        .unwrap_err();
    assert_eq!(error.code(), Code::Unavailable, "{error:?}");
    assert_eq!(server.metrics().updates("dispatch_failed"), 1);
    assert_eq!(server.metrics().updates("rejected"), 1);
    assert_eq!(server.metrics().updates("unavailable"), 1);
}

// ---- BatchUpdateDomains ----

#[tokio::test]
async fn batch_answers_each_update_in_order() {
    let chain = FakeChain::mixed();
    let (_server, mut client) = start(&chain).await;
    let good = alice_update();
    let mut bad_signature = alice_update();
    bad_signature.signature[5] ^= 1;
    let unknown = signed_update(&Pair::dev("Alice"), "nobody.ghost", vec![], now_ms());
    let pool_refused = signed_update(
        &Pair::dev("Bob"),
        "bob.bc",
        vec![proto_record("A", "@", "10.0.0.3", 300, 0)],
        now_ms(),
    );
    let mut runtime_refused = signed_update(&Pair::dev("Bob"), "bob.bc", vec![], now_ms() + 1);
    // A runtime refusal is known only once the update is in a block: this one is waited for.
    runtime_refused.wait = true;
    let mut malformed = alice_update();
    malformed.records[0].value = "nope".into();
    chain.next_outcome(Ok(SubmitOutcome {
        tx_hash: block_hash(1),
        block_height: None,
        dispatch_error: None,
        fee: None,
    }));
    chain.next_outcome(Err(BridgeError::Rejected("pool is full".into())));
    chain.next_outcome(Ok(SubmitOutcome {
        tx_hash: block_hash(3),
        block_height: Some(50),
        dispatch_error: Some("Domains::WrongSigner".into()),
        fee: None,
    }));
    let results = client
        .batch_update_domains(BatchDomainUpdate {
            updates: vec![
                good,
                bad_signature,
                unknown,
                pool_refused,
                runtime_refused,
                malformed,
            ],
        })
        .await
        .unwrap()
        .into_inner()
        .results;
    assert_eq!(results.len(), 6);
    assert!(results[0].accepted && results[0].tx_hash == block_hash(1).to_string());
    assert!(
        !results[1].accepted && results[1].error.contains("signature"),
        "{:?}",
        results[1]
    );
    assert!(
        !results[2].accepted && results[2].error.contains("not registered"),
        "{:?}",
        results[2]
    );
    assert!(
        !results[3].accepted && results[3].error.contains("pool is full"),
        "{:?}",
        results[3]
    );
    assert!(
        !results[4].accepted && results[4].error == "Domains::WrongSigner",
        "{:?}",
        results[4]
    );
    assert_eq!(results[4].tx_hash, block_hash(3).to_string());
    assert!(
        !results[5].accepted && results[5].error.contains("record 0"),
        "{:?}",
        results[5]
    );
    let submitted: Vec<String> = chain
        .submitted()
        .iter()
        .map(|(u, _)| u.domain.to_string())
        .collect();
    assert_eq!(submitted, ["alice.ghost", "bob.bc", "bob.bc"]);
}

#[tokio::test]
async fn oversized_batch_is_refused_whole() {
    let chain = FakeChain::mixed();
    let (_server, mut client) = start(&chain).await;
    let update = alice_update();
    let error = client
        .batch_update_domains(BatchDomainUpdate {
            updates: vec![update.clone(); 101],
        })
        .await
        .unwrap_err();
    assert_eq!(error.code(), Code::InvalidArgument);
    assert!(
        error.message().contains("oversized batch"),
        "{}",
        error.message()
    );
    assert!(chain.submitted().is_empty());
    let results = client
        .batch_update_domains(BatchDomainUpdate {
            updates: vec![update; 100],
        })
        .await
        .unwrap()
        .into_inner()
        .results;
    assert_eq!(results.len(), 100);
}

// ---- SubscribeDomainChanges ----

/// What a subscriber should see: (height, domain, change type) of every matching change in
/// block order.
type Seen = (u64, String, String);

fn expected(blocks: &[DomainChangesJson], from: u64, filter: &ChangeFilter) -> Vec<Seen> {
    blocks
        .iter()
        .filter(|b| b.block_height >= from)
        .flat_map(|b| {
            b.changes
                .iter()
                .filter(|c| filter.matches(c))
                .map(|c| (b.block_height, c.domain.to_string(), c.change_type.clone()))
        })
        .collect()
}

fn seen(event: &DomainChangeEvent) -> Seen {
    assert_eq!(event.block_hash, block_hash(event.block_height).0.to_vec());
    (
        event.block_height,
        event.domain.clone(),
        event.change_type.clone(),
    )
}

async fn subscribe(client: &mut Client, from: Option<u64>) -> Streaming<DomainChangeEvent> {
    client
        .subscribe_domain_changes(DomainSubscription {
            from_block_height: from,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
}

/// Reads `count` events.
async fn read(stream: &mut Streaming<DomainChangeEvent>, count: usize) -> Vec<DomainChangeEvent> {
    let mut events = Vec::with_capacity(count);
    while events.len() < count {
        let event = tokio::time::timeout(PATIENCE, stream.message())
            .await
            .expect("an event in time")
            .expect("no error")
            .expect("the stream goes on");
        events.push(event);
    }
    events
}

/// Reads until the stream ends with an error.
async fn read_to_error(
    stream: &mut Streaming<DomainChangeEvent>,
) -> (Vec<DomainChangeEvent>, Status) {
    let mut events = Vec::new();
    loop {
        match tokio::time::timeout(PATIENCE, stream.message())
            .await
            .expect("in time")
        {
            Ok(Some(event)) => events.push(event),
            Ok(None) => panic!("the stream ended without an error"),
            Err(status) => return (events, status),
        }
    }
}

#[tokio::test]
async fn subscription_from_zero_gets_every_change_once_in_order_then_live() {
    let chain = FakeChain::mixed();
    let (server, mut client) = start(&chain).await;
    let mut stream = subscribe(&mut client, Some(0)).await;
    let all = expected(&chain.blocks(), 0, &ChangeFilter::default());
    assert!(all.len() > 50, "{}", all.len());
    let events = read(&mut stream, all.len()).await;
    assert_eq!(events.iter().map(seen).collect::<Vec<_>>(), all);
    // The records and owner travel with the change.
    let update = events.iter().find(|e| e.domain == "alice.ghost").unwrap();
    assert_eq!(
        update.new_records,
        vec![proto_record("A", "@", "10.0.0.1", 300, 0)]
    );
    let transfer = events
        .iter()
        .find(|e| e.change_type == "transferred")
        .unwrap();
    assert_eq!(transfer.new_owner, Pair::dev("Bob").public().to_string());
    assert_eq!(server.metrics().active_streams.get(), 1);

    // Live blocks follow without a gap.
    for height in 50..55 {
        chain.push_block(fake_chain::mixed_changes(height));
    }
    let live = expected(&chain.blocks(), 50, &ChangeFilter::default());
    let events = read(&mut stream, live.len()).await;
    assert_eq!(events.iter().map(seen).collect::<Vec<_>>(), live);

    drop(stream);
    tokio::time::timeout(PATIENCE, async {
        while server.metrics().active_streams.get() != 0 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("the stream is released");
}

#[tokio::test]
async fn subscription_mid_way_starts_at_that_height() {
    let chain = FakeChain::mixed();
    let (_server, mut client) = start(&chain).await;
    let mut stream = subscribe(&mut client, Some(25)).await;
    let rest = expected(&chain.blocks(), 25, &ChangeFilter::default());
    let events = read(&mut stream, rest.len()).await;
    assert_eq!(events.iter().map(seen).collect::<Vec<_>>(), rest);
    assert_eq!(events[0].block_height, 25);
}

#[tokio::test]
async fn subscription_without_a_height_starts_after_the_head() {
    let chain = FakeChain::mixed();
    let (_server, mut client) = start(&chain).await;
    let mut stream = subscribe(&mut client, None).await;
    let height = chain.push_block(vec![change(
        "new.ghost",
        "created",
        Some(Pair::dev("Eve").public()),
        None,
    )]);
    let events = read(&mut stream, 1).await;
    assert_eq!(
        seen(&events[0]),
        (height, "new.ghost".into(), "created".into())
    );
    assert_eq!(height, 50);
}

#[tokio::test]
async fn subscription_resumes_after_a_disconnect_without_gap_or_duplicate() {
    let chain = FakeChain::mixed();
    let (_server, mut client) = start(&chain).await;
    let all = expected(&chain.blocks(), 0, &ChangeFilter::default());
    // Cut the first connection in the middle of a block with several changes.
    let cut = all
        .windows(2)
        .position(|w| w[0].0 == w[1].0 && w[0].0 > 20)
        .unwrap()
        + 1;
    let mut received: Vec<Seen> = {
        let mut stream = subscribe(&mut client, Some(0)).await;
        read(&mut stream, cut).await.iter().map(seen).collect()
    };
    // Resume from the last height seen, skipping the events of it already received.
    let last = received.last().unwrap().0;
    let have = received.iter().filter(|s| s.0 == last).count();
    let mut stream = subscribe(&mut client, Some(last)).await;
    let rest = read(&mut stream, all.len() - received.len() + have).await;
    received.extend(rest.iter().skip(have).map(seen));
    assert_eq!(received, all);
}

#[tokio::test]
async fn subscription_filters_by_domain_suffix_and_change_type() {
    let chain = FakeChain::mixed();
    let (_server, mut client) = start(&chain).await;
    // Each case states its rule in plain terms (independent of `ChangeFilter::matches`) and, where
    // easy, how many of `FakeChain::mixed`'s changes it selects (blocks 1..50, none at 7k).
    type Rule = fn(&str, &str) -> bool;
    /// Domains, suffixes, change types, the rule they mean, how many fixture changes pass.
    type Case = (
        Vec<&'static str>,
        Vec<&'static str>,
        Vec<&'static str>,
        Rule,
        Option<usize>,
    );
    let cases: [Case; 4] = [
        // alice.ghost is updated at every odd height: 25, less 7, 21, 35, 49.
        (
            vec!["Alice.Ghost"],
            vec![],
            vec![],
            |d, _| d == "alice.ghost",
            Some(21),
        ),
        (vec![], vec!["bc"], vec![], |d, _| d.ends_with(".bc"), None),
        // shop.alice.ghost is created at heights 2 mod 4: 12, less 14 and 42.
        (
            vec![],
            vec![".alice.ghost"],
            vec!["created"],
            |d, t| (d == "alice.ghost" || d.ends_with(".alice.ghost")) && t == "created",
            Some(10),
        ),
        (
            vec!["bob.bc"],
            vec!["ghost"],
            vec!["transferred", "expired"],
            |d, t| {
                (d == "bob.bc" || d.ends_with(".ghost")) && (t == "transferred" || t == "expired")
            },
            None,
        ),
    ];
    for (domains, suffixes, types, rule, count) in cases {
        let subscription = DomainSubscription {
            domains: domains.iter().map(|s| s.to_string()).collect(),
            suffixes: suffixes.iter().map(|s| s.to_string()).collect(),
            change_types: types.iter().map(|s| s.to_string()).collect(),
            from_block_height: Some(0),
            finalized_only: false,
            from_block_hash: None,
        };
        let wanted: Vec<Seen> = expected(&chain.blocks(), 0, &ChangeFilter::default())
            .into_iter()
            .filter(|(_, domain, change_type)| rule(domain, change_type))
            .collect();
        assert!(!wanted.is_empty(), "{subscription:?}");
        if let Some(count) = count {
            // Earlier cases' marker blocks (height 50 on) come on top.
            let in_mixed = wanted.iter().filter(|(height, ..)| *height < 50).count();
            assert_eq!(in_mixed, count, "{subscription:?}");
        }
        let mut stream = client
            .subscribe_domain_changes(subscription)
            .await
            .unwrap()
            .into_inner();
        let events = read(&mut stream, wanted.len()).await;
        assert_eq!(events.iter().map(seen).collect::<Vec<_>>(), wanted);
        // Nothing else was queued.
        let marker = chain.push_block(vec![
            change("alice.ghost", "transferred", None, None),
            change("bob.bc", "created", None, None),
            change("shop.alice.ghost", "created", None, None),
            change("x.ghost", "expired", None, None),
        ]);
        let next = read(&mut stream, 1).await;
        assert_eq!(next[0].block_height, marker, "{:?}", next[0]);
    }
    let error = client
        .subscribe_domain_changes(DomainSubscription {
            change_types: vec!["renamed".into()],
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(error.code(), Code::InvalidArgument);
}

/// Block `height` of a chain whose events are large (four 250-byte TXT records each).
fn heavy_changes(height: u64) -> Vec<ghost_rpc::DomainChangeJson> {
    if height == 0 {
        return vec![];
    }
    let text = "x".repeat(250);
    (0..5)
        .map(|i| {
            let records = (0..4)
                .map(|r| record(&format!("r{r}"), 60, &format!("TXT={text}")))
                .collect();
            change(
                &format!("h{height}-{i}.ghost"),
                "updated",
                None,
                Some(records),
            )
        })
        .collect()
}

#[tokio::test]
async fn slow_consumer_gets_resource_exhausted_and_resumes_without_gap_or_duplicate() {
    let chain = FakeChain::new(800, heavy_changes);
    let config = GrpcConfig {
        stream_buffer: 16,
        slow_consumer_grace: Duration::from_millis(500),
        ..test_config()
    };
    let (server, _) = start_with(&chain, config).await;
    // A client with small HTTP/2 windows, so a stalled reader backs up to the server quickly.
    let channel = Endpoint::from_shared(format!("http://{}", server.local_addr()))
        .unwrap()
        .initial_stream_window_size(65_535)
        .initial_connection_window_size(65_535)
        .connect()
        .await
        .unwrap();
    let mut client = GhostDnsServiceClient::new(channel);
    let all = expected(&chain.blocks(), 0, &ChangeFilter::default());

    let mut stream = subscribe(&mut client, Some(0)).await;
    let mut received: Vec<Seen> = read(&mut stream, 1).await.iter().map(seen).collect();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let (events, status) = read_to_error(&mut stream).await;
    received.extend(events.iter().map(seen));
    assert_eq!(status.code(), Code::ResourceExhausted, "{status:?}");
    let resume: u64 = status
        .metadata()
        .get(RESUME_HEIGHT_METADATA)
        .expect("the resume height trailer")
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(
        status.message(),
        format!("slow consumer; resume from height {resume}")
    );
    assert!(
        received.len() < all.len(),
        "the stall must end the stream early"
    );
    assert_eq!(received, all[..received.len()]);
    assert!(received.iter().all(|s| s.0 < resume));
    assert_eq!(
        all[received.len()].0,
        resume,
        "nothing of the resume height was sent"
    );
    assert_eq!(server.metrics().slow_consumers.get(), 1);

    // Resume; on a loaded machine the reader may stall again, so resume as often as told.
    let mut resume = resume;
    while received.len() < all.len() {
        let mut stream = subscribe(&mut client, Some(resume)).await;
        loop {
            match tokio::time::timeout(PATIENCE, stream.message())
                .await
                .expect("in time")
            {
                Ok(Some(event)) => {
                    received.push(seen(&event));
                    if received.len() == all.len() {
                        break;
                    }
                }
                Ok(None) => panic!("the stream ended without an error"),
                Err(status) => {
                    assert_eq!(status.code(), Code::ResourceExhausted, "{status:?}");
                    resume = all[received.len()].0;
                    assert!(
                        status.message().ends_with(&format!("height {resume}")),
                        "{status:?}"
                    );
                    break;
                }
            }
        }
    }
    assert_eq!(received, all);
}

#[tokio::test]
async fn stopping_the_server_ends_open_subscriptions_with_their_resume_height() {
    let chain = FakeChain::mixed();
    let (server, mut client) = start(&chain).await;
    let mut stream = subscribe(&mut client, Some(0)).await;
    let all = expected(&chain.blocks(), 0, &ChangeFilter::default());
    read(&mut stream, all.len()).await;
    tokio::time::timeout(PATIENCE, server.stop())
        .await
        .expect("stops in time");
    let (events, status) = read_to_error(&mut stream).await;
    assert!(events.is_empty());
    assert_eq!(status.code(), Code::Unavailable, "{status:?}");
    assert!(
        status.message().contains("resume from height 50"),
        "{status:?}"
    );
}

#[tokio::test]
async fn a_retracted_block_comes_back_as_reverted_events_and_moves_the_resume_point_back() {
    let chain = FakeChain::mixed();
    let (server, mut client) = start(&chain).await;
    let mut stream = subscribe(&mut client, Some(0)).await;
    let all = expected(&chain.blocks(), 0, &ChangeFilter::default());
    let events = read(&mut stream, all.len()).await;
    // Each event carries its index within its block.
    let block_45: Vec<u32> = events
        .iter()
        .filter(|e| e.block_height == 45)
        .map(|e| e.index)
        .collect();
    assert_eq!(block_45, [0, 1, 2]);

    let alice = chain.resolution_of("alice.ghost");
    chain.retract_head(vec![ghost_rpc::DomainChangeJson {
        state: Some(alice.clone()),
        new_records: Some(alice.records.clone()),
        ..change("alice.ghost", "reverted", Some(alice.owner), None)
    }]);
    let revert = read(&mut stream, 1).await.remove(0);
    assert_eq!(seen(&revert), (49, "alice.ghost".into(), "reverted".into()));
    assert_eq!(revert.parent_hash, block_hash(48).0.to_vec());
    assert_eq!(revert.index, 0);
    let state = revert.state.expect("the state at the fork point");
    assert_eq!(state.owner, alice.owner.to_string());
    assert_eq!(state.records.len(), alice.records.len());
    assert_eq!(state.status, "active");

    // Everything up to the reverted block's parent is what the client has now.
    tokio::time::timeout(PATIENCE, server.stop())
        .await
        .expect("stops in time");
    let (_, status) = read_to_error(&mut stream).await;
    assert!(
        status.message().contains("resume from height 49"),
        "{status:?}"
    );
    assert_eq!(
        status
            .metadata()
            .get(RESUME_HASH_METADATA)
            .expect("the resume hash trailer")
            .to_str()
            .unwrap(),
        block_hash(48).to_string()
    );
}

#[tokio::test]
async fn a_resume_point_must_be_the_block_before_the_height() {
    let chain = FakeChain::mixed();
    let (_server, mut client) = start(&chain).await;
    let refuse = |from_block_height, from_block_hash| DomainSubscription {
        from_block_height,
        from_block_hash,
        ..Default::default()
    };
    // The block at 19 is known: resuming after it at 20 works and starts at 20.
    let mut stream = client
        .subscribe_domain_changes(refuse(Some(20), Some(block_hash(19).0.to_vec())))
        .await
        .unwrap()
        .into_inner();
    let rest = expected(&chain.blocks(), 20, &ChangeFilter::default());
    let events = read(&mut stream, rest.len()).await;
    assert_eq!(events.iter().map(seen).collect::<Vec<_>>(), rest);
    for (request, code) in [
        // Not the block at 19.
        (
            refuse(Some(20), Some(block_hash(7).0.to_vec())),
            Code::FailedPrecondition,
        ),
        // Not a hash.
        (refuse(Some(20), Some(vec![1, 2, 3])), Code::InvalidArgument),
        // A hash without the height after it.
        (
            refuse(None, Some(block_hash(19).0.to_vec())),
            Code::FailedPrecondition,
        ),
    ] {
        let status = client.subscribe_domain_changes(request).await.unwrap_err();
        assert_eq!(status.code(), code, "{status:?}");
    }
}

#[tokio::test]
async fn streams_past_the_cap_are_refused_until_one_closes() {
    let chain = FakeChain::mixed();
    let config = GrpcConfig {
        max_streams: 1,
        ..test_config()
    };
    let (server, mut client) = start_with(&chain, config).await;
    let mut first = subscribe(&mut client, Some(49)).await;
    let status = client
        .subscribe_domain_changes(DomainSubscription::default())
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::ResourceExhausted, "{status:?}");
    assert!(status.message().contains("at most 1"), "{status:?}");
    // The open stream is unaffected.
    chain.push_block(vec![change("new.ghost", "created", None, None)]);
    assert_eq!(read(&mut first, 1).await[0].domain, "new.ghost");
    // Once it closes, its slot is free again.
    drop(first);
    tokio::time::timeout(PATIENCE, async {
        while server.metrics().active_streams.get() != 0 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("the stream is released");
    assert!(
        client
            .subscribe_domain_changes(DomainSubscription::default())
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn a_waited_update_is_answered_once_the_index_has_its_block() {
    let chain = FakeChain::mixed();
    let names = NameIndex::new();
    ghost_bridge::index::load(chain.as_ref(), &names, false)
        .await
        .unwrap();
    let config = GrpcConfig {
        index_catch_up: PATIENCE,
        ..test_config()
    };
    let handle = serve(chain.clone(), names.clone(), config).await.unwrap();
    let mut client = GhostDnsServiceClient::new(channel(&handle).await);
    let mut update = alice_update();
    update.wait = true;
    let answer = tokio::spawn(async move { client.update_contract_domain(update).await });
    // The chain includes it at 50 (the fake's next block); the index is still at 49.
    while chain.log() != ["submit", "include"] {
        tokio::task::yield_now().await;
    }
    assert!(!answer.is_finished());
    names.apply_block(
        &[],
        ghost_bridge::BlockRef {
            height: 50,
            hash: block_hash(50),
        },
    );
    let response = tokio::time::timeout(PATIENCE, answer)
        .await
        .expect("answered once the index has the block")
        .unwrap()
        .unwrap()
        .into_inner();
    assert!(response.accepted, "{response:?}");
    assert_eq!(response.block_height, 50);
}

// ---- health, reflection, metrics ----

#[tokio::test]
async fn health_reports_serving() {
    use tonic_health::pb::HealthCheckRequest;
    use tonic_health::pb::health_check_response::ServingStatus;
    use tonic_health::pb::health_client::HealthClient;
    let chain = FakeChain::mixed();
    let (server, _) = start(&chain).await;
    let mut health = HealthClient::new(channel(&server).await);
    for service in ["", SERVICE_NAME] {
        let response = health
            .check(HealthCheckRequest {
                service: service.into(),
            })
            .await
            .unwrap()
            .into_inner();
        assert_eq!(
            response.status,
            ServingStatus::Serving as i32,
            "{service:?}"
        );
    }
    let error = health
        .check(HealthCheckRequest {
            service: "nope.Service".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(error.code(), Code::NotFound);
}

#[tokio::test]
async fn reflection_lists_and_describes_the_service() {
    use tonic_reflection::pb::v1::server_reflection_client::ServerReflectionClient;
    use tonic_reflection::pb::v1::server_reflection_request::MessageRequest;
    use tonic_reflection::pb::v1::server_reflection_response::MessageResponse;
    use tonic_reflection::pb::v1::{ServerReflectionRequest, ServerReflectionResponse};
    let chain = FakeChain::mixed();
    let (server, _) = start(&chain).await;
    let mut reflection = ServerReflectionClient::new(channel(&server).await);
    let requests = [
        MessageRequest::ListServices(String::new()),
        MessageRequest::FileContainingSymbol(SERVICE_NAME.into()),
    ]
    .map(|request| ServerReflectionRequest {
        host: String::new(),
        message_request: Some(request),
    });
    let responses: Vec<ServerReflectionResponse> = reflection
        .server_reflection_info(tokio_stream::iter(requests))
        .await
        .unwrap()
        .into_inner()
        .map(|r| r.unwrap())
        .collect()
        .await;
    let Some(MessageResponse::ListServicesResponse(list)) = &responses[0].message_response else {
        panic!("{:?}", responses[0]);
    };
    let names: Vec<&str> = list.service.iter().map(|s| s.name.as_str()).collect();
    assert!(names.contains(&SERVICE_NAME), "{names:?}");
    assert!(names.contains(&"grpc.health.v1.Health"), "{names:?}");
    let Some(MessageResponse::FileDescriptorResponse(files)) = &responses[1].message_response
    else {
        panic!("{:?}", responses[1]);
    };
    let file: prost_types_lite::FileName =
        prost::Message::decode(files.file_descriptor_proto[0].as_slice()).unwrap();
    assert_eq!(file.name, "ghostdns.proto");
}

/// Just the `name` field of a `FileDescriptorProto`.
mod prost_types_lite {
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct FileName {
        #[prost(string, tag = "1")]
        pub name: String,
    }
}

#[tokio::test]
async fn metrics_are_registered_in_the_given_registry() {
    let registry = Arc::new(parking_lot::Mutex::new(
        prometheus_client::registry::Registry::default(),
    ));
    let chain = FakeChain::mixed();
    let config = GrpcConfig {
        registry: Some(registry.clone()),
        ..test_config()
    };
    let (_server, mut client) = start_with(&chain, config).await;
    client.update_contract_domain(alice_update()).await.unwrap();
    let _stream = subscribe(&mut client, None).await;
    let mut text = String::new();
    prometheus_client::encoding::text::encode(&mut text, &registry.lock()).unwrap();
    assert!(
        text.contains("ghostbridge_grpc_update_requests_total{result=\"accepted\"} 1"),
        "{text}"
    );
    assert!(text.contains("ghostbridge_grpc_active_streams 1"), "{text}");
    assert!(
        text.contains("ghostbridge_grpc_slow_consumers_total 0"),
        "{text}"
    );
}

// ---- the canonical payload, shared with the Python client ----

fn fixture_path() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/python/fixtures/signing_payload.json")
}

/// The committed payload vector is what this crate signs over; the Python client checks its own
/// encoder against the same file.
#[test]
fn payload_fixture_matches_python() {
    let fixture: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixture_path()).unwrap()).unwrap();
    let text = |key: &str| fixture[key].as_str().unwrap().to_string();
    let records = fixture["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| ProtoRecord {
            r#type: r["type"].as_str().unwrap().into(),
            name: r["name"].as_str().unwrap().into(),
            value: r["value"].as_str().unwrap().into(),
            ttl: r["ttl"].as_u64().unwrap() as u32,
            priority: r["priority"].as_u64().unwrap() as u32,
        })
        .collect();
    let signer = Pair::from_suri(&text("signer_suri")).unwrap();
    let message = ContractDomainUpdate {
        domain: text("domain"),
        contract_id: text("contract_id"),
        records,
        owner_address: signer.public().to_string(),
        timestamp: fixture["timestamp"].as_u64().unwrap(),
        signature: vec![0; 64],
        wait: false,
        sequence: fixture["sequence"].as_u64().unwrap(),
    };
    let genesis: ghost_primitives::Hash = text("genesis_hash").parse().unwrap();
    let payload = convert::update_from_proto(&message)
        .unwrap()
        .signing_payload(&genesis);
    let actual = serde_json::json!({
        "signer_seed": ghost_primitives::bytes::encode_hex(&signer.seed()),
        "owner_address": signer.public().to_string(),
        "payload": ghost_primitives::bytes::encode_hex(&payload),
        "signature": ghost_primitives::bytes::encode_hex(&signer.sign(&payload).0),
    });
    for key in ["signer_seed", "owner_address", "payload", "signature"] {
        assert_eq!(
            fixture[key], actual[key],
            "{key} differs; this crate computes:\n{actual:#}"
        );
    }
}

/// Runs the Python client (`tests/python`) against this server over the fake chain. Needs
/// `pip install -r tests/python/requirements.txt`.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Python with tests/python/requirements.txt installed"]
async fn python_client() {
    let chain = FakeChain::mixed();
    let (server, _) = start(&chain).await;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let seed = ghost_primitives::bytes::encode_hex(&Pair::dev("Alice").seed());
    let address = server.local_addr().to_string();
    let status = tokio::task::spawn_blocking(move || {
        std::process::Command::new("python3")
            .args(["-m", "pytest", "-v", "tests/python"])
            .current_dir(&root)
            .env("GHOSTBRIDGE_GRPC", address)
            .env("GHOST_TEST_SEED", seed)
            .env("GHOST_TEST_DOMAIN", "alice.ghost")
            .status()
    })
    .await
    .unwrap()
    .expect("python3 runs");
    assert!(status.success(), "the Python client tests failed: {status}");
    assert!(!chain.submitted().is_empty());
}

#[tokio::test]
async fn batch_submits_every_update_before_waiting_for_any() {
    let chain = chain_with_alice_at_sequence(5);
    let (_server, mut client) = start(&chain).await;
    let updates = (5..8)
        .map(|sequence| {
            let mut update = alice_update_at(sequence);
            update.wait = true;
            update
        })
        .collect();
    let results = client
        .batch_update_domains(BatchDomainUpdate { updates })
        .await
        .unwrap()
        .into_inner()
        .results;
    assert!(
        results.iter().all(|r| r.accepted && r.block_height > 0),
        "{results:?}"
    );
    assert_eq!(
        chain.log(),
        [
            "submit", "submit", "submit", "include", "include", "include"
        ]
    );
    let sent: Vec<u64> = chain.submitted().iter().map(|(u, _)| u.sequence).collect();
    assert_eq!(sent, [5, 6, 7], "in request order");
}

// ---- rate limits ----

/// The relayer pays for what it relays: past the per-name budget an update of that name is
/// refused with `RESOURCE_EXHAUSTED` before it is submitted, while other names go on; past the
/// per-client budget every update from that client is refused, batched ones per item.
#[tokio::test]
async fn updates_are_rate_limited_per_name_and_per_client() {
    use ghost_bridge::grpc::rate::Rate;
    let chain = FakeChain::mixed();
    let config = GrpcConfig {
        updates_per_name: Rate {
            burst: 2,
            per_second: 0.0,
        },
        ..test_config()
    };
    let (server, mut client) = start_with(&chain, config).await;
    for _ in 0..2 {
        let response = client
            .update_contract_domain(alice_update())
            .await
            .unwrap()
            .into_inner();
        assert!(response.accepted, "{response:?}");
    }
    let error = client
        .update_contract_domain(alice_update())
        .await
        .unwrap_err();
    assert_eq!(error.code(), Code::ResourceExhausted, "{error:?}");
    assert!(
        error
            .message()
            .contains("rate limited: too many updates of name alice.ghost"),
        "{}",
        error.message()
    );
    assert_eq!(
        chain.submitted().len(),
        2,
        "the refused one was never relayed"
    );
    assert_eq!(server.metrics().updates("resource_exhausted"), 1);
    drop(server);

    let chain = FakeChain::mixed();
    let config = GrpcConfig {
        updates_per_client: Rate {
            burst: 1,
            per_second: 0.0,
        },
        ..test_config()
    };
    let (_server, mut client) = start_with(&chain, config).await;
    client.update_contract_domain(alice_update()).await.unwrap();
    let error = client
        .update_contract_domain(alice_update())
        .await
        .unwrap_err();
    assert_eq!(error.code(), Code::ResourceExhausted);
    assert!(
        error.message().contains("from client 127.0.0.1"),
        "{}",
        error.message()
    );
    let results = client
        .batch_update_domains(BatchDomainUpdate {
            updates: vec![alice_update(), alice_update()],
        })
        .await
        .unwrap()
        .into_inner()
        .results;
    assert!(
        results
            .iter()
            .all(|r| !r.accepted && r.error.contains("rate limited")),
        "{results:?}"
    );
}
