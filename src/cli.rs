//! The command line, as clap derive types, and [`Cli::parse_args`], which also keeps where
//! each `--format` and `-o` stood. No other logic lives here.

#![allow(
    clippy::doc_markdown,
    reason = "doc comments here are --help text for people, not rustdoc"
)]

use std::path::PathBuf;

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

use crate::report::Format;
use crate::scaffold::{Db, Framework, Lang};

/// Put backend repositories on a production folder standard and keep them there.
///
/// Exit codes: 0 success; 1 the gate failed (score below --min-score, or a category below its
/// floor in .squarely.yaml); 2 an error of usage,
/// configuration or input.
#[derive(Debug, Parser)]
#[command(
    name = "squarely",
    version,
    about,
    long_about,
    propagate_version = true
)]
pub struct Cli {
    /// When to use colour: auto (only on a terminal, never with NO_COLOR set), always, never.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,

    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// Parse the process's arguments (a usage error exits with clap's message, code 2) and
    /// note where each `audit --format` and `-o` stood: clap's derive keeps the values but
    /// not how they interleave, and each `-o` belongs to the `--format` before it.
    #[must_use]
    pub fn parse_args() -> Cli {
        let matches = Cli::command().get_matches();
        let mut cli = Cli::from_arg_matches(&matches)
            .unwrap_or_else(|err| err.format(&mut Cli::command()).exit());
        if let Command::Audit(args) = &mut cli.command
            && let Some(("audit", audit)) = matches.subcommand()
        {
            let positions = |id: &str| {
                audit
                    .indices_of(id)
                    .map(Iterator::collect)
                    .unwrap_or_default()
            };
            args.format_positions = positions("formats");
            args.output_positions = positions("outputs");
        }
        cli
    }
}

/// When to colour output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless NO_COLOR is set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// The verbs.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Score a repository against a standard (100 points), with a fix for every point lost.
    #[command(
        long_about = "Score a repository against a standard's 100-point checklist.\n\n\
        Every point lost is named as a finding (with path and line where one exists) and a \
        concrete fix; the fixes that gain the most points are listed last. With --min-score \
        the command fails (exit 1) below the threshold, for CI gates.\n\n\
        Formats: text (default), json, sarif (GitHub code scanning), junit (GitLab, Jenkins, \
        Azure DevOps), markdown ($GITHUB_STEP_SUMMARY, pull-request comments) and github \
        (workflow-command annotations). Several reports from one run: repeat --format, each \
        followed by the -o FILE it is written to; a --format without -o goes to standard \
        output, and only one may (see docs/ci.md).\n\n\
        The project configuration, .squarely.yaml, is found in PATH or the folders above it \
        (up to the top of the git repository), or named with --config: it gives the standards, \
        min-score, category floors, paths to ignore and waivers (docs/config.md). Flags win \
        over it. `squarely init` writes one.\n\n\
        To gate a repository that is not there yet, save a baseline (--save-baseline FILE) \
        and audit with --baseline FILE: the run then fails only on what got worse, a lower \
        score or a finding the baseline does not hold (docs/baselines.md).\n\n\
        In a monorepo, --workspace scores every backend project (the service roots of \
        docs/detection.md) instead of the one service detection picks, reports each and \
        their mean, and gates each (docs/workspaces.md).\n\n\
        Examples:\n  squarely audit\n  squarely audit ../billing --min-score 90\n  \
        squarely audit --format json -o squarely.json\n  \
        squarely audit --min-score 90 --format sarif -o squarely.sarif --format markdown >> \"$GITHUB_STEP_SUMMARY\"\n  \
        squarely audit --standard modular-monolith --standard ./team-rules.yaml\n  \
        squarely audit --config ci/squarely.yaml\n  \
        squarely audit --save-baseline .squarely-baseline.json\n  \
        squarely audit --baseline .squarely-baseline.json\n  \
        squarely audit --workspace --min-score 90"
    )]
    Audit(AuditArgs),
    /// Write a commented .squarely.yaml (the project configuration) from what detection finds.
    #[command(
        long_about = "Write a commented .squarely.yaml in PATH (default: the current directory), \
        the project configuration that `squarely audit` reads.\n\n\
        It names the built-in standard that fits the repository best (the highest score today), \
        suggests a min-score (today's score rounded down to a multiple of 5), lists the \
        categories for floors, leaves vendored folders (vendor/, third_party/...) out of the \
        audit, and shows how to write a waiver. It never overwrites an existing .squarely.yaml \
        (exit 2). The format is documented in docs/config.md.\n\n\
        Examples:\n  squarely init\n  squarely init ../billing\n  squarely init --dry-run"
    )]
    Init(InitArgs),
    /// List, show, validate the rule sets, or print their JSON Schema.
    #[command(subcommand)]
    Standards(StandardsCommand),
    /// Explain a check (or a layer contract): what it looks at, why, how it scores, how to fix it.
    Explain(ExplainArgs),
    /// Generate a backend that follows the standard: it builds, its tests pass, it scores 100.
    #[command(
        long_about = "Generate a backend skeleton that follows a standard.\n\n\
        ./NAME (or DIR/NAME with --output-dir) gets a Rust service (actix-web or axum) laid out \
        by domain module on coditect-backend, or with --lang python a FastAPI service (async \
        SQLAlchemy 2, Alembic, Pydantic v2) laid out by the chosen standard: coditect-backend \
        (src/<domain>/), fastapi-best-practices (src/<domain>/<role>.py), modular-monolith \
        (app/<feature>/<layer>/) or route-modules (backend/src/v1/<module>/); the three last \
        choose Python by themselves. Every project has migrations and seeds, \
        unit/integration/e2e tests, scripts, docs, Docker and CI, passes its own lints, type \
        checks and tests, and scores 100 on its standard. Each domain is a working CRUD \
        resource; `--domain auth` adds registration, login and JWTs that guard the other \
        domains' writes. The target must be missing or empty; nothing is written until every \
        file has been rendered.\n\n\
        Examples:\n  squarely new billing\n  \
        squarely new billing --domain invoices --domain customers --domain auth\n  \
        squarely new shop --framework axum --db sqlite --dry-run\n  \
        squarely new catalog --lang python --domain products --domain auth --domain orders\n  \
        squarely new blog --standard fastapi-best-practices --db sqlite"
    )]
    New(NewArgs),
    /// Grow a generated project: add a domain module or a migration, wired in.
    #[command(subcommand)]
    Add(AddCommand),
    /// Move an existing repository onto the standard: print the plan, --apply it, --undo it.
    #[command(
        long_about = "Move an existing repository onto a standard's layout, safely.\n\n\
        Without flags it prints the plan and changes nothing: every move, every file it would \
        create, every import it would rewrite (as a diff), every reference it cannot rewrite, \
        and the audit score before and after. --apply carries it out (git mv for tracked \
        files), writing a journal before each step; --undo takes back the last applied run, \
        byte for byte, even after a crash half-way. Nothing is overwritten or deleted: build \
        artifacts and temp files are untracked and added to .gitignore.\n\n\
        --standard picks the layout: coditect-backend (src/<domain>/, src/shared/; Python, \
        Node.js and Rust), modular-monolith (app/<feature>/{models,schemas,crud,services,routes}/, \
        app/core/), route-modules (src/v1/<module>/, src/models/, src/core/) or \
        fastapi-best-practices (src/<domain>/{router,service,models,schemas}.py); the last three \
        are Python standards.\n\n\
        Examples:\n  squarely organize\n  squarely organize --format json\n  \
        squarely organize --format patch > organize.patch && git apply --index organize.patch\n  \
        squarely organize --standard modular-monolith\n  \
        squarely organize --apply --commit\n  squarely organize --undo"
    )]
    Organize(OrganizeArgs),
    /// Print a shell completion script: bash, zsh, fish, powershell or elvish.
    #[command(long_about = "Print a shell completion script to standard output.\n\n\
        Examples:\n  squarely completions bash > ~/.local/share/bash-completion/completions/squarely\n  \
        squarely completions zsh > \"${fpath[1]}/_squarely\"\n  \
        squarely completions fish > ~/.config/fish/completions/squarely.fish\n  \
        squarely completions powershell >> $PROFILE")]
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), generated from this command line: `squarely man > squarely.1`.
    Man,
}

/// `squarely init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The repository root, where .squarely.yaml is written.
    #[arg(default_value = ".")]
    pub path: PathBuf,

    /// Print the file instead of writing it.
    #[arg(long)]
    pub dry_run: bool,
}

/// `squarely organize`.
#[derive(Debug, Args)]
pub struct OrganizeArgs {
    /// The repository to organize.
    #[arg(default_value = ".")]
    pub path: PathBuf,

    /// The standard whose layout to move onto: coditect-backend, modular-monolith,
    /// route-modules or fastapi-best-practices.
    #[arg(long, value_name = "ID", default_value = "coditect-backend")]
    pub standard: String,

    /// Carry the plan out (a journal is written before each step).
    #[arg(long, conflicts_with = "undo")]
    pub apply: bool,

    /// With --apply: commit each step (one domain per commit; renames, then import edits).
    #[arg(long, requires = "apply")]
    pub commit: bool,

    /// Take back the last applied run, byte for byte.
    #[arg(long)]
    pub undo: bool,

    /// Apply even though the git working tree has uncommitted changes.
    #[arg(long)]
    pub allow_dirty: bool,

    /// Output format of the plan.
    #[arg(short, long, value_enum, default_value_t = PlanFormat::Text)]
    pub format: PlanFormat,
}

/// Formats of the organize plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    /// For people: moves, creations, import diffs, scores.
    Text,
    /// The same plan as one JSON object.
    Json,
    /// The plan's file changes as one git patch (renames, edits, new files) that
    /// `git apply --index` applies; untracking is not in it.
    Patch,
}

/// `squarely new`.
#[derive(Debug, Args)]
pub struct NewArgs {
    /// The project name: a snake_case identifier (it becomes the crate and the folder).
    pub name: String,

    /// The standard the skeleton follows.
    #[arg(long, value_name = "ID", default_value = "coditect-backend")]
    pub standard: String,

    /// The language: rust or python. Default: python for the Python standards
    /// (modular-monolith, route-modules, fastapi-best-practices) and for --framework fastapi,
    /// rust otherwise.
    #[arg(long, value_enum)]
    pub lang: Option<Lang>,

    /// The web framework: actix or axum (Rust; default actix), fastapi (Python).
    #[arg(long, value_enum)]
    pub framework: Option<Framework>,

    /// A domain module to generate (snake_case, plural: `invoices`); repeat for several.
    /// `auth` adds registration, login and JWTs. Default: users.
    #[arg(long = "domain", value_name = "NAME")]
    pub domains: Vec<String>,

    /// The database: postgres (a server, started by docker compose) or sqlite (embedded).
    #[arg(long, value_enum, default_value_t = Db::Postgres)]
    pub db: Db,

    /// List every file that would be created, and write nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Create the project in DIR/NAME instead of ./NAME.
    #[arg(long, value_name = "DIR")]
    pub output_dir: Option<PathBuf>,
}

/// `squarely add ...`.
#[derive(Debug, Subcommand)]
pub enum AddCommand {
    /// Add a domain module in the project's own layout (its layers, migration, seeds, tests
    /// and docs), wired into the module or router list and the OpenAPI document.
    Domain(AddArgs),
    /// Add the next timestamped migration (Rust: migrations/YYYYMMDDHHMMSS_NAME.sql; Python:
    /// an Alembic revision chained after the newest one).
    Migration(AddArgs),
}

/// Arguments of `add domain` and `add migration`.
#[derive(Debug, Args)]
pub struct AddArgs {
    /// The name: a snake_case identifier (`invoices`, `add_due_date_to_invoices`).
    pub name: String,

    /// The project (default: the current directory).
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub path: PathBuf,

    /// List the files that would be created and edited, and write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// `squarely audit`.
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// The repository to audit.
    #[arg(default_value = ".")]
    pub path: PathBuf,

    /// Standard to apply: a built-in id or a rule-set file; repeat for several. Default: the
    /// configuration's standards, or coditect-backend.
    #[arg(short, long = "standard", value_name = "ID|FILE")]
    pub standards: Vec<String>,

    /// Output format (default: text). Repeat --format, each followed by its own -o FILE, to
    /// write several reports from one run: `--format json -o squarely.json --format sarif -o
    /// squarely.sarif`. A --format without an -o after it goes to standard output; at most
    /// one may.
    #[arg(short, long = "format", value_enum, value_name = "FORMAT")]
    pub formats: Vec<Format>,

    /// Fail with exit code 1 when the score is below N (0-100); default: the configuration's min-score.
    #[arg(long, value_name = "N", value_parser = parse_min_score)]
    pub min_score: Option<f64>,

    /// Write the report to FILE instead of standard output. With several --format options,
    /// each -o belongs to the --format before it.
    #[arg(short, long = "output", value_name = "FILE")]
    pub outputs: Vec<PathBuf>,

    /// Where each --format value stood on the command line (see [`Cli::parse_args`]).
    #[arg(skip)]
    pub format_positions: Vec<usize>,

    /// Where each -o value stood on the command line.
    #[arg(skip)]
    pub output_positions: Vec<usize>,

    /// The project configuration to use instead of the .squarely.yaml found in PATH or above.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Fail (exit 1) only on what got worse since the baseline FILE: a lower score or a
    /// finding it does not hold. --min-score and floors then apply only to reports the
    /// baseline does not hold.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Score every backend project of a monorepo (the project roots of docs/detection.md: .,
    /// backend/, server/, api/, services/*, apps/*, packages/*, frontend/, web/, client/),
    /// report each and their aggregate; the gate applies to each.
    #[arg(short, long)]
    pub workspace: bool,

    /// Save this run's scores and findings to FILE as a baseline for --baseline (the gate
    /// still applies).
    #[arg(long, value_name = "FILE")]
    pub save_baseline: Option<PathBuf>,

    /// Which test cases of --format junit fail: `gate` (default) only a `gate` test case,
    /// when the gate fails, so that a passing gate never marks a build failed or unstable;
    /// `fail` also each failed check; `partial` each failed or partial check.
    #[arg(long, value_enum, value_name = "WHAT", default_value_t = JunitFailOn::Gate)]
    pub junit_fail_on: JunitFailOn,
}

/// Which `--format junit` test cases fail (`--junit-fail-on`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum JunitFailOn {
    /// Only the gate's own test case, when the gate fails.
    #[default]
    Gate,
    /// Also every failed check (0 points).
    Fail,
    /// Also every failed or partial check.
    Partial,
}

fn parse_min_score(text: &str) -> Result<f64, String> {
    let value: f64 = text
        .parse()
        .map_err(|_| format!("`{text}` is not a number"))?;
    if (0.0..=100.0).contains(&value) {
        Ok(value)
    } else {
        Err(format!("{value} is outside 0-100"))
    }
}

/// `squarely standards ...`.
#[derive(Debug, Subcommand)]
pub enum StandardsCommand {
    /// List the built-in standards.
    List,
    /// Show a standard: categories, checks and points, layers, contracts, layouts, guidelines.
    Show {
        /// A built-in id or a rule-set file.
        #[arg(value_name = "ID|FILE")]
        standard: String,
        /// Output format: text, json, yaml (the resolved rule set's summary), or source (the YAML as written).
        #[arg(short, long, value_enum, default_value_t = ShowFormat::Text)]
        format: ShowFormat,
    },
    /// Check rule-set files; every error is reported with file, line and column.
    Validate {
        /// Rule-set files.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// Print the JSON Schema of the rule-set format.
    Schema,
}

/// Formats of `standards show`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ShowFormat {
    /// For people.
    Text,
    /// The resolved standard as JSON.
    Json,
    /// The resolved standard as YAML.
    Yaml,
    /// The rule-set file as written.
    Source,
}

/// `squarely explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A check id (`root.docs`) or a contract id (`interface-no-database`).
    pub id: String,
    /// Look it up in this standard (default: the built-ins, coditect-backend first).
    #[arg(short, long, value_name = "ID|FILE")]
    pub standard: Option<String>,
}
