//! An organize plan as unified diffs: the hunks the text plan shows for each import
//! rewrite, and `--format patch`, one git patch of every file change of the plan (renames,
//! edits, new files, `.gitignore`) that `git apply --index` applies to the tree the plan was
//! made from. Untracking is not a change of content: a patch cannot hold it.

use std::io::{self, Write};

use similar::TextDiff;

use super::Plan;

/// Lines of context around each change, as `git diff` shows.
const CONTEXT: usize = 3;

/// The unified-diff hunks (`@@ -a,b +c,d @@` and their lines) from `before` to `after`.
#[must_use]
pub fn hunks(before: &str, after: &str) -> String {
    let diff = TextDiff::from_lines(before, after);
    let mut out = String::new();
    for hunk in diff.unified_diff().context_radius(CONTEXT).iter_hunks() {
        out.push_str(&hunk.to_string());
    }
    out
}

/// Writes `plan` as one git patch.
pub fn write(plan: &Plan, out: &mut dyn Write) -> io::Result<()> {
    if !plan.layout.untrack.is_empty() {
        // Text before the first `diff --git` is ignored by git apply.
        writeln!(
            out,
            "squarely organize: this patch does not untrack {} path(s); `squarely organize --apply` does:",
            plan.layout.untrack.len()
        )?;
        for untrack in &plan.layout.untrack {
            writeln!(out, "  {}", quoted("", &untrack.path))?;
        }
        writeln!(out)?;
    }
    let edited: std::collections::HashMap<&str, &super::model::TextEdit> = plan
        .rewrites
        .edits
        .iter()
        .map(|edit| (edit.original_path.as_str(), edit))
        .collect();
    for planned in &plan.layout.moves {
        let (from, to) = (&planned.moved.from, &planned.moved.to);
        writeln!(
            out,
            "diff --git {} {}",
            quoted("a/", from),
            quoted("b/", to)
        )?;
        let edit = edited.get(from.as_str());
        if edit.is_none() {
            writeln!(out, "similarity index 100%")?;
        }
        writeln!(out, "rename from {}", quoted("", from))?;
        writeln!(out, "rename to {}", quoted("", to))?;
        if let Some(edit) = edit {
            file_hunks(out, from, to, &edit.before, &edit.after)?;
        }
    }
    for edit in plan
        .rewrites
        .edits
        .iter()
        .filter(|e| e.original_path == e.path)
    {
        writeln!(
            out,
            "diff --git {} {}",
            quoted("a/", &edit.path),
            quoted("b/", &edit.path)
        )?;
        file_hunks(out, &edit.path, &edit.path, &edit.before, &edit.after)?;
    }
    let created = plan
        .rewrites
        .created
        .iter()
        .map(|(path, contents)| (path.as_str(), contents.as_str()))
        .chain(
            plan.creates
                .iter()
                .map(|c| (c.path.as_str(), c.contents.as_str())),
        );
    for (path, contents) in created {
        new_file(out, path, contents)?;
    }
    if let Some(gitignore) = &plan.gitignore {
        match &gitignore.before {
            Some(before) => {
                writeln!(out, "diff --git a/.gitignore b/.gitignore")?;
                file_hunks(out, ".gitignore", ".gitignore", before, &gitignore.after)?;
            }
            None => new_file(out, ".gitignore", &gitignore.after)?,
        }
    }
    Ok(())
}

/// `--- a/FROM`, `+++ b/TO` and the hunks.
fn file_hunks(
    out: &mut dyn Write,
    from: &str,
    to: &str,
    before: &str,
    after: &str,
) -> io::Result<()> {
    writeln!(out, "--- {}", quoted("a/", from))?;
    writeln!(out, "+++ {}", quoted("b/", to))?;
    write_hunks(out, &hunks(before, after))
}

/// A new file with `contents`.
fn new_file(out: &mut dyn Write, path: &str, contents: &str) -> io::Result<()> {
    writeln!(
        out,
        "diff --git {} {}",
        quoted("a/", path),
        quoted("b/", path)
    )?;
    writeln!(out, "new file mode 100644")?;
    if contents.is_empty() {
        return Ok(());
    }
    writeln!(out, "--- /dev/null")?;
    writeln!(out, "+++ {}", quoted("b/", path))?;
    write_hunks(out, &hunks("", contents))
}

/// `prefix` + `path` as git writes a path in a patch: as is, or in double quotes with C
/// escapes when it holds a quote, a backslash, a control character or a non-ASCII byte, so
/// that no file name can add lines to the patch.
fn quoted(prefix: &str, path: &str) -> String {
    let plain = path
        .bytes()
        .all(|b| (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\');
    if plain {
        return format!("{prefix}{path}");
    }
    let mut out = String::from("\"");
    out.push_str(prefix);
    for byte in path.bytes() {
        match byte {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\t' => out.push_str("\\t"),
            0x20..0x7f => out.push(char::from(byte)),
            _ => out.push_str(&format!("\\{byte:03o}")),
        }
    }
    out.push('"');
    out
}

/// `hunks`, ended by a newline: similar writes `\ No newline at end of file` after a last
/// line that has none, but not the newline after that marker.
fn write_hunks(out: &mut dyn Write, hunks: &str) -> io::Result<()> {
    out.write_all(hunks.as_bytes())?;
    if !hunks.is_empty() && !hunks.ends_with('\n') {
        writeln!(out)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{hunks, quoted};

    #[test]
    fn paths_are_quoted_as_git_quotes_them() {
        assert_eq!(quoted("a/", "src/app.py"), "a/src/app.py");
        assert_eq!(quoted("a/", "my file.py"), "a/my file.py");
        assert_eq!(quoted("b/", "x\n+++ y"), "\"b/x\\n+++ y\"");
        assert_eq!(quoted("", "caf\u{e9}\"\\"), "\"caf\\303\\251\\\"\\\\\"");
    }

    #[test]
    fn hunks_have_context_and_ranges() {
        let before = "a\nb\nc\nd\ne\nf\ng\nh\n";
        let after = "a\nb\nc\nd\nE\nf\ng\nh\n";
        assert_eq!(
            hunks(before, after),
            "@@ -2,7 +2,7 @@\n b\n c\n d\n-e\n+E\n f\n g\n h\n"
        );
        assert_eq!(hunks(before, before), "");
    }
}
