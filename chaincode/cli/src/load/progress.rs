//! A progress line on stderr: redrawn in place on a terminal, a plain line every 10 s otherwise. It appears only
//! after 3 s, so short runs stay quiet.

use std::io::{IsTerminal as _, Write as _};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::load::driver::Plan;

#[derive(Debug, Default)]
struct Counters {
    ok: AtomicU64,
    failed: AtomicU64,
    units: AtomicU64,
    stop: AtomicBool,
    drawn: AtomicBool,
}

/// Shared counters and the task that draws them.
#[derive(Debug, Clone)]
pub struct Progress {
    counters: Arc<Counters>,
}

fn bar(fraction: f64) -> String {
    let filled = (fraction.clamp(0.0, 1.0) * 30.0).round() as usize;
    format!("[{}{}] {:3.0}%", "#".repeat(filled), ".".repeat(30 - filled), fraction.clamp(0.0, 1.0) * 100.0)
}

impl Progress {
    /// Starts drawing (in the background) for a run that began at `start`.
    pub fn start(plan: Plan, start: Instant) -> Self {
        let counters = Arc::new(Counters::default());
        let c = counters.clone();
        let tty = std::io::stderr().is_terminal();
        tokio::spawn(async move {
            let every = if tty { Duration::from_millis(500) } else { Duration::from_secs(10) };
            tokio::time::sleep(Duration::from_secs(3)).await;
            while !c.stop.load(Ordering::Relaxed) {
                let (ok, failed) = (c.ok.load(Ordering::Relaxed), c.failed.load(Ordering::Relaxed));
                let secs = start.elapsed().as_secs_f64();
                let fraction = match (plan.duration, plan.count) {
                    (Some(d), _) => Some(secs / d.as_secs_f64()),
                    (None, Some(n)) => Some((ok + failed) as f64 / n.max(1) as f64),
                    (None, None) => None,
                };
                let units = match plan.unit {
                    "tx" => String::new(),
                    unit => format!("  {:.0} {unit}/s", c.units.load(Ordering::Relaxed) as f64 / secs),
                };
                let line = format!(
                    "{} {secs:5.0}s  {ok} ok  {failed} failed  {:.1} tx/s{units}",
                    fraction.map(bar).unwrap_or_default(),
                    ok as f64 / secs,
                );
                {
                    let mut err = std::io::stderr().lock();
                    // Progress is best effort: a closed stderr must not fail the run.
                    let _ = if tty { write!(err, "\r{line}\x1b[K") } else { writeln!(err, "{line}") };
                    let _ = err.flush();
                }
                c.drawn.store(true, Ordering::Relaxed);
                tokio::time::sleep(every).await;
            }
        });
        Progress { counters }
    }

    /// One transaction finished.
    pub fn record(&self, committed: bool, units: u64) {
        let c = &self.counters;
        if committed {
            c.ok.fetch_add(1, Ordering::Relaxed);
        } else {
            c.failed.fetch_add(1, Ordering::Relaxed);
        }
        c.units.fetch_add(units, Ordering::Relaxed);
    }

    /// Stops drawing and ends the line.
    pub fn finish(&self) {
        self.counters.stop.store(true, Ordering::Relaxed);
        if self.counters.drawn.load(Ordering::Relaxed) && std::io::stderr().is_terminal() {
            eprintln!();
        }
    }
}
