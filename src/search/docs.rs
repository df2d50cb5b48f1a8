//! Site content → search documents.

use rayon::prelude::*;
use search_index::{Doc, Kind};

use crate::content::{BodyError, Site};
use crate::diagnostics::{Report, SourceMap};
use crate::render::markdown;

/// Whitespace runs (newlines from block structure) folded to one space.
fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn province_ids<'a>(refs: impl IntoIterator<Item = &'a toml::Spanned<String>>) -> Vec<String> {
    refs.into_iter()
        .map(|p| p.get_ref().trim_start_matches("@province/").to_string())
        .collect()
}

/// What people call a decision tree when they search for one.
fn tree_aliases(language: &str) -> Vec<String> {
    let words: &[&str] = match language {
        "zh-CN" => &["决策树", "自助判断"],
        "zh-TW" => &["決策樹", "自助判斷"],
        _ => &["decision tree", "self-check"],
    };
    words.iter().map(|w| w.to_string()).collect()
}

/// Every searchable page of the site as a document, in a stable order (the
/// bodies, for the provinces they name, come from the site's held sources or
/// from their files again).
pub fn site_docs(site: &Site) -> Result<Vec<Doc>, BodyError> {
    let mentions = Mentions::of(site, site.held_sources.as_deref())?;
    let entries = site.entries.iter();
    let rejections = site.rejections.iter();
    Ok(docs_from(
        site,
        mentions,
        entries.map(|e| e.body.outline.text.clone()).collect(),
        rejections.map(|r| r.body.outline.text.clone()).collect(),
    ))
}

/// [`site_docs`] for a build: the provinces each body names are found in
/// the site's held sources or the report's, which are then released (but for
/// the files a diagnostic points into), and each body's plain text is taken out of its
/// outline (the pages do not need it). So a large site holds neither its
/// sources nor a second copy of its texts while the documents are made.
pub fn take_site_docs(site: &mut Site, report: &mut Report) -> Result<Vec<Doc>, BodyError> {
    let sources = site.held_sources.as_deref().unwrap_or(&report.sources);
    let mentions = Mentions::of(site, Some(sources))?;
    report.release_unreported_sources();
    let take = |b: &mut crate::content::Body| std::mem::take(&mut b.outline.text);
    let entries = site.entries.iter_mut().map(|e| take(&mut e.body)).collect();
    let rejections = site
        .rejections
        .iter_mut()
        .map(|r| take(&mut r.body))
        .collect();
    site.drop_outline_texts();
    Ok(docs_from(site, mentions, entries, rejections))
}

/// The provinces each entry and each rejection names (site order).
struct Mentions {
    entries: Vec<Vec<String>>,
    rejections: Vec<Vec<String>>,
}

impl Mentions {
    /// Reads the Markdown from `sources` when given, else from the files.
    fn of(site: &Site, sources: Option<&SourceMap>) -> Result<Mentions, BodyError> {
        let names = ProvinceNames::new(site);
        let entries = site
            .entries
            .par_iter()
            .map(|e| {
                let (f, md) = (&e.front, e.body.text(sources)?);
                Ok(names.specific(province_ids(&f.provinces), &[&f.title, &md]))
            })
            .collect::<Result<_, BodyError>>()?;
        let rejections = site
            .rejections
            .par_iter()
            .map(|r| {
                let (f, md) = (&r.front, r.body.text(sources)?);
                Ok(names.specific(province_ids(&f.provinces), &[&f.title, &f.reason, &md]))
            })
            .collect::<Result<_, BodyError>>()?;
        Ok(Mentions {
            entries,
            rejections,
        })
    }
}

/// The documents, with the plain text of each entry's and each rejection's
/// body (in site order) given apart.
fn docs_from(
    site: &Site,
    mentions: Mentions,
    entry_texts: Vec<String>,
    rejection_texts: Vec<String>,
) -> Vec<Doc> {
    // Callout markers (`[华为云]`) are page furniture, not text to search.
    let marker = site
        .config
        .provider
        .as_deref()
        .filter(|p| !p.is_empty())
        .map(|p| format!("[{p}]"));
    let clean = |plain: &str| match &marker {
        Some(m) => squash(&plain.replace(m.as_str(), " ")),
        None => squash(plain),
    };
    // Bodies were parsed once while loading: their outline holds the text.
    let text = |md: &str| clean(&markdown::outline(md, site.config.markdown.raw_html).text);
    // Entries and rejections on every core; `collect` keeps their order.
    let mut docs: Vec<Doc> = site
        .entries
        .par_iter()
        .zip(entry_texts)
        .zip(mentions.entries)
        .map(|((e, text), provinces)| {
            let f = &e.front;
            Doc {
                id: e.id.clone(),
                title: f.title.clone(),
                aliases: f.aliases.iter().chain(&f.tags).cloned().collect(),
                body: clean(&text),
                section: f.section().unwrap_or_default().to_string(),
                kind: Kind::Faq,
                chapter: e.chapter.clone(),
                provinces,
                url: format!("/{}/", e.id),
            }
        })
        .collect();

    docs.par_extend(
        site.rejections
            .par_iter()
            .zip(rejection_texts)
            .zip(mentions.rejections)
            .map(|((r, text), provinces)| {
                let f = &r.front;
                Doc {
                    id: r.id.clone(),
                    title: f.title.clone(),
                    aliases: f.aliases.iter().chain(&f.tags).cloned().collect(),
                    body: squash(&format!(
                        "{} {} {}",
                        f.stage.label(),
                        f.reason,
                        clean(&text)
                    )),
                    section: f.section().unwrap_or_default().to_string(),
                    kind: Kind::Rejection,
                    chapter: String::new(),
                    provinces,
                    url: format!("/rejections/{}/", r.slug),
                }
            }),
    );

    for p in &site.provinces {
        let d = &p.data;
        let mut body = vec![format!("{}（{}）ICP 备案规则", d.name, d.short_name)];
        if let Some(r) = &d.region {
            body.push(r.clone());
        }
        if !d.forbidden_name_words.is_empty() {
            body.push(format!(
                "网站名称禁用词：{}",
                d.forbidden_name_words.join("、")
            ));
        }
        if !d.templates.is_empty() {
            body.push(format!("模板下载：{}", d.templates.join("、")));
        }
        for row in &d.preapproval {
            body.push(format!(
                "前置审批 {}：{} {} {}",
                row.category,
                row.keywords.join("、"),
                row.keyword_note.as_deref().unwrap_or(""),
                row.letters.join("、")
            ));
        }
        for req in &d.rules.requirements {
            body.push(format!("{}：{}", req.name, req.summary));
        }
        for note in &d.rules.notes {
            body.push(note.text.clone());
        }
        let short_name = d
            .name
            .trim_end_matches('省')
            .trim_end_matches('市')
            .to_string();
        docs.push(Doc {
            id: p.id.clone(),
            title: format!("{} ICP 备案规则", d.name),
            aliases: vec![
                d.short_name.clone(),
                short_name,
                format!("{}管局", d.short_name),
            ],
            body: squash(&body.join("。")),
            section: d.sources.first().cloned().unwrap_or_default(),
            kind: Kind::Province,
            chapter: String::new(),
            provinces: vec![d.id.clone()],
            url: format!("/provinces/{}/", d.id),
        });
    }

    for t in &site.trees {
        let d = &t.data;
        let mut body = Vec::new();
        if let Some(s) = &d.summary {
            body.push(text(s));
        }
        for n in &d.nodes {
            body.push(n.question.clone());
            if let Some(h) = &n.help {
                body.push(text(h));
            }
        }
        for o in &d.outcomes {
            body.push(o.verdict.clone());
            body.push(text(&o.explanation));
        }
        docs.push(Doc {
            id: t.id.clone(),
            title: d.title.clone(),
            aliases: tree_aliases(&site.config.language),
            body: squash(&body.join(" ")),
            section: String::new(),
            kind: Kind::Tool,
            chapter: String::new(),
            provinces: Vec::new(),
            url: format!("/{}/", t.id),
        });
    }

    add_replaced_terms(site, &mut docs);
    // The checker pages exist with the provinces module only.
    if site.provinces.is_empty() {
        return docs;
    }
    let names: Vec<&str> = site
        .provinces
        .iter()
        .map(|p| p.data.name.as_str())
        .collect();
    // The hand-made tool pages: (id, title, aliases, description, url).
    let compare_body = format!(
        "一张表对比各省管局的网站名称禁用词、前置审批类别、每单可备案的域名数、个人网站数量上限、备案号展示要求等规则。{}",
        names.join("、")
    );
    let tools = [
        ("tool/compare", "各省备案规则对比", &["各省规则对比", "省份对比", "各省管局要求"][..], compare_body, "/provinces/compare/"),
        (
            "tool/name-check",
            "网站名称、APP 名称检查",
            &["网站名称检测", "网站名称能不能用", "APP名称检查", "名称禁用词查询"][..],
            "输入省份、主体类型和拟用的网站名称或 APP 名称，检查字数、纯数字或纯字母、特殊符号、中国/中央/国家等字头、个人网站不能用的公司/工作室等字眼、各省管局禁用的行业和经营性词汇，以及需要前置审批的词。".to_string(),
            "/tools/name-check/",
        ),
        (
            "tool/preapproval",
            "前置审批检查",
            &["前置审批查询", "要不要前置审批", "不涉及前置审批承诺书", "承诺书查询"][..],
            "输入省份和网站内容或经营范围，找出触发的前置审批类别、命中的关键词，以及该省要求下载的不涉及前置审批承诺书。".to_string(),
            "/tools/preapproval/",
        ),
    ];
    for (id, title, aliases, body, url) in tools {
        docs.push(Doc {
            id: id.into(),
            title: title.into(),
            aliases: aliases.iter().map(|a| a.to_string()).collect(),
            body,
            section: String::new(),
            kind: Kind::Tool,
            chapter: String::new(),
            provinces: Vec::new(),
            url: url.into(),
        });
    }
    docs
}

/// An outdated term (`[[replaced]]` in the synonyms file) becomes an alias of
/// the entries it points to, so a query for it finds them by name rather than
/// through loose matches on its characters.
fn add_replaced_terms(site: &Site, docs: &mut [Doc]) {
    for r in &site.synonyms.replaced {
        for see in &r.see {
            let id = see.trim_start_matches('@');
            let id = id.split_once('#').map_or(id, |(id, _)| id);
            if let Some(d) = docs.iter_mut().find(|d| d.id == id) {
                d.aliases.extend(r.words.iter().cloned());
            }
        }
    }
}

/// A page naming more provinces than this is a general one (a list of every
/// province's templates), not specific to each.
const MAX_NAMED_PROVINCES: usize = 3;

/// The provinces a page is specific to: those its front matter lists, plus
/// those its title or text names (full name, or the name without 省/市/自治区)
/// or links to, when it names only a few, so a province filter also finds a
/// rejection or entry about that province that lists none.
struct ProvinceNames<'s> {
    /// Province ids, in the site's order.
    ids: Vec<&'s str>,
    /// Every way a text names a province, all at once: full name, bare
    /// name (two characters or more), `@province/x` link, `/provinces/x/` URL.
    finder: Option<aho_corasick::AhoCorasick>,
    /// The province (index into `ids`) of each pattern.
    of_pattern: Vec<usize>,
}

impl<'s> ProvinceNames<'s> {
    fn new(site: &'s Site) -> Self {
        let mut patterns = Vec::new();
        let mut of_pattern = Vec::new();
        for (i, d) in site.provinces.iter().map(|p| &p.data).enumerate() {
            let bare = bare_name(&d.name);
            let mut forms = vec![
                d.name.clone(),
                format!("@province/{}", d.id),
                format!("/provinces/{}/", d.id),
            ];
            if bare.chars().count() >= 2 {
                forms.push(bare.to_string());
            }
            for f in forms.into_iter().filter(|f| !f.is_empty()) {
                patterns.push(f);
                of_pattern.push(i);
            }
        }
        ProvinceNames {
            ids: site.provinces.iter().map(|p| p.data.id.as_str()).collect(),
            // Only fails past the automaton's size limits, far above 31 provinces.
            // A DFA: overlapping search over every page's text is this
            // phase's hottest loop, and 31 provinces' forms make a small one.
            finder: aho_corasick::AhoCorasick::builder()
                .kind(Some(aho_corasick::AhoCorasickKind::DFA))
                .build(&patterns)
                .ok(),
            of_pattern,
        }
    }

    /// The provinces a page is specific to: `ids` (its front matter's), plus
    /// those its texts name, when they name at most [`MAX_NAMED_PROVINCES`].
    fn specific(&self, mut ids: Vec<String>, texts: &[&str]) -> Vec<String> {
        let Some(finder) = &self.finder else {
            return ids;
        };
        let mut named = vec![false; self.ids.len()];
        for t in texts {
            for m in finder.find_overlapping_iter(*t) {
                named[self.of_pattern[m.pattern().as_usize()]] = true;
            }
        }
        let named: Vec<&str> = self
            .ids
            .iter()
            .zip(named)
            .filter(|(id, hit)| *hit && !ids.iter().any(|x| x == *id))
            .map(|(id, _)| *id)
            .collect();
        if named.len() <= MAX_NAMED_PROVINCES {
            ids.extend(named.into_iter().map(String::from));
        }
        ids
    }
}

/// 广东省 → 广东, 北京市 → 北京, 内蒙古自治区 → 内蒙古, 广西壮族自治区 → 广西:
/// the name people write without its suffix.
fn bare_name(name: &str) -> &str {
    if let Some(region) = name.strip_suffix("自治区") {
        if region.starts_with("内蒙古") {
            return "内蒙古";
        }
        let end = region
            .char_indices()
            .nth(2)
            .map_or(region.len(), |(i, _)| i);
        return &region[..end];
    }
    ["省", "市"]
        .iter()
        .find_map(|s| name.strip_suffix(s))
        .unwrap_or(name)
}
