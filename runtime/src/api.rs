//! The read-only runtime API: what RPC and GhostBridge ask of the state at some block.
//!
//! Every function reads the state at a given root through the trie and never writes. Functions
//! that must see the chain "as in the next block" (transaction validation) initialize a
//! throwaway block on top of the given header and drop its changes.

use ghost_primitives::{
    AccountId, Balance, Header, InvalidTransaction, Nonce, TransactionValidity,
    TransactionValidityError,
};
use ghost_support::{Ext, with_externalities};
use ghost_trie::{NodeStore, ReadProof};
use parity_scale_codec::{DecodeAll, Encode};

use crate::executive::Executive;
use crate::state::TrieBackend;
use crate::{Balances, EventRecord, MAX_EXTRINSIC_SIZE, System, UncheckedExtrinsic};

/// Why a runtime API call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// The state at that root is incomplete (missing trie nodes).
    #[error("state unavailable: {0}")]
    State(String),
}

/// The balances and nonce of an account (`account_info`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AccountInfo {
    /// Spendable balance.
    pub free: Balance,
    /// Reserved balance.
    pub reserved: Balance,
    /// Next nonce.
    pub nonce: Nonce,
}

/// What an extrinsic would cost (`payment_queryInfo`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RuntimeDispatchInfo {
    /// Declared weight (ps).
    pub weight: u64,
    /// `normal` (the only class so far).
    pub class: &'static str,
    /// The fee without the tip.
    pub partial_fee: Balance,
}

/// Runs `f` against the state at `root`.
pub fn with_state<R>(
    store: &dyn NodeStore,
    root: ghost_primitives::Hash,
    f: impl FnOnce() -> R,
) -> Result<R, ApiError> {
    let mut ext = Ext::new(TrieBackend::new(store, root));
    let result = with_externalities(&mut ext, f);
    match ext.backend_error() {
        Some(e) => Err(ApiError::State(e.to_string())),
        None => Ok(result),
    }
}

/// Decodes an extrinsic from untrusted bytes: size-limited, and every byte must be used.
pub fn decode_extrinsic(bytes: &[u8]) -> Result<UncheckedExtrinsic, InvalidTransaction> {
    if bytes.len() > MAX_EXTRINSIC_SIZE {
        return Err(InvalidTransaction::ExhaustsResources);
    }
    UncheckedExtrinsic::decode_all(&mut &bytes[..]).map_err(|_| InvalidTransaction::BadEncoding)
}

/// Balances and nonce of `who` at `header`.
pub fn account_info(
    store: &dyn NodeStore,
    header: &Header,
    who: &AccountId,
) -> Result<AccountInfo, ApiError> {
    with_state(store, header.state_root, || {
        let data = Balances::account(who);
        AccountInfo {
            free: data.free,
            reserved: data.reserved,
            nonce: System::account_nonce(who),
        }
    })
}

/// The pool's verdict on `xt` on top of `best`.
pub fn validate_transaction(
    store: &dyn NodeStore,
    best: &Header,
    xt: &UncheckedExtrinsic,
) -> TransactionValidity {
    let len = xt.encoded_size() as u32;
    let next = Header {
        parent_hash: best.hash(),
        number: best.number.saturating_add(1),
        state_root: Default::default(),
        extrinsics_root: Default::default(),
        timestamp_ms: best.timestamp_ms.saturating_add(1),
        digest: Default::default(),
    };
    let verdict = with_state(store, best.state_root, || -> TransactionValidity {
        Executive::initialize_block(&next).map_err(|_| InvalidTransaction::Outdated)?;
        Executive::validate_transaction(xt, len)
    });
    match verdict {
        Ok(v) => v,
        // The best state must be readable; if it is not, no transaction can be judged valid.
        Err(_) => Err(TransactionValidityError::Invalid(
            InvalidTransaction::Outdated,
        )),
    }
}

/// The fee of `xt` without its tip.
pub fn query_info(
    store: &dyn NodeStore,
    header: &Header,
    xt: &UncheckedExtrinsic,
) -> Result<RuntimeDispatchInfo, ApiError> {
    let len = xt.encoded_size() as u32;
    let info = xt.call.dispatch_info();
    with_state(store, header.state_root, || {
        let fee = Balances::compute_fee(len, &info, 0);
        RuntimeDispatchInfo {
            weight: info.weight.ref_time(),
            class: "normal",
            partial_fee: fee.total(),
        }
    })
}

/// The validator set in the state of `header`: the Aura authorities of its child block, and
/// the GRANDPA voters with their set id.
pub fn authorities(
    store: &dyn NodeStore,
    header: &Header,
) -> Result<(Vec<AccountId>, u64), ApiError> {
    with_state(store, header.state_root, || {
        (crate::Validators::validators(), crate::Validators::set_id())
    })
}

/// The number of the block that enacted voter set `set_id`, in the state of `header` (`None`
/// for the genesis set and for sets not enacted by then).
pub fn set_change_block(
    store: &dyn NodeStore,
    header: &Header,
    set_id: u64,
) -> Result<Option<ghost_primitives::BlockNumber>, ApiError> {
    with_state(store, header.state_root, || {
        crate::Validators::set_change_block(set_id)
    })
}

/// The GRANDPA equivocations recorded against `who` in the state of `header`.
pub fn offences(
    store: &dyn NodeStore,
    header: &Header,
    who: &AccountId,
) -> Result<crate::validators::OffenceRecord, ApiError> {
    with_state(store, header.state_root, || {
        crate::Validators::offences(who)
    })
}

/// What one extrinsic's signer paid, net of refunds, from that extrinsic's events: the `fee`
/// of its `System.ExtrinsicSuccess` or `ExtrinsicFailed` (tip included; 0 without one). The
/// one place that reads a fee out of events.
pub fn net_fee<'a>(events: impl IntoIterator<Item = &'a crate::RuntimeEvent>) -> Balance {
    use crate::RuntimeEvent;
    use crate::system::Event;
    events
        .into_iter()
        .fold(0, |total: Balance, event| match event {
            RuntimeEvent::System(
                Event::ExtrinsicSuccess { fee, .. } | Event::ExtrinsicFailed { fee, .. },
            ) => total.saturating_add(*fee),
            _ => total,
        })
}

/// Why a block's stored events cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventsError {
    /// The bytes are not a SCALE `Vec<EventRecord>` of this runtime.
    #[error("the events do not decode: {0}")]
    Decode(String),
    /// The bytes do not hash to the block's `System.EventsDigest`.
    #[error(
        "the events do not match the block's digest: state commits to {expected_count} events \
         hashing to {expected}, the records are {count} hashing to {actual}"
    )]
    DigestMismatch {
        /// The digest in state.
        expected: ghost_primitives::Hash,
        /// The count in state.
        expected_count: u32,
        /// The hash of the records.
        actual: ghost_primitives::Hash,
        /// How many records there are.
        count: u32,
    },
}

/// Decodes a block's events from their SCALE `Vec<EventRecord>` (as the node stores and
/// serves them). Every byte must be used.
pub fn decode_events(encoded: &[u8]) -> Result<Vec<EventRecord>, EventsError> {
    Vec::<EventRecord>::decode_all(&mut &encoded[..])
        .map_err(|e| EventsError::Decode(e.to_string()))
}

/// Decodes `encoded` and checks it against `digest` (the block's `System.EventsDigest`): the
/// records are refused unless they hash to it and their number matches.
pub fn verify_events(
    encoded: &[u8],
    digest: &crate::system::EventsCommitment,
) -> Result<Vec<EventRecord>, EventsError> {
    let records = decode_events(encoded)?;
    let count = u32::try_from(records.len()).unwrap_or(u32::MAX);
    let actual = crate::system::EventsCommitment::of(encoded, count);
    if actual != *digest {
        return Err(EventsError::DigestMismatch {
            expected: digest.hash,
            expected_count: digest.count,
            actual: actual.hash,
            count,
        });
    }
    Ok(records)
}

/// The state key of `System.EventsDigest` (to read or prove it over RPC).
pub fn events_digest_key() -> Vec<u8> {
    use ghost_support::storage::StorageValue;
    crate::system::EventsDigest::hashed_key()
}

/// The commitment to the events of the block whose post-state is `header.state_root`
/// (`None` for the genesis block and blocks of `spec_version` ≤ 5).
pub fn events_digest(
    store: &dyn NodeStore,
    header: &Header,
) -> Result<Option<crate::system::EventsCommitment>, ApiError> {
    with_state(store, header.state_root, System::events_digest)
}

/// The events a block of `spec_version` ≤ 5 left in its post-state (`System.Events`), as SCALE
/// `Vec<EventRecord>`: how a node re-derives the events of blocks imported before it stored
/// events per block. Empty for newer blocks and for the genesis block.
pub fn legacy_events(store: &dyn NodeStore, header: &Header) -> Result<Vec<u8>, ApiError> {
    let records = with_state(
        store,
        header.state_root,
        crate::system::migration::legacy_events,
    )?;
    let mut encoded = parity_scale_codec::Compact(records.len() as u32).encode();
    for record in records {
        // Each stored record is `(phase, SCALE event)`: the typed record's bytes are the phase
        // then the event's own bytes.
        record.phase.encode_to(&mut encoded);
        encoded.extend_from_slice(&record.event);
    }
    Ok(encoded)
}

/// The raw value at `key`.
pub fn storage(
    store: &dyn NodeStore,
    header: &Header,
    key: &[u8],
) -> Result<Option<Vec<u8>>, ApiError> {
    ghost_trie::StateView::new(store, header.state_root.0)
        .get(key)
        .map_err(|e| ApiError::State(e.to_string()))
}

/// A proof of the values at `keys`, verifiable with [`ghost_trie::verify_read_proof`] against
/// `header.state_root`.
pub fn read_proof(
    store: &dyn NodeStore,
    header: &Header,
    keys: &[Vec<u8>],
) -> Result<ReadProof, ApiError> {
    ghost_trie::generate_read_proof(store, header.state_root.0, keys)
        .map_err(|e| ApiError::State(e.to_string()))
}

/// The SCALE bytes of an extrinsic (for clients).
pub fn encode_extrinsic(xt: &UncheckedExtrinsic) -> Vec<u8> {
    xt.encode()
}

// ---- domains ----

use ghost_primitives::{DnsRecord, DomainName, Moment};
use ghost_support::storage::{StorageMap as _, StorageValue as _};

use crate::domains::read::Availability;
use crate::domains::{ChangeType, Resolution};
use crate::{Domains, RuntimeEvent};

/// Runs `f` on the state of `header` with the clock at `now` if that is later than the block
/// time: read-only queries see names expire on time even while no block is being produced.
fn with_domain_state<R>(
    store: &dyn NodeStore,
    header: &Header,
    now: Option<Moment>,
    f: impl FnOnce() -> R,
) -> Result<R, ApiError> {
    with_state(store, header.state_root, || {
        if let Some(now) = now
            && now > System::now()
        {
            crate::system::Now::put(&now);
        }
        f()
    })
}

/// Resolves `name` at `header` (status at `now`, see [`with_domain_state`]).
pub fn resolve(
    store: &dyn NodeStore,
    header: &Header,
    name: &DomainName,
    now: Option<Moment>,
) -> Result<Option<Resolution>, ApiError> {
    with_domain_state(store, header, now, || Domains::resolve(name))
}

/// The storage keys that prove a name's resolution: its entry and records, its root's entry (for
/// a subname), the domain parameters and the block time.
pub fn domain_proof_keys(name: &DomainName) -> Vec<Vec<u8>> {
    let hash = name.namehash();
    let mut keys = vec![
        crate::domains::Domains::hashed_key(&hash),
        crate::domains::Records::hashed_key(&hash),
        crate::domains::Params::hashed_key(),
        crate::system::Now::hashed_key(),
    ];
    if let Some(root) = Domains::root(name)
        && root != *name
    {
        keys.push(crate::domains::Domains::hashed_key(&root.namehash()));
    }
    keys
}

/// Whether `name` can be registered now.
pub fn availability(
    store: &dyn NodeStore,
    header: &Header,
    name: &DomainName,
    now: Option<Moment>,
) -> Result<Availability, ApiError> {
    with_domain_state(store, header, now, || Domains::availability(name))
}

/// The fee to register or renew `name` for `duration_ms`.
pub fn domain_price(
    store: &dyn NodeStore,
    header: &Header,
    name: &DomainName,
    duration_ms: u64,
) -> Result<Option<Balance>, ApiError> {
    with_state(store, header.state_root, || {
        Domains::price_of(name, duration_ms)
    })
}

/// Names owned by `owner`, scanning at most `limit` entries after `cursor` (see
/// [`domains::Pallet::list_by_owner`](crate::domains::Pallet::list_by_owner)).
pub fn list_by_owner(
    store: &dyn NodeStore,
    header: &Header,
    owner: &AccountId,
    cursor: Option<ghost_primitives::Hash>,
    limit: usize,
) -> Result<crate::domains::read::NamePage, ApiError> {
    with_state(store, header.state_root, || {
        Domains::list_by_owner(owner, cursor, limit)
    })
}

/// Every stored name, after `cursor`, at most `limit`.
pub fn all_names(
    store: &dyn NodeStore,
    header: &Header,
    cursor: Option<ghost_primitives::Hash>,
    limit: usize,
) -> Result<crate::domains::read::NamePage, ApiError> {
    with_state(store, header.state_root, || {
        Domains::all_names(cursor, limit)
    })
}

/// One page of every name's resolution (see [`resolve_page`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolutionPage {
    /// The resolutions, in namehash order (names that do not resolve are left out).
    pub resolutions: Vec<crate::domains::Resolution>,
    /// Where the next page starts (the last namehash scanned), or `None` at the end.
    pub next: Option<ghost_primitives::Hash>,
}

/// Every name's resolution at `header`, a page of at most `limit` entries of `Domains` after
/// `cursor` (what [`all_names`] lists, each as [`resolve`] gives it at `now`): GhostBridge's
/// index load. `Domains` and `Records` are each read in one ordered pass of the trie (both are
/// keyed by namehash) instead of looked up from the root name by name.
///
/// # Errors
/// [`ApiError::State`] for missing trie nodes or an entry that does not decode.
pub fn resolve_page(
    store: &dyn NodeStore,
    header: &Header,
    cursor: Option<ghost_primitives::Hash>,
    limit: usize,
    now: Option<Moment>,
) -> Result<ResolutionPage, ApiError> {
    use crate::domains::{DomainInfo, NameRecords, Records, read::MAX_PAGE};
    type NameMap = crate::domains::Domains;
    let limit = limit.clamp(1, MAX_PAGE as usize);
    let view = ghost_trie::StateView::new(store, header.state_root.0);
    let state = |e: ghost_trie::TrieError| ApiError::State(e.to_string());
    let hash_of = |key: &[u8]| -> Result<ghost_primitives::Hash, ApiError> {
        key.get(32..)
            .and_then(|h| <[u8; 32]>::try_from(h).ok())
            .map(ghost_primitives::Hash)
            .ok_or_else(|| ApiError::State(format!("a name key of {} bytes", key.len())))
    };
    let start = cursor.map(|c| NameMap::hashed_key(&c));
    let mut entries = view
        .iter_prefix(&NameMap::prefix(), start.as_deref(), limit + 1)
        .map_err(state)?;
    if start.is_some() && entries.first().map(|(k, _)| k) == start.as_ref() {
        entries.remove(0);
    }
    entries.truncate(limit);
    let mut names = Vec::with_capacity(entries.len());
    for (key, value) in entries {
        let info = DomainInfo::decode_all(&mut &value[..])
            .map_err(|e| ApiError::State(format!("a name entry does not decode: {e}")))?;
        names.push((hash_of(&key)?, info));
    }
    let next = (names.len() == limit)
        .then(|| names.last().map(|(h, _)| *h))
        .flatten();
    // The records of the same namehash range: at most one entry per name.
    let mut records = std::collections::HashMap::new();
    if let (Some((first, _)), Some((last, _))) = (names.first(), names.last()) {
        let from = Records::hashed_key(first);
        for (key, value) in view
            .iter_prefix(&Records::prefix(), Some(&from), names.len())
            .map_err(state)?
        {
            let hash = hash_of(&key)?;
            if hash > *last {
                break;
            }
            records.insert(hash, value);
        }
    }
    let resolutions = with_domain_state(store, header, now, || {
        names
            .into_iter()
            .filter_map(|(hash, info)| {
                let records = records.remove(&hash);
                Domains::resolution_of(hash, info, || {
                    records.and_then(|bytes| NameRecords::decode_all(&mut &bytes[..]).ok())
                })
            })
            .collect()
    })?;
    Ok(ResolutionPage { resolutions, next })
}

/// An account's primary name.
pub fn primary_name(
    store: &dyn NodeStore,
    header: &Header,
    who: &AccountId,
    now: Option<Moment>,
) -> Result<Option<DomainName>, ApiError> {
    with_domain_state(store, header, now, || Domains::primary_name(who))
}

/// The domain parameters in force.
pub fn domain_params(
    store: &dyn NodeStore,
    header: &Header,
) -> Result<crate::domains::DomainParams, ApiError> {
    with_state(store, header.state_root, Domains::params)
}

/// One change of a name in a block, as GhostBridge and `domain_subscribeChanges` stream it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DomainChange {
    /// The name.
    pub domain: DomainName,
    /// `created`, `updated`, `transferred` or `expired`.
    pub change_type: ChangeType,
    /// The new owner (created, transferred).
    pub new_owner: Option<AccountId>,
    /// The name's DNS records after the change (records changes).
    pub new_records: Option<Vec<DnsRecord>>,
    /// The extrinsic that caused it (`None`: the block's expiry sweep).
    pub extrinsic_index: Option<u32>,
}

/// The domain changes among a block's events, in event order.
pub fn domain_changes(events: &[EventRecord]) -> Vec<DomainChange> {
    use crate::domains::Event as E;
    events
        .iter()
        .filter_map(|record| {
            let RuntimeEvent::Domains(event) = &record.event else {
                return None;
            };
            let (name, change_type) = event.change()?;
            let new_owner = match event {
                E::Registered { owner, .. } | E::SubnameCreated { owner, .. } => Some(*owner),
                E::Transferred { to, .. } => Some(*to),
                _ => None,
            };
            let new_records = match event {
                E::RecordsChanged { records, .. } => Some(records.clone()),
                _ => None,
            };
            let extrinsic_index = match record.phase {
                crate::system::Phase::ApplyExtrinsic(i) => Some(i),
                _ => None,
            };
            Some(DomainChange {
                domain: name.clone(),
                change_type,
                new_owner,
                new_records,
                extrinsic_index,
            })
        })
        .collect()
}

// ---- contracts ----

use crate::Contracts;
use crate::contracts::{CodeInfo, ContractInfo, ExecError};
use ghost_support::DispatchError;

/// What a contract call would do (`contract_call_dry_run`, or the `deploy` of
/// [`contract_instantiate_dry_run`]): the pallet's `ContractResult` and the events the call
/// deposited. Nothing of it is written anywhere.
#[derive(Clone, Debug)]
pub struct ContractDryRun {
    /// The call's outcome as dispatch would report it (`Contracts.ContractReverted` on revert).
    pub result: Result<(), DispatchError>,
    /// The contract's return data (also on revert; empty on a trap).
    pub output: Vec<u8>,
    /// Whether the contract returned with the revert flag (its writes would be dropped).
    pub reverted: bool,
    /// Why the contract failed in the VM (trap, out of fuel, ...), if it did.
    pub exec_error: Option<ExecError>,
    /// Fuel the call burned (nested calls included).
    pub fuel_consumed: u64,
    /// Storage deposit the origin would pay or get back, net.
    pub storage_deposit: crate::contracts::StorageDeposit,
    /// Events the call deposited, in order (none if it failed: its writes are reverted).
    pub events: Vec<RuntimeEvent>,
    /// What the contract's frames wrote with `debug_message` (the SDK's panic and revert
    /// reasons), at most 16 KiB.
    pub debug_message: String,
}

/// Runs `Contracts::dry_run_call(origin, dest, value, fuel_limit, None, data)` on a throwaway copy of the
/// state of `header` (clock at `now` if later, see [`with_domain_state`]) and reports its result,
/// output, revert flag, fuel and events. The call sees `header`'s block number; nothing is
/// written and no fee is charged.
#[allow(clippy::too_many_arguments)]
pub fn contract_call_dry_run(
    store: &dyn NodeStore,
    header: &Header,
    origin: AccountId,
    dest: AccountId,
    value: Balance,
    fuel_limit: u64,
    data: Vec<u8>,
    now: Option<Moment>,
) -> Result<ContractDryRun, ApiError> {
    with_domain_state(store, header, now, || {
        contract_dry_run(|| Contracts::dry_run_call(origin, dest, value, fuel_limit, None, data))
    })
}

/// What an instantiation would do (`contract_instantiate_dry_run`): the address the contract
/// would get and the run of its `deploy`. Nothing of it is written anywhere.
#[derive(Clone, Debug)]
pub struct ContractInstantiateDryRun {
    /// `blake3(deployer ++ code_hash ++ salt)`: where the contract would be (also when the
    /// instantiation would fail).
    pub address: AccountId,
    /// The run of `deploy`: result, output, revert flag, fuel and events (among them
    /// `Contracts.Instantiated` if it would succeed).
    pub run: ContractDryRun,
}

/// Runs `Contracts::dry_run_instantiate(origin, code_hash, value, fuel_limit, None, data, salt)` on a
/// throwaway copy of the state of `header` (clock at `now` if later, see [`with_domain_state`])
/// and reports the would-be address with the result, output, revert flag, fuel and events of
/// `deploy`. Nothing is written (no contract, no code use, no deposit) and no fee is charged.
#[allow(clippy::too_many_arguments)]
pub fn contract_instantiate_dry_run(
    store: &dyn NodeStore,
    header: &Header,
    origin: AccountId,
    code_hash: ghost_primitives::Hash,
    value: Balance,
    fuel_limit: u64,
    data: Vec<u8>,
    salt: Vec<u8>,
    now: Option<Moment>,
) -> Result<ContractInstantiateDryRun, ApiError> {
    let address = crate::contracts::contract_address(&origin, &code_hash, &salt);
    with_domain_state(store, header, now, || {
        let run = contract_dry_run(|| {
            Contracts::dry_run_instantiate(origin, code_hash, value, fuel_limit, None, data, salt)
        });
        ContractInstantiateDryRun { address, run }
    })
}

/// Runs `f` (a `bare_*` entry point, inside a throwaway state) and collects its
/// [`ContractDryRun`]: the outcome and the events it deposited.
fn contract_dry_run<R>(f: impl FnOnce() -> crate::contracts::ContractResult<R>) -> ContractDryRun {
    let first_event = System::event_count();
    let run = f();
    // Keep only the events the run deposited (not those of the throwaway block's start).
    let events = System::events_since(first_event)
        .into_iter()
        .map(|record| record.event)
        .collect();
    let reverted =
        run.result.as_ref().err() == Some(&crate::contracts::Error::ContractReverted.into());
    ContractDryRun {
        result: run.result.map(|_| ()),
        output: run.output,
        reverted,
        exec_error: run.exec_error,
        fuel_consumed: run.fuel_consumed,
        storage_deposit: run.storage_deposit,
        events,
        debug_message: run.debug_message,
    }
}

/// The value at `key` in the storage of contract `address`: the contract's own key, as it passes
/// it to `storage_get` (the trie key is `prefix ++ address ++ blake3(SCALE(key))[..16] ++
/// SCALE(key)`, and the value is stored SCALE-encoded).
pub fn contract_storage(
    store: &dyn NodeStore,
    header: &Header,
    address: &AccountId,
    key: &[u8],
) -> Result<Option<Vec<u8>>, ApiError> {
    with_state(store, header.state_root, || {
        Contracts::get_storage(address, key)
    })
}

/// Owner, deposit, use count and length of the code `code_hash`.
pub fn contract_code_info(
    store: &dyn NodeStore,
    header: &Header,
    code_hash: &ghost_primitives::Hash,
) -> Result<Option<CodeInfo>, ApiError> {
    with_state(store, header.state_root, || Contracts::code_info(code_hash))
}

/// The contract at `address`: its code, deployer, storage use and deposit.
pub fn contract_info(
    store: &dyn NodeStore,
    header: &Header,
    address: &AccountId,
) -> Result<Option<ContractInfo>, ApiError> {
    with_state(store, header.state_root, || {
        Contracts::contract_info(address)
    })
}

// ---- ENS bridge ----

use ghost_primitives::EnsName;

use crate::EnsBridge;
use crate::ens_bridge::{Link, PendingRequest};

/// The most pending requests [`ens_pending`] returns.
pub const MAX_ENS_PENDING: usize = 1_000;

/// The link of `ens_name` at `header` (`ens_link`).
pub fn ens_link(
    store: &dyn NodeStore,
    header: &Header,
    ens_name: &EnsName,
) -> Result<Option<Link>, ApiError> {
    with_state(store, header.state_root, || EnsBridge::link(ens_name))
}

/// The ENS name linked to `ghost_name` at `header` (`ens_reverse`).
pub fn ens_reverse(
    store: &dyn NodeStore,
    header: &Header,
    ghost_name: &DomainName,
) -> Result<Option<EnsName>, ApiError> {
    with_state(store, header.state_root, || EnsBridge::reverse(ghost_name))
}

/// Pending link requests at `header`, in ENS-node order, at most `limit` (capped at
/// [`MAX_ENS_PENDING`]) (`ens_pending`).
pub fn ens_pending(
    store: &dyn NodeStore,
    header: &Header,
    limit: usize,
) -> Result<Vec<PendingRequest>, ApiError> {
    with_state(store, header.state_root, || {
        EnsBridge::all_pending(limit.min(MAX_ENS_PENDING))
    })
}

/// Links at `header` in ENS-node order after the node `cursor`, at most `limit` (capped at
/// [`MAX_ENS_PENDING`]) (`ens_links`).
pub fn ens_links(
    store: &dyn NodeStore,
    header: &Header,
    cursor: Option<[u8; 32]>,
    limit: usize,
) -> Result<Vec<Link>, ApiError> {
    with_state(store, header.state_root, || {
        EnsBridge::links_after(cursor, limit.min(MAX_ENS_PENDING))
    })
}

/// The oracle set and threshold at `header` (`ens_oracles`).
pub fn ens_oracles(
    store: &dyn NodeStore,
    header: &Header,
) -> Result<(Vec<AccountId>, u32), ApiError> {
    with_state(store, header.state_root, || {
        (EnsBridge::oracles(), EnsBridge::threshold())
    })
}

/// The exact link message the ENS owner must sign for `who` (shown by `ghost ens message`).
pub fn ens_link_message(
    ens_name: &EnsName,
    ghost_name: &DomainName,
    who: &AccountId,
    genesis_hash: &ghost_primitives::Hash,
) -> String {
    crate::ens_bridge::eth::link_message(ens_name, ghost_name, who, genesis_hash)
}
