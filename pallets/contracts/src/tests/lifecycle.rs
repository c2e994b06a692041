//! The contract lifecycle: `terminate` (balance, deposits, the deletion queue), `set_code_hash`
//! and `instantiate` from a contract.

use super::*;
use crate::{
    ContractStorage, DELETION_KEYS_PER_BLOCK, DeletionQueueCounter, DeletionQueueCounterOf,
    HostFnCosts, MAX_DELETION_QUEUE_LEN, Pallet, lifecycle::deletion_weight,
};
use ghost_support::storage::{StorageDoubleMap, StorageValue};
use ghost_support::weights::ROCKS_DB_WEIGHT;

/// The lifecycle contract. `call` (and `deploy`, with non-empty input) dispatch on the first
/// byte of the input:
/// - `1 ++ n: u32`: stores `n` entries `"k" ++ i: u32 → i: u64`;
/// - `2 ++ beneficiary`: `terminate(beneficiary)`; returns the code (u32) only if refused;
/// - `3 ++ code_hash`: `set_code_hash`; returns the code ++ `VERSION` (u32) of the running code;
/// - `4`: returns `VERSION` (u32);
/// - `5 ++ dest ++ data`: calls `dest` with `data`; returns the code ++ its output;
/// - `6 ++ code_hash ++ salt(4) ++ value(16) ++ data`: instantiates; returns the code ++
///   address (32, zero unless it worked) ++ `deploy`'s output;
/// - `7 ++ dest ++ data`: calls `dest` with `data` twice; returns both codes;
/// - `8`: allows reentry;
/// - `11 ++ dest ++ data`: as `5`, then reverts with the code;
/// - `10 ++ code_hash ++ salt(4)`: instantiates `code_hash` with this same input (so its
///   `deploy` does the same, one level deeper); returns the code ++ `deploy`'s output.
fn lifecycle_wat(version: u32) -> String {
    format!(
        r#"(module
  (import "ghost" "input" (func $input (param i32 i32) (result i32)))
  (import "ghost" "storage_set" (func $set (param i32 i32 i32 i32) (result i32)))
  (import "ghost" "return_data" (func $ret (param i32 i32 i32)))
  (import "ghost" "terminate" (func $terminate (param i32) (result i32)))
  (import "ghost" "set_code_hash" (func $set_code (param i32) (result i32)))
  (import "ghost" "call" (func $call (param i32 i32 i64 i32 i32 i32 i32) (result i32)))
  (import "ghost" "instantiate"
    (func $inst (param i32 i32 i64 i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "ghost" "allow_reentry" (func $allow (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "k")
  (func $dispatch
    (local $len i32) (local $op i32) (local $i i32)
    (i32.store (i32.const 100) (i32.const 4096))
    (drop (call $input (i32.const 1024) (i32.const 100)))
    (local.set $len (i32.load (i32.const 100)))
    (if (i32.eqz (local.get $len)) (then (return)))
    (local.set $op (i32.load8_u (i32.const 1024)))
    (i32.store (i32.const 104) (i32.const 2048))
    (if (i32.eq (local.get $op) (i32.const 1))
      (then
        (block $done (loop $fill
          (br_if $done (i32.ge_u (local.get $i) (i32.load (i32.const 1025))))
          (i32.store (i32.const 1) (local.get $i))
          (i64.store (i32.const 16) (i64.extend_i32_u (local.get $i)))
          (drop (call $set (i32.const 0) (i32.const 5) (i32.const 16) (i32.const 8)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $fill)))
        (return)))
    (if (i32.eq (local.get $op) (i32.const 2))
      (then
        (i32.store (i32.const 200) (call $terminate (i32.const 1025)))
        (call $ret (i32.const 0) (i32.const 200) (i32.const 4))))
    (if (i32.eq (local.get $op) (i32.const 3))
      (then
        (i32.store (i32.const 200) (call $set_code (i32.const 1025)))
        (i32.store (i32.const 204) (i32.const {version}))
        (call $ret (i32.const 0) (i32.const 200) (i32.const 8))))
    (if (i32.eq (local.get $op) (i32.const 4))
      (then
        (i32.store (i32.const 200) (i32.const {version}))
        (call $ret (i32.const 0) (i32.const 200) (i32.const 4))))
    (if (i32.eq (local.get $op) (i32.const 5))
      (then
        (i32.store (i32.const 8192)
          (call $call (i32.const 1025) (i32.const 300) (i64.const 0)
            (i32.const 1057) (i32.sub (local.get $len) (i32.const 33))
            (i32.const 8196) (i32.const 104)))
        (call $ret (i32.const 0) (i32.const 8192) (i32.add (i32.const 4) (i32.load (i32.const 104))))))
    (if (i32.eq (local.get $op) (i32.const 6))
      (then
        (i32.store (i32.const 8192)
          (call $inst (i32.const 1025) (i32.const 1061) (i64.const 0)
            (i32.const 1077) (i32.sub (local.get $len) (i32.const 53))
            (i32.const 1057) (i32.const 4) (i32.const 8196) (i32.const 8228) (i32.const 104)))
        (call $ret (i32.const 0) (i32.const 8192) (i32.add (i32.const 36) (i32.load (i32.const 104))))))
    (if (i32.eq (local.get $op) (i32.const 7))
      (then
        (i32.store (i32.const 8192)
          (call $call (i32.const 1025) (i32.const 300) (i64.const 0)
            (i32.const 1057) (i32.sub (local.get $len) (i32.const 33))
            (i32.const 8200) (i32.const 104)))
        (i32.store (i32.const 104) (i32.const 2048))
        (i32.store (i32.const 8196)
          (call $call (i32.const 1025) (i32.const 300) (i64.const 0)
            (i32.const 1057) (i32.sub (local.get $len) (i32.const 33))
            (i32.const 8200) (i32.const 104)))
        (call $ret (i32.const 0) (i32.const 8192) (i32.const 8))))
    (if (i32.eq (local.get $op) (i32.const 11))
      (then
        (i32.store (i32.const 8192)
          (call $call (i32.const 1025) (i32.const 300) (i64.const 0)
            (i32.const 1057) (i32.sub (local.get $len) (i32.const 33))
            (i32.const 8196) (i32.const 104)))
        (call $ret (i32.const 1) (i32.const 8192) (i32.const 4))))
    (if (i32.eq (local.get $op) (i32.const 8))
      (then (call $allow (i32.const 1)) (return)))
    (if (i32.eq (local.get $op) (i32.const 10))
      (then
        (i32.store (i32.const 8192)
          (call $inst (i32.const 1025) (i32.const 300) (i64.const 0)
            (i32.const 1024) (local.get $len)
            (i32.const 1057) (i32.const 4) (i32.const 7000) (i32.const 8196) (i32.const 104)))
        (call $ret (i32.const 0) (i32.const 8192) (i32.add (i32.const 4) (i32.load (i32.const 104))))))
    unreachable)
  (func (export "deploy") (call $dispatch))
  (func (export "call") (call $dispatch)))"#
    )
}

/// A `deploy` that stores a key and then traps (or, with input `[1]`, reverts).
const FAILING_DEPLOY_WAT: &str = r#"(module
  (import "ghost" "input" (func $input (param i32 i32) (result i32)))
  (import "ghost" "storage_set" (func $set (param i32 i32 i32 i32) (result i32)))
  (import "ghost" "return_data" (func $ret (param i32 i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "key")
  (func (export "deploy")
    (drop (call $set (i32.const 0) (i32.const 3) (i32.const 0) (i32.const 3)))
    (i32.store (i32.const 100) (i32.const 16))
    (drop (call $input (i32.const 200) (i32.const 100)))
    (if (i32.eq (i32.load (i32.const 100)) (i32.const 1))
      (then (call $ret (i32.const 1) (i32.const 0) (i32.const 3))))
    unreachable)
  (func (export "call")))"#;

fn lifecycle_code(version: u32) -> Vec<u8> {
    wat(&lifecycle_wat(version))
}

/// Instantiates the lifecycle contract (version 1) by account 1 with `value`, `deploy` input
/// `data`, and salt `salt`.
fn lifecycle(value: Balance, data: Vec<u8>, salt: &[u8]) -> (Hash, AccountId) {
    let mut code_hash = blake3_of(&lifecycle_code(1));
    if CodeInfoOf::get(&code_hash).is_none() {
        code_hash = upload(1, lifecycle_code(1));
    }
    let r = Contracts::bare_instantiate(acc(1), code_hash, value, FUEL, data, salt.to_vec());
    (code_hash, r.result.expect("instantiate"))
}

fn blake3_of(code: &[u8]) -> Hash {
    ghost_primitives::blake3_256(code)
}

fn op(code: u8, rest: &[&[u8]]) -> Vec<u8> {
    let mut data = vec![code];
    for part in rest {
        data.extend_from_slice(part);
    }
    data
}

fn fill(contract: AccountId, n: u32) {
    let r = Contracts::bare_call(acc(1), contract, 0, 400_000_000, op(1, &[&n.to_le_bytes()]));
    r.result.expect("fill");
}

fn u32s(output: &[u8]) -> Vec<u32> {
    output
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

fn code_u32(code: ReturnCode) -> u32 {
    code as u32
}

fn items_of(contract: &AccountId) -> usize {
    ContractStorage::iter_prefix(contract).count()
}

fn queue_len() -> u64 {
    DeletionQueueCounterOf::get_or_default().len()
}

fn next_block() -> Weight {
    let n = System::block_number() + 1;
    System::initialize(n, Hash::ZERO, START + n * 1_000).expect("next block");
    <Pallet<Test> as Hooks>::on_initialize(n)
}

// ---- terminate ----

#[test]
fn terminate_moves_the_balance_refunds_the_deposits_and_queues_the_storage() {
    run(|| {
        let (code_hash, contract) = lifecycle(5_000, vec![], b"");
        fill(contract, 10);
        let info = ContractInfoOf::get(&contract).expect("contract");
        let deposits = info.storage_deposit + info.base_deposit;
        assert_eq!(reserved(&contract), deposits);
        let (before_origin, beneficiary) = (Balances::free_balance(&acc(2)), acc(9));

        // Account 2 signs the terminating call: the deposits go back to it.
        let r = Contracts::bare_call(acc(2), contract, 0, FUEL, op(2, &[&beneficiary.0]));
        assert_eq!(r.result, Ok(()));
        assert!(
            r.output.is_empty(),
            "terminate ends the frame without output"
        );
        assert_eq!(r.storage_deposit, StorageDeposit::Refund(deposits));
        assert_eq!(ContractInfoOf::get(&contract), None);
        assert_eq!(CodeInfoOf::get(&code_hash).expect("code").refcount, 0);
        assert_eq!(Balances::free_balance(&beneficiary), 5_000);
        assert_eq!(Balances::free_balance(&acc(2)), before_origin + deposits);
        assert_eq!(
            (Balances::free_balance(&contract), reserved(&contract)),
            (0, 0)
        );
        // The storage is still there, queued.
        assert_eq!(items_of(&contract), 10);
        assert_eq!(queue_len(), 1);
        assert!(contract_events().contains(&Event::Terminated {
            contract,
            beneficiary
        }));
        // A terminated contract cannot be called.
        assert_eq!(
            call(1, contract, op(4, &[])).result,
            Err(Error::ContractNotFound.into())
        );

        next_block();
        assert_eq!((items_of(&contract), queue_len()), (0, 0));
        // The unused code can now be removed.
        assert_eq!(Contracts::remove_code(acc(1), code_hash), Ok(()));
    });
}

#[test]
fn the_deletion_queue_drains_in_bounded_steps_and_blocks_reinstantiation_until_done() {
    run(|| {
        let (code_hash, contract) = lifecycle(0, vec![], b"same");
        fill(contract, 600);
        let r = Contracts::bare_call(acc(1), contract, 0, 100_000_000, op(2, &[&acc(9).0]));
        assert_eq!(r.result, Ok(()));
        assert_eq!(items_of(&contract), 600);

        let again = || {
            Contracts::bare_instantiate(acc(1), code_hash, 0, FUEL, vec![], b"same".to_vec()).result
        };
        let per_block = DELETION_KEYS_PER_BLOCK as usize;
        let mut left: usize = 600;
        while left > 0 {
            assert_eq!(again(), Err(Error::ContractPendingDeletion.into()));
            let weight = next_block();
            assert!(weight <= deletion_weight(DELETION_KEYS_PER_BLOCK, 1));
            left = left.saturating_sub(per_block);
            assert_eq!(
                items_of(&contract),
                left,
                "at most {per_block} keys a block"
            );
        }
        assert_eq!(queue_len(), 0);
        // The address is free again; the new contract starts with empty storage.
        assert_eq!(again(), Ok(contract));
        assert_eq!(
            ContractInfoOf::get(&contract).expect("new").storage_items,
            0
        );
        // With nothing queued, a block only reads the counter.
        assert_eq!(next_block(), ROCKS_DB_WEIGHT.reads(1));
    });
}

#[test]
fn terminate_pays_for_the_deletion_of_every_entry_up_front() {
    run(|| {
        let (_, small) = lifecycle(0, vec![], b"small");
        let (_, big) = lifecycle(0, vec![], b"big");
        fill(big, 100);
        let burn = |contract| {
            let r = Contracts::bare_call(acc(1), contract, 0, FUEL, op(2, &[&acc(9).0]));
            assert_eq!(r.result, Ok(()));
            r.fuel_consumed
        };
        let (small_fuel, big_fuel) = (burn(small), burn(big));
        let per_item = HostFnCosts::DEFAULT.deletion_per_item;
        assert_eq!(big_fuel - small_fuel, 100 * per_item);
    });
}

#[test]
fn terminate_without_fuel_for_the_deletion_traps_and_changes_nothing() {
    run(|| {
        let (_, contract) = lifecycle(1_000, vec![], b"");
        fill(contract, 100);
        // Enough to load the code and run, far from 100 × deletion_per_item.
        let r = Contracts::bare_call(acc(1), contract, 0, 5_000_000, op(2, &[&acc(9).0]));
        assert_eq!(r.result, Err(Error::OutOfFuel.into()));
        assert!(ContractInfoOf::get(&contract).is_some());
        assert_eq!((queue_len(), Balances::free_balance(&contract)), (0, 1_000));
    });
}

#[test]
fn terminate_refuses_while_the_contract_is_re_entered() {
    run(|| {
        // The contract allows reentry, and calls itself through the proxy.
        let (_, contract) = lifecycle(1_000, vec![8], b"");
        let proxy = instantiate(1, wat(PROXY_WAT), 0, vec![]);
        let inner = op(2, &[&acc(9).0]);
        let mut via_proxy = contract.0.to_vec();
        via_proxy.extend_from_slice(&inner);
        let r = call(1, contract, op(5, &[&proxy.0, &via_proxy]));
        assert_eq!(r.result, Ok(()));
        // Our call to the proxy worked, its call to us worked, and our inner terminate was
        // refused.
        assert_eq!(
            u32s(&r.output),
            vec![0, 0, code_u32(ReturnCode::TerminateWhileReentered)]
        );
        assert!(ContractInfoOf::get(&contract).is_some());
        assert_eq!(Balances::free_balance(&contract), 1_000);
        assert_eq!(Balances::free_balance(&acc(9)), 0);
    });
}

#[test]
fn terminate_in_deploy_is_refused() {
    run(|| {
        let (_, contract) = lifecycle(0, op(2, &[&acc(9).0]), b"");
        assert!(ContractInfoOf::get(&contract).is_some());
        let r = Contracts::bare_instantiate(
            acc(1),
            blake3_of(&lifecycle_code(1)),
            0,
            FUEL,
            op(2, &[&acc(9).0]),
            b"2".to_vec(),
        );
        assert_eq!(
            u32s(&r.output),
            vec![code_u32(ReturnCode::TerminateInDeploy)]
        );
    });
}

#[test]
fn terminate_to_itself_is_refused_with_nothing_changed() {
    run(|| {
        let (_, contract) = lifecycle(1_000, vec![], b"");
        fill(contract, 3);
        let reserved_before = reserved(&contract);
        let r = call(1, contract, op(2, &[&contract.0]));
        assert_eq!(u32s(&r.output), vec![code_u32(ReturnCode::TransferFailed)]);
        assert!(ContractInfoOf::get(&contract).is_some());
        assert_eq!(reserved(&contract), reserved_before);
        assert_eq!(queue_len(), 0);
    });
}

#[test]
fn a_caller_goes_on_after_its_callee_terminates_and_sees_it_gone() {
    run(|| {
        let (_, callee) = lifecycle(700, vec![], b"callee");
        let (_, caller) = lifecycle(0, vec![], b"caller");
        let r = call(1, caller, op(7, &[&callee.0, &op(2, &[&acc(9).0])]));
        assert_eq!(r.result, Ok(()));
        assert_eq!(u32s(&r.output), vec![0, code_u32(ReturnCode::NotAContract)]);
        assert_eq!(ContractInfoOf::get(&callee), None);
        assert_eq!(Balances::free_balance(&acc(9)), 700);
    });
}

#[test]
fn a_caller_that_reverts_undoes_its_callees_termination() {
    run(|| {
        let (_, callee) = lifecycle(700, vec![], b"callee");
        fill(callee, 2);
        let (_, caller) = lifecycle(0, vec![], b"caller");
        let deposits = reserved(&callee);
        let r = call(1, caller, op(11, &[&callee.0, &op(2, &[&acc(9).0])]));
        assert_eq!(r.result, Err(Error::ContractReverted.into()));
        // The nested terminate had worked; the revert took it back.
        assert_eq!(u32s(&r.output), vec![0]);
        assert!(ContractInfoOf::get(&callee).is_some());
        assert_eq!(reserved(&callee), deposits);
        assert_eq!((Balances::free_balance(&acc(9)), queue_len()), (0, 0));
    });
}

#[test]
fn terminate_with_storage_is_refused_while_the_deletion_queue_is_full() {
    run(|| {
        let (_, with_storage) = lifecycle(1_000, vec![], b"full");
        fill(with_storage, 1);
        let (_, empty) = lifecycle(1_000, vec![], b"empty");
        // As if MAX_DELETION_QUEUE_LEN contracts were queued.
        let full = DeletionQueueCounter {
            insert: MAX_DELETION_QUEUE_LEN,
            delete: 0,
        };
        DeletionQueueCounterOf::put(&full);
        let r = call(1, with_storage, op(2, &[&acc(9).0]));
        assert_eq!(
            u32s(&r.output),
            vec![code_u32(ReturnCode::DeletionQueueFull)]
        );
        assert!(ContractInfoOf::get(&with_storage).is_some());
        assert_eq!(Balances::free_balance(&with_storage), 1_000);
        assert_eq!(DeletionQueueCounterOf::get_or_default(), full);
        // A contract without storage needs no queue entry.
        assert_eq!(call(1, empty, op(2, &[&acc(9).0])).result, Ok(()));
        assert_eq!(ContractInfoOf::get(&empty), None);
        assert_eq!(DeletionQueueCounterOf::get_or_default(), full);
    });
}

// ---- set_code_hash ----

#[test]
fn set_code_hash_moves_the_refcount_and_the_next_call_runs_the_new_code() {
    run(|| {
        let (v1, contract) = lifecycle(0, vec![], b"");
        let v2 = upload(2, lifecycle_code(2));
        let r = call(1, contract, op(3, &[&v2.0]));
        // This frame still runs version 1.
        assert_eq!(u32s(&r.output), vec![0, 1]);
        assert_eq!(
            ContractInfoOf::get(&contract).expect("contract").code_hash,
            v2
        );
        assert_eq!(CodeInfoOf::get(&v1).expect("v1").refcount, 0);
        assert_eq!(CodeInfoOf::get(&v2).expect("v2").refcount, 1);
        assert!(contract_events().contains(&Event::ContractCodeUpdated {
            contract,
            new_code_hash: v2,
            old_code_hash: v1
        }));
        assert_eq!(u32s(&call(1, contract, op(4, &[])).output), vec![2]);
        // Version 1 is unused and can go; version 2 cannot.
        assert_eq!(Contracts::remove_code(acc(1), v1), Ok(()));
        assert_eq!(
            Contracts::remove_code(acc(2), v2),
            Err(Error::CodeInUse.into())
        );
    });
}

#[test]
fn set_code_hash_to_unknown_code_is_refused_with_nothing_changed() {
    run(|| {
        let (v1, contract) = lifecycle(0, vec![], b"");
        let r = call(1, contract, op(3, &[&[0xAB; 32]]));
        assert_eq!(u32s(&r.output), vec![code_u32(ReturnCode::CodeNotFound), 1]);
        assert_eq!(
            ContractInfoOf::get(&contract).expect("contract").code_hash,
            v1
        );
        assert_eq!(CodeInfoOf::get(&v1).expect("v1").refcount, 1);
        assert_eq!(u32s(&call(1, contract, op(4, &[])).output), vec![1]);
    });
}

// ---- instantiate from a contract ----

/// `6 ++ code_hash ++ salt ++ value ++ data`.
fn instantiate_op(code_hash: Hash, salt: &[u8; 4], value: Balance, data: &[u8]) -> Vec<u8> {
    op(6, &[&code_hash.0, salt, &value.to_le_bytes(), data])
}

#[test]
fn a_contract_instantiates_a_contract_as_its_deployer_paid_by_the_origin() {
    run(|| {
        let (_, factory) = lifecycle(10_000, vec![], b"");
        let counter_hash = upload(1, wat(&counter_wat()));
        let before = Balances::free_balance(&acc(2));
        let r = Contracts::bare_call(
            acc(2),
            factory,
            0,
            FUEL,
            instantiate_op(counter_hash, b"salt", 400, &7u64.encode()),
        );
        assert_eq!(r.result, Ok(()));
        let expected = contract_address(&factory, &counter_hash, b"salt");
        assert_eq!(u32s(&r.output[..4]), vec![0]);
        assert_eq!(&r.output[4..36], &expected.0);
        let info = ContractInfoOf::get(&expected).expect("instantiated");
        assert_eq!((info.deployer, info.code_hash), (factory, counter_hash));
        assert_eq!(CodeInfoOf::get(&counter_hash).expect("code").refcount, 1);
        // The signer of the transaction paid the record and the counter's storage; the value
        // came from the factory.
        let storage = 13 * STORAGE_DEPOSIT_PER_BYTE + STORAGE_DEPOSIT_PER_ITEM;
        assert_eq!(
            r.storage_deposit,
            StorageDeposit::Charge(RECORD_DEPOSIT + storage)
        );
        assert_eq!(
            Balances::free_balance(&acc(2)),
            before - RECORD_DEPOSIT - storage
        );
        assert_eq!(reserved(&expected), RECORD_DEPOSIT + storage);
        assert_eq!(Balances::free_balance(&expected), 400);
        assert_eq!(Balances::free_balance(&factory), 9_600);
        assert!(contract_events().contains(&Event::Instantiated {
            deployer: factory,
            contract: expected,
            code_hash: counter_hash
        }));
        assert_eq!(
            u64_output(&call(1, expected, call_data("get", ())).output),
            7
        );
        // The same salt again is a duplicate.
        let r = call(
            1,
            factory,
            instantiate_op(counter_hash, b"salt", 0, &7u64.encode()),
        );
        assert_eq!(
            u32s(&r.output[..4]),
            vec![code_u32(ReturnCode::DuplicateContract)]
        );
    });
}

#[test]
fn instantiate_of_unknown_code_is_refused() {
    run(|| {
        let (_, factory) = lifecycle(0, vec![], b"");
        let r = call(
            1,
            factory,
            instantiate_op(Hash([0xAB; 32]), b"salt", 0, &[]),
        );
        assert_eq!(
            u32s(&r.output[..4]),
            vec![code_u32(ReturnCode::CodeNotFound)]
        );
        assert_eq!(&r.output[4..36], &[0u8; 32]);
    });
}

#[test]
fn a_failed_deploy_reverts_everything_it_did() {
    run(|| {
        let (_, factory) = lifecycle(10_000, vec![], b"");
        let failing = upload(1, wat(FAILING_DEPLOY_WAT));
        let before = Balances::free_balance(&acc(1));
        for (data, code) in [
            (vec![], ReturnCode::CalleeTrapped),
            (vec![1], ReturnCode::CalleeReverted),
        ] {
            let r = call(1, factory, instantiate_op(failing, b"salt", 500, &data));
            assert_eq!(r.result, Ok(()));
            assert_eq!(u32s(&r.output[..4]), vec![code_u32(code)]);
            let address = contract_address(&factory, &failing, b"salt");
            assert_eq!(ContractInfoOf::get(&address), None);
            assert_eq!(items_of(&address), 0);
            assert_eq!(Balances::free_balance(&address), 0);
            assert_eq!(Balances::free_balance(&factory), 10_000);
            assert_eq!(Balances::free_balance(&acc(1)), before);
            assert_eq!(CodeInfoOf::get(&failing).expect("code").refcount, 0);
            assert_eq!(r.storage_deposit, StorageDeposit::Charge(0));
        }
        // A revert's output is copied.
        let r = call(1, factory, instantiate_op(failing, b"salt", 0, &[1]));
        assert_eq!(&r.output[36..], b"key");
    });
}

#[test]
fn instantiate_from_contracts_stops_at_the_call_depth_limit() {
    run(|| {
        let (code_hash, top) = lifecycle(0, vec![], b"");
        let r = call(1, top, op(10, &[&code_hash.0, b"deep"]));
        assert_eq!(r.result, Ok(()));
        let depth = Limits::DEFAULT.max_call_depth as usize;
        let mut expected = vec![0; depth - 1];
        expected.push(code_u32(ReturnCode::MaxCallDepthReached));
        assert_eq!(u32s(&r.output), expected);
        // Every level exists, each deployed by the one above it.
        let mut deployer = top;
        for _ in 0..depth - 1 {
            let next = contract_address(&deployer, &code_hash, b"deep");
            assert_eq!(
                ContractInfoOf::get(&next).expect("level").deployer,
                deployer
            );
            deployer = next;
        }
        assert_eq!(
            ContractInfoOf::get(&contract_address(&deployer, &code_hash, b"deep")),
            None
        );
    });
}

#[test]
fn instantiate_with_a_salt_past_the_limit_traps() {
    run(|| {
        let code = with_call_body(
            r#"(import "ghost" "instantiate"
                 (func $inst (param i32 i32 i64 i32 i32 i32 i32 i32 i32 i32) (result i32)))"#,
            r#"(drop (call $inst (i32.const 0) (i32.const 0) (i64.const 0) (i32.const 0)
                 (i32.const 0) (i32.const 0) (i32.const 65) (i32.const 0) (i32.const 0)
                 (i32.const 0)))"#,
        );
        let contract = instantiate(1, code, 0, vec![]);
        let r = call(1, contract, vec![]);
        assert_eq!(r.exec_error, Some(ExecError::Host(HostTrap::SaltTooLong)));
    });
}

#[test]
fn a_contract_that_owns_names_cannot_terminate_until_it_gives_them_away() {
    use crate::mock::{NAMES, NamesState, TestWithNames};
    use crate::{NameResolution, ReturnCode};
    use ghost_primitives::DomainName;
    type NamedContracts = Pallet<TestWithNames>;
    run(|| {
        let code_hash = NamedContracts::bare_upload_code(acc(1), lifecycle_code(1)).unwrap();
        let contract =
            NamedContracts::bare_instantiate(acc(1), code_hash, 1_000, FUEL, vec![], vec![])
                .result
                .unwrap();
        let name = DomainName::parse("club.ghost").unwrap();
        NAMES.with(|n| {
            *n.borrow_mut() = NamesState::default();
            n.borrow_mut().names.push((
                name.clone(),
                NameResolution {
                    owner: contract,
                    records: vec![],
                },
            ));
        });
        let terminate = op(2, &[&acc(9).0]);
        let r = NamedContracts::bare_call(acc(1), contract, 0, FUEL, terminate.clone());
        assert_eq!(u32s(&r.output), vec![code_u32(ReturnCode::OwnsNames)]);
        assert!(ContractInfoOf::get(&contract).is_some(), "still there");
        assert_eq!(Balances::free_balance(&contract), 1_000);

        // Once the name has another owner, it may go.
        NAMES.with(|n| n.borrow_mut().names[0].1.owner = acc(9));
        let r = NamedContracts::bare_call(acc(1), contract, 0, FUEL, terminate);
        assert_eq!(r.result, Ok(()));
        assert_eq!(ContractInfoOf::get(&contract), None);
        assert_eq!(Balances::free_balance(&acc(9)), 1_000);
    });
}
