//! `tiers`: the first tier whose condition holds sets the score.
//!
//! Suits checklist items judged on a ladder ("a dedicated guide 5, a README section 3,
//! only manifests 2"). When the top tier is missed, one finding names what was found, what
//! the top tier expects, and the fix; placeholders met on the way get findings of their own.

use crate::report::model::Finding;
use crate::standard::{Check, Tier};

use super::super::condition::evaluate;
use super::super::context::Context;
use super::{Scored, placeholder_findings, points};

/// Score a tiered check.
pub fn score(ctx: &Context, check: &Check, tiers: &[Tier]) -> Scored {
    let mut placeholders = Vec::new();
    let best = tiers.first().map_or("", |t| t.label.as_str());
    for tier in tiers {
        let outcome = evaluate(ctx, &tier.when);
        placeholders.extend(outcome.placeholders.iter().cloned());
        if !outcome.holds {
            continue;
        }
        let mut scored = Scored {
            score: tier.points,
            summary: match outcome.first_path() {
                Some(path) => format!("{} ({path})", tier.label),
                None => tier.label.clone(),
            },
            ..Scored::default()
        };
        if tier.points < check.points {
            let mut finding = Finding::new(format!(
                "found {} ({} of {} points); full points need {best}",
                tier.label,
                points(tier.points),
                points(check.points)
            ))
            .fix(check.fix.clone())
            .gain(check.points - tier.points);
            if let Some(hit) = outcome.hits.first() {
                finding = finding.example_at(hit.path.clone());
                if let Some(line) = hit.line {
                    finding = finding.line(line, None);
                }
            }
            scored.findings.push(finding);
            scored
                .findings
                .extend(placeholder_findings(&placeholders, &check.fix));
        }
        return scored;
    }
    let mut findings = vec![
        Finding::new(format!("none found: full points need {best}"))
            .fix(check.fix.clone())
            .gain(check.points),
    ];
    findings.extend(placeholder_findings(&placeholders, &check.fix));
    Scored {
        score: 0.0,
        summary: "nothing found".to_owned(),
        findings,
        ..Scored::default()
    }
}
