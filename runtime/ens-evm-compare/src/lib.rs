//! The resources behind a name's fee: what GhostChain's runtime spends on `register` with 3
//! records next to what the EVM spends on ENS's transactions for the same result.
//!
//! A fee is a price; this crate measures the work behind it, in one process and one run:
//! - [`evm`] replays every transaction `scripts/ens-gas.sh --trace` sent to anvil (ENS's real
//!   contracts, deployed from their npm artifacts) in revm, the EVM anvil itself runs, checks
//!   that each one uses exactly the gas anvil's receipt reports, then times the execution of a
//!   scenario's transactions and counts the storage slots they read and write;
//! - [`ghost`] builds blocks of the same registration (A, AAAA and TXT records at the name)
//!   through the runtime's block builder and times them, and diffs the state before and after
//!   to count the keys, bytes and trie nodes one registration writes.
//!
//! `scripts/bench.sh` runs the `ens-evm-compare` binary and puts its figures next to the fee in
//! `docs/PERFORMANCE.md`. The crate has its own workspace so that revm's dependencies stay out
//! of the node's tree.

pub mod evm;
pub mod ghost;
pub mod trace;

use std::time::Duration;

/// CPU time this thread has used so far.
///
/// CPU time, not wall-clock time: on a machine shared with other work a long measurement is
/// preempted more often than a short one, so wall-clock medians of a 50 ms block and of a 5 µs
/// transaction are not comparable; the thread's CPU clock counts only the work itself.
pub fn thread_cpu_time() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; CLOCK_THREAD_CPUTIME_ID exists on Linux.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    if rc != 0 {
        return Duration::ZERO;
    }
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// The median CPU time of one call of `f`: `samples` samples (after one untimed warm-up
/// sample), each timing `per_sample` calls in a row and dividing by them, so a call shorter than
/// the clock's own cost is still measured. `f` gets the call's index; dropping what it returns
/// is part of the call.
pub fn median_cpu_time<T>(
    samples: usize,
    per_sample: usize,
    mut f: impl FnMut(usize) -> T,
) -> Duration {
    let per_sample = per_sample.max(1);
    for i in 0..per_sample {
        drop(std::hint::black_box(f(i)));
    }
    let mut times: Vec<Duration> = (0..samples.max(1))
        .map(|s| {
            let start = thread_cpu_time();
            for i in 0..per_sample {
                drop(std::hint::black_box(f(s * per_sample + i)));
            }
            (thread_cpu_time() - start) / per_sample as u32
        })
        .collect();
    times.sort_unstable();
    times[times.len() / 2]
}

/// Microseconds of a duration, as a float.
pub fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}
