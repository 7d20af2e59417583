//! Imports follow the files: rewrite every reference a set of moves breaks.
//!
//! [`rewrite_imports`] takes the repository as it is and the file moves of a plan, and says
//! how import text must change so that every import that resolved before resolves to the same
//! code after the moves: in the files that import a moved file, and inside the moved files
//! (their own relative imports change when they move). It is pure: it reads the [`Tree`] and
//! returns values; nothing touches the disk.
//!
//! Rules shared by the languages ([`python`], [`typescript`], [`rust`]):
//!
//! * Imports are found by parsing ([`crate::analyze::spans`]), so text in comments and
//!   strings is never rewritten, and only the bytes of import statements change: formatting,
//!   comments and every other byte of a file stay as they are.
//! * An import that still resolves to the same file after the moves is left alone, byte for
//!   byte (a moved file importing a file that moved along with it, say). One that does not is
//!   written again in its own style: relative stays relative, an alias stays an alias, the
//!   quotes and extension of a specifier are kept, and every name keeps its binding.
//! * What cannot be rewritten safely is reported in [`Rewrites::unresolved`] with the reason
//!   and what to do: computed dynamic imports, strings naming moved modules or files,
//!   `include!` and `#[path]`, code (not imports) naming a moved module, files that are not
//!   valid UTF-8.
//! * Files the moves need are created ([`Rewrites::created`]): Rust module files declaring new
//!   folders, Python `__init__.py` files where the repository uses them.
//!
//! The moves are taken as given: conflicts between them (two files to one place, a target
//! that exists) are the planner's to refuse.

mod edit;
mod layout;
mod python;
mod rust;
mod typescript;

use crate::fs::Tree;

use super::model::{Move, Rewrites};

/// The edits that keep every import resolving to the same code after `moves`.
#[must_use]
pub fn rewrite_imports(tree: &Tree, moves: &[Move]) -> Rewrites {
    let layout = layout::Layout::new(tree, moves);
    if layout.is_empty() {
        return Rewrites::default();
    }
    let mut out = edit::Output::default();
    python::rewrite(&layout, &mut out);
    typescript::rewrite(&layout, &mut out);
    rust::rewrite(&layout, &mut out);
    out.finish(&layout)
}

#[cfg(test)]
mod test_support {
    //! What the per-language tests share: running the rewriter on in-memory trees, and the
    //! check that an edit changed nothing but import text.

    use crate::analyze::Language;
    use crate::analyze::spans::{Span, python_imports, rust_items, script_imports};
    use crate::fs::Tree;
    use crate::organize::model::{Move, Rewrites, TextEdit};

    use super::edit::whole_lines;
    use super::rewrite_imports;

    /// One scenario: a tree, moves, and what must come out.
    pub(super) struct Case {
        /// What the scenario is about.
        pub(super) name: &'static str,
        /// The repository: `(path, contents)`.
        pub(super) files: &'static [(&'static str, &'static str)],
        /// `(from, to)`.
        pub(super) moves: &'static [(&'static str, &'static str)],
        /// Every edited file: `(path after the moves, text after)`.
        pub(super) edits: &'static [(&'static str, &'static str)],
        /// Every created file: `(path, contents)`.
        pub(super) created: &'static [(&'static str, &'static str)],
        /// Every unresolved reference: `(path, line)`.
        pub(super) unresolved: &'static [(&'static str, u32)],
    }

    /// Runs the rewriter on `files` with `moves`.
    pub(super) fn run(files: &[(&str, &str)], moves: &[(&str, &str)]) -> Rewrites {
        let tree = Tree::from_files(files);
        let moves: Vec<Move> = moves
            .iter()
            .map(|(from, to)| Move {
                from: (*from).to_owned(),
                to: (*to).to_owned(),
            })
            .collect();
        rewrite_imports(&tree, &moves)
    }

    /// Runs every case and checks it, and that each edit changed only import text.
    pub(super) fn check(cases: &[Case]) {
        for case in cases {
            let rewrites = run(case.files, case.moves);
            let edits: Vec<(&str, &str)> = rewrites
                .edits
                .iter()
                .map(|e| (e.path.as_str(), e.after.as_str()))
                .collect();
            assert_eq!(edits, case.edits, "{}: edits", case.name);
            let created: Vec<(&str, &str)> = rewrites
                .created
                .iter()
                .map(|(p, c)| (p.as_str(), c.as_str()))
                .collect();
            assert_eq!(created, case.created, "{}: created", case.name);
            let unresolved: Vec<(&str, u32)> = rewrites
                .unresolved
                .iter()
                .map(|u| (u.path.as_str(), u.line))
                .collect();
            assert_eq!(
                unresolved, case.unresolved,
                "{}: unresolved {:#?}",
                case.name, rewrites.unresolved
            );
            for edit in &rewrites.edits {
                assert_only_imports_changed(edit, case.name);
                assert!(
                    !edit.changes.is_empty(),
                    "{}: {} lists no change",
                    case.name,
                    edit.path
                );
            }
        }
    }

    /// The import statements of a file, each widened to its whole lines when it is alone on
    /// them, and merged with neighbours on the same line separated only by blanks and `;`.
    fn import_regions(path: &str, source: &str) -> Vec<Span> {
        let mut spans: Vec<Span> = match Language::from_path(path) {
            Some(Language::Python) => {
                let imports = python_imports(source);
                imports
                    .statements
                    .iter()
                    .map(|s| s.span)
                    // Dotted names in code follow `import a.b.c` like the import does.
                    .chain(imports.dotted.iter().map(|d| d.span))
                    .collect()
            }
            Some(Language::Rust) => {
                let items = rust_items(source);
                items
                    .uses
                    .iter()
                    .map(|u| u.span)
                    .chain(items.mods.iter().filter(|m| !m.inline).map(|m| m.span))
                    // Paths in code that name modules are rewritten like imports.
                    .chain(items.paths.iter().map(|p| p.span))
                    .collect()
            }
            Some(language) => script_imports(language, source)
                .specifiers
                .iter()
                .map(|s| s.statement)
                .collect(),
            None => Vec::new(),
        };
        spans.sort();
        let mut merged: Vec<Span> = Vec::new();
        for span in spans.into_iter().map(|s| whole_lines(source, s)) {
            if let Some(last) = merged.last_mut()
                && source
                    .get(last.end..span.start)
                    .is_some_and(|gap| gap.chars().all(|c| matches!(c, ' ' | '\t' | ';')))
            {
                last.end = last.end.max(span.end);
                continue;
            }
            merged.push(span);
        }
        merged
    }

    /// `source` without its import regions.
    fn outside_imports(path: &str, source: &str) -> String {
        let mut rest = String::new();
        let mut at = 0;
        for region in import_regions(path, source) {
            rest.push_str(&source[at..region.start.max(at)]);
            at = region.end.max(at);
        }
        rest.push_str(&source[at..]);
        rest
    }

    /// Fails unless `edit` changed nothing outside import statements but blank lines (a
    /// deleted `use` takes the blank line after it).
    pub(super) fn assert_only_imports_changed(edit: &TextEdit, name: &str) {
        let code = |text: String| {
            text.lines()
                .filter(|line| !line.trim().is_empty())
                .collect::<Vec<_>>()
                .join("\n")
        };
        assert_eq!(
            code(outside_imports(&edit.original_path, &edit.before)),
            code(outside_imports(&edit.path, &edit.after)),
            "{name}: {} changed outside its imports",
            edit.path
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::fs::Tree;
    use crate::organize::model::Move;

    use super::rewrite_imports;

    /// Imports in comments, strings and docstrings look like imports but are text: they stay
    /// byte for byte, and only the real imports change.
    #[test]
    fn only_import_text_changes() {
        let decoys: [(&str, &[&str]); 3] = [
            (
                "app/main.py",
                &[
                    "# from app.a import thing",
                    "\"\"\"import app.a\"\"\"",
                    "s = 'from app.a import thing'",
                ],
            ),
            (
                "web/main.ts",
                &[
                    "// import x from './x';",
                    "const s = \"import y from './x'\";",
                    "/* require('./x') */",
                ],
            ),
            (
                "src/lib.rs",
                &[
                    "// mod a;",
                    "const S: &str = \"use crate::a::X;\";",
                    "/// use crate::a::X;",
                ],
            ),
        ];
        let files = [
            ("app/__init__.py", String::new()),
            ("app/a.py", String::new()),
            (
                "app/main.py",
                format!("{}\nfrom app import a  # real\n", decoys[0].1.join("\n")),
            ),
            ("web/x.ts", String::new()),
            (
                "web/main.ts",
                format!("{}\nimport x from './x'; // real\n", decoys[1].1.join("\n")),
            ),
            ("src/a.rs", "pub struct X;\n".to_owned()),
            (
                "src/lib.rs",
                format!("mod a;\n{}\npub use a::X;\n", decoys[2].1.join("\n")),
            ),
        ];
        let tree = Tree::from_files(&files);
        let moves = [
            ("app/a.py", "app/pkg/a.py"),
            ("web/x.ts", "web/lib/x.ts"),
            ("src/a.rs", "src/pkg/a.rs"),
        ]
        .map(|(from, to)| Move {
            from: from.to_owned(),
            to: to.to_owned(),
        });
        let rewrites = rewrite_imports(&tree, &moves);
        assert_eq!(rewrites.edits.len(), 3, "{:#?}", rewrites.edits);
        for edit in &rewrites.edits {
            super::test_support::assert_only_imports_changed(edit, "decoys");
            let (_, lines) = decoys
                .iter()
                .find(|(path, _)| *path == edit.path)
                .copied()
                .unwrap_or(("", &[]));
            for line in lines {
                assert!(edit.after.contains(line), "{}: {line} changed", edit.path);
            }
        }
        let after: Vec<&str> = rewrites.edits.iter().map(|e| e.after.as_str()).collect();
        assert!(
            after[0].ends_with("from app.pkg import a  # real\n"),
            "{}",
            after[0]
        );
        assert!(after[1].starts_with("mod pkg;\n"), "{}", after[1]);
        assert!(after[1].ends_with("pub use pkg::a::X;\n"), "{}", after[1]);
        assert!(
            after[2].ends_with("import x from './lib/x'; // real\n"),
            "{}",
            after[2]
        );
    }

    #[test]
    fn no_moves_no_rewrites() {
        let tree = Tree::from_files(&[("a.py", "import b\n"), ("b.py", "")]);
        let same = [Move {
            from: "a.py".to_owned(),
            to: "a.py".to_owned(),
        }];
        assert_eq!(rewrite_imports(&tree, &[]), super::Rewrites::default());
        assert_eq!(rewrite_imports(&tree, &same), super::Rewrites::default());
    }

    #[test]
    fn files_that_are_not_utf8_are_shown_not_rewritten() {
        let tree = Tree::from_files(&[
            ("m.py", b"# caf\xe9\nfrom app import x\n".as_slice()),
            ("app/__init__.py", b"".as_slice()),
            ("app/x.py", b"".as_slice()),
        ]);
        let moves = [Move {
            from: "app/x.py".to_owned(),
            to: "app/y/x.py".to_owned(),
        }];
        let rewrites = rewrite_imports(&tree, &moves);
        assert!(rewrites.edits.is_empty());
        let unresolved: Vec<(&str, u32, &str)> = rewrites
            .unresolved
            .iter()
            .map(|u| (u.path.as_str(), u.line, u.text.as_str()))
            .collect();
        assert_eq!(unresolved, [("m.py", 2, "from app import x")]);
        assert!(rewrites.unresolved[0].why.contains("from app.y import x"));
    }
}
