//! Raw rule sets -> a validated [`Standard`]: merge an `extends` chain, compile every
//! pattern, resolve every reference, and collect every mistake (with file, line and column)
//! before giving up.

use std::collections::{HashMap, HashSet};

use regex::{Regex, RegexBuilder};

use super::model::{
    Band, Category, Check, CodeQuery, Condition, Contract, ContractScope, ContractScoring,
    DetectionRules, DomainLayout, DomainRules, EntryFilter, Evidence, ForbiddenPaths,
    ForbiddenPattern, FrameworkRule, GlobList, Guideline, Item, LanguageRule, Layer, Layout,
    LayoutEntry, Misplaced, Origin, PathQuery, Probe, ProjectKind, Role, RootEntries, Scope,
    Scoring, Signal, Standard, Tier,
};
use super::pattern::{NamePattern, PathGlob};
use super::raw::{
    RawCheck, RawCondition, RawContract, RawDetection, RawEvidence, RawFramework, RawGlobs,
    RawGuideline, RawLanguage, RawLayer, RawLayout, RawNames, RawPathQuery, RawRequire, RawRole,
    RawScope, RawStandard, RawWhenEmpty,
};
use super::yaml::{Mark, Spanned};
use super::{Diagnostic, Severity};

/// File names for diagnostics: `files[i]` is the i-th rule set of the chain, root first.
pub(super) struct Sources {
    pub files: Vec<String>,
    /// For each file, the positions of its YAML errors: the values there are stand-ins
    /// (see [`super::yaml::from_str_recovering`]), so nothing is reported about them.
    pub untrusted: Vec<HashSet<Mark>>,
    pub detection_file: String,
}

/// Index of the file an item came from (`usize::MAX` is the detection catalog).
type FileIx = usize;
const DETECTION_FILE: FileIx = usize::MAX;

struct Ctx<'a> {
    sources: &'a Sources,
    diagnostics: Vec<Diagnostic>,
    file: FileIx,
}

impl Ctx<'_> {
    fn file_name(&self) -> String {
        if self.file == DETECTION_FILE {
            self.sources.detection_file.clone()
        } else {
            self.sources
                .files
                .get(self.file)
                .cloned()
                .unwrap_or_default()
        }
    }

    /// Whether the value at `mark` is as written (not a stand-in for a value with a YAML
    /// error).
    fn trusted(&self, mark: Mark) -> bool {
        self.sources
            .untrusted
            .get(self.file)
            .is_none_or(|marks| !marks.contains(&mark))
    }

    fn error(&mut self, mark: Option<Mark>, message: impl Into<String>) {
        if mark.is_some_and(|mark| !self.trusted(mark)) {
            return;
        }
        let file = self.file_name();
        self.diagnostics.push(Diagnostic {
            file,
            mark,
            severity: Severity::Error,
            message: message.into(),
        });
    }

    /// An error about the shape of an element (an empty list, a missing choice). Skipped in a
    /// file with YAML errors: its recovered elements may lack the parts that failed, and the
    /// YAML errors already say why.
    fn shape_error(&mut self, mark: Option<Mark>, message: impl Into<String>) {
        let recovered = self
            .sources
            .untrusted
            .get(self.file)
            .is_some_and(|marks| !marks.is_empty());
        if !recovered {
            self.error(mark, message);
        }
    }

    fn warn(&mut self, mark: Option<Mark>, message: impl Into<String>) {
        let file = self.file_name();
        self.diagnostics.push(Diagnostic {
            file,
            mark,
            severity: Severity::Warning,
            message: message.into(),
        });
    }
}

/// Items of a list merged by id, each remembering its file.
struct ById<T> {
    items: Vec<(FileIx, T)>,
}

impl<T> ById<T> {
    fn new() -> Self {
        ById { items: Vec::new() }
    }

    fn merge(&mut self, file: FileIx, list: Vec<T>, id: impl Fn(&T) -> &str) {
        for item in list {
            if let Some(slot) = self.items.iter_mut().find(|(_, x)| id(x) == id(&item)) {
                *slot = (file, item);
            } else {
                self.items.push((file, item));
            }
        }
    }
}

/// The merged chain before validation.
struct Merged {
    leaf: RawStandard,
    bands: (FileIx, Vec<super::raw::RawBand>),
    categories: ById<super::raw::RawCategory>,
    languages: ById<RawLanguage>,
    frameworks: ById<RawFramework>,
    backend_signals: Vec<(FileIx, super::raw::RawSignal)>,
    frontend_signals: Vec<(FileIx, super::raw::RawSignal)>,
    project_roots: (FileIx, Vec<Spanned<String>>),
    domains: Option<(FileIx, super::raw::RawDomains)>,
    layers: ById<RawLayer>,
    contracts: ById<RawContract>,
    layouts: ById<RawLayout>,
    guidelines: ById<RawGuideline>,
    checks: ById<RawCheck>,
    disabled_contracts: HashSet<String>,
}

/// The most points one check may be worth (a total must stay a number JSON can carry).
const MAX_POINTS: f64 = 1000.0;

/// Report every id defined a second time in one list, at the second definition.
fn twice<'a>(ctx: &mut Ctx, ids: impl Iterator<Item = &'a Spanned<String>>, what: &str) {
    let mut seen: HashMap<&str, Mark> = HashMap::new();
    for id in ids {
        if let Some(first) = seen.get(id.value.as_str()) {
            ctx.error(
                Some(id.mark),
                format!(
                    "{what} `{}` is defined twice in this file (first at line {})",
                    id.value, first.line
                ),
            );
        } else {
            seen.insert(&id.value, id.mark);
        }
    }
}

fn merge(ctx: &mut Ctx, detection: RawDetection, chain: Vec<RawStandard>) -> Option<Merged> {
    let mut merged = Merged {
        leaf: chain.last()?.clone(),
        bands: (0, Vec::new()),
        categories: ById::new(),
        languages: ById::new(),
        frameworks: ById::new(),
        backend_signals: Vec::new(),
        frontend_signals: Vec::new(),
        project_roots: (DETECTION_FILE, Vec::new()),
        domains: None,
        layers: ById::new(),
        contracts: ById::new(),
        layouts: ById::new(),
        guidelines: ById::new(),
        checks: ById::new(),
        disabled_contracts: HashSet::new(),
    };
    merge_detection(&mut merged, DETECTION_FILE, detection);
    for (file, raw) in chain.into_iter().enumerate() {
        ctx.file = file;
        for id in &raw.disable {
            let before = merged.checks.items.len() + merged.contracts.items.len();
            merged.checks.items.retain(|(_, c)| c.id.value != id.value);
            merged
                .contracts
                .items
                .retain(|(_, c)| c.id.value != id.value);
            if before == merged.checks.items.len() + merged.contracts.items.len() {
                ctx.error(
                    Some(id.mark),
                    format!(
                        "`disable: {}` names no check or contract of the extended rule set",
                        id.value
                    ),
                );
            } else {
                merged.disabled_contracts.insert(id.value.clone());
            }
        }
        for change in &raw.overrides {
            let Some((_, check)) = merged
                .checks
                .items
                .iter_mut()
                .find(|(_, c)| c.id.value == change.id.value)
            else {
                ctx.error(
                    Some(change.id.mark),
                    format!(
                        "`overrides` names `{}`, which is not a check of the extended rule set",
                        change.id.value
                    ),
                );
                continue;
            };
            if let Some(points) = &change.points {
                if check.points.value > 0.0 && points.value > 0.0 {
                    scale_check(check, points.value / check.points.value);
                }
                check.points = points.clone();
            }
            if let Some(title) = &change.title {
                check.title.clone_from(title);
            }
            if let Some(category) = &change.category {
                check.category = category.clone();
            }
            if let Some(fix) = &change.fix {
                check.fix.value.clone_from(fix);
            }
            if let Some(why) = &change.why {
                check.why.clone_from(why);
            }
        }
        if !raw.bands.is_empty() {
            merged.bands = (file, raw.bands.clone());
        }
        // Within one file an id is defined once: a second definition would silently replace
        // the first (extending a rule set is how a definition is replaced).
        twice(ctx, raw.categories.iter().map(|c| &c.id), "category");
        twice(ctx, raw.layers.iter().map(|l| &l.id), "layer");
        twice(ctx, raw.contracts.iter().map(|c| &c.id), "contract");
        twice(ctx, raw.layouts.iter().map(|l| &l.id), "layout");
        twice(ctx, raw.checks.iter().map(|c| &c.id), "check");
        merged
            .categories
            .merge(file, raw.categories.clone(), |c| &c.id.value);
        if let Some(detection) = raw.detection.clone() {
            merge_detection(&mut merged, file, detection);
        }
        if let Some(domains) = raw.domains.clone() {
            merged.domains = Some((file, domains));
        }
        merged
            .layers
            .merge(file, raw.layers.clone(), |l| &l.id.value);
        merged
            .contracts
            .merge(file, raw.contracts.clone(), |c| &c.id.value);
        merged
            .layouts
            .merge(file, raw.layouts.clone(), |l| &l.id.value);
        merged
            .guidelines
            .merge(file, raw.guidelines.clone(), |g| &g.id.value);
        merged
            .checks
            .merge(file, raw.checks.clone(), |c| &c.id.value);
        merged.leaf = raw;
    }
    Some(merged)
}

/// Scale every point figure of a check, so that overriding its points keeps its scale
/// (a tier worth the full 5 of 5 is worth the full 10 of 10).
fn scale_check(check: &mut RawCheck, factor: f64) {
    let scale = |value: &mut Spanned<f64>| value.value *= factor;
    if let Some(tiers) = &mut check.tiers {
        for tier in tiers.iter_mut() {
            scale(&mut tier.points);
        }
    }
    if let Some(items) = &mut check.items {
        items
            .iter_mut()
            .filter_map(|i| i.points.as_mut())
            .for_each(scale);
    }
    if let Some(root) = &mut check.root_entries {
        root.steps.iter_mut().for_each(|s| scale(&mut s.points));
        scale(&mut root.deduct);
    }
    if let Some(contracts) = &mut check.contracts {
        scale(&mut contracts.penalty);
    }
    if let Some(forbidden) = &mut check.forbidden_paths {
        scale(&mut forbidden.deduct);
    }
}

fn merge_detection(merged: &mut Merged, file: FileIx, detection: RawDetection) {
    merged
        .languages
        .merge(file, detection.languages, |l| &l.id.value);
    merged
        .frameworks
        .merge(file, detection.frameworks, |f| &f.id.value);
    merged
        .backend_signals
        .extend(detection.backend_signals.into_iter().map(|s| (file, s)));
    merged
        .frontend_signals
        .extend(detection.frontend_signals.into_iter().map(|s| (file, s)));
    if !detection.project_roots.is_empty() {
        merged.project_roots = (file, detection.project_roots);
    }
}

/// Validate a chain of raw rule sets (root first) against the detection catalog.
pub(super) fn validate(
    sources: &Sources,
    detection: &RawDetection,
    chain: Vec<RawStandard>,
) -> Result<(Standard, Vec<Diagnostic>), Vec<Diagnostic>> {
    let mut ctx = Ctx {
        sources,
        diagnostics: Vec::new(),
        file: 0,
    };
    let Some(merged) = merge(&mut ctx, detection.clone(), chain) else {
        ctx.error(None, "no rule set to validate");
        return Err(ctx.diagnostics);
    };
    let leaf_file = sources.files.len().saturating_sub(1);
    ctx.file = leaf_file;
    let leaf = &merged.leaf;
    check_id(&mut ctx, &leaf.id, "standard id");

    let detection = validate_detection(&mut ctx, &merged);
    let bands = validate_bands(&mut ctx, &merged);
    let categories = validate_categories(&mut ctx, &merged);
    let domains = validate_domains(&mut ctx, &merged);
    let layers = validate_layers(&mut ctx, &merged);
    let refs = Refs {
        languages: detection.languages.iter().map(|l| l.id.clone()).collect(),
        frameworks: detection.frameworks.iter().map(|f| f.id.clone()).collect(),
        layers: layers.iter().map(|l| l.id.clone()).collect(),
        categories: categories.iter().map(|c| c.id.clone()).collect(),
    };
    let contracts = validate_contracts(&mut ctx, &merged, &refs);
    let contract_ids: Vec<String> = contracts.iter().map(|c| c.id.clone()).collect();
    let layouts = validate_layouts(&mut ctx, &merged, &refs);
    let checks = validate_checks(&mut ctx, &merged, &refs, &contract_ids);
    let guidelines = validate_guidelines(&mut ctx, &merged, &checks, &contract_ids);

    ctx.file = leaf_file;
    let total: f64 = checks.iter().map(|c| c.points).sum();
    let sane = checks
        .iter()
        .all(|c| c.points > 0.0 && c.points <= MAX_POINTS);
    if sane && !checks.is_empty() && (total - 100.0).abs() > 1e-6 {
        ctx.warn(
            Some(leaf.id.mark),
            format!("checks add up to {total} points, not 100; scores are scaled to 100"),
        );
    }
    if checks.is_empty() {
        ctx.warn(
            Some(leaf.id.mark),
            "the rule set has no checks; every audit scores 0",
        );
    }

    let (errors, warnings): (Vec<_>, Vec<_>) = ctx
        .diagnostics
        .into_iter()
        .partition(|d| d.severity == Severity::Error);
    if !errors.is_empty() {
        let mut all = errors;
        all.extend(warnings);
        return Err(all);
    }
    let mut checks = checks;
    // Report order: by category order, then as written.
    checks.sort_by_key(|c| categories.iter().position(|cat| cat.id == c.category));
    Ok((
        Standard {
            id: leaf.id.value.clone(),
            name: leaf.name.clone(),
            version: leaf.version.clone(),
            description: leaf.description.clone(),
            sources: leaf.sources.clone(),
            origin: Origin::Builtin,
            bands,
            categories,
            detection,
            domains,
            layers,
            contracts,
            layouts,
            guidelines,
            checks,
        },
        warnings,
    ))
}

/// Ids that conditions and contracts may refer to.
struct Refs {
    languages: Vec<String>,
    frameworks: Vec<String>,
    layers: Vec<String>,
    categories: Vec<String>,
}

fn id_regex() -> &'static Regex {
    static RE: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"^[a-z0-9]+(?:[._-][a-z0-9]+)*$").unwrap_or_else(|_| unreachable!())
    })
}

fn check_id(ctx: &mut Ctx, id: &Spanned<String>, what: &str) {
    if !id_regex().is_match(&id.value) {
        ctx.error(
            Some(id.mark),
            format!(
                "{what} `{}` must be lowercase letters and digits joined by `.`, `-` or `_`",
                id.value
            ),
        );
    }
}

fn unique(ctx: &mut Ctx, seen: &mut HashMap<String, Mark>, id: &Spanned<String>, what: &str) {
    if let Some(first) = seen.get(&id.value) {
        ctx.error(
            Some(id.mark),
            format!(
                "duplicate {what} id `{}` (first defined at line {})",
                id.value, first.line
            ),
        );
    } else {
        seen.insert(id.value.clone(), id.mark);
    }
}

fn globs(ctx: &mut Ctx, raw: &RawGlobs, ignore_case: bool) -> GlobList {
    let mut list = Vec::new();
    for glob in &raw.0 {
        match PathGlob::new(&glob.value, ignore_case) {
            Ok(compiled) => list.push(compiled),
            Err(message) => ctx.error(Some(glob.mark), message),
        }
    }
    GlobList(list)
}

/// The compiled size a rule-set regex may have.
const REGEX_SIZE_LIMIT: usize = 64 << 10;

fn regex(ctx: &mut Ctx, raw: &Spanned<String>, case_insensitive: bool) -> Option<Regex> {
    // Small enough that no rule-set regex can take more than a moment on a 2 MiB file (a
    // pattern near the old 1 MiB limit took minutes): matching time grows with its size.
    match RegexBuilder::new(&raw.value)
        .case_insensitive(case_insensitive)
        .size_limit(REGEX_SIZE_LIMIT)
        .build()
    {
        Ok(re) => Some(re),
        Err(err) => {
            let detail = err.to_string();
            let last = detail.lines().last().unwrap_or("invalid").trim();
            let last = last.strip_prefix("error: ").unwrap_or(last).to_owned();
            ctx.error(
                Some(raw.mark),
                format!("invalid regular expression `{}`: {last}", raw.value),
            );
            None
        }
    }
}

fn names(ctx: &mut Ctx, raw: &RawNames) -> Vec<NamePattern> {
    let mut out = Vec::new();
    for name in &raw.0 {
        match NamePattern::new(&name.value) {
            Ok(pattern) => out.push(pattern),
            Err(message) => ctx.error(Some(name.mark), message),
        }
    }
    out
}

fn path_query(ctx: &mut Ctx, raw: &RawPathQuery, mark: Mark) -> PathQuery {
    if raw.glob.0.is_empty() {
        ctx.shape_error(Some(mark), "a path query needs at least one glob");
    }
    let min = match &raw.min {
        Some(min) if min.value == 0 => {
            ctx.error(Some(min.mark), "`min: 0` always holds; use at least 1");
            1
        }
        Some(min) => min.value,
        None => 1,
    };
    PathQuery {
        globs: globs(ctx, &raw.glob, raw.ignore_case),
        exclude: globs(ctx, &raw.exclude, raw.ignore_case),
        scope: scope(raw.scope),
        min,
        placeholders_count: raw.placeholders_count.unwrap_or(false),
        ignore_case: raw.ignore_case,
    }
}

/// The mark of a condition: its first located part.
fn condition_mark(raw: &RawCondition) -> Option<Mark> {
    match raw {
        RawCondition::Path(q) | RawCondition::File(q) | RawCondition::Dir(q) => {
            q.glob.0.first().map(|g| g.mark)
        }
        RawCondition::Content(c) => Some(c.regex.mark),
        RawCondition::Section(s) => Some(s.heading.mark),
        RawCondition::Dependency(n)
        | RawCondition::Framework(n)
        | RawCondition::Language(n)
        | RawCondition::Kind(n)
        | RawCondition::Layer(n) => n.0.first().map(|s| s.mark),
        RawCondition::Imports(q) | RawCondition::Calls(q) => q.names.0.first().map(|s| s.mark),
        RawCondition::Domains(c) => Some(c.min.mark),
        RawCondition::Ignored(i) => i.probes.first().map(|p| p.path.mark),
        RawCondition::Any(list) | RawCondition::All(list) => list.iter().find_map(condition_mark),
        RawCondition::Not(inner) => condition_mark(inner),
    }
}

fn condition(ctx: &mut Ctx, raw: &RawCondition, refs: &Refs, at: Mark) -> Condition {
    let mark = condition_mark(raw).unwrap_or(at);
    match raw {
        RawCondition::Path(q) => Condition::Path(path_query(ctx, q, mark), EntryFilter::Any),
        RawCondition::File(q) => Condition::Path(path_query(ctx, q, mark), EntryFilter::File),
        RawCondition::Dir(q) => Condition::Path(path_query(ctx, q, mark), EntryFilter::Dir),
        RawCondition::Content(c) => {
            let files = path_query(ctx, &c.files, mark);
            let re = regex(ctx, &c.regex, false);
            match re {
                Some(regex) => Condition::Content {
                    files,
                    regex,
                    skip_comment_lines: c.skip_comment_lines,
                },
                None => Condition::Any(Vec::new()),
            }
        }
        RawCondition::Section(s) => {
            let files = path_query(ctx, &s.files, mark);
            match regex(ctx, &s.heading, true) {
                Some(heading) => Condition::Section { files, heading },
                None => Condition::Any(Vec::new()),
            }
        }
        RawCondition::Dependency(n) => {
            non_empty(ctx, n, mark, "dependency");
            Condition::Dependency(n.0.iter().map(|s| s.value.clone()).collect())
        }
        RawCondition::Framework(n) => {
            non_empty(ctx, n, mark, "framework");
            for name in &n.0 {
                if !refs.frameworks.contains(&name.value) {
                    ctx.error(
                        Some(name.mark),
                        format!(
                            "unknown framework `{}`; known: {}",
                            name.value,
                            refs.frameworks.join(", ")
                        ),
                    );
                }
            }
            Condition::Framework(n.0.iter().map(|s| s.value.clone()).collect())
        }
        RawCondition::Language(n) => {
            non_empty(ctx, n, mark, "language");
            for name in &n.0 {
                if !refs.languages.contains(&name.value) {
                    ctx.error(
                        Some(name.mark),
                        format!(
                            "unknown language `{}`; known: {}",
                            name.value,
                            refs.languages.join(", ")
                        ),
                    );
                }
            }
            Condition::Language(n.0.iter().map(|s| s.value.clone()).collect())
        }
        RawCondition::Kind(n) => {
            non_empty(ctx, n, mark, "kind");
            let mut kinds = Vec::new();
            for name in &n.0 {
                match ProjectKind::parse(&name.value) {
                    Some(kind) => kinds.push(kind),
                    None => ctx.error(
                        Some(name.mark),
                        format!(
                            "unknown project kind `{}`; known: backend, frontend, library, unknown",
                            name.value
                        ),
                    ),
                }
            }
            Condition::Kind(kinds)
        }
        RawCondition::Imports(q) | RawCondition::Calls(q) => {
            non_empty(ctx, &q.names, mark, "name");
            let query = CodeQuery {
                names: names(ctx, &q.names),
                files: q.files.as_ref().map(|f| path_query(ctx, f, mark)),
            };
            if matches!(raw, RawCondition::Imports(_)) {
                Condition::Imports(query)
            } else {
                Condition::Calls(query)
            }
        }
        RawCondition::Layer(n) => {
            non_empty(ctx, n, mark, "layer");
            let mut layers = Vec::new();
            for name in &n.0 {
                match refs.layers.iter().position(|l| *l == name.value) {
                    Some(index) => layers.push(index),
                    None => ctx.error(
                        Some(name.mark),
                        format!(
                            "unknown layer `{}`; known: {}",
                            name.value,
                            refs.layers.join(", ")
                        ),
                    ),
                }
            }
            Condition::Layer(layers)
        }
        RawCondition::Domains(c) => {
            if c.min.value == 0 {
                ctx.error(
                    Some(c.min.mark),
                    "`domains: {min: 0}` always holds; use at least 1",
                );
            }
            Condition::Domains(c.min.value)
        }
        RawCondition::Ignored(i) => {
            if i.probes.is_empty() {
                ctx.shape_error(Some(mark), "`ignored` needs at least one probe");
            }
            let mut probes = Vec::new();
            for probe in &i.probes {
                for path in std::iter::once(&probe.path).chain(&probe.or) {
                    let value = path.value.trim();
                    if value.is_empty()
                        || value.starts_with('/')
                        || value.split('/').any(|part| part == "..")
                    {
                        ctx.error(
                            Some(path.mark),
                            "a probe is a relative path inside the repository such as `node_modules/` or `app.log`",
                        );
                    }
                }
                if let Some(language) = &probe.language
                    && !refs.languages.contains(&language.value)
                {
                    ctx.error(
                        Some(language.mark),
                        format!(
                            "unknown language `{}`; known: {}",
                            language.value,
                            refs.languages.join(", ")
                        ),
                    );
                }
                probes.push(Probe {
                    path: probe.path.value.clone(),
                    or: probe.or.iter().map(|o| o.value.clone()).collect(),
                    language: probe.language.as_ref().map(|l| l.value.clone()),
                });
            }
            Condition::Ignored {
                probes,
                require_all: i.require == RawRequire::All,
            }
        }
        RawCondition::Any(list) | RawCondition::All(list) => {
            if list.is_empty() {
                ctx.shape_error(
                    Some(at),
                    "an empty `any`/`all` list is a constant; write a real condition",
                );
            }
            let items = list.iter().map(|c| condition(ctx, c, refs, mark)).collect();
            if matches!(raw, RawCondition::Any(_)) {
                Condition::Any(items)
            } else {
                Condition::All(items)
            }
        }
        RawCondition::Not(inner) => Condition::Not(Box::new(condition(ctx, inner, refs, mark))),
    }
}

fn non_empty(ctx: &mut Ctx, names: &RawNames, mark: Mark, what: &str) {
    if names.0.is_empty() {
        ctx.shape_error(Some(mark), format!("at least one {what} is needed"));
    }
}

fn validate_detection(ctx: &mut Ctx, merged: &Merged) -> DetectionRules {
    let mut languages = Vec::new();
    let mut seen = HashMap::new();
    for (file, raw) in &merged.languages.items {
        ctx.file = *file;
        check_id(ctx, &raw.id, "language");
        unique(ctx, &mut seen, &raw.id, "language");
        languages.push(LanguageRule {
            id: raw.id.value.clone(),
            name: raw.name.clone(),
            manifests: raw.manifests.clone(),
            extensions: raw.extensions.clone(),
        });
    }
    let language_ids: Vec<String> = languages.iter().map(|l| l.id.clone()).collect();
    let framework_ids: Vec<String> = merged
        .frameworks
        .items
        .iter()
        .map(|(_, f)| f.id.value.clone())
        .collect();
    let mut frameworks = Vec::new();
    let mut seen = HashMap::new();
    for (file, raw) in &merged.frameworks.items {
        ctx.file = *file;
        check_id(ctx, &raw.id, "framework");
        unique(ctx, &mut seen, &raw.id, "framework");
        if !language_ids.contains(&raw.language.value) {
            ctx.error(
                Some(raw.language.mark),
                format!(
                    "unknown language `{}`; known: {}",
                    raw.language.value,
                    language_ids.join(", ")
                ),
            );
        }
        if raw.evidence.is_empty() {
            ctx.shape_error(
                Some(raw.id.mark),
                format!("framework `{}` has no evidence", raw.id.value),
            );
        }
        for other in &raw.superseded_by {
            if !framework_ids.contains(&other.value) {
                ctx.error(
                    Some(other.mark),
                    format!("`superseded_by` names unknown framework `{}`", other.value),
                );
            }
        }
        let mut evidence = Vec::new();
        for item in &raw.evidence {
            evidence.push(match item {
                RawEvidence::Dependency(name) => Evidence::Dependency(name.value.clone()),
                RawEvidence::DevDependency(name) => Evidence::DevDependency(name.value.clone()),
                RawEvidence::File(f) => Evidence::File {
                    globs: globs(ctx, &f.glob, false),
                    contains: f.contains.as_ref().and_then(|c| regex(ctx, c, false)),
                },
                RawEvidence::Import(i) => match NamePattern::new(&i.module.value) {
                    Ok(module) => Evidence::Import {
                        module,
                        files: globs(ctx, &i.files, false),
                    },
                    Err(message) => {
                        ctx.error(Some(i.module.mark), message);
                        continue;
                    }
                },
            });
        }
        frameworks.push(FrameworkRule {
            id: raw.id.value.clone(),
            name: raw.name.clone(),
            language: raw.language.value.clone(),
            role: match raw.role {
                RawRole::Web => Role::Web,
                RawRole::Frontend => Role::Frontend,
                RawRole::Jobs => Role::Jobs,
                RawRole::Orm => Role::Orm,
                RawRole::Migrations => Role::Migrations,
                RawRole::ApiDocs => Role::ApiDocs,
                RawRole::Testing => Role::Testing,
            },
            evidence,
            superseded_by: raw.superseded_by.iter().map(|s| s.value.clone()).collect(),
        });
    }
    let signal = |ctx: &mut Ctx, list: &[(FileIx, super::raw::RawSignal)]| {
        list.iter()
            .map(|(file, raw)| {
                ctx.file = *file;
                Signal {
                    label: raw.label.clone(),
                    paths: globs(ctx, &raw.path, false),
                }
            })
            .collect::<Vec<_>>()
    };
    let backend_signals = signal(ctx, &merged.backend_signals);
    let frontend_signals = signal(ctx, &merged.frontend_signals);
    ctx.file = merged.project_roots.0;
    let mut project_roots = Vec::new();
    for root in &merged.project_roots.1 {
        let value = root.value.trim_end_matches('/');
        if value.starts_with('/') || value.split('/').any(|p| p == "..") {
            ctx.error(
                Some(root.mark),
                format!(
                    "project root `{}` must stay inside the repository",
                    root.value
                ),
            );
        } else if value != "."
            && let Err(message) = PathGlob::new(value, false)
        {
            ctx.error(Some(root.mark), message);
        }
        project_roots.push(value.to_owned());
    }
    if project_roots.is_empty() {
        project_roots.push(".".to_owned());
    }
    DetectionRules {
        languages,
        frameworks,
        backend_signals,
        frontend_signals,
        project_roots,
    }
}

fn validate_bands(ctx: &mut Ctx, merged: &Merged) -> Vec<Band> {
    ctx.file = merged.bands.0;
    if merged.bands.1.is_empty() {
        return vec![
            Band {
                id: "production-ready".into(),
                min: 90.0,
                description: None,
            },
            Band {
                id: "needs-improvement".into(),
                min: 70.0,
                description: None,
            },
            Band {
                id: "not-ready".into(),
                min: 0.0,
                description: None,
            },
        ];
    }
    let mut seen = HashMap::new();
    let mut bands = Vec::new();
    let mut previous: Option<f64> = None;
    for raw in &merged.bands.1 {
        check_id(ctx, &raw.id, "band");
        unique(ctx, &mut seen, &raw.id, "band");
        let min = raw.min.value;
        if !(0.0..=100.0).contains(&min) {
            ctx.error(Some(raw.min.mark), "band `min` must be between 0 and 100");
        }
        if previous.is_some_and(|p| min >= p) {
            ctx.shape_error(
                Some(raw.min.mark),
                "bands must be listed from the highest `min` down",
            );
        }
        previous = Some(min);
        bands.push(Band {
            id: raw.id.value.clone(),
            min,
            description: raw.description.clone(),
        });
    }
    if let Some(last) = merged.bands.1.last()
        && last.min.value > 0.0
    {
        ctx.shape_error(
            Some(last.min.mark),
            "the lowest band must start at 0, or low scores have no band",
        );
    }
    bands
}

fn validate_categories(ctx: &mut Ctx, merged: &Merged) -> Vec<Category> {
    let mut seen = HashMap::new();
    merged
        .categories
        .items
        .iter()
        .map(|(file, raw)| {
            ctx.file = *file;
            check_id(ctx, &raw.id, "category");
            unique(ctx, &mut seen, &raw.id, "category");
            Category {
                id: raw.id.value.clone(),
                title: raw.title.clone(),
            }
        })
        .collect()
}

fn scope(raw: RawScope) -> Scope {
    match raw {
        RawScope::Service => Scope::Service,
        RawScope::Repo => Scope::Repo,
        RawScope::Either => Scope::Either,
        RawScope::Source => Scope::Source,
    }
}

fn validate_domains(ctx: &mut Ctx, merged: &Merged) -> DomainRules {
    let Some((file, raw)) = &merged.domains else {
        return DomainRules {
            min_layer_entries: 2,
            min_layers: 1,
            ..DomainRules::default()
        };
    };
    ctx.file = *file;
    let min_layer_entries = match &raw.min_layer_entries {
        Some(n) if n.value == 0 => {
            ctx.error(Some(n.mark), "`min_layer_entries` must be at least 1");
            1
        }
        Some(n) => n.value,
        None => 2,
    };
    DomainRules {
        roots: globs(ctx, &raw.roots, false),
        exclude: raw.exclude.clone(),
        min_layer_entries,
        min_layers: match &raw.min_layers {
            Some(n) if n.value == 0 => {
                ctx.error(Some(n.mark), "`min_layers` must be at least 1");
                1
            }
            Some(n) => {
                let layers = merged.layers.items.len();
                if n.value as usize > layers {
                    ctx.warn(
                        Some(n.mark),
                        format!(
                            "`min_layers: {}` is more than the {layers} layers the rule set defines: no folder can be a domain module",
                            n.value
                        ),
                    );
                }
                n.value
            }
            None => 1,
        },
        markers: {
            for marker in &raw.markers.0 {
                if marker.value.contains('/') {
                    ctx.error(
                        Some(marker.mark),
                        "a marker is a file name (`apps.py`, `*.module.ts`), matched in the folder itself",
                    );
                }
            }
            globs(ctx, &raw.markers, false)
        },
        scope: scope(raw.scope),
    }
}

fn validate_layers(ctx: &mut Ctx, merged: &Merged) -> Vec<Layer> {
    let mut seen = HashMap::new();
    merged
        .layers
        .items
        .iter()
        .map(|(file, raw)| {
            ctx.file = *file;
            check_id(ctx, &raw.id, "layer");
            unique(ctx, &mut seen, &raw.id, "layer");
            if raw.id.value == "any" {
                ctx.error(
                    Some(raw.id.mark),
                    "`any` is reserved for contracts over every domain file",
                );
            }
            if raw.paths.0.is_empty() {
                ctx.shape_error(
                    Some(raw.id.mark),
                    format!("layer `{}` has no paths", raw.id.value),
                );
            }
            Layer {
                id: raw.id.value.clone(),
                title: raw.title.clone(),
                paths: globs(ctx, &raw.paths, false),
                exclude: globs(ctx, &raw.exclude, false),
            }
        })
        .collect()
}

fn validate_contracts(ctx: &mut Ctx, merged: &Merged, refs: &Refs) -> Vec<Contract> {
    let mut seen = HashMap::new();
    let mut out = Vec::new();
    for (file, raw) in &merged.contracts.items {
        ctx.file = *file;
        check_id(ctx, &raw.id, "contract");
        unique(ctx, &mut seen, &raw.id, "contract");
        let scope = if raw.layer.value == "any" {
            ContractScope::AnyDomainFile
        } else if let Some(index) = refs.layers.iter().position(|l| *l == raw.layer.value) {
            ContractScope::Layer(index)
        } else {
            ctx.error(
                Some(raw.layer.mark),
                format!(
                    "unknown layer `{}`; known: {} (or `any`)",
                    raw.layer.value,
                    refs.layers.join(", ")
                ),
            );
            ContractScope::AnyDomainFile
        };
        let forbid = &raw.forbid;
        let mut layers = Vec::new();
        for layer in &forbid.layers {
            match refs.layers.iter().position(|l| *l == layer.value) {
                Some(index) => layers.push(index),
                None => ctx.error(
                    Some(layer.mark),
                    format!(
                        "unknown layer `{}`; known: {}",
                        layer.value,
                        refs.layers.join(", ")
                    ),
                ),
            }
        }
        if let (Some(first), true) = (forbid.allow_imports.0.first(), forbid.imports.0.is_empty()) {
            ctx.warn(
                Some(first.mark),
                "`allow_imports` makes exceptions to `imports`, which this contract does not have",
            );
        }
        if let (Some(first), true) = (forbid.not_on.first(), forbid.calls.0.is_empty()) {
            ctx.warn(
                Some(first.mark),
                "`not_on` makes exceptions to `calls`, which this contract does not have",
            );
        }
        let forbids_something = !forbid.imports.0.is_empty()
            || !forbid.calls.0.is_empty()
            || !forbid.raises.0.is_empty()
            || forbid.sql
            || forbid.loops
            || forbid.conditionals
            || !forbid.layers.is_empty()
            || forbid.cross_domain_symbols;
        if !forbids_something {
            ctx.shape_error(
                Some(raw.id.mark),
                format!(
                    "contract `{}` forbids nothing; add to `forbid:`",
                    raw.id.value
                ),
            );
        }
        for language in &raw.languages {
            if !refs.languages.contains(&language.value) {
                ctx.error(
                    Some(language.mark),
                    format!(
                        "unknown language `{}`; known: {}",
                        language.value,
                        refs.languages.join(", ")
                    ),
                );
            }
        }
        out.push(Contract {
            id: raw.id.value.clone(),
            title: raw.title.clone(),
            scope,
            why: raw.why.clone(),
            fix: raw.fix.clone(),
            imports: names(ctx, &forbid.imports),
            allow_imports: names(ctx, &forbid.allow_imports),
            calls: names(ctx, &forbid.calls),
            not_on: forbid
                .not_on
                .iter()
                .filter_map(|name| {
                    if name.value.trim().is_empty() || name.value.contains(['/', '.', ':']) {
                        ctx.error(
                            Some(name.mark),
                            "a receiver pattern is one name segment (`*service`, `request`)",
                        );
                        return None;
                    }
                    match globset::GlobBuilder::new(&name.value.to_ascii_lowercase())
                        .literal_separator(true)
                        .build()
                    {
                        Ok(glob) => Some(glob.compile_matcher()),
                        Err(err) => {
                            ctx.error(Some(name.mark), format!("invalid receiver pattern: {err}"));
                            None
                        }
                    }
                })
                .collect(),
            weight: match &raw.weight {
                Some(w) if !(w.value > 0.0 && w.value <= 1.0) => {
                    ctx.error(Some(w.mark), "`weight` must be more than 0 and at most 1");
                    1.0
                }
                Some(w) => w.value,
                None => 1.0,
            },
            raises: names(ctx, &forbid.raises),
            sql: forbid.sql,
            loops: forbid.loops,
            conditionals: forbid.conditionals,
            layers,
            cross_domain_symbols: forbid.cross_domain_symbols,
            languages: raw.languages.iter().map(|l| l.value.clone()).collect(),
        });
    }
    out
}

fn validate_layouts(ctx: &mut Ctx, merged: &Merged, refs: &Refs) -> Vec<Layout> {
    let mut seen = HashMap::new();
    let mut out = Vec::new();
    for (file, raw) in &merged.layouts.items {
        ctx.file = *file;
        check_id(ctx, &raw.id, "layout");
        unique(ctx, &mut seen, &raw.id, "layout");
        let when = raw
            .when
            .as_ref()
            .map(|c| condition(ctx, c, refs, raw.id.mark));
        let mut tree = Vec::new();
        for entry in &raw.tree {
            let path = &entry.path.value;
            if path.is_empty()
                || path.starts_with('/')
                || path.split('/').any(|p| p == ".." || p == ".")
            {
                ctx.error(
                    Some(entry.path.mark),
                    format!("layout path `{path}` must be relative and stay inside the project"),
                );
            }
            tree.push(LayoutEntry {
                path: path.clone(),
                note: entry.note.clone(),
            });
        }
        out.push(Layout {
            id: raw.id.value.clone(),
            title: raw.title.clone(),
            when,
            tree,
        });
    }
    out
}

fn validate_guidelines(
    ctx: &mut Ctx,
    merged: &Merged,
    checks: &[Check],
    contracts: &[String],
) -> Vec<Guideline> {
    let mut seen = HashMap::new();
    let mut out = Vec::new();
    for (file, raw) in &merged.guidelines.items {
        ctx.file = *file;
        check_id(ctx, &raw.id, "guideline");
        unique(ctx, &mut seen, &raw.id, "guideline");
        let mut enforced_by = Vec::new();
        for id in &raw.enforced_by {
            let known = checks.iter().any(|c| c.id == id.value) || contracts.contains(&id.value);
            if known {
                enforced_by.push(id.value.clone());
            } else if !merged.disabled_contracts.contains(&id.value) {
                ctx.error(
                    Some(id.mark),
                    format!(
                        "`enforced_by` names `{}`, which is no check or contract",
                        id.value
                    ),
                );
            }
        }
        out.push(Guideline {
            id: raw.id.value.clone(),
            text: raw.text.clone(),
            enforced_by,
        });
    }
    out
}

fn validate_checks(
    ctx: &mut Ctx,
    merged: &Merged,
    refs: &Refs,
    contracts: &[String],
) -> Vec<Check> {
    let mut seen = HashMap::new();
    let mut out = Vec::new();
    for (file, raw) in &merged.checks.items {
        ctx.file = *file;
        check_id(ctx, &raw.id, "check");
        unique(ctx, &mut seen, &raw.id, "check");
        if !refs.categories.contains(&raw.category.value) {
            ctx.error(
                Some(raw.category.mark),
                format!(
                    "unknown category `{}`; known: {}",
                    raw.category.value,
                    refs.categories.join(", ")
                ),
            );
        }
        let points = raw.points.value;
        if !(points > 0.0 && points <= MAX_POINTS) {
            ctx.error(
                Some(raw.points.mark),
                format!("`points` must be a positive number up to {MAX_POINTS}"),
            );
        }
        if raw.fix.trim().is_empty() {
            ctx.error(
                Some(raw.fix.mark),
                format!("check `{}` needs a `fix`", raw.id.value),
            );
        }
        let not_applicable = raw.not_applicable.as_ref().map(|na| {
            if na.reason.trim().is_empty() {
                ctx.error(Some(na.reason.mark), "`not_applicable` needs a `reason`");
            }
            (
                condition(ctx, &na.when, refs, raw.id.mark),
                na.reason.value.clone(),
            )
        });
        let kinds = [
            raw.tiers.is_some(),
            raw.items.is_some(),
            raw.root_entries.is_some(),
            raw.contracts.is_some(),
            raw.domain_layout.is_some(),
            raw.forbidden_paths.is_some(),
        ]
        .iter()
        .filter(|x| **x)
        .count();
        if kinds != 1 {
            ctx.shape_error(
                Some(raw.id.mark),
                format!(
                    "check `{}` needs exactly one of `tiers`, `items`, `root_entries`, `contracts`, `domain_layout`, `forbidden_paths` (found {kinds})",
                    raw.id.value
                ),
            );
            continue;
        }
        let scoring = if let Some(tiers) = &raw.tiers {
            scoring_tiers(ctx, raw, tiers, refs)
        } else if let Some(items) = &raw.items {
            scoring_items(ctx, raw, items, refs)
        } else if let Some(root) = &raw.root_entries {
            scoring_root(ctx, raw, root)
        } else if let Some(scoring) = &raw.contracts {
            scoring_contracts(ctx, merged, scoring, refs, contracts)
        } else if let Some(layout) = &raw.domain_layout {
            if layout.expect.is_empty() && layout.mirror_in.is_empty() {
                ctx.shape_error(
                    Some(raw.id.mark),
                    "`domain_layout` needs `expect` entries or `mirror_in` folders",
                );
            }
            let mut mirror_in = Vec::new();
            for dir in &layout.mirror_in {
                let value = dir.value.trim_end_matches('/');
                if value.is_empty() || value.starts_with('/') || value.split('/').any(|p| p == "..")
                {
                    ctx.error(
                        Some(dir.mark),
                        format!(
                            "`mirror_in: {}` must be a folder inside the service",
                            dir.value
                        ),
                    );
                }
                mirror_in.push(value.to_owned());
            }
            Scoring::DomainLayout(DomainLayout {
                expect: layout
                    .expect
                    .iter()
                    .map(|e| (globs(ctx, &e.name, false), e.label.clone()))
                    .collect(),
                mirror_in,
                empty_is_na: layout.when_empty == RawWhenEmpty::NotApplicable,
            })
        } else if let Some(forbidden) = &raw.forbidden_paths {
            if forbidden.deduct.value < 0.0 {
                ctx.error(Some(forbidden.deduct.mark), "`deduct` cannot be negative");
            }
            if forbidden.patterns.is_empty() {
                ctx.shape_error(
                    Some(raw.id.mark),
                    "`forbidden_paths.patterns` needs at least one pattern",
                );
            }
            let mut seen = HashMap::new();
            let patterns = forbidden
                .patterns
                .iter()
                .map(|p| {
                    unique(ctx, &mut seen, &p.id, "pattern");
                    ForbiddenPattern {
                        id: p.id.value.clone(),
                        label: p.label.clone(),
                        path: path_query(ctx, &p.path, p.id.mark),
                        fix: p.fix.clone(),
                    }
                })
                .collect();
            Scoring::ForbiddenPaths(ForbiddenPaths {
                deduct: forbidden.deduct.value,
                patterns,
            })
        } else {
            continue;
        };
        out.push(Check {
            id: raw.id.value.clone(),
            category: raw.category.value.clone(),
            title: raw.title.clone(),
            points,
            why: raw.why.clone(),
            fix: raw.fix.value.clone(),
            not_applicable,
            scoring,
        });
    }
    out
}

fn scoring_tiers(
    ctx: &mut Ctx,
    raw: &RawCheck,
    tiers: &[super::raw::RawTier],
    refs: &Refs,
) -> Scoring {
    if tiers.is_empty() {
        ctx.shape_error(Some(raw.id.mark), "`tiers` needs at least one tier");
    }
    let mut out = Vec::new();
    let mut previous = f64::INFINITY;
    for tier in tiers {
        let p = tier.points.value;
        if !(0.0..=raw.points.value).contains(&p) && ctx.trusted(raw.points.mark) {
            ctx.error(
                Some(tier.points.mark),
                format!(
                    "tier points must be between 0 and the check's {}",
                    raw.points.value
                ),
            );
        }
        if p > previous {
            ctx.warn(
                Some(tier.points.mark),
                "tiers are tried in order; list them from the most points down",
            );
        }
        previous = p;
        out.push(Tier {
            points: p,
            label: tier.label.clone(),
            when: condition(ctx, &tier.when, refs, tier.points.mark),
        });
    }
    if let Some(first) = tiers.first()
        && first.points.value < raw.points.value
    {
        ctx.warn(
            Some(first.points.mark),
            format!(
                "the best tier awards {} of {} points: check `{}` can never pass",
                first.points.value, raw.points.value, raw.id.value
            ),
        );
    }
    Scoring::Tiers(out)
}

fn scoring_items(
    ctx: &mut Ctx,
    raw: &RawCheck,
    items: &[super::raw::RawItem],
    refs: &Refs,
) -> Scoring {
    if items.is_empty() {
        ctx.shape_error(Some(raw.id.mark), "`items` needs at least one item");
    }
    let with_points = items.iter().filter(|i| i.points.is_some()).count();
    if with_points != 0 && with_points != items.len() {
        ctx.shape_error(
            Some(raw.id.mark),
            "give `points` to every item or to none (then they share the check's points)",
        );
    }
    if with_points == items.len() && !items.is_empty() {
        let sum: f64 = items
            .iter()
            .filter_map(|i| i.points.as_ref())
            .map(|p| p.value)
            .sum();
        if (sum - raw.points.value).abs() > 1e-6 {
            ctx.warn(
                Some(raw.points.mark),
                format!(
                    "item points add up to {sum}, the check is worth {}",
                    raw.points.value
                ),
            );
        }
    }
    let mut seen = HashMap::new();
    let mut out = Vec::new();
    for item in items {
        unique(ctx, &mut seen, &item.id, "item");
        let partial = item.partial.as_ref().map(|p| {
            if !(p.credit.value > 0.0 && p.credit.value < 1.0) {
                ctx.error(
                    Some(p.credit.mark),
                    "partial `credit` must be between 0 and 1 (exclusive)",
                );
            }
            (
                p.credit.value,
                p.label.clone(),
                condition(ctx, &p.when, refs, item.id.mark),
            )
        });
        if let Some(points) = &item.points
            && !(points.value > 0.0 && points.value.is_finite())
        {
            ctx.error(Some(points.mark), "item `points` must be positive");
        }
        out.push(Item {
            id: item.id.value.clone(),
            label: item.label.clone(),
            when: condition(ctx, &item.when, refs, item.id.mark),
            partial,
            applies: item
                .applies
                .as_ref()
                .map(|c| condition(ctx, c, refs, item.id.mark)),
            points: item.points.as_ref().map(|p| p.value),
            path: item.path.clone(),
            fix: item.fix.clone(),
        });
    }
    Scoring::Items(out)
}

fn scoring_root(ctx: &mut Ctx, raw: &RawCheck, root: &super::raw::RawRootEntries) -> Scoring {
    let mut steps = Vec::new();
    let mut last_max = root.limit.value;
    for step in &root.steps {
        if step.max.value <= last_max {
            ctx.shape_error(
                Some(step.max.mark),
                "steps must raise `max` above the limit and above the previous step",
            );
        }
        last_max = step.max.value;
        if !(0.0..raw.points.value).contains(&step.points.value) && ctx.trusted(raw.points.mark) {
            ctx.error(
                Some(step.points.mark),
                "step points must be at least 0 and below the check's points",
            );
        }
        steps.push((step.max.value, step.points.value));
    }
    if root.deduct.value < 0.0 {
        ctx.error(Some(root.deduct.mark), "`deduct` cannot be negative");
    }
    let mut seen = HashMap::new();
    let misplaced = root
        .misplaced
        .iter()
        .map(|m| {
            unique(ctx, &mut seen, &m.id, "misplaced");
            Misplaced {
                id: m.id.value.clone(),
                label: m.label.clone(),
                names: globs(ctx, &m.names, true),
                fix: m.fix.clone(),
            }
        })
        .collect();
    Scoring::RootEntries(RootEntries {
        limit: root.limit.value,
        steps,
        deduct: root.deduct.value,
        allowed: globs(ctx, &root.allowed, true),
        misplaced,
    })
}

fn scoring_contracts(
    ctx: &mut Ctx,
    merged: &Merged,
    scoring: &super::raw::RawContractScoring,
    refs: &Refs,
    contracts: &[String],
) -> Scoring {
    let mut indices = Vec::new();
    for id in &scoring.contracts {
        match contracts.iter().position(|c| *c == id.value) {
            Some(index) => indices.push(index),
            None if merged.disabled_contracts.contains(&id.value) => {}
            None => ctx.error(
                Some(id.mark),
                format!(
                    "unknown contract `{}`; known: {}",
                    id.value,
                    contracts.join(", ")
                ),
            ),
        }
    }
    if scoring.contracts.is_empty() {
        indices = (0..contracts.len()).collect();
    }
    let mut layer_index = |layer: &Spanned<String>| {
        let index = refs.layers.iter().position(|l| *l == layer.value);
        if index.is_none() {
            ctx.error(
                Some(layer.mark),
                format!(
                    "unknown layer `{}`; known: {}",
                    layer.value,
                    refs.layers.join(", ")
                ),
            );
        }
        index
    };
    let ratio_layer = scoring.ratio_layer.as_ref().and_then(&mut layer_index);
    let needs_layer = scoring.needs_layer.as_ref().and_then(&mut layer_index);
    if let (Some(needs), None) = (&scoring.needs_layer, &scoring.ratio) {
        ctx.error(
            Some(needs.mark),
            "`needs_layer` goes with `ratio: all_layers`",
        );
    }
    if scoring.penalty.value < 0.0 {
        ctx.error(Some(scoring.penalty.mark), "`penalty` cannot be negative");
    }
    if let (Some(ratio), Some(_)) = (&scoring.ratio, &scoring.ratio_layer) {
        ctx.error(
            Some(ratio.mark),
            "`ratio: all_layers` and `ratio_layer` exclude each other; keep one",
        );
    }
    if scoring.ratio.is_some() && scoring.penalty.value != 0.0 {
        ctx.error(
            Some(scoring.penalty.mark),
            "with `ratio: all_layers` every violation is in the ratio: `penalty` would never apply; write `penalty: 0`",
        );
    }
    Scoring::Contracts(ContractScoring {
        contracts: indices,
        ratio_layer,
        ratio_all_layers: scoring.ratio.is_some(),
        needs_layer,
        penalty: scoring.penalty.value,
        empty_is_na: scoring.when_empty == RawWhenEmpty::NotApplicable,
    })
}
