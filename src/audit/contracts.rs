//! Layer contracts over parsed source: forbidden imports, calls, raises, raw SQL, control
//! flow, import direction and cross-domain symbol imports, with inline waivers.
//!
//! A violation on a line is waived by a comment on that line or the line above:
//! `# squarely: allow(<check or contract id>) <reason>`. A waiver without a reason waives
//! nothing and is reported itself, and so is a waiver naming an id the standard does not
//! have (a typo would otherwise silently waive nothing).

use rayon::prelude::*;
use std::collections::BTreeMap;

use crate::analyze::{Analysis, ControlFlowKind, ImportKind, Language};
use crate::standard::{Contract, ContractScope, Scoring, closest, name_segments};

use super::context::Context;
use super::resolve::{self, python_module};

/// One breach of a contract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// Index of the contract in the standard.
    pub contract: usize,
    /// Tree index of the file.
    pub file: usize,
    /// Line, 1-based.
    pub line: u32,
    /// Column, 1-based.
    pub column: u32,
    /// What happened, for example ``calls `session.commit()` ``.
    pub message: String,
}

/// A waiver comment that names an id but gives no reason.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct BareWaiver {
    /// Tree index of the file.
    pub file: usize,
    /// Line of the comment.
    pub line: u32,
    /// The ids it names.
    pub ids: Vec<String>,
}

/// A waiver comment that names ids which are no check or contract of the standard.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct UnknownWaiver {
    /// Tree index of the file.
    pub file: usize,
    /// Line of the comment.
    pub line: u32,
    /// The unknown ids, each with the known ids closest to it.
    pub unknown: Vec<(String, Vec<String>)>,
}

/// Everything the contracts of one check found.
#[derive(Debug, Default)]
pub struct Results {
    /// Violations that count.
    pub violations: Vec<Violation>,
    /// Violations waived with a reason: (violation, reason).
    pub waived: Vec<(Violation, String)>,
    /// Waivers without a reason.
    pub bare_waivers: Vec<BareWaiver>,
    /// Waivers naming unknown ids, in the files whose waivers this check reports (each file
    /// is reported by the first contracts check that governs it).
    pub unknown_waivers: Vec<UnknownWaiver>,
    /// Files each contract governs (contract index -> tree indices).
    pub governed: BTreeMap<usize, Vec<usize>>,
}

/// The detection language id of a parser language.
#[must_use]
pub fn language_id(language: Language) -> &'static str {
    match language {
        Language::Python => "python",
        Language::TypeScript | Language::Tsx | Language::JavaScript => "node",
        Language::Rust => "rust",
    }
}

/// The files a contract governs.
fn governed(ctx: &Context, contract: &Contract) -> Vec<usize> {
    let language_ok = |index: usize| {
        contract.languages.is_empty()
            || Language::from_path(ctx.tree.entry(index).name())
                .is_some_and(|l| contract.languages.iter().any(|id| id == language_id(l)))
    };
    match contract.scope {
        ContractScope::Layer(layer) => ctx
            .layered
            .iter()
            .filter(|&&(index, l)| l == layer && language_ok(index))
            .map(|&(index, _)| index)
            .collect(),
        ContractScope::AnyDomainFile => ctx
            .domains
            .iter()
            .flat_map(|domain| ctx.tree.descendants(domain))
            .filter(|&index| {
                let entry = ctx.tree.entry(index);
                entry.is_file() && Language::from_path(entry.name()).is_some() && language_ok(index)
            })
            .collect(),
    }
}

/// Evaluate `contracts` (indices) for the check `check_id`.
pub fn evaluate(ctx: &Context, contracts: &[usize], check_id: &str) -> Results {
    let mut results = Results::default();
    let mut all_files = Vec::new();
    for &index in contracts {
        let files = governed(ctx, &ctx.standard.contracts[index]);
        all_files.extend(files.iter().copied());
        results.governed.insert(index, files);
    }
    all_files.sort_unstable();
    all_files.dedup();
    ctx.prefetch(&all_files);

    // Each file's breaches are found in parallel, then judged against waivers in order.
    let pairs: Vec<(usize, usize)> = results
        .governed
        .iter()
        .flat_map(|(&contract, files)| files.iter().map(move |&file| (contract, file)))
        .collect();
    let found: Vec<_> = pairs
        .par_iter()
        .filter_map(|&(contract_index, file)| {
            let analysis = ctx.analysis(file)?;
            let contract = &ctx.standard.contracts[contract_index];
            let breaches = breaches(ctx, contract, file, &analysis);
            Some((contract_index, file, analysis, breaches))
        })
        .collect();
    let mut bare: BTreeMap<(usize, u32), Vec<String>> = BTreeMap::new();
    for (contract_index, file, analysis, breaches) in found {
        let contract = &ctx.standard.contracts[contract_index];
        for (line, column, message) in breaches {
            let violation = Violation {
                contract: contract_index,
                file,
                line,
                column,
                message,
            };
            let waiver = analysis.waivers.iter().find(|w| {
                ((w.target_line..=w.target_end_line).contains(&line) || w.location.line == line)
                    && w.ids.iter().any(|id| id == &contract.id || id == check_id)
            });
            match waiver {
                Some(w) if w.reason.is_some() => {
                    let reason = w.reason.clone().unwrap_or_default();
                    results.waived.push((violation, reason));
                }
                Some(w) => {
                    bare.entry((file, w.location.line))
                        .or_insert_with(|| w.ids.clone());
                    results.violations.push(violation);
                }
                None => results.violations.push(violation),
            }
        }
        // Reasonless waivers naming this check or its contracts are findings even when
        // nothing is on their line.
        for w in &analysis.waivers {
            if w.reason.is_none() && w.ids.iter().any(|id| id == &contract.id || id == check_id) {
                bare.entry((file, w.location.line))
                    .or_insert_with(|| w.ids.clone());
            }
        }
    }
    results.bare_waivers = bare
        .into_iter()
        .map(|((file, line), ids)| BareWaiver { file, line, ids })
        .collect();
    results.unknown_waivers = unknown_waivers(ctx, &all_files, check_id);
    results
        .violations
        .sort_by_key(|v| (v.file, v.line, v.column, v.contract));
    results.violations.dedup_by(|a, b| {
        a.file == b.file && a.line == b.line && a.contract == b.contract && a.message == b.message
    });
    results
}

/// Waivers in `files` naming ids that are no check or contract of the standard, in the files
/// `check_id` reports: those that no contracts check listed before it governs.
fn unknown_waivers(ctx: &Context, files: &[usize], check_id: &str) -> Vec<UnknownWaiver> {
    let standard = ctx.standard;
    let mut earlier = std::collections::HashSet::new();
    for check in &standard.checks {
        if check.id == check_id {
            break;
        }
        if let Scoring::Contracts(scoring) = &check.scoring {
            for &index in &scoring.contracts {
                earlier.extend(governed(ctx, &standard.contracts[index]));
            }
        }
    }
    let known = || {
        standard
            .checks
            .iter()
            .map(|c| c.id.as_str())
            .chain(standard.contracts.iter().map(|c| c.id.as_str()))
    };
    let mut out = Vec::new();
    for &file in files.iter().filter(|f| !earlier.contains(*f)) {
        let Some(analysis) = ctx.analysis(file) else {
            continue;
        };
        for waiver in &analysis.waivers {
            let unknown: Vec<(String, Vec<String>)> = waiver
                .ids
                .iter()
                .filter(|id| !known().any(|k| k == id.as_str()))
                .map(|id| {
                    let close = closest(known(), id, 3);
                    (id.clone(), close.into_iter().map(str::to_owned).collect())
                })
                .collect();
            if !unknown.is_empty() {
                out.push(UnknownWaiver {
                    file,
                    line: waiver.location.line,
                    unknown,
                });
            }
        }
    }
    out.sort();
    out
}

/// Every breach of one contract in one file: (line, column, message).
fn breaches(
    ctx: &Context,
    contract: &Contract,
    file: usize,
    analysis: &Analysis,
) -> Vec<(u32, u32, String)> {
    let mut out = Vec::new();
    let path = &ctx.tree.entry(file).path;
    for import in &analysis.imports {
        let relative = import.level > 0 || import.module.starts_with('.');
        if !relative && import.kind != ImportKind::Mod {
            let segments = name_segments(&import.module);
            if let Some(pattern) = contract
                .imports
                .iter()
                .find(|p| p.matches_module(&segments))
                && !allowed_import(contract, &segments, import)
            {
                out.push((
                    import.location.line,
                    import.location.column,
                    format!(
                        "imports `{}` (forbidden: `{}`)",
                        import.module, pattern.text
                    ),
                ));
            }
        }
    }
    for call in analysis.calls.iter().filter(|_| !contract.calls.is_empty()) {
        let segments = call.segments();
        if let Some((pattern, start)) = contract
            .calls
            .iter()
            .find_map(|p| p.suffix_start(&segments).map(|start| (p, start)))
            && !on_delegate(contract, &segments, start)
        {
            out.push((
                call.location.line,
                call.location.column,
                format!("calls `{}()` (forbidden: `{}`)", call.callee, pattern.text),
            ));
        }
    }
    for raise in analysis
        .raises
        .iter()
        .filter(|_| !contract.raises.is_empty())
    {
        let segments = name_segments(&raise.path);
        if let Some(pattern) = contract.raises.iter().find(|p| p.matches_suffix(&segments)) {
            out.push((
                raise.location.line,
                raise.location.column,
                format!("raises `{}` (forbidden: `{}`)", raise.path, pattern.text),
            ));
        }
    }
    if contract.sql {
        for sql in &analysis.sql_strings {
            out.push((
                sql.location.line,
                sql.location.column,
                format!("runs raw SQL `{}`", sql.snippet),
            ));
        }
    }
    for flow in &analysis.control_flow {
        let forbidden = match flow.kind {
            ControlFlowKind::Loop => contract.loops,
            ControlFlowKind::Conditional => contract.conditionals,
        };
        if forbidden {
            let what = match flow.kind {
                ControlFlowKind::Loop => "a loop",
                ControlFlowKind::Conditional => "a conditional",
            };
            out.push((
                flow.location.line,
                flow.location.column,
                format!("has {what}: business logic belongs in the service"),
            ));
        }
    }
    if !contract.layers.is_empty() || contract.cross_domain_symbols {
        let Some(language) = Language::from_path(path) else {
            return out;
        };
        let own_domain = ctx.domain_of(path);
        for import in &analysis.imports {
            if import.kind == ImportKind::Mod {
                continue;
            }
            let Some(target) = resolve::resolve(ctx.tree, ctx.service_root, path, language, import)
            else {
                continue;
            };
            if !contract.layers.is_empty() {
                // `from src.users import service` names a module inside the package: judge
                // each imported module, not the package.
                let mut targets: Vec<String> = Vec::new();
                if language == Language::Python
                    && import.kind == ImportKind::From
                    && ctx.tree.is_dir(&target.path)
                {
                    targets.extend(
                        import
                            .names
                            .iter()
                            .filter_map(|n| python_module(ctx.tree, &target.path, &n.name)),
                    );
                }
                if targets.is_empty() {
                    targets.push(target.path.clone());
                }
                for found in targets {
                    if let Some(layer) = target_layer(ctx, &found)
                        && contract.layers.contains(&layer)
                    {
                        out.push((
                            import.location.line,
                            import.location.column,
                            format!(
                                "imports `{}` from the {} (`{found}`)",
                                display_module(import),
                                ctx.standard.layers[layer].title.to_lowercase(),
                            ),
                        ));
                    }
                }
            }
            if contract.cross_domain_symbols
                && let (Some(own), Some(other)) = (own_domain, ctx.domain_of(&target.path))
                && own != other
            {
                for name in cross_domain_symbols(ctx, language, import, &target.path) {
                    out.push((
                        import.location.line,
                        import.location.column,
                        format!(
                            "imports `{name}` from another domain (`{other}`) without an explicit module name"
                        ),
                    ));
                }
            }
        }
    }
    out
}

/// Whether an import brings in only what the contract allows: the module itself is allowed
/// (`fastapi.encoders`), or every name it imports is (`from fastapi import HTTPException,
/// status`).
fn allowed_import(contract: &Contract, module: &[&str], import: &crate::analyze::Import) -> bool {
    if contract.allow_imports.is_empty() {
        return false;
    }
    if contract
        .allow_imports
        .iter()
        .any(|p| p.matches_module(module))
    {
        return true;
    }
    !import.names.is_empty()
        && import.names.iter().all(|name| {
            let mut full = module.to_vec();
            full.push(name.name.as_str());
            contract
                .allow_imports
                .iter()
                .any(|p| p.matches_module(&full))
        })
}

/// Whether a call is made on an injected service or repository: a receiver the forbidden
/// pattern matched (`articleService` in `this.articleService.findAll()` for `*.findAll`) or
/// the one right before it (`request` in `request.session.get()` for `*session.get`) matches
/// `not_on`. A delegate further up the chain does not excuse the call:
/// `user_service.db.session.query()` still queries.
fn on_delegate(contract: &Contract, segments: &[&str], start: usize) -> bool {
    let Some(method) = segments.len().checked_sub(1) else {
        return false;
    };
    let first = start.saturating_sub(1);
    segments[first.min(method)..method].iter().any(|receiver| {
        let lower = receiver.to_ascii_lowercase();
        contract.not_on.iter().any(|glob| glob.is_match(&lower))
    })
}

fn display_module(import: &crate::analyze::Import) -> String {
    format!("{}{}", ".".repeat(import.level as usize), import.module)
}

/// The layer of an import target: the file's own layer, or for a package folder the layer
/// of the files it holds.
fn target_layer(ctx: &Context, path: &str) -> Option<usize> {
    if let Some(index) = ctx.tree.find(path) {
        if let Some(layer) = ctx.layer_of(index) {
            return Some(layer);
        }
        if ctx.tree.entry(index).is_dir() {
            let range = ctx.tree.descendants(path);
            let layers: Vec<usize> = range.filter_map(|i| ctx.layer_of(i)).collect();
            if let Some(&first) = layers.first()
                && layers.iter().all(|&l| l == first)
            {
                return Some(first);
            }
        }
    }
    None
}

/// Names imported from another domain as bare symbols (not modules, not aliased).
fn cross_domain_symbols(
    ctx: &Context,
    language: Language,
    import: &crate::analyze::Import,
    target: &str,
) -> Vec<String> {
    let is_folder = ctx.tree.is_dir(target);
    match language {
        Language::Python if import.kind == ImportKind::From => import
            .names
            .iter()
            .filter(|n| n.alias.is_none())
            .filter(|n| {
                n.name == "*" || !(is_folder && python_module(ctx.tree, target, &n.name).is_some())
            })
            .map(|n| n.name.clone())
            .collect(),
        Language::TypeScript | Language::Tsx | Language::JavaScript => import
            .names
            .iter()
            .filter(|n| n.alias.is_none() && n.name != "*" && n.name != "default")
            .map(|n| n.name.clone())
            .collect(),
        _ => Vec::new(),
    }
}
