//! `squarely organize`: move an existing repository onto the standard, safely.
//!
//! The plan is computed as values: where files go ([`plan::layout`]), the import edits that
//! follow the moves ([`rewrite`]), the documents and `.gitignore` lines to add, and the
//! references that cannot be rewritten. A dry run prints it; `--apply` hands it to
//! [`crate::fs::journal`], which writes a journal before each step so that `--undo` restores
//! the tree byte for byte.

pub mod conventions;
pub mod model;
pub mod patch;
pub mod plan;
pub mod rewrite;

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::json;

use crate::detect::Detection;
use crate::fs::journal::Step;
use crate::fs::{Group, Run, Tree};
use crate::scaffold::{Moment, ScaffoldError, render_embedded};

pub use model::{ImportChange, Move, Rewrites, TextEdit, Unresolved};
pub use plan::{
    Conflict, Layout, PlannedCreate, PlannedMove, PlannedUntrack, Stack, TARGETS, Target,
};

/// The whole plan of one `organize` run.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    /// The standard whose layout it moves onto.
    #[serde(skip)]
    pub standard: &'static str,
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
    /// Whether the repository is a git working tree: junk is then untracked as well as
    /// ignored; outside git it is only ignored.
    pub git: bool,
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

    /// The plan as journal steps, in commit-sized groups: untracking first, then each domain's
    /// renames, the other moves, the import edits (after every rename, so that git follows
    /// each file's history), and the new documents.
    #[must_use]
    pub fn to_run(&self) -> Run {
        let mut groups = self.untrack_groups();
        let moves = |moves: &[&PlannedMove]| -> Vec<Step> {
            moves
                .iter()
                .map(|m| Step::Move {
                    from: m.moved.from.clone(),
                    to: m.moved.to.clone(),
                })
                .collect()
        };
        for (title, planned) in self.move_groups() {
            push(&mut groups, &title, moves(&planned));
        }
        push(
            &mut groups,
            "organize: rewrite the imports the moves broke",
            edit_steps(&self.rewrites),
        );
        push(
            &mut groups,
            "organize: add the missing documents",
            self.document_steps(),
        );
        Run { groups }
    }

    /// The run for `--commit`: each domain's renames in a commit of their own (so that git
    /// follows every file), then at once the edits those renames need, computed on the tree
    /// as the commits before left it: no commit but a rename commit leaves an import
    /// dangling, and the last one is the plan's tree.
    #[must_use]
    pub fn to_run_staged(&self, tree: &Tree) -> Run {
        let mut groups = self.untrack_groups();
        let dropped: Vec<String> = self
            .layout
            .untrack
            .iter()
            .filter(|_| self.git)
            .flat_map(|u| u.files.iter().cloned())
            .collect();
        let mut current = tree.rearranged(&[], &[], &dropped);
        for (title, planned) in batched(self.move_groups()) {
            let moves: Vec<Move> = planned.iter().map(|m| m.moved.clone()).collect();
            let rewrites = rewrite::rewrite_imports(&current, &moves);
            let steps = moves
                .iter()
                .map(|m| Step::Move {
                    from: m.from.clone(),
                    to: m.to.clone(),
                })
                .collect();
            push(&mut groups, &title, steps);
            let edits = edit_steps(&rewrites);
            let what = title.strip_prefix("organize: ").unwrap_or(&title);
            push(
                &mut groups,
                &format!("organize: rewrite the imports broken by: {what}"),
                edits,
            );
            let pairs: Vec<(String, String)> = moves.into_iter().map(|m| (m.from, m.to)).collect();
            current = current.rearranged(&pairs, &written(&rewrites), &[]);
        }
        push(
            &mut groups,
            "organize: add the missing documents",
            self.document_steps(),
        );
        Run { groups }
    }

    /// Untracking and the `.gitignore` that keeps the untracked out, first of every run.
    fn untrack_groups(&self) -> Vec<Group> {
        let mut groups = Vec::new();
        let mut untrack: Vec<Step> = self
            .layout
            .untrack
            .iter()
            .filter(|_| self.git)
            .flat_map(|u| {
                u.files
                    .iter()
                    .map(|path| Step::Untrack { path: path.clone() })
            })
            .collect();
        if let Some(gitignore) = &self.gitignore {
            let after = gitignore.after.clone().into_bytes();
            untrack.push(match &gitignore.before {
                Some(before) => Step::Edit {
                    path: ".gitignore".to_owned(),
                    before: before.clone().into_bytes(),
                    after,
                },
                None => Step::Create {
                    path: ".gitignore".to_owned(),
                    contents: after,
                },
            });
        }
        push(
            &mut groups,
            "organize: untrack build output, temporary files and local data; ignore them",
            untrack,
        );
        groups
    }

    /// The moves by commit: one group per domain, then root items and shared code.
    fn move_groups(&self) -> Vec<(String, Vec<&PlannedMove>)> {
        let mut out: Vec<(String, Vec<&PlannedMove>)> = plan::domains(&self.layout)
            .into_iter()
            .map(|(domain, planned)| {
                (
                    format!("organize: move the {domain} domain into its module"),
                    planned,
                )
            })
            .collect();
        let others: Vec<&PlannedMove> = self
            .layout
            .moves
            .iter()
            .filter(|m| m.domain.is_none())
            .collect();
        out.push((
            "organize: move root items and shared code where the standard puts them".to_owned(),
            others,
        ));
        out
    }

    fn document_steps(&self) -> Vec<Step> {
        self.creates
            .iter()
            .map(|c| Step::Create {
                path: c.path.clone(),
                contents: c.contents.clone().into_bytes(),
            })
            .collect()
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
        let mut writes = written(&self.rewrites);
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

/// Stages of at most [`MAX_STAGES`]: every stage parses the repository again to rewrite the
/// imports its moves break, so 20,000 domains are moved in batches of domains (each batch
/// still one rename commit and one edit commit). The last group (root items and shared code)
/// stays on its own.
fn batched(groups: Vec<(String, Vec<&PlannedMove>)>) -> Vec<(String, Vec<&PlannedMove>)> {
    const MAX_STAGES: usize = 24;
    if groups.len() <= MAX_STAGES {
        return groups;
    }
    let mut groups = groups;
    let last = groups.pop();
    let per = groups.len().div_ceil(MAX_STAGES - 1);
    let mut out: Vec<(String, Vec<&PlannedMove>)> = groups
        .chunks(per)
        .map(|chunk| {
            let names: Vec<&str> = chunk
                .iter()
                .filter_map(|(_, moves)| moves.first().and_then(|m| m.domain.as_deref()))
                .collect();
            let title = match names.as_slice() {
                [first, .., last] => format!(
                    "organize: move {} domains into their modules ({first} to {last})",
                    names.len()
                ),
                _ => chunk[0].0.clone(),
            };
            (
                title,
                chunk.iter().flat_map(|(_, m)| m.iter().copied()).collect(),
            )
        })
        .collect();
    out.extend(last);
    out
}

/// Add a group of steps to a run, unless it has none.
fn push(groups: &mut Vec<Group>, title: &str, steps: Vec<Step>) {
    if !steps.is_empty() {
        groups.push(Group {
            title: title.to_owned(),
            steps,
        });
    }
}

/// The edits and created files of a rewrite, as steps.
fn edit_steps(rewrites: &Rewrites) -> Vec<Step> {
    let mut steps: Vec<Step> = rewrites
        .edits
        .iter()
        .map(|e| Step::Edit {
            path: e.path.clone(),
            before: e.before.clone().into_bytes(),
            after: e.after.clone().into_bytes(),
        })
        .collect();
    steps.extend(rewrites.created.iter().map(|(path, text)| Step::Create {
        path: path.clone(),
        contents: text.clone().into_bytes(),
    }));
    steps
}

/// What a rewrite writes: every edited file's new text and every created file.
fn written(rewrites: &Rewrites) -> Vec<(String, Vec<u8>)> {
    rewrites
        .edits
        .iter()
        .map(|e| (e.path.clone(), e.after.clone().into_bytes()))
        .chain(
            rewrites
                .created
                .iter()
                .map(|(path, text)| (path.clone(), text.clone().into_bytes())),
        )
        .collect()
}

/// Plan the organization of `tree` onto the layout of `target`.
pub fn plan(
    tree: &Tree,
    detection: &Detection,
    target: &Target,
    now: Moment,
    git: bool,
) -> Result<Plan, ScaffoldError> {
    let stack = Stack::of(detection);
    let layout = plan::layout(tree, detection, target);
    let moves: Vec<Move> = layout.moves.iter().map(|m| m.moved.clone()).collect();
    // The imports are rewritten in the tree as it is once the junk is untracked, as
    // `--commit` does it step by step: a committed `venv/` is not edited.
    let dropped: Vec<String> = layout
        .untrack
        .iter()
        .filter(|_| git)
        .flat_map(|u| u.files.iter().cloned())
        .collect();
    let rewrites = if dropped.is_empty() {
        rewrite::rewrite_imports(tree, &moves)
    } else {
        rewrite::rewrite_imports(&tree.rearranged(&[], &[], &dropped), &moves)
    };
    let creates = if target.documents {
        documents(tree, detection, &layout, stack, target, now)?
    } else {
        Vec::new()
    };
    let gitignore = gitignore(tree, &layout);
    Ok(Plan {
        standard: target.standard,
        stack,
        service_root: detection.service_root.clone(),
        layout,
        rewrites,
        creates,
        gitignore,
        git,
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
    target: &Target,
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
    let tooling = Tooling::of(tree, detection, stack);
    let stack_name = match stack {
        Stack::Python => "Python",
        Stack::Node => "Node.js",
        Stack::Rust => "Rust",
        Stack::Other => "",
    };
    let (commands, setup) = (tooling.commands, tooling.setup);
    let root = detection.service_root.as_str();
    let under = |dir: &str| crate::fs::join(root, dir);
    let context = json!({
        "name": name,
        "stack_name": stack_name,
        "frameworks": detection.frameworks().join(", "),
        "standard": target.standard,
        "modules_dir": modules_dir(layout).unwrap_or_else(|| under(&target.modules_dir())),
        "shared_dir": under(&target.shared_dir()),
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

/// The folder the plan puts domain modules in (`app` for a package that keeps its code),
/// when it moves any.
fn modules_dir(layout: &Layout) -> Option<String> {
    layout.moves.iter().find_map(|planned| {
        let domain = planned.domain.as_deref()?;
        let (folder, _) = planned.moved.to.rsplit_once('/')?;
        let base = folder.strip_suffix(domain)?.trim_end_matches('/');
        Some(if base.is_empty() {
            ".".to_owned()
        } else {
            base.to_owned()
        })
    })
}

/// The commands the repository's own tooling runs: its package manager (from its lock file),
/// its test runner, and its checks.
struct Tooling {
    commands: Vec<String>,
    setup: Vec<String>,
}

impl Tooling {
    fn of(tree: &Tree, detection: &Detection, stack: Stack) -> Tooling {
        let root = detection.service_root.as_str();
        let at = |file: &str| crate::fs::join(root, file);
        let exists = |file: &str| tree.is_file(&at(file));
        let read = |file: &str| tree.text_at(&at(file)).unwrap_or_default();
        let owned = |items: &[&str]| items.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        match stack {
            Stack::Python => {
                let pyproject = read("pyproject.toml");
                let (install, run) = if exists("poetry.lock") || pyproject.contains("[tool.poetry]")
                {
                    ("poetry install", "poetry run ")
                } else if exists("uv.lock") {
                    ("uv sync", "uv run ")
                } else if exists("Pipfile") {
                    ("pipenv install --dev", "pipenv run ")
                } else if exists("requirements-dev.txt") {
                    ("pip install -r requirements-dev.txt", "")
                } else if exists("requirements.txt") {
                    ("pip install -r requirements.txt", "")
                } else {
                    ("pip install -e .", "")
                };
                let pytest = detection.has_dependency("pytest")
                    || exists("conftest.py")
                    || exists("pytest.ini")
                    || pyproject.contains("[tool.pytest");
                let test = if detection.frameworks().iter().any(|f| f == "django") && !pytest {
                    format!("{run}python manage.py test")
                } else if pytest {
                    format!("{run}pytest")
                } else {
                    format!("{run}python -m unittest")
                };
                let venv = if run.is_empty() {
                    "Install Python 3 and create a virtual environment (`python -m venv .venv`)."
                } else {
                    "Install Python 3 and the tool named below."
                };
                Tooling {
                    commands: vec![install.to_owned(), test.clone()],
                    setup: vec![
                        venv.to_owned(),
                        format!("`{install}`"),
                        format!("`{test}` should pass before you change anything."),
                    ],
                }
            }
            Stack::Node => {
                let manager = if exists("pnpm-lock.yaml") {
                    "pnpm"
                } else if exists("yarn.lock") {
                    "yarn"
                } else if exists("bun.lockb") || exists("bun.lock") {
                    "bun"
                } else {
                    "npm"
                };
                let install = if manager == "npm" && exists("package-lock.json") {
                    "npm ci".to_owned()
                } else {
                    format!("{manager} install")
                };
                let scripts = serde_json::from_str::<serde_json::Value>(read("package.json"))
                    .ok()
                    .and_then(|v| v.get("scripts").cloned());
                let has = |name: &str| scripts.as_ref().is_some_and(|s| s.get(name).is_some());
                let run = |name: &str| match manager {
                    "npm" if name == "test" => "npm test".to_owned(),
                    "npm" => format!("npm run {name}"),
                    other => format!("{other} {name}"),
                };
                let mut commands = vec![install.clone()];
                commands.extend(["lint", "test"].iter().filter(|n| has(n)).map(|n| run(n)));
                let mut setup = vec!["Install Node.js (LTS).".to_owned(), format!("`{install}`")];
                if has("test") {
                    setup.push(format!(
                        "`{}` should pass before you change anything.",
                        run("test")
                    ));
                }
                Tooling { commands, setup }
            }
            Stack::Rust => Tooling {
                commands: owned(&[
                    "cargo fmt --check",
                    "cargo clippy --all-targets -- -D warnings",
                    "cargo test",
                ]),
                setup: owned(&[
                    "Install Rust with rustup.",
                    "`cargo build`",
                    "`cargo test` should pass before you change anything.",
                ]),
            },
            Stack::Other => Tooling {
                commands: Vec::new(),
                setup: owned(&["Read the README for setup."]),
            },
        }
    }
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

#[cfg(test)]
mod tests {
    /// The `coditect-backend` layout for the detected stack.
    fn coditect(detection: &crate::detect::Detection) -> super::Target {
        super::Target::of("coditect-backend", super::Stack::of(detection)).unwrap()
    }

    use std::collections::BTreeMap;
    use std::os::unix::fs::PermissionsExt;
    use std::path::Path;

    use proptest::prelude::*;

    use crate::fs::{Commit, Tree, journal};
    use crate::scaffold::Moment;

    /// The documents a plan writes for an in-memory repository, by path.
    fn documents_of(files: &[(&str, &str)]) -> BTreeMap<String, String> {
        let tree = Tree::from_files(files);
        let standard = crate::standard::load("coditect-backend", Path::new("."))
            .unwrap()
            .standard;
        let detection = crate::detect::detect(&tree, &standard.detection);
        super::plan(
            &tree,
            &detection,
            &coditect(&detection),
            Moment { unix: 0 },
            true,
        )
        .unwrap()
        .creates
        .into_iter()
        .map(|c| (c.path, c.contents))
        .collect()
    }

    #[test]
    fn documents_say_what_the_repository_uses() {
        let docs = documents_of(&[
            (
                "pyproject.toml",
                "[tool.poetry]\nname = \"shop\"\n[tool.poetry.dependencies]\nfastapi = \"*\"\n[tool.poetry.group.dev.dependencies]\npytest = \"*\"\n",
            ),
            ("poetry.lock", ""),
            ("app/__init__.py", ""),
            ("app/routers/__init__.py", ""),
            ("app/routers/items.py", "x = 1\n"),
            ("app/services/items.py", "x = 1\n"),
        ]);
        let claude = &docs["CLAUDE.md"];
        assert!(claude.contains("poetry install"), "{claude}");
        assert!(claude.contains("poetry run pytest"), "{claude}");
        assert!(!claude.contains("pip install"), "{claude}");
        assert!(
            claude.contains("(`app/<domain>/`)"),
            "the package keeps its code: {claude}"
        );

        let docs = documents_of(&[
            (
                "package.json",
                "{\"name\": \"api\", \"scripts\": {\"lint\": \"eslint .\"}, \"dependencies\": {\"express\": \"4\"}}\n",
            ),
            ("pnpm-lock.yaml", ""),
            ("src/routes/users.js", "module.exports = 1;\n"),
        ]);
        let contributing = &docs["CONTRIBUTING.md"];
        assert!(contributing.contains("pnpm install"), "{contributing}");
        assert!(contributing.contains("pnpm lint"), "{contributing}");
        assert!(
            !contributing.contains("npm test"),
            "no test script: {contributing}"
        );
    }

    #[test]
    fn thousands_of_domains_are_moved_in_a_bounded_number_of_stages() {
        let planned: Vec<super::PlannedMove> = (0..1000)
            .map(|i| super::PlannedMove {
                moved: super::Move {
                    from: format!("app/routes/d{i:04}.py"),
                    to: format!("app/d{i:04}/router.py"),
                },
                domain: Some(format!("d{i:04}")),
                why: String::new(),
            })
            .collect();
        let mut groups: Vec<(String, Vec<&super::PlannedMove>)> = planned
            .iter()
            .map(|m| (format!("move {}", m.moved.from), vec![m]))
            .collect();
        groups.push(("organize: move root items".to_owned(), Vec::new()));
        let stages = super::batched(groups);
        assert!(stages.len() <= 24, "{}", stages.len());
        let moved: usize = stages.iter().map(|(_, m)| m.len()).sum();
        assert_eq!(moved, 1000, "every move is in a stage");
        assert_eq!(
            stages[0].0,
            "organize: move 44 domains into their modules (d0000 to d0043)"
        );
        assert_eq!(stages.last().unwrap().0, "organize: move root items");
    }

    /// Every file and folder below `root`: path, mode, bytes.
    fn fingerprint(root: &Path) -> BTreeMap<String, (u32, Vec<u8>)> {
        let mut out = BTreeMap::new();
        let mut stack = vec![root.to_path_buf()];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                let meta = std::fs::symlink_metadata(&path).unwrap();
                let rel = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                if meta.is_dir() {
                    out.insert(format!("{rel}/"), (meta.permissions().mode(), Vec::new()));
                    stack.push(path);
                } else {
                    let bytes = std::fs::read(&path).unwrap();
                    out.insert(rel, (meta.permissions().mode(), bytes));
                }
            }
        }
        out
    }

    /// A random repository of one stack, laid out by technical type, with junk at the root.
    fn repository() -> impl Strategy<Value = Vec<(String, String, bool)>> {
        let stack = prop_oneof![Just("py"), Just("js"), Just("rs")];
        let domains = prop::collection::btree_set("[a-z]{2,6}", 1..5);
        let layers = prop::sample::subsequence(
            vec![
                "controllers",
                "services",
                "models",
                "routes",
                "repositories",
                "utils",
            ],
            1..5,
        );
        let junk = prop::sample::subsequence(
            vec![
                "notes.tmp",
                "debug.log",
                "app.db",
                "EXPORT-chat.txt",
                "RESEARCH-x.md",
            ],
            0..4,
        );
        (stack, domains, layers, junk, any::<bool>()).prop_map(
            |(stack, domains, layers, junk, executable)| {
                let mut files = Vec::new();
                let manifest = match stack {
                    "py" => ("requirements.txt", "fastapi==0.115.6\n"),
                    "js" => (
                        "package.json",
                        "{\"name\": \"p\", \"dependencies\": {\"express\": \"4\"}}\n",
                    ),
                    _ => (
                        "Cargo.toml",
                        "[package]\nname = \"p\"\nversion = \"0.1.0\"\nedition = \"2024\"\n",
                    ),
                };
                files.push((manifest.0.to_owned(), manifest.1.to_owned(), false));
                let source = if stack == "py" { "app" } else { "src" };
                for layer in &layers {
                    for domain in &domains {
                        let path = format!("{source}/{layer}/{domain}.{stack}");
                        let other = domains.iter().next().unwrap();
                        let text = match stack {
                            "py" => format!("from app.{layer} import {other}\n\nVALUE = 1\n"),
                            "js" => {
                                format!("const x = require('./{other}');\nmodule.exports = x;\n")
                            }
                            _ => format!("pub fn {domain}() {{}}\n"),
                        };
                        files.push((path, text, executable && layer == &"utils"));
                    }
                }
                for name in junk {
                    files.push((name.to_owned(), format!("{name}\n"), false));
                }
                files
            },
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

        /// Any repository squarely plans can be organized and taken back, byte for byte.
        #[test]
        fn planned_applied_and_undone_is_the_same_tree(files in repository()) {
            let dir = tempfile::tempdir().unwrap();
            let root = dir.path();
            for (path, text, executable) in &files {
                let path = root.join(path);
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(&path, text).unwrap();
                if *executable {
                    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
                }
            }
            let before = fingerprint(root);
            let tree = Tree::walk(root).unwrap();
            let standard = crate::standard::load("coditect-backend", root).unwrap().standard;
            let detection = crate::detect::detect(&tree, &standard.detection);
            let plan =
                super::plan(&tree, &detection, &coditect(&detection), Moment { unix: 0 }, false).unwrap();
            prop_assert!(!plan.is_empty());
            let planned_after = plan.tree_after(&tree);
            journal::apply(root, &plan.to_run(), Commit::No, None).unwrap();
            let applied = Tree::walk(root).unwrap();
            let paths = |t: &Tree| t.entries().iter().filter(|e| e.is_file()).map(|e| e.path.clone()).collect::<Vec<_>>();
            prop_assert_eq!(paths(&applied), paths(&planned_after), "the tree is what the plan said");
            journal::undo(root).unwrap();
            prop_assert_eq!(fingerprint(root), before);
        }
    }
}
