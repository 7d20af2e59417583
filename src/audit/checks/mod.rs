//! The check kinds, one file each, and the table that dispatches to them.
//!
//! A check kind turns a rule set's scoring description into points and findings. Each is
//! pure over the [`Context`]: it reads the in-memory tree and never the disk.

mod contracts;
mod domain_layout;
mod forbidden_paths;
mod items;
mod root_entries;
mod tiers;

use crate::report::model::Finding;
use crate::standard::{Check, Scoring};

use super::context::Context;

/// What a check kind concluded.
#[derive(Debug, Clone, Default)]
pub struct Scored {
    /// Points earned, between 0 and the check's points.
    pub score: f64,
    /// One line on what was found.
    pub summary: String,
    /// Causes of lost points.
    pub findings: Vec<Finding>,
    /// Waived violations.
    pub waived: Vec<Finding>,
    /// The check turned out not to apply (with why).
    pub not_applicable: Option<String>,
}

/// Score one check with its kind.
pub fn score(ctx: &Context, check: &Check) -> Scored {
    let mut scored = match &check.scoring {
        Scoring::Tiers(tiers) => tiers::score(ctx, check, tiers),
        Scoring::Items(items) => items::score(ctx, check, items),
        Scoring::RootEntries(root) => root_entries::score(ctx, check, root),
        Scoring::Contracts(scoring) => contracts::score(ctx, check, scoring),
        Scoring::DomainLayout(layout) => domain_layout::score(ctx, check, layout),
        Scoring::ForbiddenPaths(forbidden) => forbidden_paths::score(ctx, check, forbidden),
    };
    scored.score = scored.score.clamp(0.0, check.points);
    scored
}

/// Placeholder findings: files that matched but earn nothing.
fn placeholder_findings(placeholders: &[(String, String)], fix: &str) -> Vec<Finding> {
    let mut seen = std::collections::BTreeSet::new();
    placeholders
        .iter()
        .filter(|(path, _)| seen.insert(path.clone()))
        .map(|(path, why)| {
            Finding::new(format!(
                "`{path}` is a placeholder ({why}) and earns nothing"
            ))
            .at(path.clone())
            .fix(format!("Write real content in {path}. {fix}"))
        })
        .collect()
}

/// `5` -> `5`, `3.333` -> `3.33`.
fn points(value: f64) -> String {
    let rounded = crate::report::model::round2(value);
    if (rounded - rounded.round()).abs() < 1e-9 {
        format!("{rounded:.0}")
    } else {
        format!("{rounded:.2}").trim_end_matches('0').to_owned()
    }
}
