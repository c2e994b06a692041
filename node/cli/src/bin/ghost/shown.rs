//! How values look to people, and the `serialize_with` field helpers that give one report field
//! its JSON value and its human text from the same `Serialize` impl.
//!
//! A report's `--json` form is its plain `Serialize` output. Its `key: value` lines
//! ([`crate::output_lines`]) come from the same impl run through a serializer that says it is
//! *not* human-readable: a field marked `#[serde(serialize_with = "shown::amount")]` then
//! serializes as the text people read (`5000000000000 (5 GHOST)`) instead of the number, and a
//! list marked `shown::records` as one `record: …` line per record. Nothing else differs between
//! the two forms, so a report needs no hand-written rendering.

use ghost_primitives::{Balance, DnsRecord};
use serde::ser::SerializeSeq;
use serde::{Serialize, Serializer};

use crate::amount::format_ghost;

/// What human output prints for an absent value (an address, a name, a cleared record).
pub const NONE_TEXT: &str = "(none)";

/// A time in ms since the epoch as ISO-8601 UTC: `2023-11-14T22:13:20Z`, with `.mmm` when the
/// milliseconds are not zero. Times past the calendar's range (year 9999) are shown as the raw
/// count.
pub fn iso8601(ms: u64) -> String {
    let nanos = i128::from(ms) * 1_000_000;
    let Ok(t) = time::OffsetDateTime::from_unix_timestamp_nanos(nanos) else {
        return format!("{ms} ms after 1970-01-01T00:00:00Z");
    };
    let fraction = match t.millisecond() {
        0 => String::new(),
        millis => format!(".{millis:03}"),
    };
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{fraction}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// A record as one line: `label TTL TYPE value`.
pub fn record_line(record: &DnsRecord) -> String {
    format!(
        "{} {} {} {}",
        record.label,
        record.ttl,
        record.data.rtype(),
        record.data
    )
}

/// A ms timestamp for people: ISO-8601 and the raw value.
pub fn time_text(ms: u64) -> String {
    format!("{} ({ms})", iso8601(ms))
}

/// Units and GHOST.
pub fn balance_text(units: Balance) -> String {
    format!("{units} ({})", format_ghost(units))
}

/// `value` for JSON, `text()` for people.
fn show<S: Serializer, T: Serialize + ?Sized>(
    serializer: S,
    value: &T,
    text: impl FnOnce() -> String,
) -> Result<S::Ok, S::Error> {
    if serializer.is_human_readable() {
        value.serialize(serializer)
    } else {
        serializer.serialize_str(&text())
    }
}

/// An amount: the number in JSON, units and GHOST for people.
pub fn amount<S: Serializer>(units: &Balance, serializer: S) -> Result<S::Ok, S::Error> {
    show(serializer, units, || balance_text(*units))
}

/// An optional amount (`null` / no line when absent).
pub fn opt_amount<S: Serializer>(
    units: &Option<Balance>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match units {
        Some(units) => amount(units, serializer),
        None => serializer.serialize_none(),
    }
}

/// A time in ms: the number in JSON, ISO-8601 and the number for people.
pub fn time<S: Serializer>(ms: &u64, serializer: S) -> Result<S::Ok, S::Error> {
    show(serializer, ms, || time_text(*ms))
}

/// An optional time in ms (`null` / no line when absent).
pub fn opt_time<S: Serializer>(ms: &Option<u64>, serializer: S) -> Result<S::Ok, S::Error> {
    match ms {
        Some(ms) => time(ms, serializer),
        None => serializer.serialize_none(),
    }
}

/// A record: its JSON object, or one `label TTL TYPE value` line.
pub fn record<S: Serializer>(record: &DnsRecord, serializer: S) -> Result<S::Ok, S::Error> {
    show(serializer, record, || record_line(record))
}

/// Records: the JSON list, or one line each (none: [`NONE_TEXT`]).
pub fn records<S: Serializer>(records: &[DnsRecord], serializer: S) -> Result<S::Ok, S::Error> {
    if serializer.is_human_readable() {
        return records.serialize(serializer);
    }
    if records.is_empty() {
        return serializer.serialize_str(NONE_TEXT);
    }
    let mut seq = serializer.serialize_seq(Some(records.len()))?;
    for record in records {
        seq.serialize_element(&record_line(record))?;
    }
    seq.end()
}

/// An optional value that people should see as absent: `null` in JSON, [`NONE_TEXT`] for people.
pub fn or_none<S: Serializer, T: Serialize>(
    value: &Option<T>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(value) => value.serialize(serializer),
        None if serializer.is_human_readable() => serializer.serialize_none(),
        None => serializer.serialize_str(NONE_TEXT),
    }
}
