//! Block import from outside (as the network will hand blocks over): Aura checks against the
//! parent's validator set and the local clock, fork choice, finality ancestry, and the import
//! queue holding blocks whose parent is missing. The chain runs on the in-memory database.

use std::sync::Arc;

use ghost_consensus::clock::ManualClock;
use ghost_consensus::import_queue::{BlockOrigin as QueueOrigin, ImportQueue, Imported};
use ghost_primitives::{AURA_ENGINE_ID, Digest, DigestItem, Header, Pair};
use ghost_runtime::builder::BlockBuilder;
use ghost_runtime::chain_spec::ChainSpec;
use ghost_runtime::{Block, RuntimeCall, UncheckedExtrinsic};
use ghost_service::client::{BlockOrigin, Client, ClientError};
use ghost_service::metrics::Metrics;
use ghost_storage::Database;
use parity_scale_codec::Encode;

/// The local spec's slot (ms) and validators.
const SLOT: u64 = 500;
const VALIDATORS: [&str; 3] = ["Alice", "Bob", "Charlie"];

/// The node under test, and an author node (its own database, a clock far ahead) on which the
/// test builds blocks: a block's state must exist before a child can be built on it.
struct Chain {
    client: Arc<Client>,
    metrics: Arc<Metrics>,
    author: Client,
    clock: Arc<ManualClock>,
}

fn client_with(clock: Arc<ManualClock>, metrics: Arc<Metrics>) -> Client {
    Client::with_clock(
        Arc::new(Database::in_memory()),
        ChainSpec::local(),
        metrics,
        clock,
    )
    .expect("client")
}

fn chain() -> Chain {
    let clock = Arc::new(ManualClock::new(1_000_000 * SLOT));
    let metrics = Arc::new(Metrics::new());
    Chain {
        client: Arc::new(client_with(clock.clone(), metrics.clone())),
        metrics,
        author: client_with(
            Arc::new(ManualClock::new(u64::MAX / 4)),
            Arc::new(Metrics::new()),
        ),
        clock,
    }
}

/// An empty block on `parent` in `slot`, sealed by `signer`.
fn block_by(chain: &Chain, parent: &Header, slot: u64, signer: &str) -> Block {
    block_with(chain, parent, slot, signer, vec![])
}

/// A block of `xts` on `parent` in `slot`, sealed by `signer`.
fn block_with(
    chain: &Chain,
    parent: &Header,
    slot: u64,
    signer: &str,
    xts: Vec<UncheckedExtrinsic>,
) -> Block {
    let digest = Digest {
        logs: vec![DigestItem::PreRuntime(AURA_ENGINE_ID, slot.encode())],
    };
    // At the slot's start, or just after the parent (a same-slot block, to be refused).
    let timestamp = (slot * SLOT).max(parent.timestamp_ms + 1);
    let mut builder =
        BlockBuilder::new(chain.author.store(), parent, timestamp, digest).expect("builder");
    for xt in xts {
        builder
            .push(xt)
            .expect("valid extrinsic")
            .expect("call succeeds");
    }
    let built = builder.build().expect("build");
    let mut block = built.block;
    let seal = Pair::dev(signer).sign(block.header.pre_hash().as_bytes());
    block
        .header
        .digest
        .logs
        .push(DigestItem::Seal(AURA_ENGINE_ID, seal.0.to_vec()));
    // Children are built on the author's copy; a block it refuses (a wrong seal) is a leaf.
    if let Err(e) = chain
        .author
        .import_block(block.clone(), BlockOrigin::External, false)
    {
        eprintln!("author refused block #{}: {e}", block.header.number);
    }
    block
}

/// An empty block on `parent` in `slot`, sealed by the slot's author.
fn block_in(chain: &Chain, parent: &Header, slot: u64) -> Block {
    block_by(chain, parent, slot, VALIDATORS[(slot % 3) as usize])
}

fn import(chain: &Chain, block: &Block) -> Result<bool, ClientError> {
    chain
        .client
        .import_block(block.clone(), BlockOrigin::External, false)
        .map(|imported| imported.is_new_best)
}

fn genesis(chain: &Chain) -> Header {
    chain.client.best().unwrap().1
}

#[test]
fn blocks_by_their_slot_authors_import_and_extend_the_best_chain() {
    let chain = chain();
    let g = genesis(&chain);
    let b1 = block_in(&chain, &g, 1_000);
    assert!(import(&chain, &b1).unwrap());
    let b2 = block_in(&chain, &b1.header, 1_001);
    assert!(import(&chain, &b2).unwrap());
    assert_eq!(chain.client.best().unwrap().0, b2.header.hash());
}

#[test]
fn wrong_author_same_slot_and_future_slot_are_refused_and_nothing_is_written() {
    let chain = chain();
    let g = genesis(&chain);
    let b1 = block_in(&chain, &g, 1_000);
    import(&chain, &b1).unwrap();

    // Slot 1_001 is Charlie's (1_001 % 3 = 2); Alice signs it.
    let wrong = block_by(&chain, &b1.header, 1_001, "Alice");
    assert!(matches!(
        import(&chain, &wrong),
        Err(ClientError::BadSeal(_))
    ));
    // A second block in the parent's own slot.
    let same = block_in(&chain, &g, 1_000);
    let same_slot = block_in(&chain, &same.header, 1_000);
    assert!(matches!(
        import(&chain, &same_slot),
        Err(ClientError::BadSeal(_))
    ));
    // Far ahead of the local clock (1_000_000 slots of 500 ms).
    let future = block_in(&chain, &b1.header, 1_000_000 + 100);
    assert!(matches!(
        import(&chain, &future),
        Err(ClientError::BadSeal(_))
    ));
    // Once the clock gets there, the same block is fine.
    chain.clock.set((1_000_000 + 100) * SLOT);
    assert!(import(&chain, &future).is_ok());
    for refused in [&wrong, &same_slot] {
        assert_eq!(chain.client.header(&refused.header.hash()).unwrap(), None);
    }
    let metrics = chain.metrics.encode();
    for reason in ["wrong_author", "slot_not_increasing", "future_slot"] {
        assert!(
            metrics.contains(&format!(
                "ghostchain_import_refused_total{{kind=\"block\",reason=\"{reason}\"}} 1"
            )),
            "{reason} not counted:\n{metrics}"
        );
    }
}

#[test]
fn fork_choice_takes_the_longest_chain_and_the_lowest_hash_on_ties() {
    let chain = chain();
    let g = genesis(&chain);
    let a1 = block_in(&chain, &g, 1_000);
    let b1 = block_in(&chain, &g, 1_001);
    import(&chain, &a1).unwrap();
    let b1_best = import(&chain, &b1).unwrap();
    // Equal length: the lower hash wins.
    assert_eq!(b1_best, b1.header.hash() < a1.header.hash());
    let lower = a1.header.hash().min(b1.header.hash());
    assert_eq!(chain.client.best().unwrap().0, lower);
    // Longer wins, whatever the hash.
    let (short, long_parent) = if lower == a1.header.hash() {
        (&a1, &b1)
    } else {
        (&b1, &a1)
    };
    let long = block_in(&chain, &long_parent.header, 1_005);
    let imported = chain
        .client
        .import_block(long.clone(), BlockOrigin::External, false)
        .unwrap();
    assert!(imported.is_new_best);
    let route = imported.route.clone().expect("a reorg route");
    assert_eq!(route.retracted, vec![(1, short.header.hash())]);
    assert_eq!(
        route.enacted,
        vec![(1, long_parent.header.hash()), (2, long.header.hash())]
    );
}

#[test]
fn a_block_on_a_fork_below_the_finalized_block_is_refused() {
    let chain = chain();
    let g = genesis(&chain);
    let a1 = block_in(&chain, &g, 1_000);
    let a2 = block_in(&chain, &a1.header, 1_001);
    import(&chain, &a1).unwrap();
    chain
        .client
        .import_block(a2.clone(), BlockOrigin::External, true)
        .unwrap();
    let fork = block_in(&chain, &g, 1_002);
    assert!(matches!(
        import(&chain, &fork),
        Err(ClientError::BelowFinalized {
            number: 1,
            finalized: 2
        })
    ));
}

#[test]
fn the_import_queue_holds_blocks_until_their_parent_arrives() {
    let chain = chain();
    let g = genesis(&chain);
    let b1 = block_in(&chain, &g, 1_000);
    let b2 = block_in(&chain, &b1.header, 1_001);
    let b3 = block_in(&chain, &b2.header, 1_002);
    let mut queue = ImportQueue::new(8);
    assert_eq!(
        queue.import(&*chain.client, b3.clone(), QueueOrigin::Network),
        Imported::Held {
            missing: b2.header.hash()
        }
    );
    queue.import(&*chain.client, b2.clone(), QueueOrigin::Network);
    assert_eq!(
        queue.import(&*chain.client, b1.clone(), QueueOrigin::Network),
        Imported::Imported {
            children: vec![b2.header.hash(), b3.header.hash()],
            justifications: Vec::new(),
        }
    );
    assert_eq!(chain.client.best().unwrap().0, b3.header.hash());
    // A forged block is refused with the reason, not held.
    let forged = block_by(&chain, &b3.header, 1_003, "Mallory");
    assert!(matches!(
        queue.import(&*chain.client, forged, QueueOrigin::Network),
        Imported::Refused(reason) if reason.contains("seal")
    ));
}

#[test]
fn a_reorg_puts_the_retracted_blocks_transactions_back_into_the_pool() {
    use ghost_service::pool_api::{FullChainApi, TransactionPool, maintain_pool};
    use ghost_txpool::PoolLimits;
    let chain = chain();
    let pool = TransactionPool::new(
        Arc::new(FullChainApi::new(chain.client.clone())),
        PoolLimits::default(),
    );
    let g = genesis(&chain);
    let transfer = ghost_runtime::sign_extrinsic(
        RuntimeCall::Balances(ghost_runtime::balances::Call::Transfer {
            dest: Pair::dev("Bob").public(),
            value: 1_000_000_000,
        }),
        &Pair::dev("Alice"),
        0,
        0,
        chain.client.genesis_hash(),
        None,
    );
    // Fork A includes the transfer and is best; the pool forgets it.
    pool.submit(g.hash(), transfer.clone()).unwrap();
    let a1 = block_with(&chain, &g, 1_000, "Bob", vec![transfer.clone()]);
    let imported = chain
        .client
        .import_block(a1.clone(), BlockOrigin::External, false)
        .unwrap();
    maintain_pool(&chain.client, &pool, &imported).unwrap();
    assert!(!pool.contains(&transfer.hash()));
    // Fork B, longer and without it, wins: the transfer is ready again, at B's state.
    let b1 = block_in(&chain, &g, 1_001);
    let b2 = block_in(&chain, &b1.header, 1_002);
    for block in [&b1, &b2] {
        let imported = chain
            .client
            .import_block(block.clone(), BlockOrigin::External, false)
            .unwrap();
        maintain_pool(&chain.client, &pool, &imported).unwrap();
    }
    assert_eq!(chain.client.best().unwrap().0, b2.header.hash());
    assert!(pool.contains(&transfer.hash()));
    assert_eq!(pool.ready().len(), 1);
    // Back to A, extended: the transfer is included again and leaves the pool.
    let a2 = block_in(&chain, &a1.header, 1_003);
    let a3 = block_in(&chain, &a2.header, 1_004);
    for block in [&a2, &a3] {
        let imported = chain
            .client
            .import_block(block.clone(), BlockOrigin::External, false)
            .unwrap();
        maintain_pool(&chain.client, &pool, &imported).unwrap();
    }
    assert_eq!(chain.client.best().unwrap().0, a3.header.hash());
    assert!(!pool.contains(&transfer.hash()));
}

/// A justification of `target` with precommits by `signers` in round 1 of set 0.
fn justify(chain: &Chain, target: &Header, signers: &[&str]) -> Vec<u8> {
    let pairs: Vec<Pair> = signers.iter().map(|name| Pair::dev(name)).collect();
    let pairs: Vec<&Pair> = pairs.iter().collect();
    ghost_consensus::grandpa::GrandpaJustification::signed_by(
        &pairs,
        &chain.client.genesis_hash(),
        1,
        0,
        target,
    )
    .encode()
}

#[test]
fn a_justification_by_the_whole_set_finalizes_a_block_even_off_the_best_chain() {
    let chain = chain();
    let g = genesis(&chain);
    let a1 = block_in(&chain, &g, 1_000);
    let a2 = block_in(&chain, &a1.header, 1_001);
    let b1 = block_in(&chain, &g, 1_002);
    for block in [&a1, &a2, &b1] {
        import(&chain, block).unwrap();
    }
    assert_eq!(chain.client.best().unwrap().0, a2.header.hash());
    let mut finalized = chain.client.subscribe_finalized();

    // Two of three is below the supermajority of a three-voter set.
    let weak = justify(&chain, &b1.header, &["Alice", "Bob"]);
    assert!(matches!(
        chain.client.import_justification(b1.header.hash(), weak),
        Err(ClientError::Justification(_))
    ));
    assert_eq!(chain.client.finalized().unwrap().1.number, 0);

    let strong = justify(&chain, &b1.header, &["Alice", "Bob", "Charlie"]);
    let outcome = chain
        .client
        .import_justification(b1.header.hash(), strong.clone())
        .unwrap();
    assert_eq!(chain.client.finalized().unwrap().0, b1.header.hash());
    assert_eq!(
        chain.client.best().unwrap().0,
        b1.header.hash(),
        "best moves onto it"
    );
    assert_eq!(outcome.commit.pruned.len(), 2, "fork a loses its blocks");
    assert!(outcome.retracted.is_empty(), "fork a's blocks were empty");
    assert_eq!(
        chain.client.db().justification(&b1.header.hash()).unwrap(),
        Some(strong)
    );
    assert_eq!(finalized.try_recv().unwrap().hash(), b1.header.hash());
}

#[tokio::test]
async fn a_bridge_without_a_relayer_key_refuses_signed_updates_before_signing_anything() {
    use ghost_bridge::{BridgeError, ChainSource};
    use ghost_primitives::{Bytes, DomainName, Signature};
    use ghost_runtime::domains::SignedRecordUpdate;
    use ghost_service::bridge::InProcessSource;
    use ghost_service::pool_api::{FullChainApi, TransactionPool};
    let chain = chain();
    let pool = Arc::new(TransactionPool::new(
        Arc::new(FullChainApi::new(chain.client.clone())),
        ghost_txpool::PoolLimits::default(),
    ));
    let source = InProcessSource::new(
        chain.client.clone(),
        pool.clone(),
        Arc::new(tokio::sync::Notify::new()),
        None,
    );
    let update = SignedRecordUpdate {
        domain: DomainName::parse("alice.ghost").unwrap(),
        contract_id: Bytes(vec![]),
        records: vec![],
        owner_address: Pair::dev("Alice").public(),
        timestamp: 1,
        sequence: 0,
        signature: Signature([0; 64]),
    };
    match source.submit_signed_update(update).await {
        Err(BridgeError::Rejected(reason)) => {
            assert!(reason.contains("--bridge-relayer-key"), "{reason}")
        }
        Err(other) => panic!("expected a refusal, got {other:?}"),
        Ok(_) => panic!("expected a refusal, got a submission"),
    }
    assert_eq!(pool.status().ready, 0, "nothing reached the pool");
}

/// `Client::extrinsic_outcome` tells what the signer paid (the bridge's relayer spend metric reads
/// it): the fee of that extrinsic's `ExtrinsicSuccess`, and nothing for one the chain does not
/// have.
#[test]
fn extrinsic_outcomes_carry_the_fee_the_signer_paid() {
    use ghost_runtime::RuntimeEvent;
    use ghost_runtime::system::Event as SystemEvent;
    let chain = chain();
    let g = genesis(&chain);
    let transfer = ghost_runtime::sign_extrinsic(
        RuntimeCall::Balances(ghost_runtime::balances::Call::Transfer {
            dest: Pair::dev("Bob").public(),
            value: 1_000_000_000,
        }),
        &Pair::dev("Alice"),
        0,
        0,
        chain.client.genesis_hash(),
        None,
    );
    let b1 = block_with(&chain, &g, 1_000, "Bob", vec![transfer.clone()]);
    import(&chain, &b1).unwrap();
    let outcome = chain
        .client
        .extrinsic_outcome(&transfer.hash())
        .unwrap()
        .expect("included");
    let paid = chain
        .client
        .events(&b1.header)
        .unwrap()
        .into_iter()
        .find_map(|record| match record.event {
            RuntimeEvent::System(SystemEvent::ExtrinsicSuccess { fee, .. }) => Some(fee),
            _ => None,
        })
        .expect("an ExtrinsicSuccess event");
    assert!(paid > 0);
    assert_eq!(outcome.fee, paid);
    assert_eq!(outcome.error, None);
    assert!(
        chain
            .client
            .extrinsic_outcome(&ghost_primitives::Hash([7; 32]))
            .unwrap()
            .is_none()
    );
}

/// Six blocks on the author's chain, the second and fourth with a transfer, the fourth
/// finalized by the whole set; the file `export-blocks` writes of them.
fn exported_chain(chain: &Chain) -> (Vec<Block>, Vec<u8>) {
    let g = genesis(chain);
    let transfer = |nonce| {
        ghost_runtime::sign_extrinsic(
            RuntimeCall::Balances(ghost_runtime::balances::Call::Transfer {
                dest: Pair::dev("Bob").public(),
                value: 1_000_000_000,
            }),
            &Pair::dev("Alice"),
            nonce,
            0,
            chain.author.genesis_hash(),
            None,
        )
    };
    let mut blocks: Vec<Block> = Vec::new();
    for i in 0..6u64 {
        let parent = blocks.last().map_or(g.clone(), |b| b.header.clone());
        let slot = 1_000 + i;
        let xts = match i {
            1 => vec![transfer(0)],
            3 => vec![transfer(1)],
            _ => vec![],
        };
        blocks.push(block_with(
            chain,
            &parent,
            slot,
            VALIDATORS[(slot % 3) as usize],
            xts,
        ));
    }
    let justification = justify(chain, &blocks[3].header, &VALIDATORS);
    chain
        .author
        .import_justification(blocks[3].header.hash(), justification)
        .expect("the author finalizes #4");
    let mut file = Vec::new();
    let report =
        ghost_service::blocks_io::export_blocks(&chain.author, 1, None, &mut file).expect("export");
    assert_eq!(
        (report.blocks, report.extrinsics, report.justifications),
        (6, 2, 1)
    );
    (blocks, file)
}

#[test]
fn exported_blocks_import_into_a_new_node_with_their_finality_and_once_only() {
    use ghost_service::blocks_io::import_blocks;
    let chain = chain();
    let (blocks, file) = exported_chain(&chain);
    let report = import_blocks(&chain.client, &mut &file[..], |_| {}).expect("import");
    assert_eq!((report.blocks, report.skipped), (6, 0));
    assert_eq!((report.extrinsics, report.justifications), (2, 1));
    assert_eq!((report.last, report.finalized), (6, 4));
    let best = chain.client.best().unwrap().1;
    assert_eq!(best.hash(), blocks[5].header.hash());
    assert_eq!(best.state_root, chain.author.best().unwrap().1.state_root);
    assert_eq!(chain.client.finalized().unwrap().0, blocks[3].header.hash());

    // The same file again: every block known, nothing imported twice.
    let again = import_blocks(&chain.client, &mut &file[..], |_| {}).expect("re-import");
    assert_eq!(
        (again.blocks, again.skipped, again.justifications),
        (0, 6, 0)
    );
}

#[test]
fn a_tampered_block_file_is_refused_at_the_first_bad_block_and_keeps_what_came_before() {
    use ghost_service::blocks_io::{BlocksIoError, import_blocks};
    use parity_scale_codec::Decode;
    let chain = chain();
    let (_, file) = exported_chain(&chain);
    // Re-write the third frame with its transfer block's extrinsics dropped: the header's
    // extrinsics root no longer matches its body.
    let mut frames = Vec::new();
    let mut rest = &file[41..];
    while !rest.is_empty() {
        let len = u32::from_le_bytes(rest[..4].try_into().unwrap()) as usize;
        frames.push(rest[4..4 + len].to_vec());
        rest = &rest[4 + len..];
    }
    let (mut block, justification) =
        <(Block, Option<Vec<u8>>)>::decode(&mut &frames[1][..]).unwrap();
    assert_eq!(
        block.extrinsics.len(),
        1,
        "block #2 holds the first transfer"
    );
    block.extrinsics.clear();
    frames[1] = (&block, &justification).encode();
    let mut tampered = file[..41].to_vec();
    for frame in &frames {
        tampered.extend_from_slice(&(frame.len() as u32).to_le_bytes());
        tampered.extend_from_slice(frame);
    }
    let err = import_blocks(&chain.client, &mut &tampered[..], |_| {}).unwrap_err();
    assert!(
        matches!(err, BlocksIoError::Import { number: 2, .. }),
        "{err}"
    );
    assert_eq!(
        chain.client.best().unwrap().1.number,
        1,
        "#1 stays imported"
    );
}

#[test]
fn block_files_of_another_chain_or_cut_short_or_oversized_get_a_clear_error() {
    use ghost_service::blocks_io::{BlocksIoError, MAX_FRAME, import_blocks};
    let chain = chain();
    let (_, file) = exported_chain(&chain);
    let import = |bytes: &[u8]| import_blocks(&chain.client, &mut &bytes[..], |_| {}).unwrap_err();

    assert!(matches!(
        import(b"not a block file"),
        BlocksIoError::NotABlockFile
    ));
    let mut other = file.clone();
    other[9] ^= 1;
    assert!(matches!(import(&other), BlocksIoError::OtherChain { .. }));
    let cut = &file[..file.len() - 3];
    assert!(
        matches!(import(cut), BlocksIoError::BadFrame { index: 5, .. }),
        "the last frame is cut short"
    );
    let mut huge = file[..41].to_vec();
    huge.extend_from_slice(&(MAX_FRAME + 1).to_le_bytes());
    assert!(matches!(
        import(&huge),
        BlocksIoError::BadFrame { index: 0, .. }
    ));
    let mut garbage = file[..41].to_vec();
    garbage.extend_from_slice(&3u32.to_le_bytes());
    garbage.extend_from_slice(&[0xff, 0xff, 0xff]);
    assert!(matches!(
        import(&garbage),
        BlocksIoError::BadFrame { index: 0, .. }
    ));
    // Only the valid file's five first blocks were ever imported (the cut run stopped at #6).
    assert_eq!(chain.client.best().unwrap().1.number, 5);
}
