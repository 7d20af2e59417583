//! TypeScript/JavaScript module specifiers with spans (tree-sitter-typescript and
//! tree-sitter-javascript).
//!
//! Specifiers: `import ... from 'm'`, `import 'm'`, `export ... from 'm'`, TS
//! `import x = require('m')`, `require('m')`, `require.resolve('m')`, the test runners' mocks
//! (`jest.mock('m')`, `vi.mock('m')`...) and `import('m')` (including `import('m')` in type
//! positions) with a literal argument. Also every other string literal (a relative path in
//! `path.join(__dirname, '../x')` may name a file), computed
//! `require()`/`import()` arguments, and the paths of `/// <reference path="..." />`
//! directives (which live in comments).

use std::collections::HashSet;

use tree_sitter::Node;

use super::{Literal, Note, Span, inner_span, line, walk};
use crate::analyze::{ImportKind, Language, parse};

/// Module specifiers and related literals of one script file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScriptImports {
    /// Import, re-export, `require` and `import()` specifiers, in source order.
    pub specifiers: Vec<Specifier>,
    /// Every other plain string literal (no `${...}`), in source order.
    pub strings: Vec<Literal>,
    /// `require(...)` and `import(...)` whose argument is computed.
    pub computed: Vec<Note>,
    /// Paths of `/// <reference path="..." />` directives.
    pub references: Vec<Literal>,
}

/// One module specifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Specifier {
    /// The form: `Import`, `ExportFrom`, `Require` or `Dynamic`.
    pub kind: ImportKind,
    /// The specifier as written between the quotes.
    pub module: String,
    /// Where the specifier is (between the quotes).
    pub span: Span,
    /// The statement or call holding it.
    pub statement: Span,
    /// 1-based line of the statement or call.
    pub line: u32,
}

/// Reads the module specifiers of a TypeScript, TSX or JavaScript file. Never panics; a file
/// that cannot be parsed gives an empty result.
#[must_use]
pub fn script_imports(language: Language, source: &str) -> ScriptImports {
    let mut out = ScriptImports::default();
    let Some(tree) = parse(language, source) else {
        return out;
    };
    let mut taken: HashSet<usize> = HashSet::new();
    walk(tree.root_node(), |node, _| {
        match node.kind() {
            "import_statement" => {
                let source_node = node.child_by_field_name("source").or_else(|| {
                    let mut cursor = node.walk();
                    node.named_children(&mut cursor)
                        .find(|child| child.kind() == "import_require_clause")
                        .and_then(|clause| clause.child_by_field_name("source"))
                });
                let kind = if source_node
                    .and_then(|s| s.parent())
                    .is_some_and(|p| p.kind() == "import_require_clause")
                {
                    ImportKind::Require
                } else {
                    ImportKind::Import
                };
                specifier(node, source_node, kind, source, &mut out, &mut taken);
            }
            "export_statement" => {
                let source_node = node.child_by_field_name("source");
                specifier(
                    node,
                    source_node,
                    ImportKind::ExportFrom,
                    source,
                    &mut out,
                    &mut taken,
                );
            }
            "call_expression" => call(node, source, &mut out, &mut taken),
            "string" | "template_string" => {
                if !taken.contains(&node.start_byte())
                    && let Some(literal) = plain_literal(node, source)
                {
                    out.strings.push(literal);
                }
            }
            "comment" => {
                if let Some(reference) = reference_path(node, source) {
                    out.references.push(reference);
                }
            }
            _ => {}
        }
        true
    });
    out
}

/// A string or template literal without substitutions.
fn plain_literal(node: Node<'_>, source: &str) -> Option<Literal> {
    match node.kind() {
        "string" => {}
        "template_string" => {
            let mut cursor = node.walk();
            if node
                .children(&mut cursor)
                .any(|child| child.kind() == "template_substitution")
            {
                return None;
            }
        }
        _ => return None,
    }
    let span = inner_span(node);
    Some(Literal {
        content: span.text(source).to_string(),
        span,
        line: line(node),
    })
}

fn specifier(
    statement: Node<'_>,
    literal: Option<Node<'_>>,
    kind: ImportKind,
    source: &str,
    out: &mut ScriptImports,
    taken: &mut HashSet<usize>,
) {
    let Some(literal) = literal else {
        return;
    };
    let Some(found) = plain_literal(literal, source) else {
        return;
    };
    taken.insert(literal.start_byte());
    out.specifiers.push(Specifier {
        kind,
        module: found.content,
        span: found.span,
        statement: Span::of(statement),
        line: line(statement),
    });
}

fn call(node: Node<'_>, source: &str, out: &mut ScriptImports, taken: &mut HashSet<usize>) {
    let Some(function) = node.child_by_field_name("function") else {
        return;
    };
    let kind = match (function.kind(), Span::of(function).text(source)) {
        ("import", _) => ImportKind::Dynamic,
        // Module paths resolved like `require`'s: `require.resolve('./x')`, and the test
        // runners' module mocks (`jest.mock('../db')`).
        ("identifier", "require")
        | (
            "member_expression",
            "require.resolve" | "jest.mock" | "jest.doMock" | "jest.unmock" | "jest.requireActual"
            | "jest.requireMock" | "vi.mock" | "vi.doMock" | "vi.unmock" | "vi.importActual"
            | "vi.importMock",
        ) => ImportKind::Require,
        _ => return,
    };
    let Some(arguments) = node.child_by_field_name("arguments") else {
        return;
    };
    let mut cursor = arguments.walk();
    let first = arguments
        .named_children(&mut cursor)
        .find(|child| child.kind() != "comment");
    match first.filter(|first| plain_literal(*first, source).is_some()) {
        Some(first) => specifier(node, Some(first), kind, source, out, taken),
        None => out.computed.push(Note::of(node, source)),
    }
}

/// The path of a `/// <reference path="..." />` comment.
fn reference_path(node: Node<'_>, source: &str) -> Option<Literal> {
    let span = Span::of(node);
    let text = span.text(source);
    let body = text.strip_prefix("///")?.trim_start();
    let attributes = body.strip_prefix("<reference")?;
    let at = attributes.find("path")?;
    let after = attributes[at + "path".len()..]
        .trim_start()
        .strip_prefix('=')?;
    let after = after.trim_start();
    let quote = after.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let content = &after[1..];
    let end = content.find(quote)?;
    let start = span.start + (text.len() - content.len());
    Some(Literal {
        content: content[..end].to_string(),
        span: Span {
            start,
            end: start + end,
        },
        line: line(node),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Language; 3] = [Language::TypeScript, Language::Tsx, Language::JavaScript];

    #[test]
    fn specifiers_with_spans() {
        // (languages, source, [(kind, module, statement text)])
        type Case = (
            &'static [Language],
            &'static str,
            Vec<(ImportKind, &'static str, &'static str)>,
        );
        let cases: Vec<Case> = vec![
            (
                &ALL,
                "import x, {a as b} from './m';",
                vec![(ImportKind::Import, "./m", "import x, {a as b} from './m';")],
            ),
            (
                &ALL,
                "import \"./side.css\";",
                vec![(ImportKind::Import, "./side.css", "import \"./side.css\";")],
            ),
            (
                &ALL,
                "export * from \"../n\";\nexport { a } from '../a';",
                vec![
                    (ImportKind::ExportFrom, "../n", "export * from \"../n\";"),
                    (ImportKind::ExportFrom, "../a", "export { a } from '../a';"),
                ],
            ),
            (
                &ALL,
                "const c = require('./c');",
                vec![(ImportKind::Require, "./c", "require('./c')")],
            ),
            (
                &ALL,
                "const d = await import(`./d`);",
                vec![(ImportKind::Dynamic, "./d", "import(`./d`)")],
            ),
            (
                &[Language::TypeScript, Language::Tsx],
                "import e = require('./e');\ntype T = import('./t').U;",
                vec![
                    (ImportKind::Require, "./e", "import e = require('./e');"),
                    (ImportKind::Dynamic, "./t", "import('./t')"),
                ],
            ),
            (&ALL, "export const x = 1;\n// import y from './y';", vec![]),
        ];
        for (languages, source, expected) in cases {
            for language in languages {
                let got: Vec<(ImportKind, String, String)> = script_imports(*language, source)
                    .specifiers
                    .iter()
                    .map(|s| {
                        assert_eq!(s.span.text(source), s.module);
                        (
                            s.kind,
                            s.module.clone(),
                            s.statement.text(source).to_string(),
                        )
                    })
                    .collect();
                let expected: Vec<(ImportKind, String, String)> = expected
                    .iter()
                    .map(|(k, m, t)| (*k, (*m).to_string(), (*t).to_string()))
                    .collect();
                assert_eq!(got, expected, "{language:?}: {source}");
            }
        }
    }

    #[test]
    fn strings_computed_and_references() {
        let source = "/// <reference path=\"./types/x.d.ts\" />\nimport a from './a';\njest.mock('../b');\nconst c = require(name);\nconst d = import(`./${x}`);\nconst e = `./${y}`;\n";
        for language in ALL {
            let imports = script_imports(language, source);
            let strings: Vec<&str> = imports.strings.iter().map(|s| s.content.as_str()).collect();
            assert!(strings.is_empty(), "{language:?}: {strings:?}");
            let mocked: Vec<&str> = imports
                .specifiers
                .iter()
                .map(|s| s.module.as_str())
                .collect();
            assert_eq!(
                mocked,
                ["./a", "../b"],
                "{language:?}: jest.mock names a module"
            );
            let computed: Vec<&str> = imports.computed.iter().map(|n| n.text.as_str()).collect();
            assert_eq!(
                computed,
                ["require(name)", "import(`./${x}`)"],
                "{language:?}"
            );
            let references: Vec<(&str, &str)> = imports
                .references
                .iter()
                .map(|r| (r.content.as_str(), r.span.text(source)))
                .collect();
            assert_eq!(
                references,
                [("./types/x.d.ts", "./types/x.d.ts")],
                "{language:?}"
            );
        }
    }
}
