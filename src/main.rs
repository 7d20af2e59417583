//! The `squarely` binary: parse arguments, run, turn the outcome into an exit code.

#![allow(
    clippy::print_stderr,
    reason = "main is the edge that reports errors to the terminal"
)]

use std::process::ExitCode;

use squarely::cli::Cli;
use squarely::commands::{self, Exit};
use squarely::config::ConfigError;
use squarely::standard::{Severity, StandardError};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse_args();
    match commands::run(&cli) {
        Ok(Exit::Success) => ExitCode::SUCCESS,
        Ok(Exit::GateFailed) => ExitCode::from(1),
        Ok(Exit::Reported) => ExitCode::from(2),
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            report(&err);
            ExitCode::from(2)
        }
    }
}

/// Print an error: every located rule-set or configuration diagnostic on its own line (with a count when there
/// are several), otherwise one line.
fn report(err: &anyhow::Error) {
    let located = match (
        err.downcast_ref::<StandardError>(),
        err.downcast_ref::<ConfigError>(),
    ) {
        (Some(StandardError::Invalid { diagnostics }), _) => Some((diagnostics, "rule set")),
        (_, Some(ConfigError::Invalid { diagnostics })) => Some((diagnostics, "configuration")),
        _ => None,
    };
    if let Some((diagnostics, what)) = located {
        for diagnostic in diagnostics {
            eprintln!("{diagnostic}");
        }
        let errors = diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count();
        if errors > 1 {
            eprintln!("error: the {what} has {errors} errors; nothing was audited");
        }
        return;
    }
    eprintln!("error: {}", one_line(err));
}

/// The error and its causes joined by `: `, each said once: a typed error that shows its
/// cause (`cannot be read: {source}`) also reports it as its source.
fn one_line(err: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if line.contains(&text) {
            continue;
        }
        if !line.is_empty() {
            line.push_str(": ");
        }
        line.push_str(&text);
    }
    line
}

/// Writing to a closed pipe (`squarely audit | head`) is not a failure.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            || cause
                .downcast_ref::<serde_json::Error>()
                .and_then(serde_json::Error::io_error_kind)
                == Some(std::io::ErrorKind::BrokenPipe)
    })
}
