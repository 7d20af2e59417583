//! Report output formats, one file each, all writing a [`model::Report`] to `&mut dyn Write`.
//!
//! A format knows the report model and nothing of rule sets or the disk. What a format needs
//! beyond the report (colour, where the audited directory sits in its repository) comes in
//! [`Options`].

pub mod baseline;
mod github;
mod json;
mod junit;
mod markdown;
pub mod model;
mod sarif;
mod text;

use std::io::{self, Write};

pub use model::{Gate, Report};

/// An output format of `squarely audit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
#[allow(
    clippy::doc_markdown,
    reason = "variant docs are --help text for people, not rustdoc"
)]
pub enum Format {
    /// Human-readable text: score, band, categories, findings with fixes, top fixes.
    Text,
    /// One JSON object (docs/json-report.md).
    Json,
    /// SARIF 2.1.0 for GitHub code scanning: a rule per check, a result per finding.
    Sarif,
    /// JUnit XML: a test suite per category, a test case per check (GitLab, Jenkins, Azure).
    Junit,
    /// Markdown for $GITHUB_STEP_SUMMARY or a pull-request comment.
    Markdown,
    /// GitHub Actions workflow commands: ::error/::warning per finding, ::notice with the score.
    Github,
}

impl Format {
    /// The name used on the command line.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Junit => "junit",
            Format::Markdown => "markdown",
            Format::Github => "github",
        }
    }
}

/// Whether text output may use colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Color {
    /// ANSI colours.
    On,
    /// Plain text.
    Off,
}

/// How to write a report, beyond the report itself.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// Colour for the text format.
    pub color: Color,
    /// Where the audited directory sits in its git repository (`""` at the top, or outside
    /// git): SARIF and GitHub annotations name files from the repository root, as GitHub
    /// resolves them.
    pub repository_path: String,
    /// With `--workspace`: the aggregate over the services, which every format shows.
    pub workspace: Option<model::Workspace>,
    /// Which `--format junit` test cases fail.
    pub junit_fail_on: crate::cli::JunitFailOn,
}

impl Options {
    /// Plain output for an audited directory at the top of its repository.
    #[must_use]
    pub fn plain() -> Options {
        Options {
            color: Color::Off,
            repository_path: String::new(),
            workspace: None,
            junit_fail_on: crate::cli::JunitFailOn::Gate,
        }
    }

    /// A report path (relative to the audited directory) as a path from the repository root.
    #[must_use]
    pub fn in_repository(&self, path: &str) -> String {
        let prefix = self.repository_path.trim_matches('/');
        if prefix.is_empty() {
            path.to_owned()
        } else {
            format!("{prefix}/{path}")
        }
    }
}

/// Write `reports` (one per standard) in `format`.
pub fn write(
    format: Format,
    reports: &[Report],
    options: &Options,
    out: &mut dyn Write,
) -> io::Result<()> {
    // A file name may hold an escape sequence or a newline (an attacker's `\x1b]...` or a
    // forged `::error` line): the formats people and CI runners read get them escaped.
    let sanitized: Vec<Report>;
    let workspace: Option<model::Workspace>;
    let (reports, options) = if matches!(format, Format::Text | Format::Markdown | Format::Github) {
        sanitized = reports.iter().map(sanitize).collect();
        workspace = options.workspace.as_ref().map(|w| {
            let mut w = w.clone();
            for service in &mut w.services {
                escape(&mut service.root);
            }
            w
        });
        (
            sanitized.as_slice(),
            &Options {
                workspace,
                ..options.clone()
            },
        )
    } else {
        (reports, options)
    };
    match format {
        Format::Text => {
            for (i, report) in reports.iter().enumerate() {
                if i > 0 {
                    writeln!(out)?;
                }
                text::write(report, options.color, out)?;
            }
            if let Some(workspace) = &options.workspace {
                text::write_workspace(workspace, options.color, out)?;
            }
            Ok(())
        }
        Format::Json => json::write(reports, options.workspace.as_ref(), out),
        Format::Sarif => sarif::write(reports, options, out),
        Format::Junit => junit::write(reports, options.junit_fail_on, out),
        Format::Markdown => markdown::write(reports, options.workspace.as_ref(), out),
        Format::Github => github::write(reports, options, out),
    }
}

/// Shows a text with every unsafe character escaped (for texts from the repository that a
/// command prints itself).
pub struct Safe<'a>(pub &'a str);

impl std::fmt::Display for Safe<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if !self.0.chars().any(is_unsafe) {
            return f.pad(self.0);
        }
        let mut text = self.0.to_owned();
        escape(&mut text);
        f.pad(&text)
    }
}

pub use crate::text::escape;
use crate::text::is_unsafe;

/// A copy of the report with every text that can come from the repository escaped.
fn sanitize(report: &Report) -> Report {
    let mut report = report.clone();
    let escape_all = |texts: &mut [&mut String]| {
        for text in texts.iter_mut() {
            escape(text);
        }
    };
    escape_all(&mut [&mut report.path, &mut report.detection.service_root]);
    for root in &mut report.detection.source_roots {
        escape_all(&mut [&mut root.path, &mut root.reason]);
    }
    for domain in &mut report.detection.domains {
        escape(domain);
    }
    // The list is shared by every service's report: copied only when a root needs escaping.
    if report
        .detection
        .projects
        .iter()
        .any(|p| p.root.chars().any(is_unsafe))
    {
        report.detection.projects = report
            .detection
            .projects
            .iter()
            .map(|p| {
                let mut p = p.clone();
                escape(&mut p.root);
                p
            })
            .collect();
    }
    for evidence in &mut report.detection.evidence {
        escape(&mut evidence.reason);
        if let Some(path) = &mut evidence.path {
            escape(path);
        }
    }
    for check in &mut report.checks {
        escape(&mut check.summary);
        if let Some(reason) = &mut check.reason {
            escape(reason);
        }
        for finding in check.findings.iter_mut().chain(check.waived.iter_mut()) {
            escape(&mut finding.message);
            for text in [&mut finding.path, &mut finding.fix, &mut finding.waiver]
                .into_iter()
                .flatten()
            {
                escape(text);
            }
        }
    }
    for fix in &mut report.fixes {
        escape(&mut fix.fix);
        if let Some(path) = &mut fix.path {
            escape(path);
        }
    }
    for notice in &mut report.notices {
        escape_all(&mut [&mut notice.path, &mut notice.message]);
    }
    report
}

/// What tells a report apart from the others of its run, or `None` alone: the service root
/// when several services were audited (`--workspace`), the standard when several standards
/// were applied, both joined by ` · ` when both.
fn distinction(report: &Report, reports: &[Report]) -> Option<String> {
    let differ = |key: fn(&Report) -> &str| reports.iter().any(|r| key(r) != key(report));
    let mut parts = Vec::new();
    if differ(|r| r.detection.service_root.as_str()) {
        parts.push(report.detection.service_root.clone());
    }
    if differ(|r| r.standard.id.as_str()) {
        parts.push(report.standard.id.clone());
    }
    (!parts.is_empty()).then(|| parts.join(" · "))
}

/// A JSON serialisation error as an I/O error that keeps its kind, so that a closed pipe
/// (`squarely audit --format sarif | head`) is still seen as one.
fn json_io(error: serde_json::Error) -> io::Error {
    match error.io_error_kind() {
        Some(kind) => io::Error::new(kind, error),
        None => io::Error::other(error),
    }
}

/// `5` -> `5.00`: every score is reported with two decimals.
fn pts(value: f64) -> String {
    format!("{value:.2}")
}

/// `5.00` -> `5`, `3.33` stays: maxima read better without zero decimals.
fn max_pts(value: f64) -> String {
    let text = pts(value);
    text.strip_suffix(".00").map_or(text.clone(), str::to_owned)
}

/// A finding's message followed by its fix, as one sentence pair.
fn message_with_fix(message: &str, fix: Option<&str>) -> String {
    let Some(fix) = fix.filter(|f| !f.trim().is_empty()) else {
        return message.to_owned();
    };
    let message = message.trim_end();
    let stop = if message.ends_with(['.', '!', '?']) {
        " "
    } else {
        ". "
    };
    format!("{message}{stop}Fix: {fix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_named_from_the_repository_root() {
        let mut options = Options::plain();
        assert_eq!(options.in_repository("src/a.py"), "src/a.py");
        options.repository_path = "services/billing".to_owned();
        assert_eq!(
            options.in_repository("src/a.py"),
            "services/billing/src/a.py"
        );
    }

    #[test]
    fn a_fix_follows_its_message() {
        assert_eq!(
            message_with_fix("missing CHANGELOG", Some("Add CHANGELOG.md.")),
            "missing CHANGELOG. Fix: Add CHANGELOG.md."
        );
        assert_eq!(
            message_with_fix("It is wrong.", Some("Do it.")),
            "It is wrong. Fix: Do it."
        );
        assert_eq!(message_with_fix("only this", None), "only this");
        assert_eq!(max_pts(5.0), "5");
        assert_eq!(max_pts(3.333), "3.33");
    }
}
