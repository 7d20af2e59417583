//! Placeholder detection: a standard is met by content, not by `touch`.
//!
//! An empty file is a placeholder whatever its kind. A prose file (markdown, text, a
//! LICENSE without extension...) is also a placeholder when, once headings, "TODO"-like
//! sentences and words and unfilled template markers are set aside, fewer than three words
//! remain, or when it holds unfilled template text. Any other text file whose comment syntax
//! is known (a Dockerfile, a compose file, a script, source code) is a placeholder when it
//! holds nothing but comments, a shebang and TODO-like words.

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
        // Files of unknown syntax (images, archives) are not read.
        if comment_syntax(name).is_none() && name.contains('.') {
            return None;
        }
        return match tree.content(index) {
            Content::Text(text) => code_placeholder(name, text),
            _ => None,
        };
    }
    match tree.content(index) {
        Content::Text(text) => prose_placeholder(text),
        Content::Binary => Some("binary, not text".to_owned()),
        // Too large, not UTF-8 or unreadable: noted elsewhere, and not judged as empty.
        _ => None,
    }
}

/// How comments are written in a kind of file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CommentSyntax {
    /// `# ...` (shell, Dockerfile, YAML, TOML, Python, Makefile...).
    Hash,
    /// `// ...` and `/* ... */` (JavaScript, TypeScript, Rust, Go...).
    Slash,
    /// `-- ...` and `/* ... */` (SQL).
    DashDash,
    /// `; ...` and `# ...` (INI).
    Semicolon,
}

impl CommentSyntax {
    fn line_prefixes(self) -> &'static [&'static str] {
        match self {
            CommentSyntax::Hash => &["#"],
            CommentSyntax::Slash => &["//"],
            CommentSyntax::DashDash => &["--"],
            CommentSyntax::Semicolon => &[";", "#"],
        }
    }

    fn has_block_comments(self) -> bool {
        matches!(self, CommentSyntax::Slash | CommentSyntax::DashDash)
    }
}

/// The comment syntax of a file, by its name; `None` when unknown.
fn comment_syntax(name: &str) -> Option<CommentSyntax> {
    let lower = name.to_ascii_lowercase();
    let hash_names = [
        "dockerfile",
        "containerfile",
        "makefile",
        "gnumakefile",
        "justfile",
        "procfile",
        "gemfile",
        "rakefile",
        "vagrantfile",
        ".gitignore",
        ".dockerignore",
        ".gitattributes",
        ".editorconfig",
    ];
    if hash_names.contains(&lower.as_str())
        || lower.starts_with("dockerfile.")
        || lower.starts_with(".env")
        || (lower.starts_with("requirements")
            && lower.rsplit_once('.').is_some_and(|(_, ext)| ext == "txt"))
    {
        return Some(CommentSyntax::Hash);
    }
    let (_, ext) = lower.rsplit_once('.')?;
    Some(match ext {
        "sh" | "bash" | "zsh" | "fish" | "ps1" | "yml" | "yaml" | "toml" | "cfg" | "conf"
        | "env" | "py" | "pyi" | "rb" | "pl" | "r" | "mk" | "nix" | "dockerfile" | "graphql"
        | "gql" | "properties" | "tf" | "hcl" => CommentSyntax::Hash,
        "js" | "mjs" | "cjs" | "jsx" | "ts" | "mts" | "cts" | "tsx" | "rs" | "go" | "java"
        | "kt" | "kts" | "scala" | "swift" | "c" | "h" | "cc" | "cpp" | "hpp" | "cs" | "php"
        | "dart" | "proto" | "gradle" | "groovy" | "prisma" | "json5" | "jsonc" => {
            CommentSyntax::Slash
        }
        "sql" | "lua" | "hs" => CommentSyntax::DashDash,
        "ini" => CommentSyntax::Semicolon,
        _ => return None,
    })
}

/// Why a non-prose text file is a placeholder: nothing in it but comments, a shebang and
/// TODO-like words. Files of unknown syntax count as content unless they start with a shebang.
#[must_use]
fn code_placeholder(name: &str, text: &str) -> Option<String> {
    let syntax = match comment_syntax(name) {
        Some(syntax) => syntax,
        None if text.starts_with("#!") => CommentSyntax::Hash,
        None => return None,
    };
    let mut in_block = false;
    let mut had_comment = false;
    let mut had_filler = false;
    for (number, line) in text.lines().enumerate() {
        let mut rest = line.trim();
        if number == 0 && rest.starts_with("#!") {
            continue;
        }
        while !rest.is_empty() {
            if in_block {
                had_filler |= filler().is_match(rest);
                match rest.find("*/") {
                    Some(end) => {
                        in_block = false;
                        rest = rest[end + 2..].trim_start();
                    }
                    None => rest = "",
                }
                continue;
            }
            if syntax.has_block_comments()
                && let Some(after) = rest.strip_prefix("/*")
            {
                had_comment = true;
                in_block = true;
                rest = after;
                continue;
            }
            if syntax.line_prefixes().iter().any(|p| rest.starts_with(p)) {
                had_comment = true;
                had_filler |= filler().is_match(rest);
                rest = "";
                continue;
            }
            // Code, unless it is nothing but a TODO-like word.
            if filler()
                .replace_all(rest, "")
                .trim_matches(is_filler_punctuation)
                .is_empty()
            {
                had_filler = true;
                rest = "";
                continue;
            }
            return None;
        }
    }
    Some(
        if had_filler {
            "only TODO-like comments"
        } else if had_comment {
            "only comments"
        } else {
            "only whitespace"
        }
        .to_owned(),
    )
}

fn is_filler_punctuation(c: char) -> bool {
    c.is_whitespace() || matches!(c, '.' | ':' | '!' | '-' | '*' | '_' | '…')
}

/// Why the folder at `index` is a placeholder (nothing in it but placeholder files), if it is.
pub fn check_dir(tree: &Tree, index: usize) -> Option<String> {
    let path = &tree.entry(index).path;
    let files = || tree.descendants(path).filter(|&i| tree.entry(i).is_file());
    if files().next().is_none() {
        return Some("an empty folder".to_owned());
    }
    if files().all(|i| tree.is_empty_file(i)) {
        return Some("only empty files (such as .gitkeep)".to_owned());
    }
    if files().all(|i| check(tree, i).is_some()) {
        return Some("only placeholder files".to_owned());
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
            r"(?i)\b(todo|tbd|tba|fixme|xxx|wip|placeholder|coming soon|work in progress|to be (written|done|added|completed|decided|defined|determined)|lorem ipsum( dolor sit amet)?|fill (this )?in|write (this|me|here)|add content( here)?|under construction)\b",
        )
        .unwrap_or_else(|_| unreachable!("a valid literal regex"))
    })
}

fn template_marker() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(concat!(
            r"\{\{[^}]*\}\}",
            r"|<(?i:your|project|insert|name|description)[^>]*>",
            r"|<[a-z][a-z0-9]*(?:[-_][a-z0-9]+)+>|<[A-Z][A-Z0-9]+(?:_[A-Z0-9]+)*>",
            r"|\[(?i:your|project|insert)[^\]]*\]",
        ))
        .unwrap_or_else(|_| unreachable!("a valid literal regex"))
    })
}

/// Why prose is a placeholder.
///
/// Headings, HTML comments, TODO-like sentences ("TODO: write the policy.", "Coming soon.")
/// and paragraphs of lorem ipsum are set aside; fewer than three words left, or unfilled
/// template text (`{{project_name}}`, `<security-email>`, outside code) in a short text, make
/// a placeholder.
#[must_use]
pub fn prose_placeholder(text: &str) -> Option<String> {
    let mut words = 0;
    let mut had_filler = false;
    let mut had_template = false;
    let mut in_comment = false;
    let mut in_fence = false;
    let mut in_lorem = false;
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            words += count_words(trimmed);
            if words >= 40 {
                return None;
            }
            continue;
        }
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
        if trimmed.is_empty() || trimmed.starts_with('#') || is_underline(trimmed) {
            in_lorem = false;
            continue;
        }
        let prose = inline_code().replace_all(trimmed, " ");
        had_template |= template_marker().is_match(&prose);
        in_lorem |= lorem().is_match(trimmed);
        if in_lorem {
            had_filler = true;
            continue;
        }
        for sentence in sentences(trimmed) {
            let sentence = sentence.trim_start_matches(|c: char| {
                c.is_whitespace()
                    || matches!(c, '-' | '*' | '+' | '>' | '_' | '[' | ']' | '(' | ')')
            });
            let sentence = sentence.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.');
            if filler().find(sentence).is_some_and(|m| m.start() == 0) {
                had_filler = true;
                continue;
            }
            had_filler |= filler().is_match(sentence);
            let stripped = template_marker().replace_all(sentence, " ");
            let stripped = filler().replace_all(&stripped, " ");
            words += count_words(&stripped);
        }
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

/// Words of at least two letters.
fn count_words(text: &str) -> usize {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().filter(|c| c.is_alphabetic()).count() >= 2)
        .count()
}

/// The sentences of a line: split after `.`, `!` or `?` followed by a space.
fn sentences(line: &str) -> impl Iterator<Item = &str> {
    let mut rest = line;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let bytes = rest.as_bytes();
        let end = (1..bytes.len())
            .find(|&i| matches!(bytes[i - 1], b'.' | b'!' | b'?') && bytes[i] == b' ')
            .unwrap_or(bytes.len());
        let (sentence, after) = rest.split_at(end);
        rest = after.trim_start();
        Some(sentence)
    })
}

fn inline_code() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"`[^`]*`").unwrap_or_else(|_| unreachable!("a valid literal regex"))
    })
}

fn lorem() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"(?i)\blorem ipsum\b").unwrap_or_else(|_| unreachable!("a valid literal regex"))
    })
}

fn is_underline(line: &str) -> bool {
    !line.is_empty() && (line.chars().all(|c| c == '=') || line.chars().all(|c| c == '-'))
}

/// The line of the first markdown heading matching `heading` whose section has real text.
#[must_use]
pub fn find_section(text: &str, heading: &Regex, readme: bool) -> Option<u32> {
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
        // A README's first level-1 heading is the project's name ("Conduit API"), and its
        // body is the whole document: not a section about anything.
        if readme && n == 0 && level == 1 {
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
        let cases: [(&str, Option<&str>); 18] = [
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
            // A TODO followed by a sentence is still a TODO.
            (
                "# Security\n\nTODO: write the security policy for this project.\n",
                Some("only a title and TODO-like text"),
            ),
            (
                "# Deployment\n\nTODO: describe how we deploy.",
                Some("only a title and TODO-like text"),
            ),
            (
                "- [ ] TODO describe the tables\n- FIXME: and their indexes\n",
                Some("only a title and TODO-like text"),
            ),
            (
                "# Guide\n\nLorem ipsum dolor sit amet, consectetur adipiscing elit,\nsed do eiusmod tempor incididunt ut labore et dolore magna aliqua.\n",
                Some("only a title and TODO-like text"),
            ),
            (
                "# Deployment\n\nComing soon. Work in progress.\n",
                Some("only a title and TODO-like text"),
            ),
            (
                "# Security\n\nReport vulnerabilities to <security-email>.\n",
                Some("unfilled template text"),
            ),
            (
                "# {{project_name}}\n\nThe {{project_name}} service stores invoices.\n",
                Some("unfilled template text"),
            ),
            // Real text around a TODO, and placeholders shown as code, are content.
            (
                "# Deployment\n\nTODO: add the staging steps. Production deploys run from CI on every tag.\n",
                None,
            ),
            (
                "# Deployment\n\nPush the image with `docker push <registry-url>/api` from CI.\n",
                None,
            ),
            (
                "# API\n\nCall it with a token:\n\n```sh\ncurl -H 'Authorization: Bearer <access-token>'\n```\n",
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
        assert_eq!(find_section(text, &heading, false), Some(12));
        let setext = "Deploy\n------\nRun the release script from CI.\n";
        assert_eq!(find_section(setext, &heading, false), Some(1));
        assert_eq!(find_section("# Deploy\n\nTBD\n", &heading, false), None);
    }

    #[test]
    fn a_readme_title_is_not_a_section() {
        let api = Regex::new("(?i)\\bapi\\b").unwrap();
        let titled = "# Conduit API\n\nA blog engine written with Express and Prisma.\n";
        assert_eq!(find_section(titled, &api, true), None);
        assert_eq!(find_section(titled, &api, false), Some(1));
        let section =
            "# Conduit\n\nA blog engine.\n\n## API\n\nGET /articles lists the latest articles.\n";
        assert_eq!(find_section(section, &api, true), Some(5));
    }

    #[test]
    fn code_placeholders_hold_only_comments() {
        let cases: [(&str, &str, Option<&str>); 12] = [
            ("Dockerfile", "# TODO\n", Some("only TODO-like comments")),
            (
                "docker-compose.yml",
                "# TODO\n\n",
                Some("only TODO-like comments"),
            ),
            (
                "deploy",
                "#!/usr/bin/env bash\n# TODO\n",
                Some("only TODO-like comments"),
            ),
            ("seed.sh", "#!/bin/sh\n# seeds\n", Some("only comments")),
            (
                "app.ts",
                "/* TODO:\n   everything */\n// later\n",
                Some("only TODO-like comments"),
            ),
            ("schema.sql", "-- tables go here\n", Some("only comments")),
            ("run.py", "TODO\n", Some("only TODO-like comments")),
            ("Dockerfile", "# base image\nFROM python:3.12\n", None),
            (
                "deploy",
                "#!/usr/bin/env bash\nkubectl apply -f k8s/\n",
                None,
            ),
            ("app.ts", "/* a */ export const x = 1;\n", None),
            // Unknown syntax without a shebang: content.
            ("data", "# not a comment here\n", None),
            ("schema.sql", "CREATE TABLE t (id int); -- TODO\n", None),
        ];
        for (name, text, expected) in cases {
            assert_eq!(
                code_placeholder(name, text).as_deref(),
                expected,
                "{name}: {text:?}"
            );
        }
    }

    #[test]
    fn folders_of_placeholders_are_placeholders() {
        let tree = Tree::from_files(&[
            ("tests/unit/.gitkeep", ""),
            ("jobs/worker.py", "# TODO\n"),
            ("jobs/README.md", "# Jobs\n"),
            ("scripts/build.sh", "#!/bin/sh\n# TODO\n"),
            ("scripts/run.sh", "#!/bin/sh\nexec app\n"),
            ("docs/.", ""),
        ]);
        let why = |path: &str| check_dir(&tree, tree.find(path).unwrap());
        assert_eq!(
            why("tests/unit").as_deref(),
            Some("only empty files (such as .gitkeep)")
        );
        assert_eq!(why("jobs").as_deref(), Some("only placeholder files"));
        assert_eq!(why("docs").as_deref(), Some("an empty folder"));
        assert_eq!(why("scripts"), None);
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
