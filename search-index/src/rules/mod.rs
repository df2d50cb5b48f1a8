//! Filing-rule checkers shared by the CLI and the browser: the website/APP
//! name checker ([`name`]) and the pre-approval checker ([`preapproval`]).
//!
//! Every rule is one the content states; each finding points (`see`) at the
//! content id of the entry or province page that states it. Callers turn ids
//! into URLs with [`resolve_see`]-style maps so the rules stay free of site
//! layout.

pub mod name;
pub mod preapproval;
mod text;

use serde::{Deserialize, Serialize};

use crate::province::Province;

/// How serious one finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth checking; the filing may still go through.
    Warn,
    /// The content says this is not allowed.
    Block,
}

/// Overall result of a check: the worst finding, or `pass`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Nothing found.
    Pass,
    /// Only warnings.
    Warn,
    /// At least one blocking finding.
    Block,
}

impl Verdict {
    /// The verdict a list of findings leads to.
    pub fn of(findings: &[Finding]) -> Verdict {
        match findings.iter().map(|f| f.severity).max() {
            None => Verdict::Pass,
            Some(Severity::Warn) => Verdict::Warn,
            Some(Severity::Block) => Verdict::Block,
        }
    }

    /// `pass`, `warn` or `block`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Warn => "warn",
            Verdict::Block => "block",
        }
    }
}

/// One rule that fired.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable rule id, e.g. `reserved-prefix`.
    pub rule: String,
    /// How serious it is.
    pub severity: Severity,
    /// The text that triggered it (empty when the rule is about the whole name).
    pub matched: String,
    /// Short explanation in Chinese.
    pub message: String,
    /// Content id (`@faq/...`, `@province/...`) or, once resolved, the URL of
    /// the page that states the rule.
    pub see: String,
}

/// Something the tool cannot judge; the reader must check it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    /// What to check.
    pub message: String,
    /// Content id or URL of the page that states it.
    pub see: String,
}

/// Pages the name checker's rules cite (besides `@province/<id>`).
pub const NAME_SEE_IDS: &[&str] = &[
    see::WEBSITE_NAME,
    see::WEBSITE_NAME_PERSONAL,
    see::WEBSITE_NAME_PREFIX,
    see::APP_NAME,
    see::APP_GENERIC,
    see::APP_DUPLICATE,
    see::APP_SYMBOLS,
    see::APP_PRICE,
];

/// Pages the pre-approval checker's rules cite (besides `@province/<id>`).
pub const PREAPPROVAL_SEE_IDS: &[&str] = &[
    see::CONTENT_PREAPPROVAL,
    see::PREAPPROVAL_LETTERS,
    see::FINANCE_WORDS,
];

/// Every content id the rules point at (besides `@province/<id>`); a test
/// checks that each exists in the real content.
pub fn see_ids() -> impl Iterator<Item = &'static str> {
    NAME_SEE_IDS.iter().chain(PREAPPROVAL_SEE_IDS).copied()
}

/// Ids of the entries stating each rule.
pub mod see {
    /// 13.11 general website-name rules and the provinces' forbidden words.
    pub const WEBSITE_NAME: &str = "@faq/form-filling/website-name";
    /// 13.11 rules for an individual's website name.
    pub const WEBSITE_NAME_PERSONAL: &str = "@faq/form-filling/website-name-personal";
    /// 13.11 reserved leading words.
    pub const WEBSITE_NAME_PREFIX: &str = "@faq/form-filling/website-name-reserved-prefix";
    /// 9.21 APP name rules.
    pub const APP_NAME: &str = "@faq/app-filing/name-requirements";
    /// 9.21 generic and hot-search words.
    pub const APP_GENERIC: &str = "@faq/app-filing/name-generic-words";
    /// 9.21 duplicate names.
    pub const APP_DUPLICATE: &str = "@faq/app-filing/name-duplicate";
    /// 9.21 placeholders, garbled text, emoji, special symbols.
    pub const APP_SYMBOLS: &str = "@faq/app-filing/name-symbols-emoji";
    /// 9.21 price and marketing words.
    pub const APP_PRICE: &str = "@faq/app-filing/name-price-marketing";
    /// 13.12 content needing pre-approval.
    pub const CONTENT_PREAPPROVAL: &str = "@faq/form-filling/website-content-preapproval";
    /// 14.1.2 the provinces' commitment-letter tables.
    pub const PREAPPROVAL_LETTERS: &str = "@faq/documents/preapproval-commitment";
    /// 14.1.2 the finance "eighteen words".
    pub const FINANCE_WORDS: &str = "@faq/documents/finance-eighteen-words";

    /// Id of a province page.
    pub fn province(id: &str) -> String {
        format!("@province/{id}")
    }
}

/// Finds a province by pinyin id (`guangdong`), full name (`广东省`), name
/// without its suffix (`广东`, `内蒙古`) or one-character abbreviation (`粤`).
pub fn find_province<'a>(provinces: &'a [Province], query: &str) -> Option<&'a Province> {
    crate::vocab::find_by_forms(
        provinces,
        |p| (p.id.as_str(), p.name.as_str(), p.short_name.as_str()),
        query,
    )
}

/// Why province data passed as JSON could not be read.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// Not valid JSON or not a list of provinces.
    #[error("province data: {0}")]
    Json(#[from] serde_json::Error),
    /// An element is not an object.
    #[error("province data: element {0} is not an object")]
    NotObject(usize),
}

/// Reads provinces from the JSON the generator embeds (the serialised
/// [`Province`] list). `id` is not part of the file format, so it is taken
/// out before the strict deserialisation and put back afterwards.
pub fn provinces_from_json(json: &str) -> Result<Vec<Province>, DataError> {
    let values: Vec<serde_json::Value> = serde_json::from_str(json)?;
    let mut out = Vec::with_capacity(values.len());
    for (i, mut v) in values.into_iter().enumerate() {
        let obj = v.as_object_mut().ok_or(DataError::NotObject(i))?;
        let id = obj
            .remove("id")
            .and_then(|id| id.as_str().map(str::to_string))
            .unwrap_or_default();
        let mut p: Province = serde_json::from_value(v)?;
        p.id = id;
        out.push(p);
    }
    Ok(out)
}

/// Replaces every `see` content id with the URL `resolve` gives for it
/// (ids it does not know are left as they are).
pub fn resolve_see<'a>(
    findings: impl IntoIterator<Item = &'a mut Finding>,
    notes: impl IntoIterator<Item = &'a mut Note>,
    resolve: &dyn Fn(&str) -> Option<String>,
) {
    for f in findings {
        if let Some(url) = resolve(&f.see) {
            f.see = url;
        }
    }
    for n in notes {
        if let Some(url) = resolve(&n.see) {
            n.see = url;
        }
    }
}

#[cfg(test)]
pub(crate) mod testdata {
    use crate::province::{PreApproval, Province};

    /// A province with forbidden words and a pre-approval table.
    pub fn province(id: &str, name: &str, short: &str) -> Province {
        let mut p: Province = serde_json::from_value(serde_json::json!({
            "name": name, "short_name": short,
        }))
        .expect("minimal province");
        p.id = id.to_string();
        p
    }

    /// A pre-approval row.
    pub fn row(category: &str, keywords: &[&str], note: Option<&str>, letter: &str) -> PreApproval {
        PreApproval {
            category: category.into(),
            keywords: keywords.iter().map(|s| s.to_string()).collect(),
            keyword_note: note.map(str::to_string),
            filing_types: "所有备案类型".into(),
            letters: vec![letter.into()],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testdata::province;
    use super::*;

    fn all() -> Vec<Province> {
        vec![
            province("guangdong", "广东省", "粤"),
            province("neimenggu", "内蒙古自治区", "蒙"),
            province("shanxi", "山西省", "晋"),
            province("shaanxi", "陕西省", "陕"),
        ]
    }

    #[test]
    fn finds_provinces_by_every_name() {
        let ps = all();
        let cases = [
            ("guangdong", Some("guangdong")),
            ("GuangDong", Some("guangdong")),
            ("广东省", Some("guangdong")),
            ("广东", Some("guangdong")),
            ("粤", Some("guangdong")),
            ("内蒙古", Some("neimenggu")),
            ("陕", Some("shaanxi")),
            ("山西", Some("shanxi")),
            ("山", None),
            ("", None),
            ("台湾", None),
        ];
        for (q, want) in cases {
            assert_eq!(find_province(&ps, q).map(|p| p.id.as_str()), want, "{q}");
        }
    }

    #[test]
    fn provinces_round_trip_through_json_with_ids() {
        let ps = all();
        let json = serde_json::to_string(&ps).unwrap();
        let back = provinces_from_json(&json).unwrap();
        assert_eq!(back, ps);
        assert!(provinces_from_json("[1]").is_err());
        assert!(provinces_from_json("{").is_err());
    }

    #[test]
    fn verdict_is_the_worst_severity() {
        let f = |s| Finding {
            rule: "r".into(),
            severity: s,
            matched: String::new(),
            message: String::new(),
            see: String::new(),
        };
        assert_eq!(Verdict::of(&[]), Verdict::Pass);
        assert_eq!(Verdict::of(&[f(Severity::Warn)]), Verdict::Warn);
        assert_eq!(
            Verdict::of(&[f(Severity::Warn), f(Severity::Block)]),
            Verdict::Block
        );
    }
}
