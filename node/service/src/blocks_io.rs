//! `export-blocks` / `import-blocks`: a chain's canonical blocks as a file, and a file of blocks
//! imported through the same checks as blocks from peers, as Substrate's commands of those names.
//!
//! The file is a header, then one frame per block:
//!
//! ```text
//! "GHOSTBLK" · version u8 (1) · genesis hash [32]
//! frame: length u32 LE · SCALE (Block, Option<justification>)
//! ```
//!
//! Import re-executes every block on its parent's state and checks its seal, exactly as a block
//! from a peer (a file is as hostile as a peer), and finalizes with each stored GRANDPA
//! justification. It is also how the local import rate is measured next to sync from peers
//! (docs/PERFORMANCE.md).

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use ghost_primitives::{BlockNumber, Hash};
use ghost_runtime::Block;
use parity_scale_codec::{Decode, Encode};

use crate::client::{BlockOrigin, Client, ClientError};

/// The first bytes of a block file.
pub const MAGIC: &[u8; 8] = b"GHOSTBLK";
/// The file format's version.
pub const VERSION: u8 = 1;
/// The largest frame accepted: a block at the runtime's size limit plus its justification,
/// with room to spare; a longer length prefix is a corrupt or hostile file.
pub const MAX_FRAME: u32 = 16 << 20;

/// Why an export or import stopped.
#[derive(Debug, thiserror::Error)]
pub enum BlocksIoError {
    /// Reading or writing the file.
    #[error("block file: {0}")]
    Io(#[from] std::io::Error),
    /// The chain refused a block or a justification, or the database failed.
    #[error("block #{number}: {source}")]
    Import {
        /// The height of the refused block.
        number: BlockNumber,
        /// What the client said.
        source: Box<ClientError>,
    },
    /// Reading the local chain.
    #[error(transparent)]
    Client(#[from] ClientError),
    /// Not a block file, or one of another version.
    #[error("not a GhostChain block file (version {VERSION})")]
    NotABlockFile,
    /// The file's blocks are of another chain.
    #[error("the file holds blocks of genesis {file}, this chain's genesis is {chain}")]
    OtherChain {
        /// The file's genesis hash.
        file: Hash,
        /// This chain's.
        chain: Hash,
    },
    /// A frame is longer than [`MAX_FRAME`] or does not decode.
    #[error("frame {index}: {reason}")]
    BadFrame {
        /// The frame's position in the file (0 = first block).
        index: u64,
        /// What is wrong with it.
        reason: String,
    },
    /// The range asked for is not on the canonical chain.
    #[error("no canonical block #{0}")]
    MissingBlock(BlockNumber),
}

/// What an export or import did.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct BlocksReport {
    /// Blocks written or imported (blocks already known are counted in `skipped`).
    pub blocks: u64,
    /// Blocks in the file that the chain already had.
    pub skipped: u64,
    /// Extrinsics in those blocks.
    pub extrinsics: u64,
    /// Justifications written or imported.
    pub justifications: u64,
    /// The highest block number written or imported.
    pub last: BlockNumber,
    /// The finalized height afterwards.
    pub finalized: BlockNumber,
    /// Wall time.
    pub seconds: f64,
}

impl BlocksReport {
    fn new() -> BlocksReport {
        BlocksReport {
            blocks: 0,
            skipped: 0,
            extrinsics: 0,
            justifications: 0,
            last: 0,
            finalized: 0,
            seconds: 0.0,
        }
    }

    fn finish(mut self, started: Instant, client: &Client) -> Result<BlocksReport, ClientError> {
        self.seconds = started.elapsed().as_secs_f64();
        self.finalized = client.finalized()?.1.number;
        Ok(self)
    }
}

/// Writes the canonical blocks `from..=to` (`to` defaults to the best block) with their
/// justifications to `out`.
pub fn export_blocks(
    client: &Client,
    from: BlockNumber,
    to: Option<BlockNumber>,
    out: &mut dyn Write,
) -> Result<BlocksReport, BlocksIoError> {
    let started = Instant::now();
    let to = match to {
        Some(to) => to,
        None => client.best()?.1.number,
    };
    out.write_all(MAGIC)?;
    out.write_all(&[VERSION])?;
    out.write_all(&client.genesis_hash().0)?;
    let mut report = BlocksReport::new();
    for number in from.max(1)..=to {
        let hash = client
            .hash_by_number(number)?
            .ok_or(BlocksIoError::MissingBlock(number))?;
        let block = client
            .block(&hash)?
            .ok_or(BlocksIoError::MissingBlock(number))?;
        let justification = client
            .db()
            .justification(&hash)
            .map_err(ClientError::from)?;
        let frame = (&block, &justification).encode();
        let length = u32::try_from(frame.len())
            .ok()
            .filter(|len| *len <= MAX_FRAME)
            .ok_or_else(|| BlocksIoError::BadFrame {
                index: report.blocks,
                reason: format!("block #{number} encodes to {} bytes", frame.len()),
            })?;
        out.write_all(&length.to_le_bytes())?;
        out.write_all(&frame)?;
        report.blocks += 1;
        report.extrinsics += block.extrinsics.len() as u64;
        report.justifications += u64::from(justification.is_some());
        report.last = number;
    }
    out.flush()?;
    Ok(report.finish(started, client)?)
}

/// Imports every block of `input` through the client's checks (seal, re-execution) and
/// finalizes with their justifications; blocks the chain already has are skipped. Stops at the
/// first refused block with its height and the reason; what was imported before stays.
/// `progress` is called about once a second with the report so far.
pub fn import_blocks(
    client: &Client,
    input: &mut dyn Read,
    mut progress: impl FnMut(&BlocksReport),
) -> Result<BlocksReport, BlocksIoError> {
    let started = Instant::now();
    let mut head = [0u8; 8 + 1 + 32];
    input
        .read_exact(&mut head)
        .map_err(|_| BlocksIoError::NotABlockFile)?;
    if &head[..8] != MAGIC || head[8] != VERSION {
        return Err(BlocksIoError::NotABlockFile);
    }
    let mut genesis = [0u8; 32];
    genesis.copy_from_slice(&head[9..]);
    let file = Hash(genesis);
    if file != client.genesis_hash() {
        return Err(BlocksIoError::OtherChain {
            file,
            chain: client.genesis_hash(),
        });
    }
    let mut report = BlocksReport::new();
    let mut last_progress = Instant::now();
    for index in 0u64.. {
        let mut length = [0u8; 4];
        match read_full(input, &mut length)? {
            0 => break,
            4 => {}
            _ => {
                return Err(BlocksIoError::BadFrame {
                    index,
                    reason: "the file ends inside a length prefix".into(),
                });
            }
        }
        let length = u32::from_le_bytes(length);
        if length > MAX_FRAME {
            return Err(BlocksIoError::BadFrame {
                index,
                reason: format!("length {length} is over the {MAX_FRAME}-byte limit"),
            });
        }
        let mut frame = vec![0u8; length as usize];
        if read_full(input, &mut frame)? != frame.len() {
            return Err(BlocksIoError::BadFrame {
                index,
                reason: "the file ends inside a frame".into(),
            });
        }
        let (block, justification) =
            <(Block, Option<Vec<u8>>)>::decode(&mut &frame[..]).map_err(|e| {
                BlocksIoError::BadFrame {
                    index,
                    reason: format!("does not decode: {e}"),
                }
            })?;
        import_one(client, block, justification, &mut report)?;
        if last_progress.elapsed() >= Duration::from_secs(1) {
            last_progress = Instant::now();
            report.seconds = started.elapsed().as_secs_f64();
            progress(&report);
        }
    }
    Ok(report.finish(started, client)?)
}

fn import_one(
    client: &Client,
    block: Block,
    justification: Option<Vec<u8>>,
    report: &mut BlocksReport,
) -> Result<(), BlocksIoError> {
    let number = block.header.number;
    let hash = block.header.hash();
    let refused = |source: ClientError| BlocksIoError::Import {
        number,
        source: Box::new(source),
    };
    let extrinsics = block.extrinsics.len() as u64;
    if client.header(&hash)?.is_some() {
        report.skipped += 1;
    } else {
        client
            .import_block(block, BlockOrigin::External, false)
            .map_err(refused)?;
        report.blocks += 1;
        report.extrinsics += extrinsics;
        report.last = number;
    }
    if let Some(justification) = justification
        && client.finalized()?.1.number < number
    {
        client
            .import_justification(hash, justification)
            .map_err(refused)?;
        report.justifications += 1;
    }
    Ok(())
}

/// Reads until `buf` is full or the input ends; how many bytes were read.
fn read_full(input: &mut dyn Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match input.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}
