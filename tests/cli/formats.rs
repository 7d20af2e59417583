//! The CI report formats: snapshots on fixtures, SARIF against the official schema, `JUnit`
//! through a real XML parser, and several reports from one run.

use std::path::Path;

use quick_xml::events::Event;

use crate::support::{code, copy_fixture, run, squarely, stderr, stdout};

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

pub fn assert_valid_sarif(log: &serde_json::Value) {
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
                insta::assert_snapshot!(concat!("junit-", $fixture), report($fixture, "junit", &[]));
                insta::assert_snapshot!(concat!("github-", $fixture), report($fixture, "github", &[]));
                insta::assert_snapshot!(concat!("markdown-", $fixture), report($fixture, "markdown", &[]));
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

/// An element's name and attributes (values unescaped).
type Element = (String, Vec<(String, String)>);

/// Every element of a `JUnit` document, parsed by a real XML parser, and the text inside each
/// `<failure>`.
fn junit_elements(xml: &str) -> (Vec<Element>, Vec<String>) {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut elements = Vec::new();
    let mut failures = Vec::new();
    let mut failure: Option<String> = None;
    loop {
        match reader.read_event().expect("well-formed XML") {
            event @ (Event::Start(_) | Event::Empty(_)) => {
                let (Event::Start(e) | Event::Empty(e)) = &event else {
                    unreachable!()
                };
                let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                if name == "failure" && matches!(event, Event::Start(_)) {
                    failure = Some(String::new());
                }
                let attributes = e
                    .attributes()
                    .map(|a| {
                        let a = a.expect("a well-formed attribute");
                        (
                            String::from_utf8(a.key.as_ref().to_vec()).unwrap(),
                            a.unescape_value().expect("escaped").into_owned(),
                        )
                    })
                    .collect();
                elements.push((name, attributes));
            }
            Event::Text(t) => {
                if let Some(text) = &mut failure {
                    text.push_str(&t.decode().expect("UTF-8"));
                }
            }
            // Text arrives in pieces around each `&...;` reference.
            Event::GeneralRef(r) => {
                if let Some(text) = &mut failure {
                    if r.is_char_ref() {
                        text.push(r.resolve_char_ref().expect("a character").unwrap());
                    } else {
                        let name = r.decode().expect("UTF-8");
                        text.push_str(
                            quick_xml::escape::resolve_xml_entity(&name).expect("a known entity"),
                        );
                    }
                }
            }
            Event::End(e) if e.name().as_ref() == b"failure" => {
                failures.extend(failure.take());
            }
            Event::Eof => break,
            _ => {}
        }
    }
    (elements, failures)
}

fn attribute<'a>(attributes: &'a [(String, String)], key: &str) -> &'a str {
    attributes
        .iter()
        .find(|(k, _)| k == key)
        .map_or_else(|| panic!("no {key} in {attributes:?}"), |(_, v)| v.as_str())
}

#[test]
fn junit_has_a_suite_per_category_and_a_case_per_check() {
    let xml = report("flat-hobby", "junit", &["--junit-fail-on", "partial"]);
    let json: serde_json::Value = serde_json::from_str(&report("flat-hobby", "json", &[])).unwrap();
    let (elements, failure_texts) = junit_elements(&xml);
    let count = |name: &str| elements.iter().filter(|(n, _)| n == name).count();
    assert_eq!(count("testsuites"), 1);
    assert_eq!(count("testsuite"), 4);
    assert_eq!(count("testcase"), 20);
    let checks = json["checks"].as_array().unwrap();
    let failing = checks
        .iter()
        .filter(|c| c["status"] == "fail" || c["status"] == "partial")
        .count();
    let not_applicable = checks.iter().filter(|c| c["status"] == "n/a").count();
    assert_eq!(count("failure"), failing);
    assert_eq!(count("skipped"), not_applicable);
    let (_, root) = &elements[0];
    assert_eq!(attribute(root, "tests"), "20");
    assert_eq!(attribute(root, "failures"), failing.to_string());
    assert_eq!(attribute(root, "skipped"), not_applicable.to_string());
    let cases: Vec<&Vec<(String, String)>> = elements
        .iter()
        .filter(|(n, _)| n == "testcase")
        .map(|(_, a)| a)
        .collect();
    assert_eq!(attribute(cases[0], "classname"), "root");
    assert_eq!(
        attribute(cases[0], "name"),
        "root.essential_only — Only essential files in root (max 25 items)"
    );
    // The failure text carries every finding and its fix.
    let essential = &failure_texts[0];
    assert!(essential.contains("- `debug.log` at the root is a log file (debug.log)"));
    assert!(essential.contains("  fix: Untrack it and add it to .gitignore"));
    // The score is in the suites' properties.
    let score = elements
        .iter()
        .find(|(n, a)| n == "property" && attribute(a, "name") == "score")
        .map(|(_, a)| attribute(a, "value"))
        .unwrap();
    assert_eq!(score, format!("{:.2}", json["score"].as_f64().unwrap()));
}

/// By default only the gate can fail a `JUnit` report: at a passing gate, a CI server shows no
/// failed test and does not mark the build unstable, whatever the partial checks.
#[test]
fn junit_fails_only_the_gate_by_default() {
    let json: serde_json::Value = serde_json::from_str(&report("flat-hobby", "json", &[])).unwrap();
    let score = json["score"].as_f64().unwrap();
    let checks = json["checks"].as_array().unwrap();
    let failed = checks.iter().filter(|c| c["status"] == "fail").count();
    assert!(failed > 0 && score > 10.0 && score < 90.0, "{score}");

    // No gate: nothing fails, and no gate suite.
    let xml = report("flat-hobby", "junit", &[]);
    let (elements, _) = junit_elements(&xml);
    let count = |elements: &[(String, Vec<(String, String)>)], name: &str| {
        elements.iter().filter(|(n, _)| n == name).count()
    };
    assert_eq!(count(&elements, "failure"), 0, "{xml}");
    assert_eq!(count(&elements, "testcase"), 20);
    assert_eq!(attribute(&elements[0].1, "failures"), "0");
    // The partial and failed checks still say what they lack.
    assert!(
        xml.contains("`debug.log` at the root is a log file"),
        "{xml}"
    );

    // A passing gate: one more test case, passing.
    let xml = report("flat-hobby", "junit", &["--min-score", "10"]);
    let (elements, _) = junit_elements(&xml);
    assert_eq!(count(&elements, "testcase"), 21);
    assert_eq!(count(&elements, "failure"), 0, "{xml}");
    assert!(xml.contains(r#"name="gate — --min-score 10""#), "{xml}");

    // A failing gate: its test case is the one failure, and says why.
    let xml = report("flat-hobby", "junit", &["--min-score", "90"]);
    let (elements, texts) = junit_elements(&xml);
    assert_eq!(count(&elements, "failure"), 1, "{xml}");
    assert_eq!(attribute(&elements[0].1, "failures"), "1");
    assert!(texts[0].contains("below --min-score 90"), "{texts:?}");

    // --junit-fail-on fail: the failed checks too, not the partial ones.
    let xml = report("flat-hobby", "junit", &["--junit-fail-on", "fail"]);
    let (elements, _) = junit_elements(&xml);
    assert_eq!(count(&elements, "failure"), failed, "{xml}");
}

#[test]
fn xml_special_characters_and_control_characters_in_junit() {
    let dir = copy_fixture("flat-hobby");
    for name in ["a&b<c>\"d'.tmp", "bell\u{7}.tmp"] {
        std::fs::write(dir.path().join(name), "x\n").unwrap();
    }
    let xml = report(
        dir.path().to_str().unwrap(),
        "junit",
        &["--junit-fail-on", "partial"],
    );
    let (_, failures) = junit_elements(&xml);
    assert!(
        failures.iter().any(|f| f.contains("`a&b<c>\"d'.tmp`")),
        "{failures:?}"
    );
    // XML 1.0 cannot hold U+0007 even as a reference: it is replaced, the document stays valid.
    assert!(failures.iter().any(|f| f.contains("`bell\u{FFFD}.tmp`")));
}

#[test]
fn github_annotations_name_files_from_the_repository_root_and_end_with_the_score() {
    let out = report("express-layered", "github", &[]);
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines.iter().all(|l| l.starts_with("::")), "{out}");
    assert!(
        out.contains("::warning file=tests/fixtures/express-layered/src/controllers/orders.controller.js,line=24,title=src.separation — Proper separation of concerns::Interface files never touch the database directly: runs raw SQL"),
        "{out}"
    );
    // A finding without a path is annotated without a file.
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("::error title=docs.architecture")),
        "{out}"
    );
    let last = lines.last().unwrap();
    assert!(
        last.starts_with(
            "::notice title=squarely audit express-layered::Score 56.27 / 100 (not-ready)"
        ),
        "{last}"
    );
}

#[test]
fn markdown_has_the_score_a_table_per_category_and_the_top_fixes() {
    let md = report("express-layered", "markdown", &[]);
    assert!(
        md.starts_with("## ❌ squarely: 56.27 / 100 · not-ready\n"),
        "{md}"
    );
    assert_eq!(md.matches("| Check | Status | Points |").count(), 4);
    let fixes = md
        .split("### Top fixes (most points first)")
        .nth(1)
        .unwrap();
    let gains: Vec<f64> = fixes
        .lines()
        .filter_map(|l| l.strip_prefix("| +"))
        .map(|l| l.split(' ').next().unwrap().parse().unwrap())
        .collect();
    assert!(!gains.is_empty());
    assert!(gains.windows(2).all(|w| w[0] >= w[1]), "{gains:?}");
}

#[test]
fn several_formats_in_one_run_each_to_its_own_file() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("report.json");
    let sarif_file = dir.path().join("report.sarif");
    let junit = dir.path().join("report.xml");
    let output = run(&[
        "audit",
        "express-layered",
        "--format",
        "json",
        "-o",
        json.to_str().unwrap(),
        "--format",
        "sarif",
        "--output",
        sarif_file.to_str().unwrap(),
        "--format",
        "markdown",
        "-f",
        "junit",
        "-o",
        junit.to_str().unwrap(),
    ]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    // The one format without -o went to standard output.
    assert!(stdout(&output).starts_with("## ❌ squarely: 56.27 / 100"));
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(report["score"], 56.27);
    let log: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&sarif_file).unwrap()).unwrap();
    assert_valid_sarif(&log);
    junit_elements(&std::fs::read_to_string(&junit).unwrap());
}

#[test]
fn the_gate_applies_once_whatever_the_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let sarif_file = dir.path().join("squarely.sarif");
    let output = run(&[
        "audit",
        "flat-hobby",
        "--min-score",
        "90",
        "--format",
        "sarif",
        "-o",
        sarif_file.to_str().unwrap(),
        "--format",
        "github",
    ]);
    assert_eq!(code(&output), 1);
    assert!(
        sarif_file.exists(),
        "the reports are written before the gate"
    );
    assert!(stdout(&output).contains("::notice "));
}

#[test]
fn single_format_keeps_its_old_forms() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.json");
    // -o before --format still pairs with the only --format.
    let output = run(&[
        "audit",
        "express-layered",
        "-o",
        out.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert!(output.stdout.is_empty());
    serde_json::from_slice::<serde_json::Value>(&std::fs::read(&out).unwrap()).unwrap();
    // -o alone writes the text report.
    let text = dir.path().join("report.txt");
    let output = run(&["audit", "express-layered", "-o", text.to_str().unwrap()]);
    assert_eq!(code(&output), 0);
    assert!(
        std::fs::read_to_string(&text)
            .unwrap()
            .starts_with("squarely audit express-layered")
    );
}

#[test]
fn ambiguous_outputs_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str| dir.path().join(name).to_str().unwrap().to_owned();
    let (a, b) = (file("a"), file("b"));
    for (args, expected) in [
        (
            vec!["--format", "json", "--format", "sarif"],
            "`--format json` and `--format sarif` would both go to standard output",
        ),
        (
            vec!["-o", &a, "--format", "json", "--format", "sarif", "-o", &b],
            "comes before any --format",
        ),
        (
            vec!["--format", "json", "-o", &a, "-o", &b, "--format", "sarif"],
            "has two -o",
        ),
        (vec!["-o", &a, "-o", &b], "has two -o"),
        (
            vec!["--format", "json", "-o", &a, "--format", "sarif", "-o", &a],
            "is named by two -o",
        ),
    ] {
        let mut all = vec!["audit", "express-layered"];
        all.extend(args.iter().copied());
        let output = run(&all);
        assert_eq!(code(&output), 2, "{all:?}");
        let err = stderr(&output);
        assert!(err.contains(expected), "{all:?}: {err}");
        assert_eq!(err.lines().count(), 1, "one clear line: {err}");
        assert!(
            !Path::new(&a).exists(),
            "nothing written before a usage error"
        );
    }
}

#[test]
fn help_documents_the_formats_and_the_pairing_rule() {
    let output = squarely().args(["audit", "--help"]).output().unwrap();
    let help = stdout(&output);
    for word in ["sarif", "junit", "markdown", "github"] {
        assert!(help.contains(word), "{word} missing from --help");
    }
    assert!(help.contains("each followed by its own -o FILE"), "{help}");
}
