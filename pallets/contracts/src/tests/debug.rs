//! The debug buffer: `debug_message` collects in dry runs only, bounded, and survives traps,
//! reverts and nested frames; in transactions it costs the same fuel and is dropped.

use super::*;

/// Input `len: u32 ++ mode: u8`: writes the `len` bytes at 0 (`"why: "` then zeros) with
/// `debug_message` twice, then traps (mode 1), reverts (mode 2) or returns (otherwise) with
/// the two return codes (u32 each).
const DEBUG_WAT: &str = r#"(module
  (import "ghost" "input" (func $input (param i32 i32) (result i32)))
  (import "ghost" "debug_message" (func $dbg (param i32 i32) (result i32)))
  (import "ghost" "return_data" (func $ret (param i32 i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "why: ")
  (func (export "deploy"))
  (func (export "call")
    (i32.store (i32.const 40000) (i32.const 16))
    (drop (call $input (i32.const 40004) (i32.const 40000)))
    (i32.store (i32.const 40100) (call $dbg (i32.const 0) (i32.load (i32.const 40004))))
    (i32.store (i32.const 40104) (call $dbg (i32.const 0) (i32.load (i32.const 40004))))
    (if (i32.eq (i32.load8_u (i32.const 40008)) (i32.const 1)) (then unreachable))
    (if (i32.eq (i32.load8_u (i32.const 40008)) (i32.const 2))
      (then (call $ret (i32.const 1) (i32.const 40100) (i32.const 8))))
    (call $ret (i32.const 0) (i32.const 40100) (i32.const 8))))"#;

fn debug_contract() -> AccountId {
    instantiate(1, wat(DEBUG_WAT), 0, vec![])
}

fn input(len: u32, mode: u8) -> Vec<u8> {
    let mut data = len.to_le_bytes().to_vec();
    data.push(mode);
    data
}

fn dry_run(dest: AccountId, data: Vec<u8>) -> crate::ContractResult<()> {
    Contracts::dry_run_call(acc(2), dest, 0, FUEL, None, data)
}

fn codes(output: &[u8]) -> (u32, u32) {
    (
        u32::from_le_bytes(output[0..4].try_into().unwrap()),
        u32::from_le_bytes(output[4..8].try_into().unwrap()),
    )
}

#[test]
fn dry_runs_collect_debug_messages() {
    run(|| {
        let contract = debug_contract();
        let r = dry_run(contract, input(5, 0));
        assert_eq!(r.result, Ok(()));
        assert_eq!(r.debug_message, "why: why: ");
        let ok = ReturnCode::Success as u32;
        assert_eq!(codes(&r.output), (ok, ok));
    });
}

#[test]
fn transactions_drop_debug_messages_at_the_same_fuel() {
    run(|| {
        let contract = debug_contract();
        let tx = call(2, contract, input(5, 0));
        assert_eq!(tx.result, Ok(()));
        assert_eq!(tx.debug_message, "");
        let disabled = ReturnCode::LoggingDisabled as u32;
        assert_eq!(codes(&tx.output), (disabled, disabled));

        // Collecting the message does not change the price: a dry run predicts the fuel.
        let dry = dry_run(contract, input(5, 0));
        assert_eq!(dry.fuel_consumed, tx.fuel_consumed);

        // The signed extrinsic goes the transaction path too.
        let data = input(5, 0);
        assert_eq!(
            Contracts::dispatch(
                Call::Call {
                    dest: contract,
                    value: 0,
                    fuel_limit: FUEL,
                    storage_deposit_limit: None,
                    data,
                },
                Origin::Signed(acc(2)),
            ),
            Ok(())
        );
    });
}

#[test]
fn messages_survive_a_trap_and_a_revert() {
    run(|| {
        let contract = debug_contract();
        let trapped = dry_run(contract, input(5, 1));
        assert!(matches!(trapped.exec_error, Some(ExecError::Trap(_))));
        assert_eq!(trapped.result, Err(Error::ContractTrapped.into()));
        assert_eq!(trapped.debug_message, "why: why: ");

        let reverted = dry_run(contract, input(5, 2));
        assert_eq!(reverted.result, Err(Error::ContractReverted.into()));
        assert_eq!(reverted.debug_message, "why: why: ");
    });
}

#[test]
fn the_buffer_is_bounded_and_full_is_a_return_code_not_a_trap() {
    run(|| {
        let contract = debug_contract();
        let limit = Limits::DEFAULT.max_debug_buffer_len;
        let ok = ReturnCode::Success as u32;
        let full = ReturnCode::DebugBufferFull as u32;

        // Two messages of 10 KiB: the second is cut at 16 KiB in total.
        let r = dry_run(contract, input(10 * 1024, 0));
        assert_eq!(r.result, Ok(()));
        assert_eq!(codes(&r.output), (ok, full));
        assert_eq!(r.debug_message.len(), limit as usize);
        assert!(r.debug_message.starts_with("why: "));

        // One message longer than the whole buffer is cut on its own; the next finds it full.
        let r = dry_run(contract, input(limit + 1, 0));
        assert_eq!(r.result, Ok(()));
        assert_eq!(codes(&r.output), (full, full));
        assert_eq!(r.debug_message.len(), limit as usize);

        // Fuel is bounded by what can be kept: a 60 KiB message costs what a 16 KiB one does.
        let at_limit = call(2, contract, input(limit, 0)).fuel_consumed;
        let past_it = call(2, contract, input(60 * 1024, 0)).fuel_consumed;
        assert_eq!(at_limit, past_it);
    });
}

#[test]
fn a_message_outside_memory_traps_in_dry_runs_and_transactions() {
    run(|| {
        let contract = debug_contract();
        let oob = Some(ExecError::Host(HostTrap::MemoryOutOfBounds));
        assert_eq!(dry_run(contract, input(64 * 1024 + 1, 0)).exec_error, oob);
        assert_eq!(call(2, contract, input(64 * 1024 + 1, 0)).exec_error, oob);
        assert_eq!(call(2, contract, input(u32::MAX, 0)).exec_error, oob);
    });
}

#[test]
fn nested_frames_share_the_buffer_and_a_trapped_callee_s_message_stays() {
    run(|| {
        let callee = debug_contract();
        let proxy = instantiate(1, wat(PROXY_WAT), 0, vec![]);
        let mut data = callee.0.to_vec();
        data.extend(input(5, 1));
        let r = dry_run(proxy, data);
        assert_eq!(r.result, Ok(()));
        assert_eq!(
            u32::from_le_bytes(r.output[0..4].try_into().unwrap()),
            ReturnCode::CalleeTrapped as u32
        );
        assert_eq!(r.debug_message, "why: why: ");
    });
}

#[test]
fn dry_run_instantiate_collects_the_deploy_message() {
    let source = r#"(module
  (import "ghost" "debug_message" (func $dbg (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "deploy refused")
  (func (export "deploy") (drop (call $dbg (i32.const 0) (i32.const 14))) unreachable)
  (func (export "call")))"#;
    run(|| {
        let code_hash = upload(1, wat(source));
        let r = Contracts::dry_run_instantiate(acc(1), code_hash, 0, FUEL, None, vec![], vec![]);
        assert_eq!(r.result, Err(Error::ContractTrapped.into()));
        assert_eq!(r.debug_message, "deploy refused");
        let tx = Contracts::bare_instantiate(acc(1), code_hash, 0, FUEL, vec![], vec![]);
        assert_eq!(tx.debug_message, "");
        assert_eq!(tx.fuel_consumed, r.fuel_consumed);
    });
}
