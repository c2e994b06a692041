//! The in-memory name index every DNS answer comes from.
//!
//! The index maps each absolute owner name (`www.alice.ghost`) to the records that live there,
//! and each registered name to its owner and expiry. [`load`] builds it once from the chain's
//! head (into a fresh index that then replaces the old one whole, so a reload drops names that
//! are gone), and [`follow`] applies every block's notification from the chain's change log:
//! each change carries the name's state after its block (for a `reverted` block, at the fork
//! point), so nothing is resolved again and no archived state is read. Queries never scan
//! chain state. Expiry is checked at query time against the clock, so a name stops resolving
//! the moment it expires even if no block has been produced since.
//!
//! # Invariants
//! - **A block at a time.** A block's changes and the new head are applied under one write
//!   lock ([`NameIndex::apply_block`]): a reader sees the index before the block or after it,
//!   never half of it.
//! - **Resume by hash.** After the stream breaks, [`keep_in_sync`] resumes after the head it
//!   has (height and hash), so a head that left the best chain meanwhile is reverted first;
//!   when the chain cannot resume there, the index is reloaded.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use ghost_primitives::records::DEFAULT_TTL;
use ghost_primitives::{
    AccountId, DnsRecord, DomainName, Hash, RecordData, RecordLabel, RecordType, Web3Records,
};
use ghost_rpc::{DomainChangesJson, ResolutionJson};
use parking_lot::RwLock;

use crate::source::{BlockRef, BridgeError, ChainSource};

/// The label under a name where DNS serves the name's web3 records (`_web3.alice.ghost`), so
/// what the ENS bridge mirrors is visible to any DNS client.
pub const WEB3_LABEL: &str = "_web3";

/// A name's web3 records as the TXT records DNS serves at [`WEB3_LABEL`] under it: one record
/// per value, an RFC 1464 `attribute=value` string (`` ` `` and `=` in an attribute escaped
/// with `` ` ``), in a fixed order: `addr.<coin type>=0x<hex>` per address,
/// `contenthash=0x<hex>`, then `<key>=<value>` per text key. A string longer than 255 bytes is
/// split into several character-strings of the same record, which clients join. TTL
/// [`DEFAULT_TTL`](ghost_primitives::records::DEFAULT_TTL).
pub fn web3_txt_records(web3: &Web3Records) -> Vec<DnsRecord> {
    fn escape(attribute: &str) -> String {
        attribute.replace('`', "``").replace('=', "`=")
    }
    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }
    let strings = web3
        .addresses
        .iter()
        .map(|(coin, bytes)| format!("addr.{coin}=0x{}", hex(&bytes.0)))
        .chain(
            web3.contenthash
                .iter()
                .map(|hash| format!("contenthash=0x{}", hex(&hash.0))),
        )
        .chain(
            web3.texts
                .iter()
                .map(|(key, value)| format!("{}={value}", escape(key))),
        );
    let label = RecordLabel::parse(WEB3_LABEL).expect("`_web3` is a valid record label");
    strings
        .map(|string| DnsRecord {
            label: label.clone(),
            ttl: DEFAULT_TTL,
            data: RecordData::TXT(string.as_bytes().chunks(255).map(<[u8]>::to_vec).collect()),
        })
        .collect()
}

/// A name's new state in a block (`None`: no longer stored).
pub type NameUpdate = (DomainName, Option<ResolutionJson>);

/// One registered (or sub-) name in the index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexedName {
    /// The name.
    pub name: DomainName,
    /// Owner.
    pub owner: AccountId,
    /// Effective expiry (ms).
    pub expires_at: u64,
    /// Its DNS records as stored on chain (DNS also serves [`web3_txt_records`] of
    /// `resolution.web3`).
    pub records: Vec<DnsRecord>,
    /// The whole resolution at the index's head (what gRPC `ResolveDomain` answers).
    pub resolution: ResolutionJson,
}

impl IndexedName {
    fn of(resolution: &ResolutionJson) -> Self {
        IndexedName {
            name: resolution.name.clone(),
            owner: resolution.owner,
            expires_at: resolution.expires_at,
            records: resolution.records.clone(),
            resolution: resolution.clone(),
        }
    }
}

/// What the index keeps: one resolution per name, boxed so the map's spare slots stay small.
/// A record is found through its holder (the deepest live name at or above the queried name),
/// so records are not copied into a second map keyed by owner name.
#[derive(Default)]
struct State {
    head: Option<BlockRef>,
    names: HashMap<DomainName, Box<ResolutionJson>>,
    /// Absolute names that exist only because something below them does (empty non-terminals,
    /// `b.alice.ghost` under a record at `a.b.alice.ghost`), with the names whose records hold
    /// them up and how many records each. A holder and its second-level root are never listed:
    /// while the holder is live, both answer as registered names anyway.
    ancestors: HashMap<String, HashMap<DomainName, usize>>,
}

/// The second-level name at the root of `name` (`alice.ghost` of `a.b.alice.ghost`).
fn root_of(name: &str) -> &str {
    let mut dots = name.rmatch_indices('.').map(|(at, _)| at);
    let _tld = dots.next();
    match dots.next() {
        Some(at) => &name[at + 1..],
        None => name,
    }
}

/// The record label under `holder` that names `owner` (`@` for the holder itself, `www` for
/// `www.alice.ghost` under `alice.ghost`), without building names; `None` when `owner` is not
/// at or below `holder`.
fn label_at<'a>(holder: &str, owner: &'a str) -> Option<&'a str> {
    if owner == holder {
        return Some("@");
    }
    owner
        .strip_suffix(holder)
        .and_then(|rest| rest.strip_suffix('.'))
        // `@` is only ever the apex.
        .filter(|prefix| *prefix != "@")
}

/// The empty non-terminals a resolution's records hold up (see [`State::ancestors`]), once per
/// record.
fn held_ancestors(r: &ResolutionJson) -> Vec<String> {
    let holder = r.name.as_str();
    let root = root_of(holder);
    let web3 = web3_txt_records(&r.web3);
    let mut held = Vec::new();
    for record in r.records.iter().chain(&web3) {
        let owner = record.label.under(holder);
        for ancestor in ancestors_of(&owner) {
            if ancestor != holder && ancestor != root {
                held.push(ancestor.to_string());
            }
        }
    }
    held
}

impl State {
    /// The name's entry and the moment it stops resolving, if it resolves at `now`.
    fn live(&self, name: &str, now: u64) -> Option<(&ResolutionJson, u64)> {
        let entry = self.names.get(name)?;
        let expires_at = self.effective_expiry(entry)?;
        (now < expires_at).then_some((&**entry, expires_at))
    }

    /// When the name stops resolving: a second-level name at its own expiry, a subname at its
    /// root's *current* expiry (subnames inherit it, so a renewal of the root, which names only
    /// the root, moves theirs too); `None` when the root is not indexed.
    fn effective_expiry(&self, entry: &ResolutionJson) -> Option<u64> {
        let name = entry.name.as_str();
        let root = root_of(name);
        if root.len() == name.len() {
            return Some(entry.expires_at);
        }
        self.names.get(root).map(|r| r.expires_at)
    }
}

/// What a DNS query for a name finds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Lookup {
    /// The name exists and resolves; these are its records of the asked type (possibly none:
    /// NODATA). A CNAME at the name is returned whatever the asked type.
    Found(Vec<DnsRecord>),
    /// Nothing exists at the name, or its registration has expired (NXDOMAIN).
    NxDomain,
}

/// The index: shared by DNS and gRPC, updated by [`follow`].
#[derive(Clone, Default)]
pub struct NameIndex {
    state: Arc<RwLock<State>>,
    /// Woken whenever the head moves.
    moved: Arc<tokio::sync::Notify>,
    /// Bumped by every change (see [`NameIndex::generation`]).
    generation: Arc<AtomicU64>,
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// All ancestors of `name` strictly below the TLD (`a.b.alice.ghost` → `b.alice.ghost`,
/// `alice.ghost`).
fn ancestors_of(name: &str) -> impl Iterator<Item = &str> {
    let mut rest = name;
    std::iter::from_fn(move || {
        let (_, tail) = rest.split_once('.')?;
        rest = tail;
        tail.contains('.').then_some(tail)
    })
}

impl NameIndex {
    /// An empty index.
    pub fn new() -> Self {
        Self::default()
    }

    /// The block the index reflects.
    pub fn head(&self) -> Option<BlockRef> {
        self.state.read().head
    }

    /// How many names are indexed.
    pub fn len(&self) -> usize {
        self.state.read().names.len()
    }

    /// Whether nothing is indexed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A registered name's entry.
    pub fn name(&self, name: &DomainName) -> Option<IndexedName> {
        self.state
            .read()
            .names
            .get(name)
            .map(|r| IndexedName::of(r))
    }

    /// A name's resolution and the block the index is at, read together (one lock), so the
    /// answer is exactly the one at that block. `None` before the index is loaded.
    pub fn resolve(&self, name: &DomainName) -> Option<(Option<ResolutionJson>, BlockRef)> {
        let state = self.state.read();
        let head = state.head?;
        Some((state.names.get(name).map(|r| (**r).clone()), head))
    }

    /// Replaces what the index holds for `name` with `resolution` (`None`: removed).
    pub fn apply(&self, name: &DomainName, resolution: Option<&ResolutionJson>) {
        let mut state = self.state.write();
        Self::apply_locked(&mut state, name, resolution);
        self.bump();
    }

    /// A number that changes whenever the index does (a name, a block, the head, a reload).
    /// Whoever caches what the index answers keeps it only while this stays the same, and
    /// reads it *before* asking, so a change racing the question only invalidates early.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Called with the write lock held, after the change.
    fn bump(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }

    /// Applies one block: every name's new state (`None`: removed) and the new head, under one
    /// write lock, so no reader sees part of the block.
    pub fn apply_block(&self, updates: &[NameUpdate], head: BlockRef) {
        let mut state = self.state.write();
        for (name, resolution) in updates {
            Self::apply_locked(&mut state, name, resolution.as_ref());
        }
        state.head = Some(head);
        self.bump();
        drop(state);
        self.moved.notify_waiters();
    }

    /// Waits until the index's head is at `height` or above (a block a client just wrote in is
    /// then answered from here).
    pub async fn wait_for_height(&self, height: u64) {
        loop {
            let moved = self.moved.notified();
            tokio::pin!(moved);
            // Registered before the check, so a move between the check and the wait is seen.
            moved.as_mut().enable();
            if self.head().is_some_and(|head| head.height >= height) {
                return;
            }
            moved.await;
        }
    }

    /// Replaces everything this index holds with what `other` holds (a reload built apart).
    pub fn replace_with(&self, other: NameIndex) {
        let fresh = std::mem::take(&mut *other.state.write());
        let mut state = self.state.write();
        *state = fresh;
        self.bump();
        drop(state);
        self.moved.notify_waiters();
    }

    fn apply_locked(state: &mut State, name: &DomainName, resolution: Option<&ResolutionJson>) {
        Self::remove_locked(state, name);
        let Some(r) = resolution else {
            return;
        };
        if r.status == "available" {
            return;
        }
        for ancestor in held_ancestors(r) {
            *state
                .ancestors
                .entry(ancestor)
                .or_default()
                .entry(r.name.clone())
                .or_default() += 1;
        }
        state.names.insert(name.clone(), Box::new(r.clone()));
    }

    fn remove_locked(state: &mut State, name: &DomainName) {
        let Some(old) = state.names.remove(name) else {
            return;
        };
        for ancestor in held_ancestors(&old) {
            if let Some(holders) = state.ancestors.get_mut(&ancestor) {
                if let Some(count) = holders.get_mut(&old.name) {
                    *count = count.saturating_sub(1);
                    if *count == 0 {
                        holders.remove(&old.name);
                    }
                }
                if holders.is_empty() {
                    state.ancestors.remove(&ancestor);
                }
            }
        }
    }

    /// Records the block the index now reflects.
    pub fn set_head(&self, head: BlockRef) {
        let mut state = self.state.write();
        state.head = Some(head);
        self.bump();
        drop(state);
        self.moved.notify_waiters();
    }

    /// Until when (ms) [`NameIndex::lookup`] of `qname`, for any type, keeps giving what it
    /// gives at `now`, records and TTLs alike, as long as the [`generation`] stays the same:
    /// the earliest moment a live name the lookup consults (the name, its ancestors, the names
    /// an empty non-terminal there stands for) starts having its TTLs cut by its expiry, one
    /// second early. Names that are not live stay so until a block changes them. `now` or
    /// earlier: do not cache.
    ///
    /// [`generation`]: NameIndex::generation
    pub fn stable_until(&self, qname: &str, now: u64) -> u64 {
        let state = self.state.read();
        let mut until = u64::MAX;
        let mut consider = |name: &str| {
            let Some((entry, expires_at)) = state.live(name, now) else {
                return;
            };
            // Web3 TXT records carry the default TTL.
            let longest = entry
                .records
                .iter()
                .map(|r| r.ttl)
                .fold(DEFAULT_TTL, u32::max);
            let cut_from = expires_at.saturating_sub((u64::from(longest) + 1) * 1_000);
            until = until.min(cut_from);
        };
        for candidate in std::iter::once(qname).chain(ancestors_of(qname)) {
            consider(candidate);
        }
        if let Some(holders) = state.ancestors.get(qname) {
            for holder in holders.keys() {
                consider(holder.as_str());
            }
        }
        until
    }

    /// What a query for `qname` (absolute, lowercase, no trailing dot) and `qtype` finds at
    /// `now` (ms). Each record's TTL is at most the whole seconds until its holder expires.
    pub fn lookup(&self, qname: &str, qtype: Option<RecordType>, now: u64) -> Lookup {
        let state = self.state.read();
        // One owner answers for a name: the deepest live indexed name at or above it (a
        // subname's records, never its parent's records at the subname's label).
        let authority = std::iter::once(qname)
            .chain(ancestors_of(qname))
            .find_map(|candidate| state.live(candidate, now));
        let is_registered = authority
            .as_ref()
            .is_some_and(|(holder, _)| holder.name.as_str() == qname);
        let mut records: Vec<DnsRecord> = Vec::new();
        if let Some((holder, _)) = &authority {
            let label = label_at(holder.name.as_str(), qname);
            records.extend(
                holder
                    .records
                    .iter()
                    .filter(|r| Some(r.label.as_str()) == label)
                    .cloned(),
            );
            if label == Some(WEB3_LABEL) {
                records.extend(web3_txt_records(&holder.web3));
            }
        }
        let is_ancestor = || {
            state.ancestors.get(qname).is_some_and(|holders| {
                holders
                    .keys()
                    .any(|h| state.live(h.as_str(), now).is_some())
            })
        };
        if records.is_empty() && !is_registered && !is_ancestor() {
            return Lookup::NxDomain;
        }
        // No answer is cached past the name's expiry: TTLs are cut to the whole seconds left.
        let seconds_left = authority.as_ref().map_or(0, |(_, expires_at)| {
            u32::try_from(expires_at.saturating_sub(now) / 1_000).unwrap_or(u32::MAX)
        });
        let capped = |mut record: DnsRecord| {
            record.ttl = record.ttl.min(seconds_left);
            record
        };
        if let Some(at) = records
            .iter()
            .position(|r| r.data.rtype() == RecordType::CNAME)
        {
            return Lookup::Found(vec![capped(records.swap_remove(at))]);
        }
        let mut found: Vec<DnsRecord> = records
            .into_iter()
            .filter(|r| qtype.is_none_or(|t| r.data.rtype() == t))
            .map(capped)
            .collect();
        found.sort();
        Lookup::Found(found)
    }

    /// Names matching a filter on the holder (for tests and debugging).
    pub fn names(&self) -> BTreeMap<DomainName, IndexedName> {
        self.state
            .read()
            .names
            .iter()
            .map(|(k, v)| (k.clone(), IndexedName::of(v)))
            .collect()
    }
}

/// Names per page of [`load`] (the runtime's largest listing page).
pub const LOAD_PAGE: u32 = 1_000;

/// Loads every name from `source` at its head (best or finalized) into a fresh index and
/// replaces `index`'s contents with it (names that are gone go too); returns that head.
pub async fn load(
    source: &dyn ChainSource,
    index: &NameIndex,
    finalized: bool,
) -> Result<BlockRef, BridgeError> {
    let head = source.head(finalized).await?;
    let fresh = NameIndex::new();
    let mut cursor = None;
    loop {
        let page = source.resolutions(head.hash, cursor, LOAD_PAGE).await?;
        for (name, resolution) in &page.resolutions {
            fresh.apply(name, Some(resolution));
        }
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    fresh.set_head(head);
    index.replace_with(fresh);
    tracing::info!(target: "bridge", names = index.len(), height = head.height, "name index loaded");
    Ok(head)
}

/// What one notification does to the index: each changed name's new state, and the block the
/// index is at afterwards (a reverted block's parent).
pub fn block_update(block: &DomainChangesJson) -> Result<(Vec<NameUpdate>, BlockRef), BridgeError> {
    // Every change of a name in a block carries the same state; keep the last of each.
    let mut updates: Vec<NameUpdate> = Vec::new();
    for change in &block.changes {
        match updates.iter_mut().find(|(name, _)| *name == change.domain) {
            Some(entry) => entry.1 = change.state.clone(),
            None => updates.push((change.domain.clone(), change.state.clone())),
        }
    }
    let head = if block.reverted {
        let parent = block.parent_hash.ok_or_else(|| {
            BridgeError::Unavailable(format!(
                "reverted block {} came without its parent",
                block.block_hash
            ))
        })?;
        BlockRef {
            height: block.block_height.saturating_sub(1),
            hash: parent,
        }
    } else {
        BlockRef {
            height: block.block_height,
            hash: block.block_hash,
        }
    };
    Ok((updates, head))
}

/// Applies every block's notification from height `from` on (after block `after`, the head
/// the index has), in order, each block at once. Returns when the change stream ends.
pub async fn follow(
    source: &dyn ChainSource,
    index: &NameIndex,
    from: u64,
    after: Option<Hash>,
    finalized: bool,
) -> Result<(), BridgeError> {
    let mut changes = source.follow(from, after, finalized).await?;
    while let Some(block) = changes.recv().await {
        let (updates, head) = block_update(&*block?)?;
        index.apply_block(&updates, head);
    }
    Err(BridgeError::Unavailable("change stream ended".into()))
}

/// Keeps `index` current forever: follows changes after the loaded head and, whenever the
/// stream fails (the node went away), waits and resumes after the head it has; when the chain
/// refuses that resume point (the head is gone), it reloads.
pub async fn keep_in_sync(source: Arc<dyn ChainSource>, index: NameIndex, finalized: bool) {
    let mut reload = index.head().is_none();
    loop {
        if reload {
            if let Err(e) = load(source.as_ref(), &index, finalized).await {
                tracing::warn!(target: "bridge", error = %e, "cannot load the name index; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
            reload = false;
        }
        let Some(head) = index.head() else {
            reload = true;
            continue;
        };
        let result = follow(
            source.as_ref(),
            &index,
            head.height.saturating_add(1),
            Some(head.hash),
            finalized,
        )
        .await;
        if let Err(e) = result {
            reload = matches!(e, BridgeError::Rejected(_));
            tracing::warn!(target: "bridge", error = %e, reload, "name index sync stopped");
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// The hash of nothing, for tests.
pub const NO_HASH: Hash = Hash::ZERO;

#[cfg(test)]
mod tests {
    use super::*;
    use ghost_primitives::Pair;

    /// When the test names expire (ms): long enough that no record TTL is cut.
    const HOUR: u64 = 3_600_000;

    fn resolution(name: &str, expires_at: u64, records: Vec<DnsRecord>) -> ResolutionJson {
        let name = DomainName::parse(name).unwrap();
        ResolutionJson {
            namehash: name.namehash(),
            name,
            owner: Pair::dev("Alice").public(),
            records,
            web3: Web3Records::default(),
            expires_at,
            created_at: 0,
            status: "active".into(),
            parent: None,
            update_key: None,
            update_sequence: 0,
        }
    }

    fn record(label: &str, assignment: &str) -> DnsRecord {
        DnsRecord {
            label: RecordLabel::parse(label).unwrap(),
            ttl: 60,
            data: RecordData::parse_assignment(assignment).unwrap(),
        }
    }

    #[test]
    fn finds_records_nodata_nxdomain_and_empty_non_terminals() {
        let index = NameIndex::new();
        let name = DomainName::parse("alice.ghost").unwrap();
        index.apply(
            &name,
            Some(&resolution(
                "alice.ghost",
                HOUR,
                vec![
                    record("@", "A=10.0.0.1"),
                    record("www", "CNAME=alice.ghost"),
                    record("_sip._tcp", "SRV=1 1 5060 sip.alice.ghost"),
                ],
            )),
        );
        assert_eq!(
            index.lookup("alice.ghost", Some(RecordType::A), 0),
            Lookup::Found(vec![record("@", "A=10.0.0.1")])
        );
        assert_eq!(
            index.lookup("alice.ghost", Some(RecordType::MX), 0),
            Lookup::Found(vec![])
        );
        assert_eq!(
            index.lookup("www.alice.ghost", Some(RecordType::A), 0),
            Lookup::Found(vec![record("www", "CNAME=alice.ghost")])
        );
        assert_eq!(
            index.lookup("_tcp.alice.ghost", Some(RecordType::A), 0),
            Lookup::Found(vec![])
        );
        assert_eq!(
            index.lookup("nope.alice.ghost", Some(RecordType::A), 0),
            Lookup::NxDomain
        );
        assert_eq!(
            index.lookup("bob.ghost", Some(RecordType::A), 0),
            Lookup::NxDomain
        );
        // Expired at once, whatever the blocks say.
        assert_eq!(
            index.lookup("alice.ghost", Some(RecordType::A), HOUR),
            Lookup::NxDomain
        );
        assert_eq!(
            index.lookup("_tcp.alice.ghost", Some(RecordType::A), HOUR),
            Lookup::NxDomain
        );
    }

    fn txt(record: &DnsRecord) -> String {
        match &record.data {
            RecordData::TXT(strings) => strings
                .iter()
                .map(|s| String::from_utf8_lossy(s).into_owned())
                .collect::<Vec<_>>()
                .join("|"),
            other => panic!("not TXT: {other:?}"),
        }
    }

    #[test]
    fn web3_records_are_served_as_txt_under_web3_and_follow_every_change() {
        let index = NameIndex::new();
        let name = DomainName::parse("alice.ghost").unwrap();
        let mut r = resolution("alice.ghost", HOUR, vec![record("@", "A=10.0.0.1")]);
        r.web3
            .addresses
            .insert(60, ghost_primitives::Bytes(vec![0xab; 20]));
        r.web3
            .texts
            .insert("url".into(), "https://alice.example".into());
        r.web3.texts.insert("a=b`c".into(), "x".repeat(300));
        index.apply(&name, Some(&r));
        let Lookup::Found(found) = index.lookup("_web3.alice.ghost", Some(RecordType::TXT), 0)
        else {
            panic!("_web3.alice.ghost does not exist");
        };
        // An RRset has no order: compare sorted.
        let mut texts: Vec<String> = found.iter().map(txt).collect();
        texts.sort();
        assert_eq!(
            texts,
            [
                // RFC 1464 escaping; 308 bytes: two character-strings.
                format!("a`=b``c={}|{}", "x".repeat(247), "x".repeat(53)),
                format!("addr.60=0x{}", "ab".repeat(20)),
                "url=https://alice.example".into(),
            ]
        );
        assert_eq!(
            index.lookup("alice.ghost", Some(RecordType::TXT), 0),
            Lookup::Found(vec![]),
            "the name's own TXT set is untouched"
        );
        assert_eq!(
            index.lookup("alice.ghost", Some(RecordType::A), 0),
            Lookup::Found(vec![record("@", "A=10.0.0.1")])
        );

        // An ENS sync replaces the web3 records: the old strings go.
        r.web3 = Web3Records::default();
        r.web3
            .texts
            .insert("url".into(), "https://new.example".into());
        index.apply(&name, Some(&r));
        let Lookup::Found(found) = index.lookup("_web3.alice.ghost", Some(RecordType::TXT), 0)
        else {
            panic!("_web3.alice.ghost does not exist");
        };
        assert_eq!(
            found.iter().map(txt).collect::<Vec<_>>(),
            ["url=https://new.example"]
        );
        // No web3 records (a suspended link clears them): nothing there any more.
        r.web3 = Web3Records::default();
        index.apply(&name, Some(&r));
        assert_eq!(
            index.lookup("_web3.alice.ghost", Some(RecordType::TXT), 0),
            Lookup::NxDomain
        );
        assert_eq!(
            index.lookup("_web3.alice.ghost", Some(RecordType::TXT), HOUR),
            Lookup::NxDomain
        );
    }

    /// A resolver caches an answer for its TTL: no TTL may carry it past the name's expiry, or
    /// the name would go on resolving from caches after it expired.
    #[test]
    fn ttls_never_outlive_the_names_expiry() {
        let index = NameIndex::new();
        let name = DomainName::parse("alice.ghost").unwrap();
        let expires_at = 3_600_000;
        index.apply(
            &name,
            Some(&resolution(
                "alice.ghost",
                expires_at,
                vec![
                    record("@", "A=10.0.0.1"),
                    record("www", "CNAME=alice.ghost"),
                ],
            )),
        );
        let ttl_at = |qname: &str, now: u64| match index.lookup(qname, Some(RecordType::A), now) {
            Lookup::Found(found) => found.iter().map(|r| r.ttl).collect::<Vec<_>>(),
            Lookup::NxDomain => panic!("{qname} should resolve at {now}"),
        };
        // An hour left: the record's own 60 s.
        assert_eq!(ttl_at("alice.ghost", 0), vec![60]);
        // 30.5 s left: 30 s, whole seconds rounded down, for the CNAME too.
        let late = expires_at - 30_500;
        assert_eq!(ttl_at("alice.ghost", late), vec![30]);
        assert_eq!(ttl_at("www.alice.ghost", late), vec![30]);
        // Under a second left: 0, not cached at all.
        assert_eq!(ttl_at("alice.ghost", expires_at - 1), vec![0]);
        assert_eq!(
            index.lookup("alice.ghost", Some(RecordType::A), expires_at),
            Lookup::NxDomain
        );
    }

    /// The parent holds a CNAME at `www` (stored before the chain refused such collisions) while
    /// `www.alice.ghost` is a subname with its own A record: only the subname answers for it.
    #[test]
    fn a_name_is_answered_from_its_own_owner_only() {
        let index = NameIndex::new();
        let parent = DomainName::parse("alice.ghost").unwrap();
        let sub = DomainName::parse("www.alice.ghost").unwrap();
        let parents = vec![
            record("www", "CNAME=evil.example"),
            record("api.www", "A=6.6.6.6"),
        ];
        index.apply(&parent, Some(&resolution("alice.ghost", HOUR, parents)));
        index.apply(
            &sub,
            Some(&resolution(
                "www.alice.ghost",
                HOUR,
                vec![record("@", "A=10.0.0.3")],
            )),
        );

        assert_eq!(
            index.lookup("www.alice.ghost", Some(RecordType::A), 0),
            Lookup::Found(vec![record("@", "A=10.0.0.3")])
        );
        // Under the subname only the subname's owner could answer: it has nothing there.
        assert_eq!(
            index.lookup("api.www.alice.ghost", Some(RecordType::A), 0),
            Lookup::NxDomain
        );
        // Once the subname is gone, the parent's records answer again.
        index.apply(&sub, None);
        assert_eq!(
            index.lookup("www.alice.ghost", Some(RecordType::A), 0),
            Lookup::Found(vec![record("www", "CNAME=evil.example")])
        );
    }

    #[test]
    fn a_deep_subname_holds_up_the_names_between_it_and_its_root() {
        let index = NameIndex::new();
        let root = DomainName::parse("alice.ghost").unwrap();
        let deep = DomainName::parse("x.b.alice.ghost").unwrap();
        index.apply(&root, Some(&resolution("alice.ghost", HOUR, vec![])));
        index.apply(
            &deep,
            Some(&resolution(
                "x.b.alice.ghost",
                HOUR,
                vec![record("@", "A=10.0.0.4")],
            )),
        );
        assert_eq!(
            index.lookup("x.b.alice.ghost", Some(RecordType::A), 0),
            Lookup::Found(vec![record("@", "A=10.0.0.4")])
        );
        // `b.alice.ghost` is registered by nobody, but a name below it exists: NODATA.
        assert_eq!(
            index.lookup("b.alice.ghost", Some(RecordType::A), 0),
            Lookup::Found(vec![])
        );
        // The root is registered with no records: NODATA too.
        assert_eq!(
            index.lookup("alice.ghost", Some(RecordType::A), 0),
            Lookup::Found(vec![])
        );
        // The subname inherits its root's expiry: once the root expires, nothing answers.
        for qname in ["x.b.alice.ghost", "b.alice.ghost", "alice.ghost"] {
            assert_eq!(
                index.lookup(qname, Some(RecordType::A), HOUR),
                Lookup::NxDomain,
                "{qname}"
            );
        }
        // Once the subname is gone, the name between holds nothing up.
        index.apply(&deep, None);
        assert_eq!(
            index.lookup("b.alice.ghost", Some(RecordType::A), 0),
            Lookup::NxDomain
        );
        assert_eq!(
            index.lookup("x.b.alice.ghost", Some(RecordType::A), 0),
            Lookup::NxDomain
        );
    }

    #[test]
    fn answers_are_stable_until_an_expiry_starts_cutting_ttls() {
        let index = NameIndex::new();
        let expires = 10 * HOUR;
        let mut short = record("@", "A=10.0.0.1");
        short.ttl = 60;
        index.apply(
            &DomainName::parse("alice.ghost").unwrap(),
            Some(&resolution("alice.ghost", expires, vec![short])),
        );
        let mut long = record("@", "A=10.0.0.2");
        long.ttl = 600;
        index.apply(
            &DomainName::parse("x.alice.ghost").unwrap(),
            Some(&resolution("x.alice.ghost", HOUR, vec![long])),
        );
        // The web3 TXT records' default TTL (300 s) is the longest at alice.ghost.
        let alice = expires - 301_000;
        assert_eq!(index.stable_until("alice.ghost", 0), alice);
        assert_eq!(index.stable_until("www.alice.ghost", 0), alice);
        // A subname lives as long as its root, with its own longest TTL.
        assert_eq!(index.stable_until("x.alice.ghost", 0), expires - 601_000);
        // Nothing live to consult: only a change can alter the answer.
        assert_eq!(index.stable_until("bob.ghost", 0), u64::MAX);
        assert_eq!(index.stable_until("alice.ghost", expires), u64::MAX);
        // Every change moves the generation.
        let before = index.generation();
        index.apply(&DomainName::parse("x.alice.ghost").unwrap(), None);
        assert_ne!(index.generation(), before);
        let before = index.generation();
        index.apply_block(
            &[],
            BlockRef {
                height: 1,
                hash: NO_HASH,
            },
        );
        assert_ne!(index.generation(), before);
    }

    #[test]
    fn applying_a_change_replaces_the_old_entries() {
        let index = NameIndex::new();
        let name = DomainName::parse("alice.ghost").unwrap();
        index.apply(
            &name,
            Some(&resolution(
                "alice.ghost",
                HOUR,
                vec![record("www", "A=10.0.0.1")],
            )),
        );
        index.apply(
            &name,
            Some(&resolution(
                "alice.ghost",
                HOUR,
                vec![record("@", "A=10.0.0.2")],
            )),
        );
        assert_eq!(
            index.lookup("www.alice.ghost", Some(RecordType::A), 0),
            Lookup::NxDomain
        );
        assert_eq!(
            index.lookup("alice.ghost", Some(RecordType::A), 0),
            Lookup::Found(vec![record("@", "A=10.0.0.2")])
        );
        index.apply(&name, None);
        assert!(index.is_empty());
        assert_eq!(
            index.lookup("alice.ghost", Some(RecordType::A), 0),
            Lookup::NxDomain
        );
    }

    fn change(
        name: &str,
        change_type: &str,
        state: Option<ResolutionJson>,
    ) -> ghost_rpc::DomainChangeJson {
        ghost_rpc::DomainChangeJson {
            domain: DomainName::parse(name).unwrap(),
            change_type: change_type.into(),
            new_owner: None,
            new_records: None,
            extrinsic_index: None,
            index: 0,
            state,
        }
    }

    #[test]
    fn a_block_applies_its_last_state_per_name_and_moves_the_head() {
        let index = NameIndex::new();
        let block = DomainChangesJson {
            block_height: 5,
            block_hash: Hash([5; 32]),
            changes: vec![
                change(
                    "alice.ghost",
                    "created",
                    Some(resolution("alice.ghost", HOUR, vec![])),
                ),
                change(
                    "alice.ghost",
                    "updated",
                    Some(resolution(
                        "alice.ghost",
                        HOUR,
                        vec![record("@", "A=10.0.0.5")],
                    )),
                ),
            ],
            reverted: false,
            parent_hash: Some(Hash([4; 32])),
        };
        let (updates, head) = block_update(&block).unwrap();
        assert_eq!(updates.len(), 1, "one update per name");
        assert_eq!(
            head,
            BlockRef {
                height: 5,
                hash: Hash([5; 32])
            }
        );
        index.apply_block(&updates, head);
        assert_eq!(index.head(), Some(head));
        assert_eq!(
            index.lookup("alice.ghost", Some(RecordType::A), 0),
            Lookup::Found(vec![record("@", "A=10.0.0.5")])
        );

        // Reverting the block takes the name back to its state at the fork point (absent) and
        // the head to the block's parent.
        let revert = DomainChangesJson {
            changes: vec![change("alice.ghost", "reverted", None)],
            reverted: true,
            ..block.clone()
        };
        let (updates, head) = block_update(&revert).unwrap();
        assert_eq!(
            head,
            BlockRef {
                height: 4,
                hash: Hash([4; 32])
            }
        );
        index.apply_block(&updates, head);
        assert!(index.is_empty());
        assert_eq!(
            index.lookup("alice.ghost", Some(RecordType::A), 0),
            Lookup::NxDomain
        );

        // A revert that does not say where it leads is refused, not guessed.
        let orphan = DomainChangesJson {
            parent_hash: None,
            ..revert
        };
        assert!(matches!(
            block_update(&orphan),
            Err(BridgeError::Unavailable(_))
        ));
    }

    #[test]
    fn a_reload_replaces_everything_including_names_that_are_gone() {
        let index = NameIndex::new();
        let old = DomainName::parse("old.ghost").unwrap();
        index.apply(
            &old,
            Some(&resolution(
                "old.ghost",
                HOUR,
                vec![record("@", "A=10.0.0.1")],
            )),
        );
        let fresh = NameIndex::new();
        let new = DomainName::parse("new.ghost").unwrap();
        fresh.apply(&new, Some(&resolution("new.ghost", HOUR, vec![])));
        fresh.set_head(BlockRef {
            height: 9,
            hash: Hash([9; 32]),
        });
        index.replace_with(fresh);
        assert!(index.name(&old).is_none());
        assert_eq!(
            index.lookup("old.ghost", Some(RecordType::A), 0),
            Lookup::NxDomain
        );
        assert!(index.name(&new).is_some());
        assert_eq!(index.head().map(|h| h.height), Some(9));
    }
}
