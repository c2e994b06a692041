//! The node header: node kind, value kind and partial key length (see the crate doc).

use parity_scale_codec::{Compact, Encode};

use crate::node_codec::{Cursor, NodeCodecError};

/// Top two bits of the first header byte.
const KIND_MASK: u8 = 0b1100_0000;
/// Kind bits of a leaf.
const KIND_LEAF: u8 = 0b0100_0000;
/// Kind bits of a branch without value.
const KIND_BRANCH: u8 = 0b1000_0000;
/// Kind bits of a branch with a value.
const KIND_BRANCH_WITH_VALUE: u8 = 0b1100_0000;
/// Set when the node holds the hash of its value instead of the value.
const HASHED_VALUE_FLAG: u8 = 0b0010_0000;
/// Low five bits: the partial key length, or [`NIBBLE_ESCAPE`].
const NIBBLE_MASK: u8 = 0b0001_1111;
/// Nibble count field meaning "31 plus a `Compact<u64>` that follows".
const NIBBLE_ESCAPE: u8 = NIBBLE_MASK;
/// The single byte of the empty node.
pub(crate) const EMPTY_HEADER: u8 = 0x00;

/// How a node stores its value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ValueKind {
    /// The value bytes, after a length byte.
    Inline,
    /// The 32-byte blake3 hash of the value.
    Hashed,
}

/// A decoded node header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NodeHeader {
    /// The empty node.
    Empty,
    /// A leaf with a partial key of `nibble_count` nibbles.
    Leaf {
        value: ValueKind,
        nibble_count: usize,
    },
    /// A branch with a partial key of `nibble_count` nibbles and maybe a value.
    Branch {
        value: Option<ValueKind>,
        nibble_count: usize,
    },
}

impl NodeHeader {
    /// Appends the header to `out`.
    pub(crate) fn encode_to(self, out: &mut Vec<u8>) {
        let (kind, value, nibble_count) = match self {
            Self::Empty => {
                out.push(EMPTY_HEADER);
                return;
            }
            Self::Leaf {
                value,
                nibble_count,
            } => (KIND_LEAF, Some(value), nibble_count),
            Self::Branch {
                value: None,
                nibble_count,
            } => (KIND_BRANCH, None, nibble_count),
            Self::Branch {
                value: Some(value),
                nibble_count,
            } => (KIND_BRANCH_WITH_VALUE, Some(value), nibble_count),
        };
        let hashed = if value == Some(ValueKind::Hashed) {
            HASHED_VALUE_FLAG
        } else {
            0
        };
        let escape = usize::from(NIBBLE_ESCAPE);
        if nibble_count < escape {
            // Lossless: `nibble_count < 31`.
            out.push(kind | hashed | nibble_count as u8);
        } else {
            out.push(kind | hashed | NIBBLE_ESCAPE);
            // Lossless: `usize` is at most 64 bits on every supported target.
            Compact((nibble_count - escape) as u64).encode_to(out);
        }
    }

    /// Reads a header from `cursor`.
    pub(crate) fn decode(cursor: &mut Cursor<'_>) -> Result<Self, NodeCodecError> {
        let first = cursor.byte()?;
        if first == EMPTY_HEADER {
            return Ok(Self::Empty);
        }
        let hashed = first & HASHED_VALUE_FLAG != 0;
        let value_kind = if hashed {
            ValueKind::Hashed
        } else {
            ValueKind::Inline
        };
        let kind = first & KIND_MASK;
        // Check the kind before reading the nibble count, so a bad header is named as such.
        let known = match kind {
            KIND_LEAF | KIND_BRANCH_WITH_VALUE => true,
            KIND_BRANCH => !hashed,
            _ => false,
        };
        if !known {
            return Err(NodeCodecError::InvalidHeader(first));
        }
        let nibble_count = decode_nibble_count(first, cursor)?;
        Ok(match kind {
            KIND_LEAF => Self::Leaf {
                value: value_kind,
                nibble_count,
            },
            KIND_BRANCH => Self::Branch {
                value: None,
                nibble_count,
            },
            _ => Self::Branch {
                value: Some(value_kind),
                nibble_count,
            },
        })
    }
}

/// Reads the partial key length whose low bits are in `first`.
fn decode_nibble_count(first: u8, cursor: &mut Cursor<'_>) -> Result<usize, NodeCodecError> {
    let direct = first & NIBBLE_MASK;
    if direct < NIBBLE_ESCAPE {
        return Ok(usize::from(direct));
    }
    let extra =
        usize::try_from(cursor.compact_u64()?).map_err(|_| NodeCodecError::InvalidNibbleCount)?;
    extra
        .checked_add(usize::from(NIBBLE_ESCAPE))
        .ok_or(NodeCodecError::InvalidNibbleCount)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(header: NodeHeader) -> Vec<u8> {
        let mut out = Vec::new();
        header.encode_to(&mut out);
        let mut cursor = Cursor::new(&out);
        assert_eq!(NodeHeader::decode(&mut cursor), Ok(header));
        assert!(cursor.is_empty(), "header decoding left bytes behind");
        out
    }

    #[test]
    fn header_round_trips_at_escape_boundaries() {
        for nibble_count in [0, 1, 30, 31, 32, 94, 95, 1 << 14, 1 << 30] {
            for value in [None, Some(ValueKind::Inline), Some(ValueKind::Hashed)] {
                round_trip(NodeHeader::Branch {
                    value,
                    nibble_count,
                });
            }
            round_trip(NodeHeader::Leaf {
                value: ValueKind::Inline,
                nibble_count,
            });
            round_trip(NodeHeader::Leaf {
                value: ValueKind::Hashed,
                nibble_count,
            });
        }
        assert_eq!(round_trip(NodeHeader::Empty), vec![EMPTY_HEADER]);
    }

    #[test]
    fn short_partials_fit_in_one_byte() {
        let encoded = round_trip(NodeHeader::Leaf {
            value: ValueKind::Inline,
            nibble_count: 30,
        });
        assert_eq!(encoded, vec![KIND_LEAF | 30]);
        let encoded = round_trip(NodeHeader::Leaf {
            value: ValueKind::Hashed,
            nibble_count: 31,
        });
        assert_eq!(
            encoded,
            vec![KIND_LEAF | HASHED_VALUE_FLAG | NIBBLE_ESCAPE, 0]
        );
    }

    #[test]
    fn rejects_reserved_headers() {
        // Kind 00 is only valid as the empty node, and a branch without value has no value kind.
        for first in [0x01, 0x20, 0x3f, KIND_BRANCH | HASHED_VALUE_FLAG] {
            let data = [first, 0, 0, 0];
            let mut cursor = Cursor::new(&data);
            assert_eq!(
                NodeHeader::decode(&mut cursor),
                Err(NodeCodecError::InvalidHeader(first))
            );
        }
    }
}
