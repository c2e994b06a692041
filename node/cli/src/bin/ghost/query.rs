//! Read-only commands: `balance`, `block`, `tx status` and `chain info`.
//!
//! Each parses its arguments before connecting, makes a few typed RPC calls and prints one
//! report. `block --json` and `tx status --json` print the node's own JSON (the RPC types
//! re-serialized); the others print the report's fields.

use clap::Subcommand;
use ghost_primitives::{AccountId, BlockNumber, Hash, Nonce, RuntimeVersion, blake3_256};
use ghost_rpc::{
    AccountApiClient, AuthorApiClient, ChainApiClient, ExtrinsicStatusJson, SignedBlock,
    StateApiClient, SystemApiClient,
};
use serde::Serialize;

use crate::output::{Lines, Output, Render};
use crate::rpc::{Client, Endpoint, RpcContext};

/// `ghost tx …`.
#[derive(Debug, Clone, Subcommand)]
pub enum TxCommand {
    /// Where an extrinsic is: in the pool, in a block (with its outcome), or unknown.
    Status {
        /// The extrinsic hash (`0x` + 64 hex digits).
        hash: String,
    },
}

/// `ghost chain …`.
#[derive(Debug, Clone, Subcommand)]
pub enum ChainCommand {
    /// Chain name, genesis hash, best and finalized blocks, runtime version.
    Info,
}

/// Parses an address, with the address error's own text.
pub fn parse_address(address: &str) -> anyhow::Result<AccountId> {
    address
        .parse()
        .map_err(|e| anyhow::anyhow!("invalid address `{address}`: {e}"))
}

/// Parses a `0x` hash.
pub fn parse_hash(hash: &str, what: &str) -> anyhow::Result<Hash> {
    hash.parse()
        .map_err(|e| anyhow::anyhow!("invalid {what} `{hash}`: {e}"))
}

// ---------------------------------------------------------------------------------------------
// balance

/// `balance`: `account_info` of one address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct BalanceReport {
    /// Spendable balance, smallest unit.
    #[serde(serialize_with = "crate::shown::amount")]
    pub free: u128,
    /// Reserved balance, smallest unit.
    #[serde(serialize_with = "crate::shown::amount")]
    pub reserved: u128,
    /// Next nonce from the state.
    pub nonce: Nonce,
}

impl Render for BalanceReport {}

/// Runs `balance <ADDRESS>`.
pub async fn balance(endpoint: &Endpoint, address: &str, out: &Output) -> anyhow::Result<()> {
    let account = parse_address(address)?;
    let client = endpoint.connect().await?;
    let info = client
        .info(account.to_string(), None)
        .await
        .rpc_context(format_args!("reading the account {account} (account_info)"))?;
    out.emit(&BalanceReport {
        free: info.free,
        reserved: info.reserved,
        nonce: info.nonce,
    })
}

// ---------------------------------------------------------------------------------------------
// block

/// Which block `block` shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockRef {
    /// The best block.
    Best,
    /// The canonical block at a height.
    Number(BlockNumber),
    /// A block by hash.
    Hash(Hash),
}

/// Parses `[NUMBER|HASH]`.
pub fn parse_block_ref(at: Option<&str>) -> anyhow::Result<BlockRef> {
    match at {
        None => Ok(BlockRef::Best),
        Some(s) if s.starts_with("0x") => parse_hash(s, "block hash").map(BlockRef::Hash),
        Some(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => s
            .parse()
            .map(BlockRef::Number)
            .map_err(|_| anyhow::anyhow!("block number `{s}` is too large")),
        Some(s) => anyhow::bail!("expected a block number or a 0x block hash, found `{s}`"),
    }
}

/// `block`: the node's block, plus what the human form derives from it.
#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
pub struct BlockReport {
    block: SignedBlock,
}

impl Render for BlockReport {
    fn lines(&self) -> Lines {
        let header = &self.block.block.header;
        let extrinsics = &self.block.block.extrinsics;
        let mut lines = Lines::new()
            .with("number", header.number)
            .with("hash", header.hash())
            .with("parent_hash", header.parent_hash)
            .with("state_root", header.state_root)
            .with("extrinsics_root", header.extrinsics_root)
            .with("timestamp_ms", header.timestamp_ms)
            .with_opt("slot", header.slot())
            .with("extrinsics", extrinsics.len());
        for (index, bytes) in extrinsics.iter().enumerate() {
            let hash = blake3_256(bytes);
            let value = match ghost_runtime::api::decode_extrinsic(bytes) {
                Ok(xt) => format!("{hash} {} from {}", xt.call.name(), xt.signer),
                Err(_) => format!("{hash} (undecodable)"),
            };
            lines = lines.with(format!("extrinsic[{index}]"), value);
        }
        lines
    }
}

/// Runs `block [NUMBER|HASH]`.
pub async fn block(endpoint: &Endpoint, at: Option<&str>, out: &Output) -> anyhow::Result<()> {
    let at = parse_block_ref(at)?;
    let client = endpoint.connect().await?;
    let hash = match at {
        BlockRef::Best => None,
        BlockRef::Hash(hash) => Some(hash),
        BlockRef::Number(number) => Some(
            client
                .block_hash(Some(number))
                .await
                .rpc_context(format_args!(
                    "looking up block {number} (chain_getBlockHash)"
                ))?
                .ok_or_else(|| anyhow::anyhow!("no block at height {number}"))?,
        ),
    };
    let block = client
        .block(hash)
        .await
        .rpc_context("fetching the block (chain_getBlock)")?
        .ok_or_else(|| match hash {
            Some(hash) => anyhow::anyhow!("block {hash} not found"),
            None => anyhow::anyhow!("the node has no best block"),
        })?;
    out.emit(&BlockReport { block })
}

// ---------------------------------------------------------------------------------------------
// tx status

/// `tx status`: the node's `author_extrinsicStatus` answer.
#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
pub struct TxStatusReport {
    status: ExtrinsicStatusJson,
}

impl Render for TxStatusReport {
    fn lines(&self) -> Lines {
        match &self.status {
            ExtrinsicStatusJson::Pending { queue } => {
                Lines::new().with("status", "pending").with("queue", queue)
            }
            ExtrinsicStatusJson::InBlock {
                block_hash,
                block_number,
                index,
                finalized,
                success,
                error,
            } => Lines::new()
                .with("status", "in_block")
                .with("block_hash", block_hash)
                .with("block_number", block_number)
                .with("index", index)
                .with("finalized", finalized)
                .with("success", success)
                .with_opt("error", error.as_ref()),
            ExtrinsicStatusJson::Unknown => Lines::new().with("status", "unknown"),
        }
    }
}

/// Runs a `tx` subcommand.
pub async fn tx(endpoint: &Endpoint, command: TxCommand, out: &Output) -> anyhow::Result<()> {
    match command {
        TxCommand::Status { hash } => {
            let hash = parse_hash(&hash, "extrinsic hash")?;
            let client = endpoint.connect().await?;
            let status = client
                .extrinsic_status(hash)
                .await
                .rpc_context("querying the extrinsic (author_extrinsicStatus)")?;
            out.emit(&TxStatusReport { status })
        }
    }
}

// ---------------------------------------------------------------------------------------------
// chain info

/// The runtime version with snake_case keys, like the rest of the CLI's JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuntimeReport {
    /// `ghostchain`.
    pub spec_name: String,
    /// Signed into every extrinsic.
    pub spec_version: u32,
    /// Non-logic changes.
    pub impl_version: u32,
    /// Encoding of calls and extras.
    pub transaction_version: u32,
}

impl From<RuntimeVersion> for RuntimeReport {
    fn from(v: RuntimeVersion) -> Self {
        RuntimeReport {
            spec_name: v.spec_name,
            spec_version: v.spec_version,
            impl_version: v.impl_version,
            transaction_version: v.transaction_version,
        }
    }
}

/// `chain info`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainReport {
    /// The chain's name (`system_chain`).
    pub chain: String,
    /// Hash of block 0.
    pub genesis_hash: Hash,
    /// Best block height.
    pub best_number: BlockNumber,
    /// Best block hash.
    pub best_hash: Hash,
    /// Last finalized height.
    pub finalized_number: BlockNumber,
    /// Last finalized hash.
    pub finalized_hash: Hash,
    /// The runtime at the best block.
    pub runtime: RuntimeReport,
}

impl Render for ChainReport {
    fn lines(&self) -> Lines {
        Lines::new()
            .with("chain", &self.chain)
            .with("genesis_hash", self.genesis_hash)
            .with("best_number", self.best_number)
            .with("best_hash", self.best_hash)
            .with("finalized_number", self.finalized_number)
            .with("finalized_hash", self.finalized_hash)
            .with("spec_name", &self.runtime.spec_name)
            .with("spec_version", self.runtime.spec_version)
            .with("impl_version", self.runtime.impl_version)
            .with("transaction_version", self.runtime.transaction_version)
    }
}

/// The chain's genesis hash (`chain_getBlockHash(0)`).
pub async fn genesis_hash(client: &Client) -> anyhow::Result<Hash> {
    client
        .block_hash(Some(0))
        .await
        .rpc_context("fetching the genesis hash (chain_getBlockHash)")?
        .ok_or_else(|| anyhow::anyhow!("the node has no genesis block"))
}

/// Runs a `chain` subcommand.
pub async fn chain(endpoint: &Endpoint, command: ChainCommand, out: &Output) -> anyhow::Result<()> {
    match command {
        ChainCommand::Info => {
            let client = endpoint.connect().await?;
            let report = chain_info(&client).await?;
            out.emit(&report)
        }
    }
}

/// Gathers `chain info`.
pub async fn chain_info(client: &Client) -> anyhow::Result<ChainReport> {
    let chain = client
        .chain()
        .await
        .rpc_context("fetching the chain name (system_chain)")?;
    let genesis_hash = genesis_hash(client).await?;
    let best = client
        .header(None)
        .await
        .rpc_context("fetching the best header (chain_getHeader)")?
        .ok_or_else(|| anyhow::anyhow!("the node has no best header"))?;
    let finalized_hash = client
        .finalized_head()
        .await
        .rpc_context("fetching the finalized head (chain_getFinalizedHead)")?;
    let finalized = client
        .header(Some(finalized_hash))
        .await
        .rpc_context("fetching the finalized header (chain_getHeader)")?
        .ok_or_else(|| anyhow::anyhow!("finalized block {finalized_hash} has no header"))?;
    let runtime = client
        .runtime_version(None)
        .await
        .rpc_context("fetching the runtime version (state_getRuntimeVersion)")?;
    Ok(ChainReport {
        chain,
        genesis_hash,
        best_number: best.number,
        best_hash: best.hash(),
        finalized_number: finalized.number,
        finalized_hash,
        runtime: runtime.into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ghost_primitives::{Bytes, Digest, Header, Pair};
    use ghost_rpc::BlockJson;
    use parity_scale_codec::Encode;

    #[test]
    fn block_refs() {
        assert_eq!(parse_block_ref(None).unwrap(), BlockRef::Best);
        assert_eq!(parse_block_ref(Some("42")).unwrap(), BlockRef::Number(42));
        let hash = Hash([7; 32]);
        assert_eq!(
            parse_block_ref(Some(&hash.to_string())).unwrap(),
            BlockRef::Hash(hash)
        );
        for bad in ["", "-1", "abc", "0x12", "99999999999999999999999"] {
            assert!(parse_block_ref(Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn bad_address_shows_the_address_error() {
        let message = parse_address("ghost1nope").unwrap_err().to_string();
        assert!(
            message.starts_with("invalid address `ghost1nope`: "),
            "{message}"
        );
        let expected = "ghost1nope".parse::<AccountId>().unwrap_err().to_string();
        assert!(message.ends_with(&expected), "{message}");
    }

    #[test]
    fn block_lines_list_extrinsic_hashes() {
        let call = ghost_runtime::RuntimeCall::Balances(ghost_runtime::balances::Call::Transfer {
            dest: Pair::dev("Bob").public(),
            value: 1,
        });
        let xt = ghost_runtime::sign_extrinsic(call, &Pair::dev("Alice"), 0, 0, Hash::ZERO, None);
        let header = Header {
            parent_hash: Hash::ZERO,
            number: 3,
            state_root: Hash([1; 32]),
            extrinsics_root: Hash([2; 32]),
            timestamp_ms: 6_000,
            digest: Digest::default(),
        };
        let report = BlockReport {
            block: SignedBlock {
                block: BlockJson {
                    header: header.clone(),
                    extrinsics: vec![Bytes(xt.encode()), Bytes(vec![1, 2, 3])],
                },
                justifications: None,
            },
        };
        let text = Output::buffer(false).render(&report).unwrap();
        assert!(
            text.contains(&format!("hash: {}\n", header.hash())),
            "{text}"
        );
        assert!(text.contains("extrinsics: 2\n"), "{text}");
        assert!(
            text.contains(&format!("extrinsic[0]: {} ", xt.hash())),
            "{text}"
        );
        assert!(text.contains(&format!(
            "extrinsic[1]: {} (undecodable)\n",
            blake3_256(&[1, 2, 3])
        )));
        let json: serde_json::Value =
            serde_json::from_str(&Output::buffer(true).render(&report).unwrap()).unwrap();
        assert_eq!(json, serde_json::to_value(&report.block).unwrap());
    }

    #[test]
    fn balance_lines_show_ghost() {
        let report = BalanceReport {
            free: 1_500_000_000_000,
            reserved: 0,
            nonce: 2,
        };
        let text = Output::buffer(false).render(&report).unwrap();
        assert_eq!(
            text,
            "free: 1500000000000 (1.500000000000 GHOST)\n\
             reserved: 0 (0.000000000000 GHOST)\nnonce: 2\n"
        );
        let json = Output::buffer(true).render(&report).unwrap();
        assert_eq!(
            json,
            "{\"free\":1500000000000,\"reserved\":0,\"nonce\":2}\n"
        );
    }
}
