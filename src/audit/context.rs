//! Everything a check may ask about the repository, computed once per audit: the layer of
//! every source file, the domain modules, parsed sources (lazily, in parallel where a rule
//! needs them) and the root `.gitignore`.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex, OnceLock, PoisonError};

use aho_corasick::AhoCorasick;
use globset::{GlobSet, GlobSetBuilder};
use ignore::gitignore::{Gitignore, GitignoreBuilder};
use rayon::prelude::*;

use crate::analyze::{self, Analysis, AnalysisCache, Language};
use crate::detect::Detection;
use crate::fs::Tree;
use crate::standard::{PathGlob, Scope, Standard};

/// A root (tree path) and a glob's text and case rule: one list of scanned matches.
type ScanKey = (String, String, bool);

/// Shared, read-only facts of one audit.
pub struct Context<'a> {
    /// The repository.
    pub tree: &'a Tree,
    /// The rule set.
    pub standard: &'a Standard,
    /// Detection results.
    pub detection: &'a Detection,
    /// The service root (`""` for the repository root).
    pub service_root: &'a str,
    /// `(entry, layer)` for every non-empty source file under the service root that is in
    /// a layer, sorted by entry index (so by path).
    pub layered: Vec<(usize, usize)>,
    /// For each entry of `layered`: where, in the file's tree path, the folder that gave it
    /// its layer ends (`None` when the file's own name did).
    deciding: Vec<Option<usize>>,
    /// Domain module folders (tree paths), sorted.
    pub domains: Vec<String>,
    /// Parsed files below the service root, by entry index minus `analyses_from`; those
    /// elsewhere in `others`. A service of a large monorepo holds slots for its own files only.
    analyses: Vec<OnceLock<Option<Arc<Analysis>>>>,
    analyses_from: usize,
    others: Mutex<HashMap<usize, Option<Arc<Analysis>>>>,
    /// Analyses shared with other audits of the same files, when there are any.
    shared: Option<&'a AnalysisCache>,
    gitignore: OnceLock<Option<Gitignore>>,
    /// Matches of the rule set's `**/...` globs, found in one pass per scope root:
    /// (root, glob, ignore case) -> entries.
    scanned: HashMap<ScanKey, Arc<Vec<usize>>>,
}

/// Compiled matchers by the globs they were built from: `(text, ignore case)` of each, in
/// order.
type Memo<T> = LazyLock<Mutex<HashMap<Vec<(String, bool)>, Arc<T>>>>;

/// A matcher is a pure function of its globs, and every service of a workspace (and each of
/// organize's audits) asks for the same ones: each is compiled once per process. There are a
/// few per rule set, so the memo stays small.
fn memoized<T>(memo: &Memo<T>, key: Vec<(String, bool)>, build: impl FnOnce() -> T) -> Arc<T> {
    if let Some(found) = memo
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(&key)
    {
        return Arc::clone(found);
    }
    // Built outside the lock: two threads may both build it, and the first one kept wins.
    let fresh = Arc::new(build());
    Arc::clone(
        memo.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(key)
            .or_insert(fresh),
    )
}

static LAYER_MATCHERS: Memo<LayerMatcher> = LazyLock::new(Default::default);
static SCANS: Memo<Option<Scan>> = LazyLock::new(Default::default);

/// Every layer pattern in one set: one match per file classifies it.
///
/// A file's own name says most about it, so a layer named by the file (`article.service.ts`,
/// `views.py`) wins over one named by a folder around it (`routes/article/`); among folders,
/// the deepest decides (`api/users/services/x.py` is business). A folder pattern is one that
/// ends in `/**`.
struct LayerMatcher {
    set: GlobSet,
    /// For each glob of the set: (layer index, is an exclusion, is a folder pattern).
    owners: Vec<(usize, bool, bool)>,
    layers: usize,
}

impl LayerMatcher {
    /// The standard's matcher, compiled once per process.
    fn of(standard: &Standard) -> Arc<LayerMatcher> {
        // First how many globs each layer has (which keeps `[a] [b]` apart from `[a, b]`),
        // then the globs.
        let counts: Vec<String> = standard
            .layers
            .iter()
            .map(|l| format!("{} {}", l.paths.0.len(), l.exclude.0.len()))
            .collect();
        let mut key = vec![(counts.join(","), false)];
        for layer in &standard.layers {
            for glob in layer.paths.0.iter().chain(&layer.exclude.0) {
                key.push((glob.text.clone(), glob.ignore_case));
            }
        }
        memoized(&LAYER_MATCHERS, key, || LayerMatcher::new(standard))
    }

    fn new(standard: &Standard) -> LayerMatcher {
        let mut builder = GlobSetBuilder::new();
        let mut owners = Vec::new();
        for (index, layer) in standard.layers.iter().enumerate() {
            for glob in &layer.paths.0 {
                builder.add(glob.glob().clone());
                owners.push((index, false, glob.text.ends_with("/**")));
            }
            for glob in &layer.exclude.0 {
                builder.add(glob.glob().clone());
                owners.push((index, true, false));
            }
        }
        LayerMatcher {
            set: builder.build().unwrap_or_else(|_| GlobSet::empty()),
            owners,
            layers: standard.layers.len(),
        }
    }

    /// The layer of a path: the first layer (in rule-set order) whose file-name patterns
    /// match, else the layer of the deepest folder that names one, else the first layer whose
    /// folder patterns match; never a layer that excludes the path. With the layer: where
    /// the folder that decided it ends in `path` (`None` when the file's name decided).
    ///
    /// `floor` is the length of the path's source root (`api` for `api/seed.py`): a folder at
    /// or above it is where the code starts, not a layer, whatever its name.
    fn classify(
        &self,
        path: &str,
        floor: usize,
        scratch: &mut Vec<usize>,
    ) -> Option<(usize, Option<usize>)> {
        self.set.matches_into(path, scratch);
        if scratch.is_empty() {
            return None;
        }
        let hit = |layer: usize, exclude: bool, folder: Option<bool>| {
            scratch.iter().any(|&i| {
                let (l, x, f) = self.owners[i];
                l == layer && x == exclude && folder.is_none_or(|want| want == f)
            })
        };
        let allowed = |layer: usize| !hit(layer, true, None);
        if let Some(layer) = (0..self.layers).find(|&l| hit(l, false, Some(false)) && allowed(l)) {
            return Some((layer, None));
        }
        let by_folder: Vec<usize> = (0..self.layers)
            .filter(|&l| hit(l, false, Some(true)) && allowed(l))
            .collect();
        if by_folder.is_empty() {
            return None;
        }
        // The deepest folder that alone names one of these layers decides.
        let mut probe = Vec::new();
        let mut blocked = false;
        let mut end = path.rfind('/');
        while let Some(at) = end {
            let start = path[..at].rfind('/').map_or(0, |s| s + 1);
            self.set
                .matches_into(format!("{}/f", &path[start..at]).as_str(), &mut probe);
            if let Some(&layer) = by_folder
                .iter()
                .find(|&&l| probe.iter().any(|&i| self.owners[i] == (l, false, true)))
            {
                if at > floor {
                    return Some((layer, Some(at)));
                }
                blocked = true;
            }
            end = path[..at].rfind('/');
        }
        // Patterns of several folders (`app/*/routes/**`) name no single folder.
        (!blocked)
            .then(|| by_folder.first().map(|&l| (l, None)))
            .flatten()
    }
}

/// Many `**` globs matched in one pass over a tree.
///
/// `**/NAME` globs only look at the last component, so they are matched against names,
/// several times cheaper than whole paths. A glob with a literal that every match contains
/// (`migrations`, `.md`) only runs on entries that contain it, found for all globs at once
/// by one Aho-Corasick pass; the others are matched together by glob sets.
struct Scan {
    names: Half,
    paths: Half,
    /// When every glob has a literal: all of them, found in the path (which ends with the
    /// name) by one search that rules out most entries before either half looks.
    gate: Option<AhoCorasick>,
}

/// The name or the path side of a [`Scan`].
struct Half {
    /// Globs without a literal, and the index of each in the caller's list.
    set: GlobSet,
    set_owners: Vec<usize>,
    /// The literals, and for each the globs (indexes into `filtered`) that require it.
    literals: Vec<String>,
    prefilter: AhoCorasick,
    wanted_by: Vec<Vec<usize>>,
    filtered: Vec<(usize, globset::GlobMatcher)>,
}

impl Half {
    fn new(globs: &[(usize, &PathGlob, globset::Glob)]) -> Option<Half> {
        let mut set = GlobSetBuilder::new();
        let mut set_owners = Vec::new();
        let mut literals: Vec<String> = Vec::new();
        let mut wanted_by: Vec<Vec<usize>> = Vec::new();
        let mut filtered = Vec::new();
        for (owner, glob, compiled) in globs {
            let Some(required) = glob.required_literals() else {
                set.add(compiled.clone());
                set_owners.push(*owner);
                continue;
            };
            for literal in required {
                let slot = literals
                    .iter()
                    .position(|l| *l == literal)
                    .unwrap_or_else(|| {
                        literals.push(literal);
                        wanted_by.push(Vec::new());
                        literals.len() - 1
                    });
                wanted_by[slot].push(filtered.len());
            }
            filtered.push((*owner, compiled.compile_matcher()));
        }
        Some(Half {
            literals: literals.clone(),
            set: set.build().ok()?,
            set_owners,
            prefilter: AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .build(&literals)
                .ok()?,
            wanted_by,
            filtered,
        })
    }

    fn matches(&self, text: &str, scratch: &mut Vec<usize>, mut found: impl FnMut(usize)) {
        if !self.set.is_empty() {
            self.set.matches_into(text, scratch);
            for &g in scratch.iter() {
                found(self.set_owners[g]);
            }
        }
        // Most entries hold none of the literals: a plain search says so faster than the
        // overlapping one that finds them all.
        if self.filtered.is_empty() || !self.prefilter.is_match(text) {
            return;
        }
        scratch.clear();
        for hit in self.prefilter.find_overlapping_iter(text) {
            scratch.extend(&self.wanted_by[hit.pattern().as_usize()]);
        }
        scratch.sort_unstable();
        scratch.dedup();
        for &f in scratch.iter() {
            if self.filtered[f].1.is_match(text) {
                found(self.filtered[f].0);
            }
        }
    }
}

impl Scan {
    fn new(globs: &[&PathGlob]) -> Option<Scan> {
        let (mut names, mut paths) = (Vec::new(), Vec::new());
        for (at, glob) in globs.iter().enumerate() {
            match glob.name_glob() {
                Some(name) => names.push((at, *glob, name)),
                None => paths.push((at, *glob, glob.glob().clone())),
            }
        }
        let (names, paths) = (Half::new(&names)?, Half::new(&paths)?);
        let gate = (names.set.is_empty() && paths.set.is_empty())
            .then(|| {
                AhoCorasick::builder()
                    .ascii_case_insensitive(true)
                    .build(names.literals.iter().chain(&paths.literals))
                    .ok()
            })
            .flatten();
        Some(Scan { names, paths, gate })
    }

    /// Call `found` with the index of every glob that matches the entry.
    fn matches(
        &self,
        name: &str,
        path: &str,
        scratch: &mut Vec<usize>,
        mut found: impl FnMut(usize),
    ) {
        if self.gate.as_ref().is_some_and(|gate| !gate.is_match(path)) {
            return;
        }
        self.names.matches(name, scratch, &mut found);
        self.paths.matches(path, scratch, &mut found);
    }
}

impl<'a> Context<'a> {
    /// Classify files and find domains.
    pub fn new(tree: &'a Tree, standard: &'a Standard, detection: &'a Detection) -> Context<'a> {
        let service_root = detection.service_root.as_str();
        let matcher = LayerMatcher::of(standard);
        let strip = if service_root.is_empty() {
            0
        } else {
            service_root.len() + 1
        };
        let range = tree.descendants(service_root);
        // The source roots below the service root, relative to it (`app`, `src/dispatch`).
        let floors: Vec<&str> = detection
            .service_project()
            .source_roots
            .iter()
            .filter_map(|r| r.path.get(strip..).filter(|rel| !rel.is_empty()))
            .collect();
        let mut context = Context {
            tree,
            standard,
            detection,
            service_root,
            layered: Vec::new(),
            deciding: Vec::new(),
            domains: Vec::new(),
            analyses: range.clone().map(|_| OnceLock::new()).collect(),
            analyses_from: range.start,
            others: Mutex::new(HashMap::new()),
            shared: None,
            gitignore: OnceLock::new(),
            scanned: HashMap::new(),
        };
        // The layer of every source file and the `**` glob scans need nothing of each other:
        // both at once.
        let classify = || {
            let mut layered: Vec<(usize, usize, Option<usize>)> = range
                .clone()
                .into_par_iter()
                .map_init(Vec::new, |scratch, index| {
                    let entry = tree.entry(index);
                    if !entry.is_file() || Language::from_path(entry.name()).is_none() {
                        return None;
                    }
                    let rel = entry.path.get(strip..)?;
                    let floor = floors
                        .iter()
                        .filter(|root| {
                            rel.len() > root.len()
                                && rel.starts_with(*root)
                                && rel.as_bytes()[root.len()] == b'/'
                        })
                        .map(|root| root.len())
                        .max()
                        .unwrap_or(0);
                    let (layer, folder) = matcher.classify(rel, floor, scratch)?;
                    // An empty file is a placeholder: it makes no layer and no domain.
                    (!tree.is_empty_source(index)).then_some((
                        index,
                        layer,
                        folder.map(|f| f + strip),
                    ))
                })
                .flatten()
                .collect();
            layered.sort_unstable();
            layered
        };
        // The service's own roots are scanned beside the classification; the whole tree,
        // whose scan is cached for every service behind a lock, on this thread (never on a
        // pool thread, which could wait on that lock while holding the pool's work).
        let (whole, roots): (Vec<_>, Vec<_>) = context
            .scan_index()
            .into_iter()
            .partition(|(root, _)| root.is_empty());
        let (layered, scanned) = std::thread::scope(|scope| {
            let beside = scope.spawn(|| {
                rayon::join(classify, || {
                    roots
                        .par_iter()
                        .flat_map_iter(|(root, globs)| context.scan_root(root, globs))
                        .collect::<HashMap<_, _>>()
                })
            });
            let whole: Vec<_> = whole
                .iter()
                .flat_map(|(root, globs)| context.scan_root(root, globs))
                .collect();
            let (layered, mut scanned) = beside
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            scanned.extend(whole);
            (layered, scanned)
        });
        context.deciding = layered.iter().map(|&(_, _, f)| f).collect();
        context.layered = layered.into_iter().map(|(i, l, _)| (i, l)).collect();
        context.scanned = scanned;
        context.domains = context.find_domains();
        // A layer folder that holds domain modules (`routes/<domain>/`) is a container, not a
        // layer: files inside a domain whose layer came from a folder above it have none.
        if !context.domains.is_empty() {
            let keep: Vec<bool> = context
                .layered
                .iter()
                .zip(&context.deciding)
                .map(|(&(index, _), folder_end)| {
                    folder_end.is_none_or(|end| {
                        context
                            .domain_of(&tree.entry(index).path)
                            .is_none_or(|domain| end > domain.len())
                    })
                })
                .collect();
            let mut kept = keep.iter();
            context.layered.retain(|_| *kept.next().unwrap_or(&true));
            let mut kept = keep.iter();
            context.deciding.retain(|_| *kept.next().unwrap_or(&true));
        }
        context
    }

    /// The roots a scope searches from, as tree paths.
    #[must_use]
    pub fn scope_roots(&self, scope: Scope) -> Vec<&'a str> {
        match scope {
            Scope::Service => vec![self.service_root],
            Scope::Repo => vec![""],
            Scope::Either if self.service_root.is_empty() => vec![""],
            Scope::Either => vec!["", self.service_root],
            Scope::Source => self.source_roots(),
        }
    }

    /// The source roots of the service project (tree paths), best evidence first.
    #[must_use]
    pub fn source_roots(&self) -> Vec<&'a str> {
        self.detection
            .service_project()
            .source_roots
            .iter()
            .map(|r| r.path.as_str())
            .collect()
    }

    /// The source root that new shared code belongs in: the one holding the domain modules
    /// (the folder of the Django apps rather than the settings package), else the first.
    #[must_use]
    pub fn home_root(&self) -> Option<&'a str> {
        let roots = self.source_roots();
        roots
            .iter()
            .copied()
            .find(|root| {
                self.domains
                    .iter()
                    .any(|d| root.is_empty() || d.starts_with(&format!("{root}/")))
            })
            .or_else(|| roots.first().copied())
    }

    /// The entries below `root` matching each of `globs` (each list in tree order), in one
    /// parallel pass; `None` when the globs cannot be combined (each is then matched on its
    /// own by [`Context::glob_matches`]).
    fn scan(&self, root: &str, globs: &[&PathGlob]) -> Option<Vec<Vec<usize>>> {
        let key = globs
            .iter()
            .map(|g| (g.text.clone(), g.ignore_case))
            .collect();
        let scan = memoized(&SCANS, key, || Scan::new(globs));
        let scan = scan.as_ref().as_ref()?;
        let mut lists: Vec<Vec<usize>> = vec![Vec::new(); globs.len()];
        let strip = if root.is_empty() { 0 } else { root.len() + 1 };
        let hits: Vec<(usize, usize)> = self
            .tree
            .descendants(root)
            .into_par_iter()
            .fold(
                || (Vec::new(), Vec::new()),
                |(mut found, mut scratch), entry| {
                    let item = self.tree.entry(entry);
                    let path = item.path.get(strip..).unwrap_or("");
                    scan.matches(item.name(), path, &mut scratch, |glob| {
                        found.push((glob, entry));
                    });
                    (found, scratch)
                },
            )
            .map(|(found, _)| found)
            .reduce(Vec::new, |mut a, mut b| {
                a.append(&mut b);
                a
            });
        for (glob, entry) in hits {
            lists[glob].push(entry);
        }
        for list in &mut lists {
            list.sort_unstable();
        }
        Some(lists)
    }

    /// The globs that start with `**`, by the root they are matched below: each root's are
    /// found in one parallel pass ([`Context::scan_root`]) instead of one pass per glob.
    fn scan_index(&self) -> Vec<(&'a str, Vec<&'a PathGlob>)> {
        let mut wanted: HashMap<&str, Vec<&PathGlob>> = HashMap::new();
        for query in self.standard.path_queries() {
            for root in self.scope_roots(query.scope) {
                let list = wanted.entry(root).or_default();
                for glob in query.globs.0.iter().filter(|g| g.scans_everything()) {
                    if !list
                        .iter()
                        .any(|g| g.text == glob.text && g.ignore_case == glob.ignore_case)
                    {
                        list.push(glob);
                    }
                }
            }
        }
        wanted.into_iter().collect()
    }

    /// The matches of the `**` globs of [`Context::scan_index`] below one root, keyed by root
    /// and glob; the whole tree's are scanned once per run and shared by every service.
    fn scan_root(&self, root: &str, globs: &[&PathGlob]) -> Vec<(ScanKey, Arc<Vec<usize>>)> {
        if !root.is_empty() {
            return globs
                .iter()
                .zip(self.scan(root, globs).unwrap_or_default())
                .map(|(glob, list)| {
                    (
                        (root.to_owned(), glob.text.clone(), glob.ignore_case),
                        Arc::new(list),
                    )
                })
                .collect();
        }
        // The whole tree: the same for every service, so scanned once per run.
        let mut cache = self.tree.whole_tree_scans();
        let missing: Vec<&PathGlob> = globs
            .iter()
            .copied()
            .filter(|g| !cache.contains_key(&(g.text.clone(), g.ignore_case)))
            .collect();
        // Every service after the first finds them all cached: no pass at all.
        let lists = if missing.is_empty() {
            Vec::new()
        } else {
            self.scan(root, &missing).unwrap_or_default()
        };
        for (glob, list) in missing.iter().zip(lists) {
            cache.insert((glob.text.clone(), glob.ignore_case), Arc::new(list));
        }
        globs
            .iter()
            .filter_map(|glob| {
                let list = cache.get(&(glob.text.clone(), glob.ignore_case))?;
                Some((
                    (String::new(), glob.text.clone(), glob.ignore_case),
                    Arc::clone(list),
                ))
            })
            .collect()
    }

    /// Entries below `root` matching `glob` (relative to `root`), in tree order.
    #[must_use]
    pub fn glob_matches(&self, root: &str, glob: &PathGlob) -> Vec<usize> {
        if glob.scans_everything()
            && let Some(found) =
                self.scanned
                    .get(&(root.to_owned(), glob.text.clone(), glob.ignore_case))
        {
            return found.as_ref().clone();
        }
        self.tree.glob_matches(root, glob)
    }

    /// A path relative to the service root.
    #[must_use]
    pub fn relative<'p>(&self, path: &'p str) -> &'p str {
        if self.service_root.is_empty() {
            path
        } else {
            path.strip_prefix(self.service_root)
                .and_then(|p| p.strip_prefix('/'))
                .unwrap_or(path)
        }
    }

    /// A service-root-relative path made relative to the repository root.
    #[must_use]
    pub fn in_service(&self, path: &str) -> String {
        if self.service_root.is_empty() {
            path.to_owned()
        } else if path.is_empty() {
            self.service_root.to_owned()
        } else {
            format!("{}/{path}", self.service_root)
        }
    }

    /// The layer of a file, if it is a layered source file.
    #[must_use]
    pub fn layer_of(&self, index: usize) -> Option<usize> {
        self.layered
            .binary_search_by_key(&index, |&(i, _)| i)
            .ok()
            .map(|at| self.layered[at].1)
    }

    /// The domain folder that is or contains a tree path, if any.
    #[must_use]
    pub fn domain_of(&self, path: &str) -> Option<&str> {
        // The path and its folders, deepest first, looked up in the sorted domains: a
        // repository with 20,000 domains asks this for every layered file.
        let mut candidate = path;
        loop {
            if let Ok(found) = self.domains.binary_search_by(|d| d.as_str().cmp(candidate)) {
                return Some(&self.domains[found]);
            }
            candidate = candidate.rsplit_once('/')?.0;
        }
    }

    /// Domain folders: under a domain root, not excluded by name, holding at least
    /// `min_layer_entries` children that are (or contain) layered source files.
    fn find_domains(&self) -> Vec<String> {
        let rules = &self.standard.domains;
        let mut domains = Vec::new();
        for root in self.scope_roots(rules.scope) {
            for glob in &rules.roots.0 {
                for index in self.tree.glob_matches(root, glob) {
                    let entry = self.tree.entry(index);
                    if !entry.is_dir() || rules.exclude.iter().any(|x| x == entry.name()) {
                        continue;
                    }
                    let prefix_len = entry.path.len() + 1;
                    let below = self.tree.descendants(&entry.path);
                    let start = self.layered.partition_point(|&(i, _)| i < below.start);
                    // A file whose layer comes from this folder or one above it (`routes/` as
                    // the candidate) says nothing about the folder holding several layers.
                    let inside = self.layered[start..]
                        .iter()
                        .zip(&self.deciding[start..])
                        .take_while(|&(&(i, _), _)| i < below.end)
                        .filter(|&(_, folder)| folder.is_none_or(|end| end > entry.path.len()))
                        .map(|(pair, _)| pair);
                    let mut children: Vec<&str> = inside
                        .clone()
                        .filter_map(|&(i, _)| self.tree.entry(i).path.get(prefix_len..))
                        .filter_map(|rel| rel.split('/').next())
                        .collect();
                    children.dedup();
                    let mut layers: Vec<usize> = inside.map(|&(_, l)| l).collect();
                    layers.sort_unstable();
                    layers.dedup();
                    let marked = !rules.markers.is_empty()
                        && !layers.is_empty()
                        && self.tree.children(&entry.path).any(|child| {
                            let child = self.tree.entry(child);
                            child.is_file() && rules.markers.is_match(child.name())
                        });
                    if marked
                        || (children.len() >= rules.min_layer_entries as usize
                            && layers.len() >= rules.min_layers as usize)
                    {
                        domains.push(entry.path.clone());
                    }
                }
            }
        }
        domains.sort();
        domains.dedup();
        domains
    }

    /// Share analyses with other audits of the same files through `cache`.
    #[must_use]
    pub fn sharing(mut self, cache: &'a AnalysisCache) -> Context<'a> {
        self.shared = Some(cache);
        self
    }

    /// The parsed contents of a source file (parsed once; `None` when unreadable or not source).
    pub fn analysis(&self, index: usize) -> Option<Arc<Analysis>> {
        let parse = || {
            let entry = self.tree.entry(index);
            let language = Language::from_path(entry.name())?;
            let text = self.tree.source_text(index)?;
            Some(match self.shared {
                Some(cache) => cache.analyze(language, &text),
                None => Arc::new(analyze::analyze(language, &text)),
            })
        };
        if let Some(slot) = index
            .checked_sub(self.analyses_from)
            .and_then(|at| self.analyses.get(at))
        {
            return slot.get_or_init(parse).clone();
        }
        let known = self
            .others
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&index)
            .cloned();
        known.unwrap_or_else(|| {
            let parsed = parse();
            self.others
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(index, parsed.clone());
            parsed
        })
    }

    /// Parse these files in parallel ahead of use.
    pub fn prefetch(&self, files: &[usize]) {
        files.par_iter().for_each(|&index| {
            self.analysis(index);
        });
    }

    /// The repository's `.gitignore` rules (root and service root), if any.
    pub fn gitignore(&self) -> Option<&Gitignore> {
        self.gitignore
            .get_or_init(|| {
                let mut builder = GitignoreBuilder::new("/");
                let mut found = false;
                let mut roots = vec![String::new()];
                if !self.service_root.is_empty() {
                    roots.push(self.service_root.to_owned());
                }
                for root in roots {
                    let path = if root.is_empty() {
                        ".gitignore".to_owned()
                    } else {
                        format!("{root}/.gitignore")
                    };
                    if let Some(text) = self.tree.text_at(&path) {
                        found = true;
                        for line in text.lines() {
                            // A bad line is skipped, like git does.
                            let _ = builder.add_line(None, line);
                        }
                    }
                }
                if !found {
                    return None;
                }
                builder.build().ok()
            })
            .as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_matcher_is_compiled_once_per_glob_list() {
        static MEMO: Memo<String> = LazyLock::new(Default::default);
        let key = |globs: &[&str]| -> Vec<(String, bool)> {
            globs.iter().map(|g| ((*g).to_owned(), false)).collect()
        };
        let mut built = 0;
        let first = memoized(&MEMO, key(&["**/*.py", "src/**"]), || {
            built += 1;
            "first".to_owned()
        });
        let again = memoized(&MEMO, key(&["**/*.py", "src/**"]), || {
            built += 1;
            "again".to_owned()
        });
        assert!(Arc::ptr_eq(&first, &again));
        assert_eq!(built, 1);
        // Another list, or the same globs with another case rule, is another matcher.
        let other = memoized(&MEMO, key(&["src/**", "**/*.py"]), || "other".to_owned());
        let mut folded = key(&["**/*.py", "src/**"]);
        folded[0].1 = true;
        let case = memoized(&MEMO, folded, || "case".to_owned());
        assert_eq!((other.as_str(), case.as_str()), ("other", "case"));
    }

    /// A combined scan finds, below each root, exactly what matching each glob on its own
    /// finds: with and without the gate (a glob without a literal turns it off), name and
    /// path globs, either case rule.
    #[test]
    fn a_scan_matches_like_each_glob_alone() {
        let tree = Tree::from_files(&[
            ("README.md", "x"),
            ("docs/adr-001.MD", "x"),
            ("docs/api/OpenAPI.yaml", "x"),
            ("svc/README.rst", "x"),
            ("svc/scripts/seed.sh", "x"),
            ("svc/src/scripts/run.py", "x"),
            ("svc/bin/tool", "x"),
            ("svc/models/_entities/user.rs", "x"),
            ("svc/postman/v1/api.json", "x"),
            ("svc/app/schema.sql", "x"),
            ("svc/app/binary.py", "x"),
            ("scripts/deploy.sh", "x"),
            ("combined/md.txt", "x"),
        ]);
        let with_literals = [
            ("**/*.{md,rst}", true),
            ("**/{openapi,swagger}{,.*}.{yaml,yml,json}", true),
            ("**/README*", false),
            ("**/{ADR,adr}-*.md", true),
            ("**/postman/**/*.json", false),
            ("**/models/_entities/*.rs", false),
            ("{scripts,bin,src/scripts}/**", false),
            ("**/*.sql", false),
        ];
        let mut without = with_literals.to_vec();
        without.push(("**/*", false));
        for list in [&with_literals[..], &without[..]] {
            let globs: Vec<PathGlob> = list
                .iter()
                .map(|(text, case)| PathGlob::new(text, *case).unwrap())
                .collect();
            let refs: Vec<&PathGlob> = globs.iter().collect();
            let scan = Scan::new(&refs).unwrap();
            assert_eq!(scan.gate.is_some(), list.len() == with_literals.len());
            for root in ["", "svc"] {
                let strip = if root.is_empty() { 0 } else { root.len() + 1 };
                let mut lists = vec![Vec::new(); refs.len()];
                let mut scratch = Vec::new();
                for index in tree.descendants(root) {
                    let entry = tree.entry(index);
                    let path = &entry.path[strip..];
                    scan.matches(entry.name(), path, &mut scratch, |g| lists[g].push(index));
                }
                for (glob, found) in refs.iter().zip(&lists) {
                    let mut found = found.clone();
                    found.sort_unstable();
                    found.dedup();
                    assert_eq!(
                        found,
                        tree.glob_matches(root, *glob),
                        "{} below {root:?}",
                        glob.text
                    );
                }
            }
        }
    }
}
