//! Python specifics (tree-sitter-python).
//!
//! * Imports: `import a.b as c`, `from ..m import x as y`, `from . import x`,
//!   `from m import *`, `from __future__ import x`, anywhere in the file.
//! * Calls: every `call` node, including decorator calls; callees rendered
//!   through attributes, `await` and parentheses.
//! * Raises: `raise X`, `raise X(...)`, `raise mod.X(...)`; a bare `raise`
//!   is not recorded.
//! * Strings: content between the quotes as written; implicit concatenation
//!   is joined. f-strings with `{...}` substitutions never become
//!   `first_string_arg`, but their text still counts for SQL detection (the
//!   injection-prone case). Code inside `{...}` is real code and its calls
//!   are reported.

use std::borrow::Cow;

use tree_sitter::Node;

use super::{
    Collector, ControlFlowKind, DefinitionKind, Field, Import, ImportKind, ImportName, Step, Visit,
    first_named_child, has_child_kind, location, named_children, render_path,
};

/// Parentheses unwrapped around an argument before giving up.
const MAX_UNWRAP: usize = 64;

/// Python visitor.
pub(crate) struct Visitor;

impl Visit for Visitor {
    fn visit(&mut self, node: Node<'_>, _ancestors: &[Node<'_>], out: &mut Collector<'_>) {
        match node.kind() {
            "import_statement" => import_statement(node, out),
            "import_from_statement" | "future_import_statement" => from_import(node, out),
            "call" => call(node, out),
            "raise_statement" => raise(node, out),
            "function_definition" => {
                if let Some(name) = out.field(node, Field::Name) {
                    let is_async = has_child_kind(node, "async");
                    out.add_definition(node, name, DefinitionKind::Function, is_async);
                }
            }
            "class_definition" => {
                if let Some(name) = out.field(node, Field::Name) {
                    out.add_definition(node, name, DefinitionKind::Class, false);
                }
            }
            "for_statement" | "while_statement" => {
                out.add_control_flow(node, ControlFlowKind::Loop);
            }
            "if_statement" | "match_statement" => {
                out.add_control_flow(node, ControlFlowKind::Conditional);
            }
            _ => {}
        }
    }
}

/// `a.b.c` from a `dotted_name` (identifiers joined, whitespace ignored).
fn dotted(node: Node<'_>, out: &Collector<'_>) -> String {
    if node.kind() != "dotted_name" {
        return out.text(node).to_string();
    }
    named_children(node)
        .into_iter()
        .map(|part| out.text(part))
        .collect::<Vec<_>>()
        .join(".")
}

/// `(name, alias)` of a `dotted_name` or `aliased_import`.
fn name_and_alias(node: Node<'_>, out: &Collector<'_>) -> Option<(String, Option<String>)> {
    match node.kind() {
        "dotted_name" => Some((dotted(node, out), None)),
        "aliased_import" => {
            let name = dotted(out.field(node, Field::Name)?, out);
            let alias = out
                .field(node, Field::Alias)
                .map(|alias| out.text(alias).to_string());
            Some((name, alias))
        }
        _ => None,
    }
}

fn import_statement(node: Node<'_>, out: &mut Collector<'_>) {
    let mut cursor = node.walk();
    let names: Vec<Node<'_>> = node.children_by_field_name("name", &mut cursor).collect();
    for name in names {
        if let Some((module, alias)) = name_and_alias(name, out) {
            out.add_import(Import {
                module,
                level: 0,
                names: Vec::new(),
                alias,
                kind: ImportKind::Import,
                location: location(node),
            });
        }
    }
}

fn from_import(node: Node<'_>, out: &mut Collector<'_>) {
    let (module, level) = if node.kind() == "future_import_statement" {
        ("__future__".to_string(), 0)
    } else {
        match out.field(node, Field::ModuleName) {
            Some(module) if module.kind() == "relative_import" => {
                let mut level = 0u32;
                let mut name = String::new();
                for child in named_children(module) {
                    match child.kind() {
                        "import_prefix" => {
                            let dots = out.text(child).chars().filter(|c| *c == '.').count();
                            level = u32::try_from(dots).unwrap_or(u32::MAX);
                        }
                        "dotted_name" => name = dotted(child, out),
                        _ => {}
                    }
                }
                (name, level)
            }
            Some(module) => (dotted(module, out), 0),
            None => return,
        }
    };
    let mut names = Vec::new();
    let mut cursor = node.walk();
    for child in node.named_children(&mut cursor) {
        if child.kind() == "wildcard_import" {
            names.push(ImportName {
                name: "*".to_string(),
                alias: None,
            });
        }
    }
    let name_nodes: Vec<Node<'_>> = node.children_by_field_name("name", &mut cursor).collect();
    for name in name_nodes {
        if let Some((name, alias)) = name_and_alias(name, out) {
            names.push(ImportName { name, alias });
        }
    }
    out.add_import(Import {
        module,
        level,
        names,
        alias: None,
        kind: ImportKind::From,
        location: location(node),
    });
}

/// How Python expressions render as callee paths.
fn step<'t, 's>(node: Node<'t>, out: &Collector<'s>) -> Step<'t, 's> {
    match node.kind() {
        "identifier" => Step::Leaf(Cow::Borrowed(out.text(node))),
        "attribute" => match (
            out.field(node, Field::Object),
            out.field(node, Field::Attribute),
        ) {
            (Some(object), Some(attribute)) => Step::Member {
                object,
                separator: ".",
                name: out.text(attribute),
            },
            _ => Step::Opaque,
        },
        "call" => out
            .field(node, Field::Function)
            .map_or(Step::Opaque, |inner| Step::Suffix {
                inner,
                suffix: "()",
            }),
        "await" | "parenthesized_expression" => {
            first_named_child(node).map_or(Step::Opaque, Step::Unwrap)
        }
        _ => Step::Opaque,
    }
}

/// Renders an expression as a dotted path (`self.db.session.query`).
fn render(node: Node<'_>, out: &Collector<'_>) -> String {
    render_path(node, |n| step(n, out))
}

/// A string literal's content and whether it has `{...}` substitutions.
/// Handles `string` and implicit `concatenated_string`.
fn string_literal(node: Node<'_>, out: &Collector<'_>) -> Option<(String, bool)> {
    match node.kind() {
        "string" => Some(single_string(node, out)),
        "concatenated_string" => {
            let mut content = String::new();
            let mut substituted = false;
            for part in named_children(node) {
                let (text, has_substitution) = single_string(part, out);
                content.push_str(&text);
                substituted |= has_substitution;
            }
            Some((content, substituted))
        }
        _ => None,
    }
}

fn single_string(node: Node<'_>, out: &Collector<'_>) -> (String, bool) {
    let mut start = node.start_byte();
    let mut end = node.end_byte();
    let mut substituted = false;
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        match child.kind() {
            "string_start" => start = child.end_byte(),
            "string_end" => end = child.start_byte(),
            "interpolation" => substituted = true,
            _ => {}
        }
    }
    (out.slice(start, end.max(start)).to_string(), substituted)
}

/// Strips parentheses around an argument: `f(("SELECT ..." "FROM t"))`.
fn unparenthesize(mut node: Node<'_>) -> Node<'_> {
    for _ in 0..MAX_UNWRAP {
        if node.kind() != "parenthesized_expression" {
            break;
        }
        match first_named_child(node) {
            Some(inner) => node = inner,
            None => break,
        }
    }
    node
}

fn call(node: Node<'_>, out: &mut Collector<'_>) {
    let callee = out.field(node, Field::Function).map_or_else(
        || super::OPAQUE.to_string(),
        |function| render(function, out),
    );
    let mut first_string_arg = None;
    if let Some(arguments) = out.field(node, Field::Arguments)
        && arguments.kind() == "argument_list"
    {
        for (index, argument) in named_children(arguments).into_iter().enumerate() {
            let value = if argument.kind() == "keyword_argument" {
                match out.field(argument, Field::Value) {
                    Some(value) => value,
                    None => continue,
                }
            } else {
                argument
            };
            let value = unparenthesize(value);
            if let Some((content, substituted)) = string_literal(value, out) {
                if index == 0 && argument.kind() != "keyword_argument" && !substituted {
                    first_string_arg = Some(content.clone());
                }
                out.check_sql(value, &content, &callee);
            }
        }
    }
    out.add_call(node, callee, first_string_arg);
}

fn raise(node: Node<'_>, out: &mut Collector<'_>) {
    let Some(exception) = first_named_child(node) else {
        return; // bare `raise`
    };
    let target = if exception.kind() == "call" {
        out.field(exception, Field::Function).unwrap_or(exception)
    } else {
        exception
    };
    let path = render(target, out);
    out.add_raise(node, path);
}

#[cfg(test)]
mod tests {
    use crate::analyze::{
        Analysis, ControlFlowKind, DefinitionKind, ImportKind, ImportName, Language, Location,
        analyze,
    };

    fn run(source: &str) -> Analysis {
        analyze(Language::Python, source)
    }

    fn callees(source: &str) -> Vec<String> {
        run(source).calls.into_iter().map(|c| c.callee).collect()
    }

    fn names(pairs: &[(&str, Option<&str>)]) -> Vec<ImportName> {
        pairs
            .iter()
            .map(|(name, alias)| ImportName {
                name: (*name).to_string(),
                alias: alias.map(str::to_string),
            })
            .collect()
    }

    type Expected = (String, u32, Vec<ImportName>, Option<String>, ImportKind);

    fn imp(
        module: &str,
        level: u32,
        names: Vec<ImportName>,
        alias: Option<&str>,
        kind: ImportKind,
    ) -> Expected {
        (
            module.to_string(),
            level,
            names,
            alias.map(str::to_string),
            kind,
        )
    }

    #[test]
    fn imports() {
        use ImportKind::{From, Import};
        let cases: Vec<(&str, Vec<Expected>)> = vec![
            ("import a.b.c", vec![imp("a.b.c", 0, vec![], None, Import)]),
            (
                "import a as b, c",
                vec![
                    imp("a", 0, vec![], Some("b"), Import),
                    imp("c", 0, vec![], None, Import),
                ],
            ),
            (
                "from a.b import c, d as e",
                vec![imp(
                    "a.b",
                    0,
                    names(&[("c", None), ("d", Some("e"))]),
                    None,
                    From,
                )],
            ),
            (
                "from . import x",
                vec![imp("", 1, names(&[("x", None)]), None, From)],
            ),
            (
                "from ..users import service",
                vec![imp("users", 2, names(&[("service", None)]), None, From)],
            ),
            (
                "from .crud import *",
                vec![imp("crud", 1, names(&[("*", None)]), None, From)],
            ),
            (
                "from sqlalchemy.orm import (\n    Session,\n    sessionmaker as mk,\n)\n",
                vec![imp(
                    "sqlalchemy.orm",
                    0,
                    names(&[("Session", None), ("sessionmaker", Some("mk"))]),
                    None,
                    From,
                )],
            ),
            (
                "def f():\n    import os\n    from db import session\n",
                vec![
                    imp("os", 0, vec![], None, Import),
                    imp("db", 0, names(&[("session", None)]), None, From),
                ],
            ),
            (
                "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from app.models import User\n",
                vec![
                    imp("typing", 0, names(&[("TYPE_CHECKING", None)]), None, From),
                    imp("app.models", 0, names(&[("User", None)]), None, From),
                ],
            ),
            (
                "from __future__ import annotations",
                vec![imp(
                    "__future__",
                    0,
                    names(&[("annotations", None)]),
                    None,
                    From,
                )],
            ),
            (
                "# import os\n'''import sys'''\nx = 'from a import b'\n",
                vec![],
            ),
        ];
        for (source, expected) in cases {
            let got: Vec<Expected> = run(source)
                .imports
                .into_iter()
                .map(|i| (i.module, i.level, i.names, i.alias, i.kind))
                .collect();
            assert_eq!(got, expected, "{source}");
        }
    }

    #[test]
    fn import_locations() {
        let analysis = run("x = 1\n  \nfrom a import (\n  b)\n");
        assert_eq!(
            analysis.imports[0].location,
            Location { line: 3, column: 1 }
        );
    }

    #[test]
    fn calls() {
        let cases: Vec<(&str, Vec<&str>)> = vec![
            ("session.commit()", vec!["session.commit"]),
            ("self.db.session.query(User)", vec!["self.db.session.query"]),
            (
                "db.query(User).filter(User.id == 1).first()",
                vec!["db.query", "db.query().filter", "db.query().filter().first"],
            ),
            (
                "async def f():\n    await session.commit()\n",
                vec!["session.commit"],
            ),
            // The outer call starts first (at the parenthesis).
            (
                "(await get_db()).execute(q)",
                vec!["get_db().execute", "get_db"],
            ),
            (
                "@router.get(\"/x\")\ndef f():\n    pass\n",
                vec!["router.get"],
            ),
            ("@login_required\ndef f():\n    pass\n", vec![]),
            ("super().save()", vec!["super", "super().save"]),
            ("handlers[0]()", vec!["<expr>"]),
            ("(lambda: 1)()", vec!["<expr>"]),
            ("'x'.join(items)", vec!["<expr>.join"]),
            ("# session.commit()\n", vec![]),
            ("def f():\n    \"\"\"session.commit()\"\"\"\n", vec![]),
            ("x = 'session.commit()'", vec![]),
            ("x = f'session.commit() {y}'", vec![]),
            ("x = f'{session.commit()}'", vec!["session.commit"]),
            ("print(len(x))", vec!["print", "len"]),
        ];
        for (source, expected) in cases {
            assert_eq!(callees(source), expected, "{source}");
        }
    }

    #[test]
    fn first_string_args() {
        let cases: Vec<(&str, Option<&str>)> = vec![
            ("f('x')", Some("x")),
            ("f(\"SELECT 1\", a)", Some("SELECT 1")),
            ("f('''multi\nline''')", Some("multi\nline")),
            ("f('a' 'b')", Some("ab")),
            ("f(r'\\d+')", Some("\\d+")),
            ("f(f'plain')", Some("plain")),
            ("f(f'x {y}')", None),
            ("f(name='x')", None),
            ("f(x, 'y')", None),
            ("f()", None),
            ("f('')", Some("")),
        ];
        for (source, expected) in cases {
            let analysis = run(source);
            assert_eq!(
                analysis.calls[0].first_string_arg.as_deref(),
                expected,
                "{source}"
            );
        }
    }

    #[test]
    fn raises() {
        let cases: Vec<(&str, Vec<(&str, &str)>)> = vec![
            (
                "raise HTTPException(status_code=404)",
                vec![("HTTPException", "HTTPException")],
            ),
            (
                "raise exceptions.NotFound()",
                vec![("NotFound", "exceptions.NotFound")],
            ),
            ("raise ValueError", vec![("ValueError", "ValueError")]),
            (
                "raise KeyError('k') from exc",
                vec![("KeyError", "KeyError")],
            ),
            ("try:\n    pass\nexcept Exception:\n    raise\n", vec![]),
            ("# raise HTTPException()\nx = 'raise Y'\n", vec![]),
        ];
        for (source, expected) in cases {
            let got: Vec<(String, String)> = run(source)
                .raises
                .into_iter()
                .map(|r| (r.name, r.path))
                .collect();
            let expected: Vec<(String, String)> = expected
                .into_iter()
                .map(|(n, p)| (n.to_string(), p.to_string()))
                .collect();
            assert_eq!(got, expected, "{source}");
        }
    }

    #[test]
    fn definitions() {
        let source = "class Repo:\n    async def get(self):\n        pass\n    def put(self):\n        pass\n@decorator\ndef top():\n    pass\nf = lambda: 1\n";
        let got: Vec<(String, DefinitionKind, bool, u32)> = run(source)
            .definitions
            .into_iter()
            .map(|d| (d.name, d.kind, d.is_async, d.location.line))
            .collect();
        let expected = vec![
            ("Repo".to_string(), DefinitionKind::Class, false, 1),
            ("get".to_string(), DefinitionKind::Function, true, 2),
            ("put".to_string(), DefinitionKind::Function, false, 4),
            ("top".to_string(), DefinitionKind::Function, false, 7),
        ];
        assert_eq!(got, expected);
    }

    #[test]
    fn control_flow() {
        let cases: Vec<(&str, Vec<ControlFlowKind>)> = vec![
            ("for x in y:\n    pass\n", vec![ControlFlowKind::Loop]),
            (
                "async def f():\n    async for x in y:\n        pass\n",
                vec![ControlFlowKind::Loop],
            ),
            ("while True:\n    break\n", vec![ControlFlowKind::Loop]),
            (
                "if a:\n    pass\nelif b:\n    pass\nelse:\n    pass\n",
                vec![ControlFlowKind::Conditional],
            ),
            (
                "match x:\n    case 1:\n        pass\n",
                vec![ControlFlowKind::Conditional],
            ),
            ("y = [i for i in x if i]\nz = a if b else c\n", vec![]),
        ];
        for (source, expected) in cases {
            let got: Vec<ControlFlowKind> = run(source)
                .control_flow
                .into_iter()
                .map(|c| c.kind)
                .collect();
            assert_eq!(got, expected, "{source}");
        }
    }

    #[test]
    fn sql_strings() {
        let cases: Vec<(&str, Vec<&str>)> = vec![
            (
                "session.execute(text(\"SELECT id FROM users\"))",
                vec!["SELECT id FROM users"],
            ),
            ("def f():\n    \"\"\"SELECT * FROM users\"\"\"\n", vec![]),
            ("q = 'SELECT * FROM users'", vec![]),
            ("# cursor.execute('SELECT * FROM users')", vec![]),
            (
                "cursor.execute(\"\"\"\n    SELECT id,\n           name\n    FROM users\n\"\"\")",
                vec!["SELECT id, name FROM users"],
            ),
            (
                "cursor.execute(\n    \"UPDATE users \"\n    \"SET name = %s\", (n,))",
                vec!["UPDATE users SET name = %s"],
            ),
            (
                "cursor.execute(f\"DELETE FROM {table} WHERE id = {i}\")",
                vec!["DELETE FROM {table} WHERE id = {i}"],
            ),
            (
                "conn.execute(sql='INSERT INTO t VALUES (1)')",
                vec!["INSERT INTO t VALUES (1)"],
            ),
            ("logger.info('selected items from cart')", vec![]),
            // Text that is shown, not run.
            ("print(\"SELECT * FROM users is not run here\")", vec![]),
            ("logging.debug('DELETE FROM t skipped')", vec![]),
            (
                "raise ValueError(\"SELECT * FROM x is not allowed\")",
                vec![],
            ),
            (
                "self.logger.info(f\"UPDATE users SET n = {n} done\")",
                vec![],
            ),
        ];
        for (source, expected) in cases {
            let got: Vec<String> = run(source)
                .sql_strings
                .into_iter()
                .map(|s| s.snippet)
                .collect();
            assert_eq!(got, expected, "{source}");
        }
    }

    #[test]
    fn sql_location() {
        let analysis = run("x = 1\ndb.execute(\n    'SELECT 1 FROM t')\n");
        assert_eq!(
            analysis.sql_strings[0].location,
            Location { line: 3, column: 5 }
        );
    }

    #[test]
    fn only_comments() {
        let analysis = run("# one\n# squarely: allow(a) r\n# two\n");
        assert!(analysis.calls.is_empty() && analysis.imports.is_empty());
        assert!(!analysis.has_errors);
        assert_eq!(analysis.waivers.len(), 1);
        assert_eq!(analysis.waivers[0].target_line, 2);
    }

    #[test]
    fn syntax_errors_give_partial_results() {
        let analysis = run("import os\ndef broken(:\n    session.commit()\nfrom x import y\n");
        assert!(analysis.has_errors);
        assert!(analysis.imports.iter().any(|i| i.module == "os"));
        assert!(analysis.calls.iter().any(|c| c.callee == "session.commit"));
    }

    #[test]
    fn non_ascii_locations() {
        let analysis = run("résumé = 'héllo'; données.sauvegarder('ö')\n");
        assert_eq!(analysis.calls.len(), 1);
        let call = &analysis.calls[0];
        assert_eq!(call.callee, "données.sauvegarder");
        assert_eq!(call.first_string_arg.as_deref(), Some("ö"));
        // Byte column: "résumé = 'héllo'; " is 21 bytes.
        assert_eq!(
            call.location,
            Location {
                line: 1,
                column: 22
            }
        );
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let depth = 100_000;
        let source = format!("x = {}f(1){}\n", "(".repeat(depth), ")".repeat(depth));
        let analysis = run(&source);
        assert_eq!(analysis.calls.len(), 1);
        let calls = format!("{}1{}\n", "g(".repeat(depth), ")".repeat(depth));
        let analysis = run(&calls);
        assert_eq!(analysis.calls.len(), depth);
        let lists = format!("{}{}\n", "[".repeat(depth), "]".repeat(depth));
        let _ = run(&lists);
        let unbalanced = "(".repeat(depth);
        assert!(run(&unbalanced).has_errors);
    }

    #[test]
    fn pathological_inputs_stay_bounded() {
        let depth = 20_000;
        let chain = format!("a{}\n", ".b()".repeat(depth));
        let analysis = run(&chain);
        assert_eq!(analysis.calls.len(), depth);
        assert!(analysis.calls.iter().all(|c| c.callee.len() < 1024));
        let strings = format!("f({})\n", "'SELECT 1 FROM t' ".repeat(depth));
        assert_eq!(run(&strings).sql_strings.len(), 1);
    }

    #[test]
    fn large_file_completes() {
        let chunk = "def handler_{i}(db):\n    user = db.query(User).filter(User.id == {i}).first()\n    session.commit()\n    return user\n\n";
        let mut source = String::new();
        let mut functions = 0;
        while source.len() < 5 * 1024 * 1024 {
            source.push_str(&chunk.replace("{i}", &functions.to_string()));
            functions += 1;
        }
        let analysis = run(&source);
        assert!(!analysis.has_errors);
        assert_eq!(analysis.calls.len(), functions * 4);
        assert_eq!(analysis.definitions.len(), functions);
    }
}
