//! The CI integrations shipped in the repository root, run against the current command line:
//! the composite GitHub Action (`action.yml`) and the pre-commit hook (`.pre-commit-hooks.yaml`).
//!
//! The action's steps are run the way the runner runs a `shell: bash` step: expressions
//! substituted first (an expression this file does not know fails the test, so the action cannot
//! drift from what is tested), the script written to a file and run with
//! `bash --noprofile --norc -eo pipefail`, the step's `env:` set, `GITHUB_OUTPUT` and
//! `GITHUB_STEP_SUMMARY` as files, and the built `squarely` first on `PATH`.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use quick_xml::events::Event;
use yaml_serde::Value;

use crate::support::copy_fixture;

/// A file of the repository root, parsed.
fn root_yaml(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
    yaml_serde::from_str(&text).unwrap_or_else(|e| panic!("{name} is not YAML: {e}"))
}

/// A string field of a YAML mapping, or "" when absent.
fn text<'a>(value: &'a Value, key: &str) -> &'a str {
    value.get(key).and_then(Value::as_str).unwrap_or_default()
}

/// The step of `action.yml` with this id.
fn step<'a>(action: &'a Value, id: &str) -> &'a Value {
    assert_eq!(text(&action["runs"], "using"), "composite");
    action["runs"]["steps"]
        .as_sequence()
        .expect("runs.steps is a list")
        .iter()
        .find(|s| text(s, "id") == id)
        .unwrap_or_else(|| panic!("action.yml has no step with id `{id}`"))
}

/// The step of `action.yml` with this name (the install step has no id).
fn named_step<'a>(action: &'a Value, name: &str) -> &'a Value {
    action["runs"]["steps"]
        .as_sequence()
        .expect("runs.steps is a list")
        .iter()
        .find(|s| text(s, "name") == name)
        .unwrap_or_else(|| panic!("action.yml has no step named `{name}`"))
}

/// What the expressions of a step may read.
#[derive(Default)]
struct Contexts {
    /// `inputs.*`: the action's defaults, overridden by the `with:` the test chooses.
    inputs: BTreeMap<String, String>,
    /// `github.*`: only the properties a test sets.
    github: BTreeMap<String, String>,
    /// Variables of the runner's environment a test sets besides the usual ones.
    env: BTreeMap<String, String>,
}

impl Contexts {
    /// The action's input defaults, overridden by `with` (each must be a declared input).
    fn new(action: &Value, with: &[(&str, &str)]) -> Self {
        let declared = action["inputs"].as_mapping().expect("inputs is a mapping");
        let mut inputs: BTreeMap<String, String> = declared
            .iter()
            .map(|(name, input)| {
                let name = name.as_str().expect("an input name").to_owned();
                let default = match input.get("default") {
                    None | Some(Value::Null) => String::new(),
                    Some(Value::String(s)) => s.clone(),
                    Some(other) => yaml_serde::to_string(other)
                        .expect("a scalar")
                        .trim()
                        .to_owned(),
                };
                (name, default)
            })
            .collect();
        for (name, value) in with {
            assert!(
                inputs.contains_key(*name),
                "`{name}` is not an input of action.yml"
            );
            inputs.insert((*name).to_owned(), (*value).to_owned());
        }
        Self {
            inputs,
            github: BTreeMap::new(),
            env: BTreeMap::new(),
        }
    }

    /// One operand: a string literal, `inputs.NAME` or `github.NAME`.
    fn operand(&self, operand: &str) -> String {
        if let Some(literal) = operand
            .strip_prefix('\'')
            .and_then(|s| s.strip_suffix('\''))
        {
            return literal.replace("''", "'");
        }
        if let Some(name) = operand.strip_prefix("inputs.") {
            return self
                .inputs
                .get(name)
                .unwrap_or_else(|| panic!("`${{{{ {operand} }}}}`: no input `{name}`"))
                .clone();
        }
        if let Some(name) = operand.strip_prefix("github.") {
            return self.github.get(name).cloned().unwrap_or_else(|| {
                panic!("`${{{{ {operand} }}}}`: this test does not provide `github.{name}`")
            });
        }
        panic!(
            "`{operand}`: an expression this test does not know how GitHub evaluates; \
             teach tests/cli/action.rs before using it in action.yml"
        )
    }

    /// An expression: operands joined by `||`, which yields the first non-empty one.
    fn evaluate(&self, expression: &str) -> String {
        expression
            .split("||")
            .map(|operand| self.operand(operand.trim()))
            .find(|value| !value.is_empty())
            .unwrap_or_default()
    }

    /// Every `${{ ... }}` of `source` replaced by its value, as the runner does before a step runs.
    fn expand(&self, source: &str) -> String {
        let mut out = String::new();
        let mut rest = source;
        while let Some(start) = rest.find("${{") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 3..];
            let end = after
                .find("}}")
                .unwrap_or_else(|| panic!("an unclosed `${{{{` in: {source}"));
            out.push_str(&self.evaluate(after[..end].trim()));
            rest = &after[end + 2..];
        }
        out.push_str(rest);
        out
    }
}

/// What a step did.
struct StepRun {
    code: i32,
    stdout: String,
    stderr: String,
    /// `GITHUB_OUTPUT`, parsed (`name=value` lines).
    outputs: BTreeMap<String, String>,
    /// `GITHUB_STEP_SUMMARY`.
    summary: String,
    /// `GITHUB_PATH`: the folders the step adds to `PATH` for the next steps.
    path: String,
}

/// `bash`, or `None` (with a note) when it is not installed.
fn bash() -> Option<PathBuf> {
    let found = Command::new("bash")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if found {
        Some(PathBuf::from("bash"))
    } else {
        #[allow(clippy::print_stderr)] // the one way to say why a test did nothing
        {
            eprintln!("skipped: bash is not installed, and the action's steps are bash scripts");
        }
        None
    }
}

/// The folder holding the built `squarely`.
fn binary_dir() -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_squarely"))
        .parent()
        .expect("the binary's folder")
        .to_path_buf()
}

/// Run a `shell: bash` step of a composite action in `workspace`, with `path` as `PATH`.
fn run_step(
    bash: &Path,
    step: &Value,
    contexts: &Contexts,
    workspace: &Path,
    path: &OsString,
) -> StepRun {
    let known = ["name", "id", "shell", "env", "run"];
    for key in step.as_mapping().expect("a step is a mapping").keys() {
        let key = key.as_str().expect("a step key");
        assert!(
            known.contains(&key),
            "step key `{key}` is not run by this test; teach tests/cli/action.rs"
        );
    }
    assert_eq!(text(step, "shell"), "bash", "the step runs with bash");

    let runner = tempfile::tempdir().expect("a temporary directory");
    let output_file = runner.path().join("github_output");
    let summary_file = runner.path().join("step_summary");
    let path_file = runner.path().join("github_path");
    let script = runner.path().join("step.sh");
    std::fs::write(&output_file, "").expect("write");
    std::fs::write(&summary_file, "").expect("write");
    std::fs::write(&script, contexts.expand(text(step, "run"))).expect("write");
    let runner_temp = runner.path().join("temp");
    std::fs::create_dir(&runner_temp).expect("mkdir");

    let mut command = Command::new(bash);
    command
        .args(["--noprofile", "--norc", "-eo", "pipefail"])
        .arg(&script)
        .current_dir(workspace)
        .env("PATH", path)
        .env("CI", "true")
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_WORKSPACE", workspace)
        .env("RUNNER_TEMP", &runner_temp)
        .env("GITHUB_OUTPUT", &output_file)
        .env("GITHUB_STEP_SUMMARY", &summary_file)
        .env("GITHUB_PATH", &path_file)
        // The runner sets it to where it checked the action out: here, this repository.
        .env("GITHUB_ACTION_PATH", env!("CARGO_MANIFEST_DIR"))
        .env_remove("RUNNER_TOOL_CACHE")
        .env_remove("SQUARELY_DOWNLOAD_URL")
        .envs(&contexts.env)
        .env_remove("NO_COLOR");
    if let Some(env) = step.get("env") {
        for (name, value) in env.as_mapping().expect("env is a mapping") {
            let value = match value {
                Value::String(s) => s.clone(),
                other => yaml_serde::to_string(other)
                    .expect("a scalar")
                    .trim()
                    .to_owned(),
            };
            command.env(name.as_str().expect("a name"), contexts.expand(&value));
        }
    }
    let output = command.output().expect("bash runs");
    let outputs = std::fs::read_to_string(&output_file)
        .expect("GITHUB_OUTPUT is readable")
        .lines()
        .map(|line| {
            let (name, value) = line
                .split_once('=')
                .unwrap_or_else(|| panic!("not a name=value line in GITHUB_OUTPUT: {line}"));
            (name.to_owned(), value.to_owned())
        })
        .collect();
    StepRun {
        path: std::fs::read_to_string(&path_file).unwrap_or_default(),
        code: output.status.code().expect("exited normally"),
        stdout: String::from_utf8(output.stdout).expect("UTF-8 stdout"),
        stderr: String::from_utf8(output.stderr).expect("UTF-8 stderr"),
        outputs,
        summary: std::fs::read_to_string(&summary_file).expect("the summary is readable"),
    }
}

/// The built `squarely` first, then the `PATH` of the tests.
fn path_with_squarely() -> OsString {
    let mut dirs = vec![binary_dir()];
    dirs.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    std::env::join_paths(dirs).expect("a PATH")
}

/// The `Audit` step with these inputs, in a copy of `fixture`: the run and the copy.
fn audit_step(fixture: &str, with: &[(&str, &str)]) -> Option<(StepRun, tempfile::TempDir)> {
    let bash = bash()?;
    let action = root_yaml("action.yml");
    let step = step(&action, "audit");
    assert_eq!(text(step, "name"), "Audit");
    assert_eq!(
        text(&action["outputs"]["report"], "value"),
        "${{ steps.audit.outputs.report }}",
        "the action's `report` output is the audit step's"
    );
    let workspace = copy_fixture(fixture);
    let run = run_step(
        &bash,
        step,
        &Contexts::new(&action, with),
        workspace.path(),
        &path_with_squarely(),
    );
    Some((run, workspace))
}

/// The report named by the `report` output, read from the workspace.
fn report(run: &StepRun, workspace: &Path) -> String {
    let name = run.outputs.get("report").expect("a `report` output");
    std::fs::read_to_string(workspace.join(name))
        .unwrap_or_else(|e| panic!("the report {name}: {e}\nstderr: {}", run.stderr))
}

/// Lines of standard output starting with `prefix`.
fn lines_starting(stdout: &str, prefix: &str) -> usize {
    stdout.lines().filter(|l| l.starts_with(prefix)).count()
}

#[test]
fn below_min_score_the_step_fails_with_annotations_a_summary_and_sarif() {
    let Some((run, workspace)) = audit_step("flat-hobby", &[("min-score", "90")]) else {
        return;
    };
    assert_eq!(run.code, 1, "stderr: {}", run.stderr);
    assert!(
        run.stderr.contains("below --min-score 90"),
        "{}",
        run.stderr
    );
    assert!(
        lines_starting(&run.stdout, "::error ") > 0,
        "{}",
        run.stdout
    );
    assert!(
        lines_starting(&run.stdout, "::warning ") > 0,
        "{}",
        run.stdout
    );
    assert_eq!(
        lines_starting(&run.stdout, "::notice "),
        1,
        "{}",
        run.stdout
    );
    let notice = run.stdout.lines().last().expect("a last line");
    assert!(notice.starts_with("::notice ") && notice.contains("Score 21.17 / 100"));
    assert!(
        run.stdout.lines().all(|l| l.starts_with("::")),
        "only workflow commands on stdout:\n{}",
        run.stdout
    );

    assert!(run.summary.starts_with("## "), "summary:\n{}", run.summary);
    assert!(run.summary.contains("21.17 / 100"), "{}", run.summary);

    assert_eq!(
        run.outputs.get("report").map(String::as_str),
        Some("squarely-report.sarif")
    );
    let sarif: serde_json::Value =
        serde_json::from_str(&report(&run, workspace.path())).expect("the SARIF report is JSON");
    assert_eq!(sarif["version"], "2.1.0");
    assert!(
        !sarif["runs"][0]["results"]
            .as_array()
            .expect("results")
            .is_empty()
    );
}

#[test]
fn the_step_leaves_only_the_report_in_the_workspace() {
    let Some((run, workspace)) = audit_step("flat-hobby", &[]) else {
        return;
    };
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    let mut created: Vec<String> = std::fs::read_dir(workspace.path())
        .expect("the workspace")
        .map(|e| {
            e.expect("an entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|name| name.starts_with("squarely"))
        .collect();
    created.sort();
    assert_eq!(created, ["squarely-report.sarif"]);
}

#[test]
fn at_or_above_min_score_or_without_one_the_step_passes() {
    for min_score in ["20", ""] {
        let Some((run, workspace)) = audit_step("flat-hobby", &[("min-score", min_score)]) else {
            return;
        };
        assert_eq!(
            run.code, 0,
            "min-score `{min_score}`, stderr: {}",
            run.stderr
        );
        assert!(lines_starting(&run.stdout, "::error ") > 0);
        assert!(run.summary.starts_with("## "), "{}", run.summary);
        let sarif: serde_json::Value =
            serde_json::from_str(&report(&run, workspace.path())).expect("JSON");
        assert_eq!(sarif["version"], "2.1.0");
    }
}

#[test]
fn format_junit_writes_xml() {
    let Some((run, workspace)) = audit_step("flat-hobby", &[("format", "junit")]) else {
        return;
    };
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    assert_eq!(
        run.outputs.get("report").map(String::as_str),
        Some("squarely-report.xml")
    );
    let xml = report(&run, workspace.path());
    let mut reader = quick_xml::Reader::from_str(&xml);
    let mut root = None;
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) if root.is_none() => {
                root = Some(String::from_utf8(e.name().as_ref().to_vec()).expect("UTF-8"));
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(root.as_deref(), Some("testsuites"));
    assert!(run.summary.starts_with("## "));
}

#[test]
fn format_markdown_writes_the_summary_twice_over() {
    let Some((run, workspace)) =
        audit_step("flat-hobby", &[("format", "markdown"), ("min-score", "90")])
    else {
        return;
    };
    assert_eq!(run.code, 1, "stderr: {}", run.stderr);
    assert_eq!(
        run.outputs.get("report").map(String::as_str),
        Some("squarely-report.md")
    );
    let markdown = report(&run, workspace.path());
    assert!(markdown.starts_with("## "), "{markdown}");
    assert_eq!(run.summary, markdown);
    assert!(lines_starting(&run.stdout, "::notice ") == 1);
}

#[test]
fn format_json_and_a_named_standard() {
    let Some((run, workspace)) = audit_step(
        "flat-hobby",
        &[("format", "json"), ("standard", "modular-monolith")],
    ) else {
        return;
    };
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    let json: serde_json::Value =
        serde_json::from_str(&report(&run, workspace.path())).expect("JSON");
    assert!(
        json.to_string().contains("modular-monolith"),
        "the report names the standard"
    );
}

#[test]
fn a_path_input_audits_that_folder() {
    let Some(bash) = bash() else {
        return;
    };
    let action = root_yaml("action.yml");
    let workspace = tempfile::tempdir().expect("a temporary directory");
    crate::support::copy_tree(
        &crate::support::fixtures().join("flat-hobby"),
        &workspace.path().join("services/hobby"),
    );
    let run = run_step(
        &bash,
        step(&action, "audit"),
        &Contexts::new(&action, &[("path", "services/hobby"), ("min-score", "90")]),
        workspace.path(),
        &path_with_squarely(),
    );
    assert_eq!(run.code, 1, "stderr: {}", run.stderr);
    assert!(run.summary.contains("21.17 / 100"), "{}", run.summary);
    assert!(workspace.path().join("squarely-report.sarif").is_file());
}

#[test]
fn a_usage_error_fails_the_step_with_exit_2_and_the_cli_message() {
    let Some((run, _workspace)) = audit_step("flat-hobby", &[("standard", "no-such-standard")])
    else {
        return;
    };
    assert_eq!(run.code, 2, "stderr: {}", run.stderr);
    assert!(
        run.stderr.contains("unknown standard `no-such-standard`"),
        "{}",
        run.stderr
    );
    assert_eq!(
        run.stderr.lines().count(),
        1,
        "only squarely's error line:\n{}",
        run.stderr
    );
    assert!(run.summary.is_empty(), "{}", run.summary);
}

/// The install step with a fake `cargo` first on `PATH` and `env` set: what it did, and the
/// `cargo` command lines it ran.
#[cfg(unix)]
fn install_step(
    with: &[(&str, &str)],
    env: &[(&str, &str)],
) -> Option<(StepRun, Vec<String>, tempfile::TempDir)> {
    use std::os::unix::fs::PermissionsExt;

    let bash = bash()?;
    let action = root_yaml("action.yml");
    let step = named_step(&action, "Install squarely");
    let mut contexts = Contexts::new(&action, with);
    let runner = tempfile::tempdir().expect("a temporary directory");
    contexts.env.insert(
        "RUNNER_TOOL_CACHE".to_owned(),
        runner.path().join("tools").display().to_string(),
    );
    for (name, value) in env {
        contexts.env.insert((*name).to_owned(), (*value).to_owned());
    }

    let calls = runner.path().join("calls");
    let fake = runner.path().join("fake-bin");
    std::fs::create_dir(&fake).expect("mkdir");
    let cargo = fake.join("cargo");
    std::fs::write(
        &cargo,
        format!("#!/bin/sh\necho \"$*\" >> '{}'\n", calls.display()),
    )
    .expect("write");
    std::fs::set_permissions(&cargo, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let inherited = std::env::var_os("PATH").unwrap_or_default();
    let dirs = std::iter::once(fake).chain(std::env::split_paths(&inherited));
    let path = std::env::join_paths(dirs).expect("a PATH");
    let workspace = tempfile::tempdir().expect("a temporary directory");
    let run = run_step(&bash, step, &contexts, workspace.path(), &path);
    let calls = std::fs::read_to_string(&calls)
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect();
    Some((run, calls, runner))
}

/// A release `v9.9.9` of this build's binary in `root`, as `scripts/install.sh` reads it.
#[cfg(unix)]
fn fake_release(root: &Path) -> Option<()> {
    let target = match (std::env::consts::OS, std::env::consts::ARCH) {
        ("linux", "x86_64") => "x86_64-unknown-linux-musl",
        ("linux", "aarch64") => "aarch64-unknown-linux-musl",
        _ => return None,
    };
    let staging = root.join("staging").join(format!("squarely-{target}"));
    let dir = root.join("v9.9.9");
    std::fs::create_dir_all(&staging).unwrap();
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(binary_dir().join("squarely"), staging.join("squarely")).unwrap();
    let archive = format!("squarely-{target}.tar.gz");
    let ok = Command::new("tar")
        .current_dir(root.join("staging"))
        .arg("-czf")
        .arg(dir.join(&archive))
        .arg(format!("squarely-{target}"))
        .status()
        .unwrap()
        .success();
    assert!(ok);
    let sum = Command::new("sha256sum")
        .arg(dir.join(&archive))
        .output()
        .unwrap();
    let sum = String::from_utf8(sum.stdout).unwrap()[..64].to_owned();
    std::fs::write(dir.join("SHA256SUMS"), format!("{sum}  {archive}\n")).unwrap();
    Some(())
}

#[cfg(unix)]
#[test]
fn the_install_step_installs_the_release_binary_of_its_version() {
    let release = tempfile::tempdir().expect("a temporary directory");
    if fake_release(release.path()).is_none() {
        return;
    }
    let url = format!("file://{}", release.path().display());
    let Some((run, calls, runner)) =
        install_step(&[("version", "v9.9.9")], &[("SQUARELY_DOWNLOAD_URL", &url)])
    else {
        return;
    };
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        calls.is_empty(),
        "no build where a release exists: {calls:?}"
    );
    let dir = runner.path().join("tools/squarely/v9.9.9/bin");
    assert_eq!(run.path.trim(), dir.display().to_string());
    assert!(dir.join("squarely").exists());
}

#[cfg(unix)]
#[test]
fn without_a_release_the_install_step_builds_the_actions_own_source() {
    // A branch, and a tag with no release binary: both build what the action checked out.
    let empty = tempfile::tempdir().expect("a temporary directory");
    let url = format!("file://{}", empty.path().display());
    for version in ["main", "v0.0.1"] {
        let Some((run, calls, runner)) =
            install_step(&[("version", version)], &[("SQUARELY_DOWNLOAD_URL", &url)])
        else {
            return;
        };
        assert_eq!(run.code, 0, "{version}: {}", run.stderr);
        let root = runner.path().join("tools/squarely").join(version);
        assert_eq!(
            calls,
            [format!(
                "install --locked --path {} --root {}",
                env!("CARGO_MANIFEST_DIR"),
                root.display()
            )],
            "{version}"
        );
        assert!(
            run.stdout
                .contains("building it from the action's own source")
        );
    }
}

#[cfg(unix)]
#[test]
fn the_install_step_takes_its_version_from_the_actions_ref_and_refuses_odd_ones() {
    // No input: the last folder of the action's path (here the repository's folder name).
    let Some((run, calls, _runner)) = install_step(&[], &[]) else {
        return;
    };
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(calls.len(), 1, "{calls:?}");
    let Some((run, calls, _runner)) = install_step(&[("version", "../../etc")], &[]) else {
        return;
    };
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(run.stdout.contains("the version must be"), "{}", run.stdout);
    assert!(calls.is_empty());
}

/// The hook of `.pre-commit-hooks.yaml` with this id.
fn hook_with_id<'a>(hooks: &'a Value, id: &str) -> &'a Value {
    hooks
        .as_sequence()
        .expect("a list of hooks")
        .iter()
        .find(|h| text(h, "id") == id)
        .unwrap_or_else(|| panic!("a hook with id {id}"))
}

#[test]
fn the_pre_commit_hook_is_a_valid_command_line() {
    let hooks = root_yaml(".pre-commit-hooks.yaml");
    let hook = hook_with_id(&hooks, "squarely-audit");
    assert_eq!(
        hook["pass_filenames"],
        Value::Bool(false),
        "audit takes one folder, not files"
    );
    assert_eq!(hook["always_run"], Value::Bool(true));
    assert!(!text(hook, "language").is_empty());
    // The hook for a squarely already on PATH runs the same command, builds nothing, and
    // runs at the same stages.
    let system = hook_with_id(&hooks, "squarely-audit-system");
    assert_eq!(text(system, "language"), "system");
    for key in ["entry", "pass_filenames", "always_run", "stages"] {
        assert_eq!(system[key], hook[key], "{key}");
    }

    // The `args:` of the usage example in the file's comment.
    let source = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml"),
    )
    .expect("read");
    let example = source
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix('#'))
        .map(str::trim)
        .find(|l| l.starts_with("args:"))
        .expect("a usage example with args");
    let example: Value = yaml_serde::from_str(example).expect("the example is YAML");
    let args: Vec<String> = example["args"]
        .as_sequence()
        .expect("args is a list")
        .iter()
        .map(|a| a.as_str().expect("a string").to_owned())
        .collect();
    assert_eq!(args, ["--min-score", "90"]);

    // pre-commit runs `entry args...` from the repository root, with no file names.
    let entry: Vec<&str> = text(hook, "entry").split_whitespace().collect();
    assert_eq!(entry.first(), Some(&"squarely"));
    for (fixture, expected) in [("flat-hobby", 1), ("fastapi-exemplary", 0)] {
        let workspace = copy_fixture(fixture);
        let output = Command::new(env!("CARGO_BIN_EXE_squarely"))
            .args(&entry[1..])
            .args(&args)
            .current_dir(workspace.path())
            .output()
            .expect("squarely runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(expected), "{fixture}: {stderr}");
    }
}

#[test]
fn a_baseline_input_gates_on_what_got_worse() {
    let Some(bash) = bash() else {
        return;
    };
    let action = root_yaml("action.yml");
    let workspace = copy_fixture("flat-hobby");
    let saved = crate::support::squarely()
        .args([
            "audit",
            workspace.path().to_str().unwrap(),
            "--save-baseline",
        ])
        .arg(workspace.path().join(".squarely-baseline.json"))
        .output()
        .expect("squarely runs");
    assert_eq!(crate::support::code(&saved), 0);
    let with = [("min-score", "90"), ("baseline", ".squarely-baseline.json")];
    let step = step(&action, "audit");
    let audit = || {
        run_step(
            &bash,
            step,
            &Contexts::new(&action, &with),
            workspace.path(),
            &path_with_squarely(),
        )
    };
    let run = audit();
    assert_eq!(run.code, 0, "no worse than the baseline: {}", run.stderr);
    assert_eq!(lines_starting(&run.stdout, "::error "), 0, "{}", run.stdout);
    assert_eq!(
        lines_starting(&run.stdout, "::warning "),
        0,
        "{}",
        run.stdout
    );
    assert!(
        run.summary.contains("### Baseline · ✅ no worse"),
        "{}",
        run.summary
    );

    std::fs::write(workspace.path().join("crash.log"), "boom\n").unwrap();
    let run = audit();
    assert_eq!(run.code, 1);
    assert_eq!(lines_starting(&run.stdout, "::error "), 1, "{}", run.stdout);
    assert!(run.stdout.contains("file=crash.log"), "{}", run.stdout);
}

#[test]
fn the_workspace_input_scores_every_service() {
    let Some((run, workspace)) =
        audit_step("workspace", &[("workspace", "true"), ("format", "json")])
    else {
        return;
    };
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    let json: serde_json::Value =
        serde_json::from_str(&report(&run, workspace.path())).expect("JSON");
    assert_eq!(
        json["workspace"]["services"].as_array().map(Vec::len),
        Some(2)
    );
    assert!(
        run.summary.contains("squarely workspace: mean"),
        "{}",
        run.summary
    );
}
