//! A small checked parser for the common query shape, the entry of the UDP fast path.
//!
//! [`PlainQuery::parse`] accepts exactly one shape, the one stub and recursive resolvers send
//! nearly always: a QUERY (QR = 0, opcode 0, TC = 0) with one question, no answer or authority
//! records, and either no additional record or one OPT record at the root with EDNS version 0,
//! no option but COOKIEs (RFC 7873, which resolvers send with every query and the server
//! ignores) and any DO bit. The question name must be uncompressed, of labels of 1-63 bytes,
//! at most 255 bytes on the wire, and the message must end right after the last record.
//! Everything else is [`NotPlain`]: the caller hands such a message to the full hickory path,
//! which knows how to answer it (FORMERR, NOTIMP, BADVERS, ...). The parser only reads through
//! bounds-checked slices, so hostile input (garbage, truncated messages, huge counts) is a
//! [`NotPlain`], never a panic.
//!
//! It allocates nothing: the name is borrowed from the packet, and [`PlainQuery::lowercase_name`]
//! writes the cache key form (ASCII lowercase, wire format) into a caller's buffer.
//!
//! The UDP transport's fast path ([`super::UdpResponder`]) starts here; an answer cache and its
//! invalidation on block changes could come next (issue #15).

/// The longest domain name on the wire (RFC 1035 §3.1), root label included.
pub const MAX_WIRE_NAME: usize = 255;

/// The DNS header's length in bytes.
const HEADER_LEN: usize = 12;

/// The OPT pseudo-record's type (RFC 6891).
const TYPE_OPT: u16 = 41;

/// Why a message is not the plain shape (the full path answers it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NotPlain {
    /// The message ends before a field it announces.
    #[error("message truncated")]
    Truncated,
    /// QR is set: a response, not a query.
    #[error("message is a response")]
    Response,
    /// The opcode is not QUERY.
    #[error("opcode {0} is not QUERY")]
    Opcode(u8),
    /// The TC bit is set on the query.
    #[error("query has TC set")]
    Truncation,
    /// The counts are not one question, no answers or authority, at most one additional.
    #[error("section counts are not one question and at most one OPT")]
    Counts,
    /// The question name uses a compression pointer or a reserved label type.
    #[error("question name is compressed or uses a reserved label type")]
    CompressedName,
    /// The question name is longer than 255 bytes on the wire.
    #[error("question name too long")]
    NameTooLong,
    /// The additional record is not an OPT at the root with version 0 and no option but
    /// well-formed COOKIEs.
    #[error("additional record is not a plain OPT")]
    UnusualEdns,
    /// Bytes follow the last record.
    #[error("trailing bytes after the last record")]
    TrailingBytes,
}

/// The EDNS shape of a plain query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlainEdns {
    /// The requestor's UDP payload size, as sent (not clamped).
    pub max_payload: u16,
    /// The DNSSEC OK bit.
    pub dnssec_ok: bool,
}

/// A query of the plain shape, borrowing the packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlainQuery<'a> {
    /// The message ID.
    pub id: u16,
    /// The RD bit (echoed in the response).
    pub recursion_desired: bool,
    /// The CD bit (echoed in the response).
    pub checking_disabled: bool,
    /// The question name in wire format, as asked (case kept), root label included.
    pub name: &'a [u8],
    /// The question type.
    pub qtype: u16,
    /// The question class.
    pub qclass: u16,
    /// The OPT record, if the query has one.
    pub edns: Option<PlainEdns>,
    /// Where the question section ends in the packet (the question is `packet[12..this]`).
    pub question_end: usize,
}

impl<'a> PlainQuery<'a> {
    /// Parses `packet` if it has the plain shape (see the module docs).
    ///
    /// # Errors
    ///
    /// [`NotPlain`] says which part of the message is outside the plain shape.
    pub fn parse(packet: &'a [u8]) -> Result<PlainQuery<'a>, NotPlain> {
        let header = packet.get(..HEADER_LEN).ok_or(NotPlain::Truncated)?;
        let id = u16::from_be_bytes([header[0], header[1]]);
        let flags = header[2];
        if flags & 0x80 != 0 {
            return Err(NotPlain::Response);
        }
        let opcode = (flags >> 3) & 0x0f;
        if opcode != 0 {
            return Err(NotPlain::Opcode(opcode));
        }
        if flags & 0x02 != 0 {
            return Err(NotPlain::Truncation);
        }
        let count = |at: usize| u16::from_be_bytes([header[at], header[at + 1]]);
        let (qd, an, ns, ar) = (count(4), count(6), count(8), count(10));
        if qd != 1 || an != 0 || ns != 0 || ar > 1 {
            return Err(NotPlain::Counts);
        }
        let name_end = name_end(packet, HEADER_LEN)?;
        let name = packet
            .get(HEADER_LEN..name_end)
            .ok_or(NotPlain::Truncated)?;
        let fixed = packet
            .get(name_end..name_end + 4)
            .ok_or(NotPlain::Truncated)?;
        let qtype = u16::from_be_bytes([fixed[0], fixed[1]]);
        let qclass = u16::from_be_bytes([fixed[2], fixed[3]]);
        let question_end = name_end + 4;
        let (edns, end) = if ar == 1 {
            let (edns, end) = parse_opt(packet, question_end)?;
            (Some(edns), end)
        } else {
            (None, question_end)
        };
        if end != packet.len() {
            return Err(NotPlain::TrailingBytes);
        }
        Ok(PlainQuery {
            id,
            recursion_desired: flags & 0x01 != 0,
            checking_disabled: header[3] & 0x10 != 0,
            name,
            qtype,
            qclass,
            edns,
            question_end,
        })
    }

    /// Writes the question name with ASCII letters lowercased (the cache key form) into
    /// `out`, returning the written part. Label length bytes are below 64, so they are never
    /// changed by lowercasing.
    pub fn lowercase_name<'o>(&self, out: &'o mut [u8; MAX_WIRE_NAME]) -> &'o [u8] {
        // `parse` bounds the name by MAX_WIRE_NAME; `zip` keeps this total either way.
        let len = self.name.len().min(MAX_WIRE_NAME);
        for (to, from) in out.iter_mut().zip(self.name) {
            *to = from.to_ascii_lowercase();
        }
        &out[..len]
    }
}

/// The end of the uncompressed name starting at `at`, after its root label.
fn name_end(packet: &[u8], at: usize) -> Result<usize, NotPlain> {
    let mut pos = at;
    loop {
        let len = *packet.get(pos).ok_or(NotPlain::Truncated)?;
        if len & 0xc0 != 0 {
            return Err(NotPlain::CompressedName);
        }
        let next = pos + 1 + usize::from(len);
        if next - at > MAX_WIRE_NAME {
            return Err(NotPlain::NameTooLong);
        }
        if len == 0 {
            return Ok(next);
        }
        pos = next;
    }
}

/// The EDNS COOKIE option (RFC 7873): the only option a plain query may carry. Resolvers such as
/// BIND, unbound and `dig` send a client cookie with every query; the server does not take part
/// in cookies and answers as if the option were absent, on both paths (hickory's parser keeps an
/// unknown option's bytes and the handler's response EDNS carries no options).
const OPTION_COOKIE: u16 = 10;

/// The OPT record at `at`: root owner, type OPT, version 0, no options but well-formed COOKIE
/// options. Returns its shape and where it ends.
fn parse_opt(packet: &[u8], at: usize) -> Result<(PlainEdns, usize), NotPlain> {
    // owner (1) + type (2) + class = payload (2) + ttl = ext-rcode, version, flags (4) + rdlen (2)
    let opt = packet.get(at..at + 11).ok_or(NotPlain::Truncated)?;
    if opt[0] != 0 || u16::from_be_bytes([opt[1], opt[2]]) != TYPE_OPT {
        return Err(NotPlain::UnusualEdns);
    }
    let max_payload = u16::from_be_bytes([opt[3], opt[4]]);
    let (ext_rcode, version) = (opt[5], opt[6]);
    let rdlen = usize::from(u16::from_be_bytes([opt[9], opt[10]]));
    if ext_rcode != 0 || version != 0 {
        return Err(NotPlain::UnusualEdns);
    }
    let rdata = packet
        .get(at + 11..at + 11 + rdlen)
        .ok_or(NotPlain::Truncated)?;
    let mut rest = rdata;
    while !rest.is_empty() {
        let (Some(code), Some(len)) = (rest.get(0..2), rest.get(2..4)) else {
            return Err(NotPlain::UnusualEdns);
        };
        let len = usize::from(u16::from_be_bytes([len[0], len[1]]));
        if u16::from_be_bytes([code[0], code[1]]) != OPTION_COOKIE {
            return Err(NotPlain::UnusualEdns);
        }
        rest = rest.get(4 + len..).ok_or(NotPlain::UnusualEdns)?;
    }
    Ok((
        PlainEdns {
            max_payload,
            dnssec_ok: opt[7] & 0x80 != 0,
        },
        at + 11 + rdlen,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use hickory_proto::op::{Edns, Message, Query};
    use hickory_proto::rr::{DNSClass, Name, RecordType};
    use proptest::prelude::*;

    fn query(name: &str, qtype: RecordType, edns: Option<(u16, bool)>) -> Message {
        let mut message = Message::query();
        message.metadata.id = 0xbeef;
        message.metadata.recursion_desired = true;
        message.add_query(Query::query(Name::from_ascii(name).unwrap(), qtype));
        if let Some((payload, dnssec_ok)) = edns {
            let mut e = Edns::new();
            e.set_max_payload(payload);
            e.set_dnssec_ok(dnssec_ok);
            message.set_edns(e);
        }
        message
    }

    #[test]
    fn parses_a_plain_query_as_hickory_encodes_it() {
        let bytes = query("Alice.GHOST.", RecordType::AAAA, None)
            .to_vec()
            .unwrap();
        let parsed = PlainQuery::parse(&bytes).unwrap();
        assert_eq!(parsed.id, 0xbeef);
        assert!(parsed.recursion_desired);
        assert_eq!(parsed.name, b"\x05Alice\x05GHOST\x00");
        assert_eq!(parsed.qtype, u16::from(RecordType::AAAA));
        assert_eq!(parsed.qclass, u16::from(DNSClass::IN));
        assert_eq!(parsed.edns, None);
        assert_eq!(parsed.question_end, bytes.len());
        let mut key = [0; MAX_WIRE_NAME];
        assert_eq!(parsed.lowercase_name(&mut key), b"\x05alice\x05ghost\x00");
    }

    #[test]
    fn reads_the_edns_payload_size_and_do_bit() {
        let bytes = query("a.bc.", RecordType::A, Some((4096, true)))
            .to_vec()
            .unwrap();
        let parsed = PlainQuery::parse(&bytes).unwrap();
        assert_eq!(
            parsed.edns,
            Some(PlainEdns {
                max_payload: 4096,
                dnssec_ok: true
            })
        );
        assert!(parsed.question_end < bytes.len());
    }

    #[test]
    fn unusual_messages_go_to_the_full_path() {
        let plain = query("a.ghost.", RecordType::A, None).to_vec().unwrap();
        let mut response = plain.clone();
        response[2] |= 0x80;
        assert_eq!(PlainQuery::parse(&response), Err(NotPlain::Response));
        let mut notify = plain.clone();
        notify[2] |= 4 << 3;
        assert_eq!(PlainQuery::parse(&notify), Err(NotPlain::Opcode(4)));
        let mut truncated_flag = plain.clone();
        truncated_flag[2] |= 0x02;
        assert_eq!(
            PlainQuery::parse(&truncated_flag),
            Err(NotPlain::Truncation)
        );
        let mut two_questions = plain.clone();
        two_questions[5] = 2;
        assert_eq!(PlainQuery::parse(&two_questions), Err(NotPlain::Counts));
        let mut trailing = plain.clone();
        trailing.push(0);
        assert_eq!(PlainQuery::parse(&trailing), Err(NotPlain::TrailingBytes));
        assert_eq!(
            PlainQuery::parse(&plain[..plain.len() - 1]),
            Err(NotPlain::Truncated)
        );
        let mut pointer = plain[..HEADER_LEN].to_vec();
        pointer.extend_from_slice(&[0xc0, 0x0c, 0, 1, 0, 1]);
        assert_eq!(PlainQuery::parse(&pointer), Err(NotPlain::CompressedName));
        let mut edns1 = query("a.ghost.", RecordType::A, Some((1232, false)))
            .to_vec()
            .unwrap();
        let version_at = edns1.len() - 5;
        edns1[version_at] = 1;
        assert_eq!(PlainQuery::parse(&edns1), Err(NotPlain::UnusualEdns));
    }

    /// A query with EDNS options as raw bytes: `options` is the OPT record's RDATA.
    fn with_options(options: &[u8]) -> Vec<u8> {
        let mut packet = query("a.ghost.", RecordType::A, Some((1232, true)))
            .to_vec()
            .unwrap();
        let rdlen_at = packet.len() - 2;
        let rdlen = u16::try_from(options.len()).unwrap().to_be_bytes();
        packet[rdlen_at..].copy_from_slice(&rdlen);
        packet.extend_from_slice(options);
        packet
    }

    #[test]
    fn a_client_cookie_is_plain_and_any_other_option_is_not() {
        // dig's client cookie: code 10, 8 bytes; then a client and server cookie (8 + 16).
        let cookie = [&[0u8, 10, 0, 8][..], &[7; 8]].concat();
        let both = [&[0u8, 10, 0, 24][..], &[7; 24]].concat();
        for options in [cookie.clone(), both] {
            let packet = with_options(&options);
            let parsed = PlainQuery::parse(&packet).expect("a cookie is plain");
            assert_eq!(
                parsed.edns,
                Some(PlainEdns {
                    max_payload: 1232,
                    dnssec_ok: true
                })
            );
        }
        // NSID (code 3), a cookie followed by padding (code 12), a short option header, and an
        // option longer than the RDATA all go to the full parser.
        let padding = [&cookie[..], &[0, 12, 0, 2, 0, 0]].concat();
        for options in [
            vec![0, 3, 0, 0],
            padding,
            vec![0, 10, 0],
            vec![0, 10, 0, 9, 1, 2, 3],
        ] {
            assert_eq!(
                PlainQuery::parse(&with_options(&options)),
                Err(NotPlain::UnusualEdns),
                "{options:?}"
            );
        }
        // RDATA longer than the packet.
        let mut short = with_options(&cookie);
        short.truncate(short.len() - 1);
        assert_eq!(PlainQuery::parse(&short), Err(NotPlain::Truncated));
    }

    #[test]
    fn names_longer_than_255_bytes_are_refused() {
        let mut packet = vec![0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0];
        for _ in 0..5 {
            packet.push(63);
            packet.extend_from_slice(&[b'a'; 63]);
        }
        packet.extend_from_slice(&[0, 0, 1, 0, 1]);
        assert_eq!(PlainQuery::parse(&packet), Err(NotPlain::NameTooLong));
    }

    /// A label of 1-63 bytes of letters, digits and inner hyphens, mixed case.
    fn label() -> impl Strategy<Value = String> {
        "[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
    }

    proptest! {
        /// Arbitrary bytes never panic the parser.
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            let _ = PlainQuery::parse(&bytes);
        }

        /// A valid header with random counts and a random tail never panics either (huge
        /// counts, truncated names and OPT records).
        #[test]
        fn random_tails_after_a_query_header_never_panic(
            counts in any::<[u8; 8]>(),
            tail in proptest::collection::vec(any::<u8>(), 0..300),
        ) {
            let mut packet = vec![0x12, 0x34, 0x01, 0x00];
            packet.extend_from_slice(&counts);
            packet.extend_from_slice(&tail);
            let _ = PlainQuery::parse(&packet);
        }

        /// Whatever hickory encodes as a plain query, the parser reads as hickory does.
        #[test]
        fn agrees_with_hickory_on_plain_queries(
            labels in proptest::collection::vec(label(), 1..4),
            qtype in prop_oneof![
                Just(RecordType::A), Just(RecordType::AAAA), Just(RecordType::TXT),
                Just(RecordType::MX), Just(RecordType::CNAME), Just(RecordType::SOA),
            ],
            edns in proptest::option::of((any::<u16>(), any::<bool>())),
        ) {
            let name = format!("{}.", labels.join("."));
            let bytes = query(&name, qtype, edns).to_vec().unwrap();
            let parsed = PlainQuery::parse(&bytes).unwrap();
            let decoded = Message::from_vec(&bytes).unwrap();
            let asked = &decoded.queries[0];
            let mut wire = Vec::new();
            for label in asked.name().iter() {
                wire.push(label.len() as u8);
                wire.extend_from_slice(label);
            }
            wire.push(0);
            prop_assert_eq!(parsed.name, &wire[..]);
            prop_assert_eq!(parsed.qtype, u16::from(asked.query_type()));
            prop_assert_eq!(parsed.qclass, u16::from(asked.query_class()));
            prop_assert_eq!(
                parsed.edns.map(|e| (e.max_payload, e.dnssec_ok)),
                decoded.edns.as_ref().map(|e| (e.max_payload(), e.flags().dnssec_ok)),
            );
            let mut key = [0; MAX_WIRE_NAME];
            prop_assert_eq!(
                parsed.lowercase_name(&mut key),
                &wire.to_ascii_lowercase()[..]
            );
        }
    }
}
