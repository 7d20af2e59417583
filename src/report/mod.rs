//! Report output formats, one file each, all writing a [`model::Report`] to `&mut dyn Write`.
//!
//! A format knows the report model and nothing of rule sets or the disk.

mod json;
pub mod model;
mod text;

use std::io::{self, Write};

pub use model::Report;

/// An output format of `squarely audit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Human-readable text: score, band, categories, findings with fixes, top fixes.
    Text,
    /// One JSON object (docs/json-report.md).
    Json,
}

/// Whether text output may use colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Color {
    /// ANSI colours.
    On,
    /// Plain text.
    Off,
}

/// Write `reports` (one per standard) in `format`.
pub fn write(
    format: Format,
    reports: &[Report],
    color: Color,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Text => {
            for (i, report) in reports.iter().enumerate() {
                if i > 0 {
                    writeln!(out)?;
                }
                text::write(report, color, out)?;
            }
            Ok(())
        }
        Format::Json => json::write(reports, out),
    }
}
