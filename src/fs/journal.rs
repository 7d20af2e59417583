//! Carrying out an organize run on disk, journaled so that it can always be taken back.
//!
//! A [`Run`] is groups of [`Step`]s: file moves (`git mv` for tracked files), new files, edits
//! of whole files, and files taken out of git's index. [`apply`] first checks every step
//! against the disk as it will be when the step runs (nothing is ever overwritten, an edit is
//! refused when the file is not what the plan read), then, step by step, appends to the
//! journal what it takes to take the step back (the original bytes of an edited file, the
//! mode of a moved one, the folders made and emptied), syncs it, carries the step out and
//! marks it done. A failure half-way takes back what was done; a crash leaves a journal that
//! [`undo`] takes back exactly, whatever step was half-done, because each step is taken back
//! by looking at what is on disk.
//!
//! [`undo`] restores names, bytes and modes (and git's index). It first checks every file the
//! run touched and refuses, naming them, when one is no longer what the run left. After a run
//! with [`Commit::Yes`], it also checks that the run's commits are still on top of the branch,
//! takes the files back and resets the branch and index to the commit before the run.
//!
//! Journals live in git's folder (`.git/squarely/organize/run-NNNNNN.jsonl`), invisible and
//! never committed; outside git, in `.squarely/organize/` (which no step may touch). A journal
//! is deleted once its run is taken back.

mod git;
mod record;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fs::{self, Metadata, OpenOptions};
use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

pub use git::{GitStatus, Repository, git_status};

use git::Git;
use record::{Bytes, DirMode, Fingerprint, Header, Line, Record, Writer};

/// One change to the disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Rename a file (`git mv` when git tracks it); parent folders are created, folders it
    /// empties are removed; the target must not exist.
    Move {
        /// The file, relative to the root, `/`-separated.
        from: String,
        /// Where it goes.
        to: String,
    },
    /// Create a file that does not exist; parent folders are created.
    Create {
        /// The new file.
        path: String,
        /// Its bytes.
        contents: Vec<u8>,
    },
    /// Replace a file's bytes, keeping its mode; refused when the file is not `before`.
    Edit {
        /// The file (where it is when the step runs, after earlier moves).
        path: String,
        /// What the plan read.
        before: Vec<u8>,
        /// What to write.
        after: Vec<u8>,
    },
    /// Take a file out of git's index (`git rm --cached`); it stays on disk.
    Untrack {
        /// The file.
        path: String,
    },
}

impl Step {
    /// The paths the step reads or writes.
    fn paths(&self) -> Vec<&str> {
        match self {
            Step::Move { from, to } => vec![from, to],
            Step::Create { path, .. } | Step::Edit { path, .. } | Step::Untrack { path } => {
                vec![path]
            }
        }
    }
}

/// Steps that belong together: one commit with [`Commit::Yes`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// The commit message.
    pub title: String,
    /// The steps, in order.
    pub steps: Vec<Step>,
}

/// Everything one `organize --apply` does, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Run {
    /// The groups, in order.
    pub groups: Vec<Group>,
}

/// Whether each group becomes a git commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Commit {
    /// Leave the changes uncommitted (moves and untracks are staged by git itself).
    No,
    /// After each group, stage what it touched and commit it with the group's title.
    Yes,
}

/// A commit made by [`apply`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitMade {
    /// The group's title.
    pub title: String,
    /// The commit id.
    pub commit: String,
}

/// What [`apply`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    /// The journal that [`undo`] will read.
    pub journal: PathBuf,
    /// Steps carried out.
    pub steps: usize,
    /// Commits made, in order (a group that changed nothing git tracks makes none).
    pub commits: Vec<CommitMade>,
}

/// What [`undo`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Undone {
    /// The journal of the run taken back (now deleted).
    pub journal: PathBuf,
    /// Steps taken back.
    pub steps: usize,
    /// The commit the branch was reset to, when the run had made commits.
    pub reset_to: Option<String>,
}

/// Why a run could not be applied or undone. Every error names the file concerned.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    /// A path is not a plain relative path below the root.
    #[error("{path}: refused: not a plain relative path inside {root}")]
    Escapes {
        /// The path.
        path: String,
        /// The root.
        root: String,
    },
    /// A path belongs to git or to squarely's journal.
    #[error("{path}: refused: {why}")]
    Reserved {
        /// The path.
        path: String,
        /// Whose it is.
        why: &'static str,
    },
    /// A path goes through a symbolic link.
    #[error("{path}: refused: {link} is a symbolic link, and squarely never goes through one")]
    ThroughLink {
        /// The path.
        path: String,
        /// The link on the way.
        link: String,
    },
    /// A file to create or move to exists already.
    #[error("{0}: already exists; squarely never overwrites a file")]
    Exists(String),
    /// A folder needed for a file is a file.
    #[error("{path}: cannot be created: {by} is a file, not a folder")]
    Blocked {
        /// The file to create or move to.
        path: String,
        /// The file in the way.
        by: String,
    },
    /// A file to move or edit does not exist.
    #[error("{0}: no such file")]
    Missing(String),
    /// A file to move or edit is a folder or something else.
    #[error(
        "{0}: not a regular file; squarely moves files and symbolic links and edits regular files"
    )]
    NotAFile(String),
    /// A file to edit is not what the plan read.
    #[error("{0}: changed since the plan was made; nothing was changed, plan again")]
    Changed(String),
    /// A file to untrack is not in git's index.
    #[error("{0}: not tracked by git, so there is nothing to untrack")]
    NotTracked(String),
    /// A file has a merge conflict.
    #[error("{0}: has a merge conflict; resolve it first")]
    Conflicted(String),
    /// Git is needed and the folder is not in a repository.
    #[error("{root}: not in a git repository; {what} needs git")]
    NotGit {
        /// The root.
        root: String,
        /// What needs git.
        what: &'static str,
    },
    /// Committing needs a commit to come back to.
    #[error("{root}: the repository has no commit yet; committing a run needs one to come back to")]
    NoCommits {
        /// The root.
        root: String,
    },
    /// Tracked files have uncommitted changes where the journal needs a clean tree.
    #[error("{root}: tracked files have uncommitted changes ({}); commit or stash them first", .files.join(", "))]
    Dirty {
        /// The root.
        root: String,
        /// The changed files.
        files: Vec<String>,
    },
    /// Another organize run is applying or undoing in this folder right now.
    #[error("{root}: an organize run is in progress in this folder; wait for it to finish")]
    InProgress {
        /// The root.
        root: String,
    },
    /// The last run crashed or could not be taken back.
    #[error(
        "{journal}: the last organize run did not finish; when no other organize run is going on, take it back with `squarely organize --undo`"
    )]
    Unfinished {
        /// Its journal.
        journal: String,
    },
    /// There is no journal for this folder.
    #[error("{root}: nothing to undo: no organize run is recorded for this folder")]
    NothingToUndo {
        /// The root.
        root: String,
    },
    /// Files changed after the run: undoing would overwrite them.
    #[error("{root}: refusing to undo, these changed after the run: {}; squarely will not overwrite them: put them back as the run left them (or move them aside) and undo again", .files.join(", "))]
    ChangedSinceApply {
        /// The root.
        root: String,
        /// The changed files.
        files: Vec<String>,
    },
    /// The run's commits are no longer on top of the branch.
    #[error("{root}: HEAD is {found}, no longer the run's last commit {expected}; undo only takes back its own commits on top of the branch: use `git revert {}` instead", .commits.join(" "))]
    CommitsMoved {
        /// The root.
        root: String,
        /// `HEAD` now.
        found: String,
        /// The run's last commit.
        expected: String,
        /// The run's commits, newest first.
        commits: Vec<String>,
    },
    /// A journal cannot be read.
    #[error("{journal}: line {line}: not a journal squarely can read: {why}")]
    BadJournal {
        /// The journal file.
        journal: String,
        /// 1-based line (0 when writing).
        line: usize,
        /// What is wrong.
        why: String,
    },
    /// The operating system refused.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: String,
        /// Why.
        source: io::Error,
    },
    /// A git command failed.
    #[error("{root}: {command} failed: {message}")]
    Git {
        /// The root.
        root: String,
        /// The command.
        command: String,
        /// What git said.
        message: String,
    },
    /// A step failed half-way, and everything done before it was taken back.
    #[error("{source}; everything the run had done was taken back")]
    RolledBack {
        /// The failure.
        source: Box<JournalError>,
    },
    /// A step failed half-way, and taking the run back failed too.
    #[error(
        "{source}; taking the run back failed too ({rollback}); its journal {journal} is kept, so undo can be tried again"
    )]
    RollbackFailed {
        /// The failure.
        source: Box<JournalError>,
        /// Why taking back failed.
        rollback: Box<JournalError>,
        /// The journal kept.
        journal: String,
    },
}

/// Carry `run` out in `root`, journaled; with [`Commit::Yes`], one commit per group.
///
/// Every step is checked before the first change. `crash_after: Some(n)` aborts the process
/// right after the `n`-th step (1-based; `Some(0)`: right after the journal is created), to
/// test crash recovery.
pub fn apply(
    root: &Path,
    run: &Run,
    commit: Commit,
    crash_after: Option<usize>,
) -> Result<Applied, JournalError> {
    let root = canonical(root)?;
    let shown_root = root.display().to_string();
    let _lock = RunLock::take(&root)?;
    let git = Git::open(&root)?;
    let dir = journal_dir(&root, git.as_ref())?;
    drop_empty_journals(&dir)?;
    if let Some(journal) = newest_journal(&dir, &root)?
        && !record::read(&journal)?
            .iter()
            .any(|line| matches!(line, Line::Finished {}))
    {
        return Err(JournalError::Unfinished {
            journal: journal.display().to_string(),
        });
    }
    let head_before = match &git {
        Some(git) => git.head()?,
        None => None,
    };
    if commit == Commit::Yes {
        let Some(git) = &git else {
            return Err(JournalError::NotGit {
                root: shown_root,
                what: "committing",
            });
        };
        if head_before.is_none() {
            return Err(JournalError::NoCommits { root: shown_root });
        }
        let (changed, _) = git.status()?;
        if !changed.is_empty() {
            return Err(JournalError::Dirty {
                root: shown_root,
                files: changed,
            });
        }
    }
    let index = match &git {
        Some(git) => Some(git.index()?),
        None => None,
    };
    check(&root, run, index.as_ref())?;

    let index_before = match &index {
        Some(index) if commit == Commit::No => run
            .groups
            .iter()
            .flat_map(|group| &group.steps)
            .flat_map(Step::paths)
            .map(|path| (path.to_owned(), index.entries.get(path).cloned()))
            .collect(),
        _ => BTreeMap::new(),
    };
    let mut writer = Writer::create(&dir)?;
    let started_unix = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    writer.append(
        &Line::Header(Header {
            version: record::VERSION,
            root: shown_root,
            git: git.is_some(),
            commit: commit == Commit::Yes,
            head_before: head_before.clone(),
            started_unix,
            index_before,
        }),
        true,
    )?;
    if crash_after == Some(0) {
        std::process::abort();
    }
    let journal = writer.path().to_path_buf();
    let mut applier = Applier {
        root: &root,
        git: git.as_ref(),
        seq: writer.seq(),
        writer,
        tracked: index
            .map(|index| index.entries.into_keys().collect())
            .unwrap_or_default(),
        origins: HashMap::new(),
        head_before,
        commit,
        crash_after,
        steps: 0,
        commits: Vec::new(),
    };
    match applier.run(run) {
        Ok(()) => {
            applier.writer.append(&Line::Finished {}, true)?;
            Ok(Applied {
                journal,
                steps: applier.steps,
                commits: applier.commits,
            })
        }
        Err(source) => {
            drop(applier);
            match revert(&root, git.as_ref(), &journal) {
                Ok(_) => Err(JournalError::RolledBack {
                    source: Box::new(source),
                }),
                Err(rollback) => Err(JournalError::RollbackFailed {
                    source: Box::new(source),
                    rollback: Box::new(rollback),
                    journal: journal.display().to_string(),
                }),
            }
        }
    }
}

/// Take back the last run applied (or crashed) in `root`, exactly.
pub fn undo(root: &Path) -> Result<Undone, JournalError> {
    let root = canonical(root)?;
    let _lock = RunLock::take(&root)?;
    let git = Git::open(&root)?;
    let dir = journal_dir(&root, git.as_ref())?;
    drop_empty_journals(&dir)?;
    let Some(journal) = newest_journal(&dir, &root)? else {
        return Err(JournalError::NothingToUndo {
            root: root.display().to_string(),
        });
    };
    if let Some(git) = &git {
        clear_stale_git_locks(git, &journal)?;
    }
    revert(&root, git.as_ref(), &journal)
}

/// The one organize run going on in a folder: an exclusive advisory lock on the folder itself,
/// held from the first check to the last write, and released by the system when the process
/// ends however it ends (so a crash never leaves a stale lock). `--undo` started while
/// `--apply` runs is refused instead of taking back a half-written journal.
struct RunLock {
    #[cfg(unix)]
    _folder: fs::File,
}

impl RunLock {
    fn take(root: &Path) -> Result<RunLock, JournalError> {
        #[cfg(unix)]
        {
            let folder = fs::File::open(root).map_err(|source| io_error(root, source))?;
            // A process forked at the wrong moment holds the lock until it runs its program
            // (milliseconds, longer on a loaded machine): three seconds are waited before a
            // run is taken to be going on.
            for _ in 0..150 {
                match folder.try_lock() {
                    Ok(()) => return Ok(RunLock { _folder: folder }),
                    Err(fs::TryLockError::WouldBlock) => {
                        std::thread::sleep(std::time::Duration::from_millis(20));
                    }
                    Err(fs::TryLockError::Error(source)) => return Err(io_error(root, source)),
                }
            }
            Err(JournalError::InProgress {
                root: root.display().to_string(),
            })
        }
        #[cfg(not(unix))]
        {
            let _ = root;
            Ok(RunLock {})
        }
    }
}

/// A journal with nothing in it (a run killed before its first line) records nothing: it is
/// removed. Journals of other folders of the same repository share the journal folder, so
/// only one that has stayed empty for a while is taken for a dead run's.
fn drop_empty_journals(dir: &Path) -> Result<(), JournalError> {
    for (_, journal) in record::list(dir)? {
        let stale_and_empty = fs::metadata(&journal).is_ok_and(|meta| {
            meta.len() == 0
                && meta
                    .modified()
                    .is_ok_and(|when| when.elapsed().is_ok_and(|age| age.as_secs() >= 10))
        });
        if stale_and_empty {
            fs::remove_file(&journal).map_err(|source| io_error(&journal, source))?;
        }
    }
    Ok(())
}

/// Git's own lock files left by a git command killed with its organize run (`index.lock`,
/// `HEAD.lock`, `refs/heads/*.lock`). Git writes no owner into them, so a lock counts as the
/// dead run's only when it was made while that run was writing its journal (between its start
/// and a few seconds after the journal's last change); with the run lock held no organize run
/// is alive. A git child that outlived its run is given three seconds to finish; a lock made
/// by anything else is left to git, which names it.
fn clear_stale_git_locks(git: &Git, journal: &Path) -> Result<(), JournalError> {
    let Some(Line::Header(header)) = record::read(journal)?.into_iter().next() else {
        return Ok(());
    };
    let Ok(last_write) = fs::metadata(journal).and_then(|meta| meta.modified()) else {
        return Ok(());
    };
    let started = UNIX_EPOCH + std::time::Duration::from_secs(header.started_unix);
    let ours = |lock: &Path| {
        fs::symlink_metadata(lock)
            .and_then(|meta| meta.modified())
            .is_ok_and(|made| {
                made + std::time::Duration::from_secs(1) >= started
                    && made <= last_write + std::time::Duration::from_secs(5)
            })
    };
    let mut locks = vec![git.dir.join("index.lock"), git.dir.join("HEAD.lock")];
    if let Ok(walk) = fs::read_dir(git.dir.join("refs/heads")) {
        locks.extend(
            walk.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "lock")),
        );
    }
    for lock in locks.iter().filter(|lock| ours(lock)) {
        for _ in 0..30 {
            if fs::symlink_metadata(lock).is_err() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        if ours(lock) {
            fs::remove_file(lock).map_err(|source| io_error(lock, source))?;
        }
    }
    Ok(())
}

/// Where the journals of `root` live. A folder on the way that is a symbolic link (a
/// `.squarely -> /elsewhere` planted in the repository) is refused: the journal holds the
/// original contents, and undo deletes what it lists, so it is never kept through a link.
fn journal_dir(root: &Path, git: Option<&Git>) -> Result<PathBuf, JournalError> {
    let (base, parts) = match git {
        Some(git) => (git.dir.clone(), ["squarely", "organize"]),
        None => (root.to_path_buf(), [".squarely", "organize"]),
    };
    let mut dir = base;
    for part in parts {
        dir.push(part);
        if dir
            .symlink_metadata()
            .is_ok_and(|meta| !meta.file_type().is_dir())
        {
            return Err(io_error(
                &dir,
                io::Error::other(
                    "not a real folder (a symbolic link or a file); the organize journal is never kept there",
                ),
            ));
        }
    }
    Ok(dir)
}

/// The newest journal in `dir` recorded for `root`.
fn newest_journal(dir: &Path, root: &Path) -> Result<Option<PathBuf>, JournalError> {
    let root = root.display().to_string();
    for (_, path) in record::list(dir)?.into_iter().rev() {
        if let Some(Line::Header(header)) = record::read(&path)?.first()
            && header.root == root
        {
            return Ok(Some(path));
        }
    }
    Ok(None)
}

fn canonical(root: &Path) -> Result<PathBuf, JournalError> {
    let root = fs::canonicalize(root).map_err(|source| io_error(root, source))?;
    if !root.is_dir() {
        return Err(io_error(
            &root,
            io::Error::new(io::ErrorKind::NotADirectory, "not a folder"),
        ));
    }
    Ok(root)
}

/// The state of a path during the check, as the run will have left it so far.
#[derive(Debug, Clone, Copy)]
enum Seen<'a> {
    Absent,
    /// A file that is on disk at this path now.
    Disk {
        path: &'a str,
        link: bool,
    },
    /// A file the run wrote.
    Bytes(&'a [u8]),
    Dir,
    Other,
}

/// Check every step against the disk as the earlier steps will leave it.
fn check(root: &Path, run: &Run, index: Option<&git::Index>) -> Result<(), JournalError> {
    let mut checker = Checker {
        root,
        files: HashMap::new(),
        dirs: HashSet::new(),
        tracked: index.map(|index| index.entries.keys().cloned().collect()),
        conflicted: index
            .map(|index| index.conflicted.iter().cloned().collect())
            .unwrap_or_default(),
    };
    for step in run.groups.iter().flat_map(|group| &group.steps) {
        checker.step(step)?;
    }
    Ok(())
}

struct Checker<'a> {
    root: &'a Path,
    files: HashMap<&'a str, Seen<'a>>,
    dirs: HashSet<&'a str>,
    tracked: Option<BTreeSet<String>>,
    conflicted: HashSet<String>,
}

impl<'a> Checker<'a> {
    fn step(&mut self, step: &'a Step) -> Result<(), JournalError> {
        match step {
            Step::Move { from, to } => {
                self.path(from)?;
                self.path(to)?;
                match self.seen(from)? {
                    Seen::Disk { .. } | Seen::Bytes(_) => {}
                    Seen::Absent => return Err(JournalError::Missing(from.clone())),
                    Seen::Dir | Seen::Other => return Err(JournalError::NotAFile(from.clone())),
                }
                self.vacant(to)?;
                let file = self.seen(from)?;
                self.files.insert(from, Seen::Absent);
                self.put(to, file);
                if let Some(tracked) = &mut self.tracked
                    && tracked.remove(from.as_str())
                {
                    tracked.insert(to.clone());
                }
            }
            Step::Create { path, contents } => {
                self.path(path)?;
                self.vacant(path)?;
                self.put(path, Seen::Bytes(contents));
            }
            Step::Edit {
                path,
                before,
                after,
            } => {
                self.path(path)?;
                let now = match self.seen(path)? {
                    Seen::Bytes(bytes) => bytes.to_vec(),
                    Seen::Disk {
                        path: at,
                        link: false,
                    } => {
                        let file = self.root.join(at);
                        fs::read(&file).map_err(|source| io_error(&file, source))?
                    }
                    Seen::Absent => return Err(JournalError::Missing(path.clone())),
                    Seen::Disk { link: true, .. } | Seen::Dir | Seen::Other => {
                        return Err(JournalError::NotAFile(path.clone()));
                    }
                };
                if now != *before {
                    return Err(JournalError::Changed(path.clone()));
                }
                self.files.insert(path, Seen::Bytes(after));
            }
            Step::Untrack { path } => {
                self.path(path)?;
                let Some(tracked) = &mut self.tracked else {
                    return Err(JournalError::NotGit {
                        root: self.root.display().to_string(),
                        what: "untracking a file",
                    });
                };
                if !tracked.remove(path.as_str()) {
                    return Err(JournalError::NotTracked(path.clone()));
                }
            }
        }
        Ok(())
    }

    /// A plain relative path, outside `.git` and the journal, not through a symbolic link.
    fn path(&self, path: &'a str) -> Result<(), JournalError> {
        let plain = !path.is_empty()
            && !path.contains('\0')
            && path.split('/').all(|part| {
                !part.is_empty()
                    && Path::new(part)
                        .components()
                        .all(|c| matches!(c, Component::Normal(_)))
                    && Path::new(part).components().count() == 1
            });
        if !plain {
            return Err(JournalError::Escapes {
                path: path.to_owned(),
                root: self.root.display().to_string(),
            });
        }
        if path.split('/').any(|part| part == ".git") {
            return Err(JournalError::Reserved {
                path: path.to_owned(),
                why: "it belongs to git",
            });
        }
        if path == ".squarely/organize" || path.starts_with(".squarely/organize/") {
            return Err(JournalError::Reserved {
                path: path.to_owned(),
                why: "squarely's journal lives there",
            });
        }
        if self.conflicted.contains(path) {
            return Err(JournalError::Conflicted(path.to_owned()));
        }
        for dir in ancestors(path) {
            if let Seen::Disk { link: true, .. } = self.seen(dir)? {
                return Err(JournalError::ThroughLink {
                    path: path.to_owned(),
                    link: dir.to_owned(),
                });
            }
        }
        Ok(())
    }

    /// Nothing at `path`, and nothing but folders above it.
    fn vacant(&self, path: &'a str) -> Result<(), JournalError> {
        if !matches!(self.seen(path)?, Seen::Absent) {
            return Err(JournalError::Exists(path.to_owned()));
        }
        for dir in ancestors(path) {
            match self.seen(dir)? {
                Seen::Absent | Seen::Dir => {}
                _ => {
                    return Err(JournalError::Blocked {
                        path: path.to_owned(),
                        by: dir.to_owned(),
                    });
                }
            }
        }
        Ok(())
    }

    fn put(&mut self, path: &'a str, file: Seen<'a>) {
        self.files.insert(path, file);
        self.dirs.extend(ancestors(path));
    }

    fn seen(&self, path: &'a str) -> Result<Seen<'a>, JournalError> {
        if let Some(seen) = self.files.get(path) {
            return Ok(*seen);
        }
        if self.dirs.contains(path) {
            return Ok(Seen::Dir);
        }
        let full = self.root.join(path);
        Ok(
            match lstat(&full).map_err(|source| io_error(&full, source))? {
                None => Seen::Absent,
                Some(meta) if meta.is_file() => Seen::Disk { path, link: false },
                Some(meta) if meta.file_type().is_symlink() => Seen::Disk { path, link: true },
                Some(meta) if meta.is_dir() => Seen::Dir,
                Some(_) => Seen::Other,
            },
        )
    }
}

/// The folders above `path`, outermost first (`a`, `a/b` for `a/b/c`).
fn ancestors(path: &str) -> impl Iterator<Item = &str> {
    path.match_indices('/').map(move |(at, _)| &path[..at])
}

/// Carries the steps out, journaling each.
struct Applier<'a> {
    root: &'a Path,
    git: Option<&'a Git>,
    writer: Writer,
    seq: u64,
    /// Paths in git's index as the run goes.
    tracked: BTreeSet<String>,
    /// Where each file the run moved was before the run.
    origins: HashMap<String, String>,
    /// `HEAD` before the run.
    head_before: Option<String>,
    commit: Commit,
    crash_after: Option<usize>,
    steps: usize,
    commits: Vec<CommitMade>,
}

impl Applier<'_> {
    fn run(&mut self, run: &Run) -> Result<(), JournalError> {
        for (group_index, group) in run.groups.iter().enumerate() {
            // Files this group created or edited that git should commit, where they are now.
            let mut to_add = BTreeSet::new();
            for step in &group.steps {
                let record = self.prepare(step)?;
                self.writer.append(
                    &Line::Begin {
                        step: self.steps,
                        group: group_index,
                        record: record.clone(),
                    },
                    true,
                )?;
                self.perform(&record, step)?;
                self.writer
                    .append(&Line::Done { step: self.steps }, false)?;
                match step {
                    Step::Create { path, .. } => {
                        to_add.insert(path.clone());
                    }
                    Step::Edit { path, .. } => {
                        if self.tracked.contains(path) {
                            to_add.insert(path.clone());
                        }
                    }
                    Step::Move { from, to } => {
                        if to_add.remove(from) {
                            to_add.insert(to.clone());
                        }
                    }
                    Step::Untrack { path } => {
                        to_add.remove(path);
                    }
                }
                self.steps += 1;
                if self.crash_after == Some(self.steps) {
                    std::process::abort();
                }
            }
            if self.commit == Commit::Yes
                && let Some(git) = self.git
            {
                self.commit_group(git, group_index, &group.title, to_add)?;
            }
        }
        Ok(())
    }

    /// What the step will do, read from the disk just before it.
    fn prepare(&self, step: &Step) -> Result<Record, JournalError> {
        Ok(match step {
            Step::Move { from, to } => Record::Move {
                from: from.clone(),
                to: to.clone(),
                tracked: self.git.is_some() && self.tracked.contains(from),
                file: match found(self.root, from)? {
                    Found::File(file) => file,
                    Found::Absent => return Err(JournalError::Missing(from.clone())),
                    Found::Other => return Err(JournalError::NotAFile(from.clone())),
                },
                from_dirs: ancestors(from)
                    .map(|dir| {
                        let full = self.root.join(dir);
                        let meta = fs::symlink_metadata(&full)
                            .map_err(|source| io_error(&full, source))?;
                        Ok(DirMode {
                            path: dir.to_owned(),
                            mode: mode_of(&meta),
                        })
                    })
                    .collect::<Result<_, JournalError>>()?,
                made_dirs: self.missing_dirs(to)?,
            },
            Step::Create { path, contents } => Record::Create {
                path: path.clone(),
                file: Fingerprint::of(contents, None),
                temp: self.temp(path),
                made_dirs: self.missing_dirs(path)?,
            },
            Step::Edit {
                path,
                before,
                after,
            } => {
                let full = self.root.join(path);
                let meta = fs::symlink_metadata(&full).map_err(|source| step_io(path, source))?;
                let mode = mode_of(&meta);
                Record::Edit {
                    path: path.clone(),
                    before: Bytes(before.clone()),
                    mode,
                    after: Fingerprint::of(after, Some(mode)),
                    temp: self.temp(path),
                }
            }
            Step::Untrack { path } => {
                let entry = match self.git {
                    Some(git) => git.entry(path)?,
                    None => None,
                };
                let Some(entry) = entry else {
                    return Err(JournalError::NotTracked(path.clone()));
                };
                Record::Untrack {
                    path: path.clone(),
                    index_mode: entry.mode,
                    object: entry.object,
                }
            }
        })
    }

    fn perform(&mut self, record: &Record, step: &Step) -> Result<(), JournalError> {
        match (record, step) {
            (
                Record::Move {
                    from,
                    to,
                    tracked,
                    from_dirs,
                    made_dirs,
                    ..
                },
                _,
            ) => {
                make_dirs(self.root, made_dirs)?;
                if lstat(&self.root.join(to))
                    .map_err(|source| step_io(to, source))?
                    .is_some()
                {
                    return Err(JournalError::Exists(to.clone()));
                }
                let origin = self.origins.remove(from).unwrap_or_else(|| from.clone());
                self.origins.insert(to.clone(), origin);
                match self.git {
                    Some(git) if *tracked => {
                        git.mv(from, to)?;
                        self.tracked.remove(from);
                        self.tracked.insert(to.clone());
                    }
                    _ => fs::rename(self.root.join(from), self.root.join(to))
                        .map_err(|source| step_io(from, source))?,
                }
                // Folders the move emptied go, deepest first, as git would not keep them.
                for dir in from_dirs.iter().rev() {
                    if fs::remove_dir(self.root.join(&dir.path)).is_err() {
                        break;
                    }
                }
            }
            (
                Record::Create {
                    path,
                    temp,
                    made_dirs,
                    ..
                },
                Step::Create { contents, .. },
            ) => {
                make_dirs(self.root, made_dirs)?;
                write_through(self.root, path, temp, contents, None, Replace::No)?;
            }
            (
                Record::Edit {
                    path, temp, mode, ..
                },
                Step::Edit { before, after, .. },
            ) => {
                let now = fs::read(self.root.join(path)).map_err(|source| step_io(path, source))?;
                if now != *before {
                    return Err(JournalError::Changed(path.clone()));
                }
                write_through(self.root, path, temp, after, Some(*mode), Replace::Yes)?;
            }
            (Record::Untrack { path, object, .. }, _) => {
                if let Some(git) = self.git {
                    self.untrack(git, path, object)?;
                }
                self.tracked.remove(path);
            }
            (Record::Create { .. } | Record::Edit { .. }, _) => {
                unreachable!("a record is prepared from its own step")
            }
        }
        Ok(())
    }

    /// `git rm --cached`. Git refuses when the index holds content that is neither the file
    /// nor `HEAD`'s: after this run moved and edited the file, that content is the file as
    /// committed before the run, so nothing is lost and the untrack goes ahead. Content the
    /// user staged and never committed is still refused.
    fn untrack(&self, git: &Git, path: &str, object: &str) -> Result<(), JournalError> {
        let Err(refused) = git.rm_cached(path, false) else {
            return Ok(());
        };
        let origin = self.origins.get(path).map_or(path, String::as_str);
        let committed = git.blob("HEAD", path)?.as_deref() == Some(object)
            || match &self.head_before {
                Some(head) => git.blob(head, origin)?.as_deref() == Some(object),
                None => false,
            };
        if committed {
            git.rm_cached(path, true)
        } else {
            Err(refused)
        }
    }

    /// Stage what the group created or edited (unless git ignores it) and commit the index.
    fn commit_group(
        &mut self,
        git: &Git,
        group: usize,
        title: &str,
        to_add: BTreeSet<String>,
    ) -> Result<(), JournalError> {
        let to_add: Vec<String> = to_add.into_iter().collect();
        let ignored: HashSet<String> = git.ignored(&to_add)?.into_iter().collect();
        let to_add: Vec<String> = to_add
            .into_iter()
            .filter(|path| !ignored.contains(path))
            .collect();
        git.add(&to_add)?;
        self.tracked.extend(to_add);
        if !git.has_staged()? {
            return Ok(());
        }
        let parent = git.head()?.unwrap_or_default();
        self.writer.append(
            &Line::Committing {
                group,
                parent,
                title: title.to_owned(),
            },
            true,
        )?;
        let commit = git.commit(title)?;
        self.writer.append(
            &Line::Committed {
                group,
                commit: commit.clone(),
            },
            true,
        )?;
        self.commits.push(CommitMade {
            title: title.to_owned(),
            commit,
        });
        Ok(())
    }

    /// The folders above `path` that do not exist yet, outermost first.
    fn missing_dirs(&self, path: &str) -> Result<Vec<String>, JournalError> {
        let mut missing = Vec::new();
        for dir in ancestors(path) {
            let full = self.root.join(dir);
            if lstat(&full)
                .map_err(|source| io_error(&full, source))?
                .is_none()
            {
                missing.push(dir.to_owned());
            }
        }
        Ok(missing)
    }

    /// The temporary file written before it replaces `path`.
    fn temp(&self, path: &str) -> String {
        let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
        let temp = format!(".{name}.squarely-{}-{}.tmp", self.seq, self.steps);
        if dir.is_empty() {
            temp
        } else {
            format!("{dir}/{temp}")
        }
    }
}

/// Whether writing through a temporary file may replace an existing file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Replace {
    No,
    Yes,
}

/// Write `bytes` to the new file `temp`, sync it, then rename it to `path`.
fn write_through(
    root: &Path,
    path: &str,
    temp: &str,
    bytes: &[u8],
    mode: Option<u32>,
    replace: Replace,
) -> Result<(), JournalError> {
    let (full, full_temp) = (root.join(path), root.join(temp));
    let result = (|| {
        let mut out = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&full_temp)
            .map_err(|source| step_io(temp, source))?;
        out.write_all(bytes)
            .and_then(|()| match mode {
                Some(mode) => set_mode(&full_temp, mode),
                None => Ok(()),
            })
            .and_then(|()| out.sync_all())
            .map_err(|source| step_io(temp, source))?;
        if replace == Replace::No
            && lstat(&full)
                .map_err(|source| step_io(path, source))?
                .is_some()
        {
            return Err(JournalError::Exists(path.to_owned()));
        }
        fs::rename(&full_temp, &full).map_err(|source| step_io(path, source))
    })();
    if result.is_err() {
        let _ = fs::remove_file(&full_temp);
    }
    result
}

/// Create folders (outermost first) that do not exist yet.
fn make_dirs(root: &Path, dirs: &[String]) -> Result<(), JournalError> {
    for dir in dirs {
        match fs::create_dir(root.join(dir)) {
            Ok(()) => {}
            Err(err) if err.kind() == io::ErrorKind::AlreadyExists => {}
            Err(source) => return Err(step_io(dir, source)),
        }
    }
    Ok(())
}

/// Remove folders (deepest first) the run made, when they are empty.
fn remove_made_dirs(root: &Path, dirs: &[String]) {
    for dir in dirs.iter().rev() {
        let _ = fs::remove_dir(root.join(dir));
    }
}

/// A journal read back.
struct Journal {
    header: Header,
    /// Begun steps, in order, with whether they finished.
    steps: Vec<(usize, Record, bool)>,
    reverted: BTreeSet<usize>,
    /// Commits made, in order.
    committed: Vec<String>,
    /// A commit about to be made whose outcome is not recorded: `(parent, title)`.
    pending: Option<(String, String)>,
}

fn parse_journal(path: &Path, lines: Vec<Line>) -> Result<Journal, JournalError> {
    let bad = |why: &str| JournalError::BadJournal {
        journal: path.display().to_string(),
        line: 1,
        why: why.to_owned(),
    };
    let mut lines = lines.into_iter();
    let Some(Line::Header(header)) = lines.next() else {
        return Err(bad("no header"));
    };
    if header.version != record::VERSION {
        return Err(bad(&format!(
            "version {} (this squarely reads version {})",
            header.version,
            record::VERSION
        )));
    }
    let mut journal = Journal {
        header,
        steps: Vec::new(),
        reverted: BTreeSet::new(),
        committed: Vec::new(),
        pending: None,
    };
    for line in lines {
        match line {
            Line::Begin { step, record, .. } => journal.steps.push((step, record, false)),
            Line::Done { step } => {
                if let Some(begun) = journal.steps.iter_mut().find(|(n, ..)| *n == step) {
                    begun.2 = true;
                }
            }
            Line::Committing { parent, title, .. } => journal.pending = Some((parent, title)),
            Line::Committed { commit, .. } => {
                journal.pending = None;
                journal.committed.push(commit);
            }
            Line::Reverted { step } => {
                journal.reverted.insert(step);
            }
            Line::Header(_) => return Err(bad("a second header")),
            Line::Finished {} => {}
        }
    }
    Ok(journal)
}

/// Take back the run recorded in `journal` and delete the journal.
fn revert(root: &Path, git: Option<&Git>, journal_path: &Path) -> Result<Undone, JournalError> {
    let shown_root = root.display().to_string();
    let journal = parse_journal(journal_path, record::read(journal_path)?)?;
    let git = match (journal.header.git, git) {
        (true, Some(git)) => Some(git),
        (true, None) => {
            return Err(JournalError::NotGit {
                root: shown_root,
                what: "taking back a run made in a git repository",
            });
        }
        (false, _) => None,
    };
    let effective: Vec<&(usize, Record, bool)> = journal
        .steps
        .iter()
        .filter(|(step, ..)| !journal.reverted.contains(step))
        .collect();

    // Check everything before the first change.
    let mut reset_to = None;
    if journal.header.commit {
        let git = git.ok_or_else(|| JournalError::NotGit {
            root: shown_root.clone(),
            what: "taking back commits",
        })?;
        let head_before = journal.header.head_before.clone().unwrap_or_default();
        check_head(root, git, &journal, &head_before)?;
        let touched: HashSet<&str> = journal
            .steps
            .iter()
            .flat_map(|(_, record, _)| record.paths())
            .collect();
        let (changed, _) = git.status()?;
        let outside: Vec<String> = changed
            .into_iter()
            .filter(|path| !touched.contains(path.as_str()))
            .collect();
        if !outside.is_empty() {
            return Err(JournalError::Dirty {
                root: shown_root,
                files: outside,
            });
        }
        if git.head()?.as_deref() != Some(head_before.as_str()) {
            reset_to = Some(head_before);
        }
    }
    let changed = changed_since(root, &effective)?;
    if !changed.is_empty() {
        return Err(JournalError::ChangedSinceApply {
            root: shown_root,
            files: changed,
        });
    }

    let mut writer = Writer::open(journal_path)?;
    let mut tracked: BTreeSet<String> = match git {
        Some(git) => git.index()?.entries.into_keys().collect(),
        None => BTreeSet::new(),
    };
    for (step, record, _) in effective.iter().rev() {
        revert_step(root, git, record, &mut tracked)?;
        writer.append(&Line::Reverted { step: *step }, false)?;
    }
    if journal.header.commit
        && let (Some(git), Some(head_before)) = (git, &journal.header.head_before)
    {
        git.reset_mixed(head_before)?;
    } else if let Some(git) = git
        && !journal.header.index_before.is_empty()
    {
        // The index must say what it said before the run for every path the run touched:
        // a step that failed half-way (a full disk) can leave `git mv` done in the index and
        // undone on disk, and the next commit would delete the file.
        let now = git.index()?.entries;
        for (path, before) in &journal.header.index_before {
            match (before, now.get(path)) {
                (Some(before), now) if now != Some(before) => git.restore_entry(path, before)?,
                (None, Some(_)) => git.rm_cached(path, true)?,
                _ => {}
            }
        }
    }
    drop(writer);
    fs::remove_file(journal_path).map_err(|source| io_error(journal_path, source))?;
    // The journal folders go when empty (outside git they are in the user's tree).
    if let Some(organize) = journal_path.parent() {
        for dir in organize.ancestors().take(2) {
            if fs::remove_dir(dir).is_err() {
                break;
            }
        }
    }
    Ok(Undone {
        journal: journal_path.to_path_buf(),
        steps: effective.len(),
        reset_to,
    })
}

/// `HEAD` must be the run's last commit (or, after a crash while committing, the commit the
/// run was making).
fn check_head(
    root: &Path,
    git: &Git,
    journal: &Journal,
    head_before: &str,
) -> Result<(), JournalError> {
    let head = git.head()?.unwrap_or_default();
    let expected = journal.committed.last().map_or(head_before, String::as_str);
    if head == expected {
        return Ok(());
    }
    if let Some((parent, title)) = &journal.pending
        && parent == expected
    {
        let (parents, subject) = git.head_commit()?;
        if parents == [parent.clone()] && subject == *title {
            return Ok(());
        }
    }
    let mut commits = journal.committed.clone();
    commits.reverse();
    Err(JournalError::CommitsMoved {
        root: root.display().to_string(),
        found: head,
        expected: expected.to_owned(),
        commits,
    })
}

/// What is at a path on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Found {
    Absent,
    File(Fingerprint),
    Other,
}

/// A path and what should be there (`None`: nothing).
type State<'a> = (&'a str, Option<Fingerprint>);

/// The paths the run touched that are no longer what it left (the last step counts as left
/// either way: it may have been cut short by a crash).
fn changed_since(
    root: &Path,
    effective: &[&(usize, Record, bool)],
) -> Result<Vec<String>, JournalError> {
    let mut expected: BTreeMap<&str, Vec<Option<Fingerprint>>> = BTreeMap::new();
    for (n, (_, record, _)) in effective.iter().enumerate() {
        let last = n + 1 == effective.len();
        let (before, after): (Vec<State>, Vec<State>) = match record {
            Record::Move { from, to, file, .. } => (
                vec![(from, Some(file.clone())), (to, None)],
                vec![(from, None), (to, Some(file.clone()))],
            ),
            Record::Create { path, file, .. } => {
                (vec![(path, None)], vec![(path, Some(file.clone()))])
            }
            Record::Edit {
                path,
                before,
                mode,
                after,
                ..
            } => (
                vec![(path, Some(Fingerprint::of(&before.0, Some(*mode))))],
                vec![(path, Some(after.clone()))],
            ),
            Record::Untrack { .. } => (Vec::new(), Vec::new()),
        };
        for (path, state) in after {
            let mut accepted = vec![state];
            if last && let Some((_, was)) = before.iter().find(|(p, _)| *p == path) {
                accepted.push(was.clone());
            }
            expected.insert(path, accepted);
        }
    }
    let mut changed = Vec::new();
    for (path, accepted) in expected {
        let now = found(root, path)?;
        let ok = accepted.iter().any(|state| match (state, &now) {
            (None, Found::Absent) => true,
            (Some(want), Found::File(got)) => want.matches(got),
            _ => false,
        });
        if !ok {
            changed.push(path.to_owned());
        }
    }
    // A move cut short is at one place or the other, never at both: a file at the place it
    // would go back to is in the way.
    if let Some((_, Record::Move { from, to, .. }, _)) = effective.last()
        && !changed.contains(from)
        && !changed.contains(to)
        && found(root, from)? != Found::Absent
        && found(root, to)? != Found::Absent
    {
        changed.push(from.clone());
        changed.sort();
    }
    Ok(changed)
}

/// Take one step back, by looking at what is on disk (so a half-done step is fine too).
fn revert_step(
    root: &Path,
    git: Option<&Git>,
    record: &Record,
    tracked: &mut BTreeSet<String>,
) -> Result<(), JournalError> {
    let exists = |path: &str| -> Result<bool, JournalError> {
        Ok(lstat(&root.join(path))
            .map_err(|source| step_io(path, source))?
            .is_some())
    };
    match record {
        Record::Move {
            from,
            to,
            file,
            from_dirs,
            made_dirs,
            ..
        } => {
            if exists(to)? && !exists(from)? {
                for dir in from_dirs {
                    let full = root.join(&dir.path);
                    match fs::create_dir(&full) {
                        Ok(()) => set_mode(&full, dir.mode)
                            .map_err(|source| step_io(&dir.path, source))?,
                        Err(err) if err.kind() == io::ErrorKind::AlreadyExists => {}
                        Err(source) => return Err(step_io(&dir.path, source)),
                    }
                }
                match git {
                    Some(git) if tracked.contains(to) => {
                        git.mv(to, from)?;
                        tracked.remove(to);
                        tracked.insert(from.clone());
                    }
                    _ => fs::rename(root.join(to), root.join(from))
                        .map_err(|source| step_io(to, source))?,
                }
                if let (false, Some(mode)) = (file.link, file.mode) {
                    set_mode(&root.join(from), mode).map_err(|source| step_io(from, source))?;
                }
            }
            remove_made_dirs(root, made_dirs);
        }
        Record::Create {
            path,
            temp,
            made_dirs,
            ..
        } => {
            remove_if_there(root, temp)?;
            remove_if_there(root, path)?;
            remove_made_dirs(root, made_dirs);
        }
        Record::Edit {
            path,
            before,
            mode,
            temp,
            ..
        } => {
            remove_if_there(root, temp)?;
            let now = fs::read(root.join(path)).map_err(|source| step_io(path, source))?;
            if now != before.0 {
                write_through(root, path, temp, &before.0, Some(*mode), Replace::Yes)?;
            }
            let meta =
                fs::symlink_metadata(root.join(path)).map_err(|source| step_io(path, source))?;
            if mode_of(&meta) != *mode {
                set_mode(&root.join(path), *mode).map_err(|source| step_io(path, source))?;
            }
        }
        Record::Untrack {
            path,
            index_mode,
            object,
        } => {
            if let Some(git) = git
                && !tracked.contains(path)
            {
                git.restore_entry(
                    path,
                    &git::IndexEntry {
                        mode: index_mode.clone(),
                        object: object.clone(),
                    },
                )?;
                tracked.insert(path.clone());
            }
        }
    }
    Ok(())
}

fn remove_if_there(root: &Path, path: &str) -> Result<(), JournalError> {
    match fs::remove_file(root.join(path)) {
        Ok(()) => Ok(()),
        Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(step_io(path, source)),
    }
}

/// What is at `path` (relative to `root`).
fn found(root: &Path, path: &str) -> Result<Found, JournalError> {
    let full = root.join(path);
    let Some(meta) = lstat(&full).map_err(|source| step_io(path, source))? else {
        return Ok(Found::Absent);
    };
    if meta.file_type().is_symlink() {
        let target = fs::read_link(&full).map_err(|source| step_io(path, source))?;
        let mut file = Fingerprint::of(target.as_os_str().as_encoded_bytes(), None);
        file.link = true;
        return Ok(Found::File(file));
    }
    if !meta.is_file() {
        return Ok(Found::Other);
    }
    let bytes = fs::read(&full).map_err(|source| step_io(path, source))?;
    Ok(Found::File(Fingerprint::of(&bytes, Some(mode_of(&meta)))))
}

/// Metadata without following a link; `None` when nothing is there.
fn lstat(path: &Path) -> io::Result<Option<Metadata>> {
    match fs::symlink_metadata(path) {
        Ok(meta) => Ok(Some(meta)),
        Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(err) => Err(err),
    }
}

#[cfg(unix)]
fn mode_of(meta: &Metadata) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o7777
}

#[cfg(not(unix))]
fn mode_of(meta: &Metadata) -> u32 {
    if meta.permissions().readonly() {
        0o444
    } else {
        0o644
    }
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(path: &Path, mode: u32) -> io::Result<()> {
    let mut permissions = fs::metadata(path)?.permissions();
    permissions.set_readonly(mode & 0o222 == 0);
    fs::set_permissions(path, permissions)
}

fn io_error(path: &Path, source: io::Error) -> JournalError {
    JournalError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// An error about a file of the run, named relative to the root.
fn step_io(path: &str, source: io::Error) -> JournalError {
    JournalError::Io {
        path: path.to_owned(),
        source,
    }
}
