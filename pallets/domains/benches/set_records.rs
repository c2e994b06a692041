//! The worst case of `set_records`: applying the most changes one call may carry
//! ([`DomainParams::max_changes_per_call`], 192 with the production parameters) to a name that
//! holds the most records (64), so that `weights.rs` can charge what the call really costs.
//!
//! Two shapes, both at the bound:
//! - `replace_all`: remove the 64 records, add 64 others, set 32 texts twice — the call succeeds
//!   and every record is validated;
//! - `upsert_distinct`: 192 distinct records — the most map insertions, refused at the end
//!   (`TooManyRecords`) after all the work, which is charged all the same.
//!
//! Run with `cargo bench -p pallet-domains --bench set_records`; `weights.rs` cites the figure.

use std::hint::black_box;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use ghost_primitives::{DnsRecord, DomainName, RecordData, RecordLabel};
use pallet_domains::records::apply_changes;
use pallet_domains::{DomainParams, NameRecords, RecordChange};

fn record(label: &str, i: u32) -> DnsRecord {
    DnsRecord {
        label: RecordLabel::parse(label).expect("valid label"),
        ttl: 300,
        data: RecordData::A(i.to_be_bytes()),
    }
}

/// A name at the record limit, and the changes of the `replace_all` shape.
fn replace_all(params: &DomainParams) -> (NameRecords, Vec<RecordChange>) {
    let held: Vec<DnsRecord> = (0..params.max_dns_records)
        .map(|i| record(&format!("old-{i}"), i))
        .collect();
    let mut changes: Vec<RecordChange> = held.iter().cloned().map(RecordChange::Remove).collect();
    changes.extend(
        (0..params.max_dns_records).map(|i| RecordChange::Upsert(record(&format!("new-{i}"), i))),
    );
    for round in 0..2 {
        changes.extend((0..params.max_web3_entries).map(|i| RecordChange::SetText {
            key: format!("key-{i}"),
            value: Some(format!("value {i} of round {round}")),
        }));
    }
    assert_eq!(changes.len() as u32, params.max_changes_per_call());
    let mut dns = held;
    dns.sort();
    let records = NameRecords {
        dns,
        web3: Default::default(),
    };
    (records, changes)
}

fn upsert_distinct(params: &DomainParams) -> Vec<RecordChange> {
    (0..params.max_changes_per_call())
        .map(|i| RecordChange::Upsert(record(&format!("label-{i}"), i)))
        .collect()
}

fn bench(c: &mut Criterion) {
    let params = DomainParams::default();
    let name = DomainName::parse("bench-name.ghost").expect("valid name");
    let mut group = c.benchmark_group("set_records");

    let (records, changes) = replace_all(&params);
    let applied = apply_changes(&name, records.clone(), changes.clone(), &params);
    assert!(applied.is_ok(), "replace_all must succeed: {applied:?}");
    group.bench_function("replace_all_192", |b| {
        b.iter_batched(
            || (records.clone(), changes.clone()),
            |(records, changes)| black_box(apply_changes(&name, records, changes, &params)),
            BatchSize::SmallInput,
        )
    });

    let changes = upsert_distinct(&params);
    group.bench_function("upsert_distinct_192", |b| {
        b.iter_batched(
            || changes.clone(),
            |changes| {
                black_box(apply_changes(
                    &name,
                    NameRecords::default(),
                    changes,
                    &params,
                ))
            },
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
