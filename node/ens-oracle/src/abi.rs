//! The ENS contracts' ABI (registry of `@ensdomains/ens` 0.6.2, `PublicResolver` of
//! `@ensdomains/resolver` 0.3.1) and the decoding of their event logs.
//!
//! Logs only tell the oracle *which* names to read again: the owner and records it attests are
//! always read with `eth_call` at the attested block. So a log that is forged (any contract can
//! emit a `TextChanged` for any node), undecodable or irrelevant costs at most one re-read.

use alloy_primitives::{B256, keccak256};
use alloy_sol_types::{SolEvent, sol};

sol! {
    /// The ENS registry (EIP-137).
    interface EnsRegistry {
        function owner(bytes32 node) external view returns (address);
        function resolver(bytes32 node) external view returns (address);
        function setSubnodeOwner(bytes32 node, bytes32 label, address owner) external returns (bytes32);
        function setSubnodeRecord(bytes32 node, bytes32 label, address owner, address resolver, uint64 ttl) external;
        function setOwner(bytes32 node, address owner) external;
        function setResolver(bytes32 node, address resolver) external;
        event NewOwner(bytes32 indexed node, bytes32 indexed label, address owner);
        event Transfer(bytes32 indexed node, address owner);
        event NewResolver(bytes32 indexed node, address resolver);
    }

    /// The public resolver's record interfaces (ENSIP-1, -5, -7, -9; EIP-1185 DNS records).
    interface EnsResolver {
        function addr(bytes32 node) external view returns (address);
        function addr(bytes32 node, uint256 coinType) external view returns (bytes memory);
        function text(bytes32 node, string calldata key) external view returns (string memory);
        function contenthash(bytes32 node) external view returns (bytes memory);
        function setAddr(bytes32 node, address a) external;
        function setAddr(bytes32 node, uint256 coinType, bytes calldata a) external;
        function setText(bytes32 node, string calldata key, string calldata value) external;
        function setContenthash(bytes32 node, bytes calldata hash) external;
        function dnsRecord(bytes32 node, bytes32 name, uint16 resource) external view returns (bytes memory);
        function setDNSRecords(bytes32 node, bytes calldata data) external;
        event AddrChanged(bytes32 indexed node, address a);
        event AddressChanged(bytes32 indexed node, uint256 coinType, bytes newAddress);
        event TextChanged(bytes32 indexed node, string indexed indexedKey, string key);
        event ContenthashChanged(bytes32 indexed node, bytes hash);
        event DNSRecordChanged(bytes32 indexed node, bytes name, uint16 resource, bytes record);
        event DNSRecordDeleted(bytes32 indexed node, bytes name, uint16 resource);
        event DNSZoneCleared(bytes32 indexed node);
    }
}

/// Topic 0 of the registry events the oracle follows.
pub fn registry_topics() -> Vec<B256> {
    vec![
        EnsRegistry::NewOwner::SIGNATURE_HASH,
        EnsRegistry::Transfer::SIGNATURE_HASH,
        EnsRegistry::NewResolver::SIGNATURE_HASH,
    ]
}

/// Whether a log decodes as event `E`.
fn decodes<E: SolEvent>(topics: &[B256], data: &[u8]) -> bool {
    E::decode_raw_log(topics.iter().copied(), data).is_ok()
}

/// The resolver events the oracle follows (each says a record of its node changed): topic 0
/// and the check that a log is well formed.
type EventCheck = (B256, fn(&[B256], &[u8]) -> bool);
const RESOLVER_EVENTS: [EventCheck; 7] = [
    (
        EnsResolver::AddrChanged::SIGNATURE_HASH,
        decodes::<EnsResolver::AddrChanged>,
    ),
    (
        EnsResolver::AddressChanged::SIGNATURE_HASH,
        decodes::<EnsResolver::AddressChanged>,
    ),
    (
        EnsResolver::TextChanged::SIGNATURE_HASH,
        decodes::<EnsResolver::TextChanged>,
    ),
    (
        EnsResolver::ContenthashChanged::SIGNATURE_HASH,
        decodes::<EnsResolver::ContenthashChanged>,
    ),
    (
        EnsResolver::DNSRecordChanged::SIGNATURE_HASH,
        decodes::<EnsResolver::DNSRecordChanged>,
    ),
    (
        EnsResolver::DNSRecordDeleted::SIGNATURE_HASH,
        decodes::<EnsResolver::DNSRecordDeleted>,
    ),
    (
        EnsResolver::DNSZoneCleared::SIGNATURE_HASH,
        decodes::<EnsResolver::DNSZoneCleared>,
    ),
];

/// Topic 0 of the resolver events the oracle follows.
pub fn resolver_topics() -> Vec<B256> {
    RESOLVER_EVENTS.iter().map(|(topic, _)| *topic).collect()
}

/// What a followed log says happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnsChange {
    /// The registry owner of the node changed (`NewOwner` on its parent, or `Transfer`).
    Owner,
    /// The node's resolver changed.
    Resolver,
    /// A resolver record of the node changed (`addr`, multicoin address, text, contenthash, DNS
    /// records).
    Record,
}

/// A decoded log: the ENS node it concerns and what changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodeChange {
    /// The node (EIP-137 namehash) whose state changed.
    pub node: [u8; 32],
    /// What changed.
    pub change: EnsChange,
}

/// `keccak256(parent ++ label)`: the node of `label` under `parent`.
pub fn subnode(parent: &B256, label: &B256) -> B256 {
    let mut data = [0u8; 64];
    data[..32].copy_from_slice(parent.as_slice());
    data[32..].copy_from_slice(label.as_slice());
    keccak256(data)
}

/// Decodes a log of the followed events; `None` for any other or malformed log. `from_registry`
/// says whether the log was emitted by the registry (registry events from other contracts are
/// ignored; resolver events count from any contract, as a hint to re-read).
pub fn decode_log(topics: &[B256], data: &[u8], from_registry: bool) -> Option<NodeChange> {
    let topic0 = *topics.first()?;
    let node_topic = *topics.get(1)?;
    let (node, change) = if topic0 == EnsRegistry::NewOwner::SIGNATURE_HASH {
        if !from_registry {
            return None;
        }
        EnsRegistry::NewOwner::decode_raw_log(topics.iter().copied(), data).ok()?;
        let label = *topics.get(2)?;
        (subnode(&node_topic, &label), EnsChange::Owner)
    } else if topic0 == EnsRegistry::Transfer::SIGNATURE_HASH {
        if !from_registry {
            return None;
        }
        EnsRegistry::Transfer::decode_raw_log(topics.iter().copied(), data).ok()?;
        (node_topic, EnsChange::Owner)
    } else if topic0 == EnsRegistry::NewResolver::SIGNATURE_HASH {
        if !from_registry {
            return None;
        }
        EnsRegistry::NewResolver::decode_raw_log(topics.iter().copied(), data).ok()?;
        (node_topic, EnsChange::Resolver)
    } else if let Some((_, check)) = RESOLVER_EVENTS.iter().find(|(t, _)| *t == topic0) {
        if !check(topics, data) {
            return None;
        }
        (node_topic, EnsChange::Record)
    } else {
        return None;
    };
    Some(NodeChange {
        node: node.0,
        change,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::{Address, Bytes, U256};
    use alloy_sol_types::SolEvent;
    use ghost_primitives::ens_namehash;

    /// A log's topics and data.
    type RawLog = (Vec<B256>, Vec<u8>);

    fn encode<E: SolEvent>(event: &E) -> RawLog {
        let log = event.encode_log_data();
        (log.topics().to_vec(), log.data.to_vec())
    }

    #[test]
    fn event_signatures_are_ens_own() {
        // keccak256("NewOwner(bytes32,bytes32,address)") etc., as in ENS's ABI.
        assert_eq!(
            EnsRegistry::NewOwner::SIGNATURE_HASH,
            keccak256("NewOwner(bytes32,bytes32,address)")
        );
        assert_eq!(
            EnsRegistry::Transfer::SIGNATURE_HASH.to_string(),
            "0xd4735d920b0f87494915f556dd9b54c8f309026070caea5c737245152564d266"
        );
        assert_eq!(
            EnsResolver::AddrChanged::SIGNATURE_HASH.to_string(),
            "0x52d7d861f09ab3d26239d492e8968629f95e9e318cf0b73bfddc441522a15fd2"
        );
        assert_eq!(
            EnsResolver::TextChanged::SIGNATURE_HASH,
            keccak256("TextChanged(bytes32,string,string)")
        );
        assert_eq!(
            EnsResolver::DNSRecordChanged::SIGNATURE_HASH,
            keccak256("DNSRecordChanged(bytes32,bytes,uint16,bytes)")
        );
        assert_eq!(
            EnsResolver::DNSZoneCleared::SIGNATURE_HASH,
            keccak256("DNSZoneCleared(bytes32)")
        );
    }

    #[test]
    fn new_owner_names_the_subnode() {
        let eth = B256::from(ens_namehash("eth"));
        let label = keccak256("alice");
        let (topics, data) = encode(&EnsRegistry::NewOwner {
            node: eth,
            label,
            owner: Address::repeat_byte(7),
        });
        let change = decode_log(&topics, &data, true).unwrap();
        assert_eq!(change.node, ens_namehash("alice.eth"));
        assert_eq!(change.change, EnsChange::Owner);
        assert_eq!(
            decode_log(&topics, &data, false),
            None,
            "not from the registry"
        );
    }

    #[test]
    fn registry_and_resolver_events_name_their_node() {
        let node = B256::from(ens_namehash("alice.eth"));
        let cases: Vec<(RawLog, EnsChange, bool)> = vec![
            (
                encode(&EnsRegistry::Transfer {
                    node,
                    owner: Address::repeat_byte(1),
                }),
                EnsChange::Owner,
                true,
            ),
            (
                encode(&EnsRegistry::NewResolver {
                    node,
                    resolver: Address::repeat_byte(2),
                }),
                EnsChange::Resolver,
                true,
            ),
            (
                encode(&EnsResolver::AddrChanged {
                    node,
                    a: Address::repeat_byte(3),
                }),
                EnsChange::Record,
                false,
            ),
            (
                encode(&EnsResolver::AddressChanged {
                    node,
                    coinType: U256::from(0u8),
                    newAddress: Bytes::from(vec![0x76, 0xa9]),
                }),
                EnsChange::Record,
                false,
            ),
            (
                encode(&EnsResolver::TextChanged {
                    node,
                    indexedKey: keccak256("url"),
                    key: "url".into(),
                }),
                EnsChange::Record,
                false,
            ),
            (
                encode(&EnsResolver::ContenthashChanged {
                    node,
                    hash: Bytes::from(vec![0xe3, 0x01]),
                }),
                EnsChange::Record,
                false,
            ),
            (
                encode(&EnsResolver::DNSRecordChanged {
                    node,
                    name: Bytes::from(b"\x05alice\x03eth\x00".to_vec()),
                    resource: 1,
                    record: Bytes::from(vec![1, 2, 3, 4]),
                }),
                EnsChange::Record,
                false,
            ),
            (
                encode(&EnsResolver::DNSRecordDeleted {
                    node,
                    name: Bytes::from(b"\x05alice\x03eth\x00".to_vec()),
                    resource: 1,
                }),
                EnsChange::Record,
                false,
            ),
            (
                encode(&EnsResolver::DNSZoneCleared { node }),
                EnsChange::Record,
                false,
            ),
        ];
        for ((topics, data), change, from_registry) in cases {
            let decoded = decode_log(&topics, &data, from_registry).unwrap();
            assert_eq!(decoded.node, node.0);
            assert_eq!(decoded.change, change);
        }
    }

    #[test]
    fn other_and_malformed_logs_are_ignored() {
        let node = B256::from(ens_namehash("alice.eth"));
        assert_eq!(decode_log(&[], &[], true), None);
        assert_eq!(
            decode_log(&[keccak256("Other(bytes32)"), node], &[], true),
            None
        );
        // AddrChanged with no data, or with a node topic missing.
        let sig = EnsResolver::AddrChanged::SIGNATURE_HASH;
        assert_eq!(decode_log(&[sig, node], &[], false), None);
        assert_eq!(decode_log(&[sig], &[0; 32], false), None);
        // NewOwner without its label topic.
        let (mut topics, data) = encode(&EnsRegistry::NewOwner {
            node,
            label: keccak256("x"),
            owner: Address::ZERO,
        });
        topics.pop();
        assert_eq!(decode_log(&topics, &data, true), None);
        // Dynamic data cut short of its declared length (40 bytes).
        let (topics, data) = encode(&EnsResolver::ContenthashChanged {
            node,
            hash: Bytes::from(vec![1; 40]),
        });
        assert_eq!(decode_log(&topics, &data[..80], false), None);
    }
}
