//! The one walk of a directory: parallel, gitignore-aware, never following links.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use globset::{Glob, GlobSet, GlobSetBuilder};
use ignore::{DirEntry, ParallelVisitor, ParallelVisitorBuilder, WalkBuilder, WalkState};

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

/// Entries found by one walk thread, flushed into the shared list when the thread ends.
struct Collector<'a> {
    root: &'a Path,
    entries: Vec<Entry>,
    notices: Vec<Notice>,
    shared: &'a Mutex<Found>,
}

/// What the walk threads found: each thread's entries whole (concatenated once at the end,
/// not appended one thread after another), and the notices.
type Found = (Vec<Vec<Entry>>, Vec<Notice>);

impl ParallelVisitor for Collector<'_> {
    fn visit(&mut self, result: Result<DirEntry, ignore::Error>) -> WalkState {
        match result {
            Ok(entry) => self.visit_entry(&entry),
            Err(err) => self.notices.push(walk_notice(self.root, &err)),
        }
        WalkState::Continue
    }
}

impl Collector<'_> {
    fn visit_entry(&mut self, entry: &DirEntry) {
        if entry.depth() == 0 {
            return;
        }
        let Some(path) = relative(self.root, entry.path()) else {
            return;
        };
        // Only a name that is not UTF-8 was converted (a real U+FFFD in a name is kept); the
        // root's own path does not count. A UTF-8 path, nearly every one, is settled at once.
        let lossy = entry.path().to_str().is_none()
            && entry
                .path()
                .strip_prefix(self.root)
                .is_ok_and(|below| below.to_str().is_none());
        if lossy {
            self.notices.push(Notice {
                path: path.clone(),
                message: "file name is not valid UTF-8; shown with replacement characters"
                    .to_owned(),
            });
        }
        let walked_regular =
            !entry.path_is_symlink() && entry.file_type().is_some_and(|t| t.is_file());
        let kind = if entry.path_is_symlink() {
            let problem = symlink_problem(entry.path()).or_else(|| {
                fs::canonicalize(entry.path())
                    .is_ok_and(|target| !target.starts_with(self.root))
                    .then(|| "symlink to outside the audited folder; not followed".to_owned())
            });
            if let Some(message) = problem {
                self.notices.push(Notice {
                    path: path.clone(),
                    message,
                });
            }
            if links_to_file_inside(self.root, entry.path()) {
                EntryKind::File
            } else {
                EntryKind::Symlink
            }
        } else if entry.file_type().is_some_and(|t| t.is_dir()) {
            EntryKind::Dir
        } else {
            EntryKind::File
        };
        self.entries.push(Entry::new(path, kind, walked_regular));
    }
}

impl Drop for Collector<'_> {
    fn drop(&mut self) {
        if let Ok(mut shared) = self.shared.lock() {
            shared.0.push(std::mem::take(&mut self.entries));
            shared.1.append(&mut self.notices);
        }
    }
}

struct Builder<'a> {
    root: &'a Path,
    shared: &'a Mutex<Found>,
}

impl<'s> ParallelVisitorBuilder<'s> for Builder<'s> {
    fn build(&mut self) -> Box<dyn ParallelVisitor + 's> {
        Box::new(Collector {
            root: self.root,
            entries: Vec::with_capacity(1024),
            notices: Vec::new(),
            shared: self.shared,
        })
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

/// Walk `root`: every entry git would track and `exclude` keeps, plus the notices met on
/// the way.
pub(super) fn walk(
    root: &Path,
    exclude: Option<&Exclude>,
) -> Result<(PathBuf, Vec<Entry>, Vec<Notice>), WalkError> {
    walk_mounted(root, exclude, mounts_inside)
}

/// [`walk`], with the mount points inside the root found by `mounts`.
fn walk_mounted(
    root: &Path,
    exclude: Option<&Exclude>,
    mounts: impl FnOnce(&Path) -> Option<Vec<PathBuf>>,
) -> Result<(PathBuf, Vec<Entry>, Vec<Notice>), WalkError> {
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

    let mounts = mounts(&root);
    // The mount points met, found when their parent folder is read: listed as empty folders,
    // never opened (a stale network mount must not hang the audit).
    let mounted: std::sync::Arc<Mutex<Vec<String>>> = std::sync::Arc::default();
    let skip = mounts
        .clone()
        .filter(|mounts| !mounts.is_empty())
        .map(|mounts| (mounts, root.clone(), std::sync::Arc::clone(&mounted)));
    let threads = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
    let exclude = exclude.cloned().map(|exclude| (exclude, root.clone()));
    let mut builder = WalkBuilder::new(&root);
    builder
        .hidden(false)
        .ignore(false)
        .git_global(false)
        .git_ignore(true)
        .git_exclude(true)
        .require_git(false)
        .parents(true)
        .follow_links(false)
        // A repository is one file system: `squarely audit /` does not wander into /proc,
        // /sys or a mounted volume. Where the system lists its mount points, those inside
        // the root are skipped by path (one read, instead of a `stat` of every folder).
        .same_file_system(mounts.is_none())
        .threads(threads.min(8))
        // `.git` is never part of the tree, nor the journal `organize` keeps outside git (a
        // byte test: `file_name()` parses components).
        .filter_entry(move |entry| {
            let bytes = entry.path().as_os_str().as_encoded_bytes();
            if bytes.ends_with(b"/.git") || bytes.ends_with(b"/.squarely/organize") {
                return false;
            }
            let kept = match &exclude {
                Some((exclude, root)) if entry.depth() > 0 => {
                    relative(root, entry.path()).is_none_or(|path| !exclude.excludes(&path))
                }
                _ => true,
            };
            if let Some((mounts, root, mounted)) = &skip
                && kept
                && entry.file_type().is_some_and(|t| t.is_dir())
                && mounts.iter().any(|mount| mount == entry.path())
            {
                if let (Some(path), Ok(mut mounted)) =
                    (relative(root, entry.path()), mounted.lock())
                {
                    mounted.push(path);
                }
                return false;
            }
            kept
        });
    let shared = Mutex::new((Vec::new(), Vec::new()));
    builder.build_parallel().visit(&mut Builder {
        root: &root,
        shared: &shared,
    });
    let (parts, notices) = shared
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let mounted = mounted
        .lock()
        .map(|paths| paths.clone())
        .unwrap_or_default();
    let mut entries = Vec::with_capacity(parts.iter().map(Vec::len).sum::<usize>() + mounted.len());
    for mut part in parts {
        entries.append(&mut part);
    }
    entries.extend(
        mounted
            .into_iter()
            .map(|path| Entry::new(path, EntryKind::Dir, false)),
    );
    Ok((root, entries, notices))
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

/// A notice for a walk error: which path, and why it was skipped.
fn walk_notice(root: &Path, err: &ignore::Error) -> Notice {
    let mut path = String::new();
    let mut current = err;
    loop {
        match current {
            ignore::Error::WithPath { path: p, err } => {
                if path.is_empty() {
                    path = relative(root, p).unwrap_or_default();
                }
                current = err;
            }
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
                current = err;
            }
            _ => break,
        }
    }
    let message = match current {
        ignore::Error::Io(io) if io.kind() == io::ErrorKind::PermissionDenied => {
            "permission denied; skipped".to_owned()
        }
        ignore::Error::Io(io) => format!("cannot be read: {io}; skipped"),
        ignore::Error::Loop { .. } => "symlink loop; not followed".to_owned(),
        other => format!("{other}; skipped"),
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
        for path in [
            "vendor/lib/a.py",
            "src/app.py",
            "src/gen/schema.generated.ts",
            "src/b.generated.ts",
        ] {
            fs::create_dir_all(root.join(path).parent().unwrap()).unwrap();
            fs::write(root.join(path), "x").unwrap();
        }
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
        for path in ["mnt/volume/data.db", "src/app.py"] {
            fs::create_dir_all(root.join(path).parent().unwrap()).unwrap();
            fs::write(root.join(path), "x").unwrap();
        }
        let (_, mut entries, _) =
            walk_mounted(root, None, |root| Some(vec![root.join("mnt")])).unwrap();
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
