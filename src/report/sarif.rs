//! `--format sarif`: SARIF 2.1.0 as GitHub code scanning reads it (docs/ci.md).
//!
//! One run per report (per standard). Each check is a rule (its title, why it matters, how it
//! scores and how to fix it); each finding of a partial or failed check is a result, an error
//! for a failed check and a warning for a partial one, with the fix in its message. GitHub
//! rejects a result without a file, so a finding without a path is shown on the report's
//! anchor (the root README, else the service manifest) and marked `repositoryWide`. Paths are
//! named from the repository root and percent-encoded; the score, band and standard are the
//! run's properties.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use super::model::{CheckResult, Finding, Report, Status};
use super::{Options, distinction};

/// The schema a log names: the OASIS SARIF 2.1.0 schema (errata 01).
const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// Where squarely lives; rule help links into its docs.
const REPOSITORY: &str = env!("CARGO_PKG_REPOSITORY");

/// The key of squarely's own partial fingerprint: [`Finding::fingerprint`] (check, rule, path
/// and message with numbers masked, as baselines match findings), and the occurrence among
/// identical ones. It tells apart findings shown at the same place (two
/// repository-wide findings of one check on the README).
const FINGERPRINT_KEY: &str = "squarelyFinding/v1";

/// Write the reports as one SARIF log, one run each.
pub fn write(reports: &[Report], options: &Options, out: &mut dyn Write) -> io::Result<()> {
    let several = reports.len() > 1;
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: reports
            .iter()
            .map(|r| {
                let label = several
                    .then(|| distinction(r, reports).unwrap_or_else(|| r.standard.id.clone()));
                run(r, options, label)
            })
            .collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &log).map_err(super::json_io)?;
    writeln!(out)
}

fn run<'a>(report: &'a Report, options: &Options, label: Option<String>) -> Run<'a> {
    let rules = report.checks.iter().map(|c| rule(report, c)).collect();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut results = Vec::new();
    for (index, check) in report.checks.iter().enumerate() {
        for finding in &check.findings {
            let identity = finding.fingerprint(&check.id);
            let occurrence = seen.entry(identity.clone()).or_default();
            *occurrence += 1;
            results.push(result(
                report,
                options,
                index,
                check,
                finding,
                format!("{identity}:{occurrence}"),
            ));
        }
    }
    let notifications = report
        .notices
        .iter()
        .map(|notice| Notification {
            level: "warning",
            message: Text::new(if notice.path.is_empty() {
                notice.message.clone()
            } else {
                format!("{}: {}", notice.path, notice.message)
            }),
            locations: if notice.path.is_empty() {
                Vec::new()
            } else {
                vec![location(options, &notice.path, None)]
            },
        })
        .collect();
    Run {
        tool: Tool {
            driver: Driver {
                name: &report.tool.name,
                version: &report.tool.version,
                semantic_version: &report.tool.version,
                information_uri: REPOSITORY,
                rules,
            },
        },
        // GitHub keeps one analysis per tool and category: several standards or services in
        // one log need a category each (`squarely/<service>/<standard>/`, each part only
        // when it varies). One report leaves it to the uploader (upload-sarif's `category`).
        automation_details: label.map(|label| AutomationDetails {
            id: format!("squarely/{}/", label.replace(" · ", "/")),
        }),
        invocations: vec![Invocation {
            execution_successful: true,
            tool_execution_notifications: notifications,
        }],
        results,
        properties: RunProperties {
            score: report.score,
            max: report.max,
            band: &report.band,
            standard: &report.standard.id,
            standard_name: &report.standard.name,
            standard_version: &report.standard.version,
            standard_origin: &report.standard.origin,
            path: &report.path,
            service_root: &report.detection.service_root,
            categories: report
                .categories
                .iter()
                .map(|c| CategoryProperty {
                    id: &c.id,
                    title: &c.title,
                    score: c.score,
                    max: c.max,
                })
                .collect(),
        },
    }
}

fn rule<'a>(report: &Report, check: &'a CheckResult) -> Rule<'a> {
    let help = &check.help;
    let mut text = String::new();
    let mut markdown = String::new();
    if !help.why.is_empty() {
        text.push_str(&format!("Why it matters: {}\n\n", help.why));
        markdown.push_str(&format!("**Why it matters.** {}\n\n", help.why));
    }
    text.push_str(&format!(
        "How it scores ({} points):\n",
        super::max_pts(check.max)
    ));
    markdown.push_str(&format!(
        "**How it scores** ({} points):\n\n",
        super::max_pts(check.max)
    ));
    for line in &help.scoring {
        text.push_str(&format!("- {line}\n"));
        markdown.push_str(&format!("- {line}\n"));
    }
    if let Some(when) = &help.not_applicable {
        text.push_str(&format!("- not applicable (full points): {when}\n"));
        markdown.push_str(&format!("- not applicable (full points): {when}\n"));
    }
    if !help.fix.is_empty() {
        text.push_str(&format!("\nHow to fix it: {}\n", help.fix));
        markdown.push_str(&format!("\n**How to fix it.** {}\n", help.fix));
    }
    text.push_str(&format!(
        "\n`squarely explain {}` prints this help.",
        check.id
    ));
    markdown.push_str(&format!(
        "\n`squarely explain {}` prints this help.",
        check.id
    ));
    Rule {
        id: &check.id,
        name: rule_name(&check.id),
        short_description: Text::new(check.title.clone()),
        full_description: Text::new(if help.why.is_empty() {
            check.title.clone()
        } else {
            help.why.clone()
        }),
        help: Help { text, markdown },
        help_uri: help_uri(report, check),
        properties: RuleProperties {
            tags: vec!["squarely".to_owned(), check.category.clone()],
            category: &check.category,
            points: check.max,
        },
    }
}

fn result<'a>(
    report: &Report,
    options: &Options,
    rule_index: usize,
    check: &'a CheckResult,
    finding: &'a Finding,
    fingerprint: String,
) -> SarifResult<'a> {
    let level = match check.status {
        Status::Fail => "error",
        Status::Partial => "warning",
        Status::Pass | Status::NotApplicable => "note",
    };
    let (path, repository_wide) = match &finding.path {
        Some(path) => (path.as_str(), false),
        None => (report.anchor.as_str(), true),
    };
    SarifResult {
        rule_id: &check.id,
        rule_index,
        level,
        message: Text::new(super::message_with_fix(
            &finding.message,
            finding.fix.as_deref(),
        )),
        locations: vec![location(options, path, finding.line)],
        partial_fingerprints: BTreeMap::from([(FINGERPRINT_KEY, fingerprint)]),
        properties: ResultProperties {
            gain: finding.gain,
            rule: finding.rule.as_deref(),
            repository_wide,
        },
    }
}

fn location(options: &Options, path: &str, line: Option<u32>) -> Location {
    Location {
        physical_location: PhysicalLocation {
            artifact_location: ArtifactLocation {
                uri: uri(&options.in_repository(path)),
            },
            // GitHub wants a line: a finding about a whole file is shown on its first.
            region: Region {
                start_line: line.unwrap_or(1).max(1),
            },
        },
    }
}

/// A relative path as a URI reference: every byte but unreserved characters and `/`
/// percent-encoded (so `a b,c:d.py` is `a%20b%2Cc%3Ad.py`, never read as a scheme).
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// `root.essential_only` -> `RootEssentialOnly`: SARIF's readable rule name.
fn rule_name(id: &str) -> String {
    id.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect()
}

/// The documentation of a built-in standard's check: `docs/scoring.md` for the default
/// standard (a section per check), `docs/standards.md` for the others. None for rule-set
/// files: their help travels in the log.
fn help_uri(report: &Report, check: &CheckResult) -> Option<String> {
    if report.standard.origin != "built-in" {
        return None;
    }
    Some(if report.standard.id == crate::standard::DEFAULT_STANDARD {
        format!(
            "{REPOSITORY}/blob/main/docs/scoring.md#{}",
            heading_anchor(&format!("`{}` — {}", check.id, check.title))
        )
    } else {
        format!(
            "{REPOSITORY}/blob/main/docs/standards.md#{}",
            heading_anchor(&format!("`{}`", report.standard.id))
        )
    })
}

/// The anchor GitHub gives a markdown heading: lower case, spaces to `-`, everything but
/// letters, digits, `-` and `_` dropped.
fn heading_anchor(heading: &str) -> String {
    heading
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c.to_ascii_lowercase()),
            _ => None,
        })
        .collect()
}

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    automation_details: Option<AutomationDetails>,
    invocations: Vec<Invocation>,
    results: Vec<SarifResult<'a>>,
    properties: RunProperties<'a>,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'a str,
    version: &'a str,
    semantic_version: &'a str,
    information_uri: &'static str,
    rules: Vec<Rule<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule<'a> {
    id: &'a str,
    name: String,
    short_description: Text,
    full_description: Text,
    help: Help,
    #[serde(skip_serializing_if = "Option::is_none")]
    help_uri: Option<String>,
    properties: RuleProperties<'a>,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

impl Text {
    fn new(text: String) -> Text {
        Text { text }
    }
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct RuleProperties<'a> {
    tags: Vec<String>,
    category: &'a str,
    points: f64,
}

#[derive(Serialize)]
struct AutomationDetails {
    id: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
struct Notification {
    level: &'static str,
    message: Text,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<Location>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: Vec<Location>,
    partial_fingerprints: BTreeMap<&'static str, String>,
    properties: ResultProperties<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultProperties<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    gain: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule: Option<&'a str>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    repository_wide: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RunProperties<'a> {
    score: f64,
    max: f64,
    band: &'a str,
    standard: &'a str,
    standard_name: &'a str,
    standard_version: &'a str,
    standard_origin: &'a str,
    path: &'a str,
    service_root: &'a str,
    categories: Vec<CategoryProperty<'a>>,
}

#[derive(Serialize)]
struct CategoryProperty<'a> {
    id: &'a str,
    title: &'a str,
    score: f64,
    max: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(uri("src/users/router.py"), "src/users/router.py");
        assert_eq!(uri("a b,c:d.py"), "a%20b%2Cc%3Ad.py");
        assert_eq!(uri("100%/é.md"), "100%25/%C3%A9.md");
    }

    #[test]
    fn rule_names_read_as_identifiers() {
        assert_eq!(rule_name("root.essential_only"), "RootEssentialOnly");
        assert_eq!(rule_name("docs.db_schema"), "DocsDbSchema");
    }

    #[test]
    fn every_default_check_links_to_its_section_of_the_scoring_docs() {
        let scoring = include_str!("../../docs/scoring.md");
        let anchors: Vec<String> = scoring
            .lines()
            .filter_map(|l| l.strip_prefix("### "))
            .map(heading_anchor)
            .collect();
        let standard =
            crate::standard::load(crate::standard::DEFAULT_STANDARD, std::path::Path::new("."))
                .unwrap()
                .standard;
        assert!(!standard.checks.is_empty());
        for check in &standard.checks {
            let anchor = heading_anchor(&format!("`{}` — {}", check.id, check.title));
            assert!(
                anchors.contains(&anchor),
                "docs/scoring.md has no section `{}` — {}",
                check.id,
                check.title
            );
        }
        assert_eq!(
            heading_anchor("`root.essential_only` — Only essential files in root (max 25 items)"),
            "rootessential_only--only-essential-files-in-root-max-25-items"
        );
    }
}
