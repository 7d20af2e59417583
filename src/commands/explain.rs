//! `squarely explain ID`: what a check (or contract) looks at, why, how it scores, how to fix it.

use std::io::{self, Write};

use anyhow::bail;

use crate::cli::ExplainArgs;
use crate::standard::summary::{describe, forbids, scoring_lines};
use crate::standard::{self, BUILTIN_IDS, ContractScope, Standard};

use super::Exit;

/// Run `explain`.
pub fn run(args: &ExplainArgs) -> anyhow::Result<Exit> {
    let cwd = std::env::current_dir()?;
    let specs: Vec<String> = match &args.standard {
        Some(spec) => vec![spec.clone()],
        None => BUILTIN_IDS.iter().map(|s| (*s).to_owned()).collect(),
    };
    let mut known = Vec::new();
    for spec in &specs {
        let standard = standard::load(spec, &cwd)?.standard;
        if let Some(text) = explain(&standard, &args.id) {
            io::stdout().lock().write_all(text.as_bytes())?;
            return Ok(Exit::Success);
        }
        known.extend(standard.checks.iter().map(|c| c.id.clone()));
        known.extend(standard.contracts.iter().map(|c| c.id.clone()));
    }
    let close = standard::closest(known.iter().map(String::as_str), &args.id, 5);
    let hint = if close.is_empty() {
        format!("see `squarely standards show {}`", specs[0])
    } else {
        format!(
            "did you mean {}?",
            close
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    bail!("unknown check or contract `{}`: {hint}", args.id)
}

/// The explanation of `id` in `standard`, if it has such a check or contract.
#[must_use]
pub fn explain(standard: &Standard, id: &str) -> Option<String> {
    let mut out = String::new();
    if let Some(check) = standard.check(id) {
        let category = standard
            .category(&check.category)
            .map_or(check.category.as_str(), |c| c.title.as_str());
        out.push_str(&format!("{} — {}\n", check.id, check.title));
        out.push_str(&format!(
            "standard: {} {} · category: {category} · {} points\n\n",
            standard.id, standard.version, check.points
        ));
        out.push_str(&format!("Why it matters\n  {}\n\n", check.why));
        out.push_str("How it scores\n");
        for line in scoring_lines(standard, &check.scoring, check.points) {
            out.push_str(&format!("  - {line}\n"));
        }
        if let Some((when, reason)) = &check.not_applicable {
            out.push_str(&format!(
                "  - not applicable (full points) when {}: {reason}\n",
                describe(standard, when)
            ));
        }
        out.push_str(
            "  Placeholder files (empty, only a title, TODO or template text) never count.\n\n",
        );
        out.push_str(&format!("How to fix it\n  {}\n", check.fix));
        return Some(out);
    }
    let contract = standard.contracts.iter().find(|c| c.id == id)?;
    let layer = match contract.scope {
        ContractScope::Layer(l) => standard.layers[l].title.clone(),
        ContractScope::AnyDomainFile => "every file of a domain module".to_owned(),
    };
    out.push_str(&format!("{} — {}\n", contract.id, contract.title));
    out.push_str(&format!(
        "standard: {} {} · layer contract on: {layer}\n\n",
        standard.id, standard.version
    ));
    out.push_str(&format!("Why it matters\n  {}\n\n", contract.why));
    out.push_str("What it forbids (parsed source: comments and strings never count)\n");
    for line in forbids(standard, contract) {
        out.push_str(&format!("  - {line}\n"));
    }
    let checks: Vec<&str> = standard
        .checks
        .iter()
        .filter(|c| match &c.scoring {
            standard::Scoring::Contracts(s) => s
                .contracts
                .iter()
                .any(|&i| standard.contracts[i].id == contract.id),
            _ => false,
        })
        .map(|c| c.id.as_str())
        .collect();
    if !checks.is_empty() {
        out.push_str(&format!("\nScored by: {}\n", checks.join(", ")));
    }
    out.push_str(&format!(
        "\nHow to fix it\n  {}\n  A deliberate exception can be waived on its line or the line above with\n  `# squarely: allow({}) <reason>` (`//` in TypeScript and Rust); a waiver needs a reason.\n",
        contract.fix, contract.id
    ));
    Some(out)
}
