//! The repository as squarely sees it: one walk of the disk into an in-memory [`Tree`].
//!
//! This is the only module that reads the disk, and ([`ProjectDir`], [`journal`]) the only one that writes it. Everything that judges a repository
//! (detection, the audit engine, source analysis) asks the tree for entries and contents,
//! so it can be fed an in-memory tree in tests and never walks twice.
//!
//! The tree holds what git would track: `.gitignore` (and `.git/info/exclude`) are
//! honoured, `.git` itself is never part of it, hidden files are. Symbolic links are
//! recorded but never followed, except that a link to a regular file inside the root (outside
//! `.git`) is recorded as a file and read through: `CLAUDE.md -> AGENTS.md` is a document. Contents are read lazily, at most once, with a size cap,
//! and every problem met on the way (an unreadable directory, a binary or non-UTF-8 file,
//! a file too large to read, a symlink loop) becomes a [`Notice`] instead of an error.

mod find;
pub mod journal;
pub mod open;
mod plan;
mod walk;
mod write;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use rayon::iter::{IntoParallelRefIterator, ParallelIterator};
use rayon::slice::ParallelSliceMut;

pub use find::{find_upward, repository_top};
pub use journal::{
    Applied, Commit, CommitMade, GitStatus, Group, JournalError, Repository, Run, Undone,
    git_status,
};
pub use plan::{Disk, Plan, PlannedEdit, PlannedFile};
pub use walk::{Exclude, WalkError};
pub use write::{ProjectDir, WriteError};

/// Files larger than this are never read into memory; they are reported as too large.
pub const MAX_READ_BYTES: u64 = 2 * 1024 * 1024;

/// How many leading bytes are inspected to decide that a file is binary.
const BINARY_SNIFF_BYTES: usize = 8 * 1024;

/// What kind of thing an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntryKind {
    /// A regular file.
    File,
    /// A directory.
    Dir,
    /// A symbolic link to a folder, to something outside the root, or to nothing (never
    /// followed; a link to a file inside the root is a `File`).
    Symlink,
}

/// One file, directory or symlink of the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Path relative to the tree root, `/`-separated, never empty, never starting with `/`.
    pub path: String,
    /// File, directory or symlink.
    pub kind: EntryKind,
    /// The walk saw a regular file itself (not a link to one, not a FIFO or device): it is
    /// read without checking its type by path first (see [`open::read_walked`]).
    pub walked_regular: bool,
    /// Where the last component of `path` starts: every glob scan asks for names.
    name_at: u32,
}

impl Entry {
    /// An entry at `path` (relative, `/`-separated; never changed afterwards).
    #[must_use]
    pub fn new(path: String, kind: EntryKind, walked_regular: bool) -> Entry {
        let name_at = path
            .rfind('/')
            .and_then(|slash| u32::try_from(slash + 1).ok())
            .unwrap_or(0);
        Entry {
            path,
            kind,
            walked_regular,
            name_at,
        }
    }

    /// The last path component.
    #[must_use]
    pub fn name(&self) -> &str {
        self.path.get(self.name_at as usize..).unwrap_or(&self.path)
    }

    /// Number of components minus one: a root entry has depth 0.
    #[must_use]
    pub fn depth(&self) -> usize {
        self.path.bytes().filter(|b| *b == b'/').count()
    }

    /// The parent directory (`""` for root entries).
    #[must_use]
    pub fn parent(&self) -> &str {
        match self.name_at as usize {
            0 => "",
            at => self.path.get(..at - 1).unwrap_or(""),
        }
    }

    /// Whether this entry is a regular file.
    #[must_use]
    pub fn is_file(&self) -> bool {
        self.kind == EntryKind::File
    }

    /// Whether this entry is a directory.
    #[must_use]
    pub fn is_dir(&self) -> bool {
        self.kind == EntryKind::Dir
    }
}

/// The contents of a file, as far as squarely can use them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    /// Valid UTF-8 text (a leading byte-order mark removed).
    Text(String),
    /// A NUL byte among the first bytes: not text.
    Binary,
    /// Not valid UTF-8; `offset` is the first invalid byte.
    NonUtf8 {
        /// Byte offset of the first invalid sequence.
        offset: usize,
    },
    /// Larger than [`MAX_READ_BYTES`]; never read.
    TooLarge(u64),
    /// Reading failed (permissions, a vanished file, not a regular file).
    Unreadable(String),
}

impl Content {
    /// The text, when the file is text.
    #[must_use]
    pub fn text(&self) -> Option<&str> {
        match self {
            Content::Text(text) => Some(text),
            _ => None,
        }
    }

    /// Classify raw bytes.
    #[must_use]
    pub fn from_bytes(bytes: Vec<u8>) -> Content {
        let sniff = &bytes[..bytes.len().min(BINARY_SNIFF_BYTES)];
        if sniff.contains(&0) {
            return Content::Binary;
        }
        match String::from_utf8(bytes) {
            Ok(mut text) => {
                if text.starts_with('\u{feff}') {
                    text.drain(..'\u{feff}'.len_utf8());
                }
                Content::Text(text)
            }
            Err(err) => Content::NonUtf8 {
                offset: err.utf8_error().valid_up_to(),
            },
        }
    }

    /// Why this content cannot be used as text, for a notice; `None` for text.
    #[must_use]
    pub fn problem(&self) -> Option<String> {
        match self {
            Content::Text(_) => None,
            Content::Binary => Some("binary file, not read as text".to_owned()),
            Content::NonUtf8 { offset } => Some(format!(
                "not valid UTF-8 (first invalid byte at offset {offset}), not read as text"
            )),
            Content::TooLarge(size) => Some(format!(
                "too large to read ({} > {} limit)",
                human_size(*size),
                human_size(MAX_READ_BYTES)
            )),
            Content::Unreadable(why) => Some(format!("cannot be read: {why}")),
        }
    }
}

/// A problem met while walking or reading, reported alongside the results.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Notice {
    /// The path concerned, relative to the tree root (empty for the root itself).
    pub path: String,
    /// What happened and what squarely did about it.
    pub message: String,
}

/// Where contents come from.
#[derive(Debug)]
enum Source {
    Disk(PathBuf),
    Memory(BTreeMap<String, Vec<u8>>),
    /// A tree as it would be after a plan: each file read from where it is now on disk, or
    /// from the bytes the plan writes.
    Planned {
        root: PathBuf,
        files: BTreeMap<String, Origin>,
    },
}

/// Where a file of a planned tree comes from.
#[derive(Debug)]
enum Origin {
    /// A file of the tree on disk, at this path today.
    Disk(String),
    /// Bytes the plan writes.
    Bytes(Vec<u8>),
}

/// The UTF-8 byte-order mark.
const BOM: &[u8] = b"\xef\xbb\xbf";

/// The in-memory view of a repository: entries in depth-first order, contents on demand.
///
/// Entries are sorted by path with `/` ordered before every other character, so each
/// folder is directly followed by everything below it: its descendants are one range, and
/// its children are found by jumping from subtree to subtree.
#[derive(Debug)]
pub struct Tree {
    source: Source,
    entries: Vec<Entry>,
    /// For each entry, the index just past its last descendant.
    subtree_end: Vec<usize>,
    contents: Vec<OnceLock<Content>>,
    /// Whether a loaded content had a byte-order mark (which its text leaves out).
    boms: Vec<std::sync::atomic::AtomicBool>,
    walk_notices: Vec<Notice>,
    read_notices: Mutex<Vec<Notice>>,
    /// Read notices replaced by a later one about the same file: a report made before the
    /// replacement holds the old one, which a workspace's reports must leave out.
    replaced_notices: Mutex<Vec<Notice>>,
    /// Whole-tree glob scans (`**/...` from the root), kept for the run: every service of a
    /// workspace asks the same ones. See [`Tree::whole_tree_scans`].
    whole_tree_scans: Mutex<ScanCache>,
}

/// A tree's slots for contents, and whether each starts with a byte-order mark.
type ContentSlots = (Vec<OnceLock<Content>>, Vec<std::sync::atomic::AtomicBool>);

/// Empty content slots for `n` entries.
fn content_slots(n: usize) -> ContentSlots {
    let contents = (0..n).map(|_| OnceLock::new()).collect();
    let boms = (0..n)
        .map(|_| std::sync::atomic::AtomicBool::new(false))
        .collect();
    (contents, boms)
}

/// Entries matching a glob over the whole tree, by (glob text, ignore case).
pub type ScanCache = std::collections::HashMap<(String, bool), std::sync::Arc<Vec<usize>>>;

impl Tree {
    /// The cache of whole-tree glob scans, locked: whoever scans for a glob it lacks adds
    /// the result, so the services of a workspace scan the tree once, not once each.
    pub fn whole_tree_scans(&self) -> std::sync::MutexGuard<'_, ScanCache> {
        self.whole_tree_scans
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Walk `root` on disk, honouring `.gitignore`.
    pub fn walk(root: &Path) -> Result<Tree, WalkError> {
        walk::walk_tree(root, None).map(Tree::from_walk)
    }

    /// Walk `root` like [`Tree::walk`], leaving out what `exclude` matches (a project
    /// configuration's `ignore:`), folders with everything below them.
    pub fn walk_excluding(root: &Path, exclude: &Exclude) -> Result<Tree, WalkError> {
        walk::walk_tree(root, Some(exclude)).map(Tree::from_walk)
    }

    /// The tree of a walk: in order as it comes, sorted and deduplicated where names of a
    /// folder read alike.
    fn from_walk(walked: walk::Walked) -> Tree {
        let source = Source::Disk(walked.root);
        match walked.subtree_end {
            Some(subtree_end) => {
                debug_assert!(
                    walked
                        .entries
                        .is_sorted_by(|a, b| cmp_paths(&a.path, &b.path).is_lt())
                );
                let (contents, boms) = content_slots(walked.entries.len());
                Tree::assemble(
                    source,
                    walked.entries,
                    subtree_end,
                    (contents, boms),
                    walked.notices,
                )
            }
            None => Tree::from_entries(source, walked.entries, walked.notices),
        }
    }

    /// Build a tree from in-memory files (directories are implied by the paths).
    ///
    /// Meant for tests and for planning against a tree that does not exist yet.
    #[must_use]
    pub fn from_files<P: AsRef<str>, C: AsRef<[u8]>>(files: &[(P, C)]) -> Tree {
        let mut contents = BTreeMap::new();
        let mut entries = BTreeMap::new();
        for (path, content) in files {
            let path = path.as_ref().trim_matches('/').to_owned();
            if path.is_empty() {
                continue;
            }
            let mut parent = path.as_str();
            while let Some((dir, _)) = parent.rsplit_once('/') {
                entries.insert(dir.to_owned(), EntryKind::Dir);
                parent = dir;
            }
            if let Some(dir) = path.strip_suffix("/.") {
                entries.insert(dir.to_owned(), EntryKind::Dir);
                continue;
            }
            entries.insert(path.clone(), EntryKind::File);
            contents.insert(path, content.as_ref().to_vec());
        }
        let entries = entries
            .into_iter()
            .map(|(path, kind)| Entry::new(path, kind, false))
            .collect();
        Tree::from_entries(Source::Memory(contents), entries, Vec::new())
    }

    /// The tree as it would be after moving files (`from`, `to`), writing files (`path`,
    /// bytes; new files or new content) and dropping files (untracked ones), without touching
    /// the disk: for scoring a plan before it is applied. Folders are those holding a file,
    /// plus the empty folders that nothing was moved out of.
    #[must_use]
    pub fn rearranged(
        &self,
        moves: &[(String, String)],
        writes: &[(String, Vec<u8>)],
        dropped: &[String],
    ) -> Tree {
        let moved_from: BTreeMap<&str, &str> = moves
            .iter()
            .map(|(from, to)| (from.as_str(), to.as_str()))
            .collect();
        let dropped: std::collections::BTreeSet<&str> =
            dropped.iter().map(String::as_str).collect();
        let mut files: BTreeMap<String, Origin> = BTreeMap::new();
        let mut emptied: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
        // Where each file came from in this tree, by its path after.
        let mut came_from: Vec<(&str, usize)> = Vec::new();
        for (index, entry) in self.entries.iter().enumerate().filter(|(_, e)| !e.is_dir()) {
            let path = entry.path.as_str();
            if dropped.contains(path) {
                continue;
            }
            let target = moved_from.get(path).copied().unwrap_or(path);
            if target != path {
                emptied.insert(entry.parent().to_owned());
            }
            let origin = match &self.source {
                Source::Memory(bytes) => {
                    Origin::Bytes(bytes.get(path).cloned().unwrap_or_default())
                }
                Source::Planned { files: planned, .. } => match planned.get(path) {
                    Some(Origin::Disk(at)) => Origin::Disk(at.clone()),
                    Some(Origin::Bytes(bytes)) => Origin::Bytes(bytes.clone()),
                    None => Origin::Disk(path.to_owned()),
                },
                Source::Disk(_) => Origin::Disk(path.to_owned()),
            };
            files.insert(target.to_owned(), origin);
            came_from.push((target, index));
        }
        for (path, bytes) in writes {
            files.insert(path.clone(), Origin::Bytes(bytes.clone()));
        }
        let mut entries: BTreeMap<String, EntryKind> = BTreeMap::new();
        for path in files.keys() {
            entries.insert(path.clone(), EntryKind::File);
            let mut parent = path.as_str();
            // A folder already there came with all of its own folders.
            while let Some((dir, _)) = parent.rsplit_once('/') {
                if entries.contains_key(dir) {
                    break;
                }
                entries.insert(dir.to_owned(), EntryKind::Dir);
                parent = dir;
            }
        }
        for entry in self.entries.iter().filter(|e| e.is_dir()) {
            let empty_before = self.descendants(&entry.path).is_empty();
            if empty_before && !emptied.contains(&entry.path) {
                entries.entry(entry.path.clone()).or_insert(EntryKind::Dir);
            }
        }
        let entries = entries
            .into_iter()
            .map(|(path, kind)| Entry::new(path, kind, false))
            .collect();
        let source = match &self.source {
            Source::Memory(_) => Source::Memory(
                files
                    .into_iter()
                    .map(|(path, origin)| match origin {
                        Origin::Bytes(bytes) => (path, bytes),
                        Origin::Disk(_) => (path, Vec::new()),
                    })
                    .collect(),
            ),
            Source::Disk(root) | Source::Planned { root, .. } => Source::Planned {
                root: root.clone(),
                files,
            },
        };
        let after = Tree::from_entries(source, entries, Vec::new());
        if let Source::Planned { files, .. } = &after.source {
            // A text already read moves with its file, unless the plan rewrites it: the tree
            // after a plan of 100,000 moves does not read them all again. Other contents
            // (binary, unreadable...) are read again, and their notices made again.
            came_from.par_iter().for_each(|&(target, from)| {
                let Some(Content::Text(text)) = self.contents[from].get() else {
                    return;
                };
                if !matches!(files.get(target), Some(Origin::Disk(_))) {
                    return;
                }
                if let Some(to) = after.find(target) {
                    let _ = after.contents[to].set(Content::Text(text.clone()));
                    let bom = self.boms[from].load(std::sync::atomic::Ordering::Relaxed);
                    after.boms[to].store(bom, std::sync::atomic::Ordering::Relaxed);
                }
            });
        }
        after
    }

    fn from_entries(source: Source, mut entries: Vec<Entry>, walk_notices: Vec<Notice>) -> Tree {
        // The slots for contents do not depend on the order: made while the entries sort.
        let n = entries.len();
        let ((), (mut contents, mut boms)) = rayon::join(
            || entries.par_sort_unstable_by(|a, b| cmp_paths(&a.path, &b.path)),
            || content_slots(n),
        );
        entries.dedup_by(|a, b| a.path == b.path);
        contents.truncate(entries.len());
        boms.truncate(entries.len());
        let mut subtree_end = vec![0; entries.len()];
        let mut open: Vec<usize> = Vec::new();
        for (i, entry) in entries.iter().enumerate() {
            while let Some(&top) = open.last() {
                let parent = &entries[top].path;
                if entry.path.len() > parent.len()
                    && entry.path.starts_with(parent.as_str())
                    && entry.path.as_bytes()[parent.len()] == b'/'
                {
                    break;
                }
                subtree_end[top] = i;
                open.pop();
            }
            open.push(i);
        }
        for top in open {
            subtree_end[top] = entries.len();
        }
        Tree::assemble(source, entries, subtree_end, (contents, boms), walk_notices)
    }

    /// A tree of `entries` in order, each once, with where each subtree ends.
    fn assemble(
        source: Source,
        entries: Vec<Entry>,
        subtree_end: Vec<usize>,
        (contents, boms): ContentSlots,
        walk_notices: Vec<Notice>,
    ) -> Tree {
        Tree {
            source,
            entries,
            subtree_end,
            contents,
            boms,
            walk_notices,
            read_notices: Mutex::new(Vec::new()),
            replaced_notices: Mutex::new(Vec::new()),
            whole_tree_scans: Mutex::new(ScanCache::new()),
        }
    }

    /// The directory on disk this tree was walked from (`None` for an in-memory tree).
    #[must_use]
    pub fn root(&self) -> Option<&Path> {
        match &self.source {
            Source::Disk(root) | Source::Planned { root, .. } => Some(root),
            Source::Memory(_) => None,
        }
    }

    /// Every entry, sorted by path.
    #[must_use]
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The entry at `index`.
    #[must_use]
    pub fn entry(&self, index: usize) -> &Entry {
        &self.entries[index]
    }

    /// Number of entries.
    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the tree has no entries at all.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Index of the entry at `path` (relative, `/`-separated).
    #[must_use]
    pub fn find(&self, path: &str) -> Option<usize> {
        self.entries
            .binary_search_by(|entry| cmp_paths(&entry.path, path))
            .ok()
    }

    /// Whether a file exists at `path`.
    #[must_use]
    pub fn is_file(&self, path: &str) -> bool {
        self.find(path).is_some_and(|i| self.entries[i].is_file())
    }

    /// Whether a directory exists at `path` (`""` is the root and always exists).
    #[must_use]
    pub fn is_dir(&self, path: &str) -> bool {
        path.is_empty() || self.find(path).is_some_and(|i| self.entries[i].is_dir())
    }

    /// The index range of everything below `dir` (`""` for the whole tree).
    #[must_use]
    pub fn descendants(&self, dir: &str) -> Range<usize> {
        if dir.is_empty() {
            return 0..self.entries.len();
        }
        match self.find(dir) {
            Some(index) => index + 1..self.subtree_end[index],
            None => 0..0,
        }
    }

    /// Indices of the direct children of `dir` (`""` for root entries).
    pub fn children(&self, dir: &str) -> Children<'_> {
        let range = self.descendants(dir);
        Children {
            next: range.start,
            end: range.end,
            subtree_end: &self.subtree_end,
        }
    }

    /// Children of the folder at `index` (`None` for the root).
    fn children_of(&self, index: Option<usize>) -> Children<'_> {
        let (next, end) = match index {
            None => (0, self.entries.len()),
            Some(i) => (i + 1, self.subtree_end[i]),
        };
        Children {
            next,
            end,
            subtree_end: &self.subtree_end,
        }
    }

    /// Indices of the entries below `root` whose path relative to `root` matches `pattern`,
    /// in tree order. The search follows the pattern's steps folder by folder and only
    /// scans a whole subtree from a `**` on.
    pub fn glob_matches<P: PathPattern + ?Sized>(&self, root: &str, pattern: &P) -> Vec<usize> {
        let start = if root.is_empty() {
            None
        } else {
            match self.find(root) {
                Some(index) if self.entries[index].is_dir() => Some(index),
                _ => return Vec::new(),
            }
        };
        let mut frontier = vec![start];
        let steps = pattern.steps();
        for (n, step) in steps.iter().enumerate() {
            let last = n + 1 == steps.len() && !pattern.open_ended();
            let mut next = Vec::new();
            for dir in frontier {
                match step {
                    Step::Name(name) => {
                        let path = match dir {
                            None => name.clone(),
                            Some(i) => format!("{}/{name}", self.entries[i].path),
                        };
                        if let Some(found) = self.find(&path)
                            && (last || self.entries[found].is_dir())
                        {
                            next.push(Some(found));
                        }
                    }
                    Step::Glob(matcher) => {
                        for child in self.children_of(dir) {
                            let entry = &self.entries[child];
                            if (last || entry.is_dir()) && matcher.is_match(entry.name()) {
                                next.push(Some(child));
                            }
                        }
                    }
                }
            }
            frontier = next;
            if frontier.is_empty() {
                return Vec::new();
            }
        }
        if !pattern.open_ended() {
            return frontier.into_iter().flatten().collect();
        }
        let strip = if root.is_empty() { 0 } else { root.len() + 1 };
        let mut found = Vec::new();
        for dir in frontier {
            let range = match dir {
                None => 0..self.entries.len(),
                Some(i) => i + 1..self.subtree_end[i],
            };
            found.extend(range.filter(|&i| {
                self.entries[i]
                    .path
                    .get(strip..)
                    .is_some_and(|rel| pattern.is_match(rel))
            }));
        }
        found
    }

    /// The contents of the file at `index`, read on first use (and only once).
    ///
    /// A problem with the file is recorded as a notice the first time it is met.
    pub fn content(&self, index: usize) -> &Content {
        self.contents[index].get_or_init(|| {
            let entry = &self.entries[index];
            let content = match self.load_bytes(entry) {
                Ok(bytes) => {
                    if bytes.starts_with(BOM) {
                        self.boms[index].store(true, std::sync::atomic::Ordering::Relaxed);
                    }
                    Content::from_bytes(bytes)
                }
                Err(problem) => problem,
            };
            if let Some(problem) = content.problem() {
                self.note(&entry.path, problem);
            }
            content
        })
    }

    /// The text of the file at `index`, when it is a readable text file.
    pub fn text(&self, index: usize) -> Option<&str> {
        self.content(index).text()
    }

    /// The text of the file at `path`, when it exists and is readable text.
    pub fn text_at(&self, path: &str) -> Option<&str> {
        let index = self.find(path)?;
        if !self.entries[index].is_file() {
            return None;
        }
        self.text(index)
    }

    /// Whether the file at `index` has no bytes at all (cheap: no read for disk trees).
    pub fn is_empty_file(&self, index: usize) -> bool {
        if let Some(content) = self.contents[index].get() {
            return matches!(content, Content::Text(text) if text.is_empty());
        }
        match &self.source {
            Source::Memory(files) => files
                .get(&self.entries[index].path)
                .is_some_and(Vec::is_empty),
            Source::Disk(root) => std::fs::metadata(root.join(&self.entries[index].path))
                .is_ok_and(|meta| meta.len() == 0),
            Source::Planned { root, files } => match files.get(&self.entries[index].path) {
                Some(Origin::Bytes(bytes)) => bytes.is_empty(),
                Some(Origin::Disk(at)) => {
                    std::fs::metadata(root.join(at)).is_ok_and(|meta| meta.len() == 0)
                }
                None => false,
            },
        }
    }

    /// Whether the source file at `index` is empty, found by reading it (the content is kept
    /// for the analysis that follows: one read instead of a stat and then a read).
    pub fn is_empty_source(&self, index: usize) -> bool {
        // With the content loaded, `is_empty_file` answers from it.
        self.content(index);
        self.is_empty_file(index)
    }

    /// Record a problem met while reading, once per path and message.
    pub fn note(&self, path: &str, message: impl Into<String>) {
        let notice = Notice {
            path: path.to_owned(),
            message: message.into(),
        };
        if let Ok(mut notices) = self.read_notices.lock()
            && !notices.contains(&notice)
        {
            notices.push(notice);
        }
    }

    /// Every notice so far: walk problems first, then read problems, sorted by path.
    #[must_use]
    pub fn notices(&self) -> Vec<Notice> {
        let mut notices = self.walk_notices.clone();
        if let Ok(read) = self.read_notices.lock() {
            notices.extend(read.iter().cloned());
        }
        notices.sort();
        notices.dedup();
        notices
    }

    /// Whether the file at `index` starts with a UTF-8 byte-order mark, which its text (see
    /// [`Content::Text`]) leaves out: an edit writes it back. Known from the content when it
    /// was read; otherwise its first bytes are read.
    pub fn has_bom(&self, index: usize) -> bool {
        if self.contents[index].get().is_some() {
            return self.boms[index].load(std::sync::atomic::Ordering::Relaxed);
        }
        let entry = &self.entries[index];
        let on_disk =
            |path: &Path| open::read_prefix(path, BOM.len() as u64).is_ok_and(|bytes| bytes == BOM);
        match &self.source {
            Source::Memory(files) => files.get(&entry.path).is_some_and(|b| b.starts_with(BOM)),
            Source::Disk(root) => on_disk(&root.join(&entry.path)),
            Source::Planned { root, files } => match files.get(&entry.path) {
                Some(Origin::Disk(at)) => on_disk(&root.join(at)),
                Some(Origin::Bytes(bytes)) => bytes.starts_with(BOM),
                None => false,
            },
        }
    }

    /// The bytes of a file with the size cap, or why there are none.
    fn load_bytes(&self, entry: &Entry) -> Result<Vec<u8>, Content> {
        if entry.kind != EntryKind::File {
            return Err(Content::Unreadable("not a regular file".to_owned()));
        }
        match &self.source {
            Source::Memory(files) => match files.get(&entry.path) {
                Some(bytes) if bytes.len() as u64 > MAX_READ_BYTES => {
                    Err(Content::TooLarge(bytes.len() as u64))
                }
                Some(bytes) => Ok(bytes.clone()),
                None => Err(Content::Unreadable("no such file".to_owned())),
            },
            Source::Disk(root) => walk::read_bytes(&root.join(&entry.path), entry.walked_regular),
            Source::Planned { root, files } => match files.get(&entry.path) {
                Some(Origin::Disk(at)) => walk::read_bytes(&root.join(at), false),
                Some(Origin::Bytes(bytes)) if bytes.len() as u64 > MAX_READ_BYTES => {
                    Err(Content::TooLarge(bytes.len() as u64))
                }
                Some(Origin::Bytes(bytes)) => Ok(bytes.clone()),
                None => Err(Content::Unreadable("no such file".to_owned())),
            },
        }
    }

    /// The text of a source file, for parsing.
    ///
    /// A text file is its text. A file that is text but for a few bytes (a stray Latin-1
    /// byte or a NUL in a comment) is read again with each bad byte or sequence replaced by
    /// U+FFFD, so that what the code does is still seen; its notice says so. Line numbers
    /// are unchanged. `None` for files that are not text at all (more than one byte in ten
    /// bad), too large, or unreadable.
    pub fn source_text(&self, index: usize) -> Option<Cow<'_, str>> {
        let content = self.content(index);
        match content {
            Content::Text(text) => return Some(Cow::Borrowed(text)),
            Content::Binary | Content::NonUtf8 { .. } => {}
            Content::TooLarge(_) | Content::Unreadable(_) => return None,
        }
        let entry = &self.entries[index];
        let bytes = self.load_bytes(entry).ok()?;
        let (text, bad) = repair(&bytes)?;
        if let Some(problem) = content.problem() {
            let what = match content {
                Content::NonUtf8 { offset } => {
                    format!("not valid UTF-8 (first invalid byte at offset {offset})")
                }
                _ => "NUL bytes in a text file".to_owned(),
            };
            let plural = if bad == 1 { "" } else { "s" };
            self.renote(
                &entry.path,
                &problem,
                format!("{what}; parsed as source code with {bad} bad byte{plural} replaced"),
            );
        }
        Some(Cow::Owned(text))
    }

    /// Replace the notice `old` about `path` with `new`.
    fn renote(&self, path: &str, old: &str, new: String) {
        if let Ok(mut notices) = self.read_notices.lock() {
            notices.retain(|n| !(n.path == path && n.message == old));
        }
        if let Ok(mut replaced) = self.replaced_notices.lock() {
            replaced.push(Notice {
                path: path.to_owned(),
                message: old.to_owned(),
            });
        }
        self.note(path, new);
    }

    /// Whether `notice` was a read notice once and has been replaced since (see
    /// [`Tree::source_text`]).
    #[must_use]
    pub fn was_replaced(&self, notice: &Notice) -> bool {
        self.replaced_notices
            .lock()
            .is_ok_and(|replaced| replaced.contains(notice))
    }
}

/// Text with every NUL byte and invalid UTF-8 sequence replaced by U+FFFD, and the number of
/// bad bytes; `None` when more than one byte in ten is bad or a control character (not text
/// with a stray byte).
fn repair(bytes: &[u8]) -> Option<(String, usize)> {
    let controls = bytes
        .iter()
        .filter(|&&b| b != 0 && b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c))
        .count();
    let mut text = String::with_capacity(bytes.len());
    let mut bad = 0;
    for chunk in bytes.utf8_chunks() {
        for part in chunk.valid().split('\0') {
            text.push_str(part);
            text.push(char::REPLACEMENT_CHARACTER);
            bad += 1;
        }
        // One too many: the split adds a replacement after the last part.
        text.pop();
        bad -= 1;
        if !chunk.invalid().is_empty() {
            text.push(char::REPLACEMENT_CHARACTER);
            bad += chunk.invalid().len();
        }
    }
    if (bad + controls) * 10 > bytes.len() {
        return None;
    }
    if let Some(rest) = text.strip_prefix('\u{feff}') {
        text = rest.to_owned();
    }
    Some((text, bad))
}

/// Where `dir` sits inside the git work tree that holds it, `/`-separated: `""` at the top of
/// the work tree, `services/billing` below it; `None` outside git (or when `dir` cannot be
/// resolved). Reports for code scanning name files from the repository root with it.
#[must_use]
pub fn repository_path(dir: &Path) -> Option<String> {
    let dir = dir.canonicalize().ok()?;
    let top = dir
        .ancestors()
        .find(|candidate| candidate.join(".git").symlink_metadata().is_ok())?;
    let inside = dir.strip_prefix(top).ok()?;
    let parts: Option<Vec<&str>> = inside
        .components()
        .map(|c| c.as_os_str().to_str())
        .collect();
    Some(parts?.join("/"))
}

/// `base/rest` for tree paths, where either may be empty (the root is `""`).
#[must_use]
pub fn join(base: &str, rest: &str) -> String {
    match (base.is_empty(), rest.is_empty()) {
        (true, _) => rest.to_owned(),
        (_, true) => base.to_owned(),
        _ => format!("{base}/{rest}"),
    }
}

/// `path` (`/`-separated, relative) with `.` and `..` collapsed; `None` when it climbs out
/// of the root.
#[must_use]
pub fn normalize_path(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    Some(parts.join("/"))
}

/// Compare tree paths with `/` before every other character, so that a folder is
/// immediately followed by its descendants.
#[must_use]
pub fn cmp_paths(a: &str, b: &str) -> std::cmp::Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let common = a.len().min(b.len());
    let key = |byte: u8| if byte == b'/' { 0 } else { byte };
    // Compare eight bytes at a time: sorting 100,000 paths with long shared prefixes compares
    // a lot, and the first differing byte of two words is where their XOR's lowest set bit is.
    let mut i = 0;
    while let (Some(left), Some(right)) = (a.get(i..i + 8), b.get(i..i + 8)) {
        let left = u64::from_le_bytes(left.try_into().unwrap_or_default());
        let right = u64::from_le_bytes(right.try_into().unwrap_or_default());
        if left != right {
            let at = i + (left ^ right).trailing_zeros() as usize / 8;
            return key(a[at]).cmp(&key(b[at]));
        }
        i += 8;
    }
    match a[i..common]
        .iter()
        .zip(&b[i..common])
        .position(|(x, y)| x != y)
    {
        Some(at) => key(a[i + at]).cmp(&key(b[i + at])),
        None => a.len().cmp(&b.len()),
    }
}

/// Direct children of a folder, jumping over each child's subtree.
#[derive(Debug, Clone)]
pub struct Children<'a> {
    next: usize,
    end: usize,
    subtree_end: &'a [usize],
}

impl Iterator for Children<'_> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        if self.next >= self.end {
            return None;
        }
        let current = self.next;
        self.next = self.subtree_end[current].max(current + 1);
        Some(current)
    }
}

/// One folder level of a path search.
#[derive(Debug, Clone)]
pub enum Step {
    /// An exact child name.
    Name(String),
    /// Child names matching a one-level glob.
    Glob(LazyGlob),
}

/// A glob whose matcher (a compiled regular expression) is built on first use: a rule set
/// has hundreds of globs and an audit needs only some of them.
#[derive(Debug, Clone)]
pub struct LazyGlob {
    glob: globset::Glob,
    matcher: OnceLock<globset::GlobMatcher>,
}

impl LazyGlob {
    /// Wrap a parsed glob.
    #[must_use]
    pub fn new(glob: globset::Glob) -> LazyGlob {
        LazyGlob {
            glob,
            matcher: OnceLock::new(),
        }
    }

    /// The parsed glob.
    #[must_use]
    pub fn glob(&self) -> &globset::Glob {
        &self.glob
    }

    /// Whether `text` matches.
    #[must_use]
    pub fn is_match(&self, text: &str) -> bool {
        self.matcher
            .get_or_init(|| self.glob.compile_matcher())
            .is_match(text)
    }
}

/// A path pattern the tree can search efficiently: level by level through its steps, then
/// (when open-ended) through the whole subtree with the full match.
pub trait PathPattern {
    /// Steps from the search root, one folder level each.
    fn steps(&self) -> &[Step];
    /// Whether matches may lie deeper than the steps (a `**` follows them).
    fn open_ended(&self) -> bool;
    /// Whether a path relative to the search root matches the whole pattern.
    fn is_match(&self, relative: &str) -> bool;
}

/// The operating system's reason, without Rust's ` (os error N)` suffix.
#[must_use]
pub fn os_reason(err: &std::io::Error) -> String {
    let text = err.to_string();
    match text.rfind(" (os error ") {
        Some(at) => text[..at].to_owned(),
        None => text,
    }
}

/// `1536` -> `1.5 KiB`.
#[must_use]
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_rearranged_tree_is_the_tree_after_a_plan() {
        let tree = super::Tree::from_files(&[
            ("src/controllers/users.js", "A"),
            ("src/app.js", "B"),
            ("app.db", "C"),
            ("empty/.", ""),
        ]);
        let after = tree.rearranged(
            &[(
                "src/controllers/users.js".into(),
                "src/modules/users/users.controller.js".into(),
            )],
            &[
                ("src/app.js".into(), b"B2".to_vec()),
                ("README.md".into(), b"# R".to_vec()),
            ],
            &["app.db".into()],
        );
        let paths: Vec<&str> = after.entries().iter().map(|e| e.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "README.md",
                "empty",
                "src",
                "src/app.js",
                "src/modules",
                "src/modules/users",
                "src/modules/users/users.controller.js",
            ]
        );
        assert_eq!(
            after.text_at("src/modules/users/users.controller.js"),
            Some("A")
        );
        assert_eq!(after.text_at("src/app.js"), Some("B2"));
        assert!(!after.is_dir("src/controllers"), "emptied folders go");
    }

    /// On disk, a text already read moves with its file (the tree after a plan does not
    /// read it again); a file the plan rewrites has its new bytes, one never read is read
    /// from where it is today, and a byte-order mark stays known.
    #[test]
    fn a_rearranged_disk_tree_keeps_the_texts_it_read() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("app")).unwrap();
        std::fs::write(root.join("app/read.py"), "\u{feff}read = 1\n").unwrap();
        std::fs::write(root.join("app/edited.py"), "old = 1\n").unwrap();
        std::fs::write(root.join("app/unread.py"), "unread = 1\n").unwrap();
        let tree = super::Tree::walk(root).unwrap();
        assert_eq!(tree.text_at("app/read.py"), Some("read = 1\n"));
        assert_eq!(tree.text_at("app/edited.py"), Some("old = 1\n"));
        // Changed on disk since it was read: the tree after keeps what the plan saw.
        std::fs::write(root.join("app/read.py"), "changed = 1\n").unwrap();
        let moves = [
            ("app/read.py".to_owned(), "src/read.py".to_owned()),
            ("app/edited.py".to_owned(), "src/edited.py".to_owned()),
            ("app/unread.py".to_owned(), "src/unread.py".to_owned()),
        ];
        let after = tree.rearranged(
            &moves,
            &[("src/edited.py".into(), b"new = 1\n".to_vec())],
            &[],
        );
        assert_eq!(after.text_at("src/read.py"), Some("read = 1\n"));
        assert!(after.has_bom(after.find("src/read.py").unwrap()));
        assert_eq!(after.text_at("src/edited.py"), Some("new = 1\n"));
        assert_eq!(after.text_at("src/unread.py"), Some("unread = 1\n"));
    }

    use super::*;

    proptest::proptest! {
        /// The word-at-a-time comparison orders paths like the byte-by-byte definition: `/`
        /// before every other byte, a path before the longer paths it starts.
        #[test]
        fn paths_compare_with_the_slash_first(
            a in "[a/.-]{0,20}",
            b in "[a/.-]{0,20}",
            prefix in "[a-z/]{0,17}",
        ) {
            let key = |byte: u8| if byte == b'/' { 0 } else { byte };
            let slow = |a: &str, b: &str| a.bytes().map(key).cmp(b.bytes().map(key));
            let (a, b) = (format!("{prefix}{a}"), format!("{prefix}{b}"));
            proptest::prop_assert_eq!(cmp_paths(&a, &b), slow(&a, &b));
            proptest::prop_assert_eq!(cmp_paths(&b, &a), slow(&b, &a));
        }
    }

    /// The walk's own order and subtrees are those the sort of the paths gives, and names
    /// that read alike once made UTF-8 fall back to that sort.
    #[test]
    fn a_walked_tree_is_the_tree_its_sorted_paths_make() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for path in [
            "a/b/c.py",
            "a/b.py",
            "a-b/x",
            "a.b",
            "ab/c/d/e",
            "ab/c.txt",
            "z",
            "a/b/c/d",
            ".github/workflows/ci.yml",
            "a b/c",
        ] {
            let path = root.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            if !path.exists() {
                std::fs::write(&path, "x").unwrap();
            }
        }
        std::fs::create_dir_all(root.join("empty")).unwrap();
        let check = |tree: &Tree| {
            let sorted = Tree::from_entries(
                Source::Memory(BTreeMap::new()),
                tree.entries.clone(),
                Vec::new(),
            );
            assert_eq!(tree.entries, sorted.entries);
            assert_eq!(tree.subtree_end, sorted.subtree_end);
        };
        let walked = walk::walk_tree(root, None).unwrap();
        assert!(walked.subtree_end.is_some());
        check(&Tree::walk(root).unwrap());
        #[cfg(target_os = "linux")]
        {
            use std::os::unix::ffi::OsStrExt;
            for name in [&b"n\xff"[..], b"n\xfe"] {
                let folder = root.join(std::ffi::OsStr::from_bytes(name));
                std::fs::create_dir_all(folder.join("inner")).unwrap();
            }
            let walked = walk::walk_tree(root, None).unwrap();
            assert!(walked.subtree_end.is_none());
            let tree = Tree::walk(root).unwrap();
            check(&tree);
            let alike = tree
                .entries
                .iter()
                .filter(|e| e.path == "n\u{fffd}")
                .count();
            assert_eq!(alike, 1);
        }
    }

    fn tree() -> Tree {
        Tree::from_files(&[
            ("README.md", "# hi\n"),
            ("a-b/x.txt", "x"),
            ("a/b/c.py", "print(1)\n"),
            ("a/d.py", ""),
            ("bin.dat", "\0\x01"),
            ("latin1.txt", "caf\u{e9}"),
        ])
    }

    #[test]
    fn descendants_are_contiguous_even_with_sibling_prefixes() {
        let tree = tree();
        let paths: Vec<_> = tree
            .descendants("a")
            .map(|i| tree.entry(i).path.as_str())
            .collect();
        assert_eq!(paths, ["a/b", "a/b/c.py", "a/d.py"]);
        let root: Vec<_> = tree.children("").map(|i| tree.entry(i).name()).collect();
        assert_eq!(root, ["README.md", "a", "a-b", "bin.dat", "latin1.txt"]);
        let children: Vec<_> = tree.children("a").map(|i| tree.entry(i).name()).collect();
        assert_eq!(children, ["b", "d.py"]);
        assert!(tree.descendants("missing").is_empty());
    }

    #[test]
    fn contents_are_classified_and_problems_noted_once() {
        let tree = Tree::from_files(&[
            ("bin.dat", b"\0\x01".as_slice()),
            ("latin1.txt", b"caf\xe9".as_slice()),
            ("bom.md", b"\xef\xbb\xbftext".as_slice()),
        ]);
        let bin = tree.find("bin.dat").unwrap();
        assert_eq!(tree.content(bin), &Content::Binary);
        assert_eq!(tree.content(bin), &Content::Binary);
        let latin = tree.find("latin1.txt").unwrap();
        assert_eq!(tree.content(latin), &Content::NonUtf8 { offset: 3 });
        assert_eq!(tree.text_at("bom.md"), Some("text"));
        let notices = tree.notices();
        assert_eq!(notices.len(), 2, "{notices:?}");
        assert!(notices[0].message.contains("binary"));
        assert!(notices[1].message.contains("UTF-8"));
    }

    #[test]
    fn source_text_replaces_a_few_bad_bytes_and_says_so() {
        let tree = Tree::from_files(&[
            ("latin.py", b"# caf\xe9\nx = 1\n".as_slice()),
            ("nul.py", b"# a\0b\nsession.commit()\n".as_slice()),
            ("blob.py", b"\0\x01\x02binary".as_slice()),
            ("ok.py", b"\xef\xbb\xbfy = 2\n".as_slice()),
        ]);
        let text = |path: &str| tree.source_text(tree.find(path).unwrap());
        assert_eq!(text("latin.py").as_deref(), Some("# caf\u{fffd}\nx = 1\n"));
        assert_eq!(
            text("nul.py").as_deref(),
            Some("# a\u{fffd}b\nsession.commit()\n")
        );
        // Mostly bad bytes: not text with a stray byte, so not parsed.
        assert_eq!(text("blob.py"), None);
        assert_eq!(text("ok.py").as_deref(), Some("y = 2\n"));
        // Text files are not copied, and plain text still says nothing.
        assert!(matches!(text("ok.py"), Some(Cow::Borrowed(_))));
        assert_eq!(tree.text_at("latin.py"), None);
        let notices: Vec<String> = tree
            .notices()
            .into_iter()
            .map(|n| format!("{}: {}", n.path, n.message))
            .collect();
        assert_eq!(
            notices,
            [
                "blob.py: binary file, not read as text",
                "latin.py: not valid UTF-8 (first invalid byte at offset 5); parsed as source code with 1 bad byte replaced",
                "nul.py: NUL bytes in a text file; parsed as source code with 1 bad byte replaced",
            ]
        );
    }

    #[test]
    fn empty_files_are_known_without_reading() {
        let tree = tree();
        assert!(tree.is_empty_file(tree.find("a/d.py").unwrap()));
        assert!(!tree.is_empty_file(tree.find("a/b/c.py").unwrap()));
    }

    #[test]
    fn repository_path_is_relative_to_the_git_work_tree() {
        let dir = tempfile::tempdir().unwrap();
        let service = dir.path().join("services/billing");
        std::fs::create_dir_all(&service).unwrap();
        assert_eq!(repository_path(&service), None, "outside git");
        // A worktree or submodule has a `.git` file rather than a folder.
        std::fs::write(dir.path().join(".git"), "gitdir: elsewhere\n").unwrap();
        assert_eq!(
            repository_path(&service).as_deref(),
            Some("services/billing")
        );
        assert_eq!(repository_path(dir.path()).as_deref(), Some(""));
        assert_eq!(repository_path(&dir.path().join("missing")), None);
    }

    #[test]
    fn human_sizes() {
        assert_eq!(human_size(10), "10 B");
        assert_eq!(human_size(1536), "1.5 KiB");
        assert_eq!(human_size(3 * 1024 * 1024), "3.0 MiB");
    }
}
