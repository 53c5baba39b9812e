//! A criterion measurement of the benchmark process's CPU time, for the energy benches (included with `#[path]`).
//! On a machine shared with other work, wall-clock time counts the time spent waiting for a core; "per second per
//! core" means CPU time. The whole process's, not the benchmark thread's: metering verifies a batch's signatures
//! on threads of its own, and their time must count. `CLOCK_PROCESS_CPUTIME_ID` (through the `cpu-time`
//! crate) includes threads that have already exited. Reported as durations, like criterion's wall time.

use criterion::measurement::{Measurement, ValueFormatter, WallTime};

/// The benchmark process's CPU time, in nanoseconds.
pub(crate) struct ProcessCpuTime;

fn process_cpu_ns() -> u64 {
    // The `cpu-time` crate (the leading `::` names it rather than this module, which shares its name).
    u64::try_from(::cpu_time::ProcessTime::now().as_duration().as_nanos()).expect("CPU time fits in u64 ns")
}

impl Measurement for ProcessCpuTime {
    type Intermediate = u64;
    type Value = u64;

    fn start(&self) -> u64 {
        process_cpu_ns()
    }
    fn end(&self, start: u64) -> u64 {
        process_cpu_ns().saturating_sub(start)
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
