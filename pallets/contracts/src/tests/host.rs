//! Host functions, nested calls and names.

use super::*;
use crate::NameProvider;

// ---- host functions ----

#[test]
fn context_host_functions_report_the_frame() {
    run(|| {
        let contract = instantiate(1, wat(CONTEXT_WAT), 1_000, vec![]);
        let pair = Pair::dev("Alice");
        let message = b"ghost contracts".to_vec();
        let mut input = pair.sign(&message).0.to_vec();
        input.extend_from_slice(&pair.public().0);
        input.extend_from_slice(&message);
        let r = Contracts::bare_call(acc(2), contract, 77, FUEL, input.clone());
        assert_eq!(r.result, Ok(()));
        let out = r.output;
        assert_eq!(out.len(), 156);
        assert_eq!(&out[0..32], &acc(2).0);
        assert_eq!(&out[32..64], &contract.0);
        assert_eq!(Balance::from_le_bytes(out[64..80].try_into().unwrap()), 77);
        assert_eq!(
            Balance::from_le_bytes(out[80..96].try_into().unwrap()),
            1_077
        );
        assert_eq!(u64::from_le_bytes(out[96..104].try_into().unwrap()), 1);
        assert_eq!(u64::from_le_bytes(out[104..112].try_into().unwrap()), START);
        assert_eq!(&out[112..144], blake3::hash(b"abc").as_bytes());
        assert_eq!(u32::from_le_bytes(out[144..148].try_into().unwrap()), 0);
        let fuel_left = u64::from_le_bytes(out[148..156].try_into().unwrap());
        assert!(fuel_left > 0 && fuel_left < FUEL);

        // A tampered message fails verification with a return code, not a trap.
        let last = input.len() - 1;
        input[last] ^= 1;
        let r = Contracts::bare_call(acc(2), contract, 0, FUEL, input);
        let code = u32::from_le_bytes(r.output[144..148].try_into().unwrap());
        assert_eq!(code, ReturnCode::InvalidSignature as u32);
    });
}

#[test]
fn transfer_host_function_moves_the_contracts_balance() {
    let imports = r#"(import "ghost" "transfer" (func $t (param i32 i32) (result i32)))
        (import "ghost" "return_data" (func $ret (param i32 i32 i32)))"#;
    // Sends 300 to account 3 (bytes 0..32 = [3; 32], 32..48 = 300 LE), then an impossible amount.
    let body = r#"(memory.fill (i32.const 0) (i32.const 3) (i32.const 32))
        (i64.store (i32.const 32) (i64.const 300))
        (i32.store (i32.const 100) (call $t (i32.const 0) (i32.const 32)))
        (i64.store (i32.const 40) (i64.const -1))
        (i32.store (i32.const 104) (call $t (i32.const 0) (i32.const 32)))
        (call $ret (i32.const 0) (i32.const 100) (i32.const 8))"#;
    run(|| {
        let contract = instantiate(1, with_call_body(imports, body), 1_000, vec![]);
        let r = call(1, contract, vec![]);
        assert_eq!(r.result, Ok(()));
        assert_eq!(u32::from_le_bytes(r.output[0..4].try_into().unwrap()), 0);
        assert_eq!(
            u32::from_le_bytes(r.output[4..8].try_into().unwrap()),
            ReturnCode::TransferFailed as u32
        );
        assert_eq!(Balances::free_balance(&acc(3)), ENDOWMENT + 300);
        assert_eq!(Balances::free_balance(&contract), 700);
    });
}

#[test]
fn storage_remove_returns_the_deposit_and_reports_missing_keys() {
    let imports = r#"(import "ghost" "storage_set" (func $set (param i32 i32 i32 i32) (result i32)))
        (import "ghost" "storage_remove" (func $remove (param i32 i32) (result i32)))
        (import "ghost" "storage_get" (func $get (param i32 i32 i32 i32) (result i32)))
        (import "ghost" "return_data" (func $ret (param i32 i32 i32)))"#;
    // set k=v (10 bytes value), remove k, remove k again, get k; returns the four codes.
    let body = r#"(i32.store (i32.const 200) (call $set (i32.const 0) (i32.const 1) (i32.const 10) (i32.const 10)))
        (i32.store (i32.const 204) (call $remove (i32.const 0) (i32.const 1)))
        (i32.store (i32.const 208) (call $remove (i32.const 0) (i32.const 1)))
        (i32.store (i32.const 100) (i32.const 10))
        (i32.store (i32.const 212) (call $get (i32.const 0) (i32.const 1) (i32.const 120) (i32.const 100)))
        (call $ret (i32.const 0) (i32.const 200) (i32.const 16))"#;
    run(|| {
        let contract = instantiate(1, with_call_body(imports, body), 1_000, vec![]);
        let r = call(1, contract, vec![]);
        assert_eq!(r.result, Ok(()));
        let codes: Vec<u32> = r
            .output
            .chunks(4)
            .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
            .collect();
        let (ok, missing) = (ReturnCode::Success as u32, ReturnCode::KeyNotFound as u32);
        assert_eq!(codes, vec![ok, ok, missing, missing]);
        let info = ContractInfoOf::get(&contract).unwrap();
        assert_eq!(
            (info.storage_bytes, info.storage_items, info.storage_deposit),
            (0, 0, 0)
        );
        // Only the record's deposit is left; the write's went back to the caller, who paid it.
        assert_eq!(reserved(&contract), RECORD_DEPOSIT);
        assert_eq!(Balances::free_balance(&contract), 1_000);
        assert_eq!(r.storage_deposit, StorageDeposit::Charge(0));
    });
}

#[test]
fn freeing_storage_refunds_the_caller_who_frees_it() {
    let imports = r#"(import "ghost" "storage_set" (func $set (param i32 i32 i32 i32) (result i32)))
        (import "ghost" "storage_remove" (func $remove (param i32 i32) (result i32)))
        (import "ghost" "input" (func $input (param i32 i32) (result i32)))"#;
    // Input 0x01 writes k = 10 bytes; anything else removes k.
    let body = r#"(i32.store (i32.const 100) (i32.const 1))
        (drop (call $input (i32.const 300) (i32.const 100)))
        (if (i32.eq (i32.load8_u (i32.const 300)) (i32.const 1))
          (then (drop (call $set (i32.const 0) (i32.const 1) (i32.const 10) (i32.const 10))))
          (else (drop (call $remove (i32.const 0) (i32.const 1)))))"#;
    run(|| {
        let contract = instantiate(1, with_call_body(imports, body), 0, vec![]);
        let deposit = 11 * STORAGE_DEPOSIT_PER_BYTE + STORAGE_DEPOSIT_PER_ITEM;
        let (two, three) = (
            Balances::free_balance(&acc(2)),
            Balances::free_balance(&acc(3)),
        );
        let r = call(2, contract, vec![1]);
        assert_eq!(r.storage_deposit, StorageDeposit::Charge(deposit));
        assert_eq!(Balances::free_balance(&acc(2)), two - deposit);
        assert_eq!(reserved(&contract), RECORD_DEPOSIT + deposit);
        let r = call(3, contract, vec![0]);
        assert_eq!(r.storage_deposit, StorageDeposit::Refund(deposit));
        assert_eq!(Balances::free_balance(&acc(3)), three + deposit);
        assert_eq!(reserved(&contract), RECORD_DEPOSIT);
    });
}

#[test]
fn storage_get_reports_a_small_buffer_with_the_needed_length() {
    let imports = r#"(import "ghost" "storage_set" (func $set (param i32 i32 i32 i32) (result i32)))
        (import "ghost" "storage_get" (func $get (param i32 i32 i32 i32) (result i32)))
        (import "ghost" "return_data" (func $ret (param i32 i32 i32)))"#;
    let body = r#"(drop (call $set (i32.const 0) (i32.const 1) (i32.const 0) (i32.const 20)))
        (i32.store (i32.const 100) (i32.const 4))
        (i32.store (i32.const 104) (call $get (i32.const 0) (i32.const 1) (i32.const 200) (i32.const 100)))
        (call $ret (i32.const 0) (i32.const 100) (i32.const 8))"#;
    run(|| {
        let contract = instantiate(1, with_call_body(imports, body), 1_000, vec![]);
        let r = call(1, contract, vec![]);
        let needed = u32::from_le_bytes(r.output[0..4].try_into().unwrap());
        let code = u32::from_le_bytes(r.output[4..8].try_into().unwrap());
        assert_eq!((needed, code), (20, ReturnCode::BufferTooSmall as u32));
    });
}

#[test]
fn host_functions_that_cannot_be_paid_run_out_of_fuel() {
    run(|| {
        let contract = counter(0);
        let code_hash = ContractInfoOf::get(&contract).unwrap().code_hash;
        let load = load_fee(&code_hash);
        // Enough to start but not for a storage read (12 500 fuel).
        let r = Contracts::bare_call(acc(1), contract, 0, load + 5_000, call_data("get", ()));
        assert_eq!(r.result, Err(Error::OutOfFuel.into()));
        assert_eq!(r.fuel_consumed, load + 5_000);
    });
}

// ---- nested calls ----

#[test]
fn a_contract_calls_another_contract() {
    run(|| {
        let counter = counter(1);
        let proxy = instantiate(2, wat(PROXY_WAT), 0, vec![]);
        let mut input = counter.0.to_vec();
        input.extend(call_data("increment", 2u64));
        let r = call(3, proxy, input);
        assert_eq!(r.result, Ok(()));
        assert_eq!(&r.output[..4], &0u32.to_le_bytes());
        assert_eq!(u64_output(&r.output[4..]), 3);
        assert_eq!(
            Contracts::get_storage(&counter, b"count"),
            Some(3u64.encode())
        );
        let events = contract_events();
        assert!(events.contains(&Event::Called {
            caller: proxy,
            contract: counter
        }));
        assert!(events.contains(&Event::Called {
            caller: acc(3),
            contract: proxy
        }));
    });
}

#[test]
fn a_trapping_callee_is_reverted_and_the_caller_goes_on() {
    run(|| {
        let looping = instantiate(1, wat(LOOP_WAT), 1_000, vec![]);
        let proxy = instantiate(2, wat(PROXY_WAT), 0, vec![]);
        let r = Contracts::bare_call(acc(3), proxy, 0, 2_000_000, looping.0.to_vec());
        assert_eq!(r.result, Ok(()));
        assert_eq!(
            &r.output[..],
            &(ReturnCode::CalleeTrapped as u32).to_le_bytes()
        );
        assert_eq!(Contracts::get_storage(&looping, b"key"), None);
        // The callee burned the million fuel it was given; the proxy returned with the rest.
        assert!(r.fuel_consumed > 1_000_000 && r.fuel_consumed < 2_000_000);
    });
}

#[test]
fn a_reverting_callee_passes_its_output_and_the_caller_goes_on() {
    run(|| {
        let counter = counter(1);
        let proxy = instantiate(2, wat(PROXY_WAT), 0, vec![]);
        let mut input = counter.0.to_vec();
        input.extend(call_data("nope", ()));
        let r = call(3, proxy, input);
        assert_eq!(r.result, Ok(()));
        assert_eq!(
            &r.output[..],
            &(ReturnCode::CalleeReverted as u32).to_le_bytes()
        );
    });
}

#[test]
fn calling_an_account_that_is_not_a_contract_returns_a_code() {
    run(|| {
        let proxy = instantiate(2, wat(PROXY_WAT), 0, vec![]);
        let r = call(3, proxy, acc(1).0.to_vec());
        assert_eq!(
            &r.output[..],
            &(ReturnCode::NotAContract as u32).to_le_bytes()
        );
    });
}

#[test]
fn reentry_is_refused_unless_the_callee_allows_it() {
    run(|| {
        let code_hash = upload(2, wat(PROXY_WAT));
        let plain =
            Contracts::bare_instantiate(acc(2), code_hash, 0, FUEL, vec![], b"plain".to_vec())
                .result
                .unwrap();
        let r = call(3, plain, plain.0.to_vec());
        assert_eq!(r.result, Ok(()));
        assert_eq!(
            &r.output[..],
            &(ReturnCode::ReentranceDenied as u32).to_le_bytes()
        );

        let reentrant =
            Contracts::bare_instantiate(acc(2), code_hash, 0, FUEL, vec![1], b"re".to_vec())
                .result
                .unwrap();
        assert!(ContractInfoOf::get(&reentrant).unwrap().reentrant);
        let r = call(3, reentrant, reentrant.0.to_vec());
        assert_eq!(r.result, Ok(()));
        // The inner frame got no address to call and returned nothing.
        assert_eq!(&r.output[..], &0u32.to_le_bytes());
    });
}

#[test]
fn call_depth_is_bounded() {
    run(|| {
        // Each frame passes on all its fuel (a nested call costs 150 000 fuel before the
        // callee runs, so a million per frame would run out before the depth limit).
        let code_hash = upload(
            2,
            wat(&PROXY_WAT.replace("(i64.const 1000000)", "(i64.const 0)")),
        );
        let proxy = Contracts::bare_instantiate(acc(2), code_hash, 0, FUEL, vec![1], vec![])
            .result
            .unwrap();
        // Ask for 9 nested frames; the 8th frame's call is refused.
        let input: Vec<u8> = std::iter::repeat_n(proxy.0, 9).flatten().collect();
        let r = call(3, proxy, input);
        assert_eq!(r.result, Ok(()));
        let codes: Vec<u32> = r
            .output
            .chunks(4)
            .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
            .collect();
        let mut expected = vec![0u32; 7];
        expected.push(ReturnCode::MaxCallDepthReached as u32);
        assert_eq!(codes, expected);
    });
}

// ---- names ----

#[test]
fn names_are_unavailable_without_a_name_provider() {
    let imports = r#"(import "ghost" "name_resolve" (func $resolve (param i32 i32 i32 i32) (result i32)))
        (import "ghost" "return_data" (func $ret (param i32 i32 i32)))
        (data (i32.const 0) "alice.ghost")"#;
    let body = r#"(i32.store (i32.const 100) (i32.const 64))
        (i32.store (i32.const 104) (call $resolve (i32.const 0) (i32.const 11) (i32.const 200) (i32.const 100)))
        (call $ret (i32.const 0) (i32.const 104) (i32.const 4))"#;
    run(|| {
        let contract = instantiate(1, with_call_body(imports, body), 0, vec![]);
        let r = call(1, contract, vec![]);
        assert_eq!(
            r.output,
            (ReturnCode::NamesUnavailable as u32).to_le_bytes()
        );
    });
}

#[test]
fn a_contract_renews_names_and_approves_managers() {
    type NamedContracts = crate::Pallet<TestWithNames>;
    let imports = r#"(import "ghost" "name_register" (func $register (param i32 i32 i64 i32) (result i32)))
        (import "ghost" "name_renew" (func $renew (param i32 i32 i64) (result i32)))
        (import "ghost" "name_approve" (func $approve (param i32 i32 i32 i32) (result i32)))
        (import "ghost" "return_data" (func $ret (param i32 i32 i32)))
        (data (i32.const 0) "alice.ghost")
        (data (i32.const 16) "other.ghost")
        (data (i32.const 64) "\05\05\05\05\05\05\05\05\05\05\05\05\05\05\05\05\05\05\05\05\05\05\05\05\05\05\05\05\05\05\05\05")"#;
    // Registers alice.ghost, renews it and a name it does not know, approves account 5 for it,
    // clears that, then approves with a pointer outside memory (traps).
    let body = r#"(drop (call $register (i32.const 0) (i32.const 11) (i64.const 1000) (i32.const 2048)))
        (i32.store (i32.const 300) (call $renew (i32.const 0) (i32.const 11) (i64.const 500)))
        (i32.store (i32.const 304) (call $renew (i32.const 16) (i32.const 11) (i64.const 500)))
        (i32.store (i32.const 308) (call $approve (i32.const 0) (i32.const 11) (i32.const 64) (i32.const 1)))
        (i32.store (i32.const 312) (call $approve (i32.const 16) (i32.const 11) (i32.const 64) (i32.const 1)))
        (call $ret (i32.const 0) (i32.const 300) (i32.const 16))"#;
    run(|| {
        let code = with_call_body(imports, body);
        let code_hash = NamedContracts::bare_upload_code(acc(1), code).unwrap();
        let contract = NamedContracts::bare_instantiate(acc(1), code_hash, 0, FUEL, vec![], vec![])
            .result
            .unwrap();
        let r = NamedContracts::bare_call(acc(1), contract, 0, FUEL, vec![]);
        assert_eq!(r.result, Ok(()));
        let codes: Vec<u32> = r
            .output
            .chunks(4)
            .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
            .collect();
        assert_eq!(
            codes,
            vec![
                ReturnCode::Success as u32,
                ReturnCode::NameNotFound as u32,
                ReturnCode::Success as u32,
                ReturnCode::NameNotFound as u32,
            ]
        );
        let alice = DomainName::parse("alice.ghost").unwrap();
        let (renewals, approved) =
            crate::mock::NAMES.with(|n| (n.borrow().renewals.clone(), n.borrow().approved.clone()));
        assert_eq!(renewals, vec![(alice.clone(), 500)]);
        assert_eq!(approved, vec![(alice, acc(5))]);
    });
    // A bad account pointer traps before the name is looked at.
    let bad = r#"(drop (call $approve (i32.const 0) (i32.const 11) (i32.const -4) (i32.const 0)))"#;
    run(|| {
        let code = with_call_body(imports, bad);
        let code_hash = NamedContracts::bare_upload_code(acc(1), code).unwrap();
        let contract = NamedContracts::bare_instantiate(acc(1), code_hash, 0, FUEL, vec![], vec![])
            .result
            .unwrap();
        let r = NamedContracts::bare_call(acc(1), contract, 0, FUEL, vec![]);
        assert_eq!(r.result, Err(Error::MemoryAccessOutOfBounds.into()));
    });
}

#[test]
fn a_contract_commits_then_reveals_its_registration() {
    type NamedContracts = crate::Pallet<TestWithNames>;
    let imports = r#"(import "ghost" "name_commit" (func $commit (param i32) (result i32)))
        (import "ghost" "name_register" (func $register (param i32 i32 i64 i32) (result i32)))
        (import "ghost" "input" (func $input (param i32 i32) (result i32)))
        (import "ghost" "return_data" (func $ret (param i32 i32 i32)))
        (data (i32.const 0) "alice.ghost")"#;
    // Input: a flag byte (1: commit the 32 bytes that follow; 2: register revealing them; 3:
    // register revealing them with a bad pointer). Output: the return code.
    let body = r#"(i32.store (i32.const 96) (i32.const 64))
        (drop (call $input (i32.const 1024) (i32.const 96)))
        (if (i32.eq (i32.load8_u (i32.const 1024)) (i32.const 1))
          (then (i32.store (i32.const 300) (call $commit (i32.const 1025)))))
        (if (i32.eq (i32.load8_u (i32.const 1024)) (i32.const 2))
          (then (i32.store (i32.const 300)
            (call $register (i32.const 0) (i32.const 11) (i64.const 1000) (i32.const 1025)))))
        (if (i32.eq (i32.load8_u (i32.const 1024)) (i32.const 3))
          (then (i32.store (i32.const 300)
            (call $register (i32.const 0) (i32.const 11) (i64.const 1000) (i32.const -8)))))
        (call $ret (i32.const 0) (i32.const 300) (i32.const 4))"#;
    let code = with_call_body(imports, body);
    run(|| {
        let code_hash = NamedContracts::bare_upload_code(acc(1), code).unwrap();
        let contract = NamedContracts::bare_instantiate(acc(1), code_hash, 0, FUEL, vec![], vec![])
            .result
            .unwrap();
        let code_of = |r: crate::ContractResult<()>| {
            assert_eq!(r.result, Ok(()));
            u32::from_le_bytes(r.output[..4].try_into().unwrap())
        };
        let go = |flag: u8, bytes: [u8; 32]| {
            let input = [&[flag][..], &bytes[..]].concat();
            NamedContracts::bare_call(acc(1), contract, 0, FUEL, input)
        };
        let alice = DomainName::parse("alice.ghost").unwrap();
        let secret = Hash([7; 32]);
        // Revealing before committing is refused.
        assert_eq!(
            code_of(go(2, secret.0)),
            ReturnCode::NameOperationFailed as u32
        );
        let commitment = crate::mock::mock_commitment(&alice, &contract, &secret);
        assert_eq!(code_of(go(1, commitment.0)), ReturnCode::Success as u32);
        // The same commitment twice is refused.
        assert_eq!(
            code_of(go(1, commitment.0)),
            ReturnCode::NameOperationFailed as u32
        );
        // A wrong secret does not match.
        assert_eq!(
            code_of(go(2, [8; 32])),
            ReturnCode::NameOperationFailed as u32
        );
        assert_eq!(code_of(go(2, secret.0)), ReturnCode::Success as u32);
        let owner = MockNames::resolve(&alice).unwrap().map(|r| r.owner);
        assert_eq!(owner, Some(contract));
        // A secret pointer outside memory traps.
        let r = go(3, secret.0);
        assert_eq!(r.result, Err(Error::MemoryAccessOutOfBounds.into()));
    });
}

#[test]
fn names_host_functions_act_as_the_contract() {
    type NamedContracts = crate::Pallet<TestWithNames>;
    let imports = r#"(import "ghost" "name_register" (func $register (param i32 i32 i64 i32) (result i32)))
        (import "ghost" "name_set_records" (func $records (param i32 i32 i32 i32) (result i32)))
        (import "ghost" "name_transfer" (func $transfer (param i32 i32 i32) (result i32)))
        (import "ghost" "name_resolve" (func $resolve (param i32 i32 i32 i32) (result i32)))
        (import "ghost" "input" (func $input (param i32 i32) (result i32)))
        (import "ghost" "return_data" (func $ret (param i32 i32 i32)))
        (data (i32.const 0) "alice.ghost")
        (data (i32.const 16) "Not.Canonical")"#;
    // Input: new owner (32) ++ SCALE(records). Output: five codes ++ resolution.
    let body = r#"(i32.store (i32.const 96) (i32.const 512))
        (drop (call $input (i32.const 1024) (i32.const 96)))
        (i32.store (i32.const 300) (call $register (i32.const 0) (i32.const 11) (i64.const 1000) (i32.const 2048)))
        (i32.store (i32.const 304) (call $register (i32.const 16) (i32.const 13) (i64.const 1000) (i32.const 2048)))
        (i32.store (i32.const 308) (call $records (i32.const 0) (i32.const 11) (i32.const 1056)
          (i32.sub (i32.load (i32.const 96)) (i32.const 32))))
        (i32.store (i32.const 312) (call $transfer (i32.const 0) (i32.const 11) (i32.const 1024)))
        (i32.store (i32.const 316) (call $transfer (i32.const 0) (i32.const 11) (i32.const 1024)))
        (i32.store (i32.const 100) (i32.const 400))
        (drop (call $resolve (i32.const 0) (i32.const 11) (i32.const 320) (i32.const 100)))
        (call $ret (i32.const 0) (i32.const 300) (i32.add (i32.const 20) (i32.load (i32.const 100))))"#;
    let code = with_call_body(imports, body);
    run(|| {
        let code_hash = NamedContracts::bare_upload_code(acc(1), code).unwrap();
        let contract = NamedContracts::bare_instantiate(acc(1), code_hash, 0, FUEL, vec![], vec![])
            .result
            .unwrap();
        let records = vec![DnsRecord::apex(RecordData::A([10, 0, 0, 7]))];
        let mut input = acc(5).0.to_vec();
        records.encode_to(&mut input);
        let r = NamedContracts::bare_call(acc(1), contract, 0, FUEL, input);
        assert_eq!(r.result, Ok(()));
        let codes: Vec<u32> = r.output[..20]
            .chunks(4)
            .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
            .collect();
        assert_eq!(
            codes,
            vec![
                ReturnCode::Success as u32,
                ReturnCode::InvalidName as u32,
                ReturnCode::Success as u32,
                ReturnCode::Success as u32,
                ReturnCode::NotNameOwner as u32,
            ]
        );
        let resolution = NameResolution::decode(&mut &r.output[20..]).unwrap();
        assert_eq!(
            resolution,
            NameResolution {
                owner: acc(5),
                records
            }
        );
        let name = DomainName::parse("alice.ghost").unwrap();
        assert!(NAMES.with(|n| n.borrow().names.iter().any(|(k, _)| *k == name)));
    });
}

// ---- name_set_subname_owner ----

/// Input: `parent_len (u32) ++ label_len (u32) ++ lock (u32) ++ owner (32) ++ parent ++ label`;
/// calls `name_set_subname_owner` on those bytes and returns its code (u32) and the fuel the
/// call took as seen by `fuel_left` around it (u64). The lengths are passed as given, so they
/// may claim more than the input holds.
const SUBNAME_WAT: &str = r#"(module
  (import "ghost" "input" (func $input (param i32 i32) (result i32)))
  (import "ghost" "fuel_left" (func $fuel (result i64)))
  (import "ghost" "name_set_subname_owner"
    (func $sub (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "ghost" "return_data" (func $ret (param i32 i32 i32)))
  (memory (export "memory") 1)
  (func (export "deploy"))
  (func (export "call")
    (local $before i64)
    (i32.store (i32.const 96) (i32.const 2048))
    (drop (call $input (i32.const 1024) (i32.const 96)))
    (local.set $before (call $fuel))
    (i32.store (i32.const 200)
      (call $sub
        (i32.const 1068) (i32.load (i32.const 1024))
        (i32.add (i32.const 1068) (i32.load (i32.const 1024))) (i32.load (i32.const 1028))
        (i32.const 1036) (i32.load (i32.const 1032))))
    (i64.store (i32.const 204) (i64.sub (local.get $before) (call $fuel)))
    (call $ret (i32.const 0) (i32.const 200) (i32.const 12))))"#;

/// The input of [`SUBNAME_WAT`] for raw `parent` and `label` bytes.
fn subname_input(parent: &[u8], label: &[u8], owner: AccountId, lock: bool) -> Vec<u8> {
    let mut input = Vec::new();
    input.extend_from_slice(&(parent.len() as u32).to_le_bytes());
    input.extend_from_slice(&(label.len() as u32).to_le_bytes());
    input.extend_from_slice(&u32::from(lock).to_le_bytes());
    input.extend_from_slice(&owner.0);
    input.extend_from_slice(parent);
    input.extend_from_slice(label);
    input
}

/// What [`SUBNAME_WAT`] returned: the return code and the fuel the host call took.
fn subname_output(r: &crate::ContractResult<()>) -> (u32, u64) {
    assert_eq!(r.result, Ok(()), "the contract returns");
    let code = u32::from_le_bytes(r.output[0..4].try_into().unwrap());
    let fuel = u64::from_le_bytes(r.output[4..12].try_into().unwrap());
    (code, fuel)
}

type NamedContracts = crate::Pallet<TestWithNames>;

/// Instantiates [`SUBNAME_WAT`] with names available, and gives it `club.ghost` (the mock's
/// state); `other.ghost` belongs to account 9.
fn subname_contract() -> AccountId {
    let code_hash = NamedContracts::bare_upload_code(acc(1), wat(SUBNAME_WAT)).unwrap();
    let contract = NamedContracts::bare_instantiate(acc(1), code_hash, 0, FUEL, vec![], vec![])
        .result
        .unwrap();
    NAMES.with(|n| {
        let mut n = n.borrow_mut();
        *n = NamesState::default();
        for (name, owner) in [("club.ghost", contract), ("other.ghost", acc(9))] {
            n.names.push((
                DomainName::parse(name).unwrap(),
                NameResolution {
                    owner,
                    records: vec![],
                },
            ));
        }
    });
    contract
}

/// Calls the [`SUBNAME_WAT`] contract with names available.
fn set_subname(
    contract: AccountId,
    parent: &[u8],
    label: &[u8],
    owner: u8,
    lock: bool,
) -> (u32, u64) {
    let input = subname_input(parent, label, acc(owner), lock);
    subname_output(&NamedContracts::bare_call(acc(2), contract, 0, FUEL, input))
}

/// The mock's owner of `name`.
fn mock_owner(name: &str) -> Option<AccountId> {
    let name = DomainName::parse(name).unwrap();
    NAMES.with(|n| {
        n.borrow()
            .names
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, r)| r.owner)
    })
}

#[test]
fn set_subname_owner_creates_and_reassigns_a_subname_as_the_contract() {
    run(|| {
        let contract = subname_contract();
        let (code, _) = set_subname(contract, b"club.ghost", b"bob", 5, false);
        assert_eq!(code, ReturnCode::Success as u32);
        assert_eq!(mock_owner("bob.club.ghost"), Some(acc(5)));

        // Unlocked, so the parent (the contract) keeps control and may reassign it.
        let (code, _) = set_subname(contract, b"club.ghost", b"bob", 6, false);
        assert_eq!(code, ReturnCode::Success as u32);
        assert_eq!(mock_owner("bob.club.ghost"), Some(acc(6)));
        assert_eq!(mock_owner("club.ghost"), Some(contract));
    });
}

#[test]
fn set_subname_owner_reports_a_locked_subname_as_a_failed_operation() {
    run(|| {
        let contract = subname_contract();
        let (code, _) = set_subname(contract, b"club.ghost", b"carol", 5, true);
        assert_eq!(code, ReturnCode::Success as u32);
        let (code, _) = set_subname(contract, b"club.ghost", b"carol", 6, false);
        assert_eq!(code, ReturnCode::NameOperationFailed as u32);
        assert_eq!(mock_owner("carol.club.ghost"), Some(acc(5)));
    });
}

#[test]
fn set_subname_owner_needs_an_active_parent_the_contract_manages() {
    run(|| {
        let contract = subname_contract();
        let (code, _) = set_subname(contract, b"nobody.ghost", b"bob", 5, false);
        assert_eq!(code, ReturnCode::NameNotFound as u32);
        let (code, _) = set_subname(contract, b"other.ghost", b"bob", 5, false);
        assert_eq!(code, ReturnCode::NotNameOwner as u32);
        assert_eq!(mock_owner("bob.other.ghost"), None);
    });
}

#[test]
fn set_subname_owner_refuses_invalid_parents_and_labels() {
    // Three 63-byte labels and `ghost`: a valid 197-byte parent that leaves no room for a
    // 60-byte label (the whole name would be 258 bytes).
    let long_parent = ["a", "b", "c"].map(|c| c.repeat(63)).join(".") + ".ghost";
    let cases: Vec<(Vec<u8>, Vec<u8>)> = vec![
        (b"Club.Ghost".to_vec(), b"bob".to_vec()),
        (b"club.ghost.".to_vec(), b"bob".to_vec()),
        (vec![0xff, 0xfe], b"bob".to_vec()),
        (vec![b'x'; 254], b"bob".to_vec()),
        (b"club.ghost".to_vec(), b"".to_vec()),
        (b"club.ghost".to_vec(), b"Bob".to_vec()),
        (b"club.ghost".to_vec(), b"b_b".to_vec()),
        (b"club.ghost".to_vec(), b"b.b".to_vec()),
        (b"club.ghost".to_vec(), b"-bob".to_vec()),
        (b"club.ghost".to_vec(), vec![0xc3, 0x28]),
        (b"club.ghost".to_vec(), vec![b'x'; 64]),
        (long_parent.into_bytes(), vec![b'x'; 60]),
    ];
    run(|| {
        let contract = subname_contract();
        for (n, (parent, label)) in cases.iter().enumerate() {
            let (code, _) = set_subname(contract, parent, label, 5, false);
            assert_eq!(code, ReturnCode::InvalidName as u32, "case {n}");
        }
        assert_eq!(NAMES.with(|n| n.borrow().names.len()), 2, "nothing created");
    });
}

#[test]
fn set_subname_owner_is_unavailable_without_a_name_provider() {
    run(|| {
        let contract = instantiate(1, wat(SUBNAME_WAT), 0, vec![]);
        let input = subname_input(b"club.ghost", b"bob", acc(5), false);
        let (code, _) = subname_output(&call(2, contract, input));
        assert_eq!(code, ReturnCode::NamesUnavailable as u32);
    });
}

#[test]
fn set_subname_owner_traps_on_pointers_outside_memory() {
    let import = r#"(import "ghost" "name_set_subname_owner"
          (func $f (param i32 i32 i32 i32 i32 i32) (result i32)))
        (data (i32.const 0) "club.ghost")
        (data (i32.const 16) "bob")
        (data (i32.const 32) "Not.Canonical")"#;
    // (parent_ptr, parent_len, label_ptr, label_len, owner_ptr): each case has one pointer
    // outside memory; the last also has a parent that is not canonical, and still traps,
    // because pointers are checked before anything is decoded.
    let cases = [
        (65530, 10, 16, 3, 64),
        (-4, 10, 16, 3, 64),
        (0, 10, 65535, 3, 64),
        (0, 10, 16, 3, 65510),
        (32, 13, 16, 3, 65510),
    ];
    run(|| {
        for (n, (parent, parent_len, label, label_len, owner)) in cases.into_iter().enumerate() {
            let body = format!(
                "(drop (call $f (i32.const {parent}) (i32.const {parent_len}) (i32.const {label}) \
                 (i32.const {label_len}) (i32.const {owner}) (i32.const 0)))"
            );
            let code_hash =
                NamedContracts::bare_upload_code(acc(1), with_call_body(import, &body)).unwrap();
            let contract =
                NamedContracts::bare_instantiate(acc(1), code_hash, 0, FUEL, vec![], vec![])
                    .result
                    .unwrap();
            let r = NamedContracts::bare_call(acc(1), contract, 0, FUEL, vec![]);
            assert_eq!(
                r.result,
                Err(Error::MemoryAccessOutOfBounds.into()),
                "case {n}"
            );
            assert_eq!(
                r.exec_error,
                Some(ExecError::Host(HostTrap::MemoryOutOfBounds)),
                "case {n}"
            );
        }
    });
}

#[test]
fn set_subname_owner_charges_name_write_and_the_bytes_it_reads() {
    let costs = crate::Schedule::DEFAULT.host_fn_costs;
    run(|| {
        let contract = subname_contract();
        // Refused before anything is read: name_write + base (plus the same few operators and
        // the second `fuel_left`'s base, which every measurement below includes).
        let (code, refused) = set_subname(contract, b"club.ghost", &[b'x'; 64], 5, false);
        assert_eq!(code, ReturnCode::InvalidName as u32);
        let overhead = refused - (costs.name_write + costs.base);
        assert!(
            (costs.base..costs.base + 100).contains(&overhead),
            "overhead {overhead}"
        );

        // Every other outcome: name_write + base + parent_len + label_len + 32, whatever the
        // name service answers.
        let expected = |parent: usize, label: usize| {
            costs.name_write + costs.bytes((parent + label + 32) as u64) + overhead
        };
        let cases: [(&[u8], &[u8], ReturnCode); 5] = [
            (b"club.ghost", b"bob", ReturnCode::Success),
            (b"club.ghost", b"alexandria", ReturnCode::Success),
            (b"other.ghost", b"bob", ReturnCode::NotNameOwner),
            (b"nobody.ghost", b"bob", ReturnCode::NameNotFound),
            (b"Club.Ghost", b"bob", ReturnCode::InvalidName),
        ];
        for (parent, label, want) in cases {
            let (code, fuel) = set_subname(contract, parent, label, 5, false);
            assert_eq!(code, want as u32);
            assert_eq!(fuel, expected(parent.len(), label.len()), "{want:?}");
        }
    });
}

#[test]
fn set_subname_owner_that_cannot_be_paid_runs_out_of_fuel() {
    run(|| {
        let contract = subname_contract();
        let input = subname_input(b"club.ghost", b"bob", acc(5), false);
        let load = load_fee(&ContractInfoOf::get(&contract).unwrap().code_hash);
        // Enough to start and read the input, not for the 500 000 of a name write.
        let r = NamedContracts::bare_call(acc(2), contract, 0, load + 100_000, input);
        assert_eq!(r.result, Err(Error::OutOfFuel.into()));
        assert_eq!(mock_owner("bob.club.ghost"), None);
    });
}
