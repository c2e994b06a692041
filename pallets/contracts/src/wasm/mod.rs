//! The WASM-lite virtual machine: upload checks ([`validate`]), host functions ([`runtime`]) and
//! frame execution ([`executor`]) on one process-wide wasmi [`Engine`].
//!
//! The engine's [`Config`] is part of consensus, like the [`crate::Schedule`]:
//! - proposals: mutable globals, sign extension, multi-value and bulk memory on; floats,
//!   saturating float-to-int, SIMD, reference types, multi-memory, tail calls, extended
//!   constants, custom page sizes and wide arithmetic off; memory64 and threads are not compiled
//!   into wasmi at all (crate features);
//! - no start function; custom sections ignored;
//! - fuel metering on, with wasmi 2.0's default operator costs;
//! - eager compilation ([`CompilationMode::Eager`]): nothing is translated lazily during
//!   execution, so no fuel depends on whether a node had the module cached (wasmi's lazy modes
//!   charge the frame fuel for translating a function on its first call, which a cached module
//!   has already done: they must stay off);
//! - call depth at most [`MAX_RECURSION_DEPTH`] WASM frames and the value stack at most
//!   [`MAX_VALUE_STACK_BYTES`] per contract frame: deeper recursion traps with a stack overflow.
//!
//! Upgrading wasmi can change operator costs or limits and is therefore a runtime upgrade.
//!
//! Code is validated once, at upload ([`prepare`]); a frame compiles stored code without
//! validating it again ([`compile_stored`]). An upgrade that makes the engine accept less (a
//! wasmi upgrade, a proposal switched off in [`config`]) must therefore re-validate every stored
//! code blob in its migration, or make [`compile_stored`] validate again.

pub mod executor;
pub mod runtime;
pub mod validate;

use std::sync::OnceLock;

use wasmi::{CompilationMode, Config, Engine, Module};

use crate::types::Limits;
pub use executor::{Entry, ExecError, ExecOutcome, Frame, execute};
pub use runtime::{HOST_FUNCTIONS, HOST_MODULE, HostTrap};
pub use validate::CodeError;

pub(crate) use runtime::linker;

/// Most nested WASM function calls inside one contract frame.
pub const MAX_RECURSION_DEPTH: usize = 1_024;
/// Largest value stack of one contract frame, in bytes.
pub const MAX_VALUE_STACK_BYTES: usize = 1024 * 1024;

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
        .compilation_mode(CompilationMode::Eager)
        .set_max_recursion_depth(MAX_RECURSION_DEPTH)
        .set_max_stack_height(MAX_VALUE_STACK_BYTES);
    config
}

/// The process-wide engine every module is compiled for (modules are tied to their engine, and
/// the node's module cache holds modules of this one).
pub fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::new(&config()))
}

/// Checks `code` against WASM-lite and `limits`, then compiles it.
pub fn prepare(code: &[u8], limits: &Limits) -> Result<Module, CodeError> {
    validate::validate(code, limits)?;
    Module::new(engine(), code).map_err(|e| CodeError::Compile(e.to_string()))
}

/// Compiles code from `PristineCode` (a module-cache miss) without validating it again.
///
/// Validation is about a fifth of compiling (wasmparser's operator validator runs beside the
/// translator); the module is the same with or without it, and so is everything a frame
/// burns, since fuel is charged at run time only (see the module doc).
///
/// Only for bytes read from `PristineCode`: the pallet writes that map in one place,
/// `bare_upload_code`, right after [`prepare`] accepted the same bytes, and nothing modifies
/// an entry afterwards (the key is the bytes' blake3 hash).
pub(crate) fn compile_stored(code: &[u8]) -> Result<Module, wasmi::Error> {
    // SAFETY: `Module::new_unchecked` requires bytes that are valid WebAssembly under the
    // engine's `Config`. Stored code passed `prepare` at upload: wasmparser's validator with
    // WASM-lite's features, and `Module::new` (wasmi's own validation) under `config()`, which
    // is a constant of this runtime. State is consensus, pinned by the state root, so no node
    // holds stored code that did not pass on every node. A runtime upgrade that makes `config()`
    // or wasmi accept less must re-validate stored code first (see the module doc).
    unsafe { Module::new_unchecked(engine(), code) }
}
