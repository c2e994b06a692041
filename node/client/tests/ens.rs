//! The `ens_*` reads against an in-process dev node: a request is pending, two of the three dev
//! oracles make the link, the forward and reverse mappings and the link list show it, and bad
//! names are refused with `INVALID_PARAMS`.

mod common;

use ghost_client::runtime::ens_bridge::eth::EthKey;
use ghost_client::{Client, Signer};
use ghost_primitives::{Bytes, DomainName, EnsName, Hash, Web3Records};
use ghost_rpc::error_codes;

/// A fixed test key (not a real wallet's).
const ETH_SECRET: [u8; 32] = [0x42; 32];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_becomes_a_link_when_two_oracles_agree() {
    let node = common::dev_node(None).await;
    let client = Client::connect(common::url(&node)).await.unwrap();

    let oracles = client.ens_oracles().await.unwrap();
    let dev: Vec<_> = ["Dave", "Eve", "Ferdie"]
        .map(|n| Signer::dev(n).account())
        .into_iter()
        .collect();
    let mut expected = dev.clone();
    expected.sort();
    assert_eq!(oracles.oracles, expected);
    assert_eq!(oracles.threshold, 2);

    let alice = Signer::dev("Alice");
    let ens_name = EnsName::normalize("Alice.ETH").unwrap();
    let ghost_name = DomainName::parse("alice-ens.ghost").unwrap();
    assert_eq!(client.ens_link(&ens_name).await.unwrap(), None);
    assert!(client.ens_pending().await.unwrap().is_empty());

    let key = EthKey::from_secret(&ETH_SECRET).unwrap();
    let message = client
        .ens_link_message(&ens_name, &ghost_name, &alice.account())
        .await
        .unwrap();
    assert!(message.starts_with("GhostChain ENS link\nENS name: alice.eth\n"));
    let signature = key.sign_personal(message.as_bytes());
    client
        .tx()
        .ens_bridge()
        .register_ens_domain(
            ens_name.clone(),
            ghost_name.clone(),
            key.address(),
            signature,
        )
        .submit_and_watch(&alice)
        .await
        .unwrap()
        .in_block()
        .await
        .unwrap();

    let pending = client.ens_pending().await.unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].ens_name, ens_name);
    assert_eq!(pending[0].ens_node, Hash(ens_name.namehash()));
    assert_eq!(pending[0].ghost_name, ghost_name);
    assert_eq!(pending[0].ghost_account, alice.account());
    assert_eq!(pending[0].eth_address, key.address());
    assert!(pending[0].deposit > 0);

    let mut records = Web3Records::default();
    records
        .addresses
        .insert(60, Bytes(key.address().0.to_vec()));
    records
        .texts
        .insert("url".into(), "https://alice.example".into());
    for (oracle, block) in [("Dave", 10u64), ("Eve", 11)] {
        client
            .tx()
            .ens_bridge()
            .submit_attestation(
                ens_name.clone(),
                block,
                Hash([block as u8; 32]),
                key.address(),
                records.clone().into(),
            )
            .submit_and_watch(&Signer::dev(oracle))
            .await
            .unwrap()
            .in_block()
            .await
            .unwrap();
    }

    let link = client.ens_link(&ens_name).await.unwrap().expect("linked");
    assert_eq!(link.ghost_name, ghost_name);
    assert_eq!(link.ghost_account, alice.account());
    assert_eq!(link.eth_owner, key.address());
    assert_eq!(link.eth_block_number, 11, "the highest agreeing block");
    assert_eq!(link.status, "active");
    assert_eq!(link.suspended_by, None);
    assert!(client.ens_pending().await.unwrap().is_empty());
    assert_eq!(
        client.ens_reverse(&ghost_name).await.unwrap(),
        Some(ens_name.clone())
    );
    let other = DomainName::parse("nobody.ghost").unwrap();
    assert_eq!(client.ens_reverse(&other).await.unwrap(), None);
    let all = client.ens_all_links().await.unwrap();
    assert_eq!(all, vec![link]);
    let page = client
        .ens_links_page(Some(Hash(ens_name.namehash())))
        .await
        .unwrap();
    assert!(page.links.is_empty() && page.next.is_none(), "{page:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_names_are_invalid_params() {
    use ghost_rpc::EnsApiClient;
    let node = common::dev_node(None).await;
    let client = Client::connect(common::url(&node)).await.unwrap();
    for bad in ["", "a..eth", "\u{0}.eth"] {
        let error = EnsApiClient::link(&client, bad.into(), None)
            .await
            .unwrap_err();
        let jsonrpsee::core::client::Error::Call(object) = error else {
            panic!("{bad:?}: not a call error: {error}");
        };
        assert_eq!(object.code(), error_codes::INVALID_PARAMS, "{bad:?}");
    }
    let error = EnsApiClient::reverse(&client, "not a name".into(), None)
        .await
        .unwrap_err();
    assert!(
        matches!(&error, jsonrpsee::core::client::Error::Call(o) if o.code() == error_codes::INVALID_PARAMS),
        "{error}"
    );
}
