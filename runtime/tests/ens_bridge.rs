//! The ENS bridge in whole blocks: a request and two of the dev chain's three oracles make a
//! link whose records resolve through the runtime API, and importers reproduce it.

use ghost_primitives::{
    AccountId, Bytes, Digest, DnsRecord, DomainName, EnsName, EthAddress, Hash, Header, Pair,
    RecordData, RecordLabel, Web3Records,
};
use ghost_runtime::api;
use ghost_runtime::builder::{BlockBuilder, BuiltBlock, execute_block};
use ghost_runtime::chain_spec::{ChainSpec, DEV_ENS_ORACLES};
use ghost_runtime::ens_bridge::eth::EthKey;
use ghost_runtime::ens_bridge::{self, LinkStatus};
use ghost_runtime::{EnsBridge, RuntimeCall, RuntimeEvent, UncheckedExtrinsic, sign_extrinsic};
use ghost_trie::MemoryNodeStore;
use parity_scale_codec::{Decode, Encode};

/// web3.js's documented example key.
const ETH_SECRET: [u8; 32] = [
    0x4c, 0x08, 0x83, 0xa6, 0x91, 0x02, 0x93, 0x7d, 0x62, 0x31, 0x47, 0x1b, 0x5d, 0xbb, 0x62, 0x04,
    0xfe, 0x51, 0x29, 0x61, 0x70, 0x82, 0x79, 0x2a, 0xe4, 0x68, 0xd0, 0x1a, 0x3f, 0x36, 0x23, 0x18,
];

struct Chain {
    store: MemoryNodeStore,
    genesis: Header,
    head: Header,
}

impl Chain {
    fn dev() -> Chain {
        let genesis = ChainSpec::dev()
            .genesis
            .build()
            .expect("dev genesis builds");
        let mut store = MemoryNodeStore::default();
        store.insert_nodes(genesis.state_nodes);
        Chain {
            store,
            head: genesis.header.clone(),
            genesis: genesis.header,
        }
    }

    fn signed(&self, signer: &str, call: RuntimeCall, nonce: u64) -> UncheckedExtrinsic {
        sign_extrinsic(
            call,
            &Pair::dev(signer),
            nonce,
            0,
            self.genesis.hash(),
            None,
        )
    }

    fn produce(&mut self, xts: Vec<UncheckedExtrinsic>) -> BuiltBlock {
        let mut builder = BlockBuilder::new(
            &self.store,
            &self.head,
            self.head.timestamp_ms + 1_000,
            Digest::default(),
        )
        .expect("block starts");
        for (index, xt) in xts.into_iter().enumerate() {
            if let Err(e) = builder.push(xt) {
                panic!("extrinsic {index} refused: {e}");
            }
        }
        let built = builder.build().expect("block builds");
        self.store.insert_nodes(built.state_nodes.clone());
        self.head = built.block.header.clone();
        built
    }
}

fn dev(name: &str) -> AccountId {
    Pair::dev(name).public()
}

fn attestation(
    block: u64,
    owner: EthAddress,
    records: impl Into<ens_bridge::EnsRecords>,
) -> RuntimeCall {
    RuntimeCall::EnsBridge(ens_bridge::Call::SubmitAttestation {
        ens_name: EnsName::parse("alice.eth").unwrap(),
        eth_block_number: block,
        eth_block_hash: Hash([block as u8; 32]),
        owner,
        records: records.into(),
    })
}

fn failures(built: &BuiltBlock) -> Vec<String> {
    built
        .events
        .iter()
        .filter_map(|r| match &r.event {
            RuntimeEvent::System(ghost_runtime::system::Event::ExtrinsicFailed {
                dispatch_error,
                ..
            }) => Some(dispatch_error.to_string()),
            _ => None,
        })
        .collect()
}

#[test]
fn dev_spec_makes_dave_eve_and_ferdie_oracles_with_threshold_two() {
    let chain = Chain::dev();
    let (oracles, threshold) = api::ens_oracles(&chain.store, &chain.head).unwrap();
    let mut expected: Vec<AccountId> = DEV_ENS_ORACLES.iter().map(|n| dev(n)).collect();
    expected.sort();
    assert_eq!(oracles, expected);
    assert_eq!(threshold, 2);
    let local = ChainSpec::local()
        .genesis
        .build()
        .expect("local genesis builds");
    let mut store = MemoryNodeStore::default();
    store.insert_nodes(local.state_nodes);
    let local_oracles =
        api::with_state(&store, local.header.state_root, EnsBridge::oracles).unwrap();
    assert_eq!(local_oracles, expected);
}

#[test]
fn a_block_with_two_attestations_links_and_its_records_resolve() {
    let mut chain = Chain::dev();
    let key = EthKey::from_secret(&ETH_SECRET).unwrap();
    let ens_name = EnsName::parse("alice.eth").unwrap();
    let ghost_name = DomainName::parse("alice.ghost").unwrap();
    let alice = dev("Alice");
    let message = format!(
        "GhostChain ENS link\nENS name: alice.eth\nGhost name: alice.ghost\nGhost account: {alice}\nGenesis hash: {}",
        chain.genesis.hash()
    );
    assert_eq!(
        api::ens_link_message(&ens_name, &ghost_name, &alice, &chain.genesis.hash()),
        message
    );
    let request = RuntimeCall::EnsBridge(ens_bridge::Call::RegisterEnsDomain {
        ens_name: ens_name.clone(),
        ghost_name: ghost_name.clone(),
        eth_address: key.address(),
        eth_signature: key.sign_personal(message.as_bytes()),
    });
    let block1 = chain.produce(vec![chain.signed("Alice", request, 0)]);
    assert_eq!(failures(&block1), Vec::<String>::new());
    let pending = api::ens_pending(&chain.store, &chain.head, 10).unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].ghost_account, alice);

    let mut records = Web3Records::default();
    records
        .addresses
        .insert(60, Bytes(key.address().0.to_vec()));
    records
        .texts
        .insert("url".into(), "https://alice.example".into());
    let block2 = chain.produce(vec![
        chain.signed("Dave", attestation(100, key.address(), &records), 0),
        chain.signed("Eve", attestation(101, key.address(), &records), 0),
    ]);
    assert_eq!(failures(&block2), Vec::<String>::new());
    let link = api::ens_link(&chain.store, &chain.head, &ens_name)
        .unwrap()
        .expect("linked");
    assert_eq!(link.ghost_account, alice);
    assert_eq!(link.status, LinkStatus::Active);
    assert_eq!(link.eth_block_number, 101);
    assert_eq!(
        api::ens_reverse(&chain.store, &chain.head, &ghost_name).unwrap(),
        Some(ens_name.clone())
    );
    assert_eq!(
        api::ens_pending(&chain.store, &chain.head, 10).unwrap(),
        Vec::new()
    );
    let resolution = api::resolve(&chain.store, &chain.head, &ghost_name, None)
        .unwrap()
        .expect("registered");
    assert_eq!(resolution.owner, alice);
    assert_eq!(resolution.web3, records);
    assert!(block2.events.iter().any(|r| matches!(
        &r.event,
        RuntimeEvent::EnsBridge(ens_bridge::Event::Linked { .. })
    )));

    // An importer re-executing both blocks reaches the same state.
    let mut importer = Chain::dev();
    for built in [&block1, &block2] {
        let executed =
            execute_block(&importer.store, &importer.head, &built.block).expect("imports");
        assert_eq!(executed.events, built.events);
        importer.store.insert_nodes(executed.state_nodes);
        importer.head = built.block.header.clone();
    }
    assert_eq!(importer.head.state_root, chain.head.state_root);

    // ENS gains DNS-profile records: the domains pallet stores them as the name's own.
    let a = DnsRecord {
        label: RecordLabel::apex(),
        ttl: 600,
        data: RecordData::A([192, 0, 2, 1]),
    };
    let with_dns = ens_bridge::EnsRecords {
        web3: records.clone(),
        dns: vec![a.clone()],
    };
    let block3 = chain.produce(vec![
        chain.signed("Dave", attestation(110, key.address(), &with_dns), 1),
        chain.signed("Eve", attestation(110, key.address(), &with_dns), 1),
    ]);
    assert_eq!(failures(&block3), Vec::<String>::new());
    let resolution = api::resolve(&chain.store, &chain.head, &ghost_name, None)
        .unwrap()
        .expect("registered");
    assert_eq!(resolution.records, vec![a]);
    assert_eq!(resolution.web3, records);
    assert!(
        api::ens_link(&chain.store, &chain.head, &ens_name)
            .unwrap()
            .unwrap()
            .mirrors_dns
    );
}

#[test]
fn a_non_oracle_attestation_fails_in_its_block() {
    let mut chain = Chain::dev();
    let key = EthKey::from_secret(&ETH_SECRET).unwrap();
    let block = chain.produce(vec![chain.signed(
        "Alice",
        attestation(1, key.address(), Web3Records::default()),
        0,
    )]);
    assert_eq!(failures(&block), vec!["EnsBridge.NotOracle".to_string()]);
}

#[test]
fn metadata_and_encoding_name_the_bridge_at_index_six() {
    let meta = ghost_runtime::metadata();
    let bridge = meta["pallets"]
        .as_array()
        .expect("pallets")
        .iter()
        .find(|p| p["name"] == "EnsBridge")
        .expect("EnsBridge in the metadata");
    assert_eq!(bridge["index"], 6);
    let calls: Vec<(&str, u64)> = bridge["calls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["name"].as_str().unwrap(), c["index"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        calls,
        vec![
            ("RegisterEnsDomain", 0),
            ("SubmitAttestation", 1),
            ("Unlink", 2),
            ("CancelRequest", 3),
            ("SetOracles", 4),
            ("SetParams", 5),
        ]
    );
    // Pallet index, call index, then the SCALE fields: clients build these bytes.
    let call = RuntimeCall::EnsBridge(ens_bridge::Call::Unlink {
        ens_name: EnsName::parse("a.eth").unwrap(),
    });
    assert_eq!(
        call.encode(),
        vec![6, 2, 5 << 2, b'a', b'.', b'e', b't', b'h']
    );
    assert_eq!(RuntimeCall::decode(&mut &call.encode()[..]).unwrap(), call);
    // A non-normalised ENS name does not decode.
    let bad = [6, 2, 5 << 2, b'A', b'.', b'e', b't', b'h'];
    assert!(RuntimeCall::decode(&mut &bad[..]).is_err());
}
