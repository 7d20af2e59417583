//! What `organize` leaves where it is, and why.
//!
//! A file stays when moving it would break something squarely cannot rewrite:
//!
//! - **a tool finds it by name or place**: dotfiles, tool configuration (`*.config.js`,
//!   `gunicorn.conf.py`, `ormconfig.js`...), entry points a server or framework looks for
//!   (`wsgi.py`, `asgi.py`, `manage.py`, `settings.py`...), an Alembic environment (the folder
//!   holding `env.py` and `script.py.mako`), a Django app (`apps.py`, numbered migrations) and
//!   a Django settings package: [`CONVENTIONS`] is the table, documented in docs/organize.md;
//! - **the repository's configuration names it**: a path or a Python module named in a
//!   Dockerfile, compose file, Procfile, Makefile, shell script, `alembic.ini`,
//!   `pyproject.toml`, `setup.cfg`, `package.json` (`main`, `bin`, `exports`, `files`,
//!   scripts), a tsconfig or jest config, a CI workflow, pre-commit, `.env.example`... A named
//!   file stays; nothing leaves a named folder (`COPY ./app /code/app`).
//!
//! The configuration is read, never run, and only as text: a name counts when it resolves to
//! a file or folder of the tree from the configuration's folder, the service root or the
//! repository root (a Python module `app.main:app` from there or beside a source root).

use std::collections::BTreeMap;

use crate::detect::Detection;
use crate::fs::{Tree, join};

/// Files a framework or tool finds by name: `(name, who looks for it, where)`.
pub const CONVENTIONS: &[(&str, &str, Where)] = &[
    ("manage.py", "Django's command line", Where::Root),
    ("wsgi.py", "the WSGI server", Where::Anywhere),
    ("asgi.py", "the ASGI server", Where::Anywhere),
    ("settings.py", "DJANGO_SETTINGS_MODULE", Where::Django),
    (
        "local_settings.py",
        "the settings module that imports it",
        Where::Django,
    ),
    (
        "urls.py",
        "Django's ROOT_URLCONF and include()",
        Where::Django,
    ),
    ("celery.py", "Celery's Django integration", Where::Django),
    ("conftest.py", "pytest", Where::Anywhere),
    ("setup.py", "pip", Where::Root),
    ("noxfile.py", "nox", Where::Root),
    ("fabfile.py", "Fabric", Where::Root),
    ("tasks.py", "invoke", Where::Root),
    ("celeryconfig.py", "Celery", Where::Root),
    ("gunicorn.conf.py", "gunicorn", Where::Root),
    ("gunicorn_config.py", "gunicorn -c", Where::Root),
    ("build.rs", "cargo", Where::Root),
    ("knexfile.js", "knex", Where::Root),
    ("knexfile.ts", "knex", Where::Root),
    ("ormconfig.js", "TypeORM", Where::Root),
    ("ormconfig.ts", "TypeORM", Where::Root),
    ("ormconfig.json", "TypeORM", Where::Root),
    ("newrelic.js", "the New Relic agent", Where::Root),
    ("gulpfile.js", "gulp", Where::Root),
    ("gruntfile.js", "grunt", Where::Root),
    ("tsconfig.json", "tsc", Where::Root),
];

/// Where a name in [`CONVENTIONS`] is found by its tool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Where {
    /// At the repository or service root.
    Root,
    /// In any folder.
    Anywhere,
    /// In any folder of a Django project.
    Django,
}

/// Name patterns of tool configuration at a root (`vite.config.ts`, `.mocharc.js`,
/// `jest.setup.js`). Below a root, `*.config.ts` is application code (a `NestJS` config module).
const CONFIG_MARKS: &[&str] = &[
    ".config.", ".conf.", ".setup.", ".preset.", "rc.js", "rc.cjs",
];

/// Why a file named `name` stays where it is by its name alone (`None`: the name says
/// nothing there). `at_root`: it sits at the repository or service root; `django`: the
/// project is a Django project.
#[must_use]
pub fn by_name(name: &str, at_root: bool, django: bool) -> Option<String> {
    let lower = name.to_ascii_lowercase();
    if lower.starts_with('.') {
        return Some(format!(
            "`{name}` is a dotfile: its tool looks for it where it is"
        ));
    }
    let found = CONVENTIONS.iter().find(|(n, _, place)| {
        *n == lower
            && match place {
                Where::Root => at_root,
                Where::Anywhere => true,
                Where::Django => django,
            }
    });
    if let Some((_, who, _)) = found {
        return Some(format!("`{name}` stays where {who} finds it"));
    }
    if at_root && CONFIG_MARKS.iter().any(|mark| lower.contains(mark)) {
        return Some(format!(
            "`{name}` is tool configuration: its tool looks for it where it is"
        ));
    }
    None
}

/// What the tree holds that must stay: files by path, and folders nothing may leave.
#[derive(Debug, Default)]
pub struct Anchors {
    files: BTreeMap<String, String>,
    folders: BTreeMap<String, String>,
    /// The project is a Django project (its settings and URL modules are found by name).
    django: bool,
    /// The service root, beside the repository root.
    service_root: String,
}

impl Anchors {
    /// Everything in `tree` that a tool finds by place or the configuration names.
    #[must_use]
    pub fn of(tree: &Tree, detection: &Detection) -> Anchors {
        let django = detection.frameworks().iter().any(|f| f == "django");
        let service_root = detection.service_root.as_str();
        let mut anchors = Anchors {
            django,
            service_root: service_root.to_owned(),
            ..Anchors::default()
        };
        let mut bases: Vec<String> = vec![String::new(), service_root.to_owned()];
        for root in &detection.service_project().source_roots {
            let parent = root.path.rsplit_once('/').map_or("", |(p, _)| p);
            bases.push(parent.to_owned());
        }
        bases.sort();
        bases.dedup();
        for entry in tree.entries() {
            let name = entry.name();
            let folder = entry.parent();
            if entry.is_file() {
                if name == "env.py" && tree.is_file(&join(folder, "script.py.mako")) {
                    anchors.folder(
                        folder,
                        format!(
                            "`{folder}/` is an Alembic environment: alembic.ini names it, and its revisions are found there"
                        ),
                    );
                }
                if name == "apps.py" && (django || tree.is_file(&join(folder, "models.py")))
                    || name.starts_with("0001_")
                        && folder.ends_with("/migrations")
                        && tree.is_file(&join(folder, "__init__.py"))
                {
                    let app = folder.strip_suffix("/migrations").unwrap_or(folder);
                    if !app.is_empty() {
                        anchors.folder(
                            app,
                            format!(
                                "`{app}/` is a Django app: INSTALLED_APPS and its migrations name it"
                            ),
                        );
                    }
                }
                if let Some(kind) = config_kind(&entry.path, name)
                    && let Some(text) = tree.text(tree.find(&entry.path).unwrap_or(usize::MAX))
                {
                    anchors.named_in(tree, &entry.path, text, kind, &bases);
                }
            } else if django && name == "settings" {
                anchors.folder(
                    &entry.path,
                    format!(
                        "`{}/` is a Django settings package: DJANGO_SETTINGS_MODULE names it",
                        entry.path
                    ),
                );
            }
        }
        anchors
    }

    fn folder(&mut self, path: &str, why: String) {
        if !path.is_empty() {
            self.folders.entry(path.to_owned()).or_insert(why);
        }
    }

    /// Record every path and module `text` (the configuration file `file`) names.
    fn named_in(&mut self, tree: &Tree, file: &str, text: &str, kind: Kind, bases: &[String]) {
        // (line, word, whether a bare word counts there); at most this many words a file.
        const MAX_WORDS: usize = 20_000;
        let here = file.rsplit_once('/').map_or("", |(p, _)| p);
        let mut words: Vec<(usize, Word, bool)> = Vec::new();
        if kind == Kind::PackageJson {
            let Ok(json) = serde_json::from_str::<serde_json::Value>(text) else {
                return;
            };
            let mut strings = Vec::new();
            for key in [
                "main", "module", "bin", "types", "typings", "exports", "files",
            ] {
                if let Some(value) = json.get(key) {
                    collect_strings(value, &mut strings);
                }
            }
            // `"main": "server"` names `server.js`: an entry counts even bare.
            for value in strings {
                words.extend(tokens(&value).map(|t| (0, t, true)));
            }
            if let Some(scripts) = json.get("scripts").and_then(|s| s.as_object()) {
                // The script a runtime starts is a path: `node server`, `nodemon src/app`.
                const RUNTIMES: &[&str] = &["node", "nodemon", "ts-node", "tsx", "bun"];
                for value in scripts.values().filter_map(|v| v.as_str()) {
                    let mut after_runtime = false;
                    for mut word in tokens(value) {
                        word.explicit |= after_runtime;
                        after_runtime = RUNTIMES.contains(&word.text.as_str());
                        words.push((0, word, false));
                    }
                }
            }
        } else {
            let text = text.replace("%(here)s", ".");
            for (i, line) in text.lines().enumerate() {
                let trimmed = line.trim_start();
                if trimmed.starts_with('#') || trimmed.starts_with("//") {
                    continue;
                }
                let bare = kind == Kind::Commands && bare_words_count(file, trimmed);
                words.extend(tokens(line).map(|t| (i + 1, t, bare)));
                if words.len() > MAX_WORDS {
                    break;
                }
            }
        }
        words.truncate(MAX_WORDS);
        for (line, word, bare_counts) in words {
            let text_word = word.text.as_str();
            let pathlike = word.explicit || text_word.contains('/') || text_word.contains('.');
            if !pathlike && !bare_counts && !word.module {
                continue;
            }
            // A bare `module:attribute` (`main:app`, `db:migrate`) names a Python module
            // only, never a folder or a script.
            let as_path = pathlike || bare_counts;
            let mut places: Vec<String> = Vec::new();
            for base in std::iter::once(here).chain(bases.iter().map(String::as_str)) {
                if as_path && let Some(path) = crate::fs::normalize_path(&join(base, text_word)) {
                    // `node server`, `"main": "server"`: a script without its extension.
                    for ext in [".js", ".ts", ".mjs", ".cjs", "/index.js", "/index.ts"] {
                        places.push(format!("{path}{ext}"));
                    }
                    places.push(path);
                }
                if let Some(module) = module_path(text_word) {
                    for candidate in [format!("{module}.py"), format!("{module}/__init__.py")] {
                        places.push(join(base, &candidate));
                    }
                }
            }
            for place in places {
                if place.is_empty() || place == file {
                    continue;
                }
                let is_file = tree.is_file(&place);
                if !is_file && !tree.is_dir(&place) {
                    continue;
                }
                // The line of a package.json word is looked up only when it names something.
                let line = if line == 0 {
                    text.lines()
                        .position(|l| l.contains(text_word))
                        .map_or(0, |i| i + 1)
                } else {
                    line
                };
                let why = format!("named in `{file}` line {line} (`{text_word}`)");
                match place.strip_suffix("/__init__.py") {
                    Some(package) if is_file && !text_word.ends_with("__init__.py") => {
                        self.folder(package, why);
                    }
                    _ if is_file => {
                        self.files.entry(place).or_insert(why);
                    }
                    _ => self.folder(&place, why),
                }
            }
        }
    }

    /// Why the file at `path` stays by its name (see [`by_name`]); in a layer folder
    /// (`in_layer`) only dotfiles do: `routes/tasks.py` is the tasks domain.
    #[must_use]
    pub fn by_name(&self, path: &str, in_layer: bool) -> Option<String> {
        let (folder, name) = path.rsplit_once('/').unwrap_or(("", path));
        if in_layer {
            return by_name(name, false, false).filter(|_| name.starts_with('.'));
        }
        let at_root = folder.is_empty() || folder == self.service_root;
        by_name(name, at_root, self.django)
    }

    /// Why `from` may not move to `to` (`None`: nothing holds it).
    #[must_use]
    pub fn holds(&self, from: &str, to: &str) -> Option<&str> {
        if let Some(why) = self.files.get(from) {
            return Some(why);
        }
        let mut folder = from;
        while let Some((parent, _)) = folder.rsplit_once('/') {
            if let Some(why) = self.folders.get(parent)
                && !(to.len() > parent.len()
                    && to.starts_with(parent)
                    && to.as_bytes()[parent.len()] == b'/')
            {
                return Some(why);
            }
            folder = parent;
        }
        None
    }
}

/// How a configuration file names paths.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Commands (Dockerfile, Procfile, Makefile, shell): bare words count in a Procfile and
    /// in a Dockerfile's `COPY`, `ADD`, `CMD` and `ENTRYPOINT` (`COPY app app`).
    Commands,
    /// Settings (INI, TOML, YAML, JSON, env): only words with a `/` or a `.` count.
    Settings,
    /// `package.json`: `main`, `bin`, `exports`, `files`, and the scripts as commands.
    PackageJson,
}

/// Whether the file at `path` (named `name`) is configuration that may name paths.
fn config_kind(path: &str, name: &str) -> Option<Kind> {
    let lower = name.to_ascii_lowercase();
    let ext = lower.rsplit_once('.').map_or("", |(_, e)| e);
    if lower == "package.json" {
        return Some(Kind::PackageJson);
    }
    if lower.starts_with("dockerfile")
        || lower.starts_with("containerfile")
        || ext == "dockerfile"
        || lower.starts_with("procfile")
        || lower == "makefile"
        || lower == "gnumakefile"
        || ext == "mk"
        || ext == "sh"
    {
        return Some(Kind::Commands);
    }
    let workflow = [".github/workflows/", ".circleci/"]
        .iter()
        .any(|dir| path.starts_with(dir) || path.contains(&format!("/{dir}")));
    let settings = matches!(ext, "ini" | "cfg" | "toml")
        || (matches!(ext, "yml" | "yaml")
            && (workflow
                || lower.starts_with("docker-compose")
                || lower.starts_with("compose")
                || lower == ".pre-commit-config.yaml"
                || lower == ".gitlab-ci.yml"
                || lower == ".travis.yml"
                || lower == "render.yaml"
                || lower == "app.yaml"))
        || (ext == "json"
            && (lower.starts_with("tsconfig")
                || lower.starts_with("jsconfig")
                || matches!(lower.as_str(), "nodemon.json" | "app.json" | "vercel.json")))
        || lower.starts_with(".env")
        || lower == ".flaskenv"
        || lower.starts_with(".mocharc")
        || lower.starts_with("jest.config")
        || lower.starts_with("vitest.config")
        || lower.starts_with("ormconfig")
        || matches!(lower.as_str(), "manage.py" | "wsgi.py" | "asgi.py");
    settings.then_some(Kind::Settings)
}

/// A word of a configuration line that may name a path or a module.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Word {
    /// The word, without a leading `./`, a trailing `/` or the glob after it.
    text: String,
    /// Written as a path (`./config`, `../x`): counts even without a `/` or `.` left.
    explicit: bool,
    /// The module of `module:attribute` (`main:app`): counts even bare.
    module: bool,
}

/// The words of a line that could name a path or a module: runs of path characters, cut at
/// `:` (`app.main:app`, `./app:/app`) and at the first glob character (`src/**/*.ts` names
/// `src/`); absolute paths, URLs and variables are skipped.
fn tokens(line: &str) -> impl Iterator<Item = Word> + '_ {
    line.split(|c: char| !(c.is_ascii_alphanumeric() || "_./-@*?[{:".contains(c)))
        .flat_map(|run| {
            // `module:attribute` names the module only.
            let parts: Vec<&str> = run.split(':').collect();
            let module = parts.len() == 2
                && module_path(parts[0]).is_some()
                && module_path(parts[1]).is_some();
            let parts = if module { vec![parts[0]] } else { parts };
            parts.into_iter().map(move |part| (part, module))
        })
        .filter_map(|(word, module)| {
            let word = word
                .split(|c| "*?[{".contains(c))
                .next()
                .unwrap_or("")
                .trim_end_matches('/')
                .trim_end_matches('.');
            let explicit = word.starts_with("./") || word.starts_with("../");
            let word = word.strip_prefix("./").unwrap_or(word);
            let skip = word.is_empty()
                || word == "."
                || word.starts_with('/')
                || word.starts_with('-')
                || word.starts_with('@')
                || word.chars().all(|c| c.is_ascii_digit() || c == '.');
            (!skip).then(|| Word {
                text: word.to_owned(),
                explicit,
                module,
            })
        })
}

/// Whether bare words of this command line name files: a Procfile's commands, and a
/// Dockerfile's `COPY`, `ADD`, `CMD` and `ENTRYPOINT` (not `USER app` or `RUN chown app`).
fn bare_words_count(file: &str, line: &str) -> bool {
    let name = file.rsplit('/').next().unwrap_or(file).to_ascii_lowercase();
    if name.starts_with("procfile") {
        return true;
    }
    let docker = name.starts_with("dockerfile")
        || name.starts_with("containerfile")
        || name.ends_with(".dockerfile");
    let instruction = line
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_ascii_uppercase();
    docker && matches!(instruction.as_str(), "COPY" | "ADD" | "CMD" | "ENTRYPOINT")
}

/// `app.main` -> `app/main`, `autoapp` -> `autoapp`: the file path of a Python module name.
fn module_path(word: &str) -> Option<String> {
    let parts: Vec<&str> = word.split('.').collect();
    let identifier = |p: &&str| {
        !p.is_empty()
            && p.chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    parts.iter().all(identifier).then(|| parts.join("/"))
}

/// Every string in a JSON value.
fn collect_strings(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::String(s) => out.push(s.clone()),
        serde_json::Value::Array(items) => items.iter().for_each(|v| collect_strings(v, out)),
        serde_json::Value::Object(map) => map.values().for_each(|v| collect_strings(v, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn anchors(files: &[(&str, &str)]) -> Anchors {
        let tree = Tree::from_files(files);
        let standard = crate::standard::load("coditect-backend", std::path::Path::new("."))
            .expect("built in")
            .standard;
        let detection = crate::detect::detect(&tree, &standard.detection);
        Anchors::of(&tree, &detection)
    }

    #[test]
    fn tools_find_these_by_name() {
        for name in [
            ".hygen.js",
            "gunicorn.conf.py",
            "jest.setup.js",
            ".mocharc.js",
            "wsgi.py",
            "ormconfig.js",
            "vite.config.ts",
        ] {
            assert!(by_name(name, true, false).is_some(), "{name}");
        }
        for name in ["users.py", "app.js", "service.rs", "settings.py"] {
            assert!(by_name(name, true, false).is_none(), "{name}");
        }
        // Below a root, `app.config.ts` is application code; Django names are Django's.
        assert!(by_name("app.config.ts", false, false).is_none());
        assert!(by_name("settings.py", false, true).is_some());
        assert!(by_name(".eslintrc.js", false, false).is_some());
    }

    #[test]
    fn configuration_names_files_folders_and_modules() {
        let a = anchors(&[
            (
                "pyproject.toml",
                "[project]\nname = \"x\"\ndependencies = [\"fastapi\"]\n",
            ),
            (
                "alembic.ini",
                "[alembic]\nscript_location = ./app/db/migrations\n",
            ),
            (
                "Dockerfile",
                "COPY . ./\nCMD uvicorn --host=0.0.0.0 app.main:app\n",
            ),
            ("app/__init__.py", ""),
            ("app/main.py", "app = 1\n"),
            ("app/db/migrations/env.py", ""),
            ("app/db/migrations/script.py.mako", ""),
            ("app/db/events.py", ""),
            ("app/services/users.py", ""),
        ]);
        assert!(
            a.holds("app/main.py", "src/main.py")
                .unwrap()
                .contains("Dockerfile` line 2")
        );
        assert!(
            a.holds("app/db/migrations/env.py", "src/x/env.py")
                .is_some()
        );
        assert!(
            a.holds("app/db/events.py", "src/shared/database/events.py")
                .is_none()
        );
        // `app.main` names the module, and its package `app` is not left.
        assert!(
            a.holds("app/services/users.py", "src/users/service.py")
                .is_none()
        );
    }

    #[test]
    fn package_json_names_its_entry_point() {
        let a = anchors(&[
            (
                "package.json",
                "{\"name\": \"app\", \"main\": \"index.js\", \"scripts\": {\"start\": \"node server.js\"}, \"dependencies\": {\"express\": \"4\"}}\n",
            ),
            ("index.js", ""),
            ("server.js", ""),
            ("other.js", ""),
        ]);
        assert!(
            a.holds("index.js", "src/index.js")
                .unwrap()
                .contains("package.json")
        );
        assert!(a.holds("server.js", "src/server.js").is_some());
        assert!(a.holds("other.js", "src/other.js").is_none());
    }

    #[test]
    fn entry_points_named_without_extension_or_as_modules_stay() {
        let a = anchors(&[
            (
                "package.json",
                "{\"name\": \"x\", \"scripts\": {\"start\": \"node server\", \"migrate\": \"sequelize db:migrate\"}, \"dependencies\": {\"express\": \"4\"}}\n",
            ),
            ("server.js", ""),
            ("db/index.js", ""),
            (
                "docker-compose.yml",
                "services:\n  api:\n    command: uvicorn main:app\n    volumes:\n      - ./config:/app/config\n",
            ),
            ("main.py", ""),
            ("config/settings.py", ""),
            (
                "Dockerfile",
                "FROM node:20\nUSER app\nRUN chown -R app:app /srv\nCOPY . .\n",
            ),
            ("app/users.js", ""),
        ]);
        assert!(
            a.holds("server.js", "src/server.js").is_some(),
            "node server"
        );
        assert!(
            a.holds("main.py", "src/main.py").is_some(),
            "uvicorn main:app"
        );
        assert!(
            a.holds("config/settings.py", "src/shared/config/settings.py")
                .is_some()
        );
        // A task name and a user name are no paths.
        assert!(
            a.holds("db/index.js", "src/shared/database/index.js")
                .is_none()
        );
        assert!(
            a.holds("app/users.js", "src/modules/users/users.js")
                .is_none()
        );
    }

    #[test]
    fn words_are_cut_at_colons_and_globs() {
        let text = |line: &str| -> Vec<String> { tokens(line).map(|w| w.text).collect() };
        assert_eq!(
            text("  - ./app:/app  src/**/*.entity http://x.io ${HOME} /abs 8000"),
            ["app", "src", "http"]
        );
        assert_eq!(
            text("uvicorn app.main:app --reload"),
            ["uvicorn", "app.main"]
        );
        let words: Vec<Word> = tokens("command: uvicorn main:app ./config").collect();
        assert!(words.iter().any(|w| w.text == "main" && w.module));
        assert!(words.iter().any(|w| w.text == "config" && w.explicit));
    }
}
