//! Finding a file upward from a folder: how `audit` finds a repository's `.squarely.yaml`.

use std::path::{Path, PathBuf};

/// The first regular file called `name` in `start` or one of its parents. The search stops
/// at the top of a repository (a folder holding `.git`, a folder or, in worktrees and
/// submodules, a file) and at the filesystem root. `None` as well when `start` cannot be
/// resolved (the caller reports a missing folder on its own).
#[must_use]
pub fn find_upward(start: &Path, name: &str) -> Option<PathBuf> {
    let start = std::fs::canonicalize(start).ok()?;
    let mut dir = start.as_path();
    loop {
        let candidate = dir.join(name);
        if candidate.is_file() {
            return Some(candidate);
        }
        if dir.join(".git").symlink_metadata().is_ok() {
            return None;
        }
        dir = dir.parent()?;
    }
}

/// The top of the repository holding `start`: the nearest folder upward that holds `.git`,
/// else `start` itself (resolved). Files the repository names must stay inside it.
#[must_use]
pub fn repository_top(start: &Path) -> Option<PathBuf> {
    let start = std::fs::canonicalize(start).ok()?;
    let mut dir = start.as_path();
    loop {
        if dir.join(".git").symlink_metadata().is_ok() {
            return Some(dir.to_path_buf());
        }
        match dir.parent() {
            Some(parent) => dir = parent,
            None => return Some(start),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_nearest_file_up_to_the_top_of_the_repository() {
        let outer = tempfile::tempdir().unwrap();
        let top = outer.path().join("repo");
        let deep = top.join("services/api/src");
        std::fs::create_dir_all(&deep).unwrap();
        std::fs::create_dir_all(top.join(".git")).unwrap();
        // Above the repository: never found.
        std::fs::write(outer.path().join("x.yaml"), "a: 1\n").unwrap();
        assert_eq!(find_upward(&deep, "x.yaml"), None);
        std::fs::write(top.join("x.yaml"), "a: 1\n").unwrap();
        let found = find_upward(&deep, "x.yaml").unwrap();
        assert_eq!(found, std::fs::canonicalize(top.join("x.yaml")).unwrap());
        std::fs::write(top.join("services/x.yaml"), "a: 1\n").unwrap();
        let found = find_upward(&deep, "x.yaml").unwrap();
        assert!(found.ends_with("services/x.yaml"), "{found:?}");
        // A folder named like the file is not it; a missing start finds nothing.
        std::fs::create_dir_all(deep.join("x.yaml")).unwrap();
        assert!(
            find_upward(&deep, "x.yaml")
                .unwrap()
                .ends_with("services/x.yaml")
        );
        assert_eq!(find_upward(&top.join("nope"), "x.yaml"), None);
        // Without `.git`, the search goes on to the filesystem root.
        std::fs::remove_dir(top.join(".git")).unwrap();
        std::fs::remove_file(top.join("x.yaml")).unwrap();
        std::fs::remove_file(top.join("services/x.yaml")).unwrap();
        let found = find_upward(&deep, "x.yaml").unwrap();
        assert_eq!(
            found,
            std::fs::canonicalize(outer.path().join("x.yaml")).unwrap()
        );
    }
}
