//! The wire protocol between nodes: one SCALE enum for gossip and direct messages, decoded with
//! size limits so that hostile bytes cost the sender, never the receiver.
//!
//! Blocks travel as announcements (the header) by gossip; a node that lacks a block or its
//! ancestors asks the announcer with a [`WireMessage::BlockRequest`] and gets the blocks, with
//! their justifications, in a [`WireMessage::BlockResponse`]. Bodies are opaque here (the
//! SCALE-encoded extrinsics of the runtime): consensus does not know the runtime's types.
//!
//! Warp sync uses two more request/response pairs: [`WireMessage::WarpProofRequest`] for the
//! voter-set changes since a set and a justified finalized block, and
//! [`WireMessage::StateRequest`] for state entries (trie nodes, long values) by hash.

use ghost_primitives::{BlockNumber, Hash, Header};
use parity_scale_codec::{Decode, DecodeLimit, Encode};

use crate::grandpa::{CompactCommit, SignedMessage};

/// The largest message a node accepts (a full block with its justification fits).
pub const MAX_MESSAGE_SIZE: usize = 8 * 1024 * 1024;
/// The most blocks one response carries.
pub const MAX_BLOCKS_PER_RESPONSE: u32 = 128;
/// The most transactions one gossip message carries.
pub const MAX_TRANSACTIONS_PER_MESSAGE: usize = 256;
/// The most voter-set changes one warp proof response carries (more are asked for again).
pub const MAX_WARP_CHANGES_PER_RESPONSE: usize = 64;
/// The most state entries one request asks for (and one response carries).
pub const MAX_STATE_ENTRIES_PER_REQUEST: usize = 1_024;
/// The bytes of state entries a node puts in one response (at least one entry goes).
pub const MAX_STATE_RESPONSE_BYTES: usize = 4 * 1024 * 1024;
/// Nesting depth allowed when decoding (SCALE `decode_with_depth_limit`).
const MAX_DECODE_DEPTH: u32 = 32;

/// A block as it travels between nodes.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct BlockData {
    /// The header.
    pub header: Header,
    /// The SCALE-encoded extrinsics.
    pub body: Vec<u8>,
    /// Its GRANDPA justification, if it has one.
    pub justification: Option<Vec<u8>>,
}

/// A finalized header with the GRANDPA justification that proves it final: in a warp proof,
/// a block that enacts a voter-set change, or the proof's target.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct JustifiedHeader {
    /// The header.
    pub header: Header,
    /// Its SCALE `GrandpaJustification`.
    pub justification: Vec<u8>,
}

/// Everything one node says to another.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub enum WireMessage {
    /// Sent on connect, and on request: which chain, how far.
    Status {
        /// The chain.
        genesis_hash: Hash,
        /// The runtime's `spec_version`.
        spec_version: u32,
        /// The best block.
        best: (Hash, BlockNumber),
        /// The last finalized block.
        finalized: (Hash, BlockNumber),
    },
    /// A new best block (gossip on [`crate::network::Topic::Blocks`]).
    BlockAnnounce(Header),
    /// Asks for block `from` and up to `max - 1` of its ancestors, newest first.
    BlockRequest {
        /// Matches the response to the request.
        id: u64,
        /// The newest block wanted.
        from: Hash,
        /// How many blocks at most (capped at [`MAX_BLOCKS_PER_RESPONSE`]).
        max: u32,
    },
    /// Blocks for request `id`, newest first (empty if the peer has none of them).
    BlockResponse {
        /// The request.
        id: u64,
        /// The blocks.
        blocks: Vec<BlockData>,
    },
    /// Asks for the canonical blocks from `from` (a height) upwards, oldest first.
    BlockRangeRequest {
        /// Matches the response to the request.
        id: u64,
        /// The first height wanted.
        from: BlockNumber,
        /// How many blocks at most (capped at [`MAX_BLOCKS_PER_RESPONSE`]).
        max: u32,
    },
    /// SCALE-encoded extrinsics (gossip on [`crate::network::Topic::Transactions`]).
    Transactions(Vec<Vec<u8>>),
    /// A GRANDPA prevote, precommit or primary proposal.
    Vote {
        /// The round.
        round: u64,
        /// The voter set.
        set_id: u64,
        /// The signed message.
        message: SignedMessage,
    },
    /// A GRANDPA commit: precommits that finalize a block.
    Commit {
        /// The round.
        round: u64,
        /// The voter set.
        set_id: u64,
        /// The commit.
        commit: CompactCommit,
    },
    /// Asks a peer ahead in the rounds for the votes of its last completed round.
    CatchUpRequest {
        /// The round the asker is in.
        round: u64,
        /// The voter set.
        set_id: u64,
    },
    /// The votes that complete a round (answer to [`WireMessage::CatchUpRequest`]).
    CatchUp {
        /// The voter set.
        set_id: u64,
        /// The round and its votes.
        catch_up: crate::grandpa::CatchUp,
    },
    /// Warp sync: asks for the voter-set changes after set `from_set_id` and a justified
    /// finalized block.
    WarpProofRequest {
        /// Matches the response to the request.
        id: u64,
        /// The last voter set the asker knows (0: the genesis set).
        from_set_id: u64,
    },
    /// The answer to [`WireMessage::WarpProofRequest`].
    WarpProofResponse {
        /// The request.
        id: u64,
        /// The blocks enacting sets `from_set_id + 1, …`, in order, each justified by the set
        /// before (at most [`MAX_WARP_CHANGES_PER_RESPONSE`]).
        changes: Vec<JustifiedHeader>,
        /// The newest justified finalized block, justified by the set of the last change;
        /// `None` when more changes follow (ask again from the last one's set).
        target: Option<JustifiedHeader>,
    },
    /// Warp sync: asks for state entries (trie nodes and long values) by their blake3 hash.
    StateRequest {
        /// Matches the response to the request.
        id: u64,
        /// The hashes (at most [`MAX_STATE_ENTRIES_PER_REQUEST`]).
        hashes: Vec<Hash>,
    },
    /// The answer to [`WireMessage::StateRequest`]: the entries of a prefix of the hashes, in
    /// order (it stops at the first entry the peer lacks or at [`MAX_STATE_RESPONSE_BYTES`]).
    StateResponse {
        /// The request.
        id: u64,
        /// The entries' bytes.
        entries: Vec<Vec<u8>>,
    },
}

/// Why bytes from a peer were refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProtocolError {
    /// Larger than [`MAX_MESSAGE_SIZE`].
    #[error("message of {0} bytes exceeds the limit of {MAX_MESSAGE_SIZE}")]
    TooLarge(usize),
    /// Not a SCALE [`WireMessage`].
    #[error("message does not decode")]
    Undecodable,
    /// Over a per-message count limit.
    #[error("message carries {count} {what}, over the limit of {limit}")]
    TooMany {
        /// What was counted.
        what: &'static str,
        /// How many.
        count: usize,
        /// The limit.
        limit: usize,
    },
}

impl WireMessage {
    /// SCALE bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.encode()
    }

    /// Decodes and bounds-checks a message from a peer.
    pub fn from_bytes(bytes: &[u8]) -> Result<WireMessage, ProtocolError> {
        if bytes.len() > MAX_MESSAGE_SIZE {
            return Err(ProtocolError::TooLarge(bytes.len()));
        }
        let message = WireMessage::decode_all_with_depth_limit(MAX_DECODE_DEPTH, &mut &bytes[..])
            .map_err(|_| ProtocolError::Undecodable)?;
        let (what, count, limit) = match &message {
            WireMessage::BlockResponse { blocks, .. } => {
                ("blocks", blocks.len(), MAX_BLOCKS_PER_RESPONSE as usize)
            }
            WireMessage::Transactions(txs) => {
                ("transactions", txs.len(), MAX_TRANSACTIONS_PER_MESSAGE)
            }
            WireMessage::WarpProofResponse { changes, .. } => {
                ("set changes", changes.len(), MAX_WARP_CHANGES_PER_RESPONSE)
            }
            WireMessage::StateRequest { hashes, .. } => {
                ("state hashes", hashes.len(), MAX_STATE_ENTRIES_PER_REQUEST)
            }
            WireMessage::StateResponse { entries, .. } => (
                "state entries",
                entries.len(),
                MAX_STATE_ENTRIES_PER_REQUEST,
            ),
            _ => return Ok(message),
        };
        if count > limit {
            return Err(ProtocolError::TooMany { what, count, limit });
        }
        Ok(message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn header(number: BlockNumber) -> Header {
        Header {
            parent_hash: Hash::default(),
            number,
            state_root: Hash::default(),
            extrinsics_root: Hash::default(),
            timestamp_ms: 7,
            digest: Default::default(),
        }
    }

    #[test]
    fn messages_round_trip() {
        let messages = vec![
            WireMessage::BlockAnnounce(header(3)),
            WireMessage::BlockRequest {
                id: 1,
                from: Hash::default(),
                max: 5,
            },
            WireMessage::BlockResponse {
                id: 1,
                blocks: vec![BlockData {
                    header: header(2),
                    body: vec![0],
                    justification: Some(vec![1, 2]),
                }],
            },
            WireMessage::Transactions(vec![vec![1, 2, 3]]),
            WireMessage::CatchUpRequest {
                round: 4,
                set_id: 0,
            },
            WireMessage::WarpProofRequest {
                id: 2,
                from_set_id: 1,
            },
            WireMessage::WarpProofResponse {
                id: 2,
                changes: vec![JustifiedHeader {
                    header: header(4),
                    justification: vec![3],
                }],
                target: Some(JustifiedHeader {
                    header: header(9),
                    justification: vec![4],
                }),
            },
            WireMessage::StateRequest {
                id: 3,
                hashes: vec![Hash::default()],
            },
            WireMessage::StateResponse {
                id: 3,
                entries: vec![vec![0, 1]],
            },
        ];
        for message in messages {
            assert_eq!(WireMessage::from_bytes(&message.to_bytes()), Ok(message));
        }
    }

    #[test]
    fn oversized_and_overfull_messages_are_refused() {
        let big = vec![0u8; MAX_MESSAGE_SIZE + 1];
        assert_eq!(
            WireMessage::from_bytes(&big),
            Err(ProtocolError::TooLarge(MAX_MESSAGE_SIZE + 1))
        );
        let txs = WireMessage::Transactions(vec![vec![]; MAX_TRANSACTIONS_PER_MESSAGE + 1]);
        assert!(matches!(
            WireMessage::from_bytes(&txs.to_bytes()),
            Err(ProtocolError::TooMany {
                what: "transactions",
                ..
            })
        ));
        let hashes = WireMessage::StateRequest {
            id: 0,
            hashes: vec![Hash::default(); MAX_STATE_ENTRIES_PER_REQUEST + 1],
        };
        assert!(matches!(
            WireMessage::from_bytes(&hashes.to_bytes()),
            Err(ProtocolError::TooMany {
                what: "state hashes",
                ..
            })
        ));
        let entries = WireMessage::StateResponse {
            id: 0,
            entries: vec![vec![]; MAX_STATE_ENTRIES_PER_REQUEST + 1],
        };
        assert!(matches!(
            WireMessage::from_bytes(&entries.to_bytes()),
            Err(ProtocolError::TooMany {
                what: "state entries",
                ..
            })
        ));
        let changes = WireMessage::WarpProofResponse {
            id: 0,
            changes: vec![
                JustifiedHeader {
                    header: header(1),
                    justification: vec![],
                };
                MAX_WARP_CHANGES_PER_RESPONSE + 1
            ],
            target: None,
        };
        assert!(matches!(
            WireMessage::from_bytes(&changes.to_bytes()),
            Err(ProtocolError::TooMany {
                what: "set changes",
                ..
            })
        ));
        // Trailing bytes after a valid message are refused too.
        let mut bytes = WireMessage::Transactions(vec![]).to_bytes();
        bytes.push(0);
        assert_eq!(
            WireMessage::from_bytes(&bytes),
            Err(ProtocolError::Undecodable)
        );
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = WireMessage::from_bytes(&bytes);
        }
    }
}
