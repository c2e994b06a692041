//! `--abi`: a contract's JSON ABI (what the SDK's `contract!` emits, `contracts/README.md`),
//! to check and encode `--args` as plain JSON values and to decode outputs, reverts and events.
//!
//! Types are the Rust types the ABI names. Known: `u8`…`u128`, `i8`…`i128`, `bool`, `String`,
//! `AccountId`, `Hash`, `Balance` (`u128`), `BlockNumber` and `Moment` (`u64`), the SDK's
//! `Error`, `()`, tuples, `[T; N]`, `Vec<T>`, `Option<T>` and `Result<T, E>`. Any other type
//! (a contract's own struct) is opaque: its argument is its SCALE encoding as a `0x…` string,
//! and a value containing one is printed as hex only.

use parity_scale_codec::{Compact, Decode};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::*;
use ghost_runtime::contracts::abi_section::split_abi;

/// The most nested a type may be (`Vec<Vec<…>>`), and the most elements a decoded sequence may
/// claim before its bytes are read: hostile outputs cannot make the CLI recurse or allocate
/// without bound.
const MAX_TYPE_DEPTH: usize = 16;

/// `u8`, whose sequences are written and printed as `0x…` bytes.
const BYTE: Ty = Ty::Int {
    bits: 8,
    signed: false,
};

/// The SDK's `Error` (`contracts/sdk/src/error.rs`) by SCALE index.
const SDK_ERRORS: &[(u8, &str)] = &[
    (1, "CalleeTrapped"),
    (2, "CalleeReverted"),
    (3, "KeyNotFound"),
    (4, "TransferFailed"),
    (5, "BufferTooSmall"),
    (6, "NotAContract"),
    (7, "ReentranceDenied"),
    (8, "MaxCallDepthReached"),
    (9, "StorageDepositNotCovered"),
    (10, "NamesUnavailable"),
    (11, "NameNotFound"),
    (12, "NotNameOwner"),
    (13, "InvalidName"),
    (14, "NameOperationFailed"),
    (15, "InvalidSignature"),
    (16, "DebugBufferFull"),
    (17, "LoggingDisabled"),
    (18, "TerminateWhileReentered"),
    (19, "TerminateInDeploy"),
    (20, "CodeNotFound"),
    (21, "DuplicateContract"),
    (22, "DeletionQueueFull"),
    (23, "OwnsNames"),
    (255, "Unknown"),
];

/// An argument or field: its name and type.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Param {
    /// The name in the contract's source.
    pub name: String,
    /// The Rust type as written.
    #[serde(rename = "type")]
    pub ty: String,
}

/// `deploy`'s arguments (`None`: undeclared).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Deploy {
    /// The arguments.
    pub args: Option<Vec<Param>>,
}

/// One method.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Method {
    /// Its name (the selector is `blake3(name)[0..4]`).
    pub name: String,
    /// Whether a call may move value.
    pub payable: bool,
    /// The arguments (`None`: undeclared).
    pub args: Option<Vec<Param>>,
    /// The `Ok` type (`None`: undeclared).
    pub returns: Option<String>,
}

/// One variant of the error enum.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Variant {
    /// Its name.
    pub name: String,
    /// The types of its fields, in order.
    pub fields: Vec<String>,
}

/// The error enum the methods revert with.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Errors {
    /// Its name.
    pub name: String,
    /// Its variants, in SCALE index order.
    pub variants: Vec<Variant>,
}

/// One event (first topic `blake3(name)`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct EventAbi {
    /// Its name.
    pub name: String,
    /// Its fields.
    pub fields: Vec<Param>,
}

/// A contract's ABI.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Abi {
    /// The format version (1).
    pub version: u32,
    /// `deploy`.
    pub deploy: Deploy,
    /// The methods.
    pub methods: Vec<Method>,
    /// The error enum, if declared.
    pub errors: Option<Errors>,
    /// The events.
    #[serde(default)]
    pub events: Vec<EventAbi>,
}

/// A type of the ABI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ty {
    /// `u8`…`u128` (`bits`, unsigned) or `i8`…`i128`.
    Int { bits: u32, signed: bool },
    /// `bool`.
    Bool,
    /// `String`.
    Str,
    /// `AccountId`.
    Account,
    /// `Hash` or `[u8; 32]` named `Hash`.
    Hash,
    /// The SDK's `Error`.
    SdkError,
    /// `()`.
    Unit,
    /// `(A, B, …)`.
    Tuple(Vec<Ty>),
    /// `[T; N]`.
    Array(Box<Ty>, usize),
    /// `Vec<T>`.
    Vec(Box<Ty>),
    /// `Option<T>`.
    Option(Box<Ty>),
    /// `Result<T, E>`.
    Result(Box<Ty>, Box<Ty>),
    /// A type the CLI does not know (a contract's struct or enum).
    Opaque(String),
}

impl Ty {
    /// Parses a type as the ABI writes it (no spaces).
    pub fn parse(text: &str) -> anyhow::Result<Ty> {
        let text: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        parse_ty(&text, 0)
    }
}

fn parse_ty(text: &str, depth: usize) -> anyhow::Result<Ty> {
    if depth > MAX_TYPE_DEPTH {
        anyhow::bail!("type `{text}` is nested more than {MAX_TYPE_DEPTH} deep");
    }
    let inner = |t: &str| parse_ty(t, depth + 1);
    let int = |bits, signed| Ty::Int { bits, signed };
    Ok(match text {
        "u8" => int(8, false),
        "u16" => int(16, false),
        "u32" => int(32, false),
        "u64" | "BlockNumber" | "Moment" => int(64, false),
        "u128" | "Balance" => int(128, false),
        "i8" => int(8, true),
        "i16" => int(16, true),
        "i32" => int(32, true),
        "i64" => int(64, true),
        "i128" => int(128, true),
        "bool" => Ty::Bool,
        "String" => Ty::Str,
        "AccountId" => Ty::Account,
        "Hash" => Ty::Hash,
        "Error" => Ty::SdkError,
        "()" => Ty::Unit,
        _ => {
            if let Some(list) = text.strip_prefix('(').and_then(|t| t.strip_suffix(')')) {
                Ty::Tuple(
                    split_top(list)
                        .into_iter()
                        .map(inner)
                        .collect::<anyhow::Result<_>>()?,
                )
            } else if let Some(body) = text.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
                let (elem, len) = body
                    .rsplit_once(';')
                    .ok_or_else(|| anyhow::anyhow!("`{text}`: expected [T; N]"))?;
                let len = len
                    .parse::<usize>()
                    .map_err(|_| anyhow::anyhow!("`{text}`: the length is not a number"))?;
                Ty::Array(Box::new(inner(elem)?), len)
            } else if let Some(args) = generic(text, "Vec") {
                Ty::Vec(Box::new(inner(args)?))
            } else if let Some(args) = generic(text, "Option") {
                Ty::Option(Box::new(inner(args)?))
            } else if let Some(args) = generic(text, "Result") {
                match split_top(args).as_slice() {
                    [ok, err] => Ty::Result(Box::new(inner(ok)?), Box::new(inner(err)?)),
                    _ => anyhow::bail!("`{text}`: expected Result<T, E>"),
                }
            } else {
                Ty::Opaque(text.to_string())
            }
        }
    })
}

/// `ARGS` of `NAME<ARGS>`.
fn generic<'a>(text: &'a str, name: &str) -> Option<&'a str> {
    text.strip_prefix(name)?
        .strip_prefix('<')?
        .strip_suffix('>')
}

/// Splits at the commas outside brackets; a trailing comma adds nothing.
fn split_top(list: &str) -> Vec<&str> {
    let (mut parts, mut depth, mut start) = (Vec::new(), 0i32, 0);
    for (i, c) in list.char_indices() {
        match c {
            '<' | '(' | '[' => depth += 1,
            '>' | ')' | ']' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&list[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if start < list.len() {
        parts.push(&list[start..]);
    }
    parts
}

/// Reads an ABI from `path`: JSON, or a `.wasm` with a `ghost-abi` section.
pub fn load_abi(path: &std::path::Path) -> anyhow::Result<Abi> {
    let bytes =
        std::fs::read(path).map_err(|e| anyhow::anyhow!("reading {}: {e}", path.display()))?;
    let json = if bytes.starts_with(WASM_MAGIC) {
        split_abi(&bytes)
            .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?
            .1
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "{} has no ghost-abi section (was it built with the SDK's contract!?)",
                    path.display()
                )
            })?
    } else {
        bytes
    };
    parse_abi(&json).map_err(|e| e.context(format!("the ABI in {}", path.display())))
}

/// Parses an ABI's JSON.
pub fn parse_abi(json: &[u8]) -> anyhow::Result<Abi> {
    let abi: Abi = serde_json::from_slice(json).map_err(|e| anyhow::anyhow!("{e}"))?;
    if abi.version != 1 {
        anyhow::bail!("ABI version {} (this ghost reads version 1)", abi.version);
    }
    Ok(abi)
}

impl Abi {
    /// The method `name`, or an error listing the methods there are.
    pub fn method(&self, name: &str) -> anyhow::Result<&Method> {
        self.methods.iter().find(|m| m.name == name).ok_or_else(|| {
            let names: Vec<&str> = self.methods.iter().map(|m| m.name.as_str()).collect();
            anyhow::anyhow!(
                "the contract has no method `{name}` (its methods: {})",
                names.join(", ")
            )
        })
    }

    /// `error`'s revert output in words: `Enum::Variant(fields…)`; `None` if it does not decode
    /// as the ABI's error enum.
    pub fn revert_text(&self, output: &[u8]) -> Option<String> {
        let errors = self.errors.as_ref()?;
        let (&index, mut rest) = output.split_first()?;
        let variant = errors.variants.get(usize::from(index))?;
        let mut fields = Vec::new();
        for ty in &variant.fields {
            let value = Ty::parse(ty).ok()?.decode(&mut rest, 0).ok()?;
            fields.push(value_text(&value));
        }
        if !rest.is_empty() {
            return None;
        }
        Some(if fields.is_empty() {
            format!("{}::{}", errors.name, variant.name)
        } else {
            format!("{}::{}({})", errors.name, variant.name, fields.join(", "))
        })
    }

    /// The event with first topic `topic`, decoded from `data` as an object of its fields.
    pub fn decode_event(&self, topics: &[Hash], data: &[u8]) -> Option<Value> {
        let first = topics.first()?;
        let event = self
            .events
            .iter()
            .find(|e| blake3_256(e.name.as_bytes()) == *first)?;
        let mut rest = data;
        let mut fields = Map::new();
        for field in &event.fields {
            let value = Ty::parse(&field.ty).ok()?.decode(&mut rest, 0).ok()?;
            fields.insert(field.name.clone(), value);
        }
        rest.is_empty().then(|| {
            let mut object = Map::new();
            object.insert(event.name.clone(), Value::Object(fields));
            Value::Object(object)
        })
    }
}

/// A decoded value as one line of text (strings without their JSON quotes).
pub fn value_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Encodes `args` (a JSON array: positional; a JSON object: by name) as the SCALE tuple of
/// `params`, checking the count, the names and every value against its type.
pub fn encode_with(params: &[Param], args: Option<&str>) -> anyhow::Result<Vec<u8>> {
    let args: Value = match args {
        Some(text) => serde_json::from_str(text).map_err(|e| {
            anyhow::anyhow!("expected a JSON array (positional) or object (by name): {e}")
        })?,
        None => Value::Array(Vec::new()),
    };
    let expected = || {
        let list: Vec<String> = params
            .iter()
            .map(|p| format!("{}: {}", p.name, p.ty))
            .collect();
        format!("({})", list.join(", "))
    };
    let values: Vec<&Value> = match &args {
        Value::Array(items) => {
            if items.len() != params.len() {
                anyhow::bail!(
                    "{} arguments given, {} expected {}",
                    items.len(),
                    params.len(),
                    expected()
                );
            }
            items.iter().collect()
        }
        Value::Object(named) => {
            if let Some(unknown) = named.keys().find(|k| !params.iter().any(|p| &p.name == *k)) {
                anyhow::bail!("no argument `{unknown}`: expected {}", expected());
            }
            params
                .iter()
                .map(|p| {
                    named.get(&p.name).ok_or_else(|| {
                        anyhow::anyhow!("argument `{}` missing: expected {}", p.name, expected())
                    })
                })
                .collect::<anyhow::Result<_>>()?
        }
        other => anyhow::bail!("expected a JSON array or object of arguments, found {other}"),
    };
    let mut out = Vec::new();
    for (param, value) in params.iter().zip(values) {
        Ty::parse(&param.ty)
            .and_then(|ty| ty.encode(value, &mut out))
            .map_err(|e| e.context(format!("argument `{}: {}`", param.name, param.ty)))?;
    }
    Ok(out)
}

/// A decimal integer from a JSON number or string.
fn integer_text(value: &Value) -> anyhow::Result<String> {
    match value {
        Value::Number(n) if n.is_u64() || n.is_i64() => Ok(n.to_string()),
        Value::String(s) => Ok(s.clone()),
        other => anyhow::bail!("expected an integer (a number or a decimal string), found {other}"),
    }
}

impl Ty {
    /// SCALE-encodes `value` as this type onto `out` (as deep as the type, which [`Ty::parse`]
    /// bounds, whatever the value).
    pub fn encode(&self, value: &Value, out: &mut Vec<u8>) -> anyhow::Result<()> {
        let hex = |value: &Value| -> anyhow::Result<Option<Vec<u8>>> {
            match value {
                Value::String(s) if s.starts_with("0x") => Ok(Some(decode_hex(s)?)),
                _ => Ok(None),
            }
        };
        match self {
            Ty::Int { bits, signed } => {
                let text = integer_text(value)?;
                let digits = text.strip_prefix('-').unwrap_or(&text);
                if *bits == 128 && !signed && !digits.bytes().all(|b| b.is_ascii_digit()) {
                    // `Balance` also takes an amount such as `1.5GHOST`.
                    out.extend(parse_amount(&text)?.encode());
                    return Ok(());
                }
                let range = || {
                    anyhow::anyhow!(
                        "`{text}` is not an {}{bits}",
                        if *signed { "i" } else { "u" }
                    )
                };
                let n = text.parse::<i128>().ok();
                let u = text.parse::<u128>().ok();
                match (bits, signed) {
                    (8, false) => out.extend(u8::try_from(u.ok_or_else(range)?)?.encode()),
                    (16, false) => out.extend(u16::try_from(u.ok_or_else(range)?)?.encode()),
                    (32, false) => out.extend(u32::try_from(u.ok_or_else(range)?)?.encode()),
                    (64, false) => out.extend(u64::try_from(u.ok_or_else(range)?)?.encode()),
                    (128, false) => out.extend(u.ok_or_else(range)?.encode()),
                    (8, true) => out.extend(i8::try_from(n.ok_or_else(range)?)?.encode()),
                    (16, true) => out.extend(i16::try_from(n.ok_or_else(range)?)?.encode()),
                    (32, true) => out.extend(i32::try_from(n.ok_or_else(range)?)?.encode()),
                    (64, true) => out.extend(i64::try_from(n.ok_or_else(range)?)?.encode()),
                    _ => out.extend(n.ok_or_else(range)?.encode()),
                }
            }
            Ty::Bool => match value {
                Value::Bool(b) => out.extend(b.encode()),
                other => anyhow::bail!("expected true or false, found {other}"),
            },
            Ty::Str => match value {
                Value::String(s) => out.extend(s.encode()),
                other => anyhow::bail!("expected a string, found {other}"),
            },
            Ty::Account => match value {
                Value::String(s) => out.extend(s.parse::<AccountId>()?.encode()),
                other => anyhow::bail!("expected a ghost1… address, found {other}"),
            },
            Ty::Hash => match value {
                Value::String(s) => out.extend(s.parse::<Hash>()?.encode()),
                other => anyhow::bail!("expected 0x and 64 hex digits, found {other}"),
            },
            Ty::SdkError => match value {
                Value::String(s) => {
                    let (index, _) = SDK_ERRORS
                        .iter()
                        .find(|(_, name)| name == s)
                        .ok_or_else(|| anyhow::anyhow!("`{s}` is not an SDK Error variant"))?;
                    out.push(*index);
                }
                other => anyhow::bail!("expected an SDK Error variant's name, found {other}"),
            },
            Ty::Unit => match value {
                Value::Null => {}
                other => anyhow::bail!("expected null for (), found {other}"),
            },
            Ty::Tuple(items) => match value {
                Value::Array(values) if values.len() == items.len() => {
                    for (ty, v) in items.iter().zip(values) {
                        ty.encode(v, out)?;
                    }
                }
                other => {
                    anyhow::bail!("expected an array of {} values, found {other}", items.len())
                }
            },
            Ty::Array(elem, len) => {
                if **elem == BYTE
                    && let Some(bytes) = hex(value)?
                {
                    if bytes.len() != *len {
                        anyhow::bail!("expected {len} bytes, found {}", bytes.len());
                    }
                    out.extend(bytes);
                    return Ok(());
                }
                match value {
                    Value::Array(values) if values.len() == *len => {
                        for v in values {
                            elem.encode(v, out)?;
                        }
                    }
                    other => anyhow::bail!("expected an array of {len} values, found {other}"),
                }
            }
            Ty::Vec(elem) => {
                if **elem == BYTE
                    && let Some(bytes) = hex(value)?
                {
                    out.extend(bytes.encode());
                    return Ok(());
                }
                match value {
                    Value::Array(values) => {
                        let len = u32::try_from(values.len())?;
                        out.extend(Compact(len).encode());
                        for v in values {
                            elem.encode(v, out)?;
                        }
                    }
                    other => anyhow::bail!("expected an array, found {other}"),
                }
            }
            Ty::Option(inner) => match value {
                Value::Null => out.push(0),
                v => {
                    out.push(1);
                    inner.encode(v, out)?;
                }
            },
            Ty::Result(ok, err) => match value {
                Value::Object(map) if map.len() == 1 && map.contains_key("Ok") => {
                    out.push(0);
                    ok.encode(&map["Ok"], out)?;
                }
                Value::Object(map) if map.len() == 1 && map.contains_key("Err") => {
                    out.push(1);
                    err.encode(&map["Err"], out)?;
                }
                other => anyhow::bail!("expected {{\"Ok\": …}} or {{\"Err\": …}}, found {other}"),
            },
            Ty::Opaque(name) => match hex(value)? {
                Some(bytes) => out.extend(bytes),
                None => anyhow::bail!(
                    "`{name}` is the contract's own type: pass its SCALE encoding as a \"0x…\" \
                     string"
                ),
            },
        }
        Ok(())
    }

    /// Decodes a value of this type from `input`, advancing it.
    pub fn decode(&self, input: &mut &[u8], depth: usize) -> anyhow::Result<Value> {
        if depth > MAX_TYPE_DEPTH {
            anyhow::bail!("value nested more than {MAX_TYPE_DEPTH} deep");
        }
        let short = |_| anyhow::anyhow!("the output ends early or does not decode");
        Ok(match self {
            Ty::Int { bits, signed } => {
                let text = match (bits, signed) {
                    (8, false) => u8::decode(input).map_err(short)?.to_string(),
                    (16, false) => u16::decode(input).map_err(short)?.to_string(),
                    (32, false) => u32::decode(input).map_err(short)?.to_string(),
                    (64, false) => u64::decode(input).map_err(short)?.to_string(),
                    (128, false) => u128::decode(input).map_err(short)?.to_string(),
                    (8, true) => i8::decode(input).map_err(short)?.to_string(),
                    (16, true) => i16::decode(input).map_err(short)?.to_string(),
                    (32, true) => i32::decode(input).map_err(short)?.to_string(),
                    (64, true) => i64::decode(input).map_err(short)?.to_string(),
                    _ => i128::decode(input).map_err(short)?.to_string(),
                };
                // Up to 64 bits as a JSON number, wider as a decimal string (JSON readers
                // lose precision past 2^53 anyway, but u64 is what contracts count with).
                if *bits <= 64 {
                    serde_json::from_str(&text)?
                } else {
                    Value::String(text)
                }
            }
            Ty::Bool => Value::Bool(bool::decode(input).map_err(short)?),
            Ty::Str => Value::String(String::decode(input).map_err(short)?),
            Ty::Account => Value::String(AccountId::decode(input).map_err(short)?.to_string()),
            Ty::Hash => Value::String(Hash::decode(input).map_err(short)?.to_string()),
            Ty::SdkError => {
                let index = u8::decode(input).map_err(short)?;
                let name = SDK_ERRORS
                    .iter()
                    .find(|(i, _)| *i == index)
                    .map_or("Unknown", |(_, name)| name);
                Value::String(name.to_string())
            }
            Ty::Unit => Value::Null,
            Ty::Tuple(items) => Value::Array(
                items
                    .iter()
                    .map(|ty| ty.decode(input, depth + 1))
                    .collect::<anyhow::Result<_>>()?,
            ),
            Ty::Array(elem, len) => self.decode_seq(elem, *len, input, depth)?,
            Ty::Vec(elem) => {
                let len = Compact::<u32>::decode(input).map_err(short)?.0 as usize;
                self.decode_seq(elem, len, input, depth)?
            }
            Ty::Option(inner) => match u8::decode(input).map_err(short)? {
                0 => Value::Null,
                1 => inner.decode(input, depth + 1)?,
                other => anyhow::bail!("Option tag {other}"),
            },
            Ty::Result(ok, err) => {
                let (key, ty) = match u8::decode(input).map_err(short)? {
                    0 => ("Ok", ok),
                    1 => ("Err", err),
                    other => anyhow::bail!("Result tag {other}"),
                };
                let mut map = Map::new();
                map.insert(key.to_string(), ty.decode(input, depth + 1)?);
                Value::Object(map)
            }
            Ty::Opaque(name) => anyhow::bail!("`{name}` is the contract's own type"),
        })
    }

    /// `len` elements of `elem`; bytes as one `0x…` string. Every element needs at least one
    /// byte of input except `()`, so a length past the input's is refused before anything is
    /// allocated.
    fn decode_seq(
        &self,
        elem: &Ty,
        len: usize,
        input: &mut &[u8],
        depth: usize,
    ) -> anyhow::Result<Value> {
        if *elem == BYTE {
            if input.len() < len {
                anyhow::bail!("the output ends early");
            }
            let (bytes, rest) = input.split_at(len);
            *input = rest;
            return Ok(Value::String(encode_hex(bytes)));
        }
        if *elem == Ty::Unit || len > input.len() {
            anyhow::bail!("a sequence of {len} elements in {} bytes", input.len());
        }
        let mut items = Vec::with_capacity(len);
        for _ in 0..len {
            items.push(elem.decode(input, depth + 1)?);
        }
        Ok(Value::Array(items))
    }
}

/// `output` decoded as `ty` (all of it), `None` if the type is undeclared, opaque or does not
/// match.
pub fn decode_output(ty: Option<&str>, output: &[u8]) -> Option<Value> {
    let ty = Ty::parse(ty?).ok()?;
    let mut rest = output;
    let value = ty.decode(&mut rest, 0).ok()?;
    rest.is_empty().then_some(value)
}
