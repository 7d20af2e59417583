//! A hostile repository: squarely runs on untrusted pull requests, so every file of the
//! audited repository (its links and its `.squarely.yaml` included) is an attacker's. Nothing
//! it names is read or written outside it, nothing in it can hang a run, and no error prints
//! more than an excerpt of a file. See docs/security.md.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::support::{code, squarely, stderr};

const TOKEN: &str = "ghp_0123456789abcdefTOPSECRET";

/// A git repository (so its top is known) with a small Express service.
fn repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let git = std::process::Command::new("git")
        .args(["init", "-q"])
        .current_dir(dir.path())
        .status();
    if !git.is_ok_and(|s| s.success()) {
        fs::create_dir(dir.path().join(".git")).unwrap();
    }
    fs::write(
        dir.path().join("package.json"),
        "{\"name\": \"h\", \"dependencies\": {\"express\": \"4\"}}\n",
    )
    .unwrap();
    fs::create_dir_all(dir.path().join("src/routes")).unwrap();
    fs::write(
        dir.path().join("src/routes/users.js"),
        "module.exports = () => [];\n",
    )
    .unwrap();
    dir
}

/// A secret outside every repository, like a CI runner's credentials.
fn secret() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("credentials");
    fs::write(&file, format!("https://x:{TOKEN}@github.com\n")).unwrap();
    (dir, file)
}

/// Run squarely in `dir`, giving up after 30 seconds (a hang fails the test).
fn run_in(dir: &Path, args: &[&str]) -> std::process::Output {
    squarely()
        .current_dir(dir)
        .args(args)
        .timeout(Duration::from_secs(30))
        .output()
        .expect("squarely runs")
}

fn mkfifo(path: &Path) -> bool {
    std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .is_ok_and(|s| s.success())
}

#[test]
fn a_configuration_linked_out_of_the_repository_is_refused_unread() {
    let repo = repository();
    let (_keep, secret) = secret();
    std::os::unix::fs::symlink(&secret, repo.path().join(".squarely.yaml")).unwrap();
    let output = run_in(repo.path(), &["audit", "."]);
    assert_eq!(code(&output), 2);
    let err = stderr(&output);
    assert!(
        err.contains(".squarely.yaml: cannot read the configuration: outside"),
        "{err}"
    );
    assert!(!err.contains("TOPSECRET") && !err.contains("ghp_"), "{err}");
}

#[test]
fn files_a_configuration_or_a_rule_set_names_stay_in_the_repository() {
    let repo = repository();
    let (_keep, secret) = secret();
    let named = [
        format!("standards: [{}]\n", secret.display()),
        "standards: [rules/team.yaml]\n".to_owned(),
        format!("baseline: {}\n", secret.display()),
    ];
    fs::create_dir(repo.path().join("rules")).unwrap();
    fs::write(
        repo.path().join("rules/team.yaml"),
        format!(
            "id: team\nname: Team\nversion: \"1\"\nextends: {}\n",
            secret.display()
        ),
    )
    .unwrap();
    for config in named {
        fs::write(repo.path().join(".squarely.yaml"), &config).unwrap();
        let output = run_in(repo.path(), &["audit", "."]);
        assert_eq!(code(&output), 2, "{config}: {}", stderr(&output));
        let err = stderr(&output);
        assert!(err.contains("outside"), "{config}: {err}");
        assert!(!err.contains("TOPSECRET"), "{config}: {err}");
    }
    // A parse error quotes no more than the start of a value.
    fs::write(
        repo.path().join(".squarely.yaml"),
        format!("min-score: {TOKEN}\n"),
    )
    .unwrap();
    let err = stderr(&run_in(repo.path(), &["audit", "."]));
    assert!(!err.contains("TOPSECRET"), "{err}");
}

#[test]
fn reports_and_baselines_are_never_written_through_a_committed_link() {
    let repo = repository();
    let (_keep, secret) = secret();
    std::os::unix::fs::symlink(&secret, repo.path().join("squarely.sarif")).unwrap();
    std::os::unix::fs::symlink(&secret, repo.path().join("baseline.json")).unwrap();
    std::os::unix::fs::symlink(secret.parent().unwrap(), repo.path().join("reports")).unwrap();
    for args in [
        &["audit", ".", "--format", "sarif", "-o", "squarely.sarif"][..],
        &["audit", ".", "--save-baseline", "baseline.json"][..],
        &["audit", ".", "--format", "json", "-o", "reports/r.json"][..],
    ] {
        let output = run_in(repo.path(), args);
        assert_eq!(code(&output), 2, "{args:?}: {}", stderr(&output));
        assert!(stderr(&output).contains("link"), "{}", stderr(&output));
    }
    assert_eq!(
        fs::read_to_string(&secret).unwrap(),
        format!("https://x:{TOKEN}@github.com\n")
    );
    assert!(!secret.parent().unwrap().join("r.json").exists());
}

#[test]
fn reports_may_go_to_a_character_device_the_user_names() {
    // `-o /dev/null` is how a report is thrown away (benchmarks, a check of the exit code
    // alone); git cannot commit a device, so only the user can name one.
    let repo = repository();
    for args in [
        &["audit", ".", "--format", "json", "-o", "/dev/null"][..],
        &["audit", ".", "--save-baseline", "/dev/null"][..],
    ] {
        let output = run_in(repo.path(), args);
        assert!(code(&output) < 2, "{args:?}: {}", stderr(&output));
    }
}

#[test]
fn named_pipes_in_the_repository_do_not_hang_any_verb() {
    let repo = repository();
    // Without mkfifo (it is part of coreutils) there is nothing to test.
    if !mkfifo(&repo.path().join("app.py")) || !mkfifo(&repo.path().join("README.md")) {
        return;
    }
    for args in [
        &["audit", "."][..],
        &["audit", ".", "--workspace"][..],
        &["init", "--dry-run"][..],
        &["organize", "."][..],
    ] {
        let output = run_in(repo.path(), args);
        assert!(
            matches!(code(&output), 0 | 1),
            "{args:?}: {}",
            stderr(&output)
        );
    }
    let output = run_in(repo.path(), &["audit", ".", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(
        report["notices"]
            .to_string()
            .contains("a named pipe (FIFO), not a regular file"),
        "{}",
        report["notices"]
    );
}

/// A `.gitignore` committed as a link to `/dev/zero` made the walk read rules until memory
/// ran out; one committed as a FIFO hung it; one of 200,000 wildcard patterns took seconds
/// and a gigabyte to compile. None is applied now, each is noted, and a link that leads to a
/// secret above a subfolder being audited is not read either.
#[test]
fn hostile_ignore_files_neither_hang_nor_fill_memory() {
    let repo = repository();
    let (_outside, credentials) = secret();
    std::os::unix::fs::symlink("/dev/zero", repo.path().join(".gitignore")).unwrap();
    fs::create_dir_all(repo.path().join("src/api")).unwrap();
    std::os::unix::fs::symlink(&credentials, repo.path().join("src/.gitignore")).unwrap();
    fs::write(repo.path().join("src/api/debug.log"), "x").unwrap();
    let patterns = (0..12_000).fold(String::new(), |mut text, i| {
        text.push_str(&format!("*a{i}*b\n"));
        text
    });
    fs::create_dir_all(repo.path().join("docs")).unwrap();
    fs::write(repo.path().join("docs/.gitignore"), patterns).unwrap();
    let fifo = mkfifo(&repo.path().join("src/routes/.gitignore"));
    for dir in [".", "src/api"] {
        let output = run_in(repo.path(), &["audit", dir, "--format", "json"]);
        assert!(matches!(code(&output), 0 | 1), "{dir}: {}", stderr(&output));
        let notices =
            serde_json::from_slice::<serde_json::Value>(&output.stdout).unwrap()["notices"]
                .to_string();
        assert!(!notices.contains(TOKEN), "{notices}");
        if dir == "." {
            assert!(notices.contains("more than 10000 patterns"), "{notices}");
            assert!(notices.contains("symbolic link; its rules are not applied"));
            assert_eq!(notices.contains("not a regular file"), fifo, "{notices}");
        }
    }
}

#[test]
fn a_baseline_or_configuration_that_is_no_regular_file_is_refused_at_once() {
    let repo = repository();
    let output = run_in(repo.path(), &["audit", ".", "--baseline", "/dev/zero"]);
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("/dev/zero: cannot read the baseline: a device"),
        "{}",
        stderr(&output)
    );
    let fifo = repo.path().join("pipe");
    if mkfifo(&fifo) {
        for args in [
            &["audit", ".", "--baseline", "pipe"][..],
            &["audit", ".", "--config", "pipe"][..],
        ] {
            let output = run_in(repo.path(), args);
            assert_eq!(code(&output), 2, "{args:?}");
            assert!(
                stderr(&output).contains("named pipe"),
                "{args:?}: {}",
                stderr(&output)
            );
        }
    }
}

/// `git` in `dir`, which must succeed.
fn git(dir: &Path, args: &[&str]) {
    let status = std::process::Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .current_dir(dir)
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?}");
}

#[test]
fn organize_runs_no_filter_driver_the_repository_names() {
    if std::process::Command::new("git")
        .arg("--version")
        .output()
        .is_err()
    {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("notes");
    crate::support::copy_tree(
        &crate::support::fixtures().join("organize-fastapi-flat"),
        &repo,
    );
    fs::write(repo.join(".gitattributes"), "*.py filter=evil\n").unwrap();
    git(&repo, &["init", "-q"]);
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-qm", "init"]);
    // The driver is configured only now: setting the repository up ran nothing.
    let marker = dir.path().join("filter-ran");
    let command = format!("sh -c 'touch {}; cat'", marker.display());
    git(&repo, &["config", "filter.evil.clean", &command]);
    git(&repo, &["config", "filter.evil.smudge", &command]);
    let output = run_in(&repo, &["organize", ".", "--apply"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert!(!marker.exists(), "organize ran the filter driver");
    let output = run_in(&repo, &["organize", ".", "--undo"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert!(!marker.exists(), "undo ran the filter driver");
}

#[test]
fn the_walk_stays_on_the_repositorys_file_system() {
    // As root, a tmpfs mounted inside the repository stands for /proc under `audit /`.
    let repo = repository();
    let mount = repo.path().join("mounted");
    fs::create_dir(&mount).unwrap();
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=1m", "tmpfs"])
        .arg(&mount)
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        return; // not root, or no mount: nothing to test here
    }
    fs::write(mount.join("leak.py"), "SECRET = 1\n").unwrap();
    let output = run_in(repo.path(), &["audit", ".", "--format", "json"]);
    let _ = std::process::Command::new("umount").arg(&mount).status();
    assert!(matches!(code(&output), 0 | 1), "{}", stderr(&output));
    assert!(
        !String::from_utf8_lossy(&output.stdout).contains("leak.py"),
        "the walk entered another file system"
    );
}

#[test]
fn control_characters_in_file_names_are_escaped_in_human_formats() {
    let repo = repository();
    // An OSC sequence that retitles the terminal, and a newline that forges a workflow command.
    let names = ["evil\u{1b}]0;pwned\u{7}.js", "x\n::error file=a::forged.js"];
    for name in names {
        fs::write(repo.path().join(name), "x = 1\n").unwrap();
    }
    for (args, names_files) in [
        (&["audit", "."][..], true),
        (&["audit", ".", "--format", "markdown"][..], false),
        (&["audit", ".", "--format", "github"][..], true),
        (&["organize", "."][..], true),
    ] {
        let output = run_in(repo.path(), args);
        let out = String::from_utf8_lossy(&output.stdout);
        assert!(!out.contains('\u{1b}'), "{args:?}: a raw escape sequence");
        assert!(
            !out.lines().any(|l| l.starts_with("::error file=a")),
            "{args:?}: a forged workflow command:\n{out}"
        );
        assert!(
            !names_files || out.contains(r"\u{1b}"),
            "{args:?}: the name is shown escaped:\n{out}"
        );
    }
    // JSON keeps the real names (escaped by JSON itself).
    let output = run_in(repo.path(), &["audit", ".", "--format", "json"]);
    assert!(String::from_utf8_lossy(&output.stdout).contains(r"evil\u001b]0;pwned"));
}

#[test]
fn a_slow_rule_set_regex_is_stopped_and_said() {
    let repo = repository();
    // Random `a`s and `b`s: the worst case of a pattern that remembers the last 600 letters.
    let mut state: u32 = 2_463_534_242;
    let text: String = (0..128 * 16_001)
        .map(|i| {
            if i % 16_001 == 16_000 {
                return '\n';
            }
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            if state.is_multiple_of(2) { 'a' } else { 'b' }
        })
        .collect();
    fs::write(repo.path().join("big.md"), text).unwrap();
    fs::write(
        repo.path().join("slow.yaml"),
        "id: slow\nname: Slow\nversion: \"1\"\nextends: coditect-backend\ndisable: [docs.hierarchy]\nchecks:\n  - id: team.slow\n    category: docs\n    title: Slow\n    points: 5\n    why: w\n    fix: f\n    tiers:\n      - {points: 5, label: x, when: {content: {files: \"*.md\", regex: \"(?:a[ab]{600}b)+c\"}}}\n",
    )
    .unwrap();
    let started = std::time::Instant::now();
    let output = run_in(
        repo.path(),
        &["audit", ".", "--standard", "slow.yaml", "--format", "json"],
    );
    assert!(started.elapsed() < Duration::from_secs(20));
    assert!(matches!(code(&output), 0 | 1), "{}", stderr(&output));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(
        report["notices"]
            .to_string()
            .contains("took more than 2 s and was stopped"),
        "{}",
        report["notices"]
    );
}

#[test]
fn new_never_generates_through_a_link() {
    let here = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(elsewhere.path(), here.path().join("svc")).unwrap();
    let output = run_in(here.path(), &["new", "svc"]);
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("svc: is a symbolic link"),
        "{}",
        stderr(&output)
    );
    assert_eq!(fs::read_dir(elsewhere.path()).unwrap().count(), 0);
}

#[test]
fn the_organize_journal_is_never_kept_through_a_planted_link() {
    let dir = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let repo = dir.path().join("notes");
    crate::support::copy_tree(
        &crate::support::fixtures().join("organize-fastapi-flat"),
        &repo,
    );
    std::os::unix::fs::symlink(elsewhere.path(), repo.join(".squarely")).unwrap();
    let before = fs::read(repo.join("main.py")).unwrap();
    for args in [
        &["organize", ".", "--apply"][..],
        &["organize", ".", "--undo"][..],
    ] {
        let output = run_in(&repo, args);
        assert_eq!(code(&output), 2, "{args:?}: {}", stderr(&output));
        assert!(
            stderr(&output).contains("the organize journal is never kept there"),
            "{args:?}: {}",
            stderr(&output)
        );
    }
    assert_eq!(fs::read_dir(elsewhere.path()).unwrap().count(), 0);
    assert_eq!(fs::read(repo.join("main.py")).unwrap(), before);
}

#[test]
fn undo_leaves_the_index_as_it_was_before_the_run() {
    if std::process::Command::new("git")
        .arg("--version")
        .output()
        .is_err()
    {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("notes");
    crate::support::copy_tree(
        &crate::support::fixtures().join("organize-fastapi-flat"),
        &repo,
    );
    git(&repo, &["init", "-q"]);
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-qm", "init"]);
    let output = run_in(&repo, &["organize", ".", "--apply"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    // What a step cut short by a full disk leaves: a moved file the index no longer knows.
    git(&repo, &["rm", "-q", "-f", "--cached", "src/main.py"]);
    let output = run_in(&repo, &["organize", ".", "--undo"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let status = std::process::Command::new("git")
        .args(["status", "--porcelain"])
        .current_dir(&repo)
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&status.stdout),
        "",
        "the index does not match the files"
    );
}

type Snapshot = std::collections::BTreeMap<PathBuf, Vec<u8>>;

/// The paths whose bytes differ between two snapshots (a readable failure message).
fn differing(before: &Snapshot, after: &Snapshot) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = before
        .keys()
        .chain(after.keys())
        .filter(|path| before.get(*path) != after.get(*path))
        .cloned()
        .collect();
    paths.dedup();
    paths
}

/// Every file below `root` with its bytes, `.squarely/` and `.git/` left out.
fn snapshot(root: &Path) -> Snapshot {
    let mut files = std::collections::BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap().filter_map(Result::ok) {
            let path = entry.path();
            if path
                .file_name()
                .is_some_and(|n| n == ".squarely" || n == ".git")
            {
                continue;
            }
            if path.is_dir() {
                stack.push(path);
            } else {
                files.insert(
                    path.strip_prefix(root).unwrap().to_path_buf(),
                    fs::read(&path).unwrap(),
                );
            }
        }
    }
    files
}

#[test]
fn undo_racing_an_apply_never_loses_a_byte() {
    let bin = assert_cmd::cargo::cargo_bin("squarely");
    for round in 0..30u64 {
        let dir = tempfile::tempdir().unwrap();
        let repo = dir.path().join("notes");
        crate::support::copy_tree(
            &crate::support::fixtures().join("organize-fastapi-flat"),
            &repo,
        );
        let before = snapshot(&repo);
        let apply = std::process::Command::new(&bin)
            .args(["organize", ".", "--apply"])
            .current_dir(&repo)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(round * 2));
        let undo = run_in(&repo, &["organize", ".", "--undo"]);
        let applied = apply.wait_with_output().unwrap();
        let undo_err = stderr(&undo);
        assert!(
            code(&undo) == 0
                || undo_err.contains("an organize run is in progress")
                || undo_err.contains("nothing to undo"),
            "round {round}: {undo_err}"
        );
        // Whatever the order, the run is recorded or taken back, never lost: a last undo
        // (when something is left to take back) restores every byte.
        if code(&undo) != 0 || applied.status.code() == Some(0) && snapshot(&repo) != before {
            let last = run_in(&repo, &["organize", ".", "--undo"]);
            assert!(
                code(&last) == 0 || stderr(&last).contains("nothing to undo"),
                "round {round}: {}",
                stderr(&last)
            );
        }
        let differ = differing(&before, &snapshot(&repo));
        assert!(differ.is_empty(), "round {round}: {differ:?} lost bytes");
    }
}

/// A git repository holding the `organize-fastapi-flat` fixture, committed.
fn committed_fixture(dir: &Path) -> PathBuf {
    let repo = dir.join("notes");
    crate::support::copy_tree(
        &crate::support::fixtures().join("organize-fastapi-flat"),
        &repo,
    );
    git(&repo, &["init", "-q"]);
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-qm", "init"]);
    repo
}

fn git_available() -> bool {
    std::process::Command::new("git")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn set_modified(path: &Path, when: std::time::SystemTime) {
    fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(when)
        .unwrap();
}

#[test]
fn undo_clears_the_git_locks_its_killed_run_left_and_no_other() {
    if !git_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let repo = committed_fixture(dir.path());
    let before = snapshot(&repo);
    let output = run_in(&repo, &["organize", ".", "--apply"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let lock = repo.join(".git/index.lock");

    // A lock from long before the run is someone else's: left alone, and git names it.
    fs::write(&lock, "").unwrap();
    set_modified(
        &lock,
        std::time::SystemTime::now() - Duration::from_secs(3600),
    );
    let output = run_in(&repo, &["organize", ".", "--undo"]);
    assert_eq!(code(&output), 2, "{}", stderr(&output));
    assert!(
        stderr(&output).contains("index.lock"),
        "{}",
        stderr(&output)
    );
    assert!(lock.exists());

    // A lock made while the run wrote its journal is what a git command killed with the run
    // leaves: undo removes it and takes the run back.
    set_modified(&lock, std::time::SystemTime::now());
    let output = run_in(&repo, &["organize", ".", "--undo"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert!(!lock.exists());
    assert_eq!(differing(&before, &snapshot(&repo)), Vec::<PathBuf>::new());
}

#[test]
fn an_empty_journal_of_a_run_killed_before_its_first_line_is_dropped() {
    if !git_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let repo = committed_fixture(dir.path());
    let before = snapshot(&repo);
    let journals = repo.join(".git/squarely/organize");
    fs::create_dir_all(&journals).unwrap();
    let empty = journals.join("run-000001.jsonl");
    fs::write(&empty, "").unwrap();
    set_modified(
        &empty,
        std::time::SystemTime::now() - Duration::from_secs(60),
    );
    let output = run_in(&repo, &["organize", ".", "--apply"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    // No empty journal is left (the run's own may reuse its number).
    for entry in fs::read_dir(&journals).unwrap() {
        let entry = entry.unwrap();
        assert!(entry.metadata().unwrap().len() > 0, "{:?}", entry.path());
    }
    let output = run_in(&repo, &["organize", ".", "--undo"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(differing(&before, &snapshot(&repo)), Vec::<PathBuf>::new());
}

/// A small tmpfs mounted on a fresh folder, unmounted when dropped.
struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    /// `None` (with the reason on stderr) where mounting is not allowed.
    fn mount(size: &str) -> Option<SmallDisk> {
        let dir = tempfile::tempdir().unwrap();
        let mounted = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !mounted {
            #[allow(clippy::print_stderr)] // the one way to say why a test did nothing
            {
                eprintln!("skipped: mounting a tmpfs needs root (the disk-full test runs as root)");
            }
            return None;
        }
        Some(SmallDisk { dir })
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(self.dir.path())
            .status();
    }
}

/// Fill the file system of `dir` until only about `free` bytes are left; the filler is
/// returned to be removed.
fn fill_all_but(dir: &Path, free: u64) -> PathBuf {
    use std::io::Write as _;
    let filler = dir.join("filler");
    let mut file = fs::File::create(&filler).unwrap();
    let block = vec![0u8; 4096];
    while file.write_all(&block).is_ok() {}
    let _ = file.flush();
    let len = file.metadata().unwrap().len();
    file.set_len(len.saturating_sub(free)).unwrap();
    filler
}

/// Runs as root only (it mounts a 2 MiB tmpfs); `undo_leaves_the_index_as_it_was_before_the_run`
/// reproduces the state a full disk left everywhere.
#[test]
fn a_full_disk_at_any_point_never_leaves_the_index_or_the_files_changed() {
    if !git_available() {
        return;
    }
    let Some(disk) = SmallDisk::mount("2m") else {
        return;
    };
    let repo = committed_fixture(disk.dir.path());
    let before = snapshot(&repo);
    let clean = |repo: &Path| {
        let status = std::process::Command::new("git")
            .args(["status", "--porcelain"])
            .current_dir(repo)
            .output()
            .unwrap();
        String::from_utf8_lossy(&status.stdout).into_owned()
    };
    for free_kib in (0..=40).step_by(2) {
        let filler = fill_all_but(disk.dir.path(), free_kib * 1024);
        let applied = run_in(&repo, &["organize", ".", "--apply"]);
        fs::remove_file(&filler).unwrap();
        // A failed apply takes itself back, or (when that failed too) leaves a journal that
        // --undo takes back once there is room; a finished one is undone too.
        let undone = run_in(&repo, &["organize", ".", "--undo"]);
        assert!(
            code(&undone) == 0 || stderr(&undone).contains("nothing to undo"),
            "{free_kib} KiB free: apply: {}\nundo: {}",
            stderr(&applied),
            stderr(&undone)
        );
        let differ = differing(&before, &snapshot(&repo));
        assert!(
            differ.is_empty(),
            "{free_kib} KiB free: {differ:?} differ\napply: {}",
            stderr(&applied)
        );
        assert_eq!(clean(&repo), "", "{free_kib} KiB free: the index differs");
    }
}
