//! `--format json`: the report model as one JSON object (several standards: `{"reports": [...]}`).

use std::io::{self, Write};

use super::model::Report;

/// Write the reports as pretty JSON followed by a newline.
pub fn write(reports: &[Report], out: &mut dyn Write) -> io::Result<()> {
    let value = match reports {
        [one] => serde_json::to_value(one),
        many => serde_json::to_value(serde_json::json!({ "reports": many })),
    }
    .map_err(io::Error::other)?;
    serde_json::to_writer_pretty(&mut *out, &value).map_err(io::Error::other)?;
    writeln!(out)
}
