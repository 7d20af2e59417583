//! `items`: a list of expected things, each worth a share of the check.
//!
//! Suits checklist items that name several things ("README, CLAUDE, CONTRIBUTING,
//! CHANGELOG, LICENSE, SECURITY"). Items may apply only to some stacks (a Rust linter
//! config only for Rust), and may earn partial credit for a stand-in (`HISTORY` instead of
//! `CHANGELOG`). Without explicit points, the check's points are shared among the items
//! that apply.

use crate::report::model::Finding;
use crate::standard::{Check, Item, Scope};

use super::super::condition::evaluate;
use super::super::context::Context;
use super::{Scored, placeholder_findings, points};

/// Score an itemised check.
pub fn score(ctx: &Context, check: &Check, items: &[Item]) -> Scored {
    let applicable: Vec<&Item> = items
        .iter()
        .filter(|item| item.applies.as_ref().is_none_or(|c| evaluate(ctx, c).holds))
        .collect();
    if applicable.is_empty() {
        return Scored {
            score: check.points,
            summary: "no item applies to this repository".to_owned(),
            not_applicable: Some("none of its items applies to the detected stack".to_owned()),
            ..Scored::default()
        };
    }
    let explicit = applicable.iter().all(|item| item.points.is_some());
    let share = |item: &Item| {
        if explicit {
            item.points.unwrap_or(0.0)
        } else {
            check.points / applicable.len() as f64
        }
    };
    let mut earned = 0.0;
    let mut present = Vec::new();
    let mut findings = Vec::new();
    for item in &applicable {
        let full = evaluate(ctx, &item.when);
        if full.holds {
            earned += share(item);
            present.push(item.label.as_str());
            continue;
        }
        let mut placeholders = full.placeholders;
        let partial = item.partial.as_ref().map(|(credit, label, when)| {
            let outcome = evaluate(ctx, when);
            placeholders.extend(outcome.placeholders.iter().cloned());
            (credit, label, outcome)
        });
        // Where it belongs: from the service root unless the item is looked for at the
        // repository root only (the six documents) or only exists there, so that a monorepo's findings name
        // `services/billing/src/shared/config/`, not a folder at the top.
        let where_ = item.path.as_ref().map(|path| {
            let mut queries = Vec::new();
            item.when.path_queries(&mut queries);
            let service = ctx.in_service(path);
            match queries.first().map(|q| q.scope) {
                Some(Scope::Repo) => path.clone(),
                Some(Scope::Service) => service,
                // In the source roots: under the first one when it is a folder of its own
                // (`src/dispatch/shared/config/` rather than `src/shared/config/`).
                Some(Scope::Source) => match ctx.home_root() {
                    Some(home) if home != ctx.service_root => {
                        let rest = path.strip_prefix("src/").unwrap_or(path);
                        format!("{home}/{rest}")
                    }
                    _ => service,
                },
                // Looked for at either root (or by content, like .gitignore patterns): the
                // service's file if it has one, else the repository's (a root .gitignore
                // that lacks a pattern), else the service's.
                _ if ctx.tree.find(&service).is_none() && ctx.tree.find(path).is_some() => {
                    path.clone()
                }
                _ => service,
            }
        });
        match partial {
            Some((credit, label, outcome)) if outcome.holds => {
                let gained = share(item) * credit;
                earned += gained;
                let found = outcome.first_path().unwrap_or_default().to_owned();
                findings.push(
                    Finding::new(format!(
                        "{}: found only {label} (`{found}`), worth {} of {}",
                        item.label,
                        points(gained),
                        points(share(item))
                    ))
                    .example_at(found)
                    .fix(item.fix.clone())
                    .gain(share(item) - gained),
                );
            }
            _ => {
                let placeholder_paths: Vec<&str> =
                    placeholders.iter().map(|(p, _)| p.as_str()).collect();
                if placeholder_paths.is_empty() {
                    let mut finding = Finding::new(format!("missing {}", item.label))
                        .fix(item.fix.clone())
                        .gain(share(item));
                    if let Some(path) = &where_ {
                        finding = finding.at(path.clone());
                    }
                    findings.push(finding);
                } else {
                    for mut finding in placeholder_findings(&placeholders, &item.fix) {
                        finding.message = format!("{}: {}", item.label, finding.message);
                        findings.push(finding.gain(share(item)));
                    }
                }
            }
        }
    }
    let summary = if present.len() == applicable.len() {
        format!("all {} present", applicable.len())
    } else {
        format!(
            "{} of {} present{}",
            present.len(),
            applicable.len(),
            if present.is_empty() {
                String::new()
            } else {
                format!(" ({})", present.join(", "))
            }
        )
    };
    Scored {
        score: earned,
        summary,
        findings,
        ..Scored::default()
    }
}
