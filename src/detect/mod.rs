//! Language, framework and project-kind detection, with the evidence for each conclusion.
//!
//! Detection looks at each candidate project root of the repository (the root itself,
//! then `backend/`, `server/`, `api/`, `services/<name>/`... from the rule set's
//! `project_roots`), reads its manifests and a few parsed entry files, and decides what
//! each project is. The *service root* is the first backend project found; the audit judges
//! the repository from there. Evidence comes from manifests and parsed source only, so a
//! framework named in a README, a `package.json` that only holds tooling, or a `manage.py`
//! that is not Django's does not fool it.

pub mod layout;
pub mod manifest;

use serde::Serialize;
use std::sync::Arc;

use crate::analyze::{self, Language};
use crate::fs::Tree;
use crate::standard::{
    DetectionRules, Evidence as Rule, PathGlob, ProjectKind, Role, name_segments,
};

pub use layout::SourceRoot;
pub use manifest::{DepKind, Dependency};

/// Why detection concluded something.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    /// What the evidence supports: `language:python`, `framework:fastapi`, `kind:backend`.
    pub subject: String,
    /// The file, relative to the repository root.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The line, where one applies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// In words.
    pub reason: String,
}

/// One project of the repository.
#[derive(Debug, Clone, Serialize)]
pub struct Project {
    /// Its root, relative to the repository root (`""` for the root).
    pub root: String,
    /// What it is.
    pub kind: ProjectKind,
    /// Language ids.
    pub languages: Vec<String>,
    /// Framework and tool ids (building blocks of a detected framework left out).
    pub frameworks: Vec<String>,
    /// The evidence.
    pub evidence: Vec<Evidence>,
    /// Declared dependencies.
    #[serde(skip)]
    pub dependencies: Vec<Dependency>,
    /// Where its code starts (`src/`, `src/<package>/`, the folders holding Django apps...),
    /// best evidence first; never empty.
    pub source_roots: Vec<SourceRoot>,
}

/// The outcome of detection.
#[derive(Debug, Clone)]
pub struct Detection {
    /// The service root (`""` when it is the repository root).
    pub service_root: String,
    /// Every project found, root first; shared by the detections of a workspace's services.
    pub projects: Arc<[Project]>,
    /// Index of the service project in `projects`.
    pub service: usize,
}

impl Detection {
    /// The project the audit judges.
    #[must_use]
    pub fn service_project(&self) -> &Project {
        &self.projects[self.service]
    }

    /// Kind of the service project.
    #[must_use]
    pub fn kind(&self) -> ProjectKind {
        self.service_project().kind
    }

    /// Languages of the service project.
    #[must_use]
    pub fn languages(&self) -> &[String] {
        &self.service_project().languages
    }

    /// Frameworks of the service project.
    #[must_use]
    pub fn frameworks(&self) -> &[String] {
        &self.service_project().frameworks
    }

    /// Whether the service project declares a dependency (normalised per language).
    #[must_use]
    pub fn has_dependency(&self, name: &str) -> bool {
        self.service_project().dependencies.iter().any(|d| {
            ["python", "node", "rust"]
                .iter()
                .any(|lang| d.name == manifest::normalize(name, lang))
        })
    }
}

/// Detect every project of the tree and pick the service root.
#[must_use]
pub fn detect(tree: &Tree, rules: &DetectionRules) -> Detection {
    let roots: Vec<String> = candidate_roots(tree, rules)
        .into_iter()
        .filter(|root| {
            root.is_empty()
                || rules
                    .languages
                    .iter()
                    .any(|l| l.manifests.iter().any(|m| tree.is_file(&join(root, m))))
        })
        .collect();
    let mut projects = Vec::new();
    for root in &roots {
        // A project's files stop where a nested project begins.
        let inside = format!("{root}/");
        let nested: Vec<&str> = roots
            .iter()
            .filter(|other| *other != root && (root.is_empty() || other.starts_with(&inside)))
            .map(String::as_str)
            .collect();
        let scope = Scope::new(tree, root, &nested);
        projects.push(detect_project(&scope, rules));
    }
    let with_manifest = |p: &Project| !p.languages.is_empty() || !p.dependencies.is_empty();
    let service = projects
        .iter()
        .position(|p| p.kind == ProjectKind::Backend)
        .or_else(|| projects.first().filter(|p| with_manifest(p)).map(|_| 0))
        .or_else(|| projects.iter().position(with_manifest))
        .unwrap_or(0);
    Detection {
        service_root: projects[service].root.clone(),
        projects: projects.into(),
        service,
    }
}

/// One project's view of the tree: below `root`, minus nested projects.
struct Scope<'a> {
    tree: &'a Tree,
    root: &'a str,
    /// Index ranges of nested projects (their folders and everything below), sorted.
    nested: Vec<std::ops::Range<usize>>,
}

impl<'a> Scope<'a> {
    fn new(tree: &'a Tree, root: &'a str, nested_roots: &[&str]) -> Scope<'a> {
        let mut nested: Vec<std::ops::Range<usize>> = nested_roots
            .iter()
            .filter_map(|path| {
                let index = tree.find(path)?;
                Some(index..tree.descendants(path).end)
            })
            .collect();
        nested.sort_by_key(|r| r.start);
        Scope { tree, root, nested }
    }

    /// Whether an entry belongs to this project (not to a nested one).
    fn owns(&self, index: usize) -> bool {
        let at = self.nested.partition_point(|r| r.start <= index);
        at == 0 || !self.nested[at - 1].contains(&index)
    }

    /// Files of this project with one of the extensions, configuration files left out;
    /// nested projects are jumped over, not scanned.
    fn sources<'s>(&'s self, extensions: &'s [String]) -> impl Iterator<Item = usize> + 's {
        let range = self.tree.descendants(self.root);
        let mut next = range.start;
        std::iter::from_fn(move || {
            while next < range.end {
                let index = next;
                next += 1;
                if let Some(skip) = self.nested.iter().find(|r| r.start == index) {
                    next = skip.end;
                    continue;
                }
                let entry = self.tree.entry(index);
                let wanted = entry.is_file()
                    && !is_config_file(entry.name())
                    && entry
                        .name()
                        .rsplit_once('.')
                        .is_some_and(|(_, ext)| extensions.iter().any(|e| e == ext));
                if wanted {
                    return Some(index);
                }
            }
            None
        })
    }

    /// A path below the project root.
    fn join(&self, path: &str) -> String {
        join(self.root, path)
    }

    /// Entries of this project matching any glob (relative to the project root), each once.
    fn matches(&self, globs: &crate::standard::GlobList) -> Vec<usize> {
        let mut found: Vec<usize> = globs
            .0
            .iter()
            .flat_map(|glob| self.tree.glob_matches(self.root, glob))
            .filter(|&i| self.owns(i))
            .collect();
        found.sort_unstable();
        found.dedup();
        found
    }
}

fn join(root: &str, path: &str) -> String {
    if root.is_empty() {
        path.to_owned()
    } else {
        format!("{root}/{path}")
    }
}

/// Candidate project roots in order of preference; the repository root comes first.
fn candidate_roots(tree: &Tree, rules: &DetectionRules) -> Vec<String> {
    let mut roots = vec![String::new()];
    for pattern in &rules.project_roots {
        if pattern == "." {
            continue;
        }
        if !pattern.contains(['*', '?', '[', '{']) {
            if tree.is_dir(pattern) && !roots.contains(pattern) {
                roots.push(pattern.clone());
            }
            continue;
        }
        let Ok(glob) = PathGlob::new(pattern, false) else {
            continue;
        };
        for index in tree.glob_matches("", &glob) {
            let entry = tree.entry(index);
            if entry.is_dir() && !roots.contains(&entry.path) {
                roots.push(entry.path.clone());
            }
        }
    }
    roots
}

fn detect_project(scope: &Scope, rules: &DetectionRules) -> Project {
    let (tree, root) = (scope.tree, scope.root);
    let mut evidence = Vec::new();
    let mut dependencies = Vec::new();
    let mut languages = Vec::new();
    let mut tooling_only = Vec::new();
    let mut names = Vec::new();
    for language in &rules.languages {
        let mut found = false;
        for manifest_name in &language.manifests {
            let path = join(root, manifest_name);
            let Some(index) = tree.find(&path) else {
                continue;
            };
            if !tree.entry(index).is_file() {
                continue;
            }
            let Some(text) = tree.text(index) else {
                continue;
            };
            match manifest::parse(&path, text) {
                Ok(parsed) => {
                    if !parsed.declares_project
                        && scope.sources(&language.extensions).next().is_none()
                    {
                        tooling_only.push(Evidence {
                            subject: format!("language:{}", language.id),
                            path: Some(path.clone()),
                            line: None,
                            reason: format!(
                                "{manifest_name} holds only tooling (no runtime dependencies, no entry point) and there are no {} sources: not counted",
                                language.name
                            ),
                        });
                    } else if !found {
                        found = true;
                        evidence.push(Evidence {
                            subject: format!("language:{}", language.id),
                            path: Some(path.clone()),
                            line: None,
                            reason: format!("{manifest_name} declares a {} project", language.name),
                        });
                    }
                    dependencies.extend(parsed.dependencies);
                    names.extend(parsed.name);
                }
                Err(err) => {
                    tree.note(&path, err.message.clone());
                    if !found {
                        found = true;
                        evidence.push(Evidence {
                            subject: format!("language:{}", language.id),
                            path: Some(path.clone()),
                            line: None,
                            reason: format!("{manifest_name} is present (but could not be parsed)"),
                        });
                    }
                }
            }
        }
        if found {
            languages.push(language.id.clone());
        }
    }
    // A Cargo workspace declares its dependencies in its member crates: they are the
    // project's (axum in `crates/api/Cargo.toml` makes the workspace an axum service).
    if languages.iter().any(|l| l == "rust") {
        for member in layout::workspace_members(scope) {
            let path = join(&member, "Cargo.toml");
            if let Some(text) = tree.text_at(&path)
                && let Ok(parsed) = manifest::parse(&path, text)
            {
                dependencies.extend(parsed.dependencies);
            }
        }
    }
    if languages.is_empty() {
        // No manifest: fall back to the extensions of the source files.
        for language in &rules.languages {
            if let Some(path) = scope
                .sources(&language.extensions)
                .next()
                .map(|i| tree.entry(i).path.clone())
            {
                languages.push(language.id.clone());
                evidence.push(Evidence {
                    subject: format!("language:{}", language.id),
                    path: Some(path),
                    line: None,
                    reason: format!("{} source files without a manifest", language.name),
                });
            }
        }
    }
    evidence.extend(tooling_only);

    let mut frameworks: Vec<(String, Role)> = Vec::new();
    for framework in &rules.frameworks {
        if let Some(found) = framework_evidence(scope, framework, &dependencies) {
            if !languages.contains(&framework.language) {
                // A Django manage.py in a project whose Python is not declared still says Python.
                languages.push(framework.language.clone());
            }
            evidence.push(Evidence {
                subject: format!("framework:{}", framework.id),
                ..found
            });
            frameworks.push((framework.id.clone(), framework.role));
        }
    }
    // Building blocks of a detected framework (express under NestJS) are not frameworks of their own.
    let ids: Vec<String> = frameworks.iter().map(|(id, _)| id.clone()).collect();
    frameworks.retain(|(id, _)| {
        rules
            .frameworks
            .iter()
            .find(|f| f.id == *id)
            .is_none_or(|f| !f.superseded_by.iter().any(|s| ids.contains(s)))
    });
    let superseded: Vec<String> = ids
        .iter()
        .filter(|id| !frameworks.iter().any(|(f, _)| f == *id))
        .cloned()
        .collect();
    for id in &superseded {
        if let Some(item) = evidence
            .iter_mut()
            .find(|e| e.subject == format!("framework:{id}"))
        {
            item.reason
                .push_str(" - part of a framework detected above, not counted on its own");
            item.subject = format!("superseded:{id}");
        }
    }

    let kind = decide_kind(scope, rules, &languages, &frameworks, &mut evidence);
    let source_roots = layout::source_roots(scope, &languages, &names);
    Project {
        root: root.to_owned(),
        kind,
        languages,
        frameworks: frameworks.into_iter().map(|(id, _)| id).collect(),
        evidence,
        dependencies,
        source_roots,
    }
}

/// Files that are configuration even though they have a source extension.
fn is_config_file(name: &str) -> bool {
    name.contains(".config.")
        || name.starts_with('.')
        || name.ends_with(".d.ts")
        || matches!(
            name,
            "Gruntfile.js" | "gulpfile.js" | "commitlint.config.js"
        )
}

fn framework_evidence(
    scope: &Scope,
    framework: &crate::standard::FrameworkRule,
    dependencies: &[Dependency],
) -> Option<Evidence> {
    let (tree, root) = (scope.tree, scope.root);
    for rule in &framework.evidence {
        match rule {
            Rule::Dependency(name) | Rule::DevDependency(name) => {
                let wanted = manifest::normalize(name, &framework.language);
                let kind = if matches!(rule, Rule::Dependency(_)) {
                    DepKind::Runtime
                } else {
                    DepKind::Dev
                };
                if let Some(dep) = dependencies
                    .iter()
                    .find(|d| d.name == wanted && d.kind == kind)
                {
                    let what = match kind {
                        DepKind::Runtime => "dependency",
                        DepKind::Dev => "development dependency",
                    };
                    return Some(Evidence {
                        subject: String::new(),
                        path: Some(dep.path.clone()),
                        line: dep.line,
                        reason: format!("{what} `{name}`"),
                    });
                }
            }
            Rule::File { globs, contains } => {
                for index in scope.matches(globs) {
                    let entry = tree.entry(index);
                    let rel = relative(root, &entry.path);
                    if !entry.is_file() {
                        continue;
                    }
                    let Some(regex) = contains else {
                        return Some(Evidence {
                            subject: String::new(),
                            path: Some(entry.path.clone()),
                            line: None,
                            reason: format!("`{rel}` is present"),
                        });
                    };
                    let Some(text) = tree.text(index) else {
                        continue;
                    };
                    if let Some(line) = text.lines().position(|l| regex.is_match(l)) {
                        return Some(Evidence {
                            subject: String::new(),
                            path: Some(entry.path.clone()),
                            line: u32::try_from(line + 1).ok(),
                            reason: format!("`{rel}` matches `{}`", regex.as_str()),
                        });
                    }
                }
            }
            Rule::Import { module, files } => {
                for index in scope.matches(files) {
                    let entry = tree.entry(index);
                    if !entry.is_file() {
                        continue;
                    }
                    let Some(language) = Language::from_path(&entry.path) else {
                        continue;
                    };
                    let Some(text) = tree.text(index) else {
                        continue;
                    };
                    let analysis = analyze::analyze(language, text);
                    for import in &analysis.imports {
                        if import.level > 0 || import.module.starts_with('.') {
                            continue;
                        }
                        let segments = name_segments(&import.module);
                        if module.matches_module(&segments) {
                            return Some(Evidence {
                                subject: String::new(),
                                path: Some(entry.path.clone()),
                                line: Some(import.location.line),
                                reason: format!("imports `{}`", import.module),
                            });
                        }
                    }
                }
            }
        }
    }
    None
}

fn relative<'a>(root: &str, path: &'a str) -> &'a str {
    if root.is_empty() {
        path
    } else {
        path.strip_prefix(root)
            .and_then(|p| p.strip_prefix('/'))
            .unwrap_or(path)
    }
}

fn decide_kind(
    scope: &Scope,
    rules: &DetectionRules,
    languages: &[String],
    frameworks: &[(String, Role)],
    evidence: &mut Vec<Evidence>,
) -> ProjectKind {
    let mut push = |kind: ProjectKind, path: Option<String>, reason: String| {
        evidence.push(Evidence {
            subject: format!("kind:{}", kind.as_str()),
            path,
            line: None,
            reason,
        });
        kind
    };
    if let Some((id, _)) = frameworks.iter().find(|(_, role)| *role == Role::Web) {
        return push(
            ProjectKind::Backend,
            None,
            format!("an API framework ({id}) is a dependency"),
        );
    }
    let signal = |signals: &[crate::standard::Signal]| -> Option<(String, String)> {
        signals.iter().find_map(|signal| {
            scope
                .matches(&signal.paths)
                .first()
                .map(|&i| (signal.label.clone(), scope.tree.entry(i).path.clone()))
        })
    };
    let frontend_framework = frameworks.iter().find(|(_, role)| *role == Role::Frontend);
    let frontend = signal(&rules.frontend_signals);
    if let Some((id, _)) = frontend_framework {
        return push(
            ProjectKind::Frontend,
            None,
            format!("a user-interface framework ({id}) and no API framework"),
        );
    }
    let backend = signal(&rules.backend_signals);
    match (backend, frontend) {
        (Some(_), Some((label, path))) => push(
            ProjectKind::Frontend,
            Some(path),
            format!("{label}, and no API framework"),
        ),
        (Some((label, path)), None) => push(ProjectKind::Backend, Some(path), label),
        (None, Some((label, path))) => push(ProjectKind::Frontend, Some(path), label),
        (None, None) if !languages.is_empty() => push(
            ProjectKind::Library,
            None,
            "a manifest but no API framework, backend folders or user interface".to_owned(),
        ),
        (None, None) => ProjectKind::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths() {
        assert_eq!(relative("", "a/b"), "a/b");
        assert_eq!(relative("backend", "backend/a/b"), "a/b");
    }
}
