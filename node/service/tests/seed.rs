//! `ghostchain seed-state`'s engine: registrations authored into real, finalized blocks on a
//! dev chain, every one resolving afterwards, and a failed registration stopping the run with
//! the name and the reason.

use std::sync::Arc;

use ghost_primitives::{DomainName, Pair};
use ghost_runtime::chain_spec::ChainSpec;
use ghost_service::client::Client;
use ghost_service::metrics::Metrics;
use ghost_service::seed::{SeedConfig, SeedError, YEAR_MS, seed_names};
use ghost_storage::Database;

fn dev_client() -> Arc<Client> {
    Arc::new(
        Client::new(
            Arc::new(Database::in_memory()),
            ChainSpec::dev(),
            Arc::new(Metrics::new()),
        )
        .expect("client"),
    )
}

fn pair(suri: &str) -> Pair {
    Pair::from_suri(suri).expect("dev key")
}

fn config(names: u64, per_block: usize) -> SeedConfig {
    SeedConfig {
        names,
        records: 2,
        per_block,
        prefix: "seedtest".into(),
        duration_ms: YEAR_MS,
    }
}

#[test]
fn seeded_names_are_in_finalized_blocks_and_resolve_with_their_records() {
    let client = dev_client();
    let signers = [pair("//Bob"), pair("//Charlie")];
    let mut heard = 0;
    let report = seed_names(
        client.clone(),
        pair("//Alice"),
        &signers,
        &config(90, 40),
        |_| heard += 1,
    )
    .expect("seeding");
    assert_eq!(report.names, 90);
    // 40 offered a block: three blocks, each heard by the progress callback.
    assert_eq!(report.blocks, 3);
    assert_eq!(heard, 3);
    assert_eq!(report.samples.last().map(|s| s.names), Some(90));
    let (best_hash, best) = client.best().expect("best");
    let (finalized_hash, _) = client.finalized().expect("finalized");
    assert_eq!(best.number, report.best);
    assert_eq!(finalized_hash, best_hash, "dev blocks are final as sealed");
    for i in 0..90u64 {
        let name = DomainName::parse(&format!("seedtest{i}.ghost")).expect("name");
        let resolution = client
            .read_state(&best, |store| {
                ghost_runtime::api::resolve(store, &best, &name, None)
            })
            .expect("read")
            .unwrap_or_else(|| panic!("{name} is not registered"));
        assert_eq!(resolution.records.len(), 2, "{name}");
        let owner = if i % 2 == 0 { &signers[0] } else { &signers[1] };
        assert_eq!(resolution.owner, owner.public(), "{name}");
    }
}

#[test]
fn a_taken_name_stops_the_run_naming_it() {
    let client = dev_client();
    let signers = [pair("//Bob")];
    seed_names(
        client.clone(),
        pair("//Alice"),
        &signers,
        &config(3, 10),
        |_| {},
    )
    .expect("first run");
    // The same names again: the first is taken, and the run says so.
    let error = seed_names(client, pair("//Alice"), &signers, &config(3, 10), |_| {})
        .expect_err("the names are taken");
    match error {
        SeedError::Failed { name, error, .. } => {
            assert_eq!(name, "seedtest0.ghost");
            assert!(error.contains("Taken"), "{error}");
        }
        other => panic!("unexpected {other}"),
    }
}

#[test]
fn a_prefix_that_makes_no_valid_name_is_refused_before_anything_is_signed() {
    let client = dev_client();
    let mut bad = config(3, 10);
    bad.prefix = "no dots.or spaces".into();
    let error = seed_names(
        client.clone(),
        pair("//Alice"),
        &[pair("//Bob")],
        &bad,
        |_| {},
    )
    .expect_err("bad prefix");
    assert!(matches!(error, SeedError::BadPrefix { .. }), "{error}");
    assert_eq!(client.best().expect("best").1.number, 0);
}
