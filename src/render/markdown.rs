//! Markdown to HTML: tables, footnotes, heading anchors, internal `@id` links
//! and syntect highlighting with CSS classes.

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::sync::OnceLock;

use pulldown_cmark::{CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use serde::Serialize;
use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

use crate::content::ids::anchor_for;
pub use crate::content::RawHtml;

/// A heading listed in an entry's table of contents.
#[derive(Debug, Clone, Serialize)]
pub struct TocItem {
    /// 2 or 3.
    pub level: u8,
    /// Heading text.
    pub text: String,
    /// Anchor id.
    pub anchor: String,
}

/// The HTML of a Markdown text plus what templates and search need from it.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    /// HTML fragment.
    pub html: String,
    /// Level 2 and 3 headings.
    pub toc: Vec<TocItem>,
    /// Plain text, for search and descriptions.
    pub text: String,
}

/// Markdown extensions zhiku enables everywhere.
pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
}

fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(SyntaxSet::load_defaults_newlines)
}

/// A link found in Markdown: its destination and byte range in the text.
#[derive(Debug, Clone)]
pub struct LinkRef {
    /// Destination as written.
    pub dest: String,
    /// Byte range of the whole link in the Markdown.
    pub span: Range<usize>,
    /// True for images.
    pub image: bool,
}

/// Every link and image in a Markdown text.
pub fn links(md: &str) -> Vec<LinkRef> {
    Parser::new_ext(md, options())
        .into_offset_iter()
        .filter_map(|(ev, span)| match ev {
            Event::Start(Tag::Link { dest_url, .. }) => Some(LinkRef {
                dest: dest_url.to_string(),
                span,
                image: false,
            }),
            Event::Start(Tag::Image { dest_url, .. }) => Some(LinkRef {
                dest: dest_url.to_string(),
                span,
                image: true,
            }),
            _ => None,
        })
        .collect()
}

/// Every piece of raw HTML in a Markdown text (block lines and inline tags)
/// with its byte range.
pub fn raw_html(md: &str) -> Vec<(String, Range<usize>)> {
    Parser::new_ext(md, options())
        .into_offset_iter()
        .filter_map(|(ev, span)| match ev {
            Event::Html(h) | Event::InlineHtml(h) => Some((h.to_string(), span)),
            _ => None,
        })
        .collect()
}

/// Anchors of every heading of a Markdown text, in order (as [`render`] assigns them).
pub fn heading_anchors(md: &str) -> Vec<String> {
    let mut seen = Anchors::default();
    let mut out = Vec::new();
    let mut text: Option<String> = None;
    for ev in Parser::new_ext(md, options()) {
        match ev {
            Event::Start(Tag::Heading { id, .. }) => {
                if let Some(id) = id {
                    out.push(seen.unique(id.to_string()));
                } else {
                    text = Some(String::new());
                }
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some(buf) = text.as_mut() {
                    buf.push_str(&t);
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some(t) = text.take() {
                    out.push(seen.unique(anchor_for(&t)));
                }
            }
            _ => {}
        }
    }
    out
}

/// Anchors handed out so far in one text, and for each base the next suffix
/// to try, so `n` copies of one heading cost `n` steps rather than `n²`.
#[derive(Default)]
struct Anchors {
    seen: HashSet<String>,
    next: HashMap<String, usize>,
}

impl Anchors {
    /// `base`, or `base-2`, `base-3`, … whichever is free first.
    fn unique(&mut self, base: String) -> String {
        if self.seen.insert(base.clone()) {
            return base;
        }
        let n = self.next.entry(base.clone()).or_insert(2);
        loop {
            let candidate = format!("{base}-{n}");
            *n += 1;
            if self.seen.insert(candidate.clone()) {
                return candidate;
            }
        }
    }
}

/// A heading being collected: level, explicit id, classes and inner events.
type PendingHeading<'a> = Option<(
    HeadingLevel,
    Option<CowStr<'a>>,
    Vec<CowStr<'a>>,
    Vec<Event<'a>>,
)>;

/// What one parse of a Markdown text yields besides its HTML: computed once
/// per body when the site loads, then read by the link table (anchors),
/// validation (links, raw HTML), backlinks and the search documents (text),
/// so only the final HTML render parses the text again.
#[derive(Debug, Clone, Default)]
pub struct Outline {
    /// Anchor of every heading, in order, as [`render`] assigns them.
    pub anchors: Vec<String>,
    /// Every link and image.
    pub links: Vec<LinkRef>,
    /// Every piece of raw HTML with its byte range.
    pub raw_html: Vec<(String, Range<usize>)>,
    /// Plain text, exactly as [`render`] gives it in [`Rendered::text`].
    pub text: String,
}

/// The [`Outline`] of a Markdown text (no HTML, no highlighting).
pub fn outline(md: &str, raw: RawHtml) -> Outline {
    walk(md, &|_| None, raw, false).1
}

/// What ends a table cell or a list item in [`Rendered::text`].
pub const ITEM_SEPARATOR: &str = " · \n";

/// Renders Markdown; `resolve` maps `@id#anchor` link targets to URLs and
/// `raw` says what becomes of raw HTML.
pub fn render(md: &str, resolve: &dyn Fn(&str) -> Option<String>, raw: RawHtml) -> Rendered {
    walk(md, resolve, raw, true).0
}

/// The one pass over the events behind [`render`] and [`outline`]; with
/// `html` false no HTML is made (code is not highlighted either).
fn walk(
    md: &str,
    resolve: &dyn Fn(&str) -> Option<String>,
    raw: RawHtml,
    html_wanted: bool,
) -> (Rendered, Outline) {
    let mut has_raw_html = false;
    let mut events: Vec<Event> = Vec::new();
    let mut toc = Vec::new();
    let mut text = String::new();
    let mut seen = Anchors::default();
    let mut heading: PendingHeading = None;
    let mut code: Option<(String, String)> = None;
    let mut outline = Outline::default();

    for (ev, span) in Parser::new_ext(md, options()).into_offset_iter() {
        if let Some((_, buf)) = code.as_mut() {
            match ev {
                Event::Text(t) => buf.push_str(&t),
                Event::End(TagEnd::CodeBlock) => {
                    let (lang, src) = code.take().unwrap_or_default();
                    text.push_str(&src);
                    text.push('\n');
                    if html_wanted {
                        events.push(Event::Html(highlight(&lang, &src).into()));
                    }
                }
                _ => {}
            }
            continue;
        }
        match &ev {
            Event::Start(Tag::Link { dest_url, .. }) => outline.links.push(LinkRef {
                dest: dest_url.to_string(),
                span: span.clone(),
                image: false,
            }),
            Event::Start(Tag::Image { dest_url, .. }) => outline.links.push(LinkRef {
                dest: dest_url.to_string(),
                span: span.clone(),
                image: true,
            }),
            Event::Html(h) | Event::InlineHtml(h) => {
                outline.raw_html.push((h.to_string(), span.clone()));
            }
            _ => {}
        }
        match ev {
            Event::Start(Tag::Heading {
                level, id, classes, ..
            }) => {
                heading = Some((level, id, classes, Vec::new()));
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, id, classes, inner)) = heading.take() {
                    let plain = plain_text(&inner);
                    let anchor = seen.unique(
                        id.map(|i| i.to_string())
                            .unwrap_or_else(|| anchor_for(&plain)),
                    );
                    outline.anchors.push(anchor.clone());
                    let lvl = level as u8;
                    if lvl == 2 || lvl == 3 {
                        toc.push(TocItem {
                            level: lvl,
                            text: plain.clone(),
                            anchor: anchor.clone(),
                        });
                    }
                    text.push_str(&plain);
                    text.push('\n');
                    if html_wanted {
                        events.push(Event::Start(Tag::Heading {
                            level,
                            id: Some(anchor.into()),
                            classes,
                            attrs: vec![],
                        }));
                        events.extend(inner);
                        events.push(Event::End(TagEnd::Heading(level)));
                    }
                }
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(l) => {
                        l.split_whitespace().next().unwrap_or("").to_string()
                    }
                    CodeBlockKind::Indented => String::new(),
                };
                code = Some((lang, String::new()));
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let dest = if html_wanted {
                    rewrite(&dest_url, resolve)
                } else {
                    dest_url
                };
                push(
                    &mut heading,
                    &mut events,
                    Event::Start(Tag::Link {
                        link_type,
                        dest_url: dest,
                        title,
                        id,
                    }),
                );
            }
            Event::Html(h) | Event::InlineHtml(h) if raw == RawHtml::Escape => {
                push(&mut heading, &mut events, Event::Text(h));
            }
            Event::Html(_) | Event::InlineHtml(_) => {
                has_raw_html = true;
                push(&mut heading, &mut events, ev);
            }
            Event::Text(ref t) | Event::Code(ref t) => {
                if heading.is_none() {
                    text.push_str(t);
                }
                push(&mut heading, &mut events, ev);
            }
            Event::SoftBreak
            | Event::HardBreak
            | Event::End(TagEnd::Paragraph)
            | Event::End(TagEnd::TableRow)
            | Event::End(TagEnd::TableHead) => {
                if heading.is_none() {
                    text.push('\n');
                }
                push(&mut heading, &mut events, ev);
            }
            // Cells and list items are set apart, so search snippets (and
            // bigrams) never run two of them together.
            Event::End(TagEnd::TableCell) | Event::End(TagEnd::Item) => {
                if heading.is_none() {
                    text.push_str(ITEM_SEPARATOR);
                }
                push(&mut heading, &mut events, ev);
            }
            other => push(&mut heading, &mut events, other),
        }
    }
    if !html_wanted {
        // Outlines are kept for the whole load of a site: without the
        // room the text grew into, 50,000 entries' take 45 MB less.
        text.shrink_to_fit();
        outline.text = text;
        return (Rendered::default(), outline);
    }
    let mut html = String::with_capacity(md.len() * 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    // Only text that holds raw HTML goes through the sanitiser, so everything
    // else keeps pulldown-cmark's exact output.
    if has_raw_html && raw == RawHtml::Sanitize {
        html = super::html::sanitize(&html);
    }
    (Rendered { html, toc, text }, outline)
}

fn push<'a>(heading: &mut PendingHeading<'a>, events: &mut Vec<Event<'a>>, ev: Event<'a>) {
    match heading {
        Some((_, _, _, inner)) => inner.push(ev),
        None => events.push(ev),
    }
}

fn rewrite<'a>(dest: &CowStr<'a>, resolve: &dyn Fn(&str) -> Option<String>) -> CowStr<'a> {
    if dest.starts_with('@') {
        resolve(dest)
            .map(CowStr::from)
            .unwrap_or_else(|| CowStr::from("#"))
    } else {
        dest.clone()
    }
}

fn plain_text(events: &[Event]) -> String {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Text(t) | Event::Code(t) => Some(t.as_ref()),
            _ => None,
        })
        .collect()
}

/// Renders a one-paragraph Markdown text without the wrapping `<p>`, for use inside lists.
pub fn render_inline(md: &str, resolve: &dyn Fn(&str) -> Option<String>, raw: RawHtml) -> String {
    let html = render(md, resolve, raw).html;
    let trimmed = html.trim_end();
    match trimmed
        .strip_prefix("<p>")
        .and_then(|h| h.strip_suffix("</p>"))
    {
        Some(inner) if !inner.contains("<p>") => inner.to_string(),
        _ => html,
    }
}

/// Highlights code with CSS classes (`syntax.css` styles them); unknown languages stay plain.
pub fn highlight(lang: &str, src: &str) -> String {
    let set = syntaxes();
    let syntax = set
        .find_syntax_by_token(lang)
        .unwrap_or_else(|| set.find_syntax_plain_text());
    let mut gen = ClassedHTMLGenerator::new_with_class_style(
        syntax,
        set,
        ClassStyle::SpacedPrefixed { prefix: "hl-" },
    );
    for line in LinesWithEndings::from(src) {
        if gen
            .parse_html_for_line_which_includes_newline(line)
            .is_err()
        {
            return format!("<pre><code>{}</code></pre>", escape(src));
        }
    }
    let lang_attr = escape(lang);
    format!(
        "<pre class=\"code\" data-lang=\"{lang_attr}\"><code>{}</code></pre>",
        gen.finalize()
    )
}

/// HTML escaping for text and attribute values (one implementation, shared with search snippets).
pub use search_index::snippet::escape;

/// CSS for highlighted code, light and dark.
pub fn syntax_css() -> String {
    use syntect::highlighting::ThemeSet;
    use syntect::html::css_for_theme_with_class_style;
    let themes = ThemeSet::load_defaults();
    let style = ClassStyle::SpacedPrefixed { prefix: "hl-" };
    let light = themes
        .themes
        .get("InspiredGitHub")
        .and_then(|t| css_for_theme_with_class_style(t, style).ok());
    let dark = themes
        .themes
        .get("base16-ocean.dark")
        .and_then(|t| css_for_theme_with_class_style(t, style).ok());
    format!(
        "{}\n@media (prefers-color-scheme: dark) {{\n{}\n}}\n",
        light.unwrap_or_default(),
        dark.unwrap_or_default()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_tables_footnotes_anchors_and_links() {
        let md = "## 办理 流程\n\n|a|b|\n|-|-|\n|1|2|\n\n见[这里](@faq/a/b#x)[^1]\n\n[^1]: 注\n\n## 办理 流程\n";
        let r = render(
            md,
            &|d| Some(format!("/resolved/{}", &d[1..])),
            RawHtml::Sanitize,
        );
        assert!(r.html.contains("<table>"));
        assert!(r.html.contains("id=\"办理-流程\""));
        assert!(r.html.contains("id=\"办理-流程-2\""));
        assert!(r.html.contains("href=\"/resolved/faq/a/b#x\""));
        assert!(r.html.contains("footnote"));
        assert_eq!(r.toc.len(), 2);
        assert_eq!(heading_anchors(md), vec!["办理-流程", "办理-流程-2"]);
        let o = outline(md, RawHtml::Sanitize);
        assert_eq!(o.anchors, heading_anchors(md));
        assert_eq!(o.text, r.text);
        let dests: Vec<String> = links(md).into_iter().map(|l| l.dest).collect();
        assert_eq!(
            o.links.iter().map(|l| l.dest.clone()).collect::<Vec<_>>(),
            dests
        );
    }

    #[test]
    fn repeated_headings_get_distinct_anchors() {
        // `a-2` written by hand takes that anchor; the second `a` skips to `a-3`.
        let md = "## a\n## a-2\n## a\n## a\n";
        assert_eq!(heading_anchors(md), vec!["a", "a-2", "a-3", "a-4"]);
        let many = "## 标题\n".repeat(3000);
        let anchors = heading_anchors(&many);
        assert_eq!(anchors.len(), 3000);
        assert_eq!(anchors[2999], "标题-3000");
        let unique: HashSet<&String> = anchors.iter().collect();
        assert_eq!(unique.len(), 3000);
    }

    #[test]
    fn raw_html_modes() {
        let md = "<script>alert(1)</script>\n\n按 <kbd>Ctrl</kbd> <img src=x onerror=alert(1)>\n";
        let clean = render(md, &|_| None, RawHtml::Sanitize).html;
        assert!(
            !clean.contains("script") && !clean.contains("onerror"),
            "{clean}"
        );
        assert!(clean.contains("<kbd>Ctrl</kbd>"), "{clean}");
        let escaped = render(md, &|_| None, RawHtml::Escape).html;
        assert!(
            escaped.contains("&lt;script&gt;") && !escaped.contains("<kbd>"),
            "{escaped}"
        );
        let raw = render(md, &|_| None, RawHtml::Allow).html;
        assert!(raw.contains("<script>alert(1)</script>"), "{raw}");
    }

    #[test]
    fn table_cells_and_list_items_stay_apart_in_the_text() {
        let md = "| 环节 | 时长 |\n|---|---|\n| 初审 | 1~2 个工作日 |\n| 终审 | 20 个工作日 |\n\n- 甲\n- 乙\n";
        let text = render(md, &|_| None, RawHtml::Sanitize).text;
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            flat.contains("初审 · 1~2 个工作日 · 终审 · 20 个工作日"),
            "{flat}"
        );
        assert!(flat.contains("甲 · 乙"), "{flat}");
        // The outline the site keeps for search documents has the same text.
        assert_eq!(outline(md, RawHtml::Sanitize).text, text);
    }

    #[test]
    fn highlights_with_classes() {
        let r = render("```toml\na = 1\n```\n", &|_| None, RawHtml::Sanitize);
        assert!(r.html.contains("class=\"hl-"), "{}", r.html);
    }
}
