//! Strict YAML deserialization that reports *every* error in a file, each with its position.
//!
//! # Why this module exists
//!
//! squarely's rule sets are written by hand, so the most useful thing the loader can do is to
//! list all problems in a file at once, each as `line:column: message`. `yaml_serde` cannot do
//! that: it stops at the first error and only knows the position of syntax errors. This module
//! therefore
//!
//! 1. parses the text with `yaml-rust2`'s marked event API into a small node tree in which every
//!    node remembers where it started ([`Mark`], 1-based line and column, columns counting
//!    characters); events are pulled one at a time and the tree is built without recursion,
//!    because the parser's own `load` driver recurses once per nesting level,
//! 2. implements a `serde` deserializer over that tree that is strict about types (YAML 1.2 core
//!    schema: `yes`/`no`/`on`/`off` are strings, quoted scalars are always strings), and
//! 3. recovers from errors so that one mistake does not hide the next one.
//!
//! # What is accepted
//!
//! Exactly one document. Anchors and aliases work (an alias is a copy of the anchored node), but
//! the expansion is capped at 1 000 000 nodes and nesting at 256 levels. The core tags `!!str`,
//! `!!int`, `!!float`, `!!bool`, `!!null`, `!!seq` and `!!map` are accepted when they agree with
//! the node; every other tag is an error. Duplicate keys are errors. `<<` is an ordinary key (merge
//! keys are a YAML 1.1 feature). Plain scalars that look like numbers or booleans can still be
//! read into string fields (`version: 1.0` gives `"1.0"`), but a null (`~`, `null`, nothing) is
//! never a string.
//!
//! # Error recovery
//!
//! Every error carries the mark of the node that was being deserialized when it was raised:
//! `missing field` points at the start of the mapping, `invalid type` at the offending value and
//! `unknown field` at the key. Errors are recorded in a shared sink, and recovery decides how much
//! of a document is still checked after a problem:
//!
//! 1. a mapping **key** that fails (this is how `#[serde(deny_unknown_fields)]` reports unknown
//!    fields) is recorded and skipped together with its value;
//! 2. a sequence **element** that fails is recorded and skipped (the resulting `Vec` lacks it);
//! 3. a mapping **value** that fails is recorded once and its entry is skipped; a struct that then
//!    lacks a required field fails without a further `missing field` error (the cause is already
//!    reported) and is dropped by the nearest enclosing element or the top level. So a bad value
//!    does not hide problems later in the same mapping, and every error is reported exactly once.
//!
//! [`from_str_recovering`] goes one step further, for callers that check the value after
//! parsing (the rule-set validator): a struct that fails with `missing field`, because the
//! field's value failed or the field is absent, is read again in the next run with a neutral
//! *stand-in* for that field (an empty string, zero, `false`, `None`, an empty list or mapping,
//! positioned at the failing value or at the mapping). The struct then survives, and whatever
//! else it holds can be checked. Types without a neutral value (enums, structs with required
//! fields) keep the behaviour of rule 3.
//!
//! serde makes this harder than it looks: the `DeserializeSeed` of a key, element or value is
//! consumed by the attempt, so after a failure there is nothing left to continue the mapping or
//! sequence with. The deserializer therefore *re-runs* the whole deserialization. When a key,
//! element or value fails, the failure (and any errors recorded while it was being read) is
//! memorised under the node's identity and the seed's type; the current mapping or sequence is
//! cut short, and the run is marked as tainted. Tainted runs are thrown away; the next run skips
//! the memorised nodes up front and replays their errors. When a key fails with `unknown field` /
//! `unknown variant`, the accepted names are remembered for that key type too, so further unknown
//! keys of the same kind are rejected up front without another run. Each tainted run memorises
//! at least one new failure, so this terminates, typically after one run per failing element of
//! the longest sequence. The number of runs is capped (the cap shrinks as documents grow); the
//! last permitted run aborts at the first new failure instead, and the result then says that
//! further errors may be missing.
//!
//! # Restrictions for rule-set types
//!
//! `#[serde(untagged)]` and internally tagged enums and `#[serde(flatten)]` make serde buffer the
//! input in its private `Content` type. They still work (through `deserialize_any`), but errors
//! raised from the buffer can only point at the enclosing node, unknown keys inside them are not
//! recovered individually, and [`Spanned`] cannot be used inside them. Rule-set types should
//! instead use a hand-written `Deserialize` impl whose visitor accepts several forms
//! (`visit_str`, `visit_seq`, `visit_map`, re-deserializing the map form through
//! `serde::de::value::MapAccessDeserializer` into a helper struct); such visitors keep all marks
//! and recovery.

use std::{
    any::type_name,
    borrow::Cow,
    cell::RefCell,
    cmp::Ordering,
    collections::{HashMap, HashSet},
    fmt,
    hash::{Hash, Hasher},
    marker::PhantomData,
    ops::{Deref, DerefMut},
};

use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Expected, IntoDeserializer, Unexpected, Visitor,
};
use yaml_rust2::{
    Event,
    parser::{Parser, Tag},
    scanner::{Marker, ScanError, TScalarStyle},
};

/// Maximum number of nodes a document may produce, counting every alias expansion.
const MAX_NODES: usize = 1_000_000;
/// The most bytes of scalar text a document may hold once its aliases are expanded: an alias
/// of a long string costs its length, not one node.
const MAX_TEXT_BYTES: usize = 16 << 20;
/// Maximum nesting depth of sequences and mappings.
const MAX_DEPTH: usize = 256;
/// Rough budget of node visits spent on deserialization re-runs (see the module docs).
const RUN_BUDGET: usize = 10_000_000;
/// Bounds for the number of deserialization runs.
const MIN_RUNS: usize = 4;
const MAX_RUNS: usize = 1000;

/// The tag prefix `!!` expands to.
const CORE_TAG_PREFIX: &str = "tag:yaml.org,2002:";

// ---------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------

/// 1-based position in the source text. Columns count characters, not bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Mark {
    /// Line number, starting at 1.
    pub line: usize,
    /// Column number in characters, starting at 1.
    pub column: usize,
}

impl Mark {
    /// Converts a `yaml-rust2` marker (1-based line, 0-based column) into a [`Mark`].
    fn from_marker(marker: &Marker) -> Self {
        Mark {
            line: marker.line().max(1),
            column: marker.col().saturating_add(1),
        }
    }
}

impl fmt::Display for Mark {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// One problem in a YAML document. Displays as `LINE:COL: message`, or just `message` when the
/// problem has no position.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{}", MarkPrefix(.mark.as_ref()), .message)]
pub struct YamlError {
    /// Where the problem is, if it has a position.
    pub mark: Option<Mark>,
    /// Human-readable description of the problem.
    pub message: String,
}

impl YamlError {
    fn new(mark: Option<Mark>, message: impl Into<String>) -> Self {
        YamlError {
            mark,
            message: message.into(),
        }
    }
}

/// Displays `LINE:COL: ` for a mark and nothing otherwise.
struct MarkPrefix<'a>(Option<&'a Mark>);

impl fmt::Display for MarkPrefix<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(mark) => write!(f, "{mark}: "),
            None => Ok(()),
        }
    }
}

/// Deserializes a whole YAML document into `T`.
///
/// # Errors
///
/// Returns every problem found in the document (syntax errors, duplicate keys, type errors,
/// unknown or missing fields, ...), sorted by position with exact duplicates removed. Problems
/// that stop parsing are reported alone: syntax errors, an empty file, several documents, too
/// many nodes and too deep nesting.
pub fn from_str<T: DeserializeOwned>(src: &str) -> Result<T, Vec<YamlError>> {
    match deserialize_document(src, RUN_BUDGET, StandIns::No) {
        (Some(value), errors) if errors.is_empty() => Ok(value),
        (_, errors) if errors.is_empty() => Err(vec![YamlError::new(
            None,
            "the document could not be deserialized",
        )]),
        (_, errors) => Err(errors),
    }
}

/// Deserializes a whole YAML document into `T` like [`from_str`], and when it has errors, also
/// returns the value recovered around them, so that a caller can go on checking the rest.
///
/// In the recovered value, a mapping value that failed, or a required field that is missing,
/// holds a neutral *stand-in* (an empty string, zero, `false`, `None`, an empty list or
/// mapping) where one fits, so that the struct around it survives; the error is reported at the
/// stand-in's position (the failing value, or the mapping that lacks the field). Elements that
/// still fail are left out. Use the recovered value only to find further mistakes, never as a
/// result: treat anything at the position of an error as unknown.
///
/// The value is `None` when the document could not be read at all (a syntax error) or its top
/// level failed. Without errors, the value is the complete result.
#[must_use]
pub fn from_str_recovering<T: DeserializeOwned>(src: &str) -> (Option<T>, Vec<YamlError>) {
    deserialize_document(src, RUN_BUDGET, StandIns::Yes)
}

/// Whether failing or missing mapping values get neutral stand-ins (see
/// [`from_str_recovering`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StandIns {
    /// Drop the struct around a failing value, as serde would.
    No,
    /// Keep the struct, with a neutral value in place of the failing one.
    Yes,
}

/// Deserializes `src` with recovery and returns the (possibly partial) value together with all
/// errors, sorted by position and deduplicated. The value is `None` when the top level failed.
/// `run_budget` sizes the number of re-runs (see the module docs).
fn deserialize_document<T: DeserializeOwned>(
    src: &str,
    run_budget: usize,
    stand_ins: StandIns,
) -> (Option<T>, Vec<YamlError>) {
    let document = match load(src) {
        Ok(document) => document,
        Err(error) => return (None, vec![error]),
    };
    let max_runs = (run_budget / document.nodes.max(1)).clamp(MIN_RUNS, MAX_RUNS);
    let state = RefCell::new(State {
        stand_ins_on: stand_ins == StandIns::Yes,
        ..State::default()
    });
    let mut run = 1;
    loop {
        let lossy = run < max_runs;
        state.borrow_mut().start_run(&document.errors, lossy);
        let result = T::deserialize(Deserializer::new(&document.root, Sink(&state)));
        let mut state = state.borrow_mut();
        if lossy && state.taint > 0 {
            // Something was cut short: forget this run, the next one skips what failed.
            run += 1;
            continue;
        }
        let value = match result {
            Ok(value) => Some(value),
            Err(error) => {
                if !error.is_recorded() {
                    let error = error.at(document.root.mark);
                    state.errors.push(error.into_yaml());
                }
                None
            }
        };
        let mut errors = std::mem::take(&mut state.errors);
        if state.gave_up {
            errors.push(YamlError::new(
                None,
                "too many errors: some further errors may not be reported",
            ));
        }
        errors.sort_by(|a, b| (a.mark, &a.message).cmp(&(b.mark, &b.message)));
        errors.dedup();
        return (value, errors);
    }
}

// ---------------------------------------------------------------------------------------------
// Node tree and loading
// ---------------------------------------------------------------------------------------------

/// One YAML node with the position where it starts.
#[derive(Debug, Clone)]
struct Node {
    kind: NodeKind,
    mark: Mark,
}

#[derive(Debug, Clone)]
enum NodeKind {
    Scalar { value: String, style: Style },
    Sequence(Vec<Node>),
    Mapping(Vec<(Node, Node)>),
}

/// Whether a scalar takes part in type resolution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    /// A plain scalar: resolved as null, bool, int, float or string.
    Plain,
    /// Quoted, literal or folded (or tagged `!!str`): always a string.
    Quoted,
}

/// A successfully loaded document.
struct Document {
    root: Node,
    /// Problems that do not prevent deserialization (duplicate keys, tags).
    errors: Vec<YamlError>,
    /// Number of nodes produced, used to size the re-run budget.
    nodes: usize,
}

/// Parses `src` into a node tree. Fatal problems are returned as the error.
fn load(src: &str) -> Result<Document, YamlError> {
    // A byte-order mark is not part of the first key; a NUL byte would end the text early.
    let src = src.strip_prefix('\u{feff}').unwrap_or(src);
    if let Some(at) = src.find('\0') {
        let before = &src[..at];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        return Err(YamlError::new(
            Some(Mark { line, column }),
            "a NUL byte: this is not a text file",
        ));
    }
    let mut parser = Parser::new_from_str(src);
    let mut loader = Loader::default();
    loop {
        let (event, marker) = parser.next_token().map_err(scan_error)?;
        if event == Event::StreamEnd {
            break;
        }
        let mut mark = Mark::from_marker(&marker);
        if matches!(event, Event::MappingStart(..)) {
            // A block mapping's start event points one character past its first key; the first
            // key's own event gives the right position (flow mappings start earlier anyway).
            let (_, next) = parser.peek().map_err(scan_error)?;
            mark = mark.min(Mark::from_marker(next));
        }
        loader.event(event, mark);
        if let Some(error) = loader.fatal.take() {
            return Err(error);
        }
    }
    match loader.root {
        Some(Node {
            kind:
                NodeKind::Scalar {
                    ref value,
                    style: Style::Plain,
                },
            ..
        }) if value.is_empty() => Err(YamlError::new(None, "the file is empty")),
        Some(root) => Ok(Document {
            root,
            errors: loader.errors,
            nodes: loader.nodes,
        }),
        None => Err(YamlError::new(None, "the file is empty")),
    }
}

#[allow(clippy::needless_pass_by_value)] // used as `map_err(scan_error)`
fn scan_error(error: ScanError) -> YamlError {
    YamlError::new(
        Some(Mark::from_marker(error.marker())),
        format!("invalid YAML: {}", error.info()),
    )
}

/// Builds the node tree from parser events without recursion.
#[derive(Default)]
struct Loader {
    /// Collections that are still open, innermost last.
    stack: Vec<Frame>,
    /// Completed anchored nodes by anchor id.
    anchors: HashMap<usize, Anchored>,
    /// Nodes produced so far, including alias expansions and anchor copies.
    nodes: usize,
    used_alias: bool,
    /// Bytes of scalar text produced so far, aliases expanded.
    text_bytes: usize,
    documents: usize,
    root: Option<Node>,
    /// Problems that do not stop loading.
    errors: Vec<YamlError>,
    /// A problem that stops loading.
    fatal: Option<YamlError>,
}

struct Anchored {
    node: Node,
    /// Number of nodes in the subtree.
    size: usize,
    /// Bytes of scalar text in the subtree.
    bytes: usize,
    /// Nesting levels of collections in the subtree (0 for a scalar).
    height: usize,
}

struct Frame {
    mark: Mark,
    anchor: usize,
    size: usize,
    bytes: usize,
    height: usize,
    content: FrameContent,
}

enum FrameContent {
    Sequence(Vec<Node>),
    Mapping {
        entries: Vec<(Node, Node)>,
        key: Option<Node>,
        /// Scalar keys seen so far with their positions, for duplicate detection.
        seen: HashMap<String, Mark>,
    },
}

impl Loader {
    /// Handles one parser event. (The parser's own `load` driver would recurse once per nesting
    /// level without limit, so events are pulled and fed here one at a time instead.)
    fn event(&mut self, event: Event, mark: Mark) {
        if self.fatal.is_some() {
            return;
        }
        match event {
            Event::DocumentStart => {
                self.documents += 1;
                if self.documents > 1 {
                    self.fail(mark, "expected one YAML document, found several");
                }
            }
            Event::Alias(id) => self.alias(id, mark),
            Event::Scalar(value, style, anchor, tag) => {
                self.scalar(value, style, anchor, tag, mark);
            }
            Event::SequenceStart(anchor, tag) => {
                self.check_collection_tag(tag.as_ref(), "seq", mark);
                self.open(mark, anchor, FrameContent::Sequence(Vec::new()));
            }
            Event::MappingStart(anchor, tag) => {
                self.check_collection_tag(tag.as_ref(), "map", mark);
                let content = FrameContent::Mapping {
                    entries: Vec::new(),
                    key: None,
                    seen: HashMap::new(),
                };
                self.open(mark, anchor, content);
            }
            Event::SequenceEnd | Event::MappingEnd => self.close(),
            Event::Nothing | Event::StreamStart | Event::StreamEnd | Event::DocumentEnd => {}
        }
    }

    fn fail(&mut self, mark: Mark, message: impl Into<String>) {
        if self.fatal.is_none() {
            self.fatal = Some(YamlError::new(Some(mark), message));
        }
    }

    /// Counts `count` new nodes against the budget; false (and a fatal error) when exceeded.
    fn produce(&mut self, count: usize, mark: Mark) -> bool {
        self.nodes = self.nodes.saturating_add(count);
        if self.nodes <= MAX_NODES {
            return true;
        }
        let message = if self.used_alias {
            format!("aliases expand to too many nodes (more than {MAX_NODES})")
        } else {
            format!("the document has too many nodes (more than {MAX_NODES})")
        };
        self.fail(mark, message);
        false
    }

    /// Counts `bytes` of scalar text against the budget; false (and a fatal error) when
    /// exceeded.
    fn produce_text(&mut self, bytes: usize, mark: Mark) -> bool {
        self.text_bytes = self.text_bytes.saturating_add(bytes);
        if self.text_bytes <= MAX_TEXT_BYTES {
            return true;
        }
        self.fail(
            mark,
            format!(
                "aliases expand to too much text (more than {} MiB)",
                MAX_TEXT_BYTES >> 20
            ),
        );
        false
    }

    fn open(&mut self, mark: Mark, anchor: usize, content: FrameContent) {
        if self.stack.len() >= MAX_DEPTH {
            self.fail(
                mark,
                format!("the document is nested too deeply (more than {MAX_DEPTH} levels)"),
            );
            return;
        }
        if self.produce(1, mark) {
            self.stack.push(Frame {
                mark,
                anchor,
                size: 1,
                bytes: 0,
                height: 1,
                content,
            });
        }
    }

    fn close(&mut self) {
        let Some(frame) = self.stack.pop() else {
            return;
        };
        let kind = match frame.content {
            FrameContent::Sequence(items) => NodeKind::Sequence(items),
            FrameContent::Mapping { entries, .. } => NodeKind::Mapping(entries),
        };
        let node = Node {
            kind,
            mark: frame.mark,
        };
        self.finish(node, frame.anchor, frame.size, frame.height, frame.bytes);
    }

    fn scalar(
        &mut self,
        value: String,
        style: TScalarStyle,
        anchor: usize,
        tag: Option<Tag>,
        mark: Mark,
    ) {
        if !self.produce(1, mark) || !self.produce_text(value.len(), mark) {
            return;
        }
        let mut style = if style == TScalarStyle::Plain {
            Style::Plain
        } else {
            Style::Quoted
        };
        if let Some(tag) = tag {
            match Self::scalar_tag(&tag, &value) {
                Ok(Some(tagged)) => style = tagged,
                Ok(None) => {}
                Err(message) => self.errors.push(YamlError::new(Some(mark), message)),
            }
        }
        let bytes = value.len();
        let node = Node {
            kind: NodeKind::Scalar { value, style },
            mark,
        };
        self.finish(node, anchor, 1, 0, bytes);
    }

    /// Checks a tag on a scalar; returns the style the tag imposes.
    fn scalar_tag(tag: &Tag, value: &str) -> Result<Option<Style>, String> {
        let Some(name) = core_tag(tag) else {
            return Err(unsupported_tag(tag));
        };
        let valid = match name {
            "str" => return Ok(Some(Style::Quoted)),
            "null" => matches!(resolve(value), Scalar::Null),
            "bool" => matches!(resolve(value), Scalar::Bool(_)),
            "int" => matches!(resolve(value), Scalar::Int(_)),
            "float" => matches!(resolve(value), Scalar::Int(_) | Scalar::Float(_)),
            _ => return Err(format!("the tag `!!{name}` cannot be used on a scalar")),
        };
        if valid {
            Ok(Some(Style::Plain))
        } else {
            Err(format!("`{value}` is not a valid `!!{name}`"))
        }
    }

    fn check_collection_tag(&mut self, tag: Option<&Tag>, expected: &str, mark: Mark) {
        let Some(tag) = tag else { return };
        let message = match core_tag(tag) {
            Some(name) if name == expected => return,
            Some(name) => format!(
                "the tag `!!{name}` cannot be used on a {}",
                if expected == "seq" {
                    "sequence"
                } else {
                    "mapping"
                }
            ),
            None => unsupported_tag(tag),
        };
        self.errors.push(YamlError::new(Some(mark), message));
    }

    fn alias(&mut self, id: usize, mark: Mark) {
        self.used_alias = true;
        let Some(anchored) = self.anchors.get(&id) else {
            self.fail(
                mark,
                "this alias refers to an anchor that is not complete yet (recursive aliases are not supported)",
            );
            return;
        };
        let (size, height, bytes) = (anchored.size, anchored.height, anchored.bytes);
        if self.stack.len().saturating_add(height) > MAX_DEPTH {
            self.fail(
                mark,
                format!("the document is nested too deeply (more than {MAX_DEPTH} levels)"),
            );
            return;
        }
        if !self.produce(size, mark) || !self.produce_text(bytes, mark) {
            return;
        }
        let Some(anchored) = self.anchors.get(&id) else {
            return;
        };
        let mut node = anchored.node.clone();
        node.mark = mark;
        self.finish(node, 0, size, height, bytes);
    }

    /// Stores a completed node in its parent (or as the document root).
    fn finish(&mut self, node: Node, anchor: usize, size: usize, height: usize, bytes: usize) {
        if anchor != 0 {
            // The copy kept for later aliases counts against the budget too, so that nested
            // anchors cannot multiply memory use.
            if !self.produce(size, node.mark) || !self.produce_text(bytes, node.mark) {
                return;
            }
            let copy = node.clone();
            self.anchors.insert(
                anchor,
                Anchored {
                    node: copy,
                    size,
                    bytes,
                    height,
                },
            );
        }
        let Some(frame) = self.stack.last_mut() else {
            if self.root.is_none() {
                self.root = Some(node);
            }
            return;
        };
        frame.size = frame.size.saturating_add(size);
        frame.bytes = frame.bytes.saturating_add(bytes);
        frame.height = frame.height.max(height.saturating_add(1));
        match &mut frame.content {
            FrameContent::Sequence(items) => items.push(node),
            FrameContent::Mapping { entries, key, seen } => match key.take() {
                None => *key = Some(node),
                Some(key) => {
                    let mut node = node;
                    if matches!(&node.kind, NodeKind::Scalar { value, style: Style::Plain } if value.is_empty())
                    {
                        // An empty value's event sits wherever the parser noticed it was empty
                        // (often the next line); its key is the better position.
                        node.mark = key.mark;
                    }
                    if let NodeKind::Scalar { value, .. } = &key.kind {
                        if let Some(first) = seen.get(value) {
                            self.errors.push(YamlError::new(
                                Some(key.mark),
                                format!(
                                    "duplicate key `{value}` (first defined at line {})",
                                    first.line
                                ),
                            ));
                            return;
                        }
                        seen.insert(value.clone(), key.mark);
                    }
                    entries.push((key, node));
                }
            },
        }
    }
}

/// The core tags this module understands, by their `!!` name.
const CORE_TAGS: &[&str] = &["str", "int", "float", "bool", "null", "seq", "map"];

/// The name of a supported core (`!!`) tag.
fn core_tag(tag: &Tag) -> Option<&str> {
    (tag.handle == CORE_TAG_PREFIX && CORE_TAGS.contains(&tag.suffix.as_str()))
        .then_some(tag.suffix.as_str())
}

fn unsupported_tag(tag: &Tag) -> String {
    let handle = if tag.handle == CORE_TAG_PREFIX {
        "!!"
    } else {
        tag.handle.as_str()
    };
    format!(
        "YAML tags are not supported (found `{handle}{}`)",
        tag.suffix
    )
}

// ---------------------------------------------------------------------------------------------
// Scalar resolution (YAML 1.2 core schema)
// ---------------------------------------------------------------------------------------------

/// The resolved value of a scalar.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Scalar<'a> {
    Null,
    Bool(bool),
    /// An integer; `None` when it does not fit in an `i128`.
    Int(Option<i128>),
    Float(f64),
    Str(&'a str),
}

/// Resolves the text of a plain scalar.
fn resolve(text: &str) -> Scalar<'_> {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Scalar::Null,
        "true" | "True" | "TRUE" => return Scalar::Bool(true),
        "false" | "False" | "FALSE" => return Scalar::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Scalar::Float(f64::INFINITY);
        }
        "-.inf" | "-.Inf" | "-.INF" => return Scalar::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Scalar::Float(f64::NAN),
        _ => {}
    }
    if let Some(int) = resolve_int(text) {
        return Scalar::Int(int);
    }
    if is_float(text)
        && let Ok(float) = text.parse::<f64>()
    {
        return Scalar::Float(float);
    }
    Scalar::Str(text)
}

/// `Some(value)` if `text` is a core-schema integer (`value` is `None` if it overflows `i128`).
#[allow(clippy::option_option)] // "is an int" and "fits" are separate questions here
fn resolve_int(text: &str) -> Option<Option<i128>> {
    if let Some(hex) = text.strip_prefix("0x") {
        return is_digits(hex, 16).then(|| i128::from_str_radix(hex, 16).ok());
    }
    if let Some(octal) = text.strip_prefix("0o") {
        return is_digits(octal, 8).then(|| i128::from_str_radix(octal, 8).ok());
    }
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    is_digits(digits, 10).then(|| text.parse::<i128>().ok())
}

/// Parses an integer too large for `i128` as `u128`.
fn big_unsigned(text: &str) -> Option<u128> {
    if let Some(hex) = text.strip_prefix("0x") {
        u128::from_str_radix(hex, 16).ok()
    } else if let Some(octal) = text.strip_prefix("0o") {
        u128::from_str_radix(octal, 8).ok()
    } else {
        text.parse().ok()
    }
}

#[allow(clippy::cast_precision_loss)] // YAML integers are valid floats; rounding is expected
fn int_to_float(value: i128) -> f64 {
    value as f64
}

#[allow(clippy::cast_possible_truncation)] // callers check for overflow to infinity
fn float_to_f32(value: f64) -> f32 {
    value as f32
}

/// Whether `text` is a non-empty run of digits in `radix`.
fn is_digits(text: &str, radix: u32) -> bool {
    !text.is_empty() && text.chars().all(|c| c.is_digit(radix))
}

/// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`
fn is_float(text: &str) -> bool {
    let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
    let (mantissa, exponent) = match unsigned.split_once(['e', 'E']) {
        Some((mantissa, exponent)) => (mantissa, Some(exponent)),
        None => (unsigned, None),
    };
    let mantissa_ok = match mantissa.split_once('.') {
        Some(("", fraction)) => is_digits(fraction, 10),
        Some((integer, fraction)) => {
            is_digits(integer, 10) && fraction.chars().all(|c| c.is_ascii_digit())
        }
        None => is_digits(mantissa, 10),
    };
    let exponent_ok = exponent.is_none_or(|exponent| {
        is_digits(exponent.strip_prefix(['+', '-']).unwrap_or(exponent), 10)
    });
    mantissa_ok && exponent_ok
}

// ---------------------------------------------------------------------------------------------
// Errors inside the deserializer
// ---------------------------------------------------------------------------------------------

/// The error type of the internal deserializer.
#[derive(Debug)]
struct DeError {
    mark: Option<Mark>,
    message: String,
    kind: ErrorKind,
}

#[derive(Debug, Clone, Copy)]
enum ErrorKind {
    Plain,
    /// `unknown field` / `unknown variant`, with the names that would have been accepted.
    UnknownName(NameKind, &'static [&'static str]),
    /// `missing field`, with the field's name.
    MissingField(&'static str),
    /// The error has already been put into the sink; propagate it without recording it again.
    Recorded,
}

#[derive(Debug, Clone, Copy)]
enum NameKind {
    Field,
    Variant,
}

impl DeError {
    fn new(mark: Mark, message: impl Into<String>) -> Self {
        DeError {
            mark: Some(mark),
            message: message.into(),
            kind: ErrorKind::Plain,
        }
    }

    fn unknown_name(kind: NameKind, name: &str, expected: &'static [&'static str]) -> Self {
        let name = &crate::text::clip(name);
        let (what, plural) = match kind {
            NameKind::Field => ("field", "fields"),
            NameKind::Variant => ("variant", "variants"),
        };
        let message = if expected.is_empty() {
            format!("unknown {what} `{name}`, there are no {plural}")
        } else {
            format!("unknown {what} `{name}`, expected {}", one_of(expected))
        };
        DeError {
            mark: None,
            message,
            kind: ErrorKind::UnknownName(kind, expected),
        }
    }

    /// Attaches `mark` unless the error already has a position.
    fn at(mut self, mark: Mark) -> Self {
        if self.mark.is_none() {
            self.mark = Some(mark);
        }
        self
    }

    fn is_recorded(&self) -> bool {
        matches!(self.kind, ErrorKind::Recorded)
    }

    fn into_yaml(self) -> YamlError {
        YamlError::new(self.mark, self.message)
    }
}

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(message: T) -> Self {
        DeError {
            mark: None,
            message: message.to_string(),
            kind: ErrorKind::Plain,
        }
    }

    fn unknown_field(field: &str, expected: &'static [&'static str]) -> Self {
        DeError::unknown_name(NameKind::Field, field, expected)
    }

    fn unknown_variant(variant: &str, expected: &'static [&'static str]) -> Self {
        DeError::unknown_name(NameKind::Variant, variant, expected)
    }

    fn missing_field(field: &'static str) -> Self {
        DeError {
            mark: None,
            message: format!("missing field `{field}`"),
            kind: ErrorKind::MissingField(field),
        }
    }

    fn invalid_type(unexpected: Unexpected<'_>, expected: &dyn Expected) -> Self {
        de::Error::custom(format_args!(
            "invalid type: {}, expected {expected}",
            UnexpectedYaml(&unexpected)
        ))
    }

    fn invalid_value(unexpected: Unexpected<'_>, expected: &dyn Expected) -> Self {
        de::Error::custom(format_args!(
            "invalid value: {}, expected {expected}",
            UnexpectedYaml(&unexpected)
        ))
    }
}

/// Describes an unexpected value in YAML's terms (`null`, `mapping`) rather than serde's.
struct UnexpectedYaml<'a>(&'a Unexpected<'a>);

impl fmt::Display for UnexpectedYaml<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Unexpected::Unit | Unexpected::Option => f.write_str("null"),
            Unexpected::Map => f.write_str("mapping"),
            // A file may hold a secret (a link to `~/.git-credentials`): an error shows only
            // the start of a value, escaped.
            Unexpected::Str(text) => write!(f, "string \"{}\"", crate::text::clip(text)),
            other => other.fmt(f),
        }
    }
}

/// "`a`" or "one of `a`, `b`".
fn one_of(names: &[&str]) -> String {
    let list = names
        .iter()
        .map(|name| format!("`{name}`"))
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() == 1 {
        list
    } else {
        format!("one of {list}")
    }
}

// ---------------------------------------------------------------------------------------------
// Shared state: the error sink and the recovery memory
// ---------------------------------------------------------------------------------------------

#[derive(Default)]
struct State {
    /// Errors recorded in the current run.
    errors: Vec<YamlError>,
    /// Whether failed keys and elements may cut their collection short (forcing a re-run).
    lossy: bool,
    /// Number of collections cut short in the current run.
    taint: usize,
    /// Keys and elements known to fail, by node address and seed type, with their errors.
    memo: HashMap<(usize, &'static str), Vec<YamlError>>,
    /// For key seed types that rejected an unknown name: the names they accept.
    learned: HashMap<&'static str, (NameKind, &'static [&'static str])>,
    /// Mapping values skipped in the current run because they are known to fail.
    skipped_values: HashSet<usize>,
    /// Whether the last run had to stop at a new failure (see the module docs).
    gave_up: bool,
    /// Whether failing or missing fields get stand-ins (see [`from_str_recovering`]).
    stand_ins_on: bool,
    /// Fields that get a stand-in, by the node address of their mapping.
    stand_ins: HashMap<usize, Vec<StandIn>>,
}

/// A field of a mapping that gets a neutral value in place of a failing or missing one.
#[derive(Debug, Clone)]
struct StandIn {
    /// The field's name.
    field: &'static str,
    /// Where the stand-in is: the failing value, or the mapping that lacks the field.
    mark: Mark,
    /// The `missing field` error to record when the field was missing (a failing value's
    /// error is replayed with the value).
    missing: Option<YamlError>,
    /// False once the stand-in failed to deserialize: the field is then skipped as before.
    fits: bool,
}

impl State {
    fn start_run(&mut self, load_errors: &[YamlError], lossy: bool) {
        self.errors.clear();
        self.errors.extend_from_slice(load_errors);
        self.lossy = lossy;
        self.taint = 0;
        self.skipped_values.clear();
        self.gave_up = false;
    }
}

/// Position in the sink before a key or element is deserialized.
#[derive(Clone, Copy)]
struct Checkpoint {
    errors: usize,
    taint: usize,
}

/// Handle to the shared state, passed to every deserializer and accessor.
#[derive(Clone, Copy)]
struct Sink<'a>(&'a RefCell<State>);

fn node_id(node: &Node) -> usize {
    std::ptr::from_ref(node).addr()
}

impl Sink<'_> {
    fn checkpoint(self) -> Checkpoint {
        let state = self.0.borrow();
        Checkpoint {
            errors: state.errors.len(),
            taint: state.taint,
        }
    }

    /// If `node` is known to fail with this seed type, records its errors again and returns true.
    fn replay(self, node: &Node, seed: &'static str) -> bool {
        let mut state = self.0.borrow_mut();
        let Some(errors) = state.memo.get(&(node_id(node), seed)).cloned() else {
            return false;
        };
        state.errors.extend(errors);
        true
    }

    /// Like [`Sink::replay`] for a mapping value, which is then skipped with its key.
    fn replay_value(self, value: &Node, key_seed: &'static str) -> bool {
        let replayed = self.replay(value, key_seed);
        if replayed {
            self.0.borrow_mut().skipped_values.insert(node_id(value));
        }
        replayed
    }

    /// If `error` is a `missing field` caused by skipping that field's failing value in
    /// `entries`, the position of that value; such errors are consequences of errors already
    /// recorded.
    fn consequence(self, entries: &[(Node, Node)], error: &DeError) -> Option<Mark> {
        let ErrorKind::MissingField(field) = error.kind else {
            return None;
        };
        let state = self.0.borrow();
        entries.iter().find_map(|(key, value)| {
            (matches!(&key.kind, NodeKind::Scalar { value: name, .. } if name == field)
                && state.skipped_values.contains(&node_id(value)))
            .then_some(value.mark)
        })
    }

    /// After `mapping` failed with a `missing field` error, plans a stand-in for that field in
    /// the next run. `skipped` is the position of the field's failing value, if it had one.
    /// Returns false when no stand-in is planned (none wanted, or one was already tried).
    fn plan_stand_in(self, mapping: &Node, error: &DeError, skipped: Option<Mark>) -> bool {
        let ErrorKind::MissingField(field) = error.kind else {
            return false;
        };
        let mut state = self.0.borrow_mut();
        if !state.stand_ins_on || !state.lossy {
            return false;
        }
        let planned = state.stand_ins.entry(node_id(mapping)).or_default();
        if planned.iter().any(|stand_in| stand_in.field == field) {
            return false;
        }
        planned.push(StandIn {
            field,
            mark: skipped.unwrap_or(mapping.mark),
            missing: skipped
                .is_none()
                .then(|| YamlError::new(Some(mapping.mark), error.message.clone())),
            fits: true,
        });
        // This run is now incomplete: the next one puts the stand-in in.
        state.taint += 1;
        true
    }

    /// The stand-ins that fit, planned for the fields of `mapping`.
    fn stand_ins(self, mapping: &Node) -> Vec<StandIn> {
        self.0
            .borrow()
            .stand_ins
            .get(&node_id(mapping))
            .map(|list| list.iter().filter(|s| s.fits).cloned().collect())
            .unwrap_or_default()
    }

    /// Records that the stand-in for `field` of `mapping` does not fit its type.
    fn stand_in_failed(self, mapping: usize, field: &str) {
        let mut state = self.0.borrow_mut();
        if let Some(stand_in) = state
            .stand_ins
            .get_mut(&mapping)
            .and_then(|list| list.iter_mut().find(|s| s.field == field))
        {
            stand_in.fits = false;
        }
        state.taint += 1;
    }

    fn record(self, error: YamlError) {
        self.0.borrow_mut().errors.push(error);
    }

    /// If this key seed type is known to reject the name in `key`, records the error it would
    /// produce and returns true.
    fn reject_unknown(self, key: &Node, seed: &'static str) -> bool {
        let mut state = self.0.borrow_mut();
        let Some(&(kind, expected)) = state.learned.get(seed) else {
            return false;
        };
        let NodeKind::Scalar { value, style } = &key.kind else {
            return false;
        };
        if (*style == Style::Plain && resolve(value) == Scalar::Null)
            || expected.contains(&value.as_str())
        {
            return false;
        }
        let error = DeError::unknown_name(kind, value, expected).at(key.mark);
        state.errors.push(error.into_yaml());
        true
    }

    /// Handles a failed key, element or mapping value (`node`). `Ok` means "cut the collection
    /// short, this run will be repeated"; `Err` means "propagate" (the error has been recorded).
    /// `learn` is set for keys: an `unknown field`/`unknown variant` error then teaches which
    /// names this key seed type accepts.
    fn recover(
        self,
        node: &Node,
        seed: &'static str,
        checkpoint: Checkpoint,
        error: DeError,
        learn: bool,
    ) -> Result<(), DeError> {
        let mut state = self.0.borrow_mut();
        if learn && let ErrorKind::UnknownName(kind, expected) = error.kind {
            state.learned.entry(seed).or_insert((kind, expected));
        }
        if !state.lossy {
            state.gave_up = true;
            if error.is_recorded() {
                return Err(error);
            }
            let recorded = DeError {
                mark: error.mark,
                message: error.message.clone(),
                kind: ErrorKind::Recorded,
            };
            state.errors.push(error.into_yaml());
            return Err(recorded);
        }
        // Only failures without a lossy recovery inside them are genuine; others may be
        // artefacts of a collection that was cut short and are found again in the next run.
        if state.taint == checkpoint.taint {
            let mut errors = state
                .errors
                .get(checkpoint.errors..)
                .map(<[YamlError]>::to_vec)
                .unwrap_or_default();
            if !error.is_recorded() {
                errors.push(error.into_yaml());
            }
            state.memo.insert((node_id(node), seed), errors);
        }
        state.taint += 1;
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// The deserializer
// ---------------------------------------------------------------------------------------------

/// Deserializes one node.
#[derive(Clone, Copy)]
struct Deserializer<'de> {
    node: &'de Node,
    sink: Sink<'de>,
}

impl<'de> Deserializer<'de> {
    fn new(node: &'de Node, sink: Sink<'de>) -> Self {
        Deserializer { node, sink }
    }

    /// A closure that attaches this node's mark to errors lacking one.
    fn attach(self) -> impl Fn(DeError) -> DeError {
        let mark = self.node.mark;
        move |error| error.at(mark)
    }

    /// The resolved scalar, or `None` for collections.
    fn scalar(self) -> Option<Scalar<'de>> {
        match &self.node.kind {
            NodeKind::Scalar {
                value,
                style: Style::Plain,
            } => Some(resolve(value)),
            NodeKind::Scalar { value, .. } => Some(Scalar::Str(value)),
            _ => None,
        }
    }

    fn is_null(self) -> bool {
        self.scalar() == Some(Scalar::Null)
    }

    fn unexpected(self) -> Unexpected<'de> {
        match self.scalar() {
            None if matches!(self.node.kind, NodeKind::Sequence(_)) => Unexpected::Seq,
            None => Unexpected::Map,
            Some(Scalar::Null) => Unexpected::Unit,
            Some(Scalar::Bool(value)) => Unexpected::Bool(value),
            Some(Scalar::Int(Some(value))) => match (u64::try_from(value), i64::try_from(value)) {
                (Ok(value), _) => Unexpected::Unsigned(value),
                (_, Ok(value)) => Unexpected::Signed(value),
                _ => Unexpected::Other("integer"),
            },
            Some(Scalar::Int(None)) => Unexpected::Other("integer"),
            Some(Scalar::Float(value)) => Unexpected::Float(value),
            Some(Scalar::Str(value)) => Unexpected::Str(value),
        }
    }

    fn invalid_type(self, expected: &dyn Expected) -> DeError {
        <DeError as de::Error>::invalid_type(self.unexpected(), expected).at(self.node.mark)
    }

    fn text(self) -> &'de str {
        match &self.node.kind {
            NodeKind::Scalar { value, .. } => value,
            _ => "",
        }
    }

    /// The text of a non-null scalar.
    fn string(self, expected: &dyn Expected) -> Result<&'de str, DeError> {
        match self.scalar() {
            Some(Scalar::Null) => Err(DeError::new(
                self.node.mark,
                "expected a string, found null",
            )),
            Some(_) => Ok(self.text()),
            None => Err(self.invalid_type(expected)),
        }
    }

    fn integer<N: TryFrom<i128> + TryFrom<u128>>(
        self,
        ty: &str,
        expected: &dyn Expected,
    ) -> Result<N, DeError> {
        let out_of_range = || {
            DeError::new(
                self.node.mark,
                format!("integer `{}` is out of range for {ty}", self.text()),
            )
        };
        match self.scalar() {
            Some(Scalar::Int(Some(value))) => N::try_from(value).map_err(|_| out_of_range()),
            Some(Scalar::Int(None)) => big_unsigned(self.text())
                .and_then(|value| N::try_from(value).ok())
                .ok_or_else(out_of_range),
            _ => Err(self.invalid_type(expected)),
        }
    }

    fn float(self, ty: &str, expected: &dyn Expected) -> Result<f64, DeError> {
        let out_of_range = || {
            DeError::new(
                self.node.mark,
                format!("number `{}` is out of range for {ty}", self.text()),
            )
        };
        let value = match self.scalar() {
            Some(Scalar::Float(value)) => value,
            Some(Scalar::Int(Some(value))) => int_to_float(value),
            Some(Scalar::Int(None)) => self.text().parse().map_err(|_| out_of_range())?,
            _ => return Err(self.invalid_type(expected)),
        };
        // `.inf` is fine, but a number literal must not overflow to infinity.
        if value.is_infinite() && self.text().bytes().any(|byte| byte.is_ascii_digit()) {
            return Err(out_of_range());
        }
        Ok(value)
    }

    fn visit_int<V: Visitor<'de>>(value: i128, visitor: V) -> Result<V::Value, DeError> {
        if let Ok(value) = u64::try_from(value) {
            visitor.visit_u64(value)
        } else if let Ok(value) = i64::try_from(value) {
            visitor.visit_i64(value)
        } else {
            visitor.visit_i128(value)
        }
    }

    fn visit_mapping<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match &self.node.kind {
            NodeKind::Mapping(entries) => self.visit_entries(entries, visitor),
            _ => Err(self.invalid_type(&visitor)),
        }
    }

    fn visit_entries<V: Visitor<'de>>(
        self,
        entries: &'de [(Node, Node)],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor
            .visit_map(MapAccess::new(self.node, entries, self.sink))
            .map_err(|mut error| {
                let skipped = self.sink.consequence(entries, &error);
                if self.sink.plan_stand_in(self.node, &error, skipped) || skipped.is_some() {
                    error.kind = ErrorKind::Recorded;
                }
                error.at(self.node.mark)
            })
    }

    fn visit_sequence<V: Visitor<'de>>(
        self,
        visitor: V,
        len: Option<usize>,
    ) -> Result<V::Value, DeError> {
        let NodeKind::Sequence(items) = &self.node.kind else {
            return Err(self.invalid_type(&visitor));
        };
        if let Some(len) = len
            && items.len() != len
        {
            return Err(
                <DeError as de::Error>::invalid_length(items.len(), &visitor).at(self.node.mark),
            );
        }
        // Fixed-length sequences cannot skip elements: later ones would shift into the wrong
        // positions.
        let recover = len.is_none();
        visitor
            .visit_seq(SeqAccess::new(items, self.sink, recover))
            .map_err(self.attach())
    }

    fn describe(self) -> String {
        match &self.node.kind {
            NodeKind::Mapping(entries) if entries.is_empty() => "an empty mapping".to_owned(),
            NodeKind::Mapping(entries) => format!("a mapping with {} keys", entries.len()),
            NodeKind::Sequence(_) => "a sequence".to_owned(),
            NodeKind::Scalar { .. } => "null".to_owned(),
        }
    }
}

macro_rules! deserialize_integer {
    ($($method:ident => $visit:ident($ty:ty),)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
            let value: $ty = self.integer(stringify!($ty), &visitor)?;
            visitor.$visit(value).map_err(self.attach())
        }
    )*};
}

impl<'de> de::Deserializer<'de> for Deserializer<'de> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let result = match &self.node.kind {
            NodeKind::Sequence(items) => visitor.visit_seq(SeqAccess::new(items, self.sink, true)),
            NodeKind::Mapping(entries) => self.visit_entries(entries, visitor),
            NodeKind::Scalar { value, .. } => match self.scalar() {
                Some(Scalar::Null) => visitor.visit_unit(),
                Some(Scalar::Bool(value)) => visitor.visit_bool(value),
                Some(Scalar::Int(Some(value))) => Self::visit_int(value, visitor),
                Some(Scalar::Float(value)) => visitor.visit_f64(value),
                _ => visitor.visit_borrowed_str(value),
            },
        };
        result.map_err(self.attach())
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.scalar() {
            Some(Scalar::Bool(value)) => visitor.visit_bool(value).map_err(self.attach()),
            _ => Err(self.invalid_type(&visitor)),
        }
    }

    deserialize_integer! {
        deserialize_i8 => visit_i8(i8),
        deserialize_i16 => visit_i16(i16),
        deserialize_i32 => visit_i32(i32),
        deserialize_i64 => visit_i64(i64),
        deserialize_i128 => visit_i128(i128),
        deserialize_u8 => visit_u8(u8),
        deserialize_u16 => visit_u16(u16),
        deserialize_u32 => visit_u32(u32),
        deserialize_u64 => visit_u64(u64),
        deserialize_u128 => visit_u128(u128),
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let value = self.float("f32", &visitor)?;
        let narrow = float_to_f32(value);
        if value.is_finite() && narrow.is_infinite() {
            return Err(DeError::new(
                self.node.mark,
                format!("number `{}` is out of range for f32", self.text()),
            ));
        }
        visitor.visit_f32(narrow).map_err(self.attach())
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let value = self.float("f64", &visitor)?;
        visitor.visit_f64(value).map_err(self.attach())
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let value = self.string(&visitor)?;
        visitor.visit_borrowed_str(value).map_err(self.attach())
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_any(visitor)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_any(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        if self.is_null() {
            visitor.visit_none().map_err(self.attach())
        } else {
            visitor.visit_some(self).map_err(self.attach())
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        if self.is_null() {
            visitor.visit_unit().map_err(self.attach())
        } else {
            Err(self.invalid_type(&visitor))
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_newtype_struct(self).map_err(self.attach())
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.visit_sequence(visitor, None)
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.visit_sequence(visitor, Some(len))
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.visit_sequence(visitor, Some(len))
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.visit_mapping(visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        if name == SPANNED_NAME {
            return visitor
                .visit_map(SpannedAccess::new(self.node, self.sink))
                .map_err(self.attach());
        }
        self.visit_mapping(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        let access = match &self.node.kind {
            NodeKind::Scalar { .. } if !self.is_null() => EnumAccess {
                key: self.node,
                value: None,
                sink: self.sink,
            },
            NodeKind::Mapping(entries) if entries.len() == 1 => match entries.first() {
                Some((key, value)) => EnumAccess {
                    key,
                    value: Some(value),
                    sink: self.sink,
                },
                None => return Err(self.enum_error(variants)),
            },
            _ => return Err(self.enum_error(variants)),
        };
        visitor.visit_enum(access).map_err(self.attach())
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_unit().map_err(self.attach())
    }
}

impl Deserializer<'_> {
    fn enum_error(self, variants: &[&str]) -> DeError {
        DeError::new(
            self.node.mark,
            format!(
                "expected a single key naming {}, found {}",
                one_of(variants),
                self.describe()
            ),
        )
    }
}

// ---------------------------------------------------------------------------------------------
// MapAccess, SeqAccess, EnumAccess
// ---------------------------------------------------------------------------------------------

/// Walks the entries of a mapping, recovering from failed keys (rule 1) and values, then hands
/// out the fields that get stand-ins.
struct MapAccess<'de> {
    /// The mapping's node address.
    mapping: usize,
    entries: std::slice::Iter<'de, (Node, Node)>,
    /// Fields still to hand out with a stand-in value, after the entries.
    stand_ins: std::vec::IntoIter<StandIn>,
    /// The value belonging to the key just handed out.
    value: Option<Pending<'de>>,
    sink: Sink<'de>,
}

/// The value of the key just handed out.
enum Pending<'de> {
    /// A node, with the key seed's type name.
    Node(&'de Node, &'static str),
    /// A stand-in for this field, at this position.
    StandIn(&'static str, Mark),
}

impl<'de> MapAccess<'de> {
    fn new(mapping: &'de Node, entries: &'de [(Node, Node)], sink: Sink<'de>) -> Self {
        MapAccess {
            mapping: node_id(mapping),
            entries: entries.iter(),
            stand_ins: sink.stand_ins(mapping).into_iter(),
            value: None,
            sink,
        }
    }
}

impl<'de> de::MapAccess<'de> for MapAccess<'de> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        let seed_type = type_name::<K>();
        while let Some((key, value)) = self.entries.next() {
            if self.sink.replay(key, seed_type)
                || self.sink.reject_unknown(key, seed_type)
                || self.sink.replay_value(value, seed_type)
            {
                continue;
            }
            let checkpoint = self.sink.checkpoint();
            return match seed.deserialize(Deserializer::new(key, self.sink)) {
                Ok(key) => {
                    self.value = Some(Pending::Node(value, seed_type));
                    Ok(Some(key))
                }
                Err(error) => {
                    self.entries = std::slice::Iter::default();
                    self.stand_ins = Vec::new().into_iter();
                    let error = error.at(key.mark);
                    self.sink.recover(key, seed_type, checkpoint, error, true)?;
                    Ok(None)
                }
            };
        }
        let Some(stand_in) = self.stand_ins.next() else {
            return Ok(None);
        };
        if let Some(missing) = stand_in.missing {
            self.sink.record(missing);
        }
        let key = seed
            .deserialize(de::value::BorrowedStrDeserializer::<DeError>::new(
                stand_in.field,
            ))
            .map_err(|error| error.at(stand_in.mark))?;
        self.value = Some(Pending::StandIn(stand_in.field, stand_in.mark));
        Ok(Some(key))
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value, DeError> {
        let (value, key_seed) = match self.value.take() {
            Some(Pending::Node(value, key_seed)) => (value, key_seed),
            Some(Pending::StandIn(field, mark)) => {
                return seed.deserialize(Neutral { mark }).map_err(|_| {
                    // The field's type has no neutral value: skip the field from now on.
                    self.sink.stand_in_failed(self.mapping, field);
                    DeError {
                        mark: Some(mark),
                        message: format!("no stand-in for `{field}`"),
                        kind: ErrorKind::Recorded,
                    }
                });
            }
            None => {
                return Err(de::Error::custom(
                    "a mapping value was requested before its key",
                ));
            }
        };
        let checkpoint = self.sink.checkpoint();
        match seed.deserialize(Deserializer::new(value, self.sink)) {
            Ok(value) => Ok(value),
            Err(error) => {
                // The mapping cannot go on without this value. Remember the failure so that
                // the next run skips the whole entry, and abort this mapping.
                let error = error.at(value.mark);
                let message = error.message.clone();
                self.sink
                    .recover(value, key_seed, checkpoint, error, false)?;
                Err(DeError {
                    mark: Some(value.mark),
                    message,
                    kind: ErrorKind::Recorded,
                })
            }
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

/// Walks the elements of a sequence, recovering from failed elements (rule 2) unless the
/// sequence has a fixed length.
struct SeqAccess<'de> {
    items: std::slice::Iter<'de, Node>,
    sink: Sink<'de>,
    recover: bool,
}

impl<'de> SeqAccess<'de> {
    fn new(items: &'de [Node], sink: Sink<'de>, recover: bool) -> Self {
        SeqAccess {
            items: items.iter(),
            sink,
            recover,
        }
    }
}

impl<'de> de::SeqAccess<'de> for SeqAccess<'de> {
    type Error = DeError;

    fn next_element_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, DeError> {
        let seed_type = type_name::<S>();
        while let Some(item) = self.items.next() {
            if self.recover && self.sink.replay(item, seed_type) {
                continue;
            }
            let checkpoint = self.sink.checkpoint();
            return match seed.deserialize(Deserializer::new(item, self.sink)) {
                Ok(value) => Ok(Some(value)),
                Err(error) if self.recover => {
                    self.items = std::slice::Iter::default();
                    let error = error.at(item.mark);
                    self.sink
                        .recover(item, seed_type, checkpoint, error, false)?;
                    Ok(None)
                }
                Err(error) => Err(error.at(item.mark)),
            };
        }
        Ok(None)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

/// An externally tagged enum: a scalar naming a unit variant, or a single-key mapping.
struct EnumAccess<'de> {
    key: &'de Node,
    value: Option<&'de Node>,
    sink: Sink<'de>,
}

impl<'de> de::EnumAccess<'de> for EnumAccess<'de> {
    type Error = DeError;
    type Variant = VariantAccess<'de>;

    fn variant_seed<S: DeserializeSeed<'de>>(
        self,
        seed: S,
    ) -> Result<(S::Value, VariantAccess<'de>), DeError> {
        let variant = seed
            .deserialize(Deserializer::new(self.key, self.sink))
            .map_err(|error| error.at(self.key.mark))?;
        let access = VariantAccess {
            name: Deserializer::new(self.key, self.sink).text(),
            value: self.value,
            mark: self.key.mark,
            sink: self.sink,
        };
        Ok((variant, access))
    }
}

/// The payload of an enum variant (`None` for the bare scalar form).
struct VariantAccess<'de> {
    /// The variant's name as written.
    name: &'de str,
    value: Option<&'de Node>,
    mark: Mark,
    sink: Sink<'de>,
}

impl<'de> VariantAccess<'de> {
    fn payload(&self) -> Result<Deserializer<'de>, DeError> {
        match self.value {
            Some(value) => Ok(Deserializer::new(value, self.sink)),
            None => Err(DeError::new(
                self.mark,
                format!(
                    "the variant `{0}` needs a value (write `{0}: ...`)",
                    self.name
                ),
            )),
        }
    }
}

impl<'de> de::VariantAccess<'de> for VariantAccess<'de> {
    type Error = DeError;

    fn unit_variant(self) -> Result<(), DeError> {
        match self.value {
            None => Ok(()),
            Some(value) => {
                let value = Deserializer::new(value, self.sink);
                if value.is_null() {
                    Ok(())
                } else {
                    let message = format!(
                        "the variant `{}` takes no value, found {}",
                        self.name,
                        UnexpectedYaml(&value.unexpected())
                    );
                    Err(DeError::new(value.node.mark, message))
                }
            }
        }
    }

    fn newtype_variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<S::Value, DeError> {
        seed.deserialize(self.payload()?)
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, DeError> {
        de::Deserializer::deserialize_tuple(self.payload()?, len, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        de::Deserializer::deserialize_struct(self.payload()?, "", fields, visitor)
    }
}

// ---------------------------------------------------------------------------------------------
// Stand-ins
// ---------------------------------------------------------------------------------------------

/// A neutral value standing in for a failing or missing one: an empty string, zero, `false`,
/// `None`, an empty list or mapping, or a [`Spanned`] of one at `mark`. Types without one (enums,
/// structs with required fields) fail, and the caller then skips the field.
#[derive(Clone, Copy)]
struct Neutral {
    mark: Mark,
}

impl Neutral {
    fn none(self) -> DeError {
        DeError::new(self.mark, "no neutral value of this type")
    }
}

macro_rules! neutral_number {
    ($($method:ident => $visit:ident($zero:expr),)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
            visitor.$visit($zero)
        }
    )*};
}

impl<'de> de::Deserializer<'de> for Neutral {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        // Multi-form values (a glob or a list of globs) take their list form: an empty list.
        visitor.visit_seq(Empty)
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_bool(false)
    }

    neutral_number! {
        deserialize_i8 => visit_i8(0),
        deserialize_i16 => visit_i16(0),
        deserialize_i32 => visit_i32(0),
        deserialize_i64 => visit_i64(0),
        deserialize_i128 => visit_i128(0),
        deserialize_u8 => visit_u8(0),
        deserialize_u16 => visit_u16(0),
        deserialize_u32 => visit_u32(0),
        deserialize_u64 => visit_u64(0),
        deserialize_u128 => visit_u128(0),
        deserialize_f32 => visit_f32(0.0),
        deserialize_f64 => visit_f64(0.0),
    }

    fn deserialize_char<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, DeError> {
        Err(self.none())
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_borrowed_str("")
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_borrowed_str("")
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_borrowed_bytes(&[])
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_borrowed_bytes(&[])
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_none()
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_seq(Empty)
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_seq(Empty)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_seq(Empty)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_map(Empty)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        if name == SPANNED_NAME {
            return visitor.visit_map(NeutralSpanned {
                mark: self.mark,
                step: 0,
            });
        }
        visitor.visit_map(Empty)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, DeError> {
        Err(self.none())
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_borrowed_str("")
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }
}

/// An empty sequence or mapping.
struct Empty;

impl<'de> de::SeqAccess<'de> for Empty {
    type Error = DeError;

    fn next_element_seed<S: DeserializeSeed<'de>>(
        &mut self,
        _seed: S,
    ) -> Result<Option<S::Value>, DeError> {
        Ok(None)
    }
}

impl<'de> de::MapAccess<'de> for Empty {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        _seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        Ok(None)
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, _seed: S) -> Result<S::Value, DeError> {
        Err(de::Error::custom("an empty mapping has no values"))
    }
}

/// Hands out the position and a [`Neutral`] value to [`SpannedVisitor`].
struct NeutralSpanned {
    mark: Mark,
    step: usize,
}

impl<'de> de::MapAccess<'de> for NeutralSpanned {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        match SPANNED_FIELDS.get(self.step) {
            Some(&key) => seed
                .deserialize(de::value::BorrowedStrDeserializer::new(key))
                .map(Some),
            None => Ok(None),
        }
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value, DeError> {
        let step = self.step;
        self.step += 1;
        match step {
            0 => seed.deserialize(self.mark.line.into_deserializer()),
            1 => seed.deserialize(self.mark.column.into_deserializer()),
            _ => seed.deserialize(Neutral { mark: self.mark }),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Spanned
// ---------------------------------------------------------------------------------------------

/// The magic struct name through which [`Spanned`] asks for a position.
const SPANNED_NAME: &str = "$__squarely_private_Spanned";
const SPANNED_LINE: &str = "$__line";
const SPANNED_COLUMN: &str = "$__column";
const SPANNED_VALUE: &str = "$__value";
const SPANNED_FIELDS: &[&str] = &[SPANNED_LINE, SPANNED_COLUMN, SPANNED_VALUE];

/// A value with the position of the YAML node it came from.
///
/// Comparison, hashing, serialization and JSON schema only look at `value`. Deserializing a
/// `Spanned` only works with this module's deserializer (see [`from_str`]); others fail with an
/// explanatory error.
#[derive(Debug, Clone)]
pub struct Spanned<T> {
    /// The deserialized value.
    pub value: T,
    /// Where the value's node starts.
    pub mark: Mark,
}

impl<T> Spanned<T> {
    /// Wraps `value` with the position `mark`.
    #[must_use]
    pub fn new(value: T, mark: Mark) -> Self {
        Spanned { value, mark }
    }

    /// Returns the value without its position.
    #[must_use]
    pub fn into_inner(self) -> T {
        self.value
    }
}

impl<T> Deref for Spanned<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T> DerefMut for Spanned<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.value
    }
}

impl<T: PartialEq> PartialEq for Spanned<T> {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

impl<T: Eq> Eq for Spanned<T> {}

impl<T: Hash> Hash for Spanned<T> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.value.hash(state);
    }
}

impl<T: PartialOrd> PartialOrd for Spanned<T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        self.value.partial_cmp(&other.value)
    }
}

impl<T: Ord> Ord for Spanned<T> {
    fn cmp(&self, other: &Self) -> Ordering {
        self.value.cmp(&other.value)
    }
}

impl<T: serde::Serialize> serde::Serialize for Spanned<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(serializer)
    }
}

impl<T: schemars::JsonSchema> schemars::JsonSchema for Spanned<T> {
    fn inline_schema() -> bool {
        T::inline_schema()
    }

    fn schema_name() -> Cow<'static, str> {
        T::schema_name()
    }

    fn schema_id() -> Cow<'static, str> {
        T::schema_id()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        T::json_schema(generator)
    }
}

impl<'de, T: de::Deserialize<'de>> de::Deserialize<'de> for Spanned<T> {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_struct(SPANNED_NAME, SPANNED_FIELDS, SpannedVisitor(PhantomData))
    }
}

struct SpannedVisitor<T>(PhantomData<T>);

impl<'de, T: de::Deserialize<'de>> Visitor<'de> for SpannedVisitor<T> {
    type Value = Spanned<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a value with its position (only squarely's YAML deserializer provides one)")
    }

    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Spanned<T>, A::Error> {
        spanned_key(&mut map, SPANNED_LINE)?;
        let line = map.next_value()?;
        spanned_key(&mut map, SPANNED_COLUMN)?;
        let column = map.next_value()?;
        spanned_key(&mut map, SPANNED_VALUE)?;
        let value = map.next_value()?;
        Ok(Spanned::new(value, Mark { line, column }))
    }
}

fn spanned_key<'de, A: de::MapAccess<'de>>(
    map: &mut A,
    expected: &'static str,
) -> Result<(), A::Error> {
    if map.next_key::<String>()?.as_deref() == Some(expected) {
        Ok(())
    } else {
        Err(de::Error::custom(
            "`Spanned` values can only be read by squarely's YAML deserializer",
        ))
    }
}

/// Deserialize a value that is either one string, kept with its position and turned into
/// the result by `one`, or any other form (a sequence, a mapping) handed to `visitor`.
///
/// This is how multi-form rule-set types (`file: "README*"` | `file: [..]` | `file: {..}`)
/// keep the mark of the single-string form, which `deserialize_any` would lose.
pub fn deserialize_string_or<'de, D, V, F>(
    deserializer: D,
    visitor: V,
    one: F,
) -> Result<V::Value, D::Error>
where
    D: de::Deserializer<'de>,
    V: Visitor<'de>,
    F: FnOnce(Spanned<String>) -> V::Value,
{
    deserializer.deserialize_struct(
        SPANNED_NAME,
        SPANNED_FIELDS,
        StringOrVisitor { visitor, one },
    )
}

struct StringOrVisitor<V, F> {
    visitor: V,
    one: F,
}

impl<'de, V, F> Visitor<'de> for StringOrVisitor<V, F>
where
    V: Visitor<'de>,
    F: FnOnce(Spanned<String>) -> V::Value,
{
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.visitor.expecting(f)
    }

    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<V::Value, A::Error> {
        spanned_key(&mut map, SPANNED_LINE)?;
        let line = map.next_value()?;
        spanned_key(&mut map, SPANNED_COLUMN)?;
        let column = map.next_value()?;
        spanned_key(&mut map, SPANNED_VALUE)?;
        map.next_value_seed(StringOrSeed {
            visitor: self.visitor,
            one: self.one,
            mark: Mark { line, column },
        })
    }
}

struct StringOrSeed<V, F> {
    visitor: V,
    one: F,
    mark: Mark,
}

impl<'de, V, F> DeserializeSeed<'de> for StringOrSeed<V, F>
where
    V: Visitor<'de>,
    F: FnOnce(Spanned<String>) -> V::Value,
{
    type Value = V::Value;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<V::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de, V, F> Visitor<'de> for StringOrSeed<V, F>
where
    V: Visitor<'de>,
    F: FnOnce(Spanned<String>) -> V::Value,
{
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.visitor.expecting(f)
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<V::Value, E> {
        Ok((self.one)(Spanned::new(value.to_owned(), self.mark)))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<V::Value, E> {
        self.visit_str(&value.to_string())
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<V::Value, E> {
        self.visit_str(&value.to_string())
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<V::Value, E> {
        self.visit_str(&value.to_string())
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<V::Value, E> {
        self.visit_str(&value.to_string())
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
        self.visitor.visit_seq(seq)
    }

    fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        self.visitor.visit_map(map)
    }
}

/// Hands out line, column and value of a node to [`SpannedVisitor`].
struct SpannedAccess<'de> {
    node: &'de Node,
    sink: Sink<'de>,
    step: usize,
}

impl<'de> SpannedAccess<'de> {
    fn new(node: &'de Node, sink: Sink<'de>) -> Self {
        SpannedAccess {
            node,
            sink,
            step: 0,
        }
    }
}

impl<'de> de::MapAccess<'de> for SpannedAccess<'de> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        match SPANNED_FIELDS.get(self.step) {
            Some(&key) => seed
                .deserialize(de::value::BorrowedStrDeserializer::new(key))
                .map(Some),
            None => Ok(None),
        }
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value, DeError> {
        let step = self.step;
        self.step += 1;
        match step {
            0 => seed.deserialize(self.node.mark.line.into_deserializer()),
            1 => seed.deserialize(self.node.mark.column.into_deserializer()),
            _ => seed.deserialize(Deserializer::new(self.node, self.sink)),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde::Deserialize;
    use serde::de::value::MapAccessDeserializer;

    use super::*;

    /// Deserializes `src`, panicking with the errors on failure.
    fn ok<T: DeserializeOwned>(src: &str) -> T {
        from_str(src).unwrap_or_else(|errors| panic!("unexpected errors: {errors:#?}"))
    }

    /// Deserializes `src`, expecting failure; returns the rendered errors.
    fn errs<T: DeserializeOwned + fmt::Debug>(src: &str) -> Vec<String> {
        match from_str::<T>(src) {
            Ok(value) => panic!("expected errors, got {value:?}"),
            Err(errors) => errors.iter().map(ToString::to_string).collect(),
        }
    }

    /// The partially recovered value and the rendered errors.
    fn partial<T: DeserializeOwned>(src: &str) -> (Option<T>, Vec<String>) {
        let (value, errors) = deserialize_document(src, RUN_BUDGET, StandIns::No);
        (value, errors.iter().map(ToString::to_string).collect())
    }

    fn mark(line: usize, column: usize) -> Mark {
        Mark { line, column }
    }

    // --- rule-set-like types --------------------------------------------------------------

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct RuleSet {
        name: String,
        #[serde(default)]
        checks: Vec<Check>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Check {
        id: String,
        file: String,
        #[serde(default)]
        required: bool,
    }

    /// The multi-form type the rule sets use for file queries.
    #[derive(Debug, PartialEq)]
    enum PathQuery {
        One(String),
        Many(Vec<String>),
        Full {
            glob: Vec<String>,
            ignore_case: bool,
        },
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct FullQuery {
        glob: Vec<String>,
        #[serde(default)]
        ignore_case: bool,
    }

    impl<'de> Deserialize<'de> for PathQuery {
        fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            struct QueryVisitor;

            impl<'de> Visitor<'de> for QueryVisitor {
                type Value = PathQuery;

                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("a glob, a list of globs or a mapping with `glob`")
                }

                fn visit_str<E: de::Error>(self, value: &str) -> Result<PathQuery, E> {
                    Ok(PathQuery::One(value.to_owned()))
                }

                fn visit_seq<A: de::SeqAccess<'de>>(
                    self,
                    mut seq: A,
                ) -> Result<PathQuery, A::Error> {
                    let mut globs = Vec::new();
                    while let Some(glob) = seq.next_element::<String>()? {
                        globs.push(glob);
                    }
                    Ok(PathQuery::Many(globs))
                }

                fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<PathQuery, A::Error> {
                    let full = FullQuery::deserialize(MapAccessDeserializer::new(map))?;
                    Ok(PathQuery::Full {
                        glob: full.glob,
                        ignore_case: full.ignore_case,
                    })
                }
            }

            deserializer.deserialize_any(QueryVisitor)
        }
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct QueryCheck {
        file: PathQuery,
    }

    // --- scalars --------------------------------------------------------------------------

    #[test]
    fn resolves_core_schema_scalars() {
        assert_eq!(resolve(""), Scalar::Null);
        assert_eq!(resolve("~"), Scalar::Null);
        for null in ["null", "Null", "NULL"] {
            assert_eq!(resolve(null), Scalar::Null);
        }
        for yes in ["true", "True", "TRUE"] {
            assert_eq!(resolve(yes), Scalar::Bool(true));
        }
        for no in ["false", "False", "FALSE"] {
            assert_eq!(resolve(no), Scalar::Bool(false));
        }
        for string in ["yes", "no", "on", "off", "y", "n", "tRUE", "nULL"] {
            assert_eq!(resolve(string), Scalar::Str(string));
        }
        assert_eq!(resolve("0"), Scalar::Int(Some(0)));
        assert_eq!(resolve("-0"), Scalar::Int(Some(0)));
        assert_eq!(resolve("+12"), Scalar::Int(Some(12)));
        assert_eq!(resolve("-12"), Scalar::Int(Some(-12)));
        assert_eq!(resolve("007"), Scalar::Int(Some(7)));
        assert_eq!(resolve("0x1F"), Scalar::Int(Some(31)));
        assert_eq!(resolve("0o17"), Scalar::Int(Some(15)));
        assert_eq!(resolve("1".repeat(50).as_str()), Scalar::Int(None));
        for string in [
            "0x", "0o", "0o8", "0xG", "-0x1", "1_000", "1,000", "+", "-", "0b1",
        ] {
            assert_eq!(resolve(string), Scalar::Str(string), "{string}");
        }
        assert_eq!(resolve("1.5"), Scalar::Float(1.5));
        assert_eq!(resolve("-1.5e3"), Scalar::Float(-1500.0));
        assert_eq!(resolve("1e3"), Scalar::Float(1000.0));
        assert_eq!(resolve(".5"), Scalar::Float(0.5));
        assert_eq!(resolve("5."), Scalar::Float(5.0));
        assert_eq!(resolve("+2.5E-1"), Scalar::Float(0.25));
        for inf in [".inf", ".Inf", ".INF", "+.inf"] {
            assert_eq!(resolve(inf), Scalar::Float(f64::INFINITY));
        }
        assert_eq!(resolve("-.INF"), Scalar::Float(f64::NEG_INFINITY));
        for nan in [".nan", ".NaN", ".NAN"] {
            assert!(matches!(resolve(nan), Scalar::Float(x) if x.is_nan()));
        }
        for string in [
            "1.0.0", ".", "e3", "1e", "1e+", "..5", ".inF", "inf", "nan", "1.5x",
        ] {
            assert_eq!(resolve(string), Scalar::Str(string), "{string}");
        }
    }

    #[test]
    fn scalars_into_rust_types() {
        #[derive(Debug, Deserialize, PartialEq)]
        struct All {
            small: u8,
            negative: i64,
            hex: u32,
            octal: i16,
            big: u128,
            float: f64,
            int_as_float: f32,
            infinity: f64,
            flag: bool,
            text: String,
            quoted: String,
            literal: String,
            letter: char,
            nothing: Option<u32>,
            unit: (),
        }
        let all: All = ok(concat!(
            "small: 255\n",
            "negative: -9223372036854775808\n",
            "hex: 0xFF\n",
            "octal: 0o777\n",
            "big: 340282366920938463463374607431768211455\n",
            "wide: -0x10\n",
            "float: 1.5e3\n",
            "int_as_float: 2\n",
            "infinity: -.inf\n",
            "flag: False\n",
            "text: hello world\n",
            "quoted: 'it''s'\n",
            "literal: |\n  line one\n  line two\n",
            "letter: x\n",
            "nothing: ~\n",
            "unit: null\n",
        ));
        assert_eq!(
            all,
            All {
                small: 255,
                negative: i64::MIN,
                hex: 255,
                octal: 511,
                big: u128::MAX,
                float: 1500.0,
                int_as_float: 2.0,
                infinity: f64::NEG_INFINITY,
                flag: false,
                text: "hello world".to_owned(),
                quoted: "it's".to_owned(),
                literal: "line one\nline two\n".to_owned(),
                letter: 'x',
                nothing: None,
                unit: (),
            }
        );
    }

    /// Records which `Visitor` method `deserialize_any` called.
    #[derive(Debug, PartialEq)]
    enum Seen {
        Unit,
        Bool(bool),
        U64(u64),
        I64(i64),
        F64(f64),
        Str(String),
        Seq(usize),
        Map(usize),
    }

    impl<'de> Deserialize<'de> for Seen {
        fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            struct SeenVisitor;

            impl<'de> Visitor<'de> for SeenVisitor {
                type Value = Seen;

                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("anything")
                }

                fn visit_unit<E: de::Error>(self) -> Result<Seen, E> {
                    Ok(Seen::Unit)
                }

                fn visit_bool<E: de::Error>(self, value: bool) -> Result<Seen, E> {
                    Ok(Seen::Bool(value))
                }

                fn visit_u64<E: de::Error>(self, value: u64) -> Result<Seen, E> {
                    Ok(Seen::U64(value))
                }

                fn visit_i64<E: de::Error>(self, value: i64) -> Result<Seen, E> {
                    Ok(Seen::I64(value))
                }

                fn visit_f64<E: de::Error>(self, value: f64) -> Result<Seen, E> {
                    Ok(Seen::F64(value))
                }

                fn visit_str<E: de::Error>(self, value: &str) -> Result<Seen, E> {
                    Ok(Seen::Str(value.to_owned()))
                }

                fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Seen, A::Error> {
                    let mut count = 0;
                    while seq.next_element::<de::IgnoredAny>()?.is_some() {
                        count += 1;
                    }
                    Ok(Seen::Seq(count))
                }

                fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Seen, A::Error> {
                    let mut count = 0;
                    while map
                        .next_entry::<de::IgnoredAny, de::IgnoredAny>()?
                        .is_some()
                    {
                        count += 1;
                    }
                    Ok(Seen::Map(count))
                }
            }

            deserializer.deserialize_any(SeenVisitor)
        }
    }

    #[test]
    fn deserialize_any_dispatches_on_resolved_type() {
        let seen: Vec<Seen> = ok(concat!(
            "- ~\n- \n- true\n- 42\n- -42\n- 0x10\n- 2.5\n- 1e2\n- yes\n",
            "- '42'\n- \"true\"\n- !!str 7\n- [1, 2]\n- {a: 1, b: 2, c: 3}\n",
            "- 99999999999999999999999999999999999999999999\n",
        ));
        assert_eq!(
            seen,
            vec![
                Seen::Unit,
                Seen::Unit,
                Seen::Bool(true),
                Seen::U64(42),
                Seen::I64(-42),
                Seen::U64(16),
                Seen::F64(2.5),
                Seen::F64(100.0),
                Seen::Str("yes".to_owned()),
                Seen::Str("42".to_owned()),
                Seen::Str("true".to_owned()),
                Seen::Str("7".to_owned()),
                Seen::Seq(2),
                Seen::Map(3),
                Seen::Str("99999999999999999999999999999999999999999999".to_owned()),
            ]
        );
    }

    #[test]
    fn plain_numbers_and_bools_read_as_strings() {
        let map: BTreeMap<String, String> = ok(concat!(
            "version: 1.0.0\n",
            "name: 2024\n",
            "float: 1.50\n",
            "hex: 0x1F\n",
            "flag: TRUE\n",
            "quoted: \"\"\n",
        ));
        let expected = [
            ("version", "1.0.0"),
            ("name", "2024"),
            ("float", "1.50"),
            ("hex", "0x1F"),
            ("flag", "TRUE"),
            ("quoted", ""),
        ];
        assert_eq!(
            map,
            expected
                .iter()
                .map(|&(k, v)| (k.to_owned(), v.to_owned()))
                .collect()
        );
    }

    #[test]
    fn null_and_collections_are_not_strings() {
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)] // fields are only deserialized
        struct Texts {
            a: String,
            b: String,
            c: String,
            d: String,
        }
        assert_eq!(
            errs::<Texts>("a: ~\nb: null\nc: [x]\nd: {x: 1}\n"),
            vec![
                "1:4: expected a string, found null",
                "2:4: expected a string, found null",
                "3:4: invalid type: sequence, expected a string",
                "4:4: invalid type: mapping, expected a string",
            ]
        );
        // An empty value is reported at its key.
        assert_eq!(
            errs::<BTreeMap<String, String>>("a: x\nb:\nc: y\n"),
            vec!["2:1: expected a string, found null"]
        );
    }

    #[test]
    fn booleans_are_strict() {
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)] // fields are only deserialized
        struct Flags {
            flags: Vec<bool>,
        }
        assert_eq!(
            errs::<Flags>("flags: [yes, on, 'true', 1, ~, True]\n"),
            vec![
                "1:9: invalid type: string \"yes\", expected a boolean",
                "1:14: invalid type: string \"on\", expected a boolean",
                "1:18: invalid type: string \"true\", expected a boolean",
                "1:26: invalid type: integer `1`, expected a boolean",
                "1:29: invalid type: null, expected a boolean",
            ]
        );
        let flags: BTreeMap<String, bool> = ok("a: true\nb: FALSE\nc: !!bool True\n");
        assert_eq!(
            flags.values().copied().collect::<Vec<_>>(),
            [true, false, true]
        );
    }

    #[test]
    fn number_errors_name_the_value() {
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)] // fields are only deserialized
        struct Numbers {
            a: u8,
            b: u32,
            c: i8,
            d: u64,
            e: f32,
            f: f64,
            g: u16,
            h: f64,
        }
        assert_eq!(
            errs::<Numbers>(
                "a: 300\nb: -1\nc: 1.5\nd: \"5\"\ne: 1e39\nf: abc\ng: 99999999999999999999999999999999999999999\nh: -1e400\n"
            ),
            vec![
                "1:4: integer `300` is out of range for u8",
                "2:4: integer `-1` is out of range for u32",
                "3:4: invalid type: floating point `1.5`, expected i8",
                "4:4: invalid type: string \"5\", expected u64",
                "5:4: number `1e39` is out of range for f32",
                "6:4: invalid type: string \"abc\", expected f64",
                "7:4: integer `99999999999999999999999999999999999999999` is out of range for u16",
                "8:4: number `-1e400` is out of range for f64",
            ]
        );
    }

    #[test]
    fn options_and_null() {
        #[derive(Debug, Deserialize, PartialEq)]
        struct Optional {
            a: Option<String>,
            b: Option<u32>,
            c: Option<String>,
            d: Option<String>,
            e: Option<String>,
            f: Option<Vec<u32>>,
        }
        let value: Optional = ok("a: ~\nb: NULL\nc:\ne: \"null\"\nf: [1]\n");
        assert_eq!(
            value,
            Optional {
                a: None,
                b: None,
                c: None,
                d: None,
                e: Some("null".to_owned()),
                f: Some(vec![1]),
            }
        );
        assert_eq!(
            errs::<Vec<()>>("[~, 0]\n"),
            vec!["1:5: invalid type: integer `0`, expected unit"]
        );
    }

    // --- collections and enums ------------------------------------------------------------

    #[test]
    fn nested_structs_vecs_and_maps() {
        #[derive(Debug, Deserialize, PartialEq)]
        struct Outer {
            inner: Inner,
            list: Vec<Inner>,
            table: BTreeMap<String, Vec<u32>>,
            pair: (u32, String),
        }
        #[derive(Debug, Deserialize, PartialEq)]
        struct Inner {
            x: u32,
        }
        let value: Outer = ok(concat!(
            "inner:\n  x: 1\n",
            "list:\n  - x: 2\n  - {x: 3}\n",
            "table:\n  b: [1, 2]\n  a: []\n",
            "pair: [7, seven]\n",
        ));
        assert_eq!(
            value,
            Outer {
                inner: Inner { x: 1 },
                list: vec![Inner { x: 2 }, Inner { x: 3 }],
                table: [("a".to_owned(), vec![]), ("b".to_owned(), vec![1, 2])]
                    .into_iter()
                    .collect(),
                pair: (7, "seven".to_owned()),
            }
        );
        assert_eq!(
            errs::<(u32, String)>("[1, a, b]\n"),
            vec!["1:1: invalid length 3, expected a tuple of size 2"]
        );
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "snake_case")]
    enum Shape {
        Point,
        Circle(u32),
        Pair(u32, u32),
        Rect { w: u32, h: u32 },
    }

    #[test]
    fn externally_tagged_enums() {
        let shapes: Vec<Shape> = ok(concat!(
            "- point\n",
            "- point: ~\n",
            "- circle: 3\n",
            "- pair: [1, 2]\n",
            "- rect: {w: 4, h: 5}\n",
            "- rect:\n    w: 6\n    h: 7\n",
        ));
        assert_eq!(
            shapes,
            vec![
                Shape::Point,
                Shape::Point,
                Shape::Circle(3),
                Shape::Pair(1, 2),
                Shape::Rect { w: 4, h: 5 },
                Shape::Rect { w: 6, h: 7 },
            ]
        );
    }

    #[test]
    fn enum_errors() {
        assert_eq!(
            errs::<Vec<Shape>>(concat!(
                "- {circle: 1, point: ~}\n",
                "- hexagon\n",
                "- hexagon: 3\n",
                "- circle\n",
                "- circle: big\n",
                "- rect: {w: 1}\n",
                "- [point]\n",
                "- ~\n",
                "- point: 1\n",
            )),
            vec![
                "1:3: expected a single key naming one of `point`, `circle`, `pair`, `rect`, found a mapping with 2 keys",
                "2:3: unknown variant `hexagon`, expected one of `point`, `circle`, `pair`, `rect`",
                "3:3: unknown variant `hexagon`, expected one of `point`, `circle`, `pair`, `rect`",
                "4:3: the variant `circle` needs a value (write `circle: ...`)",
                "5:11: invalid type: string \"big\", expected u32",
                "6:9: missing field `h`",
                "7:3: expected a single key naming one of `point`, `circle`, `pair`, `rect`, found a sequence",
                "8:3: expected a single key naming one of `point`, `circle`, `pair`, `rect`, found null",
                "9:10: the variant `point` takes no value, found integer `1`",
            ]
        );
    }

    #[test]
    fn untagged_enums_work_through_deserialize_any() {
        #[derive(Debug, Deserialize, PartialEq)]
        #[serde(untagged)]
        enum OneOrMany {
            One(String),
            Many(Vec<String>),
        }
        let values: BTreeMap<String, OneOrMany> = ok("a: x\nb: [y, \"z\"]\nc: '12'\n");
        assert_eq!(
            values.into_values().collect::<Vec<_>>(),
            vec![
                OneOrMany::One("x".to_owned()),
                OneOrMany::Many(vec!["y".to_owned(), "z".to_owned()]),
                OneOrMany::One("12".to_owned()),
            ]
        );
        // Errors from serde's buffered path get the position of the node. Documented
        // limitation: the buffer sees resolved types, so a plain `12` is not a string there.
        assert_eq!(
            errs::<BTreeMap<String, OneOrMany>>("a: x\nb: {c: d}\nc: 12\n"),
            vec![
                "2:4: data did not match any variant of untagged enum OneOrMany",
                "3:4: data did not match any variant of untagged enum OneOrMany",
            ]
        );
    }

    #[test]
    fn unknown_fields_without_deny_are_ignored() {
        #[derive(Debug, Deserialize, PartialEq)]
        struct Lenient {
            keep: u32,
        }
        let value: Lenient = ok("skip: {deep: [1, {x: !!str y}]}\nkeep: 1\nalso: ~\n");
        assert_eq!(value, Lenient { keep: 1 });
    }

    // --- Spanned --------------------------------------------------------------------------

    #[test]
    fn spanned_values_know_their_position() {
        #[derive(Debug, Deserialize)]
        struct WithSpans {
            name: Spanned<String>,
            count: Spanned<u32>,
            items: Vec<Spanned<String>>,
            nested: Spanned<BTreeMap<String, u32>>,
            maybe: Option<Spanned<u32>>,
        }
        let value: WithSpans = ok(concat!(
            "name: demo\n",
            "count:   42\n",
            "items:\n  - a\n  -   'b'\n",
            "nested:\n    x: 1\n",
            "maybe: 5\n",
        ));
        assert_eq!(value.name.mark, mark(1, 7));
        assert_eq!(*value.name, "demo");
        assert_eq!(value.count.mark, mark(2, 10));
        assert_eq!(value.count.into_inner(), 42);
        let item_marks: Vec<Mark> = value.items.iter().map(|item| item.mark).collect();
        assert_eq!(item_marks, [mark(4, 5), mark(5, 7)]);
        assert_eq!(value.nested.mark, mark(7, 5));
        assert_eq!(value.maybe.map(|m| m.mark), Some(mark(8, 8)));

        assert_eq!(
            errs::<BTreeMap<String, Spanned<u32>>>("a: x\n"),
            vec!["1:4: invalid type: string \"x\", expected u32"]
        );
    }

    #[test]
    fn spanned_compares_hashes_and_serializes_only_the_value() {
        let a = Spanned::new(1, mark(1, 1));
        let b = Spanned::new(1, mark(9, 9));
        assert_eq!(a, b);
        assert!(Spanned::new(0, mark(9, 9)) < a);
        let set: std::collections::HashSet<Spanned<i32>> = [a, b].into_iter().collect();
        assert_eq!(set.len(), 1);
        assert_eq!(
            schemars::schema_for!(Spanned<String>),
            schemars::schema_for!(String)
        );
        assert_eq!(
            <Spanned<Vec<u32>> as schemars::JsonSchema>::schema_name(),
            <Vec<u32> as schemars::JsonSchema>::schema_name()
        );
        // Serialization is transparent: serializing into serde's value deserializer machinery
        // is not available without extra crates, so check through a tiny serializer.
        let mut text = String::new();
        serde::Serialize::serialize(&Spanned::new("hi", mark(1, 1)), StrCollector(&mut text))
            .unwrap_or_else(|_| panic!("serialization failed"));
        assert_eq!(text, "hi");
    }

    #[test]
    fn spanned_with_another_deserializer_fails_clearly() {
        let deserializer = de::value::StrDeserializer::<de::value::Error>::new("text");
        let error = Spanned::<String>::deserialize(deserializer)
            .err()
            .map(|error| error.to_string());
        assert_eq!(
            error.as_deref(),
            Some(
                "invalid type: string \"text\", expected a value with its position (only squarely's YAML deserializer provides one)"
            )
        );
        let map: BTreeMap<String, u32> = [("a".to_owned(), 1)].into_iter().collect();
        let deserializer = de::value::MapDeserializer::<_, de::value::Error>::new(map.into_iter());
        let error = Spanned::<u32>::deserialize(deserializer)
            .err()
            .map(|error| error.to_string());
        assert_eq!(
            error.as_deref(),
            Some("`Spanned` values can only be read by squarely's YAML deserializer")
        );
    }

    /// A serializer that only accepts strings, for the transparency test above.
    struct StrCollector<'a>(&'a mut String);

    impl serde::Serializer for StrCollector<'_> {
        type Ok = ();
        type Error = de::value::Error;
        type SerializeSeq = serde::ser::Impossible<(), de::value::Error>;
        type SerializeTuple = serde::ser::Impossible<(), de::value::Error>;
        type SerializeTupleStruct = serde::ser::Impossible<(), de::value::Error>;
        type SerializeTupleVariant = serde::ser::Impossible<(), de::value::Error>;
        type SerializeMap = serde::ser::Impossible<(), de::value::Error>;
        type SerializeStruct = serde::ser::Impossible<(), de::value::Error>;
        type SerializeStructVariant = serde::ser::Impossible<(), de::value::Error>;

        fn serialize_str(self, value: &str) -> Result<(), Self::Error> {
            self.0.push_str(value);
            Ok(())
        }

        fn serialize_bool(self, _: bool) -> Result<(), Self::Error> {
            Err(serde::ser::Error::custom("only strings"))
        }
        fn serialize_i8(self, _: i8) -> Result<(), Self::Error> {
            Err(serde::ser::Error::custom("only strings"))
        }
        fn serialize_i16(self, _: i16) -> Result<(), Self::Error> {
            Err(serde::ser::Error::custom("only strings"))
        }
        fn serialize_i32(self, _: i32) -> Result<(), Self::Error> {
            Err(serde::ser::Error::custom("only strings"))
        }
        fn serialize_i64(self, _: i64) -> Result<(), Self::Error> {
            Err(serde::ser::Error::custom("only strings"))
        }
        fn serialize_u8(self, _: u8) -> Result<(), Self::Error> {
            Err(serde::ser::Error::custom("only strings"))
        }
        fn serialize_u16(self, _: u16) -> Result<(), Self::Error> {
            Err(serde::ser::Error::custom("only strings"))
        }
        fn serialize_u32(self, _: u32) -> Result<(), Self::Error> {
            Err(serde::ser::Error::custom("only strings"))
        }
        fn serialize_u64(self, _: u64) -> Result<(), Self::Error> {
            Err(serde::ser::Error::custom("only strings"))
        }
        fn serialize_f32(self, _: f32) -> Result<(), Self::Error> {
            Err(serde::ser::Error::custom("only strings"))
        }
        fn serialize_f64(self, _: f64) -> Result<(), Self::Error> {
            Err(serde::ser::Error::custom("only strings"))
        }
        fn serialize_char(self, _: char) -> Result<(), Self::Error> {
            Err(serde::ser::Error::custom("only strings"))
        }
        fn serialize_bytes(self, _: &[u8]) -> Result<(), Self::Error> {
            Err(serde::ser::Error::custom("only strings"))
        }
        fn serialize_none(self) -> Result<(), Self::Error> {
            Err(serde::ser::Error::custom("only strings"))
        }
        fn serialize_some<T: serde::Serialize + ?Sized>(self, _: &T) -> Result<(), Self::Error> {
            Err(serde::ser::Error::custom("only strings"))
        }
        fn serialize_unit(self) -> Result<(), Self::Error> {
            Err(serde::ser::Error::custom("only strings"))
        }
        fn serialize_unit_struct(self, _: &'static str) -> Result<(), Self::Error> {
            Err(serde::ser::Error::custom("only strings"))
        }
        fn serialize_unit_variant(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
        ) -> Result<(), Self::Error> {
            Err(serde::ser::Error::custom("only strings"))
        }
        fn serialize_newtype_struct<T: serde::Serialize + ?Sized>(
            self,
            _: &'static str,
            _: &T,
        ) -> Result<(), Self::Error> {
            Err(serde::ser::Error::custom("only strings"))
        }
        fn serialize_newtype_variant<T: serde::Serialize + ?Sized>(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: &T,
        ) -> Result<(), Self::Error> {
            Err(serde::ser::Error::custom("only strings"))
        }
        fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Self::Error> {
            Err(serde::ser::Error::custom("only strings"))
        }
        fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Self::Error> {
            Err(serde::ser::Error::custom("only strings"))
        }
        fn serialize_tuple_struct(
            self,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeTupleStruct, Self::Error> {
            Err(serde::ser::Error::custom("only strings"))
        }
        fn serialize_tuple_variant(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeTupleVariant, Self::Error> {
            Err(serde::ser::Error::custom("only strings"))
        }
        fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Self::Error> {
            Err(serde::ser::Error::custom("only strings"))
        }
        fn serialize_struct(
            self,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeStruct, Self::Error> {
            Err(serde::ser::Error::custom("only strings"))
        }
        fn serialize_struct_variant(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeStructVariant, Self::Error> {
            Err(serde::ser::Error::custom("only strings"))
        }
    }

    // --- error recovery -------------------------------------------------------------------

    const RULE_SET_WITH_THREE_ERRORS: &str = "\
name: demo
checks:
  - id: one
    file: README.md
    colour: red
  - id: two
    file: LICENSE
  - id: three
    file: [a, b]
  - id: four
    file: CHANGELOG.md
bogus: 1
";

    #[test]
    fn three_errors_in_a_rule_set_are_reported_together() {
        assert_eq!(
            errs::<RuleSet>(RULE_SET_WITH_THREE_ERRORS),
            vec![
                "5:5: unknown field `colour`, expected one of `id`, `file`, `required`",
                "9:11: invalid type: sequence, expected a string",
                "12:1: unknown field `bogus`, expected `name` or `checks`"
                    .replace("`name` or `checks`", "one of `name`, `checks`")
                    .as_str(),
            ]
        );
        let (value, errors) = partial::<RuleSet>(RULE_SET_WITH_THREE_ERRORS);
        assert_eq!(errors.len(), 3);
        let ids: Vec<String> = value
            .map(|rules| rules.checks.into_iter().map(|check| check.id).collect())
            .unwrap_or_default();
        assert_eq!(ids, ["one", "two", "four"]);
    }

    #[test]
    fn rule_1_unknown_keys_are_skipped() {
        let src = "x1: 1\nid: a\nx2: [nested]\nfile: f\nx3: {deep: 1}\nrequired: true\n";
        let (value, errors) = partial::<Check>(src);
        assert_eq!(
            errors,
            vec![
                "1:1: unknown field `x1`, expected one of `id`, `file`, `required`",
                "3:1: unknown field `x2`, expected one of `id`, `file`, `required`",
                "5:1: unknown field `x3`, expected one of `id`, `file`, `required`",
            ]
        );
        assert_eq!(
            value,
            Some(Check {
                id: "a".to_owned(),
                file: "f".to_owned(),
                required: true,
            })
        );
    }

    #[test]
    fn rule_1_failing_map_keys_of_other_types() {
        #[derive(Debug, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
        #[serde(rename_all = "lowercase")]
        enum Level {
            Low,
            High,
        }
        let (value, errors) = partial::<BTreeMap<u32, String>>("1: a\nx: b\n3: c\n[4]: d\n5: e\n");
        assert_eq!(
            errors,
            vec![
                "2:1: invalid type: string \"x\", expected u32",
                "4:1: invalid type: sequence, expected u32",
            ]
        );
        assert_eq!(
            value.map(|map| map.into_keys().collect::<Vec<_>>()),
            Some(vec![1, 3, 5])
        );

        let (value, errors) = partial::<BTreeMap<Level, u32>>("low: 1\nmid: 2\nhigh: 3\ntop: 4\n");
        assert_eq!(
            errors,
            vec![
                "2:1: unknown variant `mid`, expected `low` or `high`"
                    .replace("`low` or `high`", "one of `low`, `high`")
                    .as_str(),
                "4:1: unknown variant `top`, expected one of `low`, `high`",
            ]
        );
        assert_eq!(value.map(|map| map.len()), Some(2));
    }

    #[test]
    fn rule_2_failing_elements_are_skipped() {
        let src = "[1, x, 3, [4], 5, -6, 7]";
        let (value, errors) = partial::<Vec<u32>>(src);
        assert_eq!(
            errors,
            vec![
                "1:5: invalid type: string \"x\", expected u32",
                "1:11: invalid type: sequence, expected u32",
                "1:19: integer `-6` is out of range for u32",
            ]
        );
        assert_eq!(value, Some(vec![1, 3, 5, 7]));
    }

    #[test]
    fn rule_2_many_failures_in_one_sequence() {
        let src: String = (0..60)
            .map(|i| {
                let prefix = if i % 2 == 0 { "- " } else { "- x" };
                [prefix, &i.to_string(), "\n"].concat()
            })
            .collect();
        let (value, errors) = partial::<Vec<u32>>(&src);
        assert_eq!(errors.len(), 30);
        assert_eq!(
            errors.first().map(String::as_str),
            Some("2:3: invalid type: string \"x1\", expected u32")
        );
        assert_eq!(value.map(|v| v.len()), Some(30));
    }

    #[test]
    fn value_errors_are_recorded_once_and_skip_their_entry() {
        #[derive(Debug, Deserialize, PartialEq)]
        struct Outer {
            items: Vec<Middle>,
            last: u32,
        }
        #[derive(Debug, Deserialize, PartialEq)]
        struct Middle {
            inner: Inner,
        }
        #[derive(Debug, Deserialize, PartialEq)]
        struct Inner {
            value: u32,
        }
        #[derive(Debug, Deserialize, PartialEq)]
        struct Maybe {
            a: Option<u32>,
            b: u32,
        }
        let src = "items:\n  - inner: {value: 1}\n  - inner: {value: no}\n  - inner: {value: 3}\nlast: 4\n";
        let (value, errors) = partial::<Outer>(src);
        assert_eq!(
            errors,
            vec!["3:20: invalid type: string \"no\", expected u32"]
        );
        // The required `value` is gone, so `inner` and then the element are dropped, without
        // follow-up "missing field" errors.
        assert_eq!(value.map(|outer| outer.items.len()), Some(2));

        // A bad value does not hide errors after it, even at the top level.
        assert_eq!(
            errs::<Outer>("last: -1\nitems: [{inner: {value: x}}, {inner: 5}, {}]\n"),
            vec![
                "1:7: integer `-1` is out of range for u32",
                "2:25: invalid type: string \"x\", expected u32",
                "2:38: invalid type: integer `5`, expected struct Inner",
                "2:42: missing field `inner`",
            ]
        );
        // Optional fields whose value failed simply stay unset in the partial result.
        let (value, errors) = partial::<Maybe>("a: x\nb: 2\n");
        assert_eq!(
            errors,
            vec!["1:4: invalid type: string \"x\", expected u32"]
        );
        assert_eq!(value, Some(Maybe { a: None, b: 2 }));
    }

    #[test]
    fn stand_ins_keep_structs_with_a_bad_or_missing_value() {
        #[derive(Debug, Deserialize, PartialEq)]
        #[serde(deny_unknown_fields)]
        struct Top {
            name: String,
            version: Spanned<String>,
            #[serde(default)]
            checks: Vec<Scored>,
        }
        #[derive(Debug, Deserialize, PartialEq)]
        #[serde(deny_unknown_fields)]
        struct Scored {
            id: String,
            points: Spanned<f64>,
            glob: String,
            level: Level,
        }
        #[derive(Debug, Deserialize, PartialEq)]
        #[serde(rename_all = "lowercase")]
        enum Level {
            Low,
        }
        let src = concat!(
            "name: demo\n",
            "version: [1]\n",
            "checks:\n",
            "  - {id: a, points: lots, glob: x, level: low}\n",
            "  - {id: b, points: 2, level: low}\n",
            "  - {id: c, points: 3, glob: z, level: high}\n",
            "  - {id: d, points: 4, glob: w}\n",
        );
        let (value, errors) = from_str_recovering::<Top>(src);
        let errors: Vec<String> = errors.iter().map(ToString::to_string).collect();
        // Every error once, exactly as without stand-ins.
        assert_eq!(
            errors,
            vec![
                "2:10: invalid type: sequence, expected a string",
                "4:21: invalid type: string \"lots\", expected f64",
                "5:5: missing field `glob`",
                "6:40: unknown variant `high`, expected `low`",
                "7:5: missing field `level`",
            ]
        );
        assert_eq!(errs::<Top>(src), errors);
        let top = value.expect("the top level survives its bad `version`");
        assert_eq!(top.name, "demo");
        assert_eq!(top.version, Spanned::new(String::new(), mark(2, 10)));
        // A stand-in for a bad value sits at the value; for a missing field, at the mapping.
        // An enum has no neutral value: `c` and `d` are left out.
        let checks: Vec<(&str, f64, Mark, &str)> = top
            .checks
            .iter()
            .map(|c| {
                (
                    c.id.as_str(),
                    c.points.value,
                    c.points.mark,
                    c.glob.as_str(),
                )
            })
            .collect();
        assert_eq!(
            checks,
            vec![("a", 0.0, mark(4, 21), "x"), ("b", 2.0, mark(5, 21), ""),]
        );
        // A document without errors is the complete value.
        let (value, errors) = from_str_recovering::<Check>("id: a\nfile: f\n");
        assert!(errors.is_empty());
        assert_eq!(value.map(|c| c.file), Some("f".to_owned()));
    }

    #[test]
    fn missing_fields_point_at_the_mapping() {
        assert_eq!(
            errs::<RuleSet>("name: x\nchecks:\n  - id: a\n    required: true\n  - {file: b}\n"),
            vec!["3:5: missing field `file`", "5:5: missing field `id`",]
        );
        assert_eq!(errs::<Check>("{}"), vec!["1:1: missing field `id`"]);
        assert_eq!(
            errs::<RuleSet>("checks: []\n"),
            vec!["1:1: missing field `name`"]
        );
        assert_eq!(
            errs::<RuleSet>("- a\n"),
            vec!["1:1: invalid type: sequence, expected struct RuleSet"]
        );
    }

    #[test]
    fn multi_form_path_query() {
        let checks: Vec<QueryCheck> = ok(concat!(
            "- file: README*\n",
            "- file: [a, \"b\"]\n",
            "- file:\n    glob: [c]\n    ignore_case: true\n",
            "- file: {glob: []}\n",
        ));
        assert_eq!(
            checks,
            vec![
                QueryCheck {
                    file: PathQuery::One("README*".to_owned())
                },
                QueryCheck {
                    file: PathQuery::Many(vec!["a".to_owned(), "b".to_owned()])
                },
                QueryCheck {
                    file: PathQuery::Full {
                        glob: vec!["c".to_owned()],
                        ignore_case: true
                    }
                },
                QueryCheck {
                    file: PathQuery::Full {
                        glob: vec![],
                        ignore_case: false
                    }
                },
            ]
        );

        let src = concat!(
            "- file: {extra: 1, glob: [x], ignore_case: maybe}\n",
            "- file: {glob: 5}\n",
            "- file: [a, [b], c]\n",
            "- file: {glob: [y], other: 2, more: 3}\n",
            "- file: 12\n",
            "- file: ~\n",
        );
        let (value, errors) = partial::<Vec<QueryCheck>>(src);
        assert_eq!(
            errors,
            vec![
                "1:10: unknown field `extra`, expected one of `glob`, `ignore_case`",
                "1:44: invalid type: string \"maybe\", expected a boolean",
                "2:16: invalid type: integer `5`, expected a sequence",
                "3:13: invalid type: sequence, expected a string",
                "4:21: unknown field `other`, expected one of `glob`, `ignore_case`",
                "4:31: unknown field `more`, expected one of `glob`, `ignore_case`",
                "5:9: invalid type: integer `12`, expected a glob, a list of globs or a mapping with `glob`",
                "6:9: invalid type: null, expected a glob, a list of globs or a mapping with `glob`",
            ]
        );
        assert_eq!(
            value,
            Some(vec![
                QueryCheck {
                    file: PathQuery::Full {
                        glob: vec!["x".to_owned()],
                        ignore_case: false
                    }
                },
                QueryCheck {
                    file: PathQuery::Many(vec!["a".to_owned(), "c".to_owned()])
                },
                QueryCheck {
                    file: PathQuery::Full {
                        glob: vec!["y".to_owned()],
                        ignore_case: false
                    }
                },
            ])
        );
    }

    // --- loading --------------------------------------------------------------------------

    #[test]
    fn syntax_errors_are_reported_alone_with_their_position() {
        // Other problems (duplicate key, unknown field) are not reported next to a syntax error.
        assert_eq!(
            errs::<RuleSet>("name: x\nname: y\nbogus: 1\nchecks: [a\n"),
            vec!["5:1: invalid YAML: while parsing a flow sequence, expected ',' or ']'"]
        );
        let errors = errs::<BTreeMap<String, u32>>("a: 1\n b: 2\n");
        assert_eq!(
            errors,
            vec!["2:3: invalid YAML: mapping values are not allowed in this context"]
        );
        let errors = errs::<BTreeMap<String, String>>("a: x\nb: @y\n");
        assert_eq!(errors, vec!["2:4: invalid YAML: unexpected character: `@'"]);
        let errors = errs::<Vec<u32>>("[1, 2\n");
        assert_eq!(errors.len(), 1);
    }

    #[test]
    fn empty_documents() {
        for src in ["", "\n\n", "# just a comment\n", "---\n", "--- \n...\n"] {
            assert_eq!(errs::<RuleSet>(src), vec!["the file is empty"], "{src:?}");
        }
        assert_eq!(
            errs::<RuleSet>("~\n"),
            vec!["1:1: invalid type: null, expected struct RuleSet"]
        );
    }

    #[test]
    fn several_documents() {
        assert_eq!(
            errs::<BTreeMap<String, u32>>("a: 1\n---\nb: 2\n"),
            vec!["2:1: expected one YAML document, found several"]
        );
        assert_eq!(
            errs::<BTreeMap<String, u32>>("---\na: 1\n...\n---\nb: 2\n"),
            vec!["4:1: expected one YAML document, found several"]
        );
    }

    #[test]
    fn duplicate_keys() {
        assert_eq!(
            errs::<BTreeMap<String, u32>>("a: 1\nb: 2\n'a': 3\nc: 4\nb: x\n"),
            vec![
                "3:1: duplicate key `a` (first defined at line 1)",
                "5:1: duplicate key `b` (first defined at line 2)",
            ]
        );
        // Reported together with deserialization errors.
        assert_eq!(
            errs::<RuleSet>("name: x\nname: y\nchecks: [{id: 1, file: f, id: 2, extra: 0}]\n"),
            vec![
                "2:1: duplicate key `name` (first defined at line 1)",
                "3:27: duplicate key `id` (first defined at line 3)",
                "3:34: unknown field `extra`, expected one of `id`, `file`, `required`",
            ]
        );
    }

    #[test]
    fn tags() {
        #[derive(Debug, Deserialize, PartialEq)]
        struct Tagged {
            s: String,
            n: u32,
            f: f64,
            l: Vec<u32>,
            m: BTreeMap<String, u32>,
            o: Option<u32>,
        }
        assert_eq!(
            errs::<Vec<String>>("- !foo x\n- !<tag:example.com,2000:x> y\n- ! z\n- !!binary w\n"),
            vec![
                "1:8: YAML tags are not supported (found `!foo`)",
                "2:29: YAML tags are not supported (found `tag:example.com,2000:x`)",
                "3:5: YAML tags are not supported (found `!`)",
                "4:12: YAML tags are not supported (found `!!binary`)",
            ]
        );
        assert_eq!(
            errs::<BTreeMap<String, Vec<u32>>>("a: !custom [1]\n"),
            vec!["1:12: YAML tags are not supported (found `!custom`)"]
        );
        let value: Tagged =
            ok("s: !!str 12\nn: !!int 7\nf: !!float 1\nl: !!seq [1]\nm: !!map {a: 1}\no: !!null\n");
        assert_eq!(value.s, "12");
        assert_eq!(value.n, 7);
        assert_eq!(value.o, None);
        assert_eq!(
            errs::<BTreeMap<String, u32>>("a: !!int x\nb: !!seq 1\nc: !!map [1]\n"),
            vec![
                // A node with a bad tag is still used as if it were untagged.
                "1:10: `x` is not a valid `!!int`",
                "1:10: invalid type: string \"x\", expected u32",
                "2:10: the tag `!!seq` cannot be used on a scalar",
                "3:10: invalid type: sequence, expected u32",
                "3:10: the tag `!!map` cannot be used on a sequence",
            ]
        );
    }

    #[test]
    fn aliases_are_expanded() {
        #[derive(Debug, Deserialize, PartialEq)]
        struct Defaults {
            base: Vec<String>,
            copy: Vec<String>,
            name: String,
            again: String,
        }
        let value: Defaults = ok("base: &b [x, y]\ncopy: *b\nname: &n joe\nagain: *n\n");
        assert_eq!(value.copy, ["x", "y"]);
        assert_eq!(value.again, "joe");
        // Errors in an alias point at the alias.
        assert_eq!(
            errs::<BTreeMap<String, u32>>("a: &v 1\nb: *v\nc: &s x\nd: *s\n"),
            vec![
                "3:7: invalid type: string \"x\", expected u32",
                "4:4: invalid type: string \"x\", expected u32",
            ]
        );
        assert_eq!(
            errs::<Vec<u32>>("&a [1, *a]\n"),
            vec![
                "1:8: this alias refers to an anchor that is not complete yet (recursive aliases are not supported)"
            ]
        );
    }

    #[test]
    fn billion_laughs_is_capped() {
        let mut src = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for level in 1..10 {
            let previous = format!("*a{}", level - 1);
            let list = [previous.as_str(); 9].join(", ");
            src.push_str(&["a", &level.to_string(), ": &a", &level.to_string()].concat());
            src.push_str(&[" [", &list, "]\n"].concat());
        }
        let errors = errs::<de::IgnoredAny>(&src);
        assert_eq!(errors.len(), 1);
        assert!(
            errors.iter().all(
                |error| error.ends_with("aliases expand to too many nodes (more than 1000000)")
            ),
            "{errors:?}"
        );
    }

    #[test]
    fn deep_nesting_is_capped() {
        #[derive(Debug, Deserialize)]
        struct Nest {
            a: Option<Box<Nest>>,
        }
        fn nested(depth: usize) -> String {
            (0..depth)
                .map(|level| [" ".repeat(level).as_str(), "a:\n"].concat())
                .collect()
        }
        fn depth(nest: &Nest) -> usize {
            let mut depth = 0;
            let mut current = nest.a.as_deref();
            while let Some(next) = current {
                depth += 1;
                current = next.a.as_deref();
            }
            depth
        }
        let value: Nest = ok(&nested(MAX_DEPTH));
        assert_eq!(depth(&value), MAX_DEPTH - 1);
        assert_eq!(
            errs::<Nest>(&nested(MAX_DEPTH + 1)),
            vec!["257:257: the document is nested too deeply (more than 256 levels)"]
        );
        let flow = format!("{}{}", "[".repeat(300), "]".repeat(300));
        assert_eq!(errs::<de::IgnoredAny>(&flow).len(), 1);
        // Aliases cannot be used to nest deeper either.
        let src = format!(
            "a: &x {}\nb: [[[*x]]]\n",
            nested(MAX_DEPTH - 2).replace('\n', "\n  ")
        );
        assert_eq!(errs::<de::IgnoredAny>(&src).len(), 1);
    }

    #[test]
    fn columns_count_characters() {
        assert_eq!(
            errs::<BTreeMap<String, Vec<u32>>>("ü: [é, 1, ñ]\n\"日本\": [2, 語]\n"),
            vec![
                "1:5: invalid type: string \"é\", expected u32",
                "1:11: invalid type: string \"ñ\", expected u32",
                "2:11: invalid type: string \"語\", expected u32",
            ]
        );
        let value: BTreeMap<String, Spanned<String>> = ok("名前: 値\n");
        assert_eq!(value.get("名前").map(|v| v.mark), Some(mark(1, 5)));
    }

    #[test]
    fn error_display() {
        let with = YamlError::new(Some(mark(3, 7)), "bad");
        let without = YamlError::new(None, "the file is empty");
        assert_eq!(with.to_string(), "3:7: bad");
        assert_eq!(without.to_string(), "the file is empty");
        assert_eq!(mark(1, 2).to_string(), "1:2");
    }

    // --- robustness -----------------------------------------------------------------------

    /// A small deterministic pseudo-random generator (64-bit LCG).
    struct Lcg(u64);

    impl Lcg {
        fn next(&mut self) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            self.0 >> 33
        }

        fn below(&mut self, bound: usize) -> usize {
            usize::try_from(self.next()).unwrap_or(0) % bound.max(1)
        }
    }

    const PIECES: &[&str] = &[
        "a",
        "b",
        "id",
        "file",
        "1",
        "-1",
        "0x",
        "1.5",
        "~",
        "true",
        "yes",
        ":",
        ": ",
        "- ",
        "-",
        "\n",
        "\n  ",
        "\n    ",
        " ",
        "\t",
        "{",
        "}",
        "[",
        "]",
        ",",
        "&x ",
        "*x",
        "&y",
        "*y",
        "!foo ",
        "!!str ",
        "!!int ",
        "|",
        ">",
        "'",
        "\"",
        "\\",
        "#",
        "%YAML 1.2",
        "---",
        "...",
        "?",
        "@",
        "`",
        "é",
        "日",
        "\u{feff}",
        "\r",
        "\0",
        "name",
        "checks",
        "<<",
        "!",
        "%",
    ];

    #[test]
    fn never_panics_on_arbitrary_input() {
        let mut rng = Lcg(0x5EED);
        for _ in 0..600 {
            let len = rng.below(40);
            let src: String = (0..len)
                .map(|_| PIECES.get(rng.below(PIECES.len())).copied().unwrap_or(""))
                .collect();
            let _ = from_str::<de::IgnoredAny>(&src);
            let _ = from_str::<RuleSet>(&src);
            let _ = from_str::<BTreeMap<String, Seen>>(&src);
            let _ = from_str::<Vec<QueryCheck>>(&src);
            let _ = from_str::<Spanned<Vec<Shape>>>(&src);
        }
    }

    #[test]
    fn errors_are_sorted_and_unique() {
        let (_, errors) =
            deserialize_document::<Vec<u32>>("[a, b, *x]\n", RUN_BUDGET, StandIns::No);
        assert_eq!(errors.len(), 1);
        let (_, errors) = deserialize_document::<Vec<Vec<u32>>>(
            "- &l [x, 1]\n- *l\n- *l\n",
            RUN_BUDGET,
            StandIns::No,
        );
        // Alias copies keep the anchored node's inner positions: one error, reported once.
        assert_eq!(
            errors.iter().map(ToString::to_string).collect::<Vec<_>>(),
            vec!["1:7: invalid type: string \"x\", expected u32"]
        );
        let mut sorted = errors.clone();
        sorted.sort_by_key(|error| error.mark);
        assert_eq!(errors, sorted);
    }

    #[test]
    fn flatten_and_internally_tagged_enums_work_through_deserialize_any() {
        #[derive(Debug, Deserialize, PartialEq)]
        struct Base {
            id: String,
        }
        #[derive(Debug, Deserialize, PartialEq)]
        struct Extended {
            #[serde(flatten)]
            base: Base,
            extra: u32,
        }
        #[derive(Debug, Deserialize, PartialEq)]
        #[serde(tag = "type", rename_all = "lowercase")]
        enum Tagged {
            File { path: String },
            Dir { depth: u32 },
        }
        let value: Extended = ok("id: a\nextra: 1\n");
        assert_eq!(
            value,
            Extended {
                base: Base { id: "a".to_owned() },
                extra: 1
            }
        );
        let value: Vec<Tagged> = ok("- {type: file, path: x}\n- type: dir\n  depth: 2\n");
        assert_eq!(
            value,
            vec![
                Tagged::File {
                    path: "x".to_owned()
                },
                Tagged::Dir { depth: 2 }
            ]
        );
        // Errors from the buffered path point at the enclosing mapping.
        assert_eq!(
            errs::<Vec<Tagged>>("- {type: file}\n- {type: dir, depth: x}\n"),
            vec![
                "1:3: missing field `path`",
                "2:3: invalid type: string \"x\", expected u32",
            ]
        );
    }

    #[test]
    fn value_errors_do_not_teach_key_names() {
        #[derive(Debug, Deserialize, PartialEq)]
        struct Item {
            shape: Shape,
            name: String,
        }
        // An unknown variant in a *value* must not make `name` look like an unknown key.
        let (value, errors) =
            partial::<Vec<Item>>("- {shape: hexagon, name: a}\n- {name: b, shape: point}\n");
        assert_eq!(
            errors,
            vec![
                "1:11: unknown variant `hexagon`, expected one of `point`, `circle`, `pair`, `rect`"
            ]
        );
        assert_eq!(
            value,
            Some(vec![Item {
                shape: Shape::Point,
                name: "b".to_owned()
            }])
        );
    }

    #[test]
    fn running_out_of_reruns_is_reported() {
        let src = "[a, b, c, d, e, f, g, h, i, j]\n";
        let (_, errors) = deserialize_document::<Vec<u32>>(src, 0, StandIns::No);
        let rendered: Vec<String> = errors.iter().map(ToString::to_string).collect();
        // With the minimum number of runs, three failures are memorised and a fourth stops
        // the last run.
        assert_eq!(
            rendered,
            vec![
                "too many errors: some further errors may not be reported",
                "1:2: invalid type: string \"a\", expected u32",
                "1:5: invalid type: string \"b\", expected u32",
                "1:8: invalid type: string \"c\", expected u32",
                "1:11: invalid type: string \"d\", expected u32",
            ]
        );
        // With the normal budget, all of them are found.
        assert_eq!(errs::<Vec<u32>>(src).len(), 10);
    }
}
