//! Detection: languages, frameworks, project kind and service root, and the traps.

use crate::support::{audit_json, repo, strings};

/// (kind, languages, frameworks, service root) of a fixture.
fn detected(fixture: &str) -> (String, Vec<String>, Vec<String>, String) {
    let report = audit_json(fixture, &[]);
    let d = &report["detection"];
    (
        d["kind"].as_str().unwrap().to_owned(),
        strings(&d["languages"]),
        strings(&d["frameworks"]),
        d["service_root"].as_str().unwrap().to_owned(),
    )
}

#[test]
fn frameworks_beyond_the_seed_list() {
    let cases: [(&str, &str, &str, &str); 10] = [
        ("fastapi-exemplary", "backend", "python", "fastapi"),
        ("actix-service", "backend", "rust", "actix-web"),
        ("express-layered", "backend", "node", "express"),
        ("detect-axum", "backend", "rust", "axum"),
        ("detect-loco", "backend", "rust", "loco"),
        (
            "detect-django",
            "backend",
            "python",
            "django-rest-framework",
        ),
        ("detect-flask", "backend", "python", "flask"),
        ("detect-koa", "backend", "node", "koa"),
        ("detect-fastify", "backend", "node", "fastify"),
        ("trap-nestjs-platform-express", "backend", "node", "nestjs"),
    ];
    for (fixture, kind, language, framework) in cases {
        let (k, languages, frameworks, root) = detected(fixture);
        assert_eq!(k, kind, "{fixture}");
        assert_eq!(languages, [language], "{fixture}");
        assert!(
            frameworks.contains(&framework.to_owned()),
            "{fixture}: {frameworks:?}"
        );
        assert_eq!(root, ".", "{fixture}");
    }
}

#[test]
fn loco_is_not_reported_as_plain_axum() {
    let (_, _, frameworks, _) = detected("detect-loco");
    assert!(!frameworks.contains(&"axum".to_owned()), "{frameworks:?}");
}

#[test]
fn nestjs_platform_express_is_nestjs_not_express() {
    let report = audit_json("trap-nestjs-platform-express", &[]);
    let frameworks = strings(&report["detection"]["frameworks"]);
    assert!(
        !frameworks.contains(&"express".to_owned()),
        "{frameworks:?}"
    );
    let evidence = report["detection"]["evidence"].as_array().unwrap();
    let nest = evidence
        .iter()
        .find(|e| e["subject"] == "framework:nestjs")
        .unwrap();
    assert_eq!(nest["path"], "package.json");
    assert!(
        nest["line"].as_u64().is_some(),
        "dependency evidence has its line"
    );
}

#[test]
fn a_framework_in_a_readme_code_block_is_not_detected() {
    let (kind, languages, frameworks, _) = detected("trap-readme-codeblock");
    assert_eq!(kind, "library");
    assert_eq!(languages, ["rust"]);
    assert!(frameworks.is_empty(), "{frameworks:?}");
}

#[test]
fn a_tooling_only_package_json_does_not_make_a_node_project() {
    let report = audit_json("trap-python-tooling-package-json", &[]);
    assert_eq!(strings(&report["detection"]["languages"]), ["python"]);
    assert!(strings(&report["detection"]["frameworks"]).contains(&"fastapi".to_owned()));
    let evidence = report["detection"]["evidence"].as_array().unwrap();
    assert!(evidence.iter().any(|e| e["subject"] == "language:node"
        && e["reason"].as_str().unwrap().contains("only tooling")));
}

#[test]
fn a_manage_py_that_is_not_djangos_is_not_django() {
    let (kind, _, frameworks, _) = detected("trap-manage-py-not-django");
    assert_eq!(kind, "backend");
    assert!(frameworks.contains(&"flask".to_owned()));
    assert!(!frameworks.contains(&"django".to_owned()), "{frameworks:?}");
}

#[test]
fn django_only_named_in_a_manage_py_comment_docstring_or_string_is_not_django() {
    let manage_pys = [
        "# from django.core import management; DJANGO_SETTINGS_MODULE\nimport click\n",
        "\"\"\"Like Django's: from django.core.management import execute_from_command_line.\"\"\"\nimport click\n",
        "import click\nHELP = \"set DJANGO_SETTINGS_MODULE, then import django\"\n",
    ];
    for manage_py in manage_pys {
        let dir = repo(&[
            ("requirements.txt", "flask\n"),
            (
                "app.py",
                "from flask import Flask\n\napp = Flask(__name__)\n",
            ),
            ("manage.py", manage_py),
        ]);
        let report = audit_json(dir.path().to_str().unwrap(), &[]);
        assert_eq!(
            strings(&report["detection"]["frameworks"]),
            ["flask"],
            "{manage_py}"
        );
    }
    // Django's own manage.py imports it inside main(), without a declared dependency.
    let dir = repo(&[
        ("requirements.txt", "gunicorn\n"),
        (
            "manage.py",
            "import os\nimport sys\n\n\ndef main():\n    os.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"config.settings\")\n    try:\n        from django.core.management import execute_from_command_line\n    except ImportError as exc:\n        raise ImportError(\"Couldn't import Django.\") from exc\n    execute_from_command_line(sys.argv)\n",
        ),
    ]);
    let report = audit_json(dir.path().to_str().unwrap(), &[]);
    assert_eq!(strings(&report["detection"]["frameworks"]), ["django"]);
}

#[test]
fn react_app_is_a_frontend() {
    let (kind, languages, frameworks, _) = detected("react-frontend");
    assert_eq!(kind, "frontend");
    assert_eq!(languages, ["node"]);
    assert!(frameworks.contains(&"react".to_owned()));
}

#[test]
fn monorepo_service_root_is_the_backend() {
    let report = audit_json("monorepo", &[]);
    let d = &report["detection"];
    assert_eq!(d["service_root"], "backend");
    assert_eq!(d["kind"], "backend");
    assert_eq!(strings(&d["languages"]), ["python"]);
    let projects = d["projects"].as_array().unwrap();
    let frontend = projects
        .iter()
        .find(|p| p["root"] == "frontend")
        .expect("the frontend project");
    assert_eq!(frontend["kind"], "frontend");
    // Config, Docker and migrations count at the service root.
    let report_checks = report["checks"].as_array().unwrap();
    let docker = report_checks
        .iter()
        .find(|c| c["id"] == "root.docker")
        .unwrap();
    assert!(
        docker["score"].as_f64().unwrap() >= 2.5,
        "backend/Dockerfile counts"
    );
    let migrations = report_checks
        .iter()
        .find(|c| c["id"] == "src.migrations")
        .unwrap();
    assert_eq!(migrations["status"], "pass");
}

#[test]
fn route_modules_service_root_is_backend() {
    let (_, _, frameworks, root) = detected("route-modules-service");
    assert_eq!(root, "backend");
    assert!(frameworks.contains(&"taskiq".to_owned()));
}

#[test]
fn the_fixture_readme_states_what_is_detected() {
    let readme = std::fs::read_to_string(crate::support::fixtures().join("README.md")).unwrap();
    let mut rows = 0;
    for line in readme.lines() {
        let cells: Vec<&str> = line.split(" | ").collect();
        let [first, _, kind, languages, frameworks, root, _] = cells.as_slice() else {
            continue;
        };
        let Some(fixture) = first.strip_prefix("| `").and_then(|f| f.strip_suffix('`')) else {
            continue;
        };
        rows += 1;
        let (detected_kind, detected_languages, detected_frameworks, service_root) =
            detected(fixture);
        // A cell states the detected ids first, then perhaps a note.
        let states = |cell: &str, ids: &str| {
            cell.strip_prefix(ids).is_some_and(|rest| {
                rest.is_empty() || rest.starts_with(' ') || rest.starts_with(';')
            })
        };
        assert_eq!(*kind, detected_kind, "{fixture}: kind");
        assert!(
            states(languages, &detected_languages.join(", ")),
            "{fixture}: languages `{languages}`, detected {detected_languages:?}"
        );
        let frameworks_ids = if detected_frameworks.is_empty() {
            "none".to_owned()
        } else {
            detected_frameworks.join(", ")
        };
        assert!(
            states(frameworks, &frameworks_ids),
            "{fixture}: frameworks `{frameworks}`, detected {detected_frameworks:?}"
        );
        let root_shown = if service_root == "." {
            "`.`".to_owned()
        } else {
            format!("`{service_root}/`")
        };
        assert!(
            states(root, &root_shown),
            "{fixture}: service root `{root}`, detected {service_root}"
        );
    }
    assert!(rows >= 19, "only {rows} fixture rows found");
}
