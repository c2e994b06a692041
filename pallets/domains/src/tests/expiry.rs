//! Expiry and grace boundaries, the bounded sweep, and renewals.

use super::*;
use crate::{Call, Error, ExpiryAction, RecordChange, YEAR_MS};

/// Registers `alice.ghost` for account 1 with an A record; returns its expiry.
fn alice_with_a_record() -> Moment {
    assert_eq!(register(1, "alice.ghost"), Ok(()));
    let record = rec("@", "A=10.0.0.1");
    assert_eq!(
        signed(
            1,
            Call::SetRecord {
                name: name("alice.ghost"),
                record
            }
        ),
        Ok(())
    );
    expiry_of("alice.ghost")
}

fn renew(who: u8, n: &str, duration_ms: u64) -> DispatchResult {
    signed(
        who,
        Call::Renew {
            name: name(n),
            duration_ms,
        },
    )
}

#[test]
fn a_name_is_active_until_the_millisecond_before_it_expires() {
    new_test_ext().execute_with(|| {
        let expires_at = alice_with_a_record();

        next_block_at(expires_at - 1);

        let resolution = Domains::resolve(&name("alice.ghost")).unwrap();
        assert_eq!(resolution.status, NameStatus::Active);
        assert_eq!(resolution.records, vec![rec("@", "A=10.0.0.1")]);
    });
}

#[test]
fn at_its_expiry_a_name_is_in_grace_and_resolves_no_records() {
    new_test_ext().execute_with(|| {
        let expires_at = alice_with_a_record();
        let text = RecordChange::SetText {
            key: "url".into(),
            value: Some("https://alice.example".into()),
        };
        assert_eq!(
            signed(
                1,
                Call::SetRecords {
                    name: name("alice.ghost"),
                    changes: vec![text]
                }
            ),
            Ok(())
        );

        next_block_at(expires_at);

        let resolution = Domains::resolve(&name("alice.ghost")).unwrap();
        assert_eq!(resolution.status, NameStatus::Grace);
        assert_eq!(resolution.records, vec![]);
        assert_eq!(resolution.web3, Default::default());
        assert_eq!(resolution.owner, acc(1));
        assert_eq!(records_of("alice.ghost").dns.len(), 1, "kept for a renewal");
    });
}

#[test]
fn a_name_in_grace_cannot_be_managed() {
    new_test_ext().execute_with(|| {
        let expires_at = alice_with_a_record();
        next_block_at(expires_at);
        let alice = || name("alice.ghost");
        let owner = || Origin::signed(acc(1));

        assert_noop(
            owner(),
            Call::Transfer {
                name: alice(),
                new_owner: acc(2),
            },
            Error::NameExpired,
        );
        assert_noop(
            owner(),
            Call::SetRecord {
                name: alice(),
                record: rec("@", "A=10.0.0.2"),
            },
            Error::NameExpired,
        );
        assert_noop(
            owner(),
            Call::ClearRecords { name: alice() },
            Error::NameExpired,
        );
        assert_noop(
            owner(),
            Call::SetSubnameOwner {
                parent: alice(),
                label: "www".into(),
                owner: acc(2),
                lock: false,
            },
            Error::NameExpired,
        );
        assert_noop(
            owner(),
            Call::Approve {
                name: alice(),
                account: Some(acc(2)),
            },
            Error::NameExpired,
        );
        assert_noop(
            owner(),
            Call::SetUpdateKey {
                name: alice(),
                key: Some(acc(2)),
            },
            Error::NameExpired,
        );
        assert_noop(
            owner(),
            Call::SetPrimaryName {
                name: Some(alice()),
            },
            Error::NameExpired,
        );
    });
}

#[test]
fn a_name_in_grace_cannot_be_registered() {
    new_test_ext().execute_with(|| {
        let expires_at = alice_with_a_record();
        next_block_at(expires_at + GRACE - 1);

        let call = Call::Register {
            name: name("alice.ghost"),
            owner: acc(2),
            duration_ms: YEAR_MS,
            secret: Hash::ZERO,
            records: vec![],
        };
        assert_noop(Origin::signed(acc(2)), call, Error::NameTaken);
    });
}

#[test]
fn the_sweep_emits_expired_at_expiry_and_released_after_grace() {
    new_test_ext().execute_with(|| {
        let expires_at = alice_with_a_record();
        let alice = name("alice.ghost");
        let hash = alice.namehash();

        assert_eq!(sweep_at(expires_at - 1), vec![]);
        assert_eq!(
            sweep_at(expires_at),
            vec![Event::Expired {
                name: alice.clone()
            }]
        );
        assert_eq!(
            expiry_queue(),
            vec![(expires_at + GRACE, hash, ExpiryAction::Purge)]
        );
        assert_eq!(sweep_at(expires_at + GRACE - 1), vec![]);
        assert_eq!(
            sweep_at(expires_at + GRACE),
            vec![Event::Released {
                name: alice.clone()
            }]
        );

        assert_eq!(Domains::resolve(&alice), None);
        assert_eq!(info_of("alice.ghost"), None);
        assert_eq!(pallet::Records::get(&hash), None);
        assert!(!owns(1, "alice.ghost"));
        assert_eq!(expiry_queue(), vec![]);
        assert!(Domains::availability(&alice).available);
    });
}

#[test]
fn without_grace_a_name_is_released_at_its_expiry() {
    let params = crate::DomainParams {
        grace_period_ms: 0,
        ..test_params()
    };
    new_test_ext_with(params).execute_with(|| {
        let expires_at = alice_with_a_record();

        assert_eq!(
            sweep_at(expires_at),
            vec![
                Event::Expired {
                    name: name("alice.ghost")
                },
                Event::Released {
                    name: name("alice.ghost")
                }
            ]
        );
        assert_eq!(info_of("alice.ghost"), None);
    });
}

#[test]
fn a_released_name_is_registered_by_another_account_without_the_old_records() {
    new_test_ext().execute_with(|| {
        let expires_at = alice_with_a_record();
        sweep_at(expires_at);
        sweep_at(expires_at + GRACE);

        assert_eq!(register(2, "alice.ghost"), Ok(()));

        let resolution = Domains::resolve(&name("alice.ghost")).unwrap();
        assert_eq!(
            (resolution.owner, resolution.status),
            (acc(2), NameStatus::Active)
        );
        assert_eq!(resolution.records, vec![]);
        assert_eq!(records_of("alice.ghost"), NameRecords::default());
        assert!(!owns(1, "alice.ghost"));
    });
}

#[test]
fn a_name_past_grace_is_released_by_a_registration_before_the_sweep_reaches_it() {
    new_test_ext_with(no_commitment_params()).execute_with(|| {
        let expires_at = alice_with_a_record();
        // The block at expiry + grace has not been finalized: nothing was swept.
        next_block_at(expires_at + GRACE);
        assert_eq!(
            Domains::availability(&name("alice.ghost")).status,
            NameStatus::Available
        );

        assert_eq!(register_now(2, "alice.ghost"), Ok(()));

        let events = domain_events();
        assert_eq!(
            events[0],
            Event::Released {
                name: name("alice.ghost")
            }
        );
        assert!(matches!(&events[1], Event::Registered { owner, .. } if *owner == acc(2)));
        assert_eq!(records_of("alice.ghost"), NameRecords::default());
        assert!(!owns(1, "alice.ghost") && owns(2, "alice.ghost"));
        let new_expiry = expires_at + GRACE + YEAR_MS;
        assert_eq!(
            expiry_queue(),
            vec![(
                new_expiry,
                name("alice.ghost").namehash(),
                ExpiryAction::Expire
            )]
        );
    });
}

#[test]
fn a_refused_registration_of_a_name_past_grace_changes_nothing() {
    new_test_ext_with(no_commitment_params()).execute_with(|| {
        let expires_at = alice_with_a_record();
        next_block_at(expires_at + GRACE);
        let call = Call::Register {
            name: name("alice.ghost"),
            owner: acc(2),
            duration_ms: YEAR_MS,
            secret: Hash::ZERO,
            records: vec![rec("@", "CNAME=example.com"), rec("@", "A=10.0.0.1")],
        };

        // The executive's rollback hides it, but the pallet deletes the old name first.
        assert_noop(Origin::signed(acc(2)), call, Error::CnameConflict);
    });
}

#[test]
fn the_sweep_handles_at_most_max_expiries_per_block() {
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
        let expires_at = START + YEAR_MS;
        assert_eq!(test_params().max_expiries_per_block, 3);

        let first = sweep_at(expires_at);
        let second = next_block_at(expires_at + 2);

        assert_eq!(first.len(), 3);
        assert_eq!(second.len(), 2);
        let mut expired: Vec<String> = first
            .into_iter()
            .chain(second)
            .map(|event| match event {
                Event::Expired { name } => name.to_string(),
                other => panic!("unexpected {other:?}"),
            })
            .collect();
        expired.sort();
        assert_eq!(expired, names);
    });
}

#[test]
fn anyone_can_renew_a_name_and_pays_for_it() {
    new_test_ext().execute_with(|| {
        let expires_at = alice_with_a_record();
        let (payer_before, treasury_before) = (free(&acc(2)), free(&TREASURY));

        assert_eq!(renew(2, "alice.ghost", YEAR_MS), Ok(()));

        let cost = Domains::price_of(&name("alice.ghost"), YEAR_MS).unwrap();
        assert_eq!(
            last_event(),
            Some(Event::Renewed {
                name: name("alice.ghost"),
                expires_at: expires_at + YEAR_MS,
                cost
            })
        );
        assert_eq!(free(&acc(2)), payer_before - cost);
        assert_eq!(free(&TREASURY), treasury_before + cost);
        assert_eq!(info_of("alice.ghost").unwrap().owner, acc(1));
        let hash = name("alice.ghost").namehash();
        assert_eq!(
            expiry_queue(),
            vec![(expires_at + YEAR_MS, hash, ExpiryAction::Expire)]
        );
    });
}

#[test]
fn a_renewal_in_grace_revives_the_name_with_its_records() {
    new_test_ext().execute_with(|| {
        let expires_at = alice_with_a_record();
        assert_eq!(sweep_at(expires_at).len(), 1);
        assert_eq!(status_of("alice.ghost"), NameStatus::Grace);

        assert_eq!(renew(3, "alice.ghost", YEAR_MS), Ok(()));

        let resolution = Domains::resolve(&name("alice.ghost")).unwrap();
        assert_eq!(resolution.status, NameStatus::Active);
        assert_eq!(resolution.records, vec![rec("@", "A=10.0.0.1")]);
        assert_eq!(
            sweep_at(expires_at + GRACE),
            vec![],
            "the purge was unscheduled"
        );
        assert_eq!(status_of("alice.ghost"), NameStatus::Active);
    });
}

#[test]
fn a_renewed_name_is_not_expired_by_a_stale_queue_entry() {
    new_test_ext().execute_with(|| {
        let expires_at = alice_with_a_record();
        assert_eq!(renew(1, "alice.ghost", YEAR_MS), Ok(()));
        // Renewal unschedules the old entry; put one back as if it had been left over.
        let hash = name("alice.ghost").namehash();
        pallet::ExpiryQueue::insert(&expires_at.to_be_bytes(), &hash, &ExpiryAction::Expire);

        assert_eq!(sweep_at(expires_at), vec![]);

        assert_eq!(status_of("alice.ghost"), NameStatus::Active);
        assert_eq!(
            expiry_queue(),
            vec![(expires_at + YEAR_MS, hash, ExpiryAction::Expire)]
        );
    });
}

#[test]
fn a_renewal_beyond_the_maximum_registration_is_refused() {
    new_test_ext().execute_with(|| {
        alice_with_a_record();
        // One year is left; the maximum is ten years ahead.
        let longest = 9 * YEAR_MS;
        let call = |duration_ms| Call::Renew {
            name: name("alice.ghost"),
            duration_ms,
        };

        assert_noop(
            Origin::signed(acc(2)),
            call(longest + 1),
            Error::DurationTooLong,
        );
        assert_eq!(renew(2, "alice.ghost", longest), Ok(()));
    });
}

#[test]
fn a_renewal_shorter_than_the_minimum_is_refused() {
    new_test_ext().execute_with(|| {
        alice_with_a_record();
        let duration_ms = test_params().min_registration_ms - 1;

        assert_noop(
            Origin::signed(acc(1)),
            Call::Renew {
                name: name("alice.ghost"),
                duration_ms,
            },
            Error::DurationTooShort,
        );
    });
}

#[test]
fn a_renewal_of_an_unknown_or_released_name_is_refused() {
    new_test_ext().execute_with(|| {
        let expires_at = alice_with_a_record();
        let call = |n: &str| Call::Renew {
            name: name(n),
            duration_ms: YEAR_MS,
        };
        assert_noop(
            Origin::signed(acc(1)),
            call("nobody.ghost"),
            Error::NotRegistered,
        );

        // Past grace, even before the sweep removes it.
        next_block_at(expires_at + GRACE);
        assert_noop(
            Origin::signed(acc(1)),
            call("alice.ghost"),
            Error::NotRegistered,
        );
    });
}

#[test]
fn a_renewal_of_a_subname_is_refused() {
    new_test_ext().execute_with(|| {
        alice_with_a_record();
        let sub = Call::SetSubnameOwner {
            parent: name("alice.ghost"),
            label: "www".into(),
            owner: acc(2),
            lock: false,
        };
        assert_eq!(signed(1, sub), Ok(()));

        assert_noop(
            Origin::signed(acc(1)),
            Call::Renew {
                name: name("www.alice.ghost"),
                duration_ms: YEAR_MS,
            },
            Error::NotSecondLevel,
        );
    });
}
