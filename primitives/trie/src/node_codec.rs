//! The [`trie_db::NodeCodec`] of the state trie: encodes and strictly decodes nodes in the format
//! described in the crate doc.

use std::{borrow::Borrow, ops::Range};

use parity_scale_codec::{Compact, Decode};
use trie_db::{
    ChildReference, nibble_ops,
    node::{NibbleSlicePlan, NodeHandlePlan, NodePlan, Value, ValuePlan},
};

use crate::{
    EMPTY_NODE, EMPTY_ROOT, MAX_INLINE_VALUE_LEN, TrieHash,
    node_header::{NodeHeader, ValueKind},
};

/// Length of a hash reference (child node or long value).
const HASH_LEN: usize = 32;
/// Length of the children bitmap of a branch.
const BITMAP_LEN: usize = 2;

/// Why bytes are not a valid trie node.
#[derive(thiserror::Error, Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum NodeCodecError {
    /// The node ended before a field was complete.
    #[error("node data ends early")]
    UnexpectedEnd,
    /// The header byte names no node kind.
    #[error("invalid node header byte {0:#04x}")]
    InvalidHeader(u8),
    /// The partial key length does not decode or does not fit in memory.
    #[error("invalid partial key length")]
    InvalidNibbleCount,
    /// The padding nibble of an odd-length partial key is not zero.
    #[error("non-zero padding nibble in partial key")]
    NonZeroPadding,
    /// A branch has no child.
    #[error("branch without children")]
    EmptyBitmap,
    /// An inline value is longer than values stored inside nodes may be.
    #[error("inline value of {0} bytes exceeds {MAX_INLINE_VALUE_LEN}")]
    InlineValueTooLong(u8),
    /// A child reference is empty or longer than a hash.
    #[error("invalid child reference length {0}")]
    InvalidChildLength(u8),
    /// A hash reference does not have 32 bytes.
    #[error("invalid hash length {0}")]
    InvalidHashLength(usize),
    /// Bytes remain after the node.
    #[error("{0} trailing bytes after node")]
    TrailingBytes(usize),
}

/// A forward reader over node bytes that hands out ranges, for building a [`NodePlan`].
pub(crate) struct Cursor<'a> {
    data: &'a [u8],
    offset: usize,
}

impl<'a> Cursor<'a> {
    /// Starts reading at the beginning of `data`.
    pub(crate) fn new(data: &'a [u8]) -> Self {
        Self { data, offset: 0 }
    }

    /// Whether every byte has been read.
    pub(crate) fn is_empty(&self) -> bool {
        self.offset >= self.data.len()
    }

    /// Consumes `count` bytes and returns their range.
    pub(crate) fn take(&mut self, count: usize) -> Result<Range<usize>, NodeCodecError> {
        let end = self
            .offset
            .checked_add(count)
            .ok_or(NodeCodecError::UnexpectedEnd)?;
        if end > self.data.len() {
            return Err(NodeCodecError::UnexpectedEnd);
        }
        let range = self.offset..end;
        self.offset = end;
        Ok(range)
    }

    /// Consumes one byte.
    pub(crate) fn byte(&mut self) -> Result<u8, NodeCodecError> {
        let byte = *self
            .data
            .get(self.offset)
            .ok_or(NodeCodecError::UnexpectedEnd)?;
        self.offset += 1;
        Ok(byte)
    }

    /// Consumes a SCALE `Compact<u64>` (canonical encodings only).
    pub(crate) fn compact_u64(&mut self) -> Result<u64, NodeCodecError> {
        let mut rest = self
            .data
            .get(self.offset..)
            .ok_or(NodeCodecError::UnexpectedEnd)?;
        let before = rest.len();
        let Compact(value) =
            Compact::<u64>::decode(&mut rest).map_err(|_| NodeCodecError::InvalidNibbleCount)?;
        self.offset += before - rest.len();
        Ok(value)
    }

    /// Consumes a partial key of `nibble_count` nibbles, checking its padding.
    fn partial(&mut self, nibble_count: usize) -> Result<NibbleSlicePlan, NodeCodecError> {
        let range = self.take(nibble_count.div_ceil(nibble_ops::NIBBLE_PER_BYTE))?;
        let padding = nibble_count % nibble_ops::NIBBLE_PER_BYTE;
        if padding != 0 && self.data[range.start] & 0xf0 != 0 {
            return Err(NodeCodecError::NonZeroPadding);
        }
        Ok(NibbleSlicePlan::new(range, padding))
    }

    /// Consumes a value of the given kind.
    fn value(&mut self, kind: ValueKind) -> Result<ValuePlan, NodeCodecError> {
        match kind {
            ValueKind::Hashed => Ok(ValuePlan::Node(self.take(HASH_LEN)?)),
            ValueKind::Inline => {
                let len = self.byte()?;
                if usize::from(len) > MAX_INLINE_VALUE_LEN {
                    return Err(NodeCodecError::InlineValueTooLong(len));
                }
                Ok(ValuePlan::Inline(self.take(usize::from(len))?))
            }
        }
    }

    /// Consumes a child reference.
    fn child(&mut self) -> Result<NodeHandlePlan, NodeCodecError> {
        let len = self.byte()?;
        match usize::from(len) {
            HASH_LEN => Ok(NodeHandlePlan::Hash(self.take(HASH_LEN)?)),
            inline @ 1..HASH_LEN => Ok(NodeHandlePlan::Inline(self.take(inline)?)),
            _ => Err(NodeCodecError::InvalidChildLength(len)),
        }
    }
}

/// The node codec of [`Layout`](crate::Layout); see the crate doc for the format.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NodeCodec;

impl NodeCodec {
    /// Starts a node: header, then the partial key bytes.
    fn start_node(header: NodeHeader, partial: impl Iterator<Item = u8>) -> Vec<u8> {
        let mut out = Vec::with_capacity(64);
        header.encode_to(&mut out);
        out.extend(partial);
        out
    }

    /// Appends a value: a length byte and the bytes, or the 32-byte hash.
    fn push_value(out: &mut Vec<u8>, value: Value<'_>) {
        match value {
            Value::Inline(bytes) => {
                // `trie-db` inlines only values shorter than `Layout::MAX_INLINE_VALUE`.
                debug_assert!(bytes.len() <= MAX_INLINE_VALUE_LEN);
                out.push(bytes.len() as u8);
                out.extend_from_slice(bytes);
            }
            Value::Node(hash) => {
                debug_assert_eq!(hash.len(), HASH_LEN);
                out.extend_from_slice(hash);
            }
        }
    }
}

/// How a header stores `value`.
fn value_kind(value: &Value<'_>) -> ValueKind {
    match value {
        Value::Inline(_) => ValueKind::Inline,
        Value::Node(_) => ValueKind::Hashed,
    }
}

impl trie_db::NodeCodec for NodeCodec {
    type Error = NodeCodecError;
    type HashOut = TrieHash;

    fn hashed_null_node() -> TrieHash {
        EMPTY_ROOT
    }

    fn decode_plan(data: &[u8]) -> Result<NodePlan, NodeCodecError> {
        let mut cursor = Cursor::new(data);
        let plan = match NodeHeader::decode(&mut cursor)? {
            NodeHeader::Empty => NodePlan::Empty,
            NodeHeader::Leaf {
                value,
                nibble_count,
            } => {
                let partial = cursor.partial(nibble_count)?;
                let value = cursor.value(value)?;
                NodePlan::Leaf { partial, value }
            }
            NodeHeader::Branch {
                value,
                nibble_count,
            } => {
                let partial = cursor.partial(nibble_count)?;
                let bitmap_range = cursor.take(BITMAP_LEN)?;
                let bitmap =
                    u16::from_le_bytes([data[bitmap_range.start], data[bitmap_range.start + 1]]);
                if bitmap == 0 {
                    return Err(NodeCodecError::EmptyBitmap);
                }
                let value = value.map(|kind| cursor.value(kind)).transpose()?;
                let mut children: [Option<NodeHandlePlan>; nibble_ops::NIBBLE_LENGTH] =
                    Default::default();
                for (index, child) in children.iter_mut().enumerate() {
                    if bitmap & (1 << index) != 0 {
                        *child = Some(cursor.child()?);
                    }
                }
                NodePlan::NibbledBranch {
                    partial,
                    value,
                    children,
                }
            }
        };
        if !cursor.is_empty() {
            return Err(NodeCodecError::TrailingBytes(data.len() - cursor.offset));
        }
        Ok(plan)
    }

    fn is_empty_node(data: &[u8]) -> bool {
        data == EMPTY_NODE
    }

    fn empty_node() -> &'static [u8] {
        EMPTY_NODE
    }

    fn leaf_node(partial: impl Iterator<Item = u8>, nibble_count: usize, value: Value) -> Vec<u8> {
        let header = NodeHeader::Leaf {
            value: value_kind(&value),
            nibble_count,
        };
        let mut out = Self::start_node(header, partial);
        Self::push_value(&mut out, value);
        out
    }

    fn extension_node(
        _partial: impl Iterator<Item = u8>,
        _nibble_count: usize,
        _child: ChildReference<TrieHash>,
    ) -> Vec<u8> {
        // `Layout::USE_EXTENSION` is false, so `trie-db` never asks for an extension node.
        unreachable!("the GhostChain layout has no extension nodes")
    }

    fn branch_node(
        _children: impl Iterator<Item = impl Borrow<Option<ChildReference<TrieHash>>>>,
        _value: Option<Value>,
    ) -> Vec<u8> {
        // `Layout::USE_EXTENSION` is false, so `trie-db` always asks for `branch_node_nibbled`.
        unreachable!("the GhostChain layout has no extension nodes")
    }

    fn branch_node_nibbled(
        partial: impl Iterator<Item = u8>,
        nibble_count: usize,
        children: impl Iterator<Item = impl Borrow<Option<ChildReference<TrieHash>>>>,
        value: Option<Value>,
    ) -> Vec<u8> {
        let header = NodeHeader::Branch {
            value: value.as_ref().map(value_kind),
            nibble_count,
        };
        let mut out = Self::start_node(header, partial);
        let bitmap_at = out.len();
        out.extend_from_slice(&[0; BITMAP_LEN]);
        if let Some(value) = value {
            Self::push_value(&mut out, value);
        }
        let mut bitmap = 0u16;
        for (index, child) in children.enumerate().take(nibble_ops::NIBBLE_LENGTH) {
            match child.borrow() {
                Some(ChildReference::Hash(hash)) => {
                    out.push(HASH_LEN as u8);
                    out.extend_from_slice(hash);
                }
                Some(ChildReference::Inline(bytes, len)) => {
                    // `trie-db` inlines only nodes shorter than a hash.
                    debug_assert!((1..HASH_LEN).contains(len));
                    out.push(*len as u8);
                    out.extend_from_slice(&bytes[..*len]);
                }
                None => continue,
            }
            bitmap |= 1 << index;
        }
        out[bitmap_at..bitmap_at + BITMAP_LEN].copy_from_slice(&bitmap.to_le_bytes());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Blake3Hasher, Layout};
    use hash_db::Hasher;
    use proptest::prelude::*;
    use trie_db::{NibbleSlice, NodeCodec as _, node::Node};

    /// Encodes a leaf for `key` (whole bytes, `skip` leading nibbles dropped).
    fn leaf(key: &[u8], skip: usize, value: Value<'_>) -> Vec<u8> {
        let partial = NibbleSlice::new_offset(key, skip);
        NodeCodec::leaf_node(partial.right_iter(), partial.len(), value)
    }

    /// Decoding `encoded` and encoding the result again gives the same bytes.
    fn assert_canonical(encoded: &[u8]) {
        let node = NodeCodec::decode(encoded).expect("decodes");
        let owned = node.to_owned_node::<Layout>().expect("owned");
        assert_eq!(owned.to_encoded::<NodeCodec>(), encoded);
    }

    #[test]
    fn empty_root_is_hash_of_empty_node() {
        assert_eq!(EMPTY_ROOT, Blake3Hasher::hash(EMPTY_NODE));
        assert_eq!(NodeCodec::decode(EMPTY_NODE), Ok(Node::Empty));
    }

    #[test]
    fn leaf_layout_is_as_documented() {
        // Odd partial key (3 nibbles of 0xabcd after skipping one): header, padded partial, value.
        let encoded = leaf(&[0xab, 0xcd], 1, Value::Inline(b"hi"));
        assert_eq!(encoded, vec![0b0100_0011, 0x0b, 0xcd, 2, b'h', b'i']);
        assert_canonical(&encoded);
        let hash = [7u8; 32];
        let encoded = leaf(&[0xab], 0, Value::Node(&hash));
        assert_eq!(&encoded[..2], &[0b0110_0010, 0xab]);
        assert_eq!(&encoded[2..], &hash);
        assert_canonical(&encoded);
    }

    #[test]
    fn branch_layout_is_as_documented() {
        let child_hash = [9u8; 32];
        let mut inline = [0u8; 32];
        inline[..3].copy_from_slice(&[0b0100_0000, 1, 5]);
        let mut children: Vec<Option<ChildReference<TrieHash>>> = vec![None; 16];
        children[1] = Some(ChildReference::Hash(child_hash));
        children[15] = Some(ChildReference::Inline(inline, 3));
        let encoded = NodeCodec::branch_node_nibbled(
            std::iter::empty(),
            0,
            children.iter(),
            Some(Value::Inline(b"v")),
        );
        let mut expected = vec![0b1100_0000, 0b0000_0010, 0b1000_0000, 1, b'v', 32];
        expected.extend_from_slice(&child_hash);
        expected.extend_from_slice(&[3, 0b0100_0000, 1, 5]);
        assert_eq!(encoded, expected);
        assert_canonical(&encoded);
    }

    #[test]
    fn rejects_malformed_nodes() {
        let valid = leaf(&[0xab, 0xcd], 1, Value::Inline(b"hi"));
        assert_eq!(
            NodeCodec::decode_plan(&valid[..valid.len() - 1]),
            Err(NodeCodecError::UnexpectedEnd)
        );
        let mut trailing = valid.clone();
        trailing.push(0);
        assert_eq!(
            NodeCodec::decode_plan(&trailing),
            Err(NodeCodecError::TrailingBytes(1))
        );
        let mut padded = valid.clone();
        padded[1] |= 0x10;
        assert_eq!(
            NodeCodec::decode_plan(&padded),
            Err(NodeCodecError::NonZeroPadding)
        );
        // A 33-byte inline value.
        let mut long = vec![0b0100_0000, 33];
        long.extend_from_slice(&[0; 33]);
        assert_eq!(
            NodeCodec::decode_plan(&long),
            Err(NodeCodecError::InlineValueTooLong(33))
        );
        // A branch without children, and one whose only child reference is too long.
        assert_eq!(
            NodeCodec::decode_plan(&[0b1000_0000, 0, 0]),
            Err(NodeCodecError::EmptyBitmap)
        );
        let mut bad_child = vec![0b1000_0000, 1, 0, 33];
        bad_child.extend_from_slice(&[0; 33]);
        assert_eq!(
            NodeCodec::decode_plan(&bad_child),
            Err(NodeCodecError::InvalidChildLength(33))
        );
        assert_eq!(
            NodeCodec::decode_plan(&[0b1000_0000, 1, 0, 0]),
            Err(NodeCodecError::InvalidChildLength(0))
        );
        assert_eq!(
            NodeCodec::decode_plan(&[]),
            Err(NodeCodecError::UnexpectedEnd)
        );
    }

    proptest! {
        #[test]
        fn leaf_round_trips(
            key in prop::collection::vec(any::<u8>(), 0..40),
            skip_seed in any::<usize>(),
            value in prop::collection::vec(any::<u8>(), 0..=MAX_INLINE_VALUE_LEN),
            hashed in any::<bool>(),
        ) {
            let skip = skip_seed % (key.len() * 2 + 1);
            let hash = Blake3Hasher::hash(&value);
            let value = if hashed { Value::Node(&hash) } else { Value::Inline(&value) };
            let encoded = leaf(&key, skip, value.clone());
            let Node::Leaf(partial, decoded) = NodeCodec::decode(&encoded).expect("decodes") else {
                panic!("not a leaf");
            };
            prop_assert_eq!(partial, NibbleSlice::new_offset(&key, skip));
            prop_assert_eq!(decoded, value);
            assert_canonical(&encoded);
        }

        #[test]
        fn random_bytes_never_panic(data in prop::collection::vec(any::<u8>(), 0..200)) {
            if let Ok(plan) = NodeCodec::decode_plan(&data) {
                // Every range in the plan lies inside the data and the encoding is canonical.
                let _node = plan.build(&data);
                if let Ok(owned) = NodeCodec::decode(&data).expect("plan decoded").to_owned_node::<Layout>() {
                    prop_assert_eq!(owned.to_encoded::<NodeCodec>(), data);
                }
            }
        }

        #[test]
        fn random_branches_never_panic(
            header in prop::sample::select(vec![0b1000_0000u8, 0b1100_0000, 0b1110_0000, 0b1000_0011]),
            tail in prop::collection::vec(any::<u8>(), 0..200),
        ) {
            // Random bytes rarely form a branch; seed the header so the body parser is exercised.
            let mut data = vec![header];
            data.extend_from_slice(&tail);
            if let Ok(plan) = NodeCodec::decode_plan(&data) {
                let _node = plan.build(&data);
            }
        }
    }
}
