//! `--format json`: the report model as one JSON object (several standards: `{"reports": [...]}`;
//! `--workspace`: `{"reports": [...], "workspace": {...}}`).
//!
//! Object keys come out in alphabetical order, as a `serde_json::Value` holds them. Each report
//! goes through a `Value` of its own and is written before the next one is built, so a
//! workspace of hundreds of services never holds its whole output in memory.

use std::io::{self, Write};

use serde::Serialize;
use serde::ser::{Error as _, Serializer};

use super::model::{Report, Workspace};

/// Write the reports as pretty JSON followed by a newline.
pub fn write(
    reports: &[Report],
    workspace: Option<&Workspace>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let sorted = |report| Sorted {
        report,
        in_workspace: workspace.is_some(),
    };
    match (reports, workspace) {
        ([one], None) => serde_json::to_writer_pretty(&mut *out, &sorted(one)),
        (many, workspace) => serde_json::to_writer_pretty(
            &mut *out,
            &Many {
                reports: many.iter().map(sorted).collect(),
                workspace: workspace.map(Alphabetical),
            },
        ),
    }
    .map_err(super::json_io)?;
    writeln!(out)
}

/// `{"reports": [...], "workspace": {...}}`, keys in alphabetical order.
#[derive(Serialize)]
struct Many<'a> {
    reports: Vec<Sorted<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    workspace: Option<Alphabetical<'a, Workspace>>,
}

/// One report. In a workspace, `detection.projects` holds the service's own project only:
/// the list of every project is said once, in the workspace's aggregate of each standard.
struct Sorted<'a> {
    report: &'a Report,
    in_workspace: bool,
}

impl Serialize for Sorted<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut value = serde_json::to_value(self.report).map_err(S::Error::custom)?;
        if self.in_workspace
            && let Some(projects) = value
                .get_mut("detection")
                .and_then(|d| d.get_mut("projects"))
                .and_then(serde_json::Value::as_array_mut)
        {
            let own = self.report.detection.service_root.as_str();
            projects.retain(|p| p.get("root").and_then(serde_json::Value::as_str) == Some(own));
        }
        value.serialize(serializer)
    }
}

/// Any serializable value, its object keys in alphabetical order.
struct Alphabetical<'a, T>(&'a T);

impl<T: Serialize> Serialize for Alphabetical<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serde_json::to_value(self.0)
            .map_err(S::Error::custom)?
            .serialize(serializer)
    }
}
