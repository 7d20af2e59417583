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
    /// of a generated YAML file, `paths:`, which regenerating the file keeps); `sorted`
    /// merges each entry of the snippet among the key's entries in key order, the way a
    /// serializer of sorted maps (utoipa's) writes them, so the file stays byte-identical
    /// to a regenerated one.
    After {
        /// The line.
        line: String,
        /// Merge the snippet's entries in key order.
        sorted: bool,
    },
}

impl Anchor {
    fn line(&self) -> &str {
        match self {
            Anchor::Before { marker, .. } => marker,
            Anchor::After { line, .. } => line,
        }
    }

    fn describe(&self) -> String {
        match self {
            Anchor::Before { marker, .. } => format!("insert before `{marker}`"),
            Anchor::After { line, .. } => format!("insert after `{}`", line.trim()),
        }
    }

    /// `text` with `snippet` inserted at this anchor.
    fn insert(&self, text: &str, snippet: &str) -> Result<String, String> {
        match self {
            Anchor::Before { marker, sorted } => insert_before(text, marker, snippet, *sorted),
            Anchor::After {
                line,
                sorted: false,
            } => insert_after(text, line, snippet),
            Anchor::After { line, sorted: true } => merge_after(text, line, snippet),
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

/// Indentation of a line, in bytes.
fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// The entries of a block of YAML lines: each starts at a line at `depth` (a `- ` item when
/// `items`, a key otherwise) and runs until the next one.
fn yaml_entries<'a>(lines: &[&'a str], depth: usize, items: bool) -> Vec<Vec<&'a str>> {
    let mut entries: Vec<Vec<&str>> = Vec::new();
    for line in lines {
        let starts = indent(line) == depth && line.trim_start().starts_with("- ") == items;
        match entries.last_mut() {
            Some(entry) if !starts => entry.push(line),
            _ => entries.push(vec![line]),
        }
    }
    entries
}

/// What a YAML entry sorts by: a mapping's key (unquoted), or a list item's first line.
fn yaml_sort_key(first_line: &str) -> String {
    let line = first_line.trim();
    if line.starts_with("- ") {
        return line.to_owned();
    }
    let key = line.strip_suffix(':').unwrap_or(line);
    let key = key.split_once(": ").map_or(key, |(key, _)| key);
    key.trim_matches(['\'', '"']).to_owned()
}

/// `text` with each entry of `snippet` merged, in key order, among the entries directly
/// under its one line equal to `anchor`. An entry whose key is already there is an error.
fn merge_after(text: &str, anchor: &str, snippet: &str) -> Result<String, String> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let at = one_line(&lines, anchor.trim(), |line| line == anchor)?;
    let mut snippet = snippet.to_owned();
    if !snippet.ends_with('\n') {
        snippet.push('\n');
    }
    let new_lines: Vec<&str> = snippet
        .split_inclusive('\n')
        .filter(|line| !line.trim().is_empty())
        .collect();
    let Some(first) = new_lines.first() else {
        return Ok(text.to_owned());
    };
    let depth = indent(first);
    let items = first.trim_start().starts_with("- ");
    // The anchor's block: deeper lines, and list items at its own depth.
    let anchor_depth = indent(lines[at]);
    let end = lines[at + 1..]
        .iter()
        .position(|line| {
            !line.trim().is_empty()
                && (indent(line) < anchor_depth
                    || (indent(line) == anchor_depth && !line.trim_start().starts_with("- ")))
        })
        .map_or(lines.len(), |offset| at + 1 + offset);
    let mut entries = yaml_entries(&lines[at + 1..end], depth, items);
    for entry in yaml_entries(&new_lines, depth, items) {
        let key = yaml_sort_key(entry[0]);
        if entries.iter().any(|old| yaml_sort_key(old[0]) == key) {
            return Err(format!("`{key}` is already under `{}`", anchor.trim()));
        }
        let position = entries
            .iter()
            .position(|old| yaml_sort_key(old[0]) > key)
            .unwrap_or(entries.len());
        entries.insert(position, entry);
    }
    let mut out = String::with_capacity(text.len() + snippet.len() + 1);
    for line in &lines[..=at] {
        out.push_str(line);
    }
    if !out.ends_with('\n') {
        out.push('\n');
    }
    for line in entries.iter().flatten() {
        out.push_str(line);
        if !line.ends_with('\n') {
            out.push('\n');
        }
    }
    for line in &lines[end..] {
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
    use super::{insert_after, insert_before, merge_after};

    #[test]
    fn sorted_after_merges_each_entry_in_key_order() {
        // The shape utoipa writes: sorted maps, lists at their key's depth.
        let yaml = "paths:\n  /api/v1/orders:\n    get: {}\n  /health:\n    get: {}\n\
                    components:\n  schemas:\n    Error:\n      type: object\n    Order:\n      \
                    required:\n      - id\ntags:\n- name: health\n  description: Health\n\
                    - name: orders\n";
        let paths = "  /api/v1/products:\n    get: {}\n  /api/v1/products/{id}:\n    get: {}\n";
        let out = merge_after(yaml, "paths:", paths).unwrap();
        assert!(
            out.starts_with(
                "paths:\n  /api/v1/orders:\n    get: {}\n  /api/v1/products:\n    get: {}\n  \
                 /api/v1/products/{id}:\n    get: {}\n  /health:\n"
            ),
            "{out}"
        );
        // A key sorts before its own extensions (`/a` < `/a/{id}`), as in a sorted map.
        let schemas = "    Product:\n      type: object\n    CreateProduct:\n      type: object\n";
        let out = merge_after(&out, "  schemas:", schemas).unwrap();
        assert!(
            out.contains(
                "  schemas:\n    CreateProduct:\n      type: object\n    Error:\n      \
                 type: object\n    Order:\n      required:\n      - id\n    Product:\n      \
                 type: object\ntags:\n"
            ),
            "{out}"
        );
        let tag = "- name: products\n  description: Products\n";
        let out = merge_after(&out, "tags:", tag).unwrap();
        assert!(
            out.ends_with("- name: orders\n- name: products\n  description: Products\n"),
            "{out}"
        );
        let twice = merge_after(&out, "tags:", tag).unwrap_err();
        assert!(twice.contains("already"), "{twice}");
    }

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
