//! [`GhostZone`]: the authoritative answer to one question, read from the [`NameIndex`] only.
//!
//! The zone knows DNS semantics and nothing about sockets or messages:
//!
//! - **Apex** (`ghost.`, `bc.`): an SOA whose serial is the index's head block height (so it
//!   moves with every block the index applies) and one NS record naming the configured server.
//!   The chain stores nothing at a TLD itself, so every other type there is NODATA.
//! - **Names below the apex** come from [`NameIndex::lookup`], which also applies expiry at the
//!   query's `now`: unregistered and expired names are NXDOMAIN, existing names (registered,
//!   holding records, or an empty non-terminal such as `_tcp.alice.ghost`) without the asked type
//!   are NODATA. Both carry the zone's SOA in the authority section (RFC 2308).
//! - **CNAME** answers any type but CNAME and ANY. A target inside our zones is chased in the
//!   same answer, at most [`MAX_CNAME_HOPS`] times and never to a name already in the chain; the
//!   response code then describes the last name (RFC 6604). A target outside our zones ends the
//!   chain with NOERROR: the client's resolver follows it, this server never recurses.
//! - **ANY** gets RFC 8482's minimal answer, so it cannot be used to amplify: a name that
//!   exists answers one synthesized `HINFO "RFC8482" ""` record, the apex its SOA alone. A name
//!   that does not exist is NXDOMAIN as for any type.
//! - **NS records stored by owners** are answered as data: the chain is authoritative for every
//!   name under its TLDs, so there are no zone cuts and no referrals.

use ghost_primitives::RecordType as ChainType;
use hickory_proto::rr::rdata::{HINFO, NS, SOA};
use hickory_proto::rr::{Name, RData, Record, RecordType};

use super::convert::{absolute_name, chain_type, index_key, to_record};
use crate::index::{Lookup, NameIndex};

/// How many CNAMEs one answer follows. A CNAME met after that many is still included, but not
/// followed.
pub const MAX_CNAME_HOPS: usize = 8;

/// TTL of the synthesized RFC 8482 answer to ANY (seconds; RFC 8482 §6 suggests a long one).
pub const ANY_TTL: u32 = 3_600;

/// The SOA and NS data of every zone served.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SoaConfig {
    /// The primary name server (SOA MNAME, and the apex NS target), without the trailing dot.
    pub nameserver: String,
    /// The responsible mailbox as a name (SOA RNAME; `hostmaster.ghost` is `hostmaster@ghost`).
    pub hostmaster: String,
    /// Secondary refresh interval (seconds).
    pub refresh: i32,
    /// Secondary retry interval (seconds).
    pub retry: i32,
    /// Secondary expiry (seconds).
    pub expire: i32,
    /// Negative-caching TTL (seconds), also the TTL of the SOA record itself.
    pub minimum: u32,
    /// TTL of the apex NS record (seconds).
    pub ns_ttl: u32,
}

impl Default for SoaConfig {
    fn default() -> Self {
        SoaConfig {
            nameserver: "ns.ghost".into(),
            hostmaster: "hostmaster.ghost".into(),
            refresh: 3_600,
            retry: 600,
            expire: 604_800,
            minimum: 60,
            ns_ttl: 3_600,
        }
    }
}

/// Why a zone configuration is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ZoneConfigError {
    /// No zone to serve.
    #[error("no zones configured")]
    NoZones,
    /// A zone is not a DNS name of `a-z 0-9 - _` labels.
    #[error("zone `{0}` is not a valid DNS name")]
    InvalidZone(String),
    /// The SOA nameserver or hostmaster is not a valid DNS name.
    #[error("SOA name `{0}` is not a valid DNS name")]
    InvalidSoaName(String),
}

/// What an answer says about the last name it looked at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Records of the asked type (or a CNAME chain that ends outside our zones, in a loop or
    /// at the hop limit): NOERROR.
    Answer,
    /// The name exists but has no record of the asked type: NOERROR, SOA in authority.
    NoData,
    /// The name does not exist or has expired: NXDOMAIN, SOA in authority.
    NxDomain,
}

/// The sections of an authoritative response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    /// What the answer says.
    pub outcome: Outcome,
    /// Answer section: a CNAME chain (if any), then the records found.
    pub answers: Vec<Record>,
    /// Authority section: the zone's SOA for NODATA and NXDOMAIN, else empty.
    pub authority: Vec<Record>,
    /// The apex of the zone of the last name looked at (`ghost.`).
    pub zone: Name,
}

/// One zone apex.
#[derive(Clone, Debug)]
struct Origin {
    /// `ghost.`
    name: Name,
}

/// What one name contributes to an answer.
enum Step {
    /// Records of the asked type (empty: NODATA).
    Records(Vec<Record>),
    /// A CNAME to follow.
    Alias(Box<Record>, Name),
    /// Nothing exists at the name.
    NxDomain,
}

/// The authoritative zones (`ghost.`, `bc.`), answering from a [`NameIndex`].
#[derive(Clone)]
pub struct GhostZone {
    index: NameIndex,
    origins: Vec<Origin>,
    mname: Name,
    rname: Name,
    soa: SoaConfig,
}

impl std::fmt::Debug for GhostZone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GhostZone")
            .field("origins", &self.origins)
            .field("names", &self.index.len())
            .field("soa", &self.soa)
            .finish_non_exhaustive()
    }
}

impl GhostZone {
    /// The zones `zones` (`ghost`, `bc.`; any case, trailing dot optional) over `index`.
    pub fn new(
        index: NameIndex,
        zones: &[String],
        soa: SoaConfig,
    ) -> Result<GhostZone, ZoneConfigError> {
        if zones.is_empty() {
            return Err(ZoneConfigError::NoZones);
        }
        let origins = zones
            .iter()
            .map(|zone| {
                let text = zone.strip_suffix('.').unwrap_or(zone).to_ascii_lowercase();
                absolute_name(&text)
                    .ok()
                    .filter(|name| !name.is_root() && index_key(name).is_some())
                    .map(|name| Origin { name })
                    .ok_or_else(|| ZoneConfigError::InvalidZone(zone.clone()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let soa_name = |text: &str| {
            absolute_name(&text.strip_suffix('.').unwrap_or(text).to_ascii_lowercase())
                .map_err(|_| ZoneConfigError::InvalidSoaName(text.into()))
        };
        let mname = soa_name(&soa.nameserver)?;
        let rname = soa_name(&soa.hostmaster)?;
        Ok(GhostZone {
            index,
            origins,
            mname,
            rname,
            soa,
        })
    }

    /// The zone apexes served.
    pub fn origins(&self) -> impl Iterator<Item = &Name> {
        self.origins.iter().map(|o| &o.name)
    }

    /// The SOA serial now: the index's head block height (0 before the first block), modulo
    /// 2^32 as serial-number arithmetic (RFC 1982) expects.
    pub fn serial(&self) -> u32 {
        self.index.head().map_or(0, |head| head.height as u32)
    }

    /// The deepest of our zones holding `name` (any case), if any.
    fn origin_of(&self, name: &Name) -> Option<&Origin> {
        let lower = name.to_lowercase();
        self.origins
            .iter()
            .filter(|o| o.name.zone_of(&lower))
            .max_by_key(|o| o.name.num_labels())
    }

    /// Answers `qtype` at `qname` (as asked; matched case-insensitively) at `now` (ms since the
    /// Unix epoch). `None` when the name is outside our zones (the caller refuses it).
    pub fn answer(&self, qname: &Name, qtype: RecordType, now: u64) -> Option<Answer> {
        let mut origin = self.origin_of(qname)?;
        let mut owner = qname.clone();
        let mut chain = vec![qname.to_lowercase()];
        let mut answers = Vec::new();
        let outcome = loop {
            match self.step(&owner, origin, qtype, now) {
                Step::Records(records) if records.is_empty() => break Outcome::NoData,
                Step::Records(records) => {
                    answers.extend(records);
                    break Outcome::Answer;
                }
                Step::NxDomain => break Outcome::NxDomain,
                Step::Alias(cname, target) => {
                    answers.push(*cname);
                    let Some(next) = self.origin_of(&target) else {
                        break Outcome::Answer;
                    };
                    if chain.len() > MAX_CNAME_HOPS || chain.contains(&target) {
                        break Outcome::Answer;
                    }
                    chain.push(target.clone());
                    origin = next;
                    owner = target;
                }
            }
        };
        let authority = match outcome {
            Outcome::Answer => Vec::new(),
            Outcome::NoData | Outcome::NxDomain => vec![self.soa_record(&origin.name)],
        };
        Some(Answer {
            outcome,
            answers,
            authority,
            zone: origin.name.clone(),
        })
    }

    /// What `owner` (inside `origin`) holds for `qtype`.
    fn step(&self, owner: &Name, origin: &Origin, qtype: RecordType, now: u64) -> Step {
        let lower = owner.to_lowercase();
        if lower == origin.name {
            return Step::Records(self.apex(owner, qtype));
        }
        let Some(key) = index_key(&lower) else {
            // A byte no stored name can hold: nothing can exist here.
            return Step::NxDomain;
        };
        let found = match self.index.lookup(&key, chain_type(qtype), now) {
            Lookup::NxDomain => return Step::NxDomain,
            Lookup::Found(found) => found,
        };
        if !matches!(qtype, RecordType::CNAME | RecordType::ANY)
            && let Some(alias) = found.iter().find(|r| r.data.rtype() == ChainType::CNAME)
        {
            return match to_record(owner, alias) {
                Ok(record) => match &record.data {
                    RData::CNAME(target) => {
                        let target = target.0.clone();
                        Step::Alias(Box::new(record), target)
                    }
                    _ => Step::Records(Vec::new()),
                },
                Err(error) => {
                    tracing::warn!(target: "bridge::dns", name = %key, %error, "skipping a stored CNAME");
                    Step::Records(Vec::new())
                }
            };
        }
        if qtype == RecordType::ANY {
            // RFC 8482 §4.2: the name exists; answer one synthesized record, not everything.
            let hinfo = HINFO::new("RFC8482".into(), String::new());
            return Step::Records(vec![Record::from_rdata(
                owner.clone(),
                ANY_TTL,
                RData::HINFO(hinfo),
            )]);
        }
        let wanted = chain_type(qtype);
        let records = found
            .iter()
            .filter(|r| wanted == Some(r.data.rtype()))
            .filter_map(|r| match to_record(owner, r) {
                Ok(record) => Some(record),
                Err(error) => {
                    tracing::warn!(target: "bridge::dns", name = %key, %error, "skipping a stored record");
                    None
                }
            })
            .collect();
        Step::Records(records)
    }

    /// The records at a zone apex.
    fn apex(&self, owner: &Name, qtype: RecordType) -> Vec<Record> {
        let soa = || self.soa_record(owner);
        let ns = || {
            Record::from_rdata(
                owner.clone(),
                self.soa.ns_ttl,
                RData::NS(NS(self.mname.clone())),
            )
        };
        match qtype {
            RecordType::SOA => vec![soa()],
            RecordType::NS => vec![ns()],
            // RFC 8482 §4.1: one RRset, the SOA.
            RecordType::ANY => vec![soa()],
            _ => Vec::new(),
        }
    }

    /// The SOA of the zone at `origin`.
    fn soa_record(&self, origin: &Name) -> Record {
        let soa = SOA::new(
            self.mname.clone(),
            self.rname.clone(),
            self.serial(),
            self.soa.refresh,
            self.soa.retry,
            self.soa.expire,
            self.soa.minimum,
        );
        Record::from_rdata(origin.clone(), self.soa.minimum, RData::SOA(soa))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::BlockRef;
    use ghost_primitives::{
        DnsRecord, DomainName, Hash, Pair, RecordData, RecordLabel, Web3Records,
    };
    use ghost_rpc::ResolutionJson;

    fn record(label: &str, assignment: &str) -> DnsRecord {
        DnsRecord {
            label: RecordLabel::parse(label).unwrap(),
            ttl: 60,
            data: RecordData::parse_assignment(assignment).unwrap(),
        }
    }

    fn register(index: &NameIndex, name: &str, expires_at: u64, records: Vec<DnsRecord>) {
        let domain = DomainName::parse(name).unwrap();
        index.apply(
            &domain,
            Some(&ResolutionJson {
                namehash: domain.namehash(),
                name: domain.clone(),
                owner: Pair::dev("Alice").public(),
                records,
                web3: Web3Records::default(),
                expires_at,
                created_at: 0,
                status: "active".into(),
                parent: None,
                update_key: None,
                update_sequence: 0,
            }),
        );
    }

    fn zone(index: &NameIndex) -> GhostZone {
        GhostZone::new(
            index.clone(),
            &["ghost".into(), "BC.".into()],
            SoaConfig::default(),
        )
        .unwrap()
    }

    fn name(s: &str) -> Name {
        Name::from_ascii(s).unwrap()
    }

    fn targets(answer: &Answer) -> Vec<String> {
        answer
            .answers
            .iter()
            .map(|r| format!("{} {}", r.name, r.data))
            .collect()
    }

    #[test]
    fn chases_cnames_inside_the_zones_and_stops_at_loops_and_outside() {
        let index = NameIndex::new();
        register(
            &index,
            "alice.ghost",
            u64::MAX,
            vec![
                record("@", "A=10.0.0.1"),
                record("www", "CNAME=alice.ghost"),
            ],
        );
        register(
            &index,
            "loop.ghost",
            u64::MAX,
            vec![
                record("a", "CNAME=b.loop.ghost"),
                record("b", "CNAME=a.loop.ghost"),
            ],
        );
        register(
            &index,
            "out.bc",
            u64::MAX,
            vec![record("@", "CNAME=example.com")],
        );
        register(
            &index,
            "dangling.ghost",
            u64::MAX,
            vec![record("@", "CNAME=nobody.ghost")],
        );
        let zone = zone(&index);

        let www = zone
            .answer(&name("WWW.alice.ghost."), RecordType::A, 0)
            .unwrap();
        assert_eq!(www.outcome, Outcome::Answer);
        assert_eq!(
            targets(&www),
            ["WWW.alice.ghost. alice.ghost.", "alice.ghost. 10.0.0.1"]
        );
        assert!(www.authority.is_empty());

        let cname = zone
            .answer(&name("www.alice.ghost."), RecordType::CNAME, 0)
            .unwrap();
        assert_eq!(targets(&cname), ["www.alice.ghost. alice.ghost."]);

        let looped = zone
            .answer(&name("a.loop.ghost."), RecordType::A, 0)
            .unwrap();
        assert_eq!(looped.outcome, Outcome::Answer);
        assert_eq!(looped.answers.len(), 2);

        let out = zone.answer(&name("out.bc."), RecordType::A, 0).unwrap();
        assert_eq!(targets(&out), ["out.bc. example.com."]);

        let dangling = zone
            .answer(&name("dangling.ghost."), RecordType::A, 0)
            .unwrap();
        assert_eq!(dangling.outcome, Outcome::NxDomain);
        assert_eq!(dangling.answers.len(), 1);
        assert_eq!(dangling.authority.len(), 1);
    }

    #[test]
    fn long_chains_stop_at_the_hop_limit() {
        let index = NameIndex::new();
        let records = (0..20)
            .map(|i| record(&format!("c{i}"), &format!("CNAME=c{}.chain.ghost", i + 1)))
            .collect();
        register(&index, "chain.ghost", u64::MAX, records);
        let answer = zone(&index)
            .answer(&name("c0.chain.ghost."), RecordType::A, 0)
            .unwrap();
        assert_eq!(answer.outcome, Outcome::Answer);
        assert_eq!(answer.answers.len(), MAX_CNAME_HOPS + 1);
    }

    #[test]
    fn apex_has_soa_and_ns_and_the_serial_follows_the_head() {
        let index = NameIndex::new();
        let zone = zone(&index);
        index.set_head(BlockRef {
            height: 7,
            hash: Hash::ZERO,
        });
        let soa = zone.answer(&name("Ghost."), RecordType::SOA, 0).unwrap();
        match &soa.answers[..] {
            [record] => match &record.data {
                RData::SOA(soa) => {
                    assert_eq!(soa.serial, 7);
                    assert_eq!(soa.mname, name("ns.ghost."));
                    assert_eq!(soa.rname, name("hostmaster.ghost."));
                    assert_eq!(soa.minimum, 60);
                }
                other => panic!("{other:?}"),
            },
            other => panic!("{other:?}"),
        }
        index.set_head(BlockRef {
            height: 8,
            hash: Hash::ZERO,
        });
        assert_eq!(zone.serial(), 8);
        assert_eq!(
            targets(&zone.answer(&name("bc."), RecordType::NS, 0).unwrap()),
            ["bc. ns.ghost."]
        );
        let nodata = zone.answer(&name("ghost."), RecordType::A, 0).unwrap();
        assert_eq!(
            (nodata.outcome, nodata.answers.len(), nodata.authority.len()),
            (Outcome::NoData, 0, 1)
        );
    }

    #[test]
    fn other_zones_are_not_ours_and_bad_configs_are_refused() {
        let index = NameIndex::new();
        assert!(
            zone(&index)
                .answer(&name("example.com."), RecordType::A, 0)
                .is_none()
        );
        assert!(
            zone(&index)
                .answer(&name("ghost.com."), RecordType::A, 0)
                .is_none()
        );
        assert!(
            zone(&index)
                .answer(&Name::root(), RecordType::NS, 0)
                .is_none()
        );
        assert_eq!(
            GhostZone::new(index.clone(), &[], SoaConfig::default()).unwrap_err(),
            ZoneConfigError::NoZones
        );
        assert!(matches!(
            GhostZone::new(index.clone(), &["bad zone".into()], SoaConfig::default()),
            Err(ZoneConfigError::InvalidZone(_))
        ));
        assert!(matches!(
            GhostZone::new(index, &[".".into()], SoaConfig::default()),
            Err(ZoneConfigError::InvalidZone(_))
        ));
    }

    #[test]
    fn unsupported_types_are_nodata_and_any_gets_the_rfc8482_minimal_answer() {
        let index = NameIndex::new();
        register(
            &index,
            "alice.ghost",
            u64::MAX,
            vec![record("@", "A=10.0.0.1"), record("@", "TXT=hi")],
        );
        let zone = zone(&index);
        let https = zone
            .answer(&name("alice.ghost."), RecordType::HTTPS, 0)
            .unwrap();
        assert_eq!(https.outcome, Outcome::NoData);
        let any = zone
            .answer(&name("alice.ghost."), RecordType::ANY, 0)
            .unwrap();
        assert_eq!(targets(&any), ["alice.ghost. RFC8482 "]);
        assert_eq!(any.answers[0].ttl, ANY_TTL);
        let apex = zone.answer(&name("ghost."), RecordType::ANY, 0).unwrap();
        assert_eq!(
            apex.answers
                .iter()
                .map(Record::record_type)
                .collect::<Vec<_>>(),
            [RecordType::SOA]
        );
        let missing = zone
            .answer(&name("bob.ghost."), RecordType::ANY, 0)
            .unwrap();
        assert_eq!(missing.outcome, Outcome::NxDomain);
        let odd = zone
            .answer(&name("a\\.b.ghost."), RecordType::A, 0)
            .unwrap();
        assert_eq!(odd.outcome, Outcome::NxDomain);
    }
}
