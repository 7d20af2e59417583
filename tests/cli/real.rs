//! Layouts distilled from real repositories (`tests/fixtures/real-*`, see
//! `docs/accuracy.md`): where the audit finds the code, the domain modules it counts, and the
//! scores a careful reviewer gives, one fixture per layout that once surprised the audit.

use crate::support::{audit_json, check, code, run, stderr, stdout, strings};

/// What the audit must see in one fixture.
struct Expected {
    fixture: &'static str,
    source_roots: &'static [&'static str],
    domains: &'static [&'static str],
    scores: &'static [(&'static str, f64)],
}

const EXPECTED: &[Expected] = &[
    // Netflix/dispatch: the Python src layout, Alembic inside the package.
    Expected {
        fixture: "real-src-layout",
        source_roots: &["src/dispatch"],
        domains: &[
            "src/dispatch/auth",
            "src/dispatch/case",
            "src/dispatch/incident",
            "src/dispatch/tag",
        ],
        scores: &[
            ("src.domains", 5.0),
            ("src.layers", 5.0),
            ("src.separation", 4.04),
            ("src.shared", 3.0),
            ("src.migrations", 5.0),
            ("root.gitignore", 5.0),
        ],
    },
    // HackSoftware/Django-Styleguide-Example, django/djangoproject.com: Django apps in a
    // package, settings in config/, an app with only models is still a domain.
    Expected {
        fixture: "real-django-apps",
        source_roots: &["config", "community"],
        domains: &[
            "community/blog",
            "community/fundraising",
            "community/releases",
            "community/users",
        ],
        scores: &[
            ("src.domains", 5.0),
            ("src.separation", 4.09),
            ("src.shared", 3.0),
            ("src.migrations", 5.0),
            ("infra.migrations_seeds", 5.0),
        ],
    },
    // gothinkster/flask-realworld-example-app: a top-level package named after the project.
    Expected {
        fixture: "real-package-named",
        source_roots: &["conduit"],
        domains: &["conduit/articles", "conduit/profile", "conduit/user"],
        scores: &[
            ("src.domains", 5.0),
            ("src.separation", 2.5),
            ("src.shared", 4.0),
            ("src.migrations", 5.0),
            ("root.gitignore", 4.0),
        ],
    },
    // lujakob/nestjs-realworld-example-app, brocoders/nestjs-boilerplate: NestJS modules,
    // services raising HTTP exceptions, synchronize instead of migrations, a database page
    // that documents no tables.
    Expected {
        fixture: "real-nestjs-modules",
        source_roots: &["src"],
        domains: &["src/article", "src/tag", "src/user"],
        scores: &[
            ("src.domains", 5.0),
            ("src.separation", 4.58),
            ("src.migrations", 1.0),
            ("docs.db_schema", 0.0),
        ],
    },
    // gothinkster/node-express-realworld-example-app: routes/ as a container of domains.
    Expected {
        fixture: "real-express-routes",
        source_roots: &["src"],
        domains: &[
            "src/app/routes/article",
            "src/app/routes/auth",
            "src/app/routes/profile",
            "src/app/routes/tag",
        ],
        scores: &[
            ("src.domains", 5.0),
            ("src.layers", 5.0),
            ("src.separation", 4.25),
            ("src.migrations", 5.0),
            ("infra.migrations_seeds", 5.0),
        ],
    },
    // loco-rs/todo-list: the SeaORM migration crate, fixtures as seeds, generated entities.
    Expected {
        fixture: "real-loco",
        source_roots: &["src"],
        domains: &[],
        scores: &[
            ("src.domains", 3.0),
            ("src.separation", 3.75),
            ("src.migrations", 5.0),
            ("infra.migrations_seeds", 5.0),
            ("docs.db_schema", 1.0),
        ],
    },
    // JoeyMckenzie/realworld-rust-axum-sqlx: a Cargo workspace of crates.
    Expected {
        fixture: "real-rust-workspace",
        source_roots: &[
            "crates/app-bin/src",
            "crates/app-core/src",
            "crates/app-infrastructure/src",
        ],
        domains: &[
            "crates/app-core/src/articles",
            "crates/app-core/src/profiles",
            "crates/app-core/src/users",
        ],
        scores: &[
            ("src.domains", 5.0),
            ("src.separation", 5.0),
            ("src.shared", 4.0),
            ("src.migrations", 5.0),
        ],
    },
    // fastapi/full-stack-fastapi-template: a monorepo whose backend keeps its own docs/.
    Expected {
        fixture: "real-monorepo-docs",
        source_roots: &["backend/app"],
        domains: &[],
        scores: &[
            ("src.domains", 3.0),
            ("src.separation", 2.86),
            ("docs.architecture", 5.0),
            ("docs.db_schema", 5.0),
            ("docs.deployment", 5.0),
            ("infra.migrations_seeds", 5.0),
        ],
    },
];

#[test]
fn each_real_layout_is_read_as_a_reviewer_reads_it() {
    for expected in EXPECTED {
        let fixture = expected.fixture;
        let report = audit_json(fixture, &[]);
        let detection = &report["detection"];
        assert_eq!(detection["kind"], "backend", "{fixture}");
        let roots: Vec<&str> = detection["source_roots"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["path"].as_str().unwrap())
            .collect();
        assert_eq!(roots, expected.source_roots, "{fixture}: source roots");
        assert_eq!(
            strings(&detection["domains"]),
            expected.domains,
            "{fixture}: domains"
        );
        for &(id, score) in expected.scores {
            assert_eq!(check(&report, id)["score"], score, "{fixture}: {id}");
        }
    }
}

#[test]
fn snapshots_of_the_real_layouts() {
    for expected in EXPECTED {
        let output = run(&["audit", expected.fixture]);
        assert_eq!(code(&output), 0, "stderr: {}", stderr(&output));
        insta::assert_snapshot!(format!("text-{}", expected.fixture), stdout(&output));
    }
}

/// The rule of each finding of a check, in report order.
fn rules(report: &serde_json::Value, id: &str) -> Vec<String> {
    check(report, id)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["rule"].as_str().map(str::to_owned))
        .collect()
}

#[test]
fn a_service_raising_the_frameworks_http_error_is_half_a_violation() {
    // dispatch's case/service.py imports HTTPException and status to raise them: the import
    // is what the raise takes, so only the lesser contract is broken.
    let report = audit_json("real-src-layout", &[]);
    let separation = check(&report, "src.separation");
    assert_eq!(separation["summary"], "10.5 of 13 files clean");
    let findings = separation["findings"].as_array().unwrap();
    let at = |path: &str| -> Vec<&str> {
        findings
            .iter()
            .filter(|f| f["path"] == path)
            .filter_map(|f| f["rule"].as_str())
            .collect()
    };
    assert!(
        at("src/dispatch/case/service.py")
            .iter()
            .all(|r| *r == "services-no-http-errors"),
        "{findings:?}"
    );
    assert_eq!(
        at("src/dispatch/auth/service.py"),
        ["services-http-agnostic"]
    );
    assert!(
        at("src/dispatch/auth/views.py").contains(&"interface-no-database"),
        "db_session.commit() in a route is a database call"
    );
}

#[test]
fn calls_on_injected_services_are_not_database_calls() {
    // `this.articleService.findAll(query)` in a NestJS controller delegates.
    let report = audit_json("real-nestjs-modules", &[]);
    let rules = rules(&report, "src.separation");
    assert!(
        !rules.iter().any(|r| r == "interface-no-database"),
        "{rules:?}"
    );
    assert_eq!(
        rules
            .iter()
            .filter(|r| *r == "services-no-http-errors")
            .count(),
        3,
        "two raises in user.service.ts, one in article.service.ts: {rules:?}"
    );
}

#[test]
fn a_routes_folder_holding_domains_is_a_container_not_a_layer() {
    // article.service.ts imports ./article.mapper: a helper of its own domain, not a route.
    let report = audit_json("real-express-routes", &[]);
    let rules = rules(&report, "src.separation");
    assert!(
        !rules.iter().any(|r| r == "services-no-route-imports"),
        "{rules:?}"
    );
}

#[test]
fn seaorm_queries_in_a_controller_are_database_calls() {
    let report = audit_json("real-loco", &[]);
    let findings = check(&report, "src.separation")["findings"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0]["path"], "src/controllers/notes.rs");
    assert!(
        findings[0]["message"]
            .as_str()
            .unwrap()
            .contains("Entity::find_by_id"),
        "{findings:?}"
    );
}

#[test]
fn the_text_report_names_the_source_roots_and_domains() {
    let output = run(&["audit", "real-django-apps"]);
    let text = stdout(&output);
    assert!(
        text.contains(
            "source    config, community  (the Django project package (`config`, named by manage.py))"
        ),
        "{text}"
    );
    assert!(
        text.contains("domains   blog, fundraising, releases, users"),
        "{text}"
    );
}
