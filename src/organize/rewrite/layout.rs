//! The repository before and after the moves: which files exist, where each file goes, and
//! `/`-path arithmetic.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Mutex;

use crate::fs::Tree;
pub(super) use crate::fs::normalize_path as normalize;
use crate::organize::model::Move;

/// A set of files and the folders that hold them.
#[derive(Debug, Default)]
pub(super) struct Files {
    files: HashSet<String>,
    dirs: HashSet<String>,
}

impl Files {
    fn insert(&mut self, path: &str) {
        let mut dir = parent(path);
        while !dir.is_empty() && self.dirs.insert(dir.to_owned()) {
            dir = parent(dir);
        }
        self.files.insert(path.to_owned());
    }

    /// Whether a file exists at `path`.
    pub(super) fn is_file(&self, path: &str) -> bool {
        self.files.contains(path)
    }

    /// Whether a folder exists at `path` (`""`, the root, always does).
    pub(super) fn is_dir(&self, path: &str) -> bool {
        path.is_empty() || self.dirs.contains(path)
    }
}

/// Where a folder's files go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum DirFate {
    /// None of its files move.
    Stays,
    /// All of its files move, keeping their places inside it: the folder moves here.
    MovesTo(String),
    /// Its files go to different places.
    Splits,
}

/// The text of a file, and whether it can be rewritten.
pub(super) struct Source<'t> {
    /// The text (bad bytes replaced when the file is not valid UTF-8).
    pub(super) text: Cow<'t, str>,
    /// `false` when the text is not the file's exact bytes (not valid UTF-8): edits to it
    /// are shown, never made.
    pub(super) writable: bool,
}

/// The repository before the moves, the moves, and the files after them.
pub(super) struct Layout<'t> {
    tree: &'t Tree,
    moves: BTreeMap<String, String>,
    back: HashMap<String, String>,
    /// Files before the moves.
    pub(super) before: Files,
    /// Files after the moves.
    pub(super) after: Files,
    fates: Mutex<HashMap<String, DirFate>>,
}

impl<'t> Layout<'t> {
    /// The layout for `moves` (moves of a file to itself are ignored).
    pub(super) fn new(tree: &'t Tree, moves: &[Move]) -> Layout<'t> {
        let moves: BTreeMap<String, String> = moves
            .iter()
            .filter(|m| m.from != m.to)
            .map(|m| (m.from.clone(), m.to.clone()))
            .collect();
        let back = moves
            .iter()
            .map(|(from, to)| (to.clone(), from.clone()))
            .collect();
        let mut before = Files::default();
        let mut after = Files::default();
        for entry in tree.entries() {
            if entry.is_file() {
                before.insert(&entry.path);
                after.insert(moves.get(&entry.path).unwrap_or(&entry.path));
            }
        }
        Layout {
            tree,
            moves,
            back,
            before,
            after,
            fates: Mutex::new(HashMap::new()),
        }
    }

    /// Whether nothing moves.
    pub(super) fn is_empty(&self) -> bool {
        self.moves.is_empty()
    }

    /// The moves, `(from, to)`, in path order.
    pub(super) fn moves(&self) -> impl Iterator<Item = (&str, &str)> {
        self.moves.iter().map(|(f, t)| (f.as_str(), t.as_str()))
    }

    /// Where the file at `old` is after the moves.
    pub(super) fn new_path<'a>(&'a self, old: &'a str) -> &'a str {
        self.moves.get(old).map_or(old, String::as_str)
    }

    /// Whether the file at `old` moves.
    pub(super) fn moves_file(&self, old: &str) -> bool {
        self.moves.contains_key(old)
    }

    /// Where the file that is at `new` after the moves was before them (`None` when no file
    /// of the tree ends up there).
    pub(super) fn old_path<'a>(&'a self, new: &'a str) -> Option<&'a str> {
        match self.back.get(new) {
            Some(old) => Some(old),
            None => (!self.moves.contains_key(new) && self.before.is_file(new)).then_some(new),
        }
    }

    /// Every file of the tree (paths before the moves), in tree order.
    pub(super) fn files(&self) -> impl Iterator<Item = &'t str> + 't {
        self.tree
            .entries()
            .iter()
            .filter(|e| e.is_file())
            .map(|e| e.path.as_str())
    }

    /// The files and folders directly in folder `dir` (before the moves): `(path, is_dir)`.
    pub(super) fn entries_in(&self, dir: &str) -> Vec<(&'t str, bool)> {
        if !self.before.is_dir(dir) {
            return Vec::new();
        }
        self.tree
            .children(dir)
            .map(|index| {
                let entry = self.tree.entry(index);
                (entry.path.as_str(), entry.is_dir())
            })
            .collect()
    }

    /// Whether the file at `old` starts with a byte-order mark its text leaves out.
    pub(super) fn has_bom(&self, old: &str) -> bool {
        self.tree
            .find(old)
            .is_some_and(|index| self.tree.has_bom(index))
    }

    /// The text of the file at `old`.
    pub(super) fn source(&self, old: &str) -> Option<Source<'t>> {
        let index = self.tree.find(old)?;
        if let Some(text) = self.tree.text(index) {
            return Some(Source {
                text: Cow::Borrowed(text),
                writable: true,
            });
        }
        self.tree.source_text(index).map(|text| Source {
            text,
            writable: false,
        })
    }

    /// Where the folder at `dir` (before the moves) goes.
    pub(super) fn dir_fate(&self, dir: &str) -> DirFate {
        if let Ok(cache) = self.fates.lock()
            && let Some(fate) = cache.get(dir)
        {
            return fate.clone();
        }
        let fate = self.compute_fate(dir);
        if let Ok(mut cache) = self.fates.lock() {
            cache.insert(dir.to_owned(), fate.clone());
        }
        fate
    }

    fn compute_fate(&self, dir: &str) -> DirFate {
        let mut target: Option<String> = None;
        let mut stays = false;
        for index in self.tree.descendants(dir) {
            let entry = self.tree.entry(index);
            if !entry.is_file() {
                continue;
            }
            let Some(to) = self.moves.get(&entry.path) else {
                stays = true;
                continue;
            };
            let inside = if dir.is_empty() {
                entry.path.as_str()
            } else {
                &entry.path[dir.len() + 1..]
            };
            let Some(new_dir) = to.strip_suffix(inside).and_then(|rest| {
                if rest.is_empty() {
                    Some("")
                } else {
                    rest.strip_suffix('/')
                }
            }) else {
                return DirFate::Splits;
            };
            match &target {
                Some(existing) if existing != new_dir => return DirFate::Splits,
                Some(_) => {}
                None => target = Some(new_dir.to_owned()),
            }
        }
        match (target, stays) {
            (None, _) => DirFate::Stays,
            (Some(_), true) => DirFate::Splits,
            (Some(new_dir), false) => DirFate::MovesTo(new_dir),
        }
    }
}

/// The folder holding `path` (`""` at the root).
pub(super) fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// The last component of `path`.
pub(super) fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

pub(super) use crate::fs::join;

/// Whether `path` is `dir` or inside it.
pub(super) fn is_within(path: &str, dir: &str) -> bool {
    dir.is_empty()
        || path == dir
        || (path.len() > dir.len() && path.starts_with(dir) && path.as_bytes()[dir.len()] == b'/')
}

/// The path from folder `from` to `to`, with `..` steps (`""` when they are the same).
pub(super) fn relative(from: &str, to: &str) -> String {
    let from_parts: Vec<&str> = from.split('/').filter(|p| !p.is_empty()).collect();
    let to_parts: Vec<&str> = to.split('/').filter(|p| !p.is_empty()).collect();
    let common = from_parts
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let mut parts: Vec<&str> = vec![".."; from_parts.len() - common];
    parts.extend(&to_parts[common..]);
    parts.join("/")
}

/// The deepest folder holding both `a` and `b`.
pub(super) fn common_dir(a: &str, b: &str) -> String {
    let a_parts = a.split('/').filter(|p| !p.is_empty());
    let b_parts: Vec<&str> = b.split('/').filter(|p| !p.is_empty()).collect();
    a_parts
        .zip(b_parts)
        .take_while(|(x, y)| x == y)
        .map(|(x, _)| x)
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_arithmetic() {
        assert_eq!(relative("a/b", "a/c/d.ts"), "../c/d.ts");
        assert_eq!(relative("", "x/y"), "x/y");
        assert_eq!(relative("a/b", "a/b"), "");
        assert_eq!(relative("a/b", "a"), "..");
        assert_eq!(normalize("a/./b/../c").as_deref(), Some("a/c"));
        assert_eq!(normalize("a/../.."), None);
        assert_eq!(common_dir("a/b/c", "a/b/d"), "a/b");
        assert_eq!(common_dir("a", "b"), "");
        assert!(is_within("a/b", "a") && is_within("a", "a") && is_within("x", ""));
        assert!(!is_within("ab", "a"));
    }

    #[test]
    fn folders_follow_their_files() {
        let tree = Tree::from_files(&[
            ("a/x.py", ""),
            ("a/sub/y.py", ""),
            ("b/x.py", ""),
            ("b/y.py", ""),
            ("c/x.py", ""),
        ]);
        let moves = [
            ("a/x.py", "n/a/x.py"),
            ("a/sub/y.py", "n/a/sub/y.py"),
            ("b/x.py", "p/x.py"),
        ]
        .map(|(from, to)| Move {
            from: from.to_owned(),
            to: to.to_owned(),
        });
        let layout = Layout::new(&tree, &moves);
        assert_eq!(layout.dir_fate("a"), DirFate::MovesTo("n/a".to_owned()));
        assert_eq!(
            layout.dir_fate("a/sub"),
            DirFate::MovesTo("n/a/sub".to_owned())
        );
        assert_eq!(layout.dir_fate("b"), DirFate::Splits);
        assert_eq!(layout.dir_fate("c"), DirFate::Stays);
        assert!(layout.after.is_file("n/a/sub/y.py") && !layout.after.is_file("a/x.py"));
        assert!(layout.after.is_dir("n/a") && !layout.after.is_dir("a"));
        assert_eq!(layout.new_path("c/x.py"), "c/x.py");
        assert_eq!(layout.old_path("p/x.py"), Some("b/x.py"));
        assert_eq!(layout.old_path("b/y.py"), Some("b/y.py"));
        assert_eq!(layout.old_path("b/x.py"), None);
    }
}
