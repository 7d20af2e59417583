//! `squarely audit`: scores, findings, snapshots of the text and JSON reports, the gate.

use crate::support::{
    audit_json, check, code, copy_fixture, locations, repo, run, squarely, stderr, stdout, strings,
};

/// The text report of a fixture, colour off.
fn text(fixture: &str, extra: &[&str]) -> String {
    let mut args = vec!["audit", fixture];
    args.extend_from_slice(extra);
    let output = run(&args);
    assert_eq!(code(&output), 0, "stderr: {}", stderr(&output));
    stdout(&output)
}

macro_rules! snapshots {
    ($($name:ident => $fixture:literal),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                insta::assert_snapshot!(concat!("text-", $fixture), text($fixture, &[]));
                insta::assert_json_snapshot!(
                    concat!("json-", $fixture),
                    audit_json($fixture, &[]),
                    { ".tool.version" => "[version]" }
                );
            }
        )*
    };
}

snapshots! {
    snapshot_fastapi_exemplary => "fastapi-exemplary",
    snapshot_flat_hobby => "flat-hobby",
    snapshot_express_layered => "express-layered",
    snapshot_actix_service => "actix-service",
    snapshot_react_frontend => "react-frontend",
    snapshot_monorepo => "monorepo",
}

#[test]
fn exemplary_fastapi_service_is_production_ready() {
    let report = audit_json("fastapi-exemplary", &[]);
    assert!(
        report["score"].as_f64().unwrap() >= 95.0,
        "{}",
        report["score"]
    );
    assert_eq!(report["band"], "production-ready");
    assert_eq!(report["max"], 100.0);
    assert_eq!(report["standard"]["id"], "coditect-backend");
    assert_eq!(report["checks"].as_array().unwrap().len(), 20);
    // The docstring and comment that mention session.commit() in a router are not calls.
    assert_eq!(check(&report, "src.separation")["status"], "pass");
    let jobs = check(&report, "infra.jobs");
    assert_eq!(
        jobs["status"], "pass",
        "Celery jobs live in jobs/ with their config"
    );
}

#[test]
fn flat_hobby_app_scores_under_40_with_a_finding_per_lost_point() {
    let report = audit_json("flat-hobby", &[]);
    let score = report["score"].as_f64().unwrap();
    assert!(score < 40.0, "{score}");
    assert_eq!(report["band"], "not-ready");
    let root = check(&report, "root.essential_only");
    assert_eq!(root["score"], 0.0);
    let misplaced = locations(root, "findings");
    for junk in [
        "models.py",
        "test_app.py",
        "notes.tmp",
        "app.db",
        "__pycache__",
        "EXPORT-2024-03-01-chat.txt",
        "RESEARCH-caching-ideas.md",
        "debug.log",
        ".DS_Store",
    ] {
        assert!(
            misplaced.iter().any(|p| p == junk),
            "{junk} not reported: {misplaced:?}"
        );
    }
    assert_eq!(check(&report, "src.domains")["score"], 2.0, "flat source");
    assert_eq!(
        check(&report, "infra.tests")["score"],
        1.0,
        "a single test file"
    );
    assert_eq!(check(&report, "infra.jobs")["status"], "n/a");
    assert!(
        check(&report, "infra.jobs")["reason"]
            .as_str()
            .unwrap()
            .contains("no background-job")
    );
    // Every check below its maximum names a cause with a fix.
    for c in report["checks"].as_array().unwrap() {
        if c["score"].as_f64() < c["max"].as_f64() {
            let findings = c["findings"].as_array().unwrap();
            assert!(
                !findings.is_empty(),
                "{} lost points without a finding",
                c["id"]
            );
            assert!(
                findings.iter().all(|f| f["fix"].is_string()),
                "{} has a finding without a fix",
                c["id"]
            );
        }
    }
}

#[test]
fn express_app_layered_by_type_gets_partial_credit() {
    let report = audit_json("express-layered", &[]);
    assert_eq!(report["detection"]["frameworks"][0], "express");
    assert_eq!(
        check(&report, "src.domains")["score"],
        3.0,
        "layered by type only"
    );
    assert_eq!(check(&report, "src.layers")["status"], "pass");
    let separation = check(&report, "src.separation");
    assert_eq!(separation["status"], "partial");
    assert!(
        locations(separation, "findings")
            .contains(&"src/controllers/orders.controller.js:24".to_owned())
    );
    // Placeholders earn nothing and say so.
    let docs = check(&report, "root.docs");
    let messages: Vec<String> = docs["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["message"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("SECURITY.md") && m.contains("placeholder (empty file)")),
        "{messages:?}"
    );
    let deployment = check(&report, "docs.deployment");
    assert_eq!(
        deployment["score"], 3.0,
        "README section, not the TODO page"
    );
    assert!(locations(deployment, "findings").contains(&"docs/deployment.md".to_owned()));
}

#[test]
fn actix_service_laid_out_as_the_seed_scores_full_marks() {
    let report = audit_json("actix-service", &[]);
    assert!(report["score"].as_f64().unwrap() >= 95.0);
    assert_eq!(strings(&report["detection"]["languages"]), ["rust"]);
    assert!(strings(&report["detection"]["frameworks"]).contains(&"actix-web".to_owned()));
    assert_eq!(check(&report, "infra.jobs")["status"], "n/a");
    assert_eq!(check(&report, "src.domains")["status"], "pass");
}

#[test]
fn fixes_are_ordered_by_gain() {
    let report = audit_json("flat-hobby", &[]);
    let gains: Vec<f64> = report["fixes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["gain"].as_f64().unwrap())
        .collect();
    assert!(!gains.is_empty());
    assert!(gains.windows(2).all(|w| w[0] >= w[1]), "{gains:?}");
    let lost: f64 = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["max"].as_f64().unwrap() - c["score"].as_f64().unwrap())
        .sum();
    let total: f64 = gains.iter().sum();
    assert!(
        (total - lost).abs() < 0.05,
        "fixes gain {total}, {lost} points were lost"
    );
}

#[test]
fn no_check_offers_more_points_than_it_lost() {
    // On every fixture: a check's findings never gain more than the check lost, so a
    // passing check offers no fix and the Top fixes add up to the points lost.
    let mut fixtures: Vec<String> = std::fs::read_dir(crate::support::fixtures())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    fixtures.sort();
    for fixture in &fixtures {
        let report = audit_json(fixture, &[]);
        for check in report["checks"].as_array().unwrap() {
            let lost = check["max"].as_f64().unwrap() - check["score"].as_f64().unwrap();
            let gains: f64 = check["findings"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|f| f["gain"].as_f64())
                .sum();
            assert!(
                gains <= lost + 0.05,
                "{fixture}: {} offers {gains} for {lost} lost",
                check["id"]
            );
        }
    }
}

#[test]
fn a_violation_in_a_file_without_code_is_not_free() {
    // An `__init__.py` that only imports a service is a data file breaking the import
    // direction: it counts in the ratio, so the check loses what its finding offers.
    let dir = repo(&[
        (
            "pyproject.toml",
            "[project]\nname = \"v\"\ndependencies = [\"fastapi\"]\n",
        ),
        ("app/routes/users.py", "def list_users():\n    return []\n"),
        ("app/services/users.py", "def make_user():\n    return {}\n"),
        ("app/models/user.py", "class User:\n    pass\n"),
        (
            "app/models/__init__.py",
            "from app.services.users import make_user\n",
        ),
    ]);
    let report = audit_json(dir.path().to_str().unwrap(), &[]);
    let separation = check(&report, "src.separation");
    assert_eq!(separation["summary"], "3 of 4 files clean", "{separation}");
    assert_eq!(separation["score"], 3.75);
}

#[test]
fn only_the_receiver_of_the_call_excuses_it() {
    // A call on an injected service or on the web request delegates; one that reaches the
    // database through them does not.
    let dir = repo(&[
        (
            "pyproject.toml",
            "[project]\nname = \"r\"\ndependencies = [\"fastapi\", \"sqlalchemy\"]\n",
        ),
        (
            "src/users/router.py",
            "def a(request, user_service):\n    user_service.find_all()\n    request.session.get(\"user\")\n    return 1\n\n\ndef b(request, user_service):\n    request.state.db.execute(1)\n    user_service.db.session.query(2)\n    return 2\n",
        ),
        ("src/users/service.py", "def find_all():\n    return []\n"),
    ]);
    let report = audit_json(dir.path().to_str().unwrap(), &[]);
    let separation = check(&report, "src.separation");
    assert_eq!(
        locations(separation, "findings"),
        ["src/users/router.py:8", "src/users/router.py:9"],
        "{separation}"
    );
}

#[test]
fn a_source_root_named_like_a_layer_folder_is_no_layer() {
    // The package `api/` is where the code starts: its seed script is not an interface file.
    let dir = repo(&[
        (
            "pyproject.toml",
            "[project]\nname = \"api\"\ndependencies = [\"flask\", \"flask-sqlalchemy\"]\n",
        ),
        (
            "api/__init__.py",
            "from flask import Flask\n\napp = Flask(__name__)\n",
        ),
        (
            "api/seed.py",
            "def seed(db, user):\n    db.session.add(user)\n    db.session.commit()\n",
        ),
        ("api/views.py", "def index():\n    return \"ok\"\n"),
        ("api/models.py", "class User:\n    pass\n"),
    ]);
    let report = audit_json(dir.path().to_str().unwrap(), &[]);
    let roots: Vec<&str> = report["detection"]["source_roots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["path"].as_str().unwrap())
        .collect();
    assert_eq!(roots, ["api"]);
    let separation = check(&report, "src.separation");
    assert_eq!(separation["summary"], "2 of 2 files clean", "{separation}");
}

#[test]
fn a_files_own_name_gives_its_layer_before_its_folder() {
    // `routes/` gathers domain folders; `article.service.ts` inside is business, and the
    // service importing its domain's mapper imports no route.
    let dir = repo(&[
        (
            "package.json",
            "{\"name\": \"x\", \"dependencies\": {\"express\": \"4\"}}\n",
        ),
        (
            "src/routes/article/article.controller.ts",
            "import { list } from './article.service';\nexport const get = () => list();\n",
        ),
        (
            "src/routes/article/article.service.ts",
            "import { toView } from './article.mapper';\nexport const list = () => [].map(toView);\n",
        ),
        (
            "src/routes/article/article.mapper.ts",
            "export const toView = (a: unknown) => a;\n",
        ),
        (
            "src/routes/article/article.model.ts",
            "export class Article { id = 0; }\n",
        ),
        (
            "src/routes/tag/tag.controller.ts",
            "import { tags } from './tag.service';\nexport const get = () => tags();\n",
        ),
        (
            "src/routes/tag/tag.service.ts",
            "export const tags = () => [1];\n",
        ),
        (
            "src/routes/tag/tag.model.ts",
            "export class Tag { id = 0; }\n",
        ),
    ]);
    let report = audit_json(dir.path().to_str().unwrap(), &[]);
    assert_eq!(
        strings(&report["detection"]["domains"]),
        ["src/routes/article", "src/routes/tag"]
    );
    assert_eq!(check(&report, "src.layers")["score"], 5.0);
    let separation = check(&report, "src.separation");
    assert_eq!(separation["score"], 5.0, "{separation}");
}

#[test]
fn min_score_gates_with_exit_1() {
    let below = run(&["audit", "flat-hobby", "--min-score", "90"]);
    assert_eq!(code(&below), 1);
    assert!(
        stderr(&below).contains("below --min-score 90"),
        "{}",
        stderr(&below)
    );
    let above = run(&[
        "audit",
        "fastapi-exemplary",
        "--min-score",
        "90",
        "--format",
        "json",
    ]);
    assert_eq!(code(&above), 0);
    let bad = run(&["audit", "flat-hobby", "--min-score", "120"]);
    assert_eq!(code(&bad), 2);
    assert!(stderr(&bad).contains("outside 0-100"));
}

#[test]
fn output_file_gets_the_report_and_stdout_stays_empty() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.json");
    let output = run(&[
        "audit",
        "fastapi-exemplary",
        "--format",
        "json",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code(&output), 0);
    assert!(output.stdout.is_empty());
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(report["band"], "production-ready");
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let plain = text("flat-hobby", &[]);
    assert!(!plain.contains('\u{1b}'), "piped output has no colour");
    let coloured = text("flat-hobby", &["--color", "always"]);
    assert!(coloured.contains("\u{1b}["));
    let output = squarely()
        .args(["audit", "flat-hobby", "--color", "auto"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(!stdout(&output).contains('\u{1b}'));
}

#[test]
fn several_standards_give_one_report_each() {
    let output = run(&[
        "audit",
        "fastapi-exemplary",
        "--format",
        "json",
        "--standard",
        "coditect-backend",
        "--standard",
        "modular-monolith",
    ]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let reports = value["reports"].as_array().unwrap();
    assert_eq!(reports.len(), 2);
    assert_eq!(reports[1]["standard"]["id"], "modular-monolith");
}

#[test]
fn waivers_need_a_reason() {
    let dir = repo(&[
        (
            "pyproject.toml",
            "[project]\nname = \"w\"\ndependencies = [\"fastapi\", \"sqlalchemy\"]\n",
        ),
        (
            "src/users/router.py",
            "from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n@router.post(\"/\")\nasync def create(session):\n    # squarely: allow(src.separation) legacy bulk import, tracked in JIRA-12\n    await session.commit()\n    await session.flush()  # squarely: allow(interface-no-database)\n    return {}\n",
        ),
        ("src/users/service.py", "def create():\n    return 1\n"),
        ("src/users/repository.py", "def save():\n    return 1\n"),
    ]);
    let report = audit_json(dir.path().to_str().unwrap(), &[]);
    let separation = check(&report, "src.separation");
    let waived = locations(separation, "waived");
    assert_eq!(waived, ["src/users/router.py:9"]);
    assert!(
        separation["waived"][0]["waiver"]
            .as_str()
            .unwrap()
            .contains("legacy bulk import")
    );
    let findings = locations(separation, "findings");
    assert!(
        findings.contains(&"src/users/router.py:10".to_owned()),
        "the reasonless waiver waives nothing: {findings:?}"
    );
    let rules: Vec<&str> = separation["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["rule"].as_str())
        .collect();
    assert!(rules.contains(&"waiver-without-reason"), "{rules:?}");
    assert_eq!(
        separation["score"], 3.33,
        "the router is not clean, the service and the repository are: 2 of 3 files"
    );
}

#[test]
fn comments_and_strings_never_trigger_findings() {
    let dir = repo(&[
        ("package.json", "{\"dependencies\": {\"express\": \"4\"}}"),
        (
            "src/orders/orders.controller.ts",
            "// db.query('SELECT * FROM orders') is done by the repository\nconst note = \"pool.query() and session.commit() live elsewhere\";\n/* knex('orders') */\nexport function list(service: { all(): string[] }) {\n  return service.all();\n}\n",
        ),
        (
            "src/orders/orders.service.ts",
            "export const all = () => [];\n",
        ),
        (
            "src/orders/orders.repository.ts",
            "export const rows = () => [];\n",
        ),
    ]);
    let report = audit_json(dir.path().to_str().unwrap(), &[]);
    let separation = check(&report, "src.separation");
    assert_eq!(separation["status"], "pass", "{separation}");
}

#[test]
fn placeholders_earn_nothing_anywhere() {
    let dir = repo(&[
        (
            "pyproject.toml",
            "[project]\nname = \"p\"\ndependencies = [\"fastapi\"]\n",
        ),
        ("src/a/router.py", ""),
        ("src/a/service.py", ""),
        ("src/b/router.py", ""),
        ("src/b/service.py", ""),
        ("src/c/router.py", ""),
        ("src/c/service.py", ""),
        ("tests/unit/.gitkeep", ""),
        ("tests/integration/.gitkeep", ""),
        ("docs/deployment.md", "# Deployment\n\nTODO\n"),
    ]);
    let report = audit_json(dir.path().to_str().unwrap(), &[]);
    // Empty modules make no layers and no domains.
    assert_eq!(check(&report, "src.layers")["score"], 0.0);
    assert_eq!(check(&report, "src.domains")["score"], 0.0);
    // Folders holding only .gitkeep files are not test suites.
    let tests = check(&report, "infra.tests");
    assert_eq!(tests["score"], 0.0);
    assert!(
        tests["findings"]
            .to_string()
            .contains("`tests/unit` is a placeholder (only empty files"),
        "{tests}"
    );
    assert_eq!(check(&report, "docs.deployment")["score"], 0.0);
}

#[test]
fn todo_sentences_lorem_ipsum_template_text_and_comment_only_files_are_placeholders() {
    let dir = copy_fixture("fastapi-exemplary");
    let write = |path: &str, text: &str| std::fs::write(dir.path().join(path), text).unwrap();
    let before = audit_json(dir.path().to_str().unwrap(), &[]);
    for id in [
        "root.docs",
        "root.docker",
        "docs.deployment",
        "infra.scripts",
    ] {
        assert_eq!(check(&before, id)["score"], 5.0, "{id}");
    }
    write(
        "SECURITY.md",
        "# Security\n\nTODO: write the security policy for this project.\n",
    );
    write(
        "CONTRIBUTING.md",
        "# Contributing\n\nComing soon. Work in progress.\n",
    );
    write(
        "CHANGELOG.md",
        "# Changelog\n\nLorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod\ntempor incididunt ut labore et dolore magna aliqua.\n",
    );
    write(
        "CLAUDE.md",
        "# {{project_name}}\n\nQuestions go to <maintainer-email>.\n",
    );
    write(
        "docs/deployment/docker.md",
        "# Deployment\n\nTODO: describe how we deploy.",
    );
    write("docs/deployment/production.md", "# Production\n\nTBD\n");
    write("Dockerfile", "# TODO\n");
    write("docker-compose.yml", "# TODO\n");
    for script in ["build.sh", "start-dev.sh", "test-all.sh"] {
        write(
            &format!("scripts/{script}"),
            "#!/usr/bin/env bash\n# TODO\n",
        );
    }
    let report = audit_json(dir.path().to_str().unwrap(), &[]);
    let docs = check(&report, "root.docs");
    for (file, why) in [
        ("SECURITY.md", "only a title and TODO-like text"),
        ("CONTRIBUTING.md", "only a title and TODO-like text"),
        ("CHANGELOG.md", "only a title and TODO-like text"),
        ("CLAUDE.md", "unfilled template text"),
    ] {
        assert!(
            docs["findings"]
                .to_string()
                .contains(&format!("`{file}` is a placeholder ({why})")),
            "{file}: {docs}"
        );
    }
    let docker = check(&report, "root.docker");
    assert_eq!(docker["score"], 0.0, "{docker}");
    assert!(
        docker["findings"]
            .to_string()
            .contains("`Dockerfile` is a placeholder (only TODO-like comments)"),
        "{docker}"
    );
    assert!(
        check(&report, "docs.deployment")["score"].as_f64().unwrap() < 5.0,
        "{}",
        check(&report, "docs.deployment")
    );
    assert!(
        check(&report, "infra.scripts")["score"].as_f64().unwrap() < 5.0,
        "{}",
        check(&report, "infra.scripts")
    );
}

#[test]
fn a_waiver_with_a_misspelt_id_is_a_finding() {
    let dir = repo(&[
        (
            "pyproject.toml",
            "[project]\nname = \"p\"\ndependencies = [\"fastapi\", \"sqlalchemy\"]\n",
        ),
        (
            "src/users/router.py",
            "def save(session):\n    # squarely: allow(interface-no-databse) typo but a reason\n    session.commit()\n    # squarely: allow(src.separation, nonsense.id) a second one\n    session.commit()\n",
        ),
        ("src/users/service.py", "def create():\n    return 1\n"),
        ("src/users/models.py", "X = 1\n"),
    ]);
    let report = audit_json(dir.path().to_str().unwrap(), &[]);
    let separation = check(&report, "src.separation");
    let findings = separation["findings"].to_string();
    assert!(
        findings.contains("waiver names no known check or contract of `coditect-backend`: `interface-no-databse` (did you mean `interface-no-database`?), so it waives nothing"),
        "{findings}"
    );
    assert!(
        findings.contains("`nonsense.id`") && !findings.contains("`src.separation`,"),
        "{findings}"
    );
    // The typo waives nothing: line 3 counts; the known id on line 4 waives line 5.
    assert_eq!(
        locations(separation, "findings"),
        [
            "src/users/router.py:2",
            "src/users/router.py:3",
            "src/users/router.py:4"
        ],
        "{separation}"
    );
    assert_eq!(locations(separation, "waived"), ["src/users/router.py:5"]);
    let rules: Vec<&str> = separation["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["rule"].as_str())
        .collect();
    assert_eq!(
        rules,
        [
            "waiver-unknown-id",
            "interface-no-database",
            "waiver-unknown-id"
        ]
    );
}

#[test]
fn sql_text_that_is_only_logged_is_not_raw_sql() {
    let dir = copy_fixture("express-layered");
    let path = dir.path().join("src/controllers/users.controller.js");
    let source = std::fs::read_to_string(&path).unwrap().replace(
        "    res.json(await usersService.listUsers());",
        "    console.log(`SELECT * FROM users is not run here`);\n    res.json(await usersService.listUsers());",
    );
    std::fs::write(&path, source).unwrap();
    let report = audit_json(dir.path().to_str().unwrap(), &[]);
    let separation = check(&report, "src.separation");
    // Only the real query of orders.controller.js, as in the untouched fixture.
    assert_eq!(
        locations(separation, "findings"),
        locations(
            check(&audit_json("express-layered", &[]), "src.separation"),
            "findings"
        ),
        "{separation}"
    );
    assert!(
        !separation["findings"]
            .to_string()
            .contains("users.controller.js"),
        "{separation}"
    );
}

#[test]
fn layer_direction_sees_modules_imported_from_a_package() {
    let dir = repo(&[
        (
            "pyproject.toml",
            "[project]\nname = \"p\"\ndependencies = [\"fastapi\"]\n",
        ),
        (
            "src/users/repository.py",
            "from src.users import service\nfrom . import router\n\n\ndef find():\n    return service.create()\n",
        ),
        ("src/users/service.py", "def create():\n    return 1\n"),
        ("src/users/router.py", "def route():\n    return 1\n"),
    ]);
    let report = audit_json(dir.path().to_str().unwrap(), &[]);
    let separation = check(&report, "src.separation");
    assert_eq!(
        locations(separation, "findings"),
        ["src/users/repository.py:1", "src/users/repository.py:2"]
    );
    let rules: Vec<&str> = separation["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["data-no-upward-imports", "data-no-upward-imports"]);
}

#[test]
fn a_waiver_covers_a_statement_spread_over_lines() {
    let dir = repo(&[
        ("package.json", "{\"dependencies\": {\"express\": \"4\"}}"),
        (
            "src/orders/orders.controller.js",
            "exports.report = async (db) => {\n  // squarely: allow(interface-no-database) the finance report is read-only and reviewed\n  const rows = await db.raw(\n    'SELECT status, COUNT(*) FROM orders GROUP BY status'\n  );\n  return rows;\n};\n",
        ),
        ("src/orders/orders.service.js", "exports.list = () => [];\n"),
        (
            "src/orders/orders.repository.js",
            "exports.rows = () => [];\n",
        ),
    ]);
    let report = audit_json(dir.path().to_str().unwrap(), &[]);
    let separation = check(&report, "src.separation");
    assert_eq!(separation["status"], "pass", "{separation}");
    assert_eq!(
        locations(separation, "waived"),
        ["src/orders/orders.controller.js:4"]
    );
}
