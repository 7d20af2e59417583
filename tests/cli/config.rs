//! `.squarely.yaml` and `squarely init`, end to end: how the file is found, what each key
//! does to an audit, how mistakes in it are reported, and what `init` writes.

use std::path::{Path, PathBuf};
use std::process::Output;

use tempfile::TempDir;

use crate::support::{check, code, copy_tree, fixtures, squarely, stderr, stdout};

/// `fixture` copied to `<tmp>/repo`, with a `.git` folder (the top of the repository) and,
/// unless `config` is empty, a `.squarely.yaml` holding it.
fn project(fixture: &str, config: &str) -> (TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let root = dir.path().join("repo");
    copy_tree(&fixtures().join(fixture), &root);
    std::fs::create_dir_all(root.join(".git")).expect("mkdir .git");
    if !config.is_empty() {
        std::fs::write(root.join(".squarely.yaml"), config).expect("write the configuration");
    }
    (dir, root)
}

/// Run squarely in `cwd`.
fn run_in(cwd: &Path, args: &[&str]) -> Output {
    squarely()
        .current_dir(cwd)
        .env_remove("SOURCE_DATE_EPOCH")
        .args(args)
        .output()
        .expect("squarely runs")
}

/// `squarely audit --format json` in `cwd`, with the exit code expected.
fn json_in(cwd: &Path, extra: &[&str], expected: i32) -> serde_json::Value {
    let mut args = vec!["audit", "--format", "json"];
    args.extend_from_slice(extra);
    let output = run_in(cwd, &args);
    assert_eq!(code(&output), expected, "stderr: {}", stderr(&output));
    serde_json::from_slice(&output.stdout).expect("one JSON object")
}

fn score(report: &serde_json::Value) -> f64 {
    report["score"].as_f64().expect("a score")
}

/// Exit 2, and standard error names each of `needles`; nothing on standard output.
fn assert_config_error(output: &Output, needles: &[&str]) {
    assert_eq!(code(output), 2, "stderr: {}", stderr(output));
    let err = stderr(output);
    for needle in needles {
        assert!(err.contains(needle), "`{needle}` not in: {err}");
    }
    assert!(!err.contains("panicked"), "{err}");
    assert!(output.stdout.is_empty());
}

const SEPARATION_FINDING: &str = "src/controllers/orders.controller.js";

// --- finding the file -----------------------------------------------------------------------

#[test]
fn the_configuration_is_found_upward_but_not_above_the_repository() {
    let (dir, root) = project("express-layered", "min-score: 99\n");
    // From a folder inside the repository, auditing it: the root's file counts.
    let output = run_in(&root.join("src"), &["audit"]);
    assert_eq!(code(&output), 1, "stderr: {}", stderr(&output));
    assert!(
        stderr(&output).contains("below min-score 99 (in "),
        "{}",
        stderr(&output)
    );
    assert!(stderr(&output).contains(".squarely.yaml)"));
    // A file above the top of the repository (`.git`) is never read.
    std::fs::remove_file(root.join(".squarely.yaml")).unwrap();
    std::fs::write(dir.path().join(".squarely.yaml"), "min-score: 99\n").unwrap();
    let output = run_in(&root, &["audit"]);
    assert_eq!(code(&output), 0, "stderr: {}", stderr(&output));
}

#[test]
fn config_names_another_file_and_wins_over_the_one_found() {
    let (dir, root) = project("express-layered", "min-score: 0\n");
    std::fs::create_dir_all(dir.path().join("ci")).unwrap();
    let other = dir.path().join("ci/gate.yaml");
    std::fs::write(&other, "min-score: 99\n").unwrap();
    let output = run_in(&root, &["audit", "--config", other.to_str().unwrap()]);
    assert_eq!(code(&output), 1, "stderr: {}", stderr(&output));
    assert!(
        stderr(&output).contains("ci/gate.yaml)"),
        "{}",
        stderr(&output)
    );
    let output = run_in(&root, &["audit", "--config", "missing.yaml"]);
    assert_config_error(
        &output,
        &["error: missing.yaml: no such configuration file"],
    );
}

// --- each key -------------------------------------------------------------------------------

#[test]
fn standards_apply_when_no_standard_flag_is_given() {
    let (_dir, root) = project("express-layered", "standards: [modular-monolith]\n");
    let report = json_in(&root, &[], 0);
    assert_eq!(report["standard"]["id"], "modular-monolith");
    // The flag wins.
    let report = json_in(&root, &["--standard", "coditect-backend"], 0);
    assert_eq!(report["standard"]["id"], "coditect-backend");
    // A rule-set file is relative to the configuration, not to the current directory.
    std::fs::create_dir_all(root.join("rules")).unwrap();
    std::fs::write(
        root.join("rules/team.yaml"),
        "id: team\nname: Team rules\nversion: \"1\"\nextends: coditect-backend\ndisable: [infra.ci]\n",
    )
    .unwrap();
    std::fs::write(
        root.join(".squarely.yaml"),
        "standards: [rules/team.yaml]\n",
    )
    .unwrap();
    let report = json_in(&root.join("src"), &[".."], 0);
    assert_eq!(report["standard"]["id"], "team");
}

#[test]
fn min_score_gates_unless_the_flag_says_otherwise() {
    let (_dir, root) = project("express-layered", "min-score: 90\n");
    let output = run_in(&root, &["audit"]);
    assert_eq!(code(&output), 1, "stderr: {}", stderr(&output));
    assert!(
        stderr(&output).contains("under coditect-backend, below min-score 90 (in .squarely.yaml)"),
        "{}",
        stderr(&output)
    );
    let output = run_in(&root, &["audit", "--min-score", "50"]);
    assert_eq!(code(&output), 0, "stderr: {}", stderr(&output));
    std::fs::write(root.join(".squarely.yaml"), "min-score: 50\n").unwrap();
    assert_eq!(code(&run_in(&root, &["audit"])), 0);
}

#[test]
fn a_category_below_its_floor_fails_the_gate_and_is_named() {
    // express-layered: Documentation 7 of 25, Root Directory 15.33 of 25.
    let (_dir, root) = project("express-layered", "floors:\n  docs: 10\n  root: 15\n");
    let output = run_in(&root, &["audit"]);
    assert_eq!(code(&output), 1, "stderr: {}", stderr(&output));
    let err = stderr(&output);
    assert!(
        err.contains(
            "scores 7.00 of 25 in category `docs` (Documentation) under coditect-backend, below its floor of 10 (in .squarely.yaml)"
        ),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "only docs is below: {err}");
    // A floor the category meets passes; --min-score does not lift floors.
    std::fs::write(root.join(".squarely.yaml"), "floors: {docs: 7}\n").unwrap();
    assert_eq!(code(&run_in(&root, &["audit", "--min-score", "0"])), 0);
}

#[test]
fn ignored_paths_are_left_out_of_the_audit() {
    let (_dir, root) = project("flat-hobby", "");
    let before = json_in(&root, &[], 0);
    let misplaced = |report: &serde_json::Value| {
        crate::support::locations(check(report, "root.essential_only"), "findings")
    };
    assert!(misplaced(&before).contains(&"notes.tmp".to_owned()));
    assert!(misplaced(&before).contains(&"__pycache__".to_owned()));
    std::fs::write(
        root.join(".squarely.yaml"),
        "ignore:\n  - \"*.tmp\"\n  - __pycache__/**\n",
    )
    .unwrap();
    let after = json_in(&root, &[], 0);
    assert!(!misplaced(&after).contains(&"notes.tmp".to_owned()));
    assert!(!misplaced(&after).contains(&"__pycache__".to_owned()));
    assert!(
        misplaced(&after).contains(&"debug.log".to_owned()),
        "only what the globs match"
    );
}

#[test]
fn a_check_waiver_gives_full_points_with_status_n_a() {
    let (_dir, root) = project("express-layered", "");
    let before = json_in(&root, &[], 0);
    assert_eq!(check(&before, "infra.ci")["status"], "fail");
    std::fs::write(
        root.join(".squarely.yaml"),
        "waivers:\n  - check: infra.ci\n    reason: CI runs in the platform repository\n",
    )
    .unwrap();
    let after = json_in(&root, &[], 0);
    let ci = check(&after, "infra.ci");
    assert_eq!(ci["status"], "n/a");
    assert_eq!(ci["score"], 5.0);
    assert_eq!(ci["summary"], "waived: CI runs in the platform repository");
    assert_eq!(ci["reason"], "waived: CI runs in the platform repository");
    assert_eq!(ci["findings"].as_array().unwrap().len(), 0);
    assert_eq!(
        ci["waived"][0]["waiver"],
        "CI runs in the platform repository"
    );
    assert!((score(&after) - score(&before) - 5.0).abs() < 0.01);
    assert!(
        !after["fixes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["check"] == "infra.ci")
    );
}

#[test]
fn a_finding_waiver_with_path_and_line_gives_its_points_back() {
    let (_dir, root) = project(
        "express-layered",
        "waivers:\n  - check: src.separation\n    path: src/controllers/*.js\n    line: 24\n    reason: the report query moves to a repository in Q3\n",
    );
    let report = json_in(&root, &[], 0);
    let separation = check(&report, "src.separation");
    assert_eq!(separation["status"], "pass");
    assert_eq!(separation["score"], 5.0);
    assert_eq!(
        crate::support::locations(separation, "waived"),
        [format!("{SEPARATION_FINDING}:24")]
    );
    assert_eq!(
        separation["waived"][0]["waiver"],
        "the report query moves to a repository in Q3"
    );
    assert!(report["notices"].as_array().unwrap().is_empty());
    // Another line waives nothing, and the report says so.
    std::fs::write(
        root.join(".squarely.yaml"),
        "waivers:\n  - check: src.separation\n    path: src/controllers/*.js\n    line: 23\n    reason: wrong line\n",
    )
    .unwrap();
    let report = json_in(&root, &[], 0);
    assert_eq!(check(&report, "src.separation")["score"], 4.44);
    let notice = &report["notices"][0];
    assert_eq!(notice["path"], ".squarely.yaml");
    assert!(
        notice["message"]
            .as_str()
            .unwrap()
            .contains("waives nothing: no finding of `src.separation` matches `src/controllers/*.js` on line 23"),
        "{notice}"
    );
}

#[test]
fn an_expired_waiver_stops_counting_and_says_so() {
    let config = "waivers:\n  - check: infra.ci\n    reason: until the pipeline moves\n    expires: 2025-03-31\n";
    let (_dir, root) = project("express-layered", config);
    let at = |epoch: &str| {
        squarely()
            .current_dir(&root)
            .env("SOURCE_DATE_EPOCH", epoch)
            .args(["audit", "--format", "json"])
            .output()
            .expect("squarely runs")
    };
    // 2025-03-31 12:00 UTC: the last day it counts.
    let output = at("1743422400");
    assert_eq!(code(&output), 0);
    assert!(stderr(&output).is_empty(), "{}", stderr(&output));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(check(&report, "infra.ci")["status"], "n/a");
    // 2025-04-01 00:00 UTC: expired.
    let output = at("1743465600");
    assert_eq!(code(&output), 0);
    assert_eq!(
        stderr(&output).trim(),
        ".squarely.yaml:2:12: warning: the waiver of `infra.ci` expired on 2025-03-31 and no longer counts: fix what it waived, or renew it with a later `expires`"
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(check(&report, "infra.ci")["status"], "fail");
    assert_eq!(
        report["notices"][0],
        serde_json::json!({
            "path": ".squarely.yaml",
            "message": "the waiver of `infra.ci` (line 2) expired on 2025-03-31 and no longer counts"
        })
    );
    // The text report shows the notice too.
    let output = squarely()
        .current_dir(&root)
        .env("SOURCE_DATE_EPOCH", "1743465600")
        .arg("audit")
        .output()
        .unwrap();
    assert!(
        stdout(&output).contains(
            "  .squarely.yaml: the waiver of `infra.ci` (line 2) expired on 2025-03-31 and no longer counts"
        ),
        "{}",
        stdout(&output)
    );
}

// --- mistakes -------------------------------------------------------------------------------

#[test]
fn mistakes_in_the_file_exit_2_with_file_line_and_column() {
    let cases: [(&str, &[&str]); 8] = [
        (
            "waivers:\n  - check: infra.ci\n",
            &[".squarely.yaml:2:5: error: missing field `reason`"],
        ),
        (
            "waivers:\n  - check: infra.ci\n    reason: \"\"\n",
            &[".squarely.yaml:3:13: error: the waiver of `infra.ci` needs a reason"],
        ),
        (
            "waivers:\n  - check: infra.cj\n    reason: later\n",
            &[".squarely.yaml:2:12: error: unknown check `infra.cj` (did you mean `infra.ci`"],
        ),
        (
            "waivers:\n  - check: infra.ci\n    reason: later\n    expires: 31/12/2025\n",
            &[
                ".squarely.yaml:4:14: error: `31/12/2025` is not a date: write the last day the waiver counts as YYYY-MM-DD",
            ],
        ),
        (
            "min-score: 80\nfloor:\n  docs: 10\n",
            &[
                ".squarely.yaml:2:1: error: unknown field `floor`, expected one of `standards`, `min-score`, `floors`, `ignore`, `waivers`, `baseline`, `workspace`",
            ],
        ),
        (
            "floors:\n  documentation: 10\n",
            &[".squarely.yaml:2:3: error: unknown category `documentation`"],
        ),
        (
            "baseline: \"  \"\n",
            &[".squarely.yaml:1:11: error: empty baseline"],
        ),
        (
            "workspace: yes please\n",
            &[".squarely.yaml:1:12: error: invalid type"],
        ),
    ];
    for (config, needles) in cases {
        let (_dir, root) = project("flat-hobby", config);
        let output = run_in(&root, &["audit"]);
        assert_config_error(&output, needles);
        assert_eq!(stderr(&output).lines().count(), 1, "{}", stderr(&output));
    }
    // Every mistake at once, with a count.
    let (_dir, root) = project(
        "flat-hobby",
        "min-score: 120\nwaivers:\n  - check: nope\n    reason: x\n",
    );
    let output = run_in(&root, &["audit"]);
    assert_config_error(
        &output,
        &[
            ".squarely.yaml:1:12: error: min-score 120 is outside 0-100",
            ".squarely.yaml:3:12: error: unknown check `nope`",
            "error: the configuration has 2 errors; nothing was audited",
        ],
    );
}

#[test]
fn baseline_and_workspace_in_the_file_act_like_the_flags() {
    let (_dir, root) = project(
        "workspace",
        "min-score: 95\nworkspace: true\nbaseline: ci/baseline.json\n",
    );
    std::fs::create_dir_all(root.join("ci")).unwrap();
    // The baseline named by the file does not exist yet: exit 2, named as the file names it.
    let output = run_in(&root, &["audit"]);
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("ci/baseline.json: cannot read the baseline"),
        "{}",
        stderr(&output)
    );
    // Saved (from a sub-folder: the file's paths are relative to the file, not the cwd).
    let saved = run_in(
        &root.join("services"),
        &["audit", "..", "--save-baseline", "../ci/baseline.json"],
    );
    assert_eq!(code(&saved), 1, "saving does not lift min-score");
    let err = stderr(&saved);
    assert!(err.contains("../services/billing scores"), "{err}");
    assert!(err.contains("../services/users scores"), "{err}");
    let output = run_in(&root.join("services"), &["audit", "..", "--format", "json"]);
    assert_eq!(
        code(&output),
        0,
        "no worse than the baseline: {}",
        stderr(&output)
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        report["workspace"]["services"].as_array().map(Vec::len),
        Some(2)
    );
    assert_eq!(
        report["reports"][1]["baseline"]["new"],
        serde_json::json!([])
    );
    // --baseline wins over the file's.
    let output = run_in(&root, &["audit", "--baseline", "missing.json"]);
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("missing.json: cannot read the baseline"));
}

// --- init -----------------------------------------------------------------------------------

#[test]
fn init_writes_a_file_that_audit_reads_and_never_overwrites_it() {
    let (_dir, root) = project("express-layered", "");
    std::fs::create_dir_all(root.join("vendor/chart")).unwrap();
    std::fs::write(root.join("vendor/chart/chart.js"), "export default 1;\n").unwrap();
    let output = run_in(&root, &["init"]);
    assert_eq!(code(&output), 0, "stderr: {}", stderr(&output));
    assert!(
        stdout(&output)
            .starts_with("Wrote .squarely.yaml: standard coditect-backend, min-score 55"),
        "{}",
        stdout(&output)
    );
    let written = std::fs::read_to_string(root.join(".squarely.yaml")).unwrap();
    assert!(
        written.contains("standards:\n  - coditect-backend\n"),
        "{written}"
    );
    assert!(written.contains("min-score: 55\n"), "{written}");
    assert!(written.contains("ignore:\n  - \"vendor\"\n"), "{written}");
    assert!(written.contains("waivers:\n#   - check: "), "{written}");
    // What init wrote, audit reads: the gate passes today, vendor/ is left out.
    let report = json_in(&root, &[], 0);
    assert!(score(&report) >= 50.0);
    assert!(
        !crate::support::locations(check(&report, "root.essential_only"), "findings")
            .iter()
            .any(|p| p.starts_with("vendor"))
    );
    // Never overwritten.
    let output = run_in(&root, &["init"]);
    assert_config_error(
        &output,
        &["error: .squarely.yaml: already exists; squarely init never overwrites it"],
    );
    assert_eq!(
        std::fs::read_to_string(root.join(".squarely.yaml")).unwrap(),
        written
    );
}

#[test]
fn init_dry_run_prints_the_file_and_writes_nothing() {
    let (_dir, root) = project("express-layered", "");
    let output = squarely()
        .current_dir(&root)
        .env("SOURCE_DATE_EPOCH", "1767225600")
        .args(["init", "--dry-run"])
        .output()
        .unwrap();
    assert_eq!(code(&output), 0, "stderr: {}", stderr(&output));
    assert!(!root.join(".squarely.yaml").exists());
    insta::assert_snapshot!("init-express-layered", stdout(&output));
    // `init PATH` works from elsewhere.
    let output = squarely()
        .args(["init", "--dry-run", root.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(code(&output), 0, "stderr: {}", stderr(&output));
    assert!(stdout(&output).contains("min-score: 55\n"));
}
