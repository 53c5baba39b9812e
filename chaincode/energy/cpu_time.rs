//! A criterion measurement of the benchmark thread's own CPU time, for the energy benches (included with
//! `#[path]`). On a machine shared with other work, wall-clock time counts the time the thread waited for a core;
//! "per second per core" means CPU time. Linux only: `/proc/thread-self/schedstat` gives the thread's time on a
//! CPU in nanoseconds (the first field). Reported as durations, like criterion's wall time.

use criterion::measurement::{Measurement, ValueFormatter, WallTime};

/// The benchmark thread's CPU time, in nanoseconds.
pub struct ThreadCpuTime;

fn thread_cpu_ns() -> u64 {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").expect("/proc/thread-self/schedstat");
    text.split_whitespace().next().and_then(|ns| ns.parse().ok()).expect("schedstat: run time in ns")
}

impl Measurement for ThreadCpuTime {
    type Intermediate = u64;
    type Value = u64;

    fn start(&self) -> u64 {
        thread_cpu_ns()
    }
    fn end(&self, start: u64) -> u64 {
        thread_cpu_ns().saturating_sub(start)
    }
    fn add(&self, a: &u64, b: &u64) -> u64 {
        a + b
    }
    fn zero(&self) -> u64 {
        0
    }
    fn to_f64(&self, value: &u64) -> f64 {
        *value as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        // Nanoseconds, like wall time: criterion's duration formatter scales them.
        WallTime.formatter()
    }
}
