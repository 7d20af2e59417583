//! Skeletons: embedded templates rendered into an in-memory [`crate::fs::Plan`], written only when whole.
//!
//! `new` and `add domain` share one path: a project is its base files plus, for each domain,
//! the domain's files and one snippet inserted before each marker line (`// squarely:routes`)
//! of the files that list domains. So a domain added a year later has exactly the shape of
//! the ones `new` generated. Nothing here touches the disk: reads go through [`crate::fs::Disk`], and
//! [`crate::fs::ProjectDir::apply`] writes the plan.

#![allow(
    clippy::doc_markdown,
    reason = "the doc comments of Lang, Framework and Db are --help text for people"
)]

mod names;
mod plan;
mod project;
mod template;

pub use names::{Forms, NameError, validate as validate_name, validate_migration};
pub use project::{PROJECT_FILE, ProjectFile};
pub use template::{PYTHON_TEMPLATE_ID, TEMPLATE_ID, TEMPLATE_IDS, Template, render_embedded};

use serde::{Deserialize, Serialize};

/// The language of a skeleton.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Rust (actix-web or axum).
    Rust,
    /// Python (FastAPI): not available yet.
    Python,
    /// Node (Express, NestJS): not available yet.
    Node,
}

/// The web framework of a skeleton.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Framework {
    /// actix-web 4 (Rust).
    Actix,
    /// axum 0.8 (Rust).
    Axum,
    /// FastAPI (Python): not available yet.
    Fastapi,
    /// Express (Node): not available yet.
    Express,
    /// NestJS (Node): not available yet.
    Nestjs,
}

impl Framework {
    /// The framework's name in files and messages.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Framework::Actix => "actix",
            Framework::Axum => "axum",
            Framework::Fastapi => "fastapi",
            Framework::Express => "express",
            Framework::Nestjs => "nestjs",
        }
    }

    /// The language the framework belongs to.
    #[must_use]
    pub fn lang(self) -> Lang {
        match self {
            Framework::Actix | Framework::Axum => Lang::Rust,
            Framework::Fastapi => Lang::Python,
            Framework::Express | Framework::Nestjs => Lang::Node,
        }
    }
}

/// The database of a skeleton.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Db {
    /// PostgreSQL (a server; docker compose starts one).
    Postgres,
    /// SQLite (embedded: nothing to install for a first run).
    Sqlite,
}

impl Db {
    /// The database's name in files and messages.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Db::Postgres => "postgres",
            Db::Sqlite => "sqlite",
        }
    }
}

/// What kind of module a domain is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DomainKind {
    /// A CRUD resource through every layer.
    Resource,
    /// Registration, login and JWTs (`--domain auth`).
    Auth,
}

impl DomainKind {
    /// The kind of the domain called `name`.
    #[must_use]
    pub fn of(name: &str) -> DomainKind {
        if name == "auth" {
            DomainKind::Auth
        } else {
            DomainKind::Resource
        }
    }
}

/// The answers of `new`: everything a skeleton depends on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answers {
    /// The project (crate) name, validated.
    pub name: String,
    /// The web framework.
    pub framework: Framework,
    /// The database.
    pub db: Db,
    /// Domain names in the order given, validated, without duplicates.
    pub domains: Vec<String>,
    /// The standard the skeleton follows.
    pub standard: String,
}

impl Answers {
    /// Whether the project has the `auth` domain.
    #[must_use]
    pub fn has_auth(&self) -> bool {
        self.domains
            .iter()
            .any(|d| DomainKind::of(d) == DomainKind::Auth)
    }
}

/// A moment, for migration versions and dates in documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Moment {
    /// Seconds since the Unix epoch (UTC).
    pub unix: u64,
}

impl Moment {
    /// Year, month, day, hour, minute, second (UTC).
    #[must_use]
    pub fn parts(self) -> (i64, u32, u32, u32, u32, u32) {
        let days = i64::try_from(self.unix / 86_400).unwrap_or(i64::MAX / 2);
        let secs = self.unix % 86_400;
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = u32::try_from(doy - (153 * mp + 2) / 5 + 1).unwrap_or(1);
        let month = u32::try_from(if mp < 10 { mp + 3 } else { mp - 9 }).unwrap_or(1);
        let year = yoe + era * 400 + i64::from(month <= 2);
        let (hour, minute, second) = (secs / 3600, secs % 3600 / 60, secs % 60);
        #[allow(clippy::cast_possible_truncation, reason = "each is below 86,400")]
        (year, month, day, hour as u32, minute as u32, second as u32)
    }

    /// The moment a `YYYYMMDDHHMMSS` migration version names, if it is one.
    #[must_use]
    pub fn from_version(text: &str) -> Option<Moment> {
        if text.len() != 14 || !text.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let number = |range: std::ops::Range<usize>| text[range].parse::<i64>().ok();
        let (y, mo, d) = (number(0..4)?, number(4..6)?, number(6..8)?);
        let (h, mi, s) = (number(8..10)?, number(10..12)?, number(12..14)?);
        if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 59 {
            return None;
        }
        // Howard Hinnant's days_from_civil.
        let y = if mo <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y.rem_euclid(400);
        let doy = (153 * (if mo > 2 { mo - 3 } else { mo + 9 }) + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        let days = era * 146_097 + doe - 719_468;
        let unix = days * 86_400 + h * 3600 + mi * 60 + s;
        u64::try_from(unix).ok().map(|unix| Moment { unix })
    }

    /// `YYYYMMDDHHMMSS`, the version of an sqlx migration.
    #[must_use]
    pub fn version(self) -> String {
        let (y, mo, d, h, mi, s) = self.parts();
        format!("{y:04}{mo:02}{d:02}{h:02}{mi:02}{s:02}")
    }

    /// `YYYY-MM-DD`.
    #[must_use]
    pub fn date(self) -> String {
        let (y, mo, d, ..) = self.parts();
        format!("{y:04}-{mo:02}-{d:02}")
    }

    /// The moment `seconds` later.
    #[must_use]
    pub fn plus(self, seconds: u64) -> Moment {
        Moment {
            unix: self.unix + seconds,
        }
    }
}

/// Why a skeleton could not be planned.
#[derive(Debug, thiserror::Error)]
pub enum ScaffoldError {
    /// A name was refused.
    #[error(transparent)]
    Name(#[from] NameError),
    /// The request cannot be met (an existing domain, an unavailable stack...).
    #[error("{0}")]
    Refused(String),
    /// A template or its manifest is broken (a bug in squarely's templates).
    #[error("template {path}: {message}")]
    Template {
        /// The template file.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// A file of the project is missing, unreadable or lacks an insertion point.
    #[error("{path}: {message}")]
    Project {
        /// The project file, relative to the project root.
        path: String,
        /// What is wrong and what to do.
        message: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_format_as_utc_calendar_time() {
        let cases = [
            (0, "19700101000000", "1970-01-01"),
            (951_782_400, "20000229000000", "2000-02-29"),
            (1_795_727_045, "20261126210405", "2026-11-26"),
            (4_107_542_399, "21000228235959", "2100-02-28"),
        ];
        for (unix, version, date) in cases {
            let moment = Moment { unix };
            assert_eq!(moment.version(), version);
            assert_eq!(moment.date(), date);
            assert_eq!(Moment::from_version(version), Some(moment));
        }
        assert_eq!(Moment::from_version("2026112621040"), None);
        assert_eq!(Moment::from_version("20261326210405"), None);
        assert_eq!(Moment::from_version("2026112621040x"), None);
        assert_eq!(Moment { unix: 59 }.plus(1).version(), "19700101000100");
    }

    #[test]
    fn auth_is_the_one_special_domain() {
        assert_eq!(DomainKind::of("auth"), DomainKind::Auth);
        assert_eq!(DomainKind::of("authors"), DomainKind::Resource);
    }
}
