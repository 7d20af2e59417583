//! Building a plan of files to create and edits to make, in memory, before anything is written.

use std::collections::BTreeMap;

use super::{Moment, ScaffoldError};
use crate::fs::{Disk, Plan, PlannedEdit, PlannedFile};

/// The files of a plan being built: new files, and existing files as read and as edited.
#[derive(Default)]
pub(super) struct Workspace<'d> {
    disk: Option<&'d dyn Disk>,
    created: BTreeMap<String, (String, bool)>,
    /// Existing files: (as read, as edited, what changed).
    edited: BTreeMap<String, (String, String, Vec<String>)>,
}

impl<'d> Workspace<'d> {
    /// An empty workspace (for `new`) or one over an existing project (for `add`).
    pub(super) fn new(disk: Option<&'d dyn Disk>) -> Workspace<'d> {
        Workspace {
            disk,
            ..Workspace::default()
        }
    }

    /// Plan a new file; refuses a path that exists or is already planned.
    pub(super) fn create(
        &mut self,
        path: String,
        contents: String,
        executable: bool,
    ) -> Result<(), ScaffoldError> {
        if self.created.contains_key(&path) || self.edited.contains_key(&path) {
            return Err(ScaffoldError::Template {
                path,
                message: "two templates render to this path".to_owned(),
            });
        }
        if self.disk.is_some_and(|disk| disk.exists(&path)) {
            return Err(ScaffoldError::Refused(format!(
                "{path} already exists; squarely never overwrites a file"
            )));
        }
        self.created.insert(path, (contents, executable));
        Ok(())
    }

    /// Insert `snippet` at `anchor` in the file at `path`.
    pub(super) fn insert(
        &mut self,
        path: &str,
        anchor: &Anchor,
        snippet: &str,
    ) -> Result<(), ScaffoldError> {
        let marker = anchor.line();
        let problem = |message: String| ScaffoldError::Project {
            path: path.to_owned(),
            message,
        };
        let current = if let Some((contents, _)) = self.created.get(path) {
            contents.clone()
        } else if let Some((_, after, _)) = self.edited.get(path) {
            after.clone()
        } else {
            let disk = self
                .disk
                .ok_or_else(|| problem("no template creates this file".to_owned()))?;
            let text = disk
                .read(path)
                .map_err(problem)?
                .ok_or_else(|| {
                    problem(format!(
                        "missing: squarely inserts each domain here (before the `{marker}` line); restore the file or add the domain by hand"
                    ))
                })?;
            self.edited
                .insert(path.to_owned(), (text.clone(), text.clone(), Vec::new()));
            text
        };
        let updated = anchor.insert(&current, snippet).map_err(problem)?;
        if let Some((contents, _)) = self.created.get_mut(path) {
            *contents = updated;
        } else if let Some((_, after, summary)) = self.edited.get_mut(path) {
            *after = updated;
            summary.push(anchor.describe());
        }
        Ok(())
    }

    /// Replace the whole content of an existing file (squarely's own project file).
    /// The newest migration version in `dir` before `version`, on disk or planned: the one
    /// a new migration follows (Alembic's `down_revision`).
    pub(super) fn previous_migration(&self, dir: &str, version: Moment) -> Option<Moment> {
        let prefix = format!("{dir}/");
        let on_disk = self.disk.map(|disk| disk.list(dir)).unwrap_or_default();
        let planned = self
            .created
            .keys()
            .filter_map(|path| path.strip_prefix(&prefix))
            .map(str::to_owned);
        on_disk
            .into_iter()
            .chain(planned)
            .filter_map(|name| Moment::from_version(name.get(..14)?))
            .filter(|found| *found < version)
            .max()
    }

    pub(super) fn rewrite(&mut self, path: &str, before: String, after: String, summary: &str) {
        self.edited
            .insert(path.to_owned(), (before, after, vec![summary.to_owned()]));
    }

    /// The finished plan.
    pub(super) fn into_plan(self) -> Plan {
        Plan {
            files: self
                .created
                .into_iter()
                .map(|(path, (contents, executable))| PlannedFile {
                    path,
                    contents,
                    executable,
                })
                .collect(),
            edits: self
                .edited
                .into_iter()
                .filter(|(_, (before, after, _))| before != after)
                .map(|(path, (before, after, summary))| PlannedEdit {
                    path,
                    before,
                    after,
                    summary,
                })
                .collect(),
        }
    }
}

/// Where a snippet goes in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Anchor {
    /// Before the one line that is this marker, ignoring indentation; `sorted` puts a
    /// one-line snippet in alphabetical order among the lines directly above the marker
    /// (rustfmt sorts `mod` lists).
    Before {
        /// The marker line (`// squarely:routes`).
        marker: String,
        /// Keep the lines above sorted.
        sorted: bool,
    },
    /// Right after the one line that is exactly this text, indentation included (a key
    /// of a generated YAML file, `paths:`, which regenerating the file keeps).
    After {
        /// The line.
        line: String,
    },
}

impl Anchor {
    fn line(&self) -> &str {
        match self {
            Anchor::Before { marker, .. } => marker,
            Anchor::After { line } => line,
        }
    }

    fn describe(&self) -> String {
        match self {
            Anchor::Before { marker, .. } => format!("insert before `{marker}`"),
            Anchor::After { line } => format!("insert after `{}`", line.trim()),
        }
    }

    /// `text` with `snippet` inserted at this anchor.
    fn insert(&self, text: &str, snippet: &str) -> Result<String, String> {
        match self {
            Anchor::Before { marker, sorted } => insert_before(text, marker, snippet, *sorted),
            Anchor::After { line } => insert_after(text, line, snippet),
        }
    }
}

/// The index of the one line of `lines` that `matches`.
fn one_line(lines: &[&str], what: &str, matches: impl Fn(&str) -> bool) -> Result<usize, String> {
    let at: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, line)| matches(line.trim_end_matches(['\n', '\r'])))
        .map(|(i, _)| i)
        .collect();
    match at.as_slice() {
        [one] => Ok(*one),
        [] => Err(format!(
            "the insertion point `{what}` is missing; put that line back where the list of domains ends, or add the domain by hand"
        )),
        _ => Err(format!(
            "the insertion point `{what}` appears {} times; keep exactly one",
            at.len()
        )),
    }
}

/// `text` with `snippet` inserted right after its one line equal to `anchor`.
fn insert_after(text: &str, anchor: &str, snippet: &str) -> Result<String, String> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let at = one_line(&lines, anchor.trim(), |line| line == anchor)?;
    let mut out = String::with_capacity(text.len() + snippet.len() + 1);
    for line in &lines[..=at] {
        out.push_str(line);
    }
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(snippet);
    if !snippet.ends_with('\n') {
        out.push('\n');
    }
    for line in &lines[at + 1..] {
        out.push_str(line);
    }
    Ok(out)
}

/// `text` with `snippet` inserted before its one `marker` line.
fn insert_before(text: &str, marker: &str, snippet: &str, sorted: bool) -> Result<String, String> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let at = one_line(&lines, marker, |line| line.trim() == marker)?;
    let mut snippet = snippet.to_owned();
    if !snippet.ends_with('\n') {
        snippet.push('\n');
    }
    let mut position = at;
    if sorted && snippet.trim_end().lines().count() == 1 {
        // Siblings: the lines just above the marker, at the marker's indentation.
        let indent = |line: &str| line.len() - line.trim_start().len();
        let depth = indent(lines[at]);
        let key = snippet.trim();
        while position > 0 {
            let line = lines[position - 1];
            let above = line.trim();
            if above.is_empty()
                || above.starts_with("//")
                || above.starts_with('#')
                || indent(line) != depth
                || above <= key
            {
                break;
            }
            position -= 1;
        }
    }
    let mut out = String::with_capacity(text.len() + snippet.len());
    for line in &lines[..position] {
        out.push_str(line);
    }
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(&snippet);
    for line in &lines[position..] {
        out.push_str(line);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::{insert_after, insert_before};

    #[test]
    fn inserts_after_an_exact_line() {
        let yaml = "paths:\n  /a:\n    get: {}\ncomponents:\n  schemas:\n    A: {}\n";
        let out = insert_after(yaml, "  schemas:", "    B: {}").unwrap();
        assert_eq!(
            out,
            "paths:\n  /a:\n    get: {}\ncomponents:\n  schemas:\n    B: {}\n    A: {}\n"
        );
        // Indentation is part of the anchor: a nested `paths:` is not the top-level one.
        let err = insert_after("x:\n  paths:\n", "paths:", "y").unwrap_err();
        assert!(err.contains("missing"), "{err}");
    }

    #[test]
    fn inserts_before_the_marker_keeping_everything_else() {
        let text = "a\n    // here\nb";
        assert_eq!(
            insert_before(text, "// here", "    x", false).unwrap(),
            "a\n    x\n    // here\nb"
        );
    }

    #[test]
    fn sorted_inserts_keep_a_sorted_list_sorted() {
        let text = "pub mod auth;\npub mod users;\n// squarely:modules\n";
        assert_eq!(
            insert_before(text, "// squarely:modules", "pub mod invoices;", true).unwrap(),
            "pub mod auth;\npub mod invoices;\npub mod users;\n// squarely:modules\n"
        );
        assert_eq!(
            insert_before(text, "// squarely:modules", "pub mod zebras;", true).unwrap(),
            "pub mod auth;\npub mod users;\npub mod zebras;\n// squarely:modules\n"
        );
        let nested = "    nest(\n        (b),\n        // m\n    ),\n";
        assert_eq!(
            insert_before(nested, "// m", "        (a),", true).unwrap(),
            "    nest(\n        (a),\n        (b),\n        // m\n    ),\n"
        );
        let opening = "    nest(\n        // m\n";
        assert_eq!(
            insert_before(opening, "// m", "        (a),", true).unwrap(),
            "    nest(\n        (a),\n        // m\n"
        );
        let after_comment = "//! doc\n// squarely:modules\n";
        assert_eq!(
            insert_before(after_comment, "// squarely:modules", "pub mod a;", true).unwrap(),
            "//! doc\npub mod a;\n// squarely:modules\n"
        );
    }

    #[test]
    fn a_missing_or_repeated_marker_is_an_error() {
        let missing = insert_before("a\n", "// m", "x", false).unwrap_err();
        assert!(missing.contains("`// m` is missing"), "{missing}");
        let twice = insert_before("// m\n// m\n", "// m", "x", false).unwrap_err();
        assert!(twice.contains("2 times"), "{twice}");
    }
}
