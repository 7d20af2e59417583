//! A serialisable summary of a validated standard, for `standards show --format json|yaml`
//! and `explain`: what each check looks at and how it scores, in words.

use serde::Serialize;

use super::model::{Condition, ContractScope, EntryFilter, Scope, Scoring, Standard};

/// A resolved standard, summarised.
#[derive(Debug, Serialize)]
pub struct Summary {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Version.
    pub version: String,
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Source documents.
    pub sources: Vec<String>,
    /// Bands.
    pub bands: Vec<BandSummary>,
    /// Total points.
    pub points: f64,
    /// Categories with their checks.
    pub categories: Vec<CategorySummary>,
    /// Layers.
    pub layers: Vec<LayerSummary>,
    /// Contracts.
    pub contracts: Vec<ContractSummary>,
    /// Layout ids and titles.
    pub layouts: Vec<LayoutSummary>,
    /// Guidelines.
    pub guidelines: Vec<GuidelineSummary>,
}

/// A band.
#[derive(Debug, Serialize)]
pub struct BandSummary {
    /// Id.
    pub id: String,
    /// Lowest score.
    pub min: f64,
}

/// A category.
#[derive(Debug, Serialize)]
pub struct CategorySummary {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Points.
    pub points: f64,
    /// Checks.
    pub checks: Vec<CheckSummary>,
}

/// A check.
#[derive(Debug, Serialize)]
pub struct CheckSummary {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Points.
    pub points: f64,
    /// Scoring kind.
    pub kind: String,
    /// How it scores, line by line.
    pub scoring: Vec<String>,
    /// When it does not apply.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_applicable: Option<String>,
    /// Why it matters.
    pub why: String,
    /// The fix.
    pub fix: String,
}

/// A layer.
#[derive(Debug, Serialize)]
pub struct LayerSummary {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Path patterns.
    pub paths: Vec<String>,
}

/// A contract.
#[derive(Debug, Serialize)]
pub struct ContractSummary {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Governed layer (or `any`).
    pub layer: String,
    /// What it forbids, line by line.
    pub forbids: Vec<String>,
    /// Why.
    pub why: String,
    /// Fix.
    pub fix: String,
}

/// A layout.
#[derive(Debug, Serialize)]
pub struct LayoutSummary {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Paths.
    pub paths: Vec<String>,
}

/// A guideline.
#[derive(Debug, Serialize)]
pub struct GuidelineSummary {
    /// Id.
    pub id: String,
    /// Text.
    pub text: String,
    /// Enforcing checks/contracts.
    pub enforced_by: Vec<String>,
}

/// Describe a condition in words (for explain and show).
#[must_use]
pub fn describe(standard: &Standard, condition: &Condition) -> String {
    match condition {
        Condition::Path(query, filter) => {
            let what = match filter {
                EntryFilter::Any => "an entry",
                EntryFilter::File => "a file with real content",
                EntryFilter::Dir => "a folder",
            };
            let count = if query.min > 1 {
                format!("at least {} of ", query.min)
            } else {
                String::new()
            };
            let scope = match query.scope {
                Scope::Service => "",
                Scope::Repo => " at the repository root",
                Scope::Either => " at the repository or service root",
                Scope::Source => " in the source roots (src/, app/, the package)",
            };
            let exclude = if query.exclude.is_empty() {
                String::new()
            } else {
                format!(" (not {})", query.exclude.describe())
            };
            let case = if query.ignore_case { " (any case)" } else { "" };
            format!(
                "{count}{what} matching {}{case}{exclude}{scope}",
                query.globs.describe()
            )
        }
        Condition::Content { files, regex, .. } => format!(
            "a line matching /{}/ in {}",
            regex.as_str(),
            files.globs.describe()
        ),
        Condition::Section { files, heading } => format!(
            "a markdown section whose heading matches /{}/ with real text, in {}",
            heading.as_str(),
            files.globs.describe()
        ),
        Condition::Dependency(names) => format!("a dependency on {}", names.join(" or ")),
        Condition::Framework(ids) => format!("a detected framework: {}", ids.join(", ")),
        Condition::Language(ids) => format!("a detected language: {}", ids.join(", ")),
        Condition::Kind(kinds) => format!(
            "a project of kind {}",
            kinds
                .iter()
                .map(|k| k.as_str())
                .collect::<Vec<_>>()
                .join(" or ")
        ),
        Condition::Imports(q) => format!(
            "an import of {}",
            q.names
                .iter()
                .map(|n| format!("`{}`", n.text))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Condition::Calls(q) => format!(
            "a call of {}",
            q.names
                .iter()
                .map(|n| format!("`{}`", n.text))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Condition::Layer(layers) => format!(
            "a source file in the {} layer",
            layers
                .iter()
                .map(|&l| standard.layers[l].id.clone())
                .collect::<Vec<_>>()
                .join(" or ")
        ),
        Condition::Domains(min) => format!("at least {min} domain module(s)"),
        Condition::Ignored {
            probes,
            require_all,
        } => format!(
            "the root .gitignore ignores {} of {}",
            if *require_all { "all" } else { "one" },
            probes
                .iter()
                .map(|p| {
                    let spellings: Vec<String> = std::iter::once(&p.path)
                        .chain(&p.or)
                        .map(|s| format!("`{s}`"))
                        .collect();
                    match &p.language {
                        Some(l) => format!("{} ({l})", spellings.join(" or ")),
                        None => spellings.join(" or "),
                    }
                })
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Condition::Any(list) => list
            .iter()
            .map(|c| describe(standard, c))
            .collect::<Vec<_>>()
            .join("; or "),
        Condition::All(list) => list
            .iter()
            .map(|c| describe(standard, c))
            .collect::<Vec<_>>()
            .join("; and "),
        Condition::Not(inner) => format!("not ({})", describe(standard, inner)),
    }
}

fn num(value: f64) -> String {
    let text = format!("{value:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// How a check scores, line by line.
#[must_use]
pub fn scoring_lines(standard: &Standard, scoring: &Scoring, points: f64) -> Vec<String> {
    match scoring {
        Scoring::Tiers(tiers) => tiers
            .iter()
            .map(|t| {
                format!(
                    "{} points: {} — {}",
                    num(t.points),
                    t.label,
                    describe(standard, &t.when)
                )
            })
            .chain(std::iter::once("0 points: none of the above".to_owned()))
            .collect(),
        Scoring::Items(items) => {
            let explicit = items.iter().all(|i| i.points.is_some());
            let mut lines = vec![if explicit {
                "each item earns its points:".to_owned()
            } else {
                format!(
                    "{} points shared equally by the items that apply:",
                    num(points)
                )
            }];
            for item in items {
                let mut line = format!(
                    "{}{}: {}",
                    item.points
                        .map(|p| format!("{} — ", num(p)))
                        .unwrap_or_default(),
                    item.label,
                    describe(standard, &item.when)
                );
                if let Some((credit, label, _)) = &item.partial {
                    line.push_str(&format!("; {}% for {label}", num(credit * 100.0)));
                }
                if let Some(applies) = &item.applies {
                    line.push_str(&format!(" (only when {})", describe(standard, applies)));
                }
                lines.push(line);
            }
            lines
        }
        Scoring::RootEntries(root) => {
            let mut lines = vec![format!(
                "{} points with at most {} root entries",
                num(points),
                root.limit
            )];
            let mut from = root.limit + 1;
            for (max, p) in &root.steps {
                lines.push(format!("{from}–{max} entries: {} points", num(*p)));
                from = max + 1;
            }
            lines.push("more: 0 points".to_string());
            lines.push(format!(
                "minus {} per root item that does not belong ({})",
                num(root.deduct),
                root.misplaced
                    .iter()
                    .map(|m| m.label.clone())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            lines
        }
        Scoring::Contracts(c) => {
            let mut lines = Vec::new();
            if c.ratio_all_layers {
                lines.push(format!(
                    "{} × clean files / files with code, over every file the contracts govern",
                    num(points)
                ));
                let halves: Vec<String> = c
                    .contracts
                    .iter()
                    .map(|&i| &standard.contracts[i])
                    .filter(|k| k.weight < 1.0)
                    .map(|k| format!("`{}` {}", k.id, num(k.weight)))
                    .collect();
                lines.push(if halves.is_empty() {
                    "a file with a violation is unclean".to_owned()
                } else {
                    format!(
                        "a file weighs its heaviest violation: 1, or less for {}",
                        halves.join(", ")
                    )
                });
                if let Some(layer) = c.needs_layer {
                    lines.push(format!(
                        "nothing to judge ({}) without a file of the {} layer holding code",
                        if c.empty_is_na { "not applicable" } else { "0" },
                        standard.layers[layer].id
                    ));
                }
            } else if let Some(layer) = c.ratio_layer {
                lines.push(format!(
                    "{} × clean {} files / {} files",
                    num(points),
                    standard.layers[layer].id,
                    standard.layers[layer].id
                ));
                lines.push(format!(
                    "minus {} per violation of a contract on another layer (floor 0)",
                    num(c.penalty)
                ));
            } else {
                lines.push(format!(
                    "{} minus {} per violation (floor 0)",
                    num(points),
                    num(c.penalty)
                ));
            }
            lines.push(format!(
                "contracts: {}",
                c.contracts
                    .iter()
                    .map(|&i| standard.contracts[i].id.clone())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            lines
        }
        Scoring::DomainLayout(layout) => {
            let mut lines = vec![format!(
                "{} × expected entries present / expected, over every domain module",
                num(points)
            )];
            for (names, label) in &layout.expect {
                lines.push(format!("{label}: {}", names.describe()));
            }
            for dir in &layout.mirror_in {
                lines.push(format!("{dir}/<domain>: a mirror of each domain module"));
            }
            lines
        }
        Scoring::ForbiddenPaths(forbidden) => {
            let mut lines = vec![format!(
                "{} minus {} per entry that must not exist (floor 0):",
                num(points),
                num(forbidden.deduct)
            )];
            for pattern in &forbidden.patterns {
                lines.push(format!(
                    "{}: {}",
                    pattern.label,
                    describe(
                        standard,
                        &Condition::Path(pattern.path.clone(), EntryFilter::Any)
                    )
                ));
            }
            lines
        }
    }
}

/// What a contract forbids, line by line.
#[must_use]
pub fn forbids(standard: &Standard, contract: &super::model::Contract) -> Vec<String> {
    let list = |names: &[super::pattern::NamePattern]| {
        names
            .iter()
            .map(|n| format!("`{}`", n.text))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut lines = Vec::new();
    if !contract.imports.is_empty() {
        lines.push(format!("imports of {}", list(&contract.imports)));
    }
    if !contract.calls.is_empty() {
        lines.push(format!("calls of {}", list(&contract.calls)));
    }
    if !contract.raises.is_empty() {
        lines.push(format!("raising {}", list(&contract.raises)));
    }
    if contract.sql {
        lines.push("raw SQL string literals passed to calls".to_owned());
    }
    if contract.loops {
        lines.push("loops".to_owned());
    }
    if contract.conditionals {
        lines.push("conditionals".to_owned());
    }
    if !contract.layers.is_empty() {
        lines.push(format!(
            "imports of the {} layer(s)",
            contract
                .layers
                .iter()
                .map(|&l| standard.layers[l].id.clone())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if contract.cross_domain_symbols {
        lines.push(
            "importing a symbol from another domain without an explicit module name".to_owned(),
        );
    }
    lines
}

/// Summarise a standard.
#[must_use]
pub fn summarize(standard: &Standard) -> Summary {
    Summary {
        id: standard.id.clone(),
        name: standard.name.clone(),
        version: standard.version.clone(),
        description: standard.description.clone(),
        sources: standard.sources.clone(),
        bands: standard
            .bands
            .iter()
            .map(|b| BandSummary {
                id: b.id.clone(),
                min: b.min,
            })
            .collect(),
        points: standard.total_points(),
        categories: standard
            .categories
            .iter()
            .map(|cat| {
                let checks: Vec<CheckSummary> = standard
                    .checks
                    .iter()
                    .filter(|c| c.category == cat.id)
                    .map(|c| CheckSummary {
                        id: c.id.clone(),
                        title: c.title.clone(),
                        points: c.points,
                        kind: c.scoring.kind_name().to_owned(),
                        scoring: scoring_lines(standard, &c.scoring, c.points),
                        not_applicable: c.not_applicable.as_ref().map(|(when, reason)| {
                            format!("{reason} ({})", describe(standard, when))
                        }),
                        why: c.why.clone(),
                        fix: c.fix.clone(),
                    })
                    .collect();
                CategorySummary {
                    id: cat.id.clone(),
                    title: cat.title.clone(),
                    points: checks.iter().map(|c| c.points).sum(),
                    checks,
                }
            })
            .collect(),
        layers: standard
            .layers
            .iter()
            .map(|l| LayerSummary {
                id: l.id.clone(),
                title: l.title.clone(),
                paths: l.paths.0.iter().map(|g| g.text.clone()).collect(),
            })
            .collect(),
        contracts: standard
            .contracts
            .iter()
            .map(|c| ContractSummary {
                id: c.id.clone(),
                title: c.title.clone(),
                layer: match c.scope {
                    ContractScope::Layer(l) => standard.layers[l].id.clone(),
                    ContractScope::AnyDomainFile => "any".to_owned(),
                },
                forbids: forbids(standard, c),
                why: c.why.clone(),
                fix: c.fix.clone(),
            })
            .collect(),
        layouts: standard
            .layouts
            .iter()
            .map(|l| LayoutSummary {
                id: l.id.clone(),
                title: l.title.clone(),
                paths: l.tree.iter().map(|e| e.path.clone()).collect(),
            })
            .collect(),
        guidelines: standard
            .guidelines
            .iter()
            .map(|g| GuidelineSummary {
                id: g.id.clone(),
                text: g.text.clone(),
                enforced_by: g.enforced_by.clone(),
            })
            .collect(),
    }
}

/// Serialise a summary as YAML (the only place `yaml_serde` writes).
pub fn to_yaml(summary: &Summary) -> Result<String, String> {
    yaml_serde::to_string(summary).map_err(|e| e.to_string())
}
