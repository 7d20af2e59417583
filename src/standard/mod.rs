//! Rule sets: the YAML format, the built-in standards, loading with `extends`, and
//! validation into the checked [`Standard`] model.
//!
//! The flow is parse -> merge -> validate -> use. [`yaml`] turns text into raw types with
//! every error located; `loader` resolves `extends` and merges the files; `validate`
//! compiles patterns and checks references, collecting every mistake of every file before
//! reporting. Only this module knows the raw types and the YAML libraries.

mod loader;
mod model;
mod pattern;
pub mod raw;
mod suggest;
pub mod summary;
mod validate;
pub mod yaml;

use std::fmt;

pub use loader::{
    BUILTIN_IDS, DEFAULT_STANDARD, MAX_RULE_SET_BYTES, builtin_source, load, load_str, load_within,
    schema_json,
};
pub use model::*;
pub use pattern::{NamePattern, PathGlob, name_segments, split_name};
pub use suggest::closest;
pub use yaml::Mark;

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The rule set cannot be used.
    Error,
    /// The rule set works but probably not as meant.
    Warning,
}

/// One located problem in a rule set.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    /// The file (a path, or `<built-in ID>`).
    pub file: String,
    /// Line and column, when known.
    pub mark: Option<Mark>,
    /// Error or warning.
    pub severity: Severity,
    /// What is wrong and, where possible, how to fix it.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(mark) = self.mark {
            write!(f, ":{}:{}", mark.line, mark.column)?;
        }
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, ": {level}: {}", self.message)
    }
}

/// Why a rule set could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum StandardError {
    /// Neither a built-in id nor an existing file.
    #[error("unknown standard `{spec}`: not a built-in ({}) and no such file", known.join(", "))]
    Unknown {
        /// What was asked for.
        spec: String,
        /// Built-in ids.
        known: Vec<String>,
    },
    /// The file could not be read.
    #[error("{path}: cannot read rule set: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The rule set has errors (all of them, located).
    #[error("{}", invalid_summary(diagnostics))]
    Invalid {
        /// Every error and warning found.
        diagnostics: Vec<Diagnostic>,
    },
}

fn invalid_summary(diagnostics: &[Diagnostic]) -> String {
    let errors: Vec<&Diagnostic> = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    match errors.as_slice() {
        [] => "invalid rule set".to_owned(),
        [one] => one.to_string(),
        [first, ..] => format!(
            "{} (and {} more error{} in the rule set)",
            first,
            errors.len() - 1,
            if errors.len() == 2 { "" } else { "s" }
        ),
    }
}

/// A loaded rule set and the warnings its validation raised.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The validated rule set.
    pub standard: Standard,
    /// Warnings (never errors: those make loading fail).
    pub warnings: Vec<Diagnostic>,
}
