//! Integration tests of the runtime through its public API, as the node's author, importer,
//! transaction pool and RPC use it.
//!
//! Every test starts from the dev chain spec's genesis in a [`MemoryNodeStore`], signs with the
//! dev keys (`//Alice` … `//Ferdie`), builds blocks with [`BlockBuilder`], imports them with
//! [`execute_block`], and reads state through [`api`], the trie, or storage items inside
//! [`api::with_state`].

use std::collections::{BTreeMap, BTreeSet, HashMap};

use ghost_primitives::block::extrinsics_root;
use ghost_primitives::crypto::{DEV_ACCOUNTS, verify_batch};
use ghost_primitives::{
    AccountId, Balance, Digest, Era, ExtrinsicExtra, Hash, Header, InvalidTransaction, Pair,
    SignedExtrinsic, SigningContext, TransactionValidityError, UnknownTransaction,
    ValidTransaction,
};
use ghost_runtime::api;
use ghost_runtime::balances::{self, AccountData, FeeSchedule};
use ghost_runtime::builder::{BlockBuilder, BuiltBlock, PARALLEL_VERIFY_MIN, execute_block};
use ghost_runtime::chain_spec::{ChainSpec, DEV_ENDOWMENT};
use ghost_runtime::executive::{BlockError, nonce_tag};
use ghost_runtime::system::{self, Phase};
use ghost_runtime::{
    EventRecord, GHOST, MAX_EXTRINSIC_SIZE, Runtime, RuntimeCall, RuntimeEvent, SPEC_VERSION,
    TREASURY, UncheckedExtrinsic, sign_extrinsic,
};
use ghost_support::DispatchError;
use ghost_support::storage::{StorageMap, StorageValue};
use ghost_support::weights::Weight;
use ghost_trie::{MemoryNodeStore, ProofError, StateView, verify_read_proof};
use parity_scale_codec::{Decode, Encode};
use proptest::prelude::*;

/// Milliseconds between the test chain's blocks.
const SLOT_MS: u64 = 1_000;

// ---- fixtures ----

/// A chain in memory: the node store, the genesis header and the current head.
struct Chain {
    store: MemoryNodeStore,
    genesis: Header,
    head: Header,
}

impl Chain {
    fn new(spec: ChainSpec) -> Chain {
        let genesis = spec.genesis.build().expect("genesis config builds");
        let mut store = MemoryNodeStore::default();
        store.insert_nodes(genesis.state_nodes);
        Chain {
            store,
            head: genesis.header.clone(),
            genesis: genesis.header,
        }
    }

    fn dev() -> Chain {
        Chain::new(ChainSpec::dev())
    }

    fn genesis_hash(&self) -> Hash {
        self.genesis.hash()
    }

    fn next_timestamp(&self) -> u64 {
        self.head.timestamp_ms + SLOT_MS
    }

    /// A builder for the block after the head.
    fn builder(&self) -> BlockBuilder<'_> {
        match BlockBuilder::new(
            &self.store,
            &self.head,
            self.next_timestamp(),
            Digest::default(),
        ) {
            Ok(builder) => builder,
            Err(e) => panic!("block {} does not start: {e}", self.head.number + 1),
        }
    }

    /// Makes `built` (a block on the head) the new head.
    fn append(&mut self, built: &BuiltBlock) {
        assert_eq!(built.block.header.parent_hash, self.head.hash());
        self.store.insert_nodes(built.state_nodes.clone());
        self.head = built.block.header.clone();
    }

    /// Builds a block of `xts` on the head, every one of which must be valid, and appends it.
    fn produce(&mut self, xts: Vec<UncheckedExtrinsic>) -> BuiltBlock {
        let mut builder = self.builder();
        for (index, xt) in xts.into_iter().enumerate() {
            if let Err(e) = builder.push(xt) {
                panic!("extrinsic {index} refused: {e}");
            }
        }
        let built = builder.build().expect("block builds");
        self.append(&built);
        built
    }

    fn account(&self, who: &AccountId) -> api::AccountInfo {
        api::account_info(&self.store, &self.head, who).expect("head state readable")
    }

    /// Every key and value of the state after `header`.
    fn state(&self, header: &Header) -> BTreeMap<Vec<u8>, Vec<u8>> {
        StateView::new(&self.store, header.state_root.0)
            .iter_prefix(&[], None, usize::MAX)
            .expect("state readable")
            .into_iter()
            .collect()
    }

    /// `(TotalIssuance, sum of every account's total balance)` at the head.
    fn issuance_and_sum(&self) -> (Balance, Balance) {
        api::with_state(&self.store, self.head.state_root, || {
            let sum: Balance = balances::Account::iter()
                .map(|(_, data)| data.total())
                .sum();
            (balances::TotalIssuance::get_or_default(), sum)
        })
        .expect("head state readable")
    }
}

fn dev(name: &str) -> AccountId {
    Pair::dev(name).public()
}

fn transfer(dest: AccountId, value: Balance) -> RuntimeCall {
    RuntimeCall::Balances(balances::Call::Transfer { dest, value })
}

fn remark(len: usize) -> RuntimeCall {
    RuntimeCall::System(system::Call::Remark {
        remark: vec![0x42; len],
    })
}

/// `call` signed by the dev account `signer`, immortal, without tip.
fn signed(chain: &Chain, signer: &str, call: RuntimeCall, nonce: u64) -> UncheckedExtrinsic {
    sign_extrinsic(
        call,
        &Pair::dev(signer),
        nonce,
        0,
        chain.genesis_hash(),
        None,
    )
}

/// The fee of `xt` under the default fee schedule, tip included.
fn expected_fee(xt: &UncheckedExtrinsic) -> Balance {
    let schedule = FeeSchedule::default();
    let micros = xt
        .call
        .dispatch_info()
        .weight
        .ref_time()
        .div_ceil(1_000_000);
    schedule.base_fee
        + schedule.weight_fee_per_micro * Balance::from(micros)
        + schedule.byte_fee * xt.encoded_size() as Balance
        + xt.extra.tip
}

fn applied(index: u32, event: impl Into<RuntimeEvent>) -> EventRecord {
    EventRecord {
        phase: Phase::ApplyExtrinsic(index),
        event: event.into(),
    }
}

/// Asserts that the pool check and the block builder both refuse `xt` with `error`, and that the
/// refused push leaves the block exactly as if it had not been tried.
fn assert_refused(chain: &Chain, xt: UncheckedExtrinsic, error: InvalidTransaction) {
    let error = TransactionValidityError::Invalid(error);
    assert_eq!(
        api::validate_transaction(&chain.store, &chain.head, &xt),
        Err(error.clone()),
        "validate_transaction"
    );
    let mut builder = chain.builder();
    assert_eq!(builder.push(xt), Err(error), "push");
    assert!(
        builder.is_empty(),
        "a refused extrinsic is not in the block"
    );
    let tried = builder.build().expect("block builds");
    let untouched = chain.builder().build().expect("block builds");
    assert_eq!(
        tried.block.header, untouched.block.header,
        "the refused push wrote to the state"
    );
    assert_eq!(tried.events, untouched.events);
}

/// Runs `block` on `parent` in `chain`'s store and returns why it was rejected.
fn import_error(chain: &Chain, parent: &Header, block: &ghost_runtime::Block) -> BlockError {
    match execute_block(&chain.store, parent, block) {
        Ok(_) => panic!("block {} was imported", block.header.number),
        Err(e) => e,
    }
}

/// A block with three transfers among Alice, Bob and Charlie, built on the dev genesis.
fn three_transfers_block() -> BuiltBlock {
    let mut author = Chain::dev();
    let xts = vec![
        signed(&author, "Alice", transfer(dev("Bob"), 10 * GHOST), 0),
        signed(&author, "Bob", transfer(dev("Charlie"), 20 * GHOST), 0),
        signed(&author, "Charlie", transfer(dev("Alice"), 30 * GHOST), 0),
    ];
    author.produce(xts)
}

// ---- applying extrinsics ----

#[test]
fn transfer_moves_the_amount_pays_the_fee_to_the_treasury_and_keeps_issuance() {
    let mut chain = Chain::dev();
    let (alice, bob) = (dev("Alice"), dev("Bob"));
    let amount = 10 * GHOST;
    let xt = signed(&chain, "Alice", transfer(bob, amount), 0);
    let fee = expected_fee(&xt);
    let info = xt.call.dispatch_info();
    let before = [alice, bob, TREASURY].map(|who| chain.account(&who));
    let (issuance_before, _) = chain.issuance_and_sum();

    let built = chain.produce(vec![xt]);

    let after = [alice, bob, TREASURY].map(|who| chain.account(&who));
    assert_eq!(after[0].free, before[0].free - amount - fee);
    assert_eq!(after[1].free, before[1].free + amount);
    assert_eq!(after[2].free, before[2].free + fee);
    assert_eq!((before[0].nonce, after[0].nonce), (0, 1));
    assert_eq!(after[1].nonce, 0, "only the signer's nonce moves");
    assert_eq!(chain.issuance_and_sum(), (issuance_before, issuance_before));
    let expected = vec![
        applied(
            0,
            balances::Event::Transfer {
                from: alice,
                to: bob,
                amount,
            },
        ),
        applied(
            0,
            system::Event::ExtrinsicSuccess {
                dispatch_info: info,
                fee,
            },
        ),
    ];
    assert_eq!(built.events, expected);
    assert_eq!(api::net_fee(built.events.iter().map(|r| &r.event)), fee);
    // The state commits to the events the block hands the node, not to a key per event.
    assert_eq!(api::decode_events(&built.encoded_events).unwrap(), expected);
    let digest = api::events_digest(&chain.store, &chain.head)
        .unwrap()
        .expect("a digest in the block's state");
    assert_eq!(
        digest,
        system::EventsCommitment::of(&built.encoded_events, 2)
    );
    assert_eq!(
        api::verify_events(&built.encoded_events, &digest).unwrap(),
        expected
    );
}

#[test]
fn events_that_do_not_match_the_digest_are_refused() {
    let mut chain = Chain::dev();
    let xt = signed(&chain, "Alice", transfer(dev("Bob"), GHOST), 0);
    let built = chain.produce(vec![xt]);
    let digest = api::events_digest(&chain.store, &chain.head)
        .unwrap()
        .unwrap();
    // The same records with another amount: still decodes, no longer matches.
    let mut forged = built.events.clone();
    if let RuntimeEvent::Balances(balances::Event::Transfer { amount, .. }) = &mut forged[0].event {
        *amount += 1;
    }
    let forged = forged.encode();
    assert!(matches!(
        api::verify_events(&forged, &digest),
        Err(api::EventsError::DigestMismatch { count: 2, .. })
    ));
    // Dropping a record is caught by the count as well as the hash.
    let fewer = built.events[..1].to_vec().encode();
    assert!(matches!(
        api::verify_events(&fewer, &digest),
        Err(api::EventsError::DigestMismatch {
            count: 1,
            expected_count: 2,
            ..
        })
    ));
    assert!(matches!(
        api::verify_events(&[0xff, 0x01], &digest),
        Err(api::EventsError::Decode(_))
    ));
}

#[test]
fn query_info_reports_the_fee_charged_without_the_tip() {
    let mut chain = Chain::dev();
    let alice = dev("Alice");
    let tip = 7 * GHOST / 1_000;
    let xt = sign_extrinsic(
        transfer(dev("Bob"), GHOST),
        &Pair::dev("Alice"),
        0,
        tip,
        chain.genesis_hash(),
        None,
    );
    let info = api::query_info(&chain.store, &chain.head, &xt).unwrap();
    assert_eq!(info.partial_fee + tip, expected_fee(&xt));
    assert_eq!(info.weight, xt.call.dispatch_info().weight.ref_time());

    let built = chain.produce(vec![xt]);

    let events: Vec<&RuntimeEvent> = built.events.iter().map(|r| &r.event).collect();
    assert_eq!(api::net_fee(events.iter().copied()), info.partial_fee + tip);
    assert!(matches!(
        events.last(),
        Some(RuntimeEvent::System(system::Event::ExtrinsicSuccess { fee, .. }))
            if *fee == info.partial_fee + tip
    ));
    assert_eq!(chain.account(&alice).nonce, 1);
}

#[test]
fn failing_transfer_is_included_pays_its_fee_and_reverts_the_call() {
    let mut chain = Chain::dev();
    let genesis = chain.head.clone();
    let (alice, bob) = (dev("Alice"), dev("Bob"));
    let xt = signed(&chain, "Alice", transfer(bob, 2 * DEV_ENDOWMENT), 0);
    let fee = expected_fee(&xt);
    let info = xt.call.dispatch_info();
    let insufficient = DispatchError::module("Balances", "InsufficientBalance");

    let mut builder = chain.builder();
    assert_eq!(builder.push(xt), Ok(Err(insufficient.clone())));
    let built = builder.build().unwrap();
    chain.append(&built);

    assert_eq!(built.block.extrinsics.len(), 1);
    assert_eq!(chain.account(&alice).free, DEV_ENDOWMENT - fee);
    assert_eq!(chain.account(&alice).nonce, 1);
    assert_eq!(chain.account(&bob).free, DEV_ENDOWMENT);
    assert_eq!(chain.account(&TREASURY).free, GHOST + fee);
    assert_eq!(
        built.events,
        vec![applied(
            0,
            system::Event::ExtrinsicFailed {
                dispatch_error: insufficient,
                dispatch_info: info,
                fee,
            }
        ),]
    );
    // The only writes: the fee, the nonce, the block's bookkeeping and one commitment to its
    // events (no key per event).
    let (before, after) = (chain.state(&genesis), chain.state(&chain.head));
    let changed: BTreeSet<Vec<u8>> = before
        .keys()
        .chain(after.keys())
        .filter(|k| before.get(*k) != after.get(*k))
        .cloned()
        .collect();
    let expected: BTreeSet<Vec<u8>> = [
        balances::Account::hashed_key(&alice),
        balances::Account::hashed_key(&TREASURY),
        system::AccountNonce::hashed_key(&alice),
        system::Number::hashed_key(),
        system::ParentHash::hashed_key(),
        system::Now::hashed_key(),
        system::BlockHash::hashed_key(&0),
        system::ExtrinsicCount::hashed_key(),
        system::BlockWeight::hashed_key(),
        system::BlockLength::hashed_key(),
        system::EventsDigest::hashed_key(),
    ]
    .into_iter()
    .collect();
    assert_eq!(changed, expected);
    let bob_key = balances::Account::hashed_key(&bob);
    assert_eq!(before.get(&bob_key), after.get(&bob_key));
}

#[test]
fn force_set_balance_from_a_signed_origin_fails_with_bad_origin() {
    let mut chain = Chain::dev();
    let alice = dev("Alice");
    let call = RuntimeCall::Balances(balances::Call::ForceSetBalance {
        who: alice,
        free: 1_000 * DEV_ENDOWMENT,
    });
    let xt = signed(&chain, "Alice", call, 0);
    let fee = expected_fee(&xt);
    let (issuance, _) = chain.issuance_and_sum();

    let mut builder = chain.builder();
    assert_eq!(builder.push(xt), Ok(Err(DispatchError::BadOrigin)));
    chain.append(&builder.build().unwrap());

    assert_eq!(chain.account(&alice).free, DEV_ENDOWMENT - fee);
    assert_eq!(chain.issuance_and_sum(), (issuance, issuance));
}

#[test]
fn remark_at_the_limit_succeeds_and_records_its_hash() {
    let mut chain = Chain::dev();
    let call = remark(system::MAX_REMARK_LEN);
    let xt = signed(&chain, "Alice", call, 0);
    let hash = ghost_primitives::blake3_256(&vec![0x42; system::MAX_REMARK_LEN]);

    let built = chain.produce(vec![xt]);

    assert!(built.events.contains(&applied(
        0,
        system::Event::Remarked {
            sender: dev("Alice"),
            hash
        }
    )));
}

#[test]
fn remark_above_the_limit_is_included_pays_its_fee_and_fails() {
    let mut chain = Chain::dev();
    let xt = signed(&chain, "Alice", remark(system::MAX_REMARK_LEN + 1), 0);
    let fee = expected_fee(&xt);

    let mut builder = chain.builder();
    assert_eq!(
        builder.push(xt),
        Ok(Err(DispatchError::module("System", "RemarkTooLong")))
    );
    chain.append(&builder.build().unwrap());

    let alice = chain.account(&dev("Alice"));
    assert_eq!((alice.free, alice.nonce), (DEV_ENDOWMENT - fee, 1));
}

// ---- executing blocks ----

#[test]
fn executing_a_block_on_fresh_stores_reproduces_the_built_state() {
    let built = three_transfers_block();
    let mut built_nodes = built.state_nodes.clone();
    built_nodes.sort();
    let mut states = Vec::new();
    for _ in 0..2 {
        let mut importer = Chain::dev();
        let executed =
            execute_block(&importer.store, &importer.head, &built.block).expect("block imports");
        let mut nodes = executed.state_nodes.clone();
        nodes.sort();
        assert_eq!(nodes, built_nodes);
        assert_eq!(executed.events, built.events);
        importer.store.insert_nodes(executed.state_nodes);
        importer.head = built.block.header.clone();
        states.push(importer.state(&importer.head));
    }
    assert_eq!(states[0], states[1]);
    assert!(!states[0].is_empty());
}

#[test]
fn import_rejects_a_wrong_state_root() {
    let built = three_transfers_block();
    let chain = Chain::dev();
    let mut block = built.block.clone();
    block.header.state_root = Hash([0xab; 32]);
    assert_eq!(
        import_error(&chain, &chain.head, &block),
        BlockError::StateRootMismatch {
            expected: Hash([0xab; 32]),
            computed: built.block.header.state_root
        }
    );
}

#[test]
fn import_rejects_a_wrong_extrinsics_root() {
    let built = three_transfers_block();
    let chain = Chain::dev();
    let mut block = built.block.clone();
    block.extrinsics.pop();
    assert_eq!(
        import_error(&chain, &chain.head, &block),
        BlockError::ExtrinsicsRootMismatch {
            expected: built.block.header.extrinsics_root,
            computed: extrinsics_root(&block.extrinsics),
        }
    );
}

#[test]
fn import_rejects_a_block_on_the_wrong_parent() {
    let built = three_transfers_block();
    let other = Chain::new(ChainSpec::local());
    assert_eq!(
        import_error(&other, &other.head, &built.block),
        BlockError::ParentMismatch {
            expected: built.block.header.parent_hash,
            actual: other.head.hash()
        }
    );
}

#[test]
fn import_rejects_a_bad_signature_and_names_the_extrinsic() {
    let built = three_transfers_block();
    let chain = Chain::dev();
    let mut block = built.block.clone();
    block.extrinsics[1].call = transfer(dev("Charlie"), 21 * GHOST);
    block.header.extrinsics_root = extrinsics_root(&block.extrinsics);
    assert_eq!(
        import_error(&chain, &chain.head, &block),
        BlockError::InvalidExtrinsic {
            index: 1,
            error: InvalidTransaction::BadProof.into()
        }
    );
}

/// A block of `PARALLEL_VERIFY_MIN + 4` transfers (Alice, Bob and Charlie taking turns), large
/// enough that import verifies its signature batch on a second thread while it executes.
fn parallel_verified_block() -> BuiltBlock {
    transfers_block(PARALLEL_VERIFY_MIN + 4)
}

/// A block of `n` transfers, Alice, Bob and Charlie taking turns.
fn transfers_block(n: usize) -> BuiltBlock {
    let mut author = Chain::dev();
    let senders = ["Alice", "Bob", "Charlie"];
    let xts = (0..n)
        .map(|i| {
            let sender = senders[i % 3];
            let dest = dev(senders[(i + 1) % 3]);
            signed(&author, sender, transfer(dest, GHOST), (i / 3) as u64)
        })
        .collect();
    author.produce(xts)
}

#[test]
fn a_block_verified_in_parallel_imports_to_the_authors_state() {
    let built = parallel_verified_block();
    let importer = Chain::dev();
    let executed =
        execute_block(&importer.store, &importer.head, &built.block).expect("block imports");
    let (mut ours, mut theirs) = (executed.state_nodes, built.state_nodes.clone());
    ours.sort();
    theirs.sort();
    assert_eq!(ours, theirs);
    assert_eq!(executed.events, built.events);
}

#[test]
fn a_bad_signature_in_a_block_verified_in_parallel_is_named() {
    let built = parallel_verified_block();
    let chain = Chain::dev();
    for index in [0, 7, PARALLEL_VERIFY_MIN + 3] {
        let mut block = built.block.clone();
        // Same signer, same nonce, another amount: executes fine, but the signature is void.
        block.extrinsics[index].call = transfer(dev("Ferdie"), 2 * GHOST);
        block.header.extrinsics_root = extrinsics_root(&block.extrinsics);
        assert_eq!(
            import_error(&chain, &chain.head, &block),
            BlockError::InvalidExtrinsic {
                index,
                error: InvalidTransaction::BadProof.into()
            },
            "tampered extrinsic {index}"
        );
    }
}

/// 300 transfers: import splits their signatures into several batches (each claim takes half
/// of what is left, at least 64), shared by two threads.
#[test]
fn a_bad_signature_in_any_batch_of_a_split_verification_is_named() {
    let built = transfers_block(300);
    let chain = Chain::dev();
    let executed = execute_block(&chain.store, &chain.head, &built.block).expect("block imports");
    assert_eq!(executed.events, built.events);
    // In the first claim (0..150), a middle one, and the last.
    for index in [3, 200, 299] {
        let mut block = built.block.clone();
        block.extrinsics[index].call = transfer(dev("Ferdie"), 2 * GHOST);
        block.header.extrinsics_root = extrinsics_root(&block.extrinsics);
        assert_eq!(
            import_error(&chain, &chain.head, &block),
            BlockError::InvalidExtrinsic {
                index,
                error: InvalidTransaction::BadProof.into()
            },
            "tampered extrinsic {index}"
        );
    }
}

#[test]
fn an_invalid_extrinsic_with_a_good_signature_in_a_block_verified_in_parallel_is_named() {
    let built = parallel_verified_block();
    let chain = Chain::dev();
    let mut block = built.block.clone();
    // Alice's third transfer (index 6, nonce 2) signed again with nonce 5: a valid signature,
    // a nonce from the future.
    block.extrinsics[6] = signed(&chain, "Alice", transfer(dev("Bob"), GHOST), 5);
    block.header.extrinsics_root = extrinsics_root(&block.extrinsics);
    assert_eq!(
        import_error(&chain, &chain.head, &block),
        BlockError::InvalidExtrinsic {
            index: 6,
            error: TransactionValidityError::Unknown(UnknownTransaction::Future {
                expected: 2,
                got: 5
            })
        }
    );
}

#[test]
fn block_with_a_timestamp_not_after_its_parent_is_refused() {
    let chain = Chain::dev();
    let not_increasing =
        BlockError::Initialize(DispatchError::module("System", "TimestampNotIncreasing"));
    let start = BlockBuilder::new(
        &chain.store,
        &chain.head,
        chain.head.timestamp_ms,
        Digest::default(),
    );
    assert_eq!(start.err(), Some(not_increasing.clone()));

    let block = ghost_runtime::Block {
        header: Header {
            parent_hash: chain.head.hash(),
            number: 1,
            state_root: chain.head.state_root,
            extrinsics_root: extrinsics_root::<UncheckedExtrinsic>(&[]),
            timestamp_ms: chain.head.timestamp_ms,
            digest: Digest::default(),
        },
        extrinsics: vec![],
    };
    assert_eq!(import_error(&chain, &chain.head, &block), not_increasing);
}

#[test]
fn import_rejects_a_block_number_that_skips() {
    let chain = Chain::dev();
    let block = ghost_runtime::Block {
        header: Header {
            parent_hash: chain.head.hash(),
            number: 2,
            state_root: chain.head.state_root,
            extrinsics_root: extrinsics_root::<UncheckedExtrinsic>(&[]),
            timestamp_ms: chain.next_timestamp(),
            digest: Digest::default(),
        },
        extrinsics: vec![],
    };
    assert_eq!(
        import_error(&chain, &chain.head, &block),
        BlockError::Initialize(DispatchError::module("System", "NonSequentialBlockNumber"))
    );
}

// ---- invalid extrinsics ----

#[test]
fn tampered_call_is_refused_as_bad_proof() {
    let chain = Chain::dev();
    let mut xt = signed(&chain, "Alice", transfer(dev("Bob"), GHOST), 0);
    xt.call = transfer(dev("Bob"), 2 * GHOST);
    assert_refused(&chain, xt, InvalidTransaction::BadProof);
}

#[test]
fn extrinsic_signed_for_another_genesis_is_refused_as_bad_proof() {
    let chain = Chain::dev();
    let local_genesis = Chain::new(ChainSpec::local()).genesis_hash();
    let xt = sign_extrinsic(
        transfer(dev("Bob"), GHOST),
        &Pair::dev("Alice"),
        0,
        0,
        local_genesis,
        None,
    );
    assert_refused(&chain, xt, InvalidTransaction::BadProof);
}

#[test]
fn extrinsic_signed_for_another_spec_version_is_refused_as_bad_proof() {
    let chain = Chain::dev();
    let genesis_hash = chain.genesis_hash();
    let ctx = SigningContext {
        genesis_hash,
        spec_version: SPEC_VERSION + 1,
        birth_hash: genesis_hash,
    };
    let extra = ExtrinsicExtra {
        era: Era::Immortal,
        nonce: 0,
        tip: 0,
    };
    let xt =
        SignedExtrinsic::new_signed(transfer(dev("Bob"), GHOST), &Pair::dev("Alice"), extra, ctx);
    assert_refused(&chain, xt, InvalidTransaction::BadProof);
}

#[test]
fn used_nonce_is_refused_as_stale() {
    let mut chain = Chain::dev();
    chain.produce(vec![signed(
        &chain,
        "Alice",
        transfer(dev("Bob"), GHOST),
        0,
    )]);
    let replay = signed(&chain, "Alice", transfer(dev("Bob"), GHOST), 0);
    assert_refused(
        &chain,
        replay,
        InvalidTransaction::Stale {
            expected: 1,
            got: 0,
        },
    );
}

#[test]
fn future_nonce_is_refused_by_the_builder_but_queued_by_the_pool() {
    let chain = Chain::dev();
    let alice = dev("Alice");
    let xt = signed(&chain, "Alice", transfer(dev("Bob"), GHOST), 2);

    assert_eq!(
        api::validate_transaction(&chain.store, &chain.head, &xt),
        Ok(ValidTransaction {
            priority: 0,
            requires: vec![nonce_tag(&alice, 1)],
            provides: vec![nonce_tag(&alice, 2)],
            valid_until: u64::MAX,
        })
    );
    let mut builder = chain.builder();
    assert_eq!(
        builder.push(xt),
        Err(TransactionValidityError::Unknown(
            UnknownTransaction::Future {
                expected: 0,
                got: 2
            }
        ))
    );
    assert!(builder.is_empty());
    assert_eq!(
        builder.build().unwrap().block.header,
        chain.builder().build().unwrap().block.header
    );
}

#[test]
fn signer_without_balance_cannot_pay_the_fee() {
    let chain = Chain::dev();
    let xt = signed(&chain, "Nobody", transfer(dev("Bob"), GHOST), 0);
    let fee = expected_fee(&xt);
    assert_refused(&chain, xt, InvalidTransaction::Payment { fee, free: 0 });
}

#[test]
fn mortal_extrinsic_is_refused_after_its_era() {
    let mut chain = Chain::dev();
    let birth = (0, chain.genesis_hash(), 2);
    let xt = sign_extrinsic(
        transfer(dev("Bob"), GHOST),
        &Pair::dev("Alice"),
        0,
        0,
        chain.genesis_hash(),
        Some(birth),
    );
    chain.produce(vec![]);
    let valid =
        api::validate_transaction(&chain.store, &chain.head, &xt).expect("alive in block 2");
    assert_eq!(valid.valid_until, 2);
    chain.produce(vec![]);
    assert_refused(&chain, xt, InvalidTransaction::Outdated);
}

#[test]
fn mortal_extrinsic_is_refused_before_its_birth() {
    let chain = Chain::dev();
    let birth = (3, Hash([3; 32]), 64);
    let xt = sign_extrinsic(
        transfer(dev("Bob"), GHOST),
        &Pair::dev("Alice"),
        0,
        0,
        chain.genesis_hash(),
        Some(birth),
    );
    assert_refused(&chain, xt, InvalidTransaction::Outdated);
}

#[test]
fn mortal_extrinsic_born_on_another_fork_is_refused_as_bad_proof() {
    let mut chain = Chain::dev();
    chain.produce(vec![]);
    let genesis_hash = chain.genesis_hash();
    let alice = Pair::dev("Alice");
    let here = sign_extrinsic(
        transfer(dev("Bob"), GHOST),
        &alice,
        0,
        0,
        genesis_hash,
        Some((1, chain.head.hash(), 8)),
    );
    assert!(api::validate_transaction(&chain.store, &chain.head, &here).is_ok());
    let elsewhere = sign_extrinsic(
        transfer(dev("Bob"), GHOST),
        &alice,
        0,
        0,
        genesis_hash,
        Some((1, Hash([7; 32]), 8)),
    );
    assert_refused(&chain, elsewhere, InvalidTransaction::BadProof);
}

#[test]
fn extrinsic_above_the_size_limit_exhausts_resources() {
    let chain = Chain::dev();
    let xt = signed(&chain, "Alice", remark(MAX_EXTRINSIC_SIZE), 0);
    assert!(xt.encoded_size() > MAX_EXTRINSIC_SIZE);
    assert_refused(&chain, xt, InvalidTransaction::ExhaustsResources);
}

// ---- decoding ----

#[test]
fn decode_extrinsic_round_trips_and_refuses_trailing_or_missing_bytes() {
    let chain = Chain::dev();
    let xt = signed(&chain, "Alice", transfer(dev("Bob"), GHOST), 0);
    let bytes = api::encode_extrinsic(&xt);
    assert_eq!(api::decode_extrinsic(&bytes), Ok(xt));
    let mut trailing = bytes.clone();
    trailing.push(0);
    assert_eq!(
        api::decode_extrinsic(&trailing),
        Err(InvalidTransaction::BadEncoding)
    );
    assert_eq!(
        api::decode_extrinsic(&bytes[..bytes.len() - 1]),
        Err(InvalidTransaction::BadEncoding)
    );
    assert_eq!(
        api::decode_extrinsic(&[]),
        Err(InvalidTransaction::BadEncoding)
    );
}

#[test]
fn decode_extrinsic_refuses_oversize_input_before_decoding() {
    let chain = Chain::dev();
    let big = api::encode_extrinsic(&signed(&chain, "Alice", remark(MAX_EXTRINSIC_SIZE), 0));
    assert_eq!(
        api::decode_extrinsic(&big),
        Err(InvalidTransaction::ExhaustsResources)
    );
    let zeros = vec![0u8; MAX_EXTRINSIC_SIZE + 1];
    assert_eq!(
        api::decode_extrinsic(&zeros),
        Err(InvalidTransaction::ExhaustsResources)
    );
}

/// The encoding of a signed transfer and a signed remark, to mutate.
fn sample_encodings() -> Vec<Vec<u8>> {
    let chain = Chain::dev();
    vec![
        signed(&chain, "Alice", transfer(dev("Bob"), 123 * GHOST), 7).encode(),
        sign_extrinsic(
            remark(40),
            &Pair::dev("Eve"),
            300,
            99,
            chain.genesis_hash(),
            Some((5, Hash([5; 32]), 64)),
        )
        .encode(),
    ]
}

proptest! {
    #[test]
    fn decode_extrinsic_never_panics_on_random_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        match api::decode_extrinsic(&bytes) {
            Ok(xt) => prop_assert_eq!(xt.encode(), bytes, "accepted a non-canonical encoding"),
            Err(e) => prop_assert_eq!(e, InvalidTransaction::BadEncoding),
        }
    }

    #[test]
    fn decode_extrinsic_accepts_only_canonical_mutations_of_real_extrinsics(
        which in 0usize..2,
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
        cut in any::<prop::sample::Index>(),
        truncate in any::<bool>(),
        extra in proptest::collection::vec(any::<u8>(), 0..3),
    ) {
        let mut bytes = sample_encodings().swap_remove(which);
        for (at, value) in edits {
            let i = at.index(bytes.len());
            bytes[i] = value;
        }
        if truncate {
            bytes.truncate(cut.index(bytes.len()));
        }
        bytes.extend(extra);
        match api::decode_extrinsic(&bytes) {
            Ok(xt) => prop_assert_eq!(xt.encode(), bytes, "accepted a non-canonical encoding"),
            Err(e) => prop_assert_eq!(e, InvalidTransaction::BadEncoding),
        }
    }
}

// ---- block limits ----

#[test]
fn block_length_limit_refuses_an_extrinsic_that_does_not_fit() {
    let chain = Chain::dev();
    let three_mib = 3 << 20;
    let first = signed(&chain, "Alice", remark(three_mib), 0);
    let second = signed(&chain, "Alice", remark(three_mib), 1);
    let max_length = <Runtime as system::Config>::MAX_BLOCK_LENGTH as usize;
    assert!(first.encoded_size() + second.encoded_size() > max_length);
    assert!(second.encoded_size() <= MAX_EXTRINSIC_SIZE);

    let mut builder = chain.builder();
    assert_eq!(
        builder.push(first.clone()),
        Ok(Err(DispatchError::module("System", "RemarkTooLong")))
    );
    assert_eq!(
        builder.push(second),
        Err(InvalidTransaction::ExhaustsResources.into())
    );
    let small = signed(&chain, "Bob", transfer(dev("Alice"), GHOST), 0);
    let small_len = small.encoded_size();
    assert_eq!(builder.push(small), Ok(Ok(())));
    let built = builder.build().unwrap();
    assert_eq!(built.block.extrinsics.len(), 2);

    let mut chain = chain;
    chain.append(&built);
    let length = api::with_state(
        &chain.store,
        chain.head.state_root,
        system::BlockLength::get,
    )
    .unwrap();
    assert_eq!(length, Some((first.encoded_size() + small_len) as u32));
}

#[test]
fn block_weight_limit_refuses_extrinsics_once_full() {
    let chain = Chain::dev();
    let transfer_weight = transfer(dev("Bob"), 1).dispatch_info().weight.ref_time();
    let max_weight = <Runtime as system::Config>::MAX_BLOCK_WEIGHT.ref_time();
    // What the base weight and the hooks reserve: the weight of an empty block.
    let mut empty = Chain::dev();
    empty.produce(vec![]);
    let hooks = api::with_state(
        &empty.store,
        empty.head.state_root,
        system::BlockWeight::get,
    )
    .unwrap()
    .map_or(0, |w| w.ref_time());
    let fit = (max_weight - hooks) / transfer_weight;
    assert!(fit < 20_000, "the test signs this many extrinsics");

    let mut builder = chain.builder();
    let alice = Pair::dev("Alice");
    for nonce in 0..fit {
        let xt = sign_extrinsic(
            transfer(dev("Bob"), GHOST / 100),
            &alice,
            nonce,
            0,
            chain.genesis_hash(),
            None,
        );
        assert_eq!(builder.push(xt), Ok(Ok(())), "transfer {nonce} of {fit}");
    }
    let one_more = sign_extrinsic(
        transfer(dev("Bob"), GHOST / 100),
        &alice,
        fit,
        0,
        chain.genesis_hash(),
        None,
    );
    assert_eq!(
        builder.push(one_more),
        Err(InvalidTransaction::ExhaustsResources.into())
    );
    let from_bob = signed(&chain, "Bob", transfer(dev("Alice"), GHOST), 0);
    assert_eq!(
        builder.push(from_bob),
        Err(InvalidTransaction::ExhaustsResources.into())
    );
    assert_eq!(builder.len() as u64, fit);
}

#[test]
fn a_block_weight_starts_at_the_base_weight() {
    let mut chain = Chain::dev();
    let base = <Runtime as system::Config>::BASE_BLOCK_WEIGHT;
    assert!(base > Weight::ZERO);
    let started = api::with_state(&chain.store, chain.head.state_root, || {
        system::Pallet::<Runtime>::initialize(1, chain.head.hash(), chain.next_timestamp())
            .expect("block 1 starts");
        system::BlockWeight::get()
    })
    .unwrap();
    assert_eq!(started, Some(base));

    // Hooks and extrinsics come on top of it, in the built block and in the imported one alike.
    let weight_at = |chain: &Chain| {
        api::with_state(
            &chain.store,
            chain.head.state_root,
            system::BlockWeight::get,
        )
        .unwrap()
        .unwrap_or_default()
    };
    let mut empty = Chain::dev();
    empty.produce(vec![]);
    let empty_weight = weight_at(&empty);
    assert!(empty_weight >= base);
    let xt = signed(&chain, "Alice", transfer(dev("Bob"), GHOST), 0);
    let transfer_weight = xt.call.dispatch_info().weight;
    let built = chain.produce(vec![xt]);
    assert_eq!(
        weight_at(&chain),
        empty_weight.saturating_add(transfer_weight)
    );
    let importer = Chain::dev();
    execute_block(&importer.store, &importer.head, &built.block).expect("the block imports");
}

#[test]
fn an_extrinsic_that_fits_a_block_only_without_its_base_weight_is_refused() {
    let chain = Chain::dev();
    let max = <Runtime as system::Config>::MAX_BLOCK_WEIGHT;
    let base = <Runtime as system::Config>::BASE_BLOCK_WEIGHT;
    // `upload_code` weighs a fixed part plus 0.75 µs a byte: size it to weigh the most a block
    // may use less half the base weight.
    let upload = |len: usize| {
        RuntimeCall::Contracts(ghost_runtime::contracts::Call::UploadCode { code: vec![0; len] })
    };
    let fixed = upload(0).dispatch_info().weight.ref_time();
    let per_byte = upload(1).dispatch_info().weight.ref_time() - fixed;
    let target = max.ref_time() - base.ref_time() / 2;
    let call = upload(((target - fixed) / per_byte) as usize);
    let weight = call.dispatch_info().weight;
    assert!(
        weight <= max,
        "it would fit an empty block without the base weight"
    );
    assert!(weight > max.saturating_sub(base));
    let xt = signed(&chain, "Alice", call, 0);
    assert!(xt.encoded_size() <= MAX_EXTRINSIC_SIZE);
    assert_refused(&chain, xt.clone(), InvalidTransaction::ExhaustsResources);

    // An importer refuses a block that holds it.
    let mut block = chain.builder().build().expect("block builds").block;
    block.extrinsics.push(xt);
    block.header.extrinsics_root = extrinsics_root(&block.extrinsics);
    assert_eq!(
        import_error(&chain, &chain.head, &block),
        BlockError::InvalidExtrinsic {
            index: 0,
            error: InvalidTransaction::ExhaustsResources.into()
        }
    );
}

// ---- runtime API ----

#[test]
fn read_proof_of_a_balance_verifies_against_the_state_root() {
    let mut chain = Chain::dev();
    chain.produce(vec![signed(
        &chain,
        "Alice",
        transfer(dev("Bob"), GHOST),
        0,
    )]);
    let alice = dev("Alice");
    let key = balances::Account::hashed_key(&alice);
    let proof = api::read_proof(&chain.store, &chain.head, std::slice::from_ref(&key)).unwrap();

    let value = verify_read_proof(&chain.head.state_root.0, &proof, &key).expect("proof verifies");

    assert_eq!(
        value,
        api::storage(&chain.store, &chain.head, &key).unwrap()
    );
    let data = AccountData::decode(&mut &value.expect("alice exists")[..]).unwrap();
    assert_eq!(
        data,
        AccountData {
            free: chain.account(&alice).free,
            reserved: 0
        }
    );
    assert_eq!(
        verify_read_proof(&chain.genesis.state_root.0, &proof, &key),
        Err(ProofError::Incomplete)
    );
}

#[test]
fn read_proof_proves_an_unknown_account_absent() {
    let chain = Chain::dev();
    let key = balances::Account::hashed_key(&dev("Nobody"));
    let proof = api::read_proof(&chain.store, &chain.head, std::slice::from_ref(&key)).unwrap();
    assert_eq!(
        verify_read_proof(&chain.head.state_root.0, &proof, &key),
        Ok(None)
    );
}

#[test]
fn validate_transaction_priority_is_the_tip_and_it_provides_the_signer_nonce_tag() {
    let mut chain = Chain::dev();
    chain.produce(vec![signed(
        &chain,
        "Alice",
        transfer(dev("Bob"), GHOST),
        0,
    )]);
    let alice = dev("Alice");
    let tip = 12_345;
    let birth = (1, chain.head.hash(), 16);
    let xt = sign_extrinsic(
        transfer(dev("Bob"), GHOST),
        &Pair::dev("Alice"),
        1,
        tip,
        chain.genesis_hash(),
        Some(birth),
    );
    assert_eq!(
        api::validate_transaction(&chain.store, &chain.head, &xt),
        Ok(ValidTransaction {
            priority: 12_345,
            requires: vec![],
            provides: vec![nonce_tag(&alice, 1)],
            valid_until: 17
        })
    );
    assert_eq!(nonce_tag(&alice, 1), (alice, 1u64).encode());
}

#[test]
fn metadata_lists_system_and_balances_with_their_calls() {
    let meta = ghost_runtime::metadata();
    assert_eq!(meta["version"]["specVersion"], SPEC_VERSION);
    let pallets = meta["pallets"].as_array().expect("pallets");
    let pallet = |name: &str| {
        pallets
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("{name} is missing from the metadata"))
    };
    let calls = |name: &str| -> Vec<(String, u64)> {
        pallet(name)["calls"]
            .as_array()
            .expect("calls")
            .iter()
            .map(|c| {
                (
                    c["name"].as_str().unwrap().to_owned(),
                    c["index"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    assert_eq!(pallet("System")["index"], 0);
    assert_eq!(pallet("Balances")["index"], 1);
    assert_eq!(calls("System"), vec![("Remark".to_owned(), 0)]);
    assert_eq!(
        calls("Balances"),
        vec![
            ("Transfer".to_owned(), 0),
            ("TransferKeepAlive".to_owned(), 1),
            ("ForceSetBalance".to_owned(), 2)
        ]
    );
    // The indices in the metadata are the ones calls encode with.
    assert_eq!(remark(0).encode()[..2], [0, 0]);
    assert_eq!(transfer(dev("Bob"), 1).encode()[..2], [1, 0]);
}

#[test]
fn integrity_test_passes() {
    ghost_runtime::integrity_test();
}

// ---- invariants over random blocks ----

/// A transfer in the issuance property test: sender and receiver index into the six dev accounts
/// plus one unfunded account (index 6).
#[derive(Clone, Debug)]
struct Op {
    from: usize,
    to: usize,
    value: Balance,
    keep_alive: bool,
}

fn account_names() -> Vec<&'static str> {
    DEV_ACCOUNTS.iter().copied().chain(["Fresh"]).collect()
}

fn arb_op() -> impl Strategy<Value = Op> {
    let ed = GHOST / 1_000;
    let value = prop_oneof![
        0..3 * ed,
        0..DEV_ENDOWMENT / 2,
        (DEV_ENDOWMENT - 10 * GHOST)..(DEV_ENDOWMENT + GHOST),
    ];
    (0..7usize, 0..7usize, value, any::<bool>()).prop_map(|(from, to, value, keep_alive)| Op {
        from,
        to,
        value,
        keep_alive,
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn random_transfers_keep_issuance_equal_to_the_sum_of_balances(
        ops in proptest::collection::vec(arb_op(), 1..24),
        per_block in 1usize..6,
    ) {
        let names = account_names();
        let mut chain = Chain::dev();
        let mut importer = Chain::dev();
        let (issuance_at_genesis, _) = chain.issuance_and_sum();
        let mut nonces: HashMap<&str, u64> = HashMap::new();
        for ops in ops.chunks(per_block) {
            let mut builder = chain.builder();
            for op in ops {
                let (from, to) = (names[op.from], dev(names[op.to]));
                let call = if op.keep_alive {
                    RuntimeCall::Balances(balances::Call::TransferKeepAlive { dest: to, value: op.value })
                } else {
                    transfer(to, op.value)
                };
                let nonce = nonces.entry(from).or_default();
                match builder.push(signed(&chain, from, call, *nonce)) {
                    Ok(_) => *nonce += 1,
                    Err(e) => prop_assert!(
                        matches!(e, TransactionValidityError::Invalid(InvalidTransaction::Payment { .. })),
                        "unexpected refusal {:?}", e
                    ),
                }
            }
            let built = builder.build().unwrap();
            let executed = execute_block(&importer.store, &importer.head, &built.block);
            prop_assert!(executed.is_ok(), "import failed: {:?}", executed.err());
            chain.append(&built);
            importer.append(&built);
            let (issuance, sum) = chain.issuance_and_sum();
            prop_assert_eq!(issuance, sum);
            prop_assert!(issuance <= issuance_at_genesis, "transfers and fees never mint");
        }
    }
}

// ---- defects ----

#[test]
fn extrinsics_stay_valid_after_block_hash_count_blocks() {
    let mut chain = Chain::dev();
    let count = <Runtime as system::Config>::BLOCK_HASH_COUNT;
    for _ in 1..count {
        chain.produce(vec![]);
    }
    let xt = signed(&chain, "Alice", transfer(dev("Bob"), GHOST), 0);
    let verdict = api::validate_transaction(&chain.store, &chain.head, &xt);
    assert!(verdict.is_ok(), "refused for block {count}: {verdict:?}");
    chain.produce(vec![]);

    // Block BLOCK_HASH_COUNT + 1 drops the oldest kept hash: it must not be the genesis hash,
    // which every signature covers.
    let verdict = api::validate_transaction(&chain.store, &chain.head, &xt);
    assert!(
        verdict.is_ok(),
        "refused by the pool for block {}: {verdict:?}",
        count + 1
    );
    let mut builder = chain.builder();
    assert_eq!(
        builder.push(xt),
        Ok(Ok(())),
        "refused in block {}",
        count + 1
    );
}

#[test]
fn small_order_nonce_signature_is_refused_by_the_pool_and_the_author() {
    let chain = Chain::dev();
    let (xt, forged) = forged_transfer(&chain);
    let ctx = SigningContext {
        genesis_hash: chain.genesis_hash(),
        spec_version: SPEC_VERSION,
        birth_hash: chain.genesis_hash(),
    };
    let message = xt.signing_message(&ctx);
    assert!(
        !forged.verify(&ctx),
        "strict verification refuses a small-order R"
    );
    assert!(
        !verify_batch(&[(&message[..], forged.signature, forged.signer)]),
        "batch verification refuses it too: one rule for authors and importers"
    );
    assert_refused(&chain, forged, InvalidTransaction::BadProof);
}

#[test]
fn import_refuses_a_signature_the_author_refuses() {
    let mut author = Chain::dev();
    let (xt, forged) = forged_transfer(&author);
    // The forged extrinsic has the same call, extras and length as the honest one, so it has the
    // same effects: only the signature and hence the extrinsics root differ.
    let mut block = author.produce(vec![xt]).block;
    block.extrinsics = vec![forged];
    block.header.extrinsics_root = extrinsics_root(&block.extrinsics);
    let importer = Chain::dev();
    assert_eq!(
        import_error(&importer, &importer.head, &block),
        BlockError::InvalidExtrinsic {
            index: 0,
            error: InvalidTransaction::BadProof.into()
        }
    );
}

/// An honest transfer from Alice, and the same transfer with a signature whose nonce point `R`
/// is the identity: `s = H(R, A, m)·a`, so `s·B = H(R, A, m)·A` holds, as the batch equation
/// checks, while strict verification refuses small-order `R`. Only the key's owner can make it.
fn forged_transfer(chain: &Chain) -> (UncheckedExtrinsic, UncheckedExtrinsic) {
    let xt = signed(chain, "Alice", transfer(dev("Bob"), GHOST), 0);
    let genesis_hash = chain.genesis_hash();
    let ctx = SigningContext {
        genesis_hash,
        spec_version: SPEC_VERSION,
        birth_hash: genesis_hash,
    };
    let mut forged = xt.clone();
    forged.signature = small_order::sign(&Pair::dev("Alice"), &xt.signing_message(&ctx));
    (xt, forged)
}

/// Ed25519 signatures with the identity as nonce point, for the batch-verification test.
/// SHA-512 is written out because the workspace enables no `sha2` feature of `ed25519-dalek`.
mod small_order {
    use std::ops::{Add, Mul};

    use ghost_primitives::{Pair, Signature};

    /// The compressed identity point: `y = 1`, `x = 0`.
    const IDENTITY: [u8; 32] = {
        let mut bytes = [0u8; 32];
        bytes[0] = 1;
        bytes
    };

    /// Signs `message` with `R` = identity and `s = k·a` (see `forged_transfer`).
    pub fn sign(pair: &Pair, message: &[u8]) -> Signature {
        let key = ed25519_dalek::SigningKey::from_bytes(&pair.seed());
        let a = key.to_scalar();
        let hram = sha512(&[&IDENTITY[..], key.verifying_key().as_bytes(), message].concat());
        let k = scalar_from_le_bytes(&a, &hram);
        let s = k * a;
        let mut signature = [0u8; 64];
        signature[..32].copy_from_slice(&IDENTITY);
        signature[32..].copy_from_slice(&s.to_bytes());
        Signature(signature)
    }

    /// The little-endian integer `bytes` modulo the group order, as the scalar type of `_like`.
    fn scalar_from_le_bytes<S>(_like: &S, bytes: &[u8]) -> S
    where
        S: From<u64> + Add<Output = S> + Mul<Output = S> + Copy,
    {
        bytes.iter().rev().fold(S::from(0), |acc, byte| {
            acc * S::from(256) + S::from(u64::from(*byte))
        })
    }

    const H0: [u64; 8] = [
        0x6a09e667f3bcc908,
        0xbb67ae8584caa73b,
        0x3c6ef372fe94f82b,
        0xa54ff53a5f1d36f1,
        0x510e527fade682d1,
        0x9b05688c2b3e6c1f,
        0x1f83d9abfb41bd6b,
        0x5be0cd19137e2179,
    ];

    const K: [u64; 80] = [
        0x428a2f98d728ae22,
        0x7137449123ef65cd,
        0xb5c0fbcfec4d3b2f,
        0xe9b5dba58189dbbc,
        0x3956c25bf348b538,
        0x59f111f1b605d019,
        0x923f82a4af194f9b,
        0xab1c5ed5da6d8118,
        0xd807aa98a3030242,
        0x12835b0145706fbe,
        0x243185be4ee4b28c,
        0x550c7dc3d5ffb4e2,
        0x72be5d74f27b896f,
        0x80deb1fe3b1696b1,
        0x9bdc06a725c71235,
        0xc19bf174cf692694,
        0xe49b69c19ef14ad2,
        0xefbe4786384f25e3,
        0x0fc19dc68b8cd5b5,
        0x240ca1cc77ac9c65,
        0x2de92c6f592b0275,
        0x4a7484aa6ea6e483,
        0x5cb0a9dcbd41fbd4,
        0x76f988da831153b5,
        0x983e5152ee66dfab,
        0xa831c66d2db43210,
        0xb00327c898fb213f,
        0xbf597fc7beef0ee4,
        0xc6e00bf33da88fc2,
        0xd5a79147930aa725,
        0x06ca6351e003826f,
        0x142929670a0e6e70,
        0x27b70a8546d22ffc,
        0x2e1b21385c26c926,
        0x4d2c6dfc5ac42aed,
        0x53380d139d95b3df,
        0x650a73548baf63de,
        0x766a0abb3c77b2a8,
        0x81c2c92e47edaee6,
        0x92722c851482353b,
        0xa2bfe8a14cf10364,
        0xa81a664bbc423001,
        0xc24b8b70d0f89791,
        0xc76c51a30654be30,
        0xd192e819d6ef5218,
        0xd69906245565a910,
        0xf40e35855771202a,
        0x106aa07032bbd1b8,
        0x19a4c116b8d2d0c8,
        0x1e376c085141ab53,
        0x2748774cdf8eeb99,
        0x34b0bcb5e19b48a8,
        0x391c0cb3c5c95a63,
        0x4ed8aa4ae3418acb,
        0x5b9cca4f7763e373,
        0x682e6ff3d6b2b8a3,
        0x748f82ee5defb2fc,
        0x78a5636f43172f60,
        0x84c87814a1f0ab72,
        0x8cc702081a6439ec,
        0x90befffa23631e28,
        0xa4506cebde82bde9,
        0xbef9a3f7b2c67915,
        0xc67178f2e372532b,
        0xca273eceea26619c,
        0xd186b8c721c0c207,
        0xeada7dd6cde0eb1e,
        0xf57d4f7fee6ed178,
        0x06f067aa72176fba,
        0x0a637dc5a2c898a6,
        0x113f9804bef90dae,
        0x1b710b35131c471b,
        0x28db77f523047d84,
        0x32caab7b40c72493,
        0x3c9ebe0a15c9bebc,
        0x431d67c49c100d4c,
        0x4cc5d4becb3e42b6,
        0x597f299cfc657e2a,
        0x5fcb6fab3ad6faec,
        0x6c44198c4a475817,
    ];

    /// SHA-512 (FIPS 180-4).
    pub fn sha512(data: &[u8]) -> [u8; 64] {
        let mut padded = data.to_vec();
        padded.push(0x80);
        while padded.len() % 128 != 112 {
            padded.push(0);
        }
        padded.extend_from_slice(&(data.len() as u128 * 8).to_be_bytes());
        let mut state = H0;
        for block in padded.chunks_exact(128) {
            let mut w = [0u64; 80];
            for (word, bytes) in w.iter_mut().zip(block.chunks_exact(8)) {
                *word = u64::from_be_bytes(bytes.try_into().expect("8 bytes"));
            }
            for t in 16..80 {
                let s0 = w[t - 15].rotate_right(1) ^ w[t - 15].rotate_right(8) ^ (w[t - 15] >> 7);
                let s1 = w[t - 2].rotate_right(19) ^ w[t - 2].rotate_right(61) ^ (w[t - 2] >> 6);
                w[t] = w[t - 16]
                    .wrapping_add(s0)
                    .wrapping_add(w[t - 7])
                    .wrapping_add(s1);
            }
            let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut h] = state;
            for (k, w) in K.iter().zip(w) {
                let s1 = e.rotate_right(14) ^ e.rotate_right(18) ^ e.rotate_right(41);
                let ch = (e & f) ^ (!e & g);
                let t1 = h
                    .wrapping_add(s1)
                    .wrapping_add(ch)
                    .wrapping_add(*k)
                    .wrapping_add(w);
                let s0 = a.rotate_right(28) ^ a.rotate_right(34) ^ a.rotate_right(39);
                let maj = (a & b) ^ (a & c) ^ (b & c);
                let t2 = s0.wrapping_add(maj);
                (h, g, f, e, d, c, b, a) =
                    (g, f, e, d.wrapping_add(t1), c, b, a, t1.wrapping_add(t2));
            }
            for (s, v) in state.iter_mut().zip([a, b, c, d, e, f, g, h]) {
                *s = s.wrapping_add(v);
            }
        }
        let mut out = [0u8; 64];
        for (chunk, word) in out.chunks_exact_mut(8).zip(state) {
            chunk.copy_from_slice(&word.to_be_bytes());
        }
        out
    }

    #[test]
    fn sha512_matches_the_fips_abc_vector() {
        let expected = "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a\
                        2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f";
        let hex: String = sha512(b"abc").iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, expected);
    }
}

// ---- validators, sudo and runtime digest items ----

fn sudo(call: RuntimeCall) -> RuntimeCall {
    RuntimeCall::Sudo(ghost_runtime::sudo::Call::Sudo {
        call: call.encode(),
    })
}

fn add_validator(who: AccountId) -> RuntimeCall {
    RuntimeCall::Validators(ghost_runtime::validators::Call::AddValidator { who })
}

fn grandpa_logs(header: &Header) -> Vec<ghost_primitives::GrandpaLog> {
    header
        .digest
        .logs
        .iter()
        .filter_map(ghost_primitives::GrandpaLog::from_digest_item)
        .collect()
}

#[test]
fn genesis_state_holds_the_validator_set_so_the_genesis_hash_commits_to_it() {
    let local = Chain::new(ChainSpec::local());
    assert_eq!(
        api::authorities(&local.store, &local.head).unwrap(),
        (vec![dev("Alice"), dev("Bob"), dev("Charlie")], 0)
    );
    let mut spec = ChainSpec::local();
    spec.genesis.validators.validators.pop();
    let fewer = spec.genesis.build().unwrap();
    assert_ne!(fewer.header.hash(), local.genesis_hash());
}

#[test]
fn sudo_adds_a_validator_at_the_session_boundary_with_a_grandpa_scheduled_change() {
    use ghost_primitives::{GrandpaLog, ScheduledChange};
    use ghost_runtime::chain_spec::DEV_SESSION_LENGTH;
    let mut chain = Chain::new(ChainSpec::local());
    let dave = dev("Dave");
    let xt = signed(&chain, "Alice", sudo(add_validator(dave)), 0);
    let built = chain.produce(vec![xt]);
    assert!(built.events.iter().any(|r| matches!(
        &r.event,
        RuntimeEvent::Sudo(ghost_runtime::sudo::Event::Sudid { result: Ok(()) })
    )));
    // Queued, not yet current.
    assert_eq!(
        api::authorities(&chain.store, &chain.head).unwrap().0.len(),
        3
    );
    let mut parent = chain.head.clone();
    while chain.head.number < DEV_SESSION_LENGTH {
        parent = chain.head.clone();
        let built = chain.produce(vec![]);
        if built.block.header.number < DEV_SESSION_LENGTH {
            assert!(grandpa_logs(&built.block.header).is_empty());
        }
    }
    let boundary = chain.head.clone();
    let expected = vec![dev("Alice"), dev("Bob"), dev("Charlie"), dave];
    assert_eq!(
        grandpa_logs(&boundary),
        vec![GrandpaLog::ScheduledChange(ScheduledChange {
            next_authorities: expected.iter().map(|v| (*v, 1)).collect(),
            delay: 0,
        })]
    );
    assert_eq!(
        api::authorities(&chain.store, &boundary).unwrap(),
        (expected, 1)
    );

    // Importers re-derive the digest: the honest block imports, one without the item or with
    // a forged one does not.
    let block = ghost_runtime::Block {
        header: boundary.clone(),
        extrinsics: vec![],
    };
    assert!(execute_block(&chain.store, &parent, &block).is_ok());
    let mut stripped = block.clone();
    stripped.header.digest.logs.clear();
    assert!(matches!(
        import_error(&chain, &parent, &stripped),
        BlockError::DigestMismatch
    ));
    let mut forged = block.clone();
    forged.header.digest.logs = vec![
        GrandpaLog::ScheduledChange(ScheduledChange {
            next_authorities: vec![(dev("Eve"), 1)],
            delay: 0,
        })
        .to_digest_item(),
    ];
    assert!(matches!(
        import_error(&chain, &parent, &forged),
        BlockError::DigestMismatch
    ));
}

#[test]
fn only_the_sudo_key_reaches_root_calls() {
    let mut chain = Chain::new(ChainSpec::local());
    let bob_sudo = signed(&chain, "Bob", sudo(add_validator(dev("Eve"))), 0);
    let bob_direct = signed(&chain, "Bob", add_validator(dev("Eve")), 1);
    let built = chain.produce(vec![bob_sudo, bob_direct]);
    let failures: Vec<String> = built
        .events
        .iter()
        .filter_map(|r| match &r.event {
            RuntimeEvent::System(system::Event::ExtrinsicFailed { dispatch_error, .. }) => {
                Some(dispatch_error.to_string())
            }
            _ => None,
        })
        .collect();
    assert_eq!(failures.len(), 2, "{failures:?}");
    assert!(failures[0].contains("RequireSudo"), "{failures:?}");
    assert!(
        failures[1].contains("BadOrigin") || failures[1].to_lowercase().contains("origin"),
        "{failures:?}"
    );
    assert_eq!(
        api::with_state(
            &chain.store,
            chain.head.state_root,
            ghost_runtime::Validators::next_set
        )
        .unwrap()
        .len(),
        3
    );
}
