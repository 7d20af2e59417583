//! `squarely init`: write a commented `.squarely.yaml` from what detection and an audit find.

use anyhow::bail;

use crate::cli::InitArgs;
use crate::config::init::{Facts, render, suggested_min_score};
use crate::config::{self, CONFIG_FILE};
use crate::fs::{Exclude, Plan, PlannedFile, ProjectDir, Tree};
use crate::report::Report;
use crate::standard::{self, BUILTIN_IDS, PathGlob};

use super::Exit;
use super::configuration::today;

/// Folder names of vendored third-party code, suggested for `ignore`.
const VENDORED: [&str; 6] = [
    "vendor",
    "vendors",
    "third_party",
    "third-party",
    "node_modules",
    "bower_components",
];

/// Run `squarely init`.
pub fn run(args: &InitArgs) -> anyhow::Result<Exit> {
    let shown_dir = args.path.display().to_string();
    if !args.path.is_dir() {
        bail!("{shown_dir}: no such folder");
    }
    let target = args.path.join(CONFIG_FILE);
    let shown = target.display().to_string();
    let shown = shown.strip_prefix("./").unwrap_or(&shown).to_owned();
    let exists = target.symlink_metadata().is_ok();
    if exists && !args.dry_run {
        bail!(
            "{shown}: already exists; squarely init never overwrites it (edit it, or delete it to start again)"
        );
    }
    let mut tree = Tree::walk(&args.path)?;
    let ignore = vendored(&tree);
    if !ignore.is_empty() {
        let globs = ignore
            .iter()
            .filter_map(|path| PathGlob::new(path, false).ok())
            .map(|glob| glob.glob().clone())
            .collect::<Vec<_>>();
        tree = Tree::walk_excluding(&args.path, &Exclude::new(&globs, "")?)?;
    }
    let cwd = std::env::current_dir()?;
    let mut reports: Vec<Report> = Vec::new();
    for id in BUILTIN_IDS {
        let standard = standard::load(id, &cwd)?.standard;
        let detection = crate::detect::detect(&tree, &standard.detection);
        reports.push(crate::audit::audit(
            &tree, &standard, &detection, &shown_dir,
        ));
    }
    // The best fit: the highest score, the default standard (listed first) on a tie.
    let mut order: Vec<&Report> = reports.iter().collect();
    order.sort_by(|a, b| b.score.total_cmp(&a.score));
    let best = order[0];
    let text = render(&facts(best, &order, ignore)?);
    // What `init` writes must be what `audit` reads.
    config::parse(&text, &shown, &args.path)?;
    if args.dry_run {
        say_part!("{text}");
        if exists {
            eprintln!(
                "note: {shown} exists already; `squarely init` without --dry-run would not overwrite it"
            );
        }
        return Ok(Exit::Success);
    }
    let plan = Plan {
        files: vec![PlannedFile {
            path: CONFIG_FILE.to_owned(),
            contents: text,
            executable: false,
        }],
        edits: Vec::new(),
    };
    ProjectDir::new(&args.path).apply(&plan)?;
    say!(
        "Wrote {shown}: standard {}, min-score {} (today's score {:.2}).",
        best.standard.id,
        suggested_min_score(best.score),
        best.score
    );
    say!("Review it, commit it, and run `squarely audit`: it reads the file from now on.");
    Ok(Exit::Success)
}

/// The facts the file is written from.
fn facts(best: &Report, order: &[&Report], ignore: Vec<String>) -> anyhow::Result<Facts> {
    let d = &best.detection;
    let mut detected = vec![d.kind.clone()];
    detected.extend(d.languages.iter().cloned());
    detected.extend(d.frameworks.iter().cloned());
    let worst = best
        .checks
        .iter()
        .filter(|c| c.score < c.max)
        .max_by(|a, b| (a.max - a.score).total_cmp(&(b.max - b.score)));
    let example_check = worst
        .or(best.checks.first())
        .map_or_else(|| "root.docs".to_owned(), |c| c.id.clone());
    // A finding with a line makes the best example; one with a path will do.
    let located = |with_line: bool| {
        best.checks.iter().find_map(|c| {
            c.findings
                .iter()
                .find(|f| f.path.is_some() && (f.line.is_some() || !with_line))
                .and_then(|f| Some((c.id.clone(), f.path.clone()?, f.line)))
        })
    };
    let example_finding = located(true).or_else(|| located(false));
    Ok(Facts {
        today: today()?,
        detected: detected.join(" · "),
        scores: order
            .iter()
            .map(|r| (r.standard.id.clone(), r.score))
            .collect(),
        standard: best.standard.id.clone(),
        score: best.score,
        categories: best
            .categories
            .iter()
            .map(|c| (c.id.clone(), c.score, c.max))
            .collect(),
        ignore,
        example_check,
        example_finding,
    })
}

/// The top-most folders of vendored code in the tree, as globs.
fn vendored(tree: &Tree) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for entry in tree.entries() {
        if entry.is_dir()
            && VENDORED.contains(&entry.name())
            && !found
                .iter()
                .any(|f| entry.path.starts_with(&format!("{f}/")))
        {
            found.push(globset::escape(&entry.path));
        }
    }
    found
}
