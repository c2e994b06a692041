//! Record updates signed off chain by a name's owner or update key and relayed by anyone.

use ghost_primitives::{Bytes, Pair, Signature};

use super::*;
use crate::{Call, Error, RecordChange, SignedRecordUpdate};

fn alice() -> Pair {
    Pair::dev("Alice")
}

fn bob() -> Pair {
    Pair::dev("Bob")
}

/// Registers `n` for `owner`'s dev account (account 1 pays).
fn register_for_pair(n: &str, owner: &Pair) {
    assert_eq!(register_for(1, n, owner.public()), Ok(()));
}

/// An update of `domain` to `records` at `timestamp`, signed by `signer` for this chain against
/// the name's current sequence number.
fn update(
    signer: &Pair,
    domain: &str,
    records: Vec<DnsRecord>,
    timestamp: Moment,
) -> SignedRecordUpdate {
    let sequence = info_of(domain).map_or(0, |info| info.update_sequence);
    update_for(
        signer,
        domain,
        records,
        timestamp,
        sequence,
        Domains::genesis_hash(),
    )
}

/// An update like [`update`] with an explicit sequence number and genesis hash.
fn update_for(
    signer: &Pair,
    domain: &str,
    records: Vec<DnsRecord>,
    timestamp: Moment,
    sequence: u64,
    genesis_hash: Hash,
) -> SignedRecordUpdate {
    let mut update = SignedRecordUpdate {
        domain: name(domain),
        contract_id: Bytes(b"contract-1".to_vec()),
        records,
        owner_address: signer.public(),
        timestamp,
        sequence,
        signature: Signature::default(),
    };
    update.signature = signer.sign(&update.signing_payload(&genesis_hash));
    update
}

/// The name's current update sequence number.
fn sequence_of(n: &str) -> u64 {
    info_of(n).expect("name exists").update_sequence
}

fn set_signed(update: SignedRecordUpdate) -> Call {
    Call::SetRecordsSigned { update }
}

/// Account 2 relays.
fn relay(update: SignedRecordUpdate) -> DispatchResult {
    signed(2, set_signed(update))
}

fn relayer() -> Origin {
    Origin::signed(acc(2))
}

#[test]
fn an_owner_signed_update_replaces_the_dns_records_and_keeps_web3() {
    new_test_ext().execute_with(|| {
        register_for_pair("alice.ghost", &alice());
        let changes = vec![
            RecordChange::Upsert(rec("@", "A=10.0.0.1")),
            RecordChange::SetText {
                key: "url".into(),
                value: Some("https://alice.example".into()),
            },
        ];
        let set = Call::SetRecords {
            name: name("alice.ghost"),
            changes,
        };
        assert_eq!(
            Domains::dispatch(set, Origin::signed(alice().public())),
            Ok(())
        );
        let now = System::now();
        let records = vec![rec("@", "A=10.0.0.2"), rec("www", "CNAME=alice.ghost")];

        assert_eq!(
            relay(update(&alice(), "alice.ghost", records.clone(), now)),
            Ok(())
        );

        let stored = records_of("alice.ghost");
        assert_eq!(stored.dns, records);
        assert_eq!(stored.web3.texts.len(), 1);
        assert_eq!(info_of("alice.ghost").unwrap().last_signed_update, now);
        let events = domain_events();
        assert_eq!(
            events[events.len() - 2..],
            [
                Event::RecordsChanged {
                    name: name("alice.ghost"),
                    records,
                    web3_entries: 1
                },
                Event::SignedUpdateApplied {
                    name: name("alice.ghost"),
                    signer: alice().public(),
                    timestamp: now
                },
            ]
        );
    });
}

#[test]
fn an_update_signed_by_the_update_key_is_applied() {
    new_test_ext().execute_with(|| {
        register_for_pair("alice.ghost", &alice());
        let key = Call::SetUpdateKey { name: name("alice.ghost"), key: Some(bob().public()) };
        assert_eq!(Domains::dispatch(key, Origin::signed(alice().public())), Ok(()));

        assert_eq!(relay(update(&bob(), "alice.ghost", vec![rec("@", "A=10.0.0.2")], System::now())), Ok(()));

        assert_eq!(records_of("alice.ghost").dns, vec![rec("@", "A=10.0.0.2")]);
        assert!(matches!(last_event(), Some(Event::SignedUpdateApplied { signer, .. }) if signer == bob().public()));
    });
}

#[test]
fn an_update_signed_by_neither_owner_nor_update_key_is_refused() {
    new_test_ext().execute_with(|| {
        register_for_pair("alice.ghost", &alice());

        let by_bob = update(
            &bob(),
            "alice.ghost",
            vec![rec("@", "A=10.0.0.2")],
            System::now(),
        );
        assert_noop(relayer(), set_signed(by_bob), Error::WrongSigner);
    });
}

#[test]
fn an_update_with_a_bad_signature_is_refused() {
    new_test_ext().execute_with(|| {
        register_for_pair("alice.ghost", &alice());
        let now = System::now();

        // Records changed after signing.
        let mut tampered = update(&alice(), "alice.ghost", vec![rec("@", "A=10.0.0.2")], now);
        tampered.records = vec![rec("@", "A=6.6.6.6")];
        assert_noop(relayer(), set_signed(tampered), Error::BadSignature);

        // Signed by Bob but claiming to be Alice.
        let mut forged = update(&bob(), "alice.ghost", vec![rec("@", "A=10.0.0.2")], now);
        forged.owner_address = alice().public();
        assert_noop(relayer(), set_signed(forged), Error::BadSignature);
    });
}

#[test]
fn a_replayed_or_older_update_is_refused() {
    new_test_ext().execute_with(|| {
        register_for_pair("alice.ghost", &alice());
        let now = System::now();
        let first = update(&alice(), "alice.ghost", vec![rec("@", "A=10.0.0.2")], now);
        assert_eq!(relay(first.clone()), Ok(()));

        // The applied update moved the sequence on: the very same bytes are refused.
        assert_noop(relayer(), set_signed(first), Error::WrongSequence);
        let older = update(
            &alice(),
            "alice.ghost",
            vec![rec("@", "A=10.0.0.3")],
            now - 1,
        );
        assert_noop(relayer(), set_signed(older), Error::StaleUpdate);
    });
}

#[test]
fn an_update_signed_for_another_chain_is_refused() {
    new_test_ext().execute_with(|| {
        register_for_pair("alice.ghost", &alice());
        assert_eq!(Domains::genesis_hash(), GENESIS_HASH);
        let records = vec![rec("@", "A=10.0.0.2")];
        let (now, sequence) = (System::now(), sequence_of("alice.ghost"));

        // Signed by the owner, fresh, at the right sequence, but for a chain with another
        // genesis: a replay from a testnet onto this chain.
        let other_chain = update_for(
            &alice(),
            "alice.ghost",
            records.clone(),
            now,
            sequence,
            Hash([1; 32]),
        );
        assert_noop(relayer(), set_signed(other_chain), Error::BadSignature);

        let this_chain = update_for(
            &alice(),
            "alice.ghost",
            records,
            now,
            sequence,
            GENESIS_HASH,
        );
        assert_eq!(relay(this_chain), Ok(()));
    });
}

#[test]
fn an_update_signed_before_a_direct_change_cannot_overwrite_it() {
    new_test_ext().execute_with(|| {
        register_for_pair("alice.ghost", &alice());
        // Signed now, held back by the relayer ...
        let held = update(
            &alice(),
            "alice.ghost",
            vec![rec("@", "A=10.0.0.1")],
            System::now(),
        );
        // ... while the owner sets newer records directly, in a later block.
        next_block_at(System::now() + 1_000);
        let newer = Call::SetRecords {
            name: name("alice.ghost"),
            changes: vec![RecordChange::Upsert(rec("@", "A=10.0.0.2"))],
        };
        assert_eq!(
            Domains::dispatch(newer, Origin::signed(alice().public())),
            Ok(())
        );

        assert_noop(relayer(), set_signed(held), Error::WrongSequence);
        assert_eq!(records_of("alice.ghost").dns, vec![rec("@", "A=10.0.0.2")]);
    });
}

#[test]
fn an_update_signed_ahead_of_the_current_sequence_is_refused() {
    new_test_ext().execute_with(|| {
        register_for_pair("alice.ghost", &alice());
        let ahead = sequence_of("alice.ghost") + 1;
        let early = update_for(
            &alice(),
            "alice.ghost",
            vec![rec("@", "A=10.0.0.1")],
            System::now(),
            ahead,
            GENESIS_HASH,
        );
        assert_noop(relayer(), set_signed(early), Error::WrongSequence);
    });
}

#[test]
fn every_record_change_moves_the_sequence_on() {
    new_test_ext().execute_with(|| {
        register_for_pair("alice.ghost", &alice());
        let owner = || Origin::signed(alice().public());
        let mut seen = vec![sequence_of("alice.ghost")];
        let mut step = |call: Option<Call>| {
            match call {
                Some(call) => assert_eq!(Domains::dispatch(call, owner()), Ok(())),
                None => assert_eq!(
                    relay(update(
                        &alice(),
                        "alice.ghost",
                        vec![rec("@", "A=10.0.0.3")],
                        System::now()
                    )),
                    Ok(())
                ),
            }
            let now = sequence_of("alice.ghost");
            assert_eq!(
                now,
                *seen.last().unwrap() + 1,
                "the sequence did not move on by one"
            );
            seen.push(now);
        };

        step(Some(Call::SetRecords {
            name: name("alice.ghost"),
            changes: vec![RecordChange::Upsert(rec("@", "A=10.0.0.1"))],
        }));
        step(Some(Call::SetRecord {
            name: name("alice.ghost"),
            record: rec("@", "A=10.0.0.2"),
        }));
        step(Some(Call::ClearRecords {
            name: name("alice.ghost"),
        }));
        step(None);

        // Another name starts in another epoch: it never shares one of alice's numbers.
        register_for_pair("bobby.ghost", &bob());
        assert_eq!(sequence_of("bobby.ghost"), seen[0] + (1 << 32));
    });
}

#[test]
fn a_signer_can_sign_consecutive_updates_ahead_and_batch_them() {
    new_test_ext().execute_with(|| {
        register_for_pair("alice.ghost", &alice());
        let (now, first) = (System::now(), sequence_of("alice.ghost"));
        let updates: Vec<_> = (0..3u64)
            .map(|i| {
                let records = vec![rec("@", &format!("A=10.0.0.{i}"))];
                update_for(&alice(), "alice.ghost", records, now + i, first + i, GENESIS_HASH)
            })
            .collect();

        assert_eq!(signed(2, Call::BatchSetRecordsSigned { updates: updates.clone() }), Ok(()));

        assert_eq!(records_of("alice.ghost").dns, vec![rec("@", "A=10.0.0.2")]);
        assert_eq!(sequence_of("alice.ghost"), first + 3);
        // Replaying the whole batch applies nothing.
        assert_eq!(signed(2, Call::BatchSetRecordsSigned { updates }), Ok(()));
        let refused = domain_events()
            .into_iter()
            .filter(|e| matches!(e, Event::SignedUpdateFailed { error, .. } if *error == Error::WrongSequence.into()))
            .count();
        assert_eq!(refused, 3);
    });
}

#[test]
fn an_update_outside_the_freshness_window_is_refused() {
    new_test_ext().execute_with(|| {
        register_for_pair("alice.ghost", &alice());
        let (now, window) = (System::now(), test_params().signed_update_window_ms);
        let at = |timestamp| {
            update(
                &alice(),
                "alice.ghost",
                vec![rec("@", "A=10.0.0.2")],
                timestamp,
            )
        };

        assert_noop(
            relayer(),
            set_signed(at(now - window - 1)),
            Error::UpdateOutsideWindow,
        );
        assert_noop(
            relayer(),
            set_signed(at(now + window + 1)),
            Error::UpdateOutsideWindow,
        );
        assert_eq!(relay(at(now - window)), Ok(()));
        assert_eq!(relay(at(now + window)), Ok(()));
    });
}

#[test]
fn a_contract_id_longer_than_64_bytes_is_refused() {
    new_test_ext().execute_with(|| {
        register_for_pair("alice.ghost", &alice());
        let with_id = |len: usize, timestamp| {
            let mut u = update(
                &alice(),
                "alice.ghost",
                vec![rec("@", "A=10.0.0.2")],
                timestamp,
            );
            u.contract_id = Bytes(vec![b'c'; len]);
            u.signature = alice().sign(&u.signing_payload(&Domains::genesis_hash()));
            u
        };

        assert_noop(
            relayer(),
            set_signed(with_id(65, System::now())),
            Error::ContractIdTooLong,
        );
        assert_eq!(relay(with_id(64, System::now())), Ok(()));
    });
}

#[test]
fn an_update_with_invalid_records_is_refused() {
    new_test_ext().execute_with(|| {
        register_for_pair("alice.ghost", &alice());
        let records = vec![rec("@", "CNAME=example.com"), rec("@", "A=10.0.0.1")];

        let conflicting = update(&alice(), "alice.ghost", records, System::now());
        assert_noop(relayer(), set_signed(conflicting), Error::CnameConflict);
    });
}

#[test]
fn an_update_of_an_expired_name_is_refused() {
    new_test_ext().execute_with(|| {
        register_for_pair("alice.ghost", &alice());
        let expires_at = expiry_of("alice.ghost");
        next_block_at(expires_at);

        let late = update(
            &alice(),
            "alice.ghost",
            vec![rec("@", "A=10.0.0.2")],
            expires_at,
        );
        assert_noop(relayer(), set_signed(late), Error::NameExpired);
    });
}

#[test]
fn the_previous_owners_update_key_cannot_sign_after_a_transfer() {
    new_test_ext().execute_with(|| {
        register_for_pair("alice.ghost", &alice());
        let seller = || Origin::signed(alice().public());
        let key = Call::SetUpdateKey {
            name: name("alice.ghost"),
            key: Some(bob().public()),
        };
        assert_eq!(Domains::dispatch(key, seller()), Ok(()));

        let sale = Call::Transfer {
            name: name("alice.ghost"),
            new_owner: acc(3),
        };
        assert_eq!(Domains::dispatch(sale, seller()), Ok(()));

        let hijack = update(
            &bob(),
            "alice.ghost",
            vec![rec("@", "A=6.6.6.6")],
            System::now(),
        );
        assert_noop(relayer(), set_signed(hijack), Error::WrongSigner);
    });
}

#[test]
fn a_batch_applies_the_valid_updates_and_reports_the_refused_ones() {
    new_test_ext().execute_with(|| {
        register_for_pair("alice.ghost", &alice());
        register_for_pair("bobby.ghost", &bob());
        let now = System::now();
        let mut too_long_id = update(
            &alice(),
            "alice.ghost",
            vec![rec("@", "A=10.0.0.9")],
            now + 1,
        );
        too_long_id.contract_id = Bytes(vec![b'c'; 65]);
        let updates = vec![
            update(&alice(), "alice.ghost", vec![rec("@", "A=10.0.0.1")], now),
            update(&alice(), "bobby.ghost", vec![rec("@", "A=6.6.6.6")], now),
            update(&bob(), "bobby.ghost", vec![rec("@", "A=10.0.0.2")], now),
            too_long_id,
        ];

        assert_eq!(signed(2, Call::BatchSetRecordsSigned { updates }), Ok(()));

        assert_eq!(records_of("alice.ghost").dns, vec![rec("@", "A=10.0.0.1")]);
        assert_eq!(records_of("bobby.ghost").dns, vec![rec("@", "A=10.0.0.2")]);
        let failures: Vec<Event> = domain_events()
            .into_iter()
            .filter(|e| matches!(e, Event::SignedUpdateFailed { .. }))
            .collect();
        assert_eq!(
            failures,
            vec![
                Event::SignedUpdateFailed {
                    index: 1,
                    name: name("bobby.ghost"),
                    error: Error::WrongSigner.into()
                },
                Event::SignedUpdateFailed {
                    index: 3,
                    name: name("alice.ghost"),
                    error: Error::ContractIdTooLong.into()
                },
            ]
        );
        let applied = domain_events()
            .into_iter()
            .filter(|e| matches!(e, Event::SignedUpdateApplied { .. }))
            .count();
        assert_eq!(applied, 2);
    });
}

#[test]
fn a_batch_larger_than_the_maximum_is_refused() {
    new_test_ext().execute_with(|| {
        register_for_pair("alice.ghost", &alice());
        let now = System::now();
        let max = u64::from(test_params().max_batch_updates);
        let updates: Vec<_> = (0..=max)
            .map(|i| {
                update(
                    &alice(),
                    "alice.ghost",
                    vec![rec("@", "A=10.0.0.1")],
                    now + i,
                )
            })
            .collect();

        assert_noop(
            relayer(),
            Call::BatchSetRecordsSigned { updates },
            Error::BatchTooLarge,
        );
    });
}
