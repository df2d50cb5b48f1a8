//! Raw HTML written in Markdown: the sanitiser's allow-list, and the URL
//! checks validation runs on links, images and raw tags.

use std::borrow::Cow;
use std::cell::RefCell;
use std::sync::OnceLock;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{
    BufferQueue, Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};

/// The sanitiser: ammonia's defaults (no scripts, no event handlers, no
/// `javascript:`/`data:` URLs, no iframes, forms or styles), plus what help
/// pages and zhiku's own Markdown output use: ids and classes (heading
/// anchors, highlighted code, footnotes), `data-lang` on code blocks,
/// task-list checkboxes and table cell alignment.
fn builder() -> &'static ammonia::Builder<'static> {
    static BUILDER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    BUILDER.get_or_init(|| {
        let mut b = ammonia::Builder::default();
        b.add_tags(["input", "abbr", "dfn"])
            .add_generic_attributes(["id", "class"])
            .add_tag_attributes("pre", ["data-lang"])
            .add_tag_attributes("input", ["type", "checked", "disabled"])
            .add_tag_attributes("td", ["style"])
            .add_tag_attributes("th", ["style"])
            .add_tag_attributes("img", ["title"])
            .add_tag_attributes("a", ["title"])
            .add_tag_attributes("details", ["open"])
            .add_tag_attribute_values("input", "type", ["checkbox"])
            // Markdown links keep their own `rel`: nothing is added, so
            // content without raw HTML renders byte for byte as before.
            .link_rel(None)
            .attribute_filter(|_element, attribute, value| {
                if attribute == "style" {
                    // Only the table alignment pulldown-cmark writes; any other CSS
                    // could load images from elsewhere.
                    let v = value.trim().trim_end_matches(';').trim();
                    return matches!(
                        v,
                        "text-align: left" | "text-align: center" | "text-align: right"
                    )
                    .then(|| Cow::Borrowed(value));
                }
                Some(Cow::Borrowed(value))
            });
        b
    })
}

/// Cleans an HTML fragment with the allow-list above.
pub fn sanitize(html: &str) -> String {
    builder().clean(html).to_string()
}

/// True for URLs that run code or embed a document: `javascript:`,
/// `vbscript:` and `data:`, in any letter case and with the blanks and
/// control characters browsers ignore inside a scheme.
pub fn is_script_url(url: &str) -> bool {
    let squashed: String = url
        .chars()
        .filter(|c| !c.is_ascii_whitespace() && !c.is_control())
        .take(16)
        .collect::<String>()
        .to_ascii_lowercase();
    ["javascript:", "vbscript:", "data:"]
        .iter()
        .any(|s| squashed.starts_with(s))
}

/// True for URLs that make the browser fetch from another host
/// (`http:`, `https:`, protocol-relative `//`), in any letter case.
pub fn is_external(url: &str) -> bool {
    let u = url.trim_start().to_ascii_lowercase();
    u.starts_with("http:")
        || u.starts_with("https:")
        || u.starts_with("//")
        || u.starts_with("\\\\")
        || u.starts_with("/\\")
}

/// One attribute of a raw HTML start tag, with entities decoded as a browser would.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawAttr {
    /// Tag name, lower case.
    pub tag: String,
    /// Attribute name, lower case.
    pub name: String,
    /// Decoded value.
    pub value: String,
}

#[derive(Default)]
struct Collect {
    attrs: RefCell<Vec<RawAttr>>,
}

impl TokenSink for Collect {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        if let Token::TagToken(Tag {
            kind: TagKind::StartTag,
            name,
            attrs,
            ..
        }) = token
        {
            let mut out = self.attrs.borrow_mut();
            for a in attrs {
                out.push(RawAttr {
                    tag: name.to_string(),
                    name: a.name.local.to_string(),
                    value: a.value.to_string(),
                });
            }
        }
        TokenSinkResult::Continue
    }
}

/// Every attribute of every start tag in a raw HTML fragment (html5ever's
/// tokenizer, so entity-encoded values are seen decoded).
pub fn attributes(fragment: &str) -> Vec<RawAttr> {
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(fragment));
    let tok = Tokenizer::new(Collect::default(), TokenizerOpts::default());
    let _ = tok.feed(&input);
    tok.end();
    tok.sink.attrs.take()
}

/// What is wrong with one raw HTML attribute, if anything: a request to
/// another site (images, media, frames, stylesheets).
pub fn attribute_problem(a: &RawAttr) -> Option<&'static str> {
    let loads = matches!(
        a.name.as_str(),
        "src" | "srcset" | "poster" | "data" | "background"
    ) || (a.tag == "link" && a.name == "href");
    (loads && is_external(&a.value))
        .then_some("raw HTML may not load anything from another site: no request may leave it")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitizer_removes_active_content() {
        let dirty = "<p onclick=\"x()\">a</p><script>alert(1)</script>\
            <iframe src=\"javascript:alert(1)\"></iframe>\
            <a href=\"JaVaScRiPt:alert(1)\">l</a><a href=\"jav&#x61;script:alert(1)\">m</a>\
            <img src=x onerror=alert(1)><a href=\"data:text/html,x\">d</a>";
        let clean = sanitize(dirty);
        for bad in ["onclick", "<script", "alert", "iframe", "onerror", "data:"] {
            assert!(!clean.to_lowercase().contains(bad), "{bad} in {clean}");
        }
    }

    #[test]
    fn sanitizer_keeps_help_markup() {
        let ok = "<details open=\"\"><summary>看</summary><p>按 <kbd>Ctrl</kbd>+<kbd>C</kbd>，H<sub>2</sub>O，x<sup>2</sup>，<mark>注意</mark></p></details>\
            <h2 id=\"a\">t</h2><pre class=\"code\" data-lang=\"toml\"><code><span class=\"hl-x\">a</span></code></pre>\
            <table><thead><tr><th style=\"text-align: left\">a</th></tr></thead></table>";
        assert_eq!(sanitize(ok), ok);
    }

    #[test]
    fn urls_are_checked_in_any_case() {
        assert!(is_script_url("JAVASCRIPT:alert(1)"));
        assert!(is_script_url(" java\tscript:alert(1)"));
        assert!(is_script_url("Data:text/html,x"));
        assert!(!is_script_url("/faq/a/"));
        assert!(is_external("HTTPS://example.com/a.png"));
        assert!(is_external("//example.com/a.png"));
        assert!(!is_external("/static/a.png"));
    }

    #[test]
    fn raw_attributes_are_decoded() {
        let a = attributes("<a href=\"jav&#x61;script:x\">");
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].value, "javascript:x");
        assert!(is_script_url(&a[0].value));
        assert!(attribute_problem(&a[0]).is_none());
        let img = attributes("<IMG SRC=\"HTTPS://example.com/x.png\">");
        assert_eq!(img[0].tag, "img");
        assert!(attribute_problem(&img[0]).is_some());
    }
}
