//! `squarely standards list | show | validate | schema`.

use std::io::{self, Write};

use anyhow::bail;
use colored::Colorize;

use crate::cli::{ColorChoice, ShowFormat, StandardsCommand};
use crate::report::Color;
use crate::standard::summary::{self, Summary};
use crate::standard::{self, BUILTIN_IDS, Severity, StandardError};

use super::{Exit, print_warnings, stdout_color};

/// Run a `standards` subcommand.
pub fn run(command: &StandardsCommand, color: ColorChoice) -> anyhow::Result<Exit> {
    let cwd = std::env::current_dir()?;
    let stdout = io::stdout();
    let mut out = stdout.lock();
    match command {
        StandardsCommand::List => {
            writeln!(out, "{:<24} {:<8} {:>6}  NAME", "ID", "VERSION", "CHECKS")?;
            for id in BUILTIN_IDS {
                let loaded = standard::load(id, &cwd)?;
                let s = &loaded.standard;
                let default = if id == standard::DEFAULT_STANDARD {
                    " (default)"
                } else {
                    ""
                };
                writeln!(
                    out,
                    "{:<24} {:<8} {:>6}  {}{default}",
                    s.id,
                    s.version,
                    s.checks.len(),
                    s.name
                )?;
            }
            writeln!(out)?;
            writeln!(
                out,
                "Use `squarely standards show ID` for the checks, or `--standard FILE` for your own rule set."
            )?;
        }
        StandardsCommand::Show {
            standard: spec,
            format,
        } => {
            let loaded = standard::load(spec, &cwd)?;
            print_warnings(&loaded.warnings);
            let summary = summary::summarize(&loaded.standard);
            match format {
                ShowFormat::Text => show_text(&summary, stdout_color(color), &mut out)?,
                ShowFormat::Json => {
                    serde_json::to_writer_pretty(&mut out, &summary)?;
                    writeln!(out)?;
                }
                ShowFormat::Yaml => {
                    let text = summary::to_yaml(&summary).map_err(anyhow::Error::msg)?;
                    out.write_all(text.as_bytes())?;
                }
                ShowFormat::Source => {
                    if let Some(text) = standard::builtin_source(spec) {
                        out.write_all(text.as_bytes())?;
                    } else {
                        let bytes = crate::fs::open::read_regular(
                            &cwd.join(spec),
                            standard::MAX_RULE_SET_BYTES,
                            None,
                        )
                        .map_err(|err| anyhow::anyhow!("{spec}: {err}"))?;
                        out.write_all(&bytes)?;
                    }
                }
            }
        }
        StandardsCommand::Validate { files } => {
            let mut failed = 0;
            for file in files {
                let shown = file.display().to_string();
                match standard::load(&shown, &cwd) {
                    Ok(loaded) => {
                        print_warnings(&loaded.warnings);
                        writeln!(
                            out,
                            "{shown}: ok ({}, {} checks, {} points)",
                            loaded.standard.id,
                            loaded.standard.checks.len(),
                            loaded.standard.total_points() + 0.0
                        )?;
                    }
                    Err(StandardError::Invalid { diagnostics }) => {
                        failed += 1;
                        let errors = diagnostics
                            .iter()
                            .filter(|d| d.severity == Severity::Error)
                            .count();
                        for diagnostic in &diagnostics {
                            eprintln!("{diagnostic}");
                        }
                        // One error names its file on its own line; a count adds nothing.
                        if errors > 1 {
                            eprintln!("{shown}: {errors} errors");
                        }
                    }
                    Err(other) => {
                        failed += 1;
                        eprintln!("error: {other}");
                    }
                }
            }
            if failed > 0 && files.len() > 1 {
                bail!("{failed} of {} rule sets are invalid", files.len());
            }
            if failed > 0 {
                return Ok(Exit::Reported);
            }
        }
        StandardsCommand::Schema => {
            out.write_all(standard::schema_json().as_bytes())?;
        }
    }
    Ok(Exit::Success)
}

fn show_text(summary: &Summary, color: Color, out: &mut dyn Write) -> io::Result<()> {
    let bold = |s: &str| match color {
        Color::On => s.bold().to_string(),
        Color::Off => s.to_owned(),
    };
    writeln!(
        out,
        "{} {} — {}",
        bold(&summary.id),
        summary.version,
        summary.name
    )?;
    if let Some(description) = &summary.description {
        writeln!(out, "{description}")?;
    }
    if !summary.sources.is_empty() {
        writeln!(out, "sources: {}", summary.sources.join(", "))?;
    }
    let bands: Vec<String> = summary
        .bands
        .iter()
        .map(|b| format!("{} ≥ {}", b.id, b.min))
        .collect();
    writeln!(out, "bands: {}", bands.join(", "))?;
    for category in &summary.categories {
        writeln!(out)?;
        writeln!(
            out,
            "{} ({} points)",
            bold(&category.title),
            category.points
        )?;
        for check in &category.checks {
            writeln!(
                out,
                "  {:<24} {:>5}  {}",
                check.id, check.points, check.title
            )?;
        }
    }
    if !summary.layers.is_empty() {
        writeln!(out)?;
        writeln!(out, "{}", bold("Layers (first match wins)"))?;
        for layer in &summary.layers {
            writeln!(out, "  {:<12} {}", layer.id, layer.title)?;
            writeln!(out, "  {:<12} {}", "", layer.paths.join("  "))?;
        }
    }
    if !summary.contracts.is_empty() {
        writeln!(out)?;
        writeln!(out, "{}", bold("Layer contracts"))?;
        for contract in &summary.contracts {
            writeln!(
                out,
                "  {} [{}] {}",
                contract.id, contract.layer, contract.title
            )?;
            for line in &contract.forbids {
                writeln!(out, "      forbids {line}")?;
            }
        }
    }
    if !summary.layouts.is_empty() {
        writeln!(out)?;
        writeln!(out, "{}", bold("Reference layouts"))?;
        for layout in &summary.layouts {
            writeln!(
                out,
                "  {:<16} {} ({} paths)",
                layout.id,
                layout.title,
                layout.paths.len()
            )?;
        }
    }
    if !summary.guidelines.is_empty() {
        writeln!(out)?;
        writeln!(out, "{}", bold("Guidelines of the source documents"))?;
        for guideline in &summary.guidelines {
            let by = if guideline.enforced_by.is_empty() {
                "not scored (guidance for people)".to_owned()
            } else {
                format!("enforced by {}", guideline.enforced_by.join(", "))
            };
            writeln!(out, "  {:<28} {by}", guideline.id)?;
        }
    }
    writeln!(out)?;
    writeln!(
        out,
        "`squarely explain CHECK_ID` tells how a check scores and how to fix it."
    )?;
    Ok(())
}
