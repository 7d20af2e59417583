//! `--format markdown`: a summary for `$GITHUB_STEP_SUMMARY` or a pull-request comment
//! (docs/ci.md): the score and band, a table per category (check, status, points),
//! then the fixes that gain the most points first. Every finding stays in the text and JSON
//! reports; this one is short enough for a comment.

use std::io::{self, Write};

use super::baseline::Comparison;
use super::model::{Report, Status, Workspace};
use super::{distinction, max_pts, pts};

/// How many fixes the summary lists.
const TOP_FIXES: usize = 10;

/// Write one section per report, after the workspace's aggregate with `--workspace`.
pub fn write(
    reports: &[Report],
    workspace: Option<&Workspace>,
    out: &mut dyn Write,
) -> io::Result<()> {
    if let Some(workspace) = workspace {
        write_workspace(workspace, out)?;
        writeln!(out, "\n---\n")?;
    }
    for (i, report) in reports.iter().enumerate() {
        if i > 0 {
            writeln!(out, "\n---\n")?;
        }
        write_report(report, distinction(report, reports).as_deref(), out)?;
    }
    Ok(())
}

/// ✅ from 90, ⚠️ from 70, ❌ below.
fn mark(score: f64) -> &'static str {
    if score >= 90.0 {
        "✅"
    } else if score >= 70.0 {
        "⚠️"
    } else {
        "❌"
    }
}

/// The aggregate: the mean and lowest per standard, then a table of the services.
fn write_workspace(workspace: &Workspace, out: &mut dyn Write) -> io::Result<()> {
    for aggregate in &workspace.standards {
        writeln!(
            out,
            "## {} squarely workspace: mean {} / 100 · {} over {} service{} ({})\n",
            mark(aggregate.score),
            pts(aggregate.score),
            aggregate.band,
            aggregate.services,
            if aggregate.services == 1 { "" } else { "s" },
            code(&aggregate.standard)
        )?;
        writeln!(
            out,
            "Lowest: {} at {}.\n",
            code(&aggregate.lowest.root),
            pts(aggregate.lowest.score)
        )?;
    }
    writeln!(out, "| Service | Standard | Score | Band |")?;
    writeln!(out, "| --- | --- | ---: | --- |")?;
    for service in &workspace.services {
        writeln!(
            out,
            "| {} | {} | {} {} | {} |",
            code(&service.root),
            code(&service.standard),
            mark(service.score),
            pts(service.score),
            cell(&service.band)
        )?;
    }
    Ok(())
}

fn write_report(report: &Report, label: Option<&str>, out: &mut dyn Write) -> io::Result<()> {
    let label = label.map(|l| format!("{} · ", cell(l))).unwrap_or_default();
    writeln!(
        out,
        "## {} squarely: {label}{} / {} · {}\n",
        mark(report.score),
        pts(report.score),
        max_pts(report.max),
        report.band
    )?;
    let d = &report.detection;
    let mut detected = vec![d.kind.clone()];
    if !d.languages.is_empty() {
        detected.push(d.languages.join(", "));
    }
    if !d.frameworks.is_empty() {
        detected.push(d.frameworks.join(", "));
    }
    writeln!(
        out,
        "{} audited against {} {} · {}",
        code(&report.subject()),
        code(&report.standard.id),
        cell(&report.standard.version),
        cell(&detected.join(" · "))
    )?;
    if let Some(comparison) = &report.baseline {
        write_baseline(report.score, comparison, out)?;
    }
    for category in &report.categories {
        writeln!(
            out,
            "\n### {} · {} / {}\n",
            cell(&category.title),
            pts(category.score),
            max_pts(category.max)
        )?;
        writeln!(out, "| Check | Status | Points |")?;
        writeln!(out, "| --- | --- | ---: |")?;
        for check in report.checks.iter().filter(|c| c.category == category.id) {
            let status = match check.status {
                Status::Pass => "✅ pass",
                Status::Partial => "⚠️ partial",
                Status::Fail => "❌ fail",
                Status::NotApplicable => "➖ n/a",
            };
            writeln!(
                out,
                "| {} {} | {status} | {} / {} |",
                code(&check.id),
                cell(&check.title),
                pts(check.score),
                max_pts(check.max)
            )?;
        }
    }
    if !report.fixes.is_empty() {
        writeln!(out, "\n### Top fixes (most points first)\n")?;
        writeln!(out, "| Gain | Check | Fix | Where |")?;
        writeln!(out, "| ---: | --- | --- | --- |")?;
        for fix in report.fixes.iter().take(TOP_FIXES) {
            let place = fix
                .path
                .as_ref()
                .map_or(String::new(), |path| match fix.line {
                    Some(line) => code(&format!("{path}:{line}")),
                    None => code(path),
                });
            writeln!(
                out,
                "| +{} | {} | {} | {place} |",
                pts(fix.gain),
                code(&fix.check),
                cell(&fix.fix)
            )?;
        }
        if report.fixes.len() > TOP_FIXES {
            writeln!(
                out,
                "\n… and {} more: `squarely audit` (text or `--format json`) lists every finding.",
                report.fixes.len() - TOP_FIXES
            )?;
        }
    }
    if !report.notices.is_empty() {
        writeln!(out, "\n### Notes\n")?;
        for notice in &report.notices {
            let path = if notice.path.is_empty() {
                "."
            } else {
                &notice.path
            };
            writeln!(out, "- {}: {}", code(path), cell(&notice.message))?;
        }
    }
    Ok(())
}

/// How the report compares with the baseline, and its new findings.
fn write_baseline(now: f64, comparison: &Comparison, out: &mut dyn Write) -> io::Result<()> {
    let Some(then) = comparison.score else {
        return writeln!(
            out,
            "\nBaseline {}: holds nothing for this standard and service; the usual gate applies.",
            code(&comparison.file)
        );
    };
    let verdict = if comparison.worse(now) {
        "❌ worse"
    } else {
        "✅ no worse"
    };
    let count = comparison.new.len();
    writeln!(
        out,
        "\n### Baseline · {verdict}\n\n{} then, {} now in {}; {count} new finding{}, {} fixed.",
        pts(then),
        pts(now),
        code(&comparison.file),
        if count == 1 { "" } else { "s" },
        comparison.fixed
    )?;
    if count > 0 {
        writeln!(out, "\n| Check | New finding | Where |")?;
        writeln!(out, "| --- | --- | --- |")?;
        for new in &comparison.new {
            let place = new
                .finding
                .location()
                .map_or_else(String::new, |at| code(&at));
            writeln!(
                out,
                "| {} | {} | {place} |",
                code(&new.check),
                cell(&new.finding.message)
            )?;
        }
    }
    Ok(())
}

/// Text for a table cell or a line: `|` escaped, line breaks as `<br>`, and `<`, `>` outside
/// code spans as entities so that no text turns into HTML.
fn cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_code = false;
    for c in text.chars() {
        match c {
            '`' => {
                in_code = !in_code;
                out.push(c);
            }
            '|' => out.push_str("\\|"),
            '\r' => {}
            '\n' => out.push_str("<br>"),
            '<' if !in_code => out.push_str("&lt;"),
            '>' if !in_code => out.push_str("&gt;"),
            _ => out.push(c),
        }
    }
    out
}

/// A code span holding `text` literally (a longer fence when it holds backticks).
fn code(text: &str) -> String {
    let text = text.replace('|', "\\|").replace(['\r', '\n'], " ");
    if text.contains('`') {
        format!("`` {text} ``")
    } else {
        format!("`{text}`")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_never_break_the_table_or_turn_into_html() {
        assert_eq!(cell("a | b\nc"), "a \\| b<br>c");
        assert_eq!(cell("mail <me> `<T>`"), "mail &lt;me&gt; `<T>`");
        assert_eq!(code("a|b.py"), "`a\\|b.py`");
        assert_eq!(code("x`y"), "`` x`y ``");
    }
}
