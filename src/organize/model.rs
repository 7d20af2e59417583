//! The vocabulary of an organize plan, shared by the planner, the import rewriter and the
//! report.

use serde::Serialize;

/// A file the plan moves. Paths are relative to the repository root, `/`-separated, and name
/// files (a moved folder is one `Move` per file below it).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Move {
    /// Where the file is now.
    pub from: String,
    /// Where it goes.
    pub to: String,
}

/// One import the rewriter changed, for the plan's diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportChange {
    /// 1-based line in the file before the change.
    pub line: u32,
    /// The import text before.
    pub before: String,
    /// The import text after.
    pub after: String,
}

/// A file whose text changes because files moved: only import text differs between `before`
/// and `after`; every other byte is kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TextEdit {
    /// The file's path after the moves.
    pub path: String,
    /// Its path before the moves (the same when the file itself does not move).
    pub original_path: String,
    /// The whole text before.
    pub before: String,
    /// The whole text after.
    pub after: String,
    /// Each import changed, in source order.
    pub changes: Vec<ImportChange>,
}

/// A reference the rewriter cannot follow (dynamic imports with computed names, string paths
/// to files, `include!`...): it is shown in the plan, never silently broken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unresolved {
    /// The file holding the reference, as it is before the moves.
    pub path: String,
    /// 1-based line.
    pub line: u32,
    /// The reference as written.
    pub text: String,
    /// Why it cannot be rewritten, and what to check by hand.
    pub why: String,
}

/// What the rewriter produces for a set of moves.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Rewrites {
    /// Edited files (moved or not), in path order.
    pub edits: Vec<TextEdit>,
    /// New files the moves need to keep code working: a Rust `mod.rs` declaring the modules
    /// of a new folder, a Python `__init__.py` for a new package. `(path, contents)`.
    pub created: Vec<(String, String)>,
    /// References that cannot be rewritten.
    pub unresolved: Vec<Unresolved>,
}
