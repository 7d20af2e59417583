//! Helpers: run the binary, find fixtures, parse JSON reports.

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

/// The fixtures folder.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The built binary, colour off, run from the fixtures folder.
pub fn squarely() -> Command {
    let mut cmd = Command::cargo_bin("squarely").expect("the squarely binary is built");
    cmd.current_dir(fixtures())
        .env_remove("NO_COLOR")
        .env("TERM", "dumb");
    cmd
}

/// Run and return the output, whatever the exit code.
pub fn run(args: &[&str]) -> Output {
    squarely().args(args).output().expect("squarely runs")
}

/// The exit code.
pub fn code(output: &Output) -> i32 {
    output.status.code().expect("exited normally")
}

/// Standard output as text.
pub fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("UTF-8 stdout")
}

/// Standard error as text.
pub fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("UTF-8 stderr")
}

/// `squarely audit <path> --format json [extra...]`, asserting exit 0, parsed.
pub fn audit_json(path: &str, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["audit", path, "--format", "json"];
    args.extend_from_slice(extra);
    let output = run(&args);
    assert_eq!(code(&output), 0, "stderr: {}", stderr(&output));
    serde_json::from_slice(&output.stdout).expect("one JSON object")
}

/// The check with this id in a JSON report.
pub fn check<'a>(report: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no check {id}"))
}

/// The string values of a JSON array.
pub fn strings(value: &serde_json::Value) -> Vec<String> {
    value
        .as_array()
        .expect("an array")
        .iter()
        .map(|v| v.as_str().expect("a string").to_owned())
        .collect()
}

/// `path:line` of every finding (and waived finding) of a check.
pub fn locations(check: &serde_json::Value, key: &str) -> Vec<String> {
    check[key]
        .as_array()
        .map(|list| {
            list.iter()
                .filter_map(|f| {
                    let path = f["path"].as_str()?;
                    Some(match f["line"].as_u64() {
                        Some(line) => format!("{path}:{line}"),
                        None => path.to_owned(),
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A temporary repository built from `(path, content)` pairs.
pub fn repo(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    for (path, content) in files {
        let full = dir.path().join(path);
        std::fs::create_dir_all(full.parent().expect("a parent")).expect("mkdir");
        std::fs::write(full, content).expect("write");
    }
    dir
}

/// Copy the folder `from` to `to`, recursively.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("a fixture folder") {
        let entry = entry.expect("an entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("a type").is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

/// A temporary copy of a fixture, to change before auditing.
pub fn copy_fixture(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    copy_tree(&fixtures().join(name), dir.path());
    dir
}
