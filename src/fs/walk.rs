//! The one walk of a directory: parallel, gitignore-aware, never following links.
//!
//! Each folder is a task on the rayon pool: it lists its names, reads its own `.gitignore`
//! and `.git/info/exclude` when the listing has them (a regular file of bounded size only),
//! and matches each name with the rules of the folders above it (`ignore`'s `Gitignore`).
//! Listings are sorted by name and joined folder before contents, which is the tree's order:
//! no sort of the whole tree. The rules and their precedence are those of the `ignore`
//! crate's walk with `require_git(false)` and `parents(true)`, which a property test holds.

use std::collections::HashMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use globset::{Glob, GlobSet, GlobSetBuilder};
use ignore::gitignore::{Gitignore, GitignoreBuilder};

use super::{Content, Entry, EntryKind, MAX_READ_BYTES, Notice};

/// Why a directory could not be walked at all.
#[derive(Debug, thiserror::Error)]
pub enum WalkError {
    /// The path does not exist.
    #[error("{path}: no such file or directory")]
    NotFound {
        /// The path as given.
        path: PathBuf,
    },
    /// The path is a file, not a directory.
    #[error("{path}: is a file, not a directory")]
    NotADirectory {
        /// The path as given.
        path: PathBuf,
    },
    /// The path exists but cannot be opened.
    #[error("{path}: cannot be read: {source}")]
    Unreadable {
        /// The path as given.
        path: PathBuf,
        /// The operating system's reason.
        source: io::Error,
    },
}

/// The gitignore rules in force in a folder, nearest first: its own `.gitignore` and
/// `.git/info/exclude`, then its parent's, up to `/` (the folders above the root count, as
/// they do for `ignore`'s `parents(true)`). Git's global excludes file is not read.
struct Rules {
    gitignore: Option<Arc<Gitignore>>,
    exclude: Option<Arc<Gitignore>>,
    /// The length of the folder's path: what precedes a path relative to it.
    dir_len: usize,
    parent: Option<Arc<Rules>>,
}

impl Rules {
    /// Whether the entry at `path` (absolute) is ignored. The nearest `.gitignore` that
    /// says anything about it decides; only when none does, the nearest `info/exclude` (the
    /// precedence of the `ignore` crate's walk, which this walk replaced).
    fn ignores(&self, path: &Path, is_dir: bool) -> bool {
        let mut excluded = None;
        let mut at = Some(self);
        while let Some(rules) = at {
            let relative = below(path, rules.dir_len);
            if let Some(gitignore) = &rules.gitignore {
                let found = gitignore.matched(relative, is_dir);
                if !found.is_none() {
                    return found.is_ignore();
                }
            }
            if excluded.is_none()
                && let Some(exclude) = &rules.exclude
            {
                let found = exclude.matched(relative, is_dir);
                if !found.is_none() {
                    excluded = Some(found.is_ignore());
                }
            }
            at = rules.parent.as_deref();
        }
        excluded.unwrap_or(false)
    }

    /// The rules of `dir` on top of `parent`'s, or `parent`'s alone when `dir` adds none.
    fn under(
        parent: Option<&Arc<Rules>>,
        dir: &Path,
        gitignore: Option<Arc<Gitignore>>,
        exclude: Option<Arc<Gitignore>>,
    ) -> Option<Arc<Rules>> {
        if gitignore.is_none() && exclude.is_none() {
            return parent.cloned();
        }
        Some(Arc::new(Rules {
            gitignore,
            exclude,
            dir_len: dir.as_os_str().len(),
            parent: parent.cloned(),
        }))
    }
}

/// Where the rules of a folder are rooted. On unix, `.`: they are matched with paths relative
/// to their folder, cut out of the entry's path without a copy, and `Gitignore::matched`
/// then skips its own stripping (its root compared with `.` component by component, and the
/// root's bytes with the path's, for every entry and rule file). Elsewhere
/// the folder itself, and the entry's absolute path is stripped by the matcher.
fn rules_root(dir: &Path) -> &Path {
    if cfg!(unix) { Path::new(".") } else { dir }
}

/// `path` below the folder whose path is `dir_len` bytes long: relative to it on unix (see
/// [`rules_root`]), whole elsewhere.
fn below(path: &Path, dir_len: usize) -> &Path {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let bytes = path.as_os_str().as_bytes();
        let rest = bytes.get(dir_len..).unwrap_or_default();
        let rest = rest.strip_prefix(b"/").unwrap_or(rest);
        Path::new(std::ffi::OsStr::from_bytes(rest))
    }
    #[cfg(not(unix))]
    {
        let _ = dir_len;
        path
    }
}

/// At most this many patterns are taken from one ignore file, and from all the distinct ignore
/// files of one walk: a 2 MiB `.gitignore` of 200,000 wildcard patterns took 5.6 s and 1.4 GB
/// to compile. Real files hold a few hundred (223 lines at most in the accuracy corpus); the
/// same file in many folders is parsed and counted once. Past the walk's budget, which files
/// are refused depends on the order the folders are read in.
const MAX_RULES_PER_FILE: usize = 10_000;
/// See [`MAX_RULES_PER_FILE`].
const MAX_RULES_PER_WALK: usize = 25_000;

/// One ignore file, parsed: its rules (or why they are not applied, for a notice) and the
/// numbers of the lines whose pattern cannot be parsed, which are left out.
#[derive(Clone)]
struct Parsed {
    rules: Result<Option<Arc<Gitignore>>, String>,
    bad: Vec<usize>,
}

impl Parsed {
    /// The bad lines in words: `lines 3, 7 (2 in all)`, at most five listed.
    fn bad_lines(&self) -> Option<String> {
        let listed: Vec<String> = self.bad.iter().take(5).map(usize::to_string).collect();
        match self.bad.len() {
            0 => None,
            1 => Some(format!("line {}", listed[0])),
            n => Some(format!("lines {} ({n} in all)", listed.join(", "))),
        }
    }
}

/// The ignore files of one walk, parsed once per content: a file committed in every folder
/// (the same blob to git) is compiled once and counts once against [`MAX_RULES_PER_WALK`].
#[derive(Default)]
struct RuleFiles {
    /// Patterns taken so far.
    taken: AtomicUsize,
    /// By the matchers' root and the file's bytes.
    parsed: Mutex<HashMap<(PathBuf, Vec<u8>), Parsed>>,
}

impl RuleFiles {
    /// The rules of one ignore file of the folder `dir`. Two threads meeting the same new
    /// content at once may both parse it (and both count it): rare, and only stricter.
    fn parse(&self, dir: &Path, bytes: Vec<u8>) -> Parsed {
        let key = (rules_root(dir).to_path_buf(), bytes);
        if let Some(known) = self.parsed.lock().ok().and_then(|p| p.get(&key).cloned()) {
            return known;
        }
        let parsed = self.parse_new(&key.0, &key.1);
        match self.parsed.lock() {
            Ok(mut known) => known.entry(key).or_insert(parsed).clone(),
            Err(_) => parsed,
        }
    }

    /// Read as the `ignore` crate reads an ignore file: line by line up to the first line
    /// that is not UTF-8, a leading byte-order mark left out, CRLF endings allowed. No rules
    /// when it holds more patterns than [`MAX_RULES_PER_FILE`] or than the walk has left:
    /// counted while reading, so an oversized file is not compiled.
    fn parse_new(&self, root: &Path, bytes: &[u8]) -> Parsed {
        let mut builder = GitignoreBuilder::new(root);
        let mut bad = Vec::new();
        let left = MAX_RULES_PER_WALK.saturating_sub(self.taken.load(Ordering::Relaxed));
        let mut patterns = 0;
        let refused = |why: String, bad: Vec<usize>| Parsed {
            rules: Err(why),
            bad,
        };
        for (at, piece) in bytes.split_inclusive(|&b| b == b'\n').enumerate() {
            let line = match piece.strip_suffix(b"\n") {
                Some(line) => line.strip_suffix(b"\r").unwrap_or(line),
                None => piece,
            };
            let Ok(mut line) = std::str::from_utf8(line) else {
                break;
            };
            if at == 0 {
                line = line.trim_start_matches('\u{feff}');
            }
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            patterns += 1;
            if patterns > MAX_RULES_PER_FILE {
                return refused(
                    format!("more than {MAX_RULES_PER_FILE} patterns; its rules are not applied"),
                    bad,
                );
            }
            if patterns > left {
                return refused(spent(), bad);
            }
            // No origin recorded: it would copy the file's path into every pattern.
            if builder.add_line(None, line).is_err() {
                bad.push(at + 1);
            }
        }
        let taken = self
            .taken
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |taken| {
                taken
                    .checked_add(patterns)
                    .filter(|&total| total <= MAX_RULES_PER_WALK)
            });
        if taken.is_err() {
            return refused(spent(), bad);
        }
        let rules = match builder.build() {
            Ok(rules) => Ok((!rules.is_empty()).then(|| Arc::new(rules))),
            Err(err) => Err(format!("{err}; its rules are not applied")),
        };
        Parsed { rules, bad }
    }
}

/// Why an ignore file is refused once the walk's patterns are taken.
fn spent() -> String {
    format!("the walk's {MAX_RULES_PER_WALK} ignore patterns are spent; its rules are not applied")
}

/// The rules of the folders above the root, `/` first: each one's `.gitignore` and
/// `.git/info/exclude`, as the `ignore` crate's walk reads them (`parents(true)`). The root can
/// be a folder inside the audited repository, so these files are read like those below it:
/// regular files only, not through a link in their last component, bounded. A problem is
/// noted on the root with the file's path (and lines), never with a pattern's text (a secret
/// read through a link must not reach a report).
fn rules_above(root: &Path, files: &RuleFiles, notices: &mut Vec<Notice>) -> Option<Arc<Rules>> {
    let mut rules = None;
    let above: Vec<&Path> = root.ancestors().skip(1).collect();
    for dir in above.into_iter().rev() {
        let mut read = |file: PathBuf| {
            let at = file.display();
            let mut note = |message: String| {
                notices.push(Notice {
                    path: String::new(),
                    message: format!("{at}: {message}"),
                });
            };
            let bytes = match super::open::read_walked(&file, MAX_READ_BYTES) {
                Ok(bytes) => bytes,
                Err(err) if err.is_not_found() => return None,
                Err(err) => {
                    note(format!("{}; its rules are not applied", err.describe()));
                    return None;
                }
            };
            let parsed = files.parse(dir, bytes);
            if let Some(lines) = parsed.bad_lines() {
                note(format!(
                    "{lines}: patterns that cannot be parsed are left out"
                ));
            }
            parsed.rules.unwrap_or_else(|why| {
                note(why);
                None
            })
        };
        let gitignore = read(dir.join(".gitignore"));
        let exclude = read(dir.join(".git/info/exclude"));
        rules = Rules::under(rules.as_ref(), dir, gitignore, exclude);
    }
    rules
}

/// A folder to read, with what its entries inherit.
struct Folder {
    /// Its index in [`Walk::listings`].
    id: usize,
    /// On disk.
    path: PathBuf,
    /// Relative to the root, `/`-separated, lossy (empty for the root).
    rel: String,
    /// `rel` holds a name that is not UTF-8.
    lossy: bool,
    /// The rules of the folders above it.
    rules: Option<Arc<Rules>>,
}

/// What one folder holds, sorted by name: each entry with the index of its own listing when
/// it is a folder that was read.
#[derive(Default)]
struct Listing {
    entries: Vec<(Entry, Option<usize>)>,
    notices: Vec<Notice>,
}

/// One walk: every folder is a task on the rayon pool (no recursion: a deep tree does not
/// grow a stack), and reports its listing here.
struct Walk<'a> {
    root: &'a Path,
    exclude: Option<&'a Exclude>,
    /// Mount points inside the root, listed and never entered.
    mounts: &'a [PathBuf],
    /// The root's device, where the mount points are not known: a folder on another device
    /// is listed and not entered.
    device: Option<u64>,
    next: AtomicUsize,
    listings: Mutex<Vec<(usize, Listing)>>,
    /// The ignore files met, parsed once per content.
    files: RuleFiles,
    /// No two names of a folder read alike once made UTF-8: the listings joined are in
    /// tree order, each path once.
    ordered: AtomicBool,
}

impl<'s> Walk<'s> {
    fn read_folder(&'s self, scope: &rayon::Scope<'s>, folder: &Folder) {
        let mut listing = Listing::default();
        let names = match fs::read_dir(&folder.path) {
            Ok(read) => read_names(read, folder, &mut listing.notices),
            Err(err) => {
                listing.notices.push(io_notice(folder.rel.clone(), &err));
                Vec::new()
            }
        };
        let rules = rules_of(folder, &names, &self.files, &mut listing.notices);
        let journal_parent = folder.path.file_name() == Some(std::ffi::OsStr::new(".squarely"));
        let mut path = std::ffi::OsString::with_capacity(folder.path.as_os_str().len() + 64);
        // `/` (a walk of the whole system) already ends with the separator.
        let separator = if folder.path.as_os_str().as_encoded_bytes().ends_with(b"/") {
            ""
        } else {
            std::path::MAIN_SEPARATOR_STR
        };
        let mut converted_names = false;
        for (name, file_type) in names {
            // `.git` is never part of the tree, nor the journal `organize` keeps outside git.
            if name == ".git" || (journal_parent && name == "organize") {
                continue;
            }
            path.clear();
            path.push(folder.path.as_os_str());
            path.push(separator);
            path.push(&name);
            let full = Path::new(&path);
            let is_dir = file_type.is_dir();
            if rules
                .as_ref()
                .is_some_and(|rules| rules.ignores(full, is_dir))
            {
                continue;
            }
            let text = name.to_string_lossy();
            let converted = matches!(text, std::borrow::Cow::Owned(_));
            converted_names |= converted;
            let lossy = folder.lossy || converted;
            let rel = join_rel(&folder.rel, &text);
            if self.exclude.is_some_and(|exclude| exclude.excludes(&rel)) {
                continue;
            }
            if lossy {
                listing.notices.push(Notice {
                    path: rel.clone(),
                    message: "file name is not valid UTF-8; shown with replacement characters"
                        .to_owned(),
                });
            }
            let (kind, read) = if file_type.is_symlink() {
                (self.link_kind(full, &rel, &mut listing.notices), None)
            } else if is_dir {
                let entered = self.enters(full, &rel, &mut listing.notices).then(|| {
                    let id = self.next.fetch_add(1, Ordering::Relaxed);
                    let child = Folder {
                        id,
                        path: full.to_path_buf(),
                        rel: rel.clone(),
                        lossy,
                        rules: rules.clone(),
                    };
                    scope.spawn(move |scope| self.read_folder(scope, &child));
                    id
                });
                (EntryKind::Dir, entered)
            } else {
                (EntryKind::File, None)
            };
            let regular = file_type.is_file();
            listing.entries.push((Entry::new(rel, kind, regular), read));
        }
        // Names of one folder share every byte before them: sorted by name is sorted by path.
        listing
            .entries
            .sort_unstable_by(|(a, _), (b, _)| a.name().cmp(b.name()));
        // Only names made UTF-8 can read alike.
        if converted_names
            && listing
                .entries
                .windows(2)
                .any(|pair| pair[0].0.name() == pair[1].0.name())
        {
            self.ordered.store(false, Ordering::Relaxed);
        }
        if let Ok(mut listings) = self.listings.lock() {
            listings.push((folder.id, listing));
        }
    }

    /// What a symlink is for the audit, with a notice when it deserves one.
    fn link_kind(&self, path: &Path, rel: &str, notices: &mut Vec<Notice>) -> EntryKind {
        let problem = symlink_problem(path).or_else(|| {
            fs::canonicalize(path)
                .is_ok_and(|target| !target.starts_with(self.root))
                .then(|| "symlink to outside the audited folder; not followed".to_owned())
        });
        if let Some(message) = problem {
            notices.push(Notice {
                path: rel.to_owned(),
                message,
            });
        }
        if links_to_file_inside(self.root, path) {
            EntryKind::File
        } else {
            EntryKind::Symlink
        }
    }

    /// Whether the folder at `path` is entered: not a mount point (a stale network mount must
    /// not hang the audit; `squarely audit /` does not wander into `/proc`).
    fn enters(&self, path: &Path, rel: &str, notices: &mut Vec<Notice>) -> bool {
        if !self.mounts.is_empty() && self.mounts.iter().any(|mount| mount == path) {
            return false;
        }
        let Some(device) = self.device else {
            return true;
        };
        match fs::metadata(path) {
            Ok(meta) => device_of(&meta) == Some(device),
            Err(err) => {
                notices.push(io_notice(rel.to_owned(), &err));
                false
            }
        }
    }
}

/// The rules in force in `folder`: its parents', and its own `.gitignore` and
/// `.git/info/exclude` when it has them. A `.gitignore` is read only if it is a regular
/// file of at most [`MAX_READ_BYTES`]: a link (git does not follow one either), a FIFO
/// or `/dev/zero` committed as `.gitignore` must not hang the walk or fill memory; the
/// patterns it may hold are bounded too (see [`MAX_RULES_PER_FILE`]). Bad patterns are left
/// out without a notice, as the `ignore` crate's walk did.
fn rules_of(
    folder: &Folder,
    names: &[(std::ffi::OsString, fs::FileType)],
    files: &RuleFiles,
    notices: &mut Vec<Notice>,
) -> Option<Arc<Rules>> {
    // Rules refused (a link, too many patterns...) are noted on the file.
    let mut applied = |file: &str, rules: Result<Option<Arc<Gitignore>>, String>| {
        rules.unwrap_or_else(|message| {
            notices.push(Notice {
                path: join_rel(&folder.rel, file),
                message,
            });
            None
        })
    };
    let mut gitignore = None;
    let mut exclude = None;
    for (name, file_type) in names {
        if name == ".gitignore" {
            let rules =
                if file_type.is_symlink() {
                    Err("a symbolic link; its rules are not applied (git does not follow it either)"
                    .to_owned())
                } else if !file_type.is_file() {
                    Err("not a regular file; its rules are not applied".to_owned())
                } else {
                    super::open::read_walked(&folder.path.join(name), MAX_READ_BYTES)
                        .map_err(|err| format!("{}; its rules are not applied", err.describe()))
                        .and_then(|bytes| files.parse(&folder.path, bytes).rules)
                };
            gitignore = applied(".gitignore", rules);
        } else if name == ".git" {
            // Not through a link in its last component either (`exclude -> /dev/zero`);
            // `.git` is not part of the tree, so a file that is not read is not noted, but one
            // whose rules are refused is.
            let file = folder.path.join(".git/info/exclude");
            if let Ok(bytes) = super::open::read_walked(&file, MAX_READ_BYTES) {
                exclude = applied(".git/info/exclude", files.parse(&folder.path, bytes).rules);
            }
        }
    }
    Rules::under(folder.rules.as_ref(), &folder.path, gitignore, exclude)
}

/// The names and types in a folder being read; what cannot be read becomes a notice.
fn read_names(
    read: fs::ReadDir,
    folder: &Folder,
    notices: &mut Vec<Notice>,
) -> Vec<(std::ffi::OsString, fs::FileType)> {
    let mut names = Vec::new();
    for item in read {
        match item {
            Ok(item) => match item.file_type() {
                Ok(file_type) => names.push((item.file_name(), file_type)),
                Err(err) => {
                    let rel = join_rel(&folder.rel, &item.file_name().to_string_lossy());
                    notices.push(io_notice(rel, &err));
                }
            },
            Err(err) => notices.push(io_notice(folder.rel.clone(), &err)),
        }
    }
    names
}

/// The path of `name` in the folder at `folder` (relative, `/`-separated; empty for the root).
fn join_rel(folder: &str, name: &str) -> String {
    if folder.is_empty() {
        return name.to_owned();
    }
    let mut rel = String::with_capacity(folder.len() + 1 + name.len());
    rel.push_str(folder);
    rel.push('/');
    rel.push_str(name);
    rel
}

/// The device a file is on, where the system says (`None` elsewhere).
#[cfg_attr(unix, allow(clippy::unnecessary_wraps))]
fn device_of(meta: &fs::Metadata) -> Option<u64> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Some(meta.dev())
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        None
    }
}

/// Paths a project configuration leaves out of the tree (`ignore:` in `.squarely.yaml`).
#[derive(Debug, Clone)]
pub struct Exclude {
    set: GlobSet,
    prefix: String,
}

impl Exclude {
    /// Leave out every entry whose path matches one of `globs`, with everything below it.
    /// Paths are matched as `prefix` + the path relative to the walked folder (`prefix` is
    /// the walked folder relative to where the globs are relative to: `services/api/`, or
    /// empty).
    pub fn new(globs: &[Glob], prefix: &str) -> Result<Exclude, globset::Error> {
        let mut builder = GlobSetBuilder::new();
        for glob in globs {
            builder.add(glob.clone());
        }
        Ok(Exclude {
            set: builder.build()?,
            prefix: prefix.to_owned(),
        })
    }

    /// Whether the entry at `path` (relative to the walked folder) is left out.
    #[must_use]
    pub fn excludes(&self, path: &str) -> bool {
        if self.prefix.is_empty() {
            self.set.is_match(path)
        } else {
            self.set.is_match(format!("{}{path}", self.prefix))
        }
    }
}

/// What a walk found.
pub(super) struct Walked {
    /// The walked folder, canonical.
    pub root: PathBuf,
    /// Every entry git would track and the exclusions keep, in tree order.
    pub entries: Vec<Entry>,
    /// For each entry, the index past its subtree; `None` when two names of a folder read
    /// alike once made UTF-8, and the entries must be sorted and deduplicated by path.
    pub subtree_end: Option<Vec<usize>>,
    /// What was met on the way.
    pub notices: Vec<Notice>,
}

/// Walk `root`: every entry git would track and `exclude` keeps, plus the notices met on
/// the way.
pub(super) fn walk_tree(root: &Path, exclude: Option<&Exclude>) -> Result<Walked, WalkError> {
    walk_mounted(root, exclude, mounts_inside)
}

/// [`walk_tree`], its root, entries and notices.
#[cfg(test)]
fn walk(
    root: &Path,
    exclude: Option<&Exclude>,
) -> Result<(PathBuf, Vec<Entry>, Vec<Notice>), WalkError> {
    walk_tree(root, exclude).map(|walked| (walked.root, walked.entries, walked.notices))
}

/// [`walk_tree`], with the mount points inside the root found by `mounts`.
fn walk_mounted(
    root: &Path,
    exclude: Option<&Exclude>,
    mounts: impl FnOnce(&Path) -> Option<Vec<PathBuf>>,
) -> Result<Walked, WalkError> {
    let meta = fs::metadata(root).map_err(|source| match source.kind() {
        io::ErrorKind::NotFound => WalkError::NotFound {
            path: root.to_path_buf(),
        },
        _ => WalkError::Unreadable {
            path: root.to_path_buf(),
            source,
        },
    })?;
    if !meta.is_dir() {
        return Err(WalkError::NotADirectory {
            path: root.to_path_buf(),
        });
    }
    fs::read_dir(root).map_err(|source| WalkError::Unreadable {
        path: root.to_path_buf(),
        source,
    })?;
    let root = fs::canonicalize(root).map_err(|source| WalkError::Unreadable {
        path: root.to_path_buf(),
        source,
    })?;

    // A repository is one file system: where the system lists its mount points, those inside
    // the root are skipped by path (one read); elsewhere by comparing each folder's device
    // with the root's.
    let mounts = mounts(&root);
    let device = if mounts.is_some() {
        None
    } else {
        device_of(&meta)
    };
    let mut notices = Vec::new();
    let files = RuleFiles::default();
    let rules = rules_above(&root, &files, &mut notices);
    let walk = Walk {
        root: &root,
        exclude,
        mounts: mounts.as_deref().unwrap_or_default(),
        device,
        next: AtomicUsize::new(1),
        listings: Mutex::new(Vec::new()),
        files,
        ordered: AtomicBool::new(true),
    };
    let top = Folder {
        id: 0,
        path: root.clone(),
        rel: String::new(),
        lossy: false,
        rules,
    };
    rayon::scope(|scope| walk.read_folder(scope, &top));
    let count = walk.next.load(Ordering::Relaxed);
    let mut listings: Vec<Option<Listing>> = (0..count).map(|_| None).collect();
    for (id, mut listing) in walk
        .listings
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
    {
        notices.append(&mut listing.notices);
        if let Some(slot) = listings.get_mut(id) {
            *slot = Some(listing);
        }
    }
    // Each folder followed by what it holds, names sorted: the order of `cmp_paths`, with no
    // sort of the whole tree. Each folder's subtree ends where its listing is used up.
    let total = listings.iter().flatten().map(|l| l.entries.len()).sum();
    let mut entries = Vec::with_capacity(total);
    let mut subtree_end = Vec::with_capacity(total);
    let mut open = Vec::new();
    if let Some(top) = listings.first_mut().and_then(Option::take) {
        open.push((top.entries.into_iter(), None));
    }
    while let Some((folder, _)) = open.last_mut() {
        let Some((entry, read)) = folder.next() else {
            if let Some((_, Some(owner))) = open.pop() {
                subtree_end[owner] = entries.len();
            }
            continue;
        };
        let at = entries.len();
        entries.push(entry);
        subtree_end.push(at + 1);
        if let Some(listing) = read.and_then(|id| listings.get_mut(id)?.take()) {
            open.push((listing.entries.into_iter(), Some(at)));
        }
    }
    let subtree_end = walk.ordered.load(Ordering::Relaxed).then_some(subtree_end);
    Ok(Walked {
        root,
        entries,
        subtree_end,
        notices,
    })
}

/// The mount points strictly inside `root` (canonical), read from Linux's
/// `/proc/self/mountinfo`; `None` where that cannot be read (another system, no `/proc`), and
/// the walk then compares the device of every folder with the root's instead.
fn mounts_inside(root: &Path) -> Option<Vec<PathBuf>> {
    if !cfg!(target_os = "linux") {
        return None;
    }
    let text = fs::read("/proc/self/mountinfo").ok()?;
    let mut inside = Vec::new();
    for line in text.split(|&b| b == b'\n').filter(|line| !line.is_empty()) {
        // `36 35 98:0 /mnt1 /mnt/point rw,noatime ...`: the fifth field is the mount point.
        let point = mount_path(line.split(|&b| b == b' ').nth(4)?);
        if point != root && point.starts_with(root) {
            inside.push(point);
        }
    }
    Some(inside)
}

/// A path from `mountinfo`, where space, tab, newline and backslash are written `\ooo`.
fn mount_path(field: &[u8]) -> PathBuf {
    let mut bytes = Vec::with_capacity(field.len());
    let mut at = 0;
    while at < field.len() {
        // `\ooo` is three octal digits (at most `\377`, one byte).
        let octal = field
            .get(at + 1..at + 4)
            .filter(|digits| field[at] == b'\\' && digits.iter().all(|d| (b'0'..=b'7').contains(d)))
            .map(|d| (d[0] - b'0') << 6 | (d[1] - b'0') << 3 | (d[2] - b'0'));
        if let Some(byte) = octal {
            bytes.push(byte);
            at += 4;
        } else {
            bytes.push(field[at]);
            at += 1;
        }
    }
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStringExt;
        PathBuf::from(std::ffi::OsString::from_vec(bytes))
    }
    #[cfg(not(unix))]
    {
        PathBuf::from(String::from_utf8_lossy(&bytes).into_owned())
    }
}

/// `path` relative to `root`, `/`-separated, lossy (the tests' oracle names entries so).
#[cfg(test)]
fn relative(root: &Path, path: &Path) -> Option<String> {
    // Fast path: both are UTF-8 and the walker built `path` by appending to `root`.
    if let (Some(root), Some(text)) = (root.to_str(), path.to_str())
        && std::path::MAIN_SEPARATOR == '/'
        && let Some(rest) = text.strip_prefix(root)
    {
        let rest = rest.strip_prefix('/').unwrap_or(rest);
        return (!rest.is_empty()).then(|| rest.to_owned());
    }
    let rel = path.strip_prefix(root).ok()?;
    let mut out = String::new();
    for component in rel.components() {
        if !out.is_empty() {
            out.push('/');
        }
        out.push_str(&component.as_os_str().to_string_lossy());
    }
    (!out.is_empty()).then_some(out)
}

/// A notice for what could not be read at `path`: the folder or entry is skipped.
fn io_notice(path: String, err: &io::Error) -> Notice {
    let message = if err.kind() == io::ErrorKind::PermissionDenied {
        "permission denied; skipped".to_owned()
    } else {
        format!("cannot be read: {err}; skipped")
    };
    Notice { path, message }
}

/// Whether the symlink at `path` leads to a regular file inside `root` (canonical), outside
/// `.git`: such a link (`CLAUDE.md -> AGENTS.md`) is that file for the audit. Links to folders
/// and to anything outside the root are never followed.
fn links_to_file_inside(root: &Path, path: &Path) -> bool {
    let Ok(target) = fs::canonicalize(path) else {
        return false;
    };
    target.starts_with(root)
        && !target.starts_with(root.join(".git"))
        && fs::metadata(&target).is_ok_and(|meta| meta.is_file())
}

/// Why a symlink deserves a notice: a loop, a dangling target, or a link to an ancestor.
fn symlink_problem(path: &Path) -> Option<String> {
    match fs::metadata(path) {
        Err(err)
            if err.raw_os_error() == Some(40) || err.to_string().contains("symbolic links") =>
        {
            Some("symlink loop; not followed".to_owned())
        }
        Err(_) => Some("dangling symlink; not followed".to_owned()),
        Ok(meta) if meta.is_dir() => {
            let target = fs::canonicalize(path).ok()?;
            let parent = fs::canonicalize(path.parent()?).ok()?;
            parent.starts_with(&target).then(|| {
                "symlink to one of its own parent directories (a loop); not followed".to_owned()
            })
        }
        Ok(_) => None,
    }
}

/// The bytes of one file with the size cap, or why there are none (never `Text`).
pub(super) fn read_bytes(path: &Path, walked_regular: bool) -> Result<Vec<u8>, Content> {
    // A FIFO named `app.py` must not hang the audit: the type is checked before opening,
    // or known from the walk.
    let read = if walked_regular {
        super::open::read_walked(path, MAX_READ_BYTES)
    } else {
        super::open::read_regular(path, MAX_READ_BYTES, None)
    };
    read.map_err(|err| match err {
        super::open::OpenError::TooLarge { size, .. } => Content::TooLarge(size),
        other => Content::Unreadable(other.describe()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_honouring_gitignore_and_skipping_dot_git() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join(".git/objects")).unwrap();
        fs::write(root.join(".git/HEAD"), "ref").unwrap();
        fs::write(root.join(".gitignore"), "target/\n*.log\n").unwrap();
        fs::create_dir_all(root.join("target/debug")).unwrap();
        fs::write(root.join("target/debug/app"), "bin").unwrap();
        fs::write(root.join("debug.log"), "x").unwrap();
        fs::create_dir_all(root.join("src")).unwrap();
        fs::write(root.join("src/main.rs"), "fn main() {}").unwrap();
        fs::write(root.join(".env.example"), "A=1").unwrap();
        let (_, mut entries, notices) = walk(root, None).unwrap();
        entries.sort_by(|a, b| a.path.cmp(&b.path));
        let paths: Vec<_> = entries.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(paths, [".env.example", ".gitignore", "src", "src/main.rs"]);
        assert!(notices.is_empty());
    }

    /// Files holding `x` at `paths` below `root`, with their folders.
    fn plant(root: &Path, paths: &[&str]) {
        for path in paths {
            fs::create_dir_all(root.join(path).parent().unwrap()).unwrap();
            fs::write(root.join(path), "x").unwrap();
        }
    }

    /// What the `ignore` crate's walk, configured as squarely's walk was before it had its
    /// own, finds in `root`: the paths, sorted like the tree.
    fn walked_by_ignore(root: &Path, exclude: Option<&Exclude>) -> Vec<String> {
        let root = fs::canonicalize(root).unwrap();
        let base = root.clone();
        let exclude = exclude.cloned();
        let mut paths: Vec<String> = ignore::WalkBuilder::new(&root)
            .hidden(false)
            .ignore(false)
            .git_global(false)
            .git_ignore(true)
            .git_exclude(true)
            .require_git(false)
            .parents(true)
            .follow_links(false)
            .filter_entry(move |entry| {
                let bytes = entry.path().as_os_str().as_encoded_bytes();
                let excluded = exclude.as_ref().is_some_and(|exclude| {
                    relative(&base, entry.path()).is_some_and(|path| exclude.excludes(&path))
                });
                !bytes.ends_with(b"/.git") && !bytes.ends_with(b"/.squarely/organize") && !excluded
            })
            .build()
            .filter_map(Result::ok)
            .filter(|entry| entry.depth() > 0)
            .filter_map(|entry| relative(&root, entry.path()))
            .collect();
        paths.sort_by(|a, b| crate::fs::cmp_paths(a, b));
        paths
    }

    /// Lines a generated `.gitignore` or `info/exclude` is made of: plain names, globs,
    /// anchored and folder-only patterns, negations, escapes, comments, CRLF endings.
    const RULES: &[&str] = &[
        "*.log",
        "!keep.log",
        "build/",
        "/a",
        "b/c",
        "**/d.py",
        "a/**",
        "!b",
        "# c",
        "c*",
        "\\!x",
        "*.py\r",
        "",
        "[ab]",
        "d/",
        "!/a/b",
        "b",
        "!*.py",
        "x/**/y",
        ".hidden",
        "!.hidden/keep",
        "\u{feff}a",
        "  ",
        "e\\ ",
        "**",
        "!**/",
        "/b/",
        "?",
    ];

    /// Names the generated trees are made of.
    const NAMES: &[&str] = &[
        "a",
        "b",
        "c",
        "d.py",
        "keep.log",
        "x.log",
        "build",
        ".hidden",
        "keep",
        "x",
        "y",
        "e ",
        "!x",
        "c.d",
        ".squarely",
        "organize",
        "a-b",
    ];

    /// `.squarely.yaml` exclusions the generated walks are made with.
    const EXCLUDES: &[&str] = &["", "b", "**/*.log", "a/**", "c.d"];

    /// Link targets: a folder, its parent (a loop), nothing.
    const TARGETS: &[&str] = &["a", "..", "missing"];

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(96))]

        /// On generated trees with `.gitignore` files at every level, nested repositories
        /// and `info/exclude`, the walk keeps exactly what the `ignore` crate's walk keeps,
        /// in the tree's order.
        #[test]
        fn the_walk_keeps_what_the_ignore_crate_keeps(
            paths in proptest::collection::vec(
                proptest::collection::vec(0..NAMES.len(), 1..5), 1..40),
            ignores in proptest::collection::vec(
                (proptest::collection::vec(0..NAMES.len(), 0..3),
                 proptest::collection::vec(0..RULES.len(), 1..6)), 0..6),
            excludes in proptest::collection::vec(
                (proptest::collection::vec(0..NAMES.len(), 0..2),
                 proptest::collection::vec(0..RULES.len(), 1..4)), 0..3),
            links in proptest::collection::vec(
                (proptest::collection::vec(0..NAMES.len(), 0..2), 0..TARGETS.len()), 0..3),
            excluded in 0..EXCLUDES.len(),
        ) {
            let dir = tempfile::tempdir().unwrap();
            let root = dir.path().join("repo");
            fs::create_dir_all(&root).unwrap();
            let at = |names: &[usize]| {
                names.iter().fold(root.clone(), |path, &n| path.join(NAMES[n]))
            };
            for names in &paths {
                let path = at(names);
                // A name already made a file stays a file.
                if fs::create_dir_all(path.parent().unwrap()).is_ok() && !path.exists() {
                    let _ = fs::write(&path, "x");
                }
            }
            let folder = |names: &[usize]| {
                let path = at(names);
                (fs::create_dir_all(&path).is_ok() && path.is_dir()).then_some(path)
            };
            for (names, rules) in &ignores {
                if let Some(path) = folder(names) {
                    let text: Vec<&str> = rules.iter().map(|&r| RULES[r]).collect();
                    let _ = fs::write(path.join(".gitignore"), text.join("\n"));
                }
            }
            for (names, rules) in &excludes {
                if let Some(path) = folder(names) {
                    let text: Vec<&str> = rules.iter().map(|&r| RULES[r]).collect();
                    if fs::create_dir_all(path.join(".git/info")).is_ok() {
                        let _ = fs::write(path.join(".git/info/exclude"), text.join("\n"));
                    }
                }
            }
            #[cfg(unix)]
            for (at, (names, target)) in links.iter().enumerate() {
                if let Some(path) = folder(names) {
                    let _ = std::os::unix::fs::symlink(TARGETS[*target], path.join(format!("ln{at}")));
                }
            }
            let globs: Vec<Glob> = EXCLUDES[excluded]
                .split(',')
                .filter(|glob| !glob.is_empty())
                .map(|glob| Glob::new(glob).unwrap())
                .collect();
            let exclude = Exclude::new(&globs, "").unwrap();
            let (_, entries, _) = walk(&root, Some(&exclude)).unwrap();
            let found: Vec<String> = entries.into_iter().map(|entry| entry.path).collect();
            proptest::prop_assert_eq!(found, walked_by_ignore(&root, Some(&exclude)));
        }
    }

    /// Every fixture repository (and every folder of `SQUARELY_WALK_CORPUS`, a folder of
    /// real repositories, when set) is walked to the very entries, in order, that the `ignore`
    /// crate's walk keeps.
    #[test]
    fn the_walk_keeps_what_the_ignore_crate_keeps_on_real_trees() {
        let here = Path::new(env!("CARGO_MANIFEST_DIR"));
        let children = |dir: &Path| -> Vec<PathBuf> {
            let mut found: Vec<PathBuf> = fs::read_dir(dir)
                .map(|read| read.filter_map(Result::ok).map(|e| e.path()).collect())
                .unwrap_or_default();
            found.retain(|path| path.is_dir());
            found.sort();
            found
        };
        let mut roots = children(&here.join("tests/fixtures"));
        if let Some(corpus) = std::env::var_os("SQUARELY_WALK_CORPUS") {
            roots.extend(children(Path::new(&corpus)));
        }
        assert!(roots.len() > 20, "only {} fixtures found", roots.len());
        let mut differ = Vec::new();
        for root in &roots {
            let (_, entries, _) = walk(root, None).unwrap();
            let found: Vec<String> = entries.into_iter().map(|entry| entry.path).collect();
            let expected = walked_by_ignore(root, None);
            if found != expected {
                let first = found.iter().zip(&expected).find(|(a, b)| a != b);
                differ.push(format!(
                    "{}: {} entries, ignore's walk {}; first difference {first:?}",
                    root.display(),
                    found.len(),
                    expected.len()
                ));
            }
        }
        assert!(differ.is_empty(), "{}", differ.join("\n"));
    }

    /// A `.gitignore` committed as a link to `/dev/zero`, or as a FIFO, must not fill memory
    /// or hang the walk: only a regular file is read, and a link is not followed (as git).
    #[cfg(unix)]
    #[test]
    fn a_gitignore_that_is_not_a_regular_file_is_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("src")).unwrap();
        fs::write(root.join("src/app.py"), "x").unwrap();
        fs::write(root.join("debug.log"), "x").unwrap();
        fs::write(root.join("rules"), "*.log\n").unwrap();
        std::os::unix::fs::symlink("/dev/zero", root.join(".gitignore")).unwrap();
        std::os::unix::fs::symlink("../rules", root.join("src/.gitignore")).unwrap();
        let made = std::process::Command::new("mkfifo")
            .arg(root.join("src/sub"))
            .status();
        assert!(made.is_ok_and(|s| s.success()), "mkfifo is needed");
        fs::create_dir_all(root.join("lib")).unwrap();
        fs::write(root.join("lib/trace.log"), "x").unwrap();
        let made = std::process::Command::new("mkfifo")
            .arg(root.join("lib/.gitignore"))
            .status();
        assert!(made.is_ok_and(|s| s.success()), "mkfifo is needed");

        let (_, entries, notices) = walk(root, None).unwrap();
        let paths: Vec<_> = entries.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                ".gitignore",
                "debug.log",
                "lib",
                "lib/.gitignore",
                "lib/trace.log",
                "rules",
                "src",
                "src/.gitignore",
                "src/app.py",
                "src/sub"
            ]
        );
        let about = |path: &str| {
            notices
                .iter()
                .filter(|n| n.path == path)
                .map(|n| n.message.as_str())
                .collect::<Vec<_>>()
        };
        assert!(
            about(".gitignore")
                .iter()
                .any(|m| m.contains("rules are not applied"))
        );
        assert!(
            about("src/.gitignore")
                .iter()
                .any(|m| m.contains("symbolic link"))
        );
        assert!(
            about("lib/.gitignore")
                .iter()
                .any(|m| m.contains("not a regular file"))
        );
    }

    /// A `.gitignore` over the size cap is not read, and says so.
    #[test]
    fn a_huge_gitignore_is_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let mut rules = "*.log\n".repeat(10);
        rules.push_str(&"#".repeat(usize::try_from(MAX_READ_BYTES).unwrap()));
        fs::write(root.join(".gitignore"), rules).unwrap();
        fs::write(root.join("debug.log"), "x").unwrap();
        let (_, entries, notices) = walk(root, None).unwrap();
        assert!(entries.iter().any(|e| e.path == "debug.log"));
        let about: Vec<_> = notices.iter().filter(|n| n.path == ".gitignore").collect();
        assert_eq!(about.len(), 1, "{notices:?}");
        assert!(about[0].message.contains("more than the"), "{notices:?}");
    }

    /// One ignore file takes at most 10,000 patterns, one walk 25,000: a repository cannot
    /// make the walk compile millions of globs. Within the budget the rules apply.
    #[test]
    fn ignore_patterns_are_bounded_per_file_and_per_walk() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let patterns = |n: usize| {
            (0..n).fold(String::new(), |mut text, i| {
                text.push_str(&format!("p{i}*\n"));
                text
            })
        };
        for (folder, n) in [("big", 10_001), ("a", 9_000), ("b", 9_000), ("c", 9_000)] {
            fs::create_dir_all(root.join(folder)).unwrap();
            // Each its own content: the same content is counted once (below).
            let rules = format!("# {folder}\n{}", patterns(n));
            fs::write(root.join(folder).join(".gitignore"), rules).unwrap();
            fs::write(root.join(folder).join("p1x"), "x").unwrap();
        }
        for copy in 0..20 {
            let folder = root.join(format!("same/{copy}"));
            fs::create_dir_all(&folder).unwrap();
            fs::write(folder.join(".gitignore"), "# same\np1*\n").unwrap();
            fs::write(folder.join("p1x"), "x").unwrap();
        }
        let (_, entries, notices) = walk(root, None).unwrap();
        let messages = |folder: &str| -> Vec<&str> {
            notices
                .iter()
                .filter(|n| n.path == format!("{folder}/.gitignore"))
                .map(|n| n.message.as_str())
                .collect()
        };
        assert_eq!(
            messages("big"),
            ["more than 10000 patterns; its rules are not applied"]
        );
        assert!(entries.iter().any(|e| e.path == "big/p1x"));
        // Two of the three 9,000-pattern files fit in the walk's 25,000; which two depends on
        // the order the folders are read in.
        let spent: Vec<&str> = ["a", "b", "c"]
            .into_iter()
            .filter(|folder| !messages(folder).is_empty())
            .collect();
        assert_eq!(spent.len(), 1, "{notices:?}");
        assert!(messages(spent[0])[0].contains("ignore patterns are spent"));
        let kept: Vec<&str> = ["a", "b", "c"]
            .into_iter()
            .filter(|folder| entries.iter().any(|e| e.path == format!("{folder}/p1x")))
            .collect();
        assert_eq!(kept, spent);
        // One small file in 20 folders: counted once, applied everywhere.
        assert!(
            !entries
                .iter()
                .any(|e| e.path.starts_with("same/") && e.name() == "p1x")
        );
        assert!(
            !notices.iter().any(|n| n.path.starts_with("same/")),
            "{notices:?}"
        );
    }

    /// The walked folder can be inside the audited repository: the ignore files above it are
    /// read like those below (not through a link), and a bad pattern there is noted by file
    /// and line, never by its text.
    #[cfg(unix)]
    #[test]
    fn ignore_files_above_the_root_are_not_followed_or_quoted() {
        let dir = tempfile::tempdir().unwrap();
        let repo = dir.path().join("repo");
        let root = repo.join("services/api");
        fs::create_dir_all(&root).unwrap();
        fs::write(dir.path().join("secret"), "*.log\n").unwrap();
        std::os::unix::fs::symlink("../secret", repo.join(".gitignore")).unwrap();
        fs::write(repo.join("services/.gitignore"), "*.tmp\nTOKEN[z-a]\n").unwrap();
        for name in ["debug.log", "x.tmp", "app.py"] {
            fs::write(root.join(name), "x").unwrap();
        }
        let (_, entries, notices) = walk(&root, None).unwrap();
        let paths: Vec<_> = entries.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(paths, ["app.py", "debug.log"]);
        let bad: Vec<_> = notices
            .iter()
            .filter(|n| n.message.contains("services/.gitignore: line 2:"))
            .collect();
        assert_eq!(bad.len(), 1, "{notices:?}");
        assert_eq!(bad[0].path, "");
        assert!(!bad[0].message.contains("TOKEN"), "{notices:?}");
    }

    /// The rules of the folders above the root apply, a repository's `info/exclude` too, and
    /// a nested `.gitignore` can take back what an outer one ignores.
    #[test]
    fn rules_above_the_root_and_in_info_exclude_apply() {
        let dir = tempfile::tempdir().unwrap();
        let outer = dir.path();
        fs::write(outer.join(".gitignore"), "*.tmp\n").unwrap();
        let root = outer.join("repo");
        fs::create_dir_all(root.join(".git/info")).unwrap();
        fs::write(root.join(".git/info/exclude"), "secret/\n").unwrap();
        fs::write(root.join(".gitignore"), "*.log\n").unwrap();
        plant(
            &root,
            &[
                "a.tmp",
                "secret/key",
                "src/x.log",
                "src/keep.log",
                "src/app.py",
            ],
        );
        fs::write(root.join("src/.gitignore"), "!keep.log\n").unwrap();
        let (_, entries, _) = walk(&root, None).unwrap();
        let paths: Vec<_> = entries.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                ".gitignore",
                "src",
                "src/.gitignore",
                "src/app.py",
                "src/keep.log"
            ]
        );
        assert_eq!(
            paths,
            walked_by_ignore(&root, None)
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>()
        );
    }

    /// A tree deeper than any stack would allow for one frame per folder is walked whole.
    #[test]
    fn a_deep_tree_is_walked_whole() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let deep = (0..1500).fold(root.to_path_buf(), |path, _| path.join("d"));
        let made = fs::create_dir_all(&deep);
        if made.is_err() {
            return; // a file system with a shorter path limit
        }
        let (_, entries, notices) = walk(root, None).unwrap();
        assert_eq!(entries.len(), 1500, "{notices:?}");
        assert!(notices.is_empty(), "{notices:?}");
    }

    #[test]
    fn the_organize_journal_outside_git_is_not_part_of_the_tree() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join(".squarely/organize")).unwrap();
        fs::write(root.join(".squarely/organize/run-000001.jsonl"), "{}\n").unwrap();
        fs::write(root.join(".squarely/project.yaml"), "x: 1\n").unwrap();
        let (_, mut entries, _) = walk(root, None).unwrap();
        entries.sort_by(|a, b| a.path.cmp(&b.path));
        let paths: Vec<_> = entries.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(paths, [".squarely", ".squarely/project.yaml"]);
    }

    #[test]
    fn excluded_paths_and_everything_below_them_are_left_out() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        plant(
            root,
            &[
                "vendor/lib/a.py",
                "src/app.py",
                "src/gen/schema.generated.ts",
                "src/b.generated.ts",
            ],
        );
        let globs = ["vendor", "api/**/*.generated.ts"].map(|g| Glob::new(g).unwrap());
        let exclude = Exclude::new(&globs, "api/").unwrap();
        let (_, mut entries, _) = walk(root, Some(&exclude)).unwrap();
        entries.sort_by(|a, b| a.path.cmp(&b.path));
        let paths: Vec<_> = entries.iter().map(|e| e.path.as_str()).collect();
        // `vendor` is relative to the configuration's folder, above the walked `api/`.
        assert_eq!(
            paths,
            [
                "src",
                "src/app.py",
                "src/gen",
                "vendor",
                "vendor/lib",
                "vendor/lib/a.py"
            ]
        );
        let exclude = Exclude::new(&globs, "").unwrap();
        let (_, mut entries, _) = walk(root, Some(&exclude)).unwrap();
        entries.sort_by(|a, b| a.path.cmp(&b.path));
        let paths: Vec<_> = entries.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "src",
                "src/app.py",
                "src/b.generated.ts",
                "src/gen",
                "src/gen/schema.generated.ts"
            ]
        );
    }

    #[test]
    fn errors_for_missing_and_file_paths() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope");
        assert!(matches!(
            walk(&missing, None),
            Err(WalkError::NotFound { .. })
        ));
        let file = dir.path().join("f.txt");
        fs::write(&file, "x").unwrap();
        assert!(matches!(
            walk(&file, None),
            Err(WalkError::NotADirectory { .. })
        ));
    }

    #[cfg(unix)]
    #[test]
    fn symlink_loops_are_recorded_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("a")).unwrap();
        std::os::unix::fs::symlink("..", root.join("a/up")).unwrap();
        std::os::unix::fs::symlink("self", root.join("self")).unwrap();
        let (_, entries, mut notices) = walk(root, None).unwrap();
        assert!(
            entries
                .iter()
                .any(|e| e.path == "a/up" && e.kind == EntryKind::Symlink)
        );
        notices.sort();
        assert_eq!(notices.len(), 2, "{notices:?}");
        assert_eq!(notices[0].path, "a/up");
        assert!(notices[0].message.contains("loop"));
        assert_eq!(notices[1].path, "self");
        assert!(notices[1].message.contains("loop"));
    }

    #[cfg(unix)]
    #[test]
    fn a_link_to_a_file_inside_the_root_is_that_file() {
        let outer = tempfile::tempdir().unwrap();
        let root = outer.path().join("repo");
        fs::create_dir_all(root.join("docs")).unwrap();
        fs::create_dir_all(root.join(".git")).unwrap();
        fs::write(root.join("AGENTS.md"), "# Agents\n").unwrap();
        fs::write(root.join(".git/config"), "[core]\n").unwrap();
        fs::write(outer.path().join("secret.txt"), "outside\n").unwrap();
        let link = |target: &str, name: &str| {
            std::os::unix::fs::symlink(target, root.join(name)).unwrap();
        };
        link("AGENTS.md", "CLAUDE.md");
        link("../AGENTS.md", "docs/agents.md");
        link("docs", "documentation");
        link("../secret.txt", "SECRET.md");
        link(".git/config", "git-config");
        let (_, entries, _) = walk(&root, None).unwrap();
        let kind = |path: &str| {
            entries
                .iter()
                .find(|e| e.path == path)
                .map(|e| e.kind)
                .unwrap()
        };
        assert_eq!(kind("CLAUDE.md"), EntryKind::File);
        assert_eq!(kind("docs/agents.md"), EntryKind::File);
        // Folders, files outside the root and `.git` are never followed.
        assert_eq!(kind("documentation"), EntryKind::Symlink);
        assert_eq!(kind("SECRET.md"), EntryKind::Symlink);
        assert_eq!(kind("git-config"), EntryKind::Symlink);
        assert!(!entries.iter().any(|e| e.path.starts_with("documentation/")));
    }

    /// A name that is not UTF-8 is shown with replacement characters and noted; a name that
    /// holds a real replacement character is a name like any other.
    #[cfg(target_os = "linux")]
    #[test]
    fn only_names_that_are_not_utf8_are_noted() {
        use std::os::unix::ffi::OsStrExt;
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::write(root.join(std::ffi::OsStr::from_bytes(b"bad\xff.py")), "x").unwrap();
        fs::write(root.join("ok\u{fffd}.md"), "x").unwrap();
        let (_, mut entries, notices) = walk(root, None).unwrap();
        entries.sort_by(|a, b| a.path.cmp(&b.path));
        let paths: Vec<_> = entries.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(paths, ["bad\u{fffd}.py", "ok\u{fffd}.md"]);
        assert_eq!(notices.len(), 1, "{notices:?}");
        assert_eq!(notices[0].path, "bad\u{fffd}.py");
        assert!(notices[0].message.contains("not valid UTF-8"));
        // A root whose own path is not UTF-8 makes no notice for the names below it.
        let odd = root.join(std::ffi::OsStr::from_bytes(b"root\xff"));
        fs::create_dir_all(odd.join("src")).unwrap();
        fs::write(odd.join("src/app.py"), "x").unwrap();
        let (_, entries, notices) = walk(&odd, None).unwrap();
        assert_eq!(entries.len(), 2);
        assert!(notices.is_empty(), "{notices:?}");
    }

    #[test]
    fn mount_points_are_read_with_their_escapes() {
        assert_eq!(
            mount_path(br"/mnt/my\040disk\134x\011"),
            PathBuf::from("/mnt/my disk\\x\t")
        );
        assert_eq!(mount_path(b"/a\\9b"), PathBuf::from("/a\\9b"));
        assert_eq!(mount_path(b"/end\\04"), PathBuf::from("/end\\04"));
    }

    #[test]
    fn a_mount_point_inside_the_root_is_listed_not_entered() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        plant(root, &["mnt/volume/data.db", "src/app.py"]);
        let mut entries = walk_mounted(root, None, |root| Some(vec![root.join("mnt")]))
            .unwrap()
            .entries;
        entries.sort_by(|a, b| a.path.cmp(&b.path));
        let paths: Vec<_> = entries.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(paths, ["mnt", "src", "src/app.py"]);
    }

    /// Linux lists its mount points: `/proc` is inside `/`, and nothing is inside a fresh
    /// folder (the walk skips mount points by path instead of a `stat` per folder).
    #[cfg(target_os = "linux")]
    #[test]
    fn mounts_inside_the_root_are_known_on_linux() {
        if !Path::new("/proc/self/mountinfo").exists() {
            return;
        }
        let all = mounts_inside(Path::new("/")).unwrap();
        assert!(all.iter().any(|m| m == Path::new("/proc")), "{all:?}");
        assert!(!all.iter().any(|m| m == Path::new("/")));
        let dir = tempfile::tempdir().unwrap();
        let root = fs::canonicalize(dir.path()).unwrap();
        assert_eq!(mounts_inside(&root), Some(Vec::new()));
    }

    #[test]
    fn reads_with_a_size_cap() {
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big.txt");
        let file = fs::File::create(&big).unwrap();
        file.set_len(MAX_READ_BYTES + 10).unwrap();
        for walked in [false, true] {
            assert_eq!(
                read_bytes(&big, walked),
                Err(Content::TooLarge(MAX_READ_BYTES + 10))
            );
        }
        let small = dir.path().join("small.txt");
        fs::write(&small, "hello").unwrap();
        assert_eq!(read_bytes(&small, false), Ok(b"hello".to_vec()));
        assert_eq!(read_bytes(&small, true), Ok(b"hello".to_vec()));
        // An empty file is read to its end (its size says nothing on a virtual file system).
        let empty = dir.path().join("empty.txt");
        fs::write(&empty, "").unwrap();
        assert_eq!(read_bytes(&empty, true), Ok(Vec::new()));
    }

    /// A file the walk saw as regular is read without asking its type by path first; swapped
    /// since for a link or a FIFO, it is refused, and the FIFO does not hang the read.
    #[cfg(unix)]
    #[test]
    fn a_walked_file_swapped_for_a_link_or_a_fifo_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::write(root.join("app.py"), "x = 1\n").unwrap();
        fs::write(root.join("secret.txt"), "secret").unwrap();
        std::os::unix::fs::symlink("secret.txt", root.join("link.py")).unwrap();
        let (_, entries, _) = walk(root, None).unwrap();
        let walked = |path: &str| {
            entries
                .iter()
                .find(|e| e.path == path)
                .unwrap()
                .walked_regular
        };
        assert!(walked("app.py"));
        // A link to a file inside the root is a file, read through the checked path.
        assert!(!walked("link.py"));

        fs::remove_file(root.join("app.py")).unwrap();
        std::os::unix::fs::symlink("secret.txt", root.join("app.py")).unwrap();
        assert!(matches!(
            read_bytes(&root.join("app.py"), true),
            Err(Content::Unreadable(_))
        ));

        fs::remove_file(root.join("app.py")).unwrap();
        let made = std::process::Command::new("mkfifo")
            .arg(root.join("app.py"))
            .status();
        assert!(made.is_ok_and(|s| s.success()), "mkfifo is needed");
        assert_eq!(
            read_bytes(&root.join("app.py"), true),
            Err(Content::Unreadable(
                "a named pipe (FIFO), not a regular file".to_owned()
            ))
        );
    }
}
