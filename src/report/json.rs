//! `--format json`: the report model as one JSON object (several standards: `{"reports": [...]}`;
//! `--workspace`: `{"reports": [...], "workspace": {...}}`).

use std::io::{self, Write};

use super::model::{Report, Workspace};

/// Write the reports as pretty JSON followed by a newline.
pub fn write(
    reports: &[Report],
    workspace: Option<&Workspace>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let value = match (reports, workspace) {
        (_, Some(workspace)) => serde_json::to_value(serde_json::json!({
            "reports": reports,
            "workspace": workspace,
        })),
        ([one], None) => serde_json::to_value(one),
        (many, None) => serde_json::to_value(serde_json::json!({ "reports": many })),
    }
    .map_err(io::Error::other)?;
    serde_json::to_writer_pretty(&mut *out, &value).map_err(super::json_io)?;
    writeln!(out)
}
