//! Turning a validated [`Site`] into HTML pages with the theme's Tera templates.
//!
//! Every output page has a [`PageKey`]; [`Renderer::pages`] lists them and
//! [`Renderer::render`] renders one, so a full build and the live server's
//! partial rebuilds share one code path.

pub mod feed;
pub mod html;
pub mod icons;
pub mod inline_json;
pub mod inputs;
pub mod markdown;
mod model;
pub mod mount;
pub mod offline;
mod page_extras;
mod redirects;
mod seo;

use std::collections::HashMap;

use rayon::prelude::*;
use serde_json::json;
use tera::Tera;

use crate::content::links::LinkTable;
use crate::content::Site;
use crate::theme::Theme;
use model::Model;
pub use model::{dependency_id, depends_on, LinkView, SearchAssets};

/// Why rendering failed (theme problems; content problems are caught by validation).
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// A template did not parse.
    #[error("theme templates ({theme}): {message}")]
    Templates {
        /// Which theme: `built-in`, or the site theme's folder.
        theme: String,
        /// Tera's explanation, with its causes.
        message: String,
    },
    /// The interface strings could not be put together.
    #[error(transparent)]
    Strings(#[from] crate::theme::StringsError),
    /// A body could not be read again to be rendered.
    #[error(transparent)]
    Body(#[from] crate::content::BodyError),
    /// A template failed on a page.
    #[error("rendering {page} with {template}: {message}")]
    Page {
        /// Output path.
        page: String,
        /// Template name.
        template: String,
        /// Tera's explanation, with its causes.
        message: String,
    },
}

/// Identifies one output page.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PageKey {
    /// `/`
    Home,
    /// `/faq/<chapter>/`
    Chapter(String),
    /// `/faq/<chapter>/<slug>/`
    Entry(String),
    /// `/rejections/`
    Rejections,
    /// `/rejections/<slug>/`
    Rejection(String),
    /// `/provinces/`
    Provinces,
    /// `/provinces/<pinyin>/`
    Province(String),
    /// `/provinces/compare/`
    Compare,
    /// `/decision/<name>/`
    Decision(String),
    /// `/tools/`
    Tools,
    /// `/tools/name-check/`: the website/APP name checker.
    NameCheck,
    /// `/tools/preapproval/`: the pre-approval checker.
    Preapproval,
    /// `/search/`
    Search,
    /// `/404.html`
    NotFound,
}

/// A rendered file, path relative to the output root.
#[derive(Debug, Clone)]
pub struct OutputFile {
    /// e.g. `faq/basics/x/index.html`
    pub path: String,
    /// File contents.
    pub bytes: Vec<u8>,
}

/// Renders pages of one loaded site.
pub struct Renderer<'s> {
    tera: Tera,
    /// Where the site's root is on its host (`/`, `/kb/`); see [`mount`].
    mount: String,
    model: Model<'s>,
    extra_head: String,
    /// Pages register the service worker (`zhiku build` with `[offline]` on).
    offline: bool,
}

fn tera_message(e: &tera::Error) -> String {
    let mut msg = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        source = s.source();
    }
    msg
}

impl<'s> Renderer<'s> {
    /// Loads the theme's templates and prepares the site's derived data.
    pub fn new(site: &'s Site, theme: &Theme, search: SearchAssets) -> Result<Self, RenderError> {
        let strings = crate::theme::site_strings(theme, &site.config)?;
        // The strings are constants of the site: `{{ t(k="x") }}` becomes
        // its escaped text before parsing, so pages render it as plain text
        // (a function call per label was a quarter of the render time).
        let sources: Vec<(&str, String)> = theme
            .templates
            .iter()
            .map(|(n, t)| (n.as_str(), inline_strings(t, &strings)))
            .collect();
        let mut tera = Tera::default();
        tera.add_raw_templates(sources.iter().map(|(n, t)| (*n, t.as_str())))
            .map_err(|e| RenderError::Templates {
                theme: theme
                    .dir
                    .as_ref()
                    .map_or("built-in".into(), |d| d.display().to_string()),
                message: tera_message(&e),
            })?;
        tera.autoescape_on(vec![".html"]);
        // A function rather than a `t` map in every page's context: Tera
        // copies the whole context per page, and 200 strings per page cost
        // a fifth of the render time of the reference site.
        tera.register_function("t", StringsFn(std::sync::Arc::new(strings.clone())));
        // Tera's own escaping also turns `/` into `&#x2F;`, which makes every
        // URL in an attribute unreadable; `/` needs no escaping in HTML.
        tera.set_escape_fn(markdown::escape);
        // For templates that embed a value as JSON in a `<script>`: the only safe way.
        tera.register_filter("script_json", inline_json::tera_filter);
        let links = LinkTable::new(site);
        Ok(Renderer {
            tera,
            mount: site.config.mount(),
            model: Model::new(site, links, search, strings),
            extra_head: String::new(),
            offline: site.config.offline.enabled,
        })
    }

    /// Renders for a server that puts the site at `/` (`zhiku serve`),
    /// whatever the path of `base_url`.
    /// The preview has no service worker either: it must never be served
    /// from a cache.
    pub fn serve_at_root(&mut self) {
        self.mount = "/".into();
        self.offline = false;
    }

    /// HTML added at the end of every page's `<body>` (used by `zhiku serve`).
    pub fn set_extra_body(&mut self, html: String) {
        self.extra_head = html;
    }

    /// Every page of the site: the core pages, and those of each module the
    /// site has content for.
    pub fn pages(&self) -> Vec<PageKey> {
        let s = self.model.site;
        let modules = self.model.modules;
        let mut keys = vec![PageKey::Home, PageKey::Search, PageKey::NotFound];
        if modules.rejections {
            keys.push(PageKey::Rejections);
        }
        if modules.provinces {
            keys.extend([
                PageKey::Provinces,
                PageKey::Compare,
                PageKey::NameCheck,
                PageKey::Preapproval,
            ]);
        }
        if modules.tools {
            keys.push(PageKey::Tools);
        }
        keys.extend(s.chapters.iter().map(|c| PageKey::Chapter(c.id.clone())));
        keys.extend(s.entries.iter().map(|e| PageKey::Entry(e.id.clone())));
        keys.extend(
            s.rejections
                .iter()
                .map(|r| PageKey::Rejection(r.id.clone())),
        );
        keys.extend(s.provinces.iter().map(|p| PageKey::Province(p.id.clone())));
        keys.extend(s.trees.iter().map(|t| PageKey::Decision(t.id.clone())));
        keys
    }

    /// Output path of a page.
    pub fn path_of(&self, key: &PageKey) -> String {
        let url = self.model.url_of(key);
        if url.ends_with(".html") {
            url.trim_start_matches('/').to_string()
        } else {
            format!("{}index.html", url.trim_start_matches('/'))
        }
    }

    /// Renders every page in parallel, plus sitemap, robots.txt and the
    /// syntax CSS, handing each file to `put` as soon as it is made (so a
    /// build holds one page per thread, not the site).
    pub fn render_each<E>(
        &self,
        put: &(dyn Fn(OutputFile) -> Result<(), E> + Sync),
    ) -> Result<(), E>
    where
        E: From<RenderError> + Send,
    {
        let keys = self.pages();
        keys.par_iter().try_for_each(|k| put(self.render(k)?))?;
        self.extras(&keys)?.into_iter().try_for_each(put)
    }

    /// sitemap.xml, robots.txt, syntax.css and the redirect pages of moved
    /// entries (not in the sitemap).
    pub fn extras(&self, keys: &[PageKey]) -> Result<Vec<OutputFile>, RenderError> {
        let base = self.model.site.config.base_url.trim_end_matches('/');
        let urls: Vec<String> = keys
            .iter()
            .filter(|k| **k != PageKey::NotFound)
            .map(|k| self.model.url_of(k))
            .collect();
        let mut files = vec![
            OutputFile {
                path: "sitemap.xml".into(),
                bytes: seo::sitemap(base, &urls).into_bytes(),
            },
            OutputFile {
                path: "robots.txt".into(),
                bytes: format!("User-agent: *\nAllow: /\nSitemap: {base}/sitemap.xml\n")
                    .into_bytes(),
            },
            OutputFile {
                path: "static/syntax.css".into(),
                bytes: markdown::syntax_css().into_bytes(),
            },
            OutputFile {
                path: "static/strings.js".into(),
                bytes: format!(
                    "// Interface strings for the theme's scripts; written by zhiku build.\nwindow.zhikuStrings = {};\n",
                    self.model.js_strings
                )
                .into_bytes(),
            },
        ];
        files.extend(icons::files(&self.model.site.config));
        if let Some(xml) = self.model.feed_xml()? {
            files.push(OutputFile {
                path: "feed.xml".into(),
                bytes: xml.into_bytes(),
            });
        }
        files.extend(redirects::files(
            self.model.site,
            &self.mount,
            &self.extra_head,
            &self.model.strings,
        ));
        Ok(files)
    }

    /// Renders one page.
    pub fn render(&self, key: &PageKey) -> Result<OutputFile, RenderError> {
        let (template, mut ctx) = self.model.context(key)?;
        let m = &self.model;
        let url = m.url_of(key);
        ctx.insert("site", &m.site.config);
        ctx.insert("modules", &m.modules);
        // `nav` lists every chapter; only the pages that show it get it:
        // copying it into every entry page's context was half the CPU time of
        // a 10,000-entry build.
        if matches!(key, PageKey::Home | PageKey::NotFound) {
            ctx.insert("nav", &m.nav);
        }
        ctx.insert("tools", &m.tools);
        ctx.insert("page_url", &url);
        ctx.insert(
            "canonical",
            &format!("{}{}", m.site.config.base_url.trim_end_matches('/'), url),
        );
        ctx.insert("search", &m.search);
        ctx.insert("extra_body", &self.extra_head);
        ctx.insert("offline", &self.offline);
        page_extras::insert(m, key, &url, &mut ctx);
        if !ctx.contains_key("jsonld") {
            ctx.insert("jsonld", &"");
        }
        let path = self.path_of(key);
        let page_error = |message: String| RenderError::Page {
            page: path.clone(),
            template: template.to_string(),
            message,
        };
        let html = self
            .tera
            .render(template, &ctx)
            .map_err(|e| page_error(tera_message(&e)))?;
        let html = mount::rewrite_html(&html, &self.mount).map_err(page_error)?;
        Ok(OutputFile {
            path,
            bytes: html.into_bytes(),
        })
    }

    /// Ids one page shows (its own item, related items, backlinks; `*` for
    /// every item), as [`Renderer::dependencies`] lists them.
    pub fn dependencies_of(&self, key: &PageKey) -> Vec<String> {
        self.model.dependencies(key)
    }

    /// What every page is rendered with besides its items, as JSON: the
    /// mount, the service worker switch, the search URLs, the modules, the
    /// navigation and the interface strings (see [`inputs`]).
    pub fn settings_json(&self) -> String {
        let m = &self.model;
        json!({
            "mount": self.mount, "offline": self.offline, "extra": self.extra_head,
            "search": m.search, "modules": m.modules, "nav": m.nav, "tools": m.tools,
            "feed": m.has_feed, "sections": m.has_sections, "strings": m.strings,
        })
        .to_string()
    }

    /// Ids a page shows (its own item, related items, backlinks), for partial rebuilds.
    pub fn dependencies(&self) -> HashMap<PageKey, Vec<String>> {
        self.pages()
            .into_iter()
            .map(|k| {
                let deps = self.model.dependencies(&k);
                (k, deps)
            })
            .collect()
    }

    /// JSON the tools pages embed: province rules, for the shared checker.
    pub fn provinces_json(&self) -> serde_json::Value {
        json!(self
            .model
            .site
            .provinces
            .iter()
            .map(|p| &p.data)
            .collect::<Vec<_>>())
    }
}

/// `text` with each `{name}` replaced by its value; unknown names stay as they are.
pub fn fill(text: &str, vars: impl IntoIterator<Item = (impl AsRef<str>, String)>) -> String {
    let mut out = text.to_string();
    for (name, value) in vars {
        out = out.replace(&format!("{{{}}}", name.as_ref()), &value);
    }
    out
}

/// `template` with every `{{ t(k="key") }}` (exactly so written, no other
/// arguments) replaced by the string's escaped text. Strings that hold
/// template syntax are left to the `t` function.
fn inline_strings(template: &str, strings: &crate::theme::Strings) -> String {
    const OPEN: &str = "{{ t(k=\"";
    const CLOSE: &str = "\") }}";
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(at) = rest.find(OPEN) {
        let after = &rest[at + OPEN.len()..];
        let key_len = after
            .find(|c: char| !(c.is_ascii_lowercase() || c == '_'))
            .unwrap_or(after.len());
        let key = &after[..key_len];
        let inline = after[key_len..]
            .starts_with(CLOSE)
            .then(|| strings.get(key))
            .flatten()
            .filter(|text| !text.contains("{{") && !text.contains("{%") && !text.contains("{#"));
        match inline {
            Some(text) => {
                out.push_str(&rest[..at]);
                out.push_str(&markdown::escape(text));
                rest = &after[key_len + CLOSE.len()..];
            }
            None => {
                out.push_str(&rest[..at + OPEN.len()]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Tera function `t`: `{{ t(k="search_button") }}` is the interface string
/// `search_button`; other arguments fill its `{name}` placeholders
/// (`t(k="chapter_entries", n=3)`).
struct StringsFn(std::sync::Arc<crate::theme::Strings>);

impl tera::Function for StringsFn {
    fn call(&self, args: &HashMap<String, tera::Value>) -> tera::Result<tera::Value> {
        let key = args
            .get("k")
            .and_then(tera::Value::as_str)
            .ok_or_else(|| tera::Error::msg("t(k=\"…\") needs the key of an interface string"))?;
        let text = self
            .0
            .get(key)
            .ok_or_else(|| tera::Error::msg(format!("no interface string `{key}` in the theme")))?;
        let vars = args
            .iter()
            .filter(|(k, _)| k.as_str() != "k")
            .map(|(k, v)| {
                let v = match v {
                    tera::Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                (k.as_str(), v)
            });
        Ok(tera::Value::String(fill(text, vars)))
    }

    fn is_safe(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_string_calls_become_escaped_text() {
        let mut strings = crate::theme::Strings::new();
        strings.insert("a".into(), "A & <b>".into());
        strings.insert("n".into(), "{n} items".into());
        strings.insert("odd".into(), "{{ x }}".into());
        let t = r#"<p>{{ t(k="a") }}|{{ t(k="n", n=3) }}|{{ t(k="odd") }}|{{ t(k="missing") }}|{{ t(k="a") | upper }}</p>"#;
        assert_eq!(
            inline_strings(t, &strings),
            r#"<p>A &amp; &lt;b&gt;|{{ t(k="n", n=3) }}|{{ t(k="odd") }}|{{ t(k="missing") }}|{{ t(k="a") | upper }}</p>"#
        );
    }
}
