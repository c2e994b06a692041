//! [`RecentBlocks`]: what was computed for the last few blocks, by block hash, so the K
//! followers of a block (change feeds, subscription pumps) compute it once and share it.

use std::collections::VecDeque;
use std::sync::Arc;

use ghost_primitives::Hash;
use parking_lot::Mutex;

/// The values of the last `capacity` blocks asked for, by block hash, oldest dropped first.
///
/// Only for values that depend on the block alone (a block hash never names anything else), so
/// an entry is never stale.
pub struct RecentBlocks<T: ?Sized> {
    capacity: usize,
    blocks: Mutex<VecDeque<(Hash, Arc<T>)>>,
}

impl<T: ?Sized> RecentBlocks<T> {
    /// An empty memo of at most `capacity` blocks.
    pub fn new(capacity: usize) -> Self {
        RecentBlocks {
            capacity,
            blocks: Mutex::new(VecDeque::with_capacity(capacity)),
        }
    }

    /// How many blocks it holds.
    pub fn len(&self) -> usize {
        self.blocks.lock().len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// [`RecentBlocks::get_or_try_insert`] for a `make` that cannot fail.
    pub fn get_or_insert_with(&self, hash: Hash, make: impl FnOnce() -> Arc<T>) -> Arc<T> {
        let Ok(value) = self.get_or_try_insert::<std::convert::Infallible>(hash, || Ok(make()));
        value
    }

    /// The value of block `hash`, made by `make` if no follower made it yet. `make` runs outside
    /// the lock, so followers racing on a new block may each make it; the first one kept wins.
    ///
    /// # Errors
    /// What `make` returns; nothing is kept then.
    pub fn get_or_try_insert<E>(
        &self,
        hash: Hash,
        make: impl FnOnce() -> Result<Arc<T>, E>,
    ) -> Result<Arc<T>, E> {
        let find = |blocks: &VecDeque<(Hash, Arc<T>)>| {
            blocks
                .iter()
                .find(|(h, _)| *h == hash)
                .map(|(_, value)| value.clone())
        };
        if let Some(value) = find(&self.blocks.lock()) {
            return Ok(value);
        }
        let value = make()?;
        let mut blocks = self.blocks.lock();
        if let Some(kept) = find(&blocks) {
            return Ok(kept);
        }
        if blocks.len() >= self.capacity {
            blocks.pop_front();
        }
        blocks.push_back((hash, value.clone()));
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_block_is_made_once_and_only_the_newest_are_kept() {
        let recent = RecentBlocks::<u32>::new(2);
        let made = std::cell::Cell::new(0);
        let get = |n: u8| {
            recent
                .get_or_try_insert::<()>(Hash([n; 32]), || {
                    made.set(made.get() + 1);
                    Ok(Arc::new(u32::from(n)))
                })
                .unwrap()
        };
        assert_eq!(*get(1), 1);
        assert_eq!(*get(1), 1);
        assert_eq!(made.get(), 1, "made once");
        get(2);
        get(3);
        assert_eq!(recent.len(), 2);
        get(1);
        assert_eq!(made.get(), 4, "the oldest was dropped and made again");
        // A failure keeps nothing.
        assert!(
            recent
                .get_or_try_insert(Hash([9; 32]), || Err::<Arc<u32>, _>("no"))
                .is_err()
        );
        assert_eq!(recent.len(), 2);
    }
}
