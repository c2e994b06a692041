//! Conversions between the `ghostdns.v1` messages and the chain's types.
//!
//! # Records
//! A chain [`DnsRecord`] becomes a proto `DNSRecord` with `type` = the type's name, `name` = the
//! relative label (`@`, `www`, `_sip._tcp`), `value` = the record's presentation form
//! ([`RecordData`]'s `Display`: `10.0.0.1`, `10 mail.example.com`, the TXT text), `ttl`, and
//! `priority` = the MX preference or SRV priority (0 for other types).
//!
//! The other way ([`record_from_proto`]), `name` may be `@` or empty (the apex), a relative name,
//! or an absolute name under the domain (`www.alice.ghost`, with or without the trailing dot);
//! `type` is case-insensitive; `value` is parsed by [`RecordData::parse`]. For MX and SRV a value
//! without its first field (`mail.example.com`, `5 5060 sip.example.com`) gets `priority` put in
//! front; a value with it must agree with a non-zero `priority`. `ttl` is taken as given.
//!
//! # Updates
//! [`update_from_proto`] builds the [`SignedRecordUpdate`] whose canonical payload the client
//! signed: the domain normalized ([`ghost_rpc::normalize_name`]), `contract_id` as its UTF-8
//! bytes (at most 64), the records as above in request order, `owner_address` parsed as a
//! `ghost1…` address or a `0x` public key, the timestamp, the sequence, and a 64-byte
//! signature. The payload's genesis hash is not in the message: the bridge uses its chain's.

use ghost_primitives::{
    AccountId, AddressError, DnsRecord, DomainName, Hash, RecordData, RecordError, RecordLabel,
    RecordType, Signature, Web3Records,
};
use ghost_rpc::{ChangeFilter, DomainChangeJson, DomainChangesJson, ResolutionJson};
use ghost_runtime::domains::SignedRecordUpdate;

use super::proto;
use crate::source::{BlockRef, FinalityBundle};

/// The longest `contract_id` the runtime accepts (bytes).
pub const MAX_CONTRACT_ID: usize = 64;

/// The change types a subscription may filter on.
pub const CHANGE_TYPES: [&str; 5] = ["created", "updated", "transferred", "expired", "reverted"];

/// Why a request message does not convert.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConvertError {
    /// The domain is not a valid name.
    #[error("invalid domain `{input}`: {reason}")]
    Domain {
        /// What was sent.
        input: String,
        /// Why it is refused.
        reason: String,
    },
    /// A record does not parse.
    #[error("record {index}: {source}")]
    Record {
        /// Its position in the request.
        index: usize,
        /// Why.
        source: RecordError,
    },
    /// An MX or SRV record whose `priority` contradicts its value.
    #[error("record {index}: priority {priority} contradicts the value `{value}`")]
    PriorityMismatch {
        /// Its position in the request.
        index: usize,
        /// The `priority` field.
        priority: u32,
        /// The `value` field.
        value: String,
    },
    /// A `priority` above 65535.
    #[error("record {index}: priority {priority} is above 65535")]
    PriorityRange {
        /// Its position in the request.
        index: usize,
        /// The `priority` field.
        priority: u32,
    },
    /// `owner_address` is neither a `ghost1…` address nor a `0x` key.
    #[error("invalid owner_address `{input}`: {source}")]
    OwnerAddress {
        /// What was sent.
        input: String,
        /// Why.
        source: AddressError,
    },
    /// The signature is not 64 bytes.
    #[error("signature must be 64 bytes, found {0}")]
    SignatureLength(usize),
    /// `contract_id` is longer than [`MAX_CONTRACT_ID`] bytes.
    #[error("contract_id is {0} bytes, at most 64")]
    ContractIdTooLong(usize),
    /// An unknown record type in `record_types`.
    #[error("record_types: {0}")]
    RecordTypeFilter(RecordError),
    /// An unknown change type in `change_types`.
    #[error("unknown change type `{0}` (created, updated, transferred, expired, reverted)")]
    ChangeType(String),
    /// An empty suffix in `suffixes`.
    #[error("empty suffix in suffixes")]
    EmptySuffix,
    /// A `from_block_hash` that is not 32 bytes.
    #[error("from_block_hash must be 32 bytes, got {0}")]
    BlockHashLength(usize),
}

/// Normalizes a requested name (IDNA accepted).
pub fn domain_from_proto(input: &str) -> Result<DomainName, ConvertError> {
    ghost_rpc::normalize_name(input).map_err(|reason| ConvertError::Domain {
        input: input.into(),
        reason,
    })
}

/// The MX preference or SRV priority of a value (0 for other types).
pub fn priority_of(data: &RecordData) -> u32 {
    match data {
        RecordData::MX { preference, .. } => u32::from(*preference),
        RecordData::SRV { priority, .. } => u32::from(*priority),
        _ => 0,
    }
}

/// A chain record as a proto `DNSRecord`.
pub fn record_to_proto(record: &DnsRecord) -> proto::DnsRecord {
    proto::DnsRecord {
        r#type: record.data.rtype().as_str().into(),
        name: record.label.as_str().into(),
        value: record.data.to_string(),
        ttl: record.ttl,
        priority: priority_of(&record.data),
    }
}

/// The relative label of a record `name` under `domain` (see the module doc).
pub fn label_from_proto(domain: &DomainName, name: &str) -> Result<RecordLabel, RecordError> {
    let name = name.trim().trim_end_matches('.').to_ascii_lowercase();
    let relative = if name == domain.as_str() {
        "@"
    } else {
        name.strip_suffix(domain.as_str())
            .and_then(|rest| rest.strip_suffix('.'))
            .filter(|rest| !rest.is_empty())
            .unwrap_or(&name)
    };
    RecordLabel::parse(relative)
}

/// `value` with `priority` in front when an MX or SRV value lacks its first field.
fn value_with_priority(
    index: usize,
    rtype: RecordType,
    value: &str,
    priority: u32,
) -> Result<String, ConvertError> {
    let full_fields = match rtype {
        RecordType::MX => 2,
        RecordType::SRV => 4,
        _ => return Ok(value.into()),
    };
    if priority > u32::from(u16::MAX) {
        return Err(ConvertError::PriorityRange { index, priority });
    }
    let fields: Vec<&str> = value.split_whitespace().collect();
    if fields.len() + 1 == full_fields {
        return Ok(format!("{priority} {}", value.trim()));
    }
    let stated = fields.first().and_then(|f| f.parse::<u32>().ok());
    if fields.len() == full_fields && priority != 0 && stated != Some(priority) {
        return Err(ConvertError::PriorityMismatch {
            index,
            priority,
            value: value.into(),
        });
    }
    Ok(value.into())
}

/// A proto `DNSRecord` (the `index`-th of a request) as a chain record under `domain`.
pub fn record_from_proto(
    index: usize,
    domain: &DomainName,
    record: &proto::DnsRecord,
) -> Result<DnsRecord, ConvertError> {
    let invalid = |source| ConvertError::Record { index, source };
    let rtype: RecordType = record.r#type.trim().parse().map_err(invalid)?;
    let label = label_from_proto(domain, &record.name).map_err(invalid)?;
    let value = value_with_priority(index, rtype, &record.value, record.priority)?;
    let data = RecordData::parse(rtype, &value).map_err(invalid)?;
    Ok(DnsRecord {
        label,
        ttl: record.ttl,
        data,
    })
}

/// The `SignedRecordUpdate` a `ContractDomainUpdate` stands for (see the module doc). Checks
/// the form only, not the signature.
pub fn update_from_proto(
    message: &proto::ContractDomainUpdate,
) -> Result<SignedRecordUpdate, ConvertError> {
    let domain = domain_from_proto(&message.domain)?;
    let contract_id = message.contract_id.as_bytes().to_vec();
    if contract_id.len() > MAX_CONTRACT_ID {
        return Err(ConvertError::ContractIdTooLong(contract_id.len()));
    }
    let records = message
        .records
        .iter()
        .enumerate()
        .map(|(index, record)| record_from_proto(index, &domain, record))
        .collect::<Result<Vec<_>, _>>()?;
    let owner_address: AccountId =
        message
            .owner_address
            .trim()
            .parse()
            .map_err(|source| ConvertError::OwnerAddress {
                input: message.owner_address.clone(),
                source,
            })?;
    let signature: [u8; 64] = message
        .signature
        .as_slice()
        .try_into()
        .map_err(|_| ConvertError::SignatureLength(message.signature.len()))?;
    Ok(SignedRecordUpdate {
        domain,
        contract_id: ghost_primitives::Bytes(contract_id),
        records,
        owner_address,
        timestamp: message.timestamp,
        sequence: message.sequence,
        signature: Signature(signature),
    })
}

/// The record types of a `record_types` filter (empty: all).
pub fn record_types_from_proto(types: &[String]) -> Result<Vec<RecordType>, ConvertError> {
    types
        .iter()
        .map(|t| t.trim().parse().map_err(ConvertError::RecordTypeFilter))
        .collect()
}

/// The `ResolveResponse` for `resolution` at `block`, keeping only records of `types` (empty:
/// all).
pub fn resolve_response(
    resolution: &ResolutionJson,
    block: BlockRef,
    types: &[RecordType],
) -> proto::ResolveResponse {
    proto::ResolveResponse {
        domain: resolution.name.to_string(),
        records: resolution
            .records
            .iter()
            .filter(|r| types.is_empty() || types.contains(&r.data.rtype()))
            .map(record_to_proto)
            .collect(),
        owner: resolution.owner.to_string(),
        expires_at: resolution.expires_at,
        status: resolution.status.clone(),
        height: block.height,
        block_hash: block.hash.0.to_vec(),
        proof: None,
        created_at: resolution.created_at,
        update_sequence: resolution.update_sequence,
        genesis_hash: Vec::new(),
        web3: Some(web3_to_proto(&resolution.web3)),
    }
}

/// A block's finality bundle as the proto's `FinalityProof` (SCALE headers and justifications).
pub fn finality_to_proto(bundle: FinalityBundle) -> proto::FinalityProof {
    use parity_scale_codec::Encode;
    proto::FinalityProof {
        justification: bundle.finality.justification.0,
        unknown_headers: bundle
            .finality
            .unknown_headers
            .iter()
            .map(Encode::encode)
            .collect(),
        genesis_header: bundle.voter_sets.genesis.encode(),
        genesis_proof: bundle
            .voter_sets
            .genesis_proof
            .into_iter()
            .map(|node| node.0)
            .collect(),
        set_changes: bundle
            .voter_sets
            .changes
            .into_iter()
            .map(|change| proto::VoterSetChange {
                set_id: change.set_id,
                header: change.header.encode(),
                justification: change.justification.0,
            })
            .collect(),
    }
}

/// The proto form of a name's web3 records.
pub fn web3_to_proto(web3: &Web3Records) -> proto::Web3Records {
    proto::Web3Records {
        addresses: web3
            .addresses
            .iter()
            .map(|(coin, address)| (*coin, address.0.clone()))
            .collect(),
        texts: web3
            .texts
            .iter()
            .map(|(key, value)| (key.clone(), value.clone()))
            .collect(),
        contenthash: web3
            .contenthash
            .as_ref()
            .map(|c| c.0.clone())
            .unwrap_or_default(),
    }
}

/// The proto form of a name's state in a change event.
pub fn name_state_to_proto(state: &ResolutionJson) -> proto::NameState {
    proto::NameState {
        owner: state.owner.to_string(),
        records: state.records.iter().map(record_to_proto).collect(),
        web3: Some(web3_to_proto(&state.web3)),
        expires_at: state.expires_at,
        created_at: state.created_at,
        status: state.status.clone(),
        update_sequence: state.update_sequence,
    }
}

/// The `from_block_hash` of a subscription, if set.
pub fn resume_hash(subscription: &proto::DomainSubscription) -> Result<Option<Hash>, ConvertError> {
    subscription
        .from_block_hash
        .as_ref()
        .map(|bytes| {
            <[u8; 32]>::try_from(bytes.as_slice())
                .map(Hash)
                .map_err(|_| ConvertError::BlockHashLength(bytes.len()))
        })
        .transpose()
}

/// The `ChangeFilter` of a subscription (domains normalized, suffixes lowercased, change types
/// checked).
pub fn change_filter(
    subscription: &proto::DomainSubscription,
) -> Result<ChangeFilter, ConvertError> {
    let domains = subscription
        .domains
        .iter()
        .map(|d| domain_from_proto(d).map(|d| d.to_string()))
        .collect::<Result<Vec<_>, _>>()?;
    let suffixes = subscription
        .suffixes
        .iter()
        .map(|s| {
            let s = s.trim().trim_matches('.').to_ascii_lowercase();
            if s.is_empty() {
                Err(ConvertError::EmptySuffix)
            } else {
                Ok(s)
            }
        })
        .collect::<Result<Vec<_>, _>>()?;
    let change_types = subscription
        .change_types
        .iter()
        .map(|t| {
            let t = t.trim().to_ascii_lowercase();
            if CHANGE_TYPES.contains(&t.as_str()) {
                Ok(t)
            } else {
                Err(ConvertError::ChangeType(t))
            }
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ChangeFilter {
        domains,
        suffixes,
        change_types,
        include_empty: false,
    })
}

/// One change of `block` as a `DomainChangeEvent`.
pub fn change_event(
    block: &DomainChangesJson,
    change: &DomainChangeJson,
) -> proto::DomainChangeEvent {
    proto::DomainChangeEvent {
        domain: change.domain.to_string(),
        change_type: change.change_type.clone(),
        new_records: change
            .new_records
            .iter()
            .flatten()
            .map(record_to_proto)
            .collect(),
        new_owner: change.new_owner.map(|o| o.to_string()).unwrap_or_default(),
        block_height: block.block_height,
        block_hash: block.block_hash.0.to_vec(),
        index: change.index,
        state: change.state.as_ref().map(name_state_to_proto),
        parent_hash: block.parent_hash.map(|h| h.0.to_vec()).unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alice() -> DomainName {
        DomainName::parse("alice.ghost").unwrap()
    }

    fn proto_record(rtype: &str, name: &str, value: &str, priority: u32) -> proto::DnsRecord {
        proto::DnsRecord {
            r#type: rtype.into(),
            name: name.into(),
            value: value.into(),
            ttl: 60,
            priority,
        }
    }

    #[test]
    fn labels_accept_apex_relative_and_absolute_names() {
        for (name, label) in [
            ("@", "@"),
            ("", "@"),
            ("alice.ghost", "@"),
            ("Alice.Ghost.", "@"),
            ("www", "www"),
            ("www.alice.ghost", "www"),
            ("_sip._tcp.alice.ghost.", "_sip._tcp"),
        ] {
            assert_eq!(
                label_from_proto(&alice(), name).unwrap().as_str(),
                label,
                "{name}"
            );
        }
        assert!(label_from_proto(&alice(), "bad name").is_err());
    }

    #[test]
    fn mx_and_srv_take_the_priority_field_when_the_value_lacks_it() {
        let mx = record_from_proto(
            0,
            &alice(),
            &proto_record("mx", "@", "mail.example.com", 10),
        )
        .unwrap();
        assert_eq!(mx.data.to_string(), "10 mail.example.com");
        let mx = record_from_proto(
            0,
            &alice(),
            &proto_record("MX", "@", "20 mail.example.com", 0),
        )
        .unwrap();
        assert_eq!(priority_of(&mx.data), 20);
        let srv = record_from_proto(
            0,
            &alice(),
            &proto_record("SRV", "_sip._tcp", "5 5060 sip.example.com", 1),
        )
        .unwrap();
        assert_eq!(srv.data.to_string(), "1 5 5060 sip.example.com");
        assert!(matches!(
            record_from_proto(
                3,
                &alice(),
                &proto_record("MX", "@", "20 mail.example.com", 10)
            ),
            Err(ConvertError::PriorityMismatch { index: 3, .. })
        ));
        assert!(matches!(
            record_from_proto(
                0,
                &alice(),
                &proto_record("MX", "@", "mail.example.com", 70_000)
            ),
            Err(ConvertError::PriorityRange { .. })
        ));
    }

    #[test]
    fn records_round_trip_through_proto() {
        for (rtype, value) in [
            ("A", "10.0.0.1"),
            ("AAAA", "2001:db8::1"),
            ("CNAME", "target.example.com"),
            ("TXT", "hello world"),
            ("MX", "10 mail.example.com"),
            ("NS", "ns1.example.com"),
            ("SRV", "10 5 5060 sip.example.com"),
            ("CAA", "0 issue \"letsencrypt.org\""),
            ("TLSA", "3 1 1 abcd"),
        ] {
            let record =
                record_from_proto(0, &alice(), &proto_record(rtype, "www", value, 0)).unwrap();
            let back = record_to_proto(&record);
            assert_eq!(
                (
                    back.r#type.as_str(),
                    back.name.as_str(),
                    back.value.as_str()
                ),
                (rtype, "www", value)
            );
            assert_eq!(record_from_proto(0, &alice(), &back).unwrap(), record);
        }
    }

    #[test]
    fn malformed_updates_are_refused() {
        let good = proto::ContractDomainUpdate {
            domain: "alice.ghost".into(),
            contract_id: "c".into(),
            records: vec![proto_record("A", "@", "10.0.0.1", 0)],
            owner_address: ghost_primitives::Pair::dev("Alice").public().to_string(),
            timestamp: 1,
            signature: vec![0; 64],
            wait: false,
            sequence: 7,
        };
        assert_eq!(update_from_proto(&good).map(|u| u.sequence), Ok(7));
        assert!(update_from_proto(&good).is_ok());
        let mut bad = good.clone();
        bad.domain = "no tld".into();
        assert!(matches!(
            update_from_proto(&bad),
            Err(ConvertError::Domain { .. })
        ));
        let mut bad = good.clone();
        bad.records[0].value = "10.0.0.256".into();
        assert!(matches!(
            update_from_proto(&bad),
            Err(ConvertError::Record { index: 0, .. })
        ));
        let mut bad = good.clone();
        bad.owner_address = "ghost1nope".into();
        assert!(matches!(
            update_from_proto(&bad),
            Err(ConvertError::OwnerAddress { .. })
        ));
        let mut bad = good.clone();
        bad.signature = vec![0; 63];
        assert_eq!(
            update_from_proto(&bad),
            Err(ConvertError::SignatureLength(63))
        );
        let mut bad = good;
        bad.contract_id = "c".repeat(65);
        assert_eq!(
            update_from_proto(&bad),
            Err(ConvertError::ContractIdTooLong(65))
        );
    }
}
