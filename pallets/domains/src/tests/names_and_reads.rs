//! Name validation before the pallet, TLD governance, the read API (`availability`,
//! `price_of`, `list_by_owner`, `resolve`) and the mapping of events to change kinds.

use ghost_primitives::{DomainName, NameError};
use parity_scale_codec::{Decode, Encode};

use super::*;
use crate::{Call, ChangeType, Error, GenesisConfig, GenesisError, YEAR_MS};

#[test]
fn domain_name_parse_refuses_every_invalid_class() {
    let long_label = "a".repeat(64);
    let long_name = format!("{}.ghost", vec!["a".repeat(62); 4].join("."));
    assert!(long_name.len() > 253);

    let refused = |s: &str| DomainName::parse(s).expect_err(s);
    assert!(matches!(refused("Alice.ghost"), NameError::Uppercase(_)));
    assert!(matches!(refused("alice.GHOST"), NameError::Uppercase(_)));
    assert_eq!(refused("alice..ghost"), NameError::EmptyLabel);
    assert_eq!(refused(".alice.ghost"), NameError::EmptyLabel);
    assert_eq!(refused("alice.ghost."), NameError::EmptyLabel);
    assert_eq!(
        refused(&format!("{long_label}.ghost")),
        NameError::LabelTooLong(long_label)
    );
    assert!(matches!(
        refused("-alice.ghost"),
        NameError::LeadingHyphen(_)
    ));
    assert!(matches!(
        refused("alice-.ghost"),
        NameError::TrailingHyphen(_)
    ));
    for bad in [
        "al_ice.ghost",
        "al ice.ghost",
        "alice!.ghost",
        "bücher.ghost",
        "alice.gh@st",
    ] {
        assert!(
            matches!(refused(bad), NameError::InvalidCharacter { .. }),
            "{bad}"
        );
    }
    assert_eq!(refused(&long_name), NameError::TooLong(long_name.len()));
    assert_eq!(refused(""), NameError::Empty);
    assert!(matches!(refused("alice"), NameError::NoTld(_)));
    // The limits themselves are fine.
    assert!(DomainName::parse(&format!("{}.ghost", "a".repeat(63))).is_ok());
}

#[test]
fn a_call_carrying_a_non_canonical_name_does_not_decode() {
    // `Register` is call 1: (name, owner, duration_ms, secret, records), the name as a string.
    let encoded = |name: &str| {
        (
            1u8,
            name.to_string(),
            acc(1),
            YEAR_MS,
            Hash::ZERO,
            Vec::<DnsRecord>::new(),
        )
            .encode()
    };

    assert!(matches!(
        Call::decode(&mut &encoded("alice.ghost")[..]),
        Ok(Call::Register { .. })
    ));
    for bad in [
        "Alice.ghost",
        "alice..ghost",
        "-alice.ghost",
        "al_ice.ghost",
        "alice",
    ] {
        assert!(Call::decode(&mut &encoded(bad)[..]).is_err(), "{bad}");
    }
}

#[test]
fn root_enables_and_disables_a_tld() {
    new_test_ext_with(no_commitment_params()).execute_with(|| {
        assert_eq!(
            Domains::dispatch(
                Call::SetTld {
                    tld: b"web".to_vec(),
                    enabled: true
                },
                Origin::Root
            ),
            Ok(())
        );
        assert_eq!(
            last_event(),
            Some(Event::TldChanged {
                tld: b"web".to_vec(),
                enabled: true
            })
        );
        assert_eq!(register_now(1, "alice.web"), Ok(()));

        assert_eq!(
            Domains::dispatch(
                Call::SetTld {
                    tld: b"web".to_vec(),
                    enabled: false
                },
                Origin::Root
            ),
            Ok(())
        );

        assert!(!pallet::Tlds::contains_key(&b"web".to_vec()));
        assert_eq!(register_now(1, "bobby.web"), Err(Error::UnknownTld.into()));
    });
}

#[test]
fn only_root_sets_tlds() {
    new_test_ext().execute_with(|| {
        assert_noop(
            Origin::signed(acc(1)),
            Call::SetTld {
                tld: b"web".to_vec(),
                enabled: true,
            },
            DispatchError::BadOrigin,
        );
    });
}

#[test]
fn set_tld_refuses_invalid_tlds_and_no_op_changes() {
    new_test_ext().execute_with(|| {
        for tld in [&b"Web"[..], b"", b"w.b", b"-web", &[0xff, 0xfe]] {
            assert_noop(
                Origin::Root,
                Call::SetTld {
                    tld: tld.to_vec(),
                    enabled: true,
                },
                Error::BadTld,
            );
        }
        assert_noop(
            Origin::Root,
            Call::SetTld {
                tld: b"ghost".to_vec(),
                enabled: true,
            },
            Error::BadTld,
        );
        assert_noop(
            Origin::Root,
            Call::SetTld {
                tld: b"web".to_vec(),
                enabled: false,
            },
            Error::BadTld,
        );
    });
}

#[test]
fn availability_says_why_a_name_cannot_be_registered() {
    new_test_ext().execute_with(|| {
        assert_eq!(register(1, "alice.ghost"), Ok(()));
        let reason = |n: &str| {
            let a = Domains::availability(&name(n));
            (a.available, a.status, a.reason)
        };
        let no = |status, why: &str| (false, status, Some(why.to_string()));

        assert_eq!(
            reason("alice.com"),
            no(NameStatus::Available, "unknown TLD")
        );
        assert_eq!(
            reason("www.alice.ghost"),
            no(
                NameStatus::Available,
                "only second-level names are registered; create subnames instead"
            )
        );
        assert_eq!(reason("alice.ghost"), no(NameStatus::Active, "registered"));
        assert_eq!(reason("bobby.ghost"), (true, NameStatus::Available, None));
        assert_eq!(reason("ns.ghost"), no(NameStatus::Available, "reserved"));
        assert_eq!(reason("registry.bc"), no(NameStatus::Available, "reserved"));

        let expires_at = expiry_of("alice.ghost");
        next_block_at(expires_at);
        assert_eq!(
            reason("alice.ghost"),
            no(NameStatus::Grace, "expired, in its grace period")
        );
        next_block_at(expires_at + GRACE);
        assert_eq!(reason("alice.ghost"), (true, NameStatus::Available, None));
    });
}

#[test]
fn price_of_follows_the_label_length_and_the_duration() {
    new_test_ext().execute_with(|| {
        let price = |n: &str, duration| Domains::price_of(&name(n), duration);

        assert_eq!(price("a.ghost", YEAR_MS), Some(100 * GHOST));
        assert_eq!(price("abc.ghost", YEAR_MS), Some(100 * GHOST));
        assert_eq!(price("abcd.ghost", YEAR_MS), Some(20 * GHOST));
        assert_eq!(price("alice.ghost", YEAR_MS), Some(5 * GHOST));
        assert_eq!(price("alice.bc", 3 * YEAR_MS), Some(15 * GHOST));
        // Part of a year rounds up to the smallest unit.
        assert_eq!(
            price("alice.ghost", 1),
            Some((5 * GHOST).div_ceil(YEAR_MS.into()))
        );
        assert_eq!(price("alice.ghost", YEAR_MS / 2), Some(5 * GHOST / 2));
    });
}

#[test]
fn list_by_owner_pages_through_the_names_with_a_cursor() {
    new_test_ext_with(no_commitment_params()).execute_with(|| {
        let names = [
            "alpha.ghost",
            "bravo.ghost",
            "charlie.ghost",
            "delta.ghost",
            "echo.ghost",
        ];
        for n in names {
            assert_eq!(register_now(1, n), Ok(()));
        }
        assert_eq!(register_now(2, "other.ghost"), Ok(()));

        let mut pages = vec![];
        let mut cursor = None;
        loop {
            let page = Domains::list_by_owner(&acc(1), cursor, 2);
            pages.push(page.names);
            match page.next {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }

        assert_eq!(
            pages.iter().map(Vec::len).collect::<Vec<_>>(),
            vec![2, 2, 1]
        );
        let listed: Vec<DomainName> = pages.concat();
        let mut expected: Vec<DomainName> = names.iter().map(|n| name(n)).collect();
        expected.sort_by_key(DomainName::namehash);
        assert_eq!(listed, expected, "every name once, in namehash order");
    });
}

#[test]
fn resolve_of_an_unknown_name_is_none() {
    new_test_ext().execute_with(|| {
        assert_eq!(Domains::resolve(&name("nobody.ghost")), None);
        assert_eq!(Domains::resolve(&name("www.nobody.ghost")), None);
    });
}

#[test]
fn the_root_of_a_name_is_its_second_level_name() {
    assert_eq!(
        Domains::root(&name("api.www.alice.ghost")),
        Some(name("alice.ghost"))
    );
    assert_eq!(
        Domains::root(&name("alice.ghost")),
        Some(name("alice.ghost"))
    );
}

#[test]
fn events_map_to_the_kind_of_change_they_are() {
    let alice = name("alice.ghost");
    let www = name("www.alice.ghost");
    let kind = |event: &Event| event.change().map(|(n, kind)| (n.clone(), kind));
    let cases = vec![
        (
            Event::Registered {
                name: alice.clone(),
                owner: acc(1),
                expires_at: 1,
                cost: 1,
            },
            Some(ChangeType::Created),
        ),
        (
            Event::SubnameCreated {
                name: www.clone(),
                parent: alice.clone(),
                owner: acc(1),
            },
            Some(ChangeType::Created),
        ),
        (
            Event::Renewed {
                name: alice.clone(),
                expires_at: 2,
                cost: 1,
            },
            Some(ChangeType::Updated),
        ),
        (
            Event::RecordsChanged {
                name: alice.clone(),
                records: vec![],
                web3_entries: 0,
            },
            Some(ChangeType::Updated),
        ),
        (
            Event::Transferred {
                name: alice.clone(),
                from: acc(1),
                to: acc(2),
            },
            Some(ChangeType::Transferred),
        ),
        (
            Event::Expired {
                name: alice.clone(),
            },
            Some(ChangeType::Expired),
        ),
        (
            Event::Released {
                name: alice.clone(),
            },
            Some(ChangeType::Expired),
        ),
        (
            Event::SubnameRemoved { name: www.clone() },
            Some(ChangeType::Expired),
        ),
        (
            Event::Committed {
                who: acc(1),
                commitment: Hash::ZERO,
            },
            None,
        ),
        (
            Event::Approved {
                name: alice.clone(),
                approved: None,
            },
            None,
        ),
        (
            Event::OperatorSet {
                owner: acc(1),
                operator: acc(2),
                approved: true,
            },
            None,
        ),
        (
            Event::PrimaryNameSet {
                who: acc(1),
                name: Some(alice.clone()),
            },
            None,
        ),
        (
            Event::UpdateKeySet {
                name: alice.clone(),
                key: None,
            },
            None,
        ),
        (
            Event::SignedUpdateApplied {
                name: alice.clone(),
                signer: acc(1),
                timestamp: 1,
            },
            None,
        ),
        (
            Event::SignedUpdateFailed {
                index: 0,
                name: alice.clone(),
                error: Error::NotOwner.into(),
            },
            None,
        ),
        (
            Event::TldChanged {
                tld: b"web".to_vec(),
                enabled: true,
            },
            None,
        ),
        (
            Event::CommitmentDropped {
                commitment: Hash([1; 32]),
                depositor: acc(1),
                deposit: 1,
            },
            None,
        ),
    ];
    assert_eq!(
        cases.len(),
        Event::metadata().len(),
        "every event is covered"
    );

    for (event, expected) in cases {
        let subject = match &event {
            Event::SubnameCreated { .. } | Event::SubnameRemoved { .. } => www.clone(),
            _ => alice.clone(),
        };
        assert_eq!(kind(&event), expected.map(|k| (subject, k)), "{event:?}");
    }
}

#[test]
fn genesis_refuses_bad_tlds_price_tables_and_bounds() {
    let build = |config: GenesisConfig| {
        let mut ext = ghost_support::testing::TestExternalities::default();
        ext.execute_with(|| config.build())
    };
    let params = test_params();

    assert_eq!(build(GenesisConfig::default()), Ok(()));
    let bad_tld = GenesisConfig {
        tlds: vec!["Ghost".into()],
        params: params.clone(),
        reserved: vec![],
    };
    assert_eq!(build(bad_tld), Err(GenesisError::BadTld("Ghost".into())));
    let unsorted = crate::DomainParams {
        yearly_price: vec![(4, 1), (3, 2), (u8::MAX, 1)],
        ..params.clone()
    };
    assert_eq!(
        build(GenesisConfig {
            tlds: vec![],
            params: unsorted,
            reserved: vec![],
        }),
        Err(GenesisError::BadPriceTable)
    );
    let open_ended = crate::DomainParams {
        yearly_price: vec![(3, 2)],
        ..params.clone()
    };
    assert_eq!(
        build(GenesisConfig {
            tlds: vec![],
            params: open_ended,
            reserved: vec![],
        }),
        Err(GenesisError::BadPriceTable)
    );
    let inverted = crate::DomainParams {
        min_registration_ms: params.max_registration_ms + 1,
        ..params
    };
    assert_eq!(
        build(GenesisConfig {
            tlds: vec![],
            params: inverted,
            reserved: vec![],
        }),
        Err(GenesisError::BadBounds)
    );
    let bad_reserved = GenesisConfig {
        reserved: vec!["Admin".into()],
        ..GenesisConfig::default()
    };
    assert_eq!(
        build(bad_reserved),
        Err(GenesisError::BadReserved("Admin".into()))
    );
}
