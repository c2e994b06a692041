//! The WASM-lite virtual machine: upload checks ([`validate`]), host functions ([`runtime`]) and
//! frame execution ([`executor`]) on one process-wide wasmi [`Engine`].
//!
//! The engine's [`Config`] is part of consensus, like the [`crate::Schedule`]:
//! - proposals: mutable globals, sign extension, multi-value and bulk memory on; floats,
//!   saturating float-to-int, SIMD, reference types, multi-memory, tail calls, extended
//!   constants, custom page sizes and wide arithmetic off; memory64 and threads are not compiled
//!   into wasmi at all (crate features);
//! - no start function; custom sections ignored;
//! - fuel metering on, with wasmi 2.0's default operator costs and its default of one fuel per
//!   64 bytes copied, but no fuel for translating or validating code ([`NO_TRANSLATION_FUEL`]);
//! - lazy translation ([`CompilationMode::LazyTranslation`]): a module is validated as a whole
//!   when it is compiled and each function is translated on its first call. wasmi charges that
//!   first call `fuel_per_bytes_translated` per byte of the function (`compile` in wasmi's
//!   `engine/code_map`, the only fuel it charges besides operators and copies); a cached module
//!   has its functions translated already, so that price must be, and is, zero: no fuel depends
//!   on whether a node had the module cached. The translated code, and so every operator's
//!   fuel, is the same whether a function was translated eagerly or lazily (tests below);
//! - call depth at most [`MAX_RECURSION_DEPTH`] WASM frames and the value stack at most
//!   [`MAX_VALUE_STACK_BYTES`] per contract frame: deeper recursion traps with a stack overflow.
//!
//! Upgrading wasmi can change operator costs or limits and is therefore a runtime upgrade.
//!
//! Code is validated once, at upload ([`prepare`]), and translated there too, eagerly, on a
//! second engine of the same configuration but for the compilation mode (`CHECKING_ENGINE`),
//! so upload refuses what wasmi cannot translate, as it did when execution was eager too, and
//! no translation fails during a call. A frame compiles stored code without validating it
//! again (`compile_stored`). An upgrade that makes the engine accept less (a wasmi upgrade, a
//! proposal switched off in [`config`]) must therefore re-validate every stored code blob in
//! its migration, or make `compile_stored` validate again.

pub mod executor;
pub mod runtime;
pub mod validate;

use wasmi::{CompilationMode, Config, CustomFuelCosts, Engine, Module};

use crate::cache::CachedModule;
use crate::types::Limits;
pub use executor::{Entry, ExecError, ExecOutcome, Frame, execute};
pub use runtime::{HOST_FUNCTIONS, HOST_MODULE, HostTrap};
pub use validate::{CodeError, defined_functions};

pub(crate) use runtime::linker;

/// Most nested WASM function calls inside one contract frame.
pub const MAX_RECURSION_DEPTH: usize = 1_024;
/// Largest value stack of one contract frame, in bytes.
pub const MAX_VALUE_STACK_BYTES: usize = 1024 * 1024;

/// Translating and validating code costs no fuel (see the module doc); copies keep wasmi's
/// default of 64 bytes per fuel.
pub const NO_TRANSLATION_FUEL: CustomFuelCosts = CustomFuelCosts {
    bytes_copied_per_fuel: 64,
    fuel_per_bytes_translated: 0,
    fuel_per_bytes_validated: 0,
};

/// The engine's configuration (see the module doc).
pub fn config() -> Config {
    let mut config = Config::default();
    config
        .wasm_mutable_global(true)
        .wasm_sign_extension(true)
        .wasm_multi_value(true)
        .wasm_bulk_memory(true)
        .floats(false)
        .wasm_saturating_float_to_int(false)
        .wasm_multi_memory(false)
        .wasm_reference_types(false)
        .wasm_tail_call(false)
        .wasm_extended_const(false)
        .wasm_custom_page_sizes(false)
        .wasm_wide_arithmetic(false)
        .allow_start_fn(false)
        .ignore_custom_sections(true)
        .consume_fuel(true)
        .fuel_cost(NO_TRANSLATION_FUEL)
        .compilation_mode(CompilationMode::LazyTranslation)
        .set_max_recursion_depth(MAX_RECURSION_DEPTH)
        .set_max_stack_height(MAX_VALUE_STACK_BYTES);
    config
}

/// Functions an engine may have compiled before it is replaced by a new one.
///
/// wasmi 2.0 keeps every function it ever compiled, and its translated code, in its engine's
/// function table, which only grows (it is freed with the engine) and panics past 100 M
/// entries. Each cold frame compiles its module again, so without a bound a stream of cold
/// calls to contracts of many functions would grow every node's memory without end and finally
/// crash them all. Past this many functions, or [`ENGINE_MAX_CODE_BYTES`] of code, the next
/// compilation starts a new engine of the same [`config`]; modules of the old one keep it alive
/// until the last of them is dropped (the module cache is cleared, so only frames running at
/// that moment hold one, and each thread's linker until that thread next runs a frame). Which
/// engine compiled a module changes neither what it does nor the fuel it burns.
pub const ENGINE_MAX_FUNCTIONS: usize = 1 << 20;

/// Bytes of code an engine may have compiled before it is replaced (see
/// [`ENGINE_MAX_FUNCTIONS`]): bounds the translated code it holds (a few times the WASM bytes)
/// when the functions are few and large.
pub const ENGINE_MAX_CODE_BYTES: usize = 64 << 20;

/// What an engine has compiled so far.
struct Compiled {
    engine: Engine,
    functions: usize,
    code_bytes: usize,
}

/// An engine that is replaced once it has compiled [`ENGINE_MAX_FUNCTIONS`] functions or
/// [`ENGINE_MAX_CODE_BYTES`] bytes of code.
struct RotatingEngine {
    config: fn() -> Config,
    max_functions: usize,
    max_code_bytes: usize,
    current: parking_lot::Mutex<Option<Compiled>>,
}

impl RotatingEngine {
    const fn new(config: fn() -> Config, max_functions: usize, max_code_bytes: usize) -> Self {
        RotatingEngine {
            config,
            max_functions,
            max_code_bytes,
            current: parking_lot::Mutex::new(None),
        }
    }

    /// The engine to compile code of `code_bytes` bytes defining `functions` functions with;
    /// counts them, and starts a new engine (returning `true` as well) when the current one
    /// would pass a bound.
    fn for_compiling(&self, functions: u32, code_bytes: usize) -> (Engine, bool) {
        let functions = functions as usize;
        let mut current = self.current.lock();
        let rotated = match &*current {
            Some(c) => {
                c.functions.saturating_add(functions) > self.max_functions
                    || c.code_bytes.saturating_add(code_bytes) > self.max_code_bytes
            }
            None => false,
        };
        if rotated || current.is_none() {
            *current = Some(Compiled {
                engine: Engine::new(&(self.config)()),
                functions: 0,
                code_bytes: 0,
            });
        }
        let compiled = current.as_mut().expect("set above");
        compiled.functions = compiled.functions.saturating_add(functions);
        compiled.code_bytes = compiled.code_bytes.saturating_add(code_bytes);
        (compiled.engine.clone(), rotated)
    }
}

/// The engine frames' modules are compiled with (lazy translation).
static ENGINE: RotatingEngine =
    RotatingEngine::new(config, ENGINE_MAX_FUNCTIONS, ENGINE_MAX_CODE_BYTES);

/// An engine of [`config`] but eager compilation, used by [`prepare`] only: translating every
/// function at upload refuses the code wasmi cannot translate, as upload always did.
static CHECKING_ENGINE: RotatingEngine =
    RotatingEngine::new(eager_config, ENGINE_MAX_FUNCTIONS, ENGINE_MAX_CODE_BYTES);

/// [`config`] with eager compilation.
fn eager_config() -> Config {
    let mut config = config();
    config.compilation_mode(CompilationMode::Eager);
    config
}

/// The engine to compile `code` (defining `functions` functions) for frames with (see
/// [`ENGINE_MAX_FUNCTIONS`]). When it is a new one, the process-wide module cache is cleared so
/// the old engine can go.
fn engine_for(code: &[u8], functions: u32) -> Engine {
    let (engine, rotated) = ENGINE.for_compiling(functions, code.len());
    if rotated {
        crate::cache::clear_global();
    }
    engine
}

/// Checks `code` against WASM-lite and `limits`, validates and translates all of it, then
/// compiles it for the frames' engine (each function to be translated on its first call; see
/// [`ENGINE_MAX_FUNCTIONS`]), with its function count for the load fee.
pub fn prepare(code: &[u8], limits: &Limits) -> Result<CachedModule, CodeError> {
    validate::validate(code, limits)?;
    let functions = defined_functions(code);
    let (checking, _) = CHECKING_ENGINE.for_compiling(functions, code.len());
    Module::new(&checking, code).map_err(|e| CodeError::Compile(e.to_string()))?;
    let module = compile_stored(code, functions).map_err(|e| CodeError::Compile(e.to_string()))?;
    Ok(CachedModule { module, functions })
}

/// Compiles code from `PristineCode` (a module-cache miss) without validating it again.
///
/// Validation is about a fifth of compiling (wasmparser's operator validator runs beside the
/// translator); the module is the same with or without it, and so is everything a frame
/// burns, since fuel is charged at run time only (see the module doc).
///
/// Only for bytes [`prepare`] accepted: its own, and those read from `PristineCode`, which the
/// pallet writes in one place, `bare_upload_code`, right after [`prepare`] accepted the same
/// bytes; nothing modifies an entry afterwards (the key is the bytes' blake3 hash).
/// `functions` is the code's [`defined_functions`], which the caller has counted already.
pub(crate) fn compile_stored(code: &[u8], functions: u32) -> Result<Module, wasmi::Error> {
    // SAFETY: `Module::new_unchecked` requires bytes that are valid WebAssembly under the
    // engine's `Config`. Stored code passed `prepare` at upload: wasmparser's validator with
    // WASM-lite's features, and `Module::new` (wasmi's own validation and translation) under
    // `config()` but for the compilation mode, which changes when functions are translated, not
    // what is valid; `config()` is a constant of this runtime. State is consensus, pinned by
    // the state root, so no node holds stored code that did not pass on every node. A runtime upgrade that makes `config()`
    // or wasmi accept less must re-validate stored code first (see the module doc).
    unsafe { Module::new_unchecked(&engine_for(code, functions), code) }
}

#[cfg(test)]
mod tests {
    use wasmi::{Instance, Store};

    use super::*;

    /// A module without imports whose `call` loops, calls (directly and through a table),
    /// touches memory and copies it in bulk: every kind of operator fuel.
    const BUSY: &str = r#"(module
      (type $t (func (param i32) (result i32)))
      (memory (export "memory") 2)
      (table 1 funcref)
      (elem (i32.const 0) $twice)
      (data (i32.const 16) "some bytes to copy around")
      (func $twice (param i32) (result i32) local.get 0 local.get 0 i32.add)
      (func (export "deploy"))
      (func (export "call")
        (local $i i32) (local $x i32)
        (local.set $x (i32.const 1))
        (loop $l
          (local.set $x (call $twice (local.get $x)))
          (local.set $x (call_indirect (type $t) (local.get $x) (i32.const 0)))
          (i32.store (i32.const 1024) (local.get $x))
          (memory.copy (i32.const 4096) (i32.const 16) (i32.const 1000))
          (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1)))
                              (i32.const 100))))))"#;

    /// Fuel `call` of `module` burns in a fresh store.
    fn fuel_of_call(module: &Module) -> u64 {
        let mut store = Store::new(module.engine(), ());
        store.set_fuel(1_000_000).unwrap();
        let instance = Instance::new(&mut store, module, &[]).unwrap();
        let call = instance.get_typed_func::<(), ()>(&store, "call").unwrap();
        call.call(&mut store, ()).unwrap();
        1_000_000 - store.get_fuel().unwrap()
    }

    #[test]
    fn translating_on_first_call_costs_no_fuel() {
        let code = wat::parse_str(BUSY).unwrap();
        let module = prepare(&code, &Limits::DEFAULT).unwrap().module;
        let first = fuel_of_call(&module);
        let again = fuel_of_call(&module);
        assert_eq!(
            first, again,
            "the first call translated, the second did not"
        );
        assert!(first > 1_000);
    }

    #[test]
    fn lazy_and_eager_translation_burn_the_same_fuel() {
        let code = wat::parse_str(BUSY).unwrap();
        let eager = Module::new(&Engine::new(&eager_config()), &code[..]).unwrap();
        let lazy = compile_stored(&code, defined_functions(&code)).unwrap();
        assert_eq!(fuel_of_call(&eager), fuel_of_call(&lazy));
    }

    #[test]
    fn a_full_engine_is_replaced_and_its_modules_still_run() {
        let code = wat::parse_str(BUSY).unwrap();
        let functions = defined_functions(&code);
        assert_eq!(functions, 3);
        let len = code.len();
        // Room for two compilations by functions, plenty by bytes.
        let rotating = RotatingEngine::new(config, 2 * functions as usize, usize::MAX);
        let (first, rotated) = rotating.for_compiling(functions, len);
        assert!(!rotated);
        let old = unsafe { Module::new_unchecked(&first, &code) }.unwrap();
        let (same, rotated) = rotating.for_compiling(functions, len);
        assert!(!rotated && Engine::same(&first, &same), "room for one more");
        let (next, rotated) = rotating.for_compiling(functions, len);
        assert!(
            rotated && !Engine::same(&first, &next),
            "full: a new engine"
        );
        drop((first, same));
        let new = unsafe { Module::new_unchecked(&next, &code) }.unwrap();
        assert_eq!(
            fuel_of_call(&old),
            fuel_of_call(&new),
            "either engine, the same fuel"
        );

        // The byte bound replaces it too, whatever the functions.
        let by_bytes = RotatingEngine::new(config, usize::MAX, len);
        let (first, _) = by_bytes.for_compiling(functions, len);
        let (next, rotated) = by_bytes.for_compiling(functions, len);
        assert!(rotated && !Engine::same(&first, &next));
    }
}
