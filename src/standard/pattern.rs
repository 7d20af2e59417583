//! Compiled patterns of a rule set: path globs and dotted name patterns.

use globset::{Glob, GlobBuilder, GlobMatcher};

/// One compiled path glob.
#[derive(Debug, Clone)]
pub struct PathGlob {
    /// The pattern as written.
    pub text: String,
    glob: Glob,
    matcher: GlobMatcher,
    /// Folder part before the first wildcard (`docs/api` for `docs/api/*.md`), used to
    /// search only below it. Empty when the pattern starts with a wildcard or ignores case.
    prefix: String,
    /// The whole pattern is a literal path (exact lookup).
    literal: bool,
}

impl PathGlob {
    /// Compile `text`. `*` and `?` never cross `/`; `**` does; `{a,b}` alternates.
    pub fn new(text: &str, ignore_case: bool) -> Result<PathGlob, String> {
        if let Some(problem) = glob_problem(text) {
            return Err(problem);
        }
        let glob: Glob = GlobBuilder::new(text)
            .literal_separator(true)
            .case_insensitive(ignore_case)
            .backslash_escape(true)
            .empty_alternates(true)
            .build()
            .map_err(|err| format!("invalid glob `{text}`: {}", err.kind()))?;
        let meta = text.find(['*', '?', '[', '{', '\\']);
        let literal = meta.is_none() && !ignore_case;
        let prefix = if ignore_case {
            String::new()
        } else {
            let head = &text[..meta.unwrap_or(text.len())];
            match (meta, head.rfind('/')) {
                (None, _) => text.rsplit_once('/').map_or("", |(dir, _)| dir).to_owned(),
                (Some(_), Some(slash)) => head[..slash].to_owned(),
                (Some(_), None) => String::new(),
            }
        };
        Ok(PathGlob {
            text: text.to_owned(),
            matcher: glob.compile_matcher(),
            glob,
            prefix,
            literal,
        })
    }

    /// The compiled glob, for building a set of many.
    #[must_use]
    pub fn glob(&self) -> &Glob {
        &self.glob
    }

    /// Whether `path` (relative to the scope root) matches.
    #[must_use]
    pub fn is_match(&self, path: &str) -> bool {
        if self.literal {
            return path == self.text;
        }
        self.matcher.is_match(path)
    }

    /// The folder below which every match lies (`""`: anywhere).
    #[must_use]
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The exact path when the pattern has no wildcard.
    #[must_use]
    pub fn literal(&self) -> Option<&str> {
        self.literal.then_some(self.text.as_str())
    }

    /// Whether the pattern can only match direct children of the scope root.
    #[must_use]
    pub fn is_top_level(&self) -> bool {
        !self.text.contains('/') && !self.text.contains("**")
    }
}

impl crate::fs::PathPattern for PathGlob {
    fn prefix(&self) -> &str {
        &self.prefix
    }

    fn literal(&self) -> Option<&str> {
        self.literal.then_some(self.text.as_str())
    }

    fn is_match(&self, relative: &str) -> bool {
        PathGlob::is_match(self, relative)
    }
}

/// Why a glob can never match a tree path, if it cannot.
fn glob_problem(text: &str) -> Option<String> {
    if text.is_empty() {
        return Some("empty glob".to_owned());
    }
    if text.starts_with('/') {
        return Some(format!(
            "glob `{text}` is absolute; patterns are relative to the scope root (drop the leading `/`)"
        ));
    }
    if let Some(rest) = text.strip_prefix("./") {
        return Some(format!(
            "glob `{text}` starts with `./`, which never matches; write `{rest}`"
        ));
    }
    if text.ends_with('/') {
        return Some(format!(
            "glob `{text}` ends with `/`, which never matches; write `{}` for the folder or `{}**` for what it holds",
            text.trim_end_matches('/'),
            text
        ));
    }
    if text.split('/').any(|part| part == "..") {
        return Some(format!("glob `{text}` leaves the scope root with `..`"));
    }
    if text.contains('\\') && text.ends_with('\\') {
        return Some(format!("glob `{text}` ends with a dangling escape `\\`"));
    }
    None
}

/// A dotted name pattern for modules, callees and exception names.
///
/// Segments are separated by `.`, `::` or `/` in both the pattern and the name, so
/// `sqlalchemy.orm`, `actix_web::web` and `@nestjs/common` are all written as in source.
/// Inside a segment `*` matches any run of characters; a whole segment `**` matches any
/// number of segments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamePattern {
    /// The pattern as written.
    pub text: String,
    segments: Vec<String>,
}

impl NamePattern {
    /// Parse a name pattern.
    pub fn new(text: &str) -> Result<NamePattern, String> {
        let segments = split_name(text);
        if segments.is_empty() || segments.iter().any(String::is_empty) {
            return Err(format!(
                "name pattern `{text}` has an empty segment; write names like `sqlalchemy.orm`, `session.commit` or `actix_web::web`"
            ));
        }
        Ok(NamePattern {
            text: text.to_owned(),
            segments,
        })
    }

    /// Module semantics: the name is the pattern or lies inside it
    /// (`sqlalchemy` matches `sqlalchemy.orm`).
    #[must_use]
    pub fn matches_module(&self, name: &[&str]) -> bool {
        (0..=name.len()).any(|end| match_segments(&self.segments, &name[..end])) && !name.is_empty()
    }

    /// Callee semantics: the name ends with the pattern
    /// (`session.commit` matches `self.db.session.commit`).
    #[must_use]
    pub fn matches_suffix(&self, name: &[&str]) -> bool {
        (0..name.len()).any(|start| match_segments(&self.segments, &name[start..]))
    }
}

/// Split a dotted, `::`- or `/`-separated name into segments (a trailing `()` is dropped).
#[must_use]
pub fn split_name(text: &str) -> Vec<String> {
    text.replace("::", ".")
        .replace('/', ".")
        .split('.')
        .map(|s| s.trim_end_matches("()").to_owned())
        .collect()
}

fn match_segments(pattern: &[String], name: &[&str]) -> bool {
    match (pattern.split_first(), name.split_first()) {
        (None, None) => true,
        (Some((first, rest)), _) if first == "**" => {
            (0..=name.len()).any(|skip| match_segments(rest, &name[skip..]))
        }
        (None, Some(_)) | (Some(_), None) => false,
        (Some((first, rest)), Some((head, tail))) => {
            wildcard(first, head) && match_segments(rest, tail)
        }
    }
}

/// `*` matches any run of characters within one segment.
fn wildcard(pattern: &str, text: &str) -> bool {
    let Some((head, rest)) = pattern.split_once('*') else {
        return pattern == text;
    };
    let Some(mut remaining) = text.strip_prefix(head) else {
        return false;
    };
    let parts: Vec<&str> = rest.split('*').collect();
    for (i, part) in parts.iter().enumerate() {
        if i + 1 == parts.len() {
            return remaining.ends_with(part);
        }
        match remaining.find(part) {
            Some(at) => remaining = &remaining[at + part.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_like_gitignore_paths() {
        let cases = [
            ("README*", false, "README.md", true),
            ("README*", false, "docs/README.md", false),
            ("README*", true, "readme.rst", true),
            ("**/routes/**", false, "src/users/routes/get.py", true),
            ("**/routes/**", false, "routes/get.py", true),
            ("**/router.py", false, "router.py", true),
            ("docs/**/*.md", false, "docs/a/b/c.md", true),
            ("docs/**/*.md", false, "docs/c.md", true),
            (
                "docker-compose*.y{,a}ml",
                false,
                "docker-compose.prod.yaml",
                true,
            ),
            ("src/*", false, "src/a/b", false),
        ];
        for (pattern, ignore_case, path, expected) in cases {
            let glob = PathGlob::new(pattern, ignore_case).unwrap();
            assert_eq!(glob.is_match(path), expected, "{pattern} vs {path}");
        }
    }

    #[test]
    fn prefixes_narrow_the_search() {
        assert_eq!(
            PathGlob::new("docs/api/*.md", false).unwrap().prefix(),
            "docs/api"
        );
        assert_eq!(PathGlob::new("**/x", false).unwrap().prefix(), "");
        assert_eq!(
            PathGlob::new("docs/deployment", false).unwrap().prefix(),
            "docs"
        );
        assert_eq!(
            PathGlob::new("docs/deployment", false).unwrap().literal(),
            Some("docs/deployment")
        );
        assert_eq!(PathGlob::new("Docs/*", true).unwrap().prefix(), "");
    }

    #[test]
    fn globs_that_never_match_are_rejected() {
        for bad in ["", "/abs", "./x", "docs/", "../up", "a/../b", "a[", "{a"] {
            assert!(PathGlob::new(bad, false).is_err(), "{bad}");
        }
    }

    #[test]
    fn name_patterns() {
        let module = NamePattern::new("sqlalchemy").unwrap();
        assert!(module.matches_module(&["sqlalchemy", "orm"]));
        assert!(module.matches_module(&["sqlalchemy"]));
        assert!(!module.matches_module(&["sqlalchemy_utils"]));
        let call = NamePattern::new("session.commit").unwrap();
        assert!(call.matches_suffix(&["self", "session", "commit"]));
        assert!(!call.matches_suffix(&["session", "commit", "x"]));
        let any_commit = NamePattern::new("*.commit").unwrap();
        assert!(any_commit.matches_suffix(&["tx", "commit"]));
        assert!(!any_commit.matches_suffix(&["commit"]));
        let query = NamePattern::new("sqlx::query*").unwrap();
        assert!(query.matches_suffix(&["sqlx", "query_as!"]));
        let scoped = NamePattern::new("@nestjs/common").unwrap();
        let name = split_name("@nestjs/common/decorators");
        let name: Vec<&str> = name.iter().map(String::as_str).collect();
        assert!(scoped.matches_module(&name));
        let deep = NamePattern::new("prisma.**.findMany").unwrap();
        assert!(deep.matches_suffix(&["this", "prisma", "user", "findMany"]));
        assert!(NamePattern::new("a..b").is_err());
    }

    #[test]
    fn wildcards_within_segments() {
        assert!(wildcard("query*", "query_as!"));
        assert!(wildcard("*Exception", "HTTPException"));
        assert!(wildcard("a*b*c", "aXbYc"));
        assert!(!wildcard("a*b*c", "aXbY"));
    }
}
