//! The name change log through forks: what import stores for each block, and what a follower
//! of the best chain sees when a block with name changes is retracted (reverts carrying the
//! fork point's state, before the new chain's blocks), when it resumes after an orphaned
//! block, and what the finalized feed refuses. Blocks are built on an author client and
//! imported as the network would hand them over; the chain runs on the in-memory database.

use std::sync::Arc;
use std::time::Duration;

use ghost_consensus::clock::ManualClock;
use ghost_primitives::{
    AURA_ENGINE_ID, AccountId, Digest, DigestItem, DnsRecord, DomainName, Hash, Header, Pair,
    RecordData,
};
use ghost_rpc::DomainChangesJson;
use ghost_runtime::builder::BlockBuilder;
use ghost_runtime::chain_spec::ChainSpec;
use ghost_runtime::domains::Call as DomainsCall;
use ghost_runtime::{Block, RuntimeCall, UncheckedExtrinsic, sign_extrinsic};
use ghost_service::client::{BlockOrigin, Client};
use ghost_service::domain_feed::{self, FeedError};
use ghost_service::metrics::Metrics;
use ghost_storage::{ChangeKind, Database, LoggedStatus};
use parity_scale_codec::Encode;
use tokio::sync::mpsc;

const SLOT: u64 = 500;
const VALIDATORS: [&str; 3] = ["Alice", "Bob", "Charlie"];
/// Long enough that nothing expires while the test's blocks are built.
const YEAR_MS: u64 = 365 * 24 * 60 * 60 * 1000;

/// The node under test and an author client on which blocks are built.
struct Chain {
    client: Arc<Client>,
    author: Client,
}

fn client_with(clock: Arc<ManualClock>) -> Client {
    Client::with_clock(
        Arc::new(Database::in_memory()),
        ChainSpec::local(),
        Arc::new(Metrics::new()),
        clock,
    )
    .expect("client")
}

fn chain() -> Chain {
    Chain {
        client: Arc::new(client_with(Arc::new(ManualClock::new(1_000_000 * SLOT)))),
        author: client_with(Arc::new(ManualClock::new(u64::MAX / 4))),
    }
}

fn name(s: &str) -> DomainName {
    DomainName::parse(s).unwrap()
}

fn alice() -> AccountId {
    Pair::dev("Alice").public()
}

/// A block of `xts` on `parent` in `slot`, sealed by the slot's author and known to the author
/// client (so children can be built on it).
fn block(chain: &Chain, parent: &Header, slot: u64, xts: Vec<UncheckedExtrinsic>) -> Block {
    let digest = Digest {
        logs: vec![DigestItem::PreRuntime(AURA_ENGINE_ID, slot.encode())],
    };
    let timestamp = (slot * SLOT).max(parent.timestamp_ms + 1);
    let mut builder =
        BlockBuilder::new(chain.author.store(), parent, timestamp, digest).expect("builder");
    for xt in xts {
        builder
            .push(xt)
            .expect("valid extrinsic")
            .expect("call succeeds");
    }
    let mut block = builder.build().expect("build").block;
    let signer = VALIDATORS[(slot % 3) as usize];
    let seal = Pair::dev(signer).sign(block.header.pre_hash().as_bytes());
    block
        .header
        .digest
        .logs
        .push(DigestItem::Seal(AURA_ENGINE_ID, seal.0.to_vec()));
    chain
        .author
        .import_block(block.clone(), BlockOrigin::External, false)
        .expect("author imports its block");
    block
}

/// Alice's extrinsic number `nonce` calling `call`.
fn by_alice(chain: &Chain, nonce: u64, call: DomainsCall) -> UncheckedExtrinsic {
    sign_extrinsic(
        RuntimeCall::Domains(call),
        &Pair::dev("Alice"),
        nonce,
        0,
        chain.client.genesis_hash(),
        None,
    )
}

fn register(n: &str) -> DomainsCall {
    DomainsCall::Register {
        name: name(n),
        owner: alice(),
        duration_ms: YEAR_MS,
        secret: Hash::ZERO,
        records: vec![],
    }
}

fn set_a(n: &str, ip: [u8; 4]) -> DomainsCall {
    DomainsCall::SetRecord {
        name: name(n),
        record: DnsRecord::apex(RecordData::A(ip)),
    }
}

fn import(chain: &Chain, block: &Block) -> bool {
    chain
        .client
        .import_block(block.clone(), BlockOrigin::External, false)
        .expect("import")
        .is_new_best
}

/// Starts a feed of the best (or finalized) chain and returns its receiver.
fn follow(
    chain: &Chain,
    from: Option<u64>,
    after: Option<Hash>,
    finalized: bool,
) -> mpsc::Receiver<Arc<DomainChangesJson>> {
    let (tx, rx) = mpsc::channel(64);
    let client = chain.client.clone();
    tokio::spawn(async move {
        if let Err(e) = domain_feed::follow(client, from, after, finalized, true, tx).await {
            panic!("feed failed: {e}");
        }
    });
    rx
}

async fn next(rx: &mut mpsc::Receiver<Arc<DomainChangesJson>>) -> DomainChangesJson {
    let block = tokio::time::timeout(Duration::from_secs(20), rx.recv())
        .await
        .expect("a notification in time")
        .expect("feed open");
    Arc::unwrap_or_clone(block)
}

/// Shorthand of a notification: (height, hash, reverted, [(name, change type, index)]).
type Seen = (u64, Hash, bool, Vec<(String, String, u32)>);

fn seen(block: &DomainChangesJson) -> Seen {
    (
        block.block_height,
        block.block_hash,
        block.reverted,
        block
            .changes
            .iter()
            .map(|c| (c.domain.to_string(), c.change_type.clone(), c.index))
            .collect(),
    )
}

fn change(n: &str, kind: &str, index: u32) -> (String, String, u32) {
    (n.into(), kind.into(), index)
}

#[test]
fn import_stores_each_blocks_changes_with_the_names_before_and_after() {
    let chain = chain();
    let genesis = chain.client.best().unwrap().1;
    let a1 = block(
        &chain,
        &genesis,
        1_000,
        vec![
            by_alice(&chain, 0, register("log.ghost")),
            by_alice(&chain, 1, set_a("log.ghost", [10, 0, 0, 1])),
        ],
    );
    let a2 = block(&chain, &a1.header, 1_001, vec![]);
    assert!(import(&chain, &a1));
    assert!(import(&chain, &a2));

    let log = chain
        .client
        .db()
        .domain_changes(&a1.header.hash())
        .unwrap()
        .expect("a log for the block");
    let kinds: Vec<ChangeKind> = log.changes.iter().map(|c| c.kind).collect();
    assert_eq!(kinds, [ChangeKind::Created, ChangeKind::Updated]);
    assert_eq!(log.changes[0].extrinsic_index, Some(0));
    assert_eq!(log.changes[1].extrinsic_index, Some(1));
    // One entry per touched name: absent before, active with the record after.
    assert_eq!(log.names.len(), 1);
    let touched = &log.names[0];
    assert_eq!(touched.name, name("log.ghost"));
    assert_eq!(touched.before, None);
    let after = touched.after.as_ref().expect("stored after the block");
    assert_eq!(after.owner, alice());
    assert_eq!(after.status, LoggedStatus::Active);
    assert_eq!(
        after.records,
        vec![DnsRecord::apex(RecordData::A([10, 0, 0, 1]))]
    );
    assert_eq!(after.expires_at, a1.header.timestamp_ms + YEAR_MS);
    // A block without name changes stores an empty log, not none.
    let empty = chain
        .client
        .db()
        .domain_changes(&a2.header.hash())
        .unwrap()
        .expect("a log for the empty block");
    assert!(empty.is_empty());

    // The notification of the block carries each change's index and the state after it.
    let json = domain_feed::changes_at(&chain.client, 1).unwrap().unwrap();
    assert_eq!(json.block_hash, a1.header.hash());
    assert_eq!(json.parent_hash, Some(genesis.hash()));
    assert_eq!(
        seen(&json).3,
        vec![
            change("log.ghost", "created", 0),
            change("log.ghost", "updated", 1)
        ]
    );
    let state = json.changes[1].state.as_ref().expect("state after");
    assert_eq!(state.status, "active");
    assert_eq!(state.records, after.records);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reorg_reverts_the_retracted_blocks_names_to_the_fork_point_before_the_new_chain() {
    let chain = chain();
    let genesis = chain.client.best().unwrap().1;
    // Common block 1: `keep.ghost` with 10.0.0.1.
    let c1 = block(
        &chain,
        &genesis,
        1_000,
        vec![
            by_alice(&chain, 0, register("keep.ghost")),
            by_alice(&chain, 1, set_a("keep.ghost", [10, 0, 0, 1])),
        ],
    );
    assert!(import(&chain, &c1));
    // Fork A at 2: `keep.ghost` moves to 10.0.0.2 and `gone.ghost` is registered.
    let a2 = block(
        &chain,
        &c1.header,
        1_001,
        vec![
            by_alice(&chain, 2, set_a("keep.ghost", [10, 0, 0, 2])),
            by_alice(&chain, 3, register("gone.ghost")),
        ],
    );
    assert!(import(&chain, &a2));
    let mut live = follow(&chain, Some(1), None, false);
    assert_eq!(next(&mut live).await.block_hash, c1.header.hash());
    let first_a2 = next(&mut live).await;
    assert_eq!(
        seen(&first_a2),
        (
            2,
            a2.header.hash(),
            false,
            vec![
                change("keep.ghost", "updated", 0),
                change("gone.ghost", "created", 1)
            ]
        )
    );

    // Fork B, longer: 10.0.0.3 at height 3. A is retracted.
    let b2 = block(&chain, &c1.header, 1_002, vec![]);
    let b3 = block(
        &chain,
        &b2.header,
        1_003,
        vec![by_alice(&chain, 2, set_a("keep.ghost", [10, 0, 0, 3]))],
    );
    // b2 may win the tie with a2 (lowest hash) or not; either way a2 is retracted by b3 at
    // the latest, and the follower sees the same sequence.
    import(&chain, &b2);
    assert!(import(&chain, &b3));
    assert_eq!(chain.client.best().unwrap().0, b3.header.hash());

    let revert = next(&mut live).await;
    assert_eq!(
        seen(&revert),
        (
            2,
            a2.header.hash(),
            true,
            vec![
                change("gone.ghost", "reverted", 0),
                change("keep.ghost", "reverted", 1)
            ]
        )
    );
    assert_eq!(revert.parent_hash, Some(c1.header.hash()));
    // The fork point's states: `gone.ghost` did not exist, `keep.ghost` had 10.0.0.1.
    let gone = &revert.changes[0];
    assert_eq!(gone.state, None);
    let keep = revert.changes[1]
        .state
        .as_ref()
        .expect("keep.ghost at the fork");
    assert_eq!(
        keep.records,
        vec![DnsRecord::apex(RecordData::A([10, 0, 0, 1]))]
    );
    assert_eq!(
        revert.changes[1].new_records,
        Some(vec![DnsRecord::apex(RecordData::A([10, 0, 0, 1]))])
    );
    // Then the new chain, from the fork point on.
    assert_eq!(
        seen(&next(&mut live).await),
        (2, b2.header.hash(), false, vec![])
    );
    let b3_seen = next(&mut live).await;
    assert_eq!(
        seen(&b3_seen),
        (
            3,
            b3.header.hash(),
            false,
            vec![change("keep.ghost", "updated", 0)]
        )
    );
    assert_eq!(
        b3_seen.changes[0].state.as_ref().unwrap().records,
        vec![
            DnsRecord::apex(RecordData::A([10, 0, 0, 1])),
            DnsRecord::apex(RecordData::A([10, 0, 0, 3]))
        ],
        "set_record adds to the fork point's record"
    );

    // A follower that saw the orphaned a2 and resumes after it is rewound the same way.
    let mut resumed = follow(&chain, Some(3), Some(a2.header.hash()), false);
    assert_eq!(next(&mut resumed).await, revert);
    assert_eq!(next(&mut resumed).await.block_hash, b2.header.hash());
    assert_eq!(next(&mut resumed).await, b3_seen);
    // One that resumes after a block still on the chain just continues.
    let mut continued = follow(&chain, Some(3), Some(b2.header.hash()), false);
    assert_eq!(next(&mut continued).await, b3_seen);
    // Replay by height follows the best chain only.
    let mut replay = follow(&chain, Some(2), None, false);
    assert_eq!(next(&mut replay).await.block_hash, b2.header.hash());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resume_points_that_name_no_block_or_the_wrong_height_are_refused() {
    let chain = chain();
    let genesis = chain.client.best().unwrap().1;
    let loser = block(&chain, &genesis, 1_000, vec![]);
    assert!(import(&chain, &loser));
    let winner = block(&chain, &genesis, 1_001, vec![]);
    let winner2 = block(&chain, &winner.header, 1_002, vec![]);
    import(&chain, &winner);
    assert!(import(&chain, &winner2));
    let check =
        |from, after, finalized| domain_feed::check_start(&chain.client, from, after, finalized);
    assert!(matches!(
        check(Some(2), Some(Hash([9; 32])), false),
        Err(FeedError::UnknownBlock(_))
    ));
    assert!(matches!(
        check(Some(3), Some(winner.header.hash()), false),
        Err(FeedError::HeightMismatch {
            number: 1,
            expected: 2,
            ..
        })
    ));
    assert!(matches!(
        check(Some(0), Some(genesis.hash()), false),
        Err(FeedError::NoParentHeight)
    ));
    // The best stream takes an orphan (and rewinds it); the finalized stream never reverts.
    assert!(check(Some(2), Some(loser.header.hash()), false).is_ok());
    assert!(matches!(
        check(Some(2), Some(loser.header.hash()), true),
        Err(FeedError::NotFinalized(_))
    ));
    // Nothing but genesis is final here: a resume after block 1 is not a finalized one either.
    assert!(matches!(
        check(Some(2), Some(winner.header.hash()), true),
        Err(FeedError::NotFinalized(_))
    ));
    assert!(check(Some(1), Some(genesis.hash()), true).is_ok());
    assert!(FeedError::NoParentHeight.is_invalid_request());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_finalized_feed_never_reverts() {
    let chain = chain();
    let genesis = chain.client.best().unwrap().1;
    let finalize = |block: &Block| {
        chain
            .client
            .import_block(block.clone(), BlockOrigin::External, true)
            .expect("import and finalize");
    };
    let a1 = block(
        &chain,
        &genesis,
        1_000,
        vec![by_alice(&chain, 0, register("final.ghost"))],
    );
    finalize(&a1);
    let mut finalized = follow(&chain, Some(1), Some(genesis.hash()), true);
    assert_eq!(
        seen(&next(&mut finalized).await),
        (
            1,
            a1.header.hash(),
            false,
            vec![change("final.ghost", "created", 0)]
        )
    );
    // A fork above the finalized block is best for a while, then loses to a finalized chain:
    // the best chain reorgs, the finalized feed only ever sees the final blocks.
    let a2 = block(
        &chain,
        &a1.header,
        1_001,
        vec![by_alice(&chain, 1, set_a("final.ghost", [10, 0, 0, 9]))],
    );
    let b2 = block(&chain, &a1.header, 1_002, vec![]);
    let b3 = block(&chain, &b2.header, 1_003, vec![]);
    assert!(import(&chain, &a2));
    let mut best = follow(&chain, Some(2), None, false);
    assert_eq!(next(&mut best).await.block_hash, a2.header.hash());
    import(&chain, &b2);
    finalize(&b3);
    for expected in [&b2, &b3] {
        let got = next(&mut finalized).await;
        assert!(!got.reverted, "the finalized feed reverted {got:?}");
        assert_eq!(got.block_hash, expected.header.hash());
    }
    // The best feed, meanwhile, took a2 back.
    let revert = next(&mut best).await;
    assert!(revert.reverted);
    assert_eq!(revert.block_hash, a2.header.hash());
    assert_eq!(
        revert.changes[0].state.as_ref().map(|s| s.records.clone()),
        Some(vec![])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ghostbridges_index_follows_a_reorg_from_the_change_log() {
    use ghost_bridge::index::{self, Lookup, NameIndex};
    use ghost_bridge::{BlockRef, ChainSource};
    use ghost_primitives::RecordType;
    use ghost_service::bridge::InProcessSource;
    use ghost_service::pool_api::{FullChainApi, TransactionPool};
    let chain = chain();
    let pool = Arc::new(TransactionPool::new(
        Arc::new(FullChainApi::new(chain.client.clone())),
        ghost_txpool::PoolLimits::default(),
    ));
    let source: Arc<dyn ChainSource> = Arc::new(InProcessSource::new(
        chain.client.clone(),
        pool,
        Arc::new(tokio::sync::Notify::new()),
        None,
    ));
    let genesis = chain.client.best().unwrap().1;
    let c1 = block(
        &chain,
        &genesis,
        1_000,
        vec![
            by_alice(&chain, 0, register("keep.ghost")),
            by_alice(&chain, 1, set_a("keep.ghost", [10, 0, 0, 1])),
        ],
    );
    let a2 = block(
        &chain,
        &c1.header,
        1_001,
        vec![
            by_alice(&chain, 2, set_a("keep.ghost", [10, 0, 0, 2])),
            by_alice(&chain, 3, register("gone.ghost")),
        ],
    );
    assert!(import(&chain, &c1));
    assert!(import(&chain, &a2));
    let names = NameIndex::new();
    let head = index::load(source.as_ref(), &names, false).await.unwrap();
    assert_eq!(head.hash, a2.header.hash());
    let a = |ips: &[[u8; 4]]| {
        Lookup::Found(
            ips.iter()
                .map(|ip| DnsRecord::apex(RecordData::A(*ip)))
                .collect(),
        )
    };
    let now = a2.header.timestamp_ms;
    assert_eq!(
        names.lookup("keep.ghost", Some(RecordType::A), now),
        a(&[[10, 0, 0, 1], [10, 0, 0, 2]])
    );
    assert_eq!(
        names.lookup("gone.ghost", Some(RecordType::A), now),
        Lookup::Found(vec![])
    );

    let sync = tokio::spawn({
        let (source, names) = (source.clone(), names.clone());
        async move { index::follow(source.as_ref(), &names, 3, Some(head.hash), false).await }
    });
    let b2 = block(&chain, &c1.header, 1_002, vec![]);
    let b3 = block(
        &chain,
        &b2.header,
        1_003,
        vec![by_alice(&chain, 2, set_a("keep.ghost", [10, 0, 0, 3]))],
    );
    import(&chain, &b2);
    assert!(import(&chain, &b3));
    let target = BlockRef {
        height: 3,
        hash: b3.header.hash(),
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while names.head() != Some(target) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "index stuck at {:?}",
            names.head()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // a2's registration is undone, b3's record is in: as if the index had only seen fork B.
    assert_eq!(
        names.lookup("keep.ghost", Some(RecordType::A), now),
        a(&[[10, 0, 0, 1], [10, 0, 0, 3]])
    );
    assert_eq!(
        names.lookup("gone.ghost", Some(RecordType::A), now),
        Lookup::NxDomain
    );
    assert!(names.name(&name("gone.ghost")).is_none());

    // A fresh load at the new head gives exactly the same index.
    let reloaded = NameIndex::new();
    index::load(source.as_ref(), &reloaded, false)
        .await
        .unwrap();
    assert_eq!(reloaded.names(), names.names());
    sync.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn finality_off_the_best_chain_reverts_the_pruned_fork_for_best_chain_followers() {
    let chain = chain();
    let genesis = chain.client.best().unwrap().1;
    // Fork A (two blocks, best) registers `lost.ghost`; fork B (one block) gets finalized.
    let a1 = block(
        &chain,
        &genesis,
        1_000,
        vec![by_alice(&chain, 0, register("lost.ghost"))],
    );
    let a2 = block(&chain, &a1.header, 1_001, vec![]);
    let b1 = block(&chain, &genesis, 1_002, vec![]);
    for b in [&a1, &a2, &b1] {
        import(&chain, b);
    }
    assert_eq!(chain.client.best().unwrap().0, a2.header.hash());
    let mut live = follow(&chain, Some(1), None, false);
    assert_eq!(next(&mut live).await.block_hash, a1.header.hash());
    assert_eq!(next(&mut live).await.block_hash, a2.header.hash());

    let pairs: Vec<Pair> = VALIDATORS.iter().map(|name| Pair::dev(name)).collect();
    let pairs: Vec<&Pair> = pairs.iter().collect();
    let justification = ghost_consensus::grandpa::GrandpaJustification::signed_by(
        &pairs,
        &chain.client.genesis_hash(),
        1,
        0,
        &b1.header,
    )
    .encode();
    let outcome = chain
        .client
        .import_justification(b1.header.hash(), justification)
        .unwrap();
    assert_eq!(
        outcome.commit.pruned.len(),
        2,
        "fork A's blocks are deleted"
    );
    // No block is imported after the justification: finality alone wakes the feed, and fork
    // A's logs (which outlive its blocks) take the follower back.
    let reverted: Vec<Seen> = [next(&mut live).await, next(&mut live).await]
        .iter()
        .map(seen)
        .collect();
    assert_eq!(
        reverted,
        vec![
            (2, a2.header.hash(), true, vec![]),
            (
                1,
                a1.header.hash(),
                true,
                vec![change("lost.ghost", "reverted", 0)]
            ),
        ]
    );
    assert_eq!(
        seen(&next(&mut live).await),
        (1, b1.header.hash(), false, vec![])
    );
}
