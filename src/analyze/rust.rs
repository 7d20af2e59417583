//! Rust specifics (tree-sitter-rust).
//!
//! * Imports: every leaf of a `use` tree is one import (`use a::{b, c as d}`
//!   gives `a::b` and `a::c` with alias `d`; `use a::{self}` gives `a`; a
//!   glob gives the path with name `"*"`); `extern crate x` is `Use`; `mod x;`
//!   without a body is `Mod` (inline `mod x { ... }` is not an import).
//! * Calls: `call_expression` and macro invocations (callee ends in `!`).
//!   tree-sitter keeps macro arguments as unparsed token trees, so calls
//!   *inside* macro arguments are recovered with a token heuristic: a path
//!   (`a::b`, `x.y`) directly followed by a `(...)` group is a call, and a
//!   path followed by `!` and a group is a macro call (`format!(..)` inside
//!   `vec![..]`).
//! * SQL: string and raw string arguments of calls, and every string literal
//!   anywhere inside a macro's token tree (`sqlx::query!("SELECT ...")`).
//! * Raises: Rust has none (`?`, `panic!` and `Err(..)` are not raises);
//!   layer rules for Rust use imports and calls.

use std::borrow::Cow;

use tree_sitter::Node;

use super::{
    Collector, ControlFlowKind, DefinitionKind, Field, Import, ImportKind, ImportName, OPAQUE,
    Step, Visit, first_named_child, has_child_kind, is_comment, location, named_children,
    render_path,
};

/// Deepest `use` group nesting followed (bounds work on pathological input).
const MAX_USE_DEPTH: usize = 128;

/// Longest path tracked inside a token tree before it collapses to
/// [`OPAQUE`] (bounds work on pathological call chains inside macros).
const MAX_TOKEN_PATH: usize = 512;

/// Rust visitor.
pub(crate) struct Visitor;

impl Visit for Visitor {
    fn visit(&mut self, node: Node<'_>, ancestors: &[Node<'_>], out: &mut Collector<'_>) {
        match node.kind() {
            "use_declaration" => use_declaration(node, out),
            "mod_item" => {
                if out.field(node, Field::Body).is_none()
                    && let Some(name) = out.field(node, Field::Name)
                {
                    out.add_import(Import {
                        module: out.text(name).to_string(),
                        level: 0,
                        names: Vec::new(),
                        alias: None,
                        kind: ImportKind::Mod,
                        location: location(node),
                    });
                }
            }
            "extern_crate_declaration" => {
                if let Some(name) = out.field(node, Field::Name) {
                    out.add_import(Import {
                        module: out.text(name).to_string(),
                        level: 0,
                        names: Vec::new(),
                        alias: out
                            .field(node, Field::Alias)
                            .map(|alias| out.text(alias).to_string()),
                        kind: ImportKind::Use,
                        location: location(node),
                    });
                }
            }
            "call_expression" => call(node, out),
            "macro_invocation" => macro_call(node, out),
            "function_item" => {
                if let Some(name) = out.field(node, Field::Name) {
                    let is_async = named_children(node).into_iter().any(|child| {
                        child.kind() == "function_modifiers" && has_child_kind(child, "async")
                    });
                    out.add_definition(node, name, DefinitionKind::Function, is_async);
                }
            }
            "struct_item" | "enum_item" | "union_item" | "trait_item" => {
                if let Some(name) = out.field(node, Field::Name) {
                    out.add_definition(node, name, DefinitionKind::Class, false);
                }
            }
            "for_expression" | "while_expression" | "loop_expression" => {
                out.add_control_flow(node, ControlFlowKind::Loop);
            }
            "if_expression" => {
                // `else if` continues the chain started by the first `if`.
                let continues_chain = ancestors
                    .last()
                    .is_some_and(|parent| parent.kind() == "else_clause");
                if !continues_chain {
                    out.add_control_flow(node, ControlFlowKind::Conditional);
                }
            }
            "match_expression" => out.add_control_flow(node, ControlFlowKind::Conditional),
            _ => {}
        }
    }
}

/// Source text with all whitespace removed (`a :: b` -> `a::b`).
fn compact(node: Node<'_>, out: &Collector<'_>) -> String {
    out.text(node).split_whitespace().collect()
}

fn join(prefix: &str, path: &str) -> String {
    match (prefix.is_empty(), path.is_empty()) {
        (true, _) => path.to_string(),
        (false, true) => prefix.to_string(),
        (false, false) => format!("{prefix}::{path}"),
    }
}

/// Flattens a `use` tree (iteratively) into one import per leaf.
fn use_declaration(node: Node<'_>, out: &mut Collector<'_>) {
    let Some(argument) = out.field(node, Field::Argument) else {
        return;
    };
    let mut pending: Vec<(String, Node<'_>, usize)> = vec![(String::new(), argument, 0)];
    while let Some((prefix, item, depth)) = pending.pop() {
        if depth > MAX_USE_DEPTH {
            continue;
        }
        let (module, names, alias) = match item.kind() {
            "use_as_clause" => {
                let path = out
                    .field(item, Field::Path)
                    .map(|path| compact(path, out))
                    .unwrap_or_default();
                let alias = out
                    .field(item, Field::Alias)
                    .map(|alias| out.text(alias).to_string());
                (join(&prefix, &path), Vec::new(), alias)
            }
            "use_wildcard" => {
                let path = first_named_child(item)
                    .map(|path| compact(path, out))
                    .unwrap_or_default();
                let glob = vec![ImportName {
                    name: "*".to_string(),
                    alias: None,
                }];
                (join(&prefix, &path), glob, None)
            }
            "scoped_use_list" => {
                let path = out
                    .field(item, Field::Path)
                    .map(|path| compact(path, out))
                    .unwrap_or_default();
                if let Some(list) = out.field(item, Field::List) {
                    pending.push((join(&prefix, &path), list, depth + 1));
                }
                continue;
            }
            "use_list" => {
                for child in named_children(item).into_iter().rev() {
                    pending.push((prefix.clone(), child, depth + 1));
                }
                continue;
            }
            "self" if !prefix.is_empty() => (prefix.clone(), Vec::new(), None),
            "identifier" | "scoped_identifier" | "crate" | "super" | "self" | "metavariable" => {
                (join(&prefix, &compact(item, out)), Vec::new(), None)
            }
            _ => continue,
        };
        out.add_import(Import {
            module,
            level: 0,
            names,
            alias,
            kind: ImportKind::Use,
            location: location(node),
        });
    }
}

/// How Rust expressions render as callee paths.
fn step<'t, 's>(node: Node<'t>, out: &Collector<'s>) -> Step<'t, 's> {
    match node.kind() {
        "identifier" | "self" | "super" | "crate" | "field_identifier" | "type_identifier"
        | "primitive_type" | "metavariable" => Step::Leaf(Cow::Borrowed(out.text(node))),
        "field_expression" => {
            match (
                out.field(node, Field::Value),
                out.field(node, Field::Member),
            ) {
                (Some(object), Some(field)) => Step::Member {
                    object,
                    separator: ".",
                    name: out.text(field),
                },
                _ => Step::Opaque,
            }
        }
        "scoped_identifier" | "scoped_type_identifier" => {
            let name = out
                .field(node, Field::Name)
                .map_or("", |name| out.text(name));
            match out.field(node, Field::Path) {
                Some(object) => Step::Member {
                    object,
                    separator: "::",
                    name,
                },
                None => Step::Leaf(Cow::Owned(format!("::{name}"))),
            }
        }
        "generic_type" => out
            .field(node, Field::Type)
            .map_or(Step::Opaque, Step::Unwrap),
        "generic_function" => out
            .field(node, Field::Function)
            .map_or(Step::Opaque, Step::Unwrap),
        "call_expression" => out
            .field(node, Field::Function)
            .map_or(Step::Opaque, |inner| Step::Suffix {
                inner,
                suffix: "()",
            }),
        "macro_invocation" => {
            out.field(node, Field::Macro)
                .map_or(Step::Opaque, |inner| Step::Suffix {
                    inner,
                    suffix: "!()",
                })
        }
        "await_expression" | "try_expression" | "parenthesized_expression" => {
            first_named_child(node).map_or(Step::Opaque, Step::Unwrap)
        }
        _ => Step::Opaque,
    }
}

/// Renders an expression as a path (`sqlx::query().fetch_all`).
fn render(node: Node<'_>, out: &Collector<'_>) -> String {
    render_path(node, |n| step(n, out))
}

fn is_string(node: Node<'_>) -> bool {
    matches!(node.kind(), "string_literal" | "raw_string_literal")
}

/// A string or raw string literal's content between its outer quotes.
fn string_content(node: Node<'_>, out: &Collector<'_>) -> String {
    let text = out.text(node);
    match (text.find('"'), text.rfind('"')) {
        (Some(open), Some(close)) if close > open => {
            text.get(open + 1..close).unwrap_or("").to_string()
        }
        _ => String::new(),
    }
}

fn call(node: Node<'_>, out: &mut Collector<'_>) {
    let callee = out
        .field(node, Field::Function)
        .map_or_else(|| OPAQUE.to_string(), |function| render(function, out));
    let mut first_string_arg = None;
    if let Some(arguments) = out.field(node, Field::Arguments) {
        for (index, argument) in named_children(arguments).into_iter().enumerate() {
            if is_string(argument) {
                let content = string_content(argument, out);
                out.check_sql(argument, &content, &callee);
                if index == 0 {
                    first_string_arg = Some(content);
                }
            }
        }
    }
    out.add_call(node, callee, first_string_arg);
}

fn macro_call(node: Node<'_>, out: &mut Collector<'_>) {
    let callee = out.field(node, Field::Macro).map_or_else(
        || OPAQUE.to_string(),
        |name| format!("{}!", render(name, out)),
    );
    let tokens = named_children(node)
        .into_iter()
        .find(|child| child.kind() == "token_tree");
    let first_string_arg = tokens.and_then(|tokens| scan_token_tree(tokens, &callee, out));
    out.add_call(node, callee, first_string_arg);
}

/// State of the path being read inside one token tree.
#[derive(Default)]
struct Chain<'t> {
    path: String,
    start: Option<Node<'t>>,
    after_separator: bool,
    bang: bool,
}

impl<'t> Chain<'t> {
    fn reset(&mut self) {
        self.path.clear();
        self.start = None;
        self.after_separator = false;
        self.bang = false;
    }

    fn extendable(&self) -> bool {
        !self.path.is_empty() && !self.after_separator && !self.bang
    }

    fn name(&mut self, node: Node<'t>, text: &str) {
        if self.after_separator && !self.path.is_empty() {
            self.path.push_str(text);
            self.after_separator = false;
        } else {
            self.reset();
            self.path.push_str(text);
            self.start = Some(node);
        }
        self.clamp();
    }

    fn clamp(&mut self) {
        if self.path.len() > MAX_TOKEN_PATH {
            self.path = OPAQUE.to_string();
        }
    }
}

/// Walks a macro's token tree (iteratively): records SQL-looking string
/// literals, calls recovered from `path(...)` / `path!(...)` token
/// sequences, and returns the first string literal's content.
fn scan_token_tree(root: Node<'_>, callee: &str, out: &mut Collector<'_>) -> Option<String> {
    let mut first_string = None;
    let mut levels: Vec<Chain<'_>> = vec![Chain::default()];
    let mut cursor = root.walk();
    if !cursor.goto_first_child() {
        return None;
    }
    loop {
        let node = cursor.node();
        let kind = node.kind();
        let mut descend = false;
        if let Some(chain) = levels.last_mut() {
            match kind {
                "string_literal" | "raw_string_literal" => {
                    let content = string_content(node, out);
                    // Strings of the macro's own arguments, or of a call inside them.
                    out.check_sql(node, &content, callee);
                    if first_string.is_none() {
                        first_string = Some(content);
                    }
                    chain.reset();
                }
                "token_tree" => {
                    let parenthesized = node.child(0).is_some_and(|open| open.kind() == "(");
                    match chain.start {
                        Some(start)
                            if !chain.path.is_empty()
                                && !chain.after_separator
                                && (parenthesized || chain.bang) =>
                        {
                            // A macro's path already ends in `!`.
                            let callee = chain.path.clone();
                            let first_argument = first_named_child(node)
                                .filter(|arg| is_string(*arg))
                                .map(|arg| string_content(arg, out));
                            out.add_call_at(
                                start.start_byte(),
                                node.end_byte(),
                                start,
                                callee,
                                first_argument,
                            );
                            chain.path.push_str("()");
                            chain.clamp();
                            chain.bang = false;
                        }
                        _ => chain.reset(),
                    }
                    descend = true;
                }
                "identifier" | "self" | "super" | "crate" | "metavariable" => {
                    chain.name(node, out.text(node));
                }
                "." | "::" => {
                    if chain.extendable() {
                        chain.path.push_str(kind);
                        chain.after_separator = true;
                    } else {
                        chain.reset();
                    }
                }
                "await" => {
                    if chain.after_separator && chain.path.ends_with('.') {
                        chain.path.pop();
                        chain.after_separator = false;
                    } else {
                        chain.reset();
                    }
                }
                "!" => {
                    if chain.extendable() {
                        chain.path.push('!');
                        chain.bang = true;
                    } else {
                        chain.reset();
                    }
                }
                "?" => {}
                _ if is_comment(kind) => {}
                _ => chain.reset(),
            }
        }
        if descend && cursor.goto_first_child() {
            levels.push(Chain::default());
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return first_string;
            }
            levels.pop();
            if levels.is_empty() {
                return first_string;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::analyze::{
        Analysis, ControlFlowKind, DefinitionKind, ImportKind, ImportName, Language, Location,
        analyze,
    };

    fn run(source: &str) -> Analysis {
        analyze(Language::Rust, source)
    }

    fn callees(source: &str) -> Vec<String> {
        run(source).calls.into_iter().map(|c| c.callee).collect()
    }

    type Expected = (String, Vec<ImportName>, Option<String>, ImportKind);

    fn imp(module: &str, glob: bool, alias: Option<&str>, kind: ImportKind) -> Expected {
        let names = if glob {
            vec![ImportName {
                name: "*".to_string(),
                alias: None,
            }]
        } else {
            Vec::new()
        };
        (module.to_string(), names, alias.map(str::to_string), kind)
    }

    #[test]
    fn imports() {
        use ImportKind::{Mod, Use};
        let cases: Vec<(&str, Vec<Expected>)> = vec![
            (
                "use crate::modules::users::service;",
                vec![imp("crate::modules::users::service", false, None, Use)],
            ),
            (
                "use actix_web::{web, HttpResponse, Responder};",
                vec![
                    imp("actix_web::web", false, None, Use),
                    imp("actix_web::HttpResponse", false, None, Use),
                    imp("actix_web::Responder", false, None, Use),
                ],
            ),
            (
                "use super::repository::*;",
                vec![imp("super::repository", true, None, Use)],
            ),
            (
                "use sqlx::{PgPool as Pool};",
                vec![imp("sqlx::PgPool", false, Some("Pool"), Use)],
            ),
            (
                "use sqlx::PgPool as Pool;",
                vec![imp("sqlx::PgPool", false, Some("Pool"), Use)],
            ),
            (
                "use a::{b::{c, d}, e};",
                vec![
                    imp("a::b::c", false, None, Use),
                    imp("a::b::d", false, None, Use),
                    imp("a::e", false, None, Use),
                ],
            ),
            (
                "use std::io::{self, Write};",
                vec![
                    imp("std::io", false, None, Use),
                    imp("std::io::Write", false, None, Use),
                ],
            ),
            (
                "use a::{b::*, c};",
                vec![imp("a::b", true, None, Use), imp("a::c", false, None, Use)],
            ),
            ("use ::std::fmt;", vec![imp("::std::fmt", false, None, Use)]),
            (
                "pub use self::inner::Thing;",
                vec![imp("self::inner::Thing", false, None, Use)],
            ),
            ("use serde;", vec![imp("serde", false, None, Use)]),
            ("mod handlers;", vec![imp("handlers", false, None, Mod)]),
            ("pub(crate) mod db;", vec![imp("db", false, None, Mod)]),
            (
                "mod tests { use super::*; }",
                vec![imp("super", true, None, Use)],
            ),
            ("extern crate x;", vec![imp("x", false, None, Use)]),
            (
                "extern crate foo as bar;",
                vec![imp("foo", false, Some("bar"), Use)],
            ),
            (
                "fn f() { use diesel::prelude::*; }",
                vec![imp("diesel::prelude", true, None, Use)],
            ),
            (
                "// use a::b;\nconst S: &str = \"use c::d;\";\n/* mod x; */",
                vec![],
            ),
        ];
        for (source, expected) in cases {
            let got: Vec<Expected> = run(source)
                .imports
                .into_iter()
                .map(|i| (i.module, i.names, i.alias, i.kind))
                .collect();
            assert_eq!(got, expected, "{source}");
        }
    }

    #[test]
    fn calls() {
        let cases: Vec<(&str, Vec<&str>)> = vec![
            (
                "async fn f() { let rows = sqlx::query(\"SELECT id FROM users\").fetch_all(&pool).await?; }",
                vec!["sqlx::query", "sqlx::query().fetch_all"],
            ),
            ("async fn f() { tx.commit().await?; }", vec!["tx.commit"]),
            (
                "fn f(&self) { self.pool.acquire().await.unwrap(); }",
                vec!["self.pool.acquire", "self.pool.acquire().unwrap"],
            ),
            (
                "fn f() -> HttpResponse { HttpResponse::Ok().json(x) }",
                vec!["HttpResponse::Ok", "HttpResponse::Ok().json"],
            ),
            (
                "fn f() { let u = sqlx::query_as!(User, \"SELECT * FROM users\"); }",
                vec!["sqlx::query_as!"],
            ),
            ("fn f() { println!(\"hi\"); }", vec!["println!"]),
            ("fn f() { Vec::<u8>::new(); }", vec!["Vec::new"]),
            ("fn f() { iter.collect::<Vec<_>>(); }", vec!["iter.collect"]),
            (
                "fn f() { ::std::mem::take(&mut x); }",
                vec!["::std::mem::take"],
            ),
            (
                "fn f() { <T as Default>::default(); }",
                vec!["<expr>::default"],
            ),
            ("fn f() { (self.f)(1); }", vec!["self.f"]),
            (
                "fn f() { format!(\"{}\", 1).len(); }",
                vec!["format!", "format!().len"],
            ),
            (
                "fn f() { vec![format!(\"x\"), foo.bar(1)?.baz(), conn.run().await.ok()]; }",
                vec![
                    "vec!",
                    "format!",
                    "foo.bar",
                    "foo.bar().baz",
                    "conn.run",
                    "conn.run().ok",
                ],
            ),
            (
                "fn f() { assert!(tx.commit().await.is_ok()); }",
                vec!["assert!", "tx.commit", "tx.commit().is_ok"],
            ),
            (
                "#[derive(Debug)]\n#[cfg(all(feature = \"x\"))]\nstruct S;",
                vec![],
            ),
            (
                "// session.commit();\nconst S: &str = \"db.query()\";\n/* x.y() */\n/// z()\nfn f() {}",
                vec![],
            ),
        ];
        for (source, expected) in cases {
            assert_eq!(callees(source), expected, "{source}");
        }
    }

    #[test]
    fn first_string_args() {
        let cases: Vec<(&str, Option<&str>)> = vec![
            ("fn f() { g(\"x\"); }", Some("x")),
            ("fn f() { g(r#\"raw \"q\"\"#); }", Some("raw \"q\"")),
            ("fn f() { g(b\"bytes\"); }", Some("bytes")),
            ("fn f() { g(x, \"y\"); }", None),
            ("fn f() { g(); }", None),
            (
                "fn f() { sqlx::query_as!(User, \"SELECT 1\"); }",
                Some("SELECT 1"),
            ),
            ("fn f() { m!(a, (b, \"deep\"), \"later\"); }", Some("deep")),
            ("fn f() { m!(); }", None),
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
    fn sql_strings() {
        let cases: Vec<(&str, Vec<&str>)> = vec![
            (
                "async fn f() { sqlx::query(\"SELECT id FROM users\").fetch_all(&pool).await?; }",
                vec!["SELECT id FROM users"],
            ),
            (
                "fn f() { sqlx::query_as!(User, r#\"\n  SELECT *\n  FROM users\n\"#); }",
                vec!["SELECT * FROM users"],
            ),
            (
                "fn f() { conn.execute(\"UPDATE users SET name = $1\", &[&n]); }",
                vec!["UPDATE users SET name = $1"],
            ),
            ("const Q: &str = \"SELECT * FROM users\";", vec![]),
            ("/// SELECT * FROM users\nfn f() {}", vec![]),
            ("// db.execute(\"DELETE FROM users\")", vec![]),
            ("fn f() { log(\"selected from list\"); }", vec![]),
            // Text that is shown, not run.
            (
                "fn f() { println!(\"SELECT * FROM users is not run here\"); }",
                vec![],
            ),
            (
                "fn f() { tracing::info!(\"DELETE FROM sessions done\"); }",
                vec![],
            ),
            (
                "fn f() { let q = format!(\"SELECT * FROM {t}\"); }",
                vec!["SELECT * FROM {t}"],
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
    fn definitions() {
        let source = "pub async fn list() {}\nstruct User;\nenum Role {}\ntrait Repo { fn get(&self); }\nimpl Repo for X { fn get(&self) {} }\nunion U { a: u8 }\n";
        let got: Vec<(String, DefinitionKind, bool)> = run(source)
            .definitions
            .into_iter()
            .map(|d| (d.name, d.kind, d.is_async))
            .collect();
        let expected = vec![
            ("list".to_string(), DefinitionKind::Function, true),
            ("User".to_string(), DefinitionKind::Class, false),
            ("Role".to_string(), DefinitionKind::Class, false),
            ("Repo".to_string(), DefinitionKind::Class, false),
            ("get".to_string(), DefinitionKind::Function, false),
            ("U".to_string(), DefinitionKind::Class, false),
        ];
        assert_eq!(got, expected);
    }

    #[test]
    fn control_flow() {
        use ControlFlowKind::{Conditional, Loop};
        let cases: Vec<(&str, Vec<ControlFlowKind>)> = vec![
            ("fn f() { for x in y {} }", vec![Loop]),
            (
                "fn f() { while a {} while let Some(x) = it.next() {} }",
                vec![Loop, Loop],
            ),
            ("fn f() { loop { break; } }", vec![Loop]),
            ("fn f() { if a {} else if b {} else {} }", vec![Conditional]),
            ("fn f() { if let Some(x) = y {} }", vec![Conditional]),
            ("fn f() { match x { _ => {} } }", vec![Conditional]),
            (
                "fn f() { let v: Vec<_> = xs.iter().map(|x| x).collect(); }",
                vec![],
            ),
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
    fn no_raises() {
        let analysis = run("fn f() -> Result<(), E> { Err(E::NotFound)?; panic!(\"x\"); }");
        assert!(analysis.raises.is_empty());
    }

    #[test]
    fn only_comments() {
        let analysis = run("// a\n/* b */\n//! c\n// squarely: allow(x) y\n");
        assert!(!analysis.has_errors);
        assert!(analysis.calls.is_empty() && analysis.imports.is_empty());
        assert_eq!(analysis.waivers.len(), 1);
    }

    #[test]
    fn syntax_errors_give_partial_results() {
        let analysis = run("use sqlx::PgPool;\nfn broken( {\n    tx.commit();\n");
        assert!(analysis.has_errors);
        assert!(analysis.imports.iter().any(|i| i.module == "sqlx::PgPool"));
        assert!(analysis.calls.iter().any(|c| c.callee == "tx.commit"));
    }

    #[test]
    fn non_ascii_locations() {
        let analysis = run("fn f() { let é = \"ñ\"; données.sauver(\"ö\"); }\n");
        let call = &analysis.calls[0];
        assert_eq!(call.callee, "données.sauver");
        assert_eq!(call.first_string_arg.as_deref(), Some("ö"));
        // "fn f() { let é = \"ñ\"; " is 24 bytes.
        assert_eq!(
            call.location,
            Location {
                line: 1,
                column: 25
            }
        );
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let depth = 100_000;
        let parens = format!(
            "fn f() {{ {}g(1){}; }}",
            "(".repeat(depth),
            ")".repeat(depth)
        );
        assert_eq!(run(&parens).calls.len(), 1);
        let calls = format!("fn f() {{ {}1{}; }}", "g(".repeat(depth), ")".repeat(depth));
        assert_eq!(run(&calls).calls.len(), depth);
        let tokens = format!(
            "fn f() {{ m!{}h(\"x\"){}; }}",
            "(".repeat(depth),
            ")".repeat(depth)
        );
        let analysis = run(&tokens);
        assert_eq!(analysis.calls.len(), 2);
        assert_eq!(analysis.calls[0].first_string_arg.as_deref(), Some("x"));
        let blocks = format!("fn f() {}{}", "{".repeat(depth), "}".repeat(depth));
        let _ = run(&blocks);
        assert!(run(&"(".repeat(depth)).has_errors);
    }

    #[test]
    fn pathological_inputs_stay_bounded() {
        let depth = 20_000;
        let chain = format!("fn f() {{ m!(a{}); }}", ".b()".repeat(depth));
        let analysis = run(&chain);
        assert_eq!(analysis.calls.len(), depth + 1);
        assert!(analysis.calls.iter().all(|c| c.callee.len() < 1024));
        let chain = format!("fn f() {{ a{}; }}", ".b()".repeat(depth));
        let analysis = run(&chain);
        assert_eq!(analysis.calls.len(), depth);
        assert!(analysis.calls.iter().all(|c| c.callee.len() < 1024));
        let groups = format!("use {}x{};", "a::{".repeat(100_000), "}".repeat(100_000));
        let _ = run(&groups);
        let path = format!("use {}x;", "a::".repeat(100_000));
        assert_eq!(run(&path).imports.len(), 1);
    }

    #[test]
    fn large_file_completes() {
        let chunk = "pub async fn handler_{i}(pool: &PgPool) -> Result<User> {\n    let user = sqlx::query_as!(User, \"SELECT * FROM users WHERE id = $1\", {i}).fetch_one(pool).await?;\n    tx.commit().await?;\n    Ok(user)\n}\n\n";
        let mut source = String::new();
        let mut functions = 0;
        while source.len() < 5 * 1024 * 1024 {
            source.push_str(&chunk.replace("{i}", &functions.to_string()));
            functions += 1;
        }
        let analysis = run(&source);
        assert!(!analysis.has_errors);
        assert_eq!(analysis.calls.len(), functions * 4);
        assert_eq!(analysis.sql_strings.len(), functions);
        assert_eq!(analysis.definitions.len(), functions);
    }
}
