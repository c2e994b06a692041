//! Call a contract: upload WASM-lite code, instantiate it, call it in a transaction and read
//! the result with a dry run. Written for the `counter` example contract
//! (`contracts/examples/counter`: `deploy(u64)`, `increment(u64) -> u64`, `get() -> u64`).
//!
//! ```text
//! cargo run -p ghost-client --example call_contract -- ws://127.0.0.1:9944 counter.wasm
//! ```

use ghost_client::rpc::ContractsApiClient;
use ghost_client::runtime::contracts::{contract_address, selector};
use ghost_client::runtime::{GHOST, RuntimeEvent, contracts};
use ghost_client::{Client, Signer};
use ghost_primitives::{Bytes, blake3_256};
use parity_scale_codec::{Decode, Encode};

/// Fuel for each call.
const FUEL: u64 = 10_000_000;

/// `selector(method) ++ SCALE(args)`.
fn call_data(method: &str, args: impl Encode) -> Vec<u8> {
    let mut data = selector(method).to_vec();
    args.encode_to(&mut data);
    data
}

/// Deploys `code` (a counter starting at 5), increments it by 3 and returns `get()`.
pub async fn run(url: &str, code: &[u8]) -> Result<u64, Box<dyn std::error::Error>> {
    let client = Client::connect(url).await?;
    let alice = Signer::dev("Alice");
    let code_hash = blake3_256(code);
    let salt = b"example".to_vec();

    client
        .tx()
        .contracts()
        .upload_code(code.to_vec())
        .submit_and_watch(&alice)
        .await?
        .in_block()
        .await?;
    let created = client
        .tx()
        .contracts()
        .instantiate(code_hash, GHOST, FUEL, None, 5u64.encode(), salt.clone())
        .submit_and_watch(&alice)
        .await?
        .in_block()
        .await?;
    let contract = created
        .find(|event| match event {
            RuntimeEvent::Contracts(contracts::Event::Instantiated { contract, .. }) => {
                Some(*contract)
            }
            _ => None,
        })
        .ok_or("no Contracts.Instantiated event")?;
    assert_eq!(
        contract,
        contract_address(&alice.account(), &code_hash, &salt)
    );
    println!("contract: {contract}");

    client
        .tx()
        .contracts()
        .call(contract, 0, FUEL, None, call_data("increment", 3u64))
        .submit_and_watch(&alice)
        .await?
        .in_block()
        .await?;

    let dry = client
        .dry_run_call(
            alice.account().to_string(),
            contract.to_string(),
            0,
            FUEL,
            Bytes(call_data("get", ())),
            None,
        )
        .await?;
    let value = u64::decode(&mut &dry.output.0[..])?;
    println!("get() = {value} (fuel {})", dry.fuel_consumed);
    Ok(value)
}

#[allow(dead_code)]
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let url = args.next().unwrap_or_else(|| "ws://127.0.0.1:9944".into());
    let path = args
        .next()
        .ok_or("usage: call_contract <URL> <FILE.wasm>")?;
    run(&url, &std::fs::read(path)?).await?;
    Ok(())
}
