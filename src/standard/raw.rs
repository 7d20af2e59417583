//! The rule-set format as written: raw serde types, strictly parsed, documented field by
//! field (the docs become the JSON Schema's descriptions).
//!
//! Nothing outside `standard/` sees these types: `validate` turns them into the
//! checked [`super::Standard`]. Every struct denies unknown fields. Types that accept several
//! spellings (a glob as a string, a list, or a map with options) implement `Deserialize` by
//! hand with `deserialize_any`, so that errors keep their line and column (serde's untagged
//! enums would lose them).

use std::fmt;

use schemars::JsonSchema;
use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

use super::yaml::Spanned;

/// A rule set: the standard a repository is audited against and generated from.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawStandard {
    /// Identifier used on the command line (`--standard ID`): lowercase words joined by `-`.
    pub id: Spanned<String>,
    /// Human name.
    pub name: String,
    /// Version of this rule set (free text, semantic versioning recommended).
    pub version: String,
    /// What the standard asks for, in a paragraph.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The documents this rule set encodes (for traceability).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
    /// Build on another rule set: a built-in id, or a path relative to this file.
    /// Lists merge by `id` (a later entry with the same id replaces the earlier one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extends: Option<Spanned<String>>,
    /// Check ids of the extended rule set to drop.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub disable: Vec<Spanned<String>>,
    /// Changes to checks of the extended rule set (points, title, fix...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub overrides: Vec<RawOverride>,
    /// Score bands, highest first. Default: 90 production-ready, 70 needs-improvement, 0 not-ready.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bands: Vec<RawBand>,
    /// Check categories, in report order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<RawCategory>,
    /// Additions to the built-in detection rules (languages, frameworks, project kinds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detection: Option<RawDetection>,
    /// Where domain modules live and what makes a folder one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domains: Option<RawDomains>,
    /// Layers, defined by the role of a path. The first layer whose patterns match wins.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub layers: Vec<RawLayer>,
    /// Layer contracts: what a layer's files must not import, call or raise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contracts: Vec<RawContract>,
    /// Reference layouts of the standard (what `new` generates and `organize` aims for).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub layouts: Vec<RawLayout>,
    /// Rules of the source documents, with the checks or contracts that enforce them,
    /// or none when a rule needs human judgement.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub guidelines: Vec<RawGuideline>,
    /// The scored checks.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<RawCheck>,
}

/// A change to a check of the extended rule set.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawOverride {
    /// The check to change.
    pub id: Spanned<String>,
    /// New maximum points.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<Spanned<f64>>,
    /// New title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// New category id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<Spanned<String>>,
    /// New fix suggestion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
    /// New explanation of why the check matters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
}

/// A score band.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawBand {
    /// Band id shown in reports (`production-ready`).
    pub id: Spanned<String>,
    /// Lowest score (out of 100) in this band.
    pub min: Spanned<f64>,
    /// What the band means.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A category of checks.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawCategory {
    /// Category id, used by checks (`root`).
    pub id: Spanned<String>,
    /// Title shown in reports (`Root Directory`).
    pub title: String,
}

/// Where a path pattern is matched from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RawScope {
    /// The service root: where the backend's manifest lives (the repository root outside monorepos).
    #[default]
    Service,
    /// The repository root (the audited directory).
    Repo,
    /// The repository root, and the service root when it differs (best of both counts).
    Either,
    /// Each source root of the service: where its code starts (`src/`, `app/`,
    /// `src/<package>/`, a package named after the project, the folders holding Django apps).
    Source,
}

/// One glob or several (any may match).
#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
#[serde(transparent)]
pub struct RawGlobs(
    /// The patterns.
    #[schemars(with = "OneOrMany")]
    pub Vec<Spanned<String>>,
);

/// A string or a list of strings.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(
    dead_code,
    reason = "exists only to describe the schema of RawGlobs and RawNames"
)]
enum OneOrMany {
    /// One.
    One(String),
    /// Several.
    Many(Vec<String>),
}

impl<'de> Deserialize<'de> for RawGlobs {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawGlobs;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a glob or a list of globs")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<RawGlobs, A::Error> {
                Vec::deserialize(SeqAccessDeserializer::new(seq)).map(RawGlobs)
            }
        }
        // A single string is deserialized as Spanned directly to keep its position.
        deserialize_one_or_many(deserializer, V, |s| RawGlobs(vec![s]))
    }
}

/// One name or several.
#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
#[serde(transparent)]
pub struct RawNames(
    /// The names.
    #[schemars(with = "OneOrMany")]
    pub Vec<Spanned<String>>,
);

impl<'de> Deserialize<'de> for RawNames {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        RawGlobs::deserialize(deserializer).map(|globs| RawNames(globs.0))
    }
}

/// Deserialize a value that is one spanned string or a sequence handled by `visitor`.
fn deserialize_one_or_many<'de, D, V, F>(
    deserializer: D,
    visitor: V,
    one: F,
) -> Result<V::Value, D::Error>
where
    D: Deserializer<'de>,
    V: Visitor<'de>,
    F: FnOnce(Spanned<String>) -> V::Value,
{
    super::yaml::deserialize_string_or(deserializer, visitor, one)
}

/// Paths to look for: `file: "README*"`, `file: [a, b]`, or `file: {glob: ..., ...}`.
#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
#[schemars(with = "RawPathQueryForms")]
pub struct RawPathQuery {
    /// Patterns relative to the scope root (`*` stays within one folder, `**` crosses folders,
    /// `{a,b}` alternatives). A pattern without `/` matches only at the scope root.
    pub glob: RawGlobs,
    /// Patterns that disqualify a match.
    #[serde(default, skip_serializing_if = "is_default")]
    pub exclude: RawGlobs,
    /// Match names without regard to case (`readme.md` matches `README*`).
    #[serde(default, skip_serializing_if = "is_default")]
    pub ignore_case: bool,
    /// Where the patterns are matched from.
    #[serde(default, skip_serializing_if = "is_default")]
    pub scope: RawScope,
    /// How many distinct matches are needed (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<Spanned<u32>>,
    /// For files: whether a placeholder (empty, or only a title, TODO or template text) counts.
    /// Default: placeholders never count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placeholders_count: Option<bool>,
}

fn is_default<T: Default + PartialEq>(value: &T) -> bool {
    *value == T::default()
}

impl PartialEq for RawGlobs {
    fn eq(&self, other: &Self) -> bool {
        self.0.len() == other.0.len()
            && self.0.iter().zip(&other.0).all(|(a, b)| a.value == b.value)
    }
}

/// The map form of a path query (derive target for the hand-written `Deserialize`).
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawPathQueryMap {
    glob: RawGlobs,
    #[serde(default)]
    exclude: RawGlobs,
    #[serde(default)]
    ignore_case: bool,
    #[serde(default)]
    scope: RawScope,
    #[serde(default)]
    min: Option<Spanned<u32>>,
    #[serde(default)]
    placeholders_count: Option<bool>,
}

/// The three spellings of a path query, for the schema.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(
    dead_code,
    reason = "exists only to describe the schema of RawPathQuery"
)]
enum RawPathQueryForms {
    /// One glob.
    One(String),
    /// Any of several globs.
    Many(Vec<String>),
    /// Globs with options.
    Full(RawPathQueryMap),
}

impl<'de> Deserialize<'de> for RawPathQuery {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawPathQuery;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a glob, a list of globs, or a map with `glob:` and options")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<RawPathQuery, A::Error> {
                let glob = RawGlobs(Vec::deserialize(SeqAccessDeserializer::new(seq))?);
                Ok(RawPathQuery {
                    glob,
                    ..RawPathQuery::default()
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RawPathQuery, A::Error> {
                let m = RawPathQueryMap::deserialize(MapAccessDeserializer::new(map))?;
                Ok(RawPathQuery {
                    glob: m.glob,
                    exclude: m.exclude,
                    ignore_case: m.ignore_case,
                    scope: m.scope,
                    min: m.min,
                    placeholders_count: m.placeholders_count,
                })
            }
        }
        deserialize_one_or_many(deserializer, V, |s| RawPathQuery {
            glob: RawGlobs(vec![s]),
            ..RawPathQuery::default()
        })
    }
}

/// A test on the repository. Exactly one key names the kind of test.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum RawCondition {
    /// Any entry (file, folder or link) matches.
    Path(RawPathQuery),
    /// A file matches and has real content (placeholders do not count unless allowed).
    File(RawPathQuery),
    /// A folder matches.
    Dir(RawPathQuery),
    /// The text of a matching file matches a regular expression.
    Content(RawContentQuery),
    /// A markdown file has a heading matching a regular expression, followed by real text.
    Section(RawSectionQuery),
    /// The service's manifests declare one of these dependencies.
    Dependency(RawNames),
    /// One of these frameworks was detected (detection ids: `fastapi`, `celery`...).
    Framework(RawNames),
    /// One of these languages was detected (`python`, `node`, `rust`).
    Language(RawNames),
    /// The project kind is one of these (`backend`, `frontend`, `library`, `unknown`).
    Kind(RawNames),
    /// A source file imports a matching module (parsed, comments and strings never count).
    Imports(RawCodeQuery),
    /// A source file calls a matching function or method (parsed).
    Calls(RawCodeQuery),
    /// A source file under the service root belongs to one of these layers.
    Layer(RawNames),
    /// At least `min` domain modules exist (see `domains`).
    Domains(RawCount),
    /// The root `.gitignore` ignores probe paths (real gitignore semantics).
    Ignored(RawIgnoredQuery),
    /// At least one of the conditions holds.
    Any(Vec<RawCondition>),
    /// Every condition holds.
    All(Vec<RawCondition>),
    /// The condition does not hold.
    Not(Box<RawCondition>),
}

/// Text to find in files.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawContentQuery {
    /// Which files to read.
    pub files: RawPathQuery,
    /// A regular expression (Rust `regex` syntax), matched line by line.
    pub regex: Spanned<String>,
    /// Skip lines whose first non-blank characters are `#` or `//` (comments in YAML, shell, code).
    #[serde(default, skip_serializing_if = "is_default")]
    pub skip_comment_lines: bool,
}

/// A markdown section to find.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawSectionQuery {
    /// Which markdown files to read.
    pub files: RawPathQuery,
    /// A regular expression matched against heading text, case-insensitively.
    pub heading: Spanned<String>,
}

/// Parsed source to search: imports of, or calls to, matching names.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawCodeQuery {
    /// Module or callee patterns (see "Name patterns" in docs/rule-sets.md).
    pub names: RawNames,
    /// Which source files to parse (default: every source file under the service root).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub files: Option<RawPathQuery>,
}

/// A count.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawCount {
    /// The least number that satisfies the condition.
    pub min: Spanned<u32>,
}

/// Probe paths for the root `.gitignore`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawIgnoredQuery {
    /// Paths that should be ignored. A trailing `/` marks a folder.
    pub probes: Vec<RawProbe>,
    /// `all` (default): every applicable probe must be ignored; `any`: one is enough.
    #[serde(default, skip_serializing_if = "is_default")]
    pub require: RawRequire,
}

/// How many of a list must hold.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RawRequire {
    /// Every one.
    #[default]
    All,
    /// At least one.
    Any,
}

/// One probe path, optionally only for one language.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawProbe {
    /// The path to test (`node_modules/`, `.env`, `app.log`).
    pub path: Spanned<String>,
    /// Other spellings of the same thing: the probe is also met when one of these is
    /// ignored (`.venv/` or `venv/` or `env/`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub or: Vec<Spanned<String>>,
    /// Only test this probe when the language was detected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<Spanned<String>>,
}

/// Additions to detection.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawDetection {
    /// Languages, with the manifests and file extensions that reveal them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub languages: Vec<RawLanguage>,
    /// Frameworks and tools, with the evidence that reveals them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub frameworks: Vec<RawFramework>,
    /// Signals that a project is a backend (any one counts).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub backend_signals: Vec<RawSignal>,
    /// Signals that a project is a frontend; they outweigh folder-only backend signals.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub frontend_signals: Vec<RawSignal>,
    /// Where projects may live in a monorepo, in order of preference for the service root
    /// (`.`, `backend`, `server`, `api`, `services/*`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub project_roots: Vec<Spanned<String>>,
}

/// A language.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawLanguage {
    /// Language id (`python`).
    pub id: Spanned<String>,
    /// Human name.
    pub name: String,
    /// Manifest file names at a project root that reveal the language.
    pub manifests: Vec<String>,
    /// Source file extensions, without the dot.
    pub extensions: Vec<String>,
}

/// What a framework is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RawRole {
    /// An HTTP/API server framework: makes a project a backend.
    Web,
    /// A user-interface framework: makes a project a frontend.
    Frontend,
    /// A background-job or task-queue framework.
    Jobs,
    /// An ORM or database toolkit.
    Orm,
    /// A migration tool.
    Migrations,
    /// An API documentation generator.
    ApiDocs,
    /// A test framework.
    Testing,
}

/// A framework or tool to detect.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawFramework {
    /// Framework id (`fastapi`).
    pub id: Spanned<String>,
    /// Human name.
    pub name: String,
    /// The language id it belongs to.
    pub language: Spanned<String>,
    /// What it is for.
    pub role: RawRole,
    /// Any one of these reveals it.
    pub evidence: Vec<RawEvidence>,
    /// Framework ids that, when also detected, mean this one is only their building block
    /// (`express` is superseded by `nestjs`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub superseded_by: Vec<Spanned<String>>,
}

/// Evidence for a framework.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum RawEvidence {
    /// A runtime dependency in the project's manifest (development dependencies do not count).
    Dependency(Spanned<String>),
    /// A development dependency in the project's manifest.
    DevDependency(Spanned<String>),
    /// A file at the project root, optionally containing a regular expression.
    File(RawFileEvidence),
    /// An import of the module in one of the given files (parsed: comments and strings never count).
    Import(RawImportEvidence),
}

/// A file that reveals a framework.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawFileEvidence {
    /// Glob relative to the project root.
    pub glob: RawGlobs,
    /// A regular expression the file must contain (line by line).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contains: Option<Spanned<String>>,
}

/// An import that reveals a framework.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawImportEvidence {
    /// Module pattern (`fastapi`, `fastapi.*`).
    pub module: Spanned<String>,
    /// Files to parse, relative to the project root.
    pub files: RawGlobs,
}

/// A sign of a project kind.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawSignal {
    /// What the signal means, for the evidence list.
    pub label: String,
    /// Entries (files or folders) relative to the project root.
    pub path: RawGlobs,
}

/// Domain modules: business capabilities with their own layers.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawDomains {
    /// Folder patterns, relative to the service root, where a domain module may be
    /// (`src/*`, `src/modules/*`, `app/*`).
    pub roots: RawGlobs,
    /// Folder names that are never domains (`shared`, `core`...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude: Vec<String>,
    /// How many layer files or folders (direct children classified into a layer) make a
    /// folder a domain module. Default 2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_layer_entries: Option<Spanned<u32>>,
    /// File names that make a folder a domain module by a framework's convention, as soon as
    /// it holds one layered file: a Django app's `apps.py`, a `NestJS` module's `*.module.ts`.
    #[serde(default, skip_serializing_if = "is_default_globs")]
    pub markers: RawGlobs,
    /// How many different layers a domain module's files must cover (default 1):
    /// `routes/recipe/` holding only route files is a layer folder split by resource, not a
    /// domain module.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_layers: Option<Spanned<u32>>,
    /// Where `roots` are matched from: `service` (the default) or `source` (each source root
    /// of the service: `src/`, `src/<package>/`, the folders holding Django apps...).
    #[serde(default, skip_serializing_if = "is_default")]
    pub scope: RawScope,
}

/// A layer, defined by path role.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawLayer {
    /// Layer id (`interface`, `business`, `data`).
    pub id: Spanned<String>,
    /// Human title.
    pub title: String,
    /// Patterns relative to the service root; `**/routes/**` is anything under a routes folder.
    pub paths: RawGlobs,
    /// Patterns that are never in this layer.
    #[serde(default, skip_serializing_if = "is_default")]
    pub exclude: RawGlobs,
}

/// A layer contract.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawContract {
    /// Contract id, usable in inline waivers (`# squarely: allow(ID) reason`).
    pub id: Spanned<String>,
    /// One line: what the contract forbids.
    pub title: String,
    /// The layer whose files it governs, or `any` for every file in a domain module.
    pub layer: Spanned<String>,
    /// Why the rule exists.
    pub why: String,
    /// How to fix a violation.
    pub fix: String,
    /// What the layer's files must not do.
    #[serde(default)]
    pub forbid: RawForbid,
    /// How much a violation makes its file unclean in a ratio over files, from 0 (exclusive)
    /// to 1 (the default): `0.5` for a lesser breach such as a service raising the
    /// framework's HTTP exception. A file counts its heaviest violation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<Spanned<f64>>,
    /// Only files of these languages (`python`, `node`, `rust`); default: all.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub languages: Vec<Spanned<String>>,
}

/// What a contract forbids.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawForbid {
    /// Imports of matching modules.
    #[serde(default, skip_serializing_if = "is_default_names")]
    pub imports: RawNames,
    /// Exceptions to `imports`: an import that brings in only these modules or names
    /// (`fastapi.HTTPException`, `fastapi.status`) is allowed.
    #[serde(default, skip_serializing_if = "is_default_names")]
    pub allow_imports: RawNames,
    /// Calls of matching functions or methods.
    #[serde(default, skip_serializing_if = "is_default_names")]
    pub calls: RawNames,
    /// Receivers whose calls never match `calls`, case ignored: a call on an injected
    /// service or repository (`this.articleService.findAll()`, `self.user_repo.get(id)`)
    /// delegates, it does not touch the database (`*service`, `*repository`, `*repo`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_on: Vec<Spanned<String>>,
    /// Raising or throwing matching exception names.
    #[serde(default, skip_serializing_if = "is_default_names")]
    pub raises: RawNames,
    /// Raw SQL string literals passed to calls.
    #[serde(default, skip_serializing_if = "is_default")]
    pub sql: bool,
    /// Loops (`for`, `while`): business logic in the wrong layer.
    #[serde(default, skip_serializing_if = "is_default")]
    pub loops: bool,
    /// Conditionals (`if`, `match`, `switch`): business logic in the wrong layer.
    #[serde(default, skip_serializing_if = "is_default")]
    pub conditionals: bool,
    /// Imports that resolve to files of these layers (import direction).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub layers: Vec<Spanned<String>>,
    /// Imports from another domain module that bind a symbol instead of a module
    /// (`from src.auth.service import x`); `from src.auth import service as auth_service` is fine.
    #[serde(default, skip_serializing_if = "is_default")]
    pub cross_domain_symbols: bool,
}

fn is_default_globs(globs: &RawGlobs) -> bool {
    globs.0.is_empty()
}

fn is_default_names(names: &RawNames) -> bool {
    names.0.is_empty()
}

/// A reference layout.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawLayout {
    /// Layout id (`python-fastapi`).
    pub id: Spanned<String>,
    /// Human title.
    pub title: String,
    /// When the layout applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<RawCondition>,
    /// The paths, relative to the service root (`<domain>` stands for each domain's name).
    pub tree: Vec<RawLayoutEntry>,
}

/// One path of a reference layout.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawLayoutEntry {
    /// Path relative to the service root; a trailing `/` marks a folder.
    pub path: Spanned<String>,
    /// What belongs there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A rule of the source documents.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawGuideline {
    /// Guideline id.
    pub id: Spanned<String>,
    /// The rule, in the words of the source.
    pub text: String,
    /// Checks or contracts that enforce it; empty when it needs human judgement.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub enforced_by: Vec<Spanned<String>>,
}

/// A scored check. Exactly one of `tiers`, `items`, `root_entries`, `contracts`,
/// `domain_layout`, `forbidden_paths` says how it scores.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawCheck {
    /// Check id (`root.docs`): `category.name`, lowercase.
    pub id: Spanned<String>,
    /// Category id.
    pub category: Spanned<String>,
    /// One line, as in the checklist.
    pub title: String,
    /// Maximum points.
    pub points: Spanned<f64>,
    /// Why it matters.
    pub why: String,
    /// What to do to earn the points (shown with every finding).
    pub fix: Spanned<String>,
    /// When the check does not apply: it then awards full points and says why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_applicable: Option<RawNotApplicable>,
    /// Scoring by the first tier whose condition holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tiers: Option<Vec<RawTier>>,
    /// Scoring by items, each worth a share.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items: Option<Vec<RawItem>>,
    /// Scoring of the root folder: a limit on entries and items that do not belong.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root_entries: Option<RawRootEntries>,
    /// Scoring by layer contracts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contracts: Option<RawContractScoring>,
    /// Scoring by the files each domain module holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain_layout: Option<RawDomainLayout>,
    /// Scoring by paths that must not exist: each match costs points.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forbidden_paths: Option<RawForbiddenPaths>,
}

/// Paths that must not exist.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawForbiddenPaths {
    /// Points lost per matching entry.
    pub deduct: Spanned<f64>,
    /// The kinds of forbidden entries.
    pub patterns: Vec<RawForbiddenPattern>,
}

/// One kind of forbidden entry.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawForbiddenPattern {
    /// Id (`uppercase-names`).
    pub id: Spanned<String>,
    /// What it is ("a file name that is not `snake_case`").
    pub label: String,
    /// The entries.
    pub path: RawPathQuery,
    /// What to do instead.
    pub fix: String,
}

/// When a check does not apply.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawNotApplicable {
    /// The condition.
    pub when: RawCondition,
    /// Why the check does not apply, shown in the report.
    pub reason: Spanned<String>,
}

/// A scoring tier: the first whose condition holds sets the score.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawTier {
    /// Points awarded.
    pub points: Spanned<f64>,
    /// What the repository has at this tier ("a deployment section in the README").
    pub label: String,
    /// The condition.
    pub when: RawCondition,
}

/// An item worth a share of the check's points.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawItem {
    /// Item id, unique in the check.
    pub id: Spanned<String>,
    /// What is expected ("SECURITY.md").
    pub label: String,
    /// Full credit.
    pub when: RawCondition,
    /// Partial credit when `when` fails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partial: Option<RawPartial>,
    /// The item counts only when this holds (otherwise it is not applicable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applies: Option<RawCondition>,
    /// Points of this item; when no item has points, the check's points are shared equally
    /// among applicable items.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<Spanned<f64>>,
    /// Where the item belongs, for the finding (`SECURITY.md`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// How to add it.
    pub fix: String,
}

/// Partial credit for an item.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawPartial {
    /// Fraction of the item's share, between 0 and 1.
    pub credit: Spanned<f64>,
    /// What was found instead ("a non-standard name or place").
    pub label: String,
    /// The condition.
    pub when: RawCondition,
}

/// Root-folder scoring.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawRootEntries {
    /// Full points up to this many root entries.
    pub limit: Spanned<u32>,
    /// Points above the limit: the first step whose `max` is not exceeded applies; 0 beyond all.
    #[serde(default)]
    pub steps: Vec<RawStep>,
    /// Points lost per item that does not belong.
    pub deduct: Spanned<f64>,
    /// Root items that always belong, even when a `misplaced` pattern matches them.
    #[serde(default, skip_serializing_if = "is_default")]
    pub allowed: RawGlobs,
    /// Kinds of root items that do not belong.
    pub misplaced: Vec<RawMisplaced>,
}

/// A step of the entry-count scale.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawStep {
    /// Up to this many entries...
    pub max: Spanned<u32>,
    /// ...this many points.
    pub points: Spanned<f64>,
}

/// A kind of root item that does not belong.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawMisplaced {
    /// Id (`source-code`).
    pub id: Spanned<String>,
    /// What it is ("source code").
    pub label: String,
    /// Root entry name patterns (matched case-insensitively).
    pub names: RawGlobs,
    /// Where such items belong instead.
    pub fix: String,
}

/// Contract-based scoring.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawContractScoring {
    /// Contract ids that count (default: all).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contracts: Vec<Spanned<String>>,
    /// Score `points × clean files / files` over this layer's files (its contracts' violations
    /// make a file unclean); violations of other contracts cost `penalty` each.
    /// Without it, every violation costs `penalty`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ratio_layer: Option<Spanned<String>>,
    /// `all_layers`: score `points × clean files / files` over every file the contracts
    /// govern that holds code, whatever its layer (each file weighed by its heaviest
    /// violation); nothing else is deducted. Not with `ratio_layer`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ratio: Option<Spanned<RawRatio>>,
    /// With `ratio: all_layers`: the layer that must hold a file with code for there to be
    /// anything to judge (routes living in a file of no layer leave nothing separated).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub needs_layer: Option<Spanned<String>>,
    /// Points lost per violation outside the ratio layer.
    pub penalty: Spanned<f64>,
    /// Score when there are no files to judge: `fail` (0, the default: nothing is separated)
    /// or `not_applicable`.
    #[serde(default, skip_serializing_if = "is_default")]
    pub when_empty: RawWhenEmpty,
}

/// What a contracts check takes the ratio of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RawRatio {
    /// Every governed file with code, in every layer.
    AllLayers,
}

/// Score when there is nothing to judge.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RawWhenEmpty {
    /// No points.
    #[default]
    Fail,
    /// Not applicable: full points.
    NotApplicable,
}

/// Files every domain module should hold.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawDomainLayout {
    /// Expected entries of each domain module, relative to the module folder
    /// (`router.py`, `{crud,repository}.py`, `services/`...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub expect: Vec<RawExpected>,
    /// Folders (relative to the service root) that must hold an entry named after each
    /// domain module: `tests` expects `tests/<domain>` (tests mirror the domains).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mirror_in: Vec<Spanned<String>>,
    /// Score when no domain module exists (`fail` by default).
    #[serde(default, skip_serializing_if = "is_default")]
    pub when_empty: RawWhenEmpty,
}

/// One expected entry of a domain module.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawExpected {
    /// Name patterns (file or folder) inside the module folder.
    pub name: RawGlobs,
    /// What it holds ("routes").
    pub label: String,
}
