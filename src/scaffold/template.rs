//! The embedded templates: a manifest (`templates/<id>/template.yaml`) naming layers of
//! files and insertion snippets, rendered with Handlebars in strict mode.
//!
//! Every template file ends in `.hbs` (stripped from the output), and its path is rendered
//! too (`migrations/{{domain.version}}_create_{{domain.snake}}.sql.hbs`). A layer applies when
//! its `when` matches the answers; two layers rendering the same path is a template bug.

use handlebars::Handlebars;
use include_dir::{Dir, DirEntry, include_dir};
use serde::Deserialize;
use serde_json::{Value, json};

use super::names::Forms;
use super::plan::{Anchor, Workspace};
use super::project::{PROJECT_FILE, ProjectFile};
use super::{Answers, Db, DomainKind, Framework, Moment, ScaffoldError};
use crate::analyze::words::{PYTHON_KEYWORDS, PYTHON_STDLIB};
use crate::fs::{Disk, Plan};

/// The built-in templates, embedded at build time.
static TEMPLATES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/templates");

/// The id of the Rust template set (actix-web or axum services).
pub const TEMPLATE_ID: &str = "rust";

/// The id of the Python template set (FastAPI services, one layout per standard).
pub const PYTHON_TEMPLATE_ID: &str = "python";

/// The built-in template sets.
pub const TEMPLATE_IDS: &[&str] = &[TEMPLATE_ID, PYTHON_TEMPLATE_ID];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    id: String,
    version: String,
    /// Files rendered once, by `new`.
    project: Vec<Layer>,
    /// Files rendered for each domain, by `new` and `add domain`.
    domain: Vec<Layer>,
    /// Snippets inserted for each domain before marker lines of project files.
    inserts: Vec<Insert>,
    /// The file `add migration` creates.
    migration: Single,
    /// The folder holding the migrations, whose file names start with their version.
    migrations_dir: String,
    /// Where a domain's code would be (`{name}` is the domain): `add domain` refuses a name
    /// one of them already holds.
    domain_paths: Vec<String>,
    /// Names a project or a domain cannot take.
    names: Names,
    /// The standards whose layouts the set draws (none: only the default standard).
    #[serde(default)]
    standards: Vec<String>,
    /// Variables of each standard's layout (`package: src`, `migrations: alembic`), merged
    /// into the context; `migrations_dir`, `domain_paths`, `migration.path` and each insert's
    /// `into` are rendered with them.
    #[serde(default)]
    variables: std::collections::BTreeMap<String, serde_json::Map<String, Value>>,
}

/// Names a project or a domain cannot take in this template set.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Names {
    /// The skeleton's own modules (`shared`, `main`...): no domain takes them.
    taken: Vec<String>,
    /// Packages or crates every generated project depends on: a project or domain named
    /// like one of them would shadow it.
    dependencies: Vec<String>,
    /// Python: keywords and standard-library modules are refused too.
    #[serde(default)]
    python: bool,
}

/// One template file and the path it renders to.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Single {
    path: String,
    template: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Layer {
    from: String,
    #[serde(default)]
    when: When,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Insert {
    into: String,
    /// A marker line (indentation ignored): the snippet goes right before it.
    before: Option<String>,
    /// An exact line: the snippet goes right after it.
    after: Option<String>,
    template: String,
    #[serde(default)]
    sorted: bool,
    #[serde(default)]
    when: When,
}

impl Insert {
    fn anchor(&self) -> Result<Anchor, String> {
        match (&self.before, &self.after) {
            (Some(marker), None) => Ok(Anchor::Before {
                marker: marker.clone(),
                sorted: self.sorted,
            }),
            (None, Some(line)) => Ok(Anchor::After {
                line: line.clone(),
                sorted: self.sorted,
            }),
            _ => Err("give exactly one of `before` and `after`".to_owned()),
        }
    }
}

/// When a layer or snippet applies; every field given must match.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct When {
    framework: Option<Framework>,
    db: Option<Db>,
    kind: Option<DomainKind>,
    auth: Option<bool>,
    standard: Option<String>,
}

impl When {
    fn holds(&self, answers: &Answers, kind: Option<DomainKind>) -> bool {
        self.framework.is_none_or(|f| f == answers.framework)
            && self
                .standard
                .as_ref()
                .is_none_or(|s| *s == answers.standard)
            && self.db.is_none_or(|d| d == answers.db)
            && self.auth.is_none_or(|a| a == answers.has_auth())
            && self.kind.is_none_or(|k| Some(k) == kind)
    }
}

/// A loaded template set.
pub struct Template {
    manifest: Manifest,
    dir: &'static Dir<'static>,
    engine: Handlebars<'static>,
}

impl Template {
    /// The built-in template set `id`.
    pub fn builtin(id: &str) -> Result<Template, ScaffoldError> {
        let dir = TEMPLATES.get_dir(id).ok_or_else(|| {
            ScaffoldError::Refused(format!(
                "no built-in template `{id}` (have: {})",
                TEMPLATE_IDS.join(", ")
            ))
        })?;
        let path = format!("{id}/template.yaml");
        let text = TEMPLATES
            .get_file(&path)
            .and_then(|f| f.contents_utf8())
            .ok_or_else(|| ScaffoldError::Template {
                path: path.clone(),
                message: "missing".to_owned(),
            })?;
        let manifest: Manifest =
            crate::standard::yaml::from_str(text).map_err(|errors| ScaffoldError::Template {
                path: path.clone(),
                message: errors
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; "),
            })?;
        let mut engine = Handlebars::new();
        engine.set_strict_mode(true);
        engine.register_escape_fn(handlebars::no_escape);
        Ok(Template {
            manifest,
            dir,
            engine,
        })
    }

    /// A variable of `standard`'s layout (`python_app`, `root`), if the set defines it.
    #[must_use]
    pub fn variable(&self, standard: &str, name: &str) -> Option<&str> {
        self.manifest.variables.get(standard)?.get(name)?.as_str()
    }

    /// The template set's version, recorded in generated projects.
    #[must_use]
    pub fn version(&self) -> &str {
        &self.manifest.version
    }

    /// Check the answers: names, stack, domains. Everything `new` refuses, it refuses here.
    pub fn check(&self, answers: &Answers) -> Result<(), ScaffoldError> {
        let standards = &self.manifest.standards;
        if !standards.is_empty() && !standards.contains(&answers.standard) {
            return Err(ScaffoldError::Refused(format!(
                "no {} skeleton follows `{}` yet (available: {}); audit any project against it with `squarely audit --standard {}`",
                self.manifest.id,
                answers.standard,
                standards.join(", "),
                answers.standard
            )));
        }
        super::names::validate("project", &answers.name)?;
        self.check_shadowing("project", &answers.name)?;
        if answers.domains.is_empty() {
            return Err(ScaffoldError::Refused(
                "a project needs at least one domain (--domain NAME)".to_owned(),
            ));
        }
        for (i, domain) in answers.domains.iter().enumerate() {
            self.check_domain(domain, &answers.domains[..i], answers.has_auth())?;
        }
        Ok(())
    }

    /// Refuse a name that would shadow a dependency or, in Python, a keyword or a module of
    /// the standard library.
    fn check_shadowing(&self, what: &str, name: &str) -> Result<(), ScaffoldError> {
        let names = &self.manifest.names;
        let (kind, package) = if names.python {
            ("Python", "package")
        } else {
            ("Rust", "crate")
        };
        if names.dependencies.iter().any(|d| d == name) {
            return Err(ScaffoldError::Refused(format!(
                "invalid {what} name `{name}`: the project depends on a {package} of that name"
            )));
        }
        if names.python && PYTHON_KEYWORDS.contains(&name) {
            return Err(ScaffoldError::Refused(format!(
                "invalid {what} name `{name}`: it is a {kind} keyword"
            )));
        }
        if names.python && PYTHON_STDLIB.contains(&name) {
            return Err(ScaffoldError::Refused(format!(
                "invalid {what} name `{name}`: it would shadow the {kind} standard library's `{name}` module"
            )));
        }
        Ok(())
    }

    /// Check a domain name against the rules and the domains already there.
    fn check_domain(
        &self,
        name: &str,
        existing: &[String],
        has_auth: bool,
    ) -> Result<(), ScaffoldError> {
        super::names::validate("domain", name)?;
        if self.manifest.names.taken.iter().any(|t| t == name) {
            return Err(ScaffoldError::Refused(format!(
                "invalid domain name `{name}`: the skeleton uses that name for its own module"
            )));
        }
        self.check_shadowing("domain", name)?;
        if existing.iter().any(|d| d == name) {
            return Err(ScaffoldError::Refused(format!(
                "the domain `{name}` is given twice"
            )));
        }
        if name == "accounts" && (has_auth || existing.iter().any(|d| d == "auth")) {
            return Err(ScaffoldError::Refused(
                "invalid domain name `accounts`: the auth domain keeps its accounts in that table"
                    .to_owned(),
            ));
        }
        Ok(())
    }

    /// Plan a new project: every file, rendered in memory.
    pub fn plan_new(&self, answers: &Answers, now: Moment) -> Result<Plan, ScaffoldError> {
        self.check(answers)?;
        let mut work = Workspace::new(None);
        let context = self.context(answers, now);
        for layer in &self.manifest.project {
            if layer.when.holds(answers, None) {
                self.render_layer(&layer.from, &context, &mut work)?;
            }
        }
        for (i, domain) in answers.domains.iter().enumerate() {
            self.add_domain_to(&mut work, answers, domain, now.plus(i as u64 + 1))?;
        }
        let project = ProjectFile::new(answers, &self.manifest.id, self.version());
        work.create(PROJECT_FILE.to_owned(), project.to_yaml(), false)?;
        Ok(work.into_plan())
    }

    /// Plan `add domain NAME` on the project at `disk`.
    pub fn plan_add_domain(
        &self,
        disk: &dyn Disk,
        project: &ProjectFile,
        project_text: &str,
        name: &str,
        now: Moment,
    ) -> Result<Plan, ScaffoldError> {
        let answers = project.answers();
        if project.domains.iter().any(|d| d == name) {
            return Err(ScaffoldError::Refused(format!(
                "the domain `{name}` already exists in this project ({PROJECT_FILE} lists it); pick another name"
            )));
        }
        if DomainKind::of(name) == DomainKind::Auth {
            return Err(ScaffoldError::Refused(
                "`auth` guards the writes of every other domain, so it can only be chosen when the project is created (`squarely new NAME --domain auth ...`)".to_owned(),
            ));
        }
        self.check_domain(name, &project.domains, answers.has_auth())?;
        let context = self.context(&answers, now);
        for dir in &self.manifest.domain_paths {
            let dir = self.manifest_text(dir, &context)?.replace("{name}", name);
            if disk.exists(&dir) {
                return Err(ScaffoldError::Refused(format!(
                    "{dir} already exists; squarely never overwrites code"
                )));
            }
        }
        let dir = self.migrations_dir(&context)?;
        let version = latest_migration(disk, &dir, now);
        let mut work = Workspace::new(Some(disk));
        self.add_domain_to(&mut work, &answers, name, version)?;
        let mut updated = project.clone();
        updated.domains.push(name.to_owned());
        work.rewrite(
            PROJECT_FILE,
            project_text.to_owned(),
            updated.to_yaml(),
            &format!("record the domain `{name}`"),
        );
        Ok(work.into_plan())
    }

    /// Plan `add migration NAME`: the next timestamped migration.
    pub fn plan_add_migration(
        &self,
        disk: &dyn Disk,
        answers: &Answers,
        name: &str,
        now: Moment,
    ) -> Result<Plan, ScaffoldError> {
        super::names::validate_migration(name)?;
        let mut context = self.context(answers, now);
        let dir = self.migrations_dir(&context)?;
        let version = latest_migration(disk, &dir, now);
        let mut work = Workspace::new(Some(disk));
        let previous = work.previous_migration(&dir, version).map(Moment::version);
        context["migration"] = json!({
            "name": name,
            "version": version.version(),
            "previous": previous,
            "title": Forms::of(name).title,
        });
        let single = &self.manifest.migration;
        let (_, contents) = self.render_file(&single.template, &context)?;
        let path = self.manifest_text(&single.path, &context)?;
        work.create(path, contents, false)?;
        Ok(work.into_plan())
    }

    fn add_domain_to(
        &self,
        work: &mut Workspace<'_>,
        answers: &Answers,
        name: &str,
        version: Moment,
    ) -> Result<(), ScaffoldError> {
        let kind = DomainKind::of(name);
        let mut context = self.context(answers, version);
        let mut domain = serde_json::to_value(Forms::of(name)).unwrap_or_default();
        domain["kind"] = json!(match kind {
            DomainKind::Resource => "resource",
            DomainKind::Auth => "auth",
        });
        domain["version"] = json!(version.version());
        let dir = self.migrations_dir(&context)?;
        domain["previous"] = json!(work.previous_migration(&dir, version).map(Moment::version));
        domain["auth"] = json!(kind == DomainKind::Auth);
        context["domain"] = domain;
        for layer in &self.manifest.domain {
            if layer.when.holds(answers, Some(kind)) {
                self.render_layer(&layer.from, &context, work)?;
            }
        }
        for insert in &self.manifest.inserts {
            if !insert.when.holds(answers, Some(kind)) {
                continue;
            }
            let anchor = insert.anchor().map_err(|message| ScaffoldError::Template {
                path: format!("{}/template.yaml", self.manifest.id),
                message: format!("insert into {}: {message}", insert.into),
            })?;
            let (_, snippet) = self.render_file(&insert.template, &context)?;
            let into = self.manifest_text(&insert.into, &context)?;
            work.insert(&into, &anchor, &snippet)?;
        }
        Ok(())
    }

    /// The folder holding the migrations, rendered with the context.
    fn migrations_dir(&self, context: &Value) -> Result<String, ScaffoldError> {
        self.manifest_text(&self.manifest.migrations_dir, context)
    }

    /// A path or folder of the manifest, rendered with the context.
    fn manifest_text(&self, text: &str, context: &Value) -> Result<String, ScaffoldError> {
        self.engine
            .render_template(text, context)
            .map_err(|err| ScaffoldError::Template {
                path: format!("{}/template.yaml", self.manifest.id),
                message: format!("`{text}`: {err}"),
            })
    }

    fn context(&self, answers: &Answers, now: Moment) -> Value {
        let (year, ..) = now.parts();
        let mut context = json!({
            "project": Forms::of(&answers.name),
            "framework": answers.framework.as_str(),
            "actix": answers.framework == Framework::Actix,
            "axum": answers.framework == Framework::Axum,
            "db": answers.db.as_str(),
            "postgres": answers.db == Db::Postgres,
            "sqlite": answers.db == Db::Sqlite,
            "auth": answers.has_auth(),
            "standard": answers.standard,
            "year": year,
            "date": now.date(),
            "squarely_version": env!("CARGO_PKG_VERSION"),
            "template_version": self.version(),
        });
        if let (Some(variables), Some(map)) = (
            self.manifest.variables.get(&answers.standard),
            context.as_object_mut(),
        ) {
            map.extend(variables.clone());
        }
        context
    }

    /// Render every file under `from` into the workspace.
    fn render_layer(
        &self,
        from: &str,
        context: &Value,
        work: &mut Workspace<'_>,
    ) -> Result<(), ScaffoldError> {
        let root = format!("{}/{from}", self.manifest.id);
        let dir = self
            .dir
            .get_dir(&root)
            .ok_or_else(|| ScaffoldError::Template {
                path: root.clone(),
                message: "the manifest names a folder that does not exist".to_owned(),
            })?;
        let mut files = Vec::new();
        collect(dir, &mut files);
        for file in files {
            let full = file.path().to_string_lossy().replace('\\', "/");
            let relative = full
                .strip_prefix(&format!("{root}/"))
                .unwrap_or(&full)
                .to_owned();
            let (path, contents) =
                self.render_entry(&full, &relative, file.contents_utf8(), context)?;
            let executable = std::path::Path::new(&path)
                .extension()
                .is_some_and(|ext| ext.eq_ignore_ascii_case("sh"));
            work.create(path, contents, executable)?;
        }
        Ok(())
    }

    /// Render the template file at `path` (relative to the template set).
    fn render_file(&self, path: &str, context: &Value) -> Result<(String, String), ScaffoldError> {
        let full = format!("{}/{path}", self.manifest.id);
        let file = self
            .dir
            .get_file(&full)
            .ok_or_else(|| ScaffoldError::Template {
                path: full.clone(),
                message: "the manifest names a file that does not exist".to_owned(),
            })?;
        self.render_entry(&full, path, file.contents_utf8(), context)
    }

    fn render_entry(
        &self,
        full: &str,
        relative: &str,
        text: Option<&str>,
        context: &Value,
    ) -> Result<(String, String), ScaffoldError> {
        let bug = |message: String| ScaffoldError::Template {
            path: full.to_owned(),
            message,
        };
        let relative = relative
            .strip_suffix(".hbs")
            .ok_or_else(|| bug("template files end in .hbs".to_owned()))?;
        let text = text.ok_or_else(|| bug("not UTF-8".to_owned()))?;
        let path = self
            .engine
            .render_template(relative, context)
            .map_err(|err| bug(format!("its path: {err}")))?;
        let contents = self
            .engine
            .render_template(text, context)
            .map_err(|err| bug(err.to_string()))?;
        Ok((path, contents))
    }
}

/// Render one embedded template file (`organize/CLAUDE.md.hbs`) with `context`, strictly.
pub fn render_embedded(path: &str, context: &Value) -> Result<String, ScaffoldError> {
    let bug = |message: String| ScaffoldError::Template {
        path: path.to_owned(),
        message,
    };
    let text = TEMPLATES
        .get_file(path)
        .and_then(|f| f.contents_utf8())
        .ok_or_else(|| bug("missing".to_owned()))?;
    let mut engine = Handlebars::new();
    engine.set_strict_mode(true);
    engine.register_escape_fn(handlebars::no_escape);
    engine
        .render_template(text, context)
        .map_err(|err| bug(err.to_string()))
}

fn collect<'a>(dir: &'a Dir<'a>, out: &mut Vec<&'a include_dir::File<'a>>) {
    for entry in dir.entries() {
        match entry {
            DirEntry::Dir(sub) => collect(sub, out),
            DirEntry::File(file) => out.push(file),
        }
    }
}

/// The version for a new migration: now, or one second after the newest one in
/// `migrations/` when the clock is behind it (versions must only grow).
fn latest_migration(disk: &dyn Disk, dir: &str, now: Moment) -> Moment {
    let newest = disk
        .list(dir)
        .iter()
        .filter_map(|name| Moment::from_version(name.get(..14)?))
        .max();
    match newest {
        Some(newest) if newest >= now => newest.plus(1),
        _ => now,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handlebars_standalone_blocks_leave_no_blank_lines() {
        let mut engine = Handlebars::new();
        engine.set_strict_mode(true);
        engine.register_escape_fn(handlebars::no_escape);
        let template = "a\n{{#if x}}\n    b\n{{/if}}\nc \\{{id}} <&>\n";
        let render = |x: bool| engine.render_template(template, &json!({"x": x})).unwrap();
        assert_eq!(render(true), "a\n    b\nc {{id}} <&>\n");
        assert_eq!(render(false), "a\nc {{id}} <&>\n");
        assert!(engine.render_template("{{missing}}", &json!({})).is_err());
    }
}
