//! Site content → search documents.

use search_index::{Doc, Kind};

use crate::content::links::LinkTable;
use crate::content::Site;
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

/// Every searchable page of the site as a document, in a stable order.
pub fn site_docs(site: &Site) -> Vec<Doc> {
    let links = LinkTable::new(site);
    let resolve = |r: &str| links.resolve(r).ok();
    // Callout markers (`[华为云]`) are page furniture, not text to search.
    let marker = site
        .config
        .provider
        .as_deref()
        .filter(|p| !p.is_empty())
        .map(|p| format!("[{p}]"));
    let text = |md: &str| {
        let plain = markdown::render(md, &resolve, site.config.markdown.raw_html).text;
        match &marker {
            Some(m) => squash(&plain.replace(m.as_str(), " ")),
            None => squash(&plain),
        }
    };
    let mut docs = Vec::new();

    for e in &site.entries {
        let f = &e.front;
        docs.push(Doc {
            id: e.id.clone(),
            title: f.title.clone(),
            aliases: f.aliases.iter().chain(&f.tags).cloned().collect(),
            body: text(&e.body.text),
            section: f.section().unwrap_or_default().to_string(),
            kind: Kind::Faq,
            chapter: e.chapter.clone(),
            provinces: named_provinces(site, province_ids(&f.provinces), &[&f.title, &e.body.text]),
            url: format!("/{}/", e.id),
        });
    }

    for r in &site.rejections {
        let f = &r.front;
        docs.push(Doc {
            id: r.id.clone(),
            title: f.title.clone(),
            aliases: f.aliases.iter().chain(&f.tags).cloned().collect(),
            body: squash(&format!(
                "{} {} {}",
                f.stage.label(),
                f.reason,
                text(&r.body.text)
            )),
            section: f.section().unwrap_or_default().to_string(),
            kind: Kind::Rejection,
            chapter: String::new(),
            provinces: named_provinces(
                site,
                province_ids(&f.provinces),
                &[&f.title, &f.reason, &r.body.text],
            ),
            url: format!("/rejections/{}/", r.slug),
        });
    }

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
fn named_provinces(site: &Site, mut ids: Vec<String>, texts: &[&str]) -> Vec<String> {
    let named: Vec<&str> = site
        .provinces
        .iter()
        .map(|p| &p.data)
        .filter(|d| !ids.contains(&d.id))
        .filter(|d| {
            let bare = bare_name(&d.name);
            let link = format!("@province/{}", d.id);
            let url = format!("/provinces/{}/", d.id);
            texts.iter().any(|t| {
                t.contains(d.name.as_str())
                    || (bare.chars().count() >= 2 && t.contains(bare))
                    || t.contains(&link)
                    || t.contains(&url)
            })
        })
        .map(|d| d.id.as_str())
        .collect();
    if named.len() <= MAX_NAMED_PROVINCES {
        ids.extend(named.into_iter().map(String::from));
    }
    ids
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
