//! The validated rule set: compiled patterns, resolved references, closed enums.
//!
//! Everything outside `standard/` reads these types; they can only be built by
//! [`super::validate`], so a [`Standard`] in hand is always consistent.

use regex::Regex;

use super::pattern::{NamePattern, PathGlob};

/// A validated rule set.
#[derive(Debug, Clone)]
pub struct Standard {
    /// Identifier (`coditect-backend`).
    pub id: String,
    /// Human name.
    pub name: String,
    /// Version of the rule set.
    pub version: String,
    /// What the standard asks for.
    pub description: Option<String>,
    /// The documents it encodes.
    pub sources: Vec<String>,
    /// Where it came from.
    pub origin: Origin,
    /// Score bands, highest `min` first.
    pub bands: Vec<Band>,
    /// Categories in report order.
    pub categories: Vec<Category>,
    /// Detection rules (built-in catalog plus this rule set's additions).
    pub detection: DetectionRules,
    /// Domain module rules.
    pub domains: DomainRules,
    /// Layers, first match wins.
    pub layers: Vec<Layer>,
    /// Layer contracts.
    pub contracts: Vec<Contract>,
    /// Reference layouts.
    pub layouts: Vec<Layout>,
    /// Rules of the source documents and what enforces them.
    pub guidelines: Vec<Guideline>,
    /// Checks in report order (grouped by category).
    pub checks: Vec<Check>,
}

impl Standard {
    /// Sum of every check's points.
    #[must_use]
    pub fn total_points(&self) -> f64 {
        self.checks.iter().map(|c| c.points).sum()
    }

    /// The check with this id.
    #[must_use]
    pub fn check(&self, id: &str) -> Option<&Check> {
        self.checks.iter().find(|c| c.id == id)
    }

    /// The category with this id.
    #[must_use]
    pub fn category(&self, id: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.id == id)
    }

    /// The band a score (out of 100) falls in.
    #[must_use]
    pub fn band(&self, score: f64) -> &Band {
        self.bands
            .iter()
            .find(|band| score + 1e-9 >= band.min)
            .or_else(|| self.bands.last())
            .unwrap_or(&FALLBACK_BAND)
    }

    /// The layer index of a path relative to the service root.
    #[must_use]
    pub fn layer_of(&self, path: &str) -> Option<usize> {
        self.layers.iter().position(|layer| layer.contains(path))
    }
}

static FALLBACK_BAND: Band = Band {
    id: String::new(),
    min: 0.0,
    description: None,
};

/// Where a rule set came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Embedded in the binary.
    Builtin,
    /// A file on disk (display form of its path).
    File(String),
}

/// A score band.
#[derive(Debug, Clone)]
pub struct Band {
    /// Band id (`production-ready`).
    pub id: String,
    /// Lowest score in the band.
    pub min: f64,
    /// What it means.
    pub description: Option<String>,
}

/// A category of checks.
#[derive(Debug, Clone)]
pub struct Category {
    /// Category id.
    pub id: String,
    /// Title.
    pub title: String,
}

/// Where a path pattern is matched from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scope {
    /// The service root.
    #[default]
    Service,
    /// The repository root.
    Repo,
    /// Both roots.
    Either,
    /// Each source root of the service project.
    Source,
}

/// Several globs, any of which may match.
#[derive(Debug, Clone, Default)]
pub struct GlobList(pub Vec<PathGlob>);

impl GlobList {
    /// Whether any glob matches.
    #[must_use]
    pub fn is_match(&self, path: &str) -> bool {
        self.0.iter().any(|g| g.is_match(path))
    }

    /// Whether there is no glob.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The patterns as written, joined for messages.
    #[must_use]
    pub fn describe(&self) -> String {
        self.0
            .iter()
            .map(|g| format!("`{}`", g.text))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Which entries a path query counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryFilter {
    /// Files, folders and links.
    Any,
    /// Files only.
    File,
    /// Folders only.
    Dir,
}

/// A compiled path query.
#[derive(Debug, Clone)]
pub struct PathQuery {
    /// Patterns.
    pub globs: GlobList,
    /// Patterns that disqualify.
    pub exclude: GlobList,
    /// Where to match from.
    pub scope: Scope,
    /// How many matches are needed.
    pub min: u32,
    /// Whether placeholder files count.
    pub placeholders_count: bool,
    /// Whether names match in any case.
    pub ignore_case: bool,
}

/// A compiled condition.
#[derive(Debug, Clone)]
pub enum Condition {
    /// Entries matching a query.
    Path(PathQuery, EntryFilter),
    /// A regex in matching files.
    Content {
        /// Files to read.
        files: PathQuery,
        /// Line regex.
        regex: Regex,
        /// Skip `#` and `//` comment lines.
        skip_comment_lines: bool,
    },
    /// A markdown section.
    Section {
        /// Markdown files.
        files: PathQuery,
        /// Heading regex (case-insensitive).
        heading: Regex,
    },
    /// A declared dependency.
    Dependency(Vec<String>),
    /// A detected framework.
    Framework(Vec<String>),
    /// A detected language.
    Language(Vec<String>),
    /// The project kind.
    Kind(Vec<ProjectKind>),
    /// A parsed import.
    Imports(CodeQuery),
    /// A parsed call.
    Calls(CodeQuery),
    /// A file in one of these layers (indices into `Standard::layers`).
    Layer(Vec<usize>),
    /// At least this many domain modules.
    Domains(u32),
    /// Root `.gitignore` probes.
    Ignored {
        /// The probes.
        probes: Vec<Probe>,
        /// All or any.
        require_all: bool,
    },
    /// Any of.
    Any(Vec<Condition>),
    /// All of.
    All(Vec<Condition>),
    /// Not.
    Not(Box<Condition>),
}

impl Condition {
    /// Every path query inside this condition (files of content, section and code queries
    /// included), for indexing before evaluation.
    pub fn path_queries<'a>(&'a self, out: &mut Vec<&'a PathQuery>) {
        match self {
            Condition::Path(query, _)
            | Condition::Content { files: query, .. }
            | Condition::Section { files: query, .. } => out.push(query),
            Condition::Imports(code) | Condition::Calls(code) => out.extend(code.files.iter()),
            Condition::Any(list) | Condition::All(list) => {
                for condition in list {
                    condition.path_queries(out);
                }
            }
            Condition::Not(inner) => inner.path_queries(out),
            Condition::Dependency(_)
            | Condition::Framework(_)
            | Condition::Language(_)
            | Condition::Kind(_)
            | Condition::Layer(_)
            | Condition::Domains(_)
            | Condition::Ignored { .. } => {}
        }
    }
}

impl Standard {
    /// Every path query of every check.
    #[must_use]
    pub fn path_queries(&self) -> Vec<&PathQuery> {
        let mut out = Vec::new();
        for check in &self.checks {
            if let Some((condition, _)) = &check.not_applicable {
                condition.path_queries(&mut out);
            }
            match &check.scoring {
                Scoring::Tiers(tiers) => {
                    for tier in tiers {
                        tier.when.path_queries(&mut out);
                    }
                }
                Scoring::Items(items) => {
                    for item in items {
                        item.when.path_queries(&mut out);
                        if let Some((_, _, partial)) = &item.partial {
                            partial.path_queries(&mut out);
                        }
                        if let Some(applies) = &item.applies {
                            applies.path_queries(&mut out);
                        }
                    }
                }
                Scoring::ForbiddenPaths(forbidden) => {
                    out.extend(forbidden.patterns.iter().map(|p| &p.path));
                }
                Scoring::RootEntries(_) | Scoring::Contracts(_) | Scoring::DomainLayout(_) => {}
            }
        }
        out
    }
}

/// Parsed-source query.
#[derive(Debug, Clone)]
pub struct CodeQuery {
    /// Name patterns.
    pub names: Vec<NamePattern>,
    /// Files (default: source files under the service root).
    pub files: Option<PathQuery>,
}

/// A gitignore probe.
#[derive(Debug, Clone)]
pub struct Probe {
    /// The probe path (`node_modules/`).
    pub path: String,
    /// Other spellings that also meet the probe.
    pub or: Vec<String>,
    /// Only when this language is detected.
    pub language: Option<String>,
}

/// A project kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProjectKind {
    /// A service with an API.
    Backend,
    /// A user interface.
    Frontend,
    /// A package without a server or UI.
    Library,
    /// Nothing recognisable.
    Unknown,
}

impl ProjectKind {
    /// Parse a kind name.
    #[must_use]
    pub fn parse(name: &str) -> Option<ProjectKind> {
        match name {
            "backend" => Some(ProjectKind::Backend),
            "frontend" => Some(ProjectKind::Frontend),
            "library" => Some(ProjectKind::Library),
            "unknown" => Some(ProjectKind::Unknown),
            _ => None,
        }
    }

    /// The kind's name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            ProjectKind::Backend => "backend",
            ProjectKind::Frontend => "frontend",
            ProjectKind::Library => "library",
            ProjectKind::Unknown => "unknown",
        }
    }
}

/// Detection rules.
#[derive(Debug, Clone, Default)]
pub struct DetectionRules {
    /// Languages.
    pub languages: Vec<LanguageRule>,
    /// Frameworks and tools.
    pub frameworks: Vec<FrameworkRule>,
    /// Backend signals.
    pub backend_signals: Vec<Signal>,
    /// Frontend signals.
    pub frontend_signals: Vec<Signal>,
    /// Candidate project roots, in order of preference.
    pub project_roots: Vec<String>,
}

/// A language rule.
#[derive(Debug, Clone)]
pub struct LanguageRule {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Manifest file names.
    pub manifests: Vec<String>,
    /// Source extensions.
    pub extensions: Vec<String>,
}

/// What a framework is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// HTTP/API server.
    Web,
    /// User interface.
    Frontend,
    /// Background jobs.
    Jobs,
    /// ORM or database toolkit.
    Orm,
    /// Migration tool.
    Migrations,
    /// API documentation generator.
    ApiDocs,
    /// Test framework.
    Testing,
}

/// A framework rule.
#[derive(Debug, Clone)]
pub struct FrameworkRule {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Language id.
    pub language: String,
    /// Role.
    pub role: Role,
    /// Evidence, any of.
    pub evidence: Vec<Evidence>,
    /// Frameworks that supersede this one.
    pub superseded_by: Vec<String>,
}

/// Evidence for a framework.
#[derive(Debug, Clone)]
pub enum Evidence {
    /// Runtime dependency name.
    Dependency(String),
    /// Development dependency name.
    DevDependency(String),
    /// A file, optionally containing a regex.
    File {
        /// Globs relative to the project root.
        globs: GlobList,
        /// Required content.
        contains: Option<Regex>,
    },
    /// A parsed import in some files.
    Import {
        /// Module pattern.
        module: NamePattern,
        /// Files relative to the project root.
        files: GlobList,
    },
}

/// A project-kind signal.
#[derive(Debug, Clone)]
pub struct Signal {
    /// What it means.
    pub label: String,
    /// Entries relative to the project root.
    pub paths: GlobList,
}

/// Domain module rules.
#[derive(Debug, Clone, Default)]
pub struct DomainRules {
    /// Folder patterns relative to the service root.
    pub roots: GlobList,
    /// Names that are never domains.
    pub exclude: Vec<String>,
    /// Layer entries needed.
    pub min_layer_entries: u32,
    /// Different layers needed.
    pub min_layers: u32,
    /// File names that make a folder a domain module by convention.
    pub markers: GlobList,
    /// Where the roots are matched from.
    pub scope: Scope,
}

/// A layer.
#[derive(Debug, Clone)]
pub struct Layer {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Path patterns relative to the service root.
    pub paths: GlobList,
    /// Exclusions.
    pub exclude: GlobList,
}

impl Layer {
    /// Whether the path (relative to the service root) is in this layer.
    #[must_use]
    pub fn contains(&self, path: &str) -> bool {
        self.paths.is_match(path) && !self.exclude.is_match(path)
    }
}

/// Which files a contract governs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContractScope {
    /// The files of one layer (index into `Standard::layers`).
    Layer(usize),
    /// Every source file in a domain module.
    AnyDomainFile,
}

/// A layer contract.
#[derive(Debug, Clone)]
pub struct Contract {
    /// Id (also a waiver id).
    pub id: String,
    /// One line.
    pub title: String,
    /// Governed files.
    pub scope: ContractScope,
    /// Why.
    pub why: String,
    /// Fix.
    pub fix: String,
    /// Forbidden imports.
    pub imports: Vec<NamePattern>,
    /// Imports allowed despite `imports`.
    pub allow_imports: Vec<NamePattern>,
    /// Forbidden calls.
    pub calls: Vec<NamePattern>,
    /// Receivers (lowercase globs of one segment) whose calls never match `calls`.
    pub not_on: Vec<globset::GlobMatcher>,
    /// How much a violation makes its file unclean (0 < weight <= 1).
    pub weight: f64,
    /// Forbidden raises.
    pub raises: Vec<NamePattern>,
    /// Raw SQL.
    pub sql: bool,
    /// Loops.
    pub loops: bool,
    /// Conditionals.
    pub conditionals: bool,
    /// Imports into these layers (indices).
    pub layers: Vec<usize>,
    /// Cross-domain symbol imports.
    pub cross_domain_symbols: bool,
    /// Languages (detection ids); empty for all.
    pub languages: Vec<String>,
}

/// A reference layout.
#[derive(Debug, Clone)]
pub struct Layout {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// When it applies.
    pub when: Option<Condition>,
    /// Entries.
    pub tree: Vec<LayoutEntry>,
}

/// A path of a reference layout.
#[derive(Debug, Clone)]
pub struct LayoutEntry {
    /// Path relative to the service root (`/` suffix for folders).
    pub path: String,
    /// What belongs there.
    pub note: Option<String>,
}

/// A rule of the sources.
#[derive(Debug, Clone)]
pub struct Guideline {
    /// Id.
    pub id: String,
    /// The rule.
    pub text: String,
    /// Checks or contracts enforcing it.
    pub enforced_by: Vec<String>,
}

/// A validated check.
#[derive(Debug, Clone)]
pub struct Check {
    /// Id.
    pub id: String,
    /// Category id.
    pub category: String,
    /// Title.
    pub title: String,
    /// Maximum points.
    pub points: f64,
    /// Why it matters.
    pub why: String,
    /// Fix suggestion.
    pub fix: String,
    /// Not-applicable condition and reason.
    pub not_applicable: Option<(Condition, String)>,
    /// How it scores.
    pub scoring: Scoring,
}

/// How a check scores.
#[derive(Debug, Clone)]
pub enum Scoring {
    /// First tier that holds.
    Tiers(Vec<Tier>),
    /// Items with shares.
    Items(Vec<Item>),
    /// Root folder scoring.
    RootEntries(RootEntries),
    /// Layer contracts.
    Contracts(ContractScoring),
    /// Expected files per domain module.
    DomainLayout(DomainLayout),
    /// Paths that must not exist.
    ForbiddenPaths(ForbiddenPaths),
}

impl Scoring {
    /// The name of the scoring kind as written in rule sets.
    #[must_use]
    pub fn kind_name(&self) -> &'static str {
        match self {
            Scoring::Tiers(_) => "tiers",
            Scoring::Items(_) => "items",
            Scoring::RootEntries(_) => "root_entries",
            Scoring::Contracts(_) => "contracts",
            Scoring::DomainLayout(_) => "domain_layout",
            Scoring::ForbiddenPaths(_) => "forbidden_paths",
        }
    }
}

/// A tier.
#[derive(Debug, Clone)]
pub struct Tier {
    /// Points.
    pub points: f64,
    /// What it means.
    pub label: String,
    /// Condition.
    pub when: Condition,
}

/// An item.
#[derive(Debug, Clone)]
pub struct Item {
    /// Id.
    pub id: String,
    /// What is expected.
    pub label: String,
    /// Full credit.
    pub when: Condition,
    /// Partial credit (fraction, label, condition).
    pub partial: Option<(f64, String, Condition)>,
    /// Applicability.
    pub applies: Option<Condition>,
    /// Fixed points, if any item has them.
    pub points: Option<f64>,
    /// Where it belongs.
    pub path: Option<String>,
    /// Fix.
    pub fix: String,
}

/// Root folder scoring.
#[derive(Debug, Clone)]
pub struct RootEntries {
    /// Entry limit for full points.
    pub limit: u32,
    /// Steps above the limit `(max entries, points)`, ascending.
    pub steps: Vec<(u32, f64)>,
    /// Points per misplaced item.
    pub deduct: f64,
    /// Always-allowed names.
    pub allowed: GlobList,
    /// Misplaced kinds.
    pub misplaced: Vec<Misplaced>,
}

/// A kind of misplaced root item.
#[derive(Debug, Clone)]
pub struct Misplaced {
    /// Id.
    pub id: String,
    /// What it is.
    pub label: String,
    /// Name patterns (case-insensitive).
    pub names: GlobList,
    /// Where it belongs instead.
    pub fix: String,
}

/// Contract scoring.
#[derive(Debug, Clone)]
pub struct ContractScoring {
    /// Contract indices.
    pub contracts: Vec<usize>,
    /// Layer index scored by ratio.
    pub ratio_layer: Option<usize>,
    /// Score the ratio over every governed file with code, in every layer.
    pub ratio_all_layers: bool,
    /// The layer that must hold a file with code for there to be anything to judge.
    pub needs_layer: Option<usize>,
    /// Penalty per other violation.
    pub penalty: f64,
    /// Not applicable (rather than failing) when there is nothing to judge.
    pub empty_is_na: bool,
}

/// Expected files per domain module.
#[derive(Debug, Clone)]
pub struct DomainLayout {
    /// Expected entries `(name patterns, label)`.
    pub expect: Vec<(GlobList, String)>,
    /// Folders (service-root relative) that mirror the domains.
    pub mirror_in: Vec<String>,
    /// Not applicable when no domain exists.
    pub empty_is_na: bool,
}

/// Paths that must not exist.
#[derive(Debug, Clone)]
pub struct ForbiddenPaths {
    /// Points per match.
    pub deduct: f64,
    /// Kinds of forbidden entries.
    pub patterns: Vec<ForbiddenPattern>,
}

/// One kind of forbidden entry.
#[derive(Debug, Clone)]
pub struct ForbiddenPattern {
    /// Id.
    pub id: String,
    /// What it is.
    pub label: String,
    /// Entries.
    pub path: PathQuery,
    /// Fix.
    pub fix: String,
}
