//! What each `ghost domain` command prints: one report type per command. Its `Serialize` impl
//! is both the `--json` form and, through the [`shown`](crate::shown) field helpers, the
//! `key: value` lines; only the reports that wrap an RPC type (`Resolved`, `VerifiedResolution`)
//! format their lines by hand.

use super::*;
use crate::shown;

/// Where a domain transaction ended; the last fields of every transaction report (`null` block
/// fields with `--wait none`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TxInfo {
    /// Height of the including block.
    pub block_number: Option<u64>,
    /// The including block.
    pub block_hash: Option<Hash>,
    /// The extrinsic.
    pub extrinsic_hash: Hash,
}

impl TxInfo {
    /// Whether the extrinsic is known to be in a block.
    pub(super) fn included(&self) -> bool {
        self.block_hash.is_some()
    }
}

impl Render for TxInfo {}

/// What a domain transaction did, then where it landed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TxReport<T> {
    /// Command-specific fields.
    #[serde(flatten)]
    pub details: T,
    /// Block and extrinsic.
    #[serde(flatten)]
    pub tx: TxInfo,
}

impl<T: Serialize> Render for TxReport<T> {}

/// Prints the inclusion report and fails if the call failed; otherwise where it landed.
pub fn settle(submitted: Submitted, out: &Output) -> anyhow::Result<TxInfo> {
    match submitted {
        Submitted::Pool(report) => Ok(TxInfo {
            block_number: None,
            block_hash: None,
            extrinsic_hash: report.extrinsic_hash,
        }),
        Submitted::Included(report) if report.success => Ok(TxInfo {
            block_number: Some(report.block_number),
            block_hash: Some(report.block_hash),
            extrinsic_hash: report.extrinsic_hash,
        }),
        failed => {
            failed.emit(out)?;
            anyhow::bail!("extrinsic {} failed", failed.extrinsic_hash())
        }
    }
}

/// `register`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Registered {
    /// The name.
    pub name: DomainName,
    /// Its owner.
    pub owner: AccountId,
    /// Expiry (ms) read after inclusion; `null` with `--wait none`.
    #[serde(serialize_with = "shown::opt_time")]
    pub expires_at: Option<u64>,
    /// The fee (`domain_price` before submitting), smallest units.
    #[serde(serialize_with = "shown::amount")]
    pub cost: Balance,
}

impl Render for Registered {}

/// `renew`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Renewed {
    /// The name.
    pub name: DomainName,
    /// The new expiry (ms); `null` with `--wait none`.
    #[serde(serialize_with = "shown::opt_time")]
    pub expires_at: Option<u64>,
    /// The fee, smallest units.
    #[serde(serialize_with = "shown::amount")]
    pub cost: Balance,
}

impl Render for Renewed {}

/// `set-record`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordSet {
    /// The name.
    pub name: DomainName,
    /// The record written.
    #[serde(serialize_with = "shown::record")]
    pub record: DnsRecord,
}

impl Render for RecordSet {}

/// `remove-record`: what was removed (TTLs do not matter for removal).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordRemoved {
    /// The name.
    pub name: DomainName,
    /// Label of the removed record.
    pub label: RecordLabel,
    /// Its type.
    #[serde(rename = "type")]
    pub rtype: RecordType,
    /// Its value.
    pub value: String,
    /// The record the call removes (its TTL does not matter).
    #[serde(skip)]
    pub record: DnsRecord,
}

impl Render for RecordRemoved {}

/// `transfer`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Transferred {
    /// The name.
    pub name: DomainName,
    /// The new owner.
    pub owner: AccountId,
}

impl Render for Transferred {}

/// `subname`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SubnameSet {
    /// The subname.
    pub name: DomainName,
    /// Its parent.
    pub parent: DomainName,
    /// Its owner.
    pub owner: AccountId,
    /// Whether the parent gave up control.
    pub locked: bool,
}

impl Render for SubnameSet {}

/// `primary` (`name: null` with `--clear`), and `primary-of`'s answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PrimarySet {
    /// The signer (the address asked about).
    pub address: AccountId,
    /// Its primary name, if any.
    #[serde(serialize_with = "shown::or_none")]
    pub name: Option<DomainName>,
}

impl Render for PrimarySet {}

/// `approve` (`approved: null` with `--clear`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApprovalSet {
    /// The name.
    pub name: DomainName,
    /// The account approved to manage it, if any.
    #[serde(serialize_with = "shown::or_none")]
    pub approved: Option<AccountId>,
}

impl Render for ApprovalSet {}

/// `operator`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OperatorSet {
    /// The signer, whose names the operator manages.
    pub owner: AccountId,
    /// The operator.
    pub operator: AccountId,
    /// Whether it is an operator now.
    pub approved: bool,
}

impl Render for OperatorSet {}

/// `update-key` (`update_key: null` with `--clear`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UpdateKeySet {
    /// The name.
    pub name: DomainName,
    /// The key that may sign its updates besides the owner, if any.
    #[serde(serialize_with = "shown::or_none")]
    pub update_key: Option<AccountId>,
}

impl Render for UpdateKeySet {}

/// `clear-records`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordsCleared {
    /// The name, now without records.
    pub name: DomainName,
}

impl Render for RecordsCleared {}

/// `set-addr` (`address: null` with `--clear`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AddressSet {
    /// The name.
    pub name: DomainName,
    /// The SLIP-44 coin type.
    pub coin_type: u32,
    /// The address bytes, if any.
    #[serde(serialize_with = "shown::or_none")]
    pub address: Option<Bytes>,
}

impl Render for AddressSet {}

/// `set-text` (`value: null` with `--clear`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TextSet {
    /// The name.
    pub name: DomainName,
    /// The key.
    pub key: String,
    /// The value, if any.
    #[serde(serialize_with = "shown::or_none")]
    pub value: Option<String>,
}

impl Render for TextSet {}

/// `set-contenthash` (`contenthash: null` with `--clear`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContenthashSet {
    /// The name.
    pub name: DomainName,
    /// The content hash, if any.
    #[serde(serialize_with = "shown::or_none")]
    pub contenthash: Option<Bytes>,
}

impl Render for ContenthashSet {}

/// `signed-update`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignedUpdateSent {
    /// The name.
    pub name: DomainName,
    /// Who signed the update (the owner or the update key).
    pub signer: AccountId,
    /// Who submitted it and paid.
    pub relayer: AccountId,
    /// The update's timestamp (ms).
    #[serde(serialize_with = "shown::time")]
    pub timestamp: u64,
    /// The contract id, as given.
    pub contract_id: String,
    /// The name's DNS records after the update.
    #[serde(serialize_with = "shown::records")]
    pub records: Vec<DnsRecord>,
    /// The signed update the call carries.
    #[serde(skip)]
    pub update: SignedRecordUpdate,
}

impl Render for SignedUpdateSent {}

/// A validated domain transaction that is a single call: [`Change::call`] is the one place
/// those calls are built, and the variant is the report printed once it is included.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Change {
    /// `transfer`.
    Transferred(Transferred),
    /// `subname`.
    Subname(SubnameSet),
    /// `primary`.
    Primary(PrimarySet),
    /// `set-record`.
    RecordSet(RecordSet),
    /// `remove-record`.
    RecordRemoved(RecordRemoved),
    /// `approve`.
    Approval(ApprovalSet),
    /// `operator`.
    Operator(OperatorSet),
    /// `update-key`.
    UpdateKey(UpdateKeySet),
    /// `clear-records`.
    RecordsCleared(RecordsCleared),
    /// `set-addr`.
    Address(AddressSet),
    /// `set-text`.
    Text(TextSet),
    /// `set-contenthash`.
    Contenthash(ContenthashSet),
    /// `signed-update`.
    SignedUpdate(SignedUpdateSent),
}

impl Change {
    /// The call that makes the change.
    pub fn call(&self) -> DomainCall {
        match self.clone() {
            Change::Transferred(Transferred { name, owner }) => DomainCall::Transfer {
                name,
                new_owner: owner,
            },
            Change::Subname(SubnameSet {
                name,
                parent,
                owner,
                locked,
            }) => DomainCall::SetSubnameOwner {
                parent,
                label: name.first_label().to_string(),
                owner,
                lock: locked,
            },
            Change::Primary(PrimarySet { name, .. }) => DomainCall::SetPrimaryName { name },
            Change::RecordSet(RecordSet { name, record }) => DomainCall::SetRecord { name, record },
            Change::RecordRemoved(RecordRemoved { name, record, .. }) => DomainCall::SetRecords {
                name,
                changes: vec![RecordChange::Remove(record)],
            },
            Change::Approval(ApprovalSet { name, approved }) => DomainCall::Approve {
                name,
                account: approved,
            },
            Change::Operator(OperatorSet {
                operator, approved, ..
            }) => DomainCall::SetOperator { operator, approved },
            Change::UpdateKey(UpdateKeySet { name, update_key }) => DomainCall::SetUpdateKey {
                name,
                key: update_key,
            },
            Change::RecordsCleared(RecordsCleared { name }) => DomainCall::ClearRecords { name },
            Change::Address(AddressSet {
                name,
                coin_type,
                address,
            }) => DomainCall::SetRecords {
                name,
                changes: vec![RecordChange::SetAddress { coin_type, address }],
            },
            Change::Text(TextSet { name, key, value }) => DomainCall::SetRecords {
                name,
                changes: vec![RecordChange::SetText { key, value }],
            },
            Change::Contenthash(ContenthashSet { name, contenthash }) => DomainCall::SetRecords {
                name,
                changes: vec![RecordChange::SetContenthash(contenthash)],
            },
            Change::SignedUpdate(SignedUpdateSent { update, .. }) => {
                DomainCall::SetRecordsSigned { update }
            }
        }
    }
}

impl Render for Change {}

/// `resolve`: the node's `domain_resolve` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Resolved(pub ResolutionJson);

/// The human lines of a resolution.
pub(super) fn resolution_lines(r: &ResolutionJson) -> Lines {
    let mut lines = Lines::new()
        .with("name", &r.name)
        .with("owner", r.owner)
        .with("status", &r.status)
        .with("expires", time_text(r.expires_at))
        .with("created", time_text(r.created_at))
        .with_opt("parent", r.parent.as_ref());
    for record in &r.records {
        lines = lines.with("record", record_line(record));
    }
    for (coin, address) in &r.web3.addresses {
        lines = lines.with(format!("address[{coin}]"), encode_hex(address));
    }
    for (key, value) in &r.web3.texts {
        lines = lines.with(format!("text[{key}]"), value);
    }
    lines.with_opt(
        "contenthash",
        r.web3.contenthash.as_ref().map(|hash| encode_hex(hash)),
    )
}

impl Render for Resolved {
    fn lines(&self) -> Lines {
        resolution_lines(&self.0)
    }
}

/// `resolve --proof`: the node's `domain_resolveWithProof` answer, once verified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct VerifiedResolution(pub ResolutionProofJson);

impl Render for VerifiedResolution {
    fn lines(&self) -> Lines {
        let proof = &self.0;
        let lines = match &proof.resolution {
            Some(r) => resolution_lines(r),
            None => Lines::new(),
        };
        lines
            .with("proof", "verified")
            .with("proof_block", proof.at)
            .with("state_root", proof.state_root)
    }
}

/// `resolve --verify`: an answer proven against a block proven final from the genesis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FinallyVerified {
    /// The node's answer, every part verified.
    pub resolution: ResolutionProofJson,
    /// The finalized block it is proven at.
    pub finalized: u64,
    /// The voter set that finalized it.
    pub set_id: u64,
    /// Voter-set changes followed from genesis.
    pub set_changes: usize,
    /// The genesis trusted.
    pub genesis: Hash,
}

impl Render for FinallyVerified {
    fn lines(&self) -> Lines {
        let proof = &self.resolution;
        let lines = match &proof.resolution {
            Some(r) => resolution_lines(r),
            None => Lines::new(),
        };
        lines
            .with("verified", format!("at finalized #{}", self.finalized))
            .with("proof_block", proof.at)
            .with("state_root", proof.state_root)
            .with(
                "voter_set",
                format!(
                    "{} ({} changes followed from genesis {})",
                    self.set_id, self.set_changes, self.genesis
                ),
            )
    }
}

/// `list`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NameList {
    /// The owner.
    pub owner: AccountId,
    /// Its names, in the node's (namehash) order.
    pub names: Vec<DomainName>,
}

impl Render for NameList {}

/// `available`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Availability {
    /// The name.
    pub name: DomainName,
    /// Whether it can be registered now.
    pub available: bool,
    /// `active`, `grace` or `available`.
    pub status: String,
    /// Why not.
    pub reason: Option<String>,
}

impl Render for Availability {}

/// `price`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Price {
    /// The name.
    pub name: DomainName,
    /// The period (ms).
    pub duration_ms: u64,
    /// The fee, smallest units.
    #[serde(serialize_with = "shown::amount")]
    pub price: Balance,
}

impl Render for Price {}

/// One `watch` line per change: `#height name type [owner] [records]`.
pub fn change_lines(block: &DomainChangesJson) -> String {
    block
        .changes
        .iter()
        .map(|change| format!("#{} {}\n", block.block_height, change_text(change)))
        .collect()
}

pub(super) fn change_text(change: &DomainChangeJson) -> String {
    let mut text = format!("{} {}", change.domain, change.change_type);
    if let Some(owner) = &change.new_owner {
        text.push_str(&format!(" {owner}"));
    }
    if let Some(records) = &change.new_records {
        let records: Vec<String> = records.iter().map(record_line).collect();
        text.push_str(&format!(" [{}]", records.join("; ")));
    }
    text
}
