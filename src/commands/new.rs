//! `squarely new`: render a skeleton in memory, then write it into an empty folder.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};

use crate::cli::NewArgs;
use crate::fs::ProjectDir;
use crate::scaffold::{Answers, Framework, Lang, PYTHON_TEMPLATE_ID, TEMPLATE_ID, Template};
use crate::standard::DEFAULT_STANDARD;

use super::Exit;
use super::scaffolding::{now, print_plan};

/// Run `squarely new`.
pub fn run(args: &NewArgs) -> anyhow::Result<Exit> {
    if !crate::standard::BUILTIN_IDS.contains(&args.standard.as_str()) {
        bail!(
            "unknown standard `{}` (built-in: {}); `squarely new` generates projects for the built-in standards",
            args.standard,
            crate::standard::BUILTIN_IDS.join(", ")
        );
    }
    let python_standard = PYTHON_STANDARDS.contains(&args.standard.as_str());
    let lang = args.lang.unwrap_or_else(|| match args.framework {
        Some(framework) => framework.lang(),
        None if python_standard => Lang::Python,
        None => Lang::Rust,
    });
    let framework = args.framework.unwrap_or(match lang {
        Lang::Python => Framework::Fastapi,
        Lang::Rust | Lang::Node => Framework::Actix,
    });
    if lang == Lang::Node || framework.lang() == Lang::Node {
        bail!(
            "Node skeletons are not available yet: `squarely new` generates Rust services (--framework actix or axum) and Python FastAPI services (--lang python)"
        );
    }
    if framework.lang() != lang {
        bail!(
            "--framework {} is a {} framework, not {}: use --framework {}",
            framework.as_str(),
            lang_name(framework.lang()),
            lang_name(lang),
            match lang {
                Lang::Python => "fastapi",
                _ => "actix or axum",
            }
        );
    }
    if lang == Lang::Rust && args.standard != DEFAULT_STANDARD {
        bail!(
            "`{}` describes Python FastAPI services: generate one with `squarely new {} --standard {}` (Python is the default for it); Rust skeletons follow `{DEFAULT_STANDARD}`",
            args.standard,
            args.name,
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
        framework,
        db: args.db,
        domains,
        standard: args.standard.clone(),
    };
    let template = Template::builtin(match lang {
        Lang::Python => PYTHON_TEMPLATE_ID,
        Lang::Rust | Lang::Node => TEMPLATE_ID,
    })?;
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
    let framework_name = match framework {
        Framework::Axum => "axum",
        Framework::Fastapi => "FastAPI",
        _ => "actix-web",
    };
    let db = match args.db {
        crate::scaffold::Db::Postgres => "PostgreSQL",
        crate::scaffold::Db::Sqlite => "SQLite",
    };
    say!(
        "Created {shown}/ with {} files: a {} {framework_name} service on {db} following {}, domains {}.",
        plan.files.len(),
        lang_name(lang),
        answers.standard,
        answers.domains.join(", ")
    );
    say!();
    say!("Next steps:");
    // The folder the service lives in (`backend/` for route-modules).
    let root = template.variable(&answers.standard, "root").unwrap_or("");
    say!(
        "  cd {}",
        crate::fs::join(&shown, root.trim_end_matches('/'))
    );
    say!("  cp .env.example .env");
    if args.db == crate::scaffold::Db::Postgres {
        say!("  docker compose up -d db     # PostgreSQL for development and tests");
    }
    if lang == Lang::Python {
        say!(
            "  uv sync                     # or: python -m venv .venv && .venv/bin/pip install -e . --group dev"
        );
        say!("  uv run alembic upgrade head");
        say!("  uv run pytest");
        say!(
            "  uv run uvicorn {}:app --reload   # http://localhost:8000/health",
            template
                .variable(&answers.standard, "python_app")
                .unwrap_or("src.main")
        );
        say!("  squarely audit --standard {}", answers.standard);
    } else {
        say!("  cargo test");
        say!("  cargo run                   # http://localhost:8080/health/ready");
        say!("  squarely audit              # 100/100");
    }
    Ok(Exit::Success)
}

/// The standards that describe Python services: `new` generates Python for them by default.
const PYTHON_STANDARDS: &[&str] = &[
    "modular-monolith",
    "route-modules",
    "fastapi-best-practices",
];

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
