//! The `key: value` form of a report, derived from its `Serialize` impl: one line per field,
//! in declaration order (flattened fields included), strings as they are, numbers and booleans
//! as written in JSON, `null` fields left out, and nested values as compact JSON.
//!
//! Each field is first serialized as *not human-readable*, which is how the helpers of
//! [`crate::shown`] give it a text for people (an amount in GHOST, a time as a date): a string
//! is that line, and a list of strings one line per element under the field's key. Anything
//! else falls back to the field's JSON.
//!
//! Only a struct or map (a report) can be rendered; anything else is an error.

use serde::Serialize;
use serde::ser::{self, Impossible, SerializeMap, SerializeStruct};

use crate::output::Lines;

/// Why a value cannot be shown as lines.
#[derive(Debug)]
pub struct NotAReport(String);

impl std::fmt::Display for NotAReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for NotAReport {}

impl ser::Error for NotAReport {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        NotAReport(msg.to_string())
    }
}

/// The lines of `report`.
pub fn lines_of(report: &(impl Serialize + ?Sized)) -> Result<Lines, NotAReport> {
    report.serialize(Collector::default())
}

/// One field's lines (their values): what it shows as (see the module doc), else its JSON.
fn texts(value: &(impl Serialize + ?Sized)) -> Result<Vec<String>, NotAReport> {
    match value.serialize(Probe) {
        Ok(Shown::One(text)) => Ok(vec![text]),
        Ok(Shown::Many(texts)) => Ok(texts),
        Ok(Shown::Nothing) => Ok(Vec::new()),
        Err(NotShown) => Ok(text(value)?.into_iter().collect()),
    }
}

/// One field's text: `None` for `null`.
fn text(value: &(impl Serialize + ?Sized)) -> Result<Option<String>, NotAReport> {
    let json = serde_json::to_string(value).map_err(|e| NotAReport(e.to_string()))?;
    Ok(match json.as_str() {
        "null" => None,
        s if s.starts_with('"') => {
            Some(serde_json::from_str(s).map_err(|e| NotAReport(e.to_string()))?)
        }
        _ => Some(json),
    })
}

/// Collects the fields of a struct or the entries of a map (`#[serde(flatten)]`).
#[derive(Default)]
struct Collector {
    lines: Lines,
    key: Option<String>,
}

impl Collector {
    fn push(&mut self, key: String, value: &(impl Serialize + ?Sized)) -> Result<(), NotAReport> {
        for text in texts(value)? {
            self.lines = std::mem::take(&mut self.lines).with(key.clone(), text);
        }
        Ok(())
    }
}

impl SerializeStruct for Collector {
    type Ok = Lines;
    type Error = NotAReport;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), NotAReport> {
        self.push(key.to_owned(), value)
    }

    fn end(self) -> Result<Lines, NotAReport> {
        Ok(self.lines)
    }
}

impl SerializeMap for Collector {
    type Ok = Lines;
    type Error = NotAReport;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), NotAReport> {
        self.key = text(key)?;
        Ok(())
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), NotAReport> {
        let key = self
            .key
            .take()
            .ok_or_else(|| NotAReport("a map value without a key".into()))?;
        self.push(key, value)
    }

    fn end(self) -> Result<Lines, NotAReport> {
        Ok(self.lines)
    }
}

fn not_a_report<T>(what: &str) -> Result<T, NotAReport> {
    Err(NotAReport(format!(
        "a report must be a struct or a map, not {what}"
    )))
}

impl ser::Serializer for Collector {
    type Ok = Lines;
    type Error = NotAReport;
    type SerializeSeq = Impossible<Lines, NotAReport>;
    type SerializeTuple = Impossible<Lines, NotAReport>;
    type SerializeTupleStruct = Impossible<Lines, NotAReport>;
    type SerializeTupleVariant = Impossible<Lines, NotAReport>;
    type SerializeMap = Self;
    type SerializeStruct = Self;
    type SerializeStructVariant = Impossible<Lines, NotAReport>;

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self, NotAReport> {
        Ok(self)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self, NotAReport> {
        Ok(self)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<Lines, NotAReport> {
        value.serialize(self)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Lines, NotAReport> {
        value.serialize(self)
    }
    fn serialize_bool(self, _: bool) -> Result<Lines, NotAReport> {
        not_a_report("a boolean")
    }
    fn serialize_i8(self, _: i8) -> Result<Lines, NotAReport> {
        not_a_report("a number")
    }
    fn serialize_i16(self, _: i16) -> Result<Lines, NotAReport> {
        not_a_report("a number")
    }
    fn serialize_i32(self, _: i32) -> Result<Lines, NotAReport> {
        not_a_report("a number")
    }
    fn serialize_i64(self, _: i64) -> Result<Lines, NotAReport> {
        not_a_report("a number")
    }
    fn serialize_u8(self, _: u8) -> Result<Lines, NotAReport> {
        not_a_report("a number")
    }
    fn serialize_u16(self, _: u16) -> Result<Lines, NotAReport> {
        not_a_report("a number")
    }
    fn serialize_u32(self, _: u32) -> Result<Lines, NotAReport> {
        not_a_report("a number")
    }
    fn serialize_u64(self, _: u64) -> Result<Lines, NotAReport> {
        not_a_report("a number")
    }
    fn serialize_f32(self, _: f32) -> Result<Lines, NotAReport> {
        not_a_report("a number")
    }
    fn serialize_f64(self, _: f64) -> Result<Lines, NotAReport> {
        not_a_report("a number")
    }
    fn serialize_char(self, _: char) -> Result<Lines, NotAReport> {
        not_a_report("a character")
    }
    fn serialize_str(self, _: &str) -> Result<Lines, NotAReport> {
        not_a_report("a string")
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<Lines, NotAReport> {
        not_a_report("bytes")
    }
    fn serialize_none(self) -> Result<Lines, NotAReport> {
        Ok(Lines::new())
    }
    fn serialize_unit(self) -> Result<Lines, NotAReport> {
        Ok(Lines::new())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<Lines, NotAReport> {
        Ok(Lines::new())
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
    ) -> Result<Lines, NotAReport> {
        not_a_report("an enum variant")
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<Lines, NotAReport> {
        not_a_report("an enum variant")
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, NotAReport> {
        not_a_report("a list")
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, NotAReport> {
        not_a_report("a tuple")
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, NotAReport> {
        not_a_report("a tuple")
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, NotAReport> {
        not_a_report("an enum variant")
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, NotAReport> {
        not_a_report("an enum variant")
    }
}

/// What a field shows as to people, when it says (see the module doc).
enum Shown {
    /// One line.
    One(String),
    /// One line per element.
    Many(Vec<String>),
    /// No line (`null`).
    Nothing,
}

/// The field is not shown as text: use its JSON.
#[derive(Debug)]
struct NotShown;

impl std::fmt::Display for NotShown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("not shown as text")
    }
}

impl std::error::Error for NotShown {}

impl ser::Error for NotShown {
    fn custom<T: std::fmt::Display>(_: T) -> Self {
        NotShown
    }
}

/// Serializes a field as not human-readable and accepts only text, lists of text and null.
struct Probe;

/// The elements of a list of text.
struct ProbeSeq(Vec<String>);

impl ser::SerializeSeq for ProbeSeq {
    type Ok = Shown;
    type Error = NotShown;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), NotShown> {
        match value.serialize(Probe)? {
            Shown::One(text) => {
                self.0.push(text);
                Ok(())
            }
            _ => Err(NotShown),
        }
    }

    fn end(self) -> Result<Shown, NotShown> {
        Ok(Shown::Many(self.0))
    }
}

macro_rules! not_shown {
    ($($method:ident($($ty:ty),*)),* $(,)?) => {
        $(fn $method(self, $(_: $ty),*) -> Result<Shown, NotShown> {
            Err(NotShown)
        })*
    };
}

impl ser::Serializer for Probe {
    type Ok = Shown;
    type Error = NotShown;
    type SerializeSeq = ProbeSeq;
    type SerializeTuple = Impossible<Shown, NotShown>;
    type SerializeTupleStruct = Impossible<Shown, NotShown>;
    type SerializeTupleVariant = Impossible<Shown, NotShown>;
    type SerializeMap = Impossible<Shown, NotShown>;
    type SerializeStruct = Impossible<Shown, NotShown>;
    type SerializeStructVariant = Impossible<Shown, NotShown>;

    fn is_human_readable(&self) -> bool {
        false
    }
    fn serialize_str(self, text: &str) -> Result<Shown, NotShown> {
        Ok(Shown::One(text.to_owned()))
    }
    fn serialize_none(self) -> Result<Shown, NotShown> {
        Ok(Shown::Nothing)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Shown, NotShown> {
        value.serialize(self)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<Shown, NotShown> {
        value.serialize(self)
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<ProbeSeq, NotShown> {
        Ok(ProbeSeq(Vec::with_capacity(len.unwrap_or(0))))
    }
    not_shown!(
        serialize_bool(bool),
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_u128(u128),
        serialize_f32(f32),
        serialize_f64(f64),
        serialize_char(char),
        serialize_bytes(&[u8]),
        serialize_unit(),
        serialize_unit_struct(&'static str),
        serialize_unit_variant(&'static str, u32, &'static str),
    );
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<Shown, NotShown> {
        Err(NotShown)
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, NotShown> {
        Err(NotShown)
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, NotShown> {
        Err(NotShown)
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, NotShown> {
        Err(NotShown)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, NotShown> {
        Err(NotShown)
    }
    fn serialize_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStruct, NotShown> {
        Err(NotShown)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, NotShown> {
        Err(NotShown)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Inner {
        block_number: Option<u64>,
        hash: &'static str,
    }

    #[derive(Serialize)]
    struct Report {
        name: &'static str,
        units: u128,
        ok: bool,
        missing: Option<u8>,
        list: Vec<u8>,
        #[serde(flatten)]
        inner: Inner,
    }

    #[test]
    fn fields_in_order_nulls_left_out_flatten_followed() {
        let report = Report {
            name: "alice.ghost",
            units: u128::MAX,
            ok: true,
            missing: None,
            list: vec![1, 2],
            inner: Inner {
                block_number: Some(7),
                hash: "0xab",
            },
        };
        let out = Lines::new()
            .with("name", "alice.ghost")
            .with("units", u128::MAX)
            .with("ok", true)
            .with("list", "[1,2]")
            .with("block_number", 7)
            .with("hash", "0xab");
        assert_eq!(lines_of(&report).unwrap(), out);
        assert!(lines_of(&5u8).is_err());
        assert!(lines_of(&"text").is_err());
    }
}
