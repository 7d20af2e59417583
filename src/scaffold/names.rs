//! Names of projects, domains and migrations: validation and the forms templates need.
//!
//! A name becomes a crate, a module, a table, a folder and a URL segment, so it is held to
//! the narrowest rule that suits all of them: a `snake_case` identifier that is not a Rust
//! keyword. Anything else (`../x`, `/abs`, `a/b`, `Users`, `billing-service`, an empty
//! string) is refused before anything is rendered, with a suggestion where one exists.

use std::fmt;

/// Why a name was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {what} name `{name}`: {reason}")]
pub struct NameError {
    /// What the name is for (`project`, `domain`, `migration`).
    pub what: &'static str,
    /// The name as given.
    pub name: String,
    /// Why, and what to write instead.
    pub reason: String,
}

/// Rust keywords (strict and reserved, all editions) and names that would shadow a crate
/// every project links (`std`, `core`, `test`...).
const RESERVED: &[&str] = &[
    "abstract",
    "alloc",
    "as",
    "async",
    "await",
    "become",
    "box",
    "break",
    "const",
    "continue",
    "core",
    "crate",
    "do",
    "dyn",
    "else",
    "enum",
    "extern",
    "false",
    "final",
    "fn",
    "for",
    "gen",
    "if",
    "impl",
    "in",
    "let",
    "loop",
    "macro",
    "match",
    "mod",
    "move",
    "mut",
    "override",
    "priv",
    "proc_macro",
    "pub",
    "ref",
    "return",
    "self",
    "static",
    "std",
    "struct",
    "super",
    "test",
    "trait",
    "true",
    "try",
    "type",
    "typeof",
    "union",
    "unsafe",
    "unsized",
    "use",
    "virtual",
    "where",
    "while",
    "yield",
];

/// Plain YAML scalars that are not strings (YAML 1.1 and 1.2 booleans and null).
const YAML_SCALARS: &[&str] = &["n", "no", "null", "off", "on", "y", "yes"];

/// The longest name accepted: names end up in identifiers, paths and `use` lines, and the
/// templates are checked to be rustfmt-clean up to this length.
const MAX_LEN: usize = 30;

/// Check that `name` is a `snake_case` identifier and not a keyword.
pub fn validate(what: &'static str, name: &str) -> Result<(), NameError> {
    let refuse = |reason: String| NameError {
        what,
        name: name.to_owned(),
        reason,
    };
    if name.is_empty() {
        return Err(refuse("it is empty".to_owned()));
    }
    if name.contains(['/', '\\']) || name == "." || name == ".." {
        return Err(refuse(
            "a name is not a path; give a plain snake_case name such as `billing`".to_owned(),
        ));
    }
    if name.len() > MAX_LEN {
        return Err(refuse(format!("it is longer than {MAX_LEN} characters")));
    }
    let snake = suggestion(name);
    let valid = name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !name.ends_with('_')
        && !name.contains("__");
    if !valid {
        let hint = if snake.is_empty() || snake == name {
            String::new()
        } else {
            format!("; try `{snake}`")
        };
        return Err(refuse(format!(
            "use a snake_case identifier: lowercase letters, digits and single underscores, starting with a letter{hint}"
        )));
    }
    if YAML_SCALARS.contains(&name) {
        return Err(refuse(
            "YAML reads it as a boolean or null, and the name ends up in YAML files".to_owned(),
        ));
    }
    if RESERVED.contains(&name) {
        return Err(refuse(
            "it is a Rust keyword or the name of a built-in crate".to_owned(),
        ));
    }
    Ok(())
}

/// Check a migration name: `snake_case`, at most 64 characters; keywords are fine here
/// (`add_type_to_invoices`, `type`), it only ends up in a file name.
pub fn validate_migration(name: &str) -> Result<(), NameError> {
    let refuse = |reason: String| NameError {
        what: "migration",
        name: name.to_owned(),
        reason,
    };
    if name.len() > 64 {
        return Err(refuse("it is longer than 64 characters".to_owned()));
    }
    match validate("migration", name) {
        Err(err) if err.reason.contains("keyword") || err.reason.contains("YAML") => Ok(()),
        Err(err) if err.reason.contains("longer than") => Ok(()),
        other => other,
    }
}

/// A `snake_case` spelling of `name`, for error messages.
fn suggestion(name: &str) -> String {
    let mut out = String::new();
    let mut previous_lower = false;
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            if previous_lower {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
            previous_lower = false;
        } else if c.is_ascii_alphanumeric() {
            out.push(c);
            previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
            previous_lower = false;
        }
    }
    let trimmed = out
        .trim_matches('_')
        .trim_start_matches(|c: char| c.is_ascii_digit());
    trimmed.trim_start_matches('_').to_owned()
}

/// The forms of a `snake_case` name that code and documents use.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Forms {
    /// As given: `order_items` (module, table, URL segment).
    pub snake: String,
    /// Singular: `order_item`.
    pub singular: String,
    /// Type name of the singular: `OrderItem`.
    pub pascal: String,
    /// Type name of the plural, as given: `OrderItems`.
    pub pascal_plural: String,
    /// For people: `Order items`.
    pub title: String,
    /// For people, in a sentence: `order items`.
    pub words: String,
    /// For people, singular: `order item`.
    pub words_singular: String,
    /// For people, singular, capitalised: `Order item`.
    pub singular_title: String,
    /// For file and image names: `order-items`.
    pub kebab: String,
    /// For environment variables: `ORDER_ITEMS`.
    pub upper: String,
}

impl Forms {
    /// The forms of a validated name.
    #[must_use]
    pub fn of(name: &str) -> Forms {
        let singular = singular(name);
        let capitalised = |words: String| {
            let mut chars = words.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        };
        let title = capitalised(name.replace('_', " "));
        Forms {
            singular_title: capitalised(singular.replace('_', " ")),
            words: name.replace('_', " "),
            snake: name.to_owned(),
            pascal: pascal(&singular),
            pascal_plural: pascal(name),
            words_singular: singular.replace('_', " "),
            singular,
            title,
            kebab: name.replace('_', "-"),
            upper: name.to_ascii_uppercase(),
        }
    }
}

impl fmt::Display for Forms {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.snake)
    }
}

/// `order_item` -> `OrderItem`.
fn pascal(snake: &str) -> String {
    snake
        .split('_')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect()
}

/// Plurals the suffix rules below get wrong, and words that are their own plural.
const IRREGULAR: &[(&str, &str)] = &[
    ("analyses", "analysis"),
    ("buses", "bus"),
    ("caches", "cache"),
    ("campuses", "campus"),
    ("children", "child"),
    ("data", "data"),
    ("indices", "index"),
    ("media", "media"),
    ("men", "man"),
    ("news", "news"),
    ("people", "person"),
    ("series", "series"),
    ("species", "species"),
    ("statuses", "status"),
    ("viruses", "virus"),
    ("women", "woman"),
];

/// English singular of the last word: `categories` -> `category`, `addresses` -> `address`,
/// `users` -> `user`; words that are not plurals stay as they are.
fn singular(snake: &str) -> String {
    let (head, last) = match snake.rsplit_once('_') {
        Some((head, last)) => (format!("{head}_"), last),
        None => (String::new(), snake),
    };
    let one = if let Some((_, one)) = IRREGULAR.iter().find(|(many, _)| *many == last) {
        (*one).to_owned()
    } else if let Some(stem) = last.strip_suffix("ies").filter(|stem| stem.len() > 1) {
        format!("{stem}y")
    } else if ["sses", "shes", "ches", "xes", "zzes"]
        .iter()
        .any(|suffix| last.ends_with(suffix))
    {
        last[..last.len() - 2].to_owned()
    } else if last.len() > 2
        && last.ends_with('s')
        && !["ss", "us", "is"]
            .iter()
            .any(|suffix| last.ends_with(suffix))
    {
        last[..last.len() - 1].to_owned()
    } else {
        last.to_owned()
    };
    head + &one
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_snake_case_identifiers() {
        for name in ["users", "order_items", "v2_api", "billing"] {
            assert_eq!(validate("domain", name), Ok(()), "{name}");
        }
    }

    #[test]
    fn refuses_paths_keywords_and_other_cases() {
        for (name, expect) in [
            ("", "empty"),
            ("../x", "not a path"),
            ("/abs", "not a path"),
            ("a/b", "not a path"),
            ("..", "not a path"),
            ("Users", "try `users`"),
            ("billing-service", "try `billing_service`"),
            ("2fa", "starting with a letter"),
            ("a__b", "single underscores"),
            ("trailing_", "snake_case"),
            ("type", "keyword"),
            ("std", "built-in crate"),
            ("yes", "YAML"),
            ("null", "YAML"),
            ("x y", "try `x_y`"),
        ] {
            let err = validate("domain", name).unwrap_err();
            assert!(err.to_string().contains(expect), "{name}: {err}");
        }
        assert!(validate("domain", &"a".repeat(30)).is_ok());
        assert!(validate("domain", &"a".repeat(31)).is_err());
    }

    #[test]
    fn migration_names_are_file_names() {
        assert!(validate_migration("add_index_on_invoices_created_at_and_updated_at").is_ok());
        assert!(validate_migration("type").is_ok());
        assert!(validate_migration(&"a".repeat(65)).is_err());
        assert!(validate_migration("../x").is_err());
        assert!(validate_migration("Add").is_err());
    }

    #[test]
    fn forms() {
        let table = [
            ("users", "user", "User"),
            ("invoices", "invoice", "Invoice"),
            ("categories", "category", "Category"),
            ("addresses", "address", "Address"),
            ("order_items", "order_item", "OrderItem"),
            ("boxes", "box", "Box"),
            ("statuses", "status", "Status"),
            ("databases", "database", "Database"),
            ("inventory", "inventory", "Inventory"),
            ("news", "news", "News"),
            ("houses", "house", "House"),
            ("people", "person", "Person"),
            ("analysis", "analysis", "Analysis"),
            ("auth", "auth", "Auth"),
            ("branches", "branch", "Branch"),
        ];
        for (name, singular, pascal) in table {
            let forms = Forms::of(name);
            assert_eq!(forms.singular, singular, "{name}");
            assert_eq!(forms.pascal, pascal, "{name}");
        }
        let forms = Forms::of("order_items");
        assert_eq!(forms.title, "Order items");
        assert_eq!(forms.words, "order items");
        assert_eq!(forms.kebab, "order-items");
        assert_eq!(forms.upper, "ORDER_ITEMS");
        assert_eq!(forms.pascal_plural, "OrderItems");
        assert_eq!(forms.words_singular, "order item");
        assert_eq!(forms.singular_title, "Order item");
    }
}
