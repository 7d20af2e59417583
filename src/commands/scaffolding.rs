//! What `new` and `add` share at the edge: the clock and printing a plan.

use anyhow::Context as _;

use crate::fs::Plan;
use crate::scaffold::Moment;

/// The current time, or `SOURCE_DATE_EPOCH` when set (reproducible output).
pub fn now() -> anyhow::Result<Moment> {
    if let Some(epoch) = std::env::var_os("SOURCE_DATE_EPOCH") {
        let text = epoch.to_string_lossy();
        let unix = text
            .trim()
            .parse()
            .with_context(|| format!("SOURCE_DATE_EPOCH: `{text}` is not a number of seconds"))?;
        return Ok(Moment { unix });
    }
    let unix = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .context("the system clock is before 1970")?
        .as_secs();
    Ok(Moment { unix })
}

/// Print the files a plan creates and edits, one per line.
pub fn print_plan(plan: &Plan) -> std::io::Result<()> {
    for file in &plan.files {
        say!("  create  {}", file.path);
    }
    for edit in &plan.edits {
        say!("  edit    {}  ({})", edit.path, edit.summary.join("; "));
    }
    Ok(())
}
