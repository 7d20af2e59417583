//! `.squarely/project.yaml`: the answers of `new`, so that `add` knows what it adds to.

use serde::Deserialize;

use super::{Answers, Db, Framework};

/// Where the answers are kept, relative to the project root.
pub const PROJECT_FILE: &str = ".squarely/project.yaml";

/// The recorded answers of `squarely new`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ProjectFile {
    /// The squarely version that generated the project.
    pub squarely: String,
    /// The template set (`rust`).
    pub template: String,
    /// The template set's version.
    pub template_version: String,
    /// The standard the project follows.
    pub standard: String,
    /// The project (crate) name.
    pub name: String,
    /// The web framework.
    pub framework: Framework,
    /// The database.
    pub db: Db,
    /// Every domain, in the order added.
    pub domains: Vec<String>,
}

impl ProjectFile {
    /// The record of a new project.
    #[must_use]
    pub fn new(answers: &Answers, template: &str, template_version: &str) -> ProjectFile {
        ProjectFile {
            squarely: env!("CARGO_PKG_VERSION").to_owned(),
            template: template.to_owned(),
            template_version: template_version.to_owned(),
            standard: answers.standard.clone(),
            name: answers.name.clone(),
            framework: answers.framework,
            db: answers.db,
            domains: answers.domains.clone(),
        }
    }

    /// Parse the file; every problem comes back as `line:column: message`.
    pub fn parse(text: &str) -> Result<ProjectFile, Vec<String>> {
        crate::standard::yaml::from_str(text)
            .map_err(|errors| errors.iter().map(ToString::to_string).collect())
    }

    /// The answers the project was made with (and the domains added since).
    #[must_use]
    pub fn answers(&self) -> Answers {
        Answers {
            name: self.name.clone(),
            framework: self.framework,
            db: self.db,
            domains: self.domains.clone(),
            standard: self.standard.clone(),
        }
    }

    /// The file's text.
    #[must_use]
    pub fn to_yaml(&self) -> String {
        let mut out = String::from(
            "# Written by `squarely new` and updated by `squarely add`: the answers the\n\
             # project was generated with, so that `add` generates code of the same shape.\n",
        );
        out.push_str(&format!("squarely: \"{}\"\n", self.squarely));
        out.push_str(&format!("template: {}\n", self.template));
        out.push_str(&format!(
            "template-version: \"{}\"\n",
            self.template_version
        ));
        out.push_str(&format!("standard: {}\n", self.standard));
        out.push_str(&format!("name: {}\n", self.name));
        out.push_str(&format!("framework: {}\n", self.framework.as_str()));
        out.push_str(&format!("db: {}\n", self.db.as_str()));
        out.push_str("domains:\n");
        for domain in &self.domains {
            out.push_str(&format!("  - {domain}\n"));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects_unknown_keys() {
        let answers = Answers {
            name: "billing".into(),
            framework: Framework::Axum,
            db: Db::Sqlite,
            domains: vec!["users".into(), "auth".into()],
            standard: "coditect-backend".into(),
        };
        let file = ProjectFile::new(&answers, "rust", "1.0.0");
        let parsed = ProjectFile::parse(&file.to_yaml()).unwrap();
        assert_eq!(parsed, file);
        assert_eq!(parsed.answers(), answers);
        let bad = file
            .to_yaml()
            .replace("db: sqlite", "db: mysql\ncolour: red");
        let errors = ProjectFile::parse(&bad).unwrap_err();
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(errors[0].starts_with("9:5: "), "{errors:?}");
        assert!(errors[1].contains("colour"), "{errors:?}");
    }
}
