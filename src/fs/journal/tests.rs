//! Apply and undo on real folders, with and without git: unit tests, a crash test (a child
//! process aborted after each step), and a property test of random trees and runs
//! ([`properties`]).

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::ExitStatusExt;
use std::process::Command;

use super::*;

mod properties;

/// What is at a path, for comparing trees.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Node {
    File { bytes: Vec<u8>, mode: u32 },
    Link(PathBuf),
    Dir { mode: u32 },
}

/// Everything below `root` but `.git`, with bytes and modes.
fn snapshot(root: &Path) -> BTreeMap<String, Node> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Node>) {
        for entry in fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            let path = entry.path();
            let rel = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            if rel == ".git" {
                continue;
            }
            let meta = fs::symlink_metadata(&path).unwrap();
            let mode = meta.permissions().mode() & 0o7777;
            if meta.file_type().is_symlink() {
                out.insert(rel, Node::Link(fs::read_link(&path).unwrap()));
            } else if meta.is_dir() {
                out.insert(rel, Node::Dir { mode });
                walk(root, &path, out);
            } else {
                let bytes = fs::read(&path).unwrap();
                out.insert(rel, Node::File { bytes, mode });
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

/// The files only (folders and squarely's journal left out).
fn files(root: &Path) -> BTreeMap<String, Node> {
    snapshot(root)
        .into_iter()
        .filter(|(path, node)| {
            !matches!(node, Node::Dir { .. }) && !path.starts_with(".squarely/organize")
        })
        .collect()
}

fn write(root: &Path, path: &str, bytes: &[u8], mode: u32) {
    let full = root.join(path);
    fs::create_dir_all(full.parent().unwrap()).unwrap();
    fs::write(&full, bytes).unwrap();
    fs::set_permissions(&full, fs::Permissions::from_mode(mode)).unwrap();
}

/// Run git in `root` with a local identity (the global configuration is never touched).
fn git(root: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .current_dir(root)
        .args(["-c", "core.quotepath=false", "-c", "commit.gpgsign=false"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "git {args:?}: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A repository with everything in `root` committed except what `untracked` (exclude
/// patterns, anchored at the top) names.
fn init_repo(root: &Path, untracked: &[&str]) {
    git(root, &["init", "-q", "-b", "main"]);
    git(root, &["config", "user.name", "Test"]);
    git(root, &["config", "user.email", "test@example.com"]);
    git(root, &["config", "commit.gpgsign", "false"]);
    let exclude: Vec<String> = untracked.iter().map(|p| format!("/{p}\n")).collect();
    fs::write(root.join(".git/info/exclude"), exclude.concat()).unwrap();
    git(root, &["add", "-A"]);
    fs::write(root.join(".git/info/exclude"), "").unwrap();
    git(root, &["commit", "-q", "--allow-empty", "-m", "init"]);
}

/// Index, status and HEAD: what git knows, for comparing.
fn git_state(root: &Path) -> (String, String, String) {
    (
        git(root, &["ls-files", "-s", "-z"]),
        git(root, &["status", "--porcelain=v1", "-z", "-uall"]),
        git(root, &["rev-parse", "HEAD"]),
    )
}

fn mv(from: &str, to: &str) -> Step {
    Step::Move {
        from: from.into(),
        to: to.into(),
    }
}

fn create(path: &str, contents: &str) -> Step {
    Step::Create {
        path: path.into(),
        contents: contents.into(),
    }
}

fn edit(path: &str, before: &str, after: &str) -> Step {
    Step::Edit {
        path: path.into(),
        before: before.into(),
        after: after.into(),
    }
}

fn untrack(path: &str) -> Step {
    Step::Untrack { path: path.into() }
}

fn one_group(steps: Vec<Step>) -> Run {
    Run {
        groups: vec![Group {
            title: "organize".into(),
            steps,
        }],
    }
}

/// A small layered project: controllers and models, a script, a stray file.
fn layered(root: &Path) {
    write(
        root,
        "controllers/users.py",
        b"from models.user import User\n",
        0o644,
    );
    write(root, "models/user.py", b"class User: ...\n", 0o644);
    write(root, "models/keep.txt", b"keep\n", 0o600);
    write(root, "run.sh", b"#!/bin/sh\necho hi\n", 0o755);
    write(root, "notes.md", b"# notes\n", 0o644);
}

fn layered_run() -> Run {
    Run {
        groups: vec![
            Group {
                title: "organize: move users".into(),
                steps: vec![
                    mv("controllers/users.py", "app/users/controller.py"),
                    mv("models/user.py", "app/users/models.py"),
                    mv("run.sh", "scripts/run.sh"),
                    create("app/__init__.py", ""),
                    create("app/users/__init__.py", ""),
                ],
            },
            Group {
                title: "organize: imports of users".into(),
                steps: vec![
                    edit(
                        "app/users/controller.py",
                        "from models.user import User\n",
                        "from app.users.models import User\n",
                    ),
                    mv("notes.md", "docs/notes.md"),
                ],
            },
        ],
    }
}

#[test]
fn without_git_apply_does_what_the_run_says_and_undo_restores_everything() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    layered(root);
    let before = snapshot(root);
    let applied = apply(root, &layered_run(), Commit::No, None).unwrap();
    assert_eq!(applied.steps, 7);
    assert!(applied.commits.is_empty());
    assert!(
        applied
            .journal
            .ends_with(".squarely/organize/run-000001.jsonl"),
        "{}",
        applied.journal.display()
    );
    let after = files(root);
    let paths: Vec<&str> = after.keys().map(String::as_str).collect();
    assert_eq!(
        paths,
        [
            "app/__init__.py",
            "app/users/__init__.py",
            "app/users/controller.py",
            "app/users/models.py",
            "docs/notes.md",
            "models/keep.txt",
            "scripts/run.sh",
        ]
    );
    assert_eq!(
        after["app/users/controller.py"],
        Node::File {
            bytes: b"from app.users.models import User\n".to_vec(),
            mode: 0o644
        }
    );
    assert!(matches!(
        after["scripts/run.sh"],
        Node::File { mode: 0o755, .. }
    ));
    assert!(!root.join("controllers").exists(), "an emptied folder goes");
    assert!(
        root.join("models").exists(),
        "a folder still holding files stays"
    );

    let undone = undo(root).unwrap();
    assert_eq!(undone.steps, 7);
    assert_eq!(undone.reset_to, None);
    assert_eq!(snapshot(root), before, "names, bytes, modes and folders");
    assert!(
        !root.join(".squarely").exists(),
        "the journal goes with the run"
    );
    assert!(matches!(
        undo(root),
        Err(JournalError::NothingToUndo { .. })
    ));
}

#[test]
fn nothing_is_overwritten_and_a_bad_step_stops_the_run_before_any_change() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    layered(root);
    let before = snapshot(root);
    // Each is added after the steps of `layered_run`, which moved notes.md to docs/.
    let cases: Vec<(Step, &str)> = vec![
        (
            mv("docs/notes.md", "scripts/run.sh"),
            "scripts/run.sh: already exists",
        ),
        (mv("docs/notes.md", "models"), "models: already exists"),
        (
            create("models/keep.txt", "x"),
            "models/keep.txt: already exists",
        ),
        (
            create("app/users/models.py", "x"),
            "app/users/models.py: already exists",
        ),
        (mv("notes.md", "a.py"), "notes.md: no such file"),
        (mv("models", "m2"), "models: not a regular file"),
        (
            create("docs/notes.md/x", "x"),
            "docs/notes.md/x: cannot be created: docs/notes.md is a file",
        ),
        (
            edit("docs/notes.md", "# not what is there\n", "x"),
            "docs/notes.md: changed since the plan was made",
        ),
        (
            untrack("docs/notes.md"),
            "not in a git repository; untracking a file needs git",
        ),
        (
            create("../x", "x"),
            "../x: refused: not a plain relative path",
        ),
        (
            create("/abs", "x"),
            "/abs: refused: not a plain relative path",
        ),
        (
            create("a//b", "x"),
            "a//b: refused: not a plain relative path",
        ),
        (
            create("./a", "x"),
            "./a: refused: not a plain relative path",
        ),
        (create("a/", "x"), "a/: refused: not a plain relative path"),
        (
            create(".git/hooks/x", "x"),
            ".git/hooks/x: refused: it belongs to git",
        ),
        (
            create(".squarely/organize/x", "x"),
            ".squarely/organize/x: refused: squarely's journal lives there",
        ),
    ];
    for (bad, message) in cases {
        let mut run = layered_run();
        run.groups[1].steps.push(bad);
        let err = apply(root, &run, Commit::No, None).unwrap_err();
        assert!(err.to_string().contains(message), "{message}: {err}");
        assert_eq!(snapshot(root), before, "{message}: nothing changed");
    }
}

#[test]
fn a_path_through_a_symbolic_link_is_refused_and_a_link_moves_as_a_link() {
    let dir = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    let root = dir.path();
    layered(root);
    std::os::unix::fs::symlink(outside.path(), root.join("out")).unwrap();
    std::os::unix::fs::symlink("notes.md", root.join("NOTES.md")).unwrap();
    let err = apply(
        root,
        &one_group(vec![create("out/x", "x")]),
        Commit::No,
        None,
    )
    .unwrap_err();
    assert!(matches!(err, JournalError::ThroughLink { .. }), "{err}");
    let err = apply(
        root,
        &one_group(vec![mv("notes.md", "out/n.md")]),
        Commit::No,
        None,
    )
    .unwrap_err();
    assert!(matches!(err, JournalError::ThroughLink { .. }), "{err}");
    let err = apply(
        root,
        &one_group(vec![edit("NOTES.md", "# notes\n", "x")]),
        Commit::No,
        None,
    )
    .unwrap_err();
    assert!(matches!(err, JournalError::NotAFile(_)), "{err}");
    assert_eq!(fs::read_dir(outside.path()).unwrap().count(), 0);

    let before = snapshot(root);
    apply(
        root,
        &one_group(vec![mv("NOTES.md", "docs/NOTES.md")]),
        Commit::No,
        None,
    )
    .unwrap();
    assert_eq!(
        fs::read_link(root.join("docs/NOTES.md")).unwrap(),
        Path::new("notes.md")
    );
    undo(root).unwrap();
    assert_eq!(snapshot(root), before);
}

#[test]
fn undo_refuses_files_changed_after_the_apply_and_names_them() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    layered(root);
    let before = snapshot(root);
    apply(root, &layered_run(), Commit::No, None).unwrap();
    let applied = snapshot(root);
    // Edited by the user, re-moded by the user, and a new file where a moved one was.
    fs::write(root.join("app/users/controller.py"), "mine\n").unwrap();
    fs::set_permissions(
        root.join("scripts/run.sh"),
        fs::Permissions::from_mode(0o700),
    )
    .unwrap();
    fs::write(root.join("notes.md"), "new notes\n").unwrap();
    let err = undo(root).unwrap_err();
    match &err {
        JournalError::ChangedSinceApply { files, .. } => assert_eq!(
            files,
            &["app/users/controller.py", "notes.md", "scripts/run.sh"]
        ),
        other => panic!("{other}"),
    }
    assert!(
        err.to_string()
            .contains("app/users/controller.py, notes.md, scripts/run.sh")
    );
    let mut now = snapshot(root);
    now.remove("notes.md");
    let mut expected = applied.clone();
    expected.insert(
        "app/users/controller.py".into(),
        Node::File {
            bytes: b"mine\n".to_vec(),
            mode: 0o644,
        },
    );
    expected.insert(
        "scripts/run.sh".into(),
        Node::File {
            bytes: b"#!/bin/sh\necho hi\n".to_vec(),
            mode: 0o700,
        },
    );
    assert_eq!(now, expected, "a refused undo changes nothing");
    // Put back as the run left them: now undo goes through.
    fs::remove_file(root.join("notes.md")).unwrap();
    fs::write(
        root.join("app/users/controller.py"),
        "from app.users.models import User\n",
    )
    .unwrap();
    fs::set_permissions(
        root.join("scripts/run.sh"),
        fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    undo(root).unwrap();
    assert_eq!(snapshot(root), before);

    // A copy of the last moved file back where it was: undo would have to overwrite it.
    apply(root, &layered_run(), Commit::No, None).unwrap();
    fs::copy(root.join("docs/notes.md"), root.join("notes.md")).unwrap();
    let err = undo(root).unwrap_err();
    assert!(
        matches!(&err, JournalError::ChangedSinceApply { files, .. } if files == &["notes.md"]),
        "{err}"
    );
}

#[test]
fn runs_are_undone_last_first() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    layered(root);
    let original = snapshot(root);
    apply(root, &layered_run(), Commit::No, None).unwrap();
    let first = snapshot(root);
    let second = one_group(vec![
        mv("docs/notes.md", "docs/guide/notes.md"),
        edit("docs/guide/notes.md", "# notes\n", "# guide\n"),
        create("docs/README.md", "# docs\n"),
    ]);
    let applied = apply(root, &second, Commit::No, None).unwrap();
    assert!(applied.journal.ends_with("run-000002.jsonl"));
    undo(root).unwrap();
    assert_eq!(snapshot(root), first);
    undo(root).unwrap();
    assert_eq!(snapshot(root), original);
}

#[test]
fn with_git_tracked_files_move_with_git_and_undo_restores_the_index() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    layered(root);
    write(root, "build/out.o", b"\x7fELF\0\x01", 0o644);
    write(root, "scratch.txt", b"untracked\n", 0o644);
    write(root, "src/*weird [1] é.py", b"x = 1\n", 0o644);
    init_repo(root, &["scratch.txt"]);
    let before = snapshot(root);
    let git_before = git_state(root);
    let run = Run {
        groups: vec![Group {
            title: "organize".into(),
            steps: vec![
                mv("controllers/users.py", "app/users/controller.py"),
                mv("scratch.txt", "docs/scratch.txt"),
                mv("src/*weird [1] é.py", "app/*weird [1] é.py"),
                untrack("build/out.o"),
                edit("notes.md", "# notes\n", "# Notes\n"),
                create(".gitignore", "build/\n"),
            ],
        }],
    };
    let applied = apply(root, &run, Commit::No, None).unwrap();
    assert!(
        applied
            .journal
            .starts_with(root.join(".git/squarely/organize")),
        "{}",
        applied.journal.display()
    );
    let status = git(root, &["status", "--porcelain=v1", "-uall"]);
    let mut lines: Vec<&str> = status.lines().collect();
    lines.sort_unstable();
    assert_eq!(
        lines,
        [
            " M notes.md",
            "?? .gitignore",
            "?? docs/scratch.txt",
            "D  build/out.o",
            "R  \"src/*weird [1] é.py\" -> \"app/*weird [1] é.py\"",
            "R  controllers/users.py -> app/users/controller.py",
        ]
    );
    assert!(
        root.join("build/out.o").exists(),
        "untracking keeps the file"
    );
    undo(root).unwrap();
    assert_eq!(snapshot(root), before);
    assert_eq!(git_state(root), git_before);
    assert!(!root.join(".git/squarely").exists());
}

#[test]
fn a_folder_inside_a_repository_keeps_its_paths_relative_to_itself() {
    let dir = tempfile::tempdir().unwrap();
    let top = dir.path();
    layered(&top.join("service"));
    write(top, "README.md", b"# top\n", 0o644);
    init_repo(top, &[]);
    let root = top.join("service");
    let before = snapshot(top);
    let git_before = git_state(top);
    let GitStatus::Repository(repo) = git_status(&root).unwrap() else {
        panic!("a repository");
    };
    assert_eq!(repo.prefix, "service/");
    assert!(repo.is_clean());
    let run = one_group(vec![
        mv("models/user.py", "app/user.py"),
        untrack("notes.md"),
    ]);
    apply(&root, &run, Commit::No, None).unwrap();
    let GitStatus::Repository(repo) = git_status(&root).unwrap() else {
        panic!("a repository");
    };
    assert_eq!(repo.changed, ["app/user.py", "models/user.py", "notes.md"]);
    assert_eq!(repo.untracked, ["notes.md"]);
    fs::write(top.join("README.md"), "# changed\n").unwrap();
    let GitStatus::Repository(repo) = git_status(&root).unwrap() else {
        panic!("a repository");
    };
    assert!(repo.changed.contains(&":/README.md".to_owned()), "{repo:?}");
    fs::write(top.join("README.md"), "# top\n").unwrap();
    undo(&root).unwrap();
    assert_eq!(snapshot(top), before);
    assert_eq!(git_state(top), git_before);
}

#[test]
fn git_status_outside_a_repository() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(git_status(dir.path()).unwrap(), GitStatus::NotARepository);
}

#[test]
fn commit_yes_makes_one_commit_per_group_that_follow_keeps_and_undo_resets() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    layered(root);
    write(root, "scratch.txt", b"untracked\n", 0o644);
    init_repo(root, &["scratch.txt"]);
    let before = snapshot(root);
    let git_before = git_state(root);
    let mut run = layered_run();
    run.groups.push(Group {
        title: "organize: nothing git tracks".into(),
        steps: vec![mv("scratch.txt", "docs/scratch.txt")],
    });
    let applied = apply(root, &run, Commit::Yes, None).unwrap();
    let titles: Vec<&str> = applied.commits.iter().map(|c| c.title.as_str()).collect();
    assert_eq!(
        titles,
        ["organize: move users", "organize: imports of users"]
    );
    let log = git(root, &["log", "--format=%s"]);
    assert_eq!(
        log,
        "organize: imports of users\norganize: move users\ninit\n"
    );
    let follow = git(
        root,
        &[
            "log",
            "--follow",
            "--format=%s",
            "--",
            "app/users/controller.py",
        ],
    );
    assert_eq!(
        follow,
        "organize: imports of users\norganize: move users\ninit\n"
    );
    assert_eq!(
        git(root, &["status", "--porcelain=v1", "-uall"]),
        "?? docs/scratch.txt\n",
        "everything the run touched is committed, the untracked file stays untracked"
    );
    let undone = undo(root).unwrap();
    assert_eq!(undone.reset_to.as_deref(), Some(git_before.2.trim()));
    assert_eq!(snapshot(root), before);
    assert_eq!(git_state(root), git_before);
}

#[test]
fn undo_after_commits_refuses_when_the_branch_moved_on_or_the_tree_is_dirty() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    layered(root);
    write(root, "other.txt", b"other\n", 0o644);
    init_repo(root, &[]);
    let applied = apply(root, &layered_run(), Commit::Yes, None).unwrap();
    fs::write(root.join("other.txt"), "changed\n").unwrap();
    let err = undo(root).unwrap_err();
    assert!(
        matches!(&err, JournalError::Dirty { files, .. } if files == &["other.txt"]),
        "{err}"
    );
    git(root, &["commit", "-q", "-am", "more work"]);
    let err = undo(root).unwrap_err();
    let JournalError::CommitsMoved { commits, .. } = &err else {
        panic!("{err}");
    };
    let mut ours: Vec<String> = applied.commits.iter().map(|c| c.commit.clone()).collect();
    ours.reverse();
    assert_eq!(commits, &ours);
    assert!(err.to_string().contains("git revert"), "{err}");
}

#[test]
fn commit_yes_needs_a_repository_with_a_commit_and_clean_tracked_files() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    layered(root);
    let err = apply(root, &layered_run(), Commit::Yes, None).unwrap_err();
    assert!(matches!(err, JournalError::NotGit { .. }), "{err}");
    git(root, &["init", "-q"]);
    let err = apply(root, &layered_run(), Commit::Yes, None).unwrap_err();
    assert!(matches!(err, JournalError::NoCommits { .. }), "{err}");
    git(root, &["config", "user.name", "Test"]);
    git(root, &["config", "user.email", "test@example.com"]);
    git(root, &["add", "-A"]);
    git(root, &["commit", "-q", "-m", "init"]);
    fs::write(root.join("notes.md"), "dirty\n").unwrap();
    let err = apply(root, &layered_run(), Commit::Yes, None).unwrap_err();
    assert!(
        matches!(&err, JournalError::Dirty { files, .. } if files == &["notes.md"]),
        "{err}"
    );
    assert!(
        !root.join(".git/squarely").exists(),
        "no journal for a refused run"
    );
}

#[test]
fn a_failure_half_way_takes_back_everything_done() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    layered(root);
    init_repo(root, &[]);
    // Staged content different from both the file and HEAD: `git rm --cached` refuses.
    fs::write(root.join("notes.md"), "staged\n").unwrap();
    git(root, &["add", "notes.md"]);
    fs::write(root.join("notes.md"), "worktree\n").unwrap();
    let before = snapshot(root);
    let git_before = git_state(root);
    let mut run = layered_run();
    run.groups[1].steps.push(untrack("notes.md"));
    run.groups[1].steps[1] = create("docs/other.md", "x\n");
    let err = apply(root, &run, Commit::No, None).unwrap_err();
    assert!(matches!(err, JournalError::RolledBack { .. }), "{err}");
    assert!(err.to_string().contains("git rm notes.md failed"), "{err}");
    assert_eq!(snapshot(root), before);
    assert_eq!(git_state(root), git_before);
    assert!(
        !root.join(".git/squarely").exists(),
        "the journal of a run taken back goes"
    );
}

// ---- crash test: a child process aborts after step n, then undo ----

/// Which run the crash child applies, how, and where: `ROOT\tN\tMODE`.
const CRASH_ENV: &str = "SQUARELY_JOURNAL_TEST_CRASH";

/// How a crash scenario runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Plain,
    Git,
    GitCommit,
}

impl Mode {
    fn name(self) -> &'static str {
        match self {
            Mode::Plain => "plain",
            Mode::Git => "git",
            Mode::GitCommit => "commit",
        }
    }

    fn commit(self) -> Commit {
        if self == Mode::GitCommit {
            Commit::Yes
        } else {
            Commit::No
        }
    }
}

fn crash_tree(root: &Path, mode: Mode) {
    layered(root);
    write(root, "blob.bin", b"\0\xff\xfe binary", 0o640);
    write(root, "scratch.txt", b"untracked\n", 0o644);
    if mode != Mode::Plain {
        init_repo(root, &["scratch.txt"]);
    }
}

fn crash_run(mode: Mode) -> Run {
    let mut run = layered_run();
    let mut rest = vec![
        // Bytes that are not UTF-8 are journaled too.
        Step::Edit {
            path: "blob.bin".into(),
            before: b"\0\xff\xfe binary".to_vec(),
            after: b"\xfe\xff replaced".to_vec(),
        },
        mv("scratch.txt", "tmp/scratch.txt"),
    ];
    if mode != Mode::Plain {
        rest.push(untrack("blob.bin"));
    }
    run.groups.push(Group {
        title: "organize: the rest".into(),
        steps: rest,
    });
    run
}

/// Not a test on its own: the crash test runs this in a child process, which aborts.
#[test]
fn crash_child() {
    // The test environment is read only here, in the child the crash test starts.
    let Ok(spec) = std::env::var(CRASH_ENV) else {
        return;
    };
    let mut parts = spec.split('\t');
    let (root, n, mode) = (
        PathBuf::from(parts.next().unwrap()),
        parts.next().unwrap().parse().unwrap(),
        parts.next().unwrap(),
    );
    let mode = [Mode::Plain, Mode::Git, Mode::GitCommit]
        .into_iter()
        .find(|m| m.name() == mode)
        .unwrap();
    if let Err(err) = apply(&root, &crash_run(mode), mode.commit(), Some(n)) {
        panic!("{err}");
    }
}

/// Apply in a child process that aborts right after step `n`.
fn crash_at(root: &Path, n: usize, mode: Mode) {
    let output = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "fs::journal::tests::crash_child",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(
            CRASH_ENV,
            format!("{}\t{n}\t{}", root.display(), mode.name()),
        )
        .output()
        .unwrap();
    assert_eq!(
        output.status.signal(),
        Some(6),
        "{mode:?}, step {n}: the child aborts ({}): {}",
        output.status,
        String::from_utf8_lossy(&output.stdout)
    );
}

fn journal_of(root: &Path, mode: Mode) -> PathBuf {
    let dir = if mode == Mode::Plain {
        root.join(".squarely/organize")
    } else {
        root.join(".git/squarely/organize")
    };
    dir.join("run-000001.jsonl")
}

#[test]
fn a_crash_after_any_step_or_during_one_is_undone_exactly() {
    for mode in [Mode::Plain, Mode::Git, Mode::GitCommit] {
        let steps = crash_run(mode)
            .groups
            .iter()
            .map(|g| g.steps.len())
            .sum::<usize>();
        // The journal of a whole run, for the records of steps cut short.
        let reference = tempfile::tempdir().unwrap();
        crash_tree(reference.path(), mode);
        crash_at(reference.path(), steps, mode);
        let full = record::read(&journal_of(reference.path(), mode)).unwrap();
        let begin = |n: usize| {
            full.iter()
                .find(|line| matches!(line, Line::Begin { step, .. } if *step == n))
                .unwrap()
                .clone()
        };

        for n in 0..=steps {
            let dir = tempfile::tempdir().unwrap();
            let root = dir.path();
            crash_tree(root, mode);
            let before = snapshot(root);
            let git_before = (mode != Mode::Plain).then(|| git_state(root));
            crash_at(root, n, mode);
            let journal = journal_of(root, mode);
            assert!(journal.exists(), "{mode:?} {n}");
            let err = apply(root, &crash_run(mode), mode.commit(), None).unwrap_err();
            assert!(matches!(err, JournalError::Unfinished { .. }), "{err}");
            match n % 3 {
                // Step n was carried out but not marked done.
                1 => {
                    let lines = record::read(&journal).unwrap();
                    let kept: String = lines
                        .iter()
                        .filter(|line| !matches!(line, Line::Done { step } if *step + 1 == n))
                        .map(|line| serde_json::to_string(line).unwrap() + "\n")
                        .collect();
                    fs::write(&journal, kept).unwrap();
                }
                // Step n + 1 began: its record is journaled and its temporary file half
                // written, and the crash came before it changed anything else.
                2 if n < steps => {
                    let line = begin(n);
                    if let Line::Begin {
                        record: Record::Create { temp, .. } | Record::Edit { temp, .. },
                        ..
                    } = &line
                    {
                        fs::write(root.join(temp), "half").unwrap();
                    }
                    let mut file = OpenOptions::new().append(true).open(&journal).unwrap();
                    let mut bytes = serde_json::to_vec(&line).unwrap();
                    bytes.push(b'\n');
                    file.write_all(&bytes).unwrap();
                    // And a line cut short after it.
                    file.write_all(b"{\"done\":{\"st").unwrap();
                }
                _ => {}
            }
            let undone = undo(root).unwrap_or_else(|err| panic!("{mode:?} {n}: {err}"));
            assert!(undone.steps <= steps);
            assert_eq!(snapshot(root), before, "{mode:?}, crash after step {n}");
            if let Some(git_before) = git_before {
                assert_eq!(
                    git_state(root),
                    git_before,
                    "{mode:?}, crash after step {n}"
                );
            }
            assert!(!journal.exists());
        }
    }
}
