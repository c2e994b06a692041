//! Checking the records an attestation carries, before they are counted or mirrored.
//!
//! - **Addresses** (ENS `addr(node, coinType)`, ENSIP-9; SLIP-44 coin types): coin 60 (ETH,
//!   the legacy `addr(node)`) and every ENSIP-11 EVM chain coin (`0x80000000 | chainId`) must be
//!   20 bytes. Bitcoin (coin 0) must be a standard output script: P2PKH, P2SH, P2WPKH, P2WSH or
//!   P2TR. Other coins: 1 to [`MAX_ADDRESS_LEN`] bytes (their formats are not checked).
//! - **Texts**: only the keys in the chain's list, values up to `max_text_len` bytes.
//! - **Contenthash** (ENSIP-7 / EIP-1577): a multicodec namespace from the known set, then a
//!   non-empty value; for `ipfs-ns`, `ipns-ns` and `swarm-ns` that value must be a CIDv1 whose
//!   multihash length matches its digest.
//! - **DNS records** (EIP-1185): only at the chain's mirrored labels and of
//!   [`MIRRORED_DNS_TYPES`], TTLs up to [`MAX_DNS_TTL`], in ascending order without duplicates.
//!   Their values are checked as every record value is when it is decoded (addresses, hostnames,
//!   TXT string lengths), and the domains pallet checks them again when it stores them.
//!
//! Addresses, texts, contenthash and DNS records together are at most `max_records`.

use crate::Error;
use crate::types::{BridgeParams, EnsRecords, MAX_DNS_TTL, MIRRORED_DNS_TYPES};

/// The ETH coin type (SLIP-44), ENS's legacy `addr(node)`.
pub const COIN_ETH: u32 = 60;
/// The Bitcoin coin type.
pub const COIN_BTC: u32 = 0;
/// ENSIP-11: coin types at or above this are EVM chains (`0x80000000 | chainId`).
pub const ENSIP11_EVM_BASE: u32 = 0x8000_0000;
/// Longest address of a coin whose format is not checked.
pub const MAX_ADDRESS_LEN: usize = 64;
/// Longest contenthash.
pub const MAX_CONTENTHASH_LEN: usize = 128;

/// ENSIP-7 namespaces: `ipfs-ns`, `swarm-ns`, `ipns-ns`, `onion`, `onion3`, `skynet-ns`,
/// `arweave-ns`.
const NAMESPACES: [u64; 7] = [0xe3, 0xe4, 0xe5, 0x01bc, 0x01bd, 0xb19910, 0xb29910];

/// Checks `records` against the rules in the module doc and `params`.
pub fn check(records: &EnsRecords, params: &BridgeParams) -> Result<(), Error> {
    if records.count() as u64 > u64::from(params.max_records) {
        return Err(Error::TooManyRecords);
    }
    if !records.dns.windows(2).all(|w| w[0] < w[1]) {
        return Err(Error::DnsRecordsNotCanonical);
    }
    for record in &records.dns {
        let mirrored = params.dns_labels.contains(&record.label)
            && MIRRORED_DNS_TYPES.contains(&record.data.rtype());
        if !mirrored || record.ttl > MAX_DNS_TTL {
            return Err(Error::DnsRecordNotMirrored);
        }
    }
    let records = &records.web3;
    for (coin, address) in &records.addresses {
        if !address_is_valid(*coin, address) {
            return Err(Error::InvalidAddressRecord);
        }
    }
    for (key, value) in &records.texts {
        if !params.text_keys.iter().any(|k| k == key) {
            return Err(Error::TextKeyNotMirrored);
        }
        if value.len() as u64 > u64::from(params.max_text_len) {
            return Err(Error::TextTooLong);
        }
    }
    if let Some(hash) = &records.contenthash
        && !contenthash_is_valid(hash)
    {
        return Err(Error::InvalidContenthash);
    }
    Ok(())
}

/// Whether `address` is a well-formed address for `coin`.
pub fn address_is_valid(coin: u32, address: &[u8]) -> bool {
    if coin == COIN_ETH || coin >= ENSIP11_EVM_BASE {
        return address.len() == 20;
    }
    if coin == COIN_BTC {
        return is_standard_bitcoin_script(address);
    }
    !address.is_empty() && address.len() <= MAX_ADDRESS_LEN
}

/// P2PKH, P2SH, P2WPKH, P2WSH or P2TR output scripts (what ENSIP-9 stores for Bitcoin).
fn is_standard_bitcoin_script(s: &[u8]) -> bool {
    match s {
        // OP_DUP OP_HASH160 <20> OP_EQUALVERIFY OP_CHECKSIG
        [0x76, 0xa9, 0x14, hash @ .., 0x88, 0xac] => hash.len() == 20,
        // OP_HASH160 <20> OP_EQUAL
        [0xa9, 0x14, hash @ .., 0x87] => hash.len() == 20,
        // OP_0 <20> | OP_0 <32>
        [0x00, 0x14, program @ ..] => program.len() == 20,
        [0x00, 0x20, program @ ..] => program.len() == 32,
        // OP_1 <32>
        [0x51, 0x20, program @ ..] => program.len() == 32,
        _ => false,
    }
}

/// An unsigned LEB128 varint (multiformats), at most 9 bytes; returns it and the rest.
fn varint(bytes: &[u8]) -> Option<(u64, &[u8])> {
    let mut value = 0u64;
    for (i, b) in bytes.iter().enumerate().take(9) {
        value |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            return Some((value, &bytes[i + 1..]));
        }
    }
    None
}

/// Whether `hash` is an ENSIP-7 contenthash (see the module doc).
pub fn contenthash_is_valid(hash: &[u8]) -> bool {
    if hash.len() > MAX_CONTENTHASH_LEN {
        return false;
    }
    let Some((namespace, value)) = varint(hash) else {
        return false;
    };
    if !NAMESPACES.contains(&namespace) || value.is_empty() {
        return false;
    }
    if matches!(namespace, 0xe3..=0xe5) {
        return is_cid_v1(value);
    }
    true
}

/// `<version 1><content codec><multihash: code, length, digest>`.
fn is_cid_v1(cid: &[u8]) -> bool {
    let Some((1, rest)) = varint(cid) else {
        return false;
    };
    let Some((_codec, rest)) = varint(rest) else {
        return false;
    };
    let Some((_hash_code, rest)) = varint(rest) else {
        return false;
    };
    let Some((len, digest)) = varint(rest) else {
        return false;
    };
    len > 0 && digest.len() as u64 == len
}

#[cfg(test)]
mod tests {
    use super::*;
    use ghost_primitives::{DnsRecord, RecordData, RecordLabel};
    use proptest::prelude::*;

    fn hex(s: &str) -> Vec<u8> {
        hex::decode(s).unwrap()
    }

    /// EIP-1577 / ENSIP-7's examples.
    #[test]
    fn ensip7_contenthash_examples() {
        // ipfs://QmRAQB6YaCyidP37UdDnjFY5vQuiBrcqdyoW1CuDgwxkD4
        assert!(contenthash_is_valid(&hex(
            "e3010170122029f2d17be6139079dc48696d1f582a8530eb9805b561eda517e22a892c7e3f1f"
        )));
        // bzz://d1de9994b4d039f6548d191eb26786769f580809256b4685ef316805265ea162
        assert!(contenthash_is_valid(&hex(
            "e40101fa011b20d1de9994b4d039f6548d191eb26786769f580809256b4685ef316805265ea162"
        )));
        // onion3 (56 ASCII bytes after the namespace)
        let mut onion3 = hex("bd03");
        onion3.extend_from_slice(b"p53lf57qovyuvwsc6xnrppyply3vtqm7l6pcobkmyqsiofyeznfu5uqd");
        assert!(contenthash_is_valid(&onion3));
        // Truncated digest, unknown namespace, CIDv0 under ipfs-ns, empty.
        assert!(!contenthash_is_valid(&hex(
            "e3010170122029f2d17be6139079dc48696d1f582a8530eb9805b561eda517e22a892c7e3f"
        )));
        assert!(!contenthash_is_valid(&hex("aa0101")));
        assert!(!contenthash_is_valid(&hex(
            "e3122029f2d17be6139079dc48696d1f582a8530eb9805b561eda517e22a892c7e3f1f"
        )));
        assert!(!contenthash_is_valid(&[]));
        assert!(!contenthash_is_valid(&hex("e301")));
    }

    /// ENSIP-9's Bitcoin examples: the scripts of `1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa`,
    /// `3Ai1JZ8pdJb2ksieUV8FsxSNVJCpoPi8W6` and `bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4`.
    #[test]
    fn ensip9_bitcoin_scripts() {
        for script in [
            "76a91462e907b15cbf27d5425399ebf6f0fb50ebb88f1888ac",
            "a91462e907b15cbf27d5425399ebf6f0fb50ebb88f1887",
            "0014751e76e8199196d454941c45d1b3a323f1433bd6",
        ] {
            assert!(address_is_valid(COIN_BTC, &hex(script)), "{script}");
        }
        assert!(!address_is_valid(
            COIN_BTC,
            &hex("76a91462e907b15cbf27d5425399ebf6f0fb50ebb88f18ac")
        ));
        assert!(!address_is_valid(COIN_BTC, &[0x51]));
    }

    #[test]
    fn evm_addresses_are_twenty_bytes() {
        assert!(address_is_valid(COIN_ETH, &[1; 20]));
        assert!(!address_is_valid(COIN_ETH, &[1; 21]));
        // ENSIP-11: Optimism is 0x80000000 | 10.
        assert!(address_is_valid(ENSIP11_EVM_BASE | 10, &[1; 20]));
        assert!(!address_is_valid(ENSIP11_EVM_BASE | 10, &[1; 32]));
        assert!(address_is_valid(501, &[1; 32]), "SOL: length only");
        assert!(!address_is_valid(501, &[]));
    }

    #[test]
    fn texts_follow_the_key_list_and_length() {
        let params = BridgeParams::default();
        let mut records = EnsRecords::default();
        records
            .web3
            .texts
            .insert("url".into(), "https://example.com".into());
        assert_eq!(check(&records, &params), Ok(()));
        records.web3.texts.insert("x-unknown".into(), "1".into());
        assert_eq!(check(&records, &params), Err(Error::TextKeyNotMirrored));
        records.web3.texts.remove("x-unknown");
        records.web3.texts.insert("email".into(), "a".repeat(513));
        assert_eq!(check(&records, &params), Err(Error::TextTooLong));
    }

    fn dns(label: &str, ttl: u32, data: RecordData) -> DnsRecord {
        DnsRecord {
            label: RecordLabel::parse(label).unwrap(),
            ttl,
            data,
        }
    }

    #[test]
    fn dns_records_are_mirrored_only_at_the_chain_labels_and_types_in_order() {
        let params = BridgeParams::default();
        let a = |last: u8| RecordData::A([192, 0, 2, last]);
        let mut records = EnsRecords {
            dns: vec![
                dns("@", 300, a(1)),
                dns("@", 300, a(2)),
                dns("www", 60, a(1)),
            ],
            ..EnsRecords::default()
        };
        assert_eq!(check(&records, &params), Ok(()));

        // Out of order or duplicated: two oracles must not hash one set two ways.
        records.dns.swap(0, 1);
        assert_eq!(check(&records, &params), Err(Error::DnsRecordsNotCanonical));
        records.dns = vec![dns("@", 300, a(1)), dns("@", 300, a(1))];
        assert_eq!(check(&records, &params), Err(Error::DnsRecordsNotCanonical));

        for refused in [
            dns("mail", 300, a(1)),
            dns(
                "@",
                300,
                RecordData::CNAME(ghost_primitives::Hostname::parse("alice.eth").unwrap()),
            ),
            dns("@", MAX_DNS_TTL + 1, a(1)),
        ] {
            records.dns = vec![refused.clone()];
            assert_eq!(
                check(&records, &params),
                Err(Error::DnsRecordNotMirrored),
                "{refused:?}"
            );
        }

        // DNS records count toward max_records with the web3 ones.
        records.dns = (0..=params.max_records as u8)
            .map(|i| dns("@", 300, a(i)))
            .collect();
        assert_eq!(check(&records, &params), Err(Error::TooManyRecords));
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200), coin in any::<u32>()) {
            let _ = contenthash_is_valid(&bytes);
            let _ = address_is_valid(coin, &bytes);
        }
    }
}
