//! `scripts/install.sh`: installs a release archive after checking it against the release's
//! SHA256SUMS, and installs nothing when the check fails. The "release" is a folder of this
//! build's binary, read through `SQUARELY_DOWNLOAD_URL=file://...`.

use std::path::Path;
use std::process::Command;

/// The release target `install.sh` picks on this machine; `None` where it has no binary.
fn target() -> Option<&'static str> {
    match (std::env::consts::OS, std::env::consts::ARCH) {
        ("linux", "x86_64") => Some("x86_64-unknown-linux-musl"),
        ("linux", "aarch64") => Some("aarch64-unknown-linux-musl"),
        ("macos", "x86_64") => Some("x86_64-apple-darwin"),
        ("macos", "aarch64") => Some("aarch64-apple-darwin"),
        _ => None,
    }
}

/// A release folder `<root>/v9.9.9/` holding the archive of this build's binary and its
/// SHA256SUMS (with `checksum` instead of the real one when given).
fn release(root: &Path, target: &str, checksum: Option<&str>) {
    let dir = root.join("v9.9.9");
    let staging = root.join("staging").join(format!("squarely-{target}"));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::create_dir_all(&staging).unwrap();
    std::fs::copy(env!("CARGO_BIN_EXE_squarely"), staging.join("squarely")).unwrap();
    let archive = format!("squarely-{target}.tar.gz");
    let status = Command::new("tar")
        .current_dir(root.join("staging"))
        .args(["-czf", dir.join(&archive).to_str().unwrap()])
        .arg(format!("squarely-{target}"))
        .status()
        .unwrap();
    assert!(status.success());
    let sum = checksum.map_or_else(
        || {
            let output = Command::new("sha256sum")
                .arg(dir.join(&archive))
                .output()
                .unwrap();
            String::from_utf8(output.stdout).unwrap()[..64].to_owned()
        },
        str::to_owned,
    );
    std::fs::write(dir.join("SHA256SUMS"), format!("{sum}  {archive}\n")).unwrap();
}

fn install(root: &Path, to: &Path) -> std::process::Output {
    Command::new("sh")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/install.sh"))
        .args(["--version", "9.9.9", "--to", to.to_str().unwrap()])
        .env(
            "SQUARELY_DOWNLOAD_URL",
            format!("file://{}", root.display()),
        )
        .output()
        .unwrap()
}

#[test]
fn installs_a_checked_release_binary_that_runs() {
    let Some(target) = target() else { return };
    let dir = tempfile::tempdir().unwrap();
    release(dir.path(), target, None);
    let to = dir.path().join("bin");
    let output = install(dir.path(), &to);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let version = Command::new(to.join("squarely"))
        .arg("--version")
        .output()
        .unwrap();
    assert!(version.status.success());
    assert!(String::from_utf8_lossy(&version.stdout).starts_with("squarely "));
}

#[test]
fn a_checksum_mismatch_installs_nothing() {
    let Some(target) = target() else { return };
    let dir = tempfile::tempdir().unwrap();
    release(dir.path(), target, Some(&"0".repeat(64)));
    let to = dir.path().join("bin");
    let output = install(dir.path(), &to);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("does not match SHA256SUMS"), "{stderr}");
    assert!(!to.join("squarely").exists());
}

#[test]
fn bad_arguments_are_refused() {
    let output = Command::new("sh")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/install.sh"))
        .args(["--version", "../../etc"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("release tag"));
}

/// Every archive `install.sh` may download is one the release workflow builds, and the
/// workflow publishes the script and the checksums it reads.
#[test]
fn the_release_workflow_builds_what_install_sh_downloads() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let workflow = std::fs::read_to_string(root.join(".github/workflows/release.yml")).unwrap();
    let workflow: yaml_serde::Value = yaml_serde::from_str(&workflow).unwrap();
    let built: Vec<&str> = workflow["jobs"]["archives"]["strategy"]["matrix"]["include"]
        .as_sequence()
        .unwrap()
        .iter()
        .filter_map(|entry| entry["target"].as_str())
        .collect();
    let script = std::fs::read_to_string(root.join("scripts/install.sh")).unwrap();
    let wanted: Vec<&str> = script
        .lines()
        .filter_map(|line| line.split_once("target=\"")?.1.split_once('"'))
        .map(|(target, _)| target)
        .collect();
    assert_eq!(wanted.len(), 4, "{wanted:?}");
    for target in wanted {
        assert!(built.contains(&target), "{target} is not built: {built:?}");
    }
    let steps = workflow["jobs"]["github-release"]["steps"]
        .as_sequence()
        .unwrap();
    let run: String = steps
        .iter()
        .filter_map(|step| step["run"].as_str())
        .collect();
    assert!(run.contains("cp scripts/install.sh release/"), "{run}");
    assert!(run.contains("sha256sum squarely-* > SHA256SUMS"), "{run}");
}
