//! The ENS bridge's types: requests, links, votes, parameters and the reasons the pallet gives.

use ghost_primitives::{
    AccountId, Balance, BlockNumber, DnsRecord, DomainName, EnsName, EthAddress, Hash, RecordData,
    RecordLabel, RecordType, Web3Records,
};
use ghost_support::DispatchError;
use parity_scale_codec::{Decode, Encode};

/// An ENS node: the EIP-137 namehash of an ENS name.
pub type EnsNode = [u8; 32];

/// A 65-byte Ethereum signature `r ++ s ++ v` (`v` is 27/28 or 0/1), as `personal_sign`
/// returns it.
#[derive(Clone, Copy, PartialEq, Eq, Encode, Decode)]
pub struct EthSignature(pub [u8; 65]);

impl core::fmt::Debug for EthSignature {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "0x{}", hex::encode(self.0))
    }
}

impl core::str::FromStr for EthSignature {
    type Err = ghost_primitives::bytes::HexError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bytes = ghost_primitives::bytes::decode_hex(s)?;
        let raw: [u8; 65] =
            bytes
                .try_into()
                .map_err(|b: Vec<u8>| ghost_primitives::bytes::HexError::Length {
                    expected: 65,
                    found: b.len(),
                })?;
        Ok(EthSignature(raw))
    }
}

impl serde::Serialize for EthSignature {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("0x{}", hex::encode(self.0)))
    }
}

impl<'de> serde::Deserialize<'de> for EthSignature {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A request to link an ENS name, waiting for the oracles to attest its owner.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PendingRequest {
    /// The ENS name.
    pub ens_name: EnsName,
    /// The ghost name it is to be linked to.
    pub ghost_name: DomainName,
    /// The account that asked, pays, and gets the ghost name.
    pub ghost_account: AccountId,
    /// The Ethereum address that signed the link message: it must be the ENS owner.
    pub eth_address: EthAddress,
    /// Reserved from `ghost_account` until the request ends.
    pub deposit: Balance,
    /// The last block in which it can be linked; after it anyone may remove it.
    pub expires_at: BlockNumber,
}

/// Whether a link resolves.
#[derive(
    Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "camelCase")]
pub enum LinkStatus {
    /// The ENS owner is the one who linked: records follow ENS.
    Active,
    /// The ENS name changed owner: records were cleared and no longer sync until the new owner
    /// links again.
    Suspended {
        /// The owner the oracles attested.
        new_owner: EthAddress,
    },
}

/// A link between an ENS name and a ghost name.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Link {
    /// The ENS name.
    pub ens_name: EnsName,
    /// The ghost name its records are mirrored to.
    pub ghost_name: DomainName,
    /// The account that linked it.
    pub ghost_account: AccountId,
    /// The ENS owner when it was linked.
    pub eth_owner: EthAddress,
    /// The Ethereum block of the last attestation applied (attestations must be newer).
    pub eth_block_number: u64,
    /// That block's hash.
    pub eth_block_hash: Hash,
    /// blake3 of the SCALE encoding of the records last applied.
    pub records_hash: Hash,
    /// Whether it resolves.
    pub status: LinkStatus,
    /// The ghost block it was made in.
    pub linked_at: BlockNumber,
    /// Whether the ghost name's DNS records of the mirrored labels and types follow the ENS
    /// name's DNS-profile records (true once the ENS name had any; see [`EnsRecords::dns`]).
    pub mirrors_dns: bool,
}

/// One oracle's latest attestation of an ENS name that is not yet agreed on.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Vote {
    /// The Ethereum block it describes.
    pub eth_block_number: u64,
    /// That block's hash.
    pub eth_block_hash: Hash,
    /// The registry owner at that block.
    pub owner: EthAddress,
    /// blake3 of the SCALE encoding of the records at that block.
    pub records_hash: Hash,
}

/// Chain-spec parameters of the bridge, changed by root.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BridgeParams {
    /// The ENS text record keys mirrored to ghost text records (others are refused).
    pub text_keys: Vec<String>,
    /// Longest text value mirrored, in bytes.
    pub max_text_len: u32,
    /// Most records (addresses + texts + contenthash) one attestation may carry.
    pub max_records: u32,
    /// Addresses of NameWrapper contracts: an ENS name whose registry owner is one of them is
    /// wrapped, and is refused until wrapped names are supported.
    pub name_wrappers: Vec<EthAddress>,
    /// Where under a name EIP-1185 DNS-profile records are mirrored (`@` is the name itself):
    /// the ENS resolver's records for `<label>.<ens name>` become the ghost name's records at
    /// `<label>`, for the types in [`MIRRORED_DNS_TYPES`].
    #[serde(default = "default_dns_labels")]
    pub dns_labels: Vec<RecordLabel>,
}

/// The DNS record types mirrored from ENS DNS-profile records: addresses, texts and mail
/// exchangers. Not CNAME (it cannot share a label with the records a ghost name has there, and
/// a target under `.eth` would not resolve), nor NS, SRV, CAA or TLSA.
pub const MIRRORED_DNS_TYPES: [RecordType; 4] = [
    RecordType::A,
    RecordType::AAAA,
    RecordType::TXT,
    RecordType::MX,
];

/// Longest TTL of a mirrored DNS record (seconds), the domains pallet's limit; a longer ENS TTL
/// is lowered to it.
pub const MAX_DNS_TTL: u32 = 86_400;

/// `@` and `www`.
fn default_dns_labels() -> Vec<RecordLabel> {
    vec![
        RecordLabel::apex(),
        RecordLabel::parse("www").expect("a valid label"),
    ]
}

impl Default for BridgeParams {
    /// ENSIP-5's global keys and the common service keys; the mainnet NameWrapper.
    fn default() -> Self {
        BridgeParams {
            text_keys: [
                "avatar",
                "description",
                "display",
                "email",
                "keywords",
                "mail",
                "notice",
                "location",
                "phone",
                "url",
                "header",
                "com.twitter",
                "com.github",
                "com.discord",
                "org.telegram",
            ]
            .into_iter()
            .map(String::from)
            .collect(),
            max_text_len: 512,
            max_records: 24,
            name_wrappers: vec![EthAddress(MAINNET_NAME_WRAPPER)],
            dns_labels: default_dns_labels(),
        }
    }
}

/// The mainnet NameWrapper, `0xD4416b13d2b3a9aBae7AcD5D6C2BbDBE25686401`.
pub const MAINNET_NAME_WRAPPER: [u8; 20] = [
    0xd4, 0x41, 0x6b, 0x13, 0xd2, 0xb3, 0xa9, 0xab, 0xae, 0x7a, 0xcd, 0x5d, 0x6c, 0x2b, 0xbd, 0xbe,
    0x25, 0x68, 0x64, 0x01,
];

/// Why a pending request ended without a link.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub enum RefusalReason {
    /// The attested ENS owner is not the address that signed the request.
    OwnerMismatch {
        /// The attested owner.
        owner: EthAddress,
    },
    /// The name is owned by a NameWrapper contract (wrapped names are not supported yet).
    NameWrapped,
    /// Registering the ghost name or writing its records failed (taken, unaffordable, over the
    /// record limits, ...).
    RegistrationFailed {
        /// What the name service said.
        error: DispatchError,
    },
}

/// Why an attestation changed nothing.
#[derive(
    Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "camelCase")]
pub enum IgnoredReason {
    /// Its Ethereum block is not newer than what the link or the oracle's last vote describes.
    Stale,
    /// The oracle attested something else for the same block before (equivocation).
    Equivocation,
    /// It disagreed with what the threshold of oracles agreed on, and was discarded.
    Conflicting,
}

/// The records an attestation carries: ENS's view of the name in the ghost layout (see
/// `docs/ENS.md` for the mapping).
#[derive(
    Clone, PartialEq, Eq, Debug, Default, Encode, Decode, serde::Serialize, serde::Deserialize,
)]
pub struct EnsRecords {
    /// Addresses, texts and contenthash, mirrored as the ghost name's web3 records.
    pub web3: Web3Records,
    /// EIP-1185 DNS-profile records at the mirrored labels and types, in ascending order
    /// without duplicates (so every honest oracle encodes the same list).
    pub dns: Vec<DnsRecord>,
}

impl EnsRecords {
    /// How many entries (web3 entries and DNS records).
    pub fn count(&self) -> usize {
        self.web3.count() + self.dns.len()
    }

    /// Bytes these records take.
    pub fn size(&self) -> usize {
        self.encoded_size()
    }
}

impl From<Web3Records> for EnsRecords {
    /// Web3 records and no DNS records.
    fn from(web3: Web3Records) -> EnsRecords {
        EnsRecords {
            web3,
            dns: Vec::new(),
        }
    }
}

impl From<&Web3Records> for EnsRecords {
    fn from(web3: &Web3Records) -> EnsRecords {
        web3.clone().into()
    }
}

impl From<&EnsRecords> for EnsRecords {
    fn from(records: &EnsRecords) -> EnsRecords {
        records.clone()
    }
}

/// One DNS record set a link writes: every record of `rtype` at `label` (none: delete them).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct DnsSet {
    /// Where under the ghost name.
    pub label: RecordLabel,
    /// Which type.
    pub rtype: RecordType,
    /// TTL of the set (the lowest TTL ENS gave its records).
    pub ttl: u32,
    /// The values.
    pub values: Vec<RecordData>,
}

/// The sets that make a ghost name's mirrored DNS records those of `records`: one per mirrored
/// label and type, the empty ones included (they delete what ENS no longer has).
pub fn dns_sets(records: &EnsRecords, params: &BridgeParams) -> Vec<DnsSet> {
    let mut sets = Vec::new();
    for label in &params.dns_labels {
        for rtype in MIRRORED_DNS_TYPES {
            let records: Vec<&DnsRecord> = records
                .dns
                .iter()
                .filter(|r| &r.label == label && r.data.rtype() == rtype)
                .collect();
            sets.push(DnsSet {
                label: label.clone(),
                rtype,
                ttl: records
                    .iter()
                    .map(|r| r.ttl)
                    .min()
                    .unwrap_or(ghost_primitives::records::DEFAULT_TTL),
                values: records.into_iter().map(|r| r.data.clone()).collect(),
            });
        }
    }
    sets
}
