//! Compiled patterns of a rule set: path globs and dotted name patterns.

use globset::{Glob, GlobBuilder};

use crate::fs::{LazyGlob, Step};

/// One compiled path glob.
#[derive(Debug, Clone)]
pub struct PathGlob {
    /// The pattern as written.
    pub text: String,
    matcher: LazyGlob,
    /// How the tree searches it: level by level, then the rest of the subtree.
    steps: Vec<Step>,
    open_ended: bool,
    /// Whether it matches in any case.
    pub ignore_case: bool,
}

fn build(text: &str, ignore_case: bool) -> Result<Glob, String> {
    GlobBuilder::new(text)
        .literal_separator(true)
        .case_insensitive(ignore_case)
        .backslash_escape(true)
        .empty_alternates(true)
        .build()
        .map_err(|err| format!("invalid glob `{text}`: {}", err.kind()))
}

/// Split a glob at the `/` that are not inside `{...}` or `[...]`; `None` when a brace
/// group holds a `/` (its alternatives span folders, so it cannot be searched level by level).
fn components(text: &str) -> Option<Vec<&str>> {
    let mut parts = Vec::new();
    let (mut braces, mut bracket, mut escaped, mut start) = (0usize, false, false, 0);
    for (i, c) in text.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' => escaped = true,
            '[' if !bracket => bracket = true,
            ']' if bracket => bracket = false,
            '{' if !bracket => braces += 1,
            '}' if !bracket => braces = braces.saturating_sub(1),
            '/' if braces > 0 => return None,
            '/' if !bracket => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    Some(parts)
}

fn has_meta(component: &str) -> bool {
    component.contains(['*', '?', '[', '{', '\\'])
}

/// The search plan of a glob: exact names and one-level globs, then `**` onwards.
fn plan(text: &str, ignore_case: bool) -> Result<(Vec<Step>, bool), String> {
    let Some(parts) = components(text) else {
        // Alternatives across folders: walk the literal leading folders, scan the rest.
        let steps = text
            .split('/')
            .take_while(|part| !has_meta(part) && !ignore_case)
            .map(|part| Step::Name(part.to_owned()))
            .collect::<Vec<_>>();
        let steps = if steps.len() == text.split('/').count() {
            Vec::new()
        } else {
            steps
        };
        return Ok((steps, true));
    };
    let mut steps = Vec::new();
    for part in parts {
        if part == "**" {
            return Ok((steps, true));
        }
        if has_meta(part) || ignore_case {
            steps.push(Step::Glob(LazyGlob::new(build(part, ignore_case)?)));
        } else {
            steps.push(Step::Name(part.to_owned()));
        }
    }
    Ok((steps, false))
}

impl PathGlob {
    /// Compile `text`. `*` and `?` never cross `/`; `**` does; `{a,b}` alternates.
    pub fn new(text: &str, ignore_case: bool) -> Result<PathGlob, String> {
        if let Some(problem) = glob_problem(text) {
            return Err(problem);
        }
        let glob = build(text, ignore_case)?;
        let (steps, open_ended) = plan(text, ignore_case)?;
        Ok(PathGlob {
            text: text.to_owned(),
            matcher: LazyGlob::new(glob),
            steps,
            open_ended,
            ignore_case,
        })
    }

    /// The compiled glob, for building a set of many.
    #[must_use]
    pub fn glob(&self) -> &Glob {
        self.matcher.glob()
    }

    /// Whether `path` (relative to the scope root) matches.
    #[must_use]
    pub fn is_match(&self, path: &str) -> bool {
        self.matcher.is_match(path)
    }

    /// Whether finding its matches means scanning a whole tree (it starts with `**`).
    #[must_use]
    pub fn scans_everything(&self) -> bool {
        self.steps.is_empty() && self.open_ended
    }

    /// For `**/NAME` (NAME without `/`): NAME as a glob on the last path component, which
    /// matches exactly the same entries.
    #[must_use]
    pub fn name_glob(&self) -> Option<Glob> {
        let name = self.text.strip_prefix("**/")?;
        if components(name).is_none_or(|parts| parts.len() != 1) || name.contains("**") {
            return None;
        }
        build(name, self.ignore_case).ok()
    }
}

impl PathGlob {
    /// Literal texts one of which every path this glob matches contains, in some ASCII case
    /// (a cheap filter before matching), or `None` when there is no useful one.
    #[must_use]
    pub fn required_literals(&self) -> Option<Vec<String>> {
        if self.ignore_case && !self.text.is_ascii() {
            return None;
        }
        let chars: Vec<char> = self.text.chars().collect();
        let literals = required(&pieces(&chars, &mut 0, false)?)?;
        // Two characters (`db`) still filter most paths; a lone `/` or `.` filters nothing.
        literals
            .iter()
            .all(|literal| literal.len() >= 2)
            .then_some(literals)
    }
}

/// One piece of a glob, for finding the literal text every match must contain.
enum Piece {
    Char(char),
    Wild,
    Alternatives(Vec<Vec<Piece>>),
}

/// Parse a glob into pieces; `None` for text it cannot read (left to the glob compiler).
fn pieces(chars: &[char], at: &mut usize, in_braces: bool) -> Option<Vec<Piece>> {
    let mut out = Vec::new();
    while *at < chars.len() {
        let c = chars[*at];
        *at += 1;
        match c {
            '\\' => {
                out.push(Piece::Char(*chars.get(*at)?));
                *at += 1;
            }
            '*' if chars.get(*at) == Some(&'*') => {
                *at += 1;
                // `a/**/b` matches `a/b` and `**/b` matches `b`: the slashes are optional.
                if matches!(out.last(), Some(Piece::Char('/'))) {
                    out.pop();
                }
                if chars.get(*at) == Some(&'/') {
                    *at += 1;
                }
                out.push(Piece::Wild);
            }
            '*' | '?' => out.push(Piece::Wild),
            '[' => {
                // `[]a]`, `[!]a]` and `[^]a]` hold a `]`: the class ends at the first `]`
                // after its first member, as the glob compiler reads it.
                if matches!(chars.get(*at), Some('!' | '^')) {
                    *at += 1;
                }
                if chars.get(*at) == Some(&']') {
                    *at += 1;
                }
                while chars.get(*at)? != &']' {
                    *at += 1;
                }
                *at += 1;
                out.push(Piece::Wild);
            }
            '{' => {
                let mut alternatives = vec![pieces(chars, at, true)?];
                while chars.get(*at - 1) == Some(&',') {
                    alternatives.push(pieces(chars, at, true)?);
                }
                out.push(Piece::Alternatives(alternatives));
            }
            ',' | '}' if in_braces => return Some(out),
            c => out.push(Piece::Char(c)),
        }
    }
    (!in_braces).then_some(out)
}

/// The literals one of which every match of `pieces` contains, the most selective choice.
fn required(pieces: &[Piece]) -> Option<Vec<String>> {
    let mut best: Option<Vec<String>> = None;
    let mut consider = |candidate: Vec<String>| {
        let score = |set: &[String]| set.iter().map(String::len).min().unwrap_or(0);
        if best.as_ref().is_none_or(|b| score(&candidate) > score(b)) {
            best = Some(candidate);
        }
    };
    let mut run = String::new();
    for piece in pieces {
        match piece {
            Piece::Char(c) => run.push(*c),
            Piece::Wild | Piece::Alternatives(_) => {
                if !run.is_empty() {
                    consider(vec![std::mem::take(&mut run)]);
                }
                // A group requires something only when each of its alternatives does.
                if let Piece::Alternatives(alternatives) = piece
                    && let Some(union) = alternatives
                        .iter()
                        .map(|alternative| required(alternative))
                        .collect::<Option<Vec<_>>>()
                {
                    consider(union.concat());
                }
            }
        }
    }
    if !run.is_empty() {
        consider(vec![run]);
    }
    best
}

impl crate::fs::PathPattern for PathGlob {
    fn steps(&self) -> &[Step] {
        &self.steps
    }

    fn open_ended(&self) -> bool {
        self.open_ended
    }

    fn is_match(&self, relative: &str) -> bool {
        self.matcher.is_match(relative)
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
        self.suffix_start(name).is_some()
    }

    /// Where the longest suffix of `name` that the pattern matches starts
    /// (`session.commit` in `self.db.session.commit` starts at 2).
    #[must_use]
    pub fn suffix_start(&self, name: &[&str]) -> Option<usize> {
        if self.segments.iter().all(|s| s != "**") {
            // Without `**` a pattern matches exactly as many segments as it has.
            let start = name.len().checked_sub(self.segments.len())?;
            return (start < name.len() && match_segments(&self.segments, &name[start..]))
                .then_some(start);
        }
        (0..name.len()).find(|&start| match_segments(&self.segments, &name[start..]))
    }
}

/// [`split_name`] without copying: the segments borrow from `text`.
#[must_use]
pub fn name_segments(text: &str) -> Vec<&str> {
    let mut segments = Vec::new();
    for part in text.split(['.', '/']) {
        segments.extend(part.split("::").map(|s| s.trim_end_matches("()")));
    }
    segments
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
    let (middle, last) = match rest.rsplit_once('*') {
        Some((middle, last)) => (Some(middle), last),
        None => (None, rest),
    };
    for part in middle.into_iter().flat_map(|m| m.split('*')) {
        match remaining.find(part) {
            Some(at) => remaining = &remaining[at + part.len()..],
            None => return false,
        }
    }
    remaining.ends_with(last)
}

#[cfg(test)]
mod tests {
    #[test]
    fn required_literals_are_what_every_match_contains() {
        let lits = |text: &str| {
            super::PathGlob::new(text, false)
                .unwrap()
                .required_literals()
        };
        let strings = |list: &[&str]| Some(list.iter().map(|s| (*s).to_owned()).collect());
        assert_eq!(
            lits("**/migrations/**/*.{sql,py}"),
            strings(&["migrations"])
        );
        assert_eq!(
            lits("**/{seeds,seeders}/**"),
            strings(&["seeds", "seeders"])
        );
        assert_eq!(
            lits("{,*/,src/,app/}{migrations,alembic}/versions/*.py"),
            strings(&["/versions/"])
        );
        assert_eq!(
            lits("{src,app}/{shared/,core/,}{config,settings}*"),
            strings(&["config", "settings"])
        );
        assert_eq!(lits("**/[0-9]*.sql"), strings(&[".sql"]));
        assert_eq!(lits("**/*"), None);
        assert_eq!(lits("{a,}/**/x"), None);
        assert_eq!(lits("a\\*b/**"), strings(&["a*b"]));
        assert_eq!(
            super::PathGlob::new("**/docs/**", true)
                .unwrap()
                .required_literals(),
            strings(&["docs"])
        );
        assert_eq!(
            super::PathGlob::new("**/dökümanlar/**", true)
                .unwrap()
                .required_literals(),
            None
        );
        // Every match really contains one of the literals.
        for (glob, path) in [
            ("**/migrations/**/*.sql", "migrations/001.sql"),
            ("docs/**/api.md", "docs/api.md"),
            ("{,*/}migrations/{[0-9]*,V[0-9]*}.sql", "migrations/V1.sql"),
            ("**/[]a]bc", "src/abc"),
            ("**/[!]a]bc", "src/xbc"),
            ("**/x[^]]y.md", "x-y.md"),
        ] {
            let compiled = super::PathGlob::new(glob, false).unwrap();
            assert!(compiled.is_match(path), "{glob} {path}");
            let required = compiled.required_literals().unwrap();
            assert!(
                required.iter().any(|l| path.contains(l.as_str())),
                "{glob}: {required:?}"
            );
        }
    }

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
    fn plans_search_level_by_level() {
        let kinds = |text: &str| {
            let glob = PathGlob::new(text, false).unwrap();
            let steps: Vec<String> = glob
                .steps
                .iter()
                .map(|s| match s {
                    Step::Name(n) => n.clone(),
                    Step::Glob(_) => "<glob>".to_owned(),
                })
                .collect();
            (steps, glob.open_ended)
        };
        assert_eq!(
            kinds("docs/api/*.md"),
            (vec!["docs".into(), "api".into(), "<glob>".into()], false)
        );
        assert_eq!(kinds("docs/**/*.md"), (vec!["docs".into()], true));
        assert_eq!(kinds("**/x"), (vec![], true));
        assert_eq!(
            kinds("{src,app}/{a,b}"),
            (vec!["<glob>".into(), "<glob>".into()], false)
        );
        assert_eq!(kinds("src/{shared/,}x*"), (vec!["src".into()], true));
        assert_eq!(kinds("{a/,}x"), (vec![], true));
        assert!(PathGlob::new("**/x", false).unwrap().scans_everything());
        assert!(
            PathGlob::new("**/*.{md,rst}", false)
                .unwrap()
                .name_glob()
                .is_some()
        );
        assert!(
            PathGlob::new("**/a/*.md", false)
                .unwrap()
                .name_glob()
                .is_none()
        );
        assert!(
            PathGlob::new("**/{a/,}x", false)
                .unwrap()
                .name_glob()
                .is_none()
        );
        let ci = PathGlob::new("Docs/README*", true).unwrap();
        assert!(matches!(
            ci.steps.as_slice(),
            [Step::Glob(_), Step::Glob(_)]
        ));
    }

    #[test]
    fn tree_search_agrees_with_the_full_match() {
        let tree = crate::fs::Tree::from_files(&[
            ("docs/a.md", "x"),
            ("docs/api/b.md", "x"),
            ("src/users/router.py", "x"),
            ("src/shared/middleware/auth.py", "x"),
            ("app/core/settings.py", "x"),
            ("README.md", "x"),
            ("readme.txt", "x"),
        ]);
        for (text, ignore_case) in [
            ("docs/**/*.md", false),
            ("**/*.py", false),
            ("{src,app}/*/*.py", false),
            ("{src,app}/{shared/,core/,}middleware*", false),
            ("README*", true),
            ("src/users", false),
            ("*", false),
        ] {
            let glob = PathGlob::new(text, ignore_case).unwrap();
            let searched = tree.glob_matches("", &glob);
            let scanned: Vec<usize> = (0..tree.len())
                .filter(|&i| glob.is_match(&tree.entry(i).path))
                .collect();
            assert_eq!(searched, scanned, "{text}");
        }
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
    fn name_segments_are_split_name_without_copies() {
        for name in [
            "a.b.c",
            "crate::users::service",
            "a/b.c",
            "f().g",
            "",
            "a..b",
            "x::y().z",
            "a:::b",
        ] {
            assert_eq!(
                super::name_segments(name),
                super::split_name(name),
                "{name}"
            );
        }
    }

    #[test]
    fn wildcards_within_segments() {
        assert!(wildcard("query*", "query_as!"));
        assert!(wildcard("*Exception", "HTTPException"));
        assert!(wildcard("a*b*c", "aXbYc"));
        assert!(!wildcard("a*b*c", "aXbY"));
    }
}
