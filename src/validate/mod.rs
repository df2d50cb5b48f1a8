//! Every check `zhiku check` runs on loaded content. Problems are collected
//! into the [`Report`], never returned early, so writers see all of them at once.

mod groups;
mod scope;
mod tree;

use std::collections::{HashMap, HashSet};

use toml::Spanned;

use crate::content::links::{LinkTable, TargetKind};
use crate::content::RawHtml;
use crate::content::{Body, Site};
use crate::diagnostics::{FileId, Report};
use crate::render::{html, markdown};

/// Runs every validation over a loaded site.
pub fn validate(site: &Site, report: &mut Report) {
    report.begin_validation();
    let links = LinkTable::new(site);
    // Provinces that failed to load count as known: their error is reported once.
    let provinces: HashSet<&str> = site
        .provinces
        .iter()
        .map(|p| p.data.id.as_str())
        .chain(
            site.unloaded
                .iter()
                .filter_map(|u| u.strip_prefix("province/")),
        )
        .collect();
    let ctx = Ctx {
        links: &links,
        provinces: &provinces,
        raw_html: site.config.markdown.raw_html,
    };

    let chapters: HashSet<&str> = site.chapters.iter().map(|c| c.slug.as_str()).collect();
    for c in &site.chapters {
        if let Some(s) = &c.front.section {
            ctx.section(report, c.body.file, s, c.front_offset);
        }
        ctx.markdown(report, &c.body);
        groups::check(site, c, report);
    }

    let mut seen_titles: HashMap<&str, &str> = HashMap::new();
    for e in &site.entries {
        let file = e.body.file;
        let off = e.front_offset;
        if !chapters.contains(e.chapter.as_str())
            && !links.is_unloaded(&format!("faq/{}", e.chapter))
        {
            report
                .error(
                    file,
                    0..3,
                    format!("chapter `{}` has no `_index.md`", e.chapter),
                )
                .label("entry outside a chapter")
                .note(format!(
                    "create content/faq/{}/_index.md with title, order and summary",
                    e.chapter
                ));
        }
        if let Some(s) = &e.front.section {
            ctx.section(report, file, s, off);
        }
        ctx.refs(report, file, off, &e.front.related, "related");
        ctx.province_refs(report, file, off, &e.front.provinces);
        if e.front.aliases.is_empty() {
            report
                .warning(file, 0..3, format!("entry `{}` has no aliases", e.id))
                .label("add aliases")
                .note("aliases are the other phrasings users type; search ranks them high");
        }
        if e.front.title.trim().is_empty() {
            report
                .error(file, off..off, "`title` is empty")
                .label("empty title");
        }
        if let Some(prev) = seen_titles.insert(e.front.title.as_str(), e.id.as_str()) {
            report
                .warning(
                    file,
                    off..off,
                    format!("entry `{}` has the same title as `{prev}`", e.id),
                )
                .label("duplicate title");
        }
        ctx.markdown(report, &e.body);
    }

    for r in &site.rejections {
        let file = r.body.file;
        let off = r.front_offset;
        if let Some(s) = &r.front.section {
            ctx.section(report, file, s, off);
        }
        ctx.refs(report, file, off, &r.front.fixes, "fixes");
        for f in &r.front.fixes {
            if let Some(t) = links.get(f.get_ref().trim_start_matches('@')) {
                if t.kind != TargetKind::Faq {
                    let span = shift(f.span(), off);
                    report
                        .error(file, span, "`fixes` must name FAQ entries")
                        .label("not a FAQ entry");
                }
            }
        }
        ctx.refs(report, file, off, &r.front.related, "related");
        ctx.province_refs(report, file, off, &r.front.provinces);
        if r.front.aliases.is_empty() {
            report
                .warning(file, 0..3, format!("rejection `{}` has no aliases", r.id))
                .label("add aliases");
        }
        ctx.markdown(report, &r.body);
    }

    let mut names: HashMap<&str, FileId> = HashMap::new();
    for p in &site.provinces {
        if let Some(prev) = names.insert(p.data.name.as_str(), p.file) {
            let span = crate::content::find_span_in(report.sources.text(p.file), &p.data.name);
            let other = report.sources.path(prev).display().to_string();
            report
                .error(
                    p.file,
                    span,
                    format!("duplicate province name `{}`", p.data.name),
                )
                .note(format!("also used by {other}"));
        }
        for req in &p.data.rules.requirements {
            if let Some(see) = &req.see {
                ctx.loose_ref(report, p.file, see);
            }
        }
        if p.data
            .forbidden_name_words
            .iter()
            .any(|w| w.trim().is_empty())
        {
            let span = empty_word_span(report.sources.text(p.file));
            report
                .error(p.file, span, "empty word in `forbidden_name_words`")
                .label("empty");
        }
    }

    for t in &site.trees {
        tree::check(t, &ctx, report);
    }

    scope::check(site, report);
    scope::check_moved(site, &links, report);

    if let Some(file) = site.synonyms_file {
        for g in &site.synonyms.groups {
            if g.words.len() < 2 {
                let first = g.words.first().map(String::as_str).unwrap_or("");
                let span = crate::content::find_span_in(report.sources.text(file), first);
                report.warning(file, span, "a synonym group needs at least two words");
            }
        }
        for r in &site.synonyms.replaced {
            if r.words.iter().all(|w| w.trim().is_empty()) || r.see.is_empty() {
                let first = r.words.first().map(String::as_str).unwrap_or("replaced");
                let span = crate::content::find_span_in(report.sources.text(file), first);
                report.error(
                    file,
                    span,
                    "a `[[replaced]]` term needs `words` and at least one `see` entry",
                );
            }
            for see in &r.see {
                ctx.loose_ref(report, file, see);
            }
        }
    }
    if let Some(file) = site.glossary_file {
        for t in &site.glossary.terms {
            let blank = |v: &[String]| v.iter().all(|w| w.trim().is_empty());
            if blank(&t.en) || blank(&t.zh) {
                let first = t.en.first().or(t.zh.first()).map_or("term", String::as_str);
                let span = crate::content::find_span_in(report.sources.text(file), first);
                report.error(
                    file,
                    span,
                    "a glossary `[[term]]` needs English `en` and Chinese `zh` words",
                );
            }
        }
    }
}

/// Where the first empty (or blank) string of `forbidden_name_words` is written.
/// The province type carries no spans, so the text is searched from the key on.
fn empty_word_span(text: &str) -> std::ops::Range<usize> {
    let Some(key) = text.find("forbidden_name_words") else {
        return 0..0;
    };
    let list = &text[key..];
    let end = list.find(']').map_or(list.len(), |i| i + 1);
    let mut at = 0;
    while let Some(i) = list[at..end].find(['"', '\'']) {
        let open = at + i;
        let quote = list.as_bytes()[open] as char;
        let Some(len) = list[open + 1..end].find(quote) else {
            break;
        };
        let close = open + 1 + len;
        if list[open + 1..close].trim().is_empty() {
            return key + open..key + close + 1;
        }
        at = close + 1;
    }
    key..key + "forbidden_name_words".len()
}

fn shift(span: std::ops::Range<usize>, by: usize) -> std::ops::Range<usize> {
    span.start + by..span.end + by
}

/// What the checks need to look things up.
pub(crate) struct Ctx<'a> {
    links: &'a LinkTable,
    provinces: &'a HashSet<&'a str>,
    raw_html: RawHtml,
}

impl Ctx<'_> {
    fn section(&self, report: &mut Report, file: FileId, section: &Spanned<String>, off: usize) {
        let s = section.get_ref();
        let ok = !s.is_empty()
            && s.split('.')
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
        if !ok {
            report
                .error(
                    file,
                    shift(section.span(), off),
                    format!(
                        "`section` must be a source section number such as \"7.7\", found `{s}`"
                    ),
                )
                .label("not a section number");
        }
    }

    fn refs(
        &self,
        report: &mut Report,
        file: FileId,
        off: usize,
        refs: &[Spanned<String>],
        field: &str,
    ) {
        for r in refs {
            if let Err(e) = self.links.resolve(r.get_ref()) {
                report
                    .error(
                        file,
                        shift(r.span(), off),
                        format!("broken link in `{field}`: {e}"),
                    )
                    .label("does not resolve");
            }
        }
    }

    pub(crate) fn spanned_ref(
        &self,
        report: &mut Report,
        file: FileId,
        r: &Spanned<String>,
        field: &str,
    ) {
        self.refs(report, file, 0, std::slice::from_ref(r), field);
    }

    /// Checks a reference whose span is not known, pointing at its text.
    pub(crate) fn loose_ref(&self, report: &mut Report, file: FileId, reference: &str) {
        if let Err(e) = self.links.resolve(reference) {
            let span = crate::content::find_span_in(report.sources.text(file), reference);
            report
                .error(file, span, format!("broken link: {e}"))
                .label("does not resolve");
        }
    }

    fn province_refs(
        &self,
        report: &mut Report,
        file: FileId,
        off: usize,
        refs: &[Spanned<String>],
    ) {
        for p in refs {
            let id = p.get_ref().trim_start_matches("@province/");
            if self.provinces.is_empty() {
                // The provinces module is absent: one clear reason, not a list of none.
                report
                    .error(
                        file,
                        shift(p.span(), off),
                        format!(
                            "`provinces` names `{}`, but this site has no provinces module",
                            p.get_ref()
                        ),
                    )
                    .label("no content/provinces/ folder")
                    .note("add content/provinces/<id>.toml files, or remove the `provinces` field");
                continue;
            }
            if !self.provinces.contains(id) {
                let mut known: Vec<&str> = self.provinces.iter().copied().collect();
                known.sort_unstable();
                report
                    .error(
                        file,
                        shift(p.span(), off),
                        format!("unknown province `{}`", p.get_ref()),
                    )
                    .label("no such file in content/provinces/")
                    .note(format!("known provinces: {}", known.join(", ")));
            }
        }
    }

    /// Checks the links of a Markdown body.
    fn markdown(&self, report: &mut Report, body: &Body) {
        let o = &body.outline;
        // With an offset, spans are shifted, not looked up in the text.
        self.check_markdown(
            report,
            body.file,
            "",
            Some(body.offset),
            &o.links,
            &o.raw_html,
        );
    }

    /// Checks the links of Markdown held in a TOML string; `offset` is `None`
    /// when the text's position in the file is unknown.
    pub(crate) fn markdown_at(
        &self,
        report: &mut Report,
        file: FileId,
        text: &str,
        offset: Option<usize>,
    ) {
        let links = markdown::links(text);
        let raw = markdown::raw_html(text);
        self.check_markdown(report, file, text, offset, &links, &raw);
    }

    /// Checks links and raw HTML found in `text` (see [`Ctx::markdown_at`]).
    fn check_markdown(
        &self,
        report: &mut Report,
        file: FileId,
        text: &str,
        offset: Option<usize>,
        links: &[markdown::LinkRef],
        raw_html: &[(String, std::ops::Range<usize>)],
    ) {
        let locate = |report: &Report, span: std::ops::Range<usize>, fallback: &str| match offset {
            Some(o) => shift(span, o),
            // The Markdown sits in a TOML string: find it as written (not just
            // a destination, which `see` lists may repeat).
            None => {
                let source = report.sources.text(file);
                let written = text.get(span).unwrap_or("");
                match source.find(written).filter(|_| !written.is_empty()) {
                    Some(i) => i..i + written.len(),
                    None => crate::content::find_span_in(source, fallback),
                }
            }
        };
        for link in links {
            let span = locate(report, link.span.clone(), &link.dest);
            if link.dest.starts_with('@') {
                if let Err(e) = self.links.resolve(&link.dest) {
                    report
                        .error(file, span, format!("broken link: {e}"))
                        .label("does not resolve");
                }
            } else if self.raw_html != RawHtml::Allow && html::is_script_url(&link.dest) {
                report
                    .error(
                        file,
                        span,
                        "`javascript:` and `data:` URLs are not allowed in links and images",
                    )
                    .label("script URL")
                    .note("only `[markdown] raw_html = \"allow\"` in site.toml permits them");
            } else if link.image && html::is_external(&link.dest) {
                report
                    .error(
                        file,
                        span,
                        "images must be stored with the site: no request may leave it",
                    )
                    .label("external image");
            }
        }
        if self.raw_html == RawHtml::Escape {
            return;
        }
        for (fragment, range) in raw_html {
            for attr in html::attributes(fragment) {
                // Script URLs in raw tags are not checked: `sanitize` removes
                // them and `allow` means allowed. Requests to other sites are
                // refused in every mode that publishes the tag.
                let Some(problem) = html::attribute_problem(&attr) else {
                    continue;
                };
                let span = locate(report, range.clone(), fragment);
                report
                    .error(
                        file,
                        span,
                        format!("raw HTML `<{} {}=…>`: {problem}", attr.tag, attr.name),
                    )
                    .label("external request");
            }
        }
    }
}
