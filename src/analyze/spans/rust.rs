//! Rust `use` trees and `mod` declarations with spans (tree-sitter-rust).
//!
//! * `use` declarations anywhere (in functions and inline modules too), as trees: every path,
//!   list, glob and alias with its span, and the comma after each list item, so one leaf can
//!   be rewritten or taken out of a list without touching its neighbours.
//! * `mod` items, declared (`mod x;`) or inline (`mod x { ... }`), with their visibility, the
//!   attributes and doc comments above them, and `#[path = "..."]`.
//! * Qualified paths in code (`crate::a::b()`, `super::X`), which name modules without an
//!   import, macro arguments included (`println!("{}", a::b::f())`); `include!`-family file
//!   paths; `pub(super)` and `pub(in ...)` visibilities.
//!
//! Everything carries the inline-module scope it is in (`mod tests { use super::*; }` is in
//! scope `["tests"]`), because `self` and `super` are relative to it.

use tree_sitter::Node;

use super::{Literal, Note, Span, line, walk};
use crate::analyze::{Language, is_comment, parse};

/// Deepest `use` group nesting read (bounds work on pathological input).
const MAX_USE_DEPTH: usize = 128;

/// Longest qualified path read, in segments.
const MAX_PATH_SEGMENTS: usize = 256;

/// Import-related syntax of one Rust file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RustItems {
    /// `use` declarations, in source order.
    pub uses: Vec<RustUse>,
    /// `mod` items, declared and inline, in source order.
    pub mods: Vec<RustMod>,
    /// Qualified paths outside `use` declarations (`crate::a::f()`, `a::B`), outermost only.
    pub paths: Vec<RustPath>,
    /// The path literals of `include!`, `include_str!` and `include_bytes!`.
    pub includes: Vec<Literal>,
    /// `pub(super)` and `pub(in path)` visibilities, whose meaning depends on where the file
    /// is in the module tree.
    pub restricted: Vec<Note>,
    /// End of the file's header: leading inner attributes (`#![...]`) and comments (`//!`).
    pub header_end: usize,
}

/// One `use` declaration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RustUse {
    /// The declaration, from its visibility to the semicolon (attributes not included).
    pub span: Span,
    /// 1-based line.
    pub line: u32,
    /// `pub`, `pub(crate)`... as written.
    pub visibility: Option<String>,
    /// Attributes above it (`#[cfg(test)]`), as written.
    pub attributes: Vec<String>,
    /// Inline modules it is in, outermost first.
    pub scope: Vec<String>,
    /// Whether it is an item of the file itself (not in a function or inline module).
    pub top_level: bool,
    /// What it imports.
    pub tree: UseTree,
}

/// A `use` tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UseTree {
    /// `a::b::c`, `a::b as c`, or `self` in a list.
    Path {
        /// Segments as written (`["crate", "a", "b"]`; a leading `::` gives a first `""`).
        segments: Vec<String>,
        /// Where the path is (alias excluded).
        span: Span,
        /// The `as` name.
        alias: Option<String>,
        /// The whole tree, alias included.
        item: Span,
    },
    /// `a::b::*` (or `*` in a list).
    Glob {
        /// Segments before `::*`.
        segments: Vec<String>,
        /// Where those segments are.
        span: Option<Span>,
        /// The whole tree.
        item: Span,
    },
    /// `a::b::{...}` (or `{...}`).
    List {
        /// Segments before `::{`.
        segments: Vec<String>,
        /// Where those segments are.
        span: Option<Span>,
        /// The trees in the braces.
        items: Vec<UseItem>,
        /// The whole tree.
        item: Span,
    },
    /// Something this reader does not follow (a macro metavariable group, broken syntax).
    Other {
        /// The whole tree.
        item: Span,
    },
}

impl UseTree {
    /// The span of the whole tree.
    #[must_use]
    pub fn item(&self) -> Span {
        match self {
            UseTree::Path { item, .. }
            | UseTree::Glob { item, .. }
            | UseTree::List { item, .. }
            | UseTree::Other { item } => *item,
        }
    }
}

/// An item of a `use` list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UseItem {
    /// The tree.
    pub tree: UseTree,
    /// The comma after it, if any.
    pub comma: Option<Span>,
}

/// A `mod` item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RustMod {
    /// The module name.
    pub name: String,
    /// Where the name is.
    pub name_span: Span,
    /// The item with the attributes and doc comments above it.
    pub span: Span,
    /// The `mod` item alone (visibility to semicolon or closing brace).
    pub item: Span,
    /// 1-based line of `item`.
    pub line: u32,
    /// `pub`, `pub(crate)`... as written.
    pub visibility: Option<String>,
    /// Attributes and outer doc comments above the item, as written, in order.
    pub attributes: Vec<String>,
    /// The value of a `#[path = "..."]` attribute.
    pub path_attribute: Option<String>,
    /// Inline modules it is in, outermost first.
    pub scope: Vec<String>,
    /// Whether it is an item of the file itself (not in a function or inline module).
    pub top_level: bool,
    /// `mod x { ... }` rather than `mod x;`.
    pub inline: bool,
}

/// A qualified path in code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RustPath {
    /// Segments as written.
    pub segments: Vec<String>,
    /// Where the path is.
    pub span: Span,
    /// 1-based line.
    pub line: u32,
    /// Inline modules it is in, outermost first.
    pub scope: Vec<String>,
}

/// Reads the `use` trees, `mod` items and related syntax of a Rust file. Never panics; a
/// file that cannot be parsed gives an empty result.
#[must_use]
pub fn rust_items(source: &str) -> RustItems {
    let mut out = RustItems::default();
    let Some(tree) = parse(Language::Rust, source) else {
        return out;
    };
    let root = tree.root_node();
    out.header_end = header_end(root);
    walk(root, |node, ancestors| {
        let top_level = ancestors.len() == 1;
        match node.kind() {
            "use_declaration" => {
                if let Some(tree) = node
                    .child_by_field_name("argument")
                    .and_then(|argument| use_tree(argument, source, 0))
                {
                    out.uses.push(RustUse {
                        span: Span::of(node),
                        line: line(node),
                        visibility: visibility(node, source),
                        attributes: attributes(node)
                            .into_iter()
                            .map(|a| Span::of(a).text(source).trim_end().to_string())
                            .collect(),
                        scope: scope(ancestors, source),
                        top_level,
                        tree,
                    });
                }
                false
            }
            "mod_item" => {
                if let Some(item) = mod_item(node, ancestors, top_level, source) {
                    out.mods.push(item);
                }
                true
            }
            "scoped_identifier" | "scoped_type_identifier" => {
                let nested = ancestors.last().is_some_and(|parent| {
                    matches!(
                        parent.kind(),
                        "scoped_identifier" | "scoped_type_identifier"
                    )
                });
                if !nested && let Some(segments) = flatten(node, source) {
                    out.paths.push(RustPath {
                        segments,
                        span: Span::of(node),
                        line: line(node),
                        scope: scope(ancestors, source),
                    });
                }
                true
            }
            "token_tree" => {
                // Macro arguments are tokens: `println!("{}", a::b::f())` holds the path
                // `a::b::f` as identifiers between `::` tokens.
                let scope = scope(ancestors, source);
                for (segments, span, at) in token_paths(node, source) {
                    out.paths.push(RustPath {
                        segments,
                        span,
                        line: line(at),
                        scope: scope.clone(),
                    });
                }
                true
            }
            "macro_invocation" => {
                if let Some(literal) = include_path(node, source) {
                    out.includes.push(literal);
                }
                true
            }
            "visibility_modifier" => {
                let mut cursor = node.walk();
                if node
                    .children(&mut cursor)
                    .any(|child| matches!(child.kind(), "super" | "in"))
                {
                    out.restricted.push(Note::of(node, source));
                }
                false
            }
            _ => true,
        }
    });
    out
}

/// The end of the leading inner attributes and comments.
fn header_end(root: Node<'_>) -> usize {
    let mut end = 0;
    let mut cursor = root.walk();
    for child in root.children(&mut cursor) {
        if child.kind() == "inner_attribute_item" || is_comment(child.kind()) {
            end = child.end_byte();
        } else {
            break;
        }
    }
    end
}

/// Names of the inline modules among `ancestors`, outermost first.
fn scope(ancestors: &[Node<'_>], source: &str) -> Vec<String> {
    ancestors
        .iter()
        .filter(|node| node.kind() == "mod_item")
        .filter_map(|node| node.child_by_field_name("name"))
        .map(|name| Span::of(name).text(source).to_string())
        .collect()
}

fn visibility(node: Node<'_>, source: &str) -> Option<String> {
    let mut cursor = node.walk();
    node.children(&mut cursor)
        .find(|child| child.kind() == "visibility_modifier")
        .map(|v| Span::of(v).text(source).to_string())
}

/// Whether a comment node is an outer doc comment (`///`, `/** */`).
fn is_outer_doc(node: Node<'_>) -> bool {
    let mut cursor = node.walk();
    is_comment(node.kind())
        && node
            .children(&mut cursor)
            .any(|child| child.kind() == "outer_doc_comment_marker")
}

/// The attribute items and outer doc comments directly above `node`, in source order.
fn attributes(node: Node<'_>) -> Vec<Node<'_>> {
    let mut found = Vec::new();
    let mut previous = node.prev_sibling();
    while let Some(sibling) = previous {
        if sibling.kind() == "attribute_item" || is_outer_doc(sibling) {
            found.push(sibling);
            previous = sibling.prev_sibling();
        } else {
            break;
        }
    }
    found.reverse();
    found
}

fn mod_item(
    node: Node<'_>,
    ancestors: &[Node<'_>],
    top_level: bool,
    source: &str,
) -> Option<RustMod> {
    let name = node.child_by_field_name("name")?;
    let above = attributes(node);
    let start = above.first().map_or(node.start_byte(), Node::start_byte);
    let path_attribute = above
        .iter()
        .find_map(|attribute| path_attribute(*attribute, source));
    Some(RustMod {
        name: Span::of(name).text(source).to_string(),
        name_span: Span::of(name),
        span: Span {
            start,
            end: node.end_byte(),
        },
        item: Span::of(node),
        line: line(node),
        visibility: visibility(node, source),
        attributes: above
            .iter()
            .map(|a| Span::of(*a).text(source).trim_end().to_string())
            .collect(),
        path_attribute,
        scope: scope(ancestors, source),
        top_level,
        inline: node.child_by_field_name("body").is_some(),
    })
}

/// The value of `#[path = "..."]`.
fn path_attribute(item: Node<'_>, source: &str) -> Option<String> {
    if item.kind() != "attribute_item" {
        return None;
    }
    let mut cursor = item.walk();
    let attribute = item
        .named_children(&mut cursor)
        .find(|child| child.kind() == "attribute")?;
    let mut cursor = attribute.walk();
    let name = attribute.named_children(&mut cursor).next()?;
    if Span::of(name).text(source) != "path" {
        return None;
    }
    let value = attribute.child_by_field_name("value")?;
    Some(string_content(value, source)?.content)
}

/// The content of a (non-raw) string literal.
fn string_content(node: Node<'_>, source: &str) -> Option<Literal> {
    if node.kind() != "string_literal" {
        return None;
    }
    let mut cursor = node.walk();
    let content = node
        .children(&mut cursor)
        .find(|child| child.kind() == "string_content");
    let span = content.map_or(
        Span {
            start: node.start_byte() + 1,
            end: node.start_byte() + 1,
        },
        Span::of,
    );
    Some(Literal {
        content: span.text(source).to_string(),
        span,
        line: line(node),
    })
}

/// The path literal of `include!("x")`, `include_str!`, `include_bytes!`.
fn include_path(node: Node<'_>, source: &str) -> Option<Literal> {
    let name = node.child_by_field_name("macro")?;
    let name = Span::of(name).text(source);
    let last = name.rsplit("::").next().unwrap_or(name);
    if !matches!(last, "include" | "include_str" | "include_bytes") {
        return None;
    }
    let mut cursor = node.walk();
    let tokens = node
        .named_children(&mut cursor)
        .find(|child| child.kind() == "token_tree")?;
    let mut cursor = tokens.walk();
    let first = tokens
        .named_children(&mut cursor)
        .find(|child| !is_comment(child.kind()))?;
    string_content(first, source)
}

/// The segments of a path node; `None` for paths with generics or other non-name parts.
fn flatten(node: Node<'_>, source: &str) -> Option<Vec<String>> {
    let mut reversed: Vec<String> = Vec::new();
    let mut current = node;
    loop {
        if reversed.len() > MAX_PATH_SEGMENTS {
            return None;
        }
        match current.kind() {
            "identifier" | "type_identifier" | "crate" | "super" | "self" | "metavariable" => {
                reversed.push(Span::of(current).text(source).to_string());
                break;
            }
            "scoped_identifier" | "scoped_type_identifier" => {
                let name = current.child_by_field_name("name")?;
                reversed.push(Span::of(name).text(source).to_string());
                let Some(path) = current.child_by_field_name("path") else {
                    // `::std::x`: a global path.
                    reversed.push(String::new());
                    break;
                };
                current = path;
            }
            _ => return None,
        }
    }
    reversed.reverse();
    Some(reversed)
}

/// Paths of two segments or more among the direct tokens of a macro's token tree
/// (`a::b::f`, `crate::x::Y`): segments, span and the first token. A path after `$` (a
/// metavariable such as `$crate`) or a leading `::` is left out.
fn token_paths<'t>(node: Node<'t>, source: &str) -> Vec<(Vec<String>, Span, Node<'t>)> {
    let is_segment = |n: &Node<'_>| matches!(n.kind(), "identifier" | "crate" | "self" | "super");
    let mut cursor = node.walk();
    let tokens: Vec<Node<'t>> = node.children(&mut cursor).collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let after_prefix = i > 0 && matches!(tokens[i - 1].kind(), "::" | "$" | "." | "'");
        if !is_segment(&tokens[i]) || after_prefix {
            i += 1;
            continue;
        }
        let mut segments = vec![Span::of(tokens[i]).text(source).to_string()];
        let mut end = i;
        while end + 2 < tokens.len()
            && tokens[end + 1].kind() == "::"
            && is_segment(&tokens[end + 2])
            && segments.len() < MAX_PATH_SEGMENTS
        {
            segments.push(Span::of(tokens[end + 2]).text(source).to_string());
            end += 2;
        }
        if segments.len() >= 2 {
            let span = Span {
                start: tokens[i].start_byte(),
                end: tokens[end].end_byte(),
            };
            out.push((segments, span, tokens[i]));
        }
        i = end + 1;
    }
    out
}

fn use_tree(node: Node<'_>, source: &str, depth: usize) -> Option<UseTree> {
    if depth > MAX_USE_DEPTH {
        return None;
    }
    let item = Span::of(node);
    let tree = match node.kind() {
        "identifier" | "crate" | "super" | "self" | "scoped_identifier" | "metavariable" => {
            UseTree::Path {
                segments: flatten(node, source)?,
                span: item,
                alias: None,
                item,
            }
        }
        "use_as_clause" => {
            let path = node.child_by_field_name("path")?;
            UseTree::Path {
                segments: flatten(path, source)?,
                span: Span::of(path),
                alias: node
                    .child_by_field_name("alias")
                    .map(|alias| Span::of(alias).text(source).to_string()),
                item,
            }
        }
        "use_wildcard" => {
            let mut cursor = node.walk();
            let prefix = node
                .named_children(&mut cursor)
                .find(|child| !is_comment(child.kind()));
            let segments = match prefix {
                Some(prefix) => flatten(prefix, source)?,
                None => Vec::new(),
            };
            UseTree::Glob {
                segments,
                span: prefix.map(Span::of),
                item,
            }
        }
        "scoped_use_list" => {
            let prefix = node.child_by_field_name("path");
            let segments = match prefix {
                Some(prefix) => flatten(prefix, source)?,
                None => vec![String::new()],
            };
            let list = node.child_by_field_name("list")?;
            UseTree::List {
                segments,
                span: prefix.map(Span::of),
                items: list_items(list, source, depth),
                item,
            }
        }
        "use_list" => UseTree::List {
            segments: Vec::new(),
            span: None,
            items: list_items(node, source, depth),
            item,
        },
        _ => return None,
    };
    Some(tree)
}

fn list_items(list: Node<'_>, source: &str, depth: usize) -> Vec<UseItem> {
    let mut items: Vec<UseItem> = Vec::new();
    let mut cursor = list.walk();
    for child in list.children(&mut cursor) {
        match child.kind() {
            "," => {
                if let Some(last) = items.last_mut()
                    && last.comma.is_none()
                {
                    last.comma = Some(Span::of(child));
                }
            }
            "{" | "}" => {}
            kind if is_comment(kind) => {}
            _ => {
                let tree = use_tree(child, source, depth + 1).unwrap_or(UseTree::Other {
                    item: Span::of(child),
                });
                items.push(UseItem { tree, comma: None });
            }
        }
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A compact rendering of a use tree: paths as written, lists in braces, `,` after items
    /// that have a comma.
    fn render(tree: &UseTree, source: &str) -> String {
        match tree {
            UseTree::Path {
                segments, alias, ..
            } => match alias {
                Some(alias) => format!("{} as {alias}", segments.join("::")),
                None => segments.join("::"),
            },
            UseTree::Glob { segments, .. } => {
                let mut all = segments.clone();
                all.push("*".to_string());
                all.join("::")
            }
            UseTree::List {
                segments, items, ..
            } => {
                let inner: Vec<String> = items
                    .iter()
                    .map(|i| {
                        let comma = if i.comma.is_some() { "," } else { "" };
                        format!("{}{comma}", render(&i.tree, source))
                    })
                    .collect();
                let mut all = segments.clone();
                all.push(format!("{{{}}}", inner.join(" ")));
                all.join("::")
            }
            UseTree::Other { item } => format!("?{}", item.text(source)),
        }
    }

    #[test]
    fn use_trees() {
        let cases = [
            ("use crate::a::b;", "crate::a::b"),
            ("use crate::a::b as c;", "crate::a::b as c"),
            ("use super::*;", "super::*"),
            (
                "pub use crate::{a::{self, B as C}, d::*};",
                "crate::{a::{self, B as C}, d::*}",
            ),
            ("use ::std::fmt;", "::std::fmt"),
            ("use a::{b, c,};", "a::{b, c,}"),
            ("use {a, b};", "{a, b}"),
        ];
        for (source, expected) in cases {
            let items = rust_items(source);
            assert_eq!(items.uses.len(), 1, "{source}");
            assert_eq!(render(&items.uses[0].tree, source), expected, "{source}");
            assert_eq!(items.uses[0].span.text(source), source);
        }
    }

    #[test]
    fn use_spans_and_context() {
        let source = "#[cfg(test)]\npub(crate) use crate::models::user::{User, NewUser};\nmod tests {\n    use super::x as y;\n}\nfn f() { use self::z; }\n";
        let items = rust_items(source);
        let first = &items.uses[0];
        assert_eq!(first.attributes, ["#[cfg(test)]"]);
        assert_eq!(first.visibility.as_deref(), Some("pub(crate)"));
        assert!(first.top_level && first.scope.is_empty());
        let UseTree::List {
            span, items: list, ..
        } = &first.tree
        else {
            panic!("a list: {:?}", first.tree);
        };
        assert_eq!(span.map(|s| s.text(source)), Some("crate::models::user"));
        assert_eq!(list[0].tree.item().text(source), "User");
        assert_eq!(list[0].comma.map(|c| c.text(source)), Some(","));
        assert_eq!(list[1].comma, None);
        let second = &items.uses[1];
        assert_eq!(second.scope, ["tests"]);
        assert!(!second.top_level);
        let UseTree::Path {
            span, item, alias, ..
        } = &second.tree
        else {
            panic!("a path");
        };
        assert_eq!(
            (span.text(source), item.text(source)),
            ("super::x", "super::x as y")
        );
        assert_eq!(alias.as_deref(), Some("y"));
        assert!(!items.uses[2].top_level);
        assert!(items.uses[2].scope.is_empty());
    }

    type Seen<'a> = (&'a str, bool, bool, Vec<String>, Option<&'a str>);

    #[test]
    fn mod_items() {
        let source = "//! Crate docs.\n#![allow(x)]\n\n#[cfg(test)]\n/// Tests.\npub(crate) mod a;\nmod b {\n    mod c;\n}\n#[path = \"p.rs\"]\nmod p;\n// mod commented;\n";
        let items = rust_items(source);
        let got: Vec<Seen<'_>> = items
            .mods
            .iter()
            .map(|m| {
                (
                    m.name.as_str(),
                    m.inline,
                    m.top_level,
                    m.scope.clone(),
                    m.visibility.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("a", false, true, vec![], Some("pub(crate)")),
                ("b", true, true, vec![], None),
                ("c", false, false, vec!["b".to_string()], None),
                ("p", false, true, vec![], None),
            ]
        );
        let a = &items.mods[0];
        assert_eq!(a.attributes, ["#[cfg(test)]", "/// Tests."]);
        assert_eq!(
            a.span.text(source),
            "#[cfg(test)]\n/// Tests.\npub(crate) mod a;"
        );
        assert_eq!(a.name_span.text(source), "a");
        assert_eq!(items.mods[3].path_attribute.as_deref(), Some("p.rs"));
        assert_eq!(&source[..items.header_end], "//! Crate docs.\n#![allow(x)]");
    }

    #[test]
    fn code_paths_includes_and_restricted_visibility() {
        let source = "fn f() { crate::a::b(); let x: super::m::T = self::y::Z::new(); }\nconst S: &str = include_str!(\"../x.txt\");\npub(super) fn g() {}\npub(in crate::a) fn h() {}\n// crate::c::d();\n";
        let items = rust_items(source);
        let paths: Vec<String> = items.paths.iter().map(|p| p.segments.join("::")).collect();
        assert_eq!(paths, ["crate::a::b", "super::m::T", "self::y::Z::new"]);
        let includes: Vec<&str> = items.includes.iter().map(|i| i.content.as_str()).collect();
        assert_eq!(includes, ["../x.txt"]);
        let restricted: Vec<(&str, u32)> = items
            .restricted
            .iter()
            .map(|n| (n.text.as_str(), n.line))
            .collect();
        assert_eq!(restricted, [("pub(super)", 3), ("pub(in crate::a)", 4)]);
    }

    #[test]
    fn pathological_use_groups_stay_bounded() {
        let groups = format!("use {}x{};", "a::{".repeat(10_000), "}".repeat(10_000));
        let _ = rust_items(&groups);
        let path = format!("fn f() {{ {}x(); }}", "a::".repeat(10_000));
        assert!(rust_items(&path).paths.is_empty());
    }
}
