//! The crates of a tree: their roots, their library's name, and where crate roots go.

use std::collections::BTreeMap;

use super::super::layout::{Layout, file_name, is_within, join, normalize, parent};
use super::is_rust;

/// A crate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Crate {
    /// The package folder (holding `Cargo.toml`).
    pub(super) package: String,
    /// Whether this is the package's library.
    pub(super) lib: bool,
    /// The library's name as paths spell it, for the package's other crates.
    pub(super) lib_name: Option<String>,
}

/// Where the crate roots of a package are.
pub(super) fn package_roots(
    layout: &Layout<'_>,
    package: &str,
    manifest: Option<&toml::Value>,
) -> Vec<(String, bool)> {
    let mut roots: Vec<(String, bool)> = Vec::new();
    let mut add = |path: String, lib: bool| {
        if layout.before.is_file(&path) && !roots.iter().any(|(p, _)| *p == path) {
            roots.push((path, lib));
        }
    };
    let declared = |table: &str| -> Vec<String> {
        let Some(value) = manifest.and_then(|m| m.get(table)) else {
            return Vec::new();
        };
        let entries: Vec<&toml::Value> = match value {
            toml::Value::Array(list) => list.iter().collect(),
            other => vec![other],
        };
        entries
            .into_iter()
            .filter_map(|entry| entry.get("path").and_then(toml::Value::as_str))
            .filter_map(|path| normalize(&join(package, path)))
            .collect()
    };
    let lib_paths = declared("lib");
    if lib_paths.is_empty() {
        add(join(package, "src/lib.rs"), true);
    }
    for path in lib_paths {
        add(path, true);
    }
    add(join(package, "src/main.rs"), false);
    add(join(package, "build.rs"), false);
    for table in ["bin", "test", "example", "bench"] {
        for path in declared(table) {
            add(path, false);
        }
    }
    for dir in ["src/bin", "tests", "examples", "benches"] {
        for (path, is_dir) in layout.entries_in(&join(package, dir)) {
            if is_dir {
                add(join(path, "main.rs"), false);
            } else if is_rust(path) {
                add(path.to_owned(), false);
            }
        }
    }
    roots
}

/// Every crate of the tree, by root file.
pub(super) fn find_crates(layout: &Layout<'_>) -> BTreeMap<String, Crate> {
    let mut packages: Vec<(String, Option<toml::Value>)> = layout
        .files()
        .filter(|path| file_name(path) == "Cargo.toml")
        .map(|path| {
            let manifest = layout
                .source(path)
                .and_then(|source| toml::from_str::<toml::Value>(&source.text).ok());
            (parent(path).to_owned(), manifest)
        })
        .filter(|(_, manifest)| manifest.as_ref().is_none_or(|m| m.get("package").is_some()))
        .collect();
    // Without a manifest: any `src/lib.rs` or `src/main.rs`.
    for path in layout.files() {
        let name = file_name(path);
        if (name == "lib.rs" || name == "main.rs") && file_name(parent(path)) == "src" {
            let package = parent(parent(path));
            if !layout.before.is_file(&join(package, "Cargo.toml")) {
                packages.push((package.to_owned(), None));
            }
        }
    }
    packages.sort_by(|a, b| a.0.cmp(&b.0));
    packages.dedup_by(|a, b| a.0 == b.0);
    let mut crates = BTreeMap::new();
    for (package, manifest) in packages {
        let roots = package_roots(layout, &package, manifest.as_ref());
        let has_lib = roots.iter().any(|(_, lib)| *lib);
        let lib_name = manifest.as_ref().and_then(|m| {
            m.get("lib")
                .and_then(|lib| lib.get("name"))
                .or_else(|| m.get("package").and_then(|p| p.get("name")))
                .and_then(toml::Value::as_str)
                .map(|name| name.replace('-', "_"))
        });
        for (root, lib) in roots {
            crates.insert(
                root,
                Crate {
                    package: package.clone(),
                    lib,
                    lib_name: lib_name.clone().filter(|_| has_lib),
                },
            );
        }
    }
    crates
}

/// Whether `path` is a crate root's place in `package` (`src/lib.rs`, `tests/x.rs`...).
pub(super) fn is_root_location(package: &str, path: &str) -> bool {
    if !is_within(path, package) {
        return false;
    }
    let relative = if package.is_empty() {
        path
    } else {
        &path[package.len() + 1..]
    };
    let parts: Vec<&str> = relative.split('/').collect();
    match parts.as_slice() {
        ["src", "lib.rs" | "main.rs"]
        | ["build.rs"]
        | ["src", "bin", _, "main.rs"]
        | ["tests" | "examples" | "benches", _, "main.rs"] => true,
        ["src", "bin", file] | ["tests" | "examples" | "benches", file] => is_rust(file),
        _ => false,
    }
}

/// Whether `name` can name a module.
pub(super) fn is_module_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|first| first == '_' || first.is_alphabetic())
        && chars.all(|c| c == '_' || c.is_alphanumeric())
        && !matches!(
            name,
            "crate"
                | "self"
                | "super"
                | "Self"
                | "mod"
                | "fn"
                | "use"
                | "pub"
                | "type"
                | "impl"
                | "struct"
                | "enum"
                | "trait"
                | "match"
                | "loop"
                | "as"
                | "in"
                | "ref"
                | "move"
                | "where"
                | "static"
                | "const"
                | "unsafe"
                | "extern"
                | "let"
                | "if"
                | "else"
                | "for"
                | "while"
                | "return"
                | "break"
                | "continue"
                | "true"
                | "false"
                | "dyn"
                | "async"
                | "await"
        )
}

/// The module path of file `path` below the folder `dir` of its crate root.
pub(super) fn location_path(dir: &str, path: &str) -> Option<Vec<String>> {
    if !is_within(path, dir) || path == dir {
        return None;
    }
    let relative = if dir.is_empty() {
        path
    } else {
        &path[dir.len() + 1..]
    };
    let mut parts: Vec<String> = relative.split('/').map(str::to_owned).collect();
    let last = parts.pop()?;
    let stem = last.strip_suffix(".rs")?;
    if stem != "mod" {
        parts.push(stem.to_owned());
    }
    (!parts.is_empty() && parts.iter().all(|p| is_module_name(p))).then_some(parts)
}

/// The folder holding the child modules of module file `file` (`root`: a crate root).
pub(super) fn children_dir(file: &str, root: bool) -> String {
    if root || file_name(file) == "mod.rs" {
        parent(file).to_owned()
    } else {
        file.strip_suffix(".rs").unwrap_or(file).to_owned()
    }
}
