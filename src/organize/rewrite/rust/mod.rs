//! Rust: `mod` declarations and `use` paths follow the moved module files.
//!
//! * Crates come from each `Cargo.toml` (its library, binaries, tests, examples and benches,
//!   default places and `path =` keys) or, without one, from `src/lib.rs` and `src/main.rs`.
//!   Their module trees are read from the `mod` declarations, so a file no crate declares is
//!   not a module.
//! * A moved module file is declared where it lands: its declaration leaves its old parent
//!   (attributes and doc comments with it) and joins the new one with the same attributes and
//!   visibility (a private module that changes parent becomes `pub(crate)`, so that its old
//!   neighbours still reach it). New folders get module files declaring what is below them
//!   (`mod.rs`, or `name.rs` when the crate uses that style), and the crate root declares the
//!   first of them. A declaration joins a group of sorted declarations in its sorted place.
//!   A module moved to `tests/<name>/` joins the test crate `tests/<name>/main.rs` (created
//!   when missing); one moved to `tests/<name>.rs` becomes a test crate of its own.
//! * Every `use` path that reaches a moved module (`crate::`, `super::`, `self::`, the crate's
//!   name in tests and binaries, or a child module's name) is written again in its own style:
//!   `super::` stays relative when it needs no more `super`s than before, else becomes
//!   `crate::`; from another crate, the library's name. Bindings are kept
//!   (`use crate::models::user;` becomes `use crate::modules::users::models as user;`). In a
//!   `use` group, the shared prefix is rewritten when all its paths move together; otherwise
//!   the paths that move leave the group for `use` declarations of their own.
//! * Paths in code (not in `use`) that name a moved module are respelled the same way.
//! * Reported, never rewritten:
//!   `include!`-family paths and `#[path]` modules whose files move, `pub(super)` and
//!   `pub(in ...)` in a module that changes parent, glob imports of a module whose children
//!   moved out, and moves the module tree cannot follow.

mod crates;
mod uses;
mod view;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use rayon::prelude::*;

use crate::analyze::Language;
use crate::analyze::spans::{RustItems, RustMod, RustUse, Span, UseTree, rust_items};

use super::edit::{FileEdits, Output, indentation, newline};
use super::layout::{Layout, file_name, is_within, join, normalize, parent};

use crates::{Crate, children_dir, find_crates, is_root_location, location_path};
use uses::UsePlanner;
use view::{Key, View};

/// Whether `path` is a Rust source file.
fn is_rust(path: &str) -> bool {
    Language::from_path(path) == Some(Language::Rust)
}

/// A `mod` declaration: the file holding it and its index in that file's `mods`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Decl {
    file: String,
    index: usize,
}

/// A module file of a crate.
#[derive(Debug, Clone)]
struct Module {
    key: Key,
    file: String,
    decl: Option<Decl>,
    /// The module of the declaring file.
    parent: Option<usize>,
    /// Declared with `#[path]`, or inside an inline module: its place is not its path.
    irregular: bool,
}

/// Where a module is after the moves.
#[derive(Debug, Clone, PartialEq, Eq)]
enum After {
    /// Unchanged.
    Same,
    /// At this module path.
    At(Key),
    /// Lost to the module tree, with the reason.
    Lost(String),
}

/// The Rust side of a rewrite.
struct Rust<'a> {
    layout: &'a Layout<'a>,
    parsed: HashMap<&'a str, (super::layout::Source<'a>, RustItems)>,
    modules: Vec<Module>,
    after: Vec<After>,
    before_view: View,
    after_view: View,
    /// Before key -> module index.
    index: HashMap<Key, usize>,
    /// Whether new folders get `mod.rs` (else `name.rs` beside the folder).
    mod_rs: bool,
    /// File -> its (first) module.
    by_file: HashMap<String, usize>,
}

/// Plans the rewrites of Rust `mod` declarations and `use` paths for the moves of `layout`.
pub(super) fn rewrite(layout: &Layout<'_>, out: &mut Output) {
    let files: Vec<&str> = layout.files().filter(|path| is_rust(path)).collect();
    if files.is_empty() {
        return;
    }
    let parsed: HashMap<&str, (super::layout::Source<'_>, RustItems)> = files
        .par_iter()
        .filter_map(|path| {
            let source = layout.source(path)?;
            let items = rust_items(&source.text);
            Some((*path, (source, items)))
        })
        .collect();
    let crates = find_crates(layout);
    let mut rust = Rust {
        layout,
        parsed,
        modules: Vec::new(),
        after: Vec::new(),
        before_view: View::default(),
        after_view: View::default(),
        index: HashMap::new(),
        mod_rs: true,
        by_file: HashMap::new(),
    };
    rust.discover(&crates);
    rust.locate(&crates);
    let mut edits: HashMap<String, FileEdits> = HashMap::new();
    rust.declare(&mut edits, out);
    rust.report_undeclared(&crates, &mut edits);
    let use_edits: Vec<FileEdits> = files
        .par_iter()
        .filter_map(|path| rust.rewrite_file(path))
        .collect();
    for edit in edits.into_values().chain(use_edits) {
        out.add(edit);
    }
}

/// One declaration to add: to module `parent`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct NewDecl {
    name: String,
    visibility: Option<String>,
    attributes: Vec<String>,
}

impl NewDecl {
    fn render(&self, indent: &str, newline: &str) -> String {
        let mut text = String::new();
        for attribute in &self.attributes {
            text.push_str(attribute);
            text.push_str(newline);
            text.push_str(indent);
        }
        if let Some(visibility) = &self.visibility {
            text.push_str(visibility);
            text.push(' ');
        }
        text.push_str("mod ");
        text.push_str(&self.name);
        text.push(';');
        text
    }
}

impl Rust<'_> {
    fn items(&self, file: &str) -> Option<&RustItems> {
        self.parsed.get(file).map(|(_, items)| items)
    }

    fn text(&self, file: &str) -> &str {
        self.parsed
            .get(file)
            .map_or("", |(source, _)| source.text.as_ref())
    }

    /// Reads the module trees from the crate roots' `mod` declarations.
    fn discover(&mut self, crates: &BTreeMap<String, Crate>) {
        let before = &self.layout.before;
        let mut queue: std::collections::VecDeque<Module> = crates
            .keys()
            .map(|root| Module {
                key: Key::root(root),
                file: root.clone(),
                decl: None,
                parent: None,
                irregular: false,
            })
            .collect();
        for (root, info) in crates {
            self.before_view.add_crate(root, info.clone());
        }
        let mut seen: HashSet<Key> = HashSet::new();
        while let Some(module) = queue.pop_front() {
            if !seen.insert(module.key.clone()) {
                continue;
            }
            let index = self.modules.len();
            self.index.insert(module.key.clone(), index);
            self.before_view
                .modules
                .insert(module.key.clone(), module.file.clone());
            let is_root = module.key.path.is_empty();
            let file = module.file.clone();
            let key = module.key.clone();
            self.modules.push(module);
            let Some(items) = self.items(&file) else {
                continue;
            };
            for (position, declared) in items.mods.iter().enumerate() {
                if declared.inline {
                    continue;
                }
                let child_file = if let Some(path) = &declared.path_attribute {
                    normalize(&join(parent(&file), path))
                } else {
                    let dir = join(&children_dir(&file, is_root), &declared.scope.join("/"));
                    [
                        join(&dir, &format!("{}.rs", declared.name)),
                        join(&dir, &format!("{}/mod.rs", declared.name)),
                    ]
                    .into_iter()
                    .find(|candidate| before.is_file(candidate))
                };
                let Some(child_file) = child_file.filter(|f| before.is_file(f)) else {
                    continue;
                };
                let mut child_key = key.extended(&declared.scope);
                child_key.path.push(declared.name.clone());
                queue.push_back(Module {
                    key: child_key,
                    file: child_file,
                    decl: Some(Decl {
                        file: file.clone(),
                        index: position,
                    }),
                    parent: Some(index),
                    irregular: declared.path_attribute.is_some() || !declared.scope.is_empty(),
                });
            }
        }
        let mod_rs = self
            .modules
            .iter()
            .filter(|m| !m.key.path.is_empty() && file_name(&m.file) == "mod.rs")
            .count();
        let parents: HashSet<usize> = self.modules.iter().filter_map(|m| m.parent).collect();
        let beside = self
            .modules
            .iter()
            .enumerate()
            .filter(|(i, m)| {
                !m.key.path.is_empty() && file_name(&m.file) != "mod.rs" && parents.contains(i)
            })
            .count();
        for (index, module) in self.modules.iter().enumerate() {
            self.by_file.entry(module.file.clone()).or_insert(index);
        }
        self.mod_rs = mod_rs > 0 || beside == 0;
    }

    /// Where each module is after the moves, and the module trees after them.
    fn locate(&mut self, crates: &BTreeMap<String, Crate>) {
        let layout = self.layout;
        let mut after_view = View::default();
        for (root, info) in crates {
            if !layout.moves_file(root) {
                after_view.add_crate(root, info.clone());
            }
        }
        let mut shifted = vec![false; self.modules.len()];
        let mut after = Vec::with_capacity(self.modules.len());
        for (index, module) in self.modules.iter().enumerate() {
            let moved = layout.moves_file(&module.file);
            shifted[index] = moved || module.parent.is_some_and(|p| shifted[p]);
            let info = &crates[&module.key.root];
            let fate = if !shifted[index] {
                After::Same
            } else if module.irregular {
                After::Lost(
                    "it is declared with `#[path]` or inside an inline module, so its place in the module tree is not its file's".to_owned(),
                )
            } else {
                let is_root = module.key.path.is_empty();
                self.place(
                    layout.new_path(&module.file),
                    &module.key.root,
                    is_root,
                    info,
                    &mut after_view,
                )
            };
            let key = match &fate {
                After::Same => Some(Key {
                    root: layout.new_path(&module.key.root).to_owned(),
                    path: module.key.path.clone(),
                }),
                After::At(key) => Some(key.clone()),
                After::Lost(_) => None,
            };
            if let Some(key) = key {
                after_view
                    .modules
                    .insert(key, layout.new_path(&module.file).to_owned());
            }
            after.push(fate);
        }
        self.after = after;
        self.after_view = after_view;
    }

    /// The module path of module file `file` (after the moves) of crate `root`.
    fn place(
        &self,
        file: &str,
        root: &str,
        is_root: bool,
        info: &Crate,
        after_view: &mut View,
    ) -> After {
        let layout = self.layout;
        let package = info.package.as_str();
        let test_crate = |root: &str, view: &mut View| {
            view.add_crate(
                root,
                Crate {
                    package: package.to_owned(),
                    lib: false,
                    lib_name: info.lib_name.clone(),
                },
            );
        };
        if is_root_location(package, file) {
            test_crate(file, after_view);
            return After::At(Key::root(file));
        }
        let new_root = layout.new_path(root);
        let dir = parent(new_root);
        let shared_src = matches!(file_name(new_root), "lib.rs" | "main.rs");
        if !is_root && is_within(file, dir) && !(shared_src && is_within(file, &join(dir, "bin"))) {
            return match location_path(dir, file) {
                Some(path) => After::At(Key {
                    root: new_root.to_owned(),
                    path,
                }),
                None => After::Lost("its new place is not a valid module path (a folder or file name that is not a Rust identifier)".to_owned()),
            };
        }
        let tests = join(package, "tests");
        if is_within(file, &tests) {
            let inside = &file[tests.len() + usize::from(!tests.is_empty())..];
            if let Some((name, _)) = inside.split_once('/') {
                let test_dir = join(&tests, name);
                let test_root = join(&test_dir, "main.rs");
                if let Some(path) = location_path(&test_dir, file) {
                    if !after_view.crates.contains_key(&test_root) {
                        test_crate(&test_root, after_view);
                    }
                    return After::At(Key {
                        root: test_root,
                        path,
                    });
                }
            }
        }
        After::Lost(format!(
            "it moves out of the source folder of its crate ({})",
            if dir.is_empty() {
                "the repository root"
            } else {
                dir
            }
        ))
    }

    /// The module file a module of the after tree is in: `(path after the moves, created)`.
    fn file_after(&self, key: &Key) -> Option<&String> {
        self.after_view.modules.get(key)
    }

    /// Where a new module file for `key` goes.
    fn new_module_file(&self, key: &Key) -> String {
        if key.path.is_empty() {
            return key.root.clone();
        }
        let dir = parent(&key.root);
        if self.mod_rs {
            join(&join(dir, &key.path.join("/")), "mod.rs")
        } else {
            let Some((last, rest)) = key.path.split_last() else {
                return key.root.clone();
            };
            join(&join(dir, &rest.join("/")), &format!("{last}.rs"))
        }
    }

    /// Moves `mod` declarations, declares new folders, creates their module files.
    fn declare(&mut self, edits: &mut HashMap<String, FileEdits>, out: &mut Output) {
        let layout = self.layout;
        let mut pending: BTreeMap<Key, BTreeSet<NewDecl>> = BTreeMap::new();
        let mut deleted: HashSet<(String, usize)> = HashSet::new();
        for (index, module) in self.modules.iter().enumerate() {
            let fate = &self.after[index];
            let key = match fate {
                After::Same => continue,
                After::Lost(why) => {
                    if layout.moves_file(&module.file) {
                        edits
                            .entry(module.file.clone())
                            .or_insert_with(|| FileEdits::new(&module.file))
                            .unresolved(1, module.file.clone(), format!("squarely cannot move this module: {why}; move it and fix its `mod` declaration by hand"));
                    }
                    continue;
                }
                After::At(key) => key,
            };
            let old_decl = module
                .decl
                .as_ref()
                .and_then(|d| Some((d, self.items(&d.file)?.mods.get(d.index)?)));
            let Some((new_name, new_parent)) = key.path.last().zip(key.parent()) else {
                // A crate root now: its old declaration goes.
                if let Some((decl, declared)) = old_decl {
                    self.delete_decl(decl, declared, edits, &mut deleted);
                }
                continue;
            };
            if let Some((decl, declared)) = old_decl {
                let same_parent = self
                    .file_after(&new_parent)
                    .is_some_and(|f| f == layout.new_path(&decl.file))
                    && declared.scope.is_empty();
                if same_parent {
                    if declared.name != *new_name {
                        edits
                            .entry(decl.file.clone())
                            .or_insert_with(|| FileEdits::new(&decl.file))
                            .replace(declared.name_span, new_name.clone(), declared.item);
                    }
                    continue;
                }
                self.delete_decl(decl, declared, edits, &mut deleted);
            }
            let parent_is_root = new_parent.path.is_empty();
            let visibility = match old_decl.and_then(|(_, d)| d.visibility.clone()) {
                Some(v) if v == "pub" || v == "pub(crate)" => Some(v),
                _ if parent_is_root => None,
                _ => Some("pub(crate)".to_owned()),
            };
            let attributes = old_decl
                .map(|(_, d)| d.attributes.clone())
                .unwrap_or_default();
            pending.entry(new_parent).or_default().insert(NewDecl {
                name: new_name.clone(),
                visibility,
                attributes,
            });
        }
        // Parents that do not exist yet are created, and declared in their own parents.
        let mut created: BTreeMap<Key, String> = BTreeMap::new();
        loop {
            let missing: Vec<Key> = pending
                .keys()
                .filter(|key| {
                    !created.contains_key(*key)
                        && self
                            .file_after(key)
                            .is_none_or(|file| !layout.after.is_file(file))
                })
                .cloned()
                .collect();
            if missing.is_empty() {
                break;
            }
            for key in missing {
                let file = self.new_module_file(&key);
                if layout.after.is_file(&file) && !key.path.is_empty() {
                    let reason = format!(
                        "`{file}` is needed as a module file, but a file no crate declares is already there: declare it, or move it away, by hand"
                    );
                    out.unresolved.push(crate::organize::model::Unresolved {
                        path: file.clone(),
                        line: 1,
                        text: file.clone(),
                        why: reason,
                    });
                }
                created.insert(key.clone(), file.clone());
                self.after_view.modules.insert(key.clone(), file);
                if let Some((name, grand)) = key.path.last().zip(key.parent()) {
                    let public = pending.get(&key).is_some_and(|decls| {
                        decls.iter().any(|d| d.visibility.as_deref() == Some("pub"))
                    });
                    let visibility = if public {
                        Some("pub".to_owned())
                    } else if grand.path.is_empty() {
                        None
                    } else {
                        Some("pub(crate)".to_owned())
                    };
                    pending.entry(grand).or_default().insert(NewDecl {
                        name: name.clone(),
                        visibility,
                        attributes: Vec::new(),
                    });
                }
            }
        }
        for (key, decls) in pending {
            if let Some(file) = created.get(&key) {
                // A file two crates share (a module of both `lib.rs` and `main.rs`) gets the
                // declarations of both.
                let mut lines: BTreeSet<String> = out
                    .created
                    .get(file)
                    .map(|text| text.lines().map(str::to_owned).collect())
                    .unwrap_or_default();
                lines.extend(decls.iter().map(|decl| decl.render("", "\n")));
                let text: String = lines.into_iter().map(|line| line + "\n").collect();
                out.created.insert(file.clone(), text);
                continue;
            }
            let Some(file) = self.file_after(&key).cloned() else {
                continue;
            };
            let Some(old) = layout.old_path(&file).map(str::to_owned) else {
                continue;
            };
            let file_edits = edits
                .entry(old.clone())
                .or_insert_with(|| FileEdits::new(&old));
            for decl in decls {
                self.insert_decl(&old, &decl, &deleted, file_edits);
            }
        }
    }

    /// Reports moved Rust files of a package that no `mod` declaration squarely can read
    /// declares (a macro's, or none): their declarations are not followed.
    fn report_undeclared(
        &self,
        crates: &BTreeMap<String, Crate>,
        edits: &mut HashMap<String, FileEdits>,
    ) {
        let packages: BTreeSet<&str> = crates.values().map(|c| c.package.as_str()).collect();
        for (from, to) in self.layout.moves() {
            if !is_rust(from) || self.by_file.contains_key(from) {
                continue;
            }
            let inside = packages.iter().any(|package| {
                (is_within(from, package) || is_within(to, package))
                    && !is_root_location(package, to)
                    && !is_root_location(package, from)
            });
            if inside {
                edits
                    .entry(from.to_owned())
                    .or_insert_with(|| FileEdits::new(from))
                    .unresolved(
                        1,
                        from,
                        "no `mod` declaration squarely can read declares this file (a macro's, or none), so its declaration is not moved: check it by hand",
                    );
            }
        }
    }

    /// Takes a `mod` declaration out of its file, attributes and doc comments with it.
    fn delete_decl(
        &self,
        decl: &Decl,
        declared: &RustMod,
        edits: &mut HashMap<String, FileEdits>,
        deleted: &mut HashSet<(String, usize)>,
    ) {
        let text = self.text(&decl.file);
        edits
            .entry(decl.file.clone())
            .or_insert_with(|| FileEdits::new(&decl.file))
            .delete(text, declared.span, declared.span);
        deleted.insert((decl.file.clone(), decl.index));
    }

    /// Adds `decl` to the existing module file `old` (path before the moves): in its sorted
    /// place among a group of declarations, else after the last declaration, else where a
    /// declaration that leaves the file was, after the last `use`, or after the file's header.
    fn insert_decl(
        &self,
        old: &str,
        decl: &NewDecl,
        deleted: &HashSet<(String, usize)>,
        edits: &mut FileEdits,
    ) {
        let text = self.text(old);
        let nl = newline(text);
        let Some(items) = self.items(old) else {
            return;
        };
        let declared: Vec<&RustMod> = items
            .mods
            .iter()
            .enumerate()
            .filter(|(i, m)| m.top_level && !m.inline && !deleted.contains(&(old.to_owned(), *i)))
            .map(|(_, m)| m)
            .collect();
        if let Some(last) = declared.last() {
            // The last group of declarations on consecutive lines.
            let mut group = vec![*last];
            for previous in declared.iter().rev().skip(1) {
                let gap = text
                    .get(previous.span.end..group[0].span.start)
                    .unwrap_or("");
                if gap.trim().is_empty() && gap.matches('\n').count() <= 1 {
                    group.insert(0, previous);
                } else {
                    break;
                }
            }
            let sorted = group.windows(2).all(|w| w[0].name <= w[1].name);
            let indent = indentation(text, last.span.start).unwrap_or("");
            let before = group.iter().find(|m| sorted && m.name > decl.name);
            match before {
                Some(next) => edits.insert(
                    next.span.start,
                    format!("{}{nl}{indent}", decl.render(indent, nl)),
                    Span {
                        start: next.span.start,
                        end: next.span.start,
                    },
                ),
                None => edits.insert(
                    last.span.end,
                    format!("{nl}{indent}{}", decl.render(indent, nl)),
                    Span {
                        start: last.span.end,
                        end: last.span.end,
                    },
                ),
            }
            return;
        }
        // Where a declaration that leaves this file was.
        let taken = items
            .mods
            .iter()
            .enumerate()
            .find(|(i, m)| m.top_level && !m.inline && deleted.contains(&(old.to_owned(), *i)));
        if let Some((_, taken)) = taken {
            let at = super::edit::whole_lines(text, taken.span).start;
            edits.insert(
                at,
                format!("{}{nl}", decl.render("", nl)),
                Span { start: at, end: at },
            );
            return;
        }
        if let Some(last_use) = items.uses.iter().rfind(|u| u.top_level) {
            let at = last_use.span.end;
            edits.insert(
                at,
                format!("{nl}{}", decl.render("", nl)),
                Span { start: at, end: at },
            );
            return;
        }
        let mut at = items.header_end;
        if at > 0 && !text[..at].ends_with('\n') {
            at = text[at..].find('\n').map_or(text.len(), |i| at + i + 1);
        }
        edits.insert(
            at,
            format!("{}{nl}", decl.render("", nl)),
            Span { start: at, end: at },
        );
    }

    /// The module of the site `file` (before, after), for paths written in inline `scope`.
    fn sites(&self, file: &str, scope: &[String]) -> Option<(Key, Key)> {
        let index = *self.by_file.get(file)?;
        let module = &self.modules[index];
        let after = match &self.after[index] {
            After::Same => Key {
                root: self.layout.new_path(&module.key.root).to_owned(),
                path: module.key.path.clone(),
            },
            After::At(key) => key.clone(),
            After::Lost(_) => return None,
        };
        Some((module.key.extended(scope), after.extended(scope)))
    }

    /// Where what `key` (before the moves) names is after them; `Err` with the reason when
    /// the module tree cannot follow.
    fn follow(&self, key: &Key) -> Result<Key, String> {
        let (module, rest) = self.before_view.split(key);
        let Some(&index) = self.index.get(&module) else {
            return Ok(key.clone());
        };
        match &self.after[index] {
            After::Same => Ok(Key {
                root: self.layout.new_path(&module.root).to_owned(),
                path: module.path,
            }
            .extended(&rest)),
            After::At(new) => Ok(new.extended(&rest)),
            After::Lost(why) => Err(why.clone()),
        }
    }

    /// The new spelling of path `segments` written at `site`, when it must change.
    fn respell(
        &self,
        sites: &(Key, Key),
        segments: &[String],
    ) -> Option<Result<Vec<String>, String>> {
        let (style, old) = self.before_view.absolute(&sites.0, segments)?;
        let expected = match self.follow(&old) {
            Ok(expected) => expected,
            Err(why) => return Some(Err(why)),
        };
        let still = self
            .after_view
            .absolute(&sites.1, segments)
            .is_some_and(|(_, key)| key == expected);
        if still {
            return None;
        }
        Some(
            self.after_view
                .spell(&sites.1, &expected, style)
                .ok_or_else(|| "what it names moves to a crate this file cannot name".to_owned()),
        )
    }

    fn rewrite_file(&self, old: &str) -> Option<FileEdits> {
        let (source, items) = self.parsed.get(old)?;
        let text = source.text.as_ref();
        let mut edits = FileEdits::new(old);
        for declaration in &items.uses {
            let Some(sites) = self.sites(old, &declaration.scope) else {
                continue;
            };
            self.rewrite_use(text, &sites, declaration, &mut edits);
        }
        let mut bindings: HashMap<&[String], HashMap<String, Vec<String>>> = HashMap::new();
        // Per scope and bound name: (paths through it, paths respelled past it).
        let mut through_binding: HashMap<(&[String], &str), (usize, usize)> = HashMap::new();
        for path in &items.paths {
            let Some(sites) = self.sites(old, &path.scope) else {
                continue;
            };
            // A path whose first segment a `use` binds (`use crate::controllers;` then
            // `controllers::notes::routes()`) is followed through that `use`.
            let respelled = self.respell(&sites, &path.segments).or_else(|| {
                let bound = bindings
                    .entry(path.scope.as_slice())
                    .or_insert_with(|| use_bindings(&items.uses, &path.scope));
                let (first, rest) = path.segments.split_first()?;
                let through = bound.get(first)?;
                // When what the `use` names moves, the `use` is respelled with its binding
                // kept (`use crate::modules::users::models as user;`): the path still works.
                if self.respell(&sites, through).is_some() {
                    return None;
                }
                let mut expanded = through.clone();
                expanded.extend(rest.iter().cloned());
                self.respell(&sites, &expanded)
            });
            if let Some(first) = path.segments.first().filter(|_| path.segments.len() > 1) {
                let count = through_binding
                    .entry((path.scope.as_slice(), first.as_str()))
                    .or_default();
                count.0 += 1;
                count.1 += usize::from(matches!(respelled, Some(Ok(_))));
            }
            match respelled {
                // `controllers::pages::routes()` in `app.rs`, `super::_entities` in a moved
                // file: the path is respelled like a `use` path.
                Some(Ok(new)) => edits.replace(path.span, new.join("::"), path.span),
                Some(Err(why)) => edits.unresolved(
                    path.line,
                    path.segments.join("::"),
                    format!("this path in code names a module squarely cannot move: {why}"),
                ),
                None => {}
            }
        }
        // A `use` of a module every path through which was respelled in full is dropped: left,
        // it is an unused import (a warning, an error under `clippy -D warnings`).
        for declaration in &items.uses {
            let UseTree::Path {
                segments, alias, ..
            } = &declaration.tree
            else {
                continue;
            };
            let Some(bound) = alias.as_ref().or(segments.last()) else {
                continue;
            };
            let Some(&(paths, respelled)) =
                through_binding.get(&(declaration.scope.as_slice(), bound.as_str()))
            else {
                continue;
            };
            let names_module = self
                .sites(old, &declaration.scope)
                .and_then(|sites| self.before_view.absolute(&sites.0, segments))
                .is_some_and(|(_, key)| self.index.contains_key(&key));
            if declaration.top_level
                && declaration.visibility.is_none()
                && declaration.attributes.is_empty()
                && names_module
                && paths > 0
                && respelled == paths
                && mentions(text, bound, declaration.span) == respelled
                && !edits.touches(declaration.span)
            {
                edits.delete_statement(text, declaration.span, declaration.span);
            }
        }
        let moved = self.layout.moves_file(old);
        for include in &items.includes {
            let Some(target) = normalize(&join(parent(old), &include.content)) else {
                continue;
            };
            let new_target = self.layout.new_path(&target);
            let reaches = normalize(&join(parent(self.layout.new_path(old)), &include.content));
            if (moved || self.layout.moves_file(&target)) && reaches.as_deref() != Some(new_target)
            {
                edits.unresolved(
                    include.line,
                    include.content.clone(),
                    format!("this file path is relative to the file; after the moves it must reach `{new_target}`: change it by hand"),
                );
            }
        }
        if let Some(&index) = self.by_file.get(old) {
            let module = &self.modules[index];
            let changes_parent = match &self.after[index] {
                After::At(key) => {
                    key.parent()
                        != module.key.parent().map(|p| Key {
                            root: self.layout.new_path(&p.root).to_owned(),
                            path: p.path,
                        })
                }
                _ => false,
            };
            if changes_parent {
                for note in &items.restricted {
                    edits.unresolved(note.line, note.text.clone(), "this visibility is relative to where the module is, and the module moves: check it by hand");
                }
            }
        }
        for declared in &items.mods {
            if let Some(path) = &declared.path_attribute {
                let target = normalize(&join(parent(old), path)).unwrap_or_default();
                if moved || self.layout.moves_file(&target) {
                    edits.unresolved(
                        declared.line,
                        format!("#[path = \"{path}\"] mod {};", declared.name),
                        "a `#[path]` module's file is named relative to this file: check it by hand after the moves",
                    );
                }
            }
        }
        (!edits.is_empty()).then_some(edits)
    }

    /// Rewrites the paths of one `use` declaration that reach moved modules.
    fn rewrite_use(
        &self,
        text: &str,
        sites: &(Key, Key),
        declaration: &RustUse,
        edits: &mut FileEdits,
    ) {
        let mut planner = UsePlanner {
            rust: self,
            text,
            sites,
            split: Vec::new(),
            failures: Vec::new(),
            replacements: Vec::new(),
        };
        let removed = planner.plan(&declaration.tree, &[]);
        let UsePlanner {
            split,
            failures,
            replacements,
            ..
        } = planner;
        let written = declaration.span.text(text).to_owned();
        for why in failures {
            edits.unresolved(declaration.line, written.clone(), why);
        }
        let group = declaration.span;
        let nl = newline(text);
        let indent = indentation(text, declaration.span.start).unwrap_or("");
        let prefix = |with_attributes: bool| {
            let mut prefix = String::new();
            if with_attributes {
                for attribute in &declaration.attributes {
                    prefix.push_str(attribute);
                    prefix.push_str(nl);
                    prefix.push_str(indent);
                }
            }
            if let Some(visibility) = &declaration.visibility {
                prefix.push_str(visibility);
                prefix.push(' ');
            }
            prefix
        };
        if removed {
            let joined: Vec<String> = split
                .iter()
                .enumerate()
                .map(|(i, path)| format!("{}use {path};", prefix(i > 0)))
                .collect();
            edits.replace(
                declaration.span,
                joined.join(&format!("{nl}{indent}")),
                group,
            );
            return;
        }
        for (span, replacement, delete) in replacements {
            if delete {
                edits.delete(text, span, group);
            } else {
                edits.replace(span, replacement, group);
            }
        }
        for path in split {
            edits.insert(
                declaration.span.end,
                format!("{nl}{indent}{}use {path};", prefix(true)),
                group,
            );
        }
        // Globs of a module whose children moved out.
        self.check_globs(&declaration.tree, &[], sites, declaration, text, edits);
    }

    /// Reports glob imports of a module some child modules of which moved elsewhere.
    fn check_globs(
        &self,
        tree: &UseTree,
        outer: &[String],
        sites: &(Key, Key),
        declaration: &RustUse,
        text: &str,
        edits: &mut FileEdits,
    ) {
        match tree {
            UseTree::Glob { segments, .. } => {
                let mut full = outer.to_vec();
                full.extend(segments.iter().cloned());
                let Some((_, key)) = self.before_view.absolute(&sites.0, &full) else {
                    return;
                };
                let Some(&index) = self.index.get(&key) else {
                    return;
                };
                let Ok(new_key) = self.follow(&key) else {
                    return;
                };
                let gone: Vec<&str> = self
                    .modules
                    .iter()
                    .enumerate()
                    .filter(|(_, m)| m.parent == Some(index))
                    .filter(|(i, _)| match &self.after[*i] {
                        After::At(k) => k.parent().as_ref() != Some(&new_key),
                        After::Lost(_) => true,
                        After::Same => false,
                    })
                    .filter_map(|(_, m)| m.key.path.last().map(String::as_str))
                    .collect();
                if !gone.is_empty() {
                    edits.unresolved(
                        declaration.line,
                        declaration.span.text(text).to_owned(),
                        format!("this glob import brought in the modules {}, which move elsewhere: import them by their new paths by hand", gone.iter().map(|g| format!("`{g}`")).collect::<Vec<_>>().join(", ")),
                    );
                }
            }
            UseTree::List {
                segments, items, ..
            } => {
                let mut full = outer.to_vec();
                full.extend(segments.iter().cloned());
                for item in items {
                    self.check_globs(&item.tree, &full, sites, declaration, text, edits);
                }
            }
            UseTree::Path { .. } | UseTree::Other { .. } => {}
        }
    }
}

/// How many times `word` starts a path in `text` outside `except`: a whole identifier not
/// after `::` (comments and strings included: a miss only keeps a `use`).
fn mentions(text: &str, word: &str, except: Span) -> usize {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    text.match_indices(word)
        .filter(|(at, _)| {
            let head = &text[..*at];
            let before = head.chars().next_back();
            let after = text[at + word.len()..].chars().next();
            !before.is_some_and(ident)
                && !after.is_some_and(ident)
                && !head.trim_end().ends_with("::")
                && !(except.start..except.end).contains(at)
        })
        .count()
}

/// The names the `use` declarations of inline-module `scope` bind, with the path each names
/// as written: `use crate::{controllers, models::x as y};` binds `controllers` and `y`.
fn use_bindings(uses: &[RustUse], scope: &[String]) -> HashMap<String, Vec<String>> {
    let mut out = HashMap::new();
    for declaration in uses.iter().filter(|u| u.scope.as_slice() == scope) {
        uses::each_leaf(&declaration.tree, &[], &mut |written, _, glob, alias| {
            let bound = alias.or_else(|| written.last().cloned());
            if let Some(bound) = bound.filter(|b| !glob && b != "self" && b != "_") {
                out.insert(bound, written);
            }
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{Case, check};

    #[test]
    fn rust_modules_and_use_paths_follow_moved_files() {
        let cases = [
            Case {
                name: "a model moved into a new domain module tree",
                files: &[
                    (
                        "Cargo.toml",
                        "[package]\nname = \"my-service\"\nversion = \"0.1.0\"\n",
                    ),
                    (
                        "src/lib.rs",
                        "//! My service.\n\npub mod handlers;\npub mod models;\n\npub use models::user::User;\n",
                    ),
                    ("src/models/mod.rs", "pub mod post;\npub mod user;\n"),
                    (
                        "src/models/post.rs",
                        "use super::user::User;\n\npub struct Post {\n    pub author: User,\n}\n",
                    ),
                    (
                        "src/models/user.rs",
                        "use crate::models::post::Post;\n\npub struct User;\n\n#[cfg(test)]\nmod tests {\n    use super::*;\n}\n",
                    ),
                    (
                        "src/handlers.rs",
                        "use crate::models::user::User;\nuse crate::models::{post::Post, user};\n\n// use crate::models::user::User;\npub fn list() -> Vec<User> {\n    user::all()\n}\n",
                    ),
                    (
                        "tests/api.rs",
                        "use my_service::models::user::User;\n\n#[test]\nfn it_works() {\n    let _ = User;\n}\n",
                    ),
                ],
                moves: &[("src/models/user.rs", "src/modules/users/models.rs")],
                edits: &[
                    (
                        "src/handlers.rs",
                        "use crate::modules::users::models::User;\nuse crate::models::{post::Post};\nuse crate::modules::users::models as user;\n\n// use crate::models::user::User;\npub fn list() -> Vec<User> {\n    user::all()\n}\n",
                    ),
                    (
                        "src/lib.rs",
                        "//! My service.\n\npub mod handlers;\npub mod models;\npub mod modules;\n\npub use modules::users::models::User;\n",
                    ),
                    ("src/models/mod.rs", "pub mod post;\n"),
                    (
                        "src/models/post.rs",
                        "use crate::modules::users::models::User;\n\npub struct Post {\n    pub author: User,\n}\n",
                    ),
                    (
                        "tests/api.rs",
                        "use my_service::modules::users::models::User;\n\n#[test]\nfn it_works() {\n    let _ = User;\n}\n",
                    ),
                ],
                created: &[
                    ("src/modules/mod.rs", "pub mod users;\n"),
                    ("src/modules/users/mod.rs", "pub mod models;\n"),
                ],
                unresolved: &[],
            },
            Case {
                name: "name.rs style, a rename in place, relative paths kept, a group moved whole",
                files: &[
                    ("src/main.rs", "mod db;\nmod routes;\n\nfn main() {}\n"),
                    ("src/db.rs", "pub mod pool;\n"),
                    ("src/db/pool.rs", "pub struct Pool;\n"),
                    ("src/routes.rs", "mod health;\nmod users;\n"),
                    (
                        "src/routes/health.rs",
                        "use super::super::db::pool::Pool;\n",
                    ),
                    (
                        "src/routes/users.rs",
                        "use super::health;\nuse crate::db::pool::{self, Pool};\n",
                    ),
                ],
                moves: &[
                    ("src/routes/users.rs", "src/routes/accounts.rs"),
                    ("src/db/pool.rs", "src/db/conn/pool.rs"),
                ],
                edits: &[
                    ("src/db.rs", "pub mod conn;\n"),
                    ("src/routes.rs", "mod health;\nmod accounts;\n"),
                    (
                        "src/routes/accounts.rs",
                        "use super::health;\nuse crate::db::conn::pool::{self, Pool};\n",
                    ),
                    (
                        "src/routes/health.rs",
                        "use super::super::db::conn::pool::Pool;\n",
                    ),
                ],
                created: &[("src/db/conn.rs", "pub mod pool;\n")],
                unresolved: &[],
            },
            Case {
                name: "a unit test moved to an integration test crate, a test moved into a folder",
                files: &[
                    ("Cargo.toml", "[package]\nname = \"svc\"\n"),
                    (
                        "src/lib.rs",
                        "pub mod config;\n\n#[cfg(test)]\nmod api_test;\n",
                    ),
                    ("src/config.rs", "pub fn load() {}\n"),
                    (
                        "src/api_test.rs",
                        "use crate::config::load;\nuse super::config;\n\n#[test]\nfn loads() {\n    load();\n    config::load();\n}\n",
                    ),
                    (
                        "tests/smoke.rs",
                        "use svc::config::load;\n\n#[test]\nfn smoke() {\n    load();\n}\n",
                    ),
                ],
                moves: &[
                    ("src/api_test.rs", "tests/integration/api_test.rs"),
                    ("tests/smoke.rs", "tests/e2e/smoke.rs"),
                ],
                edits: &[
                    ("src/lib.rs", "pub mod config;\n\n"),
                    (
                        "tests/integration/api_test.rs",
                        "use svc::config::load;\nuse svc::config;\n\n#[test]\nfn loads() {\n    load();\n    config::load();\n}\n",
                    ),
                ],
                created: &[
                    ("tests/e2e/main.rs", "mod smoke;\n"),
                    ("tests/integration/main.rs", "#[cfg(test)]\nmod api_test;\n"),
                ],
                unresolved: &[],
            },
            Case {
                name: "paths in code are respelled; include!, pub(super) and globs are reported",
                files: &[
                    (
                        "src/main.rs",
                        "mod a;\nmod b;\n#[path = \"gen/out.rs\"]\nmod generated;\n\nfn main() { a::run(); crate::b::x::f(); }\n",
                    ),
                    (
                        "src/a.rs",
                        "pub fn run() {}\npub(super) fn helper() {}\nconst T: &str = include_str!(\"../assets/t.txt\");\n",
                    ),
                    ("src/b/mod.rs", "pub mod x;\npub mod y;\n"),
                    ("src/b/x.rs", "pub fn f() {}\n"),
                    ("src/b/y.rs", "use super::*;\n"),
                    ("src/gen/out.rs", ""),
                    ("assets/t.txt", ""),
                ],
                moves: &[("src/a.rs", "src/core/a.rs"), ("src/b/x.rs", "src/c/x.rs")],
                edits: &[
                    ("src/b/mod.rs", "pub mod y;\n"),
                    (
                        "src/main.rs",
                        "mod b;\npub mod c;\nmod core;\n#[path = \"gen/out.rs\"]\nmod generated;\n\nfn main() { core::a::run(); crate::c::x::f(); }\n",
                    ),
                ],
                created: &[
                    ("src/c/mod.rs", "pub mod x;\n"),
                    ("src/core/mod.rs", "pub(crate) mod a;\n"),
                ],
                unresolved: &[("src/a.rs", 2), ("src/a.rs", 3), ("src/b/y.rs", 1)],
            },
            Case {
                name: "a module folder moved whole: renamed in place, a use group moved together",
                files: &[
                    ("src/lib.rs", "pub mod models;\npub mod api;\n"),
                    ("src/models/mod.rs", "pub mod user;\n"),
                    ("src/models/user.rs", "pub mod helpers;\npub struct User;\n"),
                    ("src/models/user/helpers.rs", "pub fn h() {}\n"),
                    (
                        "src/api.rs",
                        "use crate::models::user::{helpers::h, User};\n",
                    ),
                ],
                moves: &[
                    ("src/models/mod.rs", "src/db/mod.rs"),
                    ("src/models/user.rs", "src/db/user.rs"),
                    ("src/models/user/helpers.rs", "src/db/user/helpers.rs"),
                ],
                edits: &[
                    ("src/api.rs", "use crate::db::user::{helpers::h, User};\n"),
                    ("src/lib.rs", "pub mod db;\npub mod api;\n"),
                ],
                created: &[],
                unresolved: &[],
            },
            Case {
                name: "CRLF line endings are kept in inserted lines",
                files: &[
                    ("src/main.rs", "mod a;\r\nmod b;\r\n\r\nfn main() {}\r\n"),
                    ("src/a.rs", ""),
                    ("src/b.rs", "use crate::a;\r\n"),
                ],
                moves: &[("src/a.rs", "src/x/a.rs")],
                edits: &[
                    ("src/b.rs", "use crate::x::a;\r\n"),
                    ("src/main.rs", "mod b;\r\nmod x;\r\n\r\nfn main() {}\r\n"),
                ],
                created: &[("src/x/mod.rs", "pub(crate) mod a;\n")],
                unresolved: &[],
            },
            Case {
                name: "a path in code through a `use` (Loco's `controllers::notes::routes()`)",
                files: &[
                    ("src/lib.rs", "pub mod app;\npub mod controllers;\n"),
                    (
                        "src/app.rs",
                        "use crate::controllers;\n\npub fn routes() -> u8 {\n    controllers::notes::routes()\n}\n",
                    ),
                    ("src/controllers/mod.rs", "pub mod notes;\n"),
                    (
                        "src/controllers/notes.rs",
                        "pub fn routes() -> u8 {\n    1\n}\n",
                    ),
                ],
                moves: &[("src/controllers/notes.rs", "src/modules/notes/handlers.rs")],
                edits: &[
                    (
                        "src/app.rs",
                        // The `use` every path through which is respelled goes with its
                        // blank line: nothing left unused, nothing for rustfmt.
                        "pub fn routes() -> u8 {\n    crate::modules::notes::handlers::routes()\n}\n",
                    ),
                    ("src/controllers/mod.rs", ""),
                    (
                        "src/lib.rs",
                        "pub mod app;\npub mod controllers;\npub mod modules;\n",
                    ),
                ],
                created: &[
                    ("src/modules/mod.rs", "pub mod notes;\n"),
                    ("src/modules/notes/mod.rs", "pub mod handlers;\n"),
                ],
                unresolved: &[],
            },
            Case {
                name: "a module both crates of a package declare; a file no declaration names",
                files: &[
                    (
                        "src/lib.rs",
                        "mod util;\npub fn f() -> u8 { util::one() }\n",
                    ),
                    ("src/main.rs", "mod util;\nfn main() { util::one(); }\n"),
                    ("src/util.rs", "pub fn one() -> u8 { 1 }\n"),
                    ("src/plat.rs", ""),
                ],
                moves: &[
                    ("src/util.rs", "src/common/util.rs"),
                    ("src/plat.rs", "src/sys/plat.rs"),
                ],
                edits: &[
                    (
                        "src/lib.rs",
                        "mod common;\npub fn f() -> u8 { common::util::one() }\n",
                    ),
                    (
                        "src/main.rs",
                        "mod common;\nfn main() { common::util::one(); }\n",
                    ),
                ],
                created: &[("src/common/mod.rs", "pub(crate) mod util;\n")],
                unresolved: &[("src/plat.rs", 1)],
            },
        ];
        check(&cases);
    }
}
