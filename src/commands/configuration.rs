//! What `audit` and `init` share about the project configuration: finding `.squarely.yaml`,
//! reading it, relating its folder to the audited one, and today's date.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};

use crate::config::{self, CONFIG_FILE, Date, ParsedConfig};
use crate::fs::Exclude;

use super::scaffolding::now;

/// A configuration file to read.
#[derive(Debug)]
pub struct Found {
    /// Where it is.
    pub path: PathBuf,
    /// How messages name it.
    pub shown: String,
    /// Its folder, resolved: what its paths are relative to.
    pub dir: PathBuf,
    /// The repository it was found in, which it and every file it names must stay inside
    /// (`None` for `--config FILE`, which the user named).
    pub within: Option<PathBuf>,
}

/// The largest configuration file squarely reads.
const MAX_CONFIG_BYTES: u64 = 1 << 20;

/// The configuration for `audited`: `explicit` (`--config FILE`), or the `.squarely.yaml`
/// in `audited` or the nearest folder above it, up to the top of the repository.
pub fn locate(audited: &Path, explicit: Option<&Path>) -> anyhow::Result<Option<Found>> {
    if let Some(file) = explicit {
        let shown = file.display().to_string();
        if !file.is_file() {
            if std::fs::metadata(file).is_ok() {
                let err = crate::fs::open::read_regular(file, MAX_CONFIG_BYTES, None)
                    .err()
                    .map_or_else(|| "not a regular file".to_owned(), |e| e.describe());
                bail!("{shown}: {err}: not a configuration file");
            }
            bail!("{shown}: no such configuration file");
        }
        let path = std::fs::canonicalize(file)
            .with_context(|| format!("{shown}: cannot read the configuration"))?;
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        return Ok(Some(Found {
            path: file.to_path_buf(),
            shown,
            dir,
            within: None,
        }));
    }
    let Some(path) = crate::fs::find_upward(audited, CONFIG_FILE) else {
        return Ok(None);
    };
    let cwd = std::env::current_dir()
        .and_then(std::fs::canonicalize)
        .unwrap_or_default();
    let shown = path
        .strip_prefix(&cwd)
        .map_or_else(|_| path.display().to_string(), |p| p.display().to_string());
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let within = crate::fs::repository_top(audited).or_else(|| Some(dir.clone()));
    Ok(Some(Found {
        path,
        shown,
        dir,
        within,
    }))
}

/// Read and parse a configuration file.
pub fn read(found: &Found) -> anyhow::Result<ParsedConfig> {
    let bytes =
        crate::fs::open::read_regular(&found.path, MAX_CONFIG_BYTES, found.within.as_deref())
            .map_err(|err| {
                anyhow::anyhow!("{}: cannot read the configuration: {err}", found.shown)
            })?;
    let Ok(text) = String::from_utf8(bytes) else {
        bail!("{}: the configuration is not UTF-8 text", found.shown);
    };
    let mut parsed = config::parse(&text, &found.shown, &found.dir)?;
    parsed.confine_to(found.within.clone());
    Ok(parsed)
}

/// How the audited folder and the configuration's folder relate.
#[derive(Debug, Clone, Default)]
pub struct Relation {
    /// The audited folder relative to the configuration's (`services/api/`; empty when it is
    /// that folder, or not inside it: then paths are relative to the audited folder).
    pub prefix: String,
    /// The configuration file as report notices name it: relative to the audited folder
    /// (`.squarely.yaml`, `../../.squarely.yaml`) when it is there or above, else as shown.
    pub notice_path: String,
}

/// Relate the audited folder to the configuration found.
pub fn relate(audited: &Path, found: &Found) -> Relation {
    let name = found.path.file_name().map_or_else(
        || CONFIG_FILE.to_owned(),
        |n| n.to_string_lossy().into_owned(),
    );
    let Ok(audited) = std::fs::canonicalize(audited) else {
        return Relation {
            prefix: String::new(),
            notice_path: found.shown.clone(),
        };
    };
    match audited.strip_prefix(&found.dir) {
        Ok(inside) => {
            let parts: Vec<String> = inside
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            let prefix = parts.iter().fold(String::new(), |mut prefix, part| {
                prefix.push_str(part);
                prefix.push('/');
                prefix
            });
            Relation {
                prefix,
                notice_path: format!("{}{name}", "../".repeat(parts.len())),
            }
        }
        Err(_) => Relation {
            prefix: String::new(),
            notice_path: found.shown.clone(),
        },
    }
}

/// The walk's exclusions from a configuration's `ignore` globs.
pub fn exclude(parsed: &ParsedConfig, relation: &Relation) -> anyhow::Result<Option<Exclude>> {
    let globs = parsed.ignore_globs();
    if globs.is_empty() {
        return Ok(None);
    }
    let exclude = Exclude::new(&globs, &relation.prefix)
        .with_context(|| format!("{}: the `ignore` globs", parsed.file()))?;
    Ok(Some(exclude))
}

/// Today (UTC), or the day of `SOURCE_DATE_EPOCH` when it is set.
pub fn today() -> anyhow::Result<Date> {
    let (year, month, day, ..) = now()?.parts();
    Ok(Date { year, month, day })
}
