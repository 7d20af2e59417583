//! Evaluating rule-set conditions against the in-memory tree, with the evidence that made
//! them hold and the placeholders that did not count.

use std::collections::BTreeSet;

use rayon::prelude::*;

use crate::analyze::Language;
use crate::standard::{CodeQuery, Condition, EntryFilter, PathQuery, name_segments};

use super::context::Context;
use super::placeholder;

/// A place that supports (or failed) a condition.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Hit {
    /// Tree path.
    pub path: String,
    /// Line, where one applies.
    pub line: Option<u32>,
}

/// The outcome of a condition.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// Whether it holds.
    pub holds: bool,
    /// What made it hold.
    pub hits: Vec<Hit>,
    /// Files that matched but are placeholders, with the reason.
    pub placeholders: Vec<(String, String)>,
}

impl Outcome {
    fn new(holds: bool) -> Outcome {
        Outcome {
            holds,
            ..Outcome::default()
        }
    }

    /// The first hit's path, for findings.
    #[must_use]
    pub fn first_path(&self) -> Option<&str> {
        self.hits.first().map(|h| h.path.as_str())
    }
}

/// How long one content condition may spend matching its regex.
const REGEX_BUDGET: std::time::Duration = std::time::Duration::from_secs(2);

/// How much of one line a content regex is matched against.
const MAX_MATCHED_LINE: usize = 16 << 10;

/// Files up to this size are first matched whole (see [`whole_text`]); lines are matched
/// between two readings of the clock up to this many bytes.
const PREFILTERED_BYTES: usize = 64 << 10;

/// The line regex made to run over a whole file at once (multi-line anchors), which matches
/// wherever it matches a line: a file it does not match is skipped without going line by line.
/// `None` where a whole-text anchor (`\A`, `\z`) or a flag turned off could make it miss a
/// line's match. Only used on text without `\r` (where `$` would differ).
fn whole_text(line: &regex::Regex) -> Option<regex::Regex> {
    let pattern = line.as_str();
    // A flag group that turns a flag off (`(?-m)`, `(?i-m:...)`) has a `-` before its end.
    let turns_off = pattern.split("(?").skip(1).any(|group| {
        group
            .split([')', ':'])
            .next()
            .is_some_and(|flags| flags.contains('-'))
    });
    if turns_off || pattern.contains("\\A") || pattern.contains("\\z") {
        return None;
    }
    regex::Regex::new(&format!("(?m:{pattern})")).ok()
}

/// What one file gave a content condition.
enum Scanned {
    /// Not readable text, or skipped by the whole-text prefilter: it does not count.
    Passed,
    /// Read; the line of the first match, if any.
    Read(Option<u32>),
    /// The regex budget ran out on this file.
    Late,
}

/// A content condition: the files of `files` with a line matching `regex`, at least
/// `files.min` of them.
///
/// Files are read and matched in parallel, in chunks that grow from 8 to 1,024 files, and
/// taken in order: the hits, where the condition stops and the file named when the budget
/// runs out are those of reading one file after another (at most a chunk more is read).
fn content(
    ctx: &Context,
    files: &PathQuery,
    regex: &regex::Regex,
    skip_comment_lines: bool,
) -> Outcome {
    let mut outcome = Outcome::new(false);
    // A rule set's regex is untrusted too: a huge pattern can take minutes on a large file.
    // Lines are matched on their first 16 KiB, and a condition that runs past its budget
    // stops, does not hold, and says so.
    let deadline = std::time::Instant::now() + REGEX_BUDGET;
    let late = || std::time::Instant::now() > deadline;
    let prefilter = whole_text(regex);
    let scan = |index: usize| -> Scanned {
        let Some(text) = ctx.tree.text(index) else {
            return Scanned::Passed;
        };
        if late() {
            return Scanned::Late;
        }
        // Small files only: one match call over a whole file cannot be stopped.
        if let Some(whole) = &prefilter
            && text.len() <= PREFILTERED_BYTES
            && !text.contains('\r')
            && !whole.is_match(text)
        {
            return Scanned::Passed;
        }
        // The clock is read every 64 KiB of lines: reading it per line cost more than
        // matching most lines.
        let mut since_clock = 0usize;
        for (number, line) in text.lines().enumerate() {
            if skip_comment_lines {
                let trimmed = line.trim_start();
                if trimmed.starts_with('#') || trimmed.starts_with("//") {
                    continue;
                }
            }
            if since_clock >= PREFILTERED_BYTES {
                since_clock = 0;
                if late() {
                    return Scanned::Late;
                }
            }
            let mut end = line.len().min(MAX_MATCHED_LINE);
            since_clock += end + 1;
            while !line.is_char_boundary(end) {
                end -= 1;
            }
            if regex.is_match(&line[..end]) {
                return Scanned::Read(u32::try_from(number + 1).ok());
            }
        }
        Scanned::Read(None)
    };
    let matched = query_matches(ctx, files, EntryFilter::File);
    let mut rest = matched.as_slice();
    let mut chunk = 8;
    while !rest.is_empty() {
        let (now, later) = rest.split_at(chunk.min(rest.len()));
        rest = later;
        chunk = (chunk * 4).min(1024);
        let scanned: Vec<Scanned> = now.par_iter().map(|&index| scan(index)).collect();
        for (&index, result) in now.iter().zip(scanned) {
            match result {
                Scanned::Passed => {}
                Scanned::Late => {
                    ctx.tree.note(
                        &ctx.tree.entry(index).path,
                        format!(
                            "the rule set's regex `{}` took more than {} s and was stopped: its condition does not hold",
                            crate::text::clip(regex.as_str()),
                            REGEX_BUDGET.as_secs()
                        ),
                    );
                    outcome.hits.clear();
                    return outcome;
                }
                Scanned::Read(line) => {
                    if let Some(line) = line {
                        outcome.hits.push(Hit {
                            path: ctx.tree.entry(index).path.clone(),
                            line: Some(line),
                        });
                    }
                    if outcome.hits.len() >= files.min as usize {
                        outcome.holds = true;
                        return outcome;
                    }
                }
            }
        }
    }
    outcome
}

/// Evaluate a condition.
pub fn evaluate(ctx: &Context, condition: &Condition) -> Outcome {
    match condition {
        Condition::Path(query, filter) => paths(ctx, query, *filter),
        Condition::Content {
            files,
            regex,
            skip_comment_lines,
        } => content(ctx, files, regex, *skip_comment_lines),
        Condition::Section { files, heading } => {
            let mut outcome = Outcome::new(false);
            for index in query_matches(ctx, files, EntryFilter::File) {
                let Some(text) = ctx.tree.text(index) else {
                    continue;
                };
                // The project's README (at the repository or service root) opens with the
                // project's name; a sub-folder's README may be titled by its subject.
                let entry = ctx.tree.entry(index);
                let readme = entry.name().to_ascii_lowercase().starts_with("readme")
                    && (entry.parent().is_empty() || entry.parent() == ctx.service_root);
                if let Some(line) = placeholder::find_section(text, heading, readme) {
                    outcome.hits.push(Hit {
                        path: ctx.tree.entry(index).path.clone(),
                        line: Some(line),
                    });
                    outcome.holds = true;
                    break;
                }
            }
            outcome
        }
        Condition::Dependency(names) => {
            let project = ctx.detection.service_project();
            let found = project.dependencies.iter().find(|dep| {
                names.iter().any(|name| {
                    ["python", "node", "rust"]
                        .iter()
                        .any(|lang| dep.name == crate::detect::manifest::normalize(name, lang))
                })
            });
            match found {
                Some(dep) => Outcome {
                    holds: true,
                    hits: vec![Hit {
                        path: dep.path.clone(),
                        line: dep.line,
                    }],
                    placeholders: Vec::new(),
                },
                None => Outcome::new(false),
            }
        }
        Condition::Framework(ids) => {
            let project = ctx.detection.service_project();
            let found = ids.iter().find(|id| project.frameworks.contains(id));
            match found {
                Some(id) => {
                    let evidence = project
                        .evidence
                        .iter()
                        .find(|e| e.subject == format!("framework:{id}"));
                    Outcome {
                        holds: true,
                        hits: evidence
                            .and_then(|e| e.path.clone().map(|path| Hit { path, line: e.line }))
                            .into_iter()
                            .collect(),
                        placeholders: Vec::new(),
                    }
                }
                None => Outcome::new(false),
            }
        }
        Condition::Language(ids) => {
            Outcome::new(ids.iter().any(|id| ctx.detection.languages().contains(id)))
        }
        Condition::Kind(kinds) => Outcome::new(kinds.contains(&ctx.detection.kind())),
        Condition::Imports(query) => code(ctx, query, true),
        Condition::Calls(query) => code(ctx, query, false),
        Condition::Layer(layers) => {
            let found = ctx.layered.iter().find(|(_, layer)| layers.contains(layer));
            match found {
                Some(&(index, _)) => Outcome {
                    holds: true,
                    hits: vec![Hit {
                        path: ctx.tree.entry(index).path.clone(),
                        line: None,
                    }],
                    placeholders: Vec::new(),
                },
                None => Outcome::new(false),
            }
        }
        Condition::Domains(min) => Outcome {
            holds: ctx.domains.len() >= *min as usize,
            hits: ctx
                .domains
                .iter()
                .map(|d| Hit {
                    path: d.clone(),
                    line: None,
                })
                .collect(),
            placeholders: Vec::new(),
        },
        Condition::Ignored {
            probes,
            require_all,
        } => {
            let Some(gitignore) = ctx.gitignore() else {
                return Outcome::new(false);
            };
            let languages = ctx.detection.languages();
            let applicable: Vec<_> = probes
                .iter()
                .filter(|p| p.language.as_ref().is_none_or(|l| languages.contains(l)))
                .collect();
            if applicable.is_empty() {
                return Outcome::new(false);
            }
            let ignored = |probe: &str| {
                let is_dir = probe.ends_with('/');
                let path = probe.trim_end_matches('/');
                gitignore
                    .matched_path_or_any_parents(path, is_dir)
                    .is_ignore()
            };
            let met = |p: &&crate::standard::Probe| {
                ignored(&p.path) || p.or.iter().any(|alt| ignored(alt))
            };
            let holds = if *require_all {
                applicable.iter().all(met)
            } else {
                applicable.iter().any(met)
            };
            Outcome::new(holds)
        }
        Condition::Any(list) => {
            let mut placeholders = Vec::new();
            for item in list {
                let outcome = evaluate(ctx, item);
                if outcome.holds {
                    return outcome;
                }
                placeholders.extend(outcome.placeholders);
            }
            Outcome {
                holds: false,
                hits: Vec::new(),
                placeholders,
            }
        }
        Condition::All(list) => {
            let mut all = Outcome::new(true);
            for item in list {
                let outcome = evaluate(ctx, item);
                all.placeholders.extend(outcome.placeholders);
                if !outcome.holds {
                    all.holds = false;
                    all.hits.clear();
                    break;
                }
                all.hits.extend(outcome.hits);
            }
            all
        }
        Condition::Not(inner) => Outcome::new(!evaluate(ctx, inner).holds),
    }
}

/// Entries matching a query (any glob, no exclusion), of the wanted kind, in tree order.
pub fn query_matches(ctx: &Context, query: &PathQuery, filter: EntryFilter) -> Vec<usize> {
    let mut found = BTreeSet::new();
    for root in ctx.scope_roots(query.scope) {
        let strip = if root.is_empty() { 0 } else { root.len() + 1 };
        for glob in &query.globs.0 {
            for index in ctx.glob_matches(root, glob) {
                let entry = ctx.tree.entry(index);
                let kind_ok = match filter {
                    EntryFilter::Any => true,
                    EntryFilter::File => entry.is_file(),
                    EntryFilter::Dir => entry.is_dir(),
                };
                let rel = entry.path.get(strip..).unwrap_or("");
                if kind_ok && !query.exclude.is_match(rel) {
                    found.insert(index);
                }
            }
        }
    }
    found.into_iter().collect()
}

fn paths(ctx: &Context, query: &PathQuery, filter: EntryFilter) -> Outcome {
    let mut outcome = Outcome::new(false);
    for index in query_matches(ctx, query, filter) {
        let entry = ctx.tree.entry(index);
        if !query.placeholders_count {
            let placeholder = if entry.is_file() {
                placeholder::check(ctx.tree, index)
            } else if entry.is_dir() {
                placeholder::check_dir(ctx.tree, index)
            } else {
                None
            };
            if let Some(why) = placeholder {
                outcome.placeholders.push((entry.path.clone(), why));
                continue;
            }
        }
        outcome.hits.push(Hit {
            path: entry.path.clone(),
            line: None,
        });
        if outcome.hits.len() >= query.min as usize {
            outcome.holds = true;
            return outcome;
        }
    }
    outcome
}

/// Source files a code query searches.
fn code_files(ctx: &Context, query: &CodeQuery) -> Vec<usize> {
    match &query.files {
        Some(files) => query_matches(ctx, files, EntryFilter::File)
            .into_iter()
            .filter(|&i| Language::from_path(ctx.tree.entry(i).name()).is_some())
            .collect(),
        None => ctx
            .tree
            .descendants(ctx.service_root)
            .filter(|&i| {
                let entry = ctx.tree.entry(i);
                entry.is_file() && Language::from_path(entry.name()).is_some()
            })
            .collect(),
    }
}

fn code(ctx: &Context, query: &CodeQuery, imports: bool) -> Outcome {
    let files = code_files(ctx, query);
    ctx.prefetch(&files);
    for index in files {
        let Some(analysis) = ctx.analysis(index) else {
            continue;
        };
        let hit = if imports {
            analysis.imports.iter().find_map(|import| {
                if import.level > 0 || import.module.starts_with('.') {
                    return None;
                }
                let segments = name_segments(&import.module);
                query
                    .names
                    .iter()
                    .any(|p| p.matches_module(&segments))
                    .then_some(import.location.line)
            })
        } else {
            analysis.calls.iter().find_map(|call| {
                let segments = call.segments();
                query
                    .names
                    .iter()
                    .any(|p| p.matches_suffix(&segments))
                    .then_some(call.location.line)
            })
        };
        if let Some(line) = hit {
            return Outcome {
                holds: true,
                hits: vec![Hit {
                    path: ctx.tree.entry(index).path.clone(),
                    line: Some(line),
                }],
                placeholders: Vec::new(),
            };
        }
    }
    Outcome::new(false)
}

#[cfg(test)]
mod tests {
    use regex::Regex;

    use crate::fs::Tree;
    use crate::standard::{Scoring, load_str};

    /// Files are matched in parallel chunks, yet the hits are the first `min` matching files
    /// in tree order, as one file after another would find them; a file without a match or
    /// that is not text does not count.
    #[test]
    fn a_content_condition_takes_the_first_matches_in_order() {
        let rule_set = "id: t\nname: T\nversion: 1\ncategories:\n  - {id: docs, title: Docs}\nchecks:\n  - id: docs.notes\n    category: docs\n    title: Notes\n    points: 5\n    why: w\n    fix: f\n    tiers:\n      - {points: 5, label: x, when: {content: {files: {glob: \"notes/*.txt\", min: 3}, regex: \"^TODO\"}}}\n";
        let standard = load_str("t.yaml", rule_set, std::path::Path::new("."))
            .unwrap()
            .standard;
        let Scoring::Tiers(tiers) = &standard.checks[0].scoring else {
            panic!("tiers");
        };
        let matching = [3usize, 9, 40, 41, 300];
        let mut files: Vec<(String, Vec<u8>)> = (0..400)
            .map(|i| {
                let text = if matching.contains(&i) {
                    format!("line\nTODO {i}\n")
                } else {
                    format!("line {i}\n")
                };
                (format!("notes/{i:04}.txt"), text.into_bytes())
            })
            .collect();
        files.push(("notes/0002.txt".to_owned(), b"TODO\0binary".to_vec()));
        let tree = Tree::from_files(&files);
        let detection = crate::detect::detect(&tree, &standard.detection);
        let ctx = super::Context::new(&tree, &standard, &detection);
        let outcome = super::evaluate(&ctx, &tiers[0].when);
        assert!(outcome.holds);
        let hits: Vec<(&str, Option<u32>)> = outcome
            .hits
            .iter()
            .map(|h| (h.path.as_str(), h.line))
            .collect();
        assert_eq!(
            hits,
            [
                ("notes/0003.txt", Some(2)),
                ("notes/0009.txt", Some(2)),
                ("notes/0040.txt", Some(2))
            ]
        );
        // Fewer matching files than `min`: every one is found, and it does not hold.
        let few: Vec<(String, Vec<u8>)> = files
            .iter()
            .filter(|(path, _)| !["0040", "0041", "0300"].iter().any(|n| path.contains(n)))
            .cloned()
            .collect();
        let tree = Tree::from_files(&few);
        let ctx = super::Context::new(&tree, &standard, &detection);
        let outcome = super::evaluate(&ctx, &tiers[0].when);
        assert!(!outcome.holds);
        let paths: Vec<&str> = outcome.hits.iter().map(|h| h.path.as_str()).collect();
        assert_eq!(paths, ["notes/0003.txt", "notes/0009.txt"]);
    }

    /// The whole-text regex matches every text one of whose lines the line regex matches.
    #[test]
    fn the_whole_text_regex_never_misses_a_line() {
        let cases = [
            (
                r"\.create_all\b",
                "x = 1\nBase.metadata.create_all(engine)\n",
            ),
            (
                r"^\[tool\.ruff",
                "[project]\n[tool.ruff]\nline-length = 100\n",
            ),
            (
                r"(?i)^\s*CREATE TABLE",
                "-- schema\n  create table t (id int);\n",
            ),
            (r"done$", "first\nwork done\nlast\n"),
        ];
        for (pattern, text) in cases {
            let line = Regex::new(pattern).unwrap();
            assert!(text.lines().any(|l| line.is_match(l)), "{pattern}");
            let whole = super::whole_text(&line).expect("a prefilter");
            assert!(whole.is_match(text), "{pattern}");
        }
        for anchored in [r"\Afoo", r"foo\z", r"(?-m)^foo", r"(?i-m:^foo)"] {
            assert!(
                super::whole_text(&Regex::new(anchored).unwrap()).is_none(),
                "{anchored}"
            );
        }
    }
}
