//! Instantiating and calling contracts, with the counter contract.

use super::*;

// ---- instantiate ----

#[test]
fn instantiate_creates_the_contract_at_its_deterministic_address() {
    run(|| {
        let code_hash = upload(1, wat(&counter_wat()));
        let call = Call::Instantiate {
            code_hash,
            value: 1_000,
            fuel_limit: FUEL,
            storage_deposit_limit: None,
            data: 5u64.encode(),
            salt: b"one".to_vec(),
        };
        assert_eq!(Contracts::dispatch(call, Origin::signed(acc(1))), Ok(()));
        let contract = contract_address(&acc(1), &code_hash, b"one");
        let info = Contracts::contract_info(&contract).expect("instantiated");
        assert_eq!((info.code_hash, info.deployer), (code_hash, acc(1)));
        assert_eq!(CodeInfoOf::get(&code_hash).unwrap().refcount, 1);
        assert_eq!(
            Contracts::get_storage(&contract, b"count"),
            Some(5u64.encode())
        );
        // 5 bytes of key + 8 of value, one item, and the record: paid by the deployer and
        // reserved on the contract; the value stays free.
        let deposit = 13 * STORAGE_DEPOSIT_PER_BYTE + STORAGE_DEPOSIT_PER_ITEM;
        assert_eq!(info.storage_deposit, deposit);
        assert_eq!(info.base_deposit, RECORD_DEPOSIT);
        assert_eq!((info.storage_bytes, info.storage_items), (13, 1));
        assert_eq!(reserved(&contract), deposit + RECORD_DEPOSIT);
        assert_eq!(Balances::free_balance(&contract), 1_000);
        assert_eq!(
            Balances::free_balance(&acc(1)),
            ENDOWMENT - upload_deposit(&code_hash) - 1_000 - deposit - RECORD_DEPOSIT
        );
        assert_eq!(
            contract_events().last(),
            Some(&Event::Instantiated {
                deployer: acc(1),
                contract,
                code_hash
            })
        );
    });
}

#[test]
fn instantiate_twice_with_the_same_salt_is_refused() {
    run(|| {
        let code_hash = upload(1, wat(&counter_wat()));
        let go = |salt: &[u8]| {
            Contracts::bare_instantiate(acc(1), code_hash, 100, FUEL, 0u64.encode(), salt.to_vec())
                .result
        };
        assert!(go(b"a").is_ok());
        assert_eq!(go(b"a"), Err(Error::ContractExists.into()));
        assert!(go(b"b").is_ok());
        assert_eq!(CodeInfoOf::get(&code_hash).unwrap().refcount, 2);
    });
}

#[test]
fn instantiate_refuses_bad_arguments_before_running() {
    run(|| {
        let code_hash = upload(1, wat(&counter_wat()));
        let limits = Limits::DEFAULT;
        let go = |hash, fuel, data: Vec<u8>, salt: Vec<u8>| {
            Contracts::bare_instantiate(acc(1), hash, 100, fuel, data, salt).result
        };
        assert_eq!(
            go(Hash([9; 32]), FUEL, vec![], vec![]),
            Err(Error::CodeNotFound.into())
        );
        assert_eq!(
            go(code_hash, limits.max_fuel_per_call + 1, vec![], vec![]),
            Err(Error::FuelLimitTooHigh.into())
        );
        assert_eq!(
            go(
                code_hash,
                FUEL,
                vec![0; limits.max_io_len as usize + 1],
                vec![]
            ),
            Err(Error::InputTooLarge.into())
        );
        assert_eq!(
            go(
                code_hash,
                FUEL,
                vec![],
                vec![0; limits.max_salt_len as usize + 1]
            ),
            Err(Error::SaltTooLong.into())
        );
    });
}

#[test]
fn instantiate_with_a_trapping_deploy_reverts_everything() {
    run(|| {
        let code_hash = upload(1, wat(&counter_wat()));
        // `deploy` wants 8 bytes of input and hits `unreachable` otherwise.
        let r = Contracts::bare_instantiate(acc(1), code_hash, 500, FUEL, vec![1, 2], vec![]);
        assert_eq!(r.result, Err(Error::ContractTrapped.into()));
        assert_eq!(
            r.exec_error,
            Some(ExecError::Trap(wasmi::TrapCode::UnreachableCodeReached))
        );
        let contract = contract_address(&acc(1), &code_hash, &[]);
        assert!(Contracts::contract_info(&contract).is_none());
        assert_eq!(CodeInfoOf::get(&code_hash).unwrap().refcount, 0);
        assert_eq!(Balances::free_balance(&contract), 0);
        assert!(
            !contract_events()
                .iter()
                .any(|e| matches!(e, Event::Instantiated { .. }))
        );
    });
}

#[test]
fn instantiate_with_more_value_than_balance_fails() {
    run(|| {
        let code_hash = upload(1, wat(&counter_wat()));
        let r = Contracts::bare_instantiate(
            acc(1),
            code_hash,
            ENDOWMENT * 2,
            FUEL,
            0u64.encode(),
            vec![],
        );
        assert_eq!(
            r.result.unwrap_err().to_string(),
            "Balances.InsufficientBalance"
        );
    });
}

#[test]
fn the_signer_pays_storage_deposits_without_funding_the_contract() {
    run(|| {
        let code_hash = upload(1, wat(&counter_wat()));
        let r = Contracts::bare_instantiate(acc(1), code_hash, 0, FUEL, 0u64.encode(), vec![]);
        let contract = r.result.expect("no value needed");
        let deposit = 13 * STORAGE_DEPOSIT_PER_BYTE + STORAGE_DEPOSIT_PER_ITEM;
        assert_eq!(
            r.storage_deposit,
            StorageDeposit::Charge(deposit + RECORD_DEPOSIT)
        );
        assert_eq!(Balances::free_balance(&contract), 0);
        assert_eq!(reserved(&contract), deposit + RECORD_DEPOSIT);
    });
}

#[test]
fn a_storage_deposit_limit_below_the_record_deposit_refuses_instantiation() {
    let mut ext = new_test_ext();
    let code_hash = ext.execute_with(|| upload(1, wat(&counter_wat())));
    let before = ext.state.clone();
    ext.execute_with(|| {
        let r = Contracts::bare_instantiate_limited(
            acc(1),
            code_hash,
            0,
            FUEL,
            Some(RECORD_DEPOSIT - 1),
            0u64.encode(),
            vec![],
        );
        assert_eq!(r.result, Err(Error::StorageDepositLimitExhausted.into()));
    });
    assert_eq!(ext.state, before);
}

#[test]
fn a_storage_deposit_limit_below_the_writes_fails_the_call_and_writes_nothing() {
    let mut ext = new_test_ext();
    let code_hash = ext.execute_with(|| upload(1, wat(&counter_wat())));
    let before = ext.state.clone();
    ext.execute_with(|| {
        // The record fits, the first write does not: `storage_set` returns
        // `StorageDepositNotCovered`, the counter traps, the call names the limit.
        let deposit = 13 * STORAGE_DEPOSIT_PER_BYTE + STORAGE_DEPOSIT_PER_ITEM;
        let r = Contracts::bare_instantiate_limited(
            acc(1),
            code_hash,
            0,
            FUEL,
            Some(RECORD_DEPOSIT + deposit - 1),
            0u64.encode(),
            vec![],
        );
        assert_eq!(r.result, Err(Error::StorageDepositLimitExhausted.into()));
    });
    assert_eq!(ext.state, before);
    ext.execute_with(|| {
        let deposit = 13 * STORAGE_DEPOSIT_PER_BYTE + STORAGE_DEPOSIT_PER_ITEM;
        let r = Contracts::bare_instantiate_limited(
            acc(1),
            code_hash,
            0,
            FUEL,
            Some(RECORD_DEPOSIT + deposit),
            0u64.encode(),
            vec![],
        );
        assert!(r.result.is_ok(), "exactly the limit: {:?}", r.result);
    });
}

#[test]
fn a_signer_who_cannot_pay_the_record_deposit_is_refused() {
    run(|| {
        let code_hash = upload(1, wat(&counter_wat()));
        // Account 9 has nothing.
        let r = Contracts::bare_instantiate(acc(9), code_hash, 0, FUEL, 0u64.encode(), vec![]);
        assert_eq!(r.result, Err(Error::StorageDepositNotCovered.into()));
    });
}

#[test]
fn growing_storage_charges_the_caller_within_its_limit() {
    run(|| {
        let contract = counter(5);
        // Rewriting the 8-byte count costs nothing more.
        let before = Balances::free_balance(&acc(2));
        let r = Contracts::bare_call_limited(
            acc(2),
            contract,
            0,
            FUEL,
            Some(0),
            call_data("increment", 1u64),
        );
        assert_eq!(r.result, Ok(()));
        assert_eq!(r.storage_deposit, StorageDeposit::Charge(0));
        assert_eq!(Balances::free_balance(&acc(2)), before);
    });
}

// ---- call: the counter ----

#[test]
fn counter_increment_stores_emits_and_returns_the_new_value() {
    run(|| {
        let contract = counter(5);
        let increment = Call::Call {
            dest: contract,
            value: 0,
            fuel_limit: FUEL,
            storage_deposit_limit: None,
            data: call_data("increment", 3u64),
        };
        assert_eq!(
            Contracts::dispatch(increment, Origin::signed(acc(2))),
            Ok(())
        );
        assert_eq!(
            Contracts::get_storage(&contract, b"count"),
            Some(8u64.encode())
        );
        let events = contract_events();
        assert!(events.contains(&Event::ContractEmitted {
            contract,
            topics: vec![Hash(*COUNTER_TOPIC)],
            data: 8u64.encode(),
        }));
        assert_eq!(
            events.last(),
            Some(&Event::Called {
                caller: acc(2),
                contract
            })
        );
        let r = call(2, contract, call_data("increment", 10u64));
        assert_eq!(r.result, Ok(()));
        assert_eq!(u64_output(&r.output), 18);
        assert!(r.fuel_consumed > 0 && r.fuel_consumed < FUEL);
    });
}

#[test]
fn counter_get_returns_the_value() {
    run(|| {
        let contract = counter(42);
        let r = call(2, contract, call_data("get", ()));
        assert_eq!(r.result, Ok(()));
        assert_eq!(u64_output(&r.output), 42);
    });
}

#[test]
fn unknown_selector_reverts_without_writes() {
    let mut ext = new_test_ext();
    let contract = ext.execute_with(|| counter(1));
    let before = ext.state.clone();
    ext.execute_with(|| {
        let r = call(2, contract, call_data("decrement", 1u64));
        assert_eq!(r.result, Err(Error::ContractReverted.into()));
        assert!(r.exec_error.is_none());
        assert!(r.output.is_empty());
    });
    assert_eq!(ext.state, before);
}

#[test]
fn call_refuses_bad_arguments_before_running() {
    run(|| {
        let contract = counter(0);
        let limits = Limits::DEFAULT;
        assert_eq!(
            call(1, acc(3), vec![]).result,
            Err(Error::ContractNotFound.into())
        );
        assert_eq!(
            Contracts::bare_call(acc(1), contract, 0, limits.max_fuel_per_call + 1, vec![]).result,
            Err(Error::FuelLimitTooHigh.into())
        );
        assert_eq!(
            call(1, contract, vec![0; limits.max_io_len as usize + 1]).result,
            Err(Error::InputTooLarge.into())
        );
        assert_eq!(
            Contracts::dispatch(
                Call::Call {
                    dest: contract,
                    value: 0,
                    fuel_limit: FUEL,
                    storage_deposit_limit: None,
                    data: vec![]
                },
                Origin::None
            ),
            Err(DispatchError::BadOrigin)
        );
    });
}

#[test]
fn call_moves_value_to_the_contract() {
    run(|| {
        let contract = counter(0);
        let before = Balances::free_balance(&contract);
        let r = Contracts::bare_call(acc(2), contract, 250, FUEL, call_data("get", ()));
        assert_eq!(r.result, Ok(()));
        assert_eq!(Balances::free_balance(&contract), before + 250);
        assert_eq!(Balances::free_balance(&acc(2)), ENDOWMENT - 250);
    });
}

#[test]
fn dispatch_info_declares_the_fuel_as_weight() {
    let info = Contracts::dispatch_info(&Call::Call {
        dest: acc(1),
        value: 0,
        fuel_limit: 1_000,
        storage_deposit_limit: None,
        data: vec![],
    });
    // Unit base weight + 1000 fuel × 2000 ps.
    assert_eq!(info.weight, Weight(1 + 2_000_000));
    let capped = Contracts::dispatch_info(&Call::Call {
        dest: acc(1),
        value: 0,
        fuel_limit: u64::MAX,
        storage_deposit_limit: Some(5),
        data: vec![],
    });
    let max = Limits::DEFAULT.max_fuel_per_call;
    assert_eq!(capped.weight, Weight(1 + max * 2_000));
}
