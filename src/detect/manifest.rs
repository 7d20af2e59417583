//! Dependency manifests: Cargo.toml, package.json, pyproject.toml, requirements*.txt,
//! setup.cfg and Pipfile, read into one list of declared dependencies with their lines.
//!
//! Only manifests are read for dependencies — never a README, so a framework named in a
//! documentation code block is never mistaken for a dependency.

use serde_json::Value as Json;
use toml::Value as Toml;

/// Whether a dependency is needed at run time or only for development.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DepKind {
    /// `dependencies`, `[project] dependencies`, `[dependencies]`...
    Runtime,
    /// `devDependencies`, `[dev-dependencies]`, dependency groups, requirements-dev.txt...
    Dev,
}

/// One declared dependency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dependency {
    /// The normalised name (see [`normalize`]).
    pub name: String,
    /// Runtime or development.
    pub kind: DepKind,
    /// The manifest, relative to the tree root.
    pub path: String,
    /// 1-based line where it is declared, when found.
    pub line: Option<u32>,
}

/// What a manifest says.
#[derive(Debug, Clone, Default)]
pub struct Manifest {
    /// Declared dependencies.
    pub dependencies: Vec<Dependency>,
    /// For package.json: whether it declares a project (runtime dependencies, an entry
    /// point, workspaces) rather than only tooling.
    pub declares_project: bool,
    /// The project's own name, where the manifest gives one (`[project] name`,
    /// `[package] name`, `"name"`, `[metadata] name`).
    pub name: Option<String>,
}

/// A manifest that could not be parsed: the file, the line and column, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestError {
    /// Human message with the location.
    pub message: String,
}

/// Normalise a dependency name for comparison: lowercase, and for Python and Rust, `_` and
/// `.` runs become `-` (PEP 503; Cargo treats `-` and `_` alike).
#[must_use]
pub fn normalize(name: &str, language: &str) -> String {
    let lower = name.trim().to_ascii_lowercase();
    match language {
        "python" | "rust" => {
            let mut out = String::with_capacity(lower.len());
            let mut dash = false;
            for c in lower.chars() {
                if matches!(c, '-' | '_' | '.') {
                    if !dash {
                        out.push('-');
                    }
                    dash = true;
                } else {
                    out.push(c);
                    dash = false;
                }
            }
            out
        }
        _ => lower,
    }
}

/// Parse the manifest at `path` (its file name decides the format).
pub fn parse(path: &str, text: &str) -> Result<Manifest, ManifestError> {
    let name = path.rsplit('/').next().unwrap_or(path);
    let lower = name.to_ascii_lowercase();
    match lower.as_str() {
        "cargo.toml" => cargo(path, text),
        "package.json" => package_json(path, text),
        "pyproject.toml" => pyproject(path, text),
        "pipfile" => pipfile(path, text),
        "setup.cfg" => Ok(setup_cfg(path, text)),
        _ if lower.starts_with("requirements")
            && std::path::Path::new(&lower)
                .extension()
                .is_some_and(|ext| ext == "txt") =>
        {
            let kind = if lower.contains("dev") || lower.contains("test") || lower.contains("lint")
            {
                DepKind::Dev
            } else {
                DepKind::Runtime
            };
            Ok(requirements(path, text, kind))
        }
        _ => Ok(Manifest::default()),
    }
}

fn toml_error(path: &str, text: &str, err: &toml::de::Error) -> ManifestError {
    let location = err
        .span()
        .map(|span| {
            let (line, column) = line_col(text, span.start);
            format!(":{line}:{column}")
        })
        .unwrap_or_default();
    let message = err
        .message()
        .lines()
        .next()
        .unwrap_or("invalid TOML")
        .to_owned();
    ManifestError {
        message: format!("{path}{location}: invalid TOML: {message}; dependencies not read"),
    }
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// The first non-comment line naming `name` as a whole word (a key, a quoted string, a
/// requirement or a `[dependencies.name]` table).
fn find_line(text: &str, name: &str) -> Option<u32> {
    // A plain search, not a regex: manifests list hundreds of dependencies.
    let needle = name.to_ascii_lowercase();
    let before =
        |c: u8| matches!(c, b'"' | b'\'' | b'[' | b'{' | b',' | b'.') || c.is_ascii_whitespace();
    let after = |c: u8| {
        matches!(
            c,
            b'"' | b'\''
                | b'['
                | b']'
                | b'<'
                | b'>'
                | b'='
                | b'!'
                | b'~'
                | b';'
                | b'.'
                | b','
                | b':'
                | b'}'
                | b'@'
        ) || c.is_ascii_whitespace()
    };
    text.lines()
        .position(|line| {
            let trimmed = line.trim_start();
            if trimmed.starts_with('#') || trimmed.starts_with("//") || needle.is_empty() {
                return false;
            }
            let lower = trimmed.to_ascii_lowercase();
            let bytes = lower.as_bytes();
            lower.match_indices(&needle).any(|(at, _)| {
                let end = at + needle.len();
                (at == 0 || before(bytes[at - 1])) && (end == bytes.len() || after(bytes[end]))
            })
        })
        .and_then(|i| u32::try_from(i + 1).ok())
}

fn push(
    out: &mut Vec<Dependency>,
    path: &str,
    text: &str,
    raw: &str,
    kind: DepKind,
    language: &str,
) {
    let raw = raw.trim();
    if raw.is_empty() {
        return;
    }
    out.push(Dependency {
        name: normalize(raw, language),
        kind,
        path: path.to_owned(),
        line: find_line(text, raw),
    });
}

fn cargo(path: &str, text: &str) -> Result<Manifest, ManifestError> {
    let doc: Toml = toml::from_str(text).map_err(|e| toml_error(path, text, &e))?;
    let mut deps = Vec::new();
    let mut tables: Vec<(&Toml, DepKind)> = Vec::new();
    for (key, kind) in [
        ("dependencies", DepKind::Runtime),
        ("dev-dependencies", DepKind::Dev),
        ("build-dependencies", DepKind::Dev),
    ] {
        if let Some(table) = doc.get(key) {
            tables.push((table, kind));
        }
        if let Some(table) = doc.get("workspace").and_then(|w| w.get(key)) {
            tables.push((table, kind));
        }
    }
    if let Some(targets) = doc.get("target").and_then(Toml::as_table) {
        for target in targets.values() {
            for (key, kind) in [
                ("dependencies", DepKind::Runtime),
                ("dev-dependencies", DepKind::Dev),
            ] {
                if let Some(table) = target.get(key) {
                    tables.push((table, kind));
                }
            }
        }
    }
    for (table, kind) in tables {
        let Some(table) = table.as_table() else {
            continue;
        };
        for (name, spec) in table {
            // `foo = { package = "real-name" }` depends on real-name.
            let real = spec
                .get("package")
                .and_then(Toml::as_str)
                .unwrap_or(name.as_str());
            push(&mut deps, path, text, real, kind, "rust");
        }
    }
    Ok(Manifest {
        dependencies: deps,
        declares_project: doc.get("package").is_some() || doc.get("workspace").is_some(),
        name: doc
            .get("package")
            .and_then(|p| p.get("name"))
            .and_then(Toml::as_str)
            .map(str::to_owned),
    })
}

fn package_json(path: &str, text: &str) -> Result<Manifest, ManifestError> {
    let doc: Json = serde_json::from_str(text).map_err(|e| ManifestError {
        message: format!(
            "{path}:{}:{}: invalid JSON: {}; dependencies not read",
            e.line(),
            e.column(),
            strip_json_location(&e.to_string())
        ),
    })?;
    let mut deps = Vec::new();
    for (key, kind) in [
        ("dependencies", DepKind::Runtime),
        ("peerDependencies", DepKind::Runtime),
        ("optionalDependencies", DepKind::Runtime),
        ("devDependencies", DepKind::Dev),
    ] {
        if let Some(map) = doc.get(key).and_then(Json::as_object) {
            for name in map.keys() {
                push(&mut deps, path, text, name, kind, "node");
            }
        }
    }
    let has_runtime = deps.iter().any(|d| d.kind == DepKind::Runtime);
    let has_entry = ["main", "module", "exports", "bin", "workspaces", "types"]
        .iter()
        .any(|key| doc.get(*key).is_some());
    Ok(Manifest {
        dependencies: deps,
        declares_project: has_runtime || has_entry,
        name: doc.get("name").and_then(Json::as_str).map(str::to_owned),
    })
}

fn strip_json_location(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_owned(),
        None => message.to_owned(),
    }
}

/// The name of a PEP 508 requirement (`fastapi[all]>=0.110; python_version > "3.8"`).
fn pep508_name(spec: &str) -> &str {
    let spec = spec.trim();
    let end = spec
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(spec.len());
    &spec[..end]
}

fn pyproject(path: &str, text: &str) -> Result<Manifest, ManifestError> {
    let doc: Toml = toml::from_str(text).map_err(|e| toml_error(path, text, &e))?;
    let mut deps = Vec::new();
    let strings = |list: Option<&Toml>, kind: DepKind, deps: &mut Vec<Dependency>| {
        if let Some(list) = list.and_then(Toml::as_array) {
            for item in list.iter().filter_map(Toml::as_str) {
                push(deps, path, text, pep508_name(item), kind, "python");
            }
        }
    };
    let project = doc.get("project");
    strings(
        project.and_then(|p| p.get("dependencies")),
        DepKind::Runtime,
        &mut deps,
    );
    if let Some(optional) = project
        .and_then(|p| p.get("optional-dependencies"))
        .and_then(Toml::as_table)
    {
        for list in optional.values() {
            strings(Some(list), DepKind::Dev, &mut deps);
        }
    }
    if let Some(groups) = doc.get("dependency-groups").and_then(Toml::as_table) {
        for list in groups.values() {
            strings(Some(list), DepKind::Dev, &mut deps);
        }
    }
    let poetry = doc.get("tool").and_then(|t| t.get("poetry"));
    let keys = |table: Option<&Toml>, kind: DepKind, deps: &mut Vec<Dependency>| {
        if let Some(table) = table.and_then(Toml::as_table) {
            for name in table.keys().filter(|k| *k != "python") {
                push(deps, path, text, name, kind, "python");
            }
        }
    };
    keys(
        poetry.and_then(|p| p.get("dependencies")),
        DepKind::Runtime,
        &mut deps,
    );
    keys(
        poetry.and_then(|p| p.get("dev-dependencies")),
        DepKind::Dev,
        &mut deps,
    );
    if let Some(groups) = poetry.and_then(|p| p.get("group")).and_then(Toml::as_table) {
        for group in groups.values() {
            keys(group.get("dependencies"), DepKind::Dev, &mut deps);
        }
    }
    if let Some(pdm) = doc
        .get("tool")
        .and_then(|t| t.get("pdm"))
        .and_then(|p| p.get("dev-dependencies"))
        .and_then(Toml::as_table)
    {
        for list in pdm.values() {
            strings(Some(list), DepKind::Dev, &mut deps);
        }
    }
    let name = project
        .and_then(|p| p.get("name"))
        .or_else(|| poetry.and_then(|p| p.get("name")))
        .and_then(Toml::as_str)
        .map(str::to_owned);
    Ok(Manifest {
        dependencies: deps,
        declares_project: true,
        name,
    })
}

fn pipfile(path: &str, text: &str) -> Result<Manifest, ManifestError> {
    let doc: Toml = toml::from_str(text).map_err(|e| toml_error(path, text, &e))?;
    let mut deps = Vec::new();
    for (key, kind) in [
        ("packages", DepKind::Runtime),
        ("dev-packages", DepKind::Dev),
    ] {
        if let Some(table) = doc.get(key).and_then(Toml::as_table) {
            for name in table.keys() {
                push(&mut deps, path, text, name, kind, "python");
            }
        }
    }
    Ok(Manifest {
        dependencies: deps,
        declares_project: true,
        name: None,
    })
}

fn requirements(path: &str, text: &str, kind: DepKind) -> Manifest {
    let mut deps = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.split(" #").next().unwrap_or("").trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with('-') {
            continue;
        }
        let name = pep508_name(line);
        if name.is_empty() || line.contains("://") {
            continue;
        }
        deps.push(Dependency {
            name: normalize(name, "python"),
            kind,
            path: path.to_owned(),
            line: u32::try_from(index + 1).ok(),
        });
    }
    Manifest {
        dependencies: deps,
        declares_project: true,
        name: None,
    }
}

fn setup_cfg(path: &str, text: &str) -> Manifest {
    let mut deps = Vec::new();
    let mut in_requires = false;
    let mut section = "";
    let mut name = None;
    for (index, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            section = trimmed;
        }
        if section == "[metadata]"
            && let Some(("name", value)) =
                trimmed.split_once('=').map(|(k, v)| (k.trim(), v.trim()))
            && !value.is_empty()
        {
            name = Some(value.to_owned());
        }
        if trimmed.starts_with("install_requires") {
            in_requires = true;
            if let Some((_, rest)) = trimmed.split_once('=') {
                let name = pep508_name(rest);
                if !name.is_empty() {
                    deps.push(Dependency {
                        name: normalize(name, "python"),
                        kind: DepKind::Runtime,
                        path: path.to_owned(),
                        line: u32::try_from(index + 1).ok(),
                    });
                }
            }
            continue;
        }
        if in_requires {
            if line.starts_with([' ', '\t']) && !trimmed.is_empty() {
                let name = pep508_name(trimmed);
                if !name.is_empty() {
                    deps.push(Dependency {
                        name: normalize(name, "python"),
                        kind: DepKind::Runtime,
                        path: path.to_owned(),
                        line: u32::try_from(index + 1).ok(),
                    });
                }
            } else if !trimmed.is_empty() {
                in_requires = false;
            }
        }
    }
    Manifest {
        dependencies: deps,
        declares_project: true,
        name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(manifest: &Manifest, kind: DepKind) -> Vec<String> {
        manifest
            .dependencies
            .iter()
            .filter(|d| d.kind == kind)
            .map(|d| d.name.clone())
            .collect()
    }

    #[test]
    fn cargo_dependencies_with_lines_and_renames() {
        let text = "[package]\nname = \"x\"\n\n[dependencies]\nactix-web = \"4\"\nserde = { version = \"1\" }\nweb = { package = \"axum\", version = \"0.8\" }\n\n[dev-dependencies]\ntempfile = \"3\"\n";
        let m = parse("Cargo.toml", text).unwrap();
        assert_eq!(names(&m, DepKind::Runtime), ["actix-web", "serde", "axum"]);
        assert_eq!(names(&m, DepKind::Dev), ["tempfile"]);
        assert_eq!(m.dependencies[0].line, Some(5));
        assert!(m.declares_project);
    }

    #[test]
    fn package_json_tooling_only_does_not_declare_a_project() {
        let text = r#"{ "name": "tooling", "private": true, "devDependencies": { "prettier": "3", "husky": "9" } }"#;
        let m = parse("package.json", text).unwrap();
        assert!(!m.declares_project);
        assert_eq!(names(&m, DepKind::Dev), ["husky", "prettier"]);
        let app =
            r#"{ "dependencies": { "@nestjs/core": "10", "@nestjs/platform-express": "10" } }"#;
        let m = parse("package.json", app).unwrap();
        assert!(m.declares_project);
        assert_eq!(
            names(&m, DepKind::Runtime),
            ["@nestjs/core", "@nestjs/platform-express"]
        );
    }

    #[test]
    fn pyproject_pep621_poetry_and_groups() {
        let text = "[project]\nname = \"svc\"\ndependencies = [\n  \"FastAPI[all]>=0.110\",\n  \"SQLAlchemy~=2.0\",\n]\n\n[dependency-groups]\ndev = [\"pytest>=8\"]\n\n[tool.poetry.dependencies]\npython = \"^3.11\"\nCelery = \"*\"\n";
        let m = parse("pyproject.toml", text).unwrap();
        assert_eq!(
            names(&m, DepKind::Runtime),
            ["fastapi", "sqlalchemy", "celery"]
        );
        assert_eq!(names(&m, DepKind::Dev), ["pytest"]);
        assert_eq!(m.dependencies[0].line, Some(4));
    }

    #[test]
    fn requirements_lines() {
        let text = "# web\nDjango>=4.2  # the framework\n-r base.txt\ndjangorestframework==3.15\n\ngit+https://x/y.git\n";
        let m = parse("requirements.txt", text).unwrap();
        assert_eq!(
            names(&m, DepKind::Runtime),
            ["django", "djangorestframework"]
        );
        assert_eq!(m.dependencies[1].line, Some(4));
        let dev = parse("requirements-dev.txt", "pytest\n").unwrap();
        assert_eq!(names(&dev, DepKind::Dev), ["pytest"]);
    }

    #[test]
    fn broken_manifests_are_located_errors() {
        let err = parse("svc/Cargo.toml", "[package\nname = 1\n").unwrap_err();
        assert!(
            err.message.starts_with("svc/Cargo.toml:1:"),
            "{}",
            err.message
        );
        let err = parse("package.json", "{\n  \"a\": ,\n}").unwrap_err();
        assert!(
            err.message.starts_with("package.json:2:"),
            "{}",
            err.message
        );
    }

    #[test]
    fn normalisation() {
        assert_eq!(normalize("Flask_SQLAlchemy", "python"), "flask-sqlalchemy");
        assert_eq!(normalize("zope.interface", "python"), "zope-interface");
        assert_eq!(normalize("actix_web", "rust"), "actix-web");
        assert_eq!(normalize("@NestJS/Core", "node"), "@nestjs/core");
    }
}
