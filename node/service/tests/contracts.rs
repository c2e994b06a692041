//! Contracts over JSON-RPC on an in-process dev node: upload a WAT counter, instantiate it, call
//! it with signed extrinsics, read it back with `contracts_call` dry runs and
//! `contracts_getStorage`, check that a call which runs out of fuel fails, pays its fee and
//! leaves block production alone, and that a `contracts_instantiate` dry run predicts the address
//! and outcome of an instantiation without writing anything.

mod common;

use common::*;
use std::time::Duration;

use ghost_client::Client;
use ghost_primitives::bytes::encode_hex;
use ghost_primitives::{AccountId, Bytes, Hash, Header, Pair, blake3_256};
use ghost_rpc::{
    AccountApiClient, ChainApiClient, ContractsApiClient, PaymentApiClient, error_codes,
};
use ghost_runtime::GHOST;
use ghost_runtime::contracts::{Call as ContractsCall, contract_address, selector};
use ghost_service::rpc::MAX_DRY_RUN_FUEL;
use ghost_service::{NodeConfig, NodeHandle, Sealing};
use jsonrpsee::core::client::{ClientT, Subscription};
use jsonrpsee::rpc_params;
use parity_scale_codec::Encode;

/// Fuel for the counter's calls (it burns well under a million).
const FUEL: u64 = 10_000_000;
/// Fuel for the looping contract: a few milliseconds of interpretation.
const LOOP_FUEL: u64 = 2_000_000;

/// The counter of the pallet's tests: `deploy(u64 initial)`, `increment(u64 by) -> u64`
/// (stores the count under `count`, emits `ContractEmitted { topics: [TOPIC], data: new }`),
/// `get() -> u64`; anything else reverts.
fn counter_wat() -> String {
    let sel = |m: &str| i32::from_le_bytes(selector(m));
    format!(
        r#"(module
  (import "ghost" "input" (func $input (param i32 i32) (result i32)))
  (import "ghost" "storage_get" (func $get (param i32 i32 i32 i32) (result i32)))
  (import "ghost" "storage_set" (func $set (param i32 i32 i32 i32) (result i32)))
  (import "ghost" "emit_event" (func $emit (param i32 i32 i32 i32)))
  (import "ghost" "return_data" (func $ret (param i32 i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "count")
  (data (i32.const 128) "counter.incremented.............")
  ;; call data into [64, 96); returns its length (or 0 if it does not fit)
  (func $read_input (result i32)
    (i32.store (i32.const 32) (i32.const 32))
    (if (call $input (i32.const 64) (i32.const 32)) (then (return (i32.const 0))))
    (i32.load (i32.const 32)))
  ;; the count into [48, 56), 0 when unset
  (func $load
    (i32.store (i32.const 40) (i32.const 8))
    (if (call $get (i32.const 0) (i32.const 5) (i32.const 48) (i32.const 40))
      (then (i64.store (i32.const 48) (i64.const 0)))))
  (func $store
    (if (call $set (i32.const 0) (i32.const 5) (i32.const 48) (i32.const 8)) (then unreachable)))
  (func $revert (call $ret (i32.const 1) (i32.const 0) (i32.const 0)))
  (func (export "deploy")
    (if (i32.ne (call $read_input) (i32.const 8)) (then unreachable))
    (i64.store (i32.const 48) (i64.load (i32.const 64)))
    (call $store))
  (func (export "call")
    (local $len i32)
    (local.set $len (call $read_input))
    (if (i32.lt_u (local.get $len) (i32.const 4)) (then (call $revert)))
    (call $load)
    (if (i32.eq (i32.load (i32.const 64)) (i32.const {increment}))
      (then
        (if (i32.ne (local.get $len) (i32.const 12)) (then (call $revert)))
        (i64.store (i32.const 48) (i64.add (i64.load (i32.const 48)) (i64.load (i32.const 68))))
        (call $store)
        (call $emit (i32.const 128) (i32.const 32) (i32.const 48) (i32.const 8))
        (call $ret (i32.const 0) (i32.const 48) (i32.const 8))))
    (if (i32.eq (i32.load (i32.const 64)) (i32.const {get}))
      (then (call $ret (i32.const 0) (i32.const 48) (i32.const 8))))
    (call $revert)))"#,
        increment = sel("increment"),
        get = sel("get"),
    )
}

/// The counter's event topic.
const TOPIC: &[u8; 32] = b"counter.incremented.............";

/// Stores a key, then loops forever (from the pallet's tests).
const LOOP_WAT: &str = r#"(module
  (import "ghost" "storage_set" (func $set (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "key")
  (func (export "deploy"))
  (func (export "call")
    (drop (call $set (i32.const 0) (i32.const 3) (i32.const 0) (i32.const 3)))
    (loop $forever (br $forever))))"#;

/// A contract whose `deploy` writes the debug message `why not` and reverts with output `nope`.
const REVERTING_DEPLOY_WAT: &str = r#"(module
  (import "ghost" "return_data" (func $ret (param i32 i32 i32)))
  (import "ghost" "debug_message" (func $dbg (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "nope")
  (data (i32.const 16) "why not")
  (func (export "deploy")
    (drop (call $dbg (i32.const 16) (i32.const 7)))
    (call $ret (i32.const 1) (i32.const 0) (i32.const 4)))
  (func (export "call")))"#;

/// Call data: selector ++ SCALE(args).
fn call_data(method: &str, args: impl Encode) -> Bytes {
    let mut data = selector(method).to_vec();
    args.encode_to(&mut data);
    Bytes(data)
}

/// A dev node sealing every 100 ms, with RPC on a free loopback port and no bridge.
async fn node() -> NodeHandle {
    let config = NodeConfig {
        sealing: Sealing::Interval(Duration::from_millis(100)),
        ..test_config(None)
    };
    ghost_service::start(config).await.unwrap()
}

/// Uploads `code` and instantiates it with `data` and 1 GHOST (its storage deposit); returns the
/// code hash and the contract's address.
async fn deploy(
    client: &Client,
    alice: &mut Signer,
    code: Vec<u8>,
    data: Vec<u8>,
    salt: &[u8],
) -> (Hash, AccountId) {
    let code_hash = blake3_256(&code);
    let code_len = code.len() as u32;
    alice
        .submit_ok(client, ContractsCall::UploadCode { code })
        .await;
    let info = ContractsApiClient::code_info(client, code_hash, None)
        .await
        .unwrap()
        .expect("code stored");
    assert_eq!(
        (info.owner, info.code_len, info.refcount),
        (alice.account(), code_len, 0)
    );
    assert!(info.deposit > 0);

    alice
        .submit_ok(
            client,
            ContractsCall::Instantiate {
                code_hash,
                value: GHOST,
                fuel_limit: FUEL,
                storage_deposit_limit: None,
                data,
                salt: salt.to_vec(),
            },
        )
        .await;
    let address = contract_address(&alice.account(), &code_hash, salt);
    let contract = ContractsApiClient::contract_info(client, address.to_string(), None)
        .await
        .unwrap()
        .expect("contract at the computed address");
    assert_eq!(
        (contract.code_hash, contract.deployer),
        (code_hash, alice.account())
    );
    (code_hash, address)
}

async fn count(client: &Client, contract: AccountId, at: Option<Hash>) -> Option<u64> {
    ContractsApiClient::contract_storage(client, contract.to_string(), Bytes(b"count".to_vec()), at)
        .await
        .unwrap()
        .map(|value| u64::from_le_bytes(value.0.try_into().expect("8 bytes")))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn counter_is_deployed_called_and_queried_over_rpc() {
    let node = node().await;
    let client = connect(&node).await;
    let mut alice = Signer::new(&client, "Alice").await;
    let code = wat::parse_str(counter_wat()).unwrap();
    let (code_hash, counter) = deploy(&client, &mut alice, code, 5u64.encode(), b"one").await;
    assert_eq!(count(&client, counter, None).await, Some(5));
    let info = ContractsApiClient::code_info(&client, code_hash, None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(info.refcount, 1);

    // A signed call writes storage.
    let included = alice
        .submit_ok(
            &client,
            ContractsCall::Call {
                dest: counter,
                value: 0,
                fuel_limit: FUEL,
                storage_deposit_limit: None,
                data: call_data("increment", 3u64).0,
            },
        )
        .await;
    assert_eq!(count(&client, counter, None).await, Some(8));

    // `contracts_events`: the increment's event, by topic and block range.
    let to = included.block_number;
    let events = ContractsApiClient::contract_events(
        &client,
        counter.to_string(),
        Some(Hash(*TOPIC)),
        0,
        to,
    )
    .await
    .unwrap();
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(
        (events[0].block_number, events[0].block_hash),
        (to, included.block_hash)
    );
    assert_eq!(events[0].topics, vec![Hash(*TOPIC)]);
    assert_eq!(events[0].data, Bytes(8u64.encode()));
    let other_topic = ContractsApiClient::contract_events(
        &client,
        counter.to_string(),
        Some(Hash([9; 32])),
        0,
        to,
    )
    .await
    .unwrap();
    assert!(other_topic.is_empty());
    let before = ContractsApiClient::contract_events(&client, counter.to_string(), None, 0, to - 1)
        .await
        .unwrap();
    assert!(before.is_empty(), "nothing before the call: {before:?}");
    for (from, to) in [(5, 4), (0, ghost_rpc::MAX_CONTRACT_EVENT_BLOCKS)] {
        let refused =
            ContractsApiClient::contract_events(&client, counter.to_string(), None, from, to)
                .await
                .unwrap_err();
        assert_eq!(rpc_code(refused), error_codes::INVALID_PARAMS);
    }

    let parent = ChainApiClient::header(&client, Some(included.block_hash))
        .await
        .unwrap()
        .unwrap()
        .parent_hash;
    assert_eq!(
        count(&client, counter, Some(parent)).await,
        Some(5),
        "the state of `at`"
    );

    // Dry runs return the output and events, and write nothing.
    let origin = alice.account().to_string();
    let get = ContractsApiClient::dry_run_call(
        &client,
        origin.clone(),
        counter.to_string(),
        0,
        FUEL,
        call_data("get", ()),
        None,
    )
    .await
    .unwrap();
    assert_eq!(get.result, "ok");
    assert_eq!(get.output, Bytes(8u64.encode()));
    assert!(!get.reverted && get.error.is_none());
    assert!(get.fuel_consumed > 0 && get.fuel_consumed < FUEL);

    let increment = ContractsApiClient::dry_run_call(
        &client,
        origin.clone(),
        counter.to_string(),
        0,
        FUEL,
        call_data("increment", 2u64),
        None,
    )
    .await
    .unwrap();
    assert_eq!(increment.result, "ok");
    assert_eq!(increment.output, Bytes(10u64.encode()));
    let emitted = increment
        .events
        .iter()
        .find(|e| e.pallet == "Contracts" && e.name == "ContractEmitted")
        .expect("the counter's event");
    assert_eq!(emitted.fields["contract"], counter.to_string());
    assert_eq!(emitted.fields["topics"][0], Hash(*TOPIC).to_string());
    assert_eq!(emitted.fields["data"], encode_hex(&10u64.encode()));
    assert!(
        increment
            .events
            .iter()
            .any(|e| e.name == "Called" && e.fields["caller"] == origin.as_str()),
        "{:?}",
        increment.events
    );
    assert_eq!(
        count(&client, counter, None).await,
        Some(8),
        "a dry run writes nothing"
    );

    // An unknown selector reverts: no events, the revert is the result.
    let unknown = ContractsApiClient::dry_run_call(
        &client,
        origin.clone(),
        counter.to_string(),
        0,
        FUEL,
        call_data("nope", ()),
        None,
    )
    .await
    .unwrap();
    assert_eq!(unknown.result, "revert");
    assert!(unknown.reverted);
    assert_eq!(unknown.error.as_deref(), Some("Contracts.ContractReverted"));
    assert!(unknown.events.is_empty());

    // Reads of what does not exist are null; a dry run of a non-contract is an error result.
    let missing = ContractsApiClient::contract_storage(
        &client,
        counter.to_string(),
        Bytes(b"other".to_vec()),
        None,
    )
    .await
    .unwrap();
    assert_eq!(missing, None);
    let nobody = Pair::dev("Nobody").public().to_string();
    assert_eq!(
        ContractsApiClient::contract_info(&client, nobody.clone(), None)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        ContractsApiClient::code_info(&client, Hash([9; 32]), None)
            .await
            .unwrap(),
        None
    );
    let not_a_contract = ContractsApiClient::dry_run_call(
        &client,
        origin.clone(),
        nobody,
        0,
        FUEL,
        call_data("get", ()),
        None,
    )
    .await
    .unwrap();
    assert_eq!(not_a_contract.result, "error");
    assert_eq!(
        not_a_contract.error.as_deref(),
        Some("Contracts.ContractNotFound")
    );

    // Bad input is INVALID_PARAMS; an unknown block is UNKNOWN_BLOCK.
    let bad_address = ContractsApiClient::contract_info(&client, "ghost1nope".into(), None)
        .await
        .unwrap_err();
    assert_eq!(rpc_code(bad_address), error_codes::INVALID_PARAMS);
    let bad_origin = ContractsApiClient::dry_run_call(
        &client,
        "0x1234".into(),
        counter.to_string(),
        0,
        FUEL,
        call_data("get", ()),
        None,
    )
    .await
    .unwrap_err();
    assert_eq!(rpc_code(bad_origin), error_codes::INVALID_PARAMS);
    let bad_hex: Result<serde_json::Value, _> = client
        .request(
            "contracts_getStorage",
            rpc_params![counter.to_string(), "0xzz"],
        )
        .await;
    assert_eq!(rpc_code(bad_hex.unwrap_err()), error_codes::INVALID_PARAMS);
    let bad_hash: Result<serde_json::Value, _> = client
        .request("contracts_codeInfo", rpc_params!["0x12"])
        .await;
    assert_eq!(rpc_code(bad_hash.unwrap_err()), error_codes::INVALID_PARAMS);
    let unknown_block = ContractsApiClient::dry_run_call(
        &client,
        origin,
        counter.to_string(),
        0,
        FUEL,
        call_data("get", ()),
        Some(Hash([7; 32])),
    )
    .await
    .unwrap_err();
    assert_eq!(rpc_code(unknown_block), error_codes::UNKNOWN_BLOCK);
    let unknown_block = ContractsApiClient::contract_storage(
        &client,
        counter.to_string(),
        Bytes(vec![]),
        Some(Hash([7; 32])),
    )
    .await
    .unwrap_err();
    assert_eq!(rpc_code(unknown_block), error_codes::UNKNOWN_BLOCK);
    node.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_that_runs_out_of_fuel_fails_pays_its_fee_and_the_chain_goes_on() {
    let node = node().await;
    let client = connect(&node).await;
    let mut alice = Signer::new(&client, "Alice").await;
    let (_, looping) = deploy(
        &client,
        &mut alice,
        wat::parse_str(LOOP_WAT).unwrap(),
        vec![],
        b"",
    )
    .await;
    let counter_code = wat::parse_str(counter_wat()).unwrap();
    let (_, counter) = deploy(&client, &mut alice, counter_code, 0u64.encode(), b"").await;

    // The dry run already says what will happen.
    let dry = ContractsApiClient::dry_run_call(
        &client,
        alice.account().to_string(),
        looping.to_string(),
        0,
        LOOP_FUEL,
        Bytes(vec![]),
        None,
    )
    .await
    .unwrap();
    assert_eq!(dry.result, "error");
    assert!(!dry.reverted);
    assert_eq!(
        dry.error.as_deref(),
        Some("Contracts.OutOfFuel: out of fuel")
    );
    assert_eq!(dry.fuel_consumed, LOOP_FUEL);

    let xt = alice.sign(ContractsCall::Call {
        dest: looping,
        value: 0,
        fuel_limit: LOOP_FUEL,
        storage_deposit_limit: None,
        data: vec![],
    });
    let fee = PaymentApiClient::query_info(&client, Bytes(xt.encode()), None)
        .await
        .unwrap()
        .partial_fee;
    assert!(fee > 0);
    let mut heads: Subscription<Header> =
        ChainApiClient::subscribe_new_heads(&client).await.unwrap();
    let included = alice.submit_signed(&client, &xt).await;
    assert!(!included.success, "running out of fuel fails the call");
    assert!(
        included
            .error
            .as_deref()
            .is_some_and(|e| e.contains("OutOfFuel")),
        "{:?}",
        included.error
    );

    // The fee was paid, and nothing else moved: the write before the loop was reverted.
    let alice_at = |at: Hash| {
        let client = &client;
        let who = alice.account().to_string();
        async move { AccountApiClient::info(client, who, Some(at)).await.unwrap() }
    };
    let parent = ChainApiClient::header(&client, Some(included.block_hash))
        .await
        .unwrap()
        .unwrap()
        .parent_hash;
    let (before, after) = (alice_at(parent).await, alice_at(included.block_hash).await);
    assert_eq!(before.free - after.free, fee);
    assert_eq!(before.reserved, after.reserved);
    assert_eq!(after.nonce, before.nonce + 1);
    let written = ContractsApiClient::contract_storage(
        &client,
        looping.to_string(),
        Bytes(b"key".to_vec()),
        None,
    )
    .await
    .unwrap();
    assert_eq!(written, None);

    // The next block comes, and calls in later blocks work.
    let next = loop {
        let head = tokio::time::timeout(Duration::from_secs(20), heads.next())
            .await
            .expect("a block after the failed call")
            .unwrap()
            .unwrap();
        if head.number > included.block_number {
            break head;
        }
    };
    assert_eq!(next.number, included.block_number + 1);
    let later = alice
        .submit_ok(
            &client,
            ContractsCall::Call {
                dest: counter,
                value: 0,
                fuel_limit: FUEL,
                storage_deposit_limit: None,
                data: call_data("increment", 1u64).0,
            },
        )
        .await;
    assert!(later.block_number > included.block_number);
    assert_eq!(count(&client, counter, None).await, Some(1));
    node.stop().await;
}

/// `contracts_instantiate` of `code_hash` by `origin` with 1 GHOST and [`FUEL`].
async fn dry_instantiate(
    client: &Client,
    origin: AccountId,
    code_hash: Hash,
    data: Vec<u8>,
    salt: &[u8],
    at: Option<Hash>,
) -> ghost_rpc::ContractInstantiateJson {
    ContractsApiClient::dry_run_instantiate(
        client,
        origin.to_string(),
        code_hash,
        GHOST,
        FUEL,
        Bytes(data),
        Bytes(salt.to_vec()),
        at,
    )
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instantiate_dry_run_predicts_the_address_and_writes_nothing() {
    let node = node().await;
    let client = connect(&node).await;
    let mut alice = Signer::new(&client, "Alice").await;
    let code = wat::parse_str(counter_wat()).unwrap();
    let code_hash = blake3_256(&code);
    let uploaded = alice
        .submit_ok(&client, ContractsCall::UploadCode { code })
        .await;
    let before_upload = ChainApiClient::header(&client, Some(uploaded.block_hash))
        .await
        .unwrap()
        .unwrap()
        .parent_hash;

    // The dry run reports the address, the deploy's outcome and its events.
    let salt = b"dry";
    let dry = dry_instantiate(
        &client,
        alice.account(),
        code_hash,
        5u64.encode(),
        salt,
        None,
    )
    .await;
    let address = contract_address(&alice.account(), &code_hash, salt);
    assert_eq!(dry.address, address);
    assert_eq!(dry.result, "ok", "{:?}", dry.error);
    assert!(!dry.reverted && dry.error.is_none());
    assert!(dry.fuel_consumed > 0 && dry.fuel_consumed < FUEL);
    let instantiated = dry
        .events
        .iter()
        .find(|e| e.pallet == "Contracts" && e.name == "Instantiated")
        .expect("an Instantiated event");
    assert_eq!(instantiated.fields["contract"], address.to_string());
    assert_eq!(instantiated.fields["deployer"], alice.account().to_string());

    // Nothing was written: no contract, no storage, no use of the code.
    assert_eq!(
        ContractsApiClient::contract_info(&client, address.to_string(), None)
            .await
            .unwrap(),
        None
    );
    assert_eq!(count(&client, address, None).await, None);
    let info = ContractsApiClient::code_info(&client, code_hash, None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(info.refcount, 0);

    // The real instantiation lands where the dry run said, with the state it predicted.
    alice
        .submit_ok(
            &client,
            ContractsCall::Instantiate {
                code_hash,
                value: GHOST,
                fuel_limit: FUEL,
                storage_deposit_limit: None,
                data: 5u64.encode(),
                salt: salt.to_vec(),
            },
        )
        .await;
    let contract = ContractsApiClient::contract_info(&client, dry.address.to_string(), None)
        .await
        .unwrap()
        .expect("a contract at the dry run's address");
    assert_eq!(
        (contract.code_hash, contract.deployer),
        (code_hash, alice.account())
    );
    assert_eq!(count(&client, dry.address, None).await, Some(5));

    // Again with the same salt: refused before running.
    let again = dry_instantiate(
        &client,
        alice.account(),
        code_hash,
        5u64.encode(),
        salt,
        None,
    )
    .await;
    assert_eq!((again.address, again.result.as_str()), (address, "error"));
    assert_eq!(again.error.as_deref(), Some("Contracts.ContractExists"));
    assert!(again.events.is_empty());

    // On a block before the upload there is no code.
    let early = dry_instantiate(
        &client,
        alice.account(),
        code_hash,
        5u64.encode(),
        b"other",
        Some(before_upload),
    )
    .await;
    assert_eq!(early.result, "error");
    assert_eq!(early.error.as_deref(), Some("Contracts.CodeNotFound"));

    // A deploy that traps (the counter wants 8 bytes) is an error, not a revert.
    let trapped = dry_instantiate(&client, alice.account(), code_hash, vec![], b"x", None).await;
    assert_eq!(trapped.result, "error");
    assert!(!trapped.reverted && trapped.events.is_empty());

    // A deploy that reverts reports it, with its output and no events.
    let reverting = wat::parse_str(REVERTING_DEPLOY_WAT).unwrap();
    let reverting_hash = blake3_256(&reverting);
    alice
        .submit_ok(&client, ContractsCall::UploadCode { code: reverting })
        .await;
    let reverted =
        dry_instantiate(&client, alice.account(), reverting_hash, vec![], b"", None).await;
    let reverted_address = contract_address(&alice.account(), &reverting_hash, b"");
    assert_eq!(reverted.address, reverted_address);
    assert_eq!(reverted.result, "revert");
    assert!(reverted.reverted);
    assert_eq!(
        reverted.error.as_deref(),
        Some("Contracts.ContractReverted")
    );
    assert_eq!(reverted.output, Bytes(b"nope".to_vec()));
    // The debug message reaches the RPC caller (the dry run collects it).
    assert_eq!(reverted.debug_message, "why not");
    assert!(reverted.events.is_empty());
    assert_eq!(
        ContractsApiClient::contract_info(&client, reverted_address.to_string(), None)
            .await
            .unwrap(),
        None
    );

    // The fuel cap and error codes of `contracts_call`.
    let origin = alice.account().to_string();
    let over_cap = ContractsApiClient::dry_run_instantiate(
        &client,
        origin.clone(),
        code_hash,
        0,
        MAX_DRY_RUN_FUEL + 1,
        Bytes(5u64.encode()),
        Bytes(vec![]),
        None,
    )
    .await
    .unwrap_err();
    assert_eq!(rpc_code(over_cap), error_codes::INVALID_PARAMS);
    let bad_origin = ContractsApiClient::dry_run_instantiate(
        &client,
        "ghost1nope".into(),
        code_hash,
        0,
        FUEL,
        Bytes(vec![]),
        Bytes(vec![]),
        None,
    )
    .await
    .unwrap_err();
    assert_eq!(rpc_code(bad_origin), error_codes::INVALID_PARAMS);
    let bad_hash: Result<serde_json::Value, _> = client
        .request(
            "contracts_instantiate",
            rpc_params![origin.clone(), "0x12", 0, FUEL, "0x", "0x"],
        )
        .await;
    assert_eq!(rpc_code(bad_hash.unwrap_err()), error_codes::INVALID_PARAMS);
    let unknown_block = ContractsApiClient::dry_run_instantiate(
        &client,
        origin,
        code_hash,
        0,
        FUEL,
        Bytes(vec![]),
        Bytes(vec![]),
        Some(Hash([7; 32])),
    )
    .await
    .unwrap_err();
    assert_eq!(rpc_code(unknown_block), error_codes::UNKNOWN_BLOCK);
    node.stop().await;
}
