//! `root_entries`: the root folder holds few entries, and only ones that belong there.
//!
//! Full points up to the limit, a step scale above it, and a deduction for each root item
//! of a kind that does not belong (source code, tests, exports, artifacts...). Only what
//! git would track counts: an ignored `target/` is not in the tree at all.

use crate::report::model::Finding;
use crate::standard::{Check, RootEntries};

use super::super::context::Context;
use super::{Scored, points};

/// Score the root folder.
pub fn score(ctx: &Context, check: &Check, rules: &RootEntries) -> Scored {
    let entries: Vec<usize> = ctx.tree.children("").collect();
    let count = u32::try_from(entries.len()).unwrap_or(u32::MAX);
    let base = if count <= rules.limit {
        check.points
    } else {
        rules
            .steps
            .iter()
            .find(|(max, _)| count <= *max)
            .map_or(0.0, |(_, p)| *p)
    };
    let mut findings = Vec::new();
    if count > rules.limit {
        findings.push(
            Finding::new(format!(
                "{count} entries at the root, more than {} ({} of {} points before deductions)",
                rules.limit,
                points(base),
                points(check.points)
            ))
            .fix(format!(
                "Bring the root down to {} entries or fewer: group configuration under config/ or the tool's own folder, and move the rest as below.",
                rules.limit
            ))
            .gain(check.points - base),
        );
    }
    let mut misplaced = 0.0;
    for index in entries {
        let entry = ctx.tree.entry(index);
        let name = entry.name();
        if rules.allowed.is_match(name) {
            continue;
        }
        let Some(kind) = rules.misplaced.iter().find(|m| m.names.is_match(name)) else {
            continue;
        };
        misplaced += 1.0;
        let shown = if entry.is_dir() {
            format!("{name}/")
        } else {
            name.to_owned()
        };
        findings.push(
            Finding::new(format!("`{shown}` at the root is {}", kind.label))
                .at(entry.path.clone())
                .fix(capitalize(&kind.fix))
                .gain(rules.deduct)
                .rule(kind.id.clone()),
        );
    }
    // A deduction only gains what the floor lets it.
    let score = (base - misplaced * rules.deduct).max(0.0);
    if misplaced * rules.deduct > base {
        let spare = base;
        let mut left = spare;
        for finding in findings.iter_mut().filter(|f| f.rule.is_some()) {
            let gain = rules.deduct.min(left);
            left -= gain;
            finding.gain = Some(gain);
        }
    }
    let summary = format!(
        "{count} root entr{}{}",
        if count == 1 { "y" } else { "ies" },
        if misplaced > 0.0 {
            format!(", {misplaced} that do not belong")
        } else {
            String::new()
        }
    );
    Scored {
        score,
        summary,
        findings,
        ..Scored::default()
    }
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
