//! The journal file: one JSON object per line, appended and synced as the run goes.
//!
//! ```text
//! {"header":{"version":1,"root":"/repo","git":true,"commit":false,"head_before":"4b1f..","started_unix":1760000000}}
//! {"begin":{"step":0,"group":0,"record":{"move":{"from":"a.py","to":"app/a.py",...}}}}
//! {"done":{"step":0}}
//! {"committing":{"group":0,"parent":"4b1f..","title":"organize: move users"}}
//! {"committed":{"group":0,"commit":"9c2e.."}}
//! {"finished":{}}
//! {"reverted":{"step":0}}
//! ```
//!
//! A `begin` line holds everything needed to take its step back (the original bytes of an
//! edited file, the mode of a moved one, the folders made and removed) and is synced before
//! the step starts. A line cut short by a crash has no newline and is ignored: its step never
//! started.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::JournalError;
use super::git::IndexEntry;

/// The format version written in every header.
pub(super) const VERSION: u32 = 1;

/// One line of the journal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub(super) enum Line {
    /// The first line: which folder, and how the run was made.
    Header(Header),
    /// A step is about to start.
    Begin {
        /// 0-based over the whole run.
        step: usize,
        /// 0-based group.
        group: usize,
        /// The step and what it takes to take it back.
        record: Record,
    },
    /// A step finished.
    Done {
        /// The step.
        step: usize,
    },
    /// A group's commit is about to be made.
    Committing {
        /// The group.
        group: usize,
        /// `HEAD` before the commit.
        parent: String,
        /// The commit message.
        title: String,
    },
    /// A group's commit was made.
    Committed {
        /// The group.
        group: usize,
        /// The new commit.
        commit: String,
    },
    /// Every step (and commit) of the run is done.
    Finished {},
    /// `undo` took a step back.
    Reverted {
        /// The step.
        step: usize,
    },
}

/// How a run was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Header {
    /// [`VERSION`].
    pub version: u32,
    /// The organized folder (canonical).
    pub root: String,
    /// Whether the folder was in a git working tree.
    pub git: bool,
    /// Whether each group was committed.
    pub commit: bool,
    /// `HEAD` before the run.
    pub head_before: Option<String>,
    /// When the run started (seconds since the Unix epoch).
    pub started_unix: u64,
    /// Without commits: the index entry (or none) of every path the run was to touch, as it
    /// was before the run, so that taking the run back leaves the index as it found it even
    /// after a step failed half-way.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub index_before: BTreeMap<String, Option<IndexEntry>>,
}

/// A step as carried out, with what taking it back needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub(super) enum Record {
    /// A file renamed (with `git mv` when `tracked`).
    Move {
        /// Where it was.
        from: String,
        /// Where it went.
        to: String,
        /// Whether it was tracked (moved with `git mv`).
        tracked: bool,
        /// The file (its bytes and mode do not change).
        file: Fingerprint,
        /// The folders above `from` with their modes, recreated if the move emptied them.
        from_dirs: Vec<DirMode>,
        /// Folders created for `to`, outermost first.
        made_dirs: Vec<String>,
    },
    /// A file created through a temporary file.
    Create {
        /// The new file.
        path: String,
        /// Its bytes (the mode is whatever the umask gives).
        file: Fingerprint,
        /// The temporary file written first.
        temp: String,
        /// Folders created for it, outermost first.
        made_dirs: Vec<String>,
    },
    /// A file rewritten through a temporary file.
    Edit {
        /// The file.
        path: String,
        /// Its bytes before.
        before: Bytes,
        /// Its mode (kept by the edit).
        mode: u32,
        /// What it holds after.
        after: Fingerprint,
        /// The temporary file written first.
        temp: String,
    },
    /// A file taken out of the index (`git rm --cached`), still on disk.
    Untrack {
        /// The file.
        path: String,
        /// Its index entry's mode (`100644`).
        index_mode: String,
        /// Its index entry's object.
        object: String,
    },
}

impl Record {
    /// The paths the step changes on disk.
    pub fn paths(&self) -> Vec<&str> {
        match self {
            Record::Move { from, to, .. } => vec![from, to],
            Record::Create { path, .. }
            | Record::Edit { path, .. }
            | Record::Untrack { path, .. } => {
                vec![path]
            }
        }
    }
}

/// A folder and its permission bits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct DirMode {
    /// Relative path.
    pub path: String,
    /// Permission bits (`0o755`).
    pub mode: u32,
}

/// What a file holds, compact enough to keep for every file a run touches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Fingerprint {
    /// A symbolic link (its target is the content), not a regular file.
    pub link: bool,
    /// Length in bytes.
    pub len: u64,
    /// 64-bit FNV-1a of the bytes, in hex.
    pub fnv: String,
    /// Permission bits; `None` when not checked (a created file's mode is the umask's).
    pub mode: Option<u32>,
}

impl Fingerprint {
    /// The fingerprint of a regular file's bytes.
    pub fn of(bytes: &[u8], mode: Option<u32>) -> Fingerprint {
        Fingerprint {
            link: false,
            len: bytes.len() as u64,
            fnv: fnv1a(bytes),
            mode,
        }
    }

    /// Whether `found` is this file (the mode only when it is known).
    pub fn matches(&self, found: &Fingerprint) -> bool {
        self.link == found.link
            && self.len == found.len
            && self.fnv == found.fnv
            && (self.mode.is_none() || self.mode == found.mode)
    }
}

/// Bytes kept in the journal (the original content of an edited file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Blob", into = "Blob")]
pub(super) struct Bytes(pub Vec<u8>);

/// Bytes in JSON: text as it is, anything else in hex.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
enum Blob {
    /// Valid UTF-8.
    Text(String),
    /// Two lowercase hex digits per byte.
    Hex(String),
}

impl From<Bytes> for Blob {
    fn from(bytes: Bytes) -> Blob {
        match String::from_utf8(bytes.0) {
            Ok(text) => Blob::Text(text),
            Err(err) => Blob::Hex(err.as_bytes().iter().fold(String::new(), |mut hex, b| {
                let _ = write!(hex, "{b:02x}");
                hex
            })),
        }
    }
}

impl TryFrom<Blob> for Bytes {
    type Error = String;

    fn try_from(blob: Blob) -> Result<Bytes, String> {
        match blob {
            Blob::Text(text) => Ok(Bytes(text.into_bytes())),
            Blob::Hex(hex) => {
                let bad = || format!("malformed hex bytes `{hex}`");
                if hex.len() % 2 != 0 {
                    return Err(bad());
                }
                (0..hex.len())
                    .step_by(2)
                    .map(|i| {
                        hex.get(i..i + 2)
                            .and_then(|pair| u8::from_str_radix(pair, 16).ok())
                    })
                    .collect::<Option<Vec<u8>>>()
                    .map(Bytes)
                    .ok_or_else(bad)
            }
        }
    }
}

/// 64-bit FNV-1a, in hex: stable across Rust versions, unlike `DefaultHasher`.
pub(super) fn fnv1a(bytes: &[u8]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in bytes {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{hash:016x}")
}

/// A journal open for appending.
#[derive(Debug)]
pub(super) struct Writer {
    file: File,
    path: PathBuf,
    seq: u64,
}

impl Writer {
    /// Create the next journal in `dir` (created if missing).
    pub fn create(dir: &Path) -> Result<Writer, JournalError> {
        fs::create_dir_all(dir).map_err(|source| io_error(dir, source))?;
        loop {
            let next = list(dir)?.last().map_or(1, |(seq, _)| seq + 1);
            let path = dir.join(format!("run-{next:06}.jsonl"));
            match OpenOptions::new().append(true).create_new(true).open(&path) {
                Ok(file) => {
                    // The new name must survive a crash too.
                    if let Ok(folder) = File::open(dir) {
                        let _ = folder.sync_all();
                    }
                    return Ok(Writer {
                        file,
                        path,
                        seq: next,
                    });
                }
                // Another run took the number: take the next.
                Err(err) if err.kind() == io::ErrorKind::AlreadyExists => {}
                Err(source) => return Err(io_error(&path, source)),
            }
        }
    }

    /// Open an existing journal to append to it.
    pub fn open(path: &Path) -> Result<Writer, JournalError> {
        let file = OpenOptions::new()
            .append(true)
            .open(path)
            .map_err(|source| io_error(path, source))?;
        Ok(Writer {
            file,
            path: path.to_path_buf(),
            seq: 0,
        })
    }

    /// The journal's sequence number (`run-NNNNNN`), 0 when opened to append.
    pub fn seq(&self) -> u64 {
        self.seq
    }

    /// The journal file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Append a line; with `sync`, it is on disk when this returns.
    pub fn append(&mut self, line: &Line, sync: bool) -> Result<(), JournalError> {
        let mut bytes = serde_json::to_vec(line).map_err(|err| JournalError::BadJournal {
            journal: self.path.display().to_string(),
            line: 0,
            why: err.to_string(),
        })?;
        bytes.push(b'\n');
        self.file
            .write_all(&bytes)
            .and_then(|()| if sync { self.file.sync_data() } else { Ok(()) })
            .map_err(|source| io_error(&self.path, source))
    }
}

/// The journals in `dir`, oldest first, with their sequence numbers.
pub(super) fn list(dir: &Path) -> Result<Vec<(u64, PathBuf)>, JournalError> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => return Err(io_error(dir, source)),
    };
    let mut found: Vec<(u64, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name();
            let seq = name
                .to_str()?
                .strip_prefix("run-")?
                .strip_suffix(".jsonl")?
                .parse()
                .ok()?;
            Some((seq, entry.path()))
        })
        .collect();
    found.sort();
    Ok(found)
}

/// Every complete line of a journal (a last line without its newline was cut by a crash).
pub(super) fn read(path: &Path) -> Result<Vec<Line>, JournalError> {
    let bytes = fs::read(path).map_err(|source| io_error(path, source))?;
    let complete = match bytes.iter().rposition(|b| *b == b'\n') {
        Some(end) => &bytes[..=end],
        None => &[][..],
    };
    complete
        .split(|b| *b == b'\n')
        .enumerate()
        .filter(|(_, line)| !line.is_empty())
        .map(|(n, line)| {
            serde_json::from_slice(line).map_err(|err| JournalError::BadJournal {
                journal: path.display().to_string(),
                line: n + 1,
                why: err.to_string(),
            })
        })
        .collect()
}

fn io_error(path: &Path, source: io::Error) -> JournalError {
    JournalError::Io {
        path: path.display().to_string(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_in_json_keep_any_bytes() {
        for bytes in [&b"text\n"[..], b"", b"\xff\x00latin \xe9", "é".as_bytes()] {
            let json = serde_json::to_string(&Bytes(bytes.to_vec())).unwrap();
            let back: Bytes = serde_json::from_str(&json).unwrap();
            assert_eq!(back.0, bytes, "{json}");
        }
        assert_eq!(
            serde_json::to_string(&Bytes(b"a\xff".to_vec())).unwrap(),
            r#"{"hex":"61ff"}"#
        );
        assert_eq!(
            serde_json::to_string(&Bytes(b"a".to_vec())).unwrap(),
            r#"{"text":"a"}"#
        );
        for bad in [r#"{"hex":"f"}"#, r#"{"hex":"zz"}"#, r#"{"base64":""}"#] {
            assert!(serde_json::from_str::<Bytes>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn fnv_is_the_published_function() {
        // Test vectors of FNV-1a 64.
        assert_eq!(fnv1a(b""), "cbf29ce484222325");
        assert_eq!(fnv1a(b"a"), "af63dc4c8601ec8c");
        assert_eq!(fnv1a(b"foobar"), "85944171f73967e8");
    }

    #[test]
    fn a_line_cut_by_a_crash_is_ignored_and_a_bad_line_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let mut writer = Writer::create(dir.path()).unwrap();
        writer.append(&Line::Done { step: 3 }, true).unwrap();
        let path = writer.path().to_path_buf();
        assert!(path.ends_with("run-000001.jsonl"));
        fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(b"{\"done\":{\"st")
            .unwrap();
        assert_eq!(read(&path).unwrap(), [Line::Done { step: 3 }]);
        fs::write(&path, "{\"done\":{\"step\":1}}\n{\"nope\":{}}\n").unwrap();
        let err = read(&path).unwrap_err();
        assert!(
            matches!(err, JournalError::BadJournal { line: 2, .. }),
            "{err}"
        );
        let second = Writer::create(dir.path()).unwrap();
        assert!(second.path().ends_with("run-000002.jsonl"));
    }
}
