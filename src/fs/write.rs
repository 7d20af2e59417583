//! Writing a [`Plan`]: the only code that changes the disk.
//!
//! Every path is checked to stay inside the target directory (no `..`, no absolute path, no
//! symlinked folder leading out), files are created with `create_new` so nothing is ever
//! overwritten, edits are refused when the file changed since the plan was made and are
//! written through a temporary file and a rename, and when anything fails, everything done
//! so far is undone: created files and folders removed, edited files restored.

use std::fs;
use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};

use super::plan::{Disk, Plan};

/// Why a plan could not be written (everything written so far was undone).
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// A planned path would leave the target directory.
    #[error("{path}: refused: the path leaves the target directory {root}")]
    Escapes {
        /// The planned path.
        path: String,
        /// The target directory.
        root: String,
    },
    /// A file to create exists already.
    #[error("{0}: already exists; squarely never overwrites a file")]
    Exists(String),
    /// A file to edit is read-only: someone protected it on purpose.
    #[error(
        "{0}: is read-only; squarely does not edit protected files (make it writable, or add the change by hand)"
    )]
    ReadOnly(String),
    /// A file to edit changed since the plan was made.
    #[error("{0}: changed while squarely was planning; nothing was written, run the command again")]
    Changed(String),
    /// The operating system refused.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: String,
        /// Why.
        source: io::Error,
    },
}

/// A project folder on disk, for planning (`Disk`) and for writing.
#[derive(Debug, Clone)]
pub struct ProjectDir {
    root: PathBuf,
}

impl ProjectDir {
    /// The project at `root` (which need not exist yet).
    #[must_use]
    pub fn new(root: &Path) -> ProjectDir {
        ProjectDir {
            root: root.to_path_buf(),
        }
    }

    /// The folder.
    #[must_use]
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Whether the folder is missing or holds nothing.
    pub fn is_missing_or_empty(&self) -> io::Result<bool> {
        match fs::read_dir(&self.root) {
            Ok(mut entries) => Ok(entries.next().is_none()),
            Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(true),
            Err(err) => Err(err),
        }
    }

    /// Write `plan` into the folder (created if missing), all or nothing.
    pub fn apply(&self, plan: &Plan) -> Result<(), WriteError> {
        let mut undo = Undo::default();
        let result = self.apply_inner(plan, &mut undo);
        if result.is_err() {
            undo.run();
        }
        result
    }

    fn apply_inner(&self, plan: &Plan, undo: &mut Undo) -> Result<(), WriteError> {
        let io = |path: &Path| {
            let path = path.display().to_string();
            move |source| WriteError::Io { path, source }
        };
        // Check everything before the first write.
        for path in plan
            .files
            .iter()
            .map(|f| &f.path)
            .chain(plan.edits.iter().map(|e| &e.path))
        {
            self.check_inside(path)?;
        }
        for file in &plan.files {
            if self.root.join(&file.path).symlink_metadata().is_ok() {
                return Err(WriteError::Exists(self.shown(&file.path)));
            }
        }
        for edit in &plan.edits {
            let path = self.root.join(&edit.path);
            if fs::metadata(&path).is_ok_and(|meta| meta.permissions().readonly()) {
                return Err(WriteError::ReadOnly(self.shown(&edit.path)));
            }
            let now = fs::read_to_string(&path).map_err(io(&path))?;
            if now != edit.before {
                return Err(WriteError::Changed(self.shown(&edit.path)));
            }
        }
        if !self.root.exists() {
            create_dirs(&self.root, undo).map_err(io(&self.root))?;
        }
        let root = fs::canonicalize(&self.root).map_err(io(&self.root))?;
        for file in &plan.files {
            let path = self.root.join(&file.path);
            if let Some(parent) = path.parent() {
                create_dirs(parent, undo).map_err(io(parent))?;
                // A symlinked folder inside the project must not lead out of it.
                let real = fs::canonicalize(parent).map_err(io(parent))?;
                if !real.starts_with(&root) {
                    return Err(WriteError::Escapes {
                        path: file.path.clone(),
                        root: self.root.display().to_string(),
                    });
                }
            }
            let mut out = match fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(out) => out,
                Err(err) if err.kind() == io::ErrorKind::AlreadyExists => {
                    return Err(WriteError::Exists(self.shown(&file.path)));
                }
                Err(err) => return Err(io(&path)(err)),
            };
            undo.created_files.push(path.clone());
            out.write_all(file.contents.as_bytes())
                .and_then(|()| out.sync_all())
                .map_err(io(&path))?;
            if file.executable {
                make_executable(&path).map_err(io(&path))?;
            }
        }
        for edit in &plan.edits {
            let path = self.root.join(&edit.path);
            let real = fs::canonicalize(&path).map_err(io(&path))?;
            if !real.starts_with(&root) {
                return Err(WriteError::Escapes {
                    path: edit.path.clone(),
                    root: self.root.display().to_string(),
                });
            }
            replace(&path, edit.after.as_bytes()).map_err(io(&path))?;
            undo.edited.push((path, edit.before.clone()));
        }
        Ok(())
    }

    /// Check that a planned path is a plain relative path below the root.
    fn check_inside(&self, path: &str) -> Result<(), WriteError> {
        let escapes = || WriteError::Escapes {
            path: path.to_owned(),
            root: self.root.display().to_string(),
        };
        let relative = Path::new(path);
        if path.is_empty()
            || relative.is_absolute()
            || relative
                .components()
                .any(|c| !matches!(c, Component::Normal(_)))
        {
            return Err(escapes());
        }
        Ok(())
    }

    fn shown(&self, path: &str) -> String {
        self.root.join(path).display().to_string()
    }
}

impl Disk for ProjectDir {
    fn read(&self, path: &str) -> Result<Option<String>, String> {
        match fs::read(self.root.join(path)) {
            Ok(bytes) => String::from_utf8(bytes)
                .map(Some)
                .map_err(|_| "not UTF-8 text; squarely only edits text files".to_owned()),
            Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(err) => Err(format!("cannot be read: {err}")),
        }
    }

    fn exists(&self, path: &str) -> bool {
        self.root.join(path).symlink_metadata().is_ok()
    }

    fn list(&self, path: &str) -> Vec<String> {
        fs::read_dir(self.root.join(path))
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// What to take back when a write fails half-way.
#[derive(Default)]
struct Undo {
    created_dirs: Vec<PathBuf>,
    created_files: Vec<PathBuf>,
    edited: Vec<(PathBuf, String)>,
}

impl Undo {
    fn run(self) {
        for (path, before) in self.edited.iter().rev() {
            let _ = replace(path, before.as_bytes());
        }
        for file in self.created_files.iter().rev() {
            let _ = fs::remove_file(file);
        }
        // Deepest first; a folder that is not empty (someone else wrote there) stays.
        for dir in self.created_dirs.iter().rev() {
            let _ = fs::remove_dir(dir);
        }
    }
}

/// `create_dir_all` that remembers which folders it made.
fn create_dirs(dir: &Path, undo: &mut Undo) -> io::Result<()> {
    let mut missing = Vec::new();
    let mut current = dir;
    while current.symlink_metadata().is_err() {
        missing.push(current.to_path_buf());
        match current.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => current = parent,
            _ => break,
        }
    }
    for folder in missing.into_iter().rev() {
        fs::create_dir(&folder)?;
        undo.created_dirs.push(folder);
    }
    Ok(())
}

/// Replace a file's content through a temporary file and a rename, keeping its permissions.
fn replace(path: &Path, contents: &[u8]) -> io::Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = path.with_file_name(format!(".{name}.squarely-tmp"));
    let permissions = fs::metadata(path)?.permissions();
    let result = (|| {
        let mut out = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)?;
        out.write_all(contents)?;
        out.sync_all()?;
        fs::set_permissions(&temp, permissions)?;
        fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}

#[cfg(unix)]
fn make_executable(path: &Path) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mut permissions = fs::metadata(path)?.permissions();
    permissions.set_mode(permissions.mode() | 0o111);
    fs::set_permissions(path, permissions)
}

#[cfg(not(unix))]
fn make_executable(_: &Path) -> io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fs::{PlannedEdit, PlannedFile};

    fn file_named(path: &str) -> PlannedFile {
        file(path)
    }

    fn file(path: &str) -> PlannedFile {
        PlannedFile {
            path: path.to_owned(),
            contents: format!("{path}\n"),
            executable: path.starts_with("scripts/"),
        }
    }

    #[test]
    fn writes_files_and_edits() {
        let dir = tempfile::tempdir().unwrap();
        let target = ProjectDir::new(&dir.path().join("app"));
        let plan = Plan {
            files: vec![file("a/b/c.txt"), file("scripts/run.sh")],
            edits: Vec::new(),
        };
        target.apply(&plan).unwrap();
        assert_eq!(
            fs::read_to_string(dir.path().join("app/a/b/c.txt")).unwrap(),
            "a/b/c.txt\n"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(dir.path().join("app/scripts/run.sh"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o111, 0o111);
        }
        let edit = Plan {
            files: vec![file("d.txt")],
            edits: vec![PlannedEdit {
                path: "a/b/c.txt".into(),
                before: "a/b/c.txt\n".into(),
                after: "changed\n".into(),
                summary: vec![],
            }],
        };
        target.apply(&edit).unwrap();
        assert_eq!(
            fs::read_to_string(dir.path().join("app/a/b/c.txt")).unwrap(),
            "changed\n"
        );
        assert!(!dir.path().join("app/a/b/.c.txt.squarely-tmp").exists());
    }

    #[test]
    fn refuses_to_edit_a_read_only_file() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("app");
        fs::create_dir_all(&root).unwrap();
        let file = root.join("locked.txt");
        fs::write(&file, "original\n").unwrap();
        let mut permissions = fs::metadata(&file).unwrap().permissions();
        permissions.set_readonly(true);
        fs::set_permissions(&file, permissions).unwrap();
        let plan = Plan {
            files: vec![file_named("new.txt")],
            edits: vec![PlannedEdit {
                path: "locked.txt".into(),
                before: "original\n".into(),
                after: "changed\n".into(),
                summary: vec![],
            }],
        };
        let err = ProjectDir::new(&root).apply(&plan).unwrap_err();
        assert!(matches!(err, WriteError::ReadOnly(_)), "{err}");
        assert!(!root.join("new.txt").exists());
        assert_eq!(fs::read_to_string(&file).unwrap(), "original\n");
    }

    #[test]
    fn refuses_paths_that_leave_the_target() {
        let dir = tempfile::tempdir().unwrap();
        let target = ProjectDir::new(&dir.path().join("app"));
        for path in ["../x", "/abs", "a/../../x", "", "./a"] {
            let plan = Plan {
                files: vec![file(path)],
                edits: Vec::new(),
            };
            let err = target.apply(&plan).unwrap_err();
            assert!(matches!(err, WriteError::Escapes { .. }), "{path}: {err}");
        }
        assert!(!dir.path().join("app").exists(), "nothing was created");
        assert!(!dir.path().join("x").exists());
    }

    #[cfg(unix)]
    #[test]
    fn refuses_a_symlinked_folder_leading_out() {
        let dir = tempfile::tempdir().unwrap();
        let outside = dir.path().join("outside");
        fs::create_dir_all(&outside).unwrap();
        fs::create_dir_all(dir.path().join("app")).unwrap();
        std::os::unix::fs::symlink(&outside, dir.path().join("app/link")).unwrap();
        let target = ProjectDir::new(&dir.path().join("app"));
        let plan = Plan {
            files: vec![file("link/x.txt")],
            edits: Vec::new(),
        };
        assert!(matches!(
            target.apply(&plan),
            Err(WriteError::Escapes { .. })
        ));
        assert_eq!(fs::read_dir(&outside).unwrap().count(), 0);
    }

    #[test]
    fn never_overwrites_and_undoes_everything_on_failure() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("app");
        fs::create_dir_all(root.join("keep")).unwrap();
        fs::write(root.join("keep/edit.txt"), "original\n").unwrap();
        fs::write(root.join("exists.txt"), "mine\n").unwrap();
        let target = ProjectDir::new(&root);
        let plan = Plan {
            files: vec![file("new/one.txt"), file("exists.txt")],
            edits: vec![],
        };
        assert!(matches!(target.apply(&plan), Err(WriteError::Exists(_))));
        assert_eq!(
            fs::read_to_string(root.join("exists.txt")).unwrap(),
            "mine\n"
        );
        assert!(!root.join("new").exists());
        // An edit of a file that changed since planning: nothing is written.
        let plan = Plan {
            files: vec![file("new/two.txt")],
            edits: vec![PlannedEdit {
                path: "keep/edit.txt".into(),
                before: "what squarely saw\n".into(),
                after: "x\n".into(),
                summary: vec![],
            }],
        };
        assert!(matches!(target.apply(&plan), Err(WriteError::Changed(_))));
        assert!(!root.join("new").exists());
        assert_eq!(
            fs::read_to_string(root.join("keep/edit.txt")).unwrap(),
            "original\n"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_failure_half_way_takes_back_what_was_written() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("app");
        fs::create_dir_all(&root).unwrap();
        fs::write(root.join("edit.txt"), "original\n").unwrap();
        // A folder that cannot be written to (root ignores permissions: use a file as a folder).
        fs::write(root.join("blocker"), "a file, not a folder").unwrap();
        let target = ProjectDir::new(&root);
        let plan = Plan {
            files: vec![file("a/first.txt"), file("blocker/inside.txt")],
            edits: vec![PlannedEdit {
                path: "edit.txt".into(),
                before: "original\n".into(),
                after: "changed\n".into(),
                summary: vec![],
            }],
        };
        let err = target.apply(&plan).unwrap_err();
        assert!(matches!(err, WriteError::Io { .. }), "{err}");
        assert!(!root.join("a").exists(), "created folders are removed");
        assert_eq!(
            fs::read_to_string(root.join("edit.txt")).unwrap(),
            "original\n"
        );
    }
}
