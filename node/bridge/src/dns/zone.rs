//! [`GhostZone`]: the authoritative answer to one question, read from the [`NameIndex`] only.
//!
//! The zone knows DNS semantics and nothing about sockets or messages:
//!
//! - **Apex** (`ghost.`, `bc.`): an SOA whose serial is the index's head block height (so it
//!   moves with every block the index applies) and an NS record per configured name server
//!   (`--dns-ns-name`), with glue A/AAAA (`--dns-ns-addr`) in the additional section for those
//!   inside our zones; those names answer their configured addresses. The chain stores nothing
//!   at a TLD itself, so every other type there is NODATA.
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
//! - **Delegation.** NS records an owner stores at a name make a zone cut there: a query for the
//!   name or anything below it gets a referral (NOERROR, AA off, empty answer, the NS set in
//!   authority, glue A/AAAA for name servers inside the delegated name in additional), so the
//!   owner can host the zone on their own BIND or Knot. The highest cut below the apex wins. DS
//!   at the cut belongs to the parent side and is NODATA (the zones are unsigned). A CNAME chain
//!   that reaches a delegated name stops there; the resolver follows it.

use std::net::IpAddr;

use ghost_primitives::RecordType as ChainType;
use hickory_proto::rr::rdata::{A, AAAA, HINFO, NS, SOA};
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
    /// The apex NS targets, without the trailing dot; the first is the SOA MNAME. Default
    /// `ns.ghost`.
    pub nameservers: Vec<String>,
    /// Addresses of name servers (glue): `(name, address)`, served for names inside our zones.
    pub nameserver_addrs: Vec<(String, IpAddr)>,
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
            nameservers: vec!["ns.ghost".into()],
            nameserver_addrs: Vec::new(),
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
    /// No name server is configured.
    #[error("no name servers configured")]
    NoNameservers,
    /// An address is given for a name that is not one of the name servers.
    #[error("address for `{0}`, which is not a configured name server")]
    AddressForUnknownNameserver(String),
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
    /// The name is at or below a zone cut: NOERROR, not authoritative, NS in authority.
    Referral,
}

/// The sections of an authoritative response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    /// What the answer says.
    pub outcome: Outcome,
    /// Answer section: a CNAME chain (if any), then the records found.
    pub answers: Vec<Record>,
    /// Authority section: the zone's SOA for NODATA and NXDOMAIN, the delegation's NS set for a
    /// referral, else empty.
    pub authority: Vec<Record>,
    /// Additional section: glue addresses of in-zone name servers (apex NS, referrals).
    pub additional: Vec<Record>,
    /// The apex of the zone of the last name looked at (`ghost.`), or the cut of a referral.
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
    /// The name is at or below the cut `cut`: its NS set and glue.
    Referral {
        cut: Name,
        ns: Vec<Record>,
        glue: Vec<Record>,
    },
}

/// The authoritative zones (`ghost.`, `bc.`), answering from a [`NameIndex`].
#[derive(Clone)]
pub struct GhostZone {
    index: NameIndex,
    origins: Vec<Origin>,
    /// The apex NS targets.
    nameservers: Vec<Name>,
    /// The SOA MNAME (the first name server).
    mname: Name,
    /// Configured addresses of name servers.
    glue: Vec<(Name, IpAddr)>,
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
        let nameservers = soa
            .nameservers
            .iter()
            .map(|ns| soa_name(ns))
            .collect::<Result<Vec<_>, _>>()?;
        let mname = nameservers
            .first()
            .cloned()
            .ok_or(ZoneConfigError::NoNameservers)?;
        let glue = soa
            .nameserver_addrs
            .iter()
            .map(|(ns, addr)| {
                let name = soa_name(ns)?;
                if nameservers.contains(&name) {
                    Ok((name, *addr))
                } else {
                    Err(ZoneConfigError::AddressForUnknownNameserver(ns.clone()))
                }
            })
            .collect::<Result<Vec<_>, _>>()?;
        let rname = soa_name(&soa.hostmaster)?;
        Ok(GhostZone {
            index,
            origins,
            nameservers,
            mname,
            glue,
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

    /// The index's [`NameIndex::generation`]: answers cached under one value stay true until
    /// it changes (or their [`GhostZone::stable_until`] passes).
    pub fn generation(&self) -> u64 {
        self.index.generation()
    }

    /// Until when (ms) [`GhostZone::answer`] for `qname` (any type) keeps giving what it gives
    /// at `now` while the [`generation`](GhostZone::generation) stays the same; see
    /// [`NameIndex::stable_until`]. The apex, glue and names no stored name can be are stable
    /// until the next change.
    pub fn stable_until(&self, qname: &Name, now: u64) -> u64 {
        index_key(&qname.to_lowercase()).map_or(u64::MAX, |key| self.index.stable_until(&key, now))
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
        let mut referral = None;
        let outcome = loop {
            match self.step(&owner, origin, qtype, now) {
                // A CNAME chain stops at a delegation: the resolver follows it from there.
                Step::Referral { .. } if chain.len() > 1 => break Outcome::Answer,
                Step::Referral { cut, ns, glue } => {
                    referral = Some((cut, ns, glue));
                    break Outcome::Referral;
                }
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
        if let Some((cut, ns, glue)) = referral {
            return Some(Answer {
                outcome,
                answers,
                authority: ns,
                additional: glue,
                zone: cut,
            });
        }
        let authority = match outcome {
            Outcome::Answer | Outcome::Referral => Vec::new(),
            Outcome::NoData | Outcome::NxDomain => vec![self.soa_record(&origin.name)],
        };
        let additional = if qtype == RecordType::NS && owner.to_lowercase() == origin.name {
            self.nameservers
                .iter()
                .flat_map(|ns| self.glue_of(ns))
                .collect()
        } else {
            Vec::new()
        };
        Some(Answer {
            outcome,
            answers,
            authority,
            additional,
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
        if self.glue.iter().any(|(ns, _)| *ns == lower) {
            let records = self
                .glue_of(&lower)
                .into_iter()
                .filter(|r| r.record_type() == qtype)
                .map(|mut r| {
                    r.name = owner.clone();
                    r
                })
                .collect();
            return Step::Records(records);
        }
        // Zone cuts: the highest name between the apex and the query name holding NS records.
        let labels: Vec<&str> = key.split('.').collect();
        let apex_labels = usize::from(origin.name.num_labels());
        for depth in apex_labels + 1..labels.len() {
            let candidate = labels[labels.len() - depth..].join(".");
            match self.index.lookup(&candidate, Some(ChainType::NS), now) {
                Lookup::NxDomain => return Step::NxDomain,
                Lookup::Found(found) => {
                    if let Some(referral) = self.referral(&candidate, &found, now) {
                        return referral;
                    }
                }
            }
        }
        let found = match self.index.lookup(&key, None, now) {
            Lookup::NxDomain => return Step::NxDomain,
            Lookup::Found(found) => found,
        };
        if qtype != RecordType::DS
            && let Some(referral) = self.referral(&key, &found, now)
        {
            return referral;
        }
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

    /// A referral to the cut at `cut` (index text) if `found` (its records) holds NS records.
    fn referral(&self, cut: &str, found: &[ghost_primitives::DnsRecord], now: u64) -> Option<Step> {
        let cut_name = absolute_name(cut).ok()?;
        let ns: Vec<Record> = found
            .iter()
            .filter(|r| r.data.rtype() == ChainType::NS)
            .filter_map(|r| to_record(&cut_name, r).ok())
            .collect();
        if ns.is_empty() {
            return None;
        }
        let mut glue = Vec::new();
        for record in &ns {
            let RData::NS(target) = &record.data else {
                continue;
            };
            // Glue only for name servers inside the delegated name (in-bailiwick).
            if !cut_name.zone_of(&target.0) {
                continue;
            }
            let Some(target_key) = index_key(&target.0.to_lowercase()) else {
                continue;
            };
            if let Lookup::Found(addresses) = self.index.lookup(&target_key, None, now) {
                glue.extend(
                    addresses
                        .iter()
                        .filter(|r| matches!(r.data.rtype(), ChainType::A | ChainType::AAAA))
                        .filter_map(|r| to_record(&target.0, r).ok()),
                );
            }
        }
        Some(Step::Referral {
            cut: cut_name,
            ns,
            glue,
        })
    }

    /// The configured addresses of name server `ns` if it lies inside our zones.
    fn glue_of(&self, ns: &Name) -> Vec<Record> {
        if self.origin_of(ns).is_none() {
            return Vec::new();
        }
        self.glue
            .iter()
            .filter(|(name, _)| name == ns)
            .map(|(name, addr)| {
                let data = match addr {
                    IpAddr::V4(ip) => RData::A(A(*ip)),
                    IpAddr::V6(ip) => RData::AAAA(AAAA(*ip)),
                };
                Record::from_rdata(name.clone(), self.soa.ns_ttl, data)
            })
            .collect()
    }

    /// The records at a zone apex.
    fn apex(&self, owner: &Name, qtype: RecordType) -> Vec<Record> {
        let soa = || self.soa_record(owner);
        match qtype {
            RecordType::SOA => vec![soa()],
            RecordType::NS => self
                .nameservers
                .iter()
                .map(|ns| {
                    Record::from_rdata(owner.clone(), self.soa.ns_ttl, RData::NS(NS(ns.clone())))
                })
                .collect(),
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

    fn texts(records: &[Record]) -> Vec<String> {
        records
            .iter()
            .map(|r| format!("{} {} {}", r.name, r.record_type(), r.data))
            .collect()
    }

    fn delegations() -> NameIndex {
        let index = NameIndex::new();
        register(
            &index,
            "alice.ghost",
            u64::MAX,
            vec![
                record("@", "NS=ns1.alice.ghost"),
                record("@", "NS=ns.example.net"),
                record("@", "A=10.0.0.1"),
                record("ns1", "A=192.0.2.53"),
                record("ns1", "AAAA=2001:db8::53"),
            ],
        );
        register(
            &index,
            "bob.ghost",
            u64::MAX,
            vec![
                record("@", "A=10.0.0.2"),
                record("sub", "NS=ns.sub.bob.ghost"),
                record("ns.sub", "A=192.0.2.1"),
            ],
        );
        register(
            &index,
            "carol.ghost",
            u64::MAX,
            vec![record("@", "CNAME=www.alice.ghost")],
        );
        index
    }

    #[test]
    fn ns_records_at_a_name_make_a_referral_with_in_bailiwick_glue() {
        let zone = zone(&delegations());
        for qname in ["alice.ghost.", "www.Alice.ghost.", "a.b.alice.ghost."] {
            let referral = zone.answer(&name(qname), RecordType::A, 0).unwrap();
            assert_eq!(referral.outcome, Outcome::Referral, "{qname}");
            assert!(referral.answers.is_empty());
            assert_eq!(referral.zone, name("alice.ghost."));
            assert_eq!(
                texts(&referral.authority),
                [
                    "alice.ghost. NS ns.example.net.",
                    "alice.ghost. NS ns1.alice.ghost."
                ]
            );
            assert_eq!(
                texts(&referral.additional),
                [
                    "ns1.alice.ghost. A 192.0.2.53",
                    "ns1.alice.ghost. AAAA 2001:db8::53"
                ]
            );
        }
        // DS at the cut is the parent's: NODATA, authoritative.
        let ds = zone
            .answer(&name("alice.ghost."), RecordType::DS, 0)
            .unwrap();
        assert_eq!(ds.outcome, Outcome::NoData);
    }

    #[test]
    fn a_cut_below_a_name_delegates_only_what_is_under_it() {
        let zone = zone(&delegations());
        let own = zone.answer(&name("bob.ghost."), RecordType::A, 0).unwrap();
        assert_eq!(
            (own.outcome, targets(&own)),
            (Outcome::Answer, vec!["bob.ghost. 10.0.0.2".to_string()])
        );
        let below = zone
            .answer(&name("x.sub.bob.ghost."), RecordType::TXT, 0)
            .unwrap();
        assert_eq!(below.outcome, Outcome::Referral);
        assert_eq!(below.zone, name("sub.bob.ghost."));
        assert_eq!(
            texts(&below.authority),
            ["sub.bob.ghost. NS ns.sub.bob.ghost."]
        );
        assert_eq!(texts(&below.additional), ["ns.sub.bob.ghost. A 192.0.2.1"]);
        // A CNAME into a delegated name stops there, answered.
        let alias = zone
            .answer(&name("carol.ghost."), RecordType::A, 0)
            .unwrap();
        assert_eq!(alias.outcome, Outcome::Answer);
        assert_eq!(targets(&alias), ["carol.ghost. www.alice.ghost."]);
        // Unregistered names stay NXDOMAIN.
        let nx = zone
            .answer(&name("x.dave.ghost."), RecordType::A, 0)
            .unwrap();
        assert_eq!(nx.outcome, Outcome::NxDomain);
    }

    #[test]
    fn the_apex_names_the_configured_name_servers_with_glue() {
        let soa = SoaConfig {
            nameservers: vec!["ns1.ghost".into(), "ns2.example.net".into()],
            nameserver_addrs: vec![
                ("ns1.ghost".into(), "192.0.2.10".parse().unwrap()),
                ("ns1.ghost".into(), "2001:db8::10".parse().unwrap()),
            ],
            ..SoaConfig::default()
        };
        let index = NameIndex::new();
        let zone =
            GhostZone::new(index.clone(), &["ghost".into(), "bc".into()], soa.clone()).unwrap();
        let ns = zone.answer(&name("ghost."), RecordType::NS, 0).unwrap();
        assert_eq!(
            texts(&ns.answers),
            ["ghost. NS ns1.ghost.", "ghost. NS ns2.example.net."]
        );
        assert_eq!(
            texts(&ns.additional),
            ["ns1.ghost. A 192.0.2.10", "ns1.ghost. AAAA 2001:db8::10"]
        );
        let soa_answer = zone.answer(&name("bc."), RecordType::SOA, 0).unwrap();
        assert!(
            matches!(&soa_answer.answers[0].data, RData::SOA(s) if s.mname == name("ns1.ghost."))
        );
        let a = zone.answer(&name("NS1.ghost."), RecordType::A, 0).unwrap();
        assert_eq!(
            (a.outcome, targets(&a)),
            (Outcome::Answer, vec!["NS1.ghost. 192.0.2.10".to_string()])
        );
        let mx = zone.answer(&name("ns1.ghost."), RecordType::MX, 0).unwrap();
        assert_eq!(mx.outcome, Outcome::NoData);
        assert_eq!(
            GhostZone::new(
                index.clone(),
                &["ghost".into()],
                SoaConfig {
                    nameservers: Vec::new(),
                    ..soa.clone()
                }
            )
            .unwrap_err(),
            ZoneConfigError::NoNameservers
        );
        assert_eq!(
            GhostZone::new(
                index,
                &["ghost".into()],
                SoaConfig {
                    nameserver_addrs: vec![("ns9.ghost".into(), "192.0.2.9".parse().unwrap())],
                    ..soa
                }
            )
            .unwrap_err(),
            ZoneConfigError::AddressForUnknownNameserver("ns9.ghost".into())
        );
    }
}
