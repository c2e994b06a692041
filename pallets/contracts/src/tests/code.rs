//! Upload and removal of code, and the WASM-lite checks behind them.

use super::*;

// ---- upload_code ----

#[test]
fn upload_code_stores_code_and_reserves_deposit() {
    run(|| {
        let code = wat(&counter_wat());
        let len = code.len() as Balance;
        let call = Call::UploadCode { code: code.clone() };
        assert_eq!(Contracts::dispatch(call, Origin::signed(acc(1))), Ok(()));
        let code_hash = ghost_primitives::blake3_256(&code);
        let info = Contracts::code_info(&code_hash).expect("stored");
        assert_eq!(info.owner, acc(1));
        assert_eq!(info.deposit, len * CODE_DEPOSIT_PER_BYTE);
        assert_eq!(info.refcount, 0);
        assert_eq!(reserved(&acc(1)), len * CODE_DEPOSIT_PER_BYTE);
        assert!(
            balance_events().contains(&pallet_balances::Event::Reserved {
                who: acc(1),
                amount: len * CODE_DEPOSIT_PER_BYTE
            })
        );
        assert_eq!(
            contract_events().last(),
            Some(&Event::CodeStored {
                code_hash,
                owner: acc(1),
                deposit: len * CODE_DEPOSIT_PER_BYTE
            })
        );
    });
}

#[test]
fn upload_same_code_twice_is_refused() {
    run(|| {
        upload(1, wat(&counter_wat()));
        assert_eq!(
            Contracts::bare_upload_code(acc(2), wat(&counter_wat())),
            Err(Error::CodeExists.into())
        );
        assert_eq!(reserved(&acc(2)), 0);
    });
}

#[test]
fn upload_without_funds_for_the_deposit_writes_nothing() {
    let mut ext = new_test_ext();
    let before = ext.state.clone();
    ext.execute_with(|| {
        let err = Contracts::bare_upload_code(acc(9), wat(&counter_wat())).unwrap_err();
        assert_eq!(err.to_string(), "Balances.InsufficientBalance");
    });
    assert_eq!(ext.state, before);
}

#[test]
fn upload_requires_a_signed_origin() {
    run(|| {
        let call = Call::UploadCode {
            code: wat(&counter_wat()),
        };
        assert_eq!(
            Contracts::dispatch(call, Origin::Root),
            Err(DispatchError::BadOrigin)
        );
    });
}

#[test]
fn float_op_is_refused_at_upload() {
    let code = with_call_body("", "(drop (f32.add (f32.const 1) (f32.const 2)))");
    assert_eq!(upload_error(code), Error::FloatsNotAllowed.into());
    let float_param = code_of(
        r#"(module (memory (export "memory") 1) (func (export "deploy"))
            (func (export "call")) (func (param f64)))"#,
    );
    assert_eq!(upload_error(float_param), Error::FloatsNotAllowed.into());
}

#[test]
fn start_function_is_refused_at_upload() {
    let code = code_of(
        r#"(module (memory (export "memory") 1) (func $init)
            (start $init) (func (export "deploy")) (func (export "call")))"#,
    );
    assert_eq!(upload_error(code), Error::StartFunctionNotAllowed.into());
}

#[test]
fn huge_memory_is_refused_at_upload() {
    let initial = code_of(
        r#"(module (memory (export "memory") 17) (func (export "deploy")) (func (export "call")))"#,
    );
    assert_eq!(upload_error(initial), Error::TooManyMemoryPages.into());
    let maximum = code_of(
        r#"(module (memory (export "memory") 1 65536) (func (export "deploy")) (func (export "call")))"#,
    );
    assert_eq!(upload_error(maximum), Error::TooManyMemoryPages.into());
}

#[test]
fn unknown_imports_are_refused_at_upload() {
    for import in [
        r#"(import "env" "memcpy" (func (param i32 i32 i32)))"#,
        r#"(import "ghost" "self_destruct" (func))"#,
        r#"(import "ghost" "fuel" (global i32))"#,
    ] {
        let code = with_call_body(import, "");
        assert_eq!(upload_error(code), Error::UnknownImport.into(), "{import}");
    }
    let wrong_signature = with_call_body(r#"(import "ghost" "caller" (func (param i64)))"#, "");
    assert_eq!(
        upload_error(wrong_signature),
        Error::ImportSignatureMismatch.into()
    );
}

#[test]
fn refused_proposals_have_typed_errors() {
    let body = |b: &str| with_call_body("", b);
    let cases: Vec<(&str, Vec<u8>, Error)> = vec![
        (
            "simd",
            body("(drop (v128.const i64x2 0 0))"),
            Error::SimdNotAllowed,
        ),
        (
            "threads",
            code_of(
                r#"(module (memory (export "memory") 1 1 shared) (func (export "deploy"))
                (func (export "call") (drop (i32.atomic.load (i32.const 0)))))"#,
            ),
            Error::ThreadsNotAllowed,
        ),
        (
            "reference types",
            code_of(
                r#"(module (memory (export "memory") 1) (table 1 externref)
                (func (export "deploy")) (func (export "call")))"#,
            ),
            Error::ReferenceTypesNotAllowed,
        ),
        (
            "multi-memory",
            code_of(
                r#"(module (memory (export "memory") 1) (memory 1)
                (func (export "deploy")) (func (export "call")))"#,
            ),
            Error::MultiMemoryNotAllowed,
        ),
        (
            "memory64",
            code_of(
                r#"(module (memory (export "memory") i64 1)
                (func (export "deploy")) (func (export "call")))"#,
            ),
            Error::Memory64NotAllowed,
        ),
        (
            "tail calls",
            code_of(
                r#"(module (memory (export "memory") 1) (func $f)
                (func (export "deploy")) (func (export "call") (return_call $f)))"#,
            ),
            Error::ProposalNotAllowed,
        ),
        ("garbage", vec![0, 97, 115, 109, 9, 9], Error::InvalidCode),
    ];
    for (name, code, error) in cases {
        assert_eq!(upload_error(code), error.into(), "{name}");
    }
}

#[test]
fn accepted_proposals_upload() {
    // Mutable globals, sign extension, multi-value and bulk memory, plus an MVP table.
    let code = code_of(
        r#"(module
          (memory (export "memory") 1)
          (global $g (mut i32) (i32.const 0))
          (table 2 funcref)
          (elem (i32.const 0) $pair $pair)
          (type $pair_t (func (result i32 i32)))
          (func $pair (result i32 i32) (i32.const 1) (i32.const 2))
          (func (export "deploy"))
          (func (export "call")
            (global.set $g (i32.extend8_s (i32.const 255)))
            (memory.fill (i32.const 0) (i32.const 7) (i32.const 100))
            (drop (drop (call_indirect (type $pair_t) (i32.const 1))))))"#,
    );
    run(|| {
        let contract = instantiate(1, code, 0, vec![]);
        let r = call(1, contract, vec![]);
        assert_eq!(r.result, Ok(()));
    });
}

#[test]
fn shape_limits_are_enforced_at_upload() {
    let many = |item: &str, n: usize| item.repeat(n);
    let functions = code_of(&format!(
        r#"(module (memory (export "memory") 1) (func (export "deploy")) (func (export "call")) {})"#,
        many("(func)", Limits::DEFAULT.max_functions as usize - 1)
    ));
    assert_eq!(upload_error(functions), Error::TooManyFunctions.into());
    let globals = code_of(&format!(
        r#"(module (memory (export "memory") 1) (func (export "deploy")) (func (export "call")) {})"#,
        many(
            "(global i32 (i32.const 0))",
            Limits::DEFAULT.max_globals as usize + 1
        )
    ));
    assert_eq!(upload_error(globals), Error::TooManyGlobals.into());
    let table = code_of(
        r#"(module (memory (export "memory") 1) (table 4097 funcref)
            (func (export "deploy")) (func (export "call")))"#,
    );
    assert_eq!(upload_error(table), Error::TooManyTableEntries.into());
    let locals = with_call_body("", "(local i64) (local i64 i64)");
    assert_eq!(run(|| upload(1, locals)), {
        let code = with_call_body("", "(local i64) (local i64 i64)");
        ghost_primitives::blake3_256(&code)
    });
    let too_many_locals = with_call_body("", &many("(local i64)", 4_097));
    assert_eq!(
        upload_error(too_many_locals),
        Error::CodeLimitExceeded.into()
    );
}

#[test]
fn missing_exports_and_memory_are_refused() {
    let no_call = code_of(r#"(module (memory (export "memory") 1) (func (export "deploy")))"#);
    assert_eq!(upload_error(no_call), Error::MissingExport.into());
    let no_memory = code_of(r#"(module (func (export "deploy")) (func (export "call")))"#);
    assert_eq!(upload_error(no_memory), Error::MemoryMissing.into());
}

#[test]
fn code_over_256_kib_is_refused_before_parsing() {
    let mut code = wat(&counter_wat());
    // A custom section keeps the module valid while making it too large.
    let payload = vec![0u8; 256 * 1024];
    code.push(0);
    let mut section = vec![4u8];
    section.extend_from_slice(b"junk");
    section.extend_from_slice(&payload);
    let mut len = section.len();
    while len >= 0x80 {
        code.push((len as u8 & 0x7f) | 0x80);
        len >>= 7;
    }
    code.push(len as u8);
    code.extend_from_slice(&section);
    assert!(matches!(
        crate::wasm::validate::validate(&code, &Limits::DEFAULT),
        Err(CodeError::TooLarge { .. })
    ));
    assert_eq!(upload_error(code), Error::CodeTooLarge.into());
}

// ---- remove_code ----

#[test]
fn remove_code_returns_the_deposit() {
    run(|| {
        let code_hash = upload(1, wat(&counter_wat()));
        let call = Call::RemoveCode { code_hash };
        assert_eq!(Contracts::dispatch(call, Origin::signed(acc(1))), Ok(()));
        assert_eq!(reserved(&acc(1)), 0);
        assert!(Contracts::code_info(&code_hash).is_none());
        assert!(crate::PristineCode::get(&code_hash).is_none());
        assert!(matches!(
            contract_events().last(),
            Some(Event::CodeRemoved { refund, .. }) if *refund > 0
        ));
    });
}

#[test]
fn remove_code_by_another_account_is_refused() {
    run(|| {
        let code_hash = upload(1, wat(&counter_wat()));
        assert_eq!(
            Contracts::remove_code(acc(2), code_hash),
            Err(Error::NotCodeOwner.into())
        );
    });
}

#[test]
fn remove_code_in_use_is_refused() {
    run(|| {
        let contract = counter(0);
        let code_hash = ContractInfoOf::get(&contract).unwrap().code_hash;
        assert_eq!(
            Contracts::remove_code(acc(1), code_hash),
            Err(Error::CodeInUse.into())
        );
    });
}

#[test]
fn remove_unknown_code_is_refused() {
    run(|| {
        assert_eq!(
            Contracts::remove_code(acc(1), Hash([7; 32])),
            Err(Error::CodeNotFound.into())
        );
    });
}
