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

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::detect::Detection;
use crate::fs::Tree;

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

    /// The folder domain modules go in, relative to the service root.
    fn modules_dir(self) -> &'static str {
        match self {
            Stack::Python => "src",
            Stack::Node | Stack::Rust | Stack::Other => "src/modules",
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

/// The folder shared (cross-cutting) code goes in, relative to the service root.
const SHARED_DIR: &str = "src/shared";

/// Root files that are entry points or tool configuration: they stay at the root.
const ENTRY_OR_CONFIG: &[&str] = &[
    "setup.py",
    "manage.py",
    "conftest.py",
    "noxfile.py",
    "fabfile.py",
    "build.rs",
    "knexfile.js",
    "knexfile.ts",
    "jest.config.js",
    "jest.config.ts",
    "vite.config.ts",
    "webpack.config.js",
    "babel.config.js",
    ".eslintrc.js",
    ".prettierrc.js",
    "ecosystem.config.js",
    "gulpfile.js",
    "gruntfile.js",
    "tsconfig.json",
];

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
pub fn layout(tree: &Tree, detection: &Detection) -> Layout {
    let stack = Stack::of(detection);
    let root = detection.service_root.as_str();
    let at = |rel: &str| {
        if root.is_empty() {
            rel.to_owned()
        } else {
            format!("{root}/{rel}")
        }
    };
    let mut planner = Planner {
        tree,
        layout: Layout::default(),
        taken: BTreeSet::new(),
        moving: BTreeSet::new(),
    };

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
            if let Some((dir, why)) = root_destination(name, stack) {
                let to = format!("{}/{name}", at(dir));
                planner.plan_move(&entry.path, to, None, why);
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
    for source in source_roots {
        if !source.is_empty() && !tree.is_dir(&source) {
            continue;
        }
        // Code stays in the package or crate it was found in: a root of its own
        // (`src/dispatch/`, `crates/core/src/`) gets its modules and shared code inside it;
        // the usual roots (`src/`, `app/`, `lib/`, the service root) share `src/`.
        let conventional = source == root || [at("src"), at("app"), at("lib")].contains(&source);
        let (modules_base, shared_base) = if conventional {
            (at(stack.modules_dir()), at(SHARED_DIR))
        } else if stack == Stack::Python {
            (source.clone(), format!("{source}/shared"))
        } else {
            (format!("{source}/modules"), format!("{source}/shared"))
        };
        for index in tree.children(&source) {
            let folder = tree.entry(index);
            if !folder.is_dir() {
                continue;
            }
            let name = folder.name();
            if let Some(&(_, py, node, rust)) = LAYERS.iter().find(|(dir, ..)| *dir == name) {
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
                    let Some(domain) = domain_of(stem) else {
                        continue;
                    };
                    let target_name = match stack {
                        Stack::Python => format!("{py}.py"),
                        Stack::Node => {
                            let rest = file_name.split_once('.').map_or("", |(_, r)| r);
                            let tail = rest
                                .split_once('.')
                                .filter(|(first, _)| LAYER_SUFFIXES.contains(first))
                                .map_or(rest, |(_, tail)| tail);
                            format!("{domain}.{node}.{tail}")
                        }
                        Stack::Rust => format!("{rust}.rs"),
                        Stack::Other => continue,
                    };
                    let to = format!("{modules_base}/{domain}/{target_name}");
                    let why = format!(
                        "`{}/` lays code out by technical type; `{domain}` gets its own module",
                        folder.path
                    );
                    planner.plan_move(&file, to, Some(domain), why);
                }
            } else if let Some(&(_, shared)) = SHARED.iter().find(|(dir, _)| *dir == name) {
                let target_dir = format!("{shared_base}/{shared}");
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
                        "`{}/` is cross-cutting code: it belongs under shared/",
                        folder.path
                    );
                    planner.plan_move(&file, to, None, why);
                }
            }
        }
    }
    let mut layout = planner.layout;
    layout.moves.sort_by(|a, b| a.moved.cmp(&b.moved));
    layout
}

/// Where a loose root file belongs, relative to the service root, and why.
fn root_destination(name: &str, stack: Stack) -> Option<(&'static str, String)> {
    let lower = name.to_ascii_lowercase();
    let (stem, ext) = lower.rsplit_once('.').unwrap_or((&lower, ""));
    if name.starts_with("EXPORT-") {
        return Some((
            "docs/project-management/checkpoints",
            format!("`{name}` is a session export: it belongs with the project's checkpoints"),
        ));
    }
    if name.starts_with("RESEARCH-") {
        return Some((
            "docs/research",
            format!("`{name}` is a research note: it belongs in docs/"),
        ));
    }
    let is_test = stem.starts_with("test_")
        || stem.ends_with("_test")
        || [".test", ".spec"].iter().any(|suffix| {
            stem.rsplit_once('.')
                .is_some_and(|(_, s)| format!(".{s}") == *suffix)
        });
    let source = stack.source_extensions().contains(&ext);
    if is_test && (source || matches!(ext, "py" | "js" | "ts")) {
        return Some((
            "tests/unit",
            format!("`{name}` is a test: tests live in tests/"),
        ));
    }
    if ext == "sql" {
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
    if source && !ENTRY_OR_CONFIG.contains(&lower.as_str()) && !lower.contains(".config.") {
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

/// The domain a layer file serves: `users.controller` -> `users`, `user_service` -> `users`,
/// `order_item` -> `order_items`. `None` for names that are not a domain.
#[must_use]
pub fn domain_of(stem: &str) -> Option<String> {
    let mut name = stem.to_ascii_lowercase().replace('-', "_");
    for suffix in LAYER_SUFFIXES {
        for sep in ['_', '.'] {
            if let Some(rest) = name.strip_suffix(&format!("{sep}{suffix}")) {
                name = rest.to_owned();
            }
        }
    }
    if name.is_empty()
        || !name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        || matches!(
            name.as_str(),
            "base" | "index" | "common" | "shared" | "utils" | "helpers"
        )
    {
        return None;
    }
    Some(plural(&name))
}

/// English plural of the last word (domains are plural: `users`, `categories`).
fn plural(name: &str) -> String {
    let (head, last) = name.rsplit_once('_').map_or(("", name), |(h, l)| (h, l));
    let many = if last.ends_with('s') && !last.ends_with("ss") {
        last.to_owned()
    } else if let Some(stem) = last
        .strip_suffix('y')
        .filter(|s| s.chars().last().is_some_and(|c| !"aeiou".contains(c)))
    {
        format!("{stem}ies")
    } else if ["ss", "sh", "ch", "x", "z"]
        .iter()
        .any(|s| last.ends_with(s))
    {
        format!("{last}es")
    } else {
        format!("{last}s")
    };
    if head.is_empty() {
        many
    } else {
        format!("{head}_{many}")
    }
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
    layout: Layout,
    /// Targets already planned.
    taken: BTreeSet<String>,
    /// Files already planned to move.
    moving: BTreeSet<String>,
}

impl Planner<'_> {
    /// Plan `from` -> `to`, or record a conflict when `to` is taken.
    fn plan_move(&mut self, from: &str, to: String, domain: Option<String>, why: String) {
        if from == to || self.moving.contains(from) {
            return;
        }
        let occupied = (self.tree.find(&to).is_some() && !self.moving.contains(&to))
            || self.taken.contains(&to);
        if occupied {
            self.layout.conflicts.push(Conflict {
                from: from.to_owned(),
                why: format!("`{to}` exists; squarely never overwrites a file: merge them by hand"),
                to,
            });
            return;
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
            ("user", Some("users")),
            ("users.controller", Some("users")),
            ("user_service", Some("users")),
            ("order-item", Some("order_items")),
            ("category", Some("categories")),
            ("address", Some("addresses")),
            ("index", None),
            ("base", None),
            ("2fa", None),
        ] {
            assert_eq!(domain_of(stem).as_deref(), domain, "{stem}");
        }
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
            ("app.test.js", Stack::Node, Some("tests/unit")),
            ("schema.sql", Stack::Python, Some("schemas")),
            ("0001_init.sql", Stack::Python, Some("migrations")),
            ("models.py", Stack::Python, Some("src")),
            ("setup.py", Stack::Python, None),
            ("jest.config.js", Stack::Node, None),
            ("server.js", Stack::Node, Some("src")),
            ("build.rs", Stack::Rust, None),
            ("README.md", Stack::Python, None),
        ];
        for (name, stack, dir) in cases {
            assert_eq!(root_destination(name, stack).map(|(d, _)| d), dir, "{name}");
        }
    }
}
