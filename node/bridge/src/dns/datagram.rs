//! One UDP datagram in, at most one response out: the fast path, and the fallback to
//! [`GhostHandler`] for everything else.
//!
//! [`UdpResponder::respond`] is what a UDP worker calls per datagram. The **fast path** takes a
//! query of the plain shape ([`PlainQuery`]: one question, no records but at most a plain OPT),
//! class IN, not AXFR/IXFR, for a name inside our zones, asks [`GhostZone::answer`] (the same
//! answer the slow path sends: CNAME chasing, NODATA/NXDOMAIN with the SOA, referrals, RFC 8482
//! ANY, apex glue), and encodes the response straight into the worker's reused buffer: the
//! header, the question as asked, the records with name compression (the answer owner becomes a
//! pointer to the question, `0xC00C`, as NSD writes it), and an OPT record advertising the UDP
//! payload size when the query had one. It applies response-rate limiting and counts metrics
//! exactly as [`GhostHandler`] does for UDP.
//!
//! Everything else takes the **slow path**, hickory's parser and [`GhostHandler`] as before
//! (FORMERR, NOTIMP, BADVERS, REFUSED, ...): any other message shape, a name outside our zones,
//! and a fast answer that would not fit the client's payload size (the slow path truncates it
//! and sets TC). The fast path decides to fall back before it rate-limits or counts anything,
//! so a query is limited and counted once, by whichever path answers it.
//!
//! **Encoded answers are cached** per worker ([`AnswerCache`]): the bytes after the question,
//! keyed by the lowercased question name, type and OPT payload size. A hit copies the header's
//! ID, RD and CD bits and the question as asked in front of them, so the response is the one the
//! fast path would have built. An entry lives while the index's generation stays the same (every
//! block, reload or head move clears the cache) and until [`GhostZone::stable_until`] (before
//! any record's TTL is cut by its name's expiry), so a name still stops resolving the moment it
//! expires. Only direct answers are cached: no CNAME, no referral, no additional records. Rate
//! limiting and metrics apply to hits as to any answer.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use hickory_proto::ProtoError;
use hickory_proto::op::{Header, HeaderCounts, Metadata, ResponseCode};
use hickory_proto::rr::{Name, Record, RecordType};
use hickory_proto::serialize::binary::{BinDecodable, BinEncodable, BinEncoder};
use hickory_server::net::NetError;
use hickory_server::net::xfer::Protocol;
use hickory_server::server::{ResponseHandler, ResponseInfo};
use hickory_server::zone_handler::MessageResponse;
use parking_lot::Mutex;

use super::handler::{GhostHandler, answer_raw};
use super::rrl::{ResponseKey, Verdict};
use super::wire::{PlainEdns, PlainQuery};
use super::zone::{Answer, GhostZone, Outcome};
use crate::index::now_ms;

/// The OPT pseudo-record's type (RFC 6891).
const TYPE_OPT: u16 = 41;

/// Class IN.
const CLASS_IN: u16 = 1;

/// The header flag bits of a response this server sets.
const QR: u8 = 0x80;
const AA: u8 = 0x04;
const TC: u8 = 0x02;
const RD: u8 = 0x01;
const CD: u8 = 0x10;

/// Answers UDP datagrams for one worker: the fast path, else [`GhostHandler`].
///
/// Each worker owns one (it keeps a reusable buffer for the slow path's response); clones
/// share the handler, its rate limiter and metrics, but not the buffer.
#[derive(Debug)]
pub struct UdpResponder {
    handler: GhostHandler,
    /// Where the slow path's response lands.
    slow: SlowSink,
    /// This worker's encoded answers.
    cache: AnswerCache,
}

/// Bytes of cached answers (keys included) one worker keeps at most; past it the cache starts
/// over. Bounds what a flood of distinct names can make a worker hold.
pub const ANSWER_CACHE_BYTES: usize = 16 << 20;

/// One worker's encoded answers (see the module docs).
#[derive(Debug, Default)]
struct AnswerCache {
    /// The index generation every entry was answered under.
    generation: u64,
    entries: HashMap<Box<[u8]>, CachedAnswer>,
    /// Bytes held by `entries` (keys and answers, not the map's own table).
    bytes: usize,
    /// The key of the query at hand, built in place.
    key: Vec<u8>,
}

/// A response without its ID, RD/CD bits and question.
#[derive(Debug)]
struct CachedAnswer {
    /// The flag bytes with RD and CD clear.
    flags: [u8; 2],
    /// The answer, authority and additional counts as encoded.
    counts: [u8; 6],
    /// Everything after the question.
    rest: Box<[u8]>,
    /// The response code, for the metrics.
    rcode: ResponseCode,
    /// What rate limiting counts the response as.
    rrl_key: ResponseKey,
    /// When (ms) the entry stops being true.
    valid_until: u64,
}

impl AnswerCache {
    /// Starts over if the index moved since the entries were made.
    fn sync(&mut self, generation: u64) {
        if generation != self.generation {
            self.entries.clear();
            self.bytes = 0;
            self.generation = generation;
        }
    }

    /// Builds the key of `query` (lowercased question name, type, OPT payload) in `self.key`.
    fn key_of(&mut self, query: &PlainQuery<'_>, limit: u16) {
        self.key.clear();
        // Length bytes are below 64, so only name bytes can be ASCII letters.
        self.key
            .extend(query.name.iter().map(u8::to_ascii_lowercase));
        self.key.extend_from_slice(&query.qtype.to_be_bytes());
        match query.edns {
            Some(_) => {
                self.key.push(1);
                self.key.extend_from_slice(&limit.to_be_bytes());
            }
            None => self.key.push(0),
        }
    }

    /// The entry for the key built last, if still true at `now`.
    fn get(&self, now: u64) -> Option<&CachedAnswer> {
        self.entries
            .get(self.key.as_slice())
            .filter(|entry| now < entry.valid_until)
    }

    /// Keeps `response` (a full encoded response to the query whose key was built last).
    fn insert(&mut self, response: &[u8], question_len: usize, entry: PendingEntry) {
        let Some(rest) = response.get(HEADER_LEN + question_len..) else {
            return;
        };
        let size = self.key.len() + rest.len() + std::mem::size_of::<CachedAnswer>();
        if self.bytes + size > ANSWER_CACHE_BYTES {
            self.entries.clear();
            self.bytes = 0;
        }
        let mut counts = [0; 6];
        counts.copy_from_slice(&response[6..HEADER_LEN]);
        let cached = CachedAnswer {
            flags: [response[2] & !RD, response[3] & !CD],
            counts,
            rest: rest.into(),
            rcode: entry.rcode,
            rrl_key: entry.rrl_key,
            valid_until: entry.valid_until,
        };
        if let Some(old) = self.entries.insert(self.key.as_slice().into(), cached) {
            self.bytes -= self.key.len() + old.rest.len() + std::mem::size_of::<CachedAnswer>();
        }
        self.bytes += size;
    }
}

/// What a fast answer needs to become a cache entry.
struct PendingEntry {
    rcode: ResponseCode,
    rrl_key: ResponseKey,
    valid_until: u64,
}

/// The DNS header's length.
const HEADER_LEN: usize = 12;

/// Whether `answer` may be cached (see the module docs).
fn cacheable(answer: &Answer) -> bool {
    matches!(
        answer.outcome,
        Outcome::Answer | Outcome::NoData | Outcome::NxDomain
    ) && answer.additional.is_empty()
        && !answer
            .answers
            .iter()
            .any(|r| r.record_type() == RecordType::CNAME)
}

/// Writes a cached response to `query` into `out`: ID, flags with the query's RD and CD, the
/// counts, the question as asked, the rest.
fn write_cached(query: &PlainQuery<'_>, packet: &[u8], entry: &CachedAnswer, out: &mut Vec<u8>) {
    let mut high = entry.flags[0];
    if query.recursion_desired {
        high |= RD;
    }
    let mut low = entry.flags[1];
    if query.checking_disabled {
        low |= CD;
    }
    out.extend_from_slice(&query.id.to_be_bytes());
    out.extend_from_slice(&[high, low, 0, 1]);
    out.extend_from_slice(&entry.counts);
    out.extend_from_slice(&packet[HEADER_LEN..query.question_end]);
    out.extend_from_slice(&entry.rest);
}

impl Clone for UdpResponder {
    fn clone(&self) -> Self {
        UdpResponder::new(self.handler.clone())
    }
}

/// What the fast path did with a datagram.
enum Fast {
    /// Not a query it answers: the slow path decides.
    Fallback,
    /// Answered into the buffer.
    Respond,
    /// Rate limiting dropped the response.
    Drop,
}

impl UdpResponder {
    /// A responder answering with `handler`.
    pub fn new(handler: GhostHandler) -> UdpResponder {
        UdpResponder {
            handler,
            slow: SlowSink::default(),
            cache: AnswerCache::default(),
        }
    }

    /// How many encoded answers this worker holds in its cache.
    pub fn cached_answers(&self) -> usize {
        self.cache.entries.len()
    }

    /// Answers one datagram from `src`, writing the response into `out` (cleared first).
    /// Returns whether there is a response to send; when there is, it is at most the client's
    /// UDP payload size (512 bytes without EDNS). Never panics, whatever the bytes.
    pub fn respond(&mut self, packet: &[u8], src: SocketAddr, out: &mut Vec<u8>) -> bool {
        out.clear();
        match self.fast(packet, src, out) {
            Fast::Respond => true,
            Fast::Drop => false,
            Fast::Fallback => self.respond_slow(packet, src, out),
        }
    }

    /// Answers one datagram through [`GhostHandler`] only (the slow path), as [`respond`]
    /// does for what the fast path does not take.
    ///
    /// [`respond`]: UdpResponder::respond
    pub fn respond_slow(&mut self, packet: &[u8], src: SocketAddr, out: &mut Vec<u8>) -> bool {
        out.clear();
        {
            let mut slot = self.slow.0.lock();
            slot.sent = false;
            slot.bytes.clear();
        }
        // The handler never waits on anything: its future is ready on the first poll.
        futures::executor::block_on(answer_raw(
            &self.handler,
            packet.to_vec(),
            src,
            Protocol::Udp,
            self.slow.clone(),
        ));
        let mut slot = self.slow.0.lock();
        if !slot.sent {
            return false;
        }
        std::mem::swap(out, &mut slot.bytes);
        true
    }

    /// The fast path (see the module docs).
    fn fast(&mut self, packet: &[u8], src: SocketAddr, out: &mut Vec<u8>) -> Fast {
        let started = Instant::now();
        let Ok(query) = PlainQuery::parse(packet) else {
            return Fast::Fallback;
        };
        let qtype = RecordType::from(query.qtype);
        if query.qclass != CLASS_IN || matches!(qtype, RecordType::AXFR | RecordType::IXFR) {
            return Fast::Fallback;
        }
        let zone: &GhostZone = self.handler.zone();
        // Read before answering: a block applied meanwhile only clears the cache early.
        self.cache.sync(zone.generation());
        let now = now_ms();
        let limit = self
            .handler
            .udp_payload(query.edns.map(|edns: PlainEdns| edns.max_payload));
        self.cache.key_of(&query, limit);
        if let Some(entry) = self.cache.get(now) {
            let verdict = self.handler.verdict(src.ip(), || entry.rrl_key.clone());
            let rcode = entry.rcode;
            return match verdict {
                Verdict::Send => {
                    write_cached(&query, packet, entry, out);
                    self.handler.metrics().observe(
                        Some(qtype),
                        rcode,
                        "udp",
                        false,
                        started.elapsed(),
                    );
                    Fast::Respond
                }
                other => self.held_back(&query, other, qtype, limit, started, out),
            };
        }
        let Ok(name) = Name::from_bytes(query.name) else {
            return Fast::Fallback;
        };
        let Some(answer) = zone.answer(&name, qtype, now) else {
            return Fast::Fallback; // REFUSED, from the slow path.
        };
        if encode_answer(&query, &name, &answer, limit, out).is_err() {
            // Too big for the client (or not encodable): the slow path truncates.
            out.clear();
            return Fast::Fallback;
        }
        let rrl_key = || {
            if answer.outcome == Outcome::NxDomain {
                ResponseKey::NxDomain(answer.zone.clone())
            } else {
                ResponseKey::Answer(name.to_lowercase(), qtype)
            }
        };
        let verdict = self.handler.verdict(src.ip(), rrl_key);
        if verdict != Verdict::Send {
            out.clear();
            return self.held_back(&query, verdict, qtype, limit, started, out);
        }
        let rcode: ResponseCode = answer.outcome.into();
        if cacheable(&answer) {
            let valid_until = zone.stable_until(&name, now);
            if valid_until > now {
                let entry = PendingEntry {
                    rcode,
                    rrl_key: rrl_key(),
                    valid_until,
                };
                self.cache
                    .insert(out, query.question_end - HEADER_LEN, entry);
            }
        }
        self.handler
            .metrics()
            .observe(Some(qtype), rcode, "udp", false, started.elapsed());
        Fast::Respond
    }

    /// A response rate limiting holds back: dropped, or slipped as an empty truncated one.
    fn held_back(
        &self,
        query: &PlainQuery<'_>,
        verdict: Verdict,
        qtype: RecordType,
        limit: u16,
        started: Instant,
        out: &mut Vec<u8>,
    ) -> Fast {
        let metrics = self.handler.metrics();
        if verdict != Verdict::Slip {
            metrics.rate_limited("dropped");
            return Fast::Drop;
        }
        metrics.rate_limited("slipped");
        let slipped = Name::from_bytes(query.name)
            .map_err(ProtoError::from)
            .and_then(|name| encode_slip(query, &name, limit, out));
        if slipped.is_err() {
            out.clear();
            return Fast::Drop;
        }
        metrics.observe(
            Some(qtype),
            ResponseCode::NoError,
            "udp",
            true,
            started.elapsed(),
        );
        Fast::Respond
    }
}

/// The first header bytes after the ID: flags (QR, opcode QUERY, AA, TC, RD) and (CD, rcode).
fn flags(query: &PlainQuery<'_>, authoritative: bool, truncated: bool, rcode: u8) -> [u8; 2] {
    let mut high = QR;
    if authoritative {
        high |= AA;
    }
    if truncated {
        high |= TC;
    }
    if query.recursion_desired {
        high |= RD;
    }
    let mut low = rcode & 0x0f;
    if query.checking_disabled {
        low |= CD;
    }
    [high, low]
}

/// Writes the header, the question (as asked) and returns the encoder for the sections.
fn begin<'b>(
    query: &PlainQuery<'_>,
    name: &Name,
    flags: [u8; 2],
    counts: [u16; 3],
    limit: u16,
    out: &'b mut Vec<u8>,
) -> Result<BinEncoder<'b>, ProtoError> {
    let mut encoder = BinEncoder::new(out);
    encoder.set_max_size(limit);
    encoder.emit_u16(query.id)?;
    encoder.emit_vec(&flags)?;
    encoder.emit_u16(1)?;
    for count in counts {
        encoder.emit_u16(count)?;
    }
    // Emitting the name (rather than copying its bytes) records its labels for compression.
    name.emit(&mut encoder)?;
    encoder.emit_u16(query.qtype)?;
    encoder.emit_u16(query.qclass)?;
    Ok(encoder)
}

/// The OPT record of a response: root owner, the payload size, version 0, no flags or options
/// (what [`GhostHandler`] sends).
fn emit_opt(encoder: &mut BinEncoder<'_>, payload: u16) -> Result<(), ProtoError> {
    encoder.emit(0)?;
    encoder.emit_u16(TYPE_OPT)?;
    encoder.emit_u16(payload)?;
    encoder.emit_u32(0)?;
    encoder.emit_u16(0)?;
    Ok(())
}

/// Encodes `answer` to `query` within `limit` bytes.
fn encode_answer(
    query: &PlainQuery<'_>,
    name: &Name,
    answer: &Answer,
    limit: u16,
    out: &mut Vec<u8>,
) -> Result<(), ProtoError> {
    let count = |records: &[Record]| u16::try_from(records.len()).map_err(|_| too_many());
    let additional = count(&answer.additional)?
        .checked_add(u16::from(query.edns.is_some()))
        .ok_or_else(too_many)?;
    let rcode: ResponseCode = answer.outcome.into();
    let rcode = u16::from(rcode) as u8;
    // A referral is not authoritative (RFC 1034 §4.3.2).
    let flags = flags(query, answer.outcome != Outcome::Referral, false, rcode);
    let counts = [
        count(&answer.answers)?,
        count(&answer.authority)?,
        additional,
    ];
    let mut encoder = begin(query, name, flags, counts, limit, out)?;
    for record in answer
        .answers
        .iter()
        .chain(&answer.authority)
        .chain(&answer.additional)
    {
        record.emit(&mut encoder)?;
    }
    if query.edns.is_some() {
        emit_opt(&mut encoder, limit)?;
    }
    Ok(())
}

/// Encodes the empty truncated response rate limiting slips in place of an answer.
fn encode_slip(
    query: &PlainQuery<'_>,
    name: &Name,
    limit: u16,
    out: &mut Vec<u8>,
) -> Result<(), ProtoError> {
    let flags = flags(query, false, true, 0);
    let counts = [0, 0, u16::from(query.edns.is_some())];
    let mut encoder = begin(query, name, flags, counts, limit, out)?;
    if query.edns.is_some() {
        emit_opt(&mut encoder, limit)?;
    }
    Ok(())
}

fn too_many() -> ProtoError {
    ProtoError::from("too many records for one message")
}

/// The slow path's response, as hickory's UDP transport encodes it.
#[derive(Debug, Default)]
struct SlowSlot {
    bytes: Vec<u8>,
    sent: bool,
}

/// A [`ResponseHandler`] that encodes into a [`SlowSlot`] within the UDP payload size.
#[derive(Clone, Debug, Default)]
struct SlowSink(Arc<Mutex<SlowSlot>>);

#[async_trait::async_trait]
impl ResponseHandler for SlowSink {
    async fn send_response<'a>(
        &mut self,
        response: MessageResponse<
            '_,
            'a,
            impl Iterator<Item = &'a Record> + Send + 'a,
            impl Iterator<Item = &'a Record> + Send + 'a,
            impl Iterator<Item = &'a Record> + Send + 'a,
            impl Iterator<Item = &'a Record> + Send + 'a,
        >,
    ) -> Result<ResponseInfo, NetError> {
        let id = response.metadata().id;
        // As hickory's UDP encoder: the response's OPT payload size, else RFC 1035's 512.
        let limit = response.edns().map_or(512, |edns| edns.max_payload());
        let mut slot = self.0.lock();
        let SlowSlot { bytes, sent } = &mut *slot;
        bytes.clear();
        let mut encoder = BinEncoder::new(bytes);
        encoder.set_max_size(limit);
        let info = match response.destructive_emit(&mut encoder) {
            Ok(info) => info,
            Err(error) => {
                tracing::error!(target: "bridge::dns", %error, "error encoding a UDP response");
                bytes.clear();
                let mut metadata = Metadata::new(
                    id,
                    hickory_proto::op::MessageType::Response,
                    hickory_proto::op::OpCode::Query,
                );
                metadata.response_code = ResponseCode::ServFail;
                let header = Header {
                    metadata,
                    counts: HeaderCounts::default(),
                };
                let mut encoder = BinEncoder::new(bytes);
                header.emit(&mut encoder)?;
                ResponseInfo::from(header)
            }
        };
        *sent = true;
        Ok(info)
    }
}
