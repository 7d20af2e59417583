//! One `use` declaration: which of its paths change, and whether a change is made in place
//! (a path, or the shared prefix of a group) or by taking a path out of its group into a
//! declaration of its own.

use crate::analyze::spans::{Span, UseTree};

use super::super::edit::list_removals;
use super::Rust;
use super::view::Key;

/// A leaf of a `use` tree and where it goes.
#[derive(Debug, Clone)]
pub(super) struct Leaf {
    /// The path as written, prefixes included (a `self` leaf is its prefix).
    pub(super) written: Vec<String>,
    /// The new path, when it changes.
    pub(super) new: Option<Vec<String>>,
    /// Whether it is `self` in a list.
    pub(super) is_self: bool,
    /// Whether it is a glob.
    pub(super) glob: bool,
    /// Its `as` name.
    pub(super) alias: Option<String>,
}

impl Leaf {
    /// The name the leaf binds.
    pub(super) fn binding(&self) -> Option<&str> {
        if self.glob {
            return None;
        }
        self.alias
            .as_deref()
            .or(self.written.last().map(String::as_str))
    }

    /// The alias the new path needs to keep the binding.
    pub(super) fn needed_alias(&self) -> Option<String> {
        let new = self.new.as_ref()?;
        match (self.binding(), &self.alias) {
            (_, Some(alias)) => Some(alias.clone()),
            (Some(bound), None) if new.last().map(String::as_str) != Some(bound) => {
                Some(bound.to_owned())
            }
            _ => None,
        }
    }

    /// The leaf as a `use` declaration's path.
    pub(super) fn render(&self) -> String {
        let path = self.new.as_ref().unwrap_or(&self.written).join("::");
        if self.glob {
            return format!("{path}::*");
        }
        match self.needed_alias().or_else(|| self.alias.clone()) {
            Some(alias) => format!("{path} as {alias}"),
            None => path,
        }
    }
}

/// Every leaf of `tree` written below `outer`: its path as written (a `self` leaf is its
/// prefix), whether it is `self` in a list, whether it is a glob, and its alias.
pub(super) fn each_leaf(
    tree: &UseTree,
    outer: &[String],
    visit: &mut impl FnMut(Vec<String>, bool, bool, Option<String>),
) {
    match tree {
        UseTree::Path {
            segments, alias, ..
        } => {
            let is_self = segments.len() == 1 && segments[0] == "self" && !outer.is_empty();
            let mut written = outer.to_vec();
            if !is_self {
                written.extend(segments.iter().cloned());
            }
            visit(written, is_self, false, alias.clone());
        }
        UseTree::Glob { segments, .. } => {
            let mut written = outer.to_vec();
            written.extend(segments.iter().cloned());
            visit(written, false, true, None);
        }
        UseTree::List {
            segments, items, ..
        } => {
            let mut inner = outer.to_vec();
            inner.extend(segments.iter().cloned());
            for item in items {
                each_leaf(&item.tree, &inner, visit);
            }
        }
        UseTree::Other { .. } => {}
    }
}

/// Plans the edits of one `use` declaration.
pub(super) struct UsePlanner<'p, 'a> {
    pub(super) rust: &'p Rust<'a>,
    pub(super) text: &'p str,
    pub(super) sites: &'p (Key, Key),
    /// Paths that leave the declaration for declarations of their own.
    pub(super) split: Vec<String>,
    pub(super) failures: Vec<String>,
    /// `(span, text, delete)`.
    pub(super) replacements: Vec<(Span, String, bool)>,
}

impl UsePlanner<'_, '_> {
    /// The leaves below `tree`, written below `outer`.
    pub(super) fn leaves(&mut self, tree: &UseTree, outer: &[String], out: &mut Vec<Leaf>) {
        each_leaf(tree, outer, &mut |written, is_self, glob, alias| {
            out.push(self.leaf(written, is_self, glob, alias));
        });
    }

    pub(super) fn leaf(
        &mut self,
        written: Vec<String>,
        is_self: bool,
        glob: bool,
        alias: Option<String>,
    ) -> Leaf {
        let new = match self.rust.respell(self.sites, &written) {
            None => None,
            Some(Ok(new)) => Some(new),
            Some(Err(why)) => {
                self.failures.push(format!(
                    "`{}` names a module squarely cannot move: {why}",
                    written.join("::")
                ));
                None
            }
        };
        Leaf {
            written,
            new,
            is_self,
            glob,
            alias,
        }
    }

    /// Plans `tree`, written below `outer`; returns whether all of it leaves the declaration.
    pub(super) fn plan(&mut self, tree: &UseTree, outer: &[String]) -> bool {
        let mut leaves = Vec::new();
        self.leaves(tree, outer, &mut leaves);
        if leaves.iter().all(|leaf| leaf.new.is_none()) {
            return false;
        }
        match tree {
            UseTree::List {
                segments,
                span,
                items,
                ..
            } => {
                if let Some(span) = span
                    && let Some(prefix) =
                        shared_prefix(&leaves, outer.len(), outer.len() + segments.len())
                {
                    self.replacements.push((*span, prefix.join("::"), false));
                    return false;
                }
                let mut inner = outer.to_vec();
                inner.extend(segments.iter().cloned());
                let keep: Vec<bool> = items
                    .iter()
                    .map(|item| !self.plan(&item.tree, &inner))
                    .collect();
                if keep.iter().all(|k| !k) {
                    return true;
                }
                if keep.iter().any(|k| !k) {
                    let spans: Vec<(Span, Option<Span>)> =
                        items.iter().map(|i| (i.tree.item(), i.comma)).collect();
                    for removal in list_removals(self.text, &spans, &keep) {
                        self.replacements.push((removal, String::new(), true));
                    }
                }
                false
            }
            UseTree::Path { span, item, .. }
            | UseTree::Glob {
                span: Some(span),
                item,
                ..
            } => {
                let leaf = &leaves[0];
                let Some(new) = &leaf.new else {
                    return false;
                };
                let in_place = !leaf.is_self && new.len() > outer.len() && new.starts_with(outer);
                if !in_place {
                    self.split.push(leaf.render());
                    return true;
                }
                let path = new[outer.len()..].join("::");
                match (leaf.needed_alias(), &leaf.alias, leaf.glob) {
                    (Some(alias), None, false) => {
                        self.replacements
                            .push((*item, format!("{path} as {alias}"), false));
                    }
                    _ => self.replacements.push((*span, path, false)),
                }
                false
            }
            UseTree::Glob { span: None, .. } => {
                self.split.push(leaves[0].render());
                true
            }
            UseTree::Other { .. } => false,
        }
    }
}

/// The new prefix of a list whose prefix is written segments `outer_len..own_end`, when every
/// leaf below it moves with it (and `self` leaves keep their bindings).
pub(super) fn shared_prefix(
    leaves: &[Leaf],
    outer_len: usize,
    own_end: usize,
) -> Option<Vec<String>> {
    let mut shared: Option<Vec<String>> = None;
    for leaf in leaves {
        let new = leaf.new.as_ref().unwrap_or(&leaf.written);
        let suffix = leaf.written.get(own_end..)?;
        if new.len() < outer_len + suffix.len()
            || !new.ends_with(suffix)
            || new[..outer_len] != leaf.written[..outer_len]
        {
            return None;
        }
        let prefix = new[outer_len..new.len() - suffix.len()].to_vec();
        if prefix.is_empty() {
            return None;
        }
        if leaf.is_self && leaf.alias.is_none() && prefix.last() != leaf.written.last() {
            return None;
        }
        match &shared {
            Some(existing) if *existing != prefix => return None,
            Some(_) => {}
            None => shared = Some(prefix),
        }
    }
    shared
}
