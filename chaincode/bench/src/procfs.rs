//! Process accounting from `/proc` (Linux): CPU time, memory, threads and context switches.
//!
//! `/proc/PID/stat` counts CPU time of all threads of the process, including threads that have exited, in clock
//! ticks (`USER_HZ`, fixed at 100 by the Linux ABI on x86-64 and arm64). Context switches are only reported per
//! thread (`/proc/PID/task/TID/status`), so their sum covers the threads alive at the time of the sample.

use std::fs;

use anyhow::{Context, Result, bail};
use serde::Serialize;

/// Clock ticks per second of `/proc/PID/stat` times.
pub const USER_HZ: f64 = 100.0;

/// One sample of a process's counters.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Sample {
    /// User plus system CPU time, in seconds.
    pub cpu_s: f64,
    /// User CPU time, in seconds.
    pub user_s: f64,
    /// System CPU time, in seconds.
    pub system_s: f64,
    /// Live threads.
    pub threads: u64,
    /// Voluntary context switches summed over the live threads.
    pub voluntary_ctxt_switches: u64,
    /// Involuntary context switches summed over the live threads.
    pub nonvoluntary_ctxt_switches: u64,
    /// Resident set size, KiB.
    pub vm_rss_kb: u64,
    /// Peak resident set size, KiB.
    pub vm_hwm_kb: u64,
}

/// `pid` = `None` samples this process.
pub fn sample(pid: Option<u32>) -> Result<Sample> {
    let dir = match pid {
        Some(pid) => format!("/proc/{pid}"),
        None => "/proc/self".to_string(),
    };
    let stat = fs::read_to_string(format!("{dir}/stat")).with_context(|| format!("reading {dir}/stat"))?;
    // The command name (field 2) may contain spaces and parentheses: split after its last ')'.
    let Some(rest) = stat.rfind(')').map(|i| &stat[i + 1..]) else { bail!("malformed {dir}/stat") };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // `rest` starts at field 3 (state); utime and stime are fields 14 and 15, num_threads field 20.
    let field = |n: usize| -> Result<u64> {
        fields
            .get(n - 3)
            .with_context(|| format!("{dir}/stat has no field {n}"))?
            .parse::<u64>()
            .with_context(|| format!("{dir}/stat field {n}"))
    };
    let (utime, stime, threads) = (field(14)?, field(15)?, field(20)?);
    let status = fs::read_to_string(format!("{dir}/status")).with_context(|| format!("reading {dir}/status"))?;
    let mut s = Sample {
        user_s: utime as f64 / USER_HZ,
        system_s: stime as f64 / USER_HZ,
        cpu_s: (utime + stime) as f64 / USER_HZ,
        threads,
        vm_rss_kb: status_kb(&status, "VmRSS:"),
        vm_hwm_kb: status_kb(&status, "VmHWM:"),
        ..Sample::default()
    };
    // Threads may come and go while we read; a vanished one simply does not count.
    if let Ok(tasks) = fs::read_dir(format!("{dir}/task")) {
        for task in tasks.flatten() {
            if let Ok(status) = fs::read_to_string(task.path().join("status")) {
                s.voluntary_ctxt_switches += status_kb(&status, "voluntary_ctxt_switches:");
                s.nonvoluntary_ctxt_switches += status_kb(&status, "nonvoluntary_ctxt_switches:");
            }
        }
    }
    Ok(s)
}

/// CPU time (user + system) of the live threads of `pid`, in nanoseconds: the sum of the first field of
/// `/proc/PID/task/TID/schedstat`, the scheduler's own nanosecond clock. `stat` counts 10 ms ticks, too coarse for
/// one transaction of a few milliseconds; this is exact. Threads that exit between two samples take their time
/// with them, so compare against [`sample`] over a longer window (the batch scenario reports both).
pub fn cpu_ns(pid: u32) -> Result<u64> {
    let dir = format!("/proc/{pid}/task");
    let mut total = 0u64;
    for task in fs::read_dir(&dir).with_context(|| format!("reading {dir}"))?.flatten() {
        // A thread that ended while we read simply does not count.
        let Ok(text) = fs::read_to_string(task.path().join("schedstat")) else { continue };
        let ns = text.split_whitespace().next().and_then(|n| n.parse::<u64>().ok());
        total += ns.with_context(|| format!("malformed {}/schedstat", task.path().display()))?;
    }
    Ok(total)
}

/// The number after `key` in a `/proc/PID/status` text (units are dropped), 0 if absent.
fn status_kb(status: &str, key: &str) -> u64 {
    status
        .lines()
        .find_map(|line| line.strip_prefix(key))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// What a process did between two samples.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Usage {
    /// CPU seconds (user + system) consumed.
    pub cpu_s: f64,
    /// User CPU seconds.
    pub user_s: f64,
    /// System CPU seconds.
    pub system_s: f64,
    /// CPU seconds per wall second, in percent of one core.
    pub cpu_pct: f64,
    /// CPU microseconds per completed transaction.
    pub cpu_us_per_tx: f64,
    /// Voluntary context switches per completed transaction (threads alive at both samples).
    pub voluntary_switches_per_tx: f64,
    /// Involuntary context switches per completed transaction.
    pub involuntary_switches_per_tx: f64,
    /// Threads at the end.
    pub threads: u64,
    /// Resident set size at the end, KiB.
    pub vm_rss_kb: u64,
    /// Peak resident set size at the end, KiB.
    pub vm_hwm_kb: u64,
}

impl Usage {
    /// The difference `end - start` over `wall_s` seconds and `txs` transactions.
    pub fn between(start: &Sample, end: &Sample, wall_s: f64, txs: u64) -> Self {
        let cpu_s = end.cpu_s - start.cpu_s;
        let per_tx = |v: f64| if txs == 0 { 0.0 } else { v / txs as f64 };
        Self {
            cpu_s,
            user_s: end.user_s - start.user_s,
            system_s: end.system_s - start.system_s,
            cpu_pct: if wall_s > 0.0 { 100.0 * cpu_s / wall_s } else { 0.0 },
            cpu_us_per_tx: per_tx(cpu_s * 1e6),
            voluntary_switches_per_tx: per_tx(
                end.voluntary_ctxt_switches.saturating_sub(start.voluntary_ctxt_switches) as f64,
            ),
            involuntary_switches_per_tx: per_tx(
                end.nonvoluntary_ctxt_switches.saturating_sub(start.nonvoluntary_ctxt_switches) as f64,
            ),
            threads: end.threads,
            vm_rss_kb: end.vm_rss_kb,
            vm_hwm_kb: end.vm_hwm_kb,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_this_process() {
        let s = sample(None).unwrap();
        assert!(s.threads >= 1);
        assert!(s.vm_rss_kb > 0);
        assert!(s.vm_hwm_kb >= s.vm_rss_kb);
    }

    #[test]
    fn schedstat_cpu_time_grows_with_work() {
        let pid = std::process::id();
        let before = cpu_ns(pid).unwrap();
        let mut x = 0u64;
        for i in 0..2_000_000u64 {
            x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(i));
        }
        assert!(cpu_ns(pid).unwrap() > before, "{x}");
    }

    #[test]
    fn reads_status_numbers() {
        let status = "Name:\tx\nVmHWM:\t    2048 kB\nVmRSS:\t    1024 kB\nvoluntary_ctxt_switches:\t7\n";
        assert_eq!(status_kb(status, "VmRSS:"), 1024);
        assert_eq!(status_kb(status, "VmHWM:"), 2048);
        assert_eq!(status_kb(status, "voluntary_ctxt_switches:"), 7);
        assert_eq!(status_kb(status, "VmSwap:"), 0);
    }
}
