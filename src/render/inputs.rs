//! What each page is made from, as one fingerprint per page, so a rebuild
//! into an existing output renders only the pages whose inputs changed.
//!
//! A page's fingerprint hashes the site-wide inputs (the zhiku binary, the
//! theme, `site.toml`, the search URLs, the set of pages, the decision trees)
//! with the source file and date of every item the page shows
//! ([`super::Renderer::dependencies`], the list the live server uses for its
//! partial rebuilds). Pages that list everything of a kind depend on every
//! item. The same fingerprint means the same bytes; anything not covered
//! falls back to rendering (no cache, another binary, a touched file).

use std::collections::HashMap;

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use super::{PageKey, Renderer};
use crate::content::Site;
use crate::diagnostics::SourceMap;
use crate::theme::Theme;

/// A SHA-256.
type Print = [u8; 32];

/// The fingerprint of every content item's source, by id.
pub struct ItemPrints {
    by_id: HashMap<String, Print>,
    /// The items under each `prefix/` together (dependency `prefix/*`, a
    /// chapter's entries).
    groups: HashMap<String, Print>,
    /// All of them together (dependency `*`).
    all: Print,
}

impl ItemPrints {
    /// Hashes each item's source text (as read for this build) and date.
    pub fn new(site: &Site, sources: &SourceMap) -> ItemPrints {
        let mut items: Vec<(&str, usize, Option<String>)> = Vec::new();
        items.extend(
            site.chapters
                .iter()
                .map(|c| (c.id.as_str(), c.body.file, None)),
        );
        items.extend(site.entries.iter().map(|e| {
            let date = site.changed(&e.id, e.front.updated.as_ref());
            (e.id.as_str(), e.body.file, date)
        }));
        items.extend(site.rejections.iter().map(|r| {
            let date = site.changed(&r.id, None);
            (r.id.as_str(), r.body.file, date)
        }));
        items.extend(site.provinces.iter().map(|p| {
            let date = site.changed(&p.id, None);
            (p.id.as_str(), p.file, date)
        }));
        items.extend(site.trees.iter().map(|t| {
            let date = site.changed(&t.id, None);
            (t.id.as_str(), t.file, date)
        }));
        let prints: Vec<(String, Print)> = items
            .par_iter()
            .map(|(id, file, date)| {
                let mut h = Sha256::new();
                h.update(sources.text(*file).as_bytes());
                h.update([0xff]);
                h.update(date.as_deref().unwrap_or("").as_bytes());
                (id.to_string(), h.finalize().into())
            })
            .collect();
        let mut all = Sha256::new();
        let mut groups: HashMap<String, Sha256> = HashMap::new();
        for (id, p) in &prints {
            all.update(id.as_bytes());
            all.update(p);
            if let Some((prefix, _)) = id.rsplit_once('/') {
                let g = groups.entry(format!("{prefix}/*")).or_default();
                g.update(id.as_bytes());
                g.update(p);
            }
        }
        ItemPrints {
            by_id: prints.into_iter().collect(),
            groups: groups
                .into_iter()
                .map(|(k, h)| (k, h.finalize().into()))
                .collect(),
            all: all.finalize().into(),
        }
    }

    /// The fingerprint a dependency stands for (see [`super::depends_on`]).
    fn get(&self, dep: &str) -> Option<&Print> {
        let id = super::dependency_id(dep);
        if id == "*" {
            return Some(&self.all);
        }
        if id.ends_with("/*") {
            return self.groups.get(id);
        }
        match id.strip_prefix("provinces/") {
            // Backlinks name their source by URL path (`provinces/x`).
            Some(rest) => self.by_id.get(&format!("province/{rest}")),
            None => self.by_id.get(id),
        }
    }
}

/// Fingerprints of the pages of one build.
pub struct PagePrints<'a> {
    items: &'a ItemPrints,
    /// What every page is made from.
    global: Print,
}

impl<'a> PagePrints<'a> {
    /// The site-wide inputs of `renderer`'s pages, with `items`.
    pub fn new(site: &Site, theme: &Theme, renderer: &Renderer<'_>, items: &'a ItemPrints) -> Self {
        let mut h = Sha256::new();
        // The binary holds the built-in theme and the code that renders:
        // another binary renders anew.
        h.update(env!("CARGO_PKG_VERSION").as_bytes());
        if let Some(meta) = std::env::current_exe().ok().and_then(|p| p.metadata().ok()) {
            h.update(meta.len().to_le_bytes());
            if let Ok(d) = meta
                .modified()
                .map(|t| t.duration_since(std::time::UNIX_EPOCH).unwrap_or_default())
            {
                h.update(d.as_nanos().to_le_bytes());
            }
        } else {
            // Without knowing the binary nothing can be reused.
            h.update(std::process::id().to_le_bytes());
            h.update(format!("{:?}", std::time::SystemTime::now()).as_bytes());
        }
        for (name, text) in &theme.templates {
            h.update(name.as_bytes());
            h.update([0]);
            h.update(text.as_bytes());
            h.update([0]);
        }
        for (name, bytes) in &theme.statics {
            h.update(name.as_bytes());
            h.update([0]);
            h.update(bytes);
        }
        h.update(serde_json::to_vec(&site.config).unwrap_or_default());
        h.update(renderer.settings_json().as_bytes());
        for key in renderer.pages() {
            h.update(renderer.path_of(&key).as_bytes());
            h.update([0]);
        }
        for t in &site.trees {
            h.update(items.get(&t.id).copied().unwrap_or_default());
        }
        PagePrints {
            items,
            global: h.finalize().into(),
        }
    }

    /// The fingerprint of one page (output path `path`), in hex.
    pub fn of(&self, renderer: &Renderer<'_>, key: &PageKey, path: &str) -> String {
        let mut deps = renderer.dependencies_of(key);
        deps.sort();
        deps.dedup();
        let mut h = Sha256::new();
        h.update(self.global);
        h.update(path.as_bytes());
        for dep in &deps {
            h.update([0]);
            h.update(dep.as_bytes());
            h.update([0]);
            h.update(self.items.get(dep).copied().unwrap_or_default());
        }
        h.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }
}
