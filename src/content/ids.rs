//! Internal ids (`@faq/<chapter>/<slug>`, `@rejection/<slug>`, `@province/<pinyin>`,
//! `@decision/<name>`) and the URLs they resolve to.

/// An internal reference split into its id and optional anchor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ref<'a> {
    /// Id without the `@`, e.g. `faq/basics/need-filing`.
    pub id: &'a str,
    /// Text after `#`, if any.
    pub anchor: Option<&'a str>,
}

/// Parses `@id#anchor`; `None` when the text is not an internal reference.
pub fn parse_ref(text: &str) -> Option<Ref<'_>> {
    let rest = text.strip_prefix('@')?;
    let (id, anchor) = match rest.split_once('#') {
        Some((id, a)) => (id, Some(a)),
        None => (rest, None),
    };
    Some(Ref { id, anchor })
}

/// URL path of an id, e.g. `/faq/basics/need-filing/`; `None` for an unknown kind
/// or a malformed id.
pub fn url_for(id: &str) -> Option<String> {
    let parts: Vec<&str> = id.split('/').collect();
    if parts.iter().any(|p| !is_slug(p)) {
        return None;
    }
    match parts.as_slice() {
        ["faq", chapter] => Some(format!("/faq/{chapter}/")),
        ["faq", chapter, slug] => Some(format!("/faq/{chapter}/{slug}/")),
        ["rejection", slug] => Some(format!("/rejections/{slug}/")),
        ["province", slug] => Some(format!("/provinces/{slug}/")),
        ["decision", slug] => Some(format!("/decision/{slug}/")),
        _ => None,
    }
}

/// True for lower-case ASCII letters, digits and `-`, not empty.
pub fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// The anchor a heading text gets: the text with spaces and punctuation
/// folded to `-`, Latin lower-cased, CJK kept.
pub fn anchor_for(heading: &str) -> String {
    let mut out = String::new();
    for ch in heading.trim().chars() {
        if ch.is_alphanumeric() {
            out.extend(ch.to_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() {
        out.push_str("section");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_refs() {
        assert_eq!(
            parse_ref("@faq/a/b#x"),
            Some(Ref {
                id: "faq/a/b",
                anchor: Some("x")
            })
        );
        assert_eq!(parse_ref("https://x"), None);
    }

    #[test]
    fn builds_urls() {
        assert_eq!(
            url_for("faq/basics/x-1").as_deref(),
            Some("/faq/basics/x-1/")
        );
        assert_eq!(url_for("rejection/r").as_deref(), Some("/rejections/r/"));
        assert_eq!(
            url_for("province/guangdong").as_deref(),
            Some("/provinces/guangdong/")
        );
        assert_eq!(url_for("nope/x"), None);
        assert_eq!(url_for("faq/../x"), None);
    }

    #[test]
    fn anchors_keep_cjk() {
        assert_eq!(anchor_for("办理 流程（个人）"), "办理-流程-个人");
        assert_eq!(anchor_for("Step 1: DNS"), "step-1-dns");
    }
}
