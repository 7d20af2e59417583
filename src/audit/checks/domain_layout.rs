//! `domain_layout`: every domain module holds the files its standard expects.
//!
//! Scores `points × present / expected` over every (domain, expected entry) pair, with a
//! finding naming each missing entry in each domain.

use crate::report::model::Finding;
use crate::standard::{Check, DomainLayout};

use super::super::context::Context;
use super::Scored;

/// Score the layout of the domain modules.
pub fn score(ctx: &Context, check: &Check, layout: &DomainLayout) -> Scored {
    if ctx.domains.is_empty() {
        let finding = Finding::new("no domain module found")
            .fix(check.fix.clone())
            .gain(check.points);
        return if layout.empty_is_na {
            Scored {
                score: check.points,
                summary: "no domain module".to_owned(),
                not_applicable: Some("there is no domain module to inspect".to_owned()),
                ..Scored::default()
            }
        } else {
            Scored {
                score: 0.0,
                summary: "no domain module".to_owned(),
                findings: vec![finding],
                ..Scored::default()
            }
        };
    }
    let expected = ctx.domains.len() * (layout.expect.len() + layout.mirror_in.len());
    let share = check.points / expected as f64;
    let mut present = 0usize;
    let mut findings = Vec::new();
    for domain in &ctx.domains {
        let children: Vec<&str> = ctx
            .tree
            .children(domain)
            .map(|i| ctx.tree.entry(i).name())
            .collect();
        for (names, label) in &layout.expect {
            if children.iter().any(|child| names.is_match(child)) {
                present += 1;
            } else {
                findings.push(
                    Finding::new(format!("`{domain}/` has no {label} ({})", names.describe()))
                        .at(domain.clone())
                        .fix(format!("Add {label} to {domain}/. {}", check.fix))
                        .gain(share),
                );
            }
        }
        let name = domain.rsplit('/').next().unwrap_or(domain);
        for dir in &layout.mirror_in {
            let mirror = ctx.in_service(&format!("{dir}/{name}"));
            if ctx.tree.is_dir(&mirror) {
                present += 1;
            } else {
                findings.push(
                    Finding::new(format!("`{domain}/` has no mirror `{mirror}/`"))
                        .at(mirror.clone())
                        .fix(format!(
                            "Add {mirror}/ for the tests of {domain}/. {}",
                            check.fix
                        ))
                        .gain(share),
                );
            }
        }
    }
    Scored {
        score: check.points * present as f64 / expected as f64,
        summary: format!(
            "{present} of {expected} expected entries across {} domain module{}",
            ctx.domains.len(),
            if ctx.domains.len() == 1 { "" } else { "s" }
        ),
        findings,
        ..Scored::default()
    }
}
