//! The replay reproduces anvil's execution of ENS's transactions exactly, and refuses a trace
//! it cannot reproduce; our side counts what a registration writes.
//!
//! The fixture is the first 15 transactions `scripts/ens-gas.sh --trace` recorded on anvil 1.7.1
//! (hardfork Osaka): the registry, the FIFS registrar and the public resolver deployed from
//! ENS's npm artifacts, then scenarios A, B and C of `docs/ens-gas.md`.

use ghost_ens_evm_compare::evm::{self, EvmError};
use ghost_ens_evm_compare::ghost;
use ghost_ens_evm_compare::trace::{Trace, TraceError};
use std::path::Path;

fn fixture() -> Trace {
    Trace::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ens-trace-fifs.json"))
        .expect("fixture loads")
}

#[test]
fn every_transaction_replays_with_anvils_gas() {
    let trace = fixture();
    let report = evm::measure(&trace, "C", 3).expect("replay matches anvil");
    assert_eq!(report.replayed, 15);
    assert_eq!(report.spec, "OSAKA");
    // docs/ens-gas.md: FIFS register + setResolver + setDNSRecords = 351,357 gas.
    assert_eq!(report.gas_used, 351_357);
    let whats: Vec<&str> = report.txs.iter().map(|t| t.what.as_str()).collect();
    assert_eq!(whats, ["register", "setResolver", "setDNSRecords"]);
    // Each writes storage: the registry's owner, its resolver, the resolver's RRsets.
    assert!(
        report
            .txs
            .iter()
            .all(|t| t.slots_written >= 1 && t.logs >= 1)
    );
    assert!(report.txs[2].slots_written > report.txs[0].slots_written);
    assert_eq!(report.slot_bytes_written, 64 * report.slots_written);
    // Every transaction bumps its sender's nonce.
    assert!(report.txs.iter().all(|t| t.accounts_written >= 1));
}

#[test]
fn a_gas_figure_the_replay_does_not_reproduce_is_an_error() {
    let mut trace = fixture();
    trace.transactions[13].gas_used += 1;
    match evm::measure(&trace, "C", 1) {
        Err(EvmError::GasMismatch {
            index, recorded, ..
        }) => {
            assert_eq!(index, 13);
            assert_eq!(recorded, 48_310);
        }
        other => panic!("expected a gas mismatch, got {other:?}"),
    }
}

#[test]
fn transactions_out_of_order_are_refused() {
    let mut trace = fixture();
    // The resolver deployed before the registry it points at: nonces out of order.
    trace.transactions.swap(0, 3);
    assert!(matches!(
        evm::measure(&trace, "C", 1),
        Err(EvmError::Invalid { index: 0, .. })
    ));
}

#[test]
fn a_missing_scenario_or_a_bad_file_is_a_typed_error() {
    let trace = fixture();
    assert!(matches!(
        evm::measure(&trace, "Z", 1),
        Err(EvmError::Trace(TraceError::Scenario { .. }))
    ));
    let mut short = fixture();
    short.transactions.truncate(12);
    assert!(matches!(
        evm::measure(&short, "C", 1),
        Err(EvmError::Trace(TraceError::Scenario { .. }))
    ));
    let dir = std::env::temp_dir().join(format!("ens-evm-compare-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.json");
    std::fs::write(&bad, "{\"transactions\": 3}").unwrap();
    assert!(matches!(Trace::load(&bad), Err(TraceError::Json { .. })));
    assert!(matches!(
        Trace::load(&dir.join("missing.json")),
        Err(TraceError::Io { .. })
    ));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_registration_writes_its_name_records_and_the_payers_account() {
    let report = ghost::measure(4, 2).expect("blocks build");
    assert_eq!(report.registrations_per_block, 4);
    // At least the name's entry, its records and the sender's account; the block's own keys
    // (number, timestamp, digest) are not counted.
    assert!(report.state_keys_written >= 3.0, "{report:?}");
    assert!(report.state_bytes_written > 100.0, "{report:?}");
    assert!(report.trie_node_bytes_written > 0.0, "{report:?}");
    assert!(report.event_bytes > 0.0, "{report:?}");
    assert!(report.fee_ghost > 0.0 && report.weight_ps > 0);
}
