//! `contracts`: layer contracts hold in the source.
//!
//! With a ratio layer (the interface layer for `src.separation`): `points × clean files /
//! files` of that layer, minus `penalty` per violation elsewhere. Without one: `points`
//! minus `penalty` per violation. Every violation is a finding with path, line and column;
//! waived violations are listed apart; a waiver without a reason, or naming an id the standard
//! does not have, is a finding of its own (it costs nothing: the violation it meant to waive
//! does).

use std::collections::BTreeSet;

use crate::report::model::Finding;
use crate::standard::{Check, ContractScope, ContractScoring};

use super::super::context::Context;
use super::super::contracts::{self, Violation};
use super::Scored;

fn finding(ctx: &Context, violation: &Violation) -> Finding {
    let contract = &ctx.standard.contracts[violation.contract];
    let path = ctx.tree.entry(violation.file).path.clone();
    Finding::new(format!("{}: {}", contract.title, violation.message))
        .at(path)
        .line(violation.line, Some(violation.column))
        .fix(contract.fix.clone())
        .rule(contract.id.clone())
}

/// Score a contract-based check.
pub fn score(ctx: &Context, check: &Check, scoring: &ContractScoring) -> Scored {
    let results = contracts::evaluate(ctx, &scoring.contracts, &check.id);
    let governed: BTreeSet<usize> = results.governed.values().flatten().copied().collect();
    // Files with nothing to judge (an `__init__.py` that only re-exports, an empty module)
    // are left out of the ratio, so they cannot dilute it.
    let ratio_files: Option<Vec<usize>> = if scoring.ratio_all_layers {
        Some(governed.iter().copied().collect())
    } else {
        scoring.ratio_layer.map(|layer| {
            ctx.layered
                .iter()
                .filter(|&&(_, l)| l == layer)
                .map(|&(i, _)| i)
                .collect()
        })
    };
    // A file that breaks a contract is judged even without code of its own (an
    // `__init__.py` that only imports a service): a violation is never free.
    let ratio_files: Option<Vec<usize>> = ratio_files.map(|files| {
        ctx.prefetch(&files);
        files
            .into_iter()
            .filter(|&i| {
                ctx.analysis(i)
                    .is_some_and(|a| !a.definitions.is_empty() || !a.calls.is_empty())
                    || results.violations.iter().any(|v| {
                        v.file == i
                            && (scoring.ratio_all_layers
                                || scoring.ratio_layer.is_some_and(|layer| {
                                    ctx.standard.contracts[v.contract].scope
                                        == ContractScope::Layer(layer)
                                }))
                    })
            })
            .collect()
    });
    let mut judged = ratio_files.as_ref().map_or(governed.len(), Vec::len);
    if let (Some(needed), Some(files)) = (scoring.needs_layer, &ratio_files)
        && !files.iter().any(|&f| ctx.layer_of(f) == Some(needed))
    {
        judged = 0;
    }
    if judged == 0 {
        let what = scoring.ratio_layer.or(scoring.needs_layer).map_or_else(
            || {
                if scoring.ratio_all_layers {
                    "no layered source file (routes, services, models)".to_owned()
                } else {
                    "no file governed by these contracts".to_owned()
                }
            },
            |layer| {
                format!(
                    "no {} source file",
                    ctx.standard.layers[layer].title.to_lowercase()
                )
            },
        );
        return if scoring.empty_is_na {
            Scored {
                score: check.points,
                summary: what.clone(),
                not_applicable: Some(format!("{what} to judge")),
                ..Scored::default()
            }
        } else {
            Scored {
                score: 0.0,
                summary: what.clone(),
                findings: vec![
                    Finding::new(format!(
                        "{what} found: the layer rules have nothing to judge"
                    ))
                    .fix(check.fix.clone())
                    .gain(check.points),
                ],
                ..Scored::default()
            }
        };
    }

    let in_ratio = |v: &Violation| {
        scoring.ratio_all_layers
            || scoring.ratio_layer.is_some_and(|layer| {
                ctx.standard.contracts[v.contract].scope == ContractScope::Layer(layer)
            })
    };
    let mut findings = Vec::new();
    let mut score = check.points;
    let mut summary;
    if let Some(files) = &ratio_files {
        // Each file weighs its heaviest violation (a half violation makes half a file unclean).
        let mut unclean: std::collections::BTreeMap<usize, f64> = std::collections::BTreeMap::new();
        for violation in results.violations.iter().filter(|v| in_ratio(v)) {
            if files.contains(&violation.file) {
                let weight = ctx.standard.contracts[violation.contract].weight;
                let entry = unclean.entry(violation.file).or_insert(0.0);
                *entry = entry.max(weight);
            }
        }
        let lost: f64 = unclean.values().sum();
        let clean = files.len() as f64 - lost;
        score = check.points * clean / files.len() as f64;
        let per_file = check.points / files.len() as f64;
        let mut credited = BTreeSet::new();
        for violation in results.violations.iter().filter(|v| in_ratio(v)) {
            // The gain of a file goes on its first violation of its heaviest weight.
            let weight = ctx.standard.contracts[violation.contract].weight;
            let heaviest = unclean.get(&violation.file).copied().unwrap_or(weight);
            let gain = if (weight - heaviest).abs() < 1e-9 && credited.insert(violation.file) {
                per_file * heaviest
            } else {
                0.0
            };
            findings.push(finding(ctx, violation).gain(gain));
        }
        let shown = if (clean - clean.round()).abs() < 1e-9 {
            format!("{clean:.0}")
        } else {
            format!("{clean:.1}")
        };
        summary = format!(
            "{shown} of {} {}file{} clean",
            files.len(),
            scoring
                .ratio_layer
                .map_or(String::new(), |l| format!("{} ", ctx.standard.layers[l].id)),
            if files.len() == 1 { "" } else { "s" }
        );
    } else {
        summary = format!(
            "{} file{} checked",
            governed.len(),
            if governed.len() == 1 { "" } else { "s" }
        );
    }
    let others: Vec<&Violation> = results.violations.iter().filter(|v| !in_ratio(v)).collect();
    let mut budget = score;
    for violation in &others {
        let gain = scoring.penalty.min(budget.max(0.0));
        budget -= scoring.penalty;
        findings.push(finding(ctx, violation).gain(gain));
    }
    score = (score - scoring.penalty * others.len() as f64).max(0.0);
    if !others.is_empty() {
        summary.push_str(&format!(
            ", {} violation{} elsewhere",
            others.len(),
            if others.len() == 1 { "" } else { "s" }
        ));
    }
    for bare in &results.bare_waivers {
        findings.push(
            Finding::new(format!(
                "waiver `squarely: allow({})` has no reason, so it waives nothing",
                bare.ids.join(", ")
            ))
            .at(ctx.tree.entry(bare.file).path.clone())
            .line(bare.line, None)
            .fix("Say why after the parenthesis: `# squarely: allow(<id>) <reason>`, or fix the violation and drop the waiver.")
            .rule("waiver-without-reason"),
        );
    }
    for waiver in &results.unknown_waivers {
        let names: Vec<String> = waiver
            .unknown
            .iter()
            .map(|(id, _)| format!("`{id}`"))
            .collect();
        let suggestions: Vec<String> = waiver
            .unknown
            .iter()
            .flat_map(|(_, close)| close.iter().map(|k| format!("`{k}`")))
            .collect();
        let hint = if suggestions.is_empty() {
            String::new()
        } else {
            format!(" (did you mean {}?)", suggestions.join(", "))
        };
        findings.push(
            Finding::new(format!(
                "waiver names no known check or contract of `{}`: {}{hint}, so it waives nothing",
                ctx.standard.id,
                names.join(", ")
            ))
            .at(ctx.tree.entry(waiver.file).path.clone())
            .line(waiver.line, None)
            .fix(format!(
                "Name a check or contract of `{}` in `squarely: allow(<id>) <reason>` (`squarely standards show {}` lists them), or drop the waiver.",
                ctx.standard.id, ctx.standard.id
            ))
            .rule("waiver-unknown-id"),
        );
    }
    let waived = results
        .waived
        .iter()
        .map(|(violation, reason)| {
            let mut f = finding(ctx, violation);
            f.waiver = Some(reason.clone());
            f.fix = None;
            f
        })
        .collect::<Vec<_>>();
    if !waived.is_empty() {
        summary.push_str(&format!(", {} waived", waived.len()));
    }
    findings.sort_by(|a, b| (a.path.as_deref(), a.line).cmp(&(b.path.as_deref(), b.line)));
    Scored {
        score,
        summary,
        findings,
        waived,
        not_applicable: None,
    }
}
