//! Python import statements with spans (read by the scanner of `analyze::pyscan`; the
//! tree-sitter-python reading below is its reference in tests).
//!
//! `import a.b as c, d` and `from ..a import (b as c, d,)` anywhere in the file (inside
//! functions and `if TYPE_CHECKING:` blocks too); `from __future__` imports are left out (they
//! never name a file). Also every plain string literal (for modules named in strings, such as
//! `importlib.import_module("app.models")` or `mock.patch("app.models.User")`), and the
//! dynamic imports whose module is computed.

#[cfg(test)]
use tree_sitter::Node;

use super::{Literal, Note, Span};
#[cfg(test)]
use super::{line, walk};
#[cfg(test)]
use crate::analyze::{Language, parse};

/// Import syntax of one Python file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PythonImports {
    /// `import` and `from ... import` statements, in source order.
    pub statements: Vec<PyStatement>,
    /// Plain string literals (no f-string substitutions), in source order.
    pub strings: Vec<Literal>,
    /// `importlib.import_module(...)` and `__import__(...)` with a computed module name.
    pub computed: Vec<Note>,
    /// Dotted names in code made of identifiers only (`a.b.c` in `a.b.c.GUID`, and the whole
    /// `a.b.c.GUID`), outside import statements: what `import a.b.c` binds is used this way.
    pub dotted: Vec<Literal>,
}

/// One `import ...` or `from ... import ...` statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PyStatement {
    /// The whole statement.
    pub span: Span,
    /// 1-based line where it starts.
    pub line: u32,
    /// The module part of a `from` import; `None` for `import a.b`.
    pub from: Option<PyFrom>,
    /// `import`: the modules; `from`: the imported names. Empty for `from m import *`.
    pub names: Vec<PyName>,
    /// `from m import *`.
    pub wildcard: bool,
}

/// `from <module> import ...`: the module, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PyFrom {
    /// Number of leading dots.
    pub level: u32,
    /// The dotted module after the dots (`""` for `from . import x`).
    pub module: String,
    /// The dots and the module (`..a.b`).
    pub span: Span,
}

/// An imported module (`import a.b as c`) or name (`from m import b as c`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PyName {
    /// The dotted name, whitespace removed.
    pub dotted: String,
    /// Where the dotted name is.
    pub span: Span,
    /// The `as` name.
    pub alias: Option<String>,
    /// The whole item, alias included.
    pub item: Span,
    /// The comma after the item, if any.
    pub comma: Option<Span>,
}

/// Reads the import syntax of a Python file (with the scanner of `analyze`, no syntax tree).
/// Never panics; a file with syntax errors gives what could be read.
#[must_use]
pub fn python_imports(source: &str) -> PythonImports {
    crate::analyze::pyscan::imports_with_spans(source)
}

/// [`python_imports`] read from the tree-sitter grammar: the reference the scanner is held
/// against in tests.
#[cfg(test)]
pub(crate) fn python_imports_tree_sitter(source: &str) -> PythonImports {
    let mut out = PythonImports::default();
    let Some(tree) = parse(Language::Python, source) else {
        return out;
    };
    walk(tree.root_node(), |node, _| match node.kind() {
        "import_statement" => {
            out.statements.push(statement(node, None, source));
            false
        }
        "import_from_statement" => {
            if let Some(from) = from_module(node, source) {
                out.statements.push(statement(node, Some(from), source));
            }
            false
        }
        "future_import_statement" => false,
        "string" => {
            if let Some(literal) = string(node, source) {
                out.strings.push(literal);
            }
            true
        }
        "call" => {
            if let Some(note) = computed_import(node, source) {
                out.computed.push(note);
            }
            true
        }
        "attribute" => {
            if is_chain(node) {
                out.dotted.push(Literal {
                    content: dotted(node, source),
                    span: Span::of(node),
                    line: line(node),
                });
            }
            true
        }
        _ => true,
    });
    out
}

#[cfg(test)]
/// Whether an `attribute` node is identifiers joined by dots (`a.b.c`), nothing else.
fn is_chain(node: Node<'_>) -> bool {
    let mut current = node;
    for _ in 0..256 {
        match current.kind() {
            "identifier" => return true,
            "attribute" => match current.child_by_field_name("object") {
                Some(object) => current = object,
                None => return false,
            },
            _ => return false,
        }
    }
    false
}

#[cfg(test)]
/// `a . b` as `a.b`.
fn dotted(node: Node<'_>, source: &str) -> String {
    Span::of(node).text(source).split_whitespace().collect()
}

#[cfg(test)]
fn from_module(node: Node<'_>, source: &str) -> Option<PyFrom> {
    let module = node.child_by_field_name("module_name")?;
    let mut level = 0u32;
    let mut name = String::new();
    if module.kind() == "relative_import" {
        let mut cursor = module.walk();
        for child in module.named_children(&mut cursor) {
            match child.kind() {
                "import_prefix" => {
                    let dots = Span::of(child).text(source).matches('.').count();
                    level = u32::try_from(dots).unwrap_or(u32::MAX);
                }
                "dotted_name" => name = dotted(child, source),
                _ => {}
            }
        }
    } else {
        name = dotted(module, source);
    }
    Some(PyFrom {
        level,
        module: name,
        span: Span::of(module),
    })
}

#[cfg(test)]
fn statement(node: Node<'_>, from: Option<PyFrom>, source: &str) -> PyStatement {
    let mut names: Vec<PyName> = Vec::new();
    let mut wildcard = false;
    let mut cursor = node.walk();
    for (index, child) in node.children(&mut cursor).enumerate() {
        let field = u32::try_from(index)
            .ok()
            .and_then(|index| node.field_name_for_child(index));
        match child.kind() {
            "wildcard_import" => wildcard = true,
            "," => {
                if let Some(last) = names.last_mut()
                    && last.comma.is_none()
                {
                    last.comma = Some(Span::of(child));
                }
            }
            "dotted_name" if field == Some("name") => names.push(PyName {
                dotted: dotted(child, source),
                span: Span::of(child),
                alias: None,
                item: Span::of(child),
                comma: None,
            }),
            "aliased_import" => {
                if let Some(name) = child.child_by_field_name("name") {
                    names.push(PyName {
                        dotted: dotted(name, source),
                        span: Span::of(name),
                        alias: child
                            .child_by_field_name("alias")
                            .map(|alias| Span::of(alias).text(source).to_string()),
                        item: Span::of(child),
                        comma: None,
                    });
                }
            }
            _ => {}
        }
    }
    PyStatement {
        span: Span::of(node),
        line: line(node),
        from,
        names,
        wildcard,
    }
}

#[cfg(test)]
/// A string literal without substitutions: its content between the quotes.
fn string(node: Node<'_>, source: &str) -> Option<Literal> {
    let mut start = node.start_byte();
    let mut end = node.end_byte();
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        match child.kind() {
            "string_start" => start = child.end_byte(),
            "string_end" => end = child.start_byte(),
            "interpolation" => return None,
            _ => {}
        }
    }
    let span = Span {
        start,
        end: end.max(start),
    };
    Some(Literal {
        content: span.text(source).to_string(),
        span,
        line: line(node),
    })
}

#[cfg(test)]
/// `importlib.import_module(name)` / `__import__(name)` whose first argument is not a plain
/// string.
fn computed_import(node: Node<'_>, source: &str) -> Option<Note> {
    let function = node.child_by_field_name("function")?;
    let callee: String = dotted(function, source);
    if !matches!(
        callee.as_str(),
        "importlib.import_module" | "import_module" | "__import__"
    ) {
        return None;
    }
    let arguments = node.child_by_field_name("arguments")?;
    let mut cursor = arguments.walk();
    let first = arguments
        .named_children(&mut cursor)
        .find(|child| child.kind() != "comment");
    let plain =
        first.is_some_and(|first| first.kind() == "string" && string(first, source).is_some());
    (!plain).then(|| Note::of(node, source))
}

#[cfg(test)]
mod tests {
    use super::*;

    type Name = (
        &'static str,
        &'static str,
        Option<&'static str>,
        &'static str,
        bool,
    );

    /// `(dotted, text of span, alias, text of item, has comma)` per name.
    fn names(
        source: &str,
        statement: &PyStatement,
    ) -> Vec<(String, String, Option<String>, String, bool)> {
        statement
            .names
            .iter()
            .map(|n| {
                (
                    n.dotted.clone(),
                    n.span.text(source).to_string(),
                    n.alias.clone(),
                    n.item.text(source).to_string(),
                    n.comma.is_some(),
                )
            })
            .collect()
    }

    fn owned(expected: &[Name]) -> Vec<(String, String, Option<String>, String, bool)> {
        expected
            .iter()
            .map(|(d, s, a, i, c)| {
                (
                    (*d).to_string(),
                    (*s).to_string(),
                    a.map(str::to_string),
                    (*i).to_string(),
                    *c,
                )
            })
            .collect()
    }

    #[test]
    fn statements_with_spans() {
        // (source, from: (level, module, span text), names, wildcard)
        type Case = (
            &'static str,
            Option<(u32, &'static str, &'static str)>,
            Vec<Name>,
            bool,
        );
        let cases: Vec<Case> = vec![
            (
                "import a.b as c, d",
                None,
                vec![
                    ("a.b", "a.b", Some("c"), "a.b as c", true),
                    ("d", "d", None, "d", false),
                ],
                false,
            ),
            (
                "from ..a . b import (c as d,\n  e,)",
                Some((2, "a.b", "..a . b")),
                vec![
                    ("c", "c", Some("d"), "c as d", true),
                    ("e", "e", None, "e", true),
                ],
                false,
            ),
            (
                "from . import q",
                Some((1, "", ".")),
                vec![("q", "q", None, "q", false)],
                false,
            ),
            ("from m import *", Some((0, "m", "m")), vec![], true),
            (
                "def f():\n    if x: from app.models import user  # note\n",
                Some((0, "app.models", "app.models")),
                vec![("user", "user", None, "user", false)],
                false,
            ),
        ];
        for (source, from, expected, wildcard) in cases {
            let imports = python_imports(source);
            assert_eq!(imports.statements.len(), 1, "{source}");
            let statement = &imports.statements[0];
            let got_from = statement
                .from
                .as_ref()
                .map(|f| (f.level, f.module.clone(), f.span.text(source).to_string()));
            let expected_from =
                from.map(|(level, module, text)| (level, module.to_string(), text.to_string()));
            assert_eq!(got_from, expected_from, "{source}");
            assert_eq!(names(source, statement), owned(&expected), "{source}");
            assert_eq!(statement.wildcard, wildcard, "{source}");
        }
    }

    #[test]
    fn comments_strings_and_future_imports_are_not_statements() {
        let source = "# import a\nx = 'import b'\n\"\"\"from c import d\"\"\"\nfrom __future__ import annotations\n";
        let imports = python_imports(source);
        assert!(imports.statements.is_empty());
        let strings: Vec<&str> = imports.strings.iter().map(|s| s.content.as_str()).collect();
        assert_eq!(strings, ["import b", "from c import d"]);
    }

    #[test]
    fn strings_and_computed_imports() {
        let source = "import importlib\nm = importlib.import_module('app.models')\nn = importlib.import_module(name)\no = __import__(f'app.{x}')\np = f'app.{y}'\n";
        let imports = python_imports(source);
        let strings: Vec<(&str, u32)> = imports
            .strings
            .iter()
            .map(|s| (s.content.as_str(), s.line))
            .collect();
        assert_eq!(strings, [("app.models", 2)]);
        assert_eq!(imports.strings[0].span.text(source), "app.models");
        let computed: Vec<(&str, u32)> = imports
            .computed
            .iter()
            .map(|n| (n.text.as_str(), n.line))
            .collect();
        assert_eq!(
            computed,
            [
                ("importlib.import_module(name)", 3),
                ("__import__(f'app.{x}')", 4)
            ]
        );
    }
}
