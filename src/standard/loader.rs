//! Finding rule sets (built-in or on disk), resolving `extends`, and merging the files.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::raw::{RawDetection, RawStandard};
use super::validate::{self, Sources};
use super::yaml;
use super::{Diagnostic, Loaded, Severity, StandardError};

/// The standard used when none is named.
pub const DEFAULT_STANDARD: &str = "coditect-backend";

/// Ids of the built-in standards, in the order `standards list` shows them.
pub const BUILTIN_IDS: [&str; 4] = [
    "coditect-backend",
    "modular-monolith",
    "route-modules",
    "fastapi-best-practices",
];

/// The built-in detection catalog every standard starts from.
const DETECTION: &str = include_str!("../../standards/detection.yaml");

/// The YAML source of a built-in standard.
#[must_use]
pub fn builtin_source(id: &str) -> Option<&'static str> {
    match id {
        "coditect-backend" => Some(include_str!("../../standards/coditect-backend.yaml")),
        "modular-monolith" => Some(include_str!("../../standards/modular-monolith.yaml")),
        "route-modules" => Some(include_str!("../../standards/route-modules.yaml")),
        "fastapi-best-practices" => {
            Some(include_str!("../../standards/fastapi-best-practices.yaml"))
        }
        _ => None,
    }
}

/// The largest rule-set file squarely reads.
pub const MAX_RULE_SET_BYTES: u64 = 1 << 20;

/// Load a rule set by built-in id or file path (relative paths from `cwd`).
pub fn load(spec: &str, cwd: &Path) -> Result<Loaded, StandardError> {
    load_within(spec, cwd, None)
}

/// [`load`] for a rule set a repository names (its `.squarely.yaml`): the file, and every
/// file it `extends`, must lie inside `within` once links are resolved.
pub fn load_within(spec: &str, cwd: &Path, within: Option<&Path>) -> Result<Loaded, StandardError> {
    if builtin_source(spec).is_some() {
        return load_chain(Link::Builtin(spec.to_owned()));
    }
    let path = cwd.join(spec);
    if path.symlink_metadata().is_ok() && (path.is_file() || within.is_some()) {
        return load_chain(Link::File(
            path,
            spec.to_owned(),
            within.map(Path::to_path_buf),
        ));
    }
    let looks_like_path = spec.contains('/')
        || spec.contains('\\')
        || Path::new(spec)
            .extension()
            .is_some_and(|ext| ext.eq_ignore_ascii_case("yaml") || ext.eq_ignore_ascii_case("yml"));
    if looks_like_path {
        return Err(StandardError::Io {
            path: spec.to_owned(),
            source: std::io::Error::new(
                std::io::ErrorKind::NotFound,
                if path.exists() {
                    "not a file"
                } else {
                    "no such file"
                },
            ),
        });
    }
    Err(StandardError::Unknown {
        spec: spec.to_owned(),
        known: BUILTIN_IDS.iter().map(|s| (*s).to_owned()).collect(),
    })
}

/// Load a rule set from text (for `standards validate` of stdin and tests).
/// `name` is used in diagnostics; `extends` paths resolve from `dir`.
pub fn load_str(name: &str, text: &str, dir: &Path) -> Result<Loaded, StandardError> {
    load_chain(Link::Text {
        name: name.to_owned(),
        text: text.to_owned(),
        dir: dir.to_path_buf(),
    })
}

/// One rule set in an `extends` chain.
enum Link {
    Builtin(String),
    /// A file, as shown, and the folder it must stay in (for files a repository names).
    File(PathBuf, String, Option<PathBuf>),
    Text {
        name: String,
        text: String,
        dir: PathBuf,
    },
}

impl Link {
    fn display(&self) -> String {
        match self {
            Link::Builtin(id) => format!("<built-in {id}>"),
            Link::File(_, shown, _) => shown.clone(),
            Link::Text { name, .. } => name.clone(),
        }
    }

    fn identity(&self) -> String {
        match self {
            Link::Builtin(id) => format!("builtin:{id}"),
            Link::File(path, _, _) => std::fs::canonicalize(path)
                .unwrap_or_else(|_| path.clone())
                .display()
                .to_string(),
            Link::Text { name, .. } => format!("text:{name}"),
        }
    }

    fn read(&self) -> Result<String, StandardError> {
        match self {
            Link::Builtin(id) => Ok(builtin_source(id).unwrap_or_default().to_owned()),
            Link::File(path, shown, within) => {
                let bytes =
                    crate::fs::open::read_regular(path, MAX_RULE_SET_BYTES, within.as_deref())
                        .map_err(|err| StandardError::Io {
                            path: shown.clone(),
                            source: match err {
                                crate::fs::open::OpenError::Io(source) => source,
                                other => std::io::Error::other(other.describe()),
                            },
                        })?;
                String::from_utf8(bytes).map_err(|err| StandardError::Invalid {
                    diagnostics: vec![Diagnostic {
                        file: shown.clone(),
                        mark: None,
                        severity: Severity::Error,
                        message: format!(
                            "not valid UTF-8 (first invalid byte at offset {})",
                            err.utf8_error().valid_up_to()
                        ),
                    }],
                })
            }
            Link::Text { text, .. } => Ok(text.clone()),
        }
    }

    /// Where a relative `extends` path is resolved from.
    fn dir(&self) -> Option<PathBuf> {
        match self {
            Link::Builtin(_) => None,
            Link::File(path, _, _) => path.parent().map(Path::to_path_buf),
            Link::Text { dir, .. } => Some(dir.clone()),
        }
    }
}

/// The maximum length of an `extends` chain.
const MAX_CHAIN: usize = 16;

/// Parse every file of the chain (leaf first), then merge root-first and validate.
///
/// A file with YAML errors (unknown keys, wrong types) is still validated in the form
/// recovered around them, so that bad globs, regexes and references are reported in the
/// same run; validation findings at the position of a YAML error, and warnings, wait until
/// the YAML is fixed, because they would be about stand-in values.
fn load_chain(leaf: Link) -> Result<Loaded, StandardError> {
    let mut files: Vec<String> = Vec::new();
    let mut raws: Vec<RawStandard> = Vec::new();
    let mut untrusted: Vec<HashSet<yaml::Mark>> = Vec::new();
    let mut diagnostics: Vec<Diagnostic> = Vec::new();
    // Whether every file of the chain was found and recovered, so it can be validated.
    let mut complete = true;
    let mut seen = HashSet::from([leaf.identity()]);
    let mut next = Some(leaf);
    while let Some(link) = next.take() {
        let name = link.display();
        let text = link.read()?;
        let (raw, errors) = yaml::from_str_recovering::<RawStandard>(&text);
        let marks: HashSet<yaml::Mark> = errors.iter().filter_map(|e| e.mark).collect();
        diagnostics.extend(errors.into_iter().map(|e| error(&name, e.mark, e.message)));
        let Some(raw) = raw else {
            complete = false;
            files.push(name);
            break;
        };
        if raw.extends.is_none() && !marks.is_empty() && has_extends_key(&text) {
            // `extends` failed (the YAML error says why): the parent is unknown.
            complete = false;
        }
        if let Some(parent) = &raw.extends {
            if marks.contains(&parent.mark) {
                // A stand-in: the YAML error says what is wrong.
                complete = false;
            } else if files.len() + 1 >= MAX_CHAIN {
                diagnostics.push(error(
                    &name,
                    Some(parent.mark),
                    format!("`extends` chain is longer than {MAX_CHAIN} rule sets"),
                ));
                complete = false;
            } else {
                match resolve_parent(&parent.value, &link) {
                    Ok(parent_link) if !seen.insert(parent_link.identity()) => {
                        let parent_name = parent_link.display();
                        let mut chain: Vec<&str> = files.iter().map(String::as_str).collect();
                        chain.extend([name.as_str(), parent_name.as_str()]);
                        diagnostics.push(error(
                            &name,
                            Some(parent.mark),
                            format!(
                                "`extends: {}` forms a cycle: {}",
                                parent.value,
                                chain.join(" -> ")
                            ),
                        ));
                        complete = false;
                    }
                    Ok(parent_link) => next = Some(parent_link),
                    Err(message) => {
                        diagnostics.push(error(&name, Some(parent.mark), message));
                        complete = false;
                    }
                }
            }
        }
        files.push(name);
        raws.push(raw);
        untrusted.push(marks);
    }
    let parse_failed = diagnostics.iter().any(|d| d.severity == Severity::Error);
    if parse_failed && !complete {
        diagnostics.sort();
        return Err(StandardError::Invalid { diagnostics });
    }
    let detection =
        yaml::from_str::<RawDetection>(DETECTION).map_err(|errors| StandardError::Invalid {
            diagnostics: errors
                .into_iter()
                .map(|e| error("<built-in detection>", e.mark, e.message))
                .collect(),
        })?;
    // Root-most first.
    files.reverse();
    raws.reverse();
    untrusted.reverse();
    let sources = Sources {
        files,
        untrusted,
        detection_file: "<built-in detection>".to_owned(),
    };
    let origin_file = match raws.len() {
        0 => None,
        _ => Some(sources.files[sources.files.len() - 1].clone()),
    };
    let result = validate::validate(&sources, &detection, raws);
    match result {
        Ok(_) if parse_failed => {
            diagnostics.sort();
            Err(StandardError::Invalid { diagnostics })
        }
        Ok((mut standard, warnings)) => {
            standard.origin = match origin_file {
                Some(file) if !file.starts_with("<built-in") => super::Origin::File(file),
                _ => super::Origin::Builtin,
            };
            Ok(Loaded { standard, warnings })
        }
        Err(found) => {
            // After YAML errors, warnings may be about stand-ins: they wait for a clean parse.
            diagnostics.extend(
                found
                    .into_iter()
                    .filter(|d| !parse_failed || d.severity == Severity::Error),
            );
            diagnostics.sort();
            Err(StandardError::Invalid { diagnostics })
        }
    }
}

/// Whether a rule set's text has an `extends` key, whatever its value.
fn has_extends_key(text: &str) -> bool {
    #[derive(serde::Deserialize)]
    struct Probe {
        #[serde(default)]
        extends: Option<serde::de::IgnoredAny>,
    }
    matches!(
        yaml::from_str_recovering::<Probe>(text),
        (Some(Probe { extends: Some(_) }), _)
    )
}

/// The rule set `spec` names in the `extends` of `child`: a built-in id, or a file next to
/// the child, shown as the child's shown path would lead to it (`team/base.yaml`).
fn resolve_parent(spec: &str, child: &Link) -> Result<Link, String> {
    if builtin_source(spec).is_some() {
        return Ok(Link::Builtin(spec.to_owned()));
    }
    let within = match child {
        Link::File(_, _, within) => within.clone(),
        _ => None,
    };
    let (Some(dir), Link::File(_, shown, _) | Link::Text { name: shown, .. }) =
        (child.dir(), child)
    else {
        return Err(format!(
            "built-in rule sets can only extend built-ins, not `{spec}`"
        ));
    };
    let path = dir.join(spec);
    if path.is_file() || (within.is_some() && path.symlink_metadata().is_ok()) {
        let shown = clean_path(
            &Path::new(shown)
                .parent()
                .unwrap_or(Path::new(""))
                .join(spec),
        );
        return Ok(Link::File(path, shown, within));
    }
    Err(format!(
        "`extends: {spec}` is neither a built-in standard ({}) nor a file next to this one",
        BUILTIN_IDS.join(", ")
    ))
}

/// A path without `.` components (`./a/./b.yaml` -> `a/b.yaml`), for display.
fn clean_path(path: &Path) -> String {
    let clean: PathBuf = path
        .components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .collect();
    clean.display().to_string()
}

fn error(file: &str, mark: Option<yaml::Mark>, message: String) -> Diagnostic {
    Diagnostic {
        file: file.to_owned(),
        mark,
        severity: Severity::Error,
        message,
    }
}

/// The JSON Schema of the rule-set format, generated from the raw types.
#[must_use]
pub fn schema_json() -> String {
    let schema = schemars::schema_for!(RawStandard);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every diagnostic of `text`, as `line:column: message`.
    fn diagnostics(text: &str) -> Vec<String> {
        match load_str("t.yaml", text, Path::new(".")) {
            Ok(_) => Vec::new(),
            Err(StandardError::Invalid { diagnostics }) => diagnostics
                .iter()
                .map(|d| {
                    let mark = d.mark.map(|m| m.to_string()).unwrap_or_default();
                    format!("{mark}: {}", d.message)
                })
                .collect(),
            Err(other) => vec![other.to_string()],
        }
    }

    #[test]
    fn yaml_errors_hide_no_validation_errors_and_add_no_consequences() {
        // Missing fields get stand-ins: no "has no paths" for the layer, no "needs a fix"
        // for the contract, and the unknown layer is still found.
        assert_eq!(
            diagnostics(concat!(
                "id: a\nname: b\nversion: c\n",
                "layers: [{id: l}]\n",
                "contracts: [{id: c, layer: nope}]\n",
            )),
            [
                "4:10: missing field `paths`",
                "4:10: missing field `title`",
                "5:13: missing field `fix`",
                "5:13: missing field `title`",
                "5:13: missing field `why`",
                "5:28: unknown layer `nope`; known: l (or `any`)",
            ]
        );
        // A bad `points` is not compared with its tiers; the tier's glob is still checked.
        assert_eq!(
            diagnostics(concat!(
                "id: a\nname: b\nversion: c\n",
                "categories: [{id: docs, title: Docs}]\n",
                "checks:\n",
                "  - {id: docs.a, category: docs, title: A, points: lots, why: w, fix: f,\n",
                "     tiers: [{points: 5, label: x, when: {file: \"docs/[a-\"}}]}\n",
            )),
            [
                "6:52: invalid type: string \"lots\", expected f64",
                "7:49: invalid glob `docs/[a-`: unclosed character class; missing ']'",
            ]
        );
    }
}
