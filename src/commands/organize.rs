//! `squarely organize`: plan (print), apply (journal first), undo.

use std::io::{self, Write};

use anyhow::{Context as _, bail};

use crate::cli::{OrganizeArgs, PlanFormat};
use crate::fs::journal;
use crate::fs::{Commit, GitStatus, Tree, git_status};
use crate::organize::{Plan, Stack, Target};
use crate::report::Safe;
use crate::standard;

use super::Exit;
use super::scaffolding::now;

/// Run `squarely organize`.
pub fn run(args: &OrganizeArgs) -> anyhow::Result<Exit> {
    if args.undo {
        return undo(args);
    }
    let laps = super::timings::Laps::start(args.apply || args.format == PlanFormat::Text);
    laps.doing("reading the repository");
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let shown = args.path.display().to_string();
    let tree = Tree::walk(&args.path)?;
    laps.lap("walk");
    if tree.is_empty() {
        bail!(
            "{shown}: the directory is empty (or holds only files git ignores): nothing to organize"
        );
    }
    let loaded = standard::load(&args.standard, &cwd)?;
    let standard = loaded.standard;
    let detection = crate::detect::detect(&tree, &standard.detection);
    let in_git = matches!(git_status(&args.path)?, GitStatus::Repository(_));
    laps.lap("detect");
    laps.doing(format!("planning ({} files)", tree.len()));
    let target = Target::of(&standard.id, Stack::of(&detection)).map_err(anyhow::Error::msg)?;
    let plan = crate::organize::plan(&tree, &detection, &target, now()?, in_git)?;
    laps.lap("plan");
    laps.doing("scoring the repository before and after the plan");
    // The audits before and after share their parses: most files only move.
    let parsed = crate::analyze::AnalysisCache::default();
    let before = crate::audit::audit_cached(&tree, &standard, &detection, &shown, &parsed);
    laps.lap("audit before");
    let after_tree = plan.tree_after(&tree);
    let after_detection = crate::detect::detect(&after_tree, &standard.detection);
    let after =
        crate::audit::audit_cached(&after_tree, &standard, &after_detection, &shown, &parsed);
    laps.lap("audit after");
    laps.done();
    if args.apply {
        return apply(args, &plan, &tree, before.score, after.score);
    }
    // Buffered: a plan of 100,000 moves is tens of megabytes of JSON.
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    match args.format {
        PlanFormat::Json => {
            /// The plan as JSON (keys in the order they always had), serialized without a
            /// copy.
            #[derive(serde::Serialize)]
            struct Shown<'a> {
                path: &'a str,
                plan: &'a Plan,
                score_after: f64,
                score_before: f64,
                standard: &'a str,
            }
            let shown = Shown {
                path: &shown,
                plan: &plan,
                score_after: after.score,
                score_before: before.score,
                standard: &standard.id,
            };
            serde_json::to_writer_pretty(&mut out, &shown)?;
            writeln!(out)?;
        }
        PlanFormat::Text => print_plan(&mut out, &shown, &plan, before.score, after.score)?,
        PlanFormat::Patch => crate::organize::patch::write(&plan, &mut out)?,
    }
    out.flush()?;
    // The command ends with the process: the two trees, their parses and the plan (hundreds
    // of megabytes on a large repository, millions of small allocations) are left to the
    // operating system instead of being freed one by one.
    std::mem::forget((tree, after_tree, parsed, plan, before, after));
    Ok(Exit::Success)
}

fn print_plan(
    out: &mut dyn Write,
    shown: &str,
    plan: &Plan,
    before: f64,
    after: f64,
) -> io::Result<()> {
    let stack = match plan.stack {
        Stack::Python => "python",
        Stack::Node => "node",
        Stack::Rust => "rust",
        Stack::Other => "no backend language",
    };
    writeln!(out, "squarely organize {shown}")?;
    writeln!(out, "stack     {stack}")?;
    writeln!(
        out,
        "score     {before:.2} -> {after:.2} ({}, after this plan)",
        plan.standard
    )?;
    if plan.is_empty() {
        writeln!(
            out,
            "\nNothing to do: the repository already follows the layout squarely can plan."
        )?;
        return Ok(());
    }
    let layout = &plan.layout;
    if !layout.moves.is_empty() {
        writeln!(out, "\nMove ({})", layout.moves.len())?;
        let width = layout
            .moves
            .iter()
            .map(|m| m.moved.from.len())
            .max()
            .unwrap_or(0);
        for planned in &layout.moves {
            writeln!(
                out,
                "  {:width$}  ->  {}",
                Safe(&planned.moved.from),
                Safe(&planned.moved.to)
            )?;
        }
        let mut reasons: Vec<&str> = layout.moves.iter().map(|m| m.why.as_str()).collect();
        reasons.sort_unstable();
        reasons.dedup();
        writeln!(out, "  why:")?;
        for why in reasons {
            writeln!(out, "    - {}", Safe(why))?;
        }
    }
    if !layout.untrack.is_empty() {
        let what = if plan.git {
            "Untrack and ignore"
        } else {
            "Ignore"
        };
        writeln!(
            out,
            "\n{what} ({}; the files stay on disk)",
            layout.untrack.len()
        )?;
        for untrack in &layout.untrack {
            writeln!(out, "  {}  ({})", Safe(&untrack.path), Safe(&untrack.why))?;
        }
    }
    if let Some(gitignore) = &plan.gitignore {
        writeln!(
            out,
            "\n.gitignore: add {}",
            Safe(&gitignore.added.join(", "))
        )?;
    }
    let creates: Vec<(&str, &str)> = plan
        .creates
        .iter()
        .map(|c| (c.path.as_str(), c.why.as_str()))
        .chain(
            plan.rewrites
                .created
                .iter()
                .map(|(path, _)| (path.as_str(), "the moved code needs it")),
        )
        .collect();
    if !creates.is_empty() {
        writeln!(out, "\nCreate ({})", creates.len())?;
        for (path, why) in creates {
            writeln!(out, "  {}  ({})", Safe(path), Safe(why))?;
        }
    }
    if !plan.rewrites.edits.is_empty() {
        writeln!(
            out,
            "\nRewrite imports ({} files)",
            plan.rewrites.edits.len()
        )?;
        for edit in &plan.rewrites.edits {
            if edit.original_path == edit.path {
                writeln!(out, "  --- {}", Safe(&edit.path))?;
            } else {
                writeln!(
                    out,
                    "  --- {} (was {})",
                    Safe(&edit.path),
                    Safe(&edit.original_path)
                )?;
            }
            for line in crate::organize::patch::hunks(&edit.before, &edit.after).lines() {
                writeln!(out, "  {}", Safe(line))?;
            }
        }
    }
    if !plan.rewrites.unresolved.is_empty() {
        writeln!(
            out,
            "\nCannot rewrite ({}): check these by hand",
            plan.rewrites.unresolved.len()
        )?;
        for unresolved in &plan.rewrites.unresolved {
            writeln!(
                out,
                "  {}:{}  {}  ({})",
                Safe(&unresolved.path),
                unresolved.line,
                Safe(&unresolved.text),
                Safe(&unresolved.why)
            )?;
        }
    }
    if !layout.kept.is_empty() {
        writeln!(out, "\nLeft in place ({})", layout.kept.len())?;
        // One reason, then the files it holds, in the order of their first file.
        let mut reasons: Vec<(&str, Vec<&str>)> = Vec::new();
        let mut index: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
        for kept in &layout.kept {
            let at = *index.entry(&kept.why).or_insert_with(|| {
                reasons.push((&kept.why, Vec::new()));
                reasons.len() - 1
            });
            reasons[at].1.push(&kept.path);
        }
        for (why, paths) in reasons {
            for path in paths {
                writeln!(out, "  {}", Safe(path))?;
            }
            writeln!(out, "    ({})", Safe(why))?;
        }
    }
    if !layout.conflicts.is_empty() {
        writeln!(out, "\nConflicts ({}): not moved", layout.conflicts.len())?;
        for conflict in &layout.conflicts {
            writeln!(
                out,
                "  {} -> {}  ({})",
                Safe(&conflict.from),
                Safe(&conflict.to),
                Safe(&conflict.why)
            )?;
        }
    }
    writeln!(
        out,
        "\nNothing was changed. Apply with `squarely organize --apply` (add --commit for one commit per step); take it back with `squarely organize --undo`."
    )?;
    Ok(())
}

fn apply(
    args: &OrganizeArgs,
    plan: &Plan,
    tree: &Tree,
    before: f64,
    after: f64,
) -> anyhow::Result<Exit> {
    let shown = args.path.display().to_string();
    if let GitStatus::Repository(repository) = git_status(&args.path)?
        && !repository.is_clean()
        && !args.allow_dirty
    {
        let mut dirty: Vec<&str> = repository.changed.iter().map(String::as_str).collect();
        dirty.extend(repository.untracked.iter().map(String::as_str));
        let more = if dirty.len() > 5 { ", ..." } else { "" };
        dirty.truncate(5);
        bail!(
            "{shown}: the git working tree has uncommitted changes ({}{more}); commit or stash them, or pass --allow-dirty",
            dirty.join(", ")
        );
    }
    if plan.is_empty() {
        say!("Nothing to do: the repository already follows the layout squarely can plan.");
        return Ok(Exit::Success);
    }
    // With --commit, every commit but a domain's rename commit leaves the code whole.
    let (run, commit) = if args.commit {
        (plan.to_run_staged(tree), Commit::Yes)
    } else {
        (plan.to_run(), Commit::No)
    };
    // A test hook: abort right after step N, to prove that --undo recovers from a crash.
    let crash_after = std::env::var("SQUARELY_TEST_CRASH_AFTER_STEP")
        .ok()
        .and_then(|n| n.parse().ok());
    let applied = journal::apply(&args.path, &run, commit, crash_after)?;
    say!(
        "Organized {shown}: {} steps ({} moves, {} files edited, {} created, {} untracked); score {before:.2} -> {after:.2}.",
        applied.steps,
        plan.layout.moves.len(),
        plan.rewrites.edits.len() + usize::from(plan.gitignore.is_some()),
        plan.creates.len() + plan.rewrites.created.len(),
        plan.layout
            .untrack
            .iter()
            .map(|u| u.files.len())
            .sum::<usize>(),
    );
    for made in &applied.commits {
        let short = &made.commit[..made.commit.len().min(10)];
        say!("  commit {short}  {}", made.title);
    }
    if !plan.rewrites.unresolved.is_empty() {
        say!(
            "{} references could not be rewritten; check them by hand (`squarely organize` lists them).",
            plan.rewrites.unresolved.len()
        );
    }
    say!("Take it back with `squarely organize --undo`.");
    Ok(Exit::Success)
}

fn undo(args: &OrganizeArgs) -> anyhow::Result<Exit> {
    let undone = journal::undo(&args.path)?;
    say_part!(
        "Took back {} steps of the last organize run in {}",
        undone.steps,
        args.path.display()
    );
    if let Some(commit) = &undone.reset_to {
        say!(
            "; the branch is back at {}.",
            &commit[..commit.len().min(10)]
        );
    } else {
        say!(".");
    }
    Ok(Exit::Success)
}
