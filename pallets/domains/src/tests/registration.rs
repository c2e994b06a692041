//! Commit-reveal registration, fees, and every refusal of `register`.

use super::*;
use crate::{Call, Error, ExpiryAction, YEAR_MS, pricing};

/// The `Register` call of `n` for account `owner` for a year, revealing `secret`.
fn register_call(n: &str, owner: u8, secret: Hash) -> Call {
    Call::Register {
        name: name(n),
        owner: acc(owner),
        duration_ms: YEAR_MS,
        secret,
        records: vec![],
    }
}

/// Account `who` commits to registering `n` for itself for a year with `secret`, no records.
fn commit(who: u8, n: &str, secret: Hash) -> Hash {
    commit_to(who, n, secret, YEAR_MS, &[])
}

/// Account `who` commits to registering `n` for itself for `duration_ms` with `records`.
fn commit_to(who: u8, n: &str, secret: Hash, duration_ms: u64, records: &[DnsRecord]) -> Hash {
    let commitment = Domains::commitment_of(&name(n), &acc(who), &secret, duration_ms, records);
    assert_eq!(signed(who, Call::Commit { commitment }), Ok(()));
    commitment
}

const SECRET: Hash = Hash([7; 32]);

#[test]
fn commit_stores_the_commitment_with_its_time() {
    new_test_ext().execute_with(|| {
        let commitment = commit(1, "alice.ghost", SECRET);

        assert_eq!(
            pallet::Commitments::get(&commitment).map(|c| c.made),
            Some(START)
        );
        assert_eq!(
            last_event(),
            Some(Event::Committed {
                who: acc(1),
                commitment
            })
        );
    });
}

#[test]
fn commit_refuses_a_duplicate_until_it_is_older_than_the_maximum_age() {
    new_test_ext().execute_with(|| {
        let commitment = commit(1, "alice.ghost", SECRET);
        let max_age = test_params().max_commitment_age_ms;

        next_block_at(START + max_age);
        assert_noop(
            Origin::signed(acc(2)),
            Call::Commit { commitment },
            Error::CommitmentExists,
        );

        next_block_at(START + max_age + 1);
        assert_eq!(signed(2, Call::Commit { commitment }), Ok(()));
        assert_eq!(
            pallet::Commitments::get(&commitment).map(|c| c.made),
            Some(START + max_age + 1)
        );
    });
}

#[test]
fn register_after_a_commitment_stores_the_name_for_its_owner() {
    new_test_ext().execute_with(|| {
        let commitment = commit(1, "alice.ghost", SECRET);
        next_block_at(START + 10_000);

        assert_eq!(signed(1, register_call("alice.ghost", 1, SECRET)), Ok(()));

        let expires_at = START + 10_000 + YEAR_MS;
        let hash = name("alice.ghost").namehash();
        let info = info_of("alice.ghost").unwrap();
        assert_eq!(
            (info.owner, info.expires_at, info.created_at),
            (acc(1), expires_at, START + 10_000)
        );
        assert_eq!(
            (info.parent, info.approved, info.update_key),
            (None, None, None)
        );
        assert_eq!(info.registration, 1);
        assert!(owns(1, "alice.ghost"));
        assert_eq!(
            expiry_queue(),
            vec![(expires_at, hash, ExpiryAction::Expire)]
        );
        assert_eq!(
            pallet::Commitments::get(&commitment),
            None,
            "the commitment is used up"
        );
        assert_eq!(status_of("alice.ghost"), NameStatus::Active);
    });
}

#[test]
fn register_charges_the_payer_exactly_the_price_and_pays_the_treasury() {
    new_test_ext().execute_with(|| {
        commit(1, "abc.ghost", SECRET);
        next_block_at(START + 10_000);
        let price = pricing::price(&name("abc.ghost"), YEAR_MS, &test_params()).unwrap();
        assert_eq!(
            price,
            100 * GHOST,
            "three-letter names cost 100 GHOST a year"
        );
        let (payer_before, treasury_before) = (free(&acc(1)), free(&TREASURY));

        assert_eq!(signed(1, register_call("abc.ghost", 1, SECRET)), Ok(()));

        // The price goes; the commitment's deposit comes back.
        assert_eq!(
            free(&acc(1)),
            payer_before - price + Domains::commitment_deposit()
        );
        assert_eq!(free(&TREASURY), treasury_before + price);
        assert_eq!(
            last_event(),
            Some(Event::Registered {
                name: name("abc.ghost"),
                owner: acc(1),
                expires_at: START + 10_000 + YEAR_MS,
                cost: price
            })
        );
    });
}

#[test]
fn another_account_may_pay_for_a_registration() {
    new_test_ext().execute_with(|| {
        let commitment =
            Domains::commitment_of(&name("alice.ghost"), &acc(1), &SECRET, YEAR_MS, &[]);
        assert_eq!(signed(2, Call::Commit { commitment }), Ok(()));
        next_block_at(START + 10_000);
        let (payer_before, owner_before) = (free(&acc(2)), free(&acc(1)));

        assert_eq!(signed(2, register_call("alice.ghost", 1, SECRET)), Ok(()));

        assert_eq!(info_of("alice.ghost").unwrap().owner, acc(1));
        // The payer committed: it pays the price and gets the commitment's deposit back.
        assert_eq!(
            free(&acc(2)),
            payer_before - 5 * GHOST + Domains::commitment_deposit()
        );
        assert_eq!(free(&acc(1)), owner_before);
    });
}

#[test]
fn register_with_initial_records_stores_and_announces_them() {
    new_test_ext().execute_with(|| {
        let records = vec![rec("www", "CNAME=alice.ghost"), rec("@", "A=10.0.0.1")];
        commit_to(1, "alice.ghost", SECRET, YEAR_MS, &records);
        next_block_at(START + 10_000);

        let call = Call::Register {
            name: name("alice.ghost"),
            owner: acc(1),
            duration_ms: YEAR_MS,
            secret: SECRET,
            records: records.clone(),
        };
        assert_eq!(signed(1, call), Ok(()));

        let sorted = vec![rec("@", "A=10.0.0.1"), rec("www", "CNAME=alice.ghost")];
        assert_eq!(records_of("alice.ghost").dns, sorted);
        assert_eq!(
            last_event(),
            Some(Event::RecordsChanged {
                name: name("alice.ghost"),
                records: sorted,
                web3_entries: 0
            })
        );
    });
}

#[test]
fn register_without_a_commitment_is_refused_when_one_is_required() {
    new_test_ext().execute_with(|| {
        assert_noop(
            Origin::signed(acc(1)),
            register_call("alice.ghost", 1, SECRET),
            Error::CommitmentNotFound,
        );
    });
}

#[test]
fn the_commitment_binds_owner_and_secret() {
    new_test_ext().execute_with(|| {
        commit(1, "alice.ghost", SECRET);
        next_block_at(START + 10_000);

        // A front-runner who saw the commitment cannot register for itself ...
        assert_noop(
            Origin::signed(acc(2)),
            register_call("alice.ghost", 2, SECRET),
            Error::CommitmentNotFound,
        );
        // ... nor can the name be revealed with another secret.
        assert_noop(
            Origin::signed(acc(1)),
            register_call("alice.ghost", 1, Hash([8; 32])),
            Error::CommitmentNotFound,
        );
        assert_eq!(signed(1, register_call("alice.ghost", 1, SECRET)), Ok(()));
    });
}

/// A watcher of the pool copies the victim's reveal (name, owner, secret) but sets its own
/// duration or records: the commitment does not match, so the front-run is refused and the
/// victim's own reveal still works.
#[test]
fn a_front_running_reveal_with_other_duration_or_records_is_refused() {
    new_test_ext().execute_with(|| {
        let honest = vec![rec("@", "A=10.0.0.1")];
        commit_to(1, "alice.ghost", SECRET, 2 * YEAR_MS, &honest);
        next_block_at(START + 10_000);
        let reveal = |duration_ms, records: Vec<DnsRecord>| Call::Register {
            name: name("alice.ghost"),
            owner: acc(1),
            duration_ms,
            secret: SECRET,
            records,
        };

        // The attacker's DNS with the honest duration ...
        assert_noop(
            Origin::signed(acc(2)),
            reveal(2 * YEAR_MS, vec![rec("@", "A=6.6.6.6")]),
            Error::CommitmentNotFound,
        );
        // ... no records at all (the victim's would be lost) ...
        assert_noop(
            Origin::signed(acc(2)),
            reveal(2 * YEAR_MS, vec![]),
            Error::CommitmentNotFound,
        );
        // ... the honest records with the minimum duration.
        assert_noop(
            Origin::signed(acc(2)),
            reveal(test_params().min_registration_ms, honest.clone()),
            Error::CommitmentNotFound,
        );

        assert_eq!(signed(1, reveal(2 * YEAR_MS, honest.clone())), Ok(()));
        assert_eq!(records_of("alice.ghost").dns, honest);
        assert_eq!(expiry_of("alice.ghost"), START + 10_000 + 2 * YEAR_MS);
    });
}

#[test]
fn a_commitment_younger_than_the_minimum_age_is_refused() {
    new_test_ext().execute_with(|| {
        commit(1, "alice.ghost", SECRET);
        next_block_at(START + 9_999);

        assert_rolled_back(
            Origin::signed(acc(1)),
            register_call("alice.ghost", 1, SECRET),
            Error::CommitmentTooNew,
        );
        assert_eq!(info_of("alice.ghost"), None);
    });
}

#[test]
fn a_commitment_older_than_the_maximum_age_is_refused() {
    new_test_ext().execute_with(|| {
        commit(1, "alice.ghost", SECRET);
        next_block_at(START + test_params().max_commitment_age_ms + 1);

        assert_rolled_back(
            Origin::signed(acc(1)),
            register_call("alice.ghost", 1, SECRET),
            Error::CommitmentTooOld,
        );
        assert_eq!(info_of("alice.ghost"), None);
    });
}

#[test]
fn commitments_exactly_at_the_age_bounds_are_accepted() {
    let params = test_params();
    for age in [params.min_commitment_age_ms, params.max_commitment_age_ms] {
        new_test_ext().execute_with(|| {
            commit(1, "alice.ghost", SECRET);
            next_block_at(START + age);
            assert_eq!(
                signed(1, register_call("alice.ghost", 1, SECRET)),
                Ok(()),
                "age {age}"
            );
        });
    }
}

#[test]
fn a_refused_register_leaves_the_commitment_in_place() {
    new_test_ext().execute_with(|| {
        let commitment = commit(1, "alice.ghost", SECRET);
        next_block_at(START + 9_999);

        // The executive's rollback hides it, but the pallet writes before it validates.
        assert_noop(
            Origin::signed(acc(1)),
            register_call("alice.ghost", 1, SECRET),
            Error::CommitmentTooNew,
        );
        assert_eq!(
            pallet::Commitments::get(&commitment).map(|c| c.made),
            Some(START)
        );
    });
}

#[test]
fn register_works_without_a_commitment_when_the_minimum_age_is_zero() {
    new_test_ext_with(no_commitment_params()).execute_with(|| {
        assert_eq!(
            signed(1, register_call("alice.ghost", 1, Hash::ZERO)),
            Ok(())
        );

        assert_eq!(info_of("alice.ghost").unwrap().owner, acc(1));
    });
}

#[test]
fn register_refuses_an_unknown_tld() {
    new_test_ext().execute_with(|| {
        assert_noop(
            Origin::signed(acc(1)),
            register_call("alice.com", 1, SECRET),
            Error::UnknownTld,
        );
    });
}

#[test]
fn register_refuses_a_third_level_name() {
    new_test_ext().execute_with(|| {
        assert_noop(
            Origin::signed(acc(1)),
            register_call("www.alice.ghost", 1, SECRET),
            Error::NotSecondLevel,
        );
    });
}

/// `ns` and `hostmaster` are the zone's SOA names on every chain; the mock's chain spec adds
/// `registry`. None can be registered under any TLD, with or without a commitment; labels that
/// merely contain them can.
#[test]
fn register_refuses_reserved_names() {
    new_test_ext_with(no_commitment_params()).execute_with(|| {
        for reserved in ["ns.ghost", "hostmaster.ghost", "ns.bc", "registry.ghost"] {
            assert_noop(
                Origin::signed(acc(1)),
                register_call(reserved, 1, Hash::ZERO),
                Error::NameReserved,
            );
        }
        for free in ["ns1.ghost", "myhostmaster.ghost", "registry2.bc"] {
            assert_eq!(register_now(1, free), Ok(()), "{free}");
        }
    });
}

#[test]
fn the_reserved_labels_come_from_the_pallet_and_the_chain_spec() {
    new_test_ext().execute_with(|| {
        let mut reserved: Vec<Vec<u8>> =
            pallet::Reserved::iter().map(|(label, ())| label).collect();
        reserved.sort();
        assert_eq!(
            reserved,
            [b"hostmaster".to_vec(), b"ns".to_vec(), b"registry".to_vec()]
        );
    });
}

#[test]
fn register_refuses_a_registered_name() {
    new_test_ext().execute_with(|| {
        assert_eq!(register(1, "alice.ghost"), Ok(()));

        assert_noop(
            Origin::signed(acc(2)),
            register_call("alice.ghost", 2, SECRET),
            Error::NameTaken,
        );
    });
}

#[test]
fn register_refuses_durations_outside_the_bounds() {
    new_test_ext().execute_with(|| {
        let params = test_params();
        let with_duration = |duration_ms| Call::Register {
            name: name("alice.ghost"),
            owner: acc(1),
            duration_ms,
            secret: SECRET,
            records: vec![],
        };

        assert_noop(
            Origin::signed(acc(1)),
            with_duration(params.min_registration_ms - 1),
            Error::DurationTooShort,
        );
        assert_noop(
            Origin::signed(acc(1)),
            with_duration(params.max_registration_ms + 1),
            Error::DurationTooLong,
        );
    });
}

#[test]
fn register_refuses_invalid_initial_records() {
    new_test_ext().execute_with(|| {
        let records = vec![rec("@", "CNAME=example.com"), rec("@", "A=10.0.0.1")];
        commit_to(1, "alice.ghost", SECRET, YEAR_MS, &records);
        next_block_at(START + 10_000);
        let call = Call::Register {
            name: name("alice.ghost"),
            owner: acc(1),
            duration_ms: YEAR_MS,
            secret: SECRET,
            records,
        };

        assert_noop(Origin::signed(acc(1)), call, Error::CnameConflict);
    });
}

#[test]
fn register_with_insufficient_balance_fails_with_the_balances_error() {
    new_test_ext_with(no_commitment_params()).execute_with(|| {
        Balances::force_set_balance(&acc(6), 5 * GHOST - 1).unwrap();

        assert_noop(
            Origin::signed(acc(6)),
            register_call("alice.ghost", 6, SECRET),
            pallet_balances::Error::InsufficientBalance,
        );
    });
}

#[test]
fn a_price_that_overflows_is_refused() {
    let params = crate::DomainParams {
        yearly_price: vec![(u8::MAX, Balance::MAX)],
        ..no_commitment_params()
    };
    new_test_ext_with(params).execute_with(|| {
        assert_noop(
            Origin::signed(acc(1)),
            register_call("alice.ghost", 1, SECRET),
            Error::Overflow,
        );
    });
}

#[test]
fn calls_need_a_signed_origin() {
    new_test_ext().execute_with(|| {
        assert_eq!(register(1, "alice.ghost"), Ok(()));
        let calls = vec![
            Call::Commit {
                commitment: Hash::ZERO,
            },
            register_call("bobby.ghost", 1, SECRET),
            Call::Renew {
                name: name("alice.ghost"),
                duration_ms: YEAR_MS,
            },
            Call::Transfer {
                name: name("alice.ghost"),
                new_owner: acc(2),
            },
            Call::ClearRecords {
                name: name("alice.ghost"),
            },
            Call::SetOperator {
                operator: acc(2),
                approved: true,
            },
            Call::SetPrimaryName { name: None },
            Call::BatchSetRecordsSigned { updates: vec![] },
        ];
        for call in calls {
            assert_noop(Origin::None, call.clone(), DispatchError::BadOrigin);
            assert_noop(Origin::Root, call, DispatchError::BadOrigin);
        }
    });
}
