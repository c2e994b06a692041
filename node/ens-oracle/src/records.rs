//! Reading an ENS name's owner and records at one Ethereum block, and mapping them to what the
//! chain accepts (the mapping in `docs/ENS.md`).
//!
//! [`read_calls`] lists the `eth_call`s (registry `owner` and `resolver`, then the resolver's
//! `addr`, `addr(coinType)` per configured coin, `text` per mirrored key, `contenthash`, and
//! `dnsRecord` per mirrored DNS label and type), sent as one batch at the block's hash.
//! [`map_records`] turns the answers into [`EnsRecords`], dropping what the chain would refuse
//! (a malformed address for its coin, a text over the length limit, an unknown contenthash
//! format, a DNS record set that does not parse: [`crate::dns_wire`]), empty values and
//! reverted calls (a resolver without that interface), and keeping at most `max_records` in a
//! fixed order (addresses, contenthash, DNS records, texts), so every honest oracle derives
//! the same records, and so the same records hash, from the same block.

use alloy_primitives::{Address, B256, Bytes, U256};
use alloy_sol_types::SolCall;
use ghost_client::runtime::ens_bridge::records::{
    COIN_ETH, address_is_valid, contenthash_is_valid,
};
use ghost_client::runtime::ens_bridge::{BridgeParams, EnsRecords, MIRRORED_DNS_TYPES};
use ghost_primitives::{DnsRecord, EthAddress, RecordLabel, RecordType, keccak256};

use crate::abi::{EnsRegistry, EnsResolver};
use crate::dns_wire::{decode_rrset, type_code, wire_name};
use crate::eth::CallResult;

/// What the oracle reads of a name, besides the configured text keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadPlan {
    /// Coin types read with `addr(node, coinType)` (60 is read with `addr(node)`).
    pub coin_types: Vec<u32>,
    /// Text keys read (the chain's mirrored keys).
    pub text_keys: Vec<String>,
    /// Labels whose DNS records are read, for each of [`MIRRORED_DNS_TYPES`] (the chain's).
    pub dns_labels: Vec<RecordLabel>,
}

impl ReadPlan {
    /// The `(label, type)` DNS sets read, in call order.
    fn dns_sets(&self) -> impl Iterator<Item = (&RecordLabel, RecordType)> {
        self.dns_labels
            .iter()
            .flat_map(|label| MIRRORED_DNS_TYPES.into_iter().map(move |t| (label, t)))
    }
}

impl ReadPlan {
    /// Reads `coin_types` besides ETH, and the chain's text keys.
    pub fn new(params: &BridgeParams, coin_types: &[u32]) -> ReadPlan {
        let mut coins: Vec<u32> = coin_types
            .iter()
            .copied()
            .filter(|c| *c != COIN_ETH)
            .collect();
        coins.sort_unstable();
        coins.dedup();
        ReadPlan {
            coin_types: coins,
            text_keys: params.text_keys.clone(),
            dns_labels: params.dns_labels.clone(),
        }
    }
}

/// The registry's view of a node: `owner(node)` and `resolver(node)`.
pub fn registry_calls(registry: Address, node: B256) -> Vec<(Address, Vec<u8>)> {
    vec![
        (registry, EnsRegistry::ownerCall { node }.abi_encode()),
        (registry, EnsRegistry::resolverCall { node }.abi_encode()),
    ]
}

/// The resolver calls of `plan` for `ens_name` (whose node is `node`), in the order
/// [`map_records`] expects.
pub fn read_calls(
    resolver: Address,
    node: B256,
    ens_name: &str,
    plan: &ReadPlan,
) -> Vec<(Address, Vec<u8>)> {
    let mut calls = vec![(resolver, EnsResolver::addr_0Call { node }.abi_encode())];
    for coin in &plan.coin_types {
        let call = EnsResolver::addr_1Call {
            node,
            coinType: U256::from(*coin),
        };
        calls.push((resolver, call.abi_encode()));
    }
    for key in &plan.text_keys {
        let call = EnsResolver::textCall {
            node,
            key: key.clone(),
        };
        calls.push((resolver, call.abi_encode()));
    }
    calls.push((resolver, EnsResolver::contenthashCall { node }.abi_encode()));
    for (label, rtype) in plan.dns_sets() {
        // A label too long for DNS has no records: ask for the empty name's, which is empty.
        let name = wire_name(label, ens_name).unwrap_or_default();
        let call = EnsResolver::dnsRecordCall {
            node,
            name: B256::from(keccak256(&name)),
            resource: type_code(rtype),
        };
        calls.push((resolver, call.abi_encode()));
    }
    calls
}

/// Decodes an `address` return value (`None` for a failed call or bad data).
pub fn decode_address(result: &CallResult) -> Option<Address> {
    let data = result.as_ref().ok()?;
    EnsRegistry::ownerCall::abi_decode_returns(data).ok()
}

/// The registry's answers: `(owner, resolver)`; a zero or failed answer is the zero address.
pub fn decode_registry(results: &[CallResult]) -> (EthAddress, Address) {
    let owner = results
        .first()
        .and_then(decode_address)
        .unwrap_or(Address::ZERO);
    let resolver = results
        .get(1)
        .and_then(decode_address)
        .unwrap_or(Address::ZERO);
    (EthAddress(owner.0.0), resolver)
}

fn decode_bytes(result: Option<&CallResult>) -> Option<Bytes> {
    let data = result?.as_ref().ok()?;
    EnsResolver::contenthashCall::abi_decode_returns(data).ok()
}

fn decode_string(result: Option<&CallResult>) -> Option<String> {
    let data = result?.as_ref().ok()?;
    EnsResolver::textCall::abi_decode_returns(data).ok()
}

/// Maps the answers to [`read_calls`] (same order) into the records the chain accepts: see
/// the module doc.
pub fn map_records(
    plan: &ReadPlan,
    ens_name: &str,
    results: &[CallResult],
    params: &BridgeParams,
) -> EnsRecords {
    let mut all = EnsRecords::default();
    let records = &mut all.web3;
    let max = params.max_records as usize;
    let room = |records: &ghost_primitives::Web3Records, dns: usize| records.count() + dns < max;
    let mut at = 0usize;
    let mut next = || {
        let r = results.get(at);
        at += 1;
        r
    };
    if let Some(address) = next().and_then(decode_address)
        && address != Address::ZERO
        && room(records, 0)
    {
        records
            .addresses
            .insert(COIN_ETH, ghost_primitives::Bytes(address.to_vec()));
    }
    for coin in &plan.coin_types {
        if let Some(bytes) = decode_bytes(next())
            && !bytes.is_empty()
            && address_is_valid(*coin, &bytes)
            && room(records, 0)
        {
            records
                .addresses
                .insert(*coin, ghost_primitives::Bytes(bytes.to_vec()));
        }
    }
    let mut texts = Vec::new();
    for key in &plan.text_keys {
        if let Some(value) = decode_string(next())
            && !value.is_empty()
            && value.len() as u64 <= u64::from(params.max_text_len)
            && params.text_keys.contains(key)
        {
            texts.push((key.clone(), value));
        }
    }
    if let Some(hash) = decode_bytes(next())
        && !hash.is_empty()
        && contenthash_is_valid(&hash)
        && room(records, 0)
    {
        records.contenthash = Some(ghost_primitives::Bytes(hash.to_vec()));
    }
    let mut dns = Vec::new();
    for (label, rtype) in plan.dns_sets() {
        let answer = decode_bytes(next());
        let (Some(answer), Some(name)) = (answer, wire_name(label, ens_name)) else {
            continue;
        };
        for (ttl, data) in decode_rrset(&answer, &name, rtype) {
            if !params.dns_labels.contains(label) || !room(records, dns.len()) {
                break;
            }
            dns.push(DnsRecord {
                label: label.clone(),
                ttl,
                data,
            });
        }
    }
    dns.sort();
    dns.dedup();
    // Texts last and in key order: what a too-long list loses is the same for every oracle.
    texts.sort();
    for (key, value) in texts {
        if !room(records, dns.len()) {
            break;
        }
        records.texts.insert(key, value);
    }
    all.dns = dns;
    all
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_sol_types::SolValue;
    use ghost_primitives::RecordData;

    fn ok(data: Vec<u8>) -> CallResult {
        Ok(Bytes::from(data))
    }

    fn reverted() -> CallResult {
        Err(crate::eth::EthError::Rpc {
            method: "eth_call".into(),
            code: 3,
            message: "execution reverted".into(),
        })
    }

    fn plan() -> ReadPlan {
        ReadPlan {
            coin_types: vec![0],
            text_keys: vec!["url".into(), "avatar".into(), "com.github".into()],
            dns_labels: Vec::new(),
        }
    }

    fn params() -> BridgeParams {
        BridgeParams::default()
    }

    /// Answers for `plan()`: addr, addr(0), url, avatar, com.github, contenthash.
    fn answers(
        eth: Address,
        btc: &[u8],
        url: &str,
        avatar: &str,
        github: &str,
        ch: &[u8],
    ) -> Vec<CallResult> {
        vec![
            ok(eth.abi_encode()),
            ok(Bytes::from(btc.to_vec()).abi_encode()),
            ok(url.to_string().abi_encode()),
            ok(avatar.to_string().abi_encode()),
            ok(github.to_string().abi_encode()),
            ok(Bytes::from(ch.to_vec()).abi_encode()),
        ]
    }

    const P2WPKH: [u8; 22] = [
        0x00, 0x14, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
    ];

    /// An ipfs-ns CIDv1 dag-pb sha2-256 contenthash.
    fn ipfs() -> Vec<u8> {
        let mut v = vec![0xe3, 0x01, 0x01, 0x70, 0x12, 0x20];
        v.extend([7u8; 32]);
        v
    }

    #[test]
    fn calls_are_ens_abi() {
        let node = B256::repeat_byte(1);
        let calls = read_calls(Address::repeat_byte(9), node, "alice.eth", &plan());
        assert_eq!(calls.len(), 6);
        // addr(bytes32) = 0x3b3b57de, addr(bytes32,uint256) = 0xf1cb7e06, text = 0x59d1d43c,
        // contenthash = 0xbc1c58d1: the selectors in ENS's resolver ABI.
        let selectors: Vec<String> = calls.iter().map(|(_, d)| hex::encode(&d[..4])).collect();
        assert_eq!(
            selectors,
            [
                "3b3b57de", "f1cb7e06", "59d1d43c", "59d1d43c", "59d1d43c", "bc1c58d1"
            ]
        );
        let registry = registry_calls(Address::repeat_byte(8), node);
        // owner(bytes32) = 0x02571be3, resolver(bytes32) = 0x0178b8bf.
        assert_eq!(hex::encode(&registry[0].1[..4]), "02571be3");
        assert_eq!(hex::encode(&registry[1].1[..4]), "0178b8bf");
        assert_eq!(&registry[0].1[4..], node.as_slice());
    }

    #[test]
    fn records_map_as_documented() {
        let eth = Address::repeat_byte(0xaa);
        let r = map_records(
            &plan(),
            "alice.eth",
            &answers(eth, &P2WPKH, "https://a.example", "", "alice", &ipfs()),
            &params(),
        );
        assert!(ghost_client::runtime::ens_bridge::records::check(&r, &params()).is_ok());
        let r = r.web3;
        assert_eq!(r.addresses.get(&60).unwrap().0, eth.to_vec());
        assert_eq!(r.addresses.get(&0).unwrap().0, P2WPKH.to_vec());
        assert_eq!(
            r.texts.get("url").map(String::as_str),
            Some("https://a.example")
        );
        assert_eq!(r.texts.get("com.github").map(String::as_str), Some("alice"));
        assert!(!r.texts.contains_key("avatar"), "empty text is absent");
        assert_eq!(r.contenthash.as_ref().unwrap().0, ipfs());
    }

    #[test]
    fn what_the_chain_would_refuse_is_dropped() {
        let long = "x".repeat(params().max_text_len as usize + 1);
        let r = map_records(
            &plan(),
            "alice.eth",
            &answers(Address::ZERO, &[0x76, 0xa9], &long, "ok", "", &[0xff, 0x01]),
            &params(),
        )
        .web3;
        assert!(
            r.addresses.is_empty(),
            "zero ETH address and a non-standard BTC script: {r:?}"
        );
        assert_eq!(r.texts.len(), 1);
        assert_eq!(r.texts.get("avatar").map(String::as_str), Some("ok"));
        assert_eq!(r.contenthash, None);
        // Reverted calls and garbage answers are absent, never an error.
        let mut broken = vec![reverted(), ok(vec![1, 2, 3])];
        broken.extend((0..4).map(|_| reverted()));
        assert_eq!(
            map_records(&plan(), "alice.eth", &broken, &params()),
            EnsRecords::default()
        );
        assert_eq!(
            map_records(&plan(), "alice.eth", &[], &params()),
            EnsRecords::default()
        );
    }

    #[test]
    fn at_most_max_records_in_a_fixed_order() {
        let params = BridgeParams {
            max_records: 3,
            ..params()
        };
        let r = map_records(
            &plan(),
            "alice.eth",
            &answers(Address::repeat_byte(1), &P2WPKH, "u", "a", "g", &ipfs()),
            &params,
        )
        .web3;
        // addresses, then contenthash, then texts by key: avatar comes first.
        assert_eq!(r.count(), 3);
        assert_eq!(r.addresses.len(), 2);
        assert!(r.contenthash.is_some());
        assert!(r.texts.is_empty());
        let params = BridgeParams {
            max_records: 4,
            ..params
        };
        let r = map_records(
            &plan(),
            "alice.eth",
            &answers(Address::repeat_byte(1), &P2WPKH, "u", "a", "g", &ipfs()),
            &params,
        )
        .web3;
        assert_eq!(r.texts.keys().collect::<Vec<_>>(), ["avatar"]);
    }

    #[test]
    fn registry_answers_decode_and_failures_are_zero() {
        let owner = Address::repeat_byte(5);
        let resolver = Address::repeat_byte(6);
        let (o, r) = decode_registry(&[ok(owner.abi_encode()), ok(resolver.abi_encode())]);
        assert_eq!((o.0, r), (owner.0.0, resolver));
        let (o, r) = decode_registry(&[reverted(), ok(vec![])]);
        assert_eq!((o, r), (EthAddress([0; 20]), Address::ZERO));
    }

    #[test]
    fn the_plan_reads_eth_once_and_each_coin_once() {
        let p = ReadPlan::new(&params(), &[60, 0, 0, 2147483658]);
        assert_eq!(p.coin_types, vec![0, 2147483658]);
        assert_eq!(p.text_keys, params().text_keys);
        assert_eq!(p.dns_labels, params().dns_labels);
    }

    /// The plan of `plan()` with DNS records read at `@` and `www`: A, AAAA, TXT, MX each.
    fn dns_plan() -> ReadPlan {
        ReadPlan {
            dns_labels: params().dns_labels,
            ..plan()
        }
    }

    /// `answers` for `dns_plan()`: nothing but the DNS answers given per (label, type).
    fn dns_answers(sets: &[(&str, RecordType, Vec<u8>)]) -> Vec<CallResult> {
        let mut out: Vec<CallResult> = (0..6).map(|_| reverted()).collect();
        for (label, rtype) in dns_plan().dns_sets() {
            let answer = sets
                .iter()
                .find(|(l, t, _)| *l == label.as_str() && *t == rtype)
                .map(|(_, _, bytes)| bytes.clone())
                .unwrap_or_default();
            out.push(ok(Bytes::from(answer).abi_encode()));
        }
        out
    }

    fn a(name: &[u8], ttl: u32, last: u8) -> Vec<u8> {
        crate::dns_wire::encode_rr(name, ttl, &RecordData::A([192, 0, 2, last])).unwrap()
    }

    #[test]
    fn dns_records_are_read_per_label_and_type_and_mapped_in_order() {
        let node = B256::from(ghost_primitives::ens_namehash("alice.eth"));
        let calls = read_calls(Address::repeat_byte(9), node, "alice.eth", &dns_plan());
        assert_eq!(calls.len(), 6 + 2 * MIRRORED_DNS_TYPES.len());
        // dnsRecord(bytes32,bytes32,uint16) = 0xa8fa5682, the selector in ENS's resolver ABI;
        // the name asked for is keccak256 of the wire name.
        let first = &calls[6].1;
        assert_eq!(hex::encode(&first[..4]), "a8fa5682");
        assert_eq!(&first[4..36], node.as_slice());
        assert_eq!(
            &first[36..68],
            &keccak256(b"\x05alice\x03eth\x00")[..],
            "the apex first"
        );
        assert_eq!(first[68 + 30..68 + 32], [0, 1], "type A");

        let apex = b"\x05alice\x03eth\x00".to_vec();
        let www = b"\x03www\x05alice\x03eth\x00".to_vec();
        let answers = dns_answers(&[
            (
                "@",
                RecordType::A,
                [a(&apex, 600, 2), a(&apex, 600, 1)].concat(),
            ),
            (
                "www",
                RecordType::TXT,
                crate::dns_wire::encode_rr(&www, 60, &RecordData::TXT(vec![b"hi".to_vec()]))
                    .unwrap(),
            ),
            // A set that does not parse is dropped whole.
            ("www", RecordType::A, vec![0xc0, 0x0c]),
        ]);
        let r = map_records(&dns_plan(), "alice.eth", &answers, &params());
        let label = |s: &str| RecordLabel::parse(s).unwrap();
        assert_eq!(
            r.dns,
            vec![
                DnsRecord {
                    label: label("@"),
                    ttl: 600,
                    data: RecordData::A([192, 0, 2, 1])
                },
                DnsRecord {
                    label: label("@"),
                    ttl: 600,
                    data: RecordData::A([192, 0, 2, 2])
                },
                DnsRecord {
                    label: label("www"),
                    ttl: 60,
                    data: RecordData::TXT(vec![b"hi".to_vec()])
                },
            ]
        );
        assert!(ghost_client::runtime::ens_bridge::records::check(&r, &params()).is_ok());

        // DNS records come after addresses and contenthash and before texts under max_records.
        let params = BridgeParams {
            max_records: 2,
            ..params()
        };
        let r = map_records(&dns_plan(), "alice.eth", &answers, &params);
        assert_eq!(r.dns.len(), 2);
        assert_eq!(
            r.dns[1].data,
            RecordData::A([192, 0, 2, 2]),
            "in call order, then sorted"
        );
    }
}
