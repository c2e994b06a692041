//! The tag graph on its own: arbitrary tags, recently pruned tags, cycles.

use std::sync::Arc;

use ghost_primitives::{Hash, TransactionTag};

use crate::graph::{Graph, Journal, Queue};
use crate::transaction::{PoolLimits, PoolTransaction};

fn tag(name: &str) -> TransactionTag {
    name.as_bytes().to_vec()
}

fn tx(id: u8, priority: u64, requires: &[&str], provides: &[&str]) -> Arc<PoolTransaction<()>> {
    Arc::new(PoolTransaction {
        data: (),
        hash: Hash([id; 32]),
        len: 10,
        priority,
        requires: requires.iter().map(|t| tag(t)).collect(),
        provides: provides.iter().map(|t| tag(t)).collect(),
        valid_until: u64::MAX,
        inserted_at: u64::from(id),
    })
}

fn order(graph: &Graph<()>) -> Vec<u8> {
    graph.ready_order().iter().map(|tx| tx.hash.0[0]).collect()
}

#[test]
fn a_transaction_waits_for_all_of_its_requirements() {
    let mut graph = Graph::default();
    let mut journal = Journal::default();
    graph.insert(tx(3, 100, &["a", "b"], &["c"]), &mut journal);
    graph.insert(tx(1, 1, &[], &["a"]), &mut journal);
    assert_eq!(graph.queue(&Hash([3; 32])), Some(Queue::Future));
    graph.insert(tx(2, 2, &[], &["b"]), &mut journal);
    assert_eq!(order(&graph), vec![2, 1, 3]);
    graph.check_invariants();
}

#[test]
fn recently_pruned_tags_count_as_provided_for_two_blocks() {
    let mut graph = Graph::default();
    let mut journal = Journal::default();
    graph.insert(tx(1, 1, &["a"], &["b"]), &mut journal);
    graph.insert(tx(2, 1, &["b"], &["c"]), &mut journal);
    assert_eq!(order(&graph), Vec::<u8>::new());

    graph.begin_block(&mut journal);
    graph.add_pruned(vec![tag("a")], &mut journal);
    assert_eq!(order(&graph), vec![1, 2]);
    graph.begin_block(&mut journal);
    assert_eq!(order(&graph), vec![1, 2]);
    graph.check_invariants();

    graph.begin_block(&mut journal);
    assert_eq!(
        order(&graph),
        Vec::<u8>::new(),
        "forgotten tags no longer satisfy"
    );
    assert_eq!(graph.future_count(), 2);
    graph.check_invariants();
}

#[test]
fn transactions_requiring_each_other_stay_future() {
    let mut graph = Graph::default();
    let mut journal = Journal::default();
    graph.insert(tx(1, 1, &["x"], &["y"]), &mut journal);
    graph.insert(tx(2, 1, &["y"], &["x"]), &mut journal);
    assert_eq!(graph.ready_count(), 0);
    assert_eq!(graph.future_count(), 2);
    graph.check_invariants();
}

#[test]
fn removing_a_provider_demotes_the_whole_chain() {
    let mut graph = Graph::default();
    let mut journal = Journal::default();
    graph.insert(tx(1, 1, &[], &["a"]), &mut journal);
    graph.insert(tx(2, 1, &["a"], &["b"]), &mut journal);
    graph.insert(tx(3, 1, &["b"], &["c"]), &mut journal);
    graph.insert(tx(4, 1, &[], &["d"]), &mut journal);
    assert_eq!(graph.ready_count(), 4);

    graph.remove(&Hash([1; 32]), &mut journal);
    assert_eq!(order(&graph), vec![4]);
    assert_eq!(graph.future_count(), 2);
    graph.check_invariants();
}

#[test]
fn the_journal_reports_net_transitions_only() {
    let mut graph = Graph::default();
    let mut setup = Journal::default();
    graph.insert(tx(1, 1, &[], &["a"]), &mut setup);
    graph.insert(tx(2, 1, &["a"], &["b"]), &mut setup);

    let mut journal = Journal::default();
    let old = graph.remove(&Hash([1; 32]), &mut journal).expect("held");
    graph.insert(old, &mut journal);
    let changed: Vec<_> = journal
        .transitions(&graph)
        .into_iter()
        .filter(|(_, before, after)| before != after)
        .collect();
    assert_eq!(changed, vec![]);
}

#[test]
fn eviction_takes_futures_then_ready_leaves_by_priority() {
    let mut graph = Graph::default();
    let mut journal = Journal::default();
    graph.insert(tx(1, 1, &[], &["a"]), &mut journal); // lowest, not a leaf
    graph.insert(tx(2, 9, &["a"], &["b"]), &mut journal);
    graph.insert(tx(3, 5, &[], &["c"]), &mut journal);
    graph.insert(tx(4, 50, &["zz"], &["d"]), &mut journal); // future
    let limits = PoolLimits {
        max_ready: 10,
        max_future: 10,
        max_total_bytes: 15,
        max_tx_bytes: 10,
    };
    let victims: Vec<u8> = graph
        .plan_eviction(&limits)
        .iter()
        .map(|h| h.0[0])
        .collect();
    // 40 bytes held, 15 allowed: the future one, then leaf 3 (5), then leaf 2 (9); 1 remains.
    assert_eq!(victims, vec![4, 3, 2]);
    assert_eq!(graph.ready_count(), 3, "planning does not change the graph");
}
