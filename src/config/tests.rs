//! The parser and checker of `.squarely.yaml`, table by table.

use std::path::Path;

use super::*;

fn coditect() -> Standard {
    standard::load("coditect-backend", Path::new("."))
        .unwrap()
        .standard
}

/// Every problem of `text`, rendered, whether it fails at parse or at check.
fn problems(text: &str) -> Vec<String> {
    let standard = coditect();
    let result = parse(text, ".squarely.yaml", Path::new(".")).and_then(|mut parsed| {
        parsed.load_standards().unwrap();
        parsed.check(&[&standard])
    });
    match result {
        Ok(_) => Vec::new(),
        Err(ConfigError::Invalid { diagnostics }) => {
            diagnostics.iter().map(ToString::to_string).collect()
        }
    }
}

fn checked(text: &str) -> Config {
    let standard = coditect();
    parse(text, ".squarely.yaml", Path::new("."))
        .unwrap()
        .check(&[&standard])
        .unwrap()
}

const FULL: &str = "\
standards:
  - coditect-backend
min-score: 80
floors:
  docs: 15
  infra: 10.5
ignore:
  - vendor/**
  - \"**/*.generated.ts\"
waivers:
  - check: infra.jobs
    reason: the workers live in the platform repository
    expires: 2026-06-30
  - check: src.separation
    path: src/legacy/**
    line: 42
    reason: rewritten in Q3
";

#[test]
fn a_full_file_parses() {
    let mut parsed = parse(FULL, ".squarely.yaml", Path::new(".")).unwrap();
    assert!(parsed.names_standards());
    let loaded = parsed.load_standards().unwrap();
    assert_eq!(loaded.len(), 1);
    let texts: Vec<String> = parsed
        .ignore_globs()
        .iter()
        .map(|g| g.glob().to_owned())
        .collect();
    assert_eq!(texts, ["vendor/**", "vendor", "**/*.generated.ts"]);
    let config = parsed.check(&[&loaded[0].standard]).unwrap();
    assert_eq!(config.min_score, Some(80.0));
    let floors: Vec<(&str, f64)> = config
        .floors
        .iter()
        .map(|f| (f.category.as_str(), f.points))
        .collect();
    assert_eq!(floors, [("docs", 15.0), ("infra", 10.5)]);
    assert_eq!(config.waivers.len(), 2);
    let first = &config.waivers[0];
    assert_eq!(first.check, "infra.jobs");
    assert_eq!(
        first.expires.map(|d| d.to_string()).as_deref(),
        Some("2026-06-30")
    );
    assert!(first.path.is_none());
    assert_eq!((first.mark.line, first.mark.column), (11, 12));
    let second = &config.waivers[1];
    assert_eq!(
        second.path.as_ref().map(|p| p.text.as_str()),
        Some("src/legacy/**")
    );
    assert_eq!(second.line, Some(42));
}

#[test]
fn empty_files_and_empty_keys_are_an_empty_configuration() {
    for text in [
        "",
        "# nothing yet\n\n",
        "standards:\nfloors:\nignore:\nwaivers:\n",
    ] {
        let config = checked(text);
        assert_eq!(config.min_score, None, "{text:?}");
        assert!(
            config.floors.is_empty() && config.waivers.is_empty(),
            "{text:?}"
        );
    }
}

#[test]
fn yaml_mistakes_are_all_reported_with_their_position() {
    assert_eq!(
        problems(
            "min-score: high\nstandard: x\nwaivers:\n  - check: root.docs\n    reason: r\n    until: 2025-01-01\n"
        ),
        [
            ".squarely.yaml:1:12: error: invalid type: string \"high\", expected f64",
            ".squarely.yaml:2:1: error: unknown field `standard`, expected one of `standards`, `min-score`, `floors`, `ignore`, `waivers`, `baseline`, `workspace`",
            ".squarely.yaml:6:5: error: unknown field `until`, expected one of `check`, `reason`, `expires`, `path`, `line`",
        ]
    );
    assert_eq!(
        problems("waivers:\n  - check: root.docs\n"),
        [".squarely.yaml:2:5: error: missing field `reason`"]
    );
    assert_eq!(
        problems("ignore: vendor\n"),
        [".squarely.yaml:1:9: error: invalid type: string \"vendor\", expected a sequence"]
    );
}

#[test]
fn values_are_checked_and_every_problem_is_reported_together() {
    let text = "\
standards: [nope]
min-score: 120
floors:
  doc: 10
  docs: 40
  infra: -1
ignore: [/abs, \"a/../b\"]
waivers:
  - check: root.doc
    reason: \"  \"
    expires: 2025-02-30
  - check: infra.ci
    reason: ok
    line: 3
  - check: infra.ci
    reason: ok
    path: \"src/[\"
    line: 0
";
    let found = problems(text);
    let expected = [
        ".squarely.yaml:1:13: error: unknown standard `nope`",
        ".squarely.yaml:2:12: error: min-score 120 is outside 0-100",
        ".squarely.yaml:4:3: error: unknown category `doc` (did you mean `docs`?): the categories of `coditect-backend` are docs, infra, root, src",
        ".squarely.yaml:5:3: error: the floor of `docs` is 40, above the category's 25 points",
        ".squarely.yaml:6:10: error: the floor of `infra` must be a number of points, 0 or more",
        ".squarely.yaml:7:10: error: glob `/abs` is absolute; patterns are relative to the repository root",
        ".squarely.yaml:7:16: error: glob `a/../b` leaves the repository root with `..`",
        ".squarely.yaml:9:12: error: unknown check `root.doc` (did you mean `root.docs`",
        ".squarely.yaml:10:13: error: the waiver of `root.doc` needs a reason",
        ".squarely.yaml:11:14: error: `2025-02-30` is not a date",
        ".squarely.yaml:14:11: error: `line` needs a `path`",
        ".squarely.yaml:17:11: error: invalid glob `src/[`",
        ".squarely.yaml:18:11: error: lines count from 1",
    ];
    assert_eq!(found.len(), expected.len(), "{found:#?}");
    for (found, expected) in found.iter().zip(expected) {
        assert!(
            found.starts_with(expected),
            "{found}\n  should start with\n{expected}"
        );
    }
}

#[test]
fn a_standard_file_is_relative_to_the_configuration() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("rules")).unwrap();
    std::fs::write(
        dir.path().join("rules/team.yaml"),
        "id: team\nname: Team\nversion: '1'\nextends: coditect-backend\n",
    )
    .unwrap();
    let mut parsed = parse("standards: [rules/team.yaml]\n", "c.yaml", dir.path()).unwrap();
    let loaded = parsed.load_standards().unwrap();
    assert_eq!(loaded[0].standard.id, "team");
    let mut parsed = parse("standards: [rules/none.yaml]\n", "c.yaml", dir.path()).unwrap();
    assert!(parsed.load_standards().unwrap().is_empty());
    let Err(ConfigError::Invalid { diagnostics }) = parsed.check(&[]) else {
        panic!("a missing rule-set file is a problem of the configuration");
    };
    assert_eq!(
        diagnostics[0].to_string(),
        "c.yaml:1:13: error: rules/none.yaml: cannot read rule set: no such file"
    );
}

#[test]
fn dates_are_real_calendar_days() {
    for (text, ok) in [
        ("2024-02-29", true),
        ("2023-02-29", false),
        ("2000-02-29", true),
        ("1900-02-29", false),
        ("2025-12-31", true),
        ("2025-13-01", false),
        ("2025-00-10", false),
        ("2025-1-01", false),
        ("2025/01/01", false),
        ("２０２５-01-01", false),
        ("+2025-01-1", false),
    ] {
        assert_eq!(Date::parse(text).is_some(), ok, "{text}");
    }
    let a = Date::parse("2025-01-31").unwrap();
    let b = Date::parse("2025-02-01").unwrap();
    assert!(a < b);
    assert_eq!(a.to_string(), "2025-01-31");
}

#[test]
fn expired_waivers_stop_counting_the_day_after_their_date() {
    let config = checked(FULL);
    let day = |text: &str| Date::parse(text).unwrap();
    let (waivers, warnings) = config.waivers_on(day("2026-06-30"), ".squarely.yaml", "");
    assert_eq!(waivers.active.len(), 2);
    assert!(warnings.is_empty() && waivers.notices.is_empty());
    let (waivers, warnings) = config.waivers_on(day("2026-07-01"), "../.squarely.yaml", "api/");
    assert_eq!(waivers.active.len(), 1);
    assert_eq!(waivers.active[0].check, "src.separation");
    assert_eq!(waivers.active[0].at, "line 14");
    assert_eq!(waivers.prefix, "api/");
    assert_eq!(
        warnings.iter().map(ToString::to_string).collect::<Vec<_>>(),
        [
            ".squarely.yaml:11:12: warning: the waiver of `infra.jobs` expired on 2026-06-30 and no longer counts: fix what it waived, or renew it with a later `expires`"
        ]
    );
    assert_eq!(waivers.notices[0].path, "../.squarely.yaml");
    assert_eq!(
        waivers.notices[0].message,
        "the waiver of `infra.jobs` (line 11) expired on 2026-06-30 and no longer counts"
    );
}

#[test]
fn ids_may_belong_to_any_standard_of_the_run() {
    let other = standard::load("modular-monolith", Path::new("."))
        .unwrap()
        .standard;
    let standard = coditect();
    let text = "floors: {structure: 10, docs: 5}\nwaivers:\n  - {check: root.docs, reason: a}\n";
    let parsed = parse(text, "c", Path::new(".")).unwrap();
    assert!(parsed.check(&[&other, &standard]).is_ok());
    let parsed = parse(text, "c", Path::new(".")).unwrap();
    assert!(parsed.check(&[&other]).is_err());
}

#[test]
fn init_writes_a_file_that_parses() {
    let facts = init::Facts {
        today: Date::parse("2026-01-15").unwrap(),
        detected: "backend · python · fastapi".into(),
        scores: vec![
            ("coditect-backend".into(), 72.35),
            ("route-modules".into(), 10.0),
        ],
        standard: "coditect-backend".into(),
        score: 72.35,
        categories: vec![("root".into(), 20.0, 25.0), ("docs".into(), 7.5, 25.0)],
        ignore: vec!["vendor".into(), "backend/third_party".into()],
        example_check: "infra.jobs".into(),
        example_finding: Some((
            "src.separation".into(),
            "src/users/router.py".into(),
            Some(12),
        )),
    };
    let text = init::render(&facts);
    let config = checked(&text);
    assert_eq!(config.min_score, Some(70.0));
    assert!(config.waivers.is_empty() && config.floors.is_empty());
    assert!(text.contains("#   docs: 7\n"), "{text}");
    // Uncommenting the examples (the commented YAML lines) gives a valid file too.
    let uncommented: String = text
        .lines()
        .map(|line| match line.strip_prefix("#   ") {
            Some(rest) if rest.contains(": ") || rest.starts_with("- ") => format!("   {rest}"),
            _ => line.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    let config = checked(&uncommented);
    assert_eq!(config.floors.len(), 1);
    assert_eq!(config.waivers.len(), 2);
    assert_eq!(
        config.waivers[0].expires.map(|d| d.to_string()).as_deref(),
        Some("2027-01-01")
    );
}
