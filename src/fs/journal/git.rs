//! The `git` tool, run as a child process (never through a shell) for the journal.
//!
//! Every command runs in the organized folder with `core.quotepath=false` and
//! `--literal-pathspecs` (a file named `*.py` is that file, not a glob), hooks and the
//! file-system monitor switched off (they would run code from the repository), and the
//! variables that point git at another repository removed. Output is read in its `-z` forms
//! and parsed by field, so names with spaces, quotes or newlines come through intact.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::JournalError;

/// Variables that would make git work on another repository than the one in the folder.
const FOREIGN_GIT_VARIABLES: [&str; 8] = [
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_COMMON_DIR",
    "GIT_NAMESPACE",
    "GIT_PREFIX",
];

/// What git says about a folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GitStatus {
    /// The folder is not inside a git working tree.
    NotARepository,
    /// The folder is inside a git working tree.
    Repository(Repository),
}

/// A git working tree holding the organized folder, and what is uncommitted in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repository {
    /// The repository's git directory (absolute).
    pub git_dir: PathBuf,
    /// The folder's path inside the working tree (`""` at the top, else ending with `/`).
    pub prefix: String,
    /// The commit checked out, `None` before the first commit.
    pub head: Option<String>,
    /// Tracked files with changes, staged or not (paths relative to the folder; a path
    /// outside it is written `:/path`, relative to the top of the working tree).
    pub changed: Vec<String>,
    /// Files and folders (ending with `/`) git does not track and does not ignore.
    pub untracked: Vec<String>,
}

impl Repository {
    /// Whether git would say "working tree clean": nothing changed, nothing untracked.
    #[must_use]
    pub fn is_clean(&self) -> bool {
        self.changed.is_empty() && self.untracked.is_empty()
    }
}

/// Whether `root` is inside a git working tree, and how clean it is.
///
/// A folder that git does not accept (say, owned by another user) but that has a `.git`
/// above it is an error rather than "not a repository", so that tracked files are never
/// moved behind git's back.
pub fn git_status(root: &Path) -> Result<GitStatus, JournalError> {
    let Some(git) = Git::open(root)? else {
        return Ok(GitStatus::NotARepository);
    };
    let (changed, untracked) = git.status()?;
    Ok(GitStatus::Repository(Repository {
        git_dir: git.dir.clone(),
        prefix: git.prefix.clone(),
        head: git.head()?,
        changed,
        untracked,
    }))
}

/// One index entry at stage 0: the file's mode and object.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct IndexEntry {
    /// `100644`, `100755`, `120000`...
    pub mode: String,
    /// The object id.
    pub object: String,
}

/// The index, as far as the journal needs it.
#[derive(Debug, Default)]
pub(super) struct Index {
    /// Paths relative to the folder, with their stage-0 entry.
    pub entries: BTreeMap<String, IndexEntry>,
    /// Paths with a merge conflict (entries at stages 1 to 3).
    pub conflicted: Vec<String>,
}

/// A git working tree, with commands run in the organized folder.
#[derive(Debug, Clone)]
pub(super) struct Git {
    /// The organized folder (the commands' working directory).
    root: PathBuf,
    /// The git directory (absolute).
    pub dir: PathBuf,
    /// The folder's path inside the working tree.
    pub prefix: String,
    /// `-c` settings that switch off every filter driver the configuration defines.
    no_filters: Vec<String>,
}

/// The empty tree: with it as the attribute source, no `.gitattributes` of the working tree
/// applies (git 2.40 and later; earlier versions ignore it, and the filters are switched off
/// one by one).
const EMPTY_TREE: &str = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";

impl Git {
    /// The working tree holding `root`, `None` when there is none.
    pub fn open(root: &Path) -> Result<Option<Git>, JournalError> {
        let probe = Git {
            root: root.to_path_buf(),
            dir: PathBuf::new(),
            prefix: String::new(),
            no_filters: Vec::new(),
        };
        let output = match probe.command(&["rev-parse", "--is-inside-work-tree", "--show-prefix"]) {
            Ok(output) => output,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                return match dot_git_above(root) {
                    Some(dot_git) => Err(JournalError::Git {
                        root: root.display().to_string(),
                        command: "git rev-parse".to_owned(),
                        message: format!(
                            "git is not installed, and {} says this is a git repository",
                            dot_git.display()
                        ),
                    }),
                    None => Ok(None),
                };
            }
            Err(err) => return Err(probe.failed("rev-parse", &err.to_string())),
        };
        let stdout = String::from_utf8_lossy(&output.stdout);
        let inside = output.status.success()
            && stdout
                .strip_prefix("true\n")
                .is_some_and(|rest| rest.ends_with('\n'));
        if !inside {
            if let Some(dot_git) = dot_git_above(root) {
                return Err(probe.failed(
                    "rev-parse",
                    &format!(
                        "{} is there, but git does not accept the folder as a working tree: {}",
                        dot_git.display(),
                        String::from_utf8_lossy(&output.stderr).trim()
                    ),
                ));
            }
            return Ok(None);
        }
        let prefix = stdout["true\n".len()..stdout.len() - 1].to_owned();
        let git_dir = probe.run(&["rev-parse", "--absolute-git-dir"], None)?;
        let git_dir = PathBuf::from(strip_newline(&git_dir));
        // Nothing the repository configures is run: a `.gitattributes` that names a filter
        // driver (from the local or global configuration) would run it on every add and mv.
        let drivers = probe
            .command(&["config", "--get-regexp", r"^filter\."])
            .map(|out| String::from_utf8_lossy(&out.stdout).into_owned())
            .unwrap_or_default();
        let mut names: Vec<&str> = drivers
            .lines()
            .filter_map(|line| line.split_whitespace().next())
            .filter_map(|key| key.strip_prefix("filter."))
            .filter_map(|rest| rest.rsplit_once('.').map(|(name, _)| name))
            .collect();
        names.sort_unstable();
        names.dedup();
        let no_filters = names
            .iter()
            .flat_map(|name| {
                ["clean=", "smudge=", "process=", "required=false"]
                    .map(|setting| format!("filter.{name}.{setting}"))
            })
            .flat_map(|setting| ["-c".to_owned(), setting])
            .collect();
        Ok(Some(Git {
            root: root.to_path_buf(),
            dir: git_dir,
            prefix,
            no_filters,
        }))
    }

    /// The commit checked out, `None` before the first commit.
    pub fn head(&self) -> Result<Option<String>, JournalError> {
        let output = self
            .command(&["rev-parse", "-q", "--verify", "HEAD^{commit}"])
            .map_err(|err| self.failed("rev-parse HEAD", &err.to_string()))?;
        if output.status.success() {
            Ok(Some(
                strip_newline(&String::from_utf8_lossy(&output.stdout)).to_owned(),
            ))
        } else {
            Ok(None)
        }
    }

    /// The parents and subject of `HEAD`.
    pub fn head_commit(&self) -> Result<(Vec<String>, String), JournalError> {
        let out = self.run(&["log", "-1", "--format=%P%x00%s", "HEAD"], None)?;
        let out = strip_newline(&out);
        let (parents, subject) = out.split_once('\0').unwrap_or((out, ""));
        Ok((
            parents.split_whitespace().map(str::to_owned).collect(),
            subject.to_owned(),
        ))
    }

    /// Tracked files with changes, and untracked files (see [`Repository`]).
    pub fn status(&self) -> Result<(Vec<String>, Vec<String>), JournalError> {
        let out = self.run_bytes(
            &["status", "--porcelain=v1", "-z", "--untracked-files=normal"],
            None,
        )?;
        let mut changed = Vec::new();
        let mut untracked = Vec::new();
        let mut fields = out.split(|b| *b == 0).filter(|f| !f.is_empty());
        while let Some(field) = fields.next() {
            if field.len() < 4 {
                continue;
            }
            let (code, path) = (&field[..2], &field[3..]);
            let path = self.relative(&String::from_utf8_lossy(path));
            if code == b"??" {
                untracked.push(path);
                continue;
            }
            if code == b"!!" {
                continue;
            }
            changed.push(path);
            // A rename or copy is followed by the path it came from.
            if (matches!(code[0], b'R' | b'C') || matches!(code[1], b'R' | b'C'))
                && let Some(from) = fields.next()
            {
                changed.push(self.relative(&String::from_utf8_lossy(from)));
            }
        }
        changed.sort();
        changed.dedup();
        untracked.sort();
        Ok((changed, untracked))
    }

    /// The index below the folder.
    pub fn index(&self) -> Result<Index, JournalError> {
        let out = self.run_bytes(&["ls-files", "-z", "--stage"], None)?;
        let mut index = Index::default();
        for (path, stage, entry) in parse_stage(&out) {
            if stage == "0" {
                index.entries.insert(path, entry);
            } else if index.conflicted.last() != Some(&path) {
                index.conflicted.push(path);
            }
        }
        Ok(index)
    }

    /// The stage-0 index entry of one file, `None` when it is not tracked.
    pub fn entry(&self, path: &str) -> Result<Option<IndexEntry>, JournalError> {
        let out = self.run_bytes(&["ls-files", "-z", "--stage", "--", path], None)?;
        Ok(parse_stage(&out)
            .into_iter()
            .find(|(p, stage, _)| p == path && stage == "0")
            .map(|(_, _, entry)| entry))
    }

    /// `git mv`: the file and its index entry move together.
    pub fn mv(&self, from: &str, to: &str) -> Result<(), JournalError> {
        self.run(&["mv", "--", from, to], None).map(drop)
    }

    /// `git rm --cached`: the file leaves the index and stays on disk. With `force`, also when
    /// the index holds content that differs from both the file and `HEAD` (the caller knows
    /// that content is committed somewhere, so nothing is lost).
    pub fn rm_cached(&self, path: &str, force: bool) -> Result<(), JournalError> {
        let force = if force { "-f" } else { "-q" };
        self.run(&["rm", "--cached", "-q", force, "--", path], None)
            .map(drop)
    }

    /// The object at `path` (relative to the folder) in the commit `rev`, if any.
    pub fn blob(&self, rev: &str, path: &str) -> Result<Option<String>, JournalError> {
        let spec = format!("{rev}:./{path}");
        let output = self
            .command(&["rev-parse", "-q", "--verify", &spec])
            .map_err(|err| self.failed("rev-parse", &err.to_string()))?;
        Ok(output
            .status
            .success()
            .then(|| strip_newline(&String::from_utf8_lossy(&output.stdout)).to_owned()))
    }

    /// Put an index entry back as it was (`git update-index --cacheinfo`).
    pub fn restore_entry(&self, path: &str, entry: &IndexEntry) -> Result<(), JournalError> {
        // `--cacheinfo` paths are relative to the top of the working tree.
        let info = format!("{},{},{}{path}", entry.mode, entry.object, self.prefix);
        self.run(&["update-index", "--add", "--cacheinfo", &info], None)
            .map(drop)
    }

    /// The subset of `paths` that git ignores.
    pub fn ignored(&self, paths: &[String]) -> Result<Vec<String>, JournalError> {
        if paths.is_empty() {
            return Ok(Vec::new());
        }
        let input = nul_list(paths);
        let output = self
            .command_with_input(&["check-ignore", "-z", "--stdin"], Some(&input))
            .map_err(|err| self.failed("check-ignore", &err.to_string()))?;
        // 0: some are ignored, 1: none is.
        match output.status.code() {
            Some(0 | 1) => Ok(output
                .stdout
                .split(|b| *b == 0)
                .filter(|f| !f.is_empty())
                .map(|f| String::from_utf8_lossy(f).into_owned())
                .collect()),
            _ => Err(self.failed("check-ignore", &String::from_utf8_lossy(&output.stderr))),
        }
    }

    /// `git add` of exactly these paths.
    pub fn add(&self, paths: &[String]) -> Result<(), JournalError> {
        if paths.is_empty() {
            return Ok(());
        }
        let input = nul_list(paths);
        self.run(
            &["add", "--pathspec-from-file=-", "--pathspec-file-nul"],
            Some(&input),
        )
        .map(drop)
    }

    /// Whether the index differs from `HEAD`.
    pub fn has_staged(&self) -> Result<bool, JournalError> {
        let output = self
            .command(&["diff", "--cached", "--quiet", "--no-ext-diff"])
            .map_err(|err| self.failed("diff --cached", &err.to_string()))?;
        match output.status.code() {
            Some(0) => Ok(false),
            Some(1) => Ok(true),
            _ => Err(self.failed("diff --cached", &String::from_utf8_lossy(&output.stderr))),
        }
    }

    /// `git commit` of the index with `title` as the message; the new commit's id.
    pub fn commit(&self, title: &str) -> Result<String, JournalError> {
        self.run(&["commit", "-q", "--no-verify", "-m", title], None)?;
        self.head()?
            .ok_or_else(|| self.failed("commit", "no HEAD after committing"))
    }

    /// `git reset --mixed`: the branch and the index go back to `commit`, files stay.
    pub fn reset_mixed(&self, commit: &str) -> Result<(), JournalError> {
        self.run(&["reset", "-q", "--mixed", commit, "--"], None)
            .map(drop)
    }

    /// A path git printed relative to the top of the working tree, made relative to the folder.
    fn relative(&self, top_relative: &str) -> String {
        match top_relative.strip_prefix(self.prefix.as_str()) {
            Some(inside) => inside.to_owned(),
            None => format!(":/{top_relative}"),
        }
    }

    fn command(&self, args: &[&str]) -> std::io::Result<std::process::Output> {
        self.command_with_input(args, None)
    }

    fn command_with_input(
        &self,
        args: &[&str],
        input: Option<&[u8]>,
    ) -> std::io::Result<std::process::Output> {
        let mut command = Command::new("git");
        command.current_dir(&self.root).args([
            "-c",
            "core.quotepath=false",
            "-c",
            "core.hooksPath=/dev/null",
            "-c",
            "core.fsmonitor=false",
            "-c",
            "core.attributesFile=/dev/null",
            "-c",
            "maintenance.auto=false",
            "-c",
            "gc.auto=0",
        ]);
        command
            .args(&self.no_filters)
            .env("GIT_ATTR_SOURCE", EMPTY_TREE);
        // `check-ignore` takes paths, not pathspecs, and refuses any pathspec magic.
        if args.first() != Some(&"check-ignore") {
            command.arg("--literal-pathspecs");
        }
        command
            .args(args)
            .stdin(if input.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for name in FOREIGN_GIT_VARIABLES {
            command.env_remove(name);
        }
        let mut child = command.spawn()?;
        if let (Some(input), Some(mut stdin)) = (input, child.stdin.take()) {
            stdin.write_all(input)?;
        }
        child.wait_with_output()
    }

    /// Run a command that must succeed; its standard output.
    fn run(&self, args: &[&str], input: Option<&[u8]>) -> Result<String, JournalError> {
        self.run_bytes(args, input)
            .map(|out| String::from_utf8_lossy(&out).into_owned())
    }

    fn run_bytes(&self, args: &[&str], input: Option<&[u8]>) -> Result<Vec<u8>, JournalError> {
        let shown = args.first().copied().unwrap_or_default();
        let output = self
            .command_with_input(args, input)
            .map_err(|err| self.failed(shown, &err.to_string()))?;
        if output.status.success() {
            Ok(output.stdout)
        } else {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let message = if stderr.trim().is_empty() {
                format!("exited with {}", output.status)
            } else {
                stderr.split_whitespace().collect::<Vec<_>>().join(" ")
            };
            // The subcommand and the paths it was given.
            let paths = args.iter().skip_while(|a| **a != "--").skip(1);
            let command = std::iter::once(&shown)
                .chain(paths)
                .copied()
                .collect::<Vec<_>>()
                .join(" ");
            Err(self.failed(&command, &message))
        }
    }

    fn failed(&self, command: &str, message: &str) -> JournalError {
        JournalError::Git {
            root: self.root.display().to_string(),
            command: format!("git {command}"),
            message: message.trim().to_owned(),
        }
    }
}

/// `<mode> <object> <stage>\t<path>\0` records.
fn parse_stage(out: &[u8]) -> Vec<(String, String, IndexEntry)> {
    out.split(|b| *b == 0)
        .filter_map(|record| {
            let tab = record.iter().position(|b| *b == b'\t')?;
            let head = std::str::from_utf8(&record[..tab]).ok()?;
            let path = String::from_utf8_lossy(&record[tab + 1..]).into_owned();
            let mut parts = head.split(' ');
            let (mode, object, stage) = (parts.next()?, parts.next()?, parts.next()?);
            Some((
                path,
                stage.to_owned(),
                IndexEntry {
                    mode: mode.to_owned(),
                    object: object.to_owned(),
                },
            ))
        })
        .collect()
}

fn nul_list(paths: &[String]) -> Vec<u8> {
    let mut input = Vec::new();
    for path in paths {
        input.extend_from_slice(path.as_bytes());
        input.push(0);
    }
    input
}

fn strip_newline(text: &str) -> &str {
    text.strip_suffix('\n').unwrap_or(text)
}

/// The nearest `.git` (folder or file) at or above `root`.
fn dot_git_above(root: &Path) -> Option<PathBuf> {
    root.ancestors()
        .map(|dir| dir.join(".git"))
        .find(|dot_git| dot_git.symlink_metadata().is_ok())
}
