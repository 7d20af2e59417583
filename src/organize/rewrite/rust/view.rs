//! Module paths: resolving a `use` path to the module or item it names, and writing a module
//! path again from another module in a given style.

use std::collections::HashMap;

use super::crates::Crate;

/// A module: its crate (named by the crate root file) and its path from the crate root.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(super) struct Key {
    /// The crate root file.
    pub(super) root: String,
    /// Module names from the crate root (then item names, for a path to an item).
    pub(super) path: Vec<String>,
}

impl Key {
    /// The crate root module.
    pub(super) fn root(root: &str) -> Key {
        Key {
            root: root.to_owned(),
            path: Vec::new(),
        }
    }

    /// This path followed by `more`.
    pub(super) fn extended(&self, more: &[String]) -> Key {
        let mut path = self.path.clone();
        path.extend(more.iter().cloned());
        Key {
            root: self.root.clone(),
            path,
        }
    }

    /// The enclosing module (`None` for a crate root).
    pub(super) fn parent(&self) -> Option<Key> {
        let (_, path) = self.path.split_last()?;
        Some(Key {
            root: self.root.clone(),
            path: path.to_vec(),
        })
    }
}

/// How a path is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Style {
    /// `crate::...`
    Crate,
    /// `mylib::...` from another crate of the package.
    Named,
    /// `self::...`
    SelfRelative,
    /// `super::...`, that many times.
    Super(usize),
    /// `child::...`, a child module of the current one.
    Plain,
}

/// The module trees before or after the moves.
#[derive(Debug, Default, Clone)]
pub(super) struct View {
    /// Module -> file.
    pub(super) modules: HashMap<Key, String>,
    /// Crate root -> crate.
    pub(super) crates: HashMap<String, Crate>,
    /// Package -> library root.
    pub(super) libs: HashMap<String, String>,
}

impl View {
    /// Records a crate and its root module.
    pub(super) fn add_crate(&mut self, root: &str, info: Crate) {
        if info.lib {
            self.libs.insert(info.package.clone(), root.to_owned());
        }
        self.crates.insert(root.to_owned(), info);
        self.modules.insert(Key::root(root), root.to_owned());
    }

    /// The module or item `segments` names from module `site`, and how it is written.
    pub(super) fn absolute(&self, site: &Key, segments: &[String]) -> Option<(Style, Key)> {
        let first = segments.first()?;
        match first.as_str() {
            "crate" => Some((
                Style::Crate,
                Key {
                    root: site.root.clone(),
                    path: segments[1..].to_vec(),
                },
            )),
            "self" => Some((Style::SelfRelative, site.extended(&segments[1..]))),
            "super" => {
                let count = segments.iter().take_while(|s| *s == "super").count();
                let keep = site.path.len().checked_sub(count)?;
                let base = Key {
                    root: site.root.clone(),
                    path: site.path[..keep].to_vec(),
                };
                Some((Style::Super(count), base.extended(&segments[count..])))
            }
            name => {
                let info = self.crates.get(&site.root)?;
                if !info.lib && info.lib_name.as_deref() == Some(name) {
                    let lib = self.libs.get(&info.package)?;
                    return Some((
                        Style::Named,
                        Key {
                            root: lib.clone(),
                            path: segments[1..].to_vec(),
                        },
                    ));
                }
                let child = site.extended(&segments[..1]);
                self.modules
                    .contains_key(&child)
                    .then(|| (Style::Plain, site.extended(segments)))
            }
        }
    }

    /// The deepest module file on `key`'s path, and the rest of the path below it.
    pub(super) fn split(&self, key: &Key) -> (Key, Vec<String>) {
        for length in (0..=key.path.len()).rev() {
            let module = Key {
                root: key.root.clone(),
                path: key.path[..length].to_vec(),
            };
            if self.modules.contains_key(&module) {
                return (module, key.path[length..].to_vec());
            }
        }
        (Key::root(&key.root), key.path.clone())
    }

    /// `target` written from module `site` in `style`; `None` when it cannot be reached.
    pub(super) fn spell(&self, site: &Key, target: &Key, style: Style) -> Option<Vec<String>> {
        if target.root != site.root {
            let info = self.crates.get(&site.root)?;
            let name = info.lib_name.clone()?;
            if self.libs.get(&info.package) != Some(&target.root) || info.lib {
                return None;
            }
            let mut path = vec![name];
            path.extend(target.path.iter().cloned());
            return Some(path);
        }
        let mut absolute = vec!["crate".to_owned()];
        absolute.extend(target.path.iter().cloned());
        match style {
            Style::Crate | Style::Named => Some(absolute),
            Style::SelfRelative | Style::Super(_) => {
                // `super::` may stay relative with as many `super`s as before (one at least);
                // `self::` only while it needs none.
                let limit = if let Style::Super(count) = style {
                    count.max(1)
                } else {
                    0
                };
                let common = site
                    .path
                    .iter()
                    .zip(&target.path)
                    .take_while(|(a, b)| a == b)
                    .count();
                let ups = site.path.len() - common;
                if ups > limit || (ups == 0 && common == target.path.len()) {
                    return Some(absolute);
                }
                let mut path = if ups == 0 {
                    vec!["self".to_owned()]
                } else {
                    vec!["super".to_owned(); ups]
                };
                path.extend(target.path[common..].iter().cloned());
                Some(path)
            }
            Style::Plain => {
                if target.path.len() > site.path.len() && target.path.starts_with(&site.path) {
                    Some(target.path[site.path.len()..].to_vec())
                } else {
                    Some(absolute)
                }
            }
        }
    }
}
