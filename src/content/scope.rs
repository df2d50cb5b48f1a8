//! Whose rule an answer states (`scope` in front matter) and the Markdown
//! callouts that mark one provider's procedure inside a mixed answer.
//!
//! A callout is a blockquote whose first line is the provider's name in bold
//! brackets, e.g. for `provider = "华为云"` in `site.toml`:
//!
//! ```text
//! > **[华为云]**
//! >
//! > 在华为云备案中心提交……
//! ```
//!
//! Without zhiku it still reads as a quoted paragraph headed by the provider's name.

use std::ops::Range;

use serde::{Deserialize, Serialize};

/// Whose rule an entry or rejection states.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// National rules (工信部, laws and regulations): apply to every applicant.
    National,
    /// A province communications bureau's (管局) rules.
    Province,
    /// One access provider's own procedure (the site's `provider`).
    Provider,
    /// National or province rules with some of the provider's procedure,
    /// marked paragraph by paragraph with callouts.
    Mixed,
}

impl Scope {
    /// Stable machine name (the front-matter value).
    pub fn key(self) -> &'static str {
        match self {
            Scope::National => "national",
            Scope::Province => "province",
            Scope::Provider => "provider",
            Scope::Mixed => "mixed",
        }
    }

    /// Key of the label readers see at the top of the answer, in the
    /// theme's interface strings (`{provider}` is filled in); `named` says
    /// whether the site names its provider.
    pub fn label_key(self, named: bool) -> &'static str {
        match (self, named) {
            (Scope::National, _) => "scope_national",
            (Scope::Province, _) => "scope_province",
            (Scope::Provider, true) => "scope_provider",
            (Scope::Provider, false) => "scope_provider_unnamed",
            (Scope::Mixed, true) => "scope_mixed",
            (Scope::Mixed, false) => "scope_mixed_unnamed",
        }
    }
}

/// The first line of a callout, without the leading `>`: `**[华为云]**`.
pub fn callout_marker(provider: &str) -> String {
    format!("**[{provider}]**")
}

/// Line-by-line view of a body: which lines belong to a provider callout.
fn callout_lines<'a>(md: &'a str, provider: &str) -> Vec<(usize, &'a str, bool, bool)> {
    let marker = callout_marker(provider);
    let mut out = Vec::new();
    let mut offset = 0;
    let mut inside = false;
    let mut fence: Option<&str> = None;
    for line in md.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let text = line.trim_end_matches(['\n', '\r']);
        let mut starts = false;
        if fence.is_some() && !inside {
            if fence.is_some_and(|f| trimmed.starts_with(f)) {
                fence = None;
            }
        } else if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            if !inside {
                fence = Some(&trimmed[..3]);
            }
        } else if let Some(rest) = trimmed.strip_prefix('>') {
            if rest.trim() == marker {
                inside = true;
                starts = true;
            }
        } else {
            inside = false;
        }
        out.push((offset, text, inside, starts));
        offset += line.len();
    }
    out
}

/// Byte ranges (in `md`) of the places that name `provider` outside a callout.
pub fn mentions_outside_callouts(md: &str, provider: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    for (offset, text, inside, _) in callout_lines(md, provider) {
        if inside {
            continue;
        }
        if let Some(i) = text.find(provider) {
            out.push(offset + i..offset + i + provider.len());
        }
    }
    out
}

/// Byte ranges (in `md`) of the first line of every callout.
pub fn callouts(md: &str, provider: &str) -> Vec<Range<usize>> {
    callout_lines(md, provider)
        .into_iter()
        .filter(|l| l.3)
        .map(|(offset, text, _, _)| offset..offset + text.len())
        .collect()
}

/// Turns the rendered blockquotes of provider callouts into labelled asides:
/// `<blockquote>` + `<p><strong>[华为云]</strong>` becomes a blockquote with
/// the class `scope-callout` whose first line is `label` (the provider label
/// of the site's language, e.g. "以下为华为云的办理方式").
pub fn label_callouts(html: &str, provider: &str, label: &str) -> String {
    let opening = format!(
        "<blockquote>\n<p><strong>[{}]</strong>",
        crate::render::markdown::escape(provider)
    );
    if !html.contains(&opening) {
        return html.to_string();
    }
    let labelled = format!(
        "<blockquote class=\"scope-callout scope-provider\">\n<p><strong class=\"scope-label\">{}</strong>",
        crate::render::markdown::escape(label)
    );
    html.replace(&opening, &labelled)
}

/// The plain text of a rendered body (descriptions, JSON-LD) with each
/// callout marker `[华为云]` replaced by `label` and `separator`.
pub fn label_callouts_text(text: &str, provider: &str, label: &str, separator: &str) -> String {
    let marker = format!("[{provider}]");
    if !text.contains(&marker) {
        return text.to_string();
    }
    text.replace(&marker, &format!("{label}{separator}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MD: &str =
        "通用规则。\n\n> **[华为云]**\n>\n> 在华为云控制台提交。\n\n华为云以外的接入商。\n";

    #[test]
    fn finds_mentions_outside_callouts() {
        let found = mentions_outside_callouts(MD, "华为云");
        assert_eq!(found.len(), 1);
        assert_eq!(&MD[found[0].clone()], "华为云");
        assert!(MD[..found[0].start].ends_with("\n\n"));
        assert_eq!(callouts(MD, "华为云").len(), 1);
    }

    #[test]
    fn fenced_code_is_not_a_callout() {
        let md = "```\n> **[华为云]**\n```\n华为云\n";
        assert!(callouts(md, "华为云").is_empty());
        // Both the fenced line and the plain one name it outside a callout.
        assert_eq!(mentions_outside_callouts(md, "华为云").len(), 2);
    }

    #[test]
    fn labels_rendered_callouts() {
        let html = "<blockquote>\n<p><strong>[华为云]</strong></p>\n<p>x</p>\n</blockquote>\n";
        let out = label_callouts(html, "华为云", "以下为华为云的办理方式");
        assert!(out.contains("class=\"scope-callout scope-provider\""));
        assert!(out.contains("以下为华为云的办理方式"));
        assert!(!out.contains("[华为云]"));
        assert_eq!(
            label_callouts_text("a [华为云] b", "华为云", "以下为华为云的办理方式", "："),
            "a 以下为华为云的办理方式： b"
        );
    }
}
