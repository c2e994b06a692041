//! What GhostBridge needs from a chain, whether the node runs it in process or it follows a node
//! over JSON-RPC.

use ghost_primitives::{DomainName, Hash, Header};
use ghost_rpc::{
    DomainChangesJson, FinalityProof, NameListJson, ResolutionJson, ResolutionProofJson,
    VoterSetProof,
};
use tokio::sync::mpsc;

/// A block by height and hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlockRef {
    /// Height.
    pub height: u64,
    /// Hash.
    pub hash: Hash,
}

/// GRANDPA finality of one block with the voter sets leading to it: what a light client that
/// trusts only the genesis hash needs to trust the block's state root
/// (`ghost_light::verify_finalized`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FinalityBundle {
    /// The block's header.
    pub header: Header,
    /// Its justification, or a justified descendant's with the headers between
    /// (`grandpa_proveFinality`).
    pub finality: FinalityProof,
    /// The genesis voter set's proof and every set change up to the block, all pages
    /// (`grandpa_proveVoterSets`).
    pub voter_sets: VoterSetProof,
}

/// The most `grandpa_proveVoterSets` pages a [`FinalityBundle`] gathers (256 changes each):
/// the client library's bound, so both sources stop where a light client does.
pub use ghost_client::verify::MAX_VOTER_SET_PAGES;

/// What a submitted update became.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubmitOutcome {
    /// The extrinsic hash.
    pub tx_hash: Hash,
    /// The block it is in, when the caller asked to wait.
    pub block_height: Option<u64>,
    /// The dispatch error, if it was included but failed.
    pub dispatch_error: Option<String>,
    /// What the relayer paid for it (smallest units), when the source can tell.
    pub fee: Option<ghost_primitives::Balance>,
}

/// Why a bridge operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BridgeError {
    /// The chain refused the request (bad name, unknown block, invalid transaction).
    #[error("{0}")]
    Rejected(String),
    /// The chain could not be reached or failed internally.
    #[error("chain unavailable: {0}")]
    Unavailable(String),
    /// A block or name that should exist does not.
    #[error("not found: {0}")]
    NotFound(String),
}

/// The chain as GhostBridge sees it.
/// One page of names with their resolutions ([`ChainSource::resolutions`]).
#[derive(Clone, Debug)]
pub struct ResolutionPage {
    /// Each name that resolves, with its resolution.
    pub resolutions: Vec<(DomainName, ResolutionJson)>,
    /// Where the next page starts, or `None` at the end.
    pub next: Option<Hash>,
}

#[async_trait::async_trait]
pub trait ChainSource: Send + Sync + 'static {
    /// The head the bridge serves: the best block, or the finalized one.
    async fn head(&self, finalized: bool) -> Result<BlockRef, BridgeError>;

    /// The canonical block at `height`.
    async fn block_at(&self, height: u64) -> Result<Option<BlockRef>, BridgeError>;

    /// Resolves `name` at block `at` (default: best), with its status evaluated at block time.
    async fn resolve(
        &self,
        name: &DomainName,
        at: Option<Hash>,
    ) -> Result<Option<ResolutionJson>, BridgeError>;

    /// `resolve` with a state read proof.
    async fn resolve_with_proof(
        &self,
        name: &DomainName,
        at: Option<Hash>,
    ) -> Result<ResolutionProofJson, BridgeError>;

    /// The finality of block `at` ([`FinalityBundle`]); `None` while it is not final.
    async fn finality(&self, at: Hash) -> Result<Option<FinalityBundle>, BridgeError>;

    /// A page of every stored name at `at`.
    async fn names(
        &self,
        at: Hash,
        cursor: Option<Hash>,
        limit: u32,
    ) -> Result<NameListJson, BridgeError>;

    /// A page of every stored name at `at` with its resolution (names that do not resolve are
    /// left out): what loading an index reads. By default [`ChainSource::names`], then
    /// [`ChainSource::resolve`] for each name; a source with a faster path overrides it.
    async fn resolutions(
        &self,
        at: Hash,
        cursor: Option<Hash>,
        limit: u32,
    ) -> Result<ResolutionPage, BridgeError> {
        let page = self.names(at, cursor, limit).await?;
        let mut resolutions = Vec::with_capacity(page.names.len());
        for name in page.names {
            if let Some(resolution) = self.resolve(&name, Some(at)).await? {
                resolutions.push((name, resolution));
            }
        }
        Ok(ResolutionPage {
            resolutions,
            next: page.next,
        })
    }

    /// Every block's name changes from height `from` on (blocks without changes included, so
    /// the height always advances), then live, read from the chain's stored change logs. Each
    /// change carries the name's state after its block, so a follower needs no other read.
    ///
    /// `after` is the block at `from - 1` the follower already has. On the best chain, when it
    /// (or a block sent later) leaves the chain, the retracted blocks come back first as
    /// `reverted` notifications, highest first, carrying the names' states at the fork point;
    /// the finalized stream never reverts. An `after` that names no stored block at `from - 1`
    /// is refused with [`BridgeError::Rejected`]. The stream ends if the chain goes away.
    async fn follow(
        &self,
        from: u64,
        after: Option<Hash>,
        finalized: bool,
    ) -> Result<mpsc::Receiver<Result<std::sync::Arc<DomainChangesJson>, BridgeError>>, BridgeError>;

    /// Submits `Domains::set_records_signed(update)` paid by the bridge's relayer. Returns once
    /// the pool has it, with its hash and a future that resolves when it is in a block, so a
    /// batch can submit every update (in order) before it waits for any.
    async fn submit_signed_update(
        &self,
        update: ghost_runtime::domains::SignedRecordUpdate,
    ) -> Result<(Hash, Inclusion), BridgeError>;
}

/// Resolves when a submitted update is in a block (or can no longer be).
pub type Inclusion =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<SubmitOutcome, BridgeError>> + Send>>;
