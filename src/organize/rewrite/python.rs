//! Python: `import` and `from ... import` statements follow the moved modules.
//!
//! * Modules resolve the way Python finds them: relative imports from the importing file's
//!   package; absolute imports from a `sys.path` root: the repository root, `src/`, or a
//!   folder above the importing file that is not itself a package (a script's folder, a
//!   service folder). A package (`x/__init__.py`) wins over a module (`x.py`), which wins over
//!   a namespace package (a folder without `__init__.py`).
//! * An import that still reaches the same code after the moves is left alone, byte for
//!   byte. Otherwise it is spelled again in its own style: relative stays relative (when the
//!   result stays inside the package it was in), absolute stays absolute from the same root.
//! * Names keep their bindings: `from app.models import user` becomes
//!   `from app.users import models as user`, `import user` becomes
//!   `import app.users.models as user`. Names of one `from` import that now live in different
//!   modules are split into several statements; comments in the statement stay where they are.
//! * `import a.b` without `as` binds `a`, and code then says `a.b.x`: the import is rewritten
//!   and the code references are reported, since they are not import text.
//! * Strings that name a moved module (`importlib.import_module("app.models.user")`,
//!   `mock.patch("app.models.user.User")`, `"app.main:app"`) or a moved file's path, and
//!   computed `import_module()`/`__import__()` arguments, are reported, never rewritten.
//! * A file moved into a new folder gets `__init__.py` files in the new folders when the
//!   repository uses them there (the nearest existing folder has one, or, at the top, the
//!   repository has any); namespace-package repositories get none.

use std::collections::{BTreeSet, HashMap, HashSet};

use rayon::prelude::*;

use crate::analyze::Language;
use crate::analyze::spans::{
    Literal, PyFrom, PyName, PyStatement, PythonImports, Span, python_imports,
};

use super::edit::{FileEdits, Output, indentation, list_removals, newline};
use super::layout::{DirFate, Files, Layout, file_name, is_within, join, parent};

/// Whether `path` is a Python source or stub file.
pub(super) fn is_python(path: &str) -> bool {
    Language::from_path(path) == Some(Language::Python)
}

/// What a module name leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    /// A module file, or a package's `__init__.py`.
    File(String),
    /// A namespace package (a folder without `__init__.py`).
    Dir(String),
}

impl Target {
    /// The module's path without extension or `__init__`: `a/b` for `a/b.py`,
    /// `a/b/__init__.py` and the folder `a/b`.
    fn module_path(&self) -> &str {
        match self {
            Target::File(path) => {
                let stem = path
                    .strip_suffix(".pyi")
                    .or_else(|| path.strip_suffix(".py"))
                    .unwrap_or(path);
                stem.strip_suffix("/__init__")
                    .or_else(|| (stem == "__init__").then_some(""))
                    .unwrap_or(stem)
            }
            Target::Dir(dir) => dir,
        }
    }

    /// The folder of submodules when this is a package.
    fn package_dir(&self) -> Option<&str> {
        match self {
            Target::File(path) => {
                let name = file_name(path);
                (name == "__init__.py" || name == "__init__.pyi").then(|| parent(path))
            }
            Target::Dir(dir) => Some(dir),
        }
    }
}

const KEYWORDS: [&str; 35] = [
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

/// Last segments that make a dotted string a file name (`"settings.json"`), not a module.
const FILE_EXTENSIONS: [&str; 24] = [
    "json", "yaml", "yml", "toml", "txt", "csv", "md", "rst", "html", "py", "cfg", "ini", "log",
    "sql", "db", "xml", "env", "lock", "j2", "png", "jpg", "svg", "css", "js",
];

/// Whether `name` can be a module name segment.
fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|first| first == '_' || first.is_alphabetic())
        && chars.all(|c| c == '_' || c.is_alphanumeric())
        && !KEYWORDS.contains(&name)
}

/// The module `dotted` below folder `base` (`""` names `base` itself as a package).
fn find_module(files: &Files, base: &str, dotted: &str) -> Option<Target> {
    if !dotted.is_empty() && !dotted.split('.').all(is_identifier) {
        return None;
    }
    let stem = join(base, &dotted.replace('.', "/"));
    if stem.is_empty() {
        return None;
    }
    for init in ["__init__.py", "__init__.pyi"] {
        let path = join(&stem, init);
        if files.is_file(&path) {
            return Some(Target::File(path));
        }
    }
    for extension in [".py", ".pyi"] {
        let path = format!("{stem}{extension}");
        if files.is_file(&path) {
            return Some(Target::File(path));
        }
    }
    files.is_dir(&stem).then_some(Target::Dir(stem))
}

/// Folders a module in `file` may be imported from, most likely first: the repository root,
/// `src/`, then each folder above the file (and its `src/`) that is not itself a package.
fn roots(files: &Files, file: &str) -> Vec<String> {
    let mut candidates = vec![String::new(), "src".to_owned()];
    let mut dir = String::new();
    for part in parent(file).split('/').filter(|p| !p.is_empty()) {
        dir = join(&dir, part);
        candidates.push(dir.clone());
        candidates.push(join(&dir, "src"));
    }
    let mut seen = HashSet::new();
    candidates
        .into_iter()
        .filter(|root| seen.insert(root.clone()))
        .filter(|root| {
            root.is_empty()
                || (files.is_dir(root)
                    && !files.is_file(&join(root, "__init__.py"))
                    && !files.is_file(&join(root, "__init__.pyi")))
        })
        .collect()
}

/// An absolute module imported in `file`: the root it is found from, and what it is.
fn resolve_absolute(files: &Files, file: &str, dotted: &str) -> Option<(String, Target)> {
    roots(files, file)
        .into_iter()
        .find_map(|root| find_module(files, &root, dotted).map(|target| (root, target)))
}

/// The folder a relative import of `level` dots starts from, in `file`.
fn relative_base(file: &str, level: u32) -> Option<String> {
    let mut dir = parent(file);
    for _ in 1..level {
        if dir.is_empty() {
            return None;
        }
        dir = parent(dir);
    }
    Some(dir.to_owned())
}

/// The dotted name of module path `module` (see [`Target::module_path`]) from `root`.
fn dotted_name(root: &str, module: &str) -> Option<String> {
    if !is_within(module, root) {
        return None;
    }
    let relative = if root.is_empty() {
        module
    } else {
        module.get(root.len() + 1..).unwrap_or("")
    };
    if relative.is_empty() {
        return Some(String::new());
    }
    relative
        .split('/')
        .all(is_identifier)
        .then(|| relative.replace('/', "."))
}

/// How an import is written.
#[derive(Debug, Clone)]
enum Style {
    /// Absolute, from this root.
    Absolute { root: String },
    /// Relative; the import reached this package folder.
    Relative { anchor: String },
}

/// A module as it is written in a `from` clause: leading dots and the dotted name. An
/// absolute spelling with an empty name is a top-level module (no `from` possible).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Spelled {
    level: u32,
    dotted: String,
}

impl Spelled {
    fn text(&self) -> String {
        format!("{}{}", ".".repeat(self.level as usize), self.dotted)
    }

    fn is_top(&self) -> bool {
        self.level == 0 && self.dotted.is_empty()
    }
}

/// Where one imported name of a `from` statement goes.
#[derive(Debug, Clone)]
struct Placement {
    /// The `from` module, or `None` for a top-level module imported with `import`.
    module: Option<Spelled>,
    /// The name to import.
    name: String,
    /// The binding it needs (`None` when it is the name itself).
    alias: Option<String>,
    /// Whether it names the `from` module's contents rather than a submodule.
    attribute: bool,
}

impl Placement {
    fn item(&self) -> String {
        match &self.alias {
            Some(alias) => format!("{} as {alias}", self.name),
            None => self.name.clone(),
        }
    }
}

/// The names an `__init__.py` binds to something other than its own submodule of that
/// name: what its `from` imports bind (but those from the package itself, `own`, which bind
/// its submodules), and the classes, functions and assignments at its top level.
fn rebound_names(
    source: &str,
    imports: &PythonImports,
    own: impl Fn(&PyFrom) -> bool,
) -> HashSet<String> {
    let mut names = HashSet::new();
    for statement in &imports.statements {
        let Some(from) = &statement.from else {
            continue;
        };
        if own(from) {
            continue;
        }
        for name in &statement.names {
            names.insert(name.alias.clone().unwrap_or_else(|| name.dotted.clone()));
        }
    }
    for line in source.lines() {
        let defined = line
            .strip_prefix("class ")
            .or_else(|| line.strip_prefix("def "))
            .or_else(|| line.strip_prefix("async def "))
            .map(|rest| {
                rest.split(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .next()
            })
            .or_else(|| Some(line.split_once('=').map(|(name, _)| name.trim_end())))
            .flatten();
        if let Some(name) = defined.filter(|n| is_identifier(n)) {
            names.insert(name.to_owned());
        }
    }
    names
}

/// The binding that keeps the name `bound` for an import of `name`.
fn keep_binding(name: &str, bound: &str) -> Option<String> {
    (name != bound).then(|| bound.to_owned())
}

struct Python<'a> {
    layout: &'a Layout<'a>,
    /// Per package folder, the names its `__init__.py` binds to something other than the
    /// submodule of that name (`from .user import User` beside `User.py`, a class): `from
    /// pkg import User` imports that, not the submodule, and must not follow the submodule.
    rebound: HashMap<String, HashSet<String>>,
    /// Roots that absolute imports of the repository resolve from.
    used_roots: BTreeSet<String>,
    /// Whether the repository has any `__init__.py`.
    any_init: bool,
}

/// Plans the rewrites of Python imports for the moves of `layout`.
pub(super) fn rewrite(layout: &Layout<'_>, out: &mut Output) {
    if !layout.moves().any(|(from, _)| is_python(from)) {
        return;
    }
    let files: Vec<&str> = layout.files().filter(|path| is_python(path)).collect();
    let parsed: Vec<(&str, super::layout::Source<'_>, PythonImports)> = files
        .par_iter()
        .filter_map(|path| {
            let source = layout.source(path)?;
            let imports = python_imports(&source.text);
            Some((*path, source, imports))
        })
        .collect();
    let used_roots: BTreeSet<String> = parsed
        .par_iter()
        .flat_map_iter(|(path, _, imports)| {
            imports
                .statements
                .iter()
                .filter_map(|statement| match &statement.from {
                    Some(from) if from.level == 0 => Some(from.module.as_str()),
                    Some(_) => None,
                    None => statement.names.first().map(|name| name.dotted.as_str()),
                })
                .filter_map(|module| {
                    resolve_absolute(&layout.before, path, module).map(|(root, _)| root)
                })
                .collect::<Vec<_>>()
        })
        .collect();
    let rebound = parsed
        .iter()
        .filter(|(path, ..)| file_name(path) == "__init__.py")
        .map(|(path, source, imports)| {
            let dir = path.rsplit_once('/').map_or("", |(d, _)| d).to_owned();
            // `from . import users` or `from app.api import users` in `app/api/__init__.py`
            // binds the package's own submodule: no rebinding.
            let own = |from: &PyFrom| {
                Python::from_module(&layout.before, path, from.level, &from.module)
                    .is_some_and(|(_, target)| target.package_dir() == Some(dir.as_str()))
            };
            let names = rebound_names(&source.text, imports, own);
            (dir, names)
        })
        .filter(|(_, names)| !names.is_empty())
        .collect();
    let python = Python {
        layout,
        rebound,
        used_roots,
        any_init: files
            .iter()
            .any(|path| matches!(file_name(path), "__init__.py" | "__init__.pyi")),
    };
    let edits: Vec<FileEdits> = parsed
        .par_iter()
        .map(|(path, source, imports)| python.rewrite_file(path, &source.text, imports))
        .collect();
    for edit in edits {
        out.add(edit);
    }
    python.create_packages(out);
}

/// One file being rewritten.
struct File<'a> {
    old: &'a str,
    new: &'a str,
    source: &'a str,
}

impl Python<'_> {
    fn rewrite_file(&self, old: &str, source: &str, imports: &PythonImports) -> FileEdits {
        let file = File {
            old,
            new: self.layout.new_path(old),
            source,
        };
        let mut edits = FileEdits::new(old);
        for statement in &imports.statements {
            match &statement.from {
                None => self.rewrite_import(&file, statement, &imports.dotted, &mut edits),
                Some(_) => self.rewrite_from(&file, statement, &mut edits),
            }
        }
        for literal in &imports.strings {
            if let Some(why) = self.string_names_moved(&file, &literal.content) {
                edits.unresolved(literal.line, literal.content.clone(), why);
            }
        }
        for computed in &imports.computed {
            edits.unresolved(
                computed.line,
                computed.text.clone(),
                "the module name is computed, so squarely cannot tell whether it names a moved module: check it by hand",
            );
        }
        edits
    }

    /// Where a module found before the moves is after them (`None` when its files split).
    fn after(&self, target: &Target) -> Option<Target> {
        match target {
            Target::File(path) => Some(Target::File(self.layout.new_path(path).to_owned())),
            Target::Dir(dir) => match self.layout.dir_fate(dir) {
                DirFate::Stays => Some(Target::Dir(dir.clone())),
                DirFate::MovesTo(new) => Some(Target::Dir(new)),
                DirFate::Splits => None,
            },
        }
    }

    /// The root a file's own package hangs from: the deepest root the repository imports
    /// from that holds it.
    fn home_root(&self, file: &str) -> &str {
        self.used_roots
            .iter()
            .filter(|root| is_within(file, root) && file != root.as_str())
            .max_by_key(|root| root.len())
            .map_or("", String::as_str)
    }

    /// `module` (a module path after the moves) written from `file` (after the moves) in
    /// `style`; an absolute spelling is checked to find that very module.
    fn spell(&self, style: &Style, file: &str, module: &str) -> Option<Spelled> {
        if let Style::Relative { anchor } = style {
            let package = parent(file);
            let common = super::layout::common_dir(package, module);
            let home = self.home_root(file);
            let inside = (is_within(&common, anchor)
                || (common != home && is_within(&common, home)))
                && !common.is_empty();
            if inside {
                let ups = package.split('/').filter(|p| !p.is_empty()).count()
                    - common.split('/').filter(|p| !p.is_empty()).count();
                if let Some(dotted) = dotted_name(&common, module) {
                    return Some(Spelled {
                        level: u32::try_from(ups + 1).unwrap_or(u32::MAX),
                        dotted,
                    });
                }
            }
        }
        let preferred = match style {
            Style::Absolute { root } => Some(root.clone()),
            Style::Relative { .. } => None,
        };
        let after = &self.layout.after;
        let candidates = preferred.into_iter().chain(roots(after, file));
        for root in candidates {
            let Some(dotted) = dotted_name(&root, module) else {
                continue;
            };
            if dotted.is_empty() {
                // The root itself: only its modules can be named from it.
                if module == root {
                    return Some(Spelled { level: 0, dotted });
                }
                continue;
            }
            let finds =
                find_module(after, &root, &dotted).is_some_and(|t| t.module_path() == module);
            if finds {
                return Some(Spelled { level: 0, dotted });
            }
        }
        None
    }

    /// `import a.b`, `import a.b as c`.
    fn rewrite_import(
        &self,
        file: &File<'_>,
        statement: &PyStatement,
        dotted: &[Literal],
        edits: &mut FileEdits,
    ) {
        let after_files = &self.layout.after;
        for name in &statement.names {
            let Some((root, target)) =
                resolve_absolute(&self.layout.before, file.old, &name.dotted)
            else {
                continue;
            };
            let Some(new_target) = self.after(&target) else {
                edits.unresolved(
                    statement.line,
                    statement.span.text(file.source).to_owned(),
                    format!("the files of package `{}` go to different places: split this import by hand", name.dotted),
                );
                continue;
            };
            // Roots are fixed `sys.path` entries: the import must still work from the same one.
            let still = find_module(after_files, &root, &name.dotted)
                .is_some_and(|t| t.module_path() == new_target.module_path());
            if still {
                continue;
            }
            let style = Style::Absolute { root };
            let spelled = self
                .spell(&style, file.new, new_target.module_path())
                .filter(|s| !s.is_top());
            let Some(spelled) = spelled else {
                edits.unresolved(
                    statement.line,
                    statement.span.text(file.source).to_owned(),
                    format!(
                        "`{}` moves to {}, which cannot be imported from the folders this repository imports from",
                        name.dotted,
                        new_target.module_path()
                    ),
                );
                continue;
            };
            let new = spelled.dotted;
            if name.alias.is_some() {
                edits.replace(name.span, new, statement.span);
            } else if !name.dotted.contains('.') {
                edits.replace(
                    name.item,
                    format!("{new} as {}", name.dotted),
                    statement.span,
                );
            } else {
                // `import a.b.c` binds `a`; code says `a.b.c.X`: those dotted names follow.
                edits.replace(name.span, new.clone(), statement.span);
                for used in dotted.iter().filter(|d| d.content == name.dotted) {
                    edits.replace(used.span, new.clone(), used.span);
                }
            }
        }
    }

    /// The module of a `from` statement, resolved in `files` from `file`.
    fn from_module(files: &Files, file: &str, level: u32, module: &str) -> Option<(Style, Target)> {
        if level == 0 {
            let (root, target) = resolve_absolute(files, file, module)?;
            return Some((Style::Absolute { root }, target));
        }
        let base = relative_base(file, level)?;
        let target = find_module(files, &base, module)?;
        Some((Style::Relative { anchor: base }, target))
    }

    /// `from m import a, b as c`, `from . import x`, `from m import *`.
    fn rewrite_from(&self, file: &File<'_>, statement: &PyStatement, edits: &mut FileEdits) {
        let Some(from) = &statement.from else {
            return;
        };
        let layout = self.layout;
        let Some((style, module)) =
            Self::from_module(&layout.before, file.old, from.level, &from.module)
        else {
            return;
        };
        // Each name: the submodule it names, if it is one (a name the package's `__init__.py`
        // binds to something else is that thing: Python looks the attribute up first).
        let subs: Vec<Option<Target>> = statement
            .names
            .iter()
            .map(|name| {
                let dir = module.package_dir()?;
                if self
                    .rebound
                    .get(dir)
                    .is_some_and(|names| names.contains(&name.dotted))
                {
                    return None;
                }
                find_module(&layout.before, dir, &name.dotted)
            })
            .collect();
        let needs_module = statement.wildcard || subs.iter().any(Option::is_none);
        let new_module = self.after(&module);
        let new_subs: Vec<Option<Option<Target>>> = subs
            .iter()
            .map(|sub| sub.as_ref().map(|sub| self.after(sub)))
            .collect();

        // Does the statement, as written, still reach the same code (from the same root)?
        let actual = match &style {
            Style::Absolute { root } => find_module(&layout.after, root, &from.module),
            Style::Relative { .. } => {
                Self::from_module(&layout.after, file.new, from.level, &from.module).map(|(_, t)| t)
            }
        };
        let module_ok = !needs_module
            || matches!((&actual, &new_module), (Some(a), Some(n)) if a.module_path() == n.module_path());
        let names_ok = statement.names.iter().zip(&new_subs).all(|(name, sub)| match sub {
            None => true,
            Some(expected) => {
                let found = actual
                    .as_ref()
                    .and_then(Target::package_dir)
                    .and_then(|dir| find_module(&layout.after, dir, &name.dotted));
                matches!((found, expected), (Some(f), Some(e)) if f.module_path() == e.module_path())
            }
        });
        if module_ok && names_ok {
            return;
        }

        let text = statement.span.text(file.source).to_owned();
        let fail = |edits: &mut FileEdits, why: String| {
            edits.unresolved(statement.line, text.clone(), why);
        };
        let module_spelled = if needs_module {
            let Some(new_module) = &new_module else {
                fail(
                    edits,
                    format!(
                        "the files of package `{}` go to different places: split this import by hand",
                        from.module
                    ),
                );
                return;
            };
            match self.spell(&style, file.new, new_module.module_path()) {
                Some(spelled) if !spelled.is_top() => Some(spelled),
                _ => {
                    fail(
                        edits,
                        format!(
                            "`{}` moves to {}, which cannot be imported from the folders this repository imports from",
                            from.module,
                            new_module.module_path()
                        ),
                    );
                    return;
                }
            }
        } else {
            None
        };
        let mut placements: Vec<Placement> = Vec::with_capacity(statement.names.len());
        for (name, sub) in statement.names.iter().zip(&new_subs) {
            let bound = name.alias.as_deref().unwrap_or(&name.dotted);
            let placement = match sub {
                None => Placement {
                    module: module_spelled.clone(),
                    name: name.dotted.clone(),
                    alias: name.alias.clone(),
                    attribute: true,
                },
                Some(None) => {
                    fail(
                        edits,
                        format!(
                            "the files of package `{}` go to different places: split this import by hand",
                            name.dotted
                        ),
                    );
                    return;
                }
                Some(Some(target)) => {
                    let path = target.module_path();
                    let new_name = file_name(path).to_owned();
                    let Some(spelled) = self
                        .spell(&style, file.new, parent(path))
                        .filter(|_| is_identifier(&new_name))
                    else {
                        fail(
                            edits,
                            format!(
                                "`{}` moves to {path}, which cannot be imported from the folders this repository imports from",
                                name.dotted
                            ),
                        );
                        return;
                    };
                    Placement {
                        module: (!spelled.is_top()).then_some(spelled),
                        alias: keep_binding(&new_name, bound),
                        name: new_name,
                        attribute: false,
                    }
                }
            };
            placements.push(placement);
        }
        emit_from(file, statement, module_spelled.as_ref(), &placements, edits);
    }

    /// Why a string literal must be checked by hand: it names a module or file that moves.
    fn string_names_moved(&self, file: &File<'_>, content: &str) -> Option<String> {
        let content = content.trim();
        if let Some(new) = self
            .layout
            .moves()
            .find(|(from, _)| *from == content)
            .map(|(_, to)| to)
        {
            return Some(format!(
                "names the file `{content}`, which moves to `{new}`: strings are not rewritten, change it by hand"
            ));
        }
        let (module, attribute) = content.split_once(':').unwrap_or((content, ""));
        let last = module.rsplit('.').next().unwrap_or(module);
        if FILE_EXTENSIONS.contains(&last)
            || (!module.contains('.') && attribute.is_empty())
            || !module.split('.').all(is_identifier)
            || !(attribute.is_empty() || attribute.split('.').all(is_identifier))
        {
            return None;
        }
        let segments: Vec<&str> = module.split('.').collect();
        for length in (1..=segments.len()).rev() {
            let prefix = segments[..length].join(".");
            let Some((root, target)) = resolve_absolute(&self.layout.before, file.old, &prefix)
            else {
                continue;
            };
            let new = self.after(&target)?;
            if new.module_path() == target.module_path() {
                return None;
            }
            let spelled = dotted_name(&root, new.module_path())
                .unwrap_or_else(|| new.module_path().to_owned());
            return Some(format!(
                "names the module `{prefix}`, which moves to `{spelled}`: strings are not rewritten, change it by hand"
            ));
        }
        None
    }

    /// `__init__.py` files for the new folders moved Python files land in, where the
    /// repository uses them.
    fn create_packages(&self, out: &mut Output) {
        let layout = self.layout;
        let mut wanted: std::collections::HashMap<&str, bool> = std::collections::HashMap::new();
        for (_, to) in layout.moves() {
            if !is_python(to) {
                continue;
            }
            let mut new_dirs = Vec::new();
            let mut dir = parent(to);
            while !dir.is_empty() && !layout.before.is_dir(dir) {
                new_dirs.push(dir);
                dir = parent(dir);
            }
            if new_dirs.is_empty() || !*wanted.entry(dir).or_insert_with(|| self.wants_init(dir)) {
                continue;
            }
            for new_dir in new_dirs {
                if self.used_roots.contains(new_dir)
                    || file_name(new_dir) == "src"
                    || !is_identifier(file_name(new_dir))
                {
                    continue;
                }
                let init = join(new_dir, "__init__.py");
                if !layout.after.is_file(&init)
                    && !layout.after.is_file(&join(new_dir, "__init__.pyi"))
                {
                    out.created.insert(init, String::new());
                }
            }
        }
    }

    /// Whether new folders below `existing` should be regular packages.
    fn wants_init(&self, existing: &str) -> bool {
        let layout = self.layout;
        if !existing.is_empty() && !self.used_roots.contains(existing) {
            if layout.after.is_file(&join(existing, "__init__.py")) {
                return true;
            }
            let stays = layout
                .files()
                .filter(|path| parent(path) == existing && is_python(path))
                .any(|path| !layout.moves_file(path));
            let arrives = layout
                .moves()
                .any(|(_, to)| parent(to) == existing && is_python(to));
            if stays || arrives {
                return false;
            }
        }
        self.any_init
    }
}

/// Writes the placements of a `from` statement: the group that keeps the statement is
/// edited in place, the others become new statements after it.
fn emit_from(
    file: &File<'_>,
    statement: &PyStatement,
    module: Option<&Spelled>,
    placements: &[Placement],
    edits: &mut FileEdits,
) {
    let Some(from) = &statement.from else {
        return;
    };
    let group_span = statement.span;
    // The module that keeps the statement: the one holding attributes (or `*`), else the
    // first name's.
    let primary: Option<Spelled> = module.cloned().or_else(|| {
        placements
            .iter()
            .find(|p| !p.attribute)
            .and_then(|p| p.module.clone())
    });
    let separator = match indentation(file.source, statement.span.start) {
        Some(indent) => format!("{}{indent}", newline(file.source)),
        None => "; ".to_owned(),
    };
    let mut extra: Vec<String> = Vec::new();
    let mut groups: Vec<(Spelled, Vec<String>)> = Vec::new();
    for placement in placements {
        match &placement.module {
            Some(spelled) if Some(spelled) == primary.as_ref() => {}
            Some(spelled) => match groups.iter_mut().find(|(s, _)| s == spelled) {
                Some((_, items)) => items.push(placement.item()),
                None => groups.push((spelled.clone(), vec![placement.item()])),
            },
            None => extra.push(match &placement.alias {
                Some(alias) => format!("import {} as {alias}", placement.name),
                None => format!("import {}", placement.name),
            }),
        }
    }
    let mut new_statements: Vec<String> = groups
        .into_iter()
        .map(|(spelled, items)| format!("from {} import {}", spelled.text(), items.join(", ")))
        .collect();
    new_statements.extend(extra);

    let Some(primary) = primary else {
        // Nothing stays in a `from` statement: the statement becomes the new ones.
        edits.replace(statement.span, new_statements.join(&separator), group_span);
        return;
    };
    let written = Spelled {
        level: from.level,
        dotted: from.module.clone(),
    };
    if primary != written {
        edits.replace(from.span, primary.text(), group_span);
    }
    let keep: Vec<bool> = placements
        .iter()
        .map(|p| p.module.as_ref() == Some(&primary))
        .collect();
    for ((name, placement), kept) in statement.names.iter().zip(placements).zip(&keep) {
        if *kept && !same_name(name, placement) {
            edits.replace(name.item, placement.item(), group_span);
        }
    }
    if keep.iter().any(|k| !k) {
        let items: Vec<(Span, Option<Span>)> =
            statement.names.iter().map(|n| (n.item, n.comma)).collect();
        for removal in list_removals(file.source, &items, &keep) {
            edits.delete(file.source, removal, group_span);
        }
    }
    // After a comment that ends the statement's line, so that the comment stays with it.
    let mut at = statement.span.end;
    if separator.starts_with(['\r', '\n']) {
        let rest = &file.source[at..];
        let line_end = rest.find('\n').unwrap_or(rest.len());
        let tail = rest[..line_end].trim();
        if tail.is_empty() || tail.starts_with('#') {
            at += rest[..line_end].trim_end_matches('\r').len();
        }
    }
    for new in new_statements {
        edits.insert(at, format!("{separator}{new}"), group_span);
    }
}

/// Whether a kept name needs no edit.
fn same_name(name: &PyName, placement: &Placement) -> bool {
    name.dotted == placement.name && name.alias == placement.alias
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{Case, check};

    #[test]
    fn python_imports_follow_moved_modules() {
        let cases = [
            Case {
                name: "layered app regrouped by domain: absolute, relative, submodules, split, aliases",
                files: &[
                    ("app/__init__.py", ""),
                    (
                        "app/models/__init__.py",
                        "from .base import Base\nfrom .user import User\nfrom .post import Post\n",
                    ),
                    (
                        "app/models/user.py",
                        "from .base import Base\nfrom app.models.post import Post\n\n\nclass User(Base):\n    pass\n",
                    ),
                    ("app/models/base.py", "class Base:\n    pass\n"),
                    (
                        "app/models/post.py",
                        "from .base import Base\n\n\nclass Post(Base):\n    pass\n",
                    ),
                    (
                        "app/main.py",
                        "from app.models import user, post, Base  # models\nfrom app.models.user import User  # the user\nimport app.models.user as user_model\nfrom app.models.post import *\n\nx = 'from app.models.user import User'\n",
                    ),
                ],
                moves: &[
                    ("app/models/user.py", "app/users/models.py"),
                    ("app/models/post.py", "app/posts/models.py"),
                ],
                edits: &[
                    (
                        "app/main.py",
                        "from app.models import Base  # models\nfrom app.users import models as user\nfrom app.posts import models as post\nfrom app.users.models import User  # the user\nimport app.users.models as user_model\nfrom app.posts.models import *\n\nx = 'from app.models.user import User'\n",
                    ),
                    (
                        "app/models/__init__.py",
                        "from .base import Base\nfrom ..users.models import User\nfrom ..posts.models import Post\n",
                    ),
                    (
                        "app/posts/models.py",
                        "from ..models.base import Base\n\n\nclass Post(Base):\n    pass\n",
                    ),
                    (
                        "app/users/models.py",
                        "from ..models.base import Base\nfrom app.posts.models import Post\n\n\nclass User(Base):\n    pass\n",
                    ),
                ],
                created: &[("app/posts/__init__.py", ""), ("app/users/__init__.py", "")],
                unresolved: &[],
            },
            Case {
                name: "a name the package re-exports is what it binds, not the submodule of that name",
                files: &[
                    ("app/__init__.py", ""),
                    ("app/schemas/__init__.py", "from .Msg import Msg\n"),
                    ("app/schemas/Msg.py", "class Msg:\n    pass\n"),
                    (
                        "app/main.py",
                        "from app.schemas import Msg\nfrom app.schemas.Msg import Msg as M2\n",
                    ),
                ],
                moves: &[("app/schemas/Msg.py", "app/msg/schemas.py")],
                edits: &[
                    (
                        "app/main.py",
                        "from app.schemas import Msg\nfrom app.msg.schemas import Msg as M2\n",
                    ),
                    ("app/schemas/__init__.py", "from ..msg.schemas import Msg\n"),
                ],
                created: &[("app/msg/__init__.py", "")],
                unresolved: &[],
            },
            Case {
                name: "a package importing its own submodules by absolute name (Flask blueprints)",
                files: &[
                    ("app/__init__.py", ""),
                    (
                        "app/api/__init__.py",
                        "bp = object()\n\nfrom app.api import users, errors\n",
                    ),
                    ("app/api/users.py", "from app.api import bp\n"),
                    ("app/api/errors.py", "x = 1\n"),
                ],
                moves: &[("app/api/users.py", "app/users/router.py")],
                edits: &[(
                    "app/api/__init__.py",
                    "bp = object()\n\nfrom app.users import router as users\nfrom app.api import errors\n",
                )],
                created: &[("app/users/__init__.py", "")],
                unresolved: &[],
            },
            Case {
                name: "flat app without packages: top-level modules keep their bindings",
                files: &[
                    (
                        "main.py",
                        "import models\nfrom models import User\nimport crud as c\nimport os\n",
                    ),
                    ("models.py", "class User:\n    pass\n"),
                    ("crud.py", "import models\n"),
                ],
                moves: &[
                    ("models.py", "app/users/models.py"),
                    ("crud.py", "app/users/crud.py"),
                ],
                edits: &[
                    ("app/users/crud.py", "import app.users.models as models\n"),
                    (
                        "main.py",
                        "import app.users.models as models\nfrom app.users.models import User\nimport app.users.crud as c\nimport os\n",
                    ),
                ],
                created: &[],
                unresolved: &[],
            },
            Case {
                name: "src layout",
                files: &[
                    ("src/shop/__init__.py", ""),
                    ("src/shop/models.py", "X = 1\n"),
                    (
                        "src/shop/api.py",
                        "from shop.models import X\nfrom shop import models\n",
                    ),
                    ("tests/test_api.py", "from shop.api import models\n"),
                ],
                moves: &[("src/shop/models.py", "src/shop/catalog/models.py")],
                edits: &[(
                    "src/shop/api.py",
                    "from shop.catalog.models import X\nfrom shop.catalog import models\n",
                )],
                created: &[("src/shop/catalog/__init__.py", "")],
                unresolved: &[],
            },
            Case {
                name: "files that move together keep their imports byte for byte",
                files: &[
                    ("app/__init__.py", ""),
                    ("app/models/__init__.py", ""),
                    (
                        "app/models/user.py",
                        "from .base import Base\nfrom . import base\n",
                    ),
                    ("app/models/base.py", "class Base:\n    pass\n"),
                ],
                moves: &[
                    ("app/models/user.py", "app/users/user.py"),
                    ("app/models/base.py", "app/users/base.py"),
                ],
                edits: &[],
                created: &[("app/users/__init__.py", "")],
                unresolved: &[],
            },
            Case {
                name: "a split inside a function keeps indentation and comments",
                files: &[
                    ("pkg/__init__.py", ""),
                    ("pkg/a.py", ""),
                    ("pkg/b.py", ""),
                    ("pkg/c.py", ""),
                    (
                        "pkg/main.py",
                        "def load():\n    from . import (\n        a,  # first\n        b,\n        c,\n    )\n    return a, b, c\n",
                    ),
                ],
                moves: &[("pkg/b.py", "pkg/sub/b.py")],
                edits: &[(
                    "pkg/main.py",
                    "def load():\n    from . import (\n        a,  # first\n        c,\n    )\n    from .sub import b\n    return a, b, c\n",
                )],
                created: &[("pkg/sub/__init__.py", "")],
                unresolved: &[],
            },
            Case {
                name: "a package moved whole",
                files: &[
                    ("lib/__init__.py", ""),
                    ("lib/core.py", ""),
                    (
                        "main.py",
                        "import lib.core as core\nfrom lib import core as c2\nif x: from lib import core\n",
                    ),
                ],
                moves: &[
                    ("lib/__init__.py", "vendor/lib/__init__.py"),
                    ("lib/core.py", "vendor/lib/core.py"),
                ],
                edits: &[(
                    "main.py",
                    "import vendor.lib.core as core\nfrom vendor.lib import core as c2\nif x: from vendor.lib import core\n",
                )],
                created: &[("vendor/__init__.py", "")],
                unresolved: &[],
            },
            Case {
                name: "strings and computed imports are reported; `import a.b` uses in code follow",
                files: &[
                    ("app/__init__.py", ""),
                    ("app/models.py", ""),
                    (
                        "app/util.py",
                        "import importlib\nimport app.models\nm = importlib.import_module('app.models')\nn = importlib.import_module(name)\n# from app.models import x\np = 'settings.json'\nq = 'app/models.py'\nr = app.models.GUID(app.models .X, app.other.Y)\n",
                    ),
                ],
                moves: &[("app/models.py", "app/db/models.py")],
                edits: &[(
                    "app/util.py",
                    "import importlib\nimport app.db.models\nm = importlib.import_module('app.models')\nn = importlib.import_module(name)\n# from app.models import x\np = 'settings.json'\nq = 'app/models.py'\nr = app.db.models.GUID(app.db.models .X, app.other.Y)\n",
                )],
                created: &[("app/db/__init__.py", "")],
                unresolved: &[("app/util.py", 3), ("app/util.py", 4), ("app/util.py", 7)],
            },
            Case {
                name: "a move to a folder Python cannot import from",
                files: &[
                    ("app/__init__.py", ""),
                    ("app/x.py", ""),
                    ("app/main.py", "from app import x\n"),
                ],
                moves: &[("app/x.py", "app/my-stuff/x.py")],
                edits: &[],
                created: &[],
                unresolved: &[("app/main.py", 1)],
            },
            Case {
                name: "namespace packages get no __init__.py",
                files: &[
                    ("app/users/router.py", "from app.users import service\n"),
                    ("app/users/service.py", ""),
                ],
                moves: &[("app/users/service.py", "app/users/services/user_service.py")],
                edits: &[(
                    "app/users/router.py",
                    "from app.users.services import user_service as service\n",
                )],
                created: &[],
                unresolved: &[],
            },
            Case {
                name: "CRLF line endings are kept in split statements",
                files: &[
                    ("pkg/__init__.py", ""),
                    ("pkg/a.py", ""),
                    ("pkg/b.py", ""),
                    ("pkg/m.py", "from pkg import a, b  # both\r\nx = 1\r\n"),
                ],
                moves: &[("pkg/b.py", "pkg/sub/b.py")],
                edits: &[(
                    "pkg/m.py",
                    "from pkg import a  # both\r\nfrom pkg.sub import b\r\nx = 1\r\n",
                )],
                created: &[("pkg/sub/__init__.py", "")],
                unresolved: &[],
            },
        ];
        check(&cases);
    }
}
