//! The table of everything an internal link may point to.

use std::collections::{HashMap, HashSet};

use super::ids::{parse_ref, url_for};
use super::Site;

/// What kind of item an id names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetKind {
    /// A FAQ chapter.
    Chapter,
    /// A FAQ entry.
    Faq,
    /// A rejection reason.
    Rejection,
    /// A province.
    Province,
    /// A decision tree.
    Decision,
}

/// One linkable item.
#[derive(Debug, Clone)]
pub struct Target {
    /// Kind of item.
    pub kind: TargetKind,
    /// URL path.
    pub url: String,
    /// Title shown in link lists.
    pub title: String,
    /// Anchors that exist on its page (`None`: not checked).
    pub anchors: Option<HashSet<String>>,
}

/// Why a reference does not resolve.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum LinkError {
    /// Not of the `@kind/...` form.
    #[error("`{0}` is not an internal id (expected @faq/<chapter>/<slug>, @rejection/<slug>, @province/<pinyin> or @decision/<name>)")]
    Malformed(String),
    /// No item has that id.
    #[error("no content has the id `{0}`")]
    Unknown(String),
    /// The id belonged to an entry that has moved (`moved_from`).
    #[error("`{old}` has moved: link `{new}` instead")]
    Moved {
        /// The old id, as written.
        old: String,
        /// The entry's id now.
        new: String,
    },
    /// The page has no such anchor.
    #[error("`{id}` has no anchor `#{anchor}`")]
    UnknownAnchor {
        /// The id.
        id: String,
        /// The missing anchor.
        anchor: String,
    },
}

/// Every linkable id of a site.
#[derive(Debug, Default)]
pub struct LinkTable {
    targets: HashMap<String, Target>,
    /// Old id (without `@`) → id of the entry that moved from it.
    moved: HashMap<String, String>,
    /// See [`Site::unloaded`]: links to these are not errors of their own.
    unloaded: Vec<String>,
}

impl LinkTable {
    /// Collects the ids of every chapter, entry, rejection, province and tree.
    pub fn new(site: &Site) -> Self {
        let mut targets = HashMap::new();
        let mut add = |id: &str, kind, title: &str, anchors: Option<HashSet<String>>| {
            if let Some(url) = url_for(id) {
                targets.insert(
                    id.to_string(),
                    Target {
                        kind,
                        url,
                        title: title.to_string(),
                        anchors,
                    },
                );
            }
        };
        for c in &site.chapters {
            add(&c.id, TargetKind::Chapter, &c.front.title, None);
        }
        for e in &site.entries {
            add(
                &e.id,
                TargetKind::Faq,
                &e.front.title,
                Some(e.body.outline.anchors.iter().cloned().collect()),
            );
        }
        for r in &site.rejections {
            add(
                &r.id,
                TargetKind::Rejection,
                &r.front.title,
                Some(r.body.outline.anchors.iter().cloned().collect()),
            );
        }
        for p in &site.provinces {
            add(&p.id, TargetKind::Province, &p.data.name, None);
        }
        for t in &site.trees {
            let anchors = t
                .data
                .nodes
                .iter()
                .map(|n| n.id.get_ref().clone())
                .chain(t.data.outcomes.iter().map(|o| o.id.get_ref().clone()));
            add(
                &t.id,
                TargetKind::Decision,
                &t.data.title,
                Some(anchors.collect()),
            );
        }
        let mut moved = HashMap::new();
        for e in &site.entries {
            for old in &e.front.moved_from {
                let old = old.get_ref().trim_start_matches('@');
                if !targets.contains_key(old) {
                    moved.entry(old.to_string()).or_insert_with(|| e.id.clone());
                }
            }
        }
        LinkTable {
            targets,
            moved,
            unloaded: site.unloaded.clone(),
        }
    }

    /// The id an old, moved id now belongs to (both without `@`).
    pub fn moved_to(&self, old: &str) -> Option<&str> {
        self.moved.get(old).map(String::as_str)
    }

    /// True when `id` names an item whose file failed to load (see [`Site::unloaded`]).
    pub fn is_unloaded(&self, id: &str) -> bool {
        self.unloaded.iter().any(|u| match u.strip_suffix('/') {
            Some(prefix) => id == prefix || id.starts_with(u.as_str()),
            None => id == u,
        })
    }

    /// Looks an id up (without `@`).
    pub fn get(&self, id: &str) -> Option<&Target> {
        self.targets.get(id)
    }

    /// Resolves `@id#anchor` to a URL, checking the anchor where anchors are known.
    pub fn resolve(&self, reference: &str) -> Result<String, LinkError> {
        let r = parse_ref(reference).ok_or_else(|| LinkError::Malformed(reference.to_string()))?;
        let url = url_for(r.id).ok_or_else(|| LinkError::Malformed(reference.to_string()))?;
        let Some(target) = self.targets.get(r.id) else {
            // Its file failed to load and was reported already: one error, not two.
            if self.is_unloaded(r.id) {
                return Ok(url);
            }
            return Err(match self.moved.get(r.id) {
                Some(new) => LinkError::Moved {
                    old: format!("@{}", r.id),
                    new: match r.anchor {
                        Some(a) => format!("@{new}#{a}"),
                        None => format!("@{new}"),
                    },
                },
                None => LinkError::Unknown(format!("@{}", r.id)),
            });
        };
        match r.anchor {
            None => Ok(target.url.clone()),
            Some(a) => {
                if let Some(known) = &target.anchors {
                    if !known.contains(a) {
                        return Err(LinkError::UnknownAnchor {
                            id: format!("@{}", r.id),
                            anchor: a.to_string(),
                        });
                    }
                }
                Ok(format!("{}#{}", target.url, a))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unloaded_items_and_folders_resolve_without_a_second_error() {
        let table = LinkTable {
            targets: HashMap::new(),
            moved: HashMap::new(),
            unloaded: vec!["faq/basics/broken".into(), "faq/process/".into()],
        };
        assert!(table.resolve("@faq/basics/broken#any").is_ok());
        assert!(table.resolve("@faq/process").is_ok());
        assert!(table.resolve("@faq/process/review-duration").is_ok());
        assert_eq!(
            table.resolve("@faq/processing/x"),
            Err(LinkError::Unknown("@faq/processing/x".into()))
        );
        assert!(table.resolve("@faq/basics/other").is_err());
    }
}
