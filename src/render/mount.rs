//! Hosting a site under a sub-path (`base_url = "https://example.cn/kb/"`).
//!
//! Templates, Markdown and themes write site-relative URLs (`/faq/x/`); at the
//! output boundary every root-relative URL attribute gets the mount path, so a
//! theme override that writes `href="/"` works under any path without knowing
//! about it. Scripts read the mount from `<html data-root>`, which is rewritten
//! the same way.

use lol_html::html_content::Element;
use lol_html::{element, rewrite_str, RewriteStrSettings};

/// Attributes that hold one URL.
const URL_ATTRS: &[&str] = &[
    "href",
    "src",
    "action",
    "poster",
    "data-root",
    "data-loader",
    "data-manifest",
];

/// `path` (site-relative, starting with `/`) under `mount` (`/kb/`); other
/// URLs (absolute, protocol-relative, fragments, relative) are returned as they are.
pub fn under(mount: &str, path: &str) -> String {
    match path.strip_prefix('/') {
        Some(rest) if !rest.starts_with('/') && mount != "/" => format!("{mount}{rest}"),
        _ => path.to_string(),
    }
}

fn srcset_under(mount: &str, srcset: &str) -> String {
    srcset
        .split(',')
        .map(|candidate| {
            let trimmed = candidate.trim_start();
            let lead = &candidate[..candidate.len() - trimmed.len()];
            format!("{lead}{}", under(mount, trimmed))
        })
        .collect::<Vec<_>>()
        .join(",")
}

fn rewrite_element(el: &mut Element<'_, '_>, mount: &str) -> lol_html::HandlerResult {
    for attr in URL_ATTRS {
        if let Some(v) = el.get_attribute(attr) {
            let new = under(mount, &v);
            if new != v {
                el.set_attribute(attr, &new)?;
            }
        }
    }
    if let Some(v) = el.get_attribute("srcset") {
        el.set_attribute("srcset", &srcset_under(mount, &v))?;
    }
    Ok(())
}

/// Puts every root-relative URL attribute of an HTML page under `mount`.
/// A mount of `/` returns the page unchanged.
pub fn rewrite_html(html: &str, mount: &str) -> Result<String, String> {
    if mount == "/" {
        return Ok(html.to_string());
    }
    let selector = URL_ATTRS
        .iter()
        .chain(&["srcset"])
        .map(|a| format!("[{a}]"))
        .collect::<Vec<_>>()
        .join(",");
    rewrite_str(
        html,
        RewriteStrSettings::new().append_element_content_handler(element!(selector, |el| {
            rewrite_element(el, mount)
        })),
    )
    .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_relative_urls_move_under_the_mount() {
        let html = r##"<html data-root="/"><link href="/static/a.css"><a href="/faq/x/#h">x</a>
<a href="#top">t</a><a href="https://e.cn/">e</a><a href="//cdn/x">c</a><a href="rel/">r</a>
<form action="/search/"></form><img src="/i.png" srcset="/a.png 1x, /b.png 2x">
<input data-manifest="/search/m.json"><a href="/search/?q=a&amp;kind=faq">s</a></html>"##;
        let out = rewrite_html(html, "/kb/").expect("rewrites");
        for want in [
            r#"data-root="/kb/""#,
            r#"href="/kb/static/a.css""#,
            r#"href="/kb/faq/x/#h""#,
            r##"href="#top""##,
            r#"href="https://e.cn/""#,
            r#"href="//cdn/x""#,
            r#"href="rel/""#,
            r#"action="/kb/search/""#,
            r#"src="/kb/i.png""#,
            r#"srcset="/kb/a.png 1x, /kb/b.png 2x""#,
            r#"data-manifest="/kb/search/m.json""#,
            r#"href="/kb/search/?q=a&amp;kind=faq""#,
        ] {
            assert!(out.contains(want), "{want} not in {out}");
        }
    }

    #[test]
    fn root_mount_changes_nothing() {
        let html = r#"<a href="/faq/">f</a>"#;
        assert_eq!(rewrite_html(html, "/").expect("rewrites"), html);
        assert_eq!(under("/", "/faq/"), "/faq/");
        assert_eq!(under("/kb/", "/faq/"), "/kb/faq/");
        assert_eq!(under("/kb/", "/"), "/kb/");
    }
}
