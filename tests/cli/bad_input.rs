//! Bad input never panics: each kind gets one clear message (exit 2) or a notice while the
//! rest of the run goes on.

use std::fs;

use crate::support::{audit_json, code, repo, run, squarely, stderr};

fn assert_clean_error(output: &std::process::Output, needle: &str) {
    assert_eq!(code(output), 2, "stderr: {}", stderr(output));
    let err = stderr(output);
    assert!(err.contains(needle), "`{needle}` not in: {err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(output.stdout.is_empty());
}

#[test]
fn a_missing_path() {
    let output = run(&["audit", "no-such-dir"]);
    assert_clean_error(&output, "error: no-such-dir: no such file or directory");
    assert_eq!(stderr(&output).lines().count(), 1);
}

#[test]
fn a_path_that_is_a_file() {
    let output = run(&["audit", "README.md"]);
    assert_clean_error(&output, "error: README.md: is a file, not a directory");
}

#[test]
fn an_empty_directory() {
    let dir = tempfile::tempdir().unwrap();
    let output = run(&["audit", dir.path().to_str().unwrap()]);
    assert_clean_error(&output, "the directory is empty");
}

#[test]
fn binary_and_non_utf8_files_get_a_notice() {
    let dir = repo(&[(
        "pyproject.toml",
        "[project]\nname = \"b\"\ndependencies = [\"fastapi\"]\n",
    )]);
    fs::create_dir_all(dir.path().join("src/users")).unwrap();
    fs::write(
        dir.path().join("src/users/router.py"),
        b"# caf\xe9\nimport os\n",
    )
    .unwrap();
    fs::write(
        dir.path().join("src/users/service.py"),
        b"\x00\x01\x02binary",
    )
    .unwrap();
    fs::write(dir.path().join("SECURITY.md"), b"\x89PNG\r\n\x1a\n\x00\x00").unwrap();
    let report = audit_json(dir.path().to_str().unwrap(), &[]);
    let notices = report["notices"].as_array().unwrap();
    let notice = |path: &str| {
        notices
            .iter()
            .find(|n| n["path"] == path)
            .unwrap_or_else(|| panic!("no notice for {path}: {notices:?}"))["message"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert!(notice("src/users/router.py").contains("not valid UTF-8"));
    assert!(notice("src/users/service.py").contains("binary"));
    // A binary SECURITY.md is not a security policy.
    let docs = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "root.docs")
        .unwrap();
    assert!(
        docs["findings"]
            .to_string()
            .contains("SECURITY.md` is a placeholder (binary"),
        "{docs}"
    );
}

#[test]
fn a_huge_file_is_not_read() {
    let dir = repo(&[
        ("requirements.txt", "fastapi\n"),
        ("src/users/service.py", "x = 1\n"),
    ]);
    let big = fs::File::create(dir.path().join("src/users/router.py")).unwrap();
    big.set_len(3 * 1024 * 1024).unwrap();
    let report = audit_json(dir.path().to_str().unwrap(), &[]);
    let notices = report["notices"].to_string();
    assert!(
        notices.contains("src/users/router.py") && notices.contains("too large to read (3.0 MiB"),
        "{notices}"
    );
}

#[cfg(unix)]
#[test]
fn symlink_loops_are_noted_and_not_followed() {
    let dir = repo(&[
        (
            "README.md",
            "# Loops\n\nA repository with symlink loops in it.\n",
        ),
        ("src/a/x.py", "x = 1\n"),
    ]);
    std::os::unix::fs::symlink("..", dir.path().join("src/a/up")).unwrap();
    std::os::unix::fs::symlink("self", dir.path().join("self")).unwrap();
    let report = audit_json(dir.path().to_str().unwrap(), &[]);
    let notices = report["notices"].to_string();
    assert!(
        notices.contains("src/a/up") && notices.contains("self"),
        "{notices}"
    );
    assert!(notices.contains("loop"), "{notices}");
}

#[cfg(unix)]
#[test]
fn a_link_to_a_document_inside_the_repository_counts_as_that_document() {
    let outer = tempfile::tempdir().unwrap();
    let root = outer.path().join("repo");
    fs::create_dir_all(&root).unwrap();
    fs::write(
        root.join("AGENTS.md"),
        "# Agents\n\nRun the tests with `make test` before every commit.\n",
    )
    .unwrap();
    fs::write(
        outer.path().join("SECURITY.md"),
        "# Security\n\nReport vulnerabilities to security@example.com.\n",
    )
    .unwrap();
    fs::write(root.join("requirements.txt"), "fastapi\n").unwrap();
    std::os::unix::fs::symlink("AGENTS.md", root.join("CLAUDE.md")).unwrap();
    // A link leading out of the repository is never followed.
    std::os::unix::fs::symlink("../SECURITY.md", root.join("SECURITY.md")).unwrap();
    let report = audit_json(root.to_str().unwrap(), &[]);
    let docs = crate::support::check(&report, "root.docs");
    let findings = docs["findings"].to_string();
    assert!(
        docs["summary"].as_str().unwrap().contains("CLAUDE.md"),
        "{docs}"
    );
    assert!(
        !findings.contains("CLAUDE"),
        "CLAUDE.md counts fully: {docs}"
    );
    assert!(findings.contains("missing SECURITY"), "{docs}");
}

#[cfg(unix)]
#[test]
fn an_audited_symlink_loop_is_one_line_saying_why_once() {
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink("b", dir.path().join("a")).unwrap();
    std::os::unix::fs::symlink("a", dir.path().join("b")).unwrap();
    let path = dir.path().join("a");
    let output = run(&["audit", path.to_str().unwrap()]);
    assert_clean_error(&output, "cannot be read: ");
    let err = stderr(&output);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with(&format!("error: {}: cannot be read: ", path.display())));
    // The operating system's reason, once.
    assert_eq!(err.matches("(os error").count(), 1, "{err}");
}

#[cfg(unix)]
#[test]
fn an_unreadable_directory_is_skipped_with_a_notice() {
    use std::os::unix::fs::PermissionsExt;
    let dir = repo(&[
        (
            "README.md",
            "# Locked\n\nOne folder of this repository cannot be read.\n",
        ),
        ("secret/keys.txt", "k\n"),
    ]);
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
    fs::set_permissions(dir.path().join("secret"), fs::Permissions::from_mode(0o000)).unwrap();
    let mut cmd = squarely();
    // Root reads everything: drop to `nobody` so the permission bites, as it does for users.
    let as_root = fs::read_dir(dir.path().join("secret")).is_ok();
    if as_root {
        let setpriv = std::path::Path::new("/usr/bin/setpriv");
        assert!(
            setpriv.exists(),
            "running as root needs setpriv to test permissions"
        );
        let bin = assert_cmd::cargo::cargo_bin("squarely");
        cmd = assert_cmd::Command::new(setpriv);
        cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(bin)
            .current_dir("/");
    }
    let output = cmd
        .args(["audit", dir.path().to_str().unwrap(), "--format", "json"])
        .output()
        .unwrap();
    fs::set_permissions(dir.path().join("secret"), fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let notices = report["notices"].to_string();
    assert!(
        notices.contains("secret") && notices.contains("permission denied"),
        "{notices}"
    );
}

#[test]
fn a_stray_byte_does_not_take_a_source_file_out_of_the_layer_rules() {
    let dir = repo(&[(
        "pyproject.toml",
        "[project]\nname = \"b\"\ndependencies = [\"fastapi\", \"sqlalchemy\"]\n",
    )]);
    fs::create_dir_all(dir.path().join("src/users")).unwrap();
    fs::create_dir_all(dir.path().join("src/posts")).unwrap();
    // A Latin-1 byte in a comment, and a NUL byte in a docstring.
    fs::write(
        dir.path().join("src/users/router.py"),
        b"# caf\xe9\ndef leak(session):\n    session.commit()\n",
    )
    .unwrap();
    fs::write(
        dir.path().join("src/posts/router.py"),
        b"\"\"\"Posts\x00.\"\"\"\n\n\ndef leak(session):\n    session.commit()\n",
    )
    .unwrap();
    for layer in ["service", "models"] {
        for domain in ["users", "posts"] {
            fs::write(
                dir.path().join(format!("src/{domain}/{layer}.py")),
                "X = 1\n",
            )
            .unwrap();
        }
    }
    let report = audit_json(dir.path().to_str().unwrap(), &[]);
    let separation = crate::support::check(&report, "src.separation");
    assert_eq!(
        crate::support::locations(separation, "findings"),
        ["src/posts/router.py:5", "src/users/router.py:3"],
        "{separation}"
    );
    let notices = report["notices"].to_string();
    assert!(
        notices.contains("not valid UTF-8 (first invalid byte at offset 5); parsed as source code with 1 bad byte replaced"),
        "{notices}"
    );
    assert!(
        notices.contains("NUL bytes in a text file; parsed as source code"),
        "{notices}"
    );
}

#[test]
fn a_rule_set_with_errors_reports_them_all_with_positions() {
    let dir = repo(&[(
        "team.yaml",
        "id: team\nname: Team\nversion: 1\ncategories:\n  - {id: docs, title: Docs}\nchecks:\n  - id: docs.readme\n    category: docs\n    title: README\n    points: 5\n    why: w\n    fix: f\n    colour: red\n    tiers:\n      - {points: 5, label: a README, when: {file: \"docs/\"}}\n  - id: docs.guide\n    category: docs\n    title: Guide\n    points: lots\n    why: w\n    fix: f\n    tiers:\n      - {points: 5, label: x, when: {content: {files: \"*.md\", regex: \"(unclosed\"}}}\nextra_key: 1\n",
    )]);
    let file = dir.path().join("team.yaml");
    let output = run(&[
        "audit",
        "fastapi-exemplary",
        "--standard",
        file.to_str().unwrap(),
    ]);
    assert_eq!(code(&output), 2);
    let err = stderr(&output);
    let shown = file.display().to_string();
    // YAML errors (unknown keys, wrong types) and validation errors (globs, regexes)
    // together, in one run.
    for expected in [
        format!("{shown}:13:5: error: unknown field `colour`"),
        format!("{shown}:15:51: error: glob `docs/` ends with `/`"),
        format!("{shown}:19:13: error: invalid type: string \"lots\""),
        format!("{shown}:23:70: error: invalid regular expression `(unclosed`: unclosed group"),
        format!("{shown}:24:1: error: unknown field `extra_key`"),
    ] {
        assert!(err.contains(&expected), "`{expected}` missing in:\n{err}");
    }
    assert!(err.contains("the rule set has 5 errors"), "{err}");
    // Nothing is said about the stand-in for `points: lots` (no warning about the total).
    assert_eq!(err.matches(": error: ").count(), 5, "{err}");
    assert!(!err.contains("warning"), "{err}");
    // Once the file parses, validation errors are located too.
    fs::write(&file, "id: team\nname: Team\nversion: \"1\"\ncategories:\n  - {id: docs, title: Docs}\nchecks:\n  - id: docs.readme\n    category: docs\n    title: README\n    points: 5\n    why: w\n    fix: f\n    tiers:\n      - {points: 5, label: a README, when: {file: \"docs/\"}}\n  - id: docs.guide\n    category: nope\n    title: Guide\n    points: 5\n    why: w\n    fix: f\n    tiers:\n      - {points: 5, label: x, when: {content: {files: \"*.md\", regex: \"(unclosed\"}}}\n").unwrap();
    let output = run(&["standards", "validate", file.to_str().unwrap()]);
    assert_eq!(code(&output), 2);
    let err = stderr(&output);
    for expected in [
        format!("{shown}:14:51: error: glob `docs/` ends with `/`"),
        format!("{shown}:16:15: error: unknown category `nope`"),
        format!("{shown}:22:70: error: invalid regular expression `(unclosed`: unclosed group"),
    ] {
        assert!(err.contains(&expected), "`{expected}` missing in:\n{err}");
    }
}

#[test]
fn a_rule_set_extending_a_built_in_reports_type_and_reference_errors_together() {
    let dir = repo(&[(
        "team.yaml",
        "id: team\nname: Team\nversion: [1]\nextends: coditect-backend\ndisable: [infra.nope]\noverrides:\n  - {id: docs.nope, points: 3}\nchecks:\n  - id: team.x\n    category: nocat\n    title: X\n    points: 5\n    why: w\n    tiers:\n      - {points: 5, label: a, when: {file: {glob: \"../x\"}}}\n",
    )]);
    let file = dir.path().join("team.yaml");
    let output = run(&["standards", "validate", file.to_str().unwrap()]);
    assert_eq!(code(&output), 2);
    let err = stderr(&output);
    let shown = file.display().to_string();
    for expected in [
        format!("{shown}:3:10: error: invalid type: sequence, expected a string"),
        format!("{shown}:5:11: error: `disable: infra.nope` names no check"),
        format!("{shown}:7:10: error: `overrides` names `docs.nope`"),
        format!("{shown}:9:5: error: missing field `fix`"),
        format!("{shown}:10:15: error: unknown category `nocat`"),
        format!("{shown}:15:51: error: glob `../x` leaves the scope root"),
    ] {
        assert!(err.contains(&expected), "`{expected}` missing in:\n{err}");
    }
    assert_eq!(err.matches(": error: ").count(), 6, "{err}");
    // A broken `extends` leaves the parent unknown: nothing is said about what it would hold.
    std::fs::write(
        &file,
        "id: team\nname: Team\nversion: \"1\"\nextends: [coditect-backend]\noverrides:\n  - {id: docs.api, points: many}\n",
    )
    .unwrap();
    let output = run(&["standards", "validate", file.to_str().unwrap()]);
    let err = stderr(&output);
    assert!(
        err.contains(&format!("{shown}:4:10: error: invalid type")),
        "{err}"
    );
    assert!(
        err.contains(&format!("{shown}:6:28: error: invalid type")),
        "{err}"
    );
    assert_eq!(err.matches(": error: ").count(), 2, "{err}");
}

#[test]
fn an_unknown_standard_names_the_built_ins() {
    let output = run(&["audit", "fastapi-exemplary", "--standard", "nope"]);
    assert_clean_error(
        &output,
        "unknown standard `nope`: not a built-in (coditect-backend, modular-monolith, route-modules, fastapi-best-practices)",
    );
    let output = run(&["audit", "fastapi-exemplary", "--standard", "missing.yaml"]);
    assert_eq!(code(&output), 2);
    assert_eq!(
        stderr(&output),
        "error: missing.yaml: cannot read rule set: no such file\n"
    );
}

#[test]
fn one_rule_set_error_is_one_line() {
    let dir = repo(&[(
        "team.yaml",
        "id: team\nname: Team\nversion: \"1\"\nextends: coditect-backend\ncolour: blue\n",
    )]);
    let file = dir.path().join("team.yaml");
    let expected = format!(
        "{}:5:1: error: unknown field `colour`, expected one of",
        file.display()
    );
    for args in [
        vec!["standards", "validate", file.to_str().unwrap()],
        vec![
            "audit",
            "fastapi-exemplary",
            "--standard",
            file.to_str().unwrap(),
        ],
    ] {
        let output = run(&args);
        assert_eq!(code(&output), 2, "{args:?}");
        let err = stderr(&output);
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.starts_with(&expected), "{args:?}: {err}");
    }
    // Several files: one line per error, and which files failed.
    let output = run(&[
        "standards",
        "validate",
        file.to_str().unwrap(),
        "fastapi-exemplary/pyproject.toml",
    ]);
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).ends_with("error: 2 of 2 rule sets are invalid\n"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn an_extends_cycle_points_at_the_extends_that_closes_it() {
    let dir = repo(&[
        (
            "team/a.yaml",
            "id: a\nname: A\nversion: \"1\"\nextends: ./b.yaml\n",
        ),
        (
            "team/b.yaml",
            "id: b\nname: B\nversion: \"1\"\nextends: ./a.yaml\n",
        ),
    ]);
    let output = squarely()
        .current_dir(dir.path())
        .args(["standards", "validate", "./team/a.yaml"])
        .output()
        .unwrap();
    assert_eq!(code(&output), 2);
    assert_eq!(
        stderr(&output),
        "team/b.yaml:4:10: error: `extends: ./a.yaml` forms a cycle: ./team/a.yaml -> team/b.yaml -> team/a.yaml\n"
    );
}

#[test]
fn a_rule_set_that_is_not_yaml_or_not_utf8() {
    let dir = repo(&[("broken.yaml", "id: [unclosed\n")]);
    let broken = dir.path().join("broken.yaml");
    let output = run(&["standards", "validate", broken.to_str().unwrap()]);
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains(&format!("{}:2:1: error: invalid YAML", broken.display())),
        "{}",
        stderr(&output)
    );
    let latin = dir.path().join("latin.yaml");
    fs::write(&latin, b"id: caf\xe9\n").unwrap();
    let output = run(&["standards", "validate", latin.to_str().unwrap()]);
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("not valid UTF-8"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_broken_manifest_is_a_notice_with_its_position() {
    let dir = repo(&[
        (
            "package.json",
            "{\n  \"dependencies\": {\n    \"express\": \"4\",\n  }\n}\n",
        ),
        ("src/app.js", "module.exports = 1;\n"),
    ]);
    let report = audit_json(dir.path().to_str().unwrap(), &[]);
    let notices = report["notices"].to_string();
    assert!(
        notices.contains("package.json:4:3: invalid JSON"),
        "{notices}"
    );
}

#[test]
fn the_source_root_and_contract_fields_are_validated_with_their_places() {
    let dir = repo(&[(
        "team.yaml",
        "id: team\nname: Team\nversion: \"1\"\nextends: coditect-backend\ndomains:\n  roots: [\"*\"]\n  scope: source\n  min_layers: 0\n  markers: [app/apps.py]\ncontracts:\n  - id: team-contract\n    title: T\n    layer: interface\n    why: w\n    fix: f\n    weight: 1.5\n    forbid:\n      allow_imports: [fastapi.status]\n      not_on: [\"a.b\"]\n      sql: true\nchecks:\n  - id: team.sep\n    category: src\n    title: Sep\n    points: 5\n    why: w\n    fix: f\n    contracts: {ratio: all_layers, penalty: 1}\n  - id: team.ign\n    category: root\n    title: Ign\n    points: 5\n    why: w\n    fix: f\n    items:\n      - id: x\n        label: x\n        fix: f\n        when: {ignored: {probes: [{path: .env, or: [\"../../etc/passwd\"]}]}}\n",
    )]);
    let file = dir.path().join("team.yaml");
    let output = run(&["standards", "validate", file.to_str().unwrap()]);
    assert_eq!(code(&output), 2);
    let err = stderr(&output);
    let shown = file.display().to_string();
    for expected in [
        format!("{shown}:8:15: error: `min_layers` must be at least 1"),
        format!("{shown}:9:13: error: a marker is a file name"),
        format!("{shown}:16:13: error: `weight` must be more than 0 and at most 1"),
        format!(
            "{shown}:18:23: warning: `allow_imports` makes exceptions to `imports`, which this contract does not have"
        ),
        format!("{shown}:19:16: error: a receiver pattern is one name segment"),
        format!(
            "{shown}:19:16: warning: `not_on` makes exceptions to `calls`, which this contract does not have"
        ),
        format!("{shown}:28:45: error: with `ratio: all_layers` every violation is in the ratio"),
        format!("{shown}:39:53: error: a probe is a relative path inside the repository"),
    ] {
        assert!(err.contains(&expected), "`{expected}` missing in:\n{err}");
    }
    assert!(err.contains("6 errors"), "{err}");
}

/// Run squarely with standard output on `/dev/full`: every verb that prints says so and
/// exits 2, none panics.
#[cfg(target_os = "linux")]
#[test]
fn a_full_standard_output_is_an_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        &["new", "svc", "--dry-run"][..],
        &["new", "svc"][..],
        &["init", "--dry-run"][..],
        &["standards", "show", "coditect-backend"][..],
        &["audit", "."][..],
    ] {
        let full = fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let output = std::process::Command::new(assert_cmd::cargo::cargo_bin("squarely"))
            .current_dir(dir.path())
            .args(args)
            .env_remove("NO_COLOR")
            .env("TERM", "dumb")
            .stdout(full)
            .stderr(std::process::Stdio::piped())
            .output()
            .unwrap();
        let err = stderr(&output);
        assert_eq!(code(&output), 2, "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(err.contains("No space left on device"), "{args:?}: {err}");
    }
}

/// A reader that stops after one byte (`squarely ... | head -c1`) is not a failure.
#[test]
fn a_closed_pipe_is_a_success() {
    use std::io::Read;
    let dir = tempfile::tempdir().unwrap();
    for args in [
        &["standards", "show", "coditect-backend", "--format", "json"][..],
        &["standards", "show", "coditect-backend"][..],
        &["new", "svc", "--dry-run"][..],
    ] {
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("squarely"))
            .current_dir(dir.path())
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = child.stdout.take().unwrap();
        let mut one = [0u8; 1];
        stdout.read_exact(&mut one).unwrap();
        drop(stdout);
        let output = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "{args:?}: {err}");
        assert!(err.is_empty(), "{args:?}: {err}");
    }
}

#[test]
fn rule_sets_with_twice_defined_ids_huge_points_a_bom_or_a_nul_byte() {
    let dir = repo(&[
        (
            "dup.yaml",
            "id: team\nname: Team\nversion: \"1\"\ncategories:\n  - {id: docs, title: Docs}\nchecks:\n  - id: docs.readme\n    category: docs\n    title: README\n    points: 50\n    why: w\n    fix: f\n    tiers:\n      - {points: 50, label: a README, when: {file: \"README.md\"}}\n  - id: docs.readme\n    category: docs\n    title: Again\n    points: 1e308\n    why: w\n    fix: f\n    tiers:\n      - {points: 1, label: a README, when: {file: \"README.md\"}}\n",
        ),
        (
            "bom.yaml",
            "\u{feff}id: team\nname: T\nversion: \"1\"\nextends: coditect-backend\n",
        ),
        ("nul.yaml", "id: te\0am\nname: T\n"),
    ]);
    let validate = |name: &str| {
        run(&[
            "standards",
            "validate",
            dir.path().join(name).to_str().unwrap(),
        ])
    };
    let output = validate("dup.yaml");
    let err = stderr(&output);
    assert_eq!(code(&output), 2, "{err}");
    assert!(
        err.contains("dup.yaml:15:9: error: check `docs.readme` is defined twice in this file (first at line 7)"),
        "{err}"
    );
    assert!(
        err.contains("dup.yaml:18:13: error: `points` must be a positive number up to 1000"),
        "{err}"
    );
    assert!(
        !err.contains("inf") && !err.contains("checks add up"),
        "{err}"
    );
    let output = validate("bom.yaml");
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let output = validate("nul.yaml");
    assert_clean_error(
        &output,
        "nul.yaml:1:7: error: a NUL byte: this is not a text file",
    );
}

#[test]
fn aliases_of_a_long_string_stop_at_the_text_budget() {
    let big = format!(
        "id: team\nname: Team\nversion: \"1\"\nbig: &b \"{}\"\nl: [{}]\n",
        "x".repeat(900_000),
        vec!["*b"; 40].join(", ")
    );
    let dir = repo(&[("alias.yaml", big.as_str())]);
    let started = std::time::Instant::now();
    let output = run(&[
        "standards",
        "validate",
        dir.path().join("alias.yaml").to_str().unwrap(),
    ]);
    assert_clean_error(
        &output,
        "aliases expand to too much text (more than 16 MiB)",
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
}

#[test]
fn a_baseline_with_an_impossible_score_or_fingerprint_is_refused() {
    let dir = repo(&[
        (
            "score.json",
            "{\"squarely_baseline\": 1, \"reports\": [{\"standard\": \"coditect-backend\", \"service_root\": \".\", \"score\": 200, \"checks\": {}, \"findings\": []}]}\n",
        ),
        (
            "print.json",
            "{\"squarely_baseline\": 1, \"reports\": [{\"standard\": \"coditect-backend\", \"service_root\": \".\", \"score\": 50, \"checks\": {}, \"findings\": [{\"check\": \"root.docs\", \"fingerprint\": \"not-hex\"}]}]}\n",
        ),
    ]);
    for (file, needle) in [
        ("score.json", "score 200 is not between 0 and 100"),
        (
            "print.json",
            "fingerprint `not-hex` of a `root.docs` finding is not 16 hexadecimal digits",
        ),
    ] {
        let path = dir.path().join(file);
        let output = run(&[
            "audit",
            "express-layered",
            "--baseline",
            path.to_str().unwrap(),
        ]);
        assert_clean_error(&output, needle);
    }
}

#[cfg(unix)]
#[test]
fn a_link_out_of_the_audited_folder_is_noted() {
    let outside = tempfile::tempdir().unwrap();
    fs::write(
        outside.path().join("README.md"),
        "# Elsewhere\n\nSome words here.\n",
    )
    .unwrap();
    let dir = repo(&[(
        "pyproject.toml",
        "[project]\nname = \"l\"\ndependencies = [\"fastapi\"]\n",
    )]);
    std::os::unix::fs::symlink(
        outside.path().join("README.md"),
        dir.path().join("README.md"),
    )
    .unwrap();
    let report = audit_json(dir.path().to_str().unwrap(), &[]);
    assert!(
        report["notices"]
            .to_string()
            .contains("symlink to outside the audited folder; not followed"),
        "{}",
        report["notices"]
    );
}
