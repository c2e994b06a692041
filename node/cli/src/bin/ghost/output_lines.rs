//! The `key: value` form of a report, derived from its `Serialize` impl: one line per field,
//! in declaration order (flattened fields included), strings as they are, numbers and booleans
//! as written in JSON, `null` fields left out, and nested values as compact JSON.
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
        if let Some(text) = text(value)? {
            self.lines = std::mem::take(&mut self.lines).with(key, text);
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
