//! `squarely new` and `squarely add`: safety, refusals, the generated tree, and its score.
//!
//! Building the generated projects and running their own tests is `scripts/check-generated.sh`
//! (run by `.ci/run`): it needs crates from the registry and minutes of compile time.

use std::fs;
use std::path::{Path, PathBuf};

use crate::support::{code, stderr, stdout};

/// A fixed clock, so that migration versions and dates are the same in every run.
const EPOCH: &str = "1795727045"; // 2026-11-26T21:04:05Z

/// `new` options of the axum and `SQLite` variant with a resource domain and auth.
const AXUM_SQLITE_AUTH: &[&str] = &[
    "--framework",
    "axum",
    "--db",
    "sqlite",
    "--domain",
    "orders",
    "--domain",
    "auth",
];

/// Run squarely in `dir`.
fn run_in(dir: &Path, args: &[&str]) -> std::process::Output {
    assert_cmd::Command::cargo_bin("squarely")
        .expect("the squarely binary is built")
        .current_dir(dir)
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .env("TERM", "dumb")
        .args(args)
        .output()
        .expect("squarely runs")
}

/// Every file below `root`, relative, sorted, `/`-separated.
fn tree(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(
                    path.strip_prefix(root)
                        .unwrap()
                        .to_string_lossy()
                        .replace('\\', "/"),
                );
            }
        }
    }
    out.sort();
    out
}

fn generate(dir: &Path, name: &str, extra: &[&str]) -> PathBuf {
    let mut args = vec!["new", name];
    args.extend_from_slice(extra);
    let output = run_in(dir, &args);
    assert_eq!(code(&output), 0, "stderr: {}", stderr(&output));
    dir.join(name)
}

#[test]
fn dry_run_lists_every_file_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let output = run_in(dir.path(), &["new", "billing", "--dry-run"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let listed: Vec<String> = stdout(&output)
        .lines()
        .filter_map(|l| l.strip_prefix("  create  "))
        .map(str::to_owned)
        .collect();
    assert!(
        listed.contains(&".squarely/project.yaml".to_owned()),
        "{listed:?}"
    );
    assert!(listed.contains(&"Cargo.toml".to_owned()), "{listed:?}");
    assert_eq!(
        fs::read_dir(dir.path()).unwrap().count(),
        0,
        "nothing written"
    );
    // What the dry run lists is exactly what `new` writes.
    let root = generate(dir.path(), "billing", &[]);
    assert_eq!(tree(&root), listed);
}

#[test]
fn bad_names_exit_2_and_create_nothing_anywhere() {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    fs::create_dir(&work).unwrap();
    for (args, needle) in [
        (vec!["new", "../x"], "not a path"),
        (vec!["new", "/abs"], "not a path"),
        (vec!["new", "a/b"], "not a path"),
        (vec!["new", ""], "empty"),
        (vec!["new", "type"], "keyword"),
        (vec!["new", "Billing"], "try `billing`"),
        (vec!["new", "billing", "--domain", "../etc"], "not a path"),
        (vec!["new", "billing", "--domain", "Users"], "try `users`"),
        (
            vec!["new", "billing", "--domain", "shared"],
            "its own module",
        ),
        (
            vec!["new", "billing", "--domain", "common"],
            "its own module",
        ),
        (
            vec!["new", "billing", "--domain", "sqlx"],
            "depends on a crate",
        ),
        (vec!["new", "sqlx"], "depends on a crate"),
        (
            vec!["new", "billing", "--standard", "nosuch"],
            "unknown standard",
        ),
        (
            vec!["new", "billing", "--domain", "users", "--domain", "users"],
            "twice",
        ),
        (
            vec!["new", "billing", "--lang", "node"],
            "not available yet",
        ),
        (
            vec!["new", "billing", "--framework", "nestjs"],
            "not available yet",
        ),
        // Rust skeletons follow coditect-backend; the Python standards default to Python.
        (
            vec![
                "new",
                "billing",
                "--lang",
                "rust",
                "--standard",
                "route-modules",
            ],
            "describes Python FastAPI services",
        ),
        (
            vec!["new", "billing", "--lang", "python", "--framework", "axum"],
            "a Rust framework, not Python",
        ),
        // Python names: keywords, the standard library, the project's own packages.
        (
            vec!["new", "billing", "--lang", "python", "--domain", "class"],
            "Python keyword",
        ),
        (
            vec!["new", "json", "--lang", "python"],
            "standard library's `json`",
        ),
        (
            vec!["new", "billing", "--lang", "python", "--domain", "logging"],
            "standard library's `logging`",
        ),
        (
            vec!["new", "billing", "--lang", "python", "--domain", "fastapi"],
            "depends on a package",
        ),
        (
            vec!["new", "billing", "--lang", "python", "--domain", "shared"],
            "its own module",
        ),
        (
            vec!["new", "billing", "--output-dir", "missing"],
            "must be an existing folder",
        ),
    ] {
        let output = run_in(&work, &args);
        assert_eq!(code(&output), 2, "{args:?}");
        let err = stderr(&output);
        assert!(err.contains(needle), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "one line: {err}");
    }
    assert_eq!(
        tree(dir.path()),
        Vec::<String>::new(),
        "nothing written anywhere"
    );
}

#[test]
fn new_refuses_a_non_empty_folder_and_overwrites_nothing() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("billing")).unwrap();
    fs::write(dir.path().join("billing/notes.txt"), "mine").unwrap();
    let output = run_in(dir.path(), &["new", "billing"]);
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("billing: exists and is not empty"),
        "{}",
        stderr(&output)
    );
    assert_eq!(tree(&dir.path().join("billing")), ["notes.txt"]);
    // An empty folder is fine, and so is --output-dir.
    fs::create_dir(dir.path().join("out")).unwrap();
    fs::create_dir(dir.path().join("out/shop")).unwrap();
    generate(dir.path(), "shop", &["--output-dir", "out"]);
    assert!(dir.path().join("out/shop/Cargo.toml").is_file());
}

#[test]
fn the_answers_are_recorded_for_add() {
    let dir = tempfile::tempdir().unwrap();
    let root = generate(dir.path(), "shop", AXUM_SQLITE_AUTH);
    let recorded = fs::read_to_string(root.join(".squarely/project.yaml")).unwrap();
    insta::assert_snapshot!("project_yaml", recorded);
}

#[test]
fn add_migration_creates_the_next_timestamped_file() {
    let dir = tempfile::tempdir().unwrap();
    let root = generate(dir.path(), "billing", &[]);
    let before = tree(&root);
    let output = run_in(&root, &["add", "migration", "add_due_date"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let added: Vec<String> = tree(&root)
        .into_iter()
        .filter(|f| !before.contains(f))
        .collect();
    assert_eq!(added.len(), 1, "{added:?}");
    // Later than every existing migration, even with the clock pinned before them.
    let newest_before = before
        .iter()
        .filter_map(|f| f.strip_prefix("migrations/"))
        .max()
        .unwrap_or_default()
        .to_owned();
    let name = added[0].strip_prefix("migrations/").unwrap();
    assert!(name.ends_with("_add_due_date.sql"), "{name}");
    assert!(
        name > newest_before.as_str(),
        "{name} after {newest_before}"
    );
    let again = run_in(&root, &["add", "migration", "add_due_date"]);
    assert_eq!(code(&again), 0, "{}", stderr(&again));
    assert_eq!(
        tree(&root).len(),
        before.len() + 2,
        "a second, later migration"
    );
    let bad = run_in(&root, &["add", "migration", "../x"]);
    assert_eq!(code(&bad), 2);
}

#[test]
fn add_refuses_what_it_cannot_do_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let root = generate(dir.path(), "billing", &["--domain", "users"]);
    let before = snapshot_of(&root);
    for (args, needle) in [
        (vec!["add", "domain", "users"], "already exists"),
        (
            vec!["add", "domain", "auth"],
            "only be chosen when the project is created",
        ),
        (vec!["add", "domain", "../x"], "not a path"),
        (vec!["add", "domain", "shared"], "its own module"),
    ] {
        let output = run_in(&root, &args);
        assert_eq!(code(&output), 2, "{args:?}");
        assert!(
            stderr(&output).contains(needle),
            "{args:?}: {}",
            stderr(&output)
        );
    }
    // Outside a project.
    let output = run_in(dir.path(), &["add", "domain", "orders"]);
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("not a project generated by squarely"));
    assert_eq!(snapshot_of(&root), before, "nothing changed");
}

#[test]
fn a_broken_project_file_is_reported_with_its_position() {
    let dir = tempfile::tempdir().unwrap();
    let root = generate(dir.path(), "billing", &[]);
    let path = root.join(".squarely/project.yaml");
    let text = fs::read_to_string(&path).unwrap();
    fs::write(&path, text.replace("db: postgres", "db: oracle")).unwrap();
    let output = run_in(&root, &["add", "domain", "orders"]);
    assert_eq!(code(&output), 2);
    let err = stderr(&output);
    assert!(err.contains(".squarely/project.yaml:9:5:"), "{err}");
    assert!(err.contains("oracle"), "{err}");
}

/// Every file (path and bytes) below `root`.
fn snapshot_of(root: &Path) -> Vec<(String, Vec<u8>)> {
    tree(root)
        .into_iter()
        .map(|f| {
            let bytes = fs::read(root.join(&f)).unwrap();
            (f, bytes)
        })
        .collect()
}

/// `squarely audit <root> --format json`, parsed.
/// The JSON report of `squarely audit` on `root` under `standard`.
fn audit_as(root: &Path, standard: &str) -> serde_json::Value {
    let output = run_in(
        root,
        &["audit", ".", "--standard", standard, "--format", "json"],
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// `squarely add domain DOMAIN` then `add migration MIGRATION` in `root`, both succeeding.
fn add_domain_and_migration(root: &Path, domain: &str, migration: &str) {
    for args in [["add", "domain", domain], ["add", "migration", migration]] {
        let output = run_in(root, &args);
        assert_eq!(code(&output), 0, "{args:?}: {}", stderr(&output));
    }
}

fn audit(root: &Path) -> serde_json::Value {
    let output = run_in(root, &["audit", ".", "--format", "json"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    serde_json::from_slice(&output.stdout).unwrap()
}

/// The checks that lost points, for a readable failure.
fn lost(report: &serde_json::Value) -> Vec<String> {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["score"] != c["max"])
        .map(|c| format!("{} {}: {}", c["id"], c["score"], c["findings"]))
        .collect()
}

#[test]
fn generated_file_lists() {
    let dir = tempfile::tempdir().unwrap();
    let actix = generate(dir.path(), "billing", &[]);
    insta::assert_snapshot!("files_actix_postgres", tree(&actix).join("\n"));
    let axum = generate(dir.path(), "shop", AXUM_SQLITE_AUTH);
    insta::assert_snapshot!("files_axum_sqlite_auth", tree(&axum).join("\n"));
}

#[test]
fn key_files_of_each_variant() {
    let dir = tempfile::tempdir().unwrap();
    let actix = generate(
        dir.path(),
        "billing",
        &["--domain", "invoices", "--domain", "auth"],
    );
    for file in [
        "Cargo.toml",
        "src/app.rs",
        "src/modules/mod.rs",
        "src/openapi.rs",
        "src/modules/invoices/routes.rs",
        "src/modules/invoices/service.rs",
        "migrations/20261126210406_create_invoices.sql",
        ".env.example",
        "docker-compose.yml",
    ] {
        let text = fs::read_to_string(actix.join(file)).unwrap();
        insta::assert_snapshot!(format!("actix_postgres_auth__{file}"), text);
    }
    let axum = generate(
        dir.path(),
        "shop",
        &["--framework", "axum", "--db", "sqlite"],
    );
    for file in [
        "Cargo.toml",
        "src/app.rs",
        "src/modules/users/routes.rs",
        "src/shared/database/pool.rs",
        "migrations/20261126210406_create_users.sql",
        ".github/workflows/ci.yml",
    ] {
        let text = fs::read_to_string(axum.join(file)).unwrap();
        insta::assert_snapshot!(format!("axum_sqlite__{file}"), text);
    }
}

#[test]
fn a_generated_project_scores_100_and_still_does_after_add_domain() {
    let dir = tempfile::tempdir().unwrap();
    for (name, extra) in [
        (
            "billing",
            vec![
                "--domain", "users", "--domain", "invoices", "--domain", "auth",
            ],
        ),
        ("shop", vec!["--framework", "axum", "--db", "sqlite"]),
    ] {
        let root = generate(dir.path(), name, &extra);
        let report = audit(&root);
        assert_eq!(report["score"], 100.0, "{name}: {:#?}", lost(&report));
        assert_eq!(report["detection"]["kind"], "backend");

        let output = run_in(&root, &["add", "domain", "order_items"]);
        assert_eq!(code(&output), 0, "{}", stderr(&output));
        let said = stdout(&output);
        for edited in [
            "src/modules/mod.rs",
            "src/app.rs",
            "src/openapi.rs",
            "tests/unit/main.rs",
            "tests/integration/main.rs",
            "tests/e2e/main.rs",
            "docs/api/openapi.yaml",
            "README.md",
            ".squarely/project.yaml",
        ] {
            assert!(
                said.contains(&format!("  edit    {edited}")),
                "{edited}: {said}"
            );
        }
        assert!(root.join("src/modules/order_items/service.rs").is_file());
        let modules = fs::read_to_string(root.join("src/modules/mod.rs")).unwrap();
        assert!(modules.contains("pub mod order_items;\n"), "{modules}");
        let recorded = fs::read_to_string(root.join(".squarely/project.yaml")).unwrap();
        assert!(recorded.ends_with("  - order_items\n"), "{recorded}");
        let report = audit(&root);
        assert_eq!(
            report["score"],
            100.0,
            "{name} after add: {:#?}",
            lost(&report)
        );
    }
}

#[test]
fn python_dry_run_lists_every_file_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let output = run_in(
        dir.path(),
        &[
            "new",
            "todo_app",
            "--standard",
            "route-modules",
            "--dry-run",
        ],
    );
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let said = stdout(&output);
    for file in [
        "backend/src/app.py",
        "backend/src/v1/users/router.py",
        "backend/pyproject.toml",
        "README.md",
    ] {
        assert!(
            said.contains(&format!("  create  {file}\n")),
            "{file}: {said}"
        );
    }
    assert_eq!(tree(dir.path()), Vec::<String>::new(), "nothing written");
}

#[test]
fn python_file_list_and_key_files() {
    let dir = tempfile::tempdir().unwrap();
    let shop = generate(
        dir.path(),
        "shop",
        &[
            "--lang", "python", "--db", "sqlite", "--domain", "products", "--domain", "auth",
        ],
    );
    insta::assert_snapshot!("files_python_sqlite_auth", tree(&shop).join("\n"));
    for file in [
        "pyproject.toml",
        "src/main.py",
        "src/routers.py",
        "src/products/router.py",
        "src/products/service.py",
        "src/products/repository.py",
        "src/auth/dependencies.py",
        "src/shared/config/settings.py",
        "migrations/env.py",
        "migrations/versions/20261126210406_create_products.py",
        "migrations/versions/20261126210407_create_accounts.py",
        ".squarely/project.yaml",
    ] {
        let text = fs::read_to_string(shop.join(file)).unwrap();
        insta::assert_snapshot!(format!("python_sqlite_auth__{file}"), text);
    }
}

#[test]
fn fastapi_best_practices_layout_scores_100_before_and_after_add() {
    let dir = tempfile::tempdir().unwrap();
    // The standard chooses Python by itself.
    let blog = generate(
        dir.path(),
        "blog",
        &[
            "--standard",
            "fastapi-best-practices",
            "--domain",
            "posts",
            "--domain",
            "comments",
            "--domain",
            "auth",
        ],
    );
    insta::assert_snapshot!("files_fastapi_best_practices", tree(&blog).join("\n"));
    for file in [
        "src/posts/router.py",
        "src/posts/service.py",
        "src/posts/dependencies.py",
    ] {
        let text = fs::read_to_string(blog.join(file)).unwrap();
        insta::assert_snapshot!(format!("fastapi_best_practices__{file}"), text);
    }
    let report = audit_as(&blog, "fastapi-best-practices");
    assert_eq!(report["score"], 100.0, "{:#?}", lost(&report));
    add_domain_and_migration(&blog, "tags", "add_slug");
    assert!(blog.join("src/tags/service.py").is_file());
    assert!(blog.join("tests/tags/test_router.py").is_file());
    let report = audit_as(&blog, "fastapi-best-practices");
    assert_eq!(report["score"], 100.0, "after add: {:#?}", lost(&report));
}

#[test]
fn modular_monolith_layout_scores_100_before_and_after_add() {
    let dir = tempfile::tempdir().unwrap();
    let market = generate(
        dir.path(),
        "market",
        &[
            "--standard",
            "modular-monolith",
            "--domain",
            "products",
            "--domain",
            "orders",
            "--domain",
            "auth",
        ],
    );
    insta::assert_snapshot!("files_modular_monolith", tree(&market).join("\n"));
    for file in [
        "app/apis/v1.py",
        "app/core/crud.py",
        "app/products/crud/products.py",
        "app/products/services/products.py",
        "app/products/routes/products.py",
    ] {
        let text = fs::read_to_string(market.join(file)).unwrap();
        insta::assert_snapshot!(format!("modular_monolith__{file}"), text);
    }
    let report = audit_as(&market, "modular-monolith");
    assert_eq!(report["score"], 100.0, "{:#?}", lost(&report));
    add_domain_and_migration(&market, "customers", "add_notes");
    let v1 = fs::read_to_string(market.join("app/apis/v1.py")).unwrap();
    assert!(
        v1.contains("from app.customers import routes as customers\n"),
        "{v1}"
    );
    assert!(v1.contains("    customers.router,\n"), "{v1}");
    let report = audit_as(&market, "modular-monolith");
    assert_eq!(report["score"], 100.0, "after add: {:#?}", lost(&report));
}

#[test]
fn route_modules_layout_lives_in_backend_and_scores_100() {
    let dir = tempfile::tempdir().unwrap();
    let todo = generate(
        dir.path(),
        "todo_app",
        &[
            "--standard",
            "route-modules",
            "--domain",
            "users",
            "--domain",
            "todo",
            "--domain",
            "auth",
        ],
    );
    insta::assert_snapshot!("files_route_modules", tree(&todo).join("\n"));
    for file in [
        "backend/src/app.py",
        "backend/src/v1/router.py",
        "backend/src/v1/todo/router.py",
        "backend/src/v1/todo/service.py",
        "backend/src/v1/todo/repository.py",
        "backend/src/models/todo.py",
    ] {
        let text = fs::read_to_string(todo.join(file)).unwrap();
        insta::assert_snapshot!(format!("route_modules__{file}"), text);
    }
    let report = audit_as(&todo, "route-modules");
    assert_eq!(report["score"], 100.0, "{:#?}", lost(&report));
    add_domain_and_migration(&todo, "schedule_items", "add_due_date");
    assert!(
        todo.join("backend/src/v1/schedule_items/service.py")
            .is_file()
    );
    assert!(todo.join("backend/src/models/schedule_items.py").is_file());
    let report = audit_as(&todo, "route-modules");
    assert_eq!(report["score"], 100.0, "after add: {:#?}", lost(&report));
}

#[test]
fn python_migrations_chain_through_new_and_add() {
    let dir = tempfile::tempdir().unwrap();
    let root = generate(
        dir.path(),
        "billing",
        &[
            "--lang", "python", "--domain", "users", "--domain", "invoices", "--domain", "auth",
        ],
    );
    let report = audit(&root);
    assert_eq!(report["score"], 100.0, "{:#?}", lost(&report));
    add_domain_and_migration(&root, "order_items", "add_due_date");
    // Every revision names the one before it; the first names none.
    let versions = root.join("migrations/versions");
    let mut files: Vec<String> = fs::read_dir(&versions)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| Path::new(name).extension().is_some_and(|e| e == "py"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 5, "{files:?}");
    let mut previous: Option<String> = None;
    for file in &files {
        let text = fs::read_to_string(versions.join(file)).unwrap();
        let version = &file[..14];
        assert!(
            text.contains(&format!("revision: str = \"{version}\"")),
            "{file}"
        );
        let expected = previous.as_ref().map_or_else(
            || "down_revision: str | None = None".to_owned(),
            |p| format!("down_revision: str | None = \"{p}\""),
        );
        assert!(text.contains(&expected), "{file}: {text}");
        previous = Some(version.to_owned());
    }
    let routers = fs::read_to_string(root.join("src/routers.py")).unwrap();
    assert!(
        routers.contains("from src.order_items import router as order_items\n"),
        "{routers}"
    );
    let report = audit(&root);
    assert_eq!(report["score"], 100.0, "after add: {:#?}", lost(&report));
    // An existing package is never overwritten.
    let output = run_in(&root, &["add", "domain", "users"]);
    assert_eq!(code(&output), 2);
}

#[test]
fn add_domain_dry_run_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let root = generate(dir.path(), "billing", &[]);
    let before = snapshot_of(&root);
    let output = run_in(&root, &["add", "domain", "invoices", "--dry-run"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let said = stdout(&output);
    assert!(
        said.contains("  create  src/modules/invoices/handlers.rs"),
        "{said}"
    );
    assert!(
        said.contains("  edit    src/app.rs  (insert before `// squarely:routes`)"),
        "{said}"
    );
    assert_eq!(snapshot_of(&root), before);
}

#[test]
fn a_missing_insertion_point_names_the_file_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let root = generate(dir.path(), "billing", &[]);
    let app = root.join("src/app.rs");
    let text = fs::read_to_string(&app).unwrap();
    fs::write(&app, text.replace("    // squarely:routes\n", "")).unwrap();
    let before = snapshot_of(&root);
    let output = run_in(&root, &["add", "domain", "invoices"]);
    assert_eq!(code(&output), 2);
    let err = stderr(&output);
    assert!(
        err.contains("src/app.rs: the insertion point `// squarely:routes` is missing"),
        "{err}"
    );
    assert_eq!(snapshot_of(&root), before, "nothing written");
    // A missing file is named too.
    fs::remove_file(root.join("tests/e2e/main.rs")).unwrap();
    fs::write(&app, &text).unwrap();
    let output = run_in(&root, &["add", "domain", "invoices"]);
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("tests/e2e/main.rs: missing"),
        "{}",
        stderr(&output)
    );
    assert!(!root.join("src/modules/invoices").exists());
}
