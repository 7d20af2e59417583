//! The audit: score an in-memory tree against a standard.
//!
//! [`audit`] builds the shared [`Context`] once (layer of every source file, domain
//! modules, lazily parsed sources), scores each check with its kind (`checks/`), and
//! assembles the [`Report`]: scaled score, band, categories, findings and the fixes that
//! gain the most points first. It never touches the disk: the tree does. [`audit_waived`]
//! also applies the project configuration's waivers (`waivers.rs`) before the sums.

mod checks;
mod condition;
mod context;
mod contracts;
mod placeholder;
mod resolve;
mod waivers;

pub use context::Context;
pub use placeholder::prose_placeholder;
pub use waivers::{Waiver, Waivers};

use std::sync::Arc;

use rayon::prelude::*;

use crate::analyze::AnalysisCache;
use crate::detect::Detection;
use crate::fs::Tree;
use crate::report::model::{
    CategoryResult, CheckHelp, CheckResult, DetectionInfo, Finding, Fix, Points, ProjectInfo,
    Report, SourceRootInfo, StandardInfo, Status, Tool, round2,
};
use crate::standard::{Origin, Standard, summary};

/// Audit `tree` against `standard`. `shown_path` is how the audited directory is named in
/// the report.
#[must_use]
pub fn audit(tree: &Tree, standard: &Standard, detection: &Detection, shown_path: &str) -> Report {
    audit_waived(tree, standard, detection, shown_path, &Waivers::default())
}

/// [`audit`] with the project configuration's waivers: waived checks and findings cost
/// nothing, and the report notes expired waivers and those that waive nothing.
#[must_use]
pub fn audit_waived(
    tree: &Tree,
    standard: &Standard,
    detection: &Detection,
    shown_path: &str,
    waivers: &Waivers,
) -> Report {
    run(
        &Context::new(tree, standard, detection),
        standard,
        detection,
        shown_path,
        waivers,
    )
}

/// [`audit`] sharing parsed files with other audits through `cache`: organize audits the
/// tree before and after its plan, and a file that only moves is parsed once.
#[must_use]
pub fn audit_cached(
    tree: &Tree,
    standard: &Standard,
    detection: &Detection,
    shown_path: &str,
    cache: &AnalysisCache,
) -> Report {
    run(
        &Context::new(tree, standard, detection).sharing(cache),
        standard,
        detection,
        shown_path,
        &Waivers::default(),
    )
}

fn run(
    ctx: &Context<'_>,
    standard: &Standard,
    detection: &Detection,
    shown_path: &str,
    waivers: &Waivers,
) -> Report {
    // The checks only read the shared context: score them on every core, in order.
    let mut results: Vec<CheckResult> = standard
        .checks
        .par_iter()
        .map(|check| run_check(ctx, check))
        .collect();
    let unused = waivers.apply(&mut results);
    let mut report = assemble(ctx, standard, detection, shown_path, results);
    report.notices.extend(waivers.notices.iter().cloned());
    report.notices.extend(unused);
    report
}

fn run_check(ctx: &Context, check: &crate::standard::Check) -> CheckResult {
    let help = CheckHelp {
        why: check.why.clone(),
        scoring: summary::scoring_lines(ctx.standard, &check.scoring, check.points),
        not_applicable: check.not_applicable.as_ref().map(|(when, reason)| {
            format!("{reason} (when {})", summary::describe(ctx.standard, when))
        }),
        fix: check.fix.clone(),
    };
    if let Some((condition, reason)) = &check.not_applicable
        && condition::evaluate(ctx, condition).holds
    {
        return CheckResult {
            id: check.id.clone(),
            category: check.category.clone(),
            title: check.title.clone(),
            score: check.points,
            max: check.points,
            status: Status::NotApplicable,
            summary: format!("not applicable: {reason}"),
            reason: Some(reason.clone()),
            findings: Vec::new(),
            waived: Vec::new(),
            help,
        };
    }
    let scored = checks::score(ctx, check);
    let status = if scored.not_applicable.is_some() {
        Status::NotApplicable
    } else {
        Status::from_score(scored.score, check.points)
    };
    let round_gain = |mut f: Finding| {
        f.gain = f.gain.map(round2);
        f
    };
    CheckResult {
        id: check.id.clone(),
        category: check.category.clone(),
        title: check.title.clone(),
        score: round2(scored.score),
        max: check.points,
        status,
        summary: scored.summary,
        reason: scored.not_applicable,
        findings: scored.findings.into_iter().map(round_gain).collect(),
        waived: scored.waived,
        help,
    }
}

fn assemble(
    ctx: &Context,
    standard: &Standard,
    detection: &Detection,
    shown_path: &str,
    checks: Vec<CheckResult>,
) -> Report {
    let earned: f64 = checks.iter().map(|c| c.score).sum();
    let possible: f64 = checks.iter().map(|c| c.max).sum();
    let score = if possible > 0.0 {
        round2(earned / possible * 100.0)
    } else {
        0.0
    };
    let categories = standard
        .categories
        .iter()
        .filter_map(|category| {
            let of: Vec<&CheckResult> = checks
                .iter()
                .filter(|c| c.category == category.id)
                .collect();
            (!of.is_empty()).then(|| CategoryResult {
                id: category.id.clone(),
                title: category.title.clone(),
                score: round2(of.iter().map(|c| c.score).sum()),
                max: round2(of.iter().map(|c| c.max).sum()),
            })
        })
        .collect();
    let mut fixes: Vec<Fix> = Vec::new();
    for check in &checks {
        for finding in &check.findings {
            let Some(gain) = finding.gain.filter(|g| *g > 0.0) else {
                continue;
            };
            let fix = finding.fix.clone().unwrap_or_default();
            if let Some(existing) = fixes
                .iter_mut()
                .find(|f| f.check == check.id && f.fix == fix && f.path == finding.path)
            {
                existing.gain = round2(existing.gain + gain);
                continue;
            }
            fixes.push(Fix {
                check: check.id.clone(),
                gain,
                fix,
                path: finding.path.clone(),
                line: finding.line,
            });
        }
    }
    fixes.sort_by(|a, b| b.gain.total_cmp(&a.gain));
    let project = detection.service_project();
    let mut notices = ctx.tree.notices();
    if project.kind != crate::standard::ProjectKind::Backend {
        notices.insert(
            0,
            crate::fs::Notice {
                path: String::new(),
                message: format!(
                    "no backend service found (detected: {}); `{}` judges backend services, so read this score with care",
                    project.kind.as_str(),
                    standard.id
                ),
            },
        );
    }
    Report {
        tool: Tool::current(),
        standard: StandardInfo {
            id: standard.id.clone(),
            name: standard.name.clone(),
            version: standard.version.clone(),
            origin: match &standard.origin {
                Origin::Builtin => "built-in".to_owned(),
                Origin::File(path) => path.clone(),
            },
        },
        path: shown_path.to_owned(),
        detection: DetectionInfo {
            kind: project.kind.as_str().to_owned(),
            languages: project.languages.clone(),
            frameworks: project.frameworks.clone(),
            service_root: dot(&detection.service_root),
            source_roots: project
                .source_roots
                .iter()
                .map(|r| SourceRootInfo {
                    path: dot(&r.path),
                    reason: r.reason.clone(),
                })
                .collect(),
            domains: ctx.domains.clone(),
            projects: project_infos(&detection.projects),
            evidence: project.evidence.clone(),
        },
        score,
        max: 100.0,
        band: standard.band(score).id.clone(),
        points: Points {
            earned: round2(earned),
            possible: round2(possible),
        },
        categories,
        checks,
        fixes,
        notices,
        anchor: anchor(ctx.tree, project),
        baseline: None,
        gate: None,
    }
}

/// The file that findings without a path are shown on where a format needs one: the README
/// at the root (`README.md` first, then any `README*` file, in any case), else the service
/// project's manifest, else `README.md` (where a README belongs, even if there is none).
fn anchor(tree: &Tree, project: &crate::detect::Project) -> String {
    let readmes: Vec<&str> = tree
        .children("")
        .map(|i| tree.entry(i))
        .filter(|e| e.is_file() && e.name().to_ascii_lowercase().starts_with("readme"))
        .map(|e| e.path.as_str())
        .collect();
    if let Some(readme) = readmes
        .iter()
        .find(|p| p.eq_ignore_ascii_case("README.md"))
        .or_else(|| readmes.first())
    {
        return (*readme).to_owned();
    }
    project
        .evidence
        .iter()
        .filter(|e| e.subject.starts_with("language:"))
        .find_map(|e| e.path.clone())
        .unwrap_or_else(|| "README.md".to_owned())
}

/// The report's view of every project detection found.
#[must_use]
pub fn project_infos(projects: &[crate::detect::Project]) -> Arc<[ProjectInfo]> {
    projects
        .iter()
        .map(|p| ProjectInfo {
            root: dot(&p.root),
            kind: p.kind.as_str().to_owned(),
            languages: p.languages.clone(),
            frameworks: p.frameworks.clone(),
        })
        .collect()
}

fn dot(root: &str) -> String {
    if root.is_empty() {
        ".".to_owned()
    } else {
        root.to_owned()
    }
}
