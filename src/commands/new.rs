//! `squarely new`: render a skeleton in memory, then write it into an empty folder.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};

use crate::cli::NewArgs;
use crate::fs::ProjectDir;
use crate::scaffold::{Answers, Lang, TEMPLATE_ID, Template};
use crate::standard::DEFAULT_STANDARD;

use super::Exit;
use super::scaffolding::{now, print_plan};

/// Run `squarely new`.
pub fn run(args: &NewArgs) -> anyhow::Result<Exit> {
    if args.lang != Lang::Rust {
        bail!(
            "{} skeletons are not available yet: `squarely new` generates Rust services today (--framework actix or axum)",
            lang_name(args.lang)
        );
    }
    if args.framework.lang() != Lang::Rust {
        bail!(
            "--framework {} skeletons ({}) are not available yet: `squarely new` generates Rust services today (--framework actix or axum)",
            args.framework.as_str(),
            lang_name(args.framework.lang())
        );
    }
    if !crate::standard::BUILTIN_IDS.contains(&args.standard.as_str()) {
        bail!(
            "unknown standard `{}` (built-in: {}); `squarely new` generates `{DEFAULT_STANDARD}` projects",
            args.standard,
            crate::standard::BUILTIN_IDS.join(", ")
        );
    }
    if args.standard != DEFAULT_STANDARD {
        bail!(
            "`squarely new` follows `{DEFAULT_STANDARD}` today; no template exists yet for `{}` (audit any project against it with `squarely audit --standard {}`)",
            args.standard,
            args.standard
        );
    }
    let domains = if args.domains.is_empty() {
        vec!["users".to_owned()]
    } else {
        args.domains.clone()
    };
    let answers = Answers {
        name: args.name.clone(),
        framework: args.framework,
        db: args.db,
        domains,
        standard: args.standard.clone(),
    };
    let template = Template::builtin(TEMPLATE_ID)?;
    // Names first: a refused name must not even be joined to a path.
    template.check(&answers)?;
    let parent = args
        .output_dir
        .clone()
        .unwrap_or_else(|| PathBuf::from("."));
    if !parent.is_dir() {
        bail!(
            "{}: --output-dir must be an existing folder",
            parent.display()
        );
    }
    let target = parent.join(&args.name);
    let shown = shown(&target);
    // `./svc -> /somewhere/else`: the project would land outside the folder named.
    if target
        .symlink_metadata()
        .is_ok_and(|meta| meta.file_type().is_symlink())
    {
        bail!(
            "{shown}: is a symbolic link; squarely creates a project in a real folder, never through a link"
        );
    }
    let dir = ProjectDir::new(&target);
    let empty = dir
        .is_missing_or_empty()
        .with_context(|| format!("{shown}: cannot be used as the project folder"))?;
    if !empty {
        bail!(
            "{shown}: exists and is not empty; squarely only creates a project in a new or empty folder"
        );
    }
    let plan = template.plan_new(&answers, now()?)?;
    if args.dry_run {
        say!(
            "Would create {shown}/ with {} files (nothing was written):",
            plan.files.len()
        );
        print_plan(&plan)?;
        return Ok(Exit::Success);
    }
    dir.apply(&plan)?;
    let framework = match args.framework {
        crate::scaffold::Framework::Axum => "axum",
        _ => "actix-web",
    };
    let db = match args.db {
        crate::scaffold::Db::Postgres => "PostgreSQL",
        crate::scaffold::Db::Sqlite => "SQLite",
    };
    say!(
        "Created {shown}/ with {} files: a Rust {framework} service on {db}, domains {}.",
        plan.files.len(),
        answers.domains.join(", ")
    );
    say!();
    say!("Next steps:");
    say!("  cd {shown}");
    say!("  cp .env.example .env");
    if args.db == crate::scaffold::Db::Postgres {
        say!("  docker compose up -d db     # PostgreSQL for development and tests");
    }
    say!("  cargo test");
    say!("  cargo run                   # http://localhost:8080/health");
    say!("  squarely audit              # 100/100");
    Ok(Exit::Success)
}

fn lang_name(lang: Lang) -> &'static str {
    match lang {
        Lang::Rust => "Rust",
        Lang::Python => "Python",
        Lang::Node => "Node",
    }
}

/// `./billing` shown as `billing`.
fn shown(path: &Path) -> String {
    let text = path.display().to_string();
    text.strip_prefix("./").map_or(text.clone(), str::to_owned)
}
