//! Follow domain changes: subscribe to the name changes of every block under a suffix, from a
//! height (replayed, then live: no gap, no duplicate), and print the first `count` of them.
//!
//! ```text
//! cargo run -p ghost-client --example follow_domain_changes -- ws://127.0.0.1:9944 .ghost 3 [FROM]
//! ```

use futures::StreamExt;
use ghost_client::Client;
use ghost_client::rpc::{ChangeFilter, DomainChangeJson};

/// Prints (and returns) the first `count` changes of names under `suffix` from block
/// `from_height` (default: the next block).
pub async fn run(
    url: &str,
    suffix: &str,
    from_height: Option<u64>,
    count: usize,
) -> ghost_client::Result<Vec<DomainChangeJson>> {
    let client = Client::connect(url).await?;
    let filter = ChangeFilter {
        suffixes: vec![suffix.to_owned()],
        ..ChangeFilter::default()
    };
    let mut changes = client.domain_changes(from_height, filter).await?;
    let mut seen = Vec::new();
    while seen.len() < count {
        let Some(block) = changes.next().await else {
            break;
        };
        let block = block?;
        for change in block.changes {
            println!(
                "#{} {} {}",
                block.block_height, change.domain, change.change_type
            );
            seen.push(change);
        }
    }
    Ok(seen)
}

#[allow(dead_code)]
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let url = args.next().unwrap_or_else(|| "ws://127.0.0.1:9944".into());
    let suffix = args.next().unwrap_or_else(|| ".ghost".into());
    let count = args.next().map(|n| n.parse()).transpose()?.unwrap_or(1);
    let from = args.next().map(|n| n.parse()).transpose()?;
    run(&url, &suffix, from, count).await?;
    Ok(())
}
