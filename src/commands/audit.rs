//! `squarely audit`: read the project configuration, walk once, detect, score against each
//! standard, write, gate.

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context as _, bail};

use crate::audit::Waivers;
use crate::cli::{AuditArgs, ColorChoice};
use crate::config::{Config, ParsedConfig};
use crate::fs::Tree;
use crate::report::baseline::{Baseline, Comparison};
use crate::report::{self, Color, Format, Options};
use crate::standard::{self, DEFAULT_STANDARD, Standard};

use super::configuration::{self, Relation};
use super::{Exit, print_warnings, stdout_color};

/// Run an audit.
pub fn run(args: &AuditArgs, color: ColorChoice) -> anyhow::Result<Exit> {
    // Usage first: nothing is audited or written when the outputs do not add up.
    let formats: Vec<(usize, Format)> = positions(&args.format_positions, args.formats.len())
        .into_iter()
        .zip(args.formats.iter().copied())
        .collect();
    let outputs: Vec<(usize, &Path)> = positions(&args.output_positions, args.outputs.len())
        .into_iter()
        .zip(args.outputs.iter().map(PathBuf::as_path))
        .collect();
    let destinations = destinations(&formats, &outputs)?;
    check_files(args, &destinations)?;
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
    // A spinner only when no machine format goes to standard output.
    let laps = super::timings::Laps::start(
        destinations
            .iter()
            .all(|d| d.file.is_some() || d.format == Format::Text),
    );
    laps.doing("reading the repository");
    let lap = |what: &str| laps.lap(what);
    // Load the rule sets while the tree is walked. The walk starts on this thread at once:
    // a new thread can wait to be scheduled on a busy machine, the walk should not.
    let (tree, standards, config) = std::thread::scope(|scope| {
        let standards = scope.spawn(|| {
            let loaded = load_standards(args, &cwd, parsed.take());
            lap("rule sets");
            loaded
        });
        let tree = match &exclude {
            Some(exclude) => Tree::walk_excluding(&args.path, exclude),
            None => Tree::walk(&args.path),
        };
        let (standards, config) = standards
            .join()
            .map_err(|_| anyhow::anyhow!("the rule sets could not be loaded"))??;
        anyhow::Ok((tree?, standards, config))
    })?;
    lap("walk");
    // The baseline (`--baseline`, else the configuration's unless --save-baseline records a
    // new one) and --workspace (or the configuration's `workspace: true`), read before
    // anything is audited.
    // A baseline the repository's configuration names must stay in the repository.
    let (baseline_file, baseline_within): (Option<(PathBuf, String)>, Option<PathBuf>) =
        match (&args.baseline, &config) {
            (Some(file), _) => (Some((file.clone(), file.display().to_string())), None),
            (None, Some(config)) if args.save_baseline.is_none() => (
                config.baseline.as_ref().map(|(path, written)| {
                    let shown = Path::new(&config.file).with_file_name(written);
                    (path.clone(), shown.display().to_string())
                }),
                config.confine.clone(),
            ),
            (None, _) => (None, None),
        };
    if let Some((path, shown)) = &baseline_file
        && let Some(output) = destinations
            .iter()
            .filter_map(|d| d.file.as_deref())
            .find(|file| same_file(file, path))
    {
        bail!(
            "{}: `-o` would overwrite the baseline being read ({shown})",
            output.display()
        );
    }
    let baseline = baseline_file
        .as_ref()
        .map(|(path, shown)| read_baseline(path, shown, baseline_within.as_deref()))
        .transpose()?;
    let workspace = args.workspace || config.as_ref().is_some_and(|c| c.workspace);
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
    let mut reports: Vec<report::Report> = Vec::new();
    for standard in &standards {
        laps.doing(format!("detecting the stack ({} files)", tree.len()));
        let detection = crate::detect::detect(&tree, &standard.detection);
        lap("detect");
        let roots = &standard.detection.project_roots;
        let detections = services(&detection, workspace.then_some(roots.as_slice()), &shown)?;
        laps.doing(match detections.len() {
            1 => format!("auditing under {}", standard.id),
            n => format!("auditing {n} services under {}", standard.id),
        });
        // The services of a workspace are independent: audit them on every core.
        // Every service's report lists the same projects: one list for all of them.
        let projects = crate::audit::project_infos(&detection.projects);
        let audit = |detection: &crate::detect::Detection| {
            let mut report =
                crate::audit::audit_waived(&tree, standard, detection, &shown, &waivers);
            report.detection.projects = Arc::clone(&projects);
            report
        };
        let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        if detections.len() > 1 && threads > 1 {
            let chunk = detections.len().div_ceil(threads);
            std::thread::scope(|scope| {
                let handles: Vec<_> = detections
                    .chunks(chunk)
                    .map(|part| scope.spawn(move || part.iter().map(audit).collect::<Vec<_>>()))
                    .collect();
                for handle in handles {
                    match handle.join() {
                        Ok(part) => reports.extend(part),
                        Err(panic) => std::panic::resume_unwind(panic),
                    }
                }
            });
        } else {
            reports.extend(detections.iter().map(audit));
        }
        lap("audit");
    }
    if workspace {
        scope_notices(&tree, &mut reports);
    }
    if let (Some(baseline), Some((_, shown))) = (&baseline, &baseline_file) {
        for report in &mut reports {
            report.baseline = Some(baseline.compare(report, shown));
        }
        check_coverage(baseline, shown, &reports)?;
    }
    // Judged before the reports are written: `--format junit` shows the verdict.
    let notes = gate(args, config.as_ref(), &mut reports);

    let options = Options {
        color: Color::Off,
        repository_path: crate::fs::repository_path(&args.path).unwrap_or_default(),
        junit_fail_on: args.junit_fail_on,
        workspace: workspace.then(|| {
            report::model::Workspace::of(&reports, |id, score| {
                standards
                    .iter()
                    .find(|s| s.id == id)
                    .map_or_else(String::new, |s| s.band(score).id.clone())
            })
        }),
    };
    let repository = crate::fs::repository_top(&args.path);
    laps.done();
    for destination in &destinations {
        if let Some(path) = &destination.file {
            let file =
                crate::fs::open::create_regular(path, repository.as_deref()).map_err(|err| {
                    anyhow::anyhow!("{}: cannot write the report: {err}", path.display())
                })?;
            let mut out = BufWriter::new(file);
            report::write(destination.format, &reports, &options, &mut out)
                .and_then(|()| out.flush())
                .with_context(|| format!("{}: cannot write the report", path.display()))?;
        } else {
            let options = Options {
                color: stdout_color(color),
                ..options.clone()
            };
            let stdout = io::stdout();
            let mut out = BufWriter::new(stdout.lock());
            report::write(destination.format, &reports, &options, &mut out)?;
            out.flush()?;
        }
    }

    let worse: Vec<&report::Report> = reports
        .iter()
        .filter(|r| r.baseline.as_ref().is_some_and(|c| c.worse(r.score)))
        .collect();
    if let (Some(path), [first, ..]) = (&args.save_baseline, worse.as_slice()) {
        eprintln!(
            "squarely: the baseline was not saved to {}: {} is worse than the baseline it was compared with ({})",
            path.display(),
            first.subject(),
            first.baseline.as_ref().map_or("", |c| c.file.as_str())
        );
    } else if let Some(path) = &args.save_baseline {
        let saved = Baseline::of(&reports);
        let mut text = serde_json::to_string_pretty(&saved)?;
        text.push('\n');
        crate::fs::open::create_regular(path, repository.as_deref())
            .and_then(|mut file| {
                file.write_all(text.as_bytes())
                    .map_err(crate::fs::open::OpenError::Io)
            })
            .map_err(|err| {
                anyhow::anyhow!("{}: cannot write the baseline: {err}", path.display())
            })?;
        let count: usize = saved.reports.iter().map(|r| r.findings.len()).sum();
        eprintln!(
            "squarely: baseline saved to {} ({count} finding{}); audit with --baseline {0} to fail only on what gets worse",
            path.display(),
            if count == 1 { "" } else { "s" },
        );
    }
    lap("report written");
    // Freeing a 100,000-entry tree takes longer than the process exit that frees it anyway.
    std::mem::forget(tree);

    Ok(gate_exit(&reports, &notes))
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

/// Sets each report's gate verdict: below the minimum score (`--min-score`, else the
/// configuration's) or one of its categories below the configuration's floor, or, for a
/// report the baseline holds, worse than the baseline instead. Returns the notes to print
/// besides the failures (a report allowed below min-score by its baseline).
fn gate(args: &AuditArgs, config: Option<&Config>, reports: &mut [report::Report]) -> Vec<String> {
    let min = match (args.min_score, config.and_then(|c| c.min_score)) {
        (Some(min), _) => Some((min, "--min-score", String::new())),
        (None, Some(min)) => config.map(|c| (min, "min-score", format!(" (in {})", c.file))),
        (None, None) => None,
    };
    let floors: &[crate::config::Floor] = config.map_or(&[], |c| c.floors.as_slice());
    let mut notes = Vec::new();
    for report in reports.iter_mut() {
        let name = report.subject();
        let standard = report.standard.id.clone();
        let mut failures = Vec::new();
        if let Some(comparison) = &report.baseline
            && let Some(then) = comparison.score
        {
            failures = baseline_failures(report, comparison, then);
            if let Some((min, label, source)) = &min
                && report.score < *min
                && failures.is_empty()
            {
                notes.push(format!(
                    "{name} scores {:.2} under {standard}, below {label} {min}{source}: allowed, as it is no worse than the baseline ({}, {then:.2})",
                    report.score, comparison.file
                ));
            }
            report.gate = Some(report::Gate {
                rule: format!("no worse than the baseline ({})", comparison.file),
                failures,
            });
            continue;
        }
        let mut rules = Vec::new();
        if let Some((min, label, source)) = &min {
            rules.push(format!("{label} {min}{source}"));
            if report.score < *min {
                failures.push(format!(
                    "{name} scores {:.2} under {standard}, below {label} {min}{source}",
                    report.score
                ));
            }
        }
        for floor in floors {
            rules.push(format!("floor {} of `{}`", floor.points, floor.category));
            let Some(category) = report
                .categories
                .iter()
                .find(|c| c.id == floor.category && c.score < floor.points - 1e-9)
            else {
                continue;
            };
            failures.push(format!(
                "{name} scores {:.2} of {} in category `{}` ({}) under {standard}, below its floor of {} (in {})",
                category.score,
                category.max,
                category.id,
                category.title,
                floor.points,
                config.map_or("", |c| c.file.as_str())
            ));
        }
        if !rules.is_empty() {
            report.gate = Some(report::Gate {
                rule: rules.join(", "),
                failures,
            });
        }
    }
    notes
}

/// Prints the gate's failures and `notes` on standard error; exit 1 when a report failed.
fn gate_exit(reports: &[report::Report], notes: &[String]) -> Exit {
    let mut failed = false;
    for gate in reports.iter().filter_map(|r| r.gate.as_ref()) {
        for line in &gate.failures {
            if line.starts_with("  ") {
                eprintln!("{line}");
            } else {
                eprintln!("squarely: {line}");
            }
        }
        failed |= !gate.failures.is_empty();
    }
    for note in notes {
        eprintln!("squarely: {note}");
    }
    if failed {
        Exit::GateFailed
    } else {
        Exit::Success
    }
}

/// How many new findings the gate lists on standard error (all are in the reports).
const NEW_FINDINGS_LISTED: usize = 20;

/// How `report` got worse than its baseline (score `then`): nothing when it did not.
fn baseline_failures(report: &report::Report, comparison: &Comparison, then: f64) -> Vec<String> {
    let name = &report.subject();
    let standard = &report.standard.id;
    let mut failures = Vec::new();
    if comparison.score_dropped(report.score) {
        failures.push(format!(
            "{name} scores {:.2} under {standard}, below the baseline's {then:.2} ({})",
            report.score, comparison.file
        ));
    }
    if !comparison.new.is_empty() {
        let count = comparison.new.len();
        failures.push(format!(
            "{name} has {count} new finding{} under {standard} that the baseline ({}) does not hold:",
            if count == 1 { "" } else { "s" },
            comparison.file
        ));
        for new in comparison.new.iter().take(NEW_FINDINGS_LISTED) {
            let place = new
                .finding
                .location()
                .map_or_else(String::new, |at| format!("{at}: "));
            failures.push(format!("  {}  {place}{}", new.check, new.finding.message));
        }
        if count > NEW_FINDINGS_LISTED {
            failures.push(format!(
                "  ... and {} more (every one is in the report's `baseline.new`, --format json)",
                count - NEW_FINDINGS_LISTED
            ));
        }
    }
    debug_assert_eq!(failures.is_empty(), !comparison.worse(report.score));
    failures
}

/// In a workspace, each report's notes on reading the tree (skipped files...) are those of
/// its own service and of the rest of the repository, not of the other services: the same
/// whichever order the services were audited in, on however many threads.
fn scope_notices(tree: &Tree, reports: &mut [report::Report]) {
    let all = tree.notices();
    let roots: Vec<String> = reports
        .iter()
        .map(|r| r.detection.service_root.clone())
        .collect();
    // The service a path belongs to: the deepest root holding it (`.` holds everything).
    let owner = |path: &str| {
        roots
            .iter()
            .filter(|root| {
                root.as_str() == "."
                    || path == root.as_str()
                    || path.starts_with(&format!("{root}/"))
            })
            .max_by_key(|root| if root.as_str() == "." { 0 } else { root.len() })
    };
    let owners: Vec<Option<String>> = all.iter().map(|n| owner(&n.path).cloned()).collect();
    for report in reports.iter_mut() {
        let own = &report.detection.service_root;
        let kept: Vec<crate::fs::Notice> = all
            .iter()
            .zip(&owners)
            .filter(|(_, owner)| owner.as_ref().is_none_or(|root| root == own))
            .map(|(notice, _)| notice.clone())
            .collect();
        let others: Vec<crate::fs::Notice> = report
            .notices
            .drain(..)
            // A read notice this report took before another service's read replaced it
            // (`not read as text`, then `parsed as source code`) is not the report's own.
            .filter(|n| !all.contains(n) && !tree.was_replaced(n))
            .collect();
        report.notices = kept.into_iter().chain(others).collect();
    }
}

/// The detections to audit: the one detection picked, or with `--workspace` (the project
/// roots detection looks at) one per backend project, each with that project as its service
/// root. A workspace without a backend project is an error that names what was found.
fn services(
    detection: &crate::detect::Detection,
    workspace: Option<&[String]>,
    shown: &str,
) -> anyhow::Result<Vec<crate::detect::Detection>> {
    let Some(roots) = workspace else {
        return Ok(vec![detection.clone()]);
    };
    let backends: Vec<crate::detect::Detection> = detection
        .projects
        .iter()
        .enumerate()
        .filter(|(_, project)| project.kind == crate::standard::ProjectKind::Backend)
        .map(|(index, project)| crate::detect::Detection {
            service_root: project.root.clone(),
            projects: Arc::clone(&detection.projects),
            service: index,
        })
        .collect();
    if backends.is_empty() {
        let found: Vec<String> = detection
            .projects
            .iter()
            .map(|p| {
                format!(
                    "{} ({})",
                    if p.root.is_empty() { "." } else { &p.root },
                    p.kind.as_str()
                )
            })
            .collect();
        bail!(
            "{shown}: --workspace found no backend project (it looks at {}); found: {}",
            roots.join(", "),
            found.join(", ")
        );
    }
    Ok(backends)
}

/// Before anything is audited: every file to write (`-o`, `--save-baseline`) can be
/// created (its folder exists, it is not a folder) and names a file of its own, and none of
/// them is the `--baseline` being read. Paths are compared resolved (`./r.json` is `r.json`).
fn check_files(args: &AuditArgs, destinations: &[Destination]) -> anyhow::Result<()> {
    let mut writes: Vec<(&Path, &str)> = destinations
        .iter()
        .filter_map(|d| d.file.as_deref().map(|f| (f, "-o")))
        .collect();
    if let Some(save) = &args.save_baseline {
        writes.push((save, "--save-baseline"));
    }
    let repository = crate::fs::repository_top(&args.path);
    for (i, (path, flag)) in writes.iter().enumerate() {
        let shown = path.display();
        if path.is_dir() {
            bail!("{shown}: `{flag}` names a folder: name a file");
        }
        // A file the audited repository commits as a link (`squarely.sarif -> ~/.bashrc`)
        // is never written through.
        if let Err(err) = crate::fs::open::check_writable(path, repository.as_deref()) {
            bail!("{shown}: `{flag}` cannot write there: {err}");
        }
        let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
        if let Some(parent) = parent
            && !parent.is_dir()
        {
            bail!(
                "{shown}: cannot write there: the folder {} does not exist",
                parent.display()
            );
        }
        if let Some((_, other)) = writes[..i].iter().find(|(p, _)| same_file(p, path)) {
            bail!("{shown}: named by both `{other}` and `{flag}`: each needs its own file");
        }
        if let Some(baseline) = &args.baseline
            && *flag == "-o"
            && same_file(baseline, path)
        {
            bail!("{shown}: `-o` would overwrite the --baseline being read");
        }
    }
    Ok(())
}

/// Whether two paths name the same file: resolved through symbolic links when the file
/// exists, else through its folder when that exists (a missing folder is refused anyway).
fn same_file(a: &Path, b: &Path) -> bool {
    fn resolved(path: &Path) -> PathBuf {
        if let Ok(real) = std::fs::canonicalize(path) {
            return real;
        }
        let parent = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        match (std::fs::canonicalize(parent), path.file_name()) {
            (Ok(real), Some(name)) => real.join(name),
            _ => path.to_path_buf(),
        }
    }
    resolved(a) == resolved(b)
}

/// Warn about every report the baseline holds nothing for and every baseline entry no
/// report matched; when nothing matched at all, the baseline gates nothing: exit 2.
fn check_coverage(
    baseline: &Baseline,
    shown: &str,
    reports: &[report::Report],
) -> anyhow::Result<()> {
    let unmatched: Vec<&report::Report> = reports
        .iter()
        .filter(|r| r.baseline.as_ref().is_some_and(|c| c.score.is_none()))
        .collect();
    let describe = |standard: &str, root: &str| format!("{standard} at service root `{root}`");
    if unmatched.len() == reports.len() {
        let held: Vec<String> = baseline
            .reports
            .iter()
            .map(|e| describe(&e.standard, &e.service_root))
            .collect();
        let audited: Vec<String> = reports
            .iter()
            .map(|r| describe(&r.standard.id, &r.detection.service_root))
            .collect();
        bail!(
            "{shown}: the baseline holds nothing this run audits (it holds {}; this run audits {}): save it again from the same PATH, standards and --workspace",
            if held.is_empty() {
                "no report".to_owned()
            } else {
                held.join(", ")
            },
            audited.join(", ")
        );
    }
    for report in unmatched {
        eprintln!(
            "squarely: warning: {shown} holds nothing for {} ({}): the usual gate applies to it; save the baseline again to include it",
            report.subject(),
            describe(&report.standard.id, &report.detection.service_root)
        );
    }
    for entry in &baseline.reports {
        if !reports.iter().any(|r| {
            r.standard.id == entry.standard && r.detection.service_root == entry.service_root
        }) {
            eprintln!(
                "squarely: warning: {shown} holds {}, which this run did not audit (another PATH or --standard, or a service removed?)",
                describe(&entry.standard, &entry.service_root)
            );
        }
    }
    Ok(())
}

/// Read and parse the baseline file (exit 2 on anything wrong, with line and column).
fn read_baseline(path: &Path, shown: &str, within: Option<&Path>) -> anyhow::Result<Baseline> {
    const MAX_BASELINE_BYTES: u64 = 64 << 20;
    let bytes = crate::fs::open::read_regular(path, MAX_BASELINE_BYTES, within)
        .map_err(|err| anyhow::anyhow!("{shown}: cannot read the baseline: {err}"))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| anyhow::anyhow!("{shown}: the baseline is not UTF-8 text"))?;
    Baseline::parse(&text).map_err(|err| match err.at {
        Some(_) => anyhow::anyhow!("{shown}:{err}"),
        None => anyhow::anyhow!("{shown}: {err}"),
    })
}

/// One report to write: a format, and the file it goes to (`None`: standard output).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Destination {
    format: Format,
    file: Option<PathBuf>,
}

/// Positions of `count` values, or their order when the command line was parsed without
/// positions (all formats then come before all files, the single-format reading).
fn positions(recorded: &[usize], count: usize) -> Vec<usize> {
    if recorded.len() == count {
        recorded.to_vec()
    } else {
        (0..count).collect()
    }
}

/// Pair each `--format` with the `-o` that follows it (before the next `--format`), from
/// `(position on the command line, value)` pairs. With at most one `--format` the order does
/// not matter (`-o FILE --format json` still works) and no `--format` means text. A format
/// without an `-o` goes to standard output, and only one may; an `-o` before every
/// `--format` (when there are several), two `-o` for one `--format`, or one file named twice
/// are usage errors.
fn destinations(
    formats: &[(usize, Format)],
    outputs: &[(usize, &Path)],
) -> anyhow::Result<Vec<Destination>> {
    let mut files: Vec<Vec<&Path>> = vec![Vec::new(); formats.len().max(1)];
    if formats.len() <= 1 {
        files[0] = outputs.iter().map(|(_, path)| *path).collect();
    } else {
        for (at, path) in outputs {
            let Some(owner) = formats.iter().rposition(|(format_at, _)| format_at < at) else {
                bail!(
                    "`-o {}` comes before any --format: with several --format options, write each -o after the --format it is for",
                    path.display()
                );
            };
            files[owner].push(path);
        }
    }
    let formats: Vec<Format> = if formats.is_empty() {
        vec![Format::Text]
    } else {
        formats.iter().map(|(_, format)| *format).collect()
    };
    let mut destinations = Vec::new();
    for (format, files) in formats.iter().zip(&files) {
        match files.as_slice() {
            [] => destinations.push(Destination {
                format: *format,
                file: None,
            }),
            [file] => destinations.push(Destination {
                format: *format,
                file: Some(file.to_path_buf()),
            }),
            [first, second, ..] => bail!(
                "`--format {}` has two -o ({} and {}): give each file its own --format",
                format.as_str(),
                first.display(),
                second.display()
            ),
        }
    }
    let to_stdout: Vec<&Destination> = destinations.iter().filter(|d| d.file.is_none()).collect();
    if let [first, second, ..] = to_stdout.as_slice() {
        bail!(
            "`--format {}` and `--format {}` would both go to standard output: give all but one an -o FILE",
            first.format.as_str(),
            second.format.as_str()
        );
    }
    for (i, destination) in destinations.iter().enumerate() {
        if let Some(file) = &destination.file
            && destinations[..i].iter().any(|d| {
                d.file
                    .as_deref()
                    .is_some_and(|other| same_file(other, file))
            })
        {
            bail!(
                "`{}` is named by two -o: each report needs its own file",
                file.display()
            );
        }
    }
    Ok(destinations)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(
        formats: &[(usize, Format)],
        outputs: &[(usize, &str)],
    ) -> Result<Vec<(Format, Option<String>)>, String> {
        let outputs: Vec<(usize, &Path)> =
            outputs.iter().map(|(at, p)| (*at, Path::new(*p))).collect();
        destinations(formats, &outputs)
            .map(|list| {
                list.into_iter()
                    .map(|d| (d.format, d.file.map(|f| f.display().to_string())))
                    .collect()
            })
            .map_err(|e| e.to_string())
    }

    #[test]
    fn each_format_takes_the_output_after_it() {
        use Format::{Json, Markdown, Sarif, Text};
        assert_eq!(pair(&[], &[]), Ok(vec![(Text, None)]));
        assert_eq!(
            pair(&[], &[(1, "r.txt")]),
            Ok(vec![(Text, Some("r.txt".into()))])
        );
        // One format: the old reading, -o before or after.
        assert_eq!(
            pair(&[(3, Json)], &[(1, "r.json")]),
            Ok(vec![(Json, Some("r.json".into()))])
        );
        assert_eq!(
            pair(
                &[(1, Json), (5, Sarif), (9, Markdown)],
                &[(3, "r.json"), (7, "r.sarif")]
            ),
            Ok(vec![
                (Json, Some("r.json".into())),
                (Sarif, Some("r.sarif".into())),
                (Markdown, None)
            ])
        );
        assert_eq!(
            pair(&[(1, Markdown), (3, Json)], &[(5, "r.json")]),
            Ok(vec![(Markdown, None), (Json, Some("r.json".into()))])
        );
    }

    #[test]
    fn outputs_that_do_not_add_up_are_refused() {
        use Format::{Json, Sarif};
        let err = |formats: &[(usize, Format)], outputs: &[(usize, &str)]| {
            pair(formats, outputs).unwrap_err()
        };
        assert!(err(&[(1, Json), (3, Sarif)], &[]).contains("both go to standard output"));
        assert!(err(&[(3, Json), (5, Sarif)], &[(1, "a")]).contains("before any --format"));
        assert!(
            err(&[(1, Json), (7, Sarif)], &[(3, "a"), (5, "b")]).contains("has two -o (a and b)")
        );
        assert!(err(&[], &[(1, "a"), (3, "b")]).contains("`--format text` has two -o"));
        assert!(
            err(&[(1, Json), (5, Sarif)], &[(3, "a"), (7, "a")]).contains("`a` is named by two -o")
        );
    }
}
