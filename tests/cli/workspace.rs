//! `--workspace`: every backend project of a monorepo scored, reported and gated.

use quick_xml::events::Event;

use crate::support::{code, copy_fixture, run, stderr, stdout};

/// `squarely audit workspace --workspace [extra...]`.
fn workspace(extra: &[&str]) -> std::process::Output {
    let mut args = vec!["audit", "workspace", "--workspace"];
    args.extend_from_slice(extra);
    run(&args)
}

fn json(output: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).expect("one JSON object")
}

/// The scores of each service, from a JSON workspace report.
fn scores(report: &serde_json::Value) -> Vec<(String, f64)> {
    report["reports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["detection"]["service_root"].as_str().unwrap().to_owned(),
                r["score"].as_f64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn every_backend_project_is_scored_and_the_front_end_is_not() {
    let output = workspace(&["--format", "json"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let report = json(&output);
    let scores = scores(&report);
    let roots: Vec<&str> = scores.iter().map(|(root, _)| root.as_str()).collect();
    assert_eq!(roots, ["services/billing", "services/users"]);
    // Each report judges its own service: the Python one found FastAPI, the Node one Express.
    let frameworks = |i: usize| report["reports"][i]["detection"]["frameworks"].clone();
    assert!(
        frameworks(0)
            .as_array()
            .unwrap()
            .contains(&"fastapi".into())
    );
    assert!(
        frameworks(1)
            .as_array()
            .unwrap()
            .contains(&"express".into())
    );
    // The aggregate is the mean, and names the lowest.
    let aggregate = &report["workspace"]["standards"][0];
    assert_eq!(aggregate["standard"], "coditect-backend");
    assert_eq!(aggregate["services"], 2);
    let mean = f64::midpoint(scores[0].1, scores[1].1);
    assert!((aggregate["score"].as_f64().unwrap() - mean).abs() < 0.006);
    let lowest = scores.iter().min_by(|a, b| a.1.total_cmp(&b.1)).unwrap();
    assert_eq!(aggregate["lowest"]["root"], lowest.0.as_str());
    assert_eq!(report["workspace"]["services"].as_array().unwrap().len(), 2);
    // Every project, the front end included, is listed once, in the aggregate; each report
    // lists its own project only, so the output stays linear in the services.
    let listed: Vec<&str> = aggregate["projects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["root"].as_str().unwrap())
        .collect();
    assert!(listed.contains(&"web"), "{listed:?}");
    assert!(listed.contains(&"services/billing") && listed.contains(&"services/users"));
    for (i, (root, _)) in scores.iter().enumerate() {
        let own = &report["reports"][i]["detection"]["projects"];
        assert_eq!(own.as_array().unwrap().len(), 1, "{own}");
        assert_eq!(own[0]["root"], root.as_str());
        assert_eq!(own[0]["kind"], "backend");
    }
}

#[test]
fn without_workspace_one_service_is_picked_as_before() {
    let output = run(&["audit", "workspace", "--format", "json"]);
    assert_eq!(code(&output), 0);
    let report = json(&output);
    assert!(report.get("workspace").is_none());
    assert_eq!(report["detection"]["service_root"], "services/billing");
}

#[test]
fn the_gate_applies_to_each_service_and_names_the_ones_below() {
    let report = json(&workspace(&["--format", "json"]));
    let scores = scores(&report);
    let (low, high) = if scores[0].1 < scores[1].1 {
        (&scores[0], &scores[1])
    } else {
        (&scores[1], &scores[0])
    };
    let between = format!("{:.2}", f64::midpoint(low.1, high.1));
    let output = workspace(&["--min-score", &between]);
    assert_eq!(code(&output), 1);
    let err = stderr(&output);
    assert!(
        err.contains(&format!("workspace/{} scores {:.2}", low.0, low.1)),
        "{err}"
    );
    assert!(!err.contains(&high.0), "{err}");
    // The mean is above the lowest: the gate is not on the aggregate.
    let below_all = format!("{:.2}", low.1 - 1.0);
    assert_eq!(code(&workspace(&["--min-score", &below_all])), 0);
}

#[test]
fn the_text_report_ends_with_the_workspace() {
    let output = workspace(&[]);
    let text = stdout(&output);
    let tail = &text[text
        .find("Workspace: 2 reports")
        .expect("a workspace section")..];
    insta::assert_snapshot!("workspace-text-tail", tail);
    // Each report says which service it judged.
    assert_eq!(text.matches("service   services/").count(), 2);
}

#[test]
fn every_format_tells_the_services_apart() {
    // SARIF: a run per service, each with its own category, valid for code scanning.
    let sarif: serde_json::Value =
        serde_json::from_slice(&workspace(&["--format", "sarif"]).stdout).unwrap();
    let ids: Vec<&str> = sarif["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|run| run["automationDetails"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        ["squarely/services/billing/", "squarely/services/users/"]
    );
    assert_eq!(
        sarif["runs"][1]["properties"]["serviceRoot"],
        "services/users"
    );
    crate::formats::assert_valid_sarif(&sarif);

    // JUnit: the suites are named after the service.
    let junit = stdout(&workspace(&["--format", "junit"]));
    let mut reader = quick_xml::Reader::from_str(&junit);
    let mut suites = Vec::new();
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) if e.name().as_ref() == b"testsuite" => {
                let name = e.try_get_attribute("name").unwrap().unwrap();
                suites.push(name.unescape_value().unwrap().into_owned());
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(suites.len(), 8, "4 categories x 2 services: {suites:?}");
    assert!(suites.contains(&"services/users: Root Directory".to_owned()));

    // Markdown: the aggregate first, then a section per service.
    let markdown = stdout(&workspace(&["--format", "markdown"]));
    assert!(
        markdown.starts_with("## ❌ squarely workspace: mean "),
        "{markdown}"
    );
    assert!(markdown.contains("| `services/billing` | `coditect-backend` |"));
    assert!(markdown.contains("squarely: services/users · "));

    // GitHub: a notice per service and one for the workspace; a root document missing for
    // both services is one annotation, a folder missing in each is one per service.
    let github = stdout(&workspace(&["--format", "github"]));
    assert_eq!(github.matches("workspace/LICENSE,").count(), 1, "{github}");
    assert!(
        github.contains("title=services/billing%3A src.migrations"),
        "{github}"
    );
    assert!(
        github.contains("title=services/users%3A src.migrations"),
        "{github}"
    );
    assert!(github.contains("::notice title=squarely audit workspace/services/users::"));
    assert!(github.contains("::notice title=squarely workspace::Mean score "));
}

#[test]
fn a_baseline_is_kept_per_service() {
    let repo = copy_fixture("workspace");
    let dir = tempfile::tempdir().unwrap();
    let baseline = dir.path().join("b.json");
    let (repo_path, baseline) = (repo.path().to_str().unwrap(), baseline.to_str().unwrap());
    let saved = run(&[
        "audit",
        repo_path,
        "--workspace",
        "--save-baseline",
        baseline,
    ]);
    assert_eq!(code(&saved), 0, "{}", stderr(&saved));
    let file: serde_json::Value =
        serde_json::from_slice(&std::fs::read(baseline).unwrap()).unwrap();
    let roots: Vec<&str> = file["reports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["service_root"].as_str().unwrap())
        .collect();
    assert_eq!(roots, ["services/billing", "services/users"]);

    // A violation in one service fails the gate and names that service only.
    std::fs::write(
        repo.path()
            .join("services/users/src/services/users.service.js"),
        "const express = require('express');\nconst User = require('../models/user.model');\n\nasync function find(id) {\n  return User.find(id);\n}\n\nmodule.exports = { find, express };\n",
    )
    .unwrap();
    let output = run(&[
        "audit",
        repo_path,
        "--workspace",
        "--baseline",
        baseline,
        "--min-score",
        "90",
    ]);
    assert_eq!(code(&output), 1);
    let err = stderr(&output);
    assert!(
        err.contains("/services/users has 1 new finding under coditect-backend"),
        "{err}"
    );
    assert!(
        err.contains("services/users/src/services/users.service.js:1:"),
        "{err}"
    );
    assert!(
        err.contains("/services/billing scores") && err.contains("allowed"),
        "billing is held to its baseline, not to --min-score: {err}"
    );
}

#[test]
fn a_workspace_without_a_backend_is_refused() {
    let output = run(&["audit", "react-frontend", "--workspace"]);
    assert_eq!(code(&output), 2);
    let err = stderr(&output);
    assert!(
        err.contains("react-frontend: --workspace found no backend project"),
        "{err}"
    );
    assert!(err.contains("found: . (frontend)"), "{err}");
    assert_eq!(err.lines().count(), 1);
}

#[test]
fn each_service_reports_the_reading_problems_of_its_own_files() {
    let repo = copy_fixture("workspace");
    std::fs::write(
        repo.path()
            .join("services/users/src/services/legacy.service.js"),
        b"const name = '\xff\xfe caf\xe9';\nmodule.exports = { name };\n",
    )
    .unwrap();
    let output = run(&[
        "audit",
        repo.path().to_str().unwrap(),
        "--workspace",
        "--format",
        "json",
    ]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let report = json(&output);
    let notices = |i: usize| -> Vec<String> {
        report["reports"][i]["notices"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["path"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        report["reports"][1]["detection"]["service_root"],
        "services/users"
    );
    assert!(
        notices(1).contains(&"services/users/src/services/legacy.service.js".to_owned()),
        "{:?}",
        notices(1)
    );
    assert!(
        !notices(0).iter().any(|p| p.starts_with("services/users/")),
        "billing's report is not about users' files: {:?}",
        notices(0)
    );
}

#[test]
fn a_service_at_the_root_owns_what_no_deeper_service_holds() {
    let repo = copy_fixture("workspace");
    let root = repo.path();
    std::fs::write(
        root.join("pyproject.toml"),
        "[project]\nname = \"gateway\"\nversion = \"0.1.0\"\ndependencies = [\"fastapi\"]\n",
    )
    .unwrap();
    std::fs::create_dir_all(root.join("src")).unwrap();
    std::fs::write(
        root.join("src/main.py"),
        "from fastapi import FastAPI\n\napp = FastAPI()\n",
    )
    .unwrap();
    std::fs::write(root.join("src/bad.py"), b"x = '\xff\xfe'\n").unwrap();
    std::fs::write(
        root.join("services/billing/src/bad.py"),
        b"y = '\xff\xfe'\n",
    )
    .unwrap();
    let output = run(&[
        "audit",
        root.to_str().unwrap(),
        "--workspace",
        "--format",
        "json",
    ]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let report = json(&output);
    let notices = |root: &str| -> Vec<String> {
        let report = report["reports"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["detection"]["service_root"] == root)
            .unwrap_or_else(|| panic!("no report for {root}"));
        report["notices"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["path"].as_str().unwrap().to_owned())
            .filter(|p| p.ends_with("bad.py"))
            .collect()
    };
    assert_eq!(notices("."), ["src/bad.py"]);
    assert_eq!(notices("services/billing"), ["services/billing/src/bad.py"]);
    assert_eq!(notices("services/users"), Vec::<String>::new());
}

/// Each service's block names a few of the other projects, not all of them: the text report
/// of a monorepo stays linear in its services (the JSON report lists every project once).
#[test]
fn a_service_block_names_a_few_other_projects() {
    let repo = copy_fixture("workspace");
    let root = repo.path();
    for name in ["alpha", "bravo", "charlie", "delta", "echo"] {
        let service = root.join("services").join(name);
        std::fs::create_dir_all(service.join("src")).unwrap();
        std::fs::write(
            service.join("pyproject.toml"),
            format!(
                "[project]\nname = \"{name}\"\nversion = \"0.1.0\"\ndependencies = [\"fastapi\"]\n"
            ),
        )
        .unwrap();
        std::fs::write(
            service.join("src/main.py"),
            "from fastapi import FastAPI\n\napp = FastAPI()\n",
        )
        .unwrap();
    }
    let output = run(&["audit", root.to_str().unwrap(), "--workspace"]);
    assert!(matches!(code(&output), 0 | 1), "{}", stderr(&output));
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().filter(|l| l.starts_with("service ")).collect();
    assert!(lines.len() >= 6, "{text}");
    for line in lines {
        let also = line
            .split("(also: ")
            .nth(1)
            .unwrap_or_else(|| panic!("{line}"));
        assert!(also.matches(", ").count() <= 2, "{line}");
        assert!(also.contains(" more)"), "{line}");
    }
}
