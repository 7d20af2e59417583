//! Project configuration: `.squarely.yaml` at the repository root.
//!
//! Parse, then check, then use. [`parse`] reads the file strictly (unknown keys and wrong
//! types are errors, each located) and checks what the file alone can tell: ranges, dates,
//! globs, reasons. [`ParsedConfig::check`] then resolves category and check ids against the
//! standards of the run and reports every problem together, each with file, line and column.
//! The checked [`Config`] gives the commands the standards and the gate, the walk its
//! `ignore` globs, and the audit its waivers ([`crate::audit::Waivers`]).
//!
//! Paths in the file (`standards` files, `ignore` and waiver `path` globs) are relative to
//! the folder holding it: the repository root.

pub mod init;
mod raw;

use std::collections::HashSet;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::audit::{Waiver as AuditWaiver, Waivers};
use crate::fs::Notice;
use crate::standard::{
    self, Diagnostic, Loaded, Mark, PathGlob, Severity, Standard, StandardError,
};

use raw::RawConfig;

/// The file's name, looked for in the audited folder and upward.
pub const CONFIG_FILE: &str = ".squarely.yaml";

/// Why a configuration cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file has errors (all of them, located).
    #[error("{}", summary(diagnostics))]
    Invalid {
        /// Every error found.
        diagnostics: Vec<Diagnostic>,
    },
}

fn summary(diagnostics: &[Diagnostic]) -> String {
    match diagnostics {
        [] => "invalid configuration".to_owned(),
        [one] => one.to_string(),
        [first, rest @ ..] => format!(
            "{first} (and {} more error{} in the configuration)",
            rest.len(),
            if rest.len() == 1 { "" } else { "s" }
        ),
    }
}

/// A calendar day, for waiver expiry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    /// Year.
    pub year: i64,
    /// Month, 1-12.
    pub month: u32,
    /// Day of the month, from 1.
    pub day: u32,
}

impl Date {
    /// A `YYYY-MM-DD` date that exists in the calendar.
    #[must_use]
    pub fn parse(text: &str) -> Option<Date> {
        let bytes = text.as_bytes();
        let digits = |range: std::ops::Range<usize>| {
            bytes[range.clone()]
                .iter()
                .all(u8::is_ascii_digit)
                .then(|| text[range].parse::<u32>().ok())
                .flatten()
        };
        if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return None;
        }
        let (year, month, day) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        (1..=days).contains(&day).then_some(Date {
            year: i64::from(year),
            month,
            day,
        })
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// A minimum of points for one category.
#[derive(Debug, Clone, PartialEq)]
pub struct Floor {
    /// The category id.
    pub category: String,
    /// The minimum points.
    pub points: f64,
    /// Where it is written.
    pub mark: Mark,
}

/// One waiver as written, checked.
#[derive(Debug, Clone)]
pub struct Waiver {
    /// The check id.
    pub check: String,
    /// Why.
    pub reason: String,
    /// The last day it counts.
    pub expires: Option<Date>,
    /// Only findings at this path.
    pub path: Option<PathGlob>,
    /// Only findings on this line.
    pub line: Option<u32>,
    /// Where it is written (its `check` value).
    pub mark: Mark,
}

/// A configuration read and checked on its own, not yet against the standards of the run.
#[derive(Debug)]
pub struct ParsedConfig {
    config: Config,
    standards: Vec<(String, Mark)>,
    floors: Vec<Floor>,
    ignore: Vec<PathGlob>,
    problems: Vec<Diagnostic>,
}

/// A checked configuration.
#[derive(Debug)]
pub struct Config {
    /// The file, as messages name it.
    pub file: String,
    /// The folder its paths are relative to (the repository root).
    pub dir: PathBuf,
    /// The gate's threshold, when set.
    pub min_score: Option<f64>,
    /// Category floors, in the order written.
    pub floors: Vec<Floor>,
    /// Every waiver, expired or not, in the order written.
    pub waivers: Vec<Waiver>,
    /// The baseline file (`--baseline` wins), joined to `dir`, and as written.
    pub baseline: Option<(PathBuf, String)>,
    /// The folder every file this configuration names must stay in, once links are resolved
    /// (the repository, when the file was found in it; `None` for `--config FILE`).
    pub confine: Option<PathBuf>,
    /// Whether to score every backend project (`workspace: true`, or `--workspace`).
    pub workspace: bool,
}

/// Parse the configuration `text` of `file` (as messages name it), whose paths are relative
/// to `dir`. YAML errors (syntax, unknown keys, wrong types) fail at once, all of them; other
/// problems are kept for [`ParsedConfig::check`], so that they are reported together with
/// those found against the standards.
pub fn parse(text: &str, file: &str, dir: &Path) -> Result<ParsedConfig, ConfigError> {
    let located = |mark: Option<Mark>, message: String| Diagnostic {
        file: file.to_owned(),
        mark,
        severity: Severity::Error,
        message,
    };
    let only_comments = text
        .lines()
        .all(|line| line.trim().is_empty() || line.trim_start().starts_with('#'));
    let raw: RawConfig = if only_comments {
        RawConfig::default()
    } else {
        standard::yaml::from_str(text).map_err(|errors| ConfigError::Invalid {
            diagnostics: errors
                .into_iter()
                .map(|e| located(e.mark, e.message))
                .collect(),
        })?
    };
    let mut problems = Vec::new();
    let mut standards = Vec::new();
    for spec in raw.standards.unwrap_or_default() {
        if spec.value.trim().is_empty() {
            problems.push(located(
                Some(spec.mark),
                "empty standard: name a built-in id (`squarely standards list`) or a rule-set file"
                    .to_owned(),
            ));
        } else {
            standards.push((spec.value, spec.mark));
        }
    }
    let min_score = raw.min_score.and_then(|min| {
        if (0.0..=100.0).contains(&min.value) {
            Some(min.value)
        } else {
            problems.push(located(
                Some(min.mark),
                format!("min-score {} is outside 0-100", min.value),
            ));
            None
        }
    });
    let mut floors = Vec::new();
    for (category, points) in raw.floors.unwrap_or_default() {
        if points.value.is_finite() && points.value >= 0.0 {
            floors.push(Floor {
                category: category.value,
                points: points.value,
                mark: category.mark,
            });
        } else {
            problems.push(located(
                Some(points.mark),
                format!(
                    "the floor of `{}` must be a number of points, 0 or more",
                    category.value
                ),
            ));
        }
    }
    let glob = |text: &str| {
        PathGlob::new(text, false)
            .map_err(|why| why.replace("the scope root", "the repository root"))
    };
    let mut ignore = Vec::new();
    for pattern in raw.ignore.unwrap_or_default() {
        match glob(&pattern.value) {
            Ok(compiled) => ignore.push(compiled),
            Err(why) => problems.push(located(Some(pattern.mark), why)),
        }
    }
    let baseline = raw.baseline.and_then(|file| {
        if file.value.trim().is_empty() {
            problems.push(located(
                Some(file.mark),
                "empty baseline: name the file `squarely audit --save-baseline FILE` wrote"
                    .to_owned(),
            ));
            None
        } else {
            Some((dir.join(file.value.trim()), file.value.trim().to_owned()))
        }
    });
    let workspace = raw.workspace.is_some_and(|w| w.value);
    let mut waivers = Vec::new();
    for w in raw.waivers.unwrap_or_default() {
        let mark = w.check.mark;
        let mut ok = true;
        let mut fail = |mark: Mark, message: String| {
            problems.push(located(Some(mark), message));
            ok = false;
        };
        if w.reason.value.trim().is_empty() {
            fail(
                w.reason.mark,
                format!(
                    "the waiver of `{}` needs a reason: say why the exception is acceptable",
                    w.check.value
                ),
            );
        }
        let expires = w.expires.as_ref().and_then(|text| {
            let date = Date::parse(text.value.trim());
            if date.is_none() {
                fail(
                    text.mark,
                    format!(
                        "`{}` is not a date: write the last day the waiver counts as YYYY-MM-DD",
                        text.value
                    ),
                );
            }
            date
        });
        let path = w.path.as_ref().and_then(|text| match glob(&text.value) {
            Ok(compiled) => Some(compiled),
            Err(why) => {
                fail(text.mark, why);
                None
            }
        });
        let line = w.line.as_ref().and_then(|line| {
            if w.path.is_none() {
                fail(
                    line.mark,
                    "`line` needs a `path`: say which file the line is in".to_owned(),
                );
                None
            } else if line.value == 0 {
                fail(line.mark, "lines count from 1".to_owned());
                None
            } else {
                Some(line.value)
            }
        });
        if ok {
            waivers.push(Waiver {
                check: w.check.value,
                reason: w.reason.value.trim().to_owned(),
                expires,
                path,
                line,
                mark,
            });
        } else {
            // Kept for the id check only (the problems above fail it), so that a typo in
            // `check` is reported as well.
            waivers.push(Waiver {
                check: w.check.value,
                reason: String::new(),
                expires: None,
                path: None,
                line: None,
                mark,
            });
        }
    }
    Ok(ParsedConfig {
        config: Config {
            file: file.to_owned(),
            dir: dir.to_path_buf(),
            min_score,
            floors: Vec::new(),
            waivers,
            baseline,
            confine: None,
            workspace,
        },
        standards,
        floors,
        ignore,
        problems,
    })
}

impl ParsedConfig {
    /// Keep every file this configuration names (standards, baseline) inside `folder`.
    pub fn confine_to(&mut self, folder: Option<PathBuf>) {
        self.config.confine = folder;
    }

    /// The file, as messages name it.
    #[must_use]
    pub fn file(&self) -> &str {
        &self.config.file
    }

    /// Whether the file names standards.
    #[must_use]
    pub fn names_standards(&self) -> bool {
        !self.standards.is_empty()
    }

    /// Load the standards the file names (relative to its folder). A name that is neither a
    /// built-in nor a file is a located problem of the configuration; a broken rule set fails
    /// with its own errors.
    pub fn load_standards(&mut self) -> Result<Vec<Loaded>, StandardError> {
        let mut loaded = Vec::new();
        for (spec, mark) in &self.standards {
            match standard::load_within(spec, &self.config.dir, self.config.confine.as_deref()) {
                Ok(one) => loaded.push(one),
                Err(err @ (StandardError::Unknown { .. } | StandardError::Io { .. })) => {
                    let why = match err {
                        StandardError::Unknown { known, .. } => format!(
                            "unknown standard `{spec}`: not a built-in ({}) and no such file next to the configuration",
                            known.join(", ")
                        ),
                        other => other.to_string(),
                    };
                    self.problems.push(Diagnostic {
                        file: self.config.file.clone(),
                        mark: Some(*mark),
                        severity: Severity::Error,
                        message: why,
                    });
                }
                Err(err) => return Err(err),
            }
        }
        Ok(loaded)
    }

    /// The `ignore` globs, for the walk. A glob that names a folder's contents (`vendor/**`)
    /// leaves out the folder itself too.
    #[must_use]
    pub fn ignore_globs(&self) -> Vec<globset::Glob> {
        let mut globs = Vec::new();
        for glob in &self.ignore {
            globs.push(glob.glob().clone());
            if let Some(folder) = glob.text.strip_suffix("/**")
                && let Ok(folder) = PathGlob::new(folder, false)
            {
                globs.push(folder.glob().clone());
            }
        }
        globs
    }

    /// Check category and check ids against `known`, the standards of the run and those the
    /// file names, and return the configuration, or every problem of the file.
    pub fn check(self, known: &[&Standard]) -> Result<Config, ConfigError> {
        let ParsedConfig {
            mut config,
            floors,
            mut problems,
            ..
        } = self;
        let located = |mark: Mark, message: String| Diagnostic {
            file: config.file.clone(),
            mark: Some(mark),
            severity: Severity::Error,
            message,
        };
        let names = known
            .iter()
            .map(|s| format!("`{}`", s.id))
            .collect::<Vec<_>>()
            .join(", ");
        for floor in floors {
            let having: Vec<(&Standard, f64)> = known
                .iter()
                .filter(|s| s.categories.iter().any(|c| c.id == floor.category))
                .map(|s| {
                    let max = s
                        .checks
                        .iter()
                        .filter(|c| c.category == floor.category)
                        .map(|c| c.points)
                        .sum();
                    (*s, max)
                })
                .collect();
            if having.is_empty() {
                let categories: HashSet<&str> = known
                    .iter()
                    .flat_map(|s| s.categories.iter().map(|c| c.id.as_str()))
                    .collect();
                let mut all: Vec<&str> = categories.into_iter().collect();
                all.sort_unstable();
                problems.push(located(
                    floor.mark,
                    format!(
                        "unknown category `{}`{}: the categories of {names} are {}",
                        floor.category,
                        did_you_mean(all.iter().copied(), &floor.category, 1),
                        all.join(", ")
                    ),
                ));
            } else if let Some(max) = having
                .iter()
                .map(|(_, max)| *max)
                .reduce(f64::max)
                .filter(|max| floor.points > *max + 1e-9)
            {
                problems.push(located(
                    floor.mark,
                    format!(
                        "the floor of `{}` is {}, above the category's {max} points: it could never be met",
                        floor.category, floor.points
                    ),
                ));
            } else {
                config.floors.push(floor);
            }
        }
        for waiver in &config.waivers {
            let exists = known
                .iter()
                .any(|s| s.checks.iter().any(|c| c.id == waiver.check));
            if !exists {
                let all = known
                    .iter()
                    .flat_map(|s| s.checks.iter().map(|c| c.id.as_str()));
                problems.push(located(
                    waiver.mark,
                    format!(
                        "unknown check `{}`{}: `squarely standards show ID` lists the checks of {names}",
                        waiver.check,
                        did_you_mean(all, &waiver.check, 3)
                    ),
                ));
            }
        }
        if problems.is_empty() {
            Ok(config)
        } else {
            problems.sort();
            Err(ConfigError::Invalid {
                diagnostics: problems,
            })
        }
    }
}

fn did_you_mean<'a>(
    known: impl IntoIterator<Item = &'a str>,
    wanted: &str,
    limit: usize,
) -> String {
    let close = standard::closest(known, wanted, limit);
    if close.is_empty() {
        String::new()
    } else {
        let close: Vec<String> = close.iter().map(|id| format!("`{id}`")).collect();
        format!(" (did you mean {}?)", close.join(", "))
    }
}

impl Config {
    /// The waivers for an audit on `today`: those in force, and a notice (for the report) and
    /// a warning (for standard error) for each expired one. `notice_path` names the file in
    /// report notices; `prefix` is the audited folder relative to [`Config::dir`] (empty when
    /// it is that folder, or outside it).
    #[must_use]
    pub fn waivers_on(
        &self,
        today: Date,
        notice_path: &str,
        prefix: &str,
    ) -> (Waivers, Vec<Diagnostic>) {
        let mut waivers = Waivers {
            file: notice_path.to_owned(),
            prefix: prefix.to_owned(),
            ..Waivers::default()
        };
        let mut warnings = Vec::new();
        for waiver in &self.waivers {
            let what = match &waiver.path {
                Some(path) => format!("the waiver of `{}` at `{}`", waiver.check, path.text),
                None => format!("the waiver of `{}`", waiver.check),
            };
            match waiver.expires {
                Some(expires) if expires < today => {
                    waivers.notices.push(Notice {
                        path: notice_path.to_owned(),
                        message: format!(
                            "{what} (line {}) expired on {expires} and no longer counts",
                            waiver.mark.line
                        ),
                    });
                    warnings.push(Diagnostic {
                        file: self.file.clone(),
                        mark: Some(waiver.mark),
                        severity: Severity::Warning,
                        message: format!(
                            "{what} expired on {expires} and no longer counts: fix what it waived, or renew it with a later `expires`"
                        ),
                    });
                }
                _ => waivers.active.push(AuditWaiver {
                    check: waiver.check.clone(),
                    reason: waiver.reason.clone(),
                    path: waiver.path.clone(),
                    line: waiver.line,
                    at: format!("line {}", waiver.mark.line),
                }),
            }
        }
        (waivers, warnings)
    }
}

#[cfg(test)]
mod tests;
