//! Test fixtures (feature `fixtures`): a small state holding `alice.ghost` (expiring at 10 000
//! ms, one A record) and its subname `www.alice.ghost`, and read proofs of it, for the tests of
//! this crate and of clients that verify resolutions.

use ghost_primitives::{DnsRecord, DomainName, Hash, Pair, RecordData};
use ghost_trie::ReadProof;
use pallet_domains::{DomainInfo, NameRecords};
use parity_scale_codec::Encode;

use crate::domain::ProofKeys;

/// A proof of the keys of one name in the fixture state.
#[derive(Clone, Debug)]
pub struct ProvenState {
    /// The name proven.
    pub name: DomainName,
    /// The state root.
    pub state_root: Hash,
    /// The proof.
    pub proof: ReadProof,
    /// The keys the proof is of.
    pub keys: Vec<Vec<u8>>,
}

/// The fixture state at block time `now` (after `tamper` edits its key-value pairs), and a
/// proof of the keys of `target`.
pub fn proven_state(
    target: &str,
    now: u64,
    tamper: impl FnOnce(&mut Vec<(Vec<u8>, Vec<u8>)>),
) -> ProvenState {
    let name = |s: &str| DomainName::parse(s).expect("a fixture name");
    let alice = Pair::dev("Alice").public();
    let (root, sub) = (name("alice.ghost"), name("www.alice.ghost"));
    let info = |n: &DomainName, parent: Option<Hash>| DomainInfo {
        name: n.clone(),
        owner: alice,
        parent,
        expires_at: if parent.is_none() { 10_000 } else { 0 },
        created_at: 1_000,
        registration: 1,
        parent_controlled: true,
        approved: None,
        update_key: None,
        last_signed_update: 0,
        update_sequence: 0,
    };
    let records = NameRecords {
        dns: vec![DnsRecord::apex(RecordData::A([10, 0, 0, 1]))],
        web3: Default::default(),
    };
    let params = ghost_runtime::chain_spec::dev_domain_params();
    let (rk, sk) = (ProofKeys::of(&root), ProofKeys::of(&sub));
    let mut pairs = vec![
        (rk.entry.clone(), info(&root, None).encode()),
        (rk.records.clone(), records.encode()),
        (sk.entry.clone(), info(&sub, Some(root.namehash())).encode()),
        (rk.params.clone(), params.encode()),
        (rk.now.clone(), now.encode()),
        (b"unrelated".to_vec(), vec![1, 2, 3]),
    ];
    tamper(&mut pairs);
    let (state_root, nodes) = ghost_trie::build(pairs);
    let mut store = ghost_trie::MemoryNodeStore::new();
    store.insert_nodes(nodes);
    let target = name(target);
    let keys = ProofKeys::of(&target).all();
    let proof =
        ghost_trie::generate_read_proof(&store, state_root, &keys).expect("a proof of the fixture");
    ProvenState {
        name: target,
        state_root: Hash(state_root),
        proof,
        keys,
    }
}
