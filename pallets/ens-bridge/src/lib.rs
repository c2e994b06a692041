//! # ENS bridge pallet
//!
//! Links between ENS names on Ethereum and ghost names on GhostChain, made and kept in sync by
//! a set of oracles of which a threshold must agree. The mapping of records and the trust model
//! are in `docs/ENS.md`.
//!
//! ## Overview
//! - **Request** (`register_ens_domain`): the ENS owner's Ethereum key signs the EIP-191 link
//!   message (see [`eth`]) naming the ENS name, the ghost name, the ghost account and the
//!   chain's genesis hash; the ghost account sends it. The runtime recovers the signer, which
//!   must be the address given, reserves [`Config::REQUEST_DEPOSIT`] and keeps the request
//!   pending for [`Config::REQUEST_LIFETIME`] blocks.
//! - **Attestations** (`submit_attestation`, oracles only) report, for an Ethereum block at
//!   least the oracles' confirmation depth old, an ENS name's registry owner and its records.
//!   Each oracle has one open vote per name. When `threshold` oracles agree on (owner, records),
//!   the pallet acts, at the highest Ethereum block among the agreeing votes:
//!   - a pending request whose address is the owner becomes a **link**: the ghost name is
//!     registered for the ghost account through [`Config::Names`] (normal price, paid by the
//!     ghost account; a name someone else owns is never taken), the records are mirrored, and
//!     forward ([`Links`]) and reverse ([`Reverse`]) mappings are stored. Any other owner, or a
//!     NameWrapper as owner, ends the request with `LinkRefused`.
//!   - on an active link, the same owner with other records **syncs** them
//!     (`sync_ens_records`); another owner **suspends** the link: the ghost name's records are
//!     cleared and stop following ENS until the new owner links again.
//! - **Stale, equivocating or conflicting attestations** change nothing but an event naming the
//!   oracle (`AttestationIgnored`): one rogue oracle below the threshold can only be noisy.
//! - `unlink` by the ghost name's owner ends a link (the records stay, now managed on chain);
//!   `cancel_request` ends a request (the requester at any time, anyone once it expired) and
//!   returns the deposit.
//! - Root sets the oracle set and threshold (`set_oracles`, a strict majority) and the
//!   parameters (`set_params`: mirrored text keys, limits, NameWrapper addresses).
//!
//! ## Bounds
//! At most [`Config::MAX_ATTESTATIONS_PER_BLOCK`] attestations per block and
//! [`Config::MAX_ORACLES`] oracles; an attestation carries at most `max_records` records and is
//! charged per record and byte; only names with a pending request or an active link accept
//! attestations, and their votes are cleared whenever the threshold decides.
//!
//! ## Terms
//! - *Node*: the EIP-137 keccak namehash of an ENS name (the registry's key).
//! - *Vote*: an oracle's latest attestation for a node that has not been decided yet.

mod attest;
mod calls;
pub mod eth;
#[cfg(test)]
mod mock;
pub mod records;
#[cfg(test)]
mod tests;
pub mod types;
pub mod weights;

use std::marker::PhantomData;

use ghost_primitives::{DomainName, EnsName, EthAddress, Web3Records};
use ghost_support::metadata::{ConstantMeta, PalletMetadata, errors_of};
use ghost_support::prelude::*;
use ghost_support::traits::Currency;
use pallet_system as system;

pub use types::*;
pub use weights::WeightInfo;

/// The pallet's name in storage prefixes and errors.
pub const PALLET: &str = "EnsBridge";

/// The ghost name service the bridge registers and writes names through (the runtime
/// implements it with the domains pallet).
pub trait GhostNames {
    /// The owner of `name` if it is registered and active.
    fn owner(name: &DomainName) -> Option<AccountId>;
    /// Called when a request is accepted, so that a registration can follow later (the domains
    /// pallet's commit-reveal: commit to `(name, who, secret)` now).
    fn prepare_registration(who: &AccountId, name: &DomainName, secret: &Hash) -> DispatchResult;
    /// Registers the free `name` for `who` for `duration_ms`, at the normal price paid by `who`.
    fn register(
        who: &AccountId,
        name: &DomainName,
        duration_ms: u64,
        secret: &Hash,
    ) -> DispatchResult;
    /// Replaces every web3 record of the active `name` with `records`.
    fn set_web3_records(name: &DomainName, records: &Web3Records) -> DispatchResult;
    /// Replaces, for each of `sets`, the active `name`'s DNS records of its type at its label
    /// with its values (none: deletes them).
    fn replace_dns_sets(name: &DomainName, sets: &[DnsSet]) -> DispatchResult;
    /// Removes every record of the active `name` (it stops answering).
    fn clear_records(name: &DomainName) -> DispatchResult;
}

/// Configuration of the ENS bridge.
pub trait Config: system::Config<RuntimeEvent: From<Event>> {
    /// Holds request deposits.
    type Currency: Currency;
    /// Registers ghost names and writes their records.
    type Names: GhostNames;
    /// Weights of this pallet's calls.
    type EnsBridgeWeightInfo: WeightInfo;
    /// Reserved from the requester while a request is pending.
    const REQUEST_DEPOSIT: Balance;
    /// How many blocks a request stays pending.
    const REQUEST_LIFETIME: BlockNumber;
    /// How long a link registers its ghost name for (ms).
    const LINK_REGISTRATION_MS: u64;
    /// Most attestations in one block.
    const MAX_ATTESTATIONS_PER_BLOCK: u32;
    /// Most oracles.
    const MAX_ORACLES: u32;
}

/// The pallet.
pub struct Pallet<T>(PhantomData<T>);

// ---- storage ----

storage_value!(PALLET,
    /// The accounts whose attestations count, in ascending order.
    pub Oracles: Vec<AccountId>
);
storage_value!(PALLET,
    /// How many oracles must agree (a strict majority of `Oracles`).
    pub Threshold: u32
);
storage_value!(PALLET,
    /// The parameters in force.
    pub Params: BridgeParams
);
storage_map!(PALLET,
    /// Requests waiting for attestations, by ENS node.
    pub Pending: map Identity EnsNode => PendingRequest
);
storage_map!(PALLET,
    /// Links by ENS node (the forward mapping).
    pub Links: map Identity EnsNode => Link
);
storage_map!(PALLET,
    /// The ENS name linked to a ghost name, by the ghost name's namehash (the reverse mapping).
    pub Reverse: map Identity Hash => EnsName
);
storage_double_map!(PALLET,
    /// Open votes: `(ENS node, oracle) → its latest undecided attestation`.
    pub Votes: double_map Identity EnsNode, Blake3_128Concat AccountId => Vote
);
storage_value!(PALLET,
    /// `(block number, attestations in it)`: the per-block attestation count.
    pub AttestationsInBlock: (BlockNumber, u32)
);

// ---- events ----

ghost_support::pallet_enum! {
    /// Events of the ENS bridge.
    #[derive(serde::Serialize)]
    #[serde(rename_all = "camelCase")]
    pub enum Event {
        /// A link was requested; the oracles are to attest the ENS owner.
        #[index = 0]
        LinkRequested { ens_name: EnsName, ghost_name: DomainName, ghost_account: AccountId, eth_address: EthAddress, expires_at: BlockNumber },
        /// An oracle's attestation was recorded as its vote.
        #[index = 1]
        AttestationRecorded { oracle: AccountId, ens_name: EnsName, eth_block_number: u64, owner: EthAddress, records_hash: Hash },
        /// An ENS name was linked to a ghost name.
        #[index = 2]
        Linked { ens_name: EnsName, ghost_name: DomainName, ghost_account: AccountId, eth_owner: EthAddress, eth_block_number: u64 },
        /// A request ended without a link.
        #[index = 3]
        LinkRefused { ens_name: EnsName, ghost_name: DomainName, reason: RefusalReason },
        /// A linked name's records were synced from ENS (the seed's `sync_ens_records`).
        #[index = 4]
        RecordsSynced { ens_name: EnsName, ghost_name: DomainName, eth_block_number: u64, records_hash: Hash },
        /// ENS records were agreed but could not be written to the ghost name.
        #[index = 5]
        RecordsSyncFailed { ens_name: EnsName, ghost_name: DomainName, error: DispatchError },
        /// The ENS name changed owner: the link is suspended and the ghost name's records cleared.
        #[index = 6]
        LinkSuspended { ens_name: EnsName, ghost_name: DomainName, new_owner: EthAddress, eth_block_number: u64 },
        /// A link was removed by the ghost name's owner.
        #[index = 7]
        Unlinked { ens_name: EnsName, ghost_name: DomainName },
        /// An oracle's attestation changed nothing (stale, equivocating or conflicting).
        #[index = 8]
        AttestationIgnored { oracle: AccountId, ens_name: EnsName, eth_block_number: u64, reason: IgnoredReason },
        /// A request was cancelled or removed after expiry; its deposit was returned.
        #[index = 9]
        RequestCancelled { ens_name: EnsName, ghost_account: AccountId, expired: bool },
        /// Root changed the oracle set or threshold.
        #[index = 10]
        OraclesChanged { oracles: Vec<AccountId>, threshold: u32 },
        /// Root changed the parameters.
        #[index = 11]
        ParamsChanged { params: BridgeParams },
    }
}

// ---- errors ----

pallet_error! {
    /// Errors of the ENS bridge.
    pub enum Error for "EnsBridge" {
        /// The signature is malformed or recovers to no key.
        BadSignature,
        /// The signature was made by another address than the one given.
        SignerMismatch,
        /// A request for this ENS name is pending and has not expired.
        RequestPending,
        /// The ENS name is already linked, actively, to this ghost name and account.
        AlreadyLinked,
        /// The ghost name is owned by another account.
        GhostNameTaken,
        /// The ghost name is linked to another ENS name.
        GhostNameLinked,
        /// The sender is not an oracle.
        NotOracle,
        /// This block holds the most attestations allowed.
        TooManyAttestations,
        /// The ENS name has neither a live request nor an active link.
        NotTracked,
        /// An address record is malformed for its coin type.
        InvalidAddressRecord,
        /// A text record's key is not one the chain mirrors.
        TextKeyNotMirrored,
        /// A text record's value is too long.
        TextTooLong,
        /// The contenthash is not a valid ENSIP-7 value.
        InvalidContenthash,
        /// The attestation carries more records than allowed.
        TooManyRecords,
        /// A DNS record is at a label or of a type the chain does not mirror, or its TTL is
        /// over a day.
        DnsRecordNotMirrored,
        /// The DNS records are not in ascending order without duplicates.
        DnsRecordsNotCanonical,
        /// No link exists for this ENS name.
        NoSuchLink,
        /// The sender does not own the linked ghost name.
        NotLinkOwner,
        /// No request exists for this ENS name.
        NoSuchRequest,
        /// Only the requester may cancel a request before it expires.
        NotRequester,
        /// The oracle set is empty, too large, has duplicates, or the threshold is not a strict
        /// majority.
        BadOracleSet,
        /// The parameters are out of range.
        BadParams,
        /// The genesis hash is not known yet (no block has been executed).
        NoGenesisHash,
    }
}

// ---- calls ----

ghost_support::pallet_enum! {
    /// Calls of the ENS bridge.
    #[derive(serde::Serialize)]
    #[serde(rename_all = "camelCase")]
    pub enum Call {
        /// Requests a link of `ens_name` to `ghost_name` for the sender. `eth_signature` is the
        /// `personal_sign` by `eth_address` of [`eth::link_message`]. Origin: signed (the ghost
        /// account; reserves the deposit). Errors: `BadSignature`, `SignerMismatch`,
        /// `RequestPending`, `AlreadyLinked`, `GhostNameTaken`, `GhostNameLinked`, balance
        /// errors. Cost: one secp256k1 recovery.
        #[index = 0]
        RegisterEnsDomain { ens_name: EnsName, ghost_name: DomainName, eth_address: EthAddress, eth_signature: EthSignature },
        /// Attests that at Ethereum block `eth_block_number` (hash `eth_block_hash`) the
        /// registry owner of `ens_name` is `owner` and its records are `records`. Origin: an
        /// oracle. Errors: `NotOracle`, `TooManyAttestations`, `NotTracked`, record errors.
        /// Cost: linear in the records carried and the oracles counted.
        #[index = 1]
        SubmitAttestation { ens_name: EnsName, eth_block_number: u64, eth_block_hash: Hash, owner: EthAddress, records: EnsRecords },
        /// Removes the link of `ens_name`. Origin: the owner of the linked ghost name (or the
        /// linking account once the ghost name is gone). Errors: `NoSuchLink`, `NotLinkOwner`.
        #[index = 2]
        Unlink { ens_name: EnsName },
        /// Ends the request for `ens_name` and returns its deposit. Origin: the requester, or
        /// anyone once it expired. Errors: `NoSuchRequest`, `NotRequester`.
        #[index = 3]
        CancelRequest { ens_name: EnsName },
        /// Replaces the oracle set and threshold. Origin: root. Errors: `BadOracleSet`.
        #[index = 4]
        SetOracles { oracles: Vec<AccountId>, threshold: u32 },
        /// Replaces the parameters. Origin: root. Errors: `BadParams`.
        #[index = 5]
        SetParams { params: BridgeParams },
    }
}

impl<T: Config> Pallet<T> {
    /// The weight and fee class of `call`.
    pub fn dispatch_info(call: &Call) -> DispatchInfo {
        use weights::WeightInfo as W;
        let name_len = match call {
            Call::RegisterEnsDomain { ens_name, .. }
            | Call::SubmitAttestation { ens_name, .. }
            | Call::Unlink { ens_name }
            | Call::CancelRequest { ens_name } => ens_name.as_str().len() as u32,
            Call::SetOracles { .. } | Call::SetParams { .. } => 0,
        };
        let weight = match call {
            Call::RegisterEnsDomain { .. } => T::EnsBridgeWeightInfo::register_ens_domain(),
            Call::SubmitAttestation { records, .. } => T::EnsBridgeWeightInfo::submit_attestation(
                records.count() as u32,
                records.size() as u32,
                T::MAX_ORACLES,
            ),
            Call::Unlink { .. } | Call::CancelRequest { .. } => T::EnsBridgeWeightInfo::unlink(),
            Call::SetOracles { oracles, .. } => {
                T::EnsBridgeWeightInfo::set_oracles(oracles.len() as u32)
            }
            Call::SetParams { .. } => T::EnsBridgeWeightInfo::set_oracles(0),
        };
        DispatchInfo::paying(weight.saturating_add(T::EnsBridgeWeightInfo::ens_name(name_len)))
    }

    /// Dispatches `call` from `origin`.
    pub fn dispatch(call: Call, origin: Origin) -> DispatchResult {
        match call {
            Call::RegisterEnsDomain {
                ens_name,
                ghost_name,
                eth_address,
                eth_signature,
            } => {
                Self::register_ens_domain(origin, ens_name, ghost_name, eth_address, eth_signature)
            }
            Call::SubmitAttestation {
                ens_name,
                eth_block_number,
                eth_block_hash,
                owner,
                records,
            } => Self::submit_attestation(
                origin,
                ens_name,
                eth_block_number,
                eth_block_hash,
                owner,
                records,
            ),
            Call::Unlink { ens_name } => Self::unlink(origin, ens_name),
            Call::CancelRequest { ens_name } => Self::cancel_request(origin, ens_name),
            Call::SetOracles { oracles, threshold } => {
                Self::set_oracles(origin, oracles, threshold)
            }
            Call::SetParams { params } => Self::set_params(origin, params),
        }
    }

    fn deposit_event(event: Event) {
        system::Pallet::<T>::deposit_event(event);
    }

    /// The parameters in force.
    pub fn params() -> BridgeParams {
        Params::get().unwrap_or_default()
    }

    /// The oracle set.
    pub fn oracles() -> Vec<AccountId> {
        Oracles::get().unwrap_or_default()
    }

    /// The threshold.
    pub fn threshold() -> u32 {
        Threshold::get().unwrap_or(u32::MAX)
    }

    /// The link of `ens_name`, if any (`ens_link`).
    pub fn link(ens_name: &EnsName) -> Option<Link> {
        Links::get(&ens_name.namehash())
    }

    /// The ENS name linked to `ghost_name`, if any (`ens_reverse`).
    pub fn reverse(ghost_name: &DomainName) -> Option<EnsName> {
        Reverse::get(&ghost_name.namehash())
    }

    /// The pending request for `ens_name`, if any.
    pub fn pending(ens_name: &EnsName) -> Option<PendingRequest> {
        Pending::get(&ens_name.namehash())
    }

    /// Every pending request, in node order (`ens_pending`), at most `limit`.
    pub fn all_pending(limit: usize) -> Vec<PendingRequest> {
        Pending::iter().take(limit).map(|(_, r)| r).collect()
    }

    /// Links (active and suspended) in node order, after the node `cursor`, at most `limit`
    /// (`ens_links`).
    pub fn links_after(cursor: Option<EnsNode>, limit: usize) -> Vec<Link> {
        let mut iter = Links::iter();
        if let Some(cursor) = cursor {
            iter = iter.starting_after(<Links as StorageMap>::hashed_key(&cursor));
        }
        iter.map(|(_, link)| link).take(limit).collect()
    }

    /// The pallet's metadata.
    pub fn metadata(index: u8) -> PalletMetadata {
        PalletMetadata {
            name: PALLET,
            index,
            calls: Call::metadata(),
            events: Event::metadata(),
            errors: errors_of::<Error>(),
            storage: vec![
                Oracles::meta(),
                Threshold::meta(),
                Params::meta(),
                Pending::meta(),
                Links::meta(),
                Reverse::meta(),
                Votes::meta(),
                AttestationsInBlock::meta(),
            ],
            constants: vec![
                ConstantMeta {
                    name: "RequestDeposit",
                    value: serde_json::Value::String(T::REQUEST_DEPOSIT.to_string()),
                    docs: "Reserved from the requester while a request is pending.",
                },
                ConstantMeta {
                    name: "RequestLifetime",
                    value: T::REQUEST_LIFETIME.into(),
                    docs: "How many blocks a request stays pending.",
                },
                ConstantMeta {
                    name: "LinkRegistrationMs",
                    value: T::LINK_REGISTRATION_MS.into(),
                    docs: "How long a link registers its ghost name for (ms).",
                },
                ConstantMeta {
                    name: "MaxAttestationsPerBlock",
                    value: T::MAX_ATTESTATIONS_PER_BLOCK.into(),
                    docs: "Most attestations in one block.",
                },
                ConstantMeta {
                    name: "MaxOracles",
                    value: T::MAX_ORACLES.into(),
                    docs: "Most oracles.",
                },
            ],
        }
    }
}

impl<T: Config> Hooks for Pallet<T> {
    fn integrity_test() {
        assert!(T::MAX_ORACLES > 0, "MAX_ORACLES must be positive");
        assert!(
            T::MAX_ATTESTATIONS_PER_BLOCK > 0,
            "MAX_ATTESTATIONS_PER_BLOCK must be positive"
        );
        assert!(T::REQUEST_LIFETIME > 0, "REQUEST_LIFETIME must be positive");
        assert!(Self::check_params(&BridgeParams::default()).is_ok());
    }
}

/// The genesis state: oracles, threshold, parameters.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GenesisConfig {
    /// The oracle accounts.
    #[serde(default)]
    pub oracles: Vec<AccountId>,
    /// How many must agree (a strict majority); 0 with no oracles (the bridge is off).
    #[serde(default)]
    pub threshold: u32,
    /// Parameters.
    #[serde(default)]
    pub params: BridgeParams,
}

/// Why an ENS bridge genesis config is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GenesisError {
    /// Duplicates, too many oracles, or a threshold that is not a strict majority.
    #[error("ENS bridge oracles: no duplicates, at most MAX_ORACLES, threshold a strict majority")]
    BadOracleSet,
    /// Parameters out of range.
    #[error("ENS bridge params: text keys 1-64 bytes without duplicates, positive limits")]
    BadParams,
}

impl GenesisConfig {
    /// Writes the genesis state. An empty oracle set with threshold 0 leaves the bridge off.
    pub fn build<T: Config>(&self) -> Result<(), GenesisError> {
        let oracles = if self.oracles.is_empty() && self.threshold == 0 {
            Vec::new()
        } else {
            Pallet::<T>::check_oracles(self.oracles.clone(), self.threshold)
                .map_err(|_| GenesisError::BadOracleSet)?
        };
        Pallet::<T>::check_params(&self.params).map_err(|_| GenesisError::BadParams)?;
        Oracles::put(&oracles);
        Threshold::put(&self.threshold.max(1));
        Params::put(&self.params);
        Ok(())
    }
}
