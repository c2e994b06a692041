//! Tests of `ghost domain`: argument parsing and the calls planned from it.

use super::*;
use crate::{Cli, Command};
use clap::Parser;

fn domain(args: &[&str]) -> DomainCommand {
    let cli = Cli::try_parse_from(["ghost", "domain"].iter().chain(args)).unwrap();
    match cli.command {
        Command::Domain(command) => command,
        other => panic!("not a domain command: {other:?}"),
    }
}

fn parse_fails(args: &[&str]) -> bool {
    Cli::try_parse_from(["ghost", "domain"].iter().chain(args)).is_err()
}

#[test]
fn register_arguments() {
    let DomainCommand::Register(args) = domain(&[
        "register",
        "Bücher.ghost",
        "--from",
        "//Alice",
        "--days",
        "30",
        "--record",
        "A=10.0.0.1",
        "--record",
        "MX=10 mail.example.com",
        "--label",
        "www",
        "--ttl",
        "60",
        "--wait",
        "finalized",
    ]) else {
        panic!("not register")
    };
    assert_eq!(args.name, "Bücher.ghost");
    assert_eq!(args.tx.from, "//Alice");
    assert_eq!(args.tx.wait, Wait::Finalized);
    assert_eq!(args.duration.to_ms().unwrap(), 30 * DAY_MS);
    assert_eq!(args.records, ["A=10.0.0.1", "MX=10 mail.example.com"]);
    assert_eq!(args.placement.label.as_deref(), Some("www"));
    assert_eq!(args.placement.ttl, Some(60));
    assert_eq!(args.owner, None);

    // Durations exclude each other and must be positive; --from is required.
    assert!(parse_fails(&[
        "register", "a.ghost", "--from", "//A", "--years", "1", "--days", "2"
    ]));
    assert!(parse_fails(&[
        "register",
        "a.ghost",
        "--from",
        "//A",
        "--seconds",
        "0"
    ]));
    assert!(parse_fails(&["register", "a.ghost"]));
}

#[test]
fn record_commands_take_multi_word_values() {
    let DomainCommand::SetRecord(args) = domain(&[
        "set-record",
        "alice.ghost",
        "MX",
        "10",
        "mail.example.com",
        "--from",
        "//Alice",
        "--ttl",
        "120",
    ]) else {
        panic!("not set-record")
    };
    let record = build_record(&args.rtype, &args.value, &args.placement).unwrap();
    assert_eq!(record_line(&record), "@ 120 MX 10 mail.example.com");

    let DomainCommand::RemoveRecord(args) = domain(&[
        "remove-record",
        "alice.ghost",
        "a",
        "10.0.0.2",
        "--label",
        "WWW",
        "--from",
        "//Alice",
    ]) else {
        panic!("not remove-record")
    };
    assert_eq!(args.label.as_deref(), Some("WWW"));
    assert_eq!(args.value, ["10.0.0.2"]);
    assert!(parse_fails(&[
        "set-record",
        "alice.ghost",
        "A",
        "--from",
        "//Alice"
    ]));
}

#[test]
fn other_commands_parse() {
    assert!(matches!(
        domain(&["resolve", "alice.ghost", "--proof"]),
        DomainCommand::Resolve { proof: true, .. }
    ));
    assert!(matches!(
        domain(&["transfer", "alice.ghost", "--to", "ghost1x", "--from", "//Alice"]),
        DomainCommand::Transfer { ref to, .. } if to == "ghost1x"
    ));
    let DomainCommand::Renew { duration, .. } =
        domain(&["renew", "a.ghost", "--from", "//A", "--seconds", "5"])
    else {
        panic!("not renew")
    };
    assert_eq!(duration.to_ms().unwrap(), 5_000);
    assert!(matches!(
        domain(&["list", "--owner", "ghost1x", "--limit", "3"]),
        DomainCommand::List { limit: Some(3), .. }
    ));
    assert!(parse_fails(&["list", "--owner", "ghost1x", "--limit", "0"]));
    let DomainCommand::Price { duration, .. } = domain(&["price", "a.ghost"]) else {
        panic!("not price")
    };
    assert_eq!(duration.to_ms().unwrap(), YEAR_MS);
    assert!(matches!(
        domain(&[
            "subname",
            "alice.ghost",
            "www",
            "--owner",
            "ghost1x",
            "--from",
            "//A",
            "--lock"
        ]),
        DomainCommand::Subname { lock: true, .. }
    ));
    assert!(matches!(
        domain(&["primary", "alice.ghost", "--from", "//A"]),
        DomainCommand::Primary { .. }
    ));
    let DomainCommand::Watch(args) = domain(&[
        "watch",
        "--from-height",
        "0",
        "--domain",
        "a.ghost",
        "--domain",
        "b.ghost",
        "--suffix",
        "bc",
        "--type",
        "expired",
        "--count",
        "4",
        "--json",
    ]) else {
        panic!("not watch")
    };
    assert_eq!(args.from_height, Some(0));
    assert_eq!(args.domains, ["a.ghost", "b.ghost"]);
    assert_eq!(args.suffixes, ["bc"]);
    assert_eq!(args.types, [ChangeKind::Expired]);
    assert_eq!(args.count, Some(4));
}

/// The signer and call `ghost domain ARGS…` submits, planned at `now`.
fn planned(args: &[&str], now: u64) -> (AccountId, DomainCall, Change) {
    let (signer, change) = match domain(args) {
        DomainCommand::SignedUpdate(args) => {
            plan_signed_update(args, now, &GENESIS, SEQUENCE).unwrap()
        }
        command => plan_change(command).unwrap(),
    };
    (signer.pair.public(), change.call(), change)
}

/// The genesis hash and update sequence signed updates are planned against.
const GENESIS: Hash = Hash([0x47; 32]);
const SEQUENCE: u64 = 41;

fn name(text: &str) -> DomainName {
    parse_name(text).unwrap()
}

fn dev(who: &str) -> AccountId {
    Pair::dev(who).public()
}

#[test]
fn management_commands_parse() {
    let bob = dev("Bob").to_string();
    // Each needs exactly one of its alternatives.
    for (good, bad) in [
        (
            vec!["approve", "a.ghost", "--account", &bob, "--from", "//A"],
            vec!["approve", "a.ghost", "--from", "//A"],
        ),
        (
            vec!["approve", "a.ghost", "--clear", "--from", "//A"],
            vec![
                "approve",
                "a.ghost",
                "--account",
                &bob,
                "--clear",
                "--from",
                "//A",
            ],
        ),
        (
            vec!["operator", &bob, "--approve", "--from", "//A"],
            vec!["operator", &bob, "--from", "//A"],
        ),
        (
            vec!["operator", &bob, "--revoke", "--from", "//A"],
            vec!["operator", &bob, "--approve", "--revoke", "--from", "//A"],
        ),
        (
            vec!["primary", "--clear", "--from", "//A"],
            vec!["primary", "a.ghost", "--clear", "--from", "//A"],
        ),
        (
            vec!["primary", "a.ghost", "--from", "//A"],
            vec!["primary", "--from", "//A"],
        ),
        (
            vec!["update-key", "a.ghost", "--suri", "//K", "--from", "//A"],
            vec!["update-key", "a.ghost", "--from", "//A"],
        ),
        (
            vec!["update-key", "a.ghost", "--clear", "--from", "//A"],
            vec![
                "update-key",
                "a.ghost",
                "--key",
                "0x00",
                "--suri",
                "//K",
                "--from",
                "//A",
            ],
        ),
        (
            vec!["set-addr", "a.ghost", "60", "0x01", "--from", "//A"],
            vec![
                "set-addr", "a.ghost", "60", "0x01", "--clear", "--from", "//A",
            ],
        ),
        (
            vec!["set-addr", "a.ghost", "60", "--clear", "--from", "//A"],
            vec!["set-addr", "a.ghost", "-1", "--clear", "--from", "//A"],
        ),
        (
            vec!["set-text", "a.ghost", "url", "--clear", "--from", "//A"],
            vec!["set-text", "a.ghost", "url", "--from", "//A"],
        ),
        (
            vec!["set-contenthash", "a.ghost", "0xe301", "--from", "//A"],
            vec!["set-contenthash", "a.ghost", "--from", "//A"],
        ),
        (
            vec!["clear-records", "a.ghost", "--from", "//A"],
            vec!["clear-records", "a.ghost"],
        ),
        (
            vec![
                "signed-update",
                "a.ghost",
                "--signer",
                "//K",
                "--relayer",
                "//R",
            ],
            vec![
                "signed-update",
                "a.ghost",
                "--signer",
                "//K",
                "--from",
                "//R",
            ],
        ),
        (vec!["primary-of", &bob], vec!["primary-of"]),
    ] {
        assert!(
            Cli::try_parse_from(["ghost", "domain"].iter().chain(&good)).is_ok(),
            "{good:?}"
        );
        assert!(parse_fails(&bad), "{bad:?}");
    }

    let DomainCommand::SignedUpdate(args) = domain(&[
        "signed-update",
        "a.ghost",
        "--signer",
        "//K",
        "--relayer",
        "//R",
        "--record",
        "A=10.0.0.1",
        "--record",
        "TXT=hi there",
        "--label",
        "www",
        "--ttl",
        "60",
        "--contract-id",
        "agent-7",
        "--tip",
        "1",
        "--wait",
        "none",
    ]) else {
        panic!("not signed-update")
    };
    assert_eq!(
        (args.signer.as_str(), args.relayer.as_str()),
        ("//K", "//R")
    );
    assert_eq!(args.records, ["A=10.0.0.1", "TXT=hi there"]);
    assert_eq!(args.placement.ttl, Some(60));
    assert_eq!(args.contract_id, "agent-7");
    assert_eq!((args.tip.as_str(), args.wait), ("1", Wait::None));

    // A text value may start with a hyphen; --clear is still the flag.
    let DomainCommand::SetText { value, clear, .. } =
        domain(&["set-text", "a.ghost", "note", "-5", "--from", "//A"])
    else {
        panic!("not set-text")
    };
    assert_eq!((value.as_deref(), clear), (Some("-5"), false));
    let DomainCommand::SetText { value, clear, .. } =
        domain(&["set-text", "a.ghost", "note", "--clear", "--from", "//A"])
    else {
        panic!("not set-text")
    };
    assert_eq!((value, clear), (None, true));
}

#[test]
fn management_calls() {
    let alice = dev("Alice");
    let bob = dev("Bob").to_string();
    let a = name("alice.ghost");

    assert_eq!(
        planned(
            &[
                "approve",
                "Alice.ghost",
                "--account",
                &bob,
                "--from",
                "//Alice"
            ],
            0
        ),
        (
            alice,
            DomainCall::Approve {
                name: a.clone(),
                account: Some(dev("Bob"))
            },
            Change::Approval(ApprovalSet {
                name: a.clone(),
                approved: Some(dev("Bob"))
            })
        )
    );
    let (_, call, _) = planned(&["approve", "alice.ghost", "--clear", "--from", "//A"], 0);
    assert_eq!(
        call,
        DomainCall::Approve {
            name: a.clone(),
            account: None
        }
    );

    for (flag, approved) in [("--approve", true), ("--revoke", false)] {
        let (signer, call, change) = planned(&["operator", &bob, flag, "--from", "//Alice"], 0);
        assert_eq!(signer, alice);
        assert_eq!(
            call,
            DomainCall::SetOperator {
                operator: dev("Bob"),
                approved
            }
        );
        let Change::Operator(set) = change else {
            panic!("not an operator change")
        };
        assert_eq!((set.owner, set.approved), (alice, approved));
    }

    let (_, call, change) = planned(&["primary", "alice.ghost", "--from", "//Alice"], 0);
    assert_eq!(
        call,
        DomainCall::SetPrimaryName {
            name: Some(a.clone())
        }
    );
    assert_eq!(
        change,
        Change::Primary(PrimarySet {
            address: alice,
            name: Some(a.clone())
        })
    );
    let (_, call, _) = planned(&["primary", "--clear", "--from", "//Alice"], 0);
    assert_eq!(call, DomainCall::SetPrimaryName { name: None });

    let key = dev("Key");
    for source in [
        vec!["--key", &key.to_hex()],
        vec!["--key", &key.to_string()],
        vec!["--suri", "//Key"],
    ] {
        let mut args = vec!["update-key", "alice.ghost", "--from", "//Alice"];
        args.extend(source);
        let (_, call, _) = planned(&args, 0);
        assert_eq!(
            call,
            DomainCall::SetUpdateKey {
                name: a.clone(),
                key: Some(key)
            },
            "{args:?}"
        );
    }
    let (_, call, _) = planned(
        &["update-key", "alice.ghost", "--clear", "--from", "//Alice"],
        0,
    );
    assert_eq!(
        call,
        DomainCall::SetUpdateKey {
            name: a.clone(),
            key: None
        }
    );

    let (_, call, _) = planned(&["clear-records", "alice.ghost", "--from", "//A"], 0);
    assert_eq!(call, DomainCall::ClearRecords { name: a.clone() });

    let web3 = |change: RecordChange| DomainCall::SetRecords {
        name: a.clone(),
        changes: vec![change],
    };
    let cases: [(&[&str], RecordChange); 6] = [
        (
            &["set-addr", "alice.ghost", "60", "0xD8dA6B"],
            RecordChange::SetAddress {
                coin_type: 60,
                address: Some(Bytes(vec![0xd8, 0xda, 0x6b])),
            },
        ),
        (
            &["set-addr", "alice.ghost", "0", "--clear"],
            RecordChange::SetAddress {
                coin_type: 0,
                address: None,
            },
        ),
        (
            &["set-text", "alice.ghost", "url", "https://alice.example"],
            RecordChange::SetText {
                key: "url".into(),
                value: Some("https://alice.example".into()),
            },
        ),
        (
            &["set-text", "alice.ghost", "url", "--clear"],
            RecordChange::SetText {
                key: "url".into(),
                value: None,
            },
        ),
        (
            &["set-contenthash", "alice.ghost", "0xe30101"],
            RecordChange::SetContenthash(Some(Bytes(vec![0xe3, 1, 1]))),
        ),
        (
            &["set-contenthash", "alice.ghost", "--clear"],
            RecordChange::SetContenthash(None),
        ),
    ];
    for (args, change) in cases {
        let mut args = args.to_vec();
        args.extend(["--from", "//A"]);
        assert_eq!(planned(&args, 0).1, web3(change), "{args:?}");
    }

    // The commands that existed before build the same calls as before.
    let (_, call, _) = planned(
        &["transfer", "alice.ghost", "--to", &bob, "--from", "//A"],
        0,
    );
    assert_eq!(
        call,
        DomainCall::Transfer {
            name: a.clone(),
            new_owner: dev("Bob")
        }
    );
    let (_, call, _) = planned(
        &[
            "subname",
            "alice.ghost",
            "WWW",
            "--owner",
            &bob,
            "--from",
            "//A",
            "--lock",
        ],
        0,
    );
    assert_eq!(
        call,
        DomainCall::SetSubnameOwner {
            parent: a.clone(),
            label: "www".into(),
            owner: dev("Bob"),
            lock: true
        }
    );
    let (_, call, _) = planned(
        &[
            "set-record",
            "alice.ghost",
            "A",
            "10.0.0.1",
            "--from",
            "//A",
        ],
        0,
    );
    let record = build_record("A", &["10.0.0.1".into()], &RecordPlacement::default()).unwrap();
    assert_eq!(
        call,
        DomainCall::SetRecord {
            name: a.clone(),
            record: record.clone()
        }
    );
    let (_, call, _) = planned(
        &[
            "remove-record",
            "alice.ghost",
            "A",
            "10.0.0.1",
            "--from",
            "//A",
        ],
        0,
    );
    assert_eq!(
        call,
        DomainCall::SetRecords {
            name: a,
            changes: vec![RecordChange::Remove(record)]
        }
    );
}

#[test]
fn signed_update_is_signed_by_the_signer_and_paid_by_the_relayer() {
    let now = 1_700_000_000_000;
    let (relayer, call, change) = planned(
        &[
            "signed-update",
            "Alice.ghost",
            "--signer",
            "//Key",
            "--relayer",
            "//Bob",
            "--record",
            "A=10.0.0.9",
            "--ttl",
            "60",
            "--contract-id",
            "agent",
        ],
        now,
    );
    assert_eq!(relayer, dev("Bob"));
    let DomainCall::SetRecordsSigned { update } = call else {
        panic!("not a signed update: {call:?}")
    };
    assert_eq!(update.domain, name("alice.ghost"));
    assert_eq!(update.owner_address, dev("Key"));
    assert_eq!(update.timestamp, now);
    assert_eq!(update.contract_id, Bytes(b"agent".to_vec()));
    assert_eq!(
        update.records.iter().map(record_line).collect::<Vec<_>>(),
        ["@ 60 A 10.0.0.9"]
    );
    // The pallet's own check: the canonical payload for this chain and sequence, signed by the
    // signer.
    assert_eq!(update.sequence, SEQUENCE);
    assert!(update.signature_is_valid(&GENESIS));
    assert!(!update.signature_is_valid(&Hash([0x48; 32])));
    let mut forged = update.clone();
    forged.timestamp += 1;
    assert!(!forged.signature_is_valid(&GENESIS));

    let json: serde_json::Value =
        serde_json::from_str(&Output::buffer(true).render(&change).unwrap()).unwrap();
    assert_eq!(json["signer"], dev("Key").to_string());
    assert_eq!(json["relayer"], dev("Bob").to_string());
    assert_eq!(json["timestamp"], now);
    assert_eq!(json["contract_id"], "agent");
    assert_eq!(json["records"][0]["value"], "10.0.0.9");
    let text = Output::buffer(false).render(&change).unwrap();
    assert!(text.contains("records: @ 60 A 10.0.0.9\n"), "{text}");

    // No records: every DNS record goes.
    let (_, call, change) = planned(
        &[
            "signed-update",
            "alice.ghost",
            "--signer",
            "//Key",
            "--relayer",
            "//Bob",
        ],
        now,
    );
    assert!(
        matches!(call, DomainCall::SetRecordsSigned { ref update } if update.records.is_empty())
    );
    assert!(
        Output::buffer(false)
            .render(&change)
            .unwrap()
            .contains("records: (none)\n")
    );
}

mod reports;
