//! Per-phase durations printed to stderr when `SQLGEN_TIMINGS` is set, to see where a run's time goes.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Whether `SQLGEN_TIMINGS` is set (to anything but `0` or nothing); read once per process.
pub fn enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| {
        std::env::var_os("SQLGEN_TIMINGS").is_some_and(|v| !v.is_empty() && v != "0")
    })
}

/// Prints one phase's duration, when enabled.
pub fn print(phase: &str, took: Duration) {
    if enabled() {
        eprintln!(
            "sqlgen timing: {phase:<12} {:>9.3} ms",
            took.as_secs_f64() * 1e3
        );
    }
}

/// Durations summed per phase over a run (a phase may run once per package), printed in the
/// order the phases first ran.
#[derive(Default)]
pub struct Phases {
    totals: Vec<(&'static str, Duration)>,
}

impl Phases {
    /// Runs `f`, adding its duration to `phase`.
    pub fn time<T>(&mut self, phase: &'static str, f: impl FnOnce() -> T) -> T {
        let start = Instant::now();
        let out = f();
        self.add(phase, start.elapsed());
        out
    }

    pub fn add(&mut self, phase: &'static str, took: Duration) {
        match self.totals.iter_mut().find(|(p, _)| *p == phase) {
            Some((_, total)) => *total += took,
            None => self.totals.push((phase, took)),
        }
    }

    /// Prints every phase and the peak memory so far, when enabled.
    pub fn print(&self) {
        for (phase, took) in &self.totals {
            print(phase, *took);
        }
        print_peak_memory("loaded");
    }
}

/// Prints the process's peak resident memory so far, when enabled and the OS tells it (Linux).
pub fn print_peak_memory(when: &str) {
    if !enabled() {
        return;
    }
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let peak = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok());
    if let Some(kib) = peak {
        eprintln!(
            "sqlgen timing: peak memory {:>9.1} MiB ({when})",
            kib as f64 / 1024.0
        );
    }
}
