//! Tests of `ghost domain`: reports (human and JSON), value parsers, and input checks.

use super::*;

#[test]
fn management_reports() {
    let render = |change: Change| {
        (
            Output::buffer(false).render(&change).unwrap(),
            serde_json::from_str::<serde_json::Value>(
                &Output::buffer(true).render(&change).unwrap(),
            )
            .unwrap(),
        )
    };
    let a = name("alice.ghost");
    let (text, json) = render(Change::Address(AddressSet {
        name: a.clone(),
        coin_type: 60,
        address: Some(Bytes(vec![0xab, 0xcd])),
    }));
    assert_eq!(text, "name: alice.ghost\ncoin_type: 60\naddress: 0xabcd\n");
    assert_eq!(
        json,
        serde_json::json!({"name": "alice.ghost", "coin_type": 60, "address": "0xabcd"})
    );
    let (text, json) = render(Change::Text(TextSet {
        name: a.clone(),
        key: "url".into(),
        value: None,
    }));
    assert_eq!(text, "name: alice.ghost\nkey: url\nvalue: (none)\n");
    assert_eq!(
        json,
        serde_json::json!({"name": "alice.ghost", "key": "url", "value": null})
    );
    let (text, json) = render(Change::Primary(PrimarySet {
        address: dev("Alice"),
        name: None,
    }));
    assert_eq!(text, format!("address: {}\nname: (none)\n", dev("Alice")));
    assert_eq!(json["name"], serde_json::Value::Null);
    let (text, _) = render(Change::UpdateKey(UpdateKeySet {
        name: a.clone(),
        update_key: Some(dev("Key")),
    }));
    assert!(text.ends_with(&format!("update_key: {}\n", dev("Key"))));
    let (_, json) = render(Change::RecordRemoved(RecordRemoved {
        name: a.clone(),
        label: RecordLabel::apex(),
        rtype: RecordType::A,
        value: "10.0.0.1".into(),
        record: build_record("A", &["10.0.0.1".into()], &RecordPlacement::default()).unwrap(),
    }));
    assert_eq!(
        json,
        serde_json::json!({"name": "alice.ghost", "label": "@", "type": "A", "value": "10.0.0.1"})
    );

    // After inclusion: the change's fields, then the block's.
    let report = TxReport {
        details: Change::RecordsCleared(RecordsCleared { name: a }),
        tx: TxInfo {
            block_number: Some(3),
            block_hash: Some(Hash([2; 32])),
            extrinsic_hash: Hash([1; 32]),
        },
    };
    let json: serde_json::Value =
        serde_json::from_str(&Output::buffer(true).render(&report).unwrap()).unwrap();
    assert_eq!(json["name"], "alice.ghost");
    assert_eq!(json["block_number"], 3);
    let text = Output::buffer(false).render(&report).unwrap();
    assert!(
        text.starts_with("name: alice.ghost\nblock_number: 3\n"),
        "{text}"
    );
}

#[test]
fn value_parsers() {
    assert_eq!(
        parse_record_bytes("0x0102", "address").unwrap(),
        Bytes(vec![1, 2])
    );
    for bad in ["0102", "0x0", "0xzz", "0x"] {
        let message = parse_record_bytes(bad, "address").unwrap_err().to_string();
        assert!(
            message.starts_with(&format!("invalid address `{bad}`")),
            "{message}"
        );
    }
    assert_eq!(parse_update_key(None, None).unwrap(), None);
    assert!(
        parse_update_key(Some("0x1234"), None)
            .unwrap_err()
            .to_string()
            .starts_with("--key: invalid public key `0x1234`")
    );
    assert!(
        format!("{:#}", parse_update_key(None, Some("Key")).unwrap_err())
            .starts_with("--suri: invalid secret URI")
    );
    let long = "x".repeat(MAX_CONTRACT_ID_LEN + 1);
    let genesis = Hash::ZERO;
    let message = signed_update(
        &name("a.ghost"),
        &long,
        vec![],
        &Pair::dev("K"),
        1,
        &genesis,
        0,
    )
    .unwrap_err()
    .to_string();
    assert!(
        message.starts_with("--contract-id: at most 64 bytes"),
        "{message}"
    );
    let exact = "x".repeat(MAX_CONTRACT_ID_LEN);
    assert!(
        signed_update(
            &name("a.ghost"),
            &exact,
            vec![],
            &Pair::dev("K"),
            1,
            &genesis,
            0
        )
        .is_ok()
    );
}

#[test]
fn durations_in_ms() {
    let d = |years, days, seconds| DurationArgs {
        years,
        days,
        seconds,
    };
    assert_eq!(d(None, None, None).to_ms().unwrap(), YEAR_MS);
    assert_eq!(d(Some(2), None, None).to_ms().unwrap(), 2 * 365 * DAY_MS);
    assert_eq!(d(None, Some(28), None).to_ms().unwrap(), 28 * 86_400_000);
    assert_eq!(d(None, None, Some(3)).to_ms().unwrap(), 3_000);
    let message = d(Some(u64::MAX / 1_000), None, None)
        .to_ms()
        .unwrap_err()
        .to_string();
    assert!(message.starts_with("--years "), "{message}");
    assert!(d(None, None, Some(u64::MAX)).to_ms().is_err());
}

#[test]
fn records_from_assignments() {
    let default = RecordPlacement::default();
    let records =
        build_records(&["A=10.0.0.1".into(), "TXT=v=spf1 -all".into()], &default).unwrap();
    assert_eq!(
        records.iter().map(record_line).collect::<Vec<_>>(),
        ["@ 300 A 10.0.0.1", "@ 300 TXT v=spf1 -all"]
    );
    let placed = RecordPlacement {
        label: Some("_sip._tcp".into()),
        ttl: Some(60),
    };
    let records = build_records(&["SRV=10 5 5060 sip.example.com".into()], &placed).unwrap();
    assert_eq!(records[0].label.as_str(), "_sip._tcp");
    assert_eq!(records[0].ttl, 60);
    assert!(build_records(&[], &placed).unwrap().is_empty());

    let message = build_records(&["A=10.0.0.256".into()], &default)
        .unwrap_err()
        .to_string();
    assert!(
        message.starts_with("--record `A=10.0.0.256`: "),
        "{message}"
    );
    assert!(build_records(&["A".into()], &default).is_err());
    let bad_label = RecordPlacement {
        label: Some("bad label".into()),
        ttl: None,
    };
    let message = build_records(&["A=10.0.0.1".into()], &bad_label)
        .unwrap_err()
        .to_string();
    assert!(message.starts_with("--label: "), "{message}");

    assert!(build_record("BOGUS", &["1".into()], &default).is_err());
    assert!(build_record("AAAA", &["10.0.0.1".into()], &default).is_err());
    let record = build_record("cname", &["Target.Example.com.".into()], &default).unwrap();
    assert_eq!(record_line(&record), "@ 300 CNAME target.example.com");
}

#[test]
fn iso_dates() {
    for (ms, text) in [
        (0, "1970-01-01T00:00:00Z"),
        (1_700_000_000_000, "2023-11-14T22:13:20Z"),
        (1_700_000_000_123, "2023-11-14T22:13:20.123Z"),
        (951_782_400_000, "2000-02-29T00:00:00Z"),
        (1_709_164_800_000, "2024-02-29T00:00:00Z"),
        (1_719_791_999_999, "2024-06-30T23:59:59.999Z"),
        (4_102_444_800_000, "2100-01-01T00:00:00Z"),
        (253_402_300_799_000, "9999-12-31T23:59:59Z"),
    ] {
        assert_eq!(iso8601(ms), text, "{ms}");
    }
    // Far beyond year 9999: the raw count, no panic.
    assert_eq!(
        iso8601(u64::MAX),
        format!("{} ms after 1970-01-01T00:00:00Z", u64::MAX)
    );
}

#[test]
fn names_are_normalized() {
    assert_eq!(
        parse_name("Bücher.ghost").unwrap().as_str(),
        "xn--bcher-kva.ghost"
    );
    assert_eq!(parse_name("Alice.Ghost.").unwrap().as_str(), "alice.ghost");
    assert!(
        parse_name("alice")
            .unwrap_err()
            .to_string()
            .starts_with("invalid name `alice`: ")
    );
    let parent = parse_name("alice.ghost").unwrap();
    assert_eq!(
        subname_of(&parent, "WWW").unwrap().as_str(),
        "www.alice.ghost"
    );
    assert_eq!(
        subname_of(&parent, "Bücher").unwrap().as_str(),
        "xn--bcher-kva.alice.ghost"
    );
    assert!(subname_of(&parent, "a.b").is_err());
    assert!(subname_of(&parent, "").is_err());
    assert_eq!(parse_suffix(".Ghost").unwrap(), "ghost");
    assert_eq!(parse_suffix("Bücher.ghost").unwrap(), "xn--bcher-kva.ghost");
    assert!(parse_suffix("bad_suffix").is_err());
}

#[test]
fn secrets_are_fresh() {
    assert_ne!(random_secret().unwrap(), random_secret().unwrap());
}

#[test]
fn commitment_waits_for_either_clock() {
    assert_eq!(
        commitment_wait(10_000, 4_000, 7_000),
        Some(Duration::from_millis(3_000))
    );
    assert_eq!(commitment_wait(10_000, 10_000, 0), None);
    assert_eq!(commitment_wait(10_000, 0, 10_001), None);
}

#[test]
fn register_report_json_has_the_documented_keys() {
    let report = TxReport {
        details: Registered {
            name: parse_name("alice.ghost").unwrap(),
            owner: Pair::dev("Alice").public(),
            expires_at: Some(1_700_000_000_000),
            cost: 5_000_000_000_000,
        },
        tx: TxInfo {
            block_number: Some(3),
            block_hash: Some(Hash([2; 32])),
            extrinsic_hash: Hash([1; 32]),
        },
    };
    let json: serde_json::Value =
        serde_json::from_str(&Output::buffer(true).render(&report).unwrap()).unwrap();
    let mut keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "block_hash",
            "block_number",
            "cost",
            "expires_at",
            "extrinsic_hash",
            "name",
            "owner"
        ]
    );
    assert_eq!(json["cost"], 5_000_000_000_000u64);
    let text = Output::buffer(false).render(&report).unwrap();
    assert!(
        text.contains("expires_at: 2023-11-14T22:13:20Z (1700000000000)\n"),
        "{text}"
    );
    assert!(text.contains("cost: 5000000000000 (5.000000000000 GHOST)\n"));
    assert!(text.ends_with(&format!("extrinsic_hash: {}\n", Hash([1; 32]))));
}

fn resolution(records: Vec<DnsRecord>) -> ResolutionJson {
    let name = parse_name("alice.ghost").unwrap();
    ResolutionJson {
        namehash: name.namehash(),
        name,
        owner: Pair::dev("Alice").public(),
        records,
        web3: Default::default(),
        expires_at: 1_700_000_000_000,
        created_at: 0,
        status: "active".into(),
        parent: None,
        update_key: None,
        update_sequence: 0,
    }
}

#[test]
fn resolution_lines_list_records() {
    let records = build_records(&["A=10.0.0.1".into()], &RecordPlacement::default()).unwrap();
    let r = resolution(records);
    let text = Output::buffer(false).render(&Resolved(r.clone())).unwrap();
    assert_eq!(
        text,
        format!(
            "name: alice.ghost\nowner: {}\nstatus: active\n\
             expires: 2023-11-14T22:13:20Z (1700000000000)\n\
             created: 1970-01-01T00:00:00Z (0)\nrecord: @ 300 A 10.0.0.1\n",
            r.owner
        )
    );
    let json: serde_json::Value =
        serde_json::from_str(&Output::buffer(true).render(&Resolved(r.clone())).unwrap()).unwrap();
    assert_eq!(json, serde_json::to_value(&r).unwrap());
}

#[test]
fn resolution_lines_list_web3_records() {
    let mut r = resolution(vec![]);
    r.web3.addresses.insert(60, Bytes(vec![0xd8, 0xda]));
    r.web3.addresses.insert(0, Bytes(vec![0x00, 0x14]));
    r.web3
        .texts
        .insert("url".into(), "https://alice.example".into());
    r.web3.texts.insert("avatar".into(), "ipfs://x".into());
    r.web3.contenthash = Some(Bytes(vec![0xe3, 0x01]));
    let text = Output::buffer(false).render(&Resolved(r)).unwrap();
    assert!(
        text.ends_with(
            "address[0]: 0x0014\naddress[60]: 0xd8da\ntext[avatar]: ipfs://x\n\
             text[url]: https://alice.example\ncontenthash: 0xe301\n"
        ),
        "{text}"
    );
}

#[test]
fn watch_lines() {
    let block = DomainChangesJson {
        block_height: 7,
        block_hash: Hash([1; 32]),
        changes: vec![
            DomainChangeJson {
                domain: parse_name("alice.ghost").unwrap(),
                change_type: "created".into(),
                new_owner: Some(Pair::dev("Alice").public()),
                new_records: None,
                extrinsic_index: Some(1),
                index: 0,
                state: None,
            },
            DomainChangeJson {
                domain: parse_name("alice.ghost").unwrap(),
                change_type: "updated".into(),
                new_owner: None,
                new_records: Some(
                    build_records(
                        &["A=10.0.0.1".into(), "A=10.0.0.2".into()],
                        &RecordPlacement::default(),
                    )
                    .unwrap(),
                ),
                extrinsic_index: Some(1),
                index: 1,
                state: None,
            },
            DomainChangeJson {
                domain: parse_name("short.ghost").unwrap(),
                change_type: "expired".into(),
                new_owner: None,
                new_records: None,
                extrinsic_index: None,
                index: 2,
                state: None,
            },
        ],
        reverted: false,
        parent_hash: None,
    };
    assert_eq!(
        change_lines(&block),
        format!(
            "#7 alice.ghost created {}\n\
             #7 alice.ghost updated [@ 300 A 10.0.0.1; @ 300 A 10.0.0.2]\n\
             #7 short.ghost expired\n",
            Pair::dev("Alice").public()
        )
    );
}

#[tokio::test]
async fn bad_input_fails_without_connecting() {
    // Nothing listens on port 1: each error must come from the arguments.
    let endpoint = Endpoint {
        url: "ws://127.0.0.1:1".into(),
        timeout: Duration::from_secs(1),
    };
    for (args, expected) in [
        (
            vec![
                "register",
                "alice.ghost",
                "--from",
                "//Alice",
                "--record",
                "A=x",
            ],
            "--record `A=x`",
        ),
        (
            vec!["register", "alice", "--from", "//Alice"],
            "invalid name `alice`",
        ),
        (
            vec!["register", "alice.ghost", "--from", "Alice"],
            "--from: invalid secret URI",
        ),
        (
            vec![
                "transfer",
                "alice.ghost",
                "--to",
                "nope",
                "--from",
                "//Alice",
            ],
            "--to: invalid address `nope`",
        ),
        (
            vec![
                "set-record",
                "alice.ghost",
                "A",
                "1.2.3",
                "--from",
                "//Alice",
            ],
            "invalid A value",
        ),
        (vec!["list", "--owner", "nope"], "--owner: invalid address"),
        (vec!["primary-of", "nope"], "invalid address `nope`"),
        (
            vec!["approve", "a.ghost", "--account", "nope", "--from", "//A"],
            "--account: invalid address `nope`",
        ),
        (
            vec!["operator", "nope", "--approve", "--from", "//A"],
            "invalid address `nope`",
        ),
        (
            vec!["update-key", "a.ghost", "--key", "0x12", "--from", "//A"],
            "--key: invalid public key",
        ),
        (
            vec!["update-key", "a.ghost", "--suri", "K", "--from", "//A"],
            "--suri: invalid secret URI",
        ),
        (
            vec!["set-addr", "a.ghost", "60", "abcd", "--from", "//A"],
            "invalid address `abcd`",
        ),
        (
            vec!["set-contenthash", "a.ghost", "0x", "--from", "//A"],
            "invalid content hash `0x`",
        ),
        (
            vec!["set-text", "a.ghost", "", "v", "--from", "//A"],
            "the text key must not be empty",
        ),
        (
            vec!["clear-records", "a", "--from", "//A"],
            "invalid name `a`",
        ),
        (
            vec![
                "signed-update",
                "a.ghost",
                "--signer",
                "K",
                "--relayer",
                "//R",
            ],
            "--signer: invalid secret URI",
        ),
        (
            vec![
                "signed-update",
                "a.ghost",
                "--signer",
                "//K",
                "--relayer",
                "R",
            ],
            "--relayer: invalid secret URI",
        ),
        (
            vec![
                "signed-update",
                "a.ghost",
                "--signer",
                "//K",
                "--relayer",
                "//R",
                "--record",
                "A=1",
            ],
            "--record `A=1`",
        ),
        (vec!["watch", "--suffix", "a b"], "invalid suffix"),
    ] {
        let error = run(&endpoint, domain(&args), &Output::buffer(false))
            .await
            .unwrap_err();
        let message = format!("{error:#}");
        assert!(message.starts_with(expected), "{args:?}: {message}");
    }
}
