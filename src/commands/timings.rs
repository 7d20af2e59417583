//! The phases of a command: `SQUARELY_TIMINGS=1` prints the time since the start at each,
//! on standard error, for the benchmarks under `scripts/` (never for tests, which must not
//! time things); and a run that takes more than a second shows what it is doing in a
//! spinner on standard error, only when that is a terminal and standard output carries no
//! machine format. The spinner is erased when the command ends.

use std::borrow::Cow;
use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How long a run goes before its spinner appears.
const QUIET_FOR: Duration = Duration::from_secs(1);

/// Laps of one command.
pub(super) struct Laps {
    on: bool,
    started: Instant,
    spinner: Option<ProgressBar>,
}

impl Laps {
    /// Start the clock; laps print only when `SQUARELY_TIMINGS` is set. With `progress`
    /// (nothing for a machine on standard output) and standard error a terminal, a spinner
    /// appears after a second.
    pub(super) fn start(progress: bool) -> Laps {
        let spinner = (progress
            && std::io::stderr().is_terminal()
            && std::env::var("TERM").map_or(true, |term| term != "dumb"))
        .then(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
            if let Ok(style) = ProgressStyle::with_template("{spinner} squarely: {msg} ({elapsed})")
            {
                bar.set_style(style);
            }
            let shown = bar.clone();
            std::thread::spawn(move || {
                std::thread::sleep(QUIET_FOR);
                if !shown.is_finished() {
                    shown.set_draw_target(ProgressDrawTarget::stderr());
                    shown.enable_steady_tick(Duration::from_millis(120));
                }
            });
            bar
        });
        Laps {
            on: std::env::var_os("SQUARELY_TIMINGS").is_some(),
            started: Instant::now(),
            spinner,
        }
    }

    /// Says what the command does now, in the spinner.
    pub(super) fn doing(&self, what: impl Into<Cow<'static, str>>) {
        if let Some(spinner) = &self.spinner {
            spinner.set_message(what);
        }
    }

    /// Erases the spinner (before the command writes to the terminal itself).
    pub(super) fn done(&self) {
        if let Some(spinner) = &self.spinner {
            spinner.finish_and_clear();
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

impl Drop for Laps {
    fn drop(&mut self) {
        self.done();
    }
}
