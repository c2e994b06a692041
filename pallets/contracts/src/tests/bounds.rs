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
        let load = load_fee(&ContractInfoOf::get(&contract).unwrap().code_hash);
        let r = Contracts::bare_call(acc(1), contract, 0, load - 1, call_data("get", ()));
        assert_eq!(r.result, Err(Error::OutOfFuel.into()));
        assert_eq!(r.fuel_consumed, load - 1);
    });
}

#[test]
fn the_load_fee_counts_every_function_the_code_defines_on_a_hit_and_a_miss() {
    run(|| {
        // The same contract with 300 more tiny functions: each costs its translation however
        // small, so each pays `load_fuel_per_function` on top of its bytes.
        let tiny = |extra: usize| {
            wat::parse_str(format!(
                r#"(module (memory (export "memory") 1) (func (export "deploy")) (func (export "call")) {})"#,
                "(func)".repeat(extra)
            ))
            .unwrap()
        };
        let (small, large) = (tiny(0), tiny(300));
        assert_eq!(crate::wasm::defined_functions(&small), 2);
        assert_eq!(crate::wasm::defined_functions(&large), 302);
        let fuel_of = |code: Vec<u8>| {
            let len = code.len() as u64;
            let contract = instantiate(1, code, 0, Vec::new());
            let hit = call(1, contract, Vec::new());
            let miss = with_module_cache(Arc::new(LruModuleCache::new(64 << 20, 16)), || {
                call(1, contract, Vec::new())
            });
            assert!(hit.result.is_ok() && miss.result.is_ok());
            assert_eq!(hit.fuel_consumed, miss.fuel_consumed, "hit and miss agree");
            (hit.fuel_consumed, len)
        };
        let (small_fuel, small_len) = fuel_of(small);
        let (large_fuel, large_len) = fuel_of(large);
        let schedule = crate::Schedule::DEFAULT;
        assert_eq!(
            large_fuel - small_fuel,
            (large_len - small_len) * schedule.load_fuel_per_byte
                + 300 * schedule.load_fuel_per_function
        );

        // Fuel for the bytes but not for the functions: out of fuel before anything runs.
        let contract = instantiate(2, tiny(301), 0, Vec::new());
        let code_hash = ContractInfoOf::get(&contract).unwrap().code_hash;
        let load = load_fee(&code_hash);
        let r = Contracts::bare_call(acc(1), contract, 0, load - 1, Vec::new());
        assert_eq!(r.result, Err(Error::OutOfFuel.into()));
        assert_eq!(r.fuel_consumed, load - 1);
    });
}
