//! Host functions, nested calls and names.

use super::*;

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
        assert_eq!(reserved(&contract), 0);
        assert_eq!(Balances::free_balance(&contract), 1_000);
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
        let load = CodeInfoOf::get(&code_hash).unwrap().code_len as u64
            * crate::Schedule::DEFAULT.load_fuel_per_byte;
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
        let code_hash = upload(2, wat(PROXY_WAT));
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
fn names_host_functions_act_as_the_contract() {
    type NamedContracts = crate::Pallet<TestWithNames>;
    let imports = r#"(import "ghost" "name_register" (func $register (param i32 i32 i64) (result i32)))
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
        (i32.store (i32.const 300) (call $register (i32.const 0) (i32.const 11) (i64.const 1000)))
        (i32.store (i32.const 304) (call $register (i32.const 16) (i32.const 13) (i64.const 1000)))
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
