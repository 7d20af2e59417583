//! Baselines: what an audit found, saved (`--save-baseline FILE`) so that a later audit
//! (`--baseline FILE`) fails only on what got worse — a lower score, or a finding the
//! baseline does not hold — and a team can gate a repository from the day it adopts squarely.
//!
//! Findings are matched by fingerprint, never by line, counted as a multiset: two identical
//! violations in one file in the baseline cover two today, not three. Matching runs twice:
//! first on [`Finding::exact_fingerprint`], then, for what is left on either side, on the
//! looser [`Finding::fingerprint`] (quoted code of located violations and example paths
//! masked), so that a routine edit keeps a finding known without letting a new violation
//! take the place of a known one that is still there. The file format is documented in
//! docs/baselines.md; this module neither reads nor writes the disk.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::model::{CheckResult, Finding, Report};

/// The format version written in `squarely_baseline`; a file of another version is refused.
pub const VERSION: u32 = 1;

/// A saved baseline: one entry per report (standard, and service with `--workspace`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Baseline {
    /// The format version ([`VERSION`]).
    pub squarely_baseline: u32,
    /// The squarely version that wrote it (informative).
    #[serde(default)]
    pub tool: String,
    /// One entry per report.
    pub reports: Vec<Entry>,
}

/// What one report held.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// The standard's id.
    pub standard: String,
    /// The service root (`.` for the audited directory).
    pub service_root: String,
    /// The score.
    pub score: f64,
    /// Each check's points.
    pub checks: BTreeMap<String, f64>,
    /// Every finding.
    pub findings: Vec<Known>,
}

/// A finding as the baseline keeps it: the fingerprint matches, the rest is for people
/// reading the file or its diff.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Known {
    /// The check.
    pub check: String,
    /// [`Finding::fingerprint`].
    pub fingerprint: String,
    /// [`Finding::exact_fingerprint`], when it differs from `fingerprint`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exact: Option<String>,
    /// Where.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Line, when saved (not matched on).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// What was wrong.
    #[serde(default)]
    pub message: String,
}

/// How a report compares with its baseline entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// The baseline file, as given.
    pub file: String,
    /// The score the baseline holds for this report; `None` when it holds no entry for this
    /// standard and service: the report is then gated as without a baseline, and `new` is
    /// empty.
    pub score: Option<f64>,
    /// Findings the baseline does not hold.
    pub new: Vec<NewFinding>,
    /// How many baseline findings are gone.
    pub fixed: usize,
}

/// A finding the baseline does not hold.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewFinding {
    /// The check.
    pub check: String,
    /// [`Finding::fingerprint`].
    pub fingerprint: String,
    /// The finding.
    #[serde(flatten)]
    pub finding: Finding,
}

/// Why a baseline file cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// What is wrong.
    pub message: String,
    /// Line and column, 1-based, where the JSON parser knows them.
    pub at: Option<(usize, usize)>,
}

impl ParseError {
    fn new(message: impl Into<String>) -> ParseError {
        ParseError {
            message: message.into(),
            at: None,
        }
    }
}

impl From<serde_json::Error> for ParseError {
    fn from(error: serde_json::Error) -> ParseError {
        let text = error.to_string();
        // serde_json appends " at line L column C"; the location is kept apart instead.
        let message = text
            .rfind(" at line ")
            .map_or(text.as_str(), |at| &text[..at])
            .to_owned();
        ParseError {
            message,
            at: (error.line() > 0).then(|| (error.line(), error.column().max(1))),
        }
    }
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.at {
            Some((line, column)) => write!(f, "{line}:{column}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// Scores closer than this are equal (they are rounded to two decimals).
const EPSILON: f64 = 0.005;

impl Comparison {
    /// Whether the score went down.
    #[must_use]
    pub fn score_dropped(&self, now: f64) -> bool {
        self.score.is_some_and(|then| now < then - EPSILON)
    }

    /// Whether the report is worse than its baseline: a lower score or a new finding.
    #[must_use]
    pub fn worse(&self, now: f64) -> bool {
        self.score_dropped(now) || !self.new.is_empty()
    }
}

impl Baseline {
    /// The baseline of `reports`.
    #[must_use]
    pub fn of(reports: &[Report]) -> Baseline {
        Baseline {
            squarely_baseline: VERSION,
            tool: format!("squarely {}", env!("CARGO_PKG_VERSION")),
            reports: reports.iter().map(Entry::of).collect(),
        }
    }

    /// Parse a baseline file's text.
    pub fn parse(text: &str) -> Result<Baseline, ParseError> {
        let value: serde_json::Value = serde_json::from_str(text).map_err(ParseError::from)?;
        // The version first, so a later format says so rather than failing on its fields.
        match value.get("squarely_baseline") {
            Some(serde_json::Value::Number(n)) if n.as_u64() == Some(u64::from(VERSION)) => {}
            Some(serde_json::Value::Number(n)) => {
                return Err(ParseError::new(format!(
                    "baseline format version {n}, this squarely reads version {VERSION}: save the baseline again with --save-baseline"
                )));
            }
            _ => {
                return Err(ParseError::new(
                    "not a squarely baseline (no `squarely_baseline` version): write one with `squarely audit --save-baseline FILE`",
                ));
            }
        }
        let baseline: Baseline = serde_json::from_str(text).map_err(ParseError::from)?;
        // A hand-edited or hostile file: scores are scores, fingerprints are fingerprints.
        let hex = |f: &str| f.len() == 16 && f.bytes().all(|b| b.is_ascii_hexdigit());
        for entry in &baseline.reports {
            let what = format!("`{}` at `{}`", entry.standard, entry.service_root);
            if !(0.0..=100.0).contains(&entry.score) {
                return Err(ParseError::new(format!(
                    "{what}: score {} is not between 0 and 100",
                    entry.score
                )));
            }
            if let Some(bad) = entry
                .findings
                .iter()
                .find(|k| !hex(&k.fingerprint) || k.exact.as_deref().is_some_and(|e| !hex(e)))
            {
                return Err(ParseError::new(format!(
                    "{what}: fingerprint `{}` of a `{}` finding is not 16 hexadecimal digits",
                    crate::text::clip(&bad.fingerprint),
                    crate::text::clip(&bad.check)
                )));
            }
        }
        Ok(baseline)
    }

    /// Compare `report` with its entry (same standard and service root).
    #[must_use]
    pub fn compare(&self, report: &Report, file: &str) -> Comparison {
        let Some(entry) = self.reports.iter().find(|e| {
            e.standard == report.standard.id && e.service_root == report.detection.service_root
        }) else {
            return Comparison {
                file: file.to_owned(),
                score: None,
                new: Vec::new(),
                fixed: 0,
            };
        };
        // Each baseline finding is used once: first by a finding with its exact fingerprint,
        // then by one with its loose fingerprint.
        let mut used = vec![false; entry.findings.len()];
        let mut by_exact: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        let mut by_loose: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (i, known) in entry.findings.iter().enumerate().rev() {
            let exact = known
                .exact
                .clone()
                .unwrap_or_else(|| known.fingerprint.clone());
            by_exact.entry(exact).or_default().push(i);
            by_loose
                .entry(known.fingerprint.as_str())
                .or_default()
                .push(i);
        }
        let current: Vec<(&CheckResult, &Finding)> = report
            .checks
            .iter()
            .flat_map(|c| c.findings.iter().map(move |f| (c, f)))
            .collect();
        let matched_exactly: Vec<bool> = current
            .iter()
            .map(|(check, finding)| {
                take(
                    &mut by_exact,
                    &finding.exact_fingerprint(&check.id),
                    &mut used,
                )
            })
            .collect();
        let mut new = Vec::new();
        for ((check, finding), exact) in current.iter().zip(matched_exactly) {
            if exact {
                continue;
            }
            let fingerprint = finding.fingerprint(&check.id);
            if take(&mut by_loose, &fingerprint, &mut used) {
                continue;
            }
            // A check that scores higher than it did is progress: its findings may read
            // differently (a partial-credit tier moved), and none of them fails the gate.
            let improved = entry
                .checks
                .get(&check.id)
                .is_some_and(|then| check.score > then + EPSILON);
            if !improved {
                new.push(NewFinding {
                    check: check.id.clone(),
                    fingerprint,
                    finding: (*finding).clone(),
                });
            }
        }
        let fixed = used.iter().filter(|u| !**u).count();
        Comparison {
            file: file.to_owned(),
            score: Some(entry.score),
            new,
            fixed,
        }
    }
}

/// The first unused baseline finding under `key` in `index`, marked used.
fn take<K: Ord + std::borrow::Borrow<str>>(
    index: &mut BTreeMap<K, Vec<usize>>,
    key: &str,
    used: &mut [bool],
) -> bool {
    let Some(candidates) = index.get_mut(key) else {
        return false;
    };
    while let Some(i) = candidates.pop() {
        if !used[i] {
            used[i] = true;
            return true;
        }
    }
    false
}

impl Entry {
    fn of(report: &Report) -> Entry {
        Entry {
            standard: report.standard.id.clone(),
            service_root: report.detection.service_root.clone(),
            score: report.score,
            checks: report
                .checks
                .iter()
                .map(|c| (c.id.clone(), c.score))
                .collect(),
            findings: report
                .checks
                .iter()
                .flat_map(|check| {
                    check.findings.iter().map(|finding| {
                        let fingerprint = finding.fingerprint(&check.id);
                        let exact = finding.exact_fingerprint(&check.id);
                        Known {
                            check: check.id.clone(),
                            exact: (exact != fingerprint).then_some(exact),
                            fingerprint,
                            path: finding.path.clone(),
                            line: finding.line,
                            message: finding.message.clone(),
                        }
                    })
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::fs::Tree;

    fn audit(files: &[(&str, &str)]) -> Report {
        let standard = crate::standard::load("coditect-backend", Path::new("."))
            .unwrap()
            .standard;
        let tree = Tree::from_files(files);
        let detection = crate::detect::detect(&tree, &standard.detection);
        crate::audit::audit(&tree, &standard, &detection, "repo")
    }

    const SERVICE: &[(&str, &str)] = &[
        (
            "pyproject.toml",
            "[project]\nname = \"x\"\ndependencies = [\"fastapi\"]\n",
        ),
        (
            "README.md",
            "# x\n\nA service that does things for people.\n",
        ),
        (
            "src/routes/users.py",
            "from sqlalchemy import select\n\ndef get():\n    return select(1)\n",
        ),
        (
            "src/services/users.py",
            "from fastapi import HTTPException\n\ndef find():\n    raise HTTPException(404)\n",
        ),
        ("notes.tmp", "scratch"),
    ];

    #[test]
    fn a_report_compared_with_its_own_baseline_is_not_worse() {
        let report = audit(SERVICE);
        let baseline = Baseline::of(std::slice::from_ref(&report));
        let again = Baseline::parse(&serde_json::to_string(&baseline).unwrap()).unwrap();
        assert_eq!(again, baseline);
        let comparison = again.compare(&report, "b.json");
        assert_eq!(comparison.score, Some(report.score));
        assert!(comparison.new.is_empty(), "{:?}", comparison.new);
        assert_eq!(comparison.fixed, 0);
        assert!(!comparison.worse(report.score));
    }

    #[test]
    fn a_new_finding_is_named_and_a_fixed_one_counted() {
        let before = audit(SERVICE);
        let baseline = Baseline::of(std::slice::from_ref(&before));
        let mut files: Vec<(&str, &str)> = SERVICE
            .iter()
            .copied()
            .filter(|(path, _)| *path != "notes.tmp")
            .collect();
        files.push(("debug.log", "boom"));
        let after = audit(&files);
        let comparison = baseline.compare(&after, "b.json");
        let new: Vec<_> = comparison
            .new
            .iter()
            .map(|n| (n.check.as_str(), n.finding.path.as_deref()))
            .collect();
        assert_eq!(new, [("root.essential_only", Some("debug.log"))]);
        assert_eq!(comparison.fixed, 1, "notes.tmp is gone");
        assert!(comparison.worse(after.score));
    }

    #[test]
    fn moved_lines_do_not_make_a_finding_new() {
        let before = audit(SERVICE);
        let baseline = Baseline::of(std::slice::from_ref(&before));
        let violation = before
            .checks
            .iter()
            .flat_map(|c| &c.findings)
            .find(|f| f.path.as_deref() == Some("src/services/users.py") && f.line.is_some())
            .expect("the service imports fastapi");
        let mut files = SERVICE.to_vec();
        files[3].1 = "\"\"\"Users.\"\"\"\n\n\nfrom fastapi import HTTPException\n\ndef find():\n    raise HTTPException(404)\n";
        let after = audit(&files);
        let moved = after
            .checks
            .iter()
            .flat_map(|c| &c.findings)
            .find(|f| f.path.as_deref() == Some("src/services/users.py") && f.line.is_some())
            .unwrap();
        assert_ne!(moved.line, violation.line, "the edit moved the violation");
        let comparison = baseline.compare(&after, "b.json");
        assert!(comparison.new.is_empty(), "{:?}", comparison.new);
    }

    #[test]
    fn a_new_violation_does_not_take_the_place_of_a_known_one_still_there() {
        let violation = |call: &str, line: u32| {
            Finding::new(format!("calls `{call}` in the interface layer"))
                .at("app/routes/user.py")
                .line(line, None)
        };
        let mut report = audit(SERVICE);
        let index = report
            .checks
            .iter()
            .position(|c| c.id == "src.separation")
            .unwrap();
        report.checks[index].findings = vec![violation("db.query()", 17)];
        let baseline = Baseline::of(std::slice::from_ref(&report));
        assert!(
            baseline.reports[0]
                .findings
                .iter()
                .any(|k| k.exact.is_some())
        );
        // A second call added above the known one: the new one is new, the known one known.
        report.checks[index].findings = vec![
            violation("db.session.execute()", 12),
            violation("db.query()", 19),
        ];
        let comparison = baseline.compare(&report, "b.json");
        let new: Vec<&str> = comparison
            .new
            .iter()
            .map(|n| n.finding.message.as_str())
            .collect();
        assert_eq!(new, ["calls `db.session.execute()` in the interface layer"]);
        // The known call edited in place (its quoted code changed): still known.
        report.checks[index].findings = vec![violation("db.query(User)", 17)];
        assert!(baseline.compare(&report, "b.json").new.is_empty());
    }

    #[test]
    fn identical_findings_are_counted_not_just_matched() {
        let mut report = audit(SERVICE);
        let baseline = Baseline::of(std::slice::from_ref(&report));
        let check = report
            .checks
            .iter_mut()
            .find(|c| !c.findings.is_empty())
            .unwrap();
        let copy = check.findings[0].clone();
        check.findings.push(copy);
        let comparison = baseline.compare(&report, "b.json");
        assert_eq!(comparison.new.len(), 1);
    }

    #[test]
    fn a_report_the_baseline_does_not_hold_is_left_to_the_usual_gate() {
        let report = audit(SERVICE);
        let mut baseline = Baseline::of(std::slice::from_ref(&report));
        baseline.reports[0].service_root = "services/billing".into();
        let comparison = baseline.compare(&report, "b.json");
        assert_eq!(comparison.score, None);
        assert!(comparison.new.is_empty());
        assert!(!comparison.worse(report.score));
    }

    #[test]
    fn a_lower_score_is_worse_even_without_a_new_finding() {
        let report = audit(SERVICE);
        let mut baseline = Baseline::of(std::slice::from_ref(&report));
        baseline.reports[0].score += 0.01;
        let comparison = baseline.compare(&report, "b.json");
        assert!(comparison.new.is_empty());
        assert!(comparison.score_dropped(report.score));
        assert!(comparison.worse(report.score));
    }

    #[test]
    fn other_files_are_refused_with_a_reason() {
        let err = |text: &str| Baseline::parse(text).unwrap_err().to_string();
        assert_eq!(err("{"), "1:1: EOF while parsing an object");
        assert!(err(r#"{"score": 50}"#).starts_with("not a squarely baseline"));
        assert!(err(r#"{"squarely_baseline": 9, "reports": []}"#).contains("version 9"));
        assert!(err(r#"{"squarely_baseline": 1.0, "reports": []}"#).contains("version 1.0"));
        let wrong = err("{\"squarely_baseline\": 1,\n \"reports\": [{\"standard\": 3}]}");
        assert!(
            wrong.starts_with("2:27: invalid type: integer `3`"),
            "{wrong}"
        );
    }
}
