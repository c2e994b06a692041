//! The blocks the oracle has processed, how it persists them, and how it finds where a reorg
//! forked off.
//!
//! The oracle processes only blocks `confirmations` deep, so a reorg that reaches them is rare;
//! when one happens, the last processed block's hash is no longer canonical. [`Progress`] keeps
//! the hashes of the last [`KEEP`] processed blocks; [`Progress::rewind`] compares them with the
//! canonical hashes, newest first, and rewinds to the newest that still matches (or forgets
//! everything if none does). The caller then re-reads every watched name at the new target,
//! which corrects any attestation made for a block that is gone: the chain takes only newer
//! blocks, so a correction read at a replacement block of the *same* height as the applied one
//! is ignored as stale; [`Retries`] keeps such names and the oracle reads them again at the next
//! newer block it processes, which the chain takes.

use std::collections::{BTreeMap, VecDeque};
use std::path::{Path, PathBuf};

use ghost_primitives::Hash;
use serde::{Deserialize, Serialize};

/// How many processed blocks are remembered (deeper reorgs restart from the current target).
pub const KEEP: usize = 128;

/// The file in `--base-path` that holds [`Progress`].
pub const STATE_FILE: &str = "ens-oracle-state.json";

/// One processed block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Processed {
    /// Height.
    pub number: u64,
    /// Hash.
    pub hash: Hash,
}

/// The processed blocks, oldest first (contiguous heights are not required).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    /// At most [`KEEP`] blocks, ascending.
    pub recent: VecDeque<Processed>,
}

/// Names whose attestation the chain ignored, with the block it was made for: each is read
/// again once a newer block is processed (after a reorg, the replacement block can have the
/// height the chain already applied, which it ignores as stale).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Retries {
    at: BTreeMap<[u8; 32], u64>,
}

impl Retries {
    /// Notes that `node`'s attestation for `block` was ignored.
    pub fn mark(&mut self, node: [u8; 32], block: u64) {
        let entry = self.at.entry(node).or_insert(block);
        *entry = (*entry).max(block);
    }

    /// Takes the nodes to read again when processing up to `end`: those marked for an older
    /// block. The others stay.
    pub fn due(&mut self, end: u64) -> Vec<[u8; 32]> {
        let due: Vec<[u8; 32]> = self
            .at
            .iter()
            .filter(|(_, block)| **block < end)
            .map(|(node, _)| *node)
            .collect();
        for node in &due {
            self.at.remove(node);
        }
        due
    }

    /// How many names wait.
    pub fn len(&self) -> usize {
        self.at.len()
    }

    /// Whether no name waits.
    pub fn is_empty(&self) -> bool {
        self.at.is_empty()
    }
}

/// Why the state file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// Reading or writing failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// The file is not a state file.
    #[error("{path}: not an ens-oracle state file: {source}")]
    Format {
        /// The file.
        path: PathBuf,
        /// The error.
        source: serde_json::Error,
    },
}

impl Progress {
    /// The last processed block.
    pub fn last(&self) -> Option<Processed> {
        self.recent.back().copied()
    }

    /// Records `block` as processed (ignored unless above the last one).
    pub fn push(&mut self, block: Processed) {
        if self.last().is_some_and(|last| block.number <= last.number) {
            return;
        }
        self.recent.push_back(block);
        while self.recent.len() > KEEP {
            self.recent.pop_front();
        }
    }

    /// The heights whose canonical hashes [`rewind`](Self::rewind) needs, newest first.
    pub fn heights(&self) -> Vec<u64> {
        self.recent.iter().rev().map(|b| b.number).collect()
    }

    /// Drops the processed blocks that are no longer canonical. `canonical(height)` is the
    /// canonical hash at a height (`None`: no block there any more). Returns whether anything
    /// was dropped (a reorg). Stops asking at the first match, newest first.
    pub fn rewind(&mut self, mut canonical: impl FnMut(u64) -> Option<Hash>) -> bool {
        let mut dropped = false;
        while let Some(last) = self.last() {
            if canonical(last.number) == Some(last.hash) {
                break;
            }
            self.recent.pop_back();
            dropped = true;
        }
        dropped
    }

    /// Loads the state from `dir` (empty if there is none yet).
    pub fn load(dir: &Path) -> Result<Progress, StateError> {
        let path = dir.join(STATE_FILE);
        match std::fs::read(&path) {
            Ok(bytes) => {
                serde_json::from_slice(&bytes).map_err(|source| StateError::Format { path, source })
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Progress::default()),
            Err(source) => Err(StateError::Io { path, source }),
        }
    }

    /// Writes the state to `dir` atomically (a temporary file renamed over the old one).
    pub fn save(&self, dir: &Path) -> Result<(), StateError> {
        let path = dir.join(STATE_FILE);
        let tmp = dir.join(format!("{STATE_FILE}.tmp"));
        let io = |source| StateError::Io {
            path: path.clone(),
            source,
        };
        let bytes = serde_json::to_vec(self).map_err(|source| StateError::Format {
            path: path.clone(),
            source,
        })?;
        std::fs::write(&tmp, bytes).map_err(io)?;
        std::fs::rename(&tmp, &path).map_err(io)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn h(n: u64, fork: u8) -> Hash {
        let mut b = [fork; 32];
        b[..8].copy_from_slice(&n.to_be_bytes());
        Hash(b)
    }

    fn progress(range: std::ops::RangeInclusive<u64>) -> Progress {
        let mut p = Progress::default();
        for n in range {
            p.push(Processed {
                number: n,
                hash: h(n, 0),
            });
        }
        p
    }

    #[test]
    fn no_reorg_keeps_everything_and_asks_once() {
        let mut p = progress(1..=10);
        let mut asked = Vec::new();
        assert!(!p.rewind(|n| {
            asked.push(n);
            Some(h(n, 0))
        }));
        assert_eq!(asked, vec![10]);
        assert_eq!(p.last().unwrap().number, 10);
    }

    #[test]
    fn a_reorg_rewinds_to_the_fork_point() {
        let mut p = progress(1..=10);
        // Blocks 8..=10 were replaced by another fork.
        let chain: BTreeMap<u64, Hash> = (1..=12)
            .map(|n| (n, if n >= 8 { h(n, 1) } else { h(n, 0) }))
            .collect();
        assert!(p.rewind(|n| chain.get(&n).copied()));
        assert_eq!(
            p.last(),
            Some(Processed {
                number: 7,
                hash: h(7, 0)
            })
        );
        // The new fork's blocks are then processed on top.
        p.push(Processed {
            number: 8,
            hash: h(8, 1),
        });
        assert!(!p.rewind(|n| chain.get(&n).copied()));
    }

    #[test]
    fn a_shorter_chain_or_a_reorg_deeper_than_memory_forgets_all() {
        let mut p = progress(1..=10);
        // The node restarted on a chain only 5 blocks high, all of them different.
        assert!(p.rewind(|n| (n <= 5).then(|| h(n, 2))));
        assert_eq!(p.last(), None);
    }

    #[test]
    fn only_the_last_keep_blocks_are_remembered_and_heights_never_go_back() {
        let mut p = progress(1..=(KEEP as u64 + 10));
        assert_eq!(p.recent.len(), KEEP);
        assert_eq!(p.recent.front().unwrap().number, 11);
        p.push(Processed {
            number: 5,
            hash: h(5, 9),
        });
        assert_eq!(p.last().unwrap().number, KEEP as u64 + 10);
        assert_eq!(p.heights()[..2], [KEEP as u64 + 10, KEEP as u64 + 9]);
    }

    #[test]
    fn an_ignored_attestation_is_read_again_only_at_a_newer_block() {
        // After a reorg the oracle read alice at the replacement block 20, the height the chain
        // had already applied: ignored as stale. Bob was ignored earlier, at 18.
        let mut retries = Retries::default();
        retries.mark([1; 32], 20);
        retries.mark([2; 32], 18);
        retries.mark([1; 32], 19);
        assert_eq!(
            retries.due(20),
            vec![[2; 32]],
            "block 20 is not newer for alice"
        );
        assert_eq!(retries.len(), 1);
        assert_eq!(retries.due(21), vec![[1; 32]]);
        assert!(retries.is_empty());
        assert!(retries.due(100).is_empty(), "each name is read again once");
    }

    #[test]
    fn state_round_trips_through_the_base_path() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(Progress::load(dir.path()).unwrap(), Progress::default());
        let p = progress(3..=7);
        p.save(dir.path()).unwrap();
        assert_eq!(Progress::load(dir.path()).unwrap(), p);
        std::fs::write(dir.path().join(STATE_FILE), b"{not json").unwrap();
        let e = Progress::load(dir.path()).unwrap_err().to_string();
        assert!(e.contains("not an ens-oracle state file"), "{e}");
    }
}
