//! `--format junit`: `JUnit` XML, the shape GitLab, Jenkins and Azure DevOps read
//! (`testsuites/testsuite/testcase/failure|skipped`, docs/ci.md).
//!
//! One test suite per category, one test case per check, and when a gate applies a `Gate`
//! suite with one `gate` test case that fails when the gate fails, listing why. By default
//! (`--junit-fail-on gate`) that is the only test case that can fail: a partial or failed
//! check passes with its status, findings and fixes as its output, so a passing gate never
//! marks a build failed or unstable. `fail` makes each failed check a failure too, `partial`
//! each failed or partial one; with a baseline that holds the report, only a check with a
//! new finding fails. A check that does not apply is skipped with the reason. Counts are the
//! usual attributes; the scores are each suite's properties. Text is escaped for XML 1.0, whose characters exclude most control
//! characters even as references: those become U+FFFD.

use std::io::{self, Write};

use super::model::{CheckResult, Finding, Report, Status};
use super::{distinction, max_pts, pts};
use crate::cli::JunitFailOn;

/// Write the reports as one `<testsuites>` document (several standards or services: their
/// suites in turn, named after what tells them apart).
pub fn write(reports: &[Report], fail_on: JunitFailOn, out: &mut dyn Write) -> io::Result<()> {
    let checks = reports.iter().flat_map(|r| &r.checks);
    let gates = reports.iter().filter_map(|r| r.gate.as_ref());
    let tests = checks.clone().count() + gates.clone().count();
    let failures = reports
        .iter()
        .flat_map(|r| r.checks.iter().map(move |c| (r, c)))
        .filter(|(r, c)| fails(r, c, fail_on))
        .count()
        + gates.filter(|g| !g.failures.is_empty()).count();
    let skipped = checks.filter(|c| c.status == Status::NotApplicable).count();
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    let name = match reports {
        [one] => format!(
            "squarely audit {}: {} / {} {}",
            one.path,
            pts(one.score),
            max_pts(one.max),
            one.band
        ),
        _ => "squarely audit".to_owned(),
    };
    writeln!(
        out,
        r#"<testsuites name="{}" tests="{tests}" failures="{failures}" errors="0" skipped="{skipped}" time="0">"#,
        attr(&name)
    )?;
    for report in reports {
        if let Some(gate) = &report.gate {
            write_gate(report, reports, gate, out)?;
        }
        for category in &report.categories {
            let checks: Vec<&CheckResult> = report
                .checks
                .iter()
                .filter(|c| c.category == category.id)
                .collect();
            let (suite, classname) = match distinction(report, reports) {
                Some(label) => (
                    format!("{label}: {}", category.title),
                    format!("{}.{}", label.replace(" · ", "."), category.id),
                ),
                None => (category.title.clone(), category.id.clone()),
            };
            writeln!(
                out,
                r#"  <testsuite name="{}" tests="{}" failures="{}" errors="0" skipped="{}" time="0">"#,
                attr(&suite),
                checks.len(),
                checks.iter().filter(|c| fails(report, c, fail_on)).count(),
                checks
                    .iter()
                    .filter(|c| c.status == Status::NotApplicable)
                    .count(),
            )?;
            writeln!(out, "    <properties>")?;
            for (name, value) in [
                ("standard", report.standard.id.clone()),
                ("service", report.detection.service_root.clone()),
                ("category", category.id.clone()),
                ("category.score", pts(category.score)),
                ("category.max", pts(category.max)),
                ("score", pts(report.score)),
                ("max", pts(report.max)),
                ("band", report.band.clone()),
            ] {
                writeln!(
                    out,
                    r#"      <property name="{name}" value="{}"/>"#,
                    attr(&value)
                )?;
            }
            writeln!(out, "    </properties>")?;
            for check in checks {
                write_case(report, check, &classname, fail_on, out)?;
            }
            writeln!(out, "  </testsuite>")?;
        }
    }
    writeln!(out, "</testsuites>")
}

/// Whether a check's test case fails (see the module documentation).
fn fails(report: &Report, check: &CheckResult, fail_on: JunitFailOn) -> bool {
    match (fail_on, report.held_by_baseline()) {
        (JunitFailOn::Gate, _) => false,
        (_, Some(comparison)) => comparison.new.iter().any(|n| n.check == check.id),
        (JunitFailOn::Fail, None) => check.status == Status::Fail,
        (JunitFailOn::Partial, None) => matches!(check.status, Status::Fail | Status::Partial),
    }
}

/// The `Gate` suite of one report: its `gate` test case, failing with the reasons.
fn write_gate(
    report: &Report,
    reports: &[Report],
    gate: &super::Gate,
    out: &mut dyn Write,
) -> io::Result<()> {
    let (suite, classname) = match distinction(report, reports) {
        Some(label) => (
            format!("{label}: Gate"),
            format!("{}.gate", label.replace(" · ", ".")),
        ),
        None => ("Gate".to_owned(), "gate".to_owned()),
    };
    let failed = !gate.failures.is_empty();
    writeln!(
        out,
        r#"  <testsuite name="{}" tests="1" failures="{}" errors="0" skipped="0" time="0">"#,
        attr(&suite),
        u8::from(failed)
    )?;
    let open = format!(
        r#"    <testcase classname="{}" name="{}" time="0""#,
        attr(&classname),
        attr(&format!("gate — {}", gate.rule))
    );
    let score = format!(
        "{} / {} {}",
        pts(report.score),
        max_pts(report.max),
        report.band
    );
    writeln!(out, "{open}>")?;
    if failed {
        writeln!(
            out,
            r#"      <failure type="gate" message="{}">{}</failure>"#,
            attr(&gate.failures[0]),
            text(&gate.failures.join("\n"))
        )?;
    } else {
        writeln!(
            out,
            "      <system-out>{}</system-out>",
            text(&format!("passed at {score}"))
        )?;
    }
    writeln!(out, "    </testcase>")?;
    writeln!(out, "  </testsuite>")
}

fn write_case(
    report: &Report,
    check: &CheckResult,
    classname: &str,
    fail_on: JunitFailOn,
    out: &mut dyn Write,
) -> io::Result<()> {
    let open = format!(
        r#"    <testcase classname="{}" name="{}" time="0""#,
        attr(classname),
        attr(&format!("{} — {}", check.id, check.title))
    );
    let points = format!("{} of {} points", pts(check.score), max_pts(check.max));
    if !fails(report, check, fail_on) && matches!(check.status, Status::Fail | Status::Partial) {
        // Not a failure under --junit-fail-on: passes, with what it lacks as its output.
        let known = report
            .held_by_baseline()
            .map_or_else(String::new, |comparison| {
                format!(", no worse than the baseline ({})", comparison.file)
            });
        writeln!(out, "{open}>")?;
        writeln!(
            out,
            "      <system-out>{}</system-out>",
            text(&format!(
                "{}: {points}{known}. {}\n{}",
                check.status.as_str(),
                check.summary,
                findings_text(&check.findings)
            ))
        )?;
        return writeln!(out, "    </testcase>");
    }
    if let Some(comparison) = report.held_by_baseline()
        && matches!(check.status, Status::Fail | Status::Partial)
    {
        let new: Vec<&Finding> = comparison
            .new
            .iter()
            .filter(|n| n.check == check.id)
            .map(|n| &n.finding)
            .collect();
        writeln!(out, "{open}>")?;
        writeln!(
            out,
            r#"      <failure type="new" message="{}">{}</failure>"#,
            attr(&format!(
                "{} new since the baseline: {}{}",
                new.len(),
                new[0].message,
                if new.len() > 1 { " (and more)" } else { "" }
            )),
            text(&format!(
                "new since the baseline ({}):\n{}",
                comparison.file,
                findings_text(new.iter().copied())
            ))
        )?;
        return writeln!(out, "    </testcase>");
    }
    match check.status {
        Status::Pass => writeln!(out, "{open}/>"),
        Status::NotApplicable => {
            let reason = check.reason.as_deref().unwrap_or(&check.summary);
            writeln!(out, "{open}>")?;
            writeln!(
                out,
                r#"      <skipped message="{}"/>"#,
                attr(&format!("not applicable: {reason}"))
            )?;
            writeln!(out, "    </testcase>")
        }
        Status::Partial | Status::Fail => {
            let body = format!(
                "{}: {points}. {}\n{}",
                check.status.as_str(),
                check.summary,
                findings_text(&check.findings)
            );
            let first = check
                .findings
                .first()
                .map_or(String::new(), |f| format!(": {}", f.message));
            let more = match check.findings.len() {
                0 | 1 => String::new(),
                n => format!(" (and {} more)", n - 1),
            };
            writeln!(out, "{open}>")?;
            writeln!(
                out,
                r#"      <failure type="{}" message="{}">{}</failure>"#,
                check.status.as_str(),
                attr(&format!("{points}{first}{more}")),
                text(&body)
            )?;
            writeln!(out, "    </testcase>")
        }
    }
}

/// Each finding on a line, with its place, then its fix and gain.
fn findings_text<'a>(findings: impl IntoIterator<Item = &'a Finding>) -> String {
    let mut body = String::new();
    for finding in findings {
        body.push_str(&format!("- {}", finding.message));
        if let Some(place) = finding.location() {
            body.push_str(&format!(" ({place})"));
        }
        body.push('\n');
        if let Some(fix) = &finding.fix {
            body.push_str(&format!("  fix: {fix}"));
            if let Some(gain) = finding.gain.filter(|g| *g > 0.0) {
                body.push_str(&format!(" (+{})", pts(gain)));
            }
            body.push('\n');
        }
    }
    body
}

/// Text content: `&`, `<`, `>` escaped, characters XML 1.0 cannot hold replaced.
fn text(value: &str) -> String {
    escape(value, false)
}

/// An attribute value (in double quotes): quotes escaped too, and line breaks and tabs as
/// references, which attribute-value normalisation would otherwise turn into spaces.
fn attr(value: &str) -> String {
    escape(value, true)
}

fn escape(value: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            '\'' if attribute => out.push_str("&apos;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' if attribute => out.push_str("&#9;"),
            '\t' | '\n' => out.push(c),
            c if is_xml_char(c) => out.push(c),
            _ => out.push('\u{FFFD}'),
        }
    }
    out
}

/// XML 1.0's `Char` production (tab, line feed and carriage return handled by the caller).
fn is_xml_char(c: char) -> bool {
    matches!(c, '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_attributes_are_escaped() {
        assert_eq!(text("a < b & c > d \"q\""), "a &lt; b &amp; c &gt; d \"q\"");
        assert_eq!(
            attr("say \"hi\"\n'there'\r\tok"),
            "say &quot;hi&quot;&#10;&apos;there&apos;&#13;&#9;ok"
        );
        assert_eq!(text("line\nnext\ttab"), "line\nnext\ttab");
        assert_eq!(
            text("bell\u{7}esc\u{1b}nul\0"),
            "bell\u{FFFD}esc\u{FFFD}nul\u{FFFD}"
        );
        assert_eq!(text("\u{FFFE}é😀"), "\u{FFFD}é😀");
    }
}
