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
    // root itself (Django apps at the top) stands beside any root below it.
    let push = |roots: &mut Vec<SourceRoot>, path: String, reason: String| {
        let nested = |a: &str, b: &str| {
            a == b || (a != scope.root && b != scope.root && b.starts_with(&format!("{a}/")))
        };
        if !roots
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
            .filter(|p| is_package(scope, p) && !NOT_CODE.contains(&name_of(p)))
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
        for package in
            folders(scope, scope.root).filter(|p| is_package(scope, p) && after_project(p))
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
    for package in folders(scope, scope.root).filter(|p| {
        is_package(scope, p) && !NOT_CODE.contains(&name_of(p)) && !is_django_app(scope, p)
    }) {
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
    let members = doc
        .get("workspace")
        .and_then(|w| w.get("members"))
        .and_then(toml::Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut out = Vec::new();
    for member in members.iter().filter_map(toml::Value::as_str) {
        let Ok(glob) = crate::standard::PathGlob::new(member, false) else {
            continue;
        };
        for index in scope.tree.glob_matches(scope.root, &glob) {
            let entry = scope.tree.entry(index);
            if entry.is_dir() && entry.path != scope.root && !out.contains(&entry.path) {
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
    let at = text.find("DJANGO_SETTINGS_MODULE")?;
    let rest = &text[at + "DJANGO_SETTINGS_MODULE".len()..];
    // Past the key's own closing quote, the next string is the value.
    let rest = rest.strip_prefix(['"', '\'']).unwrap_or(rest);
    let quote = rest.find(['"', '\''])?;
    let value = &rest[quote + 1..];
    let end = value.find(['"', '\''])?;
    let module = &value[..end];
    let top = module.split('.').next()?;
    let path = scope.join(top);
    (!top.is_empty() && scope.tree.is_dir(&path)).then_some(path)
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
        if depth > 3
            || entry
                .path
                .split('/')
                .any(|c| NOT_CODE.contains(&c) || c.starts_with('.'))
        {
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
