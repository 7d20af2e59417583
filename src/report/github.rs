//! `--format github`: GitHub Actions workflow commands, printed by a step so that the run and
//! the pull request show annotations (docs/ci.md).
//!
//! Each finding of a failed check is an `::error`, each finding of a partial one a
//! `::warning`, with the file from the repository root and the line where there is one, the
//! check as title and the fix in the message; a last `::notice` gives the score and band.
//! Values are escaped as the runner expects: `%`, CR and LF everywhere, `:` and `,` in
//! properties too. With `--baseline`, a report the baseline holds annotates only its new
//! findings (as errors: they fail the gate), so a legacy repository's pull requests show what
//! they broke, not everything that was already there.

use std::io::{self, Write};

use super::model::{Finding, Report, Status};
use super::{Options, max_pts, message_with_fix, pts};

/// Write the annotations of every report, then one notice per report.
///
/// Annotations come most points first (GitHub shows only the first few of a step on the
/// pull request), and one finding shared by several reports (a stray root file, seen by
/// every service of a workspace) is annotated once.
pub fn write(reports: &[Report], options: &Options, out: &mut dyn Write) -> io::Result<()> {
    let several_services = reports
        .iter()
        .any(|r| r.detection.service_root != reports[0].detection.service_root);
    let mut annotations: Vec<Annotation> = Vec::new();
    for report in reports {
        // A finding without a file says which service it is about when there are several.
        let service = |finding: &Finding| {
            if several_services && finding.path.is_none() {
                format!("{}: ", report.detection.service_root)
            } else {
                String::new()
            }
        };
        if let Some(comparison) = report.held_by_baseline() {
            if let Some(then) = comparison
                .score
                .filter(|_| comparison.score_dropped(report.score))
            {
                writeln!(
                    out,
                    "::error title={}::{}",
                    property(&format!("squarely audit {}", report.subject())),
                    data(&format!(
                        "Score {} under {}, below the baseline's {} ({})",
                        pts(report.score),
                        report.standard.id,
                        pts(then),
                        comparison.file
                    ))
                )?;
            }
            for new in &comparison.new {
                let title = report
                    .checks
                    .iter()
                    .find(|c| c.id == new.check)
                    .map_or_else(|| new.check.clone(), |c| format!("{} — {}", c.id, c.title));
                annotations.push(Annotation {
                    command: "error",
                    title: format!("{}{title} (new since the baseline)", service(&new.finding)),
                    finding: &new.finding,
                });
            }
            continue;
        }
        for check in &report.checks {
            let command = match check.status {
                Status::Fail => "error",
                Status::Partial => "warning",
                Status::Pass | Status::NotApplicable => continue,
            };
            for finding in &check.findings {
                annotations.push(Annotation {
                    command,
                    title: format!("{}{} — {}", service(finding), check.id, check.title),
                    finding,
                });
            }
        }
    }
    let mut seen = std::collections::HashSet::new();
    annotations.retain(|a| {
        seen.insert((
            a.command,
            a.title.clone(),
            a.finding.path.clone(),
            a.finding.line,
            a.finding.message.clone(),
        ))
    });
    annotations.sort_by(|a, b| {
        let gain = |x: &Annotation| x.finding.gain.unwrap_or(0.0);
        gain(b).total_cmp(&gain(a))
    });
    for annotation in &annotations {
        annotate(
            annotation.command,
            &annotation.title,
            annotation.finding,
            options,
            out,
        )?;
    }
    for report in reports {
        let count = |status: Status| report.checks.iter().filter(|c| c.status == status).count();
        writeln!(
            out,
            "::notice title={}::{}",
            property(&format!("squarely audit {}", report.subject())),
            data(&format!(
                "Score {} / {} ({}) against {} {}: {} passed, {} partial, {} failed, {} n/a",
                pts(report.score),
                max_pts(report.max),
                report.band,
                report.standard.id,
                report.standard.version,
                count(Status::Pass),
                count(Status::Partial),
                count(Status::Fail),
                count(Status::NotApplicable),
            ))
        )?;
    }
    for aggregate in options.workspace.iter().flat_map(|w| &w.standards) {
        writeln!(
            out,
            "::notice title={}::{}",
            property("squarely workspace"),
            data(&format!(
                "Mean score {} / 100 ({}) over {} service{} against {}; lowest {} at {}",
                pts(aggregate.score),
                aggregate.band,
                aggregate.services,
                if aggregate.services == 1 { "" } else { "s" },
                aggregate.standard,
                aggregate.lowest.root,
                pts(aggregate.lowest.score),
            ))
        )?;
    }
    Ok(())
}

/// An annotation to write.
struct Annotation<'a> {
    command: &'static str,
    title: String,
    finding: &'a Finding,
}

/// One `::error` or `::warning` for a finding.
fn annotate(
    command: &str,
    title: &str,
    finding: &Finding,
    options: &Options,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut properties = Vec::new();
    if let Some(path) = &finding.path {
        properties.push(format!("file={}", property(&options.in_repository(path))));
        if let Some(line) = finding.line {
            properties.push(format!("line={line}"));
        }
    }
    properties.push(format!("title={}", property(title)));
    writeln!(
        out,
        "::{command} {}::{}",
        properties.join(","),
        data(&message_with_fix(&finding.message, finding.fix.as_deref()))
    )
}

/// A command's message: `%`, CR and LF escaped.
fn data(value: &str) -> String {
    value
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A property value (`file=`, `title=`): as a message, and `:` and `,` too.
fn property(value: &str) -> String {
    data(value).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_escaped_as_the_runner_expects() {
        assert_eq!(
            data("100% done\r\nnext: a, b"),
            "100%25 done%0D%0Anext: a, b"
        );
        assert_eq!(
            property("dir,with:odd%/a.py\n"),
            "dir%2Cwith%3Aodd%25/a.py%0A"
        );
    }
}
