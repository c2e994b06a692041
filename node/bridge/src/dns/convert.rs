//! Conversions between the chain's record types and hickory's wire types.
//!
//! The chain validates every value when it is stored (hostnames are LDH, TXT strings are at most
//! 255 bytes, CAA tags are 1-15 alphanumerics), so a conversion failure means a value hickory
//! refuses that the chain accepted. Callers skip such a record and log it; nothing here panics.

use std::net::{Ipv4Addr, Ipv6Addr};

use ghost_primitives::{DnsRecord, Hostname, RecordData, RecordType as ChainType};
use hickory_proto::ProtoError;
use hickory_proto::rr::rdata::{A, AAAA, CAA, CNAME, MX, NS, SRV, TLSA, TXT};
use hickory_proto::rr::{Name, RData, Record, RecordType};

/// Why a stored record could not be put on the wire.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConvertError {
    /// A hostname in the value is not a valid DNS name for hickory.
    #[error("hostname `{name}` is not a valid DNS name: {source}")]
    Hostname {
        /// The hostname.
        name: String,
        /// hickory's reason.
        source: ProtoError,
    },
}

/// The absolute DNS name of `name` (lowercase dotted text without the trailing dot).
pub fn absolute_name(name: &str) -> Result<Name, ConvertError> {
    Name::from_ascii(format!("{name}.")).map_err(|source| ConvertError::Hostname {
        name: name.into(),
        source,
    })
}

fn hostname(h: &Hostname) -> Result<Name, ConvertError> {
    absolute_name(h.as_str())
}

/// The wire form of a stored value.
pub fn to_rdata(data: &RecordData) -> Result<RData, ConvertError> {
    Ok(match data {
        RecordData::A(octets) => RData::A(A(Ipv4Addr::from(*octets))),
        RecordData::AAAA(octets) => RData::AAAA(AAAA(Ipv6Addr::from(*octets))),
        RecordData::CNAME(target) => RData::CNAME(CNAME(hostname(target)?)),
        RecordData::NS(target) => RData::NS(NS(hostname(target)?)),
        RecordData::TXT(strings) => {
            RData::TXT(TXT::from_bytes(strings.iter().map(Vec::as_slice).collect()))
        }
        RecordData::MX {
            preference,
            exchange,
        } => RData::MX(MX::new(*preference, hostname(exchange)?)),
        RecordData::SRV {
            priority,
            weight,
            port,
            target,
        } => RData::SRV(SRV::new(*priority, *weight, *port, hostname(target)?)),
        RecordData::CAA { flags, tag, value } => {
            // `CAA` is non-exhaustive: start from a constructor, then set the raw property.
            let mut caa = CAA::new_issue(false, None, Vec::new());
            caa.issuer_critical = flags & 0b1000_0000 != 0;
            caa.reserved_flags = flags & 0b0111_1111;
            caa.tag = tag.clone();
            caa.value = value.clone();
            RData::CAA(caa)
        }
        RecordData::TLSA {
            usage,
            selector,
            matching_type,
            data,
        } => RData::TLSA(TLSA::new(
            (*usage).into(),
            (*selector).into(),
            (*matching_type).into(),
            data.clone(),
        )),
    })
}

/// `record` as a resource record owned by `owner`, with its own TTL.
pub fn to_record(owner: &Name, record: &DnsRecord) -> Result<Record, ConvertError> {
    Ok(Record::from_rdata(
        owner.clone(),
        record.ttl,
        to_rdata(&record.data)?,
    ))
}

/// The chain's type for a query type, if the chain stores that type.
pub fn chain_type(qtype: RecordType) -> Option<ChainType> {
    Some(match qtype {
        RecordType::A => ChainType::A,
        RecordType::AAAA => ChainType::AAAA,
        RecordType::CNAME => ChainType::CNAME,
        RecordType::TXT => ChainType::TXT,
        RecordType::MX => ChainType::MX,
        RecordType::NS => ChainType::NS,
        RecordType::SRV => ChainType::SRV,
        RecordType::CAA => ChainType::CAA,
        RecordType::TLSA => ChainType::TLSA,
        _ => return None,
    })
}

/// The absolute name a query asks for as index text (`www.alice.ghost`), or `None` if a label
/// holds a byte no stored name can contain (anything outside `a-z 0-9 - _` after lowercasing).
pub fn index_key(name: &Name) -> Option<String> {
    let mut key = String::with_capacity(name.len());
    for label in name.iter() {
        if label.is_empty()
            || !label
                .iter()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-' || *b == b'_')
        {
            return None;
        }
        if !key.is_empty() {
            key.push('.');
        }
        // Checked ASCII above.
        key.extend(label.iter().map(|b| char::from(*b)));
    }
    Some(key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ghost_primitives::RecordLabel;
    use hickory_proto::serialize::binary::{BinEncodable, BinEncoder};

    fn wire(data: &str) -> Vec<u8> {
        let rdata = to_rdata(&RecordData::parse_assignment(data).unwrap()).unwrap();
        let mut bytes = Vec::new();
        rdata.emit(&mut BinEncoder::new(&mut bytes)).unwrap();
        bytes
    }

    #[test]
    fn every_chain_type_converts() {
        for (assignment, rtype) in [
            ("A=10.0.0.1", RecordType::A),
            ("AAAA=2001:db8::1", RecordType::AAAA),
            ("CNAME=alice.ghost", RecordType::CNAME),
            ("NS=ns1.example.com", RecordType::NS),
            ("TXT=hello", RecordType::TXT),
            ("MX=10 mail.alice.ghost", RecordType::MX),
            ("SRV=1 2 5060 sip.alice.ghost", RecordType::SRV),
            ("CAA=0 issue letsencrypt.org", RecordType::CAA),
            ("TLSA=3 1 1 abcd", RecordType::TLSA),
        ] {
            let record = DnsRecord {
                label: RecordLabel::apex(),
                ttl: 42,
                data: RecordData::parse_assignment(assignment).unwrap(),
            };
            let converted = to_record(&absolute_name("alice.ghost").unwrap(), &record).unwrap();
            assert_eq!(converted.record_type(), rtype, "{assignment}");
            assert_eq!(converted.ttl, 42);
            assert_eq!(chain_type(rtype), Some(record.data.rtype()));
        }
    }

    #[test]
    fn caa_keeps_flags_tag_and_value_bytes() {
        assert_eq!(
            wire("CAA=128 issue ca.example"),
            [&[128u8, 5][..], b"issue", b"ca.example"].concat()
        );
    }

    #[test]
    fn query_names_become_index_keys() {
        let key = |s: &str| index_key(&Name::from_ascii(s).unwrap().to_lowercase());
        assert_eq!(key("WWW.Alice.ghost."), Some("www.alice.ghost".into()));
        assert_eq!(
            key("_sip._tcp.alice.ghost."),
            Some("_sip._tcp.alice.ghost".into())
        );
        assert_eq!(key("a\\.b.ghost."), None);
        assert_eq!(
            index_key(&Name::from_labels([&b"a\0b"[..], b"ghost"]).unwrap()),
            None
        );
        assert_eq!(index_key(&Name::root()), Some(String::new()));
    }
}
