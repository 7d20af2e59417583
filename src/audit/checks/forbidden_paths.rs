//! `forbidden_paths`: entries that must not exist, each costing points.
//!
//! Suits rules like "no feature code outside backend/src" or "file names are `snake_case"`:
//! every offending entry is a finding naming its path.

use crate::report::model::Finding;
use crate::standard::{Check, EntryFilter, ForbiddenPaths};

use super::super::condition::query_matches;
use super::super::context::Context;
use super::Scored;

/// Score a forbidden-paths check.
pub fn score(ctx: &Context, check: &Check, forbidden: &ForbiddenPaths) -> Scored {
    let mut findings = Vec::new();
    let mut left = check.points;
    for pattern in &forbidden.patterns {
        for index in query_matches(ctx, &pattern.path, EntryFilter::Any) {
            let path = ctx.tree.entry(index).path.clone();
            let gain = forbidden.deduct.min(left.max(0.0));
            left -= forbidden.deduct;
            findings.push(
                Finding::new(format!("`{path}` is {}", pattern.label))
                    .at(path)
                    .fix(pattern.fix.clone())
                    .gain(gain)
                    .rule(pattern.id.clone()),
            );
        }
    }
    let count = findings.len();
    Scored {
        score: (check.points - forbidden.deduct * count as f64).max(0.0),
        summary: if count == 0 {
            "no forbidden entries".to_owned()
        } else {
            format!(
                "{count} forbidden entr{}",
                if count == 1 { "y" } else { "ies" }
            )
        },
        findings,
        ..Scored::default()
    }
}
