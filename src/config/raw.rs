//! `.squarely.yaml` as written: raw serde types, strictly parsed (unknown keys are errors),
//! every value kept with its position so that validation can point at it.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::standard::yaml::Spanned;

/// The whole file. Every key is optional; a key without a value (`waivers:` above commented
/// examples) is the same as an empty one.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawConfig {
    /// Built-in ids or rule-set files (relative to the file), used without `--standard`.
    #[serde(default)]
    pub standards: Option<Vec<Spanned<String>>>,
    /// The gate's threshold (0-100), used without `--min-score`.
    #[serde(default)]
    pub min_score: Option<Spanned<f64>>,
    /// Category id -> minimum points.
    #[serde(default)]
    pub floors: Option<BTreeMap<Spanned<String>, Spanned<f64>>>,
    /// Globs of paths left out of the audit, relative to the repository root.
    #[serde(default)]
    pub ignore: Option<Vec<Spanned<String>>>,
    /// Checks and findings waived, each with a reason.
    #[serde(default)]
    pub waivers: Option<Vec<RawWaiver>>,
    /// A baseline file (relative to the file), used without `--baseline`.
    #[serde(default)]
    pub baseline: Option<Spanned<String>>,
    /// Score every backend project (`--workspace`).
    #[serde(default)]
    pub workspace: Option<Spanned<bool>>,
}

/// One waiver.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWaiver {
    /// The check id.
    pub check: Spanned<String>,
    /// Why (required, not empty).
    pub reason: Spanned<String>,
    /// The last day it counts, `YYYY-MM-DD`.
    #[serde(default)]
    pub expires: Option<Spanned<String>>,
    /// Only the findings at this path glob (relative to the repository root).
    #[serde(default)]
    pub path: Option<Spanned<String>>,
    /// Only the findings on this line (with `path`).
    #[serde(default)]
    pub line: Option<Spanned<u32>>,
}
