//! `squarely audit`: walk once, detect, score against each standard, write, gate.

use std::fs::File;
use std::io::{self, BufWriter, Write};

use anyhow::{Context as _, bail};

use crate::cli::{AuditArgs, ColorChoice};
use crate::fs::Tree;
use crate::report::{self, Color, Options};
use crate::standard::{self, DEFAULT_STANDARD};

use super::{Exit, print_warnings, stdout_color};

/// Run an audit.
pub fn run(args: &AuditArgs, color: ColorChoice) -> anyhow::Result<Exit> {
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let specs: Vec<&str> = if args.standards.is_empty() {
        vec![DEFAULT_STANDARD]
    } else {
        args.standards.iter().map(String::as_str).collect()
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
    let (tree, standards) = std::thread::scope(|scope| {
        let walk = scope.spawn(|| Tree::walk(&args.path));
        let mut standards = Vec::new();
        for spec in &specs {
            let loaded = standard::load(spec, &cwd)?;
            print_warnings(&loaded.warnings);
            standards.push(loaded.standard);
        }
        lap("rule sets");
        let tree = walk
            .join()
            .map_err(|_| anyhow::anyhow!("{}: the walk failed", args.path.display()))??;
        anyhow::Ok((tree, standards))
    })?;
    lap("walk");
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
            let report = crate::audit::audit(&tree, standard, &detection, &shown);
            lap("audit");
            report
        })
        .collect();

    let mut options = Options {
        color: Color::Off,
        repository_path: crate::fs::repository_path(&args.path).unwrap_or_default(),
    };
    if let Some(path) = &args.output {
        let file = File::create(path)
            .with_context(|| format!("{}: cannot write the report", path.display()))?;
        let mut out = BufWriter::new(file);
        report::write(args.format, &reports, &options, &mut out)
            .and_then(|()| out.flush())
            .with_context(|| format!("{}: cannot write the report", path.display()))?;
    } else {
        options.color = stdout_color(color);
        let stdout = io::stdout();
        let mut out = BufWriter::new(stdout.lock());
        report::write(args.format, &reports, &options, &mut out)?;
        out.flush()?;
    }

    lap("report written");
    // Freeing a 100,000-entry tree takes longer than the process exit that frees it anyway.
    std::mem::forget(tree);

    if let Some(min) = args.min_score {
        let failed: Vec<&report::Report> = reports.iter().filter(|r| r.score < min).collect();
        if !failed.is_empty() {
            for report in failed {
                eprintln!(
                    "squarely: {} scores {:.2} under {}, below --min-score {min}",
                    report.path, report.score, report.standard.id
                );
            }
            return Ok(Exit::GateFailed);
        }
    }
    Ok(Exit::Success)
}
