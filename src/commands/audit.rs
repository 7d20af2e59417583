//! `squarely audit`: read the project configuration, walk once, detect, score against each
//! standard, write, gate.

use std::fs::File;
use std::io::{self, BufWriter, Write};

use anyhow::{Context as _, bail};

use crate::audit::Waivers;
use crate::cli::{AuditArgs, ColorChoice};
use crate::config::{Config, ParsedConfig};
use crate::fs::Tree;
use crate::report::{self, Color};
use crate::standard::{self, DEFAULT_STANDARD, Standard};

use super::configuration::{self, Relation};
use super::{Exit, print_warnings, stdout_color};

/// Run an audit.
pub fn run(args: &AuditArgs, color: ColorChoice) -> anyhow::Result<Exit> {
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let found = configuration::locate(&args.path, args.config.as_deref())?;
    let (mut parsed, relation) = match &found {
        Some(found) => (
            Some(configuration::read(found)?),
            configuration::relate(&args.path, found),
        ),
        None => (None, Relation::default()),
    };
    let exclude = match &parsed {
        Some(parsed) => configuration::exclude(parsed, &relation)?,
        None => None,
    };
    let timings = std::env::var_os("SQUARELY_TIMINGS").is_some();
    let started = std::time::Instant::now();
    let lap = |what: &str| {
        if timings {
            eprintln!(
                "timing: {what}: {:.1} ms",
                started.elapsed().as_secs_f64() * 1000.0
            );
        }
    };
    // The walk mostly waits on the file system: load the rule sets meanwhile.
    let (tree, standards, config) = std::thread::scope(|scope| {
        let walk = scope.spawn(|| match &exclude {
            Some(exclude) => Tree::walk_excluding(&args.path, exclude),
            None => Tree::walk(&args.path),
        });
        let (standards, config) = load_standards(args, &cwd, parsed.take())?;
        lap("rule sets");
        let tree = walk
            .join()
            .map_err(|_| anyhow::anyhow!("{}: the walk failed", args.path.display()))??;
        anyhow::Ok((tree, standards, config))
    })?;
    lap("walk");
    let waivers = match (&config, &found) {
        (Some(config), Some(_)) => {
            let (waivers, warnings) = config.waivers_on(
                configuration::today()?,
                &relation.notice_path,
                &relation.prefix,
            );
            print_warnings(&warnings);
            waivers
        }
        _ => Waivers::default(),
    };
    let shown = args.path.display().to_string();
    if tree.is_empty() {
        bail!(
            "{shown}: the directory is empty (or holds only files git ignores): nothing to audit"
        );
    }
    let reports: Vec<report::Report> = standards
        .iter()
        .map(|standard| {
            let detection = crate::detect::detect(&tree, &standard.detection);
            lap("detect");
            let report = crate::audit::audit_waived(&tree, standard, &detection, &shown, &waivers);
            lap("audit");
            report
        })
        .collect();

    if let Some(path) = &args.output {
        let file = File::create(path)
            .with_context(|| format!("{}: cannot write the report", path.display()))?;
        let mut out = BufWriter::new(file);
        report::write(args.format, &reports, Color::Off, &mut out)
            .and_then(|()| out.flush())
            .with_context(|| format!("{}: cannot write the report", path.display()))?;
    } else {
        let stdout = io::stdout();
        let mut out = BufWriter::new(stdout.lock());
        report::write(args.format, &reports, stdout_color(color), &mut out)?;
        out.flush()?;
    }

    lap("report written");
    // Freeing a 100,000-entry tree takes longer than the process exit that frees it anyway.
    std::mem::forget(tree);

    Ok(gate(args, config.as_ref(), &reports))
}

/// The standards to apply (`--standard`, else the configuration's, else the default) and the
/// configuration checked against them and the standards it names.
fn load_standards(
    args: &AuditArgs,
    cwd: &std::path::Path,
    parsed: Option<ParsedConfig>,
) -> anyhow::Result<(Vec<Standard>, Option<Config>)> {
    let load = |spec: &str| -> anyhow::Result<Standard> {
        let loaded = standard::load(spec, cwd)?;
        print_warnings(&loaded.warnings);
        Ok(loaded.standard)
    };
    let Some(mut parsed) = parsed else {
        let specs: Vec<&str> = if args.standards.is_empty() {
            vec![DEFAULT_STANDARD]
        } else {
            args.standards.iter().map(String::as_str).collect()
        };
        let standards = specs.into_iter().map(load).collect::<anyhow::Result<_>>()?;
        return Ok((standards, None));
    };
    let named: Vec<Standard> = parsed
        .load_standards()?
        .into_iter()
        .map(|loaded| {
            if args.standards.is_empty() {
                print_warnings(&loaded.warnings);
            }
            loaded.standard
        })
        .collect();
    // Ids in the configuration may belong to the standards it names (or the default) even
    // when --standard applies others.
    let (applied, others) = if !args.standards.is_empty() {
        let applied = args
            .standards
            .iter()
            .map(|spec| load(spec))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let others = if parsed.names_standards() {
            named
        } else {
            vec![standard::load(DEFAULT_STANDARD, cwd)?.standard]
        };
        (applied, others)
    } else if parsed.names_standards() {
        (named, Vec::new())
    } else {
        (vec![load(DEFAULT_STANDARD)?], Vec::new())
    };
    let known: Vec<&Standard> = applied.iter().chain(&others).collect();
    let config = parsed.check(&known)?;
    Ok((applied, Some(config)))
}

/// Exit 1 when a report is below the minimum score (`--min-score`, else the configuration's)
/// or one of its categories below the configuration's floor, saying which on standard error.
fn gate(args: &AuditArgs, config: Option<&Config>, reports: &[report::Report]) -> Exit {
    let mut failed = false;
    let min = match (args.min_score, config.and_then(|c| c.min_score)) {
        (Some(min), _) => Some((min, "--min-score", String::new())),
        (None, Some(min)) => config.map(|c| (min, "min-score", format!(" (in {})", c.file))),
        (None, None) => None,
    };
    if let Some((min, label, source)) = min {
        for report in reports.iter().filter(|r| r.score < min) {
            eprintln!(
                "squarely: {} scores {:.2} under {}, below {label} {min}{source}",
                report.path, report.score, report.standard.id
            );
            failed = true;
        }
    }
    for floor in config.iter().flat_map(|c| &c.floors) {
        for report in reports {
            let Some(category) = report
                .categories
                .iter()
                .find(|c| c.id == floor.category && c.score < floor.points - 1e-9)
            else {
                continue;
            };
            eprintln!(
                "squarely: {} scores {:.2} of {} in category `{}` ({}) under {}, below its floor of {} (in {})",
                report.path,
                category.score,
                category.max,
                category.id,
                category.title,
                report.standard.id,
                floor.points,
                config.map_or("", |c| c.file.as_str())
            );
            failed = true;
        }
    }
    if failed {
        Exit::GateFailed
    } else {
        Exit::Success
    }
}
