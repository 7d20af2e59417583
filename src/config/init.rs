//! `squarely init`: the text of a commented `.squarely.yaml`, from what detection and an
//! audit found. Pure: the command gathers the [`Facts`] and writes the file.

use std::fmt::Write as _;

use super::Date;

/// What the file is written from.
#[derive(Debug, Clone)]
pub struct Facts {
    /// The day it is written.
    pub today: Date,
    /// What detection found, for people (`backend · python · fastapi`).
    pub detected: String,
    /// Every built-in standard's score today, best first.
    pub scores: Vec<(String, f64)>,
    /// The standard chosen (the best fit).
    pub standard: String,
    /// Today's score under it.
    pub score: f64,
    /// Its categories today: id, score, max.
    pub categories: Vec<(String, f64, f64)>,
    /// Vendored folders to leave out (paths relative to the repository root).
    pub ignore: Vec<String>,
    /// The check losing the most points today (or the first), for the waiver example.
    pub example_check: String,
    /// A finding's check, path and line, for the path waiver example.
    pub example_finding: Option<(String, String, Option<u32>)>,
}

/// `min-score` suggested for a score: rounded down to a multiple of 5.
#[must_use]
pub fn suggested_min_score(score: f64) -> u32 {
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "a score is between 0 and 100"
    )]
    let whole = score.clamp(0.0, 100.0).floor() as u32;
    whole / 5 * 5
}

/// A YAML double-quoted string.
fn quote(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The file's text.
#[must_use]
pub fn render(facts: &Facts) -> String {
    let mut out = String::new();
    let scores: Vec<String> = facts
        .scores
        .iter()
        .map(|(id, score)| format!("{id} {score:.2}"))
        .collect();
    let min = suggested_min_score(facts.score);
    let _ = write!(
        out,
        "\
# squarely project configuration, read by `squarely audit` (the format: docs/config.md in
# squarely's repository). Written by `squarely init` on {today}. Every key is optional;
# paths are relative to the folder of this file, the repository root.

# Detected: {detected}. Today's scores:
{scores}
# The standards `squarely audit` applies when no --standard is given: built-in ids
# (`squarely standards list`) or rule-set files.
standards:
  - {standard}

# The audit fails (exit 1) below this score when no --min-score is given. Today's score
# is {score:.2}: raise the bar as the repository improves.
min-score: {min}

",
        today = facts.today,
        detected = facts.detected,
        scores = wrap(&scores),
        standard = facts.standard,
        score = facts.score,
    );
    let today: Vec<String> = facts
        .categories
        .iter()
        .map(|(id, score, max)| format!("{id} {score:.2} of {max}"))
        .collect();
    out.push_str(
        "# Minimum points per category (category id: points): a category below its floor fails\n\
         # the audit too. Today:\n",
    );
    let _ = writeln!(out, "{}", wrap(&today));
    out.push_str("floors:\n");
    if let Some((id, score, _)) = facts
        .categories
        .iter()
        .min_by(|a, b| (a.1 / a.2.max(1e-9)).total_cmp(&(b.1 / b.2.max(1e-9))))
    {
        let _ = writeln!(out, "#   {id}: {}", score.floor());
    }
    out.push_str(
        "\n# Paths left out of the audit: globs relative to this folder (`*` stays within a\n\
         # folder, `**` crosses folders). A glob that matches a folder leaves out all it holds.\n",
    );
    if facts.ignore.is_empty() {
        out.push_str("ignore:\n#   - \"vendor\"\n");
    } else {
        out.push_str("# Vendored code found today:\nignore:\n");
        for path in &facts.ignore {
            let _ = writeln!(out, "  - {}", quote(path));
        }
    }
    let expires = Date {
        year: facts.today.year + 1,
        month: facts.today.month,
        day: 1,
    };
    let _ = write!(
        out,
        "
# Exceptions, each with a reason (required). Without `path` a waiver waives the whole check
# (full points, status n/a); with `path` (and `line`) only the findings there, whose points
# come back. After `expires`, the last day it counts, a waiver stops counting and the audit
# says so.
waivers:
#   - check: {check}
#     reason: why this exception is acceptable, and until when
#     expires: {expires}
",
        check = facts.example_check,
    );
    if let Some((check, path, line)) = &facts.example_finding {
        let _ = write!(out, "#   - check: {check}\n#     path: {}\n", quote(path));
        if let Some(line) = line {
            let _ = writeln!(out, "#     line: {line}");
        }
        out.push_str("#     reason: why this exception is acceptable\n");
    }
    out.push_str(
        "
# Gate on \"no worse than a baseline\" instead of min-score and floors: save one with
# `squarely audit --save-baseline .squarely-baseline.json`, commit it, and name it here
# (--baseline FILE wins). See docs/baselines.md.
# baseline: .squarely-baseline.json

# In a monorepo, score and gate every backend project, each on its own (like --workspace).
# workspace: true
",
    );
    out
}

/// Items joined by `, ` on comment lines of at most 90 characters.
fn wrap(items: &[String]) -> String {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::from("#  ");
    for (i, item) in items.iter().enumerate() {
        let piece = if i + 1 < items.len() {
            format!(" {item},")
        } else {
            format!(" {item}")
        };
        if line.len() + piece.len() > 90 && line.len() > 3 {
            lines.push(std::mem::replace(&mut line, String::from("#  ")));
        }
        line.push_str(&piece);
    }
    lines.push(line);
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn min_score_rounds_down_to_a_multiple_of_5() {
        for (score, min) in [
            (72.35, 70),
            (75.0, 75),
            (4.99, 0),
            (100.0, 100),
            (99.99, 95),
        ] {
            assert_eq!(suggested_min_score(score), min, "{score}");
        }
    }

    #[test]
    fn wraps_comment_lists() {
        let items: Vec<String> = (0..12).map(|i| format!("item-number-{i}")).collect();
        let text = wrap(&items);
        assert!(
            text.lines().all(|l| l.len() <= 90 && l.starts_with("#   ")),
            "{text}"
        );
        assert_eq!(text.matches("item-number").count(), 12);
        assert_eq!(wrap(&["a".into()]), "#   a");
    }

    #[test]
    fn quotes_yaml_strings() {
        assert_eq!(quote(r#"a"b\c"#), r#""a\"b\\c""#);
    }
}
