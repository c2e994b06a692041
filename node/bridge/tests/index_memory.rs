//! Heap bytes GhostBridge's name index holds per name (issue #15: under 1 KB per name in
//! memory at 100k names).
//!
//! A counting global allocator (this test binary's only) measures what the index keeps after
//! loading N names the way `ghostchain seed-state` registers them (3 `A` records at the apex)
//! and with records under labels too. Requested bytes only: the allocator's own per-chunk
//! overhead (8-16 bytes on glibc) comes on top, and is what the node's RSS shows besides.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};

use ghost_bridge::index::NameIndex;
use ghost_primitives::{
    DnsRecord, DomainName, Pair, RecordData, RecordLabel, Web3Records, records::DEFAULT_TTL,
};
use ghost_rpc::ResolutionJson;

/// Counts live heap bytes of the whole process.
struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(
            new_size as isize - layout.size() as isize,
            Ordering::Relaxed,
        );
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn resolution(name: &str, records: Vec<DnsRecord>) -> ResolutionJson {
    let name = DomainName::parse(name).unwrap();
    ResolutionJson {
        namehash: name.namehash(),
        name,
        owner: Pair::dev("Alice").public(),
        records,
        web3: Web3Records::default(),
        expires_at: u64::MAX / 2,
        created_at: 0,
        status: "active".into(),
        parent: None,
        update_key: None,
        update_sequence: 0,
    }
}

fn a(label: RecordLabel, i: u32) -> DnsRecord {
    DnsRecord {
        label,
        ttl: DEFAULT_TTL,
        data: RecordData::A(i.to_be_bytes()),
    }
}

/// Live bytes the index holds per name after `n` names, each with `records(i)`.
fn bytes_per_name(n: u32, records: impl Fn(u32) -> Vec<DnsRecord>) -> f64 {
    // Built before the measurement starts, so only what the index keeps is counted.
    let resolutions: Vec<ResolutionJson> = (0..n)
        .map(|i| resolution(&format!("name-{i}.ghost"), records(i)))
        .collect();
    let index = NameIndex::new();
    let before = LIVE.load(Ordering::Relaxed);
    for r in &resolutions {
        index.apply(&r.name, Some(r));
    }
    let held = LIVE.load(Ordering::Relaxed) - before;
    assert_eq!(index.len(), n as usize);
    held as f64 / f64::from(n)
}

#[test]
fn the_index_holds_under_a_kilobyte_per_name() {
    let n = 20_000;
    let apex = bytes_per_name(n, |i| {
        (0..3).map(|k| a(RecordLabel::apex(), i * 4 + k)).collect()
    });
    let labelled = bytes_per_name(n, |i| {
        vec![
            a(RecordLabel::apex(), i),
            a(RecordLabel::parse("www").unwrap(), i),
            a(RecordLabel::parse("mail").unwrap(), i),
        ]
    });
    println!("index bytes per name, 3 A records at the apex: {apex:.0}");
    println!("index bytes per name, A records at @, www and mail: {labelled:.0}");
    assert!(apex < 1024.0, "{apex:.0} bytes per name");
    assert!(labelled < 1024.0, "{labelled:.0} bytes per name");
}
