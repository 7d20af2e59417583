//! The three standards beside coditect-backend, each on the fixture written for it.

use crate::support::{audit_json, check, locations, run, stdout};

fn audit(fixture: &str, standard: &str) -> serde_json::Value {
    audit_json(fixture, &["--standard", standard])
}

#[test]
fn modular_monolith_finds_each_layer_violation_with_path_and_line() {
    let report = audit("modular-monolith-violations", "modular-monolith");
    assert_eq!(report["standard"]["id"], "modular-monolith");
    let routes_db = locations(check(&report, "layers.routes_no_database"), "findings");
    assert_eq!(
        routes_db,
        [
            "app/product/routes/product.py:16",
            "app/user/routes/user.py:13"
        ]
    );
    let logic = locations(
        check(&report, "layers.routes_no_business_logic"),
        "findings",
    );
    assert!(
        logic.contains(&"app/product/routes/product.py:22".to_owned()),
        "{logic:?}"
    );
    let http = check(&report, "layers.services_http_agnostic");
    let http_found = locations(http, "findings");
    for expected in [
        "app/product/services/product.py:3",
        "app/product/services/product.py:26",
        "app/user/services/user.py:4",
        "app/user/services/user.py:5",
    ] {
        assert!(
            http_found.contains(&expected.to_owned()),
            "{expected} missing: {http_found:?}"
        );
    }
    // The docstring that names HTTPException is not a raise.
    assert!(
        !http_found
            .iter()
            .any(|l| l.starts_with("app/user/services/user.py:2")),
        "{http_found:?}"
    );
    let commits = check(&report, "layers.crud_never_commits");
    assert_eq!(
        locations(commits, "findings"),
        ["app/user/crud/user.py:14"],
        "the comment and string at product.py:18/22 are traps"
    );
    assert_eq!(
        locations(commits, "waived"),
        ["app/product/crud/product.py:30"]
    );
    assert!(
        commits["waived"][0]["waiver"]
            .as_str()
            .unwrap()
            .contains("legacy import job")
    );
}

#[test]
fn route_modules_finds_the_committing_router_and_the_missing_repository() {
    let report = audit("route-modules-service", "route-modules");
    assert!(
        report["score"].as_f64().unwrap() >= 90.0,
        "{}",
        report["score"]
    );
    assert_eq!(
        locations(check(&report, "layering.router_no_sql"), "findings"),
        ["backend/src/v1/users/router.py:24"]
    );
    let files = check(&report, "layout.module_files");
    assert!(
        files["findings"]
            .to_string()
            .contains("backend/src/v1/auth/` has no"),
        "{files}"
    );
}

#[test]
fn fastapi_best_practices_finds_the_cross_domain_symbol_import() {
    let report = audit("fastapi-bp-service", "fastapi-best-practices");
    let imports = check(&report, "imports.explicit_cross_domain");
    assert_eq!(
        locations(imports, "findings"),
        ["backend/src/posts/service.py:9"]
    );
    assert!(
        imports["findings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("get_current_user")
    );
    assert_eq!(check(&report, "tooling.tests_mirror")["status"], "pass");
}

#[test]
fn snapshots_of_each_standard_on_its_fixture() {
    for (fixture, standard) in [
        ("modular-monolith-violations", "modular-monolith"),
        ("route-modules-service", "route-modules"),
        ("fastapi-bp-service", "fastapi-best-practices"),
    ] {
        let output = run(&["audit", fixture, "--standard", standard]);
        insta::assert_snapshot!(format!("text-{standard}"), stdout(&output));
    }
}
