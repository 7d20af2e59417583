//! What a command wants written: files to create and edits to make, as values.
//!
//! Commands compute a [`Plan`] in memory; a dry run prints it, [`super::ProjectDir::apply`]
//! writes it. Planning reads an existing project only through [`Disk`].

/// A file to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedFile {
    /// Path relative to the target directory, `/`-separated.
    pub path: String,
    /// The whole content.
    pub contents: String,
    /// Whether it gets the executable bit (scripts).
    pub executable: bool,
}

/// An edit of an existing file: its whole content before and after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedEdit {
    /// Path relative to the target directory.
    pub path: String,
    /// The content read when the plan was made; the edit is refused if the file changed.
    pub before: String,
    /// The content to write.
    pub after: String,
    /// What changes, for people (`insert before // squarely:routes`).
    pub summary: Vec<String>,
}

/// Files to create and files to edit. Dry run, and apply are two ways of consuming it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// New files, in path order.
    pub files: Vec<PlannedFile>,
    /// Edits of existing files, in path order.
    pub edits: Vec<PlannedEdit>,
}

/// Read access to an existing project, so that planning never touches the disk itself.
pub trait Disk {
    /// The text of the file at `path` (relative), `Ok(None)` when it does not exist.
    fn read(&self, path: &str) -> Result<Option<String>, String>;
    /// Whether anything (file or folder) exists at `path` (relative).
    fn exists(&self, path: &str) -> bool;
    /// The names in the folder at `path` (relative); empty when there is none.
    fn list(&self, path: &str) -> Vec<String>;
}
