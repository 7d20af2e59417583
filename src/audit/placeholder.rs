//! Placeholder detection: a standard is met by content, not by `touch`.
//!
//! An empty file is a placeholder whatever its kind. A prose file (markdown, text, a
//! LICENSE without extension...) is also a placeholder when, once headings, "TODO"-like
//! words and unfilled template markers are set aside, fewer than three words remain.

use std::sync::OnceLock;

use regex::Regex;

use crate::fs::{Content, Tree};

/// Words left after stripping that make a prose file real.
const MIN_WORDS: usize = 3;

/// Why the file at `index` is a placeholder, or `None` when it has real content.
pub fn check(tree: &Tree, index: usize) -> Option<String> {
    if tree.is_empty_file(index) {
        return Some("empty file".to_owned());
    }
    let name = tree.entry(index).name();
    if !is_prose(name) {
        return None;
    }
    match tree.content(index) {
        Content::Text(text) => prose_placeholder(text),
        Content::Binary => Some("binary, not text".to_owned()),
        // Too large, not UTF-8 or unreadable: noted elsewhere, and not judged as empty.
        _ => None,
    }
}

/// Why the folder at `index` is a placeholder (nothing in it but empty files), if it is.
pub fn check_dir(tree: &Tree, index: usize) -> Option<String> {
    let path = &tree.entry(index).path;
    let mut files = tree
        .descendants(path)
        .filter(|&i| tree.entry(i).is_file())
        .peekable();
    if files.peek().is_none() {
        return Some("an empty folder".to_owned());
    }
    if files.all(|i| tree.is_empty_file(i)) {
        return Some("only empty files (such as .gitkeep)".to_owned());
    }
    None
}

/// Names of documents that are prose whatever their extension (`LICENSE`, `README.txt`).
const DOCUMENT_NAMES: [&str; 15] = [
    "README",
    "LICENSE",
    "LICENCE",
    "COPYING",
    "UNLICENSE",
    "CHANGELOG",
    "CHANGES",
    "HISTORY",
    "NEWS",
    "CONTRIBUTING",
    "SECURITY",
    "AUTHORS",
    "NOTICE",
    "CLAUDE",
    "AGENTS",
];

/// Markdown and similar documents, and the root documents with or without an extension.
/// Plain `.txt` files count only as documents (`requirements.txt` is not prose).
fn is_prose(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    let document = DOCUMENT_NAMES.iter().any(|doc| upper.starts_with(doc));
    match name.rsplit_once('.') {
        Some((_, ext)) => {
            matches!(
                ext.to_ascii_lowercase().as_str(),
                "md" | "mdx" | "markdown" | "rst" | "adoc" | "asciidoc" | "org"
            ) || (document && ext.eq_ignore_ascii_case("txt"))
        }
        None => document,
    }
}

fn filler() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"(?i)\b(todo|tbd|tba|fixme|wip|placeholder|coming soon|to be (written|done|added|completed|decided)|lorem ipsum( dolor sit amet)?|fill (this )?in|write (this|me|here)|add content( here)?|under construction)\b",
        )
        .unwrap_or_else(|_| unreachable!("a valid literal regex"))
    })
}

fn template_marker() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"\{\{[^}]*\}\}|<(your|project|insert|name|description)[^>]*>|\[(your|project|insert)[^\]]*\]")
            .unwrap_or_else(|_| unreachable!("a valid literal regex"))
    })
}

/// Why prose is a placeholder.
#[must_use]
pub fn prose_placeholder(text: &str) -> Option<String> {
    let mut words = 0;
    let mut had_filler = false;
    let mut had_template = false;
    let mut in_comment = false;
    for line in text.lines() {
        let trimmed = line.trim();
        if in_comment {
            if trimmed.contains("-->") {
                in_comment = false;
            }
            continue;
        }
        if trimmed.starts_with("<!--") {
            in_comment = !trimmed.contains("-->");
            continue;
        }
        if trimmed.starts_with('#') || is_underline(trimmed) {
            continue;
        }
        had_filler |= filler().is_match(trimmed);
        had_template |= template_marker().is_match(trimmed);
        let stripped = template_marker().replace_all(trimmed, " ");
        let stripped = filler().replace_all(&stripped, " ");
        words += stripped
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.chars().filter(|c| c.is_alphabetic()).count() >= 2)
            .count();
        if words >= 40 {
            return None;
        }
    }
    if words >= MIN_WORDS && !(had_template && words < 40) {
        return None;
    }
    Some(
        if had_template {
            "unfilled template text"
        } else if had_filler {
            "only a title and TODO-like text"
        } else if text.trim().is_empty() {
            "only whitespace"
        } else {
            "only a title"
        }
        .to_owned(),
    )
}

fn is_underline(line: &str) -> bool {
    !line.is_empty() && (line.chars().all(|c| c == '=') || line.chars().all(|c| c == '-'))
}

/// The line of the first markdown heading matching `heading` whose section has real text.
#[must_use]
pub fn find_section(text: &str, heading: &Regex) -> Option<u32> {
    let lines: Vec<&str> = text.lines().collect();
    let mut in_fence = false;
    let mut headings: Vec<(usize, usize, &str)> = Vec::new(); // (line index, level, title)
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            continue;
        }
        if let Some(rest) = trimmed.strip_prefix('#') {
            let level = 1 + rest.chars().take_while(|c| *c == '#').count();
            let title = rest.trim_start_matches('#');
            if level <= 6 && (title.is_empty() || title.starts_with(' ')) {
                headings.push((i, level, title.trim()));
            }
        } else if i > 0
            && is_underline(trimmed)
            && !lines[i - 1].trim().is_empty()
            && !lines[i - 1].trim_start().starts_with('#')
        {
            let level = if trimmed.starts_with('=') { 1 } else { 2 };
            headings.push((i - 1, level, lines[i - 1].trim()));
        }
    }
    for (n, &(start, level, title)) in headings.iter().enumerate() {
        if !heading.is_match(title) {
            continue;
        }
        let end = headings[n + 1..]
            .iter()
            .find(|&&(_, l, _)| l <= level)
            .map_or(lines.len(), |&(i, _, _)| i);
        let body = lines[start + 1..end].join("\n");
        if prose_placeholder(&body).is_none() {
            return u32::try_from(start + 1).ok();
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_and_real_prose() {
        let cases: [(&str, Option<&str>); 8] = [
            ("", Some("only whitespace")),
            ("# Security Policy\n", Some("only a title")),
            (
                "# Deployment\n\nTODO\n",
                Some("only a title and TODO-like text"),
            ),
            (
                "Deployment\n==========\n\nComing soon.\n",
                Some("only a title and TODO-like text"),
            ),
            (
                "# {{project_name}}\n\n{{description}}\n",
                Some("unfilled template text"),
            ),
            ("# Notes\n<!-- write here -->\n", Some("only a title")),
            ("# Books\n\nA Flask app to track my books.\n", None),
            (
                "Report vulnerabilities to security@example.com within 90 days.",
                None,
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(prose_placeholder(text).as_deref(), expected, "{text:?}");
        }
    }

    #[test]
    fn sections_need_real_text_and_skip_code_blocks() {
        let heading = Regex::new("(?i)deploy").unwrap();
        let text = "# App\n\n```md\n## Deploy\nfake\n```\n\n## Deployment\n\nTODO\n\n## Deploying to production\n\nBuild the image and push it to the registry.\n";
        assert_eq!(find_section(text, &heading), Some(12));
        let setext = "Deploy\n------\nRun the release script from CI.\n";
        assert_eq!(find_section(setext, &heading), Some(1));
        assert_eq!(find_section("# Deploy\n\nTBD\n", &heading), None);
    }

    #[test]
    fn prose_detection_by_name() {
        assert!(is_prose("README.md"));
        assert!(is_prose("LICENSE"));
        assert!(!is_prose("Dockerfile.yaml"));
        assert!(!is_prose(".gitignore"));
        assert!(!is_prose("Dockerfile"));
        assert!(is_prose("LICENSE-MIT"));
        assert!(is_prose("README.txt"));
        assert!(!is_prose("requirements.txt"));
        assert!(!is_prose("main.py"));
    }
}
