//! Property tests: whatever is submitted, removed or included, `ready()` lists transactions a block
//! can apply in order.

use std::collections::HashMap;

use proptest::prelude::*;

use super::*;

#[derive(Clone, Debug)]
enum Op {
    Submit {
        sender: Sender,
        nonce: u64,
        priority: u64,
        salt: u64,
    },
    RemoveInvalid {
        pick: usize,
    },
    /// An author includes the first `take` ready transactions.
    ImportOwnBlock {
        take: usize,
    },
    /// Another node's block uses `sender`'s next nonce.
    ImportForeignBlock {
        sender: Sender,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (0..4u64, 0..6u64, 0..5u64, 0..2u64)
            .prop_map(|(sender, nonce, priority, salt)| Op::Submit { sender, nonce, priority, salt }),
        1 => any::<usize>().prop_map(|pick| Op::RemoveInvalid { pick }),
        1 => (0..6usize).prop_map(|take| Op::ImportOwnBlock { take }),
        1 => (0..4u64).prop_map(|sender| Op::ImportForeignBlock { sender }),
    ]
}

/// Each ready transaction's requirements are provided by the state or by one listed earlier.
fn assert_requires_before_provides(pool: &Pool<TestApi>) {
    let ready = pool.ready();
    let mut position = HashMap::new();
    for (i, tx) in ready.iter().enumerate() {
        for tag in &tx.provides {
            position.insert(tag.clone(), i);
        }
    }
    for (i, tx) in ready.iter().enumerate() {
        for tag in &tx.requires {
            if let Some(&provider) = position.get(tag) {
                assert!(provider < i, "{:?} listed before its requirement", tx.hash);
            }
        }
    }
    assert_eq!(ready.len(), pool.status().ready);
}

/// Applying `ready()` in order on the mock chain succeeds for every transaction.
fn assert_applicable(api: &TestApi, pool: &Pool<TestApi>) {
    let mut nonces: HashMap<Sender, u64> = HashMap::new();
    for tx in pool.ready() {
        let next = nonces
            .entry(tx.data.sender)
            .or_insert_with(|| api.nonce(tx.data.sender));
        assert_eq!(tx.data.nonce, *next, "ready order skips or repeats a nonce");
        *next += 1;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn ready_order_respects_requirements(ops in prop::collection::vec(op(), 1..60)) {
        let limits = PoolLimits { max_ready: 8, max_future: 4, max_total_bytes: 1_500, max_tx_bytes: 200 };
        let (api, pool) = pool_with(limits);
        let mut number = 0;
        for op in ops {
            match op {
                Op::Submit { sender, nonce, priority, salt } => {
                    let len = 50 + 10 * salt as usize;
                    let tx = xt(sender, nonce, priority).with_salt(salt).with_len(len);
                    let _ = pool.submit(BEST, tx);
                }
                Op::RemoveInvalid { pick } => {
                    let all: Vec<Hash> =
                        pool.ready().iter().chain(pool.future().iter()).map(|tx| tx.hash).collect();
                    if !all.is_empty() {
                        pool.remove_invalid(&[all[pick % all.len()]]);
                    }
                }
                Op::ImportOwnBlock { take } => {
                    number += 1;
                    let block: Vec<TestExtrinsic> =
                        pool.ready().iter().take(take).map(|tx| tx.data.clone()).collect();
                    api.include(&block);
                    let hashes: Vec<Hash> = block.iter().map(TestExtrinsic::hash).collect();
                    let report = pool.maintain(Hash([number as u8; 32]), number, &hashes);
                    prop_assert_eq!(report.included.len(), hashes.len());
                }
                Op::ImportForeignBlock { sender } => {
                    number += 1;
                    api.set_nonce(sender, api.nonce(sender) + 1);
                    pool.maintain(Hash([number as u8; 32]), number, &[]);
                }
            }
            pool.check_invariants();
            assert_requires_before_provides(&pool);
            assert_applicable(&api, &pool);
            let status = pool.status();
            prop_assert!(status.ready <= limits.max_ready);
            prop_assert!(status.future <= limits.max_future);
            prop_assert!(status.bytes <= limits.max_total_bytes);
        }
    }
}
