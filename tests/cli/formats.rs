//! The CI report formats: snapshots on fixtures, SARIF against the official schema.

use crate::support::{code, run, stderr, stdout};

/// `squarely audit <path> --format <format> [extra...]` standard output, exit 0 or 1.
fn report(path: &str, format: &str, extra: &[&str]) -> String {
    let mut args = vec!["audit", path, "--format", format];
    args.extend_from_slice(extra);
    let output = run(&args);
    assert!(
        matches!(code(&output), 0 | 1),
        "exit {}: {}",
        code(&output),
        stderr(&output)
    );
    stdout(&output)
}

fn sarif(path: &str, extra: &[&str]) -> serde_json::Value {
    serde_json::from_str(&report(path, "sarif", extra)).expect("SARIF is JSON")
}

/// The official SARIF 2.1.0 schema (tests/data/README.md says where it comes from).
fn sarif_validator() -> jsonschema::Validator {
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../data/sarif-schema-2.1.0.json"))
            .expect("the schema is JSON");
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the schema compiles")
}

fn assert_valid_sarif(log: &serde_json::Value) {
    let validator = sarif_validator();
    let errors: Vec<String> = validator
        .iter_errors(log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "invalid SARIF:\n{}", errors.join("\n"));
}

macro_rules! snapshots {
    ($($name:ident => $fixture:literal),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                insta::assert_json_snapshot!(
                    concat!("sarif-", $fixture),
                    sarif($fixture, &[]),
                    { ".runs[].tool.driver.version" => "[version]",
                      ".runs[].tool.driver.semanticVersion" => "[version]" }
                );
            }
        )*
    };
}

snapshots! {
    snapshot_express_layered => "express-layered",
    snapshot_flat_hobby => "flat-hobby",
}

#[test]
fn sarif_of_every_fixture_validates_against_the_official_schema() {
    for fixture in [
        "fastapi-exemplary",
        "flat-hobby",
        "express-layered",
        "actix-service",
        "react-frontend",
        "monorepo",
        "modular-monolith-violations",
    ] {
        let log = sarif(fixture, &[]);
        assert_valid_sarif(&log);
        assert_eq!(log["version"], "2.1.0");
        assert_eq!(log["runs"].as_array().unwrap().len(), 1, "{fixture}");
    }
    // Several standards: one run each, told apart by their category.
    let log = sarif(
        "fastapi-exemplary",
        &[
            "--standard",
            "coditect-backend",
            "--standard",
            "modular-monolith",
        ],
    );
    assert_valid_sarif(&log);
    let ids: Vec<&str> = log["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["automationDetails"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        ["squarely/coditect-backend/", "squarely/modular-monolith/"]
    );
}

#[test]
fn the_schema_catches_what_github_would_reject() {
    // The validator is not a rubber stamp: a log without its driver's name fails.
    let mut log = sarif("flat-hobby", &[]);
    log["runs"][0]["tool"]["driver"]
        .as_object_mut()
        .unwrap()
        .remove("name");
    assert!(!sarif_validator().is_valid(&log));
}

#[test]
fn sarif_has_a_rule_per_check_and_a_located_result_per_finding() {
    let log = sarif("express-layered", &[]);
    let json: serde_json::Value =
        serde_json::from_str(&report("express-layered", "json", &[])).unwrap();
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let checks = json["checks"].as_array().unwrap();
    assert_eq!(rules.len(), checks.len());
    let findings: usize = checks
        .iter()
        .map(|c| c["findings"].as_array().unwrap().len())
        .sum();
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), findings);
    for result in results {
        let rule = &rules[usize::try_from(result["ruleIndex"].as_u64().unwrap()).unwrap()];
        assert_eq!(rule["id"], result["ruleId"]);
        let check = checks.iter().find(|c| c["id"] == result["ruleId"]).unwrap();
        let level = match check["status"].as_str().unwrap() {
            "fail" => "error",
            "partial" => "warning",
            other => panic!("a finding of a {other} check"),
        };
        assert_eq!(result["level"], level);
        let location = &result["locations"][0]["physicalLocation"];
        let uri = location["artifactLocation"]["uri"].as_str().unwrap();
        assert!(
            uri.starts_with("tests/fixtures/express-layered/"),
            "paths are named from the repository root: {uri}"
        );
        assert!(location["region"]["startLine"].as_u64().unwrap() >= 1);
    }
    // The raw SQL of the controller, at its line, with the fix in the message.
    let sql = results
        .iter()
        .find(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                == "tests/fixtures/express-layered/src/controllers/orders.controller.js"
        })
        .expect("the separation finding");
    assert_eq!(sql["ruleId"], "src.separation");
    assert_eq!(
        sql["locations"][0]["physicalLocation"]["region"]["startLine"],
        24
    );
    assert!(sql["message"]["text"].as_str().unwrap().contains("Fix: "));
    // Findings without a path are shown on the README, marked as repository-wide.
    let wide: Vec<&serde_json::Value> = results
        .iter()
        .filter(|r| r["properties"]["repositoryWide"] == true)
        .collect();
    assert!(!wide.is_empty());
    for result in wide {
        assert_eq!(
            result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "tests/fixtures/express-layered/README.md"
        );
    }
    // Two repository-wide findings of one check on the same README line stay two alerts.
    let fingerprints: std::collections::BTreeSet<&str> = results
        .iter()
        .map(|r| {
            r["partialFingerprints"]["squarelyFinding/v1"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert_eq!(fingerprints.len(), results.len());
    let properties = &run["properties"];
    assert_eq!(properties["score"], json["score"]);
    assert_eq!(properties["band"], "not-ready");
    assert_eq!(properties["standard"], "coditect-backend");
    let separation = rules.iter().find(|r| r["id"] == "src.separation").unwrap();
    assert_eq!(
        separation["shortDescription"]["text"],
        "Proper separation of concerns"
    );
    assert!(
        separation["help"]["markdown"]
            .as_str()
            .unwrap()
            .contains("**How to fix it.**")
    );
    assert!(
        separation["helpUri"]
            .as_str()
            .unwrap()
            .ends_with("docs/scoring.md#srcseparation--proper-separation-of-concerns")
    );
}

#[test]
fn without_a_readme_repository_wide_findings_go_to_the_manifest() {
    let dir = crate::support::repo(&[
        (
            "pyproject.toml",
            "[project]\nname = \"p\"\ndependencies = [\"fastapi\"]\n",
        ),
        ("src/app.py", "print(1)\n"),
    ]);
    let log = sarif(dir.path().to_str().unwrap(), &[]);
    assert_valid_sarif(&log);
    let uris: Vec<&str> = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["properties"]["repositoryWide"] == true)
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert!(!uris.is_empty());
    assert!(uris.iter().all(|u| *u == "pyproject.toml"), "{uris:?}");
}
