//! The report model: what an audit found, independent of how it is printed.
//!
//! Every output format renders this model and nothing else. Its JSON form is a stable,
//! documented contract (docs/json-report.md): fields are only ever added.

use std::sync::Arc;

use serde::Serialize;

use crate::detect::Evidence;
use crate::fs::Notice;

/// Round to two decimals, the precision every score is reported with.
#[must_use]
pub fn round2(value: f64) -> f64 {
    let rounded = (value * 100.0).round() / 100.0;
    if rounded == 0.0 { 0.0 } else { rounded }
}

/// One audit of one repository against one standard.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The tool that wrote the report.
    pub tool: Tool,
    /// The standard applied.
    pub standard: StandardInfo,
    /// The audited directory, as given.
    pub path: String,
    /// What the repository is.
    pub detection: DetectionInfo,
    /// Score out of `max`, two decimals.
    pub score: f64,
    /// Always 100.
    pub max: f64,
    /// Band id (`production-ready`, `needs-improvement`, `not-ready`).
    pub band: String,
    /// Raw points before scaling to 100 (equal to `score` when the checks add up to 100).
    pub points: Points,
    /// Per-category sums.
    pub categories: Vec<CategoryResult>,
    /// Every check, in report order.
    pub checks: Vec<CheckResult>,
    /// The fixes that gain the most points first.
    pub fixes: Vec<Fix>,
    /// Problems met while reading the repository (skipped files, unreadable folders...).
    pub notices: Vec<Notice>,
    /// The file that findings without a path are shown on by formats that need a file for
    /// every result (SARIF): the root README, else the service manifest, else `README.md`.
    /// Not part of the JSON contract.
    #[serde(skip)]
    pub anchor: String,
    /// How the report compares with a saved baseline (`--baseline FILE`); absent without one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<super::baseline::Comparison>,
    /// The gate's verdict on this report, when a gate applies (min-score, floors or a
    /// baseline). Shown by `--format junit`; not part of the JSON contract.
    #[serde(skip)]
    pub gate: Option<Gate>,
}

/// The gate's verdict on one report.
#[derive(Debug, Clone, PartialEq)]
pub struct Gate {
    /// What the gate checks (`--min-score 90`, `min-score 90 (in .squarely.yaml)`, a
    /// category floor, `the baseline (FILE)`), joined with `, `.
    pub rule: String,
    /// Why it failed, one line each; empty when it passed.
    pub failures: Vec<String>,
}

impl Report {
    /// The baseline comparison when the baseline holds this report (same standard and
    /// service): the report is then gated on what got worse, not on min-score.
    #[must_use]
    pub fn held_by_baseline(&self) -> Option<&super::baseline::Comparison> {
        self.baseline.as_ref().filter(|c| c.score.is_some())
    }

    /// What the report judged: the audited directory, followed by the service root when the
    /// service is not the directory itself (`.` and `services/billing` give
    /// `services/billing`; `repo` and `api` give `repo/api`).
    #[must_use]
    pub fn subject(&self) -> String {
        let root = self.detection.service_root.as_str();
        match (self.path.trim_end_matches('/'), root) {
            (path, ".") => path.to_owned(),
            ("." | "", root) => root.to_owned(),
            (path, root) => format!("{path}/{root}"),
        }
    }
}

/// The aggregate of a `--workspace` run: every backend project's score, and per standard
/// the mean over the projects and the lowest of them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Workspace {
    /// One entry per report, in report order.
    pub services: Vec<ServiceScore>,
    /// One entry per standard applied.
    pub standards: Vec<Aggregate>,
}

/// One service's score in a workspace.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServiceScore {
    /// The service root (`.` for the audited directory).
    pub root: String,
    /// The standard.
    pub standard: String,
    /// Its score.
    pub score: f64,
    /// Its band.
    pub band: String,
}

/// A standard's aggregate over the services of a workspace.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Aggregate {
    /// The standard.
    pub standard: String,
    /// How many services were scored.
    pub services: usize,
    /// The mean of their scores (two decimals): every service weighs the same.
    pub score: f64,
    /// The band of the mean.
    pub band: String,
    /// The service with the lowest score (the first of equals).
    pub lowest: ServiceScore,
    /// Every project detection found under this standard, scored or not: listed once here
    /// instead of in every service's report.
    pub projects: Arc<[ProjectInfo]>,
}

impl Workspace {
    /// The aggregate of `reports`; `band` names the band of a mean score under a standard.
    #[must_use]
    pub fn of(reports: &[Report], band: impl Fn(&str, f64) -> String) -> Workspace {
        let services: Vec<ServiceScore> = reports
            .iter()
            .map(|r| ServiceScore {
                root: r.detection.service_root.clone(),
                standard: r.standard.id.clone(),
                score: r.score,
                band: r.band.clone(),
            })
            .collect();
        let mut standards: Vec<Aggregate> = Vec::new();
        for (report, service) in reports.iter().zip(&services) {
            if standards.iter().any(|a| a.standard == service.standard) {
                continue;
            }
            let of_standard: Vec<&ServiceScore> = services
                .iter()
                .filter(|s| s.standard == service.standard)
                .collect();
            #[allow(
                clippy::cast_precision_loss,
                reason = "a count of services is far below 2^52"
            )]
            let mean =
                round2(of_standard.iter().map(|s| s.score).sum::<f64>() / of_standard.len() as f64);
            let lowest = of_standard
                .iter()
                .copied()
                .reduce(|low, s| if s.score < low.score { s } else { low })
                .unwrap_or(service);
            standards.push(Aggregate {
                standard: service.standard.clone(),
                services: of_standard.len(),
                score: mean,
                band: band(&service.standard, mean),
                lowest: lowest.clone(),
                projects: Arc::clone(&report.detection.projects),
            });
        }
        Workspace {
            services,
            standards,
        }
    }
}

/// The tool.
#[derive(Debug, Clone, Serialize)]
pub struct Tool {
    /// `squarely`.
    pub name: String,
    /// Its version.
    pub version: String,
}

impl Tool {
    /// This build of squarely.
    #[must_use]
    pub fn current() -> Tool {
        Tool {
            name: env!("CARGO_PKG_NAME").to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
        }
    }
}

/// Which standard was applied.
#[derive(Debug, Clone, Serialize)]
pub struct StandardInfo {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Version.
    pub version: String,
    /// `built-in` or the rule-set file.
    pub origin: String,
}

/// Detection results.
#[derive(Debug, Clone, Serialize)]
pub struct DetectionInfo {
    /// Kind of the service project.
    pub kind: String,
    /// Languages of the service project.
    pub languages: Vec<String>,
    /// Frameworks and tools of the service project.
    pub frameworks: Vec<String>,
    /// The service root, relative to the audited directory (`.` for itself).
    pub service_root: String,
    /// Where the service's code starts (`src`, `src/dispatch`, `.` for the root), best
    /// evidence first, each with the reason.
    pub source_roots: Vec<SourceRootInfo>,
    /// The domain modules the standard found (folders, relative to the audited directory).
    pub domains: Vec<String>,
    /// Every project found; one list shared by the reports of a workspace's services.
    pub projects: Arc<[ProjectInfo]>,
    /// Why detection concluded what it did, for the service project.
    pub evidence: Vec<Evidence>,
}

/// A source root and why it is one.
#[derive(Debug, Clone, Serialize)]
pub struct SourceRootInfo {
    /// The folder (`.` for the audited directory).
    pub path: String,
    /// The evidence, in words.
    pub reason: String,
}

/// One project of a monorepo.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProjectInfo {
    /// Its root (`.` for the repository root).
    pub root: String,
    /// Kind.
    pub kind: String,
    /// Languages.
    pub languages: Vec<String>,
    /// Frameworks.
    pub frameworks: Vec<String>,
}

/// Raw points.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Points {
    /// Points earned.
    pub earned: f64,
    /// Points possible.
    pub possible: f64,
}

/// A category's sum.
#[derive(Debug, Clone, Serialize)]
pub struct CategoryResult {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Points earned.
    pub score: f64,
    /// Points possible.
    pub max: f64,
}

/// How a check went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Status {
    /// Full points.
    #[serde(rename = "pass")]
    Pass,
    /// Some points.
    #[serde(rename = "partial")]
    Partial,
    /// No points.
    #[serde(rename = "fail")]
    Fail,
    /// Does not apply: full points.
    #[serde(rename = "n/a")]
    NotApplicable,
}

impl Status {
    /// From a score.
    #[must_use]
    pub fn from_score(score: f64, max: f64) -> Status {
        if score >= max - 1e-9 {
            Status::Pass
        } else if score <= 1e-9 {
            Status::Fail
        } else {
            Status::Partial
        }
    }

    /// The word used in reports.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Partial => "partial",
            Status::Fail => "fail",
            Status::NotApplicable => "n/a",
        }
    }
}

/// One check's result.
#[derive(Debug, Clone, Serialize)]
pub struct CheckResult {
    /// Id.
    pub id: String,
    /// Category id.
    pub category: String,
    /// Title.
    pub title: String,
    /// Points earned (two decimals).
    pub score: f64,
    /// Points possible.
    pub max: f64,
    /// pass, partial, fail or n/a.
    pub status: Status,
    /// One line on what was found.
    pub summary: String,
    /// Why the check does not apply (n/a only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Every cause of a lost point.
    pub findings: Vec<Finding>,
    /// Violations waived inline with a reason (they cost nothing).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub waived: Vec<Finding>,
    /// The check's documentation, for formats that carry rule help (SARIF). Not part of the
    /// JSON contract: `squarely explain ID` prints the same.
    #[serde(skip)]
    pub help: CheckHelp,
}

/// What a check is for, how it scores and how to fix it: the rule-set text behind a check.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CheckHelp {
    /// Why it matters.
    pub why: String,
    /// How it scores, one line per rule (tiers, items, steps...).
    pub scoring: Vec<String>,
    /// When the check does not apply, in words.
    pub not_applicable: Option<String>,
    /// How to fix it.
    pub fix: String,
}

/// A cause of lost points, or a waived violation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// What is wrong.
    pub message: String,
    /// Where (relative to the audited directory).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Line, 1-based.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// Column, 1-based.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
    /// How to fix it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
    /// Points this fix would gain (two decimals).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gain: Option<f64>,
    /// The contract or rule that raised it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// For a waived violation: the waiver's reason.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiver: Option<String>,
    /// Whether `path` is only an example of what was found (a partial-credit tier shown on
    /// its first file) rather than the place of the problem: the fingerprint leaves it out.
    #[serde(skip)]
    pub example: bool,
}

impl Finding {
    /// A fingerprint that names this finding of `check` across runs: FNV-1a over the check,
    /// the rule, the path and the message with every number masked, as 16 hex digits.
    ///
    /// What routine edits change is left out, so that they do not turn a known finding into
    /// a new one: the line (code added above a violation), numbers (a partial score moving,
    /// `(2 of 5 points)`), the quoted code of a violation located at a line (a renamed column
    /// in a known raw query), and the path of a finding whose path is only an example (a
    /// second test file in a flat `tests/`), along with the quoted parts of its message.
    /// Baselines match on [`Finding::exact_fingerprint`] first and fall back to this one.
    #[must_use]
    pub fn fingerprint(&self, check: &str) -> String {
        self.fingerprint_masking(check, self.example || self.line.is_some())
    }

    /// [`Finding::fingerprint`] with the quoted code kept: it tells apart two violations of
    /// one contract in one file (`db.query()` and `db.session.execute()`).
    #[must_use]
    pub fn exact_fingerprint(&self, check: &str) -> String {
        self.fingerprint_masking(check, false)
    }

    fn fingerprint_masking(&self, check: &str, quoted: bool) -> String {
        let mut message = mask_numbers(&self.message);
        if quoted {
            message = mask_quoted(&message);
        }
        let path = if self.example {
            ""
        } else {
            self.path.as_deref().unwrap_or("")
        };
        fnv1a(&[check, self.rule.as_deref().unwrap_or(""), path, &message])
    }

    /// A finding with a message only.
    #[must_use]
    pub fn new(message: impl Into<String>) -> Finding {
        Finding {
            message: message.into(),
            path: None,
            line: None,
            column: None,
            fix: None,
            gain: None,
            rule: None,
            waiver: None,
            example: false,
        }
    }

    /// With a path.
    #[must_use]
    pub fn at(mut self, path: impl Into<String>) -> Finding {
        self.path = Some(path.into());
        self
    }

    /// With a path that is only an example of what was found (see [`Finding::example`]).
    #[must_use]
    pub fn example_at(mut self, path: impl Into<String>) -> Finding {
        self.path = Some(path.into());
        self.example = true;
        self
    }

    /// With a line and column.
    #[must_use]
    pub fn line(mut self, line: u32, column: Option<u32>) -> Finding {
        self.line = Some(line);
        self.column = column;
        self
    }

    /// With a fix.
    #[must_use]
    pub fn fix(mut self, fix: impl Into<String>) -> Finding {
        self.fix = Some(fix.into());
        self
    }

    /// With a gain.
    #[must_use]
    pub fn gain(mut self, gain: f64) -> Finding {
        self.gain = Some(gain);
        self
    }

    /// With a rule id.
    #[must_use]
    pub fn rule(mut self, rule: impl Into<String>) -> Finding {
        self.rule = Some(rule.into());
        self
    }

    /// `path:line` or `path`, for text output.
    #[must_use]
    pub fn location(&self) -> Option<String> {
        let path = self.path.as_deref()?;
        Some(match self.line {
            Some(line) => format!("{path}:{line}"),
            None => path.to_owned(),
        })
    }
}

/// A fix worth points.
#[derive(Debug, Clone, Serialize)]
pub struct Fix {
    /// The check it helps.
    pub check: String,
    /// Points gained (two decimals).
    pub gain: f64,
    /// What to do.
    pub fix: String,
    /// Where.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
}

/// `found 3 of 5 files` -> `found # of # files`.
fn mask_numbers(text: &str) -> String {
    let mut masked = String::with_capacity(text.len());
    let mut in_number = false;
    for c in text.chars() {
        if c.is_ascii_digit() {
            if !in_number {
                masked.push('#');
            }
            in_number = true;
        } else if in_number && c == '.' {
            // `2.50` is one number; a full stop after a number is swallowed, which is harmless.
        } else {
            in_number = false;
            masked.push(c);
        }
    }
    masked
}

/// ``runs `SELECT a FROM t` `` -> ``runs `…` ``: quoted code masked.
fn mask_quoted(text: &str) -> String {
    let mut masked = String::with_capacity(text.len());
    let mut quoted = false;
    for c in text.chars() {
        if c == '`' {
            if quoted {
                masked.push('`');
            } else {
                masked.push_str("`…");
            }
            quoted = !quoted;
        } else if !quoted {
            masked.push(c);
        }
    }
    masked
}

/// FNV-1a, 64 bits, as 16 hex digits: stable across versions and platforms. Each part ends
/// with a zero byte, so `["ab", "c"]` and `["a", "bc"]` differ.
#[must_use]
pub fn fnv1a(parts: &[&str]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.bytes().chain(std::iter::once(0)) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_are_stable() {
        assert_eq!(fnv1a(&[]), "cbf29ce484222325");
        assert_ne!(fnv1a(&["ab", "c"]), fnv1a(&["a", "bc"]));
    }

    #[test]
    fn quoted_code_is_masked_for_located_and_example_findings_only() {
        assert_eq!(
            mask_quoted("runs raw SQL `SELECT a FROM t` in `x`"),
            "runs raw SQL `…` in `…`"
        );
        let sql = |query: &str| {
            Finding::new(format!("runs raw SQL `{query}`"))
                .at("src/routes/a.py")
                .line(7, None)
        };
        assert_eq!(
            sql("SELECT status FROM t").fingerprint("src.separation"),
            sql("SELECT state FROM t").fingerprint("src.separation")
        );
        let root = |name: &str| Finding::new(format!("`{name}` at the root is a log file"));
        assert_ne!(
            root("a.log").fingerprint("root.essential_only"),
            root("b.log").fingerprint("root.essential_only"),
            "without a line, quoted names tell findings apart"
        );
        let tier = |path: &str| Finding::new("found a flat tests/ folder").example_at(path);
        assert_eq!(
            tier("tests/a.py").fingerprint("infra.tests"),
            tier("tests/b.py").fingerprint("infra.tests")
        );
    }

    #[test]
    fn numbers_are_masked_and_nothing_else() {
        assert_eq!(
            mask_numbers("found a flat folder (2 of 5 points); need 3.50 more"),
            "found a flat folder (# of # points); need # more"
        );
        assert_eq!(mask_numbers("`app.py` at the root"), "`app.py` at the root");
        let finding = |message: &str| Finding::new(message).at("src/a.py");
        assert_eq!(
            finding("2 of 5").fingerprint("src.domains"),
            finding("3 of 5").fingerprint("src.domains")
        );
        assert_ne!(
            finding("2 of 5").fingerprint("src.domains"),
            finding("2 of 5").fingerprint("src.layers")
        );
    }
}
