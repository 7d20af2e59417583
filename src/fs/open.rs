//! The one place squarely opens a file it did not create in this run, to read it or to
//! write over it.
//!
//! Everything squarely reads may come from an untrusted pull request: the audited files, its
//! `.squarely.yaml`, the rule sets and baselines that file names, and the symlinks among them.
//! So a file is checked before it is read: it must be a regular file (a FIFO would hang the
//! run, `/dev/zero` would fill memory), it is opened without blocking and checked again on
//! the open handle (it cannot be swapped for a FIFO in between), it is read up to a size cap,
//! and when it was named by the repository it must lie inside the repository once its links
//! are resolved (`.squarely.yaml -> ~/.git-credentials` is refused, never printed). A file
//! squarely writes over (`-o FILE`, `--save-baseline FILE`) is never written through a
//! symbolic link and must be a regular file if it exists, or a character device the user
//! named (`-o /dev/null`: a repository cannot commit a device).

use std::fs::{File, OpenOptions};
use std::io::Read;
use std::path::{Path, PathBuf};

/// Why a file was not opened.
#[derive(Debug)]
pub enum OpenError {
    /// A FIFO, a device, a socket or a folder, not a regular file.
    NotRegular(&'static str),
    /// A symbolic link (or a path through one) that leads outside the folder it must stay in.
    Outside(PathBuf),
    /// A symbolic link where squarely would write.
    Link,
    /// Larger than the cap.
    TooLarge {
        /// Its size (or the bytes read before the cap was passed).
        size: u64,
        /// The cap.
        limit: u64,
    },
    /// The operating system's error.
    Io(std::io::Error),
}

impl OpenError {
    /// In words, without the path (callers name the file).
    #[must_use]
    pub fn describe(&self) -> String {
        match self {
            OpenError::NotRegular(kind) => format!("{kind}, not a regular file"),
            OpenError::Outside(root) => format!(
                "outside {} once links are resolved: a file the repository names must be inside it",
                root.display()
            ),
            OpenError::Link => "a symbolic link; squarely never writes through a link".to_owned(),
            OpenError::TooLarge { size, limit } => format!(
                "{} bytes, more than the {} squarely reads",
                size,
                super::human_size(*limit)
            ),
            OpenError::Io(err) => super::os_reason(err),
        }
    }

    /// Whether the file does not exist.
    #[must_use]
    pub fn is_not_found(&self) -> bool {
        matches!(self, OpenError::Io(err) if err.kind() == std::io::ErrorKind::NotFound)
    }
}

impl std::fmt::Display for OpenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

impl std::error::Error for OpenError {}

/// What kind of non-regular file a file type is.
fn kind_of(file_type: std::fs::FileType) -> Option<&'static str> {
    if file_type.is_file() {
        return None;
    }
    if file_type.is_dir() {
        return Some("a folder");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return Some("a named pipe (FIFO)");
        }
        if file_type.is_char_device() || file_type.is_block_device() {
            return Some("a device");
        }
        if file_type.is_socket() {
            return Some("a socket");
        }
    }
    Some("not a file")
}

/// A character device (`/dev/null`, a terminal): written to as it is, never emptied. Git
/// cannot commit one, so only the user can name it.
fn is_char_device(file_type: std::fs::FileType) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        file_type.is_char_device()
    }
    #[cfg(not(unix))]
    {
        let _ = file_type;
        false
    }
}

/// Open for reading without blocking (a FIFO opened for reading blocks until a writer comes).
fn open_read(path: &Path) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    options.open(path)
}

/// Whether `path`, once every link is resolved, lies inside `root`.
fn resolves_within(path: &Path, root: &Path) -> Result<(), OpenError> {
    let real = std::fs::canonicalize(path).map_err(OpenError::Io)?;
    let real_root = std::fs::canonicalize(root).map_err(OpenError::Io)?;
    if real.starts_with(&real_root) {
        Ok(())
    } else {
        Err(OpenError::Outside(root.to_path_buf()))
    }
}

/// Read a regular file of at most `limit` bytes. With `within`, the file must lie inside that
/// folder once its links are resolved (for files the audited repository names).
pub fn read_regular(path: &Path, limit: u64, within: Option<&Path>) -> Result<Vec<u8>, OpenError> {
    let (file, meta) = open_regular(path, within)?;
    read_opened(file, &meta, limit)
}

/// [`read_regular`] for a file the walk of the tree saw as a regular file, not through a
/// link: its type is not asked by path before opening, which saves a path lookup per file.
/// It is still never a FIFO, device or link when read: the last component is not followed
/// (a file swapped for a link since the walk is refused), the open does not block, and the
/// open handle must be a regular file.
pub fn read_walked(path: &Path, limit: u64) -> Result<Vec<u8>, OpenError> {
    let file = open_unfollowed(OpenOptions::new().read(true), path)?;
    let meta = file.metadata().map_err(OpenError::Io)?;
    if let Some(kind) = kind_of(meta.file_type()) {
        return Err(OpenError::NotRegular(kind));
    }
    read_opened(file, &meta, limit)
}

/// The bytes of an opened regular file, at most `limit`.
fn read_opened(file: File, meta: &std::fs::Metadata, limit: u64) -> Result<Vec<u8>, OpenError> {
    if meta.len() > limit {
        return Err(OpenError::TooLarge {
            size: meta.len(),
            limit,
        });
    }
    // A known size is read and no more: the read cut short at it finds the end without asking
    // the file again (a file that grows meanwhile is read as it was when opened). An empty
    // size may still hold bytes (a file of a virtual file system): read to the limit.
    let want = match meta.len() {
        0 => limit.saturating_add(1),
        size => size,
    };
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(want)
        .read_to_end(&mut bytes)
        .map_err(OpenError::Io)?;
    if bytes.len() as u64 > limit {
        return Err(OpenError::TooLarge {
            size: bytes.len() as u64,
            limit,
        });
    }
    Ok(bytes)
}

/// Open a regular file for reading, its type checked before opening (a FIFO is never opened)
/// and again on the open handle; with `within`, it must resolve inside that folder.
fn open_regular(
    path: &Path,
    within: Option<&Path>,
) -> Result<(File, std::fs::Metadata), OpenError> {
    if let Some(root) = within {
        resolves_within(path, root)?;
    }
    let meta = std::fs::metadata(path).map_err(OpenError::Io)?;
    if let Some(kind) = kind_of(meta.file_type()) {
        return Err(OpenError::NotRegular(kind));
    }
    let file = open_read(path).map_err(OpenError::Io)?;
    let meta = file.metadata().map_err(OpenError::Io)?;
    if let Some(kind) = kind_of(meta.file_type()) {
        return Err(OpenError::NotRegular(kind));
    }
    Ok((file, meta))
}

/// The first `n` bytes (or fewer) of a regular file, checked like [`read_regular`].
pub fn read_prefix(path: &Path, n: u64) -> Result<Vec<u8>, OpenError> {
    let (file, _) = open_regular(path, None)?;
    let mut bytes = Vec::new();
    file.take(n)
        .read_to_end(&mut bytes)
        .map_err(OpenError::Io)?;
    Ok(bytes)
}

/// Open with `options` without following a link in the last component (a link is
/// [`OpenError::Link`]), without blocking on a FIFO and without taking a terminal.
fn open_unfollowed(options: &mut OpenOptions, path: &Path) -> Result<File, OpenError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    options.open(path).map_err(|err| {
        #[cfg(unix)]
        if err.raw_os_error() == Some(libc::ELOOP) {
            return OpenError::Link;
        }
        OpenError::Io(err)
    })
}

/// Create (or empty) a regular file to write. The last component is never followed if it is
/// a symbolic link, and an existing file must be a regular file; with `within`, no folder of
/// the path inside that folder may be a symbolic link either (a repository cannot redirect a
/// report through a link it commits).
pub fn create_regular(path: &Path, within: Option<&Path>) -> Result<File, OpenError> {
    check_writable(path, within)?;
    let file = open_unfollowed(
        OpenOptions::new().write(true).create(true).truncate(false),
        path,
    )?;
    let meta = file.metadata().map_err(OpenError::Io)?;
    if is_char_device(meta.file_type()) {
        return Ok(file);
    }
    if let Some(kind) = kind_of(meta.file_type()) {
        return Err(OpenError::NotRegular(kind));
    }
    // Emptied only once it is known to be a regular file.
    file.set_len(0).map_err(OpenError::Io)?;
    Ok(file)
}

/// What [`create_regular`] checks before it opens anything: `path` is not a symbolic link,
/// not a FIFO, block device or folder, and (with `within`) no folder of it inside `within` is a
/// symbolic link. Callers check the files they will write before doing any work.
pub fn check_writable(path: &Path, within: Option<&Path>) -> Result<(), OpenError> {
    if let Ok(meta) = std::fs::symlink_metadata(path) {
        if meta.file_type().is_symlink() {
            return Err(OpenError::Link);
        }
        if let Some(kind) = kind_of(meta.file_type()).filter(|_| !is_char_device(meta.file_type()))
        {
            return Err(OpenError::NotRegular(kind));
        }
    }
    if let Some(root) = within {
        // The link itself sits in the repository (its folder resolves inside it), wherever
        // it points.
        let real_root = std::fs::canonicalize(root).map_err(OpenError::Io)?;
        let absolute = std::path::absolute(path).map_err(OpenError::Io)?;
        let mut folder = absolute.parent();
        while let Some(dir) = folder {
            let is_link = std::fs::symlink_metadata(dir).is_ok_and(|m| m.file_type().is_symlink());
            let inside = dir
                .parent()
                .and_then(|up| std::fs::canonicalize(up).ok())
                .is_some_and(|up| up.starts_with(&real_root));
            if is_link && inside {
                return Err(OpenError::Link);
            }
            folder = dir.parent();
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_only_regular_files_within_the_cap() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.yaml");
        std::fs::write(&file, "a: 1\n").unwrap();
        assert_eq!(read_regular(&file, 100, None).unwrap(), b"a: 1\n");
        assert!(matches!(
            read_regular(&file, 2, None),
            Err(OpenError::TooLarge { size: 5, limit: 2 })
        ));
        assert!(matches!(
            read_regular(dir.path(), 100, None),
            Err(OpenError::NotRegular("a folder"))
        ));
        assert!(
            read_regular(&dir.path().join("missing"), 100, None)
                .unwrap_err()
                .is_not_found()
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_or_a_device_is_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe.py");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            assert!(matches!(
                read_regular(&fifo, 100, None),
                Err(OpenError::NotRegular("a named pipe (FIFO)"))
            ));
            assert!(matches!(
                create_regular(&fifo, None),
                Err(OpenError::NotRegular(_))
            ));
        }
        assert!(matches!(
            read_regular(Path::new("/dev/zero"), 100, None),
            Err(OpenError::NotRegular("a device"))
        ));
    }

    #[cfg(unix)]
    #[test]
    fn links_out_of_the_folder_are_refused_and_never_written_through() {
        let outside = tempfile::tempdir().unwrap();
        let secret = outside.path().join("credentials");
        std::fs::write(&secret, "token\n").unwrap();
        let repo = tempfile::tempdir().unwrap();
        let link = repo.path().join(".squarely.yaml");
        std::os::unix::fs::symlink(&secret, &link).unwrap();
        assert!(matches!(
            read_regular(&link, 100, Some(repo.path())),
            Err(OpenError::Outside(_))
        ));
        // Named by the user on the command line, a link is theirs to follow.
        assert_eq!(read_regular(&link, 100, None).unwrap(), b"token\n");
        assert!(matches!(create_regular(&link, None), Err(OpenError::Link)));
        assert_eq!(std::fs::read(&secret).unwrap(), b"token\n");
        // A folder of the repository that links elsewhere is refused too.
        let reports = repo.path().join("reports");
        std::os::unix::fs::symlink(outside.path(), &reports).unwrap();
        assert!(matches!(
            create_regular(&reports.join("x.sarif"), Some(repo.path())),
            Err(OpenError::Link)
        ));
        assert!(!outside.path().join("x.sarif").exists());
        // A plain file is created, or emptied and rewritten.
        let out = repo.path().join("out.json");
        std::fs::write(&out, "old contents\n").unwrap();
        drop(create_regular(&out, Some(repo.path())).unwrap());
        assert_eq!(std::fs::read(&out).unwrap(), b"");
    }
}
