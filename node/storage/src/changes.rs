//! The name change log of one block, as stored in the `domain_changes` column.
//!
//! Block import derives it from the block's events and the names' states before and after the
//! block, and commits it in the block's own batch ([`BlockCommit::domain_changes`]). Every
//! consumer of name changes (the `domain_subscribeChanges` feed, GhostBridge's index and its
//! `SubscribeDomainChanges` stream, replays from any height, reorg reverts) reads this log and
//! nothing else: no re-execution and no read of archived state.
//!
//! # Invariants
//! - `changes` are in event order; a change's index within the block is its position.
//! - `names` holds each name some change touches exactly once, in name order, with its state at
//!   the parent block (`before`) and at this block (`after`); `None` means the name is not
//!   stored there. So undoing a block needs only its own log: a retracted block's names go back
//!   to their `before`, which is their state at the fork point when no earlier retracted block
//!   touched them.
//! - A log outlives its block: when finality prunes a fork, its headers and bodies go but the
//!   logs stay (with their `parent` and `number`), so a follower that saw an orphaned block can
//!   still be rewound. Pruning of the column itself is not built yet.
//!
//! [`BlockCommit::domain_changes`]: crate::BlockCommit::domain_changes

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use ghost_primitives::{AccountId, BlockNumber, DnsRecord, DomainName, Hash, Web3Records};
use parity_scale_codec::{Decode, Encode};

/// A name's resolution status at a block's time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode)]
pub enum LoggedStatus {
    /// Registered and resolving.
    Active,
    /// Expired, in its grace period: does not resolve.
    Grace,
    /// Stored but free to register.
    Available,
}

/// What a name resolves to at one block.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct NameState {
    /// Owner.
    pub owner: AccountId,
    /// DNS records (empty unless active).
    pub records: Vec<DnsRecord>,
    /// Web3 records (empty unless active).
    pub web3: Web3Records,
    /// Effective expiry, ms (a subname's is its root's).
    pub expires_at: u64,
    /// Creation time, ms.
    pub created_at: u64,
    /// Status at the block's time.
    pub status: LoggedStatus,
    /// Parent name of a subname.
    pub parent: Option<DomainName>,
    /// The key that may sign updates besides the owner.
    pub update_key: Option<AccountId>,
    /// The sequence number the name's next signed update must carry.
    pub update_sequence: u64,
}

/// The kind of one change, as the chain's events name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode)]
pub enum ChangeKind {
    /// Registered, or a subname created.
    Created,
    /// Records or expiry changed.
    Updated,
    /// Owner changed.
    Transferred,
    /// Expired, released or removed.
    Expired,
}

impl ChangeKind {
    /// The stream's name of the kind: `created`, `updated`, `transferred`, `expired`.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Created => "created",
            ChangeKind::Updated => "updated",
            ChangeKind::Transferred => "transferred",
            ChangeKind::Expired => "expired",
        }
    }
}

/// One change of a name, from one event of the block.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct LoggedChange {
    /// The name.
    pub name: DomainName,
    /// What happened.
    pub kind: ChangeKind,
    /// The owner the event names (created, transferred).
    pub new_owner: Option<AccountId>,
    /// The records the event sets (records changes).
    pub new_records: Option<Vec<DnsRecord>>,
    /// The extrinsic that caused it (`None`: a block hook such as the expiry sweep).
    pub extrinsic_index: Option<u32>,
}

/// A name some change of the block touches, before and after the block.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct TouchedName {
    /// The name.
    pub name: DomainName,
    /// Its state at the parent block (`None`: not stored).
    pub before: Option<NameState>,
    /// Its state at this block (`None`: not stored).
    pub after: Option<NameState>,
}

/// Everything one block did to names. See the [module docs](self).
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct DomainChangeLog {
    /// The block's number.
    pub number: BlockNumber,
    /// The block's parent: a follower that undoes this block is at the parent afterwards, even
    /// once the block itself is pruned.
    pub parent: Hash,
    /// The changes, in event order.
    pub changes: Vec<LoggedChange>,
    /// Each touched name once, in name order.
    pub names: Vec<TouchedName>,
}

impl DomainChangeLog {
    /// The log of block `number` (child of `parent`) that changed no name.
    pub fn empty(number: BlockNumber, parent: Hash) -> Self {
        DomainChangeLog {
            number,
            parent,
            changes: Vec::new(),
            names: Vec::new(),
        }
    }

    /// Whether the block changed no name.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// The entry of `name`, if the block touched it.
    pub fn touched(&self, name: &DomainName) -> Option<&TouchedName> {
        self.names
            .binary_search_by(|t| t.name.cmp(name))
            .ok()
            .and_then(|i| self.names.get(i))
    }
}

/// Decoded logs most recently written or read, shared by every reader of the database (replays
/// and live feeds of any number of subscribers decode a block's log once). Logs never change
/// once written, so entries are never stale; the oldest goes first when the cache is full.
#[derive(Debug)]
pub(crate) struct LogCache {
    capacity: usize,
    logs: HashMap<Hash, Arc<DomainChangeLog>>,
    order: VecDeque<Hash>,
}

impl LogCache {
    /// A cache of at most `capacity` logs.
    pub(crate) fn new(capacity: usize) -> Self {
        LogCache {
            capacity,
            logs: HashMap::new(),
            order: VecDeque::new(),
        }
    }

    /// The cached log of block `hash`.
    pub(crate) fn get(&self, hash: &Hash) -> Option<Arc<DomainChangeLog>> {
        self.logs.get(hash).cloned()
    }

    /// Caches `log` as block `hash`'s, evicting the oldest entries past the capacity.
    pub(crate) fn insert(&mut self, hash: Hash, log: Arc<DomainChangeLog>) {
        if self.capacity == 0 || self.logs.insert(hash, log).is_some() {
            return;
        }
        self.order.push_back(hash);
        while self.order.len() > self.capacity {
            if let Some(oldest) = self.order.pop_front() {
                self.logs.remove(&oldest);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ghost_primitives::Pair;

    fn name(s: &str) -> DomainName {
        DomainName::parse(s).unwrap()
    }

    fn state(sequence: u64) -> NameState {
        NameState {
            owner: Pair::dev("Alice").public(),
            records: vec![],
            web3: Web3Records::default(),
            expires_at: 10,
            created_at: 1,
            status: LoggedStatus::Active,
            parent: None,
            update_key: None,
            update_sequence: sequence,
        }
    }

    #[test]
    fn a_log_round_trips_and_finds_its_names() {
        let log = DomainChangeLog {
            number: 4,
            parent: Hash([3; 32]),
            changes: vec![LoggedChange {
                name: name("bob.ghost"),
                kind: ChangeKind::Created,
                new_owner: Some(Pair::dev("Bob").public()),
                new_records: None,
                extrinsic_index: Some(0),
            }],
            names: vec![
                TouchedName {
                    name: name("alice.ghost"),
                    before: Some(state(1)),
                    after: None,
                },
                TouchedName {
                    name: name("bob.ghost"),
                    before: None,
                    after: Some(state(0)),
                },
            ],
        };
        let decoded = DomainChangeLog::decode(&mut &log.encode()[..]).unwrap();
        assert_eq!(decoded, log);
        assert_eq!(
            log.touched(&name("bob.ghost")).unwrap().after,
            Some(state(0))
        );
        assert!(log.touched(&name("carol.ghost")).is_none());
        assert!(!log.is_empty());
        assert!(DomainChangeLog::empty(1, Hash::ZERO).is_empty());
    }

    #[test]
    fn the_cache_keeps_the_newest_logs_up_to_its_capacity() {
        let mut cache = LogCache::new(2);
        let log = |n| Arc::new(DomainChangeLog::empty(n, Hash::ZERO));
        for n in 1..=3u64 {
            cache.insert(Hash([n as u8; 32]), log(n));
        }
        assert!(cache.get(&Hash([1; 32])).is_none(), "the oldest went");
        assert_eq!(cache.get(&Hash([3; 32])).unwrap().number, 3);
        // Inserting a cached block again neither duplicates nor evicts.
        cache.insert(Hash([3; 32]), log(3));
        assert_eq!(cache.get(&Hash([2; 32])).unwrap().number, 2);
        let mut none = LogCache::new(0);
        none.insert(Hash([1; 32]), log(1));
        assert!(none.get(&Hash([1; 32])).is_none());
    }

    #[test]
    fn truncated_bytes_do_not_decode() {
        let log = DomainChangeLog {
            number: 1,
            parent: Hash::ZERO,
            changes: vec![],
            names: vec![TouchedName {
                name: name("alice.ghost"),
                before: Some(state(3)),
                after: Some(state(4)),
            }],
        };
        let bytes = log.encode();
        for len in 0..bytes.len() {
            assert!(DomainChangeLog::decode(&mut &bytes[..len]).is_err());
        }
    }
}
