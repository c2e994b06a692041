//! Edge cases: every runaway contract is bounded by a typed error, never a panic.

use super::*;

// ---- edge cases: execution is bounded ----

#[test]
fn infinite_loop_runs_out_of_fuel_and_its_writes_are_reverted() {
    run(|| {
        let contract = instantiate(1, wat(LOOP_WAT), 1_000, vec![]);
        let before = Balances::free_balance(&contract);
        let r = Contracts::bare_call(acc(2), contract, 7, 200_000, vec![]);
        assert_eq!(r.result, Err(Error::OutOfFuel.into()));
        assert_eq!(r.exec_error, Some(ExecError::OutOfFuel));
        assert_eq!(r.fuel_consumed, 200_000);
        assert_eq!(Contracts::get_storage(&contract, b"key"), None);
        assert_eq!(
            Balances::free_balance(&contract),
            before,
            "value transfer reverted"
        );
        assert_eq!(ContractInfoOf::get(&contract).unwrap().storage_items, 0);
    });
}

#[test]
fn deep_recursion_is_bounded_by_a_stack_overflow() {
    run(|| {
        let contract = instantiate(1, wat(RECURSION_WAT), 0, vec![]);
        let r = call(1, contract, vec![]);
        assert_eq!(r.result, Err(Error::StackOverflow.into()));
        assert_eq!(r.exec_error, Some(ExecError::StackOverflow));
        assert!(r.fuel_consumed < FUEL);
    });
}

#[test]
fn memory_grow_bomb_stops_at_16_pages() {
    run(|| {
        let contract = instantiate(1, wat(GROW_BOMB_WAT), 0, vec![]);
        let r = call(1, contract, vec![]);
        assert_eq!(r.result, Ok(()));
        assert_eq!(r.output, 16u32.to_le_bytes());
        // Growing copies nothing but is still charged (one fuel per 64 bytes).
        assert!(r.fuel_consumed > 15 * 64 * 1024 / 64);
    });
}

#[test]
fn out_of_bounds_host_pointers_trap() {
    let cases = [
        (
            r#"(import "ghost" "caller" (func $f (param i32)))"#,
            "(call $f (i32.const -16))",
        ),
        (
            r#"(import "ghost" "caller" (func $f (param i32)))"#,
            "(call $f (i32.const 65520))",
        ),
        (
            r#"(import "ghost" "storage_set" (func $f (param i32 i32 i32 i32) (result i32)))"#,
            "(drop (call $f (i32.const 0) (i32.const 4) (i32.const 65000) (i32.const 1000)))",
        ),
        (
            r#"(import "ghost" "input" (func $f (param i32 i32) (result i32)))"#,
            "(drop (call $f (i32.const 0) (i32.const 65534)))",
        ),
        (
            r#"(import "ghost" "return_data" (func $f (param i32 i32 i32)))"#,
            "(call $f (i32.const 0) (i32.const 65535) (i32.const 2))",
        ),
        (
            r#"(import "ghost" "blake3" (func $f (param i32 i32 i32)))"#,
            "(call $f (i32.const 0) (i32.const 10) (i32.const 65535))",
        ),
    ];
    run(|| {
        for (n, (import, body)) in cases.into_iter().enumerate() {
            let contract = instantiate(1, with_call_body(import, body), 1_000, vec![]);
            let r = call(1, contract, vec![]);
            assert_eq!(
                r.result,
                Err(Error::MemoryAccessOutOfBounds.into()),
                "case {n}"
            );
            assert_eq!(
                r.exec_error,
                Some(ExecError::Host(HostTrap::MemoryOutOfBounds))
            );
        }
    });
}

#[test]
fn oversized_keys_values_and_events_trap() {
    let set = r#"(import "ghost" "storage_set" (func $f (param i32 i32 i32 i32) (result i32)))"#;
    let emit = r#"(import "ghost" "emit_event" (func $f (param i32 i32 i32 i32)))"#;
    let ret = r#"(import "ghost" "return_data" (func $f (param i32 i32 i32)))"#;
    let cases = [
        (
            set,
            "(drop (call $f (i32.const 0) (i32.const 129) (i32.const 0) (i32.const 1)))",
            HostTrap::KeyTooLong,
        ),
        (
            set,
            "(drop (call $f (i32.const 0) (i32.const 1) (i32.const 0) (i32.const -1)))",
            HostTrap::ValueTooLarge,
        ),
        (
            emit,
            "(call $f (i32.const 0) (i32.const 160) (i32.const 0) (i32.const 0))",
            HostTrap::BadTopics,
        ),
        (
            emit,
            "(call $f (i32.const 0) (i32.const 31) (i32.const 0) (i32.const 0))",
            HostTrap::BadTopics,
        ),
        (
            emit,
            "(call $f (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 4097))",
            HostTrap::EventDataTooLarge,
        ),
        (
            ret,
            "(call $f (i32.const 2) (i32.const 0) (i32.const 0))",
            HostTrap::InvalidFlags,
        ),
        (
            ret,
            "(call $f (i32.const 0) (i32.const 0) (i32.const 65537))",
            HostTrap::IoTooLarge,
        ),
    ];
    run(|| {
        for (n, (import, body, trap)) in cases.into_iter().enumerate() {
            let contract = instantiate(1, with_call_body(import, body), 1_000, vec![]);
            let r = call(1, contract, vec![]);
            assert_eq!(r.result, Err(Error::ContractTrapped.into()), "case {n}");
            assert_eq!(r.exec_error, Some(ExecError::Host(trap)), "case {n}");
        }
    });
}

#[test]
fn fuel_cannot_cover_loading_large_code() {
    run(|| {
        let contract = counter(0);
        let code_len = CodeInfoOf::get(&ContractInfoOf::get(&contract).unwrap().code_hash)
            .unwrap()
            .code_len as u64;
        let load = code_len * crate::Schedule::DEFAULT.load_fuel_per_byte;
        let r = Contracts::bare_call(acc(1), contract, 0, load - 1, call_data("get", ()));
        assert_eq!(r.result, Err(Error::OutOfFuel.into()));
        assert_eq!(r.fuel_consumed, load - 1);
    });
}
