//! Redirect pages at the old URLs of moved entries (`moved_from`): a
//! zero-second meta refresh, a canonical link to the new URL, `noindex`, and
//! a plain link for readers without automatic redirects. They are not listed
//! in the sitemap.

use super::markdown::escape;
use super::mount;
use super::OutputFile;
use crate::content::ids::url_for;
use crate::content::Site;

/// One redirect page per well-formed `moved_from` id that no live page uses;
/// `extra_body` is added at the end of `<body>` as on every other page (the
/// live-reload client of `zhiku serve`, empty for a build).
pub fn files(
    site: &Site,
    mount_path: &str,
    extra_body: &str,
    strings: &crate::theme::Strings,
) -> Vec<OutputFile> {
    fn t<'a>(strings: &'a crate::theme::Strings, key: &'a str) -> &'a str {
        strings.get(key).map_or(key, String::as_str)
    }
    let words = Words {
        lang: &site.config.language,
        moved: t(strings, "redirect_title"),
        separator: t(strings, "title_separator"),
        text: t(strings, "redirect_text"),
    };
    let base = site.config.absolute_prefix();
    let mut out: Vec<OutputFile> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let live: std::collections::HashSet<&str> =
        site.entries.iter().map(|e| e.id.as_str()).collect();
    for e in &site.entries {
        let Some(new_url) = url_for(&e.id) else {
            continue;
        };
        for old in &e.front.moved_from {
            let old_id = old.get_ref().trim_start_matches('@');
            if live.contains(old_id) || !seen.insert(old_id.to_string()) {
                continue;
            }
            let Some(old_url) = url_for(old_id).filter(|u| u.starts_with("/faq/")) else {
                continue;
            };
            out.push(OutputFile {
                path: format!("{}index.html", old_url.trim_start_matches('/')),
                bytes: page(
                    &words,
                    &site.config.title,
                    &e.front.title,
                    &mount::under(mount_path, &new_url),
                    &format!("{base}{new_url}"),
                )
                .replace("</body>", &format!("{extra_body}</body>"))
                .into_bytes(),
            });
        }
    }
    out
}

/// The site's words on a redirect page (from the theme's interface strings).
struct Words<'a> {
    lang: &'a str,
    moved: &'a str,
    separator: &'a str,
    text: &'a str,
}

/// The HTML of one redirect page.
fn page(w: &Words<'_>, site_title: &str, title: &str, href: &str, canonical: &str) -> String {
    let (site_title, title, href, canonical) = (
        escape(site_title),
        escape(title),
        escape(href),
        escape(canonical),
    );
    let (lang, moved, sep, text) = (
        escape(w.lang),
        escape(w.moved),
        escape(w.separator),
        escape(w.text),
    );
    format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>{moved}{sep}{site_title}</title>\n\
         <meta name=\"robots\" content=\"noindex\">\n\
         <meta http-equiv=\"refresh\" content=\"0; url={href}\">\n\
         <link rel=\"canonical\" href=\"{canonical}\">\n</head>\n<body>\n\
         <p>{text}<a href=\"{href}\">{title}</a></p>\n</body>\n</html>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_has_refresh_canonical_noindex_and_link() {
        let words = Words {
            lang: "zh-CN",
            moved: "页面已移动",
            separator: " · ",
            text: "本页已移至新地址：",
        };
        let html = page(
            &words,
            "知库",
            "问题",
            "/kb/faq/a/b/",
            "https://x.cn/kb/faq/a/b/",
        );
        assert!(html.contains("<meta http-equiv=\"refresh\" content=\"0; url=/kb/faq/a/b/\">"));
        assert!(html.contains("<link rel=\"canonical\" href=\"https://x.cn/kb/faq/a/b/\">"));
        assert!(html.contains("<meta name=\"robots\" content=\"noindex\">"));
        assert!(html.contains("<a href=\"/kb/faq/a/b/\">问题</a>"));
    }
}
