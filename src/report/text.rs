//! `--format text`: the report for people. Score and band first, then each category with
//! its checks and every finding with its fix, then the fixes that gain the most points.

use std::io::{self, Write};

use colored::{ColoredString, Colorize};

use super::Color;
use super::baseline::Comparison;
use super::model::{CheckResult, Report, Status, Workspace};

/// How many fixes the "Top fixes" list shows.
const TOP_FIXES: usize = 10;

struct Painter {
    color: Color,
}

impl Painter {
    fn paint(&self, text: &str, f: impl Fn(&str) -> ColoredString) -> String {
        match self.color {
            Color::On => f(text).to_string(),
            Color::Off => text.to_owned(),
        }
    }

    fn status(&self, status: Status) -> String {
        let word = format!("{:<7}", status.as_str());
        match status {
            Status::Pass => self.paint(&word, |s| s.green()),
            Status::Partial => self.paint(&word, |s| s.yellow()),
            Status::Fail => self.paint(&word, |s| s.red().bold()),
            Status::NotApplicable => self.paint(&word, |s| s.blue()),
        }
    }

    fn band(&self, band: &str, score: f64) -> String {
        if score >= 90.0 {
            self.paint(band, |s| s.green().bold())
        } else if score >= 70.0 {
            self.paint(band, |s| s.yellow().bold())
        } else {
            self.paint(band, |s| s.red().bold())
        }
    }
}

/// `5` -> `5.00`.
fn pts(value: f64) -> String {
    format!("{value:.2}")
}

/// Write one report.
/// How many of the other projects a service's block names: the JSON report lists them all,
/// and a monorepo of hundreds of services would repeat every one in every service's block.
const SHOWN_OTHERS: usize = 3;

pub fn write(report: &Report, color: Color, out: &mut dyn Write) -> io::Result<()> {
    let p = Painter { color };
    let d = &report.detection;
    writeln!(
        out,
        "{} {}",
        p.paint("squarely audit", |s| s.bold()),
        report.path
    )?;
    writeln!(
        out,
        "standard  {} {} ({})",
        report.standard.id, report.standard.version, report.standard.origin
    )?;
    let mut detected = vec![d.kind.clone()];
    if !d.languages.is_empty() {
        detected.push(d.languages.join(", "));
    }
    if !d.frameworks.is_empty() {
        detected.push(d.frameworks.join(", "));
    }
    writeln!(out, "detected  {}", detected.join(" · "))?;
    if d.service_root != "." || d.projects.len() > 1 {
        let others: Vec<String> = d
            .projects
            .iter()
            .filter(|pr| pr.root != d.service_root && pr.kind != "unknown")
            .map(|pr| format!("{} ({})", pr.root, pr.kind))
            .collect();
        let mut line = format!("service   {}", d.service_root);
        if !others.is_empty() {
            let more = match others.len().saturating_sub(SHOWN_OTHERS) {
                0 => String::new(),
                n => format!(" and {n} more"),
            };
            let shown = others[..others.len().min(SHOWN_OTHERS)].join(", ");
            line.push_str(&format!("  (also: {shown}{more})"));
        }
        writeln!(out, "{line}")?;
    }
    let roots: Vec<&str> = d.source_roots.iter().map(|r| r.path.as_str()).collect();
    if roots != ["."] && !roots.is_empty() {
        const SHOWN_ROOTS: usize = 4;
        let why = d.source_roots.first().map_or("", |r| r.reason.as_str());
        let more = if roots.len() > SHOWN_ROOTS {
            format!(" and {} more", roots.len() - SHOWN_ROOTS)
        } else {
            String::new()
        };
        let shown: Vec<&str> = roots.iter().take(SHOWN_ROOTS).copied().collect();
        writeln!(out, "source    {}{more}  ({why})", shown.join(", "))?;
    }
    if !d.domains.is_empty() {
        const SHOWN: usize = 8;
        let names: Vec<&str> = d
            .domains
            .iter()
            .take(SHOWN)
            .map(|p| p.rsplit('/').next().unwrap_or(p))
            .collect();
        let more = if d.domains.len() > SHOWN {
            format!(" and {} more", d.domains.len() - SHOWN)
        } else {
            String::new()
        };
        writeln!(out, "domains   {}{more}", names.join(", "))?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "{} {} / {}  {}",
        p.paint("Score", |s| s.bold()),
        p.paint(&pts(report.score), |s| s.bold()),
        pts(report.max).trim_end_matches(".00"),
        p.band(&report.band, report.score)
    )?;
    if (report.points.possible - 100.0).abs() > 1e-9 {
        writeln!(
            out,
            "          ({} of {} points, scaled to 100)",
            pts(report.points.earned),
            pts(report.points.possible)
        )?;
    }
    for category in &report.categories {
        writeln!(out)?;
        writeln!(
            out,
            "{}  {} / {}",
            p.paint(&category.title, |s| s.bold().underline()),
            pts(category.score),
            pts(category.max)
        )?;
        for check in report.checks.iter().filter(|c| c.category == category.id) {
            write_check(&p, check, out)?;
        }
    }
    let fixes: Vec<_> = report.fixes.iter().take(TOP_FIXES).collect();
    if !fixes.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "{}",
            p.paint("Top fixes (most points first)", |s| s.bold())
        )?;
        for fix in &fixes {
            let place = fix
                .path
                .as_ref()
                .map(|path| match fix.line {
                    Some(line) => format!(" [{path}:{line}]"),
                    None => format!(" [{path}]"),
                })
                .unwrap_or_default();
            writeln!(
                out,
                "  {}  {}  {}{}",
                p.paint(&format!("+{:.2}", fix.gain), |s| s.green()),
                fix.check,
                fix.fix,
                place
            )?;
        }
        if report.fixes.len() > TOP_FIXES {
            writeln!(
                out,
                "  ... and {} more (see the findings above or --format json)",
                report.fixes.len() - TOP_FIXES
            )?;
        }
    }
    if let Some(comparison) = &report.baseline {
        write_baseline(&p, report.score, comparison, out)?;
    }
    if !report.notices.is_empty() {
        writeln!(out)?;
        writeln!(out, "{}", p.paint("Notes", |s| s.bold()))?;
        for notice in &report.notices {
            let path = if notice.path.is_empty() {
                "."
            } else {
                &notice.path
            };
            writeln!(out, "  {path}: {}", notice.message)?;
        }
    }
    Ok(())
}

/// The aggregate of a `--workspace` run, after the reports: each service, then per standard
/// the mean and the lowest.
pub fn write_workspace(workspace: &Workspace, color: Color, out: &mut dyn Write) -> io::Result<()> {
    let p = Painter { color };
    writeln!(out)?;
    writeln!(
        out,
        "{}",
        p.paint(
            &format!(
                "Workspace: {} report{}",
                workspace.services.len(),
                if workspace.services.len() == 1 {
                    ""
                } else {
                    "s"
                }
            ),
            |s| s.bold()
        )
    )?;
    let several = workspace.standards.len() > 1;
    let width = workspace
        .services
        .iter()
        .map(|s| s.root.chars().count())
        .max()
        .unwrap_or(0);
    for service in &workspace.services {
        let standard = if several {
            format!("  {}", service.standard)
        } else {
            String::new()
        };
        writeln!(
            out,
            "  {:<width$}  {:>6}  {}{standard}",
            service.root,
            pts(service.score),
            p.band(&service.band, service.score)
        )?;
    }
    for aggregate in &workspace.standards {
        let under = if several {
            format!(" under {}", aggregate.standard)
        } else {
            String::new()
        };
        writeln!(
            out,
            "  {} {} {}{under}; lowest {} ({})",
            p.paint("Mean", |s| s.bold()),
            p.paint(&pts(aggregate.score), |s| s.bold()),
            p.band(&aggregate.band, aggregate.score),
            aggregate.lowest.root,
            pts(aggregate.lowest.score)
        )?;
    }
    Ok(())
}

/// How the report compares with the baseline: the scores, then every new finding.
fn write_baseline(
    p: &Painter,
    now: f64,
    comparison: &Comparison,
    out: &mut dyn Write,
) -> io::Result<()> {
    writeln!(out)?;
    let title = p.paint(&format!("Baseline ({})", comparison.file), |s| s.bold());
    let Some(then) = comparison.score else {
        writeln!(out, "{title}")?;
        return writeln!(
            out,
            "  holds nothing for this standard and service: the usual gate applies"
        );
    };
    let verdict = if comparison.worse(now) {
        p.paint("worse", |s| s.red().bold())
    } else {
        p.paint("no worse", |s| s.green())
    };
    writeln!(out, "{title}  {verdict}")?;
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    writeln!(
        out,
        "  score {} then, {} now; {} new finding{}, {} fixed",
        pts(then),
        pts(now),
        comparison.new.len(),
        plural(comparison.new.len()),
        comparison.fixed
    )?;
    for new in &comparison.new {
        let place = new
            .finding
            .location()
            .map_or_else(String::new, |at| format!(" [{at}]"));
        writeln!(
            out,
            "  {}  {}  {}{place}",
            p.paint("new", |s| s.red()),
            new.check,
            new.finding.message
        )?;
    }
    Ok(())
}

fn write_check(p: &Painter, check: &CheckResult, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "  {} {:>5}/{:<4} {}  {}",
        p.status(check.status),
        pts(check.score),
        pts(check.max).trim_end_matches(".00"),
        p.paint(&check.id, |s| s.bold()),
        check.title
    )?;
    writeln!(out, "{:22}{}", "", p.paint(&check.summary, |s| s.dimmed()))?;
    for finding in &check.findings {
        let place = finding
            .location()
            .map(|l| format!(" ({l})"))
            .unwrap_or_default();
        writeln!(out, "{:22}- {}{}", "", finding.message, place)?;
        if let Some(fix) = &finding.fix {
            let gain = finding
                .gain
                .filter(|g| *g > 0.0)
                .map(|g| format!(" (+{g:.2})"))
                .unwrap_or_default();
            writeln!(
                out,
                "{:24}{} {fix}{gain}",
                "",
                p.paint("fix:", |s| s.cyan())
            )?;
        }
    }
    for waived in &check.waived {
        let place = waived
            .location()
            .map(|l| format!(" ({l})"))
            .unwrap_or_default();
        writeln!(
            out,
            "{:22}{} {}{} — {}",
            "",
            p.paint("waived:", |s| s.blue()),
            waived.message,
            place,
            waived.waiver.as_deref().unwrap_or("")
        )?;
    }
    Ok(())
}
