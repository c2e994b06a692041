//! Transfer: Alice sends 1 GHOST to Bob on a dev node and prints where it landed and the
//! `Balances.Transfer` event it deposited.
//!
//! ```text
//! ghostchain --dev &
//! cargo run -p ghost-client --example transfer -- ws://127.0.0.1:9944
//! ```

use ghost_client::runtime::{GHOST, RuntimeEvent, balances};
use ghost_client::{Client, Signer, TxInBlock};

/// Sends 1 GHOST from `//Alice` to `//Bob` through the node at `url`.
pub async fn run(url: &str) -> ghost_client::Result<TxInBlock> {
    let client = Client::connect(url).await?;
    let alice = Signer::dev("Alice");
    let bob = Signer::dev("Bob").account();

    let before = client.fetch_account(&bob).await?.free;
    let done = client
        .tx()
        .balances()
        .transfer(bob, GHOST)
        .submit_and_watch(&alice)
        .await?
        .in_block()
        .await?;
    let after = client.fetch_account(&bob).await?.free;

    let amount = done.find(|event| match event {
        RuntimeEvent::Balances(balances::Event::Transfer { amount, .. }) => Some(*amount),
        _ => None,
    });
    println!("extrinsic: {}", done.extrinsic_hash);
    println!("block: #{} {}", done.block_number, done.block_hash);
    println!("transferred: {amount:?}; Bob's balance {before} -> {after}");
    Ok(done)
}

#[allow(dead_code)]
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "ws://127.0.0.1:9944".into());
    run(&url).await?;
    Ok(())
}
