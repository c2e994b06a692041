//! `ghostchain seed-state`'s engine: registrations authored into real, finalized blocks on a
//! dev chain, every one resolving afterwards, and a failed registration stopping the run with
//! the name and the reason.

use std::sync::Arc;

use ghost_primitives::{DomainName, Pair};
use ghost_runtime::chain_spec::ChainSpec;
use ghost_service::client::Client;
use ghost_service::metrics::Metrics;
use ghost_service::seed::{SeedConfig, SeedError, YEAR_MS, seed_names};
use ghost_storage::Database;

fn dev_client() -> Arc<Client> {
    Arc::new(
        Client::new(
            Arc::new(Database::in_memory()),
            ChainSpec::dev(),
            Arc::new(Metrics::new()),
        )
        .expect("client"),
    )
}

fn pair(suri: &str) -> Pair {
    Pair::from_suri(suri).expect("dev key")
}

fn config(names: u64, per_block: usize) -> SeedConfig {
    SeedConfig {
        names,
        records: 2,
        per_block,
        prefix: "seedtest".into(),
        duration_ms: YEAR_MS,
    }
}

#[test]
fn seeded_names_are_in_finalized_blocks_and_resolve_with_their_records() {
    let client = dev_client();
    let signers = [pair("//Bob"), pair("//Charlie")];
    let mut heard = 0;
    let report = seed_names(
        client.clone(),
        pair("//Alice"),
        &signers,
        &config(90, 40),
        |_| heard += 1,
    )
    .expect("seeding");
    assert_eq!(report.names, 90);
    // 40 offered a block: three blocks, each heard by the progress callback.
    assert_eq!(report.blocks, 3);
    assert_eq!(heard, 3);
    assert_eq!(report.samples.last().map(|s| s.names), Some(90));
    let (best_hash, best) = client.best().expect("best");
    let (finalized_hash, _) = client.finalized().expect("finalized");
    assert_eq!(best.number, report.best);
    assert_eq!(finalized_hash, best_hash, "dev blocks are final as sealed");
    for i in 0..90u64 {
        let name = DomainName::parse(&format!("seedtest{i}.ghost")).expect("name");
        let resolution = client
            .read_state(&best, |store| {
                ghost_runtime::api::resolve(store, &best, &name, None)
            })
            .expect("read")
            .unwrap_or_else(|| panic!("{name} is not registered"));
        assert_eq!(resolution.records.len(), 2, "{name}");
        let owner = if i % 2 == 0 { &signers[0] } else { &signers[1] };
        assert_eq!(resolution.owner, owner.public(), "{name}");
    }
}

#[test]
fn a_taken_name_stops_the_run_naming_it() {
    let client = dev_client();
    let signers = [pair("//Bob")];
    seed_names(
        client.clone(),
        pair("//Alice"),
        &signers,
        &config(3, 10),
        |_| {},
    )
    .expect("first run");
    // The same names again: the first is taken, and the run says so.
    let error = seed_names(client, pair("//Alice"), &signers, &config(3, 10), |_| {})
        .expect_err("the names are taken");
    match error {
        SeedError::Failed { name, error, .. } => {
            assert_eq!(name, "seedtest0.ghost");
            assert!(error.contains("Taken"), "{error}");
        }
        other => panic!("unexpected {other}"),
    }
}

#[test]
fn a_prefix_that_makes_no_valid_name_is_refused_before_anything_is_signed() {
    let client = dev_client();
    let mut bad = config(3, 10);
    bad.prefix = "no dots.or spaces".into();
    let error = seed_names(
        client.clone(),
        pair("//Alice"),
        &[pair("//Bob")],
        &bad,
        |_| {},
    )
    .expect_err("bad prefix");
    assert!(matches!(error, SeedError::BadPrefix { .. }), "{error}");
    assert_eq!(client.best().expect("best").1.number, 0);
}

/// The figure in docs/PERFORMANCE.md ("GhostBridge index load"): `GHOST_LOAD_NAMES` names
/// (default 100,000, 3 records each) seeded into a RocksDB dev chain, then GhostBridge's index
/// loaded from it twice in one run: through the in-process source (a page of resolutions per
/// ordered pass, `api::resolve_page`) and through the same source listing names and resolving
/// each one (what every source did before, and what the remote sidecar still does). Run alone:
/// `cargo test -p ghost-service --test seed -- --ignored --nocapture index_load_figures`.
#[test]
#[ignore = "a measurement, minutes long: run by hand"]
fn index_load_figures() {
    use ghost_bridge::{BlockRef, BridgeError, ChainSource, FinalityBundle, Inclusion};
    use ghost_primitives::Hash;
    use ghost_rpc::{DomainChangesJson, NameListJson, ResolutionJson, ResolutionProofJson};
    use ghost_service::bridge::InProcessSource;
    use tokio::sync::mpsc;

    /// The in-process source without its page-of-resolutions path.
    struct NameByName(InProcessSource);

    #[async_trait::async_trait]
    impl ChainSource for NameByName {
        async fn head(&self, finalized: bool) -> Result<BlockRef, BridgeError> {
            self.0.head(finalized).await
        }
        async fn block_at(&self, height: u64) -> Result<Option<BlockRef>, BridgeError> {
            self.0.block_at(height).await
        }
        async fn resolve(
            &self,
            name: &DomainName,
            at: Option<Hash>,
        ) -> Result<Option<ResolutionJson>, BridgeError> {
            self.0.resolve(name, at).await
        }
        async fn resolve_with_proof(
            &self,
            name: &DomainName,
            at: Option<Hash>,
        ) -> Result<ResolutionProofJson, BridgeError> {
            self.0.resolve_with_proof(name, at).await
        }
        async fn finality(&self, at: Hash) -> Result<Option<FinalityBundle>, BridgeError> {
            self.0.finality(at).await
        }
        async fn names(
            &self,
            at: Hash,
            cursor: Option<Hash>,
            limit: u32,
        ) -> Result<NameListJson, BridgeError> {
            self.0.names(at, cursor, limit).await
        }
        async fn follow(
            &self,
            from: u64,
            after: Option<Hash>,
            finalized: bool,
        ) -> Result<
            mpsc::Receiver<Result<std::sync::Arc<DomainChangesJson>, BridgeError>>,
            BridgeError,
        > {
            self.0.follow(from, after, finalized).await
        }
        async fn submit_signed_update(
            &self,
            update: ghost_runtime::domains::SignedRecordUpdate,
        ) -> Result<(Hash, Inclusion), BridgeError> {
            self.0.submit_signed_update(update).await
        }
    }

    let names: u64 = std::env::var("GHOST_LOAD_NAMES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().expect("tempdir");
    let db = Database::open_with(
        dir.path(),
        &ghost_storage::DatabaseConfig {
            state_pruning: ghost_storage::StatePruning::Window(
                std::num::NonZeroU32::MIN.saturating_add(255),
            ),
            ..ghost_storage::DatabaseConfig::default()
        },
    )
    .expect("open");
    let client = Arc::new(
        Client::new(Arc::new(db), ChainSpec::dev(), Arc::new(Metrics::new())).expect("client"),
    );
    let signers: Vec<Pair> = [
        "//Alice",
        "//Bob",
        "//Charlie",
        "//Dave",
        "//Eve",
        "//Ferdie",
    ]
    .iter()
    .map(|s| pair(s))
    .collect();
    let seeding = std::time::Instant::now();
    let mut config = config(names, 2_000);
    config.records = 3;
    seed_names(client.clone(), pair("//Alice"), &signers, &config, |_| {}).expect("seeding");
    eprintln!(
        "seeded {names} names in {:.1} s",
        seeding.elapsed().as_secs_f64()
    );
    let pool = Arc::new(ghost_service::pool_api::TransactionPool::new(
        Arc::new(ghost_service::pool_api::FullChainApi::new(client.clone())),
        ghost_txpool::PoolLimits::default(),
    ));
    let source = || {
        InProcessSource::new(
            client.clone(),
            pool.clone(),
            Arc::new(tokio::sync::Notify::new()),
            None,
        )
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let time = |source: &dyn ChainSource| {
        let index = ghost_bridge::index::NameIndex::new();
        let started = std::time::Instant::now();
        runtime
            .block_on(ghost_bridge::index::load(source, &index, true))
            .expect("load");
        assert_eq!(index.len() as u64, names);
        started.elapsed().as_secs_f64()
    };
    let by_name = time(&NameByName(source()));
    let paged = time(&source());
    let paged_again = time(&source());
    let by_name_again = time(&NameByName(source()));
    eprintln!(
        "index load of {names} names: pages of resolutions {paged:.2} s / {paged_again:.2} s, \
         name by name {by_name:.2} s / {by_name_again:.2} s ({:.1}x)",
        (by_name + by_name_again) / (paged + paged_again)
    );
}

/// GhostBridge's index load through the in-process source reads every name once through the
/// bulk reader: RocksDB's block cache and the node cache are left as they were, where the same
/// page read through the ordinary reader fills both.
#[test]
fn the_in_process_index_load_fills_neither_the_block_cache_nor_the_node_cache() {
    use ghost_service::bridge::InProcessSource;

    const NAMES: u64 = 600;
    let dir = tempfile::tempdir().expect("tempdir");
    let rocks_client = || {
        let db = Database::open_with(dir.path(), &ghost_storage::DatabaseConfig::default())
            .expect("open");
        Arc::new(
            Client::new(Arc::new(db), ChainSpec::dev(), Arc::new(Metrics::new())).expect("client"),
        )
    };
    seed_names(
        rocks_client(),
        pair("//Alice"),
        &[pair("//Bob")],
        &config(NAMES, NAMES as usize),
        |_| {},
    )
    .expect("seeding");
    // Opened again: the state sits in RocksDB's table files and both caches start empty.
    let client = rocks_client();
    let db = client.db().clone();
    let blocks_before = db.block_cache_usage().expect("RocksDB has a block cache");
    let nodes_before = db.node_cache_stats();

    let pool = Arc::new(ghost_service::pool_api::TransactionPool::new(
        Arc::new(ghost_service::pool_api::FullChainApi::new(client.clone())),
        ghost_txpool::PoolLimits::default(),
    ));
    let source = InProcessSource::new(
        client.clone(),
        pool,
        Arc::new(tokio::sync::Notify::new()),
        None,
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let index = ghost_bridge::index::NameIndex::new();
    runtime
        .block_on(ghost_bridge::index::load(&source, &index, true))
        .expect("load");
    assert_eq!(index.len() as u64, NAMES);
    let load_growth = db
        .block_cache_usage()
        .expect("block cache")
        .saturating_sub(blocks_before);
    let nodes_after = db.node_cache_stats();
    assert_eq!(
        (nodes_after.nodes, nodes_after.bytes),
        (nodes_before.nodes, nodes_before.bytes),
        "the load added trie nodes to the node cache"
    );

    // The same names through the ordinary reader: what the load would have cached.
    let (_, head) = client.finalized().expect("finalized");
    let page = client
        .read_state(&head, |store| {
            ghost_runtime::api::resolve_page(store, &head, None, NAMES as usize, None)
        })
        .expect("page");
    assert_eq!(page.resolutions.len() as u64, NAMES);
    let cached_growth = db
        .block_cache_usage()
        .expect("block cache")
        .saturating_sub(blocks_before);
    assert!(
        load_growth * 10 < cached_growth,
        "the load left {load_growth} bytes in the block cache, an ordinary pass {cached_growth}"
    );
    assert!(db.node_cache_stats().nodes > nodes_before.nodes);
}
