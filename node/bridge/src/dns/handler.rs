//! [`GhostHandler`]: hickory's [`RequestHandler`] for our zones.
//!
//! It checks the message (opcode, question count, class, EDNS version), asks the
//! [`GhostZone`] for the answer, maps every refusal to a response code in one place
//! ([`QueryError`] → [`ResponseCode`]), and hands hickory a response sized for the transport:
//! the response's OPT record carries the client's UDP payload size (at least 512, at most
//! [`DnsConfig::max_udp_payload`](super::DnsConfig::max_udp_payload)), which hickory's encoder
//! uses as the limit over UDP, setting TC when the answer does not fit (512 bytes when the
//! query had no EDNS). TCP answers are sent whole.
//!
//! The handler never recurses and never sets RA; it sets AA on every answer from our zones
//! (records, NODATA and NXDOMAIN) except referrals to delegated names, and on nothing else.
//!
//! UDP responses pass the [`RateLimiter`] last: a limited response is dropped or replaced by an
//! empty truncated one (see [`super::rrl`]); TCP responses are never limited.

use std::iter;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Instant;

use hickory_proto::op::{
    Edns, Header, HeaderCounts, LowerQuery, MessageType, Metadata, OpCode, ResponseCode,
};
use hickory_proto::rr::{DNSClass, RecordType};
use hickory_proto::serialize::binary::{BinDecodable, BinDecoder};
use hickory_server::net::runtime::{Time, TokioTime};
use hickory_server::net::xfer::Protocol;
use hickory_server::server::{Request, RequestHandler, ResponseHandler, ResponseInfo};
use hickory_server::zone_handler::{MessageResponseBuilder, Queries};

use super::metrics::DnsMetrics;
use super::rrl::{RateLimitConfig, RateLimiter, ResponseKey, Verdict};
use super::zone::{GhostZone, Outcome};
use crate::index::now_ms;

/// The smallest UDP payload every DNS client accepts (RFC 1035).
pub const MIN_UDP_PAYLOAD: u16 = 512;

/// Why a query gets no answer from the zone.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum QueryError {
    /// The message is a response, not a query.
    #[error("message is not a query")]
    NotAQuery,
    /// The opcode is not QUERY (NOTIFY, UPDATE, ...).
    #[error("opcode {0} is not supported")]
    UnsupportedOpcode(OpCode),
    /// The message does not hold exactly one question.
    #[error("{0} questions; exactly one is supported")]
    QuestionCount(usize),
    /// The question's class is not IN.
    #[error("class {0} is not supported")]
    UnsupportedClass(DNSClass),
    /// The query's EDNS version is above 0.
    #[error("EDNS version {0} is not supported")]
    BadEdnsVersion(u8),
    /// A zone transfer (AXFR, IXFR) was asked for.
    #[error("zone transfers are refused")]
    TransferRefused,
    /// The name is outside our zones (this is not an open resolver).
    #[error("not authoritative for the name")]
    NotAuthoritative,
}

impl From<&QueryError> for ResponseCode {
    fn from(error: &QueryError) -> ResponseCode {
        match error {
            QueryError::NotAQuery | QueryError::QuestionCount(_) => ResponseCode::FormErr,
            QueryError::UnsupportedOpcode(_) | QueryError::UnsupportedClass(_) => {
                ResponseCode::NotImp
            }
            QueryError::BadEdnsVersion(_) => ResponseCode::BADVERS,
            QueryError::TransferRefused | QueryError::NotAuthoritative => ResponseCode::Refused,
        }
    }
}

impl From<Outcome> for ResponseCode {
    fn from(outcome: Outcome) -> ResponseCode {
        match outcome {
            Outcome::Answer | Outcome::NoData | Outcome::Referral => ResponseCode::NoError,
            Outcome::NxDomain => ResponseCode::NXDomain,
        }
    }
}

/// Answers queries for a [`GhostZone`] and counts them in [`DnsMetrics`].
#[derive(Clone, Debug)]
pub struct GhostHandler {
    zone: GhostZone,
    metrics: DnsMetrics,
    max_udp_payload: u16,
    limiter: Arc<RateLimiter>,
    /// The origin of the limiter's clock.
    epoch: Instant,
}

impl GhostHandler {
    /// A handler for `zone` advertising and using at most `max_udp_payload` bytes over UDP
    /// (raised to 512 if lower), without rate limiting.
    pub fn new(zone: GhostZone, metrics: DnsMetrics, max_udp_payload: u16) -> GhostHandler {
        GhostHandler {
            zone,
            metrics,
            max_udp_payload: max_udp_payload.max(MIN_UDP_PAYLOAD),
            limiter: Arc::new(RateLimiter::new(RateLimitConfig::off())),
            epoch: Instant::now(),
        }
    }

    /// This handler, rate-limiting UDP responses with `config`.
    pub fn with_rate_limit(mut self, config: RateLimitConfig) -> GhostHandler {
        self.limiter = Arc::new(RateLimiter::new(config));
        self
    }

    /// The zone answered from.
    pub fn zone(&self) -> &GhostZone {
        &self.zone
    }

    /// The metrics updated.
    pub(super) fn metrics(&self) -> &DnsMetrics {
        &self.metrics
    }

    /// The UDP payload size a response may use and advertises, for a client asking for
    /// `asked` bytes in its OPT record (`None`: no OPT, so 512).
    pub(super) fn udp_payload(&self, asked: Option<u16>) -> u16 {
        asked.map_or(MIN_UDP_PAYLOAD, |asked| {
            asked.clamp(MIN_UDP_PAYLOAD, self.max_udp_payload)
        })
    }

    /// What response-rate limiting says about a UDP response to `client`; `key` is only
    /// computed when the limiter applies to the client.
    pub(super) fn verdict(&self, client: IpAddr, key: impl FnOnce() -> ResponseKey) -> Verdict {
        if !self.limiter.applies_to(client) {
            return Verdict::Send;
        }
        let now_ms = u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.limiter.check(client, &key(), now_ms)
    }

    /// The response's OPT record: present when the query had one, with the payload size the
    /// UDP response may use.
    fn response_edns(&self, request: &Request) -> Option<Edns> {
        request.edns.as_ref().map(|asked| {
            let mut edns = Edns::new();
            edns.set_version(0);
            edns.set_max_payload(self.udp_payload(Some(asked.max_payload())));
            edns
        })
    }

    /// The one question the zone should answer.
    fn check<'r>(&self, request: &'r Request) -> Result<&'r LowerQuery, QueryError> {
        if request.metadata.message_type != MessageType::Query {
            return Err(QueryError::NotAQuery);
        }
        if request.metadata.op_code != OpCode::Query {
            return Err(QueryError::UnsupportedOpcode(request.metadata.op_code));
        }
        if let Some(edns) = &request.edns
            && edns.version() > 0
        {
            return Err(QueryError::BadEdnsVersion(edns.version()));
        }
        let query = match request.queries.queries() {
            [query] => query,
            queries => return Err(QueryError::QuestionCount(queries.len())),
        };
        if query.query_class() != DNSClass::IN {
            return Err(QueryError::UnsupportedClass(query.query_class()));
        }
        if matches!(query.query_type(), RecordType::AXFR | RecordType::IXFR) {
            return Err(QueryError::TransferRefused);
        }
        Ok(query)
    }
}

#[async_trait::async_trait]
impl RequestHandler for GhostHandler {
    async fn handle_request<R: ResponseHandler, T: Time>(
        &self,
        request: &Request,
        mut response_handle: R,
    ) -> ResponseInfo {
        let started = Instant::now();
        let edns = self.response_edns(request);
        let builder = MessageResponseBuilder::new(&request.queries, edns.as_ref());
        let answer = self.check(request).and_then(|query| {
            self.zone
                .answer(query.original().name(), query.query_type(), now_ms())
                .ok_or(QueryError::NotAuthoritative)
        });
        let verdict = if request.protocol().is_datagram() {
            self.verdict(request.src().ip(), || {
                match (&answer, request.queries.queries()) {
                    (Ok(answer), [_]) if answer.outcome == Outcome::NxDomain => {
                        ResponseKey::NxDomain(answer.zone.clone())
                    }
                    (Ok(_), [query]) => {
                        ResponseKey::Answer(query.name().clone().into(), query.query_type())
                    }
                    (Ok(_), _) => ResponseKey::Error(ResponseCode::FormErr),
                    (Err(error), _) => ResponseKey::Error(error.into()),
                }
            })
        } else {
            Verdict::Send
        };
        let sent = match (verdict, &answer) {
            (Verdict::Drop, _) => {
                self.metrics.rate_limited("dropped");
                return ResponseInfo::from(Header {
                    metadata: Metadata::response_from_request(&request.metadata),
                    counts: HeaderCounts::default(),
                });
            }
            (Verdict::Slip, _) => {
                self.metrics.rate_limited("slipped");
                let mut metadata = Metadata::response_from_request(&request.metadata);
                metadata.truncation = true;
                response_handle
                    .send_response(builder.build_no_records(metadata))
                    .await
            }
            (Verdict::Send, Ok(answer)) => {
                let mut metadata = Metadata::response_from_request(&request.metadata);
                // A referral is not authoritative (RFC 1034 §4.3.2).
                metadata.authoritative = answer.outcome != Outcome::Referral;
                metadata.response_code = answer.outcome.into();
                let response = builder.build(
                    metadata,
                    answer.answers.iter(),
                    answer.authority.iter(),
                    iter::empty(),
                    answer.additional.iter(),
                );
                response_handle.send_response(response).await
            }
            (Verdict::Send, Err(error)) => {
                tracing::debug!(target: "bridge::dns", id = request.metadata.id, %error, "query refused");
                response_handle
                    .send_response(builder.error_msg(&request.metadata, error.into()))
                    .await
            }
        };
        let info = sent.unwrap_or_else(|error| {
            tracing::warn!(target: "bridge::dns", id = request.metadata.id, %error, "failed to send a DNS response");
            let mut metadata = Metadata::response_from_request(&request.metadata);
            metadata.response_code = ResponseCode::ServFail;
            ResponseInfo::from(Header { metadata, counts: HeaderCounts::default() })
        });
        let qtype = match request.queries.queries() {
            [query] => Some(query.query_type()),
            _ => None,
        };
        let transport = if request.protocol().is_datagram() {
            "udp"
        } else {
            "tcp"
        };
        self.metrics.observe(
            qtype,
            info.response_code,
            transport,
            info.truncation,
            started.elapsed(),
        );
        info
    }
}

/// Answers one raw message from `src` over `protocol` as hickory's server does, through
/// `response`: too short for a header: nothing; a response: nothing (no reflection); unparsable:
/// FORMERR; else [`GhostHandler`]'s answer. The TCP loop and the UDP slow path share it.
pub(super) async fn answer_raw<R: ResponseHandler>(
    handler: &GhostHandler,
    bytes: Vec<u8>,
    src: SocketAddr,
    protocol: Protocol,
    mut response: R,
) {
    let header = match Header::read(&mut BinDecoder::new(&bytes)) {
        Ok(header) => header,
        Err(_) => return,
    };
    if header.metadata.message_type == MessageType::Response {
        return;
    }
    match Request::from_bytes(bytes, src, protocol) {
        Ok(request) => {
            handler
                .handle_request::<_, TokioTime>(&request, response)
                .await;
        }
        Err(error) => {
            tracing::debug!(target: "bridge::dns", %src, %protocol, %error, "unparsable message");
            let Ok(queries) = Queries::read(&mut BinDecoder::new(&[]), 0) else {
                return;
            };
            let reply = MessageResponseBuilder::new(&queries, None)
                .error_msg(&header.metadata, ResponseCode::FormErr);
            if let Err(error) = response.send_response(reply).await {
                tracing::debug!(target: "bridge::dns", %src, %error, "failed to send FORMERR");
            }
        }
    }
}
