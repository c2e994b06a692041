//! Runs one contract frame: load the module (from the node's cache or by compiling the stored
//! code), instantiate it against the host functions in a fresh wasmi store with its own fuel,
//! call `deploy` or `call`, and classify how it ended.
//!
//! A frame never panics and never leaves the VM in a shared state: every frame has its own
//! store, memory and fuel. Fuel is charged in this order: loading the code
//! (`code_len × load_fuel_per_byte + functions × load_fuel_per_function`, the same on a cache
//! hit or miss), then every WASM operator
//! (wasmi's default operator costs, plus one fuel per 64 bytes copied by bulk-memory operators
//! and `memory.grow`), then host functions at their [`crate::HostFnCosts`].

use std::cell::RefCell;

use ghost_primitives::{AccountId, Balance, Hash};
use wasmi::{Engine, Module, Store, StoreLimitsBuilder, TrapCode};

use super::runtime::{Host, HostState, HostTrap};
use super::{compile_stored, linker};
use crate::cache;
use crate::types::{ExecReturn, Schedule};

/// Which export a frame runs.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Entry {
    /// `deploy`, once, at instantiation.
    Deploy,
    /// `call`, for every later call.
    Call,
}

impl Entry {
    /// The export's name.
    pub const fn export_name(self) -> &'static str {
        match self {
            Entry::Deploy => "deploy",
            Entry::Call => "call",
        }
    }
}

/// One contract frame to run.
#[derive(Clone, Debug)]
pub struct Frame {
    /// Which export.
    pub entry: Entry,
    /// The code to run.
    pub code_hash: Hash,
    /// Its length (prices loading it).
    pub code_len: u32,
    /// Who calls (an account or a contract).
    pub caller: AccountId,
    /// The contract.
    pub contract: AccountId,
    /// Value moved to the contract by this call (already transferred).
    pub value: Balance,
    /// Call data.
    pub input: Vec<u8>,
    /// Contracts on the stack before this one, outermost first.
    pub stack: Vec<AccountId>,
    /// Fuel the frame may burn.
    pub fuel_limit: u64,
}

/// Why a frame did not return normally. Every variant reverts the frame's writes.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
pub enum ExecError {
    /// The frame burned all its fuel.
    #[error("out of fuel")]
    OutOfFuel,
    /// The WASM call stack or value stack exceeded its bound (deep recursion).
    #[error("stack overflow")]
    StackOverflow,
    /// The contract trapped (`unreachable`, an out-of-bounds load or store, division by zero,
    /// ...).
    #[error("trap: {0}")]
    Trap(TrapCode),
    /// A host function stopped the contract (see [`HostTrap`]).
    #[error("host function trapped: {0}")]
    Host(HostTrap),
    /// The code is not stored.
    #[error("code not found")]
    CodeNotFound,
    /// Stored code no longer compiles (a VM upgrade changed what it accepts).
    #[error("stored code does not compile: {0}")]
    Compile(String),
    /// Instantiation failed (a data segment out of bounds, a missing export).
    #[error("instantiation failed: {0}")]
    Instantiate(String),
}

/// How a frame ended and what it burned.
#[derive(Clone, Debug)]
pub struct ExecOutcome {
    /// Its output, or why it failed.
    pub result: Result<ExecReturn, ExecError>,
    /// Fuel burned, at most `fuel_limit`.
    pub fuel_consumed: u64,
}

impl ExecOutcome {
    fn failed(error: ExecError, fuel_consumed: u64) -> Self {
        ExecOutcome {
            result: Err(error),
            fuel_consumed,
        }
    }
}

/// Classifies a wasmi error from a call into an [`ExecError`], or the normal end of
/// `return_data`.
fn classify(error: &wasmi::Error) -> Option<ExecError> {
    if let Some(host) = error.downcast_ref::<HostTrap>() {
        return match host {
            HostTrap::Return => None,
            HostTrap::OutOfFuel => Some(ExecError::OutOfFuel),
            other => Some(ExecError::Host(*other)),
        };
    }
    Some(match error.as_trap_code() {
        Some(TrapCode::OutOfFuel) => ExecError::OutOfFuel,
        Some(TrapCode::StackOverflow) => ExecError::StackOverflow,
        Some(code) => ExecError::Trap(code),
        None => ExecError::Instantiate(error.to_string()),
    })
}

/// The module of `code_hash` (from the installed cache, else compiled from `host.code`), once
/// `fuel` has paid its per-function load fee; returns it with the fuel left. On a miss the fee
/// is charged after reading the code and before compiling it. Errors carry the fuel burned.
fn load_module(
    host: &dyn Host,
    code_hash: &Hash,
    schedule: &Schedule,
    fuel: u64,
) -> Result<(Module, u64), (ExecError, u64)> {
    let function_fee = |functions: u32| schedule.load_fuel(0, functions);
    let cache = cache::current();
    if let Some(cached) = cache.as_ref().and_then(|c| c.get(code_hash)) {
        let left = fuel
            .checked_sub(function_fee(cached.functions))
            .ok_or((ExecError::OutOfFuel, fuel))?;
        return Ok((cached.module, left));
    }
    let code = host.code(code_hash).ok_or((ExecError::CodeNotFound, 0))?;
    let functions = super::defined_functions(&code);
    let fee = function_fee(functions);
    let left = fuel.checked_sub(fee).ok_or((ExecError::OutOfFuel, fuel))?;
    let module =
        compile_stored(&code, functions).map_err(|e| (ExecError::Compile(e.to_string()), fee))?;
    if let Some(cache) = cache {
        let cached = cache::CachedModule {
            module: module.clone(),
            functions,
        };
        cache.insert(*code_hash, cached, code.len());
    }
    Ok((module, left))
}

thread_local! {
    /// The host functions linked for the engine of the last module this thread ran (engines
    /// are replaced now and then, see [`super::ENGINE_MAX_FUNCTIONS`]), or `None` when linking
    /// failed.
    static LINKER: RefCell<Option<(Engine, Option<wasmi::Linker<HostState>>)>> =
        const { RefCell::new(None) };
}

/// Runs `frame` against `host`.
pub fn execute(host: Box<dyn Host>, schedule: &Schedule, frame: Frame) -> ExecOutcome {
    let limit = frame.fuel_limit;
    let load_fuel = schedule.load_fuel(frame.code_len, 0);
    let Some(fuel) = limit.checked_sub(load_fuel) else {
        return ExecOutcome::failed(ExecError::OutOfFuel, limit);
    };
    let (module, fuel) = match load_module(&*host, &frame.code_hash, schedule, fuel) {
        Ok(loaded) => loaded,
        Err((e, burned)) => {
            return ExecOutcome::failed(e, load_fuel.saturating_add(burned));
        }
    };

    let mut stack = frame.stack;
    stack.push(frame.contract);
    let max_memory = (schedule.limits.max_memory_pages as usize).saturating_mul(64 * 1024);
    let state = HostState {
        host,
        schedule: *schedule,
        caller: frame.caller,
        address: frame.contract,
        value: frame.value,
        input: frame.input,
        stack,
        entry: frame.entry,
        output: None,
        memory: None,
        limits: StoreLimitsBuilder::new()
            .memory_size(max_memory)
            .table_elements(schedule.limits.max_table_entries as usize)
            .instances(1)
            .memories(1)
            .tables(schedule.limits.max_tables as usize)
            .build(),
    };
    let mut store = Store::new(module.engine(), state);
    store.limiter(|state| &mut state.limits);
    if store.set_fuel(fuel).is_err() {
        // Unreachable with the engines of `super`, whose config meters fuel.
        return ExecOutcome::failed(ExecError::Instantiate("fuel metering disabled".into()), 0);
    }

    let instance = LINKER.with(|cell| {
        let mut cell = cell.borrow_mut();
        let stale = !matches!(&*cell, Some((engine, _)) if Engine::same(engine, module.engine()));
        if stale {
            *cell = Some((module.engine().clone(), linker(module.engine()).ok()));
        }
        match cell.as_ref().and_then(|(_, linker)| linker.as_ref()) {
            Some(linker) => linker
                .instantiate_and_start(&mut store, &module)
                .map_err(|e| classify(&e).unwrap_or(ExecError::Instantiate(e.to_string()))),
            None => Err(ExecError::Instantiate(
                "host functions failed to link".into(),
            )),
        }
    });
    let consumed = |store: &Store<HostState>| limit.saturating_sub(store.get_fuel().unwrap_or(0));
    let instance = match instance {
        Ok(instance) => instance,
        Err(e) => return ExecOutcome::failed(e, consumed(&store)),
    };
    store.data_mut().memory = instance.get_memory(&store, "memory");
    let func = match instance.get_typed_func::<(), ()>(&store, frame.entry.export_name()) {
        Ok(func) => func,
        Err(e) => {
            return ExecOutcome::failed(ExecError::Instantiate(e.to_string()), consumed(&store));
        }
    };

    let result = func.call(&mut store, ());
    let fuel_consumed = consumed(&store);
    let result = match result {
        Ok(()) => Ok(store.data_mut().output.take().unwrap_or_default()),
        Err(e) => match classify(&e) {
            None => Ok(store.data_mut().output.take().unwrap_or_default()),
            Some(error) => Err(error),
        },
    };
    ExecOutcome {
        result,
        fuel_consumed,
    }
}
