//! What to move where: the plan of `squarely organize`, computed from the tree alone.
//!
//! The rules follow the `coditect-backend` standard and its migration guide ("create the
//! target structure, identify domains, separate layers, move the database code, update
//! imports"):
//!
//! 1. Root items that do not belong at the root go where the standard puts them: tests into
//!    `tests/unit/`, migrations into `migrations/`, session exports and research notes into
//!    `docs/`, SQL schema files into `schemas/`, loose source files into the source tree.
//! 2. Build artifacts, temporary files, logs, local databases and OS junk are untracked and
//!    added to `.gitignore` — never deleted.
//! 3. Code laid out by technical layer (`controllers/`, `services/`, `models/`, `routes/`...)
//!    is regrouped into one module per domain, the domain named after the file
//!    (`users.controller.js`, `user_service.py`, `user.rs` -> `users`), and cross-cutting
//!    folders (`middleware/`, `config/`, `utils/`...) go under `shared/`.
//! 4. Missing root documents are created with content drawn from the repository.
//!
//! Nothing here touches the disk or decides how imports change ([`super::rewrite`] does).

use std::collections::{BTreeMap, HashSet};

use serde::Serialize;

use crate::analyze::words::PYTHON_STDLIB;
use crate::detect::Detection;
use crate::fs::Tree;

use super::conventions::Anchors;
use super::model::Move;

/// The stack a plan is made for: where sources live and how files are named.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Stack {
    /// Python: domains in `src/<domain>/` (`router.py`, `service.py`, `models.py`...).
    Python,
    /// Node (JavaScript/TypeScript): domains in `src/modules/<domain>/<domain>.<layer>.<ext>`.
    Node,
    /// Rust: domains in `src/modules/<domain>/<layer>.rs`.
    Rust,
    /// No backend language: only root items and documents are planned.
    Other,
}

impl Stack {
    /// The stack of the detected service project.
    #[must_use]
    pub fn of(detection: &Detection) -> Stack {
        let languages = detection.languages();
        if languages.iter().any(|l| l == "python") {
            Stack::Python
        } else if languages.iter().any(|l| l == "rust") {
            Stack::Rust
        } else if languages.iter().any(|l| l == "node") {
            Stack::Node
        } else {
            Stack::Other
        }
    }

    fn source_extensions(self) -> &'static [&'static str] {
        match self {
            Stack::Python => &["py"],
            Stack::Node => &["js", "mjs", "cjs", "ts", "mts", "cts", "jsx", "tsx"],
            Stack::Rust => &["rs"],
            Stack::Other => &[],
        }
    }
}

/// Where a file of a layer folder goes in a domain module.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    /// One file per layer in the domain module (`src/<domain>/service.py`), by its stem.
    File(&'static str),
    /// A folder per layer in the domain module, the file keeping its name
    /// (`app/<feature>/services/user.py`).
    Folder(&'static str),
    /// A folder beside the modules that every domain shares, the file keeping its name
    /// (`src/models/user.py` under `route-modules`).
    Global(&'static str),
}

/// The layout a standard draws for a Python service, the plan's destination: where domain
/// modules, their layers and shared code go. Folders are relative to the source base: `src`
/// (or `app` for `modular-monolith`) under the service root, or a Python package that keeps
/// its code (`app/` with its `__init__.py`).
#[derive(Debug, Clone, Copy)]
pub struct Target {
    /// The standard's id.
    pub standard: &'static str,
    /// The source base under the service root for code in the usual roots.
    base: &'static str,
    /// Domain modules, in the base (empty: the base itself).
    modules: &'static str,
    /// Shared code, in the base (empty: the base itself).
    shared: &'static str,
    /// Where root test files go, under the service root.
    tests: &'static str,
    /// Where each layer goes, by the name `coditect-backend` gives its file (`service`).
    place: fn(&'static str) -> Place,
    /// The shared folder each kind of cross-cutting code joins (`database` -> `db`).
    shared_leaf: fn(&'static str) -> &'static str,
    /// Whether the standard asks for the root documents (CLAUDE.md, CONTRIBUTING.md...).
    pub documents: bool,
}

/// The standards `organize` moves repositories onto.
pub const TARGETS: &[&str] = &[
    "coditect-backend",
    "modular-monolith",
    "route-modules",
    "fastapi-best-practices",
];

impl Target {
    /// The layout of `standard` for `stack`, or why organize cannot move onto it.
    pub fn of(standard: &str, stack: Stack) -> Result<Target, String> {
        let same: fn(&'static str) -> &'static str = |kind| kind;
        let target = match standard {
            "coditect-backend" => Target {
                standard: "coditect-backend",
                base: "src",
                modules: match stack {
                    Stack::Python => "",
                    Stack::Node | Stack::Rust | Stack::Other => "modules",
                },
                shared: "shared",
                tests: "tests/unit",
                place: Place::File,
                shared_leaf: same,
                documents: true,
            },
            // app/<feature>/{models,schemas,crud,services,routes}/ and app/core/.
            "modular-monolith" => Target {
                standard: "modular-monolith",
                base: "app",
                modules: "",
                shared: "core",
                tests: "tests",
                place: |file| {
                    Place::Folder(match file {
                        "service" => "services",
                        "models" => "models",
                        "schemas" | "validators" => "schemas",
                        "repository" => "crud",
                        _ => "routes",
                    })
                },
                shared_leaf: same,
                documents: false,
            },
            // src/v1/<module>/{router,dependencies,service,repository,schemas}.py, the ORM
            // models in src/models/, infrastructure in src/core/{config,db,http,logging}/.
            "route-modules" => Target {
                standard: "route-modules",
                base: "src",
                modules: "v1",
                shared: "core",
                tests: "tests/unit",
                place: |file| match file {
                    "models" => Place::Global("models"),
                    "service" | "repository" | "schemas" | "validators" => Place::File(file),
                    _ => Place::File("router"),
                },
                shared_leaf: |kind| match kind {
                    "database" => "db",
                    "exceptions" | "middleware" => "http",
                    other => other,
                },
                documents: false,
            },
            // src/<domain>/{router,schemas,models,service,...}.py beside the global modules.
            "fastapi-best-practices" => Target {
                standard: "fastapi-best-practices",
                base: "src",
                modules: "",
                shared: "",
                tests: "tests",
                place: |file| match file {
                    "controller" | "views" | "handlers" => Place::File("router"),
                    other => Place::File(other),
                },
                shared_leaf: same,
                documents: false,
            },
            other => {
                return Err(format!(
                    "`squarely organize` knows the layouts of the built-in standards ({}), not `{other}`",
                    TARGETS.join(", ")
                ));
            }
        };
        if target.standard != "coditect-backend" && matches!(stack, Stack::Node | Stack::Rust) {
            return Err(format!(
                "`{}` lays out Python services and this repository's code is {}: organize it onto `coditect-backend`",
                target.standard,
                if stack == Stack::Node {
                    "Node.js"
                } else {
                    "Rust"
                }
            ));
        }
        Ok(target)
    }

    /// The folder domain modules go in, relative to the service root, for code in the usual
    /// roots.
    #[must_use]
    pub fn modules_dir(&self) -> String {
        crate::fs::join(self.base, self.modules)
    }

    /// The folder shared code goes in, relative to the service root, for code in the usual
    /// roots.
    #[must_use]
    pub fn shared_dir(&self) -> String {
        crate::fs::join(self.base, self.shared)
    }
}

/// Why a file moves, for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlannedMove {
    /// The move.
    #[serde(flatten)]
    pub moved: Move,
    /// The domain it belongs to, when it joins a domain module.
    pub domain: Option<String>,
    /// Why.
    pub why: String,
}

/// A file to create.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlannedCreate {
    /// Where.
    pub path: String,
    /// Its content.
    #[serde(skip)]
    pub contents: String,
    /// Why.
    pub why: String,
}

/// A tracked file or folder to untrack (it stays on disk) and ignore.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlannedUntrack {
    /// The file or folder, as the tree has it.
    pub path: String,
    /// The files below it (the path itself for a file).
    #[serde(skip)]
    pub files: Vec<String>,
    /// The `.gitignore` pattern that keeps it out.
    pub pattern: String,
    /// Why.
    pub why: String,
}

/// A move the plan would make but cannot: its target exists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Conflict {
    /// The file that would move.
    pub from: String,
    /// Where it would go.
    pub to: String,
    /// Why it does not.
    pub why: String,
}

/// Where things go (before imports are rewritten).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Layout {
    /// Files to move.
    pub moves: Vec<PlannedMove>,
    /// Tracked junk to untrack and ignore.
    pub untrack: Vec<PlannedUntrack>,
    /// Moves that cannot be made.
    pub conflicts: Vec<Conflict>,
    /// Files the plan leaves where they are, though the layout rules would move them.
    pub kept: Vec<Kept>,
}

/// A file left where it is: a tool finds it there, the configuration names it, or its
/// domain or folder moves whole or not at all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Kept {
    /// The file.
    pub path: String,
    /// Why it stays.
    pub why: String,
}

/// Layer folders of code laid out by technical type, and the file each becomes in a domain
/// module: `(folder, python file, node layer, rust file)`.
const LAYERS: &[(&str, &str, &str, &str)] = &[
    ("controllers", "controller", "controller", "handlers"),
    ("controller", "controller", "controller", "handlers"),
    ("handlers", "handlers", "handler", "handlers"),
    ("routes", "router", "routes", "routes"),
    ("routers", "router", "routes", "routes"),
    ("api", "router", "routes", "routes"),
    ("endpoints", "router", "routes", "routes"),
    ("views", "views", "views", "handlers"),
    ("services", "service", "service", "service"),
    ("service", "service", "service", "service"),
    ("models", "models", "model", "models"),
    ("entities", "models", "entity", "models"),
    ("schemas", "schemas", "schema", "dto"),
    ("dto", "schemas", "dto", "dto"),
    ("dtos", "schemas", "dto", "dto"),
    ("repositories", "repository", "repository", "repository"),
    ("repository", "repository", "repository", "repository"),
    ("crud", "repository", "repository", "repository"),
    ("validators", "validators", "validator", "validators"),
];

/// Cross-cutting folders and the `shared/` folder they join.
const SHARED: &[(&str, &str)] = &[
    ("middleware", "middleware"),
    ("middlewares", "middleware"),
    ("config", "config"),
    ("configs", "config"),
    ("settings", "config"),
    ("utils", "utils"),
    ("util", "utils"),
    ("helpers", "utils"),
    ("lib", "utils"),
    ("errors", "exceptions"),
    ("exceptions", "exceptions"),
    ("database", "database"),
    ("db", "database"),
];

/// Suffixes a file name carries for its layer (`users.controller`, `user_service`).
const LAYER_SUFFIXES: &[&str] = &[
    "controller",
    "controllers",
    "handler",
    "handlers",
    "routes",
    "route",
    "router",
    "routers",
    "service",
    "services",
    "model",
    "models",
    "entity",
    "schema",
    "schemas",
    "dto",
    "dtos",
    "repository",
    "repositories",
    "repo",
    "crud",
    "views",
    "view",
    "validator",
    "validators",
];

/// Files that stay in a layer folder: package markers and barrels.
const STAY: &[&str] = &["__init__.py", "index.js", "index.ts", "mod.rs", "index.mjs"];

/// Root items that are junk: `(glob-ish test, .gitignore pattern, why)`.
fn junk(name: &str, is_dir: bool) -> Option<(String, &'static str)> {
    let lower = name.to_ascii_lowercase();
    let ext = lower.rsplit_once('.').map(|(_, e)| e);
    if is_dir {
        return match lower.as_str() {
            "__pycache__" | ".pytest_cache" | ".mypy_cache" | ".ruff_cache" => {
                Some((format!("{name}/"), "a cache folder"))
            }
            "node_modules" | "target" | "dist" | "build" | "coverage" | "htmlcov" | ".venv"
            | "venv" => Some((
                format!("/{name}/"),
                "build output or installed dependencies",
            )),
            _ => None,
        };
    }
    match (lower.as_str(), ext) {
        (".ds_store" | "thumbs.db" | "desktop.ini", _) => Some((name.to_owned(), "an OS file")),
        (_, Some("pyc" | "pyo")) => Some(("*.pyc".to_owned(), "compiled Python")),
        (_, Some("tmp" | "temp" | "bak" | "swp" | "orig")) => {
            Some((format!("*.{}", ext.unwrap_or_default()), "a temporary file"))
        }
        (_, Some("log")) => Some(("*.log".to_owned(), "a log file")),
        (_, Some("db" | "sqlite" | "sqlite3")) => Some((
            format!("*.{}", ext.unwrap_or_default()),
            "a local database (keep seed data in seeds/ instead)",
        )),
        _ => None,
    }
}

/// Plan where everything goes.
#[must_use]
pub fn layout(tree: &Tree, detection: &Detection, target: &Target) -> Layout {
    let stack = Stack::of(detection);
    let root = detection.service_root.as_str();
    let at = |rel: &str| crate::fs::join(root, rel);
    let mut planner = Planner {
        tree,
        anchors: Anchors::of(tree, detection),
        layout: Layout::default(),
        taken: HashSet::new(),
        moving: HashSet::new(),
        groups: BTreeMap::new(),
        held: BTreeMap::new(),
    };

    // A flat Python app (`routes.py`, `crud.py`, `models.py` at the root) becomes a domain
    // module with its layers plus shared code, not a flat `src/`.
    let flat = (stack == Stack::Python)
        .then(|| FlatApp::of(tree, root))
        .flatten();

    // 1 and 2: the repository root (and the service root when it differs).
    let mut roots = vec![String::new()];
    if !root.is_empty() {
        roots.push(root.to_owned());
    }
    for base in &roots {
        for index in tree.children(base) {
            let entry = tree.entry(index);
            let name = entry.name();
            if let Some((pattern, why)) = junk(name, entry.is_dir()) {
                let files = files_below(tree, &entry.path);
                if !files.is_empty() {
                    planner.layout.untrack.push(PlannedUntrack {
                        path: entry.path.clone(),
                        files,
                        pattern,
                        why: format!(
                            "`{}` is {why}: it does not belong in the repository",
                            entry.path
                        ),
                    });
                }
                continue;
            }
            if !entry.is_file() || base != root {
                continue;
            }
            if let Some((to, domain, why)) = flat.as_ref().and_then(|f| f.place(name, target)) {
                let group = domain.as_ref().map(|d| format!("the `{d}` domain"));
                planner.plan_move(&entry.path, at(&to), domain, why, group, true);
                continue;
            }
            if let Some((dir, why)) = root_destination(name, stack, target) {
                let to = format!("{}/{name}", at(dir));
                planner.plan_move(&entry.path, to, None, why, None, true);
            }
        }
    }

    // 3: layer folders and shared folders in the source roots, where the audit finds the
    // code (`src/`, `app/`, `src/<package>/`, the package named after the project...); a
    // Python project's layer folders may also sit at the service root.
    let mut source_roots: Vec<String> = match stack {
        Stack::Other => Vec::new(),
        _ => detection
            .service_project()
            .source_roots
            .iter()
            .map(|r| r.path.clone())
            .collect(),
    };
    if stack == Stack::Python && !source_roots.iter().any(|r| r == root) {
        source_roots.push(root.to_owned());
    }
    let mut candidates: Vec<Candidate> = Vec::new();
    for source in source_roots {
        if !source.is_empty() && !tree.is_dir(&source) {
            continue;
        }
        // Code stays in the package or crate it was found in: a root of its own
        // (`src/dispatch/`, `crates/core/src/`, a Python package such as `app/` with its
        // `__init__.py`) gets its modules and shared code inside it; the other usual roots
        // (`src/`, `app/`, `lib/`, the service root) share `src/`.
        let package = stack == Stack::Python
            && !source.is_empty()
            && source != root
            && tree.is_file(&format!("{source}/__init__.py"));
        let conventional =
            !package && (source == root || [at("src"), at("app"), at("lib")].contains(&source));
        let base = if conventional {
            at(target.base)
        } else {
            source.clone()
        };
        let (modules_base, shared_base) = if conventional || stack == Stack::Python {
            (
                crate::fs::join(&base, target.modules),
                crate::fs::join(&base, target.shared),
            )
        } else {
            (format!("{source}/modules"), format!("{source}/shared"))
        };
        for index in tree.children(&source) {
            let folder = tree.entry(index);
            if !folder.is_dir() {
                continue;
            }
            let name = folder.name();
            if let Some(&layer) = LAYERS.iter().find(|(dir, ..)| *dir == name) {
                for file in files_below(tree, &folder.path) {
                    let rel = &file[folder.path.len() + 1..];
                    let file_name = rel.rsplit('/').next().unwrap_or(rel);
                    if STAY.contains(&file_name) || rel.contains('/') {
                        continue;
                    }
                    let Some((stem, ext)) = file_name
                        .split_once('.')
                        .map(|(s, _)| s)
                        .zip(file_name.rsplit_once('.').map(|(_, e)| e))
                    else {
                        continue;
                    };
                    if !stack.source_extensions().contains(&ext) {
                        continue;
                    }
                    let Some(written) = domain_of(stem) else {
                        if let Some(word) = not_a_domain(stem) {
                            planner.layout.kept.push(Kept {
                                path: file.clone(),
                                why: format!(
                                    "`{file_name}` is {word}, not a domain: it stays with its layer"
                                ),
                            });
                        }
                        continue;
                    };
                    candidates.push(Candidate {
                        file: file.clone(),
                        folder: folder.path.clone(),
                        file_name: file_name.to_owned(),
                        layer,
                        written,
                        modules_base: modules_base.clone(),
                        base: base.clone(),
                    });
                }
            } else if let Some(&(_, shared)) = SHARED.iter().find(|(dir, _)| *dir == name) {
                let target_dir = crate::fs::join(&shared_base, (target.shared_leaf)(shared));
                if folder.path == target_dir || folder.path.starts_with(&format!("{shared_base}/"))
                {
                    continue;
                }
                if stack == Stack::Other {
                    continue;
                }
                for file in files_below(tree, &folder.path) {
                    let rel = &file[folder.path.len() + 1..];
                    let to = format!("{target_dir}/{rel}");
                    let why = format!(
                        "`{}/` is cross-cutting code: it belongs in {shared_base}/",
                        folder.path
                    );
                    let group = format!("`{}/`", folder.path);
                    planner.plan_move(&file, to, None, why, Some(group), true);
                }
            }
        }
    }

    // Domains are named as the project writes them: `user.py` in models/ and `users.py` in
    // routes/ are one domain, named by the form the files use most (the plural on a tie).
    let names = domain_names(candidates.iter().map(|c| c.written.as_str()));
    for candidate in candidates {
        let domain = names
            .get(&candidate.written)
            .cloned()
            .unwrap_or(candidate.written);
        let (_, python_file, node_layer, rust_file) = candidate.layer;
        let to = match stack {
            Stack::Python => match (target.place)(python_file) {
                Place::File(file) => format!("{}/{domain}/{file}.py", candidate.modules_base),
                Place::Folder(dir) => format!(
                    "{}/{domain}/{dir}/{}",
                    candidate.modules_base, candidate.file_name
                ),
                Place::Global(dir) => {
                    crate::fs::join(&candidate.base, &format!("{dir}/{}", candidate.file_name))
                }
            },
            Stack::Node => {
                let file_name = &candidate.file_name;
                let rest = file_name.split_once('.').map_or("", |(_, r)| r);
                let tail = rest
                    .split_once('.')
                    .filter(|(first, _)| LAYER_SUFFIXES.contains(first))
                    .map_or(rest, |(_, tail)| tail);
                format!(
                    "{}/{domain}/{domain}.{node_layer}.{tail}",
                    candidate.modules_base
                )
            }
            Stack::Rust => format!("{}/{domain}/{rust_file}.rs", candidate.modules_base),
            Stack::Other => continue,
        };
        let group = format!("the `{domain}` domain");
        let hidden = shadows(tree, stack, &candidate.modules_base, &domain)
            .or_else(|| hides_module(tree, stack, &to));
        if let Some(why) = hidden {
            planner.keep(&candidate.file, why, Some(group));
            continue;
        }
        let why = format!(
            "`{}/` lays code out by technical type; `{domain}` gets its own module",
            candidate.folder
        );
        planner.plan_move(&candidate.file, to, Some(domain), why, Some(group), false);
    }
    planner.settle();
    let mut layout = planner.layout;
    layout.moves.sort_by(|a, b| a.moved.cmp(&b.moved));
    layout.kept.sort_by(|a, b| a.path.cmp(&b.path));
    layout.kept.dedup_by(|a, b| a.path == b.path);
    layout
}

/// Why a new Python package `<base>/<domain>/` would change what an import finds: a module
/// `<base>/<domain>.py` is there (`app/auth.py` beside a new `app/auth/`), or `<base>` is
/// an import root and `<domain>` a standard-library module (`src/token/`).
fn shadows(tree: &Tree, stack: Stack, base: &str, domain: &str) -> Option<String> {
    if stack != Stack::Python {
        return None;
    }
    let module = if base.is_empty() {
        format!("{domain}.py")
    } else {
        format!("{base}/{domain}.py")
    };
    if tree.is_file(&module) {
        return Some(format!(
            "a package `{domain}/` would hide the module `{module}` that code imports as `{domain}`"
        ));
    }
    let package = !base.is_empty() && tree.is_file(&format!("{base}/__init__.py"));
    if !package && PYTHON_STDLIB.contains(&domain) {
        return Some(format!(
            "a top-level package `{domain}/` would hide Python's own `{domain}` module"
        ));
    }
    None
}

/// Why the new folders on the way to the Python file `to` would change what an import finds:
/// a new package `x/` beside a module `x.py` (`app/auth/routes/` beside `app/auth/routes.py`
/// under `modular-monolith`, `src/models/` beside `src/models.py`).
fn hides_module(tree: &Tree, stack: Stack, to: &str) -> Option<String> {
    if stack != Stack::Python {
        return None;
    }
    let mut folder = to.rsplit_once('/')?.0;
    loop {
        if tree.is_dir(folder) {
            return None;
        }
        let module = format!("{folder}.py");
        if tree.is_file(&module) {
            let name = folder.rsplit('/').next().unwrap_or(folder);
            return Some(format!(
                "a package `{folder}/` would hide the module `{module}` that code imports as `{name}`"
            ));
        }
        folder = folder.rsplit_once('/')?.0;
    }
}

/// Root modules of a flat Python app by what they are: `(stems, layer as `coditect-backend`
/// names its file)`.
const FLAT_LAYERS: &[(&[&str], &str)] = &[
    (
        &["routes", "router", "routers", "api", "views", "endpoints"],
        "router",
    ),
    (&["services", "service"], "service"),
    (&["crud", "repository", "repositories"], "repository"),
    (&["models", "model"], "models"),
    (&["schemas", "schema"], "schemas"),
];

/// Root modules of a flat Python app that are shared code: `(stem, file in src/shared/)`.
const FLAT_SHARED: &[(&str, &str)] = &[
    ("database", "database.py"),
    ("db", "database.py"),
    ("config", "config.py"),
    ("settings", "config.py"),
    ("utils", "utils.py"),
    ("helpers", "utils.py"),
    ("exceptions", "exceptions.py"),
    ("errors", "exceptions.py"),
    ("dependencies", "dependencies.py"),
    ("deps", "dependencies.py"),
];

/// A flat Python app at the service root: two layer modules or more (`routes.py`,
/// `models.py`...) and the one domain they serve, named by the app's own words (the first
/// `__tablename__`, else the router's `prefix`).
struct FlatApp {
    domain: String,
}

impl FlatApp {
    fn of(tree: &Tree, root: &str) -> Option<FlatApp> {
        let at = |name: &str| crate::fs::join(root, name);
        let present: Vec<&str> = FLAT_LAYERS
            .iter()
            .flat_map(|(stems, _)| stems.iter())
            .copied()
            .filter(|stem| tree.is_file(&at(&format!("{stem}.py"))))
            .collect();
        if present.len() < 2 {
            return None;
        }
        let quoted_after = |text: &str, key: &str| -> Option<String> {
            let rest = &text[text.find(key)? + key.len()..];
            let rest = rest.trim_start().strip_prefix('=')?.trim_start();
            let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
            let inner = &rest[1..];
            Some(inner[..inner.find(quote)?].to_owned())
        };
        let from_models = present
            .iter()
            .filter(|stem| stem.starts_with("model"))
            .find_map(|stem| {
                quoted_after(tree.text_at(&at(&format!("{stem}.py")))?, "__tablename__")
            });
        let from_routes = || {
            present.iter().find_map(|stem| {
                let text = tree.text_at(&at(&format!("{stem}.py")))?;
                quoted_after(text, "prefix").map(|p| p.trim_matches('/').replace(['/', '-'], "_"))
            })
        };
        let domain = from_models
            .or_else(from_routes)
            .and_then(|name| domain_of(&name))?;
        Some(FlatApp { domain })
    }

    /// Where the root module `name` goes under the service root, its domain, and why;
    /// `None` for anything else.
    fn place(&self, name: &str, target: &Target) -> Option<(String, Option<String>, String)> {
        let stem = name.strip_suffix(".py")?;
        if let Some((_, layer)) = FLAT_LAYERS.iter().find(|(stems, _)| stems.contains(&stem)) {
            let domain = &self.domain;
            let modules = target.modules_dir();
            let to = match (target.place)(layer) {
                Place::File(file) => format!("{modules}/{domain}/{file}.py"),
                Place::Folder(dir) => format!("{modules}/{domain}/{dir}/{domain}.py"),
                Place::Global(dir) => format!("{}/{dir}/{domain}.py", target.base),
            };
            return Some((
                to,
                Some(domain.clone()),
                format!(
                    "a flat app lays its `{domain}` code out by layer at the root; it gets its own module"
                ),
            ));
        }
        let (_, file) = FLAT_SHARED.iter().find(|(s, _)| *s == stem)?;
        Some((
            crate::fs::join(&target.shared_dir(), file),
            None,
            format!(
                "`{name}` is cross-cutting code: it belongs in {}/",
                target.shared_dir()
            ),
        ))
    }
}

/// A layer file that joins a domain module, before domains are named.
struct Candidate {
    file: String,
    folder: String,
    file_name: String,
    layer: (&'static str, &'static str, &'static str, &'static str),
    /// The domain as this file writes it (`user`, `users`).
    written: String,
    modules_base: String,
    /// The source base the modules are in (`src`, `app`, the package).
    base: String,
}

/// The name of each written domain: a form and its plural as the files write them (`user`
/// and `users`, `movie` and `movies`, `category` and `categories`, `match` and `matches`) are
/// one domain, named by the form written most (the plural on a tie). Only forms the project
/// writes are merged; no plural is invented.
fn domain_names<'a>(written: impl Iterator<Item = &'a str>) -> BTreeMap<String, String> {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for word in written {
        *counts.entry(word.to_owned()).or_default() += 1;
    }
    // Shorter forms first: a singular is met before its plurals.
    let mut forms: Vec<&String> = counts.keys().collect();
    forms.sort_by_key(|f| (f.len(), f.as_str()));
    let mut root_of: BTreeMap<&str, &str> = BTreeMap::new();
    for form in forms {
        let singulars = [
            form.strip_suffix('s').map(str::to_owned),
            form.strip_suffix("es").map(str::to_owned),
            form.strip_suffix("ies").map(|stem| format!("{stem}y")),
        ];
        let root = singulars
            .iter()
            .flatten()
            .find_map(|one| root_of.get(one.as_str()).copied())
            .unwrap_or(form.as_str());
        root_of.insert(form.as_str(), root);
    }
    let mut groups: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (form, root) in &root_of {
        groups.entry(root).or_default().push(form);
    }
    let mut names = BTreeMap::new();
    for members in groups.values() {
        let best = members
            .iter()
            .max_by_key(|form| (counts[**form], form.len(), std::cmp::Reverse(**form)))
            .copied()
            .unwrap_or_default();
        for form in members {
            names.insert((*form).to_owned(), best.to_owned());
        }
    }
    names
}

/// Where a loose root file belongs, relative to the service root, and why.
fn root_destination(name: &str, stack: Stack, target: &Target) -> Option<(&'static str, String)> {
    let lower = name.to_ascii_lowercase();
    let (stem, ext) = lower.rsplit_once('.').unwrap_or((&lower, ""));
    // Session exports, research notes, SQL schemas and loose sources have a place in
    // `coditect-backend` only; tests and migrations have one in every standard.
    let coditect = target.standard == "coditect-backend";
    if name.starts_with("EXPORT-") && coditect {
        return Some((
            "docs/project-management/checkpoints",
            format!("`{name}` is a session export: it belongs with the project's checkpoints"),
        ));
    }
    if name.starts_with("RESEARCH-") && coditect {
        return Some((
            "docs/research",
            format!("`{name}` is a research note: it belongs in docs/"),
        ));
    }
    let is_test = stem == "tests"
        || stem.starts_with("test_")
        || stem.ends_with("_test")
        || [".test", ".spec"].iter().any(|suffix| {
            stem.rsplit_once('.')
                .is_some_and(|(_, s)| format!(".{s}") == *suffix)
        });
    let source = stack.source_extensions().contains(&ext);
    if is_test && (source || matches!(ext, "py" | "js" | "ts")) {
        return Some((
            target.tests,
            format!("`{name}` is a test: tests live in tests/"),
        ));
    }
    if ext == "sql" && (coditect || stem.starts_with(|c: char| c.is_ascii_digit())) {
        let migration = stem.chars().next().is_some_and(|c| c.is_ascii_digit());
        return Some(if migration {
            (
                "migrations",
                format!("`{name}` is a migration: migrations live in migrations/"),
            )
        } else {
            (
                "schemas",
                format!("`{name}` is a SQL schema: schema definitions live in schemas/"),
            )
        });
    }
    if source && coditect {
        let dir = match stack {
            Stack::Python | Stack::Node => "src",
            Stack::Rust | Stack::Other => return None,
        };
        return Some((
            dir,
            format!("`{name}` is source code: it belongs in the source tree"),
        ));
    }
    None
}

/// Words that name no domain: entry points, wiring, base classes and cross-cutting code a
/// layer folder may hold (`api/main.py`, `api/deps.py`, `models/base.py`), with what they are.
const NOT_DOMAINS: &[(&str, &str)] = &[
    ("main", "an entry point"),
    ("app", "an entry point"),
    ("application", "an entry point"),
    ("server", "an entry point"),
    ("index", "a barrel"),
    ("deps", "dependency wiring"),
    ("dependencies", "dependency wiring"),
    ("dependency", "dependency wiring"),
    ("base", "a base for the others"),
    ("common", "shared code"),
    ("shared", "shared code"),
    ("core", "shared code"),
    ("utils", "shared code"),
    ("util", "shared code"),
    ("utilities", "shared code"),
    ("utility", "shared code"),
    ("helpers", "shared code"),
    ("helper", "shared code"),
    ("mixins", "shared code"),
    ("decorators", "shared code"),
    ("enums", "shared code"),
    ("constants", "shared code"),
    ("types", "shared code"),
    ("interfaces", "shared code"),
    ("pagination", "shared code"),
    ("security", "shared code"),
    ("jwt", "shared code"),
    ("config", "configuration"),
    ("settings", "configuration"),
    ("database", "database wiring"),
    ("db", "database wiring"),
    ("session", "database wiring"),
    ("exceptions", "error handling"),
    ("errors", "error handling"),
    ("middleware", "middleware"),
    ("urls", "URL wiring"),
    ("apps", "app configuration"),
    ("api", "router wiring"),
    ("router", "router wiring"),
    ("routers", "router wiring"),
    ("routes", "router wiring"),
    ("handlers", "a layer module"),
    ("models", "a layer module"),
    ("services", "a layer module"),
    ("views", "a layer module"),
    ("controllers", "a layer module"),
    ("schemas", "a layer module"),
    ("repositories", "a layer module"),
    ("entities", "a layer module"),
];

/// What a file stem that names no domain is (`deps` -> dependency wiring).
fn not_a_domain(stem: &str) -> Option<&'static str> {
    let name = stripped(stem);
    if is_version(&name) {
        return Some("an API version");
    }
    if RESERVED.contains(&name.as_str()) {
        return Some("a reserved word of the language");
    }
    NOT_DOMAINS
        .iter()
        .find(|(word, _)| *word == name)
        .map(|(_, what)| *what)
}

/// `CreateTodoSchema` -> `create_todo_schema`, `user-service` -> `user_service`.
fn snake(stem: &str) -> String {
    let chars: Vec<char> = stem.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(char::is_ascii_lowercase);
            if prev.is_ascii_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_ascii_uppercase() && next_lower)
            {
                out.push('_');
            }
        }
        out.push(if c == '-' {
            '_'
        } else {
            c.to_ascii_lowercase()
        });
    }
    out
}

/// Verbs a request or schema class starts with: `CreateTodoSchema` serves `todo`.
const VERBS: &[&str] = &[
    "create", "update", "get", "list", "delete", "read", "new", "edit", "patch",
];

/// The stem with its layer suffixes and prefixes and a leading verb removed.
fn stripped(stem: &str) -> String {
    let mut name = snake(stem);
    let affixes = LAYER_SUFFIXES
        .iter()
        .chain(["endpoint", "endpoints", "resource", "resources", "api"].iter());
    let mut had_suffix = false;
    for affix in affixes {
        for sep in ['_', '.'] {
            let cut = name
                .strip_suffix(affix)
                .and_then(|rest| rest.strip_suffix(sep))
                .map(str::len);
            if let Some(len) = cut {
                name.truncate(len);
                had_suffix = true;
            }
        }
    }
    // `crud_posts`; a leading verb only on a request or schema class (`CreateTodoSchema`),
    // so that `patch_notes` and `service_accounts` keep their names.
    let verbs: &[&str] = if had_suffix { VERBS } else { &[] };
    for word in ["crud"].iter().chain(verbs) {
        let cut = name
            .strip_prefix(word)
            .and_then(|rest| rest.strip_prefix('_'))
            .map(|rest| name.len() - rest.len());
        if let Some(len) = cut {
            name.drain(..len);
        }
    }
    name
}

/// Words a domain folder cannot be named: keywords of Python, Rust and JavaScript (a module
/// named `match` or `import` cannot be declared or imported).
const RESERVED: &[&str] = &[
    "and",
    "as",
    "assert",
    "async",
    "await",
    "break",
    "case",
    "catch",
    "class",
    "const",
    "continue",
    "crate",
    "def",
    "default",
    "del",
    "delete",
    "do",
    "dyn",
    "elif",
    "else",
    "enum",
    "except",
    "export",
    "extends",
    "extern",
    "false",
    "finally",
    "fn",
    "for",
    "from",
    "function",
    "global",
    "if",
    "impl",
    "import",
    "in",
    "instanceof",
    "is",
    "lambda",
    "let",
    "loop",
    "macro",
    "match",
    "mod",
    "move",
    "mut",
    "new",
    "none",
    "nonlocal",
    "not",
    "null",
    "or",
    "pass",
    "pub",
    "raise",
    "ref",
    "return",
    "self",
    "static",
    "struct",
    "super",
    "switch",
    "this",
    "throw",
    "trait",
    "true",
    "try",
    "type",
    "typeof",
    "unsafe",
    "use",
    "var",
    "void",
    "where",
    "while",
    "with",
    "yield",
];

/// The domain a layer file serves, as the file writes it: `users.controller` -> `users`,
/// `user_service` -> `user`, `TodoModel` -> `todo`, `CreateTodoSchema` -> `todo`,
/// `crud_posts` -> `posts`. `None` for names that are no domain (`deps`, `main`, `base`).
#[must_use]
pub fn domain_of(stem: &str) -> Option<String> {
    let name = stripped(stem);
    if name.is_empty()
        || !name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        || NOT_DOMAINS.iter().any(|(word, _)| *word == name)
        || is_version(&name)
        || RESERVED.contains(&name.as_str())
    {
        return None;
    }
    Some(name)
}

/// `v1`, `v2`: an API version, not a domain.
fn is_version(name: &str) -> bool {
    name.strip_prefix('v')
        .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
}

/// Every file at or below `path`.
fn files_below(tree: &Tree, path: &str) -> Vec<String> {
    if tree.is_file(path) {
        return vec![path.to_owned()];
    }
    tree.descendants(path)
        .map(|i| tree.entry(i))
        .filter(|e| e.is_file())
        .map(|e| e.path.clone())
        .collect()
}

/// The plan being built: the moves so far, and the paths they take and free.
struct Planner<'t> {
    tree: &'t Tree,
    /// What must stay where it is.
    anchors: Anchors,
    layout: Layout,
    /// Targets already planned.
    taken: HashSet<String>,
    /// Files already planned to move.
    moving: HashSet<String>,
    /// The group each planned file moves with (a domain, a shared folder).
    groups: BTreeMap<String, String>,
    /// Groups holding a file that stays, with that file (its reason is among the kept).
    held: BTreeMap<String, String>,
}

impl Planner<'_> {
    /// Plan `from` -> `to`, or keep `from` where it is (a tool finds it there, the
    /// configuration names it), or record a conflict when `to` is taken. `by_any_name`:
    /// whether files found by name (`wsgi.py`, `settings.py`) stay; in a layer folder
    /// (`false`) only dotfiles do.
    fn plan_move(
        &mut self,
        from: &str,
        to: String,
        domain: Option<String>,
        why: String,
        group: Option<String>,
        by_any_name: bool,
    ) {
        if from == to || self.moving.contains(from) {
            return;
        }
        let by_name = self.anchors.by_name(from, !by_any_name);
        if let Some(stays) = by_name.or_else(|| self.anchors.holds(from, &to).map(str::to_owned)) {
            self.keep(from, stays, group);
            return;
        }
        let occupied = (self.tree.find(&to).is_some() && !self.moving.contains(&to))
            || self.taken.contains(&to);
        if occupied {
            if let Some(group) = group {
                self.held.entry(group).or_insert_with(|| from.to_owned());
            }
            self.layout.conflicts.push(Conflict {
                from: from.to_owned(),
                why: format!("`{to}` exists; squarely never overwrites a file: merge them by hand"),
                to,
            });
            return;
        }
        if let Some(group) = group {
            self.groups.insert(from.to_owned(), group);
        }
        self.taken.insert(to.clone());
        self.moving.insert(from.to_owned());
        self.layout.moves.push(PlannedMove {
            moved: Move {
                from: from.to_owned(),
                to,
            },
            domain,
            why,
        });
    }

    /// Keep `from` where it is, for `why`, holding its group.
    fn keep(&mut self, from: &str, why: String, group: Option<String>) {
        if let Some(group) = group {
            self.held.entry(group).or_insert_with(|| from.to_owned());
        }
        self.layout.kept.push(Kept {
            path: from.to_owned(),
            why,
        });
    }

    /// A domain or a shared folder moves whole or not at all: when one of its files stays,
    /// the others stay too. Leaving a file in place can make another move's target a file
    /// that no longer moves: that move becomes a conflict, and its group stays in turn.
    fn settle(&mut self) {
        loop {
            let mut changed = false;
            let moves = std::mem::take(&mut self.layout.moves);
            let mut remaining = Vec::with_capacity(moves.len());
            for planned in moves {
                let from = &planned.moved.from;
                let held = self
                    .groups
                    .get(from)
                    .and_then(|group| self.held.get(group).map(|h| (group, h)));
                if let Some((group, path)) = held {
                    self.layout.kept.push(Kept {
                        path: from.clone(),
                        why: format!("{group} moves whole or not at all, and `{path}` stays"),
                    });
                    self.moving.remove(from);
                    self.taken.remove(&planned.moved.to);
                    changed = true;
                } else {
                    remaining.push(planned);
                }
            }
            let mut next = Vec::with_capacity(remaining.len());
            for planned in remaining {
                let Move { from, to } = &planned.moved;
                if self.tree.find(to).is_some() && !self.moving.contains(to) {
                    if let Some(group) = self.groups.get(from) {
                        self.held
                            .entry(group.clone())
                            .or_insert_with(|| from.clone());
                    }
                    self.layout.conflicts.push(Conflict {
                        from: from.clone(),
                        why: format!(
                            "`{to}` exists; squarely never overwrites a file: merge them by hand"
                        ),
                        to: to.clone(),
                    });
                    self.moving.remove(from);
                    self.taken.remove(to);
                    changed = true;
                } else {
                    next.push(planned);
                }
            }
            self.layout.moves = next;
            if !changed {
                break;
            }
        }
    }
}

/// The domains the plan creates modules for, with the files joining each.
#[must_use]
pub fn domains(layout: &Layout) -> BTreeMap<String, Vec<&PlannedMove>> {
    let mut out: BTreeMap<String, Vec<&PlannedMove>> = BTreeMap::new();
    for planned in &layout.moves {
        if let Some(domain) = &planned.domain {
            out.entry(domain.clone()).or_default().push(planned);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_are_named_after_files() {
        for (stem, domain) in [
            ("users", Some("users")),
            ("user", Some("user")),
            ("users.controller", Some("users")),
            ("user_service", Some("user")),
            ("order-item", Some("order_item")),
            ("TodoModel", Some("todo")),
            ("CreateTodoSchema", Some("todo")),
            ("crud_posts", Some("posts")),
            ("patch_notes", Some("patch_notes")),
            ("service_accounts", Some("service_accounts")),
            ("match_handler", None),
            ("articles_endpoints", Some("articles")),
            ("APIKeyService", Some("api_key")),
            ("index", None),
            ("base", None),
            ("deps", None),
            ("main", None),
            ("v1", None),
            ("2fa", None),
        ] {
            assert_eq!(domain_of(stem).as_deref(), domain, "{stem}");
        }
    }

    #[test]
    fn one_domain_takes_the_form_its_files_write_most() {
        let names = domain_names(
            [
                "user",
                "users",
                "category",
                "categories",
                "categories",
                "auth",
                "address",
                "movie",
                "movies",
                "cache",
                "caches",
                "status",
                "statuses",
                "match",
                "matches",
            ]
            .into_iter(),
        );
        assert_eq!(names["user"], "users", "a tie goes to the plural");
        assert_eq!(names["users"], "users");
        assert_eq!(names["category"], "categories");
        assert_eq!(names["auth"], "auth", "no plural is invented");
        assert_eq!(names["address"], "address");
        for (one, many) in [
            ("movie", "movies"),
            ("cache", "caches"),
            ("status", "statuses"),
            ("match", "matches"),
        ] {
            assert_eq!(names[one], many, "{one}");
        }
    }

    /// The moves of a plan as `(from, to)`.
    fn moved_of(plan: &Layout) -> Vec<(&str, &str)> {
        plan.moves
            .iter()
            .map(|m| (m.moved.from.as_str(), m.moved.to.as_str()))
            .collect()
    }

    fn layout_of(files: &[(&str, &str)]) -> Layout {
        layout_onto("coditect-backend", files)
    }

    fn layout_onto(id: &str, files: &[(&str, &str)]) -> Layout {
        let tree = Tree::from_files(files);
        let standard = crate::standard::load(id, std::path::Path::new("."))
            .expect("built in")
            .standard;
        let detection = crate::detect::detect(&tree, &standard.detection);
        layout(
            &tree,
            &detection,
            &Target::of(id, Stack::of(&detection)).unwrap(),
        )
    }

    /// A Python service laid out by layer at its root.
    const LAYERED: &[(&str, &str)] = &[
        ("requirements.txt", "fastapi\nsqlalchemy\n"),
        ("main.py", "from routes.users import router\n"),
        ("routes/users.py", "from services.users import list_users\n"),
        ("services/users.py", "from crud.users import all_users\n"),
        ("crud/users.py", "from models.user import User\n"),
        ("models/user.py", "class User: ...\n"),
        ("schemas/user.py", "class UserOut: ...\n"),
        ("database/session.py", "engine = None\n"),
        ("config/settings.py", "DEBUG = False\n"),
        ("utils/dates.py", "def today(): ...\n"),
    ];

    #[test]
    fn each_standard_draws_its_own_destination() {
        for (standard, expected) in [
            (
                "coditect-backend",
                &[
                    // A loose source file goes into the source tree under this standard only.
                    ("main.py", "src/main.py"),
                    ("routes/users.py", "src/users/router.py"),
                    ("services/users.py", "src/users/service.py"),
                    ("crud/users.py", "src/users/repository.py"),
                    ("models/user.py", "src/users/models.py"),
                    ("schemas/user.py", "src/users/schemas.py"),
                    ("database/session.py", "src/shared/database/session.py"),
                    ("config/settings.py", "src/shared/config/settings.py"),
                    ("utils/dates.py", "src/shared/utils/dates.py"),
                ][..],
            ),
            (
                "modular-monolith",
                &[
                    ("routes/users.py", "app/users/routes/users.py"),
                    ("services/users.py", "app/users/services/users.py"),
                    ("crud/users.py", "app/users/crud/users.py"),
                    ("models/user.py", "app/users/models/user.py"),
                    ("schemas/user.py", "app/users/schemas/user.py"),
                    ("database/session.py", "app/core/database/session.py"),
                    ("config/settings.py", "app/core/config/settings.py"),
                    ("utils/dates.py", "app/core/utils/dates.py"),
                ][..],
            ),
            (
                "route-modules",
                &[
                    ("routes/users.py", "src/v1/users/router.py"),
                    ("services/users.py", "src/v1/users/service.py"),
                    ("crud/users.py", "src/v1/users/repository.py"),
                    ("models/user.py", "src/models/user.py"),
                    ("schemas/user.py", "src/v1/users/schemas.py"),
                    ("database/session.py", "src/core/db/session.py"),
                    ("config/settings.py", "src/core/config/settings.py"),
                    ("utils/dates.py", "src/core/utils/dates.py"),
                ][..],
            ),
            (
                "fastapi-best-practices",
                &[
                    ("routes/users.py", "src/users/router.py"),
                    ("services/users.py", "src/users/service.py"),
                    ("crud/users.py", "src/users/repository.py"),
                    ("models/user.py", "src/users/models.py"),
                    ("schemas/user.py", "src/users/schemas.py"),
                    ("database/session.py", "src/database/session.py"),
                    ("config/settings.py", "src/config/settings.py"),
                    ("utils/dates.py", "src/utils/dates.py"),
                ][..],
            ),
        ] {
            let layout = layout_onto(standard, LAYERED);
            let moves: BTreeMap<&str, &str> = layout
                .moves
                .iter()
                .map(|m| (m.moved.from.as_str(), m.moved.to.as_str()))
                .collect();
            assert_eq!(moves, expected.iter().copied().collect(), "{standard}");
        }
    }

    #[test]
    fn a_layer_folder_never_hides_a_module_of_the_same_name() {
        // Distilled from miguelgrinberg/microblog under modular-monolith: the auth blueprint
        // has a routes.py module, so the API's auth routes cannot become app/auth/routes/.
        let layout = layout_onto(
            "modular-monolith",
            &[
                ("requirements.txt", "flask\n"),
                ("app/__init__.py", ""),
                ("app/auth/__init__.py", "from app.auth import routes\n"),
                ("app/auth/routes.py", "def login(): ...\n"),
                ("app/api/__init__.py", ""),
                ("app/api/auth.py", "def token(): ...\n"),
                ("app/api/users.py", "def users(): ...\n"),
            ],
        );
        let kept = layout.kept.iter().find(|k| k.path == "app/api/auth.py");
        assert!(
            kept.is_some_and(|k| k.why.contains("would hide the module `app/auth/routes.py`")),
            "{layout:?}"
        );
        assert!(
            layout
                .moves
                .iter()
                .any(|m| m.moved.to == "app/users/routes/users.py"),
            "{layout:?}"
        );
    }

    #[test]
    fn python_standards_refuse_other_stacks_and_unknown_standards_are_named() {
        assert!(Target::of("modular-monolith", Stack::Python).is_ok());
        let refused = Target::of("fastapi-best-practices", Stack::Node).unwrap_err();
        assert!(refused.contains("Node.js"), "{refused}");
        assert!(Target::of("coditect-backend", Stack::Rust).is_ok());
        let unknown = Target::of("our-standard", Stack::Python).unwrap_err();
        assert!(unknown.contains("our-standard") && unknown.contains("route-modules"));
    }

    #[test]
    fn a_flat_app_becomes_a_domain_module_named_by_its_own_words() {
        let by_table = layout_of(&[
            ("requirements.txt", "fastapi\nsqlalchemy\n"),
            ("main.py", "from routes import router\n"),
            ("routes.py", "import crud\n"),
            ("crud.py", "import models\n"),
            ("models.py", "class Note:\n    __tablename__ = \"notes\"\n"),
            ("database.py", "x = 1\n"),
        ]);
        let moved = moved_of(&by_table);
        assert_eq!(
            moved,
            [
                ("crud.py", "src/notes/repository.py"),
                ("database.py", "src/shared/database.py"),
                ("main.py", "src/main.py"),
                ("models.py", "src/notes/models.py"),
                ("routes.py", "src/notes/router.py"),
            ]
        );
        // No table: the router's prefix names it; one layer module alone is no flat app.
        let by_prefix = layout_of(&[
            ("requirements.txt", "fastapi\n"),
            ("api.py", "router = APIRouter(prefix='/todo-items')\n"),
            ("services.py", "x = 1\n"),
        ]);
        assert_eq!(by_prefix.moves[0].moved.to, "src/todo_items/router.py");
        let single = layout_of(&[("requirements.txt", "fastapi\n"), ("models.py", "x = 1\n")]);
        assert_eq!(single.moves[0].moved.to, "src/models.py");
    }

    #[test]
    fn a_new_domain_package_never_hides_a_module() {
        let plan = layout_of(&[
            (
                "pyproject.toml",
                "[project]\nname = \"x\"\ndependencies = [\"fastapi\"]\n",
            ),
            ("app/__init__.py", ""),
            ("app/auth.py", "def get_current_user():\n    return 1\n"),
            ("app/routers/__init__.py", ""),
            (
                "app/routers/auth.py",
                "from app.auth import get_current_user\n",
            ),
            ("app/routers/users.py", "x = 1\n"),
            ("app/services/users.py", "x = 1\n"),
        ]);
        let kept: Vec<&str> = plan.kept.iter().map(|k| k.path.as_str()).collect();
        assert_eq!(kept, ["app/routers/auth.py"], "{:?}", plan.kept);
        assert!(
            plan.kept[0]
                .why
                .contains("would hide the module `app/auth.py`")
        );
        let moved = moved_of(&plan);
        assert_eq!(
            moved,
            [
                ("app/routers/users.py", "app/users/router.py"),
                ("app/services/users.py", "app/users/service.py")
            ]
        );
    }

    #[test]
    fn junk_is_untracked_with_a_pattern() {
        assert_eq!(junk("app.db", false).unwrap().0, "*.db");
        assert_eq!(junk("__pycache__", true).unwrap().0, "__pycache__/");
        assert_eq!(junk(".DS_Store", false).unwrap().0, ".DS_Store");
        assert!(junk("README.md", false).is_none());
        assert!(junk("src", true).is_none());
    }

    #[test]
    fn root_items_go_where_the_standard_puts_them() {
        let cases = [
            (
                "EXPORT-2024-chat.txt",
                Stack::Python,
                Some("docs/project-management/checkpoints"),
            ),
            ("RESEARCH-x.md", Stack::Node, Some("docs/research")),
            ("test_app.py", Stack::Python, Some("tests/unit")),
            ("tests.py", Stack::Python, Some("tests/unit")),
            ("app.test.js", Stack::Node, Some("tests/unit")),
            ("schema.sql", Stack::Python, Some("schemas")),
            ("0001_init.sql", Stack::Python, Some("migrations")),
            ("models.py", Stack::Python, Some("src")),
            ("server.js", Stack::Node, Some("src")),
            ("build.rs", Stack::Rust, None),
            ("README.md", Stack::Python, None),
        ];
        for (name, stack, dir) in cases {
            assert_eq!(
                root_destination(name, stack, &Target::of("coditect-backend", stack).unwrap())
                    .map(|(d, _)| d),
                dir,
                "{name}"
            );
        }
    }
}
