//! Tests of the balances pallet.

use ghost_support::prelude::*;
use ghost_support::testing::TestExternalities;
use ghost_support::traits::Currency;
use proptest::prelude::*;

use crate::mock::*;
use crate::{Account, AccountData, Call, Error, Event, TotalIssuance};

fn free(n: u8) -> Balance {
    Balances::free_balance(&acc(n))
}

/// The sum of every account's balance.
fn sum_of_accounts() -> Balance {
    Account::iter().map(|(_, d)| d.total()).sum()
}

#[test]
fn transfer_moves_funds_and_emits_event() {
    new_test_ext().execute_with(|| {
        assert_eq!(
            Balances::dispatch(
                Call::Transfer {
                    dest: acc(2),
                    value: 300
                },
                Origin::signed(acc(1))
            ),
            Ok(())
        );
        assert_eq!(free(1), 700);
        assert_eq!(free(2), 2_300);
        assert_eq!(
            balance_events().last(),
            Some(&Event::Transfer {
                from: acc(1),
                to: acc(2),
                amount: 300
            })
        );
    });
}

#[test]
fn transfer_to_new_account_endows_it() {
    new_test_ext().execute_with(|| {
        Balances::do_transfer(&acc(1), &acc(9), 50, false).unwrap();
        assert_eq!(free(9), 50);
        assert!(balance_events().contains(&Event::Endowed {
            account: acc(9),
            free_balance: 50
        }));
    });
}

#[test]
fn transfer_more_than_free_fails_without_writes() {
    let mut ext = new_test_ext();
    let before = ext.state.clone();
    ext.execute_with(|| {
        assert_eq!(
            Balances::do_transfer(&acc(1), &acc(2), 1_001, false),
            Err(Error::InsufficientBalance.into())
        );
    });
    assert_eq!(ext.state, before);
}

#[test]
fn new_account_below_existential_deposit_is_refused() {
    new_test_ext().execute_with(|| {
        assert_eq!(
            Balances::do_transfer(&acc(1), &acc(9), 9, false),
            Err(Error::ExistentialDeposit.into())
        );
        assert_eq!(free(1), 1_000);
    });
}

#[test]
fn keep_alive_refuses_to_remove_sender() {
    new_test_ext().execute_with(|| {
        assert_eq!(
            Balances::do_transfer(&acc(1), &acc(2), 995, true),
            Err(Error::KeepAlive.into())
        );
        assert_eq!(Balances::do_transfer(&acc(1), &acc(2), 990, true), Ok(()));
    });
}

#[test]
fn sender_left_with_dust_is_removed_and_dust_burned() {
    new_test_ext().execute_with(|| {
        let issuance = Balances::total_issuance();
        Balances::do_transfer(&acc(1), &acc(2), 995, false).unwrap();
        assert!(!Account::contains_key(&acc(1)));
        assert_eq!(Balances::total_issuance(), issuance - 5);
        assert!(balance_events().contains(&Event::DustLost {
            account: acc(1),
            amount: 5
        }));
    });
}

#[test]
fn transfer_needs_signed_origin_and_force_set_needs_root() {
    new_test_ext().execute_with(|| {
        assert_eq!(
            Balances::dispatch(
                Call::Transfer {
                    dest: acc(2),
                    value: 1
                },
                Origin::Root
            ),
            Err(DispatchError::BadOrigin)
        );
        assert_eq!(
            Balances::dispatch(
                Call::ForceSetBalance {
                    who: acc(1),
                    free: 5_000
                },
                Origin::signed(acc(1))
            ),
            Err(DispatchError::BadOrigin)
        );
        let issuance = Balances::total_issuance();
        Balances::dispatch(
            Call::ForceSetBalance {
                who: acc(1),
                free: 5_000,
            },
            Origin::Root,
        )
        .unwrap();
        assert_eq!(Balances::total_issuance(), issuance + 4_000);
    });
}

#[test]
fn reserve_and_unreserve_keep_the_total() {
    new_test_ext().execute_with(|| {
        Balances::reserve(&acc(1), 400).unwrap();
        assert_eq!(
            Balances::account(&acc(1)),
            AccountData {
                free: 600,
                reserved: 400
            }
        );
        assert_eq!(
            Balances::reserve(&acc(1), 601),
            Err(Error::InsufficientBalance.into())
        );
        assert_eq!(Balances::unreserve(&acc(1), 1_000), 400);
        assert_eq!(
            Balances::account(&acc(1)),
            AccountData {
                free: 1_000,
                reserved: 0
            }
        );
    });
}

#[test]
fn fees_follow_the_schedule_and_go_to_the_treasury() {
    new_test_ext().execute_with(|| {
        let info = DispatchInfo::paying(Weight::from_micros(3));
        let fee = Balances::compute_fee(100, &info, 7);
        assert_eq!(
            (fee.base_fee, fee.weight_fee, fee.length_fee, fee.tip),
            (5, 3, 100, 7)
        );
        let issuance = Balances::total_issuance();
        Balances::withdraw_fee(&acc(1), &fee).unwrap();
        assert_eq!(free(1), 1_000 - 115);
        assert_eq!(Balances::free_balance(&TREASURY), 10 + 115);
        assert_eq!(Balances::total_issuance(), issuance);
        // The fee is reported by the extrinsic's `System.ExtrinsicSuccess`, not an event here.
        assert!(balance_events().is_empty());
    });
}

#[test]
fn fee_larger_than_free_balance_is_refused() {
    new_test_ext().execute_with(|| {
        let fee = Balances::compute_fee(2_000, &DispatchInfo::paying(Weight(1)), 0);
        assert_eq!(
            Balances::withdraw_fee(&acc(1), &fee),
            Err(ghost_primitives::InvalidTransaction::Payment {
                fee: 2_006,
                free: 1_000
            })
        );
        assert_eq!(free(1), 1_000);
    });
}

#[test]
fn free_calls_pay_only_the_tip() {
    new_test_ext().execute_with(|| {
        let info = DispatchInfo {
            weight: Weight(1_000_000),
            pays_fee: Pays::No,
        };
        assert_eq!(Balances::compute_fee(50, &info, 3).total(), 3);
    });
}

#[test]
fn genesis_refuses_duplicates_and_dust() {
    let mut ext = TestExternalities::default();
    ext.execute_with(|| {
        let dup = crate::GenesisConfig {
            balances: vec![(acc(1), 100), (acc(1), 100)],
            ..Default::default()
        };
        assert_eq!(
            dup.build::<Test>(),
            Err(crate::GenesisError::DuplicateAccount(acc(1)))
        );
    });
    let mut ext = TestExternalities::default();
    ext.execute_with(|| {
        let dust = crate::GenesisConfig {
            balances: vec![(acc(1), 1)],
            ..Default::default()
        };
        assert_eq!(
            dust.build::<Test>(),
            Err(crate::GenesisError::BelowExistentialDeposit(acc(1)))
        );
    });
}

#[derive(Debug, Clone)]
enum Op {
    Transfer(u8, u8, Balance, bool),
    Reserve(u8, Balance),
    Unreserve(u8, Balance),
    Fee(u8, Balance),
    Withdraw(u8, Balance),
    Deposit(u8, Balance),
    ForceSet(u8, Balance),
}

fn op() -> impl Strategy<Value = Op> {
    let who = 1u8..6;
    let amount = 0u128..4_000;
    prop_oneof![
        (who.clone(), who.clone(), amount.clone(), any::<bool>())
            .prop_map(|(a, b, v, k)| Op::Transfer(a, b, v, k)),
        (who.clone(), amount.clone()).prop_map(|(a, v)| Op::Reserve(a, v)),
        (who.clone(), amount.clone()).prop_map(|(a, v)| Op::Unreserve(a, v)),
        (who.clone(), amount.clone()).prop_map(|(a, v)| Op::Fee(a, v)),
        (who.clone(), amount.clone()).prop_map(|(a, v)| Op::Withdraw(a, v)),
        (who.clone(), amount.clone()).prop_map(|(a, v)| Op::Deposit(a, v)),
        (who, amount).prop_map(|(a, v)| Op::ForceSet(a, v)),
    ]
}

proptest! {
    #[test]
    fn total_issuance_equals_sum_of_accounts(ops in proptest::collection::vec(op(), 1..40)) {
        new_test_ext().execute_with(|| {
            for op in ops {
                // Failed operations run in a transaction, as a dispatch would.
                let _ = ghost_support::transactional(|| -> DispatchResult {
                    match op {
                        Op::Transfer(a, b, v, k) => Balances::do_transfer(&acc(a), &acc(b), v, k),
                        Op::Reserve(a, v) => Balances::reserve(&acc(a), v),
                        Op::Unreserve(a, v) => {
                            Balances::unreserve(&acc(a), v);
                            Ok(())
                        }
                        Op::Fee(a, v) => {
                            let fee = crate::fees::FeeDetails { base_fee: v, ..Default::default() };
                            Balances::withdraw_fee(&acc(a), &fee).map_err(|_| DispatchError::Other("fee".into()))
                        }
                        Op::Withdraw(a, v) => Balances::withdraw(&acc(a), v),
                        Op::Deposit(a, v) => Balances::deposit(&acc(a), v),
                        Op::ForceSet(a, v) => Balances::force_set_balance(&acc(a), v),
                    }
                });
                prop_assert_eq!(TotalIssuance::get_or_default(), sum_of_accounts());
                for (_, data) in Account::iter() {
                    prop_assert!(data.total() >= 10, "no account below the existential deposit");
                }
            }
            Ok(())
        })?;
    }
}
