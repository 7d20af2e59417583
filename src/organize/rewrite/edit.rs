//! Span edits of one file, and how they become a [`TextEdit`] that changes only import text.

use std::collections::BTreeMap;

use crate::analyze::spans::Span;
use crate::organize::model::{ImportChange, TextEdit, Unresolved};

use super::layout::Layout;

/// One replacement of a byte range.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Replacement {
    span: Span,
    text: String,
    /// The import statement it belongs to: changes are shown statement by statement.
    group: Span,
}

/// The edits planned for one file (named by its path before the moves).
#[derive(Debug, Clone, Default)]
pub(super) struct FileEdits {
    /// The file's path before the moves.
    pub(super) path: String,
    replacements: Vec<Replacement>,
    /// References in this file that cannot be rewritten.
    pub(super) unresolved: Vec<Unresolved>,
}

impl FileEdits {
    /// No edits yet for the file at `path`.
    pub(super) fn new(path: &str) -> FileEdits {
        FileEdits {
            path: path.to_owned(),
            ..FileEdits::default()
        }
    }

    /// Replaces `span` (inside the import statement `group`) with `text`.
    pub(super) fn replace(&mut self, span: Span, text: impl Into<String>, group: Span) {
        self.replacements.push(Replacement {
            span,
            text: text.into(),
            group,
        });
    }

    /// Inserts `text` at byte `at`, as part of the import statement `group`.
    pub(super) fn insert(&mut self, at: usize, text: impl Into<String>, group: Span) {
        self.replace(Span { start: at, end: at }, text, group);
    }

    /// Deletes `span` (a whole statement or list item, inside `group`), taking its line with
    /// it when nothing else is on that line.
    pub(super) fn delete(&mut self, source: &str, span: Span, group: Span) {
        self.replace(whole_lines(source, span), "", group);
    }

    /// Deletes the statement at `span` with its line, and a blank line after it when a blank
    /// line or the start of the file is before it: no blank pair or leading blank line is
    /// left for rustfmt to complain about.
    pub(super) fn delete_statement(&mut self, source: &str, span: Span, group: Span) {
        let mut lines = whole_lines(source, span);
        let rest = &source[lines.end..];
        let before = &source[..lines.start];
        let blank_before =
            before.is_empty() || before.ends_with("\n\n") || before.ends_with("\n\r\n");
        if lines.start < lines.end && blank_before {
            let next = rest.split_inclusive('\n').next().unwrap_or("");
            if !next.is_empty() && next.trim().is_empty() {
                lines.end += next.len();
            }
        }
        self.replace(lines, "", group);
    }

    /// Records a reference that cannot be rewritten.
    pub(super) fn unresolved(
        &mut self,
        line: u32,
        text: impl Into<String>,
        why: impl Into<String>,
    ) {
        self.unresolved.push(Unresolved {
            path: self.path.clone(),
            line,
            text: text.into(),
            why: why.into(),
        });
    }

    /// Whether an edit is planned inside or across `span`.
    pub(super) fn touches(&self, span: Span) -> bool {
        self.replacements
            .iter()
            .any(|r| r.span.start < span.end && span.start < r.span.end.max(r.span.start + 1))
    }

    /// Whether nothing is planned for this file.
    pub(super) fn is_empty(&self) -> bool {
        self.replacements.is_empty() && self.unresolved.is_empty()
    }

    /// Takes in the edits planned for the same file elsewhere.
    pub(super) fn absorb(&mut self, other: FileEdits) {
        self.replacements.extend(other.replacements);
        self.unresolved.extend(other.unresolved);
    }
}

/// `span` widened to its whole lines (newline included) when only blanks share them.
pub(super) fn whole_lines(source: &str, span: Span) -> Span {
    let bytes = source.as_bytes();
    let mut start = span.start.min(bytes.len());
    while start > 0 && matches!(bytes[start - 1], b' ' | b'\t') {
        start -= 1;
    }
    let mut end = span.end.min(bytes.len());
    while end < bytes.len() && matches!(bytes[end], b' ' | b'\t' | b'\r') {
        end += 1;
    }
    let starts_line = start == 0 || bytes[start - 1] == b'\n';
    let ends_line = end == bytes.len() || bytes[end] == b'\n';
    if starts_line && ends_line {
        Span {
            start,
            end: (end + 1).min(bytes.len()),
        }
    } else {
        span
    }
}

/// The blanks before `at` on its line, when only blanks precede it there (the indentation of
/// a statement that starts its line).
pub(super) fn indentation(source: &str, at: usize) -> Option<&str> {
    let before = source.get(..at)?;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let indent = &before[line_start..];
    indent
        .chars()
        .all(|c| c == ' ' || c == '\t')
        .then_some(indent)
}

/// The line break `source` uses: `\r\n` when it has any, else `\n`.
pub(super) fn newline(source: &str) -> &'static str {
    if source.contains("\r\n") {
        "\r\n"
    } else {
        "\n"
    }
}

/// The 1-based line of byte `at`.
pub(super) fn line_at(source: &str, at: usize) -> u32 {
    let count = source
        .as_bytes()
        .iter()
        .take(at)
        .filter(|b| **b == b'\n')
        .count();
    u32::try_from(count).unwrap_or(u32::MAX).saturating_add(1)
}

/// The spans to delete to take the items not kept out of a comma-separated list, leaving a
/// valid list: each removed item goes with one neighbouring comma (the one after it; for items
/// after the last kept one in a list without a trailing comma, the one before it), and
/// comments stay. `items` are `(item, comma after it)`; at least one item must be kept.
pub(super) fn list_removals(
    source: &str,
    items: &[(Span, Option<Span>)],
    keep: &[bool],
) -> Vec<Span> {
    let Some(last_kept) = keep.iter().rposition(|k| *k) else {
        return Vec::new();
    };
    let trailing = items.last().is_some_and(|(_, comma)| comma.is_some());
    let blank = |from: usize, to: usize| {
        source
            .get(from..to)
            .is_some_and(|gap| gap.chars().all(char::is_whitespace))
    };
    let mut spans = Vec::new();
    for (index, ((item, comma), kept)) in items.iter().zip(keep).enumerate() {
        if *kept {
            continue;
        }
        let takes_next = index < last_kept || trailing;
        let comma = if takes_next {
            *comma
        } else {
            items.get(index.wrapping_sub(1)).and_then(|(_, c)| *c)
        };
        match comma {
            Some(comma) if takes_next && blank(item.end, comma.start) => {
                let mut end = comma.end;
                while source
                    .as_bytes()
                    .get(end)
                    .is_some_and(|b| matches!(b, b' ' | b'\t'))
                {
                    end += 1;
                }
                let mut start = item.start;
                if index > last_kept {
                    // A trailing item: the blanks before it go too (`a, b,` from `a, b, c,`).
                    while start > 0 && matches!(source.as_bytes()[start - 1], b' ' | b'\t') {
                        start -= 1;
                    }
                }
                spans.push(Span { start, end });
            }
            Some(comma) if !takes_next && blank(comma.end, item.start) => {
                spans.push(Span {
                    start: comma.start,
                    end: item.end,
                });
            }
            Some(comma) => {
                spans.push(*item);
                spans.push(comma);
            }
            None => spans.push(*item),
        }
    }
    spans
}

/// Everything the rewriter produced, gathered per file.
#[derive(Debug, Default)]
pub(super) struct Output {
    files: BTreeMap<String, FileEdits>,
    /// Files to create: path -> contents.
    pub(super) created: BTreeMap<String, String>,
    /// References outside any file's edits.
    pub(super) unresolved: Vec<Unresolved>,
}

impl Output {
    /// Adds the edits planned for one file.
    pub(super) fn add(&mut self, edits: FileEdits) {
        if edits.is_empty() {
            return;
        }
        match self.files.get_mut(&edits.path) {
            Some(existing) => existing.absorb(edits),
            None => {
                self.files.insert(edits.path.clone(), edits);
            }
        }
    }

    /// The edits, files to create and unresolved references, as the plan shows them.
    pub(super) fn finish(self, layout: &Layout<'_>) -> crate::organize::model::Rewrites {
        let mut rewrites = crate::organize::model::Rewrites {
            created: self.created.into_iter().collect(),
            unresolved: self.unresolved,
            ..Default::default()
        };
        for (path, edits) in self.files {
            rewrites.unresolved.extend(edits.unresolved);
            if edits.replacements.is_empty() {
                continue;
            }
            let Some(source) = layout.source(&path) else {
                continue;
            };
            let (after, changes, conflicts) = apply(&source.text, edits.replacements);
            for conflict in conflicts {
                rewrites.unresolved.push(Unresolved {
                    path: path.clone(),
                    line: conflict.line,
                    text: conflict.before,
                    why: format!(
                        "two rewrites of this import overlap; rewrite it by hand as `{}`",
                        conflict.after
                    ),
                });
            }
            if after == source.text {
                continue;
            }
            if !source.writable {
                for change in changes {
                    rewrites.unresolved.push(Unresolved {
                        path: path.clone(),
                        line: change.line,
                        text: change.before,
                        why: format!(
                            "the file is not valid UTF-8, so squarely does not rewrite it; change this import to `{}` by hand",
                            change.after
                        ),
                    });
                }
                continue;
            }
            // A byte-order mark is not in the text: it is kept, in the bytes before and
            // after, so that the edit matches the file and changes nothing but imports.
            let (before, after) = if layout.has_bom(&path) {
                (
                    format!("\u{feff}{}", source.text),
                    format!("\u{feff}{after}"),
                )
            } else {
                (source.text.into_owned(), after)
            };
            rewrites.edits.push(TextEdit {
                path: layout.new_path(&path).to_owned(),
                original_path: path.clone(),
                before,
                after,
                changes,
            });
        }
        rewrites.edits.sort_by(|a, b| a.path.cmp(&b.path));
        rewrites.unresolved.sort_by(|a, b| {
            (&a.path, a.line, &a.text, &a.why).cmp(&(&b.path, b.line, &b.text, &b.why))
        });
        rewrites.unresolved.dedup();
        rewrites
    }
}

/// Applies replacements to `source`: the new text, the changes statement by statement, and the
/// replacements dropped because they overlap an earlier one.
fn apply(
    source: &str,
    mut replacements: Vec<Replacement>,
) -> (String, Vec<ImportChange>, Vec<ImportChange>) {
    // Stable: insertions at the same place keep the order they were planned in.
    replacements.sort_by_key(|r| (r.span.start, r.span.end));
    let mut kept: Vec<Replacement> = Vec::with_capacity(replacements.len());
    let mut conflicts = Vec::new();
    for replacement in replacements {
        if let Some(previous) = kept.last()
            && replacement.span.start < previous.span.end
        {
            if replacement != *previous {
                conflicts.push(ImportChange {
                    line: line_at(source, replacement.group.start),
                    before: replacement.group.text(source).trim().to_owned(),
                    after: replacement.text.clone(),
                });
            }
            continue;
        }
        kept.push(replacement);
    }
    let mut after = String::with_capacity(source.len());
    let mut at = 0;
    for replacement in &kept {
        after.push_str(&source[at..replacement.span.start]);
        after.push_str(&replacement.text);
        at = replacement.span.end;
    }
    after.push_str(&source[at..]);

    let mut groups: BTreeMap<(usize, usize), Vec<&Replacement>> = BTreeMap::new();
    for replacement in &kept {
        groups
            .entry((replacement.group.start, replacement.group.end))
            .or_default()
            .push(replacement);
    }
    let changes = groups
        .into_iter()
        .map(|((start, end), members)| {
            let from = members
                .iter()
                .map(|r| r.span.start)
                .min()
                .unwrap_or(start)
                .min(start);
            let to = members
                .iter()
                .map(|r| r.span.end)
                .max()
                .unwrap_or(end)
                .max(end);
            let mut text = String::new();
            let mut at = from;
            for member in &members {
                text.push_str(&source[at..member.span.start]);
                text.push_str(&member.text);
                at = member.span.end;
            }
            text.push_str(&source[at..to]);
            ImportChange {
                line: line_at(source, start),
                before: source[from..to].trim().to_owned(),
                after: text.trim().to_owned(),
            }
        })
        .collect();
    (after, changes, conflicts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(source: &str, text: &str) -> Span {
        let start = source.find(text).unwrap_or(0);
        Span {
            start,
            end: start + text.len(),
        }
    }

    #[test]
    fn whole_lines_only_when_alone_on_them() {
        let source = "a\n    pub mod x;\nb; mod y;\n";
        let alone = whole_lines(source, span(source, "pub mod x;"));
        assert_eq!(alone.text(source), "    pub mod x;\n");
        let shared = whole_lines(source, span(source, "mod y;"));
        assert_eq!(shared.text(source), "mod y;");
    }

    /// The one-letter items of a list and the comma after each (letters in comments skipped).
    fn items_of(list: &str) -> Vec<(Span, Option<Span>)> {
        let mut items: Vec<(Span, Option<Span>)> = Vec::new();
        let mut in_comment = false;
        for (i, byte) in list.bytes().enumerate() {
            let here = Span {
                start: i,
                end: i + 1,
            };
            match byte {
                b'#' => in_comment = true,
                b'\n' => in_comment = false,
                b',' if !in_comment => {
                    if let Some(last) = items.last_mut()
                        && last.1.is_none()
                    {
                        last.1 = Some(here);
                    }
                }
                b'a'..=b'z' if !in_comment => items.push((here, None)),
                _ => {}
            }
        }
        items
    }

    #[test]
    fn list_removals_keep_lists_valid() {
        // (list, keep) -> list after the removals
        let cases: [(&str, &[bool], &str); 9] = [
            ("a, b, c", &[true, false, true], "a, c"),
            ("a, b, c", &[false, true, true], "b, c"),
            ("a, b, c", &[true, false, false], "a"),
            ("a, b, c,", &[true, true, false], "a, b,"),
            ("(\n    a,\n    b,\n)", &[false, true], "(\n    b,\n)"),
            ("(\n    a,\n    b\n)", &[true, false], "(\n    a\n)"),
            ("a,  # keep me\n b", &[false, true], "# keep me\n b"),
            (
                "(\n    a,  # a\n    b,\n)",
                &[true, false],
                "(\n    a,  # a\n)",
            ),
            (
                "(\n    a,  # a\n    b\n)",
                &[true, false],
                "(\n    a  # a\n)",
            ),
        ];
        for (list, keep, expected) in cases {
            let items = items_of(list);
            let mut edits = FileEdits::new("x");
            let group = Span {
                start: 0,
                end: list.len(),
            };
            for removal in list_removals(list, &items, keep) {
                edits.delete(list, removal, group);
            }
            let (after, _, conflicts) = apply(list, edits.replacements);
            assert!(conflicts.is_empty());
            assert_eq!(after, expected, "{list:?} {keep:?}");
        }
    }

    #[test]
    fn changes_are_shown_statement_by_statement() {
        let source = "import a\nfrom b import (c,\n  d)\nx = 1\n";
        let first = span(source, "import a");
        let second = span(source, "from b import (c,\n  d)");
        let mut edits = FileEdits::new("f.py");
        edits.replace(span(source, "a\n"), "z\n", first);
        edits.replace(span(source, "b "), "y ", second);
        edits.insert(second.end, "\nfrom e import f", second);
        let (after, changes, conflicts) = apply(source, edits.replacements);
        assert!(conflicts.is_empty());
        assert_eq!(
            after,
            "import z\nfrom y import (c,\n  d)\nfrom e import f\nx = 1\n"
        );
        let shown: Vec<(u32, &str, &str)> = changes
            .iter()
            .map(|c| (c.line, c.before.as_str(), c.after.as_str()))
            .collect();
        assert_eq!(
            shown,
            [
                (1, "import a", "import z"),
                (
                    2,
                    "from b import (c,\n  d)",
                    "from y import (c,\n  d)\nfrom e import f"
                ),
            ]
        );
    }

    #[test]
    fn overlapping_replacements_are_refused_not_merged() {
        let source = "import a.b\n";
        let group = span(source, "import a.b");
        let mut edits = FileEdits::new("f.py");
        edits.replace(span(source, "a.b"), "x", group);
        edits.replace(span(source, "b"), "y", group);
        let (after, _, conflicts) = apply(source, edits.replacements);
        assert_eq!(after, "import x\n");
        assert_eq!(conflicts.len(), 1);
    }
}
