//! The `squarely` binary: parse arguments, run, turn the outcome into an exit code.

#![allow(
    clippy::print_stderr,
    reason = "main is the edge that reports errors to the terminal"
)]

use std::process::ExitCode;

use clap::Parser;
use squarely::cli::Cli;
use squarely::commands::{self, Exit};
use squarely::standard::{Severity, StandardError};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match commands::run(&cli) {
        Ok(Exit::Success) => ExitCode::SUCCESS,
        Ok(Exit::GateFailed) => ExitCode::from(1),
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            report(&err);
            ExitCode::from(2)
        }
    }
}

/// Print an error: every located rule-set diagnostic on its own line, otherwise one line.
fn report(err: &anyhow::Error) {
    if let Some(StandardError::Invalid { diagnostics }) = err.downcast_ref::<StandardError>() {
        for diagnostic in diagnostics {
            eprintln!("{diagnostic}");
        }
        let errors = diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count();
        eprintln!(
            "error: the rule set has {errors} error{}; nothing was audited",
            if errors == 1 { "" } else { "s" }
        );
        return;
    }
    let chain: Vec<String> = err.chain().map(ToString::to_string).collect();
    eprintln!("error: {}", chain.join(": "));
}

/// Writing to a closed pipe (`squarely audit | head`) is not a failure.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
