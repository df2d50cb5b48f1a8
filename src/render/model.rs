//! Derived data for templates: navigation, resolved links, backlinks and the
//! per-page contexts.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use serde_json::json;

use super::inline_json::script_json;
use tera::Context;

use super::markdown::{self, Rendered};
use super::{seo, PageKey, RenderError};
use crate::content::links::LinkTable;
use crate::content::{Body, Entry, Rejection, Site, Stage};
use crate::theme::Strings;

/// A link as templates show it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct LinkView {
    /// Text.
    pub title: String,
    /// URL path.
    pub url: String,
    /// Small label (kind or section).
    pub note: String,
}

/// Where the search runtime lives (filled by the build once the index exists).
#[derive(Debug, Clone, Default, Serialize)]
pub struct SearchAssets {
    /// URL of the JS loader; empty when search is not built.
    pub loader: String,
    /// URL of the index manifest.
    pub manifest: String,
}

#[derive(Serialize)]
struct NavChapter {
    title: String,
    url: String,
    summary: String,
    count: usize,
    section: String,
}

/// Which optional modules a site has: each exists when its content does.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Modules {
    /// `content/rejections/`: the rejection index and pages.
    pub rejections: bool,
    /// `content/provinces/`: province pages, the comparison matrix and the two checkers.
    pub provinces: bool,
    /// `content/decision/`: decision trees.
    pub decision: bool,
    /// The tools page (decision trees or checkers).
    pub tools: bool,
}

impl Modules {
    /// The modules `site` has content for.
    pub fn of(site: &Site) -> Modules {
        let rejections = !site.rejections.is_empty();
        let provinces = !site.provinces.is_empty();
        let decision = !site.trees.is_empty();
        Modules {
            rejections,
            provinces,
            decision,
            tools: provinces || decision,
        }
    }
}

pub(super) struct Model<'s> {
    pub site: &'s Site,
    /// Interface strings (theme table with the site's overrides).
    pub strings: Strings,
    /// The strings scripts read (`static/strings.js`), as JSON.
    pub js_strings: String,
    /// Optional modules present.
    pub modules: Modules,
    pub links: LinkTable,
    pub nav: Vec<NavChapterRef>,
    pub tools: Vec<LinkView>,
    pub search: SearchAssets,
    /// Who links to each id, in link order.
    backlinks: HashMap<&'s str, Vec<Backlink>>,
    /// Position of each entry in `site.entries`, by id: pages look entries up
    /// by id, and a linear scan per page made large builds quadratic.
    entry_index: HashMap<&'s str, usize>,
    /// The same for `site.rejections`.
    rejection_index: HashMap<&'s str, usize>,
    /// Positions of each chapter's entries in `site.entries`, in order, by chapter slug.
    chapter_entries: HashMap<&'s str, Vec<usize>>,
    /// Some answer has a date, so the site has `/feed.xml`.
    pub has_feed: bool,
    /// Some entry or rejection names a source section (`§7.7`).
    pub has_sections: bool,
}

pub(super) type NavChapterRef = serde_json::Value;

/// An item that links to another: its position in `site.rejections`,
/// `site.entries` or `site.trees`. Its [`LinkView`] is made when a page
/// shows it: a view per link, held for the whole build, took a fifth of a
/// large build's memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Backlink {
    Rejection(usize),
    Entry(usize),
    Tree(usize),
}

/// Dependency id of a province reference (`beijing` or `@province/beijing`).
/// The dependency on every entry of a chapter: `faq/<chapter>/*`
/// (see [`depends_on`]).
fn chapter_entries_dep(chapter: &str) -> String {
    format!("faq/{chapter}/*")
}

/// Whether a page that lists `dep` among its dependencies shows the item
/// `id`: the same id (an anchor or `@` aside), `*` (every item), or a
/// `prefix/*` group the id is in.
pub fn depends_on(dep: &str, id: &str) -> bool {
    let dep = dependency_id(dep);
    match dep.strip_suffix('*') {
        Some(prefix) => id.starts_with(prefix),
        None => dep == id,
    }
}

/// A dependency as an id: without `@` and anchor (`@faq/a/b#step` → `faq/a/b`).
pub fn dependency_id(dep: &str) -> &str {
    let dep = dep.trim_start_matches('@');
    dep.split('#').next().unwrap_or(dep)
}

fn province_dep(reference: &str) -> String {
    format!(
        "province/{}",
        reference
            .trim_start_matches("@province/")
            .trim_start_matches('@')
    )
}

fn province_name(site: &Site, id: &str) -> Option<LinkView> {
    let id = id.trim_start_matches("@province/");
    site.provinces
        .iter()
        .find(|p| p.data.id == id)
        .map(|p| LinkView {
            title: p.data.name.clone(),
            url: format!("/provinces/{id}/"),
            note: p.data.short_name.clone(),
        })
}

impl<'s> Model<'s> {
    pub fn new(site: &'s Site, links: LinkTable, search: SearchAssets, strings: Strings) -> Self {
        let t = |key: &str| strings.get(key).cloned().unwrap_or_else(|| key.to_string());
        let modules = Modules::of(site);
        let entry_index: HashMap<&str, usize> = site
            .entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.id.as_str(), i))
            .collect();
        let mut chapter_entries: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, e) in site.entries.iter().enumerate() {
            chapter_entries
                .entry(e.chapter.as_str())
                .or_default()
                .push(i);
        }
        let nav = site
            .chapters
            .iter()
            .map(|c| {
                let count = chapter_entries.get(c.slug.as_str()).map_or(0, Vec::len);
                json!(NavChapter {
                    title: c.front.title.clone(),
                    url: format!("/faq/{}/", c.slug),
                    summary: c.front.summary.clone(),
                    count,
                    section: c
                        .front
                        .section
                        .as_ref()
                        .map(|s| s.get_ref().clone())
                        .unwrap_or_default(),
                })
            })
            .collect();
        let mut tools: Vec<LinkView> = site
            .trees
            .iter()
            .map(|tree| LinkView {
                title: tree.data.title.clone(),
                url: format!("/decision/{}/", tree.slug),
                note: t("note_decision"),
            })
            .collect();
        let tool = |title: &str, url: &str, note: &str| LinkView {
            title: t(title),
            url: url.into(),
            note: t(note),
        };
        if modules.provinces {
            tools.push(tool(
                "tool_name_check",
                "/tools/name-check/",
                "tool_name_check_note",
            ));
            tools.push(tool(
                "tool_preapproval",
                "/tools/preapproval/",
                "tool_preapproval_note",
            ));
            tools.push(tool(
                "tool_compare",
                "/provinces/compare/",
                "tool_compare_note",
            ));
        }
        if modules.rejections {
            tools.push(tool(
                "tool_rejections",
                "/rejections/",
                "tool_rejections_note",
            ));
        }

        // Backlinks: who points at each id, via fixes, related, see or body links.
        let mut backlinks: HashMap<&'s str, Vec<Backlink>> = HashMap::new();
        let mut add = |target: &'s str, from: Backlink| {
            let list = backlinks.entry(dependency_id(target)).or_default();
            // Each item has its own URL, so the same item means the same view.
            if !list.contains(&from) {
                list.push(from);
            }
        };
        for (i, r) in site.rejections.iter().enumerate() {
            let from = Backlink::Rejection(i);
            for f in r.front.fixes.iter().chain(&r.front.related) {
                add(f.get_ref(), from);
            }
            for l in &r.body.outline.links {
                if l.dest.starts_with('@') {
                    add(&l.dest, from);
                }
            }
        }
        for (i, e) in site.entries.iter().enumerate() {
            let from = Backlink::Entry(i);
            for f in &e.front.related {
                add(f.get_ref(), from);
            }
            for l in &e.body.outline.links {
                if l.dest.starts_with('@') {
                    add(&l.dest, from);
                }
            }
        }
        for (i, tree) in site.trees.iter().enumerate() {
            let from = Backlink::Tree(i);
            for o in &tree.data.outcomes {
                for s in &o.see {
                    add(s.get_ref(), from);
                }
            }
        }
        let js_strings = script_json(&json!(strings
            .iter()
            .filter(|(k, _)| k.starts_with("js_")
                || k.starts_with("kind_")
                || *k == "search_prompt")
            .collect::<BTreeMap<_, _>>()));
        Model {
            site,
            strings,
            js_strings,
            modules,
            links,
            nav,
            tools,
            search,
            backlinks,
            entry_index,
            rejection_index: site
                .rejections
                .iter()
                .enumerate()
                .map(|(i, r)| (r.id.as_str(), i))
                .collect(),
            chapter_entries,
            has_feed: site
                .entries
                .iter()
                .any(|e| site.changed(&e.id, e.front.updated.as_ref()).is_some())
                || site
                    .rejections
                    .iter()
                    .any(|r| site.changed(&r.id, r.front.updated.as_ref()).is_some()),
            has_sections: site.entries.iter().any(|e| e.front.section.is_some())
                || site.rejections.iter().any(|r| r.front.section.is_some()),
        }
    }

    /// How a page shows the item that links to it.
    fn backlink_view(&self, from: Backlink) -> LinkView {
        let site = self.site;
        match from {
            Backlink::Rejection(i) => {
                let r = &site.rejections[i];
                LinkView {
                    title: r.front.title.clone(),
                    url: format!("/rejections/{}/", r.slug),
                    note: self.t(r.front.stage.label_key()),
                }
            }
            Backlink::Entry(i) => {
                let e = &site.entries[i];
                LinkView {
                    title: e.front.title.clone(),
                    url: format!("/faq/{}/{}/", e.chapter, e.slug),
                    note: e
                        .front
                        .section()
                        .map(|s| {
                            super::fill(&self.t("source_section"), [("section", s.to_string())])
                        })
                        .unwrap_or_default(),
                }
            }
            Backlink::Tree(i) => {
                let tree = &site.trees[i];
                LinkView {
                    title: tree.data.title.clone(),
                    url: format!("/decision/{}/", tree.slug),
                    note: self.t("note_decision"),
                }
            }
        }
    }

    /// The id of the item that links to a page (a dependency of that page).
    fn backlink_id(&self, from: Backlink) -> &'s str {
        let site = self.site;
        match from {
            Backlink::Rejection(i) => &site.rejections[i].id,
            Backlink::Entry(i) => &site.entries[i].id,
            Backlink::Tree(i) => &site.trees[i].id,
        }
    }

    /// The items that link to `id`, in link order.
    fn backlinks(&self, id: &str) -> Vec<LinkView> {
        self.backlinks
            .get(id)
            .into_iter()
            .flatten()
            .map(|&b| self.backlink_view(b))
            .collect()
    }

    /// The interface string `key` (the key itself if the theme lacks it;
    /// `zhiku check` compares every table with the built-in one).
    pub fn t(&self, key: &str) -> String {
        self.strings
            .get(key)
            .cloned()
            .unwrap_or_else(|| key.to_string())
    }

    /// `t(key)` with `{name}` placeholders filled in.
    pub fn tf(&self, key: &str, vars: &[(&str, &dyn std::fmt::Display)]) -> String {
        super::fill(&self.t(key), vars.iter().map(|(k, v)| (*k, v.to_string())))
    }

    /// The rejection a [`PageKey::Rejection`] shows.
    fn rejection(&self, key: &PageKey) -> Option<&'s Rejection> {
        let PageKey::Rejection(id) = key else {
            return None;
        };
        let i = *self.rejection_index.get(id.as_str())?;
        Some(&self.site.rejections[i])
    }

    /// The entry with this id.
    pub(super) fn entry(&self, id: &str) -> Option<(usize, &'s Entry)> {
        let i = *self.entry_index.get(id)?;
        Some((i, &self.site.entries[i]))
    }

    /// The entries of a chapter, in order.
    fn chapter_entries(&self, slug: &str) -> impl Iterator<Item = &'s Entry> + '_ {
        let site = self.site;
        self.chapter_entries
            .get(slug)
            .into_iter()
            .flatten()
            .map(move |&i| &site.entries[i])
    }

    fn resolve(&self) -> impl Fn(&str) -> Option<String> + '_ {
        |r: &str| self.links.resolve(r).ok()
    }

    pub fn md(&self, text: &str) -> Rendered {
        let mut rendered =
            markdown::render(text, &self.resolve(), self.site.config.markdown.raw_html);
        if let Some(p) = self.provider() {
            let label = self.tf("scope_provider", &[("provider", &p)]);
            rendered.html = crate::content::scope::label_callouts(&rendered.html, p, &label);
            rendered.text = crate::content::scope::label_callouts_text(
                &rendered.text,
                p,
                &label,
                &self.t("scope_label_separator"),
            );
        }
        rendered
    }

    /// The provider named in `site.toml`, if any.
    fn provider(&self) -> Option<&str> {
        self.site
            .config
            .provider
            .as_deref()
            .filter(|p| !p.is_empty())
    }

    /// The scope key and the label readers see, for a page's context.
    fn scope_view(
        &self,
        scope: Option<&toml::Spanned<crate::content::Scope>>,
    ) -> serde_json::Value {
        match scope {
            Some(s) => {
                let key = s.get_ref().label_key(self.provider().is_some());
                let label = self.tf(key, &[("provider", &self.provider().unwrap_or_default())]);
                json!({"key": s.get_ref().key(), "label": label})
            }
            None => serde_json::Value::Null,
        }
    }

    /// A body rendered, read from its file again.
    pub(super) fn body(&self, b: &Body) -> Result<Rendered, RenderError> {
        Ok(self.md(&self.site.body_text(b)?))
    }

    fn link(&self, reference: &str) -> Option<LinkView> {
        let id = dependency_id(reference);
        let t = self.links.get(id)?;
        let note = match t.kind {
            crate::content::links::TargetKind::Faq => self
                .entry(id)
                .and_then(|(_, e)| {
                    e.front
                        .section()
                        .map(|s| self.tf("source_section", &[("section", &s)]))
                })
                .unwrap_or_default(),
            crate::content::links::TargetKind::Rejection => self.t("note_rejection"),
            crate::content::links::TargetKind::Province => self.t("note_province"),
            crate::content::links::TargetKind::Decision => self.t("note_decision"),
            crate::content::links::TargetKind::Chapter => self.t("note_chapter"),
        };
        Some(LinkView {
            title: t.title.clone(),
            url: self.links.resolve(reference).ok()?,
            note,
        })
    }

    pub fn url_of(&self, key: &PageKey) -> String {
        let tail = |id: &str, prefix: &str| id.trim_start_matches(prefix).to_string();
        match key {
            PageKey::Home => "/".into(),
            PageKey::Chapter(id) => format!("/{id}/"),
            PageKey::Entry(id) => format!("/{id}/"),
            PageKey::Rejections => "/rejections/".into(),
            PageKey::Rejection(id) => format!("/rejections/{}/", tail(id, "rejection/")),
            PageKey::Provinces => "/provinces/".into(),
            PageKey::Province(id) => format!("/provinces/{}/", tail(id, "province/")),
            PageKey::Compare => "/provinces/compare/".into(),
            PageKey::Decision(id) => format!("/{id}/"),
            PageKey::Tools => "/tools/".into(),
            PageKey::NameCheck => "/tools/name-check/".into(),
            PageKey::Preapproval => "/tools/preapproval/".into(),
            PageKey::Search => "/search/".into(),
            PageKey::NotFound => "/404.html".into(),
        }
    }

    pub fn dependencies(&self, key: &PageKey) -> Vec<String> {
        match key {
            PageKey::Entry(id)
            | PageKey::Rejection(id)
            | PageKey::Province(id)
            | PageKey::Decision(id)
            | PageKey::Chapter(id) => {
                let mut deps = vec![id.clone()];
                // Only the list of the page's own kind is searched: a scan of
                // every list per page made large builds quadratic.
                let entry = matches!(key, PageKey::Entry(_))
                    .then(|| self.entry(id))
                    .flatten();
                if let Some((_, e)) = entry {
                    deps.push(format!("faq/{}", e.chapter));
                    deps.extend(
                        e.front
                            .related
                            .iter()
                            .map(|r| r.get_ref().trim_start_matches('@').to_string()),
                    );
                    // Every entry of the chapter (the page lists its neighbours).
                    deps.push(chapter_entries_dep(&e.chapter));
                    // Province names are shown next to the answer.
                    deps.extend(e.front.provinces.iter().map(|p| province_dep(p.get_ref())));
                }
                let chapter = matches!(key, PageKey::Chapter(_))
                    .then(|| self.site.chapters.iter().find(|c| &c.id == id))
                    .flatten();
                if let Some(c) = chapter {
                    deps.push(chapter_entries_dep(&c.slug));
                }
                if let Some(r) = self.rejection(key) {
                    deps.extend(
                        r.front
                            .fixes
                            .iter()
                            .chain(&r.front.related)
                            .map(|r| r.get_ref().trim_start_matches('@').to_string()),
                    );
                    deps.extend(r.front.provinces.iter().map(|p| province_dep(p.get_ref())));
                }
                let tree = matches!(key, PageKey::Decision(_))
                    .then(|| self.site.trees.iter().find(|t| &t.id == id))
                    .flatten();
                if let Some(t) = tree {
                    // Outcomes link to entries by their titles.
                    deps.extend(t.data.outcomes.iter().flat_map(|o| {
                        o.see
                            .iter()
                            .map(|s| s.get_ref().trim_start_matches('@').to_string())
                    }));
                }
                let province = matches!(key, PageKey::Province(_))
                    .then(|| self.site.provinces.iter().find(|p| &p.id == id))
                    .flatten();
                if let Some(p) = province {
                    // Requirements link to entries by their titles.
                    deps.extend(p.data.rules.requirements.iter().filter_map(|r| {
                        r.see
                            .as_deref()
                            .map(|s| s.trim_start_matches('@').to_string())
                    }));
                }
                deps.extend(
                    self.backlinks
                        .get(id.as_str())
                        .into_iter()
                        .flatten()
                        .map(|&b| self.backlink_id(b).to_string()),
                );
                deps
            }
            // Index pages list everything of their kind; any change may touch them.
            _ => vec!["*".into()],
        }
    }

    /// The template and context of a page; fails only when a body cannot
    /// be read again.
    pub fn context(&self, key: &PageKey) -> Result<(&'static str, Context), RenderError> {
        let mut ctx = Context::new();
        let site = self.site;
        match key {
            PageKey::Home => {
                let mut stages = Vec::new();
                for stage in Stage::ALL {
                    let n = site
                        .rejections
                        .iter()
                        .filter(|r| r.front.stage == stage)
                        .count();
                    stages.push(
                        json!({"label": self.t(stage.label_key()), "key": stage.key(), "count": n}),
                    );
                }
                // One part per module the site has.
                let mut stats = vec![self.tf("stats_entries", &[("n", &site.entries.len())])];
                if self.modules.provinces {
                    stats.push(self.tf("stats_provinces", &[("n", &site.provinces.len())]));
                }
                if self.modules.rejections {
                    let n = stages.iter().filter(|s| s["count"] != 0).count();
                    stats.push(self.tf("stats_stages", &[("n", &n)]));
                }
                ctx.insert("title", &site.config.title);
                ctx.insert("description", &site.config.description);
                ctx.insert("stages", &stages);
                ctx.insert("stats", &stats.join(&self.t("stats_separator")));
                Ok(("home.html", ctx))
            }
            PageKey::Chapter(id) => {
                let c = site
                    .chapters
                    .iter()
                    .find(|c| &c.id == id)
                    .expect("page keys come from the site");
                let entries: Vec<_> = self
                    .chapter_entries(&c.slug)
                    .map(|e| json!({"title": e.front.title, "url": format!("/{}/", e.id), "section": e.front.section(), "aliases": e.front.aliases}))
                    .collect();
                ctx.insert("title", &c.front.title);
                ctx.insert("description", &c.front.summary);
                ctx.insert("chapter", &json!({"title": c.front.title, "summary": c.front.summary, "section": c.front.section.as_ref().map(|s| s.get_ref())}));
                ctx.insert("intro", &self.body(&c.body)?.html);
                // Sub-sections: each group's entries (the list is already in group order).
                let groups: Vec<_> = c
                    .front
                    .groups
                    .iter()
                    .enumerate()
                    .map(|(i, g)| {
                        let mine: Vec<&str> =
                            g.entries.iter().map(|s| s.get_ref().as_str()).collect();
                        let items: Vec<_> = entries
                            .iter()
                            .filter(|e| {
                                e["url"].as_str().is_some_and(|u| {
                                    mine.iter().any(|m| u.ends_with(&format!("/{m}/")))
                                })
                            })
                            .collect();
                        json!({"title": g.title, "key": format!("g{}", i + 1), "entries": items})
                    })
                    .collect();
                ctx.insert("groups", &groups);
                ctx.insert("entries", &entries);
                Ok(("chapter.html", ctx))
            }
            PageKey::Entry(id) => {
                let (idx, e) = self.entry(id).expect("page keys come from the site");
                self.entry_context(&mut ctx, idx, e)?;
                Ok(("entry.html", ctx))
            }
            PageKey::Rejections => {
                let mut groups = Vec::new();
                for stage in Stage::ALL {
                    let items: Vec<_> = site
                        .rejections
                        .iter()
                        .filter(|r| r.front.stage == stage)
                        .map(|r| json!({"title": r.front.title, "url": format!("/rejections/{}/", r.slug), "reason": r.front.reason, "section": r.front.section(), "group": r.front.group}))
                        .collect();
                    groups.push(json!({"label": self.t(stage.label_key()), "key": stage.key(), "items": items}));
                }
                ctx.insert("title", &self.t("rejections_title"));
                ctx.insert("description", &self.t("rejections_description"));
                ctx.insert("groups", &groups);
                Ok(("rejections.html", ctx))
            }
            PageKey::Rejection(id) => {
                let r = self.rejection(key).expect("page keys come from the site");
                let body = self.body(&r.body)?;
                ctx.insert("title", &r.front.title);
                ctx.insert("description", &r.front.reason);
                ctx.insert("rejection", &json!({
                    "title": r.front.title, "reason": r.front.reason, "section": r.front.section(),
                    "stage": self.t(r.front.stage.label_key()), "stage_key": r.front.stage.key(), "group": r.front.group, "aliases": r.front.aliases,
                }));
                ctx.insert("body", &body.html);
                ctx.insert("toc", &body.toc);
                ctx.insert("scope", &self.scope_view(r.front.scope.as_ref()));
                ctx.insert(
                    "fixes",
                    &r.front
                        .fixes
                        .iter()
                        .filter_map(|f| self.link(f.get_ref()))
                        .collect::<Vec<_>>(),
                );
                ctx.insert(
                    "related",
                    &r.front
                        .related
                        .iter()
                        .filter_map(|f| self.link(f.get_ref()))
                        .collect::<Vec<_>>(),
                );
                ctx.insert(
                    "provinces",
                    &r.front
                        .provinces
                        .iter()
                        .filter_map(|p| province_name(site, p.get_ref()))
                        .collect::<Vec<_>>(),
                );
                ctx.insert("backlinks", &self.backlinks(id));
                Ok(("rejection.html", ctx))
            }
            PageKey::Provinces => {
                let mut regions: BTreeMap<String, Vec<serde_json::Value>> = BTreeMap::new();
                for p in &site.provinces {
                    let region = p
                        .data
                        .region
                        .clone()
                        .unwrap_or_else(|| self.t("provinces_other_region"));
                    regions.entry(region).or_default().push(json!({
                        "name": p.data.name, "short_name": p.data.short_name, "url": format!("/provinces/{}/", p.data.id),
                        "silent": p.data.source_is_silent(), "words": p.data.forbidden_name_words.len(), "preapproval": p.data.preapproval.len(),
                    }));
                }
                ctx.insert("title", &self.t("provinces_title"));
                ctx.insert(
                    "description",
                    &self.tf("provinces_description", &[("n", &site.provinces.len())]),
                );
                // As the writer ordered them; the catch-all region last.
                let other = self.t("provinces_other_region");
                let order = &site.config.region_order;
                let mut regions: Vec<(String, Vec<serde_json::Value>)> =
                    regions.into_iter().collect();
                regions.sort_by_key(|(name, _)| {
                    (
                        name == &other,
                        order.iter().position(|r| r == name).unwrap_or(usize::MAX),
                        name.clone(),
                    )
                });
                let regions: Vec<_> = regions
                    .into_iter()
                    .map(|(name, list)| json!({"name": name, "provinces": list}))
                    .collect();
                ctx.insert("regions", &regions);
                Ok(("provinces.html", ctx))
            }
            PageKey::Province(id) => {
                let p = site
                    .provinces
                    .iter()
                    .find(|p| &p.id == id)
                    .expect("page keys come from the site");
                let mut categories: Vec<(String, Vec<&search_index::province::PreApproval>)> =
                    Vec::new();
                for row in &p.data.preapproval {
                    match categories.iter_mut().find(|(c, _)| c == &row.category) {
                        Some((_, rows)) => rows.push(row),
                        None => categories.push((row.category.clone(), vec![row])),
                    }
                }
                let requirements: Vec<_> = p
                    .data
                    .rules
                    .requirements
                    .iter()
                    .map(|r| {
                        json!({
                            "name": r.name, "kind": r.kind, "since": r.since, "summary": r.summary,
                            "see": r.see.as_deref().and_then(|s| self.link(s)),
                        })
                    })
                    .collect();
                let notes: Vec<_> = p
                    .data
                    .rules
                    .notes
                    .iter()
                    .map(|n| json!({"html": markdown::render_inline(&n.text, &self.resolve(), self.site.config.markdown.raw_html), "section": n.section}))
                    .collect();
                let entries: Vec<LinkView> = self.backlinks(id);
                ctx.insert(
                    "title",
                    &self.tf(
                        "province_page_title",
                        &[("name", &p.data.name), ("short", &p.data.short_name)],
                    ),
                );
                ctx.insert(
                    "description",
                    &self.tf("province_page_description", &[("name", &p.data.name)]),
                );
                ctx.insert("province", &p.data);
                ctx.insert("silent", &p.data.source_is_silent());
                ctx.insert(
                    "categories",
                    &categories
                        .iter()
                        .map(|(c, rows)| json!({"category": c, "rows": rows}))
                        .collect::<Vec<_>>(),
                );
                ctx.insert("requirements", &requirements);
                ctx.insert("notes", &notes);
                ctx.insert("mentions", &entries);
                Ok(("province.html", ctx))
            }
            PageKey::Compare => {
                use search_index::province::{ChangeOrder, RequirementKind};
                let rows: Vec<_> = site.provinces.iter().map(|p| {
                    let r = &p.data.rules;
                    let mut cats: Vec<&str> = Vec::new();
                    for row in &p.data.preapproval {
                        if !cats.contains(&row.category.as_str()) {
                            cats.push(&row.category);
                        }
                    }
                    // Extra verification: on-site checks above a domain count, and dated
                    // authenticity procedures.
                    let mut verification: Vec<String> = Vec::new();
                    if r.domain_limit_verification == Some(true) {
                        verification.push(self.t("compare_verification_domains"));
                    }
                    let mut other: Vec<String> = Vec::new();
                    for q in &r.requirements {
                        let text = self.tf("compare_requirement", &[("name", &q.name), ("since", &q.since)]);
                        match q.kind {
                            RequirementKind::AuthenticityVerification => verification.push(text),
                            RequirementKind::CommitmentLetter => other.push(text),
                        }
                    }
                    if let Some(n) = r.individual_max_websites {
                        other.push(self.tf("compare_individual_max", &[("n", &n)]));
                    }
                    if let Some(n) = r.individual_domains_per_website {
                        other.push(self.tf("compare_individual_domains", &[("n", &n)]));
                    }
                    match r.change_and_new_site_order {
                        Some(ChangeOrder::ChangeFirst) => other.push(self.t("compare_change_first")),
                        Some(ChangeOrder::NewSiteFirst) => other.push(self.t("compare_new_site_first")),
                        None => {}
                    }
                    if r.copyright_notice_required == Some(true) {
                        other.push(self.t("compare_copyright"));
                    }
                    json!({
                        "id": p.data.id, "name": p.data.name, "short_name": p.data.short_name, "url": format!("/provinces/{}/", p.data.id),
                        "silent": p.data.source_is_silent(),
                        "words": p.data.forbidden_name_words, "categories": cats,
                        "domains_per_order": r.domains_per_order,
                        "display_number": r.display_number,
                        "verification": verification,
                        "requirements": other,
                    })
                }).collect();
                ctx.insert("title", &self.t("compare_title"));
                ctx.insert("description", &self.t("compare_description"));
                ctx.insert("rows", &rows);
                Ok(("compare.html", ctx))
            }
            PageKey::Decision(id) => {
                let t = site
                    .trees
                    .iter()
                    .find(|t| &t.id == id)
                    .expect("page keys come from the site");
                let nodes: Vec<_> = t.data.nodes.iter().map(|n| json!({
                    "id": n.id.get_ref(), "question": n.question,
                    "help": n.help.as_deref().map(|h| self.md(h).html).unwrap_or_default(),
                    "options": n.options.iter().map(|o| json!({
                        "label": o.label.get_ref(),
                        "target": o.next.as_ref().or(o.outcome.as_ref()).map(|s| s.get_ref().clone()).unwrap_or_default(),
                    })).collect::<Vec<_>>(),
                })).collect();
                let outcomes: Vec<_> = t.data.outcomes.iter().map(|o| json!({
                    "id": o.id.get_ref(), "verdict": o.verdict, "kind": o.kind,
                    "explanation": self.md(&o.explanation).html,
                    "see": o.see.iter().filter_map(|s| self.link(s.get_ref())).collect::<Vec<_>>(),
                })).collect();
                ctx.insert("title", &t.data.title);
                ctx.insert(
                    "description",
                    t.data.summary.as_deref().unwrap_or(&t.data.title),
                );
                ctx.insert("tree", &json!({"title": t.data.title, "summary": t.data.summary.as_deref().map(|s| self.md(s).html), "start": t.data.start.get_ref(), "slug": t.slug}));
                ctx.insert("nodes", &nodes);
                ctx.insert("outcomes", &outcomes);
                Ok(("decision.html", ctx))
            }
            PageKey::Tools => {
                ctx.insert("title", &self.t("tools_heading"));
                ctx.insert("description", &self.t("tools_description"));
                Ok(("tools.html", ctx))
            }
            PageKey::NameCheck => {
                ctx.insert("title", &self.t("tool_name_check"));
                ctx.insert("description", &self.t("name_check_description"));
                self.rule_data(&mut ctx, search_index::rules::NAME_SEE_IDS);
                Ok(("name-check.html", ctx))
            }
            PageKey::Preapproval => {
                ctx.insert("title", &self.t("tool_preapproval"));
                ctx.insert("description", &self.t("preapproval_description"));
                self.rule_data(&mut ctx, search_index::rules::PREAPPROVAL_SEE_IDS);
                Ok(("preapproval.html", ctx))
            }
            PageKey::Search => {
                ctx.insert("title", &self.t("search_title"));
                ctx.insert("description", &self.t("search_description"));
                let mut kinds = vec![("faq", "kind_faq")];
                if self.modules.rejections {
                    kinds.push(("rejection", "kind_rejection"));
                }
                if self.modules.provinces {
                    kinds.push(("province", "kind_province"));
                }
                if self.modules.tools {
                    kinds.push(("tool", "kind_tool"));
                }
                let kinds: Vec<_> = kinds
                    .into_iter()
                    .map(|(value, key)| json!({"value": value, "label": self.t(key)}))
                    .collect();
                ctx.insert("kinds", &kinds);
                let chapters: Vec<_> = site
                    .chapters
                    .iter()
                    .map(|c| json!({"slug": c.slug, "title": c.front.title}))
                    .collect();
                ctx.insert("chapters", &chapters);
                ctx.insert(
                    "provinces",
                    &site
                        .provinces
                        .iter()
                        .map(|p| json!({"id": p.data.id, "name": p.data.name}))
                        .collect::<Vec<_>>(),
                );
                Ok(("search.html", ctx))
            }
            PageKey::NotFound => {
                ctx.insert("title", &self.t("not_found_title"));
                ctx.insert("description", &self.t("not_found_title"));
                Ok(("404.html", ctx))
            }
        }
    }

    /// What the checker pages embed: the province list for the form, the
    /// province rules as JSON for the wasm checker, the URLs of the pages the
    /// rules cite, and links to those pages for readers without JavaScript.
    fn rule_data(&self, ctx: &mut Context, cited: &[&str]) {
        let site = self.site;
        let provinces: Vec<_> = site
            .provinces
            .iter()
            .map(|p| json!({"id": p.data.id, "name": p.data.name, "short_name": p.data.short_name}))
            .collect();
        let data: Vec<_> = site.provinces.iter().map(|p| &p.data).collect();
        let mut links: BTreeMap<String, String> = BTreeMap::new();
        let ids = search_index::rules::see_ids()
            .map(str::to_string)
            .chain(site.provinces.iter().map(|p| format!("@{}", p.id)));
        for id in ids {
            if let Ok(url) = self.links.resolve(&id) {
                links.insert(id, url);
            }
        }
        let sources: Vec<LinkView> = cited.iter().filter_map(|id| self.link(id)).collect();
        ctx.insert("provinces", &provinces);
        ctx.insert("provinces_json", &script_json(&json!(data)));
        ctx.insert("links_json", &script_json(&json!(links)));
        ctx.insert("sources", &sources);
    }

    fn entry_context(&self, ctx: &mut Context, idx: usize, e: &Entry) -> Result<(), RenderError> {
        let site = self.site;
        let body = self.body(&e.body)?;
        let chapter = site.chapters.iter().find(|c| c.slug == e.chapter);
        let siblings: Vec<&Entry> = self.chapter_entries(&e.chapter).collect();
        let pos = siblings.iter().position(|o| o.id == e.id).unwrap_or(0);
        let nav_link = |o: &&Entry| LinkView {
            title: o.front.title.clone(),
            url: format!("/{}/", o.id),
            note: String::new(),
        };
        let prev = pos
            .checked_sub(1)
            .and_then(|i| siblings.get(i))
            .map(nav_link);
        let next = siblings.get(pos + 1).map(nav_link);
        let description: String = body
            .text
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .chars()
            .take(120)
            .collect();
        let canonical = format!("{}/{}/", site.config.base_url.trim_end_matches('/'), e.id);
        ctx.insert("title", &e.front.title);
        ctx.insert("description", &description);
        ctx.insert("entry", &json!({
            "title": e.front.title, "section": e.front.section(), "aliases": e.front.aliases, "tags": e.front.tags,
            "applies_to": e.front.applies_to, "updated": e.front.updated.as_ref().map(|d| d.to_string()), "index": idx,
        }));
        ctx.insert(
            "chapter",
            &chapter.map(|c| json!({"title": c.front.title, "url": format!("/faq/{}/", c.slug)})),
        );
        ctx.insert("body", &body.html);
        ctx.insert("scope", &self.scope_view(e.front.scope.as_ref()));
        ctx.insert(
            "toc",
            &if body.toc.len() >= 3 || body.text.chars().count() > 1200 {
                body.toc.clone()
            } else {
                vec![]
            },
        );
        ctx.insert(
            "related",
            &e.front
                .related
                .iter()
                .filter_map(|r| self.link(r.get_ref()))
                .collect::<Vec<_>>(),
        );
        ctx.insert(
            "provinces",
            &e.front
                .provinces
                .iter()
                .filter_map(|p| province_name(site, p.get_ref()))
                .collect::<Vec<_>>(),
        );
        let (rejections, others): (Vec<LinkView>, Vec<LinkView>) = self
            .backlinks(&e.id)
            .into_iter()
            .partition(|l| l.url.starts_with("/rejections/"));
        ctx.insert("rejection_backlinks", &rejections);
        ctx.insert("backlinks", &others);
        ctx.insert("prev", &prev);
        ctx.insert("next", &next);
        ctx.insert(
            "jsonld",
            &seo::faq_jsonld(
                &e.front.title,
                &body.text,
                &canonical,
                &site.config.language,
            ),
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::depends_on;

    #[test]
    fn dependencies_match_ids_groups_and_everything() {
        assert!(depends_on("faq/a/b", "faq/a/b"));
        assert!(depends_on("@faq/a/b#step-2", "faq/a/b"));
        assert!(!depends_on("faq/a/b", "faq/a/bc"));
        assert!(depends_on("faq/a/*", "faq/a/b"));
        assert!(
            !depends_on("faq/a/*", "faq/a"),
            "the chapter is its own dependency"
        );
        assert!(!depends_on("faq/a/*", "faq/ab/c"));
        assert!(depends_on("*", "province/beijing"));
    }
}
