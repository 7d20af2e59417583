//! Waivers from the project configuration (`.squarely.yaml`), applied to check results.
//!
//! A waiver names a check and gives a reason. Without a path it waives the whole check: the
//! check scores its full points, its status is `n/a`, and its summary says "waived: <reason>".
//! With a path glob (and optionally a line) it waives the findings at that place: they move to
//! the check's `waived` list and the points their fixes would gain come back, never above the
//! check's maximum. Waivers are applied after a check has been scored, so every check kind
//! honours them the same way, and the report always shows what was waived and why.

use crate::fs::Notice;
use crate::report::model::{CheckResult, Finding, Status, round2};
use crate::standard::PathGlob;

/// The waivers that count in one run, and what the report should say about the others.
#[derive(Debug, Clone, Default)]
pub struct Waivers {
    /// The waivers in force today, in the order written.
    pub active: Vec<Waiver>,
    /// Notices for every report (expired waivers).
    pub notices: Vec<Notice>,
    /// The configuration file, as reports name it (for notices about unused waivers).
    pub file: String,
    /// The audited directory relative to the folder that waiver paths are relative to
    /// (`services/billing/`, or empty when they are the same folder).
    pub prefix: String,
}

/// One waiver in force.
#[derive(Debug, Clone)]
pub struct Waiver {
    /// The check it waives.
    pub check: String,
    /// Why (never empty).
    pub reason: String,
    /// Which findings: those whose path (or one of its folders) matches. `None`: the whole check.
    pub path: Option<PathGlob>,
    /// Only findings on this line (with `path`).
    pub line: Option<u32>,
    /// Where it is written (`line 12`), for notices.
    pub at: String,
}

impl Waiver {
    /// Whether this waiver covers `finding` (`prefix` turns its path into a configuration path).
    fn covers(&self, finding: &Finding, prefix: &str) -> bool {
        let Some(glob) = &self.path else {
            return true;
        };
        let Some(path) = &finding.path else {
            return false;
        };
        if self.line.is_some() && finding.line != self.line {
            return false;
        }
        let full = format!("{prefix}{path}");
        let mut candidate = full.as_str();
        loop {
            if glob.is_match(candidate) {
                return true;
            }
            match candidate.rsplit_once('/') {
                Some((parent, _)) => candidate = parent,
                None => return false,
            }
        }
    }
}

impl Waivers {
    /// Apply the waivers to the results of one standard's checks. Returns notices for the
    /// waivers of these checks that waived nothing.
    pub(super) fn apply(&self, results: &mut [CheckResult]) -> Vec<Notice> {
        let mut notices = Vec::new();
        for waiver in &self.active {
            let Some(result) = results.iter_mut().find(|r| r.id == waiver.check) else {
                continue;
            };
            let unused = match &waiver.path {
                None => waive_check(result, waiver),
                Some(glob) => {
                    let waived = waive_findings(result, waiver, &self.prefix);
                    (waived == 0).then(|| {
                        let line = waiver
                            .line
                            .map(|line| format!(" on line {line}"))
                            .unwrap_or_default();
                        format!(
                            "no finding of `{}` matches `{}`{line}",
                            waiver.check, glob.text
                        )
                    })
                }
            };
            if let Some(why) = unused {
                notices.push(Notice {
                    path: self.file.clone(),
                    message: format!(
                        "the waiver of `{}` ({}) waives nothing: {why}; remove it",
                        waiver.check, waiver.at
                    ),
                });
            }
        }
        notices
    }
}

/// Waive a whole check; `Some(why)` when it was already waived by an earlier waiver.
fn waive_check(result: &mut CheckResult, waiver: &Waiver) -> Option<String> {
    if result.status == Status::NotApplicable && result.findings.is_empty() {
        let already = result
            .reason
            .as_deref()
            .is_some_and(|r| r.starts_with("waived: "));
        return Some(if already {
            "an earlier waiver waives the whole check".to_owned()
        } else {
            format!("`{}` does not apply anyway", result.id)
        });
    }
    if result.status == Status::Pass && result.findings.is_empty() {
        return Some(format!("`{}` passes without it", result.id));
    }
    let text = format!("waived: {}", waiver.reason);
    for mut finding in result.findings.drain(..) {
        finding.waiver = Some(waiver.reason.clone());
        result.waived.push(finding);
    }
    result.score = result.max;
    result.status = Status::NotApplicable;
    result.summary.clone_from(&text);
    result.reason = Some(text);
    None
}

/// Waive the findings a path waiver covers; returns how many.
fn waive_findings(result: &mut CheckResult, waiver: &Waiver, prefix: &str) -> usize {
    let (covered, kept): (Vec<Finding>, Vec<Finding>) = result
        .findings
        .drain(..)
        .partition(|finding| waiver.covers(finding, prefix));
    result.findings = kept;
    if covered.is_empty() {
        return 0;
    }
    let mut regained = 0.0;
    for waived in &covered {
        let Some(gain) = waived.gain.filter(|g| *g > 0.0) else {
            continue;
        };
        match heir(&result.findings, waived) {
            Some(index) => result.findings[index].gain = Some(gain),
            None => regained += gain,
        }
    }
    let count = covered.len();
    for mut finding in covered {
        finding.waiver = Some(waiver.reason.clone());
        result.waived.push(finding);
    }
    if result.status != Status::NotApplicable {
        result.score = round2((result.score + regained).min(result.max));
        result.status = Status::from_score(result.score, result.max);
    }
    result.summary.push_str(&format!(
        " ({count} finding{} waived in the configuration)",
        if count == 1 { "" } else { "s" }
    ));
    count
}

/// The kept finding that takes over a waived finding's gain instead of the points coming
/// back: a finding whose own fix gains nothing (`gain: 0`) because a waived one already
/// carries the points. That is one at the same path (a file counted once: its other
/// violations), or else one held at the check's floor (several deductions that together
/// exceed the points): a finding with no kept sibling at its path that gains points.
fn heir(kept: &[Finding], waived: &Finding) -> Option<usize> {
    let waiting = |f: &Finding| f.gain == Some(0.0);
    kept.iter()
        .position(|k| waiting(k) && k.path.is_some() && k.path == waived.path)
        .or_else(|| {
            kept.iter().position(|k| {
                waiting(k)
                    && !kept
                        .iter()
                        .any(|other| other.path == k.path && other.gain.is_some_and(|g| g > 0.0))
            })
        })
}

#[cfg(test)]
#[allow(
    clippy::float_cmp,
    reason = "scores are rounded to two decimals: exact values are the point"
)]
mod tests {
    use super::*;

    fn result(findings: Vec<Finding>, score: f64) -> CheckResult {
        CheckResult {
            id: "src.separation".into(),
            category: "src".into(),
            title: "Separation".into(),
            score,
            max: 5.0,
            status: Status::from_score(score, 5.0),
            summary: "2 of 4 interface files clean".into(),
            reason: None,
            findings,
            waived: Vec::new(),
            help: crate::report::model::CheckHelp::default(),
        }
    }

    fn waiver(path: Option<&str>, line: Option<u32>) -> Waiver {
        Waiver {
            check: "src.separation".into(),
            reason: "legacy code, rewritten in Q3".into(),
            path: path.map(|p| PathGlob::new(p, false).unwrap()),
            line,
            at: "line 7".into(),
        }
    }

    fn waivers(list: Vec<Waiver>, prefix: &str) -> Waivers {
        Waivers {
            active: list,
            notices: Vec::new(),
            file: ".squarely.yaml".into(),
            prefix: prefix.into(),
        }
    }

    fn findings() -> Vec<Finding> {
        vec![
            Finding::new("a")
                .at("src/legacy/users.py")
                .line(4, None)
                .gain(1.25),
            Finding::new("b")
                .at("src/legacy/users.py")
                .line(9, None)
                .gain(0.0),
            Finding::new("c")
                .at("src/orders/router.py")
                .line(3, None)
                .gain(1.25),
        ]
    }

    #[test]
    fn a_check_waiver_gives_full_points_and_n_a() {
        let mut results = vec![result(findings(), 2.5)];
        let notices = waivers(vec![waiver(None, None)], "").apply(&mut results);
        assert!(notices.is_empty());
        let r = &results[0];
        assert_eq!(r.score, 5.0);
        assert_eq!(r.status, Status::NotApplicable);
        assert_eq!(r.summary, "waived: legacy code, rewritten in Q3");
        assert_eq!(
            r.reason.as_deref(),
            Some("waived: legacy code, rewritten in Q3")
        );
        assert!(r.findings.is_empty());
        assert_eq!(r.waived.len(), 3);
        assert!(r.waived.iter().all(|f| f.waiver.is_some()));
    }

    #[test]
    fn a_path_waiver_moves_findings_and_gives_points_back() {
        let mut results = vec![result(findings(), 2.5)];
        waivers(vec![waiver(Some("src/legacy"), None)], "").apply(&mut results);
        let r = &results[0];
        assert_eq!(r.score, 3.75);
        assert_eq!(r.status, Status::Partial);
        assert_eq!(r.findings.len(), 1);
        assert_eq!(r.waived.len(), 2);
        assert!(
            r.summary
                .ends_with("(2 findings waived in the configuration)")
        );
    }

    #[test]
    fn a_line_narrows_a_path_waiver_and_the_prefix_rebases_paths() {
        let mut results = vec![result(findings(), 2.5)];
        let list = vec![waiver(Some("services/api/src/**/*.py"), Some(3))];
        waivers(list, "services/api/").apply(&mut results);
        let r = &results[0];
        assert_eq!(r.score, 3.75);
        assert_eq!(r.waived.len(), 1);
        assert_eq!(r.waived[0].path.as_deref(), Some("src/orders/router.py"));
    }

    #[test]
    fn a_remaining_finding_that_costs_the_same_points_keeps_them_lost() {
        // Two violations in one file count once (the second gains nothing on its own):
        // waiving the first leaves the file unclean, so its gain moves to the second.
        let mut results = vec![result(findings(), 2.5)];
        waivers(vec![waiver(Some("src/legacy/users.py"), Some(4))], "").apply(&mut results);
        let r = &results[0];
        assert_eq!(r.score, 2.5);
        assert_eq!(r.findings[0].line, Some(9));
        assert_eq!(r.findings[0].gain, Some(1.25));
        // Deductions held at the floor (0 points, three deductions of 1 from 2): waiving one
        // with a gain hands it to one that had none.
        let floor = vec![
            Finding::new("x").at("a.py").gain(1.0),
            Finding::new("y").at("b.py").gain(1.0),
            Finding::new("z").at("c.py").gain(0.0),
        ];
        let mut results = vec![result(floor, 0.0)];
        waivers(vec![waiver(Some("a.py"), None)], "").apply(&mut results);
        assert_eq!(results[0].score, 0.0);
        assert_eq!(results[0].findings[1].gain, Some(1.0));
        waivers(vec![waiver(Some("b.py"), None)], "").apply(&mut results);
        assert_eq!(results[0].score, 1.0);
    }

    #[test]
    fn points_never_exceed_the_maximum() {
        let mut results = vec![result(findings(), 4.0)];
        waivers(vec![waiver(Some("**"), None)], "").apply(&mut results);
        assert_eq!(results[0].score, 5.0);
        assert_eq!(results[0].status, Status::Pass);
    }

    #[test]
    fn waivers_that_waive_nothing_are_noticed() {
        let mut results = vec![result(findings(), 2.5)];
        let list = vec![
            waiver(Some("src/elsewhere/**"), None),
            waiver(None, None),
            waiver(None, None),
        ];
        let notices = waivers(list, "").apply(&mut results);
        assert_eq!(notices.len(), 2, "{notices:?}");
        assert!(
            notices[0]
                .message
                .contains("no finding of `src.separation` matches `src/elsewhere/**`")
        );
        assert!(notices[1].message.contains("an earlier waiver"));
        // A check that passes keeps its status; the waiver is noticed as unneeded.
        let mut passing = vec![result(Vec::new(), 5.0)];
        let notices = waivers(vec![waiver(None, None)], "").apply(&mut passing);
        assert_eq!(passing[0].status, Status::Pass);
        assert!(
            notices[0].message.contains("passes without it"),
            "{notices:?}"
        );
        // A waiver of a check this standard does not have is another standard's business.
        let mut other = vec![result(findings(), 2.5)];
        other[0].id = "docs.api".into();
        assert!(
            waivers(vec![waiver(None, None)], "")
                .apply(&mut other)
                .is_empty()
        );
    }
}
