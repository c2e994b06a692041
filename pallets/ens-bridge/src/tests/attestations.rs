//! Thresholds, links, syncs, stale/conflicting/rogue attestations, owner changes, unlink and
//! the per-block bound.

use ghost_primitives::{
    Bytes, DnsRecord, EthAddress, RecordData, RecordLabel, RecordType, Web3Records,
};
use ghost_support::prelude::*;
use ghost_support::traits::Currency;

use super::*;
use crate::{Call, Error, Event, Links, Votes};
use pallet_domains as domains;

fn eth_records(address: EthAddress, url: &str) -> Web3Records {
    let mut records = Web3Records::default();
    records.addresses.insert(60, Bytes(address.0.to_vec()));
    records.texts.insert("url".into(), url.into());
    records
}

fn resolve_web3(name: &str) -> Web3Records {
    Domains::resolve(&ghost(name)).expect("registered").web3
}

/// Alice (account 1, ENS key ALICE) requests alice.eth → alice.ghost; oracles 1 and 2 attest
/// her as owner at Ethereum blocks 100 and 101.
fn linked_alice() -> EthAddress {
    let key = eth_key(&ALICE_ETH_SECRET);
    assert_eq!(request(1, &key, "alice.eth", "alice.ghost"), Ok(()));
    let records = eth_records(key.address(), "https://alice.example");
    let [o1, o2, _] = oracles();
    assert_eq!(
        attest(o1, "alice.eth", 100, key.address(), &records),
        Ok(())
    );
    assert!(
        Bridge::link(&ens("alice.eth")).is_none(),
        "one vote is not enough"
    );
    assert_eq!(
        attest(o2, "alice.eth", 101, key.address(), &records),
        Ok(())
    );
    key.address()
}

#[test]
fn two_of_three_agreeing_oracles_make_the_link() {
    new_test_ext().execute_with(|| {
        let free = Balances::free_balance(&acc(1));
        let owner = linked_alice();
        let link = Bridge::link(&ens("alice.eth")).expect("linked");
        assert_eq!(link.ghost_name, ghost("alice.ghost"));
        assert_eq!(link.eth_owner, owner);
        assert_eq!(link.eth_block_number, 101, "the highest agreeing block");
        assert_eq!(link.status, LinkStatus::Active);
        assert_eq!(
            Bridge::reverse(&ghost("alice.ghost")),
            Some(ens("alice.eth"))
        );
        // The ghost name is Alice's, registered at the normal price; the deposit came back.
        let resolution = Domains::resolve(&ghost("alice.ghost")).unwrap();
        assert_eq!(resolution.owner, acc(1));
        let price = Domains::price_of(&ghost("alice.ghost"), pallet_domains::YEAR_MS).unwrap();
        assert_eq!(Balances::free_balance(&acc(1)), free - price);
        assert_eq!(Balances::reserved_balance(&acc(1)), 0);
        // Records mirrored.
        assert_eq!(resolution.web3, eth_records(owner, "https://alice.example"));
        assert!(bridge_events().contains(&Event::Linked {
            ens_name: ens("alice.eth"),
            ghost_name: ghost("alice.ghost"),
            ghost_account: acc(1),
            eth_owner: owner,
            eth_block_number: 101,
        }));
        assert!(Bridge::pending(&ens("alice.eth")).is_none());
        assert_eq!(Votes::iter_prefix(&ens("alice.eth").namehash()).count(), 0);
    });
}

#[test]
fn a_single_rogue_oracle_changes_nothing() {
    new_test_ext().execute_with(|| {
        let key = eth_key(&ALICE_ETH_SECRET);
        let thief = eth_key(&BOB_ETH_SECRET).address();
        assert_eq!(request(1, &key, "alice.eth", "alice.ghost"), Ok(()));
        let [o1, o2, rogue] = oracles();
        // The rogue attests the wrong owner, repeatedly at newer blocks: never a decision.
        for block in 100..105 {
            assert_eq!(
                attest(rogue, "alice.eth", block, thief, Web3Records::default()),
                Ok(())
            );
        }
        assert!(Bridge::link(&ens("alice.eth")).is_none());
        assert!(Bridge::pending(&ens("alice.eth")).is_some());
        // The honest two agree: linked with their view; the rogue's vote is discarded, named.
        let records = eth_records(key.address(), "https://alice.example");
        assert_eq!(
            attest(o1, "alice.eth", 106, key.address(), &records),
            Ok(())
        );
        assert_eq!(
            attest(o2, "alice.eth", 106, key.address(), &records),
            Ok(())
        );
        assert_eq!(
            Bridge::link(&ens("alice.eth")).unwrap().eth_owner,
            key.address()
        );
        assert!(bridge_events().contains(&Event::AttestationIgnored {
            oracle: rogue,
            ens_name: ens("alice.eth"),
            eth_block_number: 104,
            reason: IgnoredReason::Conflicting,
        }));
    });
}

#[test]
fn disagreeing_records_do_not_add_up() {
    new_test_ext().execute_with(|| {
        let key = eth_key(&ALICE_ETH_SECRET);
        assert_eq!(request(1, &key, "alice.eth", "alice.ghost"), Ok(()));
        let [o1, o2, _] = oracles();
        let a = eth_records(key.address(), "https://a.example");
        let b = eth_records(key.address(), "https://b.example");
        assert_eq!(attest(o1, "alice.eth", 100, key.address(), &a), Ok(()));
        assert_eq!(attest(o2, "alice.eth", 100, key.address(), &b), Ok(()));
        assert!(Bridge::link(&ens("alice.eth")).is_none());
        // o2 sees the newer state that o1 also reaches: agreement.
        assert_eq!(attest(o1, "alice.eth", 101, key.address(), &b), Ok(()));
        assert_eq!(resolve_web3("alice.ghost"), b);
    });
}

#[test]
fn a_non_oracle_cannot_attest() {
    new_test_ext().execute_with(|| {
        let key = eth_key(&ALICE_ETH_SECRET);
        assert_eq!(request(1, &key, "alice.eth", "alice.ghost"), Ok(()));
        assert_noop(
            Origin::signed(acc(13)),
            attestation("alice.eth", 100, key.address(), Web3Records::default()),
            Error::NotOracle,
        );
    });
}

#[test]
fn untracked_names_take_no_attestations() {
    new_test_ext().execute_with(|| {
        assert_noop(
            Origin::signed(oracles()[0]),
            attestation(
                "nobody.eth",
                100,
                EthAddress([1; 20]),
                Web3Records::default(),
            ),
            Error::NotTracked,
        );
    });
}

#[test]
fn invalid_records_are_refused() {
    new_test_ext().execute_with(|| {
        let key = eth_key(&ALICE_ETH_SECRET);
        assert_eq!(request(1, &key, "alice.eth", "alice.ghost"), Ok(()));
        let mut records = Web3Records::default();
        records.addresses.insert(60, Bytes(vec![1; 19]));
        assert_noop(
            Origin::signed(oracles()[0]),
            attestation("alice.eth", 100, key.address(), &records),
            Error::InvalidAddressRecord,
        );
        let records = Web3Records {
            contenthash: Some(Bytes(vec![0xe3, 0x01])),
            ..Web3Records::default()
        };
        assert_noop(
            Origin::signed(oracles()[0]),
            attestation("alice.eth", 100, key.address(), &records),
            Error::InvalidContenthash,
        );
        let mut records = Web3Records::default();
        records.texts.insert("secret-key".into(), "x".into());
        assert_noop(
            Origin::signed(oracles()[0]),
            attestation("alice.eth", 100, key.address(), &records),
            Error::TextKeyNotMirrored,
        );
    });
}

#[test]
fn a_wrong_owner_ends_the_request_without_a_link() {
    new_test_ext().execute_with(|| {
        let key = eth_key(&ALICE_ETH_SECRET);
        let other = eth_key(&BOB_ETH_SECRET).address();
        assert_eq!(request(1, &key, "alice.eth", "alice.ghost"), Ok(()));
        let [o1, o2, _] = oracles();
        let none = Web3Records::default();
        assert_eq!(attest(o1, "alice.eth", 100, other, &none), Ok(()));
        assert_eq!(attest(o2, "alice.eth", 100, other, &none), Ok(()));
        assert!(Bridge::link(&ens("alice.eth")).is_none());
        assert!(Bridge::pending(&ens("alice.eth")).is_none());
        assert!(
            Domains::resolve(&ghost("alice.ghost")).is_none(),
            "nothing registered"
        );
        assert_eq!(Balances::reserved_balance(&acc(1)), 0, "deposit returned");
        assert!(bridge_events().contains(&Event::LinkRefused {
            ens_name: ens("alice.eth"),
            ghost_name: ghost("alice.ghost"),
            reason: RefusalReason::OwnerMismatch { owner: other },
        }));
    });
}

#[test]
fn wrapped_names_are_refused() {
    new_test_ext().execute_with(|| {
        let key = eth_key(&ALICE_ETH_SECRET);
        assert_eq!(request(1, &key, "alice.eth", "alice.ghost"), Ok(()));
        let wrapper = EthAddress(MAINNET_NAME_WRAPPER);
        let [o1, o2, _] = oracles();
        let none = Web3Records::default();
        assert_eq!(attest(o1, "alice.eth", 100, wrapper, &none), Ok(()));
        assert_eq!(attest(o2, "alice.eth", 100, wrapper, &none), Ok(()));
        assert!(bridge_events().contains(&Event::LinkRefused {
            ens_name: ens("alice.eth"),
            ghost_name: ghost("alice.ghost"),
            reason: RefusalReason::NameWrapped,
        }));
        assert!(Bridge::link(&ens("alice.eth")).is_none());
    });
}

#[test]
fn a_link_never_takes_a_ghost_name_someone_else_registered_meanwhile() {
    new_test_ext().execute_with(|| {
        let key = eth_key(&ALICE_ETH_SECRET);
        assert_eq!(request(1, &key, "alice.eth", "alice.ghost"), Ok(()));
        assert_eq!(
            Domains::dispatch(
                pallet_domains::Call::Register {
                    name: ghost("alice.ghost"),
                    owner: acc(2),
                    duration_ms: pallet_domains::YEAR_MS,
                    secret: Hash::ZERO,
                    records: vec![],
                },
                Origin::signed(acc(2)),
            ),
            Ok(())
        );
        let [o1, o2, _] = oracles();
        let none = Web3Records::default();
        assert_eq!(attest(o1, "alice.eth", 100, key.address(), &none), Ok(()));
        assert_eq!(attest(o2, "alice.eth", 100, key.address(), &none), Ok(()));
        assert!(Bridge::link(&ens("alice.eth")).is_none());
        assert_eq!(
            Domains::resolve(&ghost("alice.ghost")).unwrap().owner,
            acc(2)
        );
        assert!(bridge_events().iter().any(|e| matches!(
            e,
            Event::LinkRefused {
                reason: RefusalReason::RegistrationFailed { .. },
                ..
            }
        )));
        assert_eq!(Balances::reserved_balance(&acc(1)), 0);
    });
}

#[test]
fn a_requester_who_cannot_pay_the_registration_gets_no_link() {
    new_test_ext().execute_with(|| {
        let key = eth_key(&ALICE_ETH_SECRET);
        assert_eq!(request(1, &key, "alice.eth", "ali.ghost"), Ok(()));
        // Account 1 spends almost everything before the oracles answer; the returned deposit
        // does not cover a three-letter name.
        let free = Balances::free_balance(&acc(1));
        assert_eq!(Balances::transfer(&acc(1), &acc(2), free - 1), Ok(()));
        let [o1, o2, _] = oracles();
        let none = Web3Records::default();
        assert_eq!(attest(o1, "alice.eth", 100, key.address(), &none), Ok(()));
        assert_eq!(attest(o2, "alice.eth", 100, key.address(), &none), Ok(()));
        assert!(Bridge::link(&ens("alice.eth")).is_none());
        assert!(Domains::resolve(&ghost("ali.ghost")).is_none());
        assert_eq!(Balances::reserved_balance(&acc(1)), 0, "deposit returned");
    });
}

#[test]
fn newer_attestations_sync_the_records() {
    new_test_ext().execute_with(|| {
        let owner = linked_alice();
        let [o1, _, o3] = oracles();
        let mut newer = eth_records(owner, "https://new.example");
        newer.texts.insert("com.github".into(), "alice".into());
        assert_eq!(attest(o3, "alice.eth", 110, owner, &newer), Ok(()));
        assert_eq!(
            resolve_web3("alice.ghost"),
            eth_records(owner, "https://alice.example")
        );
        assert_eq!(attest(o1, "alice.eth", 111, owner, &newer), Ok(()));
        assert_eq!(resolve_web3("alice.ghost"), newer);
        let link = Bridge::link(&ens("alice.eth")).unwrap();
        assert_eq!(link.eth_block_number, 111);
        assert_eq!(
            link.records_hash,
            Hash::of_encoded(&EnsRecords::from(&newer))
        );
        assert!(bridge_events().iter().any(|e| matches!(
            e,
            Event::RecordsSynced {
                eth_block_number: 111,
                ..
            }
        )));
        // A record removed on ENS is removed on the ghost name.
        let fewer = eth_records(owner, "https://new.example");
        assert_eq!(attest(o1, "alice.eth", 120, owner, &fewer), Ok(()));
        assert_eq!(attest(o3, "alice.eth", 120, owner, &fewer), Ok(()));
        assert_eq!(resolve_web3("alice.ghost"), fewer);
    });
}

fn dns_record(label: &str, ttl: u32, data: RecordData) -> DnsRecord {
    DnsRecord {
        label: RecordLabel::parse(label).unwrap(),
        ttl,
        data,
    }
}

fn resolve_dns(name: &str) -> Vec<DnsRecord> {
    let mut dns = Domains::resolve(&ghost(name)).expect("registered").records;
    dns.sort();
    dns
}

/// Alice's own TXT record at the apex of alice.ghost, set with a signed domains call.
fn alice_sets_her_own_txt(text: &str) -> DnsRecord {
    let record = dns_record("@", 300, RecordData::TXT(vec![text.as_bytes().to_vec()]));
    let call = domains::Call::SetRecords {
        name: ghost("alice.ghost"),
        changes: vec![domains::RecordChange::Upsert(record.clone())],
    };
    assert_eq!(Domains::dispatch(call, Origin::signed(acc(1))), Ok(()));
    record
}

#[test]
fn dns_profile_records_follow_ens_while_it_has_some_and_a_name_without_them_keeps_its_own() {
    new_test_ext().execute_with(|| {
        let owner = linked_alice();
        let [o1, o2, _] = oracles();
        assert!(!Bridge::link(&ens("alice.eth")).unwrap().mirrors_dns);
        // ENS has no DNS records: a sync leaves the ghost owner's own DNS records alone.
        let own = alice_sets_her_own_txt("mine");
        let web3 = eth_records(owner, "https://new.example");
        assert_eq!(attest(o1, "alice.eth", 110, owner, &web3), Ok(()));
        assert_eq!(attest(o2, "alice.eth", 110, owner, &web3), Ok(()));
        next_block(6_000);
        assert_eq!(resolve_web3("alice.ghost"), web3);
        assert_eq!(resolve_dns("alice.ghost"), vec![own.clone()]);

        // ENS gains DNS-profile records: they replace the mirrored sets, the TXT at `@` too.
        let a1 = dns_record("@", 600, RecordData::A([192, 0, 2, 1]));
        let a2 = dns_record("@", 600, RecordData::A([192, 0, 2, 2]));
        let aaaa = dns_record(
            "www",
            60,
            RecordData::AAAA([0x20, 1, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]),
        );
        let with_dns = EnsRecords {
            web3: web3.clone(),
            dns: vec![a1.clone(), a2.clone(), aaaa.clone()],
        };
        assert_eq!(attest(o1, "alice.eth", 120, owner, &with_dns), Ok(()));
        assert_eq!(attest(o2, "alice.eth", 120, owner, &with_dns), Ok(()));
        next_block(6_000);
        assert_eq!(
            resolve_dns("alice.ghost"),
            vec![a1.clone(), a2, aaaa.clone()]
        );
        let link = Bridge::link(&ens("alice.eth")).unwrap();
        assert!(link.mirrors_dns);
        assert_eq!(link.records_hash, Hash::of_encoded(&with_dns));

        // One A record removed on ENS is removed here.
        let fewer = EnsRecords {
            web3: web3.clone(),
            dns: vec![a1, aaaa],
        };
        assert_eq!(attest(o1, "alice.eth", 130, owner, &fewer), Ok(()));
        assert_eq!(attest(o2, "alice.eth", 130, owner, &fewer), Ok(()));
        next_block(6_000);
        assert_eq!(resolve_dns("alice.ghost"), fewer.dns);

        // The last ones removed on ENS: the mirrored records go, and the name is its owner's
        // again (a record set now survives the next sync).
        assert_eq!(attest(o1, "alice.eth", 140, owner, &web3), Ok(()));
        assert_eq!(attest(o2, "alice.eth", 140, owner, &web3), Ok(()));
        next_block(6_000);
        assert_eq!(resolve_dns("alice.ghost"), Vec::new());
        assert!(!Bridge::link(&ens("alice.eth")).unwrap().mirrors_dns);
        let own = alice_sets_her_own_txt("mine again");
        let newest = eth_records(owner, "https://newest.example");
        assert_eq!(attest(o1, "alice.eth", 150, owner, &newest), Ok(()));
        assert_eq!(attest(o2, "alice.eth", 150, owner, &newest), Ok(()));
        next_block(6_000);
        assert_eq!(resolve_web3("alice.ghost"), newest);
        assert_eq!(resolve_dns("alice.ghost"), vec![own]);
    });
}

#[test]
fn a_link_made_with_dns_profile_records_writes_them() {
    new_test_ext().execute_with(|| {
        let key = eth_key(&ALICE_ETH_SECRET);
        assert_eq!(request(1, &key, "alice.eth", "alice.ghost"), Ok(()));
        let mx = dns_record(
            "@",
            3_600,
            RecordData::MX {
                preference: 10,
                exchange: ghost_primitives::Hostname::parse("mail.example.com").unwrap(),
            },
        );
        let txt = dns_record("www", 300, RecordData::TXT(vec![b"v=spf1 -all".to_vec()]));
        let records = EnsRecords {
            web3: eth_records(key.address(), "https://alice.example"),
            dns: vec![mx.clone(), txt.clone()],
        };
        let [o1, o2, _] = oracles();
        assert_eq!(
            attest(o1, "alice.eth", 100, key.address(), &records),
            Ok(())
        );
        assert_eq!(
            attest(o2, "alice.eth", 100, key.address(), &records),
            Ok(())
        );
        assert!(Bridge::link(&ens("alice.eth")).unwrap().mirrors_dns);
        let mut expected = vec![mx, txt];
        expected.sort();
        assert_eq!(resolve_dns("alice.ghost"), expected);
        assert!(
            resolve_dns("alice.ghost")
                .iter()
                .all(|r| r.data.rtype() != RecordType::A),
            "sets ENS does not have stay empty"
        );
    });
}

#[test]
fn dns_records_outside_the_mirrored_labels_and_types_are_refused() {
    new_test_ext().execute_with(|| {
        let owner = linked_alice();
        let [o1, _, _] = oracles();
        for (record, error) in [
            (
                dns_record("mail", 300, RecordData::A([192, 0, 2, 1])),
                Error::DnsRecordNotMirrored,
            ),
            (
                dns_record(
                    "www",
                    300,
                    RecordData::CNAME(ghost_primitives::Hostname::parse("alice.eth").unwrap()),
                ),
                Error::DnsRecordNotMirrored,
            ),
        ] {
            let records = EnsRecords {
                web3: Web3Records::default(),
                dns: vec![record],
            };
            assert_noop(
                Origin::signed(o1),
                attestation("alice.eth", 200, owner, &records),
                error,
            );
        }
    });
}

#[test]
fn stale_attestations_change_nothing_and_name_the_oracle() {
    new_test_ext().execute_with(|| {
        let owner = linked_alice();
        let [_, _, o3] = oracles();
        let before = storage_snapshot_without_counter();
        let old = eth_records(owner, "https://old.example");
        assert_eq!(attest(o3, "alice.eth", 101, owner, &old), Ok(()));
        assert_eq!(attest(o3, "alice.eth", 50, owner, &old), Ok(()));
        assert_eq!(before, storage_snapshot_without_counter(), "nothing but the counter and events");
        let ignored: Vec<_> = bridge_events()
            .into_iter()
            .filter(|e| matches!(e, Event::AttestationIgnored { oracle, reason: IgnoredReason::Stale, .. } if *oracle == o3))
            .collect();
        assert_eq!(ignored.len(), 2);
        // An oracle may not go back behind its own vote either.
        assert_eq!(attest(o3, "alice.eth", 130, owner, &old), Ok(()));
        assert_eq!(attest(o3, "alice.eth", 125, owner, &old), Ok(()));
        assert_eq!(
            Votes::get(&ens("alice.eth").namehash(), &o3).map(|v| v.eth_block_number),
            Some(130)
        );
    });
}

#[test]
fn an_oracle_that_equivocates_is_named_and_ignored() {
    new_test_ext().execute_with(|| {
        let owner = linked_alice();
        let [_, _, o3] = oracles();
        let a = eth_records(owner, "https://a.example");
        let b = eth_records(owner, "https://b.example");
        assert_eq!(attest(o3, "alice.eth", 130, owner, &a), Ok(()));
        assert_eq!(attest(o3, "alice.eth", 130, owner, &b), Ok(()));
        assert_eq!(
            Votes::get(&ens("alice.eth").namehash(), &o3).map(|v| v.records_hash),
            Some(Hash::of_encoded(&EnsRecords::from(&a)))
        );
        assert!(bridge_events().contains(&Event::AttestationIgnored {
            oracle: o3,
            ens_name: ens("alice.eth"),
            eth_block_number: 130,
            reason: IgnoredReason::Equivocation,
        }));
    });
}

#[test]
fn an_owner_change_suspends_the_link_and_clears_the_records() {
    new_test_ext().execute_with(|| {
        linked_alice();
        let buyer = eth_key(&BOB_ETH_SECRET).address();
        let [o1, o2, _] = oracles();
        let none = Web3Records::default();
        assert_eq!(attest(o1, "alice.eth", 200, buyer, &none), Ok(()));
        assert_eq!(attest(o2, "alice.eth", 201, buyer, &none), Ok(()));
        let link = Bridge::link(&ens("alice.eth")).unwrap();
        assert_eq!(link.status, LinkStatus::Suspended { new_owner: buyer });
        assert_eq!(
            resolve_web3("alice.ghost"),
            Web3Records::default(),
            "stops answering"
        );
        assert!(bridge_events().contains(&Event::LinkSuspended {
            ens_name: ens("alice.eth"),
            ghost_name: ghost("alice.ghost"),
            new_owner: buyer,
            eth_block_number: 201,
        }));
        // Suspended links take no more syncs.
        assert_noop(
            Origin::signed(o1),
            attestation("alice.eth", 300, buyer, &none),
            Error::NotTracked,
        );
    });
}

#[test]
fn the_new_owner_can_link_again() {
    new_test_ext().execute_with(|| {
        linked_alice();
        let bob = eth_key(&BOB_ETH_SECRET);
        let [o1, o2, _] = oracles();
        let none = Web3Records::default();
        assert_eq!(attest(o1, "alice.eth", 200, bob.address(), &none), Ok(()));
        assert_eq!(attest(o2, "alice.eth", 200, bob.address(), &none), Ok(()));
        // Bob (account 2) links the name to his own ghost name.
        assert_eq!(request(2, &bob, "alice.eth", "bob.ghost"), Ok(()));
        let records = eth_records(bob.address(), "https://bob.example");
        assert_eq!(
            attest(o1, "alice.eth", 210, bob.address(), &records),
            Ok(())
        );
        assert_eq!(
            attest(o2, "alice.eth", 210, bob.address(), &records),
            Ok(())
        );
        let link = Bridge::link(&ens("alice.eth")).unwrap();
        assert_eq!(link.ghost_name, ghost("bob.ghost"));
        assert_eq!(link.status, LinkStatus::Active);
        assert_eq!(Bridge::reverse(&ghost("bob.ghost")), Some(ens("alice.eth")));
        assert_eq!(
            Bridge::reverse(&ghost("alice.ghost")),
            None,
            "the old reverse entry is gone"
        );
        assert_eq!(
            Domains::resolve(&ghost("alice.ghost")).unwrap().owner,
            acc(1),
            "Alice keeps her ghost name"
        );
    });
}

#[test]
fn unlink_is_for_the_ghost_owner_only() {
    new_test_ext().execute_with(|| {
        linked_alice();
        assert_noop(
            Origin::signed(acc(2)),
            Call::Unlink {
                ens_name: ens("alice.eth"),
            },
            Error::NotLinkOwner,
        );
        assert_eq!(
            Bridge::dispatch(
                Call::Unlink {
                    ens_name: ens("alice.eth")
                },
                Origin::signed(acc(1))
            ),
            Ok(())
        );
        assert!(Bridge::link(&ens("alice.eth")).is_none());
        assert!(Bridge::reverse(&ghost("alice.ghost")).is_none());
        assert_eq!(
            Domains::resolve(&ghost("alice.ghost")).unwrap().owner,
            acc(1)
        );
        assert_noop(
            Origin::signed(oracles()[0]),
            attestation(
                "alice.eth",
                500,
                EthAddress([1; 20]),
                Web3Records::default(),
            ),
            Error::NotTracked,
        );
        assert_noop(
            Origin::signed(acc(1)),
            Call::Unlink {
                ens_name: ens("alice.eth"),
            },
            Error::NoSuchLink,
        );
    });
}

#[test]
fn attestations_are_bounded_per_block() {
    new_test_ext().execute_with(|| {
        let owner = linked_alice();
        let o3 = oracles()[2];
        let none = Web3Records::default();
        // linked_alice used two of this block's attestations.
        for block in 0..u64::from(MAX_PER_BLOCK - 2) {
            assert_eq!(attest(o3, "alice.eth", 1_000 + block, owner, &none), Ok(()));
        }
        assert_noop(
            Origin::signed(o3),
            attestation("alice.eth", 2_000, owner, &none),
            Error::TooManyAttestations,
        );
        next_block(1_000);
        assert_eq!(attest(o3, "alice.eth", 2_000, owner, &none), Ok(()));
    });
}

#[test]
fn links_work_with_commit_reveal_registration() {
    // Production-like domains: a commitment must be 10 s old.
    new_test_ext_with(pallet_domains::DomainParams {
        min_commitment_age_ms: 10_000,
        ..pallet_domains::DomainParams::default()
    })
    .execute_with(|| {
        let key = eth_key(&ALICE_ETH_SECRET);
        assert_eq!(request(1, &key, "alice.eth", "alice.ghost"), Ok(()));
        next_block(11_000);
        let [o1, o2, _] = oracles();
        let none = Web3Records::default();
        assert_eq!(attest(o1, "alice.eth", 100, key.address(), &none), Ok(()));
        assert_eq!(attest(o2, "alice.eth", 100, key.address(), &none), Ok(()));
        assert_eq!(
            Domains::resolve(&ghost("alice.ghost")).unwrap().owner,
            acc(1)
        );
        assert!(Links::contains_key(&ens("alice.eth").namehash()));
    });
}

/// The state without the per-block attestation counter (which every attestation bumps).
fn storage_snapshot_without_counter() -> std::collections::BTreeMap<Vec<u8>, Vec<u8>> {
    use ghost_support::storage::StorageValue;
    let counter = <crate::AttestationsInBlock as StorageValue>::hashed_key();
    let events = ghost_support::storage::storage_prefix("System", "Events");
    let count = ghost_support::storage::storage_prefix("System", "EventCount");
    storage_snapshot()
        .into_iter()
        .filter(|(k, _)| *k != counter && !k.starts_with(&events) && !k.starts_with(&count))
        .collect()
}

#[test]
fn links_are_listed_in_node_order_page_by_page() {
    new_test_ext().execute_with(|| {
        assert!(Bridge::links_after(None, 10).is_empty());
        linked_alice();
        let bob = eth_key(&BOB_ETH_SECRET);
        assert_eq!(request(2, &bob, "bob.eth", "bob.ghost"), Ok(()));
        let [o1, o2, _] = oracles();
        let records = eth_records(bob.address(), "https://bob.example");
        assert_eq!(attest(o1, "bob.eth", 100, bob.address(), &records), Ok(()));
        assert_eq!(attest(o2, "bob.eth", 100, bob.address(), &records), Ok(()));

        let all = Bridge::links_after(None, 10);
        let mut nodes: Vec<_> = all.iter().map(|l| l.ens_name.namehash()).collect();
        assert_eq!(all.len(), 2);
        let sorted = {
            let mut n = nodes.clone();
            n.sort();
            n
        };
        assert_eq!(nodes, sorted, "node order");
        let first = Bridge::links_after(None, 1);
        assert_eq!(first, all[..1]);
        let second = Bridge::links_after(Some(nodes[0]), 1);
        assert_eq!(second, all[1..]);
        assert!(
            Bridge::links_after(nodes.pop(), 1).is_empty(),
            "past the end"
        );
    });
}
