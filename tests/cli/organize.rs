//! `squarely organize`: the plan (text and JSON), apply, undo, on fixture repositories.

use crate::support::{code, run, stderr, stdout};

#[test]
fn the_plan_of_each_stack() {
    for fixture in [
        "organize-fastapi-flat",
        "express-layered",
        "organize-rust-misplaced",
    ] {
        let output = run(&["organize", fixture]);
        assert_eq!(code(&output), 0, "{fixture}: {}", stderr(&output));
        insta::assert_snapshot!(format!("plan_{fixture}"), stdout(&output));
    }
}

#[test]
fn code_stays_in_the_package_or_crate_it_was_found_in() {
    // The audit finds the code in `src/dispatch/` and in each workspace crate's `src/`:
    // organize plans every move inside the root the file came from.
    for (fixture, roots) in [
        ("real-src-layout", &["src/dispatch/"][..]),
        (
            "real-rust-workspace",
            &[
                "crates/app-bin/src/",
                "crates/app-core/src/",
                "crates/app-infrastructure/src/",
            ][..],
        ),
    ] {
        let output = run(&["organize", fixture, "--format", "json"]);
        assert_eq!(code(&output), 0, "{fixture}: {}", stderr(&output));
        let plan: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        let moves = plan["plan"]["moves"].as_array().expect("moves");
        let kept = plan["plan"]["kept"].as_array().expect("kept");
        assert!(
            !moves.is_empty() || !kept.is_empty(),
            "{fixture}: nothing planned"
        );
        for step in moves {
            let (from, to) = (step["from"].as_str().unwrap(), step["to"].as_str().unwrap());
            let root = roots.iter().find(|r| from.starts_with(**r));
            assert!(
                root.is_some_and(|r| to.starts_with(r)),
                "{fixture}: {from} -> {to} leaves its root"
            );
        }
    }
}

/// A planned move as `(from, to, domain)`.
type Moved = (String, String, String);

/// The plan of a fixture as JSON: its moves, and its kept files as `(path, why)`.
fn plan_of(fixture: &str) -> (Vec<Moved>, Vec<(String, String)>) {
    let output = run(&["organize", fixture, "--format", "json"]);
    assert_eq!(code(&output), 0, "{fixture}: {}", stderr(&output));
    let plan: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_owned();
    let moves = plan["plan"]["moves"]
        .as_array()
        .expect("moves")
        .iter()
        .map(|m| (text(&m["from"]), text(&m["to"]), text(&m["domain"])))
        .collect();
    let kept = plan["plan"]["kept"]
        .as_array()
        .expect("kept")
        .iter()
        .map(|k| (text(&k["path"]), text(&k["why"])))
        .collect();
    (moves, kept)
}

fn why_kept<'a>(kept: &'a [(String, String)], path: &str) -> &'a str {
    kept.iter().find(|(p, _)| p == path).map_or_else(
        || panic!("{path} is not left in place: {kept:?}"),
        |(_, why)| why,
    )
}

#[test]
fn what_tools_and_configuration_find_stays_where_it_is() {
    // Distilled from nsidnev/fastapi-realworld-example-app: alembic.ini names the Alembic
    // environment in app/db/migrations, the container runs `uvicorn app.main:app`.
    let (moves, kept) = plan_of("real-organize-anchored");
    assert!(why_kept(&kept, "app/db/migrations/env.py").contains("alembic.ini"));
    assert!(why_kept(&kept, "app/db/events.py").contains("moves whole or not at all"));
    assert!(why_kept(&kept, "app/api/dependencies.py").contains("not a domain"));
    assert!(why_kept(&kept, "app/services/security.py").contains("not a domain"));
    assert!(
        moves
            .iter()
            .all(|(from, _, _)| !from.starts_with("app/db/"))
    );
    // `app` is a package the container imports: its code stays in it.
    assert!(
        moves.iter().all(|(_, to, _)| to.starts_with("app/")),
        "{moves:?}"
    );
    let domains: std::collections::BTreeSet<&str> =
        moves.iter().map(|(_, _, d)| d.as_str()).collect();
    assert_eq!(domains, ["articles", "comments"].into());

    // Distilled from hagopj13/node-express-boilerplate and lujakob/nestjs-realworld-example-app:
    // package.json names the root entry point, jest.config.js names src/config.
    let (moves, kept) = plan_of("real-organize-node-entry");
    assert!(why_kept(&kept, "index.js").contains("package.json"));
    assert!(why_kept(&kept, "src/config/config.js").contains("jest.config.js"));
    assert!(why_kept(&kept, "jest.config.js").contains("tool configuration"));
    assert!(why_kept(&kept, "src/routes/v1.js").contains("API version"));
    let domains: std::collections::BTreeSet<&str> =
        moves.iter().map(|(_, _, d)| d.as_str()).collect();
    // `user.controller.js` and `user.service.js` are one domain, named as they write it.
    assert_eq!(domains, ["auth", "user"].into());
}

#[test]
fn the_plan_as_json_raises_the_score() {
    for fixture in [
        "organize-fastapi-flat",
        "express-layered",
        "organize-rust-misplaced",
        "flat-hobby",
    ] {
        let output = run(&["organize", fixture, "--format", "json"]);
        assert_eq!(code(&output), 0, "{fixture}: {}", stderr(&output));
        let plan: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        let (before, after) = (
            plan["score_before"].as_f64().unwrap(),
            plan["score_after"].as_f64().unwrap(),
        );
        assert!(after >= before + 10.0, "{fixture}: {before} -> {after}");
        assert!(
            !plan["plan"]["moves"].as_array().unwrap().is_empty(),
            "{fixture}"
        );
    }
}

#[test]
fn each_standard_has_its_layout() {
    // The flat app onto each of the three Python standards: the layers of its one domain go
    // where the standard draws them, its database module with the shared code.
    for standard in [
        "modular-monolith",
        "route-modules",
        "fastapi-best-practices",
    ] {
        let output = run(&["organize", "organize-fastapi-flat", "--standard", standard]);
        assert_eq!(code(&output), 0, "{standard}: {}", stderr(&output));
        insta::assert_snapshot!(format!("plan_onto_{standard}"), stdout(&output));
    }
}

#[test]
fn each_standard_is_applied_to_the_predicted_score_and_undone_exactly() {
    for standard in [
        "modular-monolith",
        "route-modules",
        "fastapi-best-practices",
    ] {
        let (_dir, root) = repository("organize-fastapi-flat");
        let before = fingerprint(&root);
        let output = organize_in(&root, &["--standard", standard, "--format", "json"]);
        assert_eq!(code(&output), 0, "{standard}: {}", stderr(&output));
        let plan: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        let predicted = plan["score_after"].as_f64().unwrap();
        assert!(
            predicted >= plan["score_before"].as_f64().unwrap() + 30.0,
            "{standard}: {plan}"
        );
        let output = organize_in(&root, &["--standard", standard, "--apply", "--commit"]);
        assert_eq!(code(&output), 0, "{standard}: {}", stderr(&output));
        let mut audit = crate::support::squarely();
        let audited = audit
            .current_dir(&root)
            .args(["audit", ".", "--standard", standard, "--format", "json"])
            .output()
            .unwrap();
        let report: serde_json::Value = serde_json::from_slice(&audited.stdout).unwrap();
        let audited = report["score"].as_f64().unwrap();
        assert!(
            (audited - predicted).abs() < 0.005,
            "{standard}: {audited} vs {predicted}"
        );
        let output = organize_in(&root, &["--undo"]);
        assert_eq!(code(&output), 0, "{standard}: {}", stderr(&output));
        assert_eq!(fingerprint(&root), before, "{standard}");
    }
}

#[test]
fn an_organized_repository_has_nothing_to_do() {
    let output = run(&["organize", "fastapi-exemplary"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert!(
        stdout(&output).contains("Nothing to do"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn bad_input_is_one_clear_error() {
    for (args, needle) in [
        (vec!["organize", "no-such-dir"], "no-such-dir"),
        (vec!["organize", "README.md"], "is a file"),
        // The Python standards do not lay out a Rust crate.
        (
            vec![
                "organize",
                "organize-rust-misplaced",
                "--standard",
                "route-modules",
            ],
            "`route-modules` lays out Python services and this repository's code is Rust",
        ),
    ] {
        let output = run(&args);
        assert_eq!(code(&output), 2, "{args:?}");
        assert!(
            stderr(&output).contains(needle),
            "{args:?}: {}",
            stderr(&output)
        );
    }
}

/// A copy of a fixture in a fresh git repository with one commit.
fn repository(fixture: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join(fixture);
    copy_dir(&crate::support::fixtures().join(fixture), &root);
    git(&root, &["init", "-q"]);
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-qm", "before organize"]);
    (dir, root)
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Run git with a fixed identity (CI machines have none).
fn git(root: &std::path::Path, args: &[&str]) -> String {
    let output = std::process::Command::new("git")
        .current_dir(root)
        .args(args)
        .envs(identity())
        .output()
        .expect("git runs");
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

fn identity() -> [(&'static str, &'static str); 4] {
    [
        ("GIT_AUTHOR_NAME", "squarely tests"),
        ("GIT_AUTHOR_EMAIL", "tests@example.com"),
        ("GIT_COMMITTER_NAME", "squarely tests"),
        ("GIT_COMMITTER_EMAIL", "tests@example.com"),
    ]
}

/// squarely in `root`, with a git identity.
fn organize_in(root: &std::path::Path, args: &[&str]) -> std::process::Output {
    let mut cmd = crate::support::squarely();
    cmd.current_dir(root)
        .envs(identity())
        .arg("organize")
        .args(args);
    cmd.output().expect("squarely runs")
}

/// Every file below `root` but `.git`: path, mode and bytes.
fn fingerprint(root: &std::path::Path) -> Vec<(String, u32, Vec<u8>)> {
    use std::os::unix::fs::PermissionsExt;
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.file_name().is_some_and(|n| n == ".git") {
                continue;
            }
            let meta = std::fs::symlink_metadata(&path).unwrap();
            let rel = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            if meta.is_dir() {
                out.push((format!("{rel}/"), meta.permissions().mode(), Vec::new()));
                stack.push(path);
            } else {
                out.push((
                    rel,
                    meta.permissions().mode(),
                    std::fs::read(&path).unwrap(),
                ));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn a_byte_order_mark_is_kept_through_an_edit() {
    // Editors on Windows save with a BOM; the edit must match the file and keep it.
    let (_dir, root) = repository("organize-fastapi-flat");
    let routes = root.join("routes.py");
    let mut bytes = b"\xef\xbb\xbf".to_vec();
    bytes.extend(std::fs::read(&routes).unwrap());
    std::fs::write(&routes, &bytes).unwrap();
    git(&root, &["commit", "-qam", "a BOM"]);
    let before = fingerprint(&root);
    let applied = organize_in(&root, &["--apply"]);
    assert_eq!(code(&applied), 0, "{}", stderr(&applied));
    let moved = std::fs::read(root.join("src/notes/router.py")).unwrap();
    assert!(moved.starts_with(b"\xef\xbb\xbf"), "the BOM is kept");
    assert_ne!(moved, bytes, "its imports were rewritten");
    let undone = organize_in(&root, &["--undo"]);
    assert_eq!(code(&undone), 0, "{}", stderr(&undone));
    assert_eq!(fingerprint(&root), before);
}

#[test]
fn apply_then_undo_restores_every_byte() {
    for fixture in [
        "organize-fastapi-flat",
        "express-layered",
        "organize-rust-misplaced",
        "flat-hobby",
    ] {
        let mut applied_without_commits = None;
        for commit in [false, true] {
            let (_dir, root) = repository(fixture);
            let before = fingerprint(&root);
            let mut args = vec!["--apply"];
            if commit {
                args.push("--commit");
            }
            let applied = organize_in(&root, &args);
            assert_eq!(code(&applied), 0, "{fixture}: {}", stderr(&applied));
            let organized = fingerprint(&root);
            assert_ne!(organized, before, "{fixture}: something moved");
            // Edits computed commit by commit end where the plan's edits do.
            match &applied_without_commits {
                None => applied_without_commits = Some(organized),
                Some(plain) => assert_eq!(
                    &organized, plain,
                    "{fixture}: --commit ends on the same tree"
                ),
            }
            let audit = run(&["audit", root.to_str().unwrap(), "--format", "json"]);
            let after: serde_json::Value = serde_json::from_slice(&audit.stdout).unwrap();
            let planned = run(&["organize", fixture, "--format", "json"]);
            let planned: serde_json::Value = serde_json::from_slice(&planned.stdout).unwrap();
            assert_eq!(
                after["score"], planned["score_after"],
                "{fixture}: the score the plan promised"
            );
            let undone = organize_in(&root, &["--undo"]);
            assert_eq!(code(&undone), 0, "{fixture}: {}", stderr(&undone));
            assert_eq!(fingerprint(&root), before, "{fixture} (commit: {commit})");
            assert_eq!(
                git(&root, &["status", "--porcelain"]),
                "",
                "{fixture}: git agrees"
            );
        }
    }
}

#[test]
fn renames_and_edits_are_separate_commits_that_git_follows() {
    let (_dir, root) = repository("express-layered");
    let applied = organize_in(&root, &["--apply", "--commit"]);
    assert_eq!(code(&applied), 0, "{}", stderr(&applied));
    let log = git(&root, &["log", "--format=%s"]);
    assert!(
        log.contains("organize: move the users domain into its module"),
        "{log}"
    );
    let follow = git(
        &root,
        &[
            "log",
            "--follow",
            "--format=%s",
            "--",
            "src/modules/users/users.service.js",
        ],
    );
    assert!(follow.contains("before organize"), "history kept: {follow}");
    // Each domain's renames are followed at once by the edits they need.
    let subjects: Vec<&str> = log.lines().rev().collect();
    for (i, subject) in subjects.iter().enumerate() {
        if let Some(what) = subject.strip_prefix("organize: move ") {
            let next = subjects.get(i + 1).copied().unwrap_or_default();
            assert!(
                next == format!("organize: rewrite the imports broken by: move {what}")
                    || !next.starts_with("organize: rewrite"),
                "{log}"
            );
        }
    }
    assert!(
        log.contains(
            "organize: rewrite the imports broken by: move the users domain into its module"
        ),
        "{log}"
    );
}

#[test]
fn a_crash_half_way_is_undone_exactly() {
    // Steps 1-2 untrack files (the index changes), 3 writes .gitignore, then files move.
    for after_step in [1, 3, 6, 10] {
        let (_dir, root) = repository("organize-rust-misplaced");
        let before = fingerprint(&root);
        let mut cmd = crate::support::squarely();
        let crashed = cmd
            .current_dir(&root)
            .envs(identity())
            .env("SQUARELY_TEST_CRASH_AFTER_STEP", after_step.to_string())
            .args(["organize", "--apply"])
            .output()
            .unwrap();
        assert!(!crashed.status.success(), "the apply was cut short");
        let status = git(&root, &["status", "--porcelain"]);
        assert!(
            fingerprint(&root) != before || !status.is_empty(),
            "step {after_step} happened"
        );
        let undone = organize_in(&root, &["--undo"]);
        assert_eq!(code(&undone), 0, "{}", stderr(&undone));
        assert_eq!(
            fingerprint(&root),
            before,
            "after a crash at step {after_step}"
        );
    }
}

#[test]
fn it_refuses_a_dirty_tree_and_an_undo_that_would_lose_work() {
    let (_dir, root) = repository("organize-rust-misplaced");
    std::fs::write(root.join("src/lib.rs"), "//! edited, not committed\n").unwrap();
    let refused = organize_in(&root, &["--apply"]);
    assert_eq!(code(&refused), 2);
    assert!(
        stderr(&refused).contains("uncommitted changes (src/lib.rs)"),
        "{}",
        stderr(&refused)
    );
    git(&root, &["checkout", "--", "src/lib.rs"]);

    let applied = organize_in(&root, &["--apply"]);
    assert_eq!(code(&applied), 0, "{}", stderr(&applied));
    let mine = root.join("src/modules/user/models.rs");
    std::fs::write(&mine, "// my work after the apply\n").unwrap();
    let refused = organize_in(&root, &["--undo"]);
    assert_eq!(code(&refused), 2);
    assert!(
        stderr(&refused).contains("src/modules/user/models.rs"),
        "{}",
        stderr(&refused)
    );
    assert_eq!(
        std::fs::read_to_string(&mine).unwrap(),
        "// my work after the apply\n"
    );
    let nothing = organize_in(&root, &["--undo"]);
    assert_eq!(code(&nothing), 2, "still refused, nothing lost");
}

#[test]
fn the_plan_as_a_patch_applies_with_git_to_the_same_tree() {
    for fixture in [
        "organize-fastapi-flat",
        "express-layered",
        "organize-rust-misplaced",
        "flat-hobby",
    ] {
        let (_dir, patched) = repository(fixture);
        let output = organize_in(&patched, &["--format", "patch"]);
        assert_eq!(code(&output), 0, "{fixture}: {}", stderr(&output));
        let patch = patched.join("../organize.patch");
        std::fs::write(&patch, &output.stdout).unwrap();
        let text = String::from_utf8(output.stdout).unwrap();
        assert!(text.contains("diff --git a/"), "{fixture}: {text}");
        git(&patched, &["apply", "--index", patch.to_str().unwrap()]);

        let (_dir, applied) = repository(fixture);
        let output = organize_in(&applied, &["--apply"]);
        assert_eq!(code(&output), 0, "{fixture}: {}", stderr(&output));
        assert_eq!(
            fingerprint(&patched),
            fingerprint(&applied),
            "{fixture}: git apply of the patch == organize --apply"
        );
    }
}

#[test]
fn the_text_plan_shows_unified_hunks_with_context() {
    let output = run(&["organize", "organize-fastapi-flat"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let text = stdout(&output);
    let hunk = text
        .lines()
        .find(|line| line.trim_start().starts_with("@@ -"))
        .unwrap_or_else(|| panic!("no hunk header in {text}"));
    assert!(
        hunk.trim_start().contains(" +") && hunk.trim_end().ends_with("@@"),
        "{hunk}"
    );
    assert!(!text.contains("@@ line"), "{text}");
}
