//! The import queue: every block, own or a peer's, goes through [`ImportQueue::import`].
//!
//! The queue hands a block whose parent is known to the chain's [`BlockImport`] (verify →
//! execute → commit → notify, in that order, in the implementation). A block whose parent is
//! unknown is *held*, not dropped: the caller learns which parent is missing (to request it from
//! the peer that sent the block), and when that parent is imported its held children follow,
//! recursively, in height order. The hold is bounded ([`ImportQueue::new`]'s `max_held`): when
//! it is full the held block with the highest number goes first (it is the furthest from being
//! importable), so a flood of orphans can cost memory only up to the bound. Held blocks at or
//! below the finalized height can never be imported and are dropped by [`ImportQueue::prune`].
//! A block may come with its finality justification ([`ImportQueue::import_with`]): a held
//! block keeps it, and it is handed back when the block is imported, so a catch-up whose
//! ranges arrive out of order loses none.

use std::collections::BTreeMap;

use ghost_primitives::{Block, BlockNumber, Hash};

/// Where a block comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlockOrigin {
    /// Authored by this node.
    Own,
    /// Received from a peer (by gossip or a block request) or read from a file.
    Network,
}

/// What the chain does with a block whose parent it has.
pub trait BlockImport<Xt> {
    /// Why a block was refused.
    type Error: std::fmt::Display;

    /// Whether block `hash` is stored.
    fn has_block(&self, hash: &Hash) -> bool;

    /// Verifies, executes, commits and announces `block`.
    fn import_block(&self, block: Block<Xt>, origin: BlockOrigin) -> Result<(), Self::Error>;
}

/// What happened to one block handed to the queue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Imported {
    /// Imported (and with it `children` held blocks that were waiting for it, in order).
    Imported {
        /// Held descendants imported after it.
        children: Vec<Hash>,
        /// The justifications that came with those children, in the same order.
        justifications: Vec<(Hash, Vec<u8>)>,
    },
    /// Already stored: nothing done.
    AlreadyKnown,
    /// Its parent is unknown: held until `missing` arrives (request it).
    Held {
        /// The parent to fetch.
        missing: Hash,
    },
    /// Refused by the chain, with the reason.
    Refused(String),
}

/// A block waiting for its parent, with the justification it came with.
struct HeldBlock<Xt> {
    block: Block<Xt>,
    justification: Option<Vec<u8>>,
}

/// Blocks waiting for their parents, bounded in count.
pub struct ImportQueue<Xt> {
    /// Held blocks by the hash of their missing parent.
    held: BTreeMap<Hash, Vec<HeldBlock<Xt>>>,
    held_count: usize,
    max_held: usize,
}

impl<Xt: Clone> ImportQueue<Xt> {
    /// A queue holding at most `max_held` blocks with unknown parents.
    pub fn new(max_held: usize) -> Self {
        ImportQueue {
            held: BTreeMap::new(),
            held_count: 0,
            max_held,
        }
    }

    /// How many blocks are held.
    pub fn held(&self) -> usize {
        self.held_count
    }

    /// Imports `block` through `chain`, or holds it until its parent is there.
    pub fn import<I: BlockImport<Xt>>(
        &mut self,
        chain: &I,
        block: Block<Xt>,
        origin: BlockOrigin,
    ) -> Imported {
        self.import_with(chain, block, origin, None)
    }

    /// As [`import`](Self::import), for a block that came with `justification`: if the block
    /// is held, the justification is held with it and returned when it is imported (the caller
    /// imports the justification of a block imported at once itself).
    pub fn import_with<I: BlockImport<Xt>>(
        &mut self,
        chain: &I,
        block: Block<Xt>,
        origin: BlockOrigin,
        justification: Option<Vec<u8>>,
    ) -> Imported {
        let hash = block.header.hash();
        if chain.has_block(&hash) {
            return Imported::AlreadyKnown;
        }
        let parent = block.header.parent_hash;
        if !chain.has_block(&parent) {
            self.hold(HeldBlock {
                block,
                justification,
            });
            return Imported::Held { missing: parent };
        }
        if let Err(e) = chain.import_block(block, origin) {
            // Its held descendants can never be imported either.
            self.drop_descendants(hash);
            return Imported::Refused(e.to_string());
        }
        let (children, justifications) = self.import_children(chain, hash);
        Imported::Imported {
            children,
            justifications,
        }
    }

    /// Drops held blocks at or below `finalized`: they can never join the chain.
    pub fn prune(&mut self, finalized: BlockNumber) {
        let mut count = 0;
        self.held.retain(|_, blocks| {
            blocks.retain(|b| b.block.header.number > finalized);
            count += blocks.len();
            !blocks.is_empty()
        });
        self.held_count = count;
    }

    fn hold(&mut self, held: HeldBlock<Xt>) {
        let hash = held.block.header.hash();
        let parent = held.block.header.parent_hash;
        if self
            .held
            .get(&parent)
            .is_some_and(|siblings| siblings.iter().any(|b| b.block.header.hash() == hash))
        {
            return;
        }
        if self.max_held == 0 {
            return;
        }
        if self.held_count >= self.max_held && !self.evict_highest_above(held.block.header.number) {
            // Everything held is lower (closer to importable) than this block: refuse it.
            return;
        }
        self.held.entry(parent).or_default().push(held);
        self.held_count += 1;
    }

    /// Evicts the held block with the highest number if it is above `number`.
    fn evict_highest_above(&mut self, number: BlockNumber) -> bool {
        let Some((parent, index, highest)) = self
            .held
            .iter()
            .flat_map(|(parent, blocks)| {
                blocks
                    .iter()
                    .enumerate()
                    .map(move |(i, b)| (*parent, i, b.block.header.number))
            })
            .max_by_key(|(_, _, n)| *n)
        else {
            return false;
        };
        if highest <= number {
            return false;
        }
        if let Some(blocks) = self.held.get_mut(&parent) {
            blocks.remove(index);
            if blocks.is_empty() {
                self.held.remove(&parent);
            }
        }
        self.held_count -= 1;
        true
    }

    /// Imports the held descendants of `root`: their hashes, and the justifications they
    /// came with, in import order.
    fn import_children<I: BlockImport<Xt>>(
        &mut self,
        chain: &I,
        root: Hash,
    ) -> (Vec<Hash>, Vec<(Hash, Vec<u8>)>) {
        let mut imported = Vec::new();
        let mut justifications = Vec::new();
        let mut ready = vec![root];
        while let Some(parent) = ready.pop() {
            let Some(children) = self.held.remove(&parent) else {
                continue;
            };
            self.held_count -= children.len();
            for child in children {
                let hash = child.block.header.hash();
                if chain.has_block(&hash) {
                    continue;
                }
                match chain.import_block(child.block, BlockOrigin::Network) {
                    Ok(()) => {
                        imported.push(hash);
                        ready.push(hash);
                        if let Some(justification) = child.justification {
                            justifications.push((hash, justification));
                        }
                    }
                    Err(_) => self.drop_descendants(hash),
                }
            }
        }
        (imported, justifications)
    }

    fn drop_descendants(&mut self, root: Hash) {
        let mut stack = vec![root];
        while let Some(parent) = stack.pop() {
            if let Some(children) = self.held.remove(&parent) {
                self.held_count -= children.len();
                stack.extend(children.iter().map(|c| c.block.header.hash()));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::collections::BTreeSet;

    use ghost_primitives::{Digest, Header};

    use super::*;

    /// A chain that stores whatever it is given, refusing blocks whose state root is 0xff….
    struct FakeChain {
        stored: RefCell<BTreeSet<Hash>>,
        order: RefCell<Vec<Hash>>,
    }

    impl FakeChain {
        fn new(genesis: &Header) -> Self {
            FakeChain {
                stored: RefCell::new([genesis.hash()].into()),
                order: RefCell::new(Vec::new()),
            }
        }
    }

    impl BlockImport<u8> for FakeChain {
        type Error = String;
        fn has_block(&self, hash: &Hash) -> bool {
            self.stored.borrow().contains(hash)
        }
        fn import_block(&self, block: Block<u8>, _: BlockOrigin) -> Result<(), String> {
            assert!(self.has_block(&block.header.parent_hash), "parent first");
            if block.header.state_root == Hash([0xff; 32]) {
                return Err("bad state root".into());
            }
            let hash = block.header.hash();
            self.stored.borrow_mut().insert(hash);
            self.order.borrow_mut().push(hash);
            Ok(())
        }
    }

    fn header(parent: &Header, salt: u8) -> Header {
        Header {
            parent_hash: parent.hash(),
            number: parent.number + 1,
            state_root: Hash([salt; 32]),
            extrinsics_root: Hash::ZERO,
            timestamp_ms: u64::from(salt),
            digest: Digest::default(),
        }
    }

    fn block(header: &Header) -> Block<u8> {
        Block {
            header: header.clone(),
            extrinsics: vec![],
        }
    }

    fn chain_of(genesis: &Header, len: u8, salt: u8) -> Vec<Header> {
        let mut out: Vec<Header> = Vec::new();
        for i in 0..len {
            let parent = out.last().unwrap_or(genesis).clone();
            out.push(header(&parent, salt + i));
        }
        out
    }

    fn genesis() -> Header {
        Header {
            parent_hash: Hash::ZERO,
            number: 0,
            state_root: Hash::ZERO,
            extrinsics_root: Hash::ZERO,
            timestamp_ms: 0,
            digest: Digest::default(),
        }
    }

    #[test]
    fn out_of_order_blocks_are_held_then_imported_in_order() {
        let g = genesis();
        let chain = FakeChain::new(&g);
        let mut queue = ImportQueue::new(16);
        let blocks = chain_of(&g, 4, 1);
        for h in blocks.iter().rev().take(3) {
            assert_eq!(
                queue.import(&chain, block(h), BlockOrigin::Network),
                Imported::Held {
                    missing: h.parent_hash
                }
            );
        }
        assert_eq!(queue.held(), 3);
        let outcome = queue.import(&chain, block(&blocks[0]), BlockOrigin::Network);
        assert_eq!(
            outcome,
            Imported::Imported {
                children: blocks[1..].iter().map(Header::hash).collect(),
                justifications: Vec::new(),
            }
        );
        assert_eq!(
            *chain.order.borrow(),
            blocks.iter().map(Header::hash).collect::<Vec<_>>()
        );
        assert_eq!(queue.held(), 0);
        assert_eq!(
            queue.import(&chain, block(&blocks[2]), BlockOrigin::Network),
            Imported::AlreadyKnown
        );
    }

    #[test]
    fn the_hold_is_bounded_and_keeps_the_lowest_blocks() {
        let g = genesis();
        let chain = FakeChain::new(&g);
        let mut queue = ImportQueue::new(2);
        let blocks = chain_of(&g, 6, 1);
        // Hold 3, 4, 5 (numbers): the bound keeps two, evicting the highest.
        for h in &blocks[2..5] {
            queue.import(&chain, block(h), BlockOrigin::Network);
        }
        assert_eq!(queue.held(), 2);
        // 6 is higher than everything held: refused, nothing evicted.
        queue.import(&chain, block(&blocks[5]), BlockOrigin::Network);
        assert_eq!(queue.held(), 2);
        queue.import(&chain, block(&blocks[0]), BlockOrigin::Network);
        queue.import(&chain, block(&blocks[1]), BlockOrigin::Network);
        // 3 and 4 followed 2; 5 was evicted and must be fetched again.
        assert!(chain.has_block(&blocks[3].hash()));
        assert!(!chain.has_block(&blocks[4].hash()));
        assert_eq!(queue.held(), 0);
    }

    #[test]
    fn a_refused_block_takes_its_held_descendants_with_it() {
        let g = genesis();
        let chain = FakeChain::new(&g);
        let mut queue = ImportQueue::new(16);
        let bad = header(&g, 0xff);
        let child = header(&bad, 2);
        let grandchild = header(&child, 3);
        queue.import(&chain, block(&grandchild), BlockOrigin::Network);
        queue.import(&chain, block(&child), BlockOrigin::Network);
        assert_eq!(queue.held(), 2);
        assert_eq!(
            queue.import(&chain, block(&bad), BlockOrigin::Network),
            Imported::Refused("bad state root".into())
        );
        assert_eq!(queue.held(), 0);
    }

    #[test]
    fn a_held_block_keeps_its_justification_until_it_is_imported() {
        let g = genesis();
        let chain = FakeChain::new(&g);
        let mut queue = ImportQueue::new(16);
        let blocks = chain_of(&g, 3, 1);
        // Blocks 3 and 2 arrive first, 3 with a justification, 2 without.
        queue.import_with(
            &chain,
            block(&blocks[2]),
            BlockOrigin::Network,
            Some(vec![3]),
        );
        queue.import_with(&chain, block(&blocks[1]), BlockOrigin::Network, None);
        assert_eq!(
            queue.import_with(
                &chain,
                block(&blocks[0]),
                BlockOrigin::Network,
                Some(vec![1])
            ),
            Imported::Imported {
                children: vec![blocks[1].hash(), blocks[2].hash()],
                // Block 1's own justification is the caller's: it was never held.
                justifications: vec![(blocks[2].hash(), vec![3])],
            }
        );
        // Pruned or evicted with its block.
        let later = chain_of(&blocks[2], 2, 9);
        queue.import_with(
            &chain,
            block(&later[1]),
            BlockOrigin::Network,
            Some(vec![5]),
        );
        queue.prune(later[1].number);
        assert_eq!(queue.held(), 0);
        assert_eq!(
            queue.import(&chain, block(&later[0]), BlockOrigin::Network),
            Imported::Imported {
                children: Vec::new(),
                justifications: Vec::new(),
            }
        );
    }

    #[test]
    fn forks_held_on_one_parent_all_follow_it() {
        let g = genesis();
        let chain = FakeChain::new(&g);
        let mut queue = ImportQueue::new(16);
        let parent = header(&g, 1);
        let a = header(&parent, 2);
        let b = header(&parent, 3);
        queue.import(&chain, block(&a), BlockOrigin::Network);
        queue.import(&chain, block(&b), BlockOrigin::Network);
        // The same block twice is held once.
        queue.import(&chain, block(&b), BlockOrigin::Network);
        assert_eq!(queue.held(), 2);
        let Imported::Imported { children, .. } =
            queue.import(&chain, block(&parent), BlockOrigin::Own)
        else {
            panic!("parent not imported")
        };
        assert_eq!(children.len(), 2);
        assert!(chain.has_block(&a.hash()) && chain.has_block(&b.hash()));
    }

    #[test]
    fn prune_drops_held_blocks_at_or_below_finality() {
        let g = genesis();
        let chain = FakeChain::new(&g);
        let mut queue = ImportQueue::new(16);
        let blocks = chain_of(&g, 4, 1);
        for h in &blocks[1..] {
            queue.import(&chain, block(h), BlockOrigin::Network);
        }
        queue.prune(3);
        assert_eq!(queue.held(), 1);
    }
}
