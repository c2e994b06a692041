//! Typed DNS and web3 records of a name.
//!
//! A [`DnsRecord`] has an owner-chosen relative [`RecordLabel`] (`@` for the name itself,
//! `www`, `_sip._tcp`, ...), a TTL and typed [`RecordData`]. Several records of one type at one
//! label form a round-robin set. Values are validated when built or decoded: addresses are
//! addresses by construction, hostnames follow the LDH rules, TXT strings are at most 255 bytes.
//!
//! Records have a text form for people and RPC (`A=10.0.0.1`, `MX=10 mail.example.com`,
//! `SRV=10 5 5060 sip.example.com`, `TXT=hello`, `CAA=0 issue letsencrypt.org`,
//! `TLSA=3 1 1 <hex>`), parsed by [`RecordData::parse`] and printed by `Display`.

use core::fmt;
use core::str::FromStr;
use std::collections::BTreeMap;
use std::net::{Ipv4Addr, Ipv6Addr};

use parity_scale_codec::{Decode, Encode, Error as CodecError, Input};

use crate::names::{NameError, check_hostname};

/// The largest TXT character-string.
pub const MAX_TXT_STRING: usize = 255;

/// Why a record is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    /// Unknown record type.
    #[error("unknown record type `{0}` (A, AAAA, CNAME, TXT, MX, NS, SRV, CAA, TLSA)")]
    UnknownType(String),
    /// The value does not parse for its type.
    #[error("invalid {rtype} value `{value}`: {reason}")]
    InvalidValue {
        /// The type.
        rtype: RecordType,
        /// The value given.
        value: String,
        /// Why.
        reason: String,
    },
    /// A hostname in the value is invalid.
    #[error("invalid hostname: {0}")]
    Hostname(#[from] NameError),
    /// A label is not `@` or dotted `[a-z0-9-_]` labels.
    #[error("invalid record label `{0}`: use `@` or labels of a-z, 0-9, - and _")]
    Label(String),
    /// A TXT string longer than 255 bytes.
    #[error("TXT string of {0} bytes; each string is at most 255")]
    TxtTooLong(usize),
    /// Missing `TYPE=VALUE`.
    #[error("expected TYPE=VALUE, got `{0}`")]
    Syntax(String),
}

/// DNS record types the chain stores.
#[derive(
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Debug,
    Encode,
    Decode,
    serde::Serialize,
    serde::Deserialize,
)]
#[allow(clippy::upper_case_acronyms)]
pub enum RecordType {
    /// IPv4 address.
    A,
    /// IPv6 address.
    AAAA,
    /// Alias.
    CNAME,
    /// Text.
    TXT,
    /// Mail exchange.
    MX,
    /// Name server.
    NS,
    /// Service locator.
    SRV,
    /// Certification authority authorization.
    CAA,
    /// TLS certificate association.
    TLSA,
}

impl RecordType {
    /// Every type.
    pub const ALL: [RecordType; 9] = [
        RecordType::A,
        RecordType::AAAA,
        RecordType::CNAME,
        RecordType::TXT,
        RecordType::MX,
        RecordType::NS,
        RecordType::SRV,
        RecordType::CAA,
        RecordType::TLSA,
    ];

    /// The type's name.
    pub fn as_str(&self) -> &'static str {
        match self {
            RecordType::A => "A",
            RecordType::AAAA => "AAAA",
            RecordType::CNAME => "CNAME",
            RecordType::TXT => "TXT",
            RecordType::MX => "MX",
            RecordType::NS => "NS",
            RecordType::SRV => "SRV",
            RecordType::CAA => "CAA",
            RecordType::TLSA => "TLSA",
        }
    }
}

impl fmt::Display for RecordType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RecordType {
    type Err = RecordError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RecordType::ALL
            .into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| RecordError::UnknownType(s.into()))
    }
}

/// A hostname inside a record value (CNAME, MX, NS and SRV targets): LDH labels, any TLD,
/// lowercase, no trailing dot.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct Hostname(String);

impl Hostname {
    /// Parses a hostname (a trailing dot is dropped, letters are lowercased).
    pub fn parse(s: &str) -> Result<Hostname, NameError> {
        let s = s.strip_suffix('.').unwrap_or(s).to_ascii_lowercase();
        check_hostname(&s)?;
        Ok(Hostname(s))
    }

    /// The hostname as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Hostname {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Encode for Hostname {
    fn size_hint(&self) -> usize {
        self.0.size_hint()
    }
    fn encode_to<T: parity_scale_codec::Output + ?Sized>(&self, dest: &mut T) {
        self.0.encode_to(dest)
    }
}

impl parity_scale_codec::EncodeLike for Hostname {}

impl Decode for Hostname {
    fn decode<I: Input>(input: &mut I) -> Result<Self, CodecError> {
        let s = decode_bounded_string(input, crate::names::MAX_NAME_LEN)?;
        if s != s.to_ascii_lowercase() || s.ends_with('.') {
            return Err("hostname is not canonical".into());
        }
        Hostname::parse(&s).map_err(|_| CodecError::from("invalid hostname"))
    }
}

fn decode_bounded_string<I: Input>(input: &mut I, max: usize) -> Result<String, CodecError> {
    let len = parity_scale_codec::Compact::<u32>::decode(input)?.0 as usize;
    if len > max {
        return Err("string too long".into());
    }
    let mut bytes = vec![0u8; len];
    input.read(&mut bytes)?;
    String::from_utf8(bytes).map_err(|_| "string is not UTF-8".into())
}

/// Where under a name a record lives: `@` (the name itself) or a relative name such as `www`
/// or `_sip._tcp` (labels of `[a-z0-9-_]`, 1-63 bytes each).
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct RecordLabel(String);

impl RecordLabel {
    /// The apex, `@`.
    pub fn apex() -> RecordLabel {
        RecordLabel("@".into())
    }

    /// Parses a label (lowercased).
    pub fn parse(s: &str) -> Result<RecordLabel, RecordError> {
        let s = s.to_ascii_lowercase();
        if s == "@" || s.is_empty() {
            return Ok(RecordLabel::apex());
        }
        let valid = s.len() <= crate::names::MAX_NAME_LEN
            && s.split('.').all(|l| {
                !l.is_empty()
                    && l.len() <= crate::names::MAX_LABEL_LEN
                    && l.bytes().all(|b| {
                        b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_'
                    })
                    && !l.starts_with('-')
                    && !l.ends_with('-')
            });
        if !valid {
            return Err(RecordError::Label(s));
        }
        Ok(RecordLabel(s))
    }

    /// Whether this is `@`.
    pub fn is_apex(&self) -> bool {
        self.0 == "@"
    }

    /// The label as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The absolute name of this label under `name` (`www` under `alice.ghost` is
    /// `www.alice.ghost`; `@` is `alice.ghost`).
    pub fn under(&self, name: &str) -> String {
        if self.is_apex() {
            name.to_string()
        } else {
            format!("{}.{name}", self.0)
        }
    }
}

impl fmt::Display for RecordLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Encode for RecordLabel {
    fn size_hint(&self) -> usize {
        self.0.size_hint()
    }
    fn encode_to<T: parity_scale_codec::Output + ?Sized>(&self, dest: &mut T) {
        self.0.encode_to(dest)
    }
}

impl parity_scale_codec::EncodeLike for RecordLabel {}

impl serde::Serialize for RecordLabel {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for RecordLabel {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        RecordLabel::parse(&s).map_err(serde::de::Error::custom)
    }
}

impl Decode for RecordLabel {
    fn decode<I: Input>(input: &mut I) -> Result<Self, CodecError> {
        let s = decode_bounded_string(input, crate::names::MAX_NAME_LEN)?;
        let label = RecordLabel::parse(&s).map_err(|_| CodecError::from("invalid record label"))?;
        if label.0 != s {
            return Err("record label is not canonical".into());
        }
        Ok(label)
    }
}

/// A record's typed value.
#[allow(clippy::upper_case_acronyms)]
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Encode)]
pub enum RecordData {
    /// IPv4 address.
    A([u8; 4]),
    /// IPv6 address.
    AAAA([u8; 16]),
    /// Alias target.
    CNAME(Hostname),
    /// Character-strings, each at most 255 bytes.
    TXT(Vec<Vec<u8>>),
    /// Mail exchange.
    MX {
        /// Lower is preferred.
        preference: u16,
        /// The mail host.
        exchange: Hostname,
    },
    /// Name server.
    NS(Hostname),
    /// Service locator.
    SRV {
        /// Lower is preferred.
        priority: u16,
        /// Share among equal priorities.
        weight: u16,
        /// Port.
        port: u16,
        /// Target host.
        target: Hostname,
    },
    /// Certification authority authorization.
    CAA {
        /// Flags (128 = critical).
        flags: u8,
        /// `issue`, `issuewild` or `iodef`.
        tag: String,
        /// The value.
        value: Vec<u8>,
    },
    /// TLS certificate association.
    TLSA {
        /// Certificate usage.
        usage: u8,
        /// Selector.
        selector: u8,
        /// Matching type.
        matching_type: u8,
        /// Association data.
        data: Vec<u8>,
    },
}

impl Decode for RecordData {
    fn decode<I: Input>(input: &mut I) -> Result<Self, CodecError> {
        #[derive(Decode)]
        #[allow(clippy::upper_case_acronyms)]
        enum Raw {
            A([u8; 4]),
            AAAA([u8; 16]),
            CNAME(Hostname),
            TXT(Vec<Vec<u8>>),
            MX {
                preference: u16,
                exchange: Hostname,
            },
            NS(Hostname),
            SRV {
                priority: u16,
                weight: u16,
                port: u16,
                target: Hostname,
            },
            CAA {
                flags: u8,
                tag: String,
                value: Vec<u8>,
            },
            TLSA {
                usage: u8,
                selector: u8,
                matching_type: u8,
                data: Vec<u8>,
            },
        }
        let data = match Raw::decode(input)? {
            Raw::A(a) => RecordData::A(a),
            Raw::AAAA(a) => RecordData::AAAA(a),
            Raw::CNAME(h) => RecordData::CNAME(h),
            Raw::TXT(t) => RecordData::TXT(t),
            Raw::MX {
                preference,
                exchange,
            } => RecordData::MX {
                preference,
                exchange,
            },
            Raw::NS(h) => RecordData::NS(h),
            Raw::SRV {
                priority,
                weight,
                port,
                target,
            } => RecordData::SRV {
                priority,
                weight,
                port,
                target,
            },
            Raw::CAA { flags, tag, value } => RecordData::CAA { flags, tag, value },
            Raw::TLSA {
                usage,
                selector,
                matching_type,
                data,
            } => RecordData::TLSA {
                usage,
                selector,
                matching_type,
                data,
            },
        };
        data.validate()
            .map_err(|_| CodecError::from("invalid record value"))?;
        Ok(data)
    }
}

impl RecordData {
    /// The record's type.
    pub fn rtype(&self) -> RecordType {
        match self {
            RecordData::A(_) => RecordType::A,
            RecordData::AAAA(_) => RecordType::AAAA,
            RecordData::CNAME(_) => RecordType::CNAME,
            RecordData::TXT(_) => RecordType::TXT,
            RecordData::MX { .. } => RecordType::MX,
            RecordData::NS(_) => RecordType::NS,
            RecordData::SRV { .. } => RecordType::SRV,
            RecordData::CAA { .. } => RecordType::CAA,
            RecordData::TLSA { .. } => RecordType::TLSA,
        }
    }

    /// Checks value rules that the types alone do not enforce.
    pub fn validate(&self) -> Result<(), RecordError> {
        match self {
            RecordData::TXT(strings) => {
                if let Some(s) = strings.iter().find(|s| s.len() > MAX_TXT_STRING) {
                    return Err(RecordError::TxtTooLong(s.len()));
                }
                if strings.is_empty() {
                    return Err(self.invalid("", "a TXT record needs at least one string"));
                }
                Ok(())
            }
            RecordData::CAA { tag, .. } => {
                if tag.is_empty()
                    || tag.len() > 15
                    || !tag.bytes().all(|b| b.is_ascii_alphanumeric())
                {
                    return Err(self.invalid(tag, "CAA tag must be 1-15 letters or digits"));
                }
                Ok(())
            }
            RecordData::TLSA { data, .. } if data.is_empty() || data.len() > 1024 => {
                Err(self.invalid("", "TLSA data must be 1-1024 bytes"))
            }
            _ => Ok(()),
        }
    }

    fn invalid(&self, value: &str, reason: &str) -> RecordError {
        RecordError::InvalidValue {
            rtype: self.rtype(),
            value: value.into(),
            reason: reason.into(),
        }
    }

    /// The size this value adds to a name's storage (bytes).
    pub fn size(&self) -> usize {
        self.encoded_size()
    }

    /// Parses the text form of a value of type `rtype`.
    pub fn parse(rtype: RecordType, value: &str) -> Result<RecordData, RecordError> {
        let invalid = |reason: &str| RecordError::InvalidValue {
            rtype,
            value: value.into(),
            reason: reason.into(),
        };
        let fields: Vec<&str> = value.split_whitespace().collect();
        let num = |s: &str| {
            s.parse::<u16>()
                .map_err(|_| invalid("expected a number 0-65535"))
        };
        let byte = |s: &str| {
            s.parse::<u8>()
                .map_err(|_| invalid("expected a number 0-255"))
        };
        let data = match rtype {
            RecordType::A => RecordData::A(
                value
                    .trim()
                    .parse::<Ipv4Addr>()
                    .map_err(|_| invalid("not an IPv4 address"))?
                    .octets(),
            ),
            RecordType::AAAA => RecordData::AAAA(
                value
                    .trim()
                    .parse::<Ipv6Addr>()
                    .map_err(|_| invalid("not an IPv6 address"))?
                    .octets(),
            ),
            RecordType::CNAME => RecordData::CNAME(Hostname::parse(value.trim())?),
            RecordType::NS => RecordData::NS(Hostname::parse(value.trim())?),
            RecordType::TXT => RecordData::TXT(
                value
                    .as_bytes()
                    .chunks(MAX_TXT_STRING)
                    .map(<[u8]>::to_vec)
                    .collect::<Vec<_>>(),
            ),
            RecordType::MX => match fields.as_slice() {
                [pref, host] => RecordData::MX {
                    preference: num(pref)?,
                    exchange: Hostname::parse(host)?,
                },
                _ => return Err(invalid("expected `PREFERENCE HOST`")),
            },
            RecordType::SRV => match fields.as_slice() {
                [p, w, port, target] => RecordData::SRV {
                    priority: num(p)?,
                    weight: num(w)?,
                    port: num(port)?,
                    target: Hostname::parse(target)?,
                },
                _ => return Err(invalid("expected `PRIORITY WEIGHT PORT TARGET`")),
            },
            RecordType::CAA => match fields.as_slice() {
                [flags, tag, rest @ ..] if !rest.is_empty() => RecordData::CAA {
                    flags: byte(flags)?,
                    tag: tag.to_string(),
                    value: rest.join(" ").trim_matches('"').as_bytes().to_vec(),
                },
                _ => return Err(invalid("expected `FLAGS TAG VALUE`")),
            },
            RecordType::TLSA => match fields.as_slice() {
                [u, s, m, hex_data] => RecordData::TLSA {
                    usage: byte(u)?,
                    selector: byte(s)?,
                    matching_type: byte(m)?,
                    data: hex::decode(hex_data).map_err(|_| invalid("data must be hex"))?,
                },
                _ => return Err(invalid("expected `USAGE SELECTOR MATCHING-TYPE HEX`")),
            },
        };
        if value.is_empty() && rtype == RecordType::TXT {
            return Err(invalid("empty TXT value"));
        }
        data.validate()?;
        Ok(data)
    }

    /// `TYPE=VALUE` (the form the CLI takes).
    pub fn parse_assignment(s: &str) -> Result<RecordData, RecordError> {
        let (rtype, value) = s
            .split_once('=')
            .ok_or_else(|| RecordError::Syntax(s.into()))?;
        RecordData::parse(rtype.trim().parse()?, value)
    }
}

impl fmt::Display for RecordData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecordData::A(a) => write!(f, "{}", Ipv4Addr::from(*a)),
            RecordData::AAAA(a) => write!(f, "{}", Ipv6Addr::from(*a)),
            RecordData::CNAME(h) | RecordData::NS(h) => write!(f, "{h}"),
            RecordData::TXT(strings) => {
                let text: Vec<u8> = strings.concat();
                write!(f, "{}", String::from_utf8_lossy(&text))
            }
            RecordData::MX {
                preference,
                exchange,
            } => write!(f, "{preference} {exchange}"),
            RecordData::SRV {
                priority,
                weight,
                port,
                target,
            } => write!(f, "{priority} {weight} {port} {target}"),
            RecordData::CAA { flags, tag, value } => {
                write!(f, "{flags} {tag} \"{}\"", String::from_utf8_lossy(value))
            }
            RecordData::TLSA {
                usage,
                selector,
                matching_type,
                data,
            } => {
                write!(
                    f,
                    "{usage} {selector} {matching_type} {}",
                    hex::encode(data)
                )
            }
        }
    }
}

/// JSON shape of a value: `{ "type": "MX", "value": "10 mail.example.com" }`.
#[derive(serde::Serialize, serde::Deserialize)]
struct RecordDataJson {
    #[serde(rename = "type")]
    rtype: RecordType,
    value: String,
}

impl serde::Serialize for RecordData {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        RecordDataJson {
            rtype: self.rtype(),
            value: self.to_string(),
        }
        .serialize(s)
    }
}

impl<'de> serde::Deserialize<'de> for RecordData {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let json = RecordDataJson::deserialize(d)?;
        RecordData::parse(json.rtype, &json.value).map_err(serde::de::Error::custom)
    }
}

/// One DNS record of a name.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Encode, Decode)]
pub struct DnsRecord {
    /// Where under the name (`@`, `www`, ...).
    pub label: RecordLabel,
    /// Time to live (seconds).
    pub ttl: u32,
    /// The value.
    pub data: RecordData,
}

/// The default TTL (seconds).
pub const DEFAULT_TTL: u32 = 300;

impl DnsRecord {
    /// A record at the apex with the default TTL.
    pub fn apex(data: RecordData) -> DnsRecord {
        DnsRecord {
            label: RecordLabel::apex(),
            ttl: DEFAULT_TTL,
            data,
        }
    }
}

/// JSON shape of a record on RPC: `{ "type", "label", "ttl", "value" }` with the value in text
/// form (and `priority` for MX and SRV, as the gRPC `DNSRecord` has it).
#[derive(serde::Serialize, serde::Deserialize)]
struct DnsRecordJson {
    #[serde(rename = "type")]
    rtype: RecordType,
    #[serde(default = "apex_label")]
    label: String,
    #[serde(default = "default_ttl")]
    ttl: u32,
    value: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    priority: Option<u16>,
}

fn apex_label() -> String {
    "@".into()
}

fn default_ttl() -> u32 {
    DEFAULT_TTL
}

impl serde::Serialize for DnsRecord {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let priority = match &self.data {
            RecordData::MX { preference, .. } => Some(*preference),
            RecordData::SRV { priority, .. } => Some(*priority),
            _ => None,
        };
        DnsRecordJson {
            rtype: self.data.rtype(),
            label: self.label.to_string(),
            ttl: self.ttl,
            value: self.data.to_string(),
            priority,
        }
        .serialize(s)
    }
}

impl<'de> serde::Deserialize<'de> for DnsRecord {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let json = DnsRecordJson::deserialize(d)?;
        let label = RecordLabel::parse(&json.label).map_err(serde::de::Error::custom)?;
        let data = RecordData::parse(json.rtype, &json.value).map_err(serde::de::Error::custom)?;
        Ok(DnsRecord {
            label,
            ttl: json.ttl,
            data,
        })
    }
}

/// Web3 records: addresses per SLIP-44 coin type, text key/values, a content hash.
#[derive(
    Clone, PartialEq, Eq, Debug, Default, Encode, Decode, serde::Serialize, serde::Deserialize,
)]
pub struct Web3Records {
    /// Address bytes by coin type (60 = Ethereum, as ENS's `addr(node, coinType)`).
    pub addresses: BTreeMap<u32, crate::Bytes>,
    /// Text records (`url`, `avatar`, `com.github`, ...).
    pub texts: BTreeMap<String, String>,
    /// EIP-1577 content hash.
    pub contenthash: Option<crate::Bytes>,
}

impl Web3Records {
    /// Bytes these records take.
    pub fn size(&self) -> usize {
        self.encoded_size()
    }

    /// How many entries.
    pub fn count(&self) -> usize {
        self.addresses.len() + self.texts.len() + usize::from(self.contenthash.is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn text_forms_parse_and_print() {
        for (assignment, printed) in [
            ("A=10.0.0.1", "10.0.0.1"),
            ("AAAA=2001:db8::1", "2001:db8::1"),
            ("CNAME=Target.Example.com.", "target.example.com"),
            ("TXT=hello world", "hello world"),
            ("MX=10 mail.example.com", "10 mail.example.com"),
            ("NS=ns1.example.com", "ns1.example.com"),
            ("SRV=10 5 5060 sip.example.com", "10 5 5060 sip.example.com"),
            ("CAA=0 issue letsencrypt.org", "0 issue \"letsencrypt.org\""),
            ("tlsa=3 1 1 abcd", "3 1 1 abcd"),
        ] {
            let data = RecordData::parse_assignment(assignment).unwrap();
            assert_eq!(data.to_string(), printed, "{assignment}");
            assert_eq!(RecordData::decode(&mut &data.encode()[..]).unwrap(), data);
        }
    }

    #[test]
    fn invalid_values_are_refused() {
        for bad in [
            "A=10.0.0.256",
            "A=::1",
            "AAAA=10.0.0.1",
            "CNAME=bad_host.com",
            "MX=mail.example.com",
            "SRV=1 2 3",
            "TLSA=3 1 1 zz",
            "BOGUS=1",
            "A",
            "TXT=",
        ] {
            assert!(RecordData::parse_assignment(bad).is_err(), "{bad}");
        }
        let long = RecordData::TXT(vec![vec![b'a'; 256]]);
        assert_eq!(long.validate(), Err(RecordError::TxtTooLong(256)));
        assert!(RecordData::decode(&mut &long.encode()[..]).is_err());
    }

    #[test]
    fn long_txt_values_split_into_strings() {
        let value = "x".repeat(600);
        match RecordData::parse(RecordType::TXT, &value).unwrap() {
            RecordData::TXT(strings) => assert_eq!(
                strings.iter().map(Vec::len).collect::<Vec<_>>(),
                vec![255, 255, 90]
            ),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn labels_allow_service_names() {
        assert!(RecordLabel::parse("_sip._tcp").is_ok());
        assert!(RecordLabel::parse("@").unwrap().is_apex());
        assert_eq!(RecordLabel::parse("WWW").unwrap().as_str(), "www");
        assert!(RecordLabel::parse("a..b").is_err());
        assert!(RecordLabel::parse("bad label").is_err());
        assert_eq!(
            RecordLabel::parse("www").unwrap().under("alice.ghost"),
            "www.alice.ghost"
        );
    }

    #[test]
    fn json_shape_matches_the_grpc_record() {
        let record = DnsRecord {
            label: RecordLabel::parse("mail").unwrap(),
            ttl: 60,
            data: RecordData::parse_assignment("MX=10 mx.example.com").unwrap(),
        };
        let json = serde_json::to_value(&record).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"type": "MX", "label": "mail", "ttl": 60, "value": "10 mx.example.com", "priority": 10})
        );
        assert_eq!(serde_json::from_value::<DnsRecord>(json).unwrap(), record);
    }

    proptest! {
        #[test]
        fn a_and_aaaa_round_trip(v4 in any::<[u8; 4]>(), v6 in any::<[u8; 16]>(), ttl in any::<u32>()) {
            for data in [RecordData::A(v4), RecordData::AAAA(v6)] {
                let record = DnsRecord { label: RecordLabel::apex(), ttl, data };
                prop_assert_eq!(DnsRecord::decode(&mut &record.encode()[..]).unwrap(), record.clone());
                let json = serde_json::to_string(&record).unwrap();
                prop_assert_eq!(serde_json::from_str::<DnsRecord>(&json).unwrap(), record);
            }
        }

        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let _ = DnsRecord::decode(&mut &bytes[..]);
            let _ = Web3Records::decode(&mut &bytes[..]);
        }

        #[test]
        fn random_text_never_panics(s in ".{0,60}") {
            let _ = RecordData::parse_assignment(&s);
        }
    }
}
