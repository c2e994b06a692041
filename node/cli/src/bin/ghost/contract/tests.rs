//! Tests of `ghost contract`: arguments, encodings, reports and input checks.

use super::*;
use crate::amount::format_ghost;
use crate::{Cli, Command};
use clap::Parser;
use ghost_primitives::Pair;
use tokio::time::Duration;

fn contract(args: &[&str]) -> ContractCommand {
    let cli = Cli::try_parse_from(["ghost", "contract"].iter().chain(args)).unwrap();
    match cli.command {
        Command::Contract(command) => command,
        other => panic!("not a contract command: {other:?}"),
    }
}

fn parse_fails(args: &[&str]) -> bool {
    Cli::try_parse_from(["ghost", "contract"].iter().chain(args)).is_err()
}

fn method(name: &str, args: Option<&str>) -> CallInput {
    CallInput {
        method: Some(name.into()),
        args: args.map(Into::into),
        data: None,
        abi: None,
    }
}

#[test]
fn typed_arguments_are_scale_encoded_in_order() {
    let alice = Pair::dev("Alice").public();
    let json = format!(
        r#"["u32:5", "account:{alice}", "bytes:0x0102", "string:hello", "u128:1000", "bool:true"]"#
    );
    let expected = (
        5u32,
        alice,
        vec![1u8, 2],
        "hello".to_string(),
        1000u128,
        true,
    )
        .encode();
    assert_eq!(encode_args(&json).unwrap(), expected);
    assert_eq!(encode_args("[]").unwrap(), Vec::<u8>::new());
}

#[test]
fn every_type_encodes_as_scale() {
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("u8:255", 255u8.encode()),
        ("u16:65535", u16::MAX.encode()),
        ("u64:18446744073709551615", u64::MAX.encode()),
        ("i8:-128", i8::MIN.encode()),
        ("i16:-2", (-2i16).encode()),
        ("i32:-5", (-5i32).encode()),
        ("i64:7", 7i64.encode()),
        ("i128:-1", (-1i128).encode()),
        ("bool:false", false.encode()),
        ("compact:300", Compact(300u128).encode()),
        ("balance:1.5GHOST", 1_500_000_000_000u128.encode()),
        ("balance:7", 7u128.encode()),
        ("raw:0xdeadbeef", vec![0xde, 0xad, 0xbe, 0xef]),
        ("bytes:0x", Vec::<u8>::new().encode()),
        ("str:a:b", "a:b".encode()),
        ("string:", "".encode()),
    ];
    for (item, expected) in cases {
        assert_eq!(encode_arg(item).unwrap(), expected, "{item}");
    }
    let hash = Hash([7; 32]);
    assert_eq!(encode_arg(&format!("hash:{hash}")).unwrap(), vec![7; 32]);
    let key = Pair::dev("Bob").public();
    assert_eq!(
        encode_arg(&format!("address:{}", key.to_hex())).unwrap(),
        key.0.to_vec()
    );
}

#[test]
fn bad_arguments_are_refused_with_their_position() {
    for (json, expected) in [
        ("{}", "expected a JSON array"),
        (
            "[5]",
            "argument 0: expected a \"TYPE:VALUE\" string, found 5",
        ),
        (
            r#"["u32:1", "u32"]"#,
            "argument 1: `u32`: expected TYPE:VALUE",
        ),
        (
            r#"["u8:256"]"#,
            "argument 0: `u8:256`: out of range for u8 (0..=255)",
        ),
        (r#"["u32:-1"]"#, "out of range for u32"),
        (r#"["u32:+1"]"#, "expected a decimal integer"),
        (r#"["u32: 1"]"#, "expected a decimal integer"),
        (r#"["u32:"]"#, "expected a decimal integer"),
        (r#"["bool:yes"]"#, "expected true or false"),
        (r#"["f32:1.0"]"#, "unknown type `f32`"),
        (r#"["bytes:0102"]"#, "argument 0: `bytes:0102`"),
        (r#"["bytes:0x123"]"#, "argument 0: `bytes:0x123`"),
        (r#"["hash:0x12"]"#, "argument 0: `hash:0x12`"),
        (
            r#"["account:ghost1nope"]"#,
            "argument 0: `account:ghost1nope`",
        ),
        (r#"["balance:-1"]"#, "must not be negative"),
    ] {
        let message = format!("{:#}", encode_args(json).unwrap_err());
        assert!(message.contains(expected), "{json}: {message}");
    }
}

#[test]
fn call_data_is_the_selector_then_the_arguments() {
    let data = call_data(&method("increment", Some(r#"["u64:3"]"#))).unwrap();
    assert_eq!(&data[..4], &selector("increment"));
    assert_eq!(&data[..4], &blake3_256(b"increment").0[..4]);
    assert_eq!(&data[4..], &3u64.encode()[..]);
    assert_eq!(
        call_data(&method("get", None)).unwrap(),
        selector("get").to_vec()
    );
    let raw = CallInput {
        data: Some("0x0a0b".into()),
        ..CallInput::default()
    };
    assert_eq!(call_data(&raw).unwrap(), vec![10, 11]);
    let message = format!("{:#}", call_data(&method("m", Some("[1]"))).unwrap_err());
    assert!(message.starts_with("--args: argument 0"), "{message}");
    let bad_hex = CallInput {
        data: Some("0xz".into()),
        ..CallInput::default()
    };
    assert!(format!("{:#}", call_data(&bad_hex).unwrap_err()).starts_with("--data `0xz`"));
}

#[test]
fn commands_parse() {
    let ContractCommand::Upload(upload) = contract(&["upload", "c.wasm", "--from", "//Alice"])
    else {
        panic!("not upload")
    };
    assert_eq!(upload.file, PathBuf::from("c.wasm"));
    assert_eq!(upload.tx.from, "//Alice");

    let hash = Hash([1; 32]).to_string();
    let ContractCommand::Instantiate(i) = contract(&[
        "instantiate",
        &hash,
        "--from",
        "//Alice",
        "--args",
        r#"["u64:5"]"#,
        "--value",
        "1GHOST",
        "--fuel",
        "500",
        "--salt",
        "0x01",
    ]) else {
        panic!("not instantiate")
    };
    let valid = i.validate().unwrap();
    assert_eq!(valid.code_hash, Hash([1; 32]));
    assert_eq!(valid.data, 5u64.encode());
    assert_eq!((valid.value, valid.fuel), (1_000_000_000_000, 500));
    assert_eq!(valid.salt, vec![1]);

    let ContractCommand::Instantiate(i) = contract(&["instantiate", &hash, "--from", "//Alice"])
    else {
        panic!("not instantiate")
    };
    let valid = i.validate().unwrap();
    assert!(valid.data.is_empty() && valid.salt.is_empty());
    assert_eq!((valid.value, valid.fuel), (0, DEFAULT_FUEL));
    assert_eq!(valid.dry_run, None, "a transaction unless --dry-run");
    assert_eq!(valid.storage_deposit_limit, None, "no cap unless given");

    let ContractCommand::Instantiate(i) = contract(&[
        "instantiate",
        &hash,
        "--from",
        "//Alice",
        "--storage-deposit-limit",
        "0.5GHOST",
    ]) else {
        panic!("not instantiate")
    };
    let valid = i.validate().unwrap();
    assert_eq!(valid.storage_deposit_limit, Some(500_000_000_000));
    let ContractCommand::Instantiate(i) = contract(&[
        "instantiate",
        &hash,
        "--from",
        "//Alice",
        "--storage-deposit-limit",
        "lots",
    ]) else {
        panic!("not instantiate")
    };
    let error = i.validate().unwrap_err().to_string();
    assert!(
        error.starts_with("--storage-deposit-limit `lots`"),
        "{error}"
    );
    assert!(
        parse_fails(&[
            "instantiate",
            &hash,
            "--from",
            "//Alice",
            "--dry-run",
            "--storage-deposit-limit",
            "1",
        ]),
        "a dry run pays nothing"
    );

    let block = Hash([3; 32]).to_string();
    let ContractCommand::Instantiate(i) = contract(&[
        "instantiate",
        &hash,
        "--from",
        "//Alice",
        "--data",
        "0x0500000000000000",
        "--dry-run",
    ]) else {
        panic!("not instantiate")
    };
    let valid = i.validate().unwrap();
    assert_eq!(valid.dry_run, Some(None), "the best block");
    assert_eq!(valid.data, 5u64.encode());
    let ContractCommand::Instantiate(i) = contract(&[
        "instantiate",
        &hash,
        "--from",
        "//Alice",
        "--dry-run",
        "--at",
        &block,
    ]) else {
        panic!("not instantiate")
    };
    assert_eq!(i.validate().unwrap().dry_run, Some(Some(Hash([3; 32]))));

    let bob = Pair::dev("Bob").public().to_string();
    let ContractCommand::Call(c) = contract(&[
        "call",
        &bob,
        "--from",
        "//Alice",
        "--method",
        "increment",
        "--args",
        r#"["u64:1"]"#,
        "--wait",
        "none",
    ]) else {
        panic!("not call")
    };
    let run = validate_run(&c.address, &c.input, &c.run).unwrap();
    assert_eq!(run.dest, Pair::dev("Bob").public());
    assert_eq!(
        run.data,
        call_data(&method("increment", Some(r#"["u64:1"]"#))).unwrap()
    );

    let ContractCommand::Query(q) = contract(&["query", &bob, "--data", "0x00", "--json"]) else {
        panic!("not query")
    };
    assert_eq!(q.origin().unwrap(), AccountId([0; 32]));
    let ContractCommand::Query(q) =
        contract(&["query", &bob, "--method", "get", "--from", "//Alice"])
    else {
        panic!("not query")
    };
    assert_eq!(q.origin().unwrap(), Pair::dev("Alice").public());

    // Exactly one of --method and --data; --args only with --method; call needs --from.
    assert!(parse_fails(&["call", &bob, "--from", "//Alice"]));
    assert!(parse_fails(&[
        "call", &bob, "--from", "//A", "--method", "m", "--data", "0x"
    ]));
    assert!(parse_fails(&[
        "call", &bob, "--from", "//A", "--data", "0x", "--args", "[]"
    ]));
    assert!(parse_fails(&[
        "call", &bob, "--from", "//A", "--args", "[]"
    ]));
    assert!(parse_fails(&["call", &bob, "--method", "m"]));
    assert!(parse_fails(&[
        "query", &bob, "--method", "m", "--from", "//A", "--origin", &bob
    ]));
    assert!(parse_fails(&[
        "instantiate",
        &hash,
        "--from",
        "//A",
        "--data",
        "0x",
        "--args",
        "[]"
    ]));
    assert!(parse_fails(&["upload", "--from", "//A"]));
    // --at only with --dry-run; a dry run still names its deployer.
    assert!(parse_fails(&[
        "instantiate",
        &hash,
        "--from",
        "//A",
        "--at",
        &block
    ]));
    assert!(parse_fails(&["instantiate", &hash, "--dry-run"]));
}

#[test]
fn the_address_is_the_pallets() {
    let deployer = Pair::dev("Alice").public();
    let code_hash = Hash([2; 32]);
    let expected = blake3_256(&[&deployer.0[..], &code_hash.0[..], b"salt"].concat());
    assert_eq!(
        contract_address(&deployer, &code_hash, b"salt").0,
        expected.0
    );
}

#[test]
fn query_report_lines_and_json() {
    let answer = ContractCallJson {
        result: "revert".into(),
        output: Bytes(vec![1, 2]),
        reverted: true,
        error: Some("Contracts.ContractReverted".into()),
        fuel_consumed: 42,
        storage_deposit_charge: 5,
        storage_deposit_refund: 0,
        events: vec![EventJson {
            pallet: "Contracts".into(),
            name: "Called".into(),
            fields: serde_json::json!({"x": 1}),
        }],
        debug_message: "unknown selector".into(),
    };
    let text = Output::buffer(false)
        .render(&Queried::new(answer.clone()))
        .unwrap();
    assert_eq!(
        text,
        format!(
            "result: revert\noutput: 0x0102\nreverted: true\nrevert_reason: {}\n\
             error: Contracts.ContractReverted\ndebug_message: unknown selector\n\
             fuel_consumed: 42\n\
             storage_deposit: charge 5 ({})\nevent[0]: Contracts.Called {{\"x\":1}}\n",
            revert_reason(&[1, 2]),
            format_ghost(5)
        )
    );
    let json: serde_json::Value =
        serde_json::from_str(&Output::buffer(true).render(&Queried::new(answer)).unwrap()).unwrap();
    assert_eq!(json["fuelConsumed"], 42);
    assert_eq!(json["output"], "0x0102");
    assert_eq!(json["revertReason"], revert_reason(&[1, 2]));
    assert_eq!(json["debugMessage"], "unknown selector");
}

#[test]
fn events_parse_and_print_one_line_per_event() {
    let bob = Pair::dev("Bob").public().to_string();
    let topic = Hash([7; 32]).to_string();
    let ContractCommand::Events(e) = contract(&[
        "events",
        &bob,
        "--topic",
        &topic,
        "--from-block",
        "3",
        "--to-block",
        "9",
    ]) else {
        panic!("not events")
    };
    assert_eq!((e.from_block, e.to_block), (Some(3), Some(9)));
    assert_eq!(e.topic.as_deref(), Some(topic.as_str()));
    let ContractCommand::Events(e) = contract(&["events", &bob]) else {
        panic!("not events")
    };
    assert_eq!((e.from_block, e.to_block, e.topic), (None, None, None));

    let events = ContractEvents(vec![ghost_rpc::ContractEventJson {
        block_number: 4,
        block_hash: Hash([1; 32]),
        topics: vec![Hash([7; 32])],
        data: Bytes(vec![1, 2]),
    }]);
    let text = Output::buffer(false).render(&events).unwrap();
    assert_eq!(
        text,
        format!("events: 1\nevent[0]: block 4 topics [{topic}] data 0x0102\n")
    );
    let json: serde_json::Value =
        serde_json::from_str(&Output::buffer(true).render(&events).unwrap()).unwrap();
    assert_eq!(json[0]["blockNumber"], 4);
    assert_eq!(json[0]["data"], "0x0102");
}

#[tokio::test]
async fn events_refuse_a_bad_topic_without_connecting() {
    let endpoint = Endpoint {
        url: "ws://127.0.0.1:1".into(),
        timeout: Duration::from_secs(5),
    };
    let bob = Pair::dev("Bob").public().to_string();
    let args = EventsArgs {
        address: bob,
        topic: Some("0x12".into()),
        from_block: None,
        to_block: None,
        abi: None,
    };
    let error = events(&endpoint, args, &Output::buffer(true))
        .await
        .unwrap_err()
        .to_string();
    assert!(error.starts_with("--topic"), "{error}");
}

#[test]
fn revert_reasons_name_the_mistake_or_the_error_variant() {
    // Empty: the SDK's ABI error, which a wrong method, argument or value causes.
    let abi = revert_reason(&[]);
    assert!(abi.contains("--method") && abi.contains("--args"), "{abi}");
    assert!(abi.contains("--value"), "{abi}");
    // A unit variant.
    assert_eq!(
        revert_reason(&[0]),
        "the contract returned its error variant 0 (output 0x00); its documentation lists its \
         errors in order from 0"
    );
    // The counter's `Host(StorageDepositNotCovered)`: variant 1 carrying the SDK error 9.
    let host = revert_reason(&[1, 9]);
    assert!(host.starts_with("the contract returned its error variant 1 with payload 0x09"));
    assert!(host.contains("output 0x0109"), "{host}");
}

#[test]
fn instantiate_dry_run_report_lines_and_json() {
    let address = contract_address(&Pair::dev("Alice").public(), &Hash([1; 32]), b"");
    let answer = ContractInstantiateJson {
        address,
        result: "ok".into(),
        output: Bytes(vec![]),
        reverted: false,
        error: None,
        fuel_consumed: 9,
        storage_deposit_charge: 0,
        storage_deposit_refund: 3,
        events: vec![EventJson {
            pallet: "Contracts".into(),
            name: "Instantiated".into(),
            fields: serde_json::json!({"contract": address}),
        }],
        debug_message: String::new(),
    };
    let text = Output::buffer(false)
        .render(&InstantiateQueried::new(answer.clone()))
        .unwrap();
    assert_eq!(
        text,
        format!(
            "address: {address}\nresult: ok\noutput: 0x\nreverted: false\nfuel_consumed: 9\n\
             storage_deposit: refund 3 ({})\nevent[0]: Contracts.Instantiated {{\"contract\":\"{address}\"}}\n",
            format_ghost(3)
        )
    );
    let json: serde_json::Value = serde_json::from_str(
        &Output::buffer(true)
            .render(&InstantiateQueried::new(answer))
            .unwrap(),
    )
    .unwrap();
    assert_eq!(json["address"], address.to_string());
    assert!(json.get("revertReason").is_none(), "{json}");
    assert_eq!(json["fuelConsumed"], 9);
    assert_eq!(json["error"], serde_json::Value::Null);
    assert_eq!(json["events"][0]["name"], "Instantiated");
}

#[tokio::test]
async fn bad_input_fails_without_connecting() {
    // Nothing listens on port 1: each error must come from the arguments.
    let endpoint = Endpoint {
        url: "ws://127.0.0.1:1".into(),
        timeout: Duration::from_secs(1),
    };
    let dir = tempfile_dir();
    let wat_file = dir.join("counter.wat");
    std::fs::write(&wat_file, "(module)").unwrap();
    let wat_path = wat_file.to_string_lossy().to_string();
    let bob = Pair::dev("Bob").public().to_string();
    let hash = Hash([1; 32]).to_string();
    for (args, expected) in [
        (
            vec!["upload", "/nonexistent/x.wasm", "--from", "//Alice"],
            "reading /nonexistent",
        ),
        (
            vec!["upload", wat_path.as_str(), "--from", "//Alice"],
            "is not a WebAssembly binary",
        ),
        (
            vec!["instantiate", "0x12", "--from", "//Alice"],
            "invalid code hash `0x12`",
        ),
        (
            vec!["instantiate", &hash, "--from", "//Alice", "--salt", "01"],
            "--salt `01`",
        ),
        (
            vec!["instantiate", &hash, "--from", "Alice"],
            "--from: invalid secret URI",
        ),
        (
            vec![
                "instantiate",
                &hash,
                "--from",
                "//Alice",
                "--dry-run",
                "--at",
                "0x1",
            ],
            "--at: invalid block hash",
        ),
        (
            vec![
                "instantiate",
                &hash,
                "--from",
                "//Alice",
                "--dry-run",
                "--salt",
                "0xz",
            ],
            "--salt `0xz`",
        ),
        (
            vec!["call", "nope", "--from", "//Alice", "--method", "m"],
            "invalid address `nope`",
        ),
        (
            vec![
                "call", &bob, "--from", "//Alice", "--method", "m", "--args", "[\"x\"]",
            ],
            "--args",
        ),
        (
            vec![
                "call", &bob, "--from", "//Alice", "--data", "0x", "--value", "-1",
            ],
            "--value `-1`",
        ),
        (
            vec!["query", &bob, "--data", "0x", "--origin", "nope"],
            "--origin: invalid address",
        ),
        (
            vec!["query", &bob, "--data", "0x", "--at", "0x1"],
            "--at: invalid block hash",
        ),
    ] {
        let error = run(&endpoint, contract(&args), &Output::buffer(false))
            .await
            .unwrap_err();
        let message = format!("{error:#}");
        assert!(message.contains(expected), "{args:?}: {message}");
    }
    std::fs::remove_dir_all(dir).unwrap();
}

/// A fresh directory under the system's temporary directory.
fn tempfile_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "ghost-contract-test-{}-{}",
        std::process::id(),
        blake3_256(format!("{:?}", std::time::SystemTime::now()).as_bytes())
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The counter's ABI as `contract!` writes it (contracts/fixtures tests the real one).
const COUNTER_ABI: &str = r#"{"version":1,"deploy":{"args":[{"name":"initial","type":"u64"}]},"methods":[{"name":"increment","payable":false,"args":[{"name":"by","type":"u64"}],"returns":"u64"},{"name":"get","payable":false,"args":[],"returns":"u64"},{"name":"pay","payable":true,"args":[{"name":"to","type":"AccountId"},{"name":"memo","type":"Option<Vec<u8>>"},{"name":"amount","type":"Balance"}],"returns":"()"},{"name":"raw","payable":false,"args":null,"returns":null}],"errors":{"name":"CounterError","variants":[{"name":"Overflow","fields":[]},{"name":"Host","fields":["Error"]}]},"events":[{"name":"Incremented","fields":[{"name":"by","type":"u64"},{"name":"count","type":"u64"}]}]}"#;

fn counter_abi() -> Abi {
    parse_abi(COUNTER_ABI.as_bytes()).unwrap()
}

fn abi_input(name: &str, args: Option<&str>) -> CallInput {
    CallInput {
        abi: Some("counter.abi.json".into()),
        ..method(name, args)
    }
}

#[test]
fn abi_arguments_are_plain_json_positional_or_by_name() {
    let abi = counter_abi();
    let mut expected = selector("increment").to_vec();
    expected.extend(7u64.encode());
    for args in ["[7]", r#"{"by": 7}"#, r#"["7"]"#] {
        let data = call_data_with(&abi_input("increment", Some(args)), Some(&abi)).unwrap();
        assert_eq!(data, expected, "{args}");
    }
    let alice = Pair::dev("Alice").public();
    let data = call_data_with(
        &abi_input(
            "pay",
            Some(&format!(
                r#"{{"amount": "1.5GHOST", "to": "{alice}", "memo": "0x0102"}}"#
            )),
        ),
        Some(&abi),
    )
    .unwrap();
    let mut expected = selector("pay").to_vec();
    expected.extend(alice.encode());
    expected.extend(Some(vec![1u8, 2]).encode());
    expected.extend(parse_amount("1.5GHOST").unwrap().encode());
    assert_eq!(data, expected);
    let none = call_data_with(
        &abi_input("pay", Some(&format!(r#"["{alice}", null, 5]"#))),
        Some(&abi),
    )
    .unwrap();
    assert_eq!(none[4 + 32], 0, "null is None");
    // No --args is no arguments.
    assert_eq!(
        call_data_with(&abi_input("get", None), Some(&abi)).unwrap(),
        selector("get").to_vec()
    );
}

#[test]
fn abi_arguments_that_do_not_match_are_refused_with_what_was_expected() {
    let abi = counter_abi();
    let error = |name: &str, args: Option<&str>| {
        format!(
            "{:#}",
            call_data_with(&abi_input(name, args), Some(&abi)).unwrap_err()
        )
    };
    assert!(
        error("decrement", None)
            .contains("no method `decrement` (its methods: increment, get, pay, raw)")
    );
    assert!(error("increment", Some("[]")).contains("0 arguments given, 1 expected (by: u64)"));
    assert!(error("increment", Some("[1, 2]")).contains("2 arguments given"));
    assert!(error("increment", Some(r#"{"step": 1}"#)).contains("no argument `step`"));
    assert!(error("increment", Some("{}")).contains("argument `by` missing"));
    assert!(error("increment", Some("[-1]")).contains("argument `by: u64`"));
    assert!(error("increment", Some(r#"["18446744073709551616"]"#)).contains("by: u64"));
    assert!(error("increment", Some("[true]")).contains("expected an integer"));
    assert!(error("increment", Some("7")).contains("expected a JSON array or object"));
    assert!(error("increment", Some("[1")).contains("expected a JSON array (positional)"));
    assert!(error("pay", Some(r#"["ghost1nope", null, 1]"#)).contains("argument `to: AccountId`"));
    assert!(error("raw", None).contains("does not declare the arguments of `raw`"));
}

#[test]
fn value_to_a_method_the_abi_says_is_not_payable_is_refused_before_sending() {
    let dir = std::env::temp_dir().join(format!("ghost-abi-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("counter.abi.json");
    std::fs::write(&path, COUNTER_ABI).unwrap();
    let input = CallInput {
        abi: Some(path.clone()),
        ..method("increment", Some("[1]"))
    };
    let bob = Pair::dev("Bob").public().to_string();
    let paid = RunArgs {
        value: "5".into(),
        fuel: DEFAULT_FUEL,
    };
    let message = format!("{:#}", validate_run(&bob, &input, &paid).unwrap_err());
    assert!(message.contains("`increment` is not payable"), "{message}");
    let free = RunArgs {
        value: "0".into(),
        fuel: DEFAULT_FUEL,
    };
    let run = validate_run(&bob, &input, &free).unwrap();
    assert_eq!(run.returns(&input), Some("u64"));
    std::fs::write(&path, b"{\"version\": 2}").unwrap();
    assert!(format!("{:#}", validate_run(&bob, &input, &free).unwrap_err()).contains("ABI"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn outputs_reverts_and_events_decode_with_the_abi() {
    let abi = counter_abi();
    assert_eq!(
        decode_output(Some("u64"), &5u64.encode()),
        Some(serde_json::json!(5))
    );
    assert_eq!(decode_output(Some("u64"), &[5]), None, "too short");
    assert_eq!(decode_output(Some("u8"), &[5, 0]), None, "bytes left over");
    assert_eq!(decode_output(None, &[]), None, "undeclared");
    assert_eq!(
        decode_output(
            Some("Option<AccountId>"),
            &Some(Pair::dev("Bob").public()).encode()
        ),
        Some(serde_json::json!(Pair::dev("Bob").public().to_string()))
    );
    assert_eq!(
        decode_output(Some("Vec<[u8;4]>"), &vec![[10u8, 0, 0, 1]].encode()),
        Some(serde_json::json!(["0x0a000001"]))
    );
    assert_eq!(decode_output(Some("Settings"), &[0]), None, "opaque");
    // A hostile length claims more elements than there are bytes.
    let mut huge = Compact(u32::MAX).encode();
    huge.push(0);
    assert_eq!(decode_output(Some("Vec<u64>"), &huge), None);
    assert_eq!(decode_output(Some("Vec<()>"), &huge), None);
    let deep = format!("{}u8{}", "Vec<".repeat(40), ">".repeat(40));
    assert!(Ty::parse(&deep).is_err());

    assert_eq!(
        abi.revert_text(&[0]).as_deref(),
        Some("CounterError::Overflow")
    );
    assert_eq!(
        abi.revert_text(&[1, 9]).as_deref(),
        Some("CounterError::Host(StorageDepositNotCovered)")
    );
    assert_eq!(abi.revert_text(&[2]), None, "no such variant");
    assert_eq!(abi.revert_text(&[0, 0]), None, "bytes left over");
    assert!(revert_reason_with(Some(&abi), &[0]).contains("CounterError::Overflow (output 0x00)"));
    assert_eq!(revert_reason_with(Some(&abi), &[7]), revert_reason(&[7]));

    let topic = Hash(blake3_256(b"Incremented").0);
    let data = (1u64, 2u64).encode();
    assert_eq!(
        abi.decode_event(&[topic], &data),
        Some(serde_json::json!({"Incremented": {"by": 1, "count": 2}}))
    );
    assert_eq!(abi.decode_event(&[Hash([0; 32])], &data), None);
    assert_eq!(abi.decode_event(&[topic], &data[..8]), None);
    assert_eq!(abi.decode_event(&[], &data), None);
}

#[test]
fn a_query_with_an_abi_prints_the_decoded_value() {
    let abi = counter_abi();
    let answer = ContractCallJson {
        result: "ok".into(),
        output: Bytes(3u64.encode()),
        reverted: false,
        error: None,
        fuel_consumed: 42,
        storage_deposit_charge: 0,
        storage_deposit_refund: 0,
        events: Vec::new(),
        debug_message: String::new(),
    };
    let text = Output::buffer(false)
        .render(&Queried::with_abi(answer.clone(), Some(&abi), Some("u64")))
        .unwrap();
    assert!(text.contains("\nvalue: 3\n"), "{text}");
    let json: serde_json::Value = serde_json::from_str(
        &Output::buffer(true)
            .render(&Queried::with_abi(answer, Some(&abi), Some("u64")))
            .unwrap(),
    )
    .unwrap();
    assert_eq!(json["value"], 3);
}
