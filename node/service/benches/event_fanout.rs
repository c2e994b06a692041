//! GhostBridge's `SubscribeDomainChanges` fan-out: one imported block's name changes delivered
//! to K gRPC subscribers, timed from the block's import until every subscriber has read all of
//! them.
//!
//! Everything on the way is the node's own code, as `ghostchain --dev --bridge` runs it:
//!
//! ```text
//!   Client::import_block ──► imported broadcast ──► domain_feed::follow (one per subscriber;
//!   the block's DomainChangesJson is built from the stored log once and shared) ──►
//!   subscription pump (filter; the DomainChangeEvents are converted once per block and
//!   shared) ──► tonic (prost encode,
//!   HTTP/2 over loopback) ──► K tonic clients, one connection each
//! ```
//!
//! The chain runs on the in-memory database, so no fsync is timed. The clients run on the same
//! tokio runtime as the server (the box has 2 cores), so their decoding is in the figures.
//! `import/N changes` (no subscriber) is the import alone; subtract it from `fanout/...` for the
//! fan-out itself.
//!
//! `cargo bench -p ghost-service --bench event_fanout`

use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use ghost_bridge::NameIndex;
use ghost_bridge::grpc::proto::DomainSubscription;
use ghost_bridge::grpc::proto::ghost_dns_service_client::GhostDnsServiceClient;
use ghost_bridge::grpc::{GrpcConfig, GrpcServerHandle, serve};
use ghost_consensus::clock::ManualClock;
use ghost_primitives::{
    AURA_ENGINE_ID, Digest, DigestItem, DnsRecord, DomainName, Hash, Header, Pair, RecordData,
};
use ghost_runtime::builder::BlockBuilder;
use ghost_runtime::chain_spec::ChainSpec;
use ghost_runtime::domains::Call as DomainsCall;
use ghost_runtime::{Block, RuntimeCall, sign_extrinsic};
use ghost_service::bridge::InProcessSource;
use ghost_service::client::{BlockOrigin, Client};
use ghost_service::metrics::Metrics;
use ghost_service::pool_api::{FullChainApi, TransactionPool};
use ghost_storage::Database;
use parity_scale_codec::Encode;
use tokio::runtime::Runtime;
use tokio::sync::{Notify, mpsc};
use tonic::transport::Endpoint;

const SLOT: u64 = 500;
const VALIDATORS: [&str; 3] = ["Alice", "Bob", "Charlie"];
const YEAR_MS: u64 = 365 * 24 * 60 * 60 * 1000;
/// Most changes a block carries here: that many names are registered first.
const NAMES: usize = 100;

/// A block built on the author client and ready for the node.
struct Prepared {
    block: Block,
    origin: BlockOrigin,
}

/// The node (with the bridge's gRPC server on it) and an author client building its blocks.
struct Chain {
    node: Arc<Client>,
    author: Client,
    head: Header,
    slot: u64,
    nonce: u64,
    round: u32,
}

fn client() -> Client {
    Client::with_clock(
        Arc::new(Database::in_memory()),
        ChainSpec::local(),
        Arc::new(Metrics::new()),
        Arc::new(ManualClock::new(u64::MAX / 4)),
    )
    .expect("client")
}

fn name(i: usize) -> DomainName {
    DomainName::parse(&format!("fanout{i}.ghost")).expect("name")
}

impl Chain {
    fn new() -> Chain {
        let author = client();
        let head = author.best().expect("best").1;
        let mut chain = Chain {
            node: Arc::new(client()),
            author,
            head,
            slot: 1_000,
            nonce: 0,
            round: 0,
        };
        let calls = (0..NAMES)
            .map(|i| DomainsCall::Register {
                name: name(i),
                owner: Pair::dev("Alice").public(),
                duration_ms: YEAR_MS,
                secret: Hash::ZERO,
                records: vec![],
            })
            .collect();
        let prepared = chain.prepare(calls);
        chain.import(prepared);
        chain
    }

    /// A block of Alice's `calls` on the head, sealed and imported by the author.
    fn prepare(&mut self, calls: Vec<DomainsCall>) -> Prepared {
        self.slot += 1;
        let digest = Digest {
            logs: vec![DigestItem::PreRuntime(AURA_ENGINE_ID, self.slot.encode())],
        };
        let timestamp = (self.slot * SLOT).max(self.head.timestamp_ms + 1);
        let mut builder =
            BlockBuilder::new(self.author.store(), &self.head, timestamp, digest).expect("builder");
        for call in calls {
            let xt = sign_extrinsic(
                RuntimeCall::Domains(call),
                &Pair::dev("Alice"),
                self.nonce,
                0,
                self.author.genesis_hash(),
                None,
            );
            self.nonce += 1;
            builder
                .push(xt)
                .expect("valid extrinsic")
                .expect("call succeeds");
        }
        let mut built = builder.build().expect("build");
        let signer = VALIDATORS[(self.slot % 3) as usize];
        let seal = Pair::dev(signer).sign(built.block.header.pre_hash().as_bytes());
        built
            .block
            .header
            .digest
            .logs
            .push(DigestItem::Seal(AURA_ENGINE_ID, seal.0.to_vec()));
        let prepared = Prepared {
            block: built.block.clone(),
            origin: BlockOrigin::Own {
                state_nodes: built.state_nodes.clone(),
                state_refs: built.state_refs.clone(),
                events: built.events.clone(),
                encoded_events: built.encoded_events.clone(),
            },
        };
        self.head = built.block.header.clone();
        self.author
            .import_own(built, false)
            .expect("author imports its block");
        prepared
    }

    /// A block changing the TTL of the A record of `changes` names (an update each).
    fn prepare_changes(&mut self, changes: usize) -> Prepared {
        self.round += 1;
        let record = DnsRecord {
            ttl: 60 + self.round % 3_600,
            ..DnsRecord::apex(RecordData::A([10, 0, 0, 1]))
        };
        let calls = (0..changes)
            .map(|i| DomainsCall::SetRecord {
                name: name(i),
                record: record.clone(),
            })
            .collect();
        self.prepare(calls)
    }

    /// Imports a prepared block into the node (as its author would: no re-execution).
    fn import(&self, prepared: Prepared) {
        self.node
            .import_block(prepared.block, prepared.origin, false)
            .expect("node imports the block");
    }
}

/// K subscribers of the node's gRPC stream; each reports when it has read a block's changes.
struct Subscribers {
    _server: GrpcServerHandle,
    done: mpsc::UnboundedReceiver<()>,
    count: usize,
}

impl Subscribers {
    async fn start(node: &Arc<Client>, count: usize, changes: usize) -> Subscribers {
        let pool = Arc::new(TransactionPool::new(
            Arc::new(FullChainApi::new(node.clone())),
            Default::default(),
        ));
        let source = Arc::new(InProcessSource::new(
            node.clone(),
            pool,
            Arc::new(Notify::new()),
            None,
        ));
        let config = GrpcConfig {
            addr: "127.0.0.1:0".parse().expect("address"),
            max_streams: count.max(1),
            ..GrpcConfig::default()
        };
        let server = serve(source, NameIndex::new(), config)
            .await
            .expect("gRPC server");
        let url = format!("http://{}", server.local_addr());
        let (tx, done) = mpsc::unbounded_channel();
        for _ in 0..count {
            // One connection per subscriber, as separate clients would have.
            let channel = Endpoint::from_shared(url.clone())
                .expect("endpoint")
                .connect()
                .await
                .expect("connect");
            let mut stream = GhostDnsServiceClient::new(channel)
                .subscribe_domain_changes(DomainSubscription::default())
                .await
                .expect("subscribe")
                .into_inner();
            let tx = tx.clone();
            tokio::spawn(async move {
                let mut read = 0;
                while let Ok(Some(_event)) = stream.message().await {
                    read += 1;
                    if read == changes {
                        read = 0;
                        if tx.send(()).is_err() {
                            return;
                        }
                    }
                }
            });
        }
        Subscribers {
            _server: server,
            done,
            count,
        }
    }

    /// Waits until every subscriber has read one more block.
    async fn all_read(&mut self) {
        for _ in 0..self.count {
            tokio::time::timeout(Duration::from_secs(60), self.done.recv())
                .await
                .expect("every subscriber reads the block in time")
                .expect("subscribers run");
        }
    }
}

fn fanout(c: &mut Criterion) {
    let runtime = Runtime::new().expect("tokio runtime");
    let mut group = c.benchmark_group("fanout");
    group.sample_size(10);
    for changes in [1, 100] {
        // The import alone: what the rows below pay before any subscriber is involved.
        let mut chain = Chain::new();
        group.throughput(Throughput::Elements(changes as u64));
        group.bench_function(
            BenchmarkId::new(format!("import/{changes} changes"), 0),
            |b| {
                b.iter_custom(|iters| {
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        let prepared = chain.prepare_changes(changes);
                        let start = Instant::now();
                        chain.import(prepared);
                        total += start.elapsed();
                    }
                    total
                })
            },
        );
        for subscribers in [1, 10, 100, 1_000] {
            let mut chain = Chain::new();
            let _guard = runtime.enter();
            let mut subs = runtime.block_on(Subscribers::start(&chain.node, subscribers, changes));
            // Every stream is open and following before anything is timed.
            let prepared = chain.prepare_changes(changes);
            chain.import(prepared);
            runtime.block_on(subs.all_read());
            group.throughput(Throughput::Elements((changes * subscribers) as u64));
            group.bench_function(
                BenchmarkId::new(format!("{changes} changes"), subscribers),
                |b| {
                    b.iter_custom(|iters| {
                        let mut total = Duration::ZERO;
                        for _ in 0..iters {
                            let prepared = chain.prepare_changes(changes);
                            let start = Instant::now();
                            chain.import(prepared);
                            runtime.block_on(subs.all_read());
                            total += start.elapsed();
                        }
                        total
                    })
                },
            );
        }
    }
    group.finish();
}

criterion_group!(benches, fanout);
criterion_main!(benches);
