//! Source-level analysis of backend files.
//!
//! [`analyze`] reads one file (Python with the scanner of `pyscan`, which knows
//! strings, comments, brackets and statements and needs no syntax tree;
//! TypeScript, TSX, JavaScript/JSX and Rust with their tree-sitter grammars;
//! the Python grammar stays as the scanner's reference in tests and for
//! `spans`) and reports what layer rules need to know about
//! its inside: imports, calls, raised/thrown exceptions, definitions, control
//! flow, SQL text passed to calls, and inline waiver comments
//! (`squarely: allow(ID, ...) reason`). [`spans`] says where the imports are,
//! to the byte, for rewriting them in place (`organize`).
//!
//! Guarantees:
//!
//! * Only syntax counts: text inside comments and string literals never
//!   produces imports, calls or raises (interpolated code inside f-strings or
//!   template literals is real code and does count).
//! * The syntax tree is traversed iteratively with a [`tree_sitter::TreeCursor`]
//!   and every path rendering is bounded, so deeply nested input cannot
//!   overflow the stack.
//! * Nothing derived from the input is unwrapped; invalid syntax yields a best
//!   effort result with [`Analysis::has_errors`] set.
//!
//! Locations are 1-based; the column is the **byte** offset within the line
//! plus one (tree-sitter reports byte columns, so a line starting with `é`
//! puts the next character at column 3).
//!
//! Decisions worth knowing:
//!
//! * SQL is only recognised in string literals that are call arguments
//!   (including tagged templates and anything inside a Rust macro's token
//!   tree), and never in the arguments of a call that only shows text
//!   (printing, logging, asserting, building an error: see
//!   `only_shows_text`). Python f-strings and JS/TS template literals *with*
//!   substitutions still count when their text looks like SQL, because that
//!   is the injection-prone case; they never become
//!   [`Call::first_string_arg`].
//! * Rust has no raises; layer rules for Rust rely on imports and calls.
//! * String contents are reported as written (escape sequences are not
//!   decoded).
//!
//! Every list in an [`Analysis`] is in source order (by location; calls that
//! start at the same place, as in a chain `a.b().c()`, are ordered inner
//! first).

mod pyscan;
mod python;
mod rust;
pub mod spans;
mod typescript;
pub mod words;

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::{Arc, LazyLock, Mutex, PoisonError};

use regex::Regex;
use serde::Serialize;
use tree_sitter::{Node, Parser, Point, Tree};

/// A language this module can analyse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// Python (`.py`, `.pyi`).
    Python,
    /// TypeScript without JSX (`.ts`, `.mts`, `.cts`, `.d.ts`).
    TypeScript,
    /// TypeScript with JSX (`.tsx`).
    Tsx,
    /// JavaScript, including JSX (`.js`, `.mjs`, `.cjs`, `.jsx`).
    JavaScript,
    /// Rust (`.rs`).
    Rust,
}

impl Language {
    /// Detects the language from a file path's extension (case-insensitive).
    ///
    /// `.py .pyi` -> Python; `.ts .mts .cts` (and so `.d.ts`) -> TypeScript;
    /// `.tsx` -> Tsx; `.js .mjs .cjs .jsx` -> JavaScript; `.rs` -> Rust;
    /// anything else -> `None`.
    #[must_use]
    pub fn from_path(path: &str) -> Option<Language> {
        let file_name = path.rsplit(['/', '\\']).next().unwrap_or(path);
        let (stem, extension) = file_name.rsplit_once('.')?;
        if stem.is_empty() {
            // A dot file such as `.py` has no extension.
            return None;
        }
        match extension.to_ascii_lowercase().as_str() {
            "py" | "pyi" => Some(Language::Python),
            "ts" | "mts" | "cts" => Some(Language::TypeScript),
            "tsx" => Some(Language::Tsx),
            "js" | "mjs" | "cjs" | "jsx" => Some(Language::JavaScript),
            "rs" => Some(Language::Rust),
            _ => None,
        }
    }

    /// The lowercase name: `"python"`, `"typescript"`, `"tsx"`, `"javascript"`
    /// or `"rust"`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Language::Python => "python",
            Language::TypeScript => "typescript",
            Language::Tsx => "tsx",
            Language::JavaScript => "javascript",
            Language::Rust => "rust",
        }
    }

    fn index(self) -> usize {
        match self {
            Language::Python => 0,
            Language::TypeScript => 1,
            Language::Tsx => 2,
            Language::JavaScript => 3,
            Language::Rust => 4,
        }
    }

    fn grammar(self) -> tree_sitter::Language {
        match self {
            Language::Python => tree_sitter_python::LANGUAGE.into(),
            Language::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
            Language::Tsx => tree_sitter_typescript::LANGUAGE_TSX.into(),
            Language::JavaScript => tree_sitter_javascript::LANGUAGE.into(),
            Language::Rust => tree_sitter_rust::LANGUAGE.into(),
        }
    }
}

/// A position in the source: 1-based line, and 1-based column counted in
/// **bytes** (byte offset within the line plus one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
pub struct Location {
    /// 1-based line number.
    pub line: u32,
    /// 1-based byte column.
    pub column: u32,
}

impl Location {
    fn from_point(point: Point) -> Location {
        Location {
            line: to_u32(point.row).saturating_add(1),
            column: to_u32(point.column).saturating_add(1),
        }
    }
}

/// How a dependency was brought in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportKind {
    /// Python `import a.b`, TypeScript/JavaScript `import ... from 'm'` / `import 'm'`.
    Import,
    /// Python `from m import x`.
    From,
    /// `CommonJS` `require('m')` and TypeScript `import x = require('m')`.
    Require,
    /// `import('m')` expressions.
    Dynamic,
    /// `export * from 'm'`, `export {a} from 'm'`.
    ExportFrom,
    /// Rust `use` declarations and `extern crate`.
    Use,
    /// Rust `mod name;` (a module declared in another file).
    Mod,
}

/// One name imported from a module.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize)]
pub struct ImportName {
    /// The imported name (`"default"` for a default import, `"*"` for glob
    /// and namespace imports).
    pub name: String,
    /// The local alias, if renamed.
    pub alias: Option<String>,
}

/// An import, `use`, `require` or re-export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Import {
    /// The module as written, without Python's leading dots: `"sqlalchemy.orm"`,
    /// `"crud"`, `""`, `"./users.service"`, `"@prisma/client"`,
    /// `"crate::modules::users::service"`, `"super::repository"`.
    pub module: String,
    /// Python relative-import level (number of leading dots); 0 elsewhere.
    pub level: u32,
    /// Names imported from the module: Python `from m import a, b as c`;
    /// TS/JS named imports `{a, b as c}`, a default import as name `"default"`
    /// with the local name as alias, a namespace import `* as ns` as name `"*"`
    /// with alias `ns`, `export *` as name `"*"`; `CommonJS` destructuring
    /// `const {a, b: c} = require('m')`; Rust glob `use a::*` as name `"*"`.
    /// Empty for `import m` and side-effect imports.
    pub names: Vec<ImportName>,
    /// `import a.b as c` (Python), `use a::b as c` / `extern crate a as c`
    /// (Rust), `const x = require('m')` / `import x = require('m')` binding.
    pub alias: Option<String>,
    /// The import form.
    pub kind: ImportKind,
    /// Where the import statement starts (every import produced by one Rust
    /// `use` group shares the declaration's location).
    pub location: Location,
}

/// A call (function, method or constructor call, or Rust macro invocation).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Call {
    /// Callee path as written, receivers simplified: `session.commit`,
    /// `self.db.session.query`, `this.repo.find`, `sqlx::query`,
    /// `prisma.user.findMany`, `HttpResponse::Ok`. A receiver that is itself
    /// a call is rendered as that callee plus `()`: `sqlx::query().fetch_all`,
    /// `db.query().filter`. `await`, parentheses, `?`, non-null `!`, type
    /// assertions and optional chaining are unwrapped. Rust macros end in
    /// `!` (`sqlx::query!`). `new X(...)` is `"new X"`. Anything else that
    /// cannot be rendered (subscripts, lambdas, literals) is `"<expr>"`.
    pub callee: String,
    /// Content of the first argument when it is a plain string literal, as
    /// written between the quotes (escape sequences are not decoded). Python
    /// strings (incl. triple-quoted and implicit concatenation, not f-strings
    /// with substitutions); TS/JS strings and template literals without
    /// substitutions (incl. tagged templates); Rust string and raw string
    /// literals, and for macros the first string literal in the token tree.
    pub first_string_arg: Option<String>,
    /// Where the call expression starts.
    pub location: Location,
}

impl Call {
    /// The callee split on `.` and `::`, each segment with trailing `()`
    /// removed and empty segments dropped: `sqlx::query().fetch_all` ->
    /// `["sqlx", "query", "fetch_all"]`.
    #[must_use]
    pub fn segments(&self) -> Vec<&str> {
        self.callee
            .split("::")
            .flat_map(|part| part.split('.'))
            .map(|segment| {
                let mut segment = segment;
                while let Some(stripped) = segment.strip_suffix("()") {
                    segment = stripped;
                }
                segment
            })
            .filter(|segment| !segment.is_empty())
            .collect()
    }
}

/// A raised (Python) or thrown (TS/JS) exception. Rust has no raises; layer
/// rules for Rust use imports and calls instead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Raise {
    /// The last path segment: `raise mod.X(...)` -> `"X"`,
    /// `throw new HttpException(...)` -> `"HttpException"`.
    pub name: String,
    /// The full path as written: `"mod.X"` (`"<expr>"` if unrenderable).
    pub path: String,
    /// Where the raise/throw statement starts.
    pub location: Location,
}

/// What a definition defines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DefinitionKind {
    /// Functions, methods and named arrow/function expressions.
    Function,
    /// Classes; Rust structs, enums, unions and traits.
    Class,
}

/// A function or class-like definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Definition {
    /// The defined name as written.
    pub name: String,
    /// Function or class.
    pub kind: DefinitionKind,
    /// `async def`, `async function`, `async () =>`, `async fn`.
    pub is_async: bool,
    /// Where the definition starts.
    pub location: Location,
}

/// The kind of a control-flow construct.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ControlFlowKind {
    /// `for`, `while`, `do`, `loop`.
    Loop,
    /// `if` (one per `if`/`elif`/`else if` chain), `match`, `switch`.
    Conditional,
}

/// A loop or conditional statement (never comprehensions or ternaries).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ControlFlow {
    /// Loop or conditional.
    pub kind: ControlFlowKind,
    /// Where the construct starts.
    pub location: Location,
}

/// A string literal passed to a call that looks like a SQL statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SqlString {
    /// The first 80 characters of the literal's content, whitespace collapsed.
    pub snippet: String,
    /// Where the literal starts.
    pub location: Location,
}

/// An inline waiver: `squarely: allow(ID[, ID...]) reason` in a comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Waiver {
    /// Check or rule ids named in the comment, e.g. `src.separation`.
    pub ids: Vec<String>,
    /// Trimmed text after the closing parenthesis (a leading `-`, `—` or `:`
    /// separator is stripped); `None` when empty.
    pub reason: Option<String>,
    /// Where the comment is.
    pub location: Location,
    /// The line the waiver covers: the comment's own line when code precedes
    /// it on that line, otherwise the next line that has code (skipping blank
    /// and comment lines); `location.line` if there is none.
    pub target_line: u32,
    /// The last line of the simple statement that starts on `target_line` (a call spread
    /// over several lines, an assignment...): the waiver covers the whole statement.
    pub target_end_line: u32,
}

/// Everything [`analyze`] found in one file.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Analysis {
    /// Imports, `use`s, `require`s and re-exports.
    pub imports: Vec<Import>,
    /// Calls, constructor calls and macro invocations.
    pub calls: Vec<Call>,
    /// Raised or thrown exceptions.
    pub raises: Vec<Raise>,
    /// Function and class definitions.
    pub definitions: Vec<Definition>,
    /// Loops and conditionals.
    pub control_flow: Vec<ControlFlow>,
    /// SQL-looking string literals passed to calls.
    pub sql_strings: Vec<SqlString>,
    /// Inline waiver comments.
    pub waivers: Vec<Waiver>,
    /// tree-sitter found syntax errors (the rest is still reported, best
    /// effort), or the input could not be parsed at all.
    pub has_errors: bool,
}

impl Analysis {
    /// Puts every list in source order (calls are sorted by whoever collects them).
    pub(crate) fn sort(&mut self) {
        self.imports.sort_by_key(|import| import.location);
        self.raises.sort_by_key(|raise| raise.location);
        self.definitions
            .sort_by_key(|definition| definition.location);
        self.control_flow.sort_by_key(|flow| flow.location);
        self.sql_strings.sort_by_key(|sql| sql.location);
    }
}

/// Parses and analyses one file. Reuses a thread-local parser per language.
/// Never panics: invalid input gives a partial result with `has_errors` set.
#[must_use]
pub fn analyze(language: Language, source: &str) -> Analysis {
    // tree-sitter addresses bytes with u32 offsets.
    if u32::try_from(source.len()).is_err() {
        return Analysis {
            has_errors: true,
            ..Analysis::default()
        };
    }
    if language == Language::Python {
        return pyscan::analyze(source);
    }
    tree_sitter_analysis(language, source)
}

/// [`analyze`] with the tree-sitter grammar of every language (Python's light scanner is
/// held against it in tests).
fn tree_sitter_analysis(language: Language, source: &str) -> Analysis {
    let Some(tree) = parse(language, source) else {
        return Analysis {
            has_errors: true,
            ..Analysis::default()
        };
    };
    match language {
        Language::Python => run(&tree, source, &mut python::Visitor),
        Language::TypeScript | Language::Tsx | Language::JavaScript => {
            run(&tree, source, &mut typescript::Visitor)
        }
        Language::Rust => run(&tree, source, &mut rust::Visitor),
    }
}

/// Analyses shared by the audits of trees that hold the same files (organize's audits
/// before and after its plan): keyed by language and content, so a file that only moves is
/// parsed once. The hash is keyed per process: a repository cannot plant a collision.
#[derive(Debug, Default)]
pub struct AnalysisCache {
    hasher: RandomState,
    by_content: Mutex<HashMap<(Language, usize, u64), Arc<Analysis>>>,
}

impl AnalysisCache {
    /// The analysis of `source`, from the cache or [`analyze`]d now (outside the lock).
    pub fn analyze(&self, language: Language, source: &str) -> Arc<Analysis> {
        let key = (language, source.len(), self.hasher.hash_one(source));
        let cached = self
            .by_content
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&key)
            .cloned();
        if let Some(found) = cached {
            return found;
        }
        let analysis = Arc::new(analyze(language, source));
        self.by_content
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(key)
            .or_insert(analysis)
            .clone()
    }
}

thread_local! {
    static PARSERS: RefCell<[Option<Parser>; 5]> = RefCell::default();
}

fn parse(language: Language, source: &str) -> Option<Tree> {
    let cached = PARSERS
        .try_with(|cell| {
            let mut parsers = cell.try_borrow_mut().ok()?;
            let slot = parsers.get_mut(language.index())?;
            if slot.is_none() {
                *slot = Some(new_parser(language)?);
            }
            let parser = slot.as_mut()?;
            parser.reset();
            parser.parse(source, None)
        })
        .ok()
        .flatten();
    cached.or_else(|| new_parser(language)?.parse(source, None))
}

fn new_parser(language: Language) -> Option<Parser> {
    let mut parser = Parser::new();
    parser.set_language(&language.grammar()).ok()?;
    Some(parser)
}

// ---------------------------------------------------------------------------
// Traversal
// ---------------------------------------------------------------------------

/// Language-specific handling of one syntax node.
pub(crate) trait Visit {
    /// Called once per node, in pre-order, with the node's ancestors
    /// (root first). Comment nodes are not passed.
    fn visit(&mut self, node: Node<'_>, ancestors: &[Node<'_>], out: &mut Collector<'_>);
}

/// Statements a waiver covers whole when it targets their first line. Compound statements
/// (loops, functions, classes) are not in the list: a waiver above them covers their first
/// line only, so it never silently waives a whole body.
fn is_simple_statement(kind: &str) -> bool {
    matches!(
        kind,
        "expression_statement"
            | "return_statement"
            | "assignment"
            | "augmented_assignment"
            | "raise_statement"
            | "throw_statement"
            | "import_statement"
            | "import_from_statement"
            | "lexical_declaration"
            | "variable_declaration"
            | "let_declaration"
            | "use_declaration"
            | "return_expression"
    )
}

/// Node kinds that are comments in the supported grammars.
fn is_comment(kind: &str) -> bool {
    matches!(
        kind,
        "comment" | "line_comment" | "block_comment" | "html_comment"
    )
}

fn run(tree: &Tree, source: &str, visitor: &mut impl Visit) -> Analysis {
    let mut out = Collector::new(source, &tree.language());
    let mut lines = LineMap::new(source);
    let mut comments: Vec<Node<'_>> = Vec::new();
    let mut ancestors: Vec<Node<'_>> = Vec::new();
    let mut cursor = tree.walk();
    loop {
        let node = cursor.node();
        let comment = is_comment(node.kind());
        if comment {
            comments.push(node);
        } else {
            if is_simple_statement(node.kind()) {
                lines.mark_statement(node);
            }
            if node.child_count() == 0 {
                lines.mark_code(node);
            }
            visitor.visit(node, &ancestors, &mut out);
        }
        if !comment && cursor.goto_first_child() {
            ancestors.push(node);
            continue;
        }
        let mut done = false;
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                done = true;
                break;
            }
            ancestors.pop();
        }
        if done {
            break;
        }
    }
    let waivers = lines.waivers(&comments, source);
    let mut analysis = out.finish();
    analysis.waivers = waivers;
    analysis.has_errors = tree.root_node().has_error();
    analysis
}

/// Grammar fields used by the visitors, resolved to numeric ids once per
/// analysis (looking fields up by name costs a string scan per call).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Field {
    Alias,
    Argument,
    Arguments,
    Attribute,
    Body,
    Constructor,
    /// The grammar field named `field` (Rust `value.field`).
    Member,
    Function,
    Key,
    Left,
    List,
    Macro,
    ModuleName,
    Name,
    Object,
    Path,
    Property,
    Source,
    Type,
    Value,
}

impl Field {
    const ALL: [Field; 20] = [
        Field::Alias,
        Field::Argument,
        Field::Arguments,
        Field::Attribute,
        Field::Body,
        Field::Constructor,
        Field::Member,
        Field::Function,
        Field::Key,
        Field::Left,
        Field::List,
        Field::Macro,
        Field::ModuleName,
        Field::Name,
        Field::Object,
        Field::Path,
        Field::Property,
        Field::Source,
        Field::Type,
        Field::Value,
    ];

    fn name(self) -> &'static str {
        match self {
            Field::Alias => "alias",
            Field::Argument => "argument",
            Field::Arguments => "arguments",
            Field::Attribute => "attribute",
            Field::Body => "body",
            Field::Constructor => "constructor",
            Field::Member => "field",
            Field::Function => "function",
            Field::Key => "key",
            Field::Left => "left",
            Field::List => "list",
            Field::Macro => "macro",
            Field::ModuleName => "module_name",
            Field::Name => "name",
            Field::Object => "object",
            Field::Path => "path",
            Field::Property => "property",
            Field::Source => "source",
            Field::Type => "type",
            Field::Value => "value",
        }
    }
}

/// Field ids of one grammar, indexed by [`Field`] (0 = absent, which
/// tree-sitter treats as "no such child").
struct FieldIds([u16; Field::ALL.len()]);

impl FieldIds {
    fn new(grammar: &tree_sitter::Language) -> Self {
        let mut ids = [0; Field::ALL.len()];
        for (slot, field) in ids.iter_mut().zip(Field::ALL) {
            *slot = grammar
                .field_id_for_name(field.name())
                .map_or(0, std::num::NonZero::get);
        }
        FieldIds(ids)
    }
}

/// Accumulates results while a visitor walks the tree.
pub(crate) struct Collector<'s> {
    source: &'s str,
    fields: FieldIds,
    imports: Vec<Import>,
    calls: Vec<(usize, usize, Call)>,
    raises: Vec<Raise>,
    definitions: Vec<Definition>,
    control_flow: Vec<ControlFlow>,
    sql_strings: Vec<SqlString>,
}

impl<'s> Collector<'s> {
    fn new(source: &'s str, grammar: &tree_sitter::Language) -> Self {
        Collector {
            source,
            fields: FieldIds::new(grammar),
            imports: Vec::new(),
            calls: Vec::new(),
            raises: Vec::new(),
            definitions: Vec::new(),
            control_flow: Vec::new(),
            sql_strings: Vec::new(),
        }
    }

    /// The child of `node` in grammar field `field`.
    pub(crate) fn field<'t>(&self, node: Node<'t>, field: Field) -> Option<Node<'t>> {
        let id = self.fields.0.get(field as usize).copied().unwrap_or(0);
        node.child_by_field_id(id)
    }

    /// The source text of `node`, or `""` if it is not valid UTF-8 or out of
    /// range.
    pub(crate) fn text(&self, node: Node<'_>) -> &'s str {
        self.source
            .get(node.start_byte()..node.end_byte())
            .unwrap_or("")
    }

    /// Source text between two byte offsets, or `""`.
    pub(crate) fn slice(&self, start: usize, end: usize) -> &'s str {
        self.source.get(start..end).unwrap_or("")
    }

    pub(crate) fn add_import(&mut self, import: Import) {
        self.imports.push(import);
    }

    /// Records a call; `span` orders calls that start at the same place.
    pub(crate) fn add_call(
        &mut self,
        span: Node<'_>,
        callee: String,
        first_string_arg: Option<String>,
    ) {
        self.add_call_at(
            span.start_byte(),
            span.end_byte(),
            span,
            callee,
            first_string_arg,
        );
    }

    /// Records a call located at `at` covering bytes `start..end`.
    pub(crate) fn add_call_at(
        &mut self,
        start: usize,
        end: usize,
        at: Node<'_>,
        callee: String,
        first_string_arg: Option<String>,
    ) {
        self.calls.push((
            start,
            end,
            Call {
                callee,
                first_string_arg,
                location: location(at),
            },
        ));
    }

    pub(crate) fn add_raise(&mut self, at: Node<'_>, path: String) {
        let name = last_segment(&path).to_string();
        self.raises.push(Raise {
            name,
            path,
            location: location(at),
        });
    }

    pub(crate) fn add_definition(
        &mut self,
        at: Node<'_>,
        name: Node<'_>,
        kind: DefinitionKind,
        is_async: bool,
    ) {
        let name = self.text(name);
        if name.is_empty() {
            return;
        }
        self.definitions.push(Definition {
            name: name.to_string(),
            kind,
            is_async,
            location: location(at),
        });
    }

    pub(crate) fn add_control_flow(&mut self, at: Node<'_>, kind: ControlFlowKind) {
        self.control_flow.push(ControlFlow {
            kind,
            location: location(at),
        });
    }

    /// Records `content` (the literal at `at`, an argument of `callee`) if it looks like
    /// SQL and `callee` may run it: text passed to a call that only shows it (a log line, a
    /// print, an error message) is not a query.
    pub(crate) fn check_sql(&mut self, at: Node<'_>, content: &str, callee: &str) {
        if only_shows_text(callee) {
            return;
        }
        if let Some(snippet) = sql_snippet(content) {
            self.sql_strings.push(SqlString {
                snippet,
                location: location(at),
            });
        }
    }

    fn finish(self) -> Analysis {
        let mut calls = self.calls;
        calls.sort_by_key(|(start, end, _)| (*start, *end));
        let mut analysis = Analysis {
            imports: self.imports,
            calls: calls.into_iter().map(|(_, _, call)| call).collect(),
            raises: self.raises,
            definitions: self.definitions,
            control_flow: self.control_flow,
            sql_strings: self.sql_strings,
            waivers: Vec::new(),
            has_errors: false,
        };
        analysis.sort();
        analysis
    }
}

/// The location of a node's start.
pub(crate) fn location(node: Node<'_>) -> Location {
    Location::from_point(node.start_position())
}

fn to_u32(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

/// The last `.`/`::` separated segment of a path.
fn last_segment(path: &str) -> &str {
    let after_colons = path.rsplit("::").next().unwrap_or(path);
    after_colons.rsplit('.').next().unwrap_or(after_colons)
}

/// Named children of `node` that are not comments.
pub(crate) fn named_children(node: Node<'_>) -> Vec<Node<'_>> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor)
        .filter(|child| !is_comment(child.kind()))
        .collect()
}

/// The first named, non-comment child of `node`.
pub(crate) fn first_named_child(node: Node<'_>) -> Option<Node<'_>> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor)
        .find(|child| !is_comment(child.kind()))
}

/// Whether `node` has a direct (anonymous or named) child of the given kind.
pub(crate) fn has_child_kind(node: Node<'_>, kind: &str) -> bool {
    let mut cursor = node.walk();
    node.children(&mut cursor).any(|child| child.kind() == kind)
}

// ---------------------------------------------------------------------------
// Path rendering
// ---------------------------------------------------------------------------

/// What an expression contributes to a rendered callee path (`'s` is the
/// source text's lifetime).
pub(crate) enum Step<'t, 's> {
    /// A complete leading name (`session`, `this`, `self`).
    Leaf(Cow<'s, str>),
    /// `object` followed by `separator` and `name` (`a.b`, `a::b`).
    Member {
        object: Node<'t>,
        separator: &'static str,
        name: &'s str,
    },
    /// `inner` followed by a fixed suffix (`()` for call receivers, `!()` for
    /// macro receivers).
    Suffix {
        inner: Node<'t>,
        suffix: &'static str,
    },
    /// `new inner()`.
    New(Node<'t>),
    /// Transparent wrapper (`await`, parentheses, `?`, `!`).
    Unwrap(Node<'t>),
    /// Not renderable.
    Opaque,
}

/// Placeholder for anything that cannot be rendered as a path.
pub(crate) const OPAQUE: &str = "<expr>";

/// Longest chain of steps followed before giving up with [`OPAQUE`]; keeps
/// rendering cheap and bounded on pathological input.
const MAX_PATH_STEPS: usize = 64;

/// Renders `start` as a callee path, iteratively, using the language's
/// `step` function.
pub(crate) fn render_path<'t, 's>(
    start: Node<'t>,
    step: impl Fn(Node<'t>) -> Step<'t, 's>,
) -> String {
    // Pieces from the outermost (rightmost) inwards.
    let mut pieces: Vec<&'s str> = Vec::new();
    let mut news = 0usize;
    let mut node = start;
    let mut head: Cow<'s, str> = Cow::Borrowed(OPAQUE);
    for _ in 0..MAX_PATH_STEPS {
        match step(node) {
            Step::Leaf(name) => {
                head = name;
                break;
            }
            Step::Member {
                object,
                separator,
                name,
            } => {
                pieces.push(name);
                pieces.push(separator);
                node = object;
            }
            Step::Suffix { inner, suffix } => {
                pieces.push(suffix);
                node = inner;
            }
            Step::New(inner) => {
                news += 1;
                pieces.push("()");
                node = inner;
            }
            Step::Unwrap(inner) => node = inner,
            Step::Opaque => break,
        }
    }
    let length = news * 4 + head.len() + pieces.iter().map(|piece| piece.len()).sum::<usize>();
    let mut rendered = String::with_capacity(length);
    for _ in 0..news {
        rendered.push_str("new ");
    }
    rendered.push_str(&head);
    for piece in pieces.iter().rev() {
        rendered.push_str(piece);
    }
    rendered
}

// ---------------------------------------------------------------------------
// SQL detection
// ---------------------------------------------------------------------------

static SQL_START: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r#"(?is)\A\s*(?:select\b.*?\bfrom\b|insert\s+into\b|update\s+[\w."`\[\]{}$]+\s+set\b|delete\s+from\b|create\s+table\b|alter\s+table\b|drop\s+table\b|truncate\s+(?:table\s+)?(?:only\s+)?[\w."`\[\]{}$]+\s*(?:\z|[;,]|\b(?:restart|continue|cascade|restrict)\b)|with\s+(?:recursive\s+)?[\w"`]+\s+as\s*\()"#,
    )
    .ok()
});

/// Whether a call only shows its arguments: printing, logging, warning, asserting, writing
/// or raising (`console.log`, `print`, `logger.info`, `this.logger.warn`, `log::info!`,
/// `println!`, `ValueError`, `new Error`). SQL-looking text passed to such a call is a
/// message, never a query.
pub(crate) fn only_shows_text(callee: &str) -> bool {
    const LOGGERS: [&str; 6] = ["console", "logging", "logger", "log", "tracing", "warnings"];
    const SHOWS: [&str; 27] = [
        "print",
        "println",
        "eprint",
        "eprintln",
        "echo",
        "secho",
        "debug",
        "info",
        "warn",
        "warning",
        "error",
        "critical",
        "fatal",
        "trace",
        "exception",
        "panic",
        "assert",
        "assert_eq",
        "assert_ne",
        "debug_assert",
        "unreachable",
        "todo",
        "unimplemented",
        "write",
        "writeln",
        "expect",
        "alert",
    ];
    let callee = callee.strip_prefix("new ").unwrap_or(callee);
    let segments: Vec<&str> = callee
        .split(['.', ':'])
        .map(|s| s.trim_end_matches("()").trim_end_matches('!'))
        .filter(|s| !s.is_empty())
        .collect();
    let Some(last) = segments.last() else {
        return false;
    };
    segments
        .iter()
        .any(|s| LOGGERS.iter().any(|l| s.eq_ignore_ascii_case(l)))
        || SHOWS.contains(last)
        || last.ends_with("Error")
        || last.ends_with("Exception")
        || last.ends_with("Warning")
}

/// Maximum characters kept in [`SqlString::snippet`].
const SNIPPET_CHARS: usize = 80;

/// If `content` (a literal's text, escapes as written) looks like a SQL
/// statement, returns its snippet.
pub(crate) fn sql_snippet(content: &str) -> Option<String> {
    let regex = SQL_START.as_ref()?;
    // Escaped newlines/tabs (`\n`) would glue keywords together.
    let normalized = content
        .replace("\\n", " ")
        .replace("\\r", " ")
        .replace("\\t", " ");
    if !regex.is_match(&normalized) {
        return None;
    }
    let mut snippet = String::new();
    for word in normalized.split_whitespace() {
        if !snippet.is_empty() {
            snippet.push(' ');
        }
        snippet.push_str(word);
        if snippet.chars().count() >= SNIPPET_CHARS {
            break;
        }
    }
    Some(snippet.chars().take(SNIPPET_CHARS).collect())
}

// ---------------------------------------------------------------------------
// Waivers
// ---------------------------------------------------------------------------

static WAIVER: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"(?i)squarely:\s*allow\(([^)]*)\)\s*(.*)").ok());

/// Parses a waiver out of a comment's text.
fn parse_waiver(comment: &str) -> Option<(Vec<String>, Option<String>)> {
    let captures = WAIVER.as_ref()?.captures(comment)?;
    let ids = captures
        .get(1)
        .map(|ids| ids.as_str())
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|id| !id.is_empty())
        .map(str::to_string)
        .collect();
    let mut reason = captures
        .get(2)
        .map(|r| r.as_str())
        .unwrap_or_default()
        .trim();
    for closer in ["*/", "-->"] {
        if let Some(stripped) = reason.strip_suffix(closer) {
            reason = stripped.trim_end();
        }
    }
    let reason = reason.trim_start_matches(['-', '—', ':']).trim();
    let reason = (!reason.is_empty()).then(|| reason.to_string());
    Some((ids, reason))
}

/// Which lines hold code, for waiver targeting.
pub(crate) struct LineMap {
    /// Per 0-based row: the smallest byte column where a code token is.
    first_code_column: Vec<Option<usize>>,
    /// Per 0-based row: the last row of a simple statement starting on it.
    statement_end: Vec<Option<usize>>,
}

impl LineMap {
    pub(crate) fn new(source: &str) -> Self {
        let rows = source.bytes().filter(|byte| *byte == b'\n').count() + 1;
        LineMap {
            first_code_column: vec![None; rows],
            statement_end: vec![None; rows],
        }
    }

    /// Remembers how far a simple statement starting on its row reaches.
    fn mark_statement(&mut self, node: Node<'_>) {
        self.mark_statement_rows(node.start_position().row, effective_end_row(node));
    }

    /// Remembers that a simple statement starting on `row` reaches `end`.
    pub(crate) fn mark_statement_rows(&mut self, row: usize, end: usize) {
        if let Some(slot) = self.statement_end.get_mut(row) {
            *slot = Some(slot.map_or(end, |existing| existing.max(end)));
        }
    }

    /// Marks the rows covered by a (non-comment) leaf token.
    fn mark_code(&mut self, node: Node<'_>) {
        if node.start_byte() == node.end_byte() {
            return;
        }
        let start = node.start_position();
        self.mark_code_rows(start.row, start.column, effective_end_row(node));
    }

    /// Marks the rows covered by a (non-comment) token starting at `row`, `column`.
    pub(crate) fn mark_code_rows(&mut self, row: usize, column: usize, end_row: usize) {
        if let Some(slot) = self.first_code_column.get_mut(row) {
            *slot = Some(slot.map_or(column, |existing| existing.min(column)));
        }
        for later in row + 1..=end_row {
            if let Some(slot) = self.first_code_column.get_mut(later) {
                *slot = Some(0);
            }
        }
    }

    fn waivers(&self, comments: &[Node<'_>], source: &str) -> Vec<Waiver> {
        let comments = comments.iter().map(|comment| {
            let text = source
                .get(comment.start_byte()..comment.end_byte())
                .unwrap_or("");
            let start = comment.start_position();
            (text, start.row, start.column, effective_end_row(*comment))
        });
        self.waivers_of(comments)
    }

    /// The waivers among `comments`: (text, row, column, last row) of each comment.
    pub(crate) fn waivers_of<'a>(
        &self,
        comments: impl Iterator<Item = (&'a str, usize, usize, usize)>,
    ) -> Vec<Waiver> {
        // For each row: the first row at or after it that has code.
        let mut next_code_row = vec![None; self.first_code_column.len() + 1];
        let mut next = None;
        for (row, first_code) in self.first_code_column.iter().enumerate().rev() {
            if first_code.is_some() {
                next = Some(row);
            }
            if let Some(slot) = next_code_row.get_mut(row) {
                *slot = next;
            }
        }
        let mut waivers = Vec::new();
        for (text, row, column, end_row) in comments {
            let Some((ids, reason)) = parse_waiver(text) else {
                continue;
            };
            let location = Location {
                line: to_u32(row).saturating_add(1),
                column: to_u32(column).saturating_add(1),
            };
            let code_before = self
                .first_code_column
                .get(row)
                .copied()
                .flatten()
                .is_some_and(|first| first < column);
            let target_row = if code_before {
                Some(row)
            } else {
                next_code_row.get(end_row + 1).copied().flatten()
            };
            let target_line = target_row.map_or(location.line, |row| to_u32(row).saturating_add(1));
            let target_end_line = target_row
                .and_then(|row| self.statement_end.get(row).copied().flatten())
                .map_or(target_line, |row| to_u32(row).saturating_add(1))
                .max(target_line);
            waivers.push(Waiver {
                ids,
                reason,
                location,
                target_line,
                target_end_line,
            });
        }
        waivers
    }
}

/// The last row a node really occupies (a trailing newline that ends it at
/// column 0 of the next row does not count).
fn effective_end_row(node: Node<'_>) -> usize {
    let start = node.start_position();
    let end = node.end_position();
    if end.column == 0 && end.row > start.row {
        end.row - 1
    } else {
        end.row
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cache_parses_a_content_once() {
        let cache = AnalysisCache::default();
        let first = cache.analyze(Language::Python, "import os\n");
        let moved = cache.analyze(Language::Python, "import os\n");
        assert!(
            Arc::ptr_eq(&first, &moved),
            "the same content is parsed once"
        );
        let edited = cache.analyze(Language::Python, "import sys\n");
        assert!(!Arc::ptr_eq(&first, &edited));
        assert_eq!(*edited, analyze(Language::Python, "import sys\n"));
        // The same bytes in another language are another analysis.
        let script = cache.analyze(Language::JavaScript, "import os\n");
        assert!(!Arc::ptr_eq(&first, &script));
    }

    #[test]
    fn language_from_path() {
        let cases = [
            ("app/main.py", Some(Language::Python)),
            ("stubs/x.pyi", Some(Language::Python)),
            ("src/users.service.ts", Some(Language::TypeScript)),
            ("types/index.d.ts", Some(Language::TypeScript)),
            ("a.mts", Some(Language::TypeScript)),
            ("a.cts", Some(Language::TypeScript)),
            ("App.tsx", Some(Language::Tsx)),
            ("a.js", Some(Language::JavaScript)),
            ("a.mjs", Some(Language::JavaScript)),
            ("a.cjs", Some(Language::JavaScript)),
            ("Component.jsx", Some(Language::JavaScript)),
            ("src/main.rs", Some(Language::Rust)),
            ("C:\\repo\\MAIN.PY", Some(Language::Python)),
            ("README.md", None),
            ("Makefile", None),
            (".py", None),
            ("dir.py/file", None),
            ("", None),
        ];
        for (path, expected) in cases {
            assert_eq!(Language::from_path(path), expected, "{path}");
        }
    }

    #[test]
    fn language_names() {
        let cases = [
            (Language::Python, "python"),
            (Language::TypeScript, "typescript"),
            (Language::Tsx, "tsx"),
            (Language::JavaScript, "javascript"),
            (Language::Rust, "rust"),
        ];
        for (language, name) in cases {
            assert_eq!(language.name(), name);
        }
    }

    #[test]
    fn call_segments() {
        let cases: [(&str, &[&str]); 6] = [
            ("sqlx::query().fetch_all", &["sqlx", "query", "fetch_all"]),
            ("session.commit", &["session", "commit"]),
            (
                "db.query().filter().first",
                &["db", "query", "filter", "first"],
            ),
            ("sqlx::query!", &["sqlx", "query!"]),
            ("::std::mem::take", &["std", "mem", "take"]),
            ("f()()", &["f"]),
        ];
        for (callee, expected) in cases {
            let call = Call {
                callee: callee.to_string(),
                first_string_arg: None,
                location: Location::default(),
            };
            assert_eq!(call.segments(), expected, "{callee}");
        }
    }

    #[test]
    fn calls_that_only_show_text() {
        for callee in [
            "console.log",
            "print",
            "logger.info",
            "this.logger.warn",
            "self.log.error",
            "logging.exception",
            "log::info!",
            "tracing::warn!",
            "println!",
            "panic!",
            "ValueError",
            "new Error",
            "new HttpException",
            "click.echo",
        ] {
            assert!(only_shows_text(callee), "{callee}");
        }
        for callee in [
            "cursor.execute",
            "db.query",
            "sqlx::query",
            "sqlx::query_as!",
            "knex.raw",
            "text",
            "sql",
            "format!",
            "conn.execute().fetch_all",
        ] {
            assert!(!only_shows_text(callee), "{callee}");
        }
    }

    #[test]
    fn sql_classification() {
        let cases = [
            ("SELECT * FROM users", true),
            ("  \n select id\n from users where x = 1", true),
            ("SELECT id\\nFROM users", true),
            ("INSERT INTO users (id) VALUES ($1)", true),
            ("update users set name = $1", true),
            ("UPDATE \"public\".\"users\" SET a = 1", true),
            ("UPDATE ${table} SET a = 1", true),
            ("DELETE FROM users", true),
            ("create table t (id int)", true),
            ("ALTER TABLE t ADD COLUMN x int", true),
            ("DROP TABLE t", true),
            ("TRUNCATE users", true),
            ("TRUNCATE TABLE users CASCADE", true),
            ("truncate the name to 20 characters", false),
            ("WITH recent AS (SELECT 1) SELECT * FROM recent", true),
            ("with recursive tree as (select 1)", true),
            ("SELECT", false),
            ("selection from menu", false),
            ("users", false),
            ("update the record", false),
            ("", false),
            ("-- SELECT * FROM x", false),
        ];
        for (text, expected) in cases {
            assert_eq!(sql_snippet(text).is_some(), expected, "{text:?}");
        }
    }

    #[test]
    fn sql_snippet_is_collapsed_and_truncated() {
        let long = format!(
            "SELECT\n\n   a,\tb FROM t WHERE {}",
            "x = 1 AND ".repeat(20)
        );
        let snippet = sql_snippet(&long).unwrap_or_default();
        assert!(snippet.starts_with("SELECT a, b FROM t WHERE x = 1"));
        assert_eq!(snippet.chars().count(), 80);
        let short = sql_snippet("select é from t").unwrap_or_default();
        assert_eq!(short, "select é from t");
    }

    #[test]
    fn waiver_parsing() {
        type Case = (
            &'static str,
            Option<(Vec<&'static str>, Option<&'static str>)>,
        );
        let cases: Vec<Case> = vec![
            (
                "# squarely: allow(src.separation, interface-no-db) legacy code",
                Some((
                    vec!["src.separation", "interface-no-db"],
                    Some("legacy code"),
                )),
            ),
            ("// squarely: allow(a)", Some((vec!["a"], None))),
            (
                "// SQUARELY:allow( a ,b ) - why",
                Some((vec!["a", "b"], Some("why"))),
            ),
            (
                "/* squarely: allow(x) — because */",
                Some((vec!["x"], Some("because"))),
            ),
            ("/* squarely: allow(x) */", Some((vec!["x"], None))),
            (
                "// squarely: allow(x): reason here",
                Some((vec!["x"], Some("reason here"))),
            ),
            (
                "// note: squarely: allow(x) r",
                Some((vec!["x"], Some("r"))),
            ),
            (
                "// squarely: allow() nothing",
                Some((vec![], Some("nothing"))),
            ),
            ("// squarely: deny(x)", None),
            ("// squarely allow(x)", None),
            ("// just a comment", None),
        ];
        for (comment, expected) in cases {
            let got = parse_waiver(comment);
            let expected = expected.map(|(ids, reason)| {
                (
                    ids.into_iter().map(str::to_string).collect::<Vec<_>>(),
                    reason.map(str::to_string),
                )
            });
            assert_eq!(got, expected, "{comment}");
        }
    }

    #[test]
    fn waiver_targets_across_languages() {
        // (language, source, expected (line, target_line) per waiver)
        type Case = (Language, &'static str, &'static [(u32, u32)]);
        let cases: [Case; 8] = [
            (
                Language::Python,
                "x = 1  # squarely: allow(a) same line\n",
                &[(1, 1)],
            ),
            (
                Language::Python,
                "# squarely: allow(a) next\n\n# another comment\n\nsession.commit()\n",
                &[(1, 5)],
            ),
            (
                Language::Python,
                "# squarely: allow(a) nothing follows\n",
                &[(1, 1)],
            ),
            (
                Language::TypeScript,
                "// squarely: allow(a)\n/* more */\nfoo();\nbar(); // squarely: allow(b) x\n",
                &[(1, 3), (4, 4)],
            ),
            (
                Language::Tsx,
                "const x = <div>{/* squarely: allow(a) r */}</div>;\n",
                &[(1, 1)],
            ),
            (
                Language::JavaScript,
                "/* squarely: allow(a)\n   spans lines */\n\nrun();\n",
                &[(1, 4)],
            ),
            (
                Language::Rust,
                "/// squarely: allow(a) doc\nfn f() {}\nfn g() {} // squarely: allow(b)\n",
                &[(1, 2), (3, 3)],
            ),
            (
                Language::Python,
                "s = \"\"\"\n# squarely: allow(a) inside a string\n\"\"\"\n",
                &[],
            ),
        ];
        for (language, source, expected) in cases {
            let analysis = analyze(language, source);
            let got: Vec<(u32, u32)> = analysis
                .waivers
                .iter()
                .map(|w| (w.location.line, w.target_line))
                .collect();
            assert_eq!(got, expected, "{source}");
        }
    }

    #[test]
    fn waivers_cover_the_whole_simple_statement_they_target() {
        let python = "# squarely: allow(x) multi-line call\nrows = db.execute(\n    \"SELECT id FROM users\",\n)\nother()\n";
        let analysis = analyze(Language::Python, python);
        let waiver = &analysis.waivers[0];
        assert_eq!((waiver.target_line, waiver.target_end_line), (2, 4));
        assert_eq!(analysis.sql_strings[0].location.line, 3);
        let script =
            "// squarely: allow(x) raw report query\nawait db.raw(\n  `SELECT * FROM orders`\n);\n";
        let waiver = &analyze(Language::JavaScript, script).waivers[0];
        assert_eq!((waiver.target_line, waiver.target_end_line), (2, 4));
        // A loop is compound: the waiver covers its first line only.
        let looped = "# squarely: allow(x) loop\nfor x in y:\n    session.commit()\n";
        let waiver = &analyze(Language::Python, looped).waivers[0];
        assert_eq!((waiver.target_line, waiver.target_end_line), (2, 2));
    }

    #[test]
    fn waiver_inside_strings_never_counts() {
        let cases = [
            (Language::Python, "x = '# squarely: allow(a) r'\n"),
            (
                Language::TypeScript,
                "const x = '// squarely: allow(a) r';\n",
            ),
            (
                Language::JavaScript,
                "const x = `/* squarely: allow(a) */`;\n",
            ),
            (Language::Rust, "let x = \"// squarely: allow(a)\";\n"),
        ];
        for (language, source) in cases {
            assert!(analyze(language, source).waivers.is_empty(), "{source}");
        }
    }

    #[test]
    fn empty_and_whitespace_inputs() {
        for language in [
            Language::Python,
            Language::TypeScript,
            Language::Tsx,
            Language::JavaScript,
            Language::Rust,
        ] {
            for source in ["", "\n", "   \n\t\n", "\u{feff}"] {
                let analysis = analyze(language, source);
                assert!(analysis.imports.is_empty() && analysis.calls.is_empty());
            }
        }
    }

    /// Deterministic pseudo-random soup of syntax fragments: must never
    /// panic, whatever the language.
    #[test]
    fn random_fragments_never_panic() {
        const FRAGMENTS: [&str; 40] = [
            "(",
            ")",
            "{",
            "}",
            "[",
            "]",
            "'",
            "\"",
            "`",
            "${",
            "#",
            "//",
            "/*",
            "*/",
            "\n",
            "import ",
            "from ",
            "use ",
            "::",
            ".",
            "!",
            "r#\"",
            "\"#",
            "é",
            "\0",
            "f\"",
            "raise ",
            "throw new ",
            "x",
            "db.query",
            "(\"SELECT * FROM t\")",
            "mod m;",
            "async ",
            "def ",
            "fn ",
            "=>",
            "<div>",
            "</div>",
            "squarely: allow(a) r",
            "\\",
        ];
        let languages = [
            Language::Python,
            Language::TypeScript,
            Language::Tsx,
            Language::JavaScript,
            Language::Rust,
        ];
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        for round in 0..300 {
            let mut source = String::new();
            for _ in 0..=(round % 97) {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                let index = usize::try_from(state % 40).unwrap_or(0);
                source.push_str(FRAGMENTS[index]);
            }
            for language in languages {
                let analysis = analyze(language, &source);
                for waiver in &analysis.waivers {
                    assert!(waiver.target_line >= 1);
                }
            }
        }
    }

    #[test]
    fn parser_is_reused_across_calls() {
        for _ in 0..3 {
            for language in [Language::Python, Language::Rust, Language::Tsx] {
                assert!(!analyze(language, "").has_errors);
            }
        }
    }

    #[test]
    fn render_bounds_long_chains() {
        let source = format!("x = a{}()\n", ".b".repeat(1000));
        let analysis = analyze(Language::Python, &source);
        assert_eq!(analysis.calls.len(), 1);
        assert!(analysis.calls[0].callee.starts_with(OPAQUE));
    }
}
