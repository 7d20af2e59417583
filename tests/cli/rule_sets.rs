//! `squarely standards`, `squarely explain`, `extends`, and the JSON Schema.

use std::path::Path;

use crate::support::{audit_json, check, code, repo, run, stderr, stdout};

const BUILT_INS: [&str; 4] = [
    "coditect-backend",
    "modular-monolith",
    "route-modules",
    "fastapi-best-practices",
];

#[test]
fn every_built_in_validates_without_warnings_and_adds_up_to_100() {
    let dir = tempfile::tempdir().unwrap();
    for id in BUILT_INS {
        let source = run(&["standards", "show", id, "--format", "source"]);
        assert_eq!(code(&source), 0);
        let file = dir.path().join(format!("{id}.yaml"));
        std::fs::write(&file, &source.stdout).unwrap();
        let output = run(&["standards", "validate", file.to_str().unwrap()]);
        assert_eq!(code(&output), 0, "{id}: {}", stderr(&output));
        assert!(
            stderr(&output).is_empty(),
            "{id} has warnings: {}",
            stderr(&output)
        );
        assert!(
            stdout(&output).contains(&format!("ok ({id}, ")),
            "{}",
            stdout(&output)
        );
        assert!(
            stdout(&output).contains("100 points"),
            "{}",
            stdout(&output)
        );
        let summary: serde_json::Value =
            serde_json::from_slice(&run(&["standards", "show", id, "--format", "json"]).stdout)
                .unwrap();
        assert_eq!(summary["points"], 100.0, "{id}");
        for category in summary["categories"].as_array().unwrap() {
            for c in category["checks"].as_array().unwrap() {
                assert!(
                    !c["fix"].as_str().unwrap().trim().is_empty(),
                    "{id} {} has no fix",
                    c["id"]
                );
            }
        }
    }
}

#[test]
fn list_shows_the_four_built_ins() {
    let output = run(&["standards", "list"]);
    assert_eq!(code(&output), 0);
    let text = stdout(&output);
    for id in BUILT_INS {
        assert!(text.contains(id), "{text}");
    }
    assert!(text.contains("(default)"));
}

#[test]
fn show_text_and_yaml() {
    let output = run(&["standards", "show", "coditect-backend"]);
    assert_eq!(code(&output), 0);
    insta::assert_snapshot!("show-coditect-backend", stdout(&output));
    let yaml = run(&["standards", "show", "coditect-backend", "--format", "yaml"]);
    assert_eq!(code(&yaml), 0);
    assert!(stdout(&yaml).starts_with("id: coditect-backend\n"));
}

#[test]
fn the_checked_in_schema_matches_the_types() {
    let output = run(&["standards", "schema"]);
    assert_eq!(code(&output), 0);
    let generated = stdout(&output);
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rule-set.schema.json");
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        generated == checked_in,
        "docs/rule-set.schema.json is out of date: run `cargo run -- standards schema > docs/rule-set.schema.json`"
    );
    let schema: serde_json::Value = serde_json::from_str(&generated).unwrap();
    assert_eq!(schema["title"], "RawStandard");
    assert!(schema["properties"]["checks"].is_object());
}

#[test]
fn explain_a_check_and_a_contract() {
    let output = run(&["explain", "root.docs"]);
    assert_eq!(code(&output), 0);
    insta::assert_snapshot!("explain-root-docs", stdout(&output));
    let output = run(&["explain", "interface-no-database"]);
    assert_eq!(code(&output), 0);
    let text = stdout(&output);
    assert!(text.contains("Scored by: src.separation"), "{text}");
    assert!(
        text.contains("squarely: allow(interface-no-database)"),
        "{text}"
    );
}

#[test]
fn explain_an_unknown_id_suggests_close_ones() {
    let output = run(&["explain", "root.doc"]);
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("did you mean `root.docs`"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_team_rule_set_extends_a_built_in() {
    let dir = repo(&[(
        "team.yaml",
        "id: acme-backend\nname: ACME backend standard\nversion: 2.0.0\nextends: coditect-backend\ndisable: [infra.jobs]\noverrides:\n  - id: docs.api\n    points: 10\ncategories:\n  - {id: acme, title: ACME rules}\nchecks:\n  - id: acme.codeowners\n    category: acme\n    title: CODEOWNERS file\n    points: 5\n    why: Reviews reach the owners.\n    fix: Add .github/CODEOWNERS.\n    tiers:\n      - {points: 5, label: a CODEOWNERS file, when: {file: {glob: [\".github/CODEOWNERS\", CODEOWNERS], scope: repo}}}\n",
    )]);
    let file = dir.path().join("team.yaml");
    let report = audit_json("fastapi-exemplary", &["--standard", file.to_str().unwrap()]);
    assert_eq!(report["standard"]["id"], "acme-backend");
    assert_eq!(report["standard"]["origin"], file.to_str().unwrap());
    let checks = report["checks"].as_array().unwrap();
    assert_eq!(checks.len(), 20, "19 inherited + 1 added");
    assert!(checks.iter().all(|c| c["id"] != "infra.jobs"));
    assert_eq!(check(&report, "docs.api")["max"], 10.0);
    assert_eq!(check(&report, "acme.codeowners")["status"], "fail");
    assert_eq!(report["points"]["possible"], 105.0);
    // 100 of 105 points, scaled to 100.
    assert_eq!(report["score"], 95.24);
    // Mistakes in the extending file point into it.
    std::fs::write(
        &file,
        "id: acme\nname: A\nversion: \"1\"\nextends: coditect-backend\ndisable: [infra.nope]\n",
    )
    .unwrap();
    let output = run(&["standards", "validate", file.to_str().unwrap()]);
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains(&format!(
            "{}:5:11: error: `disable: infra.nope` names no check",
            file.display()
        )),
        "{}",
        stderr(&output)
    );
}
