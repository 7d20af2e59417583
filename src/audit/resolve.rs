//! Resolving an import to the file or folder it names inside the repository, so that layer
//! direction and cross-domain rules can tell which layer and domain an import reaches.
//!
//! Python: relative imports from the importing package; absolute imports from the service
//! root, its `src/`, and the repository root. TypeScript/JavaScript: relative specifiers
//! with the usual extensions and `index` files, and the `@/` and `~/` aliases for `src/`.
//! Rust: `crate::`, `self::` and `super::` paths to the module file. Anything else (a
//! third-party package) resolves to nothing.

use crate::analyze::{Import, ImportKind, Language};
use crate::fs::Tree;
use crate::fs::normalize_path as normalize;

/// Where an import leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Tree path of the module file or package folder.
    pub path: String,
}

fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

fn join(base: &str, rest: &str) -> String {
    match (base.is_empty(), rest.is_empty()) {
        (true, _) => rest.to_owned(),
        (_, true) => base.to_owned(),
        _ => format!("{base}/{rest}"),
    }
}

/// Resolve `import`, written in the file at `from`, within `service_root`.
#[must_use]
pub fn resolve(
    tree: &Tree,
    service_root: &str,
    from: &str,
    language: Language,
    import: &Import,
) -> Option<Target> {
    match language {
        Language::Python => python(tree, service_root, from, import),
        Language::TypeScript | Language::Tsx | Language::JavaScript => {
            script(tree, service_root, from, &import.module)
        }
        Language::Rust => rust(tree, service_root, from, import),
    }
}

/// A Python module path (`a/b/c`) to a file or package below `base`.
pub fn python_module(tree: &Tree, base: &str, module: &str) -> Option<String> {
    let rel = module.replace('.', "/");
    let stem = join(base, &rel);
    if stem.is_empty() {
        return None;
    }
    for candidate in [
        format!("{stem}.py"),
        format!("{stem}.pyi"),
        format!("{stem}/__init__.py"),
    ] {
        if tree.is_file(&candidate) {
            return Some(if candidate.ends_with("__init__.py") {
                stem
            } else {
                candidate
            });
        }
    }
    tree.is_dir(&stem).then_some(stem)
}

fn python(tree: &Tree, service_root: &str, from: &str, import: &Import) -> Option<Target> {
    if import.level > 0 {
        let mut base = parent(from);
        for _ in 1..import.level {
            base = parent(base);
        }
        let base = base.to_owned();
        if import.module.is_empty() {
            return tree.is_dir(&base).then_some(Target { path: base });
        }
        return python_module(tree, &base, &import.module).map(|path| Target { path });
    }
    let roots = [
        service_root.to_owned(),
        join(service_root, "src"),
        String::new(),
    ];
    roots
        .iter()
        .find_map(|root| python_module(tree, root, &import.module))
        .map(|path| Target { path })
}

const SCRIPT_EXTENSIONS: [&str; 8] = ["ts", "tsx", "js", "jsx", "mjs", "cjs", "mts", "cts"];

fn script(tree: &Tree, service_root: &str, from: &str, specifier: &str) -> Option<Target> {
    let base = if let Some(rest) = specifier
        .strip_prefix("@/")
        .or_else(|| specifier.strip_prefix("~/"))
    {
        join(&join(service_root, "src"), rest)
    } else if specifier.starts_with("./")
        || specifier.starts_with("../")
        || specifier == "."
        || specifier == ".."
    {
        normalize(&join(parent(from), specifier))?
    } else {
        return None;
    };
    if tree.is_file(&base) {
        return Some(Target { path: base });
    }
    // ESM TypeScript imports name the compiled `.js` file.
    let stem = base
        .strip_suffix(".js")
        .or_else(|| base.strip_suffix(".mjs"))
        .unwrap_or(&base);
    for ext in SCRIPT_EXTENSIONS {
        let candidate = format!("{stem}.{ext}");
        if tree.is_file(&candidate) {
            return Some(Target { path: candidate });
        }
    }
    for ext in SCRIPT_EXTENSIONS {
        let candidate = format!("{base}/index.{ext}");
        if tree.is_file(&candidate) {
            return Some(Target { path: base.clone() });
        }
    }
    tree.is_dir(&base).then_some(Target { path: base })
}

/// The folder holding the child modules of the Rust module in `file`.
fn rust_children_dir(file: &str) -> String {
    let name = file.rsplit('/').next().unwrap_or(file);
    if matches!(name, "mod.rs" | "lib.rs" | "main.rs") {
        parent(file).to_owned()
    } else {
        file.strip_suffix(".rs").unwrap_or(file).to_owned()
    }
}

fn rust_module_file(tree: &Tree, dir: &str, name: &str) -> Option<String> {
    let file = join(dir, &format!("{name}.rs"));
    if tree.is_file(&file) {
        return Some(file);
    }
    let module = join(dir, &format!("{name}/mod.rs"));
    tree.is_file(&module).then_some(module)
}

fn rust(tree: &Tree, service_root: &str, from: &str, import: &Import) -> Option<Target> {
    if import.kind == ImportKind::Mod {
        return rust_module_file(tree, &rust_children_dir(from), &import.module)
            .map(|path| Target { path });
    }
    let segments: Vec<&str> = import.module.split("::").collect();
    let (mut dir, rest) = match segments.first().copied() {
        Some("crate") => (join(service_root, "src"), &segments[1..]),
        Some("self") => (rust_children_dir(from), &segments[1..]),
        Some("super") => {
            let mut dir = parent(&rust_children_dir(from)).to_owned();
            let mut rest = &segments[1..];
            while rest.first() == Some(&"super") {
                dir = parent(&dir).to_owned();
                rest = &rest[1..];
            }
            (dir, rest)
        }
        _ => return None,
    };
    let mut found: Option<String> = None;
    for segment in rest {
        match rust_module_file(tree, &dir, segment) {
            Some(file) => {
                dir = rust_children_dir(&file);
                found = Some(file);
            }
            None => break,
        }
    }
    found.map(|path| Target { path })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::Location;

    fn import(module: &str, level: u32, kind: ImportKind) -> Import {
        Import {
            module: module.to_owned(),
            level,
            names: Vec::new(),
            alias: None,
            kind,
            location: Location { line: 1, column: 1 },
        }
    }

    fn tree() -> Tree {
        Tree::from_files(&[
            ("svc/src/auth/service.py", ""),
            ("svc/src/auth/__init__.py", ""),
            ("svc/src/posts/router.py", ""),
            ("svc/src/posts/crud/__init__.py", ""),
            ("web/src/users/users.service.ts", ""),
            ("web/src/users/index.ts", ""),
            ("web/src/orders/orders.controller.ts", ""),
            ("rs/src/lib.rs", ""),
            ("rs/src/modules/mod.rs", ""),
            ("rs/src/modules/users/mod.rs", ""),
            ("rs/src/modules/users/handlers.rs", ""),
            ("rs/src/modules/users/repository.rs", ""),
        ])
    }

    #[test]
    fn python_imports() {
        let tree = tree();
        let r = |m: &str, level| {
            resolve(
                &tree,
                "svc",
                "svc/src/posts/router.py",
                Language::Python,
                &import(m, level, ImportKind::From),
            )
            .map(|t| t.path)
        };
        assert_eq!(
            r("src.auth.service", 0).as_deref(),
            Some("svc/src/auth/service.py")
        );
        assert_eq!(r("auth", 0).as_deref(), Some("svc/src/auth"));
        assert_eq!(r("crud", 1).as_deref(), Some("svc/src/posts/crud"));
        assert_eq!(
            r("auth.service", 2).as_deref(),
            Some("svc/src/auth/service.py")
        );
        assert_eq!(r("fastapi", 0), None);
    }

    #[test]
    fn script_imports() {
        let tree = tree();
        let r = |m: &str| {
            resolve(
                &tree,
                "web",
                "web/src/orders/orders.controller.ts",
                Language::TypeScript,
                &import(m, 0, ImportKind::Import),
            )
            .map(|t| t.path)
        };
        assert_eq!(
            r("../users/users.service").as_deref(),
            Some("web/src/users/users.service.ts")
        );
        assert_eq!(
            r("../users/users.service.js").as_deref(),
            Some("web/src/users/users.service.ts")
        );
        assert_eq!(r("../users").as_deref(), Some("web/src/users"));
        assert_eq!(
            r("@/users/users.service").as_deref(),
            Some("web/src/users/users.service.ts")
        );
        assert_eq!(r("express"), None);
        assert_eq!(r("../../../../x"), None);
    }

    #[test]
    fn rust_paths() {
        let tree = tree();
        let from = "rs/src/modules/users/handlers.rs";
        let r = |m: &str, kind| {
            resolve(&tree, "rs", from, Language::Rust, &import(m, 0, kind)).map(|t| t.path)
        };
        assert_eq!(
            r("crate::modules::users::repository::find", ImportKind::Use).as_deref(),
            Some("rs/src/modules/users/repository.rs")
        );
        assert_eq!(
            r("super::repository", ImportKind::Use).as_deref(),
            Some("rs/src/modules/users/repository.rs")
        );
        assert_eq!(r("sqlx::PgPool", ImportKind::Use), None);
        let from_mod = "rs/src/modules/users/mod.rs";
        let m = resolve(
            &tree,
            "rs",
            from_mod,
            Language::Rust,
            &import("handlers", 0, ImportKind::Mod),
        )
        .map(|t| t.path);
        assert_eq!(m.as_deref(), Some("rs/src/modules/users/handlers.rs"));
    }
}
