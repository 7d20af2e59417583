//! Where a project's code lives: its *source roots*, found from evidence.
//!
//! A source root is the folder a service's code starts in: `src/`, `app/`, a package inside
//! `src/` (the Python src layout), a top-level package named after the project, the folders
//! that hold Django apps, a crate's `src/`. Domain modules and shared modules are looked for
//! in them (rule-set queries with `scope: source`), and `organize` moves code into them.
//! Each root carries the reason it was chosen, shown in the report, so that a surprising
//! score is explained at a glance.

use serde::Serialize;

use super::Scope;

/// A folder where a project's code starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceRoot {
    /// Tree path (`""` for the repository root).
    pub path: String,
    /// Why it is a source root, in words.
    pub reason: String,
}

/// Folder names that never hold a service's own code.
const NOT_CODE: &[&str] = &[
    "tests",
    "test",
    "__tests__",
    "spec",
    "docs",
    "doc",
    "scripts",
    "bin",
    "migrations",
    "migration",
    "alembic",
    "examples",
    "example",
    "benchmarks",
    "benches",
    "tools",
    "node_modules",
    "dist",
    "build",
    "target",
    "static",
    "templates",
    "public",
    "frontend",
    "client",
    "web",
    "ui",
    "deploy",
    "docker",
    "site-packages",
];

/// The most source roots one project gets (a workspace may list thousands of crates).
const MAX_ROOTS: usize = 64;

/// Whether `path` lies below the folder `dir` (`a/b` is below `a`, `ab` is not).
fn is_below(path: &str, dir: &str) -> bool {
    path.len() > dir.len() && path.starts_with(dir) && path.as_bytes()[dir.len()] == b'/'
}

/// Whether a folder name is one that never holds the service's own code (any case).
fn not_code(name: &str) -> bool {
    NOT_CODE.iter().any(|n| n.eq_ignore_ascii_case(name))
}

/// Python names compare with `-`, `_` and `.` alike and case ignored (PEP 503).
fn same_name(a: &str, b: &str) -> bool {
    let norm = |s: &str| {
        s.to_ascii_lowercase()
            .chars()
            .map(|c| if matches!(c, '-' | '.') { '_' } else { c })
            .collect::<String>()
    };
    norm(a) == norm(b)
}

/// The source roots of one project, best evidence first; never empty (the project root
/// itself when nothing better is found).
pub(super) fn source_roots(
    scope: &Scope,
    languages: &[String],
    names: &[String],
) -> Vec<SourceRoot> {
    let mut roots: Vec<SourceRoot> = Vec::new();
    // A root inside another (or around it) adds nothing: the first found stands. The project
    // root itself (Django apps at the top) stands beside any root below it. A hostile
    // manifest cannot make this quadratic: there are at most MAX_ROOTS roots.
    let push = |roots: &mut Vec<SourceRoot>, path: String, reason: String| {
        let nested =
            |a: &str, b: &str| a == b || (a != scope.root && b != scope.root && is_below(b, a));
        if roots.len() < MAX_ROOTS
            && !roots
                .iter()
                .any(|r| nested(&r.path, &path) || nested(&path, &r.path))
        {
            roots.push(SourceRoot { path, reason });
        }
    };
    let has = |lang: &str| languages.iter().any(|l| l == lang);
    if has("python") {
        for (path, reason) in python_roots(scope, names) {
            push(&mut roots, path, reason);
        }
    }
    if has("rust") {
        for (path, reason) in workspace_roots(scope) {
            push(&mut roots, path, reason);
        }
    }
    if has("node") || has("rust") {
        for dir in ["src", "app", "lib"] {
            let path = scope.join(dir);
            if scope.tree.is_dir(&path) && has_source(scope, &path) {
                let reason = if has("rust") && dir == "src" {
                    "the crate's src/".to_owned()
                } else {
                    format!("{dir}/ holds the code")
                };
                push(&mut roots, path, reason);
                break;
            }
        }
    }
    if roots.is_empty() {
        push(
            &mut roots,
            scope.root.to_owned(),
            "no source folder: the code sits at the project root".to_owned(),
        );
    }
    roots
}

/// Whether a folder holds a source file anywhere below it.
fn has_source(scope: &Scope, dir: &str) -> bool {
    scope.tree.descendants(dir).any(|i| {
        let entry = scope.tree.entry(i);
        entry.is_file() && crate::analyze::Language::from_path(entry.name()).is_some()
    })
}

/// Sub-folders of `dir` owned by the project (not nested projects), not hidden.
fn folders<'t>(scope: &'t Scope, dir: &str) -> impl Iterator<Item = &'t str> + 't {
    let tree = scope.tree;
    tree.children(dir)
        .filter(move |&i| scope.owns(i) && tree.entry(i).is_dir())
        .map(move |i| tree.entry(i).path.as_str())
        .filter(|p| !p.rsplit('/').next().unwrap_or(p).starts_with('.'))
}

fn is_package(scope: &Scope, dir: &str) -> bool {
    scope.tree.is_file(&format!("{dir}/__init__.py"))
}

fn name_of(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn python_roots(scope: &Scope, names: &[String]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let after_project = |path: &str| names.iter().any(|n| same_name(n, name_of(path)));
    let src = scope.join("src");
    if scope.tree.is_dir(&src) && has_source(scope, &src) {
        // The src layout: the code starts in a package inside src/ (`src/<package>/`), unless
        // src/ holds modules of its own (then src/ is the root and its packages are domains).
        let packages: Vec<&str> = folders(scope, &src)
            .filter(|p| is_package(scope, p) && !not_code(name_of(p)))
            .collect();
        let chosen: Vec<&str> = if has_py_files(scope, &src) {
            Vec::new()
        } else if packages.len() == 1 {
            packages.clone()
        } else {
            packages
                .iter()
                .copied()
                .filter(|p| after_project(p) || name_of(p) == "app")
                .collect()
        };
        for package in chosen {
            out.push((
                package.to_owned(),
                format!("a package inside src/, the Python src layout (`{package}/__init__.py`)"),
            ));
        }
        if out.is_empty() {
            out.push((src, "src/ holds the code".to_owned()));
        }
    }
    let app = scope.join("app");
    if out.is_empty() && scope.tree.is_dir(&app) && has_source(scope, &app) {
        let inner = format!("{app}/app");
        if is_package(scope, &inner) && !is_package(scope, &app) {
            out.push((
                inner,
                "the package app/app/ (app/ holds the project)".to_owned(),
            ));
        } else {
            out.push((app, "app/ holds the code".to_owned()));
        }
    }
    // A top-level package named after the project (`mealie/` in project `mealie`).
    if out.is_empty() {
        for package in folders(scope, scope.root)
            .filter(|p| is_package(scope, p) && after_project(p) && !not_code(name_of(p)))
        {
            out.push((
                package.to_owned(),
                format!("a top-level package named after the project (`{package}/__init__.py`)"),
            ));
        }
    }
    // Django: the settings package named by manage.py, and the folders holding its apps.
    let apps = django_app_parents(scope);
    if out.is_empty()
        && let Some(settings) = django_settings_package(scope)
    {
        out.push((
            settings.clone(),
            format!("the Django project package (`{settings}`, named by manage.py)"),
        ));
    }
    for parent in apps {
        if out
            .iter()
            .any(|(p, _)| *p == parent || parent.starts_with(&format!("{p}/")))
        {
            continue;
        }
        let shown = if parent.is_empty() {
            "."
        } else {
            parent.as_str()
        };
        out.push((
            parent.clone(),
            format!("holds Django apps (`{shown}/*/apps.py`)"),
        ));
    }
    // The other top-level packages that are not tests, docs or tooling: code spread over
    // `app/`, `core/` and `celery_task/` starts in each of them.
    // A Django app at the top is a domain module of the root, not a root of its own.
    for package in folders(scope, scope.root)
        .filter(|p| is_package(scope, p) && !not_code(name_of(p)) && !is_django_app(scope, p))
    {
        if out.iter().any(|(p, _)| p == package) {
            continue;
        }
        out.push((
            package.to_owned(),
            format!("a top-level package (`{package}/__init__.py`)"),
        ));
    }
    out
}

/// The member crates of a Cargo workspace (`[workspace] members`, globs expanded): their
/// folders, the project's own root (`"."`) left out.
pub(super) fn workspace_members(scope: &Scope) -> Vec<String> {
    let Some(text) = scope.tree.text_at(&scope.join("Cargo.toml")) else {
        return Vec::new();
    };
    let Ok(doc) = text.parse::<toml::Table>() else {
        return Vec::new();
    };
    let list = |key: &str| -> Vec<String> {
        doc.get("workspace")
            .and_then(|w| w.get(key))
            .and_then(toml::Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(toml::Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    };
    let exclude: Vec<crate::standard::PathGlob> = list("exclude")
        .iter()
        .filter_map(|x| crate::standard::PathGlob::new(x, false).ok())
        .collect();
    let strip = if scope.root.is_empty() {
        0
    } else {
        scope.root.len() + 1
    };
    let mut out: Vec<String> = Vec::new();
    for member in list("members") {
        let Ok(glob) = crate::standard::PathGlob::new(&member, false) else {
            continue;
        };
        for index in scope.tree.glob_matches(scope.root, &glob) {
            let entry = scope.tree.entry(index);
            let rel = entry.path.get(strip..).unwrap_or_default();
            // A member that is a project of its own (`services/api` in a monorepo) is
            // audited as that project, not as part of this one.
            if entry.is_dir()
                && entry.path != scope.root
                && scope.owns(index)
                && !exclude.iter().any(|x| x.is_match(rel))
                && !out.contains(&entry.path)
                && out.len() < MAX_ROOTS
            {
                out.push(entry.path.clone());
            }
        }
    }
    out
}

/// The `src/` of each member crate of a Cargo workspace, the migration crate left out.
fn workspace_roots(scope: &Scope) -> Vec<(String, String)> {
    workspace_members(scope)
        .into_iter()
        .filter(|dir| !matches!(name_of(dir), "migration" | "migrations"))
        .filter_map(|dir| {
            let src = format!("{dir}/src");
            (scope.tree.is_dir(&src) && has_source(scope, &src))
                .then(|| (src, format!("a member crate of the workspace (`{dir}`)")))
        })
        .collect()
}

fn has_py_files(scope: &Scope, dir: &str) -> bool {
    scope.tree.children(dir).any(|i| {
        let entry = scope.tree.entry(i);
        entry.is_file()
            && std::path::Path::new(entry.name())
                .extension()
                .is_some_and(|ext| ext.eq_ignore_ascii_case("py"))
            && entry.name() != "__init__.py"
    })
}

/// The top-level package of `DJANGO_SETTINGS_MODULE` in `manage.py` (`config` for
/// `config.settings.local`), when it is a folder of the project.
fn django_settings_package(scope: &Scope) -> Option<String> {
    let text = scope.tree.text_at(&scope.join("manage.py"))?;
    // `os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")`: the first
    // string after the key, on the same line, that is a dotted Python name.
    text.lines()
        .filter(|line| !line.trim_start().starts_with('#'))
        .find_map(|line| {
            let at = line.find("DJANGO_SETTINGS_MODULE")?;
            let rest = &line[at + "DJANGO_SETTINGS_MODULE".len()..];
            let rest = rest.strip_prefix(['"', '\'']).unwrap_or(rest);
            let open = rest.find(['"', '\''])?;
            let value = &rest[open + 1..];
            let close = value.find(['"', '\''])?;
            let top = value[..close].split('.').next()?;
            let identifier = top
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && top.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            let path = scope.join(top);
            let owned = scope.tree.find(&path).is_some_and(|i| scope.owns(i));
            (identifier && !not_code(top) && owned && scope.tree.is_dir(&path)).then_some(path)
        })
}

/// A Django app: a folder with an `apps.py`, or a `models.py` next to `migrations/`.
fn is_django_app(scope: &Scope, dir: &str) -> bool {
    let has = |name: &str| scope.tree.is_file(&format!("{dir}/{name}"));
    has("apps.py") || (has("models.py") && scope.tree.is_dir(&format!("{dir}/migrations")))
}

/// The folders that hold Django apps (folders with an `apps.py`, or a `models.py` next to
/// `migrations/`), at most three levels below the project root.
fn django_app_parents(scope: &Scope) -> Vec<String> {
    let tree = scope.tree;
    let depth0 = if scope.root.is_empty() {
        0
    } else {
        scope.root.matches('/').count() + 1
    };
    let mut parents: Vec<String> = Vec::new();
    for index in tree.descendants(scope.root) {
        let entry = tree.entry(index);
        if !entry.is_dir() || !scope.owns(index) {
            continue;
        }
        let depth = entry.path.matches('/').count() + 1 - depth0;
        // Only the folders below the project root are judged by name: a service in `web/`
        // holds Django apps as well as one in `backend/`.
        let below = entry.path.get(scope.root.len()..).unwrap_or_default();
        if depth > 3 || below.split('/').any(|c| not_code(c) || c.starts_with('.')) {
            continue;
        }
        if is_django_app(scope, &entry.path) {
            let parent = entry.parent().to_owned();
            if !parents.contains(&parent) {
                parents.push(parent);
            }
        }
    }
    parents.sort();
    parents
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fs::Tree;

    fn roots(
        files: &[(&str, &str)],
        root: &str,
        nested: &[&str],
        languages: &[&str],
        names: &[&str],
    ) -> Vec<String> {
        let tree = Tree::from_files(files);
        let scope = Scope::new(&tree, root, nested);
        let languages: Vec<String> = languages.iter().map(|s| (*s).to_owned()).collect();
        let names: Vec<String> = names.iter().map(|s| (*s).to_owned()).collect();
        source_roots(&scope, &languages, &names)
            .into_iter()
            .map(|r| r.path)
            .collect()
    }

    /// Files, project names, and the source roots expected.
    type Case<'a> = (&'a [(&'a str, &'a str)], &'a [&'a str], &'a [&'a str]);

    const DJANGO: &str =
        "import os\nos.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"config.settings\")\n";

    #[test]
    fn python_source_roots_come_from_the_layout() {
        let py = &["python"][..];
        let cases: &[Case] = &[
            // The src layout: the one package inside src/.
            (
                &[
                    ("src/dispatch/__init__.py", ""),
                    ("src/dispatch/main.py", "x = 1\n"),
                ],
                &[],
                &["src/dispatch"],
            ),
            // src/ with modules of its own: src/ is the root, its packages are domains.
            (
                &[
                    ("src/main.py", "x = 1\n"),
                    ("src/auth/__init__.py", ""),
                    ("src/auth/router.py", "x = 1\n"),
                ],
                &[],
                &["src"],
            ),
            // Several packages in src/: the one named after the project.
            (
                &[
                    ("src/shop/__init__.py", ""),
                    ("src/shop/main.py", "x = 1\n"),
                    ("src/tools/__init__.py", ""),
                    ("src/tools/a.py", "x = 1\n"),
                ],
                &["shop"],
                &["src/shop"],
            ),
            // app/ holding the project, app/app/ the package.
            (
                &[("app/app/__init__.py", ""), ("app/app/main.py", "x = 1\n")],
                &[],
                &["app/app"],
            ),
            // A top-level package named after the project; tests/ never is a root.
            (
                &[
                    ("mealie/__init__.py", ""),
                    ("mealie/app.py", "x = 1\n"),
                    ("tests/__init__.py", ""),
                    ("tests/test_a.py", "x = 1\n"),
                ],
                &["mealie", "tests"],
                &["mealie"],
            ),
            // Code spread over several top-level packages: each is a root.
            (
                &[
                    ("app/__init__.py", ""),
                    ("app/main.py", "x = 1\n"),
                    ("core/__init__.py", ""),
                    ("core/config.py", "x = 1\n"),
                ],
                &[],
                &["app", "core"],
            ),
            // Django: the settings package named by manage.py, and the folder of the apps.
            (
                &[
                    ("manage.py", DJANGO),
                    ("config/__init__.py", ""),
                    ("config/settings.py", "x = 1\n"),
                    ("shop/blog/apps.py", "x = 1\n"),
                    ("shop/blog/models.py", "x = 1\n"),
                ],
                &[],
                &["config", "shop"],
            ),
            // Django apps at the top stand beside the settings package.
            (
                &[
                    ("manage.py", DJANGO),
                    ("config/__init__.py", ""),
                    ("config/settings.py", "x = 1\n"),
                    ("blog/apps.py", "x = 1\n"),
                    ("blog/models.py", "x = 1\n"),
                ],
                &[],
                &["config", ""],
            ),
            // Nothing better: the project root itself.
            (&[("app.py", "x = 1\n")], &[], &[""]),
        ];
        for (files, names, expected) in cases {
            assert_eq!(&roots(files, "", &[], py, names), expected, "{files:?}");
        }
    }

    #[test]
    fn django_is_found_below_any_service_root_and_only_from_real_settings() {
        // A service root named like a tooling folder (`web/`) still holds Django apps.
        let files = [
            ("web/manage.py", DJANGO),
            ("web/config/__init__.py", ""),
            ("web/config/settings.py", "x = 1\n"),
            ("web/blog/apps.py", "x = 1\n"),
            ("web/blog/models.py", "x = 1\n"),
        ];
        assert_eq!(
            roots(&files, "web", &[], &["python"], &[]),
            ["web/config", "web"]
        );
        // A comment naming the variable first does not hide the real call; a value that is
        // not a Python name (`../etc`) is never followed.
        for (manage, expected) in [
            (
                "# DJANGO_SETTINGS_MODULE is set below\nimport os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings')\n",
                vec!["config", ""],
            ),
            (
                "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', '../etc')\n",
                vec!["", "config"],
            ),
        ] {
            let files = [
                ("manage.py", manage),
                ("config/__init__.py", ""),
                ("config/settings.py", "x = 1\n"),
                ("blog/__init__.py", ""),
                ("blog/apps.py", "x = 1\n"),
                ("blog/models.py", "x = 1\n"),
                ("blog/migrations/0001_initial.py", "x = 1\n"),
            ];
            assert_eq!(
                roots(&files, "", &[], &["python"], &[]),
                expected,
                "{manage}"
            );
        }
    }

    #[test]
    fn workspace_crates_are_roots_but_not_nested_projects_or_the_migration_crate() {
        let rust = &["rust"][..];
        let files = [
            (
                "Cargo.toml",
                "[workspace]\nmembers = [\"crates/*\", \"services/*\"]\nexclude = [\"crates/old\"]\n",
            ),
            ("crates/core/src/lib.rs", "pub fn a() {}\n"),
            ("crates/old/src/lib.rs", "pub fn a() {}\n"),
            ("crates/migration/src/lib.rs", "pub fn a() {}\n"),
            ("services/api/Cargo.toml", "[package]\nname = \"api\"\n"),
            ("services/api/src/main.rs", "fn main() {}\n"),
        ];
        assert_eq!(
            roots(&files, "", &["services/api"], rust, &[]),
            ["crates/core/src"]
        );
        // A hostile member list cannot make thousands of roots.
        let mut many: Vec<(String, String)> = vec![(
            "Cargo.toml".to_owned(),
            "[workspace]\nmembers = [\"**\"]\n".to_owned(),
        )];
        for n in 0..200 {
            many.push((format!("c{n}/src/lib.rs"), "pub fn a() {}\n".to_owned()));
        }
        let many: Vec<(&str, &str)> = many.iter().map(|(p, c)| (p.as_str(), c.as_str())).collect();
        assert!(roots(&many, "", &[], rust, &[]).len() <= MAX_ROOTS);
    }

    #[test]
    fn node_and_rust_start_in_src() {
        let files = [
            ("src/index.ts", "export {};\n"),
            ("lib/x.ts", "export {};\n"),
        ];
        assert_eq!(roots(&files, "", &[], &["node"], &[]), ["src"]);
        assert_eq!(roots(&[("main.js", "x\n")], "", &[], &["node"], &[]), [""]);
    }
}
