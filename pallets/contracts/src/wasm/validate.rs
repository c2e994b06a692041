//! Upload-time checks of WASM-lite code: the feature set, the module's shape and its limits.
//!
//! Two passes, both over the raw bytes and both deterministic:
//! 1. `wasmparser`'s validator with exactly the accepted feature set ([`accepted_features`]):
//!    MVP integers + mutable globals, sign extension, multi-value and bulk memory. When it fails,
//!    the module is validated again with one refused proposal switched on at a time, so the
//!    error names the culprit ([`CodeError::Floats`], [`CodeError::Simd`], ...) instead of
//!    carrying a parser message.
//! 2. A structural pass: imports only from module `ghost` with the right signatures, one linear
//!    memory of at most [`Limits::max_memory_pages`] exported as `memory`, no start function,
//!    `deploy` and `call` exported as `() -> ()`, and counts within [`Limits`].
//!
//! wasmi validates again when upload compiles the code ([`super::prepare`]) under an engine
//! configured with the same features, so both layers agree on what runs; frames then compile
//! stored code without validating it (`compile_stored`).

use wasmparser::{
    ExternalKind, FuncType, Parser, Payload, TypeRef, ValType, Validator, WasmFeatures,
};

use super::runtime::{HOST_FUNCTIONS, HOST_MODULE};
use crate::types::Limits;

/// How many functions `code` defines (its function section's count; imports are not
/// counted): what a frame's load fee charges per function, since each may be translated when
/// it first runs. Reads only the section headers up to the function section, which comes
/// before the code; 0 for code without one (or that does not parse, which stored code always
/// does).
pub fn defined_functions(code: &[u8]) -> u32 {
    for payload in Parser::new(0).parse_all(code) {
        match payload {
            Ok(Payload::FunctionSection(reader)) => return reader.count(),
            Ok(Payload::CodeSectionStart { .. }) | Err(_) => return 0,
            Ok(_) => {}
        }
    }
    0
}

/// Why code was refused at upload.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CodeError {
    /// The code is larger than [`Limits::max_code_len`].
    #[error("code is {len} bytes; the limit is {limit}")]
    TooLarge {
        /// Its length.
        len: usize,
        /// The limit.
        limit: u32,
    },
    /// Not valid WebAssembly (or a mix of refused features).
    #[error("invalid WebAssembly: {0}")]
    Invalid(String),
    /// Uses `f32`/`f64` types or instructions.
    #[error("floating-point types and instructions are not allowed")]
    Floats,
    /// Uses SIMD (`v128`).
    #[error("SIMD is not allowed")]
    Simd,
    /// Uses threads (shared memory, atomics).
    #[error("threads and atomics are not allowed")]
    Threads,
    /// Uses reference types (`externref`, typed function references, GC).
    #[error("reference types are not allowed")]
    ReferenceTypes,
    /// Declares more than one memory.
    #[error("multiple memories are not allowed")]
    MultiMemory,
    /// Uses 64-bit memory.
    #[error("64-bit memories are not allowed")]
    Memory64,
    /// Uses another proposal outside WASM-lite (tail calls, exceptions, extended constants, ...).
    #[error("the `{0}` proposal is not allowed")]
    Proposal(&'static str),
    /// Has a start function.
    #[error("a start function is not allowed")]
    StartFunction,
    /// Defines no linear memory, or imports one.
    #[error("the module must define exactly one linear memory")]
    NoMemory,
    /// A memory's initial or maximum size is above [`Limits::max_memory_pages`].
    #[error("memory of {pages} pages; the limit is {limit}")]
    TooManyMemoryPages {
        /// The pages declared.
        pages: u64,
        /// The limit.
        limit: u32,
    },
    /// More functions (imported + defined) than [`Limits::max_functions`].
    #[error("{count} functions; the limit is {limit}")]
    TooManyFunctions {
        /// How many.
        count: u64,
        /// The limit.
        limit: u32,
    },
    /// More globals than [`Limits::max_globals`].
    #[error("{count} globals; the limit is {limit}")]
    TooManyGlobals {
        /// How many.
        count: u64,
        /// The limit.
        limit: u32,
    },
    /// A table larger than [`Limits::max_table_entries`], or too many tables.
    #[error(
        "table of {entries} entries (or {tables} tables); the limits are {limit} and {max_tables}"
    )]
    TooManyTableEntries {
        /// Entries of the largest table.
        entries: u64,
        /// Tables declared.
        tables: u64,
        /// The entry limit.
        limit: u32,
        /// The table limit.
        max_tables: u32,
    },
    /// Another count is above its limit (types, imports, exports, segments, params, results,
    /// locals).
    #[error("too many {what}: {count}; the limit is {limit}")]
    LimitExceeded {
        /// What was counted.
        what: &'static str,
        /// How many.
        count: u64,
        /// The limit.
        limit: u32,
    },
    /// An import from another module than `ghost`, of a name `ghost` does not provide, or of
    /// something else than a function.
    #[error("unknown import `{module}`.`{name}`")]
    UnknownImport {
        /// The import's module.
        module: String,
        /// The import's name.
        name: String,
    },
    /// A `ghost` import with the wrong signature.
    #[error("import `ghost`.`{0}` has the wrong signature")]
    ImportSignature(String),
    /// `deploy`, `call` or `memory` is not exported, or not as the right kind or type.
    #[error("export `{0}` is missing or has the wrong type (`deploy`, `call`: () -> (); `memory`)")]
    MissingExport(&'static str),
    /// wasmi refused to compile the code.
    #[error("wasmi cannot compile the code: {0}")]
    Compile(String),
}

/// The WASM features WASM-lite accepts.
pub fn accepted_features() -> WasmFeatures {
    WasmFeatures::MUTABLE_GLOBAL
        | WasmFeatures::SIGN_EXTENSION
        | WasmFeatures::MULTI_VALUE
        | WasmFeatures::BULK_MEMORY
}

/// Refused proposals, tried one at a time (in this order) to name why validation failed.
fn refused_proposals() -> [(WasmFeatures, CodeError); 11] {
    [
        (
            WasmFeatures::FLOATS | WasmFeatures::SATURATING_FLOAT_TO_INT,
            CodeError::Floats,
        ),
        (
            WasmFeatures::SIMD | WasmFeatures::RELAXED_SIMD | WasmFeatures::FLOATS,
            CodeError::Simd,
        ),
        (
            WasmFeatures::THREADS | WasmFeatures::SHARED_EVERYTHING_THREADS,
            CodeError::Threads,
        ),
        (
            WasmFeatures::REFERENCE_TYPES
                | WasmFeatures::GC_TYPES
                | WasmFeatures::FUNCTION_REFERENCES
                | WasmFeatures::GC,
            CodeError::ReferenceTypes,
        ),
        (WasmFeatures::MULTI_MEMORY, CodeError::MultiMemory),
        (WasmFeatures::MEMORY64, CodeError::Memory64),
        (WasmFeatures::TAIL_CALL, CodeError::Proposal("tail-call")),
        (
            WasmFeatures::EXCEPTIONS | WasmFeatures::LEGACY_EXCEPTIONS,
            CodeError::Proposal("exceptions"),
        ),
        (
            WasmFeatures::EXTENDED_CONST,
            CodeError::Proposal("extended-const"),
        ),
        (
            WasmFeatures::WIDE_ARITHMETIC,
            CodeError::Proposal("wide-arithmetic"),
        ),
        (
            WasmFeatures::CUSTOM_PAGE_SIZES,
            CodeError::Proposal("custom-page-sizes"),
        ),
    ]
}

/// Checks `code` against WASM-lite and `limits`. Never panics, whatever the bytes.
pub fn validate(code: &[u8], limits: &Limits) -> Result<(), CodeError> {
    if code.len() > limits.max_code_len as usize {
        return Err(CodeError::TooLarge {
            len: code.len(),
            limit: limits.max_code_len,
        });
    }
    check_features(code)?;
    check_structure(code, limits)
}

fn validates_with(code: &[u8], features: WasmFeatures) -> Result<(), String> {
    Validator::new_with_features(features)
        .validate_all(code)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

fn check_features(code: &[u8]) -> Result<(), CodeError> {
    let base = accepted_features();
    let Err(message) = validates_with(code, base) else {
        return Ok(());
    };
    for (extra, error) in refused_proposals() {
        if validates_with(code, base | extra).is_ok() {
            return Err(error);
        }
    }
    Err(CodeError::Invalid(message))
}

fn over(count: u64, limit: u32) -> bool {
    count > u64::from(limit)
}

fn limit_check(what: &'static str, count: u64, limit: u32) -> Result<(), CodeError> {
    if over(count, limit) {
        return Err(CodeError::LimitExceeded { what, count, limit });
    }
    Ok(())
}

fn type_matches(ty: &FuncType, params: &[ValType], results: &[ValType]) -> bool {
    ty.params() == params && ty.results() == results
}

/// The shape checks of pass 2 on code that already validated.
fn check_structure(code: &[u8], limits: &Limits) -> Result<(), CodeError> {
    let invalid = |e: wasmparser::BinaryReaderError| CodeError::Invalid(e.to_string());
    let mut types: Vec<FuncType> = Vec::new();
    // The type index of every function, imported ones first.
    let mut func_types: Vec<u32> = Vec::new();
    let mut memories: Vec<wasmparser::MemoryType> = Vec::new();
    let mut tables: u64 = 0;
    let mut largest_table: u64 = 0;
    let mut exports: Vec<(String, ExternalKind, u32)> = Vec::new();

    for payload in Parser::new(0).parse_all(code) {
        match payload.map_err(invalid)? {
            Payload::TypeSection(reader) => {
                limit_check("types", u64::from(reader.count()), limits.max_types)?;
                for ty in reader.into_iter_err_on_gc_types() {
                    let ty = ty.map_err(invalid)?;
                    limit_check(
                        "function parameters",
                        ty.params().len() as u64,
                        limits.max_func_params,
                    )?;
                    limit_check(
                        "function results",
                        ty.results().len() as u64,
                        limits.max_func_results,
                    )?;
                    types.push(ty);
                }
            }
            Payload::ImportSection(reader) => {
                limit_check("imports", u64::from(reader.count()), limits.max_imports)?;
                for import in reader {
                    let import = import.map_err(invalid)?;
                    let unknown = || CodeError::UnknownImport {
                        module: import.module.into(),
                        name: import.name.into(),
                    };
                    let TypeRef::Func(type_index) = import.ty else {
                        return Err(unknown());
                    };
                    if import.module != HOST_MODULE {
                        return Err(unknown());
                    }
                    let host = HOST_FUNCTIONS
                        .iter()
                        .find(|f| f.name == import.name)
                        .ok_or_else(unknown)?;
                    let ty = types
                        .get(type_index as usize)
                        .ok_or_else(|| CodeError::Invalid("import of an unknown type".into()))?;
                    if !type_matches(ty, host.params, host.results) {
                        return Err(CodeError::ImportSignature(import.name.into()));
                    }
                    func_types.push(type_index);
                }
            }
            Payload::FunctionSection(reader) => {
                let count = (func_types.len() as u64).saturating_add(u64::from(reader.count()));
                if over(count, limits.max_functions) {
                    return Err(CodeError::TooManyFunctions {
                        count,
                        limit: limits.max_functions,
                    });
                }
                for type_index in reader {
                    func_types.push(type_index.map_err(invalid)?);
                }
            }
            Payload::TableSection(reader) => {
                for table in reader {
                    let table = table.map_err(invalid)?;
                    tables = tables.saturating_add(1);
                    largest_table = largest_table.max(table.ty.initial);
                    if let Some(max) = table.ty.maximum {
                        largest_table = largest_table.max(max);
                    }
                }
                if over(tables, limits.max_tables) || over(largest_table, limits.max_table_entries)
                {
                    return Err(CodeError::TooManyTableEntries {
                        entries: largest_table,
                        tables,
                        limit: limits.max_table_entries,
                        max_tables: limits.max_tables,
                    });
                }
            }
            Payload::MemorySection(reader) => {
                for memory in reader {
                    memories.push(memory.map_err(invalid)?);
                }
            }
            Payload::GlobalSection(reader) => {
                let globals = u64::from(reader.count());
                if over(globals, limits.max_globals) {
                    return Err(CodeError::TooManyGlobals {
                        count: globals,
                        limit: limits.max_globals,
                    });
                }
            }
            Payload::ExportSection(reader) => {
                limit_check("exports", u64::from(reader.count()), limits.max_exports)?;
                for export in reader {
                    let export = export.map_err(invalid)?;
                    exports.push((export.name.into(), export.kind, export.index));
                }
            }
            Payload::StartSection { .. } => return Err(CodeError::StartFunction),
            Payload::ElementSection(reader) => limit_check(
                "element segments",
                u64::from(reader.count()),
                limits.max_element_segments,
            )?,
            Payload::DataSection(reader) => limit_check(
                "data segments",
                u64::from(reader.count()),
                limits.max_data_segments,
            )?,
            Payload::CodeSectionEntry(body) => {
                let mut locals: u64 = 0;
                for entry in body.get_locals_reader().map_err(invalid)? {
                    let (count, _) = entry.map_err(invalid)?;
                    locals = locals.saturating_add(u64::from(count));
                }
                limit_check("locals in one function", locals, limits.max_locals)?;
            }
            _ => {}
        }
    }
    let [memory] = memories.as_slice() else {
        return Err(if memories.is_empty() {
            CodeError::NoMemory
        } else {
            CodeError::MultiMemory
        });
    };
    let pages = memory.maximum.unwrap_or(0).max(memory.initial);
    if over(pages, limits.max_memory_pages) {
        return Err(CodeError::TooManyMemoryPages {
            pages,
            limit: limits.max_memory_pages,
        });
    }

    let exported = |name: &str, kind: ExternalKind| {
        exports
            .iter()
            .find(|(n, k, _)| n == name && *k == kind)
            .map(|(_, _, index)| *index)
    };
    if exported("memory", ExternalKind::Memory) != Some(0) {
        return Err(CodeError::MissingExport("memory"));
    }
    for entry in ["deploy", "call"] {
        let ok = exported(entry, ExternalKind::Func)
            .and_then(|func| func_types.get(func as usize))
            .and_then(|ty| types.get(*ty as usize))
            .is_some_and(|ty| type_matches(ty, &[], &[]));
        if !ok {
            return Err(CodeError::MissingExport(entry));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wat(source: &str) -> Vec<u8> {
        wat::parse_str(source).expect("fixture parses")
    }

    const OK: &str = r#"(module
        (import "ghost" "caller" (func (param i32)))
        (memory (export "memory") 1 16)
        (func (export "deploy"))
        (func (export "call")))"#;

    #[test]
    fn minimal_contract_is_accepted() {
        assert_eq!(validate(&wat(OK), &Limits::DEFAULT), Ok(()));
    }

    #[test]
    fn garbage_is_invalid_not_a_panic() {
        for bytes in [&b""[..], b"\0asm", b"\0asm\x01\0\0\0\x01", &[0xff; 64]] {
            assert!(matches!(
                validate(bytes, &Limits::DEFAULT),
                Err(CodeError::Invalid(_))
            ));
        }
    }

    #[test]
    fn wrong_export_type_is_refused() {
        let code = wat(r#"(module (memory (export "memory") 1)
            (func (export "deploy")) (func (export "call") (param i32)))"#);
        assert_eq!(
            validate(&code, &Limits::DEFAULT),
            Err(CodeError::MissingExport("call"))
        );
    }

    #[test]
    fn memory_must_be_exported() {
        let code = wat(r#"(module (memory 1) (func (export "deploy")) (func (export "call")))"#);
        assert_eq!(
            validate(&code, &Limits::DEFAULT),
            Err(CodeError::MissingExport("memory"))
        );
    }

    #[test]
    fn import_with_wrong_signature_is_refused() {
        let code = wat(r#"(module (import "ghost" "caller" (func (param i64)))
            (memory (export "memory") 1) (func (export "deploy")) (func (export "call")))"#);
        assert_eq!(
            validate(&code, &Limits::DEFAULT),
            Err(CodeError::ImportSignature("caller".into()))
        );
    }

    #[test]
    fn imported_memory_is_refused() {
        let code = wat(r#"(module (import "ghost" "memory" (memory 1))
            (func (export "deploy")) (func (export "call")))"#);
        assert!(matches!(
            validate(&code, &Limits::DEFAULT),
            Err(CodeError::UnknownImport { .. })
        ));
    }
}
