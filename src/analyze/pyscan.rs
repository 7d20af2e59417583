//! Python analysis without a syntax tree: a tokenizer that understands strings (all prefixes,
//! triple quotes, f-string substitutions), comments, line continuations and brackets, and one
//! pass over its tokens that finds what the layer contracts need.
//!
//! It gives the same [`Analysis`] as the tree-sitter visitor in `python.rs` (which the tests
//! hold it against, file by file), about ten times faster: the layer contracts need imports,
//! callee paths, raises, definitions, control flow, SQL passed to calls and waiver comments,
//! never a full tree.
//!
//! How it reads the tokens:
//!
//! * A *statement* starts the file, and follows a newline outside brackets, a `;`, or the
//!   colon that ends a compound statement's header (`if x: return y`). Imports, `raise`,
//!   `def`, `class`, loops and conditionals are only recognised at a statement's start.
//! * A *chain* is a primary expression being read: a name, string, number or bracketed atom
//!   followed by `.name`, `(...)` and `[...]` trailers. A `(` right after a chain is a call of
//!   it; the callee is the chain rendered as `tree-sitter` renders it (`a.b().c`, `<expr>`
//!   for subscripts and other opaque atoms, parentheses and `await` unwrapped).
//! * Brackets are a stack of frames, never recursion, so deep nesting cannot overflow.
//!
//! Where the two disagree it is on invalid code (error recovery differs) and in corners no
//! contract reads: a `case` pattern's guard, or a header whose colon belongs to a lambda.

use super::spans::{Literal, Note, PyFrom, PyName, PyStatement, PythonImports, Span};
use super::{
    Analysis, Call, ControlFlow, ControlFlowKind, Definition, DefinitionKind, Import, ImportKind,
    ImportName, LineMap, Location, OPAQUE, Raise, SqlString, last_segment, only_shows_text,
    sql_snippet, to_u32,
};

/// Callee steps rendered before giving up with [`OPAQUE`] (as `render_path` does).
const MAX_PATH_STEPS: usize = 64;

/// Nesting of f-strings inside f-string substitutions followed before giving up.
const MAX_FSTRING_DEPTH: usize = 16;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Name,
    Number,
    /// A string literal; `content` is between the quotes, as written.
    Str {
        content_start: u32,
        content_end: u32,
        substituted: bool,
    },
    Op,
    /// The end of a logical line (outside brackets).
    Newline,
    Comment,
    /// Brackets left open where a new top-level definition starts: every frame is closed.
    Reset,
}

#[derive(Debug, Clone, Copy)]
struct Token {
    kind: Kind,
    start: u32,
    end: u32,
    /// 0-based row of the first byte.
    row: u32,
    /// 0-based row of the last byte.
    end_row: u32,
}

/// Byte offset of each row's start.
struct Lines(Vec<u32>);

impl Lines {
    fn new(source: &str) -> Self {
        let mut starts = Vec::with_capacity(source.len() / 24 + 1);
        starts.push(0);
        starts.extend(
            source
                .bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| to_u32(i + 1)),
        );
        Lines(starts)
    }

    fn row_of(&self, byte: usize) -> u32 {
        let byte = to_u32(byte);
        to_u32(self.0.partition_point(|&start| start <= byte)).saturating_sub(1)
    }

    fn column(&self, byte: u32, row: u32) -> u32 {
        byte.saturating_sub(self.0.get(row as usize).copied().unwrap_or(0))
    }

    fn location(&self, byte: u32, row: u32) -> Location {
        Location {
            line: row.saturating_add(1),
            column: self.column(byte, row).saturating_add(1),
        }
    }
}

#[allow(clippy::struct_field_names)] // `tokens.tokens` reads as what it is
struct Tokens<'s> {
    source: &'s str,
    tokens: Vec<Token>,
    /// Byte ranges of f-string substitutions (`{expr}`) and their f-string depth, scanned as
    /// code afterwards.
    substitutions: Vec<(usize, usize, usize)>,
    errors: bool,
}

fn newlines(bytes: &[u8]) -> usize {
    bytes
        .iter()
        .fold(0, |count, &b| count + usize::from(b == b'\n'))
}

fn is_name_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_' || byte >= 0x80
}

fn is_string_prefix(name: &[u8]) -> bool {
    name.len() <= 2
        && name
            .iter()
            .all(|b| matches!(b.to_ascii_lowercase(), b'r' | b'b' | b'u' | b'f' | b't'))
}

impl<'s> Tokens<'s> {
    fn new(source: &'s str, capacity: usize) -> Self {
        Tokens {
            source,
            tokens: Vec::with_capacity(capacity),
            substitutions: Vec::new(),
            errors: false,
        }
    }

    fn push(&mut self, kind: Kind, start: usize, end: usize, row: u32, end_row: u32) {
        self.tokens.push(Token {
            kind,
            start: to_u32(start),
            end: to_u32(end),
            row,
            end_row,
        });
    }

    /// Tokenizes `source[from..to]`; `row` is the row of `from`.
    fn tokenize(&mut self, from: usize, to: usize, mut row: u32, depth_of_fstrings: usize) {
        let bytes = self.source.as_bytes();
        let to = to.min(bytes.len());
        let mut i = from;
        let mut depth = 0usize;
        while i < to {
            let byte = bytes[i];
            match byte {
                b' ' | b'\t' | b'\x0c' | b'\r' => i += 1,
                b'\\' => {
                    // A line continuation (anything else after a backslash is an error).
                    let next = bytes.get(i + 1).copied();
                    if next == Some(b'\n') {
                        row += 1;
                        i += 2;
                    } else if next == Some(b'\r') && bytes.get(i + 2) == Some(&b'\n') {
                        row += 1;
                        i += 3;
                    } else {
                        self.errors = true;
                        i += 1;
                    }
                }
                b'\n' => {
                    if depth == 0 {
                        let ends_line = self
                            .tokens
                            .iter()
                            .rev()
                            .find(|t| t.kind != Kind::Comment)
                            .is_some_and(|t| t.kind != Kind::Newline);
                        if ends_line {
                            self.push(Kind::Newline, i, i, row, row);
                        }
                    } else if starts_top_level(&bytes[i + 1..to]) {
                        // Brackets left open before a new definition: recover as Python
                        // would report, with everything before closed.
                        self.errors = true;
                        depth = 0;
                        self.push(Kind::Reset, i, i, row, row);
                        self.push(Kind::Newline, i, i, row, row);
                    }
                    row += 1;
                    i += 1;
                }
                b'#' => {
                    let end = bytes[i..to]
                        .iter()
                        .position(|&b| b == b'\n' || b == b'\r')
                        .map_or(to, |n| i + n);
                    self.push(Kind::Comment, i, end, row, row);
                    i = end;
                }
                b'\'' | b'"' => {
                    let (end, end_row) = self.string(i, i, to, row, false, depth_of_fstrings);
                    row = end_row;
                    i = end;
                }
                b'0'..=b'9' => i = self.number(i, to, row),
                b'.' if bytes.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                    i = self.number(i, to, row);
                }
                _ if is_name_byte(byte) => {
                    let end = bytes[i..to]
                        .iter()
                        .position(|&b| !is_name_byte(b))
                        .map_or(to, |n| i + n);
                    if end < to
                        && matches!(bytes[end], b'\'' | b'"')
                        && is_string_prefix(&bytes[i..end])
                    {
                        let fstring = bytes[i..end]
                            .iter()
                            .any(|b| matches!(b.to_ascii_lowercase(), b'f' | b't'));
                        let (after, end_row) =
                            self.string(i, end, to, row, fstring, depth_of_fstrings);
                        row = end_row;
                        i = after;
                    } else {
                        self.push(Kind::Name, i, end, row, row);
                        i = end;
                    }
                }
                _ => {
                    let length = operator_length(&bytes[i..to]);
                    match byte {
                        b'(' | b'[' | b'{' => depth += 1,
                        b')' | b']' | b'}' => {
                            if depth == 0 {
                                self.errors = true;
                            }
                            depth = depth.saturating_sub(1);
                        }
                        _ => {}
                    }
                    // A stray byte inside a UTF-8 character cannot happen: names take every
                    // byte from 0x80 up, so `length` always ends on a character boundary.
                    self.push(Kind::Op, i, i + length, row, row);
                    i += length;
                }
            }
        }
        if depth > 0 {
            self.errors = true;
        }
    }

    fn number(&mut self, start: usize, to: usize, row: u32) -> usize {
        let bytes = self.source.as_bytes();
        let hex = bytes
            .get(start + 1)
            .is_some_and(|b| matches!(b, b'x' | b'X'))
            && bytes[start] == b'0';
        let mut i = start;
        while i < to {
            let b = bytes[i];
            let exponent_sign = matches!(b, b'+' | b'-')
                && !hex
                && i > start
                && matches!(bytes[i - 1], b'e' | b'E');
            if !(b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || exponent_sign) {
                break;
            }
            i += 1;
        }
        self.push(Kind::Number, start, i, row, row);
        i
    }

    /// Scans a string literal whose prefix starts at `start` and whose quote is at `quote`;
    /// pushes it and returns the byte after it and the row it ends on.
    fn string(
        &mut self,
        start: usize,
        quote_at: usize,
        to: usize,
        row: u32,
        fstring: bool,
        depth_of_fstrings: usize,
    ) -> (usize, u32) {
        let bytes = self.source.as_bytes();
        let quote = bytes[quote_at];
        let triple =
            bytes.get(quote_at + 1) == Some(&quote) && bytes.get(quote_at + 2) == Some(&quote);
        let open = if triple { 3 } else { 1 };
        let content_start = quote_at + open;
        let mut i = content_start;
        let mut end_row = row;
        let mut substituted = false;
        let (content_end, end) = loop {
            let Some(&b) = bytes.get(i).filter(|_| i < to) else {
                self.errors = true;
                break (to, to);
            };
            match b {
                b'\\' => {
                    match bytes.get(i + 1) {
                        Some(b'\n') => end_row += 1,
                        // A backslash never escapes an f-string's braces, and `\N{NAME}` is a
                        // named character, not a substitution.
                        Some(b'{' | b'}') if fstring => {
                            i += 1;
                            continue;
                        }
                        Some(b'N') if fstring && bytes.get(i + 2) == Some(&b'{') => {
                            i = bytes[i..to]
                                .iter()
                                .position(|&b| b == b'}' || b == b'\n')
                                .map_or(to, |n| i + n + 1);
                            continue;
                        }
                        _ => {}
                    }
                    i += 2;
                }
                b'\n' if !triple => {
                    self.errors = true;
                    break (i, i);
                }
                b'\n' => {
                    end_row += 1;
                    i += 1;
                }
                _ if b == quote
                    && (!triple
                        || (bytes.get(i + 1) == Some(&quote)
                            && bytes.get(i + 2) == Some(&quote))) =>
                {
                    break (i, i + open);
                }
                b'{' if fstring => {
                    if bytes.get(i + 1) == Some(&b'{') {
                        i += 2;
                        continue;
                    }
                    substituted = true;
                    let mut found = Vec::new();
                    let after = substitution(bytes, i + 1, to, quote, triple, 0, &mut found);
                    if depth_of_fstrings < MAX_FSTRING_DEPTH {
                        self.substitutions.extend(
                            found
                                .into_iter()
                                .map(|(from, end)| (from, end, depth_of_fstrings + 1)),
                        );
                    }
                    end_row += to_u32(newlines(&bytes[i..after]));
                    i = after;
                }
                _ => i += 1,
            }
        };
        let content_end = content_end.min(to).max(content_start.min(to));
        self.push(
            Kind::Str {
                content_start: to_u32(content_start.min(content_end)),
                content_end: to_u32(content_end),
                substituted,
            },
            start,
            end.min(to),
            row,
            end_row,
        );
        (end.min(to).max(start + 1), end_row)
    }
}

/// Whether the line after a newline starts a top-level definition or import (at column 0):
/// brackets still open there were left open by mistake.
fn starts_top_level(rest: &[u8]) -> bool {
    ["def ", "class ", "import ", "from ", "async def ", "@"]
        .iter()
        .any(|keyword| rest.starts_with(keyword.as_bytes()))
}

/// Reads an f-string substitution whose expression starts at `from`: pushes the expression's
/// range (up to `}`, a `!` conversion or a `:` format spec, outside brackets) and those of the
/// substitutions nested in its format spec (`{x:>{width}}`) to `found`, and returns the byte
/// after its closing `}`.
fn substitution(
    bytes: &[u8],
    from: usize,
    to: usize,
    quote: u8,
    triple: bool,
    nesting: usize,
    found: &mut Vec<(usize, usize)>,
) -> usize {
    let mut depth = 0usize;
    let mut i = from;
    let mut expression_end = None;
    let done = |end: Option<usize>, at: usize, found: &mut Vec<(usize, usize)>| {
        found.push((from, end.unwrap_or(at)));
    };
    while i < to {
        let b = bytes[i];
        match b {
            b'{' if expression_end.is_some() && depth == 0 && nesting < MAX_FSTRING_DEPTH => {
                i = substitution(bytes, i + 1, to, quote, triple, nesting + 1, found);
                continue;
            }
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' => depth = depth.saturating_sub(1),
            b'}' if depth == 0 => {
                done(expression_end, i, found);
                return i + 1;
            }
            b'}' => depth -= 1,
            b'!' if depth == 0 && expression_end.is_none() && bytes.get(i + 1) != Some(&b'=') => {
                expression_end = Some(i);
            }
            b':' if depth == 0 && expression_end.is_none() => expression_end = Some(i),
            b'\'' | b'"' if expression_end.is_none() => {
                // A string inside the expression: skip it (nested quotes of any kind).
                if b == quote && !triple && !inner_quote_closes(bytes, i, to, b) {
                    done(expression_end, i, found);
                    return i;
                }
                i = skip_plain_string(bytes, i, to);
                continue;
            }
            b'\n' if !triple => {
                done(expression_end, i, found);
                return i;
            }
            _ if b == quote && expression_end.is_some() && !triple => {
                done(expression_end, i, found);
                return i;
            }
            _ => {}
        }
        i += 1;
    }
    done(expression_end, to, found);
    to
}

/// Whether a quote inside a one-line f-string's substitution opens a nested string (Python
/// 3.12) rather than ending the f-string: the nested string must close on the same line.
fn inner_quote_closes(bytes: &[u8], at: usize, to: usize, quote: u8) -> bool {
    bytes[at + 1..to]
        .iter()
        .take_while(|&&b| b != b'\n')
        .any(|&b| b == quote)
}

/// The byte after a string literal (any quotes) starting at `at`, without looking inside.
fn skip_plain_string(bytes: &[u8], at: usize, to: usize) -> usize {
    let quote = bytes[at];
    let triple = bytes.get(at + 1) == Some(&quote) && bytes.get(at + 2) == Some(&quote);
    let mut i = at + if triple { 3 } else { 1 };
    while i < to {
        match bytes[i] {
            b'\\' => i += 2,
            b'\n' if !triple => return i,
            b if b == quote
                && (!triple
                    || (bytes.get(i + 1) == Some(&quote) && bytes.get(i + 2) == Some(&quote))) =>
            {
                return i + if triple { 3 } else { 1 };
            }
            _ => i += 1,
        }
    }
    to
}

/// Length of the operator at the start of `rest` (1 for anything unknown).
fn operator_length(rest: &[u8]) -> usize {
    const THREE: [&[u8]; 5] = [b"**=", b"//=", b">>=", b"<<=", b"..."];
    const TWO: [&[u8]; 20] = [
        b"->", b":=", b"==", b"!=", b"<=", b">=", b"+=", b"-=", b"*=", b"/=", b"%=", b"&=", b"|=",
        b"^=", b"@=", b"**", b"//", b"<<", b">>", b"<>",
    ];
    if THREE.iter().any(|op| rest.starts_with(op)) {
        3
    } else if TWO.iter().any(|op| rest.starts_with(op)) {
        2
    } else {
        // One character, whole (a non-ASCII byte never gets here: see `is_name_byte`).
        1
    }
}

fn is_keyword(name: &str) -> bool {
    matches!(
        name,
        "and"
            | "as"
            | "assert"
            | "async"
            | "await"
            | "break"
            | "class"
            | "continue"
            | "def"
            | "del"
            | "elif"
            | "else"
            | "except"
            | "finally"
            | "for"
            | "from"
            | "global"
            | "if"
            | "import"
            | "in"
            | "is"
            | "lambda"
            | "nonlocal"
            | "not"
            | "or"
            | "pass"
            | "raise"
            | "return"
            | "try"
            | "while"
            | "with"
            | "yield"
    )
}

/// A piece of a callee chain (kept on one stack shared by all frames).
#[derive(Debug, Clone, Copy)]
enum Piece {
    /// A name: the head of the chain or a `.name` member.
    Name(u32, u32),
    /// Something that cannot be rendered (a subscript, a literal, a lambda).
    Opaque,
    /// A call of what comes before: `()`.
    Call,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FrameKind {
    Top,
    /// `(` after a chain: a call.
    Call,
    /// `(` that is not a call: a parenthesized expression, a tuple, parameters.
    Group,
    /// `[` after a chain.
    Subscript,
    /// `[` or `{` that starts a display.
    Display,
}

/// Where an argument (or a parenthesized expression) stands, for string arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Arg {
    Start,
    /// One name so far: a keyword argument if `=` follows.
    Name,
    KeywordValue,
    /// Only a string so far: tokens `first..=last` (implicit concatenation).
    Str {
        first: usize,
        last: usize,
        keyword: bool,
    },
    Other,
}

#[derive(Debug)]
struct Frame {
    kind: FrameKind,
    /// Token index of the opening bracket.
    open: usize,
    /// Length of the piece stack when the frame opened: its chains live above it.
    base: usize,
    /// The chain being read: (start token index).
    chain: Option<usize>,
    /// A `.` was read after the chain.
    dot: bool,
    /// Atoms started at this level, and whether anything else was read (`await` aside).
    atoms: u32,
    mixed: bool,
    arg: Arg,
    arg_index: u32,
    /// For calls: the index of its entry in `calls`.
    call: usize,
    /// The chain is names joined by dots, nothing else (`a.b.c`).
    plain: bool,
    /// For calls: the first argument is one plain string literal.
    first_plain: bool,
}

impl Frame {
    fn new(kind: FrameKind, open: usize, base: usize) -> Frame {
        Frame {
            kind,
            open,
            base,
            chain: None,
            dot: false,
            atoms: 0,
            mixed: false,
            arg: Arg::Start,
            arg_index: 0,
            call: 0,
            plain: false,
            first_plain: false,
        }
    }
}

/// What the statement being read is, as far as it matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Statement {
    /// Nothing read yet.
    Start,
    /// A simple statement that a waiver covers whole.
    Simple,
    /// A simple statement a waiver covers only the first line of (`pass`, `assert`...).
    Other,
    /// A compound statement's header, up to its colon.
    Header,
    /// A `case` pattern, up to its colon: nothing in it is a call.
    Pattern,
    /// `raise ...`: the exception is the chain read at the top level.
    Raise,
}

struct Scanner<'t, 's> {
    source: &'s str,
    lines: &'t Lines,
    tokens: &'t [Token],
    pieces: Vec<Piece>,
    frames: Vec<Frame>,
    calls: Vec<(u32, u32, Call)>,
    raises: Vec<Raise>,
    imports: Vec<Import>,
    definitions: Vec<Definition>,
    control_flow: Vec<ControlFlow>,
    sql_strings: Vec<SqlString>,
    /// Index of the statement's first token, and what it is.
    statement_start: usize,
    statement: Statement,
    /// The statement's last non-comment token so far.
    statement_last: Option<usize>,
    map: Option<LineMap>,
    /// A statement could not be read (an import without `import`).
    errors: bool,
    /// Brackets open in the `case` pattern being read.
    pattern_depth: usize,
    /// Import syntax with spans, for `organize` (only when asked for).
    spans: Option<Box<SpanOut>>,
}

/// What [`imports_with_spans`] collects besides the analysis.
#[derive(Default)]
struct SpanOut {
    statements: Vec<PyStatement>,
    dotted: Vec<Literal>,
    computed: Vec<(Span, Note)>,
}

/// Analyses Python source with the scanner.
pub(crate) fn analyze(source: &str) -> Analysis {
    // The token buffer is the largest allocation: each thread keeps one.
    let buffer = BUFFER.with(std::cell::Cell::take);
    let lines = Lines::new(source);
    let mut tokens = Tokens::new(source, 0);
    tokens.tokens = buffer;
    tokens.tokens.clear();
    tokens.tokenize(0, source.len(), 0, 0);
    let mut scanner = Scanner::new(source, &lines, &tokens.tokens, Some(LineMap::new(source)));
    scanner.run(true);
    // Code inside f-string substitutions: its calls and their SQL count.
    scan_substitutions(
        source,
        &lines,
        &mut tokens.substitutions,
        false,
        |_, mut nested| {
            scanner.calls.append(&mut nested.calls);
            scanner.sql_strings.append(&mut nested.sql_strings);
        },
    );
    let (mut analysis, map) = scanner.finish();
    if let Some(map) = map {
        let comments = tokens
            .tokens
            .iter()
            .filter(|t| t.kind == Kind::Comment)
            .map(|t| {
                let text = source.get(t.start as usize..t.end as usize).unwrap_or("");
                let column = lines.column(t.start, t.row) as usize;
                (text, t.row as usize, column, t.row as usize)
            });
        analysis.waivers = map.waivers_of(comments);
    }
    analysis.has_errors |= tokens.errors;
    analysis.sort();
    let mut buffer = tokens.tokens;
    if buffer.capacity() <= MAX_KEPT_TOKENS {
        buffer.clear();
        BUFFER.with(|cell| cell.set(buffer));
    }
    analysis
}

/// Scans the code inside each f-string substitution in `substitutions` (those found inside
/// substitutions are appended and followed too), collecting spans if `spans`: `each` gets the
/// substitution's tokens and its finished scanner.
fn scan_substitutions<'s>(
    source: &'s str,
    lines: &Lines,
    substitutions: &mut Vec<(usize, usize, usize)>,
    spans: bool,
    mut each: impl for<'t> FnMut(&'t [Token], Scanner<'t, 's>),
) {
    let mut next = 0;
    while let Some(&(from, to, depth)) = substitutions.get(next) {
        next += 1;
        let mut inner = Tokens::new(source, 8);
        inner.tokenize(from, to, lines.row_of(from), depth);
        let mut nested = Scanner::new(source, lines, &inner.tokens, None);
        if spans {
            nested.spans = Some(Box::default());
        }
        nested.run(false);
        nested.close_all();
        each(&inner.tokens, nested);
        substitutions.append(&mut inner.substitutions);
    }
}

/// The import syntax of a Python file with spans, for rewriting imports in place (see
/// [`super::spans::python_imports`]).
pub(crate) fn imports_with_spans(source: &str) -> PythonImports {
    let lines = Lines::new(source);
    let mut tokens = Tokens::new(source, source.len() / 4);
    tokens.tokenize(0, source.len(), 0, 0);
    let mut out = SpanOut::default();
    let mut strings = Vec::new();
    let mut collect_strings = |found: &[Token]| {
        for token in found {
            if let Kind::Str {
                content_start,
                content_end,
                substituted: false,
            } = token.kind
            {
                let span = Span {
                    start: content_start as usize,
                    end: content_end as usize,
                };
                strings.push(Literal {
                    content: span.text(source).to_owned(),
                    span,
                    line: token.row.saturating_add(1),
                });
            }
        }
    };
    collect_strings(&tokens.tokens);
    let mut scanner = Scanner::new(source, &lines, &tokens.tokens, None);
    scanner.spans = Some(Box::default());
    scanner.run(true);
    scanner.close_all();
    if let Some(found) = scanner.spans.take() {
        out = *found;
    }
    scan_substitutions(
        source,
        &lines,
        &mut tokens.substitutions,
        true,
        |inner, mut nested| {
            collect_strings(inner);
            if let Some(found) = nested.spans.take() {
                out.dotted.extend(found.dotted);
                out.computed.extend(found.computed);
            }
        },
    );
    // The order of a walk of the syntax tree: by start, the enclosing construct first.
    strings.sort_by_key(|literal| literal.span.start);
    out.dotted
        .sort_by_key(|literal| (literal.span.start, std::cmp::Reverse(literal.span.end)));
    out.computed
        .sort_by_key(|(span, _)| (span.start, std::cmp::Reverse(span.end)));
    PythonImports {
        statements: out.statements,
        strings,
        computed: out.computed.into_iter().map(|(_, note)| note).collect(),
        dotted: out.dotted,
    }
}

/// Tokens of a buffer kept for the next file (larger ones are freed).
const MAX_KEPT_TOKENS: usize = 1 << 20;

thread_local! {
    static BUFFER: std::cell::Cell<Vec<Token>> = const { std::cell::Cell::new(Vec::new()) };
}

impl<'t, 's> Scanner<'t, 's> {
    fn new(source: &'s str, lines: &'t Lines, tokens: &'t [Token], map: Option<LineMap>) -> Self {
        Scanner {
            source,
            lines,
            tokens,
            pieces: Vec::with_capacity(32),
            frames: {
                let mut frames = Vec::with_capacity(16);
                frames.push(Frame::new(FrameKind::Top, 0, 0));
                frames
            },
            calls: Vec::new(),
            raises: Vec::new(),
            imports: Vec::new(),
            definitions: Vec::new(),
            control_flow: Vec::new(),
            sql_strings: Vec::new(),
            statement_start: 0,
            statement: Statement::Start,
            statement_last: None,
            map,
            errors: false,
            pattern_depth: 0,
            spans: None,
        }
    }

    /// Closes the brackets left open at the end.
    fn close_all(&mut self) {
        while self.frames.len() > 1 {
            self.close(self.tokens.len().saturating_sub(1));
        }
    }

    fn finish(mut self) -> (Analysis, Option<LineMap>) {
        self.close_all();
        self.end_statement();
        let mut calls = self.calls;
        calls.sort_by_key(|(start, end, _)| (*start, *end));
        (
            Analysis {
                imports: self.imports,
                calls: calls.into_iter().map(|(_, _, call)| call).collect(),
                raises: self.raises,
                definitions: self.definitions,
                control_flow: self.control_flow,
                sql_strings: self.sql_strings,
                waivers: Vec::new(),
                has_errors: self.errors,
            },
            self.map,
        )
    }

    fn text(&self, index: usize) -> &'s str {
        self.tokens.get(index).map_or("", |t| {
            self.source
                .get(t.start as usize..t.end as usize)
                .unwrap_or("")
        })
    }

    fn token(&self, index: usize) -> Option<Token> {
        self.tokens.get(index).copied()
    }

    fn location_of(&self, index: usize) -> Location {
        self.token(index)
            .map_or(Location::default(), |t| self.lines.location(t.start, t.row))
    }

    fn top(&mut self) -> &mut Frame {
        let last = self.frames.len() - 1;
        &mut self.frames[last]
    }

    /// Runs over every token; `statements` is false for f-string substitutions.
    fn run(&mut self, statements: bool) {
        let count = self.tokens.len();
        let mut i = 0;
        while i < count {
            let token = self.tokens[i];
            if token.kind == Kind::Comment {
                i += 1;
                continue;
            }
            if let Some(map) = self.map.as_mut()
                && token.kind != Kind::Newline
                && token.kind != Kind::Reset
            {
                let column = self.lines.column(token.start, token.row) as usize;
                map.mark_code_rows(token.row as usize, column, token.end_row as usize);
            }
            if statements && self.frames.len() == 1 {
                match token.kind {
                    Kind::Newline => {
                        self.end_statement();
                        i += 1;
                        continue;
                    }
                    Kind::Reset => {
                        i += 1;
                        continue;
                    }
                    _ => {}
                }
                if self.statement == Statement::Start {
                    self.statement_start = i;
                    if let Some(next) = self.begin_statement(i) {
                        i = next;
                        continue;
                    }
                }
                self.statement_last = Some(i);
                if self.statement == Statement::Pattern {
                    // Nothing in a pattern is a call; its guard (`if ...`) is an expression.
                    match (token.kind, self.text(i)) {
                        (Kind::Op, "(" | "[" | "{") => self.pattern_depth += 1,
                        (Kind::Op, ")" | "]" | "}") => {
                            self.pattern_depth = self.pattern_depth.saturating_sub(1);
                        }
                        (Kind::Op, ":") if self.pattern_depth == 0 => self.end_statement(),
                        (Kind::Name, "if") if self.pattern_depth == 0 => {
                            self.statement = Statement::Header;
                        }
                        _ => {}
                    }
                    i += 1;
                    continue;
                }
                if self.is_header_colon(i) && self.statement == Statement::Header {
                    self.end_statement();
                    i += 1;
                    continue;
                }
                if token.kind == Kind::Op && self.text(i) == ";" {
                    self.end_statement();
                    i += 1;
                    continue;
                }
                if self.statement == Statement::Raise
                    && token.kind == Kind::Name
                    && self.text(i) == "from"
                {
                    self.finish_raise();
                    i += 1;
                    continue;
                }
            } else if token.kind == Kind::Reset {
                while self.frames.len() > 1 {
                    self.close(i);
                }
                i += 1;
                continue;
            } else if token.kind == Kind::Newline {
                i += 1;
                continue;
            }
            if statements {
                self.statement_last = Some(i);
            }
            self.expression_token(i, token);
            i += 1;
        }
    }

    /// Reads a statement's first token: imports are read whole (returns the index after
    /// them); `raise`, `def`, `class`, loops and conditionals are noted.
    fn begin_statement(&mut self, i: usize) -> Option<usize> {
        let token = self.token(i)?;
        if token.kind != Kind::Name {
            self.statement = Statement::Simple;
            return None;
        }
        let word = self.text(i);
        let (word, at) = if word == "async" {
            (self.text(i + 1), i + 1)
        } else {
            (word, i)
        };
        self.statement = match word {
            "import" | "from" if at == i => {
                let end = self.import(i);
                self.statement = if word == "from" && self.text(i + 1) == "__future__" {
                    Statement::Other
                } else {
                    Statement::Simple
                };
                self.statement_last = end.checked_sub(1);
                return Some(end);
            }
            "raise" => {
                self.frames[0].atoms = 0;
                self.frames[0].mixed = false;
                self.statement_last = Some(i);
                self.statement = Statement::Raise;
                return Some(i + 1);
            }
            "def" | "class" => {
                let kind = if word == "def" {
                    DefinitionKind::Function
                } else {
                    DefinitionKind::Class
                };
                if self.token(at + 1).is_some_and(|t| t.kind == Kind::Name) {
                    let name = self.text(at + 1);
                    if !is_keyword(name) {
                        self.definitions.push(Definition {
                            name: name.to_owned(),
                            kind,
                            is_async: at != i,
                            location: self.location_of(i),
                        });
                    }
                    self.statement = Statement::Header;
                    // Type parameters (`class Page[T](Base)`) are no subscript.
                    let mut after = at + 2;
                    if self.text(after) == "[" {
                        let mut depth = 0usize;
                        while let Some(token) = self.token(after) {
                            if token.kind == Kind::Op {
                                match self.text(after) {
                                    "[" => depth += 1,
                                    "]" => depth = depth.saturating_sub(1),
                                    _ => {}
                                }
                            }
                            after += 1;
                            if depth == 0 || matches!(token.kind, Kind::Newline | Kind::Reset) {
                                break;
                            }
                        }
                    }
                    self.statement_last = Some(after - 1);
                    return Some(after);
                }
                Statement::Header
            }
            "for" | "while" => {
                self.control_flow.push(ControlFlow {
                    kind: ControlFlowKind::Loop,
                    location: self.location_of(i),
                });
                Statement::Header
            }
            "if" if at == i => {
                self.control_flow.push(ControlFlow {
                    kind: ControlFlowKind::Conditional,
                    location: self.location_of(i),
                });
                Statement::Header
            }
            "with" | "elif" | "else" | "try" | "except" | "finally" => Statement::Header,
            "match" | "case" if at == i && self.soft_keyword_header(i) => {
                if word == "case" {
                    Statement::Pattern
                } else {
                    self.control_flow.push(ControlFlow {
                        kind: ControlFlowKind::Conditional,
                        location: self.location_of(i),
                    });
                    self.statement = Statement::Header;
                    self.statement_last = Some(i);
                    return Some(i + 1);
                }
            }
            "pass" | "break" | "continue" | "del" | "assert" | "global" | "nonlocal" => {
                Statement::Other
            }
            _ => Statement::Simple,
        };
        if at != i {
            // `async` before `for`/`with`: read on from the keyword.
            self.statement_last = Some(at);
            return Some(at + 1);
        }
        None
    }

    /// Whether `match`/`case` at `i` starts a header: something that is not an operator of
    /// an expression statement follows, and a colon ends the line outside brackets.
    fn soft_keyword_header(&self, i: usize) -> bool {
        let Some(next) = self.token(i + 1) else {
            return false;
        };
        if next.kind == Kind::Newline {
            return false;
        }
        if next.kind == Kind::Op {
            let op = self.text(i + 1);
            let opens = matches!(op, "(" | "[" | "{" | "-" | "+" | "~" | "*" | "...");
            if !opens {
                return false;
            }
        }
        let mut depth = 0i64;
        for index in i + 1..self.tokens.len() {
            let token = self.tokens[index];
            match token.kind {
                Kind::Newline | Kind::Reset => return false,
                Kind::Op => match self.text(index) {
                    "(" | "[" | "{" => depth += 1,
                    ")" | "]" | "}" => depth -= 1,
                    ":" if depth == 0 => return true,
                    _ => {}
                },
                _ => {}
            }
        }
        false
    }

    fn is_header_colon(&self, i: usize) -> bool {
        matches!(self.statement, Statement::Header | Statement::Pattern)
            && self.frames.len() == 1
            && self.token(i).is_some_and(|t| t.kind == Kind::Op)
            && self.text(i) == ":"
    }

    /// Ends the statement being read: a pending raise is recorded, and a simple statement
    /// tells waivers how far it reaches.
    fn end_statement(&mut self) {
        if self.statement == Statement::Raise {
            self.finish_raise();
        }
        if self.statement == Statement::Simple
            && let (Some(last), Some(first)) =
                (self.statement_last, self.token(self.statement_start))
            && let Some(last) = self.token(last)
            && let Some(map) = self.map.as_mut()
        {
            map.mark_statement_rows(first.row as usize, last.end_row as usize);
        }
        self.statement = Statement::Start;
        self.statement_last = None;
        self.pattern_depth = 0;
        let top = &mut self.frames[0];
        top.chain = None;
        top.dot = false;
        top.atoms = 0;
        top.mixed = false;
        top.arg = Arg::Start;
        let base = top.base;
        self.pieces.truncate(base);
    }

    /// Records the raise being read: its exception's path, without a final call.
    fn finish_raise(&mut self) {
        self.statement = Statement::Other;
        let top = &self.frames[0];
        if top.atoms == 0 && !top.mixed {
            return; // a bare `raise`
        }
        let path = match top.chain {
            Some(_) if top.atoms == 1 && !top.mixed => {
                let mut end = self.pieces.len();
                if matches!(self.pieces.get(end.wrapping_sub(1)), Some(Piece::Call))
                    && end > top.base + 1
                {
                    end -= 1;
                }
                self.render(top.base, end)
            }
            _ => OPAQUE.to_owned(),
        };
        let name = last_segment(&path).to_owned();
        self.raises.push(Raise {
            name,
            path,
            location: self.location_of(self.statement_start),
        });
        let top = &mut self.frames[0];
        top.atoms = 2; // nothing after `from` is the exception
        top.mixed = true;
    }

    /// Reads an import statement starting at `i`; returns the index after it.
    fn import(&mut self, i: usize) -> usize {
        let count = self.tokens.len();
        let mut end = i;
        while end < count {
            let token = self.tokens[end];
            if matches!(token.kind, Kind::Newline | Kind::Reset)
                || (token.kind == Kind::Op && self.text(end) == ";")
            {
                break;
            }
            end += 1;
        }
        let words: Vec<usize> = (i + 1..end)
            .filter(|&t| self.tokens[t].kind != Kind::Comment)
            .collect();
        if self.spans.is_some()
            && let Some(statement) = self.statement_spans(i, &words)
            && let Some(spans) = self.spans.as_mut()
        {
            spans.statements.push(statement);
        }
        let location = self.location_of(i);
        if self.text(i) == "import" {
            let mut at = 0;
            while at < words.len() {
                let (module, next) = self.dotted(&words, at);
                let (alias, after) = self.alias(&words, next);
                at = after;
                if !module.is_empty() {
                    self.imports.push(Import {
                        module,
                        level: 0,
                        names: Vec::new(),
                        alias,
                        kind: ImportKind::Import,
                        location,
                    });
                }
                // Up to the next comma.
                while at < words.len() && self.text(words[at]) != "," {
                    at += 1;
                }
                at += 1;
            }
            return end;
        }
        // from [dots][module] import names
        let (level, module, mut at) = self.relative_module(&words);
        if words.get(at).is_none_or(|&t| self.text(t) != "import") {
            self.errors = true;
            return end;
        }
        at += 1;
        let mut names = Vec::new();
        while let Some(&t) = words.get(at) {
            let word = self.text(t);
            match word {
                "(" | ")" | "," => at += 1,
                "*" => {
                    names.push(ImportName {
                        name: "*".to_owned(),
                        alias: None,
                    });
                    at += 1;
                }
                _ => {
                    let (name, next) = self.dotted(&words, at);
                    let (alias, after) = self.alias(&words, next.max(at + 1));
                    at = after;
                    if !name.is_empty() {
                        names.push(ImportName { name, alias });
                    }
                }
            }
        }
        self.imports.push(Import {
            module,
            level,
            names,
            alias: None,
            kind: ImportKind::From,
            location,
        });
        end
    }

    fn span_of(&self, index: usize) -> Span {
        self.token(index).map_or(Span::default(), |t| Span {
            start: t.start as usize,
            end: t.end as usize,
        })
    }

    /// The import statement at token `i` with the spans a rewriter needs (`words`: its tokens
    /// after the keyword, comments left out); `None` for `from __future__` and broken ones.
    fn statement_spans(&self, i: usize, words: &[usize]) -> Option<PyStatement> {
        let last = words.last().copied().unwrap_or(i);
        let span = Span {
            start: self.span_of(i).start,
            end: self.span_of(last).end,
        };
        let mut at = 0;
        let mut from = None;
        if self.text(i) == "from" {
            let (level, module, next) = self.relative_module(words);
            if next == 0 || (level == 0 && module == "__future__") {
                return None;
            }
            from = Some(PyFrom {
                level,
                module,
                span: Span {
                    start: self.span_of(words[0]).start,
                    end: self.span_of(words[next - 1]).end,
                },
            });
            at = next;
            if words.get(at).is_none_or(|&t| self.text(t) != "import") {
                return None;
            }
            at += 1;
        }
        let mut names: Vec<PyName> = Vec::new();
        let mut wildcard = false;
        while let Some(&t) = words.get(at) {
            match self.text(t) {
                "," => {
                    if let Some(name) = names.last_mut()
                        && name.comma.is_none()
                    {
                        name.comma = Some(self.span_of(t));
                    }
                    at += 1;
                }
                "*" => {
                    wildcard = true;
                    at += 1;
                }
                _ if self.tokens[t].kind == Kind::Name => {
                    let (dotted, next) = self.dotted(words, at);
                    if next == at {
                        at += 1;
                        continue;
                    }
                    let name_span = Span {
                        start: self.span_of(t).start,
                        end: self.span_of(words[next - 1]).end,
                    };
                    let (alias, after) = self.alias(words, next);
                    let mut item = name_span;
                    if alias.is_some() {
                        item.end = self.span_of(words[after - 1]).end;
                    }
                    at = after;
                    names.push(PyName {
                        dotted,
                        span: name_span,
                        alias,
                        item,
                        comma: None,
                    });
                }
                _ => at += 1,
            }
        }
        Some(PyStatement {
            span,
            line: self.location_of(i).line,
            from,
            names,
            wildcard,
        })
    }

    /// Records the chain of names `pieces[base..]` starting at token `start`, ending at byte
    /// `end`: code that uses what `import a.b.c` binds.
    fn record_dotted(&mut self, base: usize, start: usize, end: u32) {
        let mut content = String::new();
        for piece in self.pieces.get(base..).unwrap_or(&[]) {
            if let Piece::Name(a, b) = piece {
                if !content.is_empty() {
                    content.push('.');
                }
                content.push_str(self.source.get(*a as usize..*b as usize).unwrap_or(""));
            }
        }
        let Some(first) = self.token(start) else {
            return;
        };
        let literal = Literal {
            content,
            span: Span {
                start: first.start as usize,
                end: end as usize,
            },
            line: first.row.saturating_add(1),
        };
        if let Some(spans) = self.spans.as_mut() {
            spans.dotted.push(literal);
        }
    }

    /// Records the call at `call` if it imports a module whose name is computed.
    fn record_computed(&mut self, call: usize) {
        let Some((start, end, found)) = self.calls.get(call) else {
            return;
        };
        if !matches!(
            found.callee.as_str(),
            "importlib.import_module" | "import_module" | "__import__"
        ) {
            return;
        }
        let span = Span {
            start: *start as usize,
            end: *end as usize,
        };
        let note = Note::at(span, found.location.line, self.source);
        if let Some(spans) = self.spans.as_mut() {
            spans.computed.push((span, note));
        }
    }

    /// The module of `from [dots][module] import ...` (`words`: the tokens after `from`): its
    /// level, its dotted name and the index of the word after it.
    fn relative_module(&self, words: &[usize]) -> (u32, String, usize) {
        let mut at = 0;
        let mut level = 0u32;
        while let Some(&t) = words.get(at) {
            match self.text(t) {
                "." => level += 1,
                "..." => level += 3,
                _ => break,
            }
            at += 1;
        }
        let (module, next) = if words.get(at).is_some_and(|&t| self.text(t) == "import") {
            (String::new(), at)
        } else {
            self.dotted(words, at)
        };
        (level, module, next)
    }

    /// The `as` name at `words[at]`, if any, and the index after it.
    fn alias(&self, words: &[usize], at: usize) -> (Option<String>, usize) {
        if words.get(at).is_some_and(|&t| self.text(t) == "as") {
            (words.get(at + 1).map(|&t| self.text(t).to_owned()), at + 2)
        } else {
            (None, at)
        }
    }

    /// A dotted name `a.b.c` starting at `words[at]`; returns it and the index after it.
    fn dotted(&self, words: &[usize], mut at: usize) -> (String, usize) {
        let mut name = String::new();
        while let Some(&t) = words.get(at) {
            if self.tokens[t].kind != Kind::Name {
                break;
            }
            let word = self.text(t);
            if word == "as" || word == "import" {
                break;
            }
            if !name.is_empty() {
                name.push('.');
            }
            name.push_str(word);
            at += 1;
            if words.get(at).is_some_and(|&t| self.text(t) == ".") {
                at += 1;
            } else {
                break;
            }
        }
        (name, at)
    }

    /// Renders the chain `pieces[from..to]` as a callee path.
    fn render(&self, from: usize, to: usize) -> String {
        let chain = self.pieces.get(from..to).unwrap_or(&[]);
        // Follow at most MAX_PATH_STEPS pieces from the right, stopping at the last opaque.
        let opaque = chain.iter().rposition(|p| matches!(p, Piece::Opaque));
        let start = opaque.unwrap_or(0);
        let steps = chain.len() - start;
        let (start, truncated) = if steps > MAX_PATH_STEPS {
            (chain.len() - (MAX_PATH_STEPS - 1), true)
        } else {
            (start, false)
        };
        let length: usize = chain[start..]
            .iter()
            .map(|piece| match piece {
                Piece::Name(a, b) => (b - a) as usize + 1,
                Piece::Opaque => OPAQUE.len() + 1,
                Piece::Call => 2,
            })
            .sum();
        let mut out = String::with_capacity(length + OPAQUE.len());
        for (index, piece) in chain[start..].iter().enumerate() {
            match piece {
                Piece::Name(a, b) => {
                    if index == 0 && truncated {
                        out.push_str(OPAQUE);
                    }
                    if index > 0 || truncated {
                        out.push('.');
                    }
                    out.push_str(self.source.get(*a as usize..*b as usize).unwrap_or(""));
                }
                Piece::Opaque => out.push_str(OPAQUE),
                Piece::Call => {
                    if index == 0 && truncated {
                        out.push_str(OPAQUE);
                    }
                    out.push_str("()");
                }
            }
        }
        if out.is_empty() {
            out.push_str(OPAQUE);
        }
        out
    }

    /// Starts a new atom in the top frame: `piece` is its head.
    fn atom(&mut self, i: usize, piece: Piece) {
        let frame = self.top();
        if frame.chain.is_some() || frame.atoms > 0 {
            frame.mixed = true;
        }
        frame.atoms += 1;
        frame.chain = Some(i);
        frame.dot = false;
        frame.plain = matches!(piece, Piece::Name(..));
        let base = frame.base;
        self.pieces.truncate(base);
        self.pieces.push(piece);
    }

    /// Ends the chain of the top frame (an operator, a keyword, a comma).
    fn break_chain(&mut self, mixed: bool) {
        let frame = self.top();
        frame.chain = None;
        frame.dot = false;
        frame.plain = false;
        if mixed {
            frame.mixed = true;
        }
        let base = frame.base;
        self.pieces.truncate(base);
    }

    fn set_arg_other(&mut self) {
        let frame = self.top();
        frame.arg = Arg::Other;
    }

    fn expression_token(&mut self, i: usize, token: Token) {
        match token.kind {
            Kind::Name => {
                let word = self.text(i);
                if matches!(word, "True" | "False" | "None") {
                    self.atom(i, Piece::Opaque);
                    self.set_arg_other();
                } else if is_keyword(word) {
                    if word == "await" {
                        let frame = self.top();
                        let leading = frame.atoms == 0 && !frame.mixed;
                        self.break_chain(!leading);
                    } else {
                        self.break_chain(true);
                    }
                    self.set_arg_other();
                } else {
                    let frame = self.top();
                    if frame.chain.is_some() && frame.dot {
                        frame.dot = false;
                        let (plain, base, chain) = (frame.plain, frame.base, frame.chain);
                        self.pieces.push(Piece::Name(token.start, token.end));
                        self.set_arg_other();
                        if plain && self.spans.is_some() {
                            self.record_dotted(base, chain.unwrap_or(i), token.end);
                        }
                    } else {
                        let starts_argument = frame.arg == Arg::Start;
                        self.atom(i, Piece::Name(token.start, token.end));
                        let frame = self.top();
                        frame.arg = if starts_argument {
                            Arg::Name
                        } else {
                            Arg::Other
                        };
                    }
                }
            }
            Kind::Number => {
                self.atom(i, Piece::Opaque);
                self.set_arg_other();
            }
            Kind::Str { .. } => {
                let previous_string = i
                    .checked_sub(1)
                    .and_then(|p| self.previous_code(p))
                    .is_some_and(|p| matches!(self.tokens[p].kind, Kind::Str { .. }));
                let frame = self.top();
                match frame.arg {
                    Arg::Str { first, keyword, .. } if previous_string => {
                        frame.arg = Arg::Str {
                            first,
                            last: i,
                            keyword,
                        };
                        return;
                    }
                    _ if previous_string && frame.chain.is_some() => return,
                    Arg::Start => {
                        frame.arg = Arg::Str {
                            first: i,
                            last: i,
                            keyword: false,
                        };
                    }
                    Arg::KeywordValue => {
                        frame.arg = Arg::Str {
                            first: i,
                            last: i,
                            keyword: true,
                        };
                    }
                    _ => frame.arg = Arg::Other,
                }
                self.atom(i, Piece::Opaque);
            }
            Kind::Op => self.operator(i, token),
            Kind::Newline | Kind::Comment | Kind::Reset => {}
        }
    }

    /// The last non-comment token at or before `index`.
    fn previous_code(&self, mut index: usize) -> Option<usize> {
        loop {
            let token = self.tokens.get(index)?;
            if token.kind != Kind::Comment {
                return Some(index);
            }
            index = index.checked_sub(1)?;
        }
    }

    fn operator(&mut self, i: usize, token: Token) {
        let op = self.text(i);
        match op {
            "." => {
                let frame = self.top();
                if frame.chain.is_some() && !frame.dot {
                    frame.dot = true;
                    frame.arg = Arg::Other;
                } else {
                    self.break_chain(true);
                }
            }
            "(" => {
                let base = self.pieces.len();
                let frame = self.top();
                let call = frame.chain.is_some() && !frame.dot;
                if call {
                    frame.arg = Arg::Other;
                    let chain_start = frame.chain.unwrap_or(i);
                    let parent_base = frame.base;
                    let callee = self.render(parent_base, base);
                    let start = self.token(chain_start).map_or(token.start, |t| t.start);
                    let location = self.location_of(chain_start);
                    let index = self.calls.len();
                    self.calls.push((
                        start,
                        token.end,
                        Call {
                            callee,
                            first_string_arg: None,
                            location,
                        },
                    ));
                    let mut frame = Frame::new(FrameKind::Call, i, base);
                    frame.call = index;
                    self.frames.push(frame);
                } else {
                    let opens_argument = matches!(frame.arg, Arg::Start | Arg::KeywordValue);
                    if !opens_argument {
                        frame.arg = Arg::Other;
                    }
                    self.break_chain(false);
                    let base = self.pieces.len();
                    self.frames.push(Frame::new(FrameKind::Group, i, base));
                }
            }
            "[" | "{" => {
                let frame = self.top();
                let subscript = op == "[" && frame.chain.is_some() && !frame.dot;
                frame.arg = Arg::Other;
                if !subscript {
                    self.break_chain(false);
                }
                let base = self.pieces.len();
                let kind = if subscript {
                    FrameKind::Subscript
                } else {
                    FrameKind::Display
                };
                self.frames.push(Frame::new(kind, i, base));
            }
            ")" | "]" | "}" => {
                if self.frames.len() > 1 {
                    self.close(i);
                }
            }
            "," => {
                self.finish_argument();
                let frame = self.top();
                frame.arg_index += 1;
                self.break_chain(true);
                self.top().arg = Arg::Start;
            }
            "=" => {
                let frame = self.top();
                frame.arg = if frame.arg == Arg::Name {
                    Arg::KeywordValue
                } else {
                    Arg::Other
                };
                self.break_chain(true);
            }
            _ => {
                self.break_chain(true);
                self.set_arg_other();
            }
        }
    }

    /// A string argument ends: SQL is checked, and the first positional one is the call's
    /// `first_string_arg`.
    fn finish_argument(&mut self) {
        let frame = self.frames.last().expect("the top frame is never popped");
        if frame.kind != FrameKind::Call {
            return;
        }
        let Arg::Str {
            first,
            last,
            keyword,
        } = frame.arg
        else {
            return;
        };
        let (content, substituted) = self.string_content(first, last);
        let first_positional = frame.arg_index == 0 && !keyword;
        let plain = first_positional && first == last && !substituted;
        let call = frame.call;
        if let Some(frame) = self.frames.last_mut() {
            frame.first_plain |= plain;
        }
        let shows = self
            .calls
            .get(call)
            .is_some_and(|(_, _, c)| only_shows_text(&c.callee));
        if !shows && let Some(snippet) = sql_snippet(&content) {
            self.sql_strings.push(SqlString {
                snippet,
                location: self.location_of(first),
            });
        }
        if first_positional
            && !substituted
            && let Some(entry) = self.calls.get_mut(call)
        {
            entry.2.first_string_arg = Some(content);
        }
    }

    /// The joined content of the string tokens `first..=last` and whether any has a
    /// substitution.
    fn string_content(&self, first: usize, last: usize) -> (String, bool) {
        let mut content = String::new();
        let mut substituted = false;
        for index in first..=last {
            if let Some(Token {
                kind:
                    Kind::Str {
                        content_start,
                        content_end,
                        substituted: has,
                    },
                ..
            }) = self.token(index)
            {
                content.push_str(
                    self.source
                        .get(content_start as usize..content_end as usize)
                        .unwrap_or(""),
                );
                substituted |= has;
            }
        }
        (content, substituted)
    }

    /// Closes the top frame at token `i`.
    fn close(&mut self, i: usize) {
        self.finish_argument();
        let Some(frame) = self.frames.pop() else {
            return;
        };
        let end = self.token(i).map_or(0, |t| t.end);
        match frame.kind {
            FrameKind::Top => {
                self.frames.push(frame);
            }
            FrameKind::Call => {
                if let Some(entry) = self.calls.get_mut(frame.call) {
                    entry.1 = end;
                }
                if self.spans.is_some() && !frame.first_plain {
                    self.record_computed(frame.call);
                }
                self.pieces.truncate(frame.base);
                self.pieces.push(Piece::Call);
                let parent = self.top();
                parent.dot = false;
                parent.plain = false;
                parent.arg = Arg::Other;
            }
            FrameKind::Group => {
                let single = frame.atoms == 1 && !frame.mixed && frame.chain.is_some();
                let string = matches!(frame.arg, Arg::Str { keyword: false, .. })
                    && frame.arg_index == 0
                    && single;
                let parent_arg = self.top().arg;
                if single {
                    // `(a.b)` is `a.b`: the inner chain becomes the parent's, from the `(`.
                    self.pieces.truncate(self.pieces.len().max(frame.base));
                    let parent = self.top();
                    if parent.chain.is_some() || parent.atoms > 0 {
                        parent.mixed = true;
                    }
                    parent.atoms += 1;
                    parent.chain = Some(frame.open);
                    parent.dot = false;
                    parent.plain = false;
                } else {
                    self.pieces.truncate(frame.base);
                    self.atom(frame.open, Piece::Opaque);
                }
                let parent = self.top();
                parent.arg = match (string, parent_arg, frame.arg) {
                    (true, Arg::Start, Arg::Str { first, last, .. }) => Arg::Str {
                        first,
                        last,
                        keyword: false,
                    },
                    (true, Arg::KeywordValue, Arg::Str { first, last, .. }) => Arg::Str {
                        first,
                        last,
                        keyword: true,
                    },
                    _ => Arg::Other,
                };
            }
            FrameKind::Subscript => {
                self.pieces.truncate(frame.base);
                let parent = self.top();
                let parent_base = parent.base;
                parent.dot = false;
                parent.plain = false;
                self.pieces.truncate(parent_base);
                self.pieces.push(Piece::Opaque);
            }
            FrameKind::Display => {
                self.pieces.truncate(frame.base);
                self.atom(frame.open, Piece::Opaque);
                self.set_arg_other();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::super::{Analysis, Language, tree_sitter_analysis};

    /// The fields on which the scanner and the tree-sitter visitor differ, if any.
    fn differences(scanned: &Analysis, parsed: &Analysis) -> Vec<String> {
        let mut out = Vec::new();
        macro_rules! compare {
            ($($field:ident),*) => {$(
                if scanned.$field != parsed.$field {
                    let first = scanned
                        .$field
                        .iter()
                        .zip(&parsed.$field)
                        .find(|(a, b)| a != b)
                        .map(|(a, b)| format!("{a:?}\n      tree-sitter: {b:?}"))
                        .unwrap_or_else(|| {
                            format!("{} vs {} items", scanned.$field.len(), parsed.$field.len())
                        });
                    out.push(format!("{}: {first}", stringify!($field)));
                }
            )*};
        }
        compare!(
            imports,
            calls,
            raises,
            definitions,
            control_flow,
            sql_strings,
            waivers
        );
        out
    }

    fn python_files(root: &Path) -> Vec<std::path::PathBuf> {
        ignore::WalkBuilder::new(root)
            .standard_filters(false)
            .follow_links(true)
            .build()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
            .filter(|e| e.path().extension().is_some_and(|x| x == "py"))
            .map(ignore::DirEntry::into_path)
            .collect()
    }

    fn callees(source: &str) -> Vec<String> {
        super::analyze(source)
            .calls
            .into_iter()
            .map(|c| c.callee)
            .collect()
    }

    /// Where tree-sitter-python misreads valid code (found on 12,042 files of the Python
    /// standard library and site-packages), the scanner reads it as Python does.
    #[test]
    fn where_tree_sitter_misreads() {
        // A starred call in a display is a call of `range`, not of `*range`.
        assert_eq!(callees("x = [*range(5)]\n"), ["range"]);
        assert_eq!(callees("f(*args.values())\n"), ["f", "args.values"]);
        // `type` is a soft keyword only before a name and `=`.
        assert_eq!(callees("type(x).__doc__ = 'd'\n"), ["type"]);
        // A string of escapes only has that content.
        let analysis = super::analyze("s.replace('\\\\', '/')\n");
        assert_eq!(analysis.calls[0].first_string_arg.as_deref(), Some("\\\\"));
        // `raise(X())` raises `X`.
        let analysis = super::analyze("raise(NotImplementedError('no'))\n");
        assert_eq!(analysis.raises[0].path, "NotImplementedError");
        // Dotted names are names: across a line continuation, and after a star.
        let source = "x = a.b\\\n    .c\ny = {*d.e}\n";
        let dotted: Vec<String> = super::imports_with_spans(source)
            .dotted
            .into_iter()
            .map(|d| d.content)
            .collect();
        assert_eq!(dotted, ["a.b.c", "a.b", "d.e"]);
    }

    #[test]
    fn f_strings() {
        // Calls in substitutions count, in format specs too; braces escaped or named do not.
        assert_eq!(
            callees("print(f\"{a.b()!r:>{width(c)}} {{d()}} \\N{DASH}\")\n"),
            ["print", "a.b", "width"]
        );
        assert_eq!(callees("x = rf'\\{{{k()}\\}}'\n"), ["k"]);
        // Python 3.12: the same quotes inside a substitution.
        assert_eq!(callees("x = f\"{d[\"k\"].get()}\"\n"), ["<expr>.get"]);
        let sql = super::analyze("db.execute(f\"SELECT a FROM {t()} WHERE b = 1\")\n");
        assert_eq!(sql.sql_strings.len(), 1);
        assert_eq!(sql.calls[0].first_string_arg, None);
    }

    #[test]
    fn soft_keywords_and_type_parameters() {
        let source = "match = re.match(p, s)\nmatch command.split():\n    case [Point(x=0), *rest] if ok(rest):\n        go()\n    case {\"k\": str(v)}:\n        pass\nclass Page[T](Base):\n    pass\ndef first[T](items: list[T]) -> T:\n    return items[0]\n";
        assert_eq!(callees(source), ["re.match", "command.split", "ok", "go"]);
        let analysis = super::analyze(source);
        assert_eq!(analysis.control_flow.len(), 1);
        assert_eq!(analysis.definitions.len(), 2);
    }

    #[test]
    fn comments_end_statements_and_brackets_left_open_recover() {
        let source = "from a import b  # noqa\nfrom c import d\n";
        let analysis = super::analyze(source);
        assert_eq!(analysis.imports.len(), 2);
        assert_eq!(analysis.imports[1].module, "c");
        let broken = "x = f(\ndef g():\n    h()\nimport os\n";
        let analysis = super::analyze(broken);
        assert!(analysis.has_errors);
        assert_eq!(analysis.definitions.len(), 1);
        assert!(analysis.imports.iter().any(|i| i.module == "os"));
        assert!(analysis.calls.iter().any(|c| c.callee == "h"));
    }

    proptest::proptest! {
        /// Any text, Python-like or not, is read without a panic, and every location is in it.
        #[test]
        fn any_text_is_read_safely(source in proptest::string::string_regex(
            "([a-z_]{1,6}|[ \\t\\n]|[()\\[\\]{}.,:;=@*#\\\\]|[rbfRBF]{0,2}['\"]{1,3}|é|\\{|\\}|import |from |def |raise |match |case |async ){0,60}"
        ).expect("the pattern compiles")) {
            let analysis = super::analyze(&source);
            let lines = u32::try_from(source.lines().count() + 1).unwrap_or(u32::MAX);
            for call in &analysis.calls {
                proptest::prop_assert!(call.location.line <= lines);
            }
            for waiver in &analysis.waivers {
                proptest::prop_assert!(waiver.target_line <= waiver.target_end_line);
            }
            // The spans organize rewrites always lie inside the text, on character boundaries.
            let spans = super::imports_with_spans(&source);
            let statements = spans.statements.iter().map(|s| s.span);
            let names = spans.statements.iter().flat_map(|s| s.names.iter().map(|n| n.item));
            let literals = spans.strings.iter().chain(&spans.dotted).map(|l| l.span);
            for span in statements.chain(names).chain(literals) {
                proptest::prop_assert!(span.start <= span.end && span.end <= source.len());
                proptest::prop_assert!(source.is_char_boundary(span.start));
                proptest::prop_assert!(source.is_char_boundary(span.end));
            }
        }
    }

    /// The import spans `organize` rewrites agree with the tree-sitter reading, file by
    /// file, on the same files as the analysis.
    #[test]
    fn the_import_spans_agree_with_tree_sitter() {
        use super::super::spans::python::python_imports_tree_sitter;
        let here = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = python_files(&here.join("tests"));
        files.extend(python_files(&here.join("templates")));
        if let Some(corpus) = std::env::var_os("SQUARELY_PYSCAN_CORPUS") {
            files.extend(python_files(Path::new(&corpus)));
        }
        let mut disagreements = Vec::new();
        for file in &files {
            let Ok(source) = std::fs::read_to_string(file) else {
                continue;
            };
            if tree_sitter_analysis(Language::Python, &source).has_errors {
                continue;
            }
            let parsed = python_imports_tree_sitter(&source);
            let scanned = super::imports_with_spans(&source);
            let mut found = Vec::new();
            if scanned.statements != parsed.statements {
                found.push(format!(
                    "statements: {:?}\n      tree-sitter: {:?}",
                    scanned
                        .statements
                        .iter()
                        .zip(&parsed.statements)
                        .find(|(a, b)| a != b),
                    (scanned.statements.len(), parsed.statements.len())
                ));
            }
            for (what, a, b) in [
                ("strings", &scanned.strings, &parsed.strings),
                ("dotted", &scanned.dotted, &parsed.dotted),
            ] {
                if a != b {
                    found.push(format!(
                        "{what}: {:?} ({} vs {})",
                        a.iter().zip(b).find(|(x, y)| x != y),
                        a.len(),
                        b.len()
                    ));
                }
            }
            if scanned.computed != parsed.computed {
                found.push(format!(
                    "computed: {:?} vs {:?}",
                    scanned.computed, parsed.computed
                ));
            }
            if !found.is_empty() {
                disagreements.push(format!("{}:\n  {}", file.display(), found.join("\n  ")));
            }
        }
        assert!(
            disagreements.is_empty(),
            "{} files disagree:\n{}",
            disagreements.len(),
            disagreements
                .iter()
                .take(300)
                .cloned()
                .collect::<Vec<_>>()
                .join("\n")
        );
    }

    /// Every Python file of the fixtures and templates (and of `SQUARELY_PYSCAN_CORPUS`, a
    /// folder of real repositories, when set) gets the same analysis from both.
    #[test]
    fn the_scanner_agrees_with_tree_sitter() {
        let here = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = python_files(&here.join("tests"));
        files.extend(python_files(&here.join("templates")));
        let corpus = std::env::var_os("SQUARELY_PYSCAN_CORPUS");
        if let Some(corpus) = &corpus {
            files.extend(python_files(Path::new(corpus)));
        }
        assert!(files.len() > 50, "only {} Python files found", files.len());
        let mut disagreements = Vec::new();
        let mut valid = 0;
        for file in &files {
            let Ok(source) = std::fs::read_to_string(file) else {
                continue;
            };
            let parsed = tree_sitter_analysis(Language::Python, &source);
            if parsed.has_errors {
                // Error recovery is not something to agree on.
                continue;
            }
            valid += 1;
            let scanned = super::analyze(&source);
            let found = differences(&scanned, &parsed);
            if !found.is_empty() {
                disagreements.push(format!("{}:\n  {}", file.display(), found.join("\n  ")));
            }
        }
        assert!(
            disagreements.is_empty(),
            "{} of {valid} files disagree:\n{}",
            disagreements.len(),
            disagreements
                .iter()
                .take(200)
                .cloned()
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}
