//! TypeScript and JavaScript: module specifiers follow the moved files.
//!
//! * Specifiers of `import ... from`, `export ... from`, `import x = require()`, `require()`
//!   and `import()` (with a literal argument) are resolved as TypeScript and Node do:
//!   relative paths with or without extension (`./x`, `./x.js` naming `x.ts`, `./x.json`),
//!   folders through their `index` file, and the `compilerOptions.paths` and `baseUrl` of the
//!   nearest `tsconfig.json` or `jsconfig.json` (comments, trailing commas and relative
//!   `extends` understood).
//! * A specifier that still resolves to the same file is left alone. Otherwise it is written
//!   again the way it was: relative stays relative, an alias stays the same alias when the
//!   new place is under it (another alias of the config, or a relative path, otherwise), a
//!   `baseUrl` path stays one; the extension (none, the real one, or `.js` for a `.ts` file),
//!   the folder-with-`index` form and the quotes are kept. Only the text between the quotes
//!   changes.
//! * Reported, never rewritten: computed `require()`/`import()` arguments, other string
//!   literals that are relative paths to a moved file (`jest.mock('./x')`), the paths of
//!   `/// <reference path>` comments, specifiers with escapes, and `@/`/`~/` aliases that no
//!   config defines (a bundler's alias) when they reach a moved file.

use std::collections::HashMap;

use rayon::prelude::*;
use serde_json::Value;

use crate::analyze::Language;
use crate::analyze::spans::{Literal, script_imports};

use super::edit::{FileEdits, Output};
use super::layout::{Files, Layout, file_name, is_within, join, normalize, parent, relative};

/// Extensions tried after a specifier without one, in TypeScript's order (then Node's).
const EXTENSIONS: [&str; 10] = [
    "ts", "tsx", "d.ts", "js", "jsx", "mjs", "cjs", "mts", "cts", "json",
];

/// Whether `path` is a TypeScript or JavaScript file.
fn is_script(path: &str) -> bool {
    matches!(
        Language::from_path(path),
        Some(Language::TypeScript | Language::Tsx | Language::JavaScript)
    )
}

/// How a specifier names its file.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Shape {
    /// The file's own name: `./x.ts`, `./data.json`.
    Exact,
    /// Without extension: `./x` for `x.ts`.
    NoExtension,
    /// The compiled name of a source file: `./x.js` for `x.ts` (ESM TypeScript).
    Compiled {
        /// The extension written (`js`, `mjs`, `cjs`, `jsx`).
        written: String,
    },
    /// The folder of an `index` file: `./users` for `users/index.ts`.
    Index,
}

/// A specifier's file and how it was named.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Found {
    file: String,
    shape: Shape,
}

/// The source extensions a compiled extension stands for.
fn sources_of(compiled: &str) -> &'static [&'static str] {
    match compiled {
        "js" => &["ts", "tsx"],
        "jsx" => &["tsx"],
        "mjs" => &["mts"],
        "cjs" => &["cts"],
        _ => &[],
    }
}

/// The file a path without the resolution rules names.
fn resolve_path(files: &Files, base: &str) -> Option<Found> {
    if base.is_empty() {
        return None;
    }
    if files.is_file(base) {
        return Some(Found {
            file: base.to_owned(),
            shape: Shape::Exact,
        });
    }
    if let Some((stem, written)) = base.rsplit_once('.')
        && !stem.ends_with('/')
    {
        for source in sources_of(written) {
            let candidate = format!("{stem}.{source}");
            if files.is_file(&candidate) {
                return Some(Found {
                    file: candidate,
                    shape: Shape::Compiled {
                        written: written.to_owned(),
                    },
                });
            }
        }
    }
    for extension in EXTENSIONS {
        let candidate = format!("{base}.{extension}");
        if files.is_file(&candidate) {
            return Some(Found {
                file: candidate,
                shape: Shape::NoExtension,
            });
        }
    }
    for extension in EXTENSIONS {
        let candidate = join(base, &format!("index.{extension}"));
        if files.is_file(&candidate) {
            return Some(Found {
                file: candidate,
                shape: Shape::Index,
            });
        }
    }
    None
}

/// `file` without its script extension (`.d.ts` counted whole).
fn strip_extension(file: &str) -> &str {
    if let Some(stem) = file.strip_suffix(".d.ts") {
        return stem;
    }
    match file.rsplit_once('.') {
        Some((stem, extension)) if EXTENSIONS.contains(&extension) && !stem.ends_with('/') => stem,
        _ => file,
    }
}

/// The path (from the repository root) that names `file` in `shape`.
fn shaped(file: &str, shape: &Shape) -> String {
    match shape {
        Shape::Exact => file.to_owned(),
        Shape::NoExtension => strip_extension(file).to_owned(),
        Shape::Compiled { written } => format!("{}.{written}", strip_extension(file)),
        Shape::Index => {
            if strip_extension(file_name(file)) == "index" {
                parent(file).to_owned()
            } else {
                strip_extension(file).to_owned()
            }
        }
    }
}

/// Whether a specifier is a relative path.
fn is_relative(specifier: &str) -> bool {
    specifier.starts_with("./")
        || specifier.starts_with("../")
        || specifier == "."
        || specifier == ".."
}

/// A relative specifier from folder `dir` to `path`.
fn relative_specifier(dir: &str, path: &str) -> String {
    let relative = relative(dir, path);
    if relative.is_empty() {
        ".".to_owned()
    } else if relative == ".." || relative.starts_with("../") {
        relative
    } else {
        format!("./{relative}")
    }
}

/// The module resolution settings of a `tsconfig.json`/`jsconfig.json`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Config {
    /// `compilerOptions.baseUrl`, from the repository root.
    base_url: Option<String>,
    /// `compilerOptions.paths`: pattern -> targets, targets from the repository root.
    paths: Vec<(String, Vec<String>)>,
}

/// How a specifier reached its file.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Via {
    Relative,
    /// Through the `paths` pattern of this index.
    Alias(usize),
    BaseUrl,
}

/// The part of `specifier` that a `paths` pattern's `*` stands for (`""` for an exact
/// pattern that matches).
fn match_pattern<'a>(pattern: &str, specifier: &'a str) -> Option<&'a str> {
    match pattern.split_once('*') {
        None => (pattern == specifier).then_some(""),
        Some((prefix, suffix)) => specifier
            .strip_prefix(prefix)
            .and_then(|rest| rest.strip_suffix(suffix))
            .filter(|_| specifier.len() >= prefix.len() + suffix.len()),
    }
}

impl Config {
    /// The pattern TypeScript uses for `specifier`: an exact match, else the matching pattern
    /// with the longest prefix.
    fn best_pattern<'s>(&self, specifier: &'s str) -> Option<(usize, &'s str)> {
        let mut best: Option<(usize, &'s str, usize)> = None;
        for (index, (pattern, _)) in self.paths.iter().enumerate() {
            let Some(star) = match_pattern(pattern, specifier) else {
                continue;
            };
            let rank = if pattern.contains('*') {
                pattern.find('*').unwrap_or(0)
            } else {
                usize::MAX
            };
            if best.is_none_or(|(_, _, r)| rank > r) {
                best = Some((index, star, rank));
            }
        }
        best.map(|(index, star, _)| (index, star))
    }

    /// Resolves a bare specifier through `paths`, then `baseUrl`.
    fn resolve(&self, files: &Files, specifier: &str) -> Option<(Found, Via)> {
        if let Some((index, star)) = self.best_pattern(specifier) {
            for target in &self.paths[index].1 {
                let path = normalize(&target.replacen('*', star, 1))?;
                if let Some(found) = resolve_path(files, &path) {
                    return Some((found, Via::Alias(index)));
                }
            }
        }
        let base = self.base_url.as_ref()?;
        let found = resolve_path(files, &normalize(&join(base, specifier))?)?;
        Some((found, Via::BaseUrl))
    }

    /// `path` (from the repository root) written through pattern `index`.
    fn through_pattern(&self, index: usize, path: &str) -> Option<String> {
        let (pattern, targets) = self.paths.get(index)?;
        for target in targets {
            let written = match (pattern.split_once('*'), target.split_once('*')) {
                (Some((p_prefix, p_suffix)), Some((t_prefix, t_suffix))) => path
                    .strip_prefix(t_prefix)
                    .and_then(|rest| rest.strip_suffix(t_suffix))
                    .map(|star| format!("{p_prefix}{star}{p_suffix}")),
                (None, None) => (strip_extension(target) == strip_extension(path)
                    || target == path)
                    .then(|| pattern.clone()),
                _ => None,
            };
            if written.is_some() {
                return written;
            }
        }
        None
    }
}

/// Strips `//` and `/* */` comments and trailing commas from JSON with comments.
fn strip_jsonc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut in_string = false;
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            match c {
                '\\' => {
                    if let Some(next) = chars.next() {
                        out.push(next);
                    }
                }
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match (c, chars.peek()) {
            ('"', _) => {
                in_string = true;
                out.push(c);
            }
            ('/', Some('/')) => {
                for next in chars.by_ref() {
                    if next == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            ('/', Some('*')) => {
                chars.next();
                let mut previous = ' ';
                for next in chars.by_ref() {
                    if previous == '*' && next == '/' {
                        break;
                    }
                    previous = next;
                }
                out.push(' ');
            }
            (',', _) => {
                // A comma before `}` or `]` (blanks between) is a trailing comma.
                let rest: String = chars.clone().collect();
                let next = strip_jsonc_ahead(&rest);
                if !matches!(next, Some('}' | ']')) {
                    out.push(c);
                }
            }
            _ => out.push(c),
        }
    }
    out
}

/// The next significant character of JSON with comments.
fn strip_jsonc_ahead(rest: &str) -> Option<char> {
    let mut chars = rest.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, chars.peek()) {
            (c, _) if c.is_whitespace() => {}
            ('/', Some('/')) => {
                for next in chars.by_ref() {
                    if next == '\n' {
                        break;
                    }
                }
            }
            ('/', Some('*')) => {
                chars.next();
                let mut previous = ' ';
                for next in chars.by_ref() {
                    if previous == '*' && next == '/' {
                        break;
                    }
                    previous = next;
                }
            }
            (c, _) => return Some(c),
        }
    }
    None
}

/// Deepest `extends` chain followed.
const MAX_EXTENDS: usize = 8;

/// The module resolution settings of every `tsconfig.json` and `jsconfig.json` in the tree,
/// by folder.
fn load_configs(layout: &Layout<'_>) -> HashMap<String, Config> {
    let mut configs = HashMap::new();
    for path in layout.files() {
        if matches!(file_name(path), "tsconfig.json" | "jsconfig.json") {
            let dir = parent(path).to_owned();
            if configs.contains_key(&dir) && file_name(path) == "jsconfig.json" {
                continue;
            }
            if let Some(config) = load_config(layout, path, 0) {
                configs.insert(dir, config);
            }
        }
    }
    configs
}

fn load_config(layout: &Layout<'_>, path: &str, depth: usize) -> Option<Config> {
    if depth > MAX_EXTENDS {
        return None;
    }
    let text = layout.source(path)?.text;
    let value: Value = serde_json::from_str(&strip_jsonc(&text)).ok()?;
    let dir = parent(path);
    let mut config = Config::default();
    let extends: Vec<&str> = match value.get("extends") {
        Some(Value::String(one)) => vec![one.as_str()],
        Some(Value::Array(many)) => many.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    for base in extends.into_iter().filter(|b| b.starts_with('.')) {
        let Some(mut base_path) = normalize(&join(dir, base)) else {
            continue;
        };
        let has_extension = std::path::Path::new(&base_path)
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"));
        if !has_extension {
            base_path.push_str(".json");
        }
        if let Some(inherited) = load_config(layout, &base_path, depth + 1) {
            if inherited.base_url.is_some() {
                config.base_url = inherited.base_url;
            }
            if !inherited.paths.is_empty() {
                config.paths = inherited.paths;
            }
        }
    }
    let options = value.get("compilerOptions");
    let base_url = options
        .and_then(|o| o.get("baseUrl"))
        .and_then(Value::as_str)
        .and_then(|b| normalize(&join(dir, b)));
    if base_url.is_some() {
        config.base_url.clone_from(&base_url);
    }
    if let Some(Value::Object(paths)) = options.and_then(|o| o.get("paths")) {
        // Targets are relative to baseUrl when there is one, else to this file's folder.
        let from = base_url.clone().unwrap_or_else(|| dir.to_owned());
        config.paths = paths
            .iter()
            .map(|(pattern, targets)| {
                let targets = match targets {
                    Value::Array(list) => list
                        .iter()
                        .filter_map(Value::as_str)
                        .filter_map(|t| normalize(&join(&from, t)))
                        .collect(),
                    _ => Vec::new(),
                };
                (pattern.clone(), targets)
            })
            .collect();
    }
    Some(config)
}

struct Scripts<'a> {
    layout: &'a Layout<'a>,
    configs: HashMap<String, Config>,
    /// Whether a file that scripts may load (not Python or Rust source) moves.
    loadable_moves: bool,
}

/// Plans the rewrites of TypeScript/JavaScript specifiers for the moves of `layout`.
pub(super) fn rewrite(layout: &Layout<'_>, out: &mut Output) {
    let files: Vec<&str> = layout.files().filter(|path| is_script(path)).collect();
    if files.is_empty() {
        return;
    }
    let scripts = Scripts {
        layout,
        configs: load_configs(layout),
        loadable_moves: layout.moves().any(|(from, _)| {
            !matches!(
                Language::from_path(from),
                Some(Language::Python | Language::Rust)
            )
        }),
    };
    if !scripts.loadable_moves {
        return;
    }
    let edits: Vec<FileEdits> = files
        .par_iter()
        .filter_map(|path| scripts.rewrite_file(path))
        .collect();
    for edit in edits {
        out.add(edit);
    }
}

impl Scripts<'_> {
    /// The config that applies to a file: the nearest one above it.
    fn config_for(&self, file: &str) -> Option<&Config> {
        let mut dir = parent(file);
        loop {
            if let Some(config) = self.configs.get(dir) {
                return Some(config);
            }
            if dir.is_empty() {
                return None;
            }
            dir = parent(dir);
        }
    }

    /// Resolves `specifier`, written in `file`, among `files`.
    fn resolve(&self, files: &Files, file: &str, specifier: &str) -> Option<(Found, Via)> {
        if is_relative(specifier) {
            let base = normalize(&join(parent(file), specifier))?;
            return resolve_path(files, &base).map(|found| (found, Via::Relative));
        }
        self.config_for(file)?.resolve(files, specifier)
    }

    fn rewrite_file(&self, old: &str) -> Option<FileEdits> {
        let layout = self.layout;
        let language = Language::from_path(old)?;
        let source = layout.source(old)?;
        let text = source.text.as_ref();
        let imports = script_imports(language, text);
        let new = layout.new_path(old);
        let mut edits = FileEdits::new(old);
        for specifier in &imports.specifiers {
            let Some(written) = self.respell(old, new, &specifier.module) else {
                if let Some(why) = self.unknown_alias(old, &specifier.module) {
                    edits.unresolved(specifier.line, specifier.module.clone(), why);
                }
                continue;
            };
            if specifier.module.contains('\\') {
                edits.unresolved(
                    specifier.line,
                    specifier.module.clone(),
                    format!("the specifier has escapes, so squarely does not rewrite it: change it to `{written}` by hand"),
                );
                continue;
            }
            edits.replace(specifier.span, written, specifier.statement);
        }
        for literal in &imports.strings {
            self.report_path(old, new, literal, "a string", &mut edits);
        }
        for literal in &imports.references {
            self.report_path(
                old,
                new,
                literal,
                "a `/// <reference path>` comment",
                &mut edits,
            );
        }
        for computed in &imports.computed {
            edits.unresolved(
                computed.line,
                computed.text.clone(),
                "the module is computed, so squarely cannot tell whether it names a moved file: check it by hand",
            );
        }
        (!edits.is_empty()).then_some(edits)
    }

    /// The new text of a specifier written in `old` (now at `new`), when it must change.
    fn respell(&self, old: &str, new: &str, specifier: &str) -> Option<String> {
        let layout = self.layout;
        let (found, via) = self.resolve(&layout.before, old, specifier)?;
        let target = layout.new_path(&found.file);
        let still = self
            .resolve(&layout.after, new, specifier)
            .is_some_and(|(f, _)| f.file == target);
        if still {
            return None;
        }
        let path = shaped(target, &found.shape);
        let config = self.config_for(new);
        let checks = |candidate: &str| {
            self.resolve(&layout.after, new, candidate)
                .is_some_and(|(f, _)| f.file == target)
        };
        let aliased = match (&via, config) {
            (Via::Alias(index), Some(config)) => std::iter::once(*index)
                .chain(0..config.paths.len())
                .filter_map(|i| config.through_pattern(i, &path))
                .find(|candidate| checks(candidate)),
            (Via::BaseUrl, Some(config)) => config
                .base_url
                .as_ref()
                .filter(|base| is_within(&path, base) && path != **base)
                .map(|base| relative(base, &path))
                .filter(|candidate| checks(candidate)),
            _ => None,
        };
        let written = aliased.unwrap_or_else(|| relative_specifier(parent(new), &path));
        (written != specifier).then_some(written)
    }

    /// Why an unresolved `@/x` or `~/x` specifier must be checked: no config defines the alias,
    /// yet under the usual `src/` meaning it reaches a moved file.
    fn unknown_alias(&self, file: &str, specifier: &str) -> Option<String> {
        let rest = specifier
            .strip_prefix("@/")
            .or_else(|| specifier.strip_prefix("~/"))?;
        let mut dir = parent(file);
        loop {
            let base = join(&join(dir, "src"), rest);
            if let Some(found) = resolve_path(&self.layout.before, &base)
                && self.layout.moves_file(&found.file)
            {
                return Some(format!(
                    "no tsconfig.json or jsconfig.json defines this alias (a bundler's?), and if it means `{}` that file moves to `{}`: change it by hand",
                    found.file,
                    self.layout.new_path(&found.file)
                ));
            }
            if dir.is_empty() {
                return None;
            }
            dir = parent(dir);
        }
    }

    /// Reports a relative path in a string or comment that no longer reaches its file.
    fn report_path(
        &self,
        old: &str,
        new: &str,
        literal: &Literal,
        what: &str,
        edits: &mut FileEdits,
    ) {
        if !is_relative(&literal.content) {
            return;
        }
        if let Some(written) = self.respell(old, new, &literal.content) {
            edits.unresolved(
                literal.line,
                literal.content.clone(),
                format!("{what} names this file by its relative path, which becomes `{written}`: strings and comments are not rewritten, change it by hand"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{Case, check};
    use super::strip_jsonc;

    #[test]
    fn jsonc_comments_and_trailing_commas() {
        let text =
            "{\n  // a comment\n  \"a\": \"x // not a comment\", /* b */\n  \"c\": [1, 2,],\n}\n";
        let value: serde_json::Value = serde_json::from_str(&strip_jsonc(text)).unwrap_or_default();
        assert_eq!(value["a"], "x // not a comment");
        assert_eq!(value["c"], serde_json::json!([1, 2]));
    }

    #[test]
    fn script_specifiers_follow_moved_files() {
        let cases = [
            Case {
                name: "layered Express app regrouped by domain: import, require, re-export, dynamic",
                files: &[
                    (
                        "src/controllers/users.controller.ts",
                        "import { UsersService } from '../services/users.service';\nimport type { User } from \"../models/user\";\nexport * from '../models/user';\n\nexport class UsersController {\n  constructor(private readonly users: UsersService) {}\n}\n",
                    ),
                    (
                        "src/services/users.service.ts",
                        "import { User } from '../models/user';\nconst db = require('../db');\nexport const lazy = () => import('../models/user');\n// import x from '../models/user';\nconst s = '../models/user';\n",
                    ),
                    (
                        "src/models/user.ts",
                        "export interface User { id: string }\n",
                    ),
                    ("src/db/index.js", "module.exports = {};\n"),
                    (
                        "src/app.js",
                        "const users = require('./controllers/users.controller');\n",
                    ),
                ],
                moves: &[
                    (
                        "src/controllers/users.controller.ts",
                        "src/modules/users/users.controller.ts",
                    ),
                    (
                        "src/services/users.service.ts",
                        "src/modules/users/users.service.ts",
                    ),
                    ("src/models/user.ts", "src/modules/users/user.model.ts"),
                ],
                edits: &[
                    (
                        "src/app.js",
                        "const users = require('./modules/users/users.controller');\n",
                    ),
                    (
                        "src/modules/users/users.controller.ts",
                        "import { UsersService } from './users.service';\nimport type { User } from \"./user.model\";\nexport * from './user.model';\n\nexport class UsersController {\n  constructor(private readonly users: UsersService) {}\n}\n",
                    ),
                    (
                        "src/modules/users/users.service.ts",
                        "import { User } from './user.model';\nconst db = require('../../db');\nexport const lazy = () => import('./user.model');\n// import x from '../models/user';\nconst s = '../models/user';\n",
                    ),
                ],
                created: &[],
                unresolved: &[("src/services/users.service.ts", 5)],
            },
            Case {
                name: "extensions, compiled names and index folders keep their form",
                files: &[
                    (
                        "lib/a.ts",
                        "import b from './b.js';\nimport c from './c/index';\nimport d from './d';\nimport data from './data.json';\nimport e from './e.ts';\n",
                    ),
                    ("lib/b.ts", ""),
                    ("lib/c/index.ts", ""),
                    ("lib/d/index.ts", ""),
                    ("lib/data.json", "{}"),
                    ("lib/e.ts", ""),
                ],
                moves: &[
                    ("lib/a.ts", "lib/x/a.ts"),
                    ("lib/d/index.ts", "lib/dd/index.ts"),
                ],
                edits: &[(
                    "lib/x/a.ts",
                    "import b from '../b.js';\nimport c from '../c/index';\nimport d from '../dd';\nimport data from '../data.json';\nimport e from '../e.ts';\n",
                )],
                created: &[],
                unresolved: &[],
            },
            Case {
                name: "tsconfig paths and baseUrl aliases stay aliases",
                files: &[
                    (
                        "tsconfig.json",
                        "{\n  // JSON with comments\n  \"compilerOptions\": {\n    \"baseUrl\": \".\",\n    \"paths\": {\n      \"@/*\": [\"src/*\"],\n      \"@models/*\": [\"src/models/*\"],\n    },\n  },\n}\n",
                    ),
                    (
                        "src/app.ts",
                        "import { User } from '@models/user';\nimport { db } from '@/db';\nimport { cfg } from 'src/config';\nimport express from 'express';\n",
                    ),
                    ("src/models/user.ts", ""),
                    ("src/db.ts", ""),
                    ("src/config.ts", ""),
                ],
                moves: &[
                    ("src/models/user.ts", "src/modules/users/user.model.ts"),
                    ("src/db.ts", "src/shared/db.ts"),
                    ("src/config.ts", "src/shared/config.ts"),
                ],
                edits: &[(
                    "src/app.ts",
                    "import { User } from '@/modules/users/user.model';\nimport { db } from '@/shared/db';\nimport { cfg } from 'src/shared/config';\nimport express from 'express';\n",
                )],
                created: &[],
                unresolved: &[],
            },
            Case {
                name: "an extended config in a sub-project, and an alias-less @/",
                files: &[
                    (
                        "tsconfig.base.json",
                        "{ \"compilerOptions\": { \"paths\": { \"~lib/*\": [\"./web/src/lib/*\"] } } }",
                    ),
                    (
                        "web/tsconfig.json",
                        "{ \"extends\": \"../tsconfig.base.json\" }",
                    ),
                    (
                        "web/src/page.tsx",
                        "import { fmt } from '~lib/fmt';\nimport { api } from '@/api';\n",
                    ),
                    ("web/src/lib/fmt.ts", ""),
                    ("web/src/api.ts", ""),
                ],
                moves: &[
                    ("web/src/lib/fmt.ts", "web/src/lib/text/fmt.ts"),
                    ("web/src/api.ts", "web/src/shared/api.ts"),
                ],
                edits: &[(
                    "web/src/page.tsx",
                    "import { fmt } from '~lib/text/fmt';\nimport { api } from '@/api';\n",
                )],
                created: &[],
                unresolved: &[("web/src/page.tsx", 2)],
            },
            Case {
                name: "computed requires and references are reported; jest mocks follow",
                files: &[
                    (
                        "test/user.test.js",
                        "/// <reference path=\"../src/user.d.ts\" />\nconst m = require(`../src/${name}`);\njest.mock('../src/user');\nconst user = require('../src/user');\n",
                    ),
                    ("src/user.js", ""),
                    ("src/user.d.ts", ""),
                ],
                moves: &[
                    ("src/user.js", "src/users/user.js"),
                    ("src/user.d.ts", "src/users/user.d.ts"),
                ],
                edits: &[(
                    "test/user.test.js",
                    "/// <reference path=\"../src/user.d.ts\" />\nconst m = require(`../src/${name}`);\njest.mock('../src/users/user');\nconst user = require('../src/users/user');\n",
                )],
                created: &[],
                unresolved: &[("test/user.test.js", 1), ("test/user.test.js", 2)],
            },
        ];
        check(&cases);
    }
}
