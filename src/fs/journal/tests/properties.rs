//! Property test: random trees (names with spaces, glob characters and non-ASCII, bytes that
//! are not text, executable and private modes, folder modes, tracked and untracked files) and
//! random valid runs of moves, creates, edits and untracks, in one or more groups. After
//! apply the tree is what the run says; after undo it is the tree before, names, bytes and
//! modes, and git's index and HEAD are back too. Few cases: each is a real folder, and the git
//! cases run git.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use proptest::prelude::*;

use super::{Node, files, git, git_state, init_repo, mv, snapshot, untrack, write};
use crate::fs::journal::{Commit, Group, Run, Step, apply, undo};

/// Folders and names of the original tree: spaces, glob characters, non-ASCII, hidden.
const DIRS: [&str; 4] = ["", "D", "D/E b", "Dé"];
const NAMES: [&str; 6] = ["f", "f b.txt", "f*.py", "fé", "f[1]", ".f"];
/// Where files go and how new ones are named (never the name of an original folder).
const NEW_DIRS: [&str; 5] = ["", "d", "d/e", "D", "D/n q"];
const NEW_NAMES: [&str; 4] = ["n", "n c.rs", "n?", "nü"];
const MODES: [u32; 4] = [0o644, 0o755, 0o600, 0o700];
const DIR_MODES: [u32; 3] = [0o755, 0o750, 0o700];

/// One file of the original tree: (folder, name, bytes, mode, tracked), by index.
type FileSpec = (usize, usize, Vec<u8>, usize, bool);
/// One operation: (kind, which file, which target, bytes, starts a new group).
type OpSpec = (u8, usize, usize, Vec<u8>, bool);

fn path_of(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_owned()
    } else {
        format!("{dir}/{name}")
    }
}

/// A file as the run leaves it: bytes and mode (`None` for a created file: the umask's).
type Virtual = BTreeMap<String, (Vec<u8>, Option<u32>)>;

/// Turn random operations into a valid run on `tree`, and the files it should leave.
fn build_run(tree: &Virtual, tracked: &[String], git: bool, ops: &[OpSpec]) -> (Run, Virtual) {
    let mut files = tree.clone();
    let mut tracked: BTreeSet<String> = tracked.iter().cloned().collect();
    let mut groups = vec![Group {
        title: "g0".into(),
        steps: Vec::new(),
    }];
    for (kind, which, target, bytes, new_group) in ops {
        if *new_group && !groups.last().unwrap().steps.is_empty() {
            groups.push(Group {
                title: format!("g{}", groups.len()),
                steps: Vec::new(),
            });
        }
        let existing: Vec<String> = files.keys().cloned().collect();
        let target = path_of(
            NEW_DIRS[target % NEW_DIRS.len()],
            NEW_NAMES[target / NEW_DIRS.len() % NEW_NAMES.len()],
        );
        let step = match kind % 4 {
            0 if !existing.is_empty() && !files.contains_key(&target) => {
                let from = existing[which % existing.len()].clone();
                let file = files.remove(&from).unwrap();
                files.insert(target.clone(), file);
                if tracked.remove(&from) {
                    tracked.insert(target.clone());
                }
                mv(&from, &target)
            }
            1 if !files.contains_key(&target) => {
                files.insert(target.clone(), (bytes.clone(), None));
                Step::Create {
                    path: target,
                    contents: bytes.clone(),
                }
            }
            2 if !existing.is_empty() => {
                let path = existing[which % existing.len()].clone();
                let file = files.get_mut(&path).unwrap();
                let before = std::mem::replace(&mut file.0, bytes.clone());
                Step::Edit {
                    path,
                    before,
                    after: bytes.clone(),
                }
            }
            3 if git && !tracked.is_empty() => {
                let path = tracked.iter().nth(which % tracked.len()).unwrap().clone();
                tracked.remove(&path);
                untrack(&path)
            }
            _ => continue,
        };
        groups.last_mut().unwrap().steps.push(step);
    }
    (Run { groups }, files)
}

fn check_property(
    specs: &[FileSpec],
    dir_modes: &[usize],
    ops: &[OpSpec],
    git: bool,
    commit: Commit,
) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let mut tree = Virtual::new();
    let mut untracked = Vec::new();
    for (dir_index, name, bytes, mode, is_tracked) in specs {
        let path = path_of(DIRS[*dir_index], NAMES[*name]);
        if tree.contains_key(&path) {
            continue;
        }
        write(root, &path, bytes, MODES[*mode]);
        tree.insert(path.clone(), (bytes.clone(), Some(MODES[*mode])));
        if !is_tracked {
            untracked.push(path);
        }
    }
    // Folders a move empties are removed and made again by undo, with their modes.
    for (dir, mode) in DIRS.iter().zip(dir_modes) {
        if !dir.is_empty() && root.join(dir).exists() {
            let mode = fs::Permissions::from_mode(DIR_MODES[*mode]);
            fs::set_permissions(root.join(dir), mode).unwrap();
        }
    }
    if git {
        // Exclude patterns: glob characters escaped, so each names one file.
        let patterns: Vec<String> = untracked
            .iter()
            .map(|path| {
                path.chars()
                    .map(|c| match c {
                        '*' | '?' | '[' | '\\' => format!("\\{c}"),
                        _ => c.to_string(),
                    })
                    .collect()
            })
            .collect();
        let patterns: Vec<&str> = patterns.iter().map(String::as_str).collect();
        init_repo(root, &patterns);
    }
    let tracked: Vec<String> = if git { git_ls_files(root) } else { Vec::new() };
    let (run, expected) = build_run(&tree, &tracked, git, ops);
    let before = snapshot(root);
    let git_before = git.then(|| git_state(root));

    apply(root, &run, commit, None).unwrap_or_else(|err| panic!("apply: {err}\n{run:#?}"));
    let after = files(root);
    let got: Virtual = after
        .into_iter()
        .map(|(path, node)| match node {
            Node::File { bytes, mode } => (path, (bytes, Some(mode))),
            other => panic!("{path}: {other:?}"),
        })
        .collect();
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>(),
        "{run:#?}"
    );
    for (path, (bytes, mode)) in &expected {
        assert_eq!(&got[path].0, bytes, "{path}");
        if mode.is_some() {
            assert_eq!(&got[path].1, mode, "{path}");
        }
    }

    undo(root).unwrap_or_else(|err| panic!("undo: {err}\n{run:#?}"));
    assert_eq!(snapshot(root), before, "{run:#?}");
    if let Some(git_before) = git_before {
        assert_eq!(git_state(root), git_before, "{run:#?}");
    }
}

fn git_ls_files(root: &Path) -> Vec<String> {
    git(root, &["ls-files", "-z"])
        .split('\0')
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect()
}

fn file_specs() -> impl Strategy<Value = Vec<FileSpec>> {
    prop::collection::vec(
        (
            0..DIRS.len(),
            0..NAMES.len(),
            prop::collection::vec(any::<u8>(), 0..48),
            0..MODES.len(),
            prop::bool::weighted(0.8),
        ),
        1..10,
    )
}

fn dir_modes() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(0..DIR_MODES.len(), DIRS.len())
}

fn op_specs() -> impl Strategy<Value = Vec<OpSpec>> {
    prop::collection::vec(
        (
            0u8..4,
            0usize..64,
            0usize..64,
            prop::collection::vec(any::<u8>(), 0..32),
            prop::bool::weighted(0.25),
        ),
        0..14,
    )
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 32,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn apply_then_undo_gives_back_the_same_tree(
        specs in file_specs(),
        dir_modes in dir_modes(),
        ops in op_specs(),
    ) {
        check_property(&specs, &dir_modes, &ops, false, Commit::No);
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 10,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn apply_then_undo_in_git_gives_back_the_same_tree_and_index(
        specs in file_specs(),
        dir_modes in dir_modes(),
        ops in op_specs(),
        commit in prop::bool::ANY,
    ) {
        let commit = if commit { Commit::Yes } else { Commit::No };
        check_property(&specs, &dir_modes, &ops, true, commit);
    }
}
