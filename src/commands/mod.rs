//! One file per verb. The only code that prints, reads the environment or uses anyhow.

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "commands are the edge: they talk to the terminal"
)]

/// `println!` that returns the error instead of panicking: standard output may be a closed
/// pipe (`squarely new x --dry-run | head -1`, a success) or a full disk (an error).
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout().lock(), $($arg)*)?
    }};
}

/// `print!` that returns the error instead of panicking (see `say!`).
macro_rules! say_part {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        write!(std::io::stdout().lock(), $($arg)*)?
    }};
}

mod add;
mod audit;
mod configuration;
mod explain;
mod init;
mod new;
mod organize;
mod scaffolding;
mod standards;
mod timings;

use std::io::IsTerminal;

use crate::cli::{Cli, ColorChoice, Command};
use crate::report::Color;
use crate::standard::{Diagnostic, Severity};

/// How a successful run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Everything went well (exit 0).
    Success,
    /// A score was below `--min-score` (exit 1).
    GateFailed,
    /// An error whose every line has already been printed on standard error (exit 2).
    Reported,
}

/// Run the parsed command line.
pub fn run(cli: &Cli) -> anyhow::Result<Exit> {
    match &cli.command {
        Command::Audit(args) => audit::run(args, cli.color),
        Command::Init(args) => init::run(args),
        Command::Standards(command) => standards::run(command, cli.color),
        Command::Explain(args) => explain::run(args),
        Command::New(args) => new::run(args),
        Command::Add(command) => add::run(command),
        Command::Organize(args) => organize::run(args),
        Command::Completions { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(*shell, &mut command, "squarely", &mut std::io::stdout());
            Ok(Exit::Success)
        }
        Command::Man => {
            let command = <Cli as clap::CommandFactory>::command();
            clap_mangen::Man::new(command).render(&mut std::io::stdout())?;
            Ok(Exit::Success)
        }
    }
}

/// Whether standard output gets colour.
#[must_use]
pub fn stdout_color(choice: ColorChoice) -> Color {
    let on = match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::env::var("TERM").map_or(true, |t| t != "dumb")
        }
    };
    // `colored` decides on its own otherwise; squarely's rule is the one above.
    colored::control::set_override(on);
    if on { Color::On } else { Color::Off }
}

/// Print rule-set warnings on standard error.
fn print_warnings(warnings: &[Diagnostic]) {
    for warning in warnings.iter().filter(|d| d.severity == Severity::Warning) {
        eprintln!("{warning}");
    }
}
