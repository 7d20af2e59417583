//! `--save-baseline` and `--baseline`: gate today, fail only on what gets worse.

use std::path::Path;

use crate::support::{code, copy_fixture, run, stderr, stdout};

/// `squarely audit <dir> [args...]`, with paths as strings.
fn audit(dir: &Path, args: &[&str]) -> std::process::Output {
    let mut all = vec!["audit", dir.to_str().unwrap()];
    all.extend_from_slice(args);
    run(&all)
}

/// A fixture copy with its baseline saved next to it (outside the audited folder).
fn adopted(fixture: &str) -> (tempfile::TempDir, tempfile::TempDir, String) {
    let repo = copy_fixture(fixture);
    let outside = tempfile::tempdir().unwrap();
    let file = outside
        .path()
        .join("baseline.json")
        .to_str()
        .unwrap()
        .to_owned();
    let output = audit(repo.path(), &["--save-baseline", &file, "--format", "json"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert!(
        stderr(&output).contains("baseline saved to"),
        "{}",
        stderr(&output)
    );
    (repo, outside, file)
}

#[test]
fn saving_writes_every_finding_with_a_fingerprint_and_the_gate_still_applies() {
    let repo = copy_fixture("express-layered");
    let outside = tempfile::tempdir().unwrap();
    let file = outside.path().join("b.json");
    let output = audit(
        repo.path(),
        &[
            "--save-baseline",
            file.to_str().unwrap(),
            "--min-score",
            "90",
        ],
    );
    assert_eq!(code(&output), 1, "saving does not lift the gate");
    let saved: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(saved["squarely_baseline"], 1);
    let entry = &saved["reports"][0];
    assert_eq!(entry["standard"], "coditect-backend");
    assert_eq!(entry["service_root"], ".");
    assert_eq!(entry["score"], 56.27);
    assert_eq!(entry["checks"].as_object().unwrap().len(), 20);
    let findings = entry["findings"].as_array().unwrap();
    assert!(findings.len() > 10);
    assert!(findings.iter().all(|f| {
        f["fingerprint"].as_str().is_some_and(|h| h.len() == 16) && f["check"].is_string()
    }));
    assert!(
        findings
            .iter()
            .any(|f| { f["path"] == "src/controllers/orders.controller.js" && f["line"] == 24 })
    );
}

#[test]
fn an_unchanged_repository_passes_below_the_min_score() {
    let (repo, _keep, file) = adopted("express-layered");
    let output = audit(repo.path(), &["--baseline", &file, "--min-score", "90"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert!(stderr(&output).contains("allowed, as it is no worse than the baseline"));
    let text = stdout(&output);
    assert!(text.contains("Baseline ("), "{text}");
    assert!(text.contains("score 56.27 then, 56.27 now; 0 new findings, 0 fixed"));
}

#[test]
fn a_new_finding_fails_and_is_named() {
    let (repo, _keep, file) = adopted("express-layered");
    std::fs::write(repo.path().join("debug.log"), "boom\n").unwrap();
    let output = audit(repo.path(), &["--baseline", &file, "--format", "json"]);
    assert_eq!(code(&output), 1);
    let err = stderr(&output);
    assert!(
        err.contains("has 1 new finding under coditect-backend that the baseline"),
        "{err}"
    );
    assert!(err.contains("root.essential_only  debug.log: `debug.log` at the root is a log file"));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let new = report["baseline"]["new"].as_array().unwrap();
    assert_eq!(new.len(), 1);
    assert_eq!(new[0]["check"], "root.essential_only");
    assert_eq!(new[0]["path"], "debug.log");
    assert_eq!(report["baseline"]["score"], 56.27);
}

#[test]
fn a_lower_score_fails_even_without_a_new_finding() {
    let (repo, _keep, file) = adopted("express-layered");
    // The Dockerfile was worth points; deleting it loses them (a "missing" finding is new
    // too, but the score is what this asserts on).
    std::fs::remove_file(repo.path().join("Dockerfile")).unwrap();
    let output = audit(repo.path(), &["--baseline", &file]);
    assert_eq!(code(&output), 1);
    assert!(
        stderr(&output).contains("below the baseline's 56.27"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn edits_that_move_a_known_violation_do_not_fail() {
    let (repo, _keep, file) = adopted("express-layered");
    let controller = repo.path().join("src/controllers/orders.controller.js");
    let source = std::fs::read_to_string(&controller).unwrap();
    std::fs::write(
        &controller,
        format!("// Orders: list and summary.\n// Reviewed 2026.\n\n{source}"),
    )
    .unwrap();
    let output = audit(repo.path(), &["--baseline", &file, "--format", "json"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let separation = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "src.separation")
        .unwrap();
    assert_eq!(
        separation["findings"][0]["line"], 27,
        "the violation moved three lines down"
    );
    assert_eq!(report["baseline"]["new"].as_array().unwrap().len(), 0);
}

#[test]
fn progress_passes_and_is_counted() {
    let (repo, _keep, file) = adopted("express-layered");
    std::fs::write(
        repo.path().join("LICENSE"),
        "MIT License\n\nCopyright (c) 2026 The authors\n\nPermission is hereby granted, free of charge, to any person obtaining a copy of this software.\n",
    )
    .unwrap();
    // root.docs now reads "2 of 6 present": its other findings keep their fingerprints.
    let output = audit(repo.path(), &["--baseline", &file]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert!(
        stdout(&output).contains("0 new findings, 1 fixed"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn a_baseline_kept_in_the_repository_is_not_itself_a_finding() {
    let repo = copy_fixture("express-layered");
    let inside = repo.path().join(".squarely-baseline.json");
    let inside = inside.to_str().unwrap();
    assert_eq!(code(&audit(repo.path(), &["--save-baseline", inside])), 0);
    let output = audit(repo.path(), &["--baseline", inside]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
}

#[test]
fn a_report_the_baseline_does_not_hold_meets_the_usual_gate() {
    let (repo, _keep, file) = adopted("express-layered");
    let output = audit(
        repo.path(),
        &[
            "--baseline",
            &file,
            "--standard",
            "coditect-backend",
            "--standard",
            "modular-monolith",
            "--min-score",
            "90",
        ],
    );
    assert_eq!(code(&output), 1);
    let err = stderr(&output);
    assert!(
        err.contains("under modular-monolith, below --min-score 90"),
        "{err}"
    );
    assert!(
        err.contains("under coditect-backend, below --min-score 90: allowed"),
        "{err}"
    );
    assert!(
        err.contains("warning: ") && err.contains("holds nothing for "),
        "{err}"
    );
    assert!(stdout(&output).contains("holds nothing for this standard and service"));
}

#[test]
fn bad_baselines_are_refused_with_exit_2_and_one_located_line() {
    let repo = copy_fixture("express-layered");
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_owned()
    };
    let cases = [
        (
            write(
                "broken.json",
                "{\n  \"squarely_baseline\": 1,\n  \"reports\": [\n",
            ),
            ":4:1: EOF while parsing a list".to_owned(),
        ),
        (
            write("report.json", "{\"score\": 56.27}"),
            ": not a squarely baseline".to_owned(),
        ),
        (
            write("future.json", "{\"squarely_baseline\": 2, \"reports\": []}"),
            ": baseline format version 2, this squarely reads version 1".to_owned(),
        ),
        (
            write(
                "typo.json",
                "{\"squarely_baseline\": 1,\n \"reports\": [{\"standard\": \"x\", \"service_root\": \".\", \"score\": \"high\"}]}",
            ),
            ":2:67: invalid type: string \"high\", expected f64".to_owned(),
        ),
        (
            dir.path().join("missing.json").to_str().unwrap().to_owned(),
            ": cannot read the baseline".to_owned(),
        ),
    ];
    for (file, expected) in cases {
        let output = audit(repo.path(), &["--baseline", &file]);
        assert_eq!(code(&output), 2, "{file}");
        let err = stderr(&output);
        assert!(err.contains(&format!("{file}{expected}")), "{file}: {err}");
        assert!(output.stdout.is_empty(), "nothing audited: {file}");
    }
}

#[test]
fn the_baseline_and_a_report_cannot_share_a_file() {
    let repo = copy_fixture("express-layered");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("out.json");
    let file = file.to_str().unwrap();
    let output = audit(
        repo.path(),
        &["--format", "json", "-o", file, "--save-baseline", file],
    );
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("named by both `-o` and `--save-baseline`"));
    assert!(!Path::new(file).exists());
}

#[test]
fn files_to_write_are_checked_before_anything_is_audited() {
    let (repo, keep, file) = adopted("express-layered");
    let here = keep.path();
    let at = |name: &str| here.join(name).to_str().unwrap().to_owned();
    let dot = |name: &str| format!("{}/./{name}", here.display());
    let cases: Vec<(Vec<String>, String)> = vec![
        (
            vec![
                "--baseline".into(),
                file.clone(),
                "--format".into(),
                "json".into(),
                "-o".into(),
                dot("baseline.json"),
            ],
            "`-o` would overwrite the --baseline being read".into(),
        ),
        (
            vec![
                "--format".into(),
                "json".into(),
                "-o".into(),
                at("r.json"),
                "--format".into(),
                "sarif".into(),
                "-o".into(),
                dot("r.json"),
            ],
            "is named by two -o".into(),
        ),
        (
            vec![
                "-o".into(),
                at("r.json"),
                "--save-baseline".into(),
                dot("r.json"),
            ],
            "named by both `-o` and `--save-baseline`".into(),
        ),
        (
            vec!["-o".into(), at("missing/r.json")],
            format!(
                "cannot write there: the folder {} does not exist",
                at("missing")
            ),
        ),
        (
            vec!["--save-baseline".into(), here.to_str().unwrap().to_owned()],
            "`--save-baseline` names a folder".into(),
        ),
    ];
    let before = std::fs::read(&file).unwrap();
    for (args, expected) in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let output = audit(repo.path(), &args);
        assert_eq!(code(&output), 2, "{args:?}: {}", stderr(&output));
        assert!(
            stderr(&output).contains(&expected),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(output.stdout.is_empty());
        assert!(!here.join("r.json").exists(), "{args:?}");
    }
    assert_eq!(
        std::fs::read(&file).unwrap(),
        before,
        "the baseline is untouched"
    );
}

#[test]
fn a_worse_run_is_not_saved_over_the_baseline() {
    let (repo, _keep, file) = adopted("express-layered");
    let before = std::fs::read(&file).unwrap();
    std::fs::write(repo.path().join("junk.log"), "boom\n").unwrap();
    let output = audit(
        repo.path(),
        &["--baseline", &file, "--save-baseline", &file],
    );
    assert_eq!(code(&output), 1);
    assert!(
        stderr(&output).contains("the baseline was not saved to"),
        "{}",
        stderr(&output)
    );
    assert_eq!(std::fs::read(&file).unwrap(), before);
    // A better run ratchets it.
    std::fs::remove_file(repo.path().join("junk.log")).unwrap();
    std::fs::write(repo.path().join("LICENSE"), "MIT License\n\nCopyright (c) 2026 The authors\n\nPermission is hereby granted, free of charge, to any person obtaining a copy.\n").unwrap();
    let output = audit(
        repo.path(),
        &["--baseline", &file, "--save-baseline", &file],
    );
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_ne!(std::fs::read(&file).unwrap(), before);
}

#[test]
fn routine_edits_keep_known_findings_known() {
    let (repo, _keep, file) = adopted("express-layered");
    // A second test file in the flat tests/ folder: the tier finding shown on the first
    // test file is still the same finding.
    std::fs::copy(
        repo.path().join("tests/users.test.js"),
        repo.path().join("tests/auth.test.js"),
    )
    .unwrap();
    // A renamed column in the known raw query, on the same line.
    let controller = repo.path().join("src/controllers/orders.controller.js");
    let source = std::fs::read_to_string(&controller).unwrap();
    std::fs::write(
        &controller,
        source.replace("SELECT status,", "SELECT state,"),
    )
    .unwrap();
    let output = audit(repo.path(), &["--baseline", &file]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
}

#[test]
fn a_baseline_that_holds_nothing_for_the_run_is_an_error_and_a_partial_one_warns() {
    let repo = copy_fixture("workspace");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("b.json");
    let file = file.to_str().unwrap();
    let root = repo.path();
    assert_eq!(
        code(&audit(root, &["--workspace", "--save-baseline", file])),
        0
    );
    // Audited from the service folder, the service root is `.`: nothing matches.
    let output = audit(&root.join("services/billing"), &["--baseline", file]);
    assert_eq!(code(&output), 2);
    let err = stderr(&output);
    assert!(err.contains("the baseline holds nothing this run audits (it holds coditect-backend at service root `services/billing`, coditect-backend at service root `services/users`; this run audits coditect-backend at service root `.`)"), "{err}");
    assert!(output.stdout.is_empty());
    // Without --workspace one service is audited: the other entry is named.
    let output = audit(root, &["--baseline", file]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert!(
        stderr(&output).contains(
            "holds coditect-backend at service root `services/users`, which this run did not audit"
        ),
        "{}",
        stderr(&output)
    );
    // A standard the baseline does not hold: warned, and gated as usual.
    let output = audit(
        root,
        &[
            "--workspace",
            "--baseline",
            file,
            "--standard",
            "coditect-backend",
            "--standard",
            "modular-monolith",
        ],
    );
    assert!(
        stderr(&output).contains("holds nothing for ")
            && stderr(&output).contains("modular-monolith at service root"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn github_says_when_the_score_dropped() {
    let (repo, _keep, file) = adopted("express-layered");
    std::fs::remove_file(repo.path().join("Dockerfile")).unwrap();
    let output = audit(repo.path(), &["--baseline", &file, "--format", "github"]);
    assert_eq!(code(&output), 1);
    assert!(
        stdout(&output).contains("below the baseline's 56.27"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn github_annotations_show_only_what_the_baseline_does_not_hold() {
    let (repo, _keep, file) = adopted("express-layered");
    let annotations = |output: &std::process::Output| {
        stdout(output)
            .lines()
            .filter(|l| l.starts_with("::error file") || l.starts_with("::warning"))
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    let unchanged = audit(repo.path(), &["--format", "github", "--baseline", &file]);
    assert_eq!(code(&unchanged), 0);
    assert_eq!(annotations(&unchanged), Vec::<String>::new());
    let without = audit(repo.path(), &["--format", "github"]);
    assert!(
        annotations(&without).len() > 10,
        "every finding without a baseline"
    );

    std::fs::write(repo.path().join("debug.log"), "boom\n").unwrap();
    let worse = audit(repo.path(), &["--format", "github", "--baseline", &file]);
    assert_eq!(code(&worse), 1);
    assert_eq!(
        annotations(&worse),
        [
            "::error file=debug.log,title=root.essential_only — Only essential files in root (max 25 items) (new since the baseline)::`debug.log` at the root is a log file. Fix: Untrack it and add it to .gitignore"
        ]
    );
}

#[test]
fn markdown_says_how_the_run_compares_with_the_baseline() {
    let (repo, _keep, file) = adopted("express-layered");
    std::fs::write(repo.path().join("debug.log"), "boom\n").unwrap();
    let output = audit(repo.path(), &["--format", "markdown", "--baseline", &file]);
    let markdown = stdout(&output);
    assert!(markdown.contains("### Baseline · ❌ worse"), "{markdown}");
    assert!(markdown.contains("56.27 then, 55.27 now in "), "{markdown}");
    assert!(
        markdown.contains(
            "| `root.essential_only` | `debug.log` at the root is a log file | `debug.log` |"
        ),
        "{markdown}"
    );
}

#[test]
fn junit_fails_only_the_checks_with_new_findings() {
    let (repo, _keep, file) = adopted("express-layered");
    let failures = |xml: &str| -> Vec<String> {
        let mut reader = quick_xml::Reader::from_str(xml);
        let (mut case, mut failed) = (String::new(), Vec::new());
        loop {
            match reader.read_event().expect("well-formed XML") {
                quick_xml::events::Event::Start(e) if e.name().as_ref() == b"testcase" => {
                    let name = e.try_get_attribute("name").unwrap().unwrap();
                    case = name.unescape_value().unwrap().into_owned();
                }
                quick_xml::events::Event::Empty(e) | quick_xml::events::Event::Start(e)
                    if e.name().as_ref() == b"failure" =>
                {
                    failed.push(case.split(' ').next().unwrap().to_owned());
                }
                quick_xml::events::Event::Eof => break,
                _ => {}
            }
        }
        failed
    };
    let junit = [
        "--baseline",
        &file,
        "--format",
        "junit",
        "--junit-fail-on",
        "partial",
    ];
    let unchanged = audit(repo.path(), &junit);
    assert_eq!(code(&unchanged), 0);
    let xml = stdout(&unchanged);
    assert_eq!(failures(&xml), Vec::<String>::new());
    assert!(
        xml.lines().nth(1).unwrap().contains(r#" failures="0""#),
        "{xml}"
    );
    assert!(xml.contains("no worse than the baseline"), "{xml}");

    std::fs::write(repo.path().join("debug.log"), "boom\n").unwrap();
    let worse = audit(repo.path(), &junit);
    assert_eq!(code(&worse), 1);
    let xml = stdout(&worse);
    assert_eq!(failures(&xml), ["gate", "root.essential_only"]);
    assert!(xml.contains("1 new since the baseline: `debug.log` at the root is a log file"));
    // By default the gate's test case is the only failure, and lists the new finding.
    let default = audit(repo.path(), &["--baseline", &file, "--format", "junit"]);
    let xml = stdout(&default);
    assert_eq!(failures(&xml), ["gate"]);
    assert!(xml.contains("root.essential_only  debug.log"), "{xml}");
}

#[test]
fn outputs_never_overwrite_the_baseline_through_a_link_or_the_configuration() {
    let (repo, keep, file) = adopted("express-layered");
    let before = std::fs::read(&file).unwrap();
    #[cfg(unix)]
    {
        let link = keep.path().join("link.json");
        std::os::unix::fs::symlink(&file, &link).unwrap();
        let output = audit(
            repo.path(),
            &[
                "--baseline",
                &file,
                "--format",
                "json",
                "-o",
                link.to_str().unwrap(),
            ],
        );
        assert_eq!(code(&output), 2, "{}", stderr(&output));
        // Refused before anything else: squarely never writes through a link.
        assert!(
            stderr(&output).contains("a symbolic link; squarely never writes through a link"),
            "{}",
            stderr(&output)
        );
    }
    // The baseline named by .squarely.yaml (relative to it).
    std::fs::create_dir_all(repo.path().join(".git")).unwrap();
    std::fs::copy(&file, repo.path().join("b.json")).unwrap();
    std::fs::write(repo.path().join(".squarely.yaml"), "baseline: b.json\n").unwrap();
    let inside = repo.path().join("b.json");
    let output = audit(
        repo.path(),
        &["--format", "json", "-o", inside.to_str().unwrap()],
    );
    assert_eq!(code(&output), 2, "{}", stderr(&output));
    assert!(
        stderr(&output).contains("`-o` would overwrite the baseline being read"),
        "{}",
        stderr(&output)
    );
    assert_eq!(std::fs::read(&inside).unwrap(), before);
    assert_eq!(std::fs::read(&file).unwrap(), before);
}
