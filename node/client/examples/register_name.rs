//! Register a name and set records: `Domains.Register` of `<label>.ghost` for a year with an
//! A record, then `Domains.SetRecord` of a TXT record, then a resolution verified against the
//! block's state root.
//!
//! ```text
//! cargo run -p ghost-client --example register_name -- ws://127.0.0.1:9944 example
//! ```
//!
//! A dev chain needs no commitment (its minimum commitment age is zero); on a chain that does,
//! submit `tx().domains().commit(..)` first and wait for it to mature.

use ghost_client::runtime::domains::YEAR_MS;
use ghost_client::{Client, Signer};
use ghost_primitives::{DnsRecord, DomainName, Hash, RecordData};

/// Registers `label.ghost` for `//Alice`, adds a TXT record and returns the verified records.
pub async fn run(url: &str, label: &str) -> Result<Vec<DnsRecord>, Box<dyn std::error::Error>> {
    let client = Client::connect(url).await?;
    let alice = Signer::dev("Alice");
    let name = DomainName::parse(&format!("{label}.ghost"))?;

    let a = DnsRecord::apex(RecordData::A([192, 0, 2, 1]));
    let registered = client
        .tx()
        .domains()
        .register(name.clone(), alice.account(), YEAR_MS, Hash::ZERO, vec![a])
        .submit_and_watch(&alice)
        .await?
        .in_block()
        .await?;
    println!("registered {name} in block #{}", registered.block_number);

    let txt = DnsRecord::apex(RecordData::TXT(vec![b"hello from ghost-client".to_vec()]));
    client
        .tx()
        .domains()
        .set_record(name.clone(), txt)
        .submit_and_watch(&alice)
        .await?
        .in_block()
        .await?;

    // The node's answer, checked against the proven block's state root.
    let verified = client.resolve_verified(&name).await?;
    let resolution = verified.resolution.ok_or("the name does not resolve")?;
    for record in &resolution.records {
        println!("{name}: {record:?}");
    }
    Ok(resolution.records)
}

#[allow(dead_code)]
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "ws://127.0.0.1:9944".into());
    let label = std::env::args().nth(2).unwrap_or_else(|| "example".into());
    run(&url, &label).await?;
    Ok(())
}
