//! The domains pallet's types: what is stored per name, the chain-spec parameters, record
//! changes and signed updates.

use ghost_primitives::{
    AccountId, Balance, Bytes, DnsRecord, DomainName, Hash, Moment, RecordData, RecordLabel,
    RecordType, Signature, Web3Records,
};
use parity_scale_codec::{Decode, Encode, MaxEncodedLen};

/// One year in ms (365 days), the unit prices are quoted in.
pub const YEAR_MS: u64 = 365 * 24 * 60 * 60 * 1000;
/// One day in ms.
pub const DAY_MS: u64 = 24 * 60 * 60 * 1000;

/// What the chain knows about a registered name or subname.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DomainInfo {
    /// The name.
    pub name: DomainName,
    /// Its owner (an account or a contract).
    pub owner: AccountId,
    /// The parent's namehash for a subname; `None` for a registered second-level name.
    pub parent: Option<Hash>,
    /// Expiry (header time, ms) of a registered name; subnames inherit their root's.
    pub expires_at: Moment,
    /// When it was registered or created (header time, ms).
    pub created_at: Moment,
    /// The registration this entry belongs to: a counter bumped at every registration of a
    /// second-level name, copied into its subnames, so subnames of an earlier registration of
    /// the same name are dead the moment it is registered anew.
    pub registration: u64,
    /// For a subname: whether the parent's owner may still take it back or reassign it.
    pub parent_controlled: bool,
    /// An account approved to manage this one name (ERC-721 `approve`).
    pub approved: Option<AccountId>,
    /// An ed25519 key that may sign off-chain record updates besides the owner.
    pub update_key: Option<AccountId>,
    /// Timestamp of the last signed update applied (they must increase).
    pub last_signed_update: Moment,
    /// The records' sequence number: a signed update must carry exactly this value, and every
    /// change of the records (signed or direct) adds one, so an update signed against older
    /// records can never overwrite newer ones, and a signer can sign `n, n + 1, …` ahead. A new
    /// name starts at a fresh [`SequenceEpoch`](crate::SequenceEpoch) × 2³², so numbers are
    /// never reused, not even by a later registration of the same name.
    pub update_sequence: u64,
}

/// The records of a name.
#[derive(Clone, PartialEq, Eq, Debug, Default, Encode, Decode, serde::Serialize)]
pub struct NameRecords {
    /// DNS records.
    pub dns: Vec<DnsRecord>,
    /// Web3 records.
    pub web3: Web3Records,
}

impl NameRecords {
    /// Whether there is nothing.
    pub fn is_empty(&self) -> bool {
        self.dns.is_empty() && self.web3.count() == 0
    }
}

/// A registration commitment: when it was made and the deposit it holds.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, MaxEncodedLen, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Commitment {
    /// When it was made (header time, ms).
    pub made: Moment,
    /// Who paid its deposit (the transaction's signer) and gets it back.
    pub depositor: AccountId,
    /// The deposit reserved on `depositor`.
    pub deposit: Balance,
}

/// A deposit held for a subname: who paid it and how much, returned when the subname goes.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, MaxEncodedLen, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Deposit {
    /// Who paid it (the transaction's signer, also when a contract acted for it).
    pub payer: AccountId,
    /// The amount reserved on `payer`.
    pub amount: Balance,
}

/// Longest TTL (seconds) a record may carry: one day, the cap recursive resolvers apply by
/// default (unbound's `cache-max-ttl` is 86400; BIND caps at a week) and longer than any zone
/// operator needs for names whose owner can change in one block. The DNS side also never
/// answers with a TTL past the name's expiry.
pub const MAX_RECORD_TTL: u32 = 86_400;

/// Where a name stands.
#[derive(
    Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "camelCase")]
pub enum NameStatus {
    /// Registered and resolving.
    Active,
    /// Expired: no longer resolves; only renewal (by anyone, for the owner) is possible.
    Grace,
    /// Free to register.
    Available,
}

/// Chain-spec parameters of the pallet.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DomainParams {
    /// A commitment must be at least this old to register (0: no commitment needed).
    pub min_commitment_age_ms: u64,
    /// ... and at most this old.
    pub max_commitment_age_ms: u64,
    /// Shortest registration or renewal.
    pub min_registration_ms: u64,
    /// Longest time a name may be registered ahead.
    pub max_registration_ms: u64,
    /// After expiry, how long only a renewal is possible.
    pub grace_period_ms: u64,
    /// Yearly price by label length: `(max_label_len, price)` in ascending `max_label_len`;
    /// the first row whose length bound covers the label applies.
    pub yearly_price: Vec<(u8, Balance)>,
    /// Most DNS records per name.
    pub max_dns_records: u32,
    /// Most web3 entries (addresses + texts + contenthash) per name.
    pub max_web3_entries: u32,
    /// Most bytes of all records of a name, encoded.
    pub max_record_bytes: u32,
    /// Most expiries handled per block (the rest wait for the next block).
    pub max_expiries_per_block: u32,
    /// A signed update's timestamp may differ from the block time by at most this.
    pub signed_update_window_ms: u64,
    /// Most updates in one `batch_set_records_signed`.
    pub max_batch_updates: u32,
}

impl DomainParams {
    /// Most record changes one call may apply: enough to remove every record of a name and add
    /// as many new ones (`2 × (max_dns_records + max_web3_entries)`), and no more, so one call's
    /// work is bounded by the chain spec.
    pub fn max_changes_per_call(&self) -> u32 {
        self.max_dns_records
            .saturating_add(self.max_web3_entries)
            .saturating_mul(2)
    }
}

impl Default for DomainParams {
    /// Production defaults: 60 s to 24 h commitments, 28 days to 10 years, 90 days of grace,
    /// 100/20/5 GHOST a year for 1-3/4/5+ character labels.
    fn default() -> Self {
        const GHOST: Balance = 1_000_000_000_000;
        DomainParams {
            min_commitment_age_ms: 60_000,
            max_commitment_age_ms: DAY_MS,
            min_registration_ms: 28 * DAY_MS,
            max_registration_ms: 10 * YEAR_MS,
            grace_period_ms: 90 * DAY_MS,
            yearly_price: vec![(3, 100 * GHOST), (4, 20 * GHOST), (u8::MAX, 5 * GHOST)],
            max_dns_records: 64,
            max_web3_entries: 32,
            max_record_bytes: 16 * 1024,
            max_expiries_per_block: 100,
            signed_update_window_ms: 5 * 60_000,
            max_batch_updates: 100,
        }
    }
}

/// One change of a name's records, applied in order by `set_records`.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum RecordChange {
    /// Adds a record, or updates the TTL of an identical one.
    Upsert(DnsRecord),
    /// Removes a record (label, type and value must match).
    Remove(DnsRecord),
    /// Replaces every record of `rtype` at `label` with `values` (none: delete them).
    ReplaceSet {
        /// Where.
        label: RecordLabel,
        /// Which type.
        rtype: RecordType,
        /// TTL of the new records.
        ttl: u32,
        /// The new values, all of `rtype`.
        values: Vec<RecordData>,
    },
    /// Sets or clears the address for a SLIP-44 coin type.
    SetAddress {
        /// Coin type.
        coin_type: u32,
        /// Address bytes (`None` clears).
        address: Option<Bytes>,
    },
    /// Sets or clears a text record.
    SetText {
        /// Key.
        key: String,
        /// Value (`None` clears).
        value: Option<String>,
    },
    /// Sets or clears the content hash.
    SetContenthash(Option<Bytes>),
}

impl RecordChange {
    /// The changes that turn the web3 records `from` into `to` (DNS records untouched):
    /// removals first, then every address and text of `to`, then its contenthash.
    pub fn web3_diff(from: &Web3Records, to: &Web3Records) -> Vec<RecordChange> {
        let removed_addresses = from
            .addresses
            .keys()
            .filter(|coin| !to.addresses.contains_key(coin))
            .map(|coin| RecordChange::SetAddress {
                coin_type: *coin,
                address: None,
            });
        let removed_texts = from
            .texts
            .keys()
            .filter(|key| !to.texts.contains_key(*key))
            .map(|key| RecordChange::SetText {
                key: key.clone(),
                value: None,
            });
        let set_addresses = to
            .addresses
            .iter()
            .map(|(coin, address)| RecordChange::SetAddress {
                coin_type: *coin,
                address: Some(address.clone()),
            });
        let set_texts = to.texts.iter().map(|(key, value)| RecordChange::SetText {
            key: key.clone(),
            value: Some(value.clone()),
        });
        removed_addresses
            .chain(removed_texts)
            .chain(set_addresses)
            .chain(set_texts)
            .chain([RecordChange::SetContenthash(to.contenthash.clone())])
            .collect()
    }
}

/// An update of a name's DNS records signed off chain by its owner or its update key, relayed by
/// anyone (GhostBridge's `UpdateContractDomain`). The seed's `ContractDomainUpdate`.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignedRecordUpdate {
    /// The name.
    pub domain: DomainName,
    /// The contract (or other agent) that produced the update; opaque, at most 64 bytes.
    pub contract_id: Bytes,
    /// The name's DNS records after the update (they replace all current DNS records).
    pub records: Vec<DnsRecord>,
    /// The signer: the owner or the name's update key.
    pub owner_address: AccountId,
    /// When it was signed (ms); must be later than the last applied update of this name and
    /// within the freshness window of the block time.
    pub timestamp: Moment,
    /// The name's [`DomainInfo::update_sequence`] the update was signed against; it applies
    /// only while the name's records are still at that sequence.
    pub sequence: u64,
    /// ed25519 signature over [`SignedRecordUpdate::signing_payload`].
    pub signature: Signature,
}

/// The domain-separation tag of signed updates (v2: genesis hash and sequence number added).
pub const SIGNED_UPDATE_TAG: &[u8] = b"ghostchain/domain-update/v2";

impl SignedRecordUpdate {
    /// The canonical bytes that are signed for the chain with `genesis_hash`:
    /// `SIGNED_UPDATE_TAG ++ SCALE(genesis_hash, domain, contract_id, records, owner_address,
    /// timestamp, sequence)`. The genesis hash is not sent: each chain verifies against its own,
    /// so an update signed for one chain is refused on every other.
    pub fn signing_payload(&self, genesis_hash: &Hash) -> Vec<u8> {
        signing_payload(
            genesis_hash,
            &self.domain,
            &self.contract_id,
            &self.records,
            &self.owner_address,
            self.timestamp,
            self.sequence,
        )
    }

    /// Whether `signature` is `owner_address`'s signature of the payload for the chain with
    /// `genesis_hash`.
    pub fn signature_is_valid(&self, genesis_hash: &Hash) -> bool {
        self.signature
            .verify(&self.signing_payload(genesis_hash), &self.owner_address)
    }
}

/// The canonical signed-update payload (see [`SignedRecordUpdate::signing_payload`]).
pub fn signing_payload(
    genesis_hash: &Hash,
    domain: &DomainName,
    contract_id: &[u8],
    records: &[DnsRecord],
    owner: &AccountId,
    timestamp: Moment,
    sequence: u64,
) -> Vec<u8> {
    let mut out = SIGNED_UPDATE_TAG.to_vec();
    (
        genesis_hash,
        domain,
        contract_id,
        records,
        owner,
        timestamp,
        sequence,
    )
        .encode_to(&mut out);
    out
}

/// What the expiry queue does at a moment.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode)]
pub enum ExpiryAction {
    /// The name expires (stops resolving; grace begins).
    Expire,
    /// The grace period ends: the name and its records are removed.
    Purge,
    /// Remove, a bounded number per block, the subnames of a name that were created under the
    /// released registration `registration`, continuing after the child `after`. Subnames of a
    /// newer registration of the same name are left alone.
    PurgeSubnames {
        /// The registration whose subnames die.
        registration: u64,
        /// The last child visited (a cursor across blocks).
        after: Option<Hash>,
    },
    /// A commitment reached the maximum commitment age unrevealed: it is removed and its
    /// deposit returned to its depositor. Queued under [`commitment_queue_key`], never under
    /// the commitment itself (which the committer chooses freely and could make collide with a
    /// name's entry).
    DropCommitment {
        /// The commitment.
        commitment: Hash,
    },
}

/// The expiry-queue key of a commitment's sweep: `blake3("ghostchain/commitment" ++
/// commitment)`, which no committer can make equal to a namehash.
pub fn commitment_queue_key(commitment: &Hash) -> Hash {
    let mut preimage = b"ghostchain/commitment".to_vec();
    preimage.extend_from_slice(&commitment.0);
    ghost_primitives::blake3_256(&preimage)
}

/// A name's resolution, as `domain_resolve` returns it.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Resolution {
    /// The name.
    pub name: DomainName,
    /// Its namehash.
    pub namehash: Hash,
    /// Owner.
    pub owner: AccountId,
    /// DNS records (empty unless active).
    pub records: Vec<DnsRecord>,
    /// Web3 records (empty unless active).
    pub web3: Web3Records,
    /// Effective expiry (a subname's is its root's).
    pub expires_at: Moment,
    /// Creation time.
    pub created_at: Moment,
    /// Status.
    pub status: NameStatus,
    /// Parent name, for subnames.
    pub parent: Option<DomainName>,
    /// The key that may sign updates besides the owner.
    pub update_key: Option<AccountId>,
    /// The sequence number the next signed update must carry.
    pub update_sequence: u64,
}

/// The kind of change a domain event is, as GhostBridge streams it (`DomainChangeEvent`).
#[derive(Clone, Copy, PartialEq, Eq, Debug, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeType {
    /// Registered or created (subname).
    Created,
    /// Records or expiry changed.
    Updated,
    /// Owner changed.
    Transferred,
    /// Expired or released.
    Expired,
}
