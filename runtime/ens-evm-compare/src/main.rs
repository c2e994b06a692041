//! `ens-evm-compare --trace FILE [--scenario C] [--registrations 200] [--iterations 200]
//! [--json OUT]`: GhostChain's register with 3 records next to ENS's transactions for the same
//! result, replayed in revm from `scripts/ens-gas.sh --trace FILE`. Prints one line per side
//! and, with `--json`, writes both reports.

use anyhow::{Context, bail};
use ghost_ens_evm_compare::{evm, ghost, trace::Trace};
use std::path::PathBuf;

fn main() -> anyhow::Result<()> {
    let mut trace = None;
    let mut scenario = "C".to_string();
    let mut registrations = 200usize;
    let mut iterations = 200usize;
    let mut json = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().with_context(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--trace" => trace = Some(PathBuf::from(value()?)),
            "--scenario" => scenario = value()?,
            "--registrations" => registrations = value()?.parse().context("--registrations")?,
            "--iterations" => iterations = value()?.parse().context("--iterations")?,
            "--json" => json = Some(PathBuf::from(value()?)),
            "-h" | "--help" => {
                println!(
                    "{}",
                    include_str!("main.rs").lines().next().unwrap_or_default()
                );
                return Ok(());
            }
            other => bail!("unknown argument {other}"),
        }
    }
    let trace = Trace::load(&trace.context("--trace FILE is required")?)?;
    if registrations == 0 || iterations == 0 {
        bail!("--registrations and --iterations must be at least 1");
    }

    let evm = evm::measure(&trace, &scenario, iterations)?;
    println!(
        "evm: scenario {} ({}), {} txs replayed with anvil's gas, {}: {} gas, {:.1} µs execution, {} slots written ({} new), {} accessed",
        evm.scenario,
        evm.title,
        evm.replayed,
        evm.spec,
        evm.gas_used,
        evm.exec_us,
        evm.slots_written,
        evm.slots_created,
        evm.slots_accessed
    );
    for tx in &evm.txs {
        println!(
            "evm:   {}: {} gas, {:.1} µs, {} slots written ({} new), {} accessed, {} accounts written, {} logs",
            tx.what,
            tx.gas_used,
            tx.exec_us,
            tx.slots_written,
            tx.slots_created,
            tx.slots_accessed,
            tx.accounts_written,
            tx.logs
        );
    }
    let ghost = ghost::measure(registrations, iterations.div_ceil(10).max(10))?;
    println!(
        "ghost: register + 3 records ({} B, fee {:.4} GHOST): {:.1} µs per registration in a block of {} ({:.1} µs of it the signature check), {:.1} keys / {:.0} B of state written, {:.0} B of trie nodes, {:.0} B of events",
        ghost.extrinsic_bytes,
        ghost.fee_ghost,
        ghost.us_per_registration,
        ghost.registrations_per_block,
        ghost.signature_check_us,
        ghost.state_keys_written,
        ghost.state_bytes_written,
        ghost.trie_node_bytes_written,
        ghost.event_bytes
    );
    if let Some(path) = json {
        let doc = serde_json::json!({ "evm": evm, "ghost": ghost });
        std::fs::write(&path, serde_json::to_string_pretty(&doc)? + "\n")
            .with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}
