//! `SQUARELY_TIMINGS=1`: the time since the start of a command at each phase, on standard
//! error, for the benchmarks under `scripts/` (never for tests, which must not time things).

use std::time::Instant;

/// Laps of one command.
pub(super) struct Laps {
    on: bool,
    started: Instant,
}

impl Laps {
    /// Start the clock; laps print only when `SQUARELY_TIMINGS` is set.
    pub(super) fn start() -> Laps {
        Laps {
            on: std::env::var_os("SQUARELY_TIMINGS").is_some(),
            started: Instant::now(),
        }
    }

    /// Print `timing: <what>: <ms since start>` when timings are on.
    pub(super) fn lap(&self, what: &str) {
        if self.on {
            eprintln!(
                "timing: {what}: {:.1} ms",
                self.started.elapsed().as_secs_f64() * 1000.0
            );
        }
    }
}
