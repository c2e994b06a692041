//! EIP-1185 DNS-profile records: the DNS names the oracle asks a resolver's
//! `dnsRecord(node, keccak256(name), type)` for, and the RRsets it answers with (RFC 1035 wire
//! format, as `setDNSRecords` stored them), decoded into the ghost records they mirror to.
//!
//! Decoding is strict and total: a set that does not parse (a truncated record, a compression
//! pointer, which ENS's `RRUtils` does not write, a value the chain would refuse) is dropped
//! whole, so every honest oracle derives the same records from the same bytes; records of
//! another name, type or class in the answer are skipped.

use ghost_client::runtime::ens_bridge::MAX_DNS_TTL;
use ghost_primitives::{Hostname, RecordData, RecordLabel, RecordType};
use parity_scale_codec::{Decode, Encode};

/// The DNS class `IN`.
const CLASS_IN: u16 = 1;

/// The RFC 1035 / 3596 type code of a mirrored type.
pub fn type_code(rtype: RecordType) -> u16 {
    match rtype {
        RecordType::A => 1,
        RecordType::CNAME => 5,
        RecordType::NS => 2,
        RecordType::MX => 15,
        RecordType::TXT => 16,
        RecordType::AAAA => 28,
        RecordType::SRV => 33,
        RecordType::TLSA => 52,
        RecordType::CAA => 257,
    }
}

/// The wire form of `label` under the ENS name `ens_name` (`www` under `alice.eth` is
/// `\x03www\x05alice\x03eth\x00`); `None` if a label is longer than DNS allows (63 bytes) or
/// the name longer than 255 bytes.
pub fn wire_name(label: &RecordLabel, ens_name: &str) -> Option<Vec<u8>> {
    let name = label.under(ens_name);
    let mut wire = Vec::with_capacity(name.len() + 2);
    for part in name.split('.') {
        if part.is_empty() || part.len() > 63 {
            return None;
        }
        wire.push(part.len() as u8);
        wire.extend_from_slice(part.as_bytes());
    }
    wire.push(0);
    (wire.len() <= 255).then_some(wire)
}

/// One record in the wire form `setDNSRecords` takes: owner `name` (wire form), class `IN`,
/// `ttl`, `data`; `None` for a type the bridge does not mirror (see [`decode_rrset`]).
pub fn encode_rr(name: &[u8], ttl: u32, data: &RecordData) -> Option<Vec<u8>> {
    let rdata = match data {
        RecordData::A(address) => address.to_vec(),
        RecordData::AAAA(address) => address.to_vec(),
        RecordData::TXT(strings) => strings
            .iter()
            .flat_map(|s| std::iter::once(s.len() as u8).chain(s.iter().copied()))
            .collect(),
        RecordData::MX {
            preference,
            exchange,
        } => {
            let mut out = preference.to_be_bytes().to_vec();
            for label in exchange.as_str().split('.') {
                out.push(label.len() as u8);
                out.extend_from_slice(label.as_bytes());
            }
            out.push(0);
            out
        }
        _ => return None,
    };
    let mut out = name.to_vec();
    out.extend_from_slice(&type_code(data.rtype()).to_be_bytes());
    out.extend_from_slice(&CLASS_IN.to_be_bytes());
    out.extend_from_slice(&ttl.to_be_bytes());
    out.extend_from_slice(&u16::try_from(rdata.len()).ok()?.to_be_bytes());
    out.extend_from_slice(&rdata);
    Some(out)
}

/// A reader over one answer.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.at.checked_add(n)?;
        let slice = self.bytes.get(self.at..end)?;
        self.at = end;
        Some(slice)
    }

    fn u16(&mut self) -> Option<u16> {
        self.take(2).map(|b| u16::from_be_bytes([b[0], b[1]]))
    }

    fn u32(&mut self) -> Option<u32> {
        self.take(4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// An uncompressed name, returned in wire form (labels as written).
    fn name(&mut self) -> Option<&'a [u8]> {
        let start = self.at;
        loop {
            let len = *self.take(1)?.first()? as usize;
            if len == 0 {
                break;
            }
            if len > 63 {
                return None; // a compression pointer or a reserved label type
            }
            self.take(len)?;
        }
        let name = &self.bytes[start..self.at];
        (name.len() <= 255).then_some(name)
    }
}

/// A wire name as a dotted hostname (`None` for the root or a label that is not LDH).
fn hostname(wire: &[u8]) -> Option<Hostname> {
    let mut reader = Reader { bytes: wire, at: 0 };
    let mut labels = Vec::new();
    loop {
        let len = *reader.take(1)?.first()? as usize;
        if len == 0 {
            break;
        }
        labels.push(std::str::from_utf8(reader.take(len)?).ok()?);
    }
    Hostname::parse(&labels.join(".")).ok()
}

/// The value of one record of `rtype`, if it is well formed and one the chain accepts.
fn record_data(rtype: RecordType, rdata: &[u8]) -> Option<RecordData> {
    let data = match rtype {
        RecordType::A => RecordData::A(rdata.try_into().ok()?),
        RecordType::AAAA => RecordData::AAAA(rdata.try_into().ok()?),
        RecordType::TXT => {
            let mut reader = Reader {
                bytes: rdata,
                at: 0,
            };
            let mut strings = Vec::new();
            while reader.at < rdata.len() {
                let len = *reader.take(1)?.first()? as usize;
                strings.push(reader.take(len)?.to_vec());
            }
            if strings.is_empty() {
                return None;
            }
            RecordData::TXT(strings)
        }
        RecordType::MX => {
            let mut reader = Reader {
                bytes: rdata,
                at: 0,
            };
            let preference = reader.u16()?;
            let exchange = reader.name()?;
            if reader.at != rdata.len() {
                return None;
            }
            RecordData::MX {
                preference,
                exchange: hostname(exchange)?,
            }
        }
        _ => return None,
    };
    // The chain's own checks of a value (TXT sizes, hostnames) are those of its decoder.
    RecordData::decode(&mut &data.encode()[..])
        .ok()
        .filter(|d| *d == data)
}

/// The records of `rtype` owned by `name` (wire form, compared without regard to ASCII case)
/// in the RRset `answer`, with their TTLs lowered to [`MAX_DNS_TTL`]; empty if `answer` does
/// not parse (see the module doc).
pub fn decode_rrset(answer: &[u8], name: &[u8], rtype: RecordType) -> Vec<(u32, RecordData)> {
    decode_all(answer, name, rtype).unwrap_or_default()
}

fn decode_all(answer: &[u8], name: &[u8], rtype: RecordType) -> Option<Vec<(u32, RecordData)>> {
    let mut reader = Reader {
        bytes: answer,
        at: 0,
    };
    let mut records = Vec::new();
    while reader.at < answer.len() {
        let owner = reader.name()?;
        let code = reader.u16()?;
        let class = reader.u16()?;
        let ttl = reader.u32()?;
        let len = reader.u16()? as usize;
        let rdata = reader.take(len)?;
        if code != type_code(rtype) || class != CLASS_IN || !owner.eq_ignore_ascii_case(name) {
            continue;
        }
        records.push((ttl.min(MAX_DNS_TTL), record_data(rtype, rdata)?));
    }
    Some(records)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// One record in wire form.
    fn rr(name: &[u8], rtype: u16, ttl: u32, rdata: &[u8]) -> Vec<u8> {
        let mut out = name.to_vec();
        out.extend_from_slice(&rtype.to_be_bytes());
        out.extend_from_slice(&CLASS_IN.to_be_bytes());
        out.extend_from_slice(&ttl.to_be_bytes());
        out.extend_from_slice(&(rdata.len() as u16).to_be_bytes());
        out.extend_from_slice(rdata);
        out
    }

    fn apex() -> Vec<u8> {
        wire_name(&RecordLabel::apex(), "alice.eth").unwrap()
    }

    #[test]
    fn wire_names_are_the_labels_under_the_ens_name() {
        assert_eq!(apex(), b"\x05alice\x03eth\x00");
        let www = RecordLabel::parse("www").unwrap();
        assert_eq!(
            wire_name(&www, "alice.eth").unwrap(),
            b"\x03www\x05alice\x03eth\x00"
        );
        assert_eq!(wire_name(&www, &format!("{}.eth", "a".repeat(64))), None);
    }

    /// The record ENS's resolver tests store for `a.eth` (`a.eth. 3600 IN A 1.2.3.4`), in the
    /// wire form `setDNSRecords` takes (encoded here by hand).
    #[test]
    fn an_a_record_as_the_ens_resolver_tests_store_it() {
        let answer = hex::decode("016103657468000001000100000e10000401020304").unwrap();
        let name = wire_name(&RecordLabel::apex(), "a.eth").unwrap();
        assert_eq!(
            decode_rrset(&answer, &name, RecordType::A),
            vec![(3600, RecordData::A([1, 2, 3, 4]))]
        );
    }

    #[test]
    fn sets_of_each_mirrored_type_decode() {
        let name = apex();
        let mut answer = rr(&name, 1, 300, &[192, 0, 2, 1]);
        answer.extend(rr(&name, 1, 600, &[192, 0, 2, 2]));
        assert_eq!(
            decode_rrset(&answer, &name, RecordType::A),
            vec![
                (300, RecordData::A([192, 0, 2, 1])),
                (600, RecordData::A([192, 0, 2, 2]))
            ]
        );
        let v6 = [0x20, 1, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
        assert_eq!(
            decode_rrset(&rr(&name, 28, 60, &v6), &name, RecordType::AAAA),
            vec![(60, RecordData::AAAA(v6))]
        );
        assert_eq!(
            decode_rrset(
                &rr(&name, 16, 60, b"\x05hello\x03you"),
                &name,
                RecordType::TXT
            ),
            vec![(
                60,
                RecordData::TXT(vec![b"hello".to_vec(), b"you".to_vec()])
            )]
        );
        let mx = [&10u16.to_be_bytes()[..], b"\x04mail\x07example\x03com\x00"].concat();
        assert_eq!(
            decode_rrset(&rr(&name, 15, 86_400 * 7, &mx), &name, RecordType::MX),
            vec![(
                MAX_DNS_TTL,
                RecordData::MX {
                    preference: 10,
                    exchange: Hostname::parse("mail.example.com").unwrap()
                }
            )],
            "a TTL over a day is lowered to the chain's limit"
        );
    }

    #[test]
    fn other_names_types_and_classes_are_skipped_and_bad_sets_dropped() {
        let name = apex();
        let upper = b"\x05ALICE\x03eth\x00".to_vec();
        let mut answer = rr(&upper, 1, 300, &[192, 0, 2, 1]);
        answer.extend(rr(b"\x03www\x05alice\x03eth\x00", 1, 300, &[192, 0, 2, 9]));
        answer.extend(rr(&name, 28, 300, &[0; 16]));
        let mut chaos = rr(&name, 1, 300, &[192, 0, 2, 8]);
        chaos[name.len() + 3] = 3; // class CH
        answer.extend(chaos);
        assert_eq!(
            decode_rrset(&answer, &name, RecordType::A),
            vec![(300, RecordData::A([192, 0, 2, 1]))]
        );

        // Truncated, a wrong A length, a compression pointer, an MX to a non-hostname.
        let good = rr(&name, 1, 300, &[192, 0, 2, 1]);
        for bad in [
            good[..good.len() - 1].to_vec(),
            [good.clone(), rr(&name, 1, 300, &[1, 2, 3])].concat(),
            [&[0xc0, 0x0c][..], &good[name.len()..]].concat(),
        ] {
            assert_eq!(decode_rrset(&bad, &name, RecordType::A), Vec::new());
        }
        let mx = [&10u16.to_be_bytes()[..], b"\x04m_il\x03com\x00"].concat();
        assert_eq!(
            decode_rrset(&rr(&name, 15, 300, &mx), &name, RecordType::MX),
            Vec::new()
        );
        assert_eq!(
            decode_rrset(&rr(&name, 16, 300, b""), &name, RecordType::TXT),
            Vec::new(),
            "a TXT record has at least one string"
        );
    }

    proptest! {
        #[test]
        fn arbitrary_answers_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            for rtype in [RecordType::A, RecordType::AAAA, RecordType::TXT, RecordType::MX] {
                let _ = decode_rrset(&bytes, &apex(), rtype);
            }
        }

        #[test]
        fn encoded_records_decode_to_themselves(strings in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..40), 1..4), v6 in any::<[u8; 16]>(), preference in any::<u16>(), ttl in 0u32..86_400) {
            let name = apex();
            for data in [
                RecordData::TXT(strings.clone()),
                RecordData::AAAA(v6),
                RecordData::MX { preference, exchange: Hostname::parse("mx1.example.org").unwrap() },
            ] {
                let answer = encode_rr(&name, ttl, &data).unwrap();
                prop_assert_eq!(decode_rrset(&answer, &name, data.rtype()), vec![(ttl, data)]);
            }
        }

        #[test]
        fn written_a_sets_read_back(addresses in proptest::collection::vec(any::<[u8; 4]>(), 0..8), ttl in 0u32..200_000) {
            let name = apex();
            let answer: Vec<u8> = addresses.iter().flat_map(|a| rr(&name, 1, ttl, a)).collect();
            let expected: Vec<_> = addresses.iter().map(|a| (ttl.min(MAX_DNS_TTL), RecordData::A(*a))).collect();
            prop_assert_eq!(decode_rrset(&answer, &name, RecordType::A), expected);
        }
    }
}
