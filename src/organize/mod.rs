//! `squarely organize`: move an existing repository onto the standard, safely.
//!
//! The plan is computed as values: where files go ([`plan::layout`]), the import edits that
//! follow the moves ([`rewrite`]), the documents and `.gitignore` lines to add, and the
//! references that cannot be rewritten. A dry run prints it; `--apply` hands it to
//! [`crate::fs::journal`], which writes a journal before each step so that `--undo` restores
//! the tree byte for byte.

pub mod model;
pub mod plan;
pub mod rewrite;

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::json;

use crate::detect::Detection;
use crate::fs::Tree;
use crate::scaffold::{Moment, ScaffoldError, render_embedded};

pub use model::{ImportChange, Move, Rewrites, TextEdit, Unresolved};
pub use plan::{Conflict, Layout, PlannedCreate, PlannedMove, PlannedUntrack, Stack};

/// The whole plan of one `organize` run.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    /// The stack it was made for.
    pub stack: Stack,
    /// The service root (`""` for the repository root).
    pub service_root: String,
    /// Moves, untracks and conflicts.
    #[serde(flatten)]
    pub layout: Layout,
    /// Import edits, files the moves need, references that cannot be rewritten.
    pub rewrites: Rewrites,
    /// Documents to create.
    pub creates: Vec<PlannedCreate>,
    /// `.gitignore` as it should be after the plan (`None` when it does not change).
    pub gitignore: Option<GitignoreChange>,
}

/// The `.gitignore` lines the plan adds.
#[derive(Debug, Clone, Serialize)]
pub struct GitignoreChange {
    /// The file's text before (`None` when there is none).
    #[serde(skip)]
    pub before: Option<String>,
    /// The text after.
    #[serde(skip)]
    pub after: String,
    /// The patterns added.
    pub added: Vec<String>,
}

impl Plan {
    /// Whether the plan changes nothing.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.layout.moves.is_empty()
            && self.layout.untrack.is_empty()
            && self.rewrites.edits.is_empty()
            && self.rewrites.created.is_empty()
            && self.creates.is_empty()
            && self.gitignore.is_none()
    }

    /// The tree as it will be once the plan is applied (for scoring it).
    #[must_use]
    pub fn tree_after(&self, tree: &Tree) -> Tree {
        let moves: Vec<(String, String)> = self
            .layout
            .moves
            .iter()
            .map(|m| (m.moved.from.clone(), m.moved.to.clone()))
            .collect();
        let mut writes: Vec<(String, Vec<u8>)> = self
            .rewrites
            .edits
            .iter()
            .map(|e| (e.path.clone(), e.after.clone().into_bytes()))
            .collect();
        writes.extend(
            self.rewrites
                .created
                .iter()
                .map(|(path, text)| (path.clone(), text.clone().into_bytes())),
        );
        writes.extend(
            self.creates
                .iter()
                .map(|c| (c.path.clone(), c.contents.clone().into_bytes())),
        );
        if let Some(gitignore) = &self.gitignore {
            writes.push((
                ".gitignore".to_owned(),
                gitignore.after.clone().into_bytes(),
            ));
        }
        let dropped: Vec<String> = self
            .layout
            .untrack
            .iter()
            .flat_map(|u| u.files.iter().cloned())
            .collect();
        tree.rearranged(&moves, &writes, &dropped)
    }
}

/// Plan the organization of `tree` onto `standard` (its id, for documents).
pub fn plan(
    tree: &Tree,
    detection: &Detection,
    standard: &str,
    now: Moment,
) -> Result<Plan, ScaffoldError> {
    let stack = Stack::of(detection);
    let layout = plan::layout(tree, detection);
    let moves: Vec<Move> = layout.moves.iter().map(|m| m.moved.clone()).collect();
    let rewrites = rewrite::rewrite_imports(tree, &moves);
    let creates = documents(tree, detection, &layout, stack, standard, now)?;
    let gitignore = gitignore(tree, &layout);
    Ok(Plan {
        stack,
        service_root: detection.service_root.clone(),
        layout,
        rewrites,
        creates,
        gitignore,
    })
}

/// `.gitignore` with a pattern for every untracked item.
fn gitignore(tree: &Tree, layout: &Layout) -> Option<GitignoreChange> {
    let before = tree.text_at(".gitignore").map(str::to_owned);
    let existing: Vec<&str> = before
        .as_deref()
        .map(|text| text.lines().map(str::trim).collect())
        .unwrap_or_default();
    let mut added: Vec<String> = Vec::new();
    for untrack in &layout.untrack {
        if !existing.contains(&untrack.pattern.as_str()) && !added.contains(&untrack.pattern) {
            added.push(untrack.pattern.clone());
        }
    }
    if added.is_empty() {
        return None;
    }
    let mut after = before.clone().unwrap_or_default();
    if !after.is_empty() && !after.ends_with('\n') {
        after.push('\n');
    }
    if !after.is_empty() {
        after.push('\n');
    }
    after.push_str(
        "# Added by `squarely organize`: build output, temporary files and local data.\n",
    );
    for pattern in &added {
        after.push_str(pattern);
        after.push('\n');
    }
    Some(GitignoreChange {
        before,
        after,
        added,
    })
}

/// Root documents the standard asks for that the repository lacks, written from what the
/// repository holds. A LICENSE is a legal choice: it is reported, never invented.
fn documents(
    tree: &Tree,
    detection: &Detection,
    layout: &Layout,
    stack: Stack,
    standard: &str,
    now: Moment,
) -> Result<Vec<PlannedCreate>, ScaffoldError> {
    let has = |stems: &[&str]| {
        tree.children("").any(|i| {
            let name = tree.entry(i).name().to_ascii_uppercase();
            let stem = name.split('.').next().unwrap_or(&name).to_owned();
            stems.iter().any(|s| stem == *s)
        })
    };
    let mut domains: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for planned in &layout.moves {
        if let Some(domain) = &planned.domain {
            let file = planned
                .moved
                .to
                .rsplit('/')
                .next()
                .unwrap_or_default()
                .to_owned();
            domains
                .entry(domain.clone())
                .or_default()
                .push(format!("`{file}`"));
        }
    }
    let name = project_name(tree, detection);
    let (stack_name, commands, setup): (&str, Vec<&str>, Vec<&str>) = match stack {
        Stack::Python => (
            "Python",
            vec!["pip install -r requirements.txt", "pytest"],
            vec![
                "Install Python 3 and create a virtual environment (`python -m venv .venv`).",
                "`pip install -r requirements.txt`",
                "`pytest` should pass before you change anything.",
            ],
        ),
        Stack::Node => (
            "Node.js",
            vec!["npm install", "npm test"],
            vec![
                "Install Node.js (LTS).",
                "`npm install`",
                "`npm test` should pass before you change anything.",
            ],
        ),
        Stack::Rust => (
            "Rust",
            vec![
                "cargo fmt --check",
                "cargo clippy --all-targets -- -D warnings",
                "cargo test",
            ],
            vec![
                "Install Rust with rustup.",
                "`cargo build`",
                "`cargo test` should pass before you change anything.",
            ],
        ),
        Stack::Other => ("", vec![], vec!["Read the README for setup."]),
    };
    let root = detection.service_root.as_str();
    let under = |dir: &str| {
        if root.is_empty() {
            dir.to_owned()
        } else {
            format!("{root}/{dir}")
        }
    };
    let context = json!({
        "name": name,
        "stack_name": stack_name,
        "frameworks": detection.frameworks().join(", "),
        "standard": standard,
        "modules_dir": under(match stack { Stack::Python => "src", _ => "src/modules" }),
        "shared_dir": under("src/shared"),
        "domains": domains.iter().map(|(name, files)| json!({"name": name, "files": files.join(", ")})).collect::<Vec<_>>(),
        "domain_list": domains.keys().map(|d| format!("`{d}`")).collect::<Vec<_>>().join(", "),
        "commands": commands,
        "setup": setup,
        "date": now.date(),
    });
    let mut creates = Vec::new();
    for (stems, file, template, why) in [
        (
            &["CLAUDE", "AGENTS"][..],
            "CLAUDE.md",
            "organize/CLAUDE.md.hbs",
            "the context an AI assistant needs: layout, layer rules, commands",
        ),
        (
            &["CONTRIBUTING"][..],
            "CONTRIBUTING.md",
            "organize/CONTRIBUTING.md.hbs",
            "setup, workflow and checks for contributors",
        ),
        (
            &["CHANGELOG", "HISTORY", "CHANGES"][..],
            "CHANGELOG.md",
            "organize/CHANGELOG.md.hbs",
            "a changelog with an Unreleased section",
        ),
        (
            &["SECURITY"][..],
            "SECURITY.md",
            "organize/SECURITY.md.hbs",
            "how to report a vulnerability",
        ),
    ] {
        if !has(stems) {
            creates.push(PlannedCreate {
                path: file.to_owned(),
                contents: render_embedded(template, &context)?,
                why: format!("missing: {why}"),
            });
        }
    }
    let has_architecture = tree.descendants("docs").any(|i| {
        tree.entry(i)
            .path
            .to_ascii_lowercase()
            .contains("architecture")
    });
    if !has_architecture && !domains.is_empty() {
        creates.push(PlannedCreate {
            path: "docs/architecture/overview.md".to_owned(),
            contents: render_embedded("organize/architecture-overview.md.hbs", &context)?,
            why: "missing: an architecture overview with a diagram of the domain modules"
                .to_owned(),
        });
    }
    Ok(creates)
}

/// The project's name: from its manifest, else from its folder.
fn project_name(tree: &Tree, detection: &Detection) -> String {
    let root = detection.service_root.as_str();
    let at = |file: &str| {
        if root.is_empty() {
            file.to_owned()
        } else {
            format!("{root}/{file}")
        }
    };
    if let Some(name) = tree
        .text_at(&at("package.json"))
        .and_then(|t| serde_json::from_str::<serde_json::Value>(t).ok())
        .and_then(|v| v["name"].as_str().map(str::to_owned))
    {
        return name;
    }
    for (file, key) in [("Cargo.toml", "package"), ("pyproject.toml", "project")] {
        if let Some(name) = tree
            .text_at(&at(file))
            .and_then(|t| t.parse::<toml::Table>().ok())
            .and_then(|t| t.get(key)?.get("name")?.as_str().map(str::to_owned))
        {
            return name;
        }
    }
    tree.root().and_then(|r| r.file_name()).map_or_else(
        || "the project".to_owned(),
        |n| n.to_string_lossy().into_owned(),
    )
}
