//! Where imports are, to the byte: import syntax with spans, for rewriting imports in place.
//!
//! [`crate::analyze::analyze`] says *what* a file imports; this module says *where*: the byte
//! span of every module specifier, imported name, `use` tree and `mod` declaration, so that a
//! rewriter can replace exactly the import text and keep every other byte. It also lists what
//! a rewriter cannot follow by itself: computed dynamic imports, string literals (which may
//! name modules or files), `include!`, `#[path]` and restricted visibilities.
//!
//! The guarantees of the rest of `analyze` hold: only syntax counts (an import in a comment
//! or a string is not an import), the tree is walked iteratively, and no input panics (a
//! file with syntax errors gives what could be read).
//!
//! Spans are byte offsets into the source as given; lines are 1-based.

pub(crate) mod python;
mod rust;
mod script;

use tree_sitter::Node;

pub use python::{PyFrom, PyName, PyStatement, PythonImports, python_imports};
pub use rust::{RustItems, RustMod, RustPath, RustUse, UseItem, UseTree, rust_items};
pub use script::{ScriptImports, Specifier, script_imports};

/// A byte range of the source: `start..end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// The span of a syntax node.
    fn of(node: Node<'_>) -> Span {
        Span {
            start: node.start_byte(),
            end: node.end_byte(),
        }
    }

    /// The text this span covers in `source` (`""` when out of range).
    #[must_use]
    pub fn text(self, source: &str) -> &str {
        source.get(self.start..self.end).unwrap_or("")
    }
}

/// A string literal: its content as written (escapes not decoded) and where that content is
/// (between the quotes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Literal {
    /// The content between the delimiters.
    pub content: String,
    /// Where the content is.
    pub span: Span,
    /// 1-based line of the literal.
    pub line: u32,
}

/// Something a rewriter must show rather than rewrite (a computed `import()` argument, a
/// `pub(super)` visibility...): its text, shortened to one line, and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// The construct as written (first line, at most [`NOTE_CHARS`] characters).
    pub text: String,
    /// 1-based line.
    pub line: u32,
}

/// Longest text kept in a [`Note`].
pub const NOTE_CHARS: usize = 120;

impl Note {
    fn of(node: Node<'_>, source: &str) -> Note {
        Note::at(Span::of(node), line(node), source)
    }

    /// The note for the construct at `span`, which starts on 1-based `line`.
    pub(crate) fn at(span: Span, line: u32, source: &str) -> Note {
        let text = span.text(source);
        let first_line = text.lines().next().unwrap_or("").trim_end();
        let mut short: String = first_line.chars().take(NOTE_CHARS).collect();
        if short.len() < text.trim_end().len() {
            short.push('…');
        }
        Note { text: short, line }
    }
}

/// The 1-based line where `node` starts.
fn line(node: Node<'_>) -> u32 {
    u32::try_from(node.start_position().row)
        .unwrap_or(u32::MAX)
        .saturating_add(1)
}

/// Visits every non-comment node in pre-order, iteratively, with the node's ancestors (root
/// first). `visit` returns whether to descend into the node.
fn walk<'t>(root: Node<'t>, mut visit: impl FnMut(Node<'t>, &[Node<'t>]) -> bool) {
    let mut cursor = root.walk();
    let mut ancestors: Vec<Node<'t>> = Vec::new();
    loop {
        let node = cursor.node();
        let descend = visit(node, &ancestors);
        if descend && cursor.goto_first_child() {
            ancestors.push(node);
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return;
            }
            ancestors.pop();
        }
    }
}

/// The content span of a quoted literal node whose delimiters are one byte each (`'x'`,
/// `"x"`, `` `x` ``).
fn inner_span(node: Node<'_>) -> Span {
    let span = Span::of(node);
    if span.end >= span.start + 2 {
        Span {
            start: span.start + 1,
            end: span.end - 1,
        }
    } else {
        Span {
            start: span.end,
            end: span.end,
        }
    }
}
