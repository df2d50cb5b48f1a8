//! Derived data for templates: navigation, resolved links, backlinks and the
//! per-page contexts.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use serde_json::json;

use super::inline_json::script_json;
use tera::Context;

use super::markdown::{self, Rendered};
use super::{seo, PageKey};
use crate::content::links::LinkTable;
use crate::content::{Body, Entry, Site, Stage};

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

pub(super) struct Model<'s> {
    pub site: &'s Site,
    pub links: LinkTable,
    pub nav: Vec<NavChapterRef>,
    pub tools: Vec<LinkView>,
    pub search: SearchAssets,
    backlinks: HashMap<String, Vec<LinkView>>,
    /// Position of each entry in `site.entries`, by id: pages look entries up
    /// by id, and a linear scan per page made large builds quadratic.
    entry_index: HashMap<&'s str, usize>,
    /// Positions of each chapter's entries in `site.entries`, in order, by chapter slug.
    chapter_entries: HashMap<&'s str, Vec<usize>>,
}

pub(super) type NavChapterRef = serde_json::Value;

/// Dependency id of a province reference (`beijing` or `@province/beijing`).
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
    pub fn new(site: &'s Site, links: LinkTable, search: SearchAssets) -> Self {
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
            .map(|t| LinkView {
                title: t.data.title.clone(),
                url: format!("/decision/{}/", t.slug),
                note: "决策树".into(),
            })
            .collect();
        tools.push(LinkView {
            title: "网站 / APP 名称自查".into(),
            url: "/tools/name-check/".into(),
            note: "名称".into(),
        });
        tools.push(LinkView {
            title: "前置审批自查".into(),
            url: "/tools/preapproval/".into(),
            note: "前置审批".into(),
        });
        tools.push(LinkView {
            title: "各省管局规则对比".into(),
            url: "/provinces/compare/".into(),
            note: "省份".into(),
        });
        tools.push(LinkView {
            title: "驳回原因速查".into(),
            url: "/rejections/".into(),
            note: "驳回".into(),
        });

        // Backlinks: who points at each id, via fixes, related, see or body links.
        let mut backlinks: HashMap<String, Vec<LinkView>> = HashMap::new();
        let mut add = |target: &str, from: LinkView| {
            let id = target
                .trim_start_matches('@')
                .split('#')
                .next()
                .unwrap_or("")
                .to_string();
            let list = backlinks.entry(id).or_default();
            if !list.contains(&from) {
                list.push(from);
            }
        };
        for r in &site.rejections {
            let from = LinkView {
                title: r.front.title.clone(),
                url: format!("/rejections/{}/", r.slug),
                note: r.front.stage.label().into(),
            };
            for f in r.front.fixes.iter().chain(&r.front.related) {
                add(f.get_ref(), from.clone());
            }
            for l in markdown::links(&r.body.text) {
                if l.dest.starts_with('@') {
                    add(&l.dest, from.clone());
                }
            }
        }
        for e in &site.entries {
            let from = LinkView {
                title: e.front.title.clone(),
                url: format!("/faq/{}/{}/", e.chapter, e.slug),
                note: format!("§{}", e.front.section.get_ref()),
            };
            for f in &e.front.related {
                add(f.get_ref(), from.clone());
            }
            for l in markdown::links(&e.body.text) {
                if l.dest.starts_with('@') {
                    add(&l.dest, from.clone());
                }
            }
        }
        for t in &site.trees {
            let from = LinkView {
                title: t.data.title.clone(),
                url: format!("/decision/{}/", t.slug),
                note: "决策树".into(),
            };
            for o in &t.data.outcomes {
                for s in &o.see {
                    add(s.get_ref(), from.clone());
                }
            }
        }
        Model {
            site,
            links,
            nav,
            tools,
            search,
            backlinks,
            entry_index,
            chapter_entries,
        }
    }

    /// The entry with this id.
    fn entry(&self, id: &str) -> Option<(usize, &'s Entry)> {
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
        markdown::render(text, &self.resolve(), self.site.config.markdown.raw_html)
    }

    fn body(&self, b: &Body) -> Rendered {
        self.md(&b.text)
    }

    fn link(&self, reference: &str) -> Option<LinkView> {
        let id = reference
            .trim_start_matches('@')
            .split('#')
            .next()
            .unwrap_or("");
        let t = self.links.get(id)?;
        let note = match t.kind {
            crate::content::links::TargetKind::Faq => self
                .entry(id)
                .map(|(_, e)| format!("§{}", e.front.section.get_ref()))
                .unwrap_or_default(),
            crate::content::links::TargetKind::Rejection => "驳回原因".into(),
            crate::content::links::TargetKind::Province => "省份".into(),
            crate::content::links::TargetKind::Decision => "决策树".into(),
            crate::content::links::TargetKind::Chapter => "章节".into(),
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
                if let Some((_, e)) = self.entry(id) {
                    deps.push(format!("faq/{}", e.chapter));
                    deps.extend(
                        e.front
                            .related
                            .iter()
                            .map(|r| r.get_ref().trim_start_matches('@').to_string()),
                    );
                    deps.extend(self.chapter_entries(&e.chapter).map(|o| o.id.clone()));
                    // Province names are shown next to the answer.
                    deps.extend(e.front.provinces.iter().map(|p| province_dep(p.get_ref())));
                }
                if let Some(c) = self.site.chapters.iter().find(|c| &c.id == id) {
                    deps.extend(self.chapter_entries(&c.slug).map(|e| e.id.clone()));
                }
                if let Some(r) = self.site.rejections.iter().find(|r| &r.id == id) {
                    deps.extend(
                        r.front
                            .fixes
                            .iter()
                            .chain(&r.front.related)
                            .map(|r| r.get_ref().trim_start_matches('@').to_string()),
                    );
                    deps.extend(r.front.provinces.iter().map(|p| province_dep(p.get_ref())));
                }
                if let Some(t) = self.site.trees.iter().find(|t| &t.id == id) {
                    // Outcomes link to entries by their titles.
                    deps.extend(t.data.outcomes.iter().flat_map(|o| {
                        o.see
                            .iter()
                            .map(|s| s.get_ref().trim_start_matches('@').to_string())
                    }));
                }
                if let Some(p) = self.site.provinces.iter().find(|p| &p.id == id) {
                    // Requirements link to entries by their titles.
                    deps.extend(p.data.rules.requirements.iter().filter_map(|r| {
                        r.see
                            .as_deref()
                            .map(|s| s.trim_start_matches('@').to_string())
                    }));
                }
                deps.extend(
                    self.backlinks
                        .get(id)
                        .into_iter()
                        .flatten()
                        .map(|l| l.url.trim_matches('/').replace("rejections/", "rejection/")),
                );
                deps
            }
            // Index pages list everything of their kind; any change may touch them.
            _ => vec!["*".into()],
        }
    }

    pub fn context(&self, key: &PageKey) -> (&'static str, Context) {
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
                    stages.push(json!({"label": stage.label(), "key": stage.key(), "count": n}));
                }
                ctx.insert("title", &site.config.title);
                ctx.insert("description", &site.config.description);
                ctx.insert("stages", &stages);
                ctx.insert("entry_count", &site.entries.len());
                ctx.insert("province_count", &site.provinces.len());
                ("home.html", ctx)
            }
            PageKey::Chapter(id) => {
                let c = site
                    .chapters
                    .iter()
                    .find(|c| &c.id == id)
                    .expect("page keys come from the site");
                let entries: Vec<_> = self
                    .chapter_entries(&c.slug)
                    .map(|e| json!({"title": e.front.title, "url": format!("/{}/", e.id), "section": e.front.section.get_ref(), "aliases": e.front.aliases}))
                    .collect();
                ctx.insert("title", &c.front.title);
                ctx.insert("description", &c.front.summary);
                ctx.insert("chapter", &json!({"title": c.front.title, "summary": c.front.summary, "section": c.front.section.as_ref().map(|s| s.get_ref())}));
                ctx.insert("intro", &self.body(&c.body).html);
                ctx.insert("entries", &entries);
                ("chapter.html", ctx)
            }
            PageKey::Entry(id) => {
                let (idx, e) = self.entry(id).expect("page keys come from the site");
                self.entry_context(&mut ctx, idx, e);
                ("entry.html", ctx)
            }
            PageKey::Rejections => {
                let mut groups = Vec::new();
                for stage in Stage::ALL {
                    let items: Vec<_> = site
                        .rejections
                        .iter()
                        .filter(|r| r.front.stage == stage)
                        .map(|r| json!({"title": r.front.title, "url": format!("/rejections/{}/", r.slug), "reason": r.front.reason, "section": r.front.section.get_ref(), "group": r.front.group}))
                        .collect();
                    groups
                        .push(json!({"label": stage.label(), "key": stage.key(), "items": items}));
                }
                ctx.insert("title", "驳回原因速查");
                ctx.insert(
                    "description",
                    "按接入商初审、管局退回和备案核查三个阶段整理的驳回原因与整改方法。",
                );
                ctx.insert("groups", &groups);
                ("rejections.html", ctx)
            }
            PageKey::Rejection(id) => {
                let r = site
                    .rejections
                    .iter()
                    .find(|r| &r.id == id)
                    .expect("page keys come from the site");
                let body = self.body(&r.body);
                ctx.insert("title", &r.front.title);
                ctx.insert("description", &r.front.reason);
                ctx.insert("rejection", &json!({
                    "title": r.front.title, "reason": r.front.reason, "section": r.front.section.get_ref(),
                    "stage": r.front.stage.label(), "stage_key": r.front.stage.key(), "group": r.front.group, "aliases": r.front.aliases,
                }));
                ctx.insert("body", &body.html);
                ctx.insert("toc", &body.toc);
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
                ctx.insert(
                    "backlinks",
                    &self.backlinks.get(id).cloned().unwrap_or_default(),
                );
                ("rejection.html", ctx)
            }
            PageKey::Provinces => {
                let mut regions: BTreeMap<String, Vec<serde_json::Value>> = BTreeMap::new();
                for p in &site.provinces {
                    let region = p.data.region.clone().unwrap_or_else(|| "其他".into());
                    regions.entry(region).or_default().push(json!({
                        "name": p.data.name, "short_name": p.data.short_name, "url": format!("/provinces/{}/", p.data.id),
                        "silent": p.data.source_is_silent(), "words": p.data.forbidden_name_words.len(), "preapproval": p.data.preapproval.len(),
                    }));
                }
                ctx.insert("title", "各省管局规则");
                ctx.insert(
                    "description",
                    "31 个省级行政区的网站名称禁用词、前置审批、模板下载和特殊规则。",
                );
                ctx.insert("regions", &regions);
                ("provinces.html", ctx)
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
                let entries: Vec<LinkView> = self.backlinks.get(id).cloned().unwrap_or_default();
                ctx.insert(
                    "title",
                    &format!("{}（{}）备案规则", p.data.name, p.data.short_name),
                );
                ctx.insert(
                    "description",
                    &format!(
                        "{}管局的网站名称禁用词、前置审批类别与特殊规则。",
                        p.data.name
                    ),
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
                ("province.html", ctx)
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
                        verification.push("域名超量时现场核验或邮寄域名证书".into());
                    }
                    let mut other: Vec<String> = Vec::new();
                    for q in &r.requirements {
                        let text = format!("{}（{} 起）", q.name, q.since);
                        match q.kind {
                            RequirementKind::AuthenticityVerification => verification.push(text),
                            RequirementKind::CommitmentLetter => other.push(text),
                        }
                    }
                    if let Some(n) = r.individual_max_websites {
                        other.push(format!("个人最多 {n} 个网站"));
                    }
                    if let Some(n) = r.individual_domains_per_website {
                        other.push(format!("个人每个网站 {n} 个域名"));
                    }
                    match r.change_and_new_site_order {
                        Some(ChangeOrder::ChangeFirst) => other.push("先变更、再新增网站".into()),
                        Some(ChangeOrder::NewSiteFirst) => other.push("可先新增网站、再变更".into()),
                        None => {}
                    }
                    if r.copyright_notice_required == Some(true) {
                        other.push("网站底部要有与单位名称一致的“版权所有”".into());
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
                ctx.insert("title", "各省管局规则对比");
                ctx.insert("description", "按省份对比网站名称禁用词、前置审批类别、每单域名数、悬挂的备案号和额外核验要求。");
                ctx.insert("rows", &rows);
                ("compare.html", ctx)
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
                ("decision.html", ctx)
            }
            PageKey::Tools => {
                ctx.insert("title", "备案工具");
                ctx.insert(
                    "description",
                    "决策树、网站/APP 名称自查、前置审批自查、各省规则对比等备案自助工具。",
                );
                ("tools.html", ctx)
            }
            PageKey::NameCheck => {
                ctx.insert("title", "网站 / APP 名称自查");
                ctx.insert(
                    "description",
                    "按网站名称、APP 名称要求和各省管局禁用词，检查拟用的备案名称。",
                );
                self.rule_data(&mut ctx, search_index::rules::NAME_SEE_IDS);
                ("name-check.html", ctx)
            }
            PageKey::Preapproval => {
                ctx.insert("title", "前置审批自查");
                ctx.insert(
                    "description",
                    "输入经营范围或网站内容介绍，查看涉及哪些前置审批类别和所在省份要求的承诺书。",
                );
                self.rule_data(&mut ctx, search_index::rules::PREAPPROVAL_SEE_IDS);
                ("preapproval.html", ctx)
            }
            PageKey::Search => {
                ctx.insert("title", "搜索");
                ctx.insert("description", "搜索 ICP 备案知识库。");
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
                ("search.html", ctx)
            }
            PageKey::NotFound => {
                ctx.insert("title", "页面不存在");
                ctx.insert("description", "页面不存在");
                ("404.html", ctx)
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

    fn entry_context(&self, ctx: &mut Context, idx: usize, e: &Entry) {
        let site = self.site;
        let body = self.body(&e.body);
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
            "title": e.front.title, "section": e.front.section.get_ref(), "aliases": e.front.aliases, "tags": e.front.tags,
            "applies_to": e.front.applies_to, "updated": e.front.updated.as_ref().map(|d| d.to_string()), "index": idx,
        }));
        ctx.insert(
            "chapter",
            &chapter.map(|c| json!({"title": c.front.title, "url": format!("/faq/{}/", c.slug)})),
        );
        ctx.insert("body", &body.html);
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
            .backlinks
            .get(&e.id)
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .partition(|l| l.url.starts_with("/rejections/"));
        ctx.insert("rejection_backlinks", &rejections);
        ctx.insert("backlinks", &others);
        ctx.insert("prev", &prev);
        ctx.insert("next", &next);
        ctx.insert(
            "jsonld",
            &seo::faq_jsonld(&e.front.title, &body.text, &canonical),
        );
    }
}
