//! Runs each example of `examples/` against an in-process dev node.

mod common;

#[path = "../examples/call_contract.rs"]
mod call_contract;
#[path = "../examples/follow_domain_changes.rs"]
mod follow_domain_changes;
#[path = "../examples/register_name.rs"]
mod register_name;
#[path = "../examples/transfer.rs"]
mod transfer;

use ghost_primitives::{RecordData, RecordType};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transfer_example_moves_one_ghost() {
    let node = common::dev_node(None).await;
    let done = transfer::run(&common::url(&node)).await.unwrap();
    assert!(done.block_number >= 1);
    assert!(done.events.iter().any(|e| matches!(
        e,
        ghost_client::runtime::RuntimeEvent::Balances(ghost_client::runtime::balances::Event::Transfer { amount, .. })
            if *amount == ghost_client::runtime::GHOST
    )));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn register_name_example_sets_verified_records() {
    let node = common::dev_node(None).await;
    let records = register_name::run(&common::url(&node), "example")
        .await
        .unwrap();
    let types: Vec<RecordType> = records.iter().map(|r| r.data.rtype()).collect();
    assert!(
        types.contains(&RecordType::A) && types.contains(&RecordType::TXT),
        "{records:?}"
    );
    assert!(
        records
            .iter()
            .any(|r| r.data == RecordData::A([192, 0, 2, 1]))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn follow_example_sees_a_registration() {
    let node = common::dev_node(None).await;
    let url = common::url(&node);
    // Follow from the next block on, whenever the subscription starts: nothing is missed.
    let client = ghost_client::Client::connect(&url).await.unwrap();
    let next = client.fetch_header(None).await.unwrap().number + 1;
    let follower = tokio::spawn({
        let url = url.clone();
        async move { follow_domain_changes::run(&url, ".ghost", Some(next), 1).await }
    });
    register_name::run(&url, "followed").await.unwrap();
    let changes = tokio::time::timeout(std::time::Duration::from_secs(30), follower)
        .await
        .expect("a change within 30 s")
        .unwrap()
        .unwrap();
    assert_eq!(changes[0].domain.as_str(), "followed.ghost");
    assert_eq!(changes[0].change_type, "created");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn call_contract_example_increments_the_counter() {
    let node = common::dev_node(None).await;
    let value = call_contract::run(&common::url(&node), ghost_contract_fixtures::COUNTER)
        .await
        .unwrap();
    assert_eq!(value, 8);
}
