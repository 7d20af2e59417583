//! `squarely organize`: move an existing repository onto the standard, safely.
//!
//! The plan is computed as values ([`model`]): file moves, files to create, import edits that
//! follow the moves ([`rewrite`]), and references that cannot be rewritten. A dry run prints
//! it; `--apply` hands it to [`crate::fs::journal`], which writes a journal before each step
//! so that `--undo` restores the tree byte for byte.

pub mod model;
pub mod rewrite;

pub use model::{ImportChange, Move, Rewrites, TextEdit, Unresolved};
