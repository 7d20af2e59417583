//! TypeScript, TSX and JavaScript/JSX specifics (tree-sitter-typescript and
//! tree-sitter-javascript share almost all node kinds, so one visitor serves
//! all of them).
//!
//! * Imports: ES `import` forms (default as name `"default"`, namespace as
//!   `"*"`, named with aliases; `import type` is reported like any import),
//!   side-effect imports, `export ... from` re-exports (`ExportFrom`),
//!   `require('m')` with a string argument (`Require`, binding name as alias,
//!   destructured names as names), TS `import x = require('m')`, and
//!   `import('m')` with a literal argument (`Dynamic`). `require(...)` is
//!   also reported as a call; `import(...)` is not (it is syntax, not a
//!   function).
//! * Calls: `call_expression` (including tagged templates such as
//!   `` sql`...` ``) and `new_expression` (callee `"new X"`). Calls inside
//!   JSX expressions and template substitutions are real calls.
//! * Raises: `throw new X(...)` gives `"X"`; `throw err` gives `"err"`.
//! * SQL: string and template literal arguments. A template literal with
//!   `${...}` substitutions still counts as SQL when its text looks like SQL
//!   (that is exactly the injection-prone case); it is never a
//!   `first_string_arg`.

use std::borrow::Cow;

use tree_sitter::Node;

use super::{
    Collector, ControlFlowKind, DefinitionKind, Field, Import, ImportKind, ImportName, OPAQUE,
    Step, Visit, first_named_child, has_child_kind, location, named_children, render_path,
};

/// TypeScript/TSX/JavaScript visitor.
pub(crate) struct Visitor;

impl Visit for Visitor {
    fn visit(&mut self, node: Node<'_>, ancestors: &[Node<'_>], out: &mut Collector<'_>) {
        match node.kind() {
            "import_statement" => import_statement(node, out),
            "export_statement" => export_from(node, out),
            "call_expression" => call(node, ancestors.last().copied(), out),
            "new_expression" => new_call(node, out),
            "throw_statement" => throw(node, out),
            "function_declaration" | "generator_function_declaration" | "method_definition" => {
                if let Some(name) = out.field(node, Field::Name) {
                    let is_async = has_child_kind(node, "async");
                    out.add_definition(node, name, DefinitionKind::Function, is_async);
                }
            }
            "class_declaration" | "abstract_class_declaration" => {
                if let Some(name) = out.field(node, Field::Name) {
                    out.add_definition(node, name, DefinitionKind::Class, false);
                }
            }
            "variable_declarator" | "public_field_definition" | "field_definition" => {
                bound_function(node, out);
            }
            "for_statement" | "for_in_statement" | "while_statement" | "do_statement" => {
                out.add_control_flow(node, ControlFlowKind::Loop);
            }
            "if_statement" => {
                // `else if` continues the chain started by the first `if`.
                let continues_chain = ancestors
                    .last()
                    .is_some_and(|parent| parent.kind() == "else_clause");
                if !continues_chain {
                    out.add_control_flow(node, ControlFlowKind::Conditional);
                }
            }
            "switch_statement" => out.add_control_flow(node, ControlFlowKind::Conditional),
            _ => {}
        }
    }
}

/// A string or template literal's content and whether it has `${...}`
/// substitutions.
fn string_literal(node: Node<'_>, out: &Collector<'_>) -> Option<(String, bool)> {
    let text = out.text(node);
    match node.kind() {
        "string" => {
            let inner = text
                .strip_prefix(['"', '\''])
                .and_then(|rest| rest.strip_suffix(['"', '\'']))
                .unwrap_or("");
            Some((inner.to_string(), false))
        }
        "template_string" => {
            let inner = text
                .strip_prefix('`')
                .and_then(|rest| rest.strip_suffix('`'))
                .unwrap_or("");
            let substituted = has_child_kind(node, "template_substitution");
            Some((inner.to_string(), substituted))
        }
        _ => None,
    }
}

/// The module named by a `source` string node.
fn module_of(node: Node<'_>, out: &Collector<'_>) -> Option<String> {
    match string_literal(node, out) {
        Some((module, false)) => Some(module),
        _ => None,
    }
}

/// An imported/exported name: identifiers as written, string names
/// (`import {"a-b" as c}`) without quotes.
fn name_text(node: Node<'_>, out: &Collector<'_>) -> String {
    string_literal(node, out).map_or_else(|| out.text(node).to_string(), |(name, _)| name)
}

fn specifiers(list: Node<'_>, out: &Collector<'_>, names: &mut Vec<ImportName>) {
    for specifier in named_children(list) {
        if !matches!(specifier.kind(), "import_specifier" | "export_specifier") {
            continue;
        }
        if let Some(name) = out.field(specifier, Field::Name) {
            names.push(ImportName {
                name: name_text(name, out),
                alias: out
                    .field(specifier, Field::Alias)
                    .map(|alias| name_text(alias, out)),
            });
        }
    }
}

fn import_statement(node: Node<'_>, out: &mut Collector<'_>) {
    let mut names = Vec::new();
    for child in named_children(node) {
        match child.kind() {
            "import_require_clause" => {
                // TS `import x = require('m')`.
                let Some(module) = out
                    .field(child, Field::Source)
                    .and_then(|source| module_of(source, out))
                else {
                    return;
                };
                let alias = first_named_child(child)
                    .filter(|name| name.kind() == "identifier")
                    .map(|name| out.text(name).to_string());
                out.add_import(Import {
                    module,
                    level: 0,
                    names: Vec::new(),
                    alias,
                    kind: ImportKind::Require,
                    location: location(node),
                });
                return;
            }
            "import_clause" => {
                for part in named_children(child) {
                    match part.kind() {
                        "identifier" => names.push(ImportName {
                            name: "default".to_string(),
                            alias: Some(out.text(part).to_string()),
                        }),
                        "namespace_import" => names.push(ImportName {
                            name: "*".to_string(),
                            alias: first_named_child(part).map(|ns| out.text(ns).to_string()),
                        }),
                        "named_imports" => specifiers(part, out, &mut names),
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    let Some(module) = out
        .field(node, Field::Source)
        .and_then(|source| module_of(source, out))
    else {
        return;
    };
    out.add_import(Import {
        module,
        level: 0,
        names,
        alias: None,
        kind: ImportKind::Import,
        location: location(node),
    });
}

fn export_from(node: Node<'_>, out: &mut Collector<'_>) {
    let Some(module) = out
        .field(node, Field::Source)
        .and_then(|source| module_of(source, out))
    else {
        return;
    };
    let mut names = Vec::new();
    let mut has_clause = false;
    for child in named_children(node) {
        match child.kind() {
            "namespace_export" => {
                has_clause = true;
                names.push(ImportName {
                    name: "*".to_string(),
                    alias: first_named_child(child).map(|ns| name_text(ns, out)),
                });
            }
            "export_clause" => {
                has_clause = true;
                specifiers(child, out, &mut names);
            }
            _ => {}
        }
    }
    if !has_clause {
        // `export * from 'm'`
        names.push(ImportName {
            name: "*".to_string(),
            alias: None,
        });
    }
    out.add_import(Import {
        module,
        level: 0,
        names,
        alias: None,
        kind: ImportKind::ExportFrom,
        location: location(node),
    });
}

/// How TS/JS expressions render as callee paths.
fn step<'t, 's>(node: Node<'t>, out: &Collector<'s>) -> Step<'t, 's> {
    match node.kind() {
        "identifier"
        | "this"
        | "super"
        | "import"
        | "property_identifier"
        | "private_property_identifier"
        | "type_identifier" => Step::Leaf(Cow::Borrowed(out.text(node))),
        "member_expression" => match (
            out.field(node, Field::Object),
            out.field(node, Field::Property),
        ) {
            (Some(object), Some(property)) => Step::Member {
                object,
                separator: ".",
                name: out.text(property),
            },
            _ => Step::Opaque,
        },
        "call_expression" => out
            .field(node, Field::Function)
            .map_or(Step::Opaque, |inner| Step::Suffix {
                inner,
                suffix: "()",
            }),
        "new_expression" => out
            .field(node, Field::Constructor)
            .map_or(Step::Opaque, Step::New),
        "await_expression"
        | "parenthesized_expression"
        | "non_null_expression"
        | "as_expression"
        | "satisfies_expression" => first_named_child(node).map_or(Step::Opaque, Step::Unwrap),
        "type_assertion" => named_children(node)
            .last()
            .copied()
            .map_or(Step::Opaque, Step::Unwrap),
        _ => Step::Opaque,
    }
}

/// Renders an expression as a dotted path (`this.userRepository.findOne`).
fn render(node: Node<'_>, out: &Collector<'_>) -> String {
    render_path(node, |n| step(n, out))
}

/// The argument nodes of a call or `new` (a tagged template is its single
/// argument).
fn arguments<'t>(node: Node<'t>, out: &Collector<'_>) -> Vec<Node<'t>> {
    match out.field(node, Field::Arguments) {
        Some(arguments) if arguments.kind() == "template_string" => vec![arguments],
        Some(arguments) => named_children(arguments),
        None => Vec::new(),
    }
}

/// Records SQL arguments and returns the first argument's plain string.
fn scan_arguments(arguments: &[Node<'_>], callee: &str, out: &mut Collector<'_>) -> Option<String> {
    let mut first_string_arg = None;
    for (index, argument) in arguments.iter().enumerate() {
        if let Some((content, substituted)) = string_literal(*argument, out) {
            if index == 0 && !substituted {
                first_string_arg = Some(content.clone());
            }
            out.check_sql(*argument, &content, callee);
        }
    }
    first_string_arg
}

fn call(node: Node<'_>, parent: Option<Node<'_>>, out: &mut Collector<'_>) {
    let Some(function) = out.field(node, Field::Function) else {
        return;
    };
    let arguments = arguments(node, out);
    if function.kind() == "import" {
        // `import('m')`: a dynamic import, not a call.
        if let Some(module) = arguments.first().and_then(|arg| module_of(*arg, out)) {
            out.add_import(Import {
                module,
                level: 0,
                names: Vec::new(),
                alias: None,
                kind: ImportKind::Dynamic,
                location: location(node),
            });
        }
        return;
    }
    let callee = render(function, out);
    let first_string_arg = scan_arguments(&arguments, &callee, out);
    if callee == "require"
        && let Some(module) = arguments.first().and_then(|arg| module_of(*arg, out))
    {
        let (alias, names) = require_binding(node, parent, out);
        out.add_import(Import {
            module,
            level: 0,
            names,
            alias,
            kind: ImportKind::Require,
            location: location(node),
        });
    }
    out.add_call(node, callee, first_string_arg);
}

/// The binding of `const x = require('m')` / `const {a, b: c} = require('m')`.
fn require_binding(
    call: Node<'_>,
    parent: Option<Node<'_>>,
    out: &Collector<'_>,
) -> (Option<String>, Vec<ImportName>) {
    let Some(declarator) = parent.filter(|p| {
        p.kind() == "variable_declarator"
            && out.field(*p, Field::Value).map(|v| v.id()) == Some(call.id())
    }) else {
        return (None, Vec::new());
    };
    let Some(pattern) = out.field(declarator, Field::Name) else {
        return (None, Vec::new());
    };
    match pattern.kind() {
        "identifier" => (Some(out.text(pattern).to_string()), Vec::new()),
        "object_pattern" => {
            let mut names = Vec::new();
            for property in named_children(pattern) {
                match property.kind() {
                    "shorthand_property_identifier_pattern" => names.push(ImportName {
                        name: out.text(property).to_string(),
                        alias: None,
                    }),
                    "pair_pattern" => {
                        if let Some(key) = out.field(property, Field::Key) {
                            let alias = out
                                .field(property, Field::Value)
                                .filter(|value| value.kind() == "identifier")
                                .map(|value| out.text(value).to_string());
                            names.push(ImportName {
                                name: name_text(key, out),
                                alias,
                            });
                        }
                    }
                    "object_assignment_pattern" => {
                        if let Some(left) = out.field(property, Field::Left) {
                            names.push(ImportName {
                                name: out.text(left).to_string(),
                                alias: None,
                            });
                        }
                    }
                    _ => {}
                }
            }
            (None, names)
        }
        _ => (None, Vec::new()),
    }
}

fn new_call(node: Node<'_>, out: &mut Collector<'_>) {
    let callee = out.field(node, Field::Constructor).map_or_else(
        || OPAQUE.to_string(),
        |constructor| format!("new {}", render(constructor, out)),
    );
    let first_string_arg = scan_arguments(&arguments(node, out), &callee, out);
    out.add_call(node, callee, first_string_arg);
}

fn throw(node: Node<'_>, out: &mut Collector<'_>) {
    let Some(thrown) = first_named_child(node) else {
        return;
    };
    let target = match thrown.kind() {
        "new_expression" => out.field(thrown, Field::Constructor),
        "call_expression" => out.field(thrown, Field::Function),
        _ => Some(thrown),
    };
    let path = target.map_or_else(|| OPAQUE.to_string(), |target| render(target, out));
    out.add_raise(node, path);
}

/// `const f = async () => ...`, `const f = function () {}` and class fields
/// holding arrow functions.
fn bound_function(node: Node<'_>, out: &mut Collector<'_>) {
    let Some(value) = out.field(node, Field::Value) else {
        return;
    };
    if !matches!(
        value.kind(),
        "arrow_function" | "function_expression" | "function" | "generator_function"
    ) {
        return;
    }
    let name = out
        .field(node, Field::Name)
        .or_else(|| out.field(node, Field::Property));
    let Some(name) = name.filter(|name| {
        matches!(
            name.kind(),
            "identifier" | "property_identifier" | "private_property_identifier"
        )
    }) else {
        return;
    };
    let is_async = has_child_kind(value, "async");
    out.add_definition(node, name, DefinitionKind::Function, is_async);
}

#[cfg(test)]
mod tests {
    use crate::analyze::{
        Analysis, ControlFlowKind, DefinitionKind, ImportKind, ImportName, Language, Location,
        analyze,
    };

    const ALL: [Language; 3] = [Language::TypeScript, Language::Tsx, Language::JavaScript];
    const TS: [Language; 2] = [Language::TypeScript, Language::Tsx];

    fn callees(language: Language, source: &str) -> Vec<String> {
        analyze(language, source)
            .calls
            .into_iter()
            .map(|c| c.callee)
            .collect()
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

    type Expected = (String, Vec<ImportName>, Option<String>, ImportKind);

    fn imp(
        module: &str,
        names: Vec<ImportName>,
        alias: Option<&str>,
        kind: ImportKind,
    ) -> Expected {
        (module.to_string(), names, alias.map(str::to_string), kind)
    }

    fn check_imports(cases: &[(&[Language], &str, Vec<Expected>)]) {
        for (languages, source, expected) in cases {
            for language in *languages {
                let got: Vec<Expected> = analyze(*language, source)
                    .imports
                    .into_iter()
                    .map(|i| (i.module, i.names, i.alias, i.kind))
                    .collect();
                assert_eq!(&got, expected, "{language:?}: {source}");
            }
        }
    }

    #[test]
    fn es_imports_and_reexports() {
        use ImportKind::{ExportFrom, Import};
        let cases: Vec<(&[Language], &str, Vec<Expected>)> = vec![
            (
                &ALL,
                "import x from 'm';",
                vec![imp("m", names(&[("default", Some("x"))]), None, Import)],
            ),
            (
                &ALL,
                "import {a, b as c} from \"m\";",
                vec![imp(
                    "m",
                    names(&[("a", None), ("b", Some("c"))]),
                    None,
                    Import,
                )],
            ),
            (
                &ALL,
                "import React, { useState } from 'react';",
                vec![imp(
                    "react",
                    names(&[("default", Some("React")), ("useState", None)]),
                    None,
                    Import,
                )],
            ),
            (
                &ALL,
                "import * as ns from '@prisma/client';",
                vec![imp(
                    "@prisma/client",
                    names(&[("*", Some("ns"))]),
                    None,
                    Import,
                )],
            ),
            (
                &TS,
                "import type {T} from 'm';",
                vec![imp("m", names(&[("T", None)]), None, Import)],
            ),
            (
                &ALL,
                "import 'side';",
                vec![imp("side", vec![], None, Import)],
            ),
            (
                &ALL,
                "export * from './x';",
                vec![imp("./x", names(&[("*", None)]), None, ExportFrom)],
            ),
            (
                &ALL,
                "export * as q from './x';",
                vec![imp("./x", names(&[("*", Some("q"))]), None, ExportFrom)],
            ),
            (
                &ALL,
                "export {a, b as c} from './y';",
                vec![imp(
                    "./y",
                    names(&[("a", None), ("b", Some("c"))]),
                    None,
                    ExportFrom,
                )],
            ),
            (&ALL, "export const a = 1; export { a as b };", vec![]),
        ];
        check_imports(&cases);
    }

    #[test]
    fn require_and_dynamic_imports() {
        use ImportKind::{Dynamic, Require};
        let cases: Vec<(&[Language], &str, Vec<Expected>)> = vec![
            (
                &ALL,
                "const x = require('m');",
                vec![imp("m", vec![], Some("x"), Require)],
            ),
            (
                &ALL,
                "const {a, b: c} = require('m');",
                vec![imp(
                    "m",
                    names(&[("a", None), ("b", Some("c"))]),
                    None,
                    Require,
                )],
            ),
            (
                &ALL,
                "require('dotenv').config();",
                vec![imp("dotenv", vec![], None, Require)],
            ),
            (&ALL, "require(name);", vec![]),
            (
                &TS,
                "import db = require('./db');",
                vec![imp("./db", vec![], Some("db"), Require)],
            ),
            (
                &ALL,
                "async function f() { const m = await import('m'); }",
                vec![imp("m", vec![], None, Dynamic)],
            ),
            (&ALL, "import(`./${x}`);", vec![]),
            (
                &ALL,
                "// import x from 'no';\nconst s = \"import y from 'no'\";\n/* require('no') */",
                vec![],
            ),
        ];
        check_imports(&cases);
    }

    #[test]
    fn calls() {
        let cases: Vec<(&[Language], &str, Vec<&str>)> = vec![
            (
                &ALL,
                "this.userRepository.findOne({ where: { id } });",
                vec!["this.userRepository.findOne"],
            ),
            (
                &ALL,
                "await prisma.user.findMany();",
                vec!["prisma.user.findMany"],
            ),
            (
                &ALL,
                "res.status(404).json({});",
                vec!["res.status", "res.status().json"],
            ),
            (
                &ALL,
                "new HttpException('x', 404);",
                vec!["new HttpException"],
            ),
            (&ALL, "new a.B().c();", vec!["new a.B", "new a.B().c"]),
            // The outer call starts first (at the parenthesis).
            (
                &ALL,
                "(await getRepo()).save(u);",
                vec!["getRepo().save", "getRepo"],
            ),
            (&ALL, "a?.b?.c();", vec!["a.b.c"]),
            (&ALL, "handlers[0]();", vec!["<expr>"]),
            (&ALL, "(() => 1)();", vec!["<expr>"]),
            (&ALL, "this.#run();", vec!["this.#run"]),
            (&ALL, "sql`SELECT 1 FROM t`;", vec!["sql"]),
            (&ALL, "const x = require('m');", vec!["require"]),
            (&TS, "this.repo!.save(x);", vec!["this.repo.save"]),
            (&TS, "(db as Db).query<User>('q');", vec!["db.query"]),
            (&TS, "repo.find<User>();", vec!["repo.find"]),
            (
                &ALL,
                "// session.commit();\nconst s = 'db.query()';\nconst t = `x.y()`;\n/* z() */",
                vec![],
            ),
            (&ALL, "const t = `${db.query()}`;", vec!["db.query"]),
            (
                &[Language::Tsx, Language::JavaScript],
                "const C = () => <Button onClick={() => api.remove(id)}>{t('x')}</Button>;",
                vec!["api.remove", "t"],
            ),
        ];
        for (languages, source, expected) in cases {
            for language in languages {
                assert_eq!(
                    callees(*language, source),
                    expected,
                    "{language:?}: {source}"
                );
            }
        }
    }

    #[test]
    fn first_string_args() {
        let cases: Vec<(&str, Option<&str>)> = vec![
            ("f('x');", Some("x")),
            ("f(\"y\", 1);", Some("y")),
            ("f(`plain`);", Some("plain")),
            ("f(`with ${x}`);", None),
            ("sql`SELECT 1`;", Some("SELECT 1")),
            ("f(x, 'y');", None),
            ("f();", None),
            ("f('');", Some("")),
        ];
        for language in ALL {
            for (source, expected) in &cases {
                let analysis = analyze(language, source);
                assert_eq!(
                    analysis.calls[0].first_string_arg.as_deref(),
                    *expected,
                    "{language:?}: {source}"
                );
            }
        }
    }

    #[test]
    fn raises() {
        let cases: Vec<(&str, Vec<(&str, &str)>)> = vec![
            (
                "throw new HttpException('x', 404);",
                vec![("HttpException", "HttpException")],
            ),
            (
                "throw new errors.NotFound();",
                vec![("NotFound", "errors.NotFound")],
            ),
            ("throw err;", vec![("err", "err")]),
            (
                "throw createError(404);",
                vec![("createError", "createError")],
            ),
            ("// throw new X();\nconst s = 'throw new Y()';", vec![]),
        ];
        for language in ALL {
            for (source, expected) in &cases {
                let got: Vec<(String, String)> = analyze(language, source)
                    .raises
                    .into_iter()
                    .map(|r| (r.name, r.path))
                    .collect();
                let expected: Vec<(String, String)> = expected
                    .iter()
                    .map(|(n, p)| ((*n).to_string(), (*p).to_string()))
                    .collect();
                assert_eq!(got, expected, "{language:?}: {source}");
            }
        }
        // `throw new X()` is also a call "new X".
        let analysis = analyze(Language::TypeScript, "throw new HttpException('x', 404);");
        assert_eq!(analysis.calls[0].callee, "new HttpException");
    }

    #[test]
    fn definitions() {
        type Case = (
            &'static [Language],
            &'static str,
            Vec<(&'static str, DefinitionKind, bool)>,
        );
        let cases: Vec<Case> = vec![
            (
                &ALL,
                "async function load() {}\nfunction* gen() {}\nclass Svc { async find() {} static make() {} }",
                vec![
                    ("load", DefinitionKind::Function, true),
                    ("gen", DefinitionKind::Function, false),
                    ("Svc", DefinitionKind::Class, false),
                    ("find", DefinitionKind::Function, true),
                    ("make", DefinitionKind::Function, false),
                ],
            ),
            (
                &ALL,
                "const f = async () => 1;\nlet g = function () {};\nconst h = 1;",
                vec![
                    ("f", DefinitionKind::Function, true),
                    ("g", DefinitionKind::Function, false),
                ],
            ),
            (
                &ALL,
                "class A { handle = async (req) => {}; }",
                vec![
                    ("A", DefinitionKind::Class, false),
                    ("handle", DefinitionKind::Function, true),
                ],
            ),
            (
                &TS,
                "export abstract class Base {}\nexport const c = (x: number): string => '';",
                vec![
                    ("Base", DefinitionKind::Class, false),
                    ("c", DefinitionKind::Function, false),
                ],
            ),
        ];
        for (languages, source, expected) in cases {
            for language in languages {
                let got: Vec<(String, DefinitionKind, bool)> = analyze(*language, source)
                    .definitions
                    .into_iter()
                    .map(|d| (d.name, d.kind, d.is_async))
                    .collect();
                let expected: Vec<(String, DefinitionKind, bool)> = expected
                    .iter()
                    .map(|(n, k, a)| ((*n).to_string(), *k, *a))
                    .collect();
                assert_eq!(got, expected, "{language:?}: {source}");
            }
        }
    }

    #[test]
    fn control_flow() {
        use ControlFlowKind::{Conditional, Loop};
        let cases: Vec<(&str, Vec<ControlFlowKind>)> = vec![
            ("for (let i = 0; i < n; i++) {}", vec![Loop]),
            ("for (const k in o) {}", vec![Loop]),
            ("for (const x of xs) {}", vec![Loop]),
            ("while (a) {}", vec![Loop]),
            ("do {} while (a);", vec![Loop]),
            ("if (a) {} else if (b) {} else {}", vec![Conditional]),
            ("if (a) { if (b) {} }", vec![Conditional, Conditional]),
            ("switch (x) { case 1: break; }", vec![Conditional]),
            ("const y = a ? b : c; xs.map(x => x);", vec![]),
        ];
        for language in ALL {
            for (source, expected) in &cases {
                let got: Vec<ControlFlowKind> = analyze(language, source)
                    .control_flow
                    .into_iter()
                    .map(|c| c.kind)
                    .collect();
                assert_eq!(&got, expected, "{language:?}: {source}");
            }
        }
    }

    #[test]
    fn sql_strings() {
        let cases: Vec<(&str, Vec<&str>)> = vec![
            (
                "db.query(`SELECT * FROM users WHERE id = ${id}`);",
                vec!["SELECT * FROM users WHERE id = ${id}"],
            ),
            (
                "db.query('SELECT id FROM users');",
                vec!["SELECT id FROM users"],
            ),
            (
                "await sql`DELETE FROM sessions`;",
                vec!["DELETE FROM sessions"],
            ),
            (
                "new Query(\"INSERT INTO t VALUES (1)\");",
                vec!["INSERT INTO t VALUES (1)"],
            ),
            ("const q = 'SELECT * FROM users';", vec![]),
            ("// db.query('SELECT * FROM users')", vec![]),
            ("/** SELECT * FROM users */ function f() {}", vec![]),
            ("log('selected from menu');", vec![]),
            // Text that is shown, not run.
            (
                "console.log(`SELECT * FROM users is not run here`);",
                vec![],
            ),
            ("this.logger.warn('DELETE FROM users was refused');", vec![]),
            ("throw new Error('SELECT * FROM x failed');", vec![]),
            (
                "await this.db.raw('SELECT * FROM users');",
                vec!["SELECT * FROM users"],
            ),
        ];
        for language in ALL {
            for (source, expected) in &cases {
                let got: Vec<String> = analyze(language, source)
                    .sql_strings
                    .into_iter()
                    .map(|s| s.snippet)
                    .collect();
                assert_eq!(&got, expected, "{language:?}: {source}");
            }
        }
    }

    #[test]
    fn only_comments() {
        for language in ALL {
            let analysis = analyze(language, "// a\n/* b\n c */\n// squarely: allow(x) y\n");
            assert!(!analysis.has_errors);
            assert!(analysis.calls.is_empty() && analysis.imports.is_empty());
            assert_eq!(analysis.waivers.len(), 1);
        }
    }

    #[test]
    fn syntax_errors_give_partial_results() {
        for language in ALL {
            let analysis = analyze(
                language,
                "import x from 'm';\nconst a = ;\nlet b = [1, 2;\nprisma.user.findMany();\n",
            );
            assert!(analysis.has_errors, "{language:?}");
            assert!(
                analysis.imports.iter().any(|i| i.module == "m"),
                "{language:?}"
            );
            assert!(
                analysis
                    .calls
                    .iter()
                    .any(|c| c.callee == "prisma.user.findMany"),
                "{language:?}"
            );
        }
    }

    #[test]
    fn non_ascii_locations() {
        for language in ALL {
            let analysis = analyze(language, "const ü = 'ñ'; données.sauver('ö');\n");
            let call = &analysis.calls[0];
            assert_eq!(call.callee, "données.sauver");
            assert_eq!(call.first_string_arg.as_deref(), Some("ö"));
            // "const ü = 'ñ'; " is 17 bytes.
            assert_eq!(
                call.location,
                Location {
                    line: 1,
                    column: 18
                },
                "{language:?}"
            );
        }
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let depth = 100_000;
        for language in ALL {
            let parens = format!("x = {}f(1){};\n", "(".repeat(depth), ")".repeat(depth));
            assert_eq!(analyze(language, &parens).calls.len(), 1);
            let calls = format!("{}1{};\n", "g(".repeat(depth), ")".repeat(depth));
            assert_eq!(analyze(language, &calls).calls.len(), depth);
            let blocks = format!("{}{}", "{".repeat(depth), "}".repeat(depth));
            let _ = analyze(language, &blocks);
            assert!(analyze(language, &"(".repeat(depth)).has_errors);
        }
    }

    #[test]
    fn pathological_inputs_stay_bounded() {
        let depth = 20_000;
        let chain = format!("a{};", ".b()".repeat(depth));
        for language in ALL {
            let analysis = analyze(language, &chain);
            assert_eq!(analysis.calls.len(), depth);
            assert!(analysis.calls.iter().all(|c| c.callee.len() < 1024));
        }
        let news = format!("{}X{};", "new (".repeat(depth), ")".repeat(depth));
        let _ = analyze(Language::JavaScript, &news);
    }

    #[test]
    fn large_file_completes() {
        let chunk = "export async function handler{i}(req, res) {\n  const user = await this.repo.findOne({ id: {i} });\n  res.status(200).json(user);\n}\n\n";
        let mut source = String::new();
        let mut functions = 0;
        while source.len() < 5 * 1024 * 1024 {
            source.push_str(&chunk.replace("{i}", &functions.to_string()));
            functions += 1;
        }
        for language in ALL {
            let analysis: Analysis = analyze(language, &source);
            assert!(!analysis.has_errors, "{language:?}");
            assert_eq!(analysis.calls.len(), functions * 3, "{language:?}");
            assert_eq!(analysis.definitions.len(), functions, "{language:?}");
        }
    }
}
