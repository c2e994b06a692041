//! Record changes (`set_records`, `set_record`, `clear_records`), their atomicity, and every
//! record limit.

use ghost_primitives::{Bytes, RecordType, Web3Records};
use parity_scale_codec::{Decode, Encode};

use super::*;
use crate::{Call, Error, RecordChange};

use RecordChange::{Remove, Upsert};

fn set_records(who: u8, n: &str, changes: Vec<RecordChange>) -> DispatchResult {
    signed(
        who,
        Call::SetRecords {
            name: name(n),
            changes,
        },
    )
}

fn set_records_call(changes: Vec<RecordChange>) -> Call {
    Call::SetRecords {
        name: name("alice.ghost"),
        changes,
    }
}

/// Registers `alice.ghost` for account 1.
fn alice() {
    assert_eq!(register(1, "alice.ghost"), Ok(()));
}

fn text(key: &str, value: Option<&str>) -> RecordChange {
    RecordChange::SetText {
        key: key.into(),
        value: value.map(Into::into),
    }
}

#[test]
fn set_records_adds_and_removes_dns_records() {
    new_test_ext().execute_with(|| {
        alice();
        let (a1, a2, www) = (
            rec("@", "A=10.0.0.1"),
            rec("@", "A=10.0.0.2"),
            rec("www", "CNAME=alice.ghost"),
        );
        assert_eq!(
            set_records(
                1,
                "alice.ghost",
                vec![Upsert(www.clone()), Upsert(a2.clone()), Upsert(a1.clone())]
            ),
            Ok(())
        );
        assert_eq!(
            records_of("alice.ghost").dns,
            vec![a1.clone(), a2.clone(), www.clone()]
        );

        assert_eq!(set_records(1, "alice.ghost", vec![Remove(a1)]), Ok(()));

        assert_eq!(records_of("alice.ghost").dns, vec![a2.clone(), www.clone()]);
        assert_eq!(
            last_event(),
            Some(Event::RecordsChanged {
                name: name("alice.ghost"),
                records: vec![a2, www],
                web3_entries: 0
            })
        );
    });
}

#[test]
fn set_record_of_an_existing_record_updates_its_ttl() {
    new_test_ext().execute_with(|| {
        alice();
        let set_record = |ttl| Call::SetRecord {
            name: name("alice.ghost"),
            record: rec_ttl("@", "A=10.0.0.1", ttl),
        };
        assert_eq!(signed(1, set_record(300)), Ok(()));

        assert_eq!(signed(1, set_record(60)), Ok(()));

        assert_eq!(
            records_of("alice.ghost").dns,
            vec![rec_ttl("@", "A=10.0.0.1", 60)]
        );
    });
}

#[test]
fn removing_a_missing_record_is_refused() {
    new_test_ext().execute_with(|| {
        alice();
        assert_eq!(
            set_records(1, "alice.ghost", vec![Upsert(rec("@", "A=10.0.0.1"))]),
            Ok(())
        );

        assert_noop(
            Origin::signed(acc(1)),
            set_records_call(vec![Remove(rec("@", "A=10.0.0.2"))]),
            Error::RecordNotFound,
        );
    });
}

#[test]
fn replace_set_replaces_one_type_at_one_label() {
    new_test_ext().execute_with(|| {
        alice();
        let before = ["A=10.0.0.1", "A=10.0.0.2", "AAAA=2001:db8::1"].map(|r| Upsert(rec("@", r)));
        let www = rec("www", "A=10.0.0.3");
        let mut changes = before.to_vec();
        changes.push(Upsert(www.clone()));
        assert_eq!(set_records(1, "alice.ghost", changes), Ok(()));

        let replace = RecordChange::ReplaceSet {
            label: RecordLabel::apex(),
            rtype: RecordType::A,
            ttl: 60,
            values: vec![RecordData::A([10, 0, 0, 9])],
        };
        assert_eq!(set_records(1, "alice.ghost", vec![replace]), Ok(()));

        assert_eq!(
            records_of("alice.ghost").dns,
            vec![
                rec_ttl("@", "A=10.0.0.9", 60),
                rec("@", "AAAA=2001:db8::1"),
                www
            ]
        );
    });
}

#[test]
fn replace_set_with_no_values_deletes_the_set() {
    new_test_ext().execute_with(|| {
        alice();
        let changes = vec![
            Upsert(rec("@", "A=10.0.0.1")),
            Upsert(rec("@", "TXT=hello")),
        ];
        assert_eq!(set_records(1, "alice.ghost", changes), Ok(()));

        let delete = RecordChange::ReplaceSet {
            label: RecordLabel::apex(),
            rtype: RecordType::A,
            ttl: 60,
            values: vec![],
        };
        assert_eq!(set_records(1, "alice.ghost", vec![delete]), Ok(()));

        assert_eq!(records_of("alice.ghost").dns, vec![rec("@", "TXT=hello")]);
    });
}

#[test]
fn replace_set_refuses_values_of_another_type() {
    new_test_ext().execute_with(|| {
        alice();
        let replace = RecordChange::ReplaceSet {
            label: RecordLabel::apex(),
            rtype: RecordType::A,
            ttl: 60,
            values: vec![RecordData::A([10, 0, 0, 1]), RecordData::AAAA([0; 16])],
        };

        assert_noop(
            Origin::signed(acc(1)),
            set_records_call(vec![replace]),
            Error::RecordTypeMismatch,
        );
    });
}

#[test]
fn web3_addresses_texts_and_contenthash_are_set_and_cleared() {
    new_test_ext().execute_with(|| {
        alice();
        let eth = Bytes(vec![0xab; 20]);
        let ipfs = Bytes(vec![0xe3, 0x01, 0x01]);
        let set = vec![
            RecordChange::SetAddress {
                coin_type: 60,
                address: Some(eth.clone()),
            },
            text("url", Some("https://alice.example")),
            RecordChange::SetContenthash(Some(ipfs.clone())),
        ];
        assert_eq!(set_records(1, "alice.ghost", set), Ok(()));

        let web3 = Domains::resolve(&name("alice.ghost")).unwrap().web3;
        assert_eq!(web3.addresses.get(&60), Some(&eth));
        assert_eq!(
            web3.texts.get("url").map(String::as_str),
            Some("https://alice.example")
        );
        assert_eq!(web3.contenthash, Some(ipfs));
        assert_eq!(
            last_event(),
            Some(Event::RecordsChanged {
                name: name("alice.ghost"),
                records: vec![],
                web3_entries: 3
            })
        );

        let clear = vec![
            RecordChange::SetAddress {
                coin_type: 60,
                address: None,
            },
            text("url", None),
            RecordChange::SetContenthash(None),
        ];
        assert_eq!(set_records(1, "alice.ghost", clear), Ok(()));

        assert_eq!(
            Domains::resolve(&name("alice.ghost")).unwrap().web3,
            Web3Records::default()
        );
        assert_eq!(
            pallet::Records::get(&name("alice.ghost").namehash()),
            None,
            "nothing left is stored"
        );
    });
}

#[test]
fn a_failing_change_leaves_the_whole_batch_unapplied() {
    new_test_ext().execute_with(|| {
        alice();
        assert_eq!(
            set_records(1, "alice.ghost", vec![Upsert(rec("@", "A=10.0.0.1"))]),
            Ok(())
        );
        let batch = vec![
            Upsert(rec("@", "A=10.0.0.2")),
            text("url", Some("https://alice.example")),
            Remove(rec("@", "A=10.0.0.1")),
            Remove(rec("@", "A=10.0.0.1")),
        ];

        assert_noop(
            Origin::signed(acc(1)),
            set_records_call(batch),
            Error::RecordNotFound,
        );
        assert_eq!(records_of("alice.ghost").dns, vec![rec("@", "A=10.0.0.1")]);
    });
}

#[test]
fn clear_records_removes_every_record() {
    new_test_ext().execute_with(|| {
        alice();
        let changes = vec![
            Upsert(rec("@", "A=10.0.0.1")),
            text("url", Some("https://alice.example")),
        ];
        assert_eq!(set_records(1, "alice.ghost", changes), Ok(()));

        assert_eq!(
            signed(
                1,
                Call::ClearRecords {
                    name: name("alice.ghost")
                }
            ),
            Ok(())
        );

        assert_eq!(pallet::Records::get(&name("alice.ghost").namehash()), None);
        assert_eq!(
            last_event(),
            Some(Event::RecordsChanged {
                name: name("alice.ghost"),
                records: vec![],
                web3_entries: 0
            })
        );
    });
}

#[test]
fn a_stranger_cannot_change_records() {
    new_test_ext().execute_with(|| {
        alice();
        let stranger = || Origin::signed(acc(2));

        assert_noop(
            stranger(),
            set_records_call(vec![Upsert(rec("@", "A=10.0.0.1"))]),
            Error::NotOwner,
        );
        assert_noop(
            stranger(),
            Call::SetRecord {
                name: name("alice.ghost"),
                record: rec("@", "A=10.0.0.1"),
            },
            Error::NotOwner,
        );
        assert_noop(
            stranger(),
            Call::ClearRecords {
                name: name("alice.ghost"),
            },
            Error::NotOwner,
        );
    });
}

#[test]
fn an_approved_account_changes_records() {
    new_test_ext().execute_with(|| {
        alice();
        assert_eq!(
            signed(
                1,
                Call::Approve {
                    name: name("alice.ghost"),
                    account: Some(acc(2))
                }
            ),
            Ok(())
        );

        assert_eq!(
            set_records(2, "alice.ghost", vec![Upsert(rec("@", "A=10.0.0.1"))]),
            Ok(())
        );

        assert_eq!(records_of("alice.ghost").dns, vec![rec("@", "A=10.0.0.1")]);
    });
}

#[test]
fn records_of_an_unregistered_name_are_refused() {
    new_test_ext().execute_with(|| {
        assert_noop(
            Origin::signed(acc(1)),
            Call::SetRecord {
                name: name("nobody.ghost"),
                record: rec("@", "A=10.0.0.1"),
            },
            Error::NotRegistered,
        );
    });
}

#[test]
fn a_cname_cannot_share_its_label_with_another_record() {
    new_test_ext().execute_with(|| {
        alice();
        assert_eq!(
            set_records(1, "alice.ghost", vec![Upsert(rec("@", "A=10.0.0.1"))]),
            Ok(())
        );
        let upsert = |r: DnsRecord| set_records_call(vec![Upsert(r)]);

        assert_noop(
            Origin::signed(acc(1)),
            upsert(rec("@", "CNAME=example.com")),
            Error::CnameConflict,
        );

        // Alone at its label a CNAME is fine, but then nothing else may join it, not even a CNAME.
        assert_eq!(
            set_records(
                1,
                "alice.ghost",
                vec![Upsert(rec("www", "CNAME=example.com"))]
            ),
            Ok(())
        );
        assert_noop(
            Origin::signed(acc(1)),
            upsert(rec("www", "TXT=hello")),
            Error::CnameConflict,
        );
        assert_noop(
            Origin::signed(acc(1)),
            upsert(rec("www", "CNAME=example.org")),
            Error::CnameConflict,
        );
    });
}

#[test]
fn an_ip_address_that_does_not_parse_never_becomes_a_record() {
    // A and AAAA values are typed bytes, so a bad address can only be refused when parsed.
    for bad in [
        "A=10.0.0.256",
        "A=10.0.0",
        "A=::1",
        "A=alice.ghost",
        "AAAA=10.0.0.1",
        "AAAA=2001:db8::g",
    ] {
        assert!(RecordData::parse_assignment(bad).is_err(), "{bad}");
    }
    let json = serde_json::json!({"type": "A", "label": "@", "ttl": 60, "value": "300.1.1.1"});
    assert!(serde_json::from_value::<DnsRecord>(json).is_err());
}

#[test]
fn an_oversize_txt_string_is_refused() {
    new_test_ext().execute_with(|| {
        alice();
        let oversize = DnsRecord::apex(RecordData::TXT(vec![vec![b'a'; 256]]));
        let call = Call::SetRecord {
            name: name("alice.ghost"),
            record: oversize,
        };

        // A transaction carrying it does not even decode ...
        assert!(Call::decode(&mut &call.encode()[..]).is_err());
        // ... and the pallet refuses it when handed one directly.
        assert_noop(Origin::signed(acc(1)), call, Error::InvalidRecord);
        // The text form splits long values into strings of at most 255 bytes.
        let long = RecordData::parse(RecordType::TXT, &"a".repeat(256)).unwrap();
        assert_eq!(long, RecordData::TXT(vec![vec![b'a'; 255], vec![b'a']]));
    });
}

#[test]
fn more_dns_records_than_the_limit_are_refused() {
    new_test_ext().execute_with(|| {
        alice();
        let max = test_params().max_dns_records as u8;
        let records = |n: u8| {
            (1..=n)
                .map(|i| Upsert(DnsRecord::apex(RecordData::A([10, 0, 0, i]))))
                .collect()
        };

        assert_noop(
            Origin::signed(acc(1)),
            set_records_call(records(max + 1)),
            Error::TooManyRecords,
        );
        assert_eq!(set_records(1, "alice.ghost", records(max)), Ok(()));
    });
}

#[test]
fn more_web3_entries_than_the_limit_are_refused() {
    new_test_ext().execute_with(|| {
        alice();
        let max = test_params().max_web3_entries;
        let texts = |n: u32| {
            (0..n)
                .map(|i| text(&format!("key{i}"), Some("value")))
                .collect()
        };

        assert_noop(
            Origin::signed(acc(1)),
            set_records_call(texts(max + 1)),
            Error::TooManyWeb3Entries,
        );
        assert_eq!(set_records(1, "alice.ghost", texts(max)), Ok(()));
    });
}

#[test]
fn records_larger_than_the_byte_limit_are_refused() {
    new_test_ext().execute_with(|| {
        alice();
        // One record of nine 255-byte strings: over 2 KiB.
        let big = DnsRecord::apex(RecordData::TXT(vec![vec![b'a'; 255]; 9]));
        assert!(big.encoded_size() > test_params().max_record_bytes as usize);

        assert_noop(
            Origin::signed(acc(1)),
            set_records_call(vec![Upsert(big)]),
            Error::RecordsTooLarge,
        );
    });
}

#[test]
fn a_record_whose_absolute_name_exceeds_253_bytes_is_refused() {
    new_test_ext().execute_with(|| {
        alice();
        // `label.alice.ghost` may be 253 bytes, so the label at most 241.
        let label = |len: usize| {
            let long = format!("{0}.{0}.{0}.{1}", "x".repeat(63), "x".repeat(len - 3 * 64));
            DnsRecord {
                label: RecordLabel::parse(&long).unwrap(),
                ttl: 60,
                data: RecordData::A([10, 0, 0, 1]),
            }
        };
        assert_eq!(label(242).label.under("alice.ghost").len(), 254);

        assert_noop(
            Origin::signed(acc(1)),
            set_records_call(vec![Upsert(label(242))]),
            Error::RecordNameTooLong,
        );
        assert_eq!(
            set_records(1, "alice.ghost", vec![Upsert(label(241))]),
            Ok(())
        );
    });
}

#[test]
fn more_changes_per_call_than_the_bound_are_refused_before_any_work() {
    new_test_ext().execute_with(|| {
        alice();
        let bound = test_params().max_changes_per_call() as usize;
        assert_eq!(bound, 2 * (8 + 4));
        // The same upsert again and again: the records would stay within every limit, but the
        // call carries more work than the chain spec allows in one call.
        let same = || Upsert(rec("@", "A=10.0.0.1"));

        assert_noop(
            Origin::signed(acc(1)),
            set_records_call(vec![same(); bound + 1]),
            Error::TooManyChanges,
        );
        assert_eq!(set_records(1, "alice.ghost", vec![same(); bound]), Ok(()));
        assert_eq!(records_of("alice.ghost").dns, vec![rec("@", "A=10.0.0.1")]);
    });
}

#[test]
fn a_signed_update_or_registration_with_more_records_than_the_bound_is_refused() {
    new_test_ext_with(no_commitment_params()).execute_with(|| {
        let bound = test_params().max_changes_per_call();
        let records: Vec<DnsRecord> = (0..=bound)
            .map(|i| rec("@", &format!("A=10.0.{}.{}", i / 256, i % 256)))
            .collect();
        let call = Call::Register {
            name: name("alice.ghost"),
            owner: acc(1),
            duration_ms: crate::YEAR_MS,
            secret: Hash::ZERO,
            records,
        };
        assert_noop(Origin::signed(acc(1)), call, Error::TooManyChanges);
    });
}

#[test]
fn changes_apply_in_order_whatever_their_mix() {
    new_test_ext().execute_with(|| {
        alice();
        let changes = vec![
            Upsert(rec("@", "A=10.0.0.1")),
            Upsert(rec("@", "A=10.0.0.2")),
            Upsert(rec("www", "TXT=one")),
            Remove(rec("@", "A=10.0.0.1")),
            RecordChange::ReplaceSet {
                label: RecordLabel::parse("www").unwrap(),
                rtype: RecordType::TXT,
                ttl: 60,
                values: vec![
                    RecordData::parse_assignment("TXT=two").unwrap(),
                    RecordData::parse_assignment("TXT=two").unwrap(),
                ],
            },
            Upsert(rec_ttl("@", "A=10.0.0.2", 30)),
            Upsert(rec("@", "A=10.0.0.1")),
        ];

        assert_eq!(set_records(1, "alice.ghost", changes), Ok(()));

        // A duplicated value of a set is one record; the last TTL wins; stored sorted.
        let mut expected = vec![
            rec("@", "A=10.0.0.1"),
            rec_ttl("@", "A=10.0.0.2", 30),
            rec_ttl("www", "TXT=two", 60),
        ];
        expected.sort();
        assert_eq!(records_of("alice.ghost").dns, expected);
    });
}
