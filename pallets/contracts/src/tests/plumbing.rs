//! The module cache, pallet plumbing and property tests of the validator.

use super::*;

// ---- the module cache ----

#[test]
fn cache_hits_give_the_same_result_and_fuel_as_compiling() {
    let cached = Arc::new(LruModuleCache::new(64 << 20, 16));
    let run_counter = |cache: Option<Arc<LruModuleCache>>| {
        let body = || {
            new_test_ext().execute_with(|| {
                let contract = counter(1);
                let r = call(2, contract, call_data("increment", 4u64));
                (r.output, r.fuel_consumed, r.result)
            })
        };
        match cache {
            Some(c) => with_module_cache(c, body),
            None => body(),
        }
    };
    let uncached = run_counter(None);
    let first = run_counter(Some(cached.clone()));
    let second = run_counter(Some(cached.clone()));
    assert_eq!(uncached, first);
    assert_eq!(first, second);
    assert!(cached.stats().hits >= 2, "{:?}", cached.stats());
}

#[test]
fn upload_fills_the_cache() {
    let cache = Arc::new(LruModuleCache::new(64 << 20, 16));
    let hash = with_module_cache(cache.clone(), || {
        new_test_ext().execute_with(|| upload(1, wat(&counter_wat())))
    });
    assert!(cache.contains(&hash));
    assert!(cache.get(&hash).is_some());
}

// ---- pallet plumbing ----

#[test]
fn integrity_test_passes_and_metadata_lists_everything() {
    <Contracts as Hooks>::integrity_test();
    let meta = Contracts::metadata(4);
    assert_eq!(meta.calls.len(), 4);
    assert_eq!(meta.events.len(), 7);
    assert!(meta.errors.iter().any(|e| e.name == "FloatsNotAllowed"));
    assert!(
        meta.errors
            .iter()
            .any(|e| e.name == "ContractPendingDeletion")
    );
    assert_eq!(meta.storage.len(), 6);
    assert!(
        meta.constants
            .iter()
            .any(|c| c.name == "DeletionKeysPerBlock")
    );
}

#[test]
fn calls_round_trip_through_scale() {
    let call = Call::Instantiate {
        code_hash: Hash([1; 32]),
        value: 5,
        fuel_limit: 9,
        storage_deposit_limit: Some(7),
        data: vec![1, 2],
        salt: vec![3],
    };
    assert_eq!(Call::decode(&mut &call.encode()[..]).unwrap(), call);
    assert_eq!(call.encode()[0], 1);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Corrupting bytes of a valid contract never panics the validator or the compiler.
    #[test]
    fn validation_never_panics_on_corrupted_code(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8)
    ) {
        let mut code = wat(&counter_wat());
        for (index, byte) in edits {
            let i = index.index(code.len());
            code[i] = byte;
        }
        let accepted = crate::wasm::prepare(&code, &Limits::DEFAULT).is_ok();
        // The load fee's function count reads any bytes without panicking, and on code upload
        // accepts it is the number of function bodies (what translation works through).
        let functions = crate::wasm::defined_functions(&code);
        if accepted {
            let bodies = wasmparser::Parser::new(0)
                .parse_all(&code)
                .filter(|p| matches!(p, Ok(wasmparser::Payload::CodeSectionEntry(_))))
                .count();
            prop_assert_eq!(functions as usize, bodies);
        }
    }

    /// Random bytes never panic the load fee's function count.
    #[test]
    fn counting_functions_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = crate::wasm::defined_functions(&bytes);
    }

    /// Random bytes are refused with an error, never a panic.
    #[test]
    fn validation_refuses_random_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        prop_assert!(crate::wasm::validate::validate(&bytes, &Limits::DEFAULT).is_err());
    }
}
