//! The node's JSON-RPC API: one trait per namespace, from which jsonrpsee derives both the
//! server side (implemented in `ghost-service`) and a typed client (used by the `ghost` CLI and
//! the tests).
//!
//! Method names follow Substrate's where Substrate has the method (`chain_getHeader`,
//! `author_submitExtrinsic`, ...); GhostChain's own live in the `account_`, `domain_`,
//! `contracts_`, `ens_` and `ghost_` (chain data Substrate has no method for) namespaces. Bytes are `0x`-hex strings, hashes are `0x`-hex,
//! addresses are `ghost1…` bech32m, balances are JSON numbers in the smallest unit.

use ghost_primitives::{Bytes, Hash, Header, RuntimeVersion};
use jsonrpsee::core::SubscriptionResult;
use jsonrpsee::proc_macros::rpc;
use serde::{Deserialize, Serialize};

pub use jsonrpsee;

/// JSON-RPC error codes used by the node (besides the JSON-RPC standard ones).
pub mod error_codes {
    /// The extrinsic bytes do not decode.
    pub const BAD_FORMAT: i32 = 1001;
    /// The runtime found the extrinsic invalid (signature, nonce, fee, era, size).
    pub const INVALID_TRANSACTION: i32 = 1010;
    /// The extrinsic is valid but not yet (future nonce) and the pool refused to keep it.
    pub const UNKNOWN_TRANSACTION: i32 = 1011;
    /// The pool refused it (already imported, too low priority, full, too large).
    pub const POOL: i32 = 1012;
    /// A parameter is malformed (address, hash, bytes).
    pub const INVALID_PARAMS: i32 = -32602;
    /// The requested block or state is unknown.
    pub const UNKNOWN_BLOCK: i32 = 4001;
    /// The block is known but its state was deleted by state pruning (`--state-pruning`).
    pub const STATE_PRUNED: i32 = 4002;
    /// An internal failure (database).
    pub const INTERNAL: i32 = -32603;
}

/// `system_health`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Health {
    /// Connected peers.
    pub peers: u32,
    /// Whether the node is catching up.
    pub is_syncing: bool,
    /// Whether it expects peers (false for `--dev`).
    pub should_have_peers: bool,
}

/// A block as returned by `chain_getBlock`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedBlock {
    /// The block.
    pub block: BlockJson,
    /// Finality proofs: the SCALE `GrandpaJustification` stored with a finalized block, or
    /// `null` (most finalized blocks are final through a descendant's justification).
    pub justifications: Option<Vec<Bytes>>,
}

/// A block with its extrinsics as SCALE hex.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockJson {
    /// The header.
    pub header: Header,
    /// SCALE-encoded extrinsics.
    pub extrinsics: Vec<Bytes>,
}

/// `state_getReadProof`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadProofJson {
    /// The block whose state root the proof is against.
    pub at: Hash,
    /// Trie nodes.
    pub proof: Vec<Bytes>,
}

/// `account_info`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountInfoJson {
    /// Spendable balance.
    pub free: u128,
    /// Reserved balance.
    pub reserved: u128,
    /// Next nonce (from the state, not counting the pool).
    pub nonce: u64,
}

/// `payment_queryInfo`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FeeInfoJson {
    /// Declared weight (ps).
    pub weight: u64,
    /// Dispatch class.
    pub class: String,
    /// Fee without tip.
    pub partial_fee: u128,
}

/// Where a transaction is (`author_extrinsicStatus`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "status")]
pub enum ExtrinsicStatusJson {
    /// Waiting in the pool (`ready` or `future`).
    Pending {
        /// `ready` or `future`.
        queue: String,
    },
    /// Included in a block of the best chain.
    InBlock {
        /// The block.
        block_hash: Hash,
        /// Its number.
        block_number: u64,
        /// Position in the block.
        index: u32,
        /// Whether that block is finalized.
        finalized: bool,
        /// Whether its call succeeded (`false`: `ExtrinsicFailed`).
        success: bool,
        /// The dispatch error, if it failed.
        error: Option<String>,
    },
    /// Not known to this node.
    Unknown,
}

/// `system_syncState`, as Substrate's: where this node's sync started, where it is, and the
/// highest block a peer reported (`None` before any peer reported one).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncState {
    /// The best block when the node started.
    pub starting_block: u64,
    /// The best block now.
    pub current_block: u64,
    /// The highest best block a connected peer reported.
    pub highest_block: Option<u64>,
}

/// Progress of a watched extrinsic (`author_submitAndWatchExtrinsic` notifications), with
/// Substrate's shapes: `"ready"`, `{"inBlock": hash}`, `{"finalized": hash}`, `"dropped"`,
/// `"invalid"`, `{"usurped": hash}`, `"future"`.
pub type TransactionStatusJson = serde_json::Value;

/// `system_*`.
#[rpc(server, client, namespace = "system")]
pub trait SystemApi {
    /// Peers and sync state.
    #[method(name = "health")]
    async fn health(&self) -> jsonrpsee::core::RpcResult<Health>;
    /// Where sync started, is, and is heading.
    #[method(name = "syncState")]
    async fn sync_state(&self) -> jsonrpsee::core::RpcResult<SyncState>;
    /// The node implementation's name.
    #[method(name = "name")]
    async fn name(&self) -> jsonrpsee::core::RpcResult<String>;
    /// The node's version.
    #[method(name = "version")]
    async fn version(&self) -> jsonrpsee::core::RpcResult<String>;
    /// The chain's name.
    #[method(name = "chain")]
    async fn chain(&self) -> jsonrpsee::core::RpcResult<String>;
    /// Token symbol, decimals, address prefix.
    #[method(name = "properties")]
    async fn properties(&self) -> jsonrpsee::core::RpcResult<serde_json::Value>;
    /// The next nonce of an account, counting its transactions waiting in the pool.
    #[method(name = "accountNextIndex")]
    async fn account_next_index(&self, account: String) -> jsonrpsee::core::RpcResult<u64>;
}

/// `chain_*`.
#[rpc(server, client, namespace = "chain")]
pub trait ChainApi {
    /// A header by hash (default: best).
    #[method(name = "getHeader")]
    async fn header(&self, hash: Option<Hash>) -> jsonrpsee::core::RpcResult<Option<Header>>;
    /// A block by hash (default: best).
    #[method(name = "getBlock")]
    async fn block(&self, hash: Option<Hash>) -> jsonrpsee::core::RpcResult<Option<SignedBlock>>;
    /// The canonical hash of a number (default: best).
    #[method(name = "getBlockHash")]
    async fn block_hash(&self, number: Option<u64>) -> jsonrpsee::core::RpcResult<Option<Hash>>;
    /// The last finalized block's hash.
    #[method(name = "getFinalizedHead")]
    async fn finalized_head(&self) -> jsonrpsee::core::RpcResult<Hash>;
    /// New best headers as they are imported.
    #[subscription(name = "subscribeNewHeads" => "newHead", unsubscribe = "unsubscribeNewHeads", item = Header)]
    async fn subscribe_new_heads(&self) -> SubscriptionResult;
    /// Finalized headers.
    #[subscription(name = "subscribeFinalizedHeads" => "finalizedHead", unsubscribe = "unsubscribeFinalizedHeads", item = Header)]
    async fn subscribe_finalized_heads(&self) -> SubscriptionResult;
}

/// `ghost_*`: chain data Substrate serves differently or not at all.
#[rpc(server, client, namespace = "ghost")]
pub trait GhostApi {
    /// The events of block `hash` (default: best) as the runtime encodes them: SCALE
    /// `Vec<EventRecord>`, whose blake3 hash and count the block's `System.EventsDigest`
    /// holds (check them with a read proof of that key). `null` for an unknown block. Kept
    /// whatever the state pruning (error 4002 only for a block imported before the node stored
    /// events, whose state is pruned).
    #[method(name = "blockEvents")]
    async fn block_events(&self, hash: Option<Hash>) -> jsonrpsee::core::RpcResult<Option<Bytes>>;
}

/// A finality proof as `grandpa_proveFinality` returns it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FinalityProof {
    /// The block the justification finalizes (the asked block or its first descendant with a
    /// stored justification).
    pub block: Hash,
    /// Its number.
    pub number: u64,
    /// SCALE `GrandpaJustification`.
    pub justification: Bytes,
    /// Headers from the asked block (exclusive) up to `block` (inclusive), ascending, so a
    /// light client can link the asked block to the justified one.
    pub unknown_headers: Vec<Header>,
}

/// A block that enacted a new GRANDPA voter set, with the previous set's justification of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SetChangeJson {
    /// The set it enacted.
    pub set_id: u64,
    /// Its header (carrying the `ScheduledChange` digest).
    pub header: Header,
    /// SCALE `GrandpaJustification` of it by the set before.
    pub justification: Bytes,
}

/// What a light client needs to follow the voter set from genesis (`grandpa_proveVoterSets`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VoterSetProof {
    /// The genesis header (the client checks it hashes to the genesis it pinned).
    pub genesis: Header,
    /// Read proof of `Validators.Validators` and `Validators.SetId` against its state root.
    pub genesis_proof: Vec<Bytes>,
    /// Set changes, ascending by set id, from the one asked for.
    pub changes: Vec<SetChangeJson>,
    /// The set id at block `at`.
    pub set_id: u64,
    /// The block whose state listed the changes.
    pub at: Hash,
    /// The set id to ask from next when the page stopped short of `set_id` (`null`: done).
    pub next: Option<u64>,
}

/// The GRANDPA voter set of a block.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VoterSetInfo {
    /// The set id.
    pub set_id: u64,
    /// The voters (ghost1… addresses), weight 1 each.
    pub voters: Vec<String>,
}

/// `grandpa_*`.
#[rpc(server, client, namespace = "grandpa")]
pub trait GrandpaApi {
    /// A proof that the finalized block `number` is final: the justification of it or of its
    /// nearest finalized descendant that has one, with the headers in between. `null` if the
    /// block is not finalized or no justification covers it yet.
    #[method(name = "proveFinality")]
    async fn prove_finality(
        &self,
        number: u64,
    ) -> jsonrpsee::core::RpcResult<Option<FinalityProof>>;
    /// The proof of the voter sets up to block `at` (default: the finalized block): the
    /// genesis set proven against the genesis state root, and every set change after set
    /// `from_set_id` with the justification that finalized it (at most 256 per call; `next`
    /// says where to go on).
    #[method(name = "proveVoterSets")]
    async fn prove_voter_sets(
        &self,
        from_set_id: u64,
        at: Option<Hash>,
    ) -> jsonrpsee::core::RpcResult<VoterSetProof>;
    /// The voter set that finalizes the children of block `hash` (default: the finalized
    /// block).
    #[method(name = "voterSet")]
    async fn voter_set(&self, hash: Option<Hash>) -> jsonrpsee::core::RpcResult<VoterSetInfo>;
}

/// `state_*`.
#[rpc(server, client, namespace = "state")]
pub trait StateApi {
    /// The raw value at a storage key.
    #[method(name = "getStorage")]
    async fn storage(
        &self,
        key: Bytes,
        at: Option<Hash>,
    ) -> jsonrpsee::core::RpcResult<Option<Bytes>>;
    /// A Merkle proof of the values at `keys`, against the state root of `at`.
    #[method(name = "getReadProof")]
    async fn read_proof(
        &self,
        keys: Vec<Bytes>,
        at: Option<Hash>,
    ) -> jsonrpsee::core::RpcResult<ReadProofJson>;
    /// The runtime version.
    #[method(name = "getRuntimeVersion")]
    async fn runtime_version(&self, at: Option<Hash>)
    -> jsonrpsee::core::RpcResult<RuntimeVersion>;
    /// A JSON description of pallets, calls, events, errors and storage.
    #[method(name = "getMetadata")]
    async fn metadata(&self, at: Option<Hash>) -> jsonrpsee::core::RpcResult<serde_json::Value>;
}

/// `author_*`.
#[rpc(server, client, namespace = "author")]
pub trait AuthorApi {
    /// Submits a SCALE-encoded signed extrinsic; returns its hash.
    #[method(name = "submitExtrinsic")]
    async fn submit_extrinsic(&self, extrinsic: Bytes) -> jsonrpsee::core::RpcResult<Hash>;
    /// Submits and follows an extrinsic: `ready` → `inBlock` → `finalized` (or `invalid` /
    /// `dropped` / `usurped`).
    #[subscription(name = "submitAndWatchExtrinsic" => "extrinsicUpdate", unsubscribe = "unwatchExtrinsic", item = TransactionStatusJson)]
    async fn submit_and_watch_extrinsic(&self, extrinsic: Bytes) -> SubscriptionResult;
    /// Extrinsics waiting in the pool.
    #[method(name = "pendingExtrinsics")]
    async fn pending_extrinsics(&self) -> jsonrpsee::core::RpcResult<Vec<Bytes>>;
    /// Where an extrinsic is: pool, a block (with its outcome), or unknown.
    #[method(name = "extrinsicStatus")]
    async fn extrinsic_status(&self, hash: Hash)
    -> jsonrpsee::core::RpcResult<ExtrinsicStatusJson>;
    /// Removes extrinsics from the pool by hash (unsafe: only with `--rpc-methods unsafe`).
    #[method(name = "removeExtrinsic")]
    async fn remove_extrinsic(&self, hashes: Vec<Hash>) -> jsonrpsee::core::RpcResult<Vec<Hash>>;
}

/// `payment_*`.
#[rpc(server, client, namespace = "payment")]
pub trait PaymentApi {
    /// The fee an extrinsic would pay (without tip).
    #[method(name = "queryInfo")]
    async fn query_info(
        &self,
        extrinsic: Bytes,
        at: Option<Hash>,
    ) -> jsonrpsee::core::RpcResult<FeeInfoJson>;
}

/// `account_*`.
#[rpc(server, client, namespace = "account")]
pub trait AccountApi {
    /// Free and reserved balance and nonce of an address.
    #[method(name = "info")]
    async fn info(
        &self,
        account: String,
        at: Option<Hash>,
    ) -> jsonrpsee::core::RpcResult<AccountInfoJson>;
}

/// Methods only served with `--rpc-methods unsafe`.
pub const UNSAFE_METHODS: &[&str] = &["author_removeExtrinsic"];

// ---- domain_* ----

use ghost_primitives::{AccountId, DnsRecord, DomainName, Web3Records};

/// Normalizes user input to a canonical name (`Bücher.Ghost` → `xn--bcher-kva.ghost`) with
/// the chain's own implementation, [`ghost_primitives::names::normalize_name`] (ENSIP-15, then
/// punycode, then the on-chain rules), so what the edge accepts the chain accepts.
pub fn normalize_name(input: &str) -> Result<DomainName, String> {
    ghost_primitives::names::normalize_name(input).map_err(|e| e.to_string())
}

/// `domain_resolve`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResolutionJson {
    /// The name.
    pub name: DomainName,
    /// Its namehash.
    pub namehash: Hash,
    /// Owner.
    pub owner: AccountId,
    /// DNS records (empty unless active).
    pub records: Vec<DnsRecord>,
    /// Web3 records.
    pub web3: Web3Records,
    /// Effective expiry (ms).
    pub expires_at: u64,
    /// Creation time (ms).
    pub created_at: u64,
    /// `active`, `grace` or `available`.
    pub status: String,
    /// Parent name of a subname.
    pub parent: Option<DomainName>,
    /// The key that may sign updates besides the owner.
    #[serde(default)]
    pub update_key: Option<AccountId>,
    /// The sequence number the name's next signed update must carry.
    #[serde(default)]
    pub update_sequence: u64,
}

/// `domain_resolveWithProof`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResolutionProofJson {
    /// The resolution (as `domain_resolve`).
    pub resolution: Option<ResolutionJson>,
    /// The block the proof is against.
    pub at: Hash,
    /// That block's state root.
    pub state_root: Hash,
    /// The proven storage keys (entry, records, root entry, parameters, block time).
    pub keys: Vec<Bytes>,
    /// Trie nodes; verify each key with `ghost_trie::verify_read_proof(state_root, proof, key)`.
    pub proof: Vec<Bytes>,
}

/// `domain_listByOwner`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NameListJson {
    /// Names, in namehash order.
    pub names: Vec<DomainName>,
    /// Pass as `cursor` for the next page (`null`: no more).
    pub next: Option<Hash>,
}

/// `domain_resolutions`: a page of names with their resolutions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ResolutionListJson {
    /// Each name that resolves, in namehash order, as `domain_resolve` gives it.
    pub resolutions: Vec<ResolutionJson>,
    /// Pass as `cursor` for the next page (`null`: no more).
    pub next: Option<Hash>,
}

/// `domain_available`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AvailabilityJson {
    /// Whether it can be registered now.
    pub available: bool,
    /// `active`, `grace` or `available`.
    pub status: String,
    /// Why not.
    pub reason: Option<String>,
}

/// One change of a name (`domain_subscribeChanges`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DomainChangeJson {
    /// The name.
    pub domain: DomainName,
    /// `created`, `updated`, `transferred` or `expired`; on the best-chain stream also
    /// `reverted`: the block that made the change left the best chain.
    pub change_type: String,
    /// New owner (created, transferred; for `reverted` the owner at the fork point).
    pub new_owner: Option<AccountId>,
    /// The name's DNS records after a records change (for `reverted` the records at the fork
    /// point).
    pub new_records: Option<Vec<DnsRecord>>,
    /// The extrinsic that caused it (`null`: the expiry sweep or a revert).
    pub extrinsic_index: Option<u32>,
    /// The change's index within its block (for `reverted`, within the revert notification):
    /// a resumed stream needs no counting.
    #[serde(default)]
    pub index: u32,
    /// What the name resolves to after the block (for `reverted`: at the fork point, the state
    /// to go back to); `null` when the name is no longer stored.
    #[serde(default)]
    pub state: Option<ResolutionJson>,
}

impl DomainChangeJson {
    /// The change type of a revert.
    pub const REVERTED: &'static str = "reverted";

    /// Whether this change undoes a retracted block's change.
    pub fn is_revert(&self) -> bool {
        self.change_type == Self::REVERTED
    }
}

/// All changes of one block (`domain_subscribeChanges` notifications).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DomainChangesJson {
    /// Block height.
    pub block_height: u64,
    /// Block hash.
    pub block_hash: Hash,
    /// The changes, in event order.
    pub changes: Vec<DomainChangeJson>,
    /// The block left the best chain: its changes come back as `reverted` changes (carrying the
    /// names' states at the fork point), highest retracted block first, before the blocks of
    /// the new best chain. Never set on a finalized stream.
    #[serde(default)]
    pub reverted: bool,
    /// The block's parent: after a revert the follower is at this block (height − 1).
    #[serde(default)]
    pub parent_hash: Option<Hash>,
}

/// Which changes a subscriber wants; empty lists mean "all".
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ChangeFilter {
    /// Exact names.
    pub domains: Vec<String>,
    /// Name suffixes (`.ghost`, `alice.ghost` also matches its subnames).
    pub suffixes: Vec<String>,
    /// Change types.
    pub change_types: Vec<String>,
    /// Also notify blocks without (matching) changes, so a follower always knows the height.
    pub include_empty: bool,
}

impl ChangeFilter {
    /// Whether `change` passes.
    pub fn matches(&self, change: &DomainChangeJson) -> bool {
        let name = change.domain.as_str();
        let by_name = (self.domains.is_empty() && self.suffixes.is_empty())
            || self.domains.iter().any(|d| d.trim_end_matches('.') == name)
            || self.suffixes.iter().any(|s| {
                let s = s.trim_start_matches('.').trim_end_matches('.');
                name == s || name.ends_with(&format!(".{s}"))
            });
        // A revert passes any type filter: it undoes a change the subscriber may have seen.
        let by_type = self.change_types.is_empty()
            || change.is_revert()
            || self.change_types.contains(&change.change_type);
        by_name && by_type
    }
}

/// `domain_*`.
#[rpc(server, client, namespace = "domain")]
pub trait DomainApi {
    /// Owner, records, expiry and status of a name (IDNA input accepted); `null` if unknown.
    #[method(name = "resolve")]
    async fn resolve(
        &self,
        name: String,
        at: Option<Hash>,
    ) -> jsonrpsee::core::RpcResult<Option<ResolutionJson>>;
    /// `resolve` plus a state read proof against the block's state root.
    #[method(name = "resolveWithProof")]
    async fn resolve_with_proof(
        &self,
        name: String,
        at: Option<Hash>,
    ) -> jsonrpsee::core::RpcResult<ResolutionProofJson>;
    /// Names owned by an address, paginated by cursor: a page scans at most `limit` (≤ 1000)
    /// of the owner's entries and skips released names, so it may hold fewer than `limit`
    /// names and still have a `next`; continue until `next` is `null`.
    #[method(name = "listByOwner")]
    async fn list_by_owner(
        &self,
        owner: String,
        cursor: Option<Hash>,
        limit: Option<u32>,
    ) -> jsonrpsee::core::RpcResult<NameListJson>;
    /// Whether a name can be registered now.
    #[method(name = "available")]
    async fn available(&self, name: String) -> jsonrpsee::core::RpcResult<AvailabilityJson>;
    /// The fee to register or renew a name for `duration_ms`.
    #[method(name = "price")]
    async fn price(&self, name: String, duration_ms: u64) -> jsonrpsee::core::RpcResult<u128>;
    /// Every name and subname in state (namehash order), paginated: for indexers such as
    /// GhostBridge.
    #[method(name = "names")]
    async fn names(
        &self,
        at: Option<Hash>,
        cursor: Option<Hash>,
        limit: Option<u32>,
    ) -> jsonrpsee::core::RpcResult<NameListJson>;
    /// `names` with each name's resolution (what `resolve` at the same block gives; names that
    /// do not resolve are left out), up to 1,000 a page: what an indexer such as GhostBridge
    /// loads, one call per page instead of one per name.
    #[method(name = "resolutions")]
    async fn resolutions(
        &self,
        at: Option<Hash>,
        cursor: Option<Hash>,
        limit: Option<u32>,
    ) -> jsonrpsee::core::RpcResult<ResolutionListJson>;
    /// An address's primary (reverse) name, if it still resolves to it.
    #[method(name = "primaryName")]
    async fn primary_name(&self, address: String)
    -> jsonrpsee::core::RpcResult<Option<DomainName>>;
    /// The domain parameters in force (commitment ages, durations, limits, prices).
    #[method(name = "params")]
    async fn params(&self) -> jsonrpsee::core::RpcResult<serde_json::Value>;
    /// The name changes of the canonical block at `height` (`null` beyond the chain), for
    /// followers that walk heights themselves (GhostBridge's finalized stream).
    #[method(name = "changesAt")]
    async fn changes_at(
        &self,
        height: u64,
    ) -> jsonrpsee::core::RpcResult<Option<DomainChangesJson>>;
    /// Every best-chain block's name changes from `from_height` (default: the next block) in
    /// block order, then live: no gap, no duplicate. One notification per block with matching
    /// changes. On a reorg the retracted blocks come back first as `reverted` notifications.
    /// `from_block_hash` is the hash of the last block the subscriber saw (at
    /// `from_height - 1`): if it has left the best chain, the stream starts by reverting it and
    /// its ancestors down to the fork point.
    #[subscription(name = "subscribeChanges" => "domainChanges", unsubscribe = "unsubscribeChanges", item = DomainChangesJson)]
    async fn subscribe_changes(
        &self,
        from_height: Option<u64>,
        filter: Option<ChangeFilter>,
        from_block_hash: Option<Hash>,
    ) -> SubscriptionResult;
}

// ---- contracts_* ----

/// One event a dry run deposited (`contracts_call`, `contracts_instantiate`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventJson {
    /// The pallet (`Contracts`, `Balances`, ...).
    pub pallet: String,
    /// The event (`ContractEmitted`, `Called`, `Transfer`, ...).
    pub name: String,
    /// Its fields by name; bytes (a contract event's `data`) as `0x`-hex.
    pub fields: serde_json::Value,
}

/// `contracts_call`: what a call would do, run on a throwaway copy of the state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContractCallJson {
    /// `ok`, `revert` (the contract returned with the revert flag) or `error` (it trapped, ran
    /// out of fuel, or the call was refused before running).
    pub result: String,
    /// The contract's return data (also on revert).
    pub output: Bytes,
    /// Whether the contract reverted.
    pub reverted: bool,
    /// The dispatch error (`Contracts.OutOfFuel`, ...) with the VM's reason; `null` if `ok`.
    pub error: Option<String>,
    /// Fuel burned (nested calls included).
    pub fuel_consumed: u64,
    /// Storage deposit the origin would pay, net of refunds (0 if it would get some back); the
    /// least `storage_deposit_limit` that lets the call through.
    #[serde(default)]
    pub storage_deposit_charge: u128,
    /// Storage deposit the origin would get back, net of charges (0 if it would pay).
    #[serde(default)]
    pub storage_deposit_refund: u128,
    /// Events the call deposited (none unless `ok`: a failed call's writes are reverted).
    pub events: Vec<EventJson>,
    /// What the contract wrote with `debug_message` (the SDK's panic location, the reason
    /// `contract!` refused the call data), at most 16 KiB; empty if nothing.
    #[serde(default)]
    pub debug_message: String,
}

/// `contracts_instantiate`: what an instantiation would do, run on a throwaway copy of the
/// state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContractInstantiateJson {
    /// The address the contract would get: `blake3(deployer ++ code_hash ++ salt)` (also when
    /// the instantiation would fail).
    pub address: AccountId,
    /// `ok`, `revert` (`deploy` returned with the revert flag) or `error` (it trapped, ran out
    /// of fuel, or the instantiation was refused before running: no code, contract exists, ...).
    pub result: String,
    /// `deploy`'s return data (also on revert).
    pub output: Bytes,
    /// Whether `deploy` reverted.
    pub reverted: bool,
    /// The dispatch error (`Contracts.CodeNotFound`, ...) with the VM's reason; `null` if `ok`.
    pub error: Option<String>,
    /// Fuel burned.
    pub fuel_consumed: u64,
    /// Storage deposit the origin would pay (the record's and `deploy`'s writes, net of
    /// refunds): the least `storage_deposit_limit` that lets it through.
    #[serde(default)]
    pub storage_deposit_charge: u128,
    /// Storage deposit the origin would get back, net of charges.
    #[serde(default)]
    pub storage_deposit_refund: u128,
    /// Events the instantiation deposited (`Contracts.Instantiated`, ...; none unless `ok`).
    pub events: Vec<EventJson>,
    /// What `deploy` wrote with `debug_message`, at most 16 KiB; empty if nothing.
    #[serde(default)]
    pub debug_message: String,
}

/// `contracts_codeInfo`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CodeInfoJson {
    /// The uploader, who holds the deposit.
    pub owner: AccountId,
    /// The code deposit reserved from the owner.
    pub deposit: u128,
    /// How many contracts were instantiated from it.
    pub refcount: u64,
    /// The code's length in bytes.
    pub code_len: u32,
}

/// `contracts_info`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContractInfoJson {
    /// The code it runs.
    pub code_hash: Hash,
    /// Who instantiated it.
    pub deployer: AccountId,
    /// Bytes of its storage (keys plus values).
    pub storage_bytes: u64,
    /// Number of its storage entries.
    pub storage_items: u32,
    /// The storage deposit reserved on the contract's account.
    pub storage_deposit: u128,
    /// Whether it accepts reentrant calls.
    pub reentrant: bool,
}

/// `contracts_events`: one event a contract emitted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContractEventJson {
    /// The block that holds it.
    pub block_number: u64,
    /// That block's hash.
    pub block_hash: Hash,
    /// Its topics (up to four).
    pub topics: Vec<Hash>,
    /// Its data.
    pub data: Bytes,
}

/// Most blocks one `contracts_events` request may scan (`to_block − from_block + 1`).
pub const MAX_CONTRACT_EVENT_BLOCKS: u64 = 1_000;

/// Most events one `contracts_events` answer holds; a range with more is refused (narrow it).
pub const MAX_CONTRACT_EVENTS: usize = 10_000;

pub use contracts_api::{ContractsApiClient, ContractsApiServer};

/// Holds [`ContractsApiServer`] and [`ContractsApiClient`]: `contracts_instantiate` takes seven
/// parameters, so the methods the `rpc` macro generates for it take eight.
#[allow(clippy::too_many_arguments)]
mod contracts_api {
    use super::*;

    /// `contracts_*`: dry runs and reads of WASM-lite contracts. Transactions (upload, instantiate,
    /// call) are ordinary extrinsics (`RuntimeCall::Contracts`) submitted with `author_*`.
    #[rpc(server, client, namespace = "contracts")]
    pub trait ContractsApi {
        /// Runs a call of `dest` by `origin` with `value`, `fuel_limit` and call data `data`
        /// (`selector ++ SCALE(args)`) on the state of `at` (default: best) without writing
        /// anything or charging a fee.
        #[method(name = "call")]
        async fn dry_run_call(
            &self,
            origin: String,
            dest: String,
            value: u128,
            fuel_limit: u64,
            data: Bytes,
            at: Option<Hash>,
        ) -> jsonrpsee::core::RpcResult<ContractCallJson>;
        /// Runs an instantiation of `code_hash` by `origin` with `value`, `fuel_limit`, `deploy`
        /// data `data` and `salt` on the state of `at` (default: best) without writing anything or
        /// charging a fee; reports the address the contract would get and how `deploy` went.
        #[method(name = "instantiate")]
        async fn dry_run_instantiate(
            &self,
            origin: String,
            code_hash: Hash,
            value: u128,
            fuel_limit: u64,
            data: Bytes,
            salt: Bytes,
            at: Option<Hash>,
        ) -> jsonrpsee::core::RpcResult<ContractInstantiateJson>;
        /// The value at `key` (the contract's own key) in the storage of contract `address`.
        #[method(name = "getStorage")]
        async fn contract_storage(
            &self,
            address: String,
            key: Bytes,
            at: Option<Hash>,
        ) -> jsonrpsee::core::RpcResult<Option<Bytes>>;
        /// Owner, deposit, use count and length of uploaded code; `null` if not stored.
        #[method(name = "codeInfo")]
        async fn code_info(
            &self,
            code_hash: Hash,
            at: Option<Hash>,
        ) -> jsonrpsee::core::RpcResult<Option<CodeInfoJson>>;
        /// Code, deployer and storage use of a contract; `null` if there is none at `address`.
        #[method(name = "info")]
        async fn contract_info(
            &self,
            address: String,
            at: Option<Hash>,
        ) -> jsonrpsee::core::RpcResult<Option<ContractInfoJson>>;
        /// The events contract `address` emitted in the canonical blocks `from_block ..=
        /// to_block` (at most [`MAX_CONTRACT_EVENT_BLOCKS`] of them, blocks past the best one
        /// are skipped), in order, only those with `topic` among their topics if it is given.
        /// `INVALID_PARAMS` for a bad address, an empty or too long range, or more than
        /// [`MAX_CONTRACT_EVENTS`] matches.
        #[method(name = "events")]
        async fn contract_events(
            &self,
            address: String,
            topic: Option<Hash>,
            from_block: u64,
            to_block: u64,
        ) -> jsonrpsee::core::RpcResult<Vec<ContractEventJson>>;
    }
}

// ---- ens_* ----

use ghost_primitives::{EnsName, EthAddress};

/// Normalizes user input to an ENS name in ENSIP-15 normal form (`Nick.ETH` → `nick.eth`).
pub fn normalize_ens_name(input: &str) -> Result<EnsName, String> {
    EnsName::normalize(input.trim().trim_end_matches('.')).map_err(|e| e.to_string())
}

/// A link between an ENS name and a ghost name (`ens_link`, `ens_links`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnsLinkJson {
    /// The ENS name (ENSIP-15 normal form).
    pub ens_name: EnsName,
    /// Its EIP-137 namehash (the registry's key).
    pub ens_node: Hash,
    /// The ghost name its records are mirrored to.
    pub ghost_name: DomainName,
    /// The account that linked it.
    pub ghost_account: AccountId,
    /// The ENS owner when it was linked.
    pub eth_owner: EthAddress,
    /// The Ethereum block of the last attestation applied.
    pub eth_block_number: u64,
    /// That block's hash.
    pub eth_block_hash: Hash,
    /// blake3 of the SCALE encoding of the records last applied.
    pub records_hash: Hash,
    /// `active` (records follow ENS) or `suspended` (the ENS owner changed).
    pub status: String,
    /// The owner the oracles attested when the link was suspended.
    pub suspended_by: Option<EthAddress>,
    /// The ghost block it was made in.
    pub linked_at: u64,
    /// Whether the ghost name's DNS records at the mirrored labels follow the ENS name's
    /// DNS-profile (EIP-1185) records.
    #[serde(default)]
    pub mirrors_dns: bool,
}

/// A link request waiting for the oracles (`ens_pending`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnsRequestJson {
    /// The ENS name.
    pub ens_name: EnsName,
    /// Its EIP-137 namehash.
    pub ens_node: Hash,
    /// The ghost name it is to be linked to.
    pub ghost_name: DomainName,
    /// The account that asked and pays.
    pub ghost_account: AccountId,
    /// The Ethereum address that signed the link message (must be the ENS owner).
    pub eth_address: EthAddress,
    /// Reserved from the account until the request ends.
    pub deposit: u128,
    /// The last ghost block in which it can be linked.
    pub expires_at: u64,
}

/// The oracle set (`ens_oracles`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnsOraclesJson {
    /// The oracles, ascending.
    pub oracles: Vec<AccountId>,
    /// How many must agree.
    pub threshold: u32,
}

/// A page of links (`ens_links`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnsLinkListJson {
    /// Links, in ENS-node order.
    pub links: Vec<EnsLinkJson>,
    /// Pass as `cursor` for the next page (`null`: no more).
    pub next: Option<Hash>,
}

/// `ens_*`: the ENS bridge's links, requests and oracles. Transactions (`register_ens_domain`,
/// `submit_attestation`, `unlink`, ...) are ordinary extrinsics submitted with `author_*`.
#[rpc(server, client, namespace = "ens")]
pub trait EnsApi {
    /// The link of an ENS name (normalised by ENSIP-15 first); `null` if there is none.
    #[method(name = "link")]
    async fn link(
        &self,
        ens_name: String,
        at: Option<Hash>,
    ) -> jsonrpsee::core::RpcResult<Option<EnsLinkJson>>;
    /// The ENS name linked to a ghost name (IDNA input accepted); `null` if none.
    #[method(name = "reverse")]
    async fn reverse(
        &self,
        ghost_name: String,
        at: Option<Hash>,
    ) -> jsonrpsee::core::RpcResult<Option<EnsName>>;
    /// Pending link requests (expired ones included until removed), in ENS-node order, at
    /// most `limit` (default and cap 1,000).
    #[method(name = "pending")]
    async fn pending(&self, limit: Option<u32>) -> jsonrpsee::core::RpcResult<Vec<EnsRequestJson>>;
    /// The oracle set and threshold.
    #[method(name = "oracles")]
    async fn oracles(&self) -> jsonrpsee::core::RpcResult<EnsOraclesJson>;
    /// Every link (active and suspended), in ENS-node order after `cursor`, paginated
    /// (default 100, cap 1,000): what an oracle watches.
    #[method(name = "links")]
    async fn links(
        &self,
        cursor: Option<Hash>,
        limit: Option<u32>,
    ) -> jsonrpsee::core::RpcResult<EnsLinkListJson>;
}
